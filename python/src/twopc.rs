//! `duet.run_local`, `duet.garbler`, `duet.evaluator`: the two-party garbled-circuit run
//! (`duet_gc::Session`: handshake, base OT, IKNP, streamed garbled tables, decoding), one
//! instance or a batch of instances in one session.
//!
//! Each party gives the input values it owns as a dict `{index: int}` (index into the
//! circuit header); together the two parties give every input exactly once (checked before
//! anything runs in one process; over the network the handshake checks it on both sides).

use duet_circuits::Bits;
use duet_gc::{OutputPolicy, Prepared, SchemeKind, Session, SessionOptions};
use duet_net::{Channel, ChannelConfig};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyMapping};
use std::path::PathBuf;

use crate::circuit::resolve;
use crate::error::{Fail, Result};
use crate::net::NetOpts;
use crate::program::PyProgram;
use crate::runtime::block_on;
use crate::values::{require_int, to_bits, to_list, type_name};

/// The values of a dict `{index: int}` for input widths `widths`; `what` names the dict in
/// errors (e.g. "garbler").
pub fn owned_inputs(
    widths: &[u32],
    m: &Bound<'_, PyMapping>,
    what: &str,
) -> PyResult<Vec<(usize, Bits)>> {
    let mut out: Vec<(usize, Bits)> = Vec::with_capacity(m.len()?);
    for item in m.items()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let k = require_int(&k, &format!("{what}: an input index"))?;
        let i: usize = match k.extract::<usize>() {
            Ok(i) if i < widths.len() => i,
            _ => {
                return Err(Fail::input(format!(
                    "{what}: input {k} does not exist: the circuit has {} input value(s) (0..{})",
                    widths.len(),
                    widths.len().saturating_sub(1)
                ))
                .into());
            }
        };
        out.push((i, to_bits(&v, widths[i], &format!("{what}: input {i}"))?));
    }
    Ok(out)
}

/// The input values one party gives for each instance of a run.
type Instances = Vec<Vec<(usize, Bits)>>;

/// One instance (a dict) or a batch (a list of dicts): the instances and whether it is a
/// batch.
fn instances(widths: &[u32], arg: &Bound<'_, PyAny>, what: &str) -> PyResult<(Instances, bool)> {
    if let Ok(m) = arg.cast::<PyMapping>() {
        return Ok((vec![owned_inputs(widths, m, what)?], false));
    }
    let bad = || {
        PyTypeError::new_err(format!(
            "{what} must be a dict {{index: int}} (one run) or a list of such dicts (a batch), \
             got {}",
            type_name(arg)
        ))
    };
    if arg.is_instance_of::<pyo3::types::PyString>() {
        return Err(bad());
    }
    let mut out = Vec::new();
    for (n, item) in arg.try_iter().map_err(|_| bad())?.enumerate() {
        let item = item?;
        let m = item.cast::<PyMapping>().map_err(|_| bad())?;
        out.push(owned_inputs(widths, m, &format!("{what}[{n}]"))?);
    }
    if out.is_empty() {
        return Err(Fail::input(format!("{what}: an empty batch")).into());
    }
    Ok((out, true))
}

/// Who learns the outputs: "both", "garbler" or "evaluator".
pub fn policy(reveal: &str) -> Result<OutputPolicy> {
    match reveal {
        "both" => Ok(OutputPolicy::Both),
        "garbler" => Ok(OutputPolicy::Garbler),
        "evaluator" => Ok(OutputPolicy::Evaluator),
        _ => Err(Fail::input(format!(
            "reveal={reveal:?}: expected \"both\", \"garbler\" or \"evaluator\""
        ))),
    }
}

/// The garbling scheme: "half-gates" or "three-halves".
pub fn scheme(name: &str) -> Result<SchemeKind> {
    name.parse()
        .map_err(|e| Fail::input(format!("scheme={name:?}: {e}")))
}

/// One party's whole run over an open channel: session set-up, one batched run, close.
async fn party(
    ch: Channel,
    garbler: bool,
    scheme: SchemeKind,
    prepared: Prepared,
    instances: Instances,
    policy: OutputPolicy,
) -> Result<Vec<Vec<Bits>>> {
    let opts = SessionOptions::default().with_scheme(scheme);
    let who = if garbler { "garbler" } else { "evaluator" };
    let mut s = if garbler {
        Session::garbler(ch, opts).await
    } else {
        Session::evaluator(ch, opts).await
    }
    .map_err(|e| Fail::from(e).context(format!("{who}: session set-up")))?;
    let out = s
        .run_many(&prepared, &instances, policy)
        .await
        .map_err(|e| Fail::from(e).context(who))?;
    let _ = s.close().await;
    Ok(out)
}

