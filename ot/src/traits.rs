//! The seam between COT *sources* (IKNP, KOS, Ferret, the ideal functionality) and
//! everything built on correlated OT.
//!
//! A source implements two small traits, one per end:
//!
//! - [`RandomCotSender`]: holds the global Δ and extends random COTs `k_i` into a caller's
//!   buffer;
//! - [`RandomCotReceiver`]: extends the matching `(b_i, m_i = k_i ⊕ b_i·Δ)` with uniformly
//!   random choice bits `b_i`.
//!
//! Everything else is generic code written once over these two traits (in the style of
//! emp-ot's `OTExtension` / swanky's `CorrelatedSender`):
//!
//! - COT with the receiver's **chosen** choice bits ([`RandomCotSender::chosen_cot`] /
//!   [`RandomCotReceiver::chosen_cot`]): provided by Beaver derandomisation (the receiver
//!   sends `d = c ⊕ b`, one bit per OT); a source that can take chosen bits natively
//!   (IKNP) overrides both ends;
//! - owned-vector, reused-buffer and **chunked** (streamed) COT, **random OT**,
//!   **chosen-message OT** on blocks and **byte-string OT**: the blanket extension traits
//!   [`CotSenderExt`] / [`CotReceiverExt`] (`crate::derived`), implemented for every source.
//!
//! Security is in the types: a source implements the marker [`SemiHonest`], and also
//! [`Malicious`] if it is secure against a malicious party (KOS, against a malicious
//! receiver). A consumer that needs malicious security bounds on `S: RandomCotSender +
//! Malicious`, and a semi-honest source then does not compile.
//!
//! # Contract of a source (both ends)
//! - The two ends make matching calls in the same order on one connection: every call of
//!   `n` COTs on one end is matched by a call of `n` on the other (random with random,
//!   chosen with chosen; IKNP happens to accept a random call against a chosen one).
//! - A call returns only COTs that are **final**: whatever check the protocol has (KOS's)
//!   has passed for them. So a consumer may use every COT as soon as its call returns, and
//!   a chunked (streamed) consumer is as secure as a storing one.
//! - [`RandomCotSender::position`] and [`RandomCotReceiver::position`] count the COTs the end
//!   has returned so far (the index of the next one); both ends agree after matching calls.
//!   The derived random OTs use it as the hash tweak, so it must never go backwards.
//! - [`RandomCotSender::chunk_len`] / [`RandomCotReceiver::chunk_len`] (equal on both ends)
//!   are the call size the source prefers: chunked consumers extend that many COTs per call.
//!   A source that produces COTs in big iterations (Ferret: millions per iteration) and
//!   buffers the leftovers can serve any call size from its buffer and may report its
//!   iteration size or any smaller cache-friendly size.
//! - Calls are not cancel-safe: dropping a future mid-call leaves the two ends out of step.

use crate::OtError;
use duet_core::{Block, Delta};
use duet_net::Channel;
use std::future::Future;

/// Marker: the source is secure against semi-honest parties (every source here).
pub trait SemiHonest {}

/// Marker: the source is also secure against a malicious party (KOS: a malicious receiver;
/// the sender's Δ and outputs stay hidden and a cheating receiver is caught with
/// probability 1 − 2^-σ).
pub trait Malicious: SemiHonest {}

/// The sending end of a random-COT source: holds Δ and gets `k_i`; the receiver gets
/// `m_i = k_i ⊕ b_i·Δ`.
///
/// Implement [`RandomCotSender::delta`], [`RandomCotSender::chunk_len`],
/// [`RandomCotSender::position`] and [`RandomCotSender::random_cot`]; override
/// [`RandomCotSender::chosen_cot`] only if the protocol takes chosen choice bits natively
/// (then override [`RandomCotReceiver::chosen_cot`] too: the two must agree on the wire).
pub trait RandomCotSender: Send {
    /// The global correlation Δ of every COT of this end (fixed at setup).
    fn delta(&self) -> &Delta;

    /// The preferred number of COTs per call (chunked consumers extend this many at a time;
    /// equal on both ends).
    fn chunk_len(&self) -> usize;

    /// COTs returned so far by this end (the index of the next one).
    fn position(&self) -> u64;

