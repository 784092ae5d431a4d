//! The two-party runner for arithmetic circuits.
//!
//! 1. **Handshake**: one `duet_net::wire` negotiation — a blake3 digest of the canonical
//!    circuit (names, wires, constants, gates, outputs), ℓ, the garbling scheme, the OT
//!    extension, the planner's strategy and the link it plans for, their role and the output
//!    policy — failing both sides with [`Error::Mismatch`] naming every difference; then each
//!    checks the inputs the other gives ([`Error::Input`] naming every input given twice or
//!    by nobody).
//! 2. **COT setup** (base OTs, and Ferret's bootstrap with `--ot ferret`) once, after the
//!    handshake.
//! 3. **Plan** ([`crate::plan`]): both parties plan from the same public information (the
//!    circuit, ℓ, who owns which input, the strategy and link named in the negotiation), so
//!    they get the same plan: per gate local, a product on shares, or garbled, and its layer.
//! 4. **Layers** (the executor): per layer, all products on shares and all garbled gates of
//!    the layer run in ONE [`Engine::layer_with`] (one round trip): the garbled gates of a
//!    region as a chain of tasks in one flight of tables, converted back (Y2A) only where
//!    a local gate, a product or an output reads them; then the local gates of the layer.
//!    Labels of garbled results and of converted operands are kept, so a value is converted
//!    at most once. Gates no output depends on are skipped (they cannot change outputs).
//! 5. **Opening**: the garbler sends its shares of the outputs the evaluator sees, then the
//!    evaluator its shares of those the garbler sees.

use crate::engine::{Engine, GcTask, LayerOut, Operand, Stats};
use crate::planner::{CostModel, Domain, LOOPBACK, Plan, Strategy, plan};
use crate::settings::Reveal;
use crate::share::{Kind, Role, Val};
use crate::{ArithCircuit, Error, Labels, Ring};
use duet_gc::SchemeKind;
use duet_net::wire::{Hello, InvalidMessage, Offer, Protocol, Value, WireError, negotiate};
use duet_net::{Channel, Link};
use duet_ot::{AnyCotReceiver, AnyCotSender, OtKind, RandomCotReceiver, RandomCotSender};
use std::collections::HashMap;
use std::time::Instant;

/// Where the engine's random COTs come from: the OT extension (`iknp` or `ferret`), named in
/// the negotiation.
pub use duet_ot::OtKind as CotSource;

/// How a run plans and garbles; both parties must pass the same (the hello compares).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOptions {
    /// The garbling scheme of the garbled ops.
    pub scheme: SchemeKind,
    /// Which plans the planner considers.
    pub strategy: Strategy,
    /// The link to plan for ([`crate::LOOPBACK`] by default); it only steers the plan.
    pub link: Link,
    /// The COT source of a fresh engine (ignored by [`run_with_options`], whose engine is
    /// already set up).
    pub cot: CotSource,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            scheme: SchemeKind::HalfGates,
            strategy: Strategy::Auto,
            link: LOOPBACK,
            cot: CotSource::Iknp,
        }
    }
}

/// Statistics of a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunStats {
    /// Engine counters (multiplications, conversions, AND gates, COTs, rounds).
    pub engine: Stats,
    /// Interactive layers run.
    pub layers: u64,
    /// Bytes this party sent.
    pub bytes_sent: u64,
    /// Bytes this party received.
    pub bytes_received: u64,
    /// Wall-clock seconds of the whole run (handshake included).
    pub seconds: f64,
}

/// The result of a run for one party.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Per output (circuit order, sorted by name): the value, if revealed to this party.
    pub outputs: Vec<Option<u64>>,
    /// Statistics.
    pub stats: RunStats,
    /// The plan that was run (`Display` prints the `--explain` text).
    pub plan: Plan,
}

