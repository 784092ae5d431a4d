//! Secure comparison between two real parties (duet_gc::Session over duplex and TCP):
//! edge values for every width 1..=64, signed and unsigned, batched into few runs.

use duet::compare::{self, CompareError, CompareSpec};
use duet_gc::{Session, SessionOptions};
use duet_net::{Channel, ChannelConfig, duplex_pair};
use std::cmp::Ordering;
use std::time::Duration;

fn net() -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_secs(10))
}

async fn sessions(a: Channel, b: Channel) -> (Session, Session) {
    let (g, e) = tokio::join!(
        Session::garbler(a, SessionOptions::default()),
        Session::evaluator(b, SessionOptions::default())
    );
    (g.unwrap(), e.unwrap())
}

/// Interesting values of a width: the extremes, their neighbours, 0, ±1, and halves.
fn edge_values(spec: CompareSpec) -> Vec<i128> {
    let (lo, hi) = spec.range();
    let mut v: Vec<i128> = [lo, lo + 1, -1, 0, 1, hi - 1, hi, hi / 2, lo / 2]
        .into_iter()
        .filter(|&x| lo <= x && x <= hi)
        .collect();
    v.sort();
    v.dedup();
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_widths_signed_and_unsigned_edge_values() {
    let (a, b) = duplex_pair(&net());
    let (mut g, mut e) = sessions(a, b).await;
    for signed in [true, false] {
        for bits in 1..=64u32 {
            let spec = CompareSpec::new(bits, signed);
            let vals = edge_values(spec);
            let pairs: Vec<(i128, i128)> = vals
                .iter()
                .flat_map(|&x| vals.iter().map(move |&y| (x, y)))
                .collect();
            let xs: Vec<i128> = pairs.iter().map(|p| p.0).collect();
            let ys: Vec<i128> = pairs.iter().map(|p| p.1).collect();
            let (rg, re) = tokio::join!(
                compare::compare_many(&mut g, &xs, spec),
                compare::compare_many(&mut e, &ys, spec)
            );
            let (rg, re) = (rg.unwrap(), re.unwrap());
            assert_eq!(rg, re);
            for (p, &(x, y)) in pairs.iter().enumerate() {
                assert_eq!(rg[p], x.cmp(&y), "{spec:?}: {x} vs {y}");
            }
        }
    }
    // One pair, and zero pairs, on the same session.
    let spec = CompareSpec::default();
    let (x, y) = tokio::join!(
        compare::compare(&mut g, i64::MIN as i128, spec),
        compare::compare(&mut e, i64::MAX as i128, spec)
    );
    assert_eq!((x.unwrap(), y.unwrap()), (Ordering::Less, Ordering::Less));
    let (x, y) = tokio::join!(
        compare::compare_many(&mut g, &[], spec),
        compare::compare_many(&mut e, &[], spec)
    );
    assert!(x.unwrap().is_empty() && y.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_tcp_loopback_and_batched() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let cfg = net();
    let (a, b) = tokio::join!(
        duet_net::tcp::accept(&listener, &cfg, Duration::from_secs(10)),
        duet_net::tcp::connect(&addr, &cfg, Duration::from_secs(10))
    );
    let (mut g, mut e) = sessions(a.unwrap(), b.unwrap()).await;
    let xs: Vec<i128> = (0..1000).map(|i| (i * 7919 % 2001) - 1000).collect();
    let ys: Vec<i128> = (0..1000).map(|i| (i * 104_729 % 2001) - 1000).collect();
    let spec = CompareSpec::new(32, true);
    let (rg, re) = tokio::join!(
        compare::compare_many(&mut g, &xs, spec),
        compare::compare_many(&mut e, &ys, spec)
    );
    let want: Vec<Ordering> = xs.iter().zip(&ys).map(|(x, y)| x.cmp(y)).collect();
    assert_eq!(rg.unwrap(), want);
    assert_eq!(re.unwrap(), want);
    assert_eq!(g.last_stats().and_gates, 1000 * 63);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mismatches_fail_on_both_sides() {
    let (a, b) = duplex_pair(&net());
    let (mut g, mut e) = sessions(a, b).await;
    let s64 = CompareSpec::default();
    let s32 = CompareSpec::new(32, true);
    let u64_ = CompareSpec::new(64, false);
    for (sg, se, what) in [
        (s64, s32, "the width in bits"),
        (s64, u64_, "signedness (1 = signed)"),
    ] {
        let (x, y) = tokio::join!(
            compare::compare(&mut g, 1, sg),
            compare::compare(&mut e, 1, se)
        );
        for r in [x, y] {
            match r {
                Err(CompareError::Mismatch { what: w, .. }) => assert_eq!(w, what),
                other => panic!("expected a mismatch, got {other:?}"),
            }
        }
    }
    let (x, y) = tokio::join!(
        compare::compare_many(&mut g, &[1, 2], s64),
        compare::compare_many(&mut e, &[1], s64)
    );
    assert!(matches!(
        x,
        Err(CompareError::Mismatch {
            what: "the number of comparisons",
            ..
        })
    ));
    assert!(matches!(y, Err(CompareError::Mismatch { .. })));
    // The session is still usable after a header mismatch.
    let (x, y) = tokio::join!(
        compare::compare(&mut g, 5, s64),
        compare::compare(&mut e, 5, s64)
    );
    assert_eq!((x.unwrap(), y.unwrap()), (Ordering::Equal, Ordering::Equal));
    // Out of range: refused locally before anything is sent.
    let r = compare::compare(&mut g, 1 << 40, s32).await;
    assert!(matches!(r, Err(CompareError::Range { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_and_disconnects_give_errors_not_hangs() {
    // Two garblers: both fail at the session hello.
    let (a, b) = duplex_pair(&net());
    let (x, y) = tokio::join!(
        Session::garbler(a, SessionOptions::default()),
        Session::garbler(b, SessionOptions::default())
    );
    assert!(x.is_err() && y.is_err());
    // The evaluator vanishes after the session is set up: the garbler gets an error.
    let (a, b) = duplex_pair(&ChannelConfig::default().with_timeout(Duration::from_secs(3)));
    let (mut g, e) = sessions(a, b).await;
    drop(e);
    let started = std::time::Instant::now();
    let r = compare::compare(&mut g, 1, CompareSpec::default()).await;
    assert!(r.is_err());
    assert!(started.elapsed() < Duration::from_secs(3));
}
