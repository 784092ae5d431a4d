//! `duet-ag`: two-party computation secure against a **malicious** garbler or evaluator, by
//! authenticated garbling (Wang–Ranellucci–Katz, "Authenticated garbling and efficient
//! maliciously secure two-party computation", CCS 2017, eprint 2017/030 — *WRK17*; with the
//! leaky-AND and bucketing of Katz–Ranellucci–Rosulek–Wang, "Optimizing authenticated
//! garbling for faster secure two-party computation", CRYPTO 2018, eprint 2018/578 —
//! *KRRW18*). Security with abort, κ = 128, σ = 40: a cheating party can make the run abort,
//! but never change the honest party's output or learn more than the output (input
//! independence of the abort: WRK17 Thm. 2).
//!
//! Layout (sans-IO math, thin async drivers over [`duet_net::Channel`]):
//! - [`share`]: authenticated bits and shares, with distinct [`Mac`], [`Key`] and [`Label`]
//!   types; each party holds its own global key (Δ_A, Δ_B) from COT in both directions.
//! - `prepro`: wire masks, KRRW18 leaky ANDs, bucketing and Beaver reconciliation
//!   (WRK17 Fig. 8, KRRW18 Fig. 5); [`bucket_size`].
//! - [`garble`]: the authenticated garbled AND gate (WRK17 Fig. 2).
//! - `online`: input processing, the table stream, authenticated output decoding
//!   (WRK17 Fig. 10).
//! - [`hello`]: the protocol hello (`security: malicious`, circuit digest, input owners).
//!
//! Entry points: [`garbler`] / [`evaluator`] (KOS15 COT both ways, set up on the channel) and
//! [`run_with_cot`] (any malicious-secure COT sources, e.g. Ferret or the ideal COT in tests).
//! What is still open against the issue (KRRW18's half-gates tables and Ferret by default)
//! is listed in DESIGN.md.

#![forbid(unsafe_code)]

pub mod error;
pub mod garble;
pub mod hello;
mod online;
mod plan;
mod prepro;
pub mod share;
mod wire;

#[cfg(test)]
mod tests;

pub use error::{AgError, Check};
pub use prepro::{SIGMA, bucket_size};
pub use share::{Key, Label, Mac, Party, Share};

use duet_circuits::{Bits, Circuit};
use duet_core::{Block, Delta};
use duet_net::Channel;
use duet_ot::{KosReceiver, KosSender, Malicious, RandomCotReceiver, RandomCotSender};
use std::time::Instant;

/// Figures of one run, split into preprocessing (hello, COT set-up and extension, triples)
/// and the online phase (inputs, tables, outputs).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AgStats {
    /// AND gates of the circuit.
    pub and_gates: u64,
    /// Leaky triples per AND gate (the bucket size).
    pub bucket_size: usize,
    /// Bytes this party sent during preprocessing.
    pub prepro_bytes_sent: u64,
    /// Bytes this party received during preprocessing.
    pub prepro_bytes_received: u64,
    /// Seconds of preprocessing.
    pub prepro_seconds: f64,
    /// Bytes this party sent online.
    pub online_bytes_sent: u64,
    /// Bytes this party received online.
    pub online_bytes_received: u64,
    /// Seconds of the online phase.
    pub online_seconds: f64,
}

impl AgStats {
    /// Bytes both ways, both phases, per AND gate.
    pub fn total_bytes_per_and(&self) -> f64 {
        let t = self.prepro_bytes_sent
            + self.prepro_bytes_received
            + self.online_bytes_sent
            + self.online_bytes_received;
        t as f64 / self.and_gates.max(1) as f64
    }
}

/// The outputs of a run (every output value, header order) and its figures.
#[derive(Clone, Debug)]
pub struct AgOutput {
    /// One value per output of the circuit.
    pub outputs: Vec<Bits>,
    /// Figures of the run.
    pub stats: AgStats,
}

/// A fresh global key for `me`: lsb 1 (Δ_A is the free-XOR offset) and bit 1 set for the
/// garbler, clear for the evaluator, so bit 1 of Δ_A ⊕ Δ_B is 1 (the leaky AND opens it).
pub fn fresh_delta(me: Party) -> Delta {
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    let x = Block::from_bytes(b).with_lsb(true).0;
    let x = if me == Party::Garbler { x | 2 } else { x & !2 };
    Delta::from_block_any(Block(x))
}

fn check_inputs(c: &Circuit, inputs: &[Option<Bits>]) -> Result<Vec<bool>, AgError> {
    if inputs.len() != c.inputs().len() {
        return Err(AgError::Usage(format!(
            "{} input slots given, the circuit has {} input values",
            inputs.len(),
            c.inputs().len()
        )));
    }
    for (i, (x, &w)) in inputs.iter().zip(c.inputs()).enumerate() {
        if let Some(x) = x
            && x.len() != w as usize
        {
            return Err(AgError::Usage(format!(
                "input {i} has {} bits, expected {w}",
                x.len()
            )));
        }
    }
    Ok(inputs.iter().map(Option::is_some).collect())
}

/// Run the garbler with KOS15 COT in both directions set up on `ch` (base OT included).
/// `inputs[i]` is `Some` for every input value this party owns. Not cancel-safe.
///
/// # Errors
/// [`AgError::Handshake`] on any mismatch with the peer, [`AgError::Cheat`] naming the
/// failed check, [`AgError::Net`]/[`AgError::Ot`] on transport failure, [`AgError::Usage`] on
/// bad inputs. No output is returned after a failed check.
pub async fn garbler(
    ch: &mut Channel,
    c: &Circuit,
    inputs: &[Option<Bits>],
) -> Result<AgOutput, AgError> {
    kos_run(ch, Party::Garbler, c, inputs).await
}

