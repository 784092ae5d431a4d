//! The sans-IO core ([`crate::Garbler`], [`crate::Evaluator`] over a
//! [`SlotMap`]) as the protocol drives it, plus table-frame I/O helpers.
//!
//! Frames: each frame is one garbler batch of about [`FRAME_BLOCKS`] table blocks (1 MiB),
//! sent as one `duet_net` frame; the evaluator accepts frames of a whole number of blocks,
//! at most [`MAX_FRAME_BLOCKS`] and at most what the circuit still needs, and stops when
//! every AND gate has its two blocks.

use super::{Prepared, ProtocolError};
use crate::{Evaluator, Garbler};
use duet_core::{Block, Delta};
use duet_net::{Channel, NetError};
use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) use duet_circuits::liveness::SlotMap as Program;

/// Table blocks per frame the garbler aims for (64 Ki blocks = 1 MiB = 32 768 AND gates).
pub const FRAME_BLOCKS: usize = 1 << 16;

/// The largest table frame the evaluator accepts, in blocks (2 MiB).
pub const MAX_FRAME_BLOCKS: usize = 2 * FRAME_BLOCKS;

fn add(progress: Option<&AtomicU64>, blocks: usize) {
    if let Some(p) = progress {
        p.fetch_add(blocks as u64 / 2, Ordering::Relaxed);
    }
}

/// Garble `p` under Δ from the input-wire 0-labels (wire order) and `salt`, handing every
/// batch of tables to `emit` (which may swap in a recycled buffer; it is cleared after).
/// Returns the output wires' 0-labels.
pub(crate) fn garble(
    p: &Prepared,
    delta: &Delta,
    inputs0: &[Block],
    salt: Block,
    emit: &mut dyn FnMut(&mut Vec<Block>) -> Result<(), ProtocolError>,
    progress: Option<&AtomicU64>,
) -> Result<Vec<Block>, ProtocolError> {
    let mut g = Garbler::new(&p.program, delta, inputs0, salt)?;
    g.set_batch_blocks(FRAME_BLOCKS);
    let cap = (2 * p.and_gates()).min(MAX_FRAME_BLOCKS as u64) as usize;
    let mut buf = Vec::with_capacity(cap);
    while g.next_batch(&mut buf) {
        add(progress, buf.len());
        if buf.len() <= MAX_FRAME_BLOCKS {
            emit(&mut buf)?;
        } else {
            // the core may return more than its batch target: split into frames
            for chunk in buf.chunks(FRAME_BLOCKS) {
                emit(&mut chunk.to_vec())?;
            }
        }
        buf.clear();
    }
    Ok(g.output_zero_labels()?)
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

/// Evaluate `p` from the active input labels (wire order) and `salt`, pulling table frames
/// with `next` until the circuit has all its tables. Returns the active output labels.
pub(crate) fn evaluate(
    p: &Prepared,
    inputs: &[Block],
    salt: Block,
    next: &mut NextFrame<'_>,
    progress: Option<&AtomicU64>,
) -> Result<Vec<Block>, ProtocolError> {
    let mut e = Evaluator::new(&p.program, inputs, salt)?;
    let mut buf = Vec::new();
    loop {
        let left = e.remaining_table_blocks();
        if left == 0 {
            break;
        }
        next(&mut buf, left.min(MAX_FRAME_BLOCKS as u64) as usize)?;
        e.consume(&buf)?;
        add(progress, buf.len());
    }
    e.consume(&[])?;
    Ok(e.finish()?)
}
