//! Ferret silent OT extension (Yang–Weng–Lan–Zhang–Wang, "Ferret: Fast Extension for
//! coRRElated oT with small communication", CCS 2020, eprint 2020/924): random correlated
//! OT with the sender's global Δ, like [`crate::CotSender`]'s, at a few hundredths of a byte
//! per COT instead of 16.
//!
//! # Output
//! The sender gets `k_i`, the receiver a uniformly random choice bit `b_i` and
//! `m_i = k_i ⊕ b_i·Δ`. Ferret's lsb convention: Δ has lsb 1 (as [`Delta::random`] and
//! garbling's Δ do), every `k_i` has lsb 0, so `b_i = lsb(m_i)` — the receiver's choice
//! bits travel in its blocks ([`FerretReceiver::extend`] also unpacks them).
//!
//! # One iteration (Ferret §5, Fig. 8 "Π_COT" with primal LPN)
//! It starts from `consumed = k + t·h (+128)` COTs reserved by the previous iteration
//! (bootstrap: from IKNP / KOS, [`crate::CotSender`]) and outputs `n = t·2^h`:
//! 1. **SPCOT** per bin ([`ggm`]): one half-tree correlated GGM tree of depth `h`
//!    (Guo et al., Eurocrypt 2023, eprint 2022/1431, §4): one fixed-key AES per parent node,
//!    `h − 1` blocks from sender to receiver, the tree's `h` COTs as the path's choices.
//!    The receiver's punctured leaf is its noise position in the bin.
//! 2. **MPCOT** over regular noise ([`mpcot`], Ferret §5 / Fig. 7 with one point per bin):
//!    the `t` trees side by side, `n` outputs `v` (sender), `w = v ⊕ e·Δ` (receiver), `e`
//!    of weight `t`, one 1 per bin of `2^h`.
//! 3. **Malicious only**: the consistency check of Ferret §4 / Fig. 6, batched over the
//!    iteration (`σ`: a cheating sender passes with probability `≈ n / 2^128`, far below
//!    `2^-40`), costing 16 + 32 + 1 bytes and [`params::CHECK_COTS`] COTs.
//! 4. **LPN** ([`lpn`], Ferret §3.1 and §6.1, primal LPN with a `d = 10` local linear code):
//!    `z = A·u ⊕ w` with `u` the first `k` reserved COTs; `A` is public (fixed-key AES).
//! 5. The first `consumed` outputs are reserved for the next iteration; the other
//!    `n − consumed` are the user's, handed out in order across calls of any size.
//!
//! # Parameters ([`FerretParams`])
//! [`FerretParams::FERRET_TABLE2`]: Ferret's Table 2 regular-noise set (128-bit security
//! per the paper's §6 analysis): main `n = 10,805,248` (`t = 1,319` bins of `2^13`),
//! `k = 589,760`, giving 10,198,341 COTs per iteration (semi-honest); setup `n = 642,048`
//! (`t = 2,508` bins of `2^8`), `k = 19,870`, run once on 39,934 (+128) IKNP COTs.
//! Communication per main iteration: `t·(h − 1)` blocks = 253 KB (≈ 0.025 bytes per COT),
//! plus 49 bytes for the malicious check.
//!
//! # Security ([`Security`])
//! - [`Security::SemiHonest`]: IKNP bootstrap, no check: secure against semi-honest parties.
//! - [`Security::Malicious`]: KOS bootstrap (malicious receiver of IKNP caught) and the
//!   check above: a sender whose tree corrections are inconsistent is caught by the
//!   receiver (returns [`OtError::Malformed`] naming the check; it acknowledges the result
//!   to the sender, which fails the same way), except for the one-bit selective-failure
//!   leakage Ferret's `F_spCOT` allows. The receiver's only message is the check's `d`; a
//!   receiver that lies in it fails its own check. Receivers choose their noise, as the
//!   COT functionality permits.
//!
//! # Memory
//! One iteration's `n` outputs (173 MB for the main set) and the `consumed` reserved COTs
//! (the LPN secret first); no allocation per COT or per iteration.
//!
//! Both parties must draw the same total number of COTs (call sizes may differ): an
//! iteration runs when a party's buffer is empty. No method is cancel-safe; after an
//! error the session refuses further calls.

