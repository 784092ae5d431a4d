//! Ferret silent OT extension (Yang–Weng–Lan–Zhang–Wang, "Ferret: Fast Extension for
//! coRRElated oT with small communication", CCS 2020, eprint 2020/924): random correlated
//! OT with the sender's global Δ, like [`crate::CotSender`]'s, for a few hundredths of a byte
//! per COT instead of 16.
//!
//! # Output
//! The sender gets `k_i`, the receiver a uniformly random choice bit `b_i` and
//! `m_i = k_i ⊕ b_i·Δ`. Ferret's lsb convention: Δ has lsb 1 (as [`Delta::random`] and
//! garbling's Δ do), every `k_i` has lsb 0, so `b_i = lsb(m_i)`: the receiver's choice
//! bits travel in its blocks ([`FerretReceiver::extend`] also unpacks them,
//! [`choice_bits`]). IKNP's COTs are brought to this form locally at the bootstrap (the
//! sender clears its lsbs, the receiver sets its lsbs to its choice bits).
//!
//! # One iteration (Ferret §5, Fig. 8 "Π_COT", primal LPN)
//! It consumes `consumed = k + t·h` COTs (`+128` malicious) reserved by the previous
//! iteration (the first: from IKNP, or KOS when malicious, [`crate::CotSender`]) and
//! outputs `n = t·2^h`:
//! 1. **SPCOT** per bin (module `ggm`): one half-tree correlated GGM tree of depth `h`
//!    (Guo–Yang–Wang–Zhang–Xie–Liu–Zhao, Eurocrypt 2023, eprint 2022/1431, §4): one
//!    fixed-key AES (the CCR hash of GKWY20 §7.3) per parent node; the sender sends `h − 1`
//!    blocks per tree; the tree's `h` COTs give the punctured path (`α_i = ¬b_i`), which
//!    is the receiver's noise position in the bin.
//! 2. **MPCOT** over regular noise (module `mpcot`; Ferret §5, Fig. 7, with exactly one
//!    point per bin): the `t` trees side by side give `v` (sender), `w = v ⊕ e·Δ`
//!    (receiver), `e` of weight `t`, one 1 per bin of `2^h`.
//! 3. **Malicious only**: the consistency check of Ferret §4, Fig. 6 ("Π_spCOT", check
//!    steps), batched over the iteration: challenges `χ_j ∈ GF(2^128)` from a BLAKE3 hash of
//!    the sender's corrections, the receiver's `Σ χ_α` masked with [`params::CHECK_COTS`]
//!    COTs, and the sender's hash of `Σ χ_j·v_j ⊕ Y` compared by the receiver. Costs
//!    16 + 32 + 1 bytes per iteration.
//! 4. **LPN** (module `lpn`; Ferret §3.1, §6.1: primal LPN, `d = 10` local linear code):
//!    `z = A·u ⊕ w` with `u` the first `k` reserved COTs; `A` is public, its rows drawn
//!    with fixed-key AES (batched, and prefetched 32 rows ahead).
//! 5. The first `consumed` outputs are reserved for the next iteration; the other
//!    `n − consumed` are the caller's, in order, across calls of any size.
//!
//! Semi-honest sessions run each iteration lazily, tree by tree as outputs are drawn: a
//! tree and its LPN rows are computed while the tree's `2^h` leaves are in cache, straight
//! into the caller's buffer when it wants a whole tree, and the sender flushes its
//! corrections at the end of every call (so a consumer that answers after each call
//! cannot deadlock). Malicious sessions compute whole iterations, since no output may be
//! released before its iteration's check.
//!
//! # Wire format
//! Hello (57 bytes each way: tag, security, parameters); the bootstrap IKNP call; then per
//! tree one frame of `h − 1` blocks from the sender (`4 + 16·(h − 1)` bytes), flushed
//! every 32 trees and at the end of each call; malicious: per iteration `d` (16 bytes,
//! receiver), the check hash (32 bytes, sender), the verdict (1 byte, receiver).
//!
//! # Parameters ([`FerretParams`])
//! - [`FerretParams::FERRET_TABLE2`] (default): Ferret's Table 2 regular-noise set,
//!   128-bit security by the paper's §6 analysis: main `n = 10,805,248` (`t = 1,319` bins
//!   of `2^13`), `k = 589,760`: 10,198,341 COTs per iteration (10,198,213 malicious); setup
//!   `n = 642,048` (`t = 2,508` bins of `2^8`), `k = 19,870`, on 39,934 (+128) IKNP COTs.
//!   About 0.025 bytes per COT per iteration, 0.08 over the first 2^24 with the bootstrap.
//!   Its LPN secret (9 MB) lives beyond L2: the LPN's random reads bound the speed.
//! - [`FerretParams::EMP_B12`], [`FerretParams::EMP_B11`]: emp-ot's earlier sets with a
//!   smaller secret (3.8 MB, 2 MB): faster on small caches, 0.05 and 0.08 bytes per COT.
//! - [`FerretParams::INSECURE_TEST`]: tiny, for tests only.
//!
//! Rates and bytes per COT against IKNP are in the README's performance section
//! (`cargo bench --bench ferret`).
//!
//! # Security ([`Security`])
//! - [`Security::SemiHonest`]: IKNP bootstrap, no check: secure against semi-honest parties.
//! - [`Security::Malicious`]: KOS bootstrap (a malicious IKNP receiver is caught) and the
//!   check above, against a malicious sender: inconsistent tree corrections are caught by
//!   the receiver except for the selective-failure guess on `α` that Ferret's `F_spCOT`
//!   allows (the check is over GF(2^128); with Fiat–Shamir challenges each further try
//!   costs the sender a BLAKE3 evaluation and succeeds with probability about 2^-128). The
//!   receiver returns [`OtError::Malformed`] naming the check and reports the verdict, so
//!   the sender fails the same way. The receiver's only message is `d`; a receiver lying in
//!   it fails its own check (and a malicious receiver may pick its noise and choice bits,
//!   as the COT functionality allows).
//!
//! # Memory
//! The `consumed` COTs of the running iteration (the LPN secret first) and, semi-honest,
//! those being reserved for the next one (2 × 9.7 MB for Table 2) plus one tree; malicious,
//! one iteration's `n` outputs (173 MB) instead of the second reserve. No allocation per
//! COT or per iteration.
//!
//! Both parties must draw the same total number of COTs (call sizes may differ). No method
//! is cancel-safe; after an error the session refuses further calls.

