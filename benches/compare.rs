//! Secure comparison: 64-bit signed comparisons per second, batched in one garbled circuit,
//! and one comparison end to end (session set-up with base OT included) over `duplex_pair`.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use duet::compare::{self, CompareSpec};
use duet_gc::{Session, SessionOptions};
use duet_net::{ChannelConfig, duplex_pair};

async fn sessions() -> (Session, Session) {
    let (a, b) = duplex_pair(&ChannelConfig::default());
    let (g, e) = tokio::join!(
        Session::garbler(a, SessionOptions::default()),
        Session::evaluator(b, SessionOptions::default())
    );
    (g.expect("garbler"), e.expect("evaluator"))
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let spec = CompareSpec::default();
    let mut g = c.benchmark_group("compare");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1));
    g.bench_function("single_end_to_end", |b| {
        b.iter(|| {
            rt.block_on(async {
                let (mut s1, mut s2) = sessions().await;
                let (x, y) = tokio::join!(
                    compare::compare(&mut s1, -5, spec),
                    compare::compare(&mut s2, 7, spec)
                );
                (x.expect("garbler"), y.expect("evaluator"))
            })
        })
    });
    let (mut s1, mut s2) = rt.block_on(sessions());
    for n in [1usize << 10, 1 << 16] {
        let xs: Vec<i128> = (0..n as i128).map(|i| i * 31 - 7).collect();
        let ys: Vec<i128> = (0..n as i128).map(|i| 5 - i * 17).collect();
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("batched", n), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let (x, y) = tokio::join!(
                        compare::compare_many(&mut s1, &xs, spec),
                        compare::compare_many(&mut s2, &ys, spec)
                    );
                    (x.expect("garbler"), y.expect("evaluator"))
                })
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
