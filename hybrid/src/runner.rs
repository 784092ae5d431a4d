//! The two-party runner for arithmetic circuits.
//!
//! 1. **Handshake**: both parties send a hello — a blake3 digest of the canonical circuit
//!    (names, wires, constants, gates, outputs), ℓ, their role, the set of inputs they own
//!    and the output policy — and abort with [`Error::Mismatch`] on any difference (another
//!    circuit or ℓ, the same role twice, an input owned twice or by nobody, other policy).
//! 2. **COT setup** (base OTs) once.
//! 3. **Plan** ([`crate::plan`]): both parties plan from the same public information (the
//!    circuit, ℓ, who owns which input, the strategy and link named in the hello), so they
//!    get the same plan: per gate local, a product on shares, or garbled, and its layer.
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
use duet_core::Delta;
use duet_gc::SchemeKind;
use duet_net::{Channel, Link};
use duet_ot::ferret::{FerretParams, FerretReceiver, FerretSender};
use duet_ot::{RandomCotReceiver, RandomCotSender, Security};
use std::collections::HashMap;
use std::time::Instant;

const MAGIC: &[u8; 16] = b"duet-hybrid/v3\0\0";
/// Offsets in the hello: digest, ℓ, scheme, planner (strategy u8, link rate u64, link RTT
/// in ns u64), COT source, role, then the owned and reveal bytes.
const AT_ELL: usize = 48;
const AT_SCHEME: usize = 52;
const AT_PLAN: usize = 53;
const AT_COT: usize = 70;
const AT_ROLE: usize = 71;
const AT_OWNED: usize = 72;

/// Where the engine's random COTs come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CotSource {
    /// IKNP (semi-honest), κ/8 = 16 bytes per COT.
    #[default]
    Iknp,
    /// Ferret (YWLZW20), semi-honest, emp-ot's b12 parameters, bootstrapped from IKNP:
    /// about 0.05 bytes per COT after its setup.
    Ferret,
}

impl CotSource {
    /// The name: `iknp` or `ferret`.
    pub fn name(self) -> &'static str {
        match self {
            CotSource::Iknp => "iknp",
            CotSource::Ferret => "ferret",
        }
    }
}

impl std::fmt::Display for CotSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for CotSource {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "iknp" => Ok(CotSource::Iknp),
            "ferret" => Ok(CotSource::Ferret),
            _ => Err(Error::Input(format!("cot `{s}`: expected iknp or ferret"))),
        }
    }
}

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

/// `MAGIC ‖ digest [32] ‖ ell u32 ‖ scheme u8 ‖ strategy u8 ‖ link rate u64 ‖ link RTT ns
/// u64 ‖ role u8 ‖ owned u8 each ‖ reveal u8 each`.
fn hello(
    c: &ArithCircuit,
    ring: Ring,
    opts: &RunOptions,
    role: Role,
    owned: &[bool],
    reveal: &[Reveal],
) -> Vec<u8> {
    let mut m = MAGIC.to_vec();
    m.extend_from_slice(&circuit_digest(c));
    m.extend_from_slice(&ring.ell().to_le_bytes());
    m.push(opts.scheme.wire_id());
    m.push(opts.strategy.wire_id());
    m.extend_from_slice(&opts.link.rate.to_le_bytes());
    let rtt = u64::try_from(opts.link.rtt.as_nanos()).unwrap_or(u64::MAX);
    m.extend_from_slice(&rtt.to_le_bytes());
    m.push(match opts.cot {
        CotSource::Iknp => 0,
        CotSource::Ferret => 1,
    });
    debug_assert_eq!(m.len(), AT_ROLE);
    m.push(role as u8);
    m.extend(owned.iter().map(|&o| u8::from(o)));
    m.extend(
        reveal
            .iter()
            .map(|r| u8::from(r.garbler) | (u8::from(r.evaluator) << 1)),
    );
    m
}

