//! Ferret COT between two real parties over the in-memory duplex: the correlation across
//! bootstrap and several iterations, odd call sizes, bootstrapping from an existing IKNP
//! session, choice-bit balance, and session mismatches.

use duet_core::{Block, Delta};
use duet_net::{Channel, ChannelConfig, duplex_pair};
use duet_ot::ferret::{FerretParams, FerretReceiver, FerretSender, choice_bits};
use duet_ot::{CotReceiver, CotReceiverExt, CotSender, CotSenderExt, OtError, Security};
use std::time::Duration;

const P: FerretParams = FerretParams::INSECURE_TEST;

fn channels() -> (Channel, Channel) {
    duplex_pair(&ChannelConfig::default().with_timeout(Duration::from_secs(10)))
}

async fn setup(
    sec: Security,
    params: FerretParams,
) -> (FerretSender, Channel, FerretReceiver, Channel, Delta) {
    let (mut a, mut b) = channels();
    let delta = Delta::random(&mut rand::rng());
    let d = delta.clone();
    let s = tokio::spawn(async move {
        let s = FerretSender::setup(&mut a, d, sec, params).await.unwrap();
        (s, a)
    });
    let r = FerretReceiver::setup(&mut b, sec, params).await.unwrap();
    let (s, a) = s.await.unwrap();
    (s, a, r, b, delta)
}

/// Draw `sizes` on both sides (the same sizes) and check every output.
async fn draw_and_check(
    s: FerretSender,
    mut a: Channel,
    r: &mut FerretReceiver,
    b: &mut Channel,
    delta: &Delta,
    sizes: &[usize],
) -> (FerretSender, Channel, Vec<bool>) {
    let sz = sizes.to_vec();
    let st = tokio::spawn(async move {
        let mut s = s;
        let mut ks = Vec::new();
        for n in sz {
            ks.push(s.extend(&mut a, n).await.unwrap());
        }
        (s, a, ks)
    });
    let mut got = Vec::new();
    for &n in sizes {
        got.push(r.extend(b, n).await.unwrap());
    }
    let (s, a, ks) = st.await.unwrap();
    let mut all_bits = Vec::new();
    for ((bits, m), k) in got.into_iter().zip(ks) {
        assert_eq!((bits.len(), m.len()), (k.len(), k.len()));
        for i in 0..k.len() {
            assert!(!k[i].lsb(), "sender keys have lsb 0");
            assert_eq!(bits[i], m[i].lsb());
            assert_eq!(m[i], k[i] ^ delta.select(bits[i]), "COT {i}");
        }
        all_bits.extend(bits);
    }
    (s, a, all_bits)
}

