//! The circuit IR: [`Circuit`] and [`Gate`].
//!
//! Gates are stored packed, 12 bytes each (three `u32`s, the gate kind in the top 3 bits of
//! the third word), so 10^8 gates take 1.2 GB; MAND operands live in one side array. No gate
//! allocates.

use thiserror::Error;

mod check;

pub(crate) use check::{WireCheck, WireLimit};

/// A wire index. Wires are numbered `0..num_wires`; at most [`MAX_WIRES`].
pub type WireId = u32;

/// The largest number of wires a circuit may have (2^29 − 1): the top 3 bits of a packed
/// gate word hold the gate kind.
pub const MAX_WIRES: u32 = (1 << 29) - 1;

/// The most bits all input values together, or all output values together, may have
/// (2^24). A party sends the labels of its input values in one frame and the evaluator
/// returns the output labels in one frame, 16 bytes per bit: past this a value is too wide
/// to ever send (a frame of over 256 MiB), so the header is refused at load, before
/// anything is allocated for it.
pub const MAX_IO_BITS: u32 = 1 << 24;

/// Wires that are neither inputs nor assigned by a gate that a circuit may declare: at most
/// as many as it uses, plus this many. A wire count far beyond the file's gates (e.g. a
/// 60-byte file declaring 2^29 wires) is refused, so that what is computed per wire
/// (statistics, evaluation) stays linear in the file's size.
pub const SPARE_WIRES: u64 = 1 << 16;

const KIND_SHIFT: u32 = 29;
const WIRE_MASK: u32 = MAX_WIRES;

/// The kind of a gate, as in Bristol Fashion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum GateKind {
    /// `2 1 a b out XOR`
    Xor = 0,
    /// `2 1 a b out AND`
    And = 1,
    /// `1 1 a out INV`
    Inv = 2,
    /// `1 1 c out EQ`: out := constant bit c
    Eq = 3,
    /// `1 1 a out EQW`: out := a
    Eqw = 4,
    /// `2n n a_1..a_n b_1..b_n o_1..o_n MAND`: o_k := a_k AND b_k
    Mand = 5,
}

impl GateKind {
    /// The Bristol Fashion keyword.
    pub const fn name(self) -> &'static str {
        match self {
            GateKind::Xor => "XOR",
            GateKind::And => "AND",
            GateKind::Inv => "INV",
            GateKind::Eq => "EQ",
            GateKind::Eqw => "EQW",
            GateKind::Mand => "MAND",
        }
    }
}

/// One gate, decoded. `Mand` refers to its operands in the circuit's MAND side array; use
/// [`Circuit::mand_operands`] to read them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Gate {
    /// out := a XOR b
    Xor {
        /// left input
        a: WireId,
        /// right input
        b: WireId,
        /// output
        out: WireId,
    },
    /// out := a AND b
    And {
        /// left input
        a: WireId,
        /// right input
        b: WireId,
        /// output
        out: WireId,
    },
    /// out := NOT a
    Inv {
        /// input
        a: WireId,
        /// output
        out: WireId,
    },
    /// out := constant `value`
    Eq {
        /// the constant bit
        value: bool,
        /// output
        out: WireId,
    },
    /// out := a (a wire copy)
    Eqw {
        /// input
        a: WireId,
        /// output
        out: WireId,
    },
    /// n ANDs at once: `outs[k] := lefts[k] AND rights[k]`, operands stored at
    /// `offset .. offset + 3n` of the MAND side array as `lefts ‖ rights ‖ outs`.
    Mand {
        /// start in the MAND side array
        offset: u32,
        /// number of ANDs, n ≥ 1
        n: u32,
    },
}

impl Gate {
    /// The kind of this gate.
    pub const fn kind(&self) -> GateKind {
        match self {
            Gate::Xor { .. } => GateKind::Xor,
            Gate::And { .. } => GateKind::And,
            Gate::Inv { .. } => GateKind::Inv,
            Gate::Eq { .. } => GateKind::Eq,
            Gate::Eqw { .. } => GateKind::Eqw,
            Gate::Mand { .. } => GateKind::Mand,
        }
    }
}

/// A packed gate: `[a, b, kind << 29 | out]`. For MAND: `a` = offset, `b` = n.
/// For EQ: `a` = the constant bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(C)]
struct Packed([u32; 3]);

