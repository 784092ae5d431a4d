//! Sans-IO cores of IKNP OT extension (Ishai–Kilian–Nissim–Petrank, CRYPTO 2003, §3) with the
//! ALSZ13 optimisations (Asharov–Lindell–Schneider–Zohner, eprint 2013/552): base-OT seeds are
//! expanded with a PRG (§4.1: no `n`-bit base OTs), and only the receiver's correction
//! `u^j = G(k0_j) ⊕ G(k1_j) ⊕ r` is sent (16 bytes per OT for κ = 128).
//!
//! Roles are those of the extension: the **receiver** (holder of the choice bits `r`) played
//! base-OT *sender* with seed pairs `(k0_j, k1_j)`, j < 128; the **sender** played base-OT
//! *receiver* with the bits of Δ as choices and holds `k_{Δ_j, j}`.
//!
//! - Receiver: column `t^j = G(k0_j)`, sends `u^j = t^j ⊕ G(k1_j) ⊕ r`; row `i` of the
//!   transposed matrix is `t_i`.
//! - Sender: column `q^j = G(k_{Δ_j}) ⊕ Δ_j·u^j = t^j ⊕ Δ_j·r`; row `i` is
//!   `q_i = t_i ⊕ r_i·Δ`.
//!
//! So the sender's COT output is `k_i = q_i` and the receiver's `m_i = t_i = k_i ⊕ r_i·Δ`.
//!
//! Layout: a batch of `n` OTs (`n` a multiple of 128) has its choice bits packed in `n / 128`
//! blocks (OT `i` is bit `i % 128` of block `i / 128`), and `u` is row-major: column `j` is
//! `u[j·n/128 .. (j+1)·n/128]`. Internally the matrix is built and transposed in strips of
//! [`STRIP`] OTs (64 KiB), so it stays in cache and is never held for the whole batch; each
//! strip is stored as groups of four 128 × 128 tiles, the layout the transpose reads.

use crate::OtError;
use crate::aesctr::{CtrPrg, Strip, receiver_row, sender_row};
use duet_core::transpose::{Tiles4, transpose_tiles};
use duet_core::{Block, Delta};
use zeroize::Zeroize;

/// Computational security parameter κ: the number of base OTs and matrix columns.
pub const KAPPA: usize = 128;
/// OTs per internal strip (the transposed sub-matrix: 128 × STRIP bits = 64 KiB).
pub const STRIP: usize = 4096;
const STRIP_BLOCKS: usize = STRIP / 128;

fn check_n(n: usize, what: &'static str, len: usize, want: usize) {
    assert!(
        n.is_multiple_of(128),
        "IKNP batch size {n} is not a multiple of 128"
    );
    assert_eq!(len, want, "IKNP: {what} has the wrong length");
}

/// Transpose the matrix strip (`w` blocks per row, in [`Strip`]s of four) into the rows
/// `out` (`128·w` blocks).
fn transpose_strip(matrix: &[Strip], w: usize, out: &mut [Block]) {
    for (g, (strip, out)) in matrix.iter().zip(out.chunks_mut(512)).enumerate() {
        let tiles: &Tiles4 = bytemuck::cast_ref(strip);
        transpose_tiles(tiles, (w - 4 * g).min(4), Block::slice_as_bytes_mut(out));
    }
}

fn new_matrix() -> Vec<Strip> {
    vec![[[Block::ZERO; 4]; KAPPA]; STRIP_BLOCKS / 4]
}

/// The extension receiver's state: 128 pairs of PRGs seeded by its base-OT messages.
pub struct ReceiverCore {
    prgs: Vec<[CtrPrg; 2]>,
    matrix: Vec<Strip>,
    /// Test hook (KOS tests): flip bit `.1` of column `.0` of `u` in the next call (`.1`
    /// counts OTs across the call's chunks).
    #[cfg(test)]
    pub(crate) flip: Option<(usize, usize)>,
}

impl ReceiverCore {
    /// The receiver from the 128 seed pairs it sent as base-OT sender.
    ///
    /// # Errors
    /// [`OtError::Length`] if there are not exactly [`KAPPA`] pairs.
    pub fn new(seeds: &[[Block; 2]]) -> Result<Self, OtError> {
        if seeds.len() != KAPPA {
            return Err(OtError::Length {
                what: "IKNP base seeds",
                expected: KAPPA as u64,
                actual: seeds.len() as u64,
            });
        }
        Ok(ReceiverCore {
            prgs: seeds
                .iter()
                .map(|s| [CtrPrg::new(s[0]), CtrPrg::new(s[1])])
                .collect(),
            matrix: new_matrix(),
            #[cfg(test)]
            flip: None,
        })
    }

