//! `gc-run arith local | garbler | evaluator DIR`: circom-2-arithc arithmetic circuits
//! (`DIR/circuit.txt` + `DIR/circuit_info.json`) run two-party on additive shares mod 2^ℓ,
//! with comparisons, division, shifts and bitwise ops garbled (the `duet-hybrid` layer).
//!
//! Inputs are `NAME=INT` with the names of `circuit_info.json` (`0.x`, `0.in[2][1]`),
//! decimal, possibly negative. `local` takes `--garbler-input` / `--evaluator-input`; over
//! the network each party names only its own inputs with `--input`, and the handshake
//! checks that both run the same circuit (digest) and ℓ and that every input is given by
//! exactly one party. `--settings mpc_settings.json` (circom-mp-spdz style) says who owns
//! which inputs and who sees which outputs.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use clap::{Args, ValueEnum};
use duet_gc::SchemeKind;
use duet_hybrid::{
    ArithCircuit, Error, LOOPBACK, Plan, Reveal, Ring, Role, RunOptions, RunOutput, Settings,
    Strategy, run_options,
};
use duet_net::{ChannelConfig, Link, duplex_pair};
use duet_ot::OtKind;

use crate::common::{runtime, usage};
use crate::net_args::NetArgs;
use crate::report::{self, Report};

/// Which party this process plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// both parties in this process
    Local,
    /// the garbler (COT sender), over TCP
    Garbler,
    /// the evaluator (COT receiver), over TCP
    Evaluator,
}

/// Arguments of `gc-run arith`.
#[derive(Args, Debug)]
#[command(
    about = "Run a circom-2-arithc arithmetic circuit two-party on shares mod 2^ell (hybrid layer)",
    long_about = "Run DIR/circuit.txt + DIR/circuit_info.json (circom-2-arithc output, read \
unmodified) between a garbler and an evaluator: additions on additive shares, products by \
OT-based multiplication, comparisons/division/shifts/bitwise ops in garbled circuits.\n\n\
Prints one NAME=VALUE line per output this party sees (signed decimal), sorted by name.\n\n\
Example:\n  gc-run arith local hybrid/tests/data/arith/millionaires --garbler-input 0.alice=17 \
--evaluator-input 0.bob=5\n  gc-run arith garbler DIR --listen 127.0.0.1:7000 --input 0.alice=17\n  \
gc-run arith evaluator DIR --connect 127.0.0.1:7000 --input 0.bob=5"
)]
pub struct ArithArgs {
    /// local | garbler | evaluator
    #[arg(value_enum)]
    mode: Mode,
    /// Folder with circuit.txt and circuit_info.json.
    dir: PathBuf,
    /// Ring bit width ℓ: 8, 16, 32 or 64.
    #[arg(long, default_value_t = 64)]
    ell: u32,
    /// local: an input the garbler owns, NAME=INT.
    #[arg(
        long = "garbler-input",
        value_name = "NAME=INT",
        allow_hyphen_values = true
    )]
    garbler: Vec<String>,
    /// local: an input the evaluator owns, NAME=INT.
    #[arg(
        long = "evaluator-input",
        value_name = "NAME=INT",
        allow_hyphen_values = true
    )]
    evaluator: Vec<String>,
    /// garbler/evaluator: an input this party owns, NAME=INT.
    #[arg(long = "input", value_name = "NAME=INT", allow_hyphen_values = true)]
    input: Vec<String>,
    /// garbler/evaluator: this party's inputs as a JSON object {"0.x": 3, "0.in": [[1, 2],
    /// [3, 4]], …} (arrays stand for NAME[i]…); joins --input.
    #[arg(long = "inputs", value_name = "FILE")]
    inputs_file: Option<PathBuf>,
    /// local: the garbler's inputs as a JSON object (see --inputs).
    #[arg(long = "garbler-inputs", value_name = "FILE")]
    garbler_inputs: Option<PathBuf>,
    /// local: the evaluator's inputs as a JSON object (see --inputs).
    #[arg(long = "evaluator-inputs", value_name = "FILE")]
    evaluator_inputs: Option<PathBuf>,
    /// mpc_settings.json: [{"name", "inputs": [..], "outputs": [..]} for the garbler, then
    /// the evaluator]; without it both parties see every output.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,
    /// Print one JSON object {"outputs": {name: value}, "stats": {…}} instead of lines.
    #[arg(long)]
    json: bool,
    /// The garbling scheme of the garbled ops (both parties must use the same one):
    /// half-gates or three-halves.
    #[arg(long, value_name = "SCHEME", default_value_t = SchemeKind::HalfGates)]
    scheme: SchemeKind,
    /// The OT extension of the products and conversions (both parties must use the same
    /// one): iknp (16 bytes per COT) or ferret (well under a bit per COT after a set-up of
    /// about 0.15 s and a few MB; for circuits with very many products, see the README).
    #[arg(long = "ot", value_name = "OT", default_value_t = OtKind::Iknp)]
    ot: OtKind,
    /// Where the gates run: `auto` (the cost-based planner: cheapest estimated time on the
    /// link), `shares` (every product on shares, only Boolean ops garbled) or `garbled`
    /// (every gate on shared values garbled). Both parties must use the same.
    #[arg(long, value_name = "auto|shares|garbled", default_value_t = Strategy::Auto)]
    plan: Strategy,
    /// The link the planner plans for, RATE[,RTT] as --link (default: --link if given,
    /// else loopback, 10gbit,100us). Both parties must use the same.
    #[arg(long, value_name = "RATE[,RTT]")]
    plan_link: Option<Link>,
    /// Print the plan first: regions, conversions, estimated bytes, rounds and time, and
    /// the candidates weighed.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    net: NetArgs,
}

