//! The garbling hash and the batched half-gates kernels.
//!
//! # Which hash, and why
//!
//! Half-gates (ZRE15, eprint 2014/756, Fig. 2) needs a hash `H(x, i)` that is **tweakable
//! circular correlation robust** (TCCR): the tables mix `H(A)`, `H(A ⊕ Δ)` and `A` itself, and
//! every (gate, side) pair needs its own tweak so that a wire feeding several gates (or both
//! inputs of one gate) never gets the same hash twice. We use the construction that GKWY20
//! (Guo–Katz–Wang–Yu, eprint 2019/074, §7.4, "TMMO") proves TCCR in the random-permutation
//! model with π = AES-128 under a fixed public key:
//!
//! ```text
//!     H(x, i) = π(π(x) ⊕ i) ⊕ π(x)          (2 AES calls)
//! ```
//!
//! The tweak of the left input of the `j`-th AND gate is `salt ⊕ 2j`, of the right input
//! `salt ⊕ (2j+1)` (`j` counts AND gates from 0, integers placed in the low 64 bits). The
//! `salt` is a public random block the garbler draws per circuit run and sends to the
//! evaluator: tweaks are then distinct within a run, as the proof needs, and differ between
//! runs, which keeps an attacker from amortising precomputation over many executions (the
//! multi-instance concern of GKWWY20, eprint 2019/1168). Costs: garbler 8 AES per AND gate,
//! evaluator 4.
//!
//! Alternatives considered: (a) the multi-instance TCCR of eprint 2019/1168 as in
//! emp-toolkit's `MITCCRH` (one AES key per (gate, side), `H = AES_k(x) ⊕ x`, secure in the
//! ideal-cipher model): 4 / 2 AES calls per AND but two AES key expansions per AND on both
//! sides, which on this AMD Zen 3 (VAES-256, no AVX-512) costs as much as the saved
//! encryptions; (b) the 1-call "fixed-key" hash `π(2x ⊕ i) ⊕ 2x ⊕ i` of JustGarble/ZRE15's
//! implementation: GKWY20 §5 gives an attack on it (security degrades with the number of
//! gates), so it is not used. See the measurements in the crate docs.
//!
//! All AES calls go through the `aes` crate (run-time selection of AES-NI / VAES-256 /
//! VAES-512) on batches of up to [`BATCH`] gates = 128 blocks, so the pipelined back ends
//! are fed.

use crate::aes::PI;
use duet_core::{Block, Delta};

/// Number of AND gates hashed together (the garbler feeds `4 · BATCH` blocks per AES call).
pub const BATCH: usize = 32;

/// The tweak of side `side` (0 = left, 1 = right) of AND gate `gate`.
#[inline(always)]
fn tweak(salt: Block, gate: u64, side: u64) -> Block {
    salt ^ Block((gate.wrapping_mul(2) | side) as u128)
}

/// Up to [`BATCH`] queued AND gates on the garbler side: their 0-labels and output slots.
pub(crate) struct GarbleQueue {
    /// `[A0, A0⊕Δ, B0, B0⊕Δ]` per gate, hashed in place
    x: [Block; 4 * BATCH],
    p: [Block; 4 * BATCH],
    a0: [Block; BATCH],
    pb: [bool; BATCH],
    pub(crate) out: [u32; BATCH],
    pub(crate) n: usize,
}

impl GarbleQueue {
    pub(crate) fn new() -> Self {
        GarbleQueue {
            x: [Block::ZERO; 4 * BATCH],
            p: [Block::ZERO; 4 * BATCH],
            a0: [Block::ZERO; BATCH],
            pb: [false; BATCH],
            out: [0; BATCH],
            n: 0,
        }
    }

    /// Queue one AND gate with input 0-labels `a0`, `b0`. The caller flushes when
    /// `n == BATCH`.
    #[inline(always)]
    pub(crate) fn push(&mut self, a0: Block, b0: Block, delta: Block, out: u32) {
        let k = self.n;
        self.a0[k] = a0;
        self.pb[k] = b0.lsb();
        self.x[4 * k] = a0;
        self.x[4 * k + 1] = a0 ^ delta;
        self.x[4 * k + 2] = b0;
        self.x[4 * k + 3] = b0 ^ delta;
        self.out[k] = out;
        self.n = k + 1;
    }

