//! The runner: every corpus circuit with its vectors, two real parties over an in-memory
//! duplex (and a few over TCP on 127.0.0.1); random circuits against the plaintext
//! evaluator; handshake mismatches.

mod common;

use duet_hybrid::{
    ArithCircuit, ArithGate, Engine, Error, Op, Reveal, Ring, Role, RunOutput, run, run_with,
};
use duet_net::{Channel, ChannelConfig, duplex_pair};
use duet_ot::ideal::{IdealCot, IdealCotReceiver, IdealCotSender};
use proptest::prelude::*;
use std::sync::Arc;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Run both parties; `owner[i]` says who gives input `i`.
async fn two_party(
    (mut cg, mut ce): (Channel, Channel),
    c: Arc<ArithCircuit>,
    ring: Ring,
    inputs: &[u64],
    owner: &[Role],
) -> (Result<RunOutput, Error>, Result<RunOutput, Error>) {
    let pick = |r: Role| -> Vec<(usize, u64)> {
        inputs
            .iter()
            .enumerate()
            .filter(|(i, _)| owner[*i] == r)
            .map(|(i, &v)| (i, v))
            .collect()
    };
    let (gi, ei) = (pick(Role::Garbler), pick(Role::Evaluator));
    let reveal = vec![Reveal::BOTH; c.outputs().len()];
    let (c2, r2) = (c.clone(), reveal.clone());
    let g = tokio::spawn(async move { run(&mut cg, &c2, Role::Garbler, ring, &gi, &r2).await });
    let e =
        tokio::spawn(async move { run(&mut ce, &c, Role::Evaluator, ring, &ei, &reveal).await });
    (g.await.unwrap(), e.await.unwrap())
}

fn check(
    c: &ArithCircuit,
    ring: Ring,
    inputs: &[u64],
    owner: &[Role],
    res: (Result<RunOutput, Error>, Result<RunOutput, Error>),
    what: &str,
) {
    let want = c.evaluate(ring, inputs).unwrap();
    let (g, e) = (
        res.0.unwrap_or_else(|e| panic!("{what}: {e}")),
        res.1.unwrap_or_else(|e| panic!("{what}: {e}")),
    );
    let got_g: Vec<u64> = g.outputs.iter().map(|o| o.unwrap()).collect();
    let got_e: Vec<u64> = e.outputs.iter().map(|o| o.unwrap()).collect();
    assert_eq!(got_g, want, "{what} garbler, owners {owner:?}");
    assert_eq!(got_e, want, "{what} evaluator");
}

/// Many runs of `c` over one connection and one engine per party (COTs from the ideal
/// functionality; [`run`]'s tests set up real base OT + IKNP).
async fn two_party_many(
    (mut cg, mut ce): (Channel, Channel),
    c: Arc<ArithCircuit>,
    ring: Ring,
    jobs: Vec<(Vec<u64>, Vec<Role>)>,
) -> Vec<(RunOutput, RunOutput)> {
    let pick = |x: &[u64], owner: &[Role], r: Role| -> Vec<(usize, u64)> {
        x.iter()
            .enumerate()
            .filter(|(i, _)| owner[*i] == r)
            .map(|(i, &v)| (i, v))
            .collect()
    };
    let gj: Vec<_> = jobs
        .iter()
        .map(|(x, o)| pick(x, o, Role::Garbler))
        .collect();
    let ej: Vec<_> = jobs
        .iter()
        .map(|(x, o)| pick(x, o, Role::Evaluator))
        .collect();
    let reveal = vec![Reveal::BOTH; c.outputs().len()];
    let (c2, r2) = (c.clone(), reveal.clone());
    let cot = IdealCot::new(duet_core::Block::random(&mut rand::rng()));
    let (cs, cr) = (cot.sender(), cot.receiver());
    let g = tokio::spawn(async move {
        let mut eng = Engine::<_, IdealCotReceiver>::garbler_with_cot(ring, cs)?;
        let mut v = Vec::new();
        for j in gj {
            v.push(run_with(&mut cg, &mut eng, &c2, &j, &r2).await?);
        }
        Ok::<_, Error>(v)
    });
    let e = tokio::spawn(async move {
        let mut eng = Engine::<IdealCotSender, _>::evaluator_with_cot(ring, cr)?;
        let mut v = Vec::new();
        for j in ej {
            v.push(run_with(&mut ce, &mut eng, &c, &j, &reveal).await?);
        }
        Ok::<_, Error>(v)
    });
    let (g, e) = (g.await.unwrap().unwrap(), e.await.unwrap().unwrap());
    g.into_iter().zip(e).collect()
}

