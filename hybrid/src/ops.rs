//! The ops of circom-2-arithc / summon arithmetic circuits and their plaintext semantics
//! over Z_2^ℓ, exactly as `tests/data/arith/README.md` ("Semantics") defines them.

use crate::Ring;

/// An arithmetic-circuit op. `AExp` parses to [`Op::Pow`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Op {
    Add,
    Sub,
    Mul,
    Div,
    IntDiv,
    Mod,
    Pow,
    Eq,
    Neq,
    Lt,
    Le,
    Gt,
    Ge,
    Xor,
    BitAnd,
    BitOr,
    BoolAnd,
    BoolOr,
    ShiftL,
    ShiftR,
    /// `AUnarySub`: −x.
    Neg,
    /// `AUnaryAdd`: x.
    Id,
    /// `ANot`: x == 0.
    Not,
    /// `ABitNot`: bitwise not on ℓ bits.
    BitNot,
}

impl Op {
    /// Every op, for tests and generators.
    pub const ALL: [Op; 24] = [
        Op::Add,
        Op::Sub,
        Op::Mul,
        Op::Div,
        Op::IntDiv,
        Op::Mod,
        Op::Pow,
        Op::Eq,
        Op::Neq,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::Xor,
        Op::BitAnd,
        Op::BitOr,
        Op::BoolAnd,
        Op::BoolOr,
        Op::ShiftL,
        Op::ShiftR,
        Op::Neg,
        Op::Id,
        Op::Not,
        Op::BitNot,
    ];

    /// The op named `name` in a `circuit.txt` gate line (`AAdd`, `AExp`, …).
    pub fn from_name(name: &str) -> Option<Op> {
        Some(match name {
            "AAdd" => Op::Add,
            "ASub" => Op::Sub,
            "AMul" => Op::Mul,
            "ADiv" => Op::Div,
            "AIntDiv" => Op::IntDiv,
            "AMod" => Op::Mod,
            "APow" | "AExp" => Op::Pow,
            "AEq" => Op::Eq,
            "ANeq" => Op::Neq,
            "ALt" => Op::Lt,
            "ALEq" => Op::Le,
            "AGt" => Op::Gt,
            "AGEq" => Op::Ge,
            "AXor" => Op::Xor,
            "ABitAnd" => Op::BitAnd,
            "ABitOr" => Op::BitOr,
            "ABoolAnd" => Op::BoolAnd,
            "ABoolOr" => Op::BoolOr,
            "AShiftL" => Op::ShiftL,
            "AShiftR" => Op::ShiftR,
            "AUnarySub" => Op::Neg,
            "AUnaryAdd" => Op::Id,
            "ANot" => Op::Not,
            "ABitNot" => Op::BitNot,
            _ => return None,
        })
    }