/// A program says who learns each output and runs half-gates: `reveal` and `scheme` keep
/// their defaults.
fn program_defaults(reveal: &str, scheme: &str) -> Result<()> {
    if reveal != "both" || scheme != "half-gates" {
        return Err(Fail::input(
            "a duet.Program says who learns each output (Program.output(..., reveal=)) and \
             runs half-gates: give no reveal= or scheme=",
        ));
    }
    Ok(())
}

/// The outputs as Python: a list of ints (one run) or a list of lists (a batch).
fn outputs<'py>(py: Python<'py>, out: &[Vec<Bits>], batch: bool) -> PyResult<Bound<'py, PyList>> {
    if !batch {
        return to_list(py, out.first().map(Vec::as_slice).unwrap_or_default());
    }
    let rows = out
        .iter()
        .map(|o| to_list(py, o))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, rows)
}

/// Run a circuit two-party with both parties in this process (the full protocol over an
/// in-memory channel).
///
/// `circuit`: a `duet.Circuit`, a path or a built-in name. `garbler` / `evaluator`: the
/// input values each party owns, `{index: int}` (every input given by exactly one party);
/// or two lists of such dicts of the same length for a batch of instances in one session
/// (one handshake, one OT extension, one table stream). `reveal`: who learns the outputs
/// ("both", "garbler", "evaluator"); `scheme`: "half-gates" (32 bytes per AND gate) or
/// "three-halves" (about 24.6). Returns one int per output value (a list of such lists for
/// a batch), as `duet.eval` would.
///
/// With a `duet.Program` instead of a circuit, `garbler` / `evaluator` are `{name: int or
/// bool}` and the result is `{output name: value}` of every output either party learns.
///
/// Raises `duet.InputError` for an input given twice or to neither party, an unknown index,
/// or a value that does not fit its width; `duet.ProtocolError` if the protocol fails.
#[pyfunction]
#[pyo3(signature = (circuit, garbler, evaluator, *, reveal = "both", scheme = "half-gates"))]
pub fn run_local<'py>(
    py: Python<'py>,
    circuit: &Bound<'py, PyAny>,
    garbler: &Bound<'py, PyAny>,
    evaluator: &Bound<'py, PyAny>,
    reveal: &str,
    scheme: &str,
) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(p) = circuit.cast::<PyProgram>() {
        program_defaults(reveal, scheme)?;
        return Ok(crate::program::run_local(py, p.get(), garbler, evaluator)?.into_any());
    }
    let (_, prepared) = resolve(py, circuit)?;
    let w = prepared.inputs();
    let (g_in, g_batch) = instances(w, garbler, "garbler")?;
    let (e_in, e_batch) = instances(w, evaluator, "evaluator")?;
    if g_batch != e_batch || g_in.len() != e_in.len() {
        return Err(Fail::input(format!(
            "the garbler gives {} instance(s), the evaluator {}: give two dicts, or two lists \
             of dicts of the same length",
            g_in.len(),
            e_in.len()
        ))
        .into());
    }
    for (n, (g, e)) in g_in.iter().zip(&e_in).enumerate() {
        let at = if g_batch {
            format!("instance {n}: ")
        } else {
            String::new()
        };
        for i in 0..w.len() {
            let (in_g, in_e) = (
                g.iter().any(|(j, _)| *j == i),
                e.iter().any(|(j, _)| *j == i),
            );
            if in_g && in_e {
                return Err(Fail::input(format!("{at}input {i} is given to both parties")).into());
            }
            if !in_g && !in_e {
                return Err(Fail::input(format!("{at}input {i} is given to neither party")).into());
            }
        }
    }
    let policy = policy(reveal)?;
    let sc = self::scheme(scheme)?;
    let p2 = prepared.clone();
    let (g_out, e_out) = block_on(py, async move {
        let (a, b) = duet_net::duplex_pair(&ChannelConfig::default());
        let g = tokio::spawn(party(a, true, sc, prepared, g_in, policy));
        let e = tokio::spawn(party(b, false, sc, p2, e_in, policy));
        let (g, e) = tokio::join!(g, e);
        let g = g.map_err(|e| Fail::protocol(format!("garbler task: {e}")))?;
        let e = e.map_err(|e| Fail::protocol(format!("evaluator task: {e}")))?;
        match (g, e) {
            (Ok(g), Ok(e)) => Ok((g, e)),
            (Err(x), Ok(_)) | (Ok(_), Err(x)) => Err(x),
            (Err(x), Err(y)) => Err(Fail::first_cause(x, y)),
        }
    })?;
    let out = if policy == OutputPolicy::Garbler {
        g_out
    } else {
        e_out
    };
    Ok(outputs(py, &out, g_batch)?.into_any())
}

