//! The one JSON schema of `--json` output (every command but `speed`, whose rows have their
//! own line schema, and `keygen`/`pubkey`/`completions`/`man`, which print no JSON):
//!
//! ```text
//! {"outputs": <the command's result>,
//!  "stats": {"and_gates", "xor_gates", "bytes_sent", "bytes_received", "rounds", "seconds",
//!            "phases": {"load", "setup", "ot", "run"}, …command-specific keys}}
//! {"error": {"kind": "usage" | "network" | "protocol", "message", "exit"}}
//! ```
//!
//! `seconds` is the command's whole wall time, load/compile included; `phases` splits it
//! (seconds each; 0 for a phase the command does not have): `load` reading/compiling the
//! circuit or set, `setup` the session's hello, `ot` base OT (first run) and the run's OT
//! extension, `run` the rest (garbling, evaluation, decoding). `xor_gates` and `rounds` are `null` where
//! the command does not count them. Errors go to stdout as one object with `--json` (and as
//! one line on stderr as always), with the usual exit code.

use std::time::Instant;

use serde::Serialize;
use serde_json::{Map, Value};

/// A command's JSON result.
#[derive(Serialize, Debug)]
pub struct Report<O: Serialize> {
    /// What the command computed.
    pub outputs: O,
    /// How it went.
    pub stats: Stats,
}

impl<O: Serialize> Report<O> {
    /// Print as one line of JSON on stdout.
    pub fn print(&self) {
        match serde_json::to_string(self) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("gc-run: error: cannot write JSON: {e}"),
        }
    }
}

/// The shared statistics keys.
#[derive(Serialize, Debug, Default, Clone)]
pub struct Stats {
    /// AND gates garbled or evaluated (all instances).
    pub and_gates: u64,
    /// XOR gates (free); `null` where not counted.
    pub xor_gates: Option<u64>,
    /// Application bytes this party sent (both parties' sum in one-process runs).
    pub bytes_sent: u64,
    /// Application bytes this party received.
    pub bytes_received: u64,
    /// Communication rounds (`duet_net::Channel::rounds`); `null` where not counted.
    pub rounds: Option<u64>,
    /// Whole wall time of the command, seconds.
    pub seconds: f64,
    /// `seconds` split by phase.
    pub phases: Phases,
    /// Command-specific keys, flattened into `stats`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Stats {
    /// Add a command-specific key.
    pub fn with(mut self, key: &str, v: impl Into<Value>) -> Stats {
        self.extra.insert(key.to_string(), v.into());
        self
    }
}

/// Seconds per phase.
#[derive(Serialize, Debug, Default, Clone, Copy)]
pub struct Phases {
    /// Reading or compiling the circuit, set or inputs.
    pub load: f64,
    /// Session set-up: the hello (base OT now waits for the first run's agreement).
    pub setup: f64,
    /// Oblivious transfer during the run: base OT (and Ferret's bootstrap) on the first
    /// run, then the OT extension.
    pub ot: f64,
    /// The rest of the run: garbling, evaluation, decoding, outputs.
    pub run: f64,
}

/// The wall clock of a whole command, started first thing.
pub fn since(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

/// The `{"error": …}` object for an error that exits with `exit`.
pub fn error_json(e: &anyhow::Error, exit: i32) -> Value {
    let kind = if exit == 2 {
        "usage"
    } else if e.chain().any(|c| c.is::<duet_net::NetError>()) {
        "network"
    } else {
        "protocol"
    };
    serde_json::json!({
        "error": {
            "kind": kind,
            "message": crate::common::one_line(e),
            "exit": exit,
        }
    })
}

/// Whether `--json` was asked for (looked up before parsing, so that even a command line
/// clap refuses gets its error as JSON).
pub fn json_requested() -> bool {
    std::env::args_os().skip(1).any(|a| a == "--json")
}
