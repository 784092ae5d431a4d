//! The cost-based planner: which gate of an arithmetic circuit runs on additive shares and
//! which in a garbled circuit. Pure — a circuit, a ring, the input owners, a link and a
//! cost model in, a [`Plan`] out; no I/O, no randomness, the same plan on both parties.
//!
//! # Domains
//! Every live gate gets a [`Domain`]:
//! - [`Domain::Local`]: free on shares (additions, public factors, ops on values one party
//!   holds alone);
//! - [`Domain::Shares`]: a secret product by Gilboa multiplication (one round trip);
//! - [`Domain::Garbled`]: inside a garbled region. Comparisons, division, shifts and bit
//!   ops are always garbled; additions and products *may* be, when that saves rounds.
//!
//! Conversions happen only at region borders: A2Y when a garbled gate reads a value on
//! shares (once per value), Y2A when a gate on shares or an output reads a garbled value.
//! Inside a region, labels flow from op to op: a chain of comparisons and selects is one
//! flight of garbled tables, not a round trip per op.
//!
//! # Layers (the round model of [`crate::Engine::layer_with`])
//! A layer is one round trip: the evaluator's COT message, then the garbler's flight
//! (Gilboa corrections, A2Y labels, garbled tables, Y2A corrections). With `s(v)` the layer
//! after which both parties hold shares of `v` (0 for inputs and constants):
//! - a local gate: `s = max(s(a), s(b))`;
//! - a product on shares: `s = max(s(a), s(b)) + 1`;
//! - a garbled gate runs in layer `max(lab(a), lab(b), 1)`, where an operand's labels are
//!   ready in the layer of the garbled gate that made them, or in layer `s(x) + 1` after
//!   an A2Y; its Y2A'd share has `s` = that layer.
//!
//! # Cost model
//! Estimated time = rounds × RTT + bytes / rate + CPU seconds, with the bytes of the
//! engine's formulas (see [`crate::Engine`]): a Gilboa term `ℓ` COTs (`κ/8` bytes each from
//! the COT extension) + `Σ_i ⌈(ℓ−i)/8⌉` bytes; A2Y `ℓκ/8` bytes per share word plus the
//! adder's `ℓ − 1` AND gates for a fully shared value; a garbled op its template's AND gates
//! × the scheme's bytes per AND; Y2A `Σ_i ⌈(ℓ−i)/8⌉` bytes per word of width `w`. Rounds =
//! layers + 1 (COT setup) + 1 (output opening, if an output is secret).
//!
//! # Search ([`Strategy::Auto`])
//! The choosable gates are secret products and additions/public-factor products of shared
//! values. Candidates: all on shares; all garbled; *forward* (a choosable gate is garbled
//! iff it reads a garbled value — once in a region, stay there); *forward-cheap* (the same,
//! but a product is garbled only if its garbled AND gates cost fewer bytes than its Gilboa
//! terms); each forward candidate also *trimmed* (a garbled addition whose readers are all
//! on shares goes back to shares: Y2A is cheaper than its adder). The cheapest candidate is
//! then refined: the garbled regions are grouped into classes of identical shape, and a
//! class is moved to shares when the estimate says so.

use crate::hash::word_bytes;
use crate::share::{Kind, Local, Role, Val};
use crate::templates::{Shape, Template, result_width};
use crate::{ArithCircuit, Error, Op, Ring};
use duet_gc::SchemeKind;
use duet_net::Link;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::Duration;

/// Which plans [`plan`] considers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// The cheapest plan under the cost model and the link (the default).
    #[default]
    Auto,
    /// Every choosable gate on shares (only comparisons and other Boolean ops garbled, each
    /// converted back at once): the runner before the planner.
    Shares,
    /// Every choosable gate garbled: the other extreme.
    Garbled,
}

