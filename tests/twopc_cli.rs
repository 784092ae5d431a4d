//! `gc-run local | garbler | evaluator` as processes: the FIPS-197 AES run over TCP, the
//! whole shipped corpus over TCP and via `local`, `--json`, usage errors before connecting,
//! handshake mismatches on both sides, and a killed peer mid-stream.

use duet_circuits::{bristol, library};
use std::path::PathBuf;
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

mod common;
use common::{GC_RUN as BIN, spawn, spawn_listener};

const KEY: &str = "000102030405060708090a0b0c0d0e0f";
const PT: &str = "00112233445566778899aabbccddeeff";
const CT: &str = "69c4e0d86a7b0430d8cdb78070b4c55a";

/// Garbler listens on a fresh port, evaluator connects; both outputs.
fn pair(circuit: &str, g_in: &[String], e_in: &[String], extra: &[&str]) -> (Output, Output) {
    let mut ga = vec!["garbler", circuit, "--connect-timeout", "20"];
    for i in g_in {
        ga.extend(["--input", i]);
    }
    ga.extend(extra);
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
    ea.extend(extra);
    // both children's pipes are drained in threads: a child blocked on a full pipe never exits
    let e = spawn(Command::new(BIN).args(&ea));
    (g.wait_with_output(), e.wait_with_output())
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

#[test]
fn aes_fips197_over_tcp_both_print_the_ciphertext() {
    let (g, e) = pair("aes_128", &[format!("0={KEY}")], &[format!("1={PT}")], &[]);
    assert!(g.status.success(), "garbler: {}", stderr(&g));
    assert!(e.status.success(), "evaluator: {}", stderr(&e));
    assert_eq!(stdout(&g), CT);
    assert_eq!(stdout(&e), CT);
}

/// Every shipped circuit, first vector: over TCP (even inputs garbler, odd evaluator; a
/// single input belongs to the garbler) and through `local --json`, with both schemes.
#[test]
fn corpus_over_tcp_and_local() {
    corpus_over_tcp_and_local_with("half-gates", 32.0);
}

#[test]
fn corpus_over_tcp_and_local_three_halves() {
    corpus_over_tcp_and_local_with("three-halves", 24.625);
}

fn corpus_over_tcp_and_local_with(scheme: &str, table_bytes_per_and: f64) {
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
        let g_in: Vec<String> = ins
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(i, h)| format!("{i}={h}"))
            .collect();
        let e_in: Vec<String> = ins
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(i, h)| format!("{i}={h}"))
            .collect();
        let (g, e) = pair(name, &g_in, &e_in, &["--scheme", scheme]);
        assert!(g.status.success(), "{name} garbler: {}", stderr(&g));
        assert!(e.status.success(), "{name} evaluator: {}", stderr(&e));
        let want = outs.join("\n");
        assert_eq!(stdout(&g), want, "{name} garbler");
        assert_eq!(stdout(&e), want, "{name} evaluator");

        let mut args = vec![
            "local".to_string(),
            name.to_string(),
            "--json".into(),
            "--scheme".into(),
            scheme.into(),
        ];
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
        for k in [
            "and_gates",
            "xor_gates",
            "bytes_sent",
            "bytes_received",
            "seconds",
        ] {
            assert!(j["stats"][k].is_number(), "{name}: stats.{k} missing");
        }
        let c = library::load(name).unwrap();
        assert_eq!(j["stats"]["and_gates"], c.and_count());
        assert_eq!(j["stats"]["scheme"], scheme);
        let sent = j["stats"]["bytes_sent"].as_u64().unwrap() as f64;
        assert!(
            sent >= table_bytes_per_and * c.and_count() as f64,
            "{name}: {sent}"
        );
    }
}

