//! The op executor's inner loops: XOR ops on the slot array (the bulk of every slot
//! program), shared by every scheme's garbler and evaluator.

use crate::GcError;
use duet_circuits::liveness::{OpKind, PackedOp, ProgramShape, SLOT_FALSE, SLOT_NOT, SLOT_TRUE};
use duet_core::Block;

/// `slots[out] = slots[a] ⊕ slots[b]` with one 16-byte vector load per operand and one store
/// (a `Block` is otherwise moved as two 64-bit halves: twice the memory operations in the
/// XOR-heavy op loops of the garbler and evaluator).
///
/// # Panics
/// If a slot index is out of range (a bug in the slot program).
#[inline(always)]
pub(crate) fn xor_slots(slots: &mut [Block], a: u32, b: u32, out: u32) {
    let (a, b, o) = (a as usize, b as usize, out as usize);
    let n = slots.len();
    assert!(a < n && b < n && o < n, "slot index out of range");
    // SAFETY: the three indices are in bounds (checked just above).
    unsafe { xor_raw(slots.as_mut_ptr(), a, b, o) }
}

/// Run the plain XOR ops ([`PackedOp::plain_xor`]) of `ops` from `pos` on, up to the first
/// AND or flagged op or the end; returns that op's index. The common case of both op
/// loops, kept free of the executor's state so that the slice and the cursor stay in
/// registers, and free of bounds checks: they were 6 of its 18 instructions per op, and
/// the loop is bound by instruction throughput (`aes_128` evaluate 115 → 108 µs per block).
///
/// # Safety
/// Every slot of every op in `ops[pos..]` must be below `slots.len()`. This holds for the
/// ops of a [`duet_circuits::liveness::SlotMap`] (its invariant, checked when it is
/// built) and for ops that passed [`duet_circuits::liveness::ProgramShape::check`], run on
/// a label array of the shape's `num_slots()` blocks.
#[inline(always)]
pub(crate) unsafe fn run_xors(slots: &mut [Block], ops: &[PackedOp], pos: usize) -> usize {
    let rest = ops.get(pos..).unwrap_or_default();
    let n = slots.len();
    let base = slots.as_mut_ptr();
    let mut done = 0;
    for p in rest {
        let Some([a, b, o]) = p.plain_xor() else {
            break;
        };
        let (a, b, o) = (a as usize, b as usize, o as usize);
        debug_assert!(a < n && b < n && o < n, "slot index out of range");
        // SAFETY: the three slots are below `slots.len()` (the caller's contract), so the
        // pointers stay inside the slice; `base` is its only access while this loop runs.
        unsafe { xor_raw(base, a, b, o) };
        done += 1;
    }
    pos + done
}

/// `*base.add(o) = *base.add(a) ⊕ *base.add(b)`, one vector load per operand and a store.
///
/// # Safety
/// `base.add(a)`, `base.add(b)` and `base.add(o)` must be valid for 16-byte reads (and the
/// last for writes).
#[inline(always)]
unsafe fn xor_raw(base: *mut Block, a: usize, b: usize, o: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: valid per the caller's contract; SSE2 is part of x86-64; unaligned accesses.
    unsafe {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_storeu_si128, _mm_xor_si128};
        let p = base.cast::<__m128i>();
        let x = _mm_xor_si128(_mm_loadu_si128(p.add(a)), _mm_loadu_si128(p.add(b)));
        _mm_storeu_si128(p.add(o), x);
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: valid per the caller's contract.
    unsafe {
        *base.add(o) = *base.add(a) ^ *base.add(b);
    }
}

/// `*dst = slots[i]` with one 16-byte vector load and store (see [`xor_slots`]).
///
/// # Panics
/// If `i` is out of range (a bug in the slot program).
#[inline(always)]
pub(crate) fn copy_slot(slots: &[Block], i: u32, dst: &mut Block) {
    let src = &slots[i as usize];
    #[cfg(target_arch = "x86_64")]
    // SAFETY: both references are valid 16-byte locations; SSE2 is part of x86-64.
    unsafe {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_storeu_si128};
        let v = _mm_loadu_si128((src as *const Block).cast::<__m128i>());
        _mm_storeu_si128((dst as *mut Block).cast::<__m128i>(), v);
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        *dst = *src;
    }
}