mod ggm;
mod lpn;
mod mpcot;
pub mod params;
mod source;
#[cfg(test)]
mod tests;

pub use params::{FerretParams, LpnParams};

use crate::kos::gf_mul;
use crate::{CotReceiver, CotReceiverExt, CotSender, CotSenderExt, OtError, Security};
use duet_core::{Block, Delta, mem::zeroed_blocks};
use duet_net::Channel;
use duet_net::wire::{Hello, Offer, Protocol, Value, negotiate};
use subtle::ConstantTimeEq;

/// Trees between flushes of the sender's corrections (one frame per tree; the receiver
/// expands a batch while the sender works on the next).
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
async fn hello(
    ch: &mut Channel,
    role: u8,
    security: Security,
    params: FerretParams,
) -> Result<(), OtError> {
    const FERRET: Protocol = Protocol {
        name: "duet-ferret",
        version: 2,
        roles: ["sender", "receiver"],
    };
    let mine = Offer::new(&FERRET, role)
        .with("OT security", Value::Text(security.name().into()))
        .with(
            "Ferret parameters",
            Value::Bytes(params.to_bytes().to_vec()),
        );
    negotiate(ch, &FERRET, &Hello::Offer(mine), 4096).await?;
    Ok(())
}

/// Buffers and counters shared by both roles.
struct State {
    security: Security,
    params: FerretParams,
    /// The COTs the current iteration consumes: LPN secret, tree COTs, check COTs.
    pre: Vec<Block>,
    /// Semi-honest: the next iteration's COTs, written by the current one's first trees.
    pre_next: Vec<Block>,
    /// Outputs computed and not handed out yet are `buf[pos..end]`. Malicious: the whole
    /// iteration (outputs are released after the check); semi-honest: one tree.
    buf: Vec<Block>,
    pos: usize,
    end: usize,
    /// The iteration in progress and its next tree (semi-honest runs iterations lazily,
    /// tree by tree, as outputs are drawn).
    stage: Stage,
    tree: usize,
    /// Tree corrections: one tree's.
    msgs: Vec<Block>,
    chis: Vec<Block>,
    iteration: u64,
    broken: bool,
    /// COTs handed out so far (the trait's `position`).
    returned: u64,
}

