//! `gc-run speed`: throughput on this machine, like `openssl speed`.
//!
//! Both parties run in this process (two tokio tasks over an in-memory duplex channel) unless
//! `--listen` / `--connect` is given, in which case this process plays one party over TCP
//! (the `--listen` side is the OT sender, the `--connect` side the receiver; start both with
//! the same options).

use crate::common::usage;
use crate::net_args::NetArgs;
use anyhow::Context;
use clap::{Args, ValueEnum};
use duet_core::{Block, Delta};
use duet_gc::{HalfGates, Scheme, SchemeKind, ThreeHalves};
use duet_net::{Channel, ChannelConfig, duplex_pair, run_pair};
use duet_ot::{CotReceiver, CotReceiverExt, CotSender, CotSenderExt, Security};
use std::time::{Duration, Instant};

/// What to measure.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpeedTarget {
    /// Base OT (128) and IKNP/KOS OT extension: random COT (into a reused output buffer),
    /// random OT and chosen-message OT (fresh output vectors).
    Ot,
    /// Half-gates garbling: the AND-gate kernel (`--count` gates) and Bristol `aes_128` per block.
    Garble,
    /// Half-gates evaluation: the AND-gate kernel (`--count` gates) and Bristol `aes_128` per block.
    Evaluate,
    /// Two-party run in this process: `aes_128` first block (incl. base OT), amortised over
    /// 1 000 blocks in one session, and a layered circuit of min(`--count`, 2^22) AND gates.
    #[value(name = "2pc")]
    TwoPc,
}

/// The OT extension of `gc-run speed ot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OtSource {
    /// IKNP (KOS15 with --malicious): 16 bytes per COT
    Iknp,
    /// Ferret (YWLZW20, Table 2 parameters): well under a bit per COT
    Ferret,
}

/// Arguments of `gc-run speed`.
#[derive(Args, Debug)]
pub struct SpeedArgs {
    /// What to measure.
    #[arg(value_enum)]
    pub target: SpeedTarget,
    /// Number of items (OTs) per measurement.
    #[arg(long, default_value_t = 1 << 24)]
    pub count: usize,
    /// Malicious security (OT: the KOS15 consistency check; Ferret: its SPCOT check too).
    #[arg(long)]
    pub malicious: bool,
    /// `speed ot`: the OT extension measured: IKNP (KOS15 with --malicious) and its derived
    /// OTs, or Ferret silent OT (random COT, bootstrapped from base OT and IKNP/KOS).
    #[arg(long = "ot", value_enum, default_value_t = OtSource::Iknp)]
    pub ot: OtSource,
    /// The garbling scheme of `garble`, `evaluate` and `2pc`: half-gates or three-halves.
    #[arg(long, value_name = "SCHEME", default_value_t = duet_gc::SchemeKind::HalfGates)]
    pub scheme: duet_gc::SchemeKind,
    /// One JSON object per line: {"name", "items", "unit", "seconds", "per_second", "bytes_per_item"}.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub net: NetArgs,
}

/// One measurement.
pub(crate) struct Row {
    /// measurement name
    pub(crate) name: &'static str,
    /// items processed
    pub(crate) items: usize,
    /// unit of an item (`COT`, `OT`, `AND`, `block`)
    pub(crate) unit: &'static str,
    /// wall-clock seconds
    pub(crate) seconds: f64,
    /// bytes both parties sent
    pub(crate) bytes: u64,
}

impl Row {
    fn print(&self, json: bool) {
        let per_second = self.items as f64 / self.seconds.max(1e-9);
        let bpi = if self.items == 0 {
            0.0
        } else {
            self.bytes as f64 / self.items as f64
        };
        if json {
            println!(
                "{}",
                serde_json::json!({
                    "name": self.name,
                    "items": self.items,
                    "unit": self.unit,
                    "seconds": self.seconds,
                    "per_second": per_second,
                    "bytes_per_item": bpi,
                })
            );
        } else if per_second < 1e5 {
            // slow items (AES blocks): time per item reads better than a rate in millions
            println!(
                "{:<12} {:>10} {:<4} in {:>8.4} s: {:>9.1} µs/{}, {:>10.2} B/{}",
                self.name,
                self.items,
                self.unit,
                self.seconds,
                1e6 / per_second,
                self.unit,
                bpi,
                self.unit
            );
        } else {
            println!(
                "{:<12} {:>10} {:<4} in {:>8.4} s: {:>9.2} M {}/s, {:>10.2} B/{}",
                self.name,
                self.items,
                self.unit,
                self.seconds,
                per_second / 1e6,
                self.unit,
                bpi,
                self.unit
            );
        }
    }
}

