//! `--ot iknp|ferret` on every command that uses COTs: the shipped Bristol corpus through
//! `local` and AES over TCP with Ferret, the arith corpus and `compare` giving the same
//! answers under both sources, and an OT-source mismatch refused on both sides (exit 1,
//! naming both choices) before any base OT.

use duet_circuits::library;
use std::path::PathBuf;
use std::process::{Command, Output};

mod common;
use common::{GC_RUN as BIN, spawn, spawn_listener};

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

fn first_vector(name: &str) -> (Vec<String>, Vec<String>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("circuits/bristol/vectors");
    let text = std::fs::read_to_string(dir.join(format!("{name}.jsonl"))).unwrap();
    let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let strs = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    (strs("inputs"), strs("outputs"))
}

/// Every shipped circuit's first vector through `local --ot ferret` (even inputs the
/// garbler's, odd the evaluator's): the known outputs.
#[test]
fn bristol_corpus_over_ferret() {
    for name in library::names() {
        let (ins, outs) = first_vector(name);
        let mut args = vec![
            "local".to_string(),
            name.to_string(),
            "--ot".into(),
            "ferret".into(),
        ];
        for (i, h) in ins.iter().enumerate() {
            let flag = if i % 2 == 0 {
                "--garbler-input"
            } else {
                "--evaluator-input"
            };
            args.extend([flag.into(), format!("{i}={h}")]);
        }
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        assert_eq!(stdout(&o), outs.join("\n"), "{name}");
    }
}

/// AES-128 between two processes over TCP with Ferret; and a garbler on Ferret against an
/// evaluator on IKNP: both exit 1 naming both choices.
#[test]
fn ferret_over_tcp_and_mismatch_refused_on_both_sides() {
    let (key, pt) = (
        "0=000102030405060708090a0b0c0d0e0f",
        "1=00112233445566778899aabbccddeeff",
    );
    for (g_ot, e_ot) in [("ferret", "ferret"), ("ferret", "iknp"), ("iknp", "ferret")] {
        let (g, addr) = spawn_listener(
            Command::new(BIN).args(["garbler", "aes_128", "--input", key, "--ot", g_ot]),
        );
        let e = spawn(Command::new(BIN).args([
            "evaluator",
            "aes_128",
            "--connect",
            &addr,
            "--input",
            pt,
            "--ot",
            e_ot,
        ]));
        let (g, e) = (g.wait_with_output(), e.wait_with_output());
        if g_ot == e_ot {
            for o in [&g, &e] {
                assert!(o.status.success(), "{}", stderr(o));
                assert_eq!(stdout(o), "69c4e0d86a7b0430d8cdb78070b4c55a");
            }
        } else {
            let want = format!("OT extension mismatch: garbler has {g_ot}, evaluator has {e_ot}");
            for o in [&g, &e] {
                assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
                assert!(stderr(o).contains(&want), "{}", stderr(o));
                let errors = stderr(o).lines().filter(|l| l.contains("error")).count();
                assert_eq!(errors, 1, "{}", stderr(o));
            }
        }
    }
}

/// `compare local` and `arith local` on circuits of the arith corpus give the same outputs
/// over IKNP and over Ferret.
#[test]
fn compare_and_arith_corpus_agree_under_both_sources() {
    for (g, e, want) in [
        ("17", "5", "greater"),
        ("-3", "-3", "equal"),
        ("0", "9", "less"),
    ] {
        for ot in ["iknp", "ferret"] {
            let o = Command::new(BIN)
                .args([
                    "compare",
                    "local",
                    "--garbler-value",
                    g,
                    "--evaluator-value",
                    e,
                    "--ot",
                    ot,
                ])
                .output()
                .unwrap();
            assert!(o.status.success(), "{ot}: {}", stderr(&o));
            assert_eq!(stdout(&o), want, "{ot}");
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("hybrid/tests/data/arith");
    for name in [
        "millionaires",
        "op_arith",
        "op_compare",
        "int_sum",
        "ml_Dense",
        "max_of_n",
    ] {
        let dir = root.join(name);
        let info: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("circuit_info.json")).unwrap())
                .unwrap();
        let mut names: Vec<String> = match &info["input_name_to_wire_index"] {
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            _ => panic!("{name}: no input map"),
        };
        names.sort();
        let run = |ot: &str| {
            let mut args = vec![
                "arith".to_string(),
                "local".into(),
                dir.to_str().unwrap().into(),
                "--ot".into(),
                ot.into(),
            ];
            for (i, n) in names.iter().enumerate() {
                let flag = if i % 2 == 0 {
                    "--garbler-input"
                } else {
                    "--evaluator-input"
                };
                args.extend([flag.into(), format!("{n}={}", i + 2)]);
            }
            let o = Command::new(BIN).args(&args).output().unwrap();
            assert!(o.status.success(), "{name} {ot}: {}", stderr(&o));
            stdout(&o)
        };
        let iknp = run("iknp");
        assert!(!iknp.is_empty(), "{name}");
        assert_eq!(run("ferret"), iknp, "{name}");
    }
}
