//! An oblivious key-value store (OKVS): the 3-hash garbled cuckoo table with binary dense
//! columns ("paxos") of Raghuraman–Rindal, "Blazing Fast PSI from Improved OKVS and Subfield
//! VOLE", CCS 2022, eprint 2022/320, §2 Fig. 1 and §4 (parameters).
//!
//! An OKVS maps `n` distinct keys with values `v_i` to a vector `P` of `m` blocks such that
//! `Decode(P, k_i) = ⟨row(k_i), P⟩ = v_i`, and a key outside the set decodes to a value
//! independent of the set (when the free positions of `P` are filled at random, as
//! [`Okvs::encode`] does). Here `row(k) = row'(k) ‖ row^(k)` with `row'(k)` of weight
//! w = 3 over the `m'` sparse columns and `row^(k)` a uniformly random *binary* vector over
//! `d` dense columns; all arithmetic is over GF(2), values are [`Block`]s (GF(2^128), or any
//! GF(2)-subspace of it: XOR is all the decoder does).
//!
//! # Why paxos (w = 3) and not the band OKVS
//! - **Decoding speed** (what the PSI sender pays per item): 3 random reads plus `⌈d/8⌉`
//!   lookups into 256-entry tables of dense-column combinations that stay in L1; a band OKVS
//!   of Bienstock–Patel–Seo–Yeo (USENIX Security 2023) XORs ≈ w/2 ≈ 60 blocks per key for
//!   the band widths that give 2^-40 at ε ≈ 0.1.
//! - **Expansion**: m'/n = e ≈ 1.223 at n = 2^20 (RR22 eq. 2–3) plus `d ≤ 64` dense
//!   columns, against ≈ 1.03–1.1 for a band OKVS: the band is more compact, paxos is faster.
//! - **Encoding speed**: linear-time peeling (RR22 §4.3: optimal when the 2-core is empty)
//!   plus Gaussian elimination of the small 2-core.
//! - **Failure probability ≤ 2^-σ**: RR22 §4.2 fits the phase transition of random
//!   3-hypergraphs: `log2(λ/e) = 0.555·log2 n + 0.093·w'^3 − 1.010·w'^2 + 2.925·w' − 0.133`
//!   (w' = log2 3), `λ = slope·(e − 1.223) − 9.2`, solved for e with λ = σ; the gap bound
//!   `ĝ = ⌊σ / ((w − 2)·log2(e·n))⌋`; with binary dense columns `d = ĝ + σ` (the same
//!   choice as volePSI's binary dense type). [`OkvsParams::new`] computes exactly this.
//!
//! # Encoding (RR22 Fig. 1, with an exact core solve)
//! 1. Hash every key to its row (keyed AES under the public instance seed `r`).
//! 2. Peel: repeatedly take a sparse column with one remaining row, make it that row's
//!    pivot and remove the row (the triangulation of RR22 Fig. 1 step 2).
//! 3. The rows left (the 2-core, usually empty or a handful) are solved by Gaussian
//!    elimination over *all* their unknowns (their sparse columns and the `d` dense columns).
//!    If they are linearly dependent the encoding **fails**: [`OkvsError::Singular`], and the
//!    caller reseeds ([`encode_reseeding`]) — never a wrong answer. This solves every system
//!    RR22's gap elimination solves (it uses a superset of its unknowns), so its failure
//!    bound holds.
//! 4. Free positions are filled from the caller's PRG (masked to the value subspace), then
//!    back-substitution in reverse peeling order sets each pivot.
//!
//! # Bins
//! Above [`BIN_TARGET`] keys the store is split into independent tables ("clustering", RR22
//! §6.1, volePSI's Baxos): a key's bin comes from its own hash, each bin is sized for the
//! binomial-tail capacity at 2^-σ and encoded at σ + log2(bins), so every table stays in L2
//! while it is peeled. A bin over capacity is an encoding failure (reseed), like a singular
//! core.
//!
//! Keys must be distinct (two equal keys are two equal rows: always singular).

#![forbid(unsafe_code)]

use duet_core::{AesEcb, Block, Prg};

#[cfg(test)]
mod tests;

/// Row weight w over the sparse columns.
pub const WEIGHT: usize = 3;
/// The largest number of dense columns (σ + ĝ must fit).
pub const MAX_DENSE: usize = 128;
/// The largest 2-core solved by elimination; a larger core is reported as a failure (it has
/// negligible probability at the parameters of [`OkvsParams::new`]).
pub const MAX_CORE: usize = 4096;
/// Keys hashed per AES batch when decoding.
const BATCH: usize = 256;