mod ggm;
mod lpn;
mod mpcot;
pub mod params;
#[cfg(test)]
mod tests;

pub use params::{FerretParams, LpnParams};

use crate::kos::gf_mul;
use crate::{CotReceiver, CotSender, OtError, Security};
use duet_core::{Block, Delta, mem::zeroed_blocks};
use duet_net::Channel;
use subtle::ConstantTimeEq;

/// Trees whose corrections go in one frame (the receiver expands them while the sender
/// works on the next frame).
const TREES_PER_FRAME: usize = 32;
/// The receiver's verdict byte after the check.
const ACK_OK: u8 = 1;
const ACK_FAIL: u8 = 0;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    Setup,
    Main,
}

impl Stage {
    /// The LPN matrix tag (separate codes for the two instances).
    fn tag(self) -> u64 {
        match self {
            Stage::Setup => 1,
            Stage::Main => 2,
        }
    }
}

fn check_failed(side: &str) -> OtError {
    OtError::Malformed(format!(
        "Ferret SPCOT consistency check failed ({side}): the sender's GGM corrections are \
         inconsistent or the receiver lied in the check"
    ))
}

/// Both parties announce Ferret, the security level and the parameters.
async fn hello(ch: &mut Channel, security: Security, params: FerretParams) -> Result<(), OtError> {
    let mut mine = [0u8; 57];
    mine[..8].copy_from_slice(b"DUETFRT1");
    mine[8] = match security {
        Security::SemiHonest => 1,
        Security::Malicious => 2,
    };
    mine[9..].copy_from_slice(&params.to_bytes());
    ch.send(&mine).await?;
    ch.flush().await?;
    let mut theirs = [0u8; 57];
    ch.recv_exact(&mut theirs).await?;
    if theirs[..8] != mine[..8] {
        return Err(OtError::Malformed(
            "peer is not speaking duet Ferret v1".into(),
        ));
    }
    if theirs[8..] != mine[8..] {
        return Err(OtError::Usage(format!(
            "Ferret session mismatch: we use {security:?} with {params:?}, the peer differs"
        )));
    }
    Ok(())
}

/// Buffers and counters shared by both roles.
struct State {
    security: Security,
    params: FerretParams,
    /// The COTs reserved for the next iteration: LPN secret, tree COTs, check COTs.
    pre: Vec<Block>,
    /// The current iteration's outputs; `out[pos..end]` are not handed out yet.
    out: Vec<Block>,
    pos: usize,
    end: usize,
    /// One frame of tree corrections.
    msgs: Vec<Block>,
    chis: Vec<Block>,
    iteration: u64,
    broken: bool,
}

impl State {
    fn new(security: Security, params: FerretParams, first: &[Block]) -> Self {
        let cap = params
            .main
            .consumed(security)
            .max(params.setup.consumed(security));
        let mut pre = zeroed_blocks(cap);
        pre[..first.len()].copy_from_slice(first);
        let h = params.main.log_bin.max(params.setup.log_bin) as usize;
        State {
            security,
            params,
            pre,
            out: zeroed_blocks(params.main.n().max(params.setup.n())),
            pos: 0,
            end: 0,
            msgs: vec![Block::ZERO; TREES_PER_FRAME * (h - 1).max(1)],
            chis: Vec::new(),
            iteration: 0,
            broken: false,
        }
    }

    fn lpn(&self, stage: Stage) -> LpnParams {
        match stage {
            Stage::Setup => self.params.setup,
            Stage::Main => self.params.main,
        }
    }

    fn usable(&self) -> Result<(), OtError> {
        if self.broken {
            return Err(OtError::Usage(
                "Ferret session is broken by an earlier error".into(),
            ));
        }
        Ok(())
    }

