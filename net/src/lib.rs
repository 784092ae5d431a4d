//! `duet-net`: the byte channel between the two parties.
//!
//! [`Channel`] is a buffered, framed, counted, timeout-guarded async byte stream over any
//! tokio transport: TCP in the clear ([`tcp`]), TCP encrypted and mutually authenticated
//! with pinned static keys ([`secure`], Noise `XX` + AES-256-GCM), or an in-memory
//! [`duplex_pair`] for tests and one-process runs, whose two parties [`run_pair`] runs
//! on threads of their own. A [`Link`] in [`ChannelConfig::link`] simulates a network of a
//! given rate and round-trip time on any of them ([`link`]). Protocol crates (`ot`, `gc`, `hybrid`)
//! keep their math sans-IO and drive a `Channel` from thin async functions; they run
//! unchanged over every transport.
//!
//! Every receive and flush is bounded by [`ChannelConfig::timeout`] (no progress for that
//! long); a peer that closes mid-message gives [`NetError::Closed`], a stalled peer
//! [`NetError::Timeout`], a frame longer than the caller's cap [`NetError::FrameTooLarge`],
//! an altered/replayed/dropped encrypted record [`NetError::Integrity`]: never a panic or a
//! hang.
//!
//! [`wire`] is the layer every protocol speaks through: typed [`wire::Message`]s, frame
//! helpers, and the one negotiation step ([`wire::negotiate`]).

mod channel;
mod keys;
pub mod link;
mod noise_crypto;
mod pair;
mod record;
pub mod secure;
pub mod tcp;
mod text;
pub mod wire;

pub use channel::{Channel, ChannelConfig, NetError, duplex_pair};
pub use keys::{KEY_FILE_HEADER, KeyError, PUBLIC_KEY_PREFIX, PublicKey, StaticKeyPair};
pub use link::{Link, LinkParseError, LinkWriter};
pub use pair::run_pair;
pub use secure::SecureKeys;
pub use text::{MAX_PEER_TEXT, escape_peer_text, sanitize_peer_text};