/// Local mistakes (files, inputs) exit 2; everything else 1.
fn classify(e: Error) -> anyhow::Error {
    match e {
        Error::Io { .. }
        | Error::Parse { .. }
        | Error::Info(_)
        | Error::Malformed(_)
        | Error::Input(_) => usage(e.to_string()),
        e => anyhow::Error::new(e),
    }
}

fn pairs(args: &[String]) -> Result<Vec<(String, String)>> {
    args.iter()
        .map(|a| match a.split_once('=') {
            Some((n, v)) if !n.is_empty() => Ok((n.to_string(), v.to_string())),
            _ => Err(usage(format!("`{a}`: expected NAME=INT"))),
        })
        .collect()
}

/// `NAME=INT` flags and an optional JSON inputs file, as (name, value) pairs; a name given
/// twice is caught by `ArithCircuit::bind`.
fn pairs_with_file(
    args: &[String],
    file: Option<&std::path::Path>,
    flag: &str,
) -> Result<Vec<(String, String)>> {
    let mut out = pairs(args)?;
    if let Some(path) = file {
        let m = crate::inputs_file::read_object(path, flag)?;
        let what = format!("{flag} {}", path.display());
        out.extend(crate::inputs_file::arith_pairs(&m, &what)?);
    }
    Ok(out)
}

fn check_owner(
    c: &ArithCircuit,
    s: &Option<Settings>,
    ins: &[(usize, u64)],
    who: Role,
) -> Result<()> {
    if let Some(s) = s {
        for &(i, _) in ins {
            if s.owners[i] != who {
                return Err(usage(format!(
                    "input `{}` belongs to the other party according to the settings file",
                    c.inputs()[i].name
                )));
            }
        }
    }
    Ok(())
}

