//! A simulated network link: a rate limit and a round-trip time on each party's sends.
//!
//! [`Link`] (text form `RATE[,RTT]`, e.g. `100mbit,40ms`) set in
//! [`ChannelConfig::link`](crate::ChannelConfig::link) makes a [`Channel`](crate::Channel)
//! send through a [`LinkWriter`]: every transport (in-memory duplex, TCP, and the Noise
//! channel, whose sealed records go through the link) and every protocol get it unchanged.
//!
//! # What it models
//! - **Serialisation at the rate.** Bytes leave one after the other on a virtual clock kept
//!   exact in nanoseconds: a byte leaves no earlier than the previous one plus `8/rate`
//!   seconds (and no earlier than it was written). Many small writes are not each rounded up
//!   to a timer tick: only the *wake-ups* have tokio's ~1 ms granularity, never the clock.
//! - **One-way propagation delay `RTT/2`.** Each byte reaches the peer's transport `RTT/2`
//!   after it left (bytes are released in pieces of about 1 ms of serialisation, each when
//!   its last byte is due, so a byte may arrive up to ~1 ms of serialisation plus one timer
//!   tick late; the clock never drifts).
//! - **A bounded queue.** At most [`Link::queue_bound`] bytes (the bandwidth-delay product
//!   `rate × RTT`, plus `rate × 4 ms` for the delivery granularity, plus 64 KiB; at least
//!   256 KiB, at most 256 MiB; 16 MiB for an unlimited rate) are between the sender's write
//!   and the peer's transport; a writer beyond that blocks (backpressure), so memory stays
//!   bounded however much is sent. Below the 256 MiB cap the bound does not throttle the
//!   link: it exceeds what is in flight at full rate.
//!
//! # What it does not model
//! No loss, no jitter, no reordering, no TCP slow start or congestion window, no shared
//! bottleneck between the two directions, and the connection set-up (the plain preamble or
//! the Noise handshake) is not delayed. A real TCP connection over a lossless link of that
//! rate and RTT converges to the same behaviour once slow start has opened its window (after
//! a few RTTs; a transfer of a few BDPs or less is slower on the real link), and then
//! matches it to within the header overhead (a few per cent of the rate).
//!
//! # Where it applies
//! The link paces the **sends** of the channel that has it: each direction is simulated
//! independently, by its sender. A one-process pair ([`duplex_pair`](crate::duplex_pair))
//! gets it on both directions from the one config; two processes each apply their own, so
//! both must be given the same link to simulate a symmetric one. Delivery runs on a small
//! thread of the link's own (`duet-link`, one per linked channel), so a party busy computing
//! does not hold up bytes it has already sent, as a kernel would not. Shutting the channel
//! down ([`Channel::close`](crate::Channel::close)) waits until every queued byte is
//! delivered; a [`LinkWriter`] dropped without it still delivers them in the background, as
//! long as the process lives.

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::pin::Pin;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::Notify;

/// A simulated link: `rate` bits per second (0 = unlimited) and a round-trip time.
///
/// Text form (`FromStr`/`Display`, round-tripping): `RATE[,RTT]`, where `RATE` is a decimal
/// number with a unit `bit`, `kbit`, `mbit` or `gbit` (SI: 1 kbit = 1000 bit/s; any case),
/// or `unlimited`; `RTT` is a decimal number with a unit `ns`, `us`, `ms` or `s` (0 when
/// omitted). Examples: `1gbit,2ms`, `100mbit,40ms`, `10gbit`, `500kbit,80ms`,
/// `2.5gbit,0.5ms`, `unlimited,40ms`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Link {
    /// Bits per second on each direction; 0 means unlimited.
    pub rate: u64,
    /// Round-trip time: each byte reaches the peer `rtt / 2` after it leaves.
    pub rtt: Duration,
}

