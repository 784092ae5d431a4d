//! The primal-LPN encoding of Ferret (eprint 2020/924 §3.1 and §6.1): output row `i` gets
//! the XOR of `D = 10` entries of the length-`k` secret vector, at indices drawn from a
//! public random local linear code.
//!
//! Row `i`'s indices come from fixed-key AES (the public permutation π of
//! [`duet_core::FIXED_KEY_AES`]): rows `2p` and `2p + 1` share the five blocks
//! `π(tag ‖ 5p + m)`, `m < 5`, read as twenty 32-bit words `w`, each mapped to
//! `⌊w · k / 2^32⌋` (a bias below `k / 2^32`, irrelevant for a public random code).
//! `tag` separates the setup code from the main one.
//!
//! The loop is batched: the indices of [`ROWS`] rows are computed with one AES call
//! (160 blocks, enough for the pipelined AES back ends) a batch ahead, and the secret
//! entries of row `i + 32` are prefetched while row `i` reads its own, so the random reads
//! (the vector is 9 MiB for Ferret's main set, past L2) overlap; 32 rows ahead measured
//! best of 0–64, and the hint level (T0/T2) made no difference.

use super::params::D;
use duet_core::{Block, FIXED_KEY_AES};

/// Prefetch the cache line at `p` into all levels (a hint: never faults, any address).
#[inline(always)]
fn prefetch_at(p: *const Block) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` reads nothing architecturally and cannot fault, whatever `p` is;
    // SSE is baseline on x86-64.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// Rows per batch (even: two rows share five AES blocks).
const ROWS: usize = 64;
const BLOCKS: usize = ROWS / 2 * 5;
const _: () = assert!(BLOCKS * 4 == ROWS * D);

/// The indices of rows `first .. first + ROWS` (`first` even) into `idx`.
fn indices(tag: u64, first: usize, k: u32, idx: &mut [u32; ROWS * D]) {
    let mut blk = [Block::ZERO; BLOCKS];
    let base = (first / 2 * 5) as u128;
    for (m, b) in blk.iter_mut().enumerate() {
        *b = Block((u128::from(tag) << 64) | (base + m as u128));
    }
    FIXED_KEY_AES.permute_many(&mut blk);
    let words: &[u32; ROWS * D] = bytemuck::cast_ref(&blk);
    for (o, &w) in idx.iter_mut().zip(words) {
        // u32 × u32 fits in u64: no overflow (and no overflow check in the loop)
        *o = ((u64::from(w) * u64::from(k)) >> 32) as u32;
    }
}

/// Rows between a row's prefetch and its reads.
const PF: usize = 32;
const _: () = assert!(PF <= ROWS);

/// `out[i] ^= ⊕_{j < D} secret[idx(first + i, j)]` for every row `i` of `out`: rows
/// `first ..` of the code (`first` even).
pub(crate) fn encode(tag: u64, secret: &[Block], first: usize, out: &mut [Block]) {
    assert!(first.is_multiple_of(2), "LPN rows start at an even row");
    let k = u32::try_from(secret.len()).expect("LPN secret length below 2^32");
    assert!(k > 0, "empty LPN secret");
    let base = secret.as_ptr();
    let fetch = |i: u32| prefetch_at(base.wrapping_add(i as usize));
    // Indices of two batches: the current one and the next.
    let mut idx = [[0u32; ROWS * D]; 2];
    indices(tag, first, k, &mut idx[0]);
    for &i in &idx[0][..PF * D] {
        fetch(i);
    }
    let batches = out.len().div_ceil(ROWS);
    for (b, rows) in out.chunks_mut(ROWS).enumerate() {
        let (cur, next) = if b % 2 == 0 {
            let (x, y) = idx.split_at_mut(1);
            (&x[0], &mut y[0])
        } else {
            let (x, y) = idx.split_at_mut(1);
            (&y[0], &mut x[0])
        };
        let more = b + 1 < batches;
        if more {
            indices(tag, first + (b + 1) * ROWS, k, next);
        }
        for (r, row) in rows.iter_mut().enumerate() {
            let ahead = r + PF;
            if ahead < ROWS {
                for &i in &cur[ahead * D..(ahead + 1) * D] {
                    fetch(i);
                }
            } else if more {
                for &i in &next[(ahead - ROWS) * D..(ahead - ROWS + 1) * D] {
                    fetch(i);
                }
            }
            let ix: &[u32; D] = cur[r * D..(r + 1) * D].try_into().expect("D indices");
            let mut acc = *row;
            for &i in ix {
                // SAFETY: `indices` maps every word `w < 2^32` to `⌊w·k / 2^32⌋ < k`, so
                // `i` is in bounds of `secret` (length `k`).
                acc ^= unsafe { *secret.get_unchecked(i as usize) };
            }
            *row = acc;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The batched encoder matches a row-at-a-time definition, on lengths that are not
    /// multiples of the batch.
    #[test]
    fn matches_definition() {
        let k = 777;
        let secret: Vec<Block> = (0..k as u128).map(|i| Block(i * 0x9e37_79b9 + 1)).collect();
        for n in [1usize, 63, 64, 65, 1000] {
            let mut out: Vec<Block> = (0..n as u128).map(Block).collect();
            // in two pieces: the code's rows do not depend on the split
            let cut = (n / 3) & !1;
            let (a, b) = out.split_at_mut(cut);
            encode(5, &secret, 0, a);
            encode(5, &secret, cut, b);
            for (i, o) in out.iter().enumerate() {
                let p = i / 2;
                let mut blk: Vec<Block> = (0..5)
                    .map(|m| Block((5u128 << 64) | (5 * p + m) as u128))
                    .collect();
                FIXED_KEY_AES.permute_many(&mut blk);
                let words: &[u32] = bytemuck::cast_slice(&blk);
                let mut want = Block(i as u128);
                for &w in &words[(i % 2) * D..(i % 2 + 1) * D] {
                    want ^= secret[((u64::from(w) * k as u64) >> 32) as usize];
                }
                assert_eq!(*o, want, "row {i} of {n}");
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod timing {
    use super::*;

    /// CPU time of this thread in ns (Linux `schedstat`), so that timings on a loaded
    /// machine count our work only.
    pub(crate) fn cpu_ns() -> u64 {
        std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    }

    /// `cargo test -p duet-ot ferret::lpn::timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn parts() {
        let n = 1 << 22;
        let secret = duet_core::mem::zeroed_blocks(1 << 20);
        let mut out = duet_core::mem::zeroed_blocks(n);
        out.fill(Block::ONE);
        let mut idx = [0u32; ROWS * D];
        let per = |t0: u64| (cpu_ns() - t0) as f64 / n as f64;
        for _ in 0..2 {
            let s = cpu_ns();
            let mut acc = 0u32;
            for b in 0..n / ROWS {
                indices(2, b * ROWS, 589_760, &mut idx);
                acc ^= idx[3];
            }
            std::hint::black_box(acc);
            let t_idx = per(s);
            let s = cpu_ns();
            duet_core::FIXED_KEY_AES.permute_many(&mut out);
            let t_aes = per(s);
            print!("CPU: indices {t_idx:.2} ns/row, AES {t_aes:.2} ns/block;");
            for k in [4096, 124_000, 238_000, 589_760, 1 << 20] {
                let s = cpu_ns();
                encode(2, &secret[..k], 0, &mut out);
                print!(" k={k}: {:.2}", per(s));
            }
            println!();
        }
    }
}
