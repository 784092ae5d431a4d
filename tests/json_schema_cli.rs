//! Every command's `--json` output against the one schema (`src/bin/gc-run/report.rs`):
//! `{"outputs", "stats": {and_gates, xor_gates, bytes_sent, bytes_received, rounds, seconds,
//! phases: {load, setup, ot, run}, …}}`, and `{"error": {kind, message, exit}}` on failure.

use std::process::{Command, Output};

use serde_json::Value;

const KEY: &str = "000102030405060708090a0b0c0d0e0f";
const PT: &str = "00112233445566778899aabbccddeeff";
const ARITH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/hybrid/tests/data/arith/millionaires"
);

fn gc_run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gc-run"))
        .args(args)
        .output()
        .expect("run gc-run")
}

/// The one JSON line a command printed.
fn json(o: &Output) -> Value {
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.lines().count(), 1, "one line of JSON: {text}");
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A successful report: exactly `outputs` and `stats`, the shared keys typed as documented.
fn check_report(v: &Value, what: &str) {
    let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(top, ["outputs", "stats"], "{what}");
    let s = &v["stats"];
    for k in ["and_gates", "bytes_sent", "bytes_received"] {
        assert!(s[k].is_u64(), "{what}: stats.{k} = {}", s[k]);
    }
    for k in ["xor_gates", "rounds"] {
        assert!(
            s[k].is_u64() || s[k].is_null(),
            "{what}: stats.{k} = {}",
            s[k]
        );
    }
    let seconds = s["seconds"]
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: seconds"));
    let mut sum = 0.0;
    let phases = s["phases"]
        .as_object()
        .unwrap_or_else(|| panic!("{what}: phases"));
    let keys: Vec<&str> = phases.keys().map(String::as_str).collect();
    assert_eq!(keys, ["load", "ot", "run", "setup"], "{what}");
    for (k, p) in phases {
        let p = p.as_f64().unwrap_or_else(|| panic!("{what}: phases.{k}"));
        assert!(p >= 0.0, "{what}: phases.{k} = {p}");
        sum += p;
    }
    // the phases split the wall time (one-process runs: both parties overlap, the garbler's
    // phases are reported)
    assert!(
        sum <= seconds * 1.05 + 0.01,
        "{what}: phases {sum} > seconds {seconds}"
    );
}

/// A failure: exit code as ever, one `{"error": …}` object on stdout agreeing with it.
fn check_error(o: &Output, exit: i32, kind: &str, needle: &str, what: &str) {
    assert_eq!(o.status.code(), Some(exit), "{what}");
    let v = json(o);
    let e = &v["error"];
    assert_eq!(e["exit"], exit, "{what}");
    assert_eq!(e["kind"], kind, "{what}");
    let msg = e["message"].as_str().unwrap();
    assert!(msg.contains(needle), "{what}: {msg}");
    assert_eq!(v.as_object().unwrap().len(), 1);
}

#[test]
fn every_command_reports_in_the_one_schema() {
    let g = format!("0={KEY}");
    let e = format!("1={PT}");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("info", vec!["info", "aes_128", "--json"]),
        (
            "eval",
            vec!["eval", "aes_128", "--input", KEY, "--input", PT, "--json"],
        ),
        (
            "local",
            vec![
                "local",
                "aes_128",
                "--garbler-input",
                &g,
                "--evaluator-input",
                &e,
                "--json",
            ],
        ),
        (
            "arith",
            vec![
                "arith",
                "local",
                ARITH,
                "--garbler-input",
                "0.alice=17",
                "--evaluator-input",
                "0.bob=5",
                "--json",
            ],
        ),
        (
            "compare",
            vec![
                "compare",
                "local",
                "--garbler-value",
                "3",
                "--evaluator-value",
                "9",
                "--json",
            ],
        ),
    ];
    let dir = std::env::temp_dir().join(format!("duet-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.txt"), dir.join("b.txt"));
    std::fs::write(&a, "x\ny\nz\n").unwrap();
    std::fs::write(&b, "y\nw\nz\n").unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let mut cases = cases;
    cases.push((
        "psi",
        vec![
            "psi",
            "local",
            "--sender-input",
            a,
            "--receiver-input",
            b,
            "--json",
        ],
    ));
    for (what, args) in cases {
        let o = gc_run(&args);
        assert!(
            o.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v = json(&o);
        check_report(&v, what);
        match what {
            "info" => assert_eq!(v["stats"]["and_gates"], 6400),
            "eval" | "local" => {
                assert_eq!(
                    v["outputs"],
                    serde_json::json!(["69c4e0d86a7b0430d8cdb78070b4c55a"])
                );
                assert_eq!(v["stats"]["xor_gates"], 28176);
            }
            "arith" => assert!(v["outputs"].is_object()),
            "psi" => {
                assert_eq!(v["outputs"]["items"], serde_json::json!(["y", "z"]));
                assert_eq!(v["outputs"]["count"], 2);
            }
            _ => assert_eq!(v["outputs"]["result"], "less"),
        }
        if what == "local" {
            // the networked run's rounds and phases are measured
            assert!(v["stats"]["rounds"].as_u64().unwrap() >= 2, "{v}");
            let ph = &v["stats"]["phases"];
            assert!(ph["setup"].as_f64().unwrap() > 0.0 && ph["ot"].as_f64().unwrap() > 0.0);
            assert!(ph["run"].as_f64().unwrap() > 0.0 && ph["load"].as_f64().unwrap() > 0.0);
            assert_eq!(v["stats"]["scheme"], "half-gates");
        }
    }
}

/// Not a terminal: no progress bar, no colour codes, even with logs on.
#[test]
fn no_bars_or_colour_when_stderr_is_a_pipe() {
    let g = format!("0={KEY}");
    let e = format!("1={PT}");
    let o = gc_run(&[
        "local",
        "aes_128",
        "--garbler-input",
        &g,
        "--evaluator-input",
        &e,
    ]);
    assert!(o.status.success());
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = gc_run(&[
        "-vv",
        "local",
        "aes_128",
        "--garbler-input",
        &g,
        "--evaluator-input",
        &e,
    ]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.is_empty(), "-vv logs something");
    assert!(!err.contains('\u{1b}'), "colour codes in a pipe: {err:?}");
}

#[test]
fn errors_are_json_on_stdout_with_the_exit_code() {
    let o = gc_run(&[
        "eval",
        "aes_128",
        "--input",
        &KEY[..31],
        "--input",
        PT,
        "--json",
    ]);
    check_error(&o, 2, "usage", "31 hex digit(s)", "short key");
    let o = gc_run(&["info", "no_such_circuit", "--json"]);
    check_error(&o, 2, "usage", "no_such_circuit", "missing circuit");
    // a flag clap refuses
    let o = gc_run(&["local", "aes_128", "--no-such-flag", "--json"]);
    check_error(&o, 2, "usage", "--no-such-flag", "bad flag");
    // a network failure: nobody listens (connect timeout kept short)
    let o = gc_run(&[
        "evaluator",
        "adder64",
        "--connect",
        "127.0.0.1:9",
        "--connect-timeout",
        "1",
        "--input",
        "1=0x1",
        "--json",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v = json(&o);
    assert_eq!(v["error"]["exit"], 1);
    assert!(["network", "protocol"].contains(&v["error"]["kind"].as_str().unwrap()));
    // without --json: nothing on stdout
    let o = gc_run(&["eval", "aes_128", "--input", "00", "--input", PT]);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty());
}
