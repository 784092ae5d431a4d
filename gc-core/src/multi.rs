//! Lockstep garbling of many instances of one small circuit ("SIMD across instances").
//!
//! A small circuit such as a 64-bit comparator or adder is a chain of dependent AND gates:
//! garbled alone, every AND batch holds one gate and the AES pipeline idles. Run `m`
//! instances together, op by op, and each op contributes `m` independent AND gates, so the
//! fused kernels of [`crate::half_gates`] always see full batches. The hybrid layer uses this for
//! a layer's conversions and comparisons (one call per template and chunk of values).
//!
//! Order (both sides must use the same): for each op of the slot program, for each instance
//! `0..m`. The `j`-th AND gate in that order gets the tweaks of gate `first_gate + j` (see
//! [`crate::half_gates`]), and its two table blocks are blocks `2j`, `2j + 1` of the tables.
//! Labels are instance-major on input and output: instance `i`'s input wire `k` is
//! `inputs[i · n_in + k]`.
//!
//! Memory: `m · num_slots` labels (the slot program's peak live wires, per instance) plus the
//! tables (`2 · m · and_count` blocks), so callers chunk `m` (a few hundred instances).

use crate::half_gates::{BATCH, EvalQueue, GarbleQueue, Scratch, evaluate_chunk, garble_chunk};
use crate::{CONST_LABEL, GcError};
use duet_circuits::liveness::{OpKind, SLOT_FALSE, SLOT_NOT, SLOT_TRUE, SLOT_ZERO, SlotMap};
use duet_core::{Block, Delta};
use zeroize::Zeroize;

/// Reusable working memory for lockstep garbling and evaluation: the labels of `m`
/// instances' live wires (`m · num_slots` blocks), kept between calls so that repeated
/// calls do not fault in fresh pages. Zeroized on drop (the garbler's 0-labels are secret).
#[derive(Default)]
pub struct Lockstep {
    slots: Vec<Block>,
    scratch: Scratch,
}

/// From this many instances on, an AND op's row of `m` gates goes to the kernels directly
/// in chunks of [`BATCH`] (no per-gate queue push); below it, gates of independent ops share
/// queue batches. Gate numbering and table order are the same either way.
const DIRECT_MIN: usize = BATCH / 2;

/// Garble the AND row `a ∧ b → o` of `m` instances straight through the kernels.
#[allow(clippy::too_many_arguments)]
fn garble_row(
    scratch: &mut Scratch,
    d: Block,
    salt: Block,
    gate: &mut u64,
    slots: &mut [Block],
    (a, b, o): (usize, usize, usize),
    m: usize,
    tables: &mut Vec<Block>,
) {
    // copies: the output row may be one of the input rows (slot reuse)
    let (mut x, mut y) = ([Block::ZERO; BATCH], [Block::ZERO; BATCH]);
    for i0 in (0..m).step_by(BATCH) {
        let n = BATCH.min(m - i0);
        x[..n].copy_from_slice(&slots[a + i0..a + i0 + n]);
        y[..n].copy_from_slice(&slots[b + i0..b + i0 + n]);
        let start = tables.len();
        tables.resize(start + 2 * n, Block::ZERO);
        let out = &mut slots[o + i0..o + i0 + n];
        garble_chunk(
            scratch,
            d,
            salt,
            *gate,
            &x[..n],
            &y[..n],
            &mut tables[start..],
            out,
        );
        *gate += n as u64;
    }
    for v in x.iter_mut().chain(y.iter_mut()) {
        v.0.zeroize();
    }
}

/// Evaluate the AND row `a ∧ b → o` of `m` instances with `tables` (`2m` blocks).
fn evaluate_row(
    scratch: &mut Scratch,
    salt: Block,
    gate: &mut u64,
    slots: &mut [Block],
    (a, b, o): (usize, usize, usize),
    m: usize,
    tables: &[Block],
) {
    let (mut x, mut y) = ([Block::ZERO; BATCH], [Block::ZERO; BATCH]);
    for i0 in (0..m).step_by(BATCH) {
        let n = BATCH.min(m - i0);
        x[..n].copy_from_slice(&slots[a + i0..a + i0 + n]);
        y[..n].copy_from_slice(&slots[b + i0..b + i0 + n]);
        let t = &tables[2 * i0..2 * (i0 + n)];
        let out = &mut slots[o + i0..o + i0 + n];
        evaluate_chunk(scratch, salt, *gate, &x[..n], &y[..n], t, out);
        *gate += n as u64;
    }
}

impl Drop for Lockstep {
    fn drop(&mut self) {
        self.slots.iter_mut().for_each(|s| s.0.zeroize());
    }
}

