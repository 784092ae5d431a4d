//! The two-party handshake: what both parties must agree on before any secret is used.
//!
//! Both messages are `duet_net::wire` negotiations ([`duet_net::wire::negotiate`]), sent by
//! **both** parties at once and compared by both, which name every difference alike:
//!
//! - [`Hello`] once per connection: protocol `duet-gc`, version, role, the OT extension
//!   and its security. Two garblers or two evaluators, another version, another OT source
//!   abort both sides before any base OT.
//! - [`RunOffer`] once per circuit run: the run's sequence number in the session, the blake3
//!   [`CircuitDigest`] of the canonical circuit encoding, how many instances of the circuit
//!   the run evaluates (1, or more for a batched run), the garbling scheme, which party owns
//!   each input value (as this party sees it) and the [`OutputPolicy`]. [`compare_offers`]
//!   names every difference (e.g. `circuit mismatch: garbler has 3f2a…, evaluator has
//!   9b1c…`, `input 1 claimed by both parties`). A session sets its COT source up (base OT)
//!   only after the first run's offers agree.
//!
//! A party that fails a local check (e.g. a wrong input width) sends the negotiation's
//! abort instead, so the peer reports the reason rather than "peer closed the connection".

use duet_circuits::Circuit;
use duet_gc_core::SchemeKind;
use duet_net::wire::{Mismatch, Offer, Protocol, Value, compare};
use duet_ot::{OtKind, Security};
use std::fmt;

/// The version of the Duet 2PC protocol spoken by this crate.
pub const PROTOCOL_VERSION: u16 = 4;

/// The 2PC protocol's identity in the negotiation.
pub const GC_PROTOCOL: Protocol = Protocol {
    name: "duet-gc",
    version: PROTOCOL_VERSION,
    roles: ["garbler", "evaluator"],
};

/// Which side of the protocol a party plays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Garbles the circuit; the COT sender (holds Δ).
    Garbler,
    /// Evaluates the garbled circuit; the COT receiver.
    Evaluator,
}

impl Role {
    /// The other party's role.
    pub fn peer(self) -> Role {
        match self {
            Role::Garbler => Role::Evaluator,
            Role::Evaluator => Role::Garbler,
        }
    }

    /// The role's index in the negotiation (garbler 0, evaluator 1).
    pub fn code(self) -> u8 {
        match self {
            Role::Garbler => 0,
            Role::Evaluator => 1,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Garbler => "garbler",
            Role::Evaluator => "evaluator",
        })
    }
}

/// Who learns the outputs of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OutputPolicy {
    /// Both parties learn every output (the default).
    #[default]
    Both,
    /// Only the garbler learns the outputs (the evaluator returns its output labels).
    Garbler,
    /// Only the evaluator learns the outputs (the garbler sends the decoding bits).
    Evaluator,
}

impl OutputPolicy {
    /// Does a party with `role` learn the outputs under this policy?
    pub fn reveals_to(self, role: Role) -> bool {
        match self {
            OutputPolicy::Both => true,
            OutputPolicy::Garbler => role == Role::Garbler,
            OutputPolicy::Evaluator => role == Role::Evaluator,
        }
    }
}

impl fmt::Display for OutputPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutputPolicy::Both => "both",
            OutputPolicy::Garbler => "garbler only",
            OutputPolicy::Evaluator => "evaluator only",
        })
    }
}

/// The blake3 digest of a circuit's canonical binary encoding (see [`CircuitDigest::of`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CircuitDigest(pub [u8; 32]);

