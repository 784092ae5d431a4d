//! The value types of a typed program, and the named inputs and outputs of a run.

use std::fmt;

use super::ProgramError;

/// The type of a secret value: a bool (1 bit) or a two's-complement integer of 8, 16, 32 or
/// 64 bits. In the circuit, wire `k` of a value carries bit `k` (least significant first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueType {
    /// `bool`: 1 bit.
    Bool,
    /// `u8`: 8 bits, unsigned.
    U8,
    /// `u16`: 16 bits, unsigned.
    U16,
    /// `u32`: 32 bits, unsigned.
    U32,
    /// `u64`: 64 bits, unsigned.
    U64,
    /// `i8`: 8 bits, two's complement.
    I8,
    /// `i16`: 16 bits, two's complement.
    I16,
    /// `i32`: 32 bits, two's complement.
    I32,
    /// `i64`: 64 bits, two's complement.
    I64,
}

impl ValueType {
    /// Every type, in the order of their wire codes.
    pub const ALL: [ValueType; 9] = [
        ValueType::Bool,
        ValueType::U8,
        ValueType::U16,
        ValueType::U32,
        ValueType::U64,
        ValueType::I8,
        ValueType::I16,
        ValueType::I32,
        ValueType::I64,
    ];

    /// Width in bits (1 for `bool`).
    ///
    /// ```
    /// assert_eq!(duet::program::ValueType::I16.bits(), 16);
    /// ```
    pub fn bits(self) -> u32 {
        match self {
            ValueType::Bool => 1,
            ValueType::U8 | ValueType::I8 => 8,
            ValueType::U16 | ValueType::I16 => 16,
            ValueType::U32 | ValueType::I32 => 32,
            ValueType::U64 | ValueType::I64 => 64,
        }
    }

    /// True for `i8`, `i16`, `i32`, `i64`.
    pub fn is_signed(self) -> bool {
        matches!(
            self,
            ValueType::I8 | ValueType::I16 | ValueType::I32 | ValueType::I64
        )
    }

    /// True for every type but `bool`.
    pub fn is_integer(self) -> bool {
        self != ValueType::Bool
    }

    /// The Rust name (`"u32"`, `"bool"`, …).
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Bool => "bool",
            ValueType::U8 => "u8",
            ValueType::U16 => "u16",
            ValueType::U32 => "u32",
            ValueType::U64 => "u64",
            ValueType::I8 => "i8",
            ValueType::I16 => "i16",
            ValueType::I32 => "i32",
            ValueType::I64 => "i64",
        }
    }

    /// The type named `name` (the Rust spelling, as [`ValueType::name`]).
    ///
    /// ```
    /// use duet::program::ValueType;
    /// assert_eq!(ValueType::from_name("i64"), Some(ValueType::I64));
    /// assert_eq!(ValueType::from_name("u128"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<ValueType> {
        ValueType::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The byte naming this type in the handshake's interface digest.
    pub(crate) fn code(self) -> u8 {
        ValueType::ALL
            .iter()
            .position(|&t| t == self)
            .expect("every type is in ALL") as u8
    }

    /// Smallest value (0 for unsigned and `bool`).
    pub fn min(self) -> i128 {
        if self.is_signed() {
            -(1i128 << (self.bits() - 1))
        } else {
            0
        }
    }

    /// Largest value (1 for `bool`).
    pub fn max(self) -> i128 {
        if self.is_signed() {
            (1i128 << (self.bits() - 1)) - 1
        } else {
            (1i128 << self.bits()) - 1
        }
    }

    /// The `bits()`-bit pattern of `v` (two's complement), if `min() ≤ v ≤ max()`.
    pub(crate) fn encode(self, v: i128) -> Option<u64> {
        (self.min()..=self.max())
            .contains(&v)
            .then(|| (v as u64) & self.mask())
    }

    /// The value of a `bits()`-bit pattern (sign-extended for signed types).
    pub(crate) fn decode(self, raw: u64) -> i128 {
        let raw = raw & self.mask();
        let b = self.bits();
        if self.is_signed() && raw >> (b - 1) & 1 == 1 {
            raw as i128 - (1i128 << b)
        } else {
            raw as i128
        }
    }

    /// All ones in the low `bits()` bits.
    pub(crate) fn mask(self) -> u64 {
        u64::MAX >> (64 - self.bits())
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust type a secret value can have: `bool`, `u8`…`u64`, `i8`…`i64`. Sealed.
pub trait SecretType: Copy + Send + Sync + fmt::Debug + 'static + sealed::Sealed {
    /// The matching [`ValueType`].
    const TYPE: ValueType;
    /// The value as an integer (`false`/`true` = 0/1).
    fn to_i128(self) -> i128;
    /// The value of a `TYPE.bits()`-bit two's-complement pattern (higher bits ignored).
    fn from_raw(raw: u64) -> Self;
}

