//! Misbehaving and vanishing peers: errors on the honest side within the timeout, never a
//! hang; and Δ never appears in either party's transcript.

use duet_core::{Block, Delta};
use duet_net::{Channel, ChannelConfig, duplex_pair};
use duet_ot::{CotReceiver, CotReceiverExt, CotSender, CotSenderExt, OtError, Security};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::AsyncWrite;

fn cfg() -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_millis(500))
}

async fn setup(sec: Security) -> (CotSender, Channel, CotReceiver, Channel) {
    let (mut a, mut b) = duplex_pair(&cfg());
    let delta = Delta::random(&mut rand::rng());
    let s = tokio::spawn(async move { (CotSender::setup(&mut a, delta, sec).await.unwrap(), a) });
    let r = CotReceiver::setup(&mut b, sec).await.unwrap();
    let (s, a) = s.await.unwrap();
    (s, a, r, b)
}

fn header(kind: u64, n: u64) -> [u8; 16] {
    let mut h = [0u8; 16];
    h[..8].copy_from_slice(&kind.to_le_bytes());
    h[8..].copy_from_slice(&n.to_le_bytes());
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_and_long_u_frames() {
    for (announced, sent) in [
        (16 * 1024u32 - 16, 100usize),
        (16 * 1024 + 16, 16 * 1024 + 16),
    ] {
        let (mut s, mut a, _r, mut b) = setup(Security::SemiHonest).await;
        let t = Instant::now();
        let raw = tokio::spawn(async move {
            b.send(&header(1, 1024)).await.unwrap();
            b.send(&announced.to_le_bytes()).await.unwrap();
            b.send(&vec![0u8; sent]).await.unwrap();
            b.flush().await.unwrap();
            tokio::time::sleep(Duration::from_secs(2)).await;
            drop(b);
        });
        let e = s.send_cot(&mut a, 1024).await.unwrap_err();
        assert!(matches!(e, OtError::Net(_)), "{e}");
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "took {:?}",
            t.elapsed()
        );
        raw.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receiver_vanishes_mid_extension() {
    let (mut s, mut a, mut r, mut b) = setup(Security::SemiHonest).await;
    // Receiver extends 3 chunks' worth but the sender expects more: then the receiver
    // disappears.
    let rt = tokio::spawn(async move {
        let _ = r.receive_cot(&mut b, &vec![true; 3 * duet_ot::CHUNK]).await;
        drop(b);
    });
    let t = Instant::now();
    let e = s.send_cot(&mut a, 3 * duet_ot::CHUNK).await;
    // Same n: this call succeeds; the next one finds the peer gone.
    assert!(e.is_ok());
    rt.await.unwrap();
    let e = s.send_cot(&mut a, 1000).await.unwrap_err();
    assert!(matches!(e, OtError::Net(_)), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sender_vanishes_before_ciphertexts() {
    for sec in [Security::SemiHonest, Security::Malicious] {
        let (s, a, mut r, mut b) = setup(sec).await;
        let st = tokio::spawn(async move {
            // Read a little of the receiver's first message, then disappear.
            let mut a = a;
            let mut buf = [0u8; 16];
            let _ = a.recv_exact(&mut buf).await;
            drop((s, a));
        });
        let t = Instant::now();
        let e = r
            .receive_ot(&mut b, &vec![false; 200_000])
            .await
            .unwrap_err();
        assert!(matches!(e, OtError::Net(_)), "{e}");
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "took {:?}",
            t.elapsed()
        );
        st.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_peer_times_out_in_setup() {
    let (mut a, b) = duplex_pair(&cfg());
    let t = Instant::now();
    let e = CotSender::setup(
        &mut a,
        Delta::from_block_any(Block(5)),
        Security::SemiHonest,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, OtError::Net(_)), "{e}");
    assert!(t.elapsed() < Duration::from_secs(2));
    drop(b);
}

/// A writer that records everything written through it.
struct Tap<W> {
    inner: W,
    log: Arc<Mutex<Vec<u8>>>,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for Tap<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let p = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = p {
            self.log.lock().unwrap().extend_from_slice(&buf[..n]);
        }
        p
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

fn tapped(stream: tokio::io::DuplexStream) -> (Channel, Arc<Mutex<Vec<u8>>>) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let (r, w) = tokio::io::split(stream);
    let ch = Channel::new(
        r,
        Tap {
            inner: w,
            log: log.clone(),
        },
        &cfg(),
    );
    (ch, log)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delta_never_leaves_the_sender() {
    for sec in [Security::SemiHonest, Security::Malicious] {
        let (x, y) = tokio::io::duplex(1 << 22);
        let (mut a, log_a) = tapped(x);
        let (mut b, log_b) = tapped(y);
        let delta = Delta::from_block_any(Block::random(&mut rand::rng()));
        let d = delta.as_block().to_bytes();
        let s = tokio::spawn(async move {
            let mut s = CotSender::setup(&mut a, delta, sec).await.unwrap();
            s.send_cot(&mut a, 5000).await.unwrap();
            s.send_random_ot(&mut a, 300).await.unwrap();
            s.send_ot(&mut a, &[[Block(1), Block(2)]; 100])
                .await
                .unwrap();
            s.send_ot_bytes(&mut a, &[(vec![1; 40], vec![2; 40])])
                .await
                .unwrap();
        });
        let mut r = CotReceiver::setup(&mut b, sec).await.unwrap();
        r.receive_random_cot(&mut b, 5000).await.unwrap();
        r.receive_random_ot(&mut b, 300).await.unwrap();
        r.receive_ot(&mut b, &[true; 100]).await.unwrap();
        r.receive_ot_bytes(&mut b, &[false]).await.unwrap();
        s.await.unwrap();
        assert!(log_b.lock().unwrap().len() > 5000 * 16);
        assert!(log_a.lock().unwrap().len() > 100 * 32);
        for log in [log_a, log_b] {
            let log = log.lock().unwrap();
            assert!(!log.windows(16).any(|w| w == d), "Δ found in a transcript");
        }
    }
}
