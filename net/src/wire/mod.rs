//! The wire layer every Duet protocol speaks through: typed messages ([`Message`], decoded
//! through a bounds-checked [`Reader`] into validated values), frame helpers
//! ([`send_msg`], [`recv_msg`], and [`crate::Channel::send_frame_header`] /
//! [`crate::Channel::recv_frame_header`] for streamed payloads, so no protocol parses a
//! length prefix by hand) and one negotiation step ([`negotiate`]: protocol, version, role
//! and named parameters, compared by both parties, every difference named on both sides).
//!
//! Errors follow rustls's split: a peer that sent bytes which do not decode
//! ([`InvalidMessage`]), a peer that decoded but broke the protocol ([`PeerMisbehaved`]),
//! two honest parties that disagree ([`Mismatch`]), and local misuse
//! ([`WireError::Misuse`]).

mod message;
mod negotiate;

pub use message::{InvalidMessage, Message, Put, Reader};
pub use negotiate::{
    Difference, Hello, MAX_ITEMS, MAX_PARAMS, MAX_REASON, Mismatch, Offer, Param, Protocol, Value,
    compare, negotiate,
};

use crate::{Channel, NetError};
use thiserror::Error;

/// The peer decoded but did not follow the protocol (rustls's `PeerMisbehaved`).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerMisbehaved {
    /// Its first message is not a Duet negotiation message.
    #[error("the peer is not a Duet {expected} party (it sent {shown})")]
    NotDuet {
        /// the protocol we expected
        expected: &'static str,
        /// its first bytes, sanitised
        shown: String,
    },
    /// Its first frame is longer than any negotiation message.
    #[error("the peer is not a Duet party: a first message of {actual} bytes (at most {max})")]
    FirstFrame {
        /// the announced length
        actual: u64,
        /// our cap
        max: u64,
    },
    /// It sent a message of the right form whose content breaks the protocol (e.g. a
    /// count other than the agreed one).
    #[error("{message}: {what} is {actual}, expected {expected}")]
    Unexpected {
        /// the message kind
        message: &'static str,
        /// what was counted or checked
        what: &'static str,
        /// what the protocol requires
        expected: u64,
        /// what the peer sent
        actual: u64,
    },
}

/// Errors of the wire layer.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WireError {
    /// The channel failed.
    #[error(transparent)]
    Net(#[from] NetError),
    /// The peer sent a message that does not decode.
    #[error("peer sent an invalid message: {0}")]
    InvalidMessage(#[from] InvalidMessage),
    /// The peer broke the protocol.
    #[error("peer misbehaved: {0}")]
    PeerMisbehaved(#[from] PeerMisbehaved),
    /// The two parties' offers differ (both parties report the same differences).
    #[error("handshake failed: {0}")]
    Mismatch(Mismatch),
    /// The peer refused at the negotiation (its own check failed); its sanitised words.
    #[error("the peer aborted: {0}")]
    PeerAborted(String),
    /// This party refused at the negotiation (its own reason, already sent to the peer).
    #[error("{0}")]
    Misuse(String),
}

/// Send `m` as one frame (buffered; flush before waiting for the peer).
///
/// # Errors
/// As [`Channel::send_frame`].
pub async fn send_msg<M: Message>(ch: &mut Channel, m: &M) -> Result<(), NetError> {
    let mut buf = Vec::new();
    m.encode(&mut buf);
    ch.send_frame(&buf).await
}

/// Receive one frame of at most [`Message::MAX_LEN`] bytes and decode it as an `M`.
///
/// # Errors
/// Network errors (including [`NetError::FrameTooLarge`]); [`WireError::InvalidMessage`].
pub async fn recv_msg<M: Message>(ch: &mut Channel) -> Result<M, WireError> {
    recv_msg_capped(ch, M::MAX_LEN).await
}

/// [`recv_msg`] with another frame cap (for messages whose bound depends on agreed sizes).
///
/// # Errors
/// As [`recv_msg`].
pub async fn recv_msg_capped<M: Message>(ch: &mut Channel, max_len: usize) -> Result<M, WireError> {
    let bytes = ch.recv_frame(max_len).await?;
    Ok(M::from_bytes(&bytes)?)
}

#[cfg(test)]
mod tests;
