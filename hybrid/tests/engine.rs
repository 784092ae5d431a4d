//! Two parties over an in-memory duplex: multiplication against wrapping arithmetic,
//! A2Y→Y2A round trips at every ℓ, garbled ops against the plaintext semantics. COTs come
//! from the ideal functionality (`duet_ot::ideal`: no base OT per case); the runner's tests
//! (`twoparty.rs`, `run`) use real base OT + IKNP.

use duet_hybrid::{Engine, Error, GcTask, Kind, Op, Operand, Ring, Role, Val};
use duet_net::{ChannelConfig, duplex_pair};
use duet_ot::ideal::IdealCot;
use rand::rngs::StdRng as ChaCha12Rng;
use rand::{Rng, SeedableRng};

/// Split `v` into shares of `kind`: (garbler's, evaluator's).
fn split(ring: Ring, kind: Kind, v: u64, rng: &mut ChaCha12Rng) -> (Val, Val) {
    let (g, e) = match kind {
        Kind::Public => (v, v),
        Kind::Garbler => (v, 0),
        Kind::Evaluator => (0, v),
        Kind::Both => {
            let r = ring.reduce(rng.next_u64());
            (r, ring.reduce(v.wrapping_sub(r)))
        }
    };
    (Val { kind, share: g }, Val { kind, share: e })
}

fn open(ring: Ring, g: Val, e: Val) -> u64 {
    assert_eq!(g.kind, e.kind);
    if g.kind == Kind::Public {
        assert_eq!(g.share, e.share);
        g.share
    } else {
        ring.reduce(g.share.wrapping_add(e.share))
    }
}

/// Run one layer on both sides; returns (products, task results) opened.
fn run_layer(
    ring: Ring,
    muls: Vec<((Val, Val), (Val, Val))>,
    ops: Vec<(Val, Val)>,
    tasks: Vec<GcTask>,
) -> (Vec<u64>, Vec<u64>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
        let gm: Vec<_> = muls.iter().map(|(a, b)| (a.0, b.0)).collect();
        let em: Vec<_> = muls.iter().map(|(a, b)| (a.1, b.1)).collect();
        let go: Vec<_> = ops.iter().map(|o| Operand::Val(o.0)).collect();
        let eo: Vec<_> = ops.iter().map(|o| Operand::Val(o.1)).collect();
        let t2 = tasks.clone();
        let cot = IdealCot::new(duet_core::Block::random(&mut rand::rng()));
        let (cs, cr) = (cot.sender(), cot.receiver());
        let g = tokio::spawn(async move {
            let mut eng =
                Engine::<_, duet_ot::ideal::IdealCotReceiver>::garbler_with_cot(ring, cs)?;
            let r = eng.layer(&mut cg, &gm, &go, &tasks).await?;
            Ok::<_, Error>(r)
        });
        let e = tokio::spawn(async move {
            let mut eng =
                Engine::<duet_ot::ideal::IdealCotSender, _>::evaluator_with_cot(ring, cr)?;
            let r = eng.layer(&mut ce, &em, &eo, &t2).await?;
            Ok::<_, Error>(r)
        });
        let (g, e) = (g.await.unwrap().unwrap(), e.await.unwrap().unwrap());
        let prods = g
            .products
            .iter()
            .zip(&e.products)
            .map(|(a, b)| open(ring, *a, *b))
            .collect();
        let res = g
            .results
            .iter()
            .zip(&e.results)
            .map(|(a, b)| open(ring, a.0.unwrap(), b.0.unwrap()))
            .collect();
        (prods, res)
    })
}

fn edge_values(ring: Ring, rng: &mut ChaCha12Rng) -> Vec<u64> {
    let mut v = vec![0, 1, ring.mask(), ring.min(), ring.max(), 2, ring.min() + 1];
    v.extend((0..5).map(|_| ring.reduce(rng.next_u64())));
    v
}

const KINDS: [Kind; 4] = [Kind::Public, Kind::Garbler, Kind::Evaluator, Kind::Both];

#[test]
fn multiplication_matches_wrapping_arithmetic() {
    let mut rng = ChaCha12Rng::seed_from_u64(1);
    for ell in [8, 16, 32, 64] {
        let ring = Ring::new(ell).unwrap();
        let vals = edge_values(ring, &mut rng);
        let mut muls = Vec::new();
        let mut want = Vec::new();
        for (i, &x) in vals.iter().enumerate() {
            for (j, &y) in vals.iter().enumerate() {
                let (ka, kb) = (KINDS[(i + j) % 4], KINDS[(i + 2 * j) % 4]);
                muls.push((split(ring, ka, x, &mut rng), split(ring, kb, y, &mut rng)));
                want.push(ring.reduce(x.wrapping_mul(y)));
            }
        }
        let (got, _) = run_layer(ring, muls, vec![], vec![]);
        assert_eq!(got, want, "ell {ell}");
    }
}

#[test]
fn a2y_y2a_round_trip_every_ell() {
    let mut rng = ChaCha12Rng::seed_from_u64(2);
    for ell in [8, 16, 32, 64] {
        let ring = Ring::new(ell).unwrap();
        let vals = edge_values(ring, &mut rng);
        let mut ops = Vec::new();
        let mut tasks = Vec::new();
        let mut want = Vec::new();
        for (i, &v) in vals.iter().enumerate() {
            for k in [Kind::Garbler, Kind::Evaluator, Kind::Both] {
                tasks.push(GcTask {
                    op: Op::Id,
                    a: ops.len(),
                    b: ops.len(),
                });
                ops.push(split(ring, k, v, &mut rng));
                want.push(v);
            }
            let _ = i;
        }
        let (_, got) = run_layer(ring, vec![], ops, tasks);
        assert_eq!(got, want, "ell {ell}");
    }
}

