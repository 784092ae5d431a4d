//! The two-party handshake: what both parties must agree on before any secret is used.
//!
//! Two messages, each sent by **both** parties at the same time and checked by both:
//!
//! - [`Hello`] once per connection: magic, protocol version, role. Two garblers or two
//!   evaluators, or another protocol version, abort both sides.
//! - [`RunOffer`] once per circuit run: the run's sequence number in the session, the blake3
//!   [`CircuitDigest`] of the canonical circuit encoding, how many instances of the circuit
//!   the run evaluates (1, or more for a batched run), which party owns each input value
//!   (as this party sees it) and the [`OutputPolicy`]. [`compare_offers`] names every
//!   difference (e.g. `circuit mismatch: garbler has 3f2a…, evaluator has 9b1c…`,
//!   `input 1 claimed by both parties`).
//!
//! A party that fails a local check (e.g. a wrong input width) sends [`RunOffer`]'s abort
//! form instead, so the peer reports the reason rather than "peer closed the connection".
//!
//! Wire format: every message is one `duet_net` frame (u32 LE length prefix). All integers
//! little-endian.

use duet_circuits::Circuit;
use duet_gc_core::SchemeKind;
use std::fmt;

/// The version of the Duet 2PC protocol spoken by this crate.
pub const PROTOCOL_VERSION: u16 = 3;