impl Strategy {
    /// The name: `auto`, `shares` or `garbled`.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Auto => "auto",
            Strategy::Shares => "shares",
            Strategy::Garbled => "garbled",
        }
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Strategy {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "auto" => Ok(Strategy::Auto),
            "shares" => Ok(Strategy::Shares),
            "garbled" => Ok(Strategy::Garbled),
            _ => Err(Error::Input(format!(
                "plan `{s}`: expected auto, shares or garbled"
            ))),
        }
    }
}

/// Per-unit costs of the model. Bytes of the protocols are fixed by the formulas; the CPU
/// figures are rough per-unit times on one core, both parties' work summed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostModel {
    /// Bytes of garbled table per AND gate (32 for half-gates, 24 + ¼ for three-halves).
    pub and_bytes: f64,
    /// Bytes the COT extension sends per COT (κ/8 = 16 for IKNP).
    pub cot_bytes: f64,
    /// Seconds per AND gate, garbling plus evaluation.
    pub and_secs: f64,
    /// Seconds per COT, both ends.
    pub cot_secs: f64,
    /// Seconds per hashed 128-bit row (TCCR), both ends.
    pub hash_secs: f64,
}

impl CostModel {
    /// The model for garbling with `scheme` over IKNP COTs.
    pub fn for_scheme(scheme: SchemeKind) -> CostModel {
        CostModel {
            and_bytes: match scheme {
                SchemeKind::ThreeHalves => 24.25,
                _ => 32.0,
            },
            cot_bytes: 16.0,
            and_secs: 40e-9,
            cot_secs: 20e-9,
            hash_secs: 6e-9,
        }
    }
}

/// The link the planner assumes when none is given: loopback between two processes on one
/// machine (10 Gbit/s, 100 µs RTT).
pub const LOOPBACK: Link = Link {
    rate: 10_000_000_000,
    rtt: Duration::from_micros(100),
};

/// Where a gate runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Domain {
    /// No output depends on it: skipped.
    Dead,
    /// Free on shares (or in the clear by the one party holding its operands).
    Local,
    /// A secret product by Gilboa multiplication.
    Shares,
    /// Inside a garbled region.
    Garbled,
}

/// What a plan costs, by the model.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Bytes, both directions.
    pub bytes: u64,
    /// Round trips (COT setup, layers, output opening).
    pub rounds: u64,
    /// Estimated seconds: rounds × RTT + bytes / rate + CPU.
    pub seconds: f64,
    /// CPU seconds in [`Estimate::seconds`].
    pub cpu_seconds: f64,
    /// AND gates garbled (ops and A2Y adders).
    pub and_gates: u64,
    /// COTs.
    pub cots: u64,
    /// Secret products on shares.
    pub multiplications: u64,
    /// A2Y conversions.
    pub a2y: u64,
    /// Y2A conversions.
    pub y2a: u64,
}

/// One garbled region: a connected set of garbled gates.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// Gates per op.
    pub ops: BTreeMap<Op, usize>,
    /// The first and last layer it runs in.
    pub layers: (u32, u32),
    /// Values converted into it (A2Y).
    pub a2y: u64,
    /// Results converted out of it (Y2A).
    pub y2a: u64,
    /// AND gates of its ops (A2Y adders not included).
    pub and_gates: u64,
}

/// A plan: per gate its domain and layer, and what it costs.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The strategy it was made with.
    pub strategy: Strategy,
    /// The link it was made for.
    pub link: Link,
    /// Per gate (circuit order).
    pub domain: Vec<Domain>,
    /// Per gate: the layer computing it (0: local before any layer; for a local gate, the
    /// layer after which it is computed).
    pub layer: Vec<u32>,
    /// Per gate: a garbled result read on shares (by a local gate, a product or an
    /// output), so converted by Y2A.
    pub y2a: Vec<bool>,
    /// Interactive layers.
    pub layers: u32,
    /// The garbled regions, by first gate.
    pub regions: Vec<Region>,
    /// The estimate of this plan.
    pub estimate: Estimate,
    /// The other candidates the search weighed (name, estimate).
    pub alternatives: Vec<(&'static str, Estimate)>,
}

