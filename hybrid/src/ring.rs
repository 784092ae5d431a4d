//! The ring Z_2^ℓ for ℓ ∈ {8, 16, 32, 64}: values are `u64` reduced mod 2^ℓ (the high
//! `64 − ℓ` bits always zero), read as two's complement where a signed view is needed.

use crate::Error;

/// The ring Z_2^ℓ. ℓ is one of 8, 16, 32, 64.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ring {
    ell: u32,
}

impl Default for Ring {
    fn default() -> Self {
        Ring { ell: 64 }
    }
}

impl Ring {
    /// Z_2^ℓ.
    ///
    /// # Errors
    /// [`Error::Input`] unless ℓ ∈ {8, 16, 32, 64}.
    pub fn new(ell: u32) -> Result<Self, Error> {
        match ell {
            8 | 16 | 32 | 64 => Ok(Ring { ell }),
            _ => Err(Error::Input(format!(
                "ell must be 8, 16, 32 or 64, not {ell}"
            ))),
        }
    }

    /// ℓ, the bit width.
    #[inline]
    pub fn ell(self) -> u32 {
        self.ell
    }

    /// 2^ℓ − 1.
    #[inline]
    pub fn mask(self) -> u64 {
        if self.ell == 64 {
            u64::MAX
        } else {
            (1u64 << self.ell) - 1
        }
    }

    /// `x mod 2^ℓ`.
    #[inline]
    pub fn reduce(self, x: u64) -> u64 {
        x & self.mask()
    }

    /// The most negative value −2^(ℓ−1), as a ring element.
    #[inline]
    pub fn min(self) -> u64 {
        1u64 << (self.ell - 1)
    }

    /// The largest value 2^(ℓ−1) − 1, as a ring element.
    #[inline]
    pub fn max(self) -> u64 {
        self.min() - 1
    }

    /// The two's-complement reading of a ring element, sign-extended to `i64`.
    #[inline]
    pub fn to_signed(self, x: u64) -> i64 {
        let s = 64 - self.ell;
        ((x << s) as i64) >> s
    }

    /// `x` as a ring element (reduced mod 2^ℓ).
    #[inline]
    pub fn from_signed(self, x: i64) -> u64 {
        self.reduce(x as u64)
    }

    /// Bit `i` of `x`.
    #[inline]
    pub fn bit(x: u64, i: u32) -> bool {
        (x >> i) & 1 == 1
    }

    /// Parse a decimal input value in [−2^(ℓ−1), 2^ℓ − 1] (the README's input range) and
    /// reduce it mod 2^ℓ.
    ///
    /// # Errors
    /// [`Error::Input`] if `s` is not a decimal integer or is out of that range.
    pub fn parse_input(self, s: &str) -> Result<u64, Error> {
        let bad = || {
            Error::Input(format!(
                "`{s}` is not a decimal integer in [-2^{}, 2^{} - 1]",
                self.ell - 1,
                self.ell
            ))
        };
        let t = s.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let mag: u128 = digits.parse().map_err(|_| bad())?;
        let limit: u128 = if neg {
            1u128 << (self.ell - 1)
        } else {
            (1u128 << self.ell) - 1
        };
        if mag > limit {
            return Err(bad());
        }
        let v = mag as u64;
        Ok(self.reduce(if neg { v.wrapping_neg() } else { v }))
    }

    /// Parse a decimal constant of any size (optionally negative) and reduce it mod 2^64;
    /// reduce further with [`Ring::reduce`]. `None` if `s` is not a decimal integer.
    pub fn parse_constant(s: &str) -> Option<u64> {
        let t = s.trim();
        let (neg, digits) = match t.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, t),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let v = digits.bytes().fold(0u64, |acc, b| {
            acc.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
        });
        Some(if neg { v.wrapping_neg() } else { v })
    }

    /// Signed decimal text of a ring element (two's-complement reading).
    pub fn format(self, x: u64) -> String {
        self.to_signed(x).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_format() {
        let r = Ring::new(8).unwrap();
        assert_eq!(r.parse_input("-128").unwrap(), 0x80);
        assert_eq!(r.parse_input("255").unwrap(), 0xff);
        assert_eq!(r.format(0xff), "-1");
        assert!(r.parse_input("256").is_err());
        assert!(r.parse_input("-129").is_err());
        assert!(r.parse_input("1e3").is_err());
        assert!(r.parse_input("").is_err());
        let r = Ring::default();
        assert_eq!(r.parse_input("-9223372036854775808").unwrap(), 1 << 63);
        assert_eq!(r.parse_input("18446744073709551615").unwrap(), u64::MAX);
        assert!(r.parse_input("18446744073709551616").is_err());
        assert!(Ring::new(12).is_err());
        assert_eq!(Ring::parse_constant("18446744073709551617"), Some(1));
        assert_eq!(Ring::parse_constant("-1"), Some(u64::MAX));
    }
}
