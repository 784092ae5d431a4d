//! Half-gates (ZRE15): the garbling hash, the AND queues and the batched kernels.
//!
//! Files: this one (hash choice, queues, bulk kernels), [`portable`] (the kernels on
//! slices through [`crate::pi`]), `vaes` (the fused VAES-256 kernels, x86-64).
//!
//! # Which hash, and why
//!
//! Half-gates (ZRE15, eprint 2014/756, Fig. 2) needs a hash `H(x, i)` that is **tweakable
//! circular correlation robust** (TCCR): the tables mix `H(A)`, `H(A ⊕ Δ)` and `A` itself, and
//! every (gate, side) pair needs its own tweak so that a wire feeding several gates (or both
//! inputs of one gate) never gets the same hash twice. We use the MMO-style construction
//! that GKWY20 (Guo–Katz–Wang–Yu, eprint 2019/074, §7) prove TCCR in the
//! random-permutation model, with π = AES-128 under a fixed public key:
//!
//! ```text
//!     H(x, i) = π(π(x) ⊕ i) ⊕ π(x)          (2 AES calls)
//! ```
//!
//! The tweak of the left input of the `j`-th AND gate of the slot program is `salt ⊕ 2j`,
//! of the right input `salt ⊕ (2j+1)` (`j` counts AND gates from 0, placed in the low 64
//! bits). The `salt` is a public random block the garbler draws per circuit run and sends
//! to the evaluator: tweaks are distinct within a run, as the proof needs, and differ
//! between runs, so precomputation cannot be amortised over many executions (the
//! multi-instance concern of Guo–Katz–Wang–Weng–Yu, eprint 2019/1168). What is proven is
//! GKWY20's bound for this hash in the random-permutation model (AES with a fixed key
//! modelled as a random permutation), plugged into ZRE15's proof of half-gates from a
//! TCCR hash; we add no claim beyond that. Costs: garbler 8 AES per AND gate, evaluator 4.
//!
//! Alternatives considered, not implemented: (a) the multi-instance hash of eprint
//! 2019/1168 as in emp-toolkit's `MITCCRH` (one AES key per (gate, side), `H = AES_k(x) ⊕
//! x`, ideal-cipher model): 4 / 2 AES calls per AND, but two AES-128 key expansions per AND
//! on both sides (10 `aesenclast` + ≈ 60 other vector ops each). On this AMD Zen 3 (VAES-256,
//! no AVX-512; 256-bit `vaesenc` measured at 2 per cycle) that is estimated at about the
//! same cost for the garbler and more for the evaluator than 2-call TCCR, so the simpler
//! fixed-key scheme was kept. (b) The 1-call hash `π(2x ⊕ i) ⊕ 2x ⊕ i` used by earlier
//! half-gates implementations: GKWY20 show attacks on such fixed-key instantiations whose
//! cost falls with the number of gates garbled, so it is not used.
//!
//! # Kernels
//!
//! AND gates are hashed in batches of up to [`BATCH`] independent gates (the slot
//! program's flush flags say when a batch must end). With VAES + AVX2 (checked at run time)
//! a fused kernel in `crate::aes` runs each AES pass over the whole batch 16 blocks (8
//! 256-bit registers) at a time, keeping π(x) in a reused scratch between the passes, then
//! computes the half-gate tables with 256-bit operations; otherwise the portable kernels
//! below run the same math through [`duet_core::AesEcb`]. A unit test checks both agree.
//! Callers with labels in slices ([`garble_and_gates`], [`evaluate_and_gates`], the rows of
//! [`crate::multi`]) skip the queues.

mod portable;
mod vaes;

use crate::exec::copy_slot;
use crate::pi::PI;
use crate::scheme::{self, Tweak};
use duet_core::mem::{NonTemporal, prefetch};
use duet_core::{Block, Delta};
use portable::{evaluate_portable, garble_portable};
pub(crate) use vaes::Scratch;
use zeroize::Zeroizing;

/// Largest number of AND gates hashed together (garbler: `4 · BATCH` blocks per AES pass).
pub const BATCH: usize = 64;

