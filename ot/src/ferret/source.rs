//! Ferret as a COT source: [`FerretSender`] and [`FerretReceiver`] implement the random-COT
//! traits of [`crate::traits`], so every consumer of a source (the derived OT flavours, gc's
//! `Session::garbler_with_cot` / `evaluator_with_cot`, the hybrid engine) runs on Ferret as
//! it does on IKNP. Random COT is Ferret's native output; chosen COT is the traits'
//! provided derandomisation (one frame of `⌈n/8⌉` bytes).
//!
//! Security in the type: like [`crate::CotSender`], the two types choose semi-honest or
//! malicious at run time ([`crate::Security`]), so they promise only [`SemiHonest`].

use super::{FerretReceiver, FerretSender};
use crate::OtError;
use crate::traits::{RandomCotReceiver, RandomCotSender, SemiHonest};
use duet_core::{Block, Delta};
use duet_net::Channel;

/// COTs per call the consumers' chunked paths ask for: 2^16 (1 MiB of blocks), a small
/// part of one Ferret iteration, so a streaming consumer holds little memory.
const CHUNK: usize = 1 << 16;

impl RandomCotSender for FerretSender {
    fn delta(&self) -> &Delta {
        &self.delta
    }
    fn chunk_len(&self) -> usize {
        CHUNK
    }
    fn position(&self) -> u64 {
        self.st.returned
    }
    async fn random_cot(&mut self, ch: &mut Channel, k: &mut [Block]) -> Result<(), OtError> {
        self.extend_into(ch, k).await
    }
}

impl RandomCotReceiver for FerretReceiver {
    fn chunk_len(&self) -> usize {
        CHUNK
    }
    fn position(&self) -> u64 {
        self.st.returned
    }
    /// The `m_i` into `m`, their choice bits `b_i = lsb(m_i)` packed into `bits` (bit
    /// `i % 128` of block `i / 128`).
    async fn random_cot(
        &mut self,
        ch: &mut Channel,
        bits: &mut [Block],
        m: &mut [Block],
    ) -> Result<(), OtError> {
        if bits.len() != m.len().div_ceil(128) {
            return Err(OtError::Usage(format!(
                "packed COT choice bits: {} blocks for {} COTs",
                bits.len(),
                m.len()
            )));
        }
        self.extend_into(ch, m).await?;
        bits.fill(Block::ZERO);
        for (i, x) in m.iter().enumerate() {
            bits[i / 128].0 |= u128::from(x.lsb()) << (i % 128);
        }
        Ok(())
    }
}

impl SemiHonest for FerretSender {}
impl SemiHonest for FerretReceiver {}
