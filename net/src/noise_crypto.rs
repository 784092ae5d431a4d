//! The primitives of `Noise_XX_25519_AESGCM_SHA256` for `snow`: X25519 from
//! `curve25519-dalek` 5 (the one base OT uses), AES-256-GCM and SHA-256 from `ring`, OS
//! randomness from `getrandom`. snow is built without its own resolvers, so it no longer
//! brings a second curve25519 (dalek 4), a second and third AES (`aes` 0.8 under `aes-gcm`
//! 0.10, beside ring's), ChaCha20-Poly1305, BLAKE2 or a second digest stack.
//!
//! Why ring's AES-GCM and not RustCrypto's `aes-gcm` 0.11 over the `aes` crate garbling
//! uses (which would leave one AES implementation): measured on this project's machine (README,
//! performance table), ring seals and opens 64 KiB records about twice as fast per core, and
//! the secure channel's CPU per GB is what an encrypted 2PC run pays on every table byte.
//!
//! The algorithms are the Noise specification's (rev. 34): §12.1 (25519: X25519 of RFC 7748),
//! §12.3 (AESGCM: AES-256-GCM, 96-bit nonce = 32 zero bits ‖ the 64-bit counter big-endian,
//! 16-byte tag appended), §12.5 (SHA256). One addition: a DH result of all zeros (a
//! low-order peer point, RFC 7748 §6.1) is refused instead of hashed into the keys.

use curve25519_dalek::montgomery::MontgomeryPoint;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, Tag, UnboundKey};
use ring::digest;
use snow::params::{CipherChoice, DHChoice, HashChoice};
use snow::resolvers::CryptoResolver;
use snow::types::{Cipher, Dh, Hash, Random};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Key and tag sizes of the Noise spec (§5.1: 32-byte cipher keys, 16-byte tags).
const KEY_LEN: usize = 32;
const TAG_LEN: usize = 16;

/// snow's resolver for Duet's one cipher suite; every other choice resolves to `None`
/// (snow then refuses the protocol name).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct DuetResolver;

impl CryptoResolver for DuetResolver {
    fn resolve_rng(&self) -> Option<Box<dyn Random>> {
        Some(Box::new(OsRandom))
    }

    fn resolve_dh(&self, choice: &DHChoice) -> Option<Box<dyn Dh>> {
        matches!(choice, DHChoice::Curve25519).then(|| Box::new(X25519::default()) as Box<dyn Dh>)
    }

    fn resolve_hash(&self, choice: &HashChoice) -> Option<Box<dyn Hash>> {
        matches!(choice, HashChoice::SHA256)
            .then(|| Box::new(Sha256Hash::default()) as Box<dyn Hash>)
    }

    fn resolve_cipher(&self, choice: &CipherChoice) -> Option<Box<dyn Cipher>> {
        matches!(choice, CipherChoice::AESGCM)
            .then(|| Box::new(AesGcm::default()) as Box<dyn Cipher>)
    }
}

/// The operating system's randomness.
struct OsRandom;

impl Random for OsRandom {
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), snow::Error> {
        getrandom::fill(dest).map_err(|_| snow::Error::Rng)
    }
}

/// X25519 (RFC 7748) with a zeroized secret.
#[derive(Default)]
struct X25519 {
    secret: [u8; 32],
    public: [u8; 32],
}

impl Drop for X25519 {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl X25519 {
    fn derive(&mut self) {
        self.public = MontgomeryPoint::mul_base_clamped(self.secret).to_bytes();
    }
}

impl Dh for X25519 {
    fn name(&self) -> &'static str {
        "25519"
    }

    fn pub_len(&self) -> usize {
        32
    }

    fn priv_len(&self) -> usize {
        32
    }

    fn set(&mut self, privkey: &[u8]) {
        // snow passes priv_len() bytes; a shorter slice leaves the rest zero.
        let n = privkey.len().min(32);
        self.secret = [0; 32];
        self.secret[..n].copy_from_slice(&privkey[..n]);
        self.derive();
    }

    fn generate(&mut self, rng: &mut dyn Random) -> Result<(), snow::Error> {
        rng.try_fill_bytes(&mut self.secret)?;
        self.derive();
        Ok(())
    }

    fn pubkey(&self) -> &[u8] {
        &self.public
    }

    fn privkey(&self) -> &[u8] {
        &self.secret
    }

    fn dh(&self, pubkey: &[u8], out: &mut [u8]) -> Result<(), snow::Error> {
        let peer: [u8; 32] = pubkey
            .get(..32)
            .and_then(|p| p.try_into().ok())
            .ok_or(snow::Error::Dh)?;
        let shared = MontgomeryPoint(peer).mul_clamped(self.secret).to_bytes();
        if bool::from(shared.ct_eq(&[0u8; 32])) {
            return Err(snow::Error::Dh);
        }
        out.get_mut(..32)
            .ok_or(snow::Error::Dh)?
            .copy_from_slice(&shared);
        Ok(())
    }
}

/// AES-256-GCM (ring) with its key schedule kept between messages.
#[derive(Default)]
struct AesGcm {
    key: Option<LessSafeKey>,
}

/// The Noise AESGCM nonce (§12.3): 32 zero bits, then the counter big-endian.
fn nonce(n: u64) -> Nonce {
    let mut b = [0u8; 12];
    b[4..].copy_from_slice(&n.to_be_bytes());
    Nonce::assume_unique_for_key(b)
}

