//! Every OT flavour derived from a random-COT source, written once: the blanket extension
//! traits [`CotSenderExt`] / [`CotReceiverExt`], implemented for every
//! [`RandomCotSender`] / [`RandomCotReceiver`].
//!
//! - COT into fresh or reused vectors, and **chunked** (streamed) COT: a batch of `n` COTs
//!   as consecutive calls of the source's [`RandomCotSender::chunk_len`] (or a caller's
//!   chunk size), each chunk handed to a callback as soon as its call returns; memory is
//!   one chunk. Both ends must use the same chunk size (they do with `chunk_len`, which is
//!   equal on both ends).
//! - **Random OT**: `(H(j, k_i), H(j, k_i ⊕ Δ))` / `(b_i, H(j, m_i))` with `H` the TCCR hash
//!   of GKWY20 §7.4 and `j` the COT's position in the session (never repeated).
//! - **Chosen-message OT** on blocks (32 bytes per OT on top of the COT) and on byte
//!   strings (each message masked by a pad expanded from the random-OT output).

use crate::OtError;
use crate::iknp::unpack_bits;
use crate::traits::{RandomCotReceiver, RandomCotSender};
use duet_core::{Block, FIXED_KEY_AES, Prg};
use duet_net::Channel;
use std::future::Future;
use subtle::{Choice, ConditionallySelectable};
use zeroize::Zeroizing;

/// Cap on the total ciphertext bytes of one [`CotReceiverExt::receive_ot_bytes`] call
/// (1 GiB).
pub const MAX_OT_BYTES: u64 = 1 << 30;
/// Bytes of chosen-message ciphertext per frame.
const CT_FRAME: usize = 1 << 20;

/// `x_i ← H(tweak_i, x_i ⊕ off)` in place for all `i` with TCCR (GKWY20 §7.4), tweaks
/// `base + i`.
fn hash_rows(rows: &mut [Block], off: Block, base: u64) {
    let mut tw = [Block::ZERO; 256];
    for (k, chunk) in rows.chunks_mut(256).enumerate() {
        for (i, (x, t)) in chunk.iter_mut().zip(tw.iter_mut()).enumerate() {
            *x ^= off;
            *t = Block((base as u128) + (k * 256 + i) as u128);
        }
        FIXED_KEY_AES.tccr_many_clobber(&mut tw[..chunk.len()], chunk);
    }
}

/// The random-OT pads `(H(j, k_i), H(j, k_i ⊕ Δ))`, `j = base + i`: hashed 256 OTs at a
/// time into one output vector (no full-length temporaries to fault in and zip).
fn sender_pads(k: &[Block], delta: Block, base: u64) -> Vec<[Block; 2]> {
    let mut pads: Vec<[Block; 2]> = bytemuck::zeroed_vec(k.len());
    let mut h = Zeroizing::new([[Block::ZERO; 256]; 2]);
    let offs = [Block::ZERO, delta];
    for (c, (src, dst)) in k.chunks(256).zip(pads.chunks_mut(256)).enumerate() {
        let base = base + 256 * c as u64;
        for (hj, &off) in h.iter_mut().zip(&offs) {
            let hj = &mut hj[..src.len()];
            hj.copy_from_slice(src);
            hash_rows(hj, off, base);
        }
        for (i, d) in dst.iter_mut().enumerate() {
            *d = [h[0][i], h[1][i]];
        }
    }
    pads
}

/// One pad of a byte-string OT: the TCCR output itself if it is long enough, else a PRG
/// keyed by it.
fn pad_bytes(seed: Block, out: &mut [u8]) {
    if out.len() <= 16 {
        out.copy_from_slice(&seed.to_bytes()[..out.len()]);
    } else {
        Prg::new(seed).fill_bytes(out);
    }
}

/// `out` resized to `n` blocks, only growing (fresh zero pages for a new vector).
fn sized(out: &mut Vec<Block>, n: usize) {
    if out.capacity() == 0 {
        *out = bytemuck::zeroed_vec(n);
    } else {
        out.resize(n, Block::ZERO);
    }
}

