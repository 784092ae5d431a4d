//! `gc-run psi`: private set intersection, semi-honest: KKRT16 (batched OPRF, the default)
//! or RR22 (`--protocol rr22`: OKVS + VOLE from Ferret or IKNP COTs, `--ot`).
//!
//! Items are the lines of a file (CRLF tolerated, empty lines skipped, duplicates counted
//! once). The receiver prints the intersecting items in its file's order, one per line; the
//! sender prints nothing (or its costs with `--json`). Both set sizes are revealed. The
//! protocol is named in the PSI hello: two parties running different ones both stop.

use crate::common::usage;
use crate::net_args::NetArgs;
use crate::report::{self, Report};
use anyhow::Context;
use clap::{Args, Subcommand};
use duet::psi::cardinality::CardinalityOutput;
use duet::psi::rr22::CotSource;
use duet::psi::{self, ItemSet, PsiConfig, PsiError, PsiOutput, PsiStats};
use duet_core::Block;
use duet_net::{Channel, Link};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// `gc-run psi …`
#[derive(Args, Debug)]
pub struct PsiArgs {
    #[command(subcommand)]
    mode: Mode,
}

/// The protocol options every mode takes (both parties must give the same).
#[derive(Args, Debug, Clone, Copy)]
struct Proto {
    /// The PSI protocol: kkrt16 (KKRT16 batched OPRF; the default) or rr22 (RR22 OKVS +
    /// subfield VOLE).
    #[arg(long, value_enum)]
    protocol: Option<ProtoArg>,
    /// Where rr22 takes its COTs: ferret (silent, few bytes) or iknp (16 B per COT).
    #[arg(long = "ot", value_enum, default_value_t = OtArg::Ferret)]
    ot: OtArg,
    /// The receiver learns only the size of the intersection (RR22 OPRF + OKVS + a garbled
    /// counting circuit; `duet::psi::cardinality`).
    #[arg(long)]
    cardinality: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ProtoArg {
    Kkrt16,
    Rr22,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum OtArg {
    Ferret,
    Iknp,
}

/// The receiver's result: the intersection, or only its size.
enum RecvOut {
    Items(PsiOutput),
    Count(CardinalityOutput),
}

impl Proto {
    fn validate(self) -> anyhow::Result<()> {
        if self.cardinality && self.protocol == Some(ProtoArg::Kkrt16) {
            return Err(usage(
                "--cardinality is built on the rr22 OPRF; drop --protocol kkrt16",
            ));
        }
        Ok(())
    }

    fn protocol(self) -> ProtoArg {
        match (self.cardinality, self.protocol) {
            (true, _) => ProtoArg::Rr22,
            (false, p) => p.unwrap_or(ProtoArg::Kkrt16),
        }
    }

    fn source(self) -> CotSource {
        match self.ot {
            OtArg::Ferret => CotSource::Ferret,
            OtArg::Iknp => CotSource::Iknp,
        }
    }

    fn name(self) -> &'static str {
        match (self.cardinality, self.protocol()) {
            (true, _) => "rr22-cardinality",
            (false, ProtoArg::Kkrt16) => "kkrt16",
            (false, ProtoArg::Rr22) => "rr22",
        }
    }

    async fn sender(
        self,
        mut ch: Channel,
        items: &[Block],
        cfg: &PsiConfig,
    ) -> Result<(PsiStats, Channel), PsiError> {
        if self.cardinality {
            return psi::cardinality::sender(ch, items, cfg, self.source()).await;
        }
        let s = match self.protocol() {
            ProtoArg::Kkrt16 => psi::sender(&mut ch, items, cfg).await?,
            ProtoArg::Rr22 => psi::rr22::sender(&mut ch, items, cfg, self.source()).await?,
        };
        Ok((s, ch))
    }

    async fn receiver(
        self,
        mut ch: Channel,
        items: &[Block],
        cfg: &PsiConfig,
    ) -> Result<(RecvOut, Channel), PsiError> {
        if self.cardinality {
            let (o, ch) = psi::cardinality::receiver(ch, items, cfg, self.source()).await?;
            return Ok((RecvOut::Count(o), ch));
        }
        let o = match self.protocol() {
            ProtoArg::Kkrt16 => psi::receiver(&mut ch, items, cfg).await?,
            ProtoArg::Rr22 => psi::rr22::receiver(&mut ch, items, cfg, self.source()).await?,
        };
        Ok((RecvOut::Items(o), ch))
    }
}

#[derive(Subcommand, Debug)]
enum Mode {
    /// Hold a set and learn nothing; the receiver learns the intersection.
    Sender {
        /// File with one item per line.
        #[arg(long = "input", alias = "set", value_name = "FILE")]
        set: PathBuf,
        #[command(flatten)]
        net: NetArgs,
        #[command(flatten)]
        proto: Proto,
        /// Print the costs as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Hold a set and learn its intersection with the sender's set.
    Receiver {
        /// File with one item per line.
        #[arg(long = "input", alias = "set", value_name = "FILE")]
        set: PathBuf,
        #[command(flatten)]
        net: NetArgs,
        #[command(flatten)]
        proto: Proto,
        /// Print the items, count and costs as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Both parties in this process (over an in-memory channel); prints the receiver's view.
    Local {
        /// The sender's file.
        #[arg(long = "sender-input", alias = "sender-set", value_name = "FILE")]
        sender_set: PathBuf,
        /// The receiver's file.
        #[arg(long = "receiver-input", alias = "receiver-set", value_name = "FILE")]
        receiver_set: PathBuf,
        #[command(flatten)]
        proto: Proto,
        /// Simulate a network link between the two parties, both directions: RATE[,RTT],
        /// e.g. 100mbit,20ms (see `gc-run local --link`).
        #[arg(long, value_name = "RATE[,RTT]")]
        link: Option<Link>,
        /// Print the items, count and costs as one JSON object.
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
    if items < 1 << 16 || !crate::progress::enabled() {
        return (cfg, None);
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(crate::progress::style(
        "psi {bar:40} {percent:>3}% {rate} {elapsed_precise} eta {eta}",
    ));
    let b = bar.clone();
    cfg.progress = Some(Arc::new(move |done, total| {
        b.set_length(total);
        b.set_position(done);
    }));
    (cfg, Some(bar))
}

fn print_receiver(
    set: &ItemSet,
    out: &RecvOut,
    (seconds, load): (f64, f64),
    json: bool,
    proto: Proto,
) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut w = std::io::BufWriter::new(stdout.lock());
    match out {
        RecvOut::Count(c) if json => {
            let stats = psi_stats(&c.stats, seconds, load, proto);
            let outputs = serde_json::json!({ "count": c.count });
            writeln!(w, "{}", serde_json::to_string(&Report { outputs, stats })?)?;
        }
        RecvOut::Count(c) => writeln!(w, "{}", c.count)?,
        RecvOut::Items(out) if json => {
            let stats = psi_stats(&out.stats, seconds, load, proto);
            let items: Vec<serde_json::Value> = out
                .intersection
                .iter()
                .map(|&i| serde_json::Value::from(String::from_utf8_lossy(set.item(i))))
                .collect();
            let outputs = serde_json::json!({ "count": items.len(), "items": items });
            writeln!(w, "{}", serde_json::to_string(&Report { outputs, stats })?)?;
        }
        RecvOut::Items(out) => {
            for &i in &out.intersection {
                w.write_all(set.item(i))?;
                w.write_all(b"\n")?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// PSI's figures in the one schema: `setup` is the hello, `ot` the VOLE (RR22; KKRT16's
/// base OT and OPRF are in `run`), `run` the rest; every protocol phase is also listed in
/// `psi_phases` (seconds).
fn psi_stats(s: &PsiStats, seconds: f64, load: f64, proto: Proto) -> report::Stats {
    let secs = |name: &str| {
        s.phases
            .iter()
            .filter(|&&(n, _)| n == name)
            .map(|&(_, us)| us as f64 / 1e6)
            .sum::<f64>()
    };
    let (setup, ot) = (secs("hello"), secs("vole"));
    let psi_phases: serde_json::Map<String, serde_json::Value> = s
        .phases
        .iter()
        .map(|&(name, us)| (name.to_string(), serde_json::Value::from(us as f64 / 1e6)))
        .collect();
    report::Stats {
        and_gates: 0,
        xor_gates: None,
        bytes_sent: s.bytes_sent,
        bytes_received: s.bytes_received,
        rounds: None,
        seconds,
        phases: report::Phases {
            load,
            setup,
            ot,
            run: (seconds - load - setup - ot).max(0.0),
        },
        ..Default::default()
    }
    .with("protocol", proto.name())
    .with(
        "ot",
        match (proto.protocol(), proto.ot) {
            (ProtoArg::Kkrt16, _) => "base",
            (ProtoArg::Rr22, OtArg::Ferret) => "ferret",
            (ProtoArg::Rr22, OtArg::Iknp) => "iknp",
        },
    )
    .with("psi_phases", psi_phases)
    .with("sender_size", s.sender_size)
    .with("receiver_size", s.receiver_size)
    .with("bins", s.bins)
    .with("value_bytes", s.value_bytes)
    .with("cuckoo_attempts", s.cuckoo_attempts)
}

/// Run `gc-run psi`.
pub fn run(args: PsiArgs) -> anyhow::Result<()> {
    match args.mode {
        Mode::Sender {
            set,
            net,
            proto,
            json,
        } => {
            let t0 = Instant::now();
            net.validate()?;
            proto.validate()?;
            let items = read_set(&set, "--input")?;
            let load = report::since(t0);
            let (cfg, bar) = config(items.len());
            let rt = crate::common::runtime()?;
            let stats = rt.block_on(async {
                let ch = net.open().await?;
                let (s, mut ch) = proto
                    .sender(ch, items.hashes(), &cfg)
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
                // the sender learns nothing
                Report {
                    outputs: serde_json::Value::Null,
                    stats: psi_stats(&stats, report::since(t0), load, proto),
                }
                .print();
            }
            Ok(())
        }
        Mode::Receiver {
            set,
            net,
            proto,
            json,
        } => {
            let t0 = Instant::now();
            net.validate()?;
            proto.validate()?;
            let items = read_set(&set, "--input")?;
            let load = report::since(t0);
            let (cfg, bar) = config(items.len());
            let rt = crate::common::runtime()?;
            let out = rt.block_on(async {
                let ch = net.open().await?;
                let (o, mut ch) = proto
                    .receiver(ch, items.hashes(), &cfg)
                    .await
                    .context("PSI receiver")?;
                let _ = ch.close().await;
                anyhow::Ok(o)
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            print_receiver(&items, &out?, (report::since(t0), load), json, proto)
        }
        Mode::Local {
            sender_set,
            receiver_set,
            proto,
            link,
            json,
        } => {
            proto.validate()?;
            let t0 = Instant::now();
            let (s_items, r_items) = std::thread::scope(|sc| {
                let h = sc.spawn(|| read_set(&sender_set, "--sender-input"));
                let r = read_set(&receiver_set, "--receiver-input");
                (h.join().expect("reader thread"), r)
            });
            let (s_items, r_items) = (s_items?, r_items?);
            let load = report::since(t0);
            let (cfg, bar) = config(r_items.len().max(s_items.len()));
            let rt = crate::common::runtime()?;
            let out = rt.block_on(async {
                let (a, b) =
                    duet_net::duplex_pair(&duet_net::ChannelConfig::default().with_link(link));
                let s_hashes = s_items.hashes().to_vec();
                let scfg = PsiConfig::default();
                let st = tokio::spawn(async move { proto.sender(a, &s_hashes, &scfg).await });
                let r = proto.receiver(b, r_items.hashes(), &cfg).await;
                let s = st.await.context("sender task")?.context("PSI sender");
                let r = r.context("PSI receiver");
                // the error of the party that detected the problem, not the other's echo
                match (s, r) {
                    (Ok(_), Ok((r, _))) => anyhow::Ok(r),
                    (Err(x), Ok(_)) => Err(x),
                    (Ok(_), Err(y)) => Err(y),
                    (Err(x), Err(y)) => Err(crate::common::first_cause(y, x)),
                }
            });
            if let Some(b) = bar {
                b.finish_and_clear();
            }
            print_receiver(&r_items, &out?, (report::since(t0), load), json, proto)
        }
    }
}
