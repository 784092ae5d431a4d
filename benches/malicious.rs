//! Malicious-secure 2PC (`duet_ag`, authenticated garbling) against semi-honest half-gates,
//! both parties in this process over an in-memory duplex on a 2-worker runtime: `aes_128`
//! end to end (hello, base OT, COT set-up both ways, preprocessing, one block), with
//! throughput in AND gates, and the same for the semi-honest session in the same group.
//!
//! `cargo bench --bench malicious -- --measurement-time 5 --warm-up-time 1`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_circuits::{Bits, Circuit, library};
use duet_gc::{OutputPolicy, Prepared, Session, SessionOptions};
use duet_net::{ChannelConfig, duplex_pair};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn slots(c: &Circuit, garbler: bool) -> Vec<Option<Bits>> {
    c.inputs()
        .iter()
        .enumerate()
        .map(|(i, &w)| ((i == 0) == garbler).then(|| Bits::repeat(i == 0, w as usize)))
        .collect()
}

async fn malicious_once(c: &Circuit) {
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let (c1, c2) = (c.clone(), c.clone());
    let g = tokio::spawn(async move {
        duet_ag::garbler(&mut a, &c1, &slots(&c1, true))
            .await
            .unwrap()
    });
    let e = tokio::spawn(async move {
        duet_ag::evaluator(&mut b, &c2, &slots(&c2, false))
            .await
            .unwrap()
    });
    let (g, e) = (g.await.unwrap(), e.await.unwrap());
    assert_eq!(g.outputs, e.outputs);
}

async fn semi_honest_once(p: &Prepared) {
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let w = p.inputs().to_vec();
    let (p1, p2) = (p.clone(), p.clone());
    let g = tokio::spawn(async move {
        let mut s = Session::garbler(a, SessionOptions::default())
            .await
            .unwrap();
        s.run_prepared(
            &p1,
            &[(0, Bits::repeat(true, w[0] as usize))],
            OutputPolicy::Both,
        )
        .await
        .unwrap();
    });
    let w = p.inputs().to_vec();
    let e = tokio::spawn(async move {
        let mut s = Session::evaluator(b, SessionOptions::default())
            .await
            .unwrap();
        s.run_prepared(
            &p2,
            &[(1, Bits::repeat(false, w[1] as usize))],
            OutputPolicy::Both,
        )
        .await
        .unwrap();
    });
    g.await.unwrap();
    e.await.unwrap();
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let aes = library::load("aes_128").unwrap();
    let p = Prepared::new(aes.clone());
    let mut g = c.benchmark_group("2pc-aes_128-first-block");
    g.sample_size(10);
    g.throughput(Throughput::Elements(aes.and_count()));
    g.bench_function("semi-honest", |b| {
        b.iter(|| rt.block_on(semi_honest_once(&p)))
    });
    g.bench_function("malicious", |b| {
        b.iter(|| rt.block_on(malicious_once(&aes)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
