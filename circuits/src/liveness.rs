//! Liveness: map every wire to a reusable **slot**, so that a garbler or evaluator keeps
//! labels for the live wires only (memory O(peak live wires), not O(wires)).
//!
//! A wire is live from its definition (inputs: from the start) to its last read; output
//! wires stay live to the end. [`SlotMap::compute`] makes three passes over the gates (ops of
//! 16 bytes with full 32-bit wire ids until pass 2 packs them) and allocates nothing per
//! gate:
//!
//! 0. forwards, it expands MAND gates into ANDs and reorders the ops inside windows of
//!    [`WINDOW`] ops so that independent AND gates come together (a stable, topological
//!    reordering by AND depth inside each window, with the levels of the window's wires
//!    only; garbler and evaluator both run this same deterministic program, so the table
//!    order is that of the program), then spreads dependent XORs apart inside each run of
//!    non-AND ops of one level, so that an executor's XOR seldom waits for the store of
//!    the op just before it (the `interleave` module);
//! 1. backwards, with one bit per wire ("read later?"), it marks for every operand read
//!    whether it is the wire's last use, and for every output whether it is dead (never
//!    read, not a circuit output);
//! 2. forwards, with a wire → slot table and a free list, it frees the slots of last uses
//!    and then allocates the output's slot (so an output may take over an input's slot).
//!
//! The per-op logic of the passes is written once (a private `passes` module) and shared
//! with [`crate::program_file`], which runs the same passes over a file for circuits too
//! large for memory and produces the same ops.
//!
//! The result is a **slot program** of XOR and AND ops only, packed in 12 bytes like the
//! IR, with slot indices instead of wire ids. INV, EQ and EQW become XORs with
//! **reserved slots** that an executor fills before running the program:
//!
//! | slot | meaning | plaintext | garbler (free-XOR) | evaluator |
//! |---|---|---|---|---|
//! | [`SLOT_SCRATCH`] = 0 | write-only sink of dead outputs | – | – | – |
//! | [`SLOT_ZERO`] = 1 | XOR identity (EQW `a` ↦ `a ⊕ ZERO`) | 0 | `0` | `0` |
//! | [`SLOT_NOT`] = 2 | negation offset (INV `a` ↦ `a ⊕ NOT`) | 1 | `Δ` | `0` |
//! | [`SLOT_FALSE`] = 3 | constant 0 (EQ 0 ↦ `FALSE ⊕ ZERO`) | 0 | `P` | `P` |
//! | [`SLOT_TRUE`] = 4 | constant 1 (EQ 1 ↦ `TRUE ⊕ ZERO`) | 1 | `P ⊕ Δ` | `P` |
//!
//! (`P` a public label.) Input and live wires use slots `RESERVED_SLOTS ..`, so an array of
//! [`SlotMap::num_slots`] labels holds every live label; its length is
//! [`RESERVED_SLOTS`] + [`SlotMap::peak`].
//!
//! Each op also carries a **flush** flag for batched AND processing (a garbler hashes runs
//! of independent AND gates together): the flag is set on the first op that reads a slot
//! written by an AND gate since the previous flag. An executor that enqueues AND gates
//! (reading their inputs at enqueue time) and flushes the queue before every flagged op,
//! at the end, and whenever it wants to (e.g. when the queue is full), reads every label
//! only after it was written. Writes of queued ANDs never clobber a live label: a queued
//! AND's slot holds a live wire (or is the scratch slot) until it is read, which is flagged.

mod interleave;
pub(crate) mod passes;

use passes::{Allocator, RawOp, Scheduler};

use crate::{Circuit, Gate};

const KIND_SHIFT: u32 = 29;
const MASK: u32 = (1 << 29) - 1;
/// word 0 bit 31: set by no packed op (a reader rejects it).
const STRAY: u32 = 1 << 31;
/// word 0 bit 30: flush queued ANDs before this op (kept in the final program).
const FLUSH: u32 = 1 << 30;
// op kinds of passes 0 and 1 (the final program has only XOR and AND)
const K_XOR: u32 = 0;
const K_AND: u32 = 1;
const K_INV: u32 = 2;
const K_CONST: u32 = 3;
const K_COPY: u32 = 4;

