//! The decoders as the fuzz targets (`fuzz/fuzz_targets/*.rs`, cargo-fuzz, outside the
//! workspace) and the corpus replay test (`tests/fuzz_corpus.rs`, run by `cargo test`) both
//! call them: one function per target, taking arbitrary bytes. Each must return without
//! panicking, within bounded time and memory, whatever the bytes; the asserts inside are
//! the properties a decoder promises (what it accepts round-trips, peer text comes out
//! printable, …). [`TARGETS`] lists them by the target's name.
#![allow(missing_docs)]

use duet_circuits::liveness::OpSource;
use duet_circuits::program_file::ProgramFile;
use duet_circuits::{Bits, bristol, eval, stats::Stats, values};
use std::time::Duration;

/// A fuzz target: its name and the decoder it feeds.
pub type Target = (&'static str, fn(&[u8]));

/// Every target: (name, function). `fuzz/fuzz_targets/<name>.rs` calls the function and
/// `fuzz/corpus/<name>/` holds its seed corpus.
pub const TARGETS: &[Target] = &[
    ("parse", bristol_text),
    ("arith_circuit", arith_circuit),
    ("arith_settings", arith_settings),
    ("saved_program", saved_program),
    ("keys", keys),
    ("values", hex_values),
    ("psi_set", psi_set),
    ("gc_handshake", gc_handshake),
    ("link", link_spec),
    ("peer_text", peer_text),
    ("gc_evaluator", gc_evaluator),
    ("psi_receiver", psi_receiver),
];

/// Bristol text: whatever parses round-trips through the writer, has stats (wide circuits
/// included: the header limits keep them linear in the file) and evaluates on zeros.
pub fn bristol_text(data: &[u8]) {
    let Ok(c) = bristol::parse(data) else {
        return;
    };
    let text = bristol::to_string(&c);
    let back = bristol::parse_str(&text).expect("the writer's output parses");
    assert_eq!(back, c);
    let s = Stats::of(&c);
    assert_eq!(s.wires, c.num_wires());
    if c.num_wires() > 1 << 20 {
        return;
    }
    let inputs: Vec<Bits> = c
        .inputs()
        .iter()
        .map(|&w| Bits::repeat(false, w as usize))
        .collect();
    let outs = eval::evaluate(&c, &inputs).expect("evaluation of a parsed circuit");
    assert_eq!(outs.len(), c.outputs().len());
}

/// Split at the first NUL: (before, after).
fn split(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// An arithmetic circuit: `circuit.txt`, a NUL, then `circuit_info.json`.
pub fn arith_circuit(data: &[u8]) {
    let (txt, json) = split(data);
    let (Ok(txt), Ok(json)) = (std::str::from_utf8(txt), std::str::from_utf8(json)) else {
        return;
    };
    if let Ok(c) = duet_hybrid::ArithCircuit::parse(txt, json) {
        let _ = c.op_counts();
        assert!(c.num_values() >= c.inputs().len());
    }
}

const SUM_TXT: &str = "1 3\n2 1 1\n1 1\n\n2 1 1 0 2 AAdd\n";
const SUM_JSON: &str = r#"{"input_name_to_wire_index":{"0.a":1,"0.b":0},"constants":{},"output_name_to_wire_index":{"0.out":2}}"#;

/// `mpc_settings.json` for a two-input sum circuit.
pub fn arith_settings(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let c = duet_hybrid::ArithCircuit::parse(SUM_TXT, SUM_JSON).expect("the sum circuit");
    let _ = duet_hybrid::Settings::parse(text, &c);
}

/// A saved program (`gc-run compile`): opened (checked whole) and, if accepted, every op
/// read back.
pub fn saved_program(data: &[u8]) {
    let path = std::env::temp_dir().join(format!(
        "duet-fuzz-saved-{}-{:?}.duet",
        std::process::id(),
        std::thread::current().id()
    ));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok(p) = ProgramFile::open(&path) {
        assert!(p.inputs().iter().map(|&w| w as u64).sum::<u64>() <= 1 << 24);
        let mut ops = p.ops().expect("a reader of an opened program");
        let mut buf = Vec::new();
        let mut n = 0u64;
        loop {
            ops.next_chunk(&mut buf, 1 << 12)
                .expect("ops of an opened program read back");
            if buf.is_empty() {
                break;
            }
            n += buf.len() as u64;
        }
        assert_eq!(n, p.len());
    }
    let _ = std::fs::remove_file(&path);
}

/// Key files and `duet-pk:` strings.
pub fn keys(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(k) = duet_net::StaticKeyPair::from_file_text(text, std::path::Path::new("fuzz")) {
        let again = duet_net::StaticKeyPair::from_file_text(&k.to_file_text(), "fuzz".as_ref())
            .expect("a written key file reads back");
        assert_eq!(again.public(), k.public());
    }
    if let Ok(pk) = text.parse::<duet_net::PublicKey>() {
        assert_eq!(pk.to_string().parse::<duet_net::PublicKey>().ok(), Some(pk));
    }
}

/// Hex input values: two bytes of width, then the text.
pub fn hex_values(data: &[u8]) {
    if data.len() < 2 {
        return;
    }
    let width = u16::from_le_bytes([data[0], data[1]]) as u32;
    let Ok(s) = std::str::from_utf8(&data[2..]) else {
        return;
    };
    if let Ok(b) = values::parse_hex(s, width) {
        assert_eq!(b.len(), width as usize);
        // `to_hex` of a 0-bit value is "" (2·ceil(0/8) digits), which is no input value:
        // the round trip is promised for values of at least one bit (found by the fuzzer)
        if width == 0 {
            return;
        }
        let back = values::parse_hex(&values::to_hex(&b), width).expect("to_hex parses");
        assert_eq!(back, b);
    }
}

/// A PSI set file.
pub fn psi_set(data: &[u8]) {
    let s = crate::psi::ItemSet::from_bytes(data.to_vec());
    assert_eq!(s.hashes().len(), s.len());
    for i in 0..s.len() {
        let _ = s.item(i);
    }
}

/// The gc handshake messages: Hello and RunOffer (or abort) decode; what decodes
/// re-encodes to the same bytes (an abort's reason comes out printable).
pub fn gc_handshake(data: &[u8]) {
    use duet_gc::handshake::{Hello, RunMessage, RunOffer};
    if let Ok(h) = Hello::decode(data) {
        assert_eq!(h.encode(), data);
        let _ = h.check_peer(&h);
    }
    match RunOffer::decode(data) {
        Ok(RunMessage::Offer(o)) => {
            assert_eq!(o.encode(), data);
        }
        Ok(RunMessage::Abort(reason)) => {
            assert!(!reason.chars().any(char::is_control), "{reason:?}");
        }
        Err(_) => {}
    }
}

/// `--link RATE[,RTT]`: what parses displays and parses back to the same link.
pub fn link_spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(l) = text.parse::<duet_net::Link>() {
        let shown = l.to_string();
        let back: duet_net::Link = shown.parse().expect("a displayed link parses");
        assert_eq!(back, l, "{text:?} -> {shown:?}");
    }
}

/// Peer text as printed: never a control character, always capped and marked.
pub fn peer_text(data: &[u8]) {
    let s = duet_net::sanitize_peer_text(data);
    assert!(!s.chars().any(char::is_control), "{s:?}");
    assert!(s.chars().count() <= duet_net::MAX_PEER_TEXT * 10 + 20);
    assert!(s.ends_with(" (its words)"));
}

/// Run `party` on one end of an in-memory pipe whose other end sends `data` (then EOF)
/// and drains whatever the party sends; the party must fail or finish within seconds.
fn against_peer<F, Fut>(data: &[u8], party: F)
where
    F: FnOnce(duet_net::Channel) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let data = data.to_vec();
    rt.block_on(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (a, b) = tokio::io::duplex(1 << 16);
        let (mut br, mut bw) = tokio::io::split(b);
        let peer = tokio::spawn(async move {
            let drain = async {
                let mut sink = vec![0u8; 1 << 14];
                while matches!(br.read(&mut sink).await, Ok(n) if n > 0) {}
            };
            let feed = async {
                let _ = bw.write_all(&data).await;
                let _ = bw.shutdown().await;
            };
            tokio::join!(drain, feed);
        });
        let cfg = duet_net::ChannelConfig::default()
            .with_timeout(Duration::from_millis(500))
            .with_write_buffer(1 << 12)
            .with_read_buffer(1 << 12);
        let ch = duet_net::Channel::from_stream(a, &cfg);
        tokio::time::timeout(Duration::from_secs(20), party(ch))
            .await
            .expect("the party finishes (or fails) in time");
        peer.abort();
    });
}

/// A real gc evaluator (Session: hello, OT setup, a run of a 1-AND circuit) fed the bytes
/// as everything its garbler says.
pub fn gc_evaluator(data: &[u8]) {
    against_peer(data, |ch| async move {
        let Ok(mut s) = duet_gc::Session::evaluator(ch, Default::default()).await else {
            return;
        };
        let c = bristol::parse_str("1 3\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n").expect("AND");
        let p = duet_gc::Prepared::new(c);
        let input = [(1usize, values::from_u64(1, 1).unwrap())];
        let _ = s
            .run_prepared(&p, &input, duet_gc::OutputPolicy::Both)
            .await;
    });
}

/// A real PSI receiver fed the bytes as everything its sender says.
pub fn psi_receiver(data: &[u8]) {
    against_peer(data, |mut ch| async move {
        let items = crate::psi::hash_items(&[b"a".as_slice(), b"b", b"c"]);
        let _ = crate::psi::receiver(&mut ch, &items, &Default::default()).await;
    });
}
