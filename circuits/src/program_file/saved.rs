//! Saved program files: [`ProgramFile::save`] keeps a compiled program so that later runs
//! skip the compilation ([`ProgramFile::open`]), e.g. `gc-run compile` once, then any
//! number of `gc-run garbler|evaluator|local` runs on the saved file.
//!
//! Layout (all integers little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 8 | [`SAVED_MAGIC`] |
//! | 4 | format version (2) |
//! | 4, 4 | wires, gates |
//! | 4 + 4·k | input value count k, then each width |
//! | 4 + 4·m | output value count m, then each width |
//! | 8, 8 | AND count, XOR count |
//! | 4, 8 | peak live wires, ops |
//! | 4 · (Σ output widths) | output slots |
//! | 12 · ops | the ops ([`PackedOp`] file form) |
//! | 32 | program digest: blake3 derive-key `"duet-gc saved program digest v2"` of everything before |
//! | 32 | checksum: blake3 of everything before |
//!
//! [`ProgramFile::open`] checks the magic, the version, every count against the file's
//! size (nothing is allocated from a count that the file cannot hold, and no value is wider
//! than [`crate::MAX_IO_BITS`]), the checksum and the program digest (one read of the whole
//! file) and the output slots; the ops are checked again as they are read.
//!
//! **The digest a saved program announces is computed from what it executes.** The digest
//! that the two parties compare in their handshake ([`ProgramFile::digest`]) is, for a saved
//! program, the *program digest*: a hash of the header and of every op, recomputed by
//! `open` and compared with the one stored. Neither the checksum nor the digest has a key
//! (there is no secret to key them with), so they cannot stop an editor who refreshes both;
//! what they guarantee is that the digest announced to the peer is the hash of the very ops
//! this party runs, so an edited program can only pass a peer's check if the peer runs the
//! same edited program. An edit that refreshes the checksum but not the digest is refused
//! at `open`. (Version 1 stored the Bristol circuit's digest instead, read and trusted: an
//! edited program with a refreshed checksum announced the original circuit while running
//! another. That digest cannot be recomputed from the ops, since compiling forgets the
//! Bristol wire numbering, so it is gone.) The price: a saved program's digest differs
//! from the Bristol circuit's, so **both parties run the saved program** (a copy of the same
//! file, or each `gc-run compile` of the same Bristol file: compilation is deterministic).

use std::fs::File;
use std::io::{self, BufReader, BufWriter, ErrorKind, Read, Write};
use std::path::Path;

use super::{CHUNK_OPS, ProgramFile, read_exact_at};
use crate::liveness::passes::MAX_INPUT_BITS;
use crate::liveness::{PackedOp, ProgramShape, RESERVED_SLOTS};

/// The first 8 bytes of a saved program file.
pub const SAVED_MAGIC: &[u8; 8] = b"DUETPRG\0";
const VERSION: u32 = 2;
/// blake3 derive-key context of the program digest.
const PROGRAM_CONTEXT: &str = "duet-gc saved program digest v2";
/// The program digest and the checksum.
const TRAILER: u64 = 64;

fn bad(what: impl Into<String>) -> io::Error {
    io::Error::new(ErrorKind::InvalidData, what.into())
}

/// Reads little-endian fields, never past `limit` bytes in all.
struct Fields<R> {
    r: R,
    read: u64,
    limit: u64,
    hash: blake3::Hasher,
    program: blake3::Hasher,
}

impl<R: Read> Fields<R> {
    fn bytes<const N: usize>(&mut self, what: &str) -> io::Result<[u8; N]> {
        if self.read + N as u64 > self.limit {
            return Err(bad(format!(
                "saved program ends inside its header ({what})"
            )));
        }
        let mut b = [0u8; N];
        self.r.read_exact(&mut b)?;
        self.hash.update(&b);
        self.program.update(&b);
        self.read += N as u64;
        Ok(b)
    }
    fn u32(&mut self, what: &str) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.bytes(what)?))
    }
    fn u64(&mut self, what: &str) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.bytes(what)?))
    }
    /// `count` u32 values, the count checked against what the file still holds.
    fn list(&mut self, count: u64, what: &str) -> io::Result<Vec<u32>> {
        if count.saturating_mul(4) > self.limit - self.read {
            return Err(bad(format!(
                "saved program: {count} {what} do not fit the file"
            )));
        }
        (0..count).map(|_| self.u32(what)).collect()
    }
}