/// Write-only sink for dead outputs.
pub const SLOT_SCRATCH: u32 = 0;
/// Holds the XOR identity (plaintext 0; label 0 on both sides).
pub const SLOT_ZERO: u32 = 1;
/// Holds the negation offset (plaintext 1; garbler Δ, evaluator 0).
pub const SLOT_NOT: u32 = 2;
/// Holds the constant 0 (garbler's 0-label and evaluator's label: the public label P).
pub const SLOT_FALSE: u32 = 3;
/// Holds the constant 1 (garbler's 0-label P ⊕ Δ, evaluator's label P).
pub const SLOT_TRUE: u32 = 4;
/// Number of reserved slots; input wires start at this slot.
pub const RESERVED_SLOTS: u32 = 5;

/// The kind of a slot-program op.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum OpKind {
    /// `out := a XOR b` (also INV, EQ and EQW gates, via the reserved slots)
    Xor = 0,
    /// `out := a AND b` (also each AND of a MAND gate)
    And = 1,
}

/// One decoded op of the slot program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SlotOp {
    /// what the op computes
    pub kind: OpKind,
    /// first input slot
    pub a: u32,
    /// second input slot
    pub b: u32,
    /// output slot ([`SLOT_SCRATCH`]: the output is dead)
    pub out: u32,
    /// flush the queued AND gates before executing this op (see the module docs)
    pub flush: bool,
}

/// One op of a slot program in its packed 12-byte form: three little-endian `u32` words
/// `a | flush << 30`, `b`, `out | kind << 29` (kind 0 = XOR, 1 = AND). [`PackedOp::decode`]
/// gives the fields; [`PackedOp::to_bytes`] / [`PackedOp::from_bytes`] are the file form.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(transparent)]
pub struct PackedOp(pub(crate) [u32; 3]);

impl PackedOp {
    /// Size of the file form in bytes.
    pub const BYTES: usize = 12;

    /// The op's fields.
    #[inline(always)]
    pub fn decode(self) -> SlotOp {
        decode(self.0)
    }

    /// The slots `[a, b, out]` of an XOR op without the flush flag, read without decoding:
    /// the common op, for an executor's inner loop. `None` for an AND or a flagged op (then
    /// use [`PackedOp::decode`]).
    #[inline(always)]
    pub fn plain_xor(self) -> Option<[u32; 3]> {
        let [a, b, o] = self.0;
        // kind (word 2) and flags (word 0) live above bit 29; word 1 has none
        if (a | o) >> KIND_SHIFT == 0 {
            Some([a, b, o])
        } else {
            None
        }
    }

    /// The largest slot any op of `ops` reads or writes (0 for no ops): one pass of
    /// masked maxima over the packed words, which the compiler vectorises, so that an
    /// executor can check a whole program against its label array before running it
    /// unchecked.
    pub fn max_slot(ops: &[PackedOp]) -> u32 {
        let words: &[u32] = bytemuck::cast_slice(ops);
        let mut m = [0u32; 8];
        let mut chunks = words.chunks_exact(8);
        for c in &mut chunks {
            for (mi, &w) in m.iter_mut().zip(c) {
                *mi = (*mi).max(w & MASK);
            }
        }
        let tail = chunks
            .remainder()
            .iter()
            .map(|&w| w & MASK)
            .max()
            .unwrap_or(0);
        m.into_iter().max().unwrap_or(0).max(tail)
    }

    /// The 12-byte little-endian file form.
    pub fn to_bytes(self) -> [u8; 12] {
        let mut b = [0u8; 12];
        for (d, w) in b.chunks_exact_mut(4).zip(self.0) {
            d.copy_from_slice(&w.to_le_bytes());
        }
        b
    }

    /// Read the 12-byte file form. Returns `None` for bits no op sets (word 0 bit 31,
    /// word 1 bits 29–31, word 2 bits 30–31); slot ranges are the reader's to check (see
    /// [`ProgramShape::check`]).
    pub fn from_bytes(b: &[u8; 12]) -> Option<PackedOp> {
        let w = |i: usize| u32::from_le_bytes([b[4 * i], b[4 * i + 1], b[4 * i + 2], b[4 * i + 3]]);
        let (a, bb, o) = (w(0), w(1), w(2));
        if a & STRAY != 0 || bb & !MASK != 0 || o >> KIND_SHIFT > 1 {
            return None;
        }
        Some(PackedOp([a, bb, o]))
    }
}

