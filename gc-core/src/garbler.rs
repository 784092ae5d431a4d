//! [`Garbler`]: garbling under a [`Scheme`] (half-gates by default) as a pull iterator of
//! table batches.

use crate::exec::{self, AndSink};
use crate::ops::{CheckedProgram, Ops};
use crate::scheme::{GarbleQueue, HalfGates, Scheme, Tweak};
use crate::{CONST_LABEL, GcError};
use duet_circuits::Bits;
use duet_circuits::liveness::{OpSource, PackedOp, ProgramShape, SlotMap};
use duet_core::{Block, Delta};
use zeroize::Zeroize;

/// Default batch target of [`Garbler::next_batch`]: 1 MiB of tables.
pub const DEFAULT_BATCH_BYTES: usize = 1 << 20;

/// The garbler of one circuit run, sans-IO.
///
/// Holds one 0-label per live wire (in the slots of a [`SlotMap`]), so memory is
/// O(peak live wires); the tables are produced in gate order in batches of about
/// [`Garbler::set_batch_blocks`] blocks and never held whole.
///
/// Free-XOR (KS08): `L1 = L0 ⊕ Δ`; XOR gates XOR the 0-labels; INV XORs Δ into the
/// 0-label (the evaluator does nothing); EQ (a public constant `c`) gets the 0-label
/// `P ⊕ c·Δ` for the public label `P` = [`CONST_LABEL`], so that the evaluator's active
/// label is `P` whatever `c` is; EQW copies. AND gates cost `S::GATE_BYTES` each plus the
/// scheme's per-batch trailer (half-gates: 32 bytes, ZRE15).
pub struct Garbler<'p, S: Scheme = HalfGates> {
    shape: &'p ProgramShape,
    ops: Ops<'p>,
    failed: Option<GcError>,
    slots: Vec<Block>,
    delta: Block,
    salt: Block,
    gate: u64,
    q: Box<S::Garble>,
    target: usize,
    done: bool,
}

impl<'p> Garbler<'p, HalfGates> {
    /// A garbler for the circuit whose slot program is `prog`.
    ///
    /// `input_zero_labels` holds one 0-label per input wire in wire order (input value 0
    /// first): random labels for the garbler's own inputs, the COT outputs `k_i` for the
    /// evaluator's. `salt` is a fresh public random block per run, sent to the evaluator
    /// (it separates the hash tweaks of different runs; see [`crate::half_gates`]).
    ///
    /// # Errors
    /// [`GcError::InputLabelCount`] if the number of labels is not the number of input
    /// wires; [`GcError::DeltaLsb`] if `lsb(Δ) = 0`.
    pub fn new(
        prog: &'p SlotMap,
        delta: &Delta,
        input_zero_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::with_scheme(prog, delta, input_zero_labels, salt)
    }

    /// A garbler for a slot program of shape `shape` whose ops are read from `ops` in
    /// chunks of [`crate::STREAM_CHUNK_OPS`] as garbling goes (a program compiled to a file,
    /// `duet_circuits::program_file`): memory is the labels plus one chunk, whatever the
    /// circuit size. Arguments otherwise as [`Garbler::new`]; read errors surface from
    /// [`Garbler::try_next_batch`].
    ///
    /// # Errors
    /// As [`Garbler::new`]; [`GcError::Program`] if `shape` fails
    /// [`ProgramShape::validate`] (a slot outside its label array).
    pub fn streamed(
        shape: &'p ProgramShape,
        ops: Box<dyn OpSource + 'p>,
        delta: &Delta,
        input_zero_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::streamed_with_scheme(shape, ops, delta, input_zero_labels, salt)
    }
}

impl<'p, S: Scheme> Garbler<'p, S> {
    /// [`Garbler::new`] under the scheme `S` (`Garbler::<ThreeHalves>::with_scheme(…)`).
    ///
    /// # Errors
    /// As [`Garbler::new`].
    pub fn with_scheme(
        prog: &'p SlotMap,
        delta: &Delta,
        input_zero_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::with_ops(
            prog.shape(),
            Ops::memory(prog)?,
            delta,
            input_zero_labels,
            salt,
        )
    }

