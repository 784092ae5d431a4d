//! [`WireCheck`]: the wire rules of a circuit, shared by [`Circuit`](super::Circuit) and the
//! streaming compiler.

use super::{CircuitError, Gate, MAX_IO_BITS, MAX_WIRES, SPARE_WIRES, WireId};

/// The wire rules of a circuit, checked gate by gate with one bit per wire: every wire in
/// range, read only after it is defined (inputs count as defined), assigned once, and every
/// output wire assigned at the end. Shared by [`Circuit`] and the streaming compiler
/// (`crate::program_file`), which must reject exactly the same files.
/// The most wires a reader of circuits takes, and how its refusal reads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WireLimit {
    pub(crate) max: u32,
    pub(crate) what: &'static str,
}

impl WireLimit {
    /// The in-memory IR's ([`MAX_WIRES`]: wire ids share their word with the gate kind).
    pub(crate) const MEMORY: WireLimit = WireLimit {
        max: MAX_WIRES,
        what: "more than 2^29-1 wires",
    };
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct WireCheck {
    num_wires: u32,
    /// one bit per wire: defined yet?
    defined: Vec<u64>,
    /// input wires plus wires assigned so far
    used: u64,
}

impl WireCheck {
    /// The rules of a circuit with this header, the input wires defined.
    ///
    /// # Errors
    /// As [`Circuit::new`]: [`CircuitError::TooLarge`] past the reader's `limit`
    /// ([`WireLimit::MEMORY`] for a [`Circuit`]), [`CircuitError::BadLayout`] if the inputs
    /// or the outputs need more wires than there are.
    pub(crate) fn new(
        num_wires: u32,
        inputs: &[u32],
        outputs: &[u32],
        limit: WireLimit,
    ) -> Result<Self, CircuitError> {
        if num_wires > limit.max {
            return Err(CircuitError::TooLarge { what: limit.what });
        }
        let ib: u64 = inputs.iter().map(|&x| x as u64).sum();
        let ob: u64 = outputs.iter().map(|&x| x as u64).sum();
        for (what, bits) in [("inputs", ib), ("outputs", ob)] {
            if bits > MAX_IO_BITS as u64 {
                return Err(CircuitError::TooWide { what, bits });
            }
        }
        if ib > num_wires as u64 || ob > num_wires as u64 {
            return Err(CircuitError::BadLayout {
                inputs: ib,
                outputs: ob,
                num_wires,
            });
        }
        let mut defined = vec![0u64; (num_wires as usize).div_ceil(64)];
        for w in 0..ib as usize {
            defined[w / 64] |= 1 << (w % 64);
        }
        Ok(WireCheck {
            num_wires,
            defined,
            used: ib,
        })
    }

    #[inline]
    fn read(&self, w: WireId) -> Result<(), CircuitError> {
        if w >= self.num_wires {
            return Err(CircuitError::WireOutOfRange {
                wire: w,
                num_wires: self.num_wires,
            });
        }
        if self.defined[w as usize / 64] >> (w % 64) & 1 == 0 {
            return Err(CircuitError::UsedBeforeDefined { wire: w });
        }
        Ok(())
    }

    #[inline]
    fn write(&mut self, w: WireId) -> Result<(), CircuitError> {
        if w >= self.num_wires {
            return Err(CircuitError::WireOutOfRange {
                wire: w,
                num_wires: self.num_wires,
            });
        }
        let word = &mut self.defined[w as usize / 64];
        if *word >> (w % 64) & 1 == 1 {
            return Err(CircuitError::AssignedTwice { wire: w });
        }
        *word |= 1 << (w % 64);
        self.used += 1;
        Ok(())
    }

    /// Check a non-MAND gate and mark its output defined.
    ///
    /// # Errors
    /// Wire out of range, used before defined, or assigned twice (nothing is marked then);
    /// [`CircuitError::TooLarge`] for a [`Gate::Mand`] (use [`WireCheck::mand`]).
    #[inline]
    pub(crate) fn gate(&mut self, g: Gate) -> Result<(), CircuitError> {
        match g {
            Gate::Xor { a, b, out } | Gate::And { a, b, out } => {
                self.read(a)?;
                self.read(b)?;
                self.write(out)
            }
            Gate::Inv { a, out } | Gate::Eqw { a, out } => {
                self.read(a)?;
                self.write(out)
            }
            Gate::Eq { out, .. } => self.write(out),
            Gate::Mand { .. } => Err(CircuitError::TooLarge {
                what: "use push_mand for MAND gates",
            }),
        }
    }

    /// Check a MAND gate (`outs[k] := lefts[k] AND rights[k]`) and mark its outputs
    /// defined. All reads are checked before any write.
    ///
    /// # Errors
    /// [`CircuitError::EmptyMand`] for n = 0, [`CircuitError::BadLayout`] for lengths that
    /// differ, otherwise as [`WireCheck::gate`]; on error nothing is marked.
    pub(crate) fn mand(
        &mut self,
        lefts: &[WireId],
        rights: &[WireId],
        outs: &[WireId],
    ) -> Result<(), CircuitError> {
        let n = lefts.len();
        if n == 0 {
            return Err(CircuitError::EmptyMand);
        }
        if rights.len() != n || outs.len() != n {
            return Err(CircuitError::BadLayout {
                inputs: (lefts.len() + rights.len()) as u64,
                outputs: outs.len() as u64,
                num_wires: self.num_wires,
            });
        }
        for &w in lefts.iter().chain(rights) {
            self.read(w)?;
        }
        for (k, &w) in outs.iter().enumerate() {
            if let Err(e) = self.write(w) {
                for &u in &outs[..k] {
                    self.defined[u as usize / 64] &= !(1 << (u % 64));
                }
                self.used -= k as u64;
                return Err(e);
            }
        }
        Ok(())
    }

    /// For a circuit held in memory (whose statistics and evaluation take memory per
    /// wire): check that the wire count is not far beyond the wires used, at most twice the
    /// used ones plus [`SPARE_WIRES`]. (The streaming compiler takes sparse wire numbers:
    /// its memory does not grow with the wire count.)
    ///
    /// # Errors
    /// [`CircuitError::UnusedWires`].
    pub(crate) fn check_used(&self) -> Result<(), CircuitError> {
        if self.num_wires as u64 > 2 * self.used + SPARE_WIRES {
            return Err(CircuitError::UnusedWires {
                num_wires: self.num_wires,
                used: self.used,
            });
        }
        Ok(())
    }

    /// Check that the last `output_bits` wires are all assigned.
    ///
    /// # Errors
    /// [`CircuitError::OutputUndefined`] naming the first unassigned output wire.
    pub(crate) fn finish(&self, output_bits: u32) -> Result<(), CircuitError> {
        for w in (self.num_wires - output_bits)..self.num_wires {
            if self.defined[w as usize / 64] >> (w % 64) & 1 == 0 {
                return Err(CircuitError::OutputUndefined { wire: w });
            }
        }
        Ok(())
    }

    /// Heap bytes (one bit per wire, rounded up to 64).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.defined.capacity() * 8
    }
}
