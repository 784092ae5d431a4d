//! Two-party private set intersection (PSI): three semi-honest protocols, named in the hello
//! (a party running another one is refused on both sides):
//!
//! - **KKRT16** (this module and [`protocol`], the default): the batched OPRF of
//!   Kolesnikov–Kumaresan–Rosulek–Trieu ("Efficient Batched Oblivious PRF with Applications
//!   to Private Set Intersection", CCS 2016, eprint 2016/799), described below;
//! - **RR22** ([`rr22`]): Raghuraman–Rindal's OKVS ([`okvs`]) + subfield-VOLE PSI over any
//!   random-COT source;
//! - **PSI-cardinality** ([`cardinality`]): the receiver learns only |X ∩ Y|, composed from
//!   cuckoo hashing, the RR22 OPRF, an OKVS-based OPPRF and a garbled counting circuit.
//!
//! **Security: semi-honest (passive) parties only.** Both parties learn both set sizes
//! (after de-duplication; they are exchanged in the handshake); the receiver learns the
//! intersection; the sender learns nothing else.
//!
//! # Protocol (KKRT16 §3 Fig. 2 for the OPRF, §5 for PSI)
//! 1. Items are byte strings; each is hashed to 128 bits with keyed blake3
//!    ([`hash_item`]). Duplicate items are removed on both sides (the receiver reports each
//!    intersecting item once, at its first occurrence).
//! 2. Handshake ([`protocol`]): protocol name and version, role, de-duplicated set size and
//!    the parameters (κ* = 512, σ, 3 hash functions, table factor 1.27, chunk size). Two
//!    senders, two receivers, or differing parameters abort both sides with a clear error.
//! 3. The receiver cuckoo-hashes its n_R items into m = ⌈1.27·n_R⌉ bins (rounded up to a
//!    multiple of 128) with 3 hash functions and no stash. Pinkas–Schneider–Zohner
//!    ("Scalable Private Set Intersection Based on OT Extension", ACM TOPS 2018, eprint
//!    2016/930, §cuckoo-hashing parameters) give failure probability ≤ 2^-40 for these
//!    parameters. If an insertion still exceeds the kick limit, the receiver re-hashes with a
//!    fresh seed; the seed that worked is sent to the sender (it is public). Never a silent
//!    wrong answer: after [`PsiConfig::max_attempts`] failures both sides stop with
//!    [`PsiError::Cuckoo`].
//! 4. 1-out-of-∞ OT by IKNP-style extension with κ* = 512 columns (KKRT16 Fig. 2): the PSI
//!    receiver is the *base-OT sender* of 512 random seed pairs (k_i^0, k_i^1); the PSI sender
//!    is the base-OT receiver with random choice bits s ∈ {0,1}^512 (base OT from
//!    `duet_ot::base`). The PSI sender then picks the key of the pseudorandom code
//!    C(x) = (AES_{k_0}(x), …, AES_{k_3}(x)) (512 bits) and sends it. For each bin j the
//!    receiver expands the columns t^i = G(k_i^0), u^i = t^i ⊕ G(k_i^1) ⊕ c^i, where c_j =
//!    C(item in bin j ‖ hash index), and streams u in chunks of 4096 bins; the sender gets
//!    q^i = G(k_i^{s_i}) ⊕ s_i·u^i, i.e. row q_j = t_j ⊕ (C(r_j) ∧ s).
//! 5. OPRF value of x in bin j: F_j(x) = H(j, q_j ⊕ (C(x) ∧ s)), H = XOR of the four
//!    fixed-key-AES TCCR hashes (GKWY20 §7.4) of the 128-bit limbs, tweaked with (j, limb).
//!    The receiver's own value is H(j, t_j).
//! 6. The sender evaluates F at each of its items for all 3 bins (simple hashing: item x
//!    with hash index h goes to bin h(x) with input x ‖ h), truncates to
//!    ℓ = σ + ⌈log₂ n_R⌉ + ⌈log₂ n_S⌉ bits (rounded up to bytes; σ = 40, so 80 bits for
//!    2^20 × 2^20), and sends the three sets X_1, X_2, X_3 each under an independent random
//!    permutation. The receiver looks up each value in a table of its own values; a value of
//!    X_h matching the receiver item placed with hash index h marks that item.
//!
//! Communication: m·512 bits of OT extension + 3·n_S·ℓ bits + 512 base OTs — the KKRT16
//! formula with κ* = 512 and no stash.

pub mod cardinality;
pub mod cuckoo;
pub mod items;
pub mod matching;
pub mod okvs;
pub use duet_ot::oprf;
pub mod protocol;
pub mod rr22;

use duet_core::Block;
use std::sync::Arc;

pub use items::{ItemSet, hash_item, hash_items};
pub use protocol::{PSI_PROTOCOL, receiver, sender};