/// One party's handling of AND gates in [`run`]: queue a gate, flush the queue.
pub(crate) trait AndSink {
    /// True if the queue holds a full batch (or, for an evaluator short of a trailer, a
    /// batch it could not flush yet).
    fn full(&self) -> bool;
    /// Queue the AND gate `a ∧ b → out`; `false` if it cannot be queued yet (the evaluator
    /// is short of table bytes), in which case nothing changed.
    fn and(&mut self, slots: &mut [Block], a: u32, b: u32, out: u32) -> bool;
    /// Garble or evaluate the queued gates; `true` to stop the run here (the garbler's batch
    /// target is met, or the evaluator is short of the batch's trailer and keeps the queue).
    fn flush(&mut self, slots: &mut [Block]) -> bool;
}

/// The op executor: run `ops[*pos..]` on the label array `slots` — plain XORs in
/// [`run_xors`], XOR-class ops with a flush flag after flushing the AND queue, AND gates
/// queued in `k` and flushed when the queue is full or an op depends on a queued gate (the
/// slot program's flush flag). Returns `true` if `k` stopped the run (`*pos` is then the
/// next op to run: an op whose flush stopped the run runs on the next call, whose flush is
/// then a no-op or a retry), `false` at the end of `ops` (the queue may hold gates: the
/// caller flushes at the end of the program).
///
/// Every op's slots are checked against `slots.len()` here, once per chunk, before the
/// unchecked XOR loop runs on them: the executor does not rest on another crate's
/// invariant for memory safety.
///
/// # Errors
/// The index of the first op with a slot outside `slots`, if any (nothing is run then).
#[inline(always)]
pub(crate) fn run<K: AndSink>(
    slots: &mut [Block],
    ops: &[PackedOp],
    pos: &mut usize,
    k: &mut K,
) -> bool {
    let mut p = *pos;
    let stopped = loop {
        // SAFETY: every op of `ops` has its slots below `slots.len()`: checked by
        // `check_ops` for each chunk before it reaches this loop (see `Ops`).
        p = unsafe { run_xors(slots, ops, p) };
        let Some(&op) = ops.get(p) else {
            break false;
        };
        let op = op.decode();
        if op.flush && k.flush(slots) {
            break true;
        }
        if op.kind == OpKind::And {
            // a batch the evaluator could not flush for want of its trailer
            if k.full() && k.flush(slots) {
                break true;
            }
            if !k.and(slots, op.a, op.b, op.out) {
                break true;
            }
            p += 1;
            if k.full() && k.flush(slots) {
                break true;
            }
        } else {
            xor_slots(slots, op.a, op.b, op.out);
            p += 1;
        }
    };
    *pos = p;
    stopped
}

/// The index of the first op of `ops` with a slot at or past `num_slots`, if any: the
/// check that makes [`run`]'s unchecked XOR loop sound, made once per program (in memory)
/// or per chunk (streamed).
pub(crate) fn check_ops(ops: &[PackedOp], num_slots: usize) -> Option<usize> {
    let n = num_slots as u64;
    if (PackedOp::max_slot(ops) as u64) < n {
        return None;
    }
    ops.iter().position(|op| {
        let d = op.decode();
        d.a as u64 >= n || d.b as u64 >= n || d.out as u64 >= n
    })
}

/// A party's label array for a program of shape `shape`: `shape.num_slots()` blocks, the
/// reserved slots `[SLOT_NOT, SLOT_FALSE, SLOT_TRUE]` holding `consts`, the input slots the
/// `input_labels` (wire order), every other slot zero.
///
/// # Errors
/// [`GcError::Program`] if `shape` fails `ProgramShape::validate` (a caller's shape
/// indexes the array); [`GcError::InputLabelCount`] if the labels are not one per input
/// wire.
pub(crate) fn label_array(
    shape: &ProgramShape,
    input_labels: &[Block],
    consts: [Block; 3],
) -> Result<Vec<Block>, GcError> {
    shape
        .validate()
        .map_err(|what| GcError::Program { at: 0, what })?;
    let ins = &shape.input_slots;
    if input_labels.len() != ins.len() {
        return Err(GcError::InputLabelCount {
            expected: ins.len(),
            actual: input_labels.len(),
        });
    }
    let mut slots = vec![Block::ZERO; shape.num_slots()];
    for (s, c) in [SLOT_NOT, SLOT_FALSE, SLOT_TRUE].into_iter().zip(consts) {
        slots[s as usize] = c;
    }
    for (&s, &l) in ins.iter().zip(input_labels) {
        slots[s as usize] = l;
    }
    Ok(slots)
}
