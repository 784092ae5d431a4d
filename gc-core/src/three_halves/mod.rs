//! Three-halves garbling of AND gates (Rosulek–Roy, "Three Halves Make a Whole? Beating the
//! Half-Gates Lower Bound for Garbled Circuits", CRYPTO 2021, eprint 2021/749; "RR21"
//! below) as sans-IO batch kernels: a [`GarbleQueue`] and an [`EvalQueue`] of up to
//! [`BATCH`] independent AND gates, like the half-gates queues of [`crate::half_gates`];
//! [`ThreeHalves`] is the [`Scheme`] the executor runs them as.
//!
//! XOR gates stay free (free-XOR: `L1 = L0 ⊕ Δ`, `lsb(Δ) = 1`, the lsb of a label is its
//! point-and-permute colour). An AND gate costs [`GATE_BYTES`] = 24 bytes (three κ/2 = 64-bit
//! halves) plus 5 control bits, packed per batch into [`trailer_bytes`]`(n)` bytes: 24.625
//! bytes per AND at `n = 64` (the paper's 1.5κ + 5 bits), 25 bytes at `n = 1`.
//!
//! # The scheme (RR21 §4–§5; the AND-gate Garble/Eval figure of §5)
//!
//! Where to check this against the paper: the construction is RR21 §5 ("our construction",
//! with the Gb/Ev procedures of the AND gate in the figure of that section, Fig. 6 of the
//! eprint version as far as we could tell — the PDF was not available to the author of this
//! module, so the numbering came from secondary sources and should be checked), built on the
//! linear-algebra view of §4 (matrices `V`, `M`, the cokernel `K`, the control matrix `R`).
//! The equations below were re-derived and are checked mechanically by the tests (`KV = 0`,
//! `KM = 0`, `V⁻¹V = I`, and the correctness condition `K·R = K·[0 0 T]` for every gate
//! position and random choice).
//!
//! **Slicing.** Every label `X` is read as two halves: `X_L` = its low 64 bits (which hold
//! the colour bit) and `X_R` = its high 64 bits. The hash `H(X, τ)` is cut the same way: its
//! low 64 bits `H_L` are the "half hash" and its top bit (bit 127) `h` is the one-bit hash
//! that encrypts control bits. Per gate the evaluator, holding labels `A`, `B` of colours
//! `i = lsb(A)`, `j = lsb(B)`, hashes three values with three tweaks: `A`, `B` and `A ⊕ B`.
//! It computes the two output halves as
//!
//! ```text
//!   C_L = H_L(A) ⊕ H_L(A⊕B) ⊕ i·G0 ⊕ (i⊕j)·G2 ⊕ R_ij,L · (A_L, A_R, B_L, B_R)
//!   C_R = H_L(B) ⊕ H_L(A⊕B) ⊕ j·G1 ⊕ (i⊕j)·G2 ⊕ R_ij,R · (A_L, A_R, B_L, B_R)
//! ```
//!
//! (the rows `(i, j)` of RR21's `M` and `V`): `G0, G1, G2` are the three 64-bit ciphertexts
//! sent per gate, and `R_ij` is a 2×4 bit matrix ("the control matrix" of the evaluator's
//! position) telling which halves of its own input labels to add in. Only three half-hash
//! values and linear terms appear, yet all four positions must decode to `C0 ⊕ (a∧b)·Δ` —
//! that is what beats the 2κ linear-garbling bound: the linear terms in label halves let the
//! four equations be solved with 5 unknown halves (`C0_L, C0_R, G0, G1, G2`) where whole
//! labels would need 6.
//!
//! **Dicing (control bits).** The needed `R` depends on the secret permute bits, so the
//! garbler randomises it (RR21 §4, "randomize and hide the evaluator's coefficients"):
//! `R_ij = R_p,ij ⊕ c1·S1 ⊕ c2·S2` with public `R_p` (the odd-parity / AND part) and basis
//! `S1 = [1 1 1 0; 1 0 0 1]`, `S2 = [1 0 0 1; 0 1 1 1]` (rows L, R; columns
//! `A_L A_R B_L B_R`), and the position's two bits
//! `(c1, c2) = α·R̄_a[ij] ⊕ β·R̄_b[ij] ⊕ (r1, r2)` where `(α, β)` is the colour position of
//! the true-true row (`α = lsb(A0 ⊕ Δ)`), `R̄_a = (00, 11, 01, 10)`, `R̄_b = (00, 10, 11, 01)`
//! over `ij = 00, 01, 10, 11`, and `(r1, r2)` two fresh random bits per gate (from the
//! garbler's [`Prg`]): each single `(c1, c2)` is uniform whatever `(α, β)`. The 4×2 = 8 bits
//! `c` of the four positions lie in the column space of `V`, so they are garbled like the
//! labels with the one-bit hashes: 5 control bits
//!
//! ```text
//!   z0 = r1 ⊕ h(Ā) ⊕ h(Ā⊕B̄)       z2 = α ⊕ h(Ā) ⊕ h(Ā⊕Δ)       z4 = α⊕β ⊕ h(Ā⊕B̄) ⊕ h(Ā⊕B̄⊕Δ)
//!   z1 = r2 ⊕ h(B̄) ⊕ h(Ā⊕B̄)       z3 = β ⊕ h(B̄) ⊕ h(B̄⊕Δ)
//! ```
//!
//! (`Ā`, `B̄` the colour-0 labels) from which the evaluator recovers
//! `c1 = h(A) ⊕ h(A⊕B) ⊕ z0 ⊕ i·z2 ⊕ (i⊕j)·z4`, `c2 = h(B) ⊕ h(A⊕B) ⊕ z1 ⊕ j·z3 ⊕ (i⊕j)·z4`.
//!
//! **Garbling** solves `V·[C0; G] = M·H ⊕ (R ⊕ [0 0 T])·[Ā; B̄; Δ]` (8 half-equations, 5
//! unknowns, consistent because `K` annihilates the right-hand side) with the left inverse
//! `V⁻¹` of RR21: `C0 = row 00`, `G0 = rows 00 ⊕ 10`, `G1 = rows 00 ⊕ 01`, `G2 = 10_L ⊕ 11_L`.
//! Written out (`Ā`, `B̄`, `Δ` in halves, `m_x` = all-ones when bit `x` is 1) it is
//! `G0 = H(Ā) ⊕ H(Ā⊕Δ) ⊕ …`, `G1 = H(B̄) ⊕ H(B̄⊕Δ) ⊕ …`, `G2 = H(Ā⊕B̄) ⊕ H(Ā⊕B̄⊕Δ) ⊕ …`,
//! `C0_L = H(Ā) ⊕ H(Ā⊕B̄) ⊕ …`, `C0_R = H(B̄) ⊕ H(Ā⊕B̄) ⊕ …` with the linear terms written
//! out in `garble_gate` (their Δ part comes from a 16-entry table per Δ, indexed by
//! `(α, β, r1, r2)`); the reference implementation in the tests computes everything from
//! the matrices directly and is checked equal to the kernel byte for byte.
//!
//! **Sent per gate:** `G0 ‖ G1 ‖ G2` (each 8 bytes little-endian) = [`GATE_BYTES`]; after
//! the `n` gates of a batch, the batch's control bits: gate `k`'s `z0..z4` are bits
//! `5k .. 5k+5` of a little-endian bit string of `⌈5n/8⌉` bytes (unused high bits zero).
//!
//! # Conditions on Δ and labels
//!
//! None beyond free-XOR's `lsb(Δ) = 1`: any 0-labels work (the garbler derives the colour-0
//! labels itself), so COT-derived input labels are fine. Δ is used as a whole 128-bit value
//! whose two halves `Δ_L`, `Δ_R` appear separately in linear terms; a uniformly random Δ (127
//! free bits) is what the security argument assumes.
//!
//! # Hash and security assumption
//!
//! `H(x, τ) = π(π(x) ⊕ τ) ⊕ π(x)` with π = fixed-key AES (the MMO-style hash of GKWY20 that
//! [`crate::half_gates`] uses for half-gates; 2 AES calls per hash). Tweaks: gate `g`, hash
//! `j ∈ {0: A, 1: B, 2: A⊕B}` uses `τ = salt ⊕ (2¹²⁷ | 4g + j)` (as a 128-bit integer, `g`
//! the global AND-gate number, `salt` the public per-run salt): bit 127 is set, which no
//! half-gates tweak `salt ⊕ (2g + side)` (a 64-bit value) has, so the two schemes' tweaks
//! never collide within a run, and each hash input of a gate gets its own tweak.
//!
//! RR21's security proof does **not** rest on plain TCCR: the garbled gate XORs hash outputs with
//! *linear combinations of the halves of Δ* chosen by the hidden random control matrix, so
//! they define and assume a stronger notion, a *randomized* tweakable circular correlation
//! robust hash (RTCCR; roughly: the oracle's `H(X ⊕ Δ, τ)` comes masked by a secret random
//! linear function of `Δ_L, Δ_R`), shown to hold for a random oracle. (Section number and
//! exact statement to be checked against the PDF, see above.) GKWY20 prove the hash
//! above TCCR in the random-permutation model; that it is also RTCCR is **an assumption of
//! this module**, not a proven statement (the same permutation-model argument is expected to
//! carry over, but nobody here checked it). Per batch the cost is 12 AES calls per AND for
//! the garbler (6 hashes) and 6 for the evaluator (3 hashes), against 8 / 4 for half-gates.
//!
//! # Speed
//!
//! Where the CPU has VAES (checked at run time), the fused kernels of `vaes.rs` run a batch
//! in groups of 4 (garbler) or 8 (evaluator) gates: the group's hash inputs stay in
//! registers through both AES passes (on 512-bit registers where AVX-512 is present), and
//! the algebra runs struct-of-arrays over 4 gates with lane masks, the Δ terms included.
//! Otherwise the portable kernels here make two `PI.permute` calls over `6n` (garbler) or
//! `3n` (evaluator) blocks and run the algebra per gate in branch-free 64-bit code (the Δ
//! terms from a 16-entry table). A test checks every fused instance the CPU has against
//! the portable kernels. Neither allocates besides the caller's `tables`. The figures
//! against half-gates are in the README's performance section
//! (`gc-run speed garble|evaluate --scheme three-halves`).
//!
//! # Secrets
//!
//! The garbler's queue holds 0-labels, output 0-labels, hash inputs `X ⊕ Δ` and hashes of
//! them, and a [`Prg`] for `(r1, r2)`: the arrays are zeroized on drop (the fused kernels
//! keep their hash values in registers and locals, as the half-gates kernels do) and the [`Prg`]
//! zeroizes its seed (its AES round keys are `duet_core`'s and are not).

