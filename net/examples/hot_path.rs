//! Micro-benchmark of the channel hot path and the record layer on one thread (best of 5):
//! `cargo run --release -p duet-net --example hot_path`.

use duet_net::{Channel, ChannelConfig};
/// Thread CPU time (immune to the machine's other load).
#[derive(Clone, Copy)]
struct Instant(f64);
impl Instant {
    fn now() -> Instant {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec through a valid pointer.
        unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
        Instant(ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9)
    }
    fn elapsed(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(Instant::now().0 - self.0)
    }
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let cfg = ChannelConfig::default();
        let mut w = Channel::new(tokio::io::empty(), tokio::io::sink(), &cfg);
        let mut r = Channel::new(tokio::io::repeat(7), tokio::io::sink(), &cfg);
        let n = 20_000_000u64;
        let piece = [1u8; 32];
        for round in 0..5 {
            let t = Instant::now();
            for _ in 0..n {
                w.send(&piece).await.unwrap();
            }
            let s = t.elapsed().as_secs_f64();
            let mut buf = [0u8; 32];
            let t = Instant::now();
            for _ in 0..n {
                r.recv_exact(&mut buf).await.unwrap();
            }
            let rcv = t.elapsed().as_secs_f64();
            println!(
                "round {round}: send 32 B {:.1} ns ({:.2} GB/s), recv 32 B {:.1} ns ({:.2} GB/s)",
                s * 1e9 / n as f64,
                n as f64 * 32.0 / s / 1e9,
                rcv * 1e9 / n as f64,
                n as f64 * 32.0 / rcv / 1e9
            );
        }
    });
    // AES-256-GCM via snow and Duet's resolver (aes-gcm 0.11 over aes 0.9) on 65519-byte
    // records, one thread.
    let params: snow::params::NoiseParams = "Noise_NN_25519_AESGCM_SHA256".parse().unwrap();
    let mut i = duet_net::secure::builder_with_duet_crypto(params.clone())
        .build_initiator()
        .unwrap();
    let mut r = duet_net::secure::builder_with_duet_crypto(params)
        .build_responder()
        .unwrap();
    let mut m = vec![0u8; 65535];
    let mut pbig = vec![0u8; 65535 + 2048];
    let p = &mut pbig[2048..];
    let n = i.write_message(&[], &mut m).unwrap();
    r.read_message(&m[..n], p).unwrap();
    let n = r.write_message(&[], &mut m).unwrap();
    i.read_message(&m[..n], p).unwrap();
    let mut i = i.into_transport_mode().unwrap();
    let mut r = r.into_transport_mode().unwrap();
    let plain = vec![3u8; 65519];
    for _ in 0..3 {
        let recs = 16000;
        let (mut te, mut td) = (0f64, 0f64);
        for _ in 0..recs {
            let t = Instant::now();
            let n = i.write_message(&plain, &mut m).unwrap();
            te += t.elapsed().as_secs_f64();
            let t = Instant::now();
            r.read_message(&m[..n], p).unwrap();
            td += t.elapsed().as_secs_f64();
        }
        let bytes = recs as f64 * 65519.0;
        println!(
            "AES-256-GCM (snow/duet) seal {:.2} GB/s, open {:.2} GB/s",
            bytes / te / 1e9,
            bytes / td / 1e9
        );
    }

    {
        use ring::aead::*;
        let key = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &[9u8; 32]).unwrap());
        let mut buf = vec![3u8; 65519];
        for _ in 0..3 {
            let (mut te, mut td) = (0f64, 0f64);
            for k in 0..16000u64 {
                let mut nb = [0u8; 12];
                nb[4..].copy_from_slice(&k.to_be_bytes());
                let t = Instant::now();
                let tag = key
                    .seal_in_place_separate_tag(
                        Nonce::assume_unique_for_key(nb),
                        Aad::empty(),
                        &mut buf,
                    )
                    .unwrap();
                te += t.elapsed().as_secs_f64();
                buf.extend_from_slice(tag.as_ref());
                let t = Instant::now();
                let n = key
                    .open_in_place(Nonce::assume_unique_for_key(nb), Aad::empty(), &mut buf)
                    .unwrap()
                    .len();
                td += t.elapsed().as_secs_f64();
                buf.truncate(n);
            }
            let bytes = 16000.0 * 65519.0;
            println!(
                "ring direct seal {:.2} GB/s, open {:.2} GB/s",
                bytes / te / 1e9,
                bytes / td / 1e9
            );
        }
    }
}
