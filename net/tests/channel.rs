//! Plain channel: frames, counters, errors (closed, stall, wrong length) over the in-memory
//! duplex and over TCP on 127.0.0.1 (ephemeral ports).

use duet_net::{Channel, ChannelConfig, NetError, duplex_pair, tcp};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn cfg(ms: u64) -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_millis(ms))
}

/// A connected pair over TCP loopback: (listener side, connector side).
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

/// Frames, u64s, counters, timeout, oversized frame, wrong-length frame, EOF.
async fn exercise(mut a: Channel, mut b: Channel) {
    a.send_frame(b"hello").await.unwrap();
    a.send_u64(7).await.unwrap();
    a.send(&[]).await.unwrap();
    a.flush().await.unwrap();
    assert_eq!(b.recv_frame(16).await.unwrap(), b"hello");
    assert_eq!(b.recv_u64().await.unwrap(), 7);
    // Nothing more sent: the receiver times out (promptly) instead of hanging...
    let mut one = [0u8; 1];
    let t = Instant::now();
    assert!(matches!(
        b.recv_exact(&mut one).await,
        Err(NetError::Timeout { .. })
    ));
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    // ... and the channel still works afterwards.
    a.send_frame(&[0u8; 100]).await.unwrap();
    a.flush().await.unwrap();
    assert!(matches!(
        b.recv_frame(10).await,
        Err(NetError::FrameTooLarge {
            actual: 100,
            max: 10
        })
    ));
    let mut rest = [0u8; 100];
    b.recv_exact(&mut rest).await.unwrap();
    a.send_frame(&[1u8; 5]).await.unwrap();
    a.flush().await.unwrap();
    let mut six = [0u8; 6];
    let e = b.recv_frame_exact(&mut six).await.unwrap_err();
    assert!(
        matches!(&e, NetError::Malformed(m) if m.contains('6') && m.contains('5')),
        "{e}"
    );
    b.recv_exact(&mut six[..5]).await.unwrap();
    assert_eq!(a.bytes_sent(), 4 + 5 + 8 + 4 + 100 + 4 + 5);
    assert_eq!(b.bytes_received(), a.bytes_sent());
    // Large transfer both ways in one go, bigger than every buffer, checked byte by byte.
    let big: Vec<u8> = (0..5_000_000u32).map(|i| (i * 7 + i / 251) as u8).collect();
    let big2 = big.clone();
    let sender = tokio::spawn(async move {
        a.send(&big2[..3]).await.unwrap();
        a.send(&big2[3..]).await.unwrap();
        a.flush().await.unwrap();
        a
    });
    let mut got = vec![0u8; big.len()];
    let (x, y) = got.split_at_mut(1_000_001);
    b.recv_exact(x).await.unwrap();
    b.recv_exact(y).await.unwrap();
    assert!(got == big);
    let mut a = sender.await.unwrap();
    assert!(a.wire_bytes_sent() >= a.bytes_sent());
    // Peer closes in the middle of a message: `Closed`, not a hang.
    a.send(&[9u8; 10]).await.unwrap();
    a.close().await.unwrap();
    drop(a);
    let mut twenty = [0u8; 20];
    assert!(matches!(
        b.recv_exact(&mut twenty).await,
        Err(NetError::Closed)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplex_frames_counters_errors() {
    let (a, b) = duplex_pair(&cfg(200));
    exercise(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_frames_counters_errors() {
    let (a, b) = tcp_pair(&cfg(300)).await;
    assert_eq!(a.wire_bytes_sent(), 8); // the preamble
    exercise(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_writer_stall_times_out() {
    // The peer never reads: once the kernel buffers are full, send+flush time out.
    let (mut a, _b) = tcp_pair(&cfg(300)).await;
    let chunk = vec![0u8; 1 << 20];
    let t = Instant::now();
    let mut res = Ok(());
    for _ in 0..256 {
        res = a.send(&chunk).await;
        if res.is_err() {
            break;
        }
    }
    assert!(matches!(res, Err(NetError::Timeout { .. })), "{res:?}");
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_reader_is_cut_off() {
    // The peer reads one byte every 10 ms from a 64-byte pipe: every transport write makes
    // progress well within the timeout, but a whole write must finish by its deadline
    // (timeout + size / 64 KiB/s), so the sender gives up within about a second instead of
    // trickling on for hours.
    let config = cfg(300).with_write_buffer(16 << 10);
    let (a, mut b) = tokio::io::duplex(64);
    let mut a = Channel::from_stream(a, &config);
    let reader = tokio::spawn(async move {
        let mut x = [0u8; 1];
        while matches!(b.read(&mut x).await, Ok(1)) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    });
    let chunk = vec![0u8; 16 << 10];
    let t = Instant::now();
    let mut res = Ok(());
    for _ in 0..64 {
        res = a.send(&chunk).await;
        if res.is_err() {
            break;
        }
    }
    assert!(matches!(res, Err(NetError::Timeout { .. })), "{res:?}");
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    reader.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_connect_retry_and_failures() {
    // Nobody listening: retry until the deadline, then a clear Connect error.
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    drop(l);
    let t = Instant::now();
    let e = tcp::connect(&addr, &cfg(500), Duration::from_millis(300))
        .await
        .unwrap_err();
    assert!(matches!(e, NetError::Connect(_)), "{e}");
    assert!(t.elapsed() >= Duration::from_millis(250) && t.elapsed() < Duration::from_secs(3));
    // The listener starts late: the connector's retries find it.
    let addr2 = addr.clone();
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        tcp::listen(&addr2, &cfg(2000), Duration::from_secs(5)).await
    });
    let mut c = tcp::connect(&addr, &cfg(2000), Duration::from_secs(5))
        .await
        .unwrap();
    let mut s = late.await.unwrap().unwrap();
    c.send_u64(42).await.unwrap();
    c.flush().await.unwrap();
    assert_eq!(s.recv_u64().await.unwrap(), 42);
    // Accept with nobody coming: "nobody connected", not "the peer sent nothing".
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let e = tcp::accept(&listener, &cfg(500), Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, NetError::Connect(m) if m.contains("nobody connected within 0.1 s")),
        "{e}"
    );
    // Bad address: Connect error, no panic.
    assert!(matches!(
        tcp::bind("not an address").await,
        Err(NetError::Connect(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_peer_that_is_not_duet() {
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // A raw client that sends something else, then one that connects and says nothing.
    let raw = tokio::spawn(async move {
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\n\r\n").await.unwrap();
        let mut buf = [0u8; 8];
        let _ = s.read_exact(&mut buf).await;
        let _s2 = tokio::net::TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(800)).await;
    });
    let e = tcp::accept(&listener, &cfg(500), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, NetError::Setup(m) if m.contains("not a Duet party")),
        "{e}"
    );
    assert!(!e.to_string().contains("secure"), "{e}");
    let e = tcp::accept(&listener, &cfg(300), Duration::from_secs(5))
        .await
        .unwrap_err();
    assert!(matches!(e, NetError::Timeout { .. }), "{e}");
    raw.await.unwrap();
}

/// A peer that drips one byte every 400 ms is cut off after about the timeout (the deadline
/// covers the whole receive, not each read), over real TCP. (At most two bytes of the
/// 4-byte frame header arrive within the 600 ms timeout, whatever the scheduling.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dripping_peer_is_cut_off_after_the_timeout() {
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let drip = tokio::spawn(async move {
        let mut c = tcp::connect(&addr, &cfg(5000), Duration::from_secs(5))
            .await
            .unwrap();
        for _ in 0..40 {
            if c.send(&[7]).await.is_err() || c.flush().await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    });
    let mut s = tcp::accept(&listener, &cfg(600), Duration::from_secs(5))
        .await
        .unwrap();
    let t = std::time::Instant::now();
    let e = s.recv_frame(1 << 10).await.unwrap_err();
    let took = t.elapsed();
    assert!(matches!(e, NetError::Timeout { .. }), "{e}");
    assert!(took < Duration::from_millis(1500), "{took:?}");
    drip.abort();
}

/// `rounds` counts each receive that follows a send: a ping-pong of three exchanges is three
/// rounds for the side that starts, two for the side that answers; one-way streaming adds
/// none.
#[tokio::test]
async fn rounds_count_direction_changes() {
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let mut buf = [0u8; 4];
    for i in 0..3u32 {
        a.send(&i.to_le_bytes()).await.unwrap();
        a.flush().await.unwrap();
        b.recv_exact(&mut buf).await.unwrap();
        b.send(&buf).await.unwrap();
        b.flush().await.unwrap();
        a.recv_exact(&mut buf).await.unwrap();
        assert_eq!(u32::from_le_bytes(buf), i);
    }
    assert_eq!((a.rounds(), b.rounds()), (3, 2));
    for _ in 0..10 {
        a.send(&[1, 2, 3, 4]).await.unwrap();
    }
    a.flush().await.unwrap();
    for _ in 0..10 {
        b.recv_exact(&mut buf).await.unwrap();
    }
    assert_eq!((a.rounds(), b.rounds()), (3, 3));
}
