//! The fused VAES three-halves kernels: both passes of the MMO hash `H(x, τ) = π(π(x) ⊕ τ)
//! ⊕ π(x)` on a group of gates kept in registers, then the RR21 algebra of the group in
//! 256-bit registers, struct-of-arrays across 4 gates (no store or reload between the
//! passes, no per-gate branches, the Δ terms as masks instead of a table).
//!
//! Layout. A group is 4 gates for the garbler (12 registers: `[Ā_0 | Ā_1]`, `[Ā_2 | Ā_3]`,
//! the same `⊕ Δ`, then `B̄`, `B̄ ⊕ Δ`, `Ā ⊕ B̄`, `Ā ⊕ B̄ ⊕ Δ`) and 8 gates for the
//! evaluator (12 registers: `[A_0 | A_1]` … `[A_6 | A_7]`, then `B`, then `A ⊕ B`). After the
//! hash, `unpacklo/hi_epi64` of two such registers gives the low / high 64-bit halves of 4
//! gates in the lane order `0, 2, 1, 3`; every struct-of-arrays value uses that order, and
//! `unpacklo/hi` of the two output halves gives back `[C_0 | C_1]`, `[C_2 | C_3]`. The
//! algebra is the scalar `garble_gate` / `eval_gate` of [`super`] with 0/all-ones lane
//! masks (the Δ terms written out instead of looked up); the one-bit hashes are the sign
//! bits of the high halves.
//!
//! Two instances of the same code: AVX2 + VAES (256-bit AES rounds) and, where the CPU has
//! AVX-512F/VL, one whose AES rounds run on 512-bit registers (the group's 12 registers
//! paired into 6). Without VAES the portable kernels of [`super`] run (the queues fall back
//! on their own); tests below check every instance against them.

use super::{BATCH, GATE_BYTES};
use crate::pi::PI;
use duet_core::Block;

/// Which fused kernel this CPU runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kernel {
    /// VAES with 256-bit AES rounds (AVX2).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    V256,
    /// VAES with 512-bit AES rounds (AVX-512F/VL).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    V512,
}

/// The best fused kernel of this CPU, `None` without VAES.
#[inline]
pub(super) fn kernel() -> Option<Kernel> {
    #[cfg(target_arch = "x86_64")]
    if PI.aes.has_vaes() {
        if std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
        {
            return Some(Kernel::V512);
        }
        return Some(Kernel::V256);
    }
    None
}

/// The garbler's fused kernel on the first `n ≤ BATCH` gates of `a0`, `b0` (input
/// 0-labels), gate numbers `first_gate ..`, random bits `(r1, r2)` of gate `k` at bits
/// `2k, 2k + 1` of `rnd`: gate `k`'s `G0 ‖ G1 ‖ G2` to `gates[24k ..]`, its control bits to
/// `z[k]`, its output 0-label to `lab[k]`. Entries past `n` (up to the next multiple of 4)
/// are overwritten with garbage. `kernel` must come from [`kernel`].
#[allow(clippy::too_many_arguments)]
#[inline]
pub(super) fn garble(
    kernel: Kernel,
    n: usize,
    a0: &[Block; BATCH],
    b0: &[Block; BATCH],
    delta: Block,
    salt: Block,
    first_gate: u64,
    rnd: u128,
    gates: &mut [u8; GATE_BYTES * BATCH],
    z: &mut [u64; BATCH],
    lab: &mut [Block; BATCH],
) {
    assert!(n <= BATCH, "three-halves: batch too large");
    let rk = PI.aes.round_keys();
    #[cfg(target_arch = "x86_64")]
    match kernel {
        // SAFETY: `kernel()` returns V256 only if the CPU has VAES, AVX2 and AES-NI.
        Kernel::V256 => unsafe {
            x256::garble(rk, n, a0, b0, delta, salt, first_gate, rnd, gates, z, lab)
        },
        // SAFETY: `kernel()` returns V512 only if the CPU also has AVX-512F and AVX-512VL.
        Kernel::V512 => unsafe {
            x512::garble(rk, n, a0, b0, delta, salt, first_gate, rnd, gates, z, lab)
        },
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (
            kernel, rk, a0, b0, delta, salt, first_gate, rnd, gates, z, lab,
        );
        unreachable!("no fused kernel off x86-64");
    }
}

