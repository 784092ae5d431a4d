//! Authenticated bits and authenticated XOR-shared bits (WRK17 §2, "Authenticated bits and
//! shares"; the notation is theirs with A = garbler, B = evaluator).
//!
//! Each party `P` holds a global key `Δ_P`. A bit `x` held by `P` is *authenticated to* the
//! other party `Q` when `P` holds the MAC `M_Q[x] = K_Q[x] ⊕ x·Δ_Q` and `Q` the key `K_Q[x]`:
//! exactly one random COT with `Q` as sender (global Δ_Q, key `k_i`) and `P` as receiver
//! (`b_i = x`, `m_i` = the MAC). An *authenticated share* `⟨x⟩` is `x = x_A ⊕ x_B` with both
//! halves authenticated; one party's view of it is a [`Share`]: its half `x_P`, the MAC of its
//! half (under the peer's Δ) and its key for the peer's half (under its own Δ).
//!
//! [`Mac`], [`Key`] and [`Label`] are distinct newtypes over [`Block`], so a MAC, a key and a
//! garbled-circuit label cannot be mixed up; XOR-linearity is implemented on each type and on
//! [`Share`] (WRK17 §2: XOR of shares, multiplication by a public bit, XOR with a public
//! constant, the last one on the garbler's half with the evaluator's key shifted by `Δ_B`).

use duet_core::Block;
use std::ops::{BitXor, BitXorAssign};
use zeroize::Zeroize;

/// Which party a value belongs to. The garbler is WRK17's P_A, the evaluator P_B.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Party {
    /// P_A: garbles the circuit; its `Δ_A` is also the free-XOR offset of the labels.
    Garbler,
    /// P_B: evaluates the garbled circuit.
    Evaluator,
}

impl Party {
    /// The other party.
    pub fn peer(self) -> Party {
        match self {
            Party::Garbler => Party::Evaluator,
            Party::Evaluator => Party::Garbler,
        }
    }
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Party::Garbler => "garbler",
            Party::Evaluator => "evaluator",
        })
    }
}

macro_rules! block_newtype {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Default, PartialEq, Eq, Zeroize)]
        pub struct $name(pub(crate) Block);

        impl $name {
            /// The zero value.
            pub const ZERO: $name = $name(Block::ZERO);

            /// `self` if `b`, else zero (multiplication by a public bit), branch-free.
            #[inline(always)]
            pub fn select(self, b: bool) -> $name {
                $name(self.0 & Block::mask(b))
            }

            /// The underlying block (for hashing and sending; handle as a secret).
            #[inline(always)]
            pub fn block(self) -> Block {
                self.0
            }
        }

        impl BitXor for $name {
            type Output = $name;
            #[inline(always)]
            fn bitxor(self, rhs: $name) -> $name {
                $name(self.0 ^ rhs.0)
            }
        }

        impl BitXorAssign for $name {
            #[inline(always)]
            fn bitxor_assign(&mut self, rhs: $name) {
                self.0 ^= rhs.0;
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }
    };
}

block_newtype!(
    /// A MAC `M_Q[x] = K_Q[x] ⊕ x·Δ_Q` on a bit `x` held by this party (128 bits).
    Mac
);
block_newtype!(
    /// A key `K_P[y]` this party holds for a bit `y` of the peer, under this party's Δ.
    Key
);
block_newtype!(
    /// A garbled-circuit wire label (128 bits); `L_{w,1} = L_{w,0} ⊕ Δ_A`.
    Label
);

/// One party's view of an authenticated share `⟨x⟩` (see the module doc): its half of `x`,
/// the MAC of that half under the peer's Δ, and its key for the peer's half under its own Δ.
/// 33 bytes of secrets; `Debug` is redacted.
#[derive(Clone, Copy, Default, PartialEq, Eq, Zeroize)]
pub struct Share {
    pub(crate) bit: bool,
    pub(crate) mac: Mac,
    pub(crate) key: Key,
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Share(<redacted>)")
    }
}

impl Share {
    /// From a COT as receiver (`bit`, `mac`) and a COT as sender (`key`).
    #[inline(always)]
    pub fn new(bit: bool, mac: Mac, key: Key) -> Share {
        Share { bit, mac, key }
    }

    /// This party's half of the shared bit.
    #[inline(always)]
    pub fn bit(&self) -> bool {
        self.bit
    }

    /// The MAC of this party's half (under the peer's Δ).
    #[inline(always)]
    pub fn mac(&self) -> Mac {
        self.mac
    }

    /// This party's key for the peer's half (under this party's Δ).
    #[inline(always)]
    pub fn key(&self) -> Key {
        self.key
    }

    /// `c · ⟨x⟩` for a public bit `c`.
    #[inline(always)]
    pub fn scale(self, c: bool) -> Share {
        Share {
            bit: self.bit & c,
            mac: self.mac.select(c),
            key: self.key.select(c),
        }
    }

