//! The semi-honest two-party protocol (Yao with half-gates, ZRE15) over a `duet_net::Channel`.
//!
//! Use it through [`crate::Session`]; this module holds the pieces a session is made of:
//! [`Prepared`] circuits, [`SessionOptions`], [`RunStats`] and [`ProtocolError`].
//!
//! # One run, step by step (DESIGN.md "2PC run")
//! 1. **Handshake** ([`crate::handshake`]): both parties send a run offer (session step, blake3
//!    digest of the canonical circuit, owner of every input value, output policy) and both
//!    compare; any difference aborts both sides before a secret is used.
//! 2. **Evaluator's input labels** by IKNP correlated OT (IKNP03, with the ALSZ13
//!    optimisations, in `duet_ot`): the garbler is the COT sender with its garbling Δ, so the
//!    receiver's outputs `m_i = k_i ⊕ b_i·Δ` *are* the evaluator's active labels for its input
//!    bits `b_i`, and the garbler uses `k_i` as those wires' 0-labels. Base OT runs once per
//!    session, in [`crate::Session::garbler`] / [`crate::Session::evaluator`].
//! 3. **Garbler's input labels**: fresh random 0-labels `L_i` for every run; the garbler sends
//!    `L_i ⊕ x_i·Δ` (uniform, independent of `x_i`).
//! 4. **Garbled tables** stream in gate order in frames of about [`FRAME_BYTES`] bytes
//!    (1 MiB; half-gates: two blocks per AND gate), ended by an empty frame, after a fresh public per-run salt that separates the
//!    hash tweaks of the runs of a session (see [`crate::half_gates`]); for circuits larger than
//!    one frame the garbler garbles on a blocking thread while its async task sends, and the evaluator evaluates on a blocking
//!    thread while its async task receives (bounded queues, so memory is O(frames), never
//!    O(gates) of tables).
//! 5. **Decoding**: if the evaluator learns the outputs, the garbler sends the decoding bits
//!    (lsb of each output 0-label); if the garbler learns them, the evaluator returns its
//!    active output labels and the garbler checks each is one of the wire's two labels (so a
//!    corrupted table or label is detected rather than decoded to garbage).
//!
//! A **batched run** ([`crate::Session::run_many`]) of `k` instances of one circuit does
//! step 1 once (the offer carries `k`), step 2 once for the evaluator's input bits of all
//! instances, step 3 per instance (each with its own 0-labels and salt, one frame each),
//! step 4 as one stream of all instances' tables back to back (a frame may span instances,
//! so garbling instance `i + 1` overlaps evaluating instance `i`), and step 5 once for all
//! outputs.
//!
//! One Δ serves a whole session (it is the IKNP sender's correlation): the garbled gates of
//! all runs of a session form one garbling under one Δ, whose hash tweaks stay distinct
//! thanks to the per-run salt, as the TCCR-hash argument of GKWY20 §7 requires.

pub(crate) mod engine;
mod run;
#[cfg(test)]
mod tests;

use crate::handshake::CircuitDigest;
use duet_circuits::liveness::ProgramShape;
use duet_circuits::program_file::ProgramFile;
use duet_circuits::{Circuit, Gate};
use duet_gc_core::SchemeKind;
use duet_net::NetError;
use duet_ot::OtError;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use thiserror::Error;

pub use duet_ot::Security;
pub use engine::{FRAME_BYTES, MAX_FRAME_BYTES};
pub(crate) use run::{evaluator_run, garbler_run};

