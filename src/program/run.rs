//! [`Compiled`] programs: run in the clear, in one process, or as one party of a session.

use std::sync::Arc;
use std::time::Duration;

use duet_circuits::stats::Stats;
use duet_circuits::{Bits, Circuit, eval};
use duet_core::Prg;
use duet_gc::{OutputPolicy, Prepared, ProtocolError, Role, RunStats, Session, SessionOptions};
use duet_net::{ChannelConfig, SecureKeys};

use super::types::{Inputs, OutputSlot, Outputs, ValueType};
use super::{Program, ProgramError};

/// Context string of the interface description bound into the handshake digest.
const INTERFACE_CONTEXT: &[u8] = b"duet typed program interface v1";

/// A declared input of a [`Compiled`] program.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputSpec {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: ValueType,
    /// The party that gives it.
    pub owner: Role,
    /// Index of the input value in the circuit's header.
    pub index: usize,
}

/// A declared output of a [`Compiled`] program.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputSpec {
    /// Its name.
    pub name: String,
    /// Its type.
    pub ty: ValueType,
    /// Who learns it.
    pub reveal: OutputPolicy,
    /// Index of the output value in the circuit's header.
    pub index: usize,
    /// Circuit input index of the mask its reader gives, for a one-party output.
    pub mask: Option<usize>,
}

#[derive(Debug)]
struct Inner {
    circuit: Arc<Circuit>,
    prepared: Prepared,
    inputs: Vec<InputSpec>,
    outputs: Vec<OutputSpec>,
}

/// A compiled typed program: its circuit, slot program and handshake digest, with the names
/// and types of its inputs and outputs. Cheap to clone; `Send` and `Sync`. Made by
/// [`Program::compile`].
#[derive(Clone, Debug)]
pub struct Compiled(Arc<Inner>);

fn bits_of(raw: u64, width: u32) -> Bits {
    (0..width).map(|k| raw >> k & 1 == 1).collect()
}

fn raw_of(bits: &Bits) -> u64 {
    bits.iter_ones().fold(0u64, |acc, k| acc | 1 << k)
}

fn put_name(v: &mut Vec<u8>, name: &str) {
    v.extend_from_slice(&(name.len() as u16).to_le_bytes());
    v.extend_from_slice(name.as_bytes());
}

fn role_code(r: Role) -> u8 {
    match r {
        Role::Garbler => 0,
        Role::Evaluator => 1,
    }
}

fn policy_code(p: OutputPolicy) -> u8 {
    match p {
        OutputPolicy::Both => 0,
        OutputPolicy::Garbler => 1,
        OutputPolicy::Evaluator => 2,
    }
}

/// The role that reads a one-party output.
fn reader(p: OutputPolicy) -> Option<Role> {
    match p {
        OutputPolicy::Garbler => Some(Role::Garbler),
        OutputPolicy::Evaluator => Some(Role::Evaluator),
        _ => None,
    }
}

/// A handshake error that says the digests differ becomes [`ProgramError::ProgramMismatch`].
fn protocol_error(e: ProtocolError) -> ProgramError {
    match e {
        ProtocolError::Handshake(m) if m.contains("circuit mismatch") => {
            ProgramError::ProgramMismatch(m)
        }
        e => ProgramError::Protocol(e),
    }
}

impl Compiled {
    pub(super) fn build(p: &Program) -> Result<Compiled, ProgramError> {
        let st = p.lock();
        if st.outputs.is_empty() {
            return Err(ProgramError::NoOutputs);
        }
        let circuit = Arc::new(st.builder.build()?);
        let inputs: Vec<InputSpec> = st
            .inputs
            .iter()
            .map(|d| InputSpec {
                name: d.name.clone(),
                ty: d.ty,
                owner: d.owner,
                index: d.index,
            })
            .collect();
        let outputs: Vec<OutputSpec> = st
            .outputs
            .iter()
            .enumerate()
            .map(|(index, d)| OutputSpec {
                name: d.name.clone(),
                ty: d.ty,
                reveal: d.reveal,
                index,
                mask: d.mask,
            })
            .collect();
        drop(st);
        // interface: context, then every input (name, type, owner, index) and output
        // (name, type, reader, mask index or u32::MAX)
        let mut iface = INTERFACE_CONTEXT.to_vec();
        iface.extend_from_slice(&(inputs.len() as u32).to_le_bytes());
        for i in &inputs {
            put_name(&mut iface, &i.name);
            iface.push(i.ty.code());
            iface.push(role_code(i.owner));
            iface.extend_from_slice(&(i.index as u32).to_le_bytes());
        }
        iface.extend_from_slice(&(outputs.len() as u32).to_le_bytes());
        for o in &outputs {
            put_name(&mut iface, &o.name);
            iface.push(o.ty.code());
            iface.push(policy_code(o.reveal));
            let m = o.mask.map_or(u32::MAX, |m| m as u32);
            iface.extend_from_slice(&m.to_le_bytes());
        }
        let prepared = Prepared::new(circuit.clone()).with_interface(&iface);
        Ok(Compiled(Arc::new(Inner {
            circuit,
            prepared,
            inputs,
            outputs,
        })))
    }

