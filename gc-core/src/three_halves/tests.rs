//! Tests of the three-halves kernels: the paper's matrices, a slow reference written from
//! them, known answers, random batches, tampering, sizes, and a timing helper.

use super::*;
use rand::{Rng, RngExt, SeedableRng};

// ---------------------------------------------------------------------------------------
// RR21's matrices over GF(2). Rows of the 8-row matrices: (i, j) = 00, 01, 10, 11 (the
// evaluator's colours), each with an L row then an R row.
// ---------------------------------------------------------------------------------------

/// `V`: columns `C_L, C_R, G0, G1, G2`.
const V: [[u8; 5]; 8] = [
    [1, 0, 0, 0, 0],
    [0, 1, 0, 0, 0],
    [1, 0, 0, 0, 1],
    [0, 1, 0, 1, 1],
    [1, 0, 1, 0, 1],
    [0, 1, 0, 0, 1],
    [1, 0, 1, 0, 0],
    [0, 1, 0, 1, 0],
];

/// `M`: columns `H(Ā), H(Ā⊕Δ), H(B̄), H(B̄⊕Δ), H(Ā⊕B̄), H(Ā⊕B̄⊕Δ)` (colour-0 labels Ā, B̄).
const M: [[u8; 6]; 8] = [
    [1, 0, 0, 0, 1, 0],
    [0, 0, 1, 0, 1, 0],
    [1, 0, 0, 0, 0, 1],
    [0, 0, 0, 1, 0, 1],
    [0, 1, 0, 0, 0, 1],
    [0, 0, 1, 0, 0, 1],
    [0, 1, 0, 0, 1, 0],
    [0, 0, 0, 1, 1, 0],
];

/// `K`: a basis of the cokernel of `V` (and of `M`).
const K: [[u8; 8]; 3] = [
    [1, 0, 1, 0, 1, 0, 1, 0],
    [0, 1, 0, 1, 0, 1, 0, 1],
    [0, 0, 0, 1, 1, 0, 1, 1],
];

/// `V⁻¹`: a left inverse of `V`.
const V_INV: [[u8; 8]; 5] = [
    [1, 0, 0, 0, 0, 0, 0, 0],
    [0, 1, 0, 0, 0, 0, 0, 0],
    [1, 1, 0, 0, 1, 1, 0, 0],
    [1, 1, 1, 1, 0, 0, 0, 0],
    [0, 0, 0, 0, 1, 0, 1, 0],
];

/// The control-matrix basis `S1`, `S2` (rows L, R; columns `A_L, A_R, B_L, B_R`).
const S1: [[u8; 4]; 2] = [[1, 1, 1, 0], [1, 0, 0, 1]];
const S2: [[u8; 4]; 2] = [[1, 0, 0, 1], [0, 1, 1, 1]];

/// The public odd-parity part `R_p` of each position's marginal (rows L, R).
const RP: [[[u8; 4]; 2]; 4] = [
    [[0, 0, 1, 0], [0, 1, 0, 0]],
    [[0, 0, 1, 0], [0, 0, 0, 0]],
    [[0, 0, 0, 0], [0, 1, 0, 0]],
    [[0, 0, 0, 0], [0, 0, 0, 0]],
];

/// Compressed `R_a`, `R_b`: each position's `(c1, c2)` coefficient of `S1`, `S2`.
const RBAR_A: [[u8; 2]; 4] = [[0, 0], [1, 1], [0, 1], [1, 0]];
const RBAR_B: [[u8; 2]; 4] = [[0, 0], [1, 0], [1, 1], [0, 1]];

fn matmul<const R: usize, const N: usize, const C: usize>(
    a: &[[u8; N]; R],
    b: &[[u8; C]; N],
) -> [[u8; C]; R] {
    core::array::from_fn(|r| {
        core::array::from_fn(|c| (0..N).fold(0, |s, k| s ^ (a[r][k] & b[k][c])))
    })
}