/// Time added to the RTT in [`Link::queue_bound`]: a byte waits for the rest of its piece
/// (~1 ms) and then up to a timer tick (~1 ms) more; twice that keeps the link busy.
const QUEUE_TIMER_SLACK: Duration = Duration::from_millis(4);
/// Extra room beyond the bandwidth-delay product in [`Link::queue_bound`].
const QUEUE_SLACK: usize = 64 << 10;
/// Least [`Link::queue_bound`].
const QUEUE_MIN: usize = 256 << 10;
/// Largest [`Link::queue_bound`] of a rate-limited link.
const QUEUE_MAX: usize = 256 << 20;
/// [`Link::queue_bound`] of an unlimited rate.
const QUEUE_UNLIMITED: usize = 16 << 20;

impl Link {
    /// A link of `rate` bits per second (0 = unlimited) and round-trip time `rtt`.
    pub fn new(rate: u64, rtt: Duration) -> Self {
        Link { rate, rtt }
    }

    /// Whether the rate is unlimited.
    pub fn is_unlimited(&self) -> bool {
        self.rate == 0
    }

    /// Whether the link does nothing (unlimited rate, zero RTT).
    pub fn is_transparent(&self) -> bool {
        self.rate == 0 && self.rtt.is_zero()
    }

    /// The one-way propagation delay, `rtt / 2`.
    pub fn one_way(&self) -> Duration {
        self.rtt / 2
    }

    /// Most bytes written but not yet delivered to the peer's transport before a writer
    /// blocks: the bandwidth-delay product `rate × rtt`, plus `rate × 4 ms` (bytes wait for
    /// their ~1 ms piece and up to a timer tick past their due time) and 64 KiB, clamped to
    /// 256 KiB ..= 256 MiB; 16 MiB when the rate is unlimited (then a stream moves at most
    /// that much per `rtt / 2`).
    pub fn queue_bound(&self) -> usize {
        if self.rate == 0 {
            return QUEUE_UNLIMITED;
        }
        let window = self.rtt.as_nanos() + QUEUE_TIMER_SLACK.as_nanos();
        let bdp = u128::from(self.rate) * window / 8_000_000_000;
        let bdp = usize::try_from(bdp).unwrap_or(usize::MAX);
        bdp.saturating_add(QUEUE_SLACK).clamp(QUEUE_MIN, QUEUE_MAX)
    }

    /// Time to serialise `bytes` at the rate (zero when unlimited).
    pub fn serialisation_time(&self, bytes: u64) -> Duration {
        if self.rate == 0 {
            return Duration::ZERO;
        }
        let ns = u128::from(bytes) * 8_000_000_000 / u128::from(self.rate);
        Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX))
    }

    /// The ideal time for `bytes` sent at once to reach the peer: serialisation + `rtt / 2`.
    pub fn transfer_time(&self, bytes: u64) -> Duration {
        self.serialisation_time(bytes) + self.one_way()
    }

    /// Bytes released to the transport at once: about 1 ms of serialisation.
    fn piece_len(&self) -> usize {
        if self.rate == 0 {
            usize::MAX
        } else {
            usize::try_from(self.rate / 8_000)
                .unwrap_or(usize::MAX)
                .max(1500)
        }
    }
}

/// Why a `RATE[,RTT]` text is not a [`Link`] (one line naming the faulty part).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LinkParseError(String);

const RATE_UNITS: [(&str, u128); 4] = [
    ("gbit", 1_000_000_000),
    ("mbit", 1_000_000),
    ("kbit", 1_000),
    ("bit", 1),
];
const RTT_UNITS: [(&str, u128); 4] = [
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];
const EXAMPLE: &str = "expected RATE[,RTT] such as 100mbit,40ms or 1gbit";

/// `"2.5"` → 25 / 10: the digits as an integer and the power of ten to divide by.
fn parse_decimal(s: &str) -> Option<(u128, u32)> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) || frac.len() > 18 {
        return None;
    }
    let mut v: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        v = v.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
    }
    Some((v, frac.len() as u32))
}