    /// After the LPN: reserve the next iteration's COTs, expose the rest.
    fn finish(&mut self, n: usize) {
        let next = self.params.main.consumed(self.security);
        self.pre[..next].copy_from_slice(&self.out[..next]);
        self.pos = next;
        self.end = n;
        self.iteration += 1;
    }

    /// Copy buffered outputs into `dst`; returns how many.
    fn take(&mut self, dst: &mut [Block]) -> usize {
        let c = dst.len().min(self.end - self.pos);
        dst[..c].copy_from_slice(&self.out[self.pos..self.pos + c]);
        self.pos += c;
        c
    }
}

/// Test-only deviations from the protocol (cheating-party tests).
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Cheat {
    #[default]
    None,
    /// Sender: flip a bit of one tree correction (a selective-failure attempt).
    TreeCorrection,
    /// Sender: send a wrong check hash.
    CheckHash,
    /// Receiver: flip a bit of `d`.
    CheckMask,
}

/// The Ferret COT sender (holds Δ).
pub struct FerretSender {
    st: State,
    delta: Delta,
    #[cfg(test)]
    pub(crate) cheat: Cheat,
}

impl FerretSender {
    /// Bootstrap a session: IKNP (with KOS if `security` is malicious) with a fresh base OT,
    /// then the setup iteration. `delta` must have lsb 1 (see the module doc). Not
    /// cancel-safe.
    ///
    /// # Errors
    /// [`OtError::Usage`] for an lsb-0 Δ, invalid parameters, or a peer with other
    /// parameters or security; otherwise as [`FerretSender::extend_into`].
    pub async fn setup(
        ch: &mut Channel,
        delta: Delta,
        security: Security,
        params: FerretParams,
    ) -> Result<Self, OtError> {
        check_delta(&delta)?;
        params.validate(security)?;
        let mut cot = CotSender::setup(ch, delta.clone(), security).await?;
        Self::setup_with(ch, &mut cot, delta, params).await
    }

    /// Bootstrap from an existing IKNP session `cot`, set up with this same `delta` (which
    /// must have lsb 1); the security level is `cot`'s. Not cancel-safe.
    ///
    /// # Errors
    /// As [`FerretSender::setup`].
    pub async fn setup_with(
        ch: &mut Channel,
        cot: &mut CotSender,
        delta: Delta,
        params: FerretParams,
    ) -> Result<Self, OtError> {
        check_delta(&delta)?;
        let security = cot.security();
        params.validate(security)?;
        hello(ch, security, params).await?;
        let n0 = params.setup.consumed(security);
        let mut k = Vec::new();
        cot.send_cot_into(ch, n0, &mut k).await?;
        for x in k.iter_mut() {
            *x = x.with_lsb(false);
        }
        let mut s = FerretSender {
            st: State::new(security, params, &k),
            delta,
            #[cfg(test)]
            cheat: Cheat::None,
        };
        drop(k);
        s.run(ch, Stage::Setup).await?;
        Ok(s)
    }

    /// The security level of the session.
    pub fn security(&self) -> Security {
        self.st.security
    }

    /// The parameters of the session.
    pub fn params(&self) -> FerretParams {
        self.st.params
    }

    /// COTs buffered (available without communication).
    pub fn buffered(&self) -> usize {
        self.st.end - self.st.pos
    }

    /// Fill `out` with the next `out.len()` COT keys `k_i` (lsb 0), running iterations as
    /// needed. Matches [`FerretReceiver::extend_into`] / [`FerretReceiver::extend`] drawing
    /// the same total. Not cancel-safe.
    ///
    /// # Errors
    /// [`OtError::Net`] on channel failure, [`OtError::Malformed`] for a peer message of the
    /// wrong length or (malicious) a failed consistency check the receiver reports,
    /// [`OtError::Usage`] after an earlier error.
    pub async fn extend_into(
        &mut self,
        ch: &mut Channel,
        out: &mut [Block],
    ) -> Result<(), OtError> {
        self.st.usable()?;
        let mut done = 0;
        while done < out.len() {
            if self.st.pos == self.st.end {
                self.run(ch, Stage::Main).await?;
            }
            done += self.st.take(&mut out[done..]);
        }
        Ok(())
    }

