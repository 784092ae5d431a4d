//! `duet-ot`: oblivious transfer.
//!
//! - [`base`]: 1-out-of-2 base OT over Ristretto255 (Chou–Orlandi with transcript-bound key
//!   derivation), sans-IO [`base::Sender`] / [`base::Receiver`] and async
//!   [`base::send`] / [`base::receive`].
//! - [`traits`]: the seam. A random-COT source implements [`RandomCotSender`] /
//!   [`RandomCotReceiver`] (and the markers [`SemiHonest`] / [`Malicious`]); every other
//!   flavour — chosen-choice COT, chunked COT, random OT, chosen-message OT on blocks and on
//!   byte strings — is generic code in the blanket extension traits [`CotSenderExt`] /
//!   [`CotReceiverExt`].
//! - [`iknp`]: sans-IO IKNP03 extension cores with ALSZ13 optimisations
//!   ([`iknp::SenderCore`], [`iknp::ReceiverCore`]), streaming in strips.
//! - [`kos`]: the KOS15 consistency check (σ = 40) in GF(2^128) with `pclmulqdq`.
//! - The IKNP/KOS sources: [`IknpSender`] / [`IknpReceiver`], [`KosSender`] /
//!   [`KosReceiver`], and [`CotSender`] / [`CotReceiver`] with the level chosen at run time;
//!   one long-lived pair per connection; the sender picks Δ (any lsb; the garbler passes its
//!   garbling Δ).
//! - [`any`]: [`OtKind`] and [`AnyCotSender`] / [`AnyCotReceiver`], IKNP/KOS or Ferret chosen
//!   at run time (a flag, a negotiation) behind one type.
//! - [`oprf`]: the KKRT16 batched OPRF core (1-out-of-∞ OT over κ* = 512 columns), composed
//!   by PSI.
//! - `ideal` (feature `ideal`): [`ideal::IdealCot`], the COT functionality for tests.
//!
//! # API (both sides call matching methods in the same order on one connection)
//! ```text
//! CotSender::setup(ch, delta, security) / IknpSender::setup(ch, delta) / KosSender::…
//! CotReceiver::setup(ch, security)      / IknpReceiver::setup(ch)      / KosReceiver::…
//!
//! // the source (RandomCotSender / RandomCotReceiver), into caller buffers
//! sender.random_cot(ch, &mut k)                  k_i
//! receiver.random_cot(ch, &mut bits, &mut m)     b_i (packed), m_i = k_i ⊕ b_i·Δ
//! sender.chosen_cot(ch, &mut k)
//! receiver.chosen_cot(ch, &[bool], &mut m)       m_i = k_i ⊕ c_i·Δ
//!
//! // derived (CotSenderExt / CotReceiverExt), for every source
//! sender.send_cot(ch, n) -> Vec<Block>           receiver.receive_cot(ch, &[bool]) -> Vec<Block>
//! sender.send_random_cot(ch, n)                  receiver.receive_random_cot(ch, n) -> (Vec<bool>, Vec<Block>)
//! sender.send_{,random_}cot_into / _stream       receiver.receive_{,random_}cot_into / _stream
//! sender.send_random_ot(ch, n) -> Vec<[Block; 2]>  receiver.receive_random_ot(ch, n) -> (Vec<bool>, Vec<Block>)
//! sender.send_ot(ch, &[[Block; 2]])              receiver.receive_ot(ch, &[bool]) -> Vec<Block>
//! sender.send_ot_bytes(ch, &[(Vec<u8>, Vec<u8>)])  receiver.receive_ot_bytes(ch, &[bool]) -> Vec<Vec<u8>>
//! ```
//! Random OT pads are `H(j, k_i)`, `H(j, k_i ⊕ Δ)` with `H` the TCCR hash of GKWY20 §7.4 and
//! `j` the COT's position in the session (never repeated). Communication with IKNP: 16
//! bytes per COT (plus a 16-byte header and 4 bytes per 16 Ki OTs of framing; KOS adds ≤ 296
//! OTs and 48 bytes per call), plus 32 bytes per OT for chosen-message OT on blocks.
//!
//! Protocol math is sync and sans-IO; thin async drivers run it over a `duet_net::Channel`.
//! No method is cancel-safe (a dropped future leaves the session out of step).

mod aesctr;
pub mod any;
pub mod base;
mod derived;
mod error;
mod ext;
pub mod ferret;
#[cfg(any(test, feature = "ideal"))]
pub mod ideal;
pub mod iknp;
pub mod kos;
pub mod oprf;
pub mod traits;
#[cfg(target_arch = "x86_64")]
mod ymm;

pub use any::{AnyCotReceiver, AnyCotSender, OtKind};
pub use derived::MAX_OT_BYTES;
pub use error::OtError;
pub use ext::{
    CHUNK, CallHeader, CotReceiver, CotSender, IknpReceiver, IknpSender, KOS_CHUNK, KosReceiver,
    KosSender, Security,
};
pub use traits::{
    CotReceiverExt, CotSenderExt, Malicious, RandomCotReceiver, RandomCotSender, SemiHonest,
};