/// A digest of the validated circuit (canonical form; independent of JSON key order and
/// whitespace).
pub fn circuit_digest(c: &ArithCircuit) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"duet-hybrid circuit v1");
    h.update(&u64::from(c.num_wires()).to_le_bytes());
    let mut named = |tag: &[u8], n: &crate::Named| {
        h.update(tag);
        h.update(&(n.name.len() as u64).to_le_bytes());
        h.update(n.name.as_bytes());
        h.update(&n.value.to_le_bytes());
        h.update(&n.wire.to_le_bytes());
    };
    for n in c.inputs() {
        named(b"I", n);
    }
    for n in c.outputs() {
        named(b"O", n);
    }
    for &k in c.constants() {
        h.update(b"C");
        h.update(&k.to_le_bytes());
    }
    for g in c.gates() {
        h.update(g.op.name().as_bytes());
        h.update(&g.a.to_le_bytes());
        h.update(&g.b.to_le_bytes());
    }
    *h.finalize().as_bytes()
}

/// The hybrid protocol's identity in the negotiation.
pub const HYBRID_PROTOCOL: Protocol = Protocol {
    name: "duet-hybrid",
    version: 3,
    roles: ["garbler", "evaluator"],
};

/// This party's offer: parameters `circuit` (digest), `ring bits` (ℓ), `garbling scheme`,
/// the planner's `plan strategy` and link, `OT extension`, `output reveal` (per output: bit 0 the garbler sees it, bit 1 the
/// evaluator) and `inputs given` (this party's own flags, one byte per input, checked by
/// name after the negotiation).
fn offer(
    c: &ArithCircuit,
    ring: Ring,
    opts: &RunOptions,
    ot: Option<OtKind>,
    role: Role,
    owned: &[bool],
    reveal: &[Reveal],
) -> Offer {
    let mut o = Offer::new(&HYBRID_PROTOCOL, role as u8)
        .with("circuit", Value::Digest(circuit_digest(c)))
        .with("ring bits (ell)", Value::Uint(ring.ell().into()))
        .with("garbling scheme", Value::Text(opts.scheme.to_string()))
        .with("plan strategy", Value::Text(opts.strategy.name().into()))
        .with("plan link rate (bit/s)", Value::Uint(opts.link.rate))
        .with(
            "plan link RTT (ns)",
            Value::Uint(u64::try_from(opts.link.rtt.as_nanos()).unwrap_or(u64::MAX)),
        );
    if let Some(ot) = ot {
        // a caller's own engine (`run_with`) names no extension: its source is its own
        o = o.with("OT extension", Value::Text(ot.name().into()));
    }
    o.with(
        "output reveal",
        Value::Bytes(
            reveal
                .iter()
                .map(|r| u8::from(r.garbler) | (u8::from(r.evaluator) << 1))
                .collect(),
        ),
    )
    .with(
        "inputs given",
        Value::OwnBytes(owned.iter().map(|&o| u8::from(o)).collect()),
    )
}

#[allow(clippy::too_many_arguments)]
async fn handshake(
    ch: &mut Channel,
    c: &ArithCircuit,
    ring: Ring,
    opts: &RunOptions,
    ot: Option<OtKind>,
    role: Role,
    owned: &[bool],
    reveal: &[Reveal],
) -> Result<Vec<Role>, Error> {
    let mine = offer(c, ring, opts, ot, role, owned, reveal);
    let max = (1 << 20) + 2 * owned.len() + reveal.len();
    let peer = negotiate(ch, &HYBRID_PROTOCOL, &Hello::Offer(mine), max).await?;
    let n = owned.len();
    let their_owned = match peer.get("inputs given") {
        Some(Value::OwnBytes(b)) if b.len() == n && b.iter().all(|&x| x <= 1) => b,
        _ => {
            return Err(Error::Wire(WireError::InvalidMessage(
                InvalidMessage::Invalid {
                    message: "hybrid offer",
                    field: "inputs given",
                    why: "is not one 0/1 byte per input of the circuit",
                },
            )));
        }
    };
    let mut owners = Vec::with_capacity(n);
    let mut both = Vec::new();
    let mut neither = Vec::new();
    for (i, (&me, &they)) in owned.iter().zip(their_owned).enumerate() {
        let name = &c.inputs()[i].name;
        owners.push(match (me, they) {
            (true, 0) => role,
            (false, 1) => other(role),
            (true, _) => {
                both.push(format!("`{name}`"));
                role
            }
            (false, _) => {
                neither.push(format!("`{name}`"));
                role
            }
        });
    }
    let mut diffs = Vec::new();
    if !both.is_empty() {
        diffs.push(format!(
            "input {} is given by both parties",
            both.join(", ")
        ));
    }
    if !neither.is_empty() {
        diffs.push(format!(
            "input {} is given by neither party",
            neither.join(", ")
        ));
    }
    if !diffs.is_empty() {
        return Err(Error::Input(diffs.join("; ")));
    }
    Ok(owners)
}