    /// [`FerretSender::extend_into`] into a fresh vector of `n` blocks.
    ///
    /// # Errors
    /// As [`FerretSender::extend_into`].
    pub async fn extend(&mut self, ch: &mut Channel, n: usize) -> Result<Vec<Block>, OtError> {
        let mut out: Vec<Block> = bytemuck::zeroed_vec(n);
        self.extend_into(ch, &mut out).await?;
        Ok(out)
    }

    async fn run(&mut self, ch: &mut Channel, stage: Stage) -> Result<(), OtError> {
        let r = self.iterate(ch, stage).await;
        if r.is_err() {
            self.st.broken = true;
        }
        r
    }

    /// One iteration on the reserved COTs.
    async fn iterate(&mut self, ch: &mut Channel, stage: Stage) -> Result<(), OtError> {
        let lp = self.st.lpn(stage);
        let (t, h, k, n) = (lp.t, lp.log_bin as usize, lp.k, lp.n());
        let malicious = self.st.security == Security::Malicious;
        let delta = self.delta.as_block();
        let mut hasher = mpcot::transcript(self.st.iteration);
        let st = &mut self.st;
        for j0 in (0..t).step_by(TREES_PER_FRAME) {
            let c = TREES_PER_FRAME.min(t - j0);
            let msgs = &mut st.msgs[..c * (h - 1)];
            for j in 0..c {
                let tree = j0 + j;
                let leaves = &mut st.out[tree << h..(tree + 1) << h];
                ggm::sender_tree(
                    delta,
                    &st.pre[k + tree * h..k + (tree + 1) * h],
                    leaves,
                    &mut msgs[j * (h - 1)..(j + 1) * (h - 1)],
                );
                if !malicious {
                    // the leaves are still in cache
                    lpn::encode(stage.tag(), &st.pre[..k], tree << h, leaves);
                }
            }
            #[cfg(test)]
            if self.cheat == Cheat::TreeCorrection && j0 == 0 && !msgs.is_empty() {
                msgs[0] ^= Block(1 << 77);
            }
            let bytes = Block::slice_as_bytes(msgs);
            if malicious {
                hasher.update(bytes);
            }
            if h > 1 {
                ch.send_frame(bytes).await?;
                ch.flush().await?;
            }
        }
        if malicious {
            let mut sum = mpcot::ChiSum::new(mpcot::chi_seed(&hasher), &[], &mut st.chis);
            check_and_encode(&mut sum, stage, &st.pre[..k], &mut st.out[..n]);
            let (v, _) = sum.finish();
            let mut d = [0u8; 16];
            ch.recv_exact(&mut d).await?;
            let d = Block::from_bytes(d);
            let star = &st.pre[k + t * h..k + t * h + params::CHECK_COTS];
            let y = mpcot::pack(star) ^ gf_mul(d, delta);
            #[allow(unused_mut)]
            let mut mine = mpcot::check_hash(st.iteration, v ^ y);
            #[cfg(test)]
            if self.cheat == Cheat::CheckHash {
                mine[0] ^= 1;
            }
            ch.send(&mine).await?;
            ch.flush().await?;
            let mut ack = [0u8; 1];
            ch.recv_exact(&mut ack).await?;
            match ack[0] {
                ACK_OK => {}
                ACK_FAIL => return Err(check_failed("reported by the receiver")),
                b => {
                    return Err(OtError::Malformed(format!(
                        "Ferret check acknowledgement byte {b}"
                    )));
                }
            }
        }
        st.finish(n);
        Ok(())
    }
}

/// Rows per step of the fused check-and-encode pass (1 MiB: the piece stays in L2 between
/// the check's read and the LPN's).
const FUSED_ROWS: usize = 1 << 16;
const _: () = assert!(FUSED_ROWS.is_multiple_of(mpcot::CHI_CHUNK));

