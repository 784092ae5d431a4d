//! `duet-gc-core`: the sans-IO garbling core of Duet — garbler and evaluator over slot
//! programs, with no async runtime and no I/O. The two-party protocol (handshake, sessions,
//! streaming) is `duet-gc`, which drives these types over a channel.
//!
//! # Sync core (sans-IO)
//!
//! ```
//! use duet_circuits::{Circuit, Gate, liveness::SlotMap};
//! use duet_core::{Block, Delta};
//! use duet_gc_core::{Evaluator, Garbler, decode};
//!
//! // out = x AND y
//! let mut c = Circuit::new(3, vec![1, 1], vec![1]).unwrap();
//! c.push(Gate::And { a: 0, b: 1, out: 2 }).unwrap();
//! let c = c.finish().unwrap();
//! let prog = SlotMap::compute(&c);
//!
//! let mut rng = rand::rng();
//! let delta = Delta::random(&mut rng);
//! let salt = Block::random(&mut rng); // public, sent to the evaluator
//! let zero: Vec<Block> = (0..2).map(|_| Block::random(&mut rng)).collect();
//! let mut g = Garbler::new(&prog, &delta, &zero, salt).unwrap();
//! let mut tables = Vec::new();
//! while g.next_batch(&mut tables) {} // stream each batch in real use
//!
//! // x = 1, y = 1: the evaluator holds the 1-labels (via OT for its own inputs).
//! let active = [zero[0] ^ delta.as_block(), zero[1] ^ delta.as_block()];
//! let mut e = Evaluator::new(&prog, &active, salt).unwrap();
//! e.consume(&tables).unwrap();
//! let labels = e.finish().unwrap();
//! let out = decode(&labels, &g.decoding_bits().unwrap()).unwrap();
//! assert!(out[0]);
//! ```
//!
//! - [`Garbler::new`]`(&SlotMap, &Delta, input_zero_labels, salt)` → pull batches with
//!   [`Garbler::next_batch`] (≈ 1 MiB each, 2 blocks per AND gate in gate order), then
//!   [`Garbler::output_zero_labels`] / [`Garbler::decoding_bits`].
//! - [`Evaluator::new`]`(&SlotMap, input_active_labels, salt)` → [`Evaluator::consume`] the
//!   blocks as they arrive (any split), then [`Evaluator::finish`] → active output labels,
//!   [`decode`] with the decoding bits, [`split_values`] into per-output [`Bits`](duet_circuits::Bits).
//! - Labels live in the slots of [`duet_circuits::liveness::SlotMap`]: memory is O(peak
//!   live wires); tables are never held whole.
//! - Circuits too large to hold: [`Garbler::streamed`] / [`Evaluator::streamed`] read the
//!   slot program from an [`OpSource`](duet_circuits::liveness::OpSource) (e.g. a
//!   [`ProgramFile`](duet_circuits::program_file::ProgramFile) compiled from a Bristol file)
//!   in chunks of [`STREAM_CHUNK_OPS`] ops; in the protocol, `duet_gc::Prepared::from_file`.
//! - The hash (fixed-key AES TCCR of GKWY20 with per-run salted gate tweaks) and the
//!   batched kernels [`half_gates::garble_and_gates`] /
//!   [`half_gates::evaluate_and_gates`] are in [`half_gates`], which documents the choice.
//! - Public constants (EQ gates): the evaluator's active label is always [`CONST_LABEL`];
//!   the garbler's 0-label is `CONST_LABEL ⊕ c·Δ`. No bytes are sent for XOR, INV, EQ, EQW.
//!
//! - [`multi::Lockstep`]: many instances of one small circuit at once (the hybrid layer's
//!   conversions).

#![deny(unsafe_code)]

mod error;
#[allow(unsafe_code)] // until the executor owns the XOR loop
mod evaluator;
#[allow(unsafe_code)]
mod exec;
#[allow(unsafe_code)] // until the executor owns the XOR loop
mod garbler;
#[allow(unsafe_code)]
pub mod half_gates;
pub mod multi;
mod ops;
mod pi;
pub mod scheme;
#[allow(unsafe_code)] // the fused VAES kernels (three_halves/vaes.rs)
pub mod three_halves;

pub use error::GcError;
pub use evaluator::{Evaluator, decode, split_values};
pub use garbler::{DEFAULT_BATCH_BYTES, Garbler};
pub use ops::{CheckedProgram, STREAM_CHUNK_OPS};
pub use scheme::{HalfGates, Scheme, SchemeKind};
pub use three_halves::ThreeHalves;

use duet_core::Block;

/// The public active label of every constant wire (EQ gate): the evaluator holds it for
/// both constants, the garbler's 0-label is `CONST_LABEL ⊕ c·Δ`. Any public value works;
/// this one is "duet-gc constant" in ASCII.
pub const CONST_LABEL: Block = Block(u128::from_le_bytes(*b"duet-gc constant"));
