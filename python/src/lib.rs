//! `duet._native`: the Python bindings of Duet, imported through the `duet` package
//! (`python/duet/__init__.py`, which adds the exceptions, the stubs and the docs).
//!
//! Thin layers over the Rust crates: `duet_circuits` (parsing, plaintext evaluation),
//! `duet_gc` (two-party sessions), `duet_net` (channels, keys), `duet::compare`,
//! `duet::psi` and `duet_hybrid` (circom-2-arithc circuits). Every protocol runs on a
//! tokio runtime with the GIL released ([`runtime`]); every error is a `duet` exception
//! carrying the Rust message ([`error`]).

#![forbid(unsafe_code)]

pub mod apps;
pub mod arith;
pub mod circuit;
pub mod error;
pub mod net;
pub mod program;
pub mod runtime;
pub mod twopc;
pub mod values;

use pyo3::prelude::*;

/// The native module (`duet._native`).
#[pymodule(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<circuit::Circuit>()?;
    m.add_class::<program::PyProgram>()?;
    m.add_class::<program::PySecret>()?;
    m.add_class::<program::PyValueType>()?;
    for (name, ty) in program::types() {
        m.add(name, ty)?;
    }
    m.add_function(wrap_pyfunction!(circuit::load, m)?)?;
    m.add_function(wrap_pyfunction!(circuit::eval_circuit, m)?)?;
    m.add_function(wrap_pyfunction!(twopc::run_local, m)?)?;
    m.add_function(wrap_pyfunction!(twopc::garbler, m)?)?;
    m.add_function(wrap_pyfunction!(twopc::evaluator, m)?)?;
    m.add_function(wrap_pyfunction!(apps::compare_local, m)?)?;
    m.add_function(wrap_pyfunction!(apps::compare, m)?)?;
    m.add_function(wrap_pyfunction!(apps::psi_local, m)?)?;
    m.add_function(wrap_pyfunction!(apps::psi_sender, m)?)?;
    m.add_function(wrap_pyfunction!(apps::psi_receiver, m)?)?;
    m.add_function(wrap_pyfunction!(arith::arith_local, m)?)?;
    m.add_function(wrap_pyfunction!(arith::arith, m)?)?;
    m.add_function(wrap_pyfunction!(net::keygen, m)?)?;
    m.add_function(wrap_pyfunction!(net::pubkey, m)?)?;
    m.add("BUILTIN_CIRCUITS", duet_circuits::library::names().to_vec())?;
    Ok(())
}
