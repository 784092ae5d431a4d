//! [`Channel`]: buffered, framed, counted async I/O.

use std::time::Duration;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};

/// Errors of channel I/O. "The peer misbehaved" ([`NetError::Closed`],
/// [`NetError::FrameTooLarge`], [`NetError::Timeout`]) is kept apart from local I/O failure
/// ([`NetError::Io`]).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NetError {
    /// The peer closed the connection (EOF) before the expected bytes arrived.
    #[error("peer closed the connection")]
    Closed,
    /// No progress within the configured timeout.
    #[error("peer sent nothing for {after:?} (timeout)")]
    Timeout {
        /// the timeout that expired
        after: Duration,
    },
    /// A frame's length prefix exceeds what the receiver accepts here.
    #[error("peer sent a frame of {actual} bytes; at most {max} expected")]
    FrameTooLarge {
        /// the announced length
        actual: u64,
        /// the receiver's cap
        max: u64,
    },
    /// A message had the wrong length or form.
    #[error("peer sent a malformed message: {0}")]
    Malformed(String),
    /// Connection set-up failed (bind, connect, refused, retries exhausted).
    #[error("connection failed: {0}")]
    Connect(String),
    /// Any other I/O error of the transport.
    #[error("network I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Tunables of a [`Channel`].
#[derive(Clone, Debug)]
pub struct ChannelConfig {
    /// Bound on every receive and flush (default 30 s).
    pub timeout: Duration,
    /// Write buffer size in bytes (default 1 MiB).
    pub write_buffer: usize,
    /// Read buffer size in bytes (default 1 MiB).
    pub read_buffer: usize,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            timeout: Duration::from_secs(30),
            write_buffer: 1 << 20,
            read_buffer: 1 << 20,
        }
    }
}

type BoxRead = Box<dyn AsyncRead + Send + Unpin>;
type BoxWrite = Box<dyn AsyncWrite + Send + Unpin>;

/// A buffered, counted, framed async byte channel to the other party.
///
/// Writes are buffered: call [`Channel::flush`] before waiting for the peer's answer.
/// Methods are **not** cancel-safe (a dropped future may leave a partial message).
pub struct Channel {
    reader: BufReader<BoxRead>,
    writer: BufWriter<BoxWrite>,
    sent: u64,
    received: u64,
    timeout: Duration,
}

impl core::fmt::Debug for Channel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Channel")
            .field("sent", &self.sent)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

