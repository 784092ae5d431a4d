//! `gc-run local | garbler | evaluator`: the two-party garbled-circuit run (duet_gc::Session).
//!
//! Input ownership: each party names the input values it supplies with `--input I=HEX`
//! (`local`: `--garbler-input` / `--evaluator-input`); every other input value belongs to the
//! other party. The handshake checks that both agree (each value owned exactly once), run
//! the same circuit (blake3 digest) and the same output policy.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use duet_circuits::{Bits, values};
use duet_gc::{OutputPolicy, Prepared, ProtocolError, SchemeKind, Session, SessionOptions};
use duet_net::{Channel, ChannelConfig, Link};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::info;

use crate::circuit_arg::{CIRCUIT_HELP, load_circuit, load_prepared, parse_input};
use crate::common::{runtime, usage};
use crate::net_args::NetArgs;
use crate::speed::Row;

/// Who learns the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Reveal {
    /// both parties (default)
    Both,
    /// only the garbler
    Garbler,
    /// only the evaluator
    Evaluator,
}

impl From<Reveal> for OutputPolicy {
    fn from(r: Reveal) -> OutputPolicy {
        match r {
            Reveal::Both => OutputPolicy::Both,
            Reveal::Garbler => OutputPolicy::Garbler,
            Reveal::Evaluator => OutputPolicy::Evaluator,
        }
    }
}

/// Options every two-party command shares.
#[derive(Args, Debug)]
pub struct RunOpts {
    #[arg(value_name = "CIRCUIT", help = CIRCUIT_HELP)]
    circuit: String,
    /// Who learns the outputs (both parties must agree).
    #[arg(long, value_enum, default_value_t = Reveal::Both)]
    reveal: Reveal,
    /// Print one JSON object {"outputs": [hex…], "stats": {…}} instead of lines.
    #[arg(long)]
    json: bool,
    /// The garbling scheme (both parties must use the same one): half-gates (ZRE15, 32 bytes
    /// per AND gate) or three-halves (RR21, about 24.6 bytes per AND gate, more AES per gate).
    #[arg(long, value_name = "SCHEME", default_value_t = SchemeKind::HalfGates)]
    scheme: SchemeKind,
    /// Compile the circuit file to a slot program on disk ($TMPDIR, 16 bytes per gate while
    /// compiling, 12 after) and read it as the run goes, so memory does not grow with the
    /// circuit (for circuits too large to hold). Automatic for files over 256 MiB. The peer
    /// may or may not stream.
    #[arg(long)]
    stream: bool,
}

/// Arguments of `gc-run local`.
#[derive(Args, Debug)]
#[command(
    about = "Run the full two-party protocol with both parties in this process",
    long_about = "Garbler and evaluator run in this process over an in-memory channel, with \
the full protocol (handshake, base OT, IKNP, streamed half-gates tables, decoding).\n\n\
Example (AES-128: the garbler owns the key, the evaluator the plaintext):\n  gc-run local \
aes_128 --garbler-input 0=000102030405060708090a0b0c0d0e0f --evaluator-input \
1=00112233445566778899aabbccddeeff\n  prints 69c4e0d86a7b0430d8cdb78070b4c55a"
)]
pub struct LocalArgs {
    #[command(flatten)]
    opts: RunOpts,
    /// An input value the garbler owns: I=HEX with I its index in the circuit header.
    #[arg(long = "garbler-input", value_name = "I=HEX")]
    garbler: Vec<String>,
    /// An input value the evaluator owns: I=HEX.
    #[arg(long = "evaluator-input", value_name = "I=HEX")]
    evaluator: Vec<String>,
    /// Batched run: the garbler's inputs of many instances, one line per instance of
    /// space-separated I=HEX (blank lines and `#` comments skipped). Needs
    /// --evaluator-batch with as many lines; prints one line of outputs per instance.
    #[arg(
        long = "garbler-batch",
        value_name = "FILE",
        requires = "evaluator_batch",
        conflicts_with_all = ["garbler", "evaluator"]
    )]
    garbler_batch: Option<std::path::PathBuf>,
    /// Batched run: the evaluator's inputs, one line per instance (see --garbler-batch).
    #[arg(
        long = "evaluator-batch",
        value_name = "FILE",
        requires = "garbler_batch"
    )]
    evaluator_batch: Option<std::path::PathBuf>,
    /// Simulate a network link between the two parties, both directions: RATE[,RTT], e.g.
    /// 100mbit,40ms (RATE in bit/kbit/mbit/gbit or `unlimited`, RTT in us/ms/s). Models
    /// serialisation at RATE, a one-way delay of RTT/2 and a bounded queue; not loss, jitter
    /// or TCP slow start.
    #[arg(long, value_name = "RATE[,RTT]")]
    link: Option<Link>,
}

