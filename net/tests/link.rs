//! Simulated link: parsing and display, and timing on the in-memory duplex, on TCP loopback
//! and under the Noise channel (a bulk transfer takes about `N / rate + RTT / 2`, a ping-pong
//! of `k` messages about `k × RTT`), bounded memory, and delivery of everything on close.
//!
//! Timing bands are generous (0.8× to 2.5× the ideal plus a few ms) so that a busy 2-core
//! machine does not make them flaky; each test stays well under 2 s.

use duet_net::{
    Channel, ChannelConfig, Link, LinkWriter, SecureKeys, StaticKeyPair, duplex_pair, secure, tcp,
};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn link(s: &str) -> Link {
    s.parse().unwrap()
}

fn cfg(l: &str) -> ChannelConfig {
    ChannelConfig::default()
        .with_timeout(Duration::from_secs(5))
        .with_link(Some(link(l)))
}

/// A connected TCP loopback pair (listener side, connector side).
async fn tcp_pair(config: &ChannelConfig) -> (Channel, Channel) {
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c2 = config.clone();
    let conn = tokio::spawn(async move { tcp::connect(&addr, &c2, Duration::from_secs(5)).await });
    let a = tcp::accept(&listener, config, Duration::from_secs(5))
        .await
        .unwrap();
    (a, conn.await.unwrap().unwrap())
}

/// A connected Noise pair over an in-memory duplex (server, client).
async fn secure_pair(config: &ChannelConfig) -> (Channel, Channel) {
    let (s, c) = (
        StaticKeyPair::generate().unwrap(),
        StaticKeyPair::generate().unwrap(),
    );
    let sk = SecureKeys::new(s.clone(), c.public());
    let ck = SecureKeys::new(c, s.public());
    let (x, y) = tokio::io::duplex(1 << 20);
    let c2 = config.clone();
    let client = tokio::spawn(async move { secure::over_stream(y, true, &c2, &ck).await });
    let server = secure::over_stream(x, false, config, &sk).await.unwrap();
    (server, client.await.unwrap().unwrap())
}

/// Assert `took` is within 0.8× .. 2.5× `ideal` + `slack_ms`.
fn assert_about(what: &str, took: Duration, ideal: Duration, slack_ms: u64) {
    let lo = ideal.mul_f64(0.8);
    let hi = ideal.mul_f64(2.5) + Duration::from_millis(slack_ms);
    eprintln!("{what}: took {took:?}, ideal {ideal:?}");
    assert!(
        took >= lo && took <= hi,
        "{what}: took {took:?}, expected about {ideal:?} ({lo:?} ..= {hi:?})"
    );
}

/// Send `n` bytes from `a` to `b`; the time from the first send to the last byte received.
async fn transfer(mut a: Channel, mut b: Channel, n: usize) -> Duration {
    let data: Vec<u8> = (0..n).map(|i| (i * 7 + i / 251) as u8).collect();
    let expect = data.clone();
    let t0 = Instant::now();
    let send = tokio::spawn(async move {
        for chunk in data.chunks(100_000) {
            a.send(chunk).await.unwrap();
        }
        a.flush().await.unwrap();
        a
    });
    let mut got = vec![0u8; n];
    b.recv_exact(&mut got).await.unwrap();
    let took = t0.elapsed();
    assert!(got == expect, "bytes changed on the way");
    drop(send.await.unwrap());
    took
}

/// `k` round trips of an 8-byte message; the total time.
async fn ping_pong(mut a: Channel, mut b: Channel, k: u64) -> Duration {
    let pong = tokio::spawn(async move {
        for _ in 0..k {
            let x = b.recv_u64().await.unwrap();
            b.send_u64(x + 1).await.unwrap();
            b.flush().await.unwrap();
        }
    });
    let t0 = Instant::now();
    for i in 0..k {
        a.send_u64(i).await.unwrap();
        a.flush().await.unwrap();
        assert_eq!(a.recv_u64().await.unwrap(), i + 1);
    }
    let took = t0.elapsed();
    pong.await.unwrap();
    took
}

