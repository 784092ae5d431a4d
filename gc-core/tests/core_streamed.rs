//! Streamed slot programs: a garbler and an evaluator that read their ops chunk by chunk
//! from an `OpSource` produce exactly the tables and output labels of the in-memory
//! program, and a source that fails, ends early, runs long or holds an op outside the
//! program's slots gives `GcError::Program`, never a panic.

use duet_circuits::library;
use duet_circuits::liveness::{OpSource, PackedOp, ProgramShape, SlotMap};
use duet_core::{Block, Delta};
use duet_gc_core::{Evaluator, Garbler, GcError, HalfGates, STREAM_CHUNK_OPS, Scheme, ThreeHalves};
use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;
use std::io;

/// Serves `ops` in chunks of at most `chunk` (and of the caller's `max`), failing with an
/// I/O error once `fail_at` ops have been served.
struct VecSource {
    ops: Vec<PackedOp>,
    at: usize,
    chunk: usize,
    fail_at: Option<usize>,
}

impl VecSource {
    fn boxed(ops: &[PackedOp], chunk: usize) -> Box<VecSource> {
        Box::new(VecSource {
            ops: ops.to_vec(),
            at: 0,
            chunk,
            fail_at: None,
        })
    }
}

impl OpSource for VecSource {
    fn next_chunk(&mut self, buf: &mut Vec<PackedOp>, max: usize) -> io::Result<()> {
        assert!(max >= 1);
        if self.fail_at.is_some_and(|f| self.at >= f) {
            return Err(io::Error::other("disk on fire"));
        }
        let n = self.chunk.min(max).min(self.ops.len() - self.at);
        buf.clear();
        buf.extend_from_slice(&self.ops[self.at..self.at + n]);
        self.at += n;
        Ok(())
    }
}

struct Labels {
    delta: Delta,
    salt: Block,
    zero: Vec<Block>,
    active: Vec<Block>,
}

fn labels(n: usize, rng: &mut ChaCha12Rng) -> Labels {
    let delta = Delta::random(rng);
    let zero: Vec<Block> = (0..n).map(|_| Block::random(rng)).collect();
    let active = zero
        .iter()
        .enumerate()
        .map(|(i, z)| *z ^ delta.select(i % 3 == 1))
        .collect();
    Labels {
        delta,
        salt: Block::random(rng),
        zero,
        active,
    }
}

/// Garble `prog` in memory and streamed (ops in chunks of `chunk`), check the tables and
/// output labels agree, and evaluate the streamed tables with a streamed evaluator fed in
/// table pieces of `piece` bytes.
fn same_as_memory<S: Scheme>(prog: &SlotMap, chunk: usize, piece: usize, rng: &mut ChaCha12Rng) {
    let l = labels(prog.input_slots().len(), rng);
    let seed = Block::random(rng);
    let mut g = Garbler::<S>::with_scheme(prog, &l.delta, &l.zero, l.salt).unwrap();
    g.set_random_seed(seed);
    let want = g.garble_all();
    let mut e = Evaluator::<S>::with_scheme(prog, &l.active, l.salt).unwrap();
    e.consume(&want).unwrap();
    let want_out = e.finish().unwrap();

    let shape = prog.shape();
    let src = VecSource::boxed(prog.packed(), chunk);
    let mut gs = Garbler::<S>::streamed_with_scheme(shape, src, &l.delta, &l.zero, l.salt).unwrap();
    gs.set_random_seed(seed);
    gs.set_batch_bytes(16_000);
    let mut tables = Vec::new();
    while gs.try_next_batch(&mut tables).unwrap() {}
    assert_eq!(tables, want, "chunk {chunk}");
    assert_eq!(
        gs.output_zero_labels().unwrap(),
        g.output_zero_labels().unwrap()
    );

    let src = VecSource::boxed(prog.packed(), chunk);
    let mut es = Evaluator::<S>::streamed_with_scheme(shape, src, &l.active, l.salt).unwrap();
    for p in tables.chunks(piece) {
        es.consume(p).unwrap();
    }
    assert_eq!(
        es.finish().unwrap(),
        want_out,
        "chunk {chunk} piece {piece}"
    );
}

#[test]
fn streamed_programs_garble_and_evaluate_like_in_memory_ones() {
    let mut rng = ChaCha12Rng::seed_from_u64(21);
    let aes = SlotMap::compute(&library::load("aes_128").unwrap());
    let layered = SlotMap::compute(&library::layered(3 * 4096).unwrap());
    for (prog, chunks) in [
        (&aes, &[1usize, 7, 4096, STREAM_CHUNK_OPS][..]),
        (&layered, &[STREAM_CHUNK_OPS, 5000][..]),
    ] {
        for &chunk in chunks {
            for piece in [1, 33, 65_536] {
                same_as_memory::<HalfGates>(prog, chunk, piece, &mut rng);
                same_as_memory::<ThreeHalves>(prog, chunk, piece, &mut rng);
            }
        }
    }
}

fn expect_program_error(r: Result<impl std::fmt::Debug, GcError>, what: &str) -> u64 {
    match r {
        Err(GcError::Program { at, what: w }) => {
            assert!(w.contains(what), "{w:?} lacks {what:?}");
            at
        }
        other => panic!("expected a program error about {what:?}, got {other:?}"),
    }
}

