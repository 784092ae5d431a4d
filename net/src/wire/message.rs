//! [`Message`]: one typed protocol message, encoded into a frame body and decoded (and
//! validated) from one; [`Reader`] / [`Put`], the only byte-offset code a protocol needs;
//! [`InvalidMessage`], the typed decode error.

use thiserror::Error;

/// A message that does not decode: the peer sent bytes that are not a valid message of the
/// kind expected (rustls's `InvalidMessage`). Every variant names the message kind.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidMessage {
    /// The message ended inside a field.
    #[error("{message} is truncated: {field} needs {needed} more bytes, {left} left")]
    Truncated {
        /// the message kind ([`Message::NAME`])
        message: &'static str,
        /// the field being read
        field: &'static str,
        /// bytes the field needs
        needed: usize,
        /// bytes left in the message
        left: usize,
    },
    /// Bytes follow the last field.
    #[error("{message} has {extra} bytes after its last field")]
    TrailingBytes {
        /// the message kind
        message: &'static str,
        /// bytes left over
        extra: usize,
    },
    /// A field holds a code that names nothing (an unknown role, scheme, tag, …).
    #[error("{message}: unknown {field} {code}")]
    UnknownCode {
        /// the message kind
        message: &'static str,
        /// the field
        field: &'static str,
        /// the code found
        code: u64,
    },
    /// A count or value is beyond what the receiver accepts.
    #[error("{message}: {field} is {value}, at most {max} accepted")]
    OutOfRange {
        /// the message kind
        message: &'static str,
        /// the field
        field: &'static str,
        /// the value found
        value: u64,
        /// the receiver's bound
        max: u64,
    },
    /// A field is well formed but not valid (e.g. text that is not printable ASCII).
    #[error("{message}: {field} {why}")]
    Invalid {
        /// the message kind
        message: &'static str,
        /// the field
        field: &'static str,
        /// what is wrong with it
        why: &'static str,
    },
}

/// A protocol message with a fixed wire form.
///
/// `encode` appends the message's bytes (a frame body: the frame's u32 length prefix is
/// the channel's, see [`crate::wire::send_msg`]); `decode` reads them back through a
/// [`Reader`] that checks every length, and returns a *validated* value (codes mapped to
/// enums, counts bounded) or an [`InvalidMessage`] naming the field. All integers are
/// little-endian.
pub trait Message: Sized {
    /// The message kind, for errors (e.g. `"gc run offer"`).
    const NAME: &'static str;
    /// The longest encoding a receiver accepts, in bytes (the frame cap of
    /// [`crate::wire::recv_msg`]).
    const MAX_LEN: usize;

    /// Append the encoding to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Read one message from `r` (the caller checks that nothing follows).
    ///
    /// # Errors
    /// [`InvalidMessage`] naming the first bad field.
    fn decode(r: &mut Reader<'_>) -> Result<Self, InvalidMessage>;

    /// The encoding as a new vector.
    fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::new();
        self.encode(&mut v);
        v
    }

    /// Decode exactly one message from `bytes` (no trailing bytes).
    ///
    /// # Errors
    /// As [`Message::decode`]; [`InvalidMessage::TrailingBytes`] if bytes are left over.
    fn from_bytes(bytes: &[u8]) -> Result<Self, InvalidMessage> {
        let mut r = Reader::new(Self::NAME, bytes);
        let m = Self::decode(&mut r)?;
        r.finish()?;
        Ok(m)
    }
}

