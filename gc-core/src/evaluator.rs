//! [`Evaluator`]: evaluation under a [`Scheme`] (half-gates by default) as a sink of
//! table bytes.

use crate::exec::{self, AndSink};
use crate::ops::{CheckedProgram, Ops};
use crate::scheme::{EvalQueue, HalfGates, MAX_BATCH, Scheme, Tweak};
use crate::{CONST_LABEL, GcError};
use duet_circuits::Bits;
use duet_circuits::liveness::{OpSource, PackedOp, ProgramShape, SlotMap};
use duet_core::Block;

/// The evaluator of one circuit run, sans-IO: feed it the garbler's table stream with
/// [`Evaluator::consume`] as it arrives (split anywhere), then [`Evaluator::finish`] for
/// the active output labels.
///
/// Holds one active label per live wire (slots of a [`SlotMap`]): memory O(peak live
/// wires) plus one queued batch of [`MAX_BATCH`] AND gates.
pub struct Evaluator<'p, S: Scheme = HalfGates> {
    shape: &'p ProgramShape,
    ops: Ops<'p>,
    slots: Vec<Block>,
    salt: Block,
    /// AND gates evaluated (flushed) so far: the hash index of the next flushed gate
    gate: u64,
    q: Box<S::Eval>,
    /// the first bytes of a gate's table or of a batch's trailer whose rest has not arrived
    carry: Carry,
    /// table bytes taken so far
    received: u64,
    ops_done: bool,
    failed: Option<GcError>,
}

/// A gate's table or a batch's trailer split across [`Evaluator::consume`] calls.
struct Carry {
    buf: [u8; 64],
    len: usize,
}

impl Carry {
    /// Move bytes from `t` until the carry holds `k`; true once it does.
    #[cold]
    fn fill(&mut self, t: &mut &[u8], k: usize) -> bool {
        let take = (k - self.len).min(t.len());
        self.buf[self.len..self.len + take].copy_from_slice(&t[..take]);
        self.len += take;
        *t = &t[take..];
        self.len == k
    }
}

impl<'p> Evaluator<'p, HalfGates> {
    /// An evaluator for the circuit whose slot program is `prog`, with one active label per
    /// input wire in wire order (the garbler's active labels for its inputs, the COT
    /// outputs `m_i` for the evaluator's), and the garbler's public `salt` for this run.
    ///
    /// # Errors
    /// [`GcError::InputLabelCount`] if the number of labels is not the number of input
    /// wires.
    pub fn new(
        prog: &'p SlotMap,
        input_active_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::with_scheme(prog, input_active_labels, salt)
    }

    /// An evaluator for a slot program of shape `shape` whose ops are read from `ops` in
    /// chunks of [`crate::STREAM_CHUNK_OPS`] as evaluation goes (a program compiled to a
    /// file): memory is the labels plus one chunk, whatever the circuit size. Arguments
    /// otherwise as [`Evaluator::new`]; read errors surface from [`Evaluator::consume`].
    ///
    /// # Errors
    /// As [`Evaluator::new`]; [`GcError::Program`] if `shape` fails
    /// [`ProgramShape::validate`] (a slot outside its label array).
    pub fn streamed(
        shape: &'p ProgramShape,
        ops: Box<dyn OpSource + 'p>,
        input_active_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::streamed_with_scheme(shape, ops, input_active_labels, salt)
    }
}

impl<'p, S: Scheme> Evaluator<'p, S> {
    /// [`Evaluator::new`] under the scheme `S`.
    ///
    /// # Errors
    /// As [`Evaluator::new`].
    pub fn with_scheme(
        prog: &'p SlotMap,
        input_active_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::with_ops(prog.shape(), Ops::memory(prog)?, input_active_labels, salt)
    }

    /// [`Evaluator::with_scheme`] on a [`CheckedProgram`], whose ops are not checked again.
    ///
    /// # Errors
    /// As [`Evaluator::new`].
    pub fn checked(
        prog: &'p CheckedProgram,
        input_active_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::with_ops(prog.shape(), Ops::checked(prog), input_active_labels, salt)
    }