/// Errors of OKVS encoding.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OkvsError {
    /// The 2-core left by peeling is linearly dependent (or larger than [`MAX_CORE`]): this
    /// seed cannot encode these keys; try another seed.
    #[error("OKVS encoding failed for this seed: {core} rows in the 2-core, rank {rank}")]
    Singular {
        /// rows in the 2-core
        core: usize,
        /// their rank (0 if the core was too large to solve)
        rank: usize,
    },
    /// Every seed tried failed.
    #[error("OKVS encoding failed with {attempts} different seeds")]
    Exhausted {
        /// seeds tried
        attempts: u32,
    },
    /// Keys and values differ in number, or exceed the capacity of the parameters.
    #[error("OKVS shape: {0}")]
    Shape(String),
}

/// The shape of an OKVS: `bins` independent tables (RR22 §6.1's clustering, volePSI's
/// "Baxos"), each of `sparse` (m') + `dense` (d) columns sized for `bin_cap` keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OkvsParams {
    n: usize,
    bins: usize,
    bin_cap: usize,
    sparse: usize,
    dense: usize,
}

/// Expected keys per bin when binning (RR22 §6.1 uses clusters of 2^14; 2^15 keeps the
/// capacity slack near 4 % and a bin (≈ 0.65 MB) in L2).
pub const BIN_TARGET: usize = 1 << 15;

/// The smallest load `c` such that `bins · P[Binomial(n, 1/bins) > c] ≤ 2^-sigma`.
fn bin_capacity(n: usize, bins: usize, sigma: u32) -> usize {
    if bins <= 1 {
        return n;
    }
    let p = 1.0 / bins as f64;
    let (nf, lq) = (n as f64, (1.0 - p).ln());
    // log pmf(k) by the ratio pmf(k+1)/pmf(k) = (n-k)/(k+1) · p/(1-p), from k = 0.
    let target = -(sigma as f64) * std::f64::consts::LN_2 - (bins as f64).ln();
    let mut logpmf = nf * lq;
    let mut pmfs = Vec::with_capacity(n.min(1 << 22) + 1);
    for k in 0..=n {
        pmfs.push(logpmf);
        if k == n {
            break;
        }
        logpmf += ((nf - k as f64) / (k as f64 + 1.0)).ln() + (p / (1.0 - p)).ln();
        if k as f64 > nf * p && logpmf < target - 60.0 {
            break;
        }
    }
    // tail(c) = Σ_{k > c} pmf(k); scan c downwards from the end.
    let mut tail = f64::NEG_INFINITY;
    let mut c = pmfs.len();
    while c > 0 {
        let lp = pmfs[c - 1];
        let t = if tail == f64::NEG_INFINITY {
            lp
        } else {
            tail.max(lp) + (1.0 + (-(tail - lp).abs()).exp()).ln()
        };
        if t > target {
            return c.min(n);
        }
        tail = t;
        c -= 1;
    }
    0
}

impl OkvsParams {
    /// RR22's parameters for `n` keys at statistical security `sigma` (bits). Up to
    /// [`BIN_TARGET`] keys: one table, sparse columns `m' = ⌈e·n⌉` (at least 8) and dense
    /// columns `d = ĝ + σ` (see the module doc). Above: `⌈n / 2^15⌉` bins of capacity
    /// `bin_cap` (overflow probability ≤ 2^-σ, binomial tail), each a table for `bin_cap`
    /// keys at σ + ⌈log2 bins⌉ (a union bound over the bins).
    ///
    /// # Panics
    /// If `sigma` is 0 or `σ + ĝ` exceeds [`MAX_DENSE`] (σ ≤ 80 always fits).
    pub fn new(n: usize, sigma: u32) -> Self {
        assert!(sigma > 0, "sigma must be positive");
        if n <= BIN_TARGET {
            let (sparse, dense) = Self::table(n, sigma);
            return OkvsParams {
                n,
                bins: 1,
                bin_cap: n,
                sparse,
                dense,
            };
        }
        let bins = n.div_ceil(BIN_TARGET);
        let bin_cap = bin_capacity(n, bins, sigma);
        let s2 = sigma + (usize::BITS - (bins - 1).leading_zeros());
        let (sparse, dense) = Self::table(bin_cap, s2);
        OkvsParams {
            n,
            bins,
            bin_cap,
            sparse,
            dense,
        }
    }