/// The evaluator's fused kernel on the first `n ≤ BATCH` gates (active labels `a`, `b`,
/// ciphertexts `g[c][k]` = `G_c` of gate `k`, control bits as [`super::unpack_trailer`]
/// returns them): gate `k`'s output label to `lab[k]`; entries past `n` (up to the next
/// multiple of 8) get garbage. `kernel` must come from [`kernel`].
#[allow(clippy::too_many_arguments)]
#[inline]
pub(super) fn evaluate(
    kernel: Kernel,
    n: usize,
    a: &[Block; BATCH],
    b: &[Block; BATCH],
    g: &[[u64; BATCH]; 3],
    acc: &[u64; super::ACC_WORDS],
    salt: Block,
    first_gate: u64,
    lab: &mut [Block; BATCH],
) {
    assert!(n <= BATCH, "three-halves: batch too large");
    let rk = PI.aes.round_keys();
    #[cfg(target_arch = "x86_64")]
    match kernel {
        // SAFETY: `kernel()` returns V256 only if the CPU has VAES, AVX2 and AES-NI.
        Kernel::V256 => unsafe { x256::evaluate(rk, n, a, b, g, acc, salt, first_gate, lab) },
        // SAFETY: `kernel()` returns V512 only if the CPU also has AVX-512F and AVX-512VL.
        Kernel::V512 => unsafe { x512::evaluate(rk, n, a, b, g, acc, salt, first_gate, lab) },
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (kernel, rk, a, b, g, acc, salt, first_gate, lab);
        unreachable!("no fused kernel off x86-64");
    }
}

