//! MPCOT over regular noise (Ferret §5, Fig. 7 "Π_mpCOT" specialised to one point per bin)
//! and the arithmetic of the malicious consistency check (Ferret §4, Fig. 6 "Π_spCOT",
//! steps "consistency check", batched over the iteration's `t` trees as one check).
//!
//! Bin `j` of the `n = t · 2^h` outputs is tree `j` ([`super::ggm`]), consuming COTs
//! `k + j·h .. k + (j + 1)·h` of the reserved ones; the receiver's noise vector `e` has
//! exactly one 1 per bin, at the punctured leaf.
//!
//! The check, in GF(2^128) (multiplication from [`crate::kos`], carry-less):
//! - challenges `χ_0 .. χ_{n−1}`: AES-CTR stream of a seed hashed (BLAKE3) from the
//!   iteration number and every correction the sender sent (Fiat–Shamir; Ferret lets the
//!   receiver draw them after the sender's messages);
//! - sender `V = Σ χ_j·v_j`, receiver `W = Σ χ_j·w_j = V ⊕ S·Δ` with `S = Σ_trees χ_{α}`;
//! - the receiver masks `S` with the [`CHECK_COTS`] reserved COTs: it sends
//!   `d = S ⊕ c*` (`c*` their choice bits as a field element), the sender forms
//!   `Y = Σ_i (k*_i ⊕ d_i·Δ)·X^i`, the receiver `Z = Σ_i m*_i·X^i = Y ⊕ S·Δ`;
//! - the sender sends `H(V ⊕ Y)`, the receiver accepts iff it equals `H(W ⊕ Z)`.
//!
//! A sender whose corrections are inconsistent passes with probability about `n / 2^128`
//! per iteration, beyond the one-bit selective-failure guess Ferret's functionality allows
//! (guessing a bit of some `α`); `H(V ⊕ Y)` hides `Δ` from a receiver that lies in `d`.

use super::params::CHECK_COTS;
use crate::kos::{inner_product, reduce};
use duet_core::{Block, Prg};

/// Challenges generated (and multiplied) per step.
pub(crate) const CHI_CHUNK: usize = 1024;

/// Running sums `Σ_j χ_j·x_j` over the outputs `x` absorbed in order, and
/// `Σ_{j ∈ points} χ_j` (the receiver's punctured positions), `χ` the AES-CTR stream of the
/// challenge seed.
pub(crate) struct ChiSum<'a> {
    prg: Prg,
    chis: &'a mut Vec<Block>,
    points: &'a [usize],
    pos: usize,
    hi: u128,
    lo: u128,
    at_points: Block,
}

impl<'a> ChiSum<'a> {
    /// Sums under `seed`; `points` ascending (empty for the sender); `chis` is scratch.
    pub(crate) fn new(seed: Block, points: &'a [usize], chis: &'a mut Vec<Block>) -> Self {
        chis.resize(CHI_CHUNK, Block::ZERO);
        ChiSum {
            prg: Prg::new(seed),
            chis,
            points,
            pos: 0,
            hi: 0,
            lo: 0,
            at_points: Block::ZERO,
        }
    }

    /// Absorb the next outputs (callers pass pieces whose lengths are multiples of
    /// [`CHI_CHUNK`], except the last).
    pub(crate) fn absorb(&mut self, xs: &[Block]) {
        for chunk in xs.chunks(CHI_CHUNK) {
            let chis = &mut self.chis[..chunk.len()];
            self.prg.fill_blocks(chis);
            let (h, l) = inner_product(chis, chunk);
            self.hi ^= h;
            self.lo ^= l;
            let end = self.pos + chunk.len();
            while let Some((&p, rest)) = self.points.split_first() {
                if p >= end {
                    break;
                }
                self.at_points ^= chis[p - self.pos];
                self.points = rest;
            }
            self.pos = end;
        }
    }

    /// `(Σ χ_j·x_j, Σ_{j ∈ points} χ_j)`.
    pub(crate) fn finish(&self) -> (Block, Block) {
        (reduce(self.hi, self.lo), self.at_points)
    }
}

/// `Σ_i xs_i · X^i` over the [`CHECK_COTS`] blocks `xs` (bit `k` of a block is the
/// coefficient of `X^k`).
pub(crate) fn pack(xs: &[Block]) -> Block {
    assert_eq!(xs.len(), CHECK_COTS, "pack: one block per coefficient");
    let (mut hi, mut lo) = (0u128, 0u128);
    for (i, x) in xs.iter().enumerate() {
        lo ^= x.0 << i;
        if i > 0 {
            hi ^= x.0 >> (128 - i);
        }
    }
    reduce(hi, lo)
}

/// The hashed check value both parties compare: `BLAKE3(domain ‖ iteration ‖ value)`.
pub(crate) fn check_hash(iteration: u64, value: Block) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"duet ferret check v1");
    h.update(&iteration.to_le_bytes());
    h.update(&value.to_bytes());
    *h.finalize().as_bytes()
}

/// The transcript hasher the challenge seed is drawn from.
pub(crate) fn transcript(iteration: u64) -> blake3::Hasher {
    let mut h = blake3::Hasher::new();
    h.update(b"duet ferret chi v1");
    h.update(&iteration.to_le_bytes());
    h
}

/// The challenge seed: the first 16 bytes of the transcript hash.
pub(crate) fn chi_seed(h: &blake3::Hasher) -> Block {
    let out = h.finalize();
    let b: [u8; 16] = out.as_bytes()[..16].try_into().expect("16 bytes");
    Block::from_bytes(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kos::gf_mul;

    #[test]
    fn pack_is_sum_of_monomials() {
        let mut rng = rand::rng();
        let xs: Vec<Block> = (0..CHECK_COTS).map(|_| Block::random(&mut rng)).collect();
        let mut want = Block::ZERO;
        for (i, x) in xs.iter().enumerate() {
            want ^= gf_mul(*x, Block(1 << i));
        }
        assert_eq!(pack(&xs), want);
    }

    #[test]
    fn chi_sum_matches_definition() {
        let mut rng = rand::rng();
        let xs: Vec<Block> = (0..2500).map(|_| Block::random(&mut rng)).collect();
        let pts = [0usize, 3, 1023, 1024, 2499];
        let mut chis = Vec::new();
        let mut sum = ChiSum::new(Block(9), &pts, &mut chis);
        sum.absorb(&xs[..2048]);
        sum.absorb(&xs[2048..]);
        let (v, s) = sum.finish();
        let mut all = vec![Block::ZERO; xs.len()];
        Prg::new(Block(9)).fill_blocks(&mut all);
        let mut want_v = Block::ZERO;
        for (c, x) in all.iter().zip(&xs) {
            want_v ^= gf_mul(*c, *x);
        }
        let want_s = pts.iter().fold(Block::ZERO, |a, &p| a ^ all[p]);
        assert_eq!((v, s), (want_v, want_s));
    }
}