    /// [`Garbler::with_scheme`] on a [`CheckedProgram`], whose ops are not checked again
    /// (the protocol's prepared circuits: one check per circuit, not per run).
    ///
    /// # Errors
    /// As [`Garbler::new`].
    pub fn checked(
        prog: &'p CheckedProgram,
        delta: &Delta,
        input_zero_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::with_ops(
            prog.shape(),
            Ops::checked(prog),
            delta,
            input_zero_labels,
            salt,
        )
    }

    /// [`Garbler::streamed`] under the scheme `S`.
    ///
    /// # Errors
    /// As [`Garbler::streamed`].
    pub fn streamed_with_scheme(
        shape: &'p ProgramShape,
        ops: Box<dyn OpSource + 'p>,
        delta: &Delta,
        input_zero_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::with_ops(shape, Ops::streamed(ops), delta, input_zero_labels, salt)
    }

    fn with_ops(
        shape: &'p ProgramShape,
        ops: Ops<'p>,
        delta: &Delta,
        input_zero_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        let d = delta.as_block();
        let slots = exec::label_array(shape, input_zero_labels, [d, CONST_LABEL, CONST_LABEL ^ d])?;
        if !d.lsb() {
            return Err(GcError::DeltaLsb);
        }
        Ok(Garbler {
            shape,
            ops,
            failed: None,
            slots,
            delta: delta.as_block(),
            salt,
            gate: 0,
            q: Box::new(S::Garble::new(Block::random(&mut duet_core::secure_rng()))),
            target: DEFAULT_BATCH_BYTES,
            done: false,
        })
    }

    /// Draw the scheme's per-gate random choices (three-halves: two bits per gate) from
    /// `seed` instead of the OS, for reproducible tables in tests. Call it before the first
    /// batch; a seed must never be reused under the same Δ in earnest.
    pub fn set_random_seed(&mut self, seed: Block) {
        *self.q = S::Garble::new(seed);
    }

    /// Set the batch target of [`Garbler::next_batch`] in bytes (at least 1; default
    /// [`DEFAULT_BATCH_BYTES`]). A batch may exceed it by up to one queue flush
    /// (`MAX_BATCH · GATE_BYTES` plus a trailer).
    pub fn set_batch_bytes(&mut self, bytes: usize) {
        self.target = bytes.max(1);
    }

    /// Garble the next gates, appending their tables (the scheme's table stream, see
    /// [`crate::scheme`]; half-gates: 32 bytes per AND gate, gate order) to `out`, until at
    /// least the batch target has been appended or the circuit ends.
    ///
    /// Returns `true` if blocks were appended, `false` once the circuit is completely
    /// garbled and nothing was appended (the usual loop is
    /// `while g.next_batch(&mut buf) { send(&buf); buf.clear(); }`). A circuit with no AND
    /// gates is garbled by the first call, which returns `false`. A streamed program's read
    /// error also returns `false`, and then [`Garbler::output_zero_labels`] returns it: use
    /// [`Garbler::try_next_batch`] to see it at once.
    pub fn next_batch(&mut self, out: &mut Vec<u8>) -> bool {
        match self.try_next_batch(out) {
            Ok(more) => more,
            Err(e) => {
                self.failed = Some(e);
                false
            }
        }
    }