/// The position's compressed control bits `(c1, c2)` for true-true position `(α, β)` and
/// random bits `(r1, r2)`.
fn rbar(ij: usize, alpha: u8, beta: u8, r1: u8, r2: u8) -> [u8; 2] {
    [
        (alpha & RBAR_A[ij][0]) ^ (beta & RBAR_B[ij][0]) ^ r1,
        (alpha & RBAR_A[ij][1]) ^ (beta & RBAR_B[ij][1]) ^ r2,
    ]
}

/// The 2×4 marginal `R_ij = R_p,ij ⊕ c1·S1 ⊕ c2·S2`.
fn marginal(ij: usize, c: [u8; 2]) -> [[u8; 4]; 2] {
    core::array::from_fn(|h| {
        core::array::from_fn(|k| RP[ij][h][k] ^ (c[0] & S1[h][k]) ^ (c[1] & S2[h][k]))
    })
}

/// The full 8×6 `R ⊕ [0 0 T]` on `[Ā_L, Ā_R, B̄_L, B̄_R, Δ_L, Δ_R]`: each position's marginal
/// on the colour-0 labels, its Δ columns `i·R^A ⊕ j·R^B` (as `A_i = Ā ⊕ i·Δ`), and the truth
/// table `T` (identity on Δ at the true position `(α, β)`).
fn full_r(alpha: u8, beta: u8, r1: u8, r2: u8) -> [[u8; 6]; 8] {
    let mut r = [[0u8; 6]; 8];
    for ij in 0..4 {
        let (i, j) = ((ij >> 1) as u8, (ij & 1) as u8);
        let mg = marginal(ij, rbar(ij, alpha, beta, r1, r2));
        for h in 0..2 {
            let row = &mut r[2 * ij + h];
            row[..4].copy_from_slice(&mg[h]);
            row[4] = (i & mg[h][0]) ^ (j & mg[h][2]);
            row[5] = (i & mg[h][1]) ^ (j & mg[h][3]);
            if (i, j) == (alpha, beta) {
                row[4 + h] ^= 1;
            }
        }
    }
    r
}

#[test]
fn matrices_satisfy_the_papers_conditions() {
    assert_eq!(matmul(&K, &V), [[0; 5]; 3], "KV = 0");
    assert_eq!(matmul(&K, &M), [[0; 6]; 3], "KM = 0");
    let id: [[u8; 5]; 5] = core::array::from_fn(|r| core::array::from_fn(|c| (r == c) as u8));
    assert_eq!(matmul(&V_INV, &V), id, "V⁻¹V = I");
    for x in 0..16u8 {
        let (alpha, beta, r1, r2) = (x & 1, (x >> 1) & 1, (x >> 2) & 1, x >> 3);
        // correctness: K(R ⊕ [0 0 T]) = 0
        assert_eq!(matmul(&K, &full_r(alpha, beta, r1, r2)), [[0; 6]; 3], "{x}");
        // the 8 control bits lie in the column space of V (so 5 bits carry them)
        let c: [[u8; 1]; 8] =
            core::array::from_fn(|row| [rbar(row / 2, alpha, beta, r1, r2)[row % 2]]);
        assert_eq!(matmul(&K, &c), [[0]; 3], "{x}");
    }
}

// ---------------------------------------------------------------------------------------
// A slow reference of one gate, from the matrices above.
// ---------------------------------------------------------------------------------------

/// `H(x, τ) = π(π(x) ⊕ τ) ⊕ π(x)`, one block at a time.
fn h1(x: Block, tw: Block) -> Block {
    let mut p = [x];
    PI.permute(&mut p);
    let mut q = [p[0] ^ tw];
    PI.permute(&mut q);
    q[0] ^ p[0]
}

fn halves(x: Block) -> [u64; 2] {
    [x.0 as u64, (x.0 >> 64) as u64]
}

