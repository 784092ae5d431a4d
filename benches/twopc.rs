//! End-to-end two-party garbled-circuit runs, both parties in this process (two tokio tasks
//! on a 2-worker runtime over an in-memory duplex channel): `aes_128` including hello, base
//! OT and IKNP set-up; `aes_128` amortised over many blocks in one session, as separate runs
//! and as one batched run of 1 000 blocks (`Session::run_many`); a layered circuit
//! of 2^24 (≈ 1.7 · 10^7) AND gates. Throughput is in AND gates.
//!
//! `cargo bench --bench twopc -- --measurement-time 2 --warm-up-time 1`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_circuits::{Bits, library};
use duet_gc::{OutputPolicy, Prepared, Session, SessionOptions};
use duet_net::{ChannelConfig, duplex_pair};
use std::time::{Duration, Instant};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

type Inputs = Vec<(usize, Bits)>;

fn inputs(p: &Prepared) -> (Inputs, Inputs) {
    let w = p.inputs();
    (
        vec![(0, Bits::repeat(true, w[0] as usize))],
        vec![(1, Bits::repeat(false, w[1] as usize))],
    )
}

/// Set up a session, run `p` once, then `batch` instances in one batched run
/// (`Session::run_many`); the elapsed time of the batched run.
async fn batched_runs(p: &Prepared, batch: usize) -> Duration {
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let (gi, ei) = inputs(p);
    let (p1, p2) = (p.clone(), p.clone());
    let g = tokio::spawn(async move {
        let mut s = Session::garbler(a, SessionOptions::default())
            .await
            .unwrap();
        s.run_prepared(&p1, &gi, OutputPolicy::Both).await.unwrap();
        let t = Instant::now();
        s.run_many(&p1, &vec![gi; batch], OutputPolicy::Both)
            .await
            .unwrap();
        t.elapsed()
    });
    let e = tokio::spawn(async move {
        let mut s = Session::evaluator(b, SessionOptions::default())
            .await
            .unwrap();
        s.run_prepared(&p2, &ei, OutputPolicy::Both).await.unwrap();
        s.run_many(&p2, &vec![ei; batch], OutputPolicy::Both)
            .await
            .unwrap();
    });
    let (d, ()) = (g.await.unwrap(), e.await.unwrap());
    d
}

/// Set up a session and run `p` `runs` times; the elapsed time of the runs only if
/// `with_setup` is false.
async fn session_runs(p: &Prepared, runs: u64, with_setup: bool) -> (Duration, u64) {
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let (gi, ei) = inputs(p);
    let (p1, p2) = (p.clone(), p.clone());
    let t0 = Instant::now();
    let g = tokio::spawn(async move {
        let mut s = Session::garbler(a, SessionOptions::default())
            .await
            .unwrap();
        let t = Instant::now();
        for _ in 0..runs {
            s.run_prepared(&p1, &gi, OutputPolicy::Both).await.unwrap();
        }
        let ch = s.channel();
        (t, ch.bytes_sent() + ch.bytes_received())
    });
    let e = tokio::spawn(async move {
        let mut s = Session::evaluator(b, SessionOptions::default())
            .await
            .unwrap();
        for _ in 0..runs {
            s.run_prepared(&p2, &ei, OutputPolicy::Both).await.unwrap();
        }
    });
    let ((t, bytes), ()) = (g.await.unwrap(), e.await.unwrap());
    let start = if with_setup { t0 } else { t };
    (start.elapsed(), bytes)
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let aes = Prepared::new(library::load("aes_128").unwrap());
    let mut g = c.benchmark_group("2pc");
    g.throughput(Throughput::Elements(aes.and_gates()));
    g.bench_function("aes_128 first block (hello + base OT + IKNP + run)", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += session_runs(&aes, 1, true).await.0;
                }
                total
            })
        })
    });
    g.bench_function("aes_128 per block, one session", |b| {
        b.iter_custom(|iters| rt.block_on(session_runs(&aes, iters, false)).0)
    });
    // 1 000 blocks per batched run; criterion's element is one block's AND gates
    g.bench_function("aes_128 per block, batched run of 1000", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let n = left.min(1000);
                    // time per block of a 1 000-block run, times the blocks asked for
                    total += batched_runs(&aes, 1000).await * n as u32 / 1000;
                    left -= n;
                }
                total
            })
        })
    });
    let big = Prepared::new(library::layered(1 << 24).unwrap());
    g.throughput(Throughput::Elements(big.and_gates()));
    g.sample_size(10);
    g.bench_function("layered 2^24 AND gates", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (d, bytes) = session_runs(&big, 1, false).await;
                    total += d;
                    eprintln!(
                        "layered: {:.1} M AND/s, {:.2} bytes/AND",
                        big.and_gates() as f64 / d.as_secs_f64() / 1e6,
                        bytes as f64 / big.and_gates() as f64
                    );
                }
                total
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
