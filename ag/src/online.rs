//! The online phase (WRK17 §4.3, Fig. 10 `Π_2pc` steps 2–6), after preprocessing:
//!
//! 1. **Input processing** (step 2, no selective failure): for each garbler input wire the
//!    evaluator reveals its mask half `s_w` with its MAC, the garbler checks it, and sends
//!    `ẑ_w = x_w ⊕ λ_w` and `L_{w,ẑ_w}`. For each evaluator input wire the garbler reveals
//!    `r_w` with its MAC, the evaluator checks it and sends `ẑ_w = y_w ⊕ λ_w`, the garbler
//!    answers `L_{w,ẑ_w}`. `ẑ_w` is uniform to the garbler, so whether a wrong label makes the
//!    evaluator abort does not depend on `y`. MACs are checked in one digest per direction.
//! 2. **Garbled tables** ([`crate::garble`], step 3–4): streamed in gate order, chunks of
//!    about 1 MiB; the evaluator checks every decrypted row's MAC and aborts at the end of the
//!    stream (before it sends anything) if one failed.
//! 3. **Output processing** (step 5 and its mirror for the garbler's output): the evaluator
//!    sends `ẑ_w`, `s_w` and one digest over `M_A[s_w] ‖ L_{w,ẑ_w}` for every output wire; the
//!    garbler recomputes it from `K_A[s_w] ⊕ s_w·Δ_A` and `L_{w,0} ⊕ ẑ_w·Δ_A` — the evaluator
//!    cannot forge a label of the other value, so a wrong `ẑ_w` or `s_w` is caught. The
//!    garbler then sends `r_w` and one digest of `M_B[r_w]`, checked by the evaluator.
//!    Output `z_w = ẑ_w ⊕ r_w ⊕ s_w` on both sides, or an abort naming the check.

use crate::error::{AgError, Check};
use crate::garble::{GATE_BYTES, eval_and, garble_and};
use crate::plan::{Op, Plan};
#[cfg(test)]
use crate::prepro::Cheat;
use crate::prepro::Material;
use crate::share::{Key, Label, Mac, Party};
use crate::wire::{self, OpenLog, exchange, get, pack};
use duet_circuits::{Bits, Circuit};
use duet_core::{Block, Prg};
use duet_net::Channel;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Table bytes buffered before a send.
const CHUNK: usize = 1 << 20;

/// Input wires owned by each party, in wire order.
fn owned_wires(c: &Circuit, mine: &[Option<Bits>], want_mine: bool) -> Vec<u32> {
    let mut v = Vec::new();
    for (i, x) in mine.iter().enumerate() {
        if x.is_some() == want_mine {
            v.extend(c.input_wires(i));
        }
    }
    v
}

/// Our input bits, in the order of [`owned_wires`]`(.., true)`.
fn my_bits(mine: &[Option<Bits>]) -> Vec<bool> {
    mine.iter()
        .flatten()
        .flat_map(|b| b.iter().by_vals())
        .collect()
}

fn output_wires(c: &Circuit) -> Vec<u32> {
    (0..c.outputs().len())
        .flat_map(|j| c.output_wires(j))
        .collect()
}

fn to_outputs(c: &Circuit, z: &[bool]) -> Vec<Bits> {
    let mut out = Vec::new();
    let mut pos = 0;
    for &w in c.outputs() {
        out.push(z[pos..pos + w as usize].iter().copied().collect());
        pos += w as usize;
    }
    out
}

fn block_at(bytes: &[u8], i: usize) -> Block {
    let mut b = [0u8; 16];
    b.copy_from_slice(&bytes[16 * i..16 * i + 16]);
    Block::from_bytes(b)
}

fn output_digest() -> blake3::Hasher {
    blake3::Hasher::new_derive_key("duet-ag output v1")
}

