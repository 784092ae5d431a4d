//! `duet-core`: the 128-bit [`Block`], the garbler's global offset [`Delta`], fixed-key AES
//! hashes after GKWY20 (Guo–Katz–Wang–Yu, eprint 2019/074 §7), an AES-CTR [`Prg`], the
//! bit-matrix transpose used by OT extension, [`commit`] (commitments, a coin toss, a
//! Fiat–Shamir transcript hash), and [`mem`]: huge-page vectors, prefetch and
//! non-temporal stores for bulk outputs.
//!
//! No networking and no protocol logic lives here: these are the primitives that `ot` and
//! `gc` build on.

pub mod aes_ecb;
mod block;
pub mod commit;
mod delta;
pub mod hash;
pub mod mem;
mod prg;
pub mod rng;
pub mod transpose;

pub use aes_ecb::{AesEcb, expand_key};
pub use block::Block;
pub use commit::{CoinToss, Commitment, Opening, Transcript};
pub use delta::Delta;
pub use hash::{FIXED_KEY_AES, FixedKeyAes};
pub use prg::Prg;
pub use rng::{SecureRng, secure_rng};
