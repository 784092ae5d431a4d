//! Async drivers of OT extension: [`CotSender`] / [`CotReceiver`], one long-lived pair per
//! connection (base OT once in `setup`, then any number of calls, matched in order).
//!
//! Wire format of one call (receiver → sender unless noted):
//! 1. header `kind ‖ n` (two u64 LE) — the sender checks both against its own call;
//! 2. the correction `u`, in frames of up to [`CHUNK`] OTs (16 bytes per OT): the receiver
//!    computes chunk `j + 1` while the sender works on chunk `j`;
//! 3. KOS only: sender → receiver challenge seed (16 bytes), receiver → sender `x ‖ t`;
//! 4. chosen-message OT only: sender → receiver ciphertexts (framed).
//!
//! Outputs are held once (`n` blocks); the `128 × n` matrix never is (see [`crate::iknp`]).

use crate::iknp::{KAPPA, ReceiverCore, SenderCore, pack_bits, unpack_bits};
use crate::kos::{self, Check};
use crate::{OtError, base};
use duet_core::{Block, Delta, FIXED_KEY_AES, Prg};
use duet_net::Channel;
use subtle::{Choice, ConditionallySelectable};
use zeroize::Zeroizing;

/// OTs per frame of `u` (256 KiB): the receiver's `u` and rows and the sender's `u` and rows
/// of one chunk stay in L2 (2^16 measured 155 M/s streamed, 2^14 174–178 M/s, 2^13 164–168).
pub const CHUNK: usize = 1 << 14;
/// Cap on the total ciphertext bytes of one [`CotReceiver::receive_ot_bytes`] call (1 GiB).
pub const MAX_OT_BYTES: u64 = 1 << 30;
/// Bytes of chosen-message ciphertext per frame.
const CT_FRAME: usize = 1 << 20;

/// Security of the extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// IKNP with ALSZ13 optimisations: secure against semi-honest parties.
    SemiHonest,
    /// IKNP plus the KOS15 consistency check (σ = 40): secure against a malicious receiver.
    Malicious,
}

impl Security {
    fn tag(self) -> u8 {
        match self {
            Security::SemiHonest => 1,
            Security::Malicious => 2,
        }
    }
}

const KIND_COT: u64 = 1;
const KIND_ROT: u64 = 2;
const KIND_OT: u64 = 3;
const KIND_OT_BYTES: u64 = 4;

fn kind_name(k: u64) -> &'static str {
    match k {
        KIND_COT => "COT",
        KIND_ROT => "random OT",
        KIND_OT => "chosen-message OT",
        KIND_OT_BYTES => "byte-string OT",
        _ => "unknown",
    }
}

/// Padded batch size: a multiple of 128, plus κ + σ random OTs for KOS.
fn padded(n: usize, security: Security) -> usize {
    let extra = if security == Security::Malicious {
        kos::EXTRA
    } else {
        0
    };
    (n + extra).div_ceil(128) * 128
}

/// Both parties announce the protocol and security level before the base OTs.
async fn hello(ch: &mut Channel, security: Security) -> Result<(), OtError> {
    let mut mine = *b"DUETOT1\0";
    mine[7] = security.tag();
    ch.send(&mine).await?;
    ch.flush().await?;
    let mut theirs = [0u8; 8];
    ch.recv_exact(&mut theirs).await?;
    if theirs[..7] != mine[..7] {
        return Err(OtError::Malformed("peer is not speaking duet OT v1".into()));
    }
    if theirs[7] != mine[7] {
        return Err(OtError::Usage(format!(
            "security mismatch: we use {security:?}, the peer uses tag {}",
            theirs[7]
        )));
    }
    Ok(())
}

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

/// One pad of a byte-string OT: the TCCR output itself if it is long enough, else a PRG
/// keyed by it.
fn pad_bytes(seed: Block, out: &mut [u8]) {
    if out.len() <= 16 {
        out.copy_from_slice(&seed.to_bytes()[..out.len()]);
    } else {
        Prg::new(seed).fill_bytes(out);
    }
}

/// The sending side (holds Δ): the garbler, the B2A/PSI sender.
pub struct CotSender {
    core: SenderCore,
    delta: Delta,
    security: Security,
    tweak: u64,
    u: Vec<Block>,
}

