//! RR22 PSI: Raghuraman–Rindal, "Blazing Fast PSI from Improved OKVS and Subfield VOLE",
//! CCS 2022, eprint 2022/320, §5 Fig. 11 (semi-honest), over the paxos OKVS of
//! [`super::okvs`] and a **subfield VOLE built from random COTs**.
//!
//! **Security: semi-honest parties.** Both set sizes are revealed (de-duplicated, in the
//! hello); the receiver learns the intersection; the sender learns nothing.
//!
//! # The VOLE
//! Fig. 11 needs a subfield VOLE `C = B + A'·Δ` with `A' ∈ B^m`, `B, C ∈ F^m`, `Δ ∈ F`,
//! where the base set B must have `log2|B| ≥ λ + log2 n_R + log2 n_S` (§5, Theorem 1). A
//! random COT (`m_i = k_i ⊕ b_i·Δ`, the [`duet_ot::traits`] sources) is the subfield VOLE
//! with B = GF(2), which is too small; so each OKVS slot takes ℓ COTs, combined with the
//! gadget `g_j = X^j`:
//! `C_i = Σ_j X^j·m_{i,j}`, `B_i = Σ_j X^j·k_{i,j}`, `A'_i = Σ_j b_{i,j}·X^j`, which gives
//! `C_i = B_i + A'_i·Δ` over F = GF(2^128) with `A'_i` in the ℓ-dimensional GF(2)-subspace
//! V = span(1, X, …, X^{ℓ−1}) — a subfield VOLE whose "subfield" is V (the proof of Theorem 1
//! uses only |V| and GF(2)-linearity). ℓ = 8·⌈(σ + ⌈log2 n_R⌉ + ⌈log2 n_S⌉)/8⌉ (80 bits at
//! 2^20 × 2^20, σ = 40). volePSI's "fast" variant instead runs a silent VOLE over all of
//! GF(2^128) (one VOLE per slot); this crate has no such generator, so the cost here is ℓ
//! COTs per slot: silent and cheap in bytes with Ferret, but ℓ× the COT computation.
//!
//! # Protocol (R = receiver with Y, S = sender with X)
//! 1. Both: hello ([`super::protocol`]'s frame, protocol id 1, parameters κ = 128, σ, OKVS
//!    weight 3, the COT source, chunk slots), checked on both sides.
//! 2. R: `P = Encode({(y, H_B(y))})` with [`OkvsParams::new`]`(n_R, σ)`, values and free
//!    positions in V; on an encoding failure R reseeds (the instance seed is public), at most
//!    [`PsiConfig::max_attempts`] times. R → S: status, seed, attempts, OKVS shape (39 bytes;
//!    S validates the shape against n_R before allocating).
//! 3. Both: the COT source (Ferret by default; set up after the hello), ℓ·m random COTs in
//!    chunks of [`SLOTS_PER_CHUNK`] slots; per chunk R sends `A_i = P_i + A'_i` (ℓ/8 bytes
//!    per slot) and S sets `K_i = B_i + A_i·Δ` (Fig. 11 step 3).
//! 4. S → R: `Y' = {H_o(Decode(K, x) − Δ·H_B(x))}` truncated to ℓ bits, under a random
//!    permutation (step 4). R: `H_o(Decode(C, y))` for its items and looks each value of Y'
//!    up (step 5). R → S: one byte 1.
//!
//! `H_B(x) = CR(x ⊕ t_B)` and `H_o(z) = CR(z ⊕ t_o)` truncated (CR = fixed-key AES
//! π(x) ⊕ x of GKWY20 §7.2, distinct public tweaks); items are the keyed-blake3 hashes of
//! [`super::items`]. False positives: ≤ 2^-σ over the run (Theorem 1's failure modes 2–3).
//!
//! Communication: the COT source's bytes for ℓ·m COTs, + m·ℓ bits (A) + n_S·ℓ bits (Y'),
//! + 39 bytes + hellos; [`formula_bytes`] gives the middle two.
//!
//! # The malicious variant
//! RR22's malicious protocol (Fig. 11 with RS21's `w_s, w_r` commitments and `H_o(x, ·)`)
//! needs a malicious VOLE over all of F = GF(2^128) (§6.2 runs only the "fast" variant
//! maliciously): with the V-valued gadget VOLE above, a malicious receiver can send `A_i`
//! outside V, which the gadget VOLE does not bind. It is therefore not offered; a malicious
//! Ferret session (`Security::Malicious`) would protect the COTs but not this step.