impl CircuitDigest {
    /// Hash `circuit`: blake3 in derive-key mode (context `"duet-gc circuit digest v1"`) over
    /// `num_wires: u32`, `#inputs: u32`, input widths (`u32` each), `#outputs: u32`, output
    /// widths, `#gates: u64`, then every gate as a kind byte (Bristol order XOR=0, AND=1,
    /// INV=2, EQ=3, EQW=4, MAND=5) followed by its operands as `u32`s: `a b out` (XOR, AND),
    /// `a out` (INV, EQW), `value out` (EQ), `n lefts… rights… outs…` (MAND).
    ///
    /// The encoding lives in [`duet_circuits::digest`], whose `DigestHasher` gives the same
    /// digest for a circuit streamed from a file. Linear in the circuit size (about 1 ns per
    /// byte of encoding); sessions that run one circuit often should compute it once (see
    /// `Prepared` in the protocol module).
    pub fn of(circuit: &Circuit) -> CircuitDigest {
        CircuitDigest(duet_circuits::digest::of(circuit))
    }

    /// The first 4 bytes in hex followed by `…`, for error messages.
    pub fn short(&self) -> String {
        let mut s: String = self.0[..4].iter().map(|b| format!("{b:02x}")).collect();
        s.push('…');
        s
    }
}

impl fmt::Display for CircuitDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in &self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CircuitDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CircuitDigest({self})")
    }
}

/// The per-connection greeting: role and COT source, negotiated before any base OT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hello {
    /// The sender's role.
    pub role: Role,
    /// The OT extension that makes the evaluator's input labels.
    pub ot: OtKind,
    /// Its security level.
    pub security: Security,
}

impl Hello {
    /// The negotiation offer: parameters `OT extension` and `OT security` (text).
    pub fn offer(&self) -> Offer {
        Offer::new(&GC_PROTOCOL, self.role.code())
            .with("OT extension", Value::Text(self.ot.name().into()))
            .with("OT security", Value::Text(self.security.name().into()))
    }
}

/// One party's view of a circuit run, exchanged before any secret is used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOffer {
    /// The sender's role.
    pub role: Role,
    /// Sequence number of this run in the session (0 for the first).
    pub run: u64,
    /// Digest of the sender's circuit.
    pub digest: CircuitDigest,
    /// Owner of each input value, in header order, as the sender sees it.
    pub owners: Vec<Role>,
    /// Who learns the outputs.
    pub policy: OutputPolicy,
    /// Instances of the circuit in this run (1 for a single run; each instance has its own
    /// inputs, labels, salt and tables).
    pub instances: u32,
    /// The garbling scheme of the run's tables.
    pub scheme: SchemeKind,
}

impl RunOffer {
    /// The receiver's frame cap for an offer of a circuit with `num_inputs` input values.
    pub fn max_len(num_inputs: usize) -> usize {
        (256 + num_inputs).max(1 << 20)
    }

    /// The negotiation offer: parameters `session step` (number), `circuit` (digest),
    /// `garbling scheme` (text), `instance count` (number), `output policy` (text) and
    /// `input` (owners, one role index per input value).
    pub fn offer(&self) -> Offer {
        Offer::new(&GC_PROTOCOL, self.role.code())
            .with("session step", Value::Uint(self.run))
            .with("circuit", Value::Digest(self.digest.0))
            .with("garbling scheme", Value::Text(self.scheme.to_string()))
            .with("instance count", Value::Uint(self.instances.into()))
            .with("output policy", Value::Text(self.policy.to_string()))
            .with(
                "input",
                Value::Owners(self.owners.iter().map(|r| r.code()).collect()),
            )
    }
}

/// Compare the garbler's and the evaluator's offers as the negotiation does (both parties
/// get the same text).
///
/// # Errors
/// Every difference, in the garbler's parameter order: session step, circuit digest,
/// garbling scheme, instance count, output policy, input ownership (up to 8 inputs named).
pub fn compare_offers(garbler: &RunOffer, evaluator: &RunOffer) -> Result<(), Mismatch> {
    compare(&GC_PROTOCOL, &garbler.offer(), &evaluator.offer())
}

#[cfg(test)]
mod tests {
    use super::*;
    use duet_circuits::Gate;

