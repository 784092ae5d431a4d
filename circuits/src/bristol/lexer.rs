//! Whitespace-token lexer over `impl BufRead` that tracks line numbers.
//!
//! Tokens are runs of printable ASCII (`0x21..=0x7e`); whitespace is space, tab, CR, LF, VT
//! and FF. Any other byte (control characters, NUL, anything ≥ 0x80, so every non-ASCII UTF-8
//! sequence) is rejected: Bristol Fashion files are plain ASCII.

use std::io::BufRead;

use super::error::{ParseError, ParseErrorKind};

/// Tokens longer than this are kept truncated (and flagged); no valid token is this long
/// (u32 has 10 digits, gate names ≤ 4 letters).
pub(crate) const MAX_TOKEN: usize = 32;

/// One token: its bytes (at most [`MAX_TOKEN`] kept), whether it was longer, its line.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    buf: [u8; MAX_TOKEN],
    len: usize,
    /// the token had more than `MAX_TOKEN` bytes
    pub(crate) long: bool,
    /// 1-based line of the token's first byte
    pub(crate) line: u64,
}

impl Token {
    /// The kept bytes (always ASCII).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// For messages: the token text, with `…` when truncated.
    pub(crate) fn display(&self) -> String {
        let mut s = String::from_utf8_lossy(self.bytes()).into_owned();
        if self.long {
            s.push('…');
        }
        s
    }

    /// Parse as an unsigned 32-bit decimal number. `what` names the field for messages.
    pub(crate) fn number(&self, what: &'static str) -> Result<u32, ParseError> {
        let b = self.bytes();
        let err = |kind| Err(ParseError::new(self.line, kind));
        if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
            if b.first() == Some(&b'-') && b.len() > 1 && b[1..].iter().all(u8::is_ascii_digit) {
                return err(ParseErrorKind::Negative {
                    what,
                    found: self.display(),
                });
            }
            return err(ParseErrorKind::ExpectedNumber {
                what,
                found: self.display(),
            });
        }
        if self.long {
            return err(ParseErrorKind::NumberTooLarge {
                what,
                found: self.display(),
            });
        }
        let mut v: u32 = 0;
        for &d in b {
            match v
                .checked_mul(10)
                .and_then(|v| v.checked_add((d - b'0') as u32))
            {
                Some(x) => v = x,
                None => {
                    return err(ParseErrorKind::NumberTooLarge {
                        what,
                        found: self.display(),
                    });
                }
            }
        }
        Ok(v)
    }
}

/// Streaming tokenizer.
pub(crate) struct Lexer<R> {
    r: R,
    /// current line (1-based): the line of the next byte to read
    line: u64,
    /// set once the reader reported end of input
    eof: bool,
    /// the last byte consumed was a newline
    after_newline: bool,
}

#[inline]
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c)
}

