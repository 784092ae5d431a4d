//! PSI-cardinality: the receiver learns only |X ∩ Y| (and both set sizes), built by
//! composing the RR22 OPRF and OKVS of this crate with a garbled comparison.
//!
//! The construction is the OPPRF-based circuit PSI of Pinkas–Schneider–Tkachenko–Yanai
//! ("Efficient Circuit-based PSI with Linear Communication", Eurocrypt 2019, §5–6: cuckoo
//! hashing, an OPPRF per bin, then a circuit on the per-bin values), with the OPPRF made
//! from an OPRF plus an OKVS as in volePSI's circuit PSI (RR22, CCS 2022, and Rindal–Schoppmann
//! "VOLE-PSI", Eurocrypt 2021, §5), and a circuit that only *counts* the matching bins, so
//! that its single output is the cardinality.
//!
//! **Security: semi-honest parties.** The receiver (evaluator) learns the count; the sender
//! (garbler) learns nothing.
//!
//! # Protocol (R = receiver with Y, learns the count; S = sender with X)
//! 1. Hello ([`super::protocol`]'s frame, protocol id 2, the RR22 parameters).
//! 2. R cuckoo-hashes Y into β = [`num_bins`]`(n_R)` bins with 3 hash functions (as KKRT16
//!    does, re-hashing on failure) and sends the public seed; S computes the 3 bins of every x.
//! 3. RR22 OPRF ([`super::rr22`], steps 2–3): R is the OPRF receiver on the keys
//!    `k(y, j) = TCCR(j, y)` of its placed items (j = the hash function that placed y), S
//!    holds the key and evaluates `F` on `k(x, j)` for all its x and j ∈ {0, 1, 2}.
//! 4. OPPRF: S draws a random ℓ-bit `t_b` per bin and sends the OKVS
//!    `Q = Encode({k(x, j) ↦ F(k(x, j)) ⊕ t_{h_j(x)}})` (3·n_S keys, reseeding on failure).
//!    For the bin b of y, R computes `u_b = Decode(Q, k(y, j)) ⊕ F(k(y, j))`, which is
//!    `t_b` if y ∈ X and pseudorandom otherwise; empty bins get a random `u_b`.
//! 5. A garbled circuit (S garbles, R evaluates, `duet_gc` half-gates, output to R only):
//!    per bin `[u_b = t_b]` on ℓ' = σ + ⌈log2 β⌉ bits (ℓ' − 1 ANDs), then the popcount of the
//!    β bits (β − H(β) ANDs). R learns the count.
//!
//! False matches: per bin 2^-ℓ', so ≤ 2^-σ over all bins.

#![forbid(unsafe_code)]

use super::cuckoo::{BinHasher, EMPTY, cuckoo_insert};
use super::okvs::{Okvs, OkvsParams, encode_reseeding};
use super::protocol::stats_from;
use super::rr22::{CotSource, Phases, SetupMsg, receiver_vole, sender_vole, start, with_source};
use super::*;
use duet_circuits::Bits;
use duet_circuits::builder::CircuitBuilder;
use duet_core::{Delta, FIXED_KEY_AES, Prg};
use duet_gc::{OutputPolicy, Session, SessionOptions};
use duet_net::Channel;
use duet_ot::ferret::{FerretParams, FerretReceiver, FerretSender};
use duet_ot::{IknpReceiver, IknpSender, RandomCotReceiver, RandomCotSender, Security};

/// The receiver's result.
#[derive(Clone, Debug, Default)]
pub struct CardinalityOutput {
    /// |X ∩ Y| (de-duplicated).
    pub count: u64,
    /// Costs (`bins` = β cuckoo bins, `value_bytes` = ⌈ℓ/8⌉).
    pub stats: PsiStats,
}

/// The OPRF key of an item placed by hash function `j`: TCCR(j, y).
fn bin_keys(items: &[Block], js: &[u32]) -> Vec<Block> {
    let mut out = items.to_vec();
    let tweaks: Vec<Block> = js
        .iter()
        .map(|&j| Block(0xca7d << 64 | j as u128))
        .collect();
    FIXED_KEY_AES.tccr_many(&tweaks, &mut out);
    out
}

