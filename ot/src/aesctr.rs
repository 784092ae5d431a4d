//! AES-128-CTR expansion of the IKNP base-OT seeds: the hot loop of OT extension.
//!
//! The stream is exactly that of [`duet_core::Prg`] (block `j` = `AES_seed(j)`, `j` a
//! little-endian 128-bit counter), so either party may use either implementation. On x86-64
//! with VAES + AVX2 (detected at run time) two blocks go through each `vaesenc` on 256-bit
//! registers, 16 blocks in flight; with AES-NI only, 8 blocks in flight on 128-bit registers;
//! otherwise [`duet_core::Prg`] (the `aes` crate). Measured here: the `aes` crate's AES-NI
//! back end gives ≈ 2.8 ns/block, this VAES path ≈ 1 ns/block — the `aes` crate does not pick
//! its VAES-256 back end on CPUs without AVX-512 state (its feature probe asks for ZMM).
//! (`duet_core::Prg` now also has a VAES ECB path via `AesEcb`; this one stays because it
//! builds the counters in registers, ≈ 1.8 vs 2.2 ns/block at IKNP's 32 blocks per call.)

use duet_core::{Block, Prg};
use zeroize::Zeroize;

/// One PRG stream: AES-128 in counter mode under a seed.
pub(crate) struct CtrPrg {
    #[cfg(target_arch = "x86_64")]
    fast: Option<x86::Keys>,
    /// only when there is no fast path
    fallback: Option<Prg>,
    counter: u128,
}

/// Which x86 kernel the CPU supports (detected once).
#[cfg(target_arch = "x86_64")]
fn level() -> u8 {
    use std::sync::OnceLock;
    static LEVEL: OnceLock<u8> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        if std::arch::is_x86_feature_detected!("aes") && std::arch::is_x86_feature_detected!("sse2")
        {
            if std::arch::is_x86_feature_detected!("vaes")
                && std::arch::is_x86_feature_detected!("avx2")
            {
                2
            } else {
                1
            }
        } else {
            0
        }
    })
}

impl CtrPrg {
    pub(crate) fn new(seed: Block) -> Self {
        #[cfg(target_arch = "x86_64")]
        let fast = (level() >= 1)
            .then(|| duet_core::expand_key(seed.to_bytes()))
            .flatten()
            .map(|rk| x86::Keys(rk.map(|b| b.0)));
        #[cfg(target_arch = "x86_64")]
        let fallback = fast.is_none().then(|| Prg::new(seed));
        #[cfg(not(target_arch = "x86_64"))]
        let fallback = Some(Prg::new(seed));
        CtrPrg {
            #[cfg(target_arch = "x86_64")]
            fast,
            fallback,
            counter: 0,
        }
    }

