//! The planner: pure plans of known circuits (a chain of comparisons is one garbled region,
//! a dot product stays on shares, a slower link moves products into garbling), and the
//! executor: the whole corpus under every strategy gives the plaintext answers, over an
//! in-memory duplex (ideal COT) and over TCP (base OT + IKNP); an ArgMax over 128 shared
//! values in a constant number of rounds.

mod common;

use duet_gc::SchemeKind;
use duet_hybrid::{
    ArithCircuit, ArithGate, CostModel, CotSource, Domain, Engine, Error, LOOPBACK, Op, Plan,
    Reveal, Ring, Role, RunOptions, RunOutput, Strategy, plan, run_options, run_with_options,
};
use duet_net::{Channel, ChannelConfig, Link, duplex_pair};
use duet_ot::ideal::{IdealCot, IdealCotReceiver, IdealCotSender};
use std::sync::Arc;
use std::time::Duration;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[allow(non_snake_case)]
fn RING() -> Ring {
    Ring::new(64).unwrap()
}

fn wan() -> Link {
    Link::new(100_000_000, Duration::from_millis(80))
}

fn fast() -> Link {
    Link::new(10_000_000_000, Duration::ZERO)
}

fn g(op: Op, a: u32, b: u32) -> ArithGate {
    ArithGate { op, a, b }
}

/// ArgMax over `n` values, circom's Switcher structure (`max' = (x − max)·gt + max`, the
/// index the same way); with `shared`, value `i` is `a_i + b_i` (inputs `2i` and `2i + 1`,
/// the garbler owning the even ones). Outputs the index.
fn argmax(n: usize, shared: bool) -> ArithCircuit {
    let n_in = if shared { 2 * n } else { n };
    let consts: Vec<u64> = (0..n as u64).collect();
    let k = |i: usize| (n_in + i) as u32;
    let mut gates = Vec::new();
    let mut next = (n_in + n) as u32;
    let mut push = |gates: &mut Vec<ArithGate>, gt: ArithGate| {
        gates.push(gt);
        next += 1;
        next - 1
    };
    let xs: Vec<u32> = (0..n)
        .map(|i| {
            if shared {
                push(&mut gates, g(Op::Add, 2 * i as u32, 2 * i as u32 + 1))
            } else {
                i as u32
            }
        })
        .collect();
    let (mut max, mut amax) = (xs[0], k(0));
    for (i, &x) in xs.iter().enumerate().skip(1) {
        let gt = push(&mut gates, g(Op::Gt, x, max));
        let d = push(&mut gates, g(Op::Sub, x, max));
        let aux = push(&mut gates, g(Op::Mul, d, gt));
        max = push(&mut gates, g(Op::Add, aux, max));
        let di = push(&mut gates, g(Op::Sub, k(i), amax));
        let auxi = push(&mut gates, g(Op::Mul, di, gt));
        amax = push(&mut gates, g(Op::Add, auxi, amax));
    }
    ArithCircuit::from_parts(n_in, consts, gates, &[amax]).unwrap()
}

/// `Σ x_i · y_i`, the garbler owning the `x`s (inputs `0..n`), the evaluator the `y`s.
fn dot(n: usize) -> ArithCircuit {
    let mut gates = Vec::new();
    for i in 0..n {
        gates.push(g(Op::Mul, i as u32, (n + i) as u32));
    }
    let mut acc = (2 * n) as u32;
    for i in 1..n {
        gates.push(g(Op::Add, acc, (2 * n + i) as u32));
        acc = (2 * n + gates.len() - 1) as u32;
    }
    ArithCircuit::from_parts(2 * n, vec![], gates, &[acc]).unwrap()
}

/// `c = a < b`, then three full products in a chain: `((c + x)·z)·u·t`. Inputs a, x, u
/// garbler's; b, z, t evaluator's.
fn compare_then_products() -> ArithCircuit {
    let (a, b, x, z, u, t) = (0, 1, 2, 3, 4, 5);
    let gates = vec![
        g(Op::Lt, a, b),
        g(Op::Add, 6, x),
        g(Op::Mul, 7, z),
        g(Op::Mul, 8, u),
        g(Op::Mul, 9, t),
    ];
    ArithCircuit::from_parts(6, vec![], gates, &[10]).unwrap()
}

fn alternate(n: usize) -> Vec<Role> {
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                Role::Garbler
            } else {
                Role::Evaluator
            }
        })
        .collect()
}

fn plan_for(c: &ArithCircuit, owners: &[Role], link: Link, s: Strategy) -> Plan {
    plan(
        c,
        RING(),
        owners,
        link,
        CostModel::for_scheme(SchemeKind::HalfGates),
        s,
    )
    .unwrap()
}

