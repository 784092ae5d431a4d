//! Pass 0, second step: spread dependent XORs apart.
//!
//! An executor runs an XOR op as `slots[out] = slots[a] ⊕ slots[b]`, through memory. When
//! an op reads the slot the op just before it wrote, the load waits for that store to be
//! forwarded (about 8 cycles on current x86 cores, several times the op's own cost), and
//! Bristol files list linear layers chain by chain: in `aes_128`, 48 % of the XORs read the
//! output of the op right before them. Inside each run of XOR-class ops that the level sort
//! put together, [`Interleaver`] reorders greedily, in the manner of a list scheduler: at
//! each step it takes the first op (in the run's order) whose operands were produced at
//! least [`DISTANCE`] ops earlier, looking at the first [`LOOKAHEAD`] ready ops, and
//! otherwise the one of those due soonest. The result is a topological order (an op is
//! placed only once its producers in the run are), deterministic, and close to the
//! original one, so live ranges, and the label array, hardly grow (`aes_128`: the same
//! peak of 1,645 live wires; 14 of its 30,263 XORs now read the op just before, against
//! 14,428).
//!
//! Measured on `aes_128` (criterion, best of alternating runs on a noisy 2-vCPU machine):
//! evaluate 138 → 129 µs per block, garble 149 → 145 µs. The distance is a tuning choice:
//! 8 and 12 evaluate alike, 12 garbled faster.

use super::passes::{NO_OP, RawOp};

/// Ops an XOR is kept from the op producing one of its operands, where the run allows.
pub(crate) const DISTANCE: u32 = 12;
/// Ready ops looked at per step, in run order.
pub(crate) const LOOKAHEAD: usize = 64;

/// Scratch of the reordering, reused across runs (O(run length), no allocation per op).
#[derive(Default)]
pub(crate) struct Interleaver {
    /// the run as it was
    run: Vec<RawOp>,
    /// per op of the run: in-run producers not placed yet
    waiting: Vec<u32>,
    /// per op: the step from which it is far enough from its producers
    due: Vec<u32>,
    /// consumers of each op, CSR: `users[first[k]..first[k + 1]]`
    first: Vec<u32>,
    users: Vec<u32>,
    /// a cursor per producer while filling `users`
    cursor: Vec<u32>,
    /// ready ops, one bit per op of the run, and one bit per non-empty word of `ready`
    /// (so that a step skips empty words at once: a run of a few long chains has its
    /// ready ops far apart)
    ready: Vec<u64>,
    words: Vec<u64>,
}

impl Interleaver {
    /// Reorder `win[s..e]`, a run of XOR-class ops (no AND). `srcs[j]` holds the window
    /// indices of the producers of `win[j]`'s operands ([`NO_OP`] for none in the window);
    /// operands produced outside `s..e` count as far.
    pub(crate) fn run(&mut self, win: &mut [RawOp], s: usize, e: usize, srcs: &[[u32; 2]]) {
        let n = e - s;
        if n < 3 {
            return;
        }
        self.run.clear();
        self.run.extend_from_slice(&win[s..e]);
        self.waiting.clear();
        self.waiting.resize(n, 0);
        self.due.clear();
        self.due.resize(n, 0);
        // consumers of each op, CSR: count, prefix sums, then fill by a cursor per producer
        // (consumers visited in run order, so each producer's stay in run order)
        let in_run = |k: usize, j: u32| j != NO_OP && (s..s + k).contains(&(j as usize));
        self.first.clear();
        self.first.resize(n + 1, 0);
        for (k, src) in srcs[s..e].iter().enumerate() {
            // the window is topological: an in-run producer comes before k
            for &j in src.iter().filter(|&&j| in_run(k, j)) {
                self.first[j as usize - s + 1] += 1;
                self.waiting[k] += 1;
            }
        }
        for k in 0..n {
            self.first[k + 1] += self.first[k];
        }
        self.users.clear();
        self.users.resize(self.first[n] as usize, 0);
        self.cursor.clear();
        self.cursor.extend_from_slice(&self.first[..n]);
        for (k, src) in srcs[s..e].iter().enumerate() {
            for &j in src.iter().filter(|&&j| in_run(k, j)) {
                let c = &mut self.cursor[j as usize - s];
                self.users[*c as usize] = k as u32;
                *c += 1;
            }
        }
        self.ready.clear();
        self.ready.resize(n.div_ceil(64), 0);
        self.words.clear();
        self.words.resize(n.div_ceil(64 * 64), 0);
        for k in 0..n {
            if self.waiting[k] == 0 {
                set_ready(&mut self.ready, &mut self.words, k);
            }
        }
        for step in 0..n as u32 {
            let k = self.pick(step);
            self.ready[k / 64] &= !(1 << (k % 64));
            if self.ready[k / 64] == 0 {
                self.words[k / 4096] &= !(1 << (k / 64 % 64));
            }
            win[s + step as usize] = self.run[k];
            for &u in &self.users[self.first[k] as usize..self.first[k + 1] as usize] {
                let u = u as usize;
                self.due[u] = self.due[u].max(step + DISTANCE);
                self.waiting[u] -= 1;
                if self.waiting[u] == 0 {
                    set_ready(&mut self.ready, &mut self.words, u);
                }
            }
        }
    }

