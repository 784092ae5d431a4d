//! AES-128 in ECB mode (a keyed permutation of 16-byte blocks) with an explicit FIPS-197 key
//! schedule and a VAES-256 fast path.
//!
//! Why it exists: on AMD Zen 3 (this project's machine kind: VAES-256, no AVX-512) the `aes`
//! crate 0.9 does not select its VAES back end, while the hardware runs two 256-bit `vaesenc`
//! per cycle; a loop with 8 independent 256-bit registers (16 blocks) in flight encrypts
//! about twice as many blocks per second as the crate's AES-NI path. Every other CPU uses the
//! `aes` crate (chosen at run time) with the same key, and a test checks both paths agree.
//! The fixed-key hashes ([`crate::hash`]) and the garbling kernels of `duet-gc` build on it.

use crate::Block;
use aes::Aes128;
use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};

/// AES-128 under one key: the `aes` crate's cipher, the 11 round keys and whether this CPU
/// takes the VAES-256 path (VAES + AVX2 + AES-NI, detected once at construction).
#[derive(Clone)]
pub struct AesEcb {
    cipher: Aes128,
    round_keys: [Block; 11],
    vaes: bool,
}

impl AesEcb {
    /// The cipher under `key` (16 bytes; may be secret: both key schedules are constant
    /// time, the `aes` crate's and, on the VAES path, `aeskeygenassist`).
    pub fn new(key: [u8; 16]) -> Self {
        #[cfg(target_arch = "x86_64")]
        let vaes = std::arch::is_x86_feature_detected!("vaes")
            && std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("aes");
        #[cfg(not(target_arch = "x86_64"))]
        let vaes = false;
        let mut round_keys = [Block::ZERO; 11];
        #[cfg(target_arch = "x86_64")]
        if vaes {
            // SAFETY: the CPU has AES-NI (checked just above).
            round_keys = unsafe { vaes_x86::expand(&key) };
        }
        AesEcb {
            cipher: Aes128::new(&Array::from(key)),
            round_keys,
            vaes,
        }
    }

    /// The FIPS-197 round keys `rk[0..11]` (for callers' own fused kernels); all zero when
    /// [`AesEcb::has_vaes`] is false (the `aes` crate then keeps its own schedule).
    #[inline]
    pub fn round_keys(&self) -> &[Block; 11] {
        &self.round_keys
    }

    /// Whether [`AesEcb::encrypt_blocks`] takes the VAES-256 path on this CPU.
    #[inline]
    pub fn has_vaes(&self) -> bool {
        self.vaes
    }

    /// Encrypt one block.
    #[inline]
    pub fn encrypt_block(&self, x: Block) -> Block {
        let mut b = Array::from(x.to_bytes());
        self.cipher.encrypt_block(&mut b);
        Block::from_bytes(b.into())
    }

    /// Encrypt every block of `blocks` in place (any length; fastest for multiples of 16).
    #[inline]
    pub fn encrypt_blocks(&self, blocks: &mut [Block]) {
        #[cfg(target_arch = "x86_64")]
        if self.vaes {
            // SAFETY: `vaes` is true only if the CPU supports VAES, AVX2 and AES-NI, the
            // target features `vaes_x86::encrypt` is compiled with.
            unsafe { vaes_x86::encrypt(&self.round_keys, blocks) };
            return;
        }
        self.encrypt_blocks_portable(blocks);
    }

    /// [`AesEcb::encrypt_blocks`] through the `aes` crate (the path of CPUs without VAES).
    pub fn encrypt_blocks_portable(&self, blocks: &mut [Block]) {
        let bytes: &mut [[u8; 16]] = bytemuck::cast_slice_mut(blocks);
        self.cipher
            .encrypt_blocks(Array::cast_slice_from_core_mut(bytes));
    }
}

/// The 11 AES-128 round keys of `key` (FIPS-197 §5.2, computed with `aeskeygenassist`),
/// or `None` when the CPU has no AES-NI (detected at run time). For callers running their
/// own AES-NI loops (e.g. `duet-ot`'s counter-mode PRG); the caller zeroizes the keys
/// when `key` is secret.
pub fn expand_key(key: [u8; 16]) -> Option<[Block; 11]> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("aes") {
        // SAFETY: the CPU has AES-NI (checked just above); SSE2 is baseline on x86_64.
        return Some(unsafe { vaes_x86::expand(&key) });
    }
    let _ = key;
    None
}

