//! Quick throughput probe of the extension (both parties in one process over the duplex):
//! `cargo run --release -p duet-ot --example ot_speed -- [log2 n] [malicious]`.
//! The full report is `gc-run speed ot`.

use duet_core::{Block, Delta};
use duet_net::{ChannelConfig, duplex_pair};
use duet_ot::{CotReceiver, CotSender, Security};
use std::time::Instant;

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
    for _ in 0..3 {
        let out = r.receive_random_cot(&mut b, n).await.unwrap();
        std::hint::black_box(&out);
    }
    let rt = t.elapsed();
    let st = s.await.unwrap();
    let secs = rt.max(st).as_secs_f64() / 3.0;
    println!(
        "{sec:?} setup (base OT) {:.2} ms; 2^{log} random COT: {:.4} s = {:.1} M COT/s; {:.2} B/COT",
        setup.as_secs_f64() * 1e3,
        secs,
        n as f64 / secs / 1e6,
        b.bytes_sent() as f64 / (3 * n) as f64
    );
}
