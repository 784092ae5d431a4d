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
//! # Two parties over TCP with pinned keys
//!
//! Each party has a static key pair (`gc-run keygen`, or [`StaticKeyPair::generate`]) and
//! pins the other's public key; [`secure`] runs Noise XX over TCP and refuses any other key.
//! Here both parties run in one process on a port the system picks:
//!
//! ```
//! use std::time::Duration;
//! use duet::{ChannelConfig, Inputs, Program, Role, SecureKeys, Session, SessionOptions};
//! use duet::StaticKeyPair;
//!
//! let p = Program::new();
//! let a = p.input::<i32>("a", Role::Garbler)?;
//! let b = p.input::<i32>("b", Role::Evaluator)?;
//! p.output("sum", a + b)?;
//! let prog = p.compile()?;
//! let (ka, kb) = (StaticKeyPair::generate().unwrap(), StaticKeyPair::generate().unwrap());
//! let (garbler_keys, evaluator_keys) = (
//!     SecureKeys::new(ka.clone(), kb.public()),
//!     SecureKeys::new(kb, ka.public()),
//! );
//! let rt = tokio::runtime::Runtime::new().unwrap();
//! let (g, e) = rt.block_on(async {
//!     let cfg = ChannelConfig::default();
//!     let wait = Duration::from_secs(10);
//!     let listener = duet::tcp::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr().unwrap().to_string();
//!     tokio::try_join!(
//!         async {
//!             let ch = duet::secure::accept(&listener, &cfg, wait, &garbler_keys).await?;
//!             let mut s = Session::garbler(ch, SessionOptions::default()).await?;
//!             prog.run(&mut s, &Inputs::new().with("a", -40i32)).await
//!         },
//!         async {
//!             let ch = duet::secure::connect(&addr, &cfg, wait, &evaluator_keys).await?;
//!             let mut s = Session::evaluator(ch, SessionOptions::default()).await?;
//!             prog.run(&mut s, &Inputs::new().with("b", 2i32)).await
//!         },
//!     )
//! })?;
//! assert_eq!(g.get::<i32>("sum")?, -38);
//! assert_eq!(e.get::<i32>("sum")?, -38);
//! # Ok::<(), duet::ProgramError>(())
//! ```
//!
//! # Circuits from files, PSI and comparison
//!
//! ```
//! use duet::{ChannelConfig, OutputPolicy, Prepared, Session, SessionOptions};
//! use duet::{duplex_pair, library, psi, run_pair, values};
//!
//! // AES-128 from the shipped library (or any Bristol Fashion file), run as circuit indices
//! let aes = Prepared::new(library::load("aes_128").unwrap());
//! let key = values::parse_hex("000102030405060708090a0b0c0d0e0f", 128).unwrap();
//! let pt = values::parse_hex("00112233445566778899aabbccddeeff", 128).unwrap();
//! let (a, b) = duplex_pair(&ChannelConfig::default());
//! let (g, _e) = run_pair(
//!     async {
//!         let mut s = Session::garbler(a, SessionOptions::default()).await?;
//!         let ct = s.run_prepared(&aes, &[(0, key)], OutputPolicy::Both).await?;
//!         // then a comparison in the same session: both learn less / equal / greater
//!         let o = duet::compare::compare(&mut s, 10, duet::compare::CompareSpec::default())
//!             .await
//!             .unwrap();
//!         Ok::<_, duet::ProtocolError>((ct, o))
//!     },
//!     async {
//!         let mut s = Session::evaluator(b, SessionOptions::default()).await?;
//!         s.run_prepared(&aes, &[(1, pt)], OutputPolicy::Both).await?;
//!         duet::compare::compare(&mut s, 20, duet::compare::CompareSpec::default())
//!             .await
//!             .unwrap();
//!         Ok::<_, duet::ProtocolError>(())
//!     },
//! )
//! .unwrap();
//! let (ct, order) = g.unwrap();
//! assert_eq!(values::to_hex(&ct[0]), "69c4e0d86a7b0430d8cdb78070b4c55a");
//! assert_eq!(order, std::cmp::Ordering::Less);
//!
//! // private set intersection: the receiver learns which of its items the sender holds
//! let (mut a, mut b) = duplex_pair(&ChannelConfig::default());
//! let cfg = psi::PsiConfig::default();
//! let (_, r) = run_pair(
//!     psi::sender(&mut a, &psi::hash_items(&["ada", "bob", "cy"]), &cfg),
//!     psi::receiver(&mut b, &psi::hash_items(&["cy", "dee", "ada"]), &cfg),
//! )
//! .unwrap();
//! assert_eq!(r.unwrap().intersection, [0, 2]);
//! ```
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
