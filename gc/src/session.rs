//! [`Session`]: many two-party circuit runs over one connection, base OT once.

use crate::handshake::{
    Hello, OutputPolicy, PROTOCOL_VERSION, Role, RunMessage, RunOffer, compare_offers,
};
use crate::protocol::{
    Prepared, ProtocolError, RunStats, SessionOptions, evaluator_run, garbler_run,
};
use duet_circuits::{Bits, Circuit};
use duet_core::{Delta, Prg};
use duet_net::Channel;
use duet_ot::{CotReceiver, CotSender, RandomCotReceiver, RandomCotSender};
use std::time::Instant;

enum Party<S, R> {
    Garbler {
        delta: Delta,
        cot: Box<S>,
        prg: Box<Prg>,
    },
    Evaluator {
        cot: Box<R>,
    },
}

/// One party's end of a two-party garbled-circuit session over one [`Channel`].
///
/// Opening a session ([`Session::garbler`] / [`Session::evaluator`]) exchanges a hello
/// (version and roles) and sets up IKNP OT extension (base OT once). Each
/// [`Session::run`] then runs one circuit: handshake, COTs for the evaluator's input bits,
/// streamed garbled tables, decoding; [`Session::run_many`] runs many instances of one
/// circuit with one handshake, one COT extension and one pipelined table stream. The two parties must call `run` the same number of
/// times with the same circuits and policies, in the same order.
///
/// A run that fails *at the handshake* (mismatch, bad input) leaves the session usable;
/// a failure later (network, bad tables) makes every later run fail with
/// [`ProtocolError::Poisoned`].
///
/// Methods are not cancel-safe: dropping a run future mid-way poisons the connection.
///
/// The COT source is a type parameter: by default IKNP or KOS ([`CotSender`] /
/// [`CotReceiver`], chosen by [`SessionOptions::security`]); any
/// [`RandomCotSender`] / [`RandomCotReceiver`] can be passed to
/// [`Session::garbler_with_cot`] / [`Session::evaluator_with_cot`] (tests pass
/// `duet_ot::ideal::IdealCot`, which skips base OT).
pub struct Session<S = CotSender, R = CotReceiver> {
    ch: Channel,
    role: Role,
    party: Party<S, R>,
    opts: SessionOptions,
    runs: u64,
    poisoned: bool,
    last: RunStats,
    total: RunStats,
}

impl<S, R> std::fmt::Debug for Session<S, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("role", &self.role)
            .field("runs", &self.runs)
            .field("poisoned", &self.poisoned)
            .finish_non_exhaustive()
    }
}

async fn hello(ch: &mut Channel, role: Role) -> Result<(), ProtocolError> {
    let mine = Hello {
        version: PROTOCOL_VERSION,
        role,
    };
    ch.send_frame(&mine.encode()).await?;
    ch.flush().await?;
    let peer = ch.recv_frame(Hello::MAX_LEN).await?;
    let peer = Hello::decode(&peer).map_err(ProtocolError::Handshake)?;
    mine.check_peer(&peer).map_err(ProtocolError::Handshake)
}

/// Check this party's inputs against the circuit; the owner of every input value as this
/// party sees it, and its values in header order.
fn check_inputs<'a>(
    widths: &[u32],
    role: Role,
    inputs: &'a [(usize, Bits)],
) -> Result<(Vec<Role>, Vec<Option<&'a Bits>>), String> {
    let n = widths.len();
    let mut mine: Vec<Option<&Bits>> = vec![None; n];
    for (i, bits) in inputs {
        let i = *i;
        if i >= n {
            return Err(format!(
                "input index {i} is out of range: the circuit has {n} input values"
            ));
        }
        if mine[i].is_some() {
            return Err(format!("input {i} is given twice"));
        }
        let width = widths[i] as usize;
        if bits.len() != width {
            return Err(format!(
                "input {i} has {} bits, the circuit expects {width}",
                bits.len()
            ));
        }
        mine[i] = Some(bits);
    }
    let owners = mine
        .iter()
        .map(|m| if m.is_some() { role } else { role.peer() })
        .collect();
    Ok((owners, mine))
}

