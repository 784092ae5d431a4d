//! Commitments, a two-party coin toss and a transcript hash for Fiat–Shamir challenges.
//!
//! - [`Commitment`]: `c = blake3_derive_key("duet commit v1", r ‖ m)` with a fresh 256-bit
//!   opening `r`: hiding (r is uniform and never reused) and binding (collision resistance
//!   of blake3), in the random-oracle reading of blake3 used by WRK17 §2 ("F_com") and
//!   KRRW18 §5 ("F_eq" as commit-then-open).
//! - [`CoinToss`]: the textbook commit–open coin toss (Blum 1981): each party commits to a
//!   random seed, exchanges commitments, then openings; the coin is the XOR of both seeds.
//!   Sans-IO: the caller moves the 32-byte commitment and the 64-byte opening.
//! - [`Transcript`]: a running blake3 hash of the messages both parties saw, with domain
//!   separation per label; [`Transcript::challenge`] derives a 128-bit challenge (as the
//!   shifts of KRRW18's bucketing, or Fiat–Shamir coefficients).

use crate::Block;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bytes of a commitment.
pub const COMMITMENT_LEN: usize = 32;
/// Bytes of a commitment's opening randomness.
pub const OPENING_LEN: usize = 32;

/// A 32-byte commitment to a message (see the module doc).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Commitment(pub [u8; COMMITMENT_LEN]);

/// The opening randomness of a [`Commitment`]; zeroized on drop, `Debug` redacted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Opening(pub [u8; OPENING_LEN]);

impl core::fmt::Debug for Opening {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Opening(<redacted>)")
    }
}

fn commit_with(r: &[u8; OPENING_LEN], msg: &[u8]) -> Commitment {
    let mut h = blake3::Hasher::new_derive_key("duet commit v1");
    h.update(r);
    h.update(&(msg.len() as u64).to_le_bytes());
    h.update(msg);
    Commitment(*h.finalize().as_bytes())
}

impl Commitment {
    /// Commit to `msg` with fresh OS randomness; returns the commitment and its opening.
    pub fn commit(msg: &[u8]) -> (Commitment, Opening) {
        let mut r = [0u8; OPENING_LEN];
        rand::fill(&mut r);
        let c = commit_with(&r, msg);
        let o = Opening(r);
        r.zeroize();
        (c, o)
    }

    /// Whether `(msg, opening)` opens this commitment (constant time in the digest).
    pub fn verify(&self, msg: &[u8], opening: &Opening) -> bool {
        bool::from(commit_with(&opening.0, msg).0.ct_eq(&self.0))
    }
}

/// One party's state in a commit–open coin toss (see the module doc).
///
/// Protocol: `let (me, c) = CoinToss::new();` send `c.0`, receive the peer's commitment;
/// then send `me.opening_message()` (64 bytes: seed ‖ opening) and finish with the peer's
/// opening via [`CoinToss::finish`]. Sending the opening only after receiving the peer's
/// commitment is the caller's duty.
pub struct CoinToss {
    seed: [u8; 32],
    opening: Opening,
}

impl Drop for CoinToss {
    fn drop(&mut self) {
        self.seed.zeroize();
    }
}

/// Bytes of [`CoinToss::opening_message`].
pub const COIN_OPENING_LEN: usize = 64;

impl CoinToss {
    /// A fresh random seed and the commitment to send first.
    pub fn new() -> (CoinToss, Commitment) {
        let mut seed = [0u8; 32];
        rand::fill(&mut seed);
        let (c, opening) = Commitment::commit(&seed);
        (CoinToss { seed, opening }, c)
    }

    /// The opening to send after the peer's commitment arrived: seed ‖ opening randomness.
    pub fn opening_message(&self) -> [u8; COIN_OPENING_LEN] {
        let mut m = [0u8; COIN_OPENING_LEN];
        m[..32].copy_from_slice(&self.seed);
        m[32..].copy_from_slice(&self.opening.0);
        m
    }

