//! The fixed-key permutation π = AES-128 under a public key, and the fused VAES-256
//! half-gates kernels.
//!
//! This is the crate's only `unsafe` code. Why it exists: half-gates garbling is bound by AES
//! throughput (8 calls per AND gate for the garbler, 4 for the evaluator), and on this AMD
//! Zen 3 machine (two 256-bit `vaesenc` per cycle, no AVX-512) keeping 16 blocks in 8
//! registers through both TCCR passes *and* computing the tables in registers is about twice
//! as fast as separate permutation calls. Plain permutation goes through
//! [`duet_core::AesEcb`] (its own VAES loop, else the `aes` crate); without VAES the fused
//! kernels report `false` and the portable kernels of [`crate::hash`] run the same math
//! (checked equal by a test there).

use crate::hash::BATCH;
use duet_core::{AesEcb, Block};
use std::sync::LazyLock;

/// The fixed public AES key of the garbling hash: the first 16 bytes of the binary
/// expansion of e (nothing up the sleeve).
const KEY: [u8; 16] = [
    0xb7, 0xe1, 0x51, 0x62, 0x8a, 0xed, 0x2a, 0x6a, 0xbf, 0x71, 0x58, 0x80, 0x9c, 0xf4, 0xf3, 0xc7,
];

/// π with its key schedule and the back end chosen once per process.
pub(crate) struct Pi {
    aes: AesEcb,
}

pub(crate) static PI: LazyLock<Pi> = LazyLock::new(|| Pi {
    aes: AesEcb::new(KEY),
});

impl Pi {
    /// π applied in place to every block (any length; fastest for multiples of 16).
    #[inline]
    pub(crate) fn permute(&self, blocks: &mut [Block]) {
        self.aes.encrypt_blocks(blocks);
    }