/// [`check_inputs`] for every instance of a batched run: the owners (the same in every
/// instance) and each instance's values.
#[allow(clippy::type_complexity)]
fn check_instances<'a>(
    widths: &[u32],
    role: Role,
    instances: &[&'a [(usize, Bits)]],
) -> Result<(Vec<Role>, Vec<Vec<Option<&'a Bits>>>), String> {
    if instances.is_empty() {
        return Err("a batched run needs at least one instance".into());
    }
    if u32::try_from(instances.len()).is_err() {
        return Err(format!(
            "{} instances in one run (at most {})",
            instances.len(),
            u32::MAX
        ));
    }
    let mut owners0 = None;
    let mut all = Vec::with_capacity(instances.len());
    for (n, inputs) in instances.iter().enumerate() {
        let (owners, mine) = check_inputs(widths, role, inputs).map_err(|e| {
            if instances.len() > 1 {
                format!("instance {n}: {e}")
            } else {
                e
            }
        })?;
        match &owners0 {
            None => owners0 = Some(owners),
            Some(o) if *o != owners => {
                return Err(format!(
                    "instance {n} gives other input indices than instance 0 (every instance \
                     of a batched run must give values for the same inputs)"
                ));
            }
            Some(_) => {}
        }
        all.push(mine);
    }
    Ok((owners0.unwrap_or_default(), all))
}

impl Session {
    /// Open the garbler's end: hello, then IKNP setup as the COT sender with a fresh garbling
    /// Δ (lsb 1) drawn from the OS.
    ///
    /// # Errors
    /// [`ProtocolError::Handshake`] if the peer is not an evaluator of this protocol version;
    /// network and OT errors.
    pub async fn garbler(mut ch: Channel, opts: SessionOptions) -> Result<Session, ProtocolError> {
        hello(&mut ch, Role::Garbler).await?;
        let delta = Delta::random(&mut rand::rng());
        let cot = CotSender::setup(&mut ch, delta.clone(), opts.security).await?;
        let party = Party::Garbler {
            delta,
            cot: Box::new(cot),
            prg: Box::new(Prg::from_os_rng()),
        };
        Ok(Session::new(ch, Role::Garbler, party, opts))
    }

    /// Open the evaluator's end: hello, then IKNP setup as the COT receiver.
    ///
    /// # Errors
    /// As [`Session::garbler`].
    pub async fn evaluator(
        mut ch: Channel,
        opts: SessionOptions,
    ) -> Result<Session, ProtocolError> {
        hello(&mut ch, Role::Evaluator).await?;
        let cot = CotReceiver::setup(&mut ch, opts.security).await?;
        let party = Party::Evaluator { cot: Box::new(cot) };
        Ok(Session::new(ch, Role::Evaluator, party, opts))
    }
}

impl<S: RandomCotSender, R: RandomCotReceiver> Session<S, R> {
    /// Open the garbler's end over an already set-up COT source: hello, then runs. The
    /// garbling Δ is the source's Δ (it must have lsb 1); [`SessionOptions::security`] is
    /// not used (the source's type says its security). The evaluator opens with the
    /// matching receiver ([`Session::evaluator_with_cot`]).
    ///
    /// # Errors
    /// As [`Session::garbler`]; [`ProtocolError::Usage`] if Δ's lsb is 0.
    pub async fn garbler_with_cot(
        mut ch: Channel,
        opts: SessionOptions,
        cot: S,
    ) -> Result<Self, ProtocolError> {
        if !cot.delta().as_block().lsb() {
            return Err(ProtocolError::Usage(
                "the COT source's Δ has lsb 0; garbling needs lsb 1".into(),
            ));
        }
        hello(&mut ch, Role::Garbler).await?;
        let party = Party::Garbler {
            delta: cot.delta().clone(),
            cot: Box::new(cot),
            prg: Box::new(Prg::from_os_rng()),
        };
        Ok(Session::new(ch, Role::Garbler, party, opts))
    }

    /// Open the evaluator's end over an already set-up COT receiver: hello, then runs.
    ///
    /// # Errors
    /// As [`Session::evaluator`].
    pub async fn evaluator_with_cot(
        mut ch: Channel,
        opts: SessionOptions,
        cot: R,
    ) -> Result<Self, ProtocolError> {
        hello(&mut ch, Role::Evaluator).await?;
        let party = Party::Evaluator { cot: Box::new(cot) };
        Ok(Session::new(ch, Role::Evaluator, party, opts))
    }

