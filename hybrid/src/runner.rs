//! The two-party runner for arithmetic circuits.
//!
//! 1. **Handshake**: one `duet_net::wire` negotiation — a blake3 digest of the canonical
//!    circuit (names, wires, constants, gates, outputs), ℓ, the garbling scheme, the OT
//!    extension, their role and the output policy — failing both sides with
//!    [`Error::Mismatch`] naming every difference; then each checks the inputs the other
//!    gives ([`Error::Input`] naming every input given twice or by nobody).
//! 2. **COT setup** (base OTs, and Ferret's bootstrap with `--ot ferret`) once, after the
//!    handshake.
//! 3. **Layers**: every gate gets a level: local gates (linear ops, public-factor products,
//!    ops whose operands one party holds alone — all decided from public information) keep
//!    the level of their operands; interactive gates (secret products, garbled ops) are one
//!    level above. Per level: all products and all garbled ops of the level run in ONE
//!    [`Engine::layer`] (one round trip), then the local gates of the level. Labels of
//!    garbled results and of converted operands are kept, so a value that feeds several
//!    garbled ops, or a garbled result that feeds another garbled op, is converted once
//!    (no A2Y again). Gates no output depends on are skipped (they cannot change outputs).
//! 4. **Opening**: the garbler sends its shares of the outputs the evaluator sees, then the
//!    evaluator its shares of those the garbler sees.