fn other(r: Role) -> Role {
    match r {
        Role::Garbler => Role::Evaluator,
        Role::Evaluator => Role::Garbler,
    }
}

/// Run `c` as `role` over `ch`: `my_inputs` are `(input index, value)` pairs this party
/// owns (the peer must own all the others), `reveal` says who sees each output (both
/// parties must pass the same; use [`Reveal::BOTH`] for all by default). Sets up a fresh
/// [`Engine`] (base OTs) garbling with half-gates; [`run_scheme`] names the scheme; to run
/// many circuits over one connection use [`run_with`].
///
/// # Errors
/// [`Error::Input`] for a bad local input list or an input owned twice / by nobody (found in
/// the handshake), [`Error::Mismatch`] if the peer runs something else, network, OT and
/// peer errors otherwise.
pub async fn run(
    ch: &mut Channel,
    c: &ArithCircuit,
    role: Role,
    ring: Ring,
    my_inputs: &[(usize, u64)],
    reveal: &[Reveal],
) -> Result<RunOutput, Error> {
    run_scheme(ch, c, role, ring, SchemeKind::HalfGates, my_inputs, reveal).await
}

/// [`run`] with the garbled ops under `scheme` (both parties must name the same one; the
/// hello refuses a difference on both sides, naming both).
///
/// # Errors
/// As [`run`].
pub async fn run_scheme(
    ch: &mut Channel,
    c: &ArithCircuit,
    role: Role,
    ring: Ring,
    scheme: SchemeKind,
    my_inputs: &[(usize, u64)],
    reveal: &[Reveal],
) -> Result<RunOutput, Error> {
    let opts = RunOptions {
        scheme,
        ..RunOptions::default()
    };
    run_options(ch, c, role, ring, &opts, my_inputs, reveal).await
}

/// [`run_scheme`] with the COTs from the OT extension `ot` (IKNP or Ferret), set up after
/// the hello (which names it; both parties must name the same one).
///
/// # Errors
/// As [`run`].
#[allow(clippy::too_many_arguments)]
pub async fn run_ot(
    ch: &mut Channel,
    c: &ArithCircuit,
    role: Role,
    ring: Ring,
    scheme: SchemeKind,
    ot: OtKind,
    my_inputs: &[(usize, u64)],
    reveal: &[Reveal],
) -> Result<RunOutput, Error> {
    let opts = RunOptions {
        scheme,
        cot: ot,
        ..RunOptions::default()
    };
    run_options(ch, c, role, ring, &opts, my_inputs, reveal).await
}