#![forbid(unsafe_code)]

#[cfg(test)]
mod tests;

use super::matching::MatchTable;
use super::okvs::{Okvs, OkvsParams, encode_reseeding};
use super::protocol::{Hello, check_config, handshake, progress, random_permutation, stats_from};
use super::*;
use duet_core::{Delta, FIXED_KEY_AES, Prg};
use duet_net::Channel;
use duet_ot::ferret::{FerretParams, FerretReceiver, FerretSender};
use duet_ot::{IknpReceiver, IknpSender, RandomCotReceiver, RandomCotSender, Security};

/// OKVS slots per VOLE chunk (ℓ·2048 COTs, e.g. 163,840 at ℓ = 80).
pub const SLOTS_PER_CHUNK: usize = 2048;
/// Sender values per write (64 Ki values).
const VALUES_PER_WRITE: usize = 1 << 16;
pub(crate) const SETUP_LEN: usize = 39;
const TWEAK_HB: u128 = 0x7272_3232_4842_0000_0000_0000_0000_0001;
const TWEAK_HO: u128 = 0x7272_3232_486f_0000_0000_0000_0000_0002;

/// Where the COTs come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum CotSource {
    /// Ferret silent OT (semi-honest; the default): ≈ 0.05 bytes per COT.
    #[default]
    Ferret,
    /// IKNP OT extension: 16 bytes per COT.
    Iknp,
    /// A source the caller set up ([`receiver_with`] / [`sender_with`]; tests use
    /// `duet_ot::ideal::IdealCot`).
    External,
}

impl CotSource {
    fn id(self) -> u64 {
        match self {
            CotSource::External => 0,
            CotSource::Iknp => 1,
            CotSource::Ferret => 2,
        }
    }
}

impl core::fmt::Display for CotSource {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            CotSource::Ferret => "ferret",
            CotSource::Iknp => "iknp",
            CotSource::External => "external",
        })
    }
}

fn hello(role: Role, n: u64, sigma: u32, source: CotSource, protocol: Protocol) -> Hello {
    Hello {
        protocol,
        role,
        n,
        params: [
            ("kappa", 128),
            ("sigma", sigma as u64),
            ("OKVS weight", super::okvs::WEIGHT as u64),
            ("COT source", source.id()),
            ("chunk slots", SLOTS_PER_CHUNK as u64),
        ],
    }
}

/// ℓ in bits for these set sizes: 8·[`value_bytes`].
pub fn value_bits(sigma: u32, n_receiver: u64, n_sender: u64) -> usize {
    8 * value_bytes(sigma, n_receiver, n_sender)
}

/// The OKVS size m for `n_receiver` items.
pub fn okvs_size(sigma: u32, n_receiver: u64) -> usize {
    OkvsParams::new(n_receiver as usize, sigma).size()
}

/// RR22's communication outside the COT source, in bytes: m·ℓ/8 (A) + n_S·ℓ/8 (Y'). Add
/// ℓ·m COTs at the source's rate (IKNP 16 B, Ferret ≈ 0.05 B).
pub fn formula_bytes(sigma: u32, n_receiver: u64, n_sender: u64) -> u64 {
    if n_receiver == 0 || n_sender == 0 {
        return 0;
    }
    let vb = value_bytes(sigma, n_receiver, n_sender) as u64;
    okvs_size(sigma, n_receiver) as u64 * vb + n_sender * vb
}

/// `a·X` in GF(2^128) mod X^128 + X^7 + X^2 + X + 1.
#[inline(always)]
fn mulx(a: u128) -> u128 {
    (a << 1) ^ (0x87 & 0u128.wrapping_sub(a >> 127))
}

