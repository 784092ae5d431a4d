//! SPCOT from one half-tree correlated GGM tree (Guo–Yang–Wang–Zhang–Xie–Liu–Zhao,
//! "Half-Tree: Halving the Cost of Tree Expansion in COT and DPF", Eurocrypt 2023,
//! eprint 2022/1431, §4, the "Π_spCOT" construction; its Figure with the tree expansion).
//!
//! Tree of depth `h`, `2^h` leaves, `H` the CCR hash `π(σ(x)) ⊕ σ(x)` of GKWY20 §7.3
//! ([`duet_core::FixedKeyAes::ccr_many`]):
//! - level 1 is `(q_1, q_1 ⊕ Δ)`, the sender's key of the tree's first COT and its
//!   complement, so every level's nodes XOR to Δ;
//! - a node `x` has children `H(x)` (left) and `x ⊕ H(x)` (right): one AES per parent;
//! - at level `i ≥ 2` the XOR `K_0^i` of the left children and `K_1^i = K_0^i ⊕ Δ` of the
//!   right ones form a COT pair, so the sender sends `c_i = K_0^i ⊕ q_i` for the tree's
//!   `i`-th COT: the receiver, holding `t_i = q_i ⊕ b_i·Δ`, gets `K_{b_i}^i = c_i ⊕ t_i`.
//!
//! So the punctured path is `α_i = ¬b_i` (the receiver's random COT choice bits pick the
//! noise position, which Ferret needs uniform anyway): no receiver message, `h − 1` blocks
//! from the sender per tree. The receiver rebuilds every node off the path: at level `i`
//! the sibling of the path node is `K_{b_i}^i` minus the known nodes on its side.
//!
//! Leaves follow the lsb convention of [`super`]: the sender outputs its leaves with bit 0
//! cleared; since they XOR to Δ (lsb 1), the receiver fills the punctured leaf with the XOR
//! of its other leaves plus one, which is the sender's leaf there ⊕ Δ.

use duet_core::{Block, FIXED_KEY_AES, hash::sigma};

/// Parents hashed per AES call.
const BATCH: usize = 64;
const LSB_CLEAR: Block = Block(!1);

/// Expand the `len` parents `nodes[..len]` into their `2·len` children `nodes[..2·len]` in
/// place (from the top down, so no parent is overwritten before it is read); returns the
/// XOR of the left and of the right children.
fn expand_level(nodes: &mut [Block], len: usize) -> (Block, Block) {
    let (mut l_sum, mut r_sum) = (Block::ZERO, Block::ZERO);
    let mut par = [Block::ZERO; BATCH];
    let mut sig = [Block::ZERO; BATCH];
    let mut enc = [Block::ZERO; BATCH];
    let mut end = len;
    while end > 0 {
        let start = end.saturating_sub(BATCH);
        let c = end - start;
        for (((p, s), e), &x) in par
            .iter_mut()
            .zip(&mut sig)
            .zip(&mut enc)
            .zip(&nodes[start..end])
        {
            *p = x;
            *s = sigma(x);
            *e = *s;
        }
        // H(x) = π(σ(x)) ⊕ σ(x): the CCR hash of GKWY20 §7.3
        FIXED_KEY_AES.permute_many(&mut enc[..c]);
        for (((kids, &p), &s), &e) in nodes[2 * start..2 * end]
            .chunks_exact_mut(2)
            .zip(&par)
            .zip(&sig)
            .zip(&enc)
        {
            let l = e ^ s;
            let r = p ^ l;
            kids[0] = l;
            kids[1] = r;
            l_sum ^= l;
            r_sum ^= r;
        }
        end = start;
    }
    (l_sum, r_sum)
}

/// Sender side of one tree: `q` the keys of the tree's `h` COTs, `leaves` (`2^h` blocks)
/// receives the leaves (lsb cleared) and `msgs` (`h − 1` blocks) the corrections `c_i`.
pub(crate) fn sender_tree(delta: Block, q: &[Block], leaves: &mut [Block], msgs: &mut [Block]) {
    let h = q.len();
    debug_assert!(h >= 1 && leaves.len() == 1 << h && msgs.len() == h - 1);
    leaves[0] = q[0];
    leaves[1] = q[0] ^ delta;
    for (i, (qi, c)) in q[1..].iter().zip(msgs.iter_mut()).enumerate() {
        let (l_sum, _) = expand_level(leaves, 2 << i);
        *c = l_sum ^ *qi;
    }
    for x in leaves.iter_mut() {
        *x &= LSB_CLEAR;
    }
}

/// Receiver side of one tree: `t` its blocks of the tree's `h` COTs (lsb = choice bit),
/// `msgs` the sender's `h − 1` corrections; writes the leaves (the punctured one filled as
/// the sender's leaf ⊕ Δ) and returns the punctured index `α`.
pub(crate) fn receiver_tree(t: &[Block], msgs: &[Block], leaves: &mut [Block]) -> usize {
    let h = t.len();
    debug_assert!(h >= 1 && leaves.len() == 1 << h && msgs.len() == h - 1);
    let b = t[0].lsb() as usize;
    leaves[b] = t[0];
    let mut p = 1 - b; // the path node at the current level
    leaves[p] = Block::ZERO;
    for (i, (ti, c)) in t[1..].iter().zip(msgs).enumerate() {
        let (l_sum, r_sum) = expand_level(leaves, 2 << i);
        // Remove the path node's (meaningless) children from the sums.
        let (l_sum, r_sum) = (l_sum ^ leaves[2 * p], r_sum ^ leaves[2 * p + 1]);
        let k = *c ^ *ti; // K^i_{b_i}
        if ti.lsb() {
            leaves[2 * p + 1] = k ^ r_sum;
            leaves[2 * p] = Block::ZERO;
            p *= 2;
        } else {
            leaves[2 * p] = k ^ l_sum;
            leaves[2 * p + 1] = Block::ZERO;
            p = 2 * p + 1;
        }
    }
    let mut sum = Block::ZERO;
    for x in leaves.iter_mut() {
        *x &= LSB_CLEAR;
        sum ^= *x;
    }
    leaves[p] = sum ^ Block::ONE;
    p
}
