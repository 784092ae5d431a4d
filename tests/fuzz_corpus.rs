//! Replays every fuzz target's checked-in corpus (`fuzz/corpus/<target>/`) through the same
//! decoder function the target calls (`duet::fuzzing`), so `cargo test` covers what the
//! fuzzers found, on stable, without cargo-fuzz.

use std::path::Path;

#[test]
fn every_fuzz_target_replays_its_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, decode) in duet::fuzzing::TARGETS {
        assert!(
            root.join("fuzz_targets")
                .join(format!("{name}.rs"))
                .is_file(),
            "fuzz target {name} has no fuzz/fuzz_targets/{name}.rs"
        );
        let dir = root.join("corpus").join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{}: no corpus", dir.display());
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let t = std::time::Instant::now();
            decode(&data);
            assert!(
                t.elapsed() < std::time::Duration::from_secs(20),
                "{}: {:?}",
                f.display(),
                t.elapsed()
            );
        }
    }
}
