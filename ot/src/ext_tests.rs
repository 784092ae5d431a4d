//! In-crate tests of the extension drivers that need the receiver core's test hook.

use super::*;
use crate::{CotReceiverExt, CotSenderExt};
use duet_net::{ChannelConfig, duplex_pair};
use std::time::Duration;

async fn pair(delta: Delta, sec: Security) -> (CotSender, Channel, CotReceiver, Channel) {
    let cfg = ChannelConfig::default().with_timeout(Duration::from_secs(5));
    let (mut a, mut b) = duplex_pair(&cfg);
    let s = tokio::spawn(async move { (CotSender::setup(&mut a, delta, sec).await.unwrap(), a) });
    let r = CotReceiver::setup(&mut b, sec).await.unwrap();
    let (s, a) = s.await.unwrap();
    (s, a, r, b)
}

/// A receiver that flips one bit of column `j` of `u` (inconsistent choice bit of one OT
/// across the columns) is caught by KOS when Δ_j = 1, and not caught by plain IKNP, whose
/// output then breaks the correlation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kos_catches_inconsistent_columns() {
    let d = Block::random(&mut rand::rng());
    let j = (0..128).find(|&j| d.bit(j)).expect("Δ has a set bit");
    for (sec, n, i) in [
        (Security::Malicious, 1000, 17),
        (Security::Malicious, 3 * CHUNK, CHUNK + 5),
        (Security::SemiHonest, 1000, 17),
    ] {
        let (mut s, mut a, mut r, mut b) = pair(Delta::from_block_any(d), sec).await;
        // A first honest call passes.
        let st = tokio::spawn(async move {
            let ok = s.send_cot(&mut a, 500).await;
            let bad = s.send_cot(&mut a, n).await;
            (ok, bad)
        });
        r.receive_random_cot(&mut b, 500).await.unwrap();
        r.flip((j, i));
        let got = r.receive_random_cot(&mut b, n).await;
        let (ok, bad) = st.await.unwrap();
        assert!(ok.is_ok());
        match sec {
            Security::Malicious => {
                assert!(matches!(bad, Err(OtError::ConsistencyCheck)), "{bad:?}");
            }
            Security::SemiHonest => {
                let (bits, m) = got.unwrap();
                let k = bad.unwrap();
                let wrong: Vec<usize> = (0..n)
                    .filter(|&x| m[x] != k[x] ^ Delta::from_block_any(d).select(bits[x]))
                    .collect();
                assert_eq!(wrong, vec![i]);
            }
        }
    }
}

/// With Δ_j = 0 the flipped bit is invisible to the sender (the receiver learns Δ_j = 0:
/// KOS's allowed leakage); the check passes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kos_flip_on_zero_delta_bit_passes() {
    let d = Block(Block::random(&mut rand::rng()).0 & !(1u128 << 9));
    let (mut s, mut a, mut r, mut b) = pair(Delta::from_block_any(d), Security::Malicious).await;
    let st = tokio::spawn(async move { s.send_cot(&mut a, 1000).await });
    r.flip((9, 3));
    r.receive_random_cot(&mut b, 1000).await.unwrap();
    assert!(st.await.unwrap().is_ok());
}