impl Cipher for AesGcm {
    fn name(&self) -> &'static str {
        "AESGCM"
    }

    fn set(&mut self, key: &[u8; KEY_LEN]) {
        self.key = UnboundKey::new(&AES_256_GCM, key)
            .ok()
            .map(LessSafeKey::new);
    }

    fn encrypt(&self, n: u64, authtext: &[u8], plaintext: &[u8], out: &mut [u8]) -> usize {
        let len = plaintext.len();
        // snow sizes `out` for the tag and calls `set` first; anything else is a bug in snow.
        let (Some(key), Some(buf)) = (&self.key, out.get_mut(..len + TAG_LEN)) else {
            panic!("AES-GCM used before its key was set or with a short output buffer");
        };
        let (body, tag_out) = buf.split_at_mut(len);
        body.copy_from_slice(plaintext);
        let tag = key
            .seal_in_place_separate_tag(nonce(n), Aad::from(authtext), body)
            .expect("AES-GCM seals any Noise message (at most 65535 bytes)");
        tag_out.copy_from_slice(tag.as_ref());
        len + TAG_LEN
    }

    fn decrypt(
        &self,
        n: u64,
        authtext: &[u8],
        ciphertext: &[u8],
        out: &mut [u8],
    ) -> Result<usize, snow::Error> {
        let key = self.key.as_ref().ok_or(snow::Error::Decrypt)?;
        let len = ciphertext
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(snow::Error::Decrypt)?;
        let body = out.get_mut(..len).ok_or(snow::Error::Decrypt)?;
        body.copy_from_slice(&ciphertext[..len]);
        let tag: [u8; TAG_LEN] = ciphertext[len..]
            .try_into()
            .map_err(|_| snow::Error::Decrypt)?;
        let opened = key
            .open_in_place_separate_tag(nonce(n), Aad::from(authtext), Tag::from(tag), body, 0..)
            .is_ok();
        if !opened {
            body.zeroize();
            return Err(snow::Error::Decrypt);
        }
        Ok(len)
    }
}

/// SHA-256 (ring).
struct Sha256Hash(digest::Context);

impl Default for Sha256Hash {
    fn default() -> Self {
        Sha256Hash(digest::Context::new(&digest::SHA256))
    }
}

impl Hash for Sha256Hash {
    fn name(&self) -> &'static str {
        "SHA256"
    }

    fn block_len(&self) -> usize {
        64
    }

    fn hash_len(&self) -> usize {
        32
    }

    fn reset(&mut self) {
        self.0 = digest::Context::new(&digest::SHA256);
    }

    fn input(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn result(&mut self, out: &mut [u8]) {
        let done = std::mem::replace(&mut self.0, digest::Context::new(&digest::SHA256));
        out[..32].copy_from_slice(done.finish().as_ref());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7748 §6.1 test vector: Alice's and Bob's keys agree on the shared secret.
    #[test]
    fn x25519_rfc7748_vector() {
        let hex = |s: &str| -> [u8; 32] {
            let v: Vec<u8> = (0..32)
                .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            v.try_into().unwrap()
        };
        let a = hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        let b_pub = hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        let a_pub = hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        let k = hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        let mut dh = X25519::default();
        dh.set(&a);
        assert_eq!(dh.pubkey(), a_pub);
        let mut out = [0u8; 32];
        dh.dh(&b_pub, &mut out).unwrap();
        assert_eq!(out, k);
        // a low-order point (zero) gives an all-zero secret: refused
        assert!(dh.dh(&[0u8; 32], &mut out).is_err());
        assert!(dh.dh(&[0u8; 31], &mut out).is_err());
    }

    /// AES-GCM: round trip, the Noise nonce layout, and a flipped bit refused.
    #[test]
    fn aes_gcm_round_trip_and_tamper() {
        let mut c = AesGcm::default();
        c.set(&[7u8; 32]);
        let msg = b"duet record";
        let mut ct = [0u8; 11 + TAG_LEN];
        assert_eq!(c.encrypt(5, b"ad", msg, &mut ct), 27);
        let mut pt = [0u8; 11];
        assert_eq!(c.decrypt(5, b"ad", &ct, &mut pt).unwrap(), 11);
        assert_eq!(&pt, msg);
        assert!(c.decrypt(6, b"ad", &ct, &mut pt).is_err(), "wrong nonce");
        assert!(c.decrypt(5, b"ax", &ct, &mut pt).is_err(), "wrong AD");
        ct[3] ^= 1;
        assert!(c.decrypt(5, b"ad", &ct, &mut pt).is_err(), "flipped bit");
        assert!(c.decrypt(5, b"ad", &ct[..10], &mut pt).is_err(), "short");
        // NIST GCM test case 13 (AES-256, zero key, zero IV, empty message): the tag
        let mut z = AesGcm::default();
        z.set(&[0u8; 32]);
        let mut t = [0u8; TAG_LEN];
        assert_eq!(z.encrypt(0, b"", b"", &mut t), TAG_LEN);
        assert_eq!(
            t,
            [
                0x53, 0x0f, 0x8a, 0xfb, 0xc7, 0x45, 0x36, 0xb9, 0xa9, 0x63, 0xb4, 0xf1, 0xc4, 0xcb,
                0x73, 0x8b
            ]
        );
    }

    /// SHA-256 of "abc" (FIPS 180-2).
    #[test]
    fn sha256_abc() {
        let mut h = Sha256Hash::default();
        h.input(b"ab");
        h.input(b"c");
        let mut out = [0u8; 32];
        h.result(&mut out);
        assert_eq!(
            out[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "SHA-256(abc) starts ba7816bf"
        );
        assert_eq!(out[28..], [0xf2, 0x00, 0x15, 0xad]);
    }
}
