//! Quick throughput probe of the extension (both parties in one process over the duplex):
//! `cargo run --release -p duet-ot --example ot_speed -- [log2 n] [malicious]`.
//! The full report is `gc-run speed ot`.

use duet_core::{Block, Delta};
use duet_net::{ChannelConfig, duplex_pair};
use duet_ot::{CotReceiver, CotSender, Security};
use std::time::Instant;

/// Process CPU time (user + system) in seconds, from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = s.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .map(|x| x.parse().unwrap_or(0.0))
        .collect();
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the ")".
    (f.get(11).unwrap_or(&0.0) + f.get(12).unwrap_or(&0.0)) / 100.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let log: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let sec = if args.next().as_deref() == Some("malicious") {
        Security::Malicious
    } else {
        Security::SemiHonest
    };
    let n = 1usize << log;
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let delta = Delta::from_block_any(Block::random(&mut rand::rng()));
    let t0 = Instant::now();
    let s = tokio::spawn(async move {
        let mut s = CotSender::setup(&mut a, delta, sec).await.unwrap();
        let t = Instant::now();
        for _ in 0..3 {
            let k = s.send_cot(&mut a, n).await.unwrap();
            std::hint::black_box(&k);
        }
        t.elapsed()
    });
    let mut r = CotReceiver::setup(&mut b, sec).await.unwrap();
    let setup = t0.elapsed();
    let t = Instant::now();
    let c0 = cpu_seconds();
    for _ in 0..3 {
        let out = r.receive_random_cot(&mut b, n).await.unwrap();
        std::hint::black_box(&out);
    }
    let rt = t.elapsed();
    let st = s.await.unwrap();
    let cpu = (cpu_seconds() - c0) / 3.0;
    let secs = rt.max(st).as_secs_f64() / 3.0;
    println!(
        "{sec:?} setup (base OT) {:.2} ms; 2^{log} random COT: {:.4} s = {:.1} M COT/s; {:.2} B/COT; \
         CPU {:.1} ns/COT both parties = {:.1} M COT/s on 2 idle cores",
        setup.as_secs_f64() * 1e3,
        secs,
        n as f64 / secs / 1e6,
        b.bytes_sent() as f64 / (3 * n) as f64,
        cpu * 1e9 / n as f64,
        n as f64 / (cpu / 2.0) / 1e6
    );
}
