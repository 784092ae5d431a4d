//! Bristol Fashion: [`parse`] and [`write()`].
//!
//! The format (<https://nigelsmart.github.io/MPC-Circuits/>):
//! ```text
//! <gates> <wires>
//! <niv> <width of input value 1> … <width of input value niv>
//! <nov> <width of output value 1> … <width of output value nov>
//!
//! <nin> <nout> <input wires…> <output wires…> <GATE>     one gate per line
//! ```
//! with the gates `2 1 a b o XOR`, `2 1 a b o AND`, `1 1 a o INV`, `1 1 c o EQ` (o := the
//! constant bit c), `1 1 a o EQW` (o := a) and `2n n a_1..a_n b_1..b_n o_1..o_n MAND`
//! (o_k := a_k AND b_k). Input value 0 starts at wire 0; the outputs are the last wires.
//!
//! The parser reads whitespace-separated tokens, so trailing spaces, blank or whitespace-only
//! lines, CRLF line ends and a missing final newline are all fine; it streams from any
//! [`BufRead`] and never reserves memory from a count the file declares. It checks the header
//! counts against the file, every wire number against the wire count, that every wire is
//! defined before it is read and assigned once, and that every output wire is assigned. Every
//! rejection is a [`ParseError`] that names the line.

mod error;
mod lexer;

use std::io::{self, BufRead, Write};

pub use error::{ParseError, ParseErrorKind};
use lexer::Lexer;

use crate::{Circuit, CircuitError, Gate, GateKind, MAX_WIRES, WireId};

/// A Bristol Fashion header: the counts and widths of its first three lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The gate count the header announces (checked against the file by the parser).
    pub num_gates: u32,
    /// The wire count (at most the sink's [`GateSink::max_wires`]).
    pub num_wires: u32,
    /// Bit width of each input value, in header order.
    pub inputs: Vec<u32>,
    /// Bit width of each output value, in header order.
    pub outputs: Vec<u32>,
}

