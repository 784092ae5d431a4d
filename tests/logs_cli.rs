//! Logs: protocol phases at `-v` (info), table frames at `-vv` (debug), every frame at
//! `-vvv` (trace); never a secret; nothing but warnings without `-v`.

use std::process::{Command, Output};

const KEY: &str = "000102030405060708090a0b0c0d0e0f";
const PT: &str = "00112233445566778899aabbccddeeff";

fn local(verbosity: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gc-run"));
    c.env_remove("RUST_LOG");
    if let Some(v) = verbosity {
        c.arg(v);
    }
    c.args([
        "local",
        "aes_128",
        "--garbler-input",
        &format!("0={KEY}"),
        "--evaluator-input",
        &format!("1={PT}"),
    ]);
    c.output().expect("run gc-run")
}

#[test]
fn phases_at_v_frames_at_vv_and_vvv_no_secrets() {
    let quiet = local(None);
    assert!(quiet.status.success());
    assert!(quiet.stderr.is_empty());
    let levels = [
        (
            "-v",
            vec![
                "OT extension",
                "garbled tables sent",
                "garbled tables evaluated",
                "outputs",
            ],
        ),
        (
            "-vv",
            vec!["garbled-table frame sent", "garbled-table frame received"],
        ),
        ("-vvv", vec!["frame sent", "frame received"]),
    ];
    let mut lines = 0;
    for (v, needles) in levels {
        let o = local(Some(v));
        assert!(o.status.success(), "{v}");
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        for n in needles {
            assert!(err.contains(n), "{v}: `{n}` missing in:\n{err}");
        }
        // the inputs (the key above all) and the output never reach the log
        for secret in [KEY, PT, "69c4e0d86a7b0430d8cdb78070b4c55a"] {
            assert!(!err.contains(secret), "{v}: a value in the log");
        }
        let n = err.lines().count();
        assert!(
            n > lines,
            "{v} logs more than the level below ({n} vs {lines})"
        );
        lines = n;
    }
}

/// The OT set-up, the hybrid plan and PSI's phases log at `-v` too.
#[test]
fn ot_hybrid_and_psi_phases_at_v() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/hybrid/tests/data/arith/millionaires"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_gc-run"))
        .env_remove("RUST_LOG")
        .args(["-v", "arith", "local", dir])
        .args([
            "--garbler-input",
            "0.alice=17",
            "--evaluator-input",
            "0.bob=5",
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    for n in [
        "COT sender set up",
        "COT receiver set up",
        "hybrid: negotiated and planned",
    ] {
        assert!(err.contains(n), "`{n}` missing in:\n{err}");
    }
    let d = std::env::temp_dir().join(format!("duet-logs-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    let (a, b) = (d.join("a.txt"), d.join("b.txt"));
    std::fs::write(&a, "x\ny\n").unwrap();
    std::fs::write(&b, "y\nz\n").unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_gc-run"))
        .env_remove("RUST_LOG")
        .args(["-v", "psi", "local", "--protocol", "rr22", "--ot", "iknp"])
        .arg("--sender-input")
        .arg(&a)
        .arg("--receiver-input")
        .arg(&b)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("PSI phase done") && err.contains("vole"),
        "{err}"
    );
    assert!(
        !err.contains("x\n") && !err.contains("\"y\""),
        "an item in the log: {err}"
    );
    let _ = std::fs::remove_dir_all(&d);
}
