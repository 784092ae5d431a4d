//! Input and output values as hex strings, in the convention of `circuits/bristol/SOURCES.md`.
//!
//! A value of `n` bits is the **big-endian** hex of an unsigned integer `V`; bit `k` of `V`
//! (k = 0 the least significant) is wire `k` of the value, i.e. bit `k` of the [`Bits`]. So
//! the AES key `000102…0f` puts byte `0x00` on wires 120…127 and byte `0x0f` on wires 0…7, and
//! a 64-bit integer's hex is its two's-complement pattern with wire 0 its LSB.
//!
//! [`to_hex`] writes exactly `2·ceil(n/8)` lowercase digits (a 1-bit value is `00` or `01`).
//! [`parse_hex`] accepts an optional `0x`/`0X` prefix, upper or lower case, any number of
//! digits (odd, fewer, or extra leading zeros) as long as `V < 2^n`.

use thiserror::Error;

use crate::Bits;

/// A hex value that cannot be read.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueError {
    /// No digits at all.
    #[error("empty value: expected hex digits")]
    Empty,
    /// A character that is not a hex digit.
    #[error("`{digit}` at position {position} is not a hex digit")]
    BadDigit {
        /// the character
        digit: char,
        /// 0-based character position in the string as given
        position: usize,
    },
    /// A signed value outside `−2^(width−1) .. 2^(width−1)`.
    #[error("{value} does not fit in {width} bits two's complement")]
    OutOfRange {
        /// the value
        value: i64,
        /// the width in bits
        width: u32,
    },
    /// `V ≥ 2^width`.
    #[error("value needs {needed} bits but only {width} are available (must be below 2^{width})")]
    TooWide {
        /// the value's bit width
        width: u32,
        /// bits `V` needs (position of its highest set bit + 1)
        needed: u64,
    },
}

/// Parse a hex value of `width` bits: bit `k` of the result is bit `k` of the big-endian
/// integer the hex denotes.
///
/// # Errors
/// [`ValueError::Empty`] for no digits (also `"0x"`), [`ValueError::BadDigit`] for a non-hex
/// character (whitespace around the value is trimmed), [`ValueError::TooWide`] if the value
/// does not fit in `width` bits.
pub fn parse_hex(s: &str, width: u32) -> Result<Bits, ValueError> {
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    let (digits, skip) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(rest) => (rest, lead + 2),
        None => (t, lead),
    };
    if digits.is_empty() {
        return Err(ValueError::Empty);
    }
    let mut bits = Bits::repeat(false, width as usize);
    let mut needed: u64 = 0;
    // Walk from the least significant digit; `pos` counts nibbles.
    for (pos, (i, ch)) in digits.char_indices().rev().enumerate() {
        let d = ch.to_digit(16).ok_or(ValueError::BadDigit {
            digit: ch,
            position: skip + digits[..i].chars().count(),
        })?;
        for j in 0..4u64 {
            if d >> j & 1 == 1 {
                let k = 4 * pos as u64 + j;
                needed = needed.max(k + 1);
                if k < width as u64 {
                    bits.set(k as usize, true);
                }
            }
        }
    }
    if needed > width as u64 {
        return Err(ValueError::TooWide { width, needed });
    }
    Ok(bits)
}

