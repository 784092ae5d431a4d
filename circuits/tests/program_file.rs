//! The streaming compiler ([`ProgramFile`]) against the in-memory one
//! ([`SlotMap::compute`] of [`bristol::parse`]): identical ops, shape, digest and counts on
//! the shipped circuits, `layered` circuits of several windows and random circuits with every
//! gate type; the same errors on every malformed file and on random mutations; readers
//! that are independent, chunked any way, and that reject a damaged file without panicking.

use std::io::{ErrorKind, Write};
use std::path::PathBuf;

use duet_circuits::bristol;
use duet_circuits::liveness::{OpSource, PackedOp, SlotMap, WINDOW};
use duet_circuits::program_file::{CompileError, FileOps, ProgramFile};
use duet_circuits::{Circuit, Gate, digest, eval, library};
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

fn compile(text: &str) -> Result<ProgramFile, CompileError> {
    // A small reader buffer so tokens straddle refills.
    ProgramFile::compile_bristol(std::io::BufReader::with_capacity(61, text.as_bytes()), None)
}

/// Every op of `src`, read `max` at a time.
fn read_all(src: &mut FileOps, max: usize) -> std::io::Result<Vec<PackedOp>> {
    let (mut all, mut buf) = (Vec::new(), Vec::new());
    loop {
        src.next_chunk(&mut buf, max)?;
        if buf.is_empty() {
            return Ok(all);
        }
        assert!(buf.len() <= max.max(1));
        all.extend_from_slice(&buf);
    }
}

/// The streamed program of `text` equals the in-memory one in every respect.
fn assert_same(text: &str, what: &str) {
    let c = bristol::parse_str(text).unwrap();
    let m = SlotMap::compute(&c);
    let p = compile(text).unwrap();
    assert_eq!(p.shape(), m.shape(), "{what}");
    assert_eq!(p.len(), m.len() as u64, "{what}");
    assert_eq!(p.digest(), digest::of(&c), "{what}");
    assert_eq!(p.and_count(), c.and_count(), "{what}");
    let xors = c.gates().filter(|g| matches!(g, Gate::Xor { .. })).count();
    assert_eq!(p.xor_count(), xors as u64, "{what}");
    assert_eq!(p.num_gates() as usize, c.num_gates(), "{what}");
    assert_eq!(p.num_wires(), c.num_wires(), "{what}");
    assert_eq!(
        (p.inputs(), p.outputs()),
        (c.inputs(), c.outputs()),
        "{what}"
    );
    for max in [1, 7, 1 << 20] {
        let ops = read_all(&mut p.ops().unwrap(), max).unwrap();
        assert!(ops == m.packed(), "{what}: ops differ (chunks of {max})");
    }
    // the streamed plaintext evaluator agrees with the wire-by-wire one
    let mut rng = StdRng::seed_from_u64(p.len());
    for _ in 0..3 {
        let inputs: Vec<duet_circuits::Bits> = c
            .inputs()
            .iter()
            .map(|&w| (0..w).map(|_| rng.random::<bool>()).collect())
            .collect();
        let mut ops = p.ops().unwrap();
        let got =
            eval::evaluate_program(p.shape(), p.inputs(), p.outputs(), &mut ops, &inputs).unwrap();
        assert_eq!(
            got,
            eval::evaluate(&c, &inputs).unwrap(),
            "{what}: evaluation"
        );
    }
}

#[test]
fn shipped_circuits_compile_to_the_same_program() {
    for name in library::names() {
        assert_same(library::builtin(name).unwrap(), name);
    }
}

#[test]
fn layered_circuits_of_several_windows() {
    for n in [1, 300, WINDOW / 2, WINDOW, 3 * WINDOW + 17] {
        let c = library::layered(n).unwrap();
        assert!(n < WINDOW || c.num_gates() > WINDOW);
        assert_same(&bristol::to_string(&c), &format!("layered({n})"));
    }
}

