//! The per-op logic of the three passes of the slot compiler (see the [module
//! docs](super)), shared by [`SlotMap::compute`](super::SlotMap::compute) (all ops in memory)
//! and the streaming compiler [`crate::program_file`] (ops in a file, a chunk at a time).
//!
//! Ops of passes 0 and 1 ([`RawOp`]) are `[a, b, out, meta]` with full 32-bit wire ids (an
//! EQ's constant in `a`) and `meta` = kind (`K_*`, bits 0–2) plus pass 1's marks
//! ([`RAW_LAST_A`], [`RAW_LAST_B`], [`RAW_DEAD`]); pass 2 turns each into its final
//! [`PackedOp`] over slots. Wire ids are not packed with flags, so a compiled program may
//! have up to 2^32 − 2 wires (its slots, bounded by the live wires, are packed).

use super::interleave::Interleaver;
use super::{
    FLUSH, K_AND, K_CONST, K_COPY, K_INV, K_XOR, KIND_SHIFT, MASK, PackedOp, ProgramShape,
    RESERVED_SLOTS, SLOT_FALSE, SLOT_NOT, SLOT_SCRATCH, SLOT_TRUE, SLOT_ZERO, WINDOW,
};
use crate::{Gate, WireId};

/// A pass-0/1 op with wire ids: `[a, b, out, meta]` (see the module docs).
pub(crate) type RawOp = [u32; 4];

/// Bytes of a [`RawOp`] in the streaming compiler's file (four little-endian words).
pub(crate) const RAW_BYTES: usize = 16;
/// `meta` bits 0–2: the kind.
const RAW_KIND: u32 = 0b111;
/// `meta`: operand `a` is read for the last time here.
pub(crate) const RAW_LAST_A: u32 = 1 << 3;
/// `meta`: operand `b` is read for the last time here.
pub(crate) const RAW_LAST_B: u32 = 1 << 4;
/// `meta`: the output is never read and is not a circuit output.
pub(crate) const RAW_DEAD: u32 = 1 << 5;

#[inline(always)]
fn pack_k(kind: u32, a: u32, b: u32, out: u32) -> RawOp {
    [a, b, out, kind]
}

#[inline(always)]
fn kind(p: &RawOp) -> u32 {
    p[3] & RAW_KIND
}

/// The file form of a raw op.
#[inline]
pub(crate) fn raw_to_bytes(p: &RawOp) -> [u8; RAW_BYTES] {
    let mut b = [0u8; RAW_BYTES];
    for (d, w) in b.chunks_exact_mut(4).zip(p) {
        d.copy_from_slice(&w.to_le_bytes());
    }
    b
}

/// A raw op from its file form (`rec` holds [`RAW_BYTES`] bytes).
#[inline]
pub(crate) fn raw_from_bytes(rec: &[u8]) -> RawOp {
    let w =
        |i: usize| u32::from_le_bytes([rec[4 * i], rec[4 * i + 1], rec[4 * i + 2], rec[4 * i + 3]]);
    [w(0), w(1), w(2), w(3)]
}

/// The pass-0 op of a gate other than MAND (a [`Gate::Mand`] gives `None`: its ANDs come
/// from [`and_op`] over its operands).
#[inline(always)]
pub(crate) fn gate_op(g: Gate) -> Option<RawOp> {
    Some(match g {
        Gate::Xor { a, b, out } => pack_k(K_XOR, a, b, out),
        Gate::And { a, b, out } => pack_k(K_AND, a, b, out),
        Gate::Inv { a, out } => pack_k(K_INV, a, 0, out),
        Gate::Eq { value, out } => pack_k(K_CONST, value as u32, 0, out),
        Gate::Eqw { a, out } => pack_k(K_COPY, a, 0, out),
        Gate::Mand { .. } => return None,
    })
}

/// The pass-0 op of one AND of a MAND gate.
#[inline(always)]
pub(crate) fn and_op(a: WireId, b: WireId, out: WireId) -> RawOp {
    pack_k(K_AND, a, b, out)
}

/// The wires a pass-0 op reads.
#[inline(always)]
pub(crate) fn reads(p: &RawOp) -> &[u32] {
    match kind(p) {
        K_XOR | K_AND => &p[..2],
        K_INV | K_COPY => &p[..1],
        _ => &[],
    }
}