#[test]
fn ownership_errors_exit_2_before_connecting() {
    let t = Instant::now();
    let both = Command::new(BIN)
        .args([
            "local",
            "adder64",
            "--garbler-input",
            "0=0x1",
            "--garbler-input",
            "1=0x2",
        ])
        .args(["--evaluator-input", "1=0x3"])
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(2), "{}", stderr(&both));
    assert!(stderr(&both).contains("input 1 is given to both parties"));
    let neither = Command::new(BIN)
        .args(["local", "adder64", "--garbler-input", "0=0x1"])
        .output()
        .unwrap();
    assert_eq!(neither.status.code(), Some(2));
    assert!(stderr(&neither).contains("input 1 is given to neither party"));
    // a networked party: bad index / given twice / bad hex, all before listening
    for bad in [
        vec!["--input", "5=00"],
        vec!["--input", "0=0x1", "--input", "0=0x2"],
        vec!["--input", "0=xyz"],
        vec!["--input", "nonsense"],
    ] {
        let o = Command::new(BIN)
            .args(["garbler", "adder64", "--listen", "127.0.0.1:0"])
            .args(&bad)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
        assert_eq!(stderr(&o).lines().count(), 1, "one line: {}", stderr(&o));
    }
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "must not wait for a peer"
    );
}

#[test]
fn different_circuits_fail_on_both_sides_naming_the_mismatch() {
    let (g, e) = pair("adder64", &["0=0x1".into()], &["1=0x2".into()], &[]);
    assert!(g.status.success() && e.status.success());
    let (g, addr) =
        spawn_listener(Command::new(BIN).args(["garbler", "adder64", "--input", "0=0x1"]));
    let e = spawn(Command::new(BIN).args([
        "evaluator",
        "sub64",
        "--connect",
        &addr,
        "--input",
        "1=0x2",
    ]));
    let (g, e) = (g.wait_with_output(), e.wait_with_output());
    for (who, o) in [("garbler", &g), ("evaluator", &e)] {
        assert_eq!(o.status.code(), Some(1), "{who}: {}", stderr(o));
        assert!(
            stderr(o).contains("circuit mismatch: garbler has"),
            "{who}: {}",
            stderr(o)
        );
    }
    // input claimed by both parties
    let (g, e) = pair("adder64", &["0=0x1".into()], &["0=0x2".into()], &[]);
    for o in [&g, &e] {
        assert!(!o.status.success());
        assert!(
            stderr(o).contains("input 0 claimed by both parties"),
            "{}",
            stderr(o)
        );
    }
}

/// A Bristol file of [`library::layered`] with `n_and` AND gates, large enough that the
/// tables (32 B per AND) cannot sit in socket buffers.
fn big_circuit_file(n_and: usize) -> PathBuf {
    let c = library::layered(n_and).unwrap();
    let path = std::env::temp_dir().join(format!("duet-twopc-big-{}.txt", std::process::id()));
    let f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    bristol::write(&c, f).unwrap();
    path
}

fn kill(child: &Child, sig: &str) {
    Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
}