const MAGIC: [u8; 8] = *b"DUET-GC\0";
const HELLO_LEN: usize = 8 + 2 + 1;
const TAG_OFFER: u8 = 1;
const TAG_ABORT: u8 = 2;
/// Bytes of an offer before the owner list.
const OFFER_FIXED: usize = 52;
/// Longest abort reason we send or accept, in bytes.
const MAX_REASON: usize = 1024;

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

    fn code(self) -> u8 {
        match self {
            Role::Garbler => 0,
            Role::Evaluator => 1,
        }
    }

    fn from_code(c: u8) -> Option<Role> {
        match c {
            0 => Some(Role::Garbler),
            1 => Some(Role::Evaluator),
            _ => None,
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
    fn code(self) -> u8 {
        match self {
            OutputPolicy::Both => 0,
            OutputPolicy::Garbler => 1,
            OutputPolicy::Evaluator => 2,
        }
    }

    fn from_code(c: u8) -> Option<OutputPolicy> {
        match c {
            0 => Some(OutputPolicy::Both),
            1 => Some(OutputPolicy::Garbler),
            2 => Some(OutputPolicy::Evaluator),
            _ => None,
        }
    }

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

/// The per-connection greeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hello {
    /// [`PROTOCOL_VERSION`] of the sender.
    pub version: u16,
    /// The sender's role.
    pub role: Role,
}

impl Hello {
    /// Largest encoded hello accepted (a frame cap for the receiver).
    pub const MAX_LEN: usize = 64;

    /// Encode as `MAGIC ‖ version u16 ‖ role u8` (11 bytes).
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(HELLO_LEN);
        v.extend_from_slice(&MAGIC);
        v.extend_from_slice(&self.version.to_le_bytes());
        v.push(self.role.code());
        v
    }

    /// Decode a peer's hello.
    ///
    /// # Errors
    /// A message naming what is wrong (not a Duet GC peer, unknown role, bad length).
    pub fn decode(bytes: &[u8]) -> Result<Hello, String> {
        if bytes.len() >= 8 && bytes[..8] == *b"DUET-AG\0" {
            return Err(
                "security mismatch: we run semi-honest, the peer runs malicious \
                        (authenticated garbling)"
                    .into(),
            );
        }
        if bytes.len() < 8 || bytes[..8] != MAGIC {
            return Err("the peer is not speaking the Duet GC protocol".into());
        }
        if bytes.len() != HELLO_LEN {
            return Err(format!(
                "hello of {} bytes, expected {HELLO_LEN}",
                bytes.len()
            ));
        }
        let version = u16::from_le_bytes([bytes[8], bytes[9]]);
        let role =
            Role::from_code(bytes[10]).ok_or_else(|| format!("unknown role {}", bytes[10]))?;
        Ok(Hello { version, role })
    }

    /// Check the peer's hello against ours (`self`): same version, opposite role.
    ///
    /// # Errors
    /// A message saying what differs, from our point of view.
    pub fn check_peer(&self, peer: &Hello) -> Result<(), String> {
        if peer.version != self.version {
            return Err(format!(
                "protocol version mismatch: we speak {}, the peer speaks {}",
                self.version, peer.version
            ));
        }
        if peer.role == self.role {
            return Err(format!("both parties are the {}", self.role));
        }
        Ok(())
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

/// A decoded run message: an offer, or the peer's reason to abort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunMessage {
    /// The peer's view of the run.
    Offer(RunOffer),
    /// The peer gave up before the run started (its local check failed): its reason, as
    /// [`duet_net::sanitize_peer_text`] makes it safe to print (quoted, escaped, capped,
    /// marked "(its words)").
    Abort(String),
}

impl RunOffer {
    /// The receiver's frame cap for an offer of a circuit with `num_inputs` input values.
    pub fn max_len(num_inputs: usize) -> usize {
        (64 + num_inputs).max(1 << 20)
    }

    /// Encode: `1 ‖ role u8 ‖ run u64 ‖ digest [32] ‖ policy u8 ‖ instances u32 ‖
    /// scheme u8 ‖ #inputs u32 ‖ owner u8 each`.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(OFFER_FIXED + self.owners.len());
        v.push(TAG_OFFER);
        v.push(self.role.code());
        v.extend_from_slice(&self.run.to_le_bytes());
        v.extend_from_slice(&self.digest.0);
        v.push(self.policy.code());
        v.extend_from_slice(&self.instances.to_le_bytes());
        v.push(self.scheme.wire_id());
        v.extend_from_slice(&(self.owners.len() as u32).to_le_bytes());
        v.extend(self.owners.iter().map(|r| r.code()));
        v
    }

    /// Encode an abort with `reason` (truncated to 1 KiB at a char boundary): `2 ‖ utf-8`.
    pub fn encode_abort(reason: &str) -> Vec<u8> {
        let mut end = reason.len().min(MAX_REASON);
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        let mut v = Vec::with_capacity(1 + end);
        v.push(TAG_ABORT);
        v.extend_from_slice(&reason.as_bytes()[..end]);
        v
    }

    /// Decode a peer's run message.
    ///
    /// # Errors
    /// A message naming the malformed field.
    pub fn decode(bytes: &[u8]) -> Result<RunMessage, String> {
        match bytes.first() {
            Some(&TAG_ABORT) => {
                let r = &bytes[1..];
                if r.len() > MAX_REASON {
                    return Err(format!("abort reason of {} bytes", r.len()));
                }
                // the peer's words, made safe to print (control characters escaped, capped,
                // quoted and marked as the peer's)
                Ok(RunMessage::Abort(duet_net::sanitize_peer_text(r)))
            }
            Some(&TAG_OFFER) => {
                if bytes.len() < OFFER_FIXED {
                    return Err(format!("run offer of {} bytes is too short", bytes.len()));
                }
                let role = Role::from_code(bytes[1]).ok_or("unknown role in run offer")?;
                let run = u64::from_le_bytes(bytes[2..10].try_into().expect("8 bytes"));
                let digest = CircuitDigest(bytes[10..42].try_into().expect("32 bytes"));
                let policy = OutputPolicy::from_code(bytes[42])
                    .ok_or_else(|| format!("unknown output policy {}", bytes[42]))?;
                let instances = u32::from_le_bytes(bytes[43..47].try_into().expect("4 bytes"));
                let scheme = SchemeKind::from_wire_id(bytes[47])
                    .ok_or_else(|| format!("unknown garbling scheme id {}", bytes[47]))?;
                let n = u32::from_le_bytes(bytes[48..52].try_into().expect("4 bytes")) as usize;
                let rest = &bytes[OFFER_FIXED..];
                if rest.len() != n {
                    return Err(format!(
                        "run offer announces {n} inputs but carries {}",
                        rest.len()
                    ));
                }
                let owners = rest
                    .iter()
                    .map(|&c| Role::from_code(c).ok_or("unknown input owner in run offer"))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(RunMessage::Offer(RunOffer {
                    role,
                    run,
                    digest,
                    owners,
                    policy,
                    instances,
                    scheme,
                }))
            }
            Some(t) => Err(format!("unknown run message tag {t}")),
            None => Err("empty run message".into()),
        }
    }
}