/// Bits compared per bin: σ + ⌈log2 β⌉, at most ℓ.
fn compare_bits(sigma: u32, bins: u64, ell: usize) -> usize {
    let lg = 64 - bins.max(2).saturating_sub(1).leading_zeros();
    ((sigma + lg) as usize).min(ell)
}

/// Bins per garbled-circuit instance (the last instance is padded with bins that never
/// match).
pub const GC_BINS: usize = 512;
/// Width of the masked partial counts.
const COUNT_BITS: usize = 32;

/// The counting circuit of one instance: garbler inputs `t` (`bins·bits` bits) and a mask
/// `r` (32 bits), evaluator input `u` (`bins·bits` bits); one output, `r + #{i : t_i = u_i}`
/// mod 2^32 (so the evaluator learns only masked partial counts; the garbler sends `Σ r` at
/// the end). `bins·(bits − 1)` ANDs for the equalities, `bins − H(bins)` for the popcount,
/// 31 for the addition.
///
/// # Errors
/// [`PsiError::Config`] if the circuit is too large for the builder.
pub fn count_circuit(bins: usize, bits: usize) -> Result<duet_circuits::Circuit, PsiError> {
    let mut b = CircuitBuilder::new();
    let g = b.input(bins * bits);
    let r = b.input(COUNT_BITS);
    let e = b.input(bins * bits);
    let eqs: Vec<_> = (0..bins)
        .map(|i| b.eq(&g[i * bits..(i + 1) * bits], &e[i * bits..(i + 1) * bits]))
        .collect();
    let count = b.popcount(&eqs);
    let count = b.zero_extend(&count, COUNT_BITS);
    let masked = b.add(&count, &r);
    b.output(&masked);
    b.build()
        .map_err(|e| PsiError::Config(format!("counting circuit: {e}")))
}

fn to_bits(vals: &[u128], bits: usize) -> Bits {
    let mut out = Bits::repeat(false, vals.len() * bits);
    for (i, &v) in vals.iter().enumerate() {
        for k in 0..bits {
            out.set(i * bits + k, (v >> k) & 1 == 1);
        }
    }
    out
}

/// Run the PSI-cardinality **receiver**: learns |X ∩ Y| for its `items` (duplicates
/// allowed), with COTs from `source`. Takes the channel (the garbled-circuit session owns
/// it for the last step) and gives it back.
///
/// # Errors
/// As [`rr22::receiver`]; [`PsiError::Cuckoo`] if cuckoo hashing fails for every seed;
/// [`PsiError::Gc`] if the garbled circuit fails.
pub async fn receiver(
    mut ch: Channel,
    items: &[Block],
    cfg: &PsiConfig,
    source: CotSource,
) -> Result<(CardinalityOutput, Channel), PsiError> {
    let st = start(
        &mut ch,
        items,
        cfg,
        Role::Receiver,
        source,
        Protocol::Rr22Cardinality,
    )
    .await?;
    if st.ys.is_empty() || st.n_peer == 0 {
        let stats = stats_from(&ch, st.start, st.n_peer, st.ys.len() as u64);
        return Ok((CardinalityOutput { count: 0, stats }, ch));
    }
    let c = &mut ch;
    let out = with_source!(
        source,
        c,
        recv | cot | receiver_pre(c, &mut cot, &st, cfg).await
    )?;
    receiver_post(ch, st, cfg, out).await
}

/// [`receiver`] with a COT source the caller set up.
///
/// # Errors
/// As [`receiver`].
pub async fn receiver_with<R: RandomCotReceiver>(
    mut ch: Channel,
    cot: &mut R,
    items: &[Block],
    cfg: &PsiConfig,
) -> Result<(CardinalityOutput, Channel), PsiError> {
    let st = start(
        &mut ch,
        items,
        cfg,
        Role::Receiver,
        CotSource::External,
        Protocol::Rr22Cardinality,
    )
    .await?;
    if st.ys.is_empty() || st.n_peer == 0 {
        let stats = stats_from(&ch, st.start, st.n_peer, st.ys.len() as u64);
        return Ok((CardinalityOutput { count: 0, stats }, ch));
    }
    let out = receiver_pre(&mut ch, cot, &st, cfg).await?;
    receiver_post(ch, st, cfg, out).await
}

