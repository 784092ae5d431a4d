//! The fixed-key permutation π = AES-128 under a public key, with a VAES-256 fast path.
//!
//! This is the crate's only `unsafe` code. Why it exists: on this AMD Zen 3 machine the
//! `aes` crate's VAES-256 back end encrypts ≈ 600 M blocks/s per core, while the hardware
//! does ≈ 1.2 G (two 256-bit `vaesenc` per cycle, measured); half-gates garbling is bound by
//! AES throughput (8 calls per AND gate), so a tight loop with 8 independent 256-bit
//! registers (16 blocks) in flight doubles garbling speed. Every other CPU uses the `aes`
//! crate (AES-NI / VAES-512 / software, chosen at run time) with the same key, so both
//! paths compute the same permutation (checked by a test).

use crate::hash::BATCH;
use aes::Aes128;
use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};
use duet_core::Block;
use std::sync::LazyLock;

/// The fixed public AES key of the garbling hash: the first 16 bytes of the binary
/// expansion of e (nothing up the sleeve).
const KEY: [u8; 16] = [
    0xb7, 0xe1, 0x51, 0x62, 0x8a, 0xed, 0x2a, 0x6a, 0xbf, 0x71, 0x58, 0x80, 0x9c, 0xf4, 0xf3, 0xc7,
];

/// π with its key schedule and the back end chosen once per process.
pub(crate) struct Pi {
    cipher: Aes128,
    /// the 11 round keys (FIPS-197 key expansion), for the VAES path
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    round_keys: [Block; 11],
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    vaes: bool,
}

pub(crate) static PI: LazyLock<Pi> = LazyLock::new(|| Pi {
    cipher: Aes128::new(&Array::from(KEY)),
    round_keys: expand_key(KEY),
    #[cfg(target_arch = "x86_64")]
    vaes: std::arch::is_x86_feature_detected!("vaes")
        && std::arch::is_x86_feature_detected!("avx2")
        && std::arch::is_x86_feature_detected!("aes"),
    #[cfg(not(target_arch = "x86_64"))]
    vaes: false,
});