    /// The declared inputs, in declaration order.
    pub fn inputs(&self) -> &[InputSpec] {
        &self.0.inputs
    }

    /// The declared outputs, in declaration order.
    pub fn outputs(&self) -> &[OutputSpec] {
        &self.0.outputs
    }

    /// The circuit (inputs in declaration order, with one mask input after each one-party
    /// output's operands; outputs in declaration order).
    pub fn circuit(&self) -> &Circuit {
        &self.0.circuit
    }

    /// The prepared circuit a [`Session`] runs, its digest bound to the interface.
    pub fn prepared(&self) -> &Prepared {
        &self.0.prepared
    }

    /// Gate counts (AND, XOR, INV, …), AND-depth, wires and peak live wires of the circuit.
    /// Linear in the circuit size (computes the slot map).
    ///
    /// ```
    /// use duet::program::{Program, Role};
    /// let p = Program::new();
    /// let a = p.input::<u32>("a", Role::Garbler)?;
    /// let b = p.input::<u32>("b", Role::Evaluator)?;
    /// p.output("sum", a + b)?;
    /// assert_eq!(p.compile()?.stats().and, 31); // a 32-bit ripple-carry adder
    /// # Ok::<(), duet::program::ProgramError>(())
    /// ```
    pub fn stats(&self) -> Stats {
        Stats::of(&self.0.circuit)
    }

    /// The input values `role` gives (`None`: all, for a run in the clear), as (circuit
    /// index, bits) pairs.
    fn encode_inputs(
        &self,
        role: Option<Role>,
        inputs: &Inputs,
    ) -> Result<Vec<(usize, Bits)>, ProgramError> {
        let specs = &self.0.inputs;
        let mut seen = vec![false; specs.len()];
        let mut out = Vec::with_capacity(inputs.len());
        for (i, name) in inputs.names().enumerate() {
            let k = specs.iter().position(|s| s.name == name).ok_or_else(|| {
                ProgramError::UnknownInput {
                    name: name.to_owned(),
                }
            })?;
            let spec = &specs[k];
            if role.is_some_and(|r| r != spec.owner) {
                return Err(ProgramError::NotOwned {
                    name: name.to_owned(),
                    owner: spec.owner,
                });
            }
            if std::mem::replace(&mut seen[k], true) {
                return Err(ProgramError::DuplicateInput {
                    name: name.to_owned(),
                });
            }
            let raw = inputs.raw_at(i, spec.ty)?;
            out.push((spec.index, bits_of(raw, spec.ty.bits())));
        }
        for (spec, seen) in specs.iter().zip(&seen) {
            if !seen && role.is_none_or(|r| r == spec.owner) {
                return Err(ProgramError::MissingInput {
                    name: spec.name.clone(),
                    ty: spec.ty,
                    owner: spec.owner,
                });
            }
        }
        Ok(out)
    }

    /// Decode the circuit's outputs for `role` (`None`: in the clear) given the masks this
    /// party chose (`masks[j]` for output `j`, 0 if none).
    fn decode(&self, role: Option<Role>, out: &[Bits], masks: &[u64], stats: RunStats) -> Outputs {
        let slots = self
            .0
            .outputs
            .iter()
            .enumerate()
            .map(|(j, spec)| {
                let learns = role.is_none_or(|r| spec.reveal.reveals_to(r));
                OutputSlot {
                    name: spec.name.clone(),
                    ty: spec.ty,
                    raw: (learns && j < out.len()).then(|| raw_of(&out[j]) ^ masks[j]),
                }
            })
            .collect();
        Outputs { slots, stats }
    }

    fn counts(&self) -> RunStats {
        RunStats {
            and_gates: self.0.prepared.and_gates(),
            xor_gates: self.0.prepared.xor_gates(),
            ..RunStats::default()
        }
    }