/// The integer types among [`SecretType`]s (arithmetic, ordering, shifts).
pub trait Int: SecretType {}

macro_rules! int_type {
    ($($t:ty => $v:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl SecretType for $t {
            const TYPE: ValueType = ValueType::$v;
            fn to_i128(self) -> i128 {
                self as i128
            }
            fn from_raw(raw: u64) -> Self {
                raw as $t
            }
        }
        impl Int for $t {}
    )*};
}
int_type!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i8 => I8, i16 => I16, i32 => I32, i64 => I64);

impl sealed::Sealed for bool {}
impl SecretType for bool {
    const TYPE: ValueType = ValueType::Bool;
    fn to_i128(self) -> i128 {
        self as i128
    }
    fn from_raw(raw: u64) -> Self {
        raw & 1 == 1
    }
}

/// A value given for an input: typed (from Rust), or dynamic (from another language),
/// checked against the declared type at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Given {
    Typed(ValueType, i128),
    Int(i128),
    Bool(bool),
}

/// One party's input values, by name. See the [module docs](super) for an example.
///
/// A name given twice, a name the program does not declare, a value for the other party's
/// input, a value of another type or one that does not fit the declared type are errors
/// when the program runs ([`ProgramError`]); nothing is ever truncated.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    values: Vec<(String, Given)>,
}

impl Inputs {
    /// No values.
    pub fn new() -> Inputs {
        Inputs::default()
    }

    /// Give input `name` the value `v` (its Rust type must be the declared type).
    ///
    /// ```
    /// let mut inputs = duet::program::Inputs::new();
    /// inputs.set("salary", 52_000u64).set("bonus", 3_000u64);
    /// ```
    pub fn set<T: SecretType>(&mut self, name: &str, v: T) -> &mut Inputs {
        self.values
            .push((name.to_owned(), Given::Typed(T::TYPE, v.to_i128())));
        self
    }

    /// As [`Inputs::set`], by value (for one-expression construction).
    ///
    /// ```
    /// let inputs = duet::program::Inputs::new().with("alice", 10u32);
    /// ```
    pub fn with<T: SecretType>(mut self, name: &str, v: T) -> Inputs {
        self.set(name, v);
        self
    }

    /// Give integer input `name` the value `v`, whatever its declared integer type; the run
    /// refuses a value outside the declared type's range ([`ProgramError::OutOfRange`]) or a
    /// `bool` input. For bindings from languages without fixed-width integers.
    pub fn set_int(&mut self, name: &str, v: i128) -> &mut Inputs {
        self.values.push((name.to_owned(), Given::Int(v)));
        self
    }

    /// Give `bool` input `name` the value `v` (dynamic form of [`Inputs::set`]).
    pub fn set_bool(&mut self, name: &str, v: bool) -> &mut Inputs {
        self.values.push((name.to_owned(), Given::Bool(v)));
        self
    }

    /// Number of values given.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True if no value was given.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The names given, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(n, _)| n.as_str())
    }

    /// The value given for `name` as the `ty.bits()`-bit pattern of type `ty`.
    ///
    /// # Errors
    /// [`ProgramError::TypeMismatch`] or [`ProgramError::OutOfRange`].
    pub(crate) fn raw_at(&self, i: usize, ty: ValueType) -> Result<u64, ProgramError> {
        let (name, given) = &self.values[i];
        let mismatch = |given: ValueType| ProgramError::TypeMismatch {
            name: name.clone(),
            declared: ty,
            given,
        };
        let v = match *given {
            Given::Typed(t, v) if t == ty => v,
            Given::Typed(t, _) => return Err(mismatch(t)),
            Given::Bool(b) if ty == ValueType::Bool => b as i128,
            Given::Bool(_) => return Err(mismatch(ValueType::Bool)),
            Given::Int(_) if ty == ValueType::Bool => {
                return Err(ProgramError::TypeMismatch {
                    name: name.clone(),
                    declared: ty,
                    given: ValueType::I64,
                });
            }
            Given::Int(v) => v,
        };
        ty.encode(v).ok_or_else(|| ProgramError::OutOfRange {
            name: name.clone(),
            ty,
            value: v,
        })
    }
}

