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

use crate::scheme::{EvalQueue, GarbleQueue, MAX_BATCH as BATCH, Scheme, Tweak};
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
}

/// From this many instances on, an AND op's row of `m` gates goes to the scheme's
/// [`GarbleQueue::garble_run`] in chunks of [`BATCH`] (no per-gate queue push; a batch of
/// its own, so the row's trailers are per chunk); below it, gates of independent ops share
/// queue batches. Gate numbering is the same either way.
const DIRECT_MIN: usize = BATCH / 2;

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

    /// The exact number of table bytes [`Lockstep::garble`] appends for `m` instances of
    /// `prog` under the scheme `S` (what the evaluator expects): `m · and_count ·
    /// GATE_BYTES` plus the trailers of the batches the lockstep order makes.
    pub fn table_bytes<S: Scheme>(prog: &SlotMap, m: usize) -> u64 {
        let (mut bytes, mut n) = (0u64, 0usize);
        let close = |bytes: &mut u64, n: &mut usize| {
            if *n > 0 {
                *bytes += S::trailer_bytes(*n) as u64;
                *n = 0;
            }
        };
        for op in prog.ops() {
            if op.flush {
                close(&mut bytes, &mut n);
            }
            if op.kind != OpKind::And {
                continue;
            }
            bytes += (m * S::GATE_BYTES) as u64;
            if m >= DIRECT_MIN {
                close(&mut bytes, &mut n);
                for i0 in (0..m).step_by(BATCH) {
                    bytes += S::trailer_bytes(BATCH.min(m - i0)) as u64;
                }
            } else {
                for _ in 0..m {
                    n += 1;
                    if n == BATCH {
                        close(&mut bytes, &mut n);
                    }
                }
            }
        }
        close(&mut bytes, &mut n);
        bytes
    }

    /// Garble `m` instances of `prog` in lockstep under the scheme `S` (see the module docs
    /// for the order).
    ///
    /// `inputs`: `m · n_in` input 0-labels, instance-major. Appends
    /// [`Lockstep::table_bytes`]`::<S>(prog, m)` table bytes to `tables` and `m · n_out`
    /// output 0-labels (instance-major) to `outputs`. `salt` and `first_gate` place the
    /// hash tweaks as in [`crate::Garbler`]; the next free gate number is
    /// `first_gate + m · and_count`.
    ///
    /// # Errors
    /// [`GcError::InputLabelCount`] if `inputs.len() != m · n_in`; [`GcError::DeltaLsb`] if
    /// `lsb(Δ) = 0`.
    ///
    /// # Panics
    /// If `m · num_slots` exceeds `u32::MAX` (a caller bug: chunk `m`).
    #[allow(clippy::too_many_arguments)]
    pub fn garble<S: Scheme>(
        &mut self,
        prog: &SlotMap,
        delta: &Delta,
        salt: Block,
        first_gate: u64,
        m: usize,
        inputs: &[Block],
        tables: &mut Vec<u8>,
        outputs: &mut Vec<Block>,
    ) -> Result<(), GcError> {
        let d = delta.as_block();
        if !d.lsb() {
            return Err(GcError::DeltaLsb);
        }
        let slots = load_slots(
            &mut self.slots,
            prog,
            m,
            inputs,
            [d, CONST_LABEL, CONST_LABEL ^ d],
        )?;
        tables.reserve(Self::table_bytes::<S>(prog, m) as usize);
        let mut q = Box::new(S::Garble::new(Block::random(&mut duet_core::secure_rng())));
        let mut gate = first_gate;
        let tw = |gate: u64| Tweak {
            salt,
            first_gate: gate,
        };
        let flush = |q: &mut S::Garble, gate: &mut u64, slots: &mut [Block], t: &mut Vec<u8>| {
            let n = q.len();
            q.garble(d, tw(*gate), t, slots);
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
                    for i0 in (0..m).step_by(BATCH) {
                        let n = BATCH.min(m - i0);
                        let rows = (a + i0, b + i0, o + i0);
                        q.garble_run(d, tw(gate), slots, rows, n, tables);
                        gate += n as u64;
                    }
                }
                OpKind::And => {
                    for i in 0..m {
                        q.push(slots, (a + i) as u32, (b + i) as u32, (o + i) as u32);
                        if q.len() == BATCH {
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

    /// Evaluate `m` instances of `prog` in lockstep under the scheme `S`, the counterpart
    /// of [`Lockstep::garble`].
    ///
    /// `inputs`: `m · n_in` active input labels, instance-major; `tables`: exactly
    /// [`Lockstep::table_bytes`]`::<S>(prog, m)` bytes. Appends `m · n_out` active output
    /// labels to `outputs`.
    ///
    /// # Errors
    /// [`GcError::InputLabelCount`] if `inputs.len() != m · n_in`;
    /// [`GcError::TablesTruncated`] / [`GcError::ExtraTables`] if `tables` has the wrong
    /// length (checked before anything is evaluated).
    ///
    /// # Panics
    /// As [`Lockstep::garble`].
    #[allow(clippy::too_many_arguments)]
    pub fn evaluate<S: Scheme>(
        &mut self,
        prog: &SlotMap,
        salt: Block,
        first_gate: u64,
        m: usize,
        inputs: &[Block],
        tables: &[u8],
        outputs: &mut Vec<Block>,
    ) -> Result<(), GcError> {
        let need = Self::table_bytes::<S>(prog, m);
        let got = tables.len() as u64;
        if got < need {
            return Err(GcError::TablesTruncated {
                and_gates: m as u64 * prog.and_count(),
                evaluated: 0,
                received: got,
            });
        }
        if got > need {
            return Err(GcError::ExtraTables { extra: got - need });
        }
        let consts = [Block::ZERO, CONST_LABEL, CONST_LABEL];
        let slots = load_slots(&mut self.slots, prog, m, inputs, consts)?;
        let mut q = Box::new(S::Eval::new());
        let mut gate = first_gate;
        // the rest of the tables (its length was checked above)
        let mut t = tables;
        let mut take = |k: usize| {
            let (x, rest) = t.split_at(k);
            t = rest;
            x
        };
        let tw = |gate: u64| Tweak {
            salt,
            first_gate: gate,
        };
        for op in prog.ops() {
            if op.flush && !q.is_empty() {
                let n = q.len();
                q.evaluate(tw(gate), take(S::trailer_bytes(n)), slots);
                gate += n as u64;
            }
            let (a, b, o) = (op.a as usize * m, op.b as usize * m, op.out as usize * m);
            match op.kind {
                OpKind::Xor => xor_rows(slots, a, b, o, m),
                OpKind::And if m >= DIRECT_MIN => {
                    if !q.is_empty() {
                        let n = q.len();
                        q.evaluate(tw(gate), take(S::trailer_bytes(n)), slots);
                        gate += n as u64;
                    }
                    for i0 in (0..m).step_by(BATCH) {
                        let n = BATCH.min(m - i0);
                        let gates = take(n * S::GATE_BYTES);
                        let trailer = take(S::trailer_bytes(n));
                        let rows = (a + i0, b + i0, o + i0);
                        q.evaluate_run(tw(gate), slots, rows, n, gates, trailer);
                        gate += n as u64;
                    }
                }
                OpKind::And => {
                    for i in 0..m {
                        let g = take(S::GATE_BYTES);
                        q.push(slots, (a + i) as u32, (b + i) as u32, g, (o + i) as u32);
                        if q.len() == BATCH {
                            q.evaluate(tw(gate), take(S::trailer_bytes(BATCH)), slots);
                            gate += BATCH as u64;
                        }
                    }
                }
            }
        }
        if !q.is_empty() {
            let n = q.len();
            q.evaluate(tw(gate), take(S::trailer_bytes(n)), slots);
        }
        store_outputs(prog, m, slots, outputs);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Evaluator, Garbler, HalfGates, ThreeHalves};
    use duet_circuits::builder::CircuitBuilder;
    use duet_core::Prg;

    /// `m` instances in lockstep give, per instance, the plaintext result, and agree with
    /// the single-instance garbler/evaluator on a circuit with AND chains, XOR, INV and EQ.
    #[test]
    fn lockstep_instances_compute_the_circuit() {
        instances_compute_the_circuit::<HalfGates>();
        instances_compute_the_circuit::<ThreeHalves>();
    }

    fn instances_compute_the_circuit<S: Scheme>() {
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
            lg.garble::<S>(&prog, &delta, salt, 5, m, &zero, &mut tables, &mut out0)
                .unwrap();
            assert_eq!(tables.len() as u64, Lockstep::table_bytes::<S>(&prog, m));
            assert!(tables.len() as u64 >= (S::GATE_BYTES * m) as u64 * prog.and_count());
            let mut outa = Vec::new();
            le.evaluate::<S>(&prog, salt, 5, m, &active, &tables, &mut outa)
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
                let mut g = Garbler::<S>::with_scheme(&prog, &delta, &zero, salt).unwrap();
                let t1 = g.garble_all();
                let mut e = Evaluator::<S>::with_scheme(&prog, &active, salt).unwrap();
                e.consume(&t1).unwrap();
                let single = e.finish().unwrap();
                let mut outb = Vec::new();
                Lockstep::new()
                    .evaluate::<S>(&prog, salt, 0, 1, &active, &t1, &mut outb)
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
            Lockstep::new().garble::<HalfGates>(
                &prog,
                &delta,
                Block::ZERO,
                0,
                3,
                &ins,
                &mut t,
                &mut o
            ),
            Err(GcError::InputLabelCount {
                expected: 48,
                actual: 64
            })
        ));
        Lockstep::new()
            .garble::<HalfGates>(&prog, &delta, Block::ZERO, 0, 4, &ins, &mut t, &mut o)
            .unwrap();
        let mut out = Vec::new();
        assert!(matches!(
            Lockstep::new().evaluate::<HalfGates>(
                &prog,
                Block::ZERO,
                0,
                4,
                &ins,
                &t[1..],
                &mut out
            ),
            Err(GcError::TablesTruncated { .. })
        ));
        t.push(0);
        assert!(matches!(
            Lockstep::new().evaluate::<HalfGates>(&prog, Block::ZERO, 0, 4, &ins, &t, &mut out),
            Err(GcError::ExtraTables { .. })
        ));
    }
}