    /// Extend `n = out.len()` OTs with packed choice bits `r` (`n / 128` blocks): writes the
    /// correction `u` (`n` blocks, row-major, to be sent) and the outputs `t_i` into `out`.
    ///
    /// # Panics
    /// If `n` is not a multiple of 128 or `r`/`u` have the wrong length (caller bugs).
    pub fn extend(&mut self, r: &[Block], u: &mut [Block], out: &mut [Block]) {
        let n = out.len();
        let nb = n / 128;
        check_n(n, "u", u.len(), n);
        check_n(n, "r", r.len(), nb);
        let mut b0 = 0;
        while b0 < nb {
            let w = STRIP_BLOCKS.min(nb - b0);
            for (j, [g0, g1]) in self.prgs.iter_mut().enumerate() {
                let uj = &mut u[j * nb + b0..j * nb + b0 + w];
                receiver_row(g0, g1, j, &r[b0..b0 + w], uj, &mut self.matrix);
            }
            transpose_strip(&self.matrix, w, &mut out[b0 * 128..(b0 + w) * 128]);
            b0 += w;
        }
        // OT `i` counts from the start of the call: later chunks shift it down
        #[cfg(test)]
        if let Some((j, i)) = self.flip {
            if i < n {
                u[j * nb + i / 128] ^= Block(1u128 << (i % 128));
                self.flip = None;
            } else {
                self.flip = Some((j, i - n));
            }
        }
    }
}

/// The extension sender's state: Δ and the 128 PRGs seeded by `k_{Δ_j, j}`.
pub struct SenderCore {
    masks: Vec<Block>,
    prgs: Vec<CtrPrg>,
    matrix: Vec<Strip>,
}

impl SenderCore {
    /// The sender from Δ (its base-OT choice bits, bit `j` for OT `j`) and the 128 seeds it
    /// received.
    ///
    /// # Errors
    /// [`OtError::Length`] if there are not exactly [`KAPPA`] seeds.
    pub fn new(delta: &Delta, seeds: &[Block]) -> Result<Self, OtError> {
        if seeds.len() != KAPPA {
            return Err(OtError::Length {
                what: "IKNP base seeds",
                expected: KAPPA as u64,
                actual: seeds.len() as u64,
            });
        }
        let d = delta.as_block();
        Ok(SenderCore {
            masks: (0..KAPPA).map(|j| Block::mask(d.bit(j))).collect(),
            prgs: seeds.iter().map(|s| CtrPrg::new(*s)).collect(),
            matrix: new_matrix(),
        })
    }

    /// Extend `n = out.len()` OTs from the receiver's correction `u` (`n` blocks, row-major):
    /// writes `k_i = q_i` into `out`.
    ///
    /// # Panics
    /// If `n` is not a multiple of 128 or `u.len() != n` (caller bugs).
    pub fn extend(&mut self, u: &[Block], out: &mut [Block]) {
        let n = out.len();
        let nb = n / 128;
        check_n(n, "u", u.len(), n);
        let mut b0 = 0;
        while b0 < nb {
            let w = STRIP_BLOCKS.min(nb - b0);
            for (j, g) in self.prgs.iter_mut().enumerate() {
                let uj = &u[j * nb + b0..j * nb + b0 + w];
                sender_row(g, j, uj, self.masks[j], &mut self.matrix);
            }
            transpose_strip(&self.matrix, w, &mut out[b0 * 128..(b0 + w) * 128]);
            b0 += w;
        }
    }
}

impl Drop for SenderCore {
    fn drop(&mut self) {
        // The masks are Δ's bits; the matrix holds the last strip's rows `q_i = k_i`.
        Block::slice_as_bytes_mut(&mut self.masks).zeroize();
        wipe(&mut self.matrix);
    }
}

impl Drop for ReceiverCore {
    fn drop(&mut self) {
        // the last strip's rows: the receiver's outputs `t_i`
        wipe(&mut self.matrix);
    }
}

/// Zero a strip matrix (64 KiB) when its owner goes away.
fn wipe(matrix: &mut [Strip]) {
    bytemuck::cast_slice_mut::<Strip, u8>(matrix).zeroize();
}

/// Pack `choices` into bits `0..choices.len()` of `r` (other bits untouched).
///
/// # Panics
/// If `r` has fewer than `choices.len()` bits.
pub fn pack_bits(choices: &[bool], r: &mut [Block]) {
    let bytes = Block::slice_as_bytes_mut(r);
    let mut chunks = choices.chunks_exact(8);
    for (byte, c) in bytes.iter_mut().zip(&mut chunks) {
        let mut v = 0u8;
        for (k, &b) in c.iter().enumerate() {
            v |= (b as u8) << k;
        }
        *byte = v;
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let byte = &mut bytes[choices.len() / 8];
        for (k, &b) in rest.iter().enumerate() {
            *byte = (*byte & !(1 << k)) | ((b as u8) << k);
        }
    }
}

