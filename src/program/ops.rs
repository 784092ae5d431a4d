//! Secret values and their operations: each operation records gates through the program's
//! [`CircuitBuilder`](duet_circuits::builder::CircuitBuilder) gadgets.
//!
//! Semantics are Rust's wrapping arithmetic on the value's type (`wrapping_add`, `_sub`,
//! `_mul`, `_neg`, `_shl`, `_shr` — the shift amount taken modulo the width, `>>`
//! arithmetic for signed types), with division as RISC-V defines it where Rust would panic:
//! `x / 0` is all ones (unsigned `MAX`, signed −1), `x % 0 = x`, `MIN / −1 = MIN` and
//! `MIN % −1 = 0` (as `wrapping_div` / `wrapping_rem`). Signed division truncates toward
//! zero. Comparisons are signed for signed types.

use std::marker::PhantomData;
use std::ops;
use std::sync::Arc;

use duet_circuits::builder::{CircuitBuilder, Word};

use super::types::{Int, SecretType, ValueType};
use super::{Program, ProgramError};

/// A two-operand operation of [`DynSecret::binary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BinOp {
    /// `+` (wrapping; integers).
    Add,
    /// `-` (wrapping; integers).
    Sub,
    /// `*` (wrapping; integers).
    Mul,
    /// `/` (integers; see the [module docs](self) for division by zero).
    Div,
    /// `%` (integers).
    Rem,
    /// `&` (any type).
    And,
    /// `|` (any type).
    Or,
    /// `^` (any type).
    Xor,
    /// `<` (integers; gives a `bool`).
    Lt,
    /// `<=` (integers; gives a `bool`).
    Le,
    /// `>` (integers; gives a `bool`).
    Gt,
    /// `>=` (integers; gives a `bool`).
    Ge,
    /// `==` (any type; gives a `bool`).
    Eq,
    /// `!=` (any type; gives a `bool`).
    Ne,
    /// The smaller of the two (integers).
    Min,
    /// The larger of the two (integers).
    Max,
}

impl BinOp {
    fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::Lt => "lt",
            BinOp::Le => "le",
            BinOp::Gt => "gt",
            BinOp::Ge => "ge",
            BinOp::Eq => "eq",
            BinOp::Ne => "ne",
            BinOp::Min => "min",
            BinOp::Max => "max",
        }
    }
}

/// A secret value whose type is known at run time: the form behind [`Secret`], for
/// bindings from dynamically typed languages. Cheap to clone (a handle on the program and
/// the value's wires).
#[derive(Clone, Debug)]
pub struct DynSecret {
    pub(crate) prog: Program,
    pub(crate) ty: ValueType,
    pub(crate) word: Word,
}

impl DynSecret {
    /// The value's type.
    pub fn ty(&self) -> ValueType {
        self.ty
    }

    /// The program this value belongs to.
    pub fn program(&self) -> &Program {
        &self.prog
    }

    /// This value as a [`Secret<T>`].
    ///
    /// # Errors
    /// [`ProgramError::Operand`] if its type is not `T`.
    pub fn typed<T: SecretType>(self) -> Result<Secret<T>, ProgramError> {
        if self.ty != T::TYPE {
            return Err(ProgramError::Operand(format!(
                "a {} value used as a {}",
                self.ty,
                T::TYPE
            )));
        }
        Ok(Secret {
            v: self,
            _t: PhantomData,
        })
    }

    fn with_builder<R>(&self, f: impl FnOnce(&mut CircuitBuilder) -> R) -> R {
        let mut st = self.prog.lock();
        f(&mut st.builder)
    }

    fn same_program(&self, rhs: &DynSecret) -> Result<(), ProgramError> {
        if Arc::ptr_eq(&self.prog.0, &rhs.prog.0) {
            Ok(())
        } else {
            Err(ProgramError::Operand(
                "the two values belong to different programs".into(),
            ))
        }
    }

    fn need_int(&self, what: &str) -> Result<(), ProgramError> {
        if self.ty.is_integer() {
            Ok(())
        } else {
            Err(ProgramError::Operand(format!(
                "`{what}` needs integers, not bool"
            )))
        }
    }

    fn made(&self, ty: ValueType, word: Word) -> DynSecret {
        DynSecret {
            prog: self.prog.clone(),
            ty,
            word,
        }
    }

