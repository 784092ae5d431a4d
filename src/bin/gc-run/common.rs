//! Shared CLI plumbing: error classes and exit codes, logging, JSON output.

use std::fmt;

/// A usage or bad-input error: exit status 2. Everything else (protocol, network) exits 1.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Build a usage error (exit 2) from a message.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(msg.into()))
}

/// Print `result`'s error as one line on stderr (and, with `json`, as the schema's
/// `{"error": …}` object on stdout) and return the process exit code: 0 on success, 2 for
/// [`UsageError`] anywhere in the chain, 1 otherwise.
pub fn report(result: anyhow::Result<()>, json: bool) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            let code = if e.chain().any(|c| c.is::<UsageError>()) {
                2
            } else {
                1
            };
            eprintln!("gc-run: error: {}", one_line(&e));
            if json {
                println!("{}", crate::report::error_json(&e, code));
            }
            code
        }
    }
}

/// The error and its causes on one line, "outer: inner: cause", each cause shown once: a
/// cause whose text its outer message already includes (`"base OT failed: {0}"` over its
/// own source) is not repeated; line breaks become spaces.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for c in e.chain() {
        let t = c.to_string();
        if out.contains(&t) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&t);
    }
    out.replace(['\n', '\r'], " ")
}

/// Of the errors of the two parties of a one-process run, the one to report: the error of
/// the party that detected the problem, not the other party's "peer closed the connection"
/// (or "the peer aborted", the echo of the other's own refusal) that follows from it.
pub fn first_cause(a: anyhow::Error, b: anyhow::Error) -> anyhow::Error {
    let gone = |e: &anyhow::Error| {
        let t = one_line(e);
        t.contains("peer closed the connection")
            || t.contains("timed out after")
            || t.contains("the peer aborted")
    };
    if gone(&a) && !gone(&b) { b } else { a }
}

/// Logs go to stderr through `tracing`; `-v` raises the level; `RUST_LOG` overrides.
pub fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}

/// A multi-threaded tokio runtime with both cores (the two parties of a `local` run overlap).
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}
