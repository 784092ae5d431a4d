//! A circom-2-arithc circuit folder (`circuit.txt` + `circuit_info.json`) run two-party on
//! additive shares mod 2^64, with comparisons garbled (Duet's hybrid layer). By default a
//! sealed-bid second-price auction: the garbler holds bids 0–2, the evaluator bids 3–5;
//! both learn only the winner and the price.
//!
//! ```text
//! cargo run --example circom
//! cargo run --example circom -- DIR --garbler-input 0.a=3 --evaluator-input 0.b=4
//! ```

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use duet::hybrid::{ArithCircuit, Reveal, Ring, Role, run};
use duet::{ChannelConfig, duplex_pair, run_pair};

fn pairs(args: &[String], flag: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for w in args.windows(2) {
        if w[0] == flag {
            let (n, v) = w[1]
                .split_once('=')
                .with_context(|| format!("{flag} {}: expected NAME=INT", w[1]))?;
            out.push((n.to_owned(), v.to_owned()));
        }
    }
    Ok(out)
}

/// Runs the example; returns the outputs as `NAME=VALUE` (signed decimal), circuit order.
pub fn run_example(args: &[String]) -> Result<Vec<String>> {
    let default_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("hybrid/tests/data/arith/auction_second_price");
    let dir = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .map_or(default_dir, PathBuf::from);
    let (mut g, mut e) = (
        pairs(args, "--garbler-input")?,
        pairs(args, "--evaluator-input")?,
    );
    if g.is_empty() && e.is_empty() {
        let bid = |i: usize, v: &str| (format!("0.bids[{i}]"), v.to_owned());
        g = vec![bid(0, "100"), bid(1, "250"), bid(2, "180")];
        e = vec![bid(3, "90"), bid(4, "240"), bid(5, "30")];
    }
    let c = ArithCircuit::load(&dir)?;
    let ring = Ring::new(64)?;
    let gi = c.bind(ring, &g)?;
    let ei = c.bind(ring, &e)?;
    println!(
        "Running {} two-party: {} inputs from the garbler, {} from the evaluator, {} outputs \
         revealed to both; the inputs stay private.",
        dir.display(),
        gi.len(),
        ei.len(),
        c.outputs().len()
    );
    let reveal = vec![Reveal::BOTH; c.outputs().len()];
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let (go, eo) = run_pair(
        async {
            let mut a = a;
            run(&mut a, &c, Role::Garbler, ring, &gi, &reveal).await
        },
        async {
            let mut b = b;
            run(&mut b, &c, Role::Evaluator, ring, &ei, &reveal).await
        },
    )?;
    let (go, eo) = (go?, eo?);
    if go.outputs != eo.outputs {
        bail!("the parties disagree");
    }
    let lines: Vec<String> = c
        .outputs()
        .iter()
        .zip(&go.outputs)
        .map(|(o, v)| {
            format!(
                "{}={}",
                o.name,
                v.map_or_else(|| "?".into(), |v| ring.format(v))
            )
        })
        .collect();
    for l in &lines {
        println!("  {l}");
    }
    Ok(lines)
}

#[allow(dead_code)]
fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run_example(&args).map(|_| ())
}
