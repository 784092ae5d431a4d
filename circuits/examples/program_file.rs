//! Compile a Bristol Fashion file into a [`ProgramFile`] and print its size, counts and the
//! time taken (for memory measurements with `/usr/bin/time -v`).
//!
//! ```text
//! cargo run --release -p duet-circuits --example program_file -- layered N OUT.txt
//! cargo run --release -p duet-circuits --example program_file -- compile FILE.txt [DIR]
//! cargo run --release -p duet-circuits --example program_file -- in-memory FILE.txt
//! ```
//!
//! `in-memory` does the same with `bristol::parse` and `SlotMap::compute`, for comparison.

use std::io::BufReader;
use std::path::Path;
use std::time::Instant;

use duet_circuits::liveness::SlotMap;
use duet_circuits::program_file::ProgramFile;
use duet_circuits::{bristol, digest, library};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["layered", n, out] => {
            let c = library::layered(n.parse()?)?;
            bristol::write(&c, std::fs::File::create(out)?)?;
            println!("{out}: {} gates, {} wires", c.num_gates(), c.num_wires());
        }
        ["compile", file, ref dir @ ..] => {
            let t = Instant::now();
            let r = BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
            let p = ProgramFile::compile_bristol(r, dir.first().map(Path::new))?;
            let digest: String = p.digest().iter().map(|b| format!("{b:02x}")).collect();
            println!(
                "{file}: {} gates, {} ops ({} AND, {} XOR), {} wires, peak {} live, \
                 {} bytes on disk, digest {digest}, {:.2} s",
                p.num_gates(),
                p.len(),
                p.and_count(),
                p.xor_count(),
                p.num_wires(),
                p.shape().peak,
                p.file().metadata()?.len(),
                t.elapsed().as_secs_f64()
            );
        }
        ["in-memory", file] => {
            let t = Instant::now();
            let r = BufReader::with_capacity(1 << 20, std::fs::File::open(file)?);
            let c = bristol::parse(r)?;
            let m = SlotMap::compute(&c);
            let digest: String = digest::of(&c).iter().map(|b| format!("{b:02x}")).collect();
            println!(
                "{file}: {} ops, peak {} live, digest {digest}, {:.2} s",
                m.len(),
                m.peak(),
                t.elapsed().as_secs_f64()
            );
        }
        _ => return Err("usage: layered N OUT | compile FILE [DIR] | in-memory FILE".into()),
    }
    Ok(())
}