/// One output value as a party sees it.
#[derive(Clone, Debug)]
pub(crate) struct OutputSlot {
    pub(crate) name: String,
    pub(crate) ty: ValueType,
    /// The raw bits, if this party learns the value.
    pub(crate) raw: Option<u64>,
}

/// The outputs of a run as one party sees them: typed values by name, and the run's figures.
#[derive(Clone, Debug)]
pub struct Outputs {
    pub(crate) slots: Vec<OutputSlot>,
    pub(crate) stats: duet_gc::RunStats,
}

impl Outputs {
    /// The value of output `name` as a `T`.
    ///
    /// ```
    /// use duet::program::{Inputs, Program, ProgramError, Role};
    /// let p = Program::new();
    /// let x = p.input::<u16>("x", Role::Garbler)?;
    /// p.output("big", x.gt(&p.constant(1000u16)))?;
    /// let out = p.compile()?.eval(&Inputs::new().with("x", 4000u16))?;
    /// assert!(out.get::<bool>("big")?);
    /// assert!(matches!(out.get::<u16>("big"), Err(ProgramError::OutputType { .. })));
    /// assert!(matches!(out.get::<bool>("small"), Err(ProgramError::UnknownOutput { .. })));
    /// # Ok::<(), ProgramError>(())
    /// ```
    ///
    /// # Errors
    /// [`ProgramError::UnknownOutput`] if the program declares no such output;
    /// [`ProgramError::OutputType`] if it is not a `T`; [`ProgramError::NotRevealed`] if
    /// this party does not learn it.
    pub fn get<T: SecretType>(&self, name: &str) -> Result<T, ProgramError> {
        let slot = self.slot(name)?;
        if slot.ty != T::TYPE {
            return Err(ProgramError::OutputType {
                name: name.to_owned(),
                declared: slot.ty,
                requested: T::TYPE,
            });
        }
        let raw = slot.raw.ok_or_else(|| ProgramError::NotRevealed {
            name: name.to_owned(),
        })?;
        Ok(T::from_raw(raw))
    }

    /// The value of output `name` as an integer, whatever its type (`bool` as 0/1).
    ///
    /// # Errors
    /// As [`Outputs::get`], without the type check.
    pub fn get_int(&self, name: &str) -> Result<i128, ProgramError> {
        let slot = self.slot(name)?;
        let raw = slot.raw.ok_or_else(|| ProgramError::NotRevealed {
            name: name.to_owned(),
        })?;
        Ok(slot.ty.decode(raw))
    }

    /// Every output in declaration order: name, type and value (`None` if this party does
    /// not learn it).
    pub fn iter(&self) -> impl Iterator<Item = (&str, ValueType, Option<i128>)> {
        self.slots
            .iter()
            .map(|s| (s.name.as_str(), s.ty, s.raw.map(|r| s.ty.decode(r))))
    }

    /// Figures of the run (AND and XOR gates, bytes sent and received, seconds); all zero but
    /// the gate counts for a run in the clear.
    pub fn stats(&self) -> &duet_gc::RunStats {
        &self.stats
    }

    fn slot(&self, name: &str) -> Result<&OutputSlot, ProgramError> {
        self.slots
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| ProgramError::UnknownOutput {
                name: name.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_patterns() {
        for t in ValueType::ALL {
            assert_eq!(t.decode(t.encode(t.min()).unwrap()), t.min());
            assert_eq!(t.decode(t.encode(t.max()).unwrap()), t.max());
            assert_eq!(t.encode(t.max() + 1), None);
            assert_eq!(t.encode(t.min() - 1), None);
            assert_eq!(ValueType::from_name(t.name()), Some(t));
        }
        assert_eq!(ValueType::I8.encode(-1), Some(0xff));
        assert_eq!(ValueType::I64.decode(u64::MAX), -1);
        assert_eq!(ValueType::U64.decode(u64::MAX), u64::MAX as i128);
    }
}
