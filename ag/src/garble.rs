//! Authenticated garbled AND gates (WRK17 §3, Fig. 2 and §4.3 Fig. 10 steps 4–5; the
//! "authenticated garbled circuit" of the paper, with KRRW18's observation that the masked
//! bit needs no separate label-permute bit).
//!
//! For an AND gate `γ = α ∧ β` with authenticated masks `⟨λ_α⟩, ⟨λ_β⟩, ⟨λ_γ⟩` and
//! `⟨σ_γ⟩ = ⟨λ_α λ_β⟩`, and for each of the four masked inputs `(a, b)`:
//!
//! - the garbler's half `r_{γ,ab} = r_σ ⊕ r_γ ⊕ a·r_β ⊕ b·r_α ⊕ ab` and the evaluator's
//!   `s_{γ,ab} = s_σ ⊕ s_γ ⊕ a·s_β ⊕ b·s_α` share the masked output
//!   `(λ_α ⊕ a)(λ_β ⊕ b) ⊕ λ_γ`;
//! - row `(a, b)` is `H(L_{α,a}, L_{β,b}, γ, ab) ⊕ (r_{γ,ab}, M_B[r_{γ,ab}],
//!   L_{γ,0} ⊕ r_{γ,ab}·Δ_A ⊕ K_A[s_{γ,ab}])`;
//! - the evaluator, holding `(ẑ_α, L_{α,ẑ_α})` and `(ẑ_β, L_{β,ẑ_β})`, decrypts row
//!   `(ẑ_α, ẑ_β)`, **checks the MAC** of `r` under its key `K_B[r] ⊕ r·Δ_B` (so the garbler
//!   cannot change the masked output bit), and gets `ẑ_γ = r ⊕ s` and
//!   `L_{γ,ẑ_γ} = (row label) ⊕ M_A[s_{γ,ab}]`.
//!
//! The row hash is the fixed-key-AES hash `π(K) ⊕ K` with `K = 2·L_a ⊕ 4·L_b ⊕ T` (doubling in
//! GF(2^128); BHKR13's "A4"-style dual-key cipher, as emp-toolkit's garbling hash), three
//! blocks per row (MAC pad, label pad, one pad bit), tweak `T` naming gate, row and block.
//! A gate is [`GATE_BYTES`] = 129 bytes: four rows of MAC ‖ label, then the four `r` bits.

use crate::share::{Label, Mac, Party, Share};
use duet_core::{Block, FIXED_KEY_AES};

/// Bytes of one authenticated garbled AND gate.
pub const GATE_BYTES: usize = 4 * 32 + 1;

#[inline(always)]
fn dbl(x: Block) -> Block {
    let carry = x.0 >> 127;
    Block((x.0 << 1) ^ (carry * 0x87))
}

/// The three pad blocks of row `row` of AND gate `gate` under labels `la`, `lb`.
#[inline]
fn pads(la: Block, lb: Block, gate: u64, row: u64, out: &mut [Block]) {
    let k = dbl(la) ^ dbl(dbl(lb));
    for (j, o) in out.iter_mut().enumerate() {
        *o = k ^ Block::from_halves(gate, (row << 2) | j as u64);
    }
}

/// The `(a, b)` combination of the gate's shares (see the module doc), from `me`'s view.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn row_share(
    me: Party,
    delta_me: Block,
    sa: &Share,
    sb: &Share,
    sg: &Share,
    ss: &Share,
    a: bool,
    b: bool,
) -> Share {
    (*ss ^ *sg ^ sb.scale(a) ^ sa.scale(b)).xor_const(a & b, me, delta_me)
}

/// Garble AND gate number `gate`: appends [`GATE_BYTES`] to `out`. `la0`, `lb0` are the
/// input 0-labels, `lg0` the (fresh) output 0-label, `delta_a` the garbler's Δ; the shares
/// are the garbler's views of `⟨λ_α⟩, ⟨λ_β⟩, ⟨λ_γ⟩, ⟨σ_γ⟩`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn garble_and(
    gate: u64,
    la0: Label,
    lb0: Label,
    lg0: Label,
    delta_a: Block,
    sh: [&Share; 4],
    out: &mut Vec<u8>,
) {
    let mut p = [Block::ZERO; 12];
    for row in 0..4u64 {
        let (a, b) = (row >> 1 == 1, row & 1 == 1);
        let la = la0.block() ^ (delta_a & Block::mask(a));
        let lb = lb0.block() ^ (delta_a & Block::mask(b));
        pads(
            la,
            lb,
            gate,
            row,
            &mut p[3 * row as usize..3 * row as usize + 3],
        );
    }
    let mut k = p;
    FIXED_KEY_AES.permute_many(&mut p);
    let mut bits = 0u8;
    for row in 0..4usize {
        let (a, b) = (row >> 1 == 1, row & 1 == 1);
        let rs = row_share(Party::Garbler, delta_a, sh[0], sh[1], sh[2], sh[3], a, b);
        let pad = [
            p[3 * row] ^ k[3 * row],
            p[3 * row + 1] ^ k[3 * row + 1],
            p[3 * row + 2] ^ k[3 * row + 2],
        ];
        let mac = rs.mac().block() ^ pad[0];
        let label = lg0.block() ^ (delta_a & Block::mask(rs.bit())) ^ rs.key().block() ^ pad[1];
        out.extend_from_slice(&mac.to_bytes());
        out.extend_from_slice(&label.to_bytes());
        bits |= u8::from(rs.bit() ^ pad[2].lsb()) << row;
    }
    k.fill(Block::ZERO);
    out.push(bits);
}

/// Evaluate AND gate number `gate` from its [`GATE_BYTES`] `table`: returns
/// `(ẑ_γ, L_γ, mac_ok)`. The shares are the evaluator's views; `delta_b` its Δ.
#[allow(clippy::too_many_arguments)]
#[inline]
pub(crate) fn eval_and(
    gate: u64,
    za: bool,
    la: Label,
    zb: bool,
    lb: Label,
    delta_b: Block,
    sh: [&Share; 4],
    table: &[u8],
) -> (bool, Label, bool) {
    let row = (usize::from(za) << 1) | usize::from(zb);
    let mut p = [Block::ZERO; 3];
    pads(la.block(), lb.block(), gate, row as u64, &mut p);
    let k = p;
    FIXED_KEY_AES.permute_many(&mut p);
    let bs = row_share(
        Party::Evaluator,
        delta_b,
        sh[0],
        sh[1],
        sh[2],
        sh[3],
        za,
        zb,
    );
    let off = 32 * row;
    let mut m = [0u8; 16];
    m.copy_from_slice(&table[off..off + 16]);
    let mac = Mac(Block::from_bytes(m) ^ p[0] ^ k[0]);
    m.copy_from_slice(&table[off + 16..off + 32]);
    let x = Block::from_bytes(m) ^ p[1] ^ k[1];
    let r = (table[128] >> row & 1 == 1) ^ (p[2] ^ k[2]).lsb();
    let ok = crate::share::mac_ok(mac, bs.key(), r, delta_b);
    (r ^ bs.bit(), Label(x ^ bs.mac().block()), ok)
}
