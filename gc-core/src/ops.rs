//! Where the [`crate::Garbler`]'s and [`crate::Evaluator`]'s ops come from: a slot program
//! held in memory ([`SlotMap`]), or an [`OpSource`] read chunk by chunk (a program compiled
//! to a file, for circuits too large to hold: memory is then one chunk of
//! [`STREAM_CHUNK_OPS`] ops, not the program).

use crate::GcError;
use crate::exec::check_ops;
use duet_circuits::liveness::{OpSource, PackedOp, ProgramShape, SlotMap};

/// Ops read from an [`OpSource`] at a time: 32 Ki ops = 384 KiB, up to 64 Ki table blocks.
pub const STREAM_CHUNK_OPS: usize = 1 << 15;

/// A cursor over the ops of one run.
pub(crate) struct Ops<'p> {
    /// the whole program (in-memory programs; empty when streaming)
    mem: &'p [PackedOp],
    src: Option<Box<dyn OpSource + 'p>>,
    /// the current chunk of a streamed program
    buf: Vec<PackedOp>,
    /// index of the next op in the current chunk (or in `mem`)
    pub(crate) pos: usize,
    /// ops read from `src` so far
    read: u64,
}

impl<'p> Ops<'p> {
    /// The ops of an in-memory program, each checked against its shape (the executor's
    /// unchecked XOR loop rests on this check, not on how the program was built).
    ///
    /// # Errors
    /// [`GcError::Program`] naming the first op with a slot outside the program's slots.
    pub(crate) fn memory(prog: &'p SlotMap) -> Result<Self, GcError> {
        let mem = prog.packed();
        let slots = prog.shape().num_slots();
        if let Some(i) = check_ops(mem, slots) {
            return Err(GcError::Program {
                at: i as u64,
                what: format!("a slot outside the program's {slots} slots"),
            });
        }
        Ok(Ops::checked_unchecked(mem))
    }

    /// The ops of a [`CheckedProgram`] (checked when it was made).
    pub(crate) fn checked(prog: &'p CheckedProgram) -> Self {
        Ops::checked_unchecked(prog.packed())
    }

    fn checked_unchecked(mem: &'p [PackedOp]) -> Self {
        Ops {
            mem,
            src: None,
            buf: Vec::new(),
            pos: 0,
            read: 0,
        }
    }

    pub(crate) fn streamed(src: Box<dyn OpSource + 'p>) -> Self {
        Ops {
            mem: &[],
            src: Some(src),
            buf: Vec::new(),
            pos: 0,
            read: 0,
        }
    }

    /// Move the current chunk out of the cursor, so that an executor can run it while it
    /// mutates itself; give it back with [`Ops::put`]. The ops to run are
    /// `Ops::slice(&chunk)[self.pos..]`.
    #[inline]
    pub(crate) fn take(&mut self) -> Vec<PackedOp> {
        std::mem::take(&mut self.buf)
    }

    /// The ops of the current chunk: `chunk` (from [`Ops::take`]) when streaming, else
    /// the whole in-memory program.
    #[inline]
    pub(crate) fn slice<'a>(&self, chunk: &'a [PackedOp]) -> &'a [PackedOp]
    where
        'p: 'a,
    {
        if self.src.is_some() { chunk } else { self.mem }
    }

    #[inline]
    pub(crate) fn put(&mut self, chunk: Vec<PackedOp>) {
        self.buf = chunk;
    }

    /// Load the next chunk once the current one is done. Returns `false` at the end of the
    /// program (always, for an in-memory program).
    ///
    /// # Errors
    /// [`GcError::Program`] for a read error, an op whose slots are outside `shape`, or a
    /// program with more or fewer ops than `shape.len`.
    pub(crate) fn refill(&mut self, shape: &ProgramShape) -> Result<bool, GcError> {
        let Some(src) = self.src.as_mut() else {
            return Ok(false);
        };
        let err = |read: u64, what: String| GcError::Program { at: read, what };
        let left = shape.len - self.read;
        let max = (left as usize).clamp(1, STREAM_CHUNK_OPS);
        src.next_chunk(&mut self.buf, max)
            .map_err(|e| err(self.read, e.to_string()))?;
        self.pos = 0;
        if self.buf.len() as u64 > left {
            return Err(err(
                self.read,
                format!("more ops than the program's {}", shape.len),
            ));
        }
        if self.buf.is_empty() && left > 0 {
            return Err(err(
                self.read,
                format!("the program ended after {} of {} ops", self.read, shape.len),
            ));
        }
        if let Some(i) = check_ops(&self.buf, shape.num_slots()) {
            return Err(err(
                self.read + i as u64,
                format!("a slot outside the program's {} slots", shape.num_slots()),
            ));
        }
        self.read += self.buf.len() as u64;
        Ok(!self.buf.is_empty())
    }
}

/// A slot program held in memory whose every op has been checked against its label array
/// once, when it was made: the executor runs it without checking it again (an in-memory
/// [`SlotMap`] given to [`crate::Garbler::new`] is checked on every run instead, a pass
/// over its ops that costs about a tenth of a small circuit's garbling).
#[derive(Debug)]
pub struct CheckedProgram {
    map: SlotMap,
}

impl CheckedProgram {
    /// Check `map`'s ops against its shape.
    ///
    /// # Errors
    /// [`GcError::Program`] naming the first op with a slot outside the program's slots.
    pub fn new(map: SlotMap) -> Result<CheckedProgram, GcError> {
        map.shape()
            .validate()
            .map_err(|what| GcError::Program { at: 0, what })?;
        let slots = map.shape().num_slots();
        if let Some(i) = check_ops(map.packed(), slots) {
            return Err(GcError::Program {
                at: i as u64,
                what: format!("a slot outside the program's {slots} slots"),
            });
        }
        Ok(CheckedProgram { map })
    }
}

impl std::ops::Deref for CheckedProgram {
    type Target = SlotMap;
    fn deref(&self) -> &SlotMap {
        &self.map
    }
}