/// The derived OT flavours of a COT sender (implemented for every [`RandomCotSender`]).
/// Each method matches the [`CotReceiverExt`] method named in its documentation.
pub trait CotSenderExt: RandomCotSender {
    /// COT with the receiver's chosen bits: returns the `k_i` (`n` blocks).
    /// Matches [`CotReceiverExt::receive_cot`] (and, for IKNP/KOS, also
    /// [`CotReceiverExt::receive_random_cot`]).
    ///
    /// # Errors
    /// As [`RandomCotSender::chosen_cot`].
    fn send_cot(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> impl Future<Output = Result<Vec<Block>, OtError>> + Send {
        async move {
            let mut k = Vec::new();
            self.send_cot_into(ch, n, &mut k).await?;
            Ok(k)
        }
    }

    /// [`CotSenderExt::send_cot`] into `out`, whose memory is reused: on success it holds
    /// the `n` blocks `k_i`.
    ///
    /// # Errors
    /// As [`RandomCotSender::chosen_cot`].
    fn send_cot_into(
        &mut self,
        ch: &mut Channel,
        n: usize,
        out: &mut Vec<Block>,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            sized(out, n);
            self.chosen_cot(ch, out).await
        }
    }

    /// Random COT: returns the `k_i`. Matches [`CotReceiverExt::receive_random_cot`] and
    /// [`CotReceiverExt::receive_random_cot_into`].
    ///
    /// # Errors
    /// As [`RandomCotSender::random_cot`].
    fn send_random_cot(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> impl Future<Output = Result<Vec<Block>, OtError>> + Send {
        async move {
            let mut k = Vec::new();
            self.send_random_cot_into(ch, n, &mut k).await?;
            Ok(k)
        }
    }

    /// [`CotSenderExt::send_random_cot`] into `out` (memory reused; `out.len() == n`
    /// after).
    ///
    /// # Errors
    /// As [`RandomCotSender::random_cot`].
    fn send_random_cot_into(
        &mut self,
        ch: &mut Channel,
        n: usize,
        out: &mut Vec<Block>,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            sized(out, n);
            self.random_cot(ch, out).await
        }
    }