    /// Extend `k.len()` random COTs: writes the `k_i` into `k`. Matches
    /// [`RandomCotReceiver::random_cot`] of the same length.
    ///
    /// # Errors
    /// [`OtError::Net`] on channel failure, [`OtError::Usage`] if the peer's call differs,
    /// [`OtError::ConsistencyCheck`] if a malicious-secure check fails.
    fn random_cot(
        &mut self,
        ch: &mut Channel,
        k: &mut [Block],
    ) -> impl Future<Output = Result<(), OtError>> + Send;

    /// The sender's side of a COT with the receiver's chosen choice bits: writes the `k_i`
    /// of [`RandomCotReceiver::chosen_cot`]'s `m_i = k_i ⊕ c_i·Δ` into `k`.
    ///
    /// Provided: a random COT, then the receiver's derandomisation bits `d_i = c_i ⊕ b_i`
    /// (one frame, ⌈n/8⌉ bytes) and `k_i ← k_i ⊕ d_i·Δ`.
    ///
    /// # Errors
    /// As [`RandomCotSender::random_cot`]; [`OtError::Net`] if the derandomisation frame
    /// has the wrong length.
    fn chosen_cot(
        &mut self,
        ch: &mut Channel,
        k: &mut [Block],
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            self.random_cot(ch, k).await?;
            let mut d = vec![0u8; k.len().div_ceil(8)];
            if !k.is_empty() {
                ch.recv_frame_exact(&mut d).await?;
            }
            let delta = self.delta().as_block();
            for (i, ki) in k.iter_mut().enumerate() {
                *ki ^= delta & Block::mask((d[i / 8] >> (i % 8)) & 1 == 1);
            }
            Ok(())
        }
    }
}

/// The receiving end of a random-COT source: gets uniformly random choice bits `b_i` and
/// `m_i = k_i ⊕ b_i·Δ`.
///
/// Choice bits travel packed: bit `i % 128` of block `i / 128` is `b_i` ([`Block::bit`]);
/// bits past the end of a call are zero.
pub trait RandomCotReceiver: Send {
    /// The preferred number of COTs per call (equal on both ends).
    fn chunk_len(&self) -> usize;

    /// COTs returned so far by this end (the index of the next one).
    fn position(&self) -> u64;

    /// Extend `m.len()` random COTs: writes the `m_i` into `m` and the packed choice bits
    /// into `bits` (`m.len().div_ceil(128)` blocks). Matches [`RandomCotSender::random_cot`].
    ///
    /// # Errors
    /// [`OtError::Net`] on channel failure (a sender whose check rejected us closes the
    /// channel); [`OtError::Length`] if `bits` has the wrong length.
    fn random_cot(
        &mut self,
        ch: &mut Channel,
        bits: &mut [Block],
        m: &mut [Block],
    ) -> impl Future<Output = Result<(), OtError>> + Send;

    /// COT with chosen choice bits: writes `m_i = k_i ⊕ choices[i]·Δ` into `m`
    /// (`m.len() == choices.len()`). Matches [`RandomCotSender::chosen_cot`].
    ///
    /// Provided: a random COT, then sends `d_i = c_i ⊕ b_i` (one frame, ⌈n/8⌉ bytes).
    ///
    /// # Errors
    /// As [`RandomCotReceiver::random_cot`]; [`OtError::Length`] if the lengths differ.
    fn chosen_cot(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
        m: &mut [Block],
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            check_len("COT outputs", choices.len(), m.len())?;
            let n = m.len();
            let mut bits = vec![Block::ZERO; n.div_ceil(128)];
            self.random_cot(ch, &mut bits, m).await?;
            if n == 0 {
                return Ok(());
            }
            let mut d = vec![0u8; n.div_ceil(8)];
            let b = Block::slice_as_bytes(&bits);
            for (i, &c) in choices.iter().enumerate() {
                d[i / 8] |= (u8::from(c) ^ (b[i / 8] >> (i % 8) & 1)) << (i % 8);
            }
            ch.send_frame(&d).await?;
            ch.flush().await?;
            Ok(())
        }
    }
}

/// [`OtError::Length`] unless `actual == expected`.
pub(crate) fn check_len(what: &'static str, expected: usize, actual: usize) -> Result<(), OtError> {
    if expected == actual {
        Ok(())
    } else {
        Err(OtError::Length {
            what,
            expected: expected as u64,
            actual: actual as u64,
        })
    }
}

pub use crate::derived::{CotReceiverExt, CotSenderExt};
