//! In-crate tests of the extension drivers that need the receiver core's test hook.

use super::*;
use duet_net::{ChannelConfig, duplex_pair};
use std::time::Duration;

async fn pair(delta: Delta, sec: Security) -> (CotSender, Channel, CotReceiver, Channel) {
    let cfg = ChannelConfig {
        timeout: Duration::from_secs(5),
        ..Default::default()
    };
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
        r.core.flip = Some((j, i));
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
    r.core.flip = Some((9, 3));
    r.receive_random_cot(&mut b, 1000).await.unwrap();
    assert!(st.await.unwrap().is_ok());
}
