//! Channel throughput: plain and Noise-encrypted, over the in-memory duplex and TCP
//! loopback, with 1 MiB sends (bulk, e.g. OT matrices) and 32-byte sends (one garbled AND
//! gate each), plus the secure connection set-up (TCP connect + Noise XX + confirmation).
//! Both parties run in this process on a 2-worker tokio runtime.
//!
//! `cargo bench --bench net -- --measurement-time 2 --warm-up-time 1`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_net::{Channel, ChannelConfig, SecureKeys, StaticKeyPair, secure, tcp};
use std::cell::RefCell;
use std::time::{Duration, Instant};
use tokio::runtime::Runtime;

const BULK: usize = 64 << 20;
const SMALL: usize = 16 << 20;

/// Builds one connected channel pair for a benchmark case.
type MakePair<'a> = Box<dyn Fn() -> (Channel, Channel) + 'a>;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn keys() -> (SecureKeys, SecureKeys) {
    let s = StaticKeyPair::generate().unwrap();
    let c = StaticKeyPair::generate().unwrap();
    (
        SecureKeys::new(s.clone(), c.public()),
        SecureKeys::new(c, s.public()),
    )
}

async fn tcp_pair(keys: Option<(SecureKeys, SecureKeys)>) -> (Channel, Channel) {
    let config = ChannelConfig::default();
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let wait = Duration::from_secs(5);
    let c = config.clone();
    match keys {
        None => {
            let j = tokio::spawn(async move { tcp::connect(&addr, &c, wait).await.unwrap() });
            let a = tcp::accept(&listener, &config, wait).await.unwrap();
            (a, j.await.unwrap())
        }
        Some((sk, ck)) => {
            let j =
                tokio::spawn(async move { secure::connect(&addr, &c, wait, &ck).await.unwrap() });
            let a = secure::accept(&listener, &config, wait, &sk).await.unwrap();
            (a, j.await.unwrap())
        }
    }
}

async fn duplex_secure((sk, ck): (SecureKeys, SecureKeys)) -> (Channel, Channel) {
    let (x, y) = tokio::io::duplex(4 << 20);
    let c = ChannelConfig::default();
    let j = tokio::spawn(async move { secure::over_stream(x, false, &c, &sk).await.unwrap() });
    let b = secure::over_stream(y, true, &ChannelConfig::default(), &ck)
        .await
        .unwrap();
    (j.await.unwrap(), b)
}

/// Move `total` bytes a → b in sends (and receives) of `piece` bytes.
async fn transfer(pair: (Channel, Channel), total: usize, piece: usize) -> (Channel, Channel) {
    let (mut a, mut b) = pair;
    let sender = tokio::spawn(async move {
        let buf = vec![0x5au8; piece];
        for _ in 0..total / piece {
            a.send(&buf).await.unwrap();
        }
        a.flush().await.unwrap();
        a
    });
    let mut buf = vec![0u8; piece];
    for _ in 0..total / piece {
        b.recv_exact(&mut buf).await.unwrap();
    }
    (sender.await.unwrap(), b)
}

fn throughput(c: &mut Criterion) {
    let rt = runtime();
    let mut g = c.benchmark_group("channel");
    g.sample_size(10);
    let makers: Vec<(&str, MakePair)> = vec![
        (
            "duplex-plain",
            Box::new(|| duet_net::duplex_pair(&ChannelConfig::default())),
        ),
        ("tcp-plain", Box::new(|| rt.block_on(tcp_pair(None)))),
        (
            "duplex-secure",
            Box::new(|| rt.block_on(duplex_secure(keys()))),
        ),
        (
            "tcp-secure",
            Box::new(|| rt.block_on(tcp_pair(Some(keys())))),
        ),
    ];
    for (name, make) in &makers {
        for (label, total, piece) in [("1MiB-sends", BULK, 1 << 20), ("32B-sends", SMALL, 32)] {
            let pair = RefCell::new(Some(make()));
            g.throughput(Throughput::Bytes(total as u64));
            g.bench_function(format!("{name}/{label}"), |bch| {
                bch.iter_custom(|iters| {
                    let mut p = pair.borrow_mut().take().unwrap();
                    let t = Instant::now();
                    for _ in 0..iters {
                        p = rt.block_on(transfer(p, total, piece));
                    }
                    let el = t.elapsed();
                    *pair.borrow_mut() = Some(p);
                    el
                })
            });
        }
    }
    g.finish();
}

fn setup(c: &mut Criterion) {
    let rt = runtime();
    let k = keys();
    c.bench_function("secure-setup/tcp-connect+noise-xx", |b| {
        b.iter(|| rt.block_on(tcp_pair(Some(k.clone()))))
    });
}

criterion_group!(benches, throughput, setup);
criterion_main!(benches);
