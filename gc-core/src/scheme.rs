//! The garbling-scheme seam: what a scheme gives the op executor.
//!
//! A [`Scheme`] says how many table bytes one AND gate costs, how a batch of independent AND
//! gates is garbled and how it is evaluated. Everything else (free XOR, INV, constants, the
//! slot program, streaming, batching by dependency, the protocol) is shared, so a scheme
//! is two queues and a few constants. Two implement it:
//!
//! | scheme | [`SchemeKind`] | table per AND | source |
//! |---|---|---|---|
//! | [`HalfGates`] | `half-gates` | 2κ = 32 bytes | ZRE15, eprint 2014/756, Fig. 2 |
//! | [`ThreeHalves`](crate::three_halves::ThreeHalves) | `three-halves` | 1.5κ + 5 bits ≈ 24.6 bytes | RR21, eprint 2021/749 |
//!
//! # The table stream
//! The garbler's output is one byte stream per run. For each batch of `n` AND gates (gate
//! order; a batch ends when it holds [`MAX_BATCH`] gates or when the slot program flags a
//! dependency) it holds `n ·` [`Scheme::GATE_BYTES`] bytes, gate by gate, then
//! [`Scheme::trailer_bytes`]`(n)` bytes for the batch as a whole (zero for half-gates; the
//! packed control bits for three-halves). The evaluator reads a gate's bytes when it queues
//! the gate and the trailer when it evaluates the batch, so both sides batch identically:
//! the batch boundaries are a function of the slot program alone.
//!
//! # Adding a scheme
//! 1. A module with a garbler queue and an evaluator queue implementing [`GarbleQueue`] and
//!    [`EvalQueue`] (fixed arrays of [`MAX_BATCH`] gates: no allocation per gate or batch;
//!    every AES call of a batch batched through `crate::pi`).
//! 2. A unit type implementing [`Scheme`], and a [`SchemeKind`] variant with its wire id and
//!    name (the handshake names the scheme; a peer offering another is refused).
//! 3. Known-answer tests of one gate against the paper's equations for all four input
//!    combinations and both permute bits; the generic tests of `tests/` (the Bristol corpus,
//!    random circuits against plaintext) then run the new scheme through
//!    [`crate::Garbler::with_scheme`] / [`crate::Evaluator::with_scheme`].
//! 4. The protocol (`duet-gc`) dispatches on [`SchemeKind`] in one place (`engine.rs`).

use crate::half_gates;
use duet_core::Block;
use std::fmt;
use std::str::FromStr;

/// The most AND gates one batch holds (the queues' capacity).
pub const MAX_BATCH: usize = 64;

/// The public per-batch hash context: the run's salt and the index of the batch's first AND
/// gate in the run (gate `k` of the batch is gate `first_gate + k`). Tweaks derive from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tweak {
    /// the public per-run salt the garbler sends before its tables
    pub salt: Block,
    /// index of the batch's first AND gate, counted from 0 over the run
    pub first_gate: u64,
}

impl Tweak {
    /// The context of the gate `k` gates after this one's first (`first_gate + k`,
    /// wrapping).
    #[inline(always)]
    pub fn plus(self, k: u64) -> Tweak {
        Tweak {
            salt: self.salt,
            first_gate: self.first_gate.wrapping_add(k),
        }
    }
}

/// The garbler's side of a scheme: up to [`MAX_BATCH`] queued AND gates.
pub trait GarbleQueue: Send {
    /// An empty queue. `seed` is a fresh secret seed for the garbler's per-gate random
    /// choices (schemes that have none ignore it).
    fn new(seed: Block) -> Self
    where
        Self: Sized;
    /// Gates queued.
    fn len(&self) -> usize;
    /// True if no gate is queued.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Queue one AND gate with input 0-labels in slots `a`, `b` of `slots` and output slot
    /// `out`. The caller flushes before the queue holds more than [`MAX_BATCH`] gates.
    fn push(&mut self, slots: &[Block], a: u32, b: u32, out: u32);
    /// Garble the queued gates under Δ (`delta`, lsb 1): append their tables to `tables`
    /// (`n · GATE_BYTES` then `trailer_bytes(n)` bytes) and write each output 0-label to its
    /// slot. Empties the queue.
    ///
    /// # Panics
    /// If an output slot is outside `slots` (a bug in the slot program).
    fn garble(&mut self, delta: Block, tw: Tweak, tables: &mut Vec<u8>, slots: &mut [Block]);

