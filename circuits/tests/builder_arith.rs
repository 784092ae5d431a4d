//! Arithmetic and comparison gadgets against native integers, via both evaluators.

mod builder_util;

use builder_util::{check, mask, sext};
use proptest::prelude::*;

const N: usize = 96;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn add_sub_neg(l in 1usize..=64, seed: u64) {
        let m = mask(l);
        check(seed, &[l, l], N, |b, i| {
            let (s, c) = {
                let z = b.constant(false);
                b.add_with_carry(&i[0], &i[1], z)
            };
            let (d, br) = b.sub_with_borrow(&i[0], &i[1]);
            vec![b.add(&i[0], &i[1]), b.sub(&i[0], &i[1]), b.neg(&i[0]), s, vec![c], d, vec![br],
                 b.abs(&i[0])]
        }, |v| {
            let (x, y) = (v[0], v[1]);
            let wide = x as u128 + y as u128;
            vec![x.wrapping_add(y) & m, x.wrapping_sub(y) & m, x.wrapping_neg() & m,
                 x.wrapping_add(y) & m, (wide >> l) as u64 & 1, x.wrapping_sub(y) & m,
                 (x < y) as u64, sext(x, l).unsigned_abs() & m]
        });
    }

    #[test]
    fn cond_neg(l in 1usize..=64, seed: u64) {
        let m = mask(l);
        check(seed, &[l, 1], N, |b, i| vec![b.cond_neg(&i[0], i[1][0])],
              |v| vec![if v[1] == 1 { v[0].wrapping_neg() & m } else { v[0] }]);
    }

    #[test]
    fn mul(l in 1usize..=64, seed: u64) {
        let m = mask(l);
        check(seed, &[l, l], N, |b, i| vec![b.mul(&i[0], &i[1])],
              |v| vec![v[0].wrapping_mul(v[1]) & m]);
    }

    #[test]
    fn comparisons(l in 1usize..=64, seed: u64) {
        check(seed, &[l, l], N, |b, i| {
            let (x, y) = (&i[0], &i[1]);
            let r = [b.ult(x, y), b.ule(x, y), b.ugt(x, y), b.uge(x, y),
                     b.slt(x, y), b.sle(x, y), b.sgt(x, y), b.sge(x, y),
                     b.eq(x, y), b.ne(x, y), b.is_zero(x)];
            r.into_iter().map(|w| vec![w]).collect()
        }, |v| {
            let (x, y) = (v[0], v[1]);
            let (sx, sy) = (sext(x, l), sext(y, l));
            [x < y, x <= y, x > y, x >= y, sx < sy, sx <= sy, sx > sy, sx >= sy,
             x == y, x != y, x == 0].into_iter().map(|c| c as u64).collect()
        });
    }

    #[test]
    fn equal_operands(l in 1usize..=64, seed: u64) {
        // the same word on both sides: x == x etc. must fold correctly
        check(seed, &[l], 16, |b, i| {
            let x = &i[0];
            vec![vec![b.eq(x, x)], vec![b.ult(x, x)], vec![b.sge(x, x)], b.sub(x, x), b.add(x, x)]
        }, |v| vec![1, 0, 1, 0, v[0].wrapping_add(v[0]) & mask(l)]);
    }

    #[test]
    fn mux_min_max(l in 1usize..=64, seed: u64) {
        check(seed, &[1, l, l], N, |b, i| {
            let (s, x, y) = (i[0][0], &i[1], &i[2]);
            vec![b.mux_word(s, x, y), b.umin(x, y), b.umax(x, y), b.smin(x, y), b.smax(x, y),
                 vec![b.mux(s, x[0], y[0])], vec![b.or(x[0], y[0])]]
        }, |v| {
            let (s, x, y) = (v[0], v[1], v[2]);
            let (sx, sy) = (sext(x, l), sext(y, l));
            vec![if s == 1 { x } else { y }, x.min(y), x.max(y),
                 if sx <= sy { x } else { y }, if sx >= sy { x } else { y },
                 if s == 1 { x & 1 } else { y & 1 }, (x | y) & 1]
        });
    }
}
