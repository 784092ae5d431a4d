//! `gc-run arith`: the corpus through the binary (local), a networked run over TCP on
//! 127.0.0.1, settings files, `--json`, and usage errors (exit 2).

use std::path::PathBuf;
use std::process::{Command, Output};

mod common;
use common::spawn_listener;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gc-run"))
}

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("hybrid/tests/data/arith")
}

fn arith(args: &[&str]) -> Output {
    bin().arg("arith").args(args).output().unwrap()
}

struct Vector {
    inputs: Vec<(String, String)>,
    outputs: Option<Vec<(String, String)>>,
}

fn vectors(dir: &std::path::Path) -> Vec<Vector> {
    let text = std::fs::read_to_string(dir.join("vectors.jsonl")).unwrap();
    let pairs = |v: &serde_json::Value| -> Vec<(String, String)> {
        let mut p: Vec<_> = v
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        p.sort();
        p
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Vector {
                inputs: pairs(&v["inputs"]),
                outputs: v.get("outputs").map(pairs),
            }
        })
        .collect()
}

fn expected_lines(outs: &[(String, String)]) -> String {
    outs.iter().map(|(n, v)| format!("{n}={v}\n")).collect()
}

#[test]
fn corpus_first_vectors_local() {
    let mut dirs: Vec<_> = std::fs::read_dir(corpus())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    assert!(
        !dirs.is_empty(),
        "no corpus circuits under {}",
        corpus().display()
    );
    // the first vector under every plan, the second under the planner's choice
    let runs = [(0, "auto"), (0, "shares"), (0, "garbled"), (1, "auto")];
    for dir in dirs {
        let vecs = vectors(&dir);
        for &(k, plan) in &runs {
            let Some(v) = vecs.get(k) else { continue };
            let mut args: Vec<String> = vec![
                "local".into(),
                dir.to_string_lossy().into_owned(),
                "--plan".into(),
                plan.into(),
            ];
            for (i, (n, val)) in v.inputs.iter().enumerate() {
                let flag = if (i + k) % 2 == 0 {
                    "--garbler-input"
                } else {
                    "--evaluator-input"
                };
                args.push(flag.into());
                args.push(format!("{n}={val}"));
            }
            let argv: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = arith(&argv);
            let err = String::from_utf8_lossy(&out.stderr);
            match &v.outputs {
                Some(o) => {
                    assert_eq!(
                        out.status.code(),
                        Some(0),
                        "{} {plan}: {err}",
                        dir.display()
                    );
                    assert_eq!(
                        String::from_utf8_lossy(&out.stdout),
                        expected_lines(o),
                        "{} {plan}",
                        dir.display()
                    );
                }
                None => {
                    assert_eq!(out.status.code(), Some(2), "{}: {err}", dir.display());
                    assert!(err.contains("malformed"), "{err}");
                }
            }
        }
    }
}

