//! The apps on top of the protocols: secure comparison (`duet.compare_local`,
//! `duet.compare`; `duet::compare`) and private set intersection (`duet.psi_local`,
//! `duet.psi_sender`, `duet.psi_receiver`; `duet::psi`, KKRT16).

use std::path::PathBuf;

use duet::compare::{self as cmp, CompareSpec, ordering_word};
use duet::psi::{self, PsiConfig, hash_item};
use duet_gc::{Session, SessionOptions};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString};

use crate::error::{Fail, Result};
use crate::net::NetOpts;
use crate::runtime::block_on;
use crate::values::{require_int, type_name};

/// The comparison's width and signedness, checked.
fn spec(bits: u32, signed: bool) -> Result<CompareSpec> {
    let s = CompareSpec::new(bits, signed);
    s.validate()
        .map_err(|e| Fail::input(format!("bits={bits}: {e}")))?;
    Ok(s)
}

/// A Python int as a value of `spec`; `what` names it in errors.
fn value(spec: &CompareSpec, v: &Bound<'_, PyAny>, what: &str) -> PyResult<i128> {
    let i = require_int(v, what)?;
    let (lo, hi) = spec.range();
    let range = || {
        Fail::input(format!(
            "{what}: {} is out of range for {}-bit {} integers ({lo}..={hi})",
            i,
            spec.bits,
            if spec.signed { "signed" } else { "unsigned" }
        ))
    };
    let x: i128 = i.extract().map_err(|_| range())?;
    spec.check(x).map_err(|_| range())?;
    Ok(x)
}

/// Compare two integers with both parties in this process (the full garbled-circuit
/// protocol over an in-memory channel): the garbler holds `a`, the evaluator `b`.
///
/// `bits`: the width, 1..=64; `signed`: two's-complement signed (default) or unsigned.
/// Returns "less", "equal" or "greater": `a` relative to `b`. 2·bits − 1 AND gates.
///
/// Raises `duet.InputError` if a value does not fit the width, `TypeError` for a non-int.
#[pyfunction]
#[pyo3(signature = (a, b, *, bits = 64, signed = true))]
pub fn compare_local(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    bits: u32,
    signed: bool,
) -> PyResult<&'static str> {
    let spec = spec(bits, signed)?;
    let (a, b) = (value(&spec, a, "a")?, value(&spec, b, "b")?);
    let o = block_on(py, async move {
        let (x, y) = duet_net::duplex_pair(&Default::default());
        let g = tokio::spawn(async move {
            let mut s = Session::garbler(x, SessionOptions::default()).await?;
            Ok::<_, Fail>(cmp::compare(&mut s, a, spec).await?)
        });
        let mut s = Session::evaluator(y, SessionOptions::default())
            .await
            .map_err(|e| Fail::from(e).context("evaluator"))?;
        let e = cmp::compare(&mut s, b, spec).await.map_err(Fail::from);
        let g = g
            .await
            .map_err(|e| Fail::protocol(format!("garbler task: {e}")))?;
        match (g, e) {
            (Ok(g), Ok(e)) if g == e => Ok(g),
            (Ok(_), Ok(_)) => Err(Fail::protocol("the parties got different results")),
            (Err(x), Ok(_)) | (Ok(_), Err(x)) => Err(x),
            (Err(x), Err(y)) => Err(Fail::first_cause(x, y)),
        }
    })?;
    Ok(ordering_word(o))
}

/// One party of a secure comparison over TCP (Yao's millionaires): this party holds
/// `value`, the peer (another `duet.compare`, or `gc-run compare`) its own; both learn
/// "less", "equal" or "greater" — the garbler's value relative to the evaluator's — and
/// nothing else.
///
/// `role`: "garbler" or "evaluator". `bits` / `signed` as in `duet.compare_local`; both
/// parties must agree. Network options as in `duet.garbler`.
///
/// Raises `duet.InputError` for a bad value or option, `duet.NetworkError` if the
/// connection fails, `duet.ProtocolError` if the parties disagree on width or signedness.
#[pyfunction]
#[pyo3(signature = (value, *, role, listen = None, connect = None, key = None,
    peer_key = None, insecure = false, bits = 64, signed = true,
    timeout = 30.0, connect_timeout = 30.0))]
