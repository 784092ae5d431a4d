//! Static X25519 key pairs for the secure channel, their files and the public key's text form.
//!
//! - Public key text: `duet-pk:` followed by 64 lowercase hex digits (32 bytes), one token a
//!   user can copy between machines (`gc-run pubkey FILE` prints it).
//! - Key-pair file (`gc-run keygen --out FILE`, created with mode 0600, never overwritten):
//!   ```text
//!   duet-secret-key-v1
//!   secret:<64 hex digits>
//!   duet-pk:<64 hex digits>
//!   ```
//!   The first line is the header. On load the public key is re-derived from the secret and
//!   must match the `duet-pk:` line, so a corrupted file is an error, not a silent new identity.

use crate::NetError;
use std::fmt;
use std::path::Path;
use std::str::FromStr;
use zeroize::{Zeroize, Zeroizing};

/// Prefix of a public key's text form.
pub const PUBLIC_KEY_PREFIX: &str = "duet-pk:";
/// First line of a key-pair file.
pub const KEY_FILE_HEADER: &str = "duet-secret-key-v1";
const SECRET_PREFIX: &str = "secret:";
/// Largest key file accepted (it is three short lines).
const MAX_KEY_FILE: u64 = 64 * 1024;

/// Errors of key parsing and key files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not a `duet-pk:<64 hex>` public key.
    #[error("not a Duet public key (expected `duet-pk:` and 64 hex digits): {0}")]
    BadPublicKey(String),
    /// A key file is malformed.
    #[error("{path}: {reason}")]
    BadFile {
        /// the file
        path: String,
        /// what is wrong (with a line number where it applies)
        reason: String,
    },
    /// Reading or writing a key file failed.
    #[error("{path}: {source}")]
    Io {
        /// the file
        path: String,
        /// the I/O error
        source: std::io::Error,
    },
    /// Key generation failed (no OS randomness).
    #[error("key generation failed: {0}")]
    Generate(String),
}

/// A static X25519 public key (32 bytes). Displays as `duet-pk:<hex>`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Read a public key from a file: the first line that starts with `duet-pk:` (a public
    /// key file, or the output of `gc-run pubkey` saved to a file). A key-pair file (one that
    /// holds a secret) is refused: where a peer's public key is expected, a private key is a
    /// mistake, and a file holding a secret should not be passed around.
    ///
    /// # Errors
    /// [`KeyError::Io`] if unreadable, [`KeyError::BadFile`] if the file holds a secret or no
    /// valid key line is found.
    pub fn load(path: &Path) -> Result<PublicKey, KeyError> {
        let text = read_small(path)?;
        if text
            .lines()
            .any(|l| l.trim().starts_with(SECRET_PREFIX) || l.trim() == KEY_FILE_HEADER)
        {
            return Err(bad(
                path,
                "this is a private key file (it holds a secret); give the other party's public \
                 key (`gc-run pubkey FILE` prints the public key of a key file)"
                    .into(),
            ));
        }
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.starts_with(PUBLIC_KEY_PREFIX) {
                return line
                    .parse()
                    .map_err(|e: KeyError| bad(path, format!("line {}: {e}", i + 1)));
            }
        }
        Err(bad(path, "no `duet-pk:` line found".into()))
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PUBLIC_KEY_PREFIX}{}", hex::encode(self.0))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({self})")
    }
}

impl FromStr for PublicKey {
    type Err = KeyError;

    /// Parse `duet-pk:<64 hex>` (surrounding whitespace ignored; the prefix is required so
    /// that a file name is never mistaken for a key).
    fn from_str(s: &str) -> Result<Self, KeyError> {
        let t = s.trim();
        let shown = || t.chars().take(80).collect::<String>();
        let hexpart = t
            .strip_prefix(PUBLIC_KEY_PREFIX)
            .ok_or_else(|| KeyError::BadPublicKey(shown()))?;
        let mut out = [0u8; 32];
        if hexpart.len() != 64 || hex::decode_to_slice(hexpart, &mut out).is_err() {
            return Err(KeyError::BadPublicKey(shown()));
        }
        Ok(PublicKey(out))
    }
}