/// Arguments of `gc-run garbler` / `gc-run evaluator`.
#[derive(Args, Debug)]
#[command(
    long_about = "One party of a two-party run over TCP. Each party gives the input \
values it owns with --input I=HEX (I = index in the circuit header); every other input value \
is the other party's. Both parties must name the same circuit.\n\n\
Example (AES-128, FIPS-197):\n  gc-run garbler aes_128 --listen 127.0.0.1:7000 --input \
0=000102030405060708090a0b0c0d0e0f\n  gc-run evaluator aes_128 --connect 127.0.0.1:7000 \
--input 1=00112233445566778899aabbccddeeff\n  both print 69c4e0d86a7b0430d8cdb78070b4c55a"
)]
pub struct PartyArgs {
    #[command(flatten)]
    opts: RunOpts,
    #[command(flatten)]
    net: NetArgs,
    /// An input value this party owns: I=HEX with I its index in the circuit header.
    #[arg(long = "input", value_name = "I=HEX")]
    inputs: Vec<String>,
    /// Batched run of many instances in one session (one handshake, one OT extension, one
    /// table stream): this party's inputs, one line per instance of space-separated I=HEX
    /// (blank lines and `#` comments skipped). The peer needs a file with as many lines;
    /// prints one line of outputs per instance.
    #[arg(long = "batch", value_name = "FILE", conflicts_with = "inputs")]
    batch: Option<std::path::PathBuf>,
}

/// Parse `I=HEX` arguments into (index, value); a usage error for a bad form, index or value,
/// or an index given twice.
fn parse_owned(widths: &[u32], args: &[String], flag: &str) -> Result<Vec<(usize, Bits)>> {
    let mut out: Vec<(usize, Bits)> = Vec::new();
    for a in args {
        let (i, hex) = a
            .split_once('=')
            .ok_or_else(|| usage(format!("{flag} {a}: expected I=HEX (e.g. 0=00ff)")))?;
        let i: usize = i
            .trim()
            .parse()
            .map_err(|_| usage(format!("{flag} {a}: `{i}` is not an input index")))?;
        if out.iter().any(|(j, _)| *j == i) {
            return Err(usage(format!("{flag}: input {i} given twice")));
        }
        out.push((
            i,
            parse_input(widths, i, hex).map_err(|e| usage(format!("{flag}: {e}")))?,
        ));
    }
    Ok(out)
}

/// Read a batch file: one instance per line of space-separated `I=HEX` (blank lines and
/// `#` comments skipped); a usage error naming the file and line for anything malformed.
fn parse_batch(widths: &[u32], path: &std::path::Path) -> Result<Vec<Vec<(usize, Bits)>>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage(format!("batch file {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let args: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        let what = format!("batch file {} line {}", path.display(), n + 1);
        out.push(parse_owned(widths, &args, &what)?);
    }
    if out.is_empty() {
        return Err(usage(format!(
            "batch file {}: no instances",
            path.display()
        )));
    }
    Ok(out)
}