#[allow(clippy::too_many_arguments)]
pub fn compare(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    role: &str,
    listen: Option<String>,
    connect: Option<String>,
    key: Option<PathBuf>,
    peer_key: Option<String>,
    insecure: bool,
    bits: u32,
    signed: bool,
    timeout: f64,
    connect_timeout: f64,
) -> PyResult<&'static str> {
    let garbler = crate::arith::role(role)? == duet_hybrid::Role::Garbler;
    let spec = spec(bits, signed)?;
    let v = self::value(&spec, value, "value")?;
    let net = NetOpts::new(
        listen,
        connect,
        key,
        peer_key,
        insecure,
        timeout,
        connect_timeout,
    )?;
    let o = block_on(py, async move {
        let ch = net.open().await?;
        let opts = SessionOptions::default();
        let mut s = if garbler {
            Session::garbler(ch, opts).await?
        } else {
            Session::evaluator(ch, opts).await?
        };
        let o = cmp::compare(&mut s, v, spec).await?;
        let _ = s.into_channel().close().await;
        Ok(o)
    })?;
    Ok(ordering_word(o))
}

/// The bytes of a PSI set's items, copied out of Python (under the GIL, a memcpy each) so
/// that hashing them runs with the GIL released, the two sets of a local run in parallel.
struct ItemBytes {
    data: Vec<u8>,
    /// item i is `data[ends[i - 1]..ends[i]]` (from 0 for i = 0)
    ends: Vec<usize>,
}

impl ItemBytes {
    /// The 128-bit hash of each item ([`hash_item`]), in order.
    fn hashes(&self) -> Vec<duet_core::Block> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let h = hash_item(&self.data[start..end]);
                start = end;
                h
            })
            .collect()
    }
}

/// A PSI set: the Python items (kept to return the intersection) and their bytes. Items
/// are `str` (as UTF-8) or `bytes`; `"a"` and `b"a"` are the same item.
fn items<'py>(
    arg: &Bound<'py, PyAny>,
    what: &str,
) -> PyResult<(Vec<Bound<'py, PyAny>>, ItemBytes)> {
    let bad = || {
        PyTypeError::new_err(format!(
            "{what} must be a list of str or bytes items, got {}",
            type_name(arg)
        ))
    };
    if arg.is_instance_of::<PyString>() || arg.is_instance_of::<PyBytes>() {
        return Err(bad());
    }
    let n = arg.len().unwrap_or(0);
    let mut objs = Vec::with_capacity(n);
    let mut bytes = ItemBytes {
        data: Vec::with_capacity(n * 24),
        ends: Vec::with_capacity(n),
    };
    for (n, item) in arg.try_iter().map_err(|_| bad())?.enumerate() {
        let item = item?;
        if let Ok(s) = item.cast::<PyString>() {
            bytes.data.extend_from_slice(s.to_cow()?.as_bytes());
        } else if let Ok(b) = item.cast::<PyBytes>() {
            bytes.data.extend_from_slice(b.as_bytes());
        } else {
            return Err(PyTypeError::new_err(format!(
                "{what}[{n}] must be str or bytes, got {}",
                type_name(&item)
            )));
        }
        bytes.ends.push(bytes.data.len());
        objs.push(item);
    }
    Ok((objs, bytes))
}

/// The receiver's items at `indices`, as a list.
fn pick<'py>(
    py: Python<'py>,
    objs: &[Bound<'py, PyAny>],
    indices: &[usize],
) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, indices.iter().map(|&i| &objs[i]))
}