/// Why a [`GateSink`] refused a header or a gate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// The header or gate breaks a circuit rule (wire range, defined before use, assigned
    /// once, outputs assigned).
    #[error(transparent)]
    Circuit(#[from] CircuitError),
    /// The sink's own output failed (e.g. writing a program file).
    #[error("write error: {0}")]
    Io(#[from] io::Error),
}

/// Where [`parse_into`] puts what it reads: the header once, then every gate in file order,
/// then `finish`. The parser checks the syntax (numbers, gate names, arities, the gate
/// count); the sink checks the wire rules (see [`Circuit::push`]) and does the work.
/// [`parse`] is `parse_into` with a [`Circuit`] builder as the sink.
pub trait GateSink {
    /// The largest wire count the sink takes (checked by the parser on the header line,
    /// [`ParseErrorKind::TooManyWires`]): [`MAX_WIRES`] unless the sink says otherwise.
    fn max_wires(&self) -> u32 {
        MAX_WIRES
    }

    /// The header, before any gate.
    ///
    /// # Errors
    /// A header that does not fit (as [`Circuit::new`]).
    fn begin(&mut self, header: Header) -> Result<(), SinkError>;

    /// A gate other than MAND.
    ///
    /// # Errors
    /// A broken wire rule (as [`Circuit::push`]) or an output failure.
    fn push(&mut self, g: Gate) -> Result<(), SinkError>;

    /// A MAND gate: `outs[k] := lefts[k] AND rights[k]`, the three slices of equal length
    /// n ≥ 1.
    ///
    /// # Errors
    /// As [`Circuit::push_mand`], or an output failure.
    fn push_mand(
        &mut self,
        lefts: &[WireId],
        rights: &[WireId],
        outs: &[WireId],
    ) -> Result<(), SinkError>;

    /// After the last gate.
    ///
    /// # Errors
    /// An output wire never assigned (as [`Circuit::finish`]), or an output failure.
    fn finish(&mut self) -> Result<(), SinkError>;
}

/// The sink of [`parse`]: builds a [`Circuit`].
#[derive(Default)]
struct Build(Option<Circuit>);

impl Build {
    fn circuit(&mut self) -> Result<&mut Circuit, SinkError> {
        self.0
            .as_mut()
            .ok_or(SinkError::Circuit(CircuitError::TooLarge {
                what: "gate before the header",
            }))
    }
}

impl GateSink for Build {
    fn begin(&mut self, h: Header) -> Result<(), SinkError> {
        self.0 = Some(Circuit::new(h.num_wires, h.inputs, h.outputs)?);
        Ok(())
    }

    fn push(&mut self, g: Gate) -> Result<(), SinkError> {
        Ok(self.circuit()?.push(g)?)
    }

    fn push_mand(&mut self, l: &[WireId], r: &[WireId], o: &[WireId]) -> Result<(), SinkError> {
        Ok(self.circuit()?.push_mand(l, r, o)?)
    }

    fn finish(&mut self) -> Result<(), SinkError> {
        self.circuit()?;
        if let Some(c) = self.0.take() {
            self.0 = Some(c.finish()?);
        }
        Ok(())
    }
}

/// Parse a Bristol Fashion circuit (basic or MAND form) from a reader.
///
/// Memory: the circuit itself plus a few kilobytes; header counts are checked against the
/// tokens actually present, never used to reserve memory.
///
/// # Errors
/// A [`ParseError`] with the line number and what is wrong: read errors, non-ASCII bytes,
/// malformed or out-of-range numbers, a header that does not fit (e.g. more than
/// [`MAX_WIRES`] wires), a gate count that differs from the gates present, unknown gate
/// names, wrong gate arity, an EQ constant other than 0/1, a wire out of range, read before
/// it is defined or assigned twice, an output wire never assigned.
pub fn parse<R: BufRead>(r: R) -> Result<Circuit, ParseError> {
    let mut sink = Build::default();
    parse_into(r, &mut sink)?;
    // `parse_into` returned Ok, so the sink saw the header and was finished.
    sink.0.ok_or_else(|| {
        ParseError::new(
            1,
            ParseErrorKind::UnexpectedEof {
                expected: "the gate count (header line 1)".into(),
            },
        )
    })
}

/// Parse a Bristol Fashion circuit held in a string. See [`parse`].
///
/// # Errors
/// As [`parse`].
pub fn parse_str(s: &str) -> Result<Circuit, ParseError> {
    parse(s.as_bytes())
}

/// Parse a Bristol Fashion file into `sink`, in one pass: the header, every gate in file
/// order, then [`GateSink::finish`]. Memory: a few kilobytes plus the sink's.
///
/// # Errors
/// As [`parse`] (with the sink's wire checks); a [`SinkError::Io`] of the sink becomes
/// [`ParseErrorKind::Write`] on the line being parsed.
pub fn parse_into<R: BufRead, S: GateSink + ?Sized>(r: R, sink: &mut S) -> Result<(), ParseError> {
    Parser {
        lx: Lexer::new(r),
        wires: Vec::new(),
    }
    .run(sink)
}

/// A [`SinkError`] on `line` as a [`ParseError`], the rule broken wrapped by `kind`.
fn sink_err(
    line: u64,
    e: SinkError,
    kind: impl FnOnce(CircuitError) -> ParseErrorKind,
) -> ParseError {
    ParseError::new(
        line,
        match e {
            SinkError::Circuit(c) => kind(c),
            SinkError::Io(io) => ParseErrorKind::Write(io),
        },
    )
}

struct Parser<R> {
    lx: Lexer<R>,
    /// the current gate's wire operands (reused; grows only with tokens actually read)
    wires: Vec<u32>,
}

impl<R: BufRead> Parser<R> {
    fn err(&self, line: u64, kind: ParseErrorKind) -> ParseError {
        ParseError::new(line, kind)
    }

    /// End of file where `expected` should follow; reported on `line` if given (the line of
    /// the unfinished gate), else on the file's last line.
    fn eof(&self, line: Option<u64>, expected: impl Into<String>) -> ParseError {
        ParseError::new(
            line.unwrap_or(self.lx.end_line()),
            ParseErrorKind::UnexpectedEof {
                expected: expected.into(),
            },
        )
    }

    /// The next token as a number; returns it with its line.
    fn number(&mut self, what: &'static str) -> Result<(u32, u64), ParseError> {
        match self.lx.next_number(what)? {
            Some(n) => Ok(n),
            None => Err(self.eof(None, what)),
        }
    }

    /// `<count> <w_1> … <w_count>`: a list of value widths.
    fn widths(
        &mut self,
        count_what: &'static str,
        what: &'static str,
    ) -> Result<Vec<u32>, ParseError> {
        let (n, _) = self.number(count_what)?;
        let mut v = Vec::new();
        for _ in 0..n {
            v.push(self.number(what)?.0);
        }
        Ok(v)
    }

    fn run<S: GateSink + ?Sized>(mut self, sink: &mut S) -> Result<(), ParseError> {
        let (num_gates, _) = self.number("the gate count (header line 1)")?;
        let (num_wires, wline) = self.number("the wire count (header line 1)")?;
        let max = sink.max_wires();
        if num_wires > max {
            return Err(self.err(
                wline,
                ParseErrorKind::TooManyWires {
                    wires: num_wires,
                    max,
                },
            ));
        }
        let inputs = self.widths(
            "the number of input values (header line 2)",
            "an input value width (header line 2)",
        )?;
        let outputs = self.widths(
            "the number of output values (header line 3)",
            "an output value width (header line 3)",
        )?;
        let header_line = self.lx.line();
        sink.begin(Header {
            num_gates,
            num_wires,
            inputs,
            outputs,
        })
        .map_err(|e| sink_err(header_line, e, ParseErrorKind::Header))?;

        for index in 0..num_gates {
            let Some(first) = self.lx.next_number("a gate's input count")? else {
                return Err(self.err(
                    self.lx.end_line(),
                    ParseErrorKind::TooFewGates {
                        expected: num_gates,
                        actual: index,
                    },
                ));
            };
            self.gate(sink, num_wires, index, first)?;
        }
        if let Some(t) = self.lx.next_token()? {
            return Err(self.err(
                t.line,
                ParseErrorKind::ExtraTokens {
                    gates: num_gates,
                    found: t.display(),
                },
            ));
        }
        let end = self.lx.end_line();
        sink.finish()
            .map_err(|e| sink_err(end, e, ParseErrorKind::Circuit))
    }

    /// One gate whose first token (the input count) `nin` is on `line`.
    fn gate<S: GateSink + ?Sized>(
        &mut self,
        sink: &mut S,
        nw: u32,
        index: u32,
        (nin, line): (u32, u64),
    ) -> Result<(), ParseError> {
        let (nout, _) = self.number("a gate's output count")?;
        if nin as u64 > 2 * nw as u64 || nout > nw {
            return Err(self.err(
                line,
                ParseErrorKind::TooManyOperands {
                    nin,
                    nout,
                    num_wires: nw,
                },
            ));
        }
        self.wires.clear();
        let total = nin as u64 + nout as u64;
        for _ in 0..total {
            let Some((w, _)) = self.lx.next_number("a wire number")? else {
                return Err(self.eof(
                    Some(line),
                    format!(
                        "the rest of gate {index} ({nin} input and {nout} output wires, then \
                         the gate name)"
                    ),
                ));
            };
            self.wires.push(w);
        }
        let name = match self.lx.next_token()? {
            Some(t) => t,
            None => {
                return Err(self.eof(Some(line), format!("the name of gate {index}")));
            }
        };
        let kind = match name.bytes() {
            b"XOR" if !name.long => GateKind::Xor,
            b"AND" if !name.long => GateKind::And,
            b"INV" if !name.long => GateKind::Inv,
            b"EQ" if !name.long => GateKind::Eq,
            b"EQW" if !name.long => GateKind::Eqw,
            b"MAND" if !name.long => GateKind::Mand,
            _ => {
                return Err(self.err(
                    name.line,
                    ParseErrorKind::UnknownGate {
                        name: name.display(),
                        nin,
                        nout,
                    },
                ));
            }
        };
        let arity = |expected: &'static str| {
            ParseError::new(
                line,
                ParseErrorKind::Arity {
                    gate: kind.name(),
                    expected,
                    nin,
                    nout,
                },
            )
        };
        let w = &self.wires;
        let gate = match kind {
            GateKind::Xor | GateKind::And => {
                if (nin, nout) != (2, 1) {
                    return Err(arity("2 inputs and 1 output"));
                }
                let (a, b, out) = (w[0], w[1], w[2]);
                if kind == GateKind::Xor {
                    Gate::Xor { a, b, out }
                } else {
                    Gate::And { a, b, out }
                }
            }
            GateKind::Inv | GateKind::Eqw | GateKind::Eq => {
                if (nin, nout) != (1, 1) {
                    return Err(arity("1 input and 1 output"));
                }
                let (a, out) = (w[0], w[1]);
                match kind {
                    GateKind::Inv => Gate::Inv { a, out },
                    GateKind::Eqw => Gate::Eqw { a, out },
                    _ => {
                        if a > 1 {
                            return Err(self.err(line, ParseErrorKind::EqConstant { value: a }));
                        }
                        Gate::Eq { value: a == 1, out }
                    }
                }
            }
            GateKind::Mand => {
                if nout == 0 || nin as u64 != 2 * nout as u64 {
                    return Err(arity("2n inputs and n outputs (n ≥ 1)"));
                }
                let n = nout as usize;
                let res = sink.push_mand(&w[..n], &w[n..2 * n], &w[2 * n..]);
                return res.map_err(|e| gate_err(line, index, kind, e));
            }
        };
        sink.push(gate).map_err(|e| gate_err(line, index, kind, e))
    }
}

