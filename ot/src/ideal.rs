//! The ideal random-COT functionality, for tests of consumers (garbling sessions, the
//! hybrid engine): both ends are derived from one shared seed, so they agree without a
//! base OT or any message. **No security whatsoever**: whoever knows the seed knows Δ and
//! every COT. Behind the `ideal` feature (enable it in `[dev-dependencies]` only).
//!
//! From the seed: Δ (lsb set, as a garbling Δ needs, unless given), then per COT `i` (in
//! session order, whatever the call sizes) the sender's `k_i` from one PRG stream and the
//! receiver's random choice bit `b_i` from another; the receiver gets
//! `m_i = k_i ⊕ b_i·Δ`. Chosen-choice COTs are ideal too (`m_i = k_i ⊕ c_i·Δ`, no
//! derandomisation message), so neither end touches the channel.

use crate::OtError;
use crate::traits::{Malicious, RandomCotReceiver, RandomCotSender, SemiHonest, check_len};
use duet_core::{Block, Delta, Prg};
use duet_net::Channel;

/// Chunk size both ends report (the same as IKNP's, so chunked consumers behave alike).
const CHUNK: usize = crate::CHUNK;

/// A seed for both ends of an ideal COT; build the ends with [`IdealCot::sender`] and
/// [`IdealCot::receiver`] (or [`IdealCot::pair`]).
#[derive(Clone, Debug)]
pub struct IdealCot {
    seed: Block,
    delta: Block,
}

impl IdealCot {
    /// Both ends from `seed`, with Δ derived from it (lsb 1).
    pub fn new(seed: Block) -> Self {
        let delta = Prg::new(seed).next_block();
        IdealCot::with_delta(seed, Delta::from_block_set_lsb(delta))
    }

    /// Both ends from `seed`, with the given Δ.
    pub fn with_delta(seed: Block, delta: Delta) -> Self {
        IdealCot {
            seed,
            delta: delta.as_block(),
        }
    }

    /// The two ends of `IdealCot::new(seed)`.
    pub fn pair(seed: Block) -> (IdealCotSender, IdealCotReceiver) {
        let c = IdealCot::new(seed);
        (c.sender(), c.receiver())
    }

    /// The shared Δ.
    pub fn delta(&self) -> Delta {
        Delta::from_block_any(self.delta)
    }

    fn streams(&self) -> (Prg, Prg) {
        // stream 0 gave Δ; k_i from a key derived from the seed, b_i from another
        let mut p = Prg::new(self.seed);
        let mut keys = [Block::ZERO; 3];
        p.fill_blocks(&mut keys);
        (Prg::new(keys[1]), Prg::new(keys[2]))
    }

    /// The sending end (Δ and the `k_i`).
    pub fn sender(&self) -> IdealCotSender {
        IdealCotSender {
            delta: self.delta(),
            keys: self.streams().0,
            position: 0,
        }
    }

    /// The receiving end (the `b_i` and `m_i`; it knows Δ internally to compute `m_i`).
    pub fn receiver(&self) -> IdealCotReceiver {
        let (keys, bits) = self.streams();
        IdealCotReceiver {
            delta: self.delta(),
            keys,
            bits,
            position: 0,
        }
    }
}

/// The sending end of an [`IdealCot`].
pub struct IdealCotSender {
    delta: Delta,
    keys: Prg,
    position: u64,
}

/// The receiving end of an [`IdealCot`].
pub struct IdealCotReceiver {
    delta: Delta,
    keys: Prg,
    bits: Prg,
    position: u64,
}

impl std::fmt::Debug for IdealCotSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdealCotSender")
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for IdealCotReceiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdealCotReceiver")
            .field("position", &self.position)
            .finish_non_exhaustive()
    }
}

impl RandomCotSender for IdealCotSender {
    fn delta(&self) -> &Delta {
        &self.delta
    }
    fn chunk_len(&self) -> usize {
        CHUNK
    }
    fn position(&self) -> u64 {
        self.position
    }
    async fn random_cot(&mut self, _ch: &mut Channel, k: &mut [Block]) -> Result<(), OtError> {
        self.keys.fill_blocks(k);
        self.position += k.len() as u64;
        Ok(())
    }
    async fn chosen_cot(&mut self, ch: &mut Channel, k: &mut [Block]) -> Result<(), OtError> {
        self.random_cot(ch, k).await
    }
}

impl IdealCotReceiver {
    /// The next `m.len()` COTs: `k_i` from the key stream, `b_i` the lsb of the next block
    /// of the bit stream (one block per COT, so both streams stay aligned with the
    /// sender's whatever the call sizes), `m_i = k_i ⊕ choice(i, b_i)·Δ`.
    fn next(&mut self, m: &mut [Block], mut choice: impl FnMut(usize, bool) -> bool) {
        self.keys.fill_blocks(m);
        let mut r = vec![Block::ZERO; m.len()];
        self.bits.fill_blocks(&mut r);
        let d = self.delta.as_block();
        for (i, (x, b)) in m.iter_mut().zip(&r).enumerate() {
            *x ^= d & Block::mask(choice(i, b.lsb()));
        }
        self.position += m.len() as u64;
    }
}

impl RandomCotReceiver for IdealCotReceiver {
    fn chunk_len(&self) -> usize {
        CHUNK
    }
    fn position(&self) -> u64 {
        self.position
    }
    async fn random_cot(
        &mut self,
        _ch: &mut Channel,
        bits: &mut [Block],
        m: &mut [Block],
    ) -> Result<(), OtError> {
        check_len("packed COT choice bits", m.len().div_ceil(128), bits.len())?;
        bits.fill(Block::ZERO);
        self.next(m, |i, b| {
            if b {
                bits[i / 128].0 |= 1u128 << (i % 128);
            }
            b
        });
        Ok(())
    }
    async fn chosen_cot(
        &mut self,
        _ch: &mut Channel,
        choices: &[bool],
        m: &mut [Block],
    ) -> Result<(), OtError> {
        check_len("COT choice bits", m.len(), choices.len())?;
        self.next(m, |i, _| choices[i]);
        Ok(())
    }
}

impl SemiHonest for IdealCotSender {}
impl SemiHonest for IdealCotReceiver {}
impl Malicious for IdealCotSender {}
impl Malicious for IdealCotReceiver {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CotReceiverExt, CotSenderExt};
    use duet_net::{ChannelConfig, duplex_pair};

    #[tokio::test]
    async fn ideal_cot_holds_the_correlation_in_any_call_sizes() {
        let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
        let (mut s, mut r) = IdealCot::pair(Block(7));
        let d = s.delta().as_block();
        assert!(d.lsb());
        let k1 = s.send_random_cot(&mut a, 300).await.unwrap();
        let (b1, m1) = r.receive_random_cot(&mut b, 300).await.unwrap();
        for i in 0..300 {
            assert_eq!(m1[i], k1[i] ^ (d & Block::mask(b1[i])));
        }
        assert!(b1.iter().any(|&x| x) && b1.iter().any(|&x| !x));
        let c: Vec<bool> = (0..77).map(|i| i % 3 == 0).collect();
        let k2 = s.send_cot(&mut a, 77).await.unwrap();
        let m2 = r.receive_cot(&mut b, &c).await.unwrap();
        for i in 0..77 {
            assert_eq!(m2[i], k2[i] ^ (d & Block::mask(c[i])));
        }
        assert_eq!(RandomCotSender::position(&s), 377);
        assert_eq!(RandomCotReceiver::position(&r), 377);
        // nothing was sent
        assert_eq!(a.bytes_sent() + b.bytes_sent(), 0);
    }
}
