//! The canonical circuit digest that the two parties of a garbled-circuit run compare in
//! their handshake (`duet_gc::CircuitDigest`), computed gate by gate so that a circuit
//! streamed from a file (see [`crate::program_file`]) gets the same digest as the parsed
//! [`Circuit`].
//!
//! The digest is blake3 in derive-key mode with the context `"duet-gc circuit digest v1"`
//! over the little-endian encoding
//!
//! ```text
//! num_wires: u32 · #inputs: u32 · input widths: u32… · #outputs: u32 · output widths: u32…
//! · #gates: u64 · gates…
//! ```
//!
//! where each gate is its kind byte (XOR = 0, AND = 1, INV = 2, EQ = 3, EQW = 4, MAND = 5,
//! see [`GateKind`](crate::GateKind)) followed by its operands as `u32`s: `a b out` (XOR,
//! AND), `a out` (INV, EQW), `value out` (EQ), `n lefts… rights… outs…` (MAND).

use crate::{Circuit, Gate, WireId};

/// blake3 derive-key context of the digest.
const CONTEXT: &str = "duet-gc circuit digest v1";
/// Bytes buffered before a hasher update.
const BUF: usize = 1 << 16;

/// The circuit digest computed incrementally: the header in [`DigestHasher::new`], then
/// every gate in order ([`DigestHasher::push`], [`DigestHasher::push_mand`]), then
/// [`DigestHasher::finish`]. Memory: a 64 KiB buffer; no allocation per gate.
#[derive(Clone)]
pub struct DigestHasher {
    h: blake3::Hasher,
    buf: Vec<u8>,
}

impl DigestHasher {
    /// Start the digest of a circuit with `num_wires` wires, these input and output value
    /// widths (bits) and `num_gates` gates (a MAND gate counts once).
    pub fn new(num_wires: u32, inputs: &[u32], outputs: &[u32], num_gates: u64) -> Self {
        let mut d = DigestHasher {
            h: blake3::Hasher::new_derive_key(CONTEXT),
            buf: Vec::with_capacity(BUF),
        };
        d.put(num_wires);
        for widths in [inputs, outputs] {
            d.put(widths.len() as u32);
            for &w in widths {
                d.put(w);
            }
        }
        d.bytes(&num_gates.to_le_bytes());
        d
    }

    /// Append `b` to the encoding (through the buffer).
    #[inline(always)]
    fn bytes(&mut self, b: &[u8]) {
        if self.buf.len() + b.len() > BUF {
            self.h.update(&self.buf);
            self.buf.clear();
        }
        self.buf.extend_from_slice(b);
    }

    #[inline(always)]
    fn put(&mut self, x: u32) {
        self.bytes(&x.to_le_bytes());
    }

    #[inline(always)]
    fn kind(&mut self, g: Gate) {
        self.bytes(&[g.kind() as u8]);
    }

    /// Hash the next gate, a non-MAND one. A [`Gate::Mand`] is ignored (its operands are
    /// not in the gate): hash MAND gates with [`DigestHasher::push_mand`].
    #[inline]
    pub fn push(&mut self, g: Gate) {
        match g {
            Gate::Xor { a, b, out } | Gate::And { a, b, out } => {
                self.kind(g);
                self.put(a);
                self.put(b);
                self.put(out);
            }
            Gate::Inv { a, out } | Gate::Eqw { a, out } => {
                self.kind(g);
                self.put(a);
                self.put(out);
            }
            Gate::Eq { value, out } => {
                self.kind(g);
                self.put(value as u32);
                self.put(out);
            }
            Gate::Mand { .. } => {}
        }
    }

    /// Hash the next gate, a MAND gate `outs[k] := lefts[k] AND rights[k]` (n =
    /// `lefts.len()`; the three slices have equal lengths).
    pub fn push_mand(&mut self, lefts: &[WireId], rights: &[WireId], outs: &[WireId]) {
        self.kind(Gate::Mand { offset: 0, n: 0 });
        self.put(lefts.len() as u32);
        for &w in lefts.iter().chain(rights).chain(outs) {
            self.put(w);
        }
    }

    /// The 32-byte digest.
    pub fn finish(mut self) -> [u8; 32] {
        self.h.update(&self.buf);
        *self.h.finalize().as_bytes()
    }
}

/// The digest of a circuit held in memory (see the module docs).
pub fn of(c: &Circuit) -> [u8; 32] {
    let mut d = DigestHasher::new(c.num_wires(), c.inputs(), c.outputs(), c.num_gates() as u64);
    for g in c.gates() {
        match g {
            Gate::Mand { offset, n } => {
                let (l, r, o) = c.mand_operands(offset, n);
                d.push_mand(l, r, o);
            }
            _ => d.push(g),
        }
    }
    d.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(d: [u8; 32]) -> String {
        d.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Known answers, computed with the encoding as `duet_gc::CircuitDigest::of` had it
    /// before it moved here: the digest is part of the handshake and must not change.
    #[test]
    fn known_answers() {
        let adder = crate::library::load("adder64").unwrap();
        assert_eq!(
            hex(of(&adder)),
            "0b5612e4009be21a3d16b5af86bf2ef3417e2bfad6e6b8eaed867366bb0222c3"
        );
        // One MAND gate whose operands span several buffer flushes.
        let n = 30_000u32;
        let mut c = Circuit::new(3 * n, vec![2 * n], vec![n]).unwrap();
        let l: Vec<u32> = (0..n).collect();
        let r: Vec<u32> = (n..2 * n).collect();
        let o: Vec<u32> = (2 * n..3 * n).collect();
        c.push_mand(&l, &r, &o).unwrap();
        assert_eq!(
            hex(of(&c.finish().unwrap())),
            "b93156b447df6e637969eb5b4d7b894dd0170c5c592ec8cb40d44935addc01e1"
        );
        let small = crate::bristol::parse_str(
            "4 8\n1 2\n1 3\n\n1 1 1 2 EQ\n1 1 0 3 EQW\n2 1 0 1 4 XOR\n\
             6 3 0 1 2 3 4 1 5 6 7 MAND\n",
        )
        .unwrap();
        assert_eq!(
            hex(of(&small)),
            "025b05ef47faee3ee09f6d77595a70ed7e5d976fcf8784eeff20247568001b79"
        );
    }

    #[test]
    fn separates_gate_kinds_and_operands() {
        let src = "4 8\n1 2\n1 3\n\n1 1 1 2 EQ\n1 1 0 3 EQW\n2 1 0 1 4 XOR\n\
                   6 3 0 1 2 3 4 1 5 6 7 MAND\n";
        let base = of(&crate::bristol::parse_str(src).unwrap());
        for other in [
            src.replace("1 2 EQ", "0 2 EQ"),
            src.replace("EQW", "INV"),
            src.replace("XOR", "AND"),
            src.replace("4 1 5 6 7", "1 4 5 6 7"),
        ] {
            assert_ne!(
                of(&crate::bristol::parse_str(&other).unwrap()),
                base,
                "{other}"
            );
        }
    }
}