/// RR21's garbling of one AND gate with input 0-labels `a0`, `b0`: `V·[C0; G] = M·H ⊕ (R ⊕
/// [0 0 T])·[Ā; B̄; Δ]` solved with `V⁻¹`, and the control bits `z = V⁻¹(c ⊕ M·h)`.
/// Returns `(C0, gate bytes, z bits)`.
fn ref_garble(
    a0: Block,
    b0: Block,
    delta: Block,
    salt: Block,
    gate: u64,
    r1: u8,
    r2: u8,
) -> (Block, [u8; GATE_BYTES], [u8; 5]) {
    let (pa, pb) = (a0.lsb(), b0.lsb());
    let abar = if pa { a0 ^ delta } else { a0 };
    let bbar = if pb { b0 ^ delta } else { b0 };
    let (alpha, beta) = (!pa as u8, !pb as u8);
    let (ta, tb, tx) = (
        tweak(salt, gate, 0),
        tweak(salt, gate, 1),
        tweak(salt, gate, 2),
    );
    let hs = [
        h1(abar, ta),
        h1(abar ^ delta, ta),
        h1(bbar, tb),
        h1(bbar ^ delta, tb),
        h1(abar ^ bbar, tx),
        h1(abar ^ bbar ^ delta, tx),
    ];
    let hv: [u64; 6] = core::array::from_fn(|c| halves(hs[c])[0]);
    let hb: [u8; 6] = core::array::from_fn(|c| (hs[c].0 >> 127) as u8);
    let [al, ar] = halves(abar);
    let [bl, br] = halves(bbar);
    let [dl, dr] = halves(delta);
    let u = [al, ar, bl, br, dl, dr];
    let r = full_r(alpha, beta, r1, r2);
    let rhs: [u64; 8] = core::array::from_fn(|row| {
        (0..6).fold(0, |s, c| {
            s ^ (if M[row][c] == 1 { hv[c] } else { 0 }) ^ (if r[row][c] == 1 { u[c] } else { 0 })
        })
    });
    let sol: [u64; 5] = core::array::from_fn(|k| {
        (0..8).fold(0, |s, row| {
            s ^ if V_INV[k][row] == 1 { rhs[row] } else { 0 }
        })
    });
    // check the whole system, not just the rows V⁻¹ reads
    for row in 0..8 {
        let lhs = (0..5).fold(0, |s, k| s ^ if V[row][k] == 1 { sol[k] } else { 0 });
        assert_eq!(lhs, rhs[row], "V·[C; G] = RHS, row {row}");
    }
    let crhs: [u8; 8] = core::array::from_fn(|row| {
        (0..6).fold(rbar(row / 2, alpha, beta, r1, r2)[row % 2], |s, c| {
            s ^ (M[row][c] & hb[c])
        })
    });
    let z: [u8; 5] =
        core::array::from_fn(|k| (0..8).fold(0, |s, row| s ^ (V_INV[k][row] & crhs[row])));
    let mut g = [0u8; GATE_BYTES];
    for k in 0..3 {
        g[8 * k..8 * k + 8].copy_from_slice(&sol[2 + k].to_le_bytes());
    }
    (Block::from_halves(sol[1], sol[0]), g, z)
}

/// RR21's evaluation of one AND gate: rows `(i, j)` of `M` (with the evaluator's three
/// hashes in their columns) and of `V` (with `[·, ·, G]` for labels, `z` for control bits),
/// then the marginal `R_ij` on the active labels' halves.
fn ref_eval(a: Block, b: Block, salt: Block, gate: u64, g: &[u8; GATE_BYTES], z: [u8; 5]) -> Block {
    let (i, j) = (a.lsb() as usize, b.lsb() as usize);
    let ij = 2 * i + j;
    let (ta, tb, tx) = (
        tweak(salt, gate, 0),
        tweak(salt, gate, 1),
        tweak(salt, gate, 2),
    );
    // the evaluator's hashes sit in the columns of M they stand for: A_i = Ā ⊕ i·Δ is
    // column i, B_j column 2 + j, A_i ⊕ B_j = Ā ⊕ B̄ ⊕ (i⊕j)·Δ column 4 + (i⊕j)
    let mut hs = [None; 6];
    hs[i] = Some(h1(a, ta));
    hs[2 + j] = Some(h1(b, tb));
    hs[4 + (i ^ j)] = Some(h1(a ^ b, tx));
    let gv: [u64; 3] =
        core::array::from_fn(|k| u64::from_le_bytes(g[8 * k..8 * k + 8].try_into().unwrap()));
    let [al, ar] = halves(a);
    let [bl, br] = halves(b);
    let u = [al, ar, bl, br];
    let mut c = [0u8; 2];
    let mut out = [0u64; 2];
    for h in 0..2 {
        let row = 2 * ij + h;
        for col in 0..6 {
            if M[row][col] == 1 {
                let hc = hs[col].expect("M uses only the evaluator's hashes");
                out[h] ^= halves(hc)[0];
                c[h] ^= (hc.0 >> 127) as u8;
            }
        }
        for k in 0..5 {
            c[h] ^= V[row][k] & z[k];
            if k >= 2 && V[row][k] == 1 {
                out[h] ^= gv[k - 2];
            }
        }
    }
    let mg = marginal(ij, c);
    for h in 0..2 {
        for k in 0..4 {
            if mg[h][k] == 1 {
                out[h] ^= u[k];
            }
        }
    }
    Block::from_halves(out[1], out[0])
}

