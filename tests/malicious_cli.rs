//! `gc-run … --security malicious` as processes: the shipped corpus over TCP and via
//! `local --json` (preprocessing split from the online phase), a security mismatch refused on
//! both sides, and the options the malicious protocol refuses.

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

fn pair(
    circuit: &str,
    g_in: &[String],
    e_in: &[String],
    g_extra: &[&str],
    e_extra: &[&str],
) -> (Output, Output) {
    let mut ga = vec!["garbler", circuit, "--connect-timeout", "20"];
    for i in g_in {
        ga.extend(["--input", i]);
    }
    ga.extend(g_extra);
    let (g, addr) = spawn_listener(Command::new(BIN).args(&ga));
    let mut ea = vec![
        "evaluator",
        circuit,
        "--connect",
        &addr,
        "--connect-timeout",
        "20",
    ];
    for i in e_in {
        ea.extend(["--input", i]);
    }
    ea.extend(e_extra);
    let e = spawn(Command::new(BIN).args(&ea));
    (g.wait_with_output(), e.wait_with_output())
}

const MAL: &[&str] = &["--security", "malicious"];

#[test]
fn corpus_over_tcp_and_local_malicious() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("circuits/bristol/vectors");
    for name in library::names() {
        let text = std::fs::read_to_string(dir.join(format!("{name}.jsonl"))).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        let ins: Vec<String> = v["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        let outs: Vec<String> = v["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        let pick = |odd: usize| -> Vec<String> {
            ins.iter()
                .enumerate()
                .filter(|(i, _)| i % 2 == odd)
                .map(|(i, h)| format!("{i}={h}"))
                .collect()
        };
        let (g_in, e_in) = (pick(0), pick(1));
        let (g, e) = pair(name, &g_in, &e_in, MAL, MAL);
        assert!(g.status.success(), "{name} garbler: {}", stderr(&g));
        assert!(e.status.success(), "{name} evaluator: {}", stderr(&e));
        let want = outs.join("\n");
        assert_eq!(stdout(&g), want, "{name} garbler");
        assert_eq!(stdout(&e), want, "{name} evaluator");

        let mut args: Vec<String> = vec!["local".into(), (*name).into(), "--json".into()];
        args.extend(MAL.iter().map(|s| s.to_string()));
        for i in &g_in {
            args.extend(["--garbler-input".into(), i.clone()]);
        }
        for i in &e_in {
            args.extend(["--evaluator-input".into(), i.clone()]);
        }
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert!(o.status.success(), "{name} local: {}", stderr(&o));
        let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(j["outputs"], serde_json::json!(outs), "{name} local");
        assert_eq!(j["stats"]["security"], "malicious");
        for phase in ["preprocessing", "online"] {
            for k in ["bytes_sent", "bytes_received", "seconds"] {
                assert!(j["stats"][phase][k].is_number(), "{name}: {phase}.{k}");
            }
        }
    }
}

#[test]
fn security_mismatch_is_refused_on_both_sides() {
    for (g_extra, e_extra) in [(MAL, &[][..]), (&[][..], MAL)] {
        let (g, e) = pair(
            "adder64",
            &["0=0x1".into()],
            &["1=0x2".into()],
            g_extra,
            e_extra,
        );
        for (who, o) in [("garbler", &g), ("evaluator", &e)] {
            assert_eq!(o.status.code(), Some(1), "{who}: {}", stderr(o));
            assert!(
                stderr(o).contains("security mismatch"),
                "{who}: {}",
                stderr(o)
            );
            assert!(stdout(o).is_empty(), "{who} printed an output");
        }
    }
}

#[test]
fn unsupported_options_are_usage_errors() {
    for extra in [
        &["--reveal", "garbler"][..],
        &["--scheme", "three-halves"],
        &["--stream"],
    ] {
        let o = Command::new(BIN)
            .args([
                "local",
                "adder64",
                "--garbler-input",
                "0=0x1",
                "--evaluator-input",
                "1=0x2",
            ])
            .args(MAL)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("not supported with --security malicious"),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn speed_2pc_measures_both_levels_in_one_run() {
    let o = Command::new(BIN)
        .args(["speed", "2pc", "--count", "1024", "--json"])
        .args(MAL)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = stdout(&o)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    for n in [
        "2pc-aes_128-first",
        "2pc-aes_128-first-malicious",
        "2pc-layered-malicious",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} missing from {names:?}");
    }
    let o = Command::new(BIN)
        .args(["speed", "garble"])
        .args(MAL)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