    /// [`Evaluator::streamed`] under the scheme `S`.
    ///
    /// # Errors
    /// As [`Evaluator::streamed`].
    pub fn streamed_with_scheme(
        shape: &'p ProgramShape,
        ops: Box<dyn OpSource + 'p>,
        input_active_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        Self::with_ops(shape, Ops::streamed(ops), input_active_labels, salt)
    }

    fn with_ops(
        shape: &'p ProgramShape,
        ops: Ops<'p>,
        input_active_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        // the evaluator's NOT offset is 0; both constants are the public label
        let consts = [Block::ZERO, CONST_LABEL, CONST_LABEL];
        let slots = exec::label_array(shape, input_active_labels, consts)?;
        Ok(Evaluator {
            shape,
            ops,
            slots,
            salt,
            gate: 0,
            q: Box::new(S::Eval::new()),
            carry: Carry {
                buf: [0; 64],
                len: 0,
            },
            received: 0,
            ops_done: false,
            failed: None,
        })
    }

    /// Number of AND gates of the whole circuit.
    pub fn and_gates(&self) -> u64 {
        self.shape.and_count
    }

    /// Number of AND gates evaluated so far.
    pub fn and_gates_done(&self) -> u64 {
        self.gate
    }

    /// Table bytes taken so far.
    pub fn bytes_received(&self) -> u64 {
        self.received
    }

    /// Evaluate as many gates as `tables` (the next bytes of the garbler's table stream)
    /// allow. A gate or trailer split across calls is finished by the next call.
    ///
    /// # Errors
    /// [`GcError::ExtraTables`] if the stream holds more bytes than the circuit needs (the
    /// evaluator is then unusable; later calls return the same error); the read errors of
    /// a streamed program.
    pub fn consume(&mut self, tables: &[u8]) -> Result<(), GcError> {
        let used = self.consume_prefix(tables)?;
        if used < tables.len() {
            let e = GcError::ExtraTables {
                extra: (tables.len() - used) as u64,
            };
            self.failed = Some(e.clone());
            return Err(e);
        }
        Ok(())
    }

    /// Evaluate as many gates as `tables` allow and return how many of its bytes were
    /// taken: all of them, unless the circuit is finished before (the rest belongs to
    /// whatever follows in the stream, e.g. the next instance of a batched run).
    ///
    /// # Errors
    /// As [`Evaluator::consume`], less the extra-bytes check.
    pub fn consume_prefix(&mut self, tables: &[u8]) -> Result<usize, GcError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let mut t = tables;
        while !self.ops_done {
            let chunk = self.ops.take();
            let ops = self.ops.slice(&chunk);
            let starved = self.run(ops, &mut t, false);
            self.ops.put(chunk);
            if starved {
                break;
            }
            match self.ops.refill(self.shape) {
                Ok(true) => {}
                Ok(false) => {
                    if self.run(&[], &mut t, true) {
                        break;
                    }
                    self.ops_done = true;
                }
                Err(e) => {
                    self.failed = Some(e.clone());
                    return Err(e);
                }
            }
        }
        let used = tables.len() - t.len();
        self.received += used as u64;
        Ok(used)
    }

    /// Run `ops[self.ops.pos..]` on the table bytes `t` (advancing it), then, with `last`,
    /// the final flush; `true` if it stopped because the bytes ran out.
    #[inline(always)]
    fn run(&mut self, ops: &[PackedOp], t: &mut &[u8], last: bool) -> bool {
        let mut sink = EvalSink::<S> {
            q: &mut self.q,
            t,
            carry: &mut self.carry,
            salt: self.salt,
            gate: &mut self.gate,
        };
        let stopped = if last {
            sink.flush(&mut self.slots)
        } else {
            exec::run(&mut self.slots, ops, &mut self.ops.pos, &mut sink)
        };
        *t = sink.t;
        stopped
    }

    /// True once every gate is evaluated.
    pub fn is_done(&self) -> bool {
        self.ops_done
    }

    /// Finish the run: the active output labels, in output order.
    ///
    /// # Errors
    /// [`GcError::TablesTruncated`] if tables are missing; the error of an earlier
    /// [`Evaluator::consume`].
    pub fn finish(&mut self) -> Result<Vec<Block>, GcError> {
        self.consume(&[])?;
        if !self.ops_done {
            return Err(GcError::TablesTruncated {
                and_gates: self.shape.and_count,
                evaluated: self.gate,
                received: self.received,
            });
        }
        Ok(self
            .shape
            .output_slots
            .iter()
            .map(|&s| self.slots[s as usize])
            .collect())
    }
}

