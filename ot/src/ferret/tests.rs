//! In-crate tests: the half-tree GGM tree on its own, and cheating parties (test hooks).

use super::*;
use duet_net::{ChannelConfig, duplex_pair};
use std::time::Duration;

/// Sender and receiver trees of every small depth and every punctured position: the
/// receiver's leaves equal the sender's off the point and the sender's ⊕ Δ on it.
#[test]
fn half_tree_punctured_leaves_match() {
    let mut rng = rand::rng();
    let delta = Block::random(&mut rng).with_lsb(true);
    for h in 1..=7usize {
        for alpha in 0..1usize << h {
            // The receiver's choice bits are the complement of α's bits, MSB first.
            let q: Vec<Block> = (0..h)
                .map(|_| Block::random(&mut rng).with_lsb(false))
                .collect();
            let t: Vec<Block> = q
                .iter()
                .enumerate()
                .map(|(i, &qi)| qi ^ Block::mask((alpha >> (h - 1 - i)) & 1 == 0) & delta)
                .collect();
            let mut v = vec![Block::ZERO; 1 << h];
            let mut w = vec![Block::ZERO; 1 << h];
            let mut msgs = vec![Block::ZERO; h - 1];
            ggm::sender_tree(delta, &q, &mut v, &mut msgs);
            let a = ggm::receiver_tree(&t, &msgs, &mut w);
            assert_eq!(a, alpha, "h = {h}");
            for j in 0..1 << h {
                let want = if j == alpha { v[j] ^ delta } else { v[j] };
                assert_eq!(w[j], want, "h = {h}, α = {alpha}, leaf {j}");
                assert!(!v[j].lsb());
            }
            // Leaves are not trivially related (distinct, not all zero).
            if h >= 2 {
                assert_ne!(v[0], v[1]);
            }
        }
    }
}

async fn pair(
    sec: Security,
    s_cheat: Cheat,
    r_cheat: Cheat,
) -> (
    Result<FerretSender, OtError>,
    Result<FerretReceiver, OtError>,
    Channel,
    Channel,
) {
    let cfg = ChannelConfig::default().with_timeout(Duration::from_secs(5));
    let (mut a, mut b) = duplex_pair(&cfg);
    let params = FerretParams::INSECURE_TEST;
    let delta = Delta::random(&mut rand::rng());
    // Bootstrap honestly, then switch the cheat on for the main iterations.
    let s = tokio::spawn(async move {
        let mut s = FerretSender::setup(&mut a, delta, sec, params).await;
        if let Ok(s) = &mut s {
            s.cheat = s_cheat;
        }
        (s, a)
    });
    let mut r = FerretReceiver::setup(&mut b, sec, params).await;
    if let Ok(r) = &mut r {
        r.cheat = r_cheat;
    }
    let (s, a) = s.await.unwrap();
    (s, r, a, b)
}

fn is_check_error(e: &OtError) -> bool {
    matches!(e, OtError::Malformed(m) if m.contains("consistency check"))
}

/// Each deviation in the malicious check makes both parties fail with the check's error
/// (the receiver detects it, and reports it to the sender), never wrong outputs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malicious_check_catches_cheats() {
    for (s_cheat, r_cheat) in [
        (Cheat::TreeCorrection, Cheat::None),
        (Cheat::CheckHash, Cheat::None),
        (Cheat::None, Cheat::CheckMask),
    ] {
        let (s, r, mut a, mut b) = pair(Security::Malicious, s_cheat, r_cheat).await;
        let (mut s, mut r) = (s.unwrap(), r.unwrap());
        let n = s.buffered() + 10;
        let st = tokio::spawn(async move { (s.extend(&mut a, n).await, s, a) });
        let got = r.extend(&mut b, n).await;
        let (sent, mut s, mut a) = st.await.unwrap();
        let (re, se) = (got.unwrap_err(), sent.unwrap_err());
        assert!(
            is_check_error(&re),
            "{s_cheat:?}/{r_cheat:?}: receiver {re}"
        );
        assert!(is_check_error(&se), "{s_cheat:?}/{r_cheat:?}: sender {se}");
        // The sessions refuse to go on.
        assert!(matches!(s.extend(&mut a, 1).await, Err(OtError::Usage(_))));
        assert!(matches!(r.extend(&mut b, 1).await, Err(OtError::Usage(_))));
    }
}

