//! Half-gates garbling and evaluation throughput (AND gates/s).
//!
//! - `pi`: AES-128 ECB over 16 KiB through `duet_core::AesEcb` (the ceiling; compare with
//!   `openssl speed -evp aes-128-ecb`);
//! - `kernel-2^12` / `kernel-2^22`: independent AND gates, labels in L1 / in memory
//!   (`duet_gc_core::half_gates::{garble_and_gates, evaluate_and_gates}`), large arrays on huge pages
//!   (`duet_core::mem::zeroed_blocks`);
//! - `aes_128` / `aes_128-three-halves`: the Bristol `aes_128` circuit (6,400 AND gates)
//!   interpreted from the shipped file through the slot program (a `CheckedProgram`, as the
//!   protocol holds it), per block (element = AND gate), under half-gates and three-halves;
//! - `lockstep`: 256 instances of a 64-bit adder (63 AND) and of a signed 64-bit comparator
//!   (64 AND) garbled and evaluated op by op across instances (`duet_gc::multi`), as the
//!   hybrid layer runs its conversions and comparisons (element = AND gate).
//!
//! Run: `cargo bench --bench gc -- --measurement-time 2 --warm-up-time 1`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_circuits::library;
use duet_circuits::liveness::SlotMap;
use duet_core::mem::zeroed_blocks;
use duet_core::{Block, Delta};
use duet_gc::{Evaluator, Garbler, HalfGates, Scheme, ThreeHalves};
use duet_gc_core::half_gates::{evaluate_and_gates, garble_and_gates};
use std::hint::black_box;

/// The ceiling: AES-128 ECB over 16 KiB (1,024 blocks, in L1) through `duet_core::AesEcb`,
/// the permutation under the garbling hash; compare with `openssl speed -evp aes-128-ecb`.
fn bench_pi(c: &mut Criterion) {
    let aes = duet_core::AesEcb::new([7u8; 16]);
    let mut buf = vec![Block::ZERO; 1024];
    let mut g = c.benchmark_group("pi");
    g.throughput(Throughput::Bytes(16 * buf.len() as u64));
    g.bench_function("aes128-ecb-16KiB", |bench| {
        bench.iter(|| aes.encrypt_blocks(black_box(&mut buf)))
    });
    g.finish();
}

fn bench_kernel(c: &mut Criterion) {
    for log in [12u32, 22] {
        bench_kernel_n(c, log);
    }
}

fn bench_kernel_n(c: &mut Criterion, log: u32) {
    let n = 1usize << log;
    let mut rng = rand::rng();
    let delta = Delta::random(&mut rng);
    let salt = Block::random(&mut rng);
    // Large label arrays as a bulk caller would hold them: huge-page backed
    // (`duet_core::mem::zeroed_blocks`; 4 KiB pages cost the 2^22 kernels 15–20 %).
    let random = |rng: &mut rand::rngs::ThreadRng| {
        let mut v = zeroed_blocks(n);
        v.iter_mut().for_each(|x| *x = Block::random(rng));
        v
    };
    let (a, b) = (random(&mut rng), random(&mut rng));
    let tw = duet_gc::scheme::Tweak {
        salt,
        first_gate: 0,
    };
    let mut out = zeroed_blocks(n);
    let mut tables = zeroed_blocks(2 * n);
    tables.clear();
    garble_and_gates(&delta, tw, &a, &b, &mut out, &mut tables);
    let mut g = c.benchmark_group(format!("kernel-2^{log}"));
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(10);
    g.bench_function("garble", |bench| {
        bench.iter(|| {
            let mut t = std::mem::take(&mut tables);
            t.clear();
            garble_and_gates(&delta, tw, &a, &b, &mut out, &mut t);
            tables = t;
        })
    });
    g.bench_function("evaluate", |bench| {
        bench.iter(|| evaluate_and_gates(tw, &a, &b, &tables, &mut out))
    });
    g.finish();
}

fn bench_aes(c: &mut Criterion) {
    bench_aes_with::<HalfGates>(c, "aes_128");
    bench_aes_with::<ThreeHalves>(c, "aes_128-three-halves");
}

fn bench_aes_with<S: Scheme>(c: &mut Criterion, group: &str) {
    let circ = library::load("aes_128").expect("aes_128");
    let prog = duet_gc_core::CheckedProgram::new(SlotMap::compute(&circ)).expect("program");
    let mut rng = rand::rng();
    let delta = Delta::random(&mut rng);
    let salt = Block::random(&mut rng);
    let zero: Vec<Block> = (0..prog.input_slots().len())
        .map(|_| Block::random(&mut rng))
        .collect();
    let mut tables = Garbler::<S>::checked(&prog, &delta, &zero, salt)
        .expect("garbler")
        .garble_all();
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(circ.and_count()));
    g.bench_function("garble", |bench| {
        bench.iter(|| {
            tables.clear();
            let mut gb = Garbler::<S>::checked(&prog, &delta, &zero, salt).expect("garbler");
            while gb.next_batch(&mut tables) {}
            black_box(gb.output_zero_labels().expect("done"))
        })
    });
    g.bench_function("evaluate", |bench| {
        bench.iter(|| {
            let mut e = Evaluator::<S>::checked(&prog, &zero, salt).expect("evaluator");
            e.consume(&tables).expect("consume");
            black_box(e.finish().expect("finish"))
        })
    });
    g.finish();
}

fn bench_lockstep(c: &mut Criterion) {
    use duet_circuits::builder::CircuitBuilder;
    use duet_gc::multi::Lockstep;
    let m = 256usize;
    let mut rng = rand::rng();
    let delta = Delta::random(&mut rng);
    let salt = Block::random(&mut rng);
    let mut g = c.benchmark_group("lockstep");
    g.sample_size(20);
    for name in ["adder64", "slt64"] {
        let mut b = CircuitBuilder::new();
        let x = b.input(64);
        let y = b.input(64);
        if name == "adder64" {
            let s = b.add(&x, &y);
            b.output(&s);
        } else {
            let s = b.slt(&x, &y);
            b.output(&[s]);
        }
        let prog = SlotMap::compute(&b.build().expect("circuit"));
        let ins: Vec<Block> = (0..m * 128).map(|_| Block::random(&mut rng)).collect();
        let (mut ls, mut tables, mut outs) = (Lockstep::new(), Vec::new(), Vec::new());
        ls.garble::<HalfGates>(&prog, &delta, salt, 0, m, &ins, &mut tables, &mut outs)
            .expect("garble");
        g.throughput(Throughput::Elements(m as u64 * prog.and_count()));
        g.bench_function(format!("{name}_x256_garble"), |bench| {
            let mut t = Vec::new();
            bench.iter(|| {
                t.clear();
                outs.clear();
                ls.garble::<HalfGates>(&prog, &delta, salt, 0, m, &ins, &mut t, &mut outs)
                    .expect("garble");
            })
        });
        g.bench_function(format!("{name}_x256_evaluate"), |bench| {
            bench.iter(|| {
                outs.clear();
                ls.evaluate::<HalfGates>(&prog, salt, 0, m, &ins, &tables, &mut outs)
                    .expect("evaluate");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_pi, bench_kernel, bench_aes, bench_lockstep);
criterion_main!(benches);