/// `NUMBER UNIT` → an integer count of the units' base (bit/s, ns).
fn parse_quantity(
    what: &str,
    text: &str,
    units: &[(&str, u128)],
    base: &str,
    max: u128,
) -> Result<u128, LinkParseError> {
    let err = |why: String| LinkParseError(format!("bad link {what} `{text}`: {why}"));
    let unit_names = units.iter().map(|u| u.0).collect::<Vec<_>>().join(", ");
    let t = text.trim();
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (num, unit) = (t[..split].trim(), t[split..].trim());
    if num.is_empty() {
        return Err(err("no number before the unit".into()));
    }
    let Some((digits, frac)) = parse_decimal(num) else {
        return Err(err(format!("`{num}` is not a decimal number")));
    };
    if unit.is_empty() {
        return Err(err(format!("no unit (use one of {unit_names})")));
    }
    let Some(&(_, scale)) = units.iter().find(|u| u.0.eq_ignore_ascii_case(unit)) else {
        return Err(err(format!(
            "unknown unit `{unit}` (use one of {unit_names})"
        )));
    };
    let pow = 10u128.pow(frac);
    let scaled = digits
        .checked_mul(scale)
        .filter(|v| v / pow <= max)
        .ok_or_else(|| err("too large".into()))?;
    if scaled % pow != 0 {
        return Err(err(format!("not a whole number of {base}")));
    }
    Ok(scaled / pow)
}

impl FromStr for Link {
    type Err = LinkParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let fields: Vec<&str> = s.split(',').collect();
        if s.trim().is_empty() {
            return Err(LinkParseError(format!("empty link: {EXAMPLE}")));
        }
        if fields.len() > 2 {
            return Err(LinkParseError(format!(
                "link `{s}` has {} comma-separated parts: {EXAMPLE}",
                fields.len()
            )));
        }
        let rate_text = fields[0].trim();
        let rate = if rate_text.eq_ignore_ascii_case("unlimited") {
            0
        } else {
            parse_quantity(
                "rate",
                rate_text,
                &RATE_UNITS,
                "bit/s",
                u128::from(u64::MAX),
            )? as u64
        };
        let rtt = match fields.get(1) {
            None => Duration::ZERO,
            Some(t) => Duration::from_nanos(parse_quantity(
                "RTT",
                t,
                &RTT_UNITS,
                "ns",
                u128::from(u64::MAX),
            )? as u64),
        };
        Ok(Link { rate, rtt })
    }
}

/// `value / scale` as a decimal with no trailing zeros (`2500, 1000` → `2.5`).
fn fmt_decimal(value: u128, scale: u128) -> String {
    let (int, frac) = (value / scale, value % scale);
    if frac == 0 {
        return int.to_string();
    }
    let width = scale.ilog10() as usize;
    let f = format!("{frac:0width$}");
    format!("{int}.{}", f.trim_end_matches('0'))
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.rate == 0 {
            f.write_str("unlimited")?;
        } else {
            let rate = u128::from(self.rate);
            let (unit, scale) = RATE_UNITS
                .iter()
                .find(|u| rate >= u.1)
                .copied()
                .unwrap_or(("bit", 1));
            write!(f, "{}{unit}", fmt_decimal(rate, scale))?;
        }
        if !self.rtt.is_zero() {
            let ns = self.rtt.as_nanos();
            let (unit, scale) = RTT_UNITS[..3]
                .iter()
                .find(|u| ns >= u.1)
                .copied()
                .unwrap_or(("us", 1_000));
            write!(f, ",{}{unit}", fmt_decimal(ns, scale))?;
        }
        Ok(())
    }
}

/// A piece of sent bytes and when it reaches the peer's transport.
struct Piece {
    due: Instant,
    data: Vec<u8>,
}

