//! The one negotiation step every Duet protocol opens with (and a gc session repeats per
//! run): each party sends an [`Offer`] — protocol, version, role and named parameters — or
//! an abort with its reason, both at once; each receives the other's, and both compare the
//! same two offers in role order, so both name the same differences in the same words.
//!
//! Wire form (one frame body, integers little-endian):
//! `"DUET" ‖ kind u8` then, for an offer (kind 1),
//! `protocol str ‖ version u16 ‖ role u8 ‖ #params u16 ‖ (name str ‖ value)*`
//! with `str = len u16 ‖ printable ASCII` and `value = tag u8 ‖ body`:
//! 0 `u64`, 1 text (str), 2 digest `[32]`, 3 owners (`count u32 ‖ role u8 each`),
//! 4 bytes (`count u32 ‖ bytes`), 5 a party's own `u64` (not compared);
//! for an abort (kind 2), the reason's UTF-8 bytes (at most [`MAX_REASON`]).
//!
//! Model: the hello of TLS 1.3 without the choice — Duet has nothing to pick, only to agree
//! on, so a difference is never resolved, only named (`circuit mismatch: garbler has
//! 3f2a…, evaluator has 9b1c…`).

use super::message::{InvalidMessage, Message, Put, Reader};
use super::{PeerMisbehaved, WireError};
use crate::Channel;
use std::fmt;

const MAGIC: [u8; 4] = *b"DUET";
/// The first bytes of `duet-ag`'s hello (its protocol predates this negotiation): a peer
/// that opens with them runs the malicious protocol, which is named as a security mismatch.
const AG_MAGIC: &[u8] = b"DUET-AG\0";
const KIND_OFFER: u8 = 1;
const KIND_ABORT: u8 = 2;
/// Longest abort reason sent or accepted, in bytes.
pub const MAX_REASON: usize = 1024;
/// Most parameters in one offer.
pub const MAX_PARAMS: usize = 64;
/// Most items in an owners or bytes parameter (2^24: as many as input bits can be).
pub const MAX_ITEMS: usize = 1 << 24;
const MAX_NAME: usize = 64;
const MAX_TEXT: usize = 256;
/// Most differences listed item by item in an owners parameter (the rest are counted).
const MAX_NAMED_ITEMS: usize = 8;

/// A protocol's identity in the negotiation: its name, version and the names of its two
/// roles (role 0 first: `garbler`/`evaluator`, `sender`/`receiver`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Protocol {
    /// e.g. `"duet-gc"`.
    pub name: &'static str,
    /// Bumped on every wire-format change.
    pub version: u16,
    /// The two roles' names.
    pub roles: [&'static str; 2],
}

/// One parameter's value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// A number both must share.
    Uint(u64),
    /// A name both must share (printable ASCII, ≤ 256 bytes), e.g. a scheme or OT source.
    Text(String),
    /// A 32-byte digest both must share (shown as its first 4 bytes in hex).
    Digest([u8; 32]),
    /// Who owns each item (an input), as the role index 0/1 that this party believes owns
    /// it; equal lists mean every item has exactly one owner.
    Owners(Vec<u8>),
    /// Bytes both must share (e.g. per-output flags).
    Bytes(Vec<u8>),
    /// This party's own figure, told to the peer and not compared (e.g. a set size).
    Own(u64),
    /// This party's own bytes, told to the peer and not compared here (the protocol checks
    /// them against its own, e.g. per-input ownership it names by input name).
    OwnBytes(Vec<u8>),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Uint(x) | Value::Own(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
            Value::Digest(d) => {
                for b in &d[..4] {
                    write!(f, "{b:02x}")?;
                }
                f.write_str("…")
            }
            Value::Owners(o) => write!(f, "{} owners", o.len()),
            Value::Bytes(b) | Value::OwnBytes(b) if b.len() <= 16 => {
                b.iter().try_for_each(|x| write!(f, "{x:02x}"))
            }
            Value::Bytes(b) | Value::OwnBytes(b) => {
                // long values differ anywhere: show their length and a digest of all of them
                let mut h = 0xcbf2_9ce4_8422_2325u64; // FNV-1a, for display only
                for &x in b.iter() {
                    h = (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3);
                }
                write!(f, "{} bytes (fnv {h:016x})", b.len())
            }
        }
    }
}