/// A random valid circuit of `n_gates` gates of every kind, operands mostly recent wires
/// (so that AND levels build up inside the windows), widths split into several values.
fn random_circuit(seed: u64, n_gates: usize) -> Circuit {
    let mut rng = StdRng::seed_from_u64(seed);
    let n_in = rng.random_range(1..40u32);
    let mands: Vec<u32> = (0..n_gates).map(|_| rng.random_range(1..5u32)).collect();
    let kinds: Vec<u32> = (0..n_gates).map(|_| rng.random_range(0..6u32)).collect();
    let written: u32 = kinds
        .iter()
        .zip(&mands)
        .map(|(&k, &n)| if k == 5 { n } else { 1 })
        .sum();
    let n_out = rng.random_range(1..=written.min(50));
    let split = rng.random_range(0..=n_out);
    let outputs: Vec<u32> = [split, n_out - split]
        .into_iter()
        .filter(|&w| w > 0)
        .collect();
    let mut c = Circuit::new(n_in + written, vec![n_in], outputs).unwrap();
    let mut next = n_in;
    for (&k, &n) in kinds.iter().zip(&mands) {
        let pick = |rng: &mut StdRng| match rng.random_range(0..4) {
            0 => rng.random_range(0..next),
            _ => rng.random_range(next.saturating_sub(64)..next),
        };
        let (a, b) = (pick(&mut rng), pick(&mut rng));
        let g = match k {
            0 => Gate::Xor { a, b, out: next },
            1 => Gate::And { a, b, out: next },
            2 => Gate::Inv { a, out: next },
            3 => Gate::Eq {
                value: rng.random(),
                out: next,
            },
            4 => Gate::Eqw { a, out: next },
            _ => {
                let l: Vec<u32> = (0..n).map(|_| pick(&mut rng)).collect();
                let r: Vec<u32> = (0..n).map(|_| pick(&mut rng)).collect();
                let o: Vec<u32> = (next..next + n).collect();
                c.push_mand(&l, &r, &o).unwrap();
                next += n;
                continue;
            }
        };
        c.push(g).unwrap();
        next += 1;
    }
    c.finish().unwrap()
}

#[test]
fn random_circuits_with_every_gate_kind() {
    for seed in 0..40u64 {
        let n = [1, 5, 60, 900, 4 * WINDOW][seed as usize % 5];
        let c = random_circuit(seed, n);
        assert_same(&bristol::to_string(&c), &format!("seed {seed}"));
    }
}

#[test]
fn readers_are_independent() {
    let text = bristol::to_string(&library::layered(2 * WINDOW).unwrap());
    let want = SlotMap::compute(&bristol::parse_str(&text).unwrap());
    let p = compile(&text).unwrap();
    // Interleaved in one thread, with different chunk sizes.
    let (mut r1, mut r2) = (p.ops().unwrap(), p.ops().unwrap());
    let (mut b1, mut b2) = (Vec::new(), Vec::new());
    let (mut got1, mut got2) = (Vec::new(), Vec::new());
    loop {
        r1.next_chunk(&mut b1, 5).unwrap();
        got1.extend_from_slice(&b1);
        for max in [1000, 3] {
            r2.next_chunk(&mut b2, max).unwrap();
            got2.extend_from_slice(&b2);
        }
        if b1.is_empty() {
            break;
        }
    }
    got2.extend(read_all(&mut r2, 64).unwrap());
    assert!(got1 == want.packed() && got2 == want.packed());
    // Several threads at once.
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let mut r = p.ops().unwrap();
                s.spawn(move || read_all(&mut r, 1 + 999 * t).unwrap())
            })
            .collect();
        for h in handles {
            assert!(h.join().unwrap() == want.packed());
        }
    });
}

/// The program file is unnamed: nothing shows in `dir` while it exists (so nothing is left
/// behind if the process is killed), its readers outlive it, and it has 12 bytes per op.
#[test]
fn file_is_unnamed_in_dir_and_outlived_by_readers() {
    let dir = tempfile::tempdir().unwrap();
    let text = library::builtin("adder64").unwrap();
    let p = ProgramFile::compile_bristol(text.as_bytes(), Some(dir.path())).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    assert_eq!(p.file().metadata().unwrap().len(), 12 * p.len());
    let mut r = p.ops().unwrap();
    drop(p);
    assert!(!read_all(&mut r, 100).unwrap().is_empty());
}