impl Packed {
    #[inline(always)]
    fn encode(g: Gate) -> Packed {
        let k = (g.kind() as u32) << KIND_SHIFT;
        Packed(match g {
            Gate::Xor { a, b, out } | Gate::And { a, b, out } => [a, b, k | out],
            Gate::Inv { a, out } | Gate::Eqw { a, out } => [a, 0, k | out],
            Gate::Eq { value, out } => [value as u32, 0, k | out],
            Gate::Mand { offset, n } => [offset, n, k],
        })
    }

    #[inline(always)]
    fn decode(self) -> Gate {
        let [a, b, w] = self.0;
        let out = w & WIRE_MASK;
        match w >> KIND_SHIFT {
            0 => Gate::Xor { a, b, out },
            1 => Gate::And { a, b, out },
            2 => Gate::Inv { a, out },
            3 => Gate::Eq { value: a != 0, out },
            4 => Gate::Eqw { a, out },
            _ => Gate::Mand { offset: a, n: b },
        }
    }
}

/// Errors building or validating a circuit. Parse errors (with line numbers) are in the
/// parser's own error type, which wraps these.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CircuitError {
    /// A wire id is not below the circuit's wire count.
    #[error("wire {wire} is out of range (the circuit has {num_wires} wires)")]
    WireOutOfRange {
        /// the offending wire
        wire: WireId,
        /// the circuit's wire count
        num_wires: u32,
    },
    /// A gate reads a wire that no earlier gate (nor an input) defined.
    #[error("wire {wire} is used before it is defined")]
    UsedBeforeDefined {
        /// the offending wire
        wire: WireId,
    },
    /// A wire is the output of two gates, or a gate writes an input wire.
    #[error("wire {wire} is assigned more than once")]
    AssignedTwice {
        /// the offending wire
        wire: WireId,
    },
    /// An output wire is never assigned.
    #[error("output wire {wire} is never assigned")]
    OutputUndefined {
        /// the offending wire
        wire: WireId,
    },
    /// Too many wires, gates or bits for the IR's limits.
    #[error("circuit too large: {what}")]
    TooLarge {
        /// what exceeded the limit
        what: &'static str,
    },
    /// Input/output layout does not fit the wire count.
    #[error("inputs ({inputs} bits) and outputs ({outputs} bits) do not fit in {num_wires} wires")]
    BadLayout {
        /// total input bits
        inputs: u64,
        /// total output bits
        outputs: u64,
        /// wire count
        num_wires: u32,
    },
    /// A MAND gate with no ANDs.
    #[error("MAND gate with n = 0")]
    EmptyMand,
    /// The inputs or the outputs have more than [`MAX_IO_BITS`] bits in all.
    #[error(
        "{what} of {bits} bits in all: too wide to send (at most 2^24 bits; 16 bytes of \
         labels a bit would exceed the largest frame)"
    )]
    TooWide {
        /// "inputs" or "outputs"
        what: &'static str,
        /// their total width in bits
        bits: u64,
    },
    /// The wire count is far beyond the wires the inputs and gates use (see
    /// [`SPARE_WIRES`]).
    #[error(
        "the header declares {num_wires} wires but the inputs and gates use only {used}: a \
         wire count this far beyond the gates is refused"
    )]
    UnusedWires {
        /// the declared wire count
        num_wires: u32,
        /// input wires plus wires assigned by a gate
        used: u64,
    },
}

/// A Boolean circuit in Bristol Fashion layout: input value `i` occupies the next
/// `inputs[i]` wires starting at wire 0; the outputs are the **last** `Σ outputs` wires,
/// output value 0 first. Gates are in topological order.
///
/// Built incrementally with [`Circuit::new`] + [`Circuit::push`] (which validates every gate:
/// wire range, defined before use, assigned once) and [`Circuit::finish`] (checks every
/// output wire is assigned). A finished circuit is immutable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Circuit {
    num_wires: u32,
    inputs: Vec<u32>,
    outputs: Vec<u32>,
    gates: Vec<Packed>,
    mand: Vec<WireId>,
    /// one bit per wire: defined yet? (dropped by `finish`)
    check: WireCheck,
}