    /// Random COT of `n` in chunks of the source's [`RandomCotSender::chunk_len`]:
    /// `sink` gets the `k_i` of each chunk in order as soon as its call returns; memory is
    /// one chunk. Matches [`CotReceiverExt::receive_random_cot_stream`].
    ///
    /// # Errors
    /// As [`RandomCotSender::random_cot`].
    fn send_random_cot_stream(
        &mut self,
        ch: &mut Channel,
        n: usize,
        mut sink: impl FnMut(&[Block]) + Send,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            let chunk = self.chunk_len().max(1);
            let mut rows = vec![Block::ZERO; chunk.min(n)];
            for c0 in (0..n).step_by(chunk) {
                let c = chunk.min(n - c0);
                self.random_cot(ch, &mut rows[..c]).await?;
                sink(&rows[..c]);
            }
            Ok(())
        }
    }

    /// The sender's side of chosen-choice COT of `n` in chunks of the source's
    /// [`RandomCotSender::chunk_len`]: `sink` gets the `k_i` of each chunk in order as
    /// soon as its call returns. Matches [`CotReceiverExt::receive_cot_stream`].
    ///
    /// # Errors
    /// As [`RandomCotSender::chosen_cot`].
    fn send_cot_stream(
        &mut self,
        ch: &mut Channel,
        n: usize,
        sink: impl FnMut(&[Block]) + Send,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        let chunk = self.chunk_len();
        self.send_cot_chunks(ch, n, chunk, sink)
    }

    /// [`CotSenderExt::send_cot_stream`] with the caller's chunk size (e.g. a multiple of
    /// a word length): calls of `chunk` COTs (the last shorter). Matches
    /// [`CotReceiverExt::receive_cot_chunks`] with the same `chunk`.
    ///
    /// # Errors
    /// As [`RandomCotSender::chosen_cot`]; [`OtError::Usage`] if `chunk` is 0.
    fn send_cot_chunks(
        &mut self,
        ch: &mut Channel,
        n: usize,
        chunk: usize,
        mut sink: impl FnMut(&[Block]) + Send,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            if chunk == 0 {
                return Err(OtError::Usage("COT chunks of 0 OTs".into()));
            }
            let mut rows = vec![Block::ZERO; chunk.min(n)];
            for c0 in (0..n).step_by(chunk) {
                let c = chunk.min(n - c0);
                self.chosen_cot(ch, &mut rows[..c]).await?;
                sink(&rows[..c]);
            }
            Ok(())
        }
    }

    /// Random OT: returns `(H(j, k_i), H(j, k_i ⊕ Δ))` per OT, `j` the COT's position.
    /// Matches [`CotReceiverExt::receive_random_ot`].
    ///
    /// # Errors
    /// As [`RandomCotSender::random_cot`].
    fn send_random_ot(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> impl Future<Output = Result<Vec<[Block; 2]>, OtError>> + Send {
        async move {
            let base = self.position();
            let k = Zeroizing::new(self.send_random_cot(ch, n).await?);
            Ok(sender_pads(&k, self.delta().as_block(), base))
        }
    }

    /// Chosen-message OT on blocks: the receiver learns `msgs[i][b_i]` only (32 bytes per
    /// OT on top of the COT). Matches [`CotReceiverExt::receive_ot`].
    ///
    /// # Errors
    /// As [`RandomCotSender::chosen_cot`].
    fn send_ot(
        &mut self,
        ch: &mut Channel,
        msgs: &[[Block; 2]],
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            let base = self.position();
            let k = Zeroizing::new(self.send_cot(ch, msgs.len()).await?);
            let pads = Zeroizing::new(sender_pads(&k, self.delta().as_block(), base));
            let mut ct: Vec<Block> = Vec::with_capacity(2 * msgs.len());
            for (p, m) in pads.iter().zip(msgs) {
                ct.push(p[0] ^ m[0]);
                ct.push(p[1] ^ m[1]);
            }
            for piece in Block::slice_as_bytes(&ct).chunks(CT_FRAME) {
                ch.send_frame(piece).await?;
            }
            ch.flush().await?;
            Ok(())
        }
    }

    /// Chosen-message OT on byte strings of any length (the two messages of a pair may
    /// differ in length; lengths are not hidden). Each message is masked with a pad
    /// expanded from the random-OT output (TCCR, then an AES-CTR PRG keyed by it). Matches
    /// [`CotReceiverExt::receive_ot_bytes`].
    ///
    /// # Errors
    /// As [`RandomCotSender::chosen_cot`]; [`OtError::Usage`] if the total length exceeds
    /// [`MAX_OT_BYTES`] or a message is 4 GiB or longer.
    fn send_ot_bytes(
        &mut self,
        ch: &mut Channel,
        msgs: &[(Vec<u8>, Vec<u8>)],
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            let total: u64 = msgs.iter().map(|(a, b)| (a.len() + b.len()) as u64).sum();
            if total > MAX_OT_BYTES
                || msgs
                    .iter()
                    .any(|(a, b)| a.len().max(b.len()) > u32::MAX as usize)
            {
                return Err(OtError::Usage(format!(
                    "byte-string OT of {total} bytes; at most {MAX_OT_BYTES}"
                )));
            }
            let base = self.position();
            let k = Zeroizing::new(self.send_cot(ch, msgs.len()).await?);
            let pads = Zeroizing::new(sender_pads(&k, self.delta().as_block(), base));
            let mut lens = Vec::with_capacity(8 * msgs.len());
            for (a, b) in msgs {
                lens.extend_from_slice(&(a.len() as u32).to_le_bytes());
                lens.extend_from_slice(&(b.len() as u32).to_le_bytes());
            }
            ch.send_frame(&lens).await?;
            let mut ct = Vec::with_capacity(total as usize);
            for (p, (a, b)) in pads.iter().zip(msgs) {
                for (seed, m) in [(p[0], a), (p[1], b)] {
                    let at = ct.len();
                    ct.resize(at + m.len(), 0);
                    pad_bytes(seed, &mut ct[at..]);
                    for (c, x) in ct[at..].iter_mut().zip(m) {
                        *c ^= x;
                    }
                }
            }
            for piece in ct.chunks(CT_FRAME) {
                ch.send_frame(piece).await?;
            }
            ch.flush().await?;
            Ok(())
        }
    }
}

impl<T: RandomCotSender + ?Sized> CotSenderExt for T {}

/// The derived OT flavours of a COT receiver (implemented for every
/// [`RandomCotReceiver`]).
pub trait CotReceiverExt: RandomCotReceiver {
    /// COT with chosen choice bits: returns `m_i = k_i ⊕ choices[i]·Δ`.
    /// Matches [`CotSenderExt::send_cot`].
    ///
    /// # Errors
    /// As [`RandomCotReceiver::chosen_cot`].
    fn receive_cot(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
    ) -> impl Future<Output = Result<Vec<Block>, OtError>> + Send {
        async move {
            let mut m = Vec::new();
            self.receive_cot_into(ch, choices, &mut m).await?;
            Ok(m)
        }
    }