/// A sink's refusal of gate `index` (of `kind`, on `line`).
fn gate_err(line: u64, index: u32, kind: GateKind, e: SinkError) -> ParseError {
    sink_err(line, e, |source| ParseErrorKind::Gate {
        index,
        kind,
        source,
    })
}

/// Write `c` in Bristol Fashion (MAND gates as `MAND`), one gate per line, with a final
/// newline. [`parse`] reads it back to an equal circuit.
///
/// The writer is buffered internally; pass the raw file or socket.
///
/// # Errors
/// Errors of the underlying writer.
pub fn write<W: Write>(c: &Circuit, w: W) -> io::Result<()> {
    let mut w = io::BufWriter::with_capacity(1 << 16, w);
    writeln!(w, "{} {}", c.num_gates(), c.num_wires())?;
    for widths in [c.inputs(), c.outputs()] {
        write!(w, "{}", widths.len())?;
        for x in widths {
            write!(w, " {x}")?;
        }
        writeln!(w)?;
    }
    writeln!(w)?;
    for g in c.gates() {
        match g {
            Gate::Xor { a, b, out } => writeln!(w, "2 1 {a} {b} {out} XOR")?,
            Gate::And { a, b, out } => writeln!(w, "2 1 {a} {b} {out} AND")?,
            Gate::Inv { a, out } => writeln!(w, "1 1 {a} {out} INV")?,
            Gate::Eq { value, out } => writeln!(w, "1 1 {} {out} EQ", value as u8)?,
            Gate::Eqw { a, out } => writeln!(w, "1 1 {a} {out} EQW")?,
            Gate::Mand { offset, n } => {
                let (l, r, o) = c.mand_operands(offset, n);
                write!(w, "{} {n}", 2 * n as u64)?;
                for x in l.iter().chain(r).chain(o) {
                    write!(w, " {x}")?;
                }
                writeln!(w, " MAND")?;
            }
        }
    }
    w.flush()
}

