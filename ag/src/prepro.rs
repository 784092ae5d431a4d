//! Preprocessing: authenticated wire masks and authenticated AND triples on them.
//!
//! Sources, step by step:
//! 1. **Authenticated shares from COT in both directions** (WRK17 §4.1, Fig. 5 `Π_aBit`, as
//!    random COT): every share is one COT with the garbler as sender (global key `Δ_A`) and
//!    one with the evaluator as sender (`Δ_B`); see [`crate::share`]. The COT sources must be
//!    malicious-secure (KOS15 or malicious Ferret: trait bound `Malicious`).
//! 2. **Leaky AND triples** (KRRW18 §5.1, Fig. 5 "`Π_LaAND`", the half-gates form): for random
//!    `⟨a⟩, ⟨b⟩, ⟨r⟩` each party sends `G_P = H(K_P[a_Q]) ⊕ H(K_P[a_Q] ⊕ Δ_P) ⊕ Π_P(b)` where
//!    `Π_P(·)` is its share of `·(Δ_A ⊕ Δ_B)`; both compute `S_P` with `S_A ⊕ S_B = (ab ⊕ r)·Δ`,
//!    open `d = ab ⊕ r` from bit 1 of `S_P` (`Δ_A` has bit 1 set, `Δ_B` clear, so bit 1 of
//!    `Δ = Δ_A ⊕ Δ_B` is 1), set `⟨c⟩ = ⟨r⟩ ⊕ d` and check `S_A ⊕ d·Δ_A = S_B ⊕ d·Δ_B` for all
//!    triples at once with a commit-then-open equality test (`F_eq`). A cheater passes only by
//!    guessing the honest party's `a` half (a leak of one bit per guess, abort otherwise);
//!    the triple is correct whenever the check passes.
//! 3. **Bucketing** (WRK17 Fig. 8 `Π_aAND` step 3 / KRRW18 §5.2): after the check, a coin toss
//!    ([`duet_core::CoinToss`]) permutes the `N·B` leaky triples into `N` buckets of `B`; a
//!    bucket combines into one triple `(X, Y, Z)` with `X = ⊕ a_i` (leak-free unless every
//!    `a_i` leaked), `Y = b_0`, `Z = c_0 ⊕ ⊕_{i≥1} (c_i ⊕ (b_0 ⊕ b_i)·a_i)`, opening
//!    `b_0 ⊕ b_i` with MACs. `B` is the least with `(B − 1)·log2 N > σ = 40`, N floored at
//!    1024 (so at most 6).
//! 4. **Beaver reconciliation to the wire masks** (WRK17 §4.3, function-dependent
//!    preprocessing): for an AND gate with input masks `λ_α, λ_β`, open `d = λ_α ⊕ X`,
//!    `e = λ_β ⊕ Y` and set `⟨σ⟩ = ⟨Z⟩ ⊕ d⟨Y⟩ ⊕ e⟨X⟩ ⊕ de`, so `σ = λ_α·λ_β`.
//! 5. The MACs of every value opened in steps 3–4 are checked in one batch (two 32-byte
//!    digests) before the online phase uses any of it.

use crate::error::{AgError, Check};
use crate::plan::{Op, Plan};
use crate::share::{Key, Mac, Party, Share};
use crate::wire::{self, OpenLog, exchange, get, pack};
use duet_core::{Block, CoinToss, Commitment, FIXED_KEY_AES, Prg};
use duet_net::Channel;
use duet_ot::{Malicious, RandomCotReceiver, RandomCotSender};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Statistical security parameter σ.
pub const SIGMA: u32 = 40;

/// Bucket size for `n` AND triples (step 3 of the module doc).
pub fn bucket_size(n: usize) -> usize {
    let log2 = (n.max(1024) as f64).log2();
    let mut b = 2usize;
    while (b - 1) as f64 * log2 <= SIGMA as f64 {
        b += 1;
    }
    b
}

/// A deliberate deviation, for the cheating tests.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Cheat {
    #[default]
    None,
    /// Flip our `d` share of every leaky AND (a bad triple).
    LeakyAndD,
    /// Lie about one opened bit in bucketing (a wrong MAC).
    OpenedBit,
    /// Flip the r bit of every row of AND gate 0.
    TableBit,
    /// Flip the r bit of row (0, 0) of AND gate 0 only (selective failure).
    TableRow0,
    /// Flip a bit of the first evaluator-input label.
    InputLabel,
    /// (Evaluator) flip a masked output value.
    OutputValue,
    /// (Evaluator) send a wrong output MAC digest.
    OutputMac,
    /// (Garbler) garble with a wrong gate (XOR instead of the first AND).
    OtherCircuit,
}

