//! `duet.Program` and `duet.Secret`: the typed program API (`duet::program`) from Python,
//! with operator overloading. Operations on secrets record a circuit; the same program
//! runs in the clear (`Program.eval` / `duet.eval`), with both parties in one process
//! (`duet.run_local`) or as one party over TCP (`duet.garbler` / `duet.evaluator`).
//!
//! ```python
//! p = duet.Program()
//! a = p.input("alice", duet.u32, owner="garbler")
//! b = p.input("bob", duet.u32, owner="evaluator")
//! p.output("richer", a > b)
//! duet.run_local(p, garbler={"alice": 7}, evaluator={"bob": 5})   # {"richer": True}
//! ```

use std::sync::Mutex;

use duet::program::{
    BinOp, Compiled, DynSecret, Inputs, OutputPolicy, Outputs, Program as RsProgram, ProgramError,
    Role, ValueType,
};
use duet_gc::{Session, SessionOptions};
use duet_net::ChannelConfig;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyMapping};

use crate::error::{Class, Fail, Result};
use crate::net::NetOpts;
use crate::runtime::block_on;
use crate::values::{require_int, type_name};

impl From<ProgramError> for Fail {
    fn from(e: ProgramError) -> Fail {
        match e {
            ProgramError::Protocol(p) => p.into(),
            ProgramError::ProgramMismatch(_) | ProgramError::Io(_) => Fail::protocol(e),
            e => Fail::new(Class::Input, e),
        }
    }
}

/// The type of a secret value: `duet.bool`, `duet.u8` … `duet.u64`, `duet.i8` … `duet.i64`
/// (two's complement). A value of type t has `t.bits` bits.
#[pyclass(frozen, eq, hash, module = "duet", name = "Type")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PyValueType {
    ty: ValueType,
}

#[pymethods]
impl PyValueType {
    /// The name (`"u32"`, `"bool"`, …).
    #[getter]
    fn name(&self) -> &'static str {
        self.ty.name()
    }

    /// Width in bits (1 for bool).
    #[getter]
    fn bits(&self) -> u32 {
        self.ty.bits()
    }

    /// True for i8, i16, i32, i64.
    #[getter]
    fn signed(&self) -> bool {
        self.ty.is_signed()
    }

    /// The smallest value (0 for unsigned types and bool).
    #[getter]
    fn min(&self) -> i128 {
        self.ty.min()
    }

    /// The largest value (1 for bool).
    #[getter]
    fn max(&self) -> i128 {
        self.ty.max()
    }

    fn __repr__(&self) -> String {
        format!("duet.{}", self.ty.name())
    }
}

/// The `duet.u8` … objects, by name.
pub fn types() -> Vec<(&'static str, PyValueType)> {
    ValueType::ALL
        .into_iter()
        .map(|ty| (ty.name(), PyValueType { ty }))
        .collect()
}

fn role(owner: &str) -> Result<Role> {
    match owner {
        "garbler" => Ok(Role::Garbler),
        "evaluator" => Ok(Role::Evaluator),
        _ => Err(Fail::input(format!(
            "owner={owner:?}: expected \"garbler\" or \"evaluator\""
        ))),
    }
}

/// A typed secret program: declare inputs (a name, a type, an owner), compute with the
/// `duet.Secret` values they give (`+ - * // % & | ^ ~ << >>`, comparisons, `select`,
/// `min`, `max`, `cast`), declare outputs, then run it. Integer arithmetic wraps at the
/// type's width; `//` and `%` truncate toward zero (as in Rust and C, unlike Python's `//`
/// on negative numbers).
#[pyclass(frozen, module = "duet", name = "Program")]
pub struct PyProgram {
    p: RsProgram,
    /// the program compiled as it stands (cleared when an input or output is declared)
    compiled: Mutex<Option<Compiled>>,
}

impl PyProgram {
    /// The program compiled as it stands (cached until an input or output is declared).
    pub fn compiled(&self) -> Result<Compiled> {
        let mut st = self
            .compiled
            .lock()
            .map_err(|_| Fail::protocol("program lock poisoned"))?;
        if let Some(c) = &*st {
            return Ok(c.clone());
        }
        let c = self.p.compile()?;
        *st = Some(c.clone());
        Ok(c)
    }

    /// An input or output was declared: compile again when next run.
    fn changed(&self) {
        if let Ok(mut st) = self.compiled.lock() {
            *st = None;
        }
    }
}

#[pymethods]
impl PyProgram {
    #[new]
    fn new() -> PyProgram {
        PyProgram {
            p: RsProgram::new(),
            compiled: Mutex::new(None),
        }
    }