// ---------------------------------------------------------------------------------------

fn rng() -> rand::rngs::StdRng {
    rand::rngs::StdRng::seed_from_u64(0x3_4a1f)
}

fn rblock(r: &mut impl Rng) -> Block {
    Block(r.random())
}

fn zbits(z: [u8; 5]) -> u64 {
    z.iter()
        .enumerate()
        .fold(0, |s, (k, &b)| s | (b as u64) << k)
}

/// Known answers of one gate: every permute bit of both inputs, every input pair, every
/// random choice (r1, r2): the reference decodes to `C0 ⊕ (a∧b)·Δ`, the kernel's bytes,
/// control bits and output 0-label equal the reference's, and the kernel's evaluator agrees
/// with the reference's.
#[test]
fn one_gate_known_answers_and_reference() {
    let mut r = rng();
    let mut q = GarbleQueue::new(Block::ZERO);
    for trial in 0..8 {
        let delta = rblock(&mut r).with_lsb(true);
        let salt = rblock(&mut r);
        let gate = if trial == 0 {
            u64::MAX
        } else {
            r.random::<u64>() >> 4
        };
        for (pa, pb) in [(false, false), (false, true), (true, false), (true, true)] {
            let a0 = rblock(&mut r).with_lsb(pa);
            let b0 = rblock(&mut r).with_lsb(pb);
            for rr in 0..4u8 {
                let (r1, r2) = (rr & 1, rr >> 1);
                let (c0, g, z) = ref_garble(a0, b0, delta, salt, gate, r1, r2);
                // the kernel, through the queue with these random bits (one queue for all
                // trials: its table of Δ terms follows Δ)
                q.push(a0, b0, 0);
                let mut tables = Vec::new();
                let mut slots = [Block::ZERO; 1];
                q.garble_with(rr as u128, delta, salt, gate, &mut tables, &mut slots);
                assert_eq!(tables.len(), GATE_BYTES + 1);
                assert_eq!(&tables[..GATE_BYTES], &g[..], "gate bytes");
                assert_eq!(tables[GATE_BYTES] as u64, zbits(z), "control bits");
                assert_eq!(slots[0], c0, "output 0-label");
                for (a, b) in [(false, false), (false, true), (true, false), (true, true)] {
                    let la = a0 ^ (Block::mask(a) & delta);
                    let lb = b0 ^ (Block::mask(b) & delta);
                    let want = c0 ^ (Block::mask(a & b) & delta);
                    assert_eq!(
                        ref_eval(la, lb, salt, gate, &g, z),
                        want,
                        "reference, a={a} b={b}"
                    );
                    let mut e = EvalQueue::new();
                    e.push(la, lb, &g, 0);
                    let mut out = [Block::ZERO; 1];
                    e.evaluate(salt, gate, &tables[GATE_BYTES..], &mut out);
                    assert_eq!(out[0], want, "kernel, a={a} b={b} pa={pa} pb={pb} r={rr}");
                }
            }
        }
    }
}