/// Everything a party keeps from preprocessing for one circuit run.
pub(crate) struct Material {
    /// The party's own global key.
    pub delta: Block,
    /// `⟨λ_w⟩` for every wire.
    pub wire: Vec<Share>,
    /// `⟨σ_g⟩ = ⟨λ_α λ_β⟩` for every AND gate, in gate order.
    pub sigma: Vec<Share>,
}

impl Drop for Material {
    fn drop(&mut self) {
        self.delta.zeroize();
        self.wire.zeroize();
        self.sigma.zeroize();
    }
}

/// `n` random authenticated shares: one random COT each way, the garbler's send first.
async fn random_shares<S, R>(
    ch: &mut Channel,
    me: Party,
    s: &mut S,
    r: &mut R,
    n: usize,
) -> Result<Vec<Share>, AgError>
where
    S: RandomCotSender + Malicious,
    R: RandomCotReceiver + Malicious,
{
    let mut keys = vec![Block::ZERO; n];
    let mut bits = vec![Block::ZERO; n.div_ceil(128)];
    let mut macs = vec![Block::ZERO; n];
    match me {
        Party::Garbler => {
            s.random_cot(ch, &mut keys).await?;
            r.random_cot(ch, &mut bits, &mut macs).await?;
        }
        Party::Evaluator => {
            r.random_cot(ch, &mut bits, &mut macs).await?;
            s.random_cot(ch, &mut keys).await?;
        }
    }
    let out = (0..n)
        .map(|i| Share::new(bits[i / 128].bit(i % 128), Mac(macs[i]), Key(keys[i])))
        .collect();
    keys.zeroize();
    macs.zeroize();
    bits.zeroize();
    Ok(out)
}

/// Hash tweak for the leaky-AND half gate keyed by `owner`'s keys, triple `t`.
fn tweak(owner: Party, t: usize) -> Block {
    let tag = match owner {
        Party::Garbler => 0x4147_4c41_0000_0001u64,
        Party::Evaluator => 0x4147_4c41_0000_0002u64,
    };
    Block::from_halves(tag, t as u64)
}

