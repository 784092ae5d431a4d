//! `gc-run eval CIRCUIT --input HEX … [--json]`: plaintext evaluation.

use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use duet_circuits::{eval, values};

use crate::circuit_arg::{CIRCUIT_HELP, Loaded, load_any, parse_all_inputs};
use crate::common::usage;
use crate::report::{self, Report};

/// Arguments of `gc-run eval`.
#[derive(Args, Debug)]
#[command(
    about = "Evaluate a circuit in the clear on given inputs (no cryptography)",
    long_about = "Evaluate a Bristol Fashion circuit in the clear and print each output value as \
hex, one line per output value, in the order of the circuit's header.\n\n\
Values are big-endian hex: wire k of a value carries bit k of the number, so the AES key \
000102...0f and the FIPS-197 plaintext are written as in the standard. Bare hex must have exactly \
the width's digit count (ceil(bits/4), or the byte-padded count outputs use), so a dropped digit \
is an error; 0x... is a hex number and may be shorter; d:42 and d:-5 are decimal.\n\n\
Example (AES-128, key then plaintext):\n  gc-run eval aes_128 --input 000102030405060708090a0b0c0d0e0f \
--input 00112233445566778899aabbccddeeff\n  prints 69c4e0d86a7b0430d8cdb78070b4c55a"
)]
pub struct EvalArgs {
    #[arg(value_name = "CIRCUIT", help = CIRCUIT_HELP)]
    circuit: String,
    /// One input value as hex; repeat once per input value of the circuit, in header order
    /// (see `gc-run info CIRCUIT` for the inputs and their widths).
    #[arg(long = "input", value_name = "HEX")]
    inputs: Vec<String>,
    /// All input values as a JSON object {"I": "HEX" or integer, …}, one entry per input
    /// value (I = index in the header), instead of --input.
    #[arg(long = "inputs", value_name = "FILE", conflicts_with = "inputs")]
    inputs_file: Option<std::path::PathBuf>,
    /// Print one JSON object {"outputs": [hex…], "stats": {…}} instead of lines.
    #[arg(long)]
    json: bool,
    /// Compile the file to a slot program on disk and evaluate it as it is read (memory
    /// independent of the circuit size; automatic for files over 256 MiB and for saved
    /// programs from `gc-run compile`).
    #[arg(long)]
    stream: bool,
}

/// The values of a JSON inputs file in header order; every index `0..n` exactly once.
fn in_header_order(n: usize, path: &std::path::Path) -> Result<Vec<String>> {
    let what = format!("--inputs {}", path.display());
    let m = crate::inputs_file::read_object(path, "--inputs")?;
    let mut values: Vec<Option<String>> = vec![None; n];
    for e in crate::inputs_file::bristol_entries(&m, &what)? {
        let (i, v) = e.split_once('=').unwrap_or((&e, ""));
        let idx = i.parse::<usize>().ok().filter(|&k| k < n).ok_or_else(|| {
            usage(format!(
                "{what}: `{i}` is not an input index of this circuit (0..{})",
                n.saturating_sub(1)
            ))
        })?;
        values[idx] = Some(v.to_string());
    }
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| v.ok_or_else(|| usage(format!("{what}: input {i} is missing"))))
        .collect()
}

/// Run `gc-run eval`.
pub fn run(args: EvalArgs) -> Result<()> {
    let t0 = Instant::now();
    let loaded = load_any(&args.circuit, args.stream)?;
    let given = match &args.inputs_file {
        Some(path) => in_header_order(loaded.inputs().len(), path)?,
        None => args.inputs.clone(),
    };
    let inputs = parse_all_inputs(loaded.inputs(), &given)?;
    let load = report::since(t0);
    let t = Instant::now();
    let (outputs, and_gates, xor_gates) = match &loaded {
        Loaded::Memory(c) => {
            let out = eval::evaluate(c, &inputs).map_err(|e| usage(e.to_string()))?;
            let xor = c
                .gates()
                .filter(|g| matches!(g, duet_circuits::Gate::Xor { .. }))
                .count() as u64;
            (out, c.and_count(), xor)
        }
        Loaded::File(p) => {
            let mut ops = p.ops().context("opening the slot program")?;
            let out = eval::evaluate_program(p.shape(), p.inputs(), p.outputs(), &mut ops, &inputs)
                .map_err(|e| match e {
                    eval::EvalError::Program(m) => anyhow::anyhow!("{}: {m}", args.circuit),
                    e => usage(e.to_string()),
                })?;
            (out, p.and_count(), p.xor_count())
        }
    };
    let run = t.elapsed().as_secs_f64();
    let hex: Vec<String> = outputs.iter().map(values::to_hex).collect();
    if args.json {
        Report {
            outputs: hex,
            stats: report::Stats {
                and_gates,
                xor_gates: Some(xor_gates),
                rounds: Some(0),
                seconds: report::since(t0),
                phases: report::Phases {
                    load,
                    run,
                    ..Default::default()
                },
                ..Default::default()
            },
        }
        .print();
    } else {
        for h in hex {
            println!("{h}");
        }
    }
    Ok(())
}
