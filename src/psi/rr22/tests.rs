use super::*;
use duet_net::{ChannelConfig, duplex_pair};
use duet_ot::ideal::IdealCot;
use proptest::prelude::*;
use std::collections::HashSet;

/// Schoolbook GF(2^128) product (the reference for the tables).
fn gf_mul(a: u128, b: u128) -> u128 {
    let (mut acc, mut x) = (0u128, a);
    for i in 0..128 {
        if (b >> i) & 1 == 1 {
            acc ^= x;
        }
        x = mulx(x);
    }
    acc
}

fn blocks(n: usize, seed: u128) -> Vec<Block> {
    let mut v = vec![Block::ZERO; n];
    Prg::new(Block(seed)).fill_blocks(&mut v);
    v
}

fn expected(s: &[Block], r: &[Block]) -> Vec<usize> {
    let ss: HashSet<Block> = s.iter().copied().collect();
    let mut seen = HashSet::new();
    (0..r.len())
        .filter(|&i| seen.insert(r[i]) && ss.contains(&r[i]))
        .collect()
}

async fn run_ideal(s: Vec<Block>, r: Vec<Block>, seed: u128) -> (PsiStats, PsiOutput) {
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let (mut cs, mut cr) = IdealCot::pair(Block(seed));
    let st =
        tokio::spawn(async move { sender_with(&mut a, &mut cs, &s, &PsiConfig::default()).await });
    let out = receiver_with(&mut b, &mut cr, &r, &PsiConfig::default())
        .await
        .expect("receiver");
    (st.await.expect("task").expect("sender"), out)
}

#[test]
fn tables_and_gadget_are_gf128_arithmetic() {
    let delta = Block(0x0123_4567_89ab_cdef_fedc_ba98_7654_3211);
    let t = MulTable::new(delta, 80);
    for a in [
        0u128,
        1,
        2,
        0x80,
        0xdead_beef,
        (1 << 80) - 1,
        0x1234_5678_9abc_def0_1357,
    ] {
        assert_eq!(t.mul(a).0, gf_mul(a, delta.0), "a = {a:x}");
    }
    // The gadget turns ℓ COTs into one V-valued VOLE: C = B + A'·Δ.
    let ic = IdealCot::new(Block(5));
    let (mut s, mut r) = (ic.sender(), ic.receiver());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    let (mut x, mut y) = duplex_pair(&ChannelConfig::default());
    let ell = 80;
    let mut k = vec![Block::ZERO; 3 * ell];
    let mut m = vec![Block::ZERO; 3 * ell];
    let mut bits = vec![Block::ZERO; (3 * ell).div_ceil(128)];
    rt.block_on(async {
        s.random_cot(&mut x, &mut k).await.expect("cot");
        r.random_cot(&mut y, &mut bits, &mut m).await.expect("cot");
    });
    let d = s.delta().as_block();
    for i in 0..3 {
        let c = gadget(&m[i * ell..(i + 1) * ell]);
        let b = gadget(&k[i * ell..(i + 1) * ell]);
        let a = window(&bits, i * ell, ell);
        assert!(a < 1 << ell);
        assert_eq!(c.0, b.0 ^ gf_mul(a, d.0));
    }
}

