//! Network options shared by every networked command (`--listen` / `--connect`, timeouts).

use crate::common::usage;
use clap::Args;
use duet_net::{Channel, ChannelConfig};
use std::time::Duration;

/// Where to meet the other party.
#[derive(Args, Debug, Clone)]
pub struct NetArgs {
    /// Listen on ADDR (host:port) and wait for the other party to connect.
    #[arg(long, value_name = "ADDR", conflicts_with = "connect")]
    pub listen: Option<String>,
    /// Connect to the other party at ADDR (host:port), retrying until it is up or
    /// --connect-timeout passes.
    #[arg(long, value_name = "ADDR")]
    pub connect: Option<String>,
    /// Seconds to keep retrying --connect, or to wait for a peer on --listen.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub connect_timeout: u64,
    /// Seconds without progress from the peer before giving up.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
}

impl NetArgs {
    /// Check that exactly one of --listen / --connect is given (exit 2 otherwise).
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.listen.is_none() && self.connect.is_none() {
            return Err(usage("give --listen ADDR or --connect ADDR"));
        }
        Ok(())
    }

    /// Open the channel to the other party.
    pub async fn open(&self) -> anyhow::Result<Channel> {
        self.validate()?;
        let config = ChannelConfig {
            timeout: Duration::from_secs(self.timeout),
            ..Default::default()
        };
        let wait = Duration::from_secs(self.connect_timeout);
        let ch = match (&self.listen, &self.connect) {
            (Some(addr), _) => duet_net::tcp::listen(addr, &config, wait).await?,
            (None, Some(addr)) => duet_net::tcp::connect(addr, &config, wait).await?,
            (None, None) => unreachable!("validated above"),
        };
        Ok(ch)
    }
}
