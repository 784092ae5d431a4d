//! `duet-gc`: half-gates garbled circuits (Zahur–Rosulek–Evans, eprint 2014/756) with
//! free-XOR and point-and-permute, and the semi-honest two-party protocol on top.
//!
//! # Sync core (sans-IO)
//!
//! ```
//! use duet_circuits::{Circuit, Gate, liveness::SlotMap};
//! use duet_core::{Block, Delta};
//! use duet_gc::{Evaluator, Garbler, decode};
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
//!   in chunks of [`STREAM_CHUNK_OPS`] ops; in the protocol, [`Prepared::from_file`].
//! - The hash (fixed-key AES TCCR of GKWY20 with per-run salted gate tweaks) and the
//!   batched kernels [`hash::garble_and_gates`] / [`hash::evaluate_and_gates`] are in
//!   [`hash`], which documents the choice.
//! - Public constants (EQ gates): the evaluator's active label is always [`CONST_LABEL`];
//!   the garbler's 0-label is `CONST_LABEL ⊕ c·Δ`. No bytes are sent for XOR, INV, EQ, EQW.
//!
//! # Two-party protocol ([`Session`])
//!
//! ```
//! use duet_circuits::{library, values};
//! use duet_gc::{OutputPolicy, Prepared, Session, SessionOptions};
//! use duet_net::{ChannelConfig, duplex_pair};
//!
//! # tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(async {
//! let aes = Prepared::new(library::load("aes_128").unwrap()); // digest + slot program, once
//! let key = values::parse_hex("000102030405060708090a0b0c0d0e0f", 128).unwrap();
//! let pt = values::parse_hex("00112233445566778899aabbccddeeff", 128).unwrap();
//! let (a, b) = duplex_pair(&ChannelConfig::default()); // or duet_net::tcp::{listen, connect}
//! let (p1, p2) = (aes.clone(), aes.clone());
//! let g = tokio::spawn(async move {
//!     let mut s = Session::garbler(a, SessionOptions::default()).await?; // hello + base OT
//!     s.run_prepared(&p1, &[(0, key)], OutputPolicy::Both).await // input 0 is mine
//! });
//! let e = tokio::spawn(async move {
//!     let mut s = Session::evaluator(b, SessionOptions::default()).await?;
//!     s.run_prepared(&p2, &[(1, pt)], OutputPolicy::Both).await // input 1 is mine
//! });
//! let (g, e) = (g.await.unwrap().unwrap(), e.await.unwrap().unwrap());
//! assert_eq!(values::to_hex(&g[0]), "69c4e0d86a7b0430d8cdb78070b4c55a");
//! assert_eq!(g, e);
//! # });
//! ```
//!
//! - [`Session::garbler`] / [`Session::evaluator`]`(Channel, SessionOptions)`: hello (version,
//!   roles), then IKNP set-up with base OT **once per connection**; the garbler's Δ is the
//!   COT correlation, so the evaluator's input labels are COT outputs.
//! - [`Session::run_prepared`]`(&Prepared, &[(input index, Bits)], OutputPolicy)` →
//!   `Vec<Bits>` (the outputs in header order, or empty if the policy hides them from this
//!   party); [`Session::run`] takes a `&Circuit` and prepares it on the fly. Call it any
//!   number of times; both parties must make the same calls in the same order. Inputs this
//!   party does not give belong to the peer.
//! - Every run starts with a handshake ([`handshake`]): blake3 digest of the circuit, input
//!   ownership and [`OutputPolicy`] are compared by both parties, and any difference fails
//!   both with the same [`ProtocolError::Handshake`] text (e.g. `circuit mismatch: garbler
//!   has 3f2a…, evaluator has 9b1c…`, `input 1 claimed by both parties`) before a secret is
//!   used; the session stays usable after such a failure.
//! - Tables stream in ≈ 1 MiB frames while the garbler garbles; large circuits garble and
//!   evaluate on blocking threads that overlap with the I/O (see [`protocol`]).
//! - [`Session::last_stats`] / [`Session::total_stats`] give AND/XOR counts, bytes and
//!   seconds; [`SessionOptions::progress`] counts AND gates for progress bars;
//!   [`Session::channel`] gives the channel for an application's own messages between runs.
//! - Lower level (hybrid conversions): [`Garbler`] / [`Evaluator`] with your own labels, and
//!   [`multi::Lockstep`] for many instances of one small circuit at once.

mod aes;
mod error;
mod evaluator;
mod garbler;
pub mod hash;
pub mod multi;
mod ops;

pub mod handshake;
pub mod protocol;
mod session;

pub use error::GcError;
pub use evaluator::{Evaluator, decode, split_values};
pub use garbler::{DEFAULT_BATCH_BLOCKS, Garbler};
pub use ops::STREAM_CHUNK_OPS;

pub use handshake::{CircuitDigest, OutputPolicy, Role};
pub use protocol::{Prepared, ProtocolError, RunStats, SessionOptions};
pub use session::Session;

use duet_core::Block;

/// The public active label of every constant wire (EQ gate): the evaluator holds it for
/// both constants, the garbler's 0-label is `CONST_LABEL ⊕ c·Δ`. Any public value works;
/// this one is "duet-gc constant" in ASCII.
pub const CONST_LABEL: Block = Block(u128::from_le_bytes(*b"duet-gc constant"));
