//! Gate-level folding, common subexpressions, dead-gate removal and degenerate widths.

mod builder_util;

use builder_util::run_both;
use duet_circuits::builder::CircuitBuilder;

#[test]
fn gate_level_folding() {
    let mut b = CircuitBuilder::new();
    let x = b.input(2);
    let (p, q) = (x[0], x[1]);
    let zero = b.constant(false);
    let one = b.constant(true);
    assert_eq!(b.constant(true), one, "one wire per constant");
    let np = b.inv(p);
    assert_eq!(b.inv(np), p, "!!p = p");
    assert_eq!(b.inv(p), np, "one INV per wire");
    assert_eq!(b.xor(p, p), zero);
    assert_eq!(b.xor(p, np), one);
    assert_eq!(b.xor(p, zero), p);
    assert_eq!(b.xor(one, p), np);
    assert_eq!(b.and(p, p), p);
    assert_eq!(b.and(p, np), zero);
    assert_eq!(b.and(p, one), p);
    assert_eq!(b.and(zero, p), zero);
    assert_eq!(b.or(p, zero), p);
    assert_eq!(b.or(p, one), one);
    assert_eq!(b.mux(one, p, q), p);
    assert_eq!(b.mux(zero, p, q), q);
    assert_eq!(b.mux(p, q, q), q);
    assert_eq!(b.and_count(), 0);
    // common subexpressions: operand order does not matter
    let a1 = b.and(p, q);
    let a2 = b.and(q, p);
    assert_eq!(a1, a2);
    let x1 = b.xor(p, q);
    assert_eq!(b.xor(q, p), x1);
    assert_eq!(b.and_count(), 1);
    let nine = b.constant_word(9, 4);
    assert_eq!(nine, vec![one, zero, zero, one]);
    b.output(&[a1, x1, np]);
    let c = b.build().unwrap();
    assert_eq!(c.and_count(), 1);
    for v in 0..4u64 {
        let (p, q) = (v & 1, v >> 1);
        let want = (p & q) | ((p ^ q) << 1) | ((p ^ 1) << 2);
        assert_eq!(run_both(&c, &[vec![v]]), vec![vec![want]]);
    }
}

#[test]
fn dead_gates_dropped() {
    let mut b = CircuitBuilder::new();
    let x = b.input(32);
    let y = b.input(32);
    let _unused = b.mul(&x, &y);
    let s = b.add(&x, &y);
    assert!(b.and_count() > 900);
    b.output(&s);
    let c = b.build().unwrap();
    assert_eq!(c.and_count(), 31);
    // inputs + gates' outputs + nothing else: no wire is left undefined or unused
    let gates_out = c.num_gates() as u32;
    assert_eq!(c.num_wires(), 64 + gates_out);
}

#[test]
fn zero_width_words() {
    let mut b = CircuitBuilder::new();
    let e = b.input(0);
    let x = b.input(3);
    let add = b.add(&e, &e);
    assert!(add.is_empty());
    let r = [
        b.uge(&e, &e),
        b.ult(&e, &e),
        b.eq(&e, &e),
        b.is_zero(&e),
        b.or_reduce(&e),
        b.and_reduce(&e),
    ];
    assert!(b.mul(&e, &e).is_empty());
    assert!(b.udiv(&e, &e).is_empty() && b.sdiv(&e, &e).is_empty());
    assert!(b.popcount(&e).is_empty() && b.neg(&e).is_empty() && b.abs(&e).is_empty());
    assert!(b.shl_var(&e, &x).is_empty() && b.rotl(&e, 3).is_empty() && b.sar(&e, 1).is_empty());
    let sx = b.sign_extend(&e, 2);
    b.output(&r);
    b.output(&sx);
    b.output(&e);
    let c = b.build().unwrap();
    assert_eq!(c.inputs(), &[0, 3]);
    assert_eq!(c.outputs(), &[6, 2, 0]);
    assert_eq!(run_both(&c, &[vec![0, 5]]), vec![vec![0b101101, 0, 0]]);
}

#[test]
#[should_panic(expected = "operand widths differ")]
fn width_mismatch_panics() {
    let mut b = CircuitBuilder::new();
    let x = b.input(3);
    let y = b.input(4);
    b.add(&x, &y);
}