/// How a gate may run, from public information only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Dead,
    /// Local on shares, never worth garbling (public or single-party operands).
    Local,
    /// Linear over shared values: local, or garbled.
    Linear,
    /// Secret product: Gilboa, or garbled.
    Mul,
    /// Only garbled.
    Boolean,
}

struct Analysis<'a> {
    c: &'a ArithCircuit,
    ring: Ring,
    base: usize,
    kind: Vec<Kind>,
    /// the value of public values
    public: Vec<u64>,
    class: Vec<Class>,
    /// readers of each gate's value (gate indices), live readers only
    readers: Vec<Vec<u32>>,
    is_output: Vec<bool>,
    secret_output: bool,
    cost: CostModel,
    link: Link,
    ands: HashMap<(Op, Shape, Shape, bool), u64>,
}

/// Plan `c` over `ring` with inputs owned by `owners` (circuit input order), for `link`
/// under `cost`, with `strategy`.
///
/// # Errors
/// [`Error::Input`] if `owners` does not have one entry per input; [`Error::Circuit`] if a
/// garbled op's template cannot be built.
pub fn plan(
    c: &ArithCircuit,
    ring: Ring,
    owners: &[Role],
    link: Link,
    cost: CostModel,
    strategy: Strategy,
) -> Result<Plan, Error> {
    if owners.len() != c.inputs().len() {
        return Err(Error::Input(format!(
            "{} owners for {} inputs",
            owners.len(),
            c.inputs().len()
        )));
    }
    let mut a = Analysis::new(c, ring, owners, link, cost);
    let choosable = |a: &Analysis, gi: usize| matches!(a.class[gi], Class::Linear | Class::Mul);
    let n = c.gates().len();
    let base_assign: Vec<bool> = (0..n).map(|gi| a.class[gi] == Class::Boolean).collect();
    let shares = base_assign.clone();
    let garbled: Vec<bool> = (0..n)
        .map(|gi| base_assign[gi] || choosable(&a, gi))
        .collect();
    let (assign, alternatives) = match strategy {
        Strategy::Shares => (shares, Vec::new()),
        Strategy::Garbled => (garbled, Vec::new()),
        Strategy::Auto => {
            let fwd = a.forward(&base_assign, false)?;
            let cheap = a.forward(&base_assign, true)?;
            let fwd_t = a.trim(fwd.clone());
            let cheap_t = a.trim(cheap.clone());
            // on a tie the earlier (fewer garbled gates) wins
            let cands: Vec<(&'static str, Vec<bool>)> = vec![
                ("shares", shares),
                ("forward-cheap-trimmed", cheap_t),
                ("forward-trimmed", fwd_t),
                ("forward-cheap", cheap),
                ("forward", fwd),
                ("garbled", garbled),
            ];
            let mut alts = Vec::new();
            let mut best: Option<(f64, usize)> = None;
            for (k, (name, asg)) in cands.iter().enumerate() {
                let e = a.evaluate(asg)?.estimate;
                alts.push((*name, e));
                if best.is_none_or(|(t, _)| e.seconds < t) {
                    best = Some((e.seconds, k));
                }
            }
            let k = best.map_or(0, |b| b.1);
            let refined = a.refine(cands[k].1.clone())?;
            (refined, alts)
        }
    };
    let mut p = a.evaluate(&assign)?;
    p.strategy = strategy;
    p.alternatives = alternatives;
    Ok(p)
}