/// From this many gates on, [`garble_and_gates`] writes its tables and output labels with
/// non-temporal stores and prefetches its inputs [`PREFETCH_BATCHES`] batches ahead: the
/// fused kernel stores straight from its registers into the tables' spare capacity (no
/// zero-fill, no staging copy); the portable kernel writes to L1 staging that
/// [`duet_core::mem::NonTemporal`] streams out. 2^20 gates are 48 MiB of output, past the
/// L3 of a core complex on most machines: there the kernel is bound by memory traffic and
/// a plain store to a cold line reads it first. Below that streamed stores only push out
/// lines a cache would have held (with staging: 2^16 gates plain / streamed 99 / 85 M
/// AND/s, 2^18 106 / 83). Measured at 2^22 gates (criterion, Xeon with AVX-512, 2 vCPU,
/// labels on huge pages): plain 73–77, staged and streamed 81–91, streamed from the
/// kernel 105–109 M AND/s. The evaluator writes a third as much and measured slower with
/// streamed stores or prefetch (2^22: 113 → 104 on 4 KiB pages with the stores, 128 → 111
/// on huge pages with the prefetch), so it stores and loads plainly.
pub const STREAM_GATES: usize = 1 << 20;

/// How many batches ahead the streamed garbling kernel prefetches its inputs (4 and 8
/// measured alike, 16 slower).
const PREFETCH_BATCHES: usize = 8;

/// The tweak of side `side` (0 = left, 1 = right) of AND gate `gate`.
#[inline(always)]
fn tweak(salt: Block, gate: u64, side: u64) -> Block {
    salt ^ Block((gate.wrapping_mul(2) | side) as u128)
}

/// Up to [`BATCH`] queued AND gates on the garbler side: their input 0-labels and output
/// slots. The [`HalfGates`](crate::HalfGates) garbler queue of the executor
/// ([`scheme::GarbleQueue`](crate::scheme::GarbleQueue)); [`crate::multi`] uses its
/// block-table methods.
pub struct GarbleQueue {
    a0: [Block; BATCH],
    b0: [Block; BATCH],
    lab: [Block; BATCH],
    /// the batch's tables before they are appended to the byte stream
    tab: [Block; 2 * BATCH],
    scratch: Scratch,
    out: [u32; BATCH],
    pub(crate) n: usize,
}

impl GarbleQueue {
    pub(crate) fn new() -> Self {
        GarbleQueue {
            a0: [Block::ZERO; BATCH],
            b0: [Block::ZERO; BATCH],
            scratch: Scratch::new(),
            lab: [Block::ZERO; BATCH],
            tab: [Block::ZERO; 2 * BATCH],
            out: [0; BATCH],
            n: 0,
        }
    }
}

impl Drop for GarbleQueue {
    fn drop(&mut self) {
        // the queued 0-labels and output 0-labels are the garbler's secrets
        for b in self.a0.iter_mut().chain(&mut self.b0).chain(&mut self.lab) {
            zeroize::Zeroize::zeroize(&mut b.0);
        }
    }
}

/// The garbler's half-gates on `n = a0.len() ≤ BATCH` gates (input 0-labels `a0`, `b0`):
/// tables to `tab[..2n]`, output 0-labels to `lab[..n]`, through the fused VAES kernel when
/// the CPU has one, else [`garble_portable`].
#[inline]
pub(crate) fn garble_chunk(
    scratch: &mut Scratch,
    delta: Block,
    tw: Tweak,
    a0: &[Block],
    b0: &[Block],
    tab: &mut [Block],
    lab: &mut [Block],
) {
    if !PI.garble_fused(scratch, (a0, b0), delta, tw, tab, lab) {
        garble_portable(a0, b0, delta, tw, tab, lab);
    }
}

/// The evaluator's half-gates on `n = a.len() ≤ BATCH` gates (active labels `a`, `b`,
/// tables `t[..2n]`): output labels to `lab[..n]`, fused when possible as
/// [`garble_chunk`].
#[inline]
pub(crate) fn evaluate_chunk(
    scratch: &mut Scratch,
    tw: Tweak,
    a: &[Block],
    b: &[Block],
    t: &[Block],
    lab: &mut [Block],
) {
    if !PI.evaluate_fused(scratch, a, b, t, tw, lab) {
        evaluate_portable(a, b, t, tw, lab);
    }
}

