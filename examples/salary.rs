//! The typed API on two everyday questions, run by both parties in this process:
//! - whose 64-bit salary is higher, revealing only the comparison (not the salaries, not
//!   the difference);
//! - the average of two private vectors of measurements, revealing only the average and
//!   the largest value.
//!
//! ```text
//! cargo run --example salary
//! cargo run --example salary -- --alice 98000 --bob 104500
//! ```

use anyhow::{Context, Result, bail};
use duet::{Inputs, Program, Role};

/// Length of each party's private vector.
pub const N: usize = 8;

fn number(args: &[String], name: &str, default: u64) -> Result<u64> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => {
            let v = args.get(i + 1).context("missing value")?;
            v.parse()
                .with_context(|| format!("{name} {v}: not a number 0..2^64"))
        }
    }
}

/// Runs the example; returns (alice earns more, equal, average, maximum).
pub fn run(args: &[String]) -> Result<(bool, bool, u64, u32)> {
    let (alice, bob) = (
        number(args, "--alice", 98_000)?,
        number(args, "--bob", 104_500)?,
    );

    // 1. Salary comparison: two 64-bit secrets, two bools revealed to both.
    let p = Program::new();
    let a = p.input::<u64>("alice_salary", Role::Garbler)?;
    let b = p.input::<u64>("bob_salary", Role::Evaluator)?;
    p.output("alice_earns_more", a.gt(&b))?;
    p.output("same_salary", a.eq(&b))?;
    let salaries = p.compile()?;
    println!(
        "Salary comparison: Alice and Bob learn who earns more and whether they earn the \
         same, not the salaries ({} AND gates).",
        salaries.stats().and
    );
    let (g, e) = salaries.run_local(
        &Inputs::new().with("alice_salary", alice),
        &Inputs::new().with("bob_salary", bob),
    )?;
    let more = g.get::<bool>("alice_earns_more")?;
    let same = g.get::<bool>("same_salary")?;
    if more != e.get::<bool>("alice_earns_more")? {
        bail!("the parties disagree");
    }
    println!(
        "  -> {}",
        match (more, same) {
            (true, _) => "Alice earns more.",
            (false, true) => "They earn the same.",
            (false, false) => "Bob earns more.",
        }
    );

    // 2. Average of two private vectors of u32 measurements, summed in u64 (no overflow).
    let p = Program::new();
    let xs: Vec<_> = (0..N)
        .map(|i| p.input::<u32>(&format!("alice[{i}]"), Role::Garbler))
        .collect::<Result<_, _>>()?;
    let ys: Vec<_> = (0..N)
        .map(|i| p.input::<u32>(&format!("bob[{i}]"), Role::Evaluator))
        .collect::<Result<_, _>>()?;
    let all: Vec<_> = xs.iter().chain(&ys).collect();
    let mut sum = p.constant(0u64);
    let mut max = all[0].clone();
    for v in &all {
        sum = sum + v.cast::<u64>();
        max = max.max(v);
    }
    p.output("average", sum / (2 * N as u64))?;
    p.output("maximum", max)?;
    let average = p.compile()?;
    println!(
        "Average of two private vectors of {N} measurements each: both learn the average \
         (rounded down) and the maximum, nothing else ({} AND gates).",
        average.stats().and
    );
    let (mut gi, mut ei) = (Inputs::new(), Inputs::new());
    let alice_v: Vec<u32> = (0..N as u32).map(|i| 1000 + 37 * i).collect();
    let bob_v: Vec<u32> = (0..N as u32).map(|i| 2000 - 11 * i * i).collect();
    for i in 0..N {
        gi.set(&format!("alice[{i}]"), alice_v[i]);
        ei.set(&format!("bob[{i}]"), bob_v[i]);
    }
    let (g, _e) = average.run_local(&gi, &ei)?;
    let avg = g.get::<u64>("average")?;
    let max = g.get::<u32>("maximum")?;
    println!("  -> average {avg}, maximum {max}");
    Ok((more, same, avg, max))
}

#[allow(dead_code)]
fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args).map(|_| ())
}