/// The kernels' code, instantiated once per target-feature set (`$f`) with that set's
/// `aes12` (12 registers through AES-128).
#[cfg(target_arch = "x86_64")]
macro_rules! kernels {
    ($f:literal) => {
        use super::super::{ACC_WORDS, BATCH, GATE_BYTES, tweak};
        use duet_core::Block;
        use std::arch::x86_64::*;

        /// The round keys broadcast to both lanes.
        #[inline]
        #[target_feature(enable = $f)]
        fn keys(rk: &[Block; 11]) -> [__m256i; 11] {
            let mut k = [_mm256_setzero_si256(); 11];
            for (ki, r) in k.iter_mut().zip(rk) {
                *ki = _mm256_broadcastsi128_si256(ld(r));
            }
            k
        }

        #[inline]
        #[target_feature(enable = $f)]
        fn ld(b: &Block) -> __m128i {
            // SAFETY: a 16-byte unaligned load from a valid reference.
            unsafe { _mm_loadu_si128(b as *const Block as *const __m128i) }
        }

        /// Two consecutive blocks as one register (`b[0]` in the low lane).
        #[inline]
        #[target_feature(enable = $f)]
        fn ld2(b: &[Block]) -> __m256i {
            let b: &[Block; 2] = b.try_into().expect("two blocks");
            // SAFETY: a 32-byte unaligned load from a valid reference to two blocks.
            unsafe { _mm256_loadu_si256(b as *const [Block; 2] as *const __m256i) }
        }

        /// Four consecutive `u64` as one register.
        #[inline]
        #[target_feature(enable = $f)]
        fn ld4(x: &[u64]) -> __m256i {
            let x: &[u64; 4] = x.try_into().expect("four words");
            // SAFETY: a 32-byte unaligned load from a valid reference to 32 bytes.
            unsafe { _mm256_loadu_si256(x as *const [u64; 4] as *const __m256i) }
        }

        /// One register to two consecutive blocks (low lane to `b[0]`).
        #[inline]
        #[target_feature(enable = $f)]
        fn st2(b: &mut [Block], v: __m256i) {
            let b: &mut [Block; 2] = b.try_into().expect("two blocks");
            // SAFETY: a 32-byte unaligned store to a valid exclusive reference to two blocks.
            unsafe { _mm256_storeu_si256(b as *mut [Block; 2] as *mut __m256i, v) }
        }

        /// One register to four consecutive `u64`.
        #[inline]
        #[target_feature(enable = $f)]
        fn st4(x: &mut [u64], v: __m256i) {
            let x: &mut [u64; 4] = x.try_into().expect("four words");
            // SAFETY: a 32-byte unaligned store to a valid exclusive reference to 32 bytes.
            unsafe { _mm256_storeu_si256(x as *mut [u64; 4] as *mut __m256i, v) }
        }

        /// One gate's `G0 ‖ G1 ‖ G2` (24 bytes): `g01` holds `G0`, `G1`, `g2` is `G2`.
        #[inline]
        #[target_feature(enable = $f)]
        fn st_gate(out: &mut [u8], g01: __m128i, g2: i64) {
            let out: &mut [u8; GATE_BYTES] = out.try_into().expect("one gate");
            // SAFETY: a 16-byte unaligned store to the first 16 of the 24 bytes of a valid
            // exclusive reference.
            unsafe { _mm_storeu_si128(out.as_mut_ptr().cast::<__m128i>(), g01) };
            out[16..].copy_from_slice(&(g2 as u64).to_le_bytes());
        }

        /// Each 128-bit lane's bit 0 spread over the lane.
        #[inline]
        #[target_feature(enable = $f)]
        fn lane_mask(x: __m256i) -> __m256i {
            _mm256_shuffle_epi32::<0>(_mm256_srai_epi32::<31>(_mm256_slli_epi32::<31>(x)))
        }

        /// The tweaks `τ(gate, 0)` of gates `g`, `g + 1` (low lane: `g`).
        #[inline]
        #[target_feature(enable = $f)]
        fn tweak2(salt: Block, g: u64) -> __m256i {
            ld2(&[tweak(salt, g, 0), tweak(salt, g.wrapping_add(1), 0)])
        }

        /// Low (`lo`) and high 64-bit halves of the 4 blocks of `[x_0 | x_1]`, `[x_2 | x_3]`
        /// in lane order `0, 2, 1, 3`.
        #[inline]
        #[target_feature(enable = $f)]
        fn soa(x01: __m256i, x23: __m256i) -> (__m256i, __m256i) {
            (
                _mm256_unpacklo_epi64(x01, x23),
                _mm256_unpackhi_epi64(x01, x23),
            )
        }

        #[inline]
        #[target_feature(enable = $f)]
        fn xor(a: __m256i, b: __m256i) -> __m256i {
            _mm256_xor_si256(a, b)
        }

        #[inline]
        #[target_feature(enable = $f)]
        fn and(a: __m256i, b: __m256i) -> __m256i {
            _mm256_and_si256(a, b)
        }

        /// `!m & x`.
        #[inline]
        #[target_feature(enable = $f)]
        fn andn(m: __m256i, x: __m256i) -> __m256i {
            _mm256_andnot_si256(m, x)
        }

        /// 0 / all-ones from bit 0 of each 64-bit lane.
        #[inline]
        #[target_feature(enable = $f)]
        fn bitmask(x: __m256i) -> __m256i {
            _mm256_sub_epi64(
                _mm256_setzero_si256(),
                _mm256_and_si256(x, _mm256_set1_epi64x(1)),
            )
        }

        /// The lane order `0, 2, 1, 3` to `0, 1, 2, 3` (and back).
        #[inline]
        #[target_feature(enable = $f)]
        fn unshuffle(x: __m256i) -> __m256i {
            _mm256_permute4x64_epi64::<0b11_01_10_00>(x)
        }

        /// The garbler's kernel: see [`super::super::vaes::garble`]. Callers must make sure
        /// the CPU has the target features; every memory access is a bounds-checked slice.
        #[allow(clippy::too_many_arguments)]
        #[target_feature(enable = $f)]
        pub(crate) fn garble(
            rk: &[Block; 11],
            n: usize,
            a0: &[Block; BATCH],
            b0: &[Block; BATCH],
            delta: Block,
            salt: Block,
            first_gate: u64,
            rnd: u128,
            gates: &mut [u8; GATE_BYTES * BATCH],
            z: &mut [u64; BATCH],
            lab: &mut [Block; BATCH],
        ) {
            let k = keys(rk);
            let dd = _mm256_broadcastsi128_si256(ld(&delta));
            let dl = _mm256_set1_epi64x(delta.0 as u64 as i64);
            let dr = _mm256_set1_epi64x((delta.0 >> 64) as u64 as i64);
            let ones = _mm256_set1_epi64x(-1);
            let j1 = _mm256_set_epi64x(0, 1, 0, 1);
            let j2 = _mm256_set_epi64x(0, 2, 0, 2);
            // shifts of the 2-bit (r1, r2) of the group's gates in lane order 0, 2, 1, 3
            let rsh = _mm256_set_epi64x(6, 2, 4, 0);
            for (q, ((((a4, b4), g4), zo4), l4)) in a0
                .chunks_exact(4)
                .zip(b0.chunks_exact(4))
                .zip(gates.chunks_exact_mut(4 * GATE_BYTES))
                .zip(z.chunks_exact_mut(4))
                .zip(lab.chunks_exact_mut(4))
                .enumerate()
                .take(n.div_ceil(4))
            {
                let (a01, a23, b01, b23) =
                    (ld2(&a4[..2]), ld2(&a4[2..]), ld2(&b4[..2]), ld2(&b4[2..]));
                let (pa01, pa23, pb01, pb23) = (
                    lane_mask(a01),
                    lane_mask(a23),
                    lane_mask(b01),
                    lane_mask(b23),
                );
                // colour-0 labels
                let ab01 = xor(a01, and(pa01, dd));
                let ab23 = xor(a23, and(pa23, dd));
                let bb01 = xor(b01, and(pb01, dd));
                let bb23 = xor(b23, and(pb23, dd));
                let xb01 = xor(ab01, bb01);
                let xb23 = xor(ab23, bb23);
                let gate = first_gate.wrapping_add(4 * q as u64);
                let t01 = tweak2(salt, gate);
                let t23 = tweak2(salt, gate.wrapping_add(2));
                let p0 = [
                    ab01,
                    ab23,
                    xor(ab01, dd),
                    xor(ab23, dd),
                    bb01,
                    bb23,
                    xor(bb01, dd),
                    xor(bb23, dd),
                    xb01,
                    xb23,
                    xor(xb01, dd),
                    xor(xb23, dd),
                ];
                let (u01, u23) = (xor(t01, j1), xor(t23, j1));
                let (v01, v23) = (xor(t01, j2), xor(t23, j2));
                let tw = [t01, t23, t01, t23, u01, u23, u01, u23, v01, v23, v01, v23];
                let mut p = p0;
                aes12(&k, &mut p);
                let mut x = [_mm256_setzero_si256(); 12];
                for ((xi, pi), ti) in x.iter_mut().zip(&p).zip(&tw) {
                    *xi = xor(*pi, *ti);
                }
                aes12(&k, &mut x);
                let mut h = [_mm256_setzero_si256(); 12];
                for ((hi, xi), pi) in h.iter_mut().zip(&x).zip(&p) {
                    *hi = xor(*xi, *pi);
                }
                // struct of arrays, lane order 0, 2, 1, 3
                let (hl0, hh0) = soa(h[0], h[1]);
                let (hl1, hh1) = soa(h[2], h[3]);
                let (hl2, hh2) = soa(h[4], h[5]);
                let (hl3, hh3) = soa(h[6], h[7]);
                let (hl4, hh4) = soa(h[8], h[9]);
                let (hl5, hh5) = soa(h[10], h[11]);
                let (al, ar) = soa(ab01, ab23);
                let (bl, br) = soa(bb01, bb23);
                // m(α) = ¬m(lsb A0), m(β) = ¬m(lsb B0)
                let mpa = _mm256_unpacklo_epi64(pa01, pa23);
                let mpb = _mm256_unpacklo_epi64(pb01, pb23);
                let (ma, mb) = (xor(mpa, ones), xor(mpb, ones));
                let rv = _mm256_srlv_epi64(
                    _mm256_set1_epi64x(((rnd >> (8 * q)) as u64 & 0xff) as i64),
                    rsh,
                );
                let m1 = bitmask(rv);
                let m2 = bitmask(_mm256_srli_epi64::<1>(rv));
                let t00 = and(mpa, mpb);
                let mab = xor(ma, mb);
                let m12 = xor(m1, m2);
                let c_l = xor(
                    xor(xor(hl0, hl4), xor(and(al, m12), and(ar, m1))),
                    xor(xor(andn(m1, bl), and(br, m2)), and(dl, t00)),
                );
                let c_r = xor(
                    xor(xor(hl2, hl4), xor(and(al, m1), andn(m2, ar))),
                    xor(xor(and(bl, m2), and(br, m12)), and(dr, t00)),
                );
                let m12ab = xor(m12, mab);
                let g0 = xor(
                    xor(xor(hl0, hl1), xor(and(al, mab), and(ar, ma))),
                    xor(
                        xor(andn(ma, bl), and(br, mb)),
                        xor(andn(xor(m2, ma), dl), and(dr, m12ab)),
                    ),
                );
                let g1 = xor(
                    xor(xor(hl2, hl3), xor(and(al, ma), andn(mb, ar))),
                    xor(
                        xor(and(bl, mb), and(br, mab)),
                        xor(and(dl, m12ab), andn(xor(m1, mb), dr)),
                    ),
                );
                let g2 = xor(
                    xor(xor(hl4, hl5), xor(and(al, mb), and(ar, mab))),
                    xor(
                        xor(and(bl, mab), and(br, ma)),
                        xor(and(dl, xor(m1, mb)), and(dr, xor(m2, ma))),
                    ),
                );
                // control bits: the one-bit hashes are the sign bits of the high halves
                let z0 = xor(xor(m1, hh0), hh4);
                let z1 = xor(xor(m2, hh2), hh4);
                let z2 = xor(xor(ma, hh0), hh1);
                let z3 = xor(xor(mb, hh2), hh3);
                let z4 = xor(xor(mab, hh4), hh5);
                let zv = _mm256_or_si256(
                    _mm256_or_si256(
                        _mm256_srli_epi64::<63>(z0),
                        and(_mm256_srli_epi64::<62>(z1), _mm256_set1_epi64x(2)),
                    ),
                    _mm256_or_si256(
                        _mm256_or_si256(
                            and(_mm256_srli_epi64::<61>(z2), _mm256_set1_epi64x(4)),
                            and(_mm256_srli_epi64::<60>(z3), _mm256_set1_epi64x(8)),
                        ),
                        and(_mm256_srli_epi64::<59>(z4), _mm256_set1_epi64x(16)),
                    ),
                );
                st4(zo4, unshuffle(zv));
                st2(&mut l4[..2], _mm256_unpacklo_epi64(c_l, c_r));
                st2(&mut l4[2..], _mm256_unpackhi_epi64(c_l, c_r));
                let (g01a, g01b) = (_mm256_unpacklo_epi64(g0, g1), _mm256_unpackhi_epi64(g0, g1));
                let (o01, o23) = g4.split_at_mut(2 * GATE_BYTES);
                let (o0, o1) = o01.split_at_mut(GATE_BYTES);
                let (o2, o3) = o23.split_at_mut(GATE_BYTES);
                st_gate(
                    o0,
                    _mm256_castsi256_si128(g01a),
                    _mm256_extract_epi64::<0>(g2),
                );
                st_gate(
                    o1,
                    _mm256_extracti128_si256::<1>(g01a),
                    _mm256_extract_epi64::<2>(g2),
                );
                st_gate(
                    o2,
                    _mm256_castsi256_si128(g01b),
                    _mm256_extract_epi64::<1>(g2),
                );
                st_gate(
                    o3,
                    _mm256_extracti128_si256::<1>(g01b),
                    _mm256_extract_epi64::<3>(g2),
                );
            }
        }

        /// The evaluator's kernel: see [`super::super::vaes::evaluate`]. Callers must make
        /// sure the CPU has the target features; every memory access is a bounds-checked
        /// slice.
        #[allow(clippy::too_many_arguments)]
        #[target_feature(enable = $f)]
        pub(crate) fn evaluate(
            rk: &[Block; 11],
            n: usize,
            a: &[Block; BATCH],
            b: &[Block; BATCH],
            g: &[[u64; BATCH]; 3],
            acc: &[u64; ACC_WORDS],
            salt: Block,
            first_gate: u64,
            lab: &mut [Block; BATCH],
        ) {
            let k = keys(rk);
            let j1 = _mm256_set_epi64x(0, 1, 0, 1);
            let j2 = _mm256_set_epi64x(0, 2, 0, 2);
            // shifts of the 5 control bits of 4 gates in lane order 0, 2, 1, 3
            let zsh = _mm256_set_epi64x(15, 5, 10, 0);
            let zero = _mm256_setzero_si256();
            for (q, ((a8, b8), l8)) in a
                .chunks_exact(8)
                .zip(b.chunks_exact(8))
                .zip(lab.chunks_exact_mut(8))
                .enumerate()
                .take(n.div_ceil(8))
            {
                let mut ai = [zero; 4];
                let mut bi = [zero; 4];
                let mut tw = [zero; 4];
                let gate = first_gate.wrapping_add(8 * q as u64);
                for j in 0..4 {
                    ai[j] = ld2(&a8[2 * j..2 * j + 2]);
                    bi[j] = ld2(&b8[2 * j..2 * j + 2]);
                    tw[j] = tweak2(salt, gate.wrapping_add(2 * j as u64));
                }
                let mut p = [zero; 12];
                let mut x = [zero; 12];
                for j in 0..4 {
                    p[j] = ai[j];
                    p[4 + j] = bi[j];
                    p[8 + j] = xor(ai[j], bi[j]);
                }
                aes12(&k, &mut p);
                for j in 0..4 {
                    x[j] = xor(p[j], tw[j]);
                    x[4 + j] = xor(p[4 + j], xor(tw[j], j1));
                    x[8 + j] = xor(p[8 + j], xor(tw[j], j2));
                }
                aes12(&k, &mut x);
                for s in 0..2 {
                    let h = |i: usize| xor(x[i], p[i]);
                    let (la, ha) = soa(h(2 * s), h(2 * s + 1));
                    let (lb, hb) = soa(h(4 + 2 * s), h(5 + 2 * s));
                    let (lx, hx) = soa(h(8 + 2 * s), h(9 + 2 * s));
                    let (al, ar) = soa(ai[2 * s], ai[2 * s + 1]);
                    let (bl, br) = soa(bi[2 * s], bi[2 * s + 1]);
                    let (mi, mj) = (bitmask(al), bitmask(bl));
                    let mij = xor(mi, mj);
                    // the 5 control bits of each of the 4 gates
                    let u = 2 * q + s;
                    let pos = 5 * 4 * u;
                    let (w, sh) = (pos / 64, pos % 64);
                    let bits = (acc[w] >> sh) | ((acc[w + 1] << 1) << (63 - sh));
                    let zv = _mm256_srlv_epi64(_mm256_set1_epi64x(bits as i64), zsh);
                    // c1, c2 in the sign bits, then spread
                    let z4 = _mm256_slli_epi64::<59>(zv);
                    let c1 = xor(
                        xor(xor(ha, hx), _mm256_slli_epi64::<63>(zv)),
                        xor(and(mi, _mm256_slli_epi64::<61>(zv)), and(mij, z4)),
                    );
                    let c2 = xor(
                        xor(xor(hb, hx), _mm256_slli_epi64::<62>(zv)),
                        xor(and(mj, _mm256_slli_epi64::<60>(zv)), and(mij, z4)),
                    );
                    let m1 = _mm256_cmpgt_epi64(zero, c1);
                    let m2 = _mm256_cmpgt_epi64(zero, c2);
                    let base = 8 * q + 4 * s;
                    let g0 = unshuffle(ld4(&g[0][base..base + 4]));
                    let g1 = unshuffle(ld4(&g[1][base..base + 4]));
                    let g2 = unshuffle(ld4(&g[2][base..base + 4]));
                    let t = xor(al, br);
                    let mg2 = and(mij, g2);
                    let c_l = xor(
                        xor(xor(la, lx), xor(and(mi, g0), mg2)),
                        xor(xor(and(m1, xor(xor(al, ar), bl)), and(m2, t)), andn(mi, bl)),
                    );
                    let c_r = xor(
                        xor(xor(lb, lx), xor(and(mj, g1), mg2)),
                        xor(xor(and(m1, t), and(m2, xor(xor(ar, bl), br))), andn(mj, ar)),
                    );
                    st2(&mut l8[4 * s..4 * s + 2], _mm256_unpacklo_epi64(c_l, c_r));
                    st2(
                        &mut l8[4 * s + 2..4 * s + 4],
                        _mm256_unpackhi_epi64(c_l, c_r),
                    );
                }
            }
        }
    };
}