/// Print the outputs: one line per output value (one instance), or one line per instance
/// of space-separated values (a batch); `--json`: one object.
fn print_result(opts: &RunOpts, prepared: &Prepared, out: &[Vec<Bits>], batch: bool, stats: Stats) {
    let hex: Vec<Vec<String>> = out
        .iter()
        .map(|o| o.iter().map(values::to_hex).collect())
        .collect();
    let k = out.len().max(1) as u64;
    if opts.json {
        let outputs = if batch {
            serde_json::json!(hex)
        } else {
            serde_json::json!(hex.into_iter().next().unwrap_or_default())
        };
        let mut v = serde_json::json!({
            "outputs": outputs,
            "stats": {
                "scheme": opts.scheme.name(),
                "and_gates": prepared.and_gates() * k,
                "xor_gates": prepared.xor_gates() * k,
                "bytes_sent": stats.sent,
                "bytes_received": stats.received,
                "garbler_bytes_per_and": per_and(stats.garbler_to_evaluator, prepared.and_gates() * k),
                "run_garbler_bytes_per_and": per_and(stats.run_garbler_to_evaluator, prepared.and_gates() * k),
                "seconds": stats.seconds,
            }
        });
        if batch {
            v["stats"]["instances"] = serde_json::json!(k);
        }
        println!("{v}");
    } else if batch {
        // nothing at all when the outputs are not revealed to this party
        if hex.iter().any(|h| !h.is_empty()) {
            for h in hex {
                println!("{}", h.join(" "));
            }
        }
    } else {
        for h in hex.into_iter().flatten() {
            println!("{h}");
        }
    }
}

#[derive(Clone, Copy)]
struct Stats {
    sent: u64,
    received: u64,
    /// every byte the garbler sent the evaluator (session set-up with base OT, run offer,
    /// OT extension, labels, tables, decoding)
    garbler_to_evaluator: u64,
    /// the same for the run alone (without the session's hello and base OT)
    run_garbler_to_evaluator: u64,
    seconds: f64,
}

/// Bytes per AND gate, rounded to 3 decimals (`null` without AND gates).
fn per_and(bytes: u64, and_gates: u64) -> serde_json::Value {
    if and_gates == 0 {
        return serde_json::Value::Null;
    }
    serde_json::json!((bytes as f64 / and_gates as f64 * 1000.0).round() / 1000.0)
}

/// A progress bar on stderr that appears only after a second, and only on a terminal.
struct Progress {
    done: Arc<AtomicU64>,
    ticker: Option<tokio::task::JoinHandle<()>>,
    bar: Option<ProgressBar>,
}

impl Progress {
    fn start(total_and: u64) -> Progress {
        let done = Arc::new(AtomicU64::new(0));
        if !std::io::stderr().is_terminal() || total_and == 0 {
            return Progress {
                done,
                ticker: None,
                bar: None,
            };
        }
        let bar = ProgressBar::with_draw_target(Some(total_and), ProgressDrawTarget::hidden());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} AND gates {per_sec} eta {eta}")
        {
            bar.set_style(style);
        }
        let (b, d) = (bar.clone(), done.clone());
        let ticker = tokio::spawn(async move {
            let t = Instant::now();
            let mut shown = false;
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if !shown && t.elapsed() >= Duration::from_secs(1) {
                    b.set_draw_target(ProgressDrawTarget::stderr());
                    shown = true;
                }
                b.set_position(d.load(Ordering::Relaxed).min(total_and));
            }
        });
        Progress {
            done,
            ticker: Some(ticker),
            bar: Some(bar),
        }
    }

    fn finish(self) {
        if let Some(t) = self.ticker {
            t.abort();
        }
        if let Some(b) = self.bar {
            b.finish_and_clear();
        }
    }
}

fn map_err(e: ProtocolError) -> anyhow::Error {
    match e {
        ProtocolError::Usage(m) => usage(m),
        e => anyhow::Error::new(e),
    }
}

/// One party's whole run over an open channel: session set-up, one (batched) run, close.
async fn party(
    ch: Channel,
    garbler: bool,
    scheme: SchemeKind,
    prepared: &Prepared,
    instances: &[Vec<(usize, Bits)>],
    policy: OutputPolicy,
    progress: Option<Arc<AtomicU64>>,
) -> Result<(Vec<Vec<Bits>>, Stats)> {
    let t = Instant::now();
    let opts = SessionOptions::default()
        .with_progress(progress)
        .with_scheme(scheme);
    let who = if garbler { "garbler" } else { "evaluator" };
    let mut s = if garbler {
        Session::garbler(ch, opts).await
    } else {
        Session::evaluator(ch, opts).await
    }
    .map_err(map_err)
    .with_context(|| format!("{who}: session set-up"))?;
    info!("{who}: base OT done after {:?}", t.elapsed());
    let out = s
        .run_many(prepared, instances, policy)
        .await
        .map_err(map_err)
        .context(who)?;
    let run = s.last_stats();
    let ch = s.channel();
    let stats = Stats {
        sent: ch.bytes_sent(),
        received: ch.bytes_received(),
        garbler_to_evaluator: if garbler {
            ch.bytes_sent()
        } else {
            ch.bytes_received()
        },
        run_garbler_to_evaluator: if garbler {
            run.bytes_sent
        } else {
            run.bytes_received
        },
        seconds: t.elapsed().as_secs_f64(),
    };
    info!(
        "{who}: done in {:.3} s, {} bytes sent",
        stats.seconds, stats.sent
    );
    let _ = s.close().await;
    Ok((out, stats))
}

