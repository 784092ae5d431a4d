//! Fixed-key AES and the correlation-robust hashes of GKWY20 (Guo, Katz, Wang, Yu,
//! "Efficient and Secure Multiparty Computation from Fixed-Key Block Ciphers",
//! eprint 2019/074, §7), with π = AES-128 under a fixed, public key:
//!
//! | hash | formula | AES calls | used for |
//! |---|---|---|---|
//! | CR  | `π(x) ⊕ x` | 1 | IKNP random OT outputs (GKWY20 §7.2) |
//! | CCR | `π(σ(x)) ⊕ σ(x)`, `σ(x_L ‖ x_R) = (x_L ⊕ x_R) ‖ x_L` | 1 | free-XOR settings without tweaks (§7.3) |
//! | TCCR | `π(π(x) ⊕ i) ⊕ π(x)` | 2 | tweakable uses: garbling, OT with the index as tweak (§7.4) |
//!
//! Every hash has a batched form over 8 blocks (`*_x8`) and over slices, so that the
//! pipelined back ends of [`AesEcb`] (our VAES-256 loop, else the `aes` crate's AES-NI /
//! VAES-512 / software, chosen at run time) get enough independent blocks.

use crate::{AesEcb, Block};
use std::sync::LazyLock;

/// The fixed AES key of π: the first 16 bytes of the binary expansion of π (public, nothing
/// up the sleeve).
const FIXED_KEY: [u8; 16] = [
    0x24, 0x3f, 0x6a, 0x88, 0x85, 0xa3, 0x08, 0xd3, 0x13, 0x19, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x44,
];

/// The process-wide fixed-key permutation π (key schedule computed once).
pub static FIXED_KEY_AES: LazyLock<FixedKeyAes> = LazyLock::new(|| FixedKeyAes::new(FIXED_KEY));

/// AES-128 under a fixed key, used as a public random permutation π.
#[derive(Clone)]
pub struct FixedKeyAes {
    aes: AesEcb,
}

/// σ(x_L ‖ x_R) = (x_L ⊕ x_R) ‖ x_L: the linear orthomorphism of GKWY20 §7.3
/// (x_L is the high 64 bits).
#[inline(always)]
pub fn sigma(x: Block) -> Block {
    let (l, r) = (x.high(), x.low());
    Block::from_halves(l ^ r, l)
}

impl FixedKeyAes {
    /// π with the given 16-byte key.
    pub fn new(key: [u8; 16]) -> Self {
        FixedKeyAes {
            aes: AesEcb::new(key),
        }
    }

    /// π(x) for one block.
    #[inline]
    pub fn permute(&self, x: Block) -> Block {
        self.aes.encrypt_block(x)
    }

    /// π applied in place to every block of `blocks` (pipelined; any length).
    #[inline]
    pub fn permute_many(&self, blocks: &mut [Block]) {
        self.aes.encrypt_blocks(blocks);
    }

    /// π applied in place to 8 blocks.
    #[inline]
    pub fn permute_x8(&self, blocks: &mut [Block; 8]) {
        self.permute_many(blocks)
    }

    /// CR hash `π(x) ⊕ x` (GKWY20 §7.2).
    #[inline]
    pub fn cr(&self, x: Block) -> Block {
        self.permute(x) ^ x
    }

    /// CR hash of 8 blocks, in place.
    #[inline]
    pub fn cr_x8(&self, xs: &mut [Block; 8]) {
        self.cr_many(xs)
    }

    /// CR hash of every block of `xs`, in place.
    #[inline]
    pub fn cr_many(&self, xs: &mut [Block]) {
        for chunk in xs.chunks_mut(64) {
            let mut tmp = [Block::ZERO; 64];
            let t = &mut tmp[..chunk.len()];
            t.copy_from_slice(chunk);
            self.permute_many(t);
            for (c, p) in chunk.iter_mut().zip(t.iter()) {
                *c ^= *p;
            }
        }
    }

    /// CCR hash `π(σ(x)) ⊕ σ(x)` (GKWY20 §7.3).
    #[inline]
    pub fn ccr(&self, x: Block) -> Block {
        let s = sigma(x);
        self.permute(s) ^ s
    }

    /// CCR hash of 8 blocks, in place.
    #[inline]
    pub fn ccr_x8(&self, xs: &mut [Block; 8]) {
        self.ccr_many(xs)
    }

    /// CCR hash of every block of `xs`, in place.
    #[inline]
    pub fn ccr_many(&self, xs: &mut [Block]) {
        for x in xs.iter_mut() {
            *x = sigma(*x);
        }
        self.cr_many(xs);
    }

    /// TCCR hash `π(π(x) ⊕ i) ⊕ π(x)` with tweak `i` (GKWY20 §7.4).
    #[inline]
    pub fn tccr(&self, tweak: Block, x: Block) -> Block {
        let px = self.permute(x);
        self.permute(px ^ tweak) ^ px
    }

