//! [`ProgramFile`]: the slot program of a Bristol Fashion circuit compiled into a temporary
//! file, for circuits too large to hold in memory (a 10^9-gate circuit is 12 GB as a
//! [`Circuit`](crate::Circuit) and again as a [`SlotMap`](crate::liveness::SlotMap)).
//!
//! [`ProgramFile::compile_bristol`] reads the Bristol text once and runs the three passes of
//! [`SlotMap::compute`](crate::liveness::SlotMap::compute) (see [`crate::liveness`]) with
//! the same per-op code, so the ops are **identical** to
//! `SlotMap::compute(&bristol::parse(text)?)`:
//!
//! 0. while parsing (forwards): validate every gate exactly as [`bristol::parse`] does
//!    (same [`ParseError`]s, with line numbers), hash it into the circuit digest
//!    ([`crate::digest`]), expand MAND gates into ANDs, reorder each window of
//!    [`WINDOW`] ops by AND level, and append the ops (16-byte records with 32-bit wire
//!    ids) to the file;
//! 1. backwards, a large chunk at a time, with one bit per wire ("read later?"): mark last
//!    uses and dead outputs, written back in place;
//! 2. forwards, a chunk at a time, with a wire → slot hash map of the **live** wires only, a
//!    free list and the flush stamps: turn every op into its final 12-byte [`PackedOp`],
//!    written towards the start of the same file (behind the records still to read), which
//!    is then cut to 12 bytes per op.
//!
//! **Disk**: 16 bytes per op while compiling, 12 after ([`PackedOp::BYTES`]; an n-AND MAND
//! gate is n ops), in `dir` or
//! the system's temporary directory, as an **unnamed** file (`O_TMPFILE`, or unlinked at
//! once): the space is freed when the [`ProgramFile`] and its readers are gone, even if the
//! process is killed.
//! **Memory** does not grow with the number of gates: 1 bit per wire (the wire rules of pass
//! 0, then the "read later" bits of pass 1; 10^9 wires take 119 MiB), O(peak live wires)
//! (pass 2's map, free list and stamps: at most about 40 bytes per live wire), O(`WINDOW`)
//! for the scheduler, 1–2 MiB of I/O buffers, and the operands of the gate being parsed
//! (12 bytes per AND of a MAND gate). No count the file declares is used to reserve memory.
//!
//! **Limits**: up to [`MAX_FILE_WIRES`] = 2^32 − 2 wires, so a 10^9-gate file compiles
//! (the in-memory [`Circuit`](crate::Circuit) stops at [`MAX_WIRES`](crate::MAX_WIRES) =
//! 2^29 − 1). Slots are packed in 29 bits: a circuit with more than 2^29 − 6 wires live at
//! once is refused ([`CompileError::Io`], `InvalidData`).
//!
//! [`ProgramFile::ops`] opens an independent reader ([`FileOps`], an
//! [`OpSource`]) that checks every op it reads, so garbler and evaluator can each run the
//! program from the same file in one process.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::io::{BufRead, ErrorKind};
use std::path::Path;

use thiserror::Error;

use crate::bristol::{self, GateSink, Header, ParseError, SinkError};
use crate::digest::DigestHasher;
use crate::ir::WireLimit;
use crate::liveness::passes::{self, Allocator, RAW_BYTES, RawOp, Scheduler, WireMap};
use crate::liveness::{OpSource, PackedOp, ProgramShape, WINDOW};
use crate::{CircuitError, Gate, WireCheck, WireId};

mod saved;
pub use saved::SAVED_MAGIC;

/// The most wires a compiled program may have: 32-bit wire ids, one value kept as the wire
/// map's empty marker.
pub const MAX_FILE_WIRES: u32 = u32::MAX - 1;
const FILE_LIMIT: WireLimit = WireLimit {
    max: MAX_FILE_WIRES,
    what: "more than 2^32-2 wires",
};

