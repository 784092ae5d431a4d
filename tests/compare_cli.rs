//! `gc-run compare` end to end: local mode, two processes over TCP, ranges and mismatches.

use std::process::{Command, Output};

mod common;
use common::spawn_listener;

fn gc_run() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gc-run"))
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn local(g: &str, e: &str, extra: &[&str]) -> Output {
    gc_run()
        .args([
            "compare",
            "local",
            "--garbler-value",
            g,
            "--evaluator-value",
            e,
        ])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn local_mode_words_widths_and_json() {
    for (g, e, extra, want) in [
        (
            "-9223372036854775808",
            "9223372036854775807",
            &[][..],
            "less\n",
        ),
        ("5", "5", &[], "equal\n"),
        ("-1", "-2", &[], "greater\n"),
        ("255", "0", &["--bits", "8", "--unsigned"], "greater\n"),
        ("-128", "127", &["--bits", "8"], "less\n"),
        ("0", "-1", &["--bits", "1"], "greater\n"),
        (
            "18446744073709551615",
            "18446744073709551614",
            &["--unsigned"],
            "greater\n",
        ),
    ] {
        let o = local(g, e, extra);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(out(&o), want, "{g} vs {e} {extra:?}");
    }
    let o = local("3", "4", &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outputs"]["result"], "less");
    assert_eq!(
        v["outputs"]["meaning"],
        "the garbler's value is less than the evaluator's"
    );
    assert_eq!(v["stats"]["and_gates"], 127);
}

#[test]
fn bad_values_are_exit_2() {
    for (g, e, extra) in [
        ("128", "0", &["--bits", "8"][..]),
        ("-1", "0", &["--unsigned"]),
        ("9223372036854775808", "0", &[]),
        ("1.5", "0", &[]),
        ("1", "0", &["--bits", "65"]),
        ("1", "0", &["--bits", "0"]),
    ] {
        let o = local(g, e, extra);
        assert_eq!(o.status.code(), Some(2), "{g} {extra:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
    }
}

#[test]
fn two_processes_over_tcp_and_mismatched_widths() {
    let (g, addr) = spawn_listener(gc_run().args(["compare", "garbler", "--value", "-42"]));
    let e = gc_run()
        .args(["compare", "evaluator", "--value", "17", "--connect", &addr])
        .output()
        .unwrap();
    let g = g.wait_with_output();
    assert_eq!(out(&g), "less\n", "{}", String::from_utf8_lossy(&g.stderr));
    assert_eq!(out(&e), "less\n", "{}", String::from_utf8_lossy(&e.stderr));
    let (g, addr) =
        spawn_listener(gc_run().args(["compare", "garbler", "--value", "1", "--bits", "32"]));
    let e = gc_run()
        .args(["compare", "evaluator", "--value", "1", "--connect", &addr])
        .output()
        .unwrap();
    let g = g.wait_with_output();
    for o in [&g, &e] {
        assert_eq!(o.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&o.stderr)
                .contains("width in bits mismatch: garbler has 32, evaluator has 64"),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}
