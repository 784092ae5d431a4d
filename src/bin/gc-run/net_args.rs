//! Network options shared by every networked command: `--listen` / `--connect`, timeouts, and
//! the secure channel (`--key FILE --peer-key PUBKEY|FILE`, or `--insecure`), and a
//! simulated link (`--link RATE[,RTT]`).
//!
//! Policy: with `--key` and `--peer-key` the channel is encrypted and mutually authenticated
//! (Noise XX, pinned keys; see `duet_net::secure`). Without them, only loopback addresses are
//! allowed (with a one-line warning), unless `--insecure` says that sending everything in the
//! clear to an unauthenticated peer is intended. All checks happen before any network
//! traffic (no name is resolved for the check: a host name other than `localhost` counts as
//! non-loopback).

use crate::common::usage;
use clap::Args;
use duet_net::{Channel, ChannelConfig, Link, PublicKey, SecureKeys, StaticKeyPair};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where to meet the other party, and how to authenticate it.
#[derive(Args, Debug, Clone)]
pub struct NetArgs {
    /// Listen on ADDR (host:port; port 0 picks a free port and prints it) and wait for the
    /// other party to connect.
    #[arg(long, value_name = "ADDR", conflicts_with = "connect")]
    pub listen: Option<String>,
    /// Connect to the other party at ADDR (host:port), retrying until it is up or
    /// --connect-timeout passes.
    #[arg(long, value_name = "ADDR")]
    pub connect: Option<String>,
    /// Seconds to keep retrying --connect, or to wait for a peer on --listen.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub connect_timeout: u64,
    /// Seconds the peer has for each message: a receive of n bytes must complete within
    /// this plus n / 64 KiB seconds, however the peer paces its bytes (a peer that sends a
    /// byte now and then is cut off after about this long).
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Seconds for the whole networked run, waiting for the peer included (default: no
    /// limit). Past it the party stops with exit status 1.
    #[arg(long, value_name = "SECS")]
    pub deadline: Option<u64>,
    /// This party's static key pair (made by `gc-run keygen`). With --peer-key, the channel
    /// is encrypted and both parties are authenticated.
    #[arg(long, value_name = "FILE", requires = "peer_key")]
    pub key: Option<PathBuf>,
    /// The other party's public key (`duet-pk:…`, from its `gc-run keygen`/`pubkey`), or a
    /// file holding it. Only this key is accepted.
    #[arg(long, value_name = "PUBKEY|FILE", requires = "key")]
    pub peer_key: Option<String>,
    /// Allow an unencrypted, unauthenticated channel to a non-loopback address.
    #[arg(long, conflicts_with_all = ["key", "peer_key"])]
    pub insecure: bool,
    /// Simulate a network link on this party's sends: RATE[,RTT], e.g. 100mbit,40ms or
    /// 1gbit (RATE in bit/kbit/mbit/gbit or `unlimited`, RTT in us/ms/s). Models
    /// serialisation at RATE, a one-way delay of RTT/2 and a bounded queue; not loss, jitter
    /// or TCP slow start. Each party paces only its own sends: give both the same --link.
    #[arg(long, value_name = "RATE[,RTT]")]
    pub link: Option<Link>,
}

/// How the channel will be opened.
enum Mode {
    Secure(Box<SecureKeys>),
    /// In the clear; the warning to print first.
    Plain(String),
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

fn load_peer_key(arg: &str) -> anyhow::Result<PublicKey> {
    let t = arg.trim();
    if t.starts_with(duet_net::PUBLIC_KEY_PREFIX) {
        return t.parse().map_err(|e| usage(format!("--peer-key: {e}")));
    }
    let path = Path::new(arg);
    if !path.exists() {
        return Err(usage(format!(
            "--peer-key {arg}: neither a public key (`duet-pk:` + 64 hex digits) nor an existing file"
        )));
    }
    PublicKey::load(path).map_err(|e| usage(format!("--peer-key: {e}")))
}

impl NetArgs {
    /// The address and role (`true` = listen).
    fn endpoint(&self) -> anyhow::Result<(&str, bool)> {
        match (&self.listen, &self.connect) {
            (Some(a), _) => Ok((a, true)),
            (None, Some(a)) => Ok((a, false)),
            (None, None) => Err(usage("give --listen ADDR or --connect ADDR")),
        }
    }

