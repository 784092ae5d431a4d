//! RR22 PSI and PSI-cardinality between two real parties (Ferret and IKNP COT sources) over
//! the in-memory channel and TCP on 127.0.0.1: the same intersections as KKRT16 and as the
//! plain set intersection.

use duet::psi::rr22::{self, CotSource};
use duet::psi::{self, PsiConfig, PsiError, hash_item};
use duet_core::{Block, Prg};
use duet_net::{Channel, ChannelConfig, duplex_pair};
use std::collections::HashSet;
use std::time::Duration;

fn cfg_net() -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_secs(20))
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

async fn rr22_on(
    mut a: Channel,
    mut b: Channel,
    s: Vec<Block>,
    r: Vec<Block>,
    src: CotSource,
) -> Vec<usize> {
    let st =
        tokio::spawn(async move { rr22::sender(&mut a, &s, &PsiConfig::default(), src).await });
    let out = rr22::receiver(&mut b, &r, &PsiConfig::default(), src)
        .await
        .expect("receiver");
    let stats = st.await.expect("task").expect("sender");
    assert_eq!(stats.bins, out.stats.bins);
    out.intersection
}

async fn kkrt(s: Vec<Block>, r: Vec<Block>) -> Vec<usize> {
    let (mut a, mut b) = duplex_pair(&cfg_net());
    let st = tokio::spawn(async move { psi::sender(&mut a, &s, &PsiConfig::default()).await });
    let out = psi::receiver(&mut b, &r, &PsiConfig::default())
        .await
        .expect("receiver");
    st.await.expect("task").expect("sender");
    out.intersection
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_protocols_and_both_sources_agree() {
    let r = blocks(4000, 1);
    let mut s = blocks(6000, 2);
    s[100..1100].copy_from_slice(&r[2000..3000]);
    let want = expected(&s, &r);
    assert_eq!(want.len(), 1000);
    for src in [CotSource::Iknp, CotSource::Ferret] {
        let (a, b) = duplex_pair(&cfg_net());
        assert_eq!(
            rr22_on(a, b, s.clone(), r.clone(), src).await,
            want,
            "{src}"
        );
    }
    assert_eq!(kkrt(s.clone(), r.clone()).await, want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byte_items_unequal_sizes_and_tcp() {
    let long = vec![b'x'; 100_000];
    let r_items: Vec<Vec<u8>> = vec![
        "Äpfel".into(),
        "".into(),
        long.clone(),
        "日本".into(),
        "a".into(),
        "b".into(),
    ];
    let mut s_items: Vec<Vec<u8>> = (0..3000)
        .map(|i| format!("item {i}").into_bytes())
        .collect();
    s_items.push("日本".into());
    s_items.push(long);
    s_items.push("".into());
    s_items.push("A".into());
    let r: Vec<Block> = r_items.iter().map(|x| hash_item(x)).collect();
    let s: Vec<Block> = s_items.iter().map(|x| hash_item(x)).collect();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let cfg = cfg_net();
    let (a, b) = tokio::join!(
        duet_net::tcp::accept(&listener, &cfg, Duration::from_secs(10)),
        duet_net::tcp::connect(&addr, &cfg, Duration::from_secs(10))
    );
    let got = rr22_on(
        a.unwrap(),
        b.unwrap(),
        s.clone(),
        r.clone(),
        CotSource::Iknp,
    )
    .await;
    assert_eq!(got, vec![1, 2, 3]);
    // very unequal the other way round
    let (a, b) = duplex_pair(&cfg_net());
    let got = rr22_on(a, b, r.clone(), s.clone(), CotSource::Iknp).await;
    assert_eq!(got, vec![3000, 3001, 3002]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cardinality_over_real_cots_and_tcp() {
    let r = blocks(1500, 3);
    let mut s = blocks(2500, 4);
    s[7..507].copy_from_slice(&r[1000..1500]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let cfg = cfg_net();
    let (a, b) = tokio::join!(
        duet_net::tcp::accept(&listener, &cfg, Duration::from_secs(10)),
        duet_net::tcp::connect(&addr, &cfg, Duration::from_secs(10))
    );
    let ss = s.clone();
    let st = tokio::spawn(async move {
        psi::cardinality::sender(a.unwrap(), &ss, &PsiConfig::default(), CotSource::Iknp).await
    });
    let (out, _) =
        psi::cardinality::receiver(b.unwrap(), &r, &PsiConfig::default(), CotSource::Iknp)
            .await
            .expect("receiver");
    st.await.expect("task").expect("sender");
    assert_eq!(out.count, 500);
    // Ferret, in memory.
    let (a, b) = duplex_pair(&cfg_net());
    let ss = s[..300].to_vec();
    let st = tokio::spawn(async move {
        psi::cardinality::sender(a, &ss, &PsiConfig::default(), CotSource::Ferret).await
    });
    let (out, _) = psi::cardinality::receiver(b, &r, &PsiConfig::default(), CotSource::Ferret)
        .await
        .expect("receiver");
    st.await.expect("task").expect("sender");
    assert_eq!(out.count, 293);
    // A cardinality receiver against a plain RR22 sender: refused on both sides.
    let (mut a, b) = duplex_pair(&cfg_net());
    let ss = s.clone();
    let st = tokio::spawn(async move {
        rr22::sender(&mut a, &ss, &PsiConfig::default(), CotSource::Iknp).await
    });
    let e = psi::cardinality::receiver(b, &r, &PsiConfig::default(), CotSource::Iknp)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, PsiError::Handshake(m) if m.mentions("PSI protocol")),
        "{e}"
    );
    assert!(matches!(st.await.unwrap(), Err(PsiError::Handshake(m)) if m.mentions("PSI protocol")));
}