impl Pi {
    /// π applied in place to every block (any length; fastest for multiples of 16).
    #[inline]
    pub(crate) fn permute(&self, blocks: &mut [Block]) {
        #[cfg(target_arch = "x86_64")]
        if self.vaes {
            // SAFETY: `vaes` is true only if the CPU supports VAES, AVX2 and AES-NI, the
            // target features `vaes_x86::encrypt` is compiled with.
            unsafe { vaes_x86::encrypt(&self.round_keys, blocks) };
            return;
        }
        self.permute_portable(blocks);
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
        if self.vaes {
            // SAFETY: `vaes` is true only if the CPU has VAES, AVX2 and AES-NI.
            unsafe {
                vaes_x86::garble(
                    &self.round_keys,
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
        if self.vaes {
            // SAFETY: `vaes` is true only if the CPU has VAES, AVX2 and AES-NI.
            unsafe { vaes_x86::evaluate(&self.round_keys, a, b, t, n, salt, first_gate, lab) };
            return true;
        }
        let _ = (a, b, t, n, salt, first_gate, lab);
        false
    }

    /// π through the `aes` crate (the path of every CPU without VAES).
    pub(crate) fn permute_portable(&self, blocks: &mut [Block]) {
        let bytes: &mut [[u8; 16]] = bytemuck::cast_slice_mut(blocks);
        self.cipher
            .encrypt_blocks(Array::cast_slice_from_core_mut(bytes));
    }
}

/// FIPS-197 §5.2 AES-128 key expansion (of a public key: table look-ups are fine).
fn expand_key(key: [u8; 16]) -> [Block; 11] {
    let mut w = [[0u8; 4]; 44];
    for i in 0..4 {
        w[i].copy_from_slice(&key[4 * i..4 * i + 4]);
    }
    let mut rcon = 1u8;
    for i in 4..44 {
        let mut t = w[i - 1];
        if i % 4 == 0 {
            t = [sbox(t[1]) ^ rcon, sbox(t[2]), sbox(t[3]), sbox(t[0])];
            rcon = (rcon << 1) ^ if rcon & 0x80 != 0 { 0x1b } else { 0 };
        }
        for j in 0..4 {
            w[i][j] = w[i - 4][j] ^ t[j];
        }
    }
    core::array::from_fn(|r| {
        let mut b = [0u8; 16];
        for c in 0..4 {
            b[4 * c..4 * c + 4].copy_from_slice(&w[4 * r + c]);
        }
        Block::from_bytes(b)
    })
}

/// The AES S-box, computed (multiplicative inverse in GF(2^8) and the affine map).
fn sbox(x: u8) -> u8 {
    fn mul(mut a: u8, mut b: u8) -> u8 {
        let mut p = 0;
        while b != 0 {
            if b & 1 != 0 {
                p ^= a;
            }
            a = (a << 1) ^ if a & 0x80 != 0 { 0x1b } else { 0 };
            b >>= 1;
        }
        p
    }
    // x^254 = x^-1 (0 ↦ 0)
    let mut inv = 1u8;
    for _ in 0..254 {
        inv = mul(inv, x);
    }
    let s = inv;
    s ^ s.rotate_left(1) ^ s.rotate_left(2) ^ s.rotate_left(3) ^ s.rotate_left(4) ^ 0x63
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

    /// Encrypt `blocks` in place with the expanded key `rk`, 16 blocks (8 × 256-bit
    /// registers) at a time.
    ///
    /// # Safety
    /// The CPU must support VAES, AVX2 and AES-NI. Memory safety: all loads and stores are
    /// unaligned (`loadu`/`storeu`) and stay inside `blocks` (indices are bounded by the
    /// chunk lengths below); `Block` is a `repr(transparent)` `u128`, 16 bytes.
    #[target_feature(enable = "avx2,vaes,aes")]
    pub(super) unsafe fn encrypt(rk: &[Block; 11], blocks: &mut [Block]) {
        // SAFETY (whole body): see the function docs.
        unsafe {
            let k: [__m256i; 11] = core::array::from_fn(|i| {
                _mm256_broadcastsi128_si256(_mm_loadu_si128(
                    &rk[i] as *const Block as *const __m128i,
                ))
            });
            let mut chunks = blocks.chunks_exact_mut(16);
            for c in &mut chunks {
                let p = c.as_mut_ptr() as *mut __m256i;
                let mut d: [__m256i; 8] =
                    core::array::from_fn(|j| _mm256_xor_si256(_mm256_loadu_si256(p.add(j)), k[0]));
                for kr in &k[1..10] {
                    for x in d.iter_mut() {
                        *x = _mm256_aesenc_epi128(*x, *kr);
                    }
                }
                for (j, x) in d.iter().enumerate() {
                    _mm256_storeu_si256(p.add(j), _mm256_aesenclast_epi128(*x, k[10]));
                }
            }
            // The tail (< 16 blocks) goes through a padded 16-block buffer: the latency of
            // one 16-block pass is that of a single block.
            let rest = chunks.into_remainder();
            if !rest.is_empty() {
                let mut buf = [Block::ZERO; 16];
                buf[..rest.len()].copy_from_slice(rest);
                let p = buf.as_mut_ptr() as *mut __m256i;
                let mut d: [__m256i; 8] =
                    core::array::from_fn(|j| _mm256_xor_si256(_mm256_loadu_si256(p.add(j)), k[0]));
                for kr in &k[1..10] {
                    for x in d.iter_mut() {
                        *x = _mm256_aesenc_epi128(*x, *kr);
                    }
                }
                for (j, x) in d.iter().enumerate() {
                    _mm256_storeu_si256(p.add(j), _mm256_aesenclast_epi128(*x, k[10]));
                }
                rest.copy_from_slice(&buf[..rest.len()]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbox_and_key_schedule_known_answers() {
        assert_eq!(sbox(0x00), 0x63);
        assert_eq!(sbox(0x53), 0xed);
        // FIPS-197 Appendix A.1: key 2b7e1516 28aed2a6 abf71588 09cf4f3c → w43 = b6630ca6
        let key = [
            0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
            0x4f, 0x3c,
        ];
        let rk = expand_key(key);
        assert_eq!(rk[0].to_bytes(), key);
        assert_eq!(&rk[10].to_bytes()[12..], &[0xb6, 0x63, 0x0c, 0xa6]);
    }

    #[test]
    fn fast_path_equals_aes_crate() {
        let pi = &*PI;
        for n in [0usize, 1, 2, 3, 15, 16, 17, 33, 100] {
            let xs: Vec<Block> = (0..n as u128)
                .map(|i| Block(i * 0x9e37_79b9_7f4a_7c15 + 7))
                .collect();
            let mut a = xs.clone();
            pi.permute(&mut a);
            let mut b = xs.clone();
            pi.permute_portable(&mut b);
            assert_eq!(a, b, "n = {n}");
            if n > 0 {
                assert_ne!(a[0], xs[0]);
            }
        }
    }
}