/// Random batches of every size: layout (n·GATE_BYTES then the trailer, appended after
/// what `tables` held), agreement with the reference gate by gate, and correctness.
#[test]
fn random_batches_every_size() {
    let mut r = rng();
    let delta = rblock(&mut r).with_lsb(true);
    let salt = rblock(&mut r);
    let mut gq = GarbleQueue::new(rblock(&mut r));
    let mut eq = EvalQueue::new();
    let mut first = u64::MAX - 100;
    for n in 1..=BATCH {
        let a0: Vec<Block> = (0..n).map(|_| rblock(&mut r)).collect();
        let b0: Vec<Block> = (0..n).map(|_| rblock(&mut r)).collect();
        let bits: Vec<(bool, bool)> = (0..n).map(|_| (r.random(), r.random())).collect();
        let rnd: u128 = r.random();
        let mut slots = vec![Block::ZERO; 2 * n + 3];
        for k in 0..n {
            gq.push(a0[k], b0[k], (2 * k + 1) as u32);
        }
        let mut tables = vec![0xAB; 7];
        gq.garble_with(rnd, delta, salt, first, &mut tables, &mut slots);
        assert_eq!(gq.n, 0);
        assert_eq!(tables.len(), 7 + n * GATE_BYTES + trailer_bytes(n));
        assert_eq!(&tables[..7], &[0xAB; 7]);
        let body = &tables[7..];
        let (gates, trailer) = body.split_at(n * GATE_BYTES);
        // unused high bits of the trailer are zero
        if (5 * n) % 8 != 0 {
            assert_eq!(trailer[trailer.len() - 1] >> ((5 * n) % 8), 0);
        }
        for k in 0..n {
            let gate = first.wrapping_add(k as u64);
            let rr = (rnd >> (2 * k)) as u8 & 3;
            let (c0, g, z) = ref_garble(a0[k], b0[k], delta, salt, gate, rr & 1, rr >> 1);
            assert_eq!(
                &gates[k * GATE_BYTES..(k + 1) * GATE_BYTES],
                &g[..],
                "n={n} k={k}"
            );
            assert_eq!(slots[2 * k + 1], c0);
            let zk: u64 = (0..5).fold(0, |s, m| {
                let bit = 5 * k + m;
                s | (((trailer[bit / 8] >> (bit % 8)) & 1) as u64) << m
            });
            assert_eq!(zk, zbits(z), "n={n} k={k}");
        }
        let c0: Vec<Block> = (0..n).map(|k| slots[2 * k + 1]).collect();
        let mut out = vec![Block::ZERO; 2 * n];
        for k in 0..n {
            let la = a0[k] ^ (Block::mask(bits[k].0) & delta);
            let lb = b0[k] ^ (Block::mask(bits[k].1) & delta);
            let g: &[u8; GATE_BYTES] = gates[k * GATE_BYTES..(k + 1) * GATE_BYTES]
                .try_into()
                .unwrap();
            eq.push(la, lb, g, (2 * n - 1 - 2 * k) as u32);
        }
        eq.evaluate(salt, first, trailer, &mut out);
        assert_eq!(eq.n, 0);
        for k in 0..n {
            let v = bits[k].0 & bits[k].1;
            assert_eq!(
                out[2 * n - 1 - 2 * k],
                c0[k] ^ (Block::mask(v) & delta),
                "n={n} k={k}"
            );
        }
        // the queue with its own PRG: still correct
        for k in 0..n {
            gq.push(a0[k], b0[k], k as u32);
        }
        let mut t2 = Vec::new();
        gq.garble(delta, salt, first, &mut t2, &mut slots);
        let (g2, tr2) = t2.split_at(n * GATE_BYTES);
        for k in 0..n {
            let la = a0[k] ^ (Block::mask(bits[k].0) & delta);
            let lb = b0[k] ^ (Block::mask(bits[k].1) & delta);
            eq.push(
                la,
                lb,
                g2[k * GATE_BYTES..(k + 1) * GATE_BYTES].try_into().unwrap(),
                k as u32,
            );
        }
        eq.evaluate(salt, first, tr2, &mut out);
        for k in 0..n {
            let v = bits[k].0 & bits[k].1;
            assert_eq!(
                out[k],
                slots[k] ^ (Block::mask(v) & delta),
                "prg n={n} k={k}"
            );
        }
        first = first.wrapping_add(n as u64);
    }
}

