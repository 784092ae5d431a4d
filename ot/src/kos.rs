//! The KOS15 consistency check (Keller–Orsini–Scholl, eprint 2015/546, Fig. 7 "Check
//! correlation"), which makes IKNP secure against a malicious receiver, with statistical
//! security σ = 40.
//!
//! Each extension call extends `κ + σ = 168` extra OTs (rounded up to a multiple of 128) with
//! random choice bits. After the receiver has sent every column of `u`, the sender draws a
//! fresh 128-bit seed and sends it; both expand it with the AES-CTR PRG into challenges
//! `χ_i ∈ GF(2^128)`, one per OT of the call. The receiver answers
//! `x = Σ χ_i·r_i` and `t = Σ χ_i·t_i`; the sender accepts iff `Σ χ_i·q_i = t ⊕ x·Δ`.
//! A receiver whose choice bits differ between columns passes with probability at most
//! `2^-σ` beyond what it learns about Δ (KOS15 Thm. 1); the extra random OTs hide `r` in `x`.
//!
//! Arithmetic is in GF(2^128) = GF(2)[X]/(X^128 + X^7 + X^2 + X + 1), bit `k` of a block the
//! coefficient of `X^k`. Products are accumulated unreduced (256 bits) with carry-less
//! multiplication (`pclmulqdq`, detected at run time, portable fallback) and reduced once.

use duet_core::{Block, Prg};

/// Statistical security parameter σ.
pub const SIGMA: usize = 40;
/// Extra OTs per call for the check: κ + σ.
pub const EXTRA: usize = 128 + SIGMA;

/// Carry-less 64 × 64 → 128-bit product, portable and branch-free.
fn clmul64(a: u64, b: u64) -> u128 {
    let mut r = 0u128;
    for i in 0..64 {
        let m = (((b >> i) & 1) as u128).wrapping_neg();
        r ^= ((a as u128) << i) & m;
    }
    r
}

/// Unreduced 256-bit product `(high, low)` of two field elements (portable).
pub fn mul_wide(a: Block, b: Block) -> (u128, u128) {
    let lo = clmul64(a.low(), b.low());
    let hi = clmul64(a.high(), b.high());
    let mid = clmul64(a.low(), b.high()) ^ clmul64(a.high(), b.low());
    (hi ^ (mid >> 64), lo ^ (mid << 64))
}

/// Reduce a 256-bit value modulo X^128 + X^7 + X^2 + X + 1.
pub fn reduce(hi: u128, lo: u128) -> Block {
    // X^128 ≡ X^7 + X^2 + X + 1: fold hi once (up to 135 bits), then fold the overflow.
    let over = (hi >> 127) ^ (hi >> 126) ^ (hi >> 121);
    let folded = hi ^ (hi << 1) ^ (hi << 2) ^ (hi << 7);
    let over2 = over ^ (over << 1) ^ (over << 2) ^ (over << 7);
    Block(lo ^ folded ^ over2)
}

/// Field multiplication.
pub fn gf_mul(a: Block, b: Block) -> Block {
    let (h, l) = mul_wide(a, b);
    reduce(h, l)
}

/// `Σ χ_i · x_i`, unreduced, portable.
fn inner_portable(chis: &[Block], xs: &[Block]) -> (u128, u128) {
    let (mut h, mut l) = (0u128, 0u128);
    for (c, x) in chis.iter().zip(xs) {
        let (a, b) = mul_wide(*c, *x);
        h ^= a;
        l ^= b;
    }
    (h, l)
}

#[cfg(target_arch = "x86_64")]
mod clmul {
    //! `pclmulqdq` inner product. Sound: the only caller checks
    //! `is_x86_feature_detected!("pclmulqdq")` before calling; loads go through safe slice
    //! iteration (no raw pointers).
    use duet_core::Block;
    use std::arch::x86_64::*;

    #[inline]
    #[target_feature(enable = "sse2")]
    fn load(b: Block) -> __m128i {
        _mm_set_epi64x(b.high() as i64, b.low() as i64)
    }