    /// Garble the queued gates (numbered `first_gate ..`): the output 0-label of queued
    /// gate `k` goes to `out0(k, label)`, the tables are appended to `tables` (2 blocks per
    /// gate, queue order). Empties the queue.
    #[inline]
    pub(crate) fn garble(
        &mut self,
        delta: Block,
        salt: Block,
        first_gate: u64,
        tables: &mut Vec<Block>,
        mut out0: impl FnMut(usize, Block),
    ) {
        let n = self.n;
        if n == 0 {
            return;
        }
        let x = &mut self.x[..4 * n];
        let p = &mut self.p[..4 * n];
        p.copy_from_slice(x);
        PI.permute(p);
        for (g, (xs, ps)) in x.chunks_exact_mut(4).zip(p.chunks_exact(4)).enumerate() {
            let gate = first_gate + g as u64;
            let (tl, tr) = (tweak(salt, gate, 0), tweak(salt, gate, 1));
            xs[0] = ps[0] ^ tl;
            xs[1] = ps[1] ^ tl;
            xs[2] = ps[2] ^ tr;
            xs[3] = ps[3] ^ tr;
        }
        PI.permute(x);
        tables.reserve(2 * n);
        for g in 0..n {
            let h0 = x[4 * g] ^ p[4 * g];
            let h1 = x[4 * g + 1] ^ p[4 * g + 1];
            let h2 = x[4 * g + 2] ^ p[4 * g + 2];
            let h3 = x[4 * g + 3] ^ p[4 * g + 3];
            let a0 = self.a0[g];
            let (ma, mb) = (Block::mask(a0.lsb()), Block::mask(self.pb[g]));
            // ZRE15 Fig. 2. Generator half-gate: T_G = H(A0) ⊕ H(A1) ⊕ p_b·Δ,
            // W_G = H(A0) ⊕ p_a·T_G. Evaluator half-gate: T_E = H(B0) ⊕ H(B1) ⊕ A0,
            // W_E = H(B0) ⊕ p_b·(T_E ⊕ A0). Output 0-label W_G ⊕ W_E.
            let tg = h0 ^ h1 ^ (mb & delta);
            let wg = h0 ^ (ma & tg);
            let te = h2 ^ h3 ^ a0;
            let we = h2 ^ (mb & (h2 ^ h3));
            tables.push(tg);
            tables.push(te);
            out0(g, wg ^ we);
        }
        self.n = 0;
    }
}

/// Up to [`BATCH`] queued AND gates on the evaluator side: active labels, tables, slots.
pub(crate) struct EvalQueue {
    /// `[A, B]` per gate, hashed in place
    x: [Block; 2 * BATCH],
    p: [Block; 2 * BATCH],
    a: [Block; BATCH],
    sb: [bool; BATCH],
    t: [Block; 2 * BATCH],
    pub(crate) out: [u32; BATCH],
    pub(crate) n: usize,
}

impl EvalQueue {
    pub(crate) fn new() -> Self {
        EvalQueue {
            x: [Block::ZERO; 2 * BATCH],
            p: [Block::ZERO; 2 * BATCH],
            a: [Block::ZERO; BATCH],
            sb: [false; BATCH],
            t: [Block::ZERO; 2 * BATCH],
            out: [0; BATCH],
            n: 0,
        }
    }

    /// Queue one AND gate: active input labels and its two table blocks.
    #[inline(always)]
    pub(crate) fn push(&mut self, a: Block, b: Block, tg: Block, te: Block, out: u32) {
        let k = self.n;
        self.a[k] = a;
        self.sb[k] = b.lsb();
        self.x[2 * k] = a;
        self.x[2 * k + 1] = b;
        self.t[2 * k] = tg;
        self.t[2 * k + 1] = te;
        self.out[k] = out;
        self.n = k + 1;
    }

