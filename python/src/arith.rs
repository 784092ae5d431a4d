//! `duet.arith_local` / `duet.arith`: circom-2-arithc arithmetic circuits (`circuit.txt` +
//! `circuit_info.json` in a folder) run two-party on additive shares mod 2^ℓ, with
//! comparisons, division, shifts and bitwise ops garbled (the `duet_hybrid` layer).

use std::path::PathBuf;
use std::sync::Arc;

use duet_hybrid::{ArithCircuit, Reveal, Ring, Role, Settings, run_scheme};
use duet_net::{ChannelConfig, duplex_pair};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping};

use crate::error::{Fail, Result};
use crate::net::NetOpts;
use crate::runtime::block_on;
use crate::twopc::scheme;
use crate::values::{require_int, type_name};

/// "garbler" or "evaluator".
pub fn role(name: &str) -> Result<Role> {
    match name {
        "garbler" => Ok(Role::Garbler),
        "evaluator" => Ok(Role::Evaluator),
        _ => Err(Fail::input(format!(
            "role={name:?}: expected \"garbler\" or \"evaluator\""
        ))),
    }
}

/// A loaded circuit, its ring, and who sees which output.
struct Loaded {
    circuit: Arc<ArithCircuit>,
    ring: Ring,
    settings: Option<Settings>,
    reveal: Vec<Reveal>,
}

/// Load the folder, the ring ℓ and the optional settings file.
fn load(folder: &PathBuf, ell: u32, settings: Option<PathBuf>) -> Result<Loaded> {
    let ring = Ring::new(ell)?;
    let circuit = Arc::new(ArithCircuit::load(folder)?);
    let settings = match settings {
        Some(p) => {
            let text = std::fs::read_to_string(&p)
                .map_err(|e| Fail::input(format!("cannot read {}: {e}", p.display())))?;
            Some(Settings::parse(&text, &circuit)?)
        }
        None => None,
    };
    let reveal = settings.as_ref().map_or_else(
        || vec![Reveal::BOTH; circuit.outputs().len()],
        |s| s.reveal.clone(),
    );
    Ok(Loaded {
        circuit,
        ring,
        settings,
        reveal,
    })
}

/// A dict `{name: int}` bound to the circuit's inputs (range-checked for the ring: signed
/// values from −2^(ℓ−1), unsigned up to 2^ℓ − 1), checked against the settings' owners.
fn bind(l: &Loaded, arg: &Bound<'_, PyAny>, who: Role, what: &str) -> PyResult<Vec<(usize, u64)>> {
    let m = arg.cast::<PyMapping>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a dict {{name: int}}, got {}",
            type_name(arg)
        ))
    })?;
    let mut pairs = Vec::with_capacity(m.len()?);
    for item in m.items()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let name: String = k.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "{what}: input names must be str, got {}",
                type_name(&k)
            ))
        })?;
        let v = require_int(&v, &format!("{what}: input `{name}`"))?;
        pairs.push((name, v.str()?.to_string()));
    }
    let bound = l
        .circuit
        .bind(l.ring, &pairs)
        .map_err(|e| Fail::from(e).context(what))?;
    if let Some(s) = &l.settings {
        for &(i, _) in &bound {
            if s.owners[i] != who {
                return Err(Fail::input(format!(
                    "{what}: input `{}` belongs to the other party according to the settings file",
                    l.circuit.inputs()[i].name
                ))
                .into());
            }
        }
    }
    Ok(bound)
}

/// The outputs this party sees, `{name: int}` (signed: two's complement mod 2^ℓ).
fn outputs<'py>(
    py: Python<'py>,
    l: &Loaded,
    values: &[Option<u64>],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (o, v) in l.circuit.outputs().iter().zip(values) {
        if let Some(v) = v {
            d.set_item(&o.name, l.ring.to_signed(*v))?;
        }
    }
    Ok(d)
}