/// Width of the pseudorandom code in bits (κ*, KKRT16 §4: 424–512 bits).
pub use duet_ot::oprf::KAPPA_STAR;
/// Number of cuckoo hash functions.
pub const NUM_HASHES: usize = 3;
/// Cuckoo table size factor in per mille (m = ⌈1.27·n⌉, PSZ18).
pub const TABLE_PERMILLE: u64 = 1270;
/// Bins per OT-extension chunk (a chunk of u is 512 × 4096 bits = 256 KiB).
pub const CHUNK_BINS: usize = 4096;
/// The largest supported set (after de-duplication), 2^26 items.
pub const MAX_SET_SIZE: u64 = 1 << 26;

/// A progress callback: `(done, total)` in bins of the OT extension, then values.
pub type Progress = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Tunables of a PSI run. Both parties must agree on `sigma` (checked in the handshake).
#[derive(Clone)]
pub struct PsiConfig {
    /// Statistical security parameter σ in bits (default 40): the false-positive probability
    /// of the whole run is ≤ 2^-σ.
    pub sigma: u32,
    /// Cuckoo insertion gives up after this many evictions for one item (default 500) and
    /// the receiver re-hashes with a fresh seed.
    pub max_kicks: u32,
    /// How many cuckoo seeds the receiver tries before giving up (default 16).
    pub max_attempts: u32,
    /// Derive the receiver's cuckoo seeds from this number instead of the OS (for
    /// reproducible tests; the seeds are public anyway).
    pub hash_seed: Option<u64>,
    /// Called as the run progresses (for a progress bar).
    pub progress: Option<Progress>,
}

impl Default for PsiConfig {
    fn default() -> Self {
        PsiConfig {
            sigma: 40,
            max_kicks: 500,
            max_attempts: 16,
            hash_seed: None,
            progress: None,
        }
    }
}

impl core::fmt::Debug for PsiConfig {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PsiConfig")
            .field("sigma", &self.sigma)
            .field("max_kicks", &self.max_kicks)
            .field("max_attempts", &self.max_attempts)
            .field("hash_seed", &self.hash_seed)
            .finish_non_exhaustive()
    }
}

/// Which side of the PSI a party plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Holds a set, learns nothing.
    Sender,
    /// Holds a set, learns the intersection.
    Receiver,
}

impl core::fmt::Display for Role {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Role::Sender => "sender",
            Role::Receiver => "receiver",
        })
    }
}

/// The PSI protocol a party runs (named in the hello, so two different ones refuse each
/// other on both sides).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Protocol {
    /// KKRT16 batched OPRF over cuckoo hashing ([`protocol`]).
    #[default]
    Kkrt16,
    /// RR22 VOLE + OKVS ([`rr22`]).
    Rr22,
    /// PSI-cardinality over the RR22 OPRF ([`cardinality`]).
    Rr22Cardinality,
}

impl Protocol {
    /// The id in the hello (byte 11).
    pub fn id(self) -> u8 {
        match self {
            Protocol::Kkrt16 => 0,
            Protocol::Rr22 => 1,
            Protocol::Rr22Cardinality => 2,
        }
    }

    /// The protocol of a hello id.
    pub fn from_id(id: u8) -> Option<Self> {
        match id {
            0 => Some(Protocol::Kkrt16),
            1 => Some(Protocol::Rr22),
            2 => Some(Protocol::Rr22Cardinality),
            _ => None,
        }
    }
}

impl core::fmt::Display for Protocol {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Protocol::Kkrt16 => "kkrt16",
            Protocol::Rr22 => "rr22",
            Protocol::Rr22Cardinality => "rr22 cardinality",
        })
    }
}

