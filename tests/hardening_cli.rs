//! The faults found by probing, as a user meets them: files that declare huge counts are
//! refused fast in little memory, a dripping peer is cut off, a whole-run --deadline, a
//! tampered saved program, and one clean line per error.

mod common;

use common::{GC_RUN, spawn_listener};
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Run gc-run with `args`, killed after `limit`; on Linux under a 256 MiB address-space
/// limit (`ulimit -v`), so that a gigabyte allocation fails instead of passing.
fn run_limited(args: &[&str], limit: Duration) -> (Output, Duration) {
    let mut cmd = if cfg!(target_os = "linux") {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg("ulimit -v 262144 && exec \"$0\" \"$@\"")
            .arg(GC_RUN)
            .args(args);
        c
    } else {
        let mut c = Command::new(GC_RUN);
        c.args(args);
        c
    };
    let t = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    while child.try_wait().unwrap().is_none() {
        if t.elapsed() > limit {
            let _ = child.kill();
            panic!("gc-run {args:?} still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    (child.wait_with_output().unwrap(), t.elapsed())
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One line on stderr, no colour codes, no panic.
fn one_clean_line(o: &Output) -> String {
    let e = stderr(o);
    assert_eq!(e.lines().count(), 1, "one line expected: {e}");
    assert!(!e.contains('\x1b'), "colour codes on a pipe: {e:?}");
    assert!(!e.contains("panicked"), "{e}");
    e
}

#[test]
fn tiny_files_declaring_huge_counts_are_refused_fast_in_little_memory() {
    let dir = tempfile_dir();
    let cases = [
        (
            "1 536870911\n1 536870910\n1 1\n\n1 1 0 536870910 INV\n",
            "too wide",
        ),
        ("0 536870910\n1 536870910\n1 536870910\n\n", "too wide"),
        (
            "1 536870911\n1 1000\n1 1\n\n1 1 0 536870910 INV\n",
            "far beyond the gates",
        ),
        (
            "1 536870911\n1 1\n1 536870910\n\n1 1 0 536870910 INV\n",
            "too wide",
        ),
    ];
    for (i, (text, why)) in cases.iter().enumerate() {
        let path = dir.join(format!("wide{i}.txt"));
        std::fs::write(&path, text).unwrap();
        let p = path.to_str().unwrap();
        for args in [
            vec!["info", p],
            vec!["eval", p, "--input", "0"],
            vec!["local", p, "--garbler-input", "0=0x1"],
        ] {
            let (o, took) = run_limited(&args, Duration::from_secs(10));
            let e = one_clean_line(&o);
            assert!(matches!(o.status.code(), Some(0 | 2)), "{args:?}: {e}");
            assert!(e.contains(why), "{args:?}: {e}");
            assert!(took < Duration::from_secs(10));
        }
    }
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("duet-harden-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A peer that sends one byte every 2 s is cut off within about --timeout (3 s), not kept
/// alive forever; the error is one clean line.
#[test]
fn dripping_peer_is_cut_off_within_the_timeout() {
    let (p, addr) = spawn_listener(Command::new(GC_RUN).args([
        "evaluator",
        "adder64",
        "--input",
        "1=0x1",
        "--timeout",
        "3",
        "--connect-timeout",
        "20",
    ]));
    let mut s = std::net::TcpStream::connect(&addr).unwrap();
    s.write_all(b"duet-pl1").unwrap();
    let t = Instant::now();
    let dripper = std::thread::spawn(move || {
        for _ in 0..15 {
            if s.write_all(&[0x10]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(2));
        }
    });
    let o = p.wait_with_output();
    let took = t.elapsed();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(took < Duration::from_secs(15), "{took:?}");
    let e = stderr(&o);
    assert!(e.contains("timed out"), "{e}");
    let _ = dripper.join();
}

/// --deadline bounds the whole run; a listener nobody connects to says so.
#[test]
fn deadline_and_nobody_connected() {
    let t = Instant::now();
    let o = Command::new(GC_RUN)
        .args([
            "evaluator",
            "adder64",
            "--input",
            "1=0x1",
            "--listen",
            "127.0.0.1:0",
            "--deadline",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(t.elapsed() < Duration::from_secs(8));
    assert!(stderr(&o).contains("--deadline 2 s"), "{}", stderr(&o));
    let o = Command::new(GC_RUN)
        .args([
            "evaluator",
            "adder64",
            "--input",
            "1=0x1",
            "--listen",
            "127.0.0.1:0",
            "--connect-timeout",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("nobody connected within 1 s"), "{e}");
    assert!(!e.contains("sent nothing"), "{e}");
}

/// A saved program whose ops were edited and checksum refreshed is refused (exit 2) with a
/// clear error, by every command that takes it.
#[test]
fn tampered_saved_program_is_refused() {
    let dir = tempfile_dir();
    let prog = dir.join("adder.duet");
    let ps = prog.to_str().unwrap();
    let o = Command::new(GC_RUN)
        .args([
            "compile",
            concat!(env!("CARGO_MANIFEST_DIR"), "/circuits/bristol/adder64.txt"),
            "--out",
            ps,
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let mut b = std::fs::read(&prog).unwrap();
    let n = b.len();
    let (last, prev) = (n - 64 - 12, n - 64 - 24);
    let op = b[last..last + 12].to_vec();
    b.copy_within(prev..prev + 12, last);
    b[prev..prev + 12].copy_from_slice(&op);
    let sum = blake3::hash(&b[..n - 32]);
    b[n - 32..].copy_from_slice(sum.as_bytes());
    std::fs::write(&prog, &b).unwrap();
    for args in [
        vec!["info", ps],
        vec!["eval", ps, "--input", "1", "--input", "2"],
        vec![
            "local",
            ps,
            "--garbler-input",
            "0=0x1",
            "--evaluator-input",
            "1=0x2",
        ],
    ] {
        let o = Command::new(GC_RUN).args(&args).output().unwrap();
        let e = one_clean_line(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(e.contains("does not match its ops"), "{args:?}: {e}");
    }
}
