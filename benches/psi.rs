//! PSI end to end, both parties in one process over `duplex_pair`: KKRT16, RR22 (IKNP and
//! Ferret COTs) and RR22 PSI-cardinality.
//!
//! Default: 2^16 × 2^16 (quick). `DUET_PSI_BENCH_FULL=1` adds 2^20 × 2^20 (and the KKRT16
//! unequal sizes); `DUET_PSI_BENCH_24=1` adds RR22 at 2^24 × 2^24. Before the criterion
//! groups, each size is run alternately (KKRT16, RR22 IKNP, RR22 Ferret, three rounds) and
//! the wall times printed, with the bytes of each run against the protocols' formulas.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use duet::psi::rr22::{self, CotSource};
use duet::psi::{self, PsiConfig};
use duet_core::{Block, Prg};
use duet_net::{ChannelConfig, duplex_pair};
use std::time::Instant;

fn items(n: usize, seed: u128) -> Vec<Block> {
    let mut v = vec![Block::ZERO; n];
    Prg::new(Block(seed)).fill_blocks(&mut v);
    v
}

#[derive(Clone, Copy, Debug)]
enum Proto {
    Kkrt16,
    Rr22(CotSource),
    Cardinality(CotSource),
}

impl Proto {
    fn name(self) -> String {
        match self {
            Proto::Kkrt16 => "kkrt16".into(),
            Proto::Rr22(s) => format!("rr22_{s}"),
            Proto::Cardinality(s) => format!("card_{s}"),
        }
    }
}

/// One run: (intersection size, bytes both ways).
async fn run(p: Proto, s: Vec<Block>, r: Vec<Block>) -> (usize, u64) {
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let cfg = PsiConfig::default();
    match p {
        Proto::Kkrt16 => {
            let st = tokio::spawn(async move { psi::sender(&mut a, &s, &cfg).await });
            let out = psi::receiver(&mut b, &r, &PsiConfig::default())
                .await
                .expect("receiver");
            st.await.expect("task").expect("sender");
            (
                out.intersection.len(),
                out.stats.bytes_sent + out.stats.bytes_received,
            )
        }
        Proto::Rr22(src) => {
            let st = tokio::spawn(async move { rr22::sender(&mut a, &s, &cfg, src).await });
            let out = rr22::receiver(&mut b, &r, &PsiConfig::default(), src)
                .await
                .expect("receiver");
            st.await.expect("task").expect("sender");
            (
                out.intersection.len(),
                out.stats.bytes_sent + out.stats.bytes_received,
            )
        }
        Proto::Cardinality(src) => {
            let st = tokio::spawn(async move {
                psi::cardinality::sender(a, &s, &cfg, src)
                    .await
                    .map(|x| x.0)
            });
            let (out, _) = psi::cardinality::receiver(b, &r, &PsiConfig::default(), src)
                .await
                .expect("receiver");
            st.await.expect("task").expect("sender");
            (
                out.count as usize,
                out.stats.bytes_sent + out.stats.bytes_received,
            )
        }
    }
}

fn formula(p: Proto, nr: u64, ns: u64) -> u64 {
    match p {
        Proto::Kkrt16 => psi::formula_bytes(40, nr, ns),
        _ => rr22::formula_bytes(40, nr, ns),
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let all = [
        Proto::Kkrt16,
        Proto::Rr22(CotSource::Iknp),
        Proto::Rr22(CotSource::Ferret),
    ];
    let mut sizes: Vec<(usize, usize, Vec<Proto>)> = vec![(1 << 16, 1 << 16, {
        let mut v = all.to_vec();
        v.push(Proto::Cardinality(CotSource::Iknp));
        v.push(Proto::Cardinality(CotSource::Ferret));
        v
    })];
    if std::env::var_os("DUET_PSI_BENCH_FULL").is_some() {
        sizes.push((1 << 20, 1 << 20, all.to_vec()));
        sizes.push((
            1 << 20,
            1 << 10,
            vec![Proto::Kkrt16, Proto::Rr22(CotSource::Iknp)],
        ));
        sizes.push((
            1 << 10,
            1 << 20,
            vec![Proto::Kkrt16, Proto::Rr22(CotSource::Iknp)],
        ));
    }
    if std::env::var_os("DUET_PSI_BENCH_24").is_some() {
        sizes.push((1 << 24, 1 << 24, vec![Proto::Rr22(CotSource::Ferret)]));
    }
    let mut g = c.benchmark_group("psi");
    g.sample_size(10);
    for (ns, nr, protos) in sizes {
        let mut s = items(ns, 1);
        let r = items(nr, 2);
        let overlap = ns.min(nr) / 2;
        s[..overlap].copy_from_slice(&r[..overlap]);
        let tag = format!("s2^{}_r2^{}", ns.ilog2(), nr.ilog2());
        // Alternating wall-clock rounds (same sitting, same load) and bytes per item.
        for round in 0..3 {
            for &p in &protos {
                let t = Instant::now();
                let (count, bytes) = rt.block_on(run(p, s.clone(), r.clone()));
                let secs = t.elapsed().as_secs_f64();
                assert_eq!(count, overlap, "{p:?}");
                let f = formula(p, nr as u64, ns as u64);
                eprintln!(
                    "{tag} round {round} {:>12}: {secs:.3} s, {bytes} B ({:.1} B/item; {:.2}x the formula {f} B outside the COTs)",
                    p.name(),
                    bytes as f64 / ns.max(nr) as f64,
                    bytes as f64 / f.max(1) as f64,
                );
            }
        }
        g.throughput(Throughput::Elements(ns.max(nr) as u64));
        for &p in &protos {
            let id = format!("{}_{tag}", p.name());
            g.bench_function(BenchmarkId::from_parameter(id), |b| {
                b.iter(|| rt.block_on(run(p, s.clone(), r.clone())))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
