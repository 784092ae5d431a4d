//! The two-party engine: one long-lived COT pair per connection (the garbler is the COT
//! sender with its garbling Δ), and [`Engine::layer`], which runs one layer of a
//! computation — a batch of secret multiplications and a batch of garbled ops — in ONE
//! round trip: the evaluator's COT message, then one flight from the garbler.
//!
//! # Protocols and costs (ℓ-bit ring, κ = 128; IKNP COT costs the receiver κ bits)
//!
//! - **Multiplication** (Gilboa, via COT; ABY15 §III-B / ALSZ13 correlated OT): for a term
//!   `x·y` with `x` held by the garbler and `y` by the evaluator, one COT per bit `y_i` of
//!   `y`; the garbler sends `c_i = H(k_i) − H(k_i ⊕ Δ) + x mod 2^(ℓ−i)` and keeps
//!   `−Σ 2^i H(k_i)`; the evaluator adds `2^i (H(m_i) + y_i c_i)`. A product of two fully
//!   shared values needs two terms (`a_G·b_E`, `b_G·a_E`; `a_G b_G` and `a_E b_E` are local):
//!   **2ℓ COTs + Σ_i ⌈(ℓ−i)/8⌉ bytes × 2**, i.e. 2·(64·16 + 288) = 2624 bytes for ℓ = 64,
//!   1 round (shared with the layer). Factors held by one party only need one term or none.
//! - **A2Y** (ABY15 §IV-C): garbler share → ℓ garbler input labels (ℓκ bits), evaluator
//!   share → ℓ COTs whose outputs ARE its input labels (ℓκ bits, the labels `k_i`/`m_i`), then
//!   the garbled ℓ-bit adder: ℓ − 1 ANDs (2κ bits each). ℓ = 64: 1024 + 1024 + 2016 =
//!   **4064 bytes**, 0 extra rounds. A value held by one party skips the adder and the other
//!   input (1024 bytes).
//! - **Y2A** (label-keyed B2A): every output bit's labels `(L⁰, L¹ = L⁰ ⊕ Δ)` already form a
//!   COT, so no OT is run: with `p = lsb(L⁰)` and `C₀ = L^p`, `C₁ = C₀ ⊕ Δ` (the labels of
//!   colour 0 and 1), the garbler keeps `2^i (p − H(C₀))` and sends
//!   `T_i = 1 − 2p + H(C₀) − H(C₁) mod 2^(ℓ−i)`; the evaluator, holding the label of colour
//!   `c`, takes `2^i (H(L) + c·T_i)`. **Σ_i ⌈(ℓ−i)/8⌉ bytes** (288 for an ℓ = 64 word,
//!   ℓ/8 = 8 for a predicate bit), 0 ANDs, 0 extra rounds — cheaper than a garbled
//!   subtraction of a mask (ℓ − 1 ANDs + ℓ mask labels ≈ 3 KiB) and than Y2B + B2A by
//!   fresh COTs (ℓ COTs ≈ 1 KiB + an extra round), so it is the one used.
//! - **B2A** of single XOR-shared bits is the 1-bit case of the same formula.
//! - **Signed comparison** of two fully shared ℓ-bit values: 2 A2Y + comparator (ℓ ANDs) +
//!   Y2A of one bit: (3ℓ − 2)·2κ + 4ℓκ bits + ℓ bits = **10184 bytes** for ℓ = 64.
//!
//! Scheduling inside a layer: all COTs of the layer in one extension; the garbled ops are
//! grouped by circuit template and garbled **in lockstep** ([`duet_gc::multi`]: op by op
//! across up to 1024 instances, so a 64-bit comparator's carry chain still fills every AES
//! batch), in chunks of about 512 KiB of tables, with buffers reused across chunks and
//! layers (no per-op allocation of labels or tables beyond the results themselves).
//!
//! Hash: `H(x, t)` = fixed-key AES TCCR (GKWY20 §7) with tweak `t = 2^127 + counter`, the
//! counter shared by both parties and never reused; garbled-gate tweaks are
//! `salt ⊕ (2j + side)` with `salt = counter' · 2^64`, so the two tweak spaces are disjoint.

