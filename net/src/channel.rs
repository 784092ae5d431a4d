//! [`Channel`]: buffered, framed, counted async I/O, in the clear or in Noise records.
//!
//! Hot path: [`Channel::send`] of a slice that fits the write buffer and
//! [`Channel::recv_exact`] of bytes already buffered are a `memcpy` and a counter update, with
//! no timer, no lock and no virtual call; the transport (boxed, one virtual call per
//! buffer-full) is only touched when a buffer is full or empty.
//!
//! Deadlines: every receive ([`Channel::recv_exact`], so every frame's header and body) must
//! complete within the timeout plus one second per [`MIN_RECV_RATE`] bytes asked for, counted
//! from the start of the receive, not per transport read: a peer that drips a byte now and
//! then is cut off after about the timeout, while a bulk receive over a slow link gets time
//! in proportion to its size. Each transport write and flush is bounded by the timeout.

use crate::link::{Link, LinkWriter};
use crate::record::{MAX_RECORD, Records, copy_distance_ok, offset_away_from};
use std::time::Duration;
use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Errors of channel I/O. "The peer misbehaved" ([`NetError::Closed`],
/// [`NetError::FrameTooLarge`], [`NetError::Timeout`], [`NetError::Integrity`], …) is kept
/// apart from local I/O failure ([`NetError::Io`]).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NetError {
    /// The peer closed the connection (EOF) before the expected bytes arrived.
    #[error("peer closed the connection")]
    Closed,
    /// A receive did not complete (or a write made no progress) within its deadline.
    #[error("timed out after {after:?} waiting for the peer")]
    Timeout {
        /// the deadline that expired, from the start of the operation
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
    /// An encrypted record failed authentication (altered, replayed, reordered, dropped or
    /// truncated on the wire). The channel is closed; nothing of the record was delivered.
    #[error("secure channel integrity failure, connection aborted: {0}")]
    Integrity(String),
    /// The secure-channel handshake failed (not a Duet peer, one side without keys, the peer
    /// rejected our key, bad handshake message). No protocol byte was exchanged.
    #[error("secure channel handshake failed: {0}")]
    Handshake(String),
    /// The plain (unencrypted) channel could not be set up: the peer is not a Duet party,
    /// uses the secure channel, or closed the connection first. No protocol byte was
    /// exchanged.
    #[error("channel set-up failed: {0}")]
    Setup(String),
    /// The peer authenticated with a static key other than the pinned one. No protocol byte
    /// was exchanged; the peer is told and fails too.
    #[error(
        "the peer's key {actual} is not the expected (pinned) key {expected}; aborted before any protocol message"
    )]
    PeerKey {
        /// the pinned key (`duet-pk:…`)
        expected: String,
        /// the key the peer proved it holds
        actual: String,
    },
}

/// Tunables of a [`Channel`]. Build it from [`ChannelConfig::default`] with the `with_*`
/// methods (fields may be added, so it cannot be written as a struct literal):
///
/// ```
/// use std::time::Duration;
/// use duet_net::ChannelConfig;
/// let cfg = ChannelConfig::default().with_timeout(Duration::from_secs(5));
/// assert_eq!(cfg.timeout, Duration::from_secs(5));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ChannelConfig {
    /// Bound on every receive (default 30 s): a receive of n bytes must complete within this
    /// plus n / [`MIN_RECV_RATE`] seconds, however the peer paces its bytes; each write and
    /// flush must make progress within it.
    pub timeout: Duration,
    /// Write buffer size in bytes (default 1 MiB).
    pub write_buffer: usize,
    /// Read buffer size in bytes (default 1 MiB).
    pub read_buffer: usize,
    /// A simulated link (rate, RTT) on this channel's sends (default none). Applied to the
    /// raw transport (under the encryption of a secure channel), after connection set-up.
    /// See [`crate::link`].
    pub link: Option<Link>,
}

impl Default for ChannelConfig {
    fn default() -> Self {
        ChannelConfig {
            timeout: Duration::from_secs(30),
            write_buffer: 1 << 20,
            read_buffer: 1 << 20,
            link: None,
        }
    }
}

impl ChannelConfig {
    /// The defaults (30 s timeout, 1 MiB buffers, no simulated link).
    pub fn new() -> ChannelConfig {
        ChannelConfig::default()
    }

    /// With the receive / progress timeout `timeout`.
    pub fn with_timeout(mut self, timeout: Duration) -> ChannelConfig {
        self.timeout = timeout;
        self
    }

    /// With a write buffer of `bytes` bytes.
    pub fn with_write_buffer(mut self, bytes: usize) -> ChannelConfig {
        self.write_buffer = bytes;
        self
    }

