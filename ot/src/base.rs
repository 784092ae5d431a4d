//! Base OT: Chou–Orlandi "simplest OT" (CO15, eprint 2015/267, Fig. 1) over Ristretto255,
//! batched: all `n` OTs share one sender point, one message each way plus the ciphertexts.
//!
//! # Why CO15 and not Masny–Rindal
//! Both are 1.5-round protocols over a prime-order group. CO15 costs the sender one
//! variable-base scalar multiplication per OT and the receiver two fixed-base ones (the base
//! `S` is the same for all OTs, so the receiver builds a precomputed table for it), with no
//! hash-to-group; MR19 (eprint 2019/706) costs the sender two variable-base multiplications and
//! two hash-to-group evaluations per OT. Here base OT only seeds IKNP/KOS extension, where the
//! semi-honest / malicious-receiver guarantees of CO15 with the fix below suffice, so we take the
//! faster protocol (≈ 5 ms for 128 OTs on this machine instead of ≈ 10 ms).
//!
//! # CO15's known issue and the fix applied
//! The original CO15 key derivation `k = H(R, x·S)` lets a malicious receiver correlate keys
//! across OTs, and its UC proof was shown flawed (Genç–Iovino–Rial, eprint 2017/370; Hauck–Loss,
//! eprint 2017/1011, give the repaired protocol). Following the fix, every key is derived from
//! the whole context: `k = H(domain, i, S, R_i, P)` with the sender's point `S`, the receiver's
//! point `R_i` and the OT index `i` (BLAKE3 in key-derivation mode). Received points are
//! decompressed (invalid encodings → [`OtError::Malformed`]) and the identity is rejected.
//!
//! # Protocol (n OTs)
//! 1. Sender: `y ← Z_q`, `S = y·G`, `T = y·S`; sends `S ‖ n` (40 bytes).
//! 2. Receiver, for each choice `c_i`: `x_i ← Z_q`, `R_i = x_i·G + c_i·S` (constant time:
//!    both candidates computed, [`ConditionallySelectable`] picks one); sends the `R_i`
//!    (32 bytes each) in frames of [`POINTS_PER_FRAME`], then computes its key points
//!    `P_i = x_i·S` while the sender works.
//! 3. Sender, frame by frame as they arrive: `P0_i = y·R_i`, `P1_i = y·R_i − T`; pads
//!    `k_b = H(i, S, R_i, P_b)`; at the end sends all `e_b = m_b ⊕ k_b` (32 bytes per OT).
//!    Receiver outputs `e_{c_i} ⊕ H(i, S, R_i, P_i)`.
//!
//! The framing pipelines the two parties: the sender's variable-base multiplications (the
//! larger half of the work) run while the receiver is still producing points and key points,
//! so on two cores 128 OTs take about one party's work instead of the sum of both.
//!
//! Points are hashed through their batch "double and compress" encoding (`enc(2P)`, one field
//! inversion for the whole batch); doubling is a bijection of the prime-order group.
//! Scalars are zeroized on drop.

use crate::OtError;
use curve25519_dalek::constants::RISTRETTO_BASEPOINT_TABLE;
use curve25519_dalek::ristretto::{CompressedRistretto, RistrettoBasepointTable, RistrettoPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::IsIdentity;
use duet_core::Block;
use duet_net::Channel;
use rand::CryptoRng;
use subtle::{Choice, ConditionallySelectable};
use zeroize::Zeroize;

/// Length of the sender's first message: compressed `S` and the OT count `n` (u64 LE).
pub const SENDER_SETUP_LEN: usize = 40;
/// Bytes per OT of the receiver's message (one compressed point).
pub const RECEIVER_BYTES_PER_OT: usize = 32;
/// Bytes per OT of the sender's ciphertexts (two blocks).
pub const CIPHERTEXT_BYTES_PER_OT: usize = 32;
/// Largest batch accepted (a caller bug beyond this, not a peer-controlled value).
pub const MAX_BASE_OTS: usize = 1 << 16;

const DOMAIN: &str = "duet 2026 base OT CO15+HL17 key derivation v1";

fn random_scalar<R: CryptoRng + ?Sized>(rng: &mut R) -> Scalar {
    let mut wide = [0u8; 64];
    rng.fill_bytes(&mut wide);
    let s = Scalar::from_bytes_mod_order_wide(&wide);
    wide.zeroize();
    s
}

fn decode_point(bytes: &[u8], what: &str) -> Result<RistrettoPoint, OtError> {
    let c = CompressedRistretto::from_slice(bytes)
        .map_err(|_| OtError::Malformed(format!("{what}: not 32 bytes")))?;
    let p = c
        .decompress()
        .ok_or_else(|| OtError::Malformed(format!("{what}: not a valid Ristretto point")))?;
    if p.is_identity() {
        return Err(OtError::Malformed(format!("{what}: identity point")));
    }
    Ok(p)
}

fn kdf(i: usize, s: &[u8; 32], r: &[u8], p: &CompressedRistretto) -> Block {
    let mut h = blake3::Hasher::new_derive_key(DOMAIN);
    h.update(&(i as u64).to_le_bytes());
    h.update(s);
    h.update(r);
    h.update(p.as_bytes());
    let out = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&out.as_bytes()[..16]);
    Block::from_bytes(b)
}