/// Errors of a two-party run. "The peer sent bad data or disagreed" ([`ProtocolError::Handshake`],
/// [`ProtocolError::PeerAborted`], [`ProtocolError::Malformed`], network errors) is kept apart
/// from local misuse ([`ProtocolError::Usage`]).
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ProtocolError {
    /// The channel failed (peer closed, timeout, oversized frame, I/O).
    #[error(transparent)]
    Net(#[from] NetError),
    /// Oblivious transfer failed.
    #[error(transparent)]
    Ot(#[from] OtError),
    /// The garbling core failed (bad tables count, wrong label count, …).
    #[error(transparent)]
    Gc(#[from] crate::GcError),
    /// The two parties disagree (version, role, circuit, input ownership, output policy).
    /// Both parties get the same message.
    #[error("handshake failed: {0}")]
    Handshake(String),
    /// The peer gave up before the run started, with its reason.
    #[error("the peer aborted the run: {0}")]
    PeerAborted(String),
    /// The peer sent data that does not decode or does not check out.
    #[error("peer sent bad data: {0}")]
    Malformed(String),
    /// This party's own inputs or arguments are wrong (index out of range, wrong width,
    /// given twice). The peer is told and fails with [`ProtocolError::PeerAborted`].
    #[error("{0}")]
    Usage(String),
    /// An earlier run of this session failed mid-protocol; the connection is out of step.
    #[error("the session is unusable: an earlier run failed mid-protocol")]
    Poisoned,
    /// A worker thread failed unexpectedly.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Options of a [`crate::Session`]. Build it from [`SessionOptions::default`] with the
/// `with_*` methods (fields may be added):
///
/// ```
/// use duet_gc::{SchemeKind, SessionOptions};
/// let opts = SessionOptions::default().with_scheme(SchemeKind::ThreeHalves);
/// assert_eq!(opts.scheme, SchemeKind::ThreeHalves);
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SessionOptions {
    /// OT extension security: semi-honest IKNP (default) or KOS15's malicious-receiver check.
    pub security: Security,
    /// If set, the AND gates garbled / evaluated so far are added here (for progress bars).
    pub progress: Option<Arc<AtomicU64>>,
    /// The garbling scheme of every run (default half-gates); both parties must choose the
    /// same one: each run's handshake refuses a difference on both sides.
    pub scheme: SchemeKind,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions {
            security: Security::SemiHonest,
            progress: None,
            scheme: SchemeKind::HalfGates,
        }
    }
}

impl SessionOptions {
    /// With OT-extension security `security`.
    pub fn with_security(mut self, security: Security) -> SessionOptions {
        self.security = security;
        self
    }

    /// With the AND-gate progress counter `progress`.
    pub fn with_progress(mut self, progress: Option<Arc<AtomicU64>>) -> SessionOptions {
        self.progress = progress;
        self
    }

    /// With the garbling scheme `scheme`.
    pub fn with_scheme(mut self, scheme: SchemeKind) -> SessionOptions {
        self.scheme = scheme;
        self
    }
}

/// A circuit ready to run many times: shared, with its digest and gate counts computed once.
///
/// Either held in memory ([`Prepared::new`]: the circuit and its slot program, 24 bytes per
/// gate) or compiled to a file on disk ([`Prepared::from_file`]: a
/// [`ProgramFile`] whose slot program both cores read chunk by chunk, so a run's memory is
/// O(peak live wires) whatever the circuit size). The digest is the same either way, so
/// one party may stream a circuit the other holds in memory.
///
/// Cheap to clone (the program is behind an [`Arc`]).
#[derive(Clone, Debug)]
pub struct Prepared {
    pub(crate) body: Arc<Body>,
    digest: CircuitDigest,
    and_gates: u64,
    xor_gates: u64,
}

/// Where a [`Prepared`] circuit's slot program lives.
#[derive(Debug)]
pub(crate) enum Body {
    Memory {
        circuit: Arc<Circuit>,
        program: engine::Program,
    },
    File(ProgramFile),
}

impl Prepared {
    /// Prepare `circuit`: hash it (about 1 ns per byte of its 13-byte-per-gate encoding),
    /// count its gates and compute its liveness slot program.
    pub fn new(circuit: impl Into<Arc<Circuit>>) -> Prepared {
        let circuit = circuit.into();
        let digest = CircuitDigest::of(&circuit);
        let (mut and_gates, mut xor_gates) = (0u64, 0u64);
        for g in circuit.gates() {
            match g {
                Gate::And { .. } => and_gates += 1,
                Gate::Mand { n, .. } => and_gates += n as u64,
                Gate::Xor { .. } => xor_gates += 1,
                _ => {}
            }
        }
        // `SlotMap::compute` keeps every slot in range; the core checks it once here
        let program = engine::Program::new(duet_circuits::liveness::SlotMap::compute(&circuit))
            .expect("SlotMap::compute gives programs whose slots are in range");
        Prepared {
            body: Arc::new(Body::Memory { circuit, program }),
            digest,
            and_gates,
            xor_gates,
        }
    }

    /// Prepare a circuit compiled to a slot-program file (see
    /// [`duet_circuits::program_file`]): each run opens its own reader of the file.
    pub fn from_file(file: ProgramFile) -> Prepared {
        Prepared {
            digest: CircuitDigest(file.digest()),
            and_gates: file.and_count(),
            xor_gates: file.xor_count(),
            body: Arc::new(Body::File(file)),
        }
    }

    /// The same program with `interface` bound into its handshake digest: the digest becomes
    /// blake3 in derive-key mode (context `"duet-gc program interface v1"`) over the circuit
    /// digest followed by `interface`. A typed program (the `duet` crate's `program` module)
    /// passes the names, types, owners and readers of its inputs and outputs here, so two
    /// parties whose programs differ only in those are refused by the run handshake before
    /// any secret is used. Binding twice hashes again (the bindings compose).
    pub fn with_interface(mut self, interface: &[u8]) -> Prepared {
        let mut h = blake3::Hasher::new_derive_key("duet-gc program interface v1");
        h.update(&self.digest.0);
        h.update(interface);
        self.digest = CircuitDigest(*h.finalize().as_bytes());
        self
    }

    /// The circuit, if it is held in memory (`None` for [`Prepared::from_file`]).
    pub fn circuit(&self) -> Option<&Circuit> {
        match &*self.body {
            Body::Memory { circuit, .. } => Some(circuit),
            Body::File(_) => None,
        }
    }

    /// True if the slot program is read from a file as runs go.
    pub fn is_streamed(&self) -> bool {
        matches!(&*self.body, Body::File(_))
    }

    /// Width in bits of each input value, in header order.
    pub fn inputs(&self) -> &[u32] {
        match &*self.body {
            Body::Memory { circuit, .. } => circuit.inputs(),
            Body::File(f) => f.inputs(),
        }
    }

    /// Width in bits of each output value, in header order.
    pub fn outputs(&self) -> &[u32] {
        match &*self.body {
            Body::Memory { circuit, .. } => circuit.outputs(),
            Body::File(f) => f.outputs(),
        }
    }

    /// Input wires: the sum of [`Prepared::inputs`].
    pub fn num_input_bits(&self) -> usize {
        self.inputs().iter().map(|&w| w as usize).sum()
    }

    /// The slot program's shape (input and output slots, peak live wires, ops).
    pub fn shape(&self) -> &ProgramShape {
        match &*self.body {
            Body::Memory { program, .. } => program.shape(),
            Body::File(f) => f.shape(),
        }
    }

    /// The blake3 digest both parties compare in the handshake.
    pub fn digest(&self) -> CircuitDigest {
        self.digest
    }

    /// AND gates (each AND of a MAND counted).
    pub fn and_gates(&self) -> u64 {
        self.and_gates
    }

    /// XOR gates.
    pub fn xor_gates(&self) -> u64 {
        self.xor_gates
    }

    /// Bytes of garbled tables one run sends under `scheme`, not counting the per-batch
    /// trailers of schemes that have them (half-gates: exactly 32 per AND gate; three-halves:
    /// 24 per AND gate plus 5 bits per gate rounded up per batch).
    pub fn table_bytes(&self, scheme: SchemeKind) -> u64 {
        self.and_gates.saturating_mul(scheme.gate_bytes() as u64)
    }
}

impl From<Circuit> for Prepared {
    fn from(c: Circuit) -> Prepared {
        Prepared::new(c)
    }
}

/// Figures of one run (or of a whole session, summed).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct RunStats {
    /// AND gates garbled / evaluated.
    pub and_gates: u64,
    /// XOR gates (free).
    pub xor_gates: u64,
    /// Bytes this party sent (handshake, OT, labels, tables, decoding).
    pub bytes_sent: u64,
    /// Bytes this party received.
    pub bytes_received: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl RunStats {
    /// Add another run's figures.
    pub fn add(&mut self, o: &RunStats) {
        self.and_gates += o.and_gates;
        self.xor_gates += o.xor_gates;
        self.bytes_sent += o.bytes_sent;
        self.bytes_received += o.bytes_received;
        self.seconds += o.seconds;
    }
}
