//! `duet.load` / `duet.Circuit` (a Bristol Fashion circuit, a built-in one, or a saved slot
//! program, prepared once for many runs) and `duet.eval` (plaintext evaluation).

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use duet_circuits::bristol::ParseErrorKind;
use duet_circuits::library::{self, LoadError};
use duet_circuits::program_file::{CompileError, ProgramFile};
use duet_circuits::{Bits, eval};
use duet_gc::Prepared;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyMapping;

use crate::error::{Fail, Result};
use crate::values::{to_bits, to_list, type_name};

/// Files larger than this are compiled to a slot program on disk even without `stream`
/// (as the CLI does).
const STREAM_THRESHOLD: u64 = 256 << 20;

/// A circuit ready to run: parsed (or opened) once, its digest and gate counts computed
/// once; pass it instead of a name or path to run it many times without re-parsing.
///
/// Made by `duet.load(circuit)`. Inputs and outputs are values of the widths in
/// `inputs` / `outputs` (bits), numbered in the order of the circuit's header.
#[pyclass(frozen, module = "duet", name = "Circuit")]
pub struct Circuit {
    /// the name or path it was loaded from
    spec: String,
    /// the prepared circuit (in memory, or a slot-program file read as runs go)
    pub(crate) prepared: Prepared,
}

#[pymethods]
impl Circuit {
    /// The name or path the circuit was loaded from.
    #[getter]
    fn name(&self) -> &str {
        &self.spec
    }

    /// Width in bits of each input value, in header order.
    #[getter]
    fn inputs(&self) -> Vec<u32> {
        self.prepared.inputs().to_vec()
    }

    /// Width in bits of each output value, in header order.
    #[getter]
    fn outputs(&self) -> Vec<u32> {
        self.prepared.outputs().to_vec()
    }

    /// Number of AND gates (what a two-party run costs: 32 bytes each under half-gates).
    #[getter]
    fn and_gates(&self) -> u64 {
        self.prepared.and_gates()
    }

    /// Number of XOR gates (free in a two-party run).
    #[getter]
    fn xor_gates(&self) -> u64 {
        self.prepared.xor_gates()
    }

    /// True if the slot program is read from a file as runs go (a saved program, or a
    /// file loaded with `stream=True`).
    #[getter]
    fn streamed(&self) -> bool {
        self.prepared.is_streamed()
    }

    fn __repr__(&self) -> String {
        format!(
            "duet.Circuit({:?}, inputs={:?}, outputs={:?}, and_gates={})",
            self.spec,
            self.prepared.inputs(),
            self.prepared.outputs(),
            self.prepared.and_gates()
        )
    }
}

/// Load `spec` (a path or a built-in name), as the CLI's CIRCUIT argument: a saved program
/// (`gc-run compile`) is opened and streamed; a Bristol file over 256 MiB, or any file with
/// `stream`, is compiled to a slot program in `$TMPDIR`; otherwise the circuit is parsed
/// into memory.
fn load_prepared(spec: &str, stream: bool) -> Result<Prepared> {
    let path = Path::new(spec);
    if path.is_file() && ProgramFile::is_saved(path) {
        let file = ProgramFile::open(path).map_err(|e| Fail::input(format!("{spec}: {e}")))?;
        return Ok(Prepared::from_file(file));
    }
    let big = path
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > STREAM_THRESHOLD);
    if (stream || big) && path.is_file() {
        return Ok(Prepared::from_file(compile_file(path)?));
    }
    match library::load(spec) {
        Ok(c) => Ok(Prepared::new(c)),
        Err(LoadError::Parse { origin, source })
            if matches!(source.kind, ParseErrorKind::TooManyWires { .. }) =>
        {
            Err(Fail::input(format!(
                "{origin}: {source} in memory; load it with stream=True (up to 2^32 - 2)"
            )))
        }
        Err(e) => Err(Fail::input(e)),
    }
}

/// Compile the Bristol file at `path` into a slot-program file in the temporary directory.
fn compile_file(path: &Path) -> Result<ProgramFile> {
    let spec = path.display();
    let f = File::open(path).map_err(|e| Fail::input(format!("{spec}: {e}")))?;
    let no_room = |e: &dyn std::fmt::Display| {
        Fail::protocol(format!(
            "{spec}: cannot write the slot-program file in {} ($TMPDIR): {e}",
            std::env::temp_dir().display()
        ))
    };
    ProgramFile::compile_bristol(BufReader::with_capacity(1 << 20, f), None).map_err(|e| match e {
        CompileError::Io(e) => no_room(&e),
        CompileError::Parse(e) if matches!(e.kind, ParseErrorKind::Write(_)) => no_room(&e),
        e => Fail::input(format!("{spec}: {e}")),
    })
}

/// The path or name a Python `str` / `os.PathLike` argument denotes.
fn spec_of(arg: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let p: PathBuf = arg.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a duet.Circuit, a str or an os.PathLike, got {}",
            type_name(arg)
        ))
    })?;
    p.into_os_string()
        .into_string()
        .map_err(|p| Fail::input(format!("{what}: {} is not valid UTF-8", p.display())).into())
}

/// Load a circuit with the GIL released.
fn load_spec(py: Python<'_>, spec: String, stream: bool) -> PyResult<Circuit> {
    let prepared = py.detach(|| load_prepared(&spec, stream))?;
    Ok(Circuit { spec, prepared })
}