/// One party of a run over TCP (`duet.garbler` / `duet.evaluator`).
#[allow(clippy::too_many_arguments)]
fn networked<'py>(
    py: Python<'py>,
    garbler: bool,
    circuit: &Bound<'py, PyAny>,
    inputs: &Bound<'py, PyAny>,
    net: NetOpts,
    reveal: &str,
    scheme: &str,
) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(p) = circuit.cast::<PyProgram>() {
        program_defaults(reveal, scheme)?;
        return Ok(crate::program::networked(py, garbler, p.get(), inputs, net)?.into_any());
    }
    let (_, prepared) = resolve(py, circuit)?;
    let who = if garbler { "garbler" } else { "evaluator" };
    let (mine, batch) = instances(prepared.inputs(), inputs, who)?;
    let policy = policy(reveal)?;
    let sc = self::scheme(scheme)?;
    let out = block_on(py, async move {
        let ch = net.open().await?;
        party(ch, garbler, sc, prepared, mine, policy).await
    })?;
    Ok(outputs(py, &out, batch)?.into_any())
}

/// The garbler of a two-party run over TCP; the other process runs `duet.evaluator` (or
/// `gc-run evaluator`) on the same circuit.
///
/// `inputs`: the input values this party owns, `{index: int}` (every other input is the
/// evaluator's), or a list of such dicts for a batch (the peer gives as many). Meet the peer
/// with `listen="HOST:PORT"` (wait for it) or `connect="HOST:PORT"` (retried until it is up
/// or `connect_timeout` seconds pass). `key` (a key-pair file from `duet.keygen`) and
/// `peer_key` (the peer's `duet-pk:…` or a file holding it) encrypt and authenticate the
/// channel; without them only loopback addresses are allowed unless `insecure=True`.
/// `timeout`: seconds the peer has for each message. `reveal` and `scheme` as in
/// `duet.run_local`; both parties must agree. Returns the outputs this party learns (an
/// empty list if `reveal` gives them only to the peer).
///
/// With a `duet.Program`, `inputs` is `{name: int or bool}` and the result `{output name:
/// value}` of the outputs this party learns (the program says who learns what: give no
/// `reveal` or `scheme`).
///
/// Raises `duet.InputError` for bad inputs or options (before any traffic),
/// `duet.NetworkError` if the connection fails or the peer goes away, `duet.ProtocolError`
/// if the peer misbehaves or disagrees (another circuit, inputs, scheme or reveal).
#[pyfunction]
#[pyo3(signature = (circuit, *, inputs, listen = None, connect = None, key = None,
    peer_key = None, insecure = false, reveal = "both", scheme = "half-gates",
    timeout = 30.0, connect_timeout = 30.0))]
#[allow(clippy::too_many_arguments)]
pub fn garbler<'py>(
    py: Python<'py>,
    circuit: &Bound<'py, PyAny>,
    inputs: &Bound<'py, PyAny>,
    listen: Option<String>,
    connect: Option<String>,
    key: Option<PathBuf>,
    peer_key: Option<String>,
    insecure: bool,
    reveal: &str,
    scheme: &str,
    timeout: f64,
    connect_timeout: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let net = NetOpts::new(
        listen,
        connect,
        key,
        peer_key,
        insecure,
        timeout,
        connect_timeout,
    )?;
    networked(py, true, circuit, inputs, net, reveal, scheme)
}

/// The evaluator of a two-party run over TCP; the other process runs `duet.garbler` (or
/// `gc-run garbler`). Arguments, result and errors as `duet.garbler`.
#[pyfunction]
#[pyo3(signature = (circuit, *, inputs, listen = None, connect = None, key = None,
    peer_key = None, insecure = false, reveal = "both", scheme = "half-gates",
    timeout = 30.0, connect_timeout = 30.0))]
#[allow(clippy::too_many_arguments)]
pub fn evaluator<'py>(
    py: Python<'py>,
    circuit: &Bound<'py, PyAny>,
    inputs: &Bound<'py, PyAny>,
    listen: Option<String>,
    connect: Option<String>,
    key: Option<PathBuf>,
    peer_key: Option<String>,
    insecure: bool,
    reveal: &str,
    scheme: &str,
    timeout: f64,
    connect_timeout: f64,
) -> PyResult<Bound<'py, PyAny>> {
    let net = NetOpts::new(
        listen,
        connect,
        key,
        peer_key,
        insecure,
        timeout,
        connect_timeout,
    )?;
    networked(py, false, circuit, inputs, net, reveal, scheme)
}