#[test]
fn parses_and_displays_round_trip() {
    let ms = Duration::from_millis;
    let us = Duration::from_micros;
    for (text, rate, rtt, shown) in [
        ("1gbit,2ms", 1_000_000_000, ms(2), "1gbit,2ms"),
        ("100mbit,40ms", 100_000_000, ms(40), "100mbit,40ms"),
        ("10gbit", 10_000_000_000, ms(0), "10gbit"),
        ("500kbit,80ms", 500_000, ms(80), "500kbit,80ms"),
        ("2.5gbit,0.5ms", 2_500_000_000, us(500), "2.5gbit,500us"),
        ("0.5gbit,1.5s", 500_000_000, ms(1500), "500mbit,1.5s"),
        (" 1GBit , 2MS ", 1_000_000_000, ms(2), "1gbit,2ms"),
        ("9600bit,250us", 9_600, us(250), "9.6kbit,250us"),
        ("12bit", 12, ms(0), "12bit"),
        ("unlimited,40ms", 0, ms(40), "unlimited,40ms"),
        ("0mbit,40ms", 0, ms(40), "unlimited,40ms"),
        (
            "1.234567mbit,1.000001s",
            1_234_567,
            us(1_000_001),
            "1.234567mbit,1.000001s",
        ),
    ] {
        let l = link(text);
        assert_eq!((l.rate, l.rtt), (rate, rtt), "{text}");
        assert_eq!(l.to_string(), shown, "{text}");
        assert_eq!(link(shown), l, "{shown}");
    }
    // any rate and any RTT (to the nanosecond) survive Display → FromStr
    for rate in [1, 999, 1_000, 1_001, 123_456_789, 10_000_000_001, u64::MAX] {
        for ns in [
            0,
            1,
            999,
            1_500,
            2_000_000,
            1_000_000_007,
            86_400_000_000_000,
        ] {
            let l = Link::new(rate, Duration::from_nanos(ns));
            assert_eq!(link(&l.to_string()), l, "{l}");
        }
    }
}

#[test]
fn bad_links_say_what_is_wrong() {
    for (text, says) in [
        ("", "empty link"),
        ("  ", "empty link"),
        ("1gbps,2ms", "unknown unit `gbps`"),
        ("100", "no unit"),
        ("gbit", "no number"),
        ("1..5gbit", "not a decimal number"),
        ("-1gbit", "not a decimal number"),
        ("1.5bit", "not a whole number of bit/s"),
        ("1gbit,40", "bad link RTT `40`: no unit"),
        ("1gbit,1min", "unknown unit `min`"),
        ("1gbit,", "bad link RTT"),
        ("1gbit,2ms,3", "3 comma-separated parts"),
        ("99999999999gbit", "too large"),
        ("1gbit,0.5ns", "not a whole number of ns"),
    ] {
        let e = text.parse::<Link>().unwrap_err().to_string();
        assert!(e.contains(says), "{text:?}: {e:?} should say {says:?}");
        assert!(!e.contains('\n'), "{e:?}");
    }
}

#[tokio::test]
async fn duplex_transfer_takes_size_over_rate_plus_half_rtt() {
    let l = "100mbit,40ms";
    let n = 2_000_000;
    let (a, b) = duplex_pair(&cfg(l));
    let took = transfer(a, b, n).await;
    assert_about(
        "duplex 2 MB at 100mbit,40ms",
        took,
        link(l).transfer_time(n as u64),
        20,
    );
}

#[tokio::test]
async fn tcp_transfer_takes_size_over_rate_plus_half_rtt() {
    let l = "100mbit,40ms";
    let n = 2_000_000;
    let (a, b) = tcp_pair(&cfg(l)).await;
    let took = transfer(a, b, n).await;
    assert_about(
        "tcp 2 MB at 100mbit,40ms",
        took,
        link(l).transfer_time(n as u64),
        20,
    );
}

#[tokio::test]
async fn secure_transfer_goes_through_the_link() {
    let l = "100mbit,40ms";
    let n = 2_000_000;
    let (a, b) = secure_pair(&cfg(l)).await;
    assert_eq!(a.link(), Some(link(l)));
    let took = transfer(a, b, n).await;
    // records add 1/16384 of overhead at most: within the band
    assert_about(
        "noise 2 MB at 100mbit,40ms",
        took,
        link(l).transfer_time(n as u64),
        20,
    );
}

#[tokio::test]
async fn duplex_ping_pong_takes_k_rtts() {
    let (a, b) = duplex_pair(&cfg("1gbit,20ms"));
    let took = ping_pong(a, b, 10).await;
    assert_about(
        "duplex 10 round trips at 20ms",
        took,
        Duration::from_millis(200),
        20,
    );
}

#[tokio::test]
async fn tcp_ping_pong_takes_k_rtts() {
    let (a, b) = tcp_pair(&cfg("1gbit,20ms")).await;
    let took = ping_pong(a, b, 10).await;
    assert_about(
        "tcp 10 round trips at 20ms",
        took,
        Duration::from_millis(200),
        20,
    );
}