    /// One table's (sparse, dense) for `n` keys at `sigma`: RR22 eq. 2–3.
    fn table(n: usize, sigma: u32) -> (usize, usize) {
        let logn = (n.max(1) as f64).log2();
        let lw = (WEIGHT as f64).log2();
        let log_slope = 0.555 * logn + 0.093 * lw.powi(3) - 1.010 * lw.powi(2) + 2.925 * lw - 0.133;
        let e = 1.223 + (sigma as f64 + 9.2) / log_slope.exp2();
        let sparse = ((e * n as f64).ceil() as usize).max(8);
        let gap = (sigma as f64 / (sparse as f64).log2()).floor() as usize;
        let dense = gap + sigma as usize;
        assert!(
            dense <= MAX_DENSE,
            "sigma {sigma} needs {dense} dense columns"
        );
        (sparse, dense)
    }

    /// Explicit sizes: `bins` tables of `sparse` + `dense` columns, each for at most
    /// `bin_cap` keys (for tests and for a peer's declared shape; validate it first).
    ///
    /// # Errors
    /// [`OkvsError::Shape`] unless `sparse ≥ 4`, `dense ≤ MAX_DENSE` and `bins ≥ 1`.
    pub fn with_sizes(
        n: usize,
        bins: usize,
        bin_cap: usize,
        sparse: usize,
        dense: usize,
    ) -> Result<Self, OkvsError> {
        if sparse < WEIGHT + 1 || dense > MAX_DENSE || bins == 0 {
            return Err(OkvsError::Shape(format!(
                "{bins} bins of {sparse} sparse columns (at least {}) and {dense} dense (at most {MAX_DENSE})",
                WEIGHT + 1
            )));
        }
        Ok(OkvsParams {
            n,
            bins,
            bin_cap,
            sparse,
            dense,
        })
    }

    /// Capacity in keys.
    pub fn capacity(&self) -> usize {
        self.n
    }
    /// Number of bins (tables).
    pub fn bins(&self) -> usize {
        self.bins
    }
    /// Keys one bin may hold.
    pub fn bin_cap(&self) -> usize {
        self.bin_cap
    }
    /// Sparse columns m' per bin.
    pub fn sparse(&self) -> usize {
        self.sparse
    }
    /// Dense columns d per bin.
    pub fn dense(&self) -> usize {
        self.dense
    }
    /// Blocks per bin.
    pub fn bin_size(&self) -> usize {
        self.sparse + self.dense
    }
    /// Total size m = bins · (m' + d) in blocks.
    pub fn size(&self) -> usize {
        self.bins * (self.sparse + self.dense)
    }
}

/// One key's row: three distinct sparse columns and the dense bits.
#[derive(Clone, Copy, Debug, Default)]
struct Row {
    cols: [u32; WEIGHT],
    bin: u32,
    dense: u128,
}

/// An OKVS instance: parameters and the public instance seed `r` (RR22 Fig. 1).
#[derive(Clone)]
pub struct Okvs {
    params: OkvsParams,
    seed: Block,
    aes: AesEcb,
}

impl core::fmt::Debug for Okvs {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Okvs")
            .field("params", &self.params)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

/// `x·n >> 64`: a uniform index below `n` from 64 random bits.
#[inline(always)]
fn reduce(x: u64, n: usize) -> u32 {
    ((x as u128 * n as u128) >> 64) as u32
}

impl Okvs {
    /// An instance with the given parameters and public seed.
    pub fn new(params: OkvsParams, seed: Block) -> Self {
        Okvs {
            params,
            seed,
            aes: AesEcb::new(seed.to_bytes()),
        }
    }

    /// The parameters.
    pub fn params(&self) -> &OkvsParams {
        &self.params
    }

    /// The instance seed.
    pub fn seed(&self) -> Block {
        self.seed
    }

