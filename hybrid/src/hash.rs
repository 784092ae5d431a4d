//! The hash and packing helpers of the Gilboa multiplication and of Y2A: the TCCR hash of
//! COT rows and labels (GKWY20 §7.4) and the packing of ℓ−i-bit corrections.

use duet_core::{Block, FIXED_KEY_AES};

pub(crate) fn nbytes(bits: u32) -> usize {
    bits.div_ceil(8) as usize
}

pub(crate) fn low_mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// Bytes of the corrections for one ℓ-bit word (Gilboa term or Y2A word).
pub(crate) fn word_bytes(ell: u32, width: u32) -> usize {
    (0..width).map(|i| nbytes(ell - i)).sum()
}

/// Reused stack buffers of [`hash_into`] (tweaks and blocks of one 64-block piece).
pub(crate) struct HashScratch {
    tw: [Block; 64],
    h: [Block; 64],
}

impl HashScratch {
    pub(crate) fn new() -> Self {
        HashScratch {
            tw: [Block::ZERO; 64],
            h: [Block::ZERO; 64],
        }
    }
}

/// `H(x_j ⊕ off, t_0 + j)` truncated to 64 bits into `out[j]`, for all `j` (TCCR, GKWY20
/// §7.4; the caller's scratch buffers, no allocation or initialisation per call).
///
/// # Panics
/// If `out` is shorter than `xs` (a caller bug).
pub(crate) fn hash_into(
    sc: &mut HashScratch,
    first_tweak: u64,
    xs: &[Block],
    off: Block,
    out: &mut [u64],
) {
    assert!(
        out.len() >= xs.len(),
        "hash_into: output shorter than input"
    );
    const C: usize = 64;
    for (k, (xc, oc)) in xs.chunks(C).zip(out.chunks_mut(C)).enumerate() {
        let n = xc.len();
        let (tw, h) = (&mut sc.tw[..n], &mut sc.h[..n]);
        let t0 = first_tweak.wrapping_add((k * C) as u64);
        for (j, ((t, h), x)) in tw.iter_mut().zip(h.iter_mut()).zip(xc).enumerate() {
            *t = Block((1u128 << 127) | u128::from(t0.wrapping_add(j as u64)));
            *h = *x ^ off;
        }
        FIXED_KEY_AES.tccr_many_clobber(tw, h);
        for (o, h) in oc.iter_mut().zip(h.iter()) {
            *o = h.0 as u64;
        }
    }
}

/// Write the low `bits` bits of `v` at `buf[*pos..]` (little endian, ⌈bits/8⌉ bytes) and
/// advance; `buf` has 8 bytes of slack past the packed data, so the write is one store.
#[inline(always)]
pub(crate) fn put_at(buf: &mut [u8], pos: &mut usize, v: u64, bits: u32) {
    buf[*pos..*pos + 8].copy_from_slice(&(v & low_mask(bits)).to_le_bytes());
    *pos += nbytes(bits);
}

/// Read what [`put_at`] wrote (with the same 8 bytes of slack).
#[inline(always)]
pub(crate) fn get_at(buf: &[u8], pos: &mut usize, bits: u32) -> u64 {
    let v = u64::from_le_bytes(buf[*pos..*pos + 8].try_into().expect("8 bytes"));
    *pos += nbytes(bits);
    v & low_mask(bits)
}

/// All-ones if `b`, else 0.
#[inline(always)]
pub(crate) fn mask64(b: bool) -> u64 {
    0u64.wrapping_sub(u64::from(b))
}