/// Run `gc-run local`.
pub fn run_local(args: LocalArgs) -> Result<()> {
    let prepared = load_prepared(&args.opts.circuit, args.opts.stream)?;
    let w = prepared.inputs();
    let batch = args.garbler_batch.is_some();
    let (g_in, e_in) = match (&args.garbler_batch, &args.evaluator_batch) {
        (Some(g), Some(e)) => (parse_batch(w, g)?, parse_batch(w, e)?),
        _ => (
            vec![parse_owned(w, &args.garbler, "--garbler-input")?],
            vec![parse_owned(w, &args.evaluator, "--evaluator-input")?],
        ),
    };
    if g_in.len() != e_in.len() {
        return Err(usage(format!(
            "the garbler's batch has {} instances, the evaluator's {}",
            g_in.len(),
            e_in.len()
        )));
    }
    for (n, (g_in, e_in)) in g_in.iter().zip(&e_in).enumerate() {
        let at = if batch {
            format!("instance {n}: ")
        } else {
            String::new()
        };
        for i in 0..w.len() {
            let (g, e) = (
                g_in.iter().any(|(j, _)| *j == i),
                e_in.iter().any(|(j, _)| *j == i),
            );
            if g && e {
                return Err(usage(format!("{at}input {i} is given to both parties")));
            }
            if !g && !e {
                return Err(usage(format!(
                    "{at}input {i} is given to neither party (use --garbler-input {i}=HEX or \
                     --evaluator-input {i}=HEX)"
                )));
            }
        }
    }
    let policy: OutputPolicy = args.opts.reveal.into();
    let rt = runtime()?;
    let (g_out, e_out, stats) = rt.block_on(async {
        let progress = Progress::start(prepared.and_gates() * g_in.len() as u64);
        let cfg = ChannelConfig::default().with_link(args.link);
        let (a, b) = duet_net::duplex_pair(&cfg);
        let (p1, p2) = (prepared.clone(), prepared.clone());
        let pr = Some(progress.done.clone());
        let sc = args.opts.scheme;
        let g = tokio::spawn(async move { party(a, true, sc, &p1, &g_in, policy, pr).await });
        let e = tokio::spawn(async move { party(b, false, sc, &p2, &e_in, policy, None).await });
        let (g, e) = tokio::join!(g, e);
        progress.finish();
        let g = g.map_err(|e| anyhow::anyhow!("garbler task: {e}"))?;
        let e = e.map_err(|e| anyhow::anyhow!("evaluator task: {e}"))?;
        let ((g_out, stats), (e_out, _)) = match (g, e) {
            (Ok(g), Ok(e)) => (g, e),
            (Err(x), Ok(_)) | (Ok(_), Err(x)) => return Err(x),
            (Err(x), Err(y)) => return Err(crate::common::first_cause(y, x)),
        };
        anyhow::Ok((g_out, e_out, stats))
    })?;
    let out = if policy == OutputPolicy::Garbler {
        g_out
    } else {
        e_out
    };
    print_result(&args.opts, &prepared, &out, batch, stats);
    Ok(())
}