/// Everything about a slot program but its ops: what an executor needs to size its label
/// array, place the input labels and read the output labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProgramShape {
    /// The slot of each input wire, in wire order (input value 0 first).
    pub input_slots: Vec<u32>,
    /// The slot of each output wire at the end of the program, in output order.
    pub output_slots: Vec<u32>,
    /// Peak number of simultaneously live wires.
    pub peak: u32,
    /// Number of ops (gates, with a MAND of n ANDs counted n times).
    pub len: u64,
    /// Number of AND ops.
    pub and_count: u64,
}

impl ProgramShape {
    /// Length of a label array that holds every slot: `RESERVED_SLOTS + peak`.
    pub fn num_slots(&self) -> usize {
        RESERVED_SLOTS as usize + self.peak as usize
    }

    /// Check a shape that came from outside (a saved program, a caller) before an executor
    /// sizes its label array with it: slots number at most 2^32, every input slot is an
    /// unreserved slot and every output slot a slot, and there are no more ANDs than ops.
    ///
    /// # Errors
    /// What is wrong, in words.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.num_slots() as u64;
        if n > u32::MAX as u64 {
            return Err(format!("{} live wires do not fit 32-bit slots", self.peak));
        }
        if let Some(s) = self
            .input_slots
            .iter()
            .find(|&&s| s < RESERVED_SLOTS || s as u64 >= n)
        {
            return Err(format!(
                "input slot {s} is reserved or past the program's {n} slots"
            ));
        }
        if let Some(s) = self.output_slots.iter().find(|&&s| s as u64 >= n) {
            return Err(format!("output slot {s} is past the program's {n} slots"));
        }
        if self.and_count > self.len {
            return Err(format!("{} AND ops among {} ops", self.and_count, self.len));
        }
        Ok(())
    }

    /// `Some(op)` if all its slots are below [`ProgramShape::num_slots`] (a program read
    /// from outside must be checked before an executor indexes its label array with it).
    #[inline]
    pub fn check(&self, op: PackedOp) -> Option<SlotOp> {
        let d = op.decode();
        let n = self.num_slots() as u32;
        (d.a < n && d.b < n && d.out < n).then_some(d)
    }
}

/// The ops of a slot program read in order, a chunk at a time: how an executor runs a
/// program too large to hold in memory (see `crate::program_file`).
pub trait OpSource: Send {
    /// Replace the contents of `buf` with the next ops of the program, at most `max`
    /// (`max ≥ 1`) and at least one while any remain; leave `buf` empty at the end.
    ///
    /// # Errors
    /// Read errors, and ops that are malformed or whose slots are out of the program's
    /// range ([`std::io::ErrorKind::InvalidData`]).
    fn next_chunk(&mut self, buf: &mut Vec<PackedOp>, max: usize) -> std::io::Result<()>;
}

/// The liveness-based slot assignment of a circuit and its slot program.
///
/// Invariant: every slot of every op is below [`SlotMap::num_slots`], and the shape passes
/// [`ProgramShape::validate`]. [`SlotMap::compute`] checks both before it returns a map,
/// and a map cannot be changed afterwards, so executors may index a label array of
/// `num_slots()` blocks with these ops without bounds checks (the `gc` crate's op loops
/// do).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotMap {
    ops: Vec<PackedOp>,
    shape: ProgramShape,
}

