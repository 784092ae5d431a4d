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