impl<'a> Analysis<'a> {
    fn new(c: &'a ArithCircuit, ring: Ring, owners: &[Role], link: Link, cost: CostModel) -> Self {
        let base = c.first_gate_value() as usize;
        let nv = c.num_values();
        let mut vals: Vec<Val> = Vec::with_capacity(nv);
        vals.extend(owners.iter().map(|&o| Val::input(Role::Garbler, o, 0)));
        vals.extend(c.constants().iter().map(|&k| Val::public(ring.reduce(k))));
        let probe = Local {
            me: Role::Garbler,
            ring,
        };
        let mut class = Vec::with_capacity(c.gates().len());
        for g in c.gates() {
            let (x, y) = (vals[g.a as usize], vals[g.b as usize]);
            let (v, cl) = match probe.try_local(g.op, x, y) {
                Some(v) if v.kind == Kind::Both => (v, Class::Linear),
                Some(v) => (v, Class::Local),
                None if g.op == Op::Mul => (
                    Val {
                        kind: Kind::Both,
                        share: 0,
                    },
                    Class::Mul,
                ),
                None => (
                    Val {
                        kind: Kind::Both,
                        share: 0,
                    },
                    Class::Boolean,
                ),
            };
            vals.push(v);
            class.push(cl);
        }
        // liveness, and the readers of every gate
        let mut live = vec![false; nv];
        let mut is_output = vec![false; nv];
        let mut secret_output = false;
        for o in c.outputs() {
            live[o.value as usize] = true;
            is_output[o.value as usize] = true;
            secret_output |= vals[o.value as usize].kind != Kind::Public;
        }
        let mut readers = vec![Vec::new(); c.gates().len()];
        for (gi, g) in c.gates().iter().enumerate().rev() {
            if !live[base + gi] {
                class[gi] = Class::Dead;
                continue;
            }
            for v in [g.a, g.b] {
                live[v as usize] = true;
                if (v as usize) >= base {
                    let r = &mut readers[v as usize - base];
                    if r.last() != Some(&(gi as u32)) {
                        r.push(gi as u32);
                    }
                }
            }
        }
        for r in &mut readers {
            r.reverse();
        }
        Analysis {
            c,
            ring,
            base,
            kind: vals.iter().map(|v| v.kind).collect(),
            public: vals.iter().map(|v| v.share).collect(),
            class,
            readers,
            is_output,
            secret_output,
            cost,
            link,
            ands: HashMap::new(),
        }
    }

    fn gate_of(&self, v: u32) -> Option<usize> {
        (v as usize).checked_sub(self.base)
    }

    /// The template shape of value `v` as an operand of a garbled gate.
    fn shape(&self, v: u32, assign: &[bool]) -> Shape {
        let vu = v as usize;
        if self.kind[vu] == Kind::Public {
            return Shape::Public(self.public[vu]);
        }
        match self.gate_of(v) {
            Some(g) if assign[g] => {
                Shape::Labels(result_width(self.c.gates()[g].op, self.ring) as u8)
            }
            _ => Shape::Labels(self.ring.ell() as u8),
        }
    }

    /// AND gates of garbled gate `gi` under `assign` (cached per template shape). A public
    /// operand outside ±256 counts as one typical constant (alternating bits), so a circuit
    /// with many distinct constants builds a bounded number of templates while planning;
    /// small constants (shift amounts, exponents, 0, ±1) are exact.
    fn and_count(&mut self, gi: usize, assign: &[bool]) -> Result<u64, Error> {
        let g = self.c.gates()[gi];
        let same = g.a == g.b || g.op.arity() == 1;
        let mask = self.ring.mask();
        let canon = |s: Shape| match s {
            Shape::Public(v) if v > 256 && v < mask.saturating_sub(256) => {
                Shape::Public(0x5555_5555_5555_5555 & mask)
            }
            s => s,
        };
        let sa = canon(self.shape(g.a, assign));
        let sb = if same {
            sa
        } else {
            canon(self.shape(g.b, assign))
        };
        let key = (g.op, sa, sb, same);
        if let Some(&n) = self.ands.get(&key) {
            return Ok(n);
        }
        let n = Template::op(self.ring, key.0, key.1, key.2, key.3)?
            .prog
            .and_count();
        self.ands.insert(key, n);
        Ok(n)
    }