use crate::pi::PI;
use crate::scheme::{self, Scheme, SchemeKind, Tweak};
use duet_core::{Block, Prg};
use zeroize::Zeroize;

#[cfg(test)]
mod tests;
mod vaes;

/// Table bytes of one AND gate that the evaluator reads when it queues the gate (the 1.5κ
/// part): `G0 ‖ G1 ‖ G2`, three 64-bit halves, little-endian.
pub const GATE_BYTES: usize = 24;

/// Control bits per AND gate.
pub const CONTROL_BITS: usize = 5;

/// Bytes appended after a batch of `n` gates (the batch's control bits, packed):
/// `⌈5n / 8⌉`.
pub const fn trailer_bytes(n: usize) -> usize {
    (CONTROL_BITS * n).div_ceil(8)
}

/// Largest batch the queues take (same as half-gates: 64).
pub const BATCH: usize = 64;

/// Bytes of the control bits of a full batch.
const TRAILER_MAX: usize = trailer_bytes(BATCH);

/// Words of an unpacked trailer ([`unpack_trailer`]; one spare word of zeros).
const ACC_WORDS: usize = TRAILER_MAX.div_ceil(8) + 1;

/// The tweak of hash `j` (0: `A`, 1: `B`, 2: `A ⊕ B`) of AND gate `gate`: bit 127 set
/// (never in a half-gates tweak), then `4·gate + j` without wrapping.
#[inline(always)]
fn tweak(salt: Block, gate: u64, j: u64) -> Block {
    salt ^ Block((1u128 << 127) | ((gate as u128) << 2) | j as u128)
}

