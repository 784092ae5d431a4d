//! `duet-ot`: oblivious transfer.
//!
//! - [`base`]: 1-out-of-2 base OT over Ristretto255 (Chou–Orlandi with transcript-bound key
//!   derivation), sans-IO [`base::Sender`] / [`base::Receiver`] and async
//!   [`base::send`] / [`base::receive`].
//! - [`iknp`]: sans-IO IKNP03 extension cores with ALSZ13 optimisations
//!   ([`iknp::SenderCore`], [`iknp::ReceiverCore`]), streaming in strips.
//! - [`kos`]: the KOS15 consistency check (σ = 40) in GF(2^128) with `pclmulqdq`.
//! - [`CotSender`] / [`CotReceiver`]: the async extension API, one long-lived pair per
//!   connection; the sender picks Δ (any lsb; the garbler passes its garbling Δ).
//!
//! # API (both sides call matching methods in the same order on one connection)
//! ```text
//! CotSender::setup(ch, delta: Delta, security: Security) -> Result<CotSender, OtError>
//! CotReceiver::setup(ch, security: Security)             -> Result<CotReceiver, OtError>
//!
//! sender.send_cot(ch, n)            -> Vec<Block>          k_i
//! receiver.receive_cot(ch, &[bool]) -> Vec<Block>          m_i = k_i ⊕ b_i·Δ
//! receiver.receive_random_cot(ch, n) -> (Vec<bool>, Vec<Block>)   (matches send_cot)
//!
//! sender.send_random_ot(ch, n)      -> Vec<[Block; 2]>     (H(i, k_i), H(i, k_i ⊕ Δ))
//! receiver.receive_random_ot(ch, n) -> (Vec<bool>, Vec<Block>)   H(i, m_i)
//!
//! sender.send_ot(ch, &[[Block; 2]])      -> ()
//! receiver.receive_ot(ch, &[bool])       -> Vec<Block>     msgs[i][b_i]
//! sender.send_ot_bytes(ch, &[(Vec<u8>, Vec<u8>)]) -> ()
//! receiver.receive_ot_bytes(ch, &[bool]) -> Vec<Vec<u8>>
//! ```
//! `H` is the TCCR hash of GKWY20 §7.4 with a running per-session OT index as tweak (never
//! repeated on one session). Communication: 16 bytes per OT for COT/ROT (plus a 16-byte header
//! and 4 bytes per 64 Ki OTs of framing; KOS adds ≤ 296 OTs and 48 bytes per call), plus 32
//! bytes per OT for chosen-message OT on blocks.
//!
//! Protocol math is sync and sans-IO; thin async drivers run it over a `duet_net::Channel`.
//! No method is cancel-safe (a dropped future leaves the session out of step).

mod aesctr;
pub mod base;
mod error;
mod ext;
pub mod ferret;
pub mod iknp;
pub mod kos;
#[cfg(target_arch = "x86_64")]
mod ymm;

pub use error::OtError;
pub use ext::{CHUNK, CotReceiver, CotSender, MAX_OT_BYTES, Security};
