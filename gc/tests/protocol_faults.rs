//! Faults: crafted table frames from a raw garbler, corrupted and truncated transports.
//! (Transcript secrecy, fresh labels and uniform pointer bits: `gc/src/protocol/tests.rs`.)

use duet_circuits::{Bits, library, values};
use duet_core::Delta;
use duet_gc::handshake::{Hello, OutputPolicy, PROTOCOL_VERSION, Role, RunOffer};
use duet_gc::{Prepared, ProtocolError, SchemeKind, Session, SessionOptions};
use duet_net::{Channel, ChannelConfig, NetError, duplex_pair};
use duet_ot::ideal::{IdealCot, IdealCotSender};
use duet_ot::{CotSenderExt, RandomCotSender};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, DuplexStream, ReadHalf, WriteHalf};

fn cfg() -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_secs(5))
}

fn aes() -> Prepared {
    Prepared::new(library::load("aes_128").unwrap())
}

/// A raw garbler: speaks the protocol up to the tables (its COTs from the ideal
/// functionality the evaluator shares), then lets the test send anything.
async fn raw_garbler_until_tables(
    ch: &mut Channel,
    p: &Prepared,
    mut cot: IdealCotSender,
) -> Delta {
    let hello = Hello {
        version: PROTOCOL_VERSION,
        role: Role::Garbler,
    };
    ch.send_frame(&hello.encode()).await.unwrap();
    ch.flush().await.unwrap();
    ch.recv_frame(64).await.unwrap();
    let delta = cot.delta().clone();
    let offer = RunOffer {
        role: Role::Garbler,
        run: 0,
        digest: p.digest(),
        owners: vec![Role::Garbler, Role::Evaluator],
        policy: OutputPolicy::Both,
        instances: 1,
        scheme: SchemeKind::HalfGates,
    };
    ch.send_frame(&offer.encode()).await.unwrap();
    ch.flush().await.unwrap();
    ch.recv_frame(1 << 20).await.unwrap();
    cot.send_cot(ch, 128).await.unwrap();
    // salt + 128 labels of the garbler's key
    ch.send_frame(&vec![7u8; 16 + 16 * 128]).await.unwrap();
    delta
}

async fn evaluator_vs_raw<F>(craft: F) -> ProtocolError
where
    F: for<'a> FnOnce(&'a mut Channel) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>
        + Send
        + 'static,
{
    let (mut a, b) = duplex_pair(&cfg());
    let p = aes();
    let p2 = p.clone();
    let cot = IdealCot::new(duet_core::Block::random(&mut rand::rng()));
    let sender = cot.sender();
    let raw = tokio::spawn(async move {
        raw_garbler_until_tables(&mut a, &p2, sender).await;
        craft(&mut a).await;
        let _ = a.flush().await;
        // keep the channel open a moment, then drop it (EOF)
        tokio::time::sleep(Duration::from_millis(50)).await;
    });
    let pt = values::parse_hex("00112233445566778899aabbccddeeff", 128).unwrap();
    let mut e = Session::<IdealCotSender, _>::evaluator_with_cot(
        b,
        SessionOptions::default(),
        cot.receiver(),
    )
    .await
    .unwrap();
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        e.run_prepared(&p, &[(1, pt)], OutputPolicy::Both),
    )
    .await
    .expect("the evaluator must not hang");
    raw.await.unwrap();
    r.expect_err("crafted tables must fail")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crafted_table_frames_give_errors() {
    // one gate and a byte, then the end of the tables
    let e = evaluator_vs_raw(|ch| {
        Box::pin(async move {
            ch.send_frame(&[1u8; 33]).await.unwrap();
            ch.send_frame(&[]).await.unwrap();
        })
    })
    .await;
    assert!(
        e.to_string().contains(
            "the garbled tables ended early: 0 of 6400 AND gates evaluated after 33 bytes"
        ),
        "{e}"
    );
    // more than the circuit can take in one frame (6 400 AND gates = 204 800 bytes)
    let e = evaluator_vs_raw(|ch| {
        Box::pin(async move {
            ch.send_frame(&vec![1u8; 32 * 6_400 + 1]).await.unwrap();
        })
    })
    .await;
    assert!(
        matches!(e, ProtocolError::Net(NetError::FrameTooLarge { .. })),
        "{e}"
    );
    // every table, then one byte more in a frame of its own
    let e = evaluator_vs_raw(|ch| {
        Box::pin(async move {
            ch.send_frame(&vec![1u8; 32 * 6_400]).await.unwrap();
            ch.send_frame(&[1u8]).await.unwrap();
            ch.send_frame(&[]).await.unwrap();
        })
    })
    .await;
    assert!(
        e.to_string().contains("more garbled tables than 1 run(s)"),
        "{e}"
    );
    // truncated: half the tables, then the peer goes away
    let e = evaluator_vs_raw(|ch| {
        Box::pin(async move {
            ch.send_frame(&vec![1u8; 16 * 6_400]).await.unwrap();
        })
    })
    .await;
    assert!(
        matches!(
            e,
            ProtocolError::Net(NetError::Closed | NetError::Timeout { .. })
        ),
        "{e}"
    );
    // a frame header announcing 4 GiB
    let e = evaluator_vs_raw(|ch| {
        Box::pin(async move {
            ch.send(&u32::MAX.to_le_bytes()).await.unwrap();
        })
    })
    .await;
    assert!(
        matches!(e, ProtocolError::Net(NetError::FrameTooLarge { .. })),
        "{e}"
    );
    // an empty frame
    let e = evaluator_vs_raw(|ch| {
        Box::pin(async move {
            ch.send_frame(&[]).await.unwrap();
        })
    })
    .await;
    assert!(matches!(e, ProtocolError::Malformed(_)), "{e}");
}

