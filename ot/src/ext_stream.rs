//! Random COT without fresh output memory: into a caller's reused buffer, or streamed to a
//! callback chunk by chunk (semi-honest), so that a consumer that uses each COT once
//! (garbling, PSI, B2A) keeps the rows in cache and never stores `n` blocks.
//!
//! The wire format is that of [`CotSender::send_cot`] / [`CotReceiver::receive_random_cot`]:
//! a streamed side talks to a storing side and vice versa.

use super::*;

impl CotSender {
    /// [`CotSender::send_cot`] streamed: `sink` gets the `k_i` in OT order, in consecutive
    /// chunks of at most [`CHUNK`] blocks (`n` in all), as they are extended; memory is one
    /// chunk. Matches any receiving COT call of the same `n`.
    ///
    /// # Errors
    /// [`OtError::Usage`] with [`Security::Malicious`] (the KOS check needs every row before
    /// its challenge, so rows cannot be released early) or if the peer's call differs;
    /// [`OtError::Net`] on channel failure.
    pub async fn send_cot_stream(
        &mut self,
        ch: &mut Channel,
        n: usize,
        mut sink: impl FnMut(&[Block]),
    ) -> Result<(), OtError> {
        if self.security == Security::Malicious {
            return Err(OtError::Usage(
                "streamed COT is semi-honest only: the KOS check needs every row first".into(),
            ));
        }
        self.check_header(ch, KIND_COT, n).await?;
        let total = padded(n, self.security);
        let mut rows = vec![Block::ZERO; CHUNK.min(total)];
        for c0 in (0..total).step_by(CHUNK) {
            let c = CHUNK.min(total - c0);
            self.next_rows(ch, &mut rows[..c]).await?;
            sink(&rows[..c.min(n - c0)]);
        }
        Ok(())
    }
}

impl CotReceiver {
    /// [`CotReceiver::receive_random_cot`] into `out` (memory reused: `out.len() == n`
    /// after, holding the `m_i`); returns the choice bits packed, bit `i % 128` of block
    /// `i / 128` for OT `i` ([`Block::bit`]).
    ///
    /// # Errors
    /// As [`CotReceiver::receive_random_cot`].
    pub async fn receive_random_cot_into(
        &mut self,
        ch: &mut Channel,
        n: usize,
        out: &mut Vec<Block>,
    ) -> Result<Vec<Block>, OtError> {
        let mut r = self.extend_into(ch, KIND_COT, n, None, out).await?;
        r.truncate(n.div_ceil(128));
        Ok(r)
    }

    /// [`CotReceiver::receive_random_cot`] streamed: `sink(bits, m)` gets consecutive
    /// chunks of at most [`CHUNK`] OTs (`n` in all) as they are extended: `m` the `m_i`,
    /// `bits` their choice bits packed (bit `i % 128` of `bits[i / 128]` for OT `i` of the
    /// chunk). Memory is one chunk. Matches any sending COT call of the same `n`.
    ///
    /// # Errors
    /// [`OtError::Usage`] with [`Security::Malicious`] (see
    /// [`CotSender::send_cot_stream`]); [`OtError::Net`] on channel failure.
    pub async fn receive_random_cot_stream(
        &mut self,
        ch: &mut Channel,
        n: usize,
        sink: impl FnMut(&[Block], &[Block]),
    ) -> Result<(), OtError> {
        self.cot_stream(ch, n, None, sink).await
    }

    /// [`CotReceiver::receive_cot`] streamed: `sink(m)` gets the `m_i = k_i ⊕ choices[i]·Δ`
    /// in OT order, in consecutive chunks of at most [`CHUNK`] OTs (`n = choices.len()` in
    /// all), as they are extended, so a consumer that hashes them (Gilboa multiplication,
    /// B2A) overlaps its work with the extension. Memory is one chunk. Matches any sending
    /// COT call of the same `n`.
    ///
    /// # Errors
    /// As [`CotReceiver::receive_random_cot_stream`].
    pub async fn receive_cot_stream(
        &mut self,
        ch: &mut Channel,
        choices: &[bool],
        mut sink: impl FnMut(&[Block]),
    ) -> Result<(), OtError> {
        self.cot_stream(ch, choices.len(), Some(choices), |_, m| sink(m))
            .await
    }

    async fn cot_stream(
        &mut self,
        ch: &mut Channel,
        n: usize,
        choices: Option<&[bool]>,
        mut sink: impl FnMut(&[Block], &[Block]),
    ) -> Result<(), OtError> {
        if self.security == Security::Malicious {
            return Err(OtError::Usage(
                "streamed COT is semi-honest only: the KOS check needs every row first".into(),
            ));
        }
        let total = padded(n, self.security);
        let mut hdr = [0u8; 16];
        hdr[..8].copy_from_slice(&KIND_COT.to_le_bytes());
        hdr[8..].copy_from_slice(&(n as u64).to_le_bytes());
        ch.send(&hdr).await?;
        let mut rows = vec![Block::ZERO; CHUNK.min(total)];
        let mut r = vec![Block::ZERO; CHUNK.min(total) / 128];
        for c0 in (0..total).step_by(CHUNK) {
            let c = CHUNK.min(total - c0);
            let r = &mut r[..c / 128];
            self.prg.fill_blocks(r);
            if let Some(choices) = choices {
                pack_bits(&choices[c0.min(n)..(c0 + c).min(n)], r);
            }
            self.next_rows(ch, r, &mut rows[..c]).await?;
            let valid = c.min(n - c0);
            sink(&r[..valid.div_ceil(128)], &rows[..valid]);
        }
        ch.flush().await?;
        Ok(())
    }
}