async fn handshake(
    ch: &mut Channel,
    c: &ArithCircuit,
    ring: Ring,
    opts: &RunOptions,
    role: Role,
    owned: &[bool],
    reveal: &[Reveal],
) -> Result<Vec<Role>, Error> {
    let mine = hello(c, ring, opts, role, owned, reveal);
    ch.send_frame(&mine).await?;
    ch.flush().await?;
    let theirs = ch.recv_frame(mine.len()).await.map_err(|e| match e {
        duet_net::NetError::FrameTooLarge { .. } => Error::Mismatch(
            "the peer runs a different circuit (its hello has another length)".into(),
        ),
        e => e.into(),
    })?;
    if theirs.len() < 16 || theirs[..16] != MAGIC[..] {
        return Err(Error::Peer("not a duet-hybrid peer (bad hello)".into()));
    }
    if theirs.len() != mine.len() || theirs[16..48] != mine[16..48] {
        return Err(Error::Mismatch(
            "the peer runs a different circuit (digest differs)".into(),
        ));
    }
    let their_ell = u32::from_le_bytes(theirs[AT_ELL..AT_SCHEME].try_into().expect("4 bytes"));
    if their_ell != ring.ell() {
        return Err(Error::Mismatch(format!(
            "ell: ours {}, the peer's {their_ell}",
            ring.ell()
        )));
    }
    if theirs[AT_SCHEME] != mine[AT_SCHEME] {
        let name = |b: u8| {
            SchemeKind::from_wire_id(b).map_or_else(|| format!("scheme id {b}"), |k| k.to_string())
        };
        let (g, e) = match role {
            Role::Garbler => (mine[AT_SCHEME], theirs[AT_SCHEME]),
            Role::Evaluator => (theirs[AT_SCHEME], mine[AT_SCHEME]),
        };
        return Err(Error::Mismatch(format!(
            "garbling scheme mismatch: garbler uses {}, evaluator uses {}",
            name(g),
            name(e)
        )));
    }
    if theirs[AT_COT] != mine[AT_COT] {
        return Err(Error::Mismatch(
            "the parties use different COT sources (--cot)".into(),
        ));
    }
    if theirs[AT_PLAN..AT_COT] != mine[AT_PLAN..AT_COT] {
        return Err(Error::Mismatch(
            "the parties plan differently (another --plan or --link)".into(),
        ));
    }
    if theirs[AT_ROLE] == mine[AT_ROLE] {
        return Err(Error::Mismatch("both parties have the same role".into()));
    }
    let n = owned.len();
    let their_owned = &theirs[AT_OWNED..AT_OWNED + n];
    let mut owners = Vec::with_capacity(n);
    for (i, (&me, &they)) in owned.iter().zip(their_owned).enumerate() {
        let name = &c.inputs()[i].name;
        owners.push(match (me, they) {
            (true, 0) => role,
            (false, 1) => other(role),
            (true, 1) => {
                return Err(Error::Input(format!(
                    "input `{name}` is given by both parties"
                )));
            }
            (false, 0) => {
                return Err(Error::Input(format!(
                    "input `{name}` is given by neither party"
                )));
            }
            _ => return Err(Error::Peer("bad hello".into())),
        });
    }
    if theirs[AT_OWNED + n..] != mine[AT_OWNED + n..] {
        return Err(Error::Mismatch(
            "the parties disagree on who sees which output".into(),
        ));
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

/// [`run`] with every option named: scheme, planner strategy and the link to plan for
/// (both parties must pass the same; the hello refuses a difference).
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
    let owners = handshake(ch, c, ring, opts, role, &owned, reveal).await?;
    let p = plan(
        c,
        ring,
        &owners,
        opts.link,
        CostModel::for_scheme(opts.scheme),
        opts.strategy,
    )?;
    let (mut out, stats) = match (opts.cot, role) {
        (CotSource::Iknp, Role::Garbler) => {
            let eng = Engine::garbler(ch, ring).await?;
            fresh(ch, eng, opts, c, &owners, &mine, reveal, p).await?
        }
        (CotSource::Iknp, Role::Evaluator) => {
            let eng = Engine::evaluator(ch, ring).await?;
            fresh(ch, eng, opts, c, &owners, &mine, reveal, p).await?
        }
        (CotSource::Ferret, Role::Garbler) => {
            let delta = Delta::random(&mut rand::rng());
            let s = FerretSender::setup(ch, delta, Security::SemiHonest, FERRET).await?;
            let eng = Engine::<FerretSender, FerretReceiver>::garbler_with_cot(ring, s)?;
            fresh(ch, eng, opts, c, &owners, &mine, reveal, p).await?
        }
        (CotSource::Ferret, Role::Evaluator) => {
            let r = FerretReceiver::setup(ch, Security::SemiHonest, FERRET).await?;
            let eng = Engine::<FerretSender, FerretReceiver>::evaluator_with_cot(ring, r)?;
            fresh(ch, eng, opts, c, &owners, &mine, reveal, p).await?
        }
    };
    out.stats.engine = stats;
    out.stats.bytes_sent = ch.bytes_sent() - s0;
    out.stats.bytes_received = ch.bytes_received() - r0;
    out.stats.seconds = start.elapsed().as_secs_f64();
    Ok(out)
}

/// The Ferret parameters of [`CotSource::Ferret`]: emp-ot's b12 set (the faster one here).
const FERRET: FerretParams = FerretParams::EMP_B12;

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
    let owners = handshake(ch, c, eng.ring(), &opts, eng.role(), &owned, reveal).await?;
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
