//! PSI between two real parties over the in-memory channel and TCP on 127.0.0.1: results
//! against the plain set intersection, edge cases, cuckoo re-hashing and failures.

use duet::psi::{self, PsiConfig, PsiError, PsiOutput, PsiStats, hash_item};
use duet_core::Block;
use duet_net::{Channel, ChannelConfig, duplex_pair};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::collections::HashSet;
use std::time::Duration;

fn cfg_net() -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_secs(10))
}

async fn run_on(
    mut a: Channel,
    mut b: Channel,
    s_items: Vec<Block>,
    r_items: Vec<Block>,
    scfg: PsiConfig,
    rcfg: PsiConfig,
) -> (Result<PsiStats, PsiError>, Result<PsiOutput, PsiError>) {
    let st = tokio::spawn(async move { psi::sender(&mut a, &s_items, &scfg).await });
    let rt = tokio::spawn(async move { psi::receiver(&mut b, &r_items, &rcfg).await });
    (st.await.unwrap(), rt.await.unwrap())
}

async fn run(s: &[Block], r: &[Block], rcfg: PsiConfig) -> (PsiStats, PsiOutput) {
    let (a, b) = duplex_pair(&cfg_net());
    let (s, r) = run_on(a, b, s.to_vec(), r.to_vec(), PsiConfig::default(), rcfg).await;
    (s.expect("sender"), r.expect("receiver"))
}

/// The expected output: indices of first occurrences of receiver items in the sender set.
fn expected(s: &[Block], r: &[Block]) -> Vec<usize> {
    let ss: HashSet<Block> = s.iter().copied().collect();
    let mut seen = HashSet::new();
    (0..r.len())
        .filter(|&i| seen.insert(r[i]) && ss.contains(&r[i]))
        .collect()
}

fn random_blocks(rng: &mut StdRng, n: usize) -> Vec<Block> {
    (0..n).map(|_| Block(rng.random())).collect()
}