/// [`run`] with every option named: scheme, planner strategy, the link to plan for and the
/// OT extension (both parties must pass the same; the negotiation refuses a difference).
///
/// # Errors
/// As [`run`].
pub async fn run_options(
    ch: &mut Channel,
    c: &ArithCircuit,
    role: Role,
    ring: Ring,
    opts: &RunOptions,
    my_inputs: &[(usize, u64)],
    reveal: &[Reveal],
) -> Result<RunOutput, Error> {
    let start = Instant::now();
    let (s0, r0) = (ch.bytes_sent(), ch.bytes_received());
    let (owned, mine) = own_inputs(c, ring, my_inputs, reveal)?;
    let owners = handshake(ch, c, ring, opts, Some(opts.cot), role, &owned, reveal).await?;
    let p = plan(
        c,
        ring,
        &owners,
        opts.link,
        CostModel::for_scheme(opts.scheme),
        opts.strategy,
    )?;
    tracing::info!(
        strategy = opts.strategy.name(),
        layers = p.layers,
        regions = p.regions.len(),
        estimated_rounds = p.estimate.rounds,
        "hybrid: negotiated and planned"
    );
    let security = duet_ot::Security::SemiHonest;
    let (mut out, stats) = match role {
        Role::Garbler => {
            let delta = duet_core::Delta::random(&mut duet_core::secure_rng());
            let s = AnyCotSender::setup(ch, delta, opts.cot, security).await?;
            let eng = Engine::<AnyCotSender, AnyCotReceiver>::garbler_with_cot(ring, s)?;
            fresh(ch, eng, opts, c, &owners, &mine, reveal, p).await?
        }
        Role::Evaluator => {
            let r = AnyCotReceiver::setup(ch, opts.cot, security).await?;
            let eng = Engine::<AnyCotSender, AnyCotReceiver>::evaluator_with_cot(ring, r)?;
            fresh(ch, eng, opts, c, &owners, &mine, reveal, p).await?
        }
    };
    out.stats.engine = stats;
    out.stats.bytes_sent = ch.bytes_sent() - s0;
    out.stats.bytes_received = ch.bytes_received() - r0;
    out.stats.seconds = start.elapsed().as_secs_f64();
    Ok(out)
}

/// Run plan `p` on a freshly set-up engine; returns the output and the engine's counters.
#[allow(clippy::too_many_arguments)]
async fn fresh<S: RandomCotSender, R: RandomCotReceiver>(
    ch: &mut Channel,
    mut eng: Engine<S, R>,
    opts: &RunOptions,
    c: &ArithCircuit,
    owners: &[Role],
    mine: &[u64],
    reveal: &[Reveal],
    p: Plan,
) -> Result<(RunOutput, Stats), Error> {
    eng.set_scheme(opts.scheme);
    let out = evaluate(ch, &mut eng, c, owners, mine, reveal, p).await?;
    Ok((out, eng.stats()))
}

/// As [`run`], on an engine already set up over `ch` (its role, ring and scheme are used;
/// the plan is [`Strategy::Auto`] for [`crate::LOOPBACK`]); the engine's counters keep
/// growing across runs (the returned stats are this run's).
///
/// # Errors
/// As [`run`].
pub async fn run_with<S: RandomCotSender, R: RandomCotReceiver>(
    ch: &mut Channel,
    eng: &mut Engine<S, R>,
    c: &ArithCircuit,
    my_inputs: &[(usize, u64)],
    reveal: &[Reveal],
) -> Result<RunOutput, Error> {
    run_with_options(ch, eng, c, Strategy::Auto, LOOPBACK, my_inputs, reveal).await
}