/// Run `gc-run speed`.
pub fn run(args: SpeedArgs) -> anyhow::Result<()> {
    if args.count == 0 || args.count > 1 << 28 {
        return Err(usage("--count must be between 1 and 2^28"));
    }
    if args.target != SpeedTarget::Ot {
        // these measure both parties in this process: network and OT options would be
        // silently ignored
        let n = &args.net;
        let given = [
            (n.listen.is_some(), "--listen"),
            (n.connect.is_some(), "--connect"),
            (n.key.is_some(), "--key"),
            (n.peer_key.is_some(), "--peer-key"),
            (n.insecure, "--insecure"),
            (args.malicious, "--malicious"),
            (args.ot == OtSource::Ferret, "--ot ferret"),
        ];
        if let Some((_, flag)) = given.iter().find(|(on, _)| *on) {
            return Err(usage(format!(
                "{flag} applies to `gc-run speed ot` only (garble, evaluate and 2pc run both \
                 parties in this process)"
            )));
        }
    }
    if args.net.link.is_some() && matches!(args.target, SpeedTarget::Garble | SpeedTarget::Evaluate)
    {
        return Err(usage(
            "--link applies to `gc-run speed ot` and `2pc` only (garble and evaluate do not communicate)",
        ));
    }
    let rt = crate::common::runtime()?;
    let rows = rt.block_on(async {
        match args.target {
            SpeedTarget::Ot => speed_ot(&args).await,
            SpeedTarget::Garble => speed_gc(args.count, true, args.scheme),
            SpeedTarget::Evaluate => speed_gc(args.count, false, args.scheme),
            SpeedTarget::TwoPc => {
                crate::twopc::speed_2pc(args.count.min(1 << 22), args.net.link, args.scheme).await
            }
        }
    })?;
    for r in rows {
        r.print(args.json);
    }
    Ok(())
}

async fn speed_ot(args: &SpeedArgs) -> anyhow::Result<Vec<Row>> {
    let security = if args.malicious {
        Security::Malicious
    } else {
        Security::SemiHonest
    };
    let n = args.count;
    let ferret = args.ot == OtSource::Ferret;
    if args.net.listen.is_some() || args.net.connect.is_some() {
        let mut ch = args.net.open().await?;
        return match (args.net.listen.is_some(), ferret) {
            (true, false) => ot_sender(&mut ch, security, n).await,
            (false, false) => ot_receiver(&mut ch, security, n).await,
            (true, true) => ferret_party(&mut ch, security, n, true).await,
            (false, true) => ferret_party(&mut ch, security, n, false).await,
        };
    }
    let config = ChannelConfig::default()
        .with_timeout(Duration::from_secs(args.net.timeout))
        .with_link(args.net.link);
    let (mut a, mut b) = duplex_pair(&config);
    // each party on a thread of its own (see `run_pair`: spawned tasks take turns)
    let (s, r) = if ferret {
        run_pair(
            async move { ferret_party(&mut a, security, n, true).await },
            async move { ferret_party(&mut b, security, n, false).await },
        )
    } else {
        run_pair(
            async move { ot_sender(&mut a, security, n).await },
            async move { ot_receiver(&mut b, security, n).await },
        )
    }
    .context("party threads")?;
    let (s, r) = (s?, r?);
    // The phases run in lockstep: a phase took as long as the slower party.
    Ok(s.into_iter()
        .zip(r)
        .map(|(s, r)| Row {
            seconds: s.seconds.max(r.seconds),
            bytes: s.bytes + r.bytes,
            ..s
        })
        .collect())
}