/// The evaluator's AND handling in the executor: take each gate's table bytes as it is
/// queued and the batch's trailer when it is evaluated.
struct EvalSink<'a, 't, S: Scheme> {
    q: &'a mut S::Eval,
    /// the table bytes not taken yet (by value: kept in a register through the op loop)
    t: &'t [u8],
    carry: &'a mut Carry,
    salt: Block,
    gate: &'a mut u64,
}

impl<S: Scheme> AndSink for EvalSink<'_, '_, S> {
    #[inline(always)]
    fn full(&self) -> bool {
        self.q.len() == MAX_BATCH
    }

    #[inline(always)]
    fn and(&mut self, slots: &mut [Block], a: u32, b: u32, out: u32) -> bool {
        let k = S::GATE_BYTES;
        if self.carry.len == 0 && self.t.len() >= k {
            let (g, rest) = self.t.split_at(k);
            self.t = rest;
            self.q.push(slots, a, b, g, out);
            return true;
        }
        if !self.carry.fill(&mut self.t, k) {
            return false;
        }
        self.q.push(slots, a, b, &self.carry.buf[..k], out);
        self.carry.len = 0;
        true
    }

    #[inline]
    fn flush(&mut self, slots: &mut [Block]) -> bool {
        let n = self.q.len();
        if n == 0 {
            return false;
        }
        let tw = Tweak {
            salt: self.salt,
            first_gate: *self.gate,
        };
        let k = S::trailer_bytes(n);
        if k == 0 {
            self.q.evaluate(tw, &[], slots);
        } else if self.carry.len == 0 && self.t.len() >= k {
            let (tr, rest) = self.t.split_at(k);
            self.t = rest;
            self.q.evaluate(tw, tr, slots);
        } else {
            if !self.carry.fill(&mut self.t, k) {
                return true;
            }
            self.q.evaluate(tw, &self.carry.buf[..k], slots);
            self.carry.len = 0;
        }
        *self.gate += n as u64;
        false
    }
}

/// Decode active output labels with the garbler's decoding bits: bit `k` is
/// `lsb(label_k) ⊕ d_k`.
///
/// # Errors
/// [`GcError::DecodingLength`] if the lengths differ.
pub fn decode(output_labels: &[Block], decoding_bits: &Bits) -> Result<Bits, GcError> {
    if output_labels.len() != decoding_bits.len() {
        return Err(GcError::DecodingLength {
            expected: output_labels.len(),
            actual: decoding_bits.len(),
        });
    }
    Ok(output_labels
        .iter()
        .zip(decoding_bits.iter())
        .map(|(l, d)| l.lsb() ^ *d)
        .collect())
}

/// Split concatenated output bits into one [`Bits`] value per output of widths `widths`
/// (e.g. `circuit.outputs()`).
///
/// # Errors
/// [`GcError::DecodingLength`] if the widths do not add up to `bits.len()`.
pub fn split_values(widths: &[u32], bits: &Bits) -> Result<Vec<Bits>, GcError> {
    let total: usize = widths.iter().map(|&w| w as usize).sum();
    if total != bits.len() {
        return Err(GcError::DecodingLength {
            expected: total,
            actual: bits.len(),
        });
    }
    let mut at = 0;
    Ok(widths
        .iter()
        .map(|&w| {
            let v: Bits = bits[at..at + w as usize].iter().by_vals().collect();
            at += w as usize;
            v
        })
        .collect())
}
