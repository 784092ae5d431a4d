//! Typed two-party programs: write the computation once with typed secret values, run it in
//! the clear, between two parties in one process, or over TCP.
//!
//! ```
//! use duet::program::{Inputs, Program, Role};
//!
//! let p = Program::new();
//! let alice = p.input::<u64>("alice", Role::Garbler)?;   // the garbler's secret
//! let bob = p.input::<u64>("bob", Role::Evaluator)?;     // the evaluator's secret
//! p.output("alice_richer", alice.gt(&bob))?;             // both learn one bool
//! let program = p.compile()?;
//! let (g, e) = program.run_local(
//!     &Inputs::new().with("alice", 2_000_000u64),
//!     &Inputs::new().with("bob", 1_500_000u64),
//! )?;
//! assert!(g.get::<bool>("alice_richer")? && e.get::<bool>("alice_richer")?);
//! # Ok::<(), duet::program::ProgramError>(())
//! ```
//!
//! - **Values** ([`Secret<T>`], `T` one of `bool`, `u8`…`u64`, `i8`…`i64`): `+ - * / %`
//!   (wrapping; see [`ops`] for division by zero), `& | ^ !`, `<< >>` by a public amount,
//!   `-x`, [`lt`](Secret::lt) / [`le`](Secret::le) / [`gt`](Secret::gt) /
//!   [`ge`](Secret::ge) / [`eq`](Secret::eq) / [`ne`](Secret::ne) giving a `Secret<bool>`,
//!   [`min`](Secret::min) / [`max`](Secret::max), [`select`](Secret::select) (a mux) and
//!   [`cast`](Secret::cast). A plain `T` on the right of an operator is a public constant.
//!   Each operation records gates through the [`CircuitBuilder`] gadgets (constant folding
//!   and common subexpressions included), so a typed program costs what the hand-built
//!   circuit costs. [`DynSecret`] is the same with the type checked at run time.
//! - **Inputs** are declared with a name, a type and an owner ([`Role::Garbler`] or
//!   [`Role::Evaluator`]); **outputs** with a name and who learns them
//!   ([`Program::output`]: both; [`Program::output_to`]: an [`OutputPolicy`]).
//! - **[`Program::compile`]** gives a [`Compiled`] program: [`Compiled::eval`] runs it in the
//!   clear (the reference), [`Compiled::run_local`] runs both parties in one process over
//!   the in-memory channel, [`Compiled::run`] runs one party in a [`Session`] on any
//!   channel (TCP, secure TCP with pinned keys, duplex), [`Compiled::run_tcp`] opens that
//!   session itself; [`Compiled::stats`] gives gate counts.
//! - **Checks**: [`Inputs`] are matched by name against the declaration; an unknown or
//!   missing name, a value for the other party's input, a type mismatch or a value out of
//!   the type's range is a [`ProgramError`], never a truncation, and the peer is told before
//!   any secret is used. The names, types, owners and readers of all inputs and outputs are
//!   bound into the digest the run handshake compares ([`Prepared::with_interface`]), so two
//!   parties whose programs differ in any of them are refused before any secret is used.
//!
//! The program is recorded in memory as the builder's gate list (about 20 bytes per gate
//! while building) and compiled once to the in-memory slot program; it is not streamed to a
//! file as it is built (the builder's dead-gate elimination and wire renumbering need the
//! whole list).
//!
//! [`CircuitBuilder`]: duet_circuits::builder::CircuitBuilder
//! [`Session`]: duet_gc::Session
//! [`Prepared::with_interface`]: duet_gc::Prepared::with_interface

pub mod ops;
mod run;
mod types;

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};

use duet_circuits::CircuitError;
use duet_circuits::builder::CircuitBuilder;
use thiserror::Error;

pub use duet_gc::{OutputPolicy, ProtocolError, Role};
pub use ops::{BinOp, DynSecret, Secret};
pub use run::{Compiled, InputSpec, OutputSpec};
pub use types::{Inputs, Int, Outputs, SecretType, ValueType};

