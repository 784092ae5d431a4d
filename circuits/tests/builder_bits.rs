//! Bitwise, shift, rotation, extension and popcount gadgets against native integers.

mod builder_util;

use builder_util::{check, mask, sext};
use proptest::prelude::*;

const N: usize = 96;

fn shl(x: u64, n: usize, l: usize) -> u64 {
    if n >= l { 0 } else { (x << n) & mask(l) }
}
fn shr(x: u64, n: usize, l: usize) -> u64 {
    if n >= l { 0 } else { x >> n }
}
fn sar(x: u64, n: usize, l: usize) -> u64 {
    (sext(x, l) >> n.min(63)) as u64 & mask(l)
}
fn rotl(x: u64, n: usize, l: usize) -> u64 {
    let n = n % l;
    if n == 0 {
        x
    } else {
        ((x << n) | (x >> (l - n))) & mask(l)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn bitwise(l in 1usize..=64, seed: u64) {
        let m = mask(l);
        check(seed, &[l, l], N, |b, i| {
            vec![b.and_word(&i[0], &i[1]), b.or_word(&i[0], &i[1]), b.xor_word(&i[0], &i[1]),
                 b.not_word(&i[0])]
        }, |v| vec![v[0] & v[1], v[0] | v[1], v[0] ^ v[1], !v[0] & m]);
    }

    #[test]
    fn const_shifts(l in 1usize..=64, n in 0usize..70, seed: u64) {
        check(seed, &[l], N, |b, i| {
            vec![b.shl(&i[0], n), b.shr(&i[0], n), b.sar(&i[0], n), b.rotl(&i[0], n),
                 b.rotr(&i[0], n)]
        }, |v| {
            let x = v[0];
            vec![shl(x, n, l), shr(x, n, l), sar(x, n, l), rotl(x, n, l),
                 rotl(x, l - n % l, l)]
        });
    }

    #[test]
    fn extend(l in 1usize..=64, w in 0usize..=64, seed: u64) {
        check(seed, &[l], N, |b, i| vec![b.zero_extend(&i[0], w), b.sign_extend(&i[0], w)],
              |v| vec![v[0] & mask(w), sext(v[0], l) as u64 & mask(w)]);
    }

    #[test]
    fn var_shifts(l in 1usize..=64, k in 1usize..=64, seed: u64) {
        // amount of k bits: small amounts most of the time, but also ≥ l and huge ones
        check(seed, &[l, k], N, |b, i| {
            vec![b.shl_var(&i[0], &i[1]), b.shr_var(&i[0], &i[1]), b.sar_var(&i[0], &i[1])]
        }, |v| {
            let (x, n) = (v[0], v[1].min(1000) as usize);
            vec![shl(x, n, l), shr(x, n, l), sar(x, n, l)]
        });
    }

    #[test]
    fn var_shift_in_range(l in 1usize..=64, seed: u64) {
        // amounts mostly below l: use a 7-bit amount reduced mod l+1 by the reference check
        let k = 7;
        check(seed, &[l, k], N, |b, i| {
            vec![b.shl_var(&i[0], &i[1]), b.shr_var(&i[0], &i[1]), b.sar_var(&i[0], &i[1])]
        }, |v| {
            let (x, n) = (v[0], v[1] as usize);
            vec![shl(x, n, l), shr(x, n, l), sar(x, n, l)]
        });
    }

    #[test]
    fn popcount(l in 1usize..=64, seed: u64) {
        let c = check(seed, &[l], N, |b, i| vec![b.popcount(&i[0])],
                      |v| vec![v[0].count_ones() as u64]);
        prop_assert_eq!(c.outputs()[0] as usize, (usize::BITS - l.leading_zeros()) as usize);
        prop_assert!(c.and_count() < l as u64);
    }
}

#[test]
fn var_shift_exhaustive_small() {
    // every value and every 4-bit amount for widths 1..=6
    for l in 1..=6usize {
        let mut b = duet_circuits::builder::CircuitBuilder::new();
        let x = b.input(l);
        let n = b.input(4);
        for o in [b.shl_var(&x, &n), b.shr_var(&x, &n), b.sar_var(&x, &n)] {
            b.output(&o);
        }
        let c = b.build().unwrap();
        let inst: Vec<Vec<u64>> = (0..1u64 << l)
            .flat_map(|x| (0..16u64).map(move |n| vec![x, n]))
            .collect();
        let outs = builder_util::run_both(&c, &inst);
        for (i, o) in inst.iter().zip(outs) {
            let (x, n) = (i[0], i[1] as usize);
            assert_eq!(
                o,
                vec![shl(x, n, l), shr(x, n, l), sar(x, n, l)],
                "l={l} x={x} n={n}"
            );
        }
    }
}

#[test]
fn popcount_exhaustive_small() {
    for l in 0..=10usize {
        let mut b = duet_circuits::builder::CircuitBuilder::new();
        let x = b.input(l);
        let p = b.popcount(&x);
        b.output(&p);
        let c = b.build().unwrap();
        let inst: Vec<Vec<u64>> = (0..1u64 << l).map(|x| vec![x]).collect();
        for (i, o) in inst.iter().zip(builder_util::run_both(&c, &inst)) {
            assert_eq!(o, vec![i[0].count_ones() as u64]);
        }
    }
}