/// `speed ot --ot ferret`, one party: the set-up (base OT, the IKNP/KOS bootstrap, the first
/// iteration's reserve) and `n` random COTs into a reused buffer, with this party's bytes
/// sent (the caller adds the two parties').
async fn ferret_party(
    ch: &mut Channel,
    security: Security,
    n: usize,
    sender: bool,
) -> anyhow::Result<Vec<Row>> {
    use duet_ot::ferret::{FerretParams, FerretReceiver, FerretSender};
    let params = FerretParams::default();
    let (setup, rcot) = match security {
        Security::SemiHonest => ("ferret-setup", "ferret-rcot"),
        Security::Malicious => ("ferret-setup-malicious", "ferret-rcot-malicious"),
    };
    let mut out = touched(n);
    let (t, b) = (Instant::now(), ch.bytes_sent());
    let mut rows = Vec::new();
    if sender {
        let delta = Delta::from_block_set_lsb(duet_core::Prg::from_os_rng().next_block());
        let mut s = FerretSender::setup(ch, delta, security, params).await?;
        rows.push(row(setup, 1, "session", t, ch.bytes_sent() - b));
        let (t, b) = (Instant::now(), ch.bytes_sent());
        s.extend_into(ch, &mut out).await?;
        rows.push(row(rcot, n, "COT", t, ch.bytes_sent() - b));
    } else {
        let mut r = FerretReceiver::setup(ch, security, params).await?;
        rows.push(row(setup, 1, "session", t, ch.bytes_sent() - b));
        let (t, b) = (Instant::now(), ch.bytes_sent());
        r.extend_into(ch, &mut out).await?;
        rows.push(row(rcot, n, "COT", t, ch.bytes_sent() - b));
    }
    ch.close().await?;
    Ok(rows)
}

/// Names of the OT measurements for the security level.
fn names(security: Security) -> [&'static str; 4] {
    match security {
        Security::SemiHonest => ["base-ot", "iknp-rcot", "iknp-rot", "iknp-ot"],
        Security::Malicious => ["base-ot", "kos-rcot", "kos-rot", "kos-ot"],
    }
}

/// Chosen-message OTs per measurement: a quarter of the count (48 B/OT of traffic).
fn ot_count(n: usize) -> usize {
    (n / 4).max(1)
}

async fn ot_sender(ch: &mut Channel, security: Security, n: usize) -> anyhow::Result<Vec<Row>> {
    let names = names(security);
    let mut rows = Vec::new();
    let delta = Delta::from_block_any(duet_core::Prg::from_os_rng().next_block());
    let (t, b) = (Instant::now(), ch.bytes_sent());
    let mut s = CotSender::setup(ch, delta, security).await?;
    rows.push(row(names[0], 128, "OT", t, ch.bytes_sent() - b));
    let mut k = touched(n);
    let (t, b) = (Instant::now(), ch.bytes_sent());
    s.send_random_cot_into(ch, n, &mut k).await?;
    rows.push(row(names[1], n, "COT", t, ch.bytes_sent() - b));
    drop(k);
    let (t, b) = (Instant::now(), ch.bytes_sent());
    let k = s.send_random_ot(ch, n).await?;
    rows.push(row(names[2], n, "OT", t, ch.bytes_sent() - b));
    drop(k);
    let m = ot_count(n);
    let msgs: Vec<[Block; 2]> = (0..m as u128).map(|i| [Block(i), Block(!i)]).collect();
    let (t, b) = (Instant::now(), ch.bytes_sent());
    s.send_ot(ch, &msgs).await?;
    rows.push(row(names[3], m, "OT", t, ch.bytes_sent() - b));
    ch.close().await?;
    Ok(rows)
}

