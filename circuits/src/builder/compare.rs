//! Comparison gadgets: unsigned and signed lt/le/gt/ge, eq/ne, is_zero, word mux, min/max.
//!
//! The comparator is the carry out of `a + !b + 1` (= `a ≥ b` unsigned), one AND per bit
//! (Kolesnikov–Sadeghi–Schneider 2009). Signed comparisons flip both sign bits first (free).

use super::arith::same_width;
use super::{CircuitBuilder, Wire, Word};

impl CircuitBuilder {
    /// Unsigned `a ≥ b` (equal widths): ℓ ANDs. For ℓ = 0: true.
    pub fn uge(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        same_width("compare", a, b);
        let mut c = self.constant(true);
        for (&x, &y) in a.iter().zip(b) {
            let ny = self.inv(y);
            c = self.carry(x, ny, c);
        }
        c
    }

    /// Unsigned `a < b` (equal widths): ℓ ANDs.
    pub fn ult(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        let c = self.uge(a, b);
        self.inv(c)
    }

    /// Unsigned `a > b` (equal widths): ℓ ANDs.
    pub fn ugt(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        self.ult(b, a)
    }

    /// Unsigned `a ≤ b` (equal widths): ℓ ANDs.
    pub fn ule(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        self.uge(b, a)
    }

    fn flip_sign(&mut self, a: &[Wire]) -> Word {
        let mut v = a.to_vec();
        if let Some(s) = v.last_mut() {
            *s = self.inv(*s);
        }
        v
    }

    /// Signed (two's complement) `a ≥ b` (equal widths): ℓ ANDs.
    pub fn sge(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        let a = self.flip_sign(a);
        let b = self.flip_sign(b);
        self.uge(&a, &b)
    }

    /// Signed `a < b` (equal widths): ℓ ANDs.
    pub fn slt(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        let c = self.sge(a, b);
        self.inv(c)
    }

    /// Signed `a > b` (equal widths): ℓ ANDs.
    pub fn sgt(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        self.slt(b, a)
    }

    /// Signed `a ≤ b` (equal widths): ℓ ANDs.
    pub fn sle(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        self.sge(b, a)
    }

    /// OR of all bits (balanced tree): ℓ − 1 ANDs; false for ℓ = 0.
    pub fn or_reduce(&mut self, a: &[Wire]) -> Wire {
        self.reduce(a, false)
    }

    /// AND of all bits (balanced tree): ℓ − 1 ANDs; true for ℓ = 0.
    pub fn and_reduce(&mut self, a: &[Wire]) -> Wire {
        self.reduce(a, true)
    }

    fn reduce(&mut self, a: &[Wire], is_and: bool) -> Wire {
        if a.is_empty() {
            return self.constant(is_and);
        }
        let mut layer = a.to_vec();
        while layer.len() > 1 {
            let mut next = Vec::with_capacity(layer.len().div_ceil(2));
            for pair in layer.chunks(2) {
                next.push(match pair {
                    [x, y] if is_and => self.and(*x, *y),
                    [x, y] => self.or(*x, *y),
                    [x] => *x,
                    _ => unreachable!("chunks(2)"),
                });
            }
            layer = next;
        }
        layer[0]
    }

    /// `a == 0`: ℓ − 1 ANDs (zero_equal: 63).
    pub fn is_zero(&mut self, a: &[Wire]) -> Wire {
        let o = self.or_reduce(a);
        self.inv(o)
    }

    /// `a != b` (equal widths): ℓ − 1 ANDs.
    pub fn ne(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        same_width("eq", a, b);
        let d = self.xor_word(a, b);
        self.or_reduce(&d)
    }

    /// `a == b` (equal widths): ℓ − 1 ANDs.
    pub fn eq(&mut self, a: &[Wire], b: &[Wire]) -> Wire {
        let n = self.ne(a, b);
        self.inv(n)
    }

    /// `sel ? a : b` bitwise (equal widths) = `b ^ (sel & (a ^ b))`: ℓ ANDs.
    pub fn mux_word(&mut self, sel: Wire, a: &[Wire], b: &[Wire]) -> Word {
        same_width("mux_word", a, b);
        a.iter()
            .zip(b)
            .map(|(&x, &y)| self.mux(sel, x, y))
            .collect()
    }

    /// Unsigned minimum (equal widths): 2ℓ ANDs.
    pub fn umin(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        let lt = self.ult(a, b);
        self.mux_word(lt, a, b)
    }

    /// Unsigned maximum (equal widths): 2ℓ ANDs.
    pub fn umax(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        let lt = self.ult(a, b);
        self.mux_word(lt, b, a)
    }

    /// Signed minimum (equal widths): 2ℓ ANDs.
    pub fn smin(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        let lt = self.slt(a, b);
        self.mux_word(lt, a, b)
    }

    /// Signed maximum (equal widths): 2ℓ ANDs.
    pub fn smax(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        let lt = self.slt(a, b);
        self.mux_word(lt, b, a)
    }
}
