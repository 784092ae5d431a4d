//! The async PSI drivers over a [`Channel`]: handshake, cuckoo seed, base OT, OPRF chunks,
//! the sender's masked values, and the receiver's final acknowledgement.
//!
//! Message flow (R = receiver, S = sender):
//! 1. R ↔ S: the `duet_net::wire` negotiation (protocol `duet-psi`, version, role, the
//!    shared parameters, each party's set size) both ways, before any base OT;
//! 2. R → S: cuckoo status (1 = ok), seed (16 bytes), attempts (u32);
//! 3. base OT ×512, R is the OT sender of random seed pairs, S the receiver with choices s;
//! 4. S → R: code seed (16 bytes);
//! 5. R → S: u columns, chunk by chunk (512 × chunk/8 bytes each);
//! 6. S → R: X_1 ‖ X_2 ‖ X_3, each n_S values of ℓ bytes (little-endian), permuted;
//! 7. R → S: one byte 1 (done).
//!
//! Neither driver is cancel-safe.

use super::cuckoo::{BinHasher, Buckets, EMPTY, cuckoo_insert};
use super::matching::MatchTable;
use super::*;
use duet_core::Prg;
use duet_net::Channel;
use duet_net::wire::{self, InvalidMessage, Offer, Protocol, Value, negotiate};
use duet_ot::oprf::{Code, OprfReceiver, OprfSender, Wide, code_input, hash_rows, value_mask};

/// Version of the PSI wire protocol.
pub const VERSION: u16 = 3;

/// PSI's identity in the negotiation (`duet_net::wire`).
pub const PSI_PROTOCOL: Protocol = Protocol {
    name: "duet-psi",
    version: VERSION,
    roles: ["sender", "receiver"],
};

