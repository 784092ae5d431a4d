//! [`Block`]: 128 bits, the unit of labels, OT messages and AES inputs.

use bytemuck::{Pod, Zeroable};
use core::ops::{BitAnd, BitAndAssign, BitXor, BitXorAssign};
use rand::Rng;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

/// A 128-bit block.
///
/// The in-memory layout is that of a little-endian `u128`: byte 0 of [`Block::to_bytes`] holds
/// bits 0..8, so [`Block::lsb`] (the point-and-permute bit of a label) is bit 0 of byte 0.
/// Slices of blocks cast to and from bytes with `bytemuck` at no cost (16-byte aligned).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, Pod, Zeroable)]
#[repr(transparent)]
pub struct Block(pub u128);

/// Wipes the block (for labels, seeds and pads held in `zeroize::Zeroizing`).
impl zeroize::Zeroize for Block {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Block {
    /// The all-zero block.
    pub const ZERO: Block = Block(0);
    /// The all-one block.
    pub const ONES: Block = Block(u128::MAX);
    /// The block with only bit 0 set.
    pub const ONE: Block = Block(1);

    /// Block from 16 bytes (little-endian: byte 0 is the least significant).
    #[inline(always)]
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Block(u128::from_le_bytes(bytes))
    }

    /// The 16 bytes of the block (little-endian).
    #[inline(always)]
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0.to_le_bytes()
    }

    /// Least significant bit: the point-and-permute (decoding) bit of a label.
    #[inline(always)]
    pub const fn lsb(self) -> bool {
        (self.0 & 1) == 1
    }

    /// Bit `i` (0 = least significant), `i < 128`.
    #[inline(always)]
    pub const fn bit(self, i: usize) -> bool {
        (self.0 >> i) & 1 == 1
    }

    /// Block with bit 0 forced to `b`.
    #[inline(always)]
    pub const fn with_lsb(self, b: bool) -> Self {
        Block((self.0 & !1) | b as u128)
    }

    /// A uniformly random block from `rng` (callers pass the OS RNG or a PRG seeded from it).
    #[inline]
    pub fn random<R: Rng + ?Sized>(rng: &mut R) -> Self {
        let mut b = [0u8; 16];
        rng.fill_bytes(&mut b);
        Block::from_bytes(b)
    }

    /// All-ones if `b`, else all-zero: a branch-free mask for `x & mask(b)`.
    #[inline(always)]
    pub const fn mask(b: bool) -> Self {
        Block((b as u128).wrapping_neg())
    }

    /// Low 64 bits.
    #[inline(always)]
    pub const fn low(self) -> u64 {
        self.0 as u64
    }

    /// High 64 bits.
    #[inline(always)]
    pub const fn high(self) -> u64 {
        (self.0 >> 64) as u64
    }

    /// Block from high and low 64-bit halves.
    #[inline(always)]
    pub const fn from_halves(high: u64, low: u64) -> Self {
        Block(((high as u128) << 64) | low as u128)
    }

    /// View a slice of blocks as bytes (16 per block).
    #[inline(always)]
    pub fn slice_as_bytes(blocks: &[Block]) -> &[u8] {
        bytemuck::cast_slice(blocks)
    }

    /// View a mutable slice of blocks as bytes (16 per block).
    #[inline(always)]
    pub fn slice_as_bytes_mut(blocks: &mut [Block]) -> &mut [u8] {
        bytemuck::cast_slice_mut(blocks)
    }
}

impl core::fmt::Debug for Block {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Block({:032x})", self.0)
    }
}

impl From<[u8; 16]> for Block {
    #[inline(always)]
    fn from(b: [u8; 16]) -> Self {
        Block::from_bytes(b)
    }
}

impl From<Block> for [u8; 16] {
    #[inline(always)]
    fn from(b: Block) -> Self {
        b.to_bytes()
    }
}

impl From<u128> for Block {
    #[inline(always)]
    fn from(x: u128) -> Self {
        Block(x)
    }
}

impl BitXor for Block {
    type Output = Block;
    #[inline(always)]
    fn bitxor(self, rhs: Block) -> Block {
        Block(self.0 ^ rhs.0)
    }
}

impl BitXorAssign for Block {
    #[inline(always)]
    fn bitxor_assign(&mut self, rhs: Block) {
        self.0 ^= rhs.0;
    }
}

impl BitAnd for Block {
    type Output = Block;
    #[inline(always)]
    fn bitand(self, rhs: Block) -> Block {
        Block(self.0 & rhs.0)
    }
}

impl BitAndAssign for Block {
    #[inline(always)]
    fn bitand_assign(&mut self, rhs: Block) {
        self.0 &= rhs.0;
    }
}

impl ConditionallySelectable for Block {
    #[inline]
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Block(u128::conditional_select(&a.0, &b.0, choice))
    }
}

impl ConstantTimeEq for Block {
    #[inline]
    fn ct_eq(&self, other: &Self) -> Choice {
        self.0.ct_eq(&other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_roundtrip_and_lsb() {
        let mut bytes = [0u8; 16];
        bytes[0] = 1;
        bytes[15] = 0x80;
        let b = Block::from_bytes(bytes);
        assert!(b.lsb());
        assert!(b.bit(127));
        assert_eq!(b.to_bytes(), bytes);
        assert_eq!(Block::slice_as_bytes(&[b]), &bytes);
        assert!(!b.with_lsb(false).lsb());
        assert_eq!(Block::from_halves(b.high(), b.low()), b);
    }

    #[test]
    fn mask_selects() {
        let x = Block(0x1234_5678_9abc_def0_1111_2222_3333_4444);
        assert_eq!(x & Block::mask(true), x);
        assert_eq!(x & Block::mask(false), Block::ZERO);
        let y = Block::conditional_select(&Block::ZERO, &x, Choice::from(1));
        assert_eq!(y, x);
    }
}
