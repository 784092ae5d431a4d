//! Cuckoo hashing (receiver) and simple hashing (sender) with 3 hash functions.
//!
//! The hash functions are derived from a public 128-bit seed: z = AES_seed(y) for the
//! item's 128-bit hash y, and h_k(y) = ⌊w_k · m / 2^32⌋ for the k-th 32-bit word w_k of z
//! (k = 0, 1, 2). One AES call per item gives all three bins; batched.

use super::{CHUNK_BINS, NUM_HASHES};
use duet_core::{Block, FixedKeyAes};

/// Marks an empty cuckoo bin.
pub const EMPTY: u32 = u32::MAX;

/// The three bin functions for a table of `bins` bins under a public seed.
pub struct BinHasher {
    aes: FixedKeyAes,
    bins: u32,
}

impl BinHasher {
    /// Hash functions for `bins` bins (1 ≤ bins < 2^32) under `seed`.
    pub fn new(seed: Block, bins: u32) -> Self {
        BinHasher {
            aes: FixedKeyAes::new(seed.to_bytes()),
            bins,
        }
    }

    /// The three bins of every item of `ys` (`out.len() == ys.len()`).
    pub fn bins_many(&self, ys: &[Block], out: &mut [[u32; NUM_HASHES]]) {
        let m = self.bins as u64;
        let mut buf = [Block::ZERO; 256];
        for (ych, och) in ys.chunks(256).zip(out.chunks_mut(256)) {
            let b = &mut buf[..ych.len()];
            b.copy_from_slice(ych);
            self.aes.permute_many(b);
            for (z, o) in b.iter().zip(och.iter_mut()) {
                for (k, slot) in o.iter_mut().enumerate() {
                    let w = (z.0 >> (32 * k)) as u32 as u64;
                    *slot = ((w * m) >> 32) as u32;
                }
            }
        }
    }
}

/// A filled cuckoo table: for each bin the item index placed there (or [`EMPTY`]) and the
/// hash function (0..3) that placed it.
pub struct CuckooTable {
    /// Item index per bin, [`EMPTY`] if none.
    pub slots: Vec<u32>,
    /// Hash function index per occupied bin.
    pub which: Vec<u8>,
}

