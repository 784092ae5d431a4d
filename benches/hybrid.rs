//! Hybrid layer throughput, both parties in this process over an in-memory duplex:
//! shared 64-bit multiplications, A2Y and Y2A conversions, signed comparisons of shared
//! values in a batch of 10^5, and ReLU / Dense layers end to end. Each benchmark also prints
//! the bytes per operation (both directions) next to the formula of `hybrid/src/engine.rs`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_hybrid::{
    ArithCircuit, Engine, GcTask, Kind, LayerOut, Op, Operand, Reveal, Ring, Val, run_with,
};
use duet_net::{Channel, ChannelConfig, duplex_pair};
use std::sync::Arc;
use std::time::{Duration, Instant};

type Party = (Engine, Channel);

struct Pair {
    rt: tokio::runtime::Runtime,
    g: Option<Party>,
    e: Option<Party>,
}

/// One party's work: products, operands, tasks.
#[derive(Clone)]
struct Job {
    muls: Vec<(Val, Val)>,
    ops: Vec<Operand>,
    tasks: Vec<GcTask>,
}

impl Pair {
    fn new() -> Pair {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (g, e) = rt.block_on(async {
            let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
            let ring = Ring::default();
            let g =
                tokio::spawn(async move { (Engine::garbler(&mut cg, ring).await.unwrap(), cg) });
            let e =
                tokio::spawn(async move { (Engine::evaluator(&mut ce, ring).await.unwrap(), ce) });
            (g.await.unwrap(), e.await.unwrap())
        });
        Pair {
            rt,
            g: Some(g),
            e: Some(e),
        }
    }

    /// Run the two jobs `iters` times; returns (elapsed, bytes both ways per iteration, last outputs).
    fn layers(&mut self, gj: &Job, ej: &Job, iters: u64) -> (Duration, u64, LayerOut, LayerOut) {
        let (mut g, mut e) = (self.g.take().unwrap(), self.e.take().unwrap());
        let (gj, ej) = (gj.clone(), ej.clone());
        let (b0, r0) = (g.1.bytes_sent(), g.1.bytes_received());
        let start = Instant::now();
        let (g, e) = self.rt.block_on(async move {
            let gt = tokio::spawn(async move {
                let mut last = None;
                for _ in 0..iters {
                    last = Some(
                        g.0.layer(&mut g.1, &gj.muls, &gj.ops, &gj.tasks)
                            .await
                            .unwrap(),
                    );
                }
                (g, last.unwrap())
            });
            let et = tokio::spawn(async move {
                let mut last = None;
                for _ in 0..iters {
                    last = Some(
                        e.0.layer(&mut e.1, &ej.muls, &ej.ops, &ej.tasks)
                            .await
                            .unwrap(),
                    );
                }
                (e, last.unwrap())
            });
            (gt.await.unwrap(), et.await.unwrap())
        });
        let el = start.elapsed();
        let bytes = (g.0.1.bytes_sent() - b0 + g.0.1.bytes_received() - r0) / iters.max(1);
        self.g = Some(g.0);
        self.e = Some(e.0);
        (el, bytes, g.1, e.1)
    }
}

fn shares(n: usize, seed: u64) -> (Vec<Val>, Vec<Val>) {
    let mut s = seed;
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        s ^ (s >> 29)
    };
    (0..n)
        .map(|_| {
            let (v, r) = (next() >> 20, next());
            (
                Val {
                    kind: Kind::Both,
                    share: r,
                },
                Val {
                    kind: Kind::Both,
                    share: v.wrapping_sub(r),
                },
            )
        })
        .unzip()
}

fn report(name: &str, bytes: u64, n: u64, formula: f64) {
    let per = bytes as f64 / n as f64;
    eprintln!(
        "{name}: {per:.1} bytes/op (formula {formula:.1}, ratio {:.3})",
        per / formula
    );
}

