//! Noise transport records (sans-IO): sealing plaintext into records and opening them.
//!
//! Wire format of a record: `u16` big-endian length `L` (16 ≤ `L` ≤ 65535), then `L` bytes
//! of AES-256-GCM ciphertext + 16-byte tag (the usual Noise framing). The nonce is the
//! record's implicit sequence number kept by `snow` on each side, so a replayed, reordered
//! or dropped record fails authentication just like an altered one; any failure is
//! [`NetError::Integrity`] and the channel aborts.

use crate::{NetError, PublicKey};

/// Largest Noise message (ciphertext incl. tag).
pub(crate) const MAX_RECORD: usize = 65535;
/// AEAD tag length.
pub(crate) const TAG: usize = 16;
/// Largest plaintext per record.
pub(crate) const MAX_PLAIN: usize = MAX_RECORD - TAG;

/// Whether a large `memcpy` from `src` to `dst` is fast. On AMD Zen 3 (this project's
/// machine kind) glibc's `rep movsb` copy runs ~10× slower when the destination is 1..63
/// bytes ahead of the source modulo 4 KiB (page aliasing); measured 0.5–0.8 GB/s against
/// 7–40 GB/s otherwise. Buffers whose placement we choose avoid that window.
pub(crate) fn copy_distance_ok(dst: *const u8, src: *const u8) -> bool {
    let d = (dst as usize).wrapping_sub(src as usize) % 4096;
    !(1..64).contains(&d)
}

/// An offset in `0..4096` such that `base + offset` is 2 KiB past `src` modulo 4 KiB.
pub(crate) fn offset_away_from(base: *const u8, src: *const u8) -> usize {
    (src as usize + 2048).wrapping_sub(base as usize) % 4096
}

/// Per-connection record state: the Noise cipher states and the ciphertext buffers.
pub(crate) struct Records {
    noise: snow::TransportState,
    /// The peer's authenticated static key.
    pub(crate) peer: PublicKey,
    /// Storage for sealed records; the last [`Records::seal`] output is `ebuf[eoff..eend]`.
    ebuf: Vec<u8>,
    /// Ciphertext read from the transport, `cbuf[cpos..cend]` not yet opened.
    cbuf: Box<[u8]>,
    cpos: usize,
    pub(crate) cend: usize,
}

impl Records {
    /// `read_buffer`: how much ciphertext one transport read may bring in.
    pub(crate) fn new(noise: snow::TransportState, peer: PublicKey, read_buffer: usize) -> Records {
        let size = read_buffer.max(MAX_RECORD) + MAX_RECORD + 2;
        Records {
            noise,
            peer,
            ebuf: Vec::new(),
            cbuf: vec![0u8; size].into_boxed_slice(),
            cpos: 0,
            cend: 0,
        }
    }

    /// Seal `plain` into records of at most [`MAX_PLAIN`] bytes each and return them, ready
    /// to write.
    pub(crate) fn seal(&mut self, plain: &[u8]) -> Result<&[u8], NetError> {
        let records = plain.len().div_ceil(MAX_PLAIN);
        let total = plain.len() + records * (TAG + 2);
        if self.ebuf.len() < total + 4096 {
            self.ebuf = vec![0u8; total + 4096];
        }
        // snow copies each chunk into the output before encrypting in place: place the output
        // so that copy is not page-aliased with the source.
        let off = offset_away_from(self.ebuf.as_ptr().wrapping_add(2), plain.as_ptr());
        let out = &mut self.ebuf[off..off + total];
        let mut at = 0;
        for chunk in plain.chunks(MAX_PLAIN) {
            let n = self
                .noise
                .write_message(chunk, &mut out[at + 2..at + 2 + chunk.len() + TAG])
                .map_err(|e| NetError::Integrity(format!("cannot seal a record: {e}")))?;
            debug_assert_eq!(n, chunk.len() + TAG);
            out[at..at + 2].copy_from_slice(&(n as u16).to_be_bytes());
            at += 2 + n;
        }
        debug_assert_eq!(at, total);
        Ok(&self.ebuf[off..off + total])
    }

    /// Where the ciphertext of the record at `start` lies (for placement decisions).
    pub(crate) fn ciphertext_ptr(&self, start: usize) -> *const u8 {
        self.cbuf[start..].as_ptr()
    }

    /// The next complete record in the ciphertext buffer: `(start, len)` of its ciphertext.
    ///
    /// # Errors
    /// [`NetError::Integrity`] if the length field is impossible (shorter than a tag).
    pub(crate) fn next_record(&self) -> Result<Option<(usize, usize)>, NetError> {
        let avail = self.cend - self.cpos;
        if avail < 2 {
            return Ok(None);
        }
        let len = u16::from_be_bytes([self.cbuf[self.cpos], self.cbuf[self.cpos + 1]]) as usize;
        if len < TAG {
            return Err(NetError::Integrity(format!(
                "record length {len} is shorter than its authentication tag"
            )));
        }
        if avail < 2 + len {
            return Ok(None);
        }
        Ok(Some((self.cpos + 2, len)))
    }

    /// Authenticate and decrypt the record at `cbuf[start..start+len]` into `out`
    /// (`out.len() >= len`), consume it, and return the plaintext length.
    ///
    /// # Errors
    /// [`NetError::Integrity`] if authentication fails (the nonce is the sequence number,
    /// so this also catches replayed, reordered and dropped records).
    pub(crate) fn open(
        &mut self,
        start: usize,
        len: usize,
        out: &mut [u8],
    ) -> Result<usize, NetError> {
        let n = self
            .noise
            .read_message(&self.cbuf[start..start + len], out)
            .map_err(|_| {
                NetError::Integrity(
                    "a record failed authentication (altered, replayed, reordered or dropped \
                     on the wire)"
                        .into(),
                )
            })?;
        self.cpos = start + len;
        if self.cpos == self.cend {
            self.cpos = 0;
            self.cend = 0;
        }
        Ok(n)
    }

    /// Make room for at least one more record and return the free tail of the buffer.
    pub(crate) fn make_room(&mut self) -> &mut [u8] {
        if self.cbuf.len() - self.cend < MAX_RECORD + 2 && self.cpos > 0 {
            self.cbuf.copy_within(self.cpos..self.cend, 0);
            self.cend -= self.cpos;
            self.cpos = 0;
        }
        &mut self.cbuf[self.cend..]
    }

    /// The error for EOF: `Closed` between records, `Integrity` inside one (truncation).
    pub(crate) fn eof_error(&self) -> NetError {
        if self.cend > self.cpos {
            NetError::Integrity(format!(
                "connection ended inside a record ({} bytes of it received): truncated",
                self.cend - self.cpos
            ))
        } else {
            NetError::Closed
        }
    }
}
