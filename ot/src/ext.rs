//! Async drivers of IKNP / KOS OT extension, one long-lived pair per connection (base OT
//! once in `setup`, then any number of calls, matched in order), as random-COT sources
//! ([`crate::RandomCotSender`] / [`crate::RandomCotReceiver`]):
//!
//! - [`IknpSender`] / [`IknpReceiver`]: semi-honest IKNP with the ALSZ13 optimisations
//!   (marker [`crate::SemiHonest`]);
//! - [`KosSender`] / [`KosReceiver`]: IKNP plus the KOS15 consistency check, secure against
//!   a malicious receiver (markers [`crate::SemiHonest`] and [`crate::Malicious`]);
//! - [`CotSender`] / [`CotReceiver`]: either, chosen at run time by a [`Security`] value
//!   (a session option, a command-line flag); only [`crate::SemiHonest`] in its type.
//!
//! All three run the same code (one engine, [`Security`] a field of it); the wrappers only
//! put the security level in the type.
//!
//! Wire format of one call (receiver → sender unless noted):
//! 1. header `kind ‖ n` (two u64 LE, kind 1) — the sender checks both against its own call;
//! 2. the correction `u`, in frames of up to [`CHUNK`] OTs (16 bytes per OT): the receiver
//!    computes chunk `j + 1` while the sender works on chunk `j`;
//! 3. KOS only: sender → receiver challenge seed (16 bytes), receiver → sender `x ‖ t`.
//!
//! Chosen choice bits go into the extension itself (IKNP's `r`), so a chosen-choice call
//! costs what a random one does and the two are interchangeable on the wire. Outputs are
//! written into the caller's buffer (`n` blocks); the padding rows (to a multiple of 128,
//! plus KOS's κ + σ) go to a small internal buffer; the `128 × n` matrix is never held
//! (see [`crate::iknp`]).

use crate::iknp::{KAPPA, ReceiverCore, SenderCore, pack_bits};
use crate::kos::{self, Check};
use crate::traits::{Malicious, RandomCotReceiver, RandomCotSender, SemiHonest, check_len};
use crate::{OtError, base};
use duet_core::{Block, Delta, Prg};
use duet_net::Channel;
use duet_net::wire::{Hello, Offer, PeerMisbehaved, Protocol, Value, negotiate};
use zeroize::Zeroizing;

/// OTs per frame of `u` (256 KiB): the receiver's `u` and rows and the sender's `u` and rows
/// of one chunk stay in L2 (2^16 measured 155 M/s streamed, 2^14 174–178 M/s, 2^13 164–168).
/// IKNP's [`RandomCotSender::chunk_len`].
pub const CHUNK: usize = 1 << 14;
/// KOS's [`RandomCotSender::chunk_len`]: every call pays a round trip and κ + σ extra OTs,
/// so chunked consumers call with 2^18 OTs (4 MiB of outputs, 0.07 % extra OTs).
pub const KOS_CHUNK: usize = 1 << 18;

/// Security of the extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// IKNP with ALSZ13 optimisations: secure against semi-honest parties.
    SemiHonest,
    /// IKNP plus the KOS15 consistency check (σ = 40): secure against a malicious receiver.
    Malicious,
}

impl Security {
    /// The level's name in negotiations and messages: `semi-honest` or `malicious`.
    pub fn name(self) -> &'static str {
        match self {
            Security::SemiHonest => "semi-honest",
            Security::Malicious => "malicious",
        }
    }

    fn chunk_len(self) -> usize {
        match self {
            Security::SemiHonest => CHUNK,
            Security::Malicious => KOS_CHUNK,
        }
    }
}

const KIND_COT: u64 = 1;

/// The receiver's header of one IKNP/KOS call (`kind u64 ‖ n u64`, kind 1; unframed: 16
/// bytes per call on the hot path, so it is written into a stack array, not a
/// `wire::Message` frame, and decoded through a `duet_net::wire::Reader`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallHeader {
    /// COTs in the call.
    pub n: u64,
}