/// Run a circom-2-arithc circuit two-party with both parties in this process.
///
/// `folder`: a folder with `circuit.txt` and `circuit_info.json` (circom-2-arithc output).
/// `garbler` / `evaluator`: `{name: int}` with the input names of `circuit_info.json` (e.g.
/// `"0.alice"`, `"0.in[2][1]"`); every input given by exactly one party. Values are integers
/// mod 2^ℓ (`ell` = 8, 16, 32 or 64), from −2^(ℓ−1) to 2^ℓ − 1. `settings`: an
/// `mpc_settings.json` saying who owns which input and sees which output (default: both see
/// everything). `scheme`: "half-gates" or "three-halves" for the garbled ops. Returns
/// `{name: int}` of the outputs (signed, two's complement mod 2^ℓ).
///
/// Raises `duet.InputError` for a bad folder, an unknown, missing or doubly-given name, or a
/// value out of range; `duet.ProtocolError` if the run fails.
#[pyfunction]
#[pyo3(signature = (folder, garbler, evaluator, *, ell = 64, settings = None, scheme = "half-gates"))]
pub fn arith_local<'py>(
    py: Python<'py>,
    folder: PathBuf,
    garbler: &Bound<'py, PyAny>,
    evaluator: &Bound<'py, PyAny>,
    ell: u32,
    settings: Option<PathBuf>,
    scheme: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let l = py.detach(|| load(&folder, ell, settings))?;
    let gi = bind(&l, garbler, Role::Garbler, "garbler")?;
    let ei = bind(&l, evaluator, Role::Evaluator, "evaluator")?;
    let mut given = vec![false; l.circuit.inputs().len()];
    for &(i, _) in gi.iter().chain(&ei) {
        if given[i] {
            return Err(Fail::input(format!(
                "input `{}` is given by both parties",
                l.circuit.inputs()[i].name
            ))
            .into());
        }
        given[i] = true;
    }
    if let Some(i) = given.iter().position(|g| !g) {
        return Err(Fail::input(format!(
            "input `{}` is not given",
            l.circuit.inputs()[i].name
        ))
        .into());
    }
    let sc = self::scheme(scheme)?;
    let (c, ring, reveal) = (l.circuit.clone(), l.ring, l.reveal.clone());
    let out = block_on(py, async move {
        let (mut cg, mut ce) = duplex_pair(&ChannelConfig::default());
        let (c1, r1) = (c.clone(), reveal.clone());
        let g = tokio::spawn(async move {
            run_scheme(&mut cg, &c1, Role::Garbler, ring, sc, &gi, &r1).await
        });
        let e = tokio::spawn(async move {
            run_scheme(&mut ce, &c, Role::Evaluator, ring, sc, &ei, &reveal).await
        });
        let (g, e) = tokio::join!(g, e);
        let g = g.map_err(|e| Fail::protocol(format!("garbler task: {e}")))?;
        let e = e.map_err(|e| Fail::protocol(format!("evaluator task: {e}")))?;
        match (g, e) {
            (Ok(g), Ok(e)) => Ok(g
                .outputs
                .iter()
                .zip(&e.outputs)
                .map(|(a, b)| a.or(*b))
                .collect::<Vec<_>>()),
            (Err(x), Ok(_)) | (Ok(_), Err(x)) => Err(Fail::from(x)),
            (Err(x), Err(y)) => Err(Fail::first_cause(x.into(), y.into())),
        }
    })?;
    outputs(py, &l, &out)
}

/// One party of a circom-2-arithc circuit run over TCP; the peer runs `duet.arith` with the
/// other role (or `gc-run arith garbler|evaluator`).
///
/// `role`: "garbler" or "evaluator"; `inputs`: `{name: int}` of the inputs this party owns.
/// `ell`, `settings`, `scheme` as in `duet.arith_local` (both parties must agree); network
/// options as in `duet.garbler`. Returns `{name: int}` of the outputs this party sees.
///
/// Raises as `duet.arith_local`, and `duet.NetworkError` if the connection fails.
#[pyfunction]
#[pyo3(signature = (folder, *, role, inputs, listen = None, connect = None, key = None,
    peer_key = None, insecure = false, ell = 64, settings = None, scheme = "half-gates",
    timeout = 30.0, connect_timeout = 30.0))]
#[allow(clippy::too_many_arguments)]
pub fn arith<'py>(
    py: Python<'py>,
    folder: PathBuf,
    role: &str,
    inputs: &Bound<'py, PyAny>,
    listen: Option<String>,
    connect: Option<String>,
    key: Option<PathBuf>,
    peer_key: Option<String>,
    insecure: bool,
    ell: u32,
    settings: Option<PathBuf>,
    scheme: &str,
    timeout: f64,
    connect_timeout: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let role = self::role(role)?;
    let l = py.detach(|| load(&folder, ell, settings))?;
    let mine = bind(&l, inputs, role, "inputs")?;
    if let Some(s) = &l.settings
        && let Some(i) = (0..l.circuit.inputs().len())
            .find(|&i| s.owners[i] == role && !mine.iter().any(|m| m.0 == i))
    {
        return Err(Fail::input(format!(
            "input `{}` is not given",
            l.circuit.inputs()[i].name
        ))
        .into());
    }
    let sc = self::scheme(scheme)?;
    let net = NetOpts::new(
        listen,
        connect,
        key,
        peer_key,
        insecure,
        timeout,
        connect_timeout,
    )?;
    let (c, ring, reveal) = (l.circuit.clone(), l.ring, l.reveal.clone());
    let out = block_on(py, async move {
        let mut ch = net.open().await?;
        let r = run_scheme(&mut ch, &c, role, ring, sc, &mine, &reveal).await;
        let _ = ch.close().await;
        Ok(r?.outputs)
    })?;
    outputs(py, &l, &out)
}