/// The low (`L`, colour-bearing) half of a block.
#[inline(always)]
fn lo(x: Block) -> u64 {
    x.0 as u64
}

/// The high (`R`) half of a block.
#[inline(always)]
fn hi(x: Block) -> u64 {
    (x.0 >> 64) as u64
}

/// The one-bit hash: bit 127 of the hash output.
#[inline(always)]
fn hbit(h: Block) -> u64 {
    (h.0 >> 127) as u64
}

/// All-ones if the low bit of `x` is 1, else 0.
#[inline(always)]
fn m(x: u64) -> u64 {
    (x & 1).wrapping_neg()
}

/// The two TCCR passes over the `W` hash inputs of each gate, placed in `p` by the caller
/// (gate `g` of the slice is AND gate `first_gate + g`; input `w` of a gate uses tweak
/// `js[w]`): `p ← π(p)`, `x ← π(p ⊕ τ)`, each one [`PI`] call over the whole batch. The hash
/// of input `k` is then `x[k] ⊕ p[k]` (left for the consumer, saving a pass).
#[inline(always)]
fn hash_gates<const W: usize>(
    x: &mut [Block],
    p: &mut [Block],
    salt: Block,
    first_gate: u64,
    js: [u64; W],
) {
    PI.permute(p);
    for (g, (xs, ps)) in x.chunks_exact_mut(W).zip(p.chunks_exact(W)).enumerate() {
        let gate = first_gate.wrapping_add(g as u64);
        // tweak(salt, gate, j) = tweak(salt, gate, 0) ⊕ j (the low two bits are j's)
        let t0 = tweak(salt, gate, 0);
        let tw = [t0, t0 ^ Block(1), t0 ^ Block(2)];
        for w in 0..W {
            xs[w] = ps[w] ^ tw[js[w] as usize];
        }
    }
    PI.permute(x);
}