fn domains_of(c: &ArithCircuit, p: &Plan, op: Op) -> Vec<Domain> {
    c.gates()
        .iter()
        .zip(&p.domain)
        .filter(|(g, _)| g.op == op)
        .map(|(_, &d)| d)
        .collect()
}

#[test]
fn comparison_chain_is_one_garbled_region() {
    let c = argmax(32, true);
    let owners = alternate(64);
    for link in [LOOPBACK, wan()] {
        let p = plan_for(&c, &owners, link, Strategy::Auto);
        assert_eq!(p.regions.len(), 1, "{p}");
        let r = &p.regions[0];
        assert_eq!(r.ops[&Op::Gt], 31);
        assert_eq!(r.layers, (1, 1), "the whole chain in one flight");
        assert_eq!(p.layers, 1);
        assert_eq!(p.estimate.rounds, 3, "setup, one layer, opening");
        assert_eq!(r.y2a, 1, "only the output leaves the region");
        // each shared value converted once (as a sum, or as its two input words)
        assert!(r.a2y == 32 || r.a2y == 64, "{p}");
        assert!(
            domains_of(&c, &p, Op::Mul)
                .iter()
                .all(|&d| d == Domain::Garbled || d == Domain::Dead)
        );
        // the chosen plan is no worse than any candidate weighed
        assert!(p.alternatives.len() >= 4);
        for (name, e) in &p.alternatives {
            assert!(p.estimate.seconds <= e.seconds, "{name}: {p}");
        }
    }
    // the shares-only plan pays two rounds per element
    let p = plan_for(&c, &owners, LOOPBACK, Strategy::Shares);
    assert_eq!(p.layers, 2 * 31);
    assert_eq!(p.regions.len(), 31);
}

#[test]
fn dot_product_stays_on_shares() {
    let c = dot(16);
    let owners: Vec<Role> = (0..32)
        .map(|i| {
            if i < 16 {
                Role::Garbler
            } else {
                Role::Evaluator
            }
        })
        .collect();
    for link in [LOOPBACK, wan(), fast()] {
        let p = plan_for(&c, &owners, link, Strategy::Auto);
        assert!(
            domains_of(&c, &p, Op::Mul)
                .iter()
                .all(|&d| d == Domain::Shares)
        );
        assert!(
            domains_of(&c, &p, Op::Add)
                .iter()
                .all(|&d| d == Domain::Local)
        );
        assert!(p.regions.is_empty());
        assert_eq!(p.layers, 1);
        assert_eq!(p.estimate.multiplications, 16);
    }
    // the garbled extreme garbles every product, at a far higher estimate
    let gp = plan_for(&c, &owners, LOOPBACK, Strategy::Garbled);
    assert!(
        domains_of(&c, &gp, Op::Mul)
            .iter()
            .all(|&d| d == Domain::Garbled)
    );
    let sp = plan_for(&c, &owners, LOOPBACK, Strategy::Auto);
    assert!(gp.estimate.bytes > 20 * sp.estimate.bytes);
}

#[test]
fn a_changed_link_changes_the_plan() {
    let c = compare_then_products();
    let owners = vec![
        Role::Garbler,
        Role::Evaluator,
        Role::Garbler,
        Role::Evaluator,
        Role::Garbler,
        Role::Evaluator,
    ];
    // fast link: rounds cost nothing, a garbled 64-bit product ~128 KB: products on shares
    let p = plan_for(&c, &owners, fast(), Strategy::Auto);
    assert_eq!(domains_of(&c, &p, Op::Mul), vec![Domain::Shares; 3], "{p}");
    assert_eq!(p.layers, 4);
    // 100 Mbit/s, 80 ms: three rounds cost 240 ms, 400 KB of tables 32 ms: garbled
    let q = plan_for(&c, &owners, wan(), Strategy::Auto);
    assert_eq!(domains_of(&c, &q, Op::Mul), vec![Domain::Garbled; 3], "{q}");
    assert_eq!(q.layers, 1);
    assert_eq!(q.regions.len(), 1);
    // and each is the cheaper under its own link
    let cost = |p: &Plan, link: Link| plan_for(&c, &owners, link, p.strategy).estimate;
    assert!(q.estimate.seconds < p.estimate.rounds as f64 * 0.08);
    assert!(cost(&p, fast()).seconds <= q.estimate.seconds);
}

