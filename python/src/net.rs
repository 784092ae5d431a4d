//! Where two processes meet (`listen=` / `connect=`) and how they authenticate each other
//! (`key=` / `peer_key=`, or `insecure=True`), with the CLI's policy (DESIGN.md, "secure
//! channel"): with both keys the channel is encrypted and mutually authenticated (Noise XX,
//! pinned keys); without them only loopback addresses are allowed, unless `insecure=True`
//! says that sending everything in the clear to an unauthenticated peer is intended. All
//! checks happen before any network traffic. Also `duet.keygen` / `duet.pubkey`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use duet_net::{Channel, ChannelConfig, KeyError, PublicKey, SecureKeys, StaticKeyPair};
use pyo3::prelude::*;

use crate::error::{Fail, Result};

/// A party's network options, checked.
pub struct NetOpts {
    addr: String,
    listen: bool,
    keys: Option<Box<SecureKeys>>,
    config: ChannelConfig,
    wait: Duration,
}

/// Whether `addr` (host:port) is certainly a loopback address, decided without resolving.
fn is_loopback(addr: &str) -> bool {
    if let Ok(sa) = addr.parse::<SocketAddr>() {
        return sa.ip().is_loopback();
    }
    match addr.rsplit_once(':') {
        Some((host, _)) => host.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// The other party's public key: `duet-pk:` + 64 hex digits, or a file holding it.
fn load_peer_key(arg: &str) -> Result<PublicKey> {
    let t = arg.trim();
    if t.starts_with(duet_net::PUBLIC_KEY_PREFIX) {
        return t.parse().map_err(|e| Fail::input(format!("peer_key: {e}")));
    }
    let path = Path::new(arg);
    if !path.exists() {
        return Err(Fail::input(format!(
            "peer_key {arg:?}: neither a public key (`duet-pk:` + 64 hex digits) nor an existing file"
        )));
    }
    PublicKey::load(path).map_err(|e| Fail::input(format!("peer_key: {e}")))
}

/// Seconds as a duration; `what` names the option in the error.
fn seconds(s: f64, what: &str) -> Result<Duration> {
    if s.is_nan() || s <= 0.0 {
        return Err(Fail::input(format!(
            "{what} must be a positive number of seconds, got {s}"
        )));
    }
    Duration::try_from_secs_f64(s)
        .map_err(|_| Fail::input(format!("{what}: {s} seconds is out of range")))
}

impl NetOpts {
    /// Check the options (no network traffic yet): exactly one of `listen` / `connect`,
    /// keys readable and paired, no unencrypted channel to a non-loopback address without
    /// `insecure`. `timeout`: seconds the peer has for each message (plus n / 64 KiB s for
    /// n bytes); `connect_timeout`: seconds to keep retrying `connect`, or to wait for a
    /// peer on `listen`.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        listen: Option<String>,
        connect: Option<String>,
        key: Option<PathBuf>,
        peer_key: Option<String>,
        insecure: bool,
        timeout: f64,
        connect_timeout: f64,
    ) -> Result<NetOpts> {
        let (addr, listen) = match (listen, connect) {
            (Some(a), None) => (a, true),
            (None, Some(a)) => (a, false),
            (Some(_), Some(_)) => {
                return Err(Fail::input("give listen= or connect=, not both"));
            }
            (None, None) => {
                return Err(Fail::input(
                    "give listen=\"HOST:PORT\" (wait for the peer) or connect=\"HOST:PORT\"",
                ));
            }
        };
        let keys = match (key, peer_key) {
            (Some(key), Some(peer)) => {
                if insecure {
                    return Err(Fail::input("insecure=True contradicts key= / peer_key="));
                }
                let local =
                    StaticKeyPair::load(&key).map_err(|e| Fail::input(format!("key: {e}")))?;
                let peer = load_peer_key(&peer)?;
                if peer == local.public() {
                    return Err(Fail::input(
                        "peer_key is this party's own public key; give the other party's",
                    ));
                }
                Some(Box::new(SecureKeys::new(local, peer)))
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(Fail::input(
                    "key= and peer_key= go together (this party's key-pair file and the other \
                     party's public key)",
                ));
            }
            (None, None) if insecure || is_loopback(&addr) => None,
            (None, None) => {
                return Err(Fail::input(format!(
                    "refusing to {} {addr} without encryption: give key= (a file from \
                     duet.keygen) and peer_key= (the other party's duet-pk:…), or \
                     insecure=True to send everything in the clear to an unauthenticated peer",
                    if listen { "listen on" } else { "connect to" }
                )));
            }
        };
        let config = ChannelConfig::new().with_timeout(seconds(timeout, "timeout")?);
        Ok(NetOpts {
            addr,
            listen,
            keys,
            config,
            wait: seconds(connect_timeout, "connect_timeout")?,
        })
    }

    /// Open the channel to the other party (encrypted when keys were given).
    pub async fn open(&self) -> Result<Channel> {
        let (addr, cfg, wait) = (self.addr.as_str(), &self.config, self.wait);
        let ch = if self.listen {
            let listener = duet_net::tcp::bind(addr).await?;
            match &self.keys {
                Some(keys) => duet_net::secure::accept(&listener, cfg, wait, keys).await?,
                None => duet_net::tcp::accept(&listener, cfg, wait).await?,
            }
        } else {
            match &self.keys {
                Some(keys) => duet_net::secure::connect(addr, cfg, wait, keys).await?,
                None => duet_net::tcp::connect(addr, cfg, wait).await?,
            }
        };
        Ok(ch)
    }
}

/// Make a static X25519 key pair for the secure channel and write it to `path` (created
/// with mode 0600, never overwritten); returns the public key (`duet-pk:` + 64 hex digits)
/// to give the other party as its `peer_key`. The file is this party's `key`.
///
/// Raises `duet.InputError` if `path` exists or cannot be written.
#[pyfunction]
pub fn keygen(path: PathBuf) -> PyResult<String> {
    let kp = StaticKeyPair::generate().map_err(Fail::protocol)?;
    kp.save(&path).map_err(|e| match &e {
        KeyError::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists => {
            Fail::input(format!(
                "{}: already exists; not overwriting a key (remove it first)",
                path.display()
            ))
        }
        _ => Fail::input(e),
    })?;
    Ok(kp.public().to_string())
}

/// The public key (`duet-pk:…`) of a key-pair file from `duet.keygen` / `gc-run keygen`, or
/// of a file holding a public key.
///
/// Raises `duet.InputError` if the file is neither.
#[pyfunction]
pub fn pubkey(path: PathBuf) -> PyResult<String> {
    let first = std::fs::read(&path)
        .ok()
        .and_then(|b| b.split(|&c| c == b'\n').next().map(<[u8]>::to_vec));
    let public =
        if first.as_deref().map(<[u8]>::trim_ascii) == Some(duet_net::KEY_FILE_HEADER.as_bytes()) {
            StaticKeyPair::load(&path).map_err(Fail::input)?.public()
        } else {
            PublicKey::load(&path).map_err(Fail::input)?
        };
    Ok(public.to_string())
}
