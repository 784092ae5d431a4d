//! `gc-run compile CIRCUIT --out PROG`: compile a Bristol file once into a saved slot
//! program that `local`, `garbler` and `evaluator` then run directly (no compilation,
//! streamed from disk).

use std::path::PathBuf;
use std::time::Instant;

use crate::circuit_arg::compile_file;
use crate::common::usage;
use anyhow::{Context, Result};
use clap::Args;

/// Arguments of `gc-run compile`.
#[derive(Args, Debug)]
#[command(
    about = "Compile a Bristol file into a saved slot program for later runs",
    long_about = "Compile a Bristol Fashion file into a slot program (liveness slots, 12 bytes \
per gate, with the circuit's digest and a checksum) and save it, so that later runs skip the \
compilation: pass PROG as the CIRCUIT of `gc-run local|garbler|evaluator`, which then read it \
as the run goes (memory independent of the circuit size). A saved program announces the digest \
of its own ops, so the peer runs the same saved program (copy PROG over, or compile the same file \
with the same Duet version).\n\nExample:\n  gc-run compile big.txt --out big.duet\n  gc-run \
garbler big.duet --listen 0.0.0.0:7000 --input 0=…"
)]
pub struct CompileArgs {
    /// The Bristol Fashion circuit file.
    #[arg(value_name = "CIRCUIT")]
    circuit: PathBuf,
    /// Where to write the saved program (refused if it exists, unless --force).
    #[arg(long, short, value_name = "PROG")]
    out: PathBuf,
    /// Overwrite PROG if it exists.
    #[arg(long)]
    force: bool,
}

/// Run `gc-run compile`.
pub fn run(args: CompileArgs) -> Result<()> {
    let t = Instant::now();
    if !args.force && args.out.exists() {
        return Err(usage(format!(
            "--out {}: the file exists; pass --force to overwrite it",
            args.out.display()
        )));
    }
    let p = compile_file(&args.circuit)?;
    p.save(&args.out)
        .with_context(|| format!("writing {}", args.out.display()))?;
    println!(
        "{}: {} gates ({} AND, {} XOR), {} ops, peak {} live wires, compiled in {:.2} s",
        args.out.display(),
        p.num_gates(),
        p.and_count(),
        p.xor_count(),
        p.len(),
        p.shape().peak,
        t.elapsed().as_secs_f64()
    );
    Ok(())
}