/// Semi-honest mode has no check: a flipped correction breaks the correlation of the
/// affected tree's leaves only through the LPN (documents what the check buys).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn semi_honest_has_no_check() {
    let (s, r, mut a, mut b) = pair(Security::SemiHonest, Cheat::TreeCorrection, Cheat::None).await;
    let (mut s, mut r) = (s.unwrap(), r.unwrap());
    let n = s.buffered() + 5000;
    let st = tokio::spawn(async move { s.extend(&mut a, n).await });
    let (_, m) = r.extend(&mut b, n).await.unwrap();
    let k = st.await.unwrap().unwrap();
    assert_eq!(m.len(), k.len());
}

/// Per-step timing of one main iteration's local work (no network).
/// `cargo test --release -p duet-ot ferret::tests::timing -- --ignored --nocapture`
#[test]
#[ignore]
fn timing() {
    use std::time::Instant;
    let p = FerretParams::FERRET_TABLE2.main;
    let (t, h, k, n) = (p.t, p.log_bin as usize, p.k, p.n());
    let mut rng = rand::rng();
    let delta = Block::random(&mut rng).with_lsb(true);
    let mut pre = zeroed_blocks(p.consumed(Security::Malicious));
    for x in pre.iter_mut() {
        *x = Block::random(&mut rng).with_lsb(false);
    }
    let mut out = zeroed_blocks(n);
    let mut msgs = vec![Block::ZERO; t * (h - 1)];
    for _ in 0..3 {
        let s = Instant::now();
        for j in 0..t {
            ggm::sender_tree(
                delta,
                &pre[k + j * h..k + (j + 1) * h],
                &mut out[j << h..(j + 1) << h],
                &mut msgs[j * (h - 1)..(j + 1) * (h - 1)],
            );
        }
        let trees_s = s.elapsed();
        let s = Instant::now();
        for j in 0..t {
            ggm::receiver_tree(
                &pre[k + j * h..k + (j + 1) * h],
                &msgs[j * (h - 1)..(j + 1) * (h - 1)],
                &mut out[j << h..(j + 1) << h],
            );
        }
        let trees_r = s.elapsed();
        let s = Instant::now();
        let mut chis = Vec::new();
        let mut sum = mpcot::ChiSum::new(Block(3), &[], &mut chis);
        sum.absorb(&out);
        std::hint::black_box(sum.finish());
        let check = s.elapsed();
        let s = Instant::now();
        lpn::encode(2, &pre[..k], 0, &mut out);
        let lpn = s.elapsed();
        // The semi-honest pattern: each tree's LPN rows right after the tree.
        let s = Instant::now();
        for j in 0..t {
            let leaves = &mut out[j << h..(j + 1) << h];
            ggm::sender_tree(
                delta,
                &pre[k + j * h..k + (j + 1) * h],
                leaves,
                &mut msgs[j * (h - 1)..(j + 1) * (h - 1)],
            );
            lpn::encode(2, &pre[..k], j << h, leaves);
        }
        let per_tree = s.elapsed();
        let ns = |d: std::time::Duration| d.as_nanos() as f64 / n as f64;
        println!("per output, tree then its LPN rows: {:.2} ns", ns(per_tree));
        println!(
            "per output: sender trees {:.2} ns, receiver trees {:.2} ns, check {:.2} ns, LPN {:.2} ns",
            ns(trees_s),
            ns(trees_r),
            ns(check),
            ns(lpn)
        );
    }
}