    /// `self op rhs`. Both values must have the same type and program; the arithmetic and
    /// ordering operations need integers; comparisons give a `bool`.
    ///
    /// # Errors
    /// [`ProgramError::Operand`] for different types or programs, or an integer operation
    /// on `bool`s.
    pub fn binary(&self, op: BinOp, rhs: &DynSecret) -> Result<DynSecret, ProgramError> {
        self.same_program(rhs)?;
        if self.ty != rhs.ty {
            return Err(ProgramError::Operand(format!(
                "`{}` on a {} and a {}",
                op.symbol(),
                self.ty,
                rhs.ty
            )));
        }
        if !matches!(
            op,
            BinOp::And | BinOp::Or | BinOp::Xor | BinOp::Eq | BinOp::Ne
        ) {
            self.need_int(op.symbol())?;
        }
        let s = self.ty.is_signed();
        let (a, b) = (&self.word, &rhs.word);
        let bit = |w| vec![w];
        let (ty, word) = self.with_builder(|c| match op {
            BinOp::Add => (self.ty, c.add(a, b)),
            BinOp::Sub => (self.ty, c.sub(a, b)),
            BinOp::Mul => (self.ty, c.mul(a, b)),
            BinOp::Div if s => (self.ty, c.sdiv(a, b)),
            BinOp::Div => (self.ty, c.udiv(a, b)),
            BinOp::Rem if s => (self.ty, c.srem(a, b)),
            BinOp::Rem => (self.ty, c.urem(a, b)),
            BinOp::And => (self.ty, c.and_word(a, b)),
            BinOp::Or => (self.ty, c.or_word(a, b)),
            BinOp::Xor => (self.ty, c.xor_word(a, b)),
            BinOp::Lt if s => (ValueType::Bool, bit(c.slt(a, b))),
            BinOp::Lt => (ValueType::Bool, bit(c.ult(a, b))),
            BinOp::Le if s => (ValueType::Bool, bit(c.sle(a, b))),
            BinOp::Le => (ValueType::Bool, bit(c.ule(a, b))),
            BinOp::Gt if s => (ValueType::Bool, bit(c.sgt(a, b))),
            BinOp::Gt => (ValueType::Bool, bit(c.ugt(a, b))),
            BinOp::Ge if s => (ValueType::Bool, bit(c.sge(a, b))),
            BinOp::Ge => (ValueType::Bool, bit(c.uge(a, b))),
            BinOp::Eq => (ValueType::Bool, bit(c.eq(a, b))),
            BinOp::Ne => (ValueType::Bool, bit(c.ne(a, b))),
            BinOp::Min if s => (self.ty, c.smin(a, b)),
            BinOp::Min => (self.ty, c.umin(a, b)),
            BinOp::Max if s => (self.ty, c.smax(a, b)),
            BinOp::Max => (self.ty, c.umax(a, b)),
        });
        Ok(self.made(ty, word))
    }

    /// `!self`: bitwise NOT (logical for `bool`). Free (INV gates).
    pub fn not(&self) -> DynSecret {
        let word = self.with_builder(|c| c.not_word(&self.word));
        self.made(self.ty, word)
    }

    /// `-self`, wrapping (`wrapping_neg`).
    ///
    /// # Errors
    /// [`ProgramError::Operand`] on a `bool`.
    pub fn neg(&self) -> Result<DynSecret, ProgramError> {
        self.need_int("neg")?;
        let word = self.with_builder(|c| c.neg(&self.word));
        Ok(self.made(self.ty, word))
    }

    /// `self << (n mod width)` (`wrapping_shl`). Free (rewiring).
    ///
    /// # Errors
    /// [`ProgramError::Operand`] on a `bool`.
    pub fn shl(&self, n: u32) -> Result<DynSecret, ProgramError> {
        self.need_int("<<")?;
        let n = (n % self.ty.bits()) as usize;
        let word = self.with_builder(|c| c.shl(&self.word, n));
        Ok(self.made(self.ty, word))
    }

    /// `self >> (n mod width)` (`wrapping_shr`: arithmetic for signed types, logical for
    /// unsigned). Free (rewiring).
    ///
    /// # Errors
    /// [`ProgramError::Operand`] on a `bool`.
    pub fn shr(&self, n: u32) -> Result<DynSecret, ProgramError> {
        self.need_int(">>")?;
        let n = (n % self.ty.bits()) as usize;
        let word = self.with_builder(|c| {
            if self.ty.is_signed() {
                c.sar(&self.word, n)
            } else {
                c.shr(&self.word, n)
            }
        });
        Ok(self.made(self.ty, word))
    }