/// A static X25519 key pair: this party's long-term identity on the secure channel.
/// The secret is zeroized on drop and never printed (`Debug` shows only the public key).
#[derive(Clone)]
pub struct StaticKeyPair {
    secret: Zeroizing<[u8; 32]>,
    public: PublicKey,
}

impl fmt::Debug for StaticKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticKeyPair")
            .field("public", &self.public)
            .field("secret", &"<redacted>")
            .finish()
    }
}

fn derive_public(secret: &[u8; 32]) -> PublicKey {
    PublicKey(curve25519_dalek::montgomery::MontgomeryPoint::mul_base_clamped(*secret).to_bytes())
}

impl StaticKeyPair {
    /// A fresh key pair from OS randomness.
    ///
    /// # Errors
    /// [`KeyError::Generate`] if the OS gives no randomness.
    pub fn generate() -> Result<StaticKeyPair, KeyError> {
        let mut kp = crate::secure::noise_builder()
            .generate_keypair()
            .map_err(|e| KeyError::Generate(e.to_string()))?;
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&kp.private);
        kp.private.zeroize();
        Ok(StaticKeyPair::from_secret(*secret))
    }

    /// The key pair of a given 32-byte X25519 secret (clamping is applied by X25519 itself).
    pub fn from_secret(secret: [u8; 32]) -> StaticKeyPair {
        let secret = Zeroizing::new(secret);
        let public = derive_public(&secret);
        StaticKeyPair { secret, public }
    }

    /// The public half, to give to the other party.
    pub fn public(&self) -> PublicKey {
        self.public
    }

    pub(crate) fn secret_bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    /// The key file's text (see the module doc). Contains the secret.
    pub fn to_file_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{KEY_FILE_HEADER}\n{SECRET_PREFIX}{}\n{}\n",
            hex::encode(*self.secret),
            self.public
        ))
    }

    /// Parse a key file's text; `path` only names the file in errors.
    ///
    /// # Errors
    /// [`KeyError::BadFile`] with the line and reason.
    pub fn from_file_text(text: &str, path: &Path) -> Result<StaticKeyPair, KeyError> {
        let mut lines = text.lines().map(str::trim).enumerate();
        match lines.next() {
            Some((_, KEY_FILE_HEADER)) => {}
            _ => {
                return Err(bad(
                    path,
                    format!(
                        "line 1: expected the header `{KEY_FILE_HEADER}` (not a Duet key file; make one with `gc-run keygen`)"
                    ),
                ));
            }
        }
        let mut secret: Option<Zeroizing<[u8; 32]>> = None;
        let mut public: Option<PublicKey> = None;
        for (i, line) in lines {
            let n = i + 1;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(h) = line.strip_prefix(SECRET_PREFIX) {
                let mut s = Zeroizing::new([0u8; 32]);
                if h.len() != 64 || hex::decode_to_slice(h, &mut s[..]).is_err() {
                    return Err(bad(
                        path,
                        format!("line {n}: the secret must be 64 hex digits"),
                    ));
                }
                secret = Some(s);
            } else if line.starts_with(PUBLIC_KEY_PREFIX) {
                public = Some(
                    line.parse()
                        .map_err(|e| bad(path, format!("line {n}: {e}")))?,
                );
            } else {
                return Err(bad(path, format!("line {n}: unexpected content")));
            }
        }
        let secret = secret.ok_or_else(|| bad(path, "no `secret:` line".into()))?;
        let kp = StaticKeyPair::from_secret(*secret);
        if let Some(p) = public
            && p != kp.public
        {
            return Err(bad(
                path,
                "the `duet-pk:` line does not match the secret (corrupted file?)".into(),
            ));
        }
        Ok(kp)
    }

    /// Write the key pair to a new file `path`, created with mode 0600 (owner read/write).
    /// An existing file is never overwritten.
    ///
    /// # Errors
    /// [`KeyError::Io`] (e.g. the file exists: `AlreadyExists`).
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let io = |source| KeyError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut f = opts.open(path).map_err(io)?;
        f.write_all(self.to_file_text().as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)
    }

    /// Load a key pair written by [`StaticKeyPair::save`]. Warns (through `tracing`) if the
    /// file is readable by group or others.
    ///
    /// # Errors
    /// [`KeyError::Io`] if unreadable, [`KeyError::BadFile`] if malformed.
    pub fn load(path: &Path) -> Result<StaticKeyPair, KeyError> {
        let text = Zeroizing::new(read_small(path)?);
        #[cfg(unix)]
        if let Ok(meta) = std::fs::metadata(path) {
            use std::os::unix::fs::PermissionsExt;
            if meta.permissions().mode() & 0o077 != 0 {
                tracing::warn!(
                    "key file {} is readable by others; `chmod 600` it",
                    path.display()
                );
            }
        }
        StaticKeyPair::from_file_text(&text, path)
    }
}