/// AVX2 + VAES: AES rounds on 256-bit registers.
#[cfg(target_arch = "x86_64")]
mod x256 {
    kernels!("avx2,vaes,aes");

    /// 12 registers (24 blocks) through AES-128 with broadcast round keys `k`.
    #[inline]
    #[target_feature(enable = "avx2,vaes,aes")]
    fn aes12(k: &[__m256i; 11], d: &mut [__m256i; 12]) {
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
}

/// AVX-512F/VL + VAES: the AES rounds on 512-bit registers (pairs of the group's 256-bit
/// registers), the algebra as in [`x256`].
#[cfg(target_arch = "x86_64")]
mod x512 {
    kernels!("avx512f,avx512vl,avx2,vaes,aes");

    /// 12 registers (24 blocks) through AES-128 as 6 512-bit registers.
    #[inline]
    #[target_feature(enable = "avx512f,avx512vl,avx2,vaes,aes")]
    fn aes12(k: &[__m256i; 11], d: &mut [__m256i; 12]) {
        let mut r = [_mm512_setzero_si512(); 6];
        let kk: [__m512i; 11] = core::array::from_fn(|i| _mm512_broadcast_i64x4(k[i]));
        for (j, x) in r.iter_mut().enumerate() {
            let v = _mm512_inserti64x4::<1>(_mm512_castsi256_si512(d[2 * j]), d[2 * j + 1]);
            *x = _mm512_xor_si512(v, kk[0]);
        }
        for kr in &kk[1..10] {
            for x in r.iter_mut() {
                *x = _mm512_aesenc_epi128(*x, *kr);
            }
        }
        for (j, x) in r.iter().enumerate() {
            let v = _mm512_aesenclast_epi128(*x, kk[10]);
            d[2 * j] = _mm512_castsi512_si256(v);
            d[2 * j + 1] = _mm512_extracti64x4_epi64::<1>(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ACC_WORDS, BATCH, EvalQueue, GATE_BYTES, GarbleQueue};
    use super::*;
    use rand::{Rng, RngExt, SeedableRng};

    fn rblock(r: &mut impl Rng) -> Block {
        Block(r.random())
    }

    /// Every fused instance this CPU has agrees with the portable kernels, on every batch
    /// size, with garbage in the unused entries.
    #[test]
    fn fused_kernels_match_portable() {
        let mut r = rand::rngs::StdRng::seed_from_u64(7);
        let mut kernels = vec![];
        #[cfg(target_arch = "x86_64")]
        if PI.aes.has_vaes() {
            kernels.push(Kernel::V256);
            if kernel() == Some(Kernel::V512) {
                kernels.push(Kernel::V512);
            }
        }
        if kernels.is_empty() {
            eprintln!("no fused three-halves kernel on this CPU: nothing to compare");
            return;
        }
        for n in 1..=BATCH {
            let delta = rblock(&mut r).with_lsb(true);
            let salt = rblock(&mut r);
            let first_gate: u64 = if n % 3 == 0 { u64::MAX - 5 } else { r.random() };
            let rnd: u128 = r.random();
            let mut a0 = [Block::ZERO; BATCH];
            let mut b0 = [Block::ZERO; BATCH];
            for k in 0..BATCH {
                a0[k] = rblock(&mut r);
                b0[k] = rblock(&mut r);
            }
            // portable
            let mut q = GarbleQueue::new(Block::ZERO);
            for k in 0..n {
                q.push(a0[k], b0[k], k as u32);
            }
            let mut tables = vec![];
            let mut slots = vec![Block::ZERO; BATCH];
            q.garble_portable(rnd, delta, salt, first_gate, &mut tables, &mut slots);
            for &kern in &kernels {
                let mut gates = [0u8; GATE_BYTES * BATCH];
                let mut z = [0u64; BATCH];
                let mut lab = [Block::ZERO; BATCH];
                garble(
                    kern, n, &a0, &b0, delta, salt, first_gate, rnd, &mut gates, &mut z, &mut lab,
                );
                assert_eq!(
                    &gates[..n * GATE_BYTES],
                    &tables[..n * GATE_BYTES],
                    "{kern:?} n={n}"
                );
                let mut trailer = vec![0; super::super::trailer_bytes(n)];
                super::super::pack_trailer(&z[..n], &mut trailer);
                assert_eq!(&trailer[..], &tables[n * GATE_BYTES..], "{kern:?} n={n}");
                assert_eq!(&lab[..n], &slots[..n], "{kern:?} n={n}");
            }
            // evaluator: random active labels (one of each pair)
            let mut a = [Block::ZERO; BATCH];
            let mut b = [Block::ZERO; BATCH];
            for k in 0..BATCH {
                a[k] = if r.random() { a0[k] } else { a0[k] ^ delta };
                b[k] = if r.random() { b0[k] } else { b0[k] ^ delta };
            }
            let mut e = EvalQueue::new();
            for k in 0..n {
                let g: &[u8; GATE_BYTES] = tables[k * GATE_BYTES..(k + 1) * GATE_BYTES]
                    .try_into()
                    .unwrap();
                e.push(a[k], b[k], g, k as u32);
            }
            let trailer = &tables[n * GATE_BYTES..];
            let acc: [u64; ACC_WORDS] = super::super::unpack_trailer(trailer);
            let g = e.g;
            e.evaluate_portable(salt, first_gate, &acc);
            let want = e.lab;
            for &kern in &kernels {
                let mut lab = [Block::ZERO; BATCH];
                evaluate(kern, n, &a, &b, &g, &acc, salt, first_gate, &mut lab);
                assert_eq!(&lab[..n], &want[..n], "{kern:?} n={n}");
            }
        }
    }
}