#[test]
fn json_output_has_stats() {
    let dir = corpus().join("millionaires");
    let d = dir.to_str().unwrap();
    let out = arith(&[
        "local",
        d,
        "--json",
        "--garbler-input",
        "0.alice=-17",
        "--evaluator-input",
        "0.bob=5",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outputs"]["0.richer"], "0");
    assert_eq!(v["outputs"]["0.verdict"], "2");
    for k in [
        "multiplications",
        "conversions",
        "and_gates",
        "bytes_sent",
        "bytes_received",
        "rounds",
        "seconds",
    ] {
        assert!(v["stats"].get(k).is_some(), "missing {k}");
    }
    assert!(v["stats"]["and_gates"].as_u64().unwrap() > 0);
}

#[test]
fn explain_prints_the_plan() {
    let dir = corpus().join("ml_ArgMax16");
    let d = dir.to_str().unwrap();
    let mut args: Vec<String> = vec!["local".into(), d.into(), "--explain".into()];
    for i in 0..16 {
        let flag = if i % 2 == 0 {
            "--garbler-input"
        } else {
            "--evaluator-input"
        };
        args.push(flag.into());
        args.push(format!("0.in[{i}]={}", (i * 7) % 11 - 5));
    }
    let mut slow = args.clone();
    slow.extend(["--plan-link".into(), "100mbit,80ms".into(), "--json".into()]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = arith(&argv);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with("plan auto for link 10gbit,100us"),
        "{text}"
    );
    assert!(text.contains("region 1: layers 1–1"), "{text}");
    assert!(text.contains("AGt×15"), "{text}");
    assert!(text.contains("estimate: "), "{text}");
    assert!(text.contains("3 rounds"), "{text}");
    assert!(text.ends_with("0.out=3\n"), "{text}");
    // --json carries the plan's estimate, here for the link named by --plan-link
    let argv: Vec<&str> = slow.iter().map(String::as_str).collect();
    let out = arith(&argv);
    let text = String::from_utf8_lossy(&out.stdout);
    let json = text.lines().last().unwrap();
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["stats"]["plan"]["link"], "100mbit,80ms");
    assert_eq!(v["stats"]["plan"]["estimated_rounds"], 3);
    assert_eq!(v["stats"]["rounds"], 3);
    assert_eq!(v["outputs"]["0.out"], "3");
    // a bad plan name is a usage error
    let out = arith(&["local", d, "--plan", "everything"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn ell_8_wraps() {
    let d = corpus().join("int_sum");
    let out = arith(&[
        "local",
        d.to_str().unwrap(),
        "--ell",
        "8",
        "--garbler-input",
        "0.a=100",
        "--evaluator-input",
        "0.b=100",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0.out=-56\n");
}

#[test]
fn usage_errors_exit_2() {
    let d = corpus().join("millionaires");
    let d = d.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "local",
                d,
                "--garbler-input",
                "0.carol=1",
                "--evaluator-input",
                "0.bob=5",
            ],
            "0.carol",
        ),
        (&["local", d, "--garbler-input", "0.alice=1"], "0.bob"),
        (
            &[
                "local",
                d,
                "--garbler-input",
                "0.alice=1",
                "--evaluator-input",
                "0.alice=2",
                "--evaluator-input",
                "0.bob=5",
            ],
            "both",
        ),
        (
            &[
                "local",
                d,
                "--garbler-input",
                "0.alice=x",
                "--evaluator-input",
                "0.bob=5",
            ],
            "0.alice",
        ),
        (
            &[
                "local",
                d,
                "--ell",
                "12",
                "--garbler-input",
                "0.alice=1",
                "--evaluator-input",
                "0.bob=5",
            ],
            "ell",
        ),
        (
            &["local", "/nonexistent/dir", "--garbler-input", "0.alice=1"],
            "cannot read",
        ),
        (
            &[
                "local",
                d,
                "--garbler-input",
                "0.alice",
                "--evaluator-input",
                "0.bob=5",
            ],
            "NAME=INT",
        ),
    ];
    for (args, needle) in cases {
        let out = arith(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(needle),
            "{args:?}: `{err}` should mention {needle}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}

#[test]
fn settings_file_controls_ownership_and_outputs() {
    let d = corpus().join("millionaires");
    let tmp = std::env::temp_dir().join(format!("duet-arith-settings-{}.json", std::process::id()));
    std::fs::write(
        &tmp,
        r#"[{"name": "alice", "inputs": ["alice"], "outputs": ["richer"]},
            {"name": "bob", "inputs": ["bob"], "outputs": ["richer", "verdict"]}]"#,
    )
    .unwrap();
    let (d, s) = (d.to_str().unwrap(), tmp.to_str().unwrap());
    let out = arith(&[
        "local",
        d,
        "--settings",
        s,
        "--garbler-input",
        "0.alice=3",
        "--evaluator-input",
        "0.bob=9",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "0.richer=0\n0.verdict=2\n"
    );
    // the settings give alice to the garbler
    let out = arith(&[
        "local",
        d,
        "--settings",
        s,
        "--garbler-input",
        "0.bob=3",
        "--evaluator-input",
        "0.alice=9",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_file(&tmp);
}

/// Start the garbler on an ephemeral port; returns it and the address it listens on.
fn spawn_garbler(args: &[&str]) -> (common::Proc, String) {
    spawn_listener(bin().arg("arith").arg("garbler").args(args).args([
        "--connect-timeout",
        "20",
        "--timeout",
        "20",
    ]))
}

#[test]
fn networked_run_over_tcp() {
    let d = corpus().join("op_compare");
    let d = d.to_str().unwrap();
    let v = &vectors(&corpus().join("op_compare"))[3];
    let x = format!("0.x={}", v.inputs[0].1);
    let y = format!("0.y={}", v.inputs[1].1);
    let (g, addr) = spawn_garbler(&[d, "--input", &x]);
    let e = bin()
        .args(["arith", "evaluator", d, "--input", &y, "--connect", &addr])
        .output()
        .unwrap();
    let g = g.wait_with_output();
    assert_eq!(
        e.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&e.stderr)
    );
    assert_eq!(g.status.code(), Some(0));
    let want = expected_lines(v.outputs.as_ref().unwrap());
    assert_eq!(String::from_utf8_lossy(&e.stdout), want);
    assert_eq!(String::from_utf8_lossy(&g.stdout), want);
}

#[test]
fn networked_plans_over_tcp() {
    let dir = corpus().join("ml_MaxPooling2D");
    let d = dir.to_str().unwrap();
    let v = &vectors(&dir)[1];
    let want = expected_lines(v.outputs.as_ref().unwrap());
    let mine = |parity: usize| -> Vec<String> {
        v.inputs
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .flat_map(|(_, (n, x))| ["--input".to_string(), format!("{n}={x}")])
            .collect()
    };
    let (gi, ei) = (mine(0), mine(1));
    for plan in ["garbled", "shares", "auto"] {
        let mut ga: Vec<&str> = vec![d, "--plan", plan];
        ga.extend(gi.iter().map(String::as_str));
        let (g, addr) = spawn_garbler(&ga);
        let e = bin()
            .args(["arith", "evaluator", d, "--plan", plan, "--connect", &addr])
            .args(&ei)
            .output()
            .unwrap();
        let g = g.wait_with_output();
        assert_eq!(
            e.status.code(),
            Some(0),
            "{plan}: {}",
            String::from_utf8_lossy(&e.stderr)
        );
        assert_eq!(g.status.code(), Some(0), "{plan}");
        assert_eq!(String::from_utf8_lossy(&e.stdout), want, "{plan}");
        assert_eq!(String::from_utf8_lossy(&g.stdout), want, "{plan}");
    }
    // the parties plan differently: refused on both sides
    let mut ga: Vec<&str> = vec![d, "--plan", "garbled"];
    ga.extend(gi.iter().map(String::as_str));
    let (g, addr) = spawn_garbler(&ga);
    let e = bin()
        .args(["arith", "evaluator", d, "--connect", &addr])
        .args(&ei)
        .output()
        .unwrap();
    let g = g.wait_with_output();
    assert_eq!(e.status.code(), Some(1));
    assert_eq!(g.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&e.stderr).contains("plan strategy mismatch"),
        "{}",
        String::from_utf8_lossy(&e.stderr)
    );
}

#[test]
fn networked_mismatches_fail_cleanly() {
    let dir = corpus();
    let (a, b) = (dir.join("op_compare"), dir.join("millionaires"));
    // different circuits: exit 1 on both sides
    let (g, addr) = spawn_garbler(&[a.to_str().unwrap(), "--input", "0.x=1"]);
    let e = bin()
        .args([
            "arith",
            "evaluator",
            b.to_str().unwrap(),
            "--input",
            "0.bob=1",
            "--connect",
            &addr,
        ])
        .output()
        .unwrap();
    let g = g.wait_with_output();
    assert_eq!(
        e.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&e.stderr)
    );
    assert_eq!(g.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&e.stderr).contains("circuit mismatch"));
    // both give 0.x: exit 2 (a usage problem found in the handshake)
    let (g, addr) = spawn_garbler(&[a.to_str().unwrap(), "--input", "0.x=1"]);
    let e = bin()
        .args([
            "arith",
            "evaluator",
            a.to_str().unwrap(),
            "--input",
            "0.x=1",
            "--connect",
            &addr,
        ])
        .output()
        .unwrap();
    let g = g.wait_with_output();
    assert_eq!(
        e.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&e.stderr)
    );
    assert_eq!(g.status.code(), Some(2));
}
