//! The body of one run, after the handshake: input labels, streamed tables, decoding.
//! (Steps 2–5 of the module documentation.)

use super::{Prepared, ProtocolError, engine};
use crate::handshake::{OutputPolicy, Role};
use duet_circuits::{Bits, input_wires};
use duet_core::{Block, Delta, Prg};
use duet_gc_core::SchemeKind;
use duet_net::Channel;
use duet_ot::{CotReceiverExt, CotSenderExt, RandomCotReceiver, RandomCotSender};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use tokio::sync::mpsc;

/// Frames in flight between the I/O task and the CPU thread, each way.
const QUEUE: usize = 4;

/// The inputs of one run as the protocol needs them: for each input value in header order,
/// this party's value if it owns it.
pub(crate) type MyInputs<'a> = [Option<&'a Bits>];

fn bytes_to_blocks(bytes: &[u8]) -> Vec<Block> {
    bytes
        .chunks_exact(16)
        .map(|c| Block::from_bytes(c.try_into().expect("16 bytes")))
        .collect()
}

fn split_outputs(p: &Prepared, bits: &mut impl Iterator<Item = bool>) -> Vec<Bits> {
    p.outputs()
        .iter()
        .map(|&w| (0..w).map(|_| bits.next().unwrap_or(false)).collect())
        .collect()
}

/// The garbler's side of one run of `mine.len() ≥ 1` instances (all with the same input
/// ownership). Returns each instance's outputs if `policy` reveals them to the garbler,
/// else one empty vector per instance.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn garbler_run<S: RandomCotSender>(
    ch: &mut Channel,
    scheme: SchemeKind,
    delta: &Delta,
    cot: &mut S,
    prg: &mut Prg,
    p: &Prepared,
    mine: &[&MyInputs<'_>],
    policy: OutputPolicy,
    progress: Option<Arc<AtomicU64>>,
    ot_time: &mut std::time::Duration,
) -> Result<Vec<Vec<Bits>>, ProtocolError> {
    let widths = p.inputs();
    let k = mine.len();
    let first = mine
        .first()
        .ok_or_else(|| ProtocolError::Internal("a run of no instances".into()))?;
    let n_eval: usize = (0..widths.len())
        .filter(|&i| first[i].is_none())
        .map(|i| widths[i] as usize)
        .sum();
    // One COT extension for every instance's evaluator input bits (instance-major).
    let total = n_eval * k;
    let t_ot = std::time::Instant::now();
    let ks = if total > 0 {
        cot.send_cot(ch, total).await?
    } else {
        Vec::new()
    };
    *ot_time = t_ot.elapsed();
    tracing::info!(
        cots = total,
        seconds = ot_time.as_secs_f64(),
        "garbler: OT extension for the evaluator's input bits done"
    );
    if ks.len() != total {
        return Err(ProtocolError::Internal(format!(
            "COT returned {} labels for {total} evaluator input bits",
            ks.len()
        )));
    }
    let mut ks = ks.into_iter();
    let mut zeros = Vec::with_capacity(k);
    let mut salts = Vec::with_capacity(k);
    for inst in mine {
        let mut zero = vec![Block::ZERO; p.num_input_bits()];
        // A fresh public salt separates this instance's hash tweaks from every other's.
        let salt = prg.next_block();
        let mut active = salt.to_bytes().to_vec();
        for (i, value) in inst.iter().enumerate() {
            let wires = input_wires(widths, i).map(|w| w as usize);
            match value {
                Some(bits) => {
                    for (j, wire) in wires.enumerate() {
                        let l0 = prg.next_block();
                        zero[wire] = l0;
                        active.extend_from_slice(&(l0 ^ delta.select(bits[j])).to_bytes());
                    }
                }
                None => {
                    for wire in wires {
                        zero[wire] = ks.next().unwrap_or_default();
                    }
                }
            }
        }
        ch.send_frame(&active).await?;
        zeros.push(zero);
        salts.push(salt);
    }
    tracing::info!(
        instances = k,
        and_gates = p.and_gates() * k as u64,
        scheme = scheme.name(),
        "garbler: input labels sent, garbling"
    );
    let (t_gc, sent0) = (std::time::Instant::now(), ch.bytes_sent());
    let out0 = garble_stream(ch, p, scheme, delta, zeros, salts, progress).await?;
    tracing::info!(
        table_bytes = ch.bytes_sent() - sent0,
        seconds = t_gc.elapsed().as_secs_f64(),
        "garbler: garbled tables sent"
    );
    let n_out: usize = out0.iter().map(Vec::len).sum();
    if policy.reveals_to(Role::Evaluator) {
        let mut d = vec![0u8; n_out.div_ceil(8)];
        for (j, l) in out0.iter().flatten().enumerate() {
            d[j / 8] |= (l.lsb() as u8) << (j % 8);
        }
        ch.send_frame(&d).await?;
    }
    ch.flush().await?;
    if !policy.reveals_to(Role::Garbler) {
        tracing::info!(
            output_bits = n_out,
            "garbler: decoding bits sent; outputs are the evaluator's"
        );
        return Ok(vec![Vec::new(); k]);
    }
    let mut back = vec![0u8; 16 * n_out];
    ch.recv_frame_exact(&mut back).await?;
    let labels = bytes_to_blocks(&back);
    let d = delta.as_block();
    let mut bits = Vec::with_capacity(n_out);
    for (j, (l, l0)) in labels.iter().zip(out0.iter().flatten()).enumerate() {
        if *l == *l0 {
            bits.push(false);
        } else if *l == *l0 ^ d {
            bits.push(true);
        } else {
            return Err(ProtocolError::Malformed(format!(
                "output label {j} from the evaluator is neither of the wire's labels \
                 (corrupted tables or labels)"
            )));
        }
    }
    tracing::info!(output_bits = n_out, "garbler: outputs decoded");
    Ok(split_instances(p, k, bits.into_iter()))
}