async fn correlation_across_iterations(sec: Security) {
    let (s, a, mut r, mut b, delta) = setup(sec, P).await;
    let per = P.per_iteration(sec);
    // What the setup iteration leaves to the caller.
    let first = P.setup.n() - P.main.consumed(sec);
    if sec == Security::Malicious {
        // run eagerly in `setup` (its outputs wait for the check)
        assert_eq!((s.buffered(), r.buffered()), (first, first));
    }
    // Odd sizes that straddle the setup buffer and iteration boundaries; more than four
    // iterations in all.
    let sizes = [0, 1, 1000, first, 12_345, per - 1, per + 1, per, 3];
    let (_, _, bits) = draw_and_check(s, a, &mut r, &mut b, &delta, &sizes).await;
    assert!(bits.len() > 4 * per);
    // The LPN ran (the MPCOT's own choice bits have weight t per iteration).
    let ones = bits.iter().filter(|&&x| x).count() as f64 / bits.len() as f64;
    assert!((ones - 0.5).abs() < 0.02, "fraction of ones {ones}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semi_honest_correlation_across_iterations() {
    correlation_across_iterations(Security::SemiHonest).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malicious_correlation_across_iterations() {
    correlation_across_iterations(Security::Malicious).await;
}

/// Call sizes may differ between the parties as long as the totals agree (empty calls on
/// one side only included).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sizes_may_differ_between_parties() {
    for sec in [Security::SemiHonest, Security::Malicious] {
        sizes_differ(sec).await;
    }
}

async fn sizes_differ(sec: Security) {
    let (mut s, mut a, mut r, mut b, delta) = setup(sec, P).await;
    let st = tokio::spawn(async move {
        s.extend(&mut a, 0).await.unwrap();
        let mut k = s.extend(&mut a, 20_000).await.unwrap();
        k.extend(s.extend(&mut a, 7).await.unwrap());
        k
    });
    let mut m = vec![Block::ZERO; 20_007];
    let (x, y) = m.split_at_mut(9_999);
    r.extend_into(&mut b, x).await.unwrap();
    r.extend_into(&mut b, y).await.unwrap();
    let k = st.await.unwrap();
    let bits = choice_bits(&m);
    for i in 0..k.len() {
        assert_eq!(m[i], k[i] ^ delta.select(bits[i]));
    }
}

/// Bootstrapping from an IKNP session the caller already has (which stays usable).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bootstraps_from_existing_iknp() {
    for sec in [Security::SemiHonest, Security::Malicious] {
        let (mut a, mut b) = channels();
        let delta = Delta::random(&mut rand::rng());
        let d = delta.clone();
        let st = tokio::spawn(async move {
            let mut cot = CotSender::setup(&mut a, d.clone(), sec).await.unwrap();
            let f = FerretSender::setup_with(&mut a, &mut cot, d, P)
                .await
                .unwrap();
            let iknp = cot.send_random_cot(&mut a, 100).await.unwrap();
            (f, a, iknp)
        });
        let mut cot = CotReceiver::setup(&mut b, sec).await.unwrap();
        let mut r = FerretReceiver::setup_with(&mut b, &mut cot, P)
            .await
            .unwrap();
        let (bits, m) = cot.receive_random_cot(&mut b, 100).await.unwrap();
        let (f, a, iknp) = st.await.unwrap();
        for i in 0..100 {
            assert_eq!(m[i], iknp[i] ^ delta.select(bits[i]));
        }
        assert_eq!(r.security(), sec);
        draw_and_check(f, a, &mut r, &mut b, &delta, &[30_000]).await;
    }
}

/// Weak statistical sanity: the choice bits are balanced, and sessions differ.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn choice_bits_look_balanced() {
    let n = 60_000;
    let mut previous: Option<Vec<bool>> = None;
    for _ in 0..2 {
        let (s, a, mut r, mut b, delta) = setup(Security::SemiHonest, P).await;
        let (_, _, bits) = draw_and_check(s, a, &mut r, &mut b, &delta, &[n]).await;
        let ones = bits.iter().filter(|&&x| x).count() as f64 / n as f64;
        // 8 standard deviations of a fair coin over n draws is ±0.016.
        assert!((ones - 0.5).abs() < 0.016, "fraction of ones {ones}");
        let runs = bits.windows(2).filter(|w| w[0] != w[1]).count() as f64 / n as f64;
        assert!((runs - 0.5).abs() < 0.016, "fraction of changes {runs}");
        if let Some(p) = &previous {
            assert_ne!(p, &bits);
        }
        previous = Some(bits);
    }
}