/// A named parameter of an offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// Its name as differences show it (e.g. `"circuit"`, `"garbling scheme"`, `"input"`).
    pub name: String,
    /// Its value.
    pub value: Value,
}

/// One party's offer: what it runs, as which role, with which parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The protocol's name.
    pub protocol: String,
    /// The protocol's version.
    pub version: u16,
    /// The sender's role, 0 or 1 (an index into [`Protocol::roles`]).
    pub role: u8,
    /// Parameters, in the sender's order.
    pub params: Vec<Param>,
}

impl Offer {
    /// An offer of `protocol` as role `role` (0 or 1), with no parameters yet.
    ///
    /// # Panics
    /// If `role` is not 0 or 1 (a local bug).
    pub fn new(protocol: &Protocol, role: u8) -> Offer {
        assert!(role < 2, "a role index is 0 or 1");
        Offer {
            protocol: protocol.name.into(),
            version: protocol.version,
            role,
            params: Vec::new(),
        }
    }

    /// Add a parameter (builder style).
    pub fn with(mut self, name: &str, value: Value) -> Offer {
        self.params.push(Param {
            name: name.into(),
            value,
        });
        self
    }

    /// The value of the parameter `name`, if present.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.params
            .iter()
            .find(|p| p.name == name)
            .map(|p| &p.value)
    }

    /// The `Own` or `Uint` number `name`, if present.
    pub fn number(&self, name: &str) -> Option<u64> {
        match self.get(name)? {
            Value::Own(x) | Value::Uint(x) => Some(*x),
            _ => None,
        }
    }
}

/// A negotiation message: an offer, or a refusal with a reason (the sender's own check
/// failed; the receiver reports the reason, the sender its own error).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hello {
    /// The sender's offer.
    Offer(Offer),
    /// The sender gives up; its reason (as decoded: made safe by
    /// [`crate::sanitize_peer_text`]).
    Abort(String),
}

fn put_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Uint(x) => {
            out.put_u8(0);
            out.put_u64(*x);
        }
        Value::Text(s) => {
            out.put_u8(1);
            out.put_str(s);
        }
        Value::Digest(d) => {
            out.put_u8(2);
            out.put_bytes(d);
        }
        Value::Owners(o) => {
            out.put_u8(3);
            out.put_count(o.len());
            out.put_bytes(o);
        }
        Value::Bytes(b) => {
            out.put_u8(4);
            out.put_count(b.len());
            out.put_bytes(b);
        }
        Value::Own(x) => {
            out.put_u8(5);
            out.put_u64(*x);
        }
        Value::OwnBytes(b) => {
            out.put_u8(6);
            out.put_count(b.len());
            out.put_bytes(b);
        }
    }
}

fn read_value(r: &mut Reader<'_>) -> Result<Value, InvalidMessage> {
    Ok(match r.u8("value tag")? {
        0 => Value::Uint(r.u64("number")?),
        1 => Value::Text(r.ascii("text", MAX_TEXT)?),
        2 => Value::Digest(r.array("digest")?),
        3 => {
            let n = r.count("owner count", MAX_ITEMS, 1)?;
            let o = r.bytes("owners", n)?;
            if o.iter().any(|&x| x > 1) {
                return Err(r.invalid("owners", "names a role other than 0 or 1"));
            }
            Value::Owners(o.to_vec())
        }
        4 => {
            let n = r.count("byte count", MAX_ITEMS, 1)?;
            Value::Bytes(r.bytes("bytes", n)?.to_vec())
        }
        5 => Value::Own(r.u64("number")?),
        6 => {
            let n = r.count("byte count", MAX_ITEMS, 1)?;
            Value::OwnBytes(r.bytes("bytes", n)?.to_vec())
        }
        t => return Err(r.unknown("value tag", t.into())),
    })
}

impl Message for Hello {
    const NAME: &'static str = "negotiation message";
    const MAX_LEN: usize = 1 << 20;

