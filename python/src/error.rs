//! Errors: every failure is a [`Fail`] of one of three classes, raised in Python as the
//! exceptions of `duet/_errors.py` with the Rust message on one line:
//!
//! - `duet.InputError` (also a `ValueError`): the caller's mistake — an unknown circuit or a
//!   malformed file, a missing, unknown or doubly-given input, a value that does not fit its
//!   width, a bad option;
//! - `duet.ProtocolError`: the run failed — the peer misbehaved, or the two parties disagree
//!   (another circuit, the same role, other options);
//! - `duet.NetworkError` (a `ProtocolError` and a `ConnectionError`): the connection failed
//!   — no peer to connect to, the peer closed the connection, a timeout.

use std::fmt::Display;

use duet::compare::CompareError;
use duet::psi::PsiError;
use duet_gc::ProtocolError;
use duet_net::NetError;
use duet_ot::OtError;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyType;

/// Which Python exception a failure becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `duet.InputError`
    Input,
    /// `duet.ProtocolError`
    Protocol,
    /// `duet.NetworkError`
    Network,
}

/// A failure with its class and one-line message.
#[derive(Debug)]
pub struct Fail {
    /// the exception class
    pub class: Class,
    /// the message (one line)
    pub msg: String,
}

/// Shorthand for results of the binding's internals.
pub type Result<T, E = Fail> = std::result::Result<T, E>;

impl Fail {
    /// A bad input or option (`duet.InputError`).
    pub fn input(msg: impl Display) -> Fail {
        Fail::new(Class::Input, msg)
    }

    /// A protocol failure (`duet.ProtocolError`).
    pub fn protocol(msg: impl Display) -> Fail {
        Fail::new(Class::Protocol, msg)
    }

    /// A failure of the given class; line breaks become spaces.
    pub fn new(class: Class, msg: impl Display) -> Fail {
        Fail {
            class,
            msg: msg.to_string().replace(['\n', '\r'], " "),
        }
    }

    /// The same failure with `prefix: ` in front of its message.
    pub fn context(self, prefix: impl Display) -> Fail {
        Fail {
            class: self.class,
            msg: format!("{prefix}: {}", self.msg),
        }
    }

    /// True if this is the other party's "the connection went away" that follows a failure
    /// detected on the first party (for choosing which of two errors to report).
    fn is_consequence(&self) -> bool {
        (self.class == Class::Network
            && (self.msg.contains("peer closed the connection") || self.msg.contains("timed out")))
            || self.msg.contains("the peer aborted the run")
    }

    /// Of the errors of the two parties of a one-process run, the one to report: the one of
    /// the party that detected the problem, not the other's "peer closed the connection".
    pub fn first_cause(a: Fail, b: Fail) -> Fail {
        if a.is_consequence() && !b.is_consequence() {
            b
        } else {
            a
        }
    }
}

/// The class of a channel error: all of them are the connection's failures, but a peer
/// that sends malformed frames misbehaves (a protocol error).
fn net_class(e: &NetError) -> Class {
    match e {
        NetError::Malformed(_) | NetError::FrameTooLarge { .. } => Class::Protocol,
        _ => Class::Network,
    }
}

impl From<NetError> for Fail {
    fn from(e: NetError) -> Fail {
        Fail::new(net_class(&e), e)
    }
}

impl From<ProtocolError> for Fail {
    fn from(e: ProtocolError) -> Fail {
        let class = match &e {
            ProtocolError::Usage(_) => Class::Input,
            ProtocolError::Net(n) => net_class(n),
            ProtocolError::Ot(OtError::Net(n)) => net_class(n),
            _ => Class::Protocol,
        };
        Fail::new(class, e)
    }
}

impl From<CompareError> for Fail {
    fn from(e: CompareError) -> Fail {
        match e {
            CompareError::Range { .. } | CompareError::Parse(_) | CompareError::Bits(_) => {
                Fail::input(e)
            }
            CompareError::Protocol(p) => p.into(),
            CompareError::Net(n) => n.into(),
            e => Fail::protocol(e),
        }
    }
}

impl From<PsiError> for Fail {
    fn from(e: PsiError) -> Fail {
        let class = match &e {
            PsiError::Net(n) => net_class(n),
            PsiError::Ot(OtError::Net(n)) => net_class(n),
            PsiError::Config(_) => Class::Input,
            PsiError::TooLarge { whose, .. } if *whose == "our" => Class::Input,
            _ => Class::Protocol,
        };
        Fail::new(class, e)
    }
}

impl From<duet_hybrid::Error> for Fail {
    fn from(e: duet_hybrid::Error) -> Fail {
        use duet_hybrid::Error as E;
        let class = match &e {
            E::Io { .. } | E::Parse { .. } | E::Info(_) | E::Malformed(_) | E::Input(_) => {
                Class::Input
            }
            E::Net(n) => net_class(n),
            E::Ot(OtError::Net(n)) => net_class(n),
            _ => Class::Protocol,
        };
        Fail::new(class, e)
    }
}

/// The Python class for `class`, from `duet._errors`.
fn py_class<'py>(py: Python<'py>, class: Class) -> PyResult<Bound<'py, PyType>> {
    let name = match class {
        Class::Input => "InputError",
        Class::Protocol => "ProtocolError",
        Class::Network => "NetworkError",
    };
    let m = py.import("duet._errors")?;
    Ok(m.getattr(name)?.cast_into::<PyType>()?)
}

impl From<Fail> for PyErr {
    fn from(f: Fail) -> PyErr {
        Python::attach(|py| match py_class(py, f.class) {
            Ok(ty) => PyErr::from_type(ty, (f.msg,)),
            Err(e) => PyRuntimeError::new_err(format!("{} (and duet._errors: {e})", f.msg)),
        })
    }
}