/// The garbler's online phase; returns the outputs.
pub(crate) async fn garbler(
    ch: &mut Channel,
    c: &Circuit,
    plan: &Plan,
    m: &Material,
    inputs: &[Option<Bits>],
    #[cfg(test)] cheat: Cheat,
) -> Result<Vec<Bits>, AgError> {
    let me = Party::Garbler;
    let delta = m.delta;
    let gw = owned_wires(c, inputs, true);
    let ew = owned_wires(c, inputs, false);
    let x = my_bits(inputs);
    let mut prg = Prg::from_os_rng();
    let mut l0 = vec![Label::ZERO; plan.num_wires];
    // step 1: mask halves with MACs
    let mine = pack(ew.iter().map(|&w| m.wire[w as usize].bit()));
    let mut theirs = vec![0u8; gw.len().div_ceil(8)];
    exchange(ch, me, &mine, &mut theirs).await?;
    let mut log = OpenLog::new();
    for &w in &ew {
        log.log_mine(m.wire[w as usize].mac());
    }
    for (i, &w) in gw.iter().enumerate() {
        log.log_expect(m.wire[w as usize].key(), get(&theirs, i), delta);
    }
    log.check(ch, me, Check::InputMacs).await?;
    for l in &mut l0[..plan.num_input_bits] {
        *l = Label(prg.next_block());
    }
    let mut msg = pack(
        gw.iter()
            .enumerate()
            .map(|(i, &w)| x[i] ^ m.wire[w as usize].bit() ^ get(&theirs, i)),
    );
    let zg = msg.clone();
    for (i, &w) in gw.iter().enumerate() {
        let l = l0[w as usize].block() ^ (delta & Block::mask(get(&zg, i)));
        msg.extend_from_slice(&l.to_bytes());
    }
    let mut ze = vec![0u8; ew.len().div_ceil(8)];
    exchange(ch, me, &msg, &mut ze).await?;
    let mut buf = Vec::with_capacity(CHUNK + GATE_BYTES + 16 * ew.len());
    for (i, &w) in ew.iter().enumerate() {
        #[allow(unused_mut)]
        let mut l = l0[w as usize].block() ^ (delta & Block::mask(get(&ze, i)));
        #[cfg(test)]
        if cheat == Cheat::InputLabel && i == 0 {
            l ^= Block(1 << 9);
        }
        buf.extend_from_slice(&l.to_bytes());
    }
    // step 2: the tables
    let mut gate = 0u64;
    for op in &plan.ops {
        match *op {
            Op::Xor(a, b, o) => l0[o as usize] = l0[a as usize] ^ l0[b as usize],
            Op::Inv(a, o) | Op::Copy(a, o) => l0[o as usize] = l0[a as usize],
            Op::Const(v, o) => {
                l0[o as usize] = Label(prg.next_block());
                let l = l0[o as usize].block() ^ (delta & Block::mask(v));
                buf.extend_from_slice(&l.to_bytes());
            }
            Op::And(a, b, o) => {
                let lg = Label(prg.next_block());
                l0[o as usize] = lg;
                #[allow(unused_mut)]
                let mut sigma = m.sigma[gate as usize];
                #[cfg(test)]
                if cheat == Cheat::OtherCircuit && gate == 0 {
                    // garble an OR gate in the AND's place: σ' = λ_α λ_β ⊕ λ_α ⊕ λ_β
                    sigma ^= m.wire[a as usize] ^ m.wire[b as usize];
                }
                let sh = [
                    &m.wire[a as usize],
                    &m.wire[b as usize],
                    &m.wire[o as usize],
                    &sigma,
                ];
                garble_and(
                    gate,
                    l0[a as usize],
                    l0[b as usize],
                    lg,
                    delta,
                    sh,
                    &mut buf,
                );
                #[cfg(test)]
                if gate == 0 {
                    let last = buf.len() - 1;
                    match cheat {
                        Cheat::TableBit => buf[last] ^= 0x0f,
                        Cheat::TableRow0 => buf[last] ^= 0x01,
                        _ => {}
                    }
                }
                gate += 1;
            }
        }
        if buf.len() >= CHUNK {
            ch.send(&buf).await?;
            buf.clear();
        }
    }
    wire::send(ch, &buf).await?;
    // step 3: outputs
    let ow = output_wires(c);
    let n = ow.len().div_ceil(8);
    let msg = wire::recv(ch, 2 * n + 32).await?;
    let mut h = output_digest();
    for (i, &w) in ow.iter().enumerate() {
        let (z, s) = (get(&msg[..n], i), get(&msg[n..2 * n], i));
        let mac = m.wire[w as usize].key().block() ^ (delta & Block::mask(s));
        let l = l0[w as usize].block() ^ (delta & Block::mask(z));
        h.update(&mac.to_bytes());
        h.update(&l.to_bytes());
    }
    if !bool::from(h.finalize().as_bytes().ct_eq(&msg[2 * n..])) {
        return Err(AgError::cheat(Check::Output));
    }
    let mut reply = pack(ow.iter().map(|&w| m.wire[w as usize].bit()));
    let mut hm = output_digest();
    for &w in &ow {
        hm.update(&m.wire[w as usize].mac().block().to_bytes());
    }
    reply.extend_from_slice(hm.finalize().as_bytes());
    wire::send(ch, &reply).await?;
    let z: Vec<bool> = ow
        .iter()
        .enumerate()
        .map(|(i, &w)| get(&msg[..n], i) ^ get(&msg[n..2 * n], i) ^ m.wire[w as usize].bit())
        .collect();
    l0.zeroize();
    Ok(to_outputs(c, &z))
}

