//! `duet-net`: the byte channel between the two parties.
//!
//! [`Channel`] is a buffered, framed, counted, timeout-guarded async byte stream over any
//! tokio transport: TCP ([`tcp`]), or an in-memory [`duplex_pair`] for tests and one-process
//! runs. Protocol crates (`ot`, `gc`, `hybrid`) keep their math sans-IO and drive a
//! `Channel` from thin async functions.
//!
//! Every receive and flush is bounded by [`ChannelConfig::timeout`]; a peer that closes
//! mid-message gives [`NetError::Closed`], a stalled peer [`NetError::Timeout`], and a frame
//! longer than the caller's cap [`NetError::FrameTooLarge`]: never a panic or a hang.

mod channel;
pub mod tcp;

pub use channel::{Channel, ChannelConfig, NetError, duplex_pair};
