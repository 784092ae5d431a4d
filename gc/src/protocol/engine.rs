//! The sans-IO core ([`crate::Garbler`], [`crate::Evaluator`] over a
//! [`SlotMap`]) as the protocol drives it, plus table-frame I/O helpers. The one place
//! where the protocol dispatches on the garbling [`SchemeKind`].
//!
//! Frames: the garbler sends its table stream (see [`duet_gc_core::scheme`]) in frames of
//! about [`FRAME_BYTES`] (1 MiB), each one `duet_net` frame, then one empty frame that ends
//! the stream. The evaluator accepts frames of at most [`MAX_FRAME_BYTES`] and, in all, at
//! most the scheme's bound for the run's AND gates ([`SchemeKind::max_table_bytes`]); it
//! stops when every AND gate is evaluated, and bytes past that are an error.

use super::{Body, Prepared, ProtocolError};
use crate::{Evaluator, Garbler, GcError};
use duet_core::{Block, Delta};
use duet_gc_core::SchemeKind;
use duet_gc_core::scheme::{HalfGates, Scheme};
use duet_gc_core::three_halves::ThreeHalves;
use duet_net::{Channel, NetError};
use std::sync::atomic::{AtomicU64, Ordering};

use duet_circuits::liveness::OpSource;
use duet_circuits::program_file::ProgramFile;
pub(crate) use duet_gc_core::CheckedProgram as Program;

/// Table bytes per frame the garbler aims for (1 MiB = 32 768 half-gates AND gates).
pub const FRAME_BYTES: usize = 1 << 20;

/// The largest table frame the evaluator accepts, in bytes (2 MiB).
pub const MAX_FRAME_BYTES: usize = 2 * FRAME_BYTES;

fn add(progress: Option<&AtomicU64>, gates: u64) {
    if let Some(p) = progress {
        p.fetch_add(gates, Ordering::Relaxed);
    }
}

/// A fresh reader of a program file's ops.
fn open(f: &ProgramFile) -> Result<Box<dyn OpSource + '_>, GcError> {
    match f.ops() {
        Ok(ops) => Ok(Box::new(ops)),
        Err(e) => Err(GcError::Program {
            at: 0,
            what: format!("cannot open the program file: {e}"),
        }),
    }
}

/// The most table bytes `k` instances of `p` can take under `scheme`.
pub(crate) fn max_table_bytes(p: &Prepared, scheme: SchemeKind, k: usize) -> u64 {
    p.and_gates()
        .checked_mul(k as u64)
        .and_then(|g| scheme.max_table_bytes(g))
        .unwrap_or(u64::MAX)
}

/// Hands a full frame of tables on (it may swap in a recycled buffer; it is cleared after).
pub(crate) type Emit<'a> = dyn FnMut(&mut Vec<u8>) -> Result<(), ProtocolError> + 'a;

/// Garble instances of `p` under Δ and `scheme`, instance `i` from its input-wire 0-labels
/// `inputs0[i]` (wire order) and `salts[i]`, one after the other, handing the tables to
/// `emit` in frames of about [`FRAME_BYTES`] (a frame may span instances). Returns each
/// instance's output 0-labels.
pub(crate) fn garble(
    p: &Prepared,
    scheme: SchemeKind,
    delta: &Delta,
    inputs0: &[Vec<Block>],
    salts: &[Block],
    emit: &mut Emit<'_>,
    progress: Option<&AtomicU64>,
) -> Result<Vec<Vec<Block>>, ProtocolError> {
    match scheme {
        SchemeKind::HalfGates => garble_with::<HalfGates>(p, delta, inputs0, salts, emit, progress),
        SchemeKind::ThreeHalves => {
            garble_with::<ThreeHalves>(p, delta, inputs0, salts, emit, progress)
        }
        // `SchemeKind` is non-exhaustive: a scheme added to the core but not here
        other => Err(ProtocolError::Usage(format!(
            "garbling scheme {other} is not built in"
        ))),
    }
}

