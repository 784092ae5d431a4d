//! OT benchmarks: base OT (128), IKNP random COT (fresh output vectors, `-into`: reused
//! output buffers, `-stream`: outputs consumed chunk by chunk and not stored — the consumer
//! XOR-folds them), chosen-message OT, KOS random COT.
//! Both parties run in one process over the in-memory duplex, each on a long-lived thread
//! of its own (as two processes would). Bytes per COT are printed once per benchmark.
//! 2^24-OT runs are included when `DUET_BENCH_LARGE=1` (they take seconds per sample).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_core::{Block, Delta};
use duet_net::{ChannelConfig, duplex_pair};
use duet_ot::{CotReceiver, CotReceiverExt, CotSender, CotSenderExt, Security, base};
use std::future::Future;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

fn rt() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// One call for both parties: the OT kind, `n`, and the chosen-message OT's inputs (built
/// before the clock starts).
#[derive(Clone)]
struct Call {
    op: Op,
    n: usize,
    msgs: Arc<Vec<[Block; 2]>>,
    choices: Arc<Vec<bool>>,
}

/// One party on a long-lived thread of its own with a current-thread runtime, as in a run
/// of two processes: calls in, bytes sent per call out. Spawning both parties on one
/// multi-thread runtime makes them take turns (see [`duet_net::run_pair`]); spawning
/// threads per call would time thread start-up.
struct Party {
    calls: Option<mpsc::Sender<Call>>,
    done: mpsc::Receiver<u64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Party {
    fn spawn<F>(
        body: impl FnOnce(mpsc::Receiver<Call>, mpsc::Sender<u64>) -> F + Send + 'static,
    ) -> Party
    where
        F: Future<Output = ()>,
    {
        let (calls, rx) = mpsc::channel();
        let (tx, done) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime")
                .block_on(body(rx, tx))
        });
        Party {
            calls: Some(calls),
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for Party {
    fn drop(&mut self) {
        drop(self.calls.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Parties {
    s: Party,
    r: Party,
}

fn parties(sec: Security) -> Parties {
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let delta = Delta::from_block_any(Block::random(&mut rand::rng()));
    let s = Party::spawn(move |calls, done| async move {
        let mut s = CotSender::setup(&mut a, delta, sec).await.unwrap();
        let mut buf = Vec::new();
        while let Ok(c) = calls.recv() {
            let b0 = a.bytes_sent();
            match c.op {
                Op::RandomCot => drop(s.send_random_cot(&mut a, c.n).await.unwrap()),
                Op::RandomCotInto => s.send_random_cot_into(&mut a, c.n, &mut buf).await.unwrap(),
                Op::RandomCotStream => {
                    let mut acc = Block::ZERO;
                    s.send_random_cot_stream(&mut a, c.n, |k| {
                        acc = k.iter().fold(acc, |x, &y| x ^ y)
                    })
                    .await
                    .unwrap();
                    std::hint::black_box(acc);
                }
                Op::ChosenOt => s.send_ot(&mut a, &c.msgs).await.unwrap(),
            }
            done.send(a.bytes_sent() - b0).unwrap();
        }
    });
    let r = Party::spawn(move |calls, done| async move {
        let mut r = CotReceiver::setup(&mut b, sec).await.unwrap();
        let mut buf = Vec::new();
        while let Ok(c) = calls.recv() {
            let b0 = b.bytes_sent();
            match c.op {
                Op::RandomCot => drop(r.receive_random_cot(&mut b, c.n).await.unwrap()),
                Op::RandomCotInto => drop(
                    r.receive_random_cot_into(&mut b, c.n, &mut buf)
                        .await
                        .unwrap(),
                ),
                Op::RandomCotStream => {
                    let mut acc = Block::ZERO;
                    r.receive_random_cot_stream(&mut b, c.n, |bits, m| {
                        acc = m.iter().chain(bits).fold(acc, |x, &y| x ^ y)
                    })
                    .await
                    .unwrap();
                    std::hint::black_box(acc);
                }
                Op::ChosenOt => drop(r.receive_ot(&mut b, &c.choices).await.unwrap()),
            }
            done.send(b.bytes_sent() - b0).unwrap();
        }
    });
    Parties { s, r }
}

#[derive(Clone, Copy)]
enum Op {
    RandomCot,
    RandomCotInto,
    RandomCotStream,
    ChosenOt,
}

/// Run one call of `n` OTs on both parties; returns the wall time and the bytes both sent.
fn run(p: &Parties, op: Op, n: usize) -> (Duration, u64) {
    let (msgs, choices) = match op {
        Op::ChosenOt => (
            (0..n as u128).map(|i| [Block(i), Block(!i)]).collect(),
            (0..n).map(|i| i % 3 == 0).collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    let call = Call {
        op,
        n,
        msgs: Arc::new(msgs),
        choices: Arc::new(choices),
    };
    let send = |q: &Party| {
        q.calls
            .as_ref()
            .expect("open")
            .send(call.clone())
            .expect("party")
    };
    let t = Instant::now();
    send(&p.s);
    send(&p.r);
    let bytes = p.s.done.recv().expect("sender") + p.r.done.recv().expect("receiver");
    (t.elapsed(), bytes)
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
        let p = parties(sec);
        let (_, bytes) = run(&p, op, n);
        println!(
            "{name} 2^{log}: {:.2} bytes per OT",
            bytes as f64 / n as f64
        );
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Elements(n as u64));
        g.sample_size(10);
        g.bench_function(format!("2^{log}"), |bch| {
            bch.iter_custom(|iters| (0..iters).map(|_| run(&p, op, n).0).sum())
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