/// [`run_with`] planning with `strategy` for `link`.
///
/// # Errors
/// As [`run`].
pub async fn run_with_options<S: RandomCotSender, R: RandomCotReceiver>(
    ch: &mut Channel,
    eng: &mut Engine<S, R>,
    c: &ArithCircuit,
    strategy: Strategy,
    link: Link,
    my_inputs: &[(usize, u64)],
    reveal: &[Reveal],
) -> Result<RunOutput, Error> {
    let start = Instant::now();
    let (s0, r0) = (ch.bytes_sent(), ch.bytes_received());
    let before = eng.stats();
    let opts = RunOptions {
        scheme: eng.scheme(),
        strategy,
        link,
        cot: CotSource::Iknp,
    };
    let (owned, mine) = own_inputs(c, eng.ring(), my_inputs, reveal)?;
    let owners = handshake(ch, c, eng.ring(), &opts, None, eng.role(), &owned, reveal).await?;
    let p = plan(
        c,
        eng.ring(),
        &owners,
        link,
        CostModel::for_scheme(opts.scheme),
        strategy,
    )?;
    let mut out = evaluate(ch, eng, c, &owners, &mine, reveal, p).await?;
    out.stats.engine = eng.stats().since(&before);
    out.stats.bytes_sent = ch.bytes_sent() - s0;
    out.stats.bytes_received = ch.bytes_received() - r0;
    out.stats.seconds = start.elapsed().as_secs_f64();
    Ok(out)
}

type Owned = (Vec<bool>, Vec<u64>);

fn own_inputs(
    c: &ArithCircuit,
    ring: Ring,
    my_inputs: &[(usize, u64)],
    reveal: &[Reveal],
) -> Result<Owned, Error> {
    if reveal.len() != c.outputs().len() {
        return Err(Error::Input(format!(
            "output policy has {} entries, the circuit {} outputs",
            reveal.len(),
            c.outputs().len()
        )));
    }
    let mut owned = vec![false; c.inputs().len()];
    let mut mine = vec![0u64; c.inputs().len()];
    for &(i, v) in my_inputs {
        let slot = owned
            .get_mut(i)
            .ok_or_else(|| Error::Input(format!("input index {i} out of range")))?;
        if *slot {
            return Err(Error::Input(format!(
                "input `{}` given twice",
                c.inputs()[i].name
            )));
        }
        *slot = true;
        mine[i] = ring.reduce(v);
    }
    Ok((owned, mine))
}