/// The evaluator's side of [`garbler`].
///
/// # Errors
/// As [`garbler`].
pub async fn evaluator(
    ch: &mut Channel,
    c: &Circuit,
    inputs: &[Option<Bits>],
) -> Result<AgOutput, AgError> {
    kos_run(ch, Party::Evaluator, c, inputs).await
}

async fn kos_run(
    ch: &mut Channel,
    me: Party,
    c: &Circuit,
    inputs: &[Option<Bits>],
) -> Result<AgOutput, AgError> {
    let t0 = Instant::now();
    let (s0, r0) = (ch.bytes_sent(), ch.bytes_received());
    let owned = check_inputs(c, inputs)?;
    hello::handshake(ch, me, &duet_circuits::digest::of(c), &owned).await?;
    let delta = fresh_delta(me);
    let (mut s, mut r) = match me {
        Party::Garbler => {
            let s = KosSender::setup(ch, delta).await?;
            (s, KosReceiver::setup(ch).await?)
        }
        Party::Evaluator => {
            let r = KosReceiver::setup(ch).await?;
            (KosSender::setup(ch, delta).await?, r)
        }
    };
    run_after_hello(
        ch,
        me,
        c,
        inputs,
        &mut s,
        &mut r,
        (t0, s0, r0),
        #[cfg(test)]
        prepro::Cheat::None,
    )
    .await
}

/// Run `me`'s side over set-up COT sources: `s` with this party's Δ (made by
/// [`fresh_delta`]: bit 1 set for the garbler, clear for the evaluator), `r` the peer's.
/// The hello is exchanged first. Not cancel-safe.
///
/// # Errors
/// As [`garbler`]; [`AgError::Usage`] if `s`'s Δ does not have the bits [`fresh_delta`] sets.
pub async fn run_with_cot<S, R>(
    ch: &mut Channel,
    me: Party,
    c: &Circuit,
    inputs: &[Option<Bits>],
    s: &mut S,
    r: &mut R,
) -> Result<AgOutput, AgError>
where
    S: RandomCotSender + Malicious,
    R: RandomCotReceiver + Malicious,
{
    run_cheating(
        ch,
        me,
        c,
        inputs,
        s,
        r,
        #[cfg(test)]
        prepro::Cheat::None,
    )
    .await
}

pub(crate) async fn run_cheating<S, R>(
    ch: &mut Channel,
    me: Party,
    c: &Circuit,
    inputs: &[Option<Bits>],
    s: &mut S,
    r: &mut R,
    #[cfg(test)] cheat: prepro::Cheat,
) -> Result<AgOutput, AgError>
where
    S: RandomCotSender + Malicious,
    R: RandomCotReceiver + Malicious,
{
    let t0 = Instant::now();
    let (s0, r0) = (ch.bytes_sent(), ch.bytes_received());
    let owned = check_inputs(c, inputs)?;
    hello::handshake(ch, me, &duet_circuits::digest::of(c), &owned).await?;
    run_after_hello(
        ch,
        me,
        c,
        inputs,
        s,
        r,
        (t0, s0, r0),
        #[cfg(test)]
        cheat,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn run_after_hello<S, R>(
    ch: &mut Channel,
    me: Party,
    c: &Circuit,
    inputs: &[Option<Bits>],
    s: &mut S,
    r: &mut R,
    start: (Instant, u64, u64),
    #[cfg(test)] cheat: prepro::Cheat,
) -> Result<AgOutput, AgError>
where
    S: RandomCotSender + Malicious,
    R: RandomCotReceiver + Malicious,
{
    let d = s.delta().as_block();
    if !d.lsb() || d.bit(1) != (me == Party::Garbler) {
        return Err(AgError::Usage(
            "the COT sender's Δ lacks the bits authenticated garbling pins (see fresh_delta)"
                .into(),
        ));
    }
    let plan = plan::Plan::new(c);
    let m = prepro::preprocess(
        ch,
        me,
        &plan,
        s,
        r,
        #[cfg(test)]
        cheat,
    )
    .await?;
    let (t1, s1, r1) = (Instant::now(), ch.bytes_sent(), ch.bytes_received());
    let outputs = match me {
        Party::Garbler => {
            online::garbler(
                ch,
                c,
                &plan,
                &m,
                inputs,
                #[cfg(test)]
                cheat,
            )
            .await?
        }
        Party::Evaluator => {
            online::evaluator(
                ch,
                c,
                &plan,
                &m,
                inputs,
                #[cfg(test)]
                cheat,
            )
            .await?
        }
    };
    let stats = AgStats {
        and_gates: plan.num_and as u64,
        bucket_size: bucket_size(plan.num_and),
        prepro_bytes_sent: s1 - start.1,
        prepro_bytes_received: r1 - start.2,
        prepro_seconds: (t1 - start.0).as_secs_f64(),
        online_bytes_sent: ch.bytes_sent() - s1,
        online_bytes_received: ch.bytes_received() - r1,
        online_seconds: t1.elapsed().as_secs_f64(),
    };
    Ok(AgOutput { outputs, stats })
}
