//! Bitwise gadgets: and/or/xor/not on words, shifts and rotations by constants (free),
//! shifts by a secret amount (barrel shifter), zero/sign extension.

use super::arith::same_width;
use super::{CircuitBuilder, Wire, Word};

/// Which shift a barrel shifter performs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shift {
    Shl,
    Shr,
    Sar,
}

impl CircuitBuilder {
    /// Bitwise `a ^ b` (equal widths): 0 ANDs.
    pub fn xor_word(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        same_width("xor_word", a, b);
        a.iter().zip(b).map(|(&x, &y)| self.xor(x, y)).collect()
    }

    /// Bitwise `a & b` (equal widths): ℓ ANDs.
    pub fn and_word(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        same_width("and_word", a, b);
        a.iter().zip(b).map(|(&x, &y)| self.and(x, y)).collect()
    }

    /// Bitwise `a | b` (equal widths): ℓ ANDs.
    pub fn or_word(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        same_width("or_word", a, b);
        a.iter().zip(b).map(|(&x, &y)| self.or(x, y)).collect()
    }

    /// Bitwise `!a`: 0 ANDs (one INV per bit, shared with any earlier negation).
    pub fn not_word(&mut self, a: &[Wire]) -> Word {
        a.iter().map(|&x| self.inv(x)).collect()
    }

    /// `a << n` (logical, ℓ bits kept; n ≥ ℓ gives 0): 0 ANDs.
    pub fn shl(&mut self, a: &[Wire], n: usize) -> Word {
        let zero = self.constant(false);
        (0..a.len())
            .map(|i| if i >= n { a[i - n] } else { zero })
            .collect()
    }

    /// `a >> n` logical (zero fill; n ≥ ℓ gives 0): 0 ANDs.
    pub fn shr(&mut self, a: &[Wire], n: usize) -> Word {
        let zero = self.constant(false);
        self.shift_right_fill(a, n, zero)
    }

    /// `a >> n` arithmetic (sign fill; n ≥ ℓ gives all sign bits): 0 ANDs.
    pub fn sar(&mut self, a: &[Wire], n: usize) -> Word {
        match a.last() {
            Some(&s) => self.shift_right_fill(a, n, s),
            None => Vec::new(),
        }
    }

    fn shift_right_fill(&mut self, a: &[Wire], n: usize, fill: Wire) -> Word {
        (0..a.len())
            .map(|i| match i.checked_add(n) {
                Some(j) if j < a.len() => a[j],
                _ => fill,
            })
            .collect()
    }

    /// Rotate left by `n` (mod ℓ): bit i of the result is bit (i − n) mod ℓ of `a`. 0 ANDs.
    pub fn rotl(&mut self, a: &[Wire], n: usize) -> Word {
        let l = a.len();
        if l == 0 {
            return Vec::new();
        }
        let n = n % l;
        (0..l).map(|i| a[(i + l - n) % l]).collect()
    }

    /// Rotate right by `n` (mod ℓ). 0 ANDs.
    pub fn rotr(&mut self, a: &[Wire], n: usize) -> Word {
        let l = a.len();
        if l == 0 {
            return Vec::new();
        }
        self.rotl(a, l - n % l)
    }

    /// `a` zero-extended (or truncated) to `width` bits: 0 ANDs.
    pub fn zero_extend(&mut self, a: &[Wire], width: usize) -> Word {
        let zero = self.constant(false);
        (0..width)
            .map(|i| a.get(i).copied().unwrap_or(zero))
            .collect()
    }

    /// `a` sign-extended (or truncated) to `width` bits: 0 ANDs. An empty `a` extends to 0.
    pub fn sign_extend(&mut self, a: &[Wire], width: usize) -> Word {
        let fill = match a.last() {
            Some(&s) => s,
            None => self.constant(false),
        };
        (0..width)
            .map(|i| a.get(i).copied().unwrap_or(fill))
            .collect()
    }

    /// `a << amt` for a secret unsigned amount `amt` (any width); amounts ≥ ℓ give 0.
    /// Barrel shifter: ℓ ANDs per amount bit j with 2^j < ℓ (⌈log2 ℓ⌉ stages when `amt` is
    /// wide enough), plus, if `amt` has h bits of weight ≥ ℓ, h − 1 + ℓ ANDs for the
    /// overflow. ℓ = 64 with a 64-bit amount: 6·64 + 57 + 64 = 505.
    pub fn shl_var(&mut self, a: &[Wire], amt: &[Wire]) -> Word {
        self.barrel(a, amt, Shift::Shl)
    }

    /// `a >> amt` logical for a secret amount (amounts ≥ ℓ give 0). ANDs as [`Self::shl_var`].
    pub fn shr_var(&mut self, a: &[Wire], amt: &[Wire]) -> Word {
        self.barrel(a, amt, Shift::Shr)
    }

    /// `a >> amt` arithmetic for a secret amount (amounts ≥ ℓ give all sign bits). ANDs as
    /// [`Self::shl_var`].
    pub fn sar_var(&mut self, a: &[Wire], amt: &[Wire]) -> Word {
        self.barrel(a, amt, Shift::Sar)
    }

    fn barrel(&mut self, a: &[Wire], amt: &[Wire], kind: Shift) -> Word {
        let l = a.len();
        if l == 0 {
            return Vec::new();
        }
        let fill = match kind {
            Shift::Sar => a[l - 1],
            _ => self.constant(false),
        };
        let mut x = a.to_vec();
        let mut high = Vec::new();
        for (j, &bit) in amt.iter().enumerate() {
            let step = if j < usize::BITS as usize - 1 {
                1usize << j
            } else {
                usize::MAX
            };
            if step < l {
                let shifted = match kind {
                    Shift::Shl => self.shl(&x, step),
                    Shift::Shr | Shift::Sar => self.shift_right_fill(&x, step, fill),
                };
                x = self.mux_word(bit, &shifted, &x);
            } else {
                high.push(bit);
            }
        }
        if !high.is_empty() {
            let over = self.or_reduce(&high);
            let fills = vec![fill; l];
            x = self.mux_word(over, &fills, &x);
        }
        x
    }
}
