//! Plaintext evaluation: the reference every protocol test compares against.
//!
//! Two evaluators over the same [`Circuit`]:
//!
//! - [`evaluate`]: one instance; input and output values are [`Bits`]. Wire values live in
//!   one flat byte array (one byte per wire, 0 or 1: measured ~1.4× faster than a packed bit
//!   array, and small next to the circuit's own 12 bytes per gate); no allocation per gate.
//! - [`evaluate_sliced`]: 64 independent instances at once, bit-sliced: one `u64` per wire
//!   whose bit `j` is the wire's value in instance `j` (8 bytes per wire). Fast random testing.
//!
//! Gate semantics (Bristol Fashion): `XOR`, `AND`, `INV`, `EQ` (constant), `EQW` (copy) and
//! `MAND` (`n` ANDs, operands `lefts ‖ rights ‖ outs`). A MAND reads all its operands before
//! it writes (the IR forbids a MAND output feeding the same MAND anyway).

use crate::liveness::{OpKind, OpSource, ProgramShape, SLOT_NOT, SLOT_TRUE};
use crate::{Bits, Circuit, Gate};
use thiserror::Error;

/// Errors of the plaintext evaluators: the supplied values do not match the circuit's header.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EvalError {
    /// The number of input values differs from the circuit's.
    #[error("expected {expected} input values, got {actual}")]
    WrongValueCount {
        /// input values the circuit declares
        expected: usize,
        /// input values supplied
        actual: usize,
    },
    /// A slot program could not be read (see [`evaluate_program`]).
    #[error("slot program: {0}")]
    Program(String),
    /// Input value `index` has the wrong bit width.
    #[error("input value {index} has {actual} bits, expected {expected}")]
    WrongWidth {
        /// the input value's index in header order
        index: usize,
        /// its width in the circuit header
        expected: usize,
        /// the width supplied
        actual: usize,
    },
}

fn check_widths<T>(c: &Circuit, inputs: &[T], len: impl Fn(&T) -> usize) -> Result<(), EvalError> {
    check_input_widths(c.inputs(), inputs, len)
}

fn check_input_widths<T>(
    widths: &[u32],
    inputs: &[T],
    len: impl Fn(&T) -> usize,
) -> Result<(), EvalError> {
    if inputs.len() != widths.len() {
        return Err(EvalError::WrongValueCount {
            expected: widths.len(),
            actual: inputs.len(),
        });
    }
    for (index, (v, &w)) in inputs.iter().zip(widths).enumerate() {
        if len(v) != w as usize {
            return Err(EvalError::WrongWidth {
                index,
                expected: w as usize,
                actual: len(v),
            });
        }
    }
    Ok(())
}

/// Evaluate `c` on one set of input values.
///
/// `inputs[i]` is input value `i` (header order) with exactly `c.inputs()[i]` bits; bit `k` of
/// the value is wire `k` of that value. Returns one [`Bits`] per output value, in header
/// order, with `c.outputs()[j]` bits each.
///
/// Runs in O(gates) time and `num_wires` bytes of memory.
///
/// # Errors
/// [`EvalError::WrongValueCount`] if `inputs.len() != c.inputs().len()`;
/// [`EvalError::WrongWidth`] naming the first input value whose width differs.
pub fn evaluate(c: &Circuit, inputs: &[Bits]) -> Result<Vec<Bits>, EvalError> {
    check_widths(c, inputs, |b| b.len())?;
    let mut w = vec![0u8; c.num_wires() as usize];
    let mut pos = 0usize;
    for v in inputs {
        for bit in v.iter_ones() {
            w[pos + bit] = 1;
        }
        pos += v.len();
    }
    for g in c.gates() {
        match g {
            Gate::Xor { a, b, out } => w[out as usize] = w[a as usize] ^ w[b as usize],
            Gate::And { a, b, out } => w[out as usize] = w[a as usize] & w[b as usize],
            Gate::Inv { a, out } => w[out as usize] = w[a as usize] ^ 1,
            Gate::Eq { value, out } => w[out as usize] = value as u8,
            Gate::Eqw { a, out } => w[out as usize] = w[a as usize],
            Gate::Mand { offset, n } => {
                let (ls, rs, os) = c.mand_operands(offset, n);
                for ((&l, &r), &o) in ls.iter().zip(rs).zip(os) {
                    w[o as usize] = w[l as usize] & w[r as usize];
                }
            }
        }
    }
    let outs = (0..c.outputs().len())
        .map(|j| {
            c.output_wires(j)
                .map(|x| w[x as usize] == 1)
                .collect::<Bits>()
        })
        .collect();
    Ok(outs)
}