/// Ops per chunk of passes 1 and 2 and of a reader's block (1.5 MiB).
const CHUNK_OPS: usize = 1 << 17;
/// Capacity of the pass-0 writer.
const WRITE_BUF: usize = 1 << 20;

/// A Bristol file could not be compiled.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CompileError {
    /// The file is not a valid circuit (the same error [`bristol::parse`] gives), or the
    /// program file could not be written while parsing ([`bristol::ParseErrorKind::Write`]).
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The temporary program file could not be created, read or written after parsing.
    #[error("program file: {0}")]
    Io(#[from] io::Error),
}

/// A slot program in a temporary file (see the module docs), with the circuit's layout,
/// counts and digest.
#[derive(Debug)]
pub struct ProgramFile {
    file: File,
    /// byte offset of op 0 in `file` (0 for a compiled file, the header's length for a
    /// saved one, see [`ProgramFile::save`])
    base: u64,
    /// bytes after the last op (a saved file's checksum)
    trailer: u64,
    shape: ProgramShape,
    inputs: Vec<u32>,
    outputs: Vec<u32>,
    num_wires: u32,
    num_gates: u32,
    xor_count: u64,
    digest: [u8; 32],
}

impl ProgramFile {
    /// Compile a Bristol Fashion circuit (basic or MAND form) read from `r` into a program
    /// file in `dir` (`None`: the system's temporary directory). One pass over the text; the
    /// program is then rewritten in place twice (see the module docs for disk and memory).
    ///
    /// # Errors
    /// [`CompileError::Parse`] with exactly the [`ParseError`] of [`bristol::parse`] for an
    /// invalid file; [`CompileError::Io`] if the temporary file cannot be created, read or
    /// written (a write failure during parsing is a [`ParseError`] of kind
    /// [`Write`](bristol::ParseErrorKind::Write) on the line being parsed).
    pub fn compile_bristol<R: BufRead>(r: R, dir: Option<&Path>) -> Result<Self, CompileError> {
        let file = match dir {
            Some(d) => tempfile::tempfile_in(d)?,
            None => tempfile::tempfile()?,
        };
        let f = &file;
        let (header, digest, len, and_count, xor_count) = {
            let mut p0 = Pass0 {
                check: WireCheck::default(),
                header: None,
                digest: None,
                win: Vec::with_capacity(WINDOW),
                bytes: Vec::with_capacity(WINDOW * RAW_BYTES),
                sched: Scheduler::new(),
                out: BufWriter::with_capacity(WRITE_BUF, f),
                len: 0,
                and_count: 0,
                xor_count: 0,
            };
            bristol::parse_into(r, &mut p0)?;
            (p0.header, p0.digest, p0.len, p0.and_count, p0.xor_count)
        };
        let (Some(h), Some(digest)) = (header, digest) else {
            return Err(io::Error::other("the parser finished without a header").into());
        };
        let n_in: u32 = h.inputs.iter().sum();
        let n_out: u32 = h.outputs.iter().sum();
        // ---- pass 1 (backwards): last uses and dead outputs.
        let mut read_later = passes::read_later_at_end(h.num_wires, n_out);
        mark_file(f, len, |p| passes::mark_last_uses(p, &mut read_later))?;
        // ---- pass 2 (forwards): slots of the live wires only; 16-byte raw records become
        // 12-byte packed ops, compacted towards the start of the file.
        let mut alloc = Allocator::new(n_in, &read_later, WireMap::with_capacity(1024));
        drop(read_later);
        pack_file(f, len, |p| alloc.op(p))?;
        if !alloc.fits() {
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                "more than 2^29 - 6 wires live at once: slots do not fit a packed op",
            )
            .into());
        }
        let shape = alloc.shape(n_in, h.num_wires, n_out, len, and_count);
        Ok(ProgramFile {
            file,
            base: 0,
            trailer: 0,
            shape,
            inputs: h.inputs,
            outputs: h.outputs,
            num_wires: h.num_wires,
            num_gates: h.num_gates,
            xor_count,
            digest: digest.finish(),
        })
    }

    /// The program's shape: input and output slots, peak live wires, number of ops and
    /// of AND ops.
    pub fn shape(&self) -> &ProgramShape {
        &self.shape
    }

    /// Bit width of each input value, in header order.
    pub fn inputs(&self) -> &[u32] {
        &self.inputs
    }

    /// Bit width of each output value, in header order.
    pub fn outputs(&self) -> &[u32] {
        &self.outputs
    }

    /// Number of wires of the circuit.
    pub fn num_wires(&self) -> u32 {
        self.num_wires
    }

    /// Number of gates of the circuit (a MAND gate counts once).
    pub fn num_gates(&self) -> u32 {
        self.num_gates
    }

    /// Number of AND ops: AND gates plus every AND inside a MAND gate.
    pub fn and_count(&self) -> u64 {
        self.shape.and_count
    }

    /// Number of XOR gates.
    pub fn xor_count(&self) -> u64 {
        self.xor_count
    }

    /// The digest the parties compare in their handshake: for a program compiled from
    /// Bristol text, the circuit digest ([`crate::digest`]), equal to that of the parsed
    /// circuit; for a saved program ([`ProgramFile::open`]), the program digest of its header
    /// and ops, recomputed on open (see the `saved` module docs).
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// Number of ops (gates, with a MAND of n ANDs counted n times).
    pub fn len(&self) -> u64 {
        self.shape.len
    }

    /// True if the program has no ops.
    pub fn is_empty(&self) -> bool {
        self.shape.len == 0
    }

    /// The unnamed program file itself (for tests that damage it on purpose).
    #[doc(hidden)]
    pub fn file(&self) -> &File {
        &self.file
    }

    /// A new reader of the ops from the first, independent of any other reader.
    ///
    /// # Errors
    /// The file cannot be opened, or its size is not that of its header, `12 · len()` bytes
    /// of ops and its trailer ([`ErrorKind::InvalidData`]).
    pub fn ops(&self) -> io::Result<FileOps> {
        let f = self.file.try_clone()?;
        let size = f.metadata()?.len();
        let want = self
            .shape
            .len
            .saturating_mul(PackedOp::BYTES as u64)
            .saturating_add(self.base + self.trailer);
        if size != want {
            return Err(io::Error::new(
                ErrorKind::InvalidData,
                format!(
                    "program file has {size} bytes, expected {want} ({} ops)",
                    self.shape.len
                ),
            ));
        }
        Ok(FileOps {
            file: f,
            base: self.base,
            shape: ProgramShape {
                peak: self.shape.peak,
                len: self.shape.len,
                and_count: self.shape.and_count,
                ..ProgramShape::default()
            },
            pos: 0,
            bytes: Vec::new(),
        })
    }
}