/// One gate's garbling. `h = [H(Ā), H(Ā⊕Δ), H(B̄), H(B̄⊕Δ), H(Ā⊕B̄), H(Ā⊕B̄⊕Δ)]` (tweaks
/// `τ_A, τ_A, τ_B, τ_B, τ_X, τ_X`) with `ab = Ā`, `bb = B̄` the colour-0 input labels;
/// `alpha`, `beta` the colours of the 1-labels (the position of the true-true row); `r1`,
/// `r2` the gate's random bits (all four in bit 0). Returns `(C0, [G0, G1, G2], z)`: the
/// output 0-label, the three ciphertexts and the control bits (bit `m` = `z_m`).
///
/// The label terms are `V⁻¹(R ⊕ [0 0 T])·[Ā; B̄; Δ]` of RR21 with `R = R_p ⊕ α·R_a ⊕ β·R_b
/// ⊕ r1·R_$1 ⊕ r2·R_$2` expanded into coefficients (algebraic normal form in α, β, r1, r2;
/// the test `kernel_matches_reference` checks them against the matrices).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn garble_gate(
    h: &[Block],
    ab: Block,
    bb: Block,
    delta: Block,
    alpha: u64,
    beta: u64,
    r1: u64,
    r2: u64,
) -> (Block, [u64; 3], u64) {
    let (al, ar, bl, br) = (lo(ab), hi(ab), lo(bb), hi(bb));
    let (dl, dr) = (lo(delta), hi(delta));
    let (ma, mb, m1, m2) = (m(alpha), m(beta), m(r1), m(r2));
    let (hl0, hl1, hl2, hl3, hl4, hl5) =
        (lo(h[0]), lo(h[1]), lo(h[2]), lo(h[3]), lo(h[4]), lo(h[5]));
    // the colour-(0,0) row is true iff α = β = 0 (then it carries Δ)
    let t00 = !(ma | mb);
    let mab = ma ^ mb;
    let m12 = m1 ^ m2;
    let c_l = hl0 ^ hl4 ^ (al & m12) ^ (ar & m1) ^ (bl & !m1) ^ (br & m2) ^ (dl & t00);
    let c_r = hl2 ^ hl4 ^ (al & m1) ^ (ar & !m2) ^ (bl & m2) ^ (br & m12) ^ (dr & t00);
    let g0 = hl0
        ^ hl1
        ^ (al & mab)
        ^ (ar & ma)
        ^ (bl & !ma)
        ^ (br & mb)
        ^ (dl & !(m2 ^ ma))
        ^ (dr & (m12 ^ mab));
    let g1 = hl2
        ^ hl3
        ^ (al & ma)
        ^ (ar & !mb)
        ^ (bl & mb)
        ^ (br & mab)
        ^ (dl & (m12 ^ mab))
        ^ (dr & !(m1 ^ mb));
    let g2 = hl4
        ^ hl5
        ^ (al & mb)
        ^ (ar & mab)
        ^ (bl & mab)
        ^ (br & ma)
        ^ (dl & (m1 ^ mb))
        ^ (dr & (m2 ^ ma));
    let hb: [u64; 6] = core::array::from_fn(|k| hbit(h[k]));
    let z = (r1 ^ hb[0] ^ hb[4])
        | (r2 ^ hb[2] ^ hb[4]) << 1
        | (alpha ^ hb[0] ^ hb[1]) << 2
        | (beta ^ hb[2] ^ hb[3]) << 3
        | (alpha ^ beta ^ hb[4] ^ hb[5]) << 4;
    (Block::from_halves(c_r, c_l), [g0, g1, g2], z)
}

