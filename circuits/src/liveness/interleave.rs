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
//! otherwise the one of those due soonest. The result is a topological order (an op is placed only
//! once its producers in the run are), deterministic, and close to the original one, so
//! live ranges, and the label array, hardly grow (`aes_128`: the same peak of 1,645 live
//! wires; 14 of its 30,263 XORs now read the op just before, against 14,428).
//!
//! Measured on `aes_128` (criterion, best of alternating runs on a noisy 2-vCPU machine):
//! evaluate 138 → 129 µs per block, garble 149 → 145 µs. The distance is a tuning choice:
//! 8 and 12 evaluate alike, 12 garbled faster.

use super::passes::{RawOp, WireMap, reads};

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
    /// (producer, consumer) pairs, and a cursor per producer, while building `users`
    edges: Vec<(u32, u32)>,
    cursor: Vec<u32>,
    /// ready ops, one bit per op of the run
    ready: Vec<u64>,
}

impl Interleaver {
    /// Reorder `win[s..e]`, a run of XOR-class ops (no AND). `pos` maps each output wire of
    /// the window to its index in `win`; operands produced outside `s..e` count as far.
    pub(crate) fn run(&mut self, win: &mut [RawOp], s: usize, e: usize, pos: &WireMap) {
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
        self.edges.clear();
        for (k, op) in self.run.iter().enumerate() {
            for &w in reads(op) {
                match pos.get(w) {
                    // the window is topological: an in-run producer comes before k
                    Some(j) if (s..s + k).contains(&(j as usize)) => {
                        self.edges.push((j - s as u32, k as u32));
                        self.waiting[k] += 1;
                    }
                    _ => {}
                }
            }
        }
        self.first.clear();
        self.first.resize(n + 1, 0);
        for &(j, _) in &self.edges {
            self.first[j as usize + 1] += 1;
        }
        for k in 0..n {
            self.first[k + 1] += self.first[k];
        }
        self.users.clear();
        self.users.resize(self.edges.len(), 0);
        // fill by a cursor per producer (edges come in consumer order, so each producer's
        // consumers stay in run order)
        self.cursor.clear();
        self.cursor.extend_from_slice(&self.first[..n]);
        for &(j, k) in &self.edges {
            let c = &mut self.cursor[j as usize];
            self.users[*c as usize] = k;
            *c += 1;
        }
        self.ready.clear();
        self.ready.resize(n.div_ceil(64), 0);
        for k in 0..n {
            if self.waiting[k] == 0 {
                self.ready[k / 64] |= 1 << (k % 64);
            }
        }
        // the lowest ready op never moves back: a newly ready op comes after the op placed
        let mut lo = 0;
        for step in 0..n as u32 {
            while self.ready[lo] == 0 {
                lo += 1;
            }
            let k = self.pick(lo, step);
            self.ready[k / 64] &= !(1 << (k % 64));
            win[s + step as usize] = self.run[k];
            for &u in &self.users[self.first[k] as usize..self.first[k + 1] as usize] {
                let u = u as usize;
                self.due[u] = self.due[u].max(step + DISTANCE);
                self.waiting[u] -= 1;
                if self.waiting[u] == 0 {
                    self.ready[u / 64] |= 1 << (u % 64);
                }
            }
        }
    }

    /// The first of the first [`LOOKAHEAD`] ready ops (from word `lo` on, which is not
    /// empty) that is due at `step`; if none is, the one of them due soonest (the first
    /// such), so that fewer than [`DISTANCE`] chains are taken in turn.
    fn pick(&self, lo: usize, step: u32) -> usize {
        let mut best = lo * 64 + self.ready[lo].trailing_zeros() as usize;
        let mut seen = 0;
        for (i, &word) in self.ready.iter().enumerate().skip(lo) {
            let mut w = word;
            while w != 0 {
                let k = i * 64 + w.trailing_zeros() as usize;
                if self.due[k] <= step {
                    return k;
                }
                if self.due[k] < self.due[best] {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liveness::{K_INV, K_XOR};

    /// Reorder `ops` (one run, outputs numbered from 1000) and return the new order.
    fn spread(ops: &[RawOp]) -> Vec<RawOp> {
        let mut win = ops.to_vec();
        let mut pos = WireMap::with_capacity(ops.len());
        for (j, p) in win.iter().enumerate() {
            pos.insert(p[2], j as u32);
        }
        Interleaver::default().run(&mut win, 0, ops.len(), &pos);
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