/// Run the leaky ANDs on triples `(a, b, r)` (step 2): returns `⟨c⟩ = ⟨ab⟩` per triple after
/// the `F_eq` check passed.
async fn leaky_and(
    ch: &mut Channel,
    me: Party,
    delta: Block,
    a: &[Share],
    b: &[Share],
    r: &[Share],
    #[cfg(test)] cheat: Cheat,
) -> Result<Vec<Share>, AgError> {
    let n = a.len();
    let aes = &*FIXED_KEY_AES;
    // G_me and the first hash of S_me, batched through the fixed-key AES
    // H(K), H(K ⊕ Δ) and H(M), 64 triples per batch through the pipelined AES
    let mut hk = vec![Block::ZERO; n];
    let mut g = vec![Block::ZERO; n];
    let mut hm = vec![Block::ZERO; n];
    let (mut tw, mut tw_peer, mut x1) = ([Block::ZERO; 64], [Block::ZERO; 64], [Block::ZERO; 64]);
    for start in (0..n).step_by(64) {
        let end = (start + 64).min(n);
        let k = end - start;
        for (j, t) in (start..end).enumerate() {
            tw[j] = tweak(me, t);
            tw_peer[j] = tweak(me.peer(), t);
            hk[t] = a[t].key().block();
            x1[j] = hk[t] ^ delta;
            hm[t] = a[t].mac().block();
        }
        aes.tccr_many(&tw[..k], &mut hk[start..end]);
        aes.tccr_many(&tw[..k], &mut x1[..k]);
        aes.tccr_many(&tw_peer[..k], &mut hm[start..end]);
        for (j, t) in (start..end).enumerate() {
            g[t] = hk[t] ^ x1[j] ^ b[t].share_of_x_delta_sum(delta);
        }
    }
    x1.fill(Block::ZERO);
    let mut g_peer = vec![Block::ZERO; n];
    exchange(
        ch,
        me,
        Block::slice_as_bytes(&g),
        Block::slice_as_bytes_mut(&mut g_peer),
    )
    .await?;
    let mut s = hk;
    for t in 0..n {
        let am = a[t].bit();
        s[t] ^= hm[t]
            ^ ((g_peer[t] ^ b[t].share_of_x_delta_sum(delta)) & Block::mask(am))
            ^ r[t].share_of_x_delta_sum(delta);
    }
    #[cfg_attr(not(test), allow(unused_mut))]
    let mut d_mine = pack(s.iter().map(|x| x.bit(1)));
    #[cfg(test)]
    if cheat == Cheat::LeakyAndD {
        for x in d_mine.iter_mut() {
            *x ^= 0xff;
        }
    }
    let mut d_peer = vec![0u8; d_mine.len()];
    exchange(ch, me, &d_mine, &mut d_peer).await?;
    let mut feq = blake3::Hasher::new_derive_key("duet-ag leaky and v1");
    let mut c = Vec::with_capacity(n);
    for t in 0..n {
        let d = get(&d_mine, t) ^ get(&d_peer, t);
        c.push(r[t].xor_const(d, me, delta));
        let l = s[t] ^ (delta & Block::mask(d));
        feq.update(&l.to_bytes());
    }
    s.zeroize();
    hm.zeroize();
    let h = *feq.finalize().as_bytes();
    // F_eq: the garbler commits, the evaluator answers in the clear, the garbler opens.
    let ok = match me {
        Party::Garbler => {
            let (com, opening) = Commitment::commit(&h);
            wire::send(ch, &com.0).await?;
            let theirs = wire::recv(ch, 32).await?;
            let mut open = h.to_vec();
            open.extend_from_slice(&opening.0);
            wire::send(ch, &open).await?;
            bool::from(theirs.ct_eq(&h))
        }
        Party::Evaluator => {
            let com = wire::recv(ch, 32).await?;
            wire::send(ch, &h).await?;
            let open = wire::recv(ch, 64).await?;
            let mut com_b = [0u8; 32];
            com_b.copy_from_slice(&com);
            let mut r_b = [0u8; 32];
            r_b.copy_from_slice(&open[32..]);
            Commitment(com_b).verify(&open[..32], &duet_core::Opening(r_b))
                && bool::from(open[..32].ct_eq(&h))
        }
    };
    if !ok {
        return Err(AgError::cheat(Check::LeakyAnd));
    }
    Ok(c)
}

/// A public coin from a commit–open coin toss (the garbler's messages first).
async fn coin(ch: &mut Channel, me: Party) -> Result<Block, AgError> {
    let (toss, com) = CoinToss::new();
    let mut peer_com = [0u8; 32];
    exchange(ch, me, &com.0, &mut peer_com).await?;
    let mut peer_open = [0u8; duet_core::commit::COIN_OPENING_LEN];
    exchange(ch, me, &toss.opening_message(), &mut peer_open).await?;
    let c = toss
        .finish(&Commitment(peer_com), &peer_open)
        .ok_or(AgError::cheat(Check::CoinToss))?;
    let mut b = [0u8; 16];
    b.copy_from_slice(&c[..16]);
    Ok(Block::from_bytes(b))
}

/// A uniformly random permutation of `0..n` from `seed` (Fisher–Yates; 128-bit draws, so the
/// modulo bias is below 2^-90).
fn permutation(seed: Block, n: usize) -> Vec<u32> {
    let mut prg = Prg::new(seed);
    let mut p: Vec<u32> = (0..n as u32).collect();
    let mut buf = vec![Block::ZERO; n.max(1)];
    prg.fill_blocks(&mut buf);
    for i in (1..n).rev() {
        let j = (buf[i].0 % (i as u128 + 1)) as usize;
        p.swap(i, j);
    }
    p
}