/// The first `n` bits of `r` as booleans.
///
/// # Panics
/// If `r` has fewer than `n` bits.
pub fn unpack_bits(r: &[Block], n: usize) -> Vec<bool> {
    let bytes = &Block::slice_as_bytes(r)[..n.div_ceil(8)];
    let mut out = Vec::with_capacity(n);
    for &b in bytes {
        for k in 0..8 {
            out.push((b >> k) & 1 == 1);
        }
    }
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cores(delta: &Delta) -> (SenderCore, ReceiverCore) {
        let mut rng = rand::rng();
        let seeds: Vec<[Block; 2]> = (0..KAPPA)
            .map(|_| [Block::random(&mut rng), Block::random(&mut rng)])
            .collect();
        let d = delta.as_block();
        let chosen: Vec<Block> = (0..KAPPA).map(|j| seeds[j][d.bit(j) as usize]).collect();
        (
            SenderCore::new(delta, &chosen).unwrap(),
            ReceiverCore::new(&seeds).unwrap(),
        )
    }

    #[test]
    fn correlation_holds_across_batches() {
        let mut rng = rand::rng();
        let delta = Delta::from_block_any(Block::random(&mut rng));
        let (mut s, mut r) = cores(&delta);
        for n in [128usize, 128 * 3, STRIP + 256, 2 * STRIP] {
            let choices: Vec<Block> = (0..n / 128).map(|_| Block::random(&mut rng)).collect();
            let mut u = vec![Block::ZERO; n];
            let mut m = vec![Block::ZERO; n];
            r.extend(&choices, &mut u, &mut m);
            let mut k = vec![Block::ZERO; n];
            s.extend(&u, &mut k);
            let bits = unpack_bits(&choices, n);
            for i in 0..n {
                assert_eq!(m[i], k[i] ^ delta.select(bits[i]), "OT {i} of {n}");
            }
        }
    }

    #[test]
    fn pack_unpack_roundtrip() {
        let c: Vec<bool> = (0..203).map(|i| (i * 13) % 7 < 3).collect();
        let mut r = vec![Block::ONES; 2];
        pack_bits(&c, &mut r);
        assert_eq!(unpack_bits(&r, 203), c);
        // Bits beyond the choices are untouched.
        assert!(r[1].bit(203 - 128) && r[1].bit(127));
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    fn cpu_ns() -> u64 {
        // wall clock of one thread: run on an otherwise idle core
        static T0: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
        T0.get_or_init(std::time::Instant::now).elapsed().as_nanos() as u64
    }

    /// Time of each core per OT (one thread), chunks of 2^16:
    /// `cargo test --release -p duet-ot iknp::timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn ns_per_ot() {
        let mut rng = rand::rng();
        let delta = Delta::from_block_any(Block::random(&mut rng));
        let seeds: Vec<[Block; 2]> = (0..KAPPA)
            .map(|_| [Block::random(&mut rng), Block::random(&mut rng)])
            .collect();
        let d = delta.as_block();
        let chosen: Vec<Block> = (0..KAPPA).map(|j| seeds[j][d.bit(j) as usize]).collect();
        let mut s = SenderCore::new(&delta, &chosen).unwrap();
        let mut r = ReceiverCore::new(&seeds).unwrap();
        let n = 1 << 16;
        let choices: Vec<Block> = (0..n / 128).map(|_| Block::random(&mut rng)).collect();
        let mut u = vec![Block::ZERO; n];
        let mut m = vec![Block::ZERO; n];
        let mut k = vec![Block::ZERO; n];
        let mut prgs: Vec<CtrPrg> = (0..KAPPA).map(|j| CtrPrg::new(Block(j as u128))).collect();
        let matrix = new_matrix();
        for _ in 0..3 {
            let reps = 256;
            let t = cpu_ns();
            for _ in 0..reps {
                r.extend(&choices, &mut u, &mut m);
            }
            let rt = (cpu_ns() - t) as f64 / (reps * n) as f64;
            let t = cpu_ns();
            for _ in 0..reps {
                s.extend(&u, &mut k);
            }
            let st = (cpu_ns() - t) as f64 / (reps * n) as f64;
            let t = cpu_ns();
            for _ in 0..reps {
                for b0 in (0..n / 128).step_by(STRIP_BLOCKS) {
                    transpose_strip(
                        &matrix,
                        STRIP_BLOCKS,
                        &mut k[b0 * 128..(b0 + STRIP_BLOCKS) * 128],
                    );
                }
            }
            let tt = (cpu_ns() - t) as f64 / (reps * n) as f64;
            let t = cpu_ns();
            for _ in 0..reps {
                for b0 in (0..n / 128).step_by(STRIP_BLOCKS) {
                    for (j, g) in prgs.iter_mut().enumerate() {
                        g.fill(
                            &mut k[b0 * 128 + j * STRIP_BLOCKS..b0 * 128 + (j + 1) * STRIP_BLOCKS],
                        );
                    }
                }
            }
            let at = (cpu_ns() - t) as f64 / (reps * n) as f64;
            println!(
                "receiver {rt:.2} ns/OT, sender {st:.2} ns/OT, transpose {tt:.2}, one PRG {at:.2}"
            );
        }
        r.extend(&choices, &mut u, &mut m);
        s.extend(&u, &mut k);
        assert_eq!(m[5], k[5] ^ delta.select(choices[0].bit(5)));
    }
}
