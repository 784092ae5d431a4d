//! `duet-gc`: the semi-honest two-party garbled-circuit protocol (Yao with half-gates,
//! Zahur–Rosulek–Evans, eprint 2014/756; free-XOR and point-and-permute) over a
//! `duet_net::Channel`: handshake, sessions, streamed runs and output decoding. The sans-IO
//! garbler and evaluator it drives are the [`duet_gc_core`] crate, re-exported here
//! ([`Garbler`], [`Evaluator`], [`multi`], [`half_gates`]).
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
//!     let mut s = Session::garbler(a, SessionOptions::default()).await?; // hello
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
//! - [`Session::garbler`] / [`Session::evaluator`]`(Channel, SessionOptions)`: the hello
//!   negotiation (version, roles, OT extension and security); the OT extension
//!   ([`SessionOptions::ot`]: IKNP/KOS or Ferret) is set up with base OT **once per
//!   connection**, after the first run's offers agree; the garbler's Δ is the COT
//!   correlation, so the evaluator's input labels are COT outputs.
//! - [`Session::run_prepared`]`(&Prepared, &[(input index, Bits)], OutputPolicy)` →
//!   `Vec<Bits>` (the outputs in header order, or empty if the policy hides them from this
//!   party); [`Session::run`] takes a `&Circuit` and prepares it on the fly. Call it any
//!   number of times; both parties must make the same calls in the same order. Inputs this
//!   party does not give belong to the peer.
//! - Every run starts with a negotiation ([`handshake`], through `duet_net::wire`): blake3
//!   digest of the circuit, input ownership, scheme and [`OutputPolicy`] are compared by
//!   both parties, and any difference fails
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

pub mod handshake;
pub mod protocol;
mod session;

pub use duet_gc_core::{
    CONST_LABEL, CheckedProgram, DEFAULT_BATCH_BYTES, Evaluator, Garbler, GcError, HalfGates,
    STREAM_CHUNK_OPS, Scheme, SchemeKind, ThreeHalves, decode, half_gates, multi, scheme,
    split_values,
};

pub use handshake::{CircuitDigest, OutputPolicy, Role};
pub use protocol::{OtKind, Prepared, ProtocolError, RunStats, SessionOptions};
pub use session::Session;
