//! [`OtKind`] and the run-time choice of COT source: [`AnyCotSender`] / [`AnyCotReceiver`]
//! are IKNP (KOS with [`Security::Malicious`]) or Ferret behind one type, so a consumer that
//! picks its source from a flag or a negotiation (gc's `Session`, the CLI's `--ot`) names
//! one type. Both implement the random-COT traits by delegating (one `match` per call, not
//! per COT).

use crate::ferret::{FerretParams, FerretReceiver, FerretSender};
use crate::traits::{RandomCotReceiver, RandomCotSender, SemiHonest};
use crate::{CotReceiver, CotSender, OtError, Security};
use duet_core::{Block, Delta};
use duet_net::Channel;
use std::fmt;
use std::str::FromStr;

/// Which OT extension produces the COTs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OtKind {
    /// IKNP03 (KOS15 when malicious): 16 bytes per COT, no set-up beyond base OT.
    #[default]
    Iknp,
    /// Ferret (YWLZW20, the paper's Table 2 parameters): well under a bit per COT after a
    /// set-up of a few hundred thousand bootstrap COTs.
    Ferret,
}

impl OtKind {
    /// Every kind, for help texts and tests.
    pub const ALL: [OtKind; 2] = [OtKind::Iknp, OtKind::Ferret];

    /// The name on the command line and in negotiations: `iknp` or `ferret`.
    pub fn name(self) -> &'static str {
        match self {
            OtKind::Iknp => "iknp",
            OtKind::Ferret => "ferret",
        }
    }
}

impl fmt::Display for OtKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for OtKind {
    type Err = String;
    fn from_str(s: &str) -> Result<OtKind, String> {
        OtKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown OT extension `{s}` (iknp or ferret)"))
    }
}

/// The sending end of an IKNP/KOS or Ferret source.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per session; IKNP (the common case) inline
pub enum AnyCotSender {
    /// IKNP or KOS.
    Iknp(CotSender),
    /// Ferret.
    Ferret(Box<FerretSender>),
}

/// The receiving end of an IKNP/KOS or Ferret source.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per session; IKNP (the common case) inline
pub enum AnyCotReceiver {
    /// IKNP or KOS.
    Iknp(CotReceiver),
    /// Ferret.
    Ferret(Box<FerretReceiver>),
}

impl AnyCotSender {
    /// Set up `kind` at `security` with the sender's `delta` (Ferret needs lsb 1): base OT,
    /// and for Ferret its bootstrap. Not cancel-safe.
    ///
    /// # Errors
    /// As [`CotSender::setup`] / [`FerretSender::setup`].
    pub async fn setup(
        ch: &mut Channel,
        delta: Delta,
        kind: OtKind,
        security: Security,
    ) -> Result<Self, OtError> {
        let (t, sent0) = (
            std::time::Instant::now(),
            ch.bytes_sent() + ch.bytes_received(),
        );
        let s = match kind {
            OtKind::Iknp => AnyCotSender::Iknp(CotSender::setup(ch, delta, security).await?),
            OtKind::Ferret => AnyCotSender::Ferret(Box::new(
                FerretSender::setup(ch, delta, security, FerretParams::FERRET_TABLE2).await?,
            )),
        };
        tracing::info!(
            ot = kind.name(),
            bytes = ch.bytes_sent() + ch.bytes_received() - sent0,
            seconds = t.elapsed().as_secs_f64(),
            "COT sender set up (base OT, and Ferret's bootstrap)"
        );
        Ok(s)
    }

    /// The kind of source.
    pub fn kind(&self) -> OtKind {
        match self {
            AnyCotSender::Iknp(_) => OtKind::Iknp,
            AnyCotSender::Ferret(_) => OtKind::Ferret,
        }
    }
}

impl AnyCotReceiver {
    /// Set up `kind` at `security` as the receiver. Not cancel-safe.
    ///
    /// # Errors
    /// As [`CotReceiver::setup`] / [`FerretReceiver::setup`].
    pub async fn setup(
        ch: &mut Channel,
        kind: OtKind,
        security: Security,
    ) -> Result<Self, OtError> {
        let (t, sent0) = (
            std::time::Instant::now(),
            ch.bytes_sent() + ch.bytes_received(),
        );
        let r = match kind {
            OtKind::Iknp => AnyCotReceiver::Iknp(CotReceiver::setup(ch, security).await?),
            OtKind::Ferret => AnyCotReceiver::Ferret(Box::new(
                FerretReceiver::setup(ch, security, FerretParams::FERRET_TABLE2).await?,
            )),
        };
        tracing::info!(
            ot = kind.name(),
            bytes = ch.bytes_sent() + ch.bytes_received() - sent0,
            seconds = t.elapsed().as_secs_f64(),
            "COT receiver set up (base OT, and Ferret's bootstrap)"
        );
        Ok(r)
    }

    /// The kind of source.
    pub fn kind(&self) -> OtKind {
        match self {
            AnyCotReceiver::Iknp(_) => OtKind::Iknp,
            AnyCotReceiver::Ferret(_) => OtKind::Ferret,
        }
    }
}

impl RandomCotSender for AnyCotSender {
    fn delta(&self) -> &Delta {
        match self {
            AnyCotSender::Iknp(s) => s.delta(),
            AnyCotSender::Ferret(s) => s.delta(),
        }
    }
    fn chunk_len(&self) -> usize {
        match self {
            AnyCotSender::Iknp(s) => s.chunk_len(),
            AnyCotSender::Ferret(s) => s.chunk_len(),
        }
    }
    fn position(&self) -> u64 {
        match self {
            AnyCotSender::Iknp(s) => s.position(),
            AnyCotSender::Ferret(s) => s.position(),
        }
    }
    async fn random_cot(&mut self, ch: &mut Channel, k: &mut [Block]) -> Result<(), OtError> {
        match self {
            AnyCotSender::Iknp(s) => s.random_cot(ch, k).await,
            AnyCotSender::Ferret(s) => s.random_cot(ch, k).await,
        }
    }
    async fn chosen_cot(&mut self, ch: &mut Channel, k: &mut [Block]) -> Result<(), OtError> {
        match self {
            AnyCotSender::Iknp(s) => s.chosen_cot(ch, k).await,
            AnyCotSender::Ferret(s) => s.chosen_cot(ch, k).await,
        }
    }
}

impl RandomCotReceiver for AnyCotReceiver {
    fn chunk_len(&self) -> usize {
        match self {
            AnyCotReceiver::Iknp(r) => r.chunk_len(),
            AnyCotReceiver::Ferret(r) => r.chunk_len(),
        }
    }
    fn position(&self) -> u64 {
        match self {
            AnyCotReceiver::Iknp(r) => r.position(),
            AnyCotReceiver::Ferret(r) => r.position(),
        }
    }
    async fn random_cot(
        &mut self,
        ch: &mut Channel,
        bits: &mut [Block],
        m: &mut [Block],
    ) -> Result<(), OtError> {
        match self {
            AnyCotReceiver::Iknp(r) => r.random_cot(ch, bits, m).await,
            AnyCotReceiver::Ferret(r) => r.random_cot(ch, bits, m).await,
        }
    }
    async fn chosen_cot(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
        m: &mut [Block],
    ) -> Result<(), OtError> {
        match self {
            AnyCotReceiver::Iknp(r) => r.chosen_cot(ch, choices, m).await,
            AnyCotReceiver::Ferret(r) => r.chosen_cot(ch, choices, m).await,
        }
    }
}

impl SemiHonest for AnyCotSender {}
impl SemiHonest for AnyCotReceiver {}