/// Malicious mode: absorb the MPCOT outputs into the check's sums, then LPN-encode them,
/// one cache-sized piece at a time.
fn check_and_encode(
    sum: &mut mpcot::ChiSum<'_>,
    stage: Stage,
    secret: &[Block],
    out: &mut [Block],
) {
    for (c, piece) in out.chunks_mut(FUSED_ROWS).enumerate() {
        sum.absorb(piece);
        lpn::encode(stage.tag(), secret, c * FUSED_ROWS, piece);
    }
}

impl core::fmt::Debug for FerretSender {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FerretSender")
            .field("security", &self.st.security)
            .field("params", &self.st.params)
            .finish_non_exhaustive()
    }
}

fn check_delta(delta: &Delta) -> Result<(), OtError> {
    if !delta.as_block().lsb() {
        return Err(OtError::Usage(
            "Ferret needs a Δ with lsb 1 (the lsb carries the receiver's choice bit)".into(),
        ));
    }
    Ok(())
}

/// The Ferret COT receiver (gets random choice bits).
pub struct FerretReceiver {
    st: State,
    /// Global punctured positions of the current iteration's trees.
    alphas: Vec<usize>,
    #[cfg(test)]
    pub(crate) cheat: Cheat,
}

impl FerretReceiver {
    /// Bootstrap a session: IKNP (with KOS if `security` is malicious) with a fresh base OT,
    /// then the setup iteration. Not cancel-safe.
    ///
    /// # Errors
    /// As [`FerretSender::setup`]; [`OtError::Malformed`] naming the consistency check if
    /// (malicious) the sender's corrections are inconsistent.
    pub async fn setup(
        ch: &mut Channel,
        security: Security,
        params: FerretParams,
    ) -> Result<Self, OtError> {
        params.validate(security)?;
        let mut cot = CotReceiver::setup(ch, security).await?;
        Self::setup_with(ch, &mut cot, params).await
    }

    /// Bootstrap from an existing IKNP session `cot`; the security level is `cot`'s.
    /// Not cancel-safe.
    ///
    /// # Errors
    /// As [`FerretReceiver::setup`].
    pub async fn setup_with(
        ch: &mut Channel,
        cot: &mut CotReceiver,
        params: FerretParams,
    ) -> Result<Self, OtError> {
        let security = cot.security();
        params.validate(security)?;
        hello(ch, security, params).await?;
        let n0 = params.setup.consumed(security);
        let mut m = Vec::new();
        let bits = cot.receive_random_cot_into(ch, n0, &mut m).await?;
        for (i, x) in m.iter_mut().enumerate() {
            *x = x.with_lsb(bits[i / 128].bit(i % 128));
        }
        let mut r = FerretReceiver {
            st: State::new(security, params, &m),
            alphas: Vec::with_capacity(params.main.t.max(params.setup.t)),
            #[cfg(test)]
            cheat: Cheat::None,
        };
        drop(m);
        r.run(ch, Stage::Setup).await?;
        Ok(r)
    }

    /// The security level of the session.
    pub fn security(&self) -> Security {
        self.st.security
    }

    /// The parameters of the session.
    pub fn params(&self) -> FerretParams {
        self.st.params
    }

    /// COTs buffered (available without communication).
    pub fn buffered(&self) -> usize {
        self.st.end - self.st.pos
    }

    /// Fill `out` with the next `out.len()` blocks `m_i = k_i ⊕ b_i·Δ`; the choice bit is
    /// `b_i = lsb(m_i)`. Matches [`FerretSender::extend_into`] / [`FerretSender::extend`]
    /// drawing the same total. Not cancel-safe.
    ///
    /// # Errors
    /// [`OtError::Net`] on channel failure, [`OtError::Malformed`] for a sender message of
    /// the wrong length or (malicious) a failed consistency check, [`OtError::Usage`] after
    /// an earlier error.
    pub async fn extend_into(
        &mut self,
        ch: &mut Channel,
        out: &mut [Block],
    ) -> Result<(), OtError> {
        self.st.usable()?;
        let mut done = 0;
        while done < out.len() {
            if self.st.pos == self.st.end {
                self.run(ch, Stage::Main).await?;
            }
            done += self.st.take(&mut out[done..]);
        }
        Ok(())
    }

