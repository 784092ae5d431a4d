//! Random circuits (XOR/AND/INV/EQ/EQW/MAND, straight from the IR) garbled == plaintext
//! (`duet_circuits::eval::evaluate`), and security sanity checks of the sync core.

mod core_common;

use duet_circuits::eval::evaluate;
use duet_circuits::liveness::{SlotMap, WINDOW};
use duet_circuits::{Bits, Circuit, Gate};
use duet_core::{Block, Delta};
use duet_gc_core::{Garbler, HalfGates, ThreeHalves};
use proptest::prelude::*;
use rand::rngs::ChaCha12Rng;
use rand::{RngExt, SeedableRng};

/// A random valid circuit: `widths` input values, `n_gates` gate steps (a MAND step writes
/// up to 4 wires), the last `n_out` wires are the single output value.
fn random_circuit(rng: &mut ChaCha12Rng, widths: &[u32], n_gates: u32, n_out: u32) -> Circuit {
    let n_in: u32 = widths.iter().sum();
    let mut c = Circuit::new(n_in + n_gates, widths.to_vec(), vec![n_out.min(n_gates)]).unwrap();
    let mut w = n_in;
    // bias reads towards recent wires so that deep circuits appear too
    let pick = |rng: &mut ChaCha12Rng, w: u32| {
        if rng.random_bool(0.5) {
            w - 1 - rng.random_range(0..w.min(16))
        } else {
            rng.random_range(0..w)
        }
    };
    while w < n_in + n_gates {
        let (a, b) = (pick(rng, w), pick(rng, w));
        let g = match rng.random_range(0..12u32) {
            0..=3 => Gate::Xor { a, b, out: w },
            4..=7 => Gate::And { a, b, out: w },
            8 => Gate::Inv { a, out: w },
            9 => Gate::Eq {
                value: rng.random(),
                out: w,
            },
            10 => Gate::Eqw { a, out: w },
            _ => {
                let n = rng.random_range(1..=4).min(n_in + n_gates - w);
                let l: Vec<u32> = (0..n).map(|_| pick(rng, w)).collect();
                let r: Vec<u32> = (0..n).map(|_| pick(rng, w)).collect();
                let o: Vec<u32> = (w..w + n).collect();
                c.push_mand(&l, &r, &o).unwrap();
                w += n;
                continue;
            }
        };
        c.push(g).unwrap();
        w += 1;
    }
    c.finish().unwrap()
}

fn random_inputs(rng: &mut ChaCha12Rng, widths: &[u32]) -> Vec<Bits> {
    widths
        .iter()
        .map(|&w| (0..w).map(|_| rng.random::<bool>()).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
    #[test]
    fn random_circuits_garbled_equal_plaintext(
        seed in any::<u64>(),
        w0 in 1u32..20,
        w1 in 0u32..20,
        n_gates in 1u32..600,
        n_out in 1u32..40,
        piece in 1usize..100,
    ) {
        let mut rng = ChaCha12Rng::seed_from_u64(seed);
        let widths: Vec<u32> = if w1 == 0 { vec![w0] } else { vec![w0, w1] };
        let c = random_circuit(&mut rng, &widths, n_gates, n_out);
        for _ in 0..3 {
            let inputs = random_inputs(&mut rng, &widths);
            let want = evaluate(&c, &inputs).unwrap();
            let t = core_common::run::<HalfGates, _>(&c, &inputs, piece, &mut rng);
            prop_assert_eq!(&t.outputs, &want);
            let t = core_common::run::<ThreeHalves, _>(&c, &inputs, piece, &mut rng);
            prop_assert_eq!(&t.outputs, &want, "three-halves");
        }
    }
}

#[test]
fn circuits_spanning_several_scheduling_windows() {
    let mut rng = ChaCha12Rng::seed_from_u64(11);
    for n_gates in [WINDOW as u32 - 3, 3 * WINDOW as u32 + 17] {
        let widths = [64, 64];
        let c = random_circuit(&mut rng, &widths, n_gates, 128);
        let m = SlotMap::compute(&c);
        assert!(m.peak() < c.num_wires());
        for _ in 0..2 {
            let inputs = random_inputs(&mut rng, &widths);
            let want = evaluate(&c, &inputs).unwrap();
            assert_eq!(
                core_common::run::<HalfGates, _>(&c, &inputs, 5000, &mut rng).outputs,
                want
            );
            assert_eq!(
                core_common::run::<ThreeHalves, _>(&c, &inputs, 5000, &mut rng).outputs,
                want
            );
        }
    }
}

/// Security sanity: fresh labels and tables per run, pointer bits of active labels not
/// tied to the values, different salts/Δ give different tables.
#[test]
fn fresh_labels_and_tables_per_run_and_uniform_pointer_bits() {
    let mut rng = ChaCha12Rng::seed_from_u64(12);
    let c = duet_circuits::library::load("adder64").unwrap();
    let inputs = vec![Bits::repeat(true, 64), Bits::repeat(false, 64)];
    let runs = 200;
    let mut lsb_ones = 0u32;
    let mut prev: Option<core_common::Transcript> = None;
    for _ in 0..runs {
        let t = core_common::run::<HalfGates, _>(&c, &inputs, 10_000, &mut rng);
        assert_eq!(t.outputs[0], Bits::repeat(true, 64));
        // wire 0 always carries 1: its active label's pointer bit must still look random
        lsb_ones += t.active_inputs[0].lsb() as u32;
        if let Some(p) = &prev {
            assert_ne!(
                p.active_inputs, t.active_inputs,
                "labels repeat across runs"
            );
            assert_ne!(p.tables, t.tables, "tables repeat across runs");
            let same = p
                .tables
                .chunks_exact(16)
                .zip(t.tables.chunks_exact(16))
                .filter(|(a, b)| a == b)
                .count();
            assert_eq!(same, 0, "a table block repeats across runs");
        }
        prev = Some(t);
    }
    // Binomial(200, 1/2): 6σ ≈ 42
    assert!(
        (58..=142).contains(&lsb_ones),
        "lsb of active labels biased: {lsb_ones}/{runs}"
    );
}

/// The same labels and Δ with a different salt give entirely different tables (the salt
/// enters every hash tweak), and every table block is distinct within a run.
#[test]
fn salt_changes_every_table_block() {
    let mut rng = ChaCha12Rng::seed_from_u64(13);
    let c = duet_circuits::library::load("aes_128").unwrap();
    let m = SlotMap::compute(&c);
    let delta = Delta::random(&mut rng);
    let zero: Vec<Block> = (0..256).map(|_| Block::random(&mut rng)).collect();
    let t1 = Garbler::new(&m, &delta, &zero, Block(1))
        .unwrap()
        .garble_all();
    let t2 = Garbler::new(&m, &delta, &zero, Block(2))
        .unwrap()
        .garble_all();
    assert_eq!(t1.len(), 12_800 * 16);
    let (b1, b2): (Vec<&[u8]>, Vec<&[u8]>) = (t1.chunks(16).collect(), t2.chunks(16).collect());
    assert!(b1.iter().zip(&b2).all(|(a, b)| a != b));
    let mut sorted = b1.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), b1.len(), "a table block repeats within a run");
}
