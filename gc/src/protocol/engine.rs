//! The sans-IO core ([`crate::Garbler`], [`crate::Evaluator`] over a
//! [`SlotMap`]) as the protocol drives it, plus table-frame I/O helpers.
//!
//! Frames: each frame is one garbler batch of about [`FRAME_BLOCKS`] table blocks (1 MiB),
//! sent as one `duet_net` frame; the evaluator accepts frames of a whole number of blocks,
//! at most [`MAX_FRAME_BLOCKS`] and at most what the circuit still needs, and stops when
//! every AND gate has its two blocks.

use super::{Body, Prepared, ProtocolError};
use crate::{Evaluator, Garbler, GcError};
use duet_core::{Block, Delta};
use duet_net::{Channel, NetError};
use std::sync::atomic::{AtomicU64, Ordering};

use duet_circuits::liveness::OpSource;
pub(crate) use duet_circuits::liveness::SlotMap as Program;
use duet_circuits::program_file::ProgramFile;

/// Table blocks per frame the garbler aims for (64 Ki blocks = 1 MiB = 32 768 AND gates).
pub const FRAME_BLOCKS: usize = 1 << 16;

/// The largest table frame the evaluator accepts, in blocks (2 MiB).
pub const MAX_FRAME_BLOCKS: usize = 2 * FRAME_BLOCKS;

fn add(progress: Option<&AtomicU64>, blocks: usize) {
    if let Some(p) = progress {
        p.fetch_add(blocks as u64 / 2, Ordering::Relaxed);
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

/// Garble instances of `p` under Δ, instance `i` from its input-wire 0-labels
/// `inputs0[i]` (wire order) and `salts[i]`, one after the other, handing the tables to
/// `emit` in frames of about [`FRAME_BLOCKS`] (a frame may span instances; `emit` may swap
/// in a recycled buffer; it is cleared after). Returns each instance's output 0-labels.
pub(crate) fn garble(
    p: &Prepared,
    delta: &Delta,
    inputs0: &[Vec<Block>],
    salts: &[Block],
    emit: &mut dyn FnMut(&mut Vec<Block>) -> Result<(), ProtocolError>,
    progress: Option<&AtomicU64>,
) -> Result<Vec<Vec<Block>>, ProtocolError> {
    let total = 2 * p.and_gates() * inputs0.len() as u64;
    let cap = total.min(MAX_FRAME_BLOCKS as u64) as usize;
    let mut buf = Vec::with_capacity(cap);
    let mut flush = |buf: &mut Vec<Block>| -> Result<(), ProtocolError> {
        add(progress, buf.len());
        if buf.len() <= MAX_FRAME_BLOCKS {
            emit(buf)?;
        } else {
            // the core may return more than its batch target: split into frames
            for chunk in buf.chunks(FRAME_BLOCKS) {
                emit(&mut chunk.to_vec())?;
            }
        }
        buf.clear();
        Ok(())
    };
    let mut outs = Vec::with_capacity(inputs0.len());
    for (z, salt) in inputs0.iter().zip(salts) {
        let mut g = match &*p.body {
            Body::Memory { program, .. } => Garbler::new(program, delta, z, *salt)?,
            Body::File(f) => Garbler::streamed(f.shape(), open(f)?, delta, z, *salt)?,
        };
        loop {
            g.set_batch_blocks(FRAME_BLOCKS.saturating_sub(buf.len()));
            if !g.try_next_batch(&mut buf)? {
                break;
            }
            if buf.len() >= FRAME_BLOCKS {
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

/// Send one batch of tables as a frame.
pub(crate) async fn send_tables(ch: &mut Channel, tables: &[Block]) -> Result<(), NetError> {
    ch.send_frame(Block::slice_as_bytes(tables)).await
}

/// Receive one table frame into `buf` (replacing its contents): a whole number of blocks,
/// at least one, at most `max_blocks`.
///
/// # Errors
/// [`NetError::FrameTooLarge`] or [`NetError::Malformed`] for a frame of the wrong size;
/// channel errors.
pub(crate) async fn recv_tables(
    ch: &mut Channel,
    buf: &mut Vec<Block>,
    max_blocks: usize,
) -> Result<(), ProtocolError> {
    let mut len = [0u8; 4];
    ch.recv_exact(&mut len).await?;
    let len = u32::from_le_bytes(len) as usize;
    if len > max_blocks * 16 {
        return Err(NetError::FrameTooLarge {
            actual: len as u64,
            max: (max_blocks * 16) as u64,
        }
        .into());
    }
    if len == 0 || !len.is_multiple_of(16) {
        return Err(ProtocolError::Malformed(format!(
            "garbled-table frame of {len} bytes (must be a positive multiple of 16)"
        )));
    }
    buf.clear();
    buf.resize(len / 16, Block::ZERO);
    ch.recv_exact(Block::slice_as_bytes_mut(buf)).await?;
    Ok(())
}

/// Fetches the next table frame into its buffer argument (at most the given blocks).
pub(crate) type NextFrame<'a> = dyn FnMut(&mut Vec<Block>, usize) -> Result<(), ProtocolError> + 'a;

/// Evaluate instances of `p`, instance `i` from its active input labels `inputs[i]` (wire
/// order) and `salts[i]`, pulling table frames with `next` (a frame may span instances)
/// until every instance has all its tables. Returns each instance's active output labels.
pub(crate) fn evaluate(
    p: &Prepared,
    inputs: &[Vec<Block>],
    salts: &[Block],
    next: &mut NextFrame<'_>,
    progress: Option<&AtomicU64>,
) -> Result<Vec<Vec<Block>>, ProtocolError> {
    let mut left_total = 2 * p.and_gates() * inputs.len() as u64;
    let (mut buf, mut off) = (Vec::new(), 0usize);
    let mut outs = Vec::with_capacity(inputs.len());
    for (inp, salt) in inputs.iter().zip(salts) {
        let mut e = match &*p.body {
            Body::Memory { program, .. } => Evaluator::new(program, inp, *salt)?,
            Body::File(f) => Evaluator::streamed(f.shape(), open(f)?, inp, *salt)?,
        };
        loop {
            let left = e.remaining_table_blocks();
            if left == 0 {
                break;
            }
            if off == buf.len() {
                next(&mut buf, left_total.min(MAX_FRAME_BLOCKS as u64) as usize)?;
                if buf.is_empty() {
                    return Err(ProtocolError::Malformed(
                        "an empty garbled-table frame".into(),
                    ));
                }
                left_total = left_total.saturating_sub(buf.len() as u64);
                off = 0;
            }
            let take = (left as usize).min(buf.len() - off);
            e.consume(&buf[off..off + take])?;
            off += take;
            add(progress, take);
        }
        e.consume(&[])?;
        outs.push(e.finish()?);
    }
    Ok(outs)
}