/// Up to [`BATCH`] queued AND gates on the evaluator side: active labels, tables, slots. The
/// [`HalfGates`](crate::HalfGates) evaluator queue of the executor
/// ([`scheme::EvalQueue`](crate::scheme::EvalQueue)).
pub struct EvalQueue {
    a: [Block; BATCH],
    b: [Block; BATCH],
    t: [Block; 2 * BATCH],
    lab: [Block; BATCH],
    scratch: Scratch,
    out: [u32; BATCH],
    pub(crate) n: usize,
}

impl EvalQueue {
    pub(crate) fn new() -> Self {
        EvalQueue {
            a: [Block::ZERO; BATCH],
            b: [Block::ZERO; BATCH],
            t: [Block::ZERO; 2 * BATCH],
            lab: [Block::ZERO; BATCH],
            scratch: Scratch::new(),
            out: [0; BATCH],
            n: 0,
        }
    }

    /// [`EvalQueue::push`] of the labels in slots `a` and `b` (vector copies).
    #[inline(always)]
    pub(crate) fn push_slots(
        &mut self,
        slots: &[Block],
        a: u32,
        b: u32,
        tg: Block,
        te: Block,
        out: u32,
    ) {
        let k = self.n;
        copy_slot(slots, a, &mut self.a[k]);
        copy_slot(slots, b, &mut self.b[k]);
        self.t[2 * k] = tg;
        self.t[2 * k + 1] = te;
        self.out[k] = out;
        self.n = k + 1;
    }

    /// Evaluate the queued gates (numbered `first_gate ..`): the active output label of
    /// queued gate `k` goes to `slots[out[k]]`. Empties the queue.
    ///
    /// # Panics
    /// If an output slot is out of range (a bug in the slot program).
    #[inline]
    pub(crate) fn evaluate(&mut self, tw: Tweak, slots: &mut [Block]) {
        let n = self.n;
        if n == 0 {
            return;
        }
        evaluate_chunk(
            &mut self.scratch,
            tw,
            &self.a[..n],
            &self.b[..n],
            &self.t[..2 * n],
            &mut self.lab[..n],
        );
        for (&o, &l) in self.out[..n].iter().zip(&self.lab[..n]) {
            slots[o as usize] = l;
        }
        self.n = 0;
    }
}

impl scheme::GarbleQueue for GarbleQueue {
    fn new(_seed: Block) -> Self {
        GarbleQueue::new()
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.n
    }

    #[inline(always)]
    fn push(&mut self, slots: &[Block], a: u32, b: u32, out: u32) {
        let k = self.n;
        copy_slot(slots, a, &mut self.a0[k]);
        copy_slot(slots, b, &mut self.b0[k]);
        self.out[k] = out;
        self.n = k + 1;
    }

    #[inline]
    fn garble(&mut self, delta: Block, tw: Tweak, tables: &mut Vec<u8>, slots: &mut [Block]) {
        let n = self.n;
        if n == 0 {
            return;
        }
        garble_chunk(
            &mut self.scratch,
            delta,
            tw,
            &self.a0[..n],
            &self.b0[..n],
            &mut self.tab[..2 * n],
            &mut self.lab[..n],
        );
        tables.extend_from_slice(Block::slice_as_bytes(&self.tab[..2 * n]));
        for (&o, &l) in self.out[..n].iter().zip(&self.lab[..n]) {
            slots[o as usize] = l;
        }
        self.n = 0;
    }

