//! PSI end to end, both parties in one process over `duplex_pair` (KKRT16 OPRF).
//!
//! Default: 2^16 × 2^16 (quick). `DUET_PSI_BENCH_FULL=1` adds 2^20 × 2^20 and 2^10 vs 2^20.
//! Bytes per run (both directions) and the KKRT16 formula are printed once per size.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use duet::psi::{self, PsiConfig};
use duet_core::{Block, Prg};
use duet_net::{ChannelConfig, duplex_pair};

fn items(n: usize, seed: u128) -> Vec<Block> {
    let mut v = vec![Block::ZERO; n];
    Prg::new(Block(seed)).fill_blocks(&mut v);
    v
}

async fn run(s: Vec<Block>, r: Vec<Block>) -> (usize, u64) {
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let st = tokio::spawn(async move { psi::sender(&mut a, &s, &PsiConfig::default()).await });
    let out = psi::receiver(&mut b, &r, &PsiConfig::default())
        .await
        .expect("receiver");
    st.await.expect("task").expect("sender");
    (
        out.intersection.len(),
        out.stats.bytes_sent + out.stats.bytes_received,
    )
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut sizes = vec![(1usize << 16, 1usize << 16)];
    if std::env::var_os("DUET_PSI_BENCH_FULL").is_some() {
        sizes.push((1 << 20, 1 << 20));
        sizes.push((1 << 20, 1 << 10)); // sender 2^20, receiver 2^10
        sizes.push((1 << 10, 1 << 20)); // sender 2^10, receiver 2^20
    }
    let mut g = c.benchmark_group("psi");
    g.sample_size(10);
    for (ns, nr) in sizes {
        let mut s = items(ns, 1);
        let r = items(nr, 2);
        let overlap = ns.min(nr) / 2;
        s[..overlap].copy_from_slice(&r[..overlap]);
        let (count, bytes) = rt.block_on(run(s.clone(), r.clone()));
        assert_eq!(count, overlap);
        let formula = psi::formula_bytes(40, nr as u64, ns as u64);
        eprintln!(
            "psi sender 2^{} receiver 2^{}: {bytes} bytes, KKRT16 formula {formula} ({:.3}x)",
            ns.ilog2(),
            nr.ilog2(),
            bytes as f64 / formula as f64
        );
        g.throughput(Throughput::Elements(ns.max(nr) as u64));
        let id = format!("s2^{}_r2^{}", ns.ilog2(), nr.ilog2());
        g.bench_function(BenchmarkId::from_parameter(id), |b| {
            b.iter(|| rt.block_on(run(s.clone(), r.clone())))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
