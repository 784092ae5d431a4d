//! TCP transport (in the clear): `TCP_NODELAY`, 4 MiB socket buffers, connect with retry.
//!
//! Both ends first exchange an 8-byte preamble naming the channel kind, so a party without
//! keys meeting a party with keys (see [`crate::secure`]) fails on both sides with a clear
//! [`NetError::Handshake`] instead of reading the other's handshake as protocol data.
//! For encryption and authentication use [`crate::secure`], which has the same three
//! functions plus the keys.

use crate::channel::guard;
use crate::secure::{MAGIC_PLAIN, check_magic};
use crate::{Channel, ChannelConfig, NetError};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Kernel send and receive buffer requested for every socket (Linux caps it at
/// `net.core.{w,r}mem_max`). Large buffers keep a bulk transfer (garbled tables) streaming
/// while the other party computes.
pub const SOCKET_BUFFER: u32 = 4 << 20;

fn socket_for(addr: &SocketAddr) -> std::io::Result<TcpSocket> {
    let s = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // Best effort: a smaller buffer only costs speed.
    let _ = s.set_send_buffer_size(SOCKET_BUFFER);
    let _ = s.set_recv_buffer_size(SOCKET_BUFFER);
    Ok(s)
}

async fn resolve(addr: &str) -> Result<Vec<SocketAddr>, NetError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host(addr)
        .await
        .map_err(|e| NetError::Connect(format!("bad address {addr}: {e}")))?
        .collect();
    if addrs.is_empty() {
        return Err(NetError::Connect(format!("{addr} resolves to no address")));
    }
    Ok(addrs)
}

/// Bind a listening socket on `addr` (`host:port`; port 0 picks a free port, see
/// [`TcpListener::local_addr`]) with `SO_REUSEADDR` and the large buffers, which accepted
/// connections inherit.
///
/// # Errors
/// [`NetError::Connect`] if the address is bad or binding fails.
pub async fn bind(addr: &str) -> Result<TcpListener, NetError> {
    let sa = resolve(addr).await?[0];
    let fail = |e: std::io::Error| NetError::Connect(format!("cannot listen on {addr}: {e}"));
    let s = socket_for(&sa).map_err(fail)?;
    s.set_reuseaddr(true).map_err(fail)?;
    s.bind(sa).map_err(fail)?;
    s.listen(128).map_err(fail)
}

/// Accept one TCP connection (no preamble), `TCP_NODELAY` set.
pub(crate) async fn accept_stream(
    listener: &TcpListener,
    accept_timeout: Duration,
) -> Result<TcpStream, NetError> {
    let (stream, _) = tokio::time::timeout(accept_timeout, listener.accept())
        .await
        .map_err(|_| {
            NetError::Connect(format!(
                "nobody connected within {} s",
                accept_timeout.as_secs_f64()
            ))
        })?
        .map_err(|e| NetError::Connect(format!("accept failed: {e}")))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Connect with retry every 50 ms until `retry_for` has passed; `TCP_NODELAY` set.
pub(crate) async fn connect_stream(addr: &str, retry_for: Duration) -> Result<TcpStream, NetError> {
    let deadline = Instant::now() + retry_for;
    loop {
        let last = match resolve(addr).await {
            Ok(addrs) => {
                let mut last = String::new();
                for sa in addrs {
                    let left = deadline
                        .saturating_duration_since(Instant::now())
                        .max(Duration::from_millis(100));
                    let attempt = async { socket_for(&sa)?.connect(sa).await };
                    match tokio::time::timeout(left, attempt).await {
                        Ok(Ok(stream)) => {
                            stream.set_nodelay(true)?;
                            return Ok(stream);
                        }
                        Ok(Err(e)) => last = e.to_string(),
                        Err(_) => last = "timed out".into(),
                    }
                }
                last
            }
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(NetError::Connect(format!(
                "cannot connect to {addr} (tried for {retry_for:?}): {last}"
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Exchange the plain-channel preamble and build the channel.
async fn plain_channel(mut stream: TcpStream, config: &ChannelConfig) -> Result<Channel, NetError> {
    guard(config.timeout, stream.write_all(&MAGIC_PLAIN)).await?;
    let mut got = [0u8; 8];
    match guard(config.timeout, stream.read_exact(&mut got)).await {
        Err(NetError::Closed) => {
            return Err(NetError::Setup(
                "the peer closed the connection before the channel preamble".into(),
            ));
        }
        r => r?,
    };
    check_magic(&got, false)?;
    let (r, w) = stream.into_split();
    let mut ch = Channel::from_parts(Box::new(r), Box::new(w), config, None);
    ch.add_wire(8, 8);
    Ok(ch)
}

/// Bind `addr`, accept exactly one peer, and return the channel to it.
///
/// # Errors
/// [`NetError::Connect`] if binding fails or no peer connects within `accept_timeout`
/// ("nobody connected within …"); [`NetError::Setup`] if the peer is not a plain Duet
/// channel.
pub async fn listen(
    addr: &str,
    config: &ChannelConfig,
    accept_timeout: Duration,
) -> Result<Channel, NetError> {
    let listener = bind(addr).await?;
    accept(&listener, config, accept_timeout).await
}

/// Accept one peer on an already bound listener (e.g. from [`bind`] on port 0).
///
/// # Errors
/// As [`listen`].
pub async fn accept(
    listener: &TcpListener,
    config: &ChannelConfig,
    accept_timeout: Duration,
) -> Result<Channel, NetError> {
    let stream = accept_stream(listener, accept_timeout).await?;
    plain_channel(stream, config).await
}

/// Connect to `addr`, retrying every 50 ms until it accepts or `retry_for` has passed (so
/// the evaluator may start before the garbler is listening).
///
/// # Errors
/// [`NetError::Connect`] with the last error if no connection was made in time;
/// [`NetError::Setup`] if the peer is not a plain Duet channel.
pub async fn connect(
    addr: &str,
    config: &ChannelConfig,
    retry_for: Duration,
) -> Result<Channel, NetError> {
    let stream = connect_stream(addr, retry_for).await?;
    plain_channel(stream, config).await
}