    /// Declare input `name` of type `type` (e.g. `duet.u32`), given by `owner` ("garbler" or
    /// "evaluator"); returns the secret value. Names are unique, 1 to 256 bytes.
    #[pyo3(signature = (name, r#type, *, owner))]
    fn input(&self, name: &str, r#type: PyRef<'_, PyValueType>, owner: &str) -> PyResult<PySecret> {
        let s = self
            .p
            .input_dyn(name, r#type.ty, role(owner)?)
            .map_err(Fail::from)?;
        self.changed();
        Ok(PySecret { s })
    }

    /// The public constant `value` of type `type`. Raises `duet.InputError` if it does not
    /// fit the type.
    #[pyo3(signature = (value, r#type))]
    fn constant(
        &self,
        value: &Bound<'_, PyAny>,
        r#type: PyRef<'_, PyValueType>,
    ) -> PyResult<PySecret> {
        Ok(PySecret {
            s: constant(&self.p, r#type.ty, value)?,
        })
    }

    /// Declare output `name` with the secret `value`, learnt by `reveal` ("both", "garbler"
    /// or "evaluator"; a one-party output is masked so that the other party sees only
    /// random bits).
    #[pyo3(signature = (name, value, *, reveal = "both"))]
    fn output(&self, name: &str, value: &Bound<'_, PyAny>, reveal: &str) -> PyResult<()> {
        let v = value.cast::<PySecret>().map_err(|_| {
            PyTypeError::new_err(format!(
                "output `{name}` must be a duet.Secret of this program, got {}",
                type_name(value)
            ))
        })?;
        let policy = crate::twopc::policy(reveal)?;
        self.p
            .output_to(name, v.get().s.clone(), policy)
            .map_err(Fail::from)?;
        self.changed();
        Ok(())
    }

    /// Run the program in the clear (the reference): `inputs` gives every input,
    /// `{name: int or bool}`. Returns `{output name: value}` (bool outputs as bool).
    fn eval<'py>(
        &self,
        py: Python<'py>,
        inputs: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let c = self.compiled()?;
        let ins = named_inputs(inputs, "inputs")?;
        let out = py.detach(|| c.eval(&ins)).map_err(Fail::from)?;
        outputs_dict(py, &[&out])
    }

    /// AND gates of the compiled program (what a two-party run costs: 32 bytes each under
    /// half-gates).
    #[getter]
    fn and_gates(&self) -> PyResult<u64> {
        Ok(self.compiled()?.prepared().and_gates())
    }

    /// The declared inputs: `[(name, type, owner)]` in declaration order.
    #[getter]
    fn inputs(&self) -> PyResult<Vec<(String, PyValueType, &'static str)>> {
        Ok(self
            .compiled()?
            .inputs()
            .iter()
            .map(|i| {
                let owner = match i.owner {
                    Role::Garbler => "garbler",
                    Role::Evaluator => "evaluator",
                };
                (i.name.clone(), PyValueType { ty: i.ty }, owner)
            })
            .collect())
    }

    /// The declared outputs: `[(name, type, reveal)]` in declaration order.
    #[getter]
    fn outputs(&self) -> PyResult<Vec<(String, PyValueType, &'static str)>> {
        Ok(self
            .compiled()?
            .outputs()
            .iter()
            .map(|o| {
                let r = match o.reveal {
                    OutputPolicy::Garbler => "garbler",
                    OutputPolicy::Evaluator => "evaluator",
                    _ => "both",
                };
                (o.name.clone(), PyValueType { ty: o.ty }, r)
            })
            .collect())
    }
}

/// A constant from a Python int or bool.
fn constant(p: &RsProgram, ty: ValueType, v: &Bound<'_, PyAny>) -> PyResult<DynSecret> {
    let range = |shown: &dyn std::fmt::Display| {
        Fail::input(format!(
            "the constant {shown} does not fit a {} ({} to {})",
            ty.name(),
            ty.min(),
            ty.max()
        ))
    };
    let x: i128 = if let Ok(b) = v.cast::<PyBool>() {
        b.is_true() as i128
    } else {
        let i = require_int(v, "a constant")?;
        i.extract().map_err(|_| range(&i))?
    };
    if x < ty.min() || x > ty.max() {
        return Err(range(&x).into());
    }
    Ok(p.constant_dyn(ty, x).map_err(Fail::from)?)
}

/// A dict `{name: int or bool}` as the program's inputs.
fn named_inputs(arg: &Bound<'_, PyAny>, what: &str) -> PyResult<Inputs> {
    let m = arg.cast::<PyMapping>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a dict {{name: int or bool}}, got {}",
            type_name(arg)
        ))
    })?;
    let mut ins = Inputs::new();
    for item in m.items()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let name: String = k.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}: input names must be str, got {}",
                type_name(&k)
            ))
        })?;
        if let Ok(b) = v.cast::<PyBool>() {
            ins.set_bool(&name, b.is_true());
        } else {
            let i = require_int(&v, &format!("{what}: input `{name}`"))?;
            let x: i128 = i.extract().map_err(|_| {
                Fail::input(format!(
                    "{what}: input `{name}`: {i} does not fit any supported type"
                ))
            })?;
            ins.set_int(&name, x);
        }
    }
    Ok(ins)
}