    /// Gilboa terms of a secret product of values of kinds `a`, `b`.
    fn terms(a: Kind, b: Kind) -> u64 {
        let has_g = |k: Kind| matches!(k, Kind::Garbler | Kind::Both);
        let has_e = |k: Kind| matches!(k, Kind::Evaluator | Kind::Both);
        u64::from(has_g(a) && has_e(b)) + u64::from(has_g(b) && has_e(a))
    }

    /// The forward candidate: a choosable gate is garbled iff it reads a garbled value;
    /// with `cheap`, a product only if its AND gates cost fewer bytes than its Gilboa terms.
    fn forward(&mut self, base: &[bool], cheap: bool) -> Result<Vec<bool>, Error> {
        let l = u64::from(self.ring.ell());
        let gilboa_bytes = |t: u64, cm: &CostModel| {
            t as f64 * (l as f64 * cm.cot_bytes + word_bytes(l as u32, l as u32) as f64)
        };
        let mut asg = base.to_vec();
        for gi in 0..asg.len() {
            let cl = self.class[gi];
            if !matches!(cl, Class::Linear | Class::Mul) {
                continue;
            }
            let g = self.c.gates()[gi];
            let reads_garbled = [g.a, g.b]
                .iter()
                .any(|&v| self.gate_of(v).is_some_and(|x| asg[x]));
            if !reads_garbled {
                continue;
            }
            if cl == Class::Mul && cheap {
                asg[gi] = true;
                let ands = self.and_count(gi, &asg)?;
                let t = Self::terms(self.kind[g.a as usize], self.kind[g.b as usize]);
                asg[gi] = ands as f64 * self.cost.and_bytes < gilboa_bytes(t, &self.cost);
            } else {
                asg[gi] = true;
            }
        }
        Ok(asg)
    }

    /// Move garbled linear gates whose readers are all on shares (or outputs) back to
    /// shares, last first: a Y2A costs fewer bytes than an adder, and no round.
    fn trim(&self, mut asg: Vec<bool>) -> Vec<bool> {
        for gi in (0..asg.len()).rev() {
            if asg[gi]
                && self.class[gi] == Class::Linear
                && self.readers[gi].iter().all(|&r| !asg[r as usize])
            {
                asg[gi] = false;
            }
        }
        asg
    }

    /// Group the garbled choosable gates of `asg` into regions, the regions into classes
    /// of the same shape (ops in order), and move a class to shares when that lowers the
    /// estimate.
    fn refine(&mut self, mut asg: Vec<bool>) -> Result<Vec<bool>, Error> {
        let regions = self.components(&asg);
        let mut classes: BTreeMap<Vec<Op>, Vec<usize>> = BTreeMap::new();
        for members in regions {
            let sig: Vec<Op> = members.iter().map(|&g| self.c.gates()[g].op).collect();
            let flip: Vec<usize> = members
                .into_iter()
                .filter(|&g| matches!(self.class[g], Class::Linear | Class::Mul))
                .collect();
            if !flip.is_empty() {
                classes.entry(sig).or_default().extend(flip);
            }
        }
        let mut best = self.evaluate(&asg)?.estimate.seconds;
        // at most 32 classes, the largest first (the budget keeps planning linear-time)
        let mut classes: Vec<Vec<usize>> = classes.into_values().collect();
        classes.sort_by_key(|c| std::cmp::Reverse(c.len()));
        for flip in classes.into_iter().take(32) {
            let mut trial = asg.clone();
            for &g in &flip {
                trial[g] = false;
            }
            let t = self.evaluate(&trial)?.estimate.seconds;
            if t < best {
                best = t;
                asg = trial;
            }
        }
        Ok(asg)
    }