/// The hex string of a value: exactly `2·ceil(n/8)` lowercase digits for `n = bits.len()`,
/// big-endian, bit `k` of `bits` being bit `k` of the integer.
pub fn to_hex(bits: &Bits) -> String {
    let n = bits.len();
    let nbytes = n.div_ceil(8);
    let mut s = String::with_capacity(2 * nbytes);
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for byte in (0..nbytes).rev() {
        let mut b = 0u8;
        for j in 0..8 {
            let k = 8 * byte + j;
            if k < n && bits[k] {
                b |= 1 << j;
            }
        }
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// The `width` bits of the unsigned integer `v` (bit k of the result is bit k of `v`; bits
/// at or above 64 are 0, so any `width` works).
///
/// ```
/// use duet_circuits::values::{from_u64, to_u64};
/// assert_eq!(to_u64(&from_u64(300, 9).unwrap()), Some(300));
/// assert!(from_u64(4_294_967_301, 32).is_err()); // never truncated
/// ```
///
/// # Errors
/// [`ValueError::TooWide`] if `v ≥ 2^width`.
pub fn from_u64(v: u64, width: u32) -> Result<Bits, ValueError> {
    let needed = u64::from(64 - v.leading_zeros());
    if needed > u64::from(width) {
        return Err(ValueError::TooWide { width, needed });
    }
    Ok((0..width as u64)
        .map(|k| k < 64 && v >> k & 1 == 1)
        .collect())
}

/// The `width`-bit two's-complement pattern of `v` (sign-extended past 64 bits).
///
/// ```
/// use duet_circuits::values::{from_i64, to_i64};
/// assert_eq!(to_i64(&from_i64(-5, 8).unwrap()), Some(-5));
/// assert!(from_i64(128, 8).is_err());
/// assert!(from_i64(-129, 8).is_err());
/// ```
///
/// # Errors
/// [`ValueError::OutOfRange`] unless `−2^(width−1) ≤ v < 2^(width−1)` (for `width = 0`, unless
/// `v = 0`).
pub fn from_i64(v: i64, width: u32) -> Result<Bits, ValueError> {
    let fits = match width {
        0 => v == 0,
        1..=63 => (-(1i64 << (width - 1))..(1i64 << (width - 1))).contains(&v),
        _ => true,
    };
    if !fits {
        return Err(ValueError::OutOfRange { value: v, width });
    }
    Ok((0..width as u64).map(|k| v >> k.min(63) & 1 == 1).collect())
}

/// The value of `bits` as a two's-complement integer (the top bit is the sign), if it has
/// 1 to 64 bits.
pub fn to_i64(bits: &Bits) -> Option<i64> {
    let n = bits.len();
    if n == 0 || n > 64 {
        return None;
    }
    let raw = to_u64(bits)?;
    let shift = 64 - n as u32;
    Some(((raw << shift) as i64) >> shift)
}

/// The value of `bits` as an integer, if it has at most 64 bits.
pub fn to_u64(bits: &Bits) -> Option<u64> {
    if bits.len() > 64 {
        return None;
    }
    Some(
        bits.iter()
            .enumerate()
            .fold(0u64, |acc, (k, b)| acc | (*b as u64) << k),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn convention() {
        // AES key byte 0 sits on wires 120..127, byte 15 on wires 0..7.
        let b = parse_hex("000102030405060708090a0b0c0d0e0f", 128).unwrap();
        assert!(b[0] && b[1] && b[2] && b[3] && !b[4]); // 0x0f
        assert!(!b[120] && !b[127]);
        assert!(b[112]); // byte 1 = 0x01 on wires 112..119
        assert_eq!(to_hex(&b), "000102030405060708090a0b0c0d0e0f");
    }

    #[test]
    fn lenient_input_exact_output() {
        assert_eq!(to_hex(&parse_hex("0x1", 1).unwrap()), "01");
        assert_eq!(to_hex(&parse_hex("1", 1).unwrap()), "01");
        assert_eq!(to_hex(&parse_hex("0", 1).unwrap()), "00");
        assert_eq!(to_hex(&parse_hex("0X0000ABC", 12).unwrap()), "0abc");
        assert_eq!(to_hex(&parse_hex("abc", 64).unwrap()), "0000000000000abc");
        assert_eq!(to_hex(&parse_hex(" 1ff ", 9).unwrap()), "01ff");
        assert_eq!(
            to_u64(&parse_hex("ffffffffffffffff", 64).unwrap()),
            Some(u64::MAX)
        );
        assert_eq!(to_hex(&Bits::new()), "");
    }

    #[test]
    fn errors() {
        assert_eq!(
            parse_hex("1ff", 8),
            Err(ValueError::TooWide {
                width: 8,
                needed: 9
            })
        );
        assert_eq!(
            parse_hex("2", 1),
            Err(ValueError::TooWide {
                width: 1,
                needed: 2
            })
        );
        assert_eq!(
            parse_hex("0x12g4", 16),
            Err(ValueError::BadDigit {
                digit: 'g',
                position: 4
            })
        );
        assert_eq!(
            parse_hex("ü1", 16),
            Err(ValueError::BadDigit {
                digit: 'ü',
                position: 0
            })
        );
        assert_eq!(parse_hex("0x", 8), Err(ValueError::Empty));
        assert_eq!(parse_hex("", 8), Err(ValueError::Empty));
        assert_eq!(
            parse_hex("-1", 8),
            Err(ValueError::BadDigit {
                digit: '-',
                position: 0
            })
        );
        assert!(parse_hex("00000000000000000000000000000000000001", 1).is_ok());
    }

    #[test]
    fn range_checked() {
        assert_eq!(
            from_u64(4_294_967_301, 32),
            Err(ValueError::TooWide {
                width: 32,
                needed: 33
            })
        );
        assert_eq!(
            from_u64(1, 0),
            Err(ValueError::TooWide {
                width: 0,
                needed: 1
            })
        );
        assert_eq!(from_u64(0, 0).unwrap().len(), 0);
        assert_eq!(to_u64(&from_u64(u64::MAX, 64).unwrap()), Some(u64::MAX));
        let wide = from_u64(u64::MAX, 100).unwrap();
        assert_eq!(wide.count_ones(), 64);
        assert!(!wide[64]);
        for (v, w) in [
            (-1i64, 1),
            (0, 1),
            (-128, 8),
            (127, 8),
            (i64::MIN, 64),
            (i64::MAX, 64),
        ] {
            assert_eq!(to_i64(&from_i64(v, w).unwrap()), Some(v), "{v} in {w} bits");
        }
        assert_eq!(
            from_i64(1, 1),
            Err(ValueError::OutOfRange { value: 1, width: 1 })
        );
        assert_eq!(
            from_i64(-129, 8),
            Err(ValueError::OutOfRange {
                value: -129,
                width: 8
            })
        );
        let wide = from_i64(-2, 80).unwrap();
        assert!(wide[79] && !wide[0]);
        assert_eq!(to_i64(&Bits::new()), None);
    }

    #[test]
    fn u64_round_trip() {
        for (v, w) in [(0u64, 1), (1, 1), (0x1234, 13), (u64::MAX, 64), (5, 3)] {
            let b = from_u64(v, w).unwrap();
            assert_eq!(b.len(), w as usize);
            assert_eq!(to_u64(&b), Some(v));
            assert_eq!(parse_hex(&to_hex(&b), w).unwrap(), b);
        }
    }
}