/// One gate's evaluation: `h = [H(A), H(B), H(A⊕B)]` (tweaks `τ_A, τ_B, τ_X`), active labels
/// `a`, `b`, ciphertexts `g`, control bits `z` (bit `m` = `z_m`). Returns the active output
/// label. RR21's rows `(i, j)` of `M`, `V` and the decoded `R_ij = R_p,ij ⊕ c1·S1 ⊕ c2·S2`.
#[inline(always)]
fn eval_gate(h: &[Block], a: Block, b: Block, g: &[u64], z: u64) -> Block {
    let (i, j) = (a.0 as u64 & 1, b.0 as u64 & 1);
    let (mi, mj) = (m(i), m(j));
    let mij = mi ^ mj;
    let (ha, hb, hx) = (h[0], h[1], h[2]);
    // the two control bits of this position
    let ij = i ^ j;
    let c1 = hbit(ha) ^ hbit(hx) ^ z ^ (i & (z >> 2)) ^ (ij & (z >> 4));
    let c2 = hbit(hb) ^ hbit(hx) ^ (z >> 1) ^ (j & (z >> 3)) ^ (ij & (z >> 4));
    let (m1, m2) = (m(c1), m(c2));
    let (al, ar, bl, br) = (lo(a), hi(a), lo(b), hi(b));
    // S1 = [A_L⊕A_R⊕B_L ; A_L⊕B_R], S2 = [A_L⊕B_R ; A_R⊕B_L⊕B_R], R_p = [¬i·B_L ; ¬j·A_R]
    let t = al ^ br;
    let c_l = lo(ha)
        ^ lo(hx)
        ^ (mi & g[0])
        ^ (mij & g[2])
        ^ (m1 & (al ^ ar ^ bl))
        ^ (m2 & t)
        ^ (!mi & bl);
    let c_r = lo(hb)
        ^ lo(hx)
        ^ (mj & g[1])
        ^ (mij & g[2])
        ^ (m1 & t)
        ^ (m2 & (ar ^ bl ^ br))
        ^ (!mj & ar);
    Block::from_halves(c_r, c_l)
}

/// Pack 5 control bits per gate (`zs[k]` at bit `5k`) into `out` (`trailer_bytes(n)`
/// bytes, little-endian bit order).
#[inline(always)]
fn pack_trailer(zs: &[u64], out: &mut [u8]) {
    let mut acc = [0u64; TRAILER_MAX.div_ceil(8)];
    for (k, &z) in zs.iter().enumerate() {
        let pos = CONTROL_BITS * k;
        let (w, s) = (pos / 64, pos % 64);
        acc[w] |= z << s;
        if s > 64 - CONTROL_BITS {
            acc[w + 1] |= z >> (64 - s);
        }
    }
    for (k, o) in out.iter_mut().enumerate() {
        *o = (acc[k / 8] >> (8 * (k % 8))) as u8;
    }
}

/// The inverse of [`pack_trailer`]: the control bits of gate `k` are `(acc >> 5k) & 31`.
#[inline(always)]
fn unpack_trailer(trailer: &[u8]) -> [u64; ACC_WORDS] {
    let mut acc = [0u64; ACC_WORDS];
    for (k, &t) in trailer.iter().enumerate() {
        acc[k / 8] |= (t as u64) << (8 * (k % 8));
    }
    acc
}

/// Gate `k`'s 5 control bits from an unpacked trailer.
#[inline(always)]
fn control_bits(acc: &[u64], k: usize) -> u64 {
    let pos = CONTROL_BITS * k;
    let (w, s) = (pos / 64, pos % 64);
    // `acc[w + 1] << (64 - s)` for s > 0 without the s = 0 shift overflow
    let v = (acc[w] >> s) | ((acc[w + 1] << 1) << (63 - s));
    v & ((1 << CONTROL_BITS) - 1)
}

/// Garbler side: up to [`BATCH`] queued AND gates (input 0-labels, output slots) and the
/// working memory of one batch, all fixed arrays (no allocation per gate or batch).
pub struct GarbleQueue {
    a0: [Block; BATCH],
    b0: [Block; BATCH],
    lab: [Block; BATCH],
    x: [Block; 6 * BATCH],
    p: [Block; 6 * BATCH],
    z: [u64; BATCH],
    /// the fused kernel's tables of the batch before they are appended to the byte stream
    gates: [u8; GATE_BYTES * BATCH],
    out: [u32; BATCH],
    /// The Δ terms `[C0_L, C0_R, G0, G1, G2]` for each `α | β << 1 | r1 << 2 | r2 << 3`, for
    /// `Δ = dtab_for` (zero: not computed yet; a Δ has lsb 1).
    dtab: [[u64; 5]; 16],
    dtab_for: Block,
    prg: Prg,
    /// Number of queued gates.
    pub n: usize,
}