    /// TCCR hash of 8 blocks with 8 tweaks, in place.
    #[inline]
    pub fn tccr_x8(&self, tweaks: &[Block; 8], xs: &mut [Block; 8]) {
        self.tccr_many(tweaks, xs)
    }

    /// TCCR hash of every block of `xs` with the tweak of the same index, in place.
    ///
    /// # Panics
    /// If `tweaks.len() != xs.len()` (a caller bug, not input-dependent).
    #[inline]
    pub fn tccr_many(&self, tweaks: &[Block], xs: &mut [Block]) {
        assert_eq!(tweaks.len(), xs.len(), "tccr_many: one tweak per block");
        let mut tmp = [Block::ZERO; 64];
        for (chunk, tw) in xs.chunks_mut(64).zip(tweaks.chunks(64)) {
            let t = &mut tmp[..chunk.len()];
            t.copy_from_slice(tw);
            self.tccr_many_clobber(t, chunk);
        }
    }

    /// [`FixedKeyAes::tccr_many`] that uses `tweaks` as its scratch space (its contents are
    /// destroyed): no stack buffer to initialise, for callers that build the tweaks anyway.
    ///
    /// # Panics
    /// If `tweaks.len() != xs.len()` (a caller bug, not input-dependent).
    #[inline]
    pub fn tccr_many_clobber(&self, tweaks: &mut [Block], xs: &mut [Block]) {
        assert_eq!(tweaks.len(), xs.len(), "tccr_many: one tweak per block");
        for (chunk, tw) in xs.chunks_mut(64).zip(tweaks.chunks_mut(64)) {
            self.permute_many(chunk); // chunk = π(x)
            for (t, c) in tw.iter_mut().zip(chunk.iter()) {
                *t ^= *c; // π(x) ⊕ i
            }
            self.permute_many(tw);
            for (c, p) in chunk.iter_mut().zip(tw.iter()) {
                *c ^= *p;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS-197 Appendix C.1 known answer through the same byte path.
    #[test]
    fn aes_known_answer() {
        let key: [u8; 16] = core::array::from_fn(|i| i as u8);
        let pt: [u8; 16] = core::array::from_fn(|i| (i as u8) * 0x11);
        let aes = FixedKeyAes::new(key);
        let ct = aes.permute(Block::from_bytes(pt)).to_bytes();
        let want = [
            0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70, 0xb4,
            0xc5, 0x5a,
        ];
        assert_eq!(ct, want);
    }

    #[test]
    fn tccr_clobber_matches_tccr_many() {
        let aes = &*FIXED_KEY_AES;
        let mut rng = rand::rng();
        let xs: Vec<Block> = (0..150).map(|_| Block::random(&mut rng)).collect();
        let tw: Vec<Block> = (0..150u128).map(|i| Block(i * 3 + 1)).collect();
        let mut a = xs.clone();
        aes.tccr_many(&tw, &mut a);
        let (mut b, mut t2) = (xs.clone(), tw.clone());
        aes.tccr_many_clobber(&mut t2, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn batched_forms_match_single() {
        let aes = &*FIXED_KEY_AES;
        let mut rng = rand::rng();
        let xs: Vec<Block> = (0..203).map(|_| Block::random(&mut rng)).collect();
        let tw: Vec<Block> = (0..203u128).map(Block).collect();
        let mut a = xs.clone();
        aes.cr_many(&mut a);
        let mut b = xs.clone();
        aes.ccr_many(&mut b);
        let mut c = xs.clone();
        aes.tccr_many(&tw, &mut c);
        for i in 0..xs.len() {
            assert_eq!(a[i], aes.cr(xs[i]));
            assert_eq!(b[i], aes.ccr(xs[i]));
            assert_eq!(c[i], aes.tccr(tw[i], xs[i]));
        }
        let mut e: [Block; 8] = core::array::from_fn(|i| xs[i]);
        aes.tccr_x8(&core::array::from_fn(|i| tw[i]), &mut e);
        assert_eq!(&e[..], &c[..8]);
    }

    #[test]
    fn sigma_is_linear_orthomorphism() {
        let mut rng = rand::rng();
        for _ in 0..100 {
            let x = Block::random(&mut rng);
            let y = Block::random(&mut rng);
            assert_eq!(sigma(x ^ y), sigma(x) ^ sigma(y));
            // σ(x) ⊕ x is also a permutation: check it is non-zero for non-zero x.
            if x != Block::ZERO {
                assert_ne!(sigma(x) ^ x, Block::ZERO);
            }
        }
    }

    #[test]
    fn tweak_changes_output() {
        let aes = &*FIXED_KEY_AES;
        let x = Block(42);
        assert_ne!(aes.tccr(Block(0), x), aes.tccr(Block(1), x));
    }
}
