//! Python integers ↔ circuit values ([`Bits`]: bit k of the value is wire k, as in
//! `duet_circuits::values`). Values are unsigned integers of the input's width; a negative
//! value or one that needs more bits is a `duet.InputError` (a `ValueError`) naming the input
//! and its width, never a truncation; a non-integer is a `TypeError`.

use duet_circuits::Bits;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt};

use crate::error::Fail;

/// At most this many characters of a value appear in an error message.
const SHOWN: usize = 40;

/// `v` as shown in an error message (long numbers shortened).
fn show(v: &Bound<'_, PyAny>) -> String {
    let s = v
        .str()
        .map(|s| s.to_string())
        .unwrap_or_else(|_| "?".into());
    if s.chars().count() <= SHOWN {
        s
    } else {
        let head: String = s.chars().take(SHOWN).collect();
        format!("{head}…")
    }
}

/// The name of `v`'s Python type.
pub fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Check that `v` is an `int` (a `bool` counts as 0 or 1).
pub fn require_int<'py>(v: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyInt>> {
    v.cast::<PyInt>()
        .cloned()
        .map_err(|_| PyTypeError::new_err(format!("{what} must be an int, got {}", type_name(v))))
}

/// The `width`-bit value of the Python int `v`; `what` names it in errors (e.g. "input 1").
pub fn to_bits(v: &Bound<'_, PyAny>, width: u32, what: &str) -> PyResult<Bits> {
    let i = require_int(v, what)?;
    if i.lt(0)? {
        return Err(Fail::input(format!(
            "{what} ({width} bits): {} is negative; values are unsigned {width}-bit integers",
            show(v)
        ))
        .into());
    }
    let needed: u64 = i.call_method0("bit_length")?.extract()?;
    if needed > u64::from(width) {
        return Err(Fail::input(format!(
            "{what} ({width} bits): {} needs {needed} bits; it must be below 2^{width}",
            show(v)
        ))
        .into());
    }
    if width <= 64 {
        let x: u64 = i.extract()?;
        return Ok((0..width).map(|k| x >> k & 1 == 1).collect());
    }
    let nbytes = (width as usize).div_ceil(8);
    let bytes = i.call_method1("to_bytes", (nbytes, "little"))?;
    let bytes = bytes.cast::<PyBytes>()?.as_bytes();
    let mut bits = Bits::repeat(false, width as usize);
    for (n, &b) in bytes.iter().enumerate() {
        for j in 0..8 {
            if b >> j & 1 == 1 {
                bits.set(8 * n + j, true);
            }
        }
    }
    Ok(bits)
}

/// The Python int whose bit k is bit k of `bits`.
pub fn to_int<'py>(py: Python<'py>, bits: &Bits) -> PyResult<Bound<'py, PyAny>> {
    if bits.len() <= 64 {
        let x = bits
            .iter()
            .enumerate()
            .fold(0u64, |acc, (k, b)| acc | (*b as u64) << k);
        return Ok(x.into_pyobject(py)?.into_any());
    }
    let mut bytes = vec![0u8; bits.len().div_ceil(8)];
    for k in bits.iter_ones() {
        bytes[k / 8] |= 1 << (k % 8);
    }
    py.get_type::<PyInt>()
        .call_method1("from_bytes", (PyBytes::new(py, &bytes), "little"))
}

/// A list of Python ints, one per value.
pub fn to_list<'py>(py: Python<'py>, values: &[Bits]) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let items = values
        .iter()
        .map(|b| to_int(py, b))
        .collect::<PyResult<Vec<_>>>()?;
    pyo3::types::PyList::new(py, items)
}