/// Split the outputs of `k` instances (instance-major bits) into values.
fn split_instances(p: &Prepared, k: usize, bits: impl Iterator<Item = bool>) -> Vec<Vec<Bits>> {
    let mut bits = bits;
    (0..k).map(|_| split_outputs(p, &mut bits)).collect()
}

/// The evaluator's side of one run of `mine.len() ≥ 1` instances. Returns each
/// instance's outputs if `policy` reveals them to the evaluator, else one empty vector per
/// instance.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn evaluator_run<R: RandomCotReceiver>(
    ch: &mut Channel,
    scheme: SchemeKind,
    cot: &mut R,
    p: &Prepared,
    mine: &[&MyInputs<'_>],
    policy: OutputPolicy,
    progress: Option<Arc<AtomicU64>>,
    ot_time: &mut std::time::Duration,
) -> Result<Vec<Vec<Bits>>, ProtocolError> {
    let widths = p.inputs();
    let k = mine.len();
    let mut choices = Vec::new();
    let mut n_garbler = 0usize;
    for (n, inst) in mine.iter().enumerate() {
        for (i, value) in inst.iter().enumerate() {
            match value {
                Some(bits) => choices.extend(bits.iter().by_vals()),
                None if n == 0 => n_garbler += widths[i] as usize,
                None => {}
            }
        }
    }
    let t_ot = std::time::Instant::now();
    let ms = if choices.is_empty() {
        Vec::new()
    } else {
        cot.receive_cot(ch, &choices).await?
    };
    *ot_time = t_ot.elapsed();
    tracing::info!(
        cots = choices.len(),
        seconds = ot_time.as_secs_f64(),
        "evaluator: OT extension for its input bits done"
    );
    if ms.len() != choices.len() {
        return Err(ProtocolError::Internal(format!(
            "COT returned {} labels for {} input bits",
            ms.len(),
            choices.len()
        )));
    }
    let mut ms = ms.into_iter();
    let mut all = Vec::with_capacity(k);
    let mut salts = Vec::with_capacity(k);
    let mut theirs = vec![0u8; 16 + 16 * n_garbler];
    for inst in mine {
        ch.recv_frame_exact(&mut theirs).await?;
        let mut theirs = bytes_to_blocks(&theirs).into_iter();
        salts.push(theirs.next().unwrap_or_default());
        let mut labels = vec![Block::ZERO; p.num_input_bits()];
        for (i, value) in inst.iter().enumerate() {
            let src = if value.is_some() {
                &mut ms
            } else {
                &mut theirs
            };
            for wire in input_wires(widths, i).map(|w| w as usize) {
                labels[wire] = src.next().unwrap_or_default();
            }
        }
        all.push(labels);
    }
    tracing::info!(
        instances = k,
        and_gates = p.and_gates() * k as u64,
        scheme = scheme.name(),
        "evaluator: input labels in, evaluating"
    );
    let (t_gc, recv0) = (std::time::Instant::now(), ch.bytes_received());
    let out = evaluate_stream(ch, p, scheme, all, salts, progress).await?;
    tracing::info!(
        table_bytes = ch.bytes_received() - recv0,
        seconds = t_gc.elapsed().as_secs_f64(),
        "evaluator: garbled tables evaluated"
    );
    let n_out: usize = out.iter().map(Vec::len).sum();
    let mut result = vec![Vec::new(); k];
    if policy.reveals_to(Role::Evaluator) {
        let mut d = vec![0u8; n_out.div_ceil(8)];
        ch.recv_frame_exact(&mut d).await?;
        let bits = out
            .iter()
            .flatten()
            .enumerate()
            .map(|(j, l)| l.lsb() ^ (d[j / 8] >> (j % 8) & 1 == 1));
        result = split_instances(p, k, bits);
    }
    if policy.reveals_to(Role::Garbler) {
        let flat: Vec<Block> = out.into_iter().flatten().collect();
        ch.send_frame(Block::slice_as_bytes(&flat)).await?;
        ch.flush().await?;
    }
    tracing::info!(
        output_bits = n_out,
        decoded = policy.reveals_to(Role::Evaluator),
        "evaluator: outputs done"
    );
    Ok(result)
}