/// The executor: runs plan `p` layer by layer (see the module docs).
async fn evaluate<S: RandomCotSender, R: RandomCotReceiver>(
    ch: &mut Channel,
    eng: &mut Engine<S, R>,
    c: &ArithCircuit,
    owners: &[Role],
    mine: &[u64],
    reveal: &[Reveal],
    p: Plan,
) -> Result<RunOutput, Error> {
    let (role, ring) = (eng.role(), eng.ring());
    let local = eng.local();
    let base = c.first_gate_value() as usize;
    let mut vals: Vec<Val> = Vec::with_capacity(c.num_values());
    vals.extend(
        owners
            .iter()
            .zip(mine)
            .map(|(&o, &v)| Val::input(role, o, v)),
    );
    vals.extend(c.constants().iter().map(|&k| Val::public(ring.reduce(k))));
    vals.resize(c.num_values(), Val::public(0));
    let mut labels: HashMap<u32, Labels> = HashMap::new();
    let mut by_layer: Vec<Vec<usize>> = vec![Vec::new(); p.layers as usize + 1];
    for (gi, (&lv, &d)) in p.layer.iter().zip(&p.domain).enumerate() {
        if d != Domain::Dead {
            by_layer[lv as usize].push(gi);
        }
    }
    let mut layers = 0;
    for gates in &by_layer {
        let mut muls = Vec::new();
        let mut mul_gates = Vec::new();
        let mut garbled = Vec::new();
        for &gi in gates {
            let g = c.gates()[gi];
            match p.domain[gi] {
                Domain::Shares => {
                    muls.push((vals[g.a as usize], vals[g.b as usize]));
                    mul_gates.push(gi);
                }
                Domain::Garbled => garbled.push(gi),
                _ => {}
            }
        }
        if !muls.is_empty() || !garbled.is_empty() {
            layers += 1;
            // operands: values not made by a garbled gate of this layer, once each
            let task_of: HashMap<u32, usize> = garbled
                .iter()
                .enumerate()
                .map(|(k, &gi)| ((base + gi) as u32, k))
                .collect();
            let mut operands: Vec<Operand> = Vec::new();
            let mut operand_of: HashMap<u32, usize> = HashMap::new();
            let mut operand_vals: Vec<u32> = Vec::new();
            for &gi in &garbled {
                let g = c.gates()[gi];
                for v in [g.a, g.b] {
                    if task_of.contains_key(&v) || operand_of.contains_key(&v) {
                        continue;
                    }
                    operand_of.insert(v, operands.len());
                    operand_vals.push(v);
                    operands.push(match labels.get(&v) {
                        Some(l) => Operand::Labels(l.clone()),
                        None => Operand::Val(vals[v as usize]),
                    });
                }
            }
            let n_ops = operands.len();
            let idx = |v: u32| match task_of.get(&v) {
                Some(&k) => n_ops + k,
                None => operand_of[&v],
            };
            let tasks: Vec<GcTask> = garbled
                .iter()
                .map(|&gi| {
                    let g = c.gates()[gi];
                    GcTask {
                        op: g.op,
                        a: idx(g.a),
                        b: idx(g.b),
                    }
                })
                .collect();
            let want: Vec<bool> = garbled.iter().map(|&gi| p.y2a[gi]).collect();
            let LayerOut {
                products,
                results,
                operand_labels,
            } = eng.layer_with(ch, &muls, &operands, &tasks, &want).await?;
            for (gi, pr) in mul_gates.into_iter().zip(products) {
                vals[base + gi] = pr;
            }
            for (&gi, (v, l)) in garbled.iter().zip(results) {
                if let Some(v) = v {
                    vals[base + gi] = v;
                }
                labels.insert((base + gi) as u32, l);
            }
            for (v, l) in operand_vals.into_iter().zip(operand_labels) {
                if let Some(l) = l {
                    labels.entry(v).or_insert(l);
                }
            }
        }
        for &gi in gates.iter().filter(|&&gi| p.domain[gi] == Domain::Local) {
            let g = c.gates()[gi];
            vals[base + gi] = local
                .try_local(g.op, vals[g.a as usize], vals[g.b as usize])
                .ok_or_else(|| Error::Input(format!("plan: gate {gi} is not local")))?;
        }
    }
    // opening
    let outs: Vec<Val> = c.outputs().iter().map(|o| vals[o.value as usize]).collect();
    let mut result: Vec<Option<u64>> = outs
        .iter()
        .zip(reveal)
        .map(|(v, r)| (v.kind == Kind::Public && r.to(role)).then_some(v.share))
        .collect();
    let secret = |to: Role| -> Vec<usize> {
        (0..outs.len())
            .filter(|&j| outs[j].kind != Kind::Public && reveal[j].to(to))
            .collect()
    };
    let for_e = secret(Role::Evaluator);
    let for_g = secret(Role::Garbler);
    let (send_set, recv_set) = match role {
        Role::Garbler => (&for_e, &for_g),
        Role::Evaluator => (&for_g, &for_e),
    };
    let bytes: Vec<u8> = send_set
        .iter()
        .flat_map(|&j| outs[j].share.to_le_bytes())
        .collect();
    let mut buf = vec![0u8; 8 * recv_set.len()];
    if !for_e.is_empty() || !for_g.is_empty() {
        eng.count_round();
    }
    if role == Role::Garbler {
        ch.send(&bytes).await?;
        ch.flush().await?;
        ch.recv_exact(&mut buf).await?;
    } else {
        ch.recv_exact(&mut buf).await?;
        ch.send(&bytes).await?;
        ch.flush().await?;
    }
    for (k, &j) in recv_set.iter().enumerate() {
        let theirs = u64::from_le_bytes(buf[8 * k..8 * k + 8].try_into().expect("8 bytes"));
        result[j] = Some(ring.reduce(outs[j].share.wrapping_add(theirs)));
    }
    Ok(RunOutput {
        outputs: result,
        stats: RunStats {
            layers,
            ..RunStats::default()
        },
        plan: p,
    })
}