impl SlotMap {
    /// Compute the slot program of a (finished) circuit. Transient memory: 4 bytes + 1 bit
    /// per wire; the result takes 12 bytes per op (an n-AND MAND gate is n ops). The
    /// streaming compiler [`crate::program_file`] runs the same passes on a file.
    ///
    /// # Panics
    /// Only on a bug in the slot allocator (an op outside the program's slots: the type's
    /// invariant is checked before the map is returned).
    pub fn compute(c: &Circuit) -> SlotMap {
        let (nw, n_in, n_out) = (c.num_wires(), c.num_input_bits(), c.num_output_bits());
        let n_ops: usize = c
            .gates()
            .map(|g| match g {
                Gate::Mand { n, .. } => n as usize,
                _ => 1,
            })
            .sum();
        // ---- pass 0: expand MAND gates into ops (wire ids), then schedule each window.
        let mut ops: Vec<RawOp> = Vec::with_capacity(n_ops);
        for g in c.gates() {
            match (g, passes::gate_op(g)) {
                (_, Some(op)) => ops.push(op),
                (Gate::Mand { offset, n }, None) => {
                    let (l, r, o) = c.mand_operands(offset, n);
                    for k in 0..n as usize {
                        ops.push(passes::and_op(l[k], r[k], o[k]));
                    }
                }
                _ => {}
            }
        }
        let and_count = ops.iter().filter(|p| passes::is_and(p)).count() as u64;
        let mut sched = Scheduler::new();
        for win in ops.chunks_mut(WINDOW) {
            sched.window(win);
        }
        drop(sched);
        // ---- pass 1 (backwards): last uses and dead outputs.
        let mut read_later = passes::read_later_at_end(nw, n_out);
        for p in ops.iter_mut().rev() {
            passes::mark_last_uses(p, &mut read_later);
        }
        // ---- pass 2 (forwards): allocate slots, pack the ops, set flush flags.
        let mut alloc = Allocator::new(n_in, &read_later, vec![0u32; nw as usize]);
        drop(read_later);
        // (slots fit the packing: at most MAX_WIRES wires, all but a handful never live at
        // once; `ProgramFile`, whose circuits may have 2^32 − 2 wires, checks `fits`)
        // Packed in place: op i's 3 words go to words 3i.., never past raw op i + 1 (at
        // 4i + 4), so the program never needs 16 + 12 bytes per op at once.
        let n = ops.len();
        let mut flat: Vec<u32> = bytemuck::allocation::cast_vec(ops);
        for i in 0..n {
            let raw = [
                flat[4 * i],
                flat[4 * i + 1],
                flat[4 * i + 2],
                flat[4 * i + 3],
            ];
            flat[3 * i..3 * i + 3].copy_from_slice(&alloc.op(&raw).0);
        }
        flat.truncate(3 * n);
        flat.shrink_to_fit();
        let packed: Vec<PackedOp> = bytemuck::allocation::try_cast_vec(flat)
            .unwrap_or_else(|(_, flat)| bytemuck::cast_slice::<u32, PackedOp>(&flat).to_vec());
        let map = SlotMap {
            shape: alloc.shape(n_in, nw, n_out, n as u64, and_count),
            ops: packed,
        };
        // the type's invariant, on which executors' unchecked slot accesses rest: one pass,
        // a fraction of the compile time
        assert!(
            map.shape.validate().is_ok() && map.ops.iter().all(|&op| map.shape.check(op).is_some()),
            "slot program out of its shape (a bug in the slot allocator)"
        );
        map
    }

    /// Peak number of simultaneously live wires (slots `RESERVED_SLOTS .. RESERVED_SLOTS + peak`).
    pub fn peak(&self) -> u32 {
        self.shape.peak
    }

    /// Length of a label array that holds every slot: `RESERVED_SLOTS + peak`.
    pub fn num_slots(&self) -> usize {
        self.shape.num_slots()
    }

    /// The slot of each input wire, in wire order (input value 0 first).
    pub fn input_slots(&self) -> &[u32] {
        &self.shape.input_slots
    }

    /// The slot of each output wire at the end of the program, in output order.
    pub fn output_slots(&self) -> &[u32] {
        &self.shape.output_slots
    }

    /// The program's shape (everything but its ops).
    pub fn shape(&self) -> &ProgramShape {
        &self.shape
    }

    /// The ops in their packed form.
    pub fn packed(&self) -> &[PackedOp] {
        &self.ops
    }

    /// Number of ops (gates, with a MAND of n ANDs counted n times).
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// True if the program has no ops.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Number of AND ops (ANDs inside MAND gates included).
    pub fn and_count(&self) -> u64 {
        self.shape.and_count
    }

    /// Op `i`, decoded.
    ///
    /// # Panics
    /// If `i >= len()`.
    #[inline(always)]
    pub fn op(&self, i: usize) -> SlotOp {
        self.ops[i].decode()
    }

    /// All ops in order, decoded on the fly.
    #[inline]
    pub fn ops(&self) -> impl ExactSizeIterator<Item = SlotOp> + '_ {
        self.ops.iter().map(|&p| p.decode())
    }

    /// Approximate heap bytes of the program.
    pub fn heap_bytes(&self) -> usize {
        self.ops.capacity() * PackedOp::BYTES
            + (self.shape.input_slots.capacity() + self.shape.output_slots.capacity()) * 4
    }
}