fn check_count(n: usize) -> Result<(), OtError> {
    if n > MAX_BASE_OTS {
        return Err(OtError::Usage(format!(
            "{n} base OTs requested; at most {MAX_BASE_OTS}"
        )));
    }
    Ok(())
}

/// OTs per receiver frame. The receiver sends its points `R_i` in frames of this many (the last
/// one shorter) so that the sender's scalar multiplications on the first frames run while the
/// receiver is still computing the later ones, and the receiver computes its key points
/// `x_i·S` only after its last frame, while the sender works. Both parties must use the same
/// value: it is part of the wire format.
pub const POINTS_PER_FRAME: usize = 8;

/// Sans-IO base-OT sender (CO15 with context-bound key derivation).
pub struct Sender {
    y: Scalar,
    s: [u8; 32],
    t: RistrettoPoint,
    n: usize,
}

impl Sender {
    /// A sender for `n` OTs with a fresh secret `y` from `rng`.
    ///
    /// # Errors
    /// [`OtError::Usage`] if `n > MAX_BASE_OTS`.
    pub fn new<R: CryptoRng + ?Sized>(rng: &mut R, n: usize) -> Result<Self, OtError> {
        check_count(n)?;
        let y = random_scalar(rng);
        let s = &y * RISTRETTO_BASEPOINT_TABLE;
        let t = s * y;
        Ok(Sender {
            y,
            s: s.compress().to_bytes(),
            t,
            n,
        })
    }

    /// The first message, [`SENDER_SETUP_LEN`] bytes: `S ‖ n`.
    pub fn setup_message(&self) -> [u8; SENDER_SETUP_LEN] {
        let mut m = [0u8; SENDER_SETUP_LEN];
        m[..32].copy_from_slice(&self.s);
        m[32..].copy_from_slice(&(self.n as u64).to_le_bytes());
        m
    }

    /// The random-OT pads `(k0_i, k1_i)` for OTs `first .. first + points.len() / 32`, given
    /// those OTs' receiver points (32 bytes each): step 3 of the protocol for one frame.
    ///
    /// # Errors
    /// [`OtError::Malformed`] if `points` is not a whole number of points, reaches past OT `n`,
    /// or holds an invalid point or the identity.
    pub fn pads_for(&self, first: usize, points: &[u8]) -> Result<Vec<[Block; 2]>, OtError> {
        let k = points.len() / RECEIVER_BYTES_PER_OT;
        if !points.len().is_multiple_of(RECEIVER_BYTES_PER_OT) || first + k > self.n {
            return Err(OtError::Malformed(format!(
                "base OT receiver points of {} bytes for OTs from {first}: expected a multiple \
                 of {RECEIVER_BYTES_PER_OT} bytes ending at OT {} at most",
                points.len(),
                self.n
            )));
        }
        let mut key_points = Vec::with_capacity(2 * k);
        for (i, r) in points.chunks_exact(32).enumerate() {
            let r = decode_point(r, &format!("base OT point R_{}", first + i))?;
            let p0 = r * self.y;
            key_points.push(p0);
            key_points.push(p0 - self.t);
        }
        let enc = RistrettoPoint::double_and_compress_batch(&key_points);
        key_points.zeroize();
        Ok(points
            .chunks_exact(32)
            .zip(enc.chunks_exact(2))
            .enumerate()
            .map(|(i, (r, e))| {
                [
                    kdf(first + i, &self.s, r, &e[0]),
                    kdf(first + i, &self.s, r, &e[1]),
                ]
            })
            .collect())
    }