fn garble_with<S: Scheme>(
    p: &Prepared,
    delta: &Delta,
    inputs0: &[Vec<Block>],
    salts: &[Block],
    emit: &mut Emit<'_>,
    progress: Option<&AtomicU64>,
) -> Result<Vec<Vec<Block>>, ProtocolError> {
    let total = (S::GATE_BYTES as u64)
        .saturating_mul(p.and_gates())
        .saturating_mul(inputs0.len() as u64);
    let cap = total.min(MAX_FRAME_BYTES as u64) as usize;
    let mut buf = Vec::with_capacity(cap);
    let mut flush = |buf: &mut Vec<u8>| -> Result<(), ProtocolError> {
        if buf.len() <= MAX_FRAME_BYTES {
            emit(buf)?;
        } else {
            // the core may return more than its batch target: split into frames
            for chunk in buf.chunks(FRAME_BYTES) {
                emit(&mut chunk.to_vec())?;
            }
        }
        buf.clear();
        Ok(())
    };
    let mut outs = Vec::with_capacity(inputs0.len());
    for (z, salt) in inputs0.iter().zip(salts) {
        let mut g = match &*p.body {
            Body::Memory { program, .. } => Garbler::<S>::checked(program, delta, z, *salt)?,
            Body::File(f) => {
                Garbler::<S>::streamed_with_scheme(f.shape(), open(f)?, delta, z, *salt)?
            }
        };
        let mut done = 0;
        loop {
            g.set_batch_bytes(FRAME_BYTES.saturating_sub(buf.len()));
            let more = g.try_next_batch(&mut buf)?;
            add(progress, g.and_gates_done() - done);
            done = g.and_gates_done();
            if !more {
                break;
            }
            if buf.len() >= FRAME_BYTES {
                flush(&mut buf)?;
            }
        }
        outs.push(g.output_zero_labels()?);
    }
    if !buf.is_empty() {
        flush(&mut buf)?;
    }
    Ok(outs)
}

/// Send one batch of tables as a frame (an empty one ends the table stream).
pub(crate) async fn send_tables(ch: &mut Channel, tables: &[u8]) -> Result<(), NetError> {
    tracing::debug!(bytes = tables.len(), "garbled-table frame sent");
    ch.send_frame(tables).await
}

/// Receive one table frame into `buf` (replacing its contents): at most `max_bytes` bytes;
/// an empty frame (`buf` left empty) ends the table stream.
///
/// # Errors
/// [`NetError::FrameTooLarge`] for a frame over `max_bytes`; channel errors.
pub(crate) async fn recv_tables(
    ch: &mut Channel,
    buf: &mut Vec<u8>,
    max_bytes: usize,
) -> Result<(), ProtocolError> {
    ch.recv_frame_into(buf, max_bytes).await?;
    tracing::debug!(bytes = buf.len(), "garbled-table frame received");
    Ok(())
}

/// Fetches the next table frame into its buffer argument; leaves it empty at the end of the
/// table stream.
pub(crate) type NextFrame<'a> = dyn FnMut(&mut Vec<u8>) -> Result<(), ProtocolError> + 'a;

/// Evaluate instances of `p` under `scheme`, instance `i` from its active input labels
/// `inputs[i]` (wire order) and `salts[i]`, pulling table frames with `next` (a frame may
/// span instances) until every instance has all its tables. Returns each instance's active
/// output labels.
///
/// # Errors
/// [`ProtocolError::Malformed`] if the stream ends early or holds bytes past the last
/// instance's tables; the core's errors.
pub(crate) fn evaluate(
    p: &Prepared,
    scheme: SchemeKind,
    inputs: &[Vec<Block>],
    salts: &[Block],
    next: &mut NextFrame<'_>,
    progress: Option<&AtomicU64>,
) -> Result<Vec<Vec<Block>>, ProtocolError> {
    match scheme {
        SchemeKind::HalfGates => evaluate_with::<HalfGates>(p, inputs, salts, next, progress),
        SchemeKind::ThreeHalves => evaluate_with::<ThreeHalves>(p, inputs, salts, next, progress),
        other => Err(ProtocolError::Usage(format!(
            "garbling scheme {other} is not built in"
        ))),
    }
}

fn evaluate_with<S: Scheme>(
    p: &Prepared,
    inputs: &[Vec<Block>],
    salts: &[Block],
    next: &mut NextFrame<'_>,
    progress: Option<&AtomicU64>,
) -> Result<Vec<Vec<Block>>, ProtocolError> {
    let (mut buf, mut off) = (Vec::new(), 0usize);
    let mut outs = Vec::with_capacity(inputs.len());
    for (inp, salt) in inputs.iter().zip(salts) {
        let mut e = match &*p.body {
            Body::Memory { program, .. } => Evaluator::<S>::checked(program, inp, *salt)?,
            Body::File(f) => Evaluator::<S>::streamed_with_scheme(f.shape(), open(f)?, inp, *salt)?,
        };
        loop {
            let before = e.and_gates_done();
            off += e.consume_prefix(&buf[off..])?;
            add(progress, e.and_gates_done() - before);
            if e.is_done() {
                break;
            }
            next(&mut buf)?;
            off = 0;
            if buf.is_empty() {
                return Err(ProtocolError::Malformed(format!(
                    "the garbled tables ended early: {} of {} AND gates evaluated after {} bytes",
                    e.and_gates_done(),
                    e.and_gates(),
                    e.bytes_received()
                )));
            }
        }
        outs.push(e.finish()?);
    }
    if off < buf.len() {
        return Err(ProtocolError::Malformed(format!(
            "{} bytes of garbled tables past the end of the circuit's",
            buf.len() - off
        )));
    }
    Ok(outs)
}
