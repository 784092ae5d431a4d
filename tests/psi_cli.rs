//! `gc-run psi` end to end: files, local mode, two processes over TCP, bad input, wrong
//! roles, a vanishing peer.

use std::io::Write;
use std::process::{Command, Output};

mod common;
use common::spawn_listener;

fn gc_run() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gc-run"))
}

fn tmp_file(name: &str, content: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("duet-psi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::File::create(&p)
        .unwrap()
        .write_all(content)
        .unwrap();
    p
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn local_mode_prints_intersection_in_receiver_order() {
    let long = "L".repeat(100_000);
    let mut s_content = format!("kiwi\nÄpfel\nbanana\ngrape\n{long}\n").into_bytes();
    s_content.push(0xff);
    let s = tmp_file("s1", &s_content);
    let mut r_content =
        format!("apple\r\nbanana\n{long}\nkiwi\nbanana\n\nÄpfel\nApfel\n").into_bytes();
    r_content.extend_from_slice(b"\xff\n");
    let r = tmp_file("r1", &r_content);
    let o = gc_run()
        .args(["psi", "local", "--sender-set"])
        .arg(&s)
        .arg("--receiver-set")
        .arg(&r)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let mut want = format!("banana\n{long}\nkiwi\nÄpfel\n").into_bytes();
    want.extend_from_slice(b"\xff\n");
    assert_eq!(o.stdout, want);
    let o = gc_run()
        .args(["psi", "local", "--json", "--sender-set"])
        .arg(&s)
        .arg("--receiver-set")
        .arg(&r)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outputs"]["count"], 5);
    assert_eq!(v["outputs"]["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(v["stats"]["receiver_size"], 7);
    assert!(
        v["stats"]["bytes_sent"].as_u64().unwrap() > 8000
            && v["stats"]["seconds"].as_f64().is_some()
    );
    // Empty files.
    let e = tmp_file("empty", b"");
    let o = gc_run()
        .args(["psi", "local", "--sender-set"])
        .arg(&e)
        .arg("--receiver-set")
        .arg(&r)
        .output()
        .unwrap();
    assert!(o.status.success() && o.stdout.is_empty(), "{}", stderr(&o));
    let o = gc_run()
        .args(["psi", "local", "--sender-set"])
        .arg(&s)
        .arg("--receiver-set")
        .arg(&e)
        .output()
        .unwrap();
    assert!(o.status.success() && o.stdout.is_empty(), "{}", stderr(&o));
}

#[test]
fn unreadable_file_is_exit_2() {
    let r = tmp_file("r2", b"a\n");
    let o = gc_run()
        .args([
            "psi",
            "local",
            "--sender-set",
            "/nonexistent/duet/file",
            "--receiver-set",
        ])
        .arg(&r)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read --sender-input"));
    let o = gc_run()
        .args([
            "psi",
            "sender",
            "--set",
            "/nonexistent/duet/file",
            "--connect",
            "127.0.0.1:9",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn two_processes_over_tcp_and_wrong_roles() {
    let s = tmp_file("s3", b"one\ntwo\nthree\nfour\n");
    let r = tmp_file("r3", b"four\nfive\ntwo\n");
    let (recv, addr) = spawn_listener(gc_run().args(["psi", "receiver", "--set"]).arg(&r));
    let snd = gc_run()
        .args(["psi", "sender", "--connect", &addr, "--set"])
        .arg(&s)
        .output()
        .unwrap();
    let ro = recv.wait_with_output();
    assert!(snd.status.success(), "{}", stderr(&snd));
    assert!(ro.status.success(), "{}", stderr(&ro));
    assert_eq!(String::from_utf8_lossy(&ro.stdout), "four\ntwo\n");
    // Two senders: both fail with a clear message.
    let (a, addr) = spawn_listener(gc_run().args(["psi", "sender", "--set"]).arg(&s));
    let b = gc_run()
        .args(["psi", "sender", "--connect", &addr, "--set"])
        .arg(&r)
        .output()
        .unwrap();
    let a = a.wait_with_output();
    for o in [&a, &b] {
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(o).contains("both parties are the sender"),
            "{}",
            stderr(o)
        );
    }
}

#[test]
fn vanishing_peer_is_a_clear_error() {
    let r = tmp_file("r4", b"x\ny\n");
    let (recv, addr) = spawn_listener(
        gc_run()
            .args(["psi", "receiver", "--timeout", "5", "--set"])
            .arg(&r),
    );
    // Connect (it printed the address once bound), say nothing useful, hang up.
    let start = std::time::Instant::now();
    let mut conn = std::net::TcpStream::connect(&addr).unwrap();
    conn.write_all(&[3, 0, 0, 0, b'a', b'b']).unwrap();
    drop(conn);
    let o = recv.wait_with_output();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).matches("gc-run: error:").count(),
        1,
        "{}",
        stderr(&o)
    );
    assert!(start.elapsed().as_secs() < 10);
}

#[test]
fn rr22_and_cardinality_from_the_cli() {
    let s = tmp_file("s5", "kiwi\nÄpfel\nbanana\n\ngrape\nfig\n".as_bytes());
    let r = tmp_file(
        "r5",
        "apple\nbanana\nkiwi\nbanana\nÄpfel\nplum\n".as_bytes(),
    );
    for extra in [
        &["--protocol", "kkrt16"][..],
        &["--protocol", "rr22"],
        &["--protocol", "rr22", "--ot", "iknp"],
    ] {
        let o = gc_run()
            .args(["psi", "local", "--sender-set"])
            .arg(&s)
            .arg("--receiver-set")
            .arg(&r)
            .args(extra)
            .output()
            .unwrap();
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        assert_eq!(
            String::from_utf8_lossy(&o.stdout),
            "banana\nkiwi\nÄpfel\n",
            "{extra:?}"
        );
    }
    let o = gc_run()
        .args([
            "psi",
            "local",
            "--protocol",
            "rr22",
            "--json",
            "--sender-set",
        ])
        .arg(&s)
        .arg("--receiver-set")
        .arg(&r)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["stats"]["protocol"], "rr22");
    assert_eq!(v["stats"]["ot"], "ferret");
    assert_eq!(v["outputs"]["count"], 3);
    assert_eq!(
        v["outputs"]["items"],
        serde_json::json!(["banana", "kiwi", "Äpfel"])
    );
    assert!(v["stats"]["psi_phases"]["vole"].as_f64().is_some(), "{v}");
    assert!(v["stats"]["phases"]["ot"].as_f64().unwrap() > 0.0, "{v}");
    let o = gc_run()
        .args([
            "psi",
            "local",
            "--cardinality",
            "--ot",
            "iknp",
            "--sender-set",
        ])
        .arg(&s)
        .arg("--receiver-set")
        .arg(&r)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "3\n");
    let o = gc_run()
        .args([
            "psi",
            "local",
            "--cardinality",
            "--protocol",
            "kkrt16",
            "--sender-set",
        ])
        .arg(&s)
        .arg("--receiver-set")
        .arg(&r)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Two processes: cardinality works; different protocols are refused on both sides.
    let (recv, addr) = spawn_listener(
        gc_run()
            .args(["psi", "receiver", "--cardinality", "--ot", "iknp", "--set"])
            .arg(&r),
    );
    let snd = gc_run()
        .args([
            "psi",
            "sender",
            "--cardinality",
            "--ot",
            "iknp",
            "--connect",
            &addr,
            "--set",
        ])
        .arg(&s)
        .output()
        .unwrap();
    let ro = recv.wait_with_output();
    assert!(
        snd.status.success() && ro.status.success(),
        "{}",
        stderr(&ro)
    );
    assert_eq!(String::from_utf8_lossy(&ro.stdout), "3\n");
    let (recv, addr) = spawn_listener(
        gc_run()
            .args(["psi", "receiver", "--protocol", "rr22", "--set"])
            .arg(&r),
    );
    let snd = gc_run()
        .args(["psi", "sender", "--connect", &addr, "--set"])
        .arg(&s)
        .output()
        .unwrap();
    let ro = recv.wait_with_output();
    for o in [&snd, &ro] {
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(o).contains("PSI protocol"), "{}", stderr(o));
    }
}
