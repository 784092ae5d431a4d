//! Two-block loads and stores on 256-bit registers, shared by the AVX2/VAES kernels of
//! this crate (IKNP rows, KOS check). Sound: the slices are converted to exactly two blocks
//! (32 bytes) with a bounds check before the unaligned access; callers are
//! `#[target_feature(enable = "avx2")]` functions reached only after run-time detection.

use duet_core::Block;
use std::arch::x86_64::{__m256i, _mm256_loadu_si256, _mm256_storeu_si256};

/// Blocks `b[0..2]` as one register (panics unless `b.len() == 2`).
#[inline]
#[target_feature(enable = "avx2")]
pub(crate) fn load2(b: &[Block]) -> __m256i {
    let b: &[Block; 2] = b.try_into().expect("2 blocks");
    // SAFETY: `b` is exactly 32 bytes.
    unsafe { _mm256_loadu_si256(b.as_ptr().cast()) }
}

/// Store `v` into `b[0..2]` (panics unless `b.len() == 2`).
#[inline]
#[target_feature(enable = "avx2")]
pub(crate) fn store2(b: &mut [Block], v: __m256i) {
    let b: &mut [Block; 2] = b.try_into().expect("2 blocks");
    // SAFETY: `b` is exactly 32 bytes.
    unsafe { _mm256_storeu_si256(b.as_mut_ptr().cast(), v) }
}
