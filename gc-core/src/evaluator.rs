//! [`Evaluator`]: half-gates evaluation (ZRE15) as a sink of table batches.

use crate::exec::{run_xors, xor_slots};
use crate::half_gates::{BATCH, EvalQueue};
use crate::ops::Ops;
use crate::{CONST_LABEL, GcError};
use duet_circuits::Bits;
use duet_circuits::liveness::{
    OpKind, OpSource, PackedOp, ProgramShape, SLOT_FALSE, SLOT_TRUE, SlotMap,
};
use duet_core::Block;

/// The evaluator of one circuit run, sans-IO: feed it the garbler's tables with
/// [`Evaluator::consume`] as they arrive (split at any block boundary), then
/// [`Evaluator::finish`] for the active output labels.
///
/// Holds one active label per live wire (slots of a [`SlotMap`]): memory O(peak live
/// wires) plus one queued batch of [`BATCH`] AND gates.
pub struct Evaluator<'p> {
    shape: &'p ProgramShape,
    ops: Ops<'p>,
    slots: Vec<Block>,
    salt: Block,
    /// AND gates evaluated (flushed) so far: the hash index of the next flushed gate
    gate: u64,
    q: Box<EvalQueue>,
    /// the first block of an AND gate whose second block has not arrived yet
    carry: Option<Block>,
    received: u64,
    ops_done: bool,
    failed: Option<GcError>,
}

impl<'p> Evaluator<'p> {
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
        Self::with_ops(prog.shape(), Ops::memory(prog), input_active_labels, salt)
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
        Self::with_ops(shape, Ops::streamed(ops), input_active_labels, salt)
    }

    fn with_ops(
        shape: &'p ProgramShape,
        ops: Ops<'p>,
        input_active_labels: &[Block],
        salt: Block,
    ) -> Result<Self, GcError> {
        // a caller's shape indexes the label array: checked once per run
        shape
            .validate()
            .map_err(|what| GcError::Program { at: 0, what })?;
        let ins = &shape.input_slots;
        if input_active_labels.len() != ins.len() {
            return Err(GcError::InputLabelCount {
                expected: ins.len(),
                actual: input_active_labels.len(),
            });
        }
        let mut slots = vec![Block::ZERO; shape.num_slots()];
        slots[SLOT_FALSE as usize] = CONST_LABEL;
        slots[SLOT_TRUE as usize] = CONST_LABEL;
        for (&s, &l) in ins.iter().zip(input_active_labels) {
            slots[s as usize] = l;
        }
        Ok(Evaluator {
            shape,
            ops,
            slots,
            salt,
            gate: 0,
            q: Box::new(EvalQueue::new()),
            carry: None,
            received: 0,
            ops_done: false,
            failed: None,
        })
    }

    /// Number of table blocks the whole circuit needs (2 per AND gate).
    pub fn total_table_blocks(&self) -> u64 {
        2 * self.shape.and_count
    }

    /// Number of table blocks still expected.
    pub fn remaining_table_blocks(&self) -> u64 {
        self.total_table_blocks().saturating_sub(self.received)
    }

    /// Evaluate as many gates as `tables` (the next blocks of the garbler's stream) allow.
    /// A gate whose two blocks are split across calls is finished by the next call.
    ///
    /// # Errors
    /// [`GcError::ExtraTables`] if the stream holds more blocks than the circuit has AND
    /// gates for (the evaluator is then unusable; later calls return the same error).
    pub fn consume(&mut self, tables: &[Block]) -> Result<(), GcError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        self.received += tables.len() as u64;
        if self.received > self.total_table_blocks() {
            let e = GcError::ExtraTables {
                expected: self.total_table_blocks(),
                actual: self.received,
            };
            self.failed = Some(e.clone());
            return Err(e);
        }
        let mut t = tables;
        while !self.ops_done {
            let chunk = self.ops.take();
            let ops = self.ops.slice(&chunk);
            let starved = self.run(ops, &mut t);
            self.ops.put(chunk);
            if starved {
                break;
            }
            match self.ops.refill(self.shape) {
                Ok(true) => {}
                Ok(false) => {
                    self.flush();
                    self.ops_done = true;
                }
                Err(e) => {
                    self.failed = Some(e.clone());
                    return Err(e);
                }
            }
        }
        debug_assert!(
            t.is_empty(),
            "the block count check above admits no leftovers"
        );
        Ok(())
    }

    /// Run `ops[self.ops.pos..]` on the tables `t` (advancing it); `true` if it stopped
    /// because the tables ran out, `false` at the end of `ops`.
    #[inline(always)]
    fn run(&mut self, ops: &[PackedOp], t: &mut &[Block]) -> bool {
        // `pos` and the tables stay in registers: kept in `self`, every op would store and
        // reload them (a loop-carried dependency through memory).
        let mut pos = self.ops.pos;
        let mut tt: &[Block] = t;
        let starved = loop {
            // SAFETY: `self.slots` has `shape.num_slots()` blocks (made so in `with_ops`, never
            // resized) and `ops` are a `SlotMap`'s (its invariant) or a streamed chunk that
            // `Ops::refill` checked against that shape: every slot is in range.
            pos = unsafe { run_xors(&mut self.slots, ops, pos) };
            let Some(&p) = ops.get(pos) else {
                break false;
            };
            let op = p.decode();
            if op.flush {
                self.flush();
            }
            let s = &mut self.slots;
            match op.kind {
                OpKind::Xor => xor_slots(s, op.a, op.b, op.out),
                OpKind::And => {
                    let (tg, te) = match self.carry {
                        Some(tg) => match tt.split_first() {
                            Some((&te, rest)) => {
                                tt = rest;
                                self.carry = None;
                                (tg, te)
                            }
                            None => break true,
                        },
                        None => match *tt {
                            [tg, te, ref rest @ ..] => {
                                tt = rest;
                                (tg, te)
                            }
                            [tg] => {
                                self.carry = Some(tg);
                                tt = &[];
                                break true;
                            }
                            [] => break true,
                        },
                    };
                    self.q.push_slots(s, op.a, op.b, tg, te, op.out);
                    if self.q.n == BATCH {
                        self.flush();
                    }
                }
            }
            pos += 1;
        };
        self.ops.pos = pos;
        *t = tt;
        starved
    }

    #[inline]
    fn flush(&mut self) {
        let n = self.q.n;
        if n == 0 {
            return;
        }
        self.q.evaluate(self.salt, self.gate, &mut self.slots);
        self.gate += n as u64;
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
                expected: self.total_table_blocks(),
                actual: self.received,
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