/// Evaluate a slot program read from `ops` (e.g. a
/// [`ProgramFile`](crate::program_file::ProgramFile)'s, for circuits too large for memory)
/// on one set of input values, with the circuit's input and output widths. Inputs and
/// outputs as [`evaluate`]. Memory: one byte per slot (O(peak live wires)) and one chunk of
/// ops; every op is checked against `shape`.
///
/// # Errors
/// As [`evaluate`]; [`EvalError::Program`] if `ops` fails, ends early, runs long or has an
/// op outside `shape`, or if the widths do not match `shape`.
pub fn evaluate_program(
    shape: &ProgramShape,
    input_widths: &[u32],
    output_widths: &[u32],
    ops: &mut dyn OpSource,
    inputs: &[Bits],
) -> Result<Vec<Bits>, EvalError> {
    check_input_widths(input_widths, inputs, |b| b.len())?;
    let n_in: usize = input_widths.iter().map(|&w| w as usize).sum();
    let n_out: usize = output_widths.iter().map(|&w| w as usize).sum();
    if n_in != shape.input_slots.len() || n_out != shape.output_slots.len() {
        return Err(EvalError::Program(
            "the input or output widths do not match the program".into(),
        ));
    }
    shape.validate().map_err(EvalError::Program)?;
    let mut s = vec![0u8; shape.num_slots()];
    s[SLOT_NOT as usize] = 1;
    s[SLOT_TRUE as usize] = 1;
    for (&slot, bit) in shape
        .input_slots
        .iter()
        .zip(inputs.iter().flat_map(|v| v.iter().by_vals()))
    {
        s[slot as usize] = bit as u8;
    }
    let mut buf = Vec::new();
    let mut done = 0u64;
    loop {
        let max = (shape.len - done).clamp(1, 1 << 16) as usize;
        ops.next_chunk(&mut buf, max)
            .map_err(|e| EvalError::Program(format!("op {done}: {e}")))?;
        if buf.is_empty() {
            break;
        }
        done += buf.len() as u64;
        if done > shape.len {
            return Err(EvalError::Program(format!(
                "more ops than the program's {}",
                shape.len
            )));
        }
        for &p in &buf {
            // ANDs run at once: a queue of one, which the flush rules allow
            let op = shape
                .check(p)
                .ok_or_else(|| EvalError::Program("an op with a slot out of range".into()))?;
            let (a, b) = (s[op.a as usize], s[op.b as usize]);
            s[op.out as usize] = match op.kind {
                OpKind::Xor => a ^ b,
                OpKind::And => a & b,
            };
        }
    }
    if done != shape.len {
        return Err(EvalError::Program(format!(
            "the program ended after {done} of {} ops",
            shape.len
        )));
    }
    let mut outs = shape.output_slots.iter().map(|&o| s[o as usize] == 1);
    Ok(output_widths
        .iter()
        .map(|&w| (0..w).map(|_| outs.next().unwrap_or(false)).collect())
        .collect())
}

/// Evaluate `c` on 64 independent instances at once (bit-sliced).
///
/// Layout: `inputs[i]` is input value `i` (header order) and has exactly `c.inputs()[i]`
/// words; word `k` holds wire `k` of that value, and **bit `j` of the word is that wire's
/// value in instance `j`** (j = 0..64). The result has the same shape for the outputs:
/// `result[j][k]` is output value `j`, wire `k`, all 64 instances.
///
/// To pack instance values: for instance `j` with input value `x` (an integer of the
/// value's width), set bit `j` of word `k` to bit `k` of `x`.
///
/// Memory: 8 bytes per wire. No allocation per gate.
///
/// # Errors
/// As [`evaluate`]: wrong number of input values, or a value with the wrong number of words.
pub fn evaluate_sliced(c: &Circuit, inputs: &[Vec<u64>]) -> Result<Vec<Vec<u64>>, EvalError> {
    check_widths(c, inputs, |v| v.len())?;
    let mut w = vec![0u64; c.num_wires() as usize];
    let mut pos = 0usize;
    for v in inputs {
        w[pos..pos + v.len()].copy_from_slice(v);
        pos += v.len();
    }
    for g in c.gates() {
        match g {
            Gate::Xor { a, b, out } => w[out as usize] = w[a as usize] ^ w[b as usize],
            Gate::And { a, b, out } => w[out as usize] = w[a as usize] & w[b as usize],
            Gate::Inv { a, out } => w[out as usize] = !w[a as usize],
            Gate::Eq { value, out } => w[out as usize] = if value { !0 } else { 0 },
            Gate::Eqw { a, out } => w[out as usize] = w[a as usize],
            Gate::Mand { offset, n } => {
                let (ls, rs, os) = c.mand_operands(offset, n);
                for ((&l, &r), &o) in ls.iter().zip(rs).zip(os) {
                    w[o as usize] = w[l as usize] & w[r as usize];
                }
            }
        }
    }
    let outs = (0..c.outputs().len())
        .map(|j| {
            let r = c.output_wires(j);
            w[r.start as usize..r.end as usize].to_vec()
        })
        .collect();
    Ok(outs)
}