/// Whether a pass-0 op is an AND.
#[inline(always)]
pub(crate) fn is_and(p: &RawOp) -> bool {
    kind(p) == K_AND
}

/// A hash map `u32 → u32` for wire ids (open addressing, linear probing, backward-shift
/// deletion; keys below `u32::MAX`). It grows to twice its largest size, rounded up to a
/// power of two, and never shrinks; nothing is allocated per insert otherwise.
#[derive(Clone, Debug)]
pub(crate) struct WireMap {
    keys: Vec<u32>,
    vals: Vec<u32>,
    len: usize,
    shift: u32,
}

const EMPTY: u32 = u32::MAX;

impl WireMap {
    /// An empty map with room for about `n` entries before it grows.
    pub(crate) fn with_capacity(n: usize) -> WireMap {
        let cap = (2 * n).next_power_of_two().max(16);
        WireMap {
            keys: vec![EMPTY; cap],
            vals: vec![0; cap],
            len: 0,
            shift: 64 - cap.trailing_zeros(),
        }
    }

    #[inline(always)]
    fn home(&self, k: u32) -> usize {
        ((k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline(always)]
    fn mask(&self) -> usize {
        self.keys.len() - 1
    }

    /// Index of `k`, or of the empty entry where it would go.
    #[inline(always)]
    fn find(&self, k: u32) -> usize {
        let mut i = self.home(k);
        while self.keys[i] != k && self.keys[i] != EMPTY {
            i = (i + 1) & self.mask();
        }
        i
    }

    /// The value of `k`.
    #[inline]
    pub(crate) fn get(&self, k: u32) -> Option<u32> {
        let i = self.find(k);
        (self.keys[i] == k).then(|| self.vals[i])
    }

    /// Set the value of `k`.
    #[inline]
    pub(crate) fn insert(&mut self, k: u32, v: u32) {
        if 2 * (self.len + 1) > self.keys.len() {
            self.grow();
        }
        let i = self.find(k);
        if self.keys[i] == EMPTY {
            self.keys[i] = k;
            self.len += 1;
        }
        self.vals[i] = v;
    }

    /// Remove `k` (if present).
    #[inline]
    pub(crate) fn remove(&mut self, k: u32) {
        let mut i = self.find(k);
        if self.keys[i] == EMPTY {
            return;
        }
        self.len -= 1;
        // Backward shift: move later entries of the probe run into the hole unless their
        // home lies cyclically in (hole, their index].
        let mut j = i;
        loop {
            j = (j + 1) & self.mask();
            let kj = self.keys[j];
            if kj == EMPTY {
                break;
            }
            let h = self.home(kj);
            let stays = if i <= j {
                i < h && h <= j
            } else {
                i < h || h <= j
            };
            if !stays {
                self.keys[i] = kj;
                self.vals[i] = self.vals[j];
                i = j;
            }
        }
        self.keys[i] = EMPTY;
    }

    /// Remove every entry (O(capacity)).
    pub(crate) fn clear(&mut self) {
        self.keys.fill(EMPTY);
        self.len = 0;
    }

    fn grow(&mut self) {
        let mut bigger = WireMap::with_capacity(self.keys.len());
        for (&k, &v) in self.keys.iter().zip(&self.vals) {
            if k != EMPTY {
                bigger.insert(k, v);
            }
        }
        *self = bigger;
    }
}

/// Pass 0: reorders the ops inside consecutive windows of [`WINDOW`] ops so that AND gates
/// that do not depend on each other come together (one flush per AND level of the window
/// instead of one per dependent pair): within a window, op keys are `2·level` for ANDs and
/// `2·level + 1` for the rest, where a wire's level counts the ANDs on its longest path
/// inside the window (wires from earlier windows have level 0); a stable sort by key keeps
/// the order topological (an AND of level L reads levels < L; any other op reads levels
/// ≤ L, and ties keep their original, topological, order). Windows bound the extra live
/// wires to about one window. Then each run of non-AND ops with one key is reordered by
/// [`Interleaver`] (topologically again: it only moves ops after their producers). Memory
/// O(WINDOW): the levels and window indices of the window's wires only.
pub(crate) struct Scheduler {
    level: WireMap,
    keys: Vec<u64>,
    tmp: Vec<RawOp>,
    /// per op (window order): the window indices of its operands' producers, or [`NO_OP`]
    prod: Vec<[u32; 2]>,
    /// per op: its index after the sort
    sorted: Vec<u32>,
    /// `prod` in sorted order and in sorted indices
    srcs: Vec<[u32; 2]>,
    spread: Interleaver,
}

impl Scheduler {
    pub(crate) fn new() -> Scheduler {
        Scheduler {
            level: WireMap::with_capacity(WINDOW),
            keys: Vec::with_capacity(WINDOW),
            tmp: Vec::with_capacity(WINDOW),
            prod: Vec::with_capacity(WINDOW),
            sorted: Vec::with_capacity(WINDOW),
            srcs: Vec::with_capacity(WINDOW),
            spread: Interleaver::default(),
        }
    }

    /// Reorder one window (at most [`WINDOW`] ops; the windows of a program are its
    /// consecutive runs of `WINDOW` ops, the last one possibly shorter).
    pub(crate) fn window(&mut self, win: &mut [RawOp]) {
        self.level.clear();
        self.keys.clear();
        self.prod.clear();
        let level = &mut self.level;
        for (i, p) in win.iter().enumerate() {
            // `level` holds `level << POS_BITS | index in the window` of each output so far
            let r = reads(p);
            let got = [0, 1].map(|k| r.get(k).and_then(|&w| level.get(w)));
            let lv = |k: usize| got[k].map_or(0, |v| v >> POS_BITS);
            let (l, key) = match kind(p) {
                K_XOR => {
                    let l = lv(0).max(lv(1));
                    (l, 2 * l + 1)
                }
                K_AND => {
                    let l = lv(0).max(lv(1)) + 1;
                    (l, 2 * l)
                }
                K_INV | K_COPY => {
                    let l = lv(0);
                    (l, 2 * l + 1)
                }
                _ => (0, 1),
            };
            level.insert(p[2], l << POS_BITS | i as u32);
            self.prod
                .push(got.map(|g| g.map_or(NO_OP, |v| v & POS_MASK)));
            self.keys.push((key as u64) << 32 | i as u64);
        }
        self.keys.sort_unstable();
        self.tmp.clear();
        self.tmp.extend_from_slice(win);
        // `sorted[i]`: the new index of op `i`
        self.sorted.clear();
        self.sorted.resize(win.len(), 0);
        for (j, (dst, k)) in win.iter_mut().zip(&self.keys).enumerate() {
            let i = (*k & 0xffff_ffff) as usize;
            *dst = self.tmp[i];
            self.sorted[i] = j as u32;
        }
        // then spread dependent ops apart inside each run of non-AND ops of one level, given
        // the new indices of each op's producers in the window
        self.srcs.clear();
        let sorted = &self.sorted;
        let new = |o: u32| {
            if o == NO_OP {
                NO_OP
            } else {
                sorted[o as usize]
            }
        };
        self.srcs.extend(
            self.keys
                .iter()
                .map(|k| self.prod[(*k & 0xffff_ffff) as usize].map(new)),
        );
        let mut s = 0;
        while s < win.len() {
            let key = self.keys[s] >> 32;
            let e = s + self.keys[s..]
                .iter()
                .take_while(|k| *k >> 32 == key)
                .count();
            if key & 1 == 1 {
                self.spread.run(win, s, e, &self.srcs);
            }
            s = e;
        }
    }
}

/// Bits of a window index in the scheduler's level map values.
const POS_BITS: u32 = 13;
const POS_MASK: u32 = (1 << POS_BITS) - 1;
const _: () = assert!(WINDOW <= 1 << POS_BITS);
/// No producer in the window.
pub(crate) const NO_OP: u32 = u32::MAX;

#[inline(always)]
fn set(bits: &mut [u64], w: WireId) -> bool {
    let (i, m) = (w as usize / 64, 1u64 << (w % 64));
    let was = bits[i] & m != 0;
    bits[i] |= m;
    was
}

#[inline(always)]
fn get(bits: &[u64], w: WireId) -> bool {
    bits[w as usize / 64] >> (w % 64) & 1 == 1
}

/// The bit set of pass 1 ("read later?", one bit per wire) before the last op: the output
/// wires (the last `output_bits` of `num_wires`) are read at the end.
pub(crate) fn read_later_at_end(num_wires: u32, output_bits: u32) -> Vec<u64> {
    let mut bits = vec![0u64; (num_wires as usize).div_ceil(64)];
    for w in num_wires - output_bits..num_wires {
        set(&mut bits, w);
    }
    bits
}

/// Pass 1, one op (the ops are visited last to first): mark each operand read for the last
/// time (LAST) and a dead output (DEAD), and note the reads in `read_later`.
#[inline(always)]
pub(crate) fn mark_last_uses(p: &mut RawOp, read_later: &mut [u64]) {
    if !get(read_later, p[2]) {
        p[3] |= RAW_DEAD;
    }
    match kind(p) {
        K_XOR | K_AND => {
            if !set(read_later, p[0]) {
                p[3] |= RAW_LAST_A;
            }
            if !set(read_later, p[1]) {
                p[3] |= RAW_LAST_B;
            }
        }
        K_INV | K_COPY if !set(read_later, p[0]) => p[3] |= RAW_LAST_A,
        _ => {}
    }
}

/// Pass 2's wire → slot table.
pub(crate) trait SlotTable {
    /// The slot of live wire `w`.
    fn slot(&self, w: WireId) -> u32;
    /// `w` is now live in slot `s`.
    fn set(&mut self, w: WireId, s: u32);
    /// `w` was read for the last time.
    fn forget(&mut self, w: WireId);
}

/// One entry per wire (for programs held in memory).
impl SlotTable for Vec<u32> {
    #[inline(always)]
    fn slot(&self, w: WireId) -> u32 {
        self[w as usize]
    }
    #[inline(always)]
    fn set(&mut self, w: WireId, s: u32) {
        self[w as usize] = s;
    }
    #[inline(always)]
    fn forget(&mut self, _: WireId) {}
}

/// Live wires only (memory O(peak live wires)).
impl SlotTable for WireMap {
    #[inline(always)]
    fn slot(&self, w: WireId) -> u32 {
        // Every wire read is live (a valid circuit, pass 1); the scratch slot otherwise.
        self.get(w).unwrap_or(SLOT_SCRATCH)
    }
    #[inline(always)]
    fn set(&mut self, w: WireId, s: u32) {
        self.insert(w, s);
    }
    #[inline(always)]
    fn forget(&mut self, w: WireId) {
        self.remove(w);
    }
}

/// The most unreserved slots of a slot program (slots are packed in 29 bits after the
/// reserved ones): so the most input wires (each has its own slot) and live wires at once.
pub(crate) const MAX_INPUT_BITS: u32 = MASK - RESERVED_SLOTS;

/// Pass 2: slot allocation with a free list (freed slots of last uses first, so an output
/// may take over an input's slot) and the flush stamps. Memory O(peak) plus the table.
pub(crate) struct Allocator<T> {
    slots: T,
    free: Vec<u32>,
    /// `stamp[s] == epoch`: slot s was written by an AND since the last flush flag.
    stamp: Vec<u32>,
    epoch: u32,
    next: u32,
    /// a slot was needed past the packing's limit (see `fits`)
    overflow: bool,
}

impl<T: SlotTable> Allocator<T> {
    /// Start pass 2 with `input_bits` input wires in slots `RESERVED_SLOTS ..` (at most
    /// [`MAX_INPUT_BITS`], checked by the callers' headers); those that are never read (per
    /// pass 1's final `read_later`) are free from the start.
    pub(crate) fn new(input_bits: u32, read_later: &[u64], mut slots: T) -> Self {
        let mut free = Vec::new();
        for w in 0..input_bits {
            if get(read_later, w) {
                slots.set(w, RESERVED_SLOTS + w);
            } else {
                free.push(RESERVED_SLOTS + w);
            }
        }
        Allocator {
            slots,
            free,
            stamp: vec![0; (RESERVED_SLOTS + input_bits) as usize],
            epoch: 1,
            next: RESERVED_SLOTS + input_bits,
            overflow: false,
        }
    }

    /// The final packed form of one marked op (ops in program order): every op becomes
    /// `out := a XOR b` or `out := a AND b` over slots. A slot past the packing's
    /// 2^29 − 1 (more live wires than that) is not handed out: [`Allocator::fits`] then
    /// turns false, and the program must be refused.
    #[inline]
    pub(crate) fn op(&mut self, op: &RawOp) -> PackedOp {
        let kind = kind(op);
        let out_w = op[2];
        let dead = op[3] & RAW_DEAD != 0;
        let reads = reads(op).len();
        // Look both operands up before freeing either (`x XOR x` reads a wire twice).
        let sa = if reads > 0 { self.slots.slot(op[0]) } else { 0 };
        let sb = if reads > 1 { self.slots.slot(op[1]) } else { 0 };
        let last = [op[3] & RAW_LAST_A != 0, op[3] & RAW_LAST_B != 0];
        for ((x, s), last) in [(op[0], sa), (op[1], sb)].into_iter().zip(last).take(reads) {
            if last {
                self.free.push(s);
                self.slots.forget(x);
            }
        }
        let (is_and, sa, sb) = match kind {
            K_XOR => (false, sa, sb),
            K_AND => (true, sa, sb),
            K_INV => (false, sa, SLOT_NOT),
            K_COPY => (false, sa, SLOT_ZERO),
            _ if op[0] == 1 => (false, SLOT_TRUE, SLOT_ZERO),
            _ => (false, SLOT_FALSE, SLOT_ZERO),
        };
        let mut new = [sa, sb, (is_and as u32) << KIND_SHIFT];
        if self.stamp[sa as usize] == self.epoch || self.stamp[sb as usize] == self.epoch {
            new[0] |= FLUSH;
            // Wrapping (past 2^32 flushes) can only add flags, never lose one.
            self.epoch = self.epoch.wrapping_add(1);
        }
        let so = if dead {
            SLOT_SCRATCH
        } else {
            let s = match self.free.pop() {
                Some(s) => s,
                // slots stop at the packing's limit (`fits` then fails): a program with
                // more live wires never grows the tables past it
                None if self.next <= MASK => {
                    self.stamp.push(0);
                    self.next += 1;
                    self.next - 1
                }
                None => {
                    self.overflow = true;
                    SLOT_SCRATCH
                }
            };
            self.slots.set(out_w, s);
            s
        };
        if is_and && so != SLOT_SCRATCH {
            self.stamp[so as usize] = self.epoch;
        }
        new[2] |= so & MASK;
        PackedOp(new)
    }

    /// The program's shape after the last op: `num_wires` wires of which the last
    /// `output_bits` are the outputs, `len` ops, `and_count` ANDs.
    pub(crate) fn shape(
        &self,
        input_bits: u32,
        num_wires: u32,
        output_bits: u32,
        len: u64,
        and_count: u64,
    ) -> ProgramShape {
        ProgramShape {
            input_slots: (RESERVED_SLOTS..RESERVED_SLOTS + input_bits).collect(),
            output_slots: (num_wires - output_bits..num_wires)
                .map(|w| self.slots.slot(w))
                .collect(),
            peak: self.next - RESERVED_SLOTS,
            len,
            and_count,
        }
    }

    /// Whether every slot handed out fits the packed op (at most 2^29 − 1, so fewer than
    /// about 2^29 simultaneously live wires).
    pub(crate) fn fits(&self) -> bool {
        !self.overflow
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn wire_map_matches_std_hash_map() {
        let mut x = 0x9E37_79B9u64;
        let mut rnd = move |m: u32| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % m as u64) as u32
        };
        for range in [8u32, 100, 5000, 1 << 29] {
            let mut m = WireMap::with_capacity(1);
            let mut want: HashMap<u32, u32> = HashMap::new();
            for step in 0..40_000u32 {
                let k = rnd(range);
                match rnd(3) {
                    0 => {
                        m.remove(k);
                        want.remove(&k);
                    }
                    _ => {
                        m.insert(k, step);
                        want.insert(k, step);
                    }
                }
                let probe = rnd(range);
                assert_eq!(m.get(probe), want.get(&probe).copied(), "range {range}");
                assert_eq!(m.len, want.len());
            }
            for (&k, &v) in &want {
                assert_eq!(m.get(k), Some(v));
            }
            m.clear();
            assert_eq!(m.get(rnd(range)), None);
        }
    }
}