    /// [`CotReceiverExt::receive_cot`] into `out`, whose memory is reused: on success it
    /// holds the `choices.len()` blocks `m_i`.
    ///
    /// # Errors
    /// As [`RandomCotReceiver::chosen_cot`].
    fn receive_cot_into(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
        out: &mut Vec<Block>,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            sized(out, choices.len());
            self.chosen_cot(ch, choices, out).await
        }
    }

    /// Random COT: returns `(b_i, m_i)`. Matches [`CotSenderExt::send_random_cot`].
    ///
    /// # Errors
    /// As [`RandomCotReceiver::random_cot`].
    fn receive_random_cot(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> impl Future<Output = Result<(Vec<bool>, Vec<Block>), OtError>> + Send {
        async move {
            let mut m = Vec::new();
            let r = self.receive_random_cot_into(ch, n, &mut m).await?;
            Ok((unpack_bits(&r, n), m))
        }
    }

    /// [`CotReceiverExt::receive_random_cot`] into `out` (memory reused: `out.len() == n`
    /// after, holding the `m_i`); returns the choice bits packed (`n.div_ceil(128)` blocks,
    /// bit `i % 128` of block `i / 128` for OT `i`).
    ///
    /// # Errors
    /// As [`RandomCotReceiver::random_cot`].
    fn receive_random_cot_into(
        &mut self,
        ch: &mut Channel,
        n: usize,
        out: &mut Vec<Block>,
    ) -> impl Future<Output = Result<Vec<Block>, OtError>> + Send {
        async move {
            sized(out, n);
            let mut r = vec![Block::ZERO; n.div_ceil(128)];
            self.random_cot(ch, &mut r, out).await?;
            Ok(r)
        }
    }

    /// Random COT of `n` in chunks of [`RandomCotReceiver::chunk_len`]: `sink(bits, m)`
    /// gets each chunk as soon as its call returns (`m` the `m_i`, `bits` their choice
    /// bits packed, bit `i % 128` of `bits[i / 128]` for OT `i` of the chunk). Memory is
    /// one chunk. Matches [`CotSenderExt::send_random_cot_stream`].
    ///
    /// # Errors
    /// As [`RandomCotReceiver::random_cot`].
    fn receive_random_cot_stream(
        &mut self,
        ch: &mut Channel,
        n: usize,
        mut sink: impl FnMut(&[Block], &[Block]) + Send,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            let chunk = self.chunk_len().max(1);
            let mut rows = vec![Block::ZERO; chunk.min(n)];
            let mut bits = vec![Block::ZERO; chunk.min(n).div_ceil(128)];
            for c0 in (0..n).step_by(chunk) {
                let c = chunk.min(n - c0);
                let b = &mut bits[..c.div_ceil(128)];
                self.random_cot(ch, b, &mut rows[..c]).await?;
                sink(b, &rows[..c]);
            }
            Ok(())
        }
    }

    /// COT with chosen bits in chunks of [`RandomCotReceiver::chunk_len`]: `sink(m)` gets
    /// the `m_i = k_i ⊕ choices[i]·Δ` of each chunk in order (`n = choices.len()` in all),
    /// so a consumer that hashes them overlaps its work with the extension. Matches
    /// [`CotSenderExt::send_cot_stream`].
    ///
    /// # Errors
    /// As [`RandomCotReceiver::chosen_cot`].
    fn receive_cot_stream(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
        sink: impl FnMut(&[Block]) + Send,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        let chunk = self.chunk_len();
        self.receive_cot_chunks(ch, choices, chunk, sink)
    }

    /// [`CotReceiverExt::receive_cot_stream`] with the caller's chunk size. Matches
    /// [`CotSenderExt::send_cot_chunks`] with the same `chunk`.
    ///
    /// # Errors
    /// As [`RandomCotReceiver::chosen_cot`]; [`OtError::Usage`] if `chunk` is 0.
    fn receive_cot_chunks(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
        chunk: usize,
        mut sink: impl FnMut(&[Block]) + Send,
    ) -> impl Future<Output = Result<(), OtError>> + Send {
        async move {
            if chunk == 0 {
                return Err(OtError::Usage("COT chunks of 0 OTs".into()));
            }
            let n = choices.len();
            let mut rows = vec![Block::ZERO; chunk.min(n)];
            for c0 in (0..n).step_by(chunk) {
                let c = chunk.min(n - c0);
                self.chosen_cot(ch, &choices[c0..c0 + c], &mut rows[..c])
                    .await?;
                sink(&rows[..c]);
            }
            Ok(())
        }
    }

    /// Random OT: returns `(b_i, H(j, m_i))`, equal to the sender's pad number `b_i`.
    /// Matches [`CotSenderExt::send_random_ot`].
    ///
    /// # Errors
    /// As [`RandomCotReceiver::random_cot`].
    fn receive_random_ot(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> impl Future<Output = Result<(Vec<bool>, Vec<Block>), OtError>> + Send {
        async move {
            let base = self.position();
            let (b, mut m) = self.receive_random_cot(ch, n).await?;
            hash_rows(&mut m, Block::ZERO, base);
            Ok((b, m))
        }
    }

    /// Chosen-message OT on blocks: returns `msgs[i][choices[i]]` of the sender's pairs.
    /// Matches [`CotSenderExt::send_ot`].
    ///
    /// # Errors
    /// As [`RandomCotReceiver::chosen_cot`].
    fn receive_ot(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
    ) -> impl Future<Output = Result<Vec<Block>, OtError>> + Send {
        async move {
            let n = choices.len();
            let base = self.position();
            let mut h = self.receive_cot(ch, choices).await?;
            hash_rows(&mut h, Block::ZERO, base);
            let mut ct = vec![Block::ZERO; 2 * n];
            for piece in Block::slice_as_bytes_mut(&mut ct).chunks_mut(CT_FRAME) {
                ch.recv_frame_exact(piece).await?;
            }
            Ok(ct
                .chunks_exact(2)
                .zip(h.iter().zip(choices))
                .map(|(y, (h, &c))| {
                    Block::conditional_select(&y[0], &y[1], Choice::from(c as u8)) ^ *h
                })
                .collect())
        }
    }

    /// Chosen-message OT on byte strings: returns the chosen message of every pair.
    /// Matches [`CotSenderExt::send_ot_bytes`].
    ///
    /// # Errors
    /// As [`RandomCotReceiver::chosen_cot`]; [`OtError::Malformed`] if the sender
    /// announces more than [`MAX_OT_BYTES`] in total.
    fn receive_ot_bytes(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
    ) -> impl Future<Output = Result<Vec<Vec<u8>>, OtError>> + Send {
        async move {
            let n = choices.len();
            let base = self.position();
            let mut h = self.receive_cot(ch, choices).await?;
            hash_rows(&mut h, Block::ZERO, base);
            let mut lens = vec![0u8; 8 * n];
            ch.recv_frame_exact(&mut lens).await?;
            let lens: Vec<(usize, usize)> = lens
                .chunks_exact(8)
                .map(|l| {
                    let a = u32::from_le_bytes(l[..4].try_into().expect("4 bytes"));
                    let b = u32::from_le_bytes(l[4..].try_into().expect("4 bytes"));
                    (a as usize, b as usize)
                })
                .collect();
            let total: u64 = lens.iter().map(|(a, b)| (a + b) as u64).sum();
            if total > MAX_OT_BYTES {
                return Err(OtError::Malformed(format!(
                    "byte-string OT announces {total} bytes; at most {MAX_OT_BYTES}"
                )));
            }
            let mut ct = vec![0u8; total as usize];
            for piece in ct.chunks_mut(CT_FRAME) {
                ch.recv_frame_exact(piece).await?;
            }
            let mut out = Vec::with_capacity(n);
            let mut at = 0;
            for ((&(a, b), h), &c) in lens.iter().zip(&h).zip(choices) {
                let (y0, y1) = (&ct[at..at + a], &ct[at + a..at + a + b]);
                at += a + b;
                let mut x = if a == b {
                    // Equal lengths: select byte-wise in constant time.
                    let c = Choice::from(c as u8);
                    y0.iter()
                        .zip(y1)
                        .map(|(p, q)| u8::conditional_select(p, q, c))
                        .collect()
                } else {
                    // Unequal lengths reveal the choice through the output length anyway.
                    if c { y1.to_vec() } else { y0.to_vec() }
                };
                let mut pad = vec![0u8; x.len()];
                pad_bytes(*h, &mut pad);
                for (x, p) in x.iter_mut().zip(&pad) {
                    *x ^= p;
                }
                out.push(x);
            }
            Ok(out)
        }
    }
}