    /// The non-empty words of `ready`, in order: `(index, word)`.
    fn ready_words(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        self.words.iter().enumerate().flat_map(move |(j, &sum)| {
            let mut sum = sum;
            std::iter::from_fn(move || {
                (sum != 0).then(|| {
                    let i = j * 64 + sum.trailing_zeros() as usize;
                    sum &= sum - 1;
                    (i, self.ready[i])
                })
            })
        })
    }

    /// The first of the first [`LOOKAHEAD`] ready ops that is due at `step`; if none is,
    /// the one of them due soonest (the first such), so that fewer than [`DISTANCE`] chains
    /// are taken in turn. A topological run always has a ready op (the first op not placed).
    fn pick(&self, step: u32) -> usize {
        let mut best = usize::MAX;
        let mut seen = 0;
        for (i, word) in self.ready_words() {
            let mut w = word;
            while w != 0 {
                let k = i * 64 + w.trailing_zeros() as usize;
                if self.due[k] <= step {
                    return k;
                }
                if best == usize::MAX || self.due[k] < self.due[best] {
                    best = k;
                }
                seen += 1;
                if seen == LOOKAHEAD {
                    return best;
                }
                w &= w - 1;
            }
        }
        best
    }
}

/// Mark op `k` ready in `ready` and its word non-empty in `words`.
#[inline]
fn set_ready(ready: &mut [u64], words: &mut [u64], k: usize) {
    ready[k / 64] |= 1 << (k % 64);
    words[k / 4096] |= 1 << (k / 64 % 64);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liveness::passes::reads;
    use crate::liveness::{K_INV, K_XOR};

    /// Reorder `ops` (one run, outputs numbered from 1000) and return the new order.
    fn spread(ops: &[RawOp]) -> Vec<RawOp> {
        let mut win = ops.to_vec();
        let at = |w: u32| {
            ops.iter()
                .position(|p| p[2] == w)
                .map_or(NO_OP, |j| j as u32)
        };
        let srcs: Vec<[u32; 2]> = ops
            .iter()
            .map(|p| {
                let r = reads(p);
                [0, 1].map(|k| r.get(k).map_or(NO_OP, |&w| at(w)))
            })
            .collect();
        Interleaver::default().run(&mut win, 0, ops.len(), &srcs);
        win
    }

    /// `chains` XOR chains of `len` ops each, listed chain by chain (as Bristol files list
    /// linear layers); chain `c` starts from input wire `c`, and every fifth op is an INV.
    fn chains(chains: u32, len: u32) -> Vec<RawOp> {
        let mut ops = Vec::new();
        for c in 0..chains {
            let mut prev = c;
            for i in 0..len {
                let out = 1000 + c * len + i;
                ops.push(if i % 5 == 4 {
                    [prev, 0, out, K_INV]
                } else {
                    [prev, 100 + c, out, K_XOR]
                });
                prev = out;
            }
        }
        ops
    }

    /// The distances from each op to the in-run producers of its operands, checking that
    /// every producer comes first.
    fn distances(ops: &[RawOp]) -> Vec<usize> {
        let at = |w: u32| ops.iter().position(|p| p[2] == w);
        let mut d = Vec::new();
        for (k, p) in ops.iter().enumerate() {
            for &w in reads(p) {
                if let Some(j) = at(w) {
                    assert!(j < k, "op {k} reads wire {w}, produced later at {j}");
                    d.push(k - j);
                }
            }
        }
        d
    }

    #[test]
    fn chains_are_interleaved_in_topological_order() {
        for (n, len) in [
            (1, 30),
            (2, 40),
            (3, 17),
            (8, 40),
            (13, 20),
            (20, 9),
            (100, 3),
        ] {
            let ops = chains(n, len);
            let got = spread(&ops);
            let mut a = ops.clone();
            let mut b = got.clone();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{n} chains: not a permutation");
            assert!(distances(&ops).iter().all(|&d| d == 1));
            // with n chains a distance of min(n, DISTANCE) is possible, but the greedy order
            // takes the chains DISTANCE at a time, so the last few run with fewer partners
            let want = (n as usize).min(DISTANCE as usize);
            let d = distances(&got);
            let short = d.iter().filter(|&&x| x < want).count();
            // the greedy order may leave the last chain alone: at most one chain of reads
            // right after their producer
            let adjacent = d.iter().filter(|&&x| x == 1).count();
            assert!(
                short * 2 <= d.len() && (n == 1 || adjacent <= len as usize),
                "{n} chains of {len}: {short} of {} reads nearer than {want}, {adjacent} \
                 adjacent: {d:?}",
                d.len()
            );
        }
    }

    #[test]
    fn independent_ops_keep_their_order() {
        let ops: Vec<RawOp> = (0..200).map(|i| [i, i + 1, 1000 + i, K_XOR]).collect();
        assert_eq!(spread(&ops), ops);
    }
}
