//! [`CircuitBuilder`]: build Boolean circuits gate by gate or with word-level gadgets.
//!
//! A builder hands out [`Wire`]s (its own wire ids) and [`Word`]s (`Vec<Wire>`, least
//! significant bit first). Gate-level operations ([`xor`](CircuitBuilder::xor),
//! [`and`](CircuitBuilder::and), [`inv`](CircuitBuilder::inv), [`or`](CircuitBuilder::or),
//! [`mux`](CircuitBuilder::mux)) fold constants and trivial cases (`x ^ x = 0`, `x & !x = 0`,
//! `!!x = x`, …) and reuse an identical earlier XOR/AND/INV gate (common subexpressions), so
//! the word gadgets in this module get their minimal AND counts by construction.
//!
//! Costs follow free-XOR garbling: XOR, INV, EQ and EQW cost nothing, each AND costs one
//! garbled gate. Every gadget documents its AND count for ℓ-bit words; the counts are
//! asserted by the tests in `circuits/tests/builder_*.rs`. For ℓ = 64: add 63, sub 63, neg 62,
//! mul 4033, comparisons 64, eq/ne 63, is_zero 63, mux 64 — as good as or better than the
//! standard Bristol files (adder64, sub64, neg64, mult64, zero_equal).
//!
//! [`CircuitBuilder::build`] drops gates that no output depends on, renumbers the wires in
//! Bristol Fashion layout (input values first, in the order of the [`input`] calls; the
//! output values are the last wires, in the order of the [`output`] calls) and returns a
//! validated [`Circuit`]. An output bit that is an input wire, or that is the same wire as an
//! earlier output bit, costs one EQW copy; nothing else is added.
//!
//! Wires belong to the builder that made them: passing a wire of another builder is a caller
//! bug (it panics when out of range, or silently refers to another wire). Word gadgets taking
//! two words panic if their widths differ (documented per gadget as "equal widths").
//!
//! [`input`]: CircuitBuilder::input
//! [`output`]: CircuitBuilder::output

use crate::{Circuit, CircuitError, Gate};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

mod arith;
mod bits;
mod compare;
mod div;

/// A wire of a [`CircuitBuilder`] (the builder's own id, not the final circuit's wire id:
/// [`CircuitBuilder::build`] renumbers wires).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Wire(u32);

impl Wire {
    /// The builder's id of this wire (creation order, from 0).
    pub fn id(self) -> u32 {
        self.0
    }
}

/// A word: wires least significant bit first (`word[k]` carries bit k of the value).
pub type Word = Vec<Wire>;

const NONE: u32 = u32::MAX;

/// A fast hasher for the CSE table's `u64` keys (folded 128-bit multiply). Not
/// DoS-resistant, which is fine: keys are the builder's own wire ids.
#[derive(Default)]
struct FoldHasher(u64);

impl Hasher for FoldHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(b as u64);
        }
    }
    fn write_u64(&mut self, x: u64) {
        let p = ((self.0 ^ x) as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835);
        self.0 = (p as u64) ^ ((p >> 64) as u64);
    }
}

type CseMap = HashMap<u64, u32, BuildHasherDefault<FoldHasher>>;

/// Known value of a wire: unknown, constant 0 or constant 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Known {
    Unknown,
    Const(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Xor,
    And,
    Inv,
    Eq,
}

/// One builder gate. For `Op::And`, `group` is the MAND group (consecutive gates with the
/// same group other than `NONE` become one MAND gate). For `Op::Eq`, `a` is the constant.
#[derive(Clone, Copy, Debug)]
struct BGate {
    op: Op,
    a: u32,
    b: u32,
    out: u32,
    group: u32,
}

/// Builds a [`Circuit`] from gates and word gadgets. See the [module docs](self).
#[derive(Debug, Default)]
pub struct CircuitBuilder {
    /// per wire: known constant value
    known: Vec<Known>,
    /// per wire: the wire holding its negation, if one was made (`NONE` otherwise)
    neg: Vec<u32>,
    /// per wire: is it an input wire?
    is_input: Vec<bool>,
    /// per wire: index of the XOR gate defining it (`NONE` if it is not an XOR output)
    xor_def: Vec<u32>,
    gates: Vec<BGate>,
    inputs: Vec<Word>,
    outputs: Vec<Word>,
    consts: [Option<Wire>; 2],
    /// common subexpressions, per op (XOR, AND): (min operand, max operand) → output wire
    cse: [CseMap; 2],
    next_group: u32,
    mand_layers: bool,
}