/// A flipped table bit or control bit gives a wrong output label where the equations say it
/// must (and only for that gate): G0 is read at colour i = 1, G1 at j = 1, G2 at i ≠ j; z0
/// and z1 always feed the decoded control bits.
#[test]
fn tampering_changes_the_output() {
    let mut r = rng();
    let delta = rblock(&mut r).with_lsb(true);
    let salt = rblock(&mut r);
    let n = 17;
    let a0: Vec<Block> = (0..n).map(|_| rblock(&mut r)).collect();
    let b0: Vec<Block> = (0..n).map(|_| rblock(&mut r)).collect();
    let mut gq = GarbleQueue::new(rblock(&mut r));
    for k in 0..n {
        gq.push(a0[k], b0[k], k as u32);
    }
    let mut tables = Vec::new();
    let mut c0 = vec![Block::ZERO; n];
    gq.garble(delta, salt, 5, &mut tables, &mut c0);
    let la: Vec<Block> = (0..n)
        .map(|k| a0[k] ^ (Block::mask(k % 2 == 1) & delta))
        .collect();
    let lb: Vec<Block> = (0..n)
        .map(|k| b0[k] ^ (Block::mask(k % 3 == 0) & delta))
        .collect();
    let run = |t: &[u8]| {
        let mut e = EvalQueue::new();
        for k in 0..n {
            e.push(
                la[k],
                lb[k],
                t[k * GATE_BYTES..(k + 1) * GATE_BYTES].try_into().unwrap(),
                k as u32,
            );
        }
        let mut out = vec![Block::ZERO; n];
        e.evaluate(salt, 5, &t[n * GATE_BYTES..], &mut out);
        out
    };
    let good = run(&tables);
    for k in 0..n {
        let v = k % 2 == 1 && k % 3 == 0;
        assert_eq!(good[k], c0[k] ^ (Block::mask(v) & delta));
    }
    let mut wrong = 0;
    for k in 0..n {
        let (i, j) = (la[k].lsb(), lb[k].lsb());
        for (ci, used) in [(0, i), (1, j), (2, i != j)] {
            let mut t = tables.clone();
            t[k * GATE_BYTES + 8 * ci + 3] ^= 0x10;
            let out = run(&t);
            assert_eq!(out[k] != good[k], used, "gate {k} ciphertext {ci}");
            wrong += usize::from(out[k] != good[k]);
            for q in (0..n).filter(|&q| q != k) {
                assert_eq!(out[q], good[q]);
            }
        }
        for m in 0..2 {
            let bit = 5 * k + m;
            let mut t = tables.clone();
            t[n * GATE_BYTES + bit / 8] ^= 1 << (bit % 8);
            let out = run(&t);
            assert_ne!(out[k], good[k], "gate {k} control bit {m}");
            wrong += 1;
        }
    }
    assert!(wrong > n);
}

#[test]
fn trailer_sizes_and_bytes_per_gate() {
    assert_eq!(GATE_BYTES, 24);
    assert_eq!(trailer_bytes(1), 1);
    assert_eq!(trailer_bytes(8), 5);
    assert_eq!(trailer_bytes(14), 9);
    assert_eq!(trailer_bytes(64), 40);
    for n in 1..=BATCH {
        assert_eq!(trailer_bytes(n), (5 * n).div_ceil(8));
        assert!(
            n * GATE_BYTES + trailer_bytes(n) <= 25 * n,
            "≤ 25 bytes per AND at n = {n}"
        );
    }
    // the paper's 1.5κ + 5 bits at a full batch
    assert_eq!((64 * GATE_BYTES + trailer_bytes(64)) * 8, 64 * (192 + 5));
    let per = |n: usize| (n * GATE_BYTES + trailer_bytes(n)) as f64 / n as f64;
    assert_eq!(per(64), 24.625);
    assert_eq!(per(1), 25.0);
    assert!((per(14) - 24.642_857).abs() < 1e-5);
}