use crate::hash::{HashScratch, get_at, hash_into, mask64, put_at, word_bytes};
use crate::share::{Kind, Local, Role, Val};
use crate::templates::{Shape, Template, result_width};
use crate::{Error, Op, Ring};
use duet_core::{Block, Delta, Prg};
use duet_gc::multi::{self, Lockstep};
use duet_gc::{HalfGates, Scheme, SchemeKind, ThreeHalves};
use duet_net::Channel;
use duet_ot::{
    CotReceiverExt, CotSenderExt, IknpReceiver, IknpSender, RandomCotReceiver, RandomCotSender,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Blocks per receive when streaming garbled tables.
const CHUNK_BLOCKS: usize = 1 << 15;

/// One party's labels of a garbled word: the garbler's 0-labels or the evaluator's active
/// labels, bit 0 first.
#[derive(Clone, Debug)]
pub struct Labels(pub Vec<Block>);

/// An operand of a garbled op.
#[derive(Clone, Debug)]
pub enum Operand {
    /// A shared (or public) value: converted by A2Y unless public.
    Val(Val),
    /// Labels from an earlier garbled op (no conversion needed).
    Labels(Labels),
}

/// A garbled op over operands of the same layer (indices into the operand list).
#[derive(Clone, Copy, Debug)]
pub struct GcTask {
    /// The op.
    pub op: Op,
    /// Left operand index.
    pub a: usize,
    /// Right operand index (ignored by 1-input ops; may equal `a`).
    pub b: usize,
}

/// What [`Engine::layer`] returns.
#[derive(Clone, Debug)]
pub struct LayerOut {
    /// Shares of the products, in order.
    pub products: Vec<Val>,
    /// Per garbled task: the result's share (kind [`Kind::Both`]; `None` if not asked for,
    /// see [`Engine::layer_with`]) and its labels.
    pub results: Vec<(Option<Val>, Labels)>,
    /// Per operand: its labels (`None` for public operands), for reuse in later layers.
    pub operand_labels: Vec<Option<Labels>>,
}

/// Counters of an engine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Secret multiplications (both factors non-public, not held by one party).
    pub multiplications: u64,
    /// Gilboa terms run (ℓ COTs each).
    pub mul_terms: u64,
    /// A2Y conversions (operands turned into labels).
    pub a2y: u64,
    /// Y2A conversions (garbled results turned into shares).
    pub y2a: u64,
    /// Garbled ops.
    pub garbled_ops: u64,
    /// AND gates garbled or evaluated.
    pub and_gates: u64,
    /// COTs run.
    pub cots: u64,
    /// Round trips (one per interactive layer, plus setup and output opening).
    pub rounds: u64,
}

impl Stats {
    /// The counts since `before` (an earlier snapshot of the same engine).
    pub fn since(&self, before: &Stats) -> Stats {
        Stats {
            multiplications: self.multiplications - before.multiplications,
            mul_terms: self.mul_terms - before.mul_terms,
            a2y: self.a2y - before.a2y,
            y2a: self.y2a - before.y2a,
            garbled_ops: self.garbled_ops - before.garbled_ops,
            and_gates: self.and_gates - before.and_gates,
            cots: self.cots - before.cots,
            rounds: self.rounds - before.rounds,
        }
    }
}

/// This party and its COT end. The garbler's Δ lives here, with the sender it belongs to:
/// every garbler-only step matches on [`Party::Garbler`] and has Δ in hand.
enum Party<S, R> {
    /// The garbler: COT sender, whose global Δ (lsb 1) is the garbling Δ.
    Garbler { cot: Box<S>, delta: Delta },
    /// The evaluator: COT receiver.
    Evaluator { cot: Box<R> },
}

/// Which operands get which input words.
enum Plan {
    Public(u64),
    Given,
    GWord,
    EWord,
    Both,
}

type TemplateKey = (Op, Shape, Shape, bool);

/// One party of the hybrid protocol over one connection.
///
/// The COT source is a type parameter, semi-honest IKNP by default ([`Engine::garbler`] /
/// [`Engine::evaluator`] run its base OTs); any [`RandomCotSender`] /
/// [`RandomCotReceiver`] can be passed to [`Engine::garbler_with_cot`] /
/// [`Engine::evaluator_with_cot`] (tests pass `duet_ot::ideal::IdealCot`).
pub struct Engine<S = IknpSender, R = IknpReceiver> {
    ring: Ring,
    party: Party<S, R>,
    prg: Prg,
    hash_ctr: u64,
    salt_ctr: u64,
    adder: Arc<Template>,
    templates: HashMap<TemplateKey, Arc<Template>>,
    stats: Stats,
    /// Reused buffers (COT outputs, packed corrections, garbled tables or the garbler's
    /// active labels, lockstep labels): repeated layers do not fault in fresh pages.
    cot_buf: Vec<Block>,
    bytes: Vec<u8>,
    scratch: Vec<Block>,
    /// garbled tables of one lockstep chunk
    tables: Vec<u8>,
    lockstep: multi::Lockstep,
    /// the garbling scheme of every garbled op (both parties must use the same; the
    /// runner's hello compares them)
    scheme: SchemeKind,
}