/// How many consecutive bytes a tapped channel corrupts.
const FLIP_LEN: usize = 512;

/// A transport writer that records everything and can corrupt a run of bytes or stop after a count.
struct Tap {
    inner: WriteHalf<DuplexStream>,
    log: Arc<Mutex<Vec<u8>>>,
    flip_at: Option<usize>,
    cut_at: Option<usize>,
}

impl AsyncWrite for Tap {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let pos = self.log.lock().unwrap().len();
        if let Some(cut) = self.cut_at
            && pos >= cut
        {
            return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
        }
        let mut data = buf.to_vec();
        if let Some(cut) = self.cut_at {
            data.truncate(cut - pos);
        }
        // Flip FLIP_LEN bytes from `flip_at` on: a single flipped table row goes unused by the
        // evaluator with probability 1/2 (it reads a row only when a pointer bit says so),
        // 16 whole gates' tables are all skipped with probability 2^-32.
        if let Some(f) = self.flip_at {
            for (i, byte) in data.iter_mut().enumerate() {
                if (f..f + FLIP_LEN).contains(&(pos + i)) {
                    *byte ^= 0x01;
                }
            }
        }
        match Pin::new(&mut self.inner).poll_write(cx, &data) {
            Poll::Ready(Ok(n)) => {
                self.log.lock().unwrap().extend_from_slice(&data[..n]);
                Poll::Ready(Ok(n))
            }
            other => other,
        }
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

struct Pair {
    g: Channel,
    e: Channel,
    g_log: Arc<Mutex<Vec<u8>>>,
    e_log: Arc<Mutex<Vec<u8>>>,
}

fn tapped(flip_at: Option<usize>, cut_at: Option<usize>) -> Pair {
    let (x, y) = tokio::io::duplex(1 << 22);
    let (xr, xw): (ReadHalf<DuplexStream>, _) = tokio::io::split(x);
    let (yr, yw) = tokio::io::split(y);
    let g_log = Arc::new(Mutex::new(Vec::new()));
    let e_log = Arc::new(Mutex::new(Vec::new()));
    let gw = Tap {
        inner: xw,
        log: g_log.clone(),
        flip_at,
        cut_at,
    };
    let ew = Tap {
        inner: yw,
        log: e_log.clone(),
        flip_at: None,
        cut_at: None,
    };
    fn ch<R: AsyncRead + Send + Unpin + 'static>(r: R, w: Tap) -> Channel {
        Channel::new(r, w, &cfg())
    }
    Pair {
        g: ch(xr, gw),
        e: ch(yr, ew),
        g_log,
        e_log,
    }
}

async fn aes_run(
    pair: Pair,
    key: &Bits,
    pt: &Bits,
) -> (
    Result<Vec<Bits>, ProtocolError>,
    Result<Vec<Bits>, ProtocolError>,
    Vec<u8>,
    Vec<u8>,
) {
    let p = aes();
    let p2 = p.clone();
    let (g, e) = tokio::join!(
        Session::garbler(pair.g, SessionOptions::default()),
        Session::evaluator(pair.e, SessionOptions::default())
    );
    let (g, e) = (g.unwrap(), e.unwrap());
    let gi = [(0usize, key.clone())];
    let ei = [(1usize, pt.clone())];
    // each side drops its session (closing its channel) as soon as its run ends
    let (go, eo) = tokio::join!(
        async move {
            let mut g = g;
            g.run_prepared(&p, &gi, OutputPolicy::Both).await
        },
        async move {
            let mut e = e;
            e.run_prepared(&p2, &ei, OutputPolicy::Both).await
        }
    );
    let gl = pair.g_log.lock().unwrap().clone();
    let el = pair.e_log.lock().unwrap().clone();
    (go, eo, gl, el)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_or_cut_stream_is_an_error_not_a_panic() {
    let key = values::parse_hex("000102030405060708090a0b0c0d0e0f", 128).unwrap();
    let pt = values::parse_hex("00112233445566778899aabbccddeeff", 128).unwrap();
    // a clean run gives the length of the garbler's transcript
    let (go, eo, glog, _) = aes_run(tapped(None, None), &key, &pt).await;
    assert_eq!(
        values::to_hex(&go.unwrap()[0]),
        "69c4e0d86a7b0430d8cdb78070b4c55a"
    );
    assert_eq!(
        values::to_hex(&eo.unwrap()[0]),
        "69c4e0d86a7b0430d8cdb78070b4c55a"
    );
    let total = glog.len();
    // the decoding frame (4 + 16 bytes) ends the transcript; corrupt 512 bytes of the tables
    let (go, eo, _, _) = aes_run(tapped(Some(total - 20 - 1000), None), &key, &pt).await;
    let g_err = go.expect_err("the garbler must detect a corrupted table");
    assert!(
        g_err.to_string().contains("neither of the wire's labels"),
        "{g_err}"
    );
    // the evaluator decodes garbage (semi-honest: it cannot tell), but must not panic
    let _ = eo;
    // cut the garbler's stream in the middle of the tables
    let (go, eo, _, _) = aes_run(tapped(None, Some(total - 100_000)), &key, &pt).await;
    assert!(go.is_err() && eo.is_err());
}
