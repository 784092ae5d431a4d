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
use lexer::{Lexer, Token};

use crate::{Circuit, Gate, GateKind, MAX_WIRES};

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
    Parser {
        lx: Lexer::new(r),
        wires: Vec::new(),
    }
    .run()
}

/// Parse a Bristol Fashion circuit held in a string. See [`parse`].
///
/// # Errors
/// As [`parse`].
pub fn parse_str(s: &str) -> Result<Circuit, ParseError> {
    parse(s.as_bytes())
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

    /// The next token, which must exist.
    fn token(&mut self, expected: &str) -> Result<Token, ParseError> {
        match self.lx.next_token()? {
            Some(t) => Ok(t),
            None => Err(self.eof(None, expected)),
        }
    }

    /// The next token as a number; returns it with its line.
    fn number(&mut self, what: &'static str) -> Result<(u32, u64), ParseError> {
        let t = self.token(what)?;
        Ok((t.number(what)?, t.line))
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

    fn run(mut self) -> Result<Circuit, ParseError> {
        let (num_gates, _) = self.number("the gate count (header line 1)")?;
        let (num_wires, wline) = self.number("the wire count (header line 1)")?;
        if num_wires > MAX_WIRES {
            return Err(self.err(wline, ParseErrorKind::TooManyWires { wires: num_wires }));
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
        let mut c = Circuit::new(num_wires, inputs, outputs)
            .map_err(|e| self.err(header_line, ParseErrorKind::Header(e)))?;

        for index in 0..num_gates {
            let first = match self.lx.next_token()? {
                Some(t) => t,
                None => {
                    return Err(self.err(
                        self.lx.end_line(),
                        ParseErrorKind::TooFewGates {
                            expected: num_gates,
                            actual: index,
                        },
                    ));
                }
            };
            self.gate(&mut c, index, first)?;
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
        c.finish()
            .map_err(|e| self.err(end, ParseErrorKind::Circuit(e)))
    }

    /// One gate whose first token (the input count) is `first`.
    fn gate(&mut self, c: &mut Circuit, index: u32, first: Token) -> Result<(), ParseError> {
        let line = first.line;
        let nin = first.number("a gate's input count")?;
        let (nout, _) = self.number("a gate's output count")?;
        let nw = c.num_wires();
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
            let t = match self.lx.next_token()? {
                Some(t) => t,
                None => {
                    return Err(self.eof(
                        Some(line),
                        format!(
                            "the rest of gate {index} ({nin} input and {nout} output wires, \
                             then the gate name)"
                        ),
                    ));
                }
            };
            let w = t.number("a wire number")?;
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
                let source = c.push_mand(&w[..n], &w[n..2 * n], &w[2 * n..]);
                return source.map_err(|source| {
                    self.err(
                        line,
                        ParseErrorKind::Gate {
                            index,
                            kind,
                            source,
                        },
                    )
                });
            }
        };
        c.push(gate).map_err(|source| {
            self.err(
                line,
                ParseErrorKind::Gate {
                    index,
                    kind,
                    source,
                },
            )
        })
    }
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