    /// The random-OT pads `(k0_i, k1_i)` for the receiver's whole message (`32·n` bytes).
    ///
    /// # Errors
    /// [`OtError::Malformed`] for a wrong length, an invalid point or the identity.
    pub fn random_pads(&self, receiver_msg: &[u8]) -> Result<Vec<[Block; 2]>, OtError> {
        if receiver_msg.len() != self.n * RECEIVER_BYTES_PER_OT {
            return Err(OtError::Malformed(format!(
                "base OT receiver message of {} bytes, expected {}",
                receiver_msg.len(),
                self.n * RECEIVER_BYTES_PER_OT
            )));
        }
        self.pads_for(0, receiver_msg)
    }

    /// Encrypt the message pairs `msgs` (one per OT) for the receiver's whole message: returns
    /// the ciphertexts, [`CIPHERTEXT_BYTES_PER_OT`] bytes per OT.
    ///
    /// # Errors
    /// As [`Sender::random_pads`]; [`OtError::Length`] if `msgs.len() != n`.
    pub fn encrypt(&self, receiver_msg: &[u8], msgs: &[[Block; 2]]) -> Result<Vec<u8>, OtError> {
        if msgs.len() != self.n {
            return Err(OtError::Length {
                what: "base OT message pairs",
                expected: self.n as u64,
                actual: msgs.len() as u64,
            });
        }
        let pads = Pads(self.random_pads(receiver_msg)?);
        Ok(encrypt_with(&pads.0, msgs))
    }
}

/// Random-OT pads, wiped when dropped (also on an error path).
struct Pads(Vec<[Block; 2]>);

impl Drop for Pads {
    fn drop(&mut self) {
        Block::slice_as_bytes_mut(bytemuck::cast_slice_mut(&mut self.0)).zeroize();
    }
}

