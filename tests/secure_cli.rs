//! `gc-run` and the secure channel: keygen/pubkey, the address policy (exit 2 before any
//! traffic), and garbler/evaluator runs of aes_128 over the encrypted channel on 127.0.0.1
//! (FIPS-197 answer), with wrong / missing / third-party keys failing on both sides.
//! Never any traffic to a non-loopback address: those runs must stop at argument checking.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod common;
use common::GC_RUN;

const KEY: &str = "000102030405060708090a0b0c0d0e0f";
const PLAIN: &str = "00112233445566778899aabbccddeeff";
const FIPS197: &str = "69c4e0d86a7b0430d8cdb78070b4c55a";

/// A scratch directory removed on drop (the root package has no temp-dir crate).
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let p = std::env::temp_dir().join(format!("duet-secure-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn gc_run(args: &[&str]) -> Output {
    Command::new(GC_RUN).args(args).output().unwrap()
}

fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let out = gc_run(&["keygen", "--out", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let pk = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(pk.starts_with("duet-pk:") && pk.len() == 72, "{pk}");
    (path, pk)
}

#[test]
fn keygen_and_pubkey() {
    let dir = TempDir::new("keygen");
    let (path, pk) = keygen(dir.path(), "a.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = gc_run(&["pubkey", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), pk);
    // Never overwrite a key; bad files are usage errors (exit 2), one line on stderr.
    let again = gc_run(&["keygen", "--out", path.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    std::fs::write(dir.path().join("junk"), "hello\n").unwrap();
    let bad = gc_run(&["pubkey", dir.path().join("junk").to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    let missing = gc_run(&["pubkey", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(2));
}

/// Non-loopback without keys, half a key pair, keys plus --insecure, bad key material:
/// exit 2 with a reason, and no network traffic (the checks run before anything else; a
/// non-routable test address would otherwise hang on connect for --connect-timeout).
#[test]
fn address_policy_is_checked_before_any_traffic() {
    let dir = TempDir::new("policy");
    let (key, pk) = keygen(dir.path(), "me.key");
    let (other_key, other) = keygen(dir.path(), "other.key");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "garbler",
                "aes_128",
                "--listen",
                "10.1.2.3:7000",
                "--input",
                "0=0x00",
            ],
            "--insecure",
        ),
        (
            vec![
                "evaluator",
                "aes_128",
                "--connect",
                "10.1.2.3:7000",
                "--input",
                "1=0x00",
            ],
            "--key",
        ),
        (
            vec!["evaluator", "aes_128", "--connect", "example.invalid:7000"],
            "without encryption",
        ),
        (
            vec!["garbler", "aes_128", "--listen", "0.0.0.0:7000"],
            "without encryption",
        ),
        (
            vec![
                "garbler",
                "aes_128",
                "--listen",
                "10.1.2.3:7000",
                "--key",
                key.to_str().unwrap(),
            ],
            "peer-key",
        ),
        (
            vec![
                "garbler",
                "aes_128",
                "--listen",
                "10.1.2.3:7000",
                "--peer-key",
                &other,
            ],
            "key",
        ),
        (
            vec![
                "garbler",
                "aes_128",
                "--listen",
                "10.1.2.3:7000",
                "--insecure",
                "--key",
                key.to_str().unwrap(),
                "--peer-key",
                &other,
            ],
            "cannot be used with",
        ),
        (
            vec![
                "garbler",
                "aes_128",
                "--connect",
                "10.1.2.3:7000",
                "--key",
                "/nonexistent/k",
                "--peer-key",
                &other,
            ],
            "--key",
        ),
        (
            vec![
                "garbler",
                "aes_128",
                "--connect",
                "10.1.2.3:7000",
                "--key",
                key.to_str().unwrap(),
                "--peer-key",
                "duet-pk:1234",
            ],
            "--peer-key",
        ),
        (
            vec![
                "garbler",
                "aes_128",
                "--connect",
                "10.1.2.3:7000",
                "--key",
                key.to_str().unwrap(),
                "--peer-key",
                &pk,
            ],
            "own public key",
        ),
        // a key-pair file where the peer's public key belongs
        (
            vec![
                "garbler",
                "aes_128",
                "--connect",
                "10.1.2.3:7000",
                "--key",
                key.to_str().unwrap(),
                "--peer-key",
                other_key.to_str().unwrap(),
            ],
            "private key file",
        ),
        // a missing or bad port is named as such, not as an encryption problem
        (
            vec!["garbler", "aes_128", "--listen", "127.0.0.1"],
            "expected HOST:PORT",
        ),
        (
            vec!["evaluator", "aes_128", "--connect", "localhost:70000"],
            "`70000` is not a port number",
        ),
    ];
    for (args, needle) in cases {
        let t = Instant::now();
        let out = gc_run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "{args:?} took {:?}",
            t.elapsed()
        );
    }
}

/// Start a party that listens on 127.0.0.1:0; return it and the address it printed.
fn spawn_listener(args: &[&str]) -> (common::Proc, String) {
    common::spawn_listener(Command::new(GC_RUN).args(args).args([
        "--connect-timeout",
        "10",
        "--timeout",
        "10",
    ]))
}

/// (exit code, stdout, stderr) of the garbler (listening) and the evaluator.
type Party = (Option<i32>, String, String);

fn run_pair(garbler_keys: &[&str], evaluator_keys: &[&str]) -> (Party, Party) {
    let gi = format!("0={KEY}");
    let mut g = vec!["garbler", "aes_128", "--input", &gi];
    g.extend_from_slice(garbler_keys);
    let (child, addr) = spawn_listener(&g);
    let ei = format!("1={PLAIN}");
    let mut e = vec!["evaluator", "aes_128", "--input", &ei, "--connect", &addr];
    e.extend_from_slice(&["--connect-timeout", "10", "--timeout", "10"]);
    e.extend_from_slice(evaluator_keys);
    let eout = gc_run(&e);
    let gout = child.wait_with_output();
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    (
        (
            gout.status.code(),
            text(&gout.stdout),
            String::from_utf8_lossy(&gout.stderr).into_owned(),
        ),
        (eout.status.code(), text(&eout.stdout), text(&eout.stderr)),
    )
}

#[test]
fn aes_128_over_the_secure_channel_and_key_failures() {
    let dir = TempDir::new("aes");
    let (gk, gpk) = keygen(dir.path(), "garbler.key");
    let (ek, epk) = keygen(dir.path(), "evaluator.key");
    let (_tk, tpk) = keygen(dir.path(), "third.key");
    // The peer key may also be given as a file.
    let epk_file = dir.path().join("evaluator.pub");
    std::fs::write(&epk_file, format!("{epk}\n")).unwrap();
    let (gk, ek, epk_file) = (
        gk.to_str().unwrap(),
        ek.to_str().unwrap(),
        epk_file.to_str().unwrap(),
    );

    let (g, e) = run_pair(
        &["--key", gk, "--peer-key", epk_file],
        &["--key", ek, "--peer-key", &gpk],
    );
    assert_eq!(g.0, Some(0), "{g:?}");
    assert_eq!(e.0, Some(0), "{e:?}");
    assert_eq!(g.1, FIPS197);
    assert_eq!(e.1, FIPS197);
    assert!(
        !g.2.contains("warning") && !e.2.contains("warning"),
        "{g:?} {e:?}"
    );

    // The evaluator pinned a third party's key: the garbler presents an unexpected key.
    let (g, e) = run_pair(
        &["--key", gk, "--peer-key", &epk],
        &["--key", ek, "--peer-key", &tpk],
    );
    assert_eq!(e.0, Some(1), "{e:?}");
    assert!(e.2.contains("not the expected (pinned) key"), "{e:?}");
    assert_eq!(g.0, Some(1), "{g:?}");
    assert!(g.2.contains("rejected our key"), "{g:?}");
    assert!(g.1.is_empty() && e.1.is_empty());

    // The garbler expects a third party; the evaluator is rejected.
    let (g, e) = run_pair(
        &["--key", gk, "--peer-key", &tpk],
        &["--key", ek, "--peer-key", &gpk],
    );
    assert_eq!(g.0, Some(1), "{g:?}");
    assert!(g.2.contains("not the expected (pinned) key"), "{g:?}");
    assert_eq!(e.0, Some(1), "{e:?}");
    assert!(e.2.contains("rejected our key"), "{e:?}");

    // Missing keys on one side (loopback allows that, with a warning; the other side insists).
    let (g, e) = run_pair(&["--key", gk, "--peer-key", &epk], &[]);
    assert_eq!(g.0, Some(1), "{g:?}");
    assert_eq!(e.0, Some(1), "{e:?}");
    assert!(e.2.contains("warning: no --key/--peer-key"), "{e:?}");
    assert!(e.2.contains("has no keys"), "{e:?}");
    assert!(g.2.contains("without keys"), "{g:?}");
}