/// Run `gc-run garbler` (`garbler = true`) or `gc-run evaluator`.
pub fn run_party(args: PartyArgs, garbler: bool) -> Result<()> {
    args.net.validate()?;
    let prepared = load_prepared(&args.opts.circuit, args.opts.stream)?;
    let batch = args.batch.is_some();
    let mine = match &args.batch {
        Some(path) => parse_batch(prepared.inputs(), path)?,
        None => vec![parse_owned(prepared.inputs(), &args.inputs, "--input")?],
    };
    let policy: OutputPolicy = args.opts.reveal.into();
    let rt = runtime()?;
    let (out, stats) = rt.block_on(async {
        let ch = args.net.open().await?;
        let progress = Progress::start(prepared.and_gates() * mine.len() as u64);
        let r = party(
            ch,
            garbler,
            args.opts.scheme,
            &prepared,
            &mine,
            policy,
            Some(progress.done.clone()),
        )
        .await;
        progress.finish();
        r
    })?;
    print_result(&args.opts, &prepared, &out, batch, stats);
    Ok(())
}

/// Both parties in this process: set-up + first run, then `more` runs; returns (seconds of
/// set-up + first run, seconds of the other runs, bytes both ways).
async fn local_timed(
    p: &Prepared,
    more: usize,
    link: Option<Link>,
    scheme: SchemeKind,
) -> Result<(f64, f64, u64)> {
    let opts = SessionOptions::default().with_scheme(scheme);
    let opts2 = opts.clone();
    let (a, b) = duet_net::duplex_pair(&ChannelConfig::default().with_link(link));
    let w = p.inputs();
    let g_in = vec![(0usize, Bits::repeat(true, w[0] as usize))];
    let e_in: Vec<(usize, Bits)> = (1..w.len())
        .map(|i| (i, Bits::repeat(false, w[i] as usize)))
        .collect();
    let (p1, p2) = (p.clone(), p.clone());
    let t = Instant::now();
    let g = tokio::spawn(async move {
        let mut s = Session::garbler(a, opts).await?;
        s.run_prepared(&p1, &g_in, OutputPolicy::Both).await?;
        let first = t.elapsed().as_secs_f64();
        let t2 = Instant::now();
        if more > 0 {
            // one batched run: one handshake and COT extension, pipelined tables
            s.run_many(&p1, &vec![g_in; more], OutputPolicy::Both)
                .await?;
        }
        let ch = s.channel();
        let bytes = ch.bytes_sent() + ch.bytes_received();
        Ok::<_, ProtocolError>((first, t2.elapsed().as_secs_f64(), bytes))
    });
    let e = tokio::spawn(async move {
        let mut s = Session::evaluator(b, opts2).await?;
        s.run_prepared(&p2, &e_in, OutputPolicy::Both).await?;
        if more > 0 {
            s.run_many(&p2, &vec![e_in; more], OutputPolicy::Both)
                .await?;
        }
        Ok::<_, ProtocolError>(())
    });
    let (g, e) = tokio::join!(g, e);
    e.map_err(|e| anyhow::anyhow!("evaluator task: {e}"))??;
    Ok(g.map_err(|e| anyhow::anyhow!("garbler task: {e}"))??)
}

/// `gc-run speed 2pc`: `aes_128` set-up + first block, `aes_128` amortised over 1 000 blocks
/// in one session (one batched [`Session::run_many`] after the first block), and a layered circuit of about `n_and` AND gates, all with both parties
/// in this process over an in-memory channel (through `link` if given).
pub async fn speed_2pc(n_and: usize, link: Option<Link>, scheme: SchemeKind) -> Result<Vec<Row>> {
    let aes = Prepared::new(load_circuit("aes_128")?);
    let (first, _, bytes) = local_timed(&aes, 0, link, scheme).await?;
    let mut rows = vec![Row {
        name: "2pc-aes_128-first",
        items: 1,
        unit: "block",
        seconds: first,
        bytes,
    }];
    let blocks = 1000;
    let (_, rest, bytes_all) = local_timed(&aes, blocks, link, scheme).await?;
    rows.push(Row {
        name: "2pc-aes_128",
        items: blocks,
        unit: "block",
        seconds: rest,
        bytes: bytes_all - bytes,
    });
    let big = Prepared::new(duet_circuits::library::layered(n_and)?);
    let (first, _, bytes) = local_timed(&big, 0, link, scheme).await?;
    rows.push(Row {
        name: "2pc-layered",
        items: big.and_gates() as usize,
        unit: "AND",
        seconds: first,
        bytes,
    });
    Ok(rows)
}
