//! Arithmetic gadgets: add, sub, neg, mul (low bits), popcount.
//!
//! All adders are ripple-carry with the one-AND full-adder carry
//! `c' = c ^ ((a ^ c) & (b ^ c))` (free-XOR; see e.g. Kolesnikov–Sadeghi–Schneider 2009).
//! Constant folding in [`CircuitBuilder::and`]/[`CircuitBuilder::xor`] removes the ANDs
//! that involve a constant carry-in or a constant operand.

use super::{CircuitBuilder, Wire, Word};

pub(super) fn same_width(what: &str, a: &[Wire], b: &[Wire]) {
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: operand widths differ ({} vs {})",
        a.len(),
        b.len()
    );
}

impl CircuitBuilder {
    /// The full-adder carry `maj(a, b, c)` = `c ^ ((a ^ c) & (b ^ c))`: 1 AND.
    pub fn carry(&mut self, a: Wire, b: Wire, c: Wire) -> Wire {
        let x = self.xor(a, c);
        let y = self.xor(b, c);
        let t = self.and(x, y);
        self.xor(c, t)
    }

    /// `a + b + cin` over ℓ = `a.len()` bits (equal widths): the ℓ-bit sum and the carry out.
    /// ℓ ANDs (ℓ − 1 if the carry out is unused; fewer when `cin` or operand bits are
    /// constants).
    pub fn add_with_carry(&mut self, a: &[Wire], b: &[Wire], cin: Wire) -> (Word, Wire) {
        same_width("add_with_carry", a, b);
        let mut c = cin;
        let mut sum = Vec::with_capacity(a.len());
        for (&x, &y) in a.iter().zip(b) {
            let t = self.xor(x, y);
            sum.push(self.xor(t, c));
            c = self.carry(x, y, c);
        }
        (sum, c)
    }

    /// `a + b mod 2^ℓ` (equal widths): ℓ − 1 ANDs (adder64: 63).
    pub fn add(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        let zero = self.constant(false);
        self.add_with_carry(a, b, zero).0
    }

    /// `a − b mod 2^ℓ` (equal widths) = `a + !b + 1`: ℓ − 1 ANDs (sub64: 63).
    pub fn sub(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        self.sub_with_borrow(a, b).0
    }

    /// `a − b mod 2^ℓ` and the unsigned borrow (`a < b`): ℓ ANDs.
    pub fn sub_with_borrow(&mut self, a: &[Wire], b: &[Wire]) -> (Word, Wire) {
        same_width("sub", a, b);
        let nb = self.not_word(b);
        let one = self.constant(true);
        let (d, c) = self.add_with_carry(a, &nb, one);
        let borrow = self.inv(c);
        (d, borrow)
    }

    /// `−a mod 2^ℓ` = `!a + 1`: ℓ − 2 ANDs for ℓ ≥ 2, 0 for ℓ ≤ 2 (neg64: 62).
    pub fn neg(&mut self, a: &[Wire]) -> Word {
        let na = self.not_word(a);
        let zero = self.constant_word(0, a.len());
        let one = self.constant(true);
        self.add_with_carry(&na, &zero, one).0
    }

    /// `s ? −a : a` (mod 2^ℓ) = `(a ^ s) + s`: ℓ − 1 ANDs.
    pub fn cond_neg(&mut self, a: &[Wire], s: Wire) -> Word {
        let y: Word = a.iter().map(|&x| self.xor(x, s)).collect();
        let zero = self.constant_word(0, a.len());
        self.add_with_carry(&y, &zero, s).0
    }

    /// `|a|` of a two's-complement ℓ-bit word, as an unsigned ℓ-bit word (|MIN| = 2^(ℓ−1)):
    /// ℓ − 1 ANDs.
    pub fn abs(&mut self, a: &[Wire]) -> Word {
        match a.last() {
            Some(&s) => self.cond_neg(a, s),
            None => Vec::new(),
        }
    }

    /// `a · b mod 2^ℓ` (equal widths), schoolbook: partial products `a · b_i` only for the
    /// bits below ℓ and ripple adds of only the needed high bits:
    /// ℓ(ℓ+1)/2 + (ℓ−1)(ℓ−2)/2 ANDs = ℓ² − ℓ + 1 (ℓ = 64: 4033, like mult64).
    pub fn mul(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        same_width("mul", a, b);
        let l = a.len();
        if l == 0 {
            return Vec::new();
        }
        let mut acc: Word = a.iter().map(|&x| self.and(x, b[0])).collect();
        for i in 1..l {
            let pp: Word = a[..l - i].iter().map(|&x| self.and(x, b[i])).collect();
            let s = self.add(&acc[i..], &pp);
            acc[i..].copy_from_slice(&s);
        }
        acc
    }

    /// The number of 1 bits of `a`, as a word of `bit_length(ℓ)` = ⌈log2(ℓ+1)⌉ bits.
    /// Column compression with full adders (1 AND each) and half adders (1 AND each):
    /// ℓ − H(ℓ) ANDs, H = Hamming weight (ℓ = 64: 63), the optimum of Boyar–Peralta
    /// ("The exact multiplicative complexity of the Hamming weight function", 2005).
    pub fn popcount(&mut self, a: &[Wire]) -> Word {
        let l = a.len();
        let width = (usize::BITS - l.leading_zeros()) as usize;
        let mut cols: Vec<std::collections::VecDeque<Wire>> = vec![Default::default(); width];
        if width > 0 {
            cols[0].extend(a.iter().copied());
        }
        let mut out = Vec::with_capacity(width);
        for k in 0..width {
            loop {
                let n = cols[k].len();
                if n >= 3 {
                    let x = cols[k].pop_front().expect("n >= 3");
                    let y = cols[k].pop_front().expect("n >= 3");
                    let z = cols[k].pop_front().expect("n >= 3");
                    let t = self.xor(x, y);
                    let s = self.xor(t, z);
                    let c = self.carry(x, y, z);
                    cols[k].push_back(s);
                    if k + 1 < width {
                        cols[k + 1].push_back(c);
                    }
                } else if n == 2 {
                    let x = cols[k].pop_front().expect("n == 2");
                    let y = cols[k].pop_front().expect("n == 2");
                    let s = self.xor(x, y);
                    let c = self.and(x, y);
                    cols[k].push_back(s);
                    if k + 1 < width {
                        cols[k + 1].push_back(c);
                    }
                } else {
                    break;
                }
            }
            let bit = match cols[k].pop_front() {
                Some(w) => w,
                None => self.constant(false),
            };
            out.push(bit);
        }
        out
    }
}