impl GarbleQueue {
    /// `seed`: a fresh secret seed for the garbler's per-gate random bits `(r1, r2)` (a
    /// [`Prg`] inside; its seed is zeroized on drop).
    pub fn new(seed: Block) -> Self {
        GarbleQueue {
            a0: [Block::ZERO; BATCH],
            b0: [Block::ZERO; BATCH],
            lab: [Block::ZERO; BATCH],
            x: [Block::ZERO; 6 * BATCH],
            p: [Block::ZERO; 6 * BATCH],
            z: [0; BATCH],
            gates: [0; GATE_BYTES * BATCH],
            out: [0; BATCH],
            dtab: [[0; 5]; 16],
            dtab_for: Block::ZERO,
            prg: Prg::new(seed),
            n: 0,
        }
    }

    /// Queue one AND gate with input 0-labels `a0`, `b0` and output slot `out`. The caller
    /// flushes ([`GarbleQueue::garble`]) when `n == BATCH`.
    ///
    /// # Panics
    /// If the queue is full.
    #[inline(always)]
    pub fn push(&mut self, a0: Block, b0: Block, out: u32) {
        let k = self.n;
        self.a0[k] = a0;
        self.b0[k] = b0;
        self.out[k] = out;
        self.n = k + 1;
    }

    /// Garble the queued gates, numbered `first_gate ..`: append `n · GATE_BYTES` bytes
    /// (gate order) then `trailer_bytes(n)` bytes of control bits to `tables`; the output
    /// 0-label of queued gate `k` goes to `slots[out[k]]`. Empties the queue. `delta` is the
    /// free-XOR Δ (lsb 1), `salt` the public per-run salt.
    ///
    /// # Panics
    /// If an output slot is out of range; in debug builds if `lsb(delta) = 0`.
    pub fn garble(
        &mut self,
        delta: Block,
        salt: Block,
        first_gate: u64,
        tables: &mut Vec<u8>,
        slots: &mut [Block],
    ) {
        if self.n == 0 {
            return;
        }
        // two random bits per gate: bits 2k, 2k+1 of one PRG block
        let rnd = self.prg.next_block().0;
        self.garble_with(rnd, delta, salt, first_gate, tables, slots);
    }

    /// [`GarbleQueue::garble`] with the random bits `(r1, r2)` of queued gate `k` taken from
    /// bits `2k`, `2k + 1` of `rnd`: the fused kernel where the CPU has one, else
    /// [`GarbleQueue::garble_portable`].
    fn garble_with(
        &mut self,
        rnd: u128,
        delta: Block,
        salt: Block,
        first_gate: u64,
        tables: &mut Vec<u8>,
        slots: &mut [Block],
    ) {
        let Some(kernel) = vaes::kernel() else {
            return self.garble_portable(rnd, delta, salt, first_gate, tables, slots);
        };
        let n = self.n;
        debug_assert!(delta.lsb(), "three-halves: Δ needs lsb 1");
        vaes::garble(
            kernel,
            n,
            &self.a0,
            &self.b0,
            delta,
            salt,
            first_gate,
            rnd,
            &mut self.gates,
            &mut self.z,
            &mut self.lab,
        );
        tables.extend_from_slice(&self.gates[..n * GATE_BYTES]);
        let start = tables.len();
        tables.resize(start + trailer_bytes(n), 0);
        pack_trailer(&self.z[..n], &mut tables[start..]);
        for (&o, &l) in self.out[..n].iter().zip(&self.lab[..n]) {
            slots[o as usize] = l;
        }
        self.n = 0;
    }