    /// `n` random COTs: the choice bits `b_i` and the blocks `m_i` (whose lsb is `b_i`).
    ///
    /// # Errors
    /// As [`FerretReceiver::extend_into`].
    pub async fn extend(
        &mut self,
        ch: &mut Channel,
        n: usize,
    ) -> Result<(Vec<bool>, Vec<Block>), OtError> {
        let mut out: Vec<Block> = bytemuck::zeroed_vec(n);
        self.extend_into(ch, &mut out).await?;
        Ok((choice_bits(&out), out))
    }

    async fn run(&mut self, ch: &mut Channel, stage: Stage) -> Result<(), OtError> {
        let r = self.iterate(ch, stage).await;
        if r.is_err() {
            self.st.broken = true;
        }
        r
    }

    async fn iterate(&mut self, ch: &mut Channel, stage: Stage) -> Result<(), OtError> {
        let lp = self.st.lpn(stage);
        let (t, h, k, n) = (lp.t, lp.log_bin as usize, lp.k, lp.n());
        let malicious = self.st.security == Security::Malicious;
        let mut hasher = mpcot::transcript(self.st.iteration);
        let st = &mut self.st;
        self.alphas.clear();
        for j0 in (0..t).step_by(TREES_PER_FRAME) {
            let c = TREES_PER_FRAME.min(t - j0);
            let msgs = &mut st.msgs[..c * (h - 1)];
            if h > 1 {
                ch.recv_frame_exact(Block::slice_as_bytes_mut(msgs)).await?;
            }
            if malicious {
                hasher.update(Block::slice_as_bytes(msgs));
            }
            for j in 0..c {
                let tree = j0 + j;
                let leaves = &mut st.out[tree << h..(tree + 1) << h];
                let a = ggm::receiver_tree(
                    &st.pre[k + tree * h..k + (tree + 1) * h],
                    &msgs[j * (h - 1)..(j + 1) * (h - 1)],
                    leaves,
                );
                self.alphas.push((tree << h) + a);
                if !malicious {
                    lpn::encode(stage.tag(), &st.pre[..k], tree << h, leaves);
                }
            }
        }
        if malicious {
            let mut sum = mpcot::ChiSum::new(mpcot::chi_seed(&hasher), &self.alphas, &mut st.chis);
            check_and_encode(&mut sum, stage, &st.pre[..k], &mut st.out[..n]);
            let (w, s) = sum.finish();
            let star = &st.pre[k + t * h..k + t * h + params::CHECK_COTS];
            let c_star = star
                .iter()
                .enumerate()
                .fold(0u128, |acc, (i, m)| acc | (u128::from(m.lsb()) << i));
            #[allow(unused_mut)]
            let mut d = s ^ Block(c_star);
            #[cfg(test)]
            if self.cheat == Cheat::CheckMask {
                d ^= Block(1 << 5);
            }
            ch.send(&d.to_bytes()).await?;
            ch.flush().await?;
            let want = mpcot::check_hash(st.iteration, w ^ mpcot::pack(star));
            let mut theirs = [0u8; 32];
            ch.recv_exact(&mut theirs).await?;
            let ok: bool = theirs.ct_eq(&want).into();
            ch.send(&[if ok { ACK_OK } else { ACK_FAIL }]).await?;
            ch.flush().await?;
            if !ok {
                return Err(check_failed("at the receiver"));
            }
        }
        st.finish(n);
        Ok(())
    }
}

impl core::fmt::Debug for FerretReceiver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FerretReceiver")
            .field("security", &self.st.security)
            .field("params", &self.st.params)
            .finish_non_exhaustive()
    }
}

/// The choice bits of receiver blocks: `b_i = lsb(m_i)`.
pub fn choice_bits(m: &[Block]) -> Vec<bool> {
    m.iter().map(|x| x.lsb()).collect()
}
