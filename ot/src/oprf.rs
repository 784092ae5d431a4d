//! The sans-IO core of the KKRT16 batched OPRF (eprint 2016/799, Fig. 2): 1-out-of-∞ OT by
//! IKNP-style extension over κ* = 512 columns, processed in chunks of bins. PSI
//! (`duet::psi`) composes it with base OT, cuckoo hashing and its wire format.
//!
//! Bit layout: a *column* i (base OT i) over a chunk of b bins is b/64 `u64` words, bin r
//! in word r/64 bit r%64 (the AES-CTR stream of [`Prg`] read as little-endian words). A
//! *row* (one bin) is 512 bits = 4 [`Block`]s, bit i in block i/128 bit i%128.

use duet_core::transpose::transpose;
use duet_core::{Block, FIXED_KEY_AES, FixedKeyAes, Prg};

/// Width of the pseudorandom code in bits and number of base OTs (κ*, KKRT16 §4: 424–512
/// bits).
pub const KAPPA_STAR: usize = 512;

/// A 512-bit row.
pub type Wide = [Block; 4];

/// Columns → rows: `cols` holds 512 columns of `w` words each (column i at `cols[i*w..]`),
/// `rows` gets `64·w` rows of 8 words. The 512 × 64w bit matrix transposed by
/// [`duet_core::transpose::transpose`] (same LSB-first row-major layout).
pub fn cols_to_rows(cols: &[u64], w: usize, rows: &mut [u64]) {
    transpose(
        bytemuck::cast_slice(cols),
        KAPPA_STAR,
        64 * w,
        bytemuck::cast_slice_mut(rows),
    );
}

/// Rows → columns, the inverse of [`cols_to_rows`].
pub fn rows_to_cols(rows: &[u64], w: usize, cols: &mut [u64]) {
    transpose(
        bytemuck::cast_slice(rows),
        64 * w,
        KAPPA_STAR,
        bytemuck::cast_slice_mut(cols),
    );
}

/// The pseudorandom code C(x) = (AES_{k_0}(x), …, AES_{k_3}(x)), keys expanded from a seed
/// the PSI sender picks after the base OTs.
pub struct Code {
    keys: [FixedKeyAes; 4],
}

impl Code {
    /// The code under `seed`.
    pub fn new(seed: Block) -> Self {
        let mut prg = Prg::new(seed);
        let mut k = [Block::ZERO; 4];
        prg.fill_blocks(&mut k);
        Code {
            keys: k.map(|b| FixedKeyAes::new(b.to_bytes())),
        }
    }

    /// C(x) for every x of `xs` into `out` (same length).
    pub fn encode_many(&self, xs: &[Block], out: &mut [Wide]) {
        let mut buf = [Block::ZERO; 256];
        for (xc, oc) in xs.chunks(256).zip(out.chunks_mut(256)) {
            for (l, key) in self.keys.iter().enumerate() {
                let b = &mut buf[..xc.len()];
                b.copy_from_slice(xc);
                key.permute_many(b);
                for (o, v) in oc.iter_mut().zip(b.iter()) {
                    o[l] = *v;
                }
            }
        }
    }
}

/// The input of the code for an item hash `y` placed with hash function `k`: y ⊕ k (the
/// "x ‖ k" of KKRT16 §5, folded into 128 bits; distinct for distinct (y, k) except with
/// probability 2^-128 per pair for random-oracle item hashes).
#[inline]
pub fn code_input(y: Block, k: u32) -> Block {
    y ^ Block(k as u128)
}

/// H(j, v) for a batch: XOR over the limbs l of TCCR(j·4 + l, v_l) (GKWY20 §7.4), truncated
/// with `mask`. `bins[i]` is the bin j of `rows[i]`; results go to `out`.
pub fn hash_rows(bins: &[u32], rows: &[Wide], mask: u128, out: &mut [u128]) {
    let mut tw = [Block::ZERO; 256];
    let mut xs = [Block::ZERO; 256];
    for ((bc, rc), oc) in bins.chunks(64).zip(rows.chunks(64)).zip(out.chunks_mut(64)) {
        let n = bc.len();
        for i in 0..n {
            for l in 0..4 {
                tw[i * 4 + l] = Block(((bc[i] as u128) << 2) | l as u128);
                xs[i * 4 + l] = rc[i][l];
            }
        }
        FIXED_KEY_AES.tccr_many(&tw[..4 * n], &mut xs[..4 * n]);
        for (i, o) in oc.iter_mut().enumerate() {
            let h = xs[4 * i] ^ xs[4 * i + 1] ^ xs[4 * i + 2] ^ xs[4 * i + 3];
            *o = h.0 & mask;
        }
    }
}

