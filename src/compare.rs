//! Secure comparison (Yao's millionaires' problem) with garbled circuits.
//!
//! The garbler and the evaluator each hold integers; both learn, for each pair, whether the
//! garbler's value is less than, equal to or greater than the evaluator's — and nothing
//! else (semi-honest security of the `duet_gc` half-gates protocol, ZRE15).
//!
//! All pairs of a call go into **one** circuit built with
//! [`CircuitBuilder`]: per pair an ℓ-bit less-than (signed or unsigned, ℓ ANDs) and an
//! equality test (ℓ − 1 ANDs), i.e. 2ℓ − 1 AND gates per pair; outputs are the k less-than
//! bits, then the k equality bits, revealed to both parties. Before the run the parties
//! exchange a small header (width, signedness, number of pairs) so that a mismatch fails
//! on both sides with a clear message rather than as a circuit-digest mismatch.

use duet_circuits::builder::CircuitBuilder;
use duet_circuits::{Bits, Circuit, CircuitError};
use duet_gc::{OutputPolicy, ProtocolError, Role, Session};
use std::cmp::Ordering;

/// Width and signedness of the compared integers.
///
/// ```
/// let spec = duet::compare::CompareSpec::new(32, false); // u32
/// assert_eq!(spec.range(), (0, u32::MAX as i128));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompareSpec {
    /// Bits per value, 1..=64.
    pub bits: u32,
    /// Two's-complement signed (default) or unsigned.
    pub signed: bool,
}

impl Default for CompareSpec {
    fn default() -> Self {
        CompareSpec {
            bits: 64,
            signed: true,
        }
    }
}

impl CompareSpec {
    /// `bits`-bit integers (1..=64, checked by [`CompareSpec::validate`]), two's complement
    /// if `signed`.
    pub fn new(bits: u32, signed: bool) -> CompareSpec {
        CompareSpec { bits, signed }
    }

    /// Check the width (1..=64).
    ///
    /// # Errors
    /// [`CompareError::Bits`] otherwise.
    pub fn validate(&self) -> Result<(), CompareError> {
        if (1..=64).contains(&self.bits) {
            Ok(())
        } else {
            Err(CompareError::Bits(self.bits))
        }
    }

    /// The smallest and largest representable value.
    pub fn range(&self) -> (i128, i128) {
        let b = self.bits.clamp(1, 64);
        if self.signed {
            (-(1i128 << (b - 1)), (1i128 << (b - 1)) - 1)
        } else {
            (0, (1i128 << b) - 1)
        }
    }

    /// Check that `v` is representable.
    ///
    /// # Errors
    /// [`CompareError::Range`] naming the range.
    pub fn check(&self, v: i128) -> Result<(), CompareError> {
        self.validate()?;
        let (lo, hi) = self.range();
        if v < lo || v > hi {
            return Err(CompareError::Range {
                value: v,
                lo,
                hi,
                spec: *self,
            });
        }
        Ok(())
    }

    /// Parse a decimal integer (optional sign; `_` separators allowed) in range.
    ///
    /// # Errors
    /// [`CompareError::Parse`] or [`CompareError::Range`].
    pub fn parse(&self, s: &str) -> Result<i128, CompareError> {
        let t: String = s.trim().chars().filter(|&c| c != '_').collect();
        let v: i128 = t.parse().map_err(|_| CompareError::Parse(s.to_string()))?;
        self.check(v)?;
        Ok(v)
    }

    fn describe(&self) -> String {
        format!(
            "{}-bit {}",
            self.bits,
            if self.signed { "signed" } else { "unsigned" }
        )
    }
}