/// `{name: value}` of the outputs some view learns (the first view that has each one).
fn outputs_dict<'py>(py: Python<'py>, views: &[&Outputs]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let Some(first) = views.first() else {
        return Ok(d);
    };
    for (n, (name, ty, _)) in first.iter().enumerate() {
        let v = views
            .iter()
            .find_map(|o| o.iter().nth(n).and_then(|(_, _, v)| v));
        if let Some(v) = v {
            if ty == ValueType::Bool {
                d.set_item(name, v != 0)?;
            } else {
                d.set_item(name, v)?;
            }
        }
    }
    Ok(d)
}

/// `duet.run_local(program, garbler={…}, evaluator={…})`: both parties in this process;
/// `{output: value}` of every output either party learns.
pub fn run_local<'py>(
    py: Python<'py>,
    p: &PyProgram,
    garbler: &Bound<'py, PyAny>,
    evaluator: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let c = p.compiled()?;
    let gi = named_inputs(garbler, "garbler")?;
    let ei = named_inputs(evaluator, "evaluator")?;
    let c2 = c.clone();
    let (g, e) = block_on(py, async move {
        let (a, b) = duet_net::duplex_pair(&ChannelConfig::default());
        let g = tokio::spawn(async move {
            let mut s = Session::garbler(a, SessionOptions::default())
                .await
                .map_err(|e| Fail::from(e).context("garbler: session set-up"))?;
            let out = c
                .run(&mut s, &gi)
                .await
                .map_err(|e| Fail::from(e).context("garbler"))?;
            let _ = s.close().await;
            Ok::<_, Fail>(out)
        });
        let e = tokio::spawn(async move {
            let mut s = Session::evaluator(b, SessionOptions::default())
                .await
                .map_err(|e| Fail::from(e).context("evaluator: session set-up"))?;
            let out = c2
                .run(&mut s, &ei)
                .await
                .map_err(|e| Fail::from(e).context("evaluator"))?;
            let _ = s.close().await;
            Ok::<_, Fail>(out)
        });
        let (g, e) = tokio::join!(g, e);
        let g = g.map_err(|e| Fail::protocol(format!("garbler task: {e}")))?;
        let e = e.map_err(|e| Fail::protocol(format!("evaluator task: {e}")))?;
        match (g, e) {
            (Ok(g), Ok(e)) => Ok((g, e)),
            (Err(x), Ok(_)) | (Ok(_), Err(x)) => Err(x),
            (Err(x), Err(y)) => Err(Fail::first_cause(x, y)),
        }
    })?;
    outputs_dict(py, &[&g, &e])
}

/// `duet.garbler(program, …)` / `duet.evaluator(program, …)`: one party over TCP;
/// `{output: value}` of the outputs this party learns.
pub fn networked<'py>(
    py: Python<'py>,
    garbler: bool,
    p: &PyProgram,
    inputs: &Bound<'py, PyAny>,
    net: NetOpts,
) -> PyResult<Bound<'py, PyDict>> {
    let c = p.compiled()?;
    let ins = named_inputs(inputs, "inputs")?;
    let out = block_on(py, async move {
        let ch = net.open().await?;
        let mut s = if garbler {
            Session::garbler(ch, SessionOptions::default()).await?
        } else {
            Session::evaluator(ch, SessionOptions::default()).await?
        };
        let out = c.run(&mut s, &ins).await?;
        let _ = s.close().await;
        Ok(out)
    })?;
    outputs_dict(py, &[&out])
}

/// A secret value of a `duet.Program` (made by `Program.input` or `Program.constant`, or
/// by operations on other secrets). Operators record gates; a Python int (or bool) operand
/// becomes a constant of this value's type. Comparisons give a `duet.bool` secret, which
/// has no truth value in Python: use `cond.select(a, b)` instead of `if`.
#[pyclass(frozen, module = "duet", name = "Secret")]
pub struct PySecret {
    s: DynSecret,
}

