//! The error type of the `ot` crate.

use duet_net::NetError;
use thiserror::Error;

/// Errors of base OT and OT extension. Peer misbehaviour ([`OtError::Malformed`],
/// [`OtError::ConsistencyCheck`], [`OtError::Net`]) is kept apart from local misuse
/// ([`OtError::Usage`]).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum OtError {
    /// The channel failed (peer closed, timeout, oversized frame, I/O).
    #[error(transparent)]
    Net(#[from] NetError),
    /// The wire layer refused the peer: a negotiation difference (named on both sides), a
    /// message that does not decode, or a peer that broke the protocol.
    #[error(transparent)]
    Wire(duet_net::wire::WireError),
    /// The peer sent a message that does not decode (bad length, invalid curve point, …).
    #[error("peer sent a malformed OT message: {0}")]
    Malformed(String),
    /// The KOS15 consistency check failed: the receiver used inconsistent choice bits.
    #[error("KOS15 consistency check failed: the receiver cheated or the data was corrupted")]
    ConsistencyCheck,
    /// A length the caller passed does not fit the protocol state.
    #[error("{what}: expected {expected}, got {actual}")]
    Length {
        /// what was counted
        what: &'static str,
        /// expected count
        expected: u64,
        /// actual count
        actual: u64,
    },
    /// The API was used out of order or with parameters the peer does not share.
    #[error("OT misuse: {0}")]
    Usage(String),
}

impl From<duet_net::wire::WireError> for OtError {
    fn from(e: duet_net::wire::WireError) -> Self {
        match e {
            duet_net::wire::WireError::Net(e) => OtError::Net(e),
            e => OtError::Wire(e),
        }
    }
}
