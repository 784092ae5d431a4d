//! Secure channel: exchanges with matching keys (duplex and TCP), every key failure on both
//! sides before any protocol byte, and a man-in-the-middle proxy that alters, drops,
//! replays, reorders or truncates records.

use duet_net::{Channel, ChannelConfig, NetError, SecureKeys, StaticKeyPair, secure, tcp};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

fn cfg(ms: u64) -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_millis(ms))
}

/// Key material of a server S and client C that pinned each other, plus a third party T.
struct World {
    s: StaticKeyPair,
    c: StaticKeyPair,
    t: StaticKeyPair,
}

impl World {
    fn new() -> World {
        World {
            s: StaticKeyPair::generate().unwrap(),
            c: StaticKeyPair::generate().unwrap(),
            t: StaticKeyPair::generate().unwrap(),
        }
    }
    fn server(&self) -> SecureKeys {
        SecureKeys::new(self.s.clone(), self.c.public())
    }
    fn client(&self) -> SecureKeys {
        SecureKeys::new(self.c.clone(), self.s.public())
    }
}

/// Run a secure server on an ephemeral port and a client against `addr_of(server port)`.
async fn secure_pair_via(
    server: SecureKeys,
    client: SecureKeys,
    config: &ChannelConfig,
    via: impl FnOnce(SocketAddr) -> SocketAddr,
) -> (Result<Channel, NetError>, Result<Channel, NetError>) {
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = via(listener.local_addr().unwrap()).to_string();
    let c2 = config.clone();
    let conn =
        tokio::spawn(
            async move { secure::connect(&addr, &c2, Duration::from_secs(5), &client).await },
        );
    let s = secure::accept(&listener, config, Duration::from_secs(5), &server).await;
    (s, conn.await.unwrap())
}