async fn ot_receiver(ch: &mut Channel, security: Security, n: usize) -> anyhow::Result<Vec<Row>> {
    let names = names(security);
    let mut rows = Vec::new();
    let (t, b) = (Instant::now(), ch.bytes_sent());
    let mut r = CotReceiver::setup(ch, security).await?;
    rows.push(row(names[0], 128, "OT", t, ch.bytes_sent() - b));
    let mut out = touched(n);
    let (t, b) = (Instant::now(), ch.bytes_sent());
    r.receive_random_cot_into(ch, n, &mut out).await?;
    rows.push(row(names[1], n, "COT", t, ch.bytes_sent() - b));
    drop(out);
    let (t, b) = (Instant::now(), ch.bytes_sent());
    let out = r.receive_random_ot(ch, n).await?;
    rows.push(row(names[2], n, "OT", t, ch.bytes_sent() - b));
    drop(out);
    let m = ot_count(n);
    let choices: Vec<bool> = (0..m).map(|i| i % 3 == 0).collect();
    let (t, b) = (Instant::now(), ch.bytes_sent());
    let got = r.receive_ot(ch, &choices).await?;
    rows.push(row(names[3], m, "OT", t, ch.bytes_sent() - b));
    anyhow::ensure!(
        got.iter().zip(&choices).enumerate().all(|(i, (g, &c))| *g
            == if c {
                Block(!(i as u128))
            } else {
                Block(i as u128)
            }),
        "chosen-message OT returned wrong messages"
    );
    Ok(rows)
}

/// An output buffer for `n` COTs (plus the KOS check's extra rows) whose pages are already
/// mapped, as in a caller that reuses its buffer: the random-COT rate is that of the
/// extension, not of the kernel's first-touch page faults (which cost as much as the
/// extension itself at 2^24 OTs).
fn touched(n: usize) -> Vec<Block> {
    // KOS extends its check's extra OTs too, rounded up to whole 128-OT blocks
    vec![Block::ONES; (n + duet_ot::kos::EXTRA).div_ceil(128) * 128]
}

fn row(name: &'static str, items: usize, unit: &'static str, t: Instant, bytes: u64) -> Row {
    Row {
        name,
        items,
        unit,
        seconds: t.elapsed().as_secs_f64(),
        bytes,
    }
}

/// `speed garble | evaluate`: the half-gates kernel on `n` independent AND gates (labels in
/// memory, processed in chunks of 2^16 gates so memory stays bounded) and the Bristol
/// `aes_128` circuit per block under `scheme`, single-threaded, sync core only (no
/// network). With three-halves, also both schemes' AND queues (the executor's path) on the
/// same `n` gates, for the ratio in one run.
fn speed_gc(n: usize, garble: bool, scheme: SchemeKind) -> anyhow::Result<Vec<Row>> {
    use duet_gc_core::half_gates::{evaluate_and_gates, garble_and_gates};
    let mut prg = duet_core::Prg::from_os_rng();
    let delta = Delta::from_block_set_lsb(prg.next_block());
    let salt = prg.next_block();
    let tw = |g: usize| duet_gc::scheme::Tweak {
        salt,
        first_gate: g as u64,
    };
    let chunk = n.min(1 << 16);
    let a: Vec<Block> = (0..chunk).map(|_| prg.next_block()).collect();
    let b: Vec<Block> = (0..chunk).map(|_| prg.next_block()).collect();
    let mut out = vec![Block::ZERO; chunk];
    let mut tables = Vec::with_capacity(2 * chunk);
    garble_and_gates(&delta, tw(0), &a, &b, &mut out, &mut tables);
    let t = Instant::now();
    let mut done = 0;
    while done < n {
        let k = chunk.min(n - done);
        if garble {
            tables.clear();
            garble_and_gates(
                &delta,
                tw(done),
                &a[..k],
                &b[..k],
                &mut out[..k],
                &mut tables,
            );
        } else {
            evaluate_and_gates(tw(done), &a[..k], &b[..k], &tables[..2 * k], &mut out[..k]);
        }
        done += k;
    }
    let kernel = row(
        if garble { "garble" } else { "evaluate" },
        n,
        "AND",
        t,
        32 * n as u64,
    );
    let mut rows = vec![kernel];
    match scheme {
        SchemeKind::ThreeHalves => {
            rows.push(queue_kernel::<HalfGates>(n, garble, &delta, salt));
            rows.push(queue_kernel::<ThreeHalves>(n, garble, &delta, salt));
            rows.push(aes_blocks::<ThreeHalves>(garble, &delta, salt)?);
        }
        _ => rows.push(aes_blocks::<HalfGates>(garble, &delta, salt)?),
    }
    Ok(rows)
}