/// A reader of a [`ProgramFile`]'s ops (from [`ProgramFile::ops`]): positional reads of up
/// to 1.5 MiB (readers share the file but not a cursor) and checks every op with
/// [`PackedOp::from_bytes`] and [`ProgramShape::check`].
#[derive(Debug)]
pub struct FileOps {
    file: File,
    /// byte offset of op 0
    base: u64,
    /// peak and len only (what `check` needs)
    shape: ProgramShape,
    /// ops read so far
    pos: u64,
    bytes: Vec<u8>,
}

impl FileOps {
    /// Number of ops read so far.
    pub fn position(&self) -> u64 {
        self.pos
    }
}

impl OpSource for FileOps {
    /// # Errors
    /// Read errors; [`ErrorKind::UnexpectedEof`] if the file ends before the program's
    /// `len` ops; [`ErrorKind::InvalidData`] naming the op index for a malformed op or a
    /// slot out of range. `buf` is left empty on error.
    fn next_chunk(&mut self, buf: &mut Vec<PackedOp>, max: usize) -> io::Result<()> {
        buf.clear();
        let left = self.shape.len - self.pos;
        let n = (max.clamp(1, CHUNK_OPS) as u64).min(left) as usize;
        if n == 0 {
            return Ok(());
        }
        self.bytes.resize(n * PackedOp::BYTES, 0);
        let at = self.base + self.pos * PackedOp::BYTES as u64;
        if let Err(e) = read_exact_at(&self.file, &mut self.bytes, at) {
            return Err(if e.kind() == ErrorKind::UnexpectedEof {
                io::Error::new(
                    ErrorKind::UnexpectedEof,
                    format!(
                        "program file ends before op {} of {}",
                        self.pos + n as u64,
                        self.shape.len
                    ),
                )
            } else {
                e
            });
        }
        buf.reserve(n);
        for (i, rec) in self.bytes.chunks_exact(PackedOp::BYTES).enumerate() {
            let rec: &[u8; PackedOp::BYTES] = rec.try_into().map_err(io::Error::other)?;
            match PackedOp::from_bytes(rec).filter(|&p| self.shape.check(p).is_some()) {
                Some(p) => buf.push(p),
                None => {
                    buf.clear();
                    return Err(io::Error::new(
                        ErrorKind::InvalidData,
                        format!(
                            "op {} of the program file is malformed or has a slot out of \
                             range (the program has {} slots)",
                            self.pos + i as u64,
                            self.shape.num_slots()
                        ),
                    ));
                }
            }
        }
        self.pos += n as u64;
        Ok(())
    }
}

