//! Duet facade.

pub mod compare;
#[doc(hidden)]
pub mod fuzzing;
pub mod psi;
