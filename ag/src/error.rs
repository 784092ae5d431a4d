//! Errors of authenticated garbling.

use thiserror::Error;

/// Which check of the protocol detected a cheating (or broken) peer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Check {
    /// The leaky-AND equality check (KRRW18 Fig. 5, `F_eq`).
    LeakyAnd,
    /// The MACs of values opened during preprocessing (bucketing, Beaver reconciliation).
    OpenedMacs,
    /// The coin toss (the peer's opening did not match its commitment).
    CoinToss,
    /// The MACs of the mask shares sent for input processing (WRK17 Fig. 10 step 2).
    InputMacs,
    /// The MAC of a decrypted garbled row (WRK17 Fig. 10 step 4).
    GarbledRow,
    /// The output authentication (WRK17 Fig. 10 step 5 and its mirror to the garbler).
    Output,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Check::LeakyAnd => "leaky-AND triple check",
            Check::OpenedMacs => "MAC check of opened preprocessing values",
            Check::CoinToss => "coin-toss opening",
            Check::InputMacs => "MAC check of input mask shares",
            Check::GarbledRow => "garbled-row MAC check",
            Check::Output => "output authentication",
        })
    }
}

/// An error of an authenticated-garbling run. After any error the connection must be dropped.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum AgError {
    /// The channel failed.
    #[error(transparent)]
    Net(#[from] duet_net::NetError),
    /// The COT source failed.
    #[error(transparent)]
    Ot(#[from] duet_ot::OtError),
    /// The peer deviated from the protocol: `check` failed. The run is aborted and no output
    /// is returned.
    #[error("peer cheating detected: {check} failed{detail}")]
    Cheat {
        /// The failed check.
        check: Check,
        /// Where (e.g. " at AND gate 12"), or empty.
        detail: String,
    },
    /// The handshake failed (another protocol, security level, circuit or role).
    #[error("handshake: {0}")]
    Handshake(String),
    /// Local misuse (wrong input widths, a circuit too large).
    #[error("{0}")]
    Usage(String),
}

impl AgError {
    pub(crate) fn cheat(check: Check) -> AgError {
        AgError::Cheat {
            check,
            detail: String::new(),
        }
    }

    /// The failed check, if this error is a detected cheat.
    pub fn failed_check(&self) -> Option<Check> {
        match self {
            AgError::Cheat { check, .. } => Some(*check),
            _ => None,
        }
    }
}
