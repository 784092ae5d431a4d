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
//! Arithmetic is in `GF(2^128) = GF(2)[X]/(X^128 + X^7 + X^2 + X + 1)`, bit `k` of a block the
//! coefficient of `X^k`. Products are accumulated unreduced (256 bits) with carry-less
//! multiplication (`vpclmulqdq` on 256-bit registers, two products per instruction, or
//! `pclmulqdq`, detected at run time; portable fallback) and reduced once. The receiver's
//! `x` is summed with AVX2 lane masks built from its packed choice bits (no per-bit branch
//! or 128-bit shift). Both parties absorb their rows at the same time (the sender right
//! after sending the seed), so the check costs one pass over the rows, not two in a row.

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
    //! Carry-less inner products and the lane-mask sum. Sound: `inner_product` calls
    //! `inner` after detecting pclmulqdq and `inner_wide` after detecting pclmulqdq,
    //! vpclmulqdq and AVX2; `select_sum` is called after detecting AVX2. Memory is read
    //! through bounds-checked slices only (`crate::ymm::load2` takes exactly two blocks).
    use crate::ymm::load2;
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

    /// XOR of the two 128-bit lanes as a `u128`.
    #[inline]
    #[target_feature(enable = "avx2")]
    fn fold(v: __m256i) -> u128 {
        let x = _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256::<1>(v));
        let mut o = [0u8; 16];
        // SAFETY: `o` is 16 writable bytes.
        unsafe { _mm_storeu_si128(o.as_mut_ptr().cast(), x) };
        u128::from_le_bytes(o)
    }

    /// [`inner`] two products per instruction (`vpclmulqdq` on 256-bit registers).
    #[target_feature(enable = "pclmulqdq,sse2,avx2,vpclmulqdq")]
    pub(super) fn inner_wide(chis: &[Block], xs: &[Block]) -> (u128, u128) {
        let z = _mm256_setzero_si256();
        let (mut lo, mut hi, mut mid) = (z, z, z);
        let (cs, xs2) = (chis.chunks_exact(2), xs.chunks_exact(2));
        let (cr, xr) = (cs.remainder(), xs2.remainder());
        for (c, x) in cs.zip(xs2) {
            let (a, b) = (load2(c), load2(x));
            lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128::<0x00>(a, b));
            hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128::<0x11>(a, b));
            let m = _mm256_xor_si256(
                _mm256_clmulepi64_epi128::<0x01>(a, b),
                _mm256_clmulepi64_epi128::<0x10>(a, b),
            );
            mid = _mm256_xor_si256(mid, m);
        }
        let (lo, hi, mid) = (fold(lo), fold(hi), fold(mid));
        let (th, tl) = inner(cr, xr);
        (hi ^ (mid >> 64) ^ th, lo ^ (mid << 64) ^ tl)
    }

    /// `⊕_j bit_j(word)·χ_j` over 128 challenges, branch-free: lane masks from comparing
    /// the broadcast word against the lanes' bit positions.
    #[target_feature(enable = "avx2")]
    pub(super) fn select_sum(chis: &[Block], word: u128) -> u128 {
        let chis: &[Block; 128] = chis.try_into().expect("128 challenges");
        let mut acc = _mm256_setzero_si256();
        for (half, cs) in chis.chunks_exact(64).enumerate() {
            let w = _mm256_set1_epi64x((word >> (64 * half)) as u64 as i64);
            let mut pos = _mm256_set_epi64x(2, 2, 1, 1);
            for c in cs.chunks_exact(2) {
                let m = _mm256_cmpeq_epi64(_mm256_and_si256(w, pos), pos);
                acc = _mm256_xor_si256(acc, _mm256_and_si256(load2(c), m));
                pos = _mm256_slli_epi64::<2>(pos);
            }
        }
        fold(acc)
    }
}

/// `Σ χ_i · x_i` (unreduced) over equally long slices, using `pclmulqdq` when available.
pub fn inner_product(chis: &[Block], xs: &[Block]) -> (u128, u128) {
    assert_eq!(chis.len(), xs.len(), "inner_product: lengths differ");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("pclmulqdq") {
        if std::arch::is_x86_feature_detected!("vpclmulqdq")
            && std::arch::is_x86_feature_detected!("avx2")
        {
            // SAFETY: the CPU supports these features (checked just above).
            return unsafe { clmul::inner_wide(chis, xs) };
        }
        // SAFETY: the CPU supports pclmulqdq (checked just above); SSE2 is baseline x86_64.
        return unsafe { clmul::inner(chis, xs) };
    }
    inner_portable(chis, xs)
}

/// `⊕_j bit_j(word)·χ_j` over up to 128 challenges `chis` (bit `j` of `word` selects `χ_j`).
fn select_sum(chis: &[Block], word: u128) -> Block {
    #[cfg(target_arch = "x86_64")]
    if chis.len() == 128 && std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return Block(unsafe { clmul::select_sum(chis, word) });
    }
    let mut acc = Block::ZERO;
    for (j, c) in chis.iter().enumerate() {
        acc ^= *c & Block::mask((word >> j) & 1 == 1);
    }
    acc
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
                    self.x ^= select_sum(cs, bits[base + w].0);
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
        assert_eq!(
            inner_product(&xs[1..], &ys[1..]),
            inner_portable(&xs[1..], &ys[1..])
        );
        for word in [
            0u128,
            u128::MAX,
            1,
            1 << 127,
            0x8000_0001_0000_0000_0123_4567_89ab_cdef,
        ] {
            let mut want = Block::ZERO;
            for (j, c) in xs[..128].iter().enumerate() {
                if (word >> j) & 1 == 1 {
                    want ^= *c;
                }
            }
            assert_eq!(select_sum(&xs[..128], word), want);
            assert_eq!(select_sum(&xs[..100], word & ((1 << 100) - 1)), {
                let mut w = Block::ZERO;
                for (j, c) in xs[..100].iter().enumerate() {
                    if (word >> j) & 1 == 1 {
                        w ^= *c;
                    }
                }
                w
            });
        }
        let (a, b, c) = (xs[0], xs[1], xs[2]);
        assert_eq!(gf_mul(a, b), gf_mul(b, a));
        assert_eq!(gf_mul(a, b ^ c), gf_mul(a, b) ^ gf_mul(a, c));
        assert_eq!(gf_mul(gf_mul(a, b), c), gf_mul(a, gf_mul(b, c)));
        assert_eq!(gf_mul(a, Block::ONE), a);
        // X^127 · X = X^128 = X^7 + X^2 + X + 1.
        assert_eq!(gf_mul(Block(1 << 127), Block(2)), Block(0x87));
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// `cargo test --release -p duet-ot kos::timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn absorb_ns_per_row() {
        let n = 1 << 20;
        let rows: Vec<Block> = (0..n as u128).map(|i| Block(i * 0x9e37_79b9)).collect();
        let bits: Vec<Block> = rows[..n / 128].to_vec();
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let mut c = Check::new(Block(1));
            c.absorb(&rows, None);
            let s = t.elapsed().as_nanos() as f64 / n as f64;
            let t = std::time::Instant::now();
            let mut d = Check::new(Block(1));
            d.absorb(&rows, Some(&bits));
            let r = t.elapsed().as_nanos() as f64 / n as f64;
            println!("sender {s:.2} ns/row, receiver {r:.2} ns/row");
            assert_eq!(c.receiver_answer().1, d.receiver_answer().1);
        }
    }
}