/// Check `inputs.len() == m · n_in` and lay the inputs out slot-major (`slot · m + i`).
fn load_slots<'s>(
    slots: &'s mut Vec<Block>,
    prog: &SlotMap,
    m: usize,
    inputs: &[Block],
    consts: [Block; 3],
) -> Result<&'s mut [Block], GcError> {
    let ins = prog.input_slots();
    if inputs.len() != m * ins.len() {
        return Err(GcError::InputLabelCount {
            expected: m * ins.len(),
            actual: inputs.len(),
        });
    }
    // queued AND gates name their output slot as a u32
    let len = prog
        .num_slots()
        .checked_mul(m)
        .filter(|&l| u32::try_from(l).is_ok())
        .unwrap_or_else(|| {
            panic!(
                "lockstep: {m} instances × {} slots exceeds u32 (use fewer instances per call)",
                prog.num_slots()
            )
        });
    if slots.len() < len {
        slots.resize(len, Block::ZERO);
    }
    let slots = &mut slots[..len];
    // SLOT_ZERO must read 0 even when the memory is reused
    let consts = [Block::ZERO, consts[0], consts[1], consts[2]];
    for (c, s) in consts
        .into_iter()
        .zip([SLOT_ZERO, SLOT_NOT, SLOT_FALSE, SLOT_TRUE])
    {
        slots[s as usize * m..(s as usize + 1) * m].fill(c);
    }
    // a blocked transpose (instance-major → slot-major), 16 instances at a time
    let n_in = ins.len();
    for i0 in (0..m).step_by(16) {
        let i1 = (i0 + 16).min(m);
        for (k, &s) in ins.iter().enumerate() {
            let row = &mut slots[s as usize * m + i0..s as usize * m + i1];
            for (j, d) in row.iter_mut().enumerate() {
                *d = inputs[(i0 + j) * n_in + k];
            }
        }
    }
    Ok(slots)
}

/// `slots[o..o+m] = slots[a..a+m] ⊕ slots[b..b+m]` (rows are equal or disjoint): safe
/// disjoint borrows per aliasing case, so each loop is a plain zip that vectorises.
#[inline(always)]
fn xor_rows(slots: &mut [Block], a: usize, b: usize, o: usize, m: usize) {
    let row = |x: usize| x..x + m;
    if a == b {
        // x ⊕ x
        slots[row(o)].fill(Block::ZERO);
    } else if o == a || o == b {
        let other = if o == a { b } else { a };
        let [out, x] = slots
            .get_disjoint_mut([row(o), row(other)])
            .expect("slot rows are equal or disjoint");
        out.iter_mut().zip(x.iter()).for_each(|(d, s)| *d ^= *s);
    } else {
        let [out, x, y] = slots
            .get_disjoint_mut([row(o), row(a), row(b)])
            .expect("slot rows are equal or disjoint");
        for ((d, p), q) in out.iter_mut().zip(x.iter()).zip(y.iter()) {
            *d = *p ^ *q;
        }
    }
}

/// Append the output labels, instance-major.
fn store_outputs(prog: &SlotMap, m: usize, slots: &[Block], outputs: &mut Vec<Block>) {
    let outs = prog.output_slots();
    outputs.reserve(m * outs.len());
    for i in 0..m {
        outputs.extend(outs.iter().map(|&s| slots[s as usize * m + i]));
    }
}

impl Lockstep {
    /// Empty working memory (it grows to the largest `m · num_slots` seen).
    pub fn new() -> Lockstep {
        Lockstep::default()
    }