impl State {
    fn new(security: Security, params: FerretParams, first: &[Block]) -> Self {
        let next = params.main.consumed(security);
        let mut pre = zeroed_blocks(next.max(params.setup.consumed(security)));
        pre[..first.len()].copy_from_slice(first);
        let h = params.main.log_bin.max(params.setup.log_bin);
        let (pre_next, buf) = match security {
            Security::SemiHonest => (zeroed_blocks(next), zeroed_blocks(1 << h)),
            Security::Malicious => (
                Vec::new(),
                zeroed_blocks(params.main.n().max(params.setup.n())),
            ),
        };
        State {
            security,
            params,
            pre,
            pre_next,
            buf,
            pos: 0,
            end: 0,
            stage: Stage::Setup,
            tree: 0,
            msgs: vec![Block::ZERO; h as usize - 1],
            chis: Vec::new(),
            iteration: 0,
            broken: false,
            returned: 0,
        }
    }

    fn lpn(&self) -> LpnParams {
        match self.stage {
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

    /// Malicious, after the check and the LPN: reserve the next iteration's COTs, expose the
    /// rest.
    fn finish_iteration(&mut self, n: usize) {
        let next = self.params.main.consumed(self.security);
        self.pre[..next].copy_from_slice(&self.buf[..next]);
        self.pos = next;
        self.end = n;
        self.iteration += 1;
        self.stage = Stage::Main;
    }

    /// Semi-honest, after tree `self.tree` was written to `dst` (the reserve, the caller's
    /// buffer, or `buf`): route it and advance. Returns how many outputs went to the
    /// caller directly, and whether to flush (end of a frame of trees).
    fn tree_done(&mut self, dst: Dst) -> (usize, bool) {
        let lp = self.lpn();
        let h = lp.log_bin as usize;
        let lo = self.tree << h;
        let reserve = self.params.main.consumed(self.security);
        let given = match dst {
            Dst::Reserve => 0,
            Dst::Caller => 1 << h,
            Dst::Buf => {
                // the part below the reserve boundary goes to the next iteration
                let cut = reserve.saturating_sub(lo).min(1 << h);
                if cut > 0 {
                    self.pre_next[lo..lo + cut].copy_from_slice(&self.buf[..cut]);
                }
                self.pos = cut;
                self.end = 1 << h;
                0
            }
        };
        self.tree += 1;
        let flush = self.tree.is_multiple_of(TREES_PER_FRAME) || self.tree == lp.t;
        if self.tree == lp.t {
            core::mem::swap(&mut self.pre, &mut self.pre_next);
            self.tree = 0;
            self.stage = Stage::Main;
            self.iteration += 1;
        }
        (given, flush)
    }

    /// Semi-honest: where tree `self.tree` goes, for a caller wanting `want` more outputs.
    fn tree_dst(&self, want: usize) -> Dst {
        let h = self.lpn().log_bin as usize;
        let (lo, hi) = (self.tree << h, (self.tree + 1) << h);
        let reserve = self.params.main.consumed(self.security);
        if hi <= reserve {
            Dst::Reserve
        } else if lo >= reserve && want >= 1 << h {
            Dst::Caller
        } else {
            Dst::Buf
        }
    }

    /// Copy buffered outputs into `dst`; returns how many.
    fn take(&mut self, dst: &mut [Block]) -> usize {
        let c = dst.len().min(self.end - self.pos);
        dst[..c].copy_from_slice(&self.buf[self.pos..self.pos + c]);
        self.pos += c;
        c
    }
}

/// Where a semi-honest tree's outputs are written.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dst {
    /// Entirely below the reserve boundary: into the next iteration's COTs.
    Reserve,
    /// Entirely the caller's, who wants at least a whole tree: into its buffer (no copy).
    Caller,
    /// Otherwise: into `buf`, then split.
    Buf,
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
    /// then (malicious) the setup iteration; a semi-honest session runs it as its first
    /// outputs are drawn. `delta` must have lsb 1 (see the module doc). Not cancel-safe.
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
        hello(ch, 0, security, params).await?;
        let n0 = params.setup.consumed(security);
        let mut k = Vec::new();
        cot.send_random_cot_into(ch, n0, &mut k).await?;
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
        if security == Security::Malicious {
            s.guard(ch, None).await?;
        }
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

    /// COTs computed and not handed out yet (available without communication).
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
        self.guard(ch, Some(out)).await?;
        self.st.returned += out.len() as u64;
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

    /// [`FerretSender::fill`] (or with `None`, the malicious set-up's eager iteration),
    /// marking the session broken on error.
    async fn guard(&mut self, ch: &mut Channel, out: Option<&mut [Block]>) -> Result<(), OtError> {
        let r = match out {
            Some(out) => self.fill(ch, out).await,
            None => self.iterate_malicious(ch).await,
        };
        if r.is_err() {
            self.st.broken = true;
        }
        r
    }

    async fn fill(&mut self, ch: &mut Channel, out: &mut [Block]) -> Result<(), OtError> {
        let mut done = 0;
        while done < out.len() {
            if self.st.pos < self.st.end {
                done += self.st.take(&mut out[done..]);
            } else if self.st.security == Security::Malicious {
                self.iterate_malicious(ch).await?;
            } else {
                done += self.next_tree(ch, &mut out[done..]).await?;
            }
        }
        ch.flush().await?;
        Ok(())
    }

    /// Semi-honest: compute, send and route the next tree; returns the outputs written to
    /// `out` directly.
    async fn next_tree(&mut self, ch: &mut Channel, out: &mut [Block]) -> Result<usize, OtError> {
        let st = &mut self.st;
        let lp = st.lpn();
        let (h, k, j) = (lp.log_bin as usize, lp.k, st.tree);
        let dst_kind = st.tree_dst(out.len());
        let (lo, hi) = (j << h, (j + 1) << h);
        let dst = match dst_kind {
            Dst::Reserve => &mut st.pre_next[lo..hi],
            Dst::Caller => &mut out[..1 << h],
            Dst::Buf => &mut st.buf[..1 << h],
        };
        let msgs = &mut st.msgs[..h - 1];
        ggm::sender_tree(
            self.delta.as_block(),
            &st.pre[k + j * h..k + (j + 1) * h],
            dst,
            msgs,
        );
        lpn::encode(st.stage.tag(), &st.pre[..k], lo, dst);
        #[cfg(test)]
        if self.cheat == Cheat::TreeCorrection && j == 0 && !msgs.is_empty() {
            msgs[0] ^= Block(1 << 77);
        }
        if h > 1 {
            ch.send_frame(Block::slice_as_bytes(msgs)).await?;
        }
        let (given, flush) = st.tree_done(dst_kind);
        if flush {
            ch.flush().await?;
        }
        Ok(given)
    }

    /// Malicious: one whole iteration (every tree, the check, the LPN) into `buf`.
    async fn iterate_malicious(&mut self, ch: &mut Channel) -> Result<(), OtError> {
        let st = &mut self.st;
        let lp = st.lpn();
        let (t, h, k, n) = (lp.t, lp.log_bin as usize, lp.k, lp.n());
        let delta = self.delta.as_block();
        let mut hasher = mpcot::transcript(st.iteration);
        for j in 0..t {
            let msgs = &mut st.msgs[..h - 1];
            ggm::sender_tree(
                delta,
                &st.pre[k + j * h..k + (j + 1) * h],
                &mut st.buf[j << h..(j + 1) << h],
                msgs,
            );
            #[cfg(test)]
            if self.cheat == Cheat::TreeCorrection && j == 0 && !msgs.is_empty() {
                msgs[0] ^= Block(1 << 77);
            }
            let bytes = Block::slice_as_bytes(msgs);
            hasher.update(bytes);
            if h > 1 {
                ch.send_frame(bytes).await?;
            }
            if (j + 1).is_multiple_of(TREES_PER_FRAME) || j + 1 == t {
                ch.flush().await?;
            }
        }
        let mut sum = mpcot::ChiSum::new(mpcot::chi_seed(&hasher), &[], &mut st.chis);
        check_and_encode(&mut sum, st.stage, &st.pre[..k], &mut st.buf[..n]);
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
        st.finish_iteration(n);
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
    /// Malicious: global punctured positions of the current iteration's trees.
    alphas: Vec<usize>,
    #[cfg(test)]
    pub(crate) cheat: Cheat,
}

impl FerretReceiver {
    /// Bootstrap a session: IKNP (with KOS if `security` is malicious) with a fresh base OT,
    /// then (malicious) the setup iteration. Not cancel-safe.
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
        hello(ch, 1, security, params).await?;
        let n0 = params.setup.consumed(security);
        let mut m = Vec::new();
        let bits = cot.receive_random_cot_into(ch, n0, &mut m).await?;
        for (i, x) in m.iter_mut().enumerate() {
            *x = x.with_lsb(bits[i / 128].bit(i % 128));
        }
        let mut r = FerretReceiver {
            st: State::new(security, params, &m),
            alphas: Vec::new(),
            #[cfg(test)]
            cheat: Cheat::None,
        };
        drop(m);
        if security == Security::Malicious {
            r.alphas.reserve(params.main.t.max(params.setup.t));
            r.guard(ch, None).await?;
        }
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

    /// COTs computed and not handed out yet (available without communication).
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
        self.guard(ch, Some(out)).await?;
        self.st.returned += out.len() as u64;
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

    /// As [`FerretSender::guard`].
    async fn guard(&mut self, ch: &mut Channel, out: Option<&mut [Block]>) -> Result<(), OtError> {
        let r = match out {
            Some(out) => self.fill(ch, out).await,
            None => self.iterate_malicious(ch).await,
        };
        if r.is_err() {
            self.st.broken = true;
        }
        r
    }

    async fn fill(&mut self, ch: &mut Channel, out: &mut [Block]) -> Result<(), OtError> {
        let mut done = 0;
        while done < out.len() {
            if self.st.pos < self.st.end {
                done += self.st.take(&mut out[done..]);
            } else if self.st.security == Security::Malicious {
                self.iterate_malicious(ch).await?;
            } else {
                done += self.next_tree(ch, &mut out[done..]).await?;
            }
        }
        Ok(())
    }

    /// Semi-honest: receive the next tree's corrections, expand it and route its outputs;
    /// returns the outputs written to `out` directly.
    async fn next_tree(&mut self, ch: &mut Channel, out: &mut [Block]) -> Result<usize, OtError> {
        let st = &mut self.st;
        let lp = st.lpn();
        let (h, k, j) = (lp.log_bin as usize, lp.k, st.tree);
        let msgs = &mut st.msgs[..h - 1];
        if h > 1 {
            ch.recv_frame_exact(Block::slice_as_bytes_mut(msgs)).await?;
        }
        let dst_kind = st.tree_dst(out.len());
        let (lo, hi) = (j << h, (j + 1) << h);
        let dst = match dst_kind {
            Dst::Reserve => &mut st.pre_next[lo..hi],
            Dst::Caller => &mut out[..1 << h],
            Dst::Buf => &mut st.buf[..1 << h],
        };
        ggm::receiver_tree(&st.pre[k + j * h..k + (j + 1) * h], &st.msgs[..h - 1], dst);
        lpn::encode(st.stage.tag(), &st.pre[..k], lo, dst);
        Ok(st.tree_done(dst_kind).0)
    }

    /// Malicious: one whole iteration (every tree, the check, the LPN) into `buf`.
    async fn iterate_malicious(&mut self, ch: &mut Channel) -> Result<(), OtError> {
        let st = &mut self.st;
        let lp = st.lpn();
        let (t, h, k, n) = (lp.t, lp.log_bin as usize, lp.k, lp.n());
        let mut hasher = mpcot::transcript(st.iteration);
        self.alphas.clear();
        for j in 0..t {
            let msgs = &mut st.msgs[..h - 1];
            if h > 1 {
                ch.recv_frame_exact(Block::slice_as_bytes_mut(msgs)).await?;
            }
            hasher.update(Block::slice_as_bytes(msgs));
            let a = ggm::receiver_tree(
                &st.pre[k + j * h..k + (j + 1) * h],
                msgs,
                &mut st.buf[j << h..(j + 1) << h],
            );
            self.alphas.push((j << h) + a);
        }
        let mut sum = mpcot::ChiSum::new(mpcot::chi_seed(&hasher), &self.alphas, &mut st.chis);
        check_and_encode(&mut sum, st.stage, &st.pre[..k], &mut st.buf[..n]);
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
        st.finish_iteration(n);
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
