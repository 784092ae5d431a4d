//! Both evaluators against a naive interpreter on random circuits with every gate type
//! (XOR, AND, INV, EQ, EQW, MAND), and on the shipped circuits' test vectors.

use duet_circuits::eval::{evaluate, evaluate_sliced};
use duet_circuits::{Bits, Circuit, Gate, library, values};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// A random valid circuit: every gate writes fresh wires, outputs are the last wires.
fn random_circuit(rng: &mut StdRng) -> Circuit {
    let inputs: Vec<u32> = (0..rng.random_range(1..4))
        .map(|_| rng.random_range(1..20))
        .collect();
    let ib: u32 = inputs.iter().sum();
    // plan the gates first: (kind, number of output wires)
    let ngates = rng.random_range(1..200);
    let plan: Vec<(u32, u32)> = (0..ngates)
        .map(|_| {
            let k = rng.random_range(0..6u32);
            (k, if k == 5 { rng.random_range(1..6) } else { 1 })
        })
        .collect();
    let produced: u32 = plan.iter().map(|p| p.1).sum();
    let num_wires = ib + produced;
    let ob = rng.random_range(1..=produced.min(40));
    let mut outputs = Vec::new();
    let mut left = ob;
    while left > 0 {
        let w = rng.random_range(1..=left);
        outputs.push(w);
        left -= w;
    }
    let mut c = Circuit::new(num_wires, inputs, outputs).unwrap();
    let mut next = ib;
    for (k, n) in plan {
        let pick = |rng: &mut StdRng| rng.random_range(0..next);
        match k {
            0 => c
                .push(Gate::Xor {
                    a: pick(rng),
                    b: pick(rng),
                    out: next,
                })
                .unwrap(),
            1 => c
                .push(Gate::And {
                    a: pick(rng),
                    b: pick(rng),
                    out: next,
                })
                .unwrap(),
            2 => c
                .push(Gate::Inv {
                    a: pick(rng),
                    out: next,
                })
                .unwrap(),
            3 => c
                .push(Gate::Eq {
                    value: rng.random(),
                    out: next,
                })
                .unwrap(),
            4 => c
                .push(Gate::Eqw {
                    a: pick(rng),
                    out: next,
                })
                .unwrap(),
            _ => {
                let ls: Vec<u32> = (0..n).map(|_| pick(rng)).collect();
                let rs: Vec<u32> = (0..n).map(|_| pick(rng)).collect();
                let os: Vec<u32> = (next..next + n).collect();
                c.push_mand(&ls, &rs, &os).unwrap();
            }
        }
        next += n;
    }
    c.finish().unwrap()
}

/// Independent, deliberately simple interpreter: one bool per wire.
fn naive(c: &Circuit, inputs: &[Bits]) -> Vec<Bits> {
    let mut w = vec![false; c.num_wires() as usize];
    let flat: Vec<bool> = inputs.iter().flat_map(|b| b.iter().map(|x| *x)).collect();
    w[..flat.len()].copy_from_slice(&flat);
    for g in c.gates() {
        match g {
            Gate::Xor { a, b, out } => w[out as usize] = w[a as usize] ^ w[b as usize],
            Gate::And { a, b, out } => w[out as usize] = w[a as usize] & w[b as usize],
            Gate::Inv { a, out } => w[out as usize] = !w[a as usize],
            Gate::Eq { value, out } => w[out as usize] = value,
            Gate::Eqw { a, out } => w[out as usize] = w[a as usize],
            Gate::Mand { offset, n } => {
                let (ls, rs, os) = c.mand_operands(offset, n);
                for k in 0..n as usize {
                    w[os[k] as usize] = w[ls[k] as usize] & w[rs[k] as usize];
                }
            }
        }
    }
    (0..c.outputs().len())
        .map(|j| c.output_wires(j).map(|x| w[x as usize]).collect())
        .collect()
}

/// Pack up to 64 instances of Bits values into the sliced layout.
fn slice(values: &[&Bits]) -> Vec<u64> {
    let width = values.first().map_or(0, |v| v.len());
    (0..width)
        .map(|k| {
            values
                .iter()
                .enumerate()
                .fold(0, |a, (j, v)| a | ((v[k] as u64) << j))
        })
        .collect()
}

/// Check both evaluators on the instances (`inst[n][i]`) against `want[n][j]`.
fn check_all(c: &Circuit, inst: &[Vec<Bits>], want: &[Vec<Bits>]) {
    for (i, w) in inst.iter().zip(want) {
        assert_eq!(&evaluate(c, i).unwrap(), w);
    }
    for (ci, chunk) in inst.chunks(64).enumerate() {
        let ins: Vec<Vec<u64>> = (0..c.inputs().len())
            .map(|i| slice(&chunk.iter().map(|x| &x[i]).collect::<Vec<_>>()))
            .collect();
        let outs = evaluate_sliced(c, &ins).unwrap();
        for j in 0..chunk.len() {
            for (o, words) in outs.iter().enumerate() {
                let got: Bits = words.iter().map(|w| (w >> j) & 1 == 1).collect();
                assert_eq!(
                    got,
                    want[ci * 64 + j][o],
                    "instance {}, output {o}",
                    ci * 64 + j
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_circuits_agree(seed: u64) {
        let mut rng = StdRng::seed_from_u64(seed);
        let c = random_circuit(&mut rng);
        let inst: Vec<Vec<Bits>> = (0..70)
            .map(|_| c.inputs().iter().map(|&w| (0..w).map(|_| rng.random::<bool>()).collect()).collect())
            .collect();
        let want: Vec<Vec<Bits>> = inst.iter().map(|i| naive(&c, i)).collect();
        check_all(&c, &inst, &want);
    }
}

#[derive(serde::Deserialize)]
struct Vector {
    inputs: Vec<String>,
    outputs: Vec<String>,
}

#[test]
fn shipped_vectors_both_evaluators() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bristol/vectors");
    let mut total = 0;
    for name in library::names() {
        let c = library::load(name).unwrap();
        let text = std::fs::read_to_string(dir.join(format!("{name}.jsonl"))).unwrap();
        let mut inst = Vec::new();
        let mut want = Vec::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: Vector = serde_json::from_str(line).unwrap();
            let p = |hs: &[String], ws: &[u32]| -> Vec<Bits> {
                hs.iter()
                    .zip(ws)
                    .map(|(h, &w)| values::parse_hex(h, w).unwrap())
                    .collect()
            };
            inst.push(p(&v.inputs, c.inputs()));
            want.push(p(&v.outputs, c.outputs()));
        }
        assert!(!inst.is_empty(), "{name}: no vectors");
        total += inst.len();
        check_all(&c, &inst, &want);
    }
    assert!(total >= 8);
}