#[derive(Default)]
struct State {
    /// Pieces not yet handed to the peer's transport, in order (due times never decrease).
    queue: VecDeque<Piece>,
    /// Bytes accepted from the writer and not yet handed to the transport (queued or being
    /// written).
    in_flight: usize,
    /// Most `in_flight` ever.
    peak: usize,
    /// The writer waiting for room or for the shutdown to finish.
    writer: Option<Waker>,
    /// The writer shut down or was dropped: deliver what is queued, then shut down.
    closing: bool,
    /// The delivery thread has finished (all delivered and shut down, or failed).
    done: bool,
    /// The transport failed (the error's kind and text); later writes fail so.
    error: Option<(io::ErrorKind, String)>,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the delivery thread: a new piece, or closing.
    wake: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Record a transport failure: drop what is queued and wake the writer.
    fn fail(&self, e: &io::Error) {
        let mut st = self.lock();
        st.error = Some((e.kind(), e.to_string()));
        st.queue.clear();
        st.in_flight = 0;
        st.done = true;
        if let Some(w) = st.writer.take() {
            w.wake();
        }
    }
}

fn io_error(e: &(io::ErrorKind, String)) -> io::Error {
    io::Error::new(e.0, format!("simulated link: {}", e.1))
}

/// The sending side of a simulated [`Link`] over any transport writer: bytes written are
/// paced at the rate, delayed by `rtt / 2`, and then written to the wrapped writer by a
/// delivery thread of its own. See the [module docs](self).
///
/// Writes block while [`Link::queue_bound`] bytes are in flight; flushing does not wait for
/// delivery (the bytes are on the wire); shutting down does, then shuts the wrapped writer
/// down.
pub struct LinkWriter {
    shared: Arc<Shared>,
    link: Link,
    bound: usize,
    piece: usize,
    /// Virtual departure time of the last byte accepted.
    clock: Instant,
    /// Nanoseconds × rate not yet added to `clock` (keeps the clock exact).
    carry: u128,
}

impl fmt::Debug for LinkWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkWriter")
            .field("link", &self.link)
            .field("in_flight", &self.in_flight())
            .finish_non_exhaustive()
    }
}

impl LinkWriter {
    /// Send into `inner` through `link`; starts the delivery thread (no runtime needed here:
    /// the thread runs its own).
    pub fn new<W>(inner: W, link: Link) -> Self
    where
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Notify::new(),
        });
        let sh = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name("duet-link".into())
            .spawn(move || {
                match tokio::runtime::Builder::new_current_thread()
                    .enable_time()
                    .build()
                {
                    Ok(rt) => rt.block_on(deliver(inner, &sh)),
                    Err(e) => sh.fail(&e),
                }
            });
        if let Err(e) = spawned {
            shared.fail(&e);
        }
        LinkWriter {
            shared,
            link,
            bound: link.queue_bound(),
            piece: link.piece_len(),
            clock: Instant::now(),
            carry: 0,
        }
    }

    /// The simulated link.
    pub fn link(&self) -> Link {
        self.link
    }

    /// Bytes written and not yet delivered to the wrapped writer.
    pub fn in_flight(&self) -> usize {
        self.shared.lock().in_flight
    }

    /// The most bytes ever in flight; never more than [`Link::queue_bound`].
    pub fn peak_in_flight(&self) -> usize {
        self.shared.lock().peak
    }
}

