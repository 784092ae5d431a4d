//! `duet-ot`: oblivious transfer.
//!
//! - base OT over Ristretto (`base`);
//! - IKNP03 OT extension with ALSZ13 optimisations, giving correlated OT (the sender picks Δ),
//!   random OT and chosen-message OT in bulk; KOS15's consistency check as the
//!   malicious-receiver option.
//!
//! Protocol math is sync and sans-IO; thin async drivers run it over a `duet_net::Channel`.

mod error;

pub use error::OtError;
