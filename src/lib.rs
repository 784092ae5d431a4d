//! Duet facade.

pub mod psi;