    /// Evaluate the queued gates (numbered `first_gate ..`); the active output label of
    /// queued gate `k` goes to `out(k, label)`. Empties the queue.
    #[inline]
    pub(crate) fn evaluate(
        &mut self,
        salt: Block,
        first_gate: u64,
        mut out: impl FnMut(usize, Block),
    ) {
        let n = self.n;
        if n == 0 {
            return;
        }
        let x = &mut self.x[..2 * n];
        let p = &mut self.p[..2 * n];
        p.copy_from_slice(x);
        PI.permute(p);
        for (g, (xs, ps)) in x.chunks_exact_mut(2).zip(p.chunks_exact(2)).enumerate() {
            let gate = first_gate + g as u64;
            xs[0] = ps[0] ^ tweak(salt, gate, 0);
            xs[1] = ps[1] ^ tweak(salt, gate, 1);
        }
        PI.permute(x);
        for g in 0..n {
            let ha = x[2 * g] ^ p[2 * g];
            let hb = x[2 * g + 1] ^ p[2 * g + 1];
            let a = self.a[g];
            let (sa, sb) = (Block::mask(a.lsb()), Block::mask(self.sb[g]));
            // ZRE15 Fig. 2: W_G = H(A) ⊕ s_a·T_G, W_E = H(B) ⊕ s_b·(T_E ⊕ A).
            let wg = ha ^ (sa & self.t[2 * g]);
            let we = hb ^ (sb & (self.t[2 * g + 1] ^ a));
            out(g, wg ^ we);
        }
        self.n = 0;
    }
}

/// The half-gates kernel on labels in memory (benchmarks, and callers that manage their own
/// labels): garble AND gates `first_gate .. first_gate + n` with input 0-labels `a0[k]`,
/// `b0[k]`, writing the output 0-labels to `out0[k]` and appending `2n` table blocks to
/// `tables`. `salt` is the public per-run salt (see the module docs).
///
/// # Panics
/// If the three slices differ in length, or `delta`'s lsb is 0 (caller bugs).
pub fn garble_and_gates(
    delta: &Delta,
    salt: Block,
    first_gate: u64,
    a0: &[Block],
    b0: &[Block],
    out0: &mut [Block],
    tables: &mut Vec<Block>,
) {
    assert!(
        a0.len() == b0.len() && a0.len() == out0.len(),
        "garble_and_gates: lengths differ"
    );
    assert!(delta.as_block().lsb(), "garble_and_gates: Δ needs lsb 1");
    let d = delta.as_block();
    let mut q = Box::new(GarbleQueue::new());
    let mut gate = first_gate;
    for ((a, b), o) in a0
        .chunks(BATCH)
        .zip(b0.chunks(BATCH))
        .zip(out0.chunks_mut(BATCH))
    {
        for k in 0..a.len() {
            q.push(a[k], b[k], d, 0);
        }
        q.garble(d, salt, gate, tables, |k, l| o[k] = l);
        gate += a.len() as u64;
    }
}

/// The evaluator's half-gates kernel on labels in memory: AND gates
/// `first_gate .. first_gate + n` with active input labels `a[k]`, `b[k]` and tables
/// `tables[2k], tables[2k+1]`; active output labels to `out[k]`.
///
/// # Panics
/// If `b`, `out` and `a` differ in length or `tables.len() != 2 · a.len()` (caller bugs).
pub fn evaluate_and_gates(
    salt: Block,
    first_gate: u64,
    a: &[Block],
    b: &[Block],
    tables: &[Block],
    out: &mut [Block],
) {
    assert!(
        a.len() == b.len() && a.len() == out.len() && tables.len() == 2 * a.len(),
        "evaluate_and_gates: lengths differ"
    );
    let mut q = Box::new(EvalQueue::new());
    let mut gate = first_gate;
    for (((a, b), t), o) in a
        .chunks(BATCH)
        .zip(b.chunks(BATCH))
        .zip(tables.chunks(2 * BATCH))
        .zip(out.chunks_mut(BATCH))
    {
        for k in 0..a.len() {
            q.push(a[k], b[k], t[2 * k], t[2 * k + 1], 0);
        }
        q.evaluate(salt, gate, |k, l| o[k] = l);
        gate += a.len() as u64;
    }
}