    /// Fill `out` with the next `out.len()` blocks of the stream.
    pub(crate) fn fill(&mut self, out: &mut [Block]) {
        #[cfg(target_arch = "x86_64")]
        if let Some(k) = &self.fast {
            // SAFETY: `fast` exists only if AES-NI/SSE2 were detected; level 2 also
            // guarantees VAES and AVX2.
            unsafe {
                if level() == 2 {
                    x86::ctr_vaes(k, self.counter, out)
                } else {
                    x86::ctr_aesni(k, self.counter, out)
                }
            }
            self.counter = self.counter.wrapping_add(out.len() as u128);
            return;
        }
        if let Some(p) = &mut self.fallback {
            p.fill_blocks(out);
        }
        self.counter = self.counter.wrapping_add(out.len() as u128);
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! Why the `unsafe` is sound: the `#[target_feature]` functions are only called by
    //! `CtrPrg` after run-time detection of the features they enable (see `level`).
    //! `ctr_vaes` stores 32 bytes at a time with unaligned stores into the bounds-checked
    //! 32-byte chunks (`chunks_exact_mut(32)`) of each 16-block chunk's bytes, the tail
    //! (< 16 blocks) goes to `ctr_aesni`, which touches no raw memory (registers to `u128`).
    use super::*;
    use std::arch::x86_64::*;

    /// The 11 round keys of AES-128 (from [`duet_core::expand_key`]), zeroized on drop.
    pub(super) struct Keys(pub(super) [u128; 11]);

    impl Drop for Keys {
        fn drop(&mut self) {
            self.0.zeroize();
        }
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn ld(x: u128) -> __m128i {
        _mm_set_epi64x((x >> 64) as i64, x as i64)
    }

    #[inline]
    #[target_feature(enable = "sse2")]
    fn st(v: __m128i) -> u128 {
        let lo = _mm_cvtsi128_si64(v) as u64;
        let hi = _mm_cvtsi128_si64(_mm_unpackhi_epi64(v, v)) as u64;
        ((hi as u128) << 64) | lo as u128
    }

    /// AES-NI: 8 blocks in flight.
    #[target_feature(enable = "aes,sse2")]
    pub(super) fn ctr_aesni(keys: &Keys, ctr: u128, out: &mut [Block]) {
        let rk: [__m128i; 11] = core::array::from_fn(|i| ld(keys.0[i]));
        let mut c = ctr;
        for chunk in out.chunks_mut(8) {
            let mut x = [_mm_setzero_si128(); 8];
            for (i, xi) in x.iter_mut().enumerate().take(chunk.len()) {
                *xi = _mm_xor_si128(ld(c.wrapping_add(i as u128)), rk[0]);
            }
            for k in &rk[1..10] {
                for xi in x.iter_mut() {
                    *xi = _mm_aesenc_si128(*xi, *k);
                }
            }
            for (o, xi) in chunk.iter_mut().zip(x) {
                *o = Block(st(_mm_aesenclast_si128(xi, rk[10])));
            }
            c = c.wrapping_add(chunk.len() as u128);
        }
    }

    /// VAES on 256-bit registers: 16 blocks in flight.
    #[target_feature(enable = "aes,sse2,avx2,vaes")]
    pub(super) fn ctr_vaes(keys: &Keys, ctr: u128, out: &mut [Block]) {
        let rk: [__m256i; 11] =
            core::array::from_fn(|i| _mm256_broadcastsi128_si256(ld(keys.0[i])));
        let mut c = ctr;
        let mut chunks = out.chunks_exact_mut(16);
        // Counter pairs (c + 2i, c + 2i + 1) as 256-bit lanes; the low 64 bits never carry
        // within a 16-block chunk unless they wrap, handled by the scalar path below.
        let step = _mm256_set_epi64x(0, 16, 0, 16);
        let mut ctrv: [__m256i; 8] = core::array::from_fn(|i| {
            let (a, b) = (
                c.wrapping_add(2 * i as u128),
                c.wrapping_add(2 * i as u128 + 1),
            );
            _mm256_set_epi64x((b >> 64) as i64, b as i64, (a >> 64) as i64, a as i64)
        });
        for chunk in &mut chunks {
            let low = c as u64;
            if !(32..=u64::MAX - 32).contains(&low) {
                // Near a 64-bit wrap of the low counter half (lane additions do not carry):
                // rebuild the lanes in full precision.
                ctrv = core::array::from_fn(|i| {
                    let (a, b) = (
                        c.wrapping_add(2 * i as u128),
                        c.wrapping_add(2 * i as u128 + 1),
                    );
                    _mm256_set_epi64x((b >> 64) as i64, b as i64, (a >> 64) as i64, a as i64)
                });
            }
            let mut x: [__m256i; 8] = core::array::from_fn(|i| _mm256_xor_si256(ctrv[i], rk[0]));
            macro_rules! rounds {
                ($($r:literal)*) => {$(
                    let k = rk[$r];
                    x[0] = _mm256_aesenc_epi128(x[0], k);
                    x[1] = _mm256_aesenc_epi128(x[1], k);
                    x[2] = _mm256_aesenc_epi128(x[2], k);
                    x[3] = _mm256_aesenc_epi128(x[3], k);
                    x[4] = _mm256_aesenc_epi128(x[4], k);
                    x[5] = _mm256_aesenc_epi128(x[5], k);
                    x[6] = _mm256_aesenc_epi128(x[6], k);
                    x[7] = _mm256_aesenc_epi128(x[7], k);
                )*};
            }
            rounds!(1 2 3 4 5 6 7 8 9);
            let bytes = Block::slice_as_bytes_mut(chunk);
            for (dst, xi) in bytes.chunks_exact_mut(32).zip(x) {
                let y = _mm256_aesenclast_epi128(xi, rk[10]);
                // SAFETY: `dst` is exactly 32 bytes (chunks_exact_mut).
                unsafe { _mm256_storeu_si256(dst.as_mut_ptr().cast(), y) };
            }
            for v in ctrv.iter_mut() {
                *v = _mm256_add_epi64(*v, step);
            }
            c = c.wrapping_add(16);
        }
        let rest = chunks.into_remainder();
        if !rest.is_empty() {
            ctr_aesni(keys, c, rest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_core_prg() {
        let mut rng = rand::rng();
        for _ in 0..4 {
            let seed = Block::random(&mut rng);
            let mut a = CtrPrg::new(seed);
            let mut b = Prg::new(seed);
            for len in [1usize, 15, 16, 17, 64, 100, 3] {
                let mut x = vec![Block::ZERO; len];
                let mut y = vec![Block::ZERO; len];
                a.fill(&mut x);
                b.fill_blocks(&mut y);
                assert_eq!(x, y, "len {len}");
            }
            #[cfg(target_arch = "x86_64")]
            if let Some(k) = &a.fast {
                let mut x = vec![Block::ZERO; 40];
                let mut y = vec![Block::ZERO; 40];
                // SAFETY: `fast` implies AES-NI was detected.
                unsafe { x86::ctr_aesni(k, 5, &mut x) };
                if level() == 2 {
                    // Across the 64-bit wrap of the counter's low half, VAES == AES-NI.
                    let start = u64::MAX as u128 - 40;
                    let mut v = vec![Block::ZERO; 96];
                    let mut w = vec![Block::ZERO; 96];
                    // SAFETY: level 2 means VAES and AVX2 were detected.
                    unsafe { x86::ctr_vaes(k, start, &mut v) };
                    unsafe { x86::ctr_aesni(k, start, &mut w) };
                    assert_eq!(v, w);
                }
                let mut p = Prg::new(seed);
                let mut skip = [Block::ZERO; 5];
                p.fill_blocks(&mut skip);
                p.fill_blocks(&mut y);
                assert_eq!(x, y);
            }
        }
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    fn cpu_ns() -> u64 {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
        s.split_whitespace()
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0)
    }

    /// `cargo test --release -p duet-ot aesctr::timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn ns_per_block() {
        let mut a = CtrPrg::new(Block(1));
        let mut b = Prg::new(Block(1));
        let mut buf = vec![Block::ZERO; 64];
        for _ in 0..3 {
            let t = cpu_ns();
            for _ in 0..(1 << 16) {
                a.fill(&mut buf);
            }
            let fast = (cpu_ns() - t) as f64 / (64 << 16) as f64;
            let t = cpu_ns();
            for _ in 0..(1 << 16) {
                b.fill_blocks(&mut buf);
            }
            let slow = (cpu_ns() - t) as f64 / (64 << 16) as f64;
            println!("CtrPrg {fast:.2} ns/block, core Prg {slow:.2} ns/block");
        }
    }
}