/// The wires of input value `i` of a circuit whose input value widths are `widths` (input
/// value 0 starts at wire 0): `start .. start + widths[i]`. For callers that hold only the
/// header, e.g. a streamed program ([`Circuit::input_wires`] for a circuit).
///
/// # Panics
/// If `i >= widths.len()`.
pub fn input_wires(widths: &[u32], i: usize) -> core::ops::Range<WireId> {
    let start: u32 = widths[..i].iter().sum();
    start..start + widths[i]
}

impl Circuit {
    /// An empty circuit with `num_wires` wires and the given input and output value widths
    /// (in bits). Input wires count as defined.
    ///
    /// # Errors
    /// [`CircuitError::TooLarge`] if `num_wires > MAX_WIRES`; [`CircuitError::BadLayout`] if
    /// the inputs plus the outputs need more wires than there are (outputs may overlap inputs
    /// only when no gate is needed, e.g. an identity circuit; we require
    /// `Σ inputs ≤ num_wires` and `Σ outputs ≤ num_wires`).
    pub fn new(num_wires: u32, inputs: Vec<u32>, outputs: Vec<u32>) -> Result<Self, CircuitError> {
        let check = WireCheck::new(num_wires, &inputs, &outputs, WireLimit::MEMORY)?;
        Ok(Circuit {
            num_wires,
            inputs,
            outputs,
            gates: Vec::new(),
            mand: Vec::new(),
            check,
        })
    }

    /// Append a non-MAND gate after validating it. For MAND use [`Circuit::push_mand`].
    ///
    /// # Errors
    /// Wire out of range, used before defined, or assigned twice. On error the circuit is
    /// unchanged except that nothing is appended.
    pub fn push(&mut self, g: Gate) -> Result<(), CircuitError> {
        if self.gates.len() >= u32::MAX as usize {
            return Err(CircuitError::TooLarge {
                what: "more than 2^32-1 gates",
            });
        }
        self.check.gate(g)?;
        self.gates.push(Packed::encode(g));
        Ok(())
    }

    /// Append a MAND gate: `outs[k] := lefts[k] AND rights[k]` for k < n.
    ///
    /// # Errors
    /// [`CircuitError::EmptyMand`] for n = 0; lengths that differ give
    /// [`CircuitError::BadLayout`]; otherwise as [`Circuit::push`]. All reads are checked
    /// before any write (a MAND's outputs may not feed its own inputs).
    pub fn push_mand(
        &mut self,
        lefts: &[WireId],
        rights: &[WireId],
        outs: &[WireId],
    ) -> Result<(), CircuitError> {
        let n = lefts.len();
        if self.mand.len() + 3 * n > u32::MAX as usize {
            return Err(CircuitError::TooLarge {
                what: "MAND operand array over 2^32 entries",
            });
        }
        self.check.mand(lefts, rights, outs)?;
        let offset = self.mand.len() as u32;
        self.mand.extend_from_slice(lefts);
        self.mand.extend_from_slice(rights);
        self.mand.extend_from_slice(outs);
        self.gates.push(Packed::encode(Gate::Mand {
            offset,
            n: n as u32,
        }));
        Ok(())
    }

    /// Check that every output wire (the last `Σ outputs` wires) is assigned and that the
    /// wire count is not far beyond the wires used (see [`SPARE_WIRES`]), and seal the
    /// circuit.
    ///
    /// # Errors
    /// [`CircuitError::OutputUndefined`] naming the first unassigned output wire;
    /// [`CircuitError::UnusedWires`].
    pub fn finish(mut self) -> Result<Self, CircuitError> {
        self.check.finish(self.num_output_bits())?;
        self.check.check_used()?;
        self.check = WireCheck::default();
        self.gates.shrink_to_fit();
        self.mand.shrink_to_fit();
        Ok(self)
    }

    /// Number of wires.
    pub fn num_wires(&self) -> u32 {
        self.num_wires
    }

    /// Number of gates (a MAND gate counts once).
    pub fn num_gates(&self) -> usize {
        self.gates.len()
    }

    /// Bit width of each input value, in header order.
    pub fn inputs(&self) -> &[u32] {
        &self.inputs
    }

    /// Bit width of each output value, in header order.
    pub fn outputs(&self) -> &[u32] {
        &self.outputs
    }

    /// Total input bits.
    pub fn num_input_bits(&self) -> u32 {
        self.inputs.iter().sum()
    }