/// The receiver's per-bin values u_b, ℓ' and the cuckoo attempts.
struct ReceiverBins {
    u: Vec<u128>,
    bits: usize,
    vbytes: usize,
    attempts: u32,
    phases: Phases,
}

async fn receiver_pre<R: RandomCotReceiver>(
    ch: &mut Channel,
    cot: &mut R,
    st: &Started,
    cfg: &PsiConfig,
) -> Result<ReceiverBins, PsiError> {
    let mut phases = Phases::new();
    let (ys, n_s) = (&st.ys, st.n_peer);
    let beta = num_bins(ys.len() as u64) as usize;
    let mut seed_prg = match cfg.hash_seed {
        Some(s) => Prg::new(Block(s as u128 | 1 << 125)),
        None => Prg::from_os_rng(),
    };
    let mut bins_of = vec![[0u32; NUM_HASHES]; ys.len()];
    let (mut table, mut attempts, mut seed) = (None, 0u32, Block::ZERO);
    while attempts < cfg.max_attempts.max(1) && table.is_none() {
        attempts += 1;
        seed = seed_prg.next_block();
        BinHasher::new(seed, beta as u32).bins_many(ys, &mut bins_of);
        table = cuckoo_insert(&bins_of, beta as u32, cfg.max_kicks, seed.0 as u64);
    }
    let mut msg = [0u8; 21];
    msg[0] = table.is_some() as u8;
    msg[1..17].copy_from_slice(&seed.to_bytes());
    msg[17..21].copy_from_slice(&attempts.to_le_bytes());
    ch.send(&msg).await?;
    ch.flush().await?;
    let table = table.ok_or(PsiError::Cuckoo { attempts })?;
    let occ: Vec<usize> = (0..beta).filter(|&b| table.slots[b] != EMPTY).collect();
    let placed: Vec<Block> = occ.iter().map(|&b| ys[table.slots[b] as usize]).collect();
    let js: Vec<u32> = occ.iter().map(|&b| table.which[b] as u32).collect();
    let keys = bin_keys(&placed, &js);
    phases.mark("cuckoo");

    let vole = receiver_vole(ch, cot, &keys, 3 * n_s, cfg, &mut phases).await?;
    let f = vole.values(&keys);
    let vbytes = vole.vbytes;
    // The sender's OPPRF table Q.
    let mut raw = [0u8; rr22::SETUP_LEN];
    ch.recv_exact(&mut raw).await?;
    let (qmsg, qparams) = SetupMsg::decode(&raw, 3 * n_s)?;
    let mut qbytes = vec![0u8; qparams.size() * vbytes];
    ch.recv_exact(&mut qbytes).await?;
    let q: Vec<Block> = qbytes
        .chunks_exact(vbytes)
        .map(|v| {
            let mut le = [0u8; 16];
            le[..vbytes].copy_from_slice(v);
            Block(u128::from_le_bytes(le))
        })
        .collect();
    drop(qbytes);
    let mut dq = vec![Block::ZERO; keys.len()];
    Okvs::new(qparams, qmsg.seed).decode(&q, &keys, &mut dq);
    let bits = compare_bits(cfg.sigma, beta as u64, 8 * vbytes);
    let mut u = vec![0u128; beta];
    let mut rnd = Prg::from_os_rng();
    for x in u.iter_mut() {
        *x = rnd.next_block().0;
    }
    for ((&b, d), fv) in occ.iter().zip(&dq).zip(&f) {
        u[b] = d.0 ^ fv;
    }
    let mask = if bits >= 128 {
        u128::MAX
    } else {
        (1 << bits) - 1
    };
    for x in u.iter_mut() {
        *x &= mask;
    }
    phases.mark("opprf");
    Ok(ReceiverBins {
        u,
        bits,
        vbytes,
        attempts,
        phases,
    })
}