    #[inline]
    fn garble_run(
        &mut self,
        delta: Block,
        tw: Tweak,
        slots: &mut [Block],
        (a, b, o): (usize, usize, usize),
        n: usize,
        tables: &mut Vec<u8>,
    ) {
        assert!(self.n == 0 && n <= BATCH, "garble_run: queue state");
        // copies: the output row may be one of the input rows (slot reuse)
        self.a0[..n].copy_from_slice(&slots[a..a + n]);
        self.b0[..n].copy_from_slice(&slots[b..b + n]);
        garble_chunk(
            &mut self.scratch,
            delta,
            tw,
            &self.a0[..n],
            &self.b0[..n],
            &mut self.tab[..2 * n],
            &mut slots[o..o + n],
        );
        tables.extend_from_slice(Block::slice_as_bytes(&self.tab[..2 * n]));
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
        let (tg, te) = gate.split_at(16);
        let tg = Block::from_bytes(tg.try_into().expect("GATE_BYTES = 32"));
        let te = Block::from_bytes(te[..16].try_into().expect("GATE_BYTES = 32"));
        self.push_slots(slots, a, b, tg, te, out);
    }

    #[inline]
    fn evaluate(&mut self, tw: Tweak, _trailer: &[u8], slots: &mut [Block]) {
        EvalQueue::evaluate(self, tw, slots);
    }

    #[inline]
    fn evaluate_run(
        &mut self,
        tw: Tweak,
        slots: &mut [Block],
        (a, b, o): (usize, usize, usize),
        n: usize,
        gates: &[u8],
        _trailer: &[u8],
    ) {
        assert!(
            self.n == 0 && n <= BATCH && gates.len() == 32 * n,
            "evaluate_run: queue state"
        );
        self.a[..n].copy_from_slice(&slots[a..a + n]);
        self.b[..n].copy_from_slice(&slots[b..b + n]);
        for (t, g) in self.t[..2 * n].iter_mut().zip(gates.chunks_exact(16)) {
            *t = Block::from_bytes(g.try_into().expect("16 bytes"));
        }
        evaluate_chunk(
            &mut self.scratch,
            tw,
            &self.a[..n],
            &self.b[..n],
            &self.t[..2 * n],
            &mut slots[o..o + n],
        );
    }
}

/// The half-gates kernel on labels in memory (benchmarks, and callers that manage their own
/// labels): garble AND gates `first_gate .. first_gate + n` with input 0-labels `a0[k]`,
/// `b0[k]`, writing the output 0-labels to `out0[k]` and appending `2n` table blocks to
/// `tables`. `salt` is the public per-run salt (see the module docs). From
/// [`STREAM_GATES`] gates on, the tables and output labels are written with non-temporal
/// stores (fenced before the call returns) and leave the caches.
///
/// # Panics
/// If the three slices differ in length, or `delta`'s lsb is 0 (caller bugs).
pub fn garble_and_gates(
    delta: &Delta,
    tw: Tweak,
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
    if a0.len() >= STREAM_GATES {
        garble_streamed(d, tw, a0, b0, out0, tables, true);
        return;
    }
    let mut scratch = Scratch::new();
    let mut done = 0;
    for ((a, b), o) in a0
        .chunks(BATCH)
        .zip(b0.chunks(BATCH))
        .zip(out0.chunks_mut(BATCH))
    {
        let start = tables.len();
        tables.resize(start + 2 * a.len(), Block::ZERO);
        garble_chunk(
            &mut scratch,
            d,
            tw.plus(done),
            a,
            b,
            &mut tables[start..],
            o,
        );
        done += a.len() as u64;
    }
}

