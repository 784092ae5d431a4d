//! TCP transport: `TCP_NODELAY`, large buffers, connect with retry.

use crate::{Channel, ChannelConfig, NetError};
use std::time::{Duration, Instant};
use tokio::net::{TcpListener, TcpStream};

fn configure(stream: &TcpStream) -> Result<(), NetError> {
    stream.set_nodelay(true)?;
    Ok(())
}

/// Bind `addr`, accept exactly one peer, and return the channel to it.
///
/// # Errors
/// [`NetError::Connect`] if binding fails; [`NetError::Timeout`] if no peer connects within
/// `accept_timeout`.
pub async fn listen(
    addr: &str,
    config: &ChannelConfig,
    accept_timeout: Duration,
) -> Result<Channel, NetError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| NetError::Connect(format!("cannot listen on {addr}: {e}")))?;
    accept(&listener, config, accept_timeout).await
}

/// Accept one peer on an already bound listener.
///
/// # Errors
/// [`NetError::Timeout`] if no peer connects within `accept_timeout`.
pub async fn accept(
    listener: &TcpListener,
    config: &ChannelConfig,
    accept_timeout: Duration,
) -> Result<Channel, NetError> {
    let (stream, _) = tokio::time::timeout(accept_timeout, listener.accept())
        .await
        .map_err(|_| NetError::Timeout {
            after: accept_timeout,
        })??;
    configure(&stream)?;
    Ok(Channel::from_stream(stream, config))
}

/// Connect to `addr`, retrying every 50 ms until it accepts or `retry_for` has passed (so
/// the evaluator may start before the garbler is listening).
///
/// # Errors
/// [`NetError::Connect`] with the last error if no connection was made in time.
pub async fn connect(
    addr: &str,
    config: &ChannelConfig,
    retry_for: Duration,
) -> Result<Channel, NetError> {
    let deadline = Instant::now() + retry_for;
    loop {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                configure(&stream)?;
                return Ok(Channel::from_stream(stream, config));
            }
            Err(e) if Instant::now() >= deadline => {
                return Err(NetError::Connect(format!("cannot connect to {addr}: {e}")));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}
