//! The fused VAES-256 half-gates kernels (π of [`crate::pi`] with the ZRE15 algebra in
//! registers).
//!
//! With the executor's XOR loop ([`crate::exec`]), this is the crate's only `unsafe` code. Why it exists: half-gates garbling is bound by AES
//! throughput (8 calls per AND gate for the garbler, 4 for the evaluator), and on this AMD
//! Zen 3 machine (two 256-bit `vaesenc` per cycle, no AVX-512) keeping 16 blocks in 8
//! registers through both TCCR passes *and* computing the tables in registers is about twice
//! as fast as separate permutation calls. Plain permutation goes through
//! [`duet_core::AesEcb`] (its own VAES loop, else the `aes` crate); without VAES the fused
//! kernels report `false` and the portable kernels of [`super::portable`] run the same math
//! (checked equal by a test there).

use super::BATCH;
use crate::pi::Pi;
use crate::scheme::Tweak;
use core::mem::MaybeUninit;
use duet_core::Block;

/// Reused working memory of the fused kernels (π of every input between the two TCCR
/// passes): 10 KiB, allocated once per queue instead of zero-initialised on the stack for
/// every batch (that zeroing cost a third of the garbler's time). Zeroed on drop: it holds
/// hashes of labels.
pub(crate) struct Scratch {
    #[cfg(target_arch = "x86_64")]
    v: Box<vaes_x86::Scratch>,
}

impl Scratch {
    pub(crate) fn new() -> Self {
        Scratch {
            #[cfg(target_arch = "x86_64")]
            v: Box::new(vaes_x86::Scratch::ZERO),
        }
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        {
            let v: &mut vaes_x86::Scratch = &mut self.v;
            // SAFETY: a valid, aligned, exclusive pointer; all-zero is a valid `Scratch`.
            unsafe { core::ptr::write_volatile(v, vaes_x86::Scratch::ZERO) };
        }
    }
}

impl Pi {
    /// The garbler's fused half-gates kernel (TCCR hashes + ZRE15 Fig. 2) on the
    /// `n = a0.len() ≤ BATCH` gates of `a0`/`b0` (input 0-labels); tables to `tab[..2n]`,
    /// output 0-labels to `lab[..n]`. Returns `false` (doing nothing) when the VAES path is
    /// unavailable.
    ///
    /// # Panics
    /// If `n > BATCH` or a slice is shorter than stated (caller bugs).
    #[inline]
    pub(crate) fn garble_fused(
        &self,
        scratch: &mut Scratch,
        (a0, b0): (&[Block], &[Block]),
        delta: Block,
        tw: Tweak,
        tab: &mut [Block],
        lab: &mut [Block],
    ) -> bool {
        // SAFETY: `MaybeUninit<Block>` has `Block`'s layout, and the kernel writes only
        // initialised blocks, so `tab` stays initialised.
        let tab = unsafe { &mut *(tab as *mut [Block] as *mut [MaybeUninit<Block>]) };
        self.garble_vaes::<false>(scratch, (a0, b0), delta, tw, tab, lab)
    }

    /// [`Pi::garble_fused`] into a table slice that may be uninitialised (all of its first
    /// `2n` blocks are written). With `NT` (for outputs far larger than the caches) the
    /// tables and labels of full groups of 4 gates are written with non-temporal stores,
    /// which the caller must fence (`duet_core::mem::NonTemporal`'s drop) before another
    /// thread reads them. Returns `false` (doing nothing) when the VAES path is unavailable.
    ///
    /// # Panics
    /// As [`Pi::garble_fused`].
    #[inline]
    pub(crate) fn garble_vaes<const NT: bool>(
        &self,
        scratch: &mut Scratch,
        (a0, b0): (&[Block], &[Block]),
        delta: Block,
        tw: Tweak,
        tab: &mut [MaybeUninit<Block>],
        lab: &mut [Block],
    ) -> bool {
        let n = a0.len();
        assert!(
            n <= BATCH && b0.len() == n && tab.len() >= 2 * n && lab.len() >= n,
            "garble_fused: slice lengths"
        );
        #[cfg(target_arch = "x86_64")]
        if self.aes.has_vaes() {
            // SAFETY: `has_vaes` is true only if the CPU has VAES, AVX2 and AES-NI.
            unsafe {
                vaes_x86::garble::<NT>(
                    &mut scratch.v,
                    self.aes.round_keys(),
                    (a0, b0),
                    delta,
                    tw,
                    tab,
                    lab,
                )
            };
            return true;
        }
        let _ = (scratch, a0, b0, delta, tw, tab, lab);
        false
    }

