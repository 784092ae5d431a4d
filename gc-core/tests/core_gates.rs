//! Every gate type, every input combination: garbled result == plaintext, through an ideal
//! in-process "protocol" (garbler 0-labels → active labels picked by the input bits →
//! evaluator), plus streaming and error cases of the sync core.

use duet_circuits::liveness::SlotMap;
use duet_circuits::{Bits, Circuit, Gate};
use duet_core::{Block, Delta};
use duet_gc_core::{Evaluator, Garbler, GcError, decode};
use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;

/// Garble and evaluate `c` on `inputs` (one bool per input wire), tables delivered in
/// chunks of `chunk` bytes; returns the decoded output bits.
fn run_gc(c: &Circuit, inputs: &[bool], chunk: usize, rng: &mut ChaCha12Rng) -> Vec<bool> {
    let prog = SlotMap::compute(c);
    let delta = Delta::random(rng);
    let salt = Block::random(rng);
    let zero: Vec<Block> = inputs.iter().map(|_| Block::random(rng)).collect();
    let active: Vec<Block> = zero
        .iter()
        .zip(inputs)
        .map(|(z, &b)| *z ^ delta.select(b))
        .collect();
    let mut g = Garbler::new(&prog, &delta, &zero, salt).unwrap();
    g.set_batch_bytes(48);
    let mut e = Evaluator::new(&prog, &active, salt).unwrap();
    let mut buf = Vec::new();
    while g.next_batch(&mut buf) {
        for part in buf.chunks(chunk) {
            e.consume(part).unwrap();
        }
        buf.clear();
    }
    let labels = e.finish().unwrap();
    // the active output labels are the garbler's labels for the right values
    let z = g.output_zero_labels().unwrap();
    let out: Bits = decode(&labels, &g.decoding_bits().unwrap()).unwrap();
    for (k, bit) in out.iter().by_vals().enumerate() {
        assert_eq!(labels[k], z[k] ^ delta.select(bit));
    }
    out.iter().by_vals().collect()
}

fn one_gate(g: Gate, n_in: u32) -> Circuit {
    let mut c = Circuit::new(n_in + 1, vec![1; n_in as usize], vec![1]).unwrap();
    c.push(g).unwrap();
    c.finish().unwrap()
}

#[test]
fn every_gate_every_input() {
    let mut rng = ChaCha12Rng::seed_from_u64(1);
    for rep in 0..8 {
        for x in [false, true] {
            for y in [false, true] {
                let and = one_gate(Gate::And { a: 0, b: 1, out: 2 }, 2);
                assert_eq!(
                    run_gc(&and, &[x, y], 1, &mut rng),
                    [x & y],
                    "AND {x} {y} rep {rep}"
                );
                let xor = one_gate(Gate::Xor { a: 0, b: 1, out: 2 }, 2);
                assert_eq!(run_gc(&xor, &[x, y], 1, &mut rng), [x ^ y]);
                let mut m = Circuit::new(4, vec![1, 1], vec![1]).unwrap();
                m.push_mand(&[0, 1], &[1, 0], &[2, 3]).unwrap();
                let m = m.finish().unwrap();
                assert_eq!(run_gc(&m, &[x, y], 1, &mut rng), [x & y]);
                // AND with the same wire on both sides
                let sq = one_gate(Gate::And { a: 0, b: 0, out: 2 }, 2);
                assert_eq!(run_gc(&sq, &[x, y], 1, &mut rng), [x]);
            }
            let inv = one_gate(Gate::Inv { a: 0, out: 1 }, 1);
            assert_eq!(run_gc(&inv, &[x], 1, &mut rng), [!x]);
            let eqw = one_gate(Gate::Eqw { a: 0, out: 1 }, 1);
            assert_eq!(run_gc(&eqw, &[x], 1, &mut rng), [x]);
            let eq = one_gate(Gate::Eq { value: x, out: 1 }, 1);
            assert_eq!(run_gc(&eq, &[!x], 1, &mut rng), [x]);
            // constants feeding AND / XOR / INV with a secret input
            for y in [false, true] {
                let mut c = Circuit::new(5, vec![1], vec![1, 1, 1]).unwrap();
                c.push(Gate::Eq { value: x, out: 1 }).unwrap();
                c.push(Gate::And { a: 1, b: 0, out: 2 }).unwrap();
                c.push(Gate::Xor { a: 0, b: 1, out: 3 }).unwrap();
                c.push(Gate::Inv { a: 1, out: 4 }).unwrap();
                let c = c.finish().unwrap();
                assert_eq!(run_gc(&c, &[y], 1, &mut rng), [x & y, x ^ y, !x]);
            }
        }
    }
}

#[test]
fn identity_and_empty_circuits() {
    let mut rng = ChaCha12Rng::seed_from_u64(2);
    let c = Circuit::new(2, vec![2], vec![2]).unwrap().finish().unwrap();
    assert_eq!(run_gc(&c, &[true, false], 1, &mut rng), [true, false]);
    let prog = SlotMap::compute(&c);
    let delta = Delta::random(&mut rng);
    let zero = [Block::random(&mut rng), Block::random(&mut rng)];
    let mut g = Garbler::new(&prog, &delta, &zero, Block::ZERO).unwrap();
    let mut buf = Vec::new();
    assert!(
        !g.next_batch(&mut buf),
        "no AND gate: done at once, nothing appended"
    );
    assert!(g.is_done() && buf.is_empty());
    assert_eq!(g.output_zero_labels().unwrap(), zero);
}

