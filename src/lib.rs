//! Duet facade.

pub mod compare;
pub mod psi;