impl CallHeader {
    /// The 16 bytes on the wire.
    pub fn encode(self) -> [u8; 16] {
        let mut h = [0u8; 16];
        h[..8].copy_from_slice(&KIND_COT.to_le_bytes());
        h[8..].copy_from_slice(&self.n.to_le_bytes());
        h
    }

    /// Decode and validate (the kind must be a COT call).
    ///
    /// # Errors
    /// `InvalidMessage::UnknownCode` for another call kind.
    pub fn decode(b: &[u8; 16]) -> Result<CallHeader, duet_net::wire::InvalidMessage> {
        let mut r = duet_net::wire::Reader::new("OT call header", b);
        let kind = r.u64("call kind")?;
        if kind != KIND_COT {
            return Err(r.unknown("call kind", kind));
        }
        let n = r.u64("COT count")?;
        r.finish()?;
        Ok(CallHeader { n })
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

/// The OT extension's identity in the negotiation (`duet_net::wire`).
pub(crate) const OT_PROTOCOL: Protocol = Protocol {
    name: "duet-ot",
    version: 2,
    roles: ["sender", "receiver"],
};

/// Both parties negotiate the protocol, their roles and the security level before the base
/// OTs (one `duet_net::wire` negotiation; a difference is named on both sides).
async fn hello(ch: &mut Channel, role: u8, security: Security) -> Result<(), OtError> {
    let mine =
        Offer::new(&OT_PROTOCOL, role).with("OT security", Value::Text(security.name().into()));
    negotiate(ch, &OT_PROTOCOL, &Hello::Offer(mine), 4096).await?;
    Ok(())
}

/// Where the rows of one call go: rows `0..n` to the caller's `out`, the padding rows
/// `n..total` to `tail`. Rows of chunk `c0..c0 + c` are written by `fill`, directly into
/// `out` when the chunk lies inside it, else through `tmp`.
fn place(
    out: &mut [Block],
    tail: &mut [Block],
    tmp: &mut Vec<Block>,
    c0: usize,
    c: usize,
    fill: impl FnOnce(&mut [Block]),
) {
    let n = out.len();
    if c0 + c <= n {
        fill(&mut out[c0..c0 + c]);
        return;
    }
    if tmp.len() < c {
        tmp.resize(c, Block::ZERO);
    }
    let t = &mut tmp[..c];
    fill(t);
    let inside = n.saturating_sub(c0);
    out[c0.min(n)..].copy_from_slice(&t[..inside]);
    let at = c0 + inside - n;
    tail[at..at + c - inside].copy_from_slice(&t[inside..]);
    Block::slice_as_bytes_mut(t).fill(0);
}

/// Absorb the rows `out ‖ tail` (in OT order) into the KOS check, with the receiver's
/// packed bits `r` if given. Pieces start at multiples of 1024 rows, as
/// [`Check::absorb`] wants.
fn absorb(check: &mut Check, out: &[Block], tail: &[Block], r: Option<&[Block]>) {
    let a = out.len() / 1024 * 1024;
    check.absorb(&out[..a], r.map(|r| &r[..a / 128]));
    let mut rest = Zeroizing::new(Vec::with_capacity(out.len() - a + tail.len()));
    rest.extend_from_slice(&out[a..]);
    rest.extend_from_slice(tail);
    check.absorb(&rest, r.map(|r| &r[a / 128..]));
}

/// The sending engine (holds Δ), shared by [`IknpSender`], [`KosSender`] and [`CotSender`].
struct SenderExt {
    core: SenderCore,
    delta: Delta,
    security: Security,
    position: u64,
    u: Vec<Block>,
    tail: Vec<Block>,
    tmp: Vec<Block>,
}

impl SenderExt {
    async fn setup(ch: &mut Channel, delta: Delta, security: Security) -> Result<Self, OtError> {
        hello(ch, 0, security).await?;
        let d = delta.as_block();
        // Δ's bits and the seeds they select are as secret as Δ: wiped on every path.
        let choices: Zeroizing<Vec<bool>> = Zeroizing::new((0..KAPPA).map(|j| d.bit(j)).collect());
        let seeds = Zeroizing::new(base::receive(ch, &choices).await?);
        Ok(SenderExt {
            core: SenderCore::new(&delta, &seeds)?,
            delta,
            security,
            position: 0,
            u: Vec::new(),
            tail: Vec::new(),
            tmp: Vec::new(),
        })
    }

    /// Read the receiver's call header and check it is `n` COTs.
    async fn check_header(&mut self, ch: &mut Channel, n: usize) -> Result<(), OtError> {
        let mut hdr = [0u8; 16];
        ch.recv_exact(&mut hdr).await?;
        let h = CallHeader::decode(&hdr).map_err(|e| OtError::Wire(e.into()))?;
        if h.n != n as u64 {
            return Err(OtError::Wire(
                PeerMisbehaved::Unexpected {
                    message: "OT call header",
                    what: "the COTs of the call",
                    expected: n as u64,
                    actual: h.n,
                }
                .into(),
            ));
        }
        Ok(())
    }

    /// One extension of `out.len()` COTs: the `k_i = q_i` into `out`.
    async fn extend(&mut self, ch: &mut Channel, out: &mut [Block]) -> Result<(), OtError> {
        let n = out.len();
        self.check_header(ch, n).await?;
        let total = padded(n, self.security);
        self.tail.resize(total - n, Block::ZERO);
        for c0 in (0..total).step_by(CHUNK) {
            let c = CHUNK.min(total - c0);
            if self.u.len() < c {
                self.u.resize(c, Block::ZERO);
            }
            let u = &mut self.u[..c];
            ch.recv_frame_exact(Block::slice_as_bytes_mut(u)).await?;
            let core = &mut self.core;
            place(out, &mut self.tail, &mut self.tmp, c0, c, |rows| {
                core.extend(u, rows)
            });
        }
        if self.security == Security::Malicious {
            let seed = Block::random(&mut duet_core::secure_rng());
            ch.send(&seed.to_bytes()).await?;
            ch.flush().await?;
            // Our sum while the receiver computes its answer (both passes overlap).
            let mut check = Check::new(seed);
            absorb(&mut check, out, &self.tail, None);
            let mut ans = [0u8; 32];
            ch.recv_exact(&mut ans).await?;
            let x = Block::from_bytes(ans[..16].try_into().expect("16 bytes"));
            let t = Block::from_bytes(ans[16..].try_into().expect("16 bytes"));
            if !check.sender_accepts(self.delta.as_block(), x, t) {
                return Err(OtError::ConsistencyCheck);
            }
        }
        Block::slice_as_bytes_mut(&mut self.tail).fill(0);
        self.position += n as u64;
        Ok(())
    }
}

/// The receiving engine (holds the choice bits), shared by [`IknpReceiver`],
/// [`KosReceiver`] and [`CotReceiver`].
struct ReceiverExt {
    core: ReceiverCore,
    security: Security,
    prg: Prg,
    position: u64,
    u: Vec<Block>,
    r: Vec<Block>,
    tail: Vec<Block>,
    tmp: Vec<Block>,
}

impl ReceiverExt {
    async fn setup(ch: &mut Channel, security: Security) -> Result<Self, OtError> {
        hello(ch, 1, security).await?;
        let mut prg = Prg::from_os_rng();
        let seeds: Zeroizing<Vec<[Block; 2]>> = Zeroizing::new(
            (0..KAPPA)
                .map(|_| [prg.next_block(), prg.next_block()])
                .collect(),
        );
        base::send(ch, &seeds).await?;
        Ok(ReceiverExt {
            core: ReceiverCore::new(&seeds)?,
            security,
            prg: Prg::from_os_rng(),
            position: 0,
            u: Vec::new(),
            r: Vec::new(),
            tail: Vec::new(),
            tmp: Vec::new(),
        })
    }

    /// One extension of `out.len()` COTs with the given choices (`None`: random): the
    /// `m_i = t_i` into `out`, and the packed choice bits into `bits` if given (bits past
    /// `n` zero).
    async fn extend(
        &mut self,
        ch: &mut Channel,
        choices: Option<&[bool]>,
        bits: Option<&mut [Block]>,
        out: &mut [Block],
    ) -> Result<(), OtError> {
        let n = out.len();
        if let Some(c) = choices {
            check_len("COT choice bits", n, c.len())?;
        }
        if let Some(b) = &bits {
            check_len("packed COT choice bits", n.div_ceil(128), b.len())?;
        }
        let total = padded(n, self.security);
        self.r.resize(total / 128, Block::ZERO);
        self.prg.fill_blocks(&mut self.r);
        if let Some(c) = choices {
            pack_bits(c, &mut self.r);
        }
        ch.send(&CallHeader { n: n as u64 }.encode()).await?;
        self.tail.resize(total - n, Block::ZERO);
        for c0 in (0..total).step_by(CHUNK) {
            let c = CHUNK.min(total - c0);
            if self.u.len() < c {
                self.u.resize(c, Block::ZERO);
            }
            let u = &mut self.u[..c];
            let r = &self.r[c0 / 128..(c0 + c) / 128];
            let core = &mut self.core;
            place(out, &mut self.tail, &mut self.tmp, c0, c, |rows| {
                core.extend(r, u, rows)
            });
            ch.send_frame(Block::slice_as_bytes(u)).await?;
            ch.flush().await?;
        }
        ch.flush().await?;
        if self.security == Security::Malicious {
            let mut seed = [0u8; 16];
            ch.recv_exact(&mut seed).await?;
            let mut check = Check::new(Block::from_bytes(seed));
            absorb(&mut check, out, &self.tail, Some(&self.r));
            let (x, t) = check.receiver_answer();
            ch.send(&x.to_bytes()).await?;
            ch.send(&t.to_bytes()).await?;
            ch.flush().await?;
        }
        if let Some(b) = bits {
            b.copy_from_slice(&self.r[..n.div_ceil(128)]);
            if !n.is_multiple_of(128) {
                let last = b.len() - 1;
                b[last] = Block(b[last].0 & ((1u128 << (n % 128)) - 1));
            }
        }
        Block::slice_as_bytes_mut(&mut self.tail).fill(0);
        Block::slice_as_bytes_mut(&mut self.r).fill(0);
        self.position += n as u64;
        Ok(())
    }
}

/// The wrappers: one engine each, the security level in the type.
macro_rules! sender_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(SenderExt);

        impl RandomCotSender for $name {
            fn delta(&self) -> &Delta {
                &self.0.delta
            }
            fn chunk_len(&self) -> usize {
                self.0.security.chunk_len()
            }
            fn position(&self) -> u64 {
                self.0.position
            }
            async fn random_cot(&mut self, ch: &mut Channel, k: &mut [Block]) -> Result<(), OtError> {
                self.0.extend(ch, k).await
            }
            /// Native: the receiver's chosen bits are in the extension (no extra message).
            async fn chosen_cot(&mut self, ch: &mut Channel, k: &mut [Block]) -> Result<(), OtError> {
                self.0.extend(ch, k).await
            }
        }

        impl SemiHonest for $name {}

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("security", &self.0.security)
                    .field("position", &self.0.position)
                    .finish_non_exhaustive()
            }
        }
    };
}