#[test]
fn plans_are_deterministic_and_explained() {
    let c = argmax(8, false);
    let owners = alternate(8);
    let a = plan_for(&c, &owners, wan(), Strategy::Auto);
    let b = plan_for(&c, &owners, wan(), Strategy::Auto);
    assert_eq!(a.domain, b.domain);
    assert_eq!(a.layer, b.layer);
    let text = a.to_string();
    assert!(text.contains("region 1: layers 1–1"), "{text}");
    assert!(text.contains("estimate:"), "{text}");
    assert!(text.contains("candidate shares"), "{text}");
    assert!(
        plan(
            &c,
            RING(),
            &owners[..3],
            wan(),
            CostModel::for_scheme(SchemeKind::HalfGates),
            Strategy::Auto
        )
        .is_err()
    );
    assert_eq!("garbled".parse::<Strategy>().unwrap(), Strategy::Garbled);
    assert!("all".parse::<Strategy>().is_err());
}

/// Both parties over one connection, engines on the ideal COT, one run per job.
async fn many(
    (mut cg, mut ce): (Channel, Channel),
    c: Arc<ArithCircuit>,
    ring: Ring,
    strategy: Strategy,
    link: Link,
    jobs: Vec<(Vec<u64>, Vec<Role>)>,
) -> Result<Vec<(RunOutput, RunOutput)>, Error> {
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
            v.push(run_with_options(&mut cg, &mut eng, &c2, strategy, link, &j, &r2).await?);
        }
        Ok::<_, Error>(v)
    });
    let e = tokio::spawn(async move {
        let mut eng = Engine::<IdealCotSender, _>::evaluator_with_cot(ring, cr)?;
        let mut v = Vec::new();
        for j in ej {
            v.push(run_with_options(&mut ce, &mut eng, &c, strategy, link, &j, &reveal).await?);
        }
        Ok::<_, Error>(v)
    });
    let (g, e) = (g.await.unwrap()?, e.await.unwrap()?);
    Ok(g.into_iter().zip(e).collect())
}

/// Every corpus circuit, its first vectors, under every strategy (and `auto` for two
/// links), input owners alternating.
#[test]
fn corpus_under_every_strategy() {
    let rt = rt();
    let settings = [
        (Strategy::Auto, LOOPBACK),
        (Strategy::Auto, wan()),
        (Strategy::Shares, LOOPBACK),
        (Strategy::Garbled, LOOPBACK),
    ];
    let mut runs = 0;
    for (name, dir) in common::corpus() {
        let vecs = common::vectors(&dir);
        if vecs.iter().any(|v| v.outputs.is_none()) {
            continue;
        }
        let c = Arc::new(ArithCircuit::load(&dir).unwrap());
        let ring = vecs[0].ring;
        let jobs: Vec<(Vec<u64>, Vec<Role>)> = vecs
            .iter()
            .take(4)
            .enumerate()
            .map(|(k, v)| {
                let x = common::input_values(&c, ring, &v.inputs);
                let owner = (0..x.len())
                    .map(|i| {
                        if (i + k) % 2 == 0 {
                            Role::Garbler
                        } else {
                            Role::Evaluator
                        }
                    })
                    .collect();
                (x, owner)
            })
            .collect();
        for (strategy, link) in settings {
            let res = rt
                .block_on(many(
                    duplex_pair(&ChannelConfig::default()),
                    c.clone(),
                    ring,
                    strategy,
                    link,
                    jobs.clone(),
                ))
                .unwrap_or_else(|e| panic!("{name} {strategy}: {e}"));
            for ((x, _), (gr, er)) in jobs.iter().zip(res) {
                let want: Vec<Option<u64>> =
                    c.evaluate(ring, x).unwrap().into_iter().map(Some).collect();
                assert_eq!(gr.outputs, want, "{name} {strategy} {link}");
                assert_eq!(er.outputs, want, "{name} {strategy} {link}");
                assert_eq!(gr.plan.domain, er.plan.domain, "{name}: the same plan");
                // (the engine's COT setup round is not this run's)
                assert_eq!(
                    gr.stats.engine.rounds + 1,
                    gr.plan.estimate.rounds,
                    "{name} {strategy}: the model's rounds are the run's"
                );
                runs += 1;
            }
        }
    }
    assert!(runs > 100);
}