    /// `if self { a } else { b }` for a `bool` `self` and two values of one type: one AND
    /// per bit.
    ///
    /// # Errors
    /// [`ProgramError::Operand`] if `self` is not a `bool`, `a` and `b` differ in type, or
    /// the values belong to different programs.
    pub fn select(&self, a: &DynSecret, b: &DynSecret) -> Result<DynSecret, ProgramError> {
        self.same_program(a)?;
        self.same_program(b)?;
        if self.ty != ValueType::Bool {
            return Err(ProgramError::Operand(format!(
                "`select` needs a bool condition, not a {}",
                self.ty
            )));
        }
        if a.ty != b.ty {
            return Err(ProgramError::Operand(format!(
                "`select` between a {} and a {}",
                a.ty, b.ty
            )));
        }
        let word = self.with_builder(|c| c.mux_word(self.word[0], &a.word, &b.word));
        Ok(self.made(a.ty, word))
    }

    /// The value converted to `ty` as Rust's `as` does between integer types: truncated to
    /// a narrower type, sign-extended from a signed type, zero-extended from an unsigned one
    /// or from `bool` (0 or 1). Free (rewiring). Casting to `bool` is refused (compare with
    /// zero instead).
    ///
    /// # Errors
    /// [`ProgramError::Operand`] if `ty` is `bool` and `self` is not.
    pub fn cast(&self, ty: ValueType) -> Result<DynSecret, ProgramError> {
        if ty == self.ty {
            return Ok(self.clone());
        }
        if ty == ValueType::Bool {
            return Err(ProgramError::Operand(format!(
                "cannot cast a {} to bool (compare it with zero)",
                self.ty
            )));
        }
        let w = ty.bits() as usize;
        let word = self.with_builder(|c| {
            if w <= self.word.len() {
                self.word[..w].to_vec()
            } else if self.ty.is_signed() {
                c.sign_extend(&self.word, w)
            } else {
                c.zero_extend(&self.word, w)
            }
        });
        Ok(self.made(ty, word))
    }
}

/// A secret value of Rust type `T` in a [`Program`]: its operations record gates. Cheap to
/// clone. Operators take values by reference or by value, and a plain `T` on the right
/// (a public constant).
///
/// # Panics
/// An operator whose two values belong to different programs panics (a program bug; the
/// fallible forms are on [`DynSecret`]).
#[derive(Clone, Debug)]
pub struct Secret<T: SecretType> {
    pub(crate) v: DynSecret,
    _t: PhantomData<T>,
}

impl<T: SecretType> Secret<T> {
    pub(crate) fn wrap(v: DynSecret) -> Secret<T> {
        debug_assert_eq!(v.ty, T::TYPE);
        Secret { v, _t: PhantomData }
    }

    /// The dynamically typed form of this value.
    pub fn into_dyn(self) -> DynSecret {
        self.v
    }

    /// The dynamically typed form of this value, borrowed.
    pub fn as_dyn(&self) -> &DynSecret {
        &self.v
    }

    /// The program this value belongs to.
    pub fn program(&self) -> &Program {
        &self.v.prog
    }

    fn bin<U: SecretType>(&self, op: BinOp, rhs: &Secret<T>) -> Secret<U> {
        Secret::wrap(self.v.binary(op, &rhs.v).unwrap_or_else(|e| panic!("{e}")))
    }

    /// `self == rhs` (Rust's `==` cannot return a secret): `ℓ − 1` ANDs.
    #[allow(clippy::should_implement_trait)]
    pub fn eq(&self, rhs: &Secret<T>) -> Secret<bool> {
        self.bin(BinOp::Eq, rhs)
    }

    /// `self != rhs`: `ℓ − 1` ANDs.
    #[allow(clippy::should_implement_trait)]
    pub fn ne(&self, rhs: &Secret<T>) -> Secret<bool> {
        self.bin(BinOp::Ne, rhs)
    }

    /// `self` converted as Rust's `as` converts integers (see [`DynSecret::cast`]). Free.
    pub fn cast<U: Int>(&self) -> Secret<U> {
        Secret::wrap(
            self.v
                .cast(U::TYPE)
                .expect("casting to an integer type always works"),
        )
    }
}

impl<T: Int> Secret<T> {
    /// `self < rhs` (signed for signed types): ℓ ANDs.
    pub fn lt(&self, rhs: &Secret<T>) -> Secret<bool> {
        self.bin(BinOp::Lt, rhs)
    }

    /// `self <= rhs`: ℓ ANDs.
    pub fn le(&self, rhs: &Secret<T>) -> Secret<bool> {
        self.bin(BinOp::Le, rhs)
    }

    /// `self > rhs`: ℓ ANDs.
    pub fn gt(&self, rhs: &Secret<T>) -> Secret<bool> {
        self.bin(BinOp::Gt, rhs)
    }

    /// `self >= rhs`: ℓ ANDs.
    pub fn ge(&self, rhs: &Secret<T>) -> Secret<bool> {
        self.bin(BinOp::Ge, rhs)
    }