/// Are `k` instances of `p` small enough to garble or evaluate inline on the I/O task (one
/// frame)?
fn inline(p: &Prepared, scheme: SchemeKind, k: usize) -> bool {
    (scheme.gate_bytes() as u64).saturating_mul(p.and_gates().saturating_mul(k as u64))
        <= engine::FRAME_BYTES as u64
}

/// Overwrite the garbler's input 0-labels before freeing them.
fn zeroize_all(zero: &mut [Vec<Block>]) {
    for z in zero {
        Block::slice_as_bytes_mut(z).fill(0);
    }
}

/// Garble and send the tables of every instance, back to back, then the empty frame that
/// ends them; small circuits inline, large ones on a blocking thread that overlaps with the
/// sending.
async fn garble_stream(
    ch: &mut Channel,
    p: &Prepared,
    scheme: SchemeKind,
    delta: &Delta,
    zero: Vec<Vec<Block>>,
    salt: Vec<Block>,
    progress: Option<Arc<AtomicU64>>,
) -> Result<Vec<Vec<Block>>, ProtocolError> {
    if inline(p, scheme, zero.len()) {
        let mut frames = Vec::new();
        let out = engine::garble(
            p,
            scheme,
            delta,
            &zero,
            &salt,
            &mut |b| {
                frames.push(std::mem::take(b));
                Ok(())
            },
            progress.as_deref(),
        );
        let mut zero = zero;
        zeroize_all(&mut zero);
        let out = out?;
        for f in &frames {
            engine::send_tables(ch, f).await?;
        }
        engine::send_tables(ch, &[]).await?;
        return Ok(out);
    }
    let (full_tx, mut full_rx) = mpsc::channel::<Vec<u8>>(QUEUE);
    let (free_tx, mut free_rx) = mpsc::channel::<Vec<u8>>(QUEUE + 2);
    let (p2, d2) = (p.clone(), delta.clone());
    let worker = tokio::task::spawn_blocking(move || {
        let mut zero = zero;
        let r = engine::garble(
            &p2,
            scheme,
            &d2,
            &zero,
            &salt,
            &mut |b| {
                let fresh = free_rx.try_recv().unwrap_or_default();
                full_tx
                    .blocking_send(std::mem::replace(b, fresh))
                    .map_err(|_| ProtocolError::Internal("table sender stopped".into()))
            },
            progress.as_deref(),
        );
        zeroize_all(&mut zero);
        r
    });
    let mut io = Ok(());
    while let Some(buf) = full_rx.recv().await {
        if let Err(e) = engine::send_tables(ch, &buf).await {
            io = Err(e);
            break;
        }
        let _ = free_tx.try_send(buf);
    }
    drop(full_rx);
    let out = worker
        .await
        .map_err(|e| ProtocolError::Internal(format!("garbling thread: {e}")));
    io?;
    let out = out??;
    engine::send_tables(ch, &[]).await?;
    Ok(out)
}

