//! Duet facade.

pub mod psi;
pub mod compare;