    /// The garbler's fused half-gates kernel (TCCR hashes + ZRE15 Fig. 2) on the first
    /// `n ≤ BATCH` gates of `a0`/`b0`; tables to `tab[..2n]`, output 0-labels to
    /// `lab[..n]`. Returns `false` (doing nothing) when the VAES path is unavailable.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn garble_fused(
        &self,
        a0: &[Block; BATCH],
        b0: &[Block; BATCH],
        n: usize,
        delta: Block,
        salt: Block,
        first_gate: u64,
        tab: &mut [Block; 2 * BATCH],
        lab: &mut [Block; BATCH],
    ) -> bool {
        #[cfg(target_arch = "x86_64")]
        if self.aes.has_vaes() {
            // SAFETY: `has_vaes` is true only if the CPU has VAES, AVX2 and AES-NI.
            unsafe {
                vaes_x86::garble(
                    self.aes.round_keys(),
                    a0,
                    b0,
                    n,
                    delta,
                    salt,
                    first_gate,
                    tab,
                    lab,
                )
            };
            return true;
        }
        let _ = (a0, b0, n, delta, salt, first_gate, tab, lab);
        false
    }

    /// The evaluator's fused kernel on the first `n ≤ BATCH` gates; output labels to
    /// `lab[..n]`. Returns `false` (doing nothing) when the VAES path is unavailable.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn evaluate_fused(
        &self,
        a: &[Block; BATCH],
        b: &[Block; BATCH],
        t: &[Block; 2 * BATCH],
        n: usize,
        salt: Block,
        first_gate: u64,
        lab: &mut [Block; BATCH],
    ) -> bool {
        #[cfg(target_arch = "x86_64")]
        if self.aes.has_vaes() {
            // SAFETY: `has_vaes` is true only if the CPU has VAES, AVX2 and AES-NI.
            unsafe { vaes_x86::evaluate(self.aes.round_keys(), a, b, t, n, salt, first_gate, lab) };
            return true;
        }
        let _ = (a, b, t, n, salt, first_gate, lab);
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod vaes_x86 {
    use crate::hash::BATCH;
    use duet_core::Block;
    use std::arch::x86_64::*;

    /// 8 registers (16 blocks) through AES-128 with broadcast round keys `k`.
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn aes8(k: &[__m256i; 11], d: &mut [__m256i; 8]) {
        for x in d.iter_mut() {
            *x = _mm256_xor_si256(*x, k[0]);
        }
        for kr in &k[1..10] {
            for x in d.iter_mut() {
                *x = _mm256_aesenc_epi128(*x, *kr);
            }
        }
        for x in d.iter_mut() {
            *x = _mm256_aesenclast_epi128(*x, k[10]);
        }
    }

    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn ld(b: &Block) -> __m128i {
        // SAFETY: a 16-byte unaligned load from a valid reference.
        unsafe { _mm_loadu_si128(b as *const Block as *const __m128i) }
    }

    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn st(b: &mut Block, v: __m128i) {
        // SAFETY: a 16-byte unaligned store to a valid exclusive reference.
        unsafe { _mm_storeu_si128(b as *mut Block as *mut __m128i, v) }
    }

    /// All-ones if bit 0 of `x` is set, else zero.
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn lsb_mask(x: __m128i) -> __m128i {
        _mm_shuffle_epi32(_mm_srai_epi32(_mm_slli_epi32(x, 31), 31), 0)
    }

    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn keys(rk: &[Block; 11]) -> [__m256i; 11] {
        let mut k = [_mm256_setzero_si256(); 11];
        for (ki, r) in k.iter_mut().zip(rk) {
            *ki = _mm256_broadcastsi128_si256(ld(r));
        }
        k
    }

    /// The garbler's half-gates on gates `0..n` of `a0`/`b0` (n ≤ BATCH), 4 gates (8
    /// registers `[A0 | A0⊕Δ]`, `[B0 | B0⊕Δ]`) at a time; the padding gates of the last
    /// group are computed on stale queue entries and not stored.
    ///
    /// Callers must make sure the CPU supports VAES, AVX2 and AES-NI (the target features);
    /// all memory accesses are through references to array elements (bounds-checked).
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,vaes,aes")]
    pub(super) fn garble(
        rk: &[Block; 11],
        a0: &[Block; BATCH],
        b0: &[Block; BATCH],
        n: usize,
        delta: Block,
        salt: Block,
        first_gate: u64,
        tab: &mut [Block; 2 * BATCH],
        lab: &mut [Block; BATCH],
    ) {
        debug_assert!(n <= BATCH, "a fused batch holds at most BATCH gates");
        let k = keys(rk);
        let d = ld(&delta);
        let dd = _mm256_inserti128_si256(_mm256_setzero_si256(), d, 1);
        let s = ld(&salt);
        // Pass 1 over the whole batch (groups independent: throughput-bound), then pass 2
        // and the half-gate algebra; `pp` keeps π(x) between the passes.
        let groups = n.div_ceil(4);
        let mut pp = [[_mm256_setzero_si256(); 8]; BATCH / 4];
        for (gr, p) in pp.iter_mut().enumerate().take(groups) {
            for j in 0..4 {
                let g = 4 * gr + j;
                p[2 * j] = _mm256_xor_si256(_mm256_broadcastsi128_si256(ld(&a0[g])), dd);
                p[2 * j + 1] = _mm256_xor_si256(_mm256_broadcastsi128_si256(ld(&b0[g])), dd);
            }
            aes8(&k, p);
        }
        for (gr, p) in pp.iter().enumerate().take(groups) {
            let g0 = 4 * gr;
            let mut x = *p;
            for j in 0..4 {
                let t = 2 * (first_gate + (g0 + j) as u64);
                let tl = _mm_xor_si128(s, _mm_set_epi64x(0, t as i64));
                let tr = _mm_xor_si128(s, _mm_set_epi64x(0, (t | 1) as i64));
                x[2 * j] = _mm256_xor_si256(x[2 * j], _mm256_broadcastsi128_si256(tl));
                x[2 * j + 1] = _mm256_xor_si256(x[2 * j + 1], _mm256_broadcastsi128_si256(tr));
            }
            aes8(&k, &mut x);
            for j in 0..4.min(n - g0) {
                let g = g0 + j;
                let ha = _mm256_xor_si256(x[2 * j], p[2 * j]);
                let hb = _mm256_xor_si256(x[2 * j + 1], p[2 * j + 1]);
                let (ha0, ha1) = (_mm256_castsi256_si128(ha), _mm256_extracti128_si256(ha, 1));
                let (hb0, hb1) = (_mm256_castsi256_si128(hb), _mm256_extracti128_si256(hb, 1));
                let a = ld(&a0[g]);
                let (ma, mb) = (lsb_mask(a), lsb_mask(ld(&b0[g])));
                // ZRE15 Fig. 2, as in `hash::garble_portable`.
                let tg = _mm_xor_si128(_mm_xor_si128(ha0, ha1), _mm_and_si128(mb, d));
                let wg = _mm_xor_si128(ha0, _mm_and_si128(ma, tg));
                let hbx = _mm_xor_si128(hb0, hb1);
                let te = _mm_xor_si128(hbx, a);
                let we = _mm_xor_si128(hb0, _mm_and_si128(mb, hbx));
                st(&mut tab[2 * g], tg);
                st(&mut tab[2 * g + 1], te);
                st(&mut lab[g], _mm_xor_si128(wg, we));
            }
        }
    }

    /// The evaluator's half-gates on gates `0..n` (n ≤ BATCH), 8 gates (8 registers
    /// `[A | B]`) at a time.
    /// Target features as [`garble`].
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2,vaes,aes")]
    pub(super) fn evaluate(
        rk: &[Block; 11],
        a: &[Block; BATCH],
        b: &[Block; BATCH],
        t: &[Block; 2 * BATCH],
        n: usize,
        salt: Block,
        first_gate: u64,
        lab: &mut [Block; BATCH],
    ) {
        debug_assert!(n <= BATCH, "a fused batch holds at most BATCH gates");
        let k = keys(rk);
        let s = _mm256_broadcastsi128_si256(ld(&salt));
        let groups = n.div_ceil(8);
        let mut pp = [[_mm256_setzero_si256(); 8]; BATCH / 8];
        for (gr, p) in pp.iter_mut().enumerate().take(groups) {
            for (j, xj) in p.iter_mut().enumerate() {
                let g = 8 * gr + j;
                *xj = _mm256_set_m128i(ld(&b[g]), ld(&a[g]));
            }
            aes8(&k, p);
        }
        for (gr, p) in pp.iter().enumerate().take(groups) {
            let g0 = 8 * gr;
            let mut x = *p;
            for (j, xj) in x.iter_mut().enumerate() {
                let tw = 2 * (first_gate + (g0 + j) as u64) as i64;
                let tws = _mm256_xor_si256(s, _mm256_set_epi64x(0, tw | 1, 0, tw));
                *xj = _mm256_xor_si256(*xj, tws);
            }
            aes8(&k, &mut x);
            for j in 0..8.min(n - g0) {
                let g = g0 + j;
                let h = _mm256_xor_si256(x[j], p[j]);
                let (ha, hb) = (_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
                let av = ld(&a[g]);
                let (sa, sb) = (lsb_mask(av), lsb_mask(ld(&b[g])));
                // ZRE15 Fig. 2: W_G = H(A) ⊕ s_a·T_G, W_E = H(B) ⊕ s_b·(T_E ⊕ A).
                let wg = _mm_xor_si128(ha, _mm_and_si128(sa, ld(&t[2 * g])));
                let we = _mm_xor_si128(hb, _mm_and_si128(sb, _mm_xor_si128(ld(&t[2 * g + 1]), av)));
                st(&mut lab[g], _mm_xor_si128(wg, we));
            }
        }
    }
}
