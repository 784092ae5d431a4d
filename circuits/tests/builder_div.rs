//! Division gadgets against native integers, with RISC-V semantics for x/0 and MIN/−1.

mod builder_util;

use builder_util::{check, mask, run_both, sext};
use duet_circuits::builder::CircuitBuilder;
use proptest::prelude::*;

/// RISC-V DIVU/REMU on l-bit values.
fn udivrem(x: u64, y: u64, l: usize) -> (u64, u64) {
    match (x.checked_div(y), x.checked_rem(y)) {
        (Some(q), Some(r)) => (q, r),
        _ => (mask(l), x),
    }
}

/// RISC-V DIV/REM on l-bit two's-complement values.
fn sdivrem(x: u64, y: u64, l: usize) -> (u64, u64) {
    if y == 0 {
        return (mask(l), x);
    }
    let (a, b) = (sext(x, l) as i128, sext(y, l) as i128);
    ((a / b) as u64 & mask(l), (a % b) as u64 & mask(l))
}

fn divider(
    b: &mut CircuitBuilder,
    x: &[duet_circuits::builder::Wire],
    y: &[duet_circuits::builder::Wire],
) -> Vec<Vec<duet_circuits::builder::Wire>> {
    let (q, r) = b.udivrem(x, y);
    let (sq, sr) = b.sdivrem(x, y);
    vec![
        q,
        r,
        sq,
        sr,
        b.udiv(x, y),
        b.urem(x, y),
        b.sdiv(x, y),
        b.srem(x, y),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20))]

    #[test]
    fn div_rem(l in 1usize..=64, seed: u64) {
        check(seed, &[l, l], 96, |b, i| divider(b, &i[0], &i[1]), |v| {
            let (q, r) = udivrem(v[0], v[1], l);
            let (sq, sr) = sdivrem(v[0], v[1], l);
            vec![q, r, sq, sr, q, r, sq, sr]
        });
    }
}

#[test]
fn div_exhaustive_small() {
    for l in 1..=5usize {
        let mut b = CircuitBuilder::new();
        let x = b.input(l);
        let y = b.input(l);
        for o in divider(&mut b, &x, &y) {
            b.output(&o);
        }
        let c = b.build().unwrap();
        let inst: Vec<Vec<u64>> = (0..1u64 << l)
            .flat_map(|x| (0..1u64 << l).map(move |y| vec![x, y]))
            .collect();
        for (i, o) in inst.iter().zip(run_both(&c, &inst)) {
            let (q, r) = udivrem(i[0], i[1], l);
            let (sq, sr) = sdivrem(i[0], i[1], l);
            assert_eq!(
                o,
                vec![q, r, sq, sr, q, r, sq, sr],
                "l={l} x={} y={}",
                i[0],
                i[1]
            );
        }
    }
}

#[test]
fn riscv_corner_cases_64() {
    let mut b = CircuitBuilder::new();
    let x = b.input(64);
    let y = b.input(64);
    for o in divider(&mut b, &x, &y) {
        b.output(&o);
    }
    let c = b.build().unwrap();
    let min = 1u64 << 63;
    let cases = [
        (5u64, 0u64),
        (min, 0),
        (0, 0),
        (min, u64::MAX),
        (u64::MAX, u64::MAX),
        (7, (-2i64) as u64),
        ((-7i64) as u64, 2),
        ((-7i64) as u64, (-2i64) as u64),
    ];
    let inst: Vec<Vec<u64>> = cases.iter().map(|&(x, y)| vec![x, y]).collect();
    let outs = run_both(&c, &inst);
    // x/0 = all ones, x%0 = x
    assert_eq!(
        outs[0],
        vec![u64::MAX, 5, u64::MAX, 5, u64::MAX, 5, u64::MAX, 5]
    );
    assert_eq!(outs[1][2..4], [u64::MAX, min]);
    // MIN / -1 = MIN, MIN % -1 = 0
    assert_eq!(outs[3][2..4], [min, 0]);
    // truncation toward zero, remainder has the dividend's sign
    assert_eq!(outs[5][2..4], [(-3i64) as u64, 1]);
    assert_eq!(outs[6][2..4], [(-3i64) as u64, (-1i64) as u64]);
    assert_eq!(outs[7][2..4], [3, (-1i64) as u64]);
}