fn bad(path: &Path, reason: String) -> KeyError {
    KeyError::BadFile {
        path: path.display().to_string(),
        reason,
    }
}

fn read_small(path: &Path) -> Result<String, KeyError> {
    use std::io::Read;
    let io = |source| KeyError::Io {
        path: path.display().to_string(),
        source,
    };
    let f = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    f.take(MAX_KEY_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_KEY_FILE {
        return Err(bad(path, "too large for a key file".into()));
    }
    String::from_utf8(bytes).map_err(|_| bad(path, "not UTF-8 text (not a key file)".into()))
}

impl From<KeyError> for NetError {
    fn from(e: KeyError) -> NetError {
        NetError::Handshake(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_forms_round_trip_and_reject_garbage() {
        let kp = StaticKeyPair::generate().unwrap();
        let s = kp.public().to_string();
        assert!(s.starts_with("duet-pk:") && s.len() == 8 + 64);
        assert_eq!(s.parse::<PublicKey>().unwrap(), kp.public());
        assert_eq!(format!(" {s}\n").parse::<PublicKey>().unwrap(), kp.public());
        for b in [
            "",
            "duet-pk:",
            &s[8..],
            &s[..70],
            &format!("{s}00"),
            &s.replace('a', "g"),
        ] {
            if b != s {
                assert!(b.parse::<PublicKey>().is_err(), "{b}");
            }
        }
        let text = kp.to_file_text();
        let back = StaticKeyPair::from_file_text(&text, Path::new("k")).unwrap();
        assert_eq!(back.public(), kp.public());
        assert_eq!(back.secret_bytes(), kp.secret_bytes());
        assert!(!format!("{kp:?}").contains(&hex::encode(kp.secret_bytes())));
        // Corruptions: no header, mismatched public line, short secret.
        let p = Path::new("k");
        assert!(StaticKeyPair::from_file_text(&text[KEY_FILE_HEADER.len()..], p).is_err());
        let other = StaticKeyPair::generate().unwrap().public().to_string();
        let swapped = text.replace(&s, &other);
        let e = StaticKeyPair::from_file_text(&swapped, p).unwrap_err();
        assert!(e.to_string().contains("does not match"), "{e}");
        assert!(StaticKeyPair::from_file_text("duet-secret-key-v1\nsecret:00\n", p).is_err());
        assert!(StaticKeyPair::from_file_text("duet-secret-key-v1\n", p).is_err());
    }

    #[test]
    fn save_is_0600_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("me.key");
        let kp = StaticKeyPair::generate().unwrap();
        kp.save(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(kp.save(&path).is_err());
        assert_eq!(StaticKeyPair::load(&path).unwrap().public(), kp.public());
        // a key-pair file is not a public key: refused, naming why
        let e = PublicKey::load(&path).unwrap_err().to_string();
        assert!(e.contains("private key file"), "{e}");
        let pubfile = dir.path().join("peer.pub");
        std::fs::write(&pubfile, format!("{}\n", kp.public())).unwrap();
        assert_eq!(PublicKey::load(&pubfile).unwrap(), kp.public());
        std::fs::write(dir.path().join("junk"), [0xffu8, 0, 1]).unwrap();
        assert!(StaticKeyPair::load(&dir.path().join("junk")).is_err());
        assert!(PublicKey::load(&dir.path().join("junk")).is_err());
        assert!(StaticKeyPair::load(&dir.path().join("missing")).is_err());
    }
}