/// A cursor over one message's bytes: every read checks the length left and names the
/// field in its error.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    message: &'static str,
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, a message of kind `message`.
    pub fn new(message: &'static str, buf: &'a [u8]) -> Self {
        Reader {
            message,
            buf,
            pos: 0,
        }
    }

    /// The message kind being read.
    pub fn message(&self) -> &'static str {
        self.message
    }

    /// Bytes not read yet.
    pub fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// `n` bytes.
    ///
    /// # Errors
    /// [`InvalidMessage::Truncated`] if fewer are left.
    pub fn bytes(&mut self, field: &'static str, n: usize) -> Result<&'a [u8], InvalidMessage> {
        if n > self.left() {
            return Err(InvalidMessage::Truncated {
                message: self.message,
                field,
                needed: n,
                left: self.left(),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// A fixed-size array.
    ///
    /// # Errors
    /// As [`Reader::bytes`].
    pub fn array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<[u8; N], InvalidMessage> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(field, N)?);
        Ok(a)
    }

    /// One byte.
    ///
    /// # Errors
    /// As [`Reader::bytes`].
    pub fn u8(&mut self, field: &'static str) -> Result<u8, InvalidMessage> {
        Ok(self.array::<1>(field)?[0])
    }

    /// A little-endian `u16`.
    ///
    /// # Errors
    /// As [`Reader::bytes`].
    pub fn u16(&mut self, field: &'static str) -> Result<u16, InvalidMessage> {
        Ok(u16::from_le_bytes(self.array(field)?))
    }

    /// A little-endian `u32`.
    ///
    /// # Errors
    /// As [`Reader::bytes`].
    pub fn u32(&mut self, field: &'static str) -> Result<u32, InvalidMessage> {
        Ok(u32::from_le_bytes(self.array(field)?))
    }

    /// A little-endian `u64`.
    ///
    /// # Errors
    /// As [`Reader::bytes`].
    pub fn u64(&mut self, field: &'static str) -> Result<u64, InvalidMessage> {
        Ok(u64::from_le_bytes(self.array(field)?))
    }

    /// A byte that must be 0 or 1.
    ///
    /// # Errors
    /// As [`Reader::bytes`]; [`InvalidMessage::UnknownCode`] for another value.
    pub fn bool(&mut self, field: &'static str) -> Result<bool, InvalidMessage> {
        match self.u8(field)? {
            0 => Ok(false),
            1 => Ok(true),
            c => Err(self.unknown(field, c.into())),
        }
    }

    /// A `u32` count of items of at least `min_item` bytes each (≥ 1), checked against
    /// `max` and against the bytes left, so a caller may allocate for it.
    ///
    /// # Errors
    /// [`InvalidMessage::OutOfRange`] over `max`; [`InvalidMessage::Truncated`] if the
    /// items cannot fit in what is left.
    pub fn count(
        &mut self,
        field: &'static str,
        max: usize,
        min_item: usize,
    ) -> Result<usize, InvalidMessage> {
        let n = self.u32(field)? as usize;
        if n > max {
            return Err(self.out_of_range(field, n as u64, max as u64));
        }
        let need = n.saturating_mul(min_item.max(1));
        if need > self.left() {
            return Err(InvalidMessage::Truncated {
                message: self.message,
                field,
                needed: need,
                left: self.left(),
            });
        }
        Ok(n)
    }

    /// A string of printable ASCII (`u16` length, at most `max` bytes).
    ///
    /// # Errors
    /// As [`Reader::count`]; [`InvalidMessage::Invalid`] for other characters.
    pub fn ascii(&mut self, field: &'static str, max: usize) -> Result<String, InvalidMessage> {
        let n = self.u16(field)? as usize;
        if n > max {
            return Err(self.out_of_range(field, n as u64, max as u64));
        }
        let b = self.bytes(field, n)?;
        if !b.iter().all(|c| (0x20..0x7f).contains(c)) {
            return Err(InvalidMessage::Invalid {
                message: self.message,
                field,
                why: "is not printable ASCII",
            });
        }
        Ok(b.iter().map(|&c| c as char).collect())
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    /// Check that the message is fully read.
    ///
    /// # Errors
    /// [`InvalidMessage::TrailingBytes`].
    pub fn finish(&self) -> Result<(), InvalidMessage> {
        match self.left() {
            0 => Ok(()),
            extra => Err(InvalidMessage::TrailingBytes {
                message: self.message,
                extra,
            }),
        }
    }

    /// An [`InvalidMessage::UnknownCode`] for `field` of this message.
    pub fn unknown(&self, field: &'static str, code: u64) -> InvalidMessage {
        InvalidMessage::UnknownCode {
            message: self.message,
            field,
            code,
        }
    }

    /// An [`InvalidMessage::OutOfRange`] for `field` of this message.
    pub fn out_of_range(&self, field: &'static str, value: u64, max: u64) -> InvalidMessage {
        InvalidMessage::OutOfRange {
            message: self.message,
            field,
            value,
            max,
        }
    }

    /// An [`InvalidMessage::Invalid`] for `field` of this message.
    pub fn invalid(&self, field: &'static str, why: &'static str) -> InvalidMessage {
        InvalidMessage::Invalid {
            message: self.message,
            field,
            why,
        }
    }
}

/// Little-endian writers for message encoders (the mirror of [`Reader`]).
pub trait Put {
    /// One byte.
    fn put_u8(&mut self, x: u8);
    /// A `u16`.
    fn put_u16(&mut self, x: u16);
    /// A `u32`.
    fn put_u32(&mut self, x: u32);
    /// A `u64`.
    fn put_u64(&mut self, x: u64);
    /// Raw bytes.
    fn put_bytes(&mut self, b: &[u8]);
    /// A `u16`-length string (see [`Reader::ascii`]).
    ///
    /// # Panics
    /// If `s` is 64 KiB or longer (a local bug: protocol texts are short constants).
    fn put_str(&mut self, s: &str);
    /// A `u32` count (see [`Reader::count`]).
    ///
    /// # Panics
    /// If `n` is 2^32 or more (a local bug: callers bound their counts first).
    fn put_count(&mut self, n: usize);
}

impl Put for Vec<u8> {
    fn put_u8(&mut self, x: u8) {
        self.push(x);
    }
    fn put_u16(&mut self, x: u16) {
        self.extend_from_slice(&x.to_le_bytes());
    }
    fn put_u32(&mut self, x: u32) {
        self.extend_from_slice(&x.to_le_bytes());
    }
    fn put_u64(&mut self, x: u64) {
        self.extend_from_slice(&x.to_le_bytes());
    }
    fn put_bytes(&mut self, b: &[u8]) {
        self.extend_from_slice(b);
    }
    fn put_str(&mut self, s: &str) {
        let n = u16::try_from(s.len()).expect("a protocol string under 64 KiB");
        self.put_u16(n);
        self.extend_from_slice(s.as_bytes());
    }
    fn put_count(&mut self, n: usize) {
        self.put_u32(u32::try_from(n).expect("a count under 2^32"));
    }
}