    /// With a read buffer of `bytes` bytes.
    pub fn with_read_buffer(mut self, bytes: usize) -> ChannelConfig {
        self.read_buffer = bytes;
        self
    }

    /// With the simulated link `link` (`None`: none).
    pub fn with_link(mut self, link: Option<Link>) -> ChannelConfig {
        self.link = link;
        self
    }
}

pub(crate) type BoxRead = Box<dyn AsyncRead + Send + Unpin>;
pub(crate) type BoxWrite = Box<dyn AsyncWrite + Send + Unpin>;

/// A buffered, counted, framed async byte channel to the other party.
///
/// Writes are buffered: call [`Channel::flush`] before waiting for the peer's answer.
/// Methods are **not** cancel-safe (a dropped future may leave a partial message), and after
/// an error other than a [`NetError::Timeout`] with nothing received the channel should be
/// dropped.
pub struct Channel {
    reader: BoxRead,
    writer: BoxWrite,
    wbuf: Vec<u8>,
    wcap: usize,
    rbuf: Box<[u8]>,
    rpos: usize,
    rend: usize,
    sec: Option<Box<Records>>,
    link: Option<Link>,
    sent: u64,
    received: u64,
    wire_sent: u64,
    wire_received: u64,
    timeout: Duration,
    broken: bool,
}

impl core::fmt::Debug for Channel {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Channel")
            .field("encrypted", &self.sec.is_some())
            .field("link", &self.link)
            .field("sent", &self.sent)
            .field("received", &self.received)
            .finish_non_exhaustive()
    }
}

fn map_io(e: std::io::Error) -> NetError {
    use std::io::ErrorKind::*;
    match e.kind() {
        UnexpectedEof | BrokenPipe | ConnectionReset | ConnectionAborted | WriteZero => {
            NetError::Closed
        }
        _ => NetError::Io(e),
    }
}

/// Run one transport operation with the timeout, mapping EOF-like errors to `Closed`.
pub(crate) async fn guard<T>(
    timeout: Duration,
    fut: impl core::future::Future<Output = std::io::Result<T>>,
) -> Result<T, NetError> {
    match tokio::time::timeout(timeout, fut).await {
        Err(_) => Err(NetError::Timeout { after: timeout }),
        Ok(r) => r.map_err(map_io),
    }
}

/// Write all of `data`, each write call bounded by `timeout`.
async fn write_raw(
    w: &mut BoxWrite,
    data: &[u8],
    timeout: Duration,
    wire: &mut u64,
) -> Result<(), NetError> {
    let mut pos = 0;
    while pos < data.len() {
        let n = guard(timeout, w.write(&data[pos..])).await?;
        if n == 0 {
            return Err(NetError::Closed);
        }
        pos += n;
        *wire += n as u64;
    }
    Ok(())
}

/// The least receive rate a deadline allows for (64 KiB/s): a receive of `n` bytes gets
/// the timeout plus `n / MIN_RECV_RATE` seconds.
pub const MIN_RECV_RATE: u64 = 64 << 10;

/// The deadline of one receive of `len` bytes (see the module docs).
#[derive(Clone, Copy, Debug)]
struct Deadline {
    at: tokio::time::Instant,
    allowed: Duration,
}

impl Deadline {
    fn new(timeout: Duration, len: usize) -> Deadline {
        let allowed = timeout.saturating_add(Duration::from_millis(
            (len as u64).saturating_mul(1000) / MIN_RECV_RATE,
        ));
        let now = tokio::time::Instant::now();
        Deadline {
            at: now.checked_add(allowed).unwrap_or(now + timeout),
            allowed,
        }
    }
}

/// One read call that must finish by `deadline`; `Ok(0)` is EOF.
async fn read_some(
    r: &mut BoxRead,
    buf: &mut [u8],
    deadline: Deadline,
    wire: &mut u64,
) -> Result<usize, NetError> {
    let n = match tokio::time::timeout_at(deadline.at, r.read(buf)).await {
        Err(_) => {
            return Err(NetError::Timeout {
                after: deadline.allowed,
            });
        }
        Ok(r) => r.map_err(map_io)?,
    };
    *wire += n as u64;
    Ok(n)
}