/// `Σ_j X^j·c_j` by Horner's rule (the gadget combination of ℓ COT blocks).
#[inline]
fn gadget(c: &[Block]) -> Block {
    let mut acc = 0u128;
    for x in c.iter().rev() {
        acc = mulx(acc) ^ x.0;
    }
    Block(acc)
}

/// Products `a·Δ` for `a ∈ V` (ℓ bits) by ⌈ℓ/8⌉ lookups in 256-entry tables.
pub(crate) struct MulTable {
    t: Vec<[Block; 256]>,
}

impl MulTable {
    pub(crate) fn new(delta: Block, bits: usize) -> Self {
        let mut x = delta.0;
        let t = (0..bits.div_ceil(8))
            .map(|_| {
                let mut tab = [Block::ZERO; 256];
                for b in 0..8 {
                    let bit = 1usize << b;
                    for y in 0..bit {
                        tab[bit | y] = tab[y] ^ Block(x);
                    }
                    x = mulx(x);
                }
                tab
            })
            .collect();
        MulTable { t }
    }

    #[inline(always)]
    pub(crate) fn mul(&self, a: u128) -> Block {
        let mut acc = Block::ZERO;
        for (i, tab) in self.t.iter().enumerate() {
            acc ^= tab[((a >> (8 * i)) & 0xff) as usize];
        }
        acc
    }
}

/// `ℓ` bits of `bits` (packed, bit q of the stream = bit q%128 of block q/128) from `at`.
#[inline]
fn window(bits: &[Block], at: usize, len: usize) -> u128 {
    let (w, s) = (at / 128, at % 128);
    let mut v = bits[w].0 >> s;
    if s != 0 && s + len > 128 {
        v |= bits[w + 1].0 << (128 - s);
    }
    if len >= 128 {
        v
    } else {
        v & ((1u128 << len) - 1)
    }
}

/// `CR(x ⊕ tweak)` of every block, in place (batched fixed-key AES).
pub(crate) fn hash_tweaked(xs: &mut [Block], tweak: u128, mask: u128) {
    for x in xs.iter_mut() {
        x.0 ^= tweak;
    }
    FIXED_KEY_AES.cr_many(xs);
    for x in xs.iter_mut() {
        x.0 &= mask;
    }
}

/// The receiver's setup message (R → S after the hello): OKVS status, seed, seeds tried and
/// shape. Decoded and validated against n_R by [`SetupMsg::decode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SetupMsg {
    pub(crate) ok: bool,
    pub(crate) seed: Block,
    pub(crate) attempts: u32,
    pub(crate) sparse: u64,
    pub(crate) dense: u16,
    pub(crate) bins: u32,
    pub(crate) bin_cap: u32,
}

impl SetupMsg {
    pub(crate) fn encode(&self) -> [u8; SETUP_LEN] {
        let mut b = [0u8; SETUP_LEN];
        b[0] = self.ok as u8;
        b[1..17].copy_from_slice(&self.seed.to_bytes());
        b[17..21].copy_from_slice(&self.attempts.to_le_bytes());
        b[21..29].copy_from_slice(&self.sparse.to_le_bytes());
        b[29..31].copy_from_slice(&self.dense.to_le_bytes());
        b[31..35].copy_from_slice(&self.bins.to_le_bytes());
        b[35..39].copy_from_slice(&self.bin_cap.to_le_bytes());
        b
    }

    /// The message for an encoding with `params`.
    pub(crate) fn new(ok: bool, seed: Block, attempts: u32, params: &OkvsParams) -> Self {
        SetupMsg {
            ok,
            seed,
            attempts,
            sparse: params.sparse() as u64,
            dense: params.dense() as u16,
            bins: params.bins() as u32,
            bin_cap: params.bin_cap() as u32,
        }
    }

