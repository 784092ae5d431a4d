//! [`Delta`]: the garbler's global free-XOR offset (and the IKNP COT sender's correlation).

use crate::Block;
use rand::Rng;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The global offset Δ of free-XOR garbling (KS08) and of correlated OT.
///
/// Invariant: `lsb(Δ) = 1`, so that the two labels of every wire have different pointer bits
/// (point-and-permute). Not `Copy`; zeroized on drop; `Debug` is redacted so Δ never reaches a
/// log by accident.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Delta(u128);

impl Delta {
    /// A fresh uniformly random Δ with lsb forced to 1 (127 bits of entropy).
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        Delta(Block::random(rng).with_lsb(true).0)
    }

    /// Δ from a block, forcing its lsb to 1.
    pub fn from_block_set_lsb(b: Block) -> Self {
        Delta(b.with_lsb(true).0)
    }

    /// Δ from a block that may have any lsb (IKNP COT sender: Δ is the base-OT choice
    /// string, uniform in all 128 bits). Garbling requires [`Delta::from_block_set_lsb`].
    pub fn from_block_any(b: Block) -> Self {
        Delta(b.0)
    }

    /// The offset as a block. Handle with care: this is the garbler's secret.
    #[inline(always)]
    pub fn as_block(&self) -> Block {
        Block(self.0)
    }

    /// `Δ` if `b`, else zero, branch-free.
    #[inline(always)]
    pub fn select(&self, b: bool) -> Block {
        Block(self.0) & Block::mask(b)
    }
}

impl core::fmt::Debug for Delta {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Delta(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsb_is_one_and_debug_redacted() {
        let mut rng = rand::rng();
        for _ in 0..64 {
            let d = Delta::random(&mut rng);
            assert!(d.as_block().lsb());
            assert_eq!(format!("{d:?}"), "Delta(<redacted>)");
            assert_eq!(d.select(true), d.as_block());
            assert_eq!(d.select(false), Block::ZERO);
        }
    }
}