#[test]
fn windows_cross_block_boundaries() {
    let bits = [Block(u128::MAX - 5), Block(0b1011)];
    assert_eq!(window(&bits, 0, 3), 0b010);
    assert_eq!(window(&bits, 120, 16), 0xff | (0b1011 << 8));
    assert_eq!(window(&bits, 128, 4), 0b1011);
    assert_eq!(window(&bits, 0, 128), u128::MAX - 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ideal_cot_planted_and_edge_sets() {
    let r = blocks(3000, 1);
    let mut s = blocks(2000, 2);
    s[..700].copy_from_slice(&r[1000..1700]);
    let (st, out) = run_ideal(s.clone(), r.clone(), 9).await;
    assert_eq!(out.intersection, expected(&s, &r));
    assert_eq!(out.intersection.len(), 700);
    assert_eq!(st.bins, out.stats.bins);
    assert_eq!(out.stats.sender_size, 2000);
    // identical, disjoint, empty, one item, very unequal, duplicates
    let (_, o) = run_ideal(r.clone(), r.clone(), 10).await;
    assert_eq!(o.intersection, (0..3000).collect::<Vec<_>>());
    let (_, o) = run_ideal(blocks(500, 3), r.clone(), 11).await;
    assert!(o.intersection.is_empty());
    let (_, o) = run_ideal(Vec::new(), r.clone(), 12).await;
    assert!(o.intersection.is_empty());
    let (_, o) = run_ideal(r.clone(), Vec::new(), 13).await;
    assert!(o.intersection.is_empty());
    let (_, o) = run_ideal(vec![r[7]], r.clone(), 14).await;
    assert_eq!(o.intersection, vec![7]);
    let (_, o) = run_ideal(r.clone(), vec![r[5], r[5], blocks(1, 99)[0], r[9]], 15).await;
    assert_eq!(o.intersection, vec![0, 3]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]
    #[test]
    fn proptest_matches_plain_intersection(
        ns in 0usize..300, nr in 0usize..300, common in 0usize..100, seed in any::<u64>()
    ) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2).enable_all().build().expect("rt");
        let mut s = blocks(ns, seed as u128 * 8);
        let mut r = blocks(nr, seed as u128 * 8 + 1);
        let c = blocks(common.min(ns).min(nr), seed as u128 * 8 + 2);
        s[..c.len()].copy_from_slice(&c);
        let at = nr - c.len();
        r[at..].copy_from_slice(&c);
        let (_, out) = rt.block_on(run_ideal(s.clone(), r.clone(), seed as u128));
        prop_assert_eq!(out.intersection, expected(&s, &r));
    }
}