macro_rules! receiver_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(ReceiverExt);

        impl RandomCotReceiver for $name {
            fn chunk_len(&self) -> usize {
                self.0.security.chunk_len()
            }
            fn position(&self) -> u64 {
                self.0.position
            }
            async fn random_cot(
                &mut self,
                ch: &mut Channel,
                bits: &mut [Block],
                m: &mut [Block],
            ) -> Result<(), OtError> {
                self.0.extend(ch, None, Some(bits), m).await
            }
            /// Native: the chosen bits are packed into the extension's `r`.
            async fn chosen_cot(
                &mut self,
                ch: &mut Channel,
                choices: &[bool],
                m: &mut [Block],
            ) -> Result<(), OtError> {
                self.0.extend(ch, Some(choices), None, m).await
            }
        }

        impl SemiHonest for $name {}

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("security", &self.0.security)
                    .field("position", &self.0.position)
                    .finish_non_exhaustive()
            }
        }
    };
}

sender_type!(
    /// Semi-honest IKNP sender (holds Δ): the garbler, the B2A sender.
    IknpSender
);
sender_type!(
    /// KOS sender (holds Δ): IKNP plus the KOS15 check, secure against a malicious
    /// receiver; every call's COTs are returned only after their check passed.
    KosSender
);
sender_type!(
    /// IKNP or KOS sender chosen at run time ([`Security`]); use [`IknpSender`] /
    /// [`KosSender`] when the level is known at compile time.
    CotSender
);
receiver_type!(
    /// Semi-honest IKNP receiver (holds the choice bits): the evaluator.
    IknpReceiver
);
receiver_type!(
    /// KOS receiver (holds the choice bits); matches [`KosSender`].
    KosReceiver
);
receiver_type!(
    /// IKNP or KOS receiver chosen at run time ([`Security`]); matches [`CotSender`] or
    /// the typed sender of the same level.
    CotReceiver
);

