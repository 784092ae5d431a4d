//! Two real parties over `duet_net::duplex_pair`: results equal plaintext evaluation, many
//! runs per session, every output policy, handshake mismatches on both sides.
//!
//! Sessions run over the ideal COT (`duet_ot::ideal`, no base OT) except those opened with
//! [`open_real`] (base OT + IKNP end to end).

use duet_circuits::{Bits, Circuit, Gate, eval, library, values};
use duet_gc::{OutputPolicy, Prepared, ProtocolError, Role, SchemeKind, Session, SessionOptions};
use duet_net::{ChannelConfig, duplex_pair};
use duet_ot::ideal::{IdealCot, IdealCotReceiver, IdealCotSender};
use duet_ot::{RandomCotReceiver, RandomCotSender};
use std::time::Duration;

fn cfg() -> ChannelConfig {
    ChannelConfig::default().with_timeout(Duration::from_secs(10))
}

type IdealSession = Session<IdealCotSender, IdealCotReceiver>;

async fn open() -> (IdealSession, IdealSession) {
    open_with(SchemeKind::HalfGates, SchemeKind::HalfGates).await
}

/// A session pair over the ideal COT whose garbler and evaluator use the given schemes.
async fn open_with(gs: SchemeKind, es: SchemeKind) -> (IdealSession, IdealSession) {
    let (a, b) = duplex_pair(&cfg());
    let (mut go, mut eo) = (SessionOptions::default(), SessionOptions::default());
    go.scheme = gs;
    eo.scheme = es;
    let cot = IdealCot::new(duet_core::Block::random(&mut rand::rng()));
    let g = tokio::spawn(IdealSession::garbler_with_cot(a, go, cot.sender()));
    let e = tokio::spawn(IdealSession::evaluator_with_cot(b, eo, cot.receiver()));
    (g.await.unwrap().unwrap(), e.await.unwrap().unwrap())
}

/// A session pair with real base OT and IKNP.
async fn open_real() -> (Session, Session) {
    let (a, b) = duplex_pair(&cfg());
    let g = tokio::spawn(Session::garbler(a, SessionOptions::default()));
    let e = tokio::spawn(Session::evaluator(b, SessionOptions::default()));
    (g.await.unwrap().unwrap(), e.await.unwrap().unwrap())
}

type Both = (
    Result<Vec<Bits>, ProtocolError>,
    Result<Vec<Bits>, ProtocolError>,
);

#[allow(clippy::too_many_arguments)]
/// Run `p` with ownership `garbler_owns(i)`; returns both parties' results.
async fn run_pair<S: RandomCotSender, R: RandomCotReceiver>(
    g: &mut Session<S, R>,
    e: &mut Session<S, R>,
    gp: &Prepared,
    ep: &Prepared,
    gin: Vec<(usize, Bits)>,
    ein: Vec<(usize, Bits)>,
    gpol: OutputPolicy,
    epol: OutputPolicy,
) -> Both {
    tokio::join!(
        g.run_prepared(gp, &gin, gpol),
        e.run_prepared(ep, &ein, epol)
    )
}

type Inputs = Vec<(usize, Bits)>;

