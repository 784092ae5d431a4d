//! Additive shares over Z_2^ℓ with a public *kind* that says who may hold a nonzero share.
//!
//! A value `v` is held as `v = s_G + s_E mod 2^ℓ`. Both parties track the same [`Kind`] for
//! every value (it depends only on the circuit and on who owns which input, never on data):
//! an input owned by the garbler is shared trivially as `(v, 0)` — secure in the semi-honest
//! model because every later protocol hides its operands — so the evaluator's share is known
//! to be 0 and the runner can skip work (a G-only operand of a comparison needs no adder, a
//! product of two G-only values is local). [`Kind::Public`] values are known to both in
//! the clear (constants and what is computed from constants only).

use crate::{Op, Ring};

/// Who may hold a nonzero share of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Known to both parties in the clear; `share` is the value itself on both sides.
    Public,
    /// Only the garbler's share may be nonzero (the evaluator's is 0).
    Garbler,
    /// Only the evaluator's share may be nonzero (the garbler's is 0).
    Evaluator,
    /// Both shares may be nonzero.
    Both,
}

impl Kind {
    /// The kind of a linear combination of values of kinds `self` and `other`.
    pub fn join(self, other: Kind) -> Kind {
        match (self, other) {
            (Kind::Public, k) | (k, Kind::Public) => k,
            (a, b) if a == b => a,
            _ => Kind::Both,
        }
    }
}

/// Which party this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// The garbler: COT sender, holds Δ.
    Garbler,
    /// The evaluator: COT receiver.
    Evaluator,
}

/// One party's view of a shared value: its kind and its own share (for [`Kind::Public`],
/// the value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Val {
    /// Who may hold a nonzero share.
    pub kind: Kind,
    /// This party's share (reduced mod 2^ℓ); the value itself if public.
    pub share: u64,
}

impl Val {
    /// A public value.
    pub fn public(v: u64) -> Val {
        Val {
            kind: Kind::Public,
            share: v,
        }
    }

    /// This party's share of an input owned by `owner` with value `v` (pass 0 when the
    /// value is the other party's).
    pub fn input(me: Role, owner: Role, v: u64) -> Val {
        let kind = match owner {
            Role::Garbler => Kind::Garbler,
            Role::Evaluator => Kind::Evaluator,
        };
        Val {
            kind,
            share: if me == owner { v } else { 0 },
        }
    }

    /// Does party `me` hold a share that may be nonzero (or the public value)?
    pub fn holds(self, me: Role) -> bool {
        matches!(
            (self.kind, me),
            (Kind::Public | Kind::Both, _)
                | (Kind::Garbler, Role::Garbler)
                | (Kind::Evaluator, Role::Evaluator)
        )
    }
}

/// Local (communication-free) share arithmetic for party `me` over `ring`.
#[derive(Clone, Copy, Debug)]
pub struct Local {
    /// This party.
    pub me: Role,
    /// The ring.
    pub ring: Ring,
}

impl Local {
    /// `a + b`.
    pub fn add(self, a: Val, b: Val) -> Val {
        let r = self.ring;
        match (a.kind, b.kind) {
            (Kind::Public, Kind::Public) => Val::public(r.reduce(a.share.wrapping_add(b.share))),
            (Kind::Public, _) => self.add_public(b, a.share),
            (_, Kind::Public) => self.add_public(a, b.share),
            (ka, kb) => Val {
                kind: ka.join(kb),
                share: r.reduce(a.share.wrapping_add(b.share)),
            },
        }
    }

    /// `a + c` for a public `c`: the party that may hold a share adds it (the garbler when
    /// both may).
    pub fn add_public(self, a: Val, c: u64) -> Val {
        let adder = match a.kind {
            Kind::Public => return Val::public(self.ring.reduce(a.share.wrapping_add(c))),
            Kind::Evaluator => Role::Evaluator,
            Kind::Garbler | Kind::Both => Role::Garbler,
        };
        let share = if self.me == adder {
            a.share.wrapping_add(c)
        } else {
            a.share
        };
        Val {
            kind: a.kind,
            share: self.ring.reduce(share),
        }
    }

    /// `−a`.
    pub fn neg(self, a: Val) -> Val {
        Val {
            kind: a.kind,
            share: self.ring.reduce(a.share.wrapping_neg()),
        }
    }

    /// `a − b`.
    pub fn sub(self, a: Val, b: Val) -> Val {
        self.add(a, self.neg(b))
    }

    /// `a · c` for a public `c`.
    pub fn mul_public(self, a: Val, c: u64) -> Val {
        Val {
            kind: a.kind,
            share: self.ring.reduce(a.share.wrapping_mul(c)),
        }
    }

    /// `op(a, b)` if it needs no communication: linear ops, ops on public values, products
    /// with a public factor, and any op whose operands are held by one and the same party
    /// (that party computes it in the clear). `None` if the op needs the protocol.
    pub fn try_local(self, op: Op, a: Val, b: Val) -> Option<Val> {
        match op {
            Op::Add => return Some(self.add(a, b)),
            Op::Sub => return Some(self.sub(a, b)),
            Op::Neg => return Some(self.neg(a)),
            Op::Id => return Some(a),
            // ~x = −x − 1
            Op::BitNot => return Some(self.add_public(self.neg(a), self.ring.mask())),
            Op::Mul if a.kind == Kind::Public => return Some(self.mul_public(b, a.share)),
            Op::Mul if b.kind == Kind::Public => return Some(self.mul_public(a, b.share)),
            _ => {}
        }
        let k = a.kind.join(b.kind);
        let mine = match (k, self.me) {
            (Kind::Public, _) => return Some(Val::public(op.apply(self.ring, a.share, b.share))),
            (Kind::Garbler, Role::Garbler) | (Kind::Evaluator, Role::Evaluator) => true,
            (Kind::Garbler, Role::Evaluator) | (Kind::Evaluator, Role::Garbler) => false,
            (Kind::Both, _) => return None,
        };
        // One party holds both operands (a public one counts as held): it computes in the
        // clear; the other's share stays 0.
        Some(Val {
            kind: k,
            share: if mine {
                op.apply(self.ring, a.share, b.share)
            } else {
                0
            },
        })
    }
}