/// Errors of a comparison.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// The width is not 1..=64.
    #[error("--bits must be 1..=64, got {0}")]
    Bits(u32),
    /// A value is not an integer.
    #[error("{0:?} is not a decimal integer")]
    Parse(String),
    /// A value does not fit the width.
    #[error("value {value} is out of range for {} integers ({lo}..={hi})", spec.describe())]
    Range {
        /// the value
        value: i128,
        /// smallest allowed
        lo: i128,
        /// largest allowed
        hi: i128,
        /// the width in force
        spec: CompareSpec,
    },
    /// The two parties asked for different comparisons.
    #[error("the parties disagree on {what}: {local} here, {peer} at the peer")]
    Mismatch {
        /// which parameter
        what: &'static str,
        /// ours
        local: String,
        /// theirs
        peer: String,
    },
    /// The peer is not running `compare`.
    #[error("the peer is not running a duet comparison")]
    NotCompare,
    /// The garbled-circuit protocol failed.
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    /// The network failed during the parameter exchange.
    #[error(transparent)]
    Net(#[from] duet_net::NetError),
    /// Building the circuit failed.
    #[error("building the comparison circuit failed: {0}")]
    Circuit(#[from] CircuitError),
    /// The protocol returned outputs of an unexpected shape.
    #[error("unexpected comparison output: {0}")]
    Output(String),
}

/// The word for an ordering: `less`, `equal` or `greater`.
pub fn ordering_word(o: Ordering) -> &'static str {
    match o {
        Ordering::Less => "less",
        Ordering::Equal => "equal",
        Ordering::Greater => "greater",
    }
}

/// The comparison circuit for `count` pairs: input 0 = the garbler's values, input 1 = the
/// evaluator's (each `count·bits` wide, pair p at bits p·ℓ..(p+1)·ℓ, LSB first); output 0 =
/// `count` bits "garbler < evaluator", output 1 = `count` bits "equal". 2ℓ − 1 ANDs per pair.
///
/// # Errors
/// [`CompareError::Bits`] for a bad width; [`CompareError::Circuit`] if the circuit is too
/// large.
pub fn compare_circuit(spec: CompareSpec, count: usize) -> Result<Circuit, CompareError> {
    spec.validate()?;
    let l = spec.bits as usize;
    let mut b = CircuitBuilder::new();
    let g = b.input(count * l);
    let e = b.input(count * l);
    let mut lts = Vec::with_capacity(count);
    let mut eqs = Vec::with_capacity(count);
    for p in 0..count {
        let (x, y) = (&g[p * l..(p + 1) * l], &e[p * l..(p + 1) * l]);
        lts.push(if spec.signed {
            b.slt(x, y)
        } else {
            b.ult(x, y)
        });
        eqs.push(b.eq(x, y));
    }
    b.output(&lts);
    b.output(&eqs);
    Ok(b.build()?)
}

const MAGIC: &[u8; 8] = b"duet-cmp";
const VERSION: u8 = 1;

async fn exchange_header(
    session: &mut Session,
    spec: CompareSpec,
    count: usize,
) -> Result<(), CompareError> {
    let mut h = [0u8; 19];
    h[..8].copy_from_slice(MAGIC);
    h[8] = VERSION;
    h[9] = spec.bits as u8;
    h[10] = spec.signed as u8;
    h[11..19].copy_from_slice(&(count as u64).to_le_bytes());
    let ch = session.channel();
    ch.send(&h).await?;
    ch.flush().await?;
    let mut p = [0u8; 19];
    ch.recv_exact(&mut p).await?;
    if &p[..8] != MAGIC {
        return Err(CompareError::NotCompare);
    }
    let peer_count = u64::from_le_bytes(p[11..19].try_into().expect("8 bytes"));
    let checks = [
        ("the protocol version", VERSION as u64, p[8] as u64),
        ("the width in bits", spec.bits as u64, p[9] as u64),
        ("signedness (1 = signed)", spec.signed as u64, p[10] as u64),
        ("the number of comparisons", count as u64, peer_count),
    ];
    for (what, local, peer) in checks {
        if local != peer {
            return Err(CompareError::Mismatch {
                what,
                local: local.to_string(),
                peer: peer.to_string(),
            });
        }
    }
    Ok(())
}