fn split(inputs: &[Bits]) -> (Inputs, Inputs) {
    let mut g = Vec::new();
    let mut e = Vec::new();
    for (i, v) in inputs.iter().enumerate() {
        if i % 2 == 0 {
            g.push((i, v.clone()));
        } else {
            e.push((i, v.clone()));
        }
    }
    (g, e)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aes_fips197_all_policies_and_many_runs() {
    let c = library::load("aes_128").unwrap();
    let p = Prepared::new(c);
    let key = values::parse_hex("000102030405060708090a0b0c0d0e0f", 128).unwrap();
    let pt = values::parse_hex("00112233445566778899aabbccddeeff", 128).unwrap();
    let want = "69c4e0d86a7b0430d8cdb78070b4c55a";
    let (mut g, mut e) = open_real().await;
    for pol in [
        OutputPolicy::Both,
        OutputPolicy::Garbler,
        OutputPolicy::Evaluator,
        OutputPolicy::Both,
    ] {
        let (go, eo) = run_pair(
            &mut g,
            &mut e,
            &p,
            &p,
            vec![(0, key.clone())],
            vec![(1, pt.clone())],
            pol,
            pol,
        )
        .await;
        let (go, eo) = (go.unwrap(), eo.unwrap());
        let hex = |o: &Vec<Bits>| o.iter().map(values::to_hex).collect::<Vec<_>>();
        match pol {
            OutputPolicy::Both => {
                assert_eq!(hex(&go), [want]);
                assert_eq!(hex(&eo), [want]);
            }
            OutputPolicy::Garbler => {
                assert_eq!(hex(&go), [want]);
                assert!(eo.is_empty());
            }
            OutputPolicy::Evaluator => {
                assert!(go.is_empty());
                assert_eq!(hex(&eo), [want]);
            }
        }
    }
    let s = g.last_stats();
    assert_eq!(s.and_gates, 6400);
    assert!(s.bytes_sent >= 6400 * 32, "{s:?}");
    assert_eq!(g.runs(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_vectors_match_plaintext() {
    for scheme in SchemeKind::ALL {
        corpus_vectors(scheme).await;
    }
}

async fn corpus_vectors(scheme: SchemeKind) {
    let (mut g, mut e) = open_with(scheme, scheme).await;
    for name in library::names() {
        let c = library::load(name).unwrap();
        let path = format!(
            "{}/../circuits/bristol/vectors/{name}.jsonl",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let p = Prepared::new(c.clone());
        for line in text.lines().take(3) {
            let v: Vec<&str> = line
                .split('"')
                .filter(|s| s.chars().all(|c| c.is_ascii_hexdigit()) && !s.is_empty())
                .collect();
            let n_in = c.inputs().len();
            let inputs: Vec<Bits> = (0..n_in)
                .map(|i| values::parse_hex(v[i], c.inputs()[i]).unwrap())
                .collect();
            let plain = eval::evaluate(&c, &inputs).unwrap();
            let (gi, ei) = split(&inputs);
            let pol = OutputPolicy::Both;
            let (go, eo) = run_pair(&mut g, &mut e, &p, &p, gi, ei, pol, pol).await;
            assert_eq!(go.unwrap(), plain, "{name} garbler {scheme}");
            assert_eq!(eo.unwrap(), plain, "{name} evaluator {scheme}");
            for (j, out) in plain.iter().enumerate() {
                assert_eq!(values::to_hex(out), v[n_in + j], "{name} vector");
            }
        }
    }
}

/// Every gate type, every input combination, both owners.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_gate_types_all_inputs() {
    // inputs a, b (1 bit each); outputs: xor, and, inv a, eq 1, eq 0, eqw b, mand(a&b, a&!b)
    let mut c = Circuit::new(13, vec![1, 1], vec![1; 7]).unwrap();
    c.push(Gate::Inv { a: 1, out: 2 }).unwrap();
    c.push(Gate::Xor { a: 0, b: 1, out: 6 }).unwrap();
    c.push(Gate::And { a: 0, b: 1, out: 7 }).unwrap();
    c.push(Gate::Inv { a: 0, out: 8 }).unwrap();
    c.push(Gate::Eq {
        value: true,
        out: 9,
    })
    .unwrap();
    c.push(Gate::Eq {
        value: false,
        out: 10,
    })
    .unwrap();
    c.push(Gate::Eqw { a: 1, out: 11 }).unwrap();
    c.push_mand(&[0, 0], &[1, 2], &[12, 3]).unwrap();
    let c = c.finish().unwrap();
    let p = Prepared::new(c.clone());
    let (mut g, mut e) = open().await;
    for bits in 0..4u8 {
        let a: Bits = std::iter::once(bits & 1 == 1).collect();
        let b: Bits = std::iter::once(bits & 2 == 2).collect();
        let plain = eval::evaluate(&c, &[a.clone(), b.clone()]).unwrap();
        for (gi, ei) in [
            (vec![(0, a.clone())], vec![(1, b.clone())]),
            (vec![(0, a.clone()), (1, b.clone())], vec![]),
            (vec![], vec![(0, a.clone()), (1, b.clone())]),
        ] {
            let pol = OutputPolicy::Both;
            let (go, eo) = run_pair(&mut g, &mut e, &p, &p, gi, ei, pol, pol).await;
            assert_eq!(go.unwrap(), plain);
            assert_eq!(eo.unwrap(), plain);
        }
    }
}

/// A chain of layers wide enough to need several table frames (pipelined path).
fn layered(width: u32, layers: u32) -> Circuit {
    let n = 2 * width + layers * 2 * width;
    let mut c = Circuit::new(n, vec![width, width], vec![width]).unwrap();
    let mut prev: Vec<u32> = (0..width).collect();
    let other: Vec<u32> = (width..2 * width).collect();
    let mut next = 2 * width;
    for l in 0..layers {
        let mut cur = Vec::new();
        for j in 0..width as usize {
            let a = prev[j];
            let b = if l % 2 == 0 {
                other[j]
            } else {
                prev[(j + 1) % width as usize]
            };
            c.push(Gate::And { a, b, out: next }).unwrap();
            c.push(Gate::Xor {
                a: next,
                b: prev[(j + 3) % width as usize],
                out: next + 1,
            })
            .unwrap();
            cur.push(next + 1);
            next += 2;
        }
        prev = cur;
    }
    c.finish().unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_frame_circuit_pipelined() {
    let c = layered(64, 700); // 44 800 AND gates: two frames
    let p = Prepared::new(c.clone());
    assert!(32 * p.and_gates() > duet_gc::protocol::FRAME_BYTES as u64);
    let a = values::from_u64(0x0123_4567_89ab_cdef, 64).unwrap();
    let b = values::from_u64(0xfedc_ba98_7654_3210, 64).unwrap();
    let plain = eval::evaluate(&c, &[a.clone(), b.clone()]).unwrap();
    let (mut g, mut e) = open().await;
    for pol in [OutputPolicy::Both, OutputPolicy::Evaluator] {
        let (go, eo) = run_pair(
            &mut g,
            &mut e,
            &p,
            &p,
            vec![(0, a.clone())],
            vec![(1, b.clone())],
            pol,
            pol,
        )
        .await;
        assert_eq!(eo.unwrap(), plain);
        if pol == OutputPolicy::Both {
            assert_eq!(go.unwrap(), plain);
        }
    }
}

/// A circuit compiled to a slot-program file (`Prepared::from_file`) runs like the same
/// circuit in memory: both parties streaming, or only one (the digests agree), over many
/// ops chunks and several table frames, and in a batched run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streamed_program_files_run_like_in_memory_circuits() {
    use duet_circuits::{bristol, program_file::ProgramFile};
    let c = layered(64, 700); // 89 600 ops: three chunks of ops, two frames of tables
    let mem = Prepared::new(c.clone());
    let text = bristol::to_string(&c);
    let file = Prepared::from_file(ProgramFile::compile_bristol(text.as_bytes(), None).unwrap());
    assert!(file.is_streamed() && file.circuit().is_none());
    assert_eq!(file.digest(), mem.digest());
    assert_eq!(file.and_gates(), mem.and_gates());
    assert_eq!(file.shape().len, mem.shape().len);
    assert!(file.shape().len > 2 * duet_gc::STREAM_CHUNK_OPS as u64);
    let a = values::from_u64(0x0123_4567_89ab_cdef, 64).unwrap();
    let b = values::from_u64(0xfedc_ba98_7654_3210, 64).unwrap();
    let plain = eval::evaluate(&c, &[a.clone(), b.clone()]).unwrap();
    for scheme in SchemeKind::ALL {
        streamed_runs(scheme, &c, &mem, &file, &a, &b, &plain).await;
    }
}

async fn streamed_runs(
    scheme: SchemeKind,
    c: &Circuit,
    mem: &Prepared,
    file: &Prepared,
    a: &Bits,
    b: &Bits,
    plain: &[Bits],
) {
    let (mut g, mut e) = open_with(scheme, scheme).await;
    for (gp, ep) in [(file, file), (file, mem), (mem, file)] {
        let (go, eo) = run_pair(
            &mut g,
            &mut e,
            gp,
            ep,
            vec![(0, a.clone())],
            vec![(1, b.clone())],
            OutputPolicy::Both,
            OutputPolicy::Both,
        )
        .await;
        assert_eq!(go.unwrap(), plain, "{scheme}");
        assert_eq!(eo.unwrap(), plain, "{scheme}");
    }
    let xs: Vec<Inputs> = (0..3u64)
        .map(|i| vec![(0, values::from_u64(i * 0x1111, 64).unwrap())])
        .collect();
    let ys: Vec<Inputs> = (0..3u64)
        .map(|i| vec![(1, values::from_u64(!i, 64).unwrap())])
        .collect();
    let (go, eo) = tokio::join!(
        g.run_many(file, &xs, OutputPolicy::Both),
        e.run_many(file, &ys, OutputPolicy::Both)
    );
    let (go, eo) = (go.unwrap(), eo.unwrap());
    for i in 0..3 {
        let want = eval::evaluate(c, &[xs[i][0].1.clone(), ys[i][0].1.clone()]).unwrap();
        assert_eq!(go[i], want, "instance {i}");
        assert_eq!(eo[i], want, "instance {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_mismatches_fail_both_sides_and_session_survives() {
    let aes = Prepared::new(library::load("aes_128").unwrap());
    let add = Prepared::new(library::load("adder64").unwrap());
    let (mut g, mut e) = open().await;
    let k = values::from_u64(5, 64).unwrap();
    let both = OutputPolicy::Both;
    // different circuits
    let (go, eo) = run_pair(&mut g, &mut e, &aes, &add, vec![], vec![], both, both).await;
    let want = format!(
        "circuit mismatch: garbler has {}, evaluator has {}",
        aes.digest().short(),
        add.digest().short()
    );
    for r in [go, eo] {
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains(&want), "{msg}");
    }
    // input claimed by both / by neither
    let (go, eo) = run_pair(
        &mut g,
        &mut e,
        &add,
        &add,
        vec![(0, k.clone())],
        vec![(0, k.clone())],
        both,
        both,
    )
    .await;
    for r in [go, eo] {
        let msg = r.unwrap_err().to_string();
        assert!(msg.contains("input 0 claimed by both parties"), "{msg}");
        assert!(msg.contains("input 1 claimed by neither party"), "{msg}");
    }
    // policy mismatch
    let (go, eo) = run_pair(
        &mut g,
        &mut e,
        &add,
        &add,
        vec![(0, k.clone())],
        vec![(1, k.clone())],
        both,
        OutputPolicy::Evaluator,
    )
    .await;
    for r in [go, eo] {
        assert!(
            r.unwrap_err()
                .to_string()
                .contains("output policy mismatch")
        );
    }
    // a local usage error: the other side learns why
    let (go, eo) = run_pair(
        &mut g,
        &mut e,
        &add,
        &add,
        vec![(0, values::from_u64(5, 8).unwrap())],
        vec![(1, k.clone())],
        both,
        both,
    )
    .await;
    assert!(matches!(go, Err(ProtocolError::Usage(ref m)) if m.contains("input 0 has 8 bits")));
    assert!(
        matches!(eo, Err(ProtocolError::PeerAborted(ref m)) if m.contains("input 0 has 8 bits"))
    );
    // the session still works
    let (go, eo) = run_pair(
        &mut g,
        &mut e,
        &add,
        &add,
        vec![(0, k.clone())],
        vec![(1, values::from_u64(7, 64).unwrap())],
        both,
        both,
    )
    .await;
    assert_eq!(values::to_u64(&go.unwrap()[0]), Some(12));
    assert_eq!(values::to_u64(&eo.unwrap()[0]), Some(12));
}

/// Batched runs: every instance equals plaintext evaluation (random keys and blocks, enough
/// AES instances that the table stream spans several frames and frames span instances),
/// under every output policy, then the session goes on with single runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_many_matches_plaintext_per_instance() {
    use rand::RngExt;
    let c = library::load("aes_128").unwrap();
    let p = Prepared::new(c.clone());
    let (mut g, mut e) = open().await;
    let mut rng = rand::rng();
    for (k, pol) in [
        (23usize, OutputPolicy::Both),
        (7, OutputPolicy::Evaluator),
        (5, OutputPolicy::Garbler),
        (1, OutputPolicy::Both),
    ] {
        let keys: Vec<Bits> = (0..k)
            .map(|_| (0..128).map(|_| rng.random::<bool>()).collect())
            .collect();
        let blocks: Vec<Bits> = (0..k)
            .map(|_| (0..128).map(|_| rng.random::<bool>()).collect())
            .collect();
        let gin: Vec<Inputs> = keys.iter().map(|x| vec![(0, x.clone())]).collect();
        let ein: Vec<Inputs> = blocks.iter().map(|x| vec![(1, x.clone())]).collect();
        let (go, eo) = tokio::join!(g.run_many(&p, &gin, pol), e.run_many(&p, &ein, pol));
        let (go, eo) = (go.unwrap(), eo.unwrap());
        assert_eq!((go.len(), eo.len()), (k, k));
        for i in 0..k {
            let plain = eval::evaluate(&c, &[keys[i].clone(), blocks[i].clone()]).unwrap();
            let (gw, ew) = (
                pol.reveals_to(Role::Garbler),
                pol.reveals_to(Role::Evaluator),
            );
            assert_eq!(
                go[i],
                if gw { plain.clone() } else { vec![] },
                "instance {i}"
            );
            assert_eq!(eo[i], if ew { plain } else { vec![] }, "instance {i}");
        }
        assert_eq!(g.last_stats().and_gates, k as u64 * p.and_gates());
    }
    let (go, eo) = run_pair(
        &mut g,
        &mut e,
        &p,
        &p,
        vec![(0, (0..128).map(|i| i % 3 == 0).collect())],
        vec![(1, (0..128).map(|i| i % 5 == 0).collect())],
        OutputPolicy::Both,
        OutputPolicy::Both,
    )
    .await;
    assert_eq!(go.unwrap(), eo.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_many_rejects_count_mismatch_and_uneven_instances() {
    let add = Prepared::new(library::load("adder64").unwrap());
    let (mut g, mut e) = open().await;
    let v = |x| values::from_u64(x, 64).unwrap();
    let both = OutputPolicy::Both;
    let gin: Vec<Inputs> = (0..3).map(|i| vec![(0, v(i))]).collect();
    let ein: Vec<Inputs> = (0..4).map(|i| vec![(1, v(i))]).collect();
    let (go, eo) = tokio::join!(g.run_many(&add, &gin, both), e.run_many(&add, &ein, both));
    for r in [go, eo] {
        let msg = r.unwrap_err().to_string();
        assert!(
            msg.contains("instance count mismatch: garbler runs 3 instances, evaluator 4"),
            "{msg}"
        );
    }
    // instance 1 gives another input index than instance 0: a local usage error
    let uneven = vec![vec![(0, v(1))], vec![(1, v(2))]];
    let ein: Vec<Inputs> = (0..2).map(|i| vec![(1, v(i))]).collect();
    let (go, eo) = tokio::join!(
        g.run_many(&add, &uneven, both),
        e.run_many(&add, &ein, both)
    );
    assert!(
        matches!(go, Err(ProtocolError::Usage(ref m)) if m.contains("instance 1 gives other input indices")),
        "{go:?}"
    );
    assert!(matches!(eo, Err(ProtocolError::PeerAborted(_))), "{eo:?}");
    // an empty batch is refused locally and reported to the peer
    let (go, eo) = tokio::join!(g.run_many(&add, &[], both), e.run_many(&add, &ein, both));
    assert!(matches!(go, Err(ProtocolError::Usage(ref m)) if m.contains("at least one instance")));
    assert!(matches!(eo, Err(ProtocolError::PeerAborted(_))));
    // and the session still works, batched
    let gin: Vec<Inputs> = (0..2).map(|i| vec![(0, v(10 + i))]).collect();
    let (go, eo) = tokio::join!(g.run_many(&add, &gin, both), e.run_many(&add, &ein, both));
    let sums: Vec<u64> = go
        .unwrap()
        .iter()
        .map(|o| values::to_u64(&o[0]).unwrap())
        .collect();
    assert_eq!(sums, vec![10, 12]);
    assert_eq!(eo.unwrap().len(), 2);
}

/// A garbler and an evaluator with different schemes: both fail the run's handshake with
/// the same message naming both schemes, before any secret is used.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheme_mismatch_fails_both_sides() {
    let add = Prepared::new(library::load("adder64").unwrap());
    let (x, y) = (
        values::from_u64(5, 64).unwrap(),
        values::from_u64(7, 64).unwrap(),
    );
    for (gs, es) in [
        (SchemeKind::HalfGates, SchemeKind::ThreeHalves),
        (SchemeKind::ThreeHalves, SchemeKind::HalfGates),
    ] {
        let (mut g, mut e) = open_with(gs, es).await;
        let both = OutputPolicy::Both;
        let (go, eo) = run_pair(
            &mut g,
            &mut e,
            &add,
            &add,
            vec![(0, x.clone())],
            vec![(1, y.clone())],
            both,
            both,
        )
        .await;
        let want = format!("garbling scheme mismatch: garbler uses {gs}, evaluator uses {es}");
        for r in [go, eo] {
            match r {
                Err(ProtocolError::Handshake(m)) => assert!(m.contains(&want), "{m}"),
                other => panic!("expected a handshake error, got {other:?}"),
            }
        }
    }
}