async fn receiver_post(
    ch: Channel,
    st: Started,
    _cfg: &PsiConfig,
    mut rb: ReceiverBins,
) -> Result<(CardinalityOutput, Channel), PsiError> {
    let beta = rb.u.len();
    let circuit = duet_gc::Prepared::new(count_circuit(GC_BINS, rb.bits)?);
    let pad = if rb.bits >= 128 {
        u128::MAX
    } else {
        (1 << rb.bits) - 1
    };
    let instances: Vec<Vec<(usize, Bits)>> =
        rb.u.chunks(GC_BINS)
            .map(|c| {
                let mut v = c.to_vec();
                v.resize(GC_BINS, pad);
                vec![(2, to_bits(&v, rb.bits))]
            })
            .collect();
    let mut s = Session::evaluator(ch, SessionOptions::default()).await?;
    let outs = s
        .run_many(&circuit, &instances, OutputPolicy::Evaluator)
        .await?;
    let mut ch = s.into_channel();
    let mut sum = 0u32;
    for out in &outs {
        let word = out
            .first()
            .filter(|w| w.len() == COUNT_BITS)
            .ok_or_else(|| PsiError::Malformed("a counting circuit without its output".into()))?;
        sum = sum.wrapping_add((0..COUNT_BITS).fold(0u32, |a, k| a | (u32::from(word[k]) << k)));
    }
    let mut masks = [0u8; 4];
    ch.recv_exact(&mut masks).await?;
    let count = sum.wrapping_sub(u32::from_le_bytes(masks)) as u64;
    if count > st.ys.len().min(st.n_peer as usize) as u64 {
        return Err(PsiError::Malformed(format!(
            "a count of {count} for sets of {} and {}",
            st.ys.len(),
            st.n_peer
        )));
    }
    rb.phases.mark("circuit");
    let stats = PsiStats {
        bins: beta as u64,
        value_bytes: rb.vbytes as u64,
        cuckoo_attempts: rb.attempts,
        phases: {
            let mut p = st.phases.done.clone();
            p.extend(rb.phases.done);
            p
        },
        ..stats_from(&ch, st.start, st.n_peer, st.ys.len() as u64)
    };
    Ok((CardinalityOutput { count, stats }, ch))
}

/// Run the PSI-cardinality **sender** on its `items` (duplicates allowed): the receiver
/// learns |X ∩ Y|, the sender nothing. Takes the channel and gives it back.
///
/// # Errors
/// As [`rr22::sender`]; [`PsiError::Cuckoo`] if the receiver reports its cuckoo hashing
/// failed; [`PsiError::Gc`] if the garbled circuit fails.
pub async fn sender(
    mut ch: Channel,
    items: &[Block],
    cfg: &PsiConfig,
    source: CotSource,
) -> Result<(PsiStats, Channel), PsiError> {
    let st = start(
        &mut ch,
        items,
        cfg,
        Role::Sender,
        source,
        Protocol::Rr22Cardinality,
    )
    .await?;
    if st.ys.is_empty() || st.n_peer == 0 {
        return Ok((stats_from(&ch, st.start, st.ys.len() as u64, st.n_peer), ch));
    }
    let c = &mut ch;
    let t = with_source!(
        source,
        c,
        send | cot | sender_pre(c, &mut cot, &st, cfg).await
    )?;
    sender_post(ch, st, t).await
}

/// [`sender`] with a COT source the caller set up.
///
/// # Errors
/// As [`sender`].
pub async fn sender_with<S: RandomCotSender>(
    mut ch: Channel,
    cot: &mut S,
    items: &[Block],
    cfg: &PsiConfig,
) -> Result<(PsiStats, Channel), PsiError> {
    let st = start(
        &mut ch,
        items,
        cfg,
        Role::Sender,
        CotSource::External,
        Protocol::Rr22Cardinality,
    )
    .await?;
    if st.ys.is_empty() || st.n_peer == 0 {
        return Ok((stats_from(&ch, st.start, st.ys.len() as u64, st.n_peer), ch));
    }
    let t = sender_pre(&mut ch, cot, &st, cfg).await?;
    sender_post(ch, st, t).await
}