/// ArgMax over 128 shared values: the plaintext answer, in at most 12 rounds (3: COT
/// setup, one layer, opening), where the shares-only plan takes two per element.
#[test]
fn argmax128_in_a_constant_number_of_rounds() {
    let rt = rt();
    let c = Arc::new(argmax(128, true));
    let mut x: Vec<u64> = (0..256u64)
        .map(|i| RING().reduce(i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 20))
        .collect();
    x[2 * 77] = 1 << 50; // the maximum, at 77
    let owners = alternate(256);
    let want = c.evaluate(RING(), &x).unwrap();
    assert_eq!(want, vec![77]);
    let (g, e) = rt.block_on(async {
        let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
        let pick = |r: Role| -> Vec<(usize, u64)> {
            (0..x.len())
                .filter(|&i| owners[i] == r)
                .map(|i| (i, x[i]))
                .collect()
        };
        let (gi, ei) = (pick(Role::Garbler), pick(Role::Evaluator));
        let (c1, c2) = (c.clone(), c.clone());
        let opts = RunOptions::default();
        let g = tokio::spawn(async move {
            run_options(
                &mut cg,
                &c1,
                Role::Garbler,
                RING(),
                &opts,
                &gi,
                &[Reveal::BOTH],
            )
            .await
        });
        let e = tokio::spawn(async move {
            run_options(
                &mut ce,
                &c2,
                Role::Evaluator,
                RING(),
                &opts,
                &ei,
                &[Reveal::BOTH],
            )
            .await
        });
        (g.await.unwrap().unwrap(), e.await.unwrap().unwrap())
    });
    assert_eq!(g.outputs, vec![Some(77)]);
    assert_eq!(e.outputs, vec![Some(77)]);
    assert!(g.stats.engine.rounds <= 12, "{}", g.stats.engine.rounds);
    assert_eq!(g.stats.engine.rounds, 3);
    let shares = plan_for(&c, &owners, LOOPBACK, Strategy::Shares);
    assert_eq!(shares.estimate.rounds, 2 + 2 * 127);
}

async fn tcp_pair() -> (Channel, Channel) {
    let cfg = ChannelConfig::default();
    let wait = Duration::from_secs(10);
    let listener = duet_net::tcp::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let c2 = cfg.clone();
    let acc =
        tokio::spawn(async move { duet_net::tcp::accept(&listener, &c2, wait).await.unwrap() });
    let client = duet_net::tcp::connect(&addr, &cfg, wait).await.unwrap();
    (acc.await.unwrap(), client)
}

/// Over TCP with base OT + IKNP: the planned, shares-only and garbled-only runs agree with
/// the plaintext; parties planning differently are refused on both sides.
#[test]
fn strategies_over_tcp() {
    let rt = rt();
    for name in [
        "ml_ArgMax16",
        "ml_ReLU",
        "ml_MaxPooling2D",
        "op_compare",
        "ml_Dense",
    ] {
        let dir = common::corpus_dir().join(name);
        let c = Arc::new(ArithCircuit::load(&dir).unwrap());
        let v = &common::vectors(&dir)[1];
        let x = common::input_values(&c, v.ring, &v.inputs);
        let owner = alternate(x.len());
        let want: Vec<Option<u64>> = c
            .evaluate(v.ring, &x)
            .unwrap()
            .into_iter()
            .map(Some)
            .collect();
        for strategy in [Strategy::Auto, Strategy::Shares, Strategy::Garbled] {
            let opts = RunOptions {
                strategy,
                ..RunOptions::default()
            };
            let (g, e) = rt.block_on(tcp_run(c.clone(), v.ring, &x, &owner, opts, opts));
            assert_eq!(g.unwrap().outputs, want, "{name} {strategy}");
            assert_eq!(e.unwrap().outputs, want, "{name} {strategy}");
        }
    }
    let dir = common::corpus_dir().join("millionaires");
    let c = Arc::new(ArithCircuit::load(&dir).unwrap());
    let auto = RunOptions::default();
    let garbled = RunOptions {
        strategy: Strategy::Garbled,
        ..auto
    };
    let slow = RunOptions {
        link: wan(),
        ..auto
    };
    for other in [garbled, slow] {
        let (g, e) = rt.block_on(tcp_run(
            c.clone(),
            RING(),
            &[3, 4],
            &alternate(2),
            auto,
            other,
        ));
        for r in [g, e] {
            let err = r.unwrap_err().to_string();
            assert!(
                err.contains("plan strategy mismatch") || err.contains("plan link"),
                "{err}"
            );
        }
    }
}