/// Mismatched parameters or security are refused on both sides; an lsb-0 Δ is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mismatches_are_refused() {
    let (mut a, mut b) = channels();
    let delta = Delta::random(&mut rand::rng());
    let mut other = P;
    other.main.k += 1;
    let st = tokio::spawn(async move {
        let mut cot = CotSender::setup(&mut a, delta.clone(), Security::SemiHonest)
            .await
            .unwrap();
        FerretSender::setup_with(&mut a, &mut cot, delta, P).await
    });
    let mut cot = CotReceiver::setup(&mut b, Security::SemiHonest)
        .await
        .unwrap();
    let r = FerretReceiver::setup_with(&mut b, &mut cot, other).await;
    assert!(matches!(r, Err(OtError::Usage(_))), "{r:?}");
    assert!(matches!(st.await.unwrap(), Err(OtError::Usage(_))));

    let (mut a, _b) = channels();
    let even = Delta::from_block_any(Block(2));
    let s = FerretSender::setup(&mut a, even, Security::SemiHonest, P).await;
    assert!(matches!(s, Err(OtError::Usage(_))), "{s:?}");

    let mut bad = P;
    bad.setup.t = 1;
    assert!(matches!(
        bad.validate(Security::SemiHonest),
        Err(OtError::Usage(_))
    ));
    assert!(
        FerretParams::FERRET_TABLE2
            .validate(Security::Malicious)
            .is_ok()
    );
}

/// A peer that sends a correction frame of the wrong length is refused, not a panic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frame_is_malformed() {
    let (s, mut a, mut r, mut b, _) = setup(Security::SemiHonest, P).await;
    drop(s);
    let n = 1;
    let t = tokio::spawn(async move {
        a.send_frame(&[0u8; 17]).await.unwrap();
        a.flush().await.unwrap();
        a
    });
    let e = r.extend(&mut b, n).await.unwrap_err();
    assert!(
        matches!(e, OtError::Net(_) | OtError::Malformed(_)),
        "{e:?}"
    );
    drop(t.await.unwrap());
}

/// The real parameter set: bootstrap and one main iteration, checked on every output.
/// `cargo test --release -p duet-ot --test ferret -- --ignored`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn table2_parameters_one_main_iteration() {
    for sec in [Security::SemiHonest, Security::Malicious] {
        let p = FerretParams::FERRET_TABLE2;
        let (s, a, mut r, mut b, delta) = setup(sec, p).await;
        let first = s.buffered();
        draw_and_check(
            s,
            a,
            &mut r,
            &mut b,
            &delta,
            &[first + p.per_iteration(sec)],
        )
        .await;
    }
}

/// A consumer that answers over the same channel after each call (as OT derandomisation
/// does) does not deadlock: a sender's call delivers every correction its outputs need.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trips_between_calls() {
    for sec in [Security::SemiHonest, Security::Malicious] {
        let (mut s, mut a, mut r, mut b, delta) = setup(sec, P).await;
        let st = tokio::spawn(async move {
            let mut ks = Vec::new();
            for i in 0..6 {
                ks.push(s.extend(&mut a, 777 + 3000 * i).await.unwrap());
                assert_eq!(a.recv_u64().await.unwrap(), i as u64);
            }
            ks
        });
        let mut ms = Vec::new();
        for i in 0..6 {
            ms.push(r.extend(&mut b, 777 + 3000 * i).await.unwrap());
            b.send_u64(i as u64).await.unwrap();
            b.flush().await.unwrap();
        }
        for (k, (bits, m)) in st.await.unwrap().into_iter().zip(ms) {
            for i in 0..k.len() {
                assert_eq!(m[i], k[i] ^ delta.select(bits[i]));
            }
        }
    }
}

/// Degenerate shapes: trees of depth 1 (no corrections at all) and 2, tiny iterations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shallow_trees_and_tiny_iterations() {
    use duet_ot::ferret::LpnParams;
    let p = FerretParams {
        setup: LpnParams {
            t: 400,
            log_bin: 1,
            k: 50,
        },
        main: LpnParams {
            t: 200,
            log_bin: 2,
            k: 100,
        },
    };
    for sec in [Security::SemiHonest, Security::Malicious] {
        let (s, a, mut r, mut b, delta) = setup(sec, p).await;
        draw_and_check(s, a, &mut r, &mut b, &delta, &[1, 299, 300, 2_000, 7]).await;
    }
}