struct SenderBins {
    t: Vec<u128>,
    bits: usize,
    vbytes: usize,
    attempts: u32,
    phases: Phases,
}

async fn sender_pre<S: RandomCotSender>(
    ch: &mut Channel,
    cot: &mut S,
    st: &Started,
    cfg: &PsiConfig,
) -> Result<SenderBins, PsiError> {
    let mut phases = Phases::new();
    let (xs, n_r) = (&st.ys, st.n_peer);
    let n_s = xs.len();
    let beta = num_bins(n_r) as usize;
    let mut msg = [0u8; 21];
    ch.recv_exact(&mut msg).await?;
    let attempts = u32::from_le_bytes(msg[17..21].try_into().expect("4 bytes"));
    match msg[0] {
        1 => {}
        0 => return Err(PsiError::Cuckoo { attempts }),
        s => return Err(PsiError::Malformed(format!("cuckoo status {s}"))),
    }
    let seed = Block::from_bytes(msg[1..17].try_into().expect("16 bytes"));
    let mut bins_of = vec![[0u32; NUM_HASHES]; n_s];
    BinHasher::new(seed, beta as u32).bins_many(xs, &mut bins_of);
    let mut all = Vec::with_capacity(3 * n_s);
    let mut js = Vec::with_capacity(3 * n_s);
    for &x in xs.iter() {
        for j in 0..NUM_HASHES as u32 {
            all.push(x);
            js.push(j);
        }
    }
    let keys = bin_keys(&all, &js);
    drop(all);
    phases.mark("cuckoo");

    let vole = sender_vole(ch, cot, n_r, 3 * n_s as u64, cfg, &mut phases).await?;
    let f = vole.values(&keys);
    let vbytes = vole.vbytes;
    let mask = duet_ot::oprf::value_mask(vbytes);
    let mut prg = Prg::from_os_rng();
    let t: Vec<u128> = (0..beta).map(|_| prg.next_block().0 & mask).collect();
    let vals: Vec<Block> = (0..3 * n_s)
        .map(|i| Block(f[i] ^ t[bins_of[i / 3][i % 3] as usize]))
        .collect();
    let params = OkvsParams::new(keys.len(), cfg.sigma);
    let enc = encode_reseeding(
        params,
        &keys,
        &vals,
        mask,
        || prg.next_block(),
        &mut Prg::from_os_rng(),
        cfg.max_attempts,
    );
    let head = SetupMsg::new(
        enc.is_ok(),
        enc.as_ref().map_or(Block::ZERO, |e| e.0.seed()),
        enc.as_ref().map_or(cfg.max_attempts.max(1), |e| e.2),
        &params,
    );
    ch.send(&head.encode()).await?;
    let (_, q, _) = enc?;
    let mut qbytes = Vec::with_capacity(q.len() * vbytes);
    for v in &q {
        qbytes.extend_from_slice(&v.0.to_le_bytes()[..vbytes]);
    }
    ch.send(&qbytes).await?;
    ch.flush().await?;
    let bits = compare_bits(cfg.sigma, beta as u64, 8 * vbytes);
    let cmask = if bits >= 128 {
        u128::MAX
    } else {
        (1 << bits) - 1
    };
    phases.mark("opprf");
    Ok(SenderBins {
        t: t.into_iter().map(|x| x & cmask).collect(),
        bits,
        vbytes,
        attempts,
        phases,
    })
}