async fn exchange(mut a: Channel, mut b: Channel) {
    a.send_frame(b"garbled tables").await.unwrap();
    a.flush().await.unwrap();
    assert_eq!(b.recv_frame(64).await.unwrap(), b"garbled tables");
    b.send_u64(0xdead_beef).await.unwrap();
    b.flush().await.unwrap();
    assert_eq!(a.recv_u64().await.unwrap(), 0xdead_beef);
    // Bulk both ways at once (records of every size, reads of every size).
    let big: Vec<u8> = (0..3_000_003u32).map(|i| (i ^ (i >> 9)) as u8).collect();
    let (b1, b2) = (big.clone(), big.clone());
    let ta = tokio::spawn(async move {
        for chunk in b1.chunks(777_777) {
            a.send(chunk).await.unwrap();
        }
        a.flush().await.unwrap();
        let mut got = vec![0u8; b1.len()];
        for part in got.chunks_mut(65_519) {
            a.recv_exact(part).await.unwrap();
        }
        assert!(got == b1);
        a
    });
    let tb = tokio::spawn(async move {
        for chunk in b2.chunks(3).take(1000) {
            b.send(chunk).await.unwrap();
        }
        b.send(&b2[3000..]).await.unwrap();
        b.flush().await.unwrap();
        let mut got = vec![0u8; b2.len()];
        let (x, y) = got.split_at_mut(17);
        b.recv_exact(x).await.unwrap();
        b.recv_exact(y).await.unwrap();
        assert!(got == b2);
        b
    });
    let (a, b) = (ta.await.unwrap(), tb.await.unwrap());
    assert_eq!(a.bytes_sent(), 14 + 4 + big.len() as u64);
    assert_eq!(b.bytes_received(), a.bytes_sent());
    // Record overhead is reported apart: 18 bytes per ≤ 65519-byte record, plus handshake.
    let overhead = a.wire_bytes_sent() - a.bytes_sent();
    assert!(
        overhead > 18 * 45 && overhead < 18 * 200 + 1000,
        "{overhead}"
    );
    assert_eq!(a.wire_bytes_sent(), b.wire_bytes_received());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_duplex_exchange() {
    let w = World::new();
    let (x, y) = tokio::io::duplex(8 << 20);
    let (sk, ck) = (w.server(), w.client());
    let config = cfg(5000);
    let c2 = config.clone();
    let srv = tokio::spawn(async move { secure::over_stream(x, false, &c2, &sk).await });
    let c = secure::over_stream(y, true, &config, &ck).await.unwrap();
    let s = srv.await.unwrap().unwrap();
    assert!(c.is_encrypted() && s.is_encrypted());
    assert_eq!(c.peer_key(), Some(w.s.public()));
    assert_eq!(s.peer_key(), Some(w.c.public()));
    exchange(c, s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secure_tcp_exchange_and_setup_time() {
    let w = World::new();
    let config = cfg(5000);
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let (s, c) = secure_pair_via(w.server(), w.client(), &config, |a| a).await;
        best = best.min(t.elapsed());
        let (s, c) = (s.unwrap(), c.unwrap());
        assert_eq!(c.peer_key(), Some(w.s.public()));
        drop((s, c));
    }
    eprintln!("secure TCP connection set-up (connect + Noise XX + confirm): {best:?}");
    assert!(best < Duration::from_millis(50), "{best:?}");
    let (s, c) = secure_pair_via(w.server(), w.client(), &config, |a| a).await;
    exchange(c.unwrap(), s.unwrap()).await;
}

fn assert_peer_key(
    r: &Result<Channel, NetError>,
    expected: &StaticKeyPair,
    actual: &StaticKeyPair,
) {
    match r {
        Err(NetError::PeerKey {
            expected: e,
            actual: a,
        }) => {
            assert_eq!(e, &expected.public().to_string());
            assert_eq!(a, &actual.public().to_string());
        }
        other => panic!("expected PeerKey, got {other:?}"),
    }
}

fn assert_handshake(r: &Result<Channel, NetError>, needle: &str) {
    match r {
        Err(e @ NetError::Handshake(m)) => assert!(m.contains(needle), "{e}"),
        // the plain side of a mismatch: a set-up failure, never "secure channel handshake"
        Err(e @ NetError::Setup(m)) => assert!(m.contains(needle), "{e}"),
        other => panic!("expected Handshake({needle}), got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_keys_fail_on_both_sides() {
    let w = World::new();
    let config = cfg(3000);
    // The server presents a key the client did not pin (client pinned T instead of S).
    let client = SecureKeys::new(w.c.clone(), w.t.public());
    let (s, c) = secure_pair_via(w.server(), client, &config, |a| a).await;
    assert_peer_key(&c, &w.t, &w.s);
    assert_handshake(&s, "rejected our key");
    // A third party T, holding its own key, connects to a server that pinned C.
    let third = SecureKeys::new(w.t.clone(), w.s.public());
    let (s, c) = secure_pair_via(w.server(), third, &config, |a| a).await;
    assert_peer_key(&s, &w.c, &w.t);
    assert_handshake(&c, "rejected our key");
    // The server pinned the wrong client key (its --peer-key is T's).
    let server = SecureKeys::new(w.s.clone(), w.t.public());
    let (s, c) = secure_pair_via(server, w.client(), &config, |a| a).await;
    assert_peer_key(&s, &w.t, &w.c);
    assert_handshake(&c, "rejected our key");
    // The client has the right key file but it is someone else's pair entirely.
    let (s, c) = secure_pair_via(
        w.server(),
        SecureKeys::new(w.t.clone(), w.t.public()),
        &config,
        |a| a,
    )
    .await;
    assert!(s.is_err() && c.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_keys_fail_on_both_sides() {
    let w = World::new();
    let config = cfg(3000);
    // Plain client (no keys) against a secure server.
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c2 = config.clone();
    let conn = tokio::spawn(async move { tcp::connect(&addr, &c2, Duration::from_secs(5)).await });
    let s = secure::accept(&listener, &config, Duration::from_secs(5), &w.server()).await;
    assert_handshake(&s, "runs without keys");
    assert_handshake(&conn.await.unwrap(), "has no keys");
    // Secure client against a plain server.
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (c2, ck) = (config.clone(), w.client());
    let conn =
        tokio::spawn(async move { secure::connect(&addr, &c2, Duration::from_secs(5), &ck).await });
    let s = tcp::accept(&listener, &config, Duration::from_secs(5)).await;
    assert_handshake(&s, "has no keys");
    assert_handshake(&conn.await.unwrap(), "runs without keys");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_stall_garbage_and_early_close() {
    let w = World::new();
    let listener = tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let raw = tokio::spawn(async move {
        // 1: connects and stalls; 2: valid preamble then garbage; 3: preamble then closes.
        let _s1 = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(600)).await;
        let mut s2 = TcpStream::connect(addr).await.unwrap();
        s2.write_all(b"duet-nx1\x00\x05hello").await.unwrap();
        let mut sink = Vec::new();
        let _ = s2.read_to_end(&mut sink).await;
        let mut s3 = TcpStream::connect(addr).await.unwrap();
        s3.write_all(b"duet-nx1\x00\x20").await.unwrap();
    });
    let t = Instant::now();
    let e = secure::accept(&listener, &cfg(300), Duration::from_secs(5), &w.server()).await;
    assert!(matches!(e, Err(NetError::Timeout { .. })), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(2));
    let e = secure::accept(&listener, &cfg(2000), Duration::from_secs(5), &w.server()).await;
    assert_handshake(&e, "bad handshake message");
    let e = secure::accept(&listener, &cfg(2000), Duration::from_secs(5), &w.server()).await;
    assert_handshake(&e, "closed the connection during the handshake");
    raw.await.unwrap();
}

#[derive(Clone, Copy, Debug)]
enum Tamper {
    Flip,
    Drop,
    Replay,
    Reorder,
    Truncate,
    BadLength,
}

async fn read_frame(s: &mut (impl tokio::io::AsyncRead + Unpin)) -> Option<Vec<u8>> {
    let mut len = [0u8; 2];
    s.read_exact(&mut len).await.ok()?;
    let mut v = len.to_vec();
    v.resize(2 + u16::from_be_bytes(len) as usize, 0);
    s.read_exact(&mut v[2..]).await.ok()?;
    Some(v)
}

/// A man in the middle: forwards the handshake, then tampers with data record `target` of
/// the client → server direction. Server → client is copied unchanged.
async fn mitm(listener: TcpListener, upstream: SocketAddr, tamper: Tamper, target: usize) {
    let (mut cl, _) = listener.accept().await.unwrap();
    let mut up = TcpStream::connect(upstream).await.unwrap();
    let (mut up_r, mut up_w) = up.split();
    let (mut cl_r, mut cl_w) = cl.split();
    let back = async {
        let _ = tokio::io::copy(&mut up_r, &mut cl_w).await;
        let _ = cl_w.shutdown().await;
    };
    let forth = async {
        let mut magic = [0u8; 8];
        cl_r.read_exact(&mut magic).await.unwrap();
        up_w.write_all(&magic).await.unwrap();
        let mut held: Option<Vec<u8>> = None;
        let mut idx = 0usize;
        // the server may abort (and close) at any point after the tampered record: a
        // failed write to it ends the proxy, it is not a test failure
        while let Some(mut f) = read_frame(&mut cl_r).await {
            // Frames 0 and 1 are Noise handshake messages 1 and 3.
            let data = idx.checked_sub(2);
            idx += 1;
            if data != Some(target) {
                if up_w.write_all(&f).await.is_err() {
                    break;
                }
                if let Some(h) = held.take()
                    && up_w.write_all(&h).await.is_err()
                {
                    break;
                }
                continue;
            }
            match tamper {
                Tamper::Flip => {
                    let mid = f.len() / 2;
                    f[mid] ^= 0x20;
                    if up_w.write_all(&f).await.is_err() {
                        break;
                    }
                }
                Tamper::Drop => {}
                Tamper::Replay => {
                    if up_w.write_all(&f).await.is_err() {
                        break;
                    }
                    if up_w.write_all(&f).await.is_err() {
                        break;
                    }
                }
                Tamper::Reorder => held = Some(f),
                Tamper::Truncate => {
                    let _ = up_w.write_all(&f[..f.len() / 2]).await;
                    break;
                }
                Tamper::BadLength => {
                    let _ = up_w.write_all(&[0, 7]).await;
                    let _ = up_w.write_all(&f[2..]).await;
                }
            }
        }
        let _ = up_w.shutdown().await;
    };
    let _ = tokio::join!(back, forth);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mitm_tampering_is_an_integrity_error_never_wrong_data() {
    let w = World::new();
    let chunk = |i: usize| -> Vec<u8> { (0..100_000).map(|j| (i * 31 + j * 7) as u8).collect() };
    for tamper in [
        Tamper::Flip,
        Tamper::Drop,
        Tamper::Replay,
        Tamper::Reorder,
        Tamper::Truncate,
        Tamper::BadLength,
    ] {
        let config = cfg(3000);
        let listener = tcp::bind("127.0.0.1:0").await.unwrap();
        let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_addr = proxy.local_addr().unwrap();
        let mid = tokio::spawn(mitm(proxy, listener.local_addr().unwrap(), tamper, 4));
        let (ck, c2) = (w.client(), config.clone());
        let client = tokio::spawn(async move {
            let mut ch = secure::connect(&proxy_addr.to_string(), &c2, Duration::from_secs(5), &ck)
                .await
                .unwrap();
            // 10 flushed chunks of 100 000 bytes = 20 records (65519 + 34481 bytes each).
            for i in 0..10 {
                if ch.send(&chunk(i)).await.is_err() || ch.flush().await.is_err() {
                    break;
                }
            }
            // The server aborts: we see the connection closed, not an answer.
            let mut b = [0u8; 1];
            ch.recv_exact(&mut b).await
        });
        let mut s = secure::accept(&listener, &config, Duration::from_secs(5), &w.server())
            .await
            .unwrap();
        let mut good = 0;
        let err = loop {
            let mut buf = vec![0u8; 100_000];
            match s.recv_exact(&mut buf).await {
                Ok(()) => {
                    assert!(buf == chunk(good), "{tamper:?}: wrong data delivered");
                    good += 1;
                }
                Err(e) => break e,
            }
        };
        assert!(matches!(err, NetError::Integrity(_)), "{tamper:?}: {err}");
        // Record 4 is the 1st record of chunk 2: chunks 0 and 1 arrive intact.
        assert_eq!(good, 2, "{tamper:?}");
        // The channel stays dead, and the client sees it closed.
        let mut b = [0u8; 1];
        assert!(matches!(
            s.recv_exact(&mut b).await,
            Err(NetError::Integrity(_))
        ));
        assert!(matches!(s.flush().await, Ok(()) | Err(_)));
        drop(s);
        let c = client.await.unwrap();
        assert!(
            matches!(c, Err(NetError::Closed | NetError::Timeout { .. })),
            "{tamper:?}: {c:?}"
        );
        mid.await.unwrap();
    }
}
