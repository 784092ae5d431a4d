//! `gc-run psi`: private set intersection (KKRT16 batched OPRF, semi-honest).
//!
//! Items are the lines of a file (CRLF tolerated, empty lines skipped, duplicates counted
//! once). The receiver prints the intersecting items in its file's order, one per line; the
//! sender prints nothing (or its costs with `--json`). Both set sizes are revealed.

use crate::common::usage;
use crate::net_args::NetArgs;
use anyhow::Context;
use clap::{Args, Subcommand};
use duet::psi::{self, ItemSet, PsiConfig, PsiOutput, PsiStats};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// `gc-run psi …`
#[derive(Args, Debug)]
pub struct PsiArgs {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// Hold a set and learn nothing; the receiver learns the intersection.
    Sender {
        /// File with one item per line.
        #[arg(long, value_name = "FILE")]
        set: PathBuf,
        #[command(flatten)]
        net: NetArgs,
        /// Print the costs as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Hold a set and learn its intersection with the sender's set.
    Receiver {
        /// File with one item per line.
        #[arg(long, value_name = "FILE")]
        set: PathBuf,
        #[command(flatten)]
        net: NetArgs,
        /// Print count and costs as one JSON object instead of the items.
        #[arg(long)]
        json: bool,
    },
    /// Both parties in this process (over an in-memory channel); prints the receiver's view.
    Local {
        /// The sender's file.
        #[arg(long, value_name = "FILE")]
        sender_set: PathBuf,
        /// The receiver's file.
        #[arg(long, value_name = "FILE")]
        receiver_set: PathBuf,
        /// Print count and costs as one JSON object instead of the items.
        #[arg(long)]
        json: bool,
    },
}

fn read_set(path: &Path, flag: &str) -> anyhow::Result<ItemSet> {
    ItemSet::from_file(path)
        .map_err(|e| usage(format!("cannot read {flag} {}: {e}", path.display())))
}

/// A progress bar on stderr for runs of at least 2^16 items when stderr is a terminal.
fn config(items: usize) -> (PsiConfig, Option<indicatif::ProgressBar>) {
    let mut cfg = PsiConfig::default();
    if items < 1 << 16 || !std::io::stderr().is_terminal() {
        return (cfg, None);
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "psi {bar:40} {percent:>3}% {elapsed_precise} eta {eta}",
    ) {
        bar.set_style(style);
    }
    let b = bar.clone();
    cfg.progress = Some(Arc::new(move |done, total| {
        b.set_length(total);
        b.set_position(done);
    }));
    (cfg, Some(bar))
}

fn print_receiver(set: &ItemSet, out: &PsiOutput, seconds: f64, json: bool) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    if json {
        let v = stats_json(&out.stats, seconds, Some(out.intersection.len()));
        writeln!(w, "{v}")?;
    } else {
        for &i in &out.intersection {
            w.write_all(set.item(i))?;
            w.write_all(b"\n")?;
        }
    }
    w.flush()?;
    Ok(())
}

fn stats_json(s: &PsiStats, seconds: f64, count: Option<usize>) -> serde_json::Value {
    serde_json::json!({
        "count": count,
        "bytes_sent": s.bytes_sent,
        "bytes_received": s.bytes_received,
        "seconds": seconds,
        "sender_size": s.sender_size,
        "receiver_size": s.receiver_size,
        "bins": s.bins,
        "value_bytes": s.value_bytes,
        "cuckoo_attempts": s.cuckoo_attempts,
    })
}

/// Run `gc-run psi`.
pub fn run(args: PsiArgs) -> anyhow::Result<()> {
    match args.mode {
        Mode::Sender { set, net, json } => {
            net.validate()?;
            let items = read_set(&set, "--set")?;
            let (cfg, bar) = config(items.len());
            let rt = crate::common::runtime()?;
            let t0 = Instant::now();
            let stats = rt.block_on(async {
                let mut ch = net.open().await?;
                let s = psi::sender(&mut ch, items.hashes(), &cfg)
                    .await
                    .context("PSI sender")?;
                let _ = ch.close().await;
                anyhow::Ok(s)
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            let stats = stats?;
            if json {
                println!("{}", stats_json(&stats, t0.elapsed().as_secs_f64(), None));
            }
            Ok(())
        }
        Mode::Receiver { set, net, json } => {
            net.validate()?;
            let items = read_set(&set, "--set")?;
            let (cfg, bar) = config(items.len());
            let rt = crate::common::runtime()?;
            let t0 = Instant::now();
            let out = rt.block_on(async {
                let mut ch = net.open().await?;
                let o = psi::receiver(&mut ch, items.hashes(), &cfg)
                    .await
                    .context("PSI receiver")?;
                let _ = ch.close().await;
                anyhow::Ok(o)
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            print_receiver(&items, &out?, t0.elapsed().as_secs_f64(), json)
        }
        Mode::Local {
            sender_set,
            receiver_set,
            json,
        } => {
            let t0 = Instant::now();
            let (s_items, r_items) = std::thread::scope(|sc| {
                let h = sc.spawn(|| read_set(&sender_set, "--sender-set"));
                let r = read_set(&receiver_set, "--receiver-set");
                (h.join().expect("reader thread"), r)
            });
            let (s_items, r_items) = (s_items?, r_items?);
            let (cfg, bar) = config(r_items.len().max(s_items.len()));
            let rt = crate::common::runtime()?;
            let out = rt.block_on(async {
                let (mut a, mut b) = duet_net::duplex_pair(&Default::default());
                let s_hashes = s_items.hashes().to_vec();
                let scfg = PsiConfig::default();
                let st = tokio::spawn(async move { psi::sender(&mut a, &s_hashes, &scfg).await });
                let r = psi::receiver(&mut b, r_items.hashes(), &cfg).await;
                let s = st.await.context("sender task")?.context("PSI sender");
                let r = r.context("PSI receiver");
                // the error of the party that detected the problem, not the other's echo
                match (s, r) {
                    (Ok(_), Ok(r)) => anyhow::Ok(r),
                    (Err(x), Ok(_)) => Err(x),
                    (Ok(_), Err(y)) => Err(y),
                    (Err(x), Err(y)) => Err(crate::common::first_cause(y, x)),
                }
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            print_receiver(&r_items, &out?, t0.elapsed().as_secs_f64(), json)
        }
    }
}