/// The streamed path of [`garble_and_gates`] (past the caches): with `fused` (and a CPU
/// that has the fused kernel) the kernel streams its stores out itself, else the portable
/// kernel writes to L1 staging that is streamed out. The fence is `nt`'s drop.
fn garble_streamed(
    d: Block,
    tw: Tweak,
    a0: &[Block],
    b0: &[Block],
    out0: &mut [Block],
    tables: &mut Vec<Block>,
    fused: bool,
) {
    let mut scratch = Scratch::new();
    let mut done = 0;
    let mut tab = Zeroizing::new([Block::ZERO; 2 * BATCH]);
    let mut lab = Zeroizing::new([Block::ZERO; BATCH]);
    let mut nt = NonTemporal::new();
    tables.reserve(2 * a0.len());
    for (k, ((a, b), o)) in a0
        .chunks(BATCH)
        .zip(b0.chunks(BATCH))
        .zip(out0.chunks_mut(BATCH))
        .enumerate()
    {
        let ahead = ((k + PREFETCH_BATCHES) * BATCH).min(a0.len());
        let end = (ahead + BATCH).min(a0.len());
        prefetch(&a0[ahead..end]);
        prefetch(&b0[ahead..end]);
        let start = tables.len();
        let spare = &mut tables.spare_capacity_mut()[..2 * a.len()];
        let twk = tw.plus(done);
        if fused && PI.garble_vaes::<true>(&mut scratch, (a, b), d, twk, spare, o) {
            // SAFETY: the kernel wrote all `2 · a.len()` blocks of `spare`, within the
            // capacity reserved above.
            unsafe { tables.set_len(start + 2 * a.len()) };
        } else {
            let (t, l) = (&mut tab[..2 * a.len()], &mut lab[..a.len()]);
            if fused {
                garble_chunk(&mut scratch, d, twk, a, b, t, l);
            } else {
                garble_portable(a, b, d, twk, t, l);
            }
            nt.extend(tables, t);
            nt.copy(o, l);
        }
        done += a.len() as u64;
    }
}

