//! [`ParseError`]: what is wrong with a Bristol Fashion file, and on which line.

use thiserror::Error;

use crate::{CircuitError, GateKind};

/// A Bristol Fashion file was rejected. Displays as `line N: <what is wrong>`.
#[derive(Debug, Error)]
#[error("line {line}: {kind}")]
#[non_exhaustive]
pub struct ParseError {
    /// 1-based line number the problem was found on (for a gate: the line the gate starts
    /// on; for a missing gate or value: the last line of the file).
    pub line: u64,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) fn new(line: u64, kind: ParseErrorKind) -> Self {
        ParseError { line, kind }
    }
}

/// The kinds of [`ParseError`].
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The reader failed.
    #[error("read error: {0}")]
    Io(#[source] std::io::Error),
    /// A byte that is neither whitespace nor printable ASCII (binary data, non-ASCII UTF-8).
    #[error("unexpected byte 0x{byte:02x}: a Bristol Fashion file is plain ASCII text")]
    BadByte {
        /// the byte
        byte: u8,
    },
    /// A token that should be a decimal number is not.
    #[error("expected {what}, found `{found}` (not a decimal number)")]
    ExpectedNumber {
        /// which field
        what: &'static str,
        /// the token
        found: String,
    },
    /// A negative number.
    #[error("expected {what}, found the negative number `{found}`")]
    Negative {
        /// which field
        what: &'static str,
        /// the token
        found: String,
    },
    /// A number that does not fit in 32 bits.
    #[error("{what} `{found}` is too large (more than 2^32-1)")]
    NumberTooLarge {
        /// which field
        what: &'static str,
        /// the token
        found: String,
    },
    /// The file ends where more was expected.
    #[error("unexpected end of file: expected {expected}")]
    UnexpectedEof {
        /// what was expected
        expected: String,
    },
    /// The header declares more wires than the IR supports.
    #[error("the header declares {wires} wires; at most {max} are supported")]
    TooManyWires {
        /// declared wire count
        wires: u32,
        /// the most the reader takes ([`crate::MAX_WIRES`] for a [`crate::Circuit`])
        max: u32,
    },
    /// Fewer gates than the header's gate count.
    #[error("the header announces {expected} gates but the file ends after {actual}")]
    TooFewGates {
        /// header gate count
        expected: u32,
        /// gates found
        actual: u32,
    },
    /// Something follows the last gate.
    #[error("unexpected `{found}` after the last of the {gates} gates the header announces")]
    ExtraTokens {
        /// header gate count
        gates: u32,
        /// the first extra token
        found: String,
    },
    /// A gate keyword that is not one of XOR, AND, INV, EQ, EQW, MAND (or the gate's
    /// input/output counts are wrong, so something else stands where the keyword should be).
    #[error(
        "unknown gate `{name}` (expected XOR, AND, INV, EQ, EQW or MAND after the {nin} input \
         and {nout} output wires the gate declares)"
    )]
    UnknownGate {
        /// the token
        name: String,
        /// declared inputs
        nin: u32,
        /// declared outputs
        nout: u32,
    },
    /// A gate declares more operands than the circuit has wires (no valid gate can).
    #[error(
        "gate declares {nin} inputs and {nout} outputs but the circuit has only {num_wires} wires"
    )]
    TooManyOperands {
        /// declared inputs
        nin: u32,
        /// declared outputs
        nout: u32,
        /// the header's wire count
        num_wires: u32,
    },
    /// A gate with the wrong number of inputs or outputs for its kind.
    #[error("{gate} gate must have {expected}, but this one declares {nin} and {nout}")]
    Arity {
        /// gate keyword
        gate: &'static str,
        /// e.g. "2 inputs and 1 output"
        expected: &'static str,
        /// declared inputs
        nin: u32,
        /// declared outputs
        nout: u32,
    },
    /// An EQ gate whose constant is not 0 or 1.
    #[error("EQ gate constant must be 0 or 1, found {value}")]
    EqConstant {
        /// the constant
        value: u32,
    },
    /// The header's input/output widths do not fit the wire count (or overflow).
    #[error("header: {0}")]
    Header(#[source] CircuitError),
    /// A gate breaks a circuit rule (wire out of range, read before defined, assigned twice).
    #[error("gate {index} ({}): {source}", kind.name())]
    Gate {
        /// 0-based gate index
        index: u32,
        /// gate kind
        kind: GateKind,
        /// the rule broken
        #[source]
        source: CircuitError,
    },
    /// The sink of [`parse_into`](super::parse_into) failed to write its output (e.g. the
    /// program file of the streaming compiler); the line is the one being parsed.
    #[error("write error: {0}")]
    Write(#[source] std::io::Error),
    /// A rule checked at the end (every output wire assigned).
    #[error("{0}")]
    Circuit(#[source] CircuitError),
}