    /// Garble `m` instances of `prog` in lockstep (see the module docs for the order).
    ///
    /// `inputs`: `m · n_in` input 0-labels, instance-major. Appends `2 · m · and_count` table
    /// blocks to `tables` and `m · n_out` output 0-labels (instance-major) to `outputs`.
    /// `salt` and `first_gate` place the hash tweaks as in [`crate::Garbler`]; the next free gate
    /// number is `first_gate + m · and_count`.
    ///
    /// # Errors
    /// [`GcError::InputLabelCount`] if `inputs.len() != m · n_in`; [`GcError::DeltaLsb`] if
    /// `lsb(Δ) = 0`.
    ///
    /// # Panics
    /// If `m · num_slots` exceeds `u32::MAX` (a caller bug: chunk `m`).
    #[allow(clippy::too_many_arguments)]
    pub fn garble(
        &mut self,
        prog: &SlotMap,
        delta: &Delta,
        salt: Block,
        first_gate: u64,
        m: usize,
        inputs: &[Block],
        tables: &mut Vec<Block>,
        outputs: &mut Vec<Block>,
    ) -> Result<(), GcError> {
        let d = delta.as_block();
        if !d.lsb() {
            return Err(GcError::DeltaLsb);
        }
        let Lockstep { slots, scratch } = self;
        let slots = load_slots(slots, prog, m, inputs, [d, CONST_LABEL, CONST_LABEL ^ d])?;
        tables.reserve(2 * m * prog.and_count() as usize);
        let mut q = Box::new(GarbleQueue::new());
        let mut gate = first_gate;
        let flush =
            |q: &mut GarbleQueue, gate: &mut u64, slots: &mut [Block], tables: &mut Vec<Block>| {
                let n = q.n;
                q.garble(d, salt, *gate, tables, slots);
                *gate += n as u64;
            };
        for op in prog.ops() {
            if op.flush {
                flush(&mut q, &mut gate, slots, tables);
            }
            let (a, b, o) = (op.a as usize * m, op.b as usize * m, op.out as usize * m);
            match op.kind {
                OpKind::Xor => xor_rows(slots, a, b, o, m),
                OpKind::And if m >= DIRECT_MIN => {
                    flush(&mut q, &mut gate, slots, tables);
                    garble_row(scratch, d, salt, &mut gate, slots, (a, b, o), m, tables);
                }
                OpKind::And => {
                    for i in 0..m {
                        q.push(slots[a + i], slots[b + i], (o + i) as u32);
                        if q.n == BATCH {
                            flush(&mut q, &mut gate, slots, tables);
                        }
                    }
                }
            }
        }
        flush(&mut q, &mut gate, slots, tables);
        store_outputs(prog, m, slots, outputs);
        Ok(())
    }

    /// Evaluate `m` instances of `prog` in lockstep, the counterpart of [`Lockstep::garble`].
    ///
    /// `inputs`: `m · n_in` active input labels, instance-major; `tables`: exactly
    /// `2 · m · and_count` blocks. Appends `m · n_out` active output labels to `outputs`.
    ///
    /// # Errors
    /// [`GcError::InputLabelCount`] if `inputs.len() != m · n_in`;
    /// [`GcError::TablesTruncated`] / [`GcError::ExtraTables`] if `tables` has the wrong length.
    ///
    /// # Panics
    /// As [`Lockstep::garble`].
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate(
        &mut self,
        prog: &SlotMap,
        salt: Block,
        first_gate: u64,
        m: usize,
        inputs: &[Block],
        tables: &[Block],
        outputs: &mut Vec<Block>,
    ) -> Result<(), GcError> {
        let need = 2 * m as u64 * prog.and_count();
        let got = tables.len() as u64;
        if got < need {
            return Err(GcError::TablesTruncated {
                and_gates: need / 2,
                evaluated: 0,
                received: 16 * got,
            });
        }
        if got > need {
            return Err(GcError::ExtraTables {
                extra: 16 * (got - need),
            });
        }
        let Lockstep { slots, scratch } = self;
        let consts = [Block::ZERO, CONST_LABEL, CONST_LABEL];
        let slots = load_slots(slots, prog, m, inputs, consts)?;
        let mut q = Box::new(EvalQueue::new());
        let mut gate = first_gate;
        let flush = |q: &mut EvalQueue, gate: &mut u64, slots: &mut [Block]| {
            let n = q.n;
            q.evaluate(salt, *gate, slots);
            *gate += n as u64;
        };
        // next table block to use (the length was checked above)
        let mut tp = 0usize;
        for op in prog.ops() {
            if op.flush {
                flush(&mut q, &mut gate, slots);
            }
            let (a, b, o) = (op.a as usize * m, op.b as usize * m, op.out as usize * m);
            match op.kind {
                OpKind::Xor => xor_rows(slots, a, b, o, m),
                OpKind::And if m >= DIRECT_MIN => {
                    flush(&mut q, &mut gate, slots);
                    let t = &tables[tp..tp + 2 * m];
                    evaluate_row(scratch, salt, &mut gate, slots, (a, b, o), m, t);
                    tp += 2 * m;
                }
                OpKind::And => {
                    for i in 0..m {
                        let (tg, te) = (tables[tp], tables[tp + 1]);
                        tp += 2;
                        q.push(slots[a + i], slots[b + i], tg, te, (o + i) as u32);
                        if q.n == BATCH {
                            flush(&mut q, &mut gate, slots);
                        }
                    }
                }
            }
        }
        flush(&mut q, &mut gate, slots);
        store_outputs(prog, m, slots, outputs);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Evaluator, Garbler};
    use duet_circuits::builder::CircuitBuilder;
    use duet_core::Prg;

