//! Golden transcripts (emp-ot's `trace_hash` idea): each protocol runs between two real
//! parties whose randomness comes from a PRG seeded per party (`duet_core::rng`, feature
//! `seeded-rng`, tests only), over a channel whose bytes are hashed per direction; the
//! blake3 digests must equal the ones checked in at `tests/golden/transcripts.txt`. So an
//! accidental change of any wire format fails here, and a deliberate one shows in review
//! as a changed line of that file.
//!
//! After a deliberate wire change: `DUET_BLESS=1 cargo test --test golden_transcripts`
//! rewrites the file; commit it with the change and say why.

use duet_circuits::{library, values};
use duet_core::{Block, Delta, rng::seed_this_thread};
use duet_gc::{OtKind, OutputPolicy, Prepared, Session, SessionOptions};
use duet_net::{Channel, ChannelConfig};
use duet_ot::ferret::{FerretParams, FerretReceiver, FerretSender};
use duet_ot::{CotReceiver, CotReceiverExt, CotSender, CotSenderExt, Security};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use tokio::io::{AsyncWrite, DuplexStream, WriteHalf};

/// A writer that hashes (and keeps) every byte it passes on.
struct Tap {
    inner: WriteHalf<DuplexStream>,
    hash: Hash,
}

impl AsyncWrite for Tap {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let p = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = p {
            let mut h = self.hash.lock().unwrap();
            h.0.update(&buf[..n]);
            h.1.extend_from_slice(&buf[..n]);
        }
        p
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The running digest and the bytes of one direction.
type Hash = Arc<Mutex<(blake3::Hasher, Vec<u8>)>>;

/// One protocol run's wire: the digests `A→B hex / B→A hex` and both byte streams.
struct Wire {
    digests: String,
    a_to_b: Vec<u8>,
    b_to_a: Vec<u8>,
}

/// Two channels whose sent bytes are hashed: (party A, party B, A's hash, B's hash).
fn tapped() -> (Channel, Channel, Hash, Hash) {
    let cfg = ChannelConfig::default();
    let (a, b) = tokio::io::duplex(4 << 20);
    let (ar, aw) = tokio::io::split(a);
    let (br, bw) = tokio::io::split(b);
    let (ha, hb) = (Hash::default(), Hash::default());
    let ca = Channel::new(
        ar,
        Tap {
            inner: aw,
            hash: ha.clone(),
        },
        &cfg,
    );
    let cb = Channel::new(
        br,
        Tap {
            inner: bw,
            hash: hb.clone(),
        },
        &cfg,
    );
    (ca, cb, ha, hb)
}

/// Run the two parties, each on its own thread with its randomness seeded, and return the
/// transcript.
fn transcript<A, B, FA, FB>(a: A, b: B) -> Wire
where
    A: FnOnce(Channel) -> FA + Send,
    B: FnOnce(Channel) -> FB + Send,
    FA: Future<Output = ()> + Send,
    FB: Future<Output = ()> + Send,
{
    let (ca, cb, ha, hb) = tapped();
    duet_net::run_pair(
        async move {
            seed_this_thread(Some(Block(0xa11ce)));
            a(ca).await;
            seed_this_thread(None);
        },
        async move {
            seed_this_thread(Some(Block(0xb0b)));
            b(cb).await;
            seed_this_thread(None);
        },
    )
    .unwrap();
    let hex = |h: &Hash| h.lock().unwrap().0.finalize().to_hex()[..32].to_string();
    let bytes = |h: &Hash| std::mem::take(&mut h.lock().unwrap().1);
    Wire {
        digests: format!("{} / {}", hex(&ha), hex(&hb)),
        a_to_b: bytes(&ha),
        b_to_a: bytes(&hb),
    }
}

fn gc(ot: OtKind) -> Wire {
    let aes = Prepared::new(library::load("aes_128").unwrap());
    let key = values::parse_hex("000102030405060708090a0b0c0d0e0f", 128).unwrap();
    let pt = values::parse_hex("00112233445566778899aabbccddeeff", 128).unwrap();
    let opts = SessionOptions::default().with_ot(ot);
    let (p1, p2, o1, o2) = (aes.clone(), aes, opts.clone(), opts);
    transcript(
        move |ch| async move {
            let mut s = Session::garbler(ch, o1).await.unwrap();
            let out = s.run_prepared(&p1, &[(0, key)], OutputPolicy::Both).await;
            assert_eq!(
                values::to_hex(&out.unwrap()[0]),
                "69c4e0d86a7b0430d8cdb78070b4c55a"
            );
            s.close().await.unwrap();
        },
        move |ch| async move {
            let mut s = Session::evaluator(ch, o2).await.unwrap();
            s.run_prepared(&p2, &[(1, pt)], OutputPolicy::Both)
                .await
                .unwrap();
            s.close().await.unwrap();
        },
    )
}

fn iknp(security: Security) -> Wire {
    transcript(
        move |mut ch| async move {
            let delta = Delta::random(&mut duet_core::secure_rng());
            let mut s = CotSender::setup(&mut ch, delta, security).await.unwrap();
            s.send_random_cot(&mut ch, 1000).await.unwrap();
            s.send_cot(&mut ch, 300).await.unwrap();
            ch.flush().await.unwrap();
        },
        move |mut ch| async move {
            let mut r = CotReceiver::setup(&mut ch, security).await.unwrap();
            r.receive_random_cot(&mut ch, 1000).await.unwrap();
            r.receive_cot(&mut ch, &[true; 300]).await.unwrap();
            ch.flush().await.unwrap();
        },
    )
}

fn ferret() -> Wire {
    let params = FerretParams::INSECURE_TEST;
    transcript(
        move |mut ch| async move {
            let delta = Delta::random(&mut duet_core::secure_rng());
            let mut s = FerretSender::setup(&mut ch, delta, Security::SemiHonest, params)
                .await
                .unwrap();
            s.send_random_cot(&mut ch, 5000).await.unwrap();
            ch.flush().await.unwrap();
        },
        move |mut ch| async move {
            let mut r = FerretReceiver::setup(&mut ch, Security::SemiHonest, params)
                .await
                .unwrap();
            r.receive_random_cot(&mut ch, 5000).await.unwrap();
            ch.flush().await.unwrap();
        },
    )
}

fn psi() -> Wire {
    use duet::psi::{self, PsiConfig};
    let s: Vec<String> = (0..200).map(|i| format!("item{i}")).collect();
    let r: Vec<String> = (150..300).map(|i| format!("item{i}")).collect();
    let (hs, hr) = (psi::hash_items(&s), psi::hash_items(&r));
    transcript(
        move |mut ch| async move {
            psi::sender(&mut ch, &hs, &PsiConfig::default())
                .await
                .unwrap();
        },
        move |mut ch| async move {
            let cfg = PsiConfig {
                hash_seed: Some(7),
                ..Default::default()
            };
            let out = psi::receiver(&mut ch, &hr, &cfg).await.unwrap();
            assert_eq!(out.intersection.len(), 50);
        },
    )
}

fn compare() -> Wire {
    use duet::compare::{self, CompareSpec};
    use std::cmp::Ordering;
    transcript(
        |ch| async move {
            let mut s = Session::garbler(ch, SessionOptions::default())
                .await
                .unwrap();
            let o = compare::compare(&mut s, 17, CompareSpec::default()).await;
            assert_eq!(o.unwrap(), Ordering::Greater);
        },
        |ch| async move {
            let mut s = Session::evaluator(ch, SessionOptions::default())
                .await
                .unwrap();
            compare::compare(&mut s, 5, CompareSpec::default())
                .await
                .unwrap();
        },
    )
}

fn hybrid() -> Wire {
    use duet_gc::SchemeKind;
    use duet_hybrid::{ArithCircuit, Reveal, Ring, Role, run_ot};
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("hybrid/tests/data/arith/millionaires");
    let c = Arc::new(ArithCircuit::load(&dir).unwrap());
    let reveal = vec![Reveal::BOTH; c.outputs().len()];
    let ring = Ring::default();
    let (c1, c2, r1, r2) = (c.clone(), c, reveal.clone(), reveal);
    transcript(
        move |mut ch| async move {
            let (sc, ot) = (SchemeKind::HalfGates, OtKind::Iknp);
            run_ot(&mut ch, &c1, Role::Garbler, ring, sc, ot, &[(0, 17)], &r1)
                .await
                .unwrap();
        },
        move |mut ch| async move {
            let (sc, ot) = (SchemeKind::HalfGates, OtKind::Iknp);
            run_ot(&mut ch, &c2, Role::Evaluator, ring, sc, ot, &[(1, 5)], &r2)
                .await
                .unwrap();
        },
    )
}

#[test]
fn wire_transcripts_match_the_checked_in_digests() {
    // (name, run, fuzz targets seeded with the stream A→B and B→A: `DUET_WRITE_SEEDS=1`
    // writes them to fuzz/corpus/<target>/golden-*; a prefix byte where the target wants one)
    type Run = fn() -> Wire;
    type Seed = Option<(&'static str, &'static [u8])>;
    let runs: Vec<(&str, Run, Seed, Seed)> = vec![
        (
            "gc aes_128 over IKNP",
            || gc(OtKind::Iknp),
            Some(("gc_evaluator", b"")),
            None,
        ),
        (
            "ot IKNP",
            || iknp(Security::SemiHonest),
            None,
            Some(("ot_sender", b"\x00")),
        ),
        (
            "ot KOS",
            || iknp(Security::Malicious),
            None,
            Some(("ot_sender", b"\x01")),
        ),
        (
            "ot Ferret (test parameters)",
            ferret,
            Some(("ferret_receiver", b"")),
            None,
        ),
        ("psi", psi, Some(("psi_receiver", b"")), None),
        ("compare", compare, Some(("compare_evaluator", b"")), None),
        (
            "hybrid millionaires",
            hybrid,
            Some(("hybrid_evaluator", b"")),
            None,
        ),
    ];
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut got = BTreeMap::new();
    for (name, run, ab, ba) in runs {
        let first = run();
        // the transcript is a function of the seeds alone (no clock, no hash-map order)
        assert_eq!(
            first.digests,
            run().digests,
            "{name}: two seeded runs differ"
        );
        if std::env::var_os("DUET_WRITE_SEEDS").is_some() {
            for (t, bytes) in [(ab, &first.a_to_b), (ba, &first.b_to_a)] {
                if let Some((target, prefix)) = t {
                    let file = name.replace(|c: char| !c.is_ascii_alphanumeric(), "_");
                    let path = root.join(format!("fuzz/corpus/{target}/golden-{file}"));
                    // the fuzzers run with -max_len=4096: keep the stream's start
                    let mut seed = prefix.to_vec();
                    seed.extend_from_slice(&bytes[..bytes.len().min(1 << 16)]);
                    std::fs::write(path, seed).unwrap();
                }
            }
        }
        got.insert(name.to_string(), first.digests);
    }
    let path = root.join("tests/golden/transcripts.txt");
    let text: String = got.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    if std::env::var_os("DUET_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        text, want,
        "a wire format changed (if on purpose: DUET_BLESS=1 cargo test --test \
         golden_transcripts, and commit tests/golden/transcripts.txt)"
    );
}