/// `e_b = m_b ⊕ k_b` for every OT, 32 bytes per OT.
fn encrypt_with(pads: &[[Block; 2]], msgs: &[[Block; 2]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(msgs.len() * CIPHERTEXT_BYTES_PER_OT);
    for (p, m) in pads.iter().zip(msgs) {
        out.extend_from_slice(&(p[0] ^ m[0]).to_bytes());
        out.extend_from_slice(&(p[1] ^ m[1]).to_bytes());
    }
    out
}

impl Drop for Sender {
    fn drop(&mut self) {
        self.y.zeroize();
        self.t.zeroize();
    }
}

/// The receiver between the sender's setup message and its ciphertexts: holds the secret
/// scalars `x_i`, hands out its points `R_i` frame by frame ([`ReceiverSetup::next_points`]),
/// then derives its keys ([`ReceiverSetup::finish`]).
pub struct ReceiverSetup {
    s: RistrettoPoint,
    s_bytes: [u8; 32],
    xs: Vec<Scalar>,
    /// choice bits as 0/1 bytes (wiped on drop; `Choice` cannot be zeroized)
    choices: Vec<u8>,
    msg: Vec<u8>,
}

impl ReceiverSetup {
    /// Check the sender's setup message and sample one secret scalar per choice bit.
    ///
    /// # Errors
    /// [`OtError::Usage`] for more than [`MAX_BASE_OTS`] choices; [`OtError::Malformed`] if the
    /// message is not [`SENDER_SETUP_LEN`] bytes, `S` is invalid or the identity;
    /// [`OtError::Length`] if the sender's `n` differs from `choices.len()`.
    pub fn new<R: CryptoRng + ?Sized>(
        rng: &mut R,
        choices: &[bool],
        sender_msg: &[u8],
    ) -> Result<Self, OtError> {
        check_count(choices.len())?;
        if sender_msg.len() != SENDER_SETUP_LEN {
            return Err(OtError::Malformed(format!(
                "base OT setup message of {} bytes, expected {SENDER_SETUP_LEN}",
                sender_msg.len()
            )));
        }
        let s = decode_point(&sender_msg[..32], "base OT sender point S")?;
        let mut s_bytes = [0u8; 32];
        s_bytes.copy_from_slice(&sender_msg[..32]);
        let mut nb = [0u8; 8];
        nb.copy_from_slice(&sender_msg[32..]);
        let n = u64::from_le_bytes(nb);
        if n != choices.len() as u64 {
            return Err(OtError::Length {
                what: "base OT count announced by the sender",
                expected: choices.len() as u64,
                actual: n,
            });
        }
        Ok(ReceiverSetup {
            s,
            s_bytes,
            xs: (0..choices.len()).map(|_| random_scalar(rng)).collect(),
            choices: choices.iter().map(|&c| c as u8).collect(),
            msg: Vec::with_capacity(choices.len() * RECEIVER_BYTES_PER_OT),
        })
    }

    /// Step 2 for the next (at most) `max` OTs: `R_i = x_i·G + c_i·S`, both candidates computed
    /// and one picked in constant time. Returns their encodings (32 bytes each), or `None` once
    /// every point has been produced.
    pub fn next_points(&mut self, max: usize) -> Option<&[u8]> {
        let done = self.msg.len() / RECEIVER_BYTES_PER_OT;
        let end = self.xs.len().min(done.saturating_add(max.max(1)));
        if done == end {
            return None;
        }
        for (x, &c) in self.xs[done..end].iter().zip(&self.choices[done..end]) {
            let c = Choice::from(c);
            let xg = x * RISTRETTO_BASEPOINT_TABLE;
            let r = RistrettoPoint::conditional_select(&xg, &(xg + self.s), c);
            self.msg.extend_from_slice(r.compress().as_bytes());
        }
        Some(&self.msg[done * RECEIVER_BYTES_PER_OT..])
    }

    /// Produce any points not yet produced and derive the keys `k_{c_i} = H(i, S, R_i, x_i·S)`
    /// (the key points by a fixed-base table for `S`). The scalars are wiped.
    pub fn finish(mut self) -> Receiver {
        while self.next_points(usize::MAX).is_some() {}
        let s_table = RistrettoBasepointTable::create(&self.s);
        let mut key_points: Vec<RistrettoPoint> = self.xs.iter().map(|x| x * &s_table).collect();
        let enc = RistrettoPoint::double_and_compress_batch(&key_points);
        key_points.zeroize();
        let keys = self
            .msg
            .chunks_exact(32)
            .zip(&enc)
            .enumerate()
            .map(|(i, (r, e))| kdf(i, &self.s_bytes, r, e))
            .collect();
        Receiver {
            choices: std::mem::take(&mut self.choices),
            keys,
        }
    }
}

impl Drop for ReceiverSetup {
    fn drop(&mut self) {
        self.xs.zeroize();
        self.choices.zeroize();
    }
}

/// Sans-IO base-OT receiver, after its keys are derived.
pub struct Receiver {
    /// choice bits as 0/1 bytes (wiped on drop; `Choice` cannot be zeroized)
    choices: Vec<u8>,
    keys: Vec<Block>,
}

impl Receiver {
    /// Answer the sender's setup message for the given choice bits in one step: returns the
    /// receiver and its whole message (`32·n` bytes). [`ReceiverSetup`] does the same frame by
    /// frame.
    ///
    /// # Errors
    /// As [`ReceiverSetup::new`].
    pub fn new<R: CryptoRng + ?Sized>(
        rng: &mut R,
        choices: &[bool],
        sender_msg: &[u8],
    ) -> Result<(Self, Vec<u8>), OtError> {
        let mut setup = ReceiverSetup::new(rng, choices, sender_msg)?;
        while setup.next_points(usize::MAX).is_some() {}
        let msg = setup.msg.clone();
        Ok((setup.finish(), msg))
    }

    /// The random-OT outputs `k_{c_i}` (no ciphertexts needed).
    pub fn random_keys(&self) -> &[Block] {
        &self.keys
    }

    /// Decrypt the sender's ciphertexts: the chosen message of every OT.
    ///
    /// # Errors
    /// [`OtError::Malformed`] if `ciphertexts` is not [`CIPHERTEXT_BYTES_PER_OT`]`·n` bytes.
    pub fn decrypt(&self, ciphertexts: &[u8]) -> Result<Vec<Block>, OtError> {
        let n = self.keys.len();
        if ciphertexts.len() != n * CIPHERTEXT_BYTES_PER_OT {
            return Err(OtError::Malformed(format!(
                "base OT ciphertexts of {} bytes, expected {}",
                ciphertexts.len(),
                n * CIPHERTEXT_BYTES_PER_OT
            )));
        }
        Ok(ciphertexts
            .chunks_exact(32)
            .zip(self.keys.iter().zip(&self.choices))
            .map(|(e, (k, c))| {
                let e0 = Block::from_bytes(e[..16].try_into().expect("16 bytes"));
                let e1 = Block::from_bytes(e[16..].try_into().expect("16 bytes"));
                Block::conditional_select(&e0, &e1, Choice::from(*c)) ^ *k
            })
            .collect())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.keys.zeroize();
        self.choices.zeroize();
    }
}

/// Base-OT sender over a channel: transfers one of `msgs[i][0]`, `msgs[i][1]` per OT.
/// Messages: `S ‖ n` out; the receiver's points in, in frames of [`POINTS_PER_FRAME`] (each
/// frame's pads are computed as it arrives); all ciphertexts out in one frame.
/// Not cancel-safe.
///
/// # Errors
/// [`OtError::Net`] on channel failure; [`OtError::Malformed`] if the receiver's message is
/// invalid (wrong length → framing error, bad point, identity).
pub async fn send(ch: &mut Channel, msgs: &[[Block; 2]]) -> Result<(), OtError> {
    let sender = Sender::new(&mut duet_core::secure_rng(), msgs.len())?;
    ch.send_frame(&sender.setup_message()).await?;
    ch.flush().await?;
    // every pad is wiped when these drop, on success and on any error
    let mut pads = Pads(Vec::with_capacity(msgs.len()));
    let mut frame = [0u8; POINTS_PER_FRAME * RECEIVER_BYTES_PER_OT];
    while pads.0.len() < msgs.len() {
        let k = POINTS_PER_FRAME.min(msgs.len() - pads.0.len());
        let frame = &mut frame[..k * RECEIVER_BYTES_PER_OT];
        ch.recv_frame_exact(frame).await?;
        let more = Pads(sender.pads_for(pads.0.len(), frame)?);
        pads.0.extend_from_slice(&more.0);
    }
    let ct = encrypt_with(&pads.0, msgs);
    ch.send_frame(&ct).await?;
    ch.flush().await?;
    Ok(())
}

/// Base-OT receiver over a channel: returns `msgs[i][choices[i]]` of the sender's pairs.
/// Sends its points in frames of [`POINTS_PER_FRAME`], then derives its keys while the sender
/// works. Not cancel-safe.
///
/// # Errors
/// [`OtError::Net`] on channel failure; [`OtError::Malformed`] / [`OtError::Length`] if the
/// sender's messages are invalid or announce another count.
pub async fn receive(ch: &mut Channel, choices: &[bool]) -> Result<Vec<Block>, OtError> {
    let mut setup = [0u8; SENDER_SETUP_LEN];
    ch.recv_frame_exact(&mut setup).await?;
    let mut setup = ReceiverSetup::new(&mut duet_core::secure_rng(), choices, &setup)?;
    while let Some(points) = setup.next_points(POINTS_PER_FRAME) {
        ch.send_frame(points).await?;
        ch.flush().await?;
    }
    let receiver = setup.finish();
    let mut ct = vec![0u8; choices.len() * CIPHERTEXT_BYTES_PER_OT];
    ch.recv_frame_exact(&mut ct).await?;
    receiver.decrypt(&ct)
}

#[cfg(test)]
mod tests {
    use super::*;
    use duet_net::{ChannelConfig, duplex_pair};

    fn pairs(n: usize) -> Vec<[Block; 2]> {
        let mut rng = rand::rng();
        (0..n)
            .map(|_| [Block::random(&mut rng), Block::random(&mut rng)])
            .collect()
    }

    #[test]
    fn sans_io_roundtrip() {
        let mut rng = rand::rng();
        let msgs = pairs(64);
        let choices: Vec<bool> = (0..64).map(|i| i % 3 == 0).collect();
        let s = Sender::new(&mut rng, 64).unwrap();
        let (r, m2) = Receiver::new(&mut rng, &choices, &s.setup_message()).unwrap();
        let pads = s.random_pads(&m2).unwrap();
        for i in 0..64 {
            assert_eq!(r.random_keys()[i], pads[i][choices[i] as usize]);
            assert_ne!(r.random_keys()[i], pads[i][1 - choices[i] as usize]);
        }
        let ct = s.encrypt(&m2, &msgs).unwrap();
        let got = r.decrypt(&ct).unwrap();
        for i in 0..64 {
            assert_eq!(got[i], msgs[i][choices[i] as usize]);
        }
    }

    #[test]
    fn framed_points_give_the_same_keys_and_frames_are_bounded() {
        let mut rng = rand::rng();
        let n = 3 * POINTS_PER_FRAME + 5;
        let choices: Vec<bool> = (0..n).map(|i| i % 2 == 1).collect();
        let s = Sender::new(&mut rng, n).unwrap();
        let mut setup = ReceiverSetup::new(&mut rng, &choices, &s.setup_message()).unwrap();
        let mut pads = Vec::new();
        let mut frames = 0;
        while let Some(points) = setup.next_points(POINTS_PER_FRAME) {
            assert!(points.len() <= POINTS_PER_FRAME * RECEIVER_BYTES_PER_OT);
            pads.extend(s.pads_for(pads.len(), points).unwrap());
            frames += 1;
        }
        assert_eq!(frames, 4);
        let whole = s.random_pads(&setup.msg).unwrap();
        let r = setup.finish();
        assert_eq!(pads, whole);
        for i in 0..n {
            assert_eq!(r.random_keys()[i], pads[i][choices[i] as usize]);
            assert_ne!(r.random_keys()[i], pads[i][1 - choices[i] as usize]);
        }
        // A frame that reaches past OT n, or is not whole points, is refused.
        let one = &whole_points(&s, &choices)[..32];
        assert!(matches!(s.pads_for(n, one), Err(OtError::Malformed(_))));
        assert!(matches!(
            s.pads_for(0, &one[..31]),
            Err(OtError::Malformed(_))
        ));
    }

    fn whole_points(s: &Sender, choices: &[bool]) -> Vec<u8> {
        Receiver::new(&mut rand::rng(), choices, &s.setup_message())
            .unwrap()
            .1
    }

    #[test]
    fn rejects_bad_points_and_lengths() {
        let mut rng = rand::rng();
        let s = Sender::new(&mut rng, 2).unwrap();
        // Identity (all-zero encoding) and an invalid encoding.
        let mut bad = vec![0u8; 64];
        assert!(matches!(s.random_pads(&bad), Err(OtError::Malformed(_))));
        bad.fill(0xff);
        assert!(matches!(s.random_pads(&bad), Err(OtError::Malformed(_))));
        assert!(matches!(
            s.random_pads(&[0u8; 63]),
            Err(OtError::Malformed(_))
        ));
        let mut setup = s.setup_message();
        assert!(matches!(
            Receiver::new(&mut rng, &[true], &setup),
            Err(OtError::Length { .. })
        ));
        setup[..32].fill(0);
        assert!(matches!(
            Receiver::new(&mut rng, &[true, false], &setup),
            Err(OtError::Malformed(_))
        ));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn over_duplex_128() {
        let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
        let msgs = pairs(128);
        let choices: Vec<bool> = (0..128).map(|i| (i * 7) % 5 < 2).collect();
        let m2 = msgs.clone();
        let t = tokio::spawn(async move { send(&mut a, &m2).await });
        let got = receive(&mut b, &choices).await.unwrap();
        t.await.unwrap().unwrap();
        for i in 0..128 {
            assert_eq!(got[i], msgs[i][choices[i] as usize]);
        }
    }
}
