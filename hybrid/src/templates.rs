//! Boolean circuits for the ops that run garbled, built with the `circuits` builder and
//! cached per shape: one circuit per (op, operand shapes), garbled once per use with fresh
//! labels and a fresh salt.
//!
//! Operands arrive as *labels* (a word of `width ≤ ℓ` bits, zero-extended to ℓ) or as public
//! constants (folded into the circuit by the builder). The A2Y adder is its own template
//! ([`Template::adder`]): its output labels feed the op templates directly — conversions are
//! fused at the label level, nothing is decoded in between.

use crate::{Error, Op, Ring};
use duet_circuits::builder::{CircuitBuilder, Wire, Word};
use duet_circuits::liveness::SlotMap;

/// How an operand enters an op template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Shape {
    /// A word of labels of this width (≤ ℓ), an input of the circuit.
    Labels(u8),
    /// A public ring element, folded in.
    Public(u64),
}

/// A built circuit and its slot program.
pub(crate) struct Template {
    pub prog: SlotMap,
}

fn finish(b: &CircuitBuilder) -> Result<Template, Error> {
    let circuit = b.build()?;
    Ok(Template {
        prog: SlotMap::compute(&circuit),
    })
}

/// The width of an op's result: 1 for predicates, ℓ otherwise.
pub(crate) fn result_width(op: Op, ring: Ring) -> usize {
    match op {
        Op::Eq
        | Op::Neq
        | Op::Lt
        | Op::Le
        | Op::Gt
        | Op::Ge
        | Op::BoolAnd
        | Op::BoolOr
        | Op::Not => 1,
        _ => ring.ell() as usize,
    }
}

impl Template {
    /// A2Y: the garbler's share word plus the evaluator's share word (ℓ − 1 ANDs).
    pub fn adder(ring: Ring) -> Result<Template, Error> {
        let l = ring.ell() as usize;
        let mut b = CircuitBuilder::new();
        let x = b.input(l);
        let y = b.input(l);
        let s = b.add(&x, &y);
        b.output(&s);
        finish(&b)
    }

    /// `op(a, b)` over ℓ bits; `same` means `b` is the same operand as `a` (one input).
    pub fn op(ring: Ring, op: Op, a: Shape, bs: Shape, same: bool) -> Result<Template, Error> {
        let l = ring.ell() as usize;
        let mut b = CircuitBuilder::new();
        let operand = |b: &mut CircuitBuilder, s: Shape| -> Word {
            match s {
                Shape::Labels(w) => {
                    let w = b.input(usize::from(w));
                    b.zero_extend(&w, l)
                }
                Shape::Public(v) => b.constant_word(v, l),
            }
        };
        let x = operand(&mut b, a);
        let y = if same { x.clone() } else { operand(&mut b, bs) };
        let out = build_op(&mut b, ring, op, &x, &y);
        b.output(&out);
        finish(&b)
    }
}

fn bit(w: Wire) -> Word {
    vec![w]
}

fn build_op(b: &mut CircuitBuilder, ring: Ring, op: Op, x: &[Wire], y: &[Wire]) -> Word {
    let l = ring.ell() as usize;
    match op {
        Op::Add => b.add(x, y),
        Op::Sub => b.sub(x, y),
        Op::Mul => b.mul(x, y),
        Op::Neg => b.neg(x),
        Op::Id => x.to_vec(),
        Op::BitNot => b.not_word(x),
        Op::Div | Op::IntDiv => b.sdiv(x, y),
        Op::Mod => b.srem(x, y),
        Op::Eq => bit(b.eq(x, y)),
        Op::Neq => bit(b.ne(x, y)),
        Op::Lt => bit(b.slt(x, y)),
        Op::Le => bit(b.sle(x, y)),
        Op::Gt => bit(b.sgt(x, y)),
        Op::Ge => bit(b.sge(x, y)),
        Op::Xor => b.xor_word(x, y),
        Op::BitAnd => b.and_word(x, y),
        Op::BitOr => b.or_word(x, y),
        Op::BoolAnd | Op::BoolOr => {
            let zx = b.is_zero(x);
            let zy = b.is_zero(y);
            let (nx, ny) = (b.inv(zx), b.inv(zy));
            bit(if op == Op::BoolAnd {
                b.and(nx, ny)
            } else {
                b.or(nx, ny)
            })
        }
        Op::Not => bit(b.is_zero(x)),
        Op::ShiftL => b.shl_var(x, y),
        Op::ShiftR => b.sar_var(x, y),
        Op::Pow => {
            // square-and-multiply over the ℓ exponent bits; with a public exponent the
            // builder folds the muxes and drops the unused squarings.
            let mut acc = b.constant_word(1, l);
            let mut base = x.to_vec();
            for (j, &e) in y.iter().enumerate() {
                let prod = b.mul(&acc, &base);
                acc = b.mux_word(e, &prod, &acc);
                if j + 1 < y.len() {
                    base = b.mul(&base, &base);
                }
            }
            acc
        }
    }
}