    #[target_feature(enable = "pclmulqdq,sse2")]
    pub(super) fn inner(chis: &[Block], xs: &[Block]) -> (u128, u128) {
        let mut lo = _mm_setzero_si128();
        let mut hi = _mm_setzero_si128();
        let mut mid = _mm_setzero_si128();
        for (c, x) in chis.iter().zip(xs) {
            let (a, b) = (load(*c), load(*x));
            lo = _mm_xor_si128(lo, _mm_clmulepi64_si128::<0x00>(a, b));
            hi = _mm_xor_si128(hi, _mm_clmulepi64_si128::<0x11>(a, b));
            mid = _mm_xor_si128(mid, _mm_clmulepi64_si128::<0x01>(a, b));
            mid = _mm_xor_si128(mid, _mm_clmulepi64_si128::<0x10>(a, b));
        }
        let f = |v: __m128i| {
            let mut o = [0u8; 16];
            // SAFETY: `o` is 16 writable bytes.
            unsafe { _mm_storeu_si128(o.as_mut_ptr().cast(), v) };
            u128::from_le_bytes(o)
        };
        let (lo, hi, mid) = (f(lo), f(hi), f(mid));
        (hi ^ (mid >> 64), lo ^ (mid << 64))
    }
}

/// `Σ χ_i · x_i` (unreduced) over equally long slices, using `pclmulqdq` when available.
pub fn inner_product(chis: &[Block], xs: &[Block]) -> (u128, u128) {
    assert_eq!(chis.len(), xs.len(), "inner_product: lengths differ");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("pclmulqdq") {
        // SAFETY: the CPU supports pclmulqdq (checked just above); SSE2 is baseline x86_64.
        return unsafe { clmul::inner(chis, xs) };
    }
    inner_portable(chis, xs)
}

/// Running sums of one party's side of the check over a call's OTs.
pub struct Check {
    chis: Prg,
    buf: Vec<Block>,
    hi: u128,
    lo: u128,
    x: Block,
}

impl Check {
    /// Start a check with the challenge seed.
    pub fn new(seed: Block) -> Self {
        Check {
            chis: Prg::new(seed),
            buf: vec![Block::ZERO; 1024],
            hi: 0,
            lo: 0,
            x: Block::ZERO,
        }
    }

    /// Absorb the next rows (in OT order): `Σ χ_i·rows_i`, and if `bits` is given
    /// (receiver: packed choice bits of these rows, `rows.len()` a multiple of 128 except at
    /// the end) `x ^= χ_i` for every set bit.
    pub fn absorb(&mut self, rows: &[Block], bits: Option<&[Block]>) {
        for (k, chunk) in rows.chunks(1024).enumerate() {
            let chis = &mut self.buf[..chunk.len()];
            self.chis.fill_blocks(chis);
            let (h, l) = inner_product(chis, chunk);
            self.hi ^= h;
            self.lo ^= l;
            if let Some(bits) = bits {
                // chunks start at multiples of 1024, so 128-row groups align with bit blocks
                let base = k * (1024 / 128);
                for (w, cs) in chis.chunks(128).enumerate() {
                    let word = bits[base + w].0;
                    let mut acc = Block::ZERO;
                    for (j, c) in cs.iter().enumerate() {
                        acc ^= *c & Block::mask((word >> j) & 1 == 1);
                    }
                    self.x ^= acc;
                }
            }
        }
    }

    /// Receiver's answer `(x, t)`.
    pub fn receiver_answer(&self) -> (Block, Block) {
        (self.x, reduce(self.hi, self.lo))
    }

    /// Sender's verdict: `Σ χ_i·q_i == t ⊕ x·Δ` (constant-time comparison).
    pub fn sender_accepts(&self, delta: Block, x: Block, t: Block) -> bool {
        use subtle::ConstantTimeEq;
        let q = reduce(self.hi, self.lo);
        q.ct_eq(&(t ^ gf_mul(x, delta))).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_laws_and_clmul_agrees() {
        let mut rng = rand::rng();
        let xs: Vec<Block> = (0..300).map(|_| Block::random(&mut rng)).collect();
        let ys: Vec<Block> = (0..300).map(|_| Block::random(&mut rng)).collect();
        assert_eq!(inner_product(&xs, &ys), inner_portable(&xs, &ys));
        let (a, b, c) = (xs[0], xs[1], xs[2]);
        assert_eq!(gf_mul(a, b), gf_mul(b, a));
        assert_eq!(gf_mul(a, b ^ c), gf_mul(a, b) ^ gf_mul(a, c));
        assert_eq!(gf_mul(gf_mul(a, b), c), gf_mul(a, gf_mul(b, c)));
        assert_eq!(gf_mul(a, Block::ONE), a);
        // X^127 · X = X^128 = X^7 + X^2 + X + 1.
        assert_eq!(gf_mul(Block(1 << 127), Block(2)), Block(0x87));
    }
}
