//! Shared helpers for the integration tests: the corpus and its vectors.
#![allow(dead_code)]

use duet_hybrid::{ArithCircuit, Ring};
use std::path::PathBuf;

/// The corpus folder.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/arith")
}

/// Every circuit folder of the corpus, sorted.
pub fn corpus() -> Vec<(String, PathBuf)> {
    let mut v: Vec<_> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    v.sort();
    v
}

/// One line of `vectors.jsonl`.
pub struct Vector {
    pub ring: Ring,
    pub inputs: Vec<(String, String)>,
    /// `None` for a NEGATIVE CASE (the circuit must be rejected).
    pub outputs: Option<Vec<(String, String)>>,
}

fn pairs(v: &serde_json::Value) -> Vec<(String, String)> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

/// The vectors of a corpus folder.
pub fn vectors(dir: &std::path::Path) -> Vec<Vector> {
    let text = std::fs::read_to_string(dir.join("vectors.jsonl")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            Vector {
                ring: Ring::new(v["ell"].as_u64().unwrap() as u32).unwrap(),
                inputs: pairs(&v["inputs"]),
                outputs: v.get("outputs").map(pairs),
            }
        })
        .collect()
}

/// Input values in circuit order from a vector's name/value pairs.
pub fn input_values(c: &ArithCircuit, ring: Ring, inputs: &[(String, String)]) -> Vec<u64> {
    let bound = c.bind(ring, inputs).unwrap();
    assert_eq!(bound.len(), c.inputs().len(), "vector names every input");
    let mut vals = vec![0u64; bound.len()];
    for (i, v) in bound {
        vals[i] = v;
    }
    vals
}

/// Expected outputs in circuit order.
pub fn expected(c: &ArithCircuit, ring: Ring, outputs: &[(String, String)]) -> Vec<u64> {
    assert_eq!(outputs.len(), c.outputs().len());
    c.outputs()
        .iter()
        .map(|o| {
            let (_, v) = outputs.iter().find(|(n, _)| *n == o.name).unwrap();
            ring.parse_input(v).unwrap()
        })
        .collect()
}