/// The handshake of every PSI protocol here (KKRT16, RR22, RR22 cardinality): one
/// negotiation whose offer names the PSI protocol and five protocol parameters, all compared,
/// and tells this party's set size.
pub(crate) struct Hello {
    pub(crate) protocol: super::Protocol,
    pub(crate) role: Role,
    pub(crate) n: u64,
    pub(crate) params: [(&'static str, u64); 5],
}

impl Hello {
    /// KKRT16's hello: κ*, σ, hash functions, table factor, chunk bins.
    fn kkrt(role: Role, n: u64, sigma: u32) -> Self {
        Hello {
            protocol: super::Protocol::Kkrt16,
            role,
            n,
            params: [
                ("kappa*", KAPPA_STAR as u64),
                ("sigma", sigma as u64),
                ("hash functions", NUM_HASHES as u64),
                ("table factor (per mille)", TABLE_PERMILLE),
                ("chunk bins", CHUNK_BINS as u64),
            ],
        }
    }

    /// The offer: the PSI protocol's name, its shared parameters, and this party's set size
    /// (told, not compared).
    fn offer(&self) -> Offer {
        let role = match self.role {
            Role::Sender => 0,
            Role::Receiver => 1,
        };
        let mut o = Offer::new(&PSI_PROTOCOL, role)
            .with("PSI protocol", Value::Text(self.protocol.to_string()));
        for &(name, v) in &self.params {
            o = o.with(name, Value::Uint(v));
        }
        o.with("set size", Value::Own(self.n))
    }
}

/// Negotiate (both parties at once, every difference named on both sides); returns the
/// peer's set size.
pub(crate) async fn handshake(ch: &mut Channel, me: &Hello) -> Result<u64, PsiError> {
    let peer = negotiate(ch, &PSI_PROTOCOL, &wire::Hello::Offer(me.offer()), 4096).await?;
    let n = peer
        .number("set size")
        .ok_or(PsiError::Invalid(InvalidMessage::Invalid {
            message: "PSI offer",
            field: "set size",
            why: "is missing",
        }))?;
    if n > MAX_SET_SIZE {
        return Err(PsiError::TooLarge {
            whose: "the peer's",
            actual: n,
            max: MAX_SET_SIZE,
        });
    }
    Ok(n)
}

pub(crate) fn check_config(cfg: &PsiConfig, n: usize) -> Result<(), PsiError> {
    if !(8..=128).contains(&cfg.sigma) {
        return Err(PsiError::Config(format!(
            "sigma must be 8..=128, got {}",
            cfg.sigma
        )));
    }
    if n as u64 > MAX_SET_SIZE {
        return Err(PsiError::TooLarge {
            whose: "our",
            actual: n as u64,
            max: MAX_SET_SIZE,
        });
    }
    Ok(())
}

pub(crate) fn progress(cfg: &PsiConfig, done: u64, total: u64) {
    if let Some(p) = &cfg.progress {
        p(done, total);
    }
}

pub(crate) fn stats_from(ch: &Channel, start: (u64, u64), n_s: u64, n_r: u64) -> PsiStats {
    PsiStats {
        bytes_sent: ch.bytes_sent() - start.0,
        bytes_received: ch.bytes_received() - start.1,
        sender_size: n_s,
        receiver_size: n_r,
        ..Default::default()
    }
}

/// Run the PSI **receiver** on item hashes `items` (duplicates allowed): learns which of
/// its items the sender also holds.
///
/// # Errors
/// [`PsiError`] on a network failure, a handshake mismatch (role, version, parameters), a
/// malformed peer message, or if cuckoo hashing fails for every seed.
pub async fn receiver(
    ch: &mut Channel,
    items: &[Block],
    cfg: &PsiConfig,
) -> Result<PsiOutput, PsiError> {
    let start = (ch.bytes_sent(), ch.bytes_received());
    check_config(cfg, items.len())?;
    let uniq = dedup_indices(items);
    let ys: Vec<Block> = uniq.iter().map(|&i| items[i as usize]).collect();
    let n_r = ys.len() as u64;
    let hello = Hello::kkrt(Role::Receiver, n_r, cfg.sigma);
    let n_s = handshake(ch, &hello).await?;
    let mut stats = stats_from(ch, start, n_s, n_r);
    if n_r == 0 || n_s == 0 {
        return Ok(PsiOutput {
            intersection: Vec::new(),
            stats,
        });
    }
    let m = num_bins(n_r) as usize;
    let vbytes = value_bytes(cfg.sigma, n_r, n_s);
    let mask = value_mask(vbytes);

    // Cuckoo hashing, re-hashing with fresh (public) seeds on failure.
    let mut seed_prg = match cfg.hash_seed {
        Some(s) => Prg::new(Block(s as u128 | 1 << 127)),
        None => Prg::from_os_rng(),
    };
    let mut bins_of = vec![[0u32; NUM_HASHES]; ys.len()];
    let mut table = None;
    let mut attempts = 0u32;
    let mut seed = Block::ZERO;
    while attempts < cfg.max_attempts.max(1) {
        attempts += 1;
        seed = seed_prg.next_block();
        BinHasher::new(seed, m as u32).bins_many(&ys, &mut bins_of);
        table = cuckoo_insert(&bins_of, m as u32, cfg.max_kicks, seed.0 as u64);
        if table.is_some() {
            break;
        }
        tracing::debug!(
            attempts,
            "cuckoo insertion failed; re-hashing with a new seed"
        );
    }
    drop(bins_of);
    let mut msg = [0u8; 21];
    msg[0] = table.is_some() as u8;
    msg[1..17].copy_from_slice(&seed.to_bytes());
    msg[17..21].copy_from_slice(&attempts.to_le_bytes());
    ch.send(&msg).await?;
    ch.flush().await?;
    let table = table.ok_or(PsiError::Cuckoo { attempts })?;

    // Base OT: we send 512 random seed pairs.
    let mut prg = Prg::from_os_rng();
    let pairs: Vec<[Block; 2]> = (0..KAPPA_STAR)
        .map(|_| [prg.next_block(), prg.next_block()])
        .collect();
    duet_ot::base::send(ch, &pairs).await?;
    let mut oprf = OprfReceiver::new(&pairs);
    drop(pairs);
    let mut cs = [0u8; 16];
    ch.recv_exact(&mut cs).await?;
    let code = Code::new(Block::from_bytes(cs));

    // OT extension chunk by chunk; our own OPRF values go into the match table.
    let total = m as u64 + NUM_HASHES as u64 * n_s;
    let mut matcher = MatchTable::new(ys.len(), m);
    let mut code_rows: Vec<Wide> = Vec::new();
    let (mut inputs, mut occ, mut occ_bins) = (Vec::new(), Vec::new(), Vec::new());
    let (mut codes, mut trows, mut vals) = (Vec::new(), Vec::new(), Vec::new());
    let mut u = Vec::new();
    for c0 in (0..m).step_by(CHUNK_BINS) {
        let b = CHUNK_BINS.min(m - c0);
        inputs.clear();
        occ.clear();
        occ_bins.clear();
        for r in 0..b {
            let item = table.slots[c0 + r];
            if item != EMPTY {
                inputs.push(code_input(ys[item as usize], table.which[c0 + r] as u32));
                occ.push(r);
                occ_bins.push((c0 + r) as u32);
            }
        }
        codes.resize(inputs.len(), [Block::ZERO; 4]);
        code.encode_many(&inputs, &mut codes);
        code_rows.clear();
        code_rows.resize(b, [Block::ZERO; 4]);
        for (&r, cw) in occ.iter().zip(&codes) {
            code_rows[r] = *cw;
        }
        let t = oprf.chunk(&code_rows, &mut u);
        trows.clear();
        trows.extend(occ.iter().map(|&r| t[r]));
        ch.send(Block::slice_as_bytes(&u)).await?;
        vals.resize(occ.len(), 0u128);
        hash_rows(&occ_bins, &trows, mask, &mut vals);
        for (&bin, &v) in occ_bins.iter().zip(&vals) {
            matcher.insert(bin, v);
        }
        progress(cfg, (c0 + b) as u64, total);
    }
    ch.flush().await?;

    // The sender's three permuted value sets.
    let mut found = vec![false; ys.len()];
    let per_read = 1 << 16;
    let mut buf = vec![0u8; per_read * vbytes];
    let mut done = m as u64;
    for h in 0..NUM_HASHES as u8 {
        let mut left = n_s as usize;
        while left > 0 {
            let k = left.min(per_read);
            ch.recv_exact(&mut buf[..k * vbytes]).await?;
            vals.clear();
            vals.extend(buf[..k * vbytes].chunks_exact(vbytes).map(|v| {
                let mut le = [0u8; 16];
                le[..vbytes].copy_from_slice(v);
                u128::from_le_bytes(le)
            }));
            matcher.lookup_many(&vals, |_, bin| {
                if table.which[bin as usize] == h {
                    found[table.slots[bin as usize] as usize] = true;
                }
            });
            left -= k;
            done += k as u64;
            progress(cfg, done, total);
        }
    }
    ch.send(&[1]).await?;
    ch.flush().await?;
    let intersection = uniq
        .iter()
        .zip(&found)
        .filter(|&(_, &f)| f)
        .map(|(&i, _)| i as usize)
        .collect();
    stats = PsiStats {
        bins: m as u64,
        value_bytes: vbytes as u64,
        cuckoo_attempts: attempts,
        ..stats_from(ch, start, n_s, n_r)
    };
    Ok(PsiOutput {
        intersection,
        stats,
    })
}

/// A uniformly random permutation of 0..n (Fisher–Yates over an AES-CTR stream).
pub(crate) fn random_permutation(n: usize, prg: &mut Prg) -> Vec<u32> {
    let mut p: Vec<u32> = (0..n as u32).collect();
    let mut rnd = [Block::ZERO; 64];
    let mut used = rnd.len();
    for i in (1..n).rev() {
        if used == rnd.len() {
            prg.fill_blocks(&mut rnd);
            used = 0;
        }
        let r = rnd[used].0 as u64;
        used += 1;
        let j = ((r as u128 * (i as u128 + 1)) >> 64) as usize;
        p.swap(i, j);
    }
    p
}

/// Run the PSI **sender** on item hashes `items` (duplicates allowed): the receiver learns
/// the intersection, the sender learns nothing.
///
/// # Errors
/// As [`receiver`]; [`PsiError::Cuckoo`] if the receiver reports it could not hash its set.
pub async fn sender(
    ch: &mut Channel,
    items: &[Block],
    cfg: &PsiConfig,
) -> Result<PsiStats, PsiError> {
    let start = (ch.bytes_sent(), ch.bytes_received());
    check_config(cfg, items.len())?;
    let uniq = dedup_indices(items);
    let ys: Vec<Block> = uniq.iter().map(|&i| items[i as usize]).collect();
    drop(uniq);
    let n_s = ys.len() as u64;
    let hello = Hello::kkrt(Role::Sender, n_s, cfg.sigma);
    let n_r = handshake(ch, &hello).await?;
    if n_r == 0 || n_s == 0 {
        return Ok(stats_from(ch, start, n_s, n_r));
    }
    let m = num_bins(n_r) as usize;
    let vbytes = value_bytes(cfg.sigma, n_r, n_s);
    let mask = value_mask(vbytes);

    let mut msg = [0u8; 21];
    ch.recv_exact(&mut msg).await?;
    let attempts = u32::from_le_bytes(msg[17..21].try_into().expect("4 bytes"));
    match msg[0] {
        1 => {}
        0 => return Err(PsiError::Cuckoo { attempts }),
        s => return Err(PsiError::Malformed(format!("cuckoo status {s}"))),
    }
    let seed = Block::from_bytes(msg[1..17].try_into().expect("16 bytes"));
    let mut bins_of = vec![[0u32; NUM_HASHES]; ys.len()];
    BinHasher::new(seed, m as u32).bins_many(&ys, &mut bins_of);
    let buckets = Buckets::new(&bins_of, m as u32);
    drop(bins_of);

    // Base OT: we receive k_i^{s_i} for random s.
    let mut prg = Prg::from_os_rng();
    let mut sb = [Block::ZERO; 4];
    prg.fill_blocks(&mut sb);
    let s: Vec<bool> = (0..KAPPA_STAR).map(|i| sb[i / 128].bit(i % 128)).collect();
    let keys = duet_ot::base::receive(ch, &s).await?;
    if keys.len() != KAPPA_STAR {
        return Err(PsiError::Malformed(format!(
            "base OT gave {} keys, expected {KAPPA_STAR}",
            keys.len()
        )));
    }
    let mut oprf = OprfSender::new(s, &keys);
    drop(keys);
    let code_seed = prg.next_block();
    ch.send(&code_seed.to_bytes()).await?;
    ch.flush().await?;
    let code = Code::new(code_seed);
    let sw = *oprf.s_wide();
    let perms: Vec<Vec<u32>> = (0..NUM_HASHES)
        .map(|_| random_permutation(ys.len(), &mut prg))
        .collect();

    let total = m as u64 + NUM_HASHES as u64 * n_s;
    let n = ys.len();
    let mut out = vec![0u8; NUM_HASHES * n * vbytes];
    let mut ubuf: Vec<Block> = Vec::new();
    let (mut inputs, mut codes, mut bins, mut vals) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    const BATCH: usize = 2048;
    for (ci, c0) in (0..m).step_by(CHUNK_BINS).enumerate() {
        let b = CHUNK_BINS.min(m - c0);
        ubuf.resize(KAPPA_STAR * b / 128, Block::ZERO);
        ch.recv_exact(Block::slice_as_bytes_mut(&mut ubuf)).await?;
        let q = oprf.chunk(b, &ubuf);
        for batch in buckets.chunk(ci).chunks(BATCH) {
            inputs.clear();
            inputs.extend(
                batch
                    .iter()
                    .map(|&(item, bk)| code_input(ys[item as usize], bk & 3)),
            );
            codes.resize(batch.len(), [Block::ZERO; 4]);
            code.encode_many(&inputs, &mut codes);
            bins.clear();
            bins.extend(batch.iter().map(|&(_, bk)| bk >> 2));
            for (cw, &bin) in codes.iter_mut().zip(&bins) {
                let row = &q[bin as usize - c0];
                for l in 0..4 {
                    cw[l] = row[l] ^ (cw[l] & sw[l]);
                }
            }
            vals.resize(batch.len(), 0u128);
            hash_rows(&bins, &codes, mask, &mut vals);
            for (&(item, bk), &v) in batch.iter().zip(&vals) {
                let h = (bk & 3) as usize;
                let pos = (h * n + perms[h][item as usize] as usize) * vbytes;
                out[pos..pos + vbytes].copy_from_slice(&v.to_le_bytes()[..vbytes]);
            }
        }
        progress(cfg, (c0 + b) as u64, total);
    }
    drop(perms);
    let step = (1 << 16) * vbytes;
    let mut done = m as u64;
    for piece in out.chunks(step) {
        ch.send(piece).await?;
        done += (piece.len() / vbytes) as u64;
        progress(cfg, done, total);
    }
    ch.flush().await?;
    let mut ack = [0u8; 1];
    ch.recv_exact(&mut ack).await?;
    if ack[0] != 1 {
        return Err(PsiError::Malformed(format!(
            "final acknowledgement {}",
            ack[0]
        )));
    }
    Ok(PsiStats {
        bins: m as u64,
        value_bytes: vbytes as u64,
        cuckoo_attempts: attempts,
        ..stats_from(ch, start, n_s, n_r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permutation_is_a_permutation() {
        let mut prg = Prg::new(Block(1));
        let p = random_permutation(1000, &mut prg);
        let mut s = p.clone();
        s.sort();
        assert_eq!(s, (0..1000).collect::<Vec<u32>>());
        assert_ne!(p, s);
        assert!(random_permutation(0, &mut prg).is_empty());
        assert_eq!(random_permutation(1, &mut prg), vec![0]);
    }
}
