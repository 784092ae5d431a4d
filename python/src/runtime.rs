//! Running a protocol from Python: on a fresh tokio runtime (two worker threads: the two
//! parties of a one-process run overlap), with the GIL released, waking every 100 ms to
//! let Python handle signals (Ctrl-C aborts the run with `KeyboardInterrupt`).
//!
//! A runtime per call costs well under a millisecond and keeps the module safe to use
//! after `fork` (a runtime's threads do not survive one).

use std::future::Future;
use std::time::Duration;

use pyo3::prelude::*;

use crate::error::{Fail, Result};

/// How often a running protocol lets Python check for signals.
const SIGNAL_POLL: Duration = Duration::from_millis(100);

/// Run `fut` to completion with the GIL released; its error becomes the matching `duet`
/// exception. A pending signal (e.g. `KeyboardInterrupt`) aborts the run and is raised.
pub fn block_on<F, T>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Fail::protocol(format!("cannot start the tokio runtime: {e}")))?;
    let mut task = rt.spawn(fut);
    loop {
        let polled =
            py.detach(|| rt.block_on(async { tokio::time::timeout(SIGNAL_POLL, &mut task).await }));
        match polled {
            Ok(Ok(result)) => {
                py.detach(move || drop(rt));
                return result.map_err(PyErr::from);
            }
            Ok(Err(join)) => {
                return Err(Fail::protocol(format!("the protocol task failed: {join}")).into());
            }
            Err(_elapsed) => {
                if let Err(signal) = py.check_signals() {
                    task.abort();
                    rt.shutdown_background();
                    return Err(signal);
                }
            }
        }
    }
}