/// Receive and evaluate the tables of every instance, up to the empty frame that ends them;
/// small circuits inline, large ones on a blocking thread that overlaps with the receiving.
/// The stream may hold at most the scheme's bound for the run's AND gates.
async fn evaluate_stream(
    ch: &mut Channel,
    p: &Prepared,
    scheme: SchemeKind,
    labels: Vec<Vec<Block>>,
    salt: Vec<Block>,
    progress: Option<Arc<AtomicU64>>,
) -> Result<Vec<Vec<Block>>, ProtocolError> {
    let k = labels.len();
    let bound = engine::max_table_bytes(p, scheme, k);
    let too_many = || {
        ProtocolError::Malformed(format!(
            "more garbled tables than {k} run(s) of {} AND gates can take",
            p.and_gates()
        ))
    };
    if inline(p, scheme, k) {
        let mut frames = Vec::new();
        let mut left = bound;
        loop {
            let mut frame = Vec::new();
            let max = left.min(engine::MAX_FRAME_BYTES as u64) as usize;
            engine::recv_tables(ch, &mut frame, max.max(1)).await?;
            if frame.is_empty() {
                break;
            }
            left = left.checked_sub(frame.len() as u64).ok_or_else(too_many)?;
            frames.push(frame);
        }
        let mut frames = frames.into_iter();
        return engine::evaluate(
            p,
            scheme,
            &labels,
            &salt,
            &mut |b| {
                *b = frames.next().unwrap_or_default();
                Ok(())
            },
            progress.as_deref(),
        );
    }
    let (want_tx, mut want_rx) = mpsc::channel::<Vec<u8>>(QUEUE);
    let (full_tx, mut full_rx) = mpsc::channel::<Vec<u8>>(QUEUE);
    let p2 = p.clone();
    // The worker asks for the next frame (handing back a spent buffer); the I/O loop reads
    // ahead up to QUEUE frames, and passes the empty frame that ends the stream on too.
    let worker = tokio::task::spawn_blocking(move || {
        let out = engine::evaluate(
            &p2,
            scheme,
            &labels,
            &salt,
            &mut |b| {
                let _ = want_tx.blocking_send(std::mem::take(b));
                *b = full_rx
                    .blocking_recv()
                    .ok_or_else(|| ProtocolError::Internal("table receiver stopped".into()))?;
                Ok(())
            },
            progress.as_deref(),
        )?;
        // every instance is evaluated: what follows must be the empty end-of-tables frame
        match full_rx.blocking_recv() {
            Some(b) if !b.is_empty() => Err(ProtocolError::Malformed(
                "garbled tables past the end of the circuit's".into(),
            )),
            _ => Ok(out),
        }
    });
    let mut io = Ok(());
    let mut left = bound;
    let mut first = true;
    let mut spare: Vec<Vec<u8>> = Vec::new();
    loop {
        while let Ok(b) = want_rx.try_recv() {
            spare.push(b);
        }
        let mut b = spare.pop().unwrap_or_default();
        let max = left.min(engine::MAX_FRAME_BYTES as u64) as usize;
        if let Err(e) = engine::recv_tables(ch, &mut b, max.max(1)).await {
            io = Err(e);
            break;
        }
        let end = b.is_empty();
        if first {
            tracing::debug!(bytes = b.len(), "first garbled-table frame received");
            first = false;
        }
        match left.checked_sub(b.len() as u64) {
            Some(l) => left = l,
            None => {
                io = Err(too_many());
                break;
            }
        }
        if full_tx.send(b).await.is_err() {
            // the worker is done (or failed): a frame it did not take is one too many
            if !end {
                io = Err(ProtocolError::Malformed(
                    "garbled tables past the end of the circuit's".into(),
                ));
            }
            break;
        }
        if end {
            break;
        }
    }
    drop(full_tx);
    drop(want_rx);
    let out = worker
        .await
        .map_err(|e| ProtocolError::Internal(format!("evaluation thread: {e}")));
    let out = out?;
    // the worker's own error names the fault best (extra bytes, a truncated stream)
    let out = out?;
    io?;
    Ok(out)
}