/// Ops per scheduling window (see the module docs, pass 0).
pub const WINDOW: usize = 1 << 13;

#[inline(always)]
fn decode(p: [u32; 3]) -> SlotOp {
    let kind = match p[2] >> KIND_SHIFT {
        0 => OpKind::Xor,
        _ => OpKind::And,
    };
    SlotOp {
        kind,
        a: p[0] & MASK,
        b: p[1] & MASK,
        out: p[2] & MASK,
        flush: p[0] & FLUSH != 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Interpret the slot program on plaintext bits with a queued-AND executor that
    /// flushes only when told to (or every `cap` ANDs), and compare to a direct wire
    /// evaluation.
    fn run(c: &Circuit, m: &SlotMap, inputs: &[bool], cap: usize) -> Vec<bool> {
        let mut s = vec![false; m.num_slots()];
        s[SLOT_NOT as usize] = true;
        s[SLOT_TRUE as usize] = true;
        for (i, &sl) in m.input_slots().iter().enumerate() {
            s[sl as usize] = inputs[i];
        }
        let mut q: Vec<(u32, bool)> = Vec::new();
        let flush = |s: &mut Vec<bool>, q: &mut Vec<(u32, bool)>| {
            for (o, v) in q.drain(..) {
                s[o as usize] = v;
            }
        };
        for op in m.ops() {
            if op.flush {
                flush(&mut s, &mut q);
            }
            let (a, b) = (s[op.a as usize], s[op.b as usize]);
            match op.kind {
                OpKind::And => {
                    q.push((op.out, a & b));
                    if q.len() >= cap {
                        flush(&mut s, &mut q);
                    }
                    continue;
                }
                OpKind::Xor => s[op.out as usize] = a ^ b,
            }
        }
        flush(&mut s, &mut q);
        let _ = c;
        m.output_slots().iter().map(|&o| s[o as usize]).collect()
    }

    fn direct(c: &Circuit, inputs: &[bool]) -> Vec<bool> {
        let mut w = vec![false; c.num_wires() as usize];
        w[..inputs.len()].copy_from_slice(inputs);
        for g in c.gates() {
            match g {
                Gate::Xor { a, b, out } => w[out as usize] = w[a as usize] ^ w[b as usize],
                Gate::And { a, b, out } => w[out as usize] = w[a as usize] & w[b as usize],
                Gate::Inv { a, out } => w[out as usize] = !w[a as usize],
                Gate::Eq { value, out } => w[out as usize] = value,
                Gate::Eqw { a, out } => w[out as usize] = w[a as usize],
                Gate::Mand { offset, n } => {
                    let (l, r, o) = c.mand_operands(offset, n);
                    for k in 0..n as usize {
                        w[o[k] as usize] = w[l[k] as usize] & w[r[k] as usize];
                    }
                }
            }
        }
        let ob = c.num_output_bits();
        w[(c.num_wires() - ob) as usize..].to_vec()
    }

    /// A random valid circuit: `n_in` inputs, `n_gates` random gates, the last `n_out`
    /// wires are outputs.
    pub(super) fn random_circuit(seed: u64, n_in: u32, n_gates: u32, n_out: u32) -> Circuit {
        let mut x = seed | 1;
        let mut rnd = move |m: u32| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as u32
        };
        // gates write wires n_in .. n_in + n_gates (MANDs may write several).
        let mut c = Circuit::new(n_in + n_gates, vec![n_in], vec![n_out.min(n_gates)]).unwrap();
        let mut w = n_in;
        while w < n_in + n_gates {
            let a = rnd(w);
            let b = rnd(w);
            let g = match rnd(6) {
                0 => Gate::Xor { a, b, out: w },
                1 => Gate::And { a, b, out: w },
                2 => Gate::Inv { a, out: w },
                3 => Gate::Eq {
                    value: rnd(2) == 1,
                    out: w,
                },
                4 => Gate::Eqw { a, out: w },
                _ => {
                    let n = (rnd(4) + 1).min(n_in + n_gates - w);
                    let l: Vec<u32> = (0..n).map(|_| rnd(w)).collect();
                    let r: Vec<u32> = (0..n).map(|_| rnd(w)).collect();
                    let o: Vec<u32> = (w..w + n).collect();
                    c.push_mand(&l, &r, &o).unwrap();
                    w += n;
                    continue;
                }
            };
            c.push(g).unwrap();
            w += 1;
        }
        c.finish().unwrap()
    }

    #[test]
    fn slot_program_matches_direct_evaluation() {
        for seed in 1..200u64 {
            let n_in = 1 + (seed % 7) as u32;
            let c = random_circuit(seed, n_in, 5 + (seed % 60) as u32, 1 + (seed % 5) as u32);
            let m = SlotMap::compute(&c);
            assert!(m.peak() <= c.num_wires());
            assert_eq!(m.and_count(), c.and_count());
            for t in 0..8u32 {
                let inputs: Vec<bool> =
                    (0..n_in).map(|i| (seed as u32 ^ t) >> i & 1 == 1).collect();
                let want = direct(&c, &inputs);
                for cap in [1, 3, 1000] {
                    assert_eq!(run(&c, &m, &inputs, cap), want, "seed {seed} cap {cap}");
                }
            }
        }
    }

    #[test]
    fn chain_reuses_slots() {
        // x_{k+1} = x_k AND y: peak stays tiny however long the chain.
        let n = 1000u32;
        let mut c = Circuit::new(2 + n, vec![1, 1], vec![1]).unwrap();
        let mut prev = 0;
        for k in 0..n {
            c.push(Gate::And {
                a: prev,
                b: 1,
                out: 2 + k,
            })
            .unwrap();
            prev = 2 + k;
        }
        let c = c.finish().unwrap();
        let m = SlotMap::compute(&c);
        assert!(m.peak() <= 3, "peak {}", m.peak());
        assert_eq!(m.input_slots(), &[RESERVED_SLOTS, RESERVED_SLOTS + 1]);
        assert_eq!(m.output_slots().len(), 1);
        // every AND reads the previous one: each op after the first is flagged.
        assert!(m.ops().skip(1).all(|o| o.flush));
    }

    #[test]
    fn packed_ops_round_trip_through_bytes_and_reject_stray_bits() {
        let c = crate::library::layered(300).unwrap();
        let m = SlotMap::compute(&c);
        assert_eq!(m.shape().len, m.len() as u64);
        for &p in m.packed() {
            assert_eq!(PackedOp::from_bytes(&p.to_bytes()), Some(p));
            assert_eq!(m.shape().check(p), Some(p.decode()));
        }
        let p = m.packed()[0].to_bytes();
        for (byte, bit) in [(3, 7), (7, 5), (7, 6), (7, 7), (11, 6), (11, 7)] {
            let mut q = p;
            q[byte] |= 1 << bit;
            assert_eq!(PackedOp::from_bytes(&q), None, "byte {byte} bit {bit}");
        }
        let far = PackedOp([0, 0, m.num_slots() as u32]);
        assert_eq!(m.shape().check(far), None);
    }
}