impl CotSender {
    /// Run the base OTs (as base-OT receiver with the bits of `delta` as choices) and return
    /// the extension sender. `delta` may have any lsb. Not cancel-safe.
    ///
    /// # Errors
    /// [`OtError::Net`] on channel failure, [`OtError::Malformed`] for bad base-OT messages,
    /// [`OtError::Usage`] if the peer uses another [`Security`].
    pub async fn setup(
        ch: &mut Channel,
        delta: Delta,
        security: Security,
    ) -> Result<Self, OtError> {
        hello(ch, security).await?;
        let d = delta.as_block();
        // Δ's bits and the seeds they select are as secret as Δ: wiped on every path.
        let choices: Zeroizing<Vec<bool>> = Zeroizing::new((0..KAPPA).map(|j| d.bit(j)).collect());
        let seeds = Zeroizing::new(base::receive(ch, &choices).await?);
        Ok(CotSender {
            core: SenderCore::new(&delta, &seeds)?,
            delta,
            security,
            tweak: 0,
            u: Vec::new(),
        })
    }

    /// The security level agreed in `setup`.
    pub fn security(&self) -> Security {
        self.security
    }

    /// Read the receiver's call header and check it is `n` OTs of `kind`.
    async fn check_header(&mut self, ch: &mut Channel, kind: u64, n: usize) -> Result<(), OtError> {
        let mut hdr = [0u8; 16];
        ch.recv_exact(&mut hdr).await?;
        let their_kind = u64::from_le_bytes(hdr[..8].try_into().expect("8 bytes"));
        let their_n = u64::from_le_bytes(hdr[8..].try_into().expect("8 bytes"));
        if their_kind != kind || their_n != n as u64 {
            return Err(OtError::Usage(format!(
                "call mismatch: we send {} of {n} OTs, the peer receives {} of {their_n}",
                kind_name(kind),
                kind_name(their_kind)
            )));
        }
        Ok(())
    }

    /// One chunk of the extension (at most [`CHUNK`] rows, a multiple of 128): receive the
    /// receiver's `u` and write the rows `q_i` into `rows`.
    async fn next_rows(&mut self, ch: &mut Channel, rows: &mut [Block]) -> Result<(), OtError> {
        if self.u.len() < rows.len() {
            self.u.resize(rows.len(), Block::ZERO);
        }
        let u = &mut self.u[..rows.len()];
        ch.recv_frame_exact(Block::slice_as_bytes_mut(u)).await?;
        self.core.extend(u, rows);
        Ok(())
    }

    /// Receive one extension of `n` OTs of the given kind: the padded `q_i` rows.
    async fn extend(
        &mut self,
        ch: &mut Channel,
        kind: u64,
        n: usize,
    ) -> Result<Vec<Block>, OtError> {
        // calloc'd: fresh zero pages, no memset (extend_into only grows shorter buffers)
        let mut out: Vec<Block> = bytemuck::zeroed_vec(padded(n, self.security));
        self.extend_into(ch, kind, n, &mut out).await?;
        Ok(out)
    }

    /// [`CotSender::extend`] into `out` (its memory reused; `out.len() == n` after).
    async fn extend_into(
        &mut self,
        ch: &mut Channel,
        kind: u64,
        n: usize,
        out: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        self.check_header(ch, kind, n).await?;
        let total = padded(n, self.security);
        // every row is overwritten: only grow (zero-filling the new part), never clear
        if out.len() < total {
            out.resize(total, Block::ZERO);
        }
        for c0 in (0..total).step_by(CHUNK) {
            let c = CHUNK.min(total - c0);
            self.next_rows(ch, &mut out[c0..c0 + c]).await?;
        }
        if self.security == Security::Malicious {
            let seed = Block::random(&mut rand::rng());
            ch.send(&seed.to_bytes()).await?;
            ch.flush().await?;
            // Our sum while the receiver computes its answer (both passes overlap).
            let mut check = Check::new(seed);
            check.absorb(&out[..total], None);
            let mut ans = [0u8; 32];
            ch.recv_exact(&mut ans).await?;
            let x = Block::from_bytes(ans[..16].try_into().expect("16 bytes"));
            let t = Block::from_bytes(ans[16..].try_into().expect("16 bytes"));
            if !check.sender_accepts(self.delta.as_block(), x, t) {
                return Err(OtError::ConsistencyCheck);
            }
        }
        out.truncate(n);
        Ok(())
    }