    /// The canonical `circuit.txt` name (`APow` for [`Op::Pow`]).
    pub fn name(self) -> &'static str {
        match self {
            Op::Add => "AAdd",
            Op::Sub => "ASub",
            Op::Mul => "AMul",
            Op::Div => "ADiv",
            Op::IntDiv => "AIntDiv",
            Op::Mod => "AMod",
            Op::Pow => "APow",
            Op::Eq => "AEq",
            Op::Neq => "ANeq",
            Op::Lt => "ALt",
            Op::Le => "ALEq",
            Op::Gt => "AGt",
            Op::Ge => "AGEq",
            Op::Xor => "AXor",
            Op::BitAnd => "ABitAnd",
            Op::BitOr => "ABitOr",
            Op::BoolAnd => "ABoolAnd",
            Op::BoolOr => "ABoolOr",
            Op::ShiftL => "AShiftL",
            Op::ShiftR => "AShiftR",
            Op::Neg => "AUnarySub",
            Op::Id => "AUnaryAdd",
            Op::Not => "ANot",
            Op::BitNot => "ABitNot",
        }
    }

    /// Number of input wires (1 or 2).
    pub fn arity(self) -> usize {
        match self {
            Op::Neg | Op::Id | Op::Not | Op::BitNot => 1,
            _ => 2,
        }
    }

    /// Ops that are linear over Z_2^ℓ and free on additive shares.
    pub fn is_linear(self) -> bool {
        matches!(self, Op::Add | Op::Sub | Op::Neg | Op::Id)
    }

    /// `a OP b` over `ring` (`b` ignored by 1-input ops). Inputs must be reduced.
    pub fn apply(self, ring: Ring, a: u64, b: u64) -> u64 {
        let m = ring.mask();
        let sa = ring.to_signed(a);
        let sb = ring.to_signed(b);
        let ell = u64::from(ring.ell());
        let r = match self {
            Op::Add => a.wrapping_add(b),
            Op::Sub => a.wrapping_sub(b),
            Op::Mul => a.wrapping_mul(b),
            Op::Div | Op::IntDiv => {
                if b == 0 {
                    u64::MAX
                } else {
                    // i64 wrapping_div: MIN / −1 = MIN at ℓ = 64; at ℓ < 64 the quotient
                    // 2^(ℓ−1) reduces to the ring's MIN as well.
                    sa.wrapping_div(sb) as u64
                }
            }
            Op::Mod => {
                if b == 0 {
                    a
                } else {
                    sa.wrapping_rem(sb) as u64
                }
            }
            Op::Pow => pow(a, b, m),
            Op::Eq => u64::from(a == b),
            Op::Neq => u64::from(a != b),
            Op::Lt => u64::from(sa < sb),
            Op::Le => u64::from(sa <= sb),
            Op::Gt => u64::from(sa > sb),
            Op::Ge => u64::from(sa >= sb),
            Op::Xor => a ^ b,
            Op::BitAnd => a & b,
            Op::BitOr => a | b,
            Op::BoolAnd => u64::from(a != 0 && b != 0),
            Op::BoolOr => u64::from(a != 0 || b != 0),
            Op::ShiftL => {
                if b >= ell {
                    0
                } else {
                    a << b
                }
            }
            Op::ShiftR => {
                if b >= ell {
                    if sa < 0 { u64::MAX } else { 0 }
                } else {
                    (sa >> b) as u64
                }
            }
            Op::Neg => a.wrapping_neg(),
            Op::Id => a,
            Op::Not => u64::from(a == 0),
            Op::BitNot => !a,
        };
        r & m
    }
}

/// `x^y mod 2^ℓ` by square-and-multiply, `y` unsigned.
fn pow(x: u64, mut y: u64, mask: u64) -> u64 {
    let mut base = x;
    let mut acc = 1u64;
    while y != 0 {
        if y & 1 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        y >>= 1;
    }
    acc & mask
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exhaustive ℓ = 8 check against i8/u8 wrapping arithmetic.
    #[test]
    fn ell8_matches_i8() {
        let r = Ring::new(8).unwrap();
        for a in 0..=255u64 {
            for b in 0..=255u64 {
                let (x, y) = (a as u8 as i8, b as u8 as i8);
                let e = |v: i8| u64::from(v as u8);
                assert_eq!(Op::Add.apply(r, a, b), e(x.wrapping_add(y)));
                assert_eq!(Op::Mul.apply(r, a, b), e(x.wrapping_mul(y)));
                let q = if y == 0 { -1 } else { x.wrapping_div(y) };
                assert_eq!(Op::Div.apply(r, a, b), e(q));
                let m = if y == 0 { x } else { x.wrapping_rem(y) };
                assert_eq!(Op::Mod.apply(r, a, b), e(m));
                assert_eq!(Op::Lt.apply(r, a, b), u64::from(x < y));
                let shr = if b >= 8 {
                    if x < 0 { -1 } else { 0 }
                } else {
                    x >> b
                };
                assert_eq!(Op::ShiftR.apply(r, a, b), e(shr));
                let shl = if b >= 8 {
                    0
                } else {
                    (a as u8).wrapping_shl(b as u32)
                };
                assert_eq!(Op::ShiftL.apply(r, a, b), u64::from(shl));
                let mut p = 1u8;
                for _ in 0..b {
                    p = p.wrapping_mul(a as u8);
                }
                assert_eq!(Op::Pow.apply(r, a, b), u64::from(p));
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for op in Op::ALL {
            assert_eq!(Op::from_name(op.name()), Some(op));
        }
        assert_eq!(Op::from_name("AExp"), Some(Op::Pow));
        assert_eq!(Op::from_name("AFoo"), None);
    }
}
