//! Quick channel throughput check (no criterion): `cargo run --release -p duet-net --example
//! net_speed [MiB]`. Both parties in one process on a 2-worker tokio runtime; prints GB/s
//! for plain/secure over duplex/TCP loopback, with 1 MiB and 32-byte sends, and the secure
//! connection set-up time.

use duet_net::{Channel, ChannelConfig, SecureKeys, StaticKeyPair, secure, tcp};
use std::time::{Duration, Instant};

async fn tcp_pair(keys: Option<(SecureKeys, SecureKeys)>) -> (Channel, Channel) {
    let config = ChannelConfig::default();
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let wait = Duration::from_secs(5);
    match keys {
        None => {
            let c = config.clone();
            let j = tokio::spawn(async move { tcp::connect(&addr, &c, wait).await.unwrap() });
            let a = tcp::accept(&listener, &config, wait).await.unwrap();
            (a, j.await.unwrap())
        }
        Some((sk, ck)) => {
            let c = config.clone();
            let j =
                tokio::spawn(async move { secure::connect(&addr, &c, wait, &ck).await.unwrap() });
            let a = secure::accept(&listener, &config, wait, &sk).await.unwrap();
            (a, j.await.unwrap())
        }
    }
}

async fn duplex_secure(sk: SecureKeys, ck: SecureKeys) -> (Channel, Channel) {
    let (x, y) = tokio::io::duplex(4 << 20);
    let c = ChannelConfig::default();
    let j = tokio::spawn(async move { secure::over_stream(x, false, &c, &sk).await.unwrap() });
    let b = secure::over_stream(y, true, &ChannelConfig::default(), &ck)
        .await
        .unwrap();
    (j.await.unwrap(), b)
}

/// Process CPU time (user + system, all threads) in seconds.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills one rusage struct through a valid pointer.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Move `total` bytes from `a` to `b` in sends of `piece` bytes; returns (wall GB/s, CPU
/// seconds per GB over both parties).
async fn transfer(
    a: &mut Option<Channel>,
    b: &mut Channel,
    total: usize,
    piece: usize,
) -> (f64, f64) {
    let mut tx = a.take().unwrap();
    let t = Instant::now();
    let c0 = cpu_seconds();
    let sender = tokio::spawn(async move {
        let buf = vec![0x5au8; piece];
        let mut left = total;
        while left > 0 {
            let n = left.min(piece);
            tx.send(&buf[..n]).await.unwrap();
            left -= n;
        }
        tx.flush().await.unwrap();
        tx
    });
    let mut rbuf = vec![0u8; piece.max(1 << 20)];
    let mut left = total;
    while left > 0 {
        let n = left
            .min(rbuf.len())
            .min(if piece < 4096 { piece } else { usize::MAX });
        b.recv_exact(&mut rbuf[..n]).await.unwrap();
        left -= n;
    }
    let secs = t.elapsed().as_secs_f64();
    *a = Some(sender.await.unwrap());
    let cpu = cpu_seconds() - c0;
    (total as f64 / secs / 1e9, cpu / (total as f64 / 1e9))
}

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(512);
    let total = mib << 20;
    let filter = std::env::args().nth(2).unwrap_or_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let s = StaticKeyPair::generate().unwrap();
        let c = StaticKeyPair::generate().unwrap();
        let sk = SecureKeys::new(s.clone(), c.public());
        let ck = SecureKeys::new(c.clone(), s.public());
        let mut best = Duration::MAX;
        for _ in 0..20 {
            let t = Instant::now();
            let p = tcp_pair(Some((sk.clone(), ck.clone()))).await;
            best = best.min(t.elapsed());
            drop(p);
        }
        println!("secure set-up (TCP connect + Noise XX + confirm), best of 20: {best:?}");
        for (name, pair) in [
            (
                "duplex plain ",
                duet_net::duplex_pair(&ChannelConfig::default()),
            ),
            ("tcp    plain ", tcp_pair(None).await),
            ("duplex secure", duplex_secure(sk.clone(), ck.clone()).await),
            (
                "tcp    secure",
                tcp_pair(Some((sk.clone(), ck.clone()))).await,
            ),
        ] {
            if !name.contains(filter.as_str()) {
                continue;
            }
            let (a, mut b) = pair;
            let mut a = Some(a);
            transfer(&mut a, &mut b, 64 << 20, 1 << 20).await; // warm-up
            let big = transfer(&mut a, &mut b, total, 1 << 20).await;
            let small = transfer(&mut a, &mut b, total / 4, 32).await;
            println!(
                "{name}: 1 MiB sends {:.2} GB/s wall, {:.3} CPU-s/GB (≈ {:.2} GB/s on 2 idle cores); \
                 32 B sends/recvs {:.2} GB/s wall, {:.3} CPU-s/GB",
                big.0,
                big.1,
                2.0 / big.1,
                small.0,
                small.1
            );
        }
    });
}