    /// Total output bits.
    pub fn num_output_bits(&self) -> u32 {
        self.outputs.iter().sum()
    }

    /// The wires of input value `i`: `start .. start + inputs[i]`.
    ///
    /// # Panics
    /// If `i >= inputs().len()`.
    pub fn input_wires(&self, i: usize) -> core::ops::Range<WireId> {
        input_wires(&self.inputs, i)
    }

    /// The wires of output value `j` (the outputs are the last wires of the circuit).
    ///
    /// # Panics
    /// If `j >= outputs().len()`.
    pub fn output_wires(&self, j: usize) -> core::ops::Range<WireId> {
        let start = self.num_wires - self.num_output_bits() + self.outputs[..j].iter().sum::<u32>();
        start..start + self.outputs[j]
    }

    /// Gate `idx`, decoded.
    #[inline(always)]
    pub fn gate(&self, idx: usize) -> Gate {
        self.gates[idx].decode()
    }

    /// All gates in order, decoded on the fly (no allocation).
    #[inline]
    pub fn gates(&self) -> impl ExactSizeIterator<Item = Gate> + '_ {
        self.gates.iter().map(|p| p.decode())
    }

    /// The operands of a MAND gate: `(lefts, rights, outs)`, each of length n.
    #[inline(always)]
    pub fn mand_operands(&self, offset: u32, n: u32) -> (&[WireId], &[WireId], &[WireId]) {
        let o = offset as usize;
        let n = n as usize;
        (
            &self.mand[o..o + n],
            &self.mand[o + n..o + 2 * n],
            &self.mand[o + 2 * n..o + 3 * n],
        )
    }

    /// Number of AND gates, counting each AND inside a MAND gate.
    pub fn and_count(&self) -> u64 {
        self.gates()
            .map(|g| match g {
                Gate::And { .. } => 1,
                Gate::Mand { n, .. } => n as u64,
                _ => 0,
            })
            .sum()
    }

    /// Approximate heap bytes used by the IR (12 bytes per gate + 4 per MAND operand).
    pub fn heap_bytes(&self) -> usize {
        self.gates.capacity() * 12 + self.mand.capacity() * 4 + self.check.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_roundtrip() {
        let gs = [
            Gate::Xor {
                a: 1,
                b: 2,
                out: MAX_WIRES,
            },
            Gate::And {
                a: MAX_WIRES - 1,
                b: 0,
                out: 3,
            },
            Gate::Inv { a: 5, out: 6 },
            Gate::Eq {
                value: true,
                out: 7,
            },
            Gate::Eq {
                value: false,
                out: 8,
            },
            Gate::Eqw { a: 9, out: 10 },
            Gate::Mand { offset: 11, n: 12 },
        ];
        for g in gs {
            assert_eq!(Packed::encode(g).decode(), g);
        }
        assert_eq!(core::mem::size_of::<Packed>(), 12);
    }

    #[test]
    fn validation() {
        let mut c = Circuit::new(5, vec![1, 1], vec![1]).unwrap();
        assert_eq!(
            c.push(Gate::And { a: 0, b: 2, out: 3 }),
            Err(CircuitError::UsedBeforeDefined { wire: 2 })
        );
        assert_eq!(
            c.push(Gate::And { a: 0, b: 9, out: 3 }),
            Err(CircuitError::WireOutOfRange {
                wire: 9,
                num_wires: 5
            })
        );
        c.push(Gate::And { a: 0, b: 1, out: 2 }).unwrap();
        assert_eq!(
            c.push(Gate::Inv { a: 0, out: 2 }),
            Err(CircuitError::AssignedTwice { wire: 2 })
        );
        assert_eq!(
            c.push(Gate::Inv { a: 0, out: 1 }),
            Err(CircuitError::AssignedTwice { wire: 1 })
        );
        c.push_mand(&[0], &[2], &[3]).unwrap();
        let c2 = c.clone();
        assert_eq!(c2.finish(), Err(CircuitError::OutputUndefined { wire: 4 }));
        c.push(Gate::Xor { a: 3, b: 2, out: 4 }).unwrap();
        let c = c.finish().unwrap();
        assert_eq!(c.and_count(), 2);
        assert_eq!(c.output_wires(0), 4..5);
        assert_eq!(c.input_wires(1), 1..2);
    }
}