impl Malicious for KosSender {}
impl Malicious for KosReceiver {}

impl IknpSender {
    /// Run the base OTs (as base-OT receiver with the bits of `delta` as choices) and return
    /// the extension sender. `delta` may have any lsb. Not cancel-safe.
    ///
    /// # Errors
    /// [`OtError::Net`] on channel failure, [`OtError::Malformed`] for bad base-OT messages,
    /// [`OtError::Usage`] if the peer is not a semi-honest IKNP receiver.
    pub async fn setup(ch: &mut Channel, delta: Delta) -> Result<Self, OtError> {
        Ok(IknpSender(
            SenderExt::setup(ch, delta, Security::SemiHonest).await?,
        ))
    }
}

impl KosSender {
    /// As [`IknpSender::setup`], for KOS.
    ///
    /// # Errors
    /// As [`IknpSender::setup`].
    pub async fn setup(ch: &mut Channel, delta: Delta) -> Result<Self, OtError> {
        Ok(KosSender(
            SenderExt::setup(ch, delta, Security::Malicious).await?,
        ))
    }
}

impl CotSender {
    /// As [`IknpSender::setup`] / [`KosSender::setup`], the level chosen by `security`.
    ///
    /// # Errors
    /// As [`IknpSender::setup`]; [`OtError::Usage`] if the peer uses another [`Security`].
    pub async fn setup(
        ch: &mut Channel,
        delta: Delta,
        security: Security,
    ) -> Result<Self, OtError> {
        Ok(CotSender(SenderExt::setup(ch, delta, security).await?))
    }