/// A row's name: `what` with the scheme's suffix (none for half-gates).
fn named(what: &'static str, scheme: SchemeKind) -> &'static str {
    match (what, scheme) {
        ("garble-queue", SchemeKind::ThreeHalves) => "garble-queue-three-halves",
        ("evaluate-queue", SchemeKind::ThreeHalves) => "evaluate-queue-three-halves",
        ("garble-aes_128", SchemeKind::ThreeHalves) => "garble-aes_128-three-halves",
        ("evaluate-aes_128", SchemeKind::ThreeHalves) => "evaluate-aes_128-three-halves",
        (w, _) => w,
    }
}

/// `n` independent AND gates through the scheme's queues, batches of [`MAX_BATCH`] (the
/// executor's path, without the op loop).
fn queue_kernel<S: Scheme>(n: usize, garble: bool, delta: &Delta, salt: Block) -> Row {
    use duet_gc_core::scheme::{EvalQueue, GarbleQueue, MAX_BATCH, Tweak};
    let mut prg = duet_core::Prg::from_os_rng();
    let m = MAX_BATCH;
    // slots: a inputs, b inputs, outputs
    let mut slots: Vec<Block> = (0..3 * m).map(|_| prg.next_block()).collect();
    let mut gq = S::Garble::new(prg.next_block());
    let mut eq = S::Eval::new();
    let mut tables = Vec::with_capacity(m * (S::GATE_BYTES + 1));
    let d = delta.as_block();
    let tw = |g: usize| Tweak {
        salt,
        first_gate: g as u64,
    };
    for i in 0..m {
        gq.push(&slots, i as u32, (m + i) as u32, (2 * m + i) as u32);
    }
    gq.garble(d, tw(0), &mut tables, &mut slots);
    let trailer = tables[m * S::GATE_BYTES..].to_vec();
    let t = Instant::now();
    let mut done = 0;
    while done < n {
        if garble {
            tables.clear();
            for i in 0..m {
                gq.push(&slots, i as u32, (m + i) as u32, (2 * m + i) as u32);
            }
            gq.garble(d, tw(done), &mut tables, &mut slots);
        } else {
            for (i, g) in tables.chunks_exact(S::GATE_BYTES).take(m).enumerate() {
                eq.push(&slots, i as u32, (m + i) as u32, g, (2 * m + i) as u32);
            }
            eq.evaluate(tw(done), &trailer, &mut slots);
        }
        done += m;
    }
    std::hint::black_box(&slots);
    let name = named(
        if garble {
            "garble-queue"
        } else {
            "evaluate-queue"
        },
        S::KIND,
    );
    let bytes = (done * S::GATE_BYTES + done / m * S::trailer_bytes(m)) as u64;
    row(name, done, "AND", t, bytes)
}

/// The Bristol `aes_128` circuit per block under the scheme `S`.
fn aes_blocks<S: Scheme>(garble: bool, delta: &Delta, salt: Block) -> anyhow::Result<Row> {
    use duet_circuits::liveness::SlotMap;
    use duet_gc::{Evaluator, Garbler};
    let mut prg = duet_core::Prg::from_os_rng();
    let circuit = duet_circuits::library::load("aes_128").context("aes_128")?;
    let prog = duet_gc_core::CheckedProgram::new(SlotMap::compute(&circuit))?;
    let zero: Vec<Block> = (0..prog.input_slots().len())
        .map(|_| prg.next_block())
        .collect();
    let mut tables = Garbler::<S>::checked(&prog, delta, &zero, salt)?.garble_all();
    let blocks = 2000;
    let t = Instant::now();
    for _ in 0..blocks {
        if garble {
            tables.clear();
            let mut g = Garbler::<S>::checked(&prog, delta, &zero, salt)?;
            while g.next_batch(&mut tables) {}
            std::hint::black_box(g.output_zero_labels()?);
        } else {
            let mut e = Evaluator::<S>::checked(&prog, &zero, salt)?;
            e.consume(&tables)?;
            std::hint::black_box(e.finish()?);
        }
    }
    let bytes = (tables.len() * blocks) as u64;
    let name = named(
        if garble {
            "garble-aes_128"
        } else {
            "evaluate-aes_128"
        },
        S::KIND,
    );
    Ok(row(name, blocks, "block", t, bytes))
}
