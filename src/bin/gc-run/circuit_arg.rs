//! The CIRCUIT argument (a file path or a built-in name) and hex input values, shared by every
//! command that runs a circuit.

use anyhow::Result;
use duet_circuits::bristol::ParseErrorKind;
use duet_circuits::library::LoadError;
use duet_circuits::program_file::{CompileError, ProgramFile};
use duet_circuits::{Bits, Circuit, library, values};
use duet_gc::Prepared;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::time::Instant;
use tracing::info;

use crate::common::usage;

/// Help text for the CIRCUIT argument.
pub const CIRCUIT_HELP: &str = "Bristol Fashion circuit: a file path, or the name of a built-in \
circuit (adder64, sub64, neg64, mult64, zero_equal, aes_128, sha256, Keccak_f). A file that \
exists wins over a built-in name.";

/// Load CIRCUIT (path or built-in name). Every failure is a usage error (exit 2) on one line,
/// naming the file and line for a malformed file, or listing the built-in names.
pub fn load_circuit(spec: &str) -> Result<Circuit> {
    library::load(spec).map_err(|e| usage(e.to_string()))
}

/// Files larger than this are streamed by the two-party commands even without `--stream`.
pub const STREAM_THRESHOLD: u64 = 256 << 20;

/// A circuit as loaded by [`load_any`].
pub enum Loaded {
    /// parsed into memory
    Memory(Circuit),
    /// a slot-program file, compiled now or saved by `gc-run compile`
    File(ProgramFile),
}

impl Loaded {
    /// Width in bits of each input value.
    pub fn inputs(&self) -> &[u32] {
        match self {
            Loaded::Memory(c) => c.inputs(),
            Loaded::File(f) => f.inputs(),
        }
    }
}

/// Prepare CIRCUIT for two-party runs ([`load_any`]).
pub fn load_prepared(spec: &str, stream: bool) -> Result<Prepared> {
    Ok(match load_any(spec, stream)? {
        Loaded::Memory(c) => Prepared::new(c),
        Loaded::File(f) => Prepared::from_file(f),
    })
}

/// Load CIRCUIT: a saved program (`gc-run compile`) is opened (checked whole) and
/// streamed; otherwise in memory, or — with `stream`, or for a file over
/// [`STREAM_THRESHOLD`] bytes — compiled to a slot-program file in the temporary directory
/// (`$TMPDIR`, 12 bytes per gate, 16 while compiling; unnamed: freed at exit even if
/// killed) that the run reads chunk by chunk, so memory does not grow with the circuit. Errors as [`load_circuit`]; a program file that
/// cannot be written is exit 1, naming the directory.
pub fn load_any(spec: &str, stream: bool) -> Result<Loaded> {
    let path = Path::new(spec);
    if path.is_file() && ProgramFile::is_saved(path) {
        let t = Instant::now();
        let file = ProgramFile::open(path).map_err(|e| usage(format!("{spec}: {e}")))?;
        info!("{spec}: saved program checked in {:.2?}", t.elapsed());
        return Ok(Loaded::File(file));
    }
    let big = path
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() > STREAM_THRESHOLD);
    if !(stream || big) || !path.is_file() {
        if stream && !path.exists() {
            info!("{spec}: a built-in circuit, held in memory (--stream is for files)");
        }
        return match library::load(spec) {
            Ok(c) => Ok(Loaded::Memory(c)),
            Err(LoadError::Parse { origin, source })
                if matches!(source.kind, ParseErrorKind::TooManyWires { .. }) =>
            {
                Err(usage(format!(
                    "{origin}: {source} in memory; --stream takes up to 2^32 - 2"
                )))
            }
            Err(e) => Err(usage(e.to_string())),
        };
    }
    let t = Instant::now();
    let file = compile_file(path)?;
    info!(
        "{spec}: compiled to a slot-program file in {:.2?} ({} ops, peak {} live wires)",
        t.elapsed(),
        file.shape().len,
        file.shape().peak
    );
    Ok(Loaded::File(file))
}

/// Compile the Bristol file at `path` into a slot-program file in the temporary directory.
///
/// A malformed or unreadable circuit is a usage error (exit 2) naming the file and line; a
/// program file that cannot be written (also mid-parse) is exit 1 naming the directory.
pub fn compile_file(path: &Path) -> Result<ProgramFile> {
    let spec = path.display();
    let f = File::open(path).map_err(|e| usage(format!("{spec}: {e}")))?;
    let no_room = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "{spec}: cannot write the slot-program file in {} ($TMPDIR): {e}",
            std::env::temp_dir().display()
        )
    };
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let name = path
        .file_name()
        .map_or(spec.to_string(), |n| n.to_string_lossy().into_owned());
    let reader = crate::progress::ReadProgress::new(f, len, &format!("compiling {name}"));
    let mut buffered = BufReader::with_capacity(1 << 20, reader);
    let r = ProgramFile::compile_bristol(&mut buffered, None);
    buffered.get_ref().finish();
    r.map_err(|e| match e {
        CompileError::Io(e) => no_room(&e),
        CompileError::Parse(e) if matches!(e.kind, ParseErrorKind::Write(_)) => no_room(&e),
        e => usage(format!("{spec}: {e}")),
    })
}

/// Parse the value for input value `index` of a circuit with input widths `widths`
/// (SOURCES.md convention: big-endian hex, wire k of the value = bit k), under the strict
/// rules of [`values::parse_value`]: bare hex of exactly the width's digit count, `0x…` hex
/// numbers, `d:…` decimal.
///
/// A usage error (exit 2) names the input and its width if the index does not exist, the
/// string is not hex, or the value is too wide.
pub fn parse_input(widths: &[u32], index: usize, hex: &str) -> Result<Bits> {
    let Some(&width) = widths.get(index) else {
        return Err(usage(format!(
            "input {index} does not exist: the circuit has {} input value(s) (0..{})",
            widths.len(),
            widths.len().saturating_sub(1)
        )));
    };
    values::parse_value(hex, width).map_err(|e| {
        usage(format!(
            "input {index} (`{}`, {width} bits): {e}",
            shorten(hex)
        ))
    })
}

/// Parse one hex value per input value, in order. Exit 2 if the count is wrong.
pub fn parse_all_inputs(widths: &[u32], hex: &[String]) -> Result<Vec<Bits>> {
    if hex.len() != widths.len() {
        let list: Vec<String> = widths.iter().map(|w| format!("{w}")).collect();
        return Err(usage(format!(
            "the circuit takes {} input value(s) (widths in bits: {}), but {} --input given; \
             pass one --input HEX per value, in order",
            widths.len(),
            if list.is_empty() {
                "none".to_string()
            } else {
                list.join(", ")
            },
            hex.len()
        )));
    }
    hex.iter()
        .enumerate()
        .map(|(i, h)| parse_input(widths, i, h))
        .collect()
}

/// A value as given on the command line, shortened for error messages.
fn shorten(s: &str) -> String {
    const MAX: usize = 48;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let head: String = s.chars().take(MAX).collect();
        format!("{head}…")
    }
}