    /// The evaluator's fused kernel on the `n = a.len() ≤ BATCH` gates with active input
    /// labels `a`/`b` and tables `t[..2n]`; output labels to `lab[..n]`. Returns `false`
    /// (doing nothing) when the VAES path is unavailable.
    ///
    /// # Panics
    /// If `n > BATCH` or a slice is shorter than stated (caller bugs).
    #[inline]
    pub(crate) fn evaluate_fused(
        &self,
        scratch: &mut Scratch,
        a: &[Block],
        b: &[Block],
        t: &[Block],
        tw: Tweak,
        lab: &mut [Block],
    ) -> bool {
        let n = a.len();
        assert!(
            n <= BATCH && b.len() == n && t.len() >= 2 * n && lab.len() >= n,
            "evaluate_fused: slice lengths"
        );
        #[cfg(target_arch = "x86_64")]
        if self.aes.has_vaes() {
            // SAFETY: `has_vaes` is true only if the CPU has VAES, AVX2 and AES-NI.
            unsafe { vaes_x86::evaluate(&mut scratch.v, self.aes.round_keys(), a, b, t, tw, lab) };
            return true;
        }
        let _ = (scratch, a, b, t, tw, lab);
        false
    }
}

#[cfg(target_arch = "x86_64")]
mod vaes_x86 {
    use crate::half_gates::BATCH;
    use crate::scheme::Tweak;
    use core::mem::MaybeUninit;
    use duet_core::Block;
    use std::arch::x86_64::*;

    /// Groups of 8 registers: the garbler uses `p`, `x` as `BATCH / 4` groups (4 gates
    /// each) and `i` as one `[A0 | B0]` register per gate, the evaluator `p`, `x`, `i` as
    /// `BATCH / 8` groups (8 gates each).
    pub(crate) struct Scratch {
        p: [[__m256i; 8]; BATCH / 4],
        x: [[__m256i; 8]; BATCH / 4],
        i: [[__m256i; 8]; BATCH / 8],
    }

    impl Scratch {
        // SAFETY: `__m256i` is plain data; all-zero bytes are a valid value.
        pub(crate) const ZERO: Scratch = unsafe { core::mem::zeroed() };
    }