/// Private set intersection with both parties in this process (KKRT16 batched OPRF over an
/// in-memory channel, semi-honest).
///
/// `sender`, `receiver`: lists of items, each `str` (as UTF-8) or `bytes`; duplicates count
/// once. Returns the receiver's items that are also in the sender's set, in the receiver's
/// order (first occurrence of duplicates), as the objects given. Both set sizes are
/// revealed; up to 2^26 items per set.
///
/// Raises `TypeError` for an item that is neither `str` nor `bytes`.
#[pyfunction]
pub fn psi_local<'py>(
    py: Python<'py>,
    sender: &Bound<'py, PyAny>,
    receiver: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyList>> {
    let (_, s_items) = items(sender, "sender")?;
    let (r_objs, r_items) = items(receiver, "receiver")?;
    let out = block_on(py, async move {
        let (mut a, mut b) = duet_net::duplex_pair(&Default::default());
        // each party hashes its own set: the two run in parallel, as the CLI's do
        let st = tokio::spawn(async move {
            let s_hashes = s_items.hashes();
            psi::sender(&mut a, &s_hashes, &PsiConfig::default()).await
        });
        let r_hashes = r_items.hashes();
        let r = psi::receiver(&mut b, &r_hashes, &PsiConfig::default())
            .await
            .map_err(|e| Fail::from(e).context("PSI receiver"));
        let s = st
            .await
            .map_err(|e| Fail::protocol(format!("sender task: {e}")))?
            .map_err(|e| Fail::from(e).context("PSI sender"));
        match (s, r) {
            (Ok(_), Ok(r)) => Ok(r),
            (Err(x), Ok(_)) | (Ok(_), Err(x)) => Err(x),
            (Err(x), Err(y)) => Err(Fail::first_cause(y, x)),
        }
    })?;
    pick(py, &r_objs, &out.intersection)
}

/// The PSI sender over TCP: holds `items` and learns nothing (not even the size of the
/// intersection); the peer runs `duet.psi_receiver` (or `gc-run psi receiver`). Items and
/// network options as in `duet.psi_local` / `duet.garbler`.
///
/// Raises `duet.InputError` for bad options, `duet.NetworkError` if the connection fails,
/// `duet.ProtocolError` if the peer is not a PSI receiver or misbehaves.
#[pyfunction]
#[pyo3(signature = (items, *, listen = None, connect = None, key = None, peer_key = None,
    insecure = false, timeout = 30.0, connect_timeout = 30.0))]
#[allow(clippy::too_many_arguments)]
pub fn psi_sender(
    py: Python<'_>,
    items: &Bound<'_, PyAny>,
    listen: Option<String>,
    connect: Option<String>,
    key: Option<PathBuf>,
    peer_key: Option<String>,
    insecure: bool,
    timeout: f64,
    connect_timeout: f64,
) -> PyResult<()> {
    let (_, bytes) = self::items(items, "items")?;
    let net = NetOpts::new(
        listen,
        connect,
        key,
        peer_key,
        insecure,
        timeout,
        connect_timeout,
    )?;
    block_on(py, async move {
        let hashes = bytes.hashes();
        let mut ch = net.open().await?;
        psi::sender(&mut ch, &hashes, &PsiConfig::default())
            .await
            .map_err(|e| Fail::from(e).context("PSI sender"))?;
        let _ = ch.close().await;
        Ok(())
    })
}

/// The PSI receiver over TCP: holds `items` and learns which of them the sender (running
/// `duet.psi_sender` or `gc-run psi sender`) also holds. Returns them in the order given
/// (first occurrence of duplicates). Items, options and errors as `duet.psi_sender`.
#[pyfunction]
#[pyo3(signature = (items, *, listen = None, connect = None, key = None, peer_key = None,
    insecure = false, timeout = 30.0, connect_timeout = 30.0))]
#[allow(clippy::too_many_arguments)]
pub fn psi_receiver<'py>(
    py: Python<'py>,
    items: &Bound<'py, PyAny>,
    listen: Option<String>,
    connect: Option<String>,
    key: Option<PathBuf>,
    peer_key: Option<String>,
    insecure: bool,
    timeout: f64,
    connect_timeout: f64,
) -> PyResult<Bound<'py, PyList>> {
    let (objs, bytes) = self::items(items, "items")?;
    let net = NetOpts::new(
        listen,
        connect,
        key,
        peer_key,
        insecure,
        timeout,
        connect_timeout,
    )?;
    let out = block_on(py, async move {
        let hashes = bytes.hashes();
        let mut ch = net.open().await?;
        let o = psi::receiver(&mut ch, &hashes, &PsiConfig::default())
            .await
            .map_err(|e| Fail::from(e).context("PSI receiver"))?;
        let _ = ch.close().await;
        Ok(o)
    })?;
    pick(py, &objs, &out.intersection)
}