#[inline]
fn is_token_byte(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// The length of the whitespace run at the start of `buf` and the newlines in it.
#[inline]
fn space_prefix(buf: &[u8]) -> (usize, u64) {
    let (mut i, mut newlines) = (0usize, 0u64);
    while i < buf.len() && is_space(buf[i]) {
        newlines += (buf[i] == b'\n') as u64;
        i += 1;
    }
    (i, newlines)
}

impl<R: BufRead> Lexer<R> {
    pub(crate) fn new(r: R) -> Self {
        Lexer {
            r,
            line: 1,
            eof: false,
            after_newline: false,
        }
    }

    /// The current line: where the next token would start.
    pub(crate) fn line(&self) -> u64 {
        self.line
    }

    /// The last line of the file, for errors found at its end (a final newline does not
    /// start another line).
    pub(crate) fn end_line(&self) -> u64 {
        if self.after_newline && self.line > 1 {
            self.line - 1
        } else {
            self.line
        }
    }

    #[inline]
    fn fill(&mut self) -> Result<&[u8], ParseError> {
        loop {
            match self.r.fill_buf() {
                Ok(_) => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ParseError::new(self.line, ParseErrorKind::Io(e))),
            }
        }
        // Data is buffered now (or at EOF): this second call does not read.
        let line = self.line;
        self.r
            .fill_buf()
            .map_err(|e| ParseError::new(line, ParseErrorKind::Io(e)))
    }

    /// Skip whitespace, counting lines. Returns `true` if a token starts at the next byte,
    /// `false` at end of input.
    ///
    /// # Errors
    /// Read errors and bytes that are neither whitespace nor printable ASCII.
    fn skip_space(&mut self) -> Result<bool, ParseError> {
        loop {
            let line = self.line;
            let buf = self.fill()?;
            if buf.is_empty() {
                self.eof = true;
                return Ok(false);
            }
            let (i, newlines) = space_prefix(buf);
            let bad = buf.get(i).copied().filter(|&b| !is_token_byte(b));
            let at_token = i < buf.len();
            let last_nl = (i > 0).then(|| buf[i - 1] == b'\n');
            self.r.consume(i);
            if let Some(nl) = last_nl {
                self.after_newline = nl;
            }
            self.line = line + newlines;
            if let Some(byte) = bad {
                return Err(ParseError::new(self.line, ParseErrorKind::BadByte { byte }));
            }
            if at_token {
                return Ok(true);
            }
        }
    }

    /// Fast path of [`Lexer::next_token`] + [`Token::number`] for the common case: if the
    /// buffer holds the whitespace before the next token, the token, a decimal number of at
    /// most 9 digits, and the whitespace byte after it, consume them and return the number
    /// with its line. Otherwise return `None` with nothing consumed (then call
    /// [`Lexer::next_token`], which gives the token or the error).
    ///
    /// # Errors
    /// Read errors.
    #[inline]
    pub(crate) fn small_number(&mut self) -> Result<Option<(u32, u64)>, ParseError> {
        if self.eof {
            return Ok(None);
        }
        // an error (even `Interrupted`) is left to the general path, which retries or reports
        let Ok(buf) = self.r.fill_buf() else {
            return Ok(None);
        };
        let (mut i, newlines) = space_prefix(buf);
        let start = i;
        let mut v = 0u32;
        while i < start + 9 && i < buf.len() {
            let d = buf[i].wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            v = v * 10 + d as u32;
            i += 1;
        }
        if i == start || i == buf.len() || !is_space(buf[i]) {
            // not the simple case: the general path reads it from the start
            return Ok(None);
        }
        self.r.consume(i);
        self.line += newlines;
        self.after_newline = false;
        Ok(Some((v, self.line)))
    }

    /// The next token as a number with its line ([`Lexer::small_number`], else
    /// [`Lexer::next_token`] + [`Token::number`]), or `None` at end of input. `what` names
    /// the field for messages.
    ///
    /// # Errors
    /// As [`Lexer::next_token`] and [`Token::number`].
    #[inline]
    pub(crate) fn next_number(
        &mut self,
        what: &'static str,
    ) -> Result<Option<(u32, u64)>, ParseError> {
        if let Some(n) = self.small_number()? {
            return Ok(Some(n));
        }
        match self.next_token()? {
            Some(t) => Ok(Some((t.number(what)?, t.line))),
            None => Ok(None),
        }
    }

    /// The next token, or `None` at end of input.
    ///
    /// # Errors
    /// Read errors and bytes that are neither whitespace nor printable ASCII.
    pub(crate) fn next_token(&mut self) -> Result<Option<Token>, ParseError> {
        if self.eof {
            return Ok(None);
        }
        // Fast path: whitespace, a token of at most MAX_TOKEN bytes and the whitespace
        // byte after it all in the buffer.
        if let Ok(buf) = self.r.fill_buf() {
            let (start, newlines) = space_prefix(buf);
            let rest = &buf[start..buf.len().min(start + MAX_TOKEN + 1)];
            if let Some(len) = rest.iter().position(|&b| !is_token_byte(b))
                && len > 0
                && is_space(rest[len])
            {
                let mut tok = Token {
                    buf: [0; MAX_TOKEN],
                    len,
                    long: false,
                    line: self.line + newlines,
                };
                tok.buf[..len].copy_from_slice(&rest[..len]);
                self.r.consume(start + len);
                self.line = tok.line;
                self.after_newline = false;
                return Ok(Some(tok));
            }
        }
        if !self.skip_space()? {
            return Ok(None);
        }
        // Read the token.
        self.after_newline = false;
        let mut tok = Token {
            buf: [0; MAX_TOKEN],
            len: 0,
            long: false,
            line: self.line,
        };
        loop {
            let buf = self.fill()?;
            if buf.is_empty() {
                self.eof = true;
                return Ok(Some(tok));
            }
            let mut i = 0;
            let mut done = false;
            while i < buf.len() {
                let b = buf[i];
                if is_token_byte(b) {
                    if tok.len < MAX_TOKEN {
                        tok.buf[tok.len] = b;
                        tok.len += 1;
                    } else {
                        tok.long = true;
                    }
                    i += 1;
                } else if is_space(b) {
                    done = true;
                    break;
                } else {
                    let line = self.line;
                    self.r.consume(i);
                    return Err(ParseError::new(line, ParseErrorKind::BadByte { byte: b }));
                }
            }
            self.r.consume(i);
            if done {
                return Ok(Some(tok));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &[u8]) -> Result<Vec<(String, u64)>, ParseError> {
        // A 3-byte buffer exercises tokens split across refills.
        let mut lx = Lexer::new(std::io::BufReader::with_capacity(3, s));
        let mut v = Vec::new();
        while let Some(t) = lx.next_token()? {
            v.push((t.display(), t.line));
        }
        Ok(v)
    }

    #[test]
    fn splits_and_counts_lines() {
        let v = tokens(b"12 34  \n\n \t \r\n5 XOR\n  6").unwrap();
        let want = [("12", 1), ("34", 1), ("5", 4), ("XOR", 4), ("6", 5)];
        assert_eq!(v.len(), want.len());
        for ((s, l), (ws, wl)) in v.iter().zip(want) {
            assert_eq!((s.as_str(), *l), (ws, wl));
        }
    }

    #[test]
    fn rejects_bad_bytes() {
        let e = tokens(b"1 2\n3 \xff 4").unwrap_err();
        assert_eq!(e.line, 2);
        let e = tokens(b"1 2\n\n3\x00").unwrap_err();
        assert_eq!(e.line, 3);
    }

    #[test]
    fn numbers() {
        let t = |s: &[u8]| {
            let mut lx = Lexer::new(s);
            lx.next_token().unwrap().unwrap().number("x")
        };
        assert_eq!(t(b"4294967295").unwrap(), u32::MAX);
        assert!(matches!(
            t(b"4294967296").unwrap_err().kind,
            ParseErrorKind::NumberTooLarge { .. }
        ));
        assert!(matches!(
            t(b"-3").unwrap_err().kind,
            ParseErrorKind::Negative { .. }
        ));
        assert!(matches!(
            t(b"0x3").unwrap_err().kind,
            ParseErrorKind::ExpectedNumber { .. }
        ));
        assert!(matches!(
            t(&[b'9'; 40]).unwrap_err().kind,
            ParseErrorKind::NumberTooLarge { .. }
        ));
        assert_eq!(t(b"007").unwrap(), 7);
    }
}
