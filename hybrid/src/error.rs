//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in `duet-hybrid`.
///
/// Bad files ([`Error::Parse`], [`Error::Info`], [`Error::Malformed`], [`Error::Io`]) and bad
/// local inputs ([`Error::Input`]) are the caller's; [`Error::Peer`] and [`Error::Mismatch`]
/// mean the other party sent something wrong; the rest wrap the layers below.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A syntax error in `circuit.txt` (1-based line number).
    #[error("circuit.txt line {line}: {msg}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// A bad `circuit_info.json` (not JSON, or not the map or array form).
    #[error("circuit_info.json: {0}")]
    Info(String),
    /// A circuit that parses but breaks a rule (read before assigned, assigned twice, …).
    #[error("malformed circuit: {0}")]
    Malformed(String),
    /// A bad local input: unknown, missing or doubly-owned name, value out of range, bad ℓ,
    /// bad settings file.
    #[error("{0}")]
    Input(String),
    /// The peer runs a different circuit, ℓ, scheme, OT extension or output policy: every
    /// difference, named alike on both sides.
    #[error("peer mismatch: {0}")]
    Mismatch(duet_net::wire::Mismatch),
    /// The peer is not a hybrid party, sent a message that does not decode, or refused.
    #[error(transparent)]
    Wire(duet_net::wire::WireError),
    /// The peer sent malformed data.
    #[error("peer sent bad data: {0}")]
    Peer(String),
    /// Network failure.
    #[error(transparent)]
    Net(#[from] duet_net::NetError),
    /// OT failure.
    #[error(transparent)]
    Ot(#[from] duet_ot::OtError),
    /// Garbling failure (local misuse; peer errors while evaluating are [`Error::Peer`]).
    #[error(transparent)]
    Gc(#[from] duet_gc::GcError),
    /// Boolean-circuit construction failure (a bug if it happens).
    #[error("circuit construction: {0}")]
    Circuit(#[from] duet_circuits::CircuitError),
}

impl From<duet_net::wire::WireError> for Error {
    fn from(e: duet_net::wire::WireError) -> Self {
        match e {
            duet_net::wire::WireError::Mismatch(m) => Error::Mismatch(m),
            duet_net::wire::WireError::Net(e) => Error::Net(e),
            e => Error::Wire(e),
        }
    }
}