    /// [`Garbler::next_batch`], with the read errors of a streamed program.
    ///
    /// # Errors
    /// [`GcError::Program`] if a streamed program cannot be read, has an op outside its
    /// shape or more or fewer ops than its shape says; the garbler is then unusable.
    pub fn try_next_batch(&mut self, out: &mut Vec<u8>) -> Result<bool, GcError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.done {
            return Ok(false);
        }
        let start = out.len();
        loop {
            let chunk = self.ops.take();
            let ops = self.ops.slice(&chunk);
            let full = self.run(ops, start, out);
            self.ops.put(chunk);
            if full {
                return Ok(true);
            }
            match self.ops.refill(self.shape) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    self.failed = Some(e.clone());
                    return Err(e);
                }
            }
        }
        self.flush(out);
        self.done = true;
        Ok(out.len() > start)
    }

    /// Run `ops[self.ops.pos..]`; `true` if it stopped because the batch target (counted
    /// from `start`) was reached, `false` at the end of `ops`.
    #[inline(always)]
    fn run(&mut self, ops: &[PackedOp], start: usize, out: &mut Vec<u8>) -> bool {
        let mut sink = GarbleSink::<S> {
            q: &mut self.q,
            out,
            start,
            target: self.target,
            delta: self.delta,
            salt: self.salt,
            gate: &mut self.gate,
        };
        exec::run(&mut self.slots, ops, &mut self.ops.pos, &mut sink)
    }

    #[inline]
    fn flush(&mut self, out: &mut Vec<u8>) {
        let mut sink = GarbleSink::<S> {
            q: &mut self.q,
            out,
            start: 0,
            target: usize::MAX,
            delta: self.delta,
            salt: self.salt,
            gate: &mut self.gate,
        };
        sink.flush(&mut self.slots);
    }

    /// Garble whatever is left and return all remaining tables in one vector (convenience
    /// for small circuits and tests; streaming callers use [`Garbler::next_batch`]).
    pub fn garble_all(&mut self) -> Vec<u8> {
        let mut v = Vec::new();
        let t = self.target;
        self.target = usize::MAX;
        while self.next_batch(&mut v) {}
        self.target = t;
        v
    }

    /// True once every gate is garbled.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Number of AND gates garbled so far.
    pub fn and_gates_done(&self) -> u64 {
        self.gate
    }

    /// Number of AND gates of the whole circuit.
    pub fn and_gates(&self) -> u64 {
        self.shape.and_count
    }

    /// The output wires' 0-labels, in output order.
    ///
    /// # Errors
    /// [`GcError::NotFinished`] before the last batch; the read error of a streamed
    /// program.
    pub fn output_zero_labels(&self) -> Result<Vec<Block>, GcError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if !self.done {
            return Err(GcError::NotFinished);
        }
        Ok(self
            .shape
            .output_slots
            .iter()
            .map(|&s| self.slots[s as usize])
            .collect())
    }

    /// The decoding bits: lsb of each output wire's 0-label, in output order (the evaluator
    /// decodes with [`crate::decode`]).
    ///
    /// # Errors
    /// [`GcError::NotFinished`] before the last batch.
    pub fn decoding_bits(&self) -> Result<Bits, GcError> {
        Ok(self.output_zero_labels()?.iter().map(|l| l.lsb()).collect())
    }
}

/// The garbler's AND handling in the executor: queue, and garble a full or flagged batch
/// into the table stream.
struct GarbleSink<'a, S: Scheme> {
    q: &'a mut S::Garble,
    out: &'a mut Vec<u8>,
    start: usize,
    target: usize,
    delta: Block,
    salt: Block,
    gate: &'a mut u64,
}

impl<S: Scheme> AndSink for GarbleSink<'_, S> {
    #[inline(always)]
    fn full(&self) -> bool {
        self.q.len() == crate::scheme::MAX_BATCH
    }

    #[inline(always)]
    fn and(&mut self, slots: &mut [Block], a: u32, b: u32, out: u32) -> bool {
        self.q.push(slots, a, b, out);
        true
    }

    #[inline]
    fn flush(&mut self, slots: &mut [Block]) -> bool {
        let n = self.q.len();
        if n > 0 {
            let tw = Tweak {
                salt: self.salt,
                first_gate: *self.gate,
            };
            self.q.garble(self.delta, tw, self.out, slots);
            *self.gate += n as u64;
        }
        // a chain of dependent ANDs never fills the queue: the target is honoured at every
        // flush, flagged or full
        self.out.len() - self.start >= self.target
    }
}

impl<S: Scheme> Drop for Garbler<'_, S> {
    fn drop(&mut self) {
        self.delta.0.zeroize();
        for s in self.slots.iter_mut() {
            s.0.zeroize();
        }
    }
}
