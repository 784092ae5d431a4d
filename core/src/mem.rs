//! Memory for bulk blocks larger than the caches: huge-page-backed zeroed vectors
//! ([`zeroed_blocks`]) and non-temporal (streaming) stores ([`NonTemporal`]).
//!
//! With 4 KiB pages a kernel streaming through four 64 MiB arrays (inputs, outputs, tables)
//! misses the TLB every 4 KiB on each of them; on 2 MiB pages it does not.
//!
//! A plain store to a line that is not in cache first reads the line from memory (the
//! read-for-ownership), so writing `n` fresh blocks costs `2n` blocks of memory traffic. A
//! non-temporal store (`movntdq`) writes the line without reading it, and does not evict
//! the working set for data that will not be read again soon. The garbler's half-gates
//! kernel on labels in memory (`duet_gc_core::half_gates::garble_and_gates`) reads 32 and writes 48
//! bytes per AND gate; streaming the writes removes 48 of its 128 bytes of traffic.
//!
//! Measured on 2^22 gates in memory (criterion, Xeon with AVX-512, 2 vCPU): garble 72 M
//! AND/s on 4 KiB pages with plain stores, 100–109 on huge pages with the kernel's stores
//! streamed; evaluate 113 → 118–136 from huge pages alone.
//!
//! Use it only for outputs that are large (well past L2) and not read back at once: a
//! streamed line is evicted from the caches.

use crate::Block;

/// Vectors of at least this many bytes get the huge-page advice (two 2 MiB pages).
pub const HUGE_MIN_BYTES: usize = 4 << 20;

/// `n` zero blocks, backed by transparent huge pages where the system allows it.
///
/// The memory comes zeroed from the allocator (`calloc`: for large sizes fresh pages from
/// the kernel, never written by us), and on Linux, for `16·n ≥` [`HUGE_MIN_BYTES`], the
/// 2 MiB-aligned interior of it is advised `MADV_HUGEPAGE` before any page is touched, so
/// that faulting it in takes one fault per 2 MiB instead of per 4 KiB and the TLB covers
/// it. The advice is only advice: with THP disabled (`never`) or no huge page free, the
/// pages are ordinary ones and nothing else changes. It is an ordinary `Vec` (freed by the
/// global allocator).
pub fn zeroed_blocks(n: usize) -> Vec<Block> {
    let v: Vec<Block> = bytemuck::zeroed_vec(n);
    #[cfg(target_os = "linux")]
    advise_huge(&v);
    v
}

/// `madvise(MADV_HUGEPAGE)` over the whole 2 MiB pages inside `v` (Linux).
#[cfg(target_os = "linux")]
fn advise_huge(v: &[Block]) {
    const HUGE: usize = 2 << 20;
    let bytes = core::mem::size_of_val(v);
    if bytes < HUGE_MIN_BYTES {
        return;
    }
    let start = v.as_ptr() as usize;
    let (lo, hi) = (start.next_multiple_of(HUGE), (start + bytes) / HUGE * HUGE);
    if hi > lo {
        // SAFETY: `[lo, hi)` lies inside `v`'s live allocation and is page aligned, as
        // madvise requires. MADV_HUGEPAGE changes neither the contents nor the mapping's
        // validity (only how later faults are served); its result is advisory and ignored.
        unsafe {
            libc::madvise(lo as *mut libc::c_void, hi - lo, libc::MADV_HUGEPAGE);
        }
    }
}