    /// Run the program in the clear on every input (both parties' values in one
    /// [`Inputs`]): the reference the two-party runs must match. Every output is revealed.
    ///
    /// ```
    /// use duet::program::{Inputs, Program, Role};
    /// let p = Program::new();
    /// let x = p.input::<i8>("x", Role::Garbler)?;
    /// let y = p.input::<i8>("y", Role::Evaluator)?;
    /// p.output("q", &x / &y)?;
    /// let out = p.compile()?.eval(&Inputs::new().with("x", -7i8).with("y", 2i8))?;
    /// assert_eq!(out.get::<i8>("q")?, -3);
    /// # Ok::<(), duet::program::ProgramError>(())
    /// ```
    ///
    /// # Errors
    /// [`ProgramError::UnknownInput`], [`ProgramError::DuplicateInput`],
    /// [`ProgramError::MissingInput`], [`ProgramError::TypeMismatch`],
    /// [`ProgramError::OutOfRange`].
    pub fn eval(&self, inputs: &Inputs) -> Result<Outputs, ProgramError> {
        let given = self.encode_inputs(None, inputs)?;
        let c = &self.0.circuit;
        let mut values: Vec<Bits> = c
            .inputs()
            .iter()
            .map(|&w| Bits::repeat(false, w as usize))
            .collect();
        for (i, b) in given {
            values[i] = b;
        }
        let out = eval::evaluate(c, &values)
            .map_err(|e| ProgramError::Io(format!("plaintext evaluation failed: {e}")))?;
        let masks = vec![0u64; self.0.outputs.len()];
        Ok(self.decode(None, &out, &masks, self.counts()))
    }

    /// Run this party's side of the program in `session` (its role is the session's), with
    /// this party's `inputs`. Both parties must run the same program (same computation,
    /// names, types, owners and readers; the handshake checks the digest) in the same order
    /// of runs. Not cancel-safe.
    ///
    /// ```
    /// use duet::program::{Inputs, Program, Role};
    /// use duet::{ChannelConfig, Session, SessionOptions, duplex_pair, run_pair};
    ///
    /// let p = Program::new();
    /// let a = p.input::<u8>("a", Role::Garbler)?;
    /// let b = p.input::<u8>("b", Role::Evaluator)?;
    /// p.output("max", a.max(&b))?;
    /// let prog = p.compile()?;
    /// let (ga, ea) = duplex_pair(&ChannelConfig::default());
    /// let (g, e) = run_pair(
    ///     async {
    ///         let mut s = Session::garbler(ga, SessionOptions::default()).await?;
    ///         prog.run(&mut s, &Inputs::new().with("a", 9u8)).await
    ///     },
    ///     async {
    ///         let mut s = Session::evaluator(ea, SessionOptions::default()).await?;
    ///         prog.run(&mut s, &Inputs::new().with("b", 200u8)).await
    ///     },
    /// )
    /// .unwrap();
    /// assert_eq!(g?.get::<u8>("max")?, 200);
    /// assert_eq!(e?.get::<u8>("max")?, 200);
    /// # Ok::<(), duet::program::ProgramError>(())
    /// ```
    ///
    /// # Errors
    /// The input errors of [`Compiled::eval`] plus [`ProgramError::NotOwned`] (the peer is
    /// told and fails with a [`ProtocolError::PeerAborted`] naming the problem);
    /// [`ProgramError::ProgramMismatch`] if the peer's program differs (before any secret
    /// is used); [`ProgramError::Protocol`] for network or protocol failures.
    pub async fn run(
        &self,
        session: &mut Session,
        inputs: &Inputs,
    ) -> Result<Outputs, ProgramError> {
        let role = session.role();
        let mut mine = match self.encode_inputs(Some(role), inputs) {
            Ok(v) => v,
            Err(e) => {
                // tell the peer before returning; its error names the problem
                let _ = session.abort_run(&self.0.prepared, &e.to_string()).await;
                return Err(e);
            }
        };
        let mut masks = vec![0u64; self.0.outputs.len()];
        let mut prg = Prg::from_os_rng();
        for (j, spec) in self.0.outputs.iter().enumerate() {
            if let (Some(idx), Some(r)) = (spec.mask, reader(spec.reveal))
                && r == role
            {
                let mut b = [0u8; 8];
                prg.fill_bytes(&mut b);
                masks[j] = u64::from_le_bytes(b) & spec.ty.mask();
                mine.push((idx, bits_of(masks[j], spec.ty.bits())));
            }
        }
        let out = session
            .run_prepared(&self.0.prepared, &mine, OutputPolicy::Both)
            .await
            .map_err(protocol_error)?;
        Ok(self.decode(Some(role), &out, &masks, session.last_stats()))
    }