    /// Connected components of the garbled gates (edges: a garbled gate reading another).
    fn components(&self, asg: &[bool]) -> Vec<Vec<usize>> {
        let n = asg.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn find(p: &mut [usize], mut x: usize) -> usize {
            while p[x] != x {
                p[x] = p[p[x]];
                x = p[x];
            }
            x
        }
        for gi in 0..n {
            if !asg[gi] || self.class[gi] == Class::Dead {
                continue;
            }
            let g = self.c.gates()[gi];
            for v in [g.a, g.b] {
                if let Some(x) = self.gate_of(v).filter(|&x| asg[x]) {
                    let (ra, rb) = (find(&mut parent, gi), find(&mut parent, x));
                    parent[ra.max(rb)] = ra.min(rb);
                }
            }
        }
        let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (gi, &garbled) in asg.iter().enumerate() {
            if garbled && self.class[gi] != Class::Dead {
                let r = find(&mut parent, gi);
                by_root.entry(r).or_default().push(gi);
            }
        }
        by_root.into_values().collect()
    }

    /// The layers, conversions and costs of assignment `asg` (true = garbled).
    fn evaluate(&mut self, asg: &[bool]) -> Result<Plan, Error> {
        let c = self.c;
        let ring = self.ring;
        let l = ring.ell();
        let lf = f64::from(l);
        let cm = self.cost;
        let n = c.gates().len();
        let mut s = vec![0u32; c.num_values()];
        let mut converted = vec![false; c.num_values()];
        let mut domain = vec![Domain::Dead; n];
        let mut layer = vec![0u32; n];
        let mut y2a = vec![false; n];
        let mut e = Estimate::default();
        let mut bytes = 0f64;
        let mut region_ands = vec![0u64; n];
        let mut region_a2y = vec![0u64; n];
        for (gi, g) in c.gates().iter().enumerate() {
            let v = self.base + gi;
            let (a, b) = (g.a as usize, g.b as usize);
            match self.class[gi] {
                Class::Dead => continue,
                _ if asg[gi] => {
                    domain[gi] = Domain::Garbled;
                    let mut lv = 1u32;
                    let srcs: &[usize] = if a == b || g.op.arity() == 1 {
                        &[a]
                    } else {
                        &[a, b]
                    };
                    for &x in srcs {
                        if self.kind[x] == Kind::Public {
                            continue;
                        }
                        match self.gate_of(x as u32) {
                            Some(xg) if asg[xg] => lv = lv.max(layer[xg]),
                            _ => {
                                lv = lv.max(s[x] + 1);
                                if !converted[x] {
                                    converted[x] = true;
                                    region_a2y[gi] += 1;
                                    e.a2y += 1;
                                    match self.kind[x] {
                                        Kind::Garbler => bytes += lf * 16.0,
                                        Kind::Evaluator => {
                                            bytes += lf * cm.cot_bytes;
                                            e.cots += u64::from(l);
                                        }
                                        _ => {
                                            bytes += lf * (16.0 + cm.cot_bytes);
                                            bytes += (lf - 1.0) * cm.and_bytes;
                                            e.cots += u64::from(l);
                                            e.and_gates += u64::from(l) - 1;
                                        }
                                    }
                                }
                            }
                        }
                    }
                    let ands = self.and_count(gi, asg)?;
                    region_ands[gi] = ands;
                    e.and_gates += ands;
                    bytes += ands as f64 * cm.and_bytes;
                    layer[gi] = lv;
                    s[v] = lv;
                    let needs_share =
                        self.is_output[v] || self.readers[gi].iter().any(|&r| !asg[r as usize]);
                    if needs_share {
                        y2a[gi] = true;
                        e.y2a += 1;
                        let w = result_width(g.op, ring) as u32;
                        bytes += word_bytes(l, w) as f64;
                        e.cpu_seconds += f64::from(w) * 3.0 * cm.hash_secs;
                    }
                }
                Class::Mul => {
                    domain[gi] = Domain::Shares;
                    let lv = s[a].max(s[b]) + 1;
                    layer[gi] = lv;
                    s[v] = lv;
                    let t = Self::terms(self.kind[a], self.kind[b]);
                    e.multiplications += 1;
                    e.cots += t * u64::from(l);
                    bytes += t as f64 * (lf * cm.cot_bytes + word_bytes(l, l) as f64);
                    e.cpu_seconds += t as f64 * lf * (cm.cot_secs + 3.0 * cm.hash_secs);
                }
                Class::Local | Class::Linear => {
                    domain[gi] = Domain::Local;
                    let lv = s[a].max(s[b]);
                    layer[gi] = lv;
                    s[v] = lv;
                }
                Class::Boolean => unreachable!("Boolean gates are always garbled"),
            }
        }
        e.cpu_seconds += e.and_gates as f64 * cm.and_secs + e.cots as f64 * cm.cot_secs;
        let layers = layer
            .iter()
            .zip(&domain)
            .filter(|(_, d)| matches!(d, Domain::Shares | Domain::Garbled))
            .map(|(&l, _)| l)
            .max()
            .unwrap_or(0);
        e.rounds = 1 + u64::from(layers) + u64::from(self.secret_output);
        e.bytes = bytes.round() as u64;
        let rate = if self.link.rate == 0 {
            f64::INFINITY
        } else {
            self.link.rate as f64 / 8.0
        };
        e.seconds = e.rounds as f64 * self.link.rtt.as_secs_f64() + bytes / rate + e.cpu_seconds;
        let regions = self
            .components(asg)
            .into_iter()
            .map(|members| {
                let mut r = Region {
                    ops: BTreeMap::new(),
                    layers: (u32::MAX, 0),
                    a2y: 0,
                    y2a: 0,
                    and_gates: 0,
                };
                for g in members {
                    *r.ops.entry(c.gates()[g].op).or_default() += 1;
                    r.layers = (r.layers.0.min(layer[g]), r.layers.1.max(layer[g]));
                    r.a2y += region_a2y[g];
                    r.y2a += u64::from(y2a[g]);
                    r.and_gates += region_ands[g];
                }
                r
            })
            .collect();
        Ok(Plan {
            strategy: Strategy::Auto,
            link: self.link,
            domain,
            layer,
            y2a,
            layers,
            regions,
            estimate: e,
            alternatives: Vec::new(),
        })
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.3} MB", bytes as f64 / 1e6)
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} rounds, {:.4} s ({} AND gates, {} COTs, {} products on shares, {} A2Y, {} Y2A)",
            mb(self.bytes),
            self.rounds,
            self.seconds,
            self.and_gates,
            self.cots,
            self.multiplications,
            self.a2y,
            self.y2a
        )
    }
}