impl AsyncWrite for LinkWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut st = this.shared.lock();
        if let Some(e) = &st.error {
            return Poll::Ready(Err(io_error(e)));
        }
        if st.closing {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "simulated link: write after shutdown",
            )));
        }
        let room = this.bound.saturating_sub(st.in_flight);
        if room == 0 {
            st.writer = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(buf.len());
        let now = Instant::now();
        if this.clock < now {
            // The link was idle: the next byte leaves now.
            this.clock = now;
            this.carry = 0;
        }
        let one_way = this.link.one_way();
        for chunk in buf[..n].chunks(this.piece) {
            if this.link.rate > 0 {
                let num = chunk.len() as u128 * 8_000_000_000 + this.carry;
                let rate = u128::from(this.link.rate);
                this.carry = num % rate;
                this.clock += Duration::from_nanos(u64::try_from(num / rate).unwrap_or(u64::MAX));
            }
            st.queue.push_back(Piece {
                due: this.clock + one_way,
                data: chunk.to_vec(),
            });
        }
        st.in_flight += n;
        st.peak = st.peak.max(st.in_flight);
        drop(st);
        this.shared.wake.notify_one();
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &self.shared.lock().error {
            Some(e) => Poll::Ready(Err(io_error(e))),
            None => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut st = self.shared.lock();
        if st.done {
            return Poll::Ready(match &st.error {
                Some(e) => Err(io_error(e)),
                None => Ok(()),
            });
        }
        st.closing = true;
        st.writer = Some(cx.waker().clone());
        drop(st);
        self.shared.wake.notify_one();
        Poll::Pending
    }
}

impl Drop for LinkWriter {
    fn drop(&mut self) {
        self.shared.lock().closing = true;
        self.shared.wake.notify_one();
    }
}

/// The delivery thread: hand each piece to `inner` when it is due; when closing and empty,
/// shut `inner` down.
async fn deliver<W: AsyncWrite + Unpin>(mut inner: W, sh: &Shared) {
    let mut batch = Vec::new();
    loop {
        // Take the due pieces; `Some(next due time)`, or `None` with nothing queued.
        let (next_due, closing) = {
            let mut st = sh.lock();
            if st.done {
                return;
            }
            let now = Instant::now();
            while st.queue.front().is_some_and(|p| p.due <= now) {
                batch.extend(st.queue.pop_front());
            }
            (st.queue.front().map(|p| p.due), st.closing)
        };
        if next_due.is_none() && batch.is_empty() && closing {
            // Everything delivered and the writer is gone: pass the shutdown on.
            let r = inner.shutdown().await;
            let mut st = sh.lock();
            if let Err(e) = r {
                st.error = Some((e.kind(), e.to_string()));
            }
            st.done = true;
            if let Some(w) = st.writer.take() {
                w.wake();
            }
            return;
        }
        if !batch.is_empty() {
            let mut n = 0;
            for p in batch.drain(..) {
                if let Err(e) = inner.write_all(&p.data).await {
                    sh.fail(&e);
                    return;
                }
                n += p.data.len();
            }
            if let Err(e) = inner.flush().await {
                sh.fail(&e);
                return;
            }
            let mut st = sh.lock();
            st.in_flight -= n;
            if let Some(w) = st.writer.take() {
                w.wake();
            }
            continue;
        }
        match next_due {
            // Later pieces are due no earlier, and closing waits for the queue anyway.
            Some(due) => tokio::time::sleep_until(due.into()).await,
            None => sh.wake.notified().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_bound_covers_the_bandwidth_delay_product() {
        let l: Link = "1gbit,40ms".parse().unwrap();
        assert_eq!(l.queue_bound(), 5_500_000 + QUEUE_SLACK);
        let l: Link = "1mbit,1ms".parse().unwrap();
        assert_eq!(l.queue_bound(), QUEUE_MIN);
        let l: Link = "unlimited,1ms".parse().unwrap();
        assert_eq!(l.queue_bound(), QUEUE_UNLIMITED);
        let l: Link = "100gbit,1s".parse().unwrap();
        assert_eq!(l.queue_bound(), QUEUE_MAX);
    }

    #[test]
    fn pieces_are_about_a_millisecond() {
        assert_eq!(
            Link::new(1_000_000_000, Duration::ZERO).piece_len(),
            125_000
        );
        assert_eq!(Link::new(1_000, Duration::ZERO).piece_len(), 1500);
        assert_eq!(Link::new(0, Duration::ZERO).piece_len(), usize::MAX);
    }
}