fn malformed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/malformed")
}

/// Both compilers reject `bytes` with the same error, or accept it with the same program.
fn same_verdict(bytes: &[u8]) -> Result<(), TestCaseError> {
    let streamed = ProgramFile::compile_bristol(bytes, None);
    match (bristol::parse(bytes), streamed) {
        (Ok(c), Ok(p)) => {
            let m = SlotMap::compute(&c);
            prop_assert_eq!(p.shape(), m.shape());
            prop_assert!(read_all(&mut p.ops().unwrap(), 1000).unwrap() == m.packed());
        }
        // the file compiler takes 32-bit wire counts, the in-memory IR 29-bit ones
        (Err(e), Ok(p)) if matches!(e.kind, bristol::ParseErrorKind::TooManyWires { .. }) => {
            prop_assert!(p.num_wires() > duet_circuits::MAX_WIRES);
        }
        // sparse wire numbers: refused in memory (statistics and evaluation take memory per
        // wire), compiled by the file compiler (its memory does not grow with the wire count)
        (Err(e), Ok(p))
            if matches!(
                e.kind,
                bristol::ParseErrorKind::Circuit(duet_circuits::CircuitError::UnusedWires { .. })
            ) =>
        {
            prop_assert!(p.num_wires() as u64 > duet_circuits::SPARE_WIRES);
        }
        (Err(e), Err(CompileError::Parse(f))) => {
            prop_assert_eq!(e.line, f.line);
            prop_assert_eq!(e.to_string(), f.to_string());
        }
        (a, b) => prop_assert!(false, "parse: {:?}, compile: {:?}", a.err(), b.err()),
    }
    Ok(())
}

#[test]
fn malformed_files_give_the_same_errors() {
    let mut n = 0;
    for entry in std::fs::read_dir(malformed_dir()).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        assert!(bristol::parse(&bytes[..]).is_err(), "{path:?}");
        same_verdict(&bytes).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        n += 1;
    }
    assert!(n >= 20);
}

#[test]
fn truncations_give_the_same_errors() {
    let text = library::builtin("neg64").unwrap().as_bytes();
    for cut in (0..400).chain((400..text.len()).step_by(331)) {
        same_verdict(&text[..cut]).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
    }
}

const SMALL: &str = "5 9\n2 2 1\n2 1 1\n\n1 1 1 3 EQ\n2 1 0 1 4 XOR\n1 1 4 5 INV\n\
                     4 2 0 1 2 5 6 8 MAND\n1 1 6 7 EQW\n\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Random byte edits of a small valid file: same program or same error.
    #[test]
    fn mutations_give_the_same_verdict(
        edits in prop::collection::vec((0usize..200, 0u8..3, any::<u8>()), 1..6),
    ) {
        let mut bytes = SMALL.as_bytes().to_vec();
        for (pos, op, b) in edits {
            let pos = pos % (bytes.len() + 1);
            let b = b"0123456789 \n"[b as usize % 12];
            match op {
                0 if pos < bytes.len() => bytes[pos] = b,
                1 => bytes.insert(pos, b),
                _ if pos < bytes.len() => { bytes.remove(pos); }
                _ => bytes.push(b),
            }
        }
        same_verdict(&bytes)?;
    }
}

/// Overwrite 12 bytes at op `i` of the program file.
fn poke(p: &ProgramFile, i: u64, rec: [u8; 12]) {
    use std::io::{Seek, SeekFrom};
    let mut f = p.file();
    f.seek(SeekFrom::Start(12 * i)).unwrap();
    f.write_all(&rec).unwrap();
}

