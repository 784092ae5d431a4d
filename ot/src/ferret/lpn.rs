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
//! (80 blocks, enough for the pipelined AES back ends), and those of the next batch are
//! computed and prefetched before the current batch reads the secret vector, so the random
//! reads (the vector is 9 MiB for the main set, past L2) overlap.

use super::params::D;
use duet_core::{Block, FIXED_KEY_AES, mem::prefetch};

/// Rows per batch (even: two rows share five AES blocks).
const ROWS: usize = 64;
const BLOCKS: usize = ROWS / 2 * 5;
const _: () = assert!(BLOCKS * 4 == ROWS * D);

/// The indices of rows `first .. first + ROWS` (`first` even) into `idx`.
fn indices(tag: u64, first: usize, k: usize, idx: &mut [u32; ROWS * D]) {
    let mut blk = [Block::ZERO; BLOCKS];
    let base = (first / 2 * 5) as u128;
    for (m, b) in blk.iter_mut().enumerate() {
        *b = Block((u128::from(tag) << 64) | (base + m as u128));
    }
    FIXED_KEY_AES.permute_many(&mut blk);
    let words: &[u32; ROWS * D] = bytemuck::cast_ref(&blk);
    for (o, &w) in idx.iter_mut().zip(words) {
        *o = ((u64::from(w) * k as u64) >> 32) as u32;
    }
}

/// `out[i] ^= ⊕_{j < D} secret[idx(i, j)]` for every row `i` of `out`.
pub(crate) fn encode(tag: u64, secret: &[Block], out: &mut [Block]) {
    let k = secret.len();
    assert!(
        k > 0 && k <= u32::MAX as usize,
        "LPN secret length {k} out of range"
    );
    let mut cur = [0u32; ROWS * D];
    let mut next = [0u32; ROWS * D];
    indices(tag, 0, k, &mut cur);
    let batches = out.len().div_ceil(ROWS);
    for (b, rows) in out.chunks_mut(ROWS).enumerate() {
        if b + 1 < batches {
            indices(tag, (b + 1) * ROWS, k, &mut next);
            for &i in next.iter() {
                let i = i as usize;
                prefetch(&secret[i..i + 1]);
            }
        }
        for (row, ix) in rows.iter_mut().zip(cur.chunks_exact(D)) {
            let mut acc = *row;
            for &i in ix {
                acc ^= secret[i as usize];
            }
            *row = acc;
        }
        core::mem::swap(&mut cur, &mut next);
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
            encode(5, &secret, &mut out);
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
