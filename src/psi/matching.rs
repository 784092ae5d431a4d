//! Open-addressing tables over pseudorandom keys: de-duplication of item hashes and the
//! receiver's lookup table of its own OPRF values.
//!
//! Keys are blake3 outputs or OPRF outputs, i.e. uniformly random to anyone who does not
//! know them, so their low bits index the tables directly. The peer's values are looked up,
//! never inserted, so a malicious peer cannot degrade the table.

use duet_core::Block;

fn table_size(n: usize) -> usize {
    (2 * n).next_power_of_two().max(16)
}

/// Indices of the first occurrence of every distinct block, ascending.
pub fn dedup_first(items: &[Block]) -> Vec<u32> {
    let size = table_size(items.len());
    let mask = size - 1;
    let mut table = vec![u32::MAX; size];
    let mut out = Vec::with_capacity(items.len());
    for (i, y) in items.iter().enumerate() {
        // Mix the high half in so that structured (non-hash) test inputs spread too.
        let mut pos = ((y.0 as u64) ^ ((y.0 >> 64) as u64).rotate_left(29)) as usize & mask;
        loop {
            let t = table[pos];
            if t == u32::MAX {
                table[pos] = i as u32;
                out.push(i as u32);
                break;
            }
            if items[t as usize] == *y {
                break;
            }
            pos = (pos + 1) & mask;
        }
    }
    out
}

/// The receiver's table: truncated OPRF value → bin.
pub struct MatchTable {
    /// slot = fingerprint (high 32 bits) | bin + 1 (low 32 bits); 0 = empty.
    slots: Vec<u64>,
    mask: usize,
    /// the full truncated value per bin (only occupied bins are inserted).
    values: Vec<u128>,
}

impl MatchTable {
    /// A table for `n` values over `bins` bins.
    pub fn new(n: usize, bins: usize) -> Self {
        let size = table_size(n);
        MatchTable {
            slots: vec![0; size],
            mask: size - 1,
            values: vec![0; bins],
        }
    }

    #[inline]
    fn split(v: u128) -> (usize, u64) {
        let lo = v as u64;
        let hi = (v >> 64) as u64;
        let mixed = lo ^ hi.rotate_left(17);
        (mixed as usize, (mixed >> 32) | 1)
    }

    /// Insert the value of `bin` (bin < 2^32 − 1).
    pub fn insert(&mut self, bin: u32, v: u128) {
        self.values[bin as usize] = v;
        let (mut pos, fp) = Self::split(v);
        pos &= self.mask;
        while self.slots[pos] != 0 {
            pos = (pos + 1) & self.mask;
        }
        self.slots[pos] = (fp << 32) | (bin as u64 + 1);
    }

    /// Call `f(bin)` for every inserted bin whose value equals `v`.
    #[inline]
    pub fn lookup(&self, v: u128, f: impl FnMut(u32)) {
        let (pos, fp) = Self::split(v);
        let pos = pos & self.mask;
        self.probe(v, fp, pos, self.slots[pos], f);
    }

    /// [`MatchTable::lookup`] for many values: `f(i, bin)` for every match of `vs[i]`. The
    /// first slot of 64 values is loaded in a branch-free pass so that the cache misses
    /// overlap (the table is much larger than the caches).
    pub fn lookup_many(&self, vs: &[u128], mut f: impl FnMut(usize, u32)) {
        let mut pos = [0usize; 64];
        let mut first = [0u64; 64];
        for (c, chunk) in vs.chunks(64).enumerate() {
            for (i, &v) in chunk.iter().enumerate() {
                pos[i] = Self::split(v).0 & self.mask;
                first[i] = self.slots[pos[i]];
            }
            for (i, &v) in chunk.iter().enumerate() {
                if first[i] != 0 {
                    let fp = Self::split(v).1;
                    self.probe(v, fp, pos[i], first[i], |bin| f(c * 64 + i, bin));
                }
            }
        }
    }

    #[inline]
    fn probe(&self, v: u128, fp: u64, mut pos: usize, mut s: u64, mut f: impl FnMut(u32)) {
        loop {
            if s == 0 {
                return;
            }
            if (s >> 32) == (fp & 0xffff_ffff) {
                let bin = (s as u32).wrapping_sub(1);
                if self.values[bin as usize] == v {
                    f(bin);
                }
            }
            pos = (pos + 1) & self.mask;
            s = self.slots[pos];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_keeps_first_occurrences() {
        let xs: Vec<Block> = [5u128, 3, 5, 7, 3, 3, 9, 0, 0]
            .iter()
            .map(|&v| Block(v))
            .collect();
        assert_eq!(dedup_first(&xs), vec![0, 1, 3, 6, 7]);
        assert!(dedup_first(&[]).is_empty());
    }

    #[test]
    fn match_table_finds_exactly_the_inserted() {
        let mut t = MatchTable::new(1000, 2000);
        for b in 0..1000u32 {
            t.insert(
                b * 2,
                (b as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c) & ((1 << 80) - 1),
            );
        }
        for b in 0..1000u32 {
            let v = (b as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c) & ((1 << 80) - 1);
            let mut hits = vec![];
            t.lookup(v, |x| hits.push(x));
            assert_eq!(hits, vec![b * 2]);
            let mut none = vec![];
            t.lookup(v ^ 1 << 70, |x| none.push(x));
            assert!(none.is_empty());
        }
        let vs: Vec<u128> = (0..1000u128)
            .map(|b| (b.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c) & ((1 << 80) - 1)) ^ (b & 1) << 90)
            .collect();
        let mut hits = vec![];
        t.lookup_many(&vs, |i, bin| hits.push((i, bin)));
        let want: Vec<(usize, u32)> = (0..1000).step_by(2).map(|b| (b, b as u32 * 2)).collect();
        assert_eq!(hits, want);
    }
}
