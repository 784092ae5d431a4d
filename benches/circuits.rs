//! Plaintext evaluation throughput (gates/s): the single-instance evaluator and the 64-way
//! bit-sliced evaluator on the shipped AES-128 and SHA-256 circuits, plus a builder-made
//! 64-bit multiply/divide chain.
//!
//! Run: `cargo bench --bench circuits -- --measurement-time 2 --warm-up-time 1`.
//! For the sliced evaluator the element count is gates × 64 (gate evaluations).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use duet_circuits::builder::CircuitBuilder;
use duet_circuits::eval::{evaluate, evaluate_sliced};
use duet_circuits::{Bits, Circuit, library};
use std::hint::black_box;

fn arith_chain() -> Circuit {
    let mut b = CircuitBuilder::new();
    let x = b.input(64);
    let y = b.input(64);
    let mut acc = b.mul(&x, &y);
    for _ in 0..4 {
        let p = b.mul(&acc, &x);
        let q = b.udiv(&p, &y);
        acc = b.add(&q, &acc);
    }
    b.output(&acc);
    b.build().expect("build")
}

fn bench_eval(c: &mut Criterion) {
    let circuits = [
        ("aes_128", library::load("aes_128").expect("aes_128")),
        ("sha256", library::load("sha256").expect("sha256")),
        ("mul_div_chain64", arith_chain()),
    ];
    let mut g = c.benchmark_group("eval");
    for (name, circ) in &circuits {
        let inputs: Vec<Bits> = circ
            .inputs()
            .iter()
            .enumerate()
            .map(|(i, &w)| {
                (0..w)
                    .map(|k| (k * 7 + i as u32).is_multiple_of(3))
                    .collect()
            })
            .collect();
        let sliced: Vec<Vec<u64>> = circ
            .inputs()
            .iter()
            .map(|&w| {
                (0..w as u64)
                    .map(|k| k.wrapping_mul(0x9e37_79b9_7f4a_7c15))
                    .collect()
            })
            .collect();
        let gates = circ.num_gates() as u64;
        g.throughput(Throughput::Elements(gates));
        g.bench_function(format!("{name}/single"), |bch| {
            bch.iter(|| evaluate(black_box(circ), black_box(&inputs)).expect("eval"))
        });
        g.throughput(Throughput::Elements(gates * 64));
        g.bench_function(format!("{name}/sliced64"), |bch| {
            bch.iter(|| evaluate_sliced(black_box(circ), black_box(&sliced)).expect("eval"))
        });
    }
    g.finish();
}

fn bench_build(c: &mut Criterion) {
    let mut g = c.benchmark_group("builder");
    let ands = arith_chain().and_count();
    g.throughput(Throughput::Elements(ands));
    g.bench_function("mul_div_chain64/build", |bch| bch.iter(arith_chain));
    g.finish();
}

criterion_group!(benches, bench_eval, bench_build);
criterion_main!(benches);