    /// Rows of a batch of keys: h1 = AES_r(k), h2 = AES_r(h1), h3 = AES_r(h2) (only when
    /// d > 64); columns from h1's halves and h2's low half, dense bits from h2's high half
    /// (and h3).
    fn rows(&self, keys: &[Block], out: &mut [Row], scratch: &mut Vec<Block>) {
        let m = self.params.sparse;
        let d = self.params.dense;
        let len = keys.len();
        scratch.clear();
        scratch.extend_from_slice(keys);
        self.aes.encrypt_blocks(scratch);
        scratch.extend_from_within(..len);
        self.aes.encrypt_blocks(&mut scratch[len..]);
        let bins = self.params.bins;
        if d > 64 || bins > 1 {
            scratch.extend_from_within(len..2 * len);
            self.aes.encrypt_blocks(&mut scratch[2 * len..]);
        }
        let (h1, rest) = scratch.split_at(len);
        let (h2, h3) = rest.split_at(len);
        let dmask = if d >= 128 {
            u128::MAX
        } else {
            (1u128 << d) - 1
        };
        for (i, r) in out.iter_mut().enumerate() {
            let (a, b) = (h1[i], h2[i]);
            let c0 = reduce(a.low(), m);
            let mut c1 = reduce(a.high(), m - 1);
            if c1 >= c0 {
                c1 += 1;
            }
            let (lo, hi) = (c0.min(c1), c0.max(c1));
            let mut c2 = reduce(b.low(), m - 2);
            if c2 >= lo {
                c2 += 1;
            }
            if c2 >= hi {
                c2 += 1;
            }
            let dense = if d > 64 {
                (b.high() as u128) | ((h3[i].low() as u128) << 64)
            } else {
                b.high() as u128
            };
            *r = Row {
                cols: [c0, c1, c2],
                bin: if bins > 1 {
                    reduce(h3[i].high(), bins)
                } else {
                    0
                },
                dense: dense & dmask,
            };
        }
    }

    /// Encode `values[i]` under `keys[i]` (distinct keys, at most the capacity); free
    /// positions are filled from `fill` masked with `value_mask`, so when every value lies in
    /// the subspace `value_mask` selects, so does every block of the result.
    ///
    /// Returns `m = params.size()` blocks.
    ///
    /// # Errors
    /// [`OkvsError::Singular`] if this seed cannot encode these keys (reseed and retry);
    /// [`OkvsError::Shape`] for mismatched lengths or too many keys.
    pub fn encode(
        &self,
        keys: &[Block],
        values: &[Block],
        value_mask: u128,
        fill: &mut Prg,
    ) -> Result<Vec<Block>, OkvsError> {
        let n = keys.len();
        if values.len() != n || n > self.params.n {
            return Err(OkvsError::Shape(format!(
                "{n} keys, {} values, capacity {}",
                values.len(),
                self.params.n
            )));
        }
        let (ms, d) = (self.params.sparse, self.params.dense);
        let mut rows = vec![Row::default(); n];
        let mut scratch = Vec::new();
        for (kc, rc) in keys.chunks(1 << 14).zip(rows.chunks_mut(1 << 14)) {
            self.rows(kc, rc, &mut scratch);
        }
        let mut p = vec![Block::ZERO; self.params.size()];
        fill.fill_blocks(&mut p);
        for b in p.iter_mut() {
            b.0 &= value_mask;
        }
        let bs = self.params.bin_size();
        if self.params.bins == 1 {
            encode_table(&rows, values, ms, d, &mut p)?;
            return Ok(p);
        }
        // Bucket the rows by bin (counting sort), then encode each bin on its own.
        let bins = self.params.bins;
        let mut start = vec![0usize; bins + 1];
        for r in &rows {
            start[r.bin as usize + 1] += 1;
        }
        for b in 0..bins {
            if start[b + 1] > self.params.bin_cap {
                return Err(OkvsError::Singular {
                    core: start[b + 1],
                    rank: 0,
                });
            }
            start[b + 1] += start[b];
        }
        let mut pos = start[..bins].to_vec();
        let mut brows = vec![Row::default(); n];
        let mut bvals = vec![Block::ZERO; n];
        for (r, v) in rows.iter().zip(values) {
            let at = &mut pos[r.bin as usize];
            brows[*at] = *r;
            bvals[*at] = *v;
            *at += 1;
        }
        drop(rows);
        for (b, out) in p.chunks_mut(bs).enumerate() {
            let span = start[b]..start[b + 1];
            encode_table(&brows[span.clone()], &bvals[span], ms, d, out)?;
        }
        Ok(p)
    }

