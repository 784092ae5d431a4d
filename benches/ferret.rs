//! Ferret random COT against IKNP random COT in the same run: rate at 2^20 COTs per call
//! (and 2^24 with `DUET_BENCH_LARGE=1`), semi-honest and malicious, with Ferret's Table 2
//! parameters (`ferret-…`) and emp-ot's b12 set (`ferret-b12-…`; `DUET_FERRET_PARAMS=b11`
//! swaps in emp-ot's b11), both parties in one process over the in-memory duplex, each on
//! a thread of its own (as in `benches/ot.rs`).
//! Sessions are set up once, outside the timing (Ferret's bootstrap — base OT, IKNP, the
//! setup iteration — is timed and printed separately); calls draw from the running session,
//! so the timing amortises Ferret's iterations (10.2 M COTs each) over the calls.
//! Bytes per COT count both directions (`Channel::bytes_sent` of each party).
//! Malicious Ferret sessions compute whole iterations (10.2 M COTs), so at 2^20 one call
//! in ten runs one and the samples are lumpy: read the mean and the 2^24 rows. Semi-honest
//! sessions compute tree by tree as outputs are drawn, so their calls cost the same.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_core::{Block, Delta};
use duet_net::{ChannelConfig, duplex_pair};
use duet_ot::ferret::{FerretParams, FerretReceiver, FerretSender};
use duet_ot::{CotReceiver, CotReceiverExt, CotSender, CotSenderExt, Security};
use std::sync::mpsc;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Proto {
    Ferret(FerretParams),
    Iknp,
}

/// One party on its own thread with a current-thread runtime: call sizes in, bytes sent
/// per call out (the first message out is the set-up's bytes).
struct Party {
    calls: Option<mpsc::Sender<usize>>,
    done: mpsc::Receiver<u64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Party {
    fn spawn<F: std::future::Future<Output = ()>>(
        body: impl FnOnce(mpsc::Receiver<usize>, mpsc::Sender<u64>) -> F + Send + 'static,
    ) -> Party {
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

/// Both parties of one session; returns them with the set-up's wall time and bytes.
fn parties(proto: Proto, sec: Security) -> (Parties, Duration, u64) {
    let cfg = ChannelConfig::default().with_timeout(Duration::from_secs(120));
    let (mut a, mut b) = duplex_pair(&cfg);
    let delta = Delta::random(&mut rand::rng());
    let t = Instant::now();
    let s = Party::spawn(move |calls, done| async move {
        let mut buf: Vec<Block> = Vec::new();
        match proto {
            Proto::Ferret(params) => {
                let mut s = FerretSender::setup(&mut a, delta, sec, params)
                    .await
                    .unwrap();
                done.send(a.bytes_sent()).unwrap();
                while let Ok(n) = calls.recv() {
                    let b0 = a.bytes_sent();
                    buf.resize(n, Block::ZERO);
                    s.extend_into(&mut a, &mut buf).await.unwrap();
                    done.send(a.bytes_sent() - b0).unwrap();
                }
            }
            Proto::Iknp => {
                let mut s = CotSender::setup(&mut a, delta, sec).await.unwrap();
                done.send(a.bytes_sent()).unwrap();
                while let Ok(n) = calls.recv() {
                    let b0 = a.bytes_sent();
                    s.send_random_cot_into(&mut a, n, &mut buf).await.unwrap();
                    done.send(a.bytes_sent() - b0).unwrap();
                }
            }
        }
    });
    let r = Party::spawn(move |calls, done| async move {
        let mut buf: Vec<Block> = Vec::new();
        match proto {
            Proto::Ferret(params) => {
                let mut r = FerretReceiver::setup(&mut b, sec, params).await.unwrap();
                done.send(b.bytes_sent()).unwrap();
                while let Ok(n) = calls.recv() {
                    let b0 = b.bytes_sent();
                    buf.resize(n, Block::ZERO);
                    r.extend_into(&mut b, &mut buf).await.unwrap();
                    done.send(b.bytes_sent() - b0).unwrap();
                }
            }
            Proto::Iknp => {
                let mut r = CotReceiver::setup(&mut b, sec).await.unwrap();
                done.send(b.bytes_sent()).unwrap();
                while let Ok(n) = calls.recv() {
                    let b0 = b.bytes_sent();
                    drop(
                        r.receive_random_cot_into(&mut b, n, &mut buf)
                            .await
                            .unwrap(),
                    );
                    done.send(b.bytes_sent() - b0).unwrap();
                }
            }
        }
    });
    let bytes = s.done.recv().expect("sender") + r.done.recv().expect("receiver");
    (Parties { s, r }, t.elapsed(), bytes)
}

/// One call of `n` COTs on both parties: wall time and bytes both sent.
fn run(p: &Parties, n: usize) -> (Duration, u64) {
    let t = Instant::now();
    for q in [&p.s, &p.r] {
        q.calls.as_ref().expect("open").send(n).expect("party");
    }
    let bytes = p.s.done.recv().expect("sender") + p.r.done.recv().expect("receiver");
    (t.elapsed(), bytes)
}

fn bench(c: &mut Criterion) {
    let large = std::env::var("DUET_BENCH_LARGE").is_ok_and(|v| v == "1");
    let logs: &[u32] = if large { &[20, 24] } else { &[20] };
    let (other, other_name) = match std::env::var("DUET_FERRET_PARAMS").as_deref() {
        Ok("b11") => (FerretParams::EMP_B11, "ferret-b11"),
        _ => (FerretParams::EMP_B12, "ferret-b12"),
    };
    for sec in [Security::SemiHonest, Security::Malicious] {
        for (proto, label) in [
            (Proto::Iknp, "iknp"),
            (Proto::Ferret(FerretParams::FERRET_TABLE2), "ferret"),
            (Proto::Ferret(other), other_name),
        ] {
            let name = format!(
                "{label}-rcot-{}",
                match sec {
                    Security::SemiHonest => "sh",
                    Security::Malicious => "mal",
                }
            );
            let (p, setup_time, setup_bytes) = parties(proto, sec);
            // Traffic of the first 2^24 COTs after set-up (two Ferret main iterations).
            let total = 1usize << 24;
            let (t24, b24) = run(&p, total);
            println!(
                "{name}: set-up {:.3} s, {} bytes; first 2^24 COTs in {:.3} s: {:.4} bytes per \
                 COT ({:.4} with the set-up)",
                setup_time.as_secs_f64(),
                setup_bytes,
                t24.as_secs_f64(),
                b24 as f64 / total as f64,
                (b24 + setup_bytes) as f64 / total as f64
            );
            let mut g = c.benchmark_group(&name);
            g.sample_size(10);
            for &log in logs {
                let n = 1usize << log;
                g.throughput(Throughput::Elements(n as u64));
                g.bench_function(format!("2^{log}"), |bch| {
                    bch.iter_custom(|iters| (0..iters).map(|_| run(&p, n).0).sum())
                });
            }
            g.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