    fn circuit(and: bool) -> Circuit {
        let mut c = Circuit::new(3, vec![1, 1], vec![1]).unwrap();
        c.push(if and {
            Gate::And { a: 0, b: 1, out: 2 }
        } else {
            Gate::Xor { a: 0, b: 1, out: 2 }
        })
        .unwrap();
        c.finish().unwrap()
    }

    fn offer(role: Role, digest: CircuitDigest, owners: Vec<Role>) -> RunOffer {
        RunOffer {
            role,
            run: 0,
            digest,
            owners,
            policy: OutputPolicy::Both,
            instances: 1,
            scheme: SchemeKind::HalfGates,
        }
    }

    #[test]
    fn digest_separates_circuits_and_is_stable() {
        let (a, x) = (
            CircuitDigest::of(&circuit(true)),
            CircuitDigest::of(&circuit(false)),
        );
        assert_ne!(a, x);
        assert_eq!(a, CircuitDigest::of(&circuit(true)));
        assert_eq!(a.short().chars().count(), 9);
        assert_eq!(a.to_string().len(), 64);
    }

    #[test]
    fn hello_and_offer_roundtrip_through_the_wire_message() {
        use duet_net::wire::{Hello as Wire, Message};
        let g = Hello {
            role: Role::Garbler,
            ot: OtKind::Ferret,
            security: Security::SemiHonest,
        };
        let e = Hello {
            role: Role::Evaluator,
            ..g
        };
        assert!(compare(&GC_PROTOCOL, &g.offer(), &e.offer()).is_ok());
        let iknp = Hello {
            ot: OtKind::Iknp,
            ..e
        };
        assert_eq!(
            compare(&GC_PROTOCOL, &g.offer(), &iknp.offer())
                .unwrap_err()
                .to_string(),
            "OT extension mismatch: garbler has ferret, evaluator has iknp"
        );
        assert_eq!(
            compare(&GC_PROTOCOL, &g.offer(), &g.offer())
                .unwrap_err()
                .to_string(),
            "both parties are the garbler"
        );
        let o = RunOffer {
            role: Role::Evaluator,
            run: 7,
            digest: CircuitDigest([3; 32]),
            owners: vec![Role::Garbler, Role::Evaluator],
            policy: OutputPolicy::Garbler,
            instances: 1000,
            scheme: SchemeKind::HalfGates,
        };
        let w = Wire::Offer(o.offer());
        assert_eq!(Wire::from_bytes(&w.to_bytes()).unwrap(), w);
    }

    #[test]
    fn compare_names_differences() {
        use Role::*;
        let d = CircuitDigest::of(&circuit(true));
        let g = offer(Garbler, d, vec![Garbler, Evaluator]);
        assert!(compare_offers(&g, &offer(Evaluator, d, vec![Garbler, Evaluator])).is_ok());
        let err = compare_offers(&g, &offer(Evaluator, d, vec![Evaluator, Garbler])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "input 0 claimed by both parties; input 1 claimed by neither party"
        );
        let other = CircuitDigest::of(&circuit(false));
        let err =
            compare_offers(&g, &offer(Evaluator, other, vec![Garbler, Evaluator])).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "circuit mismatch: garbler has {}, evaluator has {}",
                d.short(),
                other.short()
            )
        );
        let mut e = offer(Evaluator, d, vec![Garbler, Evaluator]);
        e.policy = OutputPolicy::Evaluator;
        e.run = 1;
        e.instances = 1000;
        let err = compare_offers(&g, &e).unwrap_err().to_string();
        assert!(err.contains("instance count mismatch: garbler has 1, evaluator has 1000"));
        assert!(err.contains("session step mismatch: garbler has 0, evaluator has 1"));
        assert!(
            err.contains("output policy mismatch: garbler has both, evaluator has evaluator only")
        );
        let many = compare_offers(
            &offer(Garbler, d, vec![Garbler; 20]),
            &offer(Evaluator, d, vec![Evaluator; 20]),
        )
        .unwrap_err();
        assert!(many.mentions("12 more inputs"));
    }
}