/// Run the whole preprocessing for `plan` (steps 1–5 of the module doc).
pub(crate) async fn preprocess<S, R>(
    ch: &mut Channel,
    me: Party,
    plan: &Plan,
    s: &mut S,
    r: &mut R,
    #[cfg(test)] cheat: Cheat,
) -> Result<Material, AgError>
where
    S: RandomCotSender + Malicious,
    R: RandomCotReceiver + Malicious,
{
    let delta = s.delta().as_block();
    let n_and = plan.num_and;
    let bsize = bucket_size(n_and);
    let n_fresh = plan.num_input_bits + n_and;
    let n_leaky = n_and * bsize;
    // step 1: fresh masks, then the leaky triples' a, b, r
    let mut fresh = random_shares(ch, me, s, r, n_fresh + 3 * n_leaky).await?;
    let (masks, tri) = fresh.split_at(n_fresh);
    let (ta, rest) = tri.split_at(n_leaky);
    let (tb, tr) = rest.split_at(n_leaky);
    // step 2
    let tc = leaky_and(
        ch,
        me,
        delta,
        ta,
        tb,
        tr,
        #[cfg(test)]
        cheat,
    )
    .await?;
    // wire masks along the circuit: inputs and AND outputs fresh, the rest derived
    let mut wire = vec![Share::default(); plan.num_wires];
    wire[..plan.num_input_bits].copy_from_slice(&masks[..plan.num_input_bits]);
    let mut next = plan.num_input_bits;
    let mut and_in = Vec::with_capacity(n_and);
    for op in &plan.ops {
        match *op {
            Op::Xor(a, b, o) => wire[o as usize] = wire[a as usize] ^ wire[b as usize],
            Op::And(a, b, o) => {
                and_in.push((a, b));
                wire[o as usize] = masks[next];
                next += 1;
            }
            Op::Inv(a, o) => wire[o as usize] = wire[a as usize].xor_const(true, me, delta),
            Op::Const(_, o) => wire[o as usize] = Share::default(),
            Op::Copy(a, o) => wire[o as usize] = wire[a as usize],
        }
    }
    // step 3: bucketing by a permutation fixed after the check
    let perm = permutation(coin(ch, me).await?, n_leaky);
    let mut log = OpenLog::new();
    let mut diffs = Vec::with_capacity(n_and * (bsize - 1));
    for j in 0..n_and {
        let b0 = tb[perm[j * bsize] as usize];
        for i in 1..bsize {
            diffs.push(b0 ^ tb[perm[j * bsize + i] as usize]);
        }
    }
    #[cfg(test)]
    if cheat == Cheat::OpenedBit && !diffs.is_empty() {
        diffs[0].bit ^= true;
    }
    let e = log.open(ch, me, delta, &diffs).await?;
    let mut xyz = Vec::with_capacity(n_and);
    for j in 0..n_and {
        let i0 = perm[j * bsize] as usize;
        let (mut x, y, mut z) = (ta[i0], tb[i0], tc[i0]);
        for i in 1..bsize {
            let t = perm[j * bsize + i] as usize;
            x ^= ta[t];
            z ^= tc[t] ^ ta[t].scale(get(&e, j * (bsize - 1) + i - 1));
        }
        xyz.push((x, y, z));
    }
    // step 4: Beaver reconciliation onto (λ_α, λ_β)
    let mut de = Vec::with_capacity(2 * n_and);
    for (g, &(a, b)) in and_in.iter().enumerate() {
        de.push(wire[a as usize] ^ xyz[g].0);
        de.push(wire[b as usize] ^ xyz[g].1);
    }
    let opened = log.open(ch, me, delta, &de).await?;
    let mut sigma = Vec::with_capacity(n_and);
    for (g, (x, y, z)) in xyz.iter().enumerate() {
        let (d, e) = (get(&opened, 2 * g), get(&opened, 2 * g + 1));
        sigma.push((*z ^ y.scale(d) ^ x.scale(e)).xor_const(d & e, me, delta));
    }
    // step 5
    log.check(ch, me, Check::OpenedMacs).await?;
    fresh.zeroize();
    xyz.zeroize();
    de.zeroize();
    Ok(Material { delta, wire, sigma })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_sizes() {
        assert_eq!(bucket_size(1), 6);
        assert_eq!(bucket_size(6800), 5);
        assert_eq!(bucket_size(1 << 20), 4);
        assert_eq!(bucket_size(1 << 24), 3);
    }

    #[test]
    fn permutation_is_a_permutation() {
        let p = permutation(Block(77), 1000);
        let mut s = p.clone();
        s.sort();
        assert_eq!(s, (0..1000).collect::<Vec<u32>>());
        assert_ne!(p, s);
    }
}