#[test]
fn damaged_files_are_rejected_without_panic() {
    let text = bristol::to_string(&library::layered(WINDOW).unwrap());
    let p = compile(&text).unwrap();
    let n_slots = p.shape().num_slots() as u32;
    let i = p.len() / 2;
    let good = read_all(&mut p.ops().unwrap(), 1 << 20).unwrap()[i as usize].to_bytes();

    // A slot out of range, in each of the three words.
    for word in 0..3 {
        let mut rec = good;
        rec[4 * word..4 * word + 4].copy_from_slice(&n_slots.to_le_bytes());
        poke(&p, i, rec);
        let e = read_all(&mut p.ops().unwrap(), 1000).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidData, "{e}");
        assert!(e.to_string().contains(&format!("op {i} ")), "{e}");
        let zeros: Vec<duet_circuits::Bits> = p
            .inputs()
            .iter()
            .map(|&w| duet_circuits::Bits::repeat(false, w as usize))
            .collect();
        let r = eval::evaluate_program(
            p.shape(),
            p.inputs(),
            p.outputs(),
            &mut p.ops().unwrap(),
            &zeros,
        );
        assert!(matches!(r, Err(eval::EvalError::Program(_))), "{r:?}");
    }
    // A bit no op sets.
    let mut rec = good;
    rec[11] |= 0x80;
    poke(&p, i, rec);
    let e = read_all(&mut p.ops().unwrap(), 7).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidData, "{e}");
    poke(&p, i, good);
    assert_eq!(
        read_all(&mut p.ops().unwrap(), 7).unwrap().len() as u64,
        p.len()
    );

    // Truncated before a reader opens it: refused at open.
    let mut r = p.ops().unwrap();
    p.file().set_len(12 * p.len() - 5).unwrap();
    let e = p.ops().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidData, "{e}");
    // Truncated under an open reader: an error at the end, not a panic.
    let e = read_all(&mut r, 1000).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnexpectedEof, "{e}");
    assert_eq!(r.position(), p.len() / 1000 * 1000);
}

#[test]
fn empty_and_gateless_circuits() {
    // No gates: the outputs are the inputs.
    assert_same("0 2\n1 2\n1 2\n\n", "identity");
    // One wire, a constant.
    assert_same("1 1\n0\n1 1\n\n1 1 1 0 EQ\n", "constant");
}

/// A circuit numbering its wires past 2^29 (so every 10^9-gate file): the in-memory parser
/// refuses it, the file compiler gives exactly the program of the same circuit numbered
/// compactly (slots do not depend on wire ids), and refuses more than 2^32 − 2 wires.
#[test]
fn wire_ids_past_2_29_compile_like_compact_ones() {
    let big = 1u32 << 30;
    let (x, o) = (big, big + 7); // the output is the last wire
    let text = format!(
        "3 {n}\n2 1 1\n1 1\n\n2 1 0 1 {x} AND\n1 1 {x} {y} INV\n2 1 {y} 0 {o} XOR\n",
        n = big + 8,
        y = big + 3,
    );
    let small = "3 5\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n1 1 2 3 INV\n2 1 3 0 4 XOR\n";
    let e = bristol::parse_str(&text).unwrap_err();
    assert!(
        matches!(e.kind, bristol::ParseErrorKind::TooManyWires { max, .. } if max == duet_circuits::MAX_WIRES),
        "{e}"
    );
    let p = compile(&text).unwrap();
    let m = SlotMap::compute(&bristol::parse_str(small).unwrap());
    assert_eq!(p.num_wires(), big + 8);
    assert_eq!(p.shape(), m.shape());
    assert!(read_all(&mut p.ops().unwrap(), 2).unwrap() == m.packed());
    let e = compile(&format!("0 {}\n1 1\n1 1\n\n", u32::MAX)).unwrap_err();
    assert!(e.to_string().contains("at most 4294967294"), "{e}");
    // more input wires than slots can number: refused at the header, before any allocation
    let e = compile(&format!("0 {n}\n1 {n}\n1 1\n\n", n = 1u32 << 30)).unwrap_err();
    assert!(e.to_string().contains("2^29-6 input bits"), "{e}");
    assert!(e.to_string().contains("line 3"), "{e}");
}