impl<T: RandomCotReceiver + ?Sized> CotReceiverExt for T {}

#[cfg(test)]
mod tests {
    //! The generic code over a source that only has random COT (the provided
    //! derandomisation, not IKNP's or the ideal COT's native chosen COT).
    use super::*;
    use crate::ideal::{IdealCot, IdealCotReceiver, IdealCotSender};
    use duet_core::Delta;
    use duet_net::{ChannelConfig, duplex_pair};

    struct RandomOnlySender(IdealCotSender);
    struct RandomOnlyReceiver(IdealCotReceiver);

    impl RandomCotSender for RandomOnlySender {
        fn delta(&self) -> &Delta {
            self.0.delta()
        }
        fn chunk_len(&self) -> usize {
            1000
        }
        fn position(&self) -> u64 {
            self.0.position()
        }
        async fn random_cot(&mut self, ch: &mut Channel, k: &mut [Block]) -> Result<(), OtError> {
            self.0.random_cot(ch, k).await
        }
    }

    impl RandomCotReceiver for RandomOnlyReceiver {
        fn chunk_len(&self) -> usize {
            1000
        }
        fn position(&self) -> u64 {
            self.0.position()
        }
        async fn random_cot(
            &mut self,
            ch: &mut Channel,
            bits: &mut [Block],
            m: &mut [Block],
        ) -> Result<(), OtError> {
            self.0.random_cot(ch, bits, m).await
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn derived_flavours_over_a_random_only_source() {
        let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
        let cot = IdealCot::new(Block(42));
        let (mut s, mut r) = (
            RandomOnlySender(cot.sender()),
            RandomOnlyReceiver(cot.receiver()),
        );
        let d = cot.delta().as_block();
        let n = 2500;
        let choices: Vec<bool> = (0..n).map(|i| (i * 7 + i / 3) % 5 < 2).collect();
        let msgs: Vec<[Block; 2]> = (0..300u128).map(|i| [Block(i), Block(!i)]).collect();
        let bytes = vec![(vec![1u8; 20], vec![2u8; 20]), (vec![3u8; 5], vec![4u8; 9])];
        let (m2, b2) = (msgs.clone(), bytes.clone());
        let st = tokio::spawn(async move {
            let k = s.send_cot(&mut a, n).await.unwrap();
            let mut ks = Vec::new();
            s.send_cot_stream(&mut a, n, |c| ks.extend_from_slice(c))
                .await
                .unwrap();
            let rot = s.send_random_ot(&mut a, 500).await.unwrap();
            s.send_ot(&mut a, &m2).await.unwrap();
            s.send_ot_bytes(&mut a, &b2).await.unwrap();
            (k, ks, rot)
        });
        let m = r.receive_cot(&mut b, &choices).await.unwrap();
        let mut ms = Vec::new();
        let mut calls = 0;
        r.receive_cot_stream(&mut b, &choices, |c| {
            calls += 1;
            ms.extend_from_slice(c)
        })
        .await
        .unwrap();
        let (ob, om) = r.receive_random_ot(&mut b, 500).await.unwrap();
        let oc: Vec<bool> = (0..300).map(|i| i % 3 == 0).collect();
        let ot = r.receive_ot(&mut b, &oc).await.unwrap();
        let otb = r.receive_ot_bytes(&mut b, &[true, false]).await.unwrap();
        let (k, ks, rot) = st.await.unwrap();
        assert_eq!(calls, 3);
        for (k, m) in [(&k, &m), (&ks, &ms)] {
            for i in 0..n {
                assert_eq!(m[i], k[i] ^ (d & Block::mask(choices[i])), "COT {i}");
            }
        }
        for i in 0..500 {
            assert_eq!(om[i], rot[i][ob[i] as usize]);
            assert_ne!(om[i], rot[i][!ob[i] as usize]);
        }
        for i in 0..300 {
            assert_eq!(ot[i], msgs[i][oc[i] as usize]);
        }
        assert_eq!(otb, vec![vec![2u8; 20], vec![3u8; 5]]);
        assert_eq!(s_pos(&r), (2 * n + 500 + 300 + 2) as u64);
    }

    fn s_pos(r: &RandomOnlyReceiver) -> u64 {
        r.position()
    }
}