/// Longest input or output name, in bytes.
pub const MAX_NAME_LEN: usize = 256;

/// Errors of the typed program API. Local misuse (names, types, ranges) is kept apart from
/// the peer's disagreement ([`ProgramError::ProgramMismatch`]) and protocol failures.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ProgramError {
    /// An input or output name is empty, too long, or has control characters.
    #[error("bad name {name:?}: {reason}")]
    BadName {
        /// the name as given
        name: String,
        /// what is wrong with it
        reason: &'static str,
    },
    /// Two inputs, or two outputs, with the same name.
    #[error("{what} `{name}` is declared twice")]
    DuplicateName {
        /// "input" or "output"
        what: &'static str,
        /// the name
        name: String,
    },
    /// A value is given for a name the program does not declare as an input.
    #[error("the program has no input `{name}`")]
    UnknownInput {
        /// the name given
        name: String,
    },
    /// A value is given twice.
    #[error("input `{name}` is given twice")]
    DuplicateInput {
        /// the name
        name: String,
    },
    /// No value is given for an input this party owns (or, in the clear, for any input).
    #[error("input `{name}` ({ty}, owned by the {owner}) has no value")]
    MissingInput {
        /// the name
        name: String,
        /// its declared type
        ty: ValueType,
        /// its owner
        owner: Role,
    },
    /// A value is given for an input the other party owns.
    #[error("input `{name}` belongs to the {owner}, not to this party")]
    NotOwned {
        /// the name
        name: String,
        /// its owner
        owner: Role,
    },
    /// A value of another type than the declared one.
    #[error("input `{name}` is declared {declared} but was given a {given}")]
    TypeMismatch {
        /// the name
        name: String,
        /// the declared type
        declared: ValueType,
        /// the type given
        given: ValueType,
    },
    /// A value outside the declared type's range.
    #[error("input `{name}`: {value} does not fit a {ty} ({} to {})", ty.min(), ty.max())]
    OutOfRange {
        /// the name
        name: String,
        /// the declared type
        ty: ValueType,
        /// the value given
        value: i128,
    },
    /// An output read by a name the program does not declare.
    #[error("the program has no output `{name}`")]
    UnknownOutput {
        /// the name asked for
        name: String,
    },
    /// An output read as another type than its own.
    #[error("output `{name}` is a {declared}, not a {requested}")]
    OutputType {
        /// the name
        name: String,
        /// its type
        declared: ValueType,
        /// the type asked for
        requested: ValueType,
    },
    /// An output this party does not learn.
    #[error("output `{name}` is not revealed to this party")]
    NotRevealed {
        /// the name
        name: String,
    },
    /// An operation on values of different types or programs, or an integer operation on
    /// `bool`s (from [`DynSecret`]'s fallible operations).
    #[error("bad operands: {0}")]
    Operand(String),
    /// The program has no outputs (nothing to compute).
    #[error("the program declares no output")]
    NoOutputs,
    /// The circuit is too large for the IR.
    #[error(transparent)]
    Circuit(#[from] CircuitError),
    /// The two parties run different programs (computation, or the names, types, owners or
    /// readers of inputs and outputs): refused by the handshake before any secret is used.
    #[error("the two parties run different programs: {0}")]
    ProgramMismatch(String),
    /// The two-party protocol failed (network, peer abort, bad peer data, …).
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// A runtime or socket could not be set up, or a party's thread failed.
    #[error("{0}")]
    Io(String),
}

impl From<duet_net::NetError> for ProgramError {
    /// A channel error (connecting, the secure handshake, a transfer) as
    /// [`ProgramError::Protocol`].
    fn from(e: duet_net::NetError) -> ProgramError {
        ProgramError::Protocol(ProtocolError::Net(e))
    }
}

