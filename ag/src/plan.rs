//! The circuit as a flat list of ops, and the counts the protocol sizes its messages from.

use duet_circuits::{Circuit, Gate};

/// One gate of the circuit (MAND gates are split into their ANDs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Xor(u32, u32, u32),
    And(u32, u32, u32),
    Inv(u32, u32),
    Const(bool, u32),
    Copy(u32, u32),
}

/// The ops of a circuit in gate order and their counts.
pub(crate) struct Plan {
    pub ops: Vec<Op>,
    pub num_wires: usize,
    pub num_input_bits: usize,
    pub num_and: usize,
    pub num_const: usize,
}

impl Plan {
    pub fn new(c: &Circuit) -> Plan {
        let mut ops = Vec::with_capacity(c.num_gates());
        let (mut num_and, mut num_const) = (0, 0);
        for g in c.gates() {
            match g {
                Gate::Xor { a, b, out } => ops.push(Op::Xor(a, b, out)),
                Gate::And { a, b, out } => {
                    num_and += 1;
                    ops.push(Op::And(a, b, out));
                }
                Gate::Inv { a, out } => ops.push(Op::Inv(a, out)),
                Gate::Eq { value, out } => {
                    num_const += 1;
                    ops.push(Op::Const(value, out));
                }
                Gate::Eqw { a, out } => ops.push(Op::Copy(a, out)),
                Gate::Mand { offset, n } => {
                    let (l, r, o) = c.mand_operands(offset, n);
                    for k in 0..n as usize {
                        num_and += 1;
                        ops.push(Op::And(l[k], r[k], o[k]));
                    }
                }
            }
        }
        Plan {
            ops,
            num_wires: c.num_wires() as usize,
            num_input_bits: c.num_input_bits() as usize,
            num_and,
            num_const,
        }
    }
}
