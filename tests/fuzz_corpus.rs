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

/// A stable stand-in for a fuzzing campaign where cargo-fuzz is not at hand: every target's
/// seeds mutated (bit flips, byte overwrites, truncations, insertions, splices of two seeds)
/// by a seeded generator, `DUET_SMOKE_EXECS` times per target (default 1000), each mutant
/// through the target's function; prints the executions per target. Not libFuzzer (no
/// coverage feedback, no sanitizer): `fuzz/run.sh` is the real campaign.
#[test]
#[ignore = "long: run with --ignored (DUET_SMOKE_EXECS, DUET_SMOKE_TARGETS=a,b)"]
fn mutation_smoke() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let execs: u64 = std::env::var("DUET_SMOKE_EXECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let only: Option<Vec<String>> = std::env::var("DUET_SMOKE_TARGETS")
        .ok()
        .map(|v| v.split(',').map(str::to_owned).collect());
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for (name, decode) in duet::fuzzing::TARGETS {
        if only.as_ref().is_some_and(|o| !o.iter().any(|t| t == name)) {
            continue;
        }
        let seeds: Vec<Vec<u8>> = std::fs::read_dir(root.join(name))
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        let t = std::time::Instant::now();
        for _ in 0..execs {
            let mut d = seeds[(next() as usize) % seeds.len()].clone();
            for _ in 0..1 + next() % 4 {
                let at = |d: &Vec<u8>, r: u64| {
                    if d.is_empty() {
                        0
                    } else {
                        (r as usize) % d.len()
                    }
                };
                match next() % 6 {
                    0 if !d.is_empty() => {
                        let i = at(&d, next());
                        d[i] ^= 1 << (next() % 8);
                    }
                    1 if !d.is_empty() => {
                        let i = at(&d, next());
                        d[i] = next() as u8;
                    }
                    2 => {
                        let i = at(&d, next());
                        d.truncate(i);
                    }
                    3 => {
                        let i = at(&d, next());
                        d.insert(i, next() as u8);
                    }
                    4 => {
                        let other = &seeds[(next() as usize) % seeds.len()];
                        let i = at(&d, next());
                        let j = if other.is_empty() {
                            0
                        } else {
                            (next() as usize) % other.len()
                        };
                        d.truncate(i);
                        d.extend_from_slice(&other[j..]);
                    }
                    _ if d.len() >= 4 => {
                        // an interesting 32-bit value somewhere (lengths, counts)
                        let i = at(&d, next()) & !3;
                        let v =
                            [0u32, 1, 0xff, 0xffff, 0x7fff_ffff, u32::MAX][(next() % 6) as usize];
                        let end = (i + 4).min(d.len());
                        d[i..end].copy_from_slice(&v.to_le_bytes()[..end - i]);
                    }
                    _ => {}
                }
            }
            decode(&d);
        }
        println!(
            "{name}: {execs} executions in {:.1?}, no panic",
            t.elapsed()
        );
    }
}
