//! `duet-circuits`: Boolean circuits and nothing of cryptography.
//!
//! - [`Circuit`] / [`Gate`]: a compact IR (12 bytes per gate, wire ids `u32`);
//! - Bristol Fashion parse and write (all six gate types: XOR, AND, INV, EQ, EQW, MAND);
//! - plaintext evaluation (the reference for every protocol test);
//! - statistics, and a liveness pass mapping wires to reusable slots;
//! - [`ProgramFile`](program_file::ProgramFile): that slot program compiled from a Bristol
//!   file into a temporary file (up to 2^32 − 2 wires), for circuits too large for memory,
//!   and saved for later runs;
//! - the circuit [`digest`] the two parties compare;
//! - [`CircuitBuilder`](builder::CircuitBuilder) with word-level gadgets.

pub mod builder;
pub mod eval;
mod ir;

pub mod bristol;
pub mod digest;
pub mod library;
pub mod liveness;
pub mod program_file;
pub mod stats;
pub mod values;

pub(crate) use ir::WireCheck;
pub use ir::{
    Circuit, CircuitError, Gate, GateKind, MAX_IO_BITS, MAX_WIRES, SPARE_WIRES, WireId, input_wires,
};

/// One input or output value: bit `k` is wire `k` of the value (least significant first).
pub type Bits = bitvec::vec::BitVec<u64, bitvec::order::Lsb0>;