/// Ask the CPU to bring `blocks` into the caches (one `prefetcht0` per 64-byte line; a
/// no-op off x86-64). A hint for loops that stream through arrays larger than the caches:
/// issued a few kilobytes ahead, it overlaps the loads with the work on earlier data.
#[inline]
pub fn prefetch(blocks: &[Block]) {
    #[cfg(target_arch = "x86_64")]
    for line in blocks.chunks(4) {
        // SAFETY: SSE is part of x86-64; a prefetch never faults and reads nothing
        // architecturally, and the pointer is into a live slice anyway.
        unsafe {
            use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>(line.as_ptr() as *const i8)
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = blocks;
}

/// A run of non-temporal stores. Its methods store without fencing (a fence per call costs
/// the wait for every pending write-combining buffer: it halved the kernels' throughput);
/// dropping it issues one `sfence`, which orders the run's stores before any later store
/// of this thread, so another thread handed the memory afterwards (through a channel, a
/// lock or a join) sees them. The thread itself always sees its own stores.
#[derive(Debug)]
pub struct NonTemporal {
    _private: (),
}

impl NonTemporal {
    /// Start a run of non-temporal stores.
    #[inline]
    pub fn new() -> Self {
        NonTemporal { _private: () }
    }

    /// Copy `src` into `dst` with non-temporal stores (plain copies off x86-64).
    ///
    /// # Panics
    /// If the lengths differ (a caller bug).
    #[inline]
    pub fn copy(&mut self, dst: &mut [Block], src: &[Block]) {
        assert_eq!(dst.len(), src.len(), "NonTemporal::copy: lengths differ");
        // SAFETY: `dst` is valid for writes of `src.len()` blocks (an exclusive slice of
        // that length).
        unsafe { stream_to(dst.as_mut_ptr(), src) };
    }

    /// Append `src` to `dst` with non-temporal stores, writing straight into `dst`'s spare
    /// capacity (no zero-fill first: a `resize` before the copy would read every line in
    /// and write it twice). Grows `dst` as `extend_from_slice` does.
    #[inline]
    pub fn extend(&mut self, dst: &mut Vec<Block>, src: &[Block]) {
        dst.reserve(src.len());
        let len = dst.len();
        let spare = &mut dst.spare_capacity_mut()[..src.len()];
        // SAFETY: `spare` is valid for writes of `src.len()` blocks (`MaybeUninit<Block>`
        // has `Block`'s layout); `stream_to` only writes through the raw pointer.
        unsafe { stream_to(spare.as_mut_ptr().cast::<Block>(), src) };
        // SAFETY: the `src.len()` blocks after `len` were initialised just above, within
        // the capacity reserved at the start.
        unsafe { dst.set_len(len + src.len()) };
    }
}

/// Write `src` to `dst .. dst + src.len()` with non-temporal stores (plain writes off
/// x86-64). Writes only; never reads `dst`.
///
/// # Safety
/// `dst` must be valid for writes of `src.len()` blocks and not overlap `src`.
#[inline]
unsafe fn stream_to(dst: *mut Block, src: &[Block]) {
    #[cfg(target_arch = "x86_64")]
    {
        use core::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
        for (i, s) in src.iter().enumerate() {
            // SAFETY: SSE2 is part of x86-64. `dst + i` is in the caller's writable range,
            // and a `Block` pointer (a `u128`, `repr(transparent)`) is 16-byte aligned, as
            // `movntdq` requires; `s` is a valid `&Block` (read with an unaligned load).
            unsafe {
                let v = _mm_loadu_si128(s as *const Block as *const __m128i);
                _mm_stream_si128(dst.add(i).cast::<__m128i>(), v);
            }
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    for (i, s) in src.iter().enumerate() {
        // SAFETY: `dst + i` is in the caller's writable range.
        unsafe { dst.add(i).write(*s) };
    }
}

impl Default for NonTemporal {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for NonTemporal {
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: SSE is part of x86-64; `sfence` has no memory-safety preconditions.
        unsafe {
            core::arch::x86_64::_mm_sfence()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_and_extends_exactly() {
        let src: Vec<Block> = (0..1000u128).map(|i| Block(i * 0x9e37_79b9 + 7)).collect();
        let mut dst = vec![Block::ZERO; 1000];
        let mut v = vec![Block::ONES; 3];
        {
            let mut nt = NonTemporal::new();
            nt.copy(&mut dst, &src);
            nt.extend(&mut v, &src[..517]);
            nt.extend(&mut v, &[]);
            nt.extend(&mut v, &src[517..]);
        }
        assert_eq!(dst, src);
        assert_eq!(v.len(), 1003);
        assert_eq!(&v[..3], &[Block::ONES; 3]);
        assert_eq!(&v[3..], &src[..]);
    }

    #[test]
    fn zeroed_blocks_are_zero_and_writable() {
        for n in [0usize, 1, 1000, (HUGE_MIN_BYTES / 16) + 12_345] {
            let mut v = zeroed_blocks(n);
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|b| *b == Block::ZERO));
            for (i, b) in v.iter_mut().enumerate().step_by(4099) {
                *b = Block(i as u128);
            }
            assert!(
                v.iter()
                    .enumerate()
                    .step_by(4099)
                    .all(|(i, b)| b.0 == i as u128)
            );
        }
    }

    #[test]
    #[should_panic(expected = "lengths differ")]
    fn length_mismatch_is_a_caller_bug() {
        NonTemporal::new().copy(&mut [Block::ZERO; 2], &[Block::ZERO; 3]);
    }
}
