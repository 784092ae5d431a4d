//! Duet facade.