use crate::engine::{Engine, GcTask, LayerOut, Operand, Stats};
use crate::settings::Reveal;
use crate::share::{Kind, Local, Role, Val};
use crate::{ArithCircuit, Error, Labels, Op, Ring};
use duet_gc::SchemeKind;
use duet_net::Channel;
use duet_net::wire::{Hello, InvalidMessage, Offer, Protocol, Value, WireError, negotiate};
use duet_ot::{AnyCotReceiver, AnyCotSender, OtKind, RandomCotReceiver, RandomCotSender};
use std::collections::HashMap;
use std::time::Instant;

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
/// `OT extension`, `output reveal` (per output: bit 0 the garbler sees it, bit 1 the
/// evaluator) and `inputs given` (this party's own flags, one byte per input, checked by
/// name after the negotiation).
#[allow(clippy::too_many_arguments)]
fn offer(
    c: &ArithCircuit,
    ring: Ring,
    scheme: SchemeKind,
    ot: Option<OtKind>,
    role: Role,
    owned: &[bool],
    reveal: &[Reveal],
) -> Offer {
    let mut o = Offer::new(&HYBRID_PROTOCOL, role as u8)
        .with("circuit", Value::Digest(circuit_digest(c)))
        .with("ring bits (ell)", Value::Uint(ring.ell().into()))
        .with("garbling scheme", Value::Text(scheme.to_string()));
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
    scheme: SchemeKind,
    ot: Option<OtKind>,
    role: Role,
    owned: &[bool],
    reveal: &[Reveal],
) -> Result<Vec<Role>, Error> {
    let mine = offer(c, ring, scheme, ot, role, owned, reveal);
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

/// The structural schedule: per value its kind, per gate its level and whether it is
/// interactive.
struct Schedule {
    level: Vec<u32>,
    interactive: Vec<bool>,
    live: Vec<bool>,
    max_level: u32,
}

fn schedule(c: &ArithCircuit, owners: &[Role]) -> Schedule {
    let nv = c.num_values();
    let base = c.first_gate_value() as usize;
    let mut kind = Vec::with_capacity(nv);
    kind.extend(owners.iter().map(|o| match o {
        Role::Garbler => Kind::Garbler,
        Role::Evaluator => Kind::Evaluator,
    }));
    kind.extend(c.constants().iter().map(|_| Kind::Public));
    let mut vlevel = vec![0u32; c.first_gate_value() as usize];
    let mut level = Vec::with_capacity(c.gates().len());
    let mut interactive = Vec::with_capacity(c.gates().len());
    // Structural kinds come from running the local rules on dummy values.
    let probe = Local {
        me: Role::Garbler,
        ring: Ring::default(),
    };
    for g in c.gates() {
        let (ka, kb) = (kind[g.a as usize], kind[g.b as usize]);
        let (a, b) = (Val { kind: ka, share: 0 }, Val { kind: kb, share: 0 });
        let (k, inter) = match probe.try_local(g.op, a, b) {
            Some(v) => (v.kind, false),
            None => (Kind::Both, true),
        };
        let lv = vlevel[g.a as usize].max(vlevel[g.b as usize]) + u32::from(inter);
        vlevel.push(lv);
        kind.push(k);
        level.push(lv);
        interactive.push(inter);
    }
    let mut live = vec![false; nv];
    for o in c.outputs() {
        live[o.value as usize] = true;
    }
    for (gi, g) in c.gates().iter().enumerate().rev() {
        if live[base + gi] {
            live[g.a as usize] = true;
            live[g.b as usize] = true;
        }
    }
    let max_level = level.iter().copied().max().unwrap_or(0);
    Schedule {
        level,
        interactive,
        live: live[base..].to_vec(),
        max_level,
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
    run_ot(ch, c, role, ring, scheme, OtKind::Iknp, my_inputs, reveal).await
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
    let start = Instant::now();
    let (s0, r0) = (ch.bytes_sent(), ch.bytes_received());
    let (owned, mine) = own_inputs(c, ring, my_inputs, reveal)?;
    let owners = handshake(ch, c, ring, scheme, Some(ot), role, &owned, reveal).await?;
    let security = duet_ot::Security::SemiHonest;
    let mut eng = match role {
        Role::Garbler => {
            let delta = duet_core::Delta::random(&mut duet_core::secure_rng());
            let s = AnyCotSender::setup(ch, delta, ot, security).await?;
            Engine::<AnyCotSender, AnyCotReceiver>::garbler_with_cot(ring, s)?
        }
        Role::Evaluator => {
            let r = AnyCotReceiver::setup(ch, ot, security).await?;
            Engine::<AnyCotSender, AnyCotReceiver>::evaluator_with_cot(ring, r)?
        }
    };
    eng.set_scheme(scheme);
    let mut out = evaluate(ch, &mut eng, c, &owners, &mine, reveal).await?;
    out.stats.engine = eng.stats();
    out.stats.bytes_sent = ch.bytes_sent() - s0;
    out.stats.bytes_received = ch.bytes_received() - r0;
    out.stats.seconds = start.elapsed().as_secs_f64();
    Ok(out)
}

/// As [`run`], on an engine already set up over `ch` (its role and ring are used); the
/// engine's counters keep growing across runs (the returned stats are this run's).
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
    let start = Instant::now();
    let (s0, r0) = (ch.bytes_sent(), ch.bytes_received());
    let before = eng.stats();
    let (owned, mine) = own_inputs(c, eng.ring(), my_inputs, reveal)?;
    let owners = handshake(
        ch,
        c,
        eng.ring(),
        eng.scheme(),
        None,
        eng.role(),
        &owned,
        reveal,
    )
    .await?;
    let mut out = evaluate(ch, eng, c, &owners, &mine, reveal).await?;
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

async fn evaluate<S: RandomCotSender, R: RandomCotReceiver>(
    ch: &mut Channel,
    eng: &mut Engine<S, R>,
    c: &ArithCircuit,
    owners: &[Role],
    mine: &[u64],
    reveal: &[Reveal],
) -> Result<RunOutput, Error> {
    let (role, ring) = (eng.role(), eng.ring());
    let sched = schedule(c, owners);
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
    let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); sched.max_level as usize + 1];
    for (gi, &lv) in sched.level.iter().enumerate() {
        if sched.live[gi] {
            by_level[lv as usize].push(gi);
        }
    }
    let mut layers = 0;
    for gates in by_level {
        // interactive gates of this level
        let mut muls = Vec::new();
        let mut mul_gates = Vec::new();
        let mut operands: Vec<Operand> = Vec::new();
        let mut operand_of: HashMap<u32, usize> = HashMap::new();
        let mut operand_vals: Vec<u32> = Vec::new();
        let mut tasks = Vec::new();
        let mut task_gates = Vec::new();
        for &gi in gates.iter().filter(|&&gi| sched.interactive[gi]) {
            let g = c.gates()[gi];
            if g.op == Op::Mul {
                muls.push((vals[g.a as usize], vals[g.b as usize]));
                mul_gates.push(gi);
                continue;
            }
            let mut idx = |v: u32| -> usize {
                *operand_of.entry(v).or_insert_with(|| {
                    operands.push(match labels.get(&v) {
                        Some(l) => Operand::Labels(l.clone()),
                        None => Operand::Val(vals[v as usize]),
                    });
                    operand_vals.push(v);
                    operands.len() - 1
                })
            };
            let (a, b) = (idx(g.a), idx(g.b));
            tasks.push(GcTask { op: g.op, a, b });
            task_gates.push(gi);
        }
        if !muls.is_empty() || !tasks.is_empty() {
            layers += 1;
            let LayerOut {
                products,
                results,
                operand_labels,
            } = eng.layer(ch, &muls, &operands, &tasks).await?;
            for (gi, p) in mul_gates.into_iter().zip(products) {
                vals[base + gi] = p;
            }
            for (gi, (v, l)) in task_gates.into_iter().zip(results) {
                vals[base + gi] = v;
                labels.insert((base + gi) as u32, l);
            }
            for (v, l) in operand_vals.into_iter().zip(operand_labels) {
                if let Some(l) = l {
                    labels.entry(v).or_insert(l);
                }
            }
        }
        for &gi in gates.iter().filter(|&&gi| !sched.interactive[gi]) {
            let g = c.gates()[gi];
            let r = local.try_local(g.op, vals[g.a as usize], vals[g.b as usize]);
            vals[base + gi] = r.expect("scheduled as local");
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
    })
}