#[test]
fn corpus_two_party_duplex() {
    let rt = rt();
    let mut runs = 0;
    for (name, dir) in common::corpus() {
        let vecs = common::vectors(&dir);
        if vecs.iter().any(|v| v.outputs.is_none()) {
            continue;
        }
        let c = Arc::new(ArithCircuit::load(&dir).unwrap());
        let ring = vecs[0].ring;
        let mut jobs = Vec::new();
        for (k, v) in vecs.iter().enumerate() {
            assert_eq!(v.ring, ring);
            let x = common::input_values(&c, v.ring, &v.inputs);
            let want = common::expected(&c, v.ring, v.outputs.as_ref().unwrap());
            // vary the input split: alternate, all garbler, all evaluator
            let owner: Vec<Role> = (0..x.len())
                .map(|i| match k % 3 {
                    0 => {
                        if i % 2 == 0 {
                            Role::Garbler
                        } else {
                            Role::Evaluator
                        }
                    }
                    1 => {
                        if i == 0 {
                            Role::Evaluator
                        } else {
                            Role::Garbler
                        }
                    }
                    _ => {
                        if i == 0 {
                            Role::Garbler
                        } else {
                            Role::Evaluator
                        }
                    }
                })
                .collect();
            assert_eq!(c.evaluate(v.ring, &x).unwrap(), want);
            jobs.push((x, owner));
        }
        let res = rt.block_on(two_party_many(
            duplex_pair(&ChannelConfig::default()),
            c.clone(),
            ring,
            jobs.clone(),
        ));
        for (k, ((x, owner), (g, e))) in jobs.iter().zip(res).enumerate() {
            check(&c, ring, x, owner, (Ok(g), Ok(e)), &format!("{name} #{k}"));
            runs += 1;
        }
    }
    assert!(runs > 250);
}

async fn tcp_pair() -> (Channel, Channel) {
    let cfg = ChannelConfig::default();
    let wait = std::time::Duration::from_secs(10);
    let listener = duet_net::tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c2 = cfg.clone();
    let acc =
        tokio::spawn(async move { duet_net::tcp::accept(&listener, &c2, wait).await.unwrap() });
    let client = duet_net::tcp::connect(&addr, &cfg, wait).await.unwrap();
    (acc.await.unwrap(), client)
}

#[test]
fn some_corpus_circuits_over_tcp() {
    let rt = rt();
    for name in ["millionaires", "ml_ReLU", "op_compare", "ml_Dense"] {
        let dir = common::corpus_dir().join(name);
        let c = Arc::new(ArithCircuit::load(&dir).unwrap());
        for v in common::vectors(&dir).iter().take(3) {
            let x = common::input_values(&c, v.ring, &v.inputs);
            let owner: Vec<Role> = (0..x.len())
                .map(|i| {
                    if i % 2 == 0 {
                        Role::Garbler
                    } else {
                        Role::Evaluator
                    }
                })
                .collect();
            let res = rt.block_on(async {
                two_party(tcp_pair().await, c.clone(), v.ring, &x, &owner).await
            });
            check(&c, v.ring, &x, &owner, res, name);
        }
    }
}