/// Fill `buf` from `file` at byte offset `at`, without moving any shared cursor.
fn read_exact_at(file: &File, buf: &mut [u8], at: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
    }
    #[cfg(windows)]
    {
        let (mut done, mut buf) = (0u64, buf);
        while !buf.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(file, buf, at + done) {
                Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    buf = &mut buf[n..];
                    done += n as u64;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, buf, at);
        Err(io::Error::new(
            ErrorKind::Unsupported,
            "positional reads are not supported on this platform",
        ))
    }
}

/// Pass 0 as the parser's [`GateSink`]: the shared wire rules, the digest, the counts, and
/// the scheduled ops appended to the file a window at a time.
struct Pass0<'f> {
    check: WireCheck,
    header: Option<Header>,
    digest: Option<DigestHasher>,
    /// the current window's ops
    win: Vec<RawOp>,
    /// a window's ops as bytes
    bytes: Vec<u8>,
    sched: Scheduler,
    out: BufWriter<&'f File>,
    len: u64,
    and_count: u64,
    xor_count: u64,
}

impl Pass0<'_> {
    #[inline]
    fn op(&mut self, op: RawOp) -> io::Result<()> {
        self.and_count += passes::is_and(&op) as u64;
        self.win.push(op);
        if self.win.len() == WINDOW {
            self.flush_window()?;
        }
        Ok(())
    }

    fn flush_window(&mut self) -> io::Result<()> {
        self.sched.window(&mut self.win);
        self.bytes.clear();
        for &op in &self.win {
            self.bytes.extend_from_slice(&passes::raw_to_bytes(&op));
        }
        self.out.write_all(&self.bytes)?;
        self.len += self.win.len() as u64;
        self.win.clear();
        Ok(())
    }
}

