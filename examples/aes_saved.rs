//! AES-128 from Duet's circuit library, compiled once to a saved slot program on disk and
//! run two-party from that file: the garbler holds the key, the evaluator the plaintext,
//! both learn the ciphertext. A saved program is read chunk by chunk as the run goes, so
//! circuits far larger than memory run the same way.
//!
//! ```text
//! cargo run --example aes_saved
//! cargo run --example aes_saved -- --save /tmp/aes_128.duet   # keep the saved program
//! ```

use std::path::PathBuf;

use anyhow::{Result, bail};
use duet::circuits::program_file::ProgramFile;
use duet::{
    ChannelConfig, OutputPolicy, Prepared, Session, SessionOptions, duplex_pair, library, run_pair,
    values,
};

/// FIPS-197 appendix C.1: key, plaintext and ciphertext.
pub const KEY: &str = "000102030405060708090a0b0c0d0e0f";
/// FIPS-197 C.1 plaintext.
pub const PLAINTEXT: &str = "00112233445566778899aabbccddeeff";
/// FIPS-197 C.1 ciphertext.
pub const CIPHERTEXT: &str = "69c4e0d86a7b0430d8cdb78070b4c55a";

/// Runs the example; returns the ciphertext hex.
pub fn run(args: &[String]) -> Result<String> {
    let tmp = tempfile::tempdir()?;
    let path = match args.iter().position(|a| a == "--save") {
        Some(i) => PathBuf::from(args.get(i + 1).map_or("aes_128.duet", String::as_str)),
        None => tmp.path().join("aes_128.duet"),
    };
    let text = library::builtin("aes_128").expect("aes_128 ships with Duet");
    let compiled = ProgramFile::compile_bristol(text.as_bytes(), Some(tmp.path()))?;
    compiled.save(&path)?;
    println!(
        "Compiled the library's AES-128 circuit ({} AND gates) to a saved program: {} ({} bytes).",
        compiled.and_count(),
        path.display(),
        std::fs::metadata(&path)?.len()
    );
    let prepared = Prepared::from_file(ProgramFile::open(&path)?);
    println!(
        "Running it two-party from the file: the garbler's key and the evaluator's plaintext \
         stay private; both learn the ciphertext."
    );
    let key = values::parse_hex(KEY, 128)?;
    let pt = values::parse_hex(PLAINTEXT, 128)?;
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let (g, e) = run_pair(
        async {
            let mut s = Session::garbler(a, SessionOptions::default()).await?;
            s.run_prepared(&prepared, &[(0, key)], OutputPolicy::Both)
                .await
        },
        async {
            let mut s = Session::evaluator(b, SessionOptions::default()).await?;
            s.run_prepared(&prepared, &[(1, pt)], OutputPolicy::Both)
                .await
        },
    )?;
    let (g, e) = (g?, e?);
    if g != e {
        bail!("the parties disagree");
    }
    let ct = values::to_hex(&g[0]);
    println!("AES-128({KEY}, {PLAINTEXT}) = {ct}");
    if ct != CIPHERTEXT {
        bail!("expected {CIPHERTEXT} (FIPS-197 C.1)");
    }
    println!("This is the FIPS-197 known answer.");
    Ok(ct)
}

#[allow(dead_code)]
fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args).map(|_| ())
}