    /// 8 registers (16 blocks) through AES-128 with broadcast round keys `k`.
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn aes8(k: &[__m256i; 11], d: &mut [__m256i; 8]) {
        // work on a local copy: `d` may live in an array indexed at run time, which LLVM
        // would otherwise load and store around every round
        let mut r = *d;
        for x in r.iter_mut() {
            *x = _mm256_xor_si256(*x, k[0]);
        }
        for kr in &k[1..10] {
            for x in r.iter_mut() {
                *x = _mm256_aesenc_epi128(*x, *kr);
            }
        }
        for x in r.iter_mut() {
            *x = _mm256_aesenclast_epi128(*x, k[10]);
        }
        *d = r;
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

    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn keys(rk: &[Block; 11]) -> [__m256i; 11] {
        let mut k = [_mm256_setzero_si256(); 11];
        for (ki, r) in k.iter_mut().zip(rk) {
            *ki = _mm256_broadcastsi128_si256(ld(r));
        }
        k
    }

    /// Gate `g` of `s`, or zero past the end (the padding lanes of a last group).
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn ld_or_zero(s: &[Block], g: usize) -> __m128i {
        match s.get(g) {
            Some(b) => ld(b),
            None => _mm_setzero_si128(),
        }
    }

    /// The garbler's half-gates on the `n = a0.len() ≤ BATCH` gates of `a0`/`b0`, 4 gates
    /// (8 registers `[A0 | B0]`, `[A0⊕Δ | B0⊕Δ]`) at a time: π of every input of the batch
    /// first, then the tweaked second pass (each pass a run of independent groups, so
    /// throughput-bound), then the half-gate algebra in 256-bit registers. With
    /// `X = [H(A0) | H(B0)]`, `Y = [H(A1) | H(B1)]` and `[p_a | p_b]` the lsbs of `[A0 | B0]`:
    /// `V = X ⊕ Y ⊕ [p_b·Δ | 0] = [T_G | H(B0)⊕H(B1)]`, the table `[T_G | T_E] = V ⊕ [0 | A0]`,
    /// `[W_G | W_E] = X ⊕ [p_a | p_b]·V`, output `W_G ⊕ W_E` (ZRE15 Fig. 2). Padding lanes
    /// of the last group are zeros and are not stored.
    ///
    /// Callers must make sure the CPU supports VAES, AVX2 and AES-NI (the target features)
    /// and that `b0`, `tab`, `lab` hold at least `n`, `2n`, `n` blocks; all memory
    /// accesses are through bounds-checked slice indexing.
    ///
    /// With `NT` the full groups' tables and output labels are written with non-temporal
    /// stores (for outputs far larger than the caches; the caller fences). `tab` may be
    /// uninitialised: every one of its first `2n` blocks is written, and nothing else is.
    #[target_feature(enable = "avx2,vaes,aes")]
    pub(super) fn garble<const NT: bool>(
        sc: &mut Scratch,
        rk: &[Block; 11],
        (a0, b0): (&[Block], &[Block]),
        delta: Block,
        tw: Tweak,
        tab: &mut [MaybeUninit<Block>],
        lab: &mut [Block],
    ) {
        let Tweak { salt, first_gate } = tw;
        let n = a0.len();
        debug_assert!(n <= BATCH, "a fused batch holds at most BATCH gates");
        let k = keys(rk);
        let d = ld(&delta);
        let dd = _mm256_broadcastsi128_si256(d);
        let s = _mm256_broadcastsi128_si256(ld(&salt));
        let groups = n.div_ceil(4);
        let Scratch {
            p: pp,
            x: xx,
            i: inp,
        } = sc;
        let abs = inp.as_flattened_mut();
        // full groups straight from the inputs, then the zero-padded last group
        let full = n / 4;
        for (((p, ab4), a4), b4) in pp
            .iter_mut()
            .zip(abs.chunks_exact_mut(4))
            .zip(a0.chunks_exact(4))
            .zip(b0.chunks_exact(4))
        {
            let mut r = [_mm256_setzero_si256(); 8];
            for j in 0..4 {
                let ab = _mm256_set_m128i(ld(&b4[j]), ld(&a4[j]));
                ab4[j] = ab;
                r[2 * j] = ab;
                r[2 * j + 1] = _mm256_xor_si256(ab, dd);
            }
            aes8(&k, &mut r);
            *p = r;
        }
        if full < groups {
            let p = &mut pp[full];
            for j in 0..4 {
                let g = 4 * full + j;
                let ab = _mm256_set_m128i(ld_or_zero(b0, g), ld_or_zero(a0, g));
                abs[g] = ab;
                p[2 * j] = ab;
                p[2 * j + 1] = _mm256_xor_si256(ab, dd);
            }
            aes8(&k, p);
        }
        // tweaks [2·gate | 2·gate + 1] in the low 64 bits of the two lanes, the same for
        // a gate's two registers
        let two = _mm256_set_epi64x(0, 2, 0, 2);
        let g2 = first_gate.wrapping_mul(2) as i64;
        let mut tw = _mm256_set_epi64x(0, g2.wrapping_add(1), 0, g2);
        // pass 2 over the whole batch too, then the algebra: every AES pass is a run of
        // independent groups (throughput-bound), never a chain the algebra waits on
        for (x, p) in xx.iter_mut().zip(pp.iter()).take(groups) {
            for j in 0..4 {
                let t = _mm256_xor_si256(s, tw);
                x[2 * j] = _mm256_xor_si256(p[2 * j], t);
                x[2 * j + 1] = _mm256_xor_si256(p[2 * j + 1], t);
                tw = _mm256_add_epi64(tw, two);
            }
            aes8(&k, x);
        }
        let d_lo = _mm256_inserti128_si256(_mm256_setzero_si256(), d, 0);
        for ((((p, x), ab4), t8), l4) in pp
            .iter()
            .zip(xx.iter())
            .zip(abs.chunks_exact(4))
            .zip(tab.chunks_exact_mut(8))
            .zip(lab.chunks_exact_mut(4))
            .take(full)
        {
            for j in 0..4 {
                let (tt, out) = gate_algebra(p, x, j, ab4[j], d_lo);
                let t2: &mut [MaybeUninit<Block>; 2] =
                    (&mut t8[2 * j..2 * j + 2]).try_into().expect("two blocks");
                if NT {
                    stream256(t2, tt);
                    stream(&mut l4[j], out);
                } else {
                    stu256(t2, tt);
                    st(&mut l4[j], out);
                }
            }
        }
        for g in 4 * full..n {
            let (tt, out) = gate_algebra(&pp[full], &xx[full], g % 4, abs[g], d_lo);
            let t2: &mut [MaybeUninit<Block>; 2] =
                (&mut tab[2 * g..2 * g + 2]).try_into().expect("two blocks");
            stu256(t2, tt);
            st(&mut lab[g], out);
        }
    }

    /// Half-gates algebra of gate `j` of a garbler's group (see [`garble`]): returns the
    /// table `[T_G | T_E]` and the output 0-label.
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn gate_algebra(
        p: &[__m256i; 8],
        x: &[__m256i; 8],
        j: usize,
        ab: __m256i,
        d_lo: __m256i,
    ) -> (__m256i, __m128i) {
        let hx = _mm256_xor_si256(x[2 * j], p[2 * j]);
        let hy = _mm256_xor_si256(x[2 * j + 1], p[2 * j + 1]);
        // [p_a | p_b]: each lane's lsb spread over the lane
        let m = _mm256_shuffle_epi32::<0>(_mm256_srai_epi32::<31>(_mm256_slli_epi32::<31>(ab)));
        // [p_b·Δ | 0]
        let pbd = _mm256_and_si256(_mm256_permute2x128_si256::<0x81>(m, m), d_lo);
        let v = _mm256_xor_si256(_mm256_xor_si256(hx, hy), pbd);
        let tt = _mm256_xor_si256(v, _mm256_permute2x128_si256::<0x08>(ab, ab));
        let w = _mm256_xor_si256(hx, _mm256_and_si256(m, v));
        let out = _mm_xor_si128(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
        (tt, out)
    }

    /// The evaluator's half-gates on the `n = a.len() ≤ BATCH` gates, 8 gates (8 registers
    /// `[A | B]`) at a time, the algebra in 256-bit registers: `[W_G | W_E] = [H(A) | H(B)]
    /// ⊕ [s_a | s_b] · [T_G | T_E ⊕ A]`, output `W_G ⊕ W_E`.
    /// Target features and slice lengths as [`garble`].
    #[target_feature(enable = "avx2,vaes,aes")]
    pub(super) fn evaluate(
        sc: &mut Scratch,
        rk: &[Block; 11],
        a: &[Block],
        b: &[Block],
        t: &[Block],
        tw: Tweak,
        lab: &mut [Block],
    ) {
        let Tweak { salt, first_gate } = tw;
        let n = a.len();
        debug_assert!(n <= BATCH, "a fused batch holds at most BATCH gates");
        let k = keys(rk);
        let s = _mm256_broadcastsi128_si256(ld(&salt));
        let groups = n.div_ceil(8);
        let Scratch { p, x, i: inp } = sc;
        let (pp, xx) = (&mut p[..BATCH / 8], &mut x[..BATCH / 8]);
        // full groups from registers: no per-gate bounds branch and no copy of `i` to `p`
        // through memory before the AES pass (kernel at 2^12: 33 → 25 µs), then the padded
        // last group
        let full = n / 8;
        for (((p, i), a8), b8) in pp
            .iter_mut()
            .zip(inp.iter_mut())
            .zip(a.chunks_exact(8))
            .zip(b.chunks_exact(8))
        {
            let mut r = [_mm256_setzero_si256(); 8];
            for (j, rj) in r.iter_mut().enumerate() {
                *rj = _mm256_set_m128i(ld(&b8[j]), ld(&a8[j]));
            }
            *i = r;
            aes8(&k, &mut r);
            *p = r;
        }
        if full < groups {
            let (p, i) = (&mut pp[full], &mut inp[full]);
            for (j, ij) in i.iter_mut().enumerate() {
                let g = 8 * full + j;
                *ij = _mm256_set_m128i(ld_or_zero(b, g), ld_or_zero(a, g));
            }
            *p = *i;
            aes8(&k, p);
        }
        // tweaks [2·gate | 2·gate + 1] in the low 64 bits of the two lanes
        let two = _mm256_set_epi64x(0, 2, 0, 2);
        let g2 = first_gate.wrapping_mul(2) as i64;
        let mut tw = _mm256_set_epi64x(0, g2.wrapping_add(1), 0, g2);
        for (x, p) in xx.iter_mut().zip(pp.iter()).take(groups) {
            for (xj, pj) in x.iter_mut().zip(p) {
                *xj = _mm256_xor_si256(*pj, _mm256_xor_si256(s, tw));
                tw = _mm256_add_epi64(tw, two);
            }
            aes8(&k, x);
        }
        for g in 0..n {
            let (gr, j) = (g / 8, g % 8);
            let h = _mm256_xor_si256(xx[gr][j], pp[gr][j]);
            let ab = inp[gr][j];
            // [s_a | s_b]: each lane's lsb spread over the lane
            let m = _mm256_shuffle_epi32::<0>(_mm256_srai_epi32::<31>(_mm256_slli_epi32::<31>(ab)));
            // [T_G | T_E ⊕ A]
            let tt = _mm256_xor_si256(
                ldu256(&t[2 * g..2 * g + 2]),
                _mm256_permute2x128_si256::<0x08>(ab, ab),
            );
            let w = _mm256_xor_si256(h, _mm256_and_si256(m, tt));
            let out = _mm_xor_si128(_mm256_castsi256_si128(w), _mm256_extracti128_si256(w, 1));
            st(&mut lab[g], out);
        }
    }

    /// One 256-bit register to two consecutive (possibly uninitialised) blocks.
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn stu256(b: &mut [MaybeUninit<Block>; 2], v: __m256i) {
        // SAFETY: a 32-byte unaligned store to a valid exclusive reference to two blocks
        // (`MaybeUninit<Block>` has `Block`'s layout; the store initialises both).
        unsafe { _mm256_storeu_si256(b.as_mut_ptr().cast::<__m256i>(), v) }
    }

    /// [`stu256`] with non-temporal stores (two 16-byte `movntdq`: a table pair is only
    /// 16-byte aligned).
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn stream256(b: &mut [MaybeUninit<Block>; 2], v: __m256i) {
        let p = b.as_mut_ptr().cast::<__m128i>();
        // SAFETY: `p` and `p + 1` are the two blocks of a valid exclusive reference, each
        // 16-byte aligned (a `Block` is a `u128`), as `movntdq` requires.
        unsafe {
            _mm_stream_si128(p, _mm256_castsi256_si128(v));
            _mm_stream_si128(p.add(1), _mm256_extracti128_si256::<1>(v));
        }
    }

    /// One block, non-temporal.
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn stream(b: &mut Block, v: __m128i) {
        // SAFETY: a valid exclusive reference, 16-byte aligned (a `Block` is a `u128`).
        unsafe { _mm_stream_si128(b as *mut Block as *mut __m128i, v) }
    }

    /// Two consecutive blocks as one 256-bit register.
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn ldu256(b: &[Block]) -> __m256i {
        let b: &[Block; 2] = b.try_into().expect("two blocks");
        // SAFETY: a 32-byte unaligned load from a valid reference to two blocks.
        unsafe { _mm256_loadu_si256(b as *const [Block; 2] as *const __m256i) }
    }
}