    /// The shared 32-byte coin from the peer's commitment and opening message, or `None` if
    /// the opening does not match the commitment (the peer cheated).
    pub fn finish(
        self,
        peer: &Commitment,
        peer_opening: &[u8; COIN_OPENING_LEN],
    ) -> Option<[u8; 32]> {
        let mut seed = [0u8; 32];
        seed.copy_from_slice(&peer_opening[..32]);
        let mut r = [0u8; OPENING_LEN];
        r.copy_from_slice(&peer_opening[32..]);
        if !peer.verify(&seed, &Opening(r)) {
            return None;
        }
        let mut out = [0u8; 32];
        for i in 0..32 {
            out[i] = self.seed[i] ^ seed[i];
        }
        seed.zeroize();
        Some(out)
    }
}

/// A running transcript hash (blake3) for Fiat–Shamir challenges. Both parties append the
/// same messages in the same order and derive equal challenges.
#[derive(Clone)]
pub struct Transcript(blake3::Hasher);

impl Transcript {
    /// A transcript for the protocol named `domain` (domain separation).
    pub fn new(domain: &str) -> Self {
        let mut h = blake3::Hasher::new_derive_key("duet transcript v1");
        h.update(&(domain.len() as u64).to_le_bytes());
        h.update(domain.as_bytes());
        Transcript(h)
    }

    /// Absorb a labelled message (length-prefixed, so concatenations cannot collide).
    pub fn append(&mut self, label: &str, msg: &[u8]) {
        self.0.update(&(label.len() as u64).to_le_bytes());
        self.0.update(label.as_bytes());
        self.0.update(&(msg.len() as u64).to_le_bytes());
        self.0.update(msg);
    }

    /// A 128-bit challenge bound to everything absorbed so far and to `label`; the label is
    /// then absorbed, so two challenges never repeat.
    pub fn challenge(&mut self, label: &str) -> Block {
        self.append("challenge", label.as_bytes());
        let d = self.0.finalize();
        let mut b = [0u8; 16];
        b.copy_from_slice(&d.as_bytes()[..16]);
        Block::from_bytes(b)
    }

    /// The 32-byte digest of the transcript so far.
    pub fn digest(&self) -> [u8; 32] {
        *self.0.finalize().as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_binds_and_hides_randomness() {
        let (c, o) = Commitment::commit(b"hello");
        assert!(c.verify(b"hello", &o));
        assert!(!c.verify(b"hellp", &o));
        let (c2, _) = Commitment::commit(b"hello");
        assert_ne!(c, c2, "fresh randomness per commitment");
        let mut bad = o.clone();
        bad.0[0] ^= 1;
        assert!(!c.verify(b"hello", &bad));
        assert_eq!(format!("{o:?}"), "Opening(<redacted>)");
    }

    #[test]
    fn coin_toss_agrees_and_rejects_bad_openings() {
        let (a, ca) = CoinToss::new();
        let (b, cb) = CoinToss::new();
        let (oa, ob) = (a.opening_message(), b.opening_message());
        let mut bad = ob;
        bad[3] ^= 1;
        let (a2, _) = CoinToss::new();
        assert!(a2.finish(&cb, &bad).is_none());
        let x = a.finish(&cb, &ob).unwrap();
        let y = b.finish(&ca, &oa).unwrap();
        assert_eq!(x, y);
    }

    #[test]
    fn transcript_challenges_depend_on_everything() {
        let mut t1 = Transcript::new("t");
        let mut t2 = Transcript::new("t");
        t1.append("m", b"ab");
        t2.append("m", b"ab");
        assert_eq!(t1.clone().challenge("c"), t2.clone().challenge("c"));
        let c1 = t1.challenge("c");
        assert_ne!(c1, t1.challenge("c"), "a challenge is absorbed");
        let mut t3 = Transcript::new("t");
        t3.append("m", b"a");
        t3.append("", b"b");
        assert_ne!(t3.digest(), t2.digest());
    }
}