/// Instances of a template garbled together: about [`CHUNK_BLOCKS`] table blocks, at most
/// 1024 instances.
fn chunk_len(t: &Template) -> usize {
    (CHUNK_BLOCKS / (2 * t.prog.and_count() as usize).max(1)).clamp(1, 1024)
}

impl Engine {
    /// Set up the garbler's side: draws Δ (lsb 1) and runs the COT setup (base OTs).
    ///
    /// # Errors
    /// [`Error::Ot`] / [`Error::Net`] on failure.
    pub async fn garbler(ch: &mut Channel, ring: Ring) -> Result<Engine, Error> {
        let delta = Delta::random(&mut duet_core::secure_rng());
        let s = IknpSender::setup(ch, delta).await?;
        Engine::garbler_with_cot(ring, s)
    }

    /// Set up the evaluator's side (COT receiver).
    ///
    /// # Errors
    /// As [`Engine::garbler`].
    pub async fn evaluator(ch: &mut Channel, ring: Ring) -> Result<Engine, Error> {
        let r = IknpReceiver::setup(ch).await?;
        Engine::evaluator_with_cot(ring, r)
    }
}

impl<S: RandomCotSender, R: RandomCotReceiver> Engine<S, R> {
    /// The garbler's side over an already set-up COT sender, whose Δ (lsb 1) is the
    /// garbling Δ. The evaluator uses the matching receiver.
    ///
    /// # Errors
    /// [`Error::Input`] if Δ's lsb is 0; [`Error::Circuit`] if the adder template fails.
    pub fn garbler_with_cot(ring: Ring, cot: S) -> Result<Self, Error> {
        let delta = cot.delta().clone();
        if !delta.as_block().lsb() {
            return Err(Error::Input(
                "the COT source's Δ has lsb 0; garbling needs lsb 1".into(),
            ));
        }
        Self::new(
            ring,
            Party::Garbler {
                cot: Box::new(cot),
                delta,
            },
        )
    }

    /// The evaluator's side over an already set-up COT receiver.
    ///
    /// # Errors
    /// As [`Engine::garbler_with_cot`].
    pub fn evaluator_with_cot(ring: Ring, cot: R) -> Result<Self, Error> {
        Self::new(ring, Party::Evaluator { cot: Box::new(cot) })
    }

    fn new(ring: Ring, party: Party<S, R>) -> Result<Self, Error> {
        Ok(Engine {
            ring,
            party,
            prg: Prg::from_os_rng(),
            hash_ctr: 0,
            salt_ctr: 0,
            adder: Arc::new(Template::adder(ring)?),
            templates: HashMap::new(),
            cot_buf: Vec::new(),
            bytes: Vec::new(),
            scratch: Vec::new(),
            tables: Vec::new(),
            lockstep: multi::Lockstep::new(),
            scheme: SchemeKind::HalfGates,
            stats: Stats {
                rounds: 1,
                ..Stats::default()
            },
        })
    }

    /// Garble every later garbled op under `scheme` (default half-gates). Both parties must
    /// choose the same one: [`crate::run_with`]'s hello refuses a difference on both sides.
    pub fn set_scheme(&mut self, scheme: SchemeKind) {
        self.scheme = scheme;
    }

    /// The garbling scheme of the garbled ops.
    pub fn scheme(&self) -> SchemeKind {
        self.scheme
    }

    /// This party.
    pub fn role(&self) -> Role {
        match self.party {
            Party::Garbler { .. } => Role::Garbler,
            Party::Evaluator { .. } => Role::Evaluator,
        }
    }

    /// The ring.
    pub fn ring(&self) -> Ring {
        self.ring
    }

