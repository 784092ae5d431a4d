//! `gc-run info CIRCUIT [--json]`: what a circuit contains.

use anyhow::Result;
use clap::Args;
use duet_circuits::program_file::ProgramFile;
use duet_circuits::stats::Stats;
use std::path::Path;

use crate::circuit_arg::{CIRCUIT_HELP, load_circuit};
use crate::common::usage;
use crate::report::{self, Report};
use std::time::Instant;

/// Arguments of `gc-run info`.
#[derive(Args, Debug)]
#[command(
    about = "Show a circuit's gate counts, wires, inputs/outputs, AND-depth and peak live wires",
    long_about = "Show what a Bristol Fashion circuit contains: gates per type (AND counts every \
AND inside a MAND gate too; XOR and INV are free in garbling, AND costs two ciphertexts), the \
wire count, the input and output values with their widths in bits, the AND-depth, and the peak \
number of live wires (the labels a garbler or evaluator keeps in memory at once).\n\n\
Examples:\n  gc-run info aes_128\n  gc-run info my_circuit.txt --json"
)]
pub struct InfoArgs {
    #[arg(value_name = "CIRCUIT", help = CIRCUIT_HELP)]
    circuit: String,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// `info`'s statistics: the gate counts, no traffic, all time in `load`.
fn info_stats(and: u64, xor: u64, seconds: f64) -> report::Stats {
    report::Stats {
        and_gates: and,
        xor_gates: Some(xor),
        rounds: Some(0),
        seconds,
        phases: report::Phases {
            load: seconds,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// Run `gc-run info`.
pub fn run(args: InfoArgs) -> Result<()> {
    let t0 = Instant::now();
    let path = Path::new(&args.circuit);
    if path.is_file() && ProgramFile::is_saved(path) {
        return saved(&args, path, t0);
    }
    let c = load_circuit(&args.circuit)?;
    let s = Stats::of(&c);
    if args.json {
        let outputs = serde_json::json!({
            "circuit": args.circuit,
            "gates": s.gates,
            "inv_gates": s.inv,
            "eq_gates": s.eq,
            "eqw_gates": s.eqw,
            "mand_gates": s.mand_gates,
            "wires": s.wires,
            "inputs": s.inputs,
            "outputs": s.outputs,
            "and_depth": s.and_depth,
            "peak_live_wires": s.peak_live_wires,
        });
        let seconds = report::since(t0);
        Report {
            outputs,
            stats: info_stats(s.and, s.xor, seconds),
        }
        .print();
        return Ok(());
    }
    let widths = |w: &[u32]| {
        if w.is_empty() {
            "none".to_string()
        } else {
            w.iter()
                .enumerate()
                .map(|(i, b)| format!("#{i}: {b} bits"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    println!("circuit          {}", args.circuit);
    println!("gates            {}", s.gates);
    println!(
        "  AND            {}{}",
        s.and,
        if s.mand_gates > 0 {
            format!(" ({} in AND gates, the rest in MAND gates)", s.and_gates)
        } else {
            String::new()
        }
    );
    println!("  XOR            {}", s.xor);
    println!("  INV            {}", s.inv);
    println!("  EQ             {}", s.eq);
    println!("  EQW            {}", s.eqw);
    println!("  MAND           {}", s.mand_gates);
    println!("wires            {}", s.wires);
    println!(
        "inputs           {} value(s), {} bits: {}",
        s.inputs.len(),
        s.inputs.iter().map(|&x| x as u64).sum::<u64>(),
        widths(&s.inputs)
    );
    println!(
        "outputs          {} value(s), {} bits: {}",
        s.outputs.len(),
        s.outputs.iter().map(|&x| x as u64).sum::<u64>(),
        widths(&s.outputs)
    );
    println!("AND-depth        {}", s.and_depth);
    println!("peak live wires  {}", s.peak_live_wires);
    Ok(())
}

/// `info` of a saved program (`gc-run compile`): what it keeps (no INV/EQ/EQW counts, no
/// AND-depth).
fn saved(args: &InfoArgs, path: &Path, t0: Instant) -> Result<()> {
    let p = ProgramFile::open(path).map_err(|e| usage(format!("{}: {e}", args.circuit)))?;
    let digest: String = p.digest().iter().map(|b| format!("{b:02x}")).collect();
    if args.json {
        let outputs = serde_json::json!({
            "circuit": args.circuit,
            "saved_program": true,
            "gates": p.num_gates(),
            "wires": p.num_wires(),
            "inputs": p.inputs(),
            "outputs": p.outputs(),
            "peak_live_wires": p.shape().peak,
            "ops": p.len(),
            "digest": digest,
        });
        Report {
            outputs,
            stats: info_stats(p.and_count(), p.xor_count(), report::since(t0)),
        }
        .print();
        return Ok(());
    }
    let bits = |w: &[u32]| w.iter().map(|&x| x as u64).sum::<u64>();
    println!("circuit          {} (saved slot program)", args.circuit);
    println!("gates            {}", p.num_gates());
    println!("  AND            {}", p.and_count());
    println!("  XOR            {}", p.xor_count());
    println!("wires            {}", p.num_wires());
    println!(
        "inputs           {} value(s), {} bits",
        p.inputs().len(),
        bits(p.inputs())
    );
    println!(
        "outputs          {} value(s), {} bits",
        p.outputs().len(),
        bits(p.outputs())
    );
    println!("peak live wires  {}", p.shape().peak);
    println!("ops              {}", p.len());
    println!("digest           {digest}");
    Ok(())
}