impl CircuitBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    fn new_wire(&mut self, known: Known, input: bool) -> Wire {
        let id = u32::try_from(self.known.len()).expect("more than 2^32 builder wires");
        assert!(id != NONE, "more than 2^32 - 1 builder wires");
        self.known.push(known);
        self.neg.push(NONE);
        self.is_input.push(input);
        self.xor_def.push(NONE);
        Wire(id)
    }

    fn konst(&self, w: Wire) -> Option<bool> {
        match self.known[w.0 as usize] {
            Known::Const(v) => Some(v),
            Known::Unknown => None,
        }
    }

    fn is_neg(&self, a: Wire, b: Wire) -> bool {
        self.neg[a.0 as usize] == b.0
    }

    /// Declare the next input value, `width` bits wide; returns its wires (LSB first).
    /// Input values appear in the built circuit in the order of these calls.
    pub fn input(&mut self, width: usize) -> Word {
        let w: Word = (0..width)
            .map(|_| self.new_wire(Known::Unknown, true))
            .collect();
        self.inputs.push(w.clone());
        w
    }

    /// Declare the next output value: the bits of `word`, LSB first. Output values appear in
    /// the built circuit in the order of these calls. A word may be output more than once
    /// and may contain input wires or constants.
    pub fn output(&mut self, word: &[Wire]) {
        for w in word {
            assert!((w.0 as usize) < self.known.len(), "foreign wire {w:?}");
        }
        self.outputs.push(word.to_vec());
    }

    /// The constant bit `value`: one EQ gate per builder, made on first use.
    pub fn constant(&mut self, value: bool) -> Wire {
        if let Some(w) = self.consts[value as usize] {
            return w;
        }
        let w = self.new_wire(Known::Const(value), false);
        self.gates.push(BGate {
            op: Op::Eq,
            a: value as u32,
            b: 0,
            out: w.0,
            group: NONE,
        });
        self.consts[value as usize] = Some(w);
        w
    }

    /// The constant `value` as a `width`-bit word (bit k = bit k of `value`; bits at or
    /// above 64 are 0). 0 ANDs; uses the two shared constant wires.
    pub fn constant_word(&mut self, value: u64, width: usize) -> Word {
        (0..width)
            .map(|k| self.constant(k < 64 && (value >> k) & 1 == 1))
            .collect()
    }

    fn cse_or_push(&mut self, op: Op, a: u32, b: u32) -> Wire {
        let key = (a.min(b) as u64) << 32 | a.max(b) as u64;
        let table = (op == Op::And) as usize;
        if let Some(&w) = self.cse[table].get(&key) {
            return Wire(w);
        }
        let w = self.new_wire(Known::Unknown, false);
        if op == Op::Xor {
            self.xor_def[w.0 as usize] = self.gates.len() as u32;
        }
        self.gates.push(BGate {
            op,
            a,
            b,
            out: w.0,
            group: NONE,
        });
        self.cse[table].insert(key, w.0);
        w
    }

    /// If `x` is the output of an XOR gate `y ^ z` with `y == a` or `z == a`, the other
    /// operand.
    fn xor_cancel(&self, x: Wire, a: Wire) -> Option<Wire> {
        let gi = self.xor_def[x.0 as usize];
        if gi == NONE {
            return None;
        }
        let g = &self.gates[gi as usize];
        if g.a == a.0 {
            Some(Wire(g.b))
        } else if g.b == a.0 {
            Some(Wire(g.a))
        } else {
            None
        }
    }

    /// `a XOR b` (free). Folds constants, `a ^ a = 0`, `a ^ !a = 1` and `a ^ (a ^ c) = c`.
    pub fn xor(&mut self, a: Wire, b: Wire) -> Wire {
        match (self.konst(a), self.konst(b)) {
            (Some(x), Some(y)) => return self.constant(x ^ y),
            (Some(false), None) => return b,
            (None, Some(false)) => return a,
            (Some(true), None) => return self.inv(b),
            (None, Some(true)) => return self.inv(a),
            (None, None) => {}
        }
        if a == b {
            return self.constant(false);
        }
        if self.is_neg(a, b) {
            return self.constant(true);
        }
        if let Some(c) = self.xor_cancel(b, a).or_else(|| self.xor_cancel(a, b)) {
            return c;
        }
        self.cse_or_push(Op::Xor, a.0, b.0)
    }

    /// `a AND b` (1 AND unless folded). Folds constants, `a & a = a` and `a & !a = 0`.
    pub fn and(&mut self, a: Wire, b: Wire) -> Wire {
        match (self.konst(a), self.konst(b)) {
            (Some(false), _) | (_, Some(false)) => return self.constant(false),
            (Some(true), _) => return b,
            (_, Some(true)) => return a,
            (None, None) => {}
        }
        if a == b {
            return a;
        }
        if self.is_neg(a, b) {
            return self.constant(false);
        }
        self.cse_or_push(Op::And, a.0, b.0)
    }

    /// `NOT a` (free). `!!a` is `a`; a wire is negated by at most one INV gate.
    pub fn inv(&mut self, a: Wire) -> Wire {
        if let Some(x) = self.konst(a) {
            return self.constant(!x);
        }
        let n = self.neg[a.0 as usize];
        if n != NONE {
            return Wire(n);
        }
        let w = self.new_wire(Known::Unknown, false);
        self.gates.push(BGate {
            op: Op::Inv,
            a: a.0,
            b: 0,
            out: w.0,
            group: NONE,
        });
        self.neg[a.0 as usize] = w.0;
        self.neg[w.0 as usize] = a.0;
        w
    }

    /// `a OR b` = `a ^ b ^ (a & b)`: 1 AND.
    pub fn or(&mut self, a: Wire, b: Wire) -> Wire {
        let x = self.xor(a, b);
        let y = self.and(a, b);
        self.xor(x, y)
    }

    /// `sel ? a : b` = `b ^ (sel & (a ^ b))`: 1 AND.
    pub fn mux(&mut self, sel: Wire, a: Wire, b: Wire) -> Wire {
        let d = self.xor(a, b);
        let t = self.and(sel, d);
        self.xor(b, t)
    }

    /// `lefts[k] AND rights[k]` for every k, emitted as one MAND gate (pairs that fold to a
    /// constant or an operand are not in the MAND; if all fold, no MAND is emitted).
    /// n ANDs for n unfolded pairs. No common-subexpression reuse.
    ///
    /// # Panics
    /// If the lengths differ.
    pub fn mand(&mut self, lefts: &[Wire], rights: &[Wire]) -> Word {
        assert_eq!(lefts.len(), rights.len(), "mand: operand lengths differ");
        let group = self.next_group;
        self.next_group += 1;
        let mut out = Vec::with_capacity(lefts.len());
        for (&a, &b) in lefts.iter().zip(rights) {
            let folds =
                self.konst(a).is_some() || self.konst(b).is_some() || a == b || self.is_neg(a, b);
            if folds {
                out.push(self.and(a, b));
            } else {
                let w = self.new_wire(Known::Unknown, false);
                self.gates.push(BGate {
                    op: Op::And,
                    a: a.0,
                    b: b.0,
                    out: w.0,
                    group,
                });
                out.push(w);
            }
        }
        out
    }

    /// If `on`, [`build`](Self::build) groups the AND gates into one MAND gate per AND layer
    /// (all ANDs at the same AND-depth), reordering gates by AND-depth. The AND count is
    /// unchanged. Off by default.
    pub fn set_mand_layers(&mut self, on: bool) {
        self.mand_layers = on;
    }

    /// Number of AND gates made so far (including ones [`build`](Self::build) will drop
    /// because no output needs them).
    pub fn and_count(&self) -> usize {
        self.gates.iter().filter(|g| g.op == Op::And).count()
    }

    /// Number of builder wires made so far.
    pub fn num_wires(&self) -> usize {
        self.known.len()
    }

    /// The finished circuit: unused gates dropped, wires renumbered in Bristol Fashion
    /// layout (inputs first, outputs last; see the [module docs](self)).
    ///
    /// # Errors
    /// [`CircuitError::TooLarge`] if the circuit exceeds the IR's limits (2^29 − 1 wires).
    pub fn build(&self) -> Result<Circuit, CircuitError> {
        let nw = self.known.len();
        // 1. liveness, backwards from the outputs
        let mut live = vec![false; nw];
        for w in self.outputs.iter().flatten() {
            live[w.0 as usize] = true;
        }
        let mut live_gates: Vec<usize> = Vec::new();
        for (i, g) in self.gates.iter().enumerate().rev() {
            if !live[g.out as usize] {
                continue;
            }
            live_gates.push(i);
            match g.op {
                Op::Xor | Op::And => {
                    live[g.a as usize] = true;
                    live[g.b as usize] = true;
                }
                Op::Inv => live[g.a as usize] = true,
                Op::Eq => {}
            }
        }
        live_gates.reverse();
        let groups: Vec<u32> = if self.mand_layers {
            self.order_by_and_layer(&mut live_gates)
        } else {
            live_gates.iter().map(|&gi| self.gates[gi].group).collect()
        };
        // 2. wire layout
        let ib: usize = self.inputs.iter().map(Vec::len).sum();
        let ob: usize = self.outputs.iter().map(Vec::len).sum();
        let too_large = CircuitError::TooLarge {
            what: "more than 2^29-1 wires",
        };
        let mut new_id = vec![NONE; nw];
        let mut next = 0u32;
        for w in self.inputs.iter().flatten() {
            new_id[w.0 as usize] = next;
            next += 1;
        }
        // output positions: Some(src) = needs an EQW copy from src
        let mut out_pos: Vec<(u32, bool)> = Vec::with_capacity(ob);
        let mut placed = vec![false; nw];
        for w in self.outputs.iter().flatten() {
            let i = w.0 as usize;
            let copy = self.is_input[i] || placed[i];
            placed[i] = true;
            out_pos.push((w.0, copy));
        }
        let internal = live_gates
            .iter()
            .filter(|&&gi| {
                let o = self.gates[gi].out as usize;
                // gate outputs are never input wires; a placed one lives in the output area
                !placed[o]
            })
            .count();
        let total = ib + internal + ob;
        if total > crate::MAX_WIRES as usize {
            return Err(too_large);
        }
        let out_base = (ib + internal) as u32;
        for (p, &(src, copy)) in out_pos.iter().enumerate() {
            if !copy && new_id[src as usize] == NONE {
                new_id[src as usize] = out_base + p as u32;
            }
        }
        for &gi in &live_gates {
            let o = self.gates[gi].out as usize;
            if new_id[o] == NONE {
                new_id[o] = next;
                next += 1;
            }
        }
        debug_assert_eq!(next as usize, ib + internal);
        // 3. emit
        let widths = |ws: &[Word]| ws.iter().map(|w| w.len() as u32).collect::<Vec<_>>();
        let mut c = Circuit::new(total as u32, widths(&self.inputs), widths(&self.outputs))?;
        let id = |w: u32| new_id[w as usize];
        let mut k = 0;
        let (mut ls, mut rs, mut os) = (Vec::new(), Vec::new(), Vec::new());
        while k < live_gates.len() {
            let g = self.gates[live_gates[k]];
            let group = groups[k];
            match g.op {
                Op::Xor => c.push(Gate::Xor {
                    a: id(g.a),
                    b: id(g.b),
                    out: id(g.out),
                })?,
                Op::Inv => c.push(Gate::Inv {
                    a: id(g.a),
                    out: id(g.out),
                })?,
                Op::Eq => c.push(Gate::Eq {
                    value: g.a != 0,
                    out: id(g.out),
                })?,
                Op::And if group == NONE => c.push(Gate::And {
                    a: id(g.a),
                    b: id(g.b),
                    out: id(g.out),
                })?,
                Op::And => {
                    ls.clear();
                    rs.clear();
                    os.clear();
                    while k < live_gates.len() {
                        let h = self.gates[live_gates[k]];
                        if h.op != Op::And || groups[k] != group {
                            break;
                        }
                        ls.push(id(h.a));
                        rs.push(id(h.b));
                        os.push(id(h.out));
                        k += 1;
                    }
                    c.push_mand(&ls, &rs, &os)?;
                    continue;
                }
            }
            k += 1;
        }
        for (p, &(src, copy)) in out_pos.iter().enumerate() {
            if copy {
                c.push(Gate::Eqw {
                    a: id(src),
                    out: out_base + p as u32,
                })?;
            }
        }
        c.finish()
    }

    /// Stable reorder of `gates` (topological) by AND layer; returns the MAND group of each
    /// reordered gate (its AND layer). Linear gates of AND-depth d (key 2d) precede the ANDs
    /// of depth d + 1 (key 2d + 1); operands of a gate with key k have smaller keys or are
    /// earlier gates with key k, so the order stays topological.
    fn order_by_and_layer(&self, gates: &mut [usize]) -> Vec<u32> {
        let mut depth = vec![0u32; self.known.len()];
        let mut keyed: Vec<(u32, usize)> = Vec::with_capacity(gates.len());
        for &gi in gates.iter() {
            let g = &self.gates[gi];
            let (dep, key) = match g.op {
                Op::Xor => {
                    let x = depth[g.a as usize].max(depth[g.b as usize]);
                    (x, 2 * x)
                }
                Op::Inv => {
                    let x = depth[g.a as usize];
                    (x, 2 * x)
                }
                Op::Eq => (0, 0),
                Op::And => {
                    let x = depth[g.a as usize].max(depth[g.b as usize]);
                    (x + 1, 2 * x + 1)
                }
            };
            depth[g.out as usize] = dep;
            keyed.push((key, gi));
        }
        keyed.sort_by_key(|&(k, _)| k);
        let mut groups = Vec::with_capacity(gates.len());
        for (slot, (key, gi)) in gates.iter_mut().zip(keyed) {
            *slot = gi;
            groups.push(key);
        }
        groups
    }
}