/// Errors of a PSI run. Peer misbehaviour and mismatches are kept apart from local misuse.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PsiError {
    /// The channel failed (peer closed, timeout, oversized frame, I/O).
    #[error(transparent)]
    Net(#[from] duet_net::NetError),
    /// Base OT failed.
    #[error("base OT failed: {0}")]
    Ot(#[from] duet_ot::OtError),
    /// The parties' offers differ (role, version, σ, …): every difference, named alike
    /// on both sides (e.g. `both parties are the sender`, `sigma mismatch: sender has 40,
    /// receiver has 48`).
    #[error("PSI handshake failed: {0}")]
    Handshake(duet_net::wire::Mismatch),
    /// The peer is not a Duet PSI party or broke the protocol.
    #[error("{0}")]
    Peer(duet_net::wire::PeerMisbehaved),
    /// The peer sent a message that does not decode.
    #[error("the peer sent an invalid message: {0}")]
    Invalid(duet_net::wire::InvalidMessage),
    /// The garbled circuit of PSI-cardinality failed.
    #[error("the counting circuit failed: {0}")]
    Gc(#[from] duet_gc::ProtocolError),
    /// OKVS encoding failed for every seed tried (RR22).
    #[error(transparent)]
    Okvs(#[from] okvs::OkvsError),
    /// A set (ours or the peer's announced one) is too large.
    #[error("{whose} set has {actual} items; at most {max} are supported")]
    TooLarge {
        /// "our" or "the peer's"
        whose: &'static str,
        /// the size
        actual: u64,
        /// the cap
        max: u64,
    },
    /// Cuckoo hashing failed for every seed tried.
    #[error("cuckoo hashing of the receiver's set failed with {attempts} different seeds")]
    Cuckoo {
        /// seeds tried
        attempts: u32,
    },
    /// The peer sent a message that does not decode.
    #[error("the peer sent a malformed PSI message: {0}")]
    Malformed(String),
    /// The configuration is unusable.
    #[error("invalid PSI configuration: {0}")]
    Config(String),
}

impl From<duet_net::wire::WireError> for PsiError {
    fn from(e: duet_net::wire::WireError) -> Self {
        use duet_net::wire::WireError as W;
        match e {
            W::Net(e) => PsiError::Net(e),
            W::Mismatch(m) => PsiError::Handshake(m),
            W::PeerMisbehaved(p) => PsiError::Peer(p),
            W::InvalidMessage(i) => PsiError::Invalid(i),
            e => PsiError::Malformed(e.to_string()),
        }
    }
}

/// What a PSI run cost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PsiStats {
    /// Bytes this party sent.
    pub bytes_sent: u64,
    /// Bytes this party received.
    pub bytes_received: u64,
    /// The sender's set size after de-duplication.
    pub sender_size: u64,
    /// The receiver's set size after de-duplication.
    pub receiver_size: u64,
    /// Cuckoo bins m.
    pub bins: u64,
    /// Bytes per truncated OPRF value (ℓ/8).
    pub value_bytes: u64,
    /// Cuckoo seeds the receiver tried (1 unless a re-hash happened); for RR22, OKVS seeds.
    pub cuckoo_attempts: u32,
    /// Wall-clock time of each phase, in microseconds, in order (RR22 fills it: `hello`,
    /// `okvs`, `vole`, `values`).
    pub phases: Vec<(&'static str, u64)>,
}

/// The receiver's result.
#[derive(Clone, Debug, Default)]
pub struct PsiOutput {
    /// Indices into the receiver's input slice of the intersecting items, ascending; for
    /// duplicate items only the first occurrence is listed.
    pub intersection: Vec<usize>,
    /// Costs.
    pub stats: PsiStats,
}

/// Number of cuckoo bins for `n` receiver items: ⌈1.27·n⌉ rounded up to a multiple of 128
/// (at least 128).
pub fn num_bins(n: u64) -> u64 {
    let m = (n * TABLE_PERMILLE).div_ceil(1000);
    m.max(1).div_ceil(128) * 128
}

/// Bytes of a truncated OPRF value: ⌈(σ + ⌈log₂ n_R⌉ + ⌈log₂ n_S⌉) / 8⌉, at most 16.
pub fn value_bytes(sigma: u32, n_receiver: u64, n_sender: u64) -> usize {
    let lg = |n: u64| 64 - n.max(2).saturating_sub(1).leading_zeros();
    let bits = sigma + lg(n_receiver) + lg(n_sender);
    (bits.div_ceil(8) as usize).clamp(1, 16)
}

/// The KKRT16 communication formula for these sizes, in bytes: m·κ*/8 (OT extension) +
/// 3·n_S·ℓ/8 (OPRF values), without the base OTs and the handshake.
pub fn formula_bytes(sigma: u32, n_receiver: u64, n_sender: u64) -> u64 {
    if n_receiver == 0 || n_sender == 0 {
        return 0;
    }
    num_bins(n_receiver) * (KAPPA_STAR as u64 / 8)
        + NUM_HASHES as u64 * n_sender * value_bytes(sigma, n_receiver, n_sender) as u64
}

/// Remove duplicate blocks, keeping first occurrences: the indices of the distinct items,
/// ascending.
pub fn dedup_indices(items: &[Block]) -> Vec<u32> {
    matching::dedup_first(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters() {
        assert_eq!(num_bins(0), 128);
        assert_eq!(num_bins(100), 128);
        assert_eq!(num_bins(1 << 20) % 128, 0);
        assert!(num_bins(1 << 20) >= (1 << 20) * 127 / 100);
        assert!(num_bins(1 << 20) < (1 << 20) * 128 / 100);
        assert_eq!(value_bytes(40, 1 << 20, 1 << 20), 10);
        assert_eq!(value_bytes(40, 1 << 24, 1 << 24), 11);
        assert_eq!(value_bytes(40, 1, 1), 6);
        assert_eq!(value_bytes(40, 1 << 10, 1 << 20), 9);
        assert_eq!(value_bytes(200, 1, 1), 16);
    }
}
