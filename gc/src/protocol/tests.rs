//! Security sanity over a recording transport: Δ and the garbler's 0-labels never appear in
//! either direction of the transcript; labels are fresh every run; the garbler's active
//! input labels have uniform pointer bits.

use crate::handshake::OutputPolicy;
use crate::{Prepared, Session, SessionOptions};
use duet_circuits::{Bits, Circuit, Gate};
use duet_core::Block;
use duet_net::{Channel, ChannelConfig};
use duet_ot::ideal::{IdealCot, IdealCotReceiver, IdealCotSender};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncWrite, DuplexStream, WriteHalf};

type IdealSession = Session<IdealCotSender, IdealCotReceiver>;

struct Recorder {
    inner: WriteHalf<DuplexStream>,
    log: Arc<Mutex<Vec<u8>>>,
}

impl AsyncWrite for Recorder {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match Pin::new(&mut self.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => {
                self.log.lock().unwrap().extend_from_slice(&buf[..n]);
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

type Log = Arc<Mutex<Vec<u8>>>;

fn recorded_pair() -> (Channel, Channel, Log, Log) {
    let (x, y) = tokio::io::duplex(1 << 22);
    let (xr, xw) = tokio::io::split(x);
    let (yr, yw) = tokio::io::split(y);
    let (gl, el): (Log, Log) = Default::default();
    let cfg = ChannelConfig::default();
    let g = Channel::new(
        xr,
        Recorder {
            inner: xw,
            log: gl.clone(),
        },
        &cfg,
    );
    let e = Channel::new(
        yr,
        Recorder {
            inner: yw,
            log: el.clone(),
        },
        &cfg,
    );
    (g, e, gl, el)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transcript_never_carries_delta_or_zero_labels() {
    // out = (a XOR b) AND b: one AND gate, one output bit
    let mut c = Circuit::new(4, vec![1, 1], vec![1]).unwrap();
    c.push(Gate::Xor { a: 0, b: 1, out: 2 }).unwrap();
    c.push(Gate::And { a: 2, b: 1, out: 3 }).unwrap();
    let p = Prepared::new(c.finish().unwrap());
    let one: Bits = std::iter::once(true).collect();
    let (gch, ech, g_log, e_log) = recorded_pair();
    // COTs from the ideal functionality: this test is about the garbling transcript (the
    // OT transcript: duet-ot's `delta_never_leaves_the_sender`)
    let cot = IdealCot::new(Block::random(&mut rand::rng()));
    let (g, e) = tokio::join!(
        IdealSession::garbler_with_cot(gch, SessionOptions::default(), cot.sender()),
        IdealSession::evaluator_with_cot(ech, SessionOptions::default(), cot.receiver())
    );
    let (mut g, mut e) = (g.unwrap(), e.unwrap());
    let mut active = Vec::new();
    for _ in 0..200 {
        let (gi, ei) = ([(0, one.clone())], [(1, one.clone())]);
        let (go, eo) = tokio::join!(
            g.run_prepared(&p, &gi, OutputPolicy::Evaluator),
            e.run_prepared(&p, &ei, OutputPolicy::Evaluator)
        );
        assert!(go.unwrap().is_empty());
        assert_eq!(eo.unwrap()[0], std::iter::once(false).collect::<Bits>());
        // The garbler's run ends with: labels frame (4 + salt 16 + label 16), one AND's
        // tables (4 + 32), the end of the tables (4 + 0), decoding bits (4 + 1).
        let log = g_log.lock().unwrap();
        let end = log.len();
        assert_eq!(&log[end - 81..end - 77], &32u32.to_le_bytes());
        assert_eq!(&log[end - 9..end - 5], &0u32.to_le_bytes());
        active.push(Block::from_bytes(
            log[end - 61..end - 45].try_into().unwrap(),
        ));
    }
    let mut uniq = active.clone();
    uniq.sort_by_key(|b| b.0);
    uniq.dedup();
    assert_eq!(uniq.len(), active.len(), "labels must be fresh every run");
    // 200 fair coins land in 100 ± 40 except with probability < 2^-20
    let ones = active.iter().filter(|b| b.lsb()).count();
    assert!((60..=140).contains(&ones), "{ones} of 200 pointer bits set");
    let delta = g.delta().expect("garbler").as_block();
    let needles: Vec<[u8; 16]> = std::iter::once(delta)
        .chain(active.iter().map(|a| *a ^ delta)) // the 0-labels (the inputs were 1)
        .map(|b| b.to_bytes())
        .collect();
    for log in [&g_log, &e_log] {
        let h = log.lock().unwrap();
        for n in &needles {
            assert!(
                !h.windows(16).any(|w| w == n),
                "a secret appears in the transcript"
            );
        }
    }
}