/// `gc-run arith …`.
pub fn run_arith(args: ArithArgs) -> Result<()> {
    let t0 = std::time::Instant::now();
    let ring = Ring::new(args.ell).map_err(classify)?;
    let c = Arc::new(ArithCircuit::load(&args.dir).map_err(classify)?);
    let settings = match &args.settings {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| usage(format!("cannot read {}: {e}", p.display())))?;
            Some(Settings::parse(&text, &c).map_err(classify)?)
        }
        None => None,
    };
    let reveal = settings.as_ref().map_or_else(
        || vec![Reveal::BOTH; c.outputs().len()],
        |s| s.reveal.clone(),
    );
    let load = report::since(t0);
    let opts = RunOptions {
        scheme: args.scheme,
        strategy: args.plan,
        link: args.plan_link.or(args.net.link).unwrap_or(LOOPBACK),
        cot: args.ot,
    };
    let (outputs, stats, plan) = match args.mode {
        Mode::Local => {
            if !args.input.is_empty() || args.inputs_file.is_some() {
                return Err(usage(
                    "local mode takes --garbler-input(s) / --evaluator-input(s), not --input(s)",
                ));
            }
            if args.net.listen.is_some() || args.net.connect.is_some() {
                return Err(usage("local mode takes no --listen / --connect"));
            }
            let gp = pairs_with_file(
                &args.garbler,
                args.garbler_inputs.as_deref(),
                "--garbler-inputs",
            )?;
            let ep = pairs_with_file(
                &args.evaluator,
                args.evaluator_inputs.as_deref(),
                "--evaluator-inputs",
            )?;
            let gi = c.bind(ring, &gp).map_err(classify)?;
            let ei = c.bind(ring, &ep).map_err(classify)?;
            check_owner(&c, &settings, &gi, Role::Garbler)?;
            check_owner(&c, &settings, &ei, Role::Evaluator)?;
            let mut given = vec![false; c.inputs().len()];
            for &(i, _) in gi.iter().chain(&ei) {
                if given[i] {
                    return Err(usage(format!(
                        "input `{}` is given by both parties",
                        c.inputs()[i].name
                    )));
                }
                given[i] = true;
            }
            if let Some(i) = given.iter().position(|g| !g) {
                return Err(usage(format!(
                    "input `{}` is not given",
                    c.inputs()[i].name
                )));
            }
            let rt = runtime()?;
            let (g, e) = rt.block_on(async {
                let (mut cg, mut ce) =
                    duplex_pair(&ChannelConfig::default().with_link(args.net.link));
                let (c1, r1) = (c.clone(), reveal.clone());
                let g = tokio::spawn(async move {
                    run_options(&mut cg, &c1, Role::Garbler, ring, &opts, &gi, &r1).await
                });
                let (c2, r2) = (c.clone(), reveal.clone());
                let e = tokio::spawn(async move {
                    run_options(&mut ce, &c2, Role::Evaluator, ring, &opts, &ei, &r2).await
                });
                (g.await, e.await)
            });
            let g = g.map_err(|e| anyhow::anyhow!("garbler task failed: {e}"))?;
            let e = e.map_err(|e| anyhow::anyhow!("evaluator task failed: {e}"))?;
            // the error of the party that detected the problem, not the other's echo of it
            let (g, e) = match (g, e) {
                (Ok(g), Ok(e)) => (g, e),
                (Err(x), Ok(_)) | (Ok(_), Err(x)) => return Err(classify(x)),
                (Err(x), Err(y)) => {
                    return Err(crate::common::first_cause(classify(x), classify(y)));
                }
            };
            let outs = g
                .outputs
                .iter()
                .zip(&e.outputs)
                .map(|(a, b)| a.or(*b))
                .collect();
            (outs, g.stats, g.plan)
        }
        Mode::Garbler | Mode::Evaluator => {
            if !args.garbler.is_empty()
                || !args.evaluator.is_empty()
                || args.garbler_inputs.is_some()
                || args.evaluator_inputs.is_some()
            {
                return Err(usage(
                    "over the network each party names its own inputs with --input / --inputs",
                ));
            }
            let role = if args.mode == Mode::Garbler {
                Role::Garbler
            } else {
                Role::Evaluator
            };
            let mine = c
                .bind(
                    ring,
                    &pairs_with_file(&args.input, args.inputs_file.as_deref(), "--inputs")?,
                )
                .map_err(classify)?;
            check_owner(&c, &settings, &mine, role)?;
            if let Some(s) = &settings
                && let Some(i) = (0..c.inputs().len())
                    .find(|&i| s.owners[i] == role && !mine.iter().any(|m| m.0 == i))
            {
                return Err(usage(format!(
                    "input `{}` is not given",
                    c.inputs()[i].name
                )));
            }
            args.net.validate()?;
            let rt = runtime()?;
            let out: RunOutput = rt.block_on(async {
                let mut ch = args.net.open().await?;
                let r = run_options(&mut ch, &c, role, ring, &opts, &mine, &reveal)
                    .await
                    .map_err(classify);
                let _ = ch.close().await;
                r
            })?;
            (out.outputs, out.stats, out.plan)
        }
    };
    if args.explain {
        print!("{plan}");
    }
    print(
        &c,
        ring,
        args.scheme,
        &outputs,
        &stats,
        &plan,
        args.json,
        t0,
        load,
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn print(
    c: &ArithCircuit,
    ring: Ring,
    scheme: SchemeKind,
    outputs: &[Option<u64>],
    s: &duet_hybrid::RunStats,
    plan: &Plan,
    json: bool,
    t0: std::time::Instant,
    load: f64,
) {
    let named = c
        .outputs()
        .iter()
        .zip(outputs)
        .filter_map(|(o, v)| v.map(|v| (o.name.clone(), ring.format(v))));
    if json {
        let outs: serde_json::Map<String, serde_json::Value> = named
            .map(|(n, v)| (n, serde_json::Value::String(v)))
            .collect();
        let e = &s.engine;
        let stats = report::Stats {
            and_gates: e.and_gates,
            xor_gates: None,
            bytes_sent: s.bytes_sent,
            bytes_received: s.bytes_received,
            rounds: Some(e.rounds),
            seconds: report::since(t0),
            phases: report::Phases {
                load,
                run: s.seconds,
                ..Default::default()
            },
            ..Default::default()
        }
        .with("ell", ring.ell())
        .with("scheme", scheme.name())
        .with("multiplications", e.multiplications)
        .with("conversions", e.a2y + e.y2a)
        .with("a2y", e.a2y)
        .with("y2a", e.y2a)
        .with("garbled_ops", e.garbled_ops)
        .with("cots", e.cots)
        .with("layers", s.layers)
        .with(
            "plan",
            serde_json::json!({
                "strategy": plan.strategy.name(),
                "link": plan.link.to_string(),
                "layers": plan.layers,
                "regions": plan.regions.len(),
                "estimated_bytes": plan.estimate.bytes,
                "estimated_rounds": plan.estimate.rounds,
                "estimated_seconds": plan.estimate.seconds,
            }),
        );
        Report {
            outputs: outs,
            stats,
        }
        .print();
    } else {
        for (n, v) in named {
            println!("{n}={v}");
        }
    }
}
