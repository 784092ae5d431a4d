//! `gc-run info` and `gc-run eval` as a user runs them: outputs, JSON, exit codes and one-line
//! errors, at least one shipped vector per circuit.

use std::path::PathBuf;
use std::process::{Command, Output};

fn gc_run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gc-run"))
        .args(args)
        .output()
        .expect("run gc-run")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// Exit status 2 with exactly one line on stderr that contains `keyword`, and no panic.
fn assert_usage_error(o: &Output, keyword: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected: {err}");
    assert!(err.contains(keyword), "`{err}` lacks `{keyword}`");
    assert!(!err.contains("panicked"), "{err}");
    assert!(o.stdout.is_empty(), "no output on error");
}

fn vector_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("circuits/bristol/vectors")
}

/// (inputs, outputs) of the first vectors of a shipped vector file.
fn first_vectors(name: &str, n: usize) -> Vec<(Vec<String>, Vec<String>)> {
    let text = std::fs::read_to_string(vector_dir().join(format!("{name}.jsonl"))).unwrap();
    text.lines()
        .take(n)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let get = |k: &str| -> Vec<String> {
                v[k].as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect()
            };
            (get("inputs"), get("outputs"))
        })
        .collect()
}

#[test]
fn done_when_aes_fips197() {
    let o = gc_run(&[
        "eval",
        "aes_128",
        "--input",
        "000102030405060708090a0b0c0d0e0f",
        "--input",
        "00112233445566778899aabbccddeeff",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "69c4e0d86a7b0430d8cdb78070b4c55a\n");
}

#[test]
fn eval_vectors_of_every_circuit() {
    for name in [
        "adder64",
        "sub64",
        "neg64",
        "mult64",
        "zero_equal",
        "aes_128",
        "sha256",
        "Keccak_f",
    ] {
        for (ins, outs) in first_vectors(name, 2) {
            let mut args = vec!["eval".to_string(), name.to_string()];
            for i in &ins {
                args.push("--input".into());
                args.push(i.clone());
            }
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = gc_run(&args);
            assert!(o.status.success(), "{name}: {}", stderr(&o));
            let want: String = outs.iter().map(|h| format!("{h}\n")).collect();
            assert_eq!(stdout(&o), want, "{name}");
        }
    }
}

#[test]
fn eval_accepts_0x_numbers_decimal_and_paths() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("circuits/bristol/adder64.txt");
    let o = gc_run(&[
        "eval",
        path.to_str().unwrap(),
        "--input",
        "0x00000000000000FF",
        "--input",
        "0x1",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "0000000000000100\n");
    // decimal, negative in two's complement: -1 + 3 = 2
    let o = gc_run(&["eval", "adder64", "--input", "d:-1", "--input", "d:3"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "0000000000000002\n");
}

/// A dropped digit, an extra digit, a non-hex character, a too-wide number and a bad decimal
/// each exit 2 with one line naming the input, its width and what was given.
#[test]
fn eval_refuses_values_of_the_wrong_width() {
    let key = "000102030405060708090a0b0c0d0e0f";
    let pt = "00112233445566778899aabbccddeeff";
    for (k, needle) in [
        (
            &key[..31],
            "31 hex digit(s) given, but a 128-bit value takes exactly 32",
        ),
        (&format!("{key}0")[..], "33 hex digit(s) given"),
        (
            "000102030405060708090a0b0c0d0e0g",
            "`g` at position 31 is not a hex digit",
        ),
        (
            "0x1000000000000000000000000000000000",
            "needs 133 bits but only 128",
        ),
        ("d:12a", "is not a decimal integer"),
        (
            "d:-170141183460469231731687303715884105729",
            "below the smallest 128-bit",
        ),
    ] {
        let o = gc_run(&["eval", "aes_128", "--input", k, "--input", pt]);
        assert_eq!(o.status.code(), Some(2), "{k}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(needle), "{k}: {err}");
        assert!(err.contains("input 0") && err.contains("128 bits"), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(o.stdout.is_empty());
    }
    // the same rules hold for I=HEX in local (the reproducer)
    let o = gc_run(&[
        "local",
        "aes_128",
        "--garbler-input",
        &format!("0={}", &key[..31]),
        "--evaluator-input",
        &format!("1={pt}"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("31 hex digit(s)"), "{}", stderr(&o));
}

#[test]
fn eval_json() {
    let o = gc_run(&[
        "eval",
        "adder64",
        "--input",
        "ffffffffffffffff",
        "--input",
        "0000000000000002",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["outputs"], serde_json::json!(["0000000000000001"]));
    assert_eq!(v["stats"]["and_gates"], 63);
    assert_eq!(v["stats"]["xor_gates"], 313);
    assert!(v["stats"]["seconds"].as_f64().unwrap() >= 0.0);
    assert_eq!(stdout(&o).lines().count(), 1);
}

#[test]
fn info_text_and_json() {
    let o = gc_run(&["info", "aes_128"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for needle in [
        "36663",
        "6400",
        "28176",
        "2087",
        "36919",
        "AND-depth",
        "60",
        "128 bits",
    ] {
        assert!(text.contains(needle), "`{needle}` missing in:\n{text}");
    }
    let o = gc_run(&["info", "sha256", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["stats"]["and_gates"], 22573);
    assert_eq!(v["stats"]["xor_gates"], 110644);
    let v = &v["outputs"];
    assert_eq!(v["inv_gates"], 1856);
    assert_eq!(v["eq_gates"], 0);
    assert_eq!(v["eqw_gates"], 0);
    assert_eq!(v["mand_gates"], 0);
    assert_eq!(v["wires"], 135841);
    assert_eq!(v["and_depth"], 1607);
    assert_eq!(v["inputs"], serde_json::json!([512, 256]));
    assert_eq!(v["outputs"], serde_json::json!([256]));
    let peak = v["peak_live_wires"].as_u64().unwrap();
    assert!((768..=135841).contains(&peak), "{peak}");
}

#[test]
fn wrong_input_count_is_exit_2() {
    let o = gc_run(&["eval", "aes_128", "--input", "00"]);
    assert_usage_error(&o, "takes 2 input value(s)");
    let o = gc_run(&["eval", "neg64"]);
    assert_usage_error(&o, "but 0 --input given");
}

#[test]
fn bad_values_are_exit_2() {
    let o = gc_run(&["eval", "zero_equal", "--input", "0x1ffffffffffffffff"]);
    assert_usage_error(&o, "needs 65 bits but only 64");
    let o = gc_run(&["eval", "zero_equal", "--input", "1ffffffffffffffff"]);
    assert_usage_error(
        &o,
        "17 hex digit(s) given, but a 64-bit value takes exactly 16",
    );
    let o = gc_run(&["eval", "zero_equal", "--input", "12z4"]);
    assert_usage_error(&o, "`z` at position 2 is not a hex digit");
    let o = gc_run(&["eval", "zero_equal", "--input", "0x"]);
    assert_usage_error(&o, "empty value");
}

#[test]
fn bad_circuit_is_exit_2_naming_the_line() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("circuits/tests/data/malformed");
    for (file, line) in [
        ("used_before_defined.txt", 6),
        ("garbage_bytes.txt", 6),
        ("empty.txt", 1),
    ] {
        let p = dir.join(file);
        for cmd in ["info", "eval"] {
            let o = gc_run(&[cmd, p.to_str().unwrap()]);
            assert_usage_error(&o, &format!("{file}: line {line}: "));
        }
    }
    let o = gc_run(&["info", "no_such_circuit"]);
    assert_usage_error(&o, "built-in: adder64");
    let o = gc_run(&["info", env!("CARGO_MANIFEST_DIR")]);
    assert_usage_error(&o, "directory");
}

#[test]
fn help_explains_inputs() {
    let o = gc_run(&["eval", "--help"]);
    assert!(o.status.success());
    let h = stdout(&o);
    assert!(h.contains("--input <HEX>") && h.contains("big-endian") && h.contains("aes_128"));
    let o = gc_run(&["info", "--help"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("AND-depth"));
    let o = gc_run(&["eval"]);
    assert_eq!(o.status.code(), Some(2));
}

/// A reader that closes the pipe early (`gc-run info … | head -1`) ends the run quietly:
/// no panic message, exit 0.
#[test]
fn closed_stdout_is_not_a_panic() {
    use std::process::Stdio;
    for args in [&["info", "sha256"][..], &["info", "aes_128", "--json"][..]] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gc-run"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}