impl PySecret {
    /// `other` as a secret of this program: a `Secret`, or an int/bool made a constant of
    /// this value's type.
    fn operand(&self, other: &Bound<'_, PyAny>) -> PyResult<DynSecret> {
        if let Ok(o) = other.cast::<PySecret>() {
            return Ok(o.get().s.clone());
        }
        if other.cast::<pyo3::types::PyInt>().is_ok() {
            return constant(self.s.program(), self.s.ty(), other);
        }
        Err(PyTypeError::new_err(format!(
            "an operand of a {} secret must be a duet.Secret or an int, got {}",
            self.s.ty().name(),
            type_name(other)
        )))
    }

    fn bin(&self, op: BinOp, other: &Bound<'_, PyAny>, reflected: bool) -> PyResult<PySecret> {
        let o = self.operand(other)?;
        let r = if reflected {
            o.binary(op, &self.s)
        } else {
            self.s.binary(op, &o)
        };
        Ok(PySecret {
            s: r.map_err(Fail::from)?,
        })
    }
}

fn shift_amount(n: &Bound<'_, PyAny>) -> PyResult<u32> {
    let i = require_int(n, "a shift amount")?;
    i.extract::<u32>()
        .map_err(|_| Fail::input(format!("shift by {i}: expected 0 or more bits")).into())
}

#[pymethods]
impl PySecret {
    /// The value's type (`duet.u32`, …).
    #[getter]
    fn r#type(&self) -> PyValueType {
        PyValueType { ty: self.s.ty() }
    }

    fn __repr__(&self) -> String {
        format!("<duet.Secret {}>", self.s.ty().name())
    }

    fn __bool__(&self) -> PyResult<bool> {
        Err(PyTypeError::new_err(
            "a duet.Secret has no truth value while the program is built (it is secret); use \
             cond.select(a, b) instead of if/and/or, and (a < b) & (b < c) instead of a < b < c",
        ))
    }

    fn __add__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Add, o, false)
    }
    fn __radd__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Add, o, true)
    }
    fn __sub__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Sub, o, false)
    }
    fn __rsub__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Sub, o, true)
    }
    fn __mul__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Mul, o, false)
    }
    fn __rmul__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Mul, o, true)
    }
    fn __floordiv__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Div, o, false)
    }
    fn __rfloordiv__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Div, o, true)
    }
    fn __mod__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Rem, o, false)
    }
    fn __rmod__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Rem, o, true)
    }
    fn __and__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::And, o, false)
    }
    fn __rand__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::And, o, true)
    }
    fn __or__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Or, o, false)
    }
    fn __ror__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Or, o, true)
    }
    fn __xor__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Xor, o, false)
    }
    fn __rxor__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Xor, o, true)
    }
    fn __lt__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Lt, o, false)
    }
    fn __le__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Le, o, false)
    }
    fn __gt__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Gt, o, false)
    }
    fn __ge__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Ge, o, false)
    }
    fn __eq__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Eq, o, false)
    }
    fn __ne__(&self, o: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Ne, o, false)
    }

    fn __invert__(&self) -> PySecret {
        PySecret { s: self.s.not() }
    }

    fn __neg__(&self) -> PyResult<PySecret> {
        Ok(PySecret {
            s: self.s.neg().map_err(Fail::from)?,
        })
    }

    fn __lshift__(&self, n: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        Ok(PySecret {
            s: self.s.shl(shift_amount(n)?).map_err(Fail::from)?,
        })
    }

    fn __rshift__(&self, n: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        Ok(PySecret {
            s: self.s.shr(shift_amount(n)?).map_err(Fail::from)?,
        })
    }

    /// `a` where this bool secret is true, else `b` (a multiplexer; `a` and `b` of one
    /// type, ints allowed).
    fn select(&self, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        let (a, b) = match (a.cast::<PySecret>(), b.cast::<PySecret>()) {
            (Ok(x), _) => {
                let x = x.get();
                (x.s.clone(), x.operand(b)?)
            }
            (_, Ok(y)) => {
                let y = y.get();
                (y.operand(a)?, y.s.clone())
            }
            _ => {
                return Err(PyTypeError::new_err(
                    "select needs at least one duet.Secret among its two values",
                ));
            }
        };
        Ok(PySecret {
            s: self.s.select(&a, &b).map_err(Fail::from)?,
        })
    }

    /// The smaller of this value and `other`.
    fn min(&self, other: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Min, other, false)
    }

    /// The larger of this value and `other`.
    fn max(&self, other: &Bound<'_, PyAny>) -> PyResult<PySecret> {
        self.bin(BinOp::Max, other, false)
    }

    /// This value as type `type` (truncated or extended, sign-extended if signed).
    #[pyo3(signature = (r#type))]
    fn cast(&self, r#type: PyRef<'_, PyValueType>) -> PyResult<PySecret> {
        Ok(PySecret {
            s: self.s.cast(r#type.ty).map_err(Fail::from)?,
        })
    }
}