#[tokio::test]
async fn many_small_writes_are_not_each_rounded_to_a_timer_tick() {
    // 2000 flushed 100-byte writes at 10 mbit: 160 ms of serialisation; rounding each to
    // 1 ms would take 2 s.
    let (mut a, mut b) = duplex_pair(&cfg("10mbit,2ms"));
    let t0 = Instant::now();
    let send = tokio::spawn(async move {
        for i in 0..2000u32 {
            a.send(&[i as u8; 100]).await.unwrap();
            a.flush().await.unwrap();
        }
        a
    });
    let mut got = vec![0u8; 200_000];
    b.recv_exact(&mut got).await.unwrap();
    let took = t0.elapsed();
    drop(send.await.unwrap());
    assert_about(
        "2000 × 100 B at 10mbit,2ms",
        took,
        link("10mbit,2ms").transfer_time(200_000),
        20,
    );
}

#[tokio::test]
async fn unlimited_rate_with_rtt_only() {
    let l = "unlimited,30ms";
    let (a, b) = duplex_pair(&cfg(l));
    let took = ping_pong(a, b, 4).await;
    assert_about(
        "4 round trips at unlimited,30ms",
        took,
        Duration::from_millis(120),
        20,
    );
    // 8 MB moves at once (the 16 MiB queue bound holds it): one one-way delay
    let (a, b) = tcp_pair(&cfg(l)).await;
    let took = transfer(a, b, 8_000_000).await;
    assert_about(
        "8 MB at unlimited,30ms",
        took,
        Duration::from_millis(15),
        60,
    );
}

#[tokio::test]
async fn bulk_rate_at_1gbit_is_close_to_125_mb_per_s() {
    let n = 32 << 20;
    let (a, b) = duplex_pair(&cfg("1gbit,1ms"));
    let took = transfer(a, b, n).await;
    let mbps = n as f64 / took.as_secs_f64() / 1e6;
    eprintln!("bulk through 1gbit,1ms duplex: {mbps:.1} MB/s");
    assert_about(
        "32 MiB at 1gbit,1ms",
        took,
        link("1gbit,1ms").transfer_time(n as u64),
        20,
    );
}

#[tokio::test]
async fn memory_stays_bounded_when_the_receiver_lags() {
    let l = link("1gbit,2ms");
    let bound = l.queue_bound();
    let (inner, mut peer) = tokio::io::duplex(64 << 10);
    let mut w = LinkWriter::new(inner, l);
    let n = 16 << 20;
    let write = tokio::spawn(async move {
        let data = vec![7u8; 1 << 20];
        for _ in 0..16 {
            w.write_all(&data).await.unwrap();
        }
        let peak = w.peak_in_flight();
        w.shutdown().await.unwrap();
        assert_eq!(w.in_flight(), 0);
        peak
    });
    // the receiver reads nothing for 150 ms: the writer must block, not buffer 16 MiB
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(!write.is_finished(), "the writer ran ahead of the link");
    let mut got = Vec::with_capacity(n);
    peer.read_to_end(&mut got).await.unwrap();
    assert_eq!(got.len(), n);
    assert!(got.iter().all(|&b| b == 7));
    let peak = write.await.unwrap();
    eprintln!("peak in flight {peak} B, bound {bound} B");
    assert!(peak <= bound, "peak {peak} over the bound {bound}");
    assert!(
        peak > bound / 2,
        "peak {peak}: the bound was never reached?"
    );
}

#[tokio::test]
async fn close_delivers_everything_before_eof() {
    let (mut a, mut b) = duplex_pair(&cfg("50mbit,20ms"));
    let t0 = Instant::now();
    a.send(&[1u8; 300_000]).await.unwrap();
    a.close().await.unwrap();
    // close waits for delivery: 48 ms of serialisation + 10 ms
    assert!(
        t0.elapsed() >= Duration::from_millis(45),
        "{:?}",
        t0.elapsed()
    );
    drop(a);
    let mut got = vec![0u8; 300_000];
    b.recv_exact(&mut got).await.unwrap();
    assert!(b.recv_u64().await.is_err(), "EOF after the bytes");
}

#[tokio::test]
async fn dropped_channel_still_delivers_what_it_sent() {
    let (mut a, mut b) = duplex_pair(&cfg("50mbit,20ms"));
    a.send(&[2u8; 100_000]).await.unwrap();
    a.flush().await.unwrap();
    drop(a);
    let mut got = vec![0u8; 100_000];
    b.recv_exact(&mut got).await.unwrap();
    assert!(got.iter().all(|&x| x == 2));
}

#[tokio::test]
async fn no_link_by_default_and_a_transparent_link_is_none() {
    let (a, _b) = duplex_pair(&ChannelConfig::default());
    assert_eq!(a.link(), None);
    let (a, _b) = duplex_pair(&cfg("unlimited"));
    assert_eq!(a.link(), None);
}
