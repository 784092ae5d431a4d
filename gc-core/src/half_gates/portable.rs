//! The half-gates kernels on slices through [`PI`] (any CPU): the same math as the fused
//! kernels of `vaes`, checked equal by a test in the parent module.

use super::{BATCH, tweak};
use crate::pi::PI;
use crate::scheme::Tweak;
use duet_core::Block;

/// The garbler's half-gates on up to [`BATCH`] gates through [`PI`] on slices: TCCR of
/// `[A0, A0⊕Δ, B0, B0⊕Δ]` per gate, then ZRE15 Fig. 2.
pub(super) fn garble_portable(
    a0: &[Block],
    b0: &[Block],
    delta: Block,
    tw: Tweak,
    tab: &mut [Block],
    lab: &mut [Block],
) {
    let Tweak { salt, first_gate } = tw;
    let n = a0.len();
    let mut x = [Block::ZERO; 4 * BATCH];
    for g in 0..n {
        x[4 * g] = a0[g];
        x[4 * g + 1] = a0[g] ^ delta;
        x[4 * g + 2] = b0[g];
        x[4 * g + 3] = b0[g] ^ delta;
    }
    let x = &mut x[..4 * n];
    let mut p = [Block::ZERO; 4 * BATCH];
    let p = &mut p[..4 * n];
    p.copy_from_slice(x);
    PI.permute(p);
    for (g, (xs, ps)) in x.chunks_exact_mut(4).zip(p.chunks_exact(4)).enumerate() {
        let gate = first_gate.wrapping_add(g as u64);
        let (tl, tr) = (tweak(salt, gate, 0), tweak(salt, gate, 1));
        xs[0] = ps[0] ^ tl;
        xs[1] = ps[1] ^ tl;
        xs[2] = ps[2] ^ tr;
        xs[3] = ps[3] ^ tr;
    }
    PI.permute(x);
    for g in 0..n {
        let h0 = x[4 * g] ^ p[4 * g];
        let h1 = x[4 * g + 1] ^ p[4 * g + 1];
        let h2 = x[4 * g + 2] ^ p[4 * g + 2];
        let h3 = x[4 * g + 3] ^ p[4 * g + 3];
        let (ma, mb) = (Block::mask(a0[g].lsb()), Block::mask(b0[g].lsb()));
        // ZRE15 Fig. 2. Generator half-gate: T_G = H(A0) ⊕ H(A1) ⊕ p_b·Δ,
        // W_G = H(A0) ⊕ p_a·T_G. Evaluator half-gate: T_E = H(B0) ⊕ H(B1) ⊕ A0,
        // W_E = H(B0) ⊕ p_b·(T_E ⊕ A0). Output 0-label W_G ⊕ W_E.
        let tg = h0 ^ h1 ^ (mb & delta);
        let wg = h0 ^ (ma & tg);
        let te = h2 ^ h3 ^ a0[g];
        let we = h2 ^ (mb & (h2 ^ h3));
        tab[2 * g] = tg;
        tab[2 * g + 1] = te;
        lab[g] = wg ^ we;
    }
}

/// The evaluator's half-gates on up to [`BATCH`] gates through [`PI`] on slices.
pub(super) fn evaluate_portable(
    a: &[Block],
    b: &[Block],
    t: &[Block],
    tw: Tweak,
    lab: &mut [Block],
) {
    let Tweak { salt, first_gate } = tw;
    let n = a.len();
    let mut x = [Block::ZERO; 2 * BATCH];
    for g in 0..n {
        x[2 * g] = a[g];
        x[2 * g + 1] = b[g];
    }
    let x = &mut x[..2 * n];
    let mut p = [Block::ZERO; 2 * BATCH];
    let p = &mut p[..2 * n];
    p.copy_from_slice(x);
    PI.permute(p);
    for (g, (xs, ps)) in x.chunks_exact_mut(2).zip(p.chunks_exact(2)).enumerate() {
        let gate = first_gate.wrapping_add(g as u64);
        xs[0] = ps[0] ^ tweak(salt, gate, 0);
        xs[1] = ps[1] ^ tweak(salt, gate, 1);
    }
    PI.permute(x);
    for g in 0..n {
        let ha = x[2 * g] ^ p[2 * g];
        let hb = x[2 * g + 1] ^ p[2 * g + 1];
        let (sa, sb) = (Block::mask(a[g].lsb()), Block::mask(b[g].lsb()));
        // ZRE15 Fig. 2: W_G = H(A) ⊕ s_a·T_G, W_E = H(B) ⊕ s_b·(T_E ⊕ A).
        let wg = ha ^ (sa & t[2 * g]);
        let we = hb ^ (sb & (t[2 * g + 1] ^ a[g]));
        lab[g] = wg ^ we;
    }
}