/// A declared input.
#[derive(Clone, Debug)]
pub(crate) struct InputDecl {
    pub(crate) name: String,
    pub(crate) ty: ValueType,
    pub(crate) owner: Role,
    /// index of the input value in the circuit
    pub(crate) index: usize,
}

/// A declared output.
#[derive(Clone, Debug)]
pub(crate) struct OutputDecl {
    pub(crate) name: String,
    pub(crate) ty: ValueType,
    pub(crate) reveal: OutputPolicy,
    /// circuit input index of the mask a one-party output is XORed with (its reader's input)
    pub(crate) mask: Option<usize>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) builder: CircuitBuilder,
    pub(crate) inputs: Vec<InputDecl>,
    pub(crate) outputs: Vec<OutputDecl>,
    /// input values declared in the circuit so far (user inputs and masks)
    pub(crate) circuit_inputs: usize,
    input_names: HashSet<String>,
    output_names: HashSet<String>,
}

/// A typed program under construction: declare inputs, compute with the [`Secret`] values
/// they give, declare outputs, then [`compile`](Program::compile). Cheap to clone (a shared
/// handle; values keep their program alive). `Send` and `Sync`.
#[derive(Clone, Debug, Default)]
pub struct Program(pub(crate) Arc<Mutex<State>>);