    /// Correlated OT: returns the `k_i` (`n` blocks); the receiver gets
    /// `m_i = k_i ⊕ b_i·Δ`. Matches [`CotReceiver::receive_cot`] and
    /// [`CotReceiver::receive_random_cot`]. Not cancel-safe.
    ///
    /// # Errors
    /// [`OtError::Net`], [`OtError::Usage`] if the peer's call differs, and with
    /// [`Security::Malicious`] [`OtError::ConsistencyCheck`] if the receiver cheated.
    pub async fn send_cot(&mut self, ch: &mut Channel, n: usize) -> Result<Vec<Block>, OtError> {
        self.extend(ch, KIND_COT, n).await
    }

    /// [`CotSender::send_cot`] into `out`, whose memory is reused (no fresh pages for
    /// repeated batches): on success `out` holds the `n` blocks `k_i`.
    ///
    /// # Errors
    /// As [`CotSender::send_cot`].
    pub async fn send_cot_into(
        &mut self,
        ch: &mut Channel,
        n: usize,
        out: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        self.extend_into(ch, KIND_COT, n, out).await
    }

    /// Random OT: returns `(H(i, k_i), H(i, k_i ⊕ Δ))` per OT, `H` the TCCR hash with a
    /// per-session running index as tweak. Matches [`CotReceiver::receive_random_ot`].
    ///
    /// # Errors
    /// As [`CotSender::send_cot`].
    pub async fn send_random_ot(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> Result<Vec<[Block; 2]>, OtError> {
        let k = self.extend(ch, KIND_ROT, n).await?;
        Ok(self.rot_pads(&k))
    }

    /// The random-OT pads `(H(i, k_i), H(i, k_i ⊕ Δ))`: hashed 256 OTs at a time into
    /// one output vector (no full-length temporaries to fault in and zip: those made
    /// `speed ot`'s random-OT row mostly page faults).
    fn rot_pads(&mut self, k: &[Block]) -> Vec<[Block; 2]> {
        let mut pads: Vec<[Block; 2]> = bytemuck::zeroed_vec(k.len());
        let mut h = Zeroizing::new([[Block::ZERO; 256]; 2]);
        let offs = [Block::ZERO, self.delta.as_block()];
        for (c, (src, dst)) in k.chunks(256).zip(pads.chunks_mut(256)).enumerate() {
            let base = self.tweak + 256 * c as u64;
            for (hj, &off) in h.iter_mut().zip(&offs) {
                let hj = &mut hj[..src.len()];
                hj.copy_from_slice(src);
                hash_rows(hj, off, base);
            }
            for (i, d) in dst.iter_mut().enumerate() {
                *d = [h[0][i], h[1][i]];
            }
        }
        self.tweak += k.len() as u64;
        pads
    }

    /// Chosen-message OT on blocks: the receiver learns `msgs[i][b_i]` only. 48 bytes per OT.
    /// Matches [`CotReceiver::receive_ot`].
    ///
    /// # Errors
    /// As [`CotSender::send_cot`].
    pub async fn send_ot(&mut self, ch: &mut Channel, msgs: &[[Block; 2]]) -> Result<(), OtError> {
        let k = self.extend(ch, KIND_OT, msgs.len()).await?;
        let pads = self.rot_pads(&k);
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

    /// Chosen-message OT on byte strings of any length (the two messages of a pair may differ
    /// in length; lengths are not hidden). Each message is masked with a pad expanded from
    /// the random-OT output (TCCR, then an AES-CTR PRG keyed by it). Matches
    /// [`CotReceiver::receive_ot_bytes`].
    ///
    /// # Errors
    /// As [`CotSender::send_cot`]; [`OtError::Usage`] if the total length exceeds
    /// [`MAX_OT_BYTES`] or a message is 4 GiB or longer.
    pub async fn send_ot_bytes(
        &mut self,
        ch: &mut Channel,
        msgs: &[(Vec<u8>, Vec<u8>)],
    ) -> Result<(), OtError> {
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
        let k = self.extend(ch, KIND_OT_BYTES, msgs.len()).await?;
        let pads = self.rot_pads(&k);
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

impl core::fmt::Debug for CotSender {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CotSender")
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

/// The receiving side (holds the choice bits): the evaluator, the B2A/PSI receiver.
pub struct CotReceiver {
    core: ReceiverCore,
    security: Security,
    prg: Prg,
    tweak: u64,
    u: Vec<Block>,
}

impl CotReceiver {
    /// Run the base OTs (as base-OT sender of 128 fresh random seed pairs) and return the
    /// extension receiver. Not cancel-safe.
    ///
    /// # Errors
    /// As [`CotSender::setup`].
    pub async fn setup(ch: &mut Channel, security: Security) -> Result<Self, OtError> {
        hello(ch, security).await?;
        let mut prg = Prg::from_os_rng();
        let seeds: Zeroizing<Vec<[Block; 2]>> = Zeroizing::new(
            (0..KAPPA)
                .map(|_| [prg.next_block(), prg.next_block()])
                .collect(),
        );
        base::send(ch, &seeds).await?;
        Ok(CotReceiver {
            core: ReceiverCore::new(&seeds)?,
            security,
            prg: Prg::from_os_rng(),
            tweak: 0,
            u: Vec::new(),
        })
    }

    /// The security level agreed in `setup`.
    pub fn security(&self) -> Security {
        self.security
    }

    /// One chunk of the extension (at most [`CHUNK`] rows, a multiple of 128) with packed
    /// choice bits `r`: write the rows `t_i` into `rows`, send `u` and flush it.
    async fn next_rows(
        &mut self,
        ch: &mut Channel,
        r: &[Block],
        rows: &mut [Block],
    ) -> Result<(), OtError> {
        if self.u.len() < rows.len() {
            self.u.resize(rows.len(), Block::ZERO);
        }
        let u = &mut self.u[..rows.len()];
        self.core.extend(r, u, rows);
        ch.send_frame(Block::slice_as_bytes(u)).await?;
        ch.flush().await?;
        Ok(())
    }

    /// Extend with the given choices (`None`: random); returns (packed bits, rows `m_i`).
    async fn extend(
        &mut self,
        ch: &mut Channel,
        kind: u64,
        n: usize,
        choices: Option<&[bool]>,
    ) -> Result<(Vec<Block>, Vec<Block>), OtError> {
        // calloc'd: fresh zero pages, no memset (extend_into only grows shorter buffers)
        let mut out: Vec<Block> = bytemuck::zeroed_vec(padded(n, self.security));
        let r = self.extend_into(ch, kind, n, choices, &mut out).await?;
        Ok((r, out))
    }

    /// [`CotReceiver::extend`] into `out` (its memory reused; `out.len() == n` after);
    /// returns the packed bits.
    async fn extend_into(
        &mut self,
        ch: &mut Channel,
        kind: u64,
        n: usize,
        choices: Option<&[bool]>,
        out: &mut Vec<Block>,
    ) -> Result<Vec<Block>, OtError> {
        let total = padded(n, self.security);
        let mut r = vec![Block::ZERO; total / 128];
        self.prg.fill_blocks(&mut r);
        if let Some(c) = choices {
            pack_bits(c, &mut r);
        }
        let mut hdr = [0u8; 16];
        hdr[..8].copy_from_slice(&kind.to_le_bytes());
        hdr[8..].copy_from_slice(&(n as u64).to_le_bytes());
        ch.send(&hdr).await?;
        // every row is overwritten: only grow (zero-filling the new part), never clear
        if out.len() < total {
            out.resize(total, Block::ZERO);
        }
        for c0 in (0..total).step_by(CHUNK) {
            let c = CHUNK.min(total - c0);
            self.next_rows(ch, &r[c0 / 128..(c0 + c) / 128], &mut out[c0..c0 + c])
                .await?;
        }
        ch.flush().await?;
        if self.security == Security::Malicious {
            let mut seed = [0u8; 16];
            ch.recv_exact(&mut seed).await?;
            let mut check = Check::new(Block::from_bytes(seed));
            check.absorb(&out[..total], Some(&r));
            let (x, t) = check.receiver_answer();
            ch.send(&x.to_bytes()).await?;
            ch.send(&t.to_bytes()).await?;
            ch.flush().await?;
        }
        out.truncate(n);
        Ok(r)
    }

    /// Correlated OT with chosen choice bits: returns `m_i = k_i ⊕ choices[i]·Δ`.
    /// Matches [`CotSender::send_cot`]. Not cancel-safe.
    ///
    /// # Errors
    /// [`OtError::Net`] on channel failure (a KOS sender that rejected us closes the channel).
    pub async fn receive_cot(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
    ) -> Result<Vec<Block>, OtError> {
        Ok(self
            .extend(ch, KIND_COT, choices.len(), Some(choices))
            .await?
            .1)
    }

    /// [`CotReceiver::receive_cot`] into `out`, whose memory is reused (no fresh pages for
    /// repeated batches): on success `out` holds the `n = choices.len()` blocks `m_i`.
    ///
    /// # Errors
    /// As [`CotReceiver::receive_cot`].
    pub async fn receive_cot_into(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
        out: &mut Vec<Block>,
    ) -> Result<(), OtError> {
        self.extend_into(ch, KIND_COT, choices.len(), Some(choices), out)
            .await
            .map(|_| ())
    }

    /// Correlated OT with uniformly random choice bits: returns `(b_i, m_i)`.
    /// Matches [`CotSender::send_cot`].
    ///
    /// # Errors
    /// As [`CotReceiver::receive_cot`].
    pub async fn receive_random_cot(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> Result<(Vec<bool>, Vec<Block>), OtError> {
        let (r, m) = self.extend(ch, KIND_COT, n, None).await?;
        Ok((unpack_bits(&r, n), m))
    }

    /// Random OT: returns `(b_i, H(i, m_i))`, equal to the sender's pad number `b_i`.
    /// Matches [`CotSender::send_random_ot`].
    ///
    /// # Errors
    /// As [`CotReceiver::receive_cot`].
    pub async fn receive_random_ot(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> Result<(Vec<bool>, Vec<Block>), OtError> {
        let (r, mut m) = self.extend(ch, KIND_ROT, n, None).await?;
        self.rot_pads(&mut m);
        Ok((unpack_bits(&r, n), m))
    }

    /// The random-OT pads `H(i, m_i)`, hashed in place over the `m_i`.
    fn rot_pads(&mut self, m: &mut [Block]) {
        hash_rows(m, Block::ZERO, self.tweak);
        self.tweak += m.len() as u64;
    }

    /// Chosen-message OT on blocks: returns `msgs[i][choices[i]]` of the sender's pairs.
    /// Matches [`CotSender::send_ot`].
    ///
    /// # Errors
    /// As [`CotReceiver::receive_cot`].
    pub async fn receive_ot(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
    ) -> Result<Vec<Block>, OtError> {
        let n = choices.len();
        let (_, mut h) = self.extend(ch, KIND_OT, n, Some(choices)).await?;
        self.rot_pads(&mut h);
        let mut ct = vec![Block::ZERO; 2 * n];
        for piece in Block::slice_as_bytes_mut(&mut ct).chunks_mut(CT_FRAME) {
            ch.recv_frame_exact(piece).await?;
        }
        Ok(ct
            .chunks_exact(2)
            .zip(h.iter().zip(choices))
            .map(|(y, (h, &c))| Block::conditional_select(&y[0], &y[1], Choice::from(c as u8)) ^ *h)
            .collect())
    }

    /// Chosen-message OT on byte strings: returns the chosen message of every pair.
    /// Matches [`CotSender::send_ot_bytes`].
    ///
    /// # Errors
    /// As [`CotReceiver::receive_cot`]; [`OtError::Malformed`] if the sender announces more
    /// than [`MAX_OT_BYTES`] in total.
    pub async fn receive_ot_bytes(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
    ) -> Result<Vec<Vec<u8>>, OtError> {
        let n = choices.len();
        let (_, mut h) = self.extend(ch, KIND_OT_BYTES, n, Some(choices)).await?;
        self.rot_pads(&mut h);
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

impl core::fmt::Debug for CotReceiver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CotReceiver")
            .field("security", &self.security)
            .finish_non_exhaustive()
    }
}

#[path = "ext_stream.rs"]
mod stream;

#[cfg(test)]
#[path = "ext_tests.rs"]
mod tests;