    /// [`GarbleQueue::garble_with`] in portable code (two [`PI`] passes, scalar algebra).
    fn garble_portable(
        &mut self,
        rnd: u128,
        delta: Block,
        salt: Block,
        first_gate: u64,
        tables: &mut Vec<u8>,
        slots: &mut [Block],
    ) {
        let n = self.n;
        debug_assert!(delta.lsb(), "three-halves: Δ needs lsb 1");
        let d = delta;
        if self.dtab_for != d {
            // the Δ terms of the five outputs for each (α, β, r1, r2): the gate formula with
            // zero hashes and labels (it is linear in them)
            for (key, e) in self.dtab.iter_mut().enumerate() {
                let key = key as u64;
                let (c0, g, _) = garble_gate(
                    &[Block::ZERO; 6],
                    Block::ZERO,
                    Block::ZERO,
                    d,
                    key & 1,
                    (key >> 1) & 1,
                    (key >> 2) & 1,
                    key >> 3,
                );
                *e = [lo(c0), hi(c0), g[0], g[1], g[2]];
            }
            self.dtab_for = d;
        }
        // Ā, B̄ (colour-0 labels) replace the 0-labels; z[k] holds α | β << 1 until the
        // control bits replace it
        for (((a0, b0), x), key) in self.a0[..n]
            .iter_mut()
            .zip(&mut self.b0[..n])
            .zip(self.p.chunks_exact_mut(6))
            .zip(&mut self.z)
        {
            let (pa, pb) = (a0.lsb(), b0.lsb());
            let ab = *a0 ^ (Block::mask(pa) & d);
            let bb = *b0 ^ (Block::mask(pb) & d);
            let xb = ab ^ bb;
            x.copy_from_slice(&[ab, ab ^ d, bb, bb ^ d, xb, xb ^ d]);
            (*a0, *b0) = (ab, bb);
            *key = (!pa as u64) | (!pb as u64) << 1;
        }
        hash_gates::<6>(
            &mut self.x[..6 * n],
            &mut self.p[..6 * n],
            salt,
            first_gate,
            [0, 0, 1, 1, 2, 2],
        );
        let start = tables.len();
        tables.resize(start + n * GATE_BYTES + trailer_bytes(n), 0);
        let (gates, trailer) = tables[start..].split_at_mut(n * GATE_BYTES);
        for (k, gb) in gates.chunks_exact_mut(GATE_BYTES).enumerate() {
            let key = self.z[k] | ((rnd >> (2 * k)) as u64 & 3) << 2;
            let (xs, ps) = (&self.x[6 * k..6 * k + 6], &self.p[6 * k..6 * k + 6]);
            let h: [Block; 6] = core::array::from_fn(|w| xs[w] ^ ps[w]);
            // Δ = 0 here: its terms come from the table
            let (c0, g, z) = garble_gate(
                &h,
                self.a0[k],
                self.b0[k],
                Block::ZERO,
                key & 1,
                (key >> 1) & 1,
                (key >> 2) & 1,
                key >> 3,
            );
            let e = &self.dtab[key as usize];
            gb[..8].copy_from_slice(&(g[0] ^ e[2]).to_le_bytes());
            gb[8..16].copy_from_slice(&(g[1] ^ e[3]).to_le_bytes());
            gb[16..].copy_from_slice(&(g[2] ^ e[4]).to_le_bytes());
            self.lab[k] = c0 ^ Block::from_halves(e[1], e[0]);
            self.z[k] = z;
        }
        pack_trailer(&self.z[..n], trailer);
        for (&o, &l) in self.out[..n].iter().zip(&self.lab[..n]) {
            slots[o as usize] = l;
        }
        self.n = 0;
    }
}

impl Drop for GarbleQueue {
    fn drop(&mut self) {
        // 0-labels, output 0-labels, hash inputs X ⊕ Δ and their hashes, control bits
        for b in self
            .a0
            .iter_mut()
            .chain(&mut self.b0)
            .chain(&mut self.lab)
            .chain(&mut self.x)
            .chain(&mut self.p)
        {
            b.0.zeroize();
        }
        self.z.zeroize();
        self.dtab.zeroize();
        self.dtab_for.0.zeroize();
    }
}

/// Evaluator side: up to [`BATCH`] queued AND gates (active labels, ciphertexts, output
/// slots) and the working memory of one batch.
pub struct EvalQueue {
    /// Number of queued gates.
    pub n: usize,
    a: [Block; BATCH],
    b: [Block; BATCH],
    /// `g[c][k]`: ciphertext `G_c` of queued gate `k`
    g: [[u64; BATCH]; 3],
    lab: [Block; BATCH],
    x: [Block; 3 * BATCH],
    p: [Block; 3 * BATCH],
    out: [u32; BATCH],
}

impl Default for EvalQueue {
    fn default() -> Self {
        EvalQueue::new()
    }
}

impl EvalQueue {
    /// An empty queue.
    pub fn new() -> Self {
        EvalQueue {
            n: 0,
            a: [Block::ZERO; BATCH],
            b: [Block::ZERO; BATCH],
            g: [[0; BATCH]; 3],
            lab: [Block::ZERO; BATCH],
            x: [Block::ZERO; 3 * BATCH],
            p: [Block::ZERO; 3 * BATCH],
            out: [0; BATCH],
        }
    }