fn check_name(name: &str) -> Result<(), ProgramError> {
    let bad = |reason| {
        Err(ProgramError::BadName {
            name: name.chars().take(MAX_NAME_LEN).collect(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > MAX_NAME_LEN {
        return bad("longer than 256 bytes");
    }
    if name.chars().any(char::is_control) {
        return bad("control characters");
    }
    Ok(())
}

impl Program {
    /// An empty program.
    pub fn new() -> Program {
        Program::default()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // a panic while holding the lock leaves the builder consistent (gadgets only append)
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Declare input `name` of type `T`, owned (given) by `owner`. Inputs appear in the
    /// circuit in declaration order.
    ///
    /// ```
    /// use duet::program::{Program, Role};
    /// let p = Program::new();
    /// let x = p.input::<i32>("x", Role::Garbler)?;
    /// assert!(p.input::<i32>("x", Role::Evaluator).is_err()); // names are unique
    /// # Ok::<(), duet::program::ProgramError>(())
    /// ```
    ///
    /// # Errors
    /// [`ProgramError::BadName`] (empty, over [`MAX_NAME_LEN`] bytes, control characters) or
    /// [`ProgramError::DuplicateName`].
    pub fn input<T: SecretType>(&self, name: &str, owner: Role) -> Result<Secret<T>, ProgramError> {
        Ok(Secret::wrap(self.input_dyn(name, T::TYPE, owner)?))
    }

    /// [`Program::input`] with the type given at run time.
    ///
    /// # Errors
    /// As [`Program::input`].
    pub fn input_dyn(
        &self,
        name: &str,
        ty: ValueType,
        owner: Role,
    ) -> Result<DynSecret, ProgramError> {
        check_name(name)?;
        let mut st = self.lock();
        if !st.input_names.insert(name.to_owned()) {
            return Err(ProgramError::DuplicateName {
                what: "input",
                name: name.to_owned(),
            });
        }
        let word = st.builder.input(ty.bits() as usize);
        let index = st.circuit_inputs;
        st.circuit_inputs += 1;
        st.inputs.push(InputDecl {
            name: name.to_owned(),
            ty,
            owner,
            index,
        });
        Ok(DynSecret {
            prog: self.clone(),
            ty,
            word,
        })
    }

    /// The public constant `v` (no gates; shared constant wires).
    ///
    /// ```
    /// let p = duet::program::Program::new();
    /// let ten = p.constant(10u8);
    /// ```
    pub fn constant<T: SecretType>(&self, v: T) -> Secret<T> {
        let raw = T::TYPE
            .encode(v.to_i128())
            .expect("a T's value fits its type");
        Secret::wrap(self.constant_raw(T::TYPE, raw))
    }

    /// The public constant `v` of type `ty`.
    ///
    /// # Errors
    /// [`ProgramError::OutOfRange`] (named `"constant"`) if `v` does not fit `ty`.
    pub fn constant_dyn(&self, ty: ValueType, v: i128) -> Result<DynSecret, ProgramError> {
        let raw = ty.encode(v).ok_or_else(|| ProgramError::OutOfRange {
            name: "constant".into(),
            ty,
            value: v,
        })?;
        Ok(self.constant_raw(ty, raw))
    }

    fn constant_raw(&self, ty: ValueType, raw: u64) -> DynSecret {
        let word = self.lock().builder.constant_word(raw, ty.bits() as usize);
        DynSecret {
            prog: self.clone(),
            ty,
            word,
        }
    }

    /// Declare output `name`, learnt by both parties.
    ///
    /// # Errors
    /// As [`Program::output_to`].
    pub fn output(&self, name: &str, value: impl Into<DynSecret>) -> Result<(), ProgramError> {
        self.output_to(name, value, OutputPolicy::Both)
    }

    /// Declare output `name`, learnt by the parties `reveal` names. Outputs appear in the
    /// circuit in declaration order. The run reveals the circuit's outputs to both parties,
    /// so a one-party output is masked inside the circuit: XORed with a fresh random value
    /// that its reader inputs (one more input value of the output's width, free XORs), and
    /// the other party sees only the masked value, uniformly random.
    ///
    /// ```
    /// use duet::program::{OutputPolicy, Program, Role};
    /// let p = Program::new();
    /// let a = p.input::<u16>("a", Role::Garbler)?;
    /// let b = p.input::<u16>("b", Role::Evaluator)?;
    /// p.output_to("sum_for_bob", &a + &b, OutputPolicy::Evaluator)?;
    /// # Ok::<(), duet::program::ProgramError>(())
    /// ```
    ///
    /// # Errors
    /// [`ProgramError::BadName`], [`ProgramError::DuplicateName`], or
    /// [`ProgramError::Operand`] if `value` belongs to another program.
    pub fn output_to(
        &self,
        name: &str,
        value: impl Into<DynSecret>,
        reveal: OutputPolicy,
    ) -> Result<(), ProgramError> {
        let value = value.into();
        check_name(name)?;
        if !Arc::ptr_eq(&self.0, &value.prog.0) {
            return Err(ProgramError::Operand(format!(
                "output `{name}` is a value of another program"
            )));
        }
        let mut st = self.lock();
        if !st.output_names.insert(name.to_owned()) {
            return Err(ProgramError::DuplicateName {
                what: "output",
                name: name.to_owned(),
            });
        }
        let st = &mut *st;
        let mask = match reveal {
            OutputPolicy::Both => {
                st.builder.output(&value.word);
                None
            }
            _ => {
                let r = st.builder.input(value.word.len());
                let masked = st.builder.xor_word(&value.word, &r);
                st.builder.output(&masked);
                st.circuit_inputs += 1;
                Some(st.circuit_inputs - 1)
            }
        };
        st.outputs.push(OutputDecl {
            name: name.to_owned(),
            ty: value.ty,
            reveal,
            mask,
        });
        Ok(())
    }

    /// AND gates recorded so far (before dead-gate elimination).
    pub fn and_count(&self) -> usize {
        self.lock().builder.and_count()
    }

    /// Compile the program: build the circuit (gates no output needs are dropped), its slot
    /// program and its handshake digest (circuit plus interface). The program may be
    /// extended and compiled again afterwards (compiling does not change it).
    ///
    /// # Errors
    /// [`ProgramError::NoOutputs`]; [`ProgramError::Circuit`] if the circuit exceeds the
    /// IR's limits (2^29 − 1 wires).
    pub fn compile(&self) -> Result<Compiled, ProgramError> {
        Compiled::build(self)
    }
}