impl Channel {
    /// A channel over separate read and write halves.
    pub fn new<R, W>(reader: R, writer: W, config: &ChannelConfig) -> Self
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        Channel {
            reader: BufReader::with_capacity(config.read_buffer, Box::new(reader)),
            writer: BufWriter::with_capacity(config.write_buffer, Box::new(writer)),
            sent: 0,
            received: 0,
            timeout: config.timeout,
        }
    }

    /// A channel over one bidirectional stream (split internally).
    pub fn from_stream<S>(stream: S, config: &ChannelConfig) -> Self
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (r, w) = tokio::io::split(stream);
        Channel::new(r, w, config)
    }

    /// Application bytes sent so far (written into the buffer, flushed or not).
    pub fn bytes_sent(&self) -> u64 {
        self.sent
    }

    /// Application bytes received so far.
    pub fn bytes_received(&self) -> u64 {
        self.received
    }

    /// The per-operation timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Change the per-operation timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    async fn guard<T>(
        timeout: Duration,
        fut: impl core::future::Future<Output = std::io::Result<T>>,
    ) -> Result<T, NetError> {
        match tokio::time::timeout(timeout, fut).await {
            Err(_) => Err(NetError::Timeout { after: timeout }),
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(NetError::Closed),
            Ok(Err(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::BrokenPipe
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionAborted
                ) =>
            {
                Err(NetError::Closed)
            }
            Ok(Err(e)) => Err(NetError::Io(e)),
            Ok(Ok(v)) => Ok(v),
        }
    }

    /// Queue `bytes` for sending (buffered; large slices go straight to the transport).
    ///
    /// # Errors
    /// [`NetError::Closed`] if the peer is gone, [`NetError::Timeout`] if the transport does
    /// not accept bytes within the timeout.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        Self::guard(self.timeout, self.writer.write_all(bytes)).await?;
        self.sent += bytes.len() as u64;
        Ok(())
    }

    /// Push buffered bytes to the peer.
    ///
    /// # Errors
    /// As [`Channel::send`].
    pub async fn flush(&mut self) -> Result<(), NetError> {
        Self::guard(self.timeout, self.writer.flush()).await
    }

    /// Receive exactly `buf.len()` bytes.
    ///
    /// # Errors
    /// [`NetError::Closed`] on EOF first, [`NetError::Timeout`] if no bytes arrive in time.
    pub async fn recv_exact(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
        Self::guard(self.timeout, self.reader.read_exact(buf)).await?;
        self.received += buf.len() as u64;
        Ok(())
    }

    /// Send a length-prefixed frame: `u32` little-endian length, then the bytes.
    ///
    /// # Errors
    /// As [`Channel::send`]; [`NetError::Malformed`] if `bytes` is 4 GiB or more.
    pub async fn send_frame(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        let len = u32::try_from(bytes.len()).map_err(|_| {
            NetError::Malformed(format!("frame of {} bytes is too long", bytes.len()))
        })?;
        self.send(&len.to_le_bytes()).await?;
        self.send(bytes).await
    }

    /// Receive a frame sent by [`Channel::send_frame`] into `buf` (replacing its contents),
    /// accepting at most `max_len` bytes; the buffer grows only after the length is checked.
    ///
    /// # Errors
    /// [`NetError::FrameTooLarge`] if the peer announces more than `max_len`; otherwise as
    /// [`Channel::recv_exact`].
    pub async fn recv_frame_into(
        &mut self,
        buf: &mut Vec<u8>,
        max_len: usize,
    ) -> Result<(), NetError> {
        let mut len = [0u8; 4];
        self.recv_exact(&mut len).await?;
        let len = u32::from_le_bytes(len) as usize;
        if len > max_len {
            return Err(NetError::FrameTooLarge {
                actual: len as u64,
                max: max_len as u64,
            });
        }
        buf.clear();
        buf.resize(len, 0);
        self.recv_exact(buf).await
    }

    /// Receive a frame of at most `max_len` bytes.
    ///
    /// # Errors
    /// As [`Channel::recv_frame_into`].
    pub async fn recv_frame(&mut self, max_len: usize) -> Result<Vec<u8>, NetError> {
        let mut v = Vec::new();
        self.recv_frame_into(&mut v, max_len).await?;
        Ok(v)
    }

    /// Receive a frame that must be exactly `len` bytes long.
    ///
    /// # Errors
    /// [`NetError::Malformed`] naming both lengths if the frame has another length.
    pub async fn recv_frame_exact(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
        let mut len = [0u8; 4];
        self.recv_exact(&mut len).await?;
        let len = u32::from_le_bytes(len) as u64;
        if len != buf.len() as u64 {
            return Err(NetError::Malformed(format!(
                "expected a frame of {} bytes, peer announced {len}",
                buf.len()
            )));
        }
        self.recv_exact(buf).await
    }

    /// Send a `u64` (little-endian, 8 bytes, unframed).
    ///
    /// # Errors
    /// As [`Channel::send`].
    pub async fn send_u64(&mut self, x: u64) -> Result<(), NetError> {
        self.send(&x.to_le_bytes()).await
    }

    /// Receive a `u64` sent by [`Channel::send_u64`].
    ///
    /// # Errors
    /// As [`Channel::recv_exact`].
    pub async fn recv_u64(&mut self) -> Result<u64, NetError> {
        let mut b = [0u8; 8];
        self.recv_exact(&mut b).await?;
        Ok(u64::from_le_bytes(b))
    }

    /// Flush and shut down the write side (the peer sees EOF after the buffered bytes).
    ///
    /// # Errors
    /// As [`Channel::flush`].
    pub async fn close(&mut self) -> Result<(), NetError> {
        self.flush().await?;
        Self::guard(self.timeout, self.writer.shutdown()).await
    }
}

/// Two connected in-memory channels (party A, party B) for tests and one-process runs.
/// `tokio::io::duplex` pipes with 4 MiB of buffering each way.
pub fn duplex_pair(config: &ChannelConfig) -> (Channel, Channel) {
    let (a, b) = tokio::io::duplex(4 << 20);
    (
        Channel::from_stream(a, config),
        Channel::from_stream(b, config),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn frames_counters_and_errors() {
        let cfg = ChannelConfig {
            timeout: Duration::from_millis(200),
            ..Default::default()
        };
        let (mut a, mut b) = duplex_pair(&cfg);
        a.send_frame(b"hello").await.unwrap();
        a.send_u64(7).await.unwrap();
        a.flush().await.unwrap();
        assert_eq!(b.recv_frame(16).await.unwrap(), b"hello");
        assert_eq!(b.recv_u64().await.unwrap(), 7);
        // Nothing more sent: the receiver times out instead of hanging.
        let mut buf = [0u8; 1];
        assert!(matches!(
            b.recv_exact(&mut buf).await,
            Err(NetError::Timeout { .. })
        ));
        a.send_frame(&[0u8; 100]).await.unwrap();
        a.flush().await.unwrap();
        assert!(matches!(
            b.recv_frame(10).await,
            Err(NetError::FrameTooLarge {
                actual: 100,
                max: 10
            })
        ));
        assert_eq!(a.bytes_sent(), 4 + 5 + 8 + 4 + 100);
        // Peer gone: after the unread payload, EOF is `Closed`.
        drop(a);
        let mut rest = [0u8; 100];
        b.recv_exact(&mut rest).await.unwrap();
        assert!(matches!(
            b.recv_exact(&mut buf).await,
            Err(NetError::Closed)
        ));
    }
}