#[test]
fn handshake_rejects_mismatches() {
    let rt = rt();
    let dir = common::corpus_dir();
    let a = ArithCircuit::load(dir.join("millionaires")).unwrap();
    let b = ArithCircuit::load(dir.join("int_sum")).unwrap();
    let r64 = Ring::default();
    let r32 = Ring::new(32).unwrap();
    let both = |c: &ArithCircuit| vec![Reveal::BOTH; c.outputs().len()];
    rt.block_on(async {
        // different circuits
        let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
        let (ra, rb) = (both(&a), both(&b));
        let (g, e) = tokio::join!(
            run(&mut cg, &a, Role::Garbler, r64, &[(0, 1)], &ra),
            run(&mut ce, &b, Role::Evaluator, r64, &[(1, 1)], &rb)
        );
        assert!(matches!(g, Err(Error::Mismatch(_))), "{g:?}");
        assert!(matches!(e, Err(Error::Mismatch(_))), "{e:?}");
        // different ell
        let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
        let (g, e) = tokio::join!(
            run(&mut cg, &a, Role::Garbler, r64, &[(0, 1)], &ra),
            run(&mut ce, &a, Role::Evaluator, r32, &[(1, 1)], &ra)
        );
        assert!(g.unwrap_err().to_string().contains("ell"));
        assert!(e.unwrap_err().to_string().contains("ell"));
        // an input given by both, one by neither
        let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
        let (g, e) = tokio::join!(
            run(&mut cg, &a, Role::Garbler, r64, &[(0, 1)], &ra),
            run(&mut ce, &a, Role::Evaluator, r64, &[(0, 1)], &ra)
        );
        let (g, e) = (g.unwrap_err().to_string(), e.unwrap_err().to_string());
        assert!(g.contains("both parties") && g.contains("0.alice"), "{g}");
        assert!(e.contains("both parties"), "{e}");
    });
}

/// A random circuit over all ops: `n_in` inputs, a few constants, `n_gates` gates reading
/// earlier values; outputs: the last few values.
fn random_circuit(seed: u64, n_in: usize, n_gates: usize) -> ArithCircuit {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let consts = vec![0, 1, 3, next() % 70, u64::MAX];
    let mut gates = Vec::new();
    for g in 0..n_gates {
        let avail = (n_in + consts.len() + g) as u64;
        // keep Pow with a secret exponent rare (it is ~10^5 ANDs)
        let mut op = Op::ALL[(next() % Op::ALL.len() as u64) as usize];
        if op == Op::Pow && next() % 4 != 0 {
            op = Op::Mul;
        }
        let a = (next() % avail) as u32;
        let b = if op == Op::Pow {
            (n_in + 3) as u32
        } else {
            (next() % avail) as u32
        };
        gates.push(ArithGate {
            op,
            a,
            b: if op.arity() == 1 { a } else { b },
        });
    }
    let total = (n_in + consts.len() + n_gates) as u32;
    let outs: Vec<u32> = (total.saturating_sub(4)..total).collect();
    ArithCircuit::from_parts(n_in, consts, gates, &outs).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]
    #[test]
    fn random_circuits_two_party_equals_plaintext(
        seed in any::<u64>(),
        ell_i in 0usize..4,
        xs in proptest::collection::vec(any::<u64>(), 4),
        split in any::<u8>(),
    ) {
        let ring = Ring::new([8, 16, 32, 64][ell_i]).unwrap();
        let c = Arc::new(random_circuit(seed, 4, 14));
        let x: Vec<u64> = xs.iter().map(|&v| ring.reduce(v)).collect();
        let owner: Vec<Role> = (0..4).map(|i| if (split >> i) & 1 == 1 { Role::Garbler } else { Role::Evaluator }).collect();
        let res = rt().block_on(two_party(duplex_pair(&ChannelConfig::default()), c.clone(), ring, &x, &owner));
        check(&c, ring, &x, &owner, res, "random");
    }
}