    /// Decode and check: status 0/1, and an OKVS shape an honest receiver of `n_r` items
    /// could have chosen: 1 ≤ bins ≤ n_R/1024 + 1, n_R ≤ bins·cap ≤ 2·n_R + 1024,
    /// cap ≤ sparse ≤ 2·cap + 1024, dense ≤ 128 (so the sender allocates O(n_R) blocks).
    ///
    /// # Errors
    /// [`PsiError::Malformed`] otherwise; [`PsiError::Okvs`] for status 0 (the receiver's
    /// encoding failed for every seed).
    pub(crate) fn decode(b: &[u8; SETUP_LEN], n_r: u64) -> Result<(Self, OkvsParams), PsiError> {
        let attempts = u32::from_le_bytes(b[17..21].try_into().expect("4 bytes"));
        let ok = match b[0] {
            1 => true,
            0 => {
                return Err(PsiError::Okvs(okvs::OkvsError::Exhausted { attempts }));
            }
            s => return Err(PsiError::Malformed(format!("OKVS status {s}"))),
        };
        let msg = SetupMsg {
            ok,
            seed: Block::from_bytes(b[1..17].try_into().expect("16 bytes")),
            attempts,
            sparse: u64::from_le_bytes(b[21..29].try_into().expect("8 bytes")),
            dense: u16::from_le_bytes([b[29], b[30]]),
            bins: u32::from_le_bytes(b[31..35].try_into().expect("4 bytes")),
            bin_cap: u32::from_le_bytes(b[35..39].try_into().expect("4 bytes")),
        };
        let (bins, cap) = (msg.bins as u64, msg.bin_cap as u64);
        if bins == 0
            || bins > n_r / 1024 + 1
            || cap > n_r
            || bins * cap < n_r
            || bins * cap > 2 * n_r + 1024
        {
            return Err(PsiError::Malformed(format!(
                "an OKVS of {bins} bins of {cap} items for {n_r} items"
            )));
        }
        if msg.sparse > 2 * cap + 1024 || msg.sparse < cap {
            return Err(PsiError::Malformed(format!(
                "an OKVS bin of {} sparse columns for {cap} items",
                msg.sparse
            )));
        }
        let params = OkvsParams::with_sizes(
            n_r as usize,
            bins as usize,
            cap as usize,
            msg.sparse as usize,
            msg.dense.into(),
        )
        .map_err(|e| PsiError::Malformed(e.to_string()))?;
        Ok((msg, params))
    }
}

/// Wall-clock phases of a run ([`PsiStats::phases`]).
pub(crate) struct Phases {
    last: std::time::Instant,
    pub(crate) done: Vec<(&'static str, u64)>,
}

impl Phases {
    pub(crate) fn new() -> Self {
        Phases {
            last: std::time::Instant::now(),
            done: Vec::new(),
        }
    }