/// Sender and receiver sets with `overlap` common items, shuffled.
fn planted(rng: &mut StdRng, ns: usize, nr: usize, overlap: usize) -> (Vec<Block>, Vec<Block>) {
    let common = random_blocks(rng, overlap);
    let mut s = random_blocks(rng, ns - overlap);
    let mut r = random_blocks(rng, nr - overlap);
    for &c in &common {
        let i = rng.random_range(0..=s.len());
        s.insert(i, c);
        let j = rng.random_range(0..=r.len());
        r.insert(j, c);
    }
    (s, r)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn planted_overlaps_match_plain_intersection() {
    let mut rng = StdRng::seed_from_u64(1);
    let n = 2000;
    for overlap in [0, 1, n / 2, n] {
        let (s, r) = planted(&mut rng, n, n, overlap);
        let (st, out) = run(&s, &r, PsiConfig::default()).await;
        assert_eq!(out.intersection, expected(&s, &r), "overlap {overlap}");
        assert_eq!(out.intersection.len(), overlap);
        assert_eq!(st.sender_size, n as u64);
        assert_eq!(out.stats.receiver_size, n as u64);
        assert_eq!(out.stats.cuckoo_attempts, 1);
        // Communication: the KKRT16 formula plus base OTs and a handshake.
        let formula = psi::formula_bytes(40, n as u64, n as u64);
        let total = out.stats.bytes_sent + out.stats.bytes_received;
        assert!(
            total >= formula && total < formula + 64 * 1024,
            "{total} vs {formula}"
        );
        assert_eq!(total, st.bytes_sent + st.bytes_received);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unequal_sizes_duplicates_and_empty_sets() {
    let mut rng = StdRng::seed_from_u64(2);
    for (ns, nr, ov) in [
        (10, 5000, 7),
        (5000, 10, 3),
        (1, 1, 1),
        (1, 300, 0),
        (5000, 1, 1),
    ] {
        let (s, r) = planted(&mut rng, ns, nr, ov);
        let (_, out) = run(&s, &r, PsiConfig::default()).await;
        assert_eq!(out.intersection, expected(&s, &r), "{ns} x {nr}");
    }
    // Duplicates on both sides: each intersecting item reported once, first occurrence.
    let (mut s, mut r) = planted(&mut rng, 300, 300, 100);
    let sd = s[..50].to_vec();
    s.extend(sd);
    let rd: Vec<Block> = r.iter().rev().take(80).copied().collect();
    r.extend(rd);
    r.insert(0, r[5]);
    let (st, out) = run(&s, &r, PsiConfig::default()).await;
    assert_eq!(out.intersection, expected(&s, &r));
    assert_eq!(st.sender_size, 300);
    assert_eq!(out.stats.receiver_size, 300);
    // Empty sets.
    for (s, r) in [(vec![], r.clone()), (s.clone(), vec![]), (vec![], vec![])] {
        let (_, out) = run(&s, &r, PsiConfig::default()).await;
        assert!(out.intersection.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byte_string_items_non_ascii_and_long() {
    let long_a = vec![b'x'; 1 << 20];
    let mut long_b = long_a.clone();
    *long_b.last_mut().unwrap() = b'y';
    let s_items: Vec<Vec<u8>> = vec![
        "grüße".into(),
        "日本語".into(),
        long_a.clone(),
        b"\xff\x00binary".to_vec(),
        "only-sender".into(),
    ];
    let r_items: Vec<Vec<u8>> = vec![
        "only-receiver".into(),
        long_b,
        b"\xff\x00binary".to_vec(),
        "日本語".into(),
        long_a,
        "grusse".into(),
    ];
    let (_, out) = run(
        &psi::hash_items(&s_items),
        &psi::hash_items(&r_items),
        PsiConfig::default(),
    )
    .await;
    assert_eq!(out.intersection, vec![2, 3, 4]);
    assert_ne!(hash_item(b"a"), hash_item(b"a\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tcp_loopback() {
    let mut rng = StdRng::seed_from_u64(3);
    let (s, r) = planted(&mut rng, 3000, 2500, 1234);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let cfg = cfg_net();
    let (a, b) = tokio::join!(
        duet_net::tcp::accept(&listener, &cfg, Duration::from_secs(10)),
        duet_net::tcp::connect(&addr, &cfg, Duration::from_secs(10))
    );
    let (st, out) = run_on(
        a.unwrap(),
        b.unwrap(),
        s.clone(),
        r.clone(),
        PsiConfig::default(),
        PsiConfig::default(),
    )
    .await;
    st.unwrap();
    assert_eq!(out.unwrap().intersection, expected(&s, &r));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cuckoo_failure_rehashes_with_new_seeds() {
    let mut rng = StdRng::seed_from_u64(4);
    let (s, r) = planted(&mut rng, 60, 40, 20);
    // No evictions allowed: some seeds fail for 40 items in 128 bins, most succeed.
    let mut rehashed = false;
    for seed in 0..8 {
        let rcfg = PsiConfig {
            max_kicks: 0,
            max_attempts: 64,
            hash_seed: Some(seed),
            ..Default::default()
        };
        let (_, out) = run(&s, &r, rcfg).await;
        assert_eq!(out.intersection, expected(&s, &r));
        rehashed |= out.stats.cuckoo_attempts > 1;
    }
    assert!(rehashed, "some run must have re-hashed");
    // Failing every attempt stops both sides with a clear error, never a wrong answer.
    let (a, b) = duplex_pair(&cfg_net());
    let rcfg = PsiConfig {
        max_kicks: 0,
        max_attempts: 2,
        hash_seed: Some(1),
        ..Default::default()
    };
    let big = random_blocks(&mut rng, 127);
    let (st, out) = run_on(a, b, s.clone(), big, PsiConfig::default(), rcfg).await;
    assert!(
        matches!(out, Err(PsiError::Cuckoo { attempts: 2 })),
        "{out:?}"
    );
    assert!(
        matches!(st, Err(PsiError::Cuckoo { attempts: 2 })),
        "{st:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mismatched_roles_and_parameters_fail_on_both_sides() {
    let items = vec![Block(1), Block(2)];
    // Two senders.
    let (mut a, mut b) = duplex_pair(&cfg_net());
    let (i1, i2) = (items.clone(), items.clone());
    let (x, y) = tokio::join!(
        async move { psi::sender(&mut a, &i1, &PsiConfig::default()).await },
        async move { psi::sender(&mut b, &i2, &PsiConfig::default()).await }
    );
    for e in [x.unwrap_err(), y.unwrap_err()] {
        assert!(matches!(e, PsiError::SameRole(psi::Role::Sender)), "{e}");
        assert!(e.to_string().contains("both parties are PSI senders"));
    }
    // Two receivers.
    let (mut a, mut b) = duplex_pair(&cfg_net());
    let (i1, i2) = (items.clone(), items.clone());
    let (x, y) = tokio::join!(
        async move { psi::receiver(&mut a, &i1, &PsiConfig::default()).await },
        async move { psi::receiver(&mut b, &i2, &PsiConfig::default()).await }
    );
    assert!(matches!(
        x.unwrap_err(),
        PsiError::SameRole(psi::Role::Receiver)
    ));
    assert!(matches!(
        y.unwrap_err(),
        PsiError::SameRole(psi::Role::Receiver)
    ));
    // Different sigma.
    let (a, b) = duplex_pair(&cfg_net());
    let rcfg = PsiConfig {
        sigma: 48,
        ..Default::default()
    };
    let (st, out) = run_on(
        a,
        b,
        items.clone(),
        items.clone(),
        PsiConfig::default(),
        rcfg,
    )
    .await;
    let e = st.unwrap_err();
    assert!(
        matches!(
            e,
            PsiError::Parameter {
                name: "sigma",
                local: 40,
                peer: 48
            }
        ),
        "{e}"
    );
    assert!(matches!(
        out.unwrap_err(),
        PsiError::Parameter {
            name: "sigma",
            local: 48,
            peer: 40
        }
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_disconnect_is_a_clear_error_not_a_hang() {
    let mut rng = StdRng::seed_from_u64(5);
    let (s, r) = planted(&mut rng, 5000, 5000, 10);
    // Not a PSI party at all: sends garbage then closes.
    let (mut a, mut b) = duplex_pair(&cfg_net());
    let rr = r.clone();
    let t = tokio::spawn(async move { psi::receiver(&mut b, &rr, &PsiConfig::default()).await });
    a.send_frame(b"hello, I am a web browser").await.unwrap();
    a.close().await.unwrap();
    let e = t.await.unwrap().unwrap_err();
    assert!(matches!(e, PsiError::NotPsi(_)), "{e}");
    // The peer vanishes at every stage: both sides see an error within the timeout.
    for cut in [40u64, 200, 60_000, 400_000] {
        let (a, b) = duplex_pair(&cfg_net());
        let (a, b) = (CutAfter::wrap(a, cut), b);
        let started = std::time::Instant::now();
        let (st, out) = run_on(
            a,
            b,
            s.clone(),
            r.clone(),
            PsiConfig::default(),
            PsiConfig::default(),
        )
        .await;
        assert!(
            st.is_err() && out.is_err(),
            "cut at {cut}: {st:?} {:?}",
            out.map(|o| o.stats)
        );
        assert!(started.elapsed() < Duration::from_secs(5), "no hang");
    }
}

/// A channel whose owner stops after reading `cut` bytes: it is the sender's channel,
/// relayed through a pipe that closes both directions after `cut` bytes from the receiver.
struct CutAfter;

impl CutAfter {
    fn wrap(ch: Channel, cut: u64) -> Channel {
        let (mine, relay) = duplex_pair(&cfg_net());
        tokio::spawn(async move {
            let (mut ch, mut relay) = (ch, relay);
            let mut moved = 0u64;
            let (mut up, mut down) = ([0u8; 1], [0u8; 1]);
            loop {
                tokio::select! {
                    r = ch.recv_exact(&mut up) => {
                        if r.is_err() || moved >= cut { break; }
                        moved += 1;
                        if relay.send(&up).await.is_err() || relay.flush().await.is_err() { break; }
                    }
                    r = relay.recv_exact(&mut down) => {
                        if r.is_err() { break; }
                        if ch.send(&down).await.is_err() || ch.flush().await.is_err() { break; }
                    }
                }
            }
        });
        mine
    }
}