#[cfg(test)]
mod known_answer {
    use super::*;

    /// FNV-1a over the packed ops and shape of `SlotMap::compute` on the shipped circuits,
    /// `layered` of a few sizes and builder circuits: a refactoring of the passes must keep
    /// the slot program byte-identical.
    #[test]
    fn slot_programs_are_unchanged() {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let mut eat = |x: u32| {
            for b in x.to_le_bytes() {
                h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
        };
        let mut circuits: Vec<Circuit> = crate::library::names()
            .iter()
            .map(|n| crate::library::load(n).unwrap())
            .collect();
        for n in [1, 300, 20_000, 70_000] {
            circuits.push(crate::library::layered(n).unwrap());
        }
        for seed in 1..60u64 {
            circuits.push(super::tests::random_circuit(seed, 8, 3000, 9));
        }
        for c in &circuits {
            let m = SlotMap::compute(c);
            for p in m.packed() {
                p.0.iter().for_each(|&w| eat(w));
            }
            let s = m.shape();
            s.input_slots
                .iter()
                .chain(&s.output_slots)
                .for_each(|&w| eat(w));
            eat(s.peak);
            eat(s.len as u32);
            eat(s.and_count as u32);
        }
        // changed when pass 0 began spreading dependent XORs apart (`interleave`)
        assert_eq!(h, 13771675915299431419);
    }
}
