//! Shared helpers of the `core_*` tests: an ideal in-process "protocol" around the sync
//! garbler and evaluator (no OT: the evaluator gets the active labels directly).

#![allow(dead_code)]

use duet_circuits::liveness::SlotMap;
use duet_circuits::{Bits, Circuit};
use duet_core::{Block, Delta};
use duet_gc_core::{Evaluator, Garbler, Scheme, decode, split_values};
use rand::Rng;

/// What one garbled run produced, for the security sanity checks.
pub struct Transcript {
    pub outputs: Vec<Bits>,
    /// the table stream, bytes
    pub tables: Vec<u8>,
    pub active_inputs: Vec<Block>,
}

/// Garble `c`, pick the active input labels by `inputs` (one value per circuit input),
/// evaluate with the tables delivered in pieces of random lengths (1 ..= max_piece
/// bytes), decode, and split into output values, under the scheme `S`.
pub fn run<S: Scheme, R: Rng>(
    c: &Circuit,
    inputs: &[Bits],
    max_piece: usize,
    rng: &mut R,
) -> Transcript {
    use rand::RngExt;
    let prog = SlotMap::compute(c);
    let delta = Delta::random(rng);
    let salt = Block::random(rng);
    let bits: Vec<bool> = inputs.iter().flat_map(|v| v.iter().by_vals()).collect();
    let zero: Vec<Block> = bits.iter().map(|_| Block::random(rng)).collect();
    let active: Vec<Block> = zero
        .iter()
        .zip(&bits)
        .map(|(z, &b)| *z ^ delta.select(b))
        .collect();
    let mut g = Garbler::<S>::with_scheme(&prog, &delta, &zero, salt).unwrap();
    g.set_batch_bytes(rng.random_range(2..80_000));
    let mut e = Evaluator::<S>::with_scheme(&prog, &active, salt).unwrap();
    let mut all = Vec::new();
    let mut buf = Vec::new();
    while g.next_batch(&mut buf) {
        let mut rest = &buf[..];
        while !rest.is_empty() {
            let k = rng.random_range(1..=max_piece).min(rest.len());
            e.consume(&rest[..k]).unwrap();
            rest = &rest[k..];
        }
        all.extend_from_slice(&buf);
        buf.clear();
    }
    assert!(all.len() as u64 >= S::GATE_BYTES as u64 * c.and_count());
    assert_eq!(e.bytes_received(), all.len() as u64);
    let labels = e.finish().unwrap();
    let out = decode(&labels, &g.decoding_bits().unwrap()).unwrap();
    Transcript {
        outputs: split_values(c.outputs(), &out).unwrap(),
        tables: all,
        active_inputs: active,
    }
}