impl ProgramFile {
    /// Whether the file at `path` starts with [`SAVED_MAGIC`] (a saved program rather than
    /// Bristol text). `false` if it cannot be read.
    pub fn is_saved(path: &Path) -> bool {
        let mut m = [0u8; 8];
        File::open(path)
            .and_then(|mut f| f.read_exact(&mut m))
            .is_ok_and(|()| &m == SAVED_MAGIC)
    }

    /// Write this program to `path` (created or truncated) in the saved layout (see the
    /// module docs): about 12 bytes per op.
    ///
    /// # Errors
    /// I/O errors writing `path` or reading the program.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
        let mut hash = blake3::Hasher::new();
        let mut program = blake3::Hasher::new_derive_key(PROGRAM_CONTEXT);
        let mut put = |w: &mut BufWriter<File>, b: &[u8]| -> io::Result<()> {
            hash.update(b);
            program.update(b);
            w.write_all(b)
        };
        let s = &self.shape;
        put(&mut w, SAVED_MAGIC)?;
        put(&mut w, &VERSION.to_le_bytes())?;
        put(&mut w, &self.num_wires.to_le_bytes())?;
        put(&mut w, &self.num_gates.to_le_bytes())?;
        for list in [&self.inputs, &self.outputs] {
            put(&mut w, &(list.len() as u32).to_le_bytes())?;
            for x in list.iter() {
                put(&mut w, &x.to_le_bytes())?;
            }
        }
        put(&mut w, &s.and_count.to_le_bytes())?;
        put(&mut w, &self.xor_count.to_le_bytes())?;
        put(&mut w, &s.peak.to_le_bytes())?;
        put(&mut w, &s.len.to_le_bytes())?;
        for x in &s.output_slots {
            put(&mut w, &x.to_le_bytes())?;
        }
        let mut buf = vec![0u8; CHUNK_OPS * PackedOp::BYTES];
        let mut at = 0u64;
        let end = s.len * PackedOp::BYTES as u64;
        while at < end {
            let n = (end - at).min(buf.len() as u64) as usize;
            read_exact_at(&self.file, &mut buf[..n], self.base + at)?;
            put(&mut w, &buf[..n])?;
            at += n as u64;
        }
        let digest = program.finalize();
        hash.update(digest.as_bytes());
        w.write_all(digest.as_bytes())?;
        let sum = hash.finalize();
        w.write_all(sum.as_bytes())?;
        w.into_inner().map_err(io::Error::from)?.sync_all()
    }

    /// Open a program saved by [`ProgramFile::save`], checking it whole (see the module
    /// docs) before returning it; the ops are read from `path` as runs go.
    ///
    /// # Errors
    /// I/O errors; [`ErrorKind::InvalidData`] naming what is wrong for a file that is not a
    /// saved program, of another version, truncated or extended, with a count that does not
    /// fit, a checksum that differs, or an output slot out of range.
    pub fn open(path: &Path) -> io::Result<ProgramFile> {
        let file = File::open(path)?;
        let size = file.metadata()?.len();
        let Some(limit) = size.checked_sub(TRAILER) else {
            return Err(bad("not a saved program (too short)"));
        };
        let mut f = Fields {
            r: BufReader::with_capacity(1 << 20, file.try_clone()?),
            read: 0,
            limit,
            hash: blake3::Hasher::new(),
            program: blake3::Hasher::new_derive_key(PROGRAM_CONTEXT),
        };
        if &f.bytes::<8>("magic")? != SAVED_MAGIC {
            return Err(bad("not a saved program (no DUETPRG magic)"));
        }
        let version = f.u32("version")?;
        if version != VERSION {
            return Err(bad(format!(
                "saved program of format version {version}; this build reads version \
                 {VERSION} (compile it again with `gc-run compile`)"
            )));
        }
        let num_wires = f.u32("wires")?;
        let num_gates = f.u32("gates")?;
        let k = f.u32("input count")? as u64;
        let inputs = f.list(k, "input widths")?;
        let m = f.u32("output count")? as u64;
        let outputs = f.list(m, "output widths")?;
        let and_count = f.u64("AND count")?;
        let xor_count = f.u64("XOR count")?;
        let peak = f.u32("peak")?;
        let len = f.u64("op count")?;
        let n_out: u64 = outputs.iter().map(|&w| w as u64).sum();
        let output_slots = f.list(n_out, "output slots")?;
        let base = f.read;
        if len.checked_mul(PackedOp::BYTES as u64) != Some(limit - base) {
            return Err(bad(format!(
                "saved program: {} bytes after the header for {len} ops",
                limit - base
            )));
        }
        let n_in: u64 = inputs.iter().map(|&w| w as u64).sum();
        if n_in > crate::MAX_IO_BITS as u64 || n_out > crate::MAX_IO_BITS as u64 {
            return Err(bad(format!(
                "saved program: {n_in} input and {n_out} output bits; at most 2^24 each (a \
                 wider value could never be sent)"
            )));
        }
        // live wires are wires, and slots fit a packed op (29 bits)
        let max_peak = num_wires.min(MAX_INPUT_BITS) as u64;
        if n_in > max_peak || peak as u64 > max_peak || and_count > len {
            return Err(bad("saved program: counts out of range"));
        }
        let shape = ProgramShape {
            input_slots: (RESERVED_SLOTS..RESERVED_SLOTS + n_in as u32).collect(),
            output_slots,
            peak,
            len,
            and_count,
        };
        shape
            .validate()
            .map_err(|e| bad(format!("saved program: {e}")))?;
        // the checksum and the program digest over the ops too, and every op checked (so
        // that a bad op is refused here, as a bad file, not halfway through a run)
        let mut buf = vec![0u8; CHUNK_OPS * PackedOp::BYTES];
        let mut left = limit - base;
        let (mut index, mut bad_op) = (0u64, None);
        while left > 0 {
            let n = left.min(buf.len() as u64) as usize;
            f.r.read_exact(&mut buf[..n])?;
            f.hash.update(&buf[..n]);
            f.program.update(&buf[..n]);
            for rec in buf[..n].chunks_exact(PackedOp::BYTES) {
                let ok = rec
                    .try_into()
                    .ok()
                    .and_then(PackedOp::from_bytes)
                    .is_some_and(|p| shape.check(p).is_some());
                if !ok && bad_op.is_none() {
                    bad_op = Some(index);
                }
                index += 1;
            }
            left -= n as u64;
        }
        let mut stored = [0u8; 32];
        f.r.read_exact(&mut stored)?;
        f.hash.update(&stored);
        let mut sum = [0u8; 32];
        f.r.read_exact(&mut sum)?;
        if f.hash.finalize() != blake3::Hash::from_bytes(sum) {
            return Err(bad(
                "saved program: checksum mismatch (the file is damaged)",
            ));
        }
        let digest = *f.program.finalize().as_bytes();
        if blake3::Hash::from_bytes(digest) != blake3::Hash::from_bytes(stored) {
            return Err(bad(
                "saved program: its digest does not match its ops (the program was edited \
                 after `gc-run compile`); refusing to announce a circuit it would not run",
            ));
        }
        if let Some(i) = bad_op {
            return Err(bad(format!(
                "saved program: op {i} is malformed or has a slot out of range (the program \
                 has {} slots)",
                shape.num_slots()
            )));
        }
        Ok(ProgramFile {
            file,
            base,
            trailer: TRAILER,
            shape,
            inputs,
            outputs,
            num_wires,
            num_gates,
            xor_count,
            digest,
        })
    }
}