/// Streamed and into-buffer random COT hold the correlation `m_i = k_i ⊕ b_i·Δ` for every
/// OT, for sizes that are not multiples of 128 or of the chunk; streamed chunks have the
/// source's chunk length; reused buffers of another size give the same guarantees; a
/// storing sender call matches a random receiver call (IKNP: same wire).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_and_reused_buffer_cots_hold_the_correlation() {
    let d = Delta::from_block_any(Block::random(&mut rand::rng()));
    let (mut s, mut a, mut r, mut b) =
        pair(Delta::from_block_any(d.as_block()), Security::SemiHonest).await;
    let n1 = 2 * CHUNK + 77;
    let n2 = 1000;
    let st = tokio::spawn(async move {
        // 1. streamed sender, streamed receiver
        let mut k1 = Vec::new();
        let mut chunks = Vec::new();
        s.send_random_cot_stream(&mut a, n1, |k| {
            chunks.push(k.len());
            k1.extend_from_slice(k)
        })
        .await
        .unwrap();
        // 2. into-buffer sender (a buffer longer than needed), into-buffer receiver
        let mut k2 = vec![Block::ZERO; 5000];
        s.send_random_cot_into(&mut a, n2, &mut k2).await.unwrap();
        // 3. storing chosen-call sender, into-buffer random receiver
        let k3 = s.send_cot(&mut a, n1).await.unwrap();
        (k1, chunks, k2, k3)
    });
    let mut m1 = Vec::new();
    let mut bits1 = Vec::new();
    r.receive_random_cot_stream(&mut b, n1, |bits, m| {
        bits1.extend((0..m.len()).map(|i| bits[i / 128].bit(i % 128)));
        m1.extend_from_slice(m)
    })
    .await
    .unwrap();
    let mut m2 = vec![Block::ZERO; 3];
    let packed2 = r
        .receive_random_cot_into(&mut b, n2, &mut m2)
        .await
        .unwrap();
    let mut m3 = vec![Block::ZERO; 3];
    let packed3 = r
        .receive_random_cot_into(&mut b, n1, &mut m3)
        .await
        .unwrap();
    let (k1, chunks, k2, k3) = st.await.unwrap();
    assert_eq!(chunks, vec![CHUNK, CHUNK, 77]);
    for (k, m, bits) in [
        (&k1, &m1, bits1),
        (
            &k2,
            &m2,
            (0..n2).map(|i| packed2[i / 128].bit(i % 128)).collect(),
        ),
        (
            &k3,
            &m3,
            (0..n1).map(|i| packed3[i / 128].bit(i % 128)).collect(),
        ),
    ] {
        assert_eq!(k.len(), m.len());
        assert_eq!(bits.len(), m.len());
        for i in 0..m.len() {
            assert_eq!(m[i], k[i] ^ d.select(bits[i]), "OT {i} of {}", m.len());
        }
        // the choice bits are not constant
        assert!(bits.iter().any(|&x| x) && bits.iter().any(|&x| !x));
    }
    assert_eq!(packed3.len(), n1.div_ceil(128));
    // bits past n are zero
    assert_eq!(packed3[packed3.len() - 1].0 >> (n1 % 128), 0);
}

/// Chunked KOS checks every chunk before handing it out: a receiver that cheats in the
/// second chunk is caught at that chunk, after the first was delivered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_kos_checks_each_chunk() {
    let d = Block::random(&mut rand::rng());
    let j = (0..128).find(|&j| d.bit(j)).expect("Δ has a set bit");
    let (mut s, mut a, mut r, mut b) = pair(Delta::from_block_any(d), Security::Malicious).await;
    let chunk = 1000;
    let st = tokio::spawn(async move {
        let mut got = 0;
        let e = s
            .send_cot_chunks(&mut a, 3 * chunk, chunk, |k| got += k.len())
            .await;
        (got, e)
    });
    // the hook counts the padded rows of every call: 1000 + κ + σ → 1280 per call
    r.flip((j, 1280 + 5));
    let choices = vec![true; 3 * chunk];
    let _ = r.receive_cot_chunks(&mut b, &choices, chunk, |_| {}).await;
    let (got, e) = st.await.unwrap();
    assert_eq!(got, chunk);
    assert!(matches!(e, Err(OtError::ConsistencyCheck)), "{e:?}");
}

/// Chosen-choice COT streamed to a callback gives `m_i = k_i ⊕ c_i·Δ` for every OT, across
/// chunk boundaries, against a streamed sender.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chosen_cot_stream_holds_the_correlation() {
    let d = Delta::from_block_any(Block::random(&mut rand::rng()));
    let (mut s, mut a, mut r, mut b) =
        pair(Delta::from_block_any(d.as_block()), Security::SemiHonest).await;
    let n = CHUNK + 300;
    let choices: Vec<bool> = (0..n).map(|i| (i * 7 + i / 5) % 3 == 0).collect();
    let st = tokio::spawn(async move {
        let mut k = Vec::new();
        s.send_cot_stream(&mut a, n, |c| k.extend_from_slice(c))
            .await
            .unwrap();
        k
    });
    let mut m = Vec::new();
    let mut calls = 0;
    r.receive_cot_stream(&mut b, &choices, |c| {
        calls += 1;
        m.extend_from_slice(c)
    })
    .await
    .unwrap();
    let k = st.await.unwrap();
    assert_eq!(calls, 2);
    assert_eq!(m.len(), n);
    for i in 0..n {
        assert_eq!(m[i], k[i] ^ d.select(choices[i]), "OT {i}");
    }
}