    /// `m` instances in lockstep give, per instance, the plaintext result, and agree with
    /// the single-instance garbler/evaluator on a circuit with AND chains, XOR, INV and EQ.
    #[test]
    fn lockstep_instances_compute_the_circuit() {
        let mut b = CircuitBuilder::new();
        let x = b.input(16);
        let y = b.input(16);
        let lt = b.slt(&x, &y);
        let s = b.add(&x, &y);
        let n = b.not_word(&s);
        b.output(&[lt]);
        b.output(&n);
        let c = b.build().unwrap();
        let prog = SlotMap::compute(&c);
        let mut prg = Prg::from_os_rng();
        let mut d = [Block::ZERO];
        prg.fill_blocks(&mut d);
        let delta = Delta::from_block_set_lsb(d[0]);
        // one working memory each, reused across runs of different sizes
        let (mut lg, mut le) = (Lockstep::new(), Lockstep::new());
        for m in [200usize, 3, 31, 1, 33] {
            let vals: Vec<(u16, u16)> = (0..m)
                .map(|i| {
                    (
                        (i as u16).wrapping_mul(40503) ^ 0x8001,
                        (i as u16).wrapping_mul(977),
                    )
                })
                .collect();
            let mut zero = vec![Block::ZERO; m * 32];
            prg.fill_blocks(&mut zero);
            let active: Vec<Block> = (0..m * 32)
                .map(|j| {
                    let (i, k) = (j / 32, j % 32);
                    let v = if k < 16 {
                        vals[i].0 >> k
                    } else {
                        vals[i].1 >> (k - 16)
                    };
                    zero[j] ^ (Block::mask(v & 1 == 1) & delta.as_block())
                })
                .collect();
            let salt = Block(7 << 64);
            let (mut tables, mut out0) = (Vec::new(), Vec::new());
            lg.garble(&prog, &delta, salt, 5, m, &zero, &mut tables, &mut out0)
                .unwrap();
            assert_eq!(tables.len() as u64, 2 * m as u64 * prog.and_count());
            let mut outa = Vec::new();
            le.evaluate(&prog, salt, 5, m, &active, &tables, &mut outa)
                .unwrap();
            assert_eq!(outa.len(), m * 17);
            for i in 0..m {
                let bit = |k: usize| outa[i * 17 + k] != out0[i * 17 + k];
                for k in 0..17 {
                    let (l0, la) = (out0[i * 17 + k], outa[i * 17 + k]);
                    assert!(
                        la == l0 || la == l0 ^ delta.as_block(),
                        "instance {i} wire {k}"
                    );
                }
                let (xv, yv) = vals[i];
                assert_eq!(bit(0), (xv as i16) < (yv as i16), "m {m} instance {i}");
                let sum = !xv.wrapping_add(yv);
                for k in 0..16 {
                    assert_eq!(bit(1 + k), sum >> k & 1 == 1, "m {m} instance {i} bit {k}");
                }
            }
            // one instance in lockstep is exactly the single-instance garbler
            if m == 1 {
                let mut g = Garbler::new(&prog, &delta, &zero, salt).unwrap();
                let t1 = g.garble_all();
                let mut e = Evaluator::new(&prog, &active, salt).unwrap();
                e.consume(&t1).unwrap();
                let single = e.finish().unwrap();
                let mut outb = Vec::new();
                let t1: Vec<Block> = t1
                    .chunks_exact(16)
                    .map(|c| Block::from_bytes(c.try_into().unwrap()))
                    .collect();
                Lockstep::new()
                    .evaluate(&prog, salt, 0, 1, &active, &t1, &mut outb)
                    .unwrap();
                assert_eq!(single, outb);
            }
        }
    }

    #[test]
    fn wrong_lengths_are_errors() {
        let mut b = CircuitBuilder::new();
        let x = b.input(8);
        let y = b.input(8);
        let s = b.add(&x, &y);
        b.output(&s);
        let prog = SlotMap::compute(&b.build().unwrap());
        let delta = Delta::from_block_set_lsb(Block(0x1234_5678_9abc));
        let (mut t, mut o) = (Vec::new(), Vec::new());
        let ins = vec![Block::ZERO; 4 * 16];
        assert!(matches!(
            Lockstep::new().garble(&prog, &delta, Block::ZERO, 0, 3, &ins, &mut t, &mut o),
            Err(GcError::InputLabelCount {
                expected: 48,
                actual: 64
            })
        ));
        Lockstep::new()
            .garble(&prog, &delta, Block::ZERO, 0, 4, &ins, &mut t, &mut o)
            .unwrap();
        let mut out = Vec::new();
        assert!(matches!(
            Lockstep::new().evaluate(&prog, Block::ZERO, 0, 4, &ins, &t[1..], &mut out),
            Err(GcError::TablesTruncated { .. })
        ));
        t.push(Block::ZERO);
        assert!(matches!(
            Lockstep::new().evaluate(&prog, Block::ZERO, 0, 4, &ins, &t, &mut out),
            Err(GcError::ExtraTables { .. })
        ));
    }
}