    /// Local share arithmetic for this party.
    pub fn local(&self) -> Local {
        Local {
            me: self.role(),
            ring: self.ring,
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Count a round trip made by the caller (e.g. output opening).
    pub(crate) fn count_round(&mut self) {
        self.stats.rounds += 1;
    }

    fn template(&mut self, key: TemplateKey) -> Result<Arc<Template>, Error> {
        if let Some(t) = self.templates.get(&key) {
            return Ok(t.clone());
        }
        let t = Arc::new(Template::op(self.ring, key.0, key.1, key.2, key.3)?);
        self.templates.insert(key, t.clone());
        Ok(t)
    }

    fn next_salt(&mut self) -> Block {
        self.salt_ctr += 1;
        Block(u128::from(self.salt_ctr) << 64)
    }

    /// Run one layer: the products `muls[j] = a·b` and the garbled ops `tasks` over
    /// `operands`, in one round trip, every task's result converted to shares (Y2A).
    ///
    /// A task's operand index `i < operands.len()` names an operand; `operands.len() + k`
    /// names the result of task `k`, which must come earlier in `tasks`: a chain of garbled
    /// ops runs in the layer's one flight of tables, without a conversion in between.
    ///
    /// Both parties must call it with the same structure (kinds, ops, public values).
    ///
    /// # Errors
    /// [`Error::Net`], [`Error::Ot`], [`Error::Peer`] (bad tables), [`Error::Input`] if an
    /// operand index is out of range or names a later task.
    pub async fn layer(
        &mut self,
        ch: &mut Channel,
        muls: &[(Val, Val)],
        operands: &[Operand],
        tasks: &[GcTask],
    ) -> Result<LayerOut, Error> {
        let want = vec![true; tasks.len()];
        self.layer_with(ch, muls, operands, tasks, &want).await
    }

    /// [`Engine::layer`] converting only the results with `want_share[k]` set to shares;
    /// the others come back as labels only (their `Val` is `None`), for later garbled ops.
    ///
    /// # Errors
    /// As [`Engine::layer`]; [`Error::Input`] if `want_share` and `tasks` differ in length.
    pub async fn layer_with(
        &mut self,
        ch: &mut Channel,
        muls: &[(Val, Val)],
        operands: &[Operand],
        tasks: &[GcTask],
        want_share: &[bool],
    ) -> Result<LayerOut, Error> {
        let n_ops = operands.len();
        for (k, t) in tasks.iter().enumerate() {
            if t.a >= n_ops + k || t.b >= n_ops + k {
                return Err(Error::Input(
                    "garbled task names no operand or a later task".into(),
                ));
            }
        }
        if want_share.len() != tasks.len() {
            return Err(Error::Input("one share flag per garbled task".into()));
        }
        let plans: Vec<Plan> = operands
            .iter()
            .map(|o| match o {
                Operand::Labels(_) => Plan::Given,
                Operand::Val(v) => match v.kind {
                    Kind::Public => Plan::Public(v.share),
                    Kind::Garbler => Plan::GWord,
                    Kind::Evaluator => Plan::EWord,
                    Kind::Both => Plan::Both,
                },
            })
            .collect();
        let e_words: Vec<usize> = (0..n_ops)
            .filter(|&i| matches!(plans[i], Plan::EWord | Plan::Both))
            .collect();
        // 1.–4. products and the COTs of the evaluator's A2Y words, one extension
        let cots_before = self.stats.cots;
        let (products, in_cots) = self.products(ch, muls, operands, &e_words).await?;
        if self.stats.cots > cots_before || !tasks.is_empty() {
            self.stats.rounds += 1;
        }
        // 5. A2Y of the operands
        let labels = self.a2y(ch, operands, &plans, &e_words, &in_cots).await?;
        self.cot_buf = in_cots;
        // 6. the tasks, wave by wave
        let results = self.garble_tasks(ch, &plans, &labels, tasks).await?;
        // 7. Y2A of the wanted results
        let wanted: Vec<&[Block]> = results
            .iter()
            .zip(want_share)
            .filter(|(_, w)| **w)
            .map(|(r, _)| r.as_slice())
            .collect();
        let mut shares = self.y2a(ch, &wanted).await?.into_iter();
        if self.role() == Role::Garbler {
            ch.flush().await?;
        }
        let results = results
            .into_iter()
            .zip(want_share)
            .map(|(lb, &w)| {
                let v = if w {
                    shares.next().map(|s| Val {
                        kind: Kind::Both,
                        share: s,
                    })
                } else {
                    None
                };
                (v, Labels(lb))
            })
            .collect();
        Ok(LayerOut {
            products,
            results,
            operand_labels: labels.into_iter().map(|l| l.map(Labels)).collect(),
        })
    }

    /// Steps 1–4 of a layer: the Gilboa terms of the products and the COTs of the
    /// evaluator's A2Y words, in ONE extension (Gilboa choice bits first, then the
    /// evaluator's input bits), streamed: each chunk's Gilboa rows are hashed as it arrives
    /// (overlapping the extension of the next chunk); the input-bit rows are returned for
    /// A2Y (ℓ per word of `e_words`, in order).
    async fn products(
        &mut self,
        ch: &mut Channel,
        muls: &[(Val, Val)],
        operands: &[Operand],
        e_words: &[usize],
    ) -> Result<(Vec<Val>, Vec<Block>), Error> {
        let ring = self.ring;
        let l = ring.ell();
        let lu = l as usize;
        let local = self.local();
        let me = self.role();
        // (product index, G factor, E factor) per Gilboa term
        let has_g = |k: Kind| matches!(k, Kind::Garbler | Kind::Both);
        let has_e = |k: Kind| matches!(k, Kind::Evaluator | Kind::Both);
        let mut prods = Vec::with_capacity(muls.len());
        let mut terms: Vec<(usize, u64, u64)> = Vec::new();
        for (j, &(a, b)) in muls.iter().enumerate() {
            if let Some(v) = local.try_local(Op::Mul, a, b) {
                prods.push(v);
                continue;
            }
            self.stats.multiplications += 1;
            let both_mine = match me {
                Role::Garbler => has_g(a.kind) && has_g(b.kind),
                Role::Evaluator => has_e(a.kind) && has_e(b.kind),
            };
            let share = if both_mine {
                a.share.wrapping_mul(b.share)
            } else {
                0
            };
            prods.push(Val {
                kind: Kind::Both,
                share: ring.reduce(share),
            });
            if has_g(a.kind) && has_e(b.kind) {
                terms.push((j, a.share, b.share));
            }
            if has_g(b.kind) && has_e(a.kind) {
                terms.push((j, b.share, a.share));
            }
        }
        let n_cot = lu * (terms.len() + e_words.len());
        let n_gil = terms.len() * lu;
        let mut in_cots = std::mem::take(&mut self.cot_buf);
        in_cots.clear();
        self.stats.cots += n_cot as u64;
        self.stats.mul_terms += terms.len() as u64;
        let tw0 = self.hash_ctr;
        self.hash_ctr += (terms.len() * lu) as u64;
        let total = terms.len() * word_bytes(l, l);
        let mut buf = std::mem::take(&mut self.bytes);
        buf.clear();
        buf.resize(total + 8, 0);
        let (mut h0, mut h1) = ([0u64; 64], [0u64; 64]);
        let mut sc = HashScratch::new();
        let mut pos = 0;
        // rows seen so far; chunk boundaries are multiples of ℓ (the source's chunk length
        // rounded down to one, the same on both ends), so every chunk holds whole Gilboa
        // terms
        let mut off = 0usize;
        match &mut self.party {
            Party::Garbler { cot: s, delta } => {
                let d = delta.as_block();
                if n_cot > 0 {
                    let chunk = (s.chunk_len() / lu).max(1) * lu;
                    s.send_cot_chunks(ch, n_cot, chunk, |k| {
                        let gil = n_gil.saturating_sub(off).min(k.len());
                        for (q, ks) in k[..gil].chunks_exact(lu).enumerate() {
                            let t = off / lu + q;
                            let (j, x, _) = terms[t];
                            let tw = tw0 + (t * lu) as u64;
                            hash_into(&mut sc, tw, ks, Block::ZERO, &mut h0);
                            hash_into(&mut sc, tw, ks, d, &mut h1);
                            let mut acc = 0u64;
                            for i in 0..l {
                                let (r0, r1) = (h0[i as usize], h1[i as usize]);
                                put_at(
                                    &mut buf,
                                    &mut pos,
                                    r0.wrapping_sub(r1).wrapping_add(x),
                                    l - i,
                                );
                                acc = acc.wrapping_add(r0 << i);
                            }
                            prods[j].share = ring.reduce(prods[j].share.wrapping_sub(acc));
                        }
                        in_cots.extend_from_slice(&k[gil..]);
                        off += k.len();
                    })
                    .await?;
                }
                ch.send(&buf[..total]).await?;
            }
            Party::Evaluator { cot: r } => {
                let mut choices = Vec::with_capacity(n_cot);
                for &(_, _, y) in &terms {
                    choices.extend((0..l).map(|i| Ring::bit(y, i)));
                }
                for &i in e_words {
                    let Operand::Val(v) = &operands[i] else {
                        unreachable!("e_words are values")
                    };
                    choices.extend((0..l).map(|k| Ring::bit(v.share, k)));
                }
                // the hash half of every term, Σ_i 2^i H(m_i), while the extension runs
                let mut hsum: Vec<u64> = Vec::with_capacity(terms.len());
                if n_cot > 0 {
                    let chunk = (r.chunk_len() / lu).max(1) * lu;
                    r.receive_cot_chunks(ch, &choices, chunk, |m| {
                        let gil = n_gil.saturating_sub(off).min(m.len());
                        for ms in m[..gil].chunks_exact(lu) {
                            let t = hsum.len();
                            hash_into(&mut sc, tw0 + (t * lu) as u64, ms, Block::ZERO, &mut h0);
                            hsum.push(
                                (0..l).fold(0u64, |acc, i| acc.wrapping_add(h0[i as usize] << i)),
                            );
                        }
                        in_cots.extend_from_slice(&m[gil..]);
                        off += m.len();
                    })
                    .await?;
                }
                ch.recv_exact(&mut buf[..total]).await?;
                for (&(j, _, y), &h) in terms.iter().zip(&hsum) {
                    let mut acc = h;
                    for i in 0..l {
                        let c = get_at(&buf, &mut pos, l - i);
                        acc = acc.wrapping_add((c & mask64(Ring::bit(y, i))) << i);
                    }
                    prods[j].share = ring.reduce(prods[j].share.wrapping_add(acc));
                }
            }
        }
        self.bytes = buf;
        Ok((prods, in_cots))
    }

    /// Step 5: A2Y — every non-public operand becomes labels. Operands held (also) by the
    /// garbler go in chunks: its active labels, then (fully shared ones) the garbled adders
    /// of the chunk in lockstep. Buffers are per chunk, so memory stays small.
    async fn a2y(
        &mut self,
        ch: &mut Channel,
        operands: &[Operand],
        plans: &[Plan],
        e_words: &[usize],
        in_cots: &[Block],
    ) -> Result<Vec<Option<Vec<Block>>>, Error> {
        let lu = self.ring.ell() as usize;
        let mut labels: Vec<Option<Vec<Block>>> = vec![None; operands.len()];
        let mut e_off = vec![0usize; operands.len()];
        for (k, &i) in e_words.iter().enumerate() {
            e_off[i] = k * lu;
        }
        let mut g_ops = Vec::new();
        for (i, plan) in plans.iter().enumerate() {
            match plan {
                Plan::Public(_) => {}
                Plan::Given => {
                    let Operand::Labels(lb) = &operands[i] else {
                        unreachable!("planned from a Labels operand")
                    };
                    labels[i] = Some(lb.0.clone());
                }
                Plan::EWord => labels[i] = Some(in_cots[e_off[i]..e_off[i] + lu].to_vec()),
                Plan::GWord | Plan::Both => g_ops.push(i),
            }
        }
        self.stats.a2y += plans
            .iter()
            .filter(|p| matches!(p, Plan::GWord | Plan::EWord | Plan::Both))
            .count() as u64;
        let adder = self.adder.clone();
        let (mut g_buf, mut ins, mut outs) = (Vec::new(), Vec::new(), Vec::new());
        let mut xs = Vec::new();
        let mut both = Vec::new();
        for chunk in g_ops.chunks(chunk_len(&adder)) {
            xs.clear();
            xs.extend(chunk.iter().map(|&i| match &operands[i] {
                Operand::Val(v) => v.share,
                Operand::Labels(_) => unreachable!("planned as a garbler word"),
            }));
            self.g_words(ch, &xs, &mut g_buf).await?;
            ins.clear();
            both.clear();
            for (&i, g) in chunk.iter().zip(g_buf.chunks_exact(lu)) {
                if matches!(plans[i], Plan::Both) {
                    ins.extend_from_slice(g);
                    ins.extend_from_slice(&in_cots[e_off[i]..e_off[i] + lu]);
                    both.push(i);
                } else {
                    labels[i] = Some(g.to_vec());
                }
            }
            if !both.is_empty() {
                self.garbled_chunk(ch, &adder, both.len(), &ins, &mut outs)
                    .await?;
                for (&i, w) in both.iter().zip(outs.chunks_exact(lu)) {
                    labels[i] = Some(w.to_vec());
                }
            }
        }
        Ok(labels)
    }

    /// Step 6: the tasks, in waves (a task's wave is one more than the latest wave of the
    /// tasks it reads; operands are wave 0); inside a wave grouped by template
    /// (first-appearance order, the same on both sides), each group garbled in lockstep,
    /// chunk by chunk. Returns each task's output labels.
    async fn garble_tasks(
        &mut self,
        ch: &mut Channel,
        plans: &[Plan],
        labels: &[Option<Vec<Block>>],
        tasks: &[GcTask],
    ) -> Result<Vec<Vec<Block>>, Error> {
        let ring = self.ring;
        let n_ops = plans.len();
        let mut wave = vec![0usize; tasks.len()];
        let w_of = |wave: &[usize], i: usize| if i < n_ops { 0 } else { wave[i - n_ops] };
        for (k, t) in tasks.iter().enumerate() {
            wave[k] = 1 + w_of(&wave, t.a).max(w_of(&wave, t.b));
        }
        let shape = |i: usize| {
            if i >= n_ops {
                return Shape::Labels(result_width(tasks[i - n_ops].op, ring) as u8);
            }
            match (&plans[i], &labels[i]) {
                (Plan::Public(v), _) => Shape::Public(*v),
                (_, Some(lb)) => Shape::Labels(lb.len() as u8),
                (_, None) => unreachable!("non-public operands have labels"),
            }
        };
        let n_waves = wave.iter().copied().max().unwrap_or(0);
        let mut by_wave: Vec<Vec<usize>> = vec![Vec::new(); n_waves];
        for (k, &w) in wave.iter().enumerate() {
            by_wave[w - 1].push(k);
        }
        let mut results: Vec<Vec<Block>> = vec![Vec::new(); tasks.len()];
        let (mut ins, mut outs) = (Vec::new(), Vec::new());
        for members in by_wave {
            let mut groups: Vec<(TemplateKey, Vec<usize>)> = Vec::new();
            let mut group_of: HashMap<TemplateKey, usize> = HashMap::new();
            for k in members {
                let t = tasks[k];
                let same = t.a == t.b || t.op.arity() == 1;
                let key = (
                    t.op,
                    shape(t.a),
                    if same { shape(t.a) } else { shape(t.b) },
                    same,
                );
                let g = *group_of.entry(key).or_insert_with(|| {
                    groups.push((key, Vec::new()));
                    groups.len() - 1
                });
                groups[g].1.push(k);
            }
            for (key, members) in groups {
                let tpl = self.template(key)?;
                let w = result_width(key.0, ring);
                for chunk in members.chunks(chunk_len(&tpl)) {
                    ins.clear();
                    for &k in chunk {
                        let t = tasks[k];
                        let srcs: &[usize] = if key.3 { &[t.a] } else { &[t.a, t.b] };
                        for &i in srcs {
                            if i >= n_ops {
                                ins.extend_from_slice(&results[i - n_ops]);
                            } else if let Some(lb) = &labels[i] {
                                ins.extend_from_slice(lb);
                            }
                        }
                    }
                    self.garbled_chunk(ch, &tpl, chunk.len(), &ins, &mut outs)
                        .await?;
                    debug_assert_eq!(outs.len(), w * chunk.len());
                    for (&k, o) in chunk.iter().zip(outs.chunks_exact(w)) {
                        results[k] = o.to_vec();
                    }
                }
                self.stats.garbled_ops += members.len() as u64;
            }
        }
        Ok(results)
    }

    /// The garbler's input words for values `xs` into `lab` (ℓ labels each, bit 0 first):
    /// fresh 0-labels, the active labels sent in one message. The evaluator receives them.
    async fn g_words(
        &mut self,
        ch: &mut Channel,
        xs: &[u64],
        lab: &mut Vec<Block>,
    ) -> Result<(), Error> {
        let lu = self.ring.ell() as usize;
        lab.resize(lu * xs.len(), Block::ZERO);
        if xs.is_empty() {
            return Ok(());
        }
        match &self.party {
            Party::Garbler { delta: d, .. } => {
                self.prg.fill_blocks(lab);
                let active = &mut self.scratch;
                active.clear();
                for (w, &x) in lab.chunks_exact(lu).zip(xs) {
                    for (i, &z) in w.iter().enumerate() {
                        active.push(z ^ d.select(Ring::bit(x, i as u32)));
                    }
                }
                ch.send(Block::slice_as_bytes(active)).await?;
            }
            Party::Evaluator { .. } => {
                ch.recv_exact(Block::slice_as_bytes_mut(lab)).await?;
            }
        }
        Ok(())
    }

    /// Garble (garbler) or evaluate (evaluator) `m` instances of one template in lockstep
    /// ([`duet_gc::multi`]) under the engine's scheme with a fresh salt: the garbler sends
    /// the [`Lockstep::table_bytes`] table bytes in one message. `ins`: `m · n_in` input
    /// labels, instance-major; `outs` is replaced by this party's `m · n_out` output labels,
    /// instance-major.
    async fn garbled_chunk(
        &mut self,
        ch: &mut Channel,
        t: &Template,
        m: usize,
        ins: &[Block],
        outs: &mut Vec<Block>,
    ) -> Result<(), Error> {
        match self.scheme {
            SchemeKind::ThreeHalves => {
                self.garbled_chunk_with::<ThreeHalves>(ch, t, m, ins, outs)
                    .await
            }
            _ => {
                self.garbled_chunk_with::<HalfGates>(ch, t, m, ins, outs)
                    .await
            }
        }
    }

    async fn garbled_chunk_with<G: Scheme>(
        &mut self,
        ch: &mut Channel,
        t: &Template,
        m: usize,
        ins: &[Block],
        outs: &mut Vec<Block>,
    ) -> Result<(), Error> {
        let ands = t.prog.and_count();
        self.stats.and_gates += ands * m as u64;
        let salt = self.next_salt();
        outs.clear();
        let tables = &mut self.tables;
        tables.clear();
        match &self.party {
            Party::Garbler { delta: d, .. } => {
                self.lockstep
                    .garble::<G>(&t.prog, d, salt, 0, m, ins, tables, outs)?;
                ch.send(tables).await?;
            }
            Party::Evaluator { .. } => {
                tables.resize(Lockstep::table_bytes::<G>(&t.prog, m) as usize, 0);
                ch.recv_exact(tables).await?;
                self.lockstep
                    .evaluate::<G>(&t.prog, salt, 0, m, ins, tables, outs)
                    .map_err(|e| Error::Peer(e.to_string()))?;
            }
        }
        Ok(())
    }

    /// Y2A of garbled words (label-keyed B2A, see the module docs): one share per word.
    async fn y2a(&mut self, ch: &mut Channel, words: &[&[Block]]) -> Result<Vec<u64>, Error> {
        let ring = self.ring;
        let l = ring.ell();
        let total: usize = words.iter().map(|w| w.len()).sum();
        let bytes: usize = words.iter().map(|w| word_bytes(l, w.len() as u32)).sum();
        self.stats.y2a += words.len() as u64;
        let tw0 = self.hash_ctr;
        self.hash_ctr += total as u64;
        let mut shares = Vec::with_capacity(words.len());
        let mut buf = std::mem::take(&mut self.bytes);
        buf.clear();
        buf.resize(bytes + 8, 0);
        let (mut h0, mut h1) = ([0u64; 64], [0u64; 64]);
        let mut sc = HashScratch::new();
        let mut xs = [Block::ZERO; 64];
        let (mut pos, mut tw) = (0usize, tw0);
        match &self.party {
            Party::Garbler { delta, .. } => {
                let d = delta.as_block();
                for w in words {
                    // C₀ = the label of colour 0 (L⁰ or L⁰ ⊕ Δ), then H(C₀), H(C₀ ⊕ Δ)
                    let xs = &mut xs[..w.len()];
                    for (c, &z) in xs.iter_mut().zip(w.iter()) {
                        *c = z ^ (Block::mask(z.lsb()) & d);
                    }
                    hash_into(&mut sc, tw, xs, Block::ZERO, &mut h0);
                    hash_into(&mut sc, tw, xs, d, &mut h1);
                    tw += w.len() as u64;
                    let mut s = 0u64;
                    for (i, z) in w.iter().enumerate() {
                        let p = u64::from(z.lsb());
                        let t = 1u64
                            .wrapping_sub(2 * p)
                            .wrapping_add(h0[i])
                            .wrapping_sub(h1[i]);
                        put_at(&mut buf, &mut pos, t, l - i as u32);
                        s = s.wrapping_add(p.wrapping_sub(h0[i]) << i);
                    }
                    shares.push(ring.reduce(s));
                }
                ch.send(&buf[..bytes]).await?;
            }
            Party::Evaluator { .. } => {
                // the hash half of every word first, while the garbler computes its
                // corrections: Σ_i 2^i H(L_i)
                let hsum: Vec<u64> = words
                    .iter()
                    .map(|w| {
                        hash_into(&mut sc, tw, w, Block::ZERO, &mut h0);
                        tw += w.len() as u64;
                        (0..w.len()).fold(0u64, |acc, i| acc.wrapping_add(h0[i] << i))
                    })
                    .collect();
                ch.recv_exact(&mut buf[..bytes]).await?;
                for (w, &h) in words.iter().zip(&hsum) {
                    let mut s = h;
                    for (i, lab) in w.iter().enumerate() {
                        let t = get_at(&buf, &mut pos, l - i as u32);
                        s = s.wrapping_add((t & mask64(lab.lsb())) << i);
                    }
                    shares.push(ring.reduce(s));
                }
            }
        }
        self.bytes = buf;
        Ok(shares)
    }
}
