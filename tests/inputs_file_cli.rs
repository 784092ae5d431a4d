//! `--inputs FILE` (`local`: `--garbler-inputs` / `--evaluator-inputs`): JSON input files for
//! Bristol and arithmetic circuits, with arrays, and the errors of bad files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const KEY: &str = "000102030405060708090a0b0c0d0e0f";
const PT: &str = "00112233445566778899aabbccddeeff";
const CT: &str = "69c4e0d86a7b0430d8cdb78070b4c55a\n";

fn gc_run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gc-run"))
        .args(args)
        .output()
        .expect("run gc-run")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A file in a per-test temporary directory.
fn file(test: &str, name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("duet-inputs-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn bristol_local_and_eval_from_json_files() {
    let g = file("bristol", "g.json", &format!(r#"{{"0": "{KEY}"}}"#));
    let e = file("bristol", "e.json", &format!(r#"{{"1": "{PT}"}}"#));
    let o = gc_run(&[
        "local",
        "aes_128",
        "--garbler-inputs",
        s(&g),
        "--evaluator-inputs",
        s(&e),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), CT);
    // a file and a flag together
    let o = gc_run(&[
        "local",
        "aes_128",
        "--garbler-inputs",
        s(&g),
        "--evaluator-input",
        &format!("1={PT}"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), CT);
    // eval: one object for every input; integers are decimal values
    let both = file(
        "bristol",
        "both.json",
        &format!(r#"{{"1": "{PT}", "0": "{KEY}"}}"#),
    );
    let o = gc_run(&["eval", "aes_128", "--inputs", s(&both)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), CT);
    let ints = file("bristol", "ints.json", r#"{"0": 40, "1": -2}"#);
    let o = gc_run(&["eval", "adder64", "--inputs", s(&ints)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "0000000000000026\n");
}

#[test]
fn bad_bristol_files_are_exit_2_with_one_line() {
    let cases: Vec<(String, &str)> = vec![
        ("not json".into(), "not valid JSON"),
        ("[1, 2]".into(), "expected a JSON object"),
        (r#"{"7": "00"}"#.into(), "input 7 does not exist"),
        (r#"{"x": "00"}"#.into(), "is not an input index"),
        (
            r#"{"0": 1.5}"#.into(),
            "expected a hex string or an integer, got a non-integer number",
        ),
        (r#"{"0": true}"#.into(), "got a boolean"),
        (
            format!(r#"{{"0": "{}"}}"#, &KEY[..31]),
            "31 hex digit(s) given",
        ),
        (format!(r#"{{"1": "{PT}"}}"#), "given twice"),
    ];
    for (i, (text, needle)) in cases.iter().enumerate() {
        let g = file("bad", &format!("g{i}.json"), text);
        let o = gc_run(&[
            "local",
            "aes_128",
            "--garbler-inputs",
            s(&g),
            "--garbler-input",
            &format!("1={PT}"),
        ]);
        assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{text}: {}", stderr(&o));
        assert!(stderr(&o).contains("--garbler-inputs") || needle.contains("twice"));
        assert_eq!(stderr(&o).trim_end().lines().count(), 1, "{}", stderr(&o));
    }
    // eval: a missing input in the file
    let one = file("bad", "one.json", &format!(r#"{{"0": "{KEY}"}}"#));
    let o = gc_run(&["eval", "aes_128", "--inputs", s(&one)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("input 1 is missing"), "{}", stderr(&o));
    let o = gc_run(&["eval", "aes_128", "--inputs", "/nonexistent/in.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/in.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn arith_inputs_with_arrays() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/hybrid/tests/data/arith/int_matElemMul"
    );
    // out = a ⊙ b element-wise
    let g = file("arith", "g.json", r#"{"0.a": [[1, 2], [3, -4]]}"#);
    let e = file("arith", "e.json", r#"{"0.b": [[5, 6], [7, 8]]}"#);
    let o = gc_run(&[
        "arith",
        "local",
        dir,
        "--garbler-inputs",
        s(&g),
        "--evaluator-inputs",
        s(&e),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "0.out[0][0]=5\n0.out[0][1]=12\n0.out[1][0]=21\n0.out[1][1]=-32\n"
    );
    // unknown name, wrong type, missing input
    for (text, needle) in [
        (r#"{"0.a": [[1, 2], [3, 4]], "0.zz": 1}"#, "0.zz"),
        (r#"{"0.a": [[1, 2], [3, "x"]]}"#, "0.a[1][1]"),
        (r#"{"0.a": [[1, 2], [3, null]]}"#, "expected an integer"),
        (r#"{"0.a": [[1, 2], [3]]}"#, "0.a[1][1]"),
    ] {
        let g = file("arith", "bad.json", text);
        let o = gc_run(&[
            "arith",
            "local",
            dir,
            "--garbler-inputs",
            s(&g),
            "--evaluator-inputs",
            s(&e),
        ]);
        assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{text}: {}", stderr(&o));
    }
}