    /// The smaller of `self` and `rhs`: 2ℓ ANDs.
    pub fn min(&self, rhs: &Secret<T>) -> Secret<T> {
        self.bin(BinOp::Min, rhs)
    }

    /// The larger of `self` and `rhs`: 2ℓ ANDs.
    pub fn max(&self, rhs: &Secret<T>) -> Secret<T> {
        self.bin(BinOp::Max, rhs)
    }
}

impl Secret<bool> {
    /// `if self { a } else { b }`: ℓ ANDs for ℓ-bit values.
    ///
    /// # Panics
    /// If the values belong to different programs.
    pub fn select<T: SecretType>(&self, a: &Secret<T>, b: &Secret<T>) -> Secret<T> {
        Secret::wrap(self.v.select(&a.v, &b.v).unwrap_or_else(|e| panic!("{e}")))
    }
}

impl<T: SecretType> From<Secret<T>> for DynSecret {
    fn from(s: Secret<T>) -> DynSecret {
        s.v
    }
}

impl<T: SecretType> From<&Secret<T>> for DynSecret {
    fn from(s: &Secret<T>) -> DynSecret {
        s.v.clone()
    }
}

/// Operators for `Secret<T> op Secret<T>` (owned and borrowed) and `Secret<T> op T`.
macro_rules! binary_operator {
    ($bound:ident, $trait:ident, $method:ident, $op:expr) => {
        impl<T: $bound> ops::$trait<&Secret<T>> for &Secret<T> {
            type Output = Secret<T>;
            fn $method(self, rhs: &Secret<T>) -> Secret<T> {
                self.bin($op, rhs)
            }
        }
        impl<T: $bound> ops::$trait<Secret<T>> for Secret<T> {
            type Output = Secret<T>;
            fn $method(self, rhs: Secret<T>) -> Secret<T> {
                self.bin($op, &rhs)
            }
        }
        impl<T: $bound> ops::$trait<&Secret<T>> for Secret<T> {
            type Output = Secret<T>;
            fn $method(self, rhs: &Secret<T>) -> Secret<T> {
                self.bin($op, rhs)
            }
        }
        impl<T: $bound> ops::$trait<Secret<T>> for &Secret<T> {
            type Output = Secret<T>;
            fn $method(self, rhs: Secret<T>) -> Secret<T> {
                self.bin($op, &rhs)
            }
        }
        impl<T: $bound> ops::$trait<T> for Secret<T> {
            type Output = Secret<T>;
            fn $method(self, rhs: T) -> Secret<T> {
                let k = self.program().constant(rhs);
                self.bin($op, &k)
            }
        }
        impl<T: $bound> ops::$trait<T> for &Secret<T> {
            type Output = Secret<T>;
            fn $method(self, rhs: T) -> Secret<T> {
                let k = self.program().constant(rhs);
                self.bin($op, &k)
            }
        }
    };
}

binary_operator!(Int, Add, add, BinOp::Add);
binary_operator!(Int, Sub, sub, BinOp::Sub);
binary_operator!(Int, Mul, mul, BinOp::Mul);
binary_operator!(Int, Div, div, BinOp::Div);
binary_operator!(Int, Rem, rem, BinOp::Rem);
binary_operator!(SecretType, BitAnd, bitand, BinOp::And);
binary_operator!(SecretType, BitOr, bitor, BinOp::Or);
binary_operator!(SecretType, BitXor, bitxor, BinOp::Xor);

impl<T: SecretType> ops::Not for &Secret<T> {
    type Output = Secret<T>;
    fn not(self) -> Secret<T> {
        Secret::wrap(self.v.not())
    }
}

impl<T: SecretType> ops::Not for Secret<T> {
    type Output = Secret<T>;
    fn not(self) -> Secret<T> {
        !&self
    }
}

impl<T: Int> ops::Neg for &Secret<T> {
    type Output = Secret<T>;
    fn neg(self) -> Secret<T> {
        Secret::wrap(self.v.neg().expect("integers negate"))
    }
}

impl<T: Int> ops::Neg for Secret<T> {
    type Output = Secret<T>;
    fn neg(self) -> Secret<T> {
        -&self
    }
}

macro_rules! shift_operator {
    ($trait:ident, $method:ident) => {
        impl<T: Int> ops::$trait<u32> for &Secret<T> {
            type Output = Secret<T>;
            fn $method(self, n: u32) -> Secret<T> {
                Secret::wrap(self.v.$method(n).expect("integers shift"))
            }
        }
        impl<T: Int> ops::$trait<u32> for Secret<T> {
            type Output = Secret<T>;
            fn $method(self, n: u32) -> Secret<T> {
                (&self).$method(n)
            }
        }
    };
}

shift_operator!(Shl, shl);
shift_operator!(Shr, shr);