/// Load a circuit once to run it many times.
///
/// `circuit`: a Bristol Fashion file (path), a built-in name (`adder64`, `sub64`, `neg64`,
/// `mult64`, `zero_equal`, `aes_128`, `sha256`, `Keccak_f`), or a slot program saved by
/// `gc-run compile`; a file that exists wins over a built-in name. `stream=True` compiles a
/// file to a slot program in `$TMPDIR` (12 bytes per gate) read as runs go, so memory does
/// not grow with the circuit (automatic for files over 256 MiB).
///
/// Raises `duet.InputError` for an unknown name or a malformed file (naming file and line).
#[pyfunction]
#[pyo3(signature = (circuit, *, stream = false))]
pub fn load(py: Python<'_>, circuit: &Bound<'_, PyAny>, stream: bool) -> PyResult<Circuit> {
    load_spec(py, spec_of(circuit, "circuit")?, stream)
}

/// A circuit argument: a `duet.Circuit` (shared, not re-parsed), or a name or path (loaded).
pub fn resolve(py: Python<'_>, circuit: &Bound<'_, PyAny>) -> PyResult<(String, Prepared)> {
    if let Ok(c) = circuit.cast::<Circuit>() {
        let c = c.get();
        return Ok((c.spec.clone(), c.prepared.clone()));
    }
    let c = load_spec(py, spec_of(circuit, "circuit")?, false)?;
    Ok((c.spec, c.prepared))
}

/// The values of `inputs` (a sequence of ints in header order, or a mapping index → int
/// naming every index) for input widths `widths`.
fn all_inputs(widths: &[u32], inputs: &Bound<'_, PyAny>) -> PyResult<Vec<Bits>> {
    let count_error = |given: usize| {
        let list: Vec<String> = widths.iter().map(u32::to_string).collect();
        Fail::input(format!(
            "the circuit takes {} input value(s) (widths in bits: {}), but {given} given",
            widths.len(),
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            },
        ))
    };
    if let Ok(m) = inputs.cast::<PyMapping>() {
        let owned = crate::twopc::owned_inputs(widths, m, "inputs")?;
        if owned.len() != widths.len() {
            return Err(count_error(owned.len()).into());
        }
        let mut v: Vec<(usize, Bits)> = owned;
        v.sort_by_key(|(i, _)| *i);
        return Ok(v.into_iter().map(|(_, b)| b).collect());
    }
    if inputs.is_instance_of::<pyo3::types::PyString>()
        || inputs.is_instance_of::<pyo3::types::PyBytes>()
    {
        return Err(PyTypeError::new_err(
            "inputs must be a sequence of ints (header order) or a dict {index: int}",
        ));
    }
    let seq: Vec<Bound<'_, PyAny>> = inputs
        .try_iter()
        .map_err(|_| {
            PyTypeError::new_err(format!(
                "inputs must be a sequence of ints (header order) or a dict {{index: int}}, got {}",
                type_name(inputs)
            ))
        })?
        .collect::<PyResult<_>>()?;
    if seq.len() != widths.len() {
        return Err(count_error(seq.len()).into());
    }
    seq.iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (v, &w))| to_bits(v, w, &format!("input {i}")))
        .collect()
}

/// Evaluate a circuit in the clear (no cryptography): the reference for two-party runs.
///
/// `circuit`: a `duet.Circuit`, a path or a built-in name (see `duet.load`). `inputs`: one
/// unsigned int per input value in header order (a list), or a dict `{index: int}` naming
/// every index; value i must be below 2^width_i (wire k of a value is bit k of the int).
/// Returns one int per output value, in header order. AES-128 (`aes_128`) takes the key
/// then the plaintext as 128-bit ints, e.g. `0x000102030405060708090a0b0c0d0e0f`.
///
/// With a `duet.Program`, `inputs` is `{name: int or bool}` naming every input and the
/// result `{output name: value}` (as `Program.eval`).
///
/// Raises `duet.InputError` (a `ValueError`) for a wrong count, a negative value or one too
/// wide for its input (naming the input and width); `TypeError` for a non-int.
#[pyfunction]
#[pyo3(name = "eval")]
pub fn eval_circuit<'py>(
    py: Python<'py>,
    circuit: &Bound<'py, PyAny>,
    inputs: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(p) = circuit.cast::<crate::program::PyProgram>() {
        return Ok(p.call_method1("eval", (inputs,))?.into_any());
    }
    let (spec, prepared) = resolve(py, circuit)?;
    let values = all_inputs(prepared.inputs(), inputs)?;
    let out = py.detach(|| -> Result<Vec<Bits>> {
        if let Some(c) = prepared.circuit() {
            return eval::evaluate(c, &values).map_err(Fail::input);
        }
        // a streamed program: read it again from its file (compiled anew if it was Bristol)
        let path = Path::new(&spec);
        let file = if ProgramFile::is_saved(path) {
            ProgramFile::open(path).map_err(|e| Fail::input(format!("{spec}: {e}")))?
        } else {
            compile_file(path)?
        };
        let mut ops = file
            .ops()
            .map_err(|e| Fail::protocol(format!("{spec}: opening the slot program: {e}")))?;
        eval::evaluate_program(
            file.shape(),
            file.inputs(),
            file.outputs(),
            &mut ops,
            &values,
        )
        .map_err(|e| match e {
            eval::EvalError::Program(m) => Fail::protocol(format!("{spec}: {m}")),
            e => Fail::input(e),
        })
    })?;
    Ok(to_list(py, &out)?.into_any())
}