    fn encode(&self, out: &mut Vec<u8>) {
        out.put_bytes(&MAGIC);
        match self {
            Hello::Offer(o) => {
                out.put_u8(KIND_OFFER);
                out.put_str(&o.protocol);
                out.put_u16(o.version);
                out.put_u8(o.role);
                out.put_u16(u16::try_from(o.params.len()).expect("at most 64 parameters"));
                for p in &o.params {
                    out.put_str(&p.name);
                    put_value(out, &p.value);
                }
            }
            Hello::Abort(reason) => {
                let mut end = reason.len().min(MAX_REASON);
                while !reason.is_char_boundary(end) {
                    end -= 1;
                }
                out.put_u8(KIND_ABORT);
                out.put_bytes(&reason.as_bytes()[..end]);
            }
        }
    }

    fn decode(r: &mut Reader<'_>) -> Result<Hello, InvalidMessage> {
        if r.array::<4>("magic")? != MAGIC {
            return Err(r.invalid("magic", "is not DUET"));
        }
        match r.u8("kind")? {
            KIND_OFFER => {
                let protocol = r.ascii("protocol", MAX_NAME)?;
                let version = r.u16("version")?;
                let role = r.u8("role")?;
                if role > 1 {
                    return Err(r.unknown("role", role.into()));
                }
                let n = r.u16("parameter count")? as usize;
                if n > MAX_PARAMS {
                    return Err(r.out_of_range("parameter count", n as u64, MAX_PARAMS as u64));
                }
                let mut params = Vec::with_capacity(n);
                for _ in 0..n {
                    let name = r.ascii("parameter name", MAX_NAME)?;
                    let value = read_value(r)?;
                    params.push(Param { name, value });
                }
                Ok(Hello::Offer(Offer {
                    protocol,
                    version,
                    role,
                    params,
                }))
            }
            KIND_ABORT => {
                let reason = r.rest();
                if reason.len() > MAX_REASON {
                    return Err(r.out_of_range(
                        "abort reason length",
                        reason.len() as u64,
                        MAX_REASON as u64,
                    ));
                }
                Ok(Hello::Abort(crate::sanitize_peer_text(reason)))
            }
            k => Err(r.unknown("kind", k.into())),
        }
    }
}

/// One difference between the two offers, in words both parties print alike.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference(String);

impl Difference {
    /// The difference's text (e.g. `garbling scheme mismatch: garbler has half-gates,
    /// evaluator has three-halves`).
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The parties' offers differ: every difference, in role order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The differences (at least one).
    pub differences: Vec<Difference>,
}

impl Mismatch {
    /// Whether some difference's text contains `s`.
    pub fn mentions(&self, s: &str) -> bool {
        self.differences.iter().any(|d| d.0.contains(s))
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.differences.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(&d.0)?;
        }
        Ok(())
    }
}

impl std::error::Error for Mismatch {}