    fn new(ch: Channel, role: Role, party: Party<S, R>, opts: SessionOptions) -> Self {
        Session {
            ch,
            role,
            party,
            opts,
            runs: 0,
            poisoned: false,
            last: RunStats::default(),
            total: RunStats::default(),
        }
    }

    /// The garbler's Δ (unit tests of the transcript only).
    #[cfg(test)]
    pub(crate) fn delta(&self) -> Option<&Delta> {
        match &self.party {
            Party::Garbler { delta, .. } => Some(delta),
            Party::Evaluator { .. } => None,
        }
    }

    /// This party's role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Runs started so far (including those that failed at the handshake).
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Figures of the last successful run.
    pub fn last_stats(&self) -> RunStats {
        self.last
    }

    /// Figures summed over all successful runs.
    pub fn total_stats(&self) -> RunStats {
        self.total
    }

    /// The underlying channel (e.g. for an application's own messages between runs; keep
    /// the two parties in step).
    pub fn channel(&mut self) -> &mut Channel {
        &mut self.ch
    }

    /// Close the session and give back the channel.
    pub fn into_channel(self) -> Channel {
        self.ch
    }

    /// Run `circuit` once. Convenience for [`Session::run_prepared`] with
    /// `Prepared::new(circuit.clone())`; prepare once when running a circuit often.
    ///
    /// # Errors
    /// As [`Session::run_prepared`].
    pub async fn run(
        &mut self,
        circuit: &Circuit,
        inputs: &[(usize, Bits)],
        policy: OutputPolicy,
    ) -> Result<Vec<Bits>, ProtocolError> {
        self.run_prepared(&Prepared::new(circuit.clone()), inputs, policy)
            .await
    }

    /// Run a prepared circuit once with this party's `inputs`: pairs of (input value index
    /// in the circuit header, value with bit k = wire k of the value). Every input value
    /// this party does not give belongs to the peer; the handshake checks that the peer
    /// agrees (each value owned by exactly one party), that both run the same circuit
    /// (blake3 digest) and the same `policy`.
    ///
    /// Returns the output values in header order if `policy` reveals them to this party,
    /// else an empty vector.
    ///
    /// # Errors
    /// [`ProtocolError::Usage`] for a bad index, width or duplicate (the peer gets
    /// [`ProtocolError::PeerAborted`]); [`ProtocolError::Handshake`] naming every difference
    /// with the peer; [`ProtocolError::Malformed`] for tables or labels that do not check
    /// out; network / OT errors; [`ProtocolError::Poisoned`] after an earlier mid-run
    /// failure.
    pub async fn run_prepared(
        &mut self,
        p: &Prepared,
        inputs: &[(usize, Bits)],
        policy: OutputPolicy,
    ) -> Result<Vec<Bits>, ProtocolError> {
        let mut out = self.run_instances(p, &[inputs], policy).await?;
        Ok(out.pop().unwrap_or_default())
    }

    /// Run `instances.len()` instances of one prepared circuit in a single batched run:
    /// instance `i` with this party's inputs `instances[i]` (as in
    /// [`Session::run_prepared`]; every instance must give the same input indices). One
    /// handshake, one COT extension for all of the evaluator's input bits, and the garbled
    /// tables of all instances in one stream, so garbling instance `i + 1` overlaps
    /// evaluating instance `i`; outputs are decoded together at the end. Each instance has
    /// its own input labels and salt (fresh tweaks). Memory: both parties hold the input
    /// and output labels of every instance (16 B per input and output bit each), the
    /// tables stream.
    ///
    /// Returns one vector of output values per instance (empty if `policy` does not reveal
    /// the outputs to this party).
    ///
    /// # Errors
    /// As [`Session::run_prepared`]; [`ProtocolError::Usage`] if `instances` is empty, has
    /// more than 2^32 − 1 entries, or its entries give different input indices; the
    /// handshake names an instance count that differs from the peer's.
    pub async fn run_many(
        &mut self,
        p: &Prepared,
        instances: &[Vec<(usize, Bits)>],
        policy: OutputPolicy,
    ) -> Result<Vec<Vec<Bits>>, ProtocolError> {
        let refs: Vec<&[(usize, Bits)]> = instances.iter().map(Vec::as_slice).collect();
        self.run_instances(p, &refs, policy).await
    }