/// Compare the garbler's and the evaluator's offers. Both parties call this with the same
/// two offers (their own and the peer's, put in role order), so both report the same text.
///
/// # Errors
/// Every difference, joined by `"; "`: session step, circuit digest (if the circuits differ
/// nothing else is compared), instance count, output policy, and input ownership (up to 8
/// inputs named).
pub fn compare_offers(garbler: &RunOffer, evaluator: &RunOffer) -> Result<(), String> {
    if garbler.role != Role::Garbler || evaluator.role != Role::Evaluator {
        return Err(format!(
            "role mismatch: expected a garbler and an evaluator, got a {} and a {}",
            garbler.role, evaluator.role
        ));
    }
    let mut diffs = Vec::new();
    if garbler.run != evaluator.run {
        diffs.push(format!(
            "session out of step: garbler is at run {}, evaluator at run {}",
            garbler.run, evaluator.run
        ));
    }
    if garbler.digest != evaluator.digest {
        diffs.push(format!(
            "circuit mismatch: garbler has {}, evaluator has {}",
            garbler.digest.short(),
            evaluator.digest.short()
        ));
        return Err(diffs.join("; "));
    }
    if garbler.scheme != evaluator.scheme {
        diffs.push(format!(
            "garbling scheme mismatch: garbler uses {}, evaluator uses {}",
            garbler.scheme, evaluator.scheme
        ));
    }
    if garbler.instances != evaluator.instances {
        diffs.push(format!(
            "instance count mismatch: garbler runs {} instances, evaluator {}",
            garbler.instances, evaluator.instances
        ));
    }
    if garbler.policy != evaluator.policy {
        diffs.push(format!(
            "output policy mismatch: garbler wants {}, evaluator wants {}",
            garbler.policy, evaluator.policy
        ));
    }
    if garbler.owners.len() != evaluator.owners.len() {
        diffs.push(format!(
            "input count mismatch: garbler has {}, evaluator has {}",
            garbler.owners.len(),
            evaluator.owners.len()
        ));
    } else {
        let mut named = 0;
        let mut more = 0;
        for (i, (g, e)) in garbler.owners.iter().zip(&evaluator.owners).enumerate() {
            let what = match (g, e) {
                (Role::Garbler, Role::Evaluator) => "claimed by both parties",
                (Role::Evaluator, Role::Garbler) => "claimed by neither party",
                _ => continue,
            };
            if named < 8 {
                diffs.push(format!("input {i} {what}"));
                named += 1;
            } else {
                more += 1;
            }
        }
        if more > 0 {
            diffs.push(format!("{more} more inputs with conflicting owners"));
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(diffs.join("; "))
    }
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
    fn hello_roundtrip_and_checks() {
        let g = Hello {
            version: PROTOCOL_VERSION,
            role: Role::Garbler,
        };
        let e = Hello {
            version: PROTOCOL_VERSION,
            role: Role::Evaluator,
        };
        assert_eq!(Hello::decode(&g.encode()).unwrap(), g);
        assert!(g.check_peer(&e).is_ok());
        assert!(
            g.check_peer(&g)
                .unwrap_err()
                .contains("both parties are the garbler")
        );
        let old = Hello {
            version: 0,
            role: Role::Evaluator,
        };
        assert!(g.check_peer(&old).unwrap_err().contains("version mismatch"));
        assert!(
            Hello::decode(b"HTTP/1.1 200")
                .unwrap_err()
                .contains("not speaking")
        );
        let mut bad = g.encode();
        bad[10] = 9;
        assert!(Hello::decode(&bad).is_err());
        assert!(Hello::decode(&bad[..9]).is_err());
    }

    #[test]
    fn offer_roundtrip_and_malformed() {
        let o = RunOffer {
            role: Role::Evaluator,
            run: 7,
            digest: CircuitDigest([3; 32]),
            owners: vec![Role::Garbler, Role::Evaluator],
            policy: OutputPolicy::Garbler,
            instances: 1000,
            scheme: SchemeKind::HalfGates,
        };
        let bytes = o.encode();
        assert_eq!(RunOffer::decode(&bytes).unwrap(), RunMessage::Offer(o));
        for cut in 0..bytes.len() {
            assert!(RunOffer::decode(&bytes[..cut]).is_err(), "cut {cut}");
        }
        let mut bad = bytes.clone();
        bad[42] = 7;
        assert!(RunOffer::decode(&bad).unwrap_err().contains("policy"));
        let mut bad = bytes.clone();
        bad[47] = 9;
        assert!(
            RunOffer::decode(&bad)
                .unwrap_err()
                .contains("unknown garbling scheme id 9")
        );
        let mut bad = bytes;
        bad[OFFER_FIXED + 1] = 5;
        assert!(RunOffer::decode(&bad).is_err());
        assert_eq!(
            RunOffer::decode(&RunOffer::encode_abort("input 0 is 8 bits")).unwrap(),
            RunMessage::Abort("\"input 0 is 8 bits\" (its words)".into())
        );
        let long = "é".repeat(1000);
        assert!(matches!(
            RunOffer::decode(&RunOffer::encode_abort(&long)).unwrap(),
            RunMessage::Abort(s) if s.len() <= MAX_REASON
        ));
        // a reason with terminal escapes and newlines arrives escaped
        let RunMessage::Abort(s) =
            RunOffer::decode(&RunOffer::encode_abort("x\x1b[31mred\nline2")).unwrap()
        else {
            panic!("an abort")
        };
        assert_eq!(s, "\"x\\u{1b}[31mred\\u{a}line2\" (its words)");
        assert!(RunOffer::decode(&[9]).is_err());
    }

    #[test]
    fn compare_names_differences() {
        use Role::*;
        let d = CircuitDigest::of(&circuit(true));
        let g = offer(Garbler, d, vec![Garbler, Evaluator]);
        assert!(compare_offers(&g, &offer(Evaluator, d, vec![Garbler, Evaluator])).is_ok());
        let err = compare_offers(&g, &offer(Evaluator, d, vec![Evaluator, Garbler])).unwrap_err();
        assert_eq!(
            err,
            "input 0 claimed by both parties; input 1 claimed by neither party"
        );
        let other = CircuitDigest::of(&circuit(false));
        let err =
            compare_offers(&g, &offer(Evaluator, other, vec![Garbler, Evaluator])).unwrap_err();
        assert_eq!(
            err,
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
        let err = compare_offers(&g, &e).unwrap_err();
        assert!(err.contains("instance count mismatch: garbler runs 1 instances, evaluator 1000"));
        assert!(err.contains("session out of step: garbler is at run 0, evaluator at run 1"));
        assert!(err.contains(
            "output policy mismatch: garbler wants both, evaluator wants evaluator only"
        ));
        let many = compare_offers(
            &offer(Garbler, d, vec![Garbler; 20]),
            &offer(Evaluator, d, vec![Evaluator; 20]),
        )
        .unwrap_err();
        assert!(many.contains("12 more inputs"));
        assert!(
            compare_offers(&e, &g)
                .unwrap_err()
                .contains("role mismatch")
        );
    }
}
