//! Every shipped circuit on every vector of its file: garbled evaluation == the vectors.

mod core_common;

use duet_circuits::library;
use duet_circuits::values::{parse_hex, to_hex};
use duet_gc_core::{HalfGates, Scheme, ThreeHalves};
use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;

fn vectors(name: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let path = format!(
        "{}/../circuits/bristol/vectors/{name}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let strs = |k: &str| -> Vec<String> {
                v[k].as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect()
            };
            (strs("inputs"), strs("outputs"))
        })
        .collect()
}

#[test]
fn shipped_corpus_garbled_equals_vectors() {
    corpus::<HalfGates>();
}

#[test]
fn shipped_corpus_garbled_equals_vectors_three_halves() {
    corpus::<ThreeHalves>();
}

fn corpus<S: Scheme>() {
    let mut rng = ChaCha12Rng::seed_from_u64(7);
    let mut checked = 0;
    for name in library::names() {
        let c = library::load(name).unwrap();
        let vs = vectors(name);
        assert!(!vs.is_empty(), "{name}: no vectors");
        // a few vectors per circuit keep the debug test fast; all of them for the small ones
        let take = if c.and_count() > 20_000 { 3 } else { vs.len() };
        for (i, (ins, outs)) in vs.iter().take(take).enumerate() {
            let inputs: Vec<_> = ins
                .iter()
                .zip(c.inputs())
                .map(|(h, &w)| parse_hex(h, w).unwrap())
                .collect();
            let t = core_common::run::<S, _>(&c, &inputs, 3000, &mut rng);
            let got: Vec<String> = t.outputs.iter().map(to_hex).collect();
            assert_eq!(&got, outs, "{name} vector {i}");
            checked += 1;
        }
    }
    assert!(checked >= 8 * 3);
}