async fn sender_post(
    ch: Channel,
    st: Started,
    mut sb: SenderBins,
) -> Result<(PsiStats, Channel), PsiError> {
    let beta = sb.t.len();
    let circuit = duet_gc::Prepared::new(count_circuit(GC_BINS, sb.bits)?);
    let mut prg = Prg::from_os_rng();
    let mut total = 0u32;
    let instances: Vec<Vec<(usize, Bits)>> =
        sb.t.chunks(GC_BINS)
            .map(|c| {
                let mut v = c.to_vec();
                v.resize(GC_BINS, 0);
                let r = prg.next_block().0 as u32;
                total = total.wrapping_add(r);
                vec![
                    (0, to_bits(&v, sb.bits)),
                    (1, to_bits(&[r as u128], COUNT_BITS)),
                ]
            })
            .collect();
    let mut s = Session::garbler(ch, SessionOptions::default()).await?;
    s.run_many(&circuit, &instances, OutputPolicy::Evaluator)
        .await?;
    let mut ch = s.into_channel();
    ch.send(&total.to_le_bytes()).await?;
    ch.flush().await?;
    sb.phases.mark("circuit");
    let stats = PsiStats {
        bins: beta as u64,
        value_bytes: sb.vbytes as u64,
        cuckoo_attempts: sb.attempts,
        phases: {
            let mut p = st.phases.done.clone();
            p.extend(sb.phases.done);
            p
        },
        ..stats_from(&ch, st.start, st.ys.len() as u64, st.n_peer)
    };
    Ok((stats, ch))
}

use super::rr22::Started;

#[cfg(test)]
mod tests {
    use super::*;
    use duet_circuits::eval::evaluate;
    use duet_net::{ChannelConfig, duplex_pair};
    use duet_ot::ideal::IdealCot;
    use std::collections::HashSet;

    fn blocks(n: usize, seed: u128) -> Vec<Block> {
        let mut v = vec![Block::ZERO; n];
        Prg::new(Block(seed)).fill_blocks(&mut v);
        v
    }

    #[test]
    fn the_circuit_counts_equal_pairs() {
        let c = count_circuit(5, 6).expect("circuit");
        assert_eq!(c.and_count(), 5 * 5 + (5 - 2) + 31);
        let t = [1u128, 2, 3, 63, 0];
        let u = [1u128, 3, 3, 63, 1];
        for r in [0u128, 7, u32::MAX as u128] {
            let out =
                evaluate(&c, &[to_bits(&t, 6), to_bits(&[r], 32), to_bits(&u, 6)]).expect("eval");
            let n = (0..32).fold(0u32, |a, k| a | (u32::from(out[0][k]) << k));
            assert_eq!(n, (r as u32).wrapping_add(3));
        }
    }

    async fn run(s: Vec<Block>, r: Vec<Block>) -> (u64, PsiStats) {
        let (a, b) = duplex_pair(&ChannelConfig::default());
        let (mut cs, mut cr) = IdealCot::pair(Block(77));
        let st = tokio::spawn(async move {
            sender_with(a, &mut cs, &s, &PsiConfig::default())
                .await
                .map(|x| x.0)
        });
        let (out, _) = receiver_with(b, &mut cr, &r, &PsiConfig::default())
            .await
            .expect("receiver");
        st.await.expect("task").expect("sender");
        (out.count, out.stats)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn counts_equal_the_plain_intersection_size() {
        let r = blocks(700, 1);
        for (ns, common) in [(500usize, 123usize), (900, 0), (50, 50), (700, 700)] {
            let mut s = blocks(ns, ns as u128 + 5);
            s[..common].copy_from_slice(&r[..common]);
            let want = {
                let rs: HashSet<Block> = r.iter().copied().collect();
                s.iter()
                    .collect::<HashSet<_>>()
                    .into_iter()
                    .filter(|x| rs.contains(x))
                    .count()
            };
            let (count, stats) = run(s, r.clone()).await;
            assert_eq!(count, want as u64, "ns {ns} common {common}");
            assert!(stats.bytes_sent > 0);
        }
        let (count, _) = run(Vec::new(), r.clone()).await;
        assert_eq!(count, 0);
        let (count, _) = run(vec![r[3], r[3], r[4]], vec![r[3]]).await;
        assert_eq!(count, 1);
    }
}
