//! `gc-run compare`: secure comparison (millionaires). Both parties print `less`, `equal` or
//! `greater`: the garbler's value relative to the evaluator's.

use crate::common::usage;
use crate::net_args::NetArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use duet::compare::{self, CompareError, CompareSpec, ordering_word};
use duet_gc::{OtKind, Session, SessionOptions};
use std::cmp::Ordering;
use std::time::Instant;

/// `gc-run compare …`
#[derive(Args, Debug)]
pub struct CompareArgs {
    #[command(subcommand)]
    mode: Mode,
}

/// Width options shared by all modes.
#[derive(Args, Debug, Clone)]
struct Width {
    /// Bits per value (1..=64).
    #[arg(long, value_name = "N", default_value_t = 64)]
    bits: u32,
    /// Compare as unsigned integers (default: two's-complement signed).
    #[arg(long)]
    unsigned: bool,
    /// Print one JSON object instead of the word.
    #[arg(long)]
    json: bool,
    /// The OT extension of the evaluator's input labels (both parties must use the same
    /// one): iknp or ferret (see the README for when Ferret pays off).
    #[arg(long = "ot", value_name = "OT", default_value_t = OtKind::Iknp)]
    ot: OtKind,
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// The garbler's side.
    Garbler {
        /// This party's integer (decimal).
        #[arg(
            long = "input",
            alias = "value",
            value_name = "INT",
            allow_hyphen_values = true
        )]
        value: String,
        #[command(flatten)]
        net: NetArgs,
        #[command(flatten)]
        width: Width,
    },
    /// The evaluator's side.
    Evaluator {
        /// This party's integer (decimal).
        #[arg(
            long = "input",
            alias = "value",
            value_name = "INT",
            allow_hyphen_values = true
        )]
        value: String,
        #[command(flatten)]
        net: NetArgs,
        #[command(flatten)]
        width: Width,
    },
    /// Both parties in this process (full protocol over an in-memory channel).
    Local {
        /// The garbler's integer.
        #[arg(
            long = "garbler-input",
            alias = "garbler-value",
            value_name = "INT",
            allow_hyphen_values = true
        )]
        garbler_value: String,
        /// The evaluator's integer.
        #[arg(
            long = "evaluator-input",
            alias = "evaluator-value",
            value_name = "INT",
            allow_hyphen_values = true
        )]
        evaluator_value: String,
        #[command(flatten)]
        width: Width,
    },
}

fn spec(w: &Width) -> anyhow::Result<CompareSpec> {
    let s = CompareSpec::new(w.bits, !w.unsigned);
    s.validate().map_err(|e| usage(e.to_string()))?;
    Ok(s)
}

fn parse(s: &CompareSpec, v: &str, flag: &str) -> anyhow::Result<i128> {
    s.parse(v).map_err(|e| usage(format!("{flag}: {e}")))
}

fn print(o: Ordering, w: &Width, spec: &CompareSpec, stats: duet_gc::RunStats, t0: Instant) {
    if w.json {
        let outputs = serde_json::json!({
            "result": ordering_word(o),
            "meaning": format!(
                "the garbler's value is {} the evaluator's",
                match o {
                    Ordering::Less => "less than",
                    Ordering::Equal => "equal to",
                    Ordering::Greater => "greater than",
                }
            ),
            "bits": spec.bits,
            "signed": spec.signed,
        });
        let stats = crate::report::Stats {
            and_gates: stats.and_gates,
            xor_gates: Some(stats.xor_gates),
            bytes_sent: stats.bytes_sent,
            bytes_received: stats.bytes_received,
            rounds: None,
            seconds: crate::report::since(t0),
            phases: crate::report::Phases {
                ot: stats.ot_seconds,
                run: stats.seconds - stats.ot_seconds,
                ..Default::default()
            },
            ..Default::default()
        };
        crate::report::Report { outputs, stats }.print();
    } else {
        println!("{}", ordering_word(o));
    }
}

fn lift(e: CompareError) -> anyhow::Error {
    match e {
        CompareError::Range { .. } | CompareError::Parse(_) | CompareError::Bits(_) => {
            usage(e.to_string())
        }
        e => anyhow::Error::new(e),
    }
}

/// Run `gc-run compare`.
pub fn run(args: CompareArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    match args.mode {
        Mode::Garbler { value, net, width } => party(true, &value, &net, &width, t0),
        Mode::Evaluator { value, net, width } => party(false, &value, &net, &width, t0),
        Mode::Local {
            garbler_value,
            evaluator_value,
            width,
        } => {
            let spec = spec(&width)?;
            let g = parse(&spec, &garbler_value, "--garbler-input")?;
            let e = parse(&spec, &evaluator_value, "--evaluator-input")?;
            let rt = crate::common::runtime()?;
            let opts = SessionOptions::default().with_ot(width.ot);
            let o2 = opts.clone();
            let (o, stats) = rt.block_on(async move {
                let (a, b) = duet_net::duplex_pair(&Default::default());
                let gt = tokio::spawn(async move {
                    let mut s = Session::garbler(a, opts)
                        .await
                        .map_err(|e| lift(e.into()))?;
                    let o = compare::compare(&mut s, g, spec).await.map_err(lift)?;
                    anyhow::Ok((o, s.last_stats()))
                });
                let et = tokio::spawn(async move {
                    let mut s = Session::evaluator(b, o2)
                        .await
                        .map_err(|e| lift(e.into()))?;
                    compare::compare(&mut s, e, spec).await.map_err(lift)
                });
                let go = gt.await.context("garbler task")?.context("garbler");
                let eo = et.await.context("evaluator task")?.context("evaluator");
                // the error of the party that detected the problem, not the other's echo
                let (go, eo) = match (go, eo) {
                    (Ok(g), Ok(e)) => (g, e),
                    (Err(x), Ok(_)) | (Ok(_), Err(x)) => return Err(x),
                    (Err(x), Err(y)) => return Err(crate::common::first_cause(x, y)),
                };
                anyhow::ensure!(go.0 == eo, "the parties got different results");
                anyhow::Ok(go)
            })?;
            print(o, &width, &spec, stats, t0);
            Ok(())
        }
    }
}

fn party(
    garbler: bool,
    value: &str,
    net: &NetArgs,
    width: &Width,
    t0: Instant,
) -> anyhow::Result<()> {
    let spec = spec(width)?;
    let v = parse(&spec, value, "--input")?;
    net.validate()?;
    let rt = crate::common::runtime()?;
    let (o, stats) = rt.block_on(async {
        let ch = net.open().await?;
        let opts = SessionOptions::default().with_ot(width.ot);
        let mut s = if garbler {
            Session::garbler(ch, opts).await?
        } else {
            Session::evaluator(ch, opts).await?
        };
        let o = compare::compare(&mut s, v, spec).await.map_err(lift)?;
        let stats = s.last_stats();
        let _ = s.into_channel().close().await;
        anyhow::Ok((o, stats))
    })?;
    print(o, width, &spec, stats, t0);
    Ok(())
}