/// Compare our offer with the peer's under `protocol`; both parties get the same list.
///
/// Protocol, version and roles first (a difference there stops the comparison: nothing
/// else can be paired); then each parameter by name in role-0 order (then the role-1
/// extras): `Own` values are skipped, owners compared item by item (`input 3 claimed by
/// both parties`, `input 5 claimed by neither party`, the first 8 named), every other value
/// as a whole (`circuit mismatch: garbler has 3f2a…, evaluator has 9b1c…`).
///
/// # Errors
/// The [`Mismatch`] with every difference.
pub fn compare(protocol: &Protocol, ours: &Offer, peer: &Offer) -> Result<(), Mismatch> {
    let d = |s: String| Difference(s);
    let mut diffs = Vec::new();
    if peer.protocol != ours.protocol {
        diffs.push(d(format!(
            "protocol mismatch: we speak {}, the peer speaks {}",
            ours.protocol,
            crate::escape_peer_text(peer.protocol.as_bytes())
        )));
    } else if peer.version != ours.version {
        diffs.push(d(format!(
            "protocol version mismatch: we speak {} version {}, the peer version {}",
            ours.protocol, ours.version, peer.version
        )));
    }
    if peer.role == ours.role {
        diffs.push(d(format!(
            "both parties are the {}",
            protocol.roles[usize::from(ours.role & 1)]
        )));
    }
    if !diffs.is_empty() {
        return Err(Mismatch { differences: diffs });
    }
    let (a, b) = if ours.role == 0 {
        (ours, peer)
    } else {
        (peer, ours)
    };
    let [ra, rb] = protocol.roles;
    let names = a.params.iter().map(|p| p.name.as_str()).chain(
        b.params
            .iter()
            .map(|p| p.name.as_str())
            .filter(|n| a.get(n).is_none()),
    );
    for name in names {
        match (a.get(name), b.get(name)) {
            (Some(Value::Own(_) | Value::OwnBytes(_)), _)
            | (_, Some(Value::Own(_) | Value::OwnBytes(_))) => {}
            (Some(Value::Owners(x)), Some(Value::Owners(y))) if x.len() == y.len() => {
                let mut named = 0;
                let mut more = 0;
                for (i, (&p, &q)) in x.iter().zip(y).enumerate() {
                    let what = match (p, q) {
                        (0, 1) => "claimed by both parties",
                        (1, 0) => "claimed by neither party",
                        _ => continue,
                    };
                    if named < MAX_NAMED_ITEMS {
                        diffs.push(d(format!("{name} {i} {what}")));
                        named += 1;
                    } else {
                        more += 1;
                    }
                }
                if more > 0 {
                    diffs.push(d(format!("{more} more {name}s with conflicting owners")));
                }
            }
            (Some(Value::Owners(x)), Some(Value::Owners(y))) => diffs.push(d(format!(
                "{name} count mismatch: {ra} has {}, {rb} has {}",
                x.len(),
                y.len()
            ))),
            (Some(x), Some(y)) if x == y => {}
            (x, y) => {
                let show = |v: Option<&Value>| match v {
                    None => "none".to_string(),
                    Some(v) => crate::escape_peer_text(v.to_string().as_bytes()),
                };
                diffs.push(d(format!(
                    "{name} mismatch: {ra} has {}, {rb} has {}",
                    show(x),
                    show(y)
                )));
            }
        }
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(Mismatch { differences: diffs })
    }
}

/// Run the negotiation on `ch`: send `mine` (an offer, or an abort when this party's own
/// check failed), flush, receive the peer's message (at most `max_len` bytes), and compare.
/// Both parties call it at the same point; neither waits on the other before sending.
///
/// Returns the peer's offer when the two agree. Not cancel-safe.
///
/// # Errors
/// [`WireError::Misuse`] with our own reason if `mine` is an abort (sent to the peer
/// first); [`WireError::PeerAborted`] with the peer's (sanitised) reason;
/// [`WireError::PeerMisbehaved`] if the peer is not a Duet party;
/// [`WireError::InvalidMessage`] for a malformed message; [`WireError::Mismatch`] naming
/// every difference; network errors.
pub async fn negotiate(
    ch: &mut Channel,
    protocol: &Protocol,
    mine: &Hello,
    max_len: usize,
) -> Result<Offer, WireError> {
    super::send_msg(ch, mine).await?;
    ch.flush().await?;
    let bytes = match ch.recv_frame(max_len).await {
        Ok(b) => b,
        Err(crate::NetError::FrameTooLarge { actual, max }) => {
            return Err(PeerMisbehaved::FirstFrame { actual, max }.into());
        }
        Err(e) => return Err(e.into()),
    };
    if bytes.starts_with(AG_MAGIC) {
        // duet-ag (authenticated garbling, `--security malicious`) opens with its own hello
        return Err(WireError::Mismatch(Mismatch {
            differences: vec![Difference(format!(
                "security mismatch: this party runs {} (semi-honest), the peer runs \
                 authenticated garbling (malicious)",
                protocol.name
            ))],
        }));
    }
    if bytes.len() < 4 || bytes[..4] != MAGIC {
        return Err(PeerMisbehaved::NotDuet {
            expected: protocol.name,
            shown: crate::sanitize_peer_text(&bytes[..bytes.len().min(16)]),
        }
        .into());
    }
    let peer = Hello::from_bytes(&bytes)?;
    match (mine, peer) {
        (Hello::Abort(reason), _) => Err(WireError::Misuse(reason.clone())),
        (_, Hello::Abort(reason)) => Err(WireError::PeerAborted(reason)),
        (Hello::Offer(ours), Hello::Offer(peer)) => {
            compare(protocol, ours, &peer).map_err(WireError::Mismatch)?;
            Ok(peer)
        }
    }
}
