//! [`GcError`]: everything that can go wrong garbling, evaluating or running the protocol.

use thiserror::Error;

/// Errors of the `duet-gc` crate. "Local misuse" (wrong label counts, Δ without lsb 1,
/// asking for outputs too early) is kept apart from "peer sent bad data" (truncated or
/// extra garbled tables, decoding bits of the wrong length).
#[derive(Clone, Debug, Error)]
#[non_exhaustive]
pub enum GcError {
    /// The number of input labels does not match the circuit's input wires.
    #[error("wrong number of input labels: expected {expected}, got {actual}")]
    InputLabelCount {
        /// input wires of the circuit
        expected: usize,
        /// labels given
        actual: usize,
    },
    /// Δ must have lsb 1 for point-and-permute (use `Delta::from_block_set_lsb`).
    #[error("the garbling offset Δ must have lsb 1")]
    DeltaLsb,
    /// The garbled-table stream ended before every AND gate was evaluated.
    #[error(
        "garbled tables truncated: {evaluated} of {and_gates} AND gates evaluated after {received} table bytes"
    )]
    TablesTruncated {
        /// AND gates of the circuit
        and_gates: u64,
        /// AND gates evaluated
        evaluated: u64,
        /// table bytes received
        received: u64,
    },
    /// More garbled-table bytes arrived than the circuit has AND gates for.
    #[error("extra garbled tables: {extra} bytes past the end of the circuit's tables")]
    ExtraTables {
        /// bytes past the end
        extra: u64,
    },
    /// Output labels or decoding bits were requested before garbling/evaluation finished.
    #[error("garbling or evaluation has not finished yet")]
    NotFinished,
    /// A streamed slot program could not be read, or an op of it does not fit its shape.
    #[error("slot program, op {at}: {what}")]
    Program {
        /// index of the op (from 0) where reading failed
        at: u64,
        /// what went wrong
        what: String,
    },
    /// Decoding bits and output labels differ in number.
    #[error("wrong number of decoding bits: expected {expected}, got {actual}")]
    DecodingLength {
        /// output wires
        expected: usize,
        /// decoding bits given
        actual: usize,
    },
}