/// [`write()`] into a `String`.
pub fn to_string(c: &Circuit) -> String {
    let mut v = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write(c, &mut v);
    // The writer emits ASCII only.
    String::from_utf8(v).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HALF_ADDER: &str = "2 4\n2 1 1\n2 1 1\n\n2 1 0 1 2 XOR\n2 1 0 1 3 AND\n";

    #[test]
    fn parses_and_writes_back() {
        let c = parse_str(HALF_ADDER).unwrap();
        assert_eq!(c.num_gates(), 2);
        assert_eq!(c.and_count(), 1);
        assert_eq!(to_string(&c), HALF_ADDER);
    }

    #[test]
    fn mand_eq_eqw() {
        let src = "4 8\n1 2\n1 3\n\n1 1 1 2 EQ\n1 1 0 3 EQW\n2 1 0 1 4 XOR\n\
                   6 3 0 1 2 3 4 1 5 6 7 MAND\n";
        let c = parse_str(src).unwrap();
        assert_eq!(c.and_count(), 3);
        assert_eq!(
            c.gate(0),
            Gate::Eq {
                value: true,
                out: 2
            }
        );
        assert_eq!(to_string(&c), src);
        assert_eq!(parse_str(&to_string(&c)).unwrap(), c);
    }

    #[test]
    fn errors_name_lines() {
        let e = parse_str("1 3\n1 1\n1 1\n\n\n2 1 0 2 2 AND\n").unwrap_err();
        assert_eq!(e.line, 6);
        assert!(e.to_string().contains("before it is defined"), "{e}");
        let e = parse_str("1 3\n1 2\n1 1\n\n2 1 0 1 2 NAND\n").unwrap_err();
        assert_eq!(e.line, 5);
        assert!(e.to_string().contains("unknown gate `NAND`"), "{e}");
    }
}