/// The `--explain` text: link, gate counts, regions (at most 20 listed), conversions,
/// the estimate and the alternatives weighed.
impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |d: Domain| self.domain.iter().filter(|&&x| x == d).count();
        writeln!(
            f,
            "plan {} for link {} (rate, RTT)",
            self.strategy, self.link
        )?;
        writeln!(
            f,
            "gates: {} local, {} products on shares, {} garbled in {} regions, {} dead; {} layers",
            count(Domain::Local),
            count(Domain::Shares),
            count(Domain::Garbled),
            self.regions.len(),
            count(Domain::Dead),
            self.layers
        )?;
        for (i, r) in self.regions.iter().enumerate().take(20) {
            let ops: Vec<String> = r
                .ops
                .iter()
                .map(|(op, n)| format!("{}×{n}", op.name()))
                .collect();
            writeln!(
                f,
                "region {}: layers {}–{}, {} ops ({}), in: {} A2Y, out: {} Y2A, {} AND gates",
                i + 1,
                r.layers.0,
                r.layers.1,
                r.ops.values().sum::<usize>(),
                ops.join(" "),
                r.a2y,
                r.y2a,
                r.and_gates
            )?;
        }
        if self.regions.len() > 20 {
            writeln!(f, "… {} more regions", self.regions.len() - 20)?;
        }
        writeln!(
            f,
            "conversions: {} A2Y, {} Y2A",
            self.estimate.a2y, self.estimate.y2a
        )?;
        writeln!(f, "estimate: {}", self.estimate)?;
        for (name, e) in &self.alternatives {
            writeln!(f, "  candidate {name}: {e}")?;
        }
        Ok(())
    }
}
