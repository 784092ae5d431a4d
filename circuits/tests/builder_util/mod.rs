//! Shared helpers for the builder tests: run a built circuit on many instances through BOTH
//! evaluators (asserting they agree) and compare with a native reference.
#![allow(dead_code)]

use duet_circuits::builder::{CircuitBuilder, Word};
use duet_circuits::eval::{evaluate, evaluate_sliced, slice_u64, unslice_u64};
use duet_circuits::{Bits, Circuit};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// All-ones mask of `l` bits (l ≤ 64).
pub fn mask(l: usize) -> u64 {
    if l >= 64 { u64::MAX } else { (1u64 << l) - 1 }
}

/// Sign-extend the low `l` bits of `x`.
pub fn sext(x: u64, l: usize) -> i64 {
    let s = 64 - l as u32;
    ((x << s) as i64) >> s
}

/// Interesting values of width `l`: 0, 1, 2, MAX, MAX−1, signed MIN, MIN+1, signed MAX.
pub fn specials(l: usize) -> Vec<u64> {
    let m = mask(l);
    let min = 1u64 << (l - 1);
    vec![0, 1, 2, m, m.wrapping_sub(1), min, min + 1, min - 1]
        .into_iter()
        .map(|x| x & m)
        .collect()
}

/// A random value of width `l`: a special value 1/3 of the time, else uniform, sometimes
/// small.
pub fn value(rng: &mut StdRng, l: usize) -> u64 {
    match rng.random_range(0..6u32) {
        0 | 1 => {
            let s = specials(l);
            s[rng.random_range(0..s.len())]
        }
        2 => rng.random_range(0..8u64) & mask(l),
        _ => rng.random::<u64>() & mask(l),
    }
}

/// Evaluate `c` on every instance (`instances[n][i]` = input value i of instance n, widths
/// ≤ 64) with both evaluators; assert they agree; return `out[n][j]`.
pub fn run_both(c: &Circuit, instances: &[Vec<u64>]) -> Vec<Vec<u64>> {
    let widths: Vec<usize> = c.inputs().iter().map(|&w| w as usize).collect();
    let owidths: Vec<usize> = c.outputs().iter().map(|&w| w as usize).collect();
    let mut single = Vec::new();
    for inst in instances {
        let ins: Vec<Bits> = inst
            .iter()
            .zip(&widths)
            .map(|(&x, &w)| (0..w).map(|k| (x >> k) & 1 == 1).collect())
            .collect();
        let outs = evaluate(c, &ins).expect("evaluate");
        single.push(
            outs.iter()
                .map(|b| {
                    b.iter()
                        .enumerate()
                        .fold(0u64, |a, (k, x)| a | ((*x as u64) << k))
                })
                .collect::<Vec<u64>>(),
        );
    }
    for (chunk_idx, chunk) in instances.chunks(64).enumerate() {
        let ins: Vec<Vec<u64>> = (0..widths.len())
            .map(|i| {
                let vals: Vec<u64> = chunk.iter().map(|inst| inst[i]).collect();
                slice_u64(&vals, widths[i])
            })
            .collect();
        let outs = evaluate_sliced(c, &ins).expect("evaluate_sliced");
        for (j, _) in chunk.iter().enumerate() {
            let n = chunk_idx * 64 + j;
            for (o, words) in outs.iter().enumerate() {
                assert_eq!(words.len(), owidths[o]);
                assert_eq!(
                    unslice_u64(words, j),
                    single[n][o],
                    "evaluators disagree on instance {n}, output {o}"
                );
            }
        }
    }
    single
}

/// Build a circuit with inputs of `widths` via `f` (which returns the output words), run
/// `n` random instances through both evaluators and compare every output with `reference`.
pub fn check(
    seed: u64,
    widths: &[usize],
    n: usize,
    f: impl FnOnce(&mut CircuitBuilder, &[Word]) -> Vec<Word>,
    reference: impl Fn(&[u64]) -> Vec<u64>,
) -> Circuit {
    let mut b = CircuitBuilder::new();
    let ins: Vec<Word> = widths.iter().map(|&w| b.input(w)).collect();
    for o in f(&mut b, &ins) {
        b.output(&o);
    }
    let c = b.build().expect("build");
    let mut rng = StdRng::seed_from_u64(seed);
    let instances: Vec<Vec<u64>> = (0..n)
        .map(|_| widths.iter().map(|&w| value(&mut rng, w)).collect())
        .collect();
    let outs = run_both(&c, &instances);
    for (inst, got) in instances.iter().zip(&outs) {
        let want = reference(inst);
        assert_eq!(got, &want, "inputs {inst:x?} widths {widths:?}");
    }
    c
}

/// AND count of a circuit with inputs of `widths` built by `f`.
pub fn ands(widths: &[usize], f: impl FnOnce(&mut CircuitBuilder, &[Word]) -> Vec<Word>) -> u64 {
    let mut b = CircuitBuilder::new();
    let ins: Vec<Word> = widths.iter().map(|&w| b.input(w)).collect();
    for o in f(&mut b, &ins) {
        b.output(&o);
    }
    b.build().expect("build").and_count()
}