/// Pack up to 64 instances' integer values (each at most 64 bits wide) into the bit-sliced
/// layout of [`evaluate_sliced`]: word `k` of the result has bit `j` = bit `k` of
/// `values[j]`. Bits of `values[j]` at or above `width` are ignored.
///
/// # Panics
/// If `values.len() > 64` or `width > 64` (caller bugs).
pub fn slice_u64(values: &[u64], width: usize) -> Vec<u64> {
    assert!(values.len() <= 64, "at most 64 instances");
    assert!(width <= 64, "at most 64 bits per value");
    (0..width)
        .map(|k| {
            values
                .iter()
                .enumerate()
                .fold(0u64, |acc, (j, &x)| acc | (((x >> k) & 1) << j))
        })
        .collect()
}

/// Inverse of [`slice_u64`]: the value of instance `j` (bit `k` = bit `j` of `words[k]`).
///
/// # Panics
/// If `words.len() > 64` or `j >= 64`.
pub fn unslice_u64(words: &[u64], j: usize) -> u64 {
    assert!(words.len() <= 64 && j < 64);
    words
        .iter()
        .enumerate()
        .fold(0u64, |acc, (k, &w)| acc | (((w >> j) & 1) << k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(x: u64, width: usize) -> Bits {
        (0..width).map(|k| (x >> k) & 1 == 1).collect()
    }

    /// Every gate type on every input combination, by both evaluators.
    #[test]
    fn gate_truth_tables() {
        // wires: 0 = a, 1 = b, then 2 xor, 3 and, 4 inv a, 5 eq1, 6 eq0, 7 eqw b, 8..9 mand
        let mut c = Circuit::new(10, vec![1, 1], vec![8]).unwrap();
        c.push(Gate::Xor { a: 0, b: 1, out: 2 }).unwrap();
        c.push(Gate::And { a: 0, b: 1, out: 3 }).unwrap();
        c.push(Gate::Inv { a: 0, out: 4 }).unwrap();
        c.push(Gate::Eq {
            value: true,
            out: 5,
        })
        .unwrap();
        c.push(Gate::Eq {
            value: false,
            out: 6,
        })
        .unwrap();
        c.push(Gate::Eqw { a: 1, out: 7 }).unwrap();
        c.push_mand(&[0, 4], &[1, 1], &[8, 9]).unwrap();
        let c = c.finish().unwrap();
        // outputs are wires 2..10: xor, and, inv, 1, 0, b, a&b, !a&b
        let mut sa = 0u64;
        let mut sb = 0u64;
        for (j, (a, b)) in [(0u64, 0u64), (0, 1), (1, 0), (1, 1)]
            .into_iter()
            .enumerate()
        {
            let out = evaluate(&c, &[bits(a, 1), bits(b, 1)]).unwrap();
            let want = [a ^ b, a & b, a ^ 1, 1, 0, b, a & b, (a ^ 1) & b];
            let got: Vec<u64> = out[0].iter().map(|x| *x as u64).collect();
            assert_eq!(got, want, "a={a} b={b}");
            sa |= a << j;
            sb |= b << j;
        }
        let s = evaluate_sliced(&c, &[vec![sa], vec![sb]]).unwrap();
        for j in 0..4 {
            let a = (sa >> j) & 1;
            let b = (sb >> j) & 1;
            let want = [a ^ b, a & b, a ^ 1, 1, 0, b, a & b, (a ^ 1) & b];
            let got: Vec<u64> = s[0].iter().map(|w| (w >> j) & 1).collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn wrong_inputs() {
        let c = Circuit::new(4, vec![1, 2], vec![1]).unwrap();
        let mut c = c;
        c.push(Gate::Xor { a: 0, b: 1, out: 3 }).unwrap();
        let c = c.finish().unwrap();
        assert_eq!(
            evaluate(&c, &[bits(0, 1)]),
            Err(EvalError::WrongValueCount {
                expected: 2,
                actual: 1
            })
        );
        assert_eq!(
            evaluate(&c, &[bits(0, 1), bits(0, 3)]),
            Err(EvalError::WrongWidth {
                index: 1,
                expected: 2,
                actual: 3
            })
        );
        assert_eq!(
            evaluate_sliced(&c, &[vec![0], vec![0]]),
            Err(EvalError::WrongWidth {
                index: 1,
                expected: 2,
                actual: 1
            })
        );
        let e = evaluate(&c, &[bits(0, 2), bits(0, 2)]).unwrap_err();
        assert!(e.to_string().contains("input value 0"), "{e}");
    }

    #[test]
    fn slice_roundtrip() {
        let vals: Vec<u64> = (0..64u64)
            .map(|j| j.wrapping_mul(0x9e37_79b9_7f4a_7c15))
            .collect();
        let s = slice_u64(&vals, 64);
        for (j, &v) in vals.iter().enumerate() {
            assert_eq!(unslice_u64(&s, j), v);
        }
    }
}