impl core::fmt::Debug for AesEcb {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AesEcb")
            .field("vaes", &self.vaes)
            .finish_non_exhaustive()
    }
}

impl Drop for AesEcb {
    fn drop(&mut self) {
        // the key may be a PRG seed
        for k in self.round_keys.iter_mut() {
            zeroize::Zeroize::zeroize(&mut k.0);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod vaes_x86 {
    use crate::Block;
    use std::arch::x86_64::*;

    /// One step of the FIPS-197 §5.2 key expansion with `aeskeygenassist` (constant time).
    #[inline]
    #[target_feature(enable = "aes,sse2")]
    fn step<const RCON: i32>(k: __m128i) -> __m128i {
        let t = _mm_shuffle_epi32::<0xff>(_mm_aeskeygenassist_si128::<RCON>(k));
        let k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        let k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        let k = _mm_xor_si128(k, _mm_slli_si128::<4>(k));
        _mm_xor_si128(k, t)
    }

    /// The 11 AES-128 round keys of `key`.
    ///
    /// # Safety
    /// The CPU must support AES-NI. Memory: one unaligned 16-byte load from `key` and stores
    /// into the local array.
    #[target_feature(enable = "aes,sse2")]
    pub(super) unsafe fn expand(key: &[u8; 16]) -> [Block; 11] {
        // SAFETY (whole body): see the function docs.
        unsafe {
            let mut rk = [Block::ZERO; 11];
            let mut k = _mm_loadu_si128(key.as_ptr() as *const __m128i);
            let mut put = |i: usize, v: __m128i| {
                _mm_storeu_si128(&mut rk[i] as *mut Block as *mut __m128i, v)
            };
            put(0, k);
            k = step::<0x01>(k);
            put(1, k);
            k = step::<0x02>(k);
            put(2, k);
            k = step::<0x04>(k);
            put(3, k);
            k = step::<0x08>(k);
            put(4, k);
            k = step::<0x10>(k);
            put(5, k);
            k = step::<0x20>(k);
            put(6, k);
            k = step::<0x40>(k);
            put(7, k);
            k = step::<0x80>(k);
            put(8, k);
            k = step::<0x1b>(k);
            put(9, k);
            k = step::<0x36>(k);
            put(10, k);
            rk
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
    fn key_schedule_known_answer() {
        // FIPS-197 Appendix A.1: key 2b7e1516 28aed2a6 abf71588 09cf4f3c → w43 = b6630ca6
        let key = [
            0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf,
            0x4f, 0x3c,
        ];
        let a = AesEcb::new(key);
        if a.has_vaes() {
            let rk = a.round_keys();
            assert_eq!(rk[0].to_bytes(), key);
            assert_eq!(&rk[10].to_bytes()[12..], &[0xb6, 0x63, 0x0c, 0xa6]);
        }
    }

    #[test]
    fn fast_path_equals_aes_crate() {
        let pi = AesEcb::new(*b"any 16-byte key!");
        // FIPS-197 Appendix C.1 through the fast path too
        let fips = AesEcb::new(core::array::from_fn(|i| i as u8));
        let pt = Block::from_bytes([
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
            0xee, 0xff,
        ]);
        let mut v = [pt; 17];
        fips.encrypt_blocks(&mut v);
        for c in v {
            assert_eq!(
                c.to_bytes(),
                [
                    0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70,
                    0xb4, 0xc5, 0x5a
                ]
            );
        }
        assert_eq!(fips.encrypt_block(pt), v[0]);
        for n in [0usize, 1, 2, 3, 15, 16, 17, 33, 100] {
            let xs: Vec<Block> = (0..n as u128)
                .map(|i| Block(i * 0x9e37_79b9_7f4a_7c15 + 7))
                .collect();
            let mut a = xs.clone();
            pi.encrypt_blocks(&mut a);
            let mut b = xs.clone();
            pi.encrypt_blocks_portable(&mut b);
            assert_eq!(a, b, "n = {n}");
            if n > 0 {
                assert_ne!(a[0], xs[0]);
            }
        }
    }
}
