use super::*;
use crate::{ChannelConfig, duplex_pair, run_pair};

const GC: Protocol = Protocol {
    name: "duet-test",
    version: 3,
    roles: ["garbler", "evaluator"],
};

fn offer(role: u8) -> Offer {
    Offer::new(&GC, role)
        .with("circuit", Value::Digest([7; 32]))
        .with("garbling scheme", Value::Text("half-gates".into()))
        .with("input", Value::Owners(vec![0, 1]))
        .with("set size", Value::Own(u64::from(role) * 10))
        .with("instances", Value::Uint(1))
}

#[test]
fn hello_roundtrips_and_every_cut_fails() {
    for h in [
        Hello::Offer(offer(1)),
        Hello::Abort("input 0 is 8 bits".into()),
    ] {
        let b = h.to_bytes();
        let back = Hello::from_bytes(&b).unwrap();
        match (&h, back) {
            (Hello::Offer(o), Hello::Offer(p)) => assert_eq!(*o, p),
            (Hello::Abort(_), Hello::Abort(s)) => {
                assert_eq!(s, "\"input 0 is 8 bits\" (its words)")
            }
            _ => panic!("kind changed"),
        }
        if matches!(h, Hello::Offer(_)) {
            for cut in 0..b.len() {
                assert!(Hello::from_bytes(&b[..cut]).is_err(), "cut {cut}");
            }
            let mut long = b.clone();
            long.push(0);
            assert!(matches!(
                Hello::from_bytes(&long),
                Err(InvalidMessage::TrailingBytes { extra: 1, .. })
            ));
        }
    }
}

#[test]
fn decoder_names_bad_fields() {
    let mut b = Hello::Offer(offer(0)).to_bytes();
    b[0] = b'X';
    assert!(
        Hello::from_bytes(&b)
            .unwrap_err()
            .to_string()
            .contains("magic")
    );
    let mut b = Hello::Offer(offer(0)).to_bytes();
    b[4] = 9;
    assert_eq!(
        Hello::from_bytes(&b).unwrap_err().to_string(),
        "negotiation message: unknown kind 9"
    );
    // a count that claims more items than the message holds
    let mut m = vec![];
    m.put_bytes(b"DUET");
    m.put_u8(1);
    m.put_str("p");
    m.put_u16(1);
    m.put_u8(0);
    m.put_u16(1);
    m.put_str("x");
    m.put_u8(3);
    m.put_u32(u32::MAX);
    let e = Hello::from_bytes(&m).unwrap_err();
    assert!(matches!(e, InvalidMessage::OutOfRange { .. }), "{e}");
    // an owners list naming role 2
    let mut o = offer(0);
    o.params[2].value = Value::Owners(vec![0, 2]);
    let e = Hello::from_bytes(&Hello::Offer(o).to_bytes()).unwrap_err();
    assert!(e.to_string().contains("role other than 0 or 1"), "{e}");
    // non-printable names
    let mut o = offer(0);
    o.params[1].value = Value::Text("a\x1bb".into());
    assert!(Hello::from_bytes(&Hello::Offer(o).to_bytes()).is_err());
}