#[test]
fn garbled_ops_match_plaintext() {
    let mut rng = ChaCha12Rng::seed_from_u64(3);
    let skip_pow = |op: Op| op == Op::Pow;
    for ell in [8, 64] {
        let ring = Ring::new(ell).unwrap();
        let vals = [
            0,
            1,
            ring.mask(),
            ring.min(),
            ring.max(),
            7,
            ring.reduce(rng.next_u64()),
            ell as u64,
        ];
        let mut ops = Vec::new();
        let mut tasks = Vec::new();
        let mut want = Vec::new();
        for op in Op::ALL {
            if op.is_linear() || op == Op::Mul || (ell == 64 && skip_pow(op)) {
                continue;
            }
            for (i, &x) in vals.iter().enumerate() {
                let y = vals[(i * 3 + 1) % vals.len()];
                let ka = KINDS[(i % 3) + 1];
                let kb = KINDS[(i + op as usize) % 4];
                let a = ops.len();
                ops.push(split(ring, ka, x, &mut rng));
                ops.push(split(ring, kb, y, &mut rng));
                tasks.push(GcTask { op, a, b: a + 1 });
                want.push(op.apply(ring, x, y));
            }
        }
        let (_, got) = run_layer(ring, vec![], ops, tasks.clone());
        for (k, t) in tasks.iter().enumerate() {
            assert_eq!(got[k], want[k], "ell {ell} op {:?} #{k}", t.op);
        }
    }
    let _ = Role::Garbler;
}

/// A chain of garbled tasks in one layer (each reads the previous one's labels, no
/// conversion in between), only the last converted to shares: `((a < b) · c) + d` per row,
/// and max-of-three by compare-and-select; a task naming itself or a later task is refused.
#[test]
fn chained_tasks_in_one_layer() {
    let mut rng = ChaCha12Rng::seed_from_u64(9);
    let ring = Ring::new(64).unwrap();
    let mut ops = Vec::new();
    let mut want = Vec::new();
    let rows = 6;
    for r in 0..rows {
        let v: Vec<u64> = (0..4)
            .map(|_| ring.reduce(rng.next_u64() >> (r * 9)))
            .collect();
        for (j, &x) in v.iter().enumerate() {
            ops.push(split(ring, KINDS[1 + (r + j) % 3], x, &mut rng));
        }
        let lt = Op::Lt.apply(ring, v[0], v[1]);
        want.push(ring.reduce(lt.wrapping_mul(v[2]).wrapping_add(v[3])));
    }
    let n = ops.len();
    let mut tasks = Vec::new();
    let mut want_share = Vec::new();
    for r in 0..rows {
        let (a, b, c, d) = (4 * r, 4 * r + 1, 4 * r + 2, 4 * r + 3);
        let t = n + tasks.len();
        tasks.push(GcTask { op: Op::Lt, a, b });
        tasks.push(GcTask {
            op: Op::Mul,
            a: t,
            b: c,
        });
        tasks.push(GcTask {
            op: Op::Add,
            a: t + 1,
            b: d,
        });
        want_share.extend([false, false, true]);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (g, e) = rt.block_on(async {
        let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
        let go: Vec<_> = ops.iter().map(|o| Operand::Val(o.0)).collect();
        let eo: Vec<_> = ops.iter().map(|o| Operand::Val(o.1)).collect();
        let cot = IdealCot::new(duet_core::Block::random(&mut rand::rng()));
        let (cs, cr) = (cot.sender(), cot.receiver());
        let (t1, t2, w1, w2) = (tasks.clone(), tasks.clone(), want_share.clone(), want_share);
        let g = tokio::spawn(async move {
            let mut eng =
                Engine::<_, duet_ot::ideal::IdealCotReceiver>::garbler_with_cot(ring, cs)?;
            let out = eng.layer_with(&mut cg, &[], &go, &t1, &w1).await?;
            Ok::<_, Error>((out, eng.stats()))
        });
        let e = tokio::spawn(async move {
            let mut eng =
                Engine::<duet_ot::ideal::IdealCotSender, _>::evaluator_with_cot(ring, cr)?;
            let out = eng.layer_with(&mut ce, &[], &eo, &t2, &w2).await?;
            Ok::<_, Error>((out, eng.stats()))
        });
        (g.await.unwrap().unwrap(), e.await.unwrap().unwrap())
    });
    let ((go, gs), (eo, _)) = (g, e);
    assert_eq!(gs.rounds, 2, "setup + one layer");
    assert_eq!(
        gs.y2a, rows as u64,
        "only the last task of each chain converted"
    );
    for (r, &w) in want.iter().enumerate() {
        assert!(go.results[3 * r].0.is_none() && go.results[3 * r + 1].0.is_none());
        let (x, y) = (
            go.results[3 * r + 2].0.unwrap(),
            eo.results[3 * r + 2].0.unwrap(),
        );
        assert_eq!(open(ring, x, y), w, "row {r}");
    }
    // a task reading itself: refused before anything is sent
    let rt2 = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt2.block_on(async {
        let (mut cg, _ce) = duplex_pair(&ChannelConfig::default());
        let cot = IdealCot::new(duet_core::Block::random(&mut rand::rng()));
        let mut eng =
            Engine::<_, duet_ot::ideal::IdealCotReceiver>::garbler_with_cot(ring, cot.sender())
                .unwrap();
        let ops = [Operand::Val(Val::public(1))];
        let bad = [GcTask {
            op: Op::Neg,
            a: 1,
            b: 1,
        }];
        let err = eng
            .layer_with(&mut cg, &[], &ops, &bad, &[true])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{err}");
        let err = eng
            .layer_with(&mut cg, &[], &ops, &[], &[true])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{err}");
    });
}