/// The evaluator's half-gates kernel on labels in memory: AND gates
/// `first_gate .. first_gate + n` with active input labels `a[k]`, `b[k]` and tables
/// `tables[2k], tables[2k+1]`; active output labels to `out[k]`.
///
/// # Panics
/// If `b`, `out` and `a` differ in length or `tables.len() != 2 · a.len()` (caller bugs).
pub fn evaluate_and_gates(
    tw: Tweak,
    a: &[Block],
    b: &[Block],
    tables: &[Block],
    out: &mut [Block],
) {
    assert!(
        a.len() == b.len() && a.len() == out.len() && tables.len() == 2 * a.len(),
        "evaluate_and_gates: lengths differ"
    );
    let mut scratch = Scratch::new();
    let mut done = 0;
    for (((a, b), t), o) in a
        .chunks(BATCH)
        .zip(b.chunks(BATCH))
        .zip(tables.chunks(2 * BATCH))
        .zip(out.chunks_mut(BATCH))
    {
        evaluate_chunk(&mut scratch, tw.plus(done), a, b, t, o);
        done += a.len() as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fused VAES kernels (when this CPU has them) and the portable kernels agree, for
    /// every batch length and with gate numbers that wrap around; and evaluation of the garbled gates gives the AND of the bits.
    #[test]
    fn fused_and_portable_kernels_agree() {
        let mut x = 0x0123_4567_89ab_cdefu128;
        let mut rnd = move || {
            x = x
                .wrapping_mul(0x2545_f491_4f6c_dd1d_9e37_79b9_7f4a_7c15)
                .wrapping_add(1);
            Block(x ^ (x >> 61))
        };
        let delta = rnd().with_lsb(true);
        let salt = rnd();
        let tw = |first_gate| Tweak { salt, first_gate };
        let mut sc = Scratch::new();
        for (n, first) in (1..=BATCH).flat_map(|n| [(n, 77u64), (n, u64::MAX - 5)]) {
            let a0: [Block; BATCH] = core::array::from_fn(|_| rnd());
            let b0: [Block; BATCH] = core::array::from_fn(|_| rnd());
            let (mut t1, mut l1) = ([Block::ZERO; 2 * BATCH], [Block::ZERO; BATCH]);
            let (mut t2, mut l2) = ([Block::ZERO; 2 * BATCH], [Block::ZERO; BATCH]);
            garble_portable(&a0[..n], &b0[..n], delta, tw(first), &mut t1, &mut l1);
            if PI.garble_fused(
                &mut sc,
                (&a0[..n], &b0[..n]),
                delta,
                tw(first),
                &mut t2,
                &mut l2,
            ) {
                assert_eq!(&t1[..2 * n], &t2[..2 * n], "n = {n}");
                assert_eq!(&l1[..n], &l2[..n], "n = {n}");
            }
            let bits: [(bool, bool); BATCH] = core::array::from_fn(|k| (k % 2 == 1, k % 3 == 0));
            let a: [Block; BATCH] =
                core::array::from_fn(|k| a0[k] ^ (Block::mask(bits[k].0) & delta));
            let b: [Block; BATCH] =
                core::array::from_fn(|k| b0[k] ^ (Block::mask(bits[k].1) & delta));
            let (mut e1, mut e2) = ([Block::ZERO; BATCH], [Block::ZERO; BATCH]);
            evaluate_portable(&a[..n], &b[..n], &t1, tw(first), &mut e1);
            if PI.evaluate_fused(&mut sc, &a[..n], &b[..n], &t1, tw(first), &mut e2) {
                assert_eq!(&e1[..n], &e2[..n], "n = {n}");
            }
            for k in 0..n {
                let v = bits[k].0 & bits[k].1;
                assert_eq!(e1[k], l1[k] ^ (Block::mask(v) & delta), "gate {k} of {n}");
            }
        }
    }

    /// The streamed path of `garble_and_gates` (from `STREAM_GATES` gates on: non-temporal
    /// stores from the fused kernel, or from L1 staging for the portable one; prefetch)
    /// writes exactly what the plain path writes, appended to tables already there;
    /// evaluating its tables gives the AND of the bits.
    #[test]
    fn streamed_kernel_matches_plain_kernel() {
        let mut rng = rand::rng();
        let delta = Delta::random(&mut rng);
        let salt = Block::random(&mut rng);
        let tw = |first_gate| Tweak { salt, first_gate };
        let n = STREAM_GATES + 77;
        let a0: Vec<Block> = (0..n).map(|_| Block::random(&mut rng)).collect();
        let b0: Vec<Block> = (0..n).map(|_| Block::random(&mut rng)).collect();
        let (mut out_s, mut tab_s) = (vec![Block::ZERO; n], vec![Block::ONES; 3]);
        garble_and_gates(&delta, tw(9), &a0, &b0, &mut out_s, &mut tab_s);
        // the plain path, in pieces below the threshold (gate numbers continued)
        let (mut out_p, mut tab_p) = (vec![Block::ZERO; n], vec![Block::ONES; 3]);
        let half = n / 2;
        assert!(half < STREAM_GATES);
        garble_and_gates(
            &delta,
            tw(9),
            &a0[..half],
            &b0[..half],
            &mut out_p[..half],
            &mut tab_p,
        );
        let g = 9 + half as u64;
        garble_and_gates(
            &delta,
            tw(g),
            &a0[half..],
            &b0[half..],
            &mut out_p[half..],
            &mut tab_p,
        );
        assert_eq!(tab_s.len(), 3 + 2 * n);
        assert!(tab_s == tab_p, "tables differ");
        assert!(out_s == out_p, "output labels differ");
        // the staged path of the portable kernel (what a CPU without VAES runs)
        let (mut out_q, mut tab_q) = (vec![Block::ZERO; n], vec![Block::ONES; 3]);
        garble_streamed(
            delta.as_block(),
            tw(9),
            &a0,
            &b0,
            &mut out_q,
            &mut tab_q,
            false,
        );
        assert!(tab_q == tab_p, "portable streamed tables differ");
        assert!(out_q == out_p, "portable streamed output labels differ");
        let d = delta.as_block();
        let bit = |i: usize, k: usize| (i * 7 + k * 3) % 5 < 2;
        let a: Vec<Block> = (0..n)
            .map(|i| a0[i] ^ (Block::mask(bit(i, 0)) & d))
            .collect();
        let b: Vec<Block> = (0..n)
            .map(|i| b0[i] ^ (Block::mask(bit(i, 1)) & d))
            .collect();
        let mut e = vec![Block::ZERO; n];
        evaluate_and_gates(tw(9), &a, &b, &tab_s[3..], &mut e);
        for i in 0..n {
            let v = bit(i, 0) & bit(i, 1);
            assert_eq!(e[i], out_s[i] ^ (Block::mask(v) & d), "gate {i}");
        }
    }
}