    /// Queue one AND gate: active input labels `a`, `b`, its [`GATE_BYTES`] of table, output
    /// slot `out`.
    ///
    /// # Panics
    /// If the queue is full.
    #[inline(always)]
    pub fn push(&mut self, a: Block, b: Block, gate: &[u8; GATE_BYTES], out: u32) {
        let k = self.n;
        self.a[k] = a;
        self.b[k] = b;
        for (gc, c) in self.g.iter_mut().zip(gate.chunks_exact(8)) {
            gc[k] = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        }
        self.out[k] = out;
        self.n = k + 1;
    }

    /// Evaluate the queued gates, numbered `first_gate ..`, with the batch's trailer
    /// (exactly `trailer_bytes(n)` bytes); the active output label of queued gate `k` goes to
    /// `slots[out[k]]`. Empties the queue.
    ///
    /// # Panics
    /// If `trailer.len() != trailer_bytes(n)` or an output slot is out of range.
    pub fn evaluate(&mut self, salt: Block, first_gate: u64, trailer: &[u8], slots: &mut [Block]) {
        let n = self.n;
        assert_eq!(
            trailer.len(),
            trailer_bytes(n),
            "three-halves: trailer of a batch of {n} gates"
        );
        if n == 0 {
            return;
        }
        let acc = unpack_trailer(trailer);
        match vaes::kernel() {
            Some(kernel) => vaes::evaluate(
                kernel,
                n,
                &self.a,
                &self.b,
                &self.g,
                &acc,
                salt,
                first_gate,
                &mut self.lab,
            ),
            None => self.evaluate_portable(salt, first_gate, &acc),
        }
        for (&o, &l) in self.out[..n].iter().zip(&self.lab[..n]) {
            slots[o as usize] = l;
        }
        self.n = 0;
    }

    /// The portable kernel of [`EvalQueue::evaluate`] (two [`PI`] passes, scalar algebra):
    /// output labels to `lab[..n]`.
    fn evaluate_portable(&mut self, salt: Block, first_gate: u64, acc: &[u64; ACC_WORDS]) {
        let n = self.n;
        for ((&a, &b), x) in self.a[..n]
            .iter()
            .zip(&self.b[..n])
            .zip(self.p.chunks_exact_mut(3))
        {
            x.copy_from_slice(&[a, b, a ^ b]);
        }
        hash_gates::<3>(
            &mut self.x[..3 * n],
            &mut self.p[..3 * n],
            salt,
            first_gate,
            [0, 1, 2],
        );
        for k in 0..n {
            let (xs, ps) = (&self.x[3 * k..3 * k + 3], &self.p[3 * k..3 * k + 3]);
            let h: [Block; 3] = core::array::from_fn(|w| xs[w] ^ ps[w]);
            let g = [self.g[0][k], self.g[1][k], self.g[2][k]];
            self.lab[k] = eval_gate(&h, self.a[k], self.b[k], &g, control_bits(acc, k));
        }
    }
}

/// Three-halves garbling (RR21) as a [`Scheme`]: [`GATE_BYTES`] per AND gate plus
/// [`trailer_bytes`]`(n)` per batch of `n`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreeHalves;

impl Scheme for ThreeHalves {
    const KIND: SchemeKind = SchemeKind::ThreeHalves;
    const GATE_BYTES: usize = GATE_BYTES;
    #[inline(always)]
    fn trailer_bytes(n: usize) -> usize {
        trailer_bytes(n)
    }
    type Garble = GarbleQueue;
    type Eval = EvalQueue;
}

impl scheme::GarbleQueue for GarbleQueue {
    fn new(seed: Block) -> Self {
        GarbleQueue::new(seed)
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.n
    }

    #[inline(always)]
    fn push(&mut self, slots: &[Block], a: u32, b: u32, out: u32) {
        GarbleQueue::push(self, slots[a as usize], slots[b as usize], out);
    }

    #[inline]
    fn garble(&mut self, delta: Block, tw: Tweak, tables: &mut Vec<u8>, slots: &mut [Block]) {
        GarbleQueue::garble(self, delta, tw.salt, tw.first_gate, tables, slots);
    }
}

impl scheme::EvalQueue for EvalQueue {
    fn new() -> Self {
        EvalQueue::new()
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.n
    }

    #[inline(always)]
    fn push(&mut self, slots: &[Block], a: u32, b: u32, gate: &[u8], out: u32) {
        let gate: &[u8; GATE_BYTES] = gate.try_into().expect("GATE_BYTES table bytes");
        EvalQueue::push(self, slots[a as usize], slots[b as usize], gate, out);
    }

    #[inline]
    fn evaluate(&mut self, tw: Tweak, trailer: &[u8], slots: &mut [Block]) {
        EvalQueue::evaluate(self, tw.salt, tw.first_gate, trailer, slots);
    }
}
