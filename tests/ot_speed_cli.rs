//! `gc-run speed ot`: in-process and over TCP on 127.0.0.1, JSON lines as DESIGN.md says.

use std::process::Command;

mod common;
use common::spawn_listener;

fn gc_run() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gc-run"))
}

fn check_json(stdout: &str, prefix: &str, count: u64) {
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(rows.len(), 4, "{stdout}");
    assert_eq!(rows[0]["name"], "base-ot");
    assert_eq!(rows[1]["name"], format!("{prefix}-rcot"));
    assert_eq!(rows[1]["items"], count);
    assert_eq!(rows[1]["unit"], "COT");
    for r in &rows {
        for k in ["seconds", "per_second", "bytes_per_item"] {
            assert!(r[k].as_f64().is_some_and(|x| x > 0.0), "{k} in {r}");
        }
    }
    // ≈ 16 bytes per COT (plus framing and, for KOS, the check's extra OTs).
    let b = rows[1]["bytes_per_item"].as_f64().unwrap();
    assert!((16.0..17.0).contains(&b), "bytes per COT {b}");
}

#[test]
fn speed_ot_local_json() {
    for (flag, prefix) in [(None, "iknp"), (Some("--malicious"), "kos")] {
        let mut c = gc_run();
        c.args(["speed", "ot", "--count", "65536", "--json"]);
        if let Some(f) = flag {
            c.arg(f);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        check_json(&String::from_utf8(out.stdout).unwrap(), prefix, 65536);
    }
}

#[test]
fn speed_ot_over_tcp() {
    let args = [
        "speed",
        "ot",
        "--count",
        "30000",
        "--json",
        "--timeout",
        "20",
    ];
    let (listener, addr) = spawn_listener(gc_run().args(args));
    let conn = gc_run()
        .args(args)
        .args(["--connect", &addr])
        .output()
        .unwrap();
    let lst = listener.wait_with_output();
    assert!(
        conn.status.success(),
        "{}",
        String::from_utf8_lossy(&conn.stderr)
    );
    assert!(
        lst.status.success(),
        "{}",
        String::from_utf8_lossy(&lst.stderr)
    );
    let rows = String::from_utf8(conn.stdout).unwrap();
    assert_eq!(rows.lines().count(), 4);
    // The receiver (connect side) sends u: ≈ 16 bytes per COT.
    check_json(&rows, "iknp", 30000);
}

#[test]
fn speed_bad_usage_exits_2() {
    let out = gc_run()
        .args(["speed", "ot", "--count", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = gc_run().args(["speed", "nonsense"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // options of the networked OT measurement are refused, not ignored, elsewhere
    for (target, flag) in [
        ("garble", "--malicious"),
        ("evaluate", "--insecure"),
        ("2pc", "--connect=127.0.0.1:1"),
        ("2pc", "--listen=127.0.0.1:0"),
    ] {
        let out = gc_run().args(["speed", target, flag]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{target} {flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        let name = flag.split('=').next().unwrap();
        assert!(
            err.contains(&format!("{name} applies to `gc-run speed ot` only")),
            "{err}"
        );
    }
}

/// `speed ot --ot ferret`: a set-up row and a random-COT row per security level, each well
/// under a bit per COT once the session is set up (the set-up's base OT and bootstrap are
/// their own row); `--ot ferret` elsewhere is refused.
#[test]
fn speed_ot_ferret_json() {
    for (flag, name) in [
        (None, "ferret-rcot"),
        (Some("--malicious"), "ferret-rcot-malicious"),
    ] {
        let mut c = gc_run();
        c.args([
            "speed", "ot", "--ot", "ferret", "--count", "300000", "--json",
        ]);
        if let Some(f) = flag {
            c.arg(f);
        }
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect();
        assert_eq!(rows.len(), 2, "{rows:?}");
        assert!(
            rows[0]["name"]
                .as_str()
                .unwrap()
                .starts_with("ferret-setup")
        );
        assert_eq!(rows[1]["name"], name);
        assert_eq!(rows[1]["items"], 300000);
        let b = rows[1]["bytes_per_item"].as_f64().unwrap();
        // the first 3·10^5 COTs carry the first main iteration's tree corrections (about
        // 0.3 MB, for 10^7 COTs): about one byte per COT here, 0.04 at 2^24; IKNP's 16
        assert!(b > 0.0 && b < 2.0, "{name}: {b} bytes per COT");
    }
    let out = gc_run()
        .args(["speed", "garble", "--ot", "ferret"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