fn bench(c: &mut Criterion) {
    let mut pair = Pair::new();
    let mut grp = c.benchmark_group("hybrid");
    grp.sample_size(10);
    grp.warm_up_time(Duration::from_secs(1));
    grp.measurement_time(Duration::from_secs(3));

    // 1. shared × shared 64-bit multiplications, 2^14 per layer
    let n = 1 << 14;
    let (a_g, a_e) = shares(n, 1);
    let (b_g, b_e) = shares(n, 2);
    let gj = Job {
        muls: a_g.iter().copied().zip(b_g.iter().copied()).collect(),
        ops: vec![],
        tasks: vec![],
    };
    let ej = Job {
        muls: a_e.iter().copied().zip(b_e.iter().copied()).collect(),
        ops: vec![],
        tasks: vec![],
    };
    let (_, bytes, _, _) = pair.layers(&gj, &ej, 1);
    report("mul64", bytes, n as u64, 2.0 * (64.0 * 16.0 + 288.0));
    grp.throughput(Throughput::Elements(n as u64));
    grp.bench_function("mul64_shared_x_shared", |b| {
        b.iter_custom(|it| pair.layers(&gj, &ej, it).0)
    });

    // 2. A2Y of fully shared 64-bit values (operands only, no ops)
    let n = 1 << 13;
    let (x_g, x_e) = shares(n, 3);
    let gj = Job {
        muls: vec![],
        ops: x_g.iter().map(|&v| Operand::Val(v)).collect(),
        tasks: vec![],
    };
    let ej = Job {
        muls: vec![],
        ops: x_e.iter().map(|&v| Operand::Val(v)).collect(),
        tasks: vec![],
    };
    let (_, bytes, gl, el) = pair.layers(&gj, &ej, 1);
    report("a2y64", bytes, n as u64, 64.0 * 16.0 * 2.0 + 63.0 * 32.0);
    grp.throughput(Throughput::Elements(n as u64));
    grp.bench_function("a2y64", |b| b.iter_custom(|it| pair.layers(&gj, &ej, it).0));

    // 3. Y2A of garbled 64-bit words (the labels from the A2Y above)
    let ids: Vec<GcTask> = (0..n)
        .map(|i| GcTask {
            op: Op::Id,
            a: i,
            b: i,
        })
        .collect();
    let lab = |l: &LayerOut| {
        l.operand_labels
            .iter()
            .map(|x| Operand::Labels(x.clone().unwrap()))
            .collect()
    };
    let gj = Job {
        muls: vec![],
        ops: lab(&gl),
        tasks: ids.clone(),
    };
    let ej = Job {
        muls: vec![],
        ops: lab(&el),
        tasks: ids,
    };
    let (_, bytes, _, _) = pair.layers(&gj, &ej, 1);
    report("y2a64", bytes, n as u64, 288.0);
    grp.bench_function("y2a64", |b| b.iter_custom(|it| pair.layers(&gj, &ej, it).0));

    // 4. signed comparisons a < b of fully shared 64-bit values, batch of 10^5
    let n = 100_000;
    let (a_g, a_e) = shares(n, 4);
    let (b_g, b_e) = shares(n, 5);
    let mk = |a: &[Val], b: &[Val]| Job {
        muls: vec![],
        ops: a
            .iter()
            .zip(b)
            .flat_map(|(&x, &y)| [Operand::Val(x), Operand::Val(y)])
            .collect(),
        tasks: (0..n)
            .map(|i| GcTask {
                op: Op::Lt,
                a: 2 * i,
                b: 2 * i + 1,
            })
            .collect(),
    };
    let (gj, ej) = (mk(&a_g, &b_g), mk(&a_e, &b_e));
    let (t, bytes, _, _) = pair.layers(&gj, &ej, 1);
    eprintln!(
        "lt64 batch 1e5: {:.0} comparisons/s",
        n as f64 / t.as_secs_f64()
    );
    report(
        "lt64",
        bytes,
        n as u64,
        (3.0 * 64.0 - 2.0) * 32.0 + 4.0 * 64.0 * 16.0 + 8.0,
    );
    grp.throughput(Throughput::Elements(n as u64));
    grp.bench_function("lt64_shared_batch_1e5", |b| {
        b.iter_custom(|it| pair.layers(&gj, &ej, it).0)
    });

    // 5a. ReLU on 10^4 fully shared values: layer 1 garbled x > 0, layer 2 x · (x > 0)
    let n = 10_000;
    let (x_g, x_e) = shares(n, 6);
    let relu = |xs: &[Val]| Job {
        muls: vec![],
        ops: xs
            .iter()
            .map(|&v| Operand::Val(v))
            .chain([Operand::Val(Val::public(0))])
            .collect(),
        tasks: (0..n)
            .map(|i| GcTask {
                op: Op::Gt,
                a: i,
                b: n,
            })
            .collect(),
    };
    let (gj, ej) = (relu(&x_g), relu(&x_e));
    grp.throughput(Throughput::Elements(n as u64));
    grp.bench_function("relu64_shared_1e4", |b| {
        b.iter_custom(|it| {
            let mut total = Duration::ZERO;
            for _ in 0..it {
                let (t1, _, g1, e1) = pair.layers(&gj, &ej, 1);
                let mul = |xs: &[Val], l: &LayerOut| Job {
                    muls: xs
                        .iter()
                        .zip(&l.results)
                        .map(|(&x, r)| (x, r.0.expect("every result converted")))
                        .collect(),
                    ops: vec![],
                    tasks: vec![],
                };
                let (t2, _, _, _) = pair.layers(&mul(&x_g, &g1), &mul(&x_e, &e1), 1);
                total += t1 + t2;
            }
            total
        })
    });

    // 5b. ReLU and Dense layers (corpus circuits) end to end over a reused connection
    for name in ["ml_ReLU", "ml_Dense"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("hybrid/tests/data/arith")
            .join(name);
        let circ = Arc::new(ArithCircuit::load(&dir).unwrap());
        let ni = circ.inputs().len();
        let gi: Vec<(usize, u64)> = (0..ni)
            .filter(|i| i % 2 == 0)
            .map(|i| (i, (i as u64 * 977) % 4000))
            .collect();
        let ei: Vec<(usize, u64)> = (0..ni)
            .filter(|i| i % 2 == 1)
            .map(|i| (i, (i as u64 * 31).wrapping_neg()))
            .collect();
        let reveal = vec![Reveal::BOTH; circ.outputs().len()];
        grp.throughput(Throughput::Elements(1));
        grp.bench_function(format!("{name}_end_to_end"), |b| {
            b.iter_custom(|it| {
                let (mut g, mut e) = (pair.g.take().unwrap(), pair.e.take().unwrap());
                let (c1, c2, r1, r2, gi, ei) = (
                    circ.clone(),
                    circ.clone(),
                    reveal.clone(),
                    reveal.clone(),
                    gi.clone(),
                    ei.clone(),
                );
                let start = Instant::now();
                let (g, e) = pair.rt.block_on(async move {
                    let gt = tokio::spawn(async move {
                        for _ in 0..it {
                            run_with(&mut g.1, &mut g.0, &c1, &gi, &r1).await.unwrap();
                        }
                        g
                    });
                    let et = tokio::spawn(async move {
                        for _ in 0..it {
                            run_with(&mut e.1, &mut e.0, &c2, &ei, &r2).await.unwrap();
                        }
                        e
                    });
                    (gt.await.unwrap(), et.await.unwrap())
                });
                let el = start.elapsed();
                pair.g = Some(g);
                pair.e = Some(e);
                el
            })
        });
    }
    grp.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
