//! `duet-hybrid`: arithmetic circuits on additive shares over Z_2^ℓ, with Boolean-heavy ops
//! (comparisons, division, shifts, bitwise ops) in garbled circuits, ABY-style
//! (Demmler–Schneider–Zohner, NDSS'15).
//!
//! - [`Ring`]: Z_2^ℓ for ℓ ∈ {8, 16, 32, 64};
//! - [`ArithCircuit`]: the circom-2-arithc importer (`circuit.txt` + `circuit_info.json`) and
//!   the plaintext reference evaluator ([`ArithCircuit::evaluate`]) of the README's semantics.

mod circuit;
mod engine;
mod error;
mod hash;
mod ops;
mod planner;
mod ring;
mod runner;
mod settings;
mod share;
mod templates;

pub use circuit::{ArithCircuit, ArithGate, Named};
pub use engine::{Engine, GcTask, Labels, LayerOut, Operand, Stats};
pub use error::Error;
pub use ops::Op;
pub use planner::{CostModel, Domain, Estimate, LOOPBACK, Plan, Region, Strategy, plan};
pub use ring::Ring;
pub use runner::{
    CotSource, HYBRID_PROTOCOL, RunOptions, RunOutput, RunStats, circuit_digest, run, run_options,
    run_ot, run_scheme, run_with, run_with_options,
};
pub use settings::{Reveal, Settings};
pub use share::{Kind, Local, Role, Val};