    fn mode(&self) -> anyhow::Result<Mode> {
        let (addr, listen) = self.endpoint()?;
        match (&self.key, &self.peer_key) {
            (Some(key), Some(peer)) => {
                let local = StaticKeyPair::load(key).map_err(|e| usage(format!("--key: {e}")))?;
                let peer = load_peer_key(peer)?;
                if peer == local.public() {
                    return Err(usage(
                        "--peer-key is this party's own public key; give the other party's",
                    ));
                }
                Ok(Mode::Secure(Box::new(SecureKeys::new(local, peer))))
            }
            (Some(_), None) | (None, Some(_)) => Err(usage(
                "--key and --peer-key go together (this party's key pair and the other \
                 party's public key)",
            )),
            (None, None) if self.insecure => Ok(Mode::Plain(format!(
                "--insecure: the channel {} {addr} is neither encrypted nor authenticated",
                if listen { "on" } else { "to" }
            ))),
            (None, None) if is_loopback(addr) => Ok(Mode::Plain(
                "no --key/--peer-key: unencrypted channel (allowed on loopback only)".into(),
            )),
            (None, None) => Err(usage(format!(
                "refusing to {} {addr} without encryption: give --key FILE and --peer-key \
                 PUBKEY (make keys with `gc-run keygen`), or --insecure to send everything in \
                 the clear to an unauthenticated peer",
                if listen { "listen on" } else { "connect to" }
            ))),
        }
    }

    /// Check the options before any network traffic (exit 2 on a problem): exactly one of
    /// --listen / --connect, keys readable and paired, and no unencrypted channel to a
    /// non-loopback address without --insecure.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.mode().map(|_| ())
    }

    /// Open the channel to the other party (encrypted when keys are given).
    pub async fn open(&self) -> anyhow::Result<Channel> {
        let mode = self.mode()?;
        if let Some(secs) = self.deadline {
            // A watchdog, whatever the run is waiting for (the network, a worker thread).
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_secs(secs));
                eprintln!("gc-run: error: the run did not finish within --deadline {secs} s");
                std::process::exit(1);
            });
        }
        let (addr, listen) = self.endpoint()?;
        let config = ChannelConfig::default()
            .with_timeout(Duration::from_secs(self.timeout))
            .with_link(self.link);
        let wait = Duration::from_secs(self.connect_timeout);
        if let Mode::Plain(warning) = &mode {
            eprintln!("gc-run: warning: {warning}");
        }
        let ch = if listen {
            let listener = duet_net::tcp::bind(addr).await?;
            if addr.ends_with(":0") {
                eprintln!("gc-run: listening on {}", listener.local_addr()?);
            }
            match &mode {
                Mode::Secure(keys) => {
                    duet_net::secure::accept(&listener, &config, wait, keys).await?
                }
                Mode::Plain(_) => duet_net::tcp::accept(&listener, &config, wait).await?,
            }
        } else {
            match &mode {
                Mode::Secure(keys) => duet_net::secure::connect(addr, &config, wait, keys).await?,
                Mode::Plain(_) => duet_net::tcp::connect(addr, &config, wait).await?,
            }
        };
        Ok(ch)
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn loopback_detection_never_resolves() {
        for a in [
            "127.0.0.1:7000",
            "127.8.9.1:1",
            "[::1]:7000",
            "localhost:7000",
            "LOCALHOST:0",
        ] {
            assert!(is_loopback(a), "{a}");
        }
        for a in [
            "10.1.2.3:7000",
            "0.0.0.0:7000",
            "[::]:1",
            "example.com:7000",
            "7000",
            ":7000",
        ] {
            assert!(!is_loopback(a), "{a}");
        }
    }
}