/// Garble / evaluate speed of the half-gates queues of `crate::half_gates` and of these queues,
/// full batches of [`BATCH`], interleaved repetitions, best of each (the machine is shared):
/// `cargo test --release -p duet-gc three_halves -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_against_half_gates() {
    use std::time::{Duration, Instant};
    let mut r = rng();
    let delta = rblock(&mut r).with_lsb(true);
    let salt = rblock(&mut r);
    let batches = 1 << 12;
    let n = BATCH * batches;
    use crate::scheme::{EvalQueue as _, GarbleQueue as _, Tweak};
    let labels: Vec<Block> = (0..2 * BATCH).map(|_| rblock(&mut r)).collect();
    let mut slots = vec![Block::ZERO; BATCH];
    // the half-gates queues through the executor's trait: inputs in slots 0..2·BATCH,
    // outputs in 2·BATCH..3·BATCH
    let mut hslots: Vec<Block> = labels.clone();
    hslots.resize(3 * BATCH, Block::ZERO);
    let mut hq = <crate::half_gates::GarbleQueue as crate::scheme::GarbleQueue>::new(salt);
    let mut he = <crate::half_gates::EvalQueue as crate::scheme::EvalQueue>::new();
    let tw = |g: usize| Tweak {
        salt,
        first_gate: g as u64,
    };
    let mut gq = GarbleQueue::new(rblock(&mut r));
    let mut eq = EvalQueue::new();
    let per_batch = BATCH * GATE_BYTES + trailer_bytes(BATCH);
    let mut htab: Vec<u8> = Vec::with_capacity(32 * n);
    let mut tab: Vec<u8> = Vec::with_capacity(per_batch * batches);
    let mut best = [Duration::MAX; 4];
    for _rep in 0..15 {
        htab.clear();
        let t = Instant::now();
        for bi in 0..batches {
            for k in 0..BATCH {
                hq.push(
                    &hslots,
                    k as u32,
                    (BATCH + k) as u32,
                    (2 * BATCH + k) as u32,
                );
            }
            hq.garble(delta, tw(bi * BATCH), &mut htab, &mut hslots);
        }
        best[0] = best[0].min(t.elapsed());
        let t = Instant::now();
        for bi in 0..batches {
            for k in 0..BATCH {
                let g = bi * BATCH + k;
                he.push(
                    &hslots,
                    k as u32,
                    (BATCH + k) as u32,
                    &htab[32 * g..32 * g + 32],
                    (2 * BATCH + k) as u32,
                );
            }
            crate::scheme::EvalQueue::evaluate(&mut he, tw(bi * BATCH), &[], &mut hslots);
        }
        best[1] = best[1].min(t.elapsed());
        tab.clear();
        let t = Instant::now();
        for bi in 0..batches {
            for k in 0..BATCH {
                gq.push(labels[k], labels[BATCH + k], k as u32);
            }
            gq.garble(delta, salt, (bi * BATCH) as u64, &mut tab, &mut slots);
        }
        best[2] = best[2].min(t.elapsed());
        let t = Instant::now();
        for (bi, batch) in tab.chunks_exact(per_batch).enumerate() {
            let (gates, trailer) = batch.split_at(BATCH * GATE_BYTES);
            for (k, g) in gates.chunks_exact(GATE_BYTES).enumerate() {
                eq.push(
                    labels[k],
                    labels[BATCH + k],
                    g.try_into().unwrap(),
                    k as u32,
                );
            }
            eq.evaluate(salt, (bi * BATCH) as u64, trailer, &mut slots);
        }
        best[3] = best[3].min(t.elapsed());
        std::hint::black_box(&slots);
    }
    let rate = best.map(|d| n as f64 / d.as_secs_f64() / 1e6);
    println!(
        "best of 15 × {n} AND gates: half-gates garble {:.1} / evaluate {:.1} M AND/s; \
         three-halves garble {:.1} / evaluate {:.1} M AND/s (ratios {:.2} / {:.2}); \
         {} table bytes per AND",
        rate[0],
        rate[1],
        rate[2],
        rate[3],
        rate[2] / rate[0],
        rate[3] / rate[1],
        tab.len() as f64 / n as f64
    );
}