/// `save` then `open` gives the same program (shape, ops, digest, counts, widths); the saved
/// file is recognised by its magic; a damaged, truncated or extended file, or another
/// version, is refused with `InvalidData` naming the problem.
#[test]
fn saved_programs_reopen_identically_and_damage_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = bristol::to_string(&library::layered(3 * WINDOW).unwrap());
    let p = compile(&text).unwrap();
    let path = dir.path().join("prog.duet");
    p.save(&path).unwrap();
    assert!(ProgramFile::is_saved(&path));
    let q = ProgramFile::open(&path).unwrap();
    assert_eq!(q.shape(), p.shape());
    // a saved program announces the digest of its ops, not the Bristol circuit's
    assert_ne!(q.digest(), p.digest());
    let again = dir.path().join("again.duet");
    q.save(&again).unwrap();
    assert_eq!(ProgramFile::open(&again).unwrap().digest(), q.digest());
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(&path).unwrap()
    );
    assert_eq!((q.inputs(), q.outputs()), (p.inputs(), p.outputs()));
    assert_eq!(
        (q.num_wires(), q.num_gates()),
        (p.num_wires(), p.num_gates())
    );
    assert_eq!(
        (q.and_count(), q.xor_count()),
        (p.and_count(), p.xor_count())
    );
    let want = read_all(&mut p.ops().unwrap(), 1 << 20).unwrap();
    assert!(read_all(&mut q.ops().unwrap(), 777).unwrap() == want);
    let q_digest = q.digest();
    drop(q);

    let good = std::fs::read(&path).unwrap();
    let text_path = dir.path().join("c.txt");
    std::fs::write(&text_path, &text).unwrap();
    assert!(!ProgramFile::is_saved(&text_path));
    let refuse = |bytes: &[u8], what: &str| {
        std::fs::write(&path, bytes).unwrap();
        let e = ProgramFile::open(&path).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidData, "{what}: {e}");
        assert!(e.to_string().contains(what), "{what}: {e}");
    };
    let mut flipped = good.clone();
    let mid = good.len() / 2;
    flipped[mid] ^= 1;
    refuse(&flipped, "checksum");
    refuse(&good[..good.len() - 5], "bytes after the header");
    let mut longer = good.clone();
    longer.extend_from_slice(&[0; 12]);
    refuse(&longer, "bytes after the header");
    let mut v1 = good.clone();
    v1[8] = 1;
    refuse(&v1, "version 1");
    refuse(&good[..64 + 22], "ends inside its header");
    // an op edited and the checksum refreshed: the program digest no longer matches
    let n = good.len();
    let mut edited = good.clone();
    let (last, prev) = (n - 64 - 12, n - 64 - 24);
    let op = edited[last..last + 12].to_vec();
    edited.copy_within(prev..prev + 12, last);
    edited[prev..prev + 12].copy_from_slice(&op);
    assert_ne!(edited, good, "two different ops swapped");
    let sum = blake3::hash(&edited[..n - 32]);
    edited[n - 32..].copy_from_slice(sum.as_bytes());
    refuse(&edited, "does not match its ops");
    // ... and with the digest refreshed too it opens, announcing another digest
    let mut both = edited.clone();
    let d = blake3::Hasher::new_derive_key("duet-gc saved program digest v2")
        .update(&edited[..n - 64])
        .finalize();
    both[n - 64..n - 32].copy_from_slice(d.as_bytes());
    let sum = blake3::hash(&both[..n - 32]);
    both[n - 32..].copy_from_slice(sum.as_bytes());
    std::fs::write(&path, &both).unwrap();
    assert_ne!(ProgramFile::open(&path).unwrap().digest(), q_digest);
    // a bad op (slot past the program's) with digest and checksum refreshed: refused at open
    let mut badop = good.clone();
    badop[n - 64 - 12..n - 64 - 8].copy_from_slice(&0x0fff_ffffu32.to_le_bytes());
    let d = blake3::Hasher::new_derive_key("duet-gc saved program digest v2")
        .update(&badop[..n - 64])
        .finalize();
    badop[n - 64..n - 32].copy_from_slice(d.as_bytes());
    let sum = blake3::hash(&badop[..n - 32]);
    badop[n - 32..].copy_from_slice(sum.as_bytes());
    refuse(&badop, "op ");
    refuse(&good[..20], "too short");
    refuse(b"2 1 0 1 2 AND", "not a saved program");
    // a huge input count is refused before anything is allocated for it
    let mut huge = good.clone();
    huge[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
    refuse(&huge, "do not fit the file");
}