/// Garble until the garbler is done or fails; the last result.
fn garble_to_end(g: &mut Garbler, tables: &mut Vec<u8>) -> Result<bool, GcError> {
    loop {
        match g.try_next_batch(tables) {
            Ok(true) => continue,
            r => return r,
        }
    }
}

/// Garble and evaluate with ops from `make()`; both must fail with a program error
/// containing `what` at op `at`.
fn both_fail(shape: &ProgramShape, make: &dyn Fn() -> Box<VecSource>, what: &str, at: u64) {
    let mut rng = ChaCha12Rng::seed_from_u64(5);
    let l = labels(shape.input_slots.len(), &mut rng);
    let mut g = Garbler::streamed(shape, make(), &l.delta, &l.zero, l.salt).unwrap();
    let mut tables = Vec::new();
    let r = garble_to_end(&mut g, &mut tables);
    assert_eq!(expect_program_error(r, what), at);
    // the garbler stays failed
    expect_program_error(g.output_zero_labels(), what);
    assert!(!g.next_batch(&mut tables));

    let mut e = Evaluator::streamed(shape, make(), &l.active, l.salt).unwrap();
    let bytes = vec![0u8; 32 * shape.and_count as usize];
    let r = e.consume(&bytes);
    assert_eq!(expect_program_error(r, what), at);
    expect_program_error(e.finish(), what);
}

#[test]
fn broken_sources_give_program_errors() {
    let prog = SlotMap::compute(&library::load("aes_128").unwrap());
    let shape = prog.shape();
    let ops = prog.packed();
    assert!(ops.len() > 3000);

    // a read error after 2,000 ops
    let failing = || {
        let mut s = VecSource::boxed(ops, 1000);
        s.fail_at = Some(2000);
        s
    };
    both_fail(shape, &failing, "disk on fire", 2000);

    // a program that ends early
    let short = || VecSource::boxed(&ops[..ops.len() - 10], 4096);
    let n = ops.len() as u64;
    both_fail(shape, &short, "ended after", n - 10);

    // a source that serves more ops than the program has (ignoring `max`)
    let liar = || {
        let mut v = ops.to_vec();
        v.extend_from_slice(&ops[..5]);
        Box::new(LyingSource(VecSource {
            ops: v,
            at: 0,
            chunk: 4096,
            fail_at: None,
        }))
    };
    let mut rng = ChaCha12Rng::seed_from_u64(6);
    let l = labels(shape.input_slots.len(), &mut rng);
    let mut g = Garbler::streamed(shape, liar(), &l.delta, &l.zero, l.salt).unwrap();
    let mut tables = Vec::new();
    let r = garble_to_end(&mut g, &mut tables);
    expect_program_error(r, "more ops than");

    // an op whose output slot is past the label array
    let bad_at = 1234;
    let bad = || {
        let mut v = ops.to_vec();
        let mut b = v[bad_at].to_bytes();
        let far = (shape.num_slots() as u32).to_le_bytes();
        b[8..12].copy_from_slice(&far);
        v[bad_at] = PackedOp::from_bytes(&b).unwrap();
        Box::new(VecSource {
            ops: v,
            at: 0,
            chunk: 1000,
            fail_at: None,
        })
    };
    both_fail(shape, &bad, "outside the program", bad_at as u64);
}

/// Ignores the caller's `max` (a source that does not keep to the trait).
struct LyingSource(VecSource);

impl OpSource for LyingSource {
    fn next_chunk(&mut self, buf: &mut Vec<PackedOp>, _max: usize) -> io::Result<()> {
        self.0.next_chunk(buf, usize::MAX)
    }
}

/// A shape whose slots fall outside its own label array (or on a reserved slot) is refused
/// by both cores and by the plaintext evaluator, before any label is placed.
#[test]
fn shapes_with_slots_out_of_range_are_refused() {
    let prog = SlotMap::compute(&library::load("adder64").unwrap());
    let mut rng = ChaCha12Rng::seed_from_u64(8);
    let l = labels(prog.input_slots().len(), &mut rng);
    let n = prog.num_slots() as u32;
    let mut past_out = prog.shape().clone();
    past_out.output_slots[3] = n;
    let mut reserved_in = prog.shape().clone();
    reserved_in.input_slots[0] = duet_circuits::liveness::SLOT_NOT;
    let mut huge = prog.shape().clone();
    huge.peak = u32::MAX;
    for (bad, what) in [
        (past_out, "output slot"),
        (reserved_in, "input slot"),
        (huge, "32-bit"),
    ] {
        let src = VecSource::boxed(prog.packed(), 100);
        let r = Garbler::streamed(&bad, src, &l.delta, &l.zero, l.salt).map(|_| ());
        expect_program_error(r, what);
        let src = VecSource::boxed(prog.packed(), 100);
        let r = Evaluator::streamed(&bad, src, &l.active, l.salt).map(|_| ());
        expect_program_error(r, what);
        let mut src = VecSource::boxed(prog.packed(), 100);
        let zeros: Vec<duet_circuits::Bits> = [64, 64]
            .iter()
            .map(|&w| duet_circuits::Bits::repeat(false, w))
            .collect();
        let r = duet_circuits::eval::evaluate_program(&bad, &[64, 64], &[64], &mut *src, &zeros);
        assert!(
            matches!(&r, Err(duet_circuits::eval::EvalError::Program(m)) if m.contains(what)),
            "{what}: {r:?}"
        );
    }
}
