//! LPN parameter sets of Ferret (primal LPN, regular noise, local linear code with `d = 10`).

use crate::{OtError, Security};

/// Non-zero entries per row of the local linear code (Ferret §6.1: `d = 10`).
pub const D: usize = 10;

/// COTs consumed per iteration by the malicious consistency check (Ferret Fig. 6): one
/// COT per bit of the GF(2^128) element `Σ χ_α`.
pub const CHECK_COTS: usize = 128;

/// One primal-LPN instance with regular noise: `n = t · 2^log_bin` outputs, noise weight `t`
/// (one noisy position per bin of `2^log_bin`), secret length `k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LpnParams {
    /// Noise weight: the number of bins, one SPCOT (one GGM tree) each.
    pub t: usize,
    /// log2 of the bin size: the depth `h` of each GGM tree.
    pub log_bin: u32,
    /// Length of the LPN secret (the COTs the linear code reads).
    pub k: usize,
}

impl LpnParams {
    /// Outputs per iteration: `t · 2^log_bin`.
    pub const fn n(&self) -> usize {
        self.t << self.log_bin
    }

    /// COTs an iteration consumes: `k` for the LPN secret, `h` per tree, and
    /// [`CHECK_COTS`] with [`Security::Malicious`].
    pub const fn consumed(&self, security: Security) -> usize {
        let check = match security {
            Security::SemiHonest => 0,
            Security::Malicious => CHECK_COTS,
        };
        self.k + self.t * self.log_bin as usize + check
    }

    fn validate(&self, what: &str) -> Result<(), OtError> {
        if self.t == 0 || self.k == 0 || !(1..=24).contains(&self.log_bin) {
            return Err(OtError::Usage(format!(
                "Ferret {what} parameters {self:?}: need t ≥ 1, k ≥ 1, 1 ≤ log_bin ≤ 24"
            )));
        }
        if self.k > u32::MAX as usize || self.t > (1 << 31) >> self.log_bin {
            return Err(OtError::Usage(format!(
                "Ferret {what} parameters {self:?}: n must stay below 2^31 and k below 2^32"
            )));
        }
        Ok(())
    }
}

/// The two instances of a Ferret session: `setup` runs once on COTs from IKNP
/// (bootstrapping), `main` on every later iteration, each on the COTs the previous
/// iteration reserved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FerretParams {
    /// The bootstrapping iteration (its `consumed` COTs come from IKNP).
    pub setup: LpnParams,
    /// Every later iteration.
    pub main: LpnParams,
}

impl FerretParams {
    /// Ferret's regular-noise parameters (Yang et al., CCS 2020, eprint 2020/924, Table 2,
    /// 128-bit computational security against the LPN attacks analysed in §6 with `d = 10`):
    /// main `n = 10,805,248 = 1,319 · 2^13`, `k = 589,760`, `t = 1,319`; setup
    /// `n = 642,048 = 2,508 · 2^8`, `k = 19,870`, `t = 2,508`.
    pub const FERRET_TABLE2: FerretParams = FerretParams {
        setup: LpnParams {
            t: 2_508,
            log_bin: 8,
            k: 19_870,
        },
        main: LpnParams {
            t: 1_319,
            log_bin: 13,
            k: 589_760,
        },
    };

    /// emp-ot's `ferret_b11` (emp-toolkit/emp-ot, `emp-ot/ferret/constants.h` before its
    /// 2024 rework; also mpz's default regular-noise set): main `n = 10,180,608 = 4,971 ·
    /// 2^11`, `k = 124,000`; setup `n = 178,944 = 699 · 2^8`, `k = 17,384`. Its LPN secret
    /// (2 MB) fits in a core's L2; it sends about 0.08 bytes per COT.
    pub const EMP_B11: FerretParams = FerretParams {
        setup: LpnParams {
            t: 699,
            log_bin: 8,
            k: 17_384,
        },
        main: LpnParams {
            t: 4_971,
            log_bin: 11,
            k: 124_000,
        },
    };

    /// emp-ot's `ferret_b12` (same source as [`FerretParams::EMP_B11`]): main
    /// `n = 10,268,672 = 2,507 · 2^12`, `k = 238,000`; setup `n = 268,800 = 1,050 · 2^8`,
    /// `k = 17,384`.
    pub const EMP_B12: FerretParams = FerretParams {
        setup: LpnParams {
            t: 1_050,
            log_bin: 8,
            k: 17_384,
        },
        main: LpnParams {
            t: 2_507,
            log_bin: 12,
            k: 238_000,
        },
    };

    /// A tiny set for tests (main `n = 10,240`, setup `n = 3,072`). **Insecure**: LPN at
    /// these sizes is easy to solve; it exercises the protocol's logic only.
    pub const INSECURE_TEST: FerretParams = FerretParams {
        setup: LpnParams {
            t: 24,
            log_bin: 7,
            k: 500,
        },
        main: LpnParams {
            t: 40,
            log_bin: 8,
            k: 2_000,
        },
    };

    /// Usable outputs of one main iteration: `n − consumed`.
    pub const fn per_iteration(&self, security: Security) -> usize {
        self.main.n() - self.main.consumed(security)
    }

    /// Check the sizes fit together: each instance is well-formed, the main iteration
    /// outputs more than it consumes, and the setup iteration outputs at least what the
    /// first main iteration consumes.
    ///
    /// # Errors
    /// [`OtError::Usage`] naming the violated condition.
    pub fn validate(&self, security: Security) -> Result<(), OtError> {
        self.setup.validate("setup")?;
        self.main.validate("main")?;
        let need = self.main.consumed(security);
        if self.main.n() <= need {
            return Err(OtError::Usage(format!(
                "Ferret main iteration outputs {} COTs but consumes {need}",
                self.main.n()
            )));
        }
        if self.setup.n() < need {
            return Err(OtError::Usage(format!(
                "Ferret setup iteration outputs {} COTs, the main one needs {need}",
                self.setup.n()
            )));
        }
        Ok(())
    }

    /// The wire encoding both parties compare in the session hello.
    pub(crate) fn to_bytes(self) -> [u8; 48] {
        let mut out = [0u8; 48];
        let fields = [
            self.setup.t as u64,
            u64::from(self.setup.log_bin),
            self.setup.k as u64,
            self.main.t as u64,
            u64::from(self.main.log_bin),
            self.main.k as u64,
        ];
        for (o, f) in out.chunks_exact_mut(8).zip(fields) {
            o.copy_from_slice(&f.to_le_bytes());
        }
        out
    }
}

impl Default for FerretParams {
    fn default() -> Self {
        FerretParams::FERRET_TABLE2
    }
}