/// The evaluator's online phase; returns the outputs.
pub(crate) async fn evaluator(
    ch: &mut Channel,
    c: &Circuit,
    plan: &Plan,
    m: &Material,
    inputs: &[Option<Bits>],
    #[cfg(test)] cheat: Cheat,
) -> Result<Vec<Bits>, AgError> {
    let me = Party::Evaluator;
    let delta = m.delta;
    let ew = owned_wires(c, inputs, true);
    let gw = owned_wires(c, inputs, false);
    let y = my_bits(inputs);
    let mut zhat = vec![false; plan.num_wires];
    let mut lab = vec![Label::ZERO; plan.num_wires];
    // step 1
    let mine = pack(gw.iter().map(|&w| m.wire[w as usize].bit()));
    let mut theirs = vec![0u8; ew.len().div_ceil(8)];
    exchange(ch, me, &mine, &mut theirs).await?;
    let mut log = OpenLog::new();
    for &w in &gw {
        log.log_mine(m.wire[w as usize].mac());
    }
    for (i, &w) in ew.iter().enumerate() {
        log.log_expect(m.wire[w as usize].key(), get(&theirs, i), delta);
    }
    log.check(ch, me, Check::InputMacs).await?;
    let ze = pack(
        ew.iter()
            .enumerate()
            .map(|(i, &w)| y[i] ^ m.wire[w as usize].bit() ^ get(&theirs, i)),
    );
    let ng = gw.len().div_ceil(8);
    let mut msg = vec![0u8; ng + 16 * gw.len()];
    exchange(ch, me, &ze, &mut msg).await?;
    for (i, &w) in gw.iter().enumerate() {
        zhat[w as usize] = get(&msg[..ng], i);
        lab[w as usize] = Label(block_at(&msg[ng..], i));
    }
    let le = wire::recv(ch, 16 * ew.len()).await?;
    for (i, &w) in ew.iter().enumerate() {
        zhat[w as usize] = get(&ze, i);
        lab[w as usize] = Label(block_at(&le, i));
    }
    // step 2: tables, read in chunks of whole items
    let total = plan.num_and * GATE_BYTES + plan.num_const * 16;
    let mut buf = vec![0u8; total.min(CHUNK + GATE_BYTES)];
    let (mut pos, mut end, mut read) = (0usize, 0usize, 0usize);
    let mut gate = 0u64;
    let mut first_bad: Option<u64> = None;
    for op in &plan.ops {
        let need = match op {
            Op::And(..) => GATE_BYTES,
            Op::Const(..) => 16,
            _ => 0,
        };
        if need > 0 && end - pos < need {
            buf.copy_within(pos..end, 0);
            end -= pos;
            pos = 0;
            let n = (buf.len() - end).min(total - read);
            ch.recv_exact(&mut buf[end..end + n]).await?;
            end += n;
            read += n;
        }
        match *op {
            Op::Xor(a, b, o) => {
                zhat[o as usize] = zhat[a as usize] ^ zhat[b as usize];
                lab[o as usize] = lab[a as usize] ^ lab[b as usize];
            }
            Op::Inv(a, o) | Op::Copy(a, o) => {
                zhat[o as usize] = zhat[a as usize];
                lab[o as usize] = lab[a as usize];
            }
            Op::Const(v, o) => {
                zhat[o as usize] = v;
                lab[o as usize] = Label(block_at(&buf[pos..pos + 16], 0));
                pos += 16;
            }
            Op::And(a, b, o) => {
                let sh = [
                    &m.wire[a as usize],
                    &m.wire[b as usize],
                    &m.wire[o as usize],
                    &m.sigma[gate as usize],
                ];
                let (z, l, ok) = eval_and(
                    gate,
                    zhat[a as usize],
                    lab[a as usize],
                    zhat[b as usize],
                    lab[b as usize],
                    delta,
                    sh,
                    &buf[pos..pos + GATE_BYTES],
                );
                pos += GATE_BYTES;
                if !ok && first_bad.is_none() {
                    first_bad = Some(gate);
                }
                zhat[o as usize] = z;
                lab[o as usize] = l;
                gate += 1;
            }
        }
    }
    if let Some(g) = first_bad {
        return Err(AgError::Cheat {
            check: Check::GarbledRow,
            detail: format!(" at AND gate {g}"),
        });
    }
    // step 3
    let ow = output_wires(c);
    let n = ow.len().div_ceil(8);
    #[allow(unused_mut)]
    let mut msg = pack(ow.iter().map(|&w| zhat[w as usize]));
    #[cfg(test)]
    if cheat == Cheat::OutputValue {
        msg[0] ^= 1;
    }
    msg.extend(pack(ow.iter().map(|&w| m.wire[w as usize].bit())));
    let mut h = output_digest();
    for &w in &ow {
        h.update(&m.wire[w as usize].mac().block().to_bytes());
        h.update(&lab[w as usize].block().to_bytes());
    }
    #[allow(unused_mut)]
    let mut d = *h.finalize().as_bytes();
    #[cfg(test)]
    if cheat == Cheat::OutputMac {
        d[0] ^= 1;
    }
    msg.extend_from_slice(&d);
    wire::send(ch, &msg).await?;
    let reply = wire::recv(ch, n + 32).await?;
    let mut e = output_digest();
    for (i, &w) in ow.iter().enumerate() {
        let k: Key = m.wire[w as usize].key();
        let mac = Mac(k.block() ^ (delta & Block::mask(get(&reply, i))));
        e.update(&mac.block().to_bytes());
    }
    if !bool::from(e.finalize().as_bytes().ct_eq(&reply[n..])) {
        return Err(AgError::cheat(Check::Output));
    }
    let z: Vec<bool> = ow
        .iter()
        .enumerate()
        .map(|(i, &w)| zhat[w as usize] ^ m.wire[w as usize].bit() ^ get(&reply, i))
        .collect();
    lab.zeroize();
    Ok(to_outputs(c, &z))
}