/// Insert every item (given its three bins) by random-walk cuckoo insertion with at most
/// `max_kicks` evictions per item. `None` if an insertion failed (the caller re-hashes with
/// a new seed). `walk_seed` drives the (public, non-secret) choice of victims.
pub fn cuckoo_insert(
    bins_of: &[[u32; NUM_HASHES]],
    bins: u32,
    max_kicks: u32,
    walk_seed: u64,
) -> Option<CuckooTable> {
    let mut slots = vec![EMPTY; bins as usize];
    let mut which = vec![0u8; bins as usize];
    let mut rng = walk_seed | 1;
    let mut next = move || {
        // xorshift64: only picks which occupant to evict.
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for item in 0..bins_of.len() as u32 {
        let mut cur = item;
        let mut last_bin = u32::MAX;
        let mut kicks = 0u32;
        loop {
            let bs = bins_of[cur as usize];
            if let Some(k) = bs.iter().position(|&b| slots[b as usize] == EMPTY) {
                slots[bs[k] as usize] = cur;
                which[bs[k] as usize] = k as u8;
                break;
            }
            if kicks >= max_kicks {
                return None;
            }
            kicks += 1;
            // Evict a random occupant, avoiding the bin we were just evicted from.
            let mut k = (next() % NUM_HASHES as u64) as usize;
            if bs[k] == last_bin {
                k = (k + 1 + (next() % (NUM_HASHES as u64 - 1)) as usize) % NUM_HASHES;
            }
            let b = bs[k] as usize;
            let victim = slots[b];
            slots[b] = cur;
            which[b] = k as u8;
            last_bin = b as u32;
            cur = victim;
        }
    }
    Some(CuckooTable { slots, which })
}

/// The sender's simple hashing, bucketed by OT-extension chunk: every (item, hash index)
/// pair, ordered by chunk of its bin, as `(item, bin << 2 | hash index)`; `starts[c]..starts[c+1]`
/// are the pairs of chunk c.
pub struct Buckets {
    /// `(item index, bin << 2 | hash index)` pairs grouped by chunk.
    pub pairs: Vec<(u32, u32)>,
    /// Offsets of each chunk's pairs (`chunks + 1` entries).
    pub starts: Vec<usize>,
}

impl Buckets {
    /// Bucket all items' bins (`bins < 2^30`) into chunks of [`CHUNK_BINS`] bins.
    pub fn new(bins_of: &[[u32; NUM_HASHES]], bins: u32) -> Self {
        let chunks = (bins as usize).div_ceil(CHUNK_BINS);
        let mut counts = vec![0usize; chunks + 1];
        for bs in bins_of {
            for &b in bs {
                counts[b as usize / CHUNK_BINS + 1] += 1;
            }
        }
        for c in 0..chunks {
            counts[c + 1] += counts[c];
        }
        let starts = counts.clone();
        let mut fill = counts;
        let mut pairs = vec![(0u32, 0u32); bins_of.len() * NUM_HASHES];
        for (item, bs) in bins_of.iter().enumerate() {
            for (k, &b) in bs.iter().enumerate() {
                let c = b as usize / CHUNK_BINS;
                pairs[fill[c]] = (item as u32, (b << 2) | k as u32);
                fill[c] += 1;
            }
        }
        Buckets { pairs, starts }
    }

    /// The pairs whose bins lie in chunk `c`.
    pub fn chunk(&self, c: usize) -> &[(u32, u32)] {
        &self.pairs[self.starts[c]..self.starts[c + 1]]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duet_core::Prg;

    fn random_items(n: usize, seed: u128) -> Vec<Block> {
        let mut prg = Prg::new(Block(seed));
        let mut v = vec![Block::ZERO; n];
        prg.fill_blocks(&mut v);
        v
    }

    #[test]
    fn bins_in_range_and_deterministic() {
        let ys = random_items(1000, 1);
        let h = BinHasher::new(Block(5), 1280);
        let mut a = vec![[0u32; 3]; ys.len()];
        let mut b = vec![[0u32; 3]; ys.len()];
        h.bins_many(&ys, &mut a);
        h.bins_many(&ys, &mut b);
        assert_eq!(a, b);
        assert!(a.iter().flatten().all(|&x| x < 1280));
        let mut c = vec![[0u32; 3]; ys.len()];
        BinHasher::new(Block(6), 1280).bins_many(&ys, &mut c);
        assert_ne!(a, c);
    }

    #[test]
    fn cuckoo_places_every_item_in_one_of_its_bins() {
        let n = 100_000;
        let m = super::super::num_bins(n as u64) as u32;
        let ys = random_items(n, 2);
        let mut bins_of = vec![[0u32; 3]; n];
        BinHasher::new(Block(9), m).bins_many(&ys, &mut bins_of);
        let t = cuckoo_insert(&bins_of, m, 500, 7).expect("1.27n bins suffice");
        let mut seen = vec![false; n];
        for (b, &s) in t.slots.iter().enumerate() {
            if s != EMPTY {
                assert!(!seen[s as usize], "item placed twice");
                seen[s as usize] = true;
                assert_eq!(bins_of[s as usize][t.which[b] as usize], b as u32);
            }
        }
        assert!(seen.iter().all(|&x| x));
    }

    #[test]
    fn cuckoo_reports_failure() {
        // 4 items that all hash to the same 3 bins cannot be placed.
        let bins_of = vec![[0, 1, 2]; 4];
        assert!(cuckoo_insert(&bins_of, 128, 1000, 1).is_none());
        assert!(cuckoo_insert(&bins_of[..3], 128, 1000, 1).is_some());
        // Over-full table with no kicks allowed.
        let ys = random_items(120, 3);
        let mut bo = vec![[0u32; 3]; 120];
        BinHasher::new(Block(1), 128).bins_many(&ys, &mut bo);
        assert!(cuckoo_insert(&bo, 128, 0, 1).is_none());
    }

    #[test]
    fn buckets_cover_all_pairs_by_chunk() {
        let ys = random_items(5000, 4);
        let m = 3 * CHUNK_BINS as u32 + 256;
        let mut bins_of = vec![[0u32; 3]; ys.len()];
        BinHasher::new(Block(2), m).bins_many(&ys, &mut bins_of);
        let bk = Buckets::new(&bins_of, m);
        assert_eq!(bk.starts.len(), 5);
        assert_eq!(bk.pairs.len(), 15000);
        for c in 0..4 {
            for &(item, bk_) in bk.chunk(c) {
                let (b, k) = (bk_ >> 2, bk_ & 3);
                assert_eq!(b as usize / CHUNK_BINS, c);
                assert_eq!(bins_of[item as usize][k as usize], b);
            }
        }
    }
}