    /// `⟨x⟩ ⊕ c` for a public bit `c`: the garbler flips its half; the evaluator shifts its
    /// key for the garbler's half by `c·Δ_B` (`delta_me` is the caller's own Δ).
    #[inline(always)]
    pub fn xor_const(self, c: bool, me: Party, delta_me: Block) -> Share {
        match me {
            Party::Garbler => Share {
                bit: self.bit ^ c,
                ..self
            },
            Party::Evaluator => Share {
                key: Key(self.key.0 ^ (delta_me & Block::mask(c))),
                ..self
            },
        }
    }

    /// This party's XOR share of `x·Δ_A` (WRK17 §3: the garbler's is `x_A·Δ_A ⊕ K_A[x_B]`, the
    /// evaluator's `M_A[x_B]`). `delta_me` is the caller's own Δ.
    #[inline(always)]
    pub fn share_of_x_delta_a(&self, me: Party, delta_me: Block) -> Block {
        match me {
            Party::Garbler => (delta_me & Block::mask(self.bit)) ^ self.key.0,
            Party::Evaluator => self.mac.0,
        }
    }

    /// This party's XOR share of `x·(Δ_A ⊕ Δ_B)`: `x_P·Δ_P ⊕ K_P[x_Q] ⊕ M_Q[x_P]`
    /// (KRRW18 §5, used by the leaky AND).
    #[inline(always)]
    pub fn share_of_x_delta_sum(&self, delta_me: Block) -> Block {
        (delta_me & Block::mask(self.bit)) ^ self.key.0 ^ self.mac.0
    }
}

impl BitXor for Share {
    type Output = Share;
    #[inline(always)]
    fn bitxor(self, rhs: Share) -> Share {
        Share {
            bit: self.bit ^ rhs.bit,
            mac: self.mac ^ rhs.mac,
            key: self.key ^ rhs.key,
        }
    }
}

impl BitXorAssign for Share {
    #[inline(always)]
    fn bitxor_assign(&mut self, rhs: Share) {
        *self = *self ^ rhs;
    }
}

/// Whether a MAC on the peer's bit `bit` is right: `mac == key ⊕ bit·Δ` (`key` and `delta`
/// are the verifier's). Constant time.
#[inline(always)]
pub fn mac_ok(mac: Mac, key: Key, bit: bool, delta: Block) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(mac.0.ct_eq(&(key.0 ^ (delta & Block::mask(bit)))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two parties' views of `⟨x⟩` from explicit halves, keys and Δs.
    pub(crate) fn deal(
        x_a: bool,
        x_b: bool,
        da: Block,
        db: Block,
        ka: Block,
        kb: Block,
    ) -> (Share, Share) {
        // garbler: bit x_a, MAC under Δ_B, key K_A[x_B] = ka; evaluator: key K_B[x_A] = kb
        let a = Share::new(x_a, Mac(kb ^ (db & Block::mask(x_a))), Key(ka));
        let b = Share::new(x_b, Mac(ka ^ (da & Block::mask(x_b))), Key(kb));
        (a, b)
    }

    fn consistent(a: &Share, b: &Share, da: Block, db: Block) -> bool {
        mac_ok(a.mac, b.key, a.bit, db) && mac_ok(b.mac, a.key, b.bit, da)
    }

    #[test]
    fn linear_ops_keep_macs_valid() {
        let (da, db) = (
            Block(0x1234_5678_9abc_def1),
            Block(0x0fed_cba9_8765_4323 << 64 | 5),
        );
        for bits in 0..16u8 {
            let b = |i: u8| bits >> i & 1 == 1;
            let (xa, xb) = deal(b(0), b(1), da, db, Block(11), Block(22));
            let (ya, yb) = deal(b(2), b(3), da, db, Block(33 << 70), Block(44 << 3));
            let (sa, sb) = (xa ^ ya, xb ^ yb);
            assert!(consistent(&sa, &sb, da, db));
            assert_eq!(sa.bit ^ sb.bit, b(0) ^ b(1) ^ b(2) ^ b(3));
            for c in [false, true] {
                let (ca, cb) = (
                    sa.xor_const(c, Party::Garbler, da),
                    sb.xor_const(c, Party::Evaluator, db),
                );
                assert!(consistent(&ca, &cb, da, db));
                assert_eq!(ca.bit ^ cb.bit, sa.bit ^ sb.bit ^ c);
                let (pa, pb) = (sa.scale(c), sb.scale(c));
                assert!(consistent(&pa, &pb, da, db));
                assert_eq!(pa.bit ^ pb.bit, c & (sa.bit ^ sb.bit));
            }
            let x = b(0) ^ b(1);
            let dxa = xa.share_of_x_delta_a(Party::Garbler, da)
                ^ xb.share_of_x_delta_a(Party::Evaluator, db);
            assert_eq!(dxa, da & Block::mask(x));
            let ds = xa.share_of_x_delta_sum(da) ^ xb.share_of_x_delta_sum(db);
            assert_eq!(ds, (da ^ db) & Block::mask(x));
        }
    }

    #[test]
    fn debug_is_redacted() {
        let s = Share::new(true, Mac(Block(7)), Key(Block(9)));
        assert_eq!(format!("{s:?}"), "Share(<redacted>)");
        assert_eq!(format!("{:?}", Label(Block(3))), "Label(<redacted>)");
    }
}