    /// The security level agreed in `setup`.
    pub fn security(&self) -> Security {
        self.0.security
    }
}

impl IknpReceiver {
    /// Run the base OTs (as base-OT sender of 128 fresh random seed pairs) and return the
    /// extension receiver. Not cancel-safe.
    ///
    /// # Errors
    /// As [`IknpSender::setup`].
    pub async fn setup(ch: &mut Channel) -> Result<Self, OtError> {
        Ok(IknpReceiver(
            ReceiverExt::setup(ch, Security::SemiHonest).await?,
        ))
    }
}

impl KosReceiver {
    /// As [`IknpReceiver::setup`], for KOS.
    ///
    /// # Errors
    /// As [`IknpSender::setup`].
    pub async fn setup(ch: &mut Channel) -> Result<Self, OtError> {
        Ok(KosReceiver(
            ReceiverExt::setup(ch, Security::Malicious).await?,
        ))
    }
}

impl CotReceiver {
    /// As [`IknpReceiver::setup`] / [`KosReceiver::setup`], the level chosen by
    /// `security`.
    ///
    /// # Errors
    /// As [`CotSender::setup`].
    pub async fn setup(ch: &mut Channel, security: Security) -> Result<Self, OtError> {
        Ok(CotReceiver(ReceiverExt::setup(ch, security).await?))
    }

    /// The security level agreed in `setup`.
    pub fn security(&self) -> Security {
        self.0.security
    }

    /// Test hook (KOS tests): flip bit `.1` of column `.0` of `u` in the next call.
    #[cfg(test)]
    pub(crate) fn flip(&mut self, at: (usize, usize)) {
        self.0.core.flip = Some(at);
    }
}

#[cfg(test)]
#[path = "ext_tests.rs"]
mod tests;