    /// Run both parties in this process over the in-memory channel (each on a thread of
    /// its own, [`duet_net::run_pair`]), with default session options: the full protocol
    /// (base OT, IKNP, garbling), as over a network. Returns the garbler's and the
    /// evaluator's view of the outputs.
    ///
    /// ```
    /// use duet::program::{Inputs, OutputPolicy, Program, Role};
    /// let p = Program::new();
    /// let a = p.input::<u32>("a", Role::Garbler)?;
    /// let b = p.input::<u32>("b", Role::Evaluator)?;
    /// p.output_to("product", a * b, OutputPolicy::Evaluator)?;
    /// let (g, e) = p.compile()?.run_local(
    ///     &Inputs::new().with("a", 6u32),
    ///     &Inputs::new().with("b", 7u32),
    /// )?;
    /// assert_eq!(e.get::<u32>("product")?, 42);
    /// assert!(g.get::<u32>("product").is_err()); // the garbler does not learn it
    /// # Ok::<(), duet::program::ProgramError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Compiled::run`]; when both parties fail, the error of the party that detected
    /// the problem.
    pub fn run_local(
        &self,
        garbler: &Inputs,
        evaluator: &Inputs,
    ) -> Result<(Outputs, Outputs), ProgramError> {
        let (ga, ea) = duet_net::duplex_pair(&ChannelConfig::default());
        let (g, e) = duet_net::run_pair(
            async {
                let mut s = Session::garbler(ga, SessionOptions::default()).await?;
                self.run(&mut s, garbler).await
            },
            async {
                let mut s = Session::evaluator(ea, SessionOptions::default()).await?;
                self.run(&mut s, evaluator).await
            },
        )
        .map_err(|e| ProgramError::Io(format!("cannot start the parties: {e}")))?;
        match (g, e) {
            (Ok(g), Ok(e)) => Ok((g, e)),
            (Err(g), Err(e)) => Err(if is_secondary(&g) { e } else { g }),
            (Err(g), _) => Err(g),
            (_, Err(e)) => Err(e),
        }
    }

    /// Run one party over TCP in a runtime of its own: the garbler listens on `addr` (for
    /// up to 30 s), the evaluator connects to it (retrying for up to 30 s). With `keys`, the
    /// channel is the secure one (Noise XX, pinned peer key; both parties must give keys).
    /// Each receive times out after 30 s.
    ///
    /// ```no_run
    /// use duet::program::{Inputs, Program, Role};
    /// use duet::{PublicKey, SecureKeys, StaticKeyPair};
    /// use std::path::Path;
    ///
    /// let p = Program::new();
    /// let alice = p.input::<u64>("alice", Role::Garbler)?;
    /// let bob = p.input::<u64>("bob", Role::Evaluator)?;
    /// p.output("alice_richer", alice.gt(&bob))?;
    /// // keys from `gc-run keygen --out alice.key`; the peer's public key as it printed it
    /// let keys = SecureKeys::new(
    ///     StaticKeyPair::load(Path::new("alice.key")).unwrap(),
    ///     "duet-pk:0000000000000000000000000000000000000000000000000000000000000000"
    ///         .parse::<PublicKey>()
    ///         .unwrap(),
    /// );
    /// let out = p.compile()?.run_tcp(
    ///     Role::Garbler,
    ///     "0.0.0.0:7000",
    ///     Some(&keys),
    ///     &Inputs::new().with("alice", 2_000_000u64),
    /// )?;
    /// println!("Alice is richer: {}", out.get::<bool>("alice_richer")?);
    /// # Ok::<(), duet::program::ProgramError>(())
    /// ```
    ///
    /// # Errors
    /// As [`Compiled::run`]; [`ProgramError::Protocol`] wrapping the network error if no
    /// connection is made or the keys do not match.
    pub fn run_tcp(
        &self,
        role: Role,
        addr: &str,
        keys: Option<&SecureKeys>,
        inputs: &Inputs,
    ) -> Result<Outputs, ProgramError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ProgramError::Io(format!("cannot start a runtime: {e}")))?;
        rt.block_on(async {
            let cfg = ChannelConfig::default();
            let wait = Duration::from_secs(30);
            let ch = match (role, keys) {
                (Role::Garbler, None) => duet_net::tcp::listen(addr, &cfg, wait).await,
                (Role::Evaluator, None) => duet_net::tcp::connect(addr, &cfg, wait).await,
                (Role::Garbler, Some(k)) => duet_net::secure::listen(addr, &cfg, wait, k).await,
                (Role::Evaluator, Some(k)) => duet_net::secure::connect(addr, &cfg, wait, k).await,
            }?;
            let mut s = match role {
                Role::Garbler => Session::garbler(ch, SessionOptions::default()).await?,
                Role::Evaluator => Session::evaluator(ch, SessionOptions::default()).await?,
            };
            let out = self.run(&mut s, inputs).await?;
            s.close().await?;
            Ok(out)
        })
    }
}

/// An error that only echoes the other party's failure.
fn is_secondary(e: &ProgramError) -> bool {
    matches!(
        e,
        ProgramError::Protocol(ProtocolError::PeerAborted(_))
            | ProgramError::Protocol(ProtocolError::Net(_))
    )
}