impl GateSink for Pass0<'_> {
    fn max_wires(&self) -> u32 {
        MAX_FILE_WIRES
    }

    fn begin(&mut self, h: Header) -> Result<(), SinkError> {
        // every input wire gets its own slot (refused here, before any allocation for it)
        if h.inputs.iter().map(|&w| w as u64).sum::<u64>() > passes::MAX_INPUT_BITS as u64 {
            return Err(CircuitError::TooLarge {
                what: "more than 2^29-6 input bits",
            }
            .into());
        }
        self.check = WireCheck::new(h.num_wires, &h.inputs, &h.outputs, FILE_LIMIT)?;
        self.digest = Some(DigestHasher::new(
            h.num_wires,
            &h.inputs,
            &h.outputs,
            h.num_gates as u64,
        ));
        self.header = Some(h);
        Ok(())
    }

    fn push(&mut self, g: Gate) -> Result<(), SinkError> {
        self.check.gate(g)?;
        if let Some(d) = &mut self.digest {
            d.push(g);
        }
        self.xor_count += matches!(g, Gate::Xor { .. }) as u64;
        if let Some(op) = passes::gate_op(g) {
            self.op(op)?;
        }
        Ok(())
    }

    fn push_mand(&mut self, l: &[WireId], r: &[WireId], o: &[WireId]) -> Result<(), SinkError> {
        self.check.mand(l, r, o)?;
        if let Some(d) = &mut self.digest {
            d.push_mand(l, r, o);
        }
        for ((&a, &b), &out) in l.iter().zip(r).zip(o) {
            self.op(passes::and_op(a, b, out))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        let n_out = self.header.as_ref().map_or(0, |h| h.outputs.iter().sum());
        self.check.finish(n_out)?;
        self.check = WireCheck::default();
        if !self.win.is_empty() {
            self.flush_window()?;
        }
        self.out.flush()?;
        Ok(())
    }
}

/// Pass 1 over the raw records of the file, last to first, a chunk at a time, each
/// record rewritten in place.
fn mark_file(mut f: &File, len: u64, mut per_op: impl FnMut(&mut RawOp)) -> io::Result<()> {
    let chunk = CHUNK_OPS as u64;
    let mut buf = vec![0u8; (chunk.min(len) as usize) * RAW_BYTES];
    let n_chunks = len.div_ceil(chunk);
    for idx in (0..n_chunks).rev() {
        let start = idx * chunk;
        let n = chunk.min(len - start) as usize;
        let bytes = &mut buf[..n * RAW_BYTES];
        let at = SeekFrom::Start(start * RAW_BYTES as u64);
        f.seek(at)?;
        f.read_exact(bytes)?;
        for rec in bytes.chunks_exact_mut(RAW_BYTES).rev() {
            let mut op = passes::raw_from_bytes(rec);
            per_op(&mut op);
            rec.copy_from_slice(&passes::raw_to_bytes(&op));
        }
        f.seek(at)?;
        f.write_all(bytes)?;
    }
    f.flush()
}

/// Pass 2 over the raw records, first to last: each becomes a 12-byte [`PackedOp`] written
/// at `12 · i`, never past the raw records not read yet (at `16 · i` and beyond); the file
/// is then cut to `12 · len` bytes.
fn pack_file(mut f: &File, len: u64, mut per_op: impl FnMut(&RawOp) -> PackedOp) -> io::Result<()> {
    let chunk = CHUNK_OPS as u64;
    let mut raw = vec![0u8; (chunk.min(len) as usize) * RAW_BYTES];
    let mut packed = Vec::with_capacity((chunk.min(len) as usize) * PackedOp::BYTES);
    let mut start = 0u64;
    while start < len {
        let n = chunk.min(len - start) as usize;
        let bytes = &mut raw[..n * RAW_BYTES];
        f.seek(SeekFrom::Start(start * RAW_BYTES as u64))?;
        f.read_exact(bytes)?;
        packed.clear();
        for rec in bytes.chunks_exact(RAW_BYTES) {
            packed.extend_from_slice(&per_op(&passes::raw_from_bytes(rec)).to_bytes());
        }
        f.seek(SeekFrom::Start(start * PackedOp::BYTES as u64))?;
        f.write_all(&packed)?;
        start += n as u64;
    }
    f.flush()?;
    f.set_len(len * PackedOp::BYTES as u64)
}