/// The mask keeping the low `bytes` bytes of a u128.
pub fn value_mask(bytes: usize) -> u128 {
    if bytes >= 16 {
        u128::MAX
    } else {
        (1u128 << (8 * bytes)) - 1
    }
}

/// View blocks as little-endian u64 words.
fn words(blocks: &[Block]) -> &[u64] {
    bytemuck::cast_slice(blocks)
}

fn words_mut(blocks: &mut [Block]) -> &mut [u64] {
    bytemuck::cast_slice_mut(blocks)
}

/// The OPRF receiver (PSI receiver, base-OT sender): expands both seeds of every column.
pub struct OprfReceiver {
    g0: Vec<Prg>,
    g1: Vec<Prg>,
    t: Vec<Block>,
    g: Vec<Block>,
    codes: Vec<Block>,
    rows: Vec<Block>,
}

impl OprfReceiver {
    /// From the 512 base-OT seed pairs the receiver sent.
    pub fn new(seeds: &[[Block; 2]]) -> Self {
        assert_eq!(seeds.len(), KAPPA_STAR, "one seed pair per column");
        OprfReceiver {
            g0: seeds.iter().map(|s| Prg::new(s[0])).collect(),
            g1: seeds.iter().map(|s| Prg::new(s[1])).collect(),
            t: Vec::new(),
            g: Vec::new(),
            codes: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// One chunk of `b` bins (b a multiple of 128): `code_rows[r]` is C(r-th bin's input)
    /// (zero for empty bins). Writes the 512 columns u^i of the chunk into `u` (512·b/128
    /// blocks, to be sent) and returns the receiver's rows t_j of the chunk.
    pub fn chunk(&mut self, code_rows: &[Wide], u: &mut Vec<Block>) -> &[Wide] {
        let b = code_rows.len();
        assert_eq!(b % 128, 0, "chunks are whole blocks of bins");
        let bw = b / 128; // blocks per column
        let w = b / 64; // words per column
        self.t.resize(KAPPA_STAR * bw, Block::ZERO);
        self.g.resize(KAPPA_STAR * bw, Block::ZERO);
        self.codes.resize(KAPPA_STAR * bw, Block::ZERO);
        u.resize(KAPPA_STAR * bw, Block::ZERO);
        rows_to_cols(
            words(bytemuck::cast_slice(code_rows)),
            w,
            words_mut(&mut self.codes),
        );
        for i in 0..KAPPA_STAR {
            let r = i * bw..(i + 1) * bw;
            self.g0[i].fill_blocks(&mut self.t[r.clone()]);
            self.g1[i].fill_blocks(&mut self.g[r.clone()]);
            for ((uo, t), (g, c)) in u[r.clone()]
                .iter_mut()
                .zip(&self.t[r.clone()])
                .zip(self.g[r.clone()].iter().zip(&self.codes[r]))
            {
                *uo = *t ^ *g ^ *c;
            }
        }
        self.rows.resize(4 * b, Block::ZERO);
        cols_to_rows(words(&self.t), w, words_mut(&mut self.rows));
        bytemuck::cast_slice(&self.rows)
    }
}

/// The OPRF sender (PSI sender, base-OT receiver with choice bits s).
pub struct OprfSender {
    g: Vec<Prg>,
    s: Vec<bool>,
    s_wide: Wide,
    q: Vec<Block>,
    rows: Vec<Block>,
}

impl OprfSender {
    /// From the choice bits s (512) and the received seeds k_i^{s_i}.
    pub fn new(s: Vec<bool>, seeds: &[Block]) -> Self {
        assert_eq!(s.len(), KAPPA_STAR, "one choice bit per column");
        assert_eq!(seeds.len(), KAPPA_STAR, "one seed per column");
        let mut s_wide = [Block::ZERO; 4];
        for (i, &bit) in s.iter().enumerate() {
            s_wide[i / 128].0 |= (bit as u128) << (i % 128);
        }
        OprfSender {
            g: seeds.iter().map(|&k| Prg::new(k)).collect(),
            s,
            s_wide,
            q: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The secret s as a 512-bit row (to mask codes: q_j ⊕ (C(x) ∧ s)).
    pub fn s_wide(&self) -> &Wide {
        &self.s_wide
    }

    /// One chunk of `b` bins given the receiver's columns `u` (512·b/128 blocks): the rows
    /// q_j = t_j ⊕ (C(r_j) ∧ s) of the chunk.
    pub fn chunk(&mut self, b: usize, u: &[Block]) -> &[Wide] {
        assert_eq!(b % 128, 0, "chunks are whole blocks of bins");
        let bw = b / 128;
        assert_eq!(u.len(), KAPPA_STAR * bw, "u chunk length");
        self.q.resize(KAPPA_STAR * bw, Block::ZERO);
        for i in 0..KAPPA_STAR {
            let r = i * bw..(i + 1) * bw;
            self.g[i].fill_blocks(&mut self.q[r.clone()]);
            // all-ones if s_i = 1 (branch-free on the secret bit)
            let m = Block::mask(self.s[i]);
            for (q, uu) in self.q[r.clone()].iter_mut().zip(&u[r]) {
                *q ^= *uu & m;
            }
        }
        self.rows.resize(4 * b, Block::ZERO);
        cols_to_rows(words(&self.q), b / 64, words_mut(&mut self.rows));
        bytemuck::cast_slice(&self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_cols_roundtrip_and_layout() {
        let w = 4;
        let mut prg = Prg::new(Block(12));
        let mut cols = vec![Block::ZERO; KAPPA_STAR * w / 2];
        prg.fill_blocks(&mut cols);
        let mut rows = vec![Block::ZERO; 64 * w * 4];
        cols_to_rows(words(&cols), w, words_mut(&mut rows));
        let cw = words(&cols);
        let rw = words(&rows);
        for bin in [0usize, 1, 63, 64, 200, 255] {
            for col in [0usize, 1, 127, 128, 300, 511] {
                let cbit = (cw[col * w + bin / 64] >> (bin % 64)) & 1;
                let rbit = (rows[bin * 4 + col / 128].0 >> (col % 128)) & 1;
                assert_eq!(cbit as u128, rbit);
                assert_eq!((rw[bin * 8 + col / 64] >> (col % 64)) & 1, cbit);
            }
        }
        let mut back = vec![Block::ZERO; cols.len()];
        rows_to_cols(words(&rows), w, words_mut(&mut back));
        assert_eq!(back, cols);
    }

    /// The KKRT correlation: q_j ⊕ (C(r_j) ∧ s) = t_j, and ≠ t_j for another input.
    #[test]
    #[allow(clippy::needless_range_loop)]
    fn oprf_correlation() {
        let mut prg = Prg::new(Block(13));
        let pairs: Vec<[Block; 2]> = (0..KAPPA_STAR)
            .map(|_| [prg.next_block(), prg.next_block()])
            .collect();
        let s: Vec<bool> = (0..KAPPA_STAR).map(|_| prg.next_block().lsb()).collect();
        let chosen: Vec<Block> = pairs.iter().zip(&s).map(|(p, &b)| p[b as usize]).collect();
        let mut recv = OprfReceiver::new(&pairs);
        let mut send = OprfSender::new(s, &chosen);
        let code = Code::new(Block(99));
        for _chunk in 0..2 {
            let b = 256;
            let inputs: Vec<Block> = (0..b).map(|_| prg.next_block()).collect();
            let mut codes = vec![[Block::ZERO; 4]; b];
            code.encode_many(&inputs, &mut codes);
            codes[5] = [Block::ZERO; 4]; // an empty bin
            let mut u = Vec::new();
            let t = recv.chunk(&codes, &mut u).to_vec();
            let q = send.chunk(b, &u).to_vec();
            let sw = *send.s_wide();
            for j in 0..b {
                let mut v = q[j];
                for l in 0..4 {
                    v[l] ^= codes[j][l] & sw[l];
                }
                assert_eq!(v, t[j], "bin {j}");
                let mut other = [Block::ZERO; 4];
                code.encode_many(
                    &[code_input(inputs[j], 1)],
                    std::slice::from_mut(&mut other),
                );
                let mut v2 = q[j];
                for l in 0..4 {
                    v2[l] ^= other[l] & sw[l];
                }
                assert_ne!(v2, t[j]);
            }
            let bins: Vec<u32> = (0..b as u32).collect();
            let mut h1 = vec![0u128; b];
            let mut h2 = vec![0u128; b];
            hash_rows(&bins, &t, value_mask(10), &mut h1);
            let shifted: Vec<u32> = bins.iter().map(|x| x + 1).collect();
            hash_rows(&shifted, &t, value_mask(10), &mut h2);
            assert!(h1.iter().all(|&h| h < (1 << 80)));
            assert!(h1.iter().zip(&h2).all(|(a, b)| a != b), "bin is a tweak");
        }
    }
}