#[test]
fn compare_names_every_difference_alike_on_both_sides() {
    let (g, e) = (offer(0), offer(1));
    assert!(compare(&GC, &g, &e).is_ok());
    assert!(compare(&GC, &e, &g).is_ok());
    let mut e2 = offer(1);
    e2.params[0].value = Value::Digest([8; 32]);
    e2.params[1].value = Value::Text("three-halves".into());
    e2.params[2].value = Value::Owners(vec![1, 0]);
    let from_g = compare(&GC, &g, &e2).unwrap_err();
    let from_e = compare(&GC, &e2, &g).unwrap_err();
    assert_eq!(from_g, from_e);
    assert_eq!(
        from_g.to_string(),
        "circuit mismatch: garbler has 07070707…, evaluator has 08080808…; \
         garbling scheme mismatch: garbler has half-gates, evaluator has three-halves; \
         input 0 claimed by both parties; input 1 claimed by neither party"
    );
    assert_eq!(
        compare(&GC, &g, &offer(0)).unwrap_err().to_string(),
        "both parties are the garbler"
    );
    let mut old = offer(1);
    old.version = 2;
    assert!(
        compare(&GC, &g, &old)
            .unwrap_err()
            .mentions("version 3, the peer version 2")
    );
    let mut other = offer(1);
    other.protocol = "duet-psi".into();
    assert!(
        compare(&GC, &g, &other)
            .unwrap_err()
            .mentions("the peer speaks duet-psi")
    );
    // a parameter only one side has; owner lists of different lengths; many conflicts
    let mut e3 = offer(1);
    e3.params.retain(|p| p.name != "instances");
    e3.params[2].value = Value::Owners(vec![0]);
    let m = compare(&GC, &g, &e3).unwrap_err();
    assert!(
        m.mentions("instances mismatch: garbler has 1, evaluator has none"),
        "{m}"
    );
    assert!(
        m.mentions("input count mismatch: garbler has 2, evaluator has 1"),
        "{m}"
    );
    let many = |r: u8| Offer::new(&GC, r).with("input", Value::Owners(vec![r; 20]));
    let m = compare(&GC, &many(0), &many(1)).unwrap_err();
    assert_eq!(m.differences.len(), 9);
    assert!(m.mentions("12 more inputs with conflicting owners"));
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn negotiate_over_a_channel() {
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let (ra, rb) = run_pair(
        async move { negotiate(&mut a, &GC, &Hello::Offer(offer(0)), 1 << 20).await },
        async move { negotiate(&mut b, &GC, &Hello::Offer(offer(1)), 1 << 20).await },
    )
    .unwrap();
    assert_eq!(ra.unwrap().number("set size"), Some(10));
    assert_eq!(rb.unwrap().number("set size"), Some(0));

    // one side aborts: it gets its own reason, the peer the sanitised one
    let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
    let (ra, rb) = run_pair(
        async move { negotiate(&mut a, &GC, &Hello::Abort("bad\ninput".into()), 1 << 20).await },
        async move { negotiate(&mut b, &GC, &Hello::Offer(offer(1)), 1 << 20).await },
    )
    .unwrap();
    assert!(matches!(ra, Err(WireError::Misuse(s)) if s == "bad\ninput"));
    assert_eq!(
        rb.unwrap_err().to_string(),
        "the peer aborted: \"bad\\u{a}input\" (its words)"
    );

    // a foreign peer: named, its bytes escaped
    rt().block_on(async {
        let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
        b.send_frame(b"HTTP/1.1 200 OK\r\n").await.unwrap();
        b.flush().await.unwrap();
        let e = negotiate(&mut a, &GC, &Hello::Offer(offer(0)), 1 << 20)
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            WireError::PeerMisbehaved(PeerMisbehaved::NotDuet { .. })
        ));
        assert!(e.to_string().contains("not a Duet duet-test party"), "{e}");
        let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
        b.send(&[0xff; 8]).await.unwrap();
        b.flush().await.unwrap();
        let e = negotiate(&mut a, &GC, &Hello::Offer(offer(0)), 1 << 20)
            .await
            .unwrap_err();
        assert!(matches!(
            e,
            WireError::PeerMisbehaved(PeerMisbehaved::FirstFrame { .. })
        ));
    });
}

#[test]
fn frame_header_helpers() {
    rt().block_on(async {
        let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
        a.send_frame_header(3).await.unwrap();
        a.send(b"abc").await.unwrap();
        a.send_frame_header(10).await.unwrap();
        a.flush().await.unwrap();
        assert_eq!(b.recv_frame_header(3).await.unwrap(), 3);
        let mut x = [0u8; 3];
        b.recv_exact(&mut x).await.unwrap();
        assert_eq!(&x, b"abc");
        assert!(matches!(
            b.recv_frame_header(9).await,
            Err(NetError::FrameTooLarge { actual: 10, max: 9 })
        ));
    });
}
