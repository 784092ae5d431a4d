//! Private set intersection of two files (one item per line): the receiver learns which of
//! its lines the sender's file also holds; the sender learns nothing (KKRT16 OPRF PSI).
//! Both parties run in this process over the in-memory channel.
//!
//! ```text
//! cargo run --example psi_files                                  # two small sample files
//! cargo run --example psi_files -- --sender a.txt --receiver b.txt
//! ```

use std::path::PathBuf;

use anyhow::{Result, bail};
use duet::psi::{self, ItemSet, PsiConfig};
use duet::{ChannelConfig, duplex_pair, run_pair};

fn path(args: &[String], name: &str) -> Option<PathBuf> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
}

/// Runs the example; returns the common lines, in the receiver's file order.
pub fn run(args: &[String]) -> Result<Vec<String>> {
    let tmp = tempfile::tempdir()?;
    let (sender_file, receiver_file) = match (path(args, "--sender"), path(args, "--receiver")) {
        (Some(s), Some(r)) => (s, r),
        (None, None) => {
            let s = tmp.path().join("sender.txt");
            let r = tmp.path().join("receiver.txt");
            std::fs::write(
                &s,
                "ada@example.org\nbob@example.org\ncy@example.org\ndee@example.org\n",
            )?;
            std::fs::write(
                &r,
                "eve@example.org\ncy@example.org\nada@example.org\nfay@example.org\n",
            )?;
            println!("No files given: using two sample address lists.");
            (s, r)
        }
        _ => bail!("give both --sender FILE and --receiver FILE, or neither"),
    };
    let sender = ItemSet::from_file(&sender_file)?;
    let receiver = ItemSet::from_file(&receiver_file)?;
    println!(
        "PSI: the receiver ({}, {} lines) learns which of its lines are also in the sender's \
         file ({}, {} lines); the sender learns nothing.",
        receiver_file.display(),
        receiver.len(),
        sender_file.display(),
        sender.len()
    );
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let cfg = PsiConfig::default();
    let (s, r) = run_pair(
        async {
            let mut a = a;
            psi::sender(&mut a, sender.hashes(), &cfg).await
        },
        async {
            let mut b = b;
            psi::receiver(&mut b, receiver.hashes(), &cfg).await
        },
    )?;
    s?;
    let out = r?;
    let common: Vec<String> = out
        .intersection
        .iter()
        .map(|&i| String::from_utf8_lossy(receiver.item(i)).into_owned())
        .collect();
    println!("{} lines in common:", common.len());
    for line in &common {
        println!("  {line}");
    }
    Ok(common)
}

#[allow(dead_code)]
fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    run(&args).map(|_| ())
}