async fn tcp_run(
    c: Arc<ArithCircuit>,
    ring: Ring,
    x: &[u64],
    owner: &[Role],
    g_opts: RunOptions,
    e_opts: RunOptions,
) -> (Result<RunOutput, Error>, Result<RunOutput, Error>) {
    let (mut cg, mut ce) = tcp_pair().await;
    let pick = |r: Role| -> Vec<(usize, u64)> {
        x.iter()
            .enumerate()
            .filter(|(i, _)| owner[*i] == r)
            .map(|(i, &v)| (i, v))
            .collect()
    };
    let (gi, ei) = (pick(Role::Garbler), pick(Role::Evaluator));
    let reveal = vec![Reveal::BOTH; c.outputs().len()];
    let (c2, r2) = (c.clone(), reveal.clone());
    let g = tokio::spawn(async move {
        run_options(&mut cg, &c2, Role::Garbler, ring, &g_opts, &gi, &r2).await
    });
    let e = tokio::spawn(async move {
        run_options(&mut ce, &c, Role::Evaluator, ring, &e_opts, &ei, &reveal).await
    });
    (g.await.unwrap(), e.await.unwrap())
}

/// Products and conversions fed by Ferret COTs (bootstrapped from IKNP): the plaintext
/// answers under the planned and the shares-only plan; a party on IKNP is refused.
#[test]
fn ferret_fed_runs() {
    let rt = rt();
    let dir = common::corpus_dir().join("ml_Dense");
    let c = Arc::new(ArithCircuit::load(&dir).unwrap());
    let v = &common::vectors(&dir)[1];
    let x = common::input_values(&c, v.ring, &v.inputs);
    let owner = alternate(x.len());
    let want: Vec<Option<u64>> = c
        .evaluate(v.ring, &x)
        .unwrap()
        .into_iter()
        .map(Some)
        .collect();
    for strategy in [Strategy::Auto, Strategy::Shares] {
        let opts = RunOptions {
            strategy,
            cot: CotSource::Ferret,
            ..RunOptions::default()
        };
        let (g, e) = rt.block_on(tcp_run(c.clone(), v.ring, &x, &owner, opts, opts));
        let (g, e) = (g.unwrap(), e.unwrap());
        assert_eq!(g.outputs, want, "{strategy}");
        assert_eq!(e.outputs, want, "{strategy}");
        assert!(g.stats.engine.multiplications > 0);
    }
    let ferret = RunOptions {
        cot: CotSource::Ferret,
        ..RunOptions::default()
    };
    let (g, e) = rt.block_on(tcp_run(
        c.clone(),
        v.ring,
        &x,
        &owner,
        ferret,
        RunOptions::default(),
    ));
    for r in [g, e] {
        let err = r.unwrap_err().to_string();
        assert!(err.contains("OT extension mismatch"), "{err}");
    }
}

/// Public constants of every size at every ring width plan without trouble (large ones are
/// estimated as one typical constant), and the garbled extreme runs them correctly.
#[test]
fn constants_at_every_width() {
    let rt = rt();
    // inputs x (garbler), y (evaluator); constants 3, 300, 70000, 2^40 + 5
    let consts = vec![3, 300, 70_000, (1 << 40) + 5];
    let gates = vec![
        g(Op::Add, 0, 1),    // 6: s = x + y
        g(Op::Mul, 6, 4),    // 7: s · 70000
        g(Op::Add, 7, 3),    // 8: + 300
        g(Op::Lt, 8, 5),     // 9: < 2^40 + 5
        g(Op::ShiftR, 8, 2), // 10: >> 3
        g(Op::Mul, 9, 10),   // 11
        g(Op::Sub, 11, 5),   // 12
    ];
    let c = Arc::new(ArithCircuit::from_parts(2, consts, gates, &[12, 9]).unwrap());
    for ell in [8, 16, 32, 64] {
        let ring = Ring::new(ell).unwrap();
        let owners = [Role::Garbler, Role::Evaluator];
        for s in [Strategy::Auto, Strategy::Shares, Strategy::Garbled] {
            for link in [LOOPBACK, wan()] {
                plan(
                    &c,
                    ring,
                    &owners,
                    link,
                    CostModel::for_scheme(SchemeKind::HalfGates),
                    s,
                )
                .unwrap();
            }
        }
        let x = vec![ring.reduce(12_345), ring.reduce(u64::MAX - 99)];
        let want: Vec<Option<u64>> = c
            .evaluate(ring, &x)
            .unwrap()
            .into_iter()
            .map(Some)
            .collect();
        for s in [Strategy::Shares, Strategy::Garbled] {
            let res = rt
                .block_on(many(
                    duplex_pair(&ChannelConfig::default()),
                    c.clone(),
                    ring,
                    s,
                    LOOPBACK,
                    vec![(x.clone(), owners.to_vec())],
                ))
                .unwrap();
            assert_eq!(res[0].0.outputs, want, "ell {ell} {s}");
            assert_eq!(res[0].1.outputs, want, "ell {ell} {s}");
        }
    }
}