impl Channel {
    /// A channel over separate read and write halves (in the clear).
    pub fn new<R, W>(reader: R, writer: W, config: &ChannelConfig) -> Self
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        Channel::from_parts(Box::new(reader), Box::new(writer), config, None)
    }

    /// A channel over one bidirectional stream (split internally; in the clear).
    pub fn from_stream<S>(stream: S, config: &ChannelConfig) -> Self
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (r, w) = tokio::io::split(stream);
        Channel::new(r, w, config)
    }

    pub(crate) fn from_parts(
        reader: BoxRead,
        writer: BoxWrite,
        config: &ChannelConfig,
        sec: Option<Box<Records>>,
    ) -> Self {
        let link = config.link.filter(|l| !l.is_transparent());
        let writer: BoxWrite = match link {
            Some(l) => Box::new(LinkWriter::new(writer, l)),
            None => writer,
        };
        let wcap = config.write_buffer.max(64);
        // An encrypted channel decrypts whole records into the read buffer.
        let rcap = config
            .read_buffer
            .max(if sec.is_some() { MAX_RECORD + 4096 } else { 64 });
        Channel {
            reader,
            writer,
            wbuf: Vec::with_capacity(wcap),
            wcap,
            rbuf: vec![0u8; rcap].into_boxed_slice(),
            rpos: 0,
            rend: 0,
            sec,
            link,
            sent: 0,
            received: 0,
            wire_sent: 0,
            wire_received: 0,
            timeout: config.timeout,
            broken: false,
        }
    }

    pub(crate) fn add_wire(&mut self, sent: u64, received: u64) {
        self.wire_sent += sent;
        self.wire_received += received;
    }

    /// Application bytes sent so far (written into the buffer, flushed or not).
    pub fn bytes_sent(&self) -> u64 {
        self.sent
    }

    /// Application bytes received so far.
    pub fn bytes_received(&self) -> u64 {
        self.received
    }

    /// Bytes handed to the transport so far: application bytes actually flushed plus
    /// connection preamble, handshake and, when encrypted, record headers and tags.
    /// `wire_bytes_sent() - bytes_sent()` (after a flush) is the channel's overhead.
    pub fn wire_bytes_sent(&self) -> u64 {
        self.wire_sent
    }

    /// Bytes read from the transport so far (see [`Channel::wire_bytes_sent`]).
    pub fn wire_bytes_received(&self) -> u64 {
        self.wire_received
    }

    /// Whether this channel runs over the encrypted, authenticated Noise transport.
    pub fn is_encrypted(&self) -> bool {
        self.sec.is_some()
    }

    /// The peer's authenticated static public key (encrypted channels only).
    pub fn peer_key(&self) -> Option<crate::PublicKey> {
        self.sec.as_ref().map(|s| s.peer)
    }

    /// The simulated link this channel sends through, if any (see [`crate::link`]).
    pub fn link(&self) -> Option<Link> {
        self.link
    }

    /// The per-operation timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Change the per-operation timeout.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    fn check_broken(&self) -> Result<(), NetError> {
        if self.broken {
            Err(NetError::Integrity(
                "the channel was closed after an earlier integrity failure".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// Mark the channel dead after an integrity failure and close our side (best effort).
    async fn abort(&mut self, e: NetError) -> NetError {
        self.broken = true;
        self.wbuf.clear();
        self.rpos = 0;
        self.rend = 0;
        let _ = tokio::time::timeout(Duration::from_millis(200), self.writer.shutdown()).await;
        // the error itself is what the caller reports (once): only a debug trace here
        tracing::debug!("{e}");
        e
    }

    /// Queue `bytes` for sending (buffered; large slices go straight to the transport).
    ///
    /// # Errors
    /// [`NetError::Closed`] if the peer is gone, [`NetError::Timeout`] if the transport does
    /// not accept bytes within the timeout.
    pub async fn send(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        if bytes.len() <= self.wcap - self.wbuf.len() {
            self.wbuf.extend_from_slice(bytes);
            self.sent += bytes.len() as u64;
            return Ok(());
        }
        self.send_slow(bytes).await
    }

    async fn send_slow(&mut self, bytes: &[u8]) -> Result<(), NetError> {
        self.flush_wbuf().await?;
        if bytes.len() >= self.wcap {
            self.write_data(bytes).await?;
        } else {
            self.wbuf.extend_from_slice(bytes);
        }
        self.sent += bytes.len() as u64;
        Ok(())
    }

    async fn flush_wbuf(&mut self) -> Result<(), NetError> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        let data = std::mem::take(&mut self.wbuf);
        let r = self.write_data(&data).await;
        self.wbuf = data;
        self.wbuf.clear();
        r
    }

    /// Put `data` on the transport (sealed into records when encrypted).
    async fn write_data(&mut self, data: &[u8]) -> Result<(), NetError> {
        self.check_broken()?;
        match &mut self.sec {
            None => write_raw(&mut self.writer, data, self.timeout, &mut self.wire_sent).await,
            Some(rec) => {
                for chunk in data.chunks(1 << 20) {
                    let sealed = rec.seal(chunk)?;
                    write_raw(&mut self.writer, sealed, self.timeout, &mut self.wire_sent).await?;
                }
                Ok(())
            }
        }
    }

    /// Push buffered bytes to the peer.
    ///
    /// # Errors
    /// As [`Channel::send`].
    pub async fn flush(&mut self) -> Result<(), NetError> {
        self.flush_wbuf().await?;
        guard(self.timeout, self.writer.flush()).await
    }

    /// Receive exactly `buf.len()` bytes, all of them within the timeout plus one second per
    /// [`MIN_RECV_RATE`] bytes (from the call, whatever the peer's pace).
    ///
    /// # Errors
    /// [`NetError::Closed`] on EOF first, [`NetError::Timeout`] if the bytes are not all
    /// there by the deadline,
    /// [`NetError::Integrity`] if an encrypted record fails authentication.
    pub async fn recv_exact(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
        let avail = self.rend - self.rpos;
        if buf.len() <= avail {
            buf.copy_from_slice(&self.rbuf[self.rpos..self.rpos + buf.len()]);
            self.rpos += buf.len();
            self.received += buf.len() as u64;
            return Ok(());
        }
        match self.recv_slow(buf).await {
            Err(e @ NetError::Integrity(_)) if !self.broken => Err(self.abort(e).await),
            r => r,
        }
    }

    async fn recv_slow(&mut self, buf: &mut [u8]) -> Result<(), NetError> {
        self.check_broken()?;
        let deadline = Deadline::new(self.timeout, buf.len());
        let mut filled = 0;
        while filled < buf.len() {
            let rest = &mut buf[filled..];
            if self.rpos < self.rend {
                let n = rest.len().min(self.rend - self.rpos);
                rest[..n].copy_from_slice(&self.rbuf[self.rpos..self.rpos + n]);
                self.rpos += n;
                filled += n;
                continue;
            }
            match &mut self.sec {
                None if rest.len() >= self.rbuf.len() => {
                    let n = read_some(&mut self.reader, rest, deadline, &mut self.wire_received)
                        .await?;
                    if n == 0 {
                        return Err(NetError::Closed);
                    }
                    filled += n;
                }
                None => {
                    let n = read_some(
                        &mut self.reader,
                        &mut self.rbuf,
                        deadline,
                        &mut self.wire_received,
                    )
                    .await?;
                    if n == 0 {
                        return Err(NetError::Closed);
                    }
                    self.rpos = 0;
                    self.rend = n;
                }
                Some(rec) => {
                    if let Some((start, len)) = rec.next_record()? {
                        let ct = rec.ciphertext_ptr(start);
                        if rest.len() >= len && copy_distance_ok(rest.as_ptr(), ct) {
                            // The whole record fits: decrypt straight into the caller's buffer.
                            filled += rec.open(start, len, rest)?;
                        } else {
                            // Via the read buffer, placed so that neither copy (ciphertext in,
                            // plaintext out) is page-aliased.
                            let base = self.rbuf.as_ptr();
                            let mut off = offset_away_from(base, ct);
                            if !copy_distance_ok(rest.as_ptr(), base.wrapping_add(off)) {
                                off = (off + 1024) % 4096;
                            }
                            let n = rec.open(start, len, &mut self.rbuf[off..])?;
                            self.rpos = off;
                            self.rend = off + n;
                        }
                        continue;
                    }
                    let space = rec.make_room();
                    let n = read_some(&mut self.reader, space, deadline, &mut self.wire_received)
                        .await?;
                    if n == 0 {
                        return Err(rec.eof_error());
                    }
                    rec.cend += n;
                }
            }
        }
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
        if self.sec.is_none() && buf.len() >= self.rbuf.len() && self.rend - self.rpos < 4 {
            // A large frame whose header is not buffered yet: read the header alone, so that
            // the payload goes from the transport straight into `buf` (one copy, not two
            // through the read buffer).
            let deadline = Deadline::new(self.timeout, 4);
            let mut got = self.rend - self.rpos;
            len[..got].copy_from_slice(&self.rbuf[self.rpos..self.rend]);
            self.rpos = self.rend;
            while got < 4 {
                let n = read_some(
                    &mut self.reader,
                    &mut len[got..],
                    deadline,
                    &mut self.wire_received,
                )
                .await?;
                if n == 0 {
                    return Err(NetError::Closed);
                }
                got += n;
            }
            self.received += 4;
        } else {
            self.recv_exact(&mut len).await?;
        }
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
        guard(self.timeout, self.writer.shutdown()).await
    }
}

/// Two connected in-memory channels (party A, party B) for tests and one-process runs.
/// `tokio::io::duplex` pipes with 4 MiB of buffering each way; a
/// [`ChannelConfig::link`] applies to both directions.
pub fn duplex_pair(config: &ChannelConfig) -> (Channel, Channel) {
    let (a, b) = tokio::io::duplex(4 << 20);
    (
        Channel::from_stream(a, config),
        Channel::from_stream(b, config),
    )
}