    /// `out[i] = Decode(store, keys[i])` for every key (batched AES, dense part by table).
    ///
    /// # Panics
    /// If `store.len() != params.size()` or `out.len() != keys.len()`.
    pub fn decode(&self, store: &[Block], keys: &[Block], out: &mut [Block]) {
        assert_eq!(store.len(), self.params.size(), "OKVS store length");
        assert_eq!(out.len(), keys.len(), "OKVS decode output length");
        let (ms, bs) = (self.params.sparse, self.params.bin_size());
        let mut rows = [Row::default(); BATCH];
        let mut scratch = Vec::with_capacity(3 * BATCH);
        if self.params.bins == 1 {
            let tables = DenseTables::new(&store[ms..]);
            for (kc, oc) in keys.chunks(BATCH).zip(out.chunks_mut(BATCH)) {
                let rc = &mut rows[..kc.len()];
                self.rows(kc, rc, &mut scratch);
                for (o, r) in oc.iter_mut().zip(rc.iter()) {
                    *o = store[r.cols[0] as usize]
                        ^ store[r.cols[1] as usize]
                        ^ store[r.cols[2] as usize]
                        ^ tables.dot(r.dense);
                }
            }
            return;
        }
        let tables: Vec<DenseTables> = store
            .chunks(bs)
            .map(|t| DenseTables::new(&t[ms..]))
            .collect();
        for (kc, oc) in keys.chunks(BATCH).zip(out.chunks_mut(BATCH)) {
            let rc = &mut rows[..kc.len()];
            self.rows(kc, rc, &mut scratch);
            for (o, r) in oc.iter_mut().zip(rc.iter()) {
                let b = r.bin as usize;
                let t = &store[b * bs..(b + 1) * bs];
                *o = t[r.cols[0] as usize]
                    ^ t[r.cols[1] as usize]
                    ^ t[r.cols[2] as usize]
                    ^ tables[b].dot(r.dense);
            }
        }
    }
}

/// Encode one table: `rows` (bin-local columns) with `values` into `p` (`ms + d` blocks,
/// holding the random fill on entry).
fn encode_table(
    rows: &[Row],
    values: &[Block],
    ms: usize,
    d: usize,
    p: &mut [Block],
) -> Result<(), OkvsError> {
    let n = rows.len();
    // Column → rows incidence (CSR).
    let mut start = vec![0u32; ms + 1];
    for r in rows {
        for &c in &r.cols {
            start[c as usize + 1] += 1;
        }
    }
    for c in 0..ms {
        start[c + 1] += start[c];
    }
    let mut weight: Vec<u32> = (0..ms).map(|c| start[c + 1] - start[c]).collect();
    let mut fillpos: Vec<u32> = start[..ms].to_vec();
    let mut incid = vec![0u32; WEIGHT * n];
    for (i, r) in rows.iter().enumerate() {
        for &c in &r.cols {
            incid[fillpos[c as usize] as usize] = i as u32;
            fillpos[c as usize] += 1;
        }
    }
    drop(fillpos);
    // Peeling.
    let mut done = vec![false; n];
    let mut order: Vec<(u32, u32)> = Vec::with_capacity(n);
    let mut queue: Vec<u32> = (0..ms as u32)
        .filter(|&c| weight[c as usize] == 1)
        .collect();
    while let Some(c) = queue.pop() {
        if weight[c as usize] != 1 {
            continue;
        }
        let span = &incid[start[c as usize] as usize..start[c as usize + 1] as usize];
        let Some(&r) = span.iter().find(|&&r| !done[r as usize]) else {
            continue;
        };
        done[r as usize] = true;
        order.push((r, c));
        for &j in &rows[r as usize].cols {
            weight[j as usize] -= 1;
            if weight[j as usize] == 1 {
                queue.push(j);
            }
        }
    }
    drop((incid, start, weight, queue));
    // The 2-core, then back-substitution (free positions hold the random fill).
    if order.len() < n {
        let core: Vec<u32> = (0..n as u32).filter(|&r| !done[r as usize]).collect();
        solve_core(rows, values, &core, ms, d, p)?;
    }
    let tables = DenseTables::new(&p[ms..]);
    for &(r, c) in order.iter().rev() {
        let row = &rows[r as usize];
        let mut acc = values[r as usize] ^ tables.dot(row.dense);
        for &j in &row.cols {
            if j != c {
                acc ^= p[j as usize];
            }
        }
        p[c as usize] = acc;
    }
    Ok(())
}

/// Gaussian elimination of the 2-core rows over their sparse columns and the dense columns;
/// writes the pivot unknowns into `p` (free unknowns keep their random fill).
fn solve_core(
    rows: &[Row],
    values: &[Block],
    core: &[u32],
    ms: usize,
    d: usize,
    p: &mut [Block],
) -> Result<(), OkvsError> {
    let k = core.len();
    if k > MAX_CORE {
        return Err(OkvsError::Singular { core: k, rank: 0 });
    }
    // Unknowns: the core's sparse columns (sorted, deduplicated), then the dense columns.
    let mut cols: Vec<u32> = core.iter().flat_map(|&r| rows[r as usize].cols).collect();
    cols.sort_unstable();
    cols.dedup();
    let nu = cols.len() + d;
    let words = nu.div_ceil(64);
    let mut mat = vec![0u64; k * words];
    let mut rhs: Vec<Block> = Vec::with_capacity(k);
    for (i, &r) in core.iter().enumerate() {
        let row = &rows[r as usize];
        let m = &mut mat[i * words..(i + 1) * words];
        for &c in &row.cols {
            let u = cols.binary_search(&c).expect("core column");
            m[u / 64] ^= 1 << (u % 64);
        }
        for b in 0..d {
            if (row.dense >> b) & 1 == 1 {
                let u = cols.len() + b;
                m[u / 64] ^= 1 << (u % 64);
            }
        }
        rhs.push(values[r as usize]);
    }
    let unknown = |u: usize| {
        if u < cols.len() {
            cols[u] as usize
        } else {
            ms + (u - cols.len())
        }
    };
    // Reduced row echelon form.
    let mut pivots: Vec<usize> = Vec::with_capacity(k);
    let mut rank = 0;
    for u in 0..nu {
        let (w, bit) = (u / 64, 1u64 << (u % 64));
        let Some(sel) = (rank..k).find(|&i| mat[i * words + w] & bit != 0) else {
            continue;
        };
        if sel != rank {
            for x in 0..words {
                mat.swap(sel * words + x, rank * words + x);
            }
            rhs.swap(sel, rank);
        }
        for i in 0..k {
            if i != rank && mat[i * words + w] & bit != 0 {
                for x in 0..words {
                    let v = mat[rank * words + x];
                    mat[i * words + x] ^= v;
                }
                let v = rhs[rank];
                rhs[i] ^= v;
            }
        }
        pivots.push(u);
        rank += 1;
        if rank == k {
            break;
        }
    }
    if rank < k {
        return Err(OkvsError::Singular { core: k, rank });
    }
    // Each pivot = rhs ⊕ its row's free unknowns (at their random fill).
    let is_pivot = {
        let mut v = vec![false; nu];
        for &u in &pivots {
            v[u] = true;
        }
        v
    };
    for (i, &pu) in pivots.iter().enumerate() {
        let mut acc = rhs[i];
        for u in 0..nu {
            if !is_pivot[u] && (mat[i * words + u / 64] >> (u % 64)) & 1 == 1 {
                acc ^= p[unknown(u)];
            }
        }
        p[unknown(pu)] = acc;
    }
    Ok(())
}

/// XOR combinations of the dense columns, 8 columns per 256-entry table.
struct DenseTables {
    t: Vec<[Block; 256]>,
}

impl DenseTables {
    fn new(dense: &[Block]) -> Self {
        let t = dense
            .chunks(8)
            .map(|cols| {
                let mut tab = [Block::ZERO; 256];
                for (b, &col) in cols.iter().enumerate() {
                    let bit = 1 << b;
                    for x in 0..bit {
                        tab[bit | x] = tab[x] ^ col;
                    }
                }
                tab
            })
            .collect();
        DenseTables { t }
    }

