//! Division gadgets: unsigned and signed (truncating) quotient and remainder.
//!
//! Restoring division, one quotient bit per step from the top. At step s (s = 0..ℓ) the
//! partial remainder `r' = 2r + a_{ℓ−1−s}` has only s + 1 significant bits, so the step
//! compares and subtracts on s + 1 bits only and checks separately that the divisor's bits
//! above s are zero (a suffix OR of the divisor, computed once).
//!
//! Division by zero follows RISC-V (and so circom's integer semantics via the hybrid layer):
//! `x / 0` = all ones (unsigned 2^ℓ − 1, signed −1), `x % 0 = x`; signed overflow
//! `MIN / −1 = MIN`, `MIN % −1 = 0`. Signed division truncates toward zero and the remainder
//! has the sign of the dividend.

use super::arith::same_width;
use super::{CircuitBuilder, Wire, Word};

impl CircuitBuilder {
    /// Unsigned quotient and remainder plus the wire "divisor ≠ 0".
    fn udivrem_inner(&mut self, a: &[Wire], b: &[Wire]) -> (Word, Word, Wire) {
        same_width("div", a, b);
        let l = a.len();
        let zero = self.constant(false);
        let one = self.constant(true);
        if l == 0 {
            return (Vec::new(), Vec::new(), zero);
        }
        // nz[s] = OR of b[s+1..l]
        let mut nz = vec![zero; l];
        for s in (0..l - 1).rev() {
            nz[s] = self.or(nz[s + 1], b[s + 1]);
        }
        let b_nonzero = self.or(nz[0], b[0]);
        let mut q = vec![zero; l];
        let mut r: Word = Vec::new();
        for s in 0..l {
            let i = l - 1 - s;
            let mut rp = Vec::with_capacity(s + 1);
            rp.push(a[i]);
            rp.extend_from_slice(&r);
            let nb = self.not_word(&b[..=s]);
            let (d, no_borrow) = self.add_with_carry(&rp, &nb, one);
            let hz = self.inv(nz[s]);
            let take = self.and(no_borrow, hz);
            q[i] = take;
            r = self.mux_word(take, &d, &rp);
        }
        (q, r, b_nonzero)
    }

    /// Unsigned `(a / b, a % b)` (equal widths); `b = 0` gives `(2^ℓ − 1, a)`.
    /// ℓ² + 3ℓ − 3 ANDs for ℓ ≥ 2 (ℓ = 64: 4285).
    pub fn udivrem(&mut self, a: &[Wire], b: &[Wire]) -> (Word, Word) {
        let (q, r, _) = self.udivrem_inner(a, b);
        (q, r)
    }

    /// Unsigned `a / b` (equal widths); `a / 0 = 2^ℓ − 1`. ℓ² + 2ℓ − 3 ANDs for ℓ ≥ 2
    /// (ℓ = 64: 4221).
    pub fn udiv(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        self.udivrem(a, b).0
    }

    /// Unsigned `a % b` (equal widths); `a % 0 = a`. As [`Self::udivrem`].
    pub fn urem(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        self.udivrem(a, b).1
    }

    /// Signed (two's complement) `(a / b, a % b)` truncating toward zero (equal widths);
    /// `a / 0 = −1`, `a % 0 = a`, `MIN / −1 = MIN`, `MIN % −1 = 0` (RISC-V semantics).
    /// The unsigned core on |a|, |b| plus four conditional negations (ℓ − 1 ANDs each) and
    /// 2 ANDs for the quotient's sign: ℓ² + 7ℓ − 5 for ℓ ≥ 2 (ℓ = 64: 4539; `sdiv` alone
    /// ℓ² + 5ℓ − 4 = 4412, `srem` alone ℓ² + 6ℓ − 6 = 4474).
    pub fn sdivrem(&mut self, a: &[Wire], b: &[Wire]) -> (Word, Word) {
        same_width("sdiv", a, b);
        let l = a.len();
        if l == 0 {
            return (Vec::new(), Vec::new());
        }
        let (sa, sb) = (a[l - 1], b[l - 1]);
        let ua = self.cond_neg(a, sa);
        let ub = self.cond_neg(b, sb);
        let (uq, ur, b_nonzero) = self.udivrem_inner(&ua, &ub);
        let sign = self.xor(sa, sb);
        let qs = self.and(sign, b_nonzero);
        let q = self.cond_neg(&uq, qs);
        let r = self.cond_neg(&ur, sa);
        (q, r)
    }

    /// Signed `a / b` truncating toward zero (equal widths); semantics as [`Self::sdivrem`].
    pub fn sdiv(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        self.sdivrem(a, b).0
    }

    /// Signed `a % b` (sign of the dividend; equal widths); semantics as [`Self::sdivrem`].
    pub fn srem(&mut self, a: &[Wire], b: &[Wire]) -> Word {
        self.sdivrem(a, b).1
    }
}