    pub(crate) fn mark(&mut self, name: &'static str) {
        let now = std::time::Instant::now();
        let us = now.duration_since(self.last).as_micros() as u64;
        tracing::info!(phase = name, seconds = us as f64 / 1e6, "PSI phase done");
        self.done.push((name, us));
        self.last = now;
    }
}

/// The de-duplicated items and the peer's size after the hello.
pub(crate) struct Started {
    pub(crate) uniq: Vec<u32>,
    pub(crate) ys: Vec<Block>,
    pub(crate) n_peer: u64,
    pub(crate) start: (u64, u64),
    pub(crate) phases: Phases,
}

pub(crate) async fn start(
    ch: &mut Channel,
    items: &[Block],
    cfg: &PsiConfig,
    role: Role,
    source: CotSource,
    protocol: Protocol,
) -> Result<Started, PsiError> {
    let start = (ch.bytes_sent(), ch.bytes_received());
    let mut phases = Phases::new();
    check_config(cfg, items.len())?;
    let uniq = dedup_indices(items);
    let ys: Vec<Block> = uniq.iter().map(|&i| items[i as usize]).collect();
    let me = hello(role, ys.len() as u64, cfg.sigma, source, protocol);
    let n_peer = handshake(ch, &me).await?;
    phases.mark("hello");
    Ok(Started {
        uniq,
        ys,
        n_peer,
        start,
        phases,
    })
}

/// The receiver's OPRF state after the VOLE: the OKVS instance, `C` and ℓ.
pub(crate) struct ReceiverVole {
    pub(crate) okvs: Okvs,
    pub(crate) c: Vec<Block>,
    pub(crate) vbytes: usize,
    pub(crate) attempts: u32,
}

/// Steps 2–3 on the receiver's side (OKVS of `ys`, the VOLE, the A chunks).
pub(crate) async fn receiver_vole<R: RandomCotReceiver>(
    ch: &mut Channel,
    cot: &mut R,
    ys: &[Block],
    n_s: u64,
    cfg: &PsiConfig,
    phases: &mut Phases,
) -> Result<ReceiverVole, PsiError> {
    let n_r = ys.len() as u64;
    let vbytes = value_bytes(cfg.sigma, n_r, n_s);
    let ell = 8 * vbytes;
    let mask = duet_ot::oprf::value_mask(vbytes);
    let mut hb = ys.to_vec();
    hash_tweaked(&mut hb, TWEAK_HB, mask);
    let params = OkvsParams::new(ys.len(), cfg.sigma);
    let mut seed_prg = match cfg.hash_seed {
        Some(s) => Prg::new(Block(s as u128 | 1 << 126)),
        None => Prg::from_os_rng(),
    };
    let mut fill = Prg::from_os_rng();
    let enc = encode_reseeding(
        params,
        ys,
        &hb,
        mask,
        || seed_prg.next_block(),
        &mut fill,
        cfg.max_attempts,
    );
    drop(hb);
    let msg = SetupMsg::new(
        enc.is_ok(),
        enc.as_ref().map_or(Block::ZERO, |e| e.0.seed()),
        enc.as_ref().map_or(cfg.max_attempts.max(1), |e| e.2),
        &params,
    );
    ch.send(&msg.encode()).await?;
    ch.flush().await?;
    let (okvs, mut p, attempts) = enc?;
    phases.mark("okvs");

    let m = p.len();
    let mut c = vec![Block::ZERO; m];
    let mut bits = Vec::new();
    let mut mbuf = Vec::new();
    let mut abuf = Vec::new();
    for c0 in (0..m).step_by(SLOTS_PER_CHUNK) {
        let s = SLOTS_PER_CHUNK.min(m - c0);
        let cots = s * ell;
        bits.clear();
        bits.resize(cots.div_ceil(128), Block::ZERO);
        mbuf.resize(cots, Block::ZERO);
        cot.random_cot(ch, &mut bits, &mut mbuf).await?;
        abuf.clear();
        for i in 0..s {
            c[c0 + i] = gadget(&mbuf[i * ell..(i + 1) * ell]);
            let a = p[c0 + i].0 ^ window(&bits, i * ell, ell);
            abuf.extend_from_slice(&a.to_le_bytes()[..vbytes]);
        }
        ch.send(&abuf).await?;
        ch.flush().await?;
        progress(cfg, (c0 + s) as u64, m as u64 + n_s);
    }
    zeroize_blocks(&mut p);
    zeroize_blocks(&mut mbuf);
    phases.mark("vole");
    Ok(ReceiverVole {
        okvs,
        c,
        vbytes,
        attempts,
    })
}

fn zeroize_blocks(v: &mut [Block]) {
    use zeroize::Zeroize;
    for b in v.iter_mut() {
        b.zeroize();
    }
}

impl ReceiverVole {
    /// `H_o(Decode(C, y))` truncated, for each of `ys`.
    pub(crate) fn values(&self, ys: &[Block]) -> Vec<u128> {
        let mut d = vec![Block::ZERO; ys.len()];
        self.okvs.decode(&self.c, ys, &mut d);
        hash_tweaked(&mut d, TWEAK_HO, duet_ot::oprf::value_mask(self.vbytes));
        d.into_iter().map(|b| b.0).collect()
    }
}

/// The sender's OPRF key after the VOLE: the OKVS instance, `K`, Δ's table and ℓ.
pub(crate) struct SenderVole {
    okvs: Okvs,
    k: Vec<Block>,
    dtab: MulTable,
    pub(crate) vbytes: usize,
    pub(crate) attempts: u32,
}

/// Steps 2–3 on the sender's side.
pub(crate) async fn sender_vole<S: RandomCotSender>(
    ch: &mut Channel,
    cot: &mut S,
    n_r: u64,
    n_s: u64,
    cfg: &PsiConfig,
    phases: &mut Phases,
) -> Result<SenderVole, PsiError> {
    let vbytes = value_bytes(cfg.sigma, n_r, n_s);
    let ell = 8 * vbytes;
    let mut raw = [0u8; SETUP_LEN];
    ch.recv_exact(&mut raw).await?;
    let (msg, params) = SetupMsg::decode(&raw, n_r)?;
    phases.mark("okvs");
    let okvs = Okvs::new(params, msg.seed);
    let dtab = MulTable::new(cot.delta().as_block(), ell);
    let m = params.size();
    let mut k = vec![Block::ZERO; m];
    let mut kbuf = Vec::new();
    let mut abuf = Vec::new();
    for c0 in (0..m).step_by(SLOTS_PER_CHUNK) {
        let s = SLOTS_PER_CHUNK.min(m - c0);
        kbuf.resize(s * ell, Block::ZERO);
        cot.random_cot(ch, &mut kbuf).await?;
        abuf.resize(s * vbytes, 0u8);
        ch.recv_exact(&mut abuf).await?;
        for i in 0..s {
            let mut le = [0u8; 16];
            le[..vbytes].copy_from_slice(&abuf[i * vbytes..(i + 1) * vbytes]);
            let a = u128::from_le_bytes(le);
            k[c0 + i] = gadget(&kbuf[i * ell..(i + 1) * ell]) ^ dtab.mul(a);
        }
        progress(cfg, (c0 + s) as u64, m as u64 + n_s);
    }
    zeroize_blocks(&mut kbuf);
    phases.mark("vole");
    Ok(SenderVole {
        okvs,
        k,
        dtab,
        vbytes,
        attempts: msg.attempts,
    })
}

impl SenderVole {
    /// `H_o(Decode(K, x) − Δ·H_B(x))` truncated, for each of `xs`, written in place.
    pub(crate) fn values(&self, xs: &[Block]) -> Vec<u128> {
        let mask = duet_ot::oprf::value_mask(self.vbytes);
        let mut out = Vec::with_capacity(xs.len());
        let mut hb = Vec::with_capacity(VALUES_PER_WRITE);
        let mut d = Vec::with_capacity(VALUES_PER_WRITE);
        for chunk in xs.chunks(VALUES_PER_WRITE) {
            hb.clear();
            hb.extend_from_slice(chunk);
            hash_tweaked(&mut hb, TWEAK_HB, mask);
            d.clear();
            d.resize(chunk.len(), Block::ZERO);
            self.okvs.decode(&self.k, chunk, &mut d);
            for (z, h) in d.iter_mut().zip(&hb) {
                *z ^= self.dtab.mul(h.0);
            }
            hash_tweaked(&mut d, TWEAK_HO, mask);
            out.extend(d.iter().map(|b| b.0));
        }
        out
    }
}

impl Drop for SenderVole {
    fn drop(&mut self) {
        zeroize_blocks(&mut self.k);
    }
}

impl Drop for ReceiverVole {
    fn drop(&mut self) {
        zeroize_blocks(&mut self.c);
    }
}

/// Set up the named COT source after the hello (`Ferret` or `Iknp`; `External` is refused).
macro_rules! with_source {
    ($source:expr, $ch:expr, recv |$cot:ident| $body:expr) => {
        match $source {
            CotSource::Ferret => {
                let mut $cot =
                    FerretReceiver::setup($ch, Security::SemiHonest, FerretParams::default())
                        .await?;
                $body
            }
            CotSource::Iknp => {
                let mut $cot = IknpReceiver::setup($ch).await?;
                $body
            }
            CotSource::External => Err(PsiError::Config(
                "an external COT source is passed to receiver_with / sender_with".into(),
            )),
        }
    };
    ($source:expr, $ch:expr, send |$cot:ident| $body:expr) => {
        match $source {
            CotSource::Ferret => {
                let delta = Delta::from_block_set_lsb(Prg::from_os_rng().next_block());
                let mut $cot =
                    FerretSender::setup($ch, delta, Security::SemiHonest, FerretParams::default())
                        .await?;
                $body
            }
            CotSource::Iknp => {
                let delta = Delta::from_block_any(Prg::from_os_rng().next_block());
                let mut $cot = IknpSender::setup($ch, delta).await?;
                $body
            }
            CotSource::External => Err(PsiError::Config(
                "an external COT source is passed to receiver_with / sender_with".into(),
            )),
        }
    };
}
pub(crate) use with_source;

/// Run the RR22 PSI **receiver** on item hashes `items` (duplicates allowed) with COTs from
/// `source` (set up after the hello): learns which of its items the sender holds.
///
/// # Errors
/// [`PsiError`] on a network or OT failure, a handshake mismatch (protocol, role, version,
/// parameters, COT source), a malformed peer message, or if OKVS encoding fails for every
/// seed ([`PsiError::Okvs`]).
pub async fn receiver(
    ch: &mut Channel,
    items: &[Block],
    cfg: &PsiConfig,
    source: CotSource,
) -> Result<PsiOutput, PsiError> {
    let st = start(ch, items, cfg, Role::Receiver, source, Protocol::Rr22).await?;
    if st.ys.is_empty() || st.n_peer == 0 {
        return Ok(empty_output(ch, &st, cfg));
    }
    with_source!(
        source,
        ch,
        recv | cot | receiver_run(ch, &mut cot, st, cfg).await
    )
}

/// [`receiver`] with a COT source the caller set up (its sender end is the peer's).
///
/// # Errors
/// As [`receiver`].
pub async fn receiver_with<R: RandomCotReceiver>(
    ch: &mut Channel,
    cot: &mut R,
    items: &[Block],
    cfg: &PsiConfig,
) -> Result<PsiOutput, PsiError> {
    let st = start(
        ch,
        items,
        cfg,
        Role::Receiver,
        CotSource::External,
        Protocol::Rr22,
    )
    .await?;
    if st.ys.is_empty() || st.n_peer == 0 {
        return Ok(empty_output(ch, &st, cfg));
    }
    receiver_run(ch, cot, st, cfg).await
}

fn empty_output(ch: &Channel, st: &Started, _cfg: &PsiConfig) -> PsiOutput {
    PsiOutput {
        intersection: Vec::new(),
        stats: stats_from(ch, st.start, st.n_peer, st.ys.len() as u64),
    }
}

async fn receiver_run<R: RandomCotReceiver>(
    ch: &mut Channel,
    cot: &mut R,
    mut st: Started,
    cfg: &PsiConfig,
) -> Result<PsiOutput, PsiError> {
    let n_s = st.n_peer;
    let n_r = st.ys.len() as u64;
    let vole = receiver_vole(ch, cot, &st.ys, n_s, cfg, &mut st.phases).await?;
    let own = vole.values(&st.ys);
    let mut table = MatchTable::new(own.len(), own.len());
    for (i, &v) in own.iter().enumerate() {
        table.insert(i as u32, v);
    }
    drop(own);
    let vbytes = vole.vbytes;
    let mut found = vec![false; st.ys.len()];
    let mut buf = vec![0u8; VALUES_PER_WRITE.min(n_s as usize) * vbytes];
    let mut vals = Vec::with_capacity(VALUES_PER_WRITE);
    let (m, mut done) = (vole.c.len() as u64, 0u64);
    while done < n_s {
        let k = (n_s - done).min(VALUES_PER_WRITE as u64) as usize;
        ch.recv_exact(&mut buf[..k * vbytes]).await?;
        vals.clear();
        vals.extend(buf[..k * vbytes].chunks_exact(vbytes).map(|v| {
            let mut le = [0u8; 16];
            le[..vbytes].copy_from_slice(v);
            u128::from_le_bytes(le)
        }));
        table.lookup_many(&vals, |_, i| found[i as usize] = true);
        done += k as u64;
        progress(cfg, m + done, m + n_s);
    }
    ch.send(&[1]).await?;
    ch.flush().await?;
    st.phases.mark("values");
    let intersection = st
        .uniq
        .iter()
        .zip(&found)
        .filter(|&(_, &f)| f)
        .map(|(&i, _)| i as usize)
        .collect();
    Ok(PsiOutput {
        intersection,
        stats: PsiStats {
            bins: m,
            value_bytes: vbytes as u64,
            cuckoo_attempts: vole.attempts,
            phases: st.phases.done,
            ..stats_from(ch, st.start, n_s, n_r)
        },
    })
}

/// Run the RR22 PSI **sender** on item hashes `items` (duplicates allowed) with COTs from
/// `source`: the receiver learns the intersection, the sender nothing.
///
/// # Errors
/// As [`receiver`]; [`PsiError::Okvs`] if the receiver reports its encoding failed.
pub async fn sender(
    ch: &mut Channel,
    items: &[Block],
    cfg: &PsiConfig,
    source: CotSource,
) -> Result<PsiStats, PsiError> {
    let st = start(ch, items, cfg, Role::Sender, source, Protocol::Rr22).await?;
    if st.ys.is_empty() || st.n_peer == 0 {
        return Ok(stats_from(ch, st.start, st.ys.len() as u64, st.n_peer));
    }
    with_source!(
        source,
        ch,
        send | cot | sender_run(ch, &mut cot, st, cfg).await
    )
}

/// [`sender`] with a COT source the caller set up.
///
/// # Errors
/// As [`sender`].
pub async fn sender_with<S: RandomCotSender>(
    ch: &mut Channel,
    cot: &mut S,
    items: &[Block],
    cfg: &PsiConfig,
) -> Result<PsiStats, PsiError> {
    let st = start(
        ch,
        items,
        cfg,
        Role::Sender,
        CotSource::External,
        Protocol::Rr22,
    )
    .await?;
    if st.ys.is_empty() || st.n_peer == 0 {
        return Ok(stats_from(ch, st.start, st.ys.len() as u64, st.n_peer));
    }
    sender_run(ch, cot, st, cfg).await
}

async fn sender_run<S: RandomCotSender>(
    ch: &mut Channel,
    cot: &mut S,
    mut st: Started,
    cfg: &PsiConfig,
) -> Result<PsiStats, PsiError> {
    let n_r = st.n_peer;
    let n_s = st.ys.len() as u64;
    let vole = sender_vole(ch, cot, n_r, n_s, cfg, &mut st.phases).await?;
    let vals = vole.values(&st.ys);
    let vbytes = vole.vbytes;
    let perm = random_permutation(vals.len(), &mut Prg::from_os_rng());
    let mut out = vec![0u8; vals.len() * vbytes];
    for (i, v) in vals.iter().enumerate() {
        let at = perm[i] as usize * vbytes;
        out[at..at + vbytes].copy_from_slice(&v.to_le_bytes()[..vbytes]);
    }
    drop(vals);
    let m = vole.k.len() as u64;
    let mut done = 0u64;
    for piece in out.chunks(VALUES_PER_WRITE * vbytes) {
        ch.send(piece).await?;
        done += (piece.len() / vbytes) as u64;
        progress(cfg, m + done, m + n_s);
    }
    ch.flush().await?;
    let mut ack = [0u8; 1];
    ch.recv_exact(&mut ack).await?;
    if ack[0] != 1 {
        return Err(PsiError::Malformed(format!(
            "final acknowledgement {}",
            ack[0]
        )));
    }
    st.phases.mark("values");
    Ok(PsiStats {
        bins: m,
        value_bytes: vbytes as u64,
        cuckoo_attempts: vole.attempts,
        phases: st.phases.done,
        ..stats_from(ch, st.start, n_s, n_r)
    })
}