    async fn run_instances(
        &mut self,
        p: &Prepared,
        instances: &[&[(usize, Bits)]],
        policy: OutputPolicy,
    ) -> Result<Vec<Vec<Bits>>, ProtocolError> {
        if self.poisoned {
            return Err(ProtocolError::Poisoned);
        }
        let start = Instant::now();
        let (sent0, recv0) = (self.ch.bytes_sent(), self.ch.bytes_received());
        let checked = check_instances(p.inputs(), self.role, instances);
        let count = instances.len() as u32;
        let message = match &checked {
            Ok((owners, _)) => RunOffer {
                role: self.role,
                run: self.runs,
                digest: p.digest(),
                owners: owners.clone(),
                policy,
                instances: count,
                scheme: self.opts.scheme,
            }
            .encode(),
            Err(reason) => RunOffer::encode_abort(reason),
        };
        self.runs += 1;
        // Both send, then both receive: no deadlock, and both see the same two offers.
        self.poisoned = true;
        self.ch.send_frame(&message).await?;
        self.ch.flush().await?;
        let peer = self
            .ch
            .recv_frame(RunOffer::max_len(p.inputs().len()))
            .await?;
        self.poisoned = false;
        let (owners, mine) = checked.map_err(ProtocolError::Usage)?;
        let peer = match RunOffer::decode(&peer) {
            Ok(RunMessage::Offer(o)) => o,
            Ok(RunMessage::Abort(reason)) => return Err(ProtocolError::PeerAborted(reason)),
            Err(e) => {
                self.poisoned = true;
                return Err(ProtocolError::Malformed(e));
            }
        };
        let mine_offer = RunOffer {
            role: self.role,
            run: self.runs - 1,
            digest: p.digest(),
            owners,
            policy,
            instances: count,
            scheme: self.opts.scheme,
        };
        let verdict = match self.role {
            Role::Garbler => compare_offers(&mine_offer, &peer),
            Role::Evaluator => compare_offers(&peer, &mine_offer),
        };
        verdict.map_err(ProtocolError::Handshake)?;

        self.poisoned = true;
        let progress = self.opts.progress.clone();
        let scheme = self.opts.scheme;
        let mine: Vec<&[Option<&Bits>]> = mine.iter().map(Vec::as_slice).collect();
        let out = match &mut self.party {
            Party::Garbler { delta, cot, prg } => {
                garbler_run(
                    &mut self.ch,
                    scheme,
                    delta,
                    &mut **cot,
                    prg,
                    p,
                    &mine,
                    policy,
                    progress,
                )
                .await?
            }
            Party::Evaluator { cot } => {
                evaluator_run(&mut self.ch, scheme, &mut **cot, p, &mine, policy, progress).await?
            }
        };
        self.poisoned = false;
        self.last = RunStats {
            and_gates: p.and_gates() * u64::from(count),
            xor_gates: p.xor_gates() * u64::from(count),
            bytes_sent: self.ch.bytes_sent() - sent0,
            bytes_received: self.ch.bytes_received() - recv0,
            seconds: start.elapsed().as_secs_f64(),
        };
        self.total.add(&self.last);
        Ok(out)
    }

    /// Give up this party's next run of `p` before any secret is used, telling the peer
    /// `reason`: sends the run handshake's abort form in place of an offer and reads the
    /// peer's offer, so the session stays in step (the run counts as made) and the peer's
    /// [`Session::run_prepared`] fails with [`ProtocolError::PeerAborted`] carrying `reason`.
    /// For callers that check their inputs above this crate (the typed program API).
    ///
    /// # Errors
    /// Network errors; [`ProtocolError::Poisoned`] after an earlier mid-run failure.
    pub async fn abort_run(&mut self, p: &Prepared, reason: &str) -> Result<(), ProtocolError> {
        if self.poisoned {
            return Err(ProtocolError::Poisoned);
        }
        self.runs += 1;
        self.poisoned = true;
        self.ch.send_frame(&RunOffer::encode_abort(reason)).await?;
        self.ch.flush().await?;
        self.ch
            .recv_frame(RunOffer::max_len(p.inputs().len()))
            .await?;
        self.poisoned = false;
        Ok(())
    }

    /// Flush and shut down the write side of the channel.
    ///
    /// # Errors
    /// Network errors.
    pub async fn close(mut self) -> Result<(), ProtocolError> {
        self.ch.close().await?;
        Ok(())
    }
}