/// Compare this party's `values` with the peer's, pair by pair, in one garbled circuit over
/// an open [`Session`]. Both parties call this with the same `spec` and the same number of
/// values. Returns, per pair, the garbler's value relative to the evaluator's.
///
/// Not cancel-safe.
///
/// # Errors
/// [`CompareError::Range`] (before anything is sent) if a value does not fit `spec`;
/// [`CompareError::Mismatch`] on both sides if the parties' widths, signedness or counts
/// differ; protocol and network errors.
pub async fn compare_many(
    session: &mut Session,
    values: &[i128],
    spec: CompareSpec,
) -> Result<Vec<Ordering>, CompareError> {
    for &v in values {
        spec.check(v)?;
    }
    exchange_header(session, spec, values.len()).await?;
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let l = spec.bits as usize;
    let circuit = compare_circuit(spec, values.len())?;
    let mut bits = Bits::repeat(false, values.len() * l);
    for (p, &v) in values.iter().enumerate() {
        let u = v as u128; // two's complement; the low ℓ bits are the encoding
        for k in 0..l {
            bits.set(p * l + k, (u >> k) & 1 == 1);
        }
    }
    let index = match session.role() {
        Role::Garbler => 0,
        Role::Evaluator => 1,
    };
    let out = session
        .run(&circuit, &[(index, bits)], OutputPolicy::Both)
        .await?;
    if out.len() != 2 || out[0].len() != values.len() || out[1].len() != values.len() {
        return Err(CompareError::Output(format!("{} output values", out.len())));
    }
    Ok((0..values.len())
        .map(|p| {
            if out[1][p] {
                Ordering::Equal
            } else if out[0][p] {
                Ordering::Less
            } else {
                Ordering::Greater
            }
        })
        .collect())
}

/// Compare one value with the peer's: [`compare_many`] with one pair.
///
/// # Errors
/// As [`compare_many`].
pub async fn compare(
    session: &mut Session,
    value: i128,
    spec: CompareSpec,
) -> Result<Ordering, CompareError> {
    let r = compare_many(session, &[value], spec).await?;
    r.into_iter()
        .next()
        .ok_or_else(|| CompareError::Output("no result".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use duet_circuits::eval::evaluate;

    fn enc(v: i128, l: usize) -> Bits {
        let mut b = Bits::repeat(false, l);
        for k in 0..l {
            b.set(k, (v as u128 >> k) & 1 == 1);
        }
        b
    }

    #[test]
    fn circuit_and_count_and_plaintext_semantics() {
        for (bits, signed) in [(1, true), (1, false), (5, true), (8, false), (64, true)] {
            let spec = CompareSpec { bits, signed };
            let c = compare_circuit(spec, 3).unwrap();
            assert_eq!(c.and_count(), 3 * (2 * bits as u64 - 1), "{bits} {signed}");
            let (lo, hi) = spec.range();
            let vals = [lo, hi, 0.max(lo), hi / 2, lo / 2];
            for &x in &vals {
                let ys = [x, lo, hi];
                let mut g = Bits::new();
                let mut e = Bits::new();
                for &y in &ys {
                    g.extend_from_bitslice(&enc(x, bits as usize));
                    e.extend_from_bitslice(&enc(y, bits as usize));
                }
                let out = evaluate(&c, &[g, e]).unwrap();
                for (p, &y) in ys.iter().enumerate() {
                    assert_eq!(out[0][p], x < y, "{spec:?} {x} < {y}");
                    assert_eq!(out[1][p], x == y, "{spec:?} {x} == {y}");
                }
            }
        }
    }

    #[test]
    fn parsing_and_ranges() {
        let s = CompareSpec::default();
        assert_eq!(s.parse("-9223372036854775808").unwrap(), i64::MIN as i128);
        assert!(matches!(
            s.parse("9223372036854775808"),
            Err(CompareError::Range { .. })
        ));
        assert!(matches!(s.parse("12a"), Err(CompareError::Parse(_))));
        let u = CompareSpec {
            bits: 64,
            signed: false,
        };
        assert_eq!(u.parse("18446744073709551615").unwrap(), u64::MAX as i128);
        assert!(u.parse("-1").is_err());
        let b1 = CompareSpec {
            bits: 1,
            signed: true,
        };
        assert_eq!(b1.range(), (-1, 0));
        assert!(
            CompareSpec {
                bits: 0,
                signed: true
            }
            .validate()
            .is_err()
        );
        assert!(
            CompareSpec {
                bits: 65,
                signed: true
            }
            .check(0)
            .is_err()
        );
        assert_eq!(s.parse("1_000").unwrap(), 1000);
    }
}
