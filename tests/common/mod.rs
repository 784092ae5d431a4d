//! Shared by the CLI integration tests: run `gc-run` with both pipes drained in threads (a
//! child blocked on a full pipe never exits), and start a listening party on
//! `127.0.0.1:0`, learning its port from the `gc-run: listening on ADDR` line it prints on
//! stderr once bound (no bind-then-drop port guessing that a parallel test could race).

// Each test crate includes this module and uses only part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The `gc-run` binary under test.
pub const GC_RUN: &str = env!("CARGO_BIN_EXE_gc-run");

/// What `gc-run` prints on stderr once its `--listen` socket is bound (`net_args.rs`).
const LISTENING: &str = "gc-run: listening on ";

/// How long a listener may take to print its address.
const LISTEN_WAIT: Duration = Duration::from_secs(30);

/// A running `gc-run` whose stdout and stderr are read to the end by two threads; stderr
/// lines are also passed on, so a test can wait for a log line. Killed (and reaped) on drop
/// unless [`Proc::wait_with_output`] was called.
pub struct Proc {
    child: Child,
    stdout: Option<JoinHandle<Vec<u8>>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    lines: Receiver<String>,
    /// stderr lines passed on so far
    seen: String,
    waited: bool,
}

/// Spawn `cmd` with stdout and stderr piped and drained.
pub fn spawn(cmd: &mut Command) -> Proc {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = out.read_to_end(&mut all);
        all
    });
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let (tx, lines) = channel();
    let stderr = std::thread::spawn(move || {
        let mut all = Vec::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            match err.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    all.extend_from_slice(&line);
                    // the receiver may be gone (the test no longer watches): keep draining
                    let _ = tx.send(String::from_utf8_lossy(&line).into_owned());
                }
            }
        }
        all
    });
    Proc {
        child,
        stdout: Some(stdout),
        stderr: Some(stderr),
        lines,
        seen: String::new(),
        waited: false,
    }
}

/// Spawn `cmd` with `--listen 127.0.0.1:0` appended (so `cmd` must not give `--listen`)
/// and wait until it prints the address it is listening on; return it and that address.
/// Panics, with its stderr so far, if it exits or stays silent instead.
pub fn spawn_listener(cmd: &mut Command) -> (Proc, String) {
    let mut p = spawn(cmd.args(["--listen", "127.0.0.1:0"]));
    let line = p.wait_for_line(LISTENING, LISTEN_WAIT, |l| l.trim().starts_with(LISTENING));
    let addr = line.trim().strip_prefix(LISTENING).unwrap().to_string();
    (p, addr)
}

impl Proc {
    /// The child, e.g. to signal it or poll it; its pipes are owned by the drain threads.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// Wait (at most `limit`) for a stderr line containing `needle`; return it. Panics, with
    /// the stderr so far, if stderr closes (the child exited) or the time runs out first.
    /// Later lines keep being drained.
    pub fn wait_for_stderr_containing(&mut self, needle: &str, limit: Duration) -> String {
        self.wait_for_line(needle, limit, |l| l.contains(needle))
    }

    fn wait_for_line(&mut self, what: &str, limit: Duration, hit: impl Fn(&str) -> bool) -> String {
        let t = Instant::now();
        loop {
            let left = limit.saturating_sub(t.elapsed());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push_str(&line);
                    if hit(&line) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("gc-run closed stderr before `{what}`:\n{}", self.seen)
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!("gc-run printed no `{what}` in {limit:?}:\n{}", self.seen)
                }
            }
        }
    }

    /// Wait for the child to exit; its status and everything it wrote on stdout and stderr.
    pub fn wait_with_output(mut self) -> Output {
        let status = self.child.wait().unwrap();
        self.waited = true;
        let stdout = self.stdout.take().unwrap().join().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        Output {
            status,
            stdout,
            stderr,
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        if !self.waited {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
