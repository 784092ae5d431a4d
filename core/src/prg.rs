//! AES-CTR pseudorandom generator.

use crate::{Block, FixedKeyAes};
use zeroize::Zeroize;

/// A pseudorandom generator: AES-128 in counter mode under a 128-bit seed (the seed is the
/// AES key; block `j` of the stream is `AES_seed(j)`, j a 128-bit little-endian counter).
///
/// Used to expand base-OT seeds in IKNP (each column of the extension matrix is one `Prg`
/// stream) and for bulk randomness seeded from the OS. Output is produced in batches of
/// blocks so the `aes` crate's pipelined back ends are used.
pub struct Prg {
    aes: FixedKeyAes,
    counter: u128,
    seed: [u8; 16],
}

impl Prg {
    /// A PRG keyed by `seed` (16 bytes). The seed is zeroized on drop.
    pub fn new(seed: Block) -> Self {
        Prg {
            aes: FixedKeyAes::new(seed.to_bytes()),
            counter: 0,
            seed: seed.to_bytes(),
        }
    }

    /// A PRG seeded from the operating system's RNG ([`crate::secure_rng`]).
    pub fn from_os_rng() -> Self {
        let mut seed = [0u8; 16];
        rand_core::Rng::fill_bytes(&mut crate::secure_rng(), &mut seed);
        let p = Prg::new(Block::from_bytes(seed));
        seed.zeroize();
        p
    }

    /// Fill `out` with the next `out.len()` blocks of the stream.
    pub fn fill_blocks(&mut self, out: &mut [Block]) {
        for (i, b) in out.iter_mut().enumerate() {
            *b = Block(self.counter.wrapping_add(i as u128));
        }
        self.counter = self.counter.wrapping_add(out.len() as u128);
        self.aes.permute_many(out);
    }

    /// Fill `out` with the next bytes of the stream (whole blocks are consumed; a trailing
    /// partial block discards its unused bytes).
    pub fn fill_bytes(&mut self, out: &mut [u8]) {
        let mut buf = [Block::ZERO; 64];
        for chunk in out.chunks_mut(64 * 16) {
            let nb = chunk.len().div_ceil(16);
            self.fill_blocks(&mut buf[..nb]);
            chunk.copy_from_slice(&Block::slice_as_bytes(&buf[..nb])[..chunk.len()]);
        }
    }

    /// The next block of the stream.
    pub fn next_block(&mut self) -> Block {
        let mut b = [Block::ZERO; 1];
        self.fill_blocks(&mut b);
        b[0]
    }
}

impl Drop for Prg {
    fn drop(&mut self) {
        self.seed.zeroize();
    }
}

impl core::fmt::Debug for Prg {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Prg(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_is_deterministic_and_split_invariant() {
        let mut a = Prg::new(Block(7));
        let mut b = Prg::new(Block(7));
        let mut x = vec![Block::ZERO; 100];
        a.fill_blocks(&mut x);
        let mut y = vec![Block::ZERO; 37];
        let mut z = vec![Block::ZERO; 63];
        b.fill_blocks(&mut y);
        b.fill_blocks(&mut z);
        y.extend(z);
        assert_eq!(x, y);
        assert_ne!(Prg::new(Block(8)).next_block(), x[0]);
    }

    #[test]
    fn bytes_match_blocks() {
        let mut a = Prg::new(Block(3));
        let mut bytes = [0u8; 40];
        a.fill_bytes(&mut bytes);
        let mut b = Prg::new(Block(3));
        let mut blocks = [Block::ZERO; 3];
        b.fill_blocks(&mut blocks);
        assert_eq!(&bytes[..], &Block::slice_as_bytes(&blocks)[..40]);
    }
}