    /// Garble `n ≤ MAX_BATCH` gates at once from an empty queue, gate `k` with input
    /// 0-labels `slots[a + k]`, `slots[b + k]` and output `slots[o + k]` (rows of
    /// [`crate::multi::Lockstep`]); their tables are appended as by [`GarbleQueue::garble`].
    /// The default pushes each gate; a scheme may override it with a copy-free path.
    ///
    /// # Panics
    /// If a row is outside `slots`, `n > MAX_BATCH`, or the queue is not empty.
    fn garble_run(
        &mut self,
        delta: Block,
        tw: Tweak,
        slots: &mut [Block],
        (a, b, o): (usize, usize, usize),
        n: usize,
        tables: &mut Vec<u8>,
    ) {
        assert!(self.is_empty() && n <= MAX_BATCH, "garble_run: queue state");
        for k in 0..n {
            self.push(slots, (a + k) as u32, (b + k) as u32, (o + k) as u32);
        }
        self.garble(delta, tw, tables, slots);
    }
}

/// The evaluator's side of a scheme: up to [`MAX_BATCH`] queued AND gates with their table
/// bytes.
pub trait EvalQueue: Send {
    /// An empty queue.
    fn new() -> Self
    where
        Self: Sized;
    /// Gates queued.
    fn len(&self) -> usize;
    /// True if no gate is queued.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Queue one AND gate: active input labels in slots `a`, `b`, its `GATE_BYTES` table
    /// bytes `gate`, output slot `out`.
    fn push(&mut self, slots: &[Block], a: u32, b: u32, gate: &[u8], out: u32);
    /// Evaluate the queued gates with the batch's trailer (`trailer_bytes(n)` bytes); write
    /// each active output label to its slot. Empties the queue.
    ///
    /// # Panics
    /// If an output slot is outside `slots` (a bug in the slot program).
    fn evaluate(&mut self, tw: Tweak, trailer: &[u8], slots: &mut [Block]);

    /// Evaluate `n ≤ MAX_BATCH` gates at once from an empty queue, gate `k` with active
    /// labels `slots[a + k]`, `slots[b + k]`, table bytes `gates[k · GATE_BYTES ..]` and
    /// output `slots[o + k]`, then the batch's `trailer` (the counterpart of
    /// [`GarbleQueue::garble_run`]).
    ///
    /// # Panics
    /// If a row is outside `slots`, `gates` is not `n · GATE_BYTES` bytes, or the queue is
    /// not empty.
    fn evaluate_run(
        &mut self,
        tw: Tweak,
        slots: &mut [Block],
        (a, b, o): (usize, usize, usize),
        n: usize,
        gates: &[u8],
        trailer: &[u8],
    ) {
        assert!(
            self.is_empty() && n <= MAX_BATCH && gates.len().is_multiple_of(n.max(1)),
            "evaluate_run: queue state"
        );
        let per = gates.len() / n.max(1);
        for (k, g) in gates.chunks_exact(per.max(1)).take(n).enumerate() {
            self.push(slots, (a + k) as u32, (b + k) as u32, g, (o + k) as u32);
        }
        self.evaluate(tw, trailer, slots);
    }
}

/// A garbling scheme for AND gates, with free XOR (KS08) and point-and-permute: `L1 = L0 ⊕
/// Δ`, `lsb(Δ) = 1`, the lsb of a label its permute bit.
pub trait Scheme: Send + Sync + 'static {
    /// Which scheme this is (name and wire id).
    const KIND: SchemeKind;
    /// Table bytes per AND gate read when the gate is queued.
    const GATE_BYTES: usize;
    /// Bytes after a batch of `n` gates (`1 ≤ n ≤ MAX_BATCH`); at most 64.
    fn trailer_bytes(n: usize) -> usize;
    /// The garbler's queue.
    type Garble: GarbleQueue;
    /// The evaluator's queue.
    type Eval: EvalQueue;
}

