//! OT benchmarks: base OT (128), IKNP random COT (fresh output vectors, `-into`: reused
//! output buffers, `-stream`: outputs consumed chunk by chunk and not stored — the consumer
//! XOR-folds them), chosen-message OT, KOS random COT.
//! Both parties run in one process over the in-memory duplex, each on its own thread
//! ([`duet_net::run_pair`]). Bytes per COT are printed once per benchmark.
//! 2^24-OT runs are included when `DUET_BENCH_LARGE=1` (they take seconds per sample).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_core::{Block, Delta};
use duet_net::{Channel, ChannelConfig, duplex_pair, run_pair};
use duet_ot::{CotReceiver, CotSender, Security, base};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

fn rt() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

struct Parties {
    s: Option<(CotSender, Channel)>,
    r: Option<(CotReceiver, Channel)>,
    /// reused output buffers of the `-into` case (sender, receiver)
    bufs: Option<(Vec<Block>, Vec<Block>)>,
}

fn parties(rt: &Runtime, sec: Security) -> Parties {
    rt.block_on(async {
        let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
        let delta = Delta::from_block_any(Block::random(&mut rand::rng()));
        let s =
            tokio::spawn(async move { (CotSender::setup(&mut a, delta, sec).await.unwrap(), a) });
        let r = CotReceiver::setup(&mut b, sec).await.unwrap();
        Parties {
            s: Some(s.await.unwrap()),
            r: Some((r, b)),
            bufs: Some((Vec::new(), Vec::new())),
        }
    })
}

#[derive(Clone, Copy)]
enum Op {
    RandomCot,
    RandomCotInto,
    RandomCotStream,
    ChosenOt,
}

/// Run one call of `n` OTs on both parties (each on its own task); returns the wall time
/// and the bytes both sent.
fn run(p: &mut Parties, op: Op, n: usize) -> (Duration, u64) {
    let (mut s, mut a) = p.s.take().unwrap();
    let (mut r, mut b) = p.r.take().unwrap();
    let (mut sbuf, mut rbuf) = p.bufs.take().unwrap();
    let (b0, b1) = (a.bytes_sent(), b.bytes_sent());
    let msgs: Vec<[Block; 2]> = match op {
        Op::ChosenOt => (0..n as u128).map(|i| [Block(i), Block(!i)]).collect(),
        _ => Vec::new(),
    };
    let choices: Vec<bool> = match op {
        Op::ChosenOt => (0..n).map(|i| i % 3 == 0).collect(),
        _ => Vec::new(),
    };
    let t = Instant::now();
    let sender = async move {
        match op {
            Op::RandomCot => drop(s.send_cot(&mut a, n).await.unwrap()),
            Op::RandomCotInto => s.send_cot_into(&mut a, n, &mut sbuf).await.unwrap(),
            Op::RandomCotStream => {
                let mut acc = Block::ZERO;
                s.send_cot_stream(&mut a, n, |k| acc = k.iter().fold(acc, |x, &y| x ^ y))
                    .await
                    .unwrap();
                std::hint::black_box(acc);
            }
            Op::ChosenOt => s.send_ot(&mut a, &msgs).await.unwrap(),
        }
        (s, a, sbuf)
    };
    let receiver = async move {
        match op {
            Op::RandomCot => drop(r.receive_random_cot(&mut b, n).await.unwrap()),
            Op::RandomCotInto => drop(
                r.receive_random_cot_into(&mut b, n, &mut rbuf)
                    .await
                    .unwrap(),
            ),
            Op::RandomCotStream => {
                let mut acc = Block::ZERO;
                r.receive_random_cot_stream(&mut b, n, |bits, m| {
                    acc = m.iter().chain(bits).fold(acc, |x, &y| x ^ y)
                })
                .await
                .unwrap();
                std::hint::black_box(acc);
            }
            Op::ChosenOt => drop(r.receive_ot(&mut b, &choices).await.unwrap()),
        }
        (r, b, rbuf)
    };
    let (sp, rp) = run_pair(sender, receiver).expect("runtimes");
    let el = t.elapsed();
    let bytes = sp.1.bytes_sent() - b0 + rp.1.bytes_sent() - b1;
    p.s = Some((sp.0, sp.1));
    p.r = Some((rp.0, rp.1));
    p.bufs = Some((sp.2, rp.2));
    (el, bytes)
}

fn bench_base(c: &mut Criterion) {
    let rt = rt();
    let mut g = c.benchmark_group("base-ot");
    g.throughput(Throughput::Elements(128));
    g.bench_function("co15-128", |bch| {
        bch.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
                    let msgs = vec![[Block(1), Block(2)]; 128];
                    let choices = vec![true; 128];
                    let t = Instant::now();
                    let s = tokio::spawn(async move { base::send(&mut a, &msgs).await });
                    base::receive(&mut b, &choices).await.unwrap();
                    s.await.unwrap().unwrap();
                    total += t.elapsed();
                }
                total
            })
        })
    });
    g.finish();
}

fn bench_ext(c: &mut Criterion) {
    let rt = rt();
    let large = std::env::var("DUET_BENCH_LARGE").is_ok_and(|v| v == "1");
    let mut cases = vec![
        ("iknp-rcot", Security::SemiHonest, Op::RandomCot, 20),
        (
            "iknp-rcot-into",
            Security::SemiHonest,
            Op::RandomCotInto,
            20,
        ),
        (
            "iknp-rcot-stream",
            Security::SemiHonest,
            Op::RandomCotStream,
            20,
        ),
        ("iknp-ot", Security::SemiHonest, Op::ChosenOt, 18),
        ("kos-rcot", Security::Malicious, Op::RandomCot, 20),
        ("kos-rcot-into", Security::Malicious, Op::RandomCotInto, 20),
    ];
    if large {
        cases.push(("iknp-rcot", Security::SemiHonest, Op::RandomCot, 24));
        cases.push((
            "iknp-rcot-into",
            Security::SemiHonest,
            Op::RandomCotInto,
            24,
        ));
        cases.push((
            "iknp-rcot-stream",
            Security::SemiHonest,
            Op::RandomCotStream,
            24,
        ));
        cases.push(("kos-rcot", Security::Malicious, Op::RandomCot, 24));
        cases.push(("kos-rcot-into", Security::Malicious, Op::RandomCotInto, 24));
    }
    for (name, sec, op, log) in cases {
        let n = 1usize << log;
        let mut p = parties(&rt, sec);
        let (_, bytes) = run(&mut p, op, n);
        println!(
            "{name} 2^{log}: {:.2} bytes per OT",
            bytes as f64 / n as f64
        );
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(10);
        g.bench_function(format!("2^{log}"), |bch| {
            bch.iter_custom(|iters| (0..iters).map(|_| run(&mut p, op, n).0).sum())
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_secs(1));
    targets = bench_base, bench_ext
}
criterion_main!(benches);