#[test]
fn setup_messages_are_validated() {
    let good = SetupMsg {
        ok: true,
        seed: Block(3),
        attempts: 1,
        sparse: 1300,
        dense: 41,
        bins: 1,
        bin_cap: 1000,
    };
    let (m, p) = SetupMsg::decode(&good.encode(), 1000).expect("valid");
    assert_eq!(m, good);
    assert_eq!(p.size(), 1341);
    let mut bad = good.encode();
    bad[0] = 7;
    assert!(matches!(
        SetupMsg::decode(&bad, 1000),
        Err(PsiError::Malformed(_))
    ));
    bad[0] = 0;
    assert!(matches!(
        SetupMsg::decode(&bad, 1000),
        Err(PsiError::Okvs(okvs::OkvsError::Exhausted { attempts: 1 }))
    ));
    let huge = SetupMsg {
        sparse: u64::MAX,
        ..good
    };
    assert!(matches!(
        SetupMsg::decode(&huge.encode(), 1000),
        Err(PsiError::Malformed(_))
    ));
    let small = SetupMsg { sparse: 10, ..good };
    assert!(matches!(
        SetupMsg::decode(&small.encode(), 1000),
        Err(PsiError::Malformed(_))
    ));
    let bins = SetupMsg { bins: 0, ..good };
    assert!(matches!(
        SetupMsg::decode(&bins.encode(), 1000),
        Err(PsiError::Malformed(_))
    ));
    let cap = SetupMsg {
        bin_cap: 10,
        ..good
    };
    assert!(matches!(
        SetupMsg::decode(&cap.encode(), 1000),
        Err(PsiError::Malformed(_))
    ));
    let dense = SetupMsg { dense: 500, ..good };
    let e = SetupMsg::decode(&dense.encode(), 1000).unwrap_err();
    assert!(e.to_string().contains("dense"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_truncated_peers_are_typed_errors() {
    let r = blocks(500, 4);
    // A "receiver" that sends a bad setup message: the sender rejects it.
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let (mut cs, _) = IdealCot::pair(Block(1));
    let s = r.clone();
    let st =
        tokio::spawn(async move { sender_with(&mut a, &mut cs, &s, &PsiConfig::default()).await });
    let me = hello(Role::Receiver, 500, 40, CotSource::External, Protocol::Rr22);
    handshake(&mut b, &me).await.expect("hello");
    let mut msg = SetupMsg {
        ok: true,
        seed: Block(1),
        attempts: 1,
        sparse: 1 << 40,
        dense: 41,
        bins: 1,
        bin_cap: 500,
    }
    .encode();
    b.send(&msg).await.expect("send");
    b.flush().await.expect("flush");
    let e = st.await.expect("task").unwrap_err();
    assert!(matches!(e, PsiError::Malformed(_)), "{e}");
    // A receiver that stops in the middle of the A stream: the sender sees a net error.
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let (mut cs, _) = IdealCot::pair(Block(1));
    let s = blocks(5000, 5);
    let st =
        tokio::spawn(async move { sender_with(&mut a, &mut cs, &s, &PsiConfig::default()).await });
    let me = hello(
        Role::Receiver,
        5000,
        40,
        CotSource::External,
        Protocol::Rr22,
    );
    handshake(&mut b, &me).await.expect("hello");
    let p = OkvsParams::new(5000, 40);
    msg = SetupMsg::new(true, Block(1), 1, &p).encode();
    b.send(&msg).await.expect("send");
    b.send(&[0u8; 1000]).await.expect("send");
    b.close().await.expect("close");
    let e = st.await.expect("task").unwrap_err();
    assert!(matches!(e, PsiError::Net(_)), "{e}");
    // A sender that stops after the hello: the receiver sees a net error, not a hang.
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let (_, mut cr) = IdealCot::pair(Block(1));
    let rr = r.clone();
    let rt =
        tokio::spawn(
            async move { receiver_with(&mut b, &mut cr, &rr, &PsiConfig::default()).await },
        );
    let me = hello(Role::Sender, 500, 40, CotSource::External, Protocol::Rr22);
    handshake(&mut a, &me).await.expect("hello");
    let mut setup = [0u8; SETUP_LEN];
    a.recv_exact(&mut setup).await.expect("setup");
    a.send(&[1, 2, 3]).await.expect("send");
    a.close().await.expect("close");
    let e = rt.await.expect("task").unwrap_err();
    assert!(matches!(e, PsiError::Net(_)), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_and_source_mismatches_fail_on_both_sides() {
    let r = blocks(100, 6);
    // RR22 receiver against a KKRT16 sender.
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let s = r.clone();
    let st =
        tokio::spawn(async move { super::super::sender(&mut a, &s, &PsiConfig::default()).await });
    let e = receiver(&mut b, &r, &PsiConfig::default(), CotSource::Iknp)
        .await
        .unwrap_err();
    // both sides name the two protocols, alike
    for e in [e, st.await.expect("task").unwrap_err()] {
        let PsiError::Handshake(m) = &e else {
            panic!("not a handshake mismatch: {e}")
        };
        assert!(m.mentions("PSI protocol"), "{e}");
        let t = e.to_string();
        assert!(t.contains("kkrt16") && t.contains("rr22"), "{t}");
    }
    // Different COT sources.
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let s = r.clone();
    let st =
        tokio::spawn(
            async move { sender(&mut a, &s, &PsiConfig::default(), CotSource::Ferret).await },
        );
    let e = receiver(&mut b, &r, &PsiConfig::default(), CotSource::Iknp)
        .await
        .unwrap_err();
    let PsiError::Handshake(m) = &e else {
        panic!("not a handshake mismatch: {e}")
    };
    assert!(m.mentions("COT source"), "{e}");
    let e = st.await.expect("task").unwrap_err();
    assert!(
        matches!(&e, PsiError::Handshake(m) if m.mentions("COT source")),
        "{e}"
    );
}