/// Half-gates (Zahur–Rosulek–Evans, eprint 2014/756, Fig. 2): two blocks per AND gate, no
/// trailer. The kernels and the hash are [`crate::half_gates`].
#[derive(Clone, Copy, Debug, Default)]
pub struct HalfGates;

impl Scheme for HalfGates {
    const KIND: SchemeKind = SchemeKind::HalfGates;
    const GATE_BYTES: usize = 32;
    #[inline(always)]
    fn trailer_bytes(_n: usize) -> usize {
        0
    }
    type Garble = half_gates::GarbleQueue;
    type Eval = half_gates::EvalQueue;
}

/// The garbling schemes Duet implements, as named on the command line and in the
/// handshake.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SchemeKind {
    /// [`HalfGates`]: 32 bytes per AND gate.
    #[default]
    HalfGates,
    /// [`ThreeHalves`](crate::three_halves::ThreeHalves): 1.5κ + 5 bits per AND gate.
    ThreeHalves,
}

impl SchemeKind {
    /// Every scheme, in wire-id order.
    pub const ALL: [SchemeKind; 2] = [SchemeKind::HalfGates, SchemeKind::ThreeHalves];

    /// The name used on the command line, in JSON stats and in handshake errors.
    pub const fn name(self) -> &'static str {
        match self {
            SchemeKind::HalfGates => "half-gates",
            SchemeKind::ThreeHalves => "three-halves",
        }
    }

    /// The scheme's byte in the handshake.
    pub const fn wire_id(self) -> u8 {
        match self {
            SchemeKind::HalfGates => 0,
            SchemeKind::ThreeHalves => 1,
        }
    }

    /// The scheme of a handshake byte, if it names one.
    pub const fn from_wire_id(id: u8) -> Option<SchemeKind> {
        match id {
            0 => Some(SchemeKind::HalfGates),
            1 => Some(SchemeKind::ThreeHalves),
            _ => None,
        }
    }

    /// Table bytes per AND gate read when the gate is queued.
    pub const fn gate_bytes(self) -> usize {
        match self {
            SchemeKind::HalfGates => HalfGates::GATE_BYTES,
            SchemeKind::ThreeHalves => crate::three_halves::GATE_BYTES,
        }
    }

    /// An upper bound on the table bytes of `and_gates` AND gates, whatever the batching
    /// (every batch a single gate); `None` on overflow.
    pub fn max_table_bytes(self, and_gates: u64) -> Option<u64> {
        let per = match self {
            SchemeKind::HalfGates => HalfGates::GATE_BYTES + HalfGates::trailer_bytes(1),
            SchemeKind::ThreeHalves => {
                crate::three_halves::GATE_BYTES + crate::three_halves::trailer_bytes(1)
            }
        };
        and_gates.checked_mul(per as u64)
    }
}

impl fmt::Display for SchemeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not a scheme's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown garbling scheme `{0}` (expected half-gates or three-halves)")]
pub struct UnknownScheme(pub String);

impl FromStr for SchemeKind {
    type Err = UnknownScheme;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SchemeKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| UnknownScheme(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_wire_ids_round_trip() {
        for k in SchemeKind::ALL {
            assert_eq!(k.name().parse::<SchemeKind>().unwrap(), k);
            assert_eq!(SchemeKind::from_wire_id(k.wire_id()), Some(k));
            assert_eq!(k.to_string(), k.name());
        }
        assert_eq!(SchemeKind::from_wire_id(2), None);
        assert_eq!(SchemeKind::ThreeHalves.max_table_bytes(10), Some(250));
        let e = "half_gates".parse::<SchemeKind>().unwrap_err();
        assert!(e.to_string().contains("half_gates"), "{e}");
        assert_eq!(SchemeKind::HalfGates.max_table_bytes(10), Some(320));
        assert_eq!(SchemeKind::HalfGates.max_table_bytes(u64::MAX), None);
    }
}
