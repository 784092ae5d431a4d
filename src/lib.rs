//! Duet: two-party secure computation with garbled circuits, from one dependency.
//!
//! The millionaires' problem — who is richer, revealing nothing else — as a typed program,
//! run here by both parties in one process:
//!
//! ```
//! use duet::{Inputs, Program, Role};
//!
//! let p = Program::new();
//! let alice = p.input::<u64>("alice", Role::Garbler)?;
//! let bob = p.input::<u64>("bob", Role::Evaluator)?;
//! p.output("alice_richer", alice.gt(&bob))?;
//! let (g, e) = p.compile()?.run_local(
//!     &Inputs::new().with("alice", 2_000_000u64),
//!     &Inputs::new().with("bob", 1_500_000u64),
//! )?;
//! assert!(g.get::<bool>("alice_richer")?);
//! assert!(e.get::<bool>("alice_richer")?);
//! # Ok::<(), duet::ProgramError>(())
//! ```
//!
//! Over a network, each party runs its own side: [`Compiled::run_tcp`] (the garbler
//! listens, the evaluator connects; with [`SecureKeys`] the channel is encrypted and
//! authenticated with pinned keys made by `gc-run keygen`), or [`Compiled::run`] in a
//! [`Session`] on any [`Channel`]. `examples/millionaires.rs` does it over TCP with keys.
//!
//! # What is here
//! - [`program`]: typed secret values (`bool`, `u8`…`u64`, `i8`…`i64`) whose operations
//!   record a circuit; named, typed inputs and outputs; runs in the clear, in one process,
//!   or as one party ([`Program`], [`Secret`], [`Inputs`], [`Outputs`], [`Compiled`]).
//! - Circuits: [`CircuitBuilder`] (gates and word gadgets), [`Circuit`], Bristol Fashion
//!   files and the shipped circuits ([`library`]), hex values ([`values`]).
//! - The garbled-circuit protocol: [`Session`] (one connection, many runs), [`Prepared`]
//!   (a circuit with its digest and slot program), [`SessionOptions`], [`OutputPolicy`],
//!   [`Role`].
//! - The channel: [`Channel`], [`duplex_pair`] (in memory), [`tcp`] (plain TCP), [`secure`]
//!   (Noise XX with pinned keys), keys ([`StaticKeyPair`], [`PublicKey`], [`SecureKeys`]),
//!   [`run_pair`] (both parties of a one-process run).
//! - Applications: [`psi`] (private set intersection, KKRT16) and [`compare`] (many
//!   comparisons in one circuit).
//! - The layers themselves, for everything else: [`circuits`], [`gc`], [`net`], [`ot`],
//!   [`hybrid`] (arithmetic shares and circom-2-arithc circuits), [`core`].

pub mod compare;
#[doc(hidden)]
pub mod fuzzing;
pub mod program;
pub mod psi;

pub use program::{
    Compiled, DynSecret, Inputs, OutputPolicy, Outputs, Program, ProgramError, Role, Secret,
    ValueType,
};

pub use duet_circuits::builder::CircuitBuilder;
pub use duet_circuits::{Bits, Circuit, library, values};
pub use duet_gc::{Prepared, ProtocolError, RunStats, Session, SessionOptions};
pub use duet_net::{
    Channel, ChannelConfig, NetError, PublicKey, SecureKeys, StaticKeyPair, duplex_pair, run_pair,
    secure, tcp,
};

/// The circuit layer (`duet-circuits`): IR, Bristol Fashion, builder, evaluation.
pub use duet_circuits as circuits;
/// The core layer (`duet-core`): blocks, Δ, fixed-key AES hashes, PRG.
pub use duet_core as core;
/// The garbled-circuit protocol (`duet-gc`): handshake, sessions, runs.
pub use duet_gc as gc;
/// The hybrid arithmetic/Boolean layer (`duet-hybrid`): circom-2-arithc circuits on shares.
pub use duet_hybrid as hybrid;
/// The channel (`duet-net`): TCP, secure TCP, in-memory duplex.
pub use duet_net as net;
/// Oblivious transfer (`duet-ot`): base OT, IKNP/KOS, Ferret, KKRT16 OPRF.
pub use duet_ot as ot;
