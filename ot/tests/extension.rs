//! Two real parties over the in-memory duplex and over TCP on 127.0.0.1.

use duet_core::{Block, Delta};
use duet_net::{Channel, ChannelConfig, duplex_pair, tcp};
use duet_ot::{CotReceiver, CotReceiverExt, CotSender, CotSenderExt, OtError, Security};
use rand::{Rng, RngExt, SeedableRng, rngs::StdRng};
use std::time::Duration;

fn cfg() -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_secs(5))
}

async fn tcp_pair() -> (Channel, Channel) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c = tokio::spawn(async move { tcp::connect(&addr, &cfg(), Duration::from_secs(5)).await });
    let a = tcp::accept(&listener, &cfg(), Duration::from_secs(5))
        .await
        .unwrap();
    (a, c.await.unwrap().unwrap())
}

async fn setup(
    mut a: Channel,
    mut b: Channel,
    delta: Delta,
    sec: Security,
) -> ((CotSender, Channel), (CotReceiver, Channel)) {
    let s = tokio::spawn(async move {
        let s = CotSender::setup(&mut a, delta, sec).await.unwrap();
        (s, a)
    });
    let r = CotReceiver::setup(&mut b, sec).await.unwrap();
    (s.await.unwrap(), (r, b))
}

/// Every kind of extension call, several sizes, checked against the definitions.
async fn all_kinds(a: Channel, b: Channel, sec: Security, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let delta = Delta::from_block_any(Block::random(&mut rng));
    let d = delta.as_block();
    let ((mut s, mut ca), (mut r, mut cb)) = setup(a, b, delta, sec).await;
    let sizes = [0usize, 1, 127, 128, 1000, 70_000];
    let choices: Vec<Vec<bool>> = sizes
        .iter()
        .map(|&n| (0..n).map(|_| rng.random::<bool>()).collect())
        .collect();
    let msgs: Vec<[Block; 2]> = (0..300)
        .map(|_| [Block::random(&mut rng), Block::random(&mut rng)])
        .collect();
    let lens = [0usize, 1, 17, 1000, 16, 33];
    let bytes: Vec<(Vec<u8>, Vec<u8>)> = (0..lens.len() * 2)
        .map(|i| {
            let (l0, l1) = (
                lens[i % lens.len()],
                lens[(i + i / lens.len()) % lens.len()],
            );
            let mut x = vec![0u8; l0];
            let mut y = vec![0u8; l1];
            rng.fill_bytes(&mut x);
            rng.fill_bytes(&mut y);
            (x, y)
        })
        .collect();
    let bchoices: Vec<bool> = (0..bytes.len()).map(|i| i % 3 != 1).collect();
    let ochoices: Vec<bool> = (0..msgs.len()).map(|i| i % 5 < 2).collect();

    let (m2, b2) = (msgs.clone(), bytes.clone());
    let sender = tokio::spawn(async move {
        let mut cots = Vec::new();
        for &n in &sizes {
            cots.push(s.send_cot(&mut ca, n).await.unwrap());
        }
        let rcot = s.send_cot(&mut ca, 5000).await.unwrap();
        let rot = s.send_random_ot(&mut ca, 3000).await.unwrap();
        s.send_ot(&mut ca, &m2).await.unwrap();
        s.send_ot_bytes(&mut ca, &b2).await.unwrap();
        (cots, rcot, rot)
    });
    let mut got = Vec::new();
    for c in &choices {
        got.push(r.receive_cot(&mut cb, c).await.unwrap());
    }
    let (rb, rm) = r.receive_random_cot(&mut cb, 5000).await.unwrap();
    let (ob, om) = r.receive_random_ot(&mut cb, 3000).await.unwrap();
    let ot = r.receive_ot(&mut cb, &ochoices).await.unwrap();
    let otb = r.receive_ot_bytes(&mut cb, &bchoices).await.unwrap();
    let (cots, rcot, rot) = sender.await.unwrap();

    for ((k, m), c) in cots.iter().zip(&got).zip(&choices) {
        assert_eq!(k.len(), c.len());
        assert_eq!(m.len(), c.len());
        for i in 0..c.len() {
            assert_eq!(m[i], k[i] ^ (d & Block::mask(c[i])), "COT {i}");
            assert_ne!(m[i], k[i] ^ (d & Block::mask(!c[i])));
        }
    }
    assert_eq!(rb.len(), 5000);
    let ones = rb.iter().filter(|&&b| b).count();
    assert!(
        (2000..3000).contains(&ones),
        "random choices look biased: {ones}"
    );
    for i in 0..5000 {
        assert_eq!(rm[i], rcot[i] ^ (d & Block::mask(rb[i])));
    }
    for i in 0..3000 {
        assert_eq!(om[i], rot[i][ob[i] as usize], "ROT {i}");
        assert_ne!(om[i], rot[i][!ob[i] as usize]);
        assert_ne!(rot[i][0] ^ rot[i][1], d, "ROT pads are not Δ-correlated");
    }
    for i in 0..msgs.len() {
        assert_eq!(ot[i], msgs[i][ochoices[i] as usize]);
    }
    for i in 0..bytes.len() {
        let want = if bchoices[i] {
            &bytes[i].1
        } else {
            &bytes[i].0
        };
        assert_eq!(&otb[i], want, "byte OT {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplex_semi_honest() {
    let (a, b) = duplex_pair(&cfg());
    all_kinds(a, b, Security::SemiHonest, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplex_malicious() {
    let (a, b) = duplex_pair(&cfg());
    all_kinds(a, b, Security::Malicious, 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_semi_honest_and_malicious() {
    let (a, b) = tcp_pair().await;
    all_kinds(a, b, Security::SemiHonest, 3).await;
    let (a, b) = tcp_pair().await;
    all_kinds(a, b, Security::Malicious, 4).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lsb_one_delta_and_mismatched_calls() {
    let (a, b) = duplex_pair(&cfg());
    let delta = Delta::random(&mut rand::rng());
    let d = delta.as_block();
    let ((mut s, mut ca), (mut r, mut cb)) = setup(a, b, delta, Security::SemiHonest).await;
    let t = tokio::spawn(async move {
        let k = s.send_cot(&mut ca, 256).await.unwrap();
        let e = s.send_cot(&mut ca, 10).await;
        (k, e)
    });
    let c: Vec<bool> = (0..256).map(|i| i % 2 == 0).collect();
    let m = r.receive_cot(&mut cb, &c).await.unwrap();
    let _ = r.receive_cot(&mut cb, &c[..11]).await;
    let (k, e) = t.await.unwrap();
    for i in 0..256 {
        assert_eq!(m[i], k[i] ^ (d & Block::mask(c[i])));
    }
    assert!(matches!(e, Err(OtError::Usage(_))), "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_mismatch_is_an_error() {
    let (mut a, mut b) = duplex_pair(&cfg());
    let delta = Delta::random(&mut rand::rng());
    let t = tokio::spawn(async move { CotSender::setup(&mut a, delta, Security::Malicious).await });
    let r = CotReceiver::setup(&mut b, Security::SemiHonest).await;
    assert!(r.is_err());
    assert!(t.await.unwrap().is_err());
}