    #[inline(always)]
    fn dot(&self, mask: u128) -> Block {
        let mut acc = Block::ZERO;
        for (i, tab) in self.t.iter().enumerate() {
            acc ^= tab[((mask >> (8 * i)) & 0xff) as usize];
        }
        acc
    }
}

/// Encode with fresh seeds from `next_seed` (e.g. a PRG's `next_block`) until one works (at
/// most `max_attempts`); returns the working instance, the store and the number of seeds
/// tried.
///
/// # Errors
/// [`OkvsError::Exhausted`] if every seed failed; [`OkvsError::Shape`] as [`Okvs::encode`].
pub fn encode_reseeding(
    params: OkvsParams,
    keys: &[Block],
    values: &[Block],
    value_mask: u128,
    mut next_seed: impl FnMut() -> Block,
    fill: &mut Prg,
    max_attempts: u32,
) -> Result<(Okvs, Vec<Block>, u32), OkvsError> {
    for attempt in 1..=max_attempts.max(1) {
        let okvs = Okvs::new(params, next_seed());
        match okvs.encode(keys, values, value_mask, fill) {
            Ok(store) => return Ok((okvs, store, attempt)),
            Err(OkvsError::Singular { core, rank }) => {
                tracing::debug!(attempt, core, rank, "OKVS encoding failed; reseeding");
            }
            Err(e) => return Err(e),
        }
    }
    Err(OkvsError::Exhausted {
        attempts: max_attempts.max(1),
    })
}