fn chain(n: u32) -> Circuit {
    // 2 inputs of n bits: out_k = x_k AND (y_k XOR out_{k-1}), a dependent chain
    let mut c = Circuit::new(4 * n, vec![n, n], vec![n]).unwrap();
    let mut prev = n; // y_0 first
    for k in 0..n {
        let t = 2 * n + k; // scratch wires 2n .. 3n
        c.push(Gate::Xor {
            a: n + k,
            b: prev,
            out: t,
        })
        .unwrap();
        c.push(Gate::And {
            a: k,
            b: t,
            out: 3 * n + k,
        })
        .unwrap();
        prev = 3 * n + k;
    }
    c.finish().unwrap()
}

#[test]
fn errors_of_the_sync_core() {
    let mut rng = ChaCha12Rng::seed_from_u64(3);
    let c = chain(40);
    let prog = SlotMap::compute(&c);
    let delta = Delta::random(&mut rng);
    let zero: Vec<Block> = (0..80).map(|_| Block::random(&mut rng)).collect();
    assert!(matches!(
        Garbler::new(&prog, &delta, &zero[..79], Block::ZERO),
        Err(GcError::InputLabelCount {
            expected: 80,
            actual: 79
        })
    ));
    let bad = Delta::from_block_any(Block(2));
    assert!(matches!(
        Garbler::new(&prog, &bad, &zero, Block::ZERO),
        Err(GcError::DeltaLsb)
    ));
    assert!(matches!(
        Evaluator::new(&prog, &zero[..3], Block::ZERO),
        Err(GcError::InputLabelCount {
            expected: 80,
            actual: 3
        })
    ));
    let mut g = Garbler::new(&prog, &delta, &zero, Block::ZERO).unwrap();
    assert!(matches!(g.output_zero_labels(), Err(GcError::NotFinished)));
    let tables = g.garble_all();
    assert_eq!(tables.len(), 80 * 16);
    assert_eq!(g.and_gates(), 40);
    // truncated: the last gate's second block is one byte short
    let mut e = Evaluator::new(&prog, &zero, Block::ZERO).unwrap();
    e.consume(&tables[..80 * 16 - 1]).unwrap();
    assert_eq!(e.bytes_received(), 80 * 16 - 1);
    assert!(matches!(
        e.finish(),
        Err(GcError::TablesTruncated {
            and_gates: 40,
            received: 1279,
            ..
        })
    ));
    // extra
    let mut e = Evaluator::new(&prog, &zero, Block::ZERO).unwrap();
    e.consume(&tables).unwrap();
    assert!(matches!(
        e.consume(&[0u8]),
        Err(GcError::ExtraTables { extra: 1 })
    ));
    assert!(e.finish().is_err());
    // wrong decoding length
    assert!(matches!(
        decode(&[Block::ZERO; 3], &Bits::repeat(false, 2)),
        Err(GcError::DecodingLength {
            expected: 3,
            actual: 2
        })
    ));
}

#[test]
fn dependent_chain_with_every_split() {
    let mut rng = ChaCha12Rng::seed_from_u64(4);
    let n = 70;
    let c = chain(n);
    for chunk in [1, 2, 3, 7, 64, 1000] {
        let x: Vec<bool> = (0..2 * n).map(|i| (i * 7 + chunk) % 3 != 0).collect();
        let mut want = Vec::new();
        let mut prev = x[n as usize];
        for k in 0..n as usize {
            let o = x[k] & (x[n as usize + k] ^ prev);
            want.push(o);
            prev = o;
        }
        assert_eq!(
            run_gc(&c, &x, chunk as usize, &mut rng),
            want,
            "chunk {chunk}"
        );
    }
}

/// A chain of dependent AND gates (every AND reads the previous one, so the garbling queue
/// never fills) still comes out in batches near the target, not as one batch for the whole
/// circuit, and evaluates right.
#[test]
fn dependent_and_chain_streams_in_bounded_batches() {
    let n = 2000u32;
    let mut c = Circuit::new(n + 1 + n, vec![n + 1], vec![1]).unwrap();
    // w_{n+1} = x0 AND x1, then w_{k+1} = w_k AND x_{k-n+1}, ...
    let mut prev = 0u32;
    for k in 0..n {
        let out = n + 1 + k;
        c.push(Gate::And {
            a: prev,
            b: k + 1,
            out,
        })
        .unwrap();
        prev = out;
    }
    let c = c.finish().unwrap();
    let prog = SlotMap::compute(&c);
    let mut rng = ChaCha12Rng::seed_from_u64(9);
    let delta = Delta::random(&mut rng);
    let salt = Block::random(&mut rng);
    let zero: Vec<Block> = (0..=n).map(|_| Block::random(&mut rng)).collect();
    let mut g = Garbler::new(&prog, &delta, &zero, salt).unwrap();
    g.set_batch_bytes(1600);
    let (mut buf, mut batches, mut total) = (Vec::new(), 0, 0);
    while g.next_batch(&mut buf) {
        assert!(buf.len() <= 1600 + 32, "batch of {} bytes", buf.len());
        batches += 1;
        total += buf.len();
        buf.clear();
    }
    assert_eq!(total, 32 * n as usize);
    assert!(batches >= 32 * n as usize / 1632, "{batches} batches");
    // and the result is still the AND of all inputs
    let inputs: Vec<bool> = (0..=n).map(|i| i != 7).collect();
    assert_eq!(run_gc(&c, &inputs, 17, &mut rng), [false]);
    let ones = vec![true; n as usize + 1];
    assert_eq!(run_gc(&c, &ones, 17, &mut rng), [true]);
}