fn wait_exit_within(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let t = Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(
            t.elapsed() < limit,
            "the surviving party did not exit in {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn killed_peer_mid_stream_makes_the_other_exit_nonzero() {
    let file = big_circuit_file(1 << 20); // 32 MiB of tables
    let path = file.to_str().unwrap().to_string();
    for kill_evaluator in [true, false] {
        let (mut g, addr) =
            spawn_listener(Command::new(BIN).args(["-vv", "garbler", &path, "--input", "0=0x1"]));
        let mut e = spawn(Command::new(BIN).args([
            "-vv",
            "evaluator",
            &path,
            "--connect",
            &addr,
            "--input",
            "1=0x2",
        ]));
        let log_wait = Duration::from_secs(30);
        g.wait_for_stderr_containing("hello done", log_wait);
        e.wait_for_stderr_containing("first garbled-table frame received", log_wait);
        // Freeze the evaluator mid-stream: the garbler soon blocks on full socket buffers.
        kill(e.child(), "-STOP");
        std::thread::sleep(Duration::from_millis(300));
        let (victim, survivor) = if kill_evaluator {
            (e.child(), g.child())
        } else {
            (g.child(), e.child())
        };
        kill(victim, "-KILL");
        let _ = victim.wait();
        if !kill_evaluator {
            kill(survivor, "-CONT");
        }
        let t = Instant::now();
        let status = wait_exit_within(survivor, Duration::from_secs(5));
        assert!(
            !status.success(),
            "the survivor must fail (kill_evaluator={kill_evaluator})"
        );
        assert_eq!(status.code(), Some(1));
        assert!(t.elapsed() < Duration::from_secs(5));
    }
    let _ = std::fs::remove_file(file);
}

/// Write `lines` to a fresh temporary file (removed by the caller's guard).
fn temp_file(name: &str, lines: &[String]) -> PathBuf {
    let p = std::env::temp_dir().join(format!("duet-batch-{}-{name}", std::process::id()));
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

/// `adder64` with `--batch` files over TCP: garbler listens on a fresh port, evaluator
/// connects; each side gets its extra arguments. Both outputs.
fn batch_pair(g_file: &str, e_file: &str, g_extra: &[&str], e_extra: &[&str]) -> (Output, Output) {
    let mut ga = vec![
        "garbler",
        "adder64",
        "--batch",
        g_file,
        "--connect-timeout",
        "20",
    ];
    ga.extend(g_extra);
    let (g, addr) = spawn_listener(Command::new(BIN).args(&ga));
    let mut ea = vec![
        "evaluator",
        "adder64",
        "--connect",
        &addr,
        "--batch",
        e_file,
    ];
    ea.extend(e_extra);
    let e = spawn(Command::new(BIN).args(&ea));
    (g.wait_with_output(), e.wait_with_output())
}

/// `--batch` / `--garbler-batch` + `--evaluator-batch`: many instances in one session give
/// each instance's own result, in order, over TCP and via `local`; mismatched or malformed
/// batch files are usage errors (exit 2) that name the problem.
#[test]
fn batched_runs_give_every_instance_its_result() {
    let xs: Vec<u64> = vec![0, 1, u64::MAX, 0x0123_4567_89ab_cdef, 77];
    let ys: Vec<u64> = vec![5, u64::MAX, 1, 0xfedc_ba98_7654_3210, 1 << 63];
    let want: Vec<String> = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| format!("{:016x}", x.wrapping_add(*y)))
        .collect();
    let mut g_lines: Vec<String> = xs.iter().map(|x| format!("0=0x{x:x}")).collect();
    g_lines.insert(1, "# a comment, then a blank line".into());
    g_lines.insert(2, String::new());
    let e_lines: Vec<String> = ys.iter().map(|y| format!("1=0x{y:x}")).collect();
    let (gf, ef) = (temp_file("g", &g_lines), temp_file("e", &e_lines));
    let (gs, es) = (gf.to_str().unwrap(), ef.to_str().unwrap());

    // local
    let out = Command::new(BIN)
        .args([
            "local",
            "adder64",
            "--garbler-batch",
            gs,
            "--evaluator-batch",
            es,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().collect::<Vec<_>>(), want);

    // over TCP, with --json on the evaluator
    let (g, e) = batch_pair(gs, es, &[], &["--json"]);
    assert!(g.status.success(), "garbler: {}", stderr(&g));
    assert!(e.status.success(), "evaluator: {}", stderr(&e));
    assert_eq!(stdout(&g).lines().collect::<Vec<_>>(), want);
    let v: serde_json::Value = serde_json::from_str(&stdout(&e)).unwrap();
    let got: Vec<String> = v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[0].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want);
    assert_eq!(v["stats"]["instances"], 5);
    assert_eq!(v["stats"]["and_gates"], 5 * 63);

    // outputs revealed to the evaluator only: the garbler prints nothing
    let reveal = ["--reveal", "evaluator"];
    let (g, e) = batch_pair(gs, es, &reveal, &reveal);
    assert!(g.status.success() && e.status.success(), "{}", stderr(&g));
    assert!(
        g.stdout.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&g.stdout)
    );
    assert_eq!(stdout(&e).lines().collect::<Vec<_>>(), want);

    // fewer evaluator instances; a malformed line
    let short = temp_file("short", &e_lines[..3]);
    let bad = temp_file("bad", &["0=0x12".into(), "0=zz".into()]);
    for (g_file, e_file, needle) in [
        (
            gs,
            short.to_str().unwrap(),
            "has 5 instances, the evaluator's 3",
        ),
        (bad.to_str().unwrap(), es, "line 2"),
    ] {
        let out = Command::new(BIN)
            .args([
                "local",
                "adder64",
                "--garbler-batch",
                g_file,
                "--evaluator-batch",
                e_file,
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{}", stderr(&out));
    }
    for f in [gf, ef, short, bad] {
        let _ = std::fs::remove_file(f);
    }
}

/// `--stream`: the circuit file is compiled to a slot program on disk and read as the run
/// goes. The FIPS-197 vector comes out with both parties streaming (`local`), with only
/// one of the two streaming (over TCP: the digests agree), and in a batched run; a
/// malformed file is a usage error naming its line before anything runs.
#[test]
fn streamed_circuit_files_give_the_same_results() {
    let aes = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("circuits/bristol/aes_128.txt");
    let aes = aes.to_str().unwrap();
    let (g_in, e_in) = (format!("0={KEY}"), format!("1={PT}"));
    let o = Command::new(BIN)
        .args(["local", aes, "--stream", "--json"])
        .args(["--garbler-input", &g_in, "--evaluator-input", &e_in])
        .output()
        .unwrap();
    assert!(o.status.success(), "local --stream: {}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(j["outputs"], serde_json::json!([CT]));
    assert_eq!(j["stats"]["and_gates"], 6400);

    for (g_extra, e_extra) in [(&["--stream"][..], &[][..]), (&[], &["--stream"])] {
        let mut ga = vec!["garbler", aes, "--input", &g_in, "--connect-timeout", "20"];
        ga.extend(g_extra);
        let (g, addr) = spawn_listener(Command::new(BIN).args(&ga));
        let mut ea = vec!["evaluator", aes, "--connect", &addr, "--input", &e_in];
        ea.extend(e_extra);
        let e = spawn(Command::new(BIN).args(&ea)).wait_with_output();
        let g = g.wait_with_output();
        assert!(g.status.success(), "garbler {g_extra:?}: {}", stderr(&g));
        assert!(e.status.success(), "evaluator {e_extra:?}: {}", stderr(&e));
        assert_eq!(stdout(&g), CT);
        assert_eq!(stdout(&e), CT);
    }

    let keys: Vec<String> = (0..3).map(|i| format!("0={i:032x}")).collect();
    let pts: Vec<String> = (0..3).map(|_| format!("1={PT}")).collect();
    let (gf, ef) = (temp_file("sg", &keys), temp_file("se", &pts));
    let batch = |stream: bool| {
        let mut a = vec!["local", aes, "--garbler-batch", gf.to_str().unwrap()];
        a.extend(["--evaluator-batch", ef.to_str().unwrap()]);
        if stream {
            a.push("--stream");
        }
        let o = Command::new(BIN).args(&a).output().unwrap();
        assert!(o.status.success(), "batch stream={stream}: {}", stderr(&o));
        stdout(&o)
    };
    let streamed = batch(true);
    assert_eq!(streamed.lines().count(), 3);
    assert_eq!(streamed, batch(false));
    let _ = (std::fs::remove_file(gf), std::fs::remove_file(ef));

    let bad = temp_file(
        "bad.txt",
        &[
            "1 3".into(),
            "1 1".into(),
            "1 1".into(),
            String::new(),
            "1 1 0 9 INV".into(),
        ],
    );
    let o = Command::new(BIN)
        .args(["local", bad.to_str().unwrap(), "--stream"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("line 5"), "{}", stderr(&o));
    let _ = std::fs::remove_file(bad);

    // wire numbers past 2^29 (as in every 10^9-gate file): only --stream runs them
    let big = temp_file(
        "bigid.txt",
        &[
            "3 1073741832".into(),
            "2 1 1".into(),
            "1 1".into(),
            String::new(),
            "2 1 0 1 1073741824 AND".into(),
            "1 1 1073741824 1073741827 INV".into(),
            "2 1 1073741827 0 1073741831 XOR".into(),
        ],
    );
    let big_s = big.to_str().unwrap();
    for (y, want) in [("1", "01"), ("0", "00")] {
        // out = NOT(x AND y) XOR x, x = 1
        let o = Command::new(BIN)
            .args(["local", big_s, "--stream", "--garbler-input", "0=0x1"])
            .args(["--evaluator-input", &format!("1={y}")])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o), want);
    }
    let o = Command::new(BIN)
        .args([
            "local",
            big_s,
            "--garbler-input",
            "0=0x1",
            "--evaluator-input",
            "1=0x1",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--stream"), "{}", stderr(&o));
    let _ = std::fs::remove_file(big);

    // `compile` once, then both parties run the saved program (a saved program announces
    // the digest of its ops, so the peer runs the same program)
    let prog = std::env::temp_dir().join(format!("duet-aes-{}.duet", std::process::id()));
    let prog_s = prog.to_str().unwrap();
    let o = Command::new(BIN)
        .args(["compile", aes, "--out", prog_s])
        .output()
        .unwrap();
    assert!(o.status.success(), "compile: {}", stderr(&o));
    assert!(stdout(&o).contains("6400 AND"), "{}", stdout(&o));
    // compiling over an existing program needs --force
    let o = Command::new(BIN)
        .args(["compile", aes, "--out", prog_s])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    let o = Command::new(BIN)
        .args(["compile", aes, "--out", prog_s, "--force"])
        .output()
        .unwrap();
    assert!(o.status.success(), "compile --force: {}", stderr(&o));
    let (g, addr) = spawn_listener(Command::new(BIN).args([
        "garbler",
        prog_s,
        "--input",
        &g_in,
        "--connect-timeout",
        "20",
    ]));
    let e =
        spawn(Command::new(BIN).args(["evaluator", prog_s, "--connect", &addr, "--input", &e_in]))
            .wait_with_output();
    let g = g.wait_with_output();
    assert!(
        g.status.success(),
        "garbler on the saved program: {}",
        stderr(&g)
    );
    assert!(e.status.success(), "evaluator: {}", stderr(&e));
    assert_eq!((stdout(&g), stdout(&e)), (CT.to_string(), CT.to_string()));
    // `eval` and `info` take the saved program too; `eval --stream` streams a Bristol file
    for (circuit, extra) in [(prog_s, None), (aes, Some("--stream"))] {
        let mut a = vec!["eval", circuit, "--input", KEY, "--input", PT];
        a.extend(extra);
        let o = Command::new(BIN).args(&a).output().unwrap();
        assert!(o.status.success(), "eval {circuit}: {}", stderr(&o));
        assert_eq!(stdout(&o), CT);
    }
    let o = Command::new(BIN)
        .args(["info", prog_s, "--json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "info: {}", stderr(&o));
    let j: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (
            j["stats"]["and_gates"].as_u64(),
            j["outputs"]["peak_live_wires"].as_u64()
        ),
        (Some(6400), Some(1645))
    );

    // a damaged saved program is a usage error naming the file
    let mut bytes = std::fs::read(&prog).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 4;
    std::fs::write(&prog, bytes).unwrap();
    let o = Command::new(BIN)
        .args([
            "local",
            prog_s,
            "--garbler-input",
            &g_in,
            "--evaluator-input",
            &e_in,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("checksum"), "{}", stderr(&o));
    let _ = std::fs::remove_file(&prog);

    // no place for the program file: exit 1 naming the directory
    let o = Command::new(BIN)
        .args(["local", aes, "--stream"])
        .args(["--garbler-input", &g_in, "--evaluator-input", &e_in])
        .env("TMPDIR", "/nonexistent/duet")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("/nonexistent/duet"), "{}", stderr(&o));
}

/// A batch file with no instance (only comments and blank lines) is a usage error naming
/// the file, for `local` and for a networked party, before anything connects.
#[test]
fn empty_batch_files_are_usage_errors() {
    let empty = temp_file("empty", &["# nothing here".into(), String::new()]);
    let e = empty.to_str().unwrap();
    for args in [
        vec![
            "local",
            "adder64",
            "--garbler-batch",
            e,
            "--evaluator-batch",
            e,
        ],
        vec![
            "garbler",
            "adder64",
            "--listen",
            "127.0.0.1:0",
            "--batch",
            e,
        ],
    ] {
        let o = Command::new(BIN).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains("no instances"), "{}", stderr(&o));
        assert!(stderr(&o).contains(e), "{}", stderr(&o));
    }
    let _ = std::fs::remove_file(empty);
}
