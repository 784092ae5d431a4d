//! [`Stats`]: gate counts, AND-depth, layout and peak live wires of a circuit.

use serde::Serialize;

use crate::liveness::SlotMap;
use crate::{Circuit, Gate, WireId};

/// Summary statistics of a [`Circuit`]. One pass over the gates plus `O(wires)` memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// Number of gates (a MAND gate counts once).
    pub gates: u64,
    /// AND operations: AND gates plus every AND inside a MAND gate (the garbling cost).
    pub and: u64,
    /// XOR gates.
    pub xor: u64,
    /// INV gates.
    pub inv: u64,
    /// EQ gates (wire := constant).
    pub eq: u64,
    /// EQW gates (wire := wire).
    pub eqw: u64,
    /// MAND gates (each holding one or more ANDs, counted in `and`).
    pub mand_gates: u64,
    /// AND gates written as `AND` (not inside a MAND).
    pub and_gates: u64,
    /// Number of wires.
    pub wires: u32,
    /// Bit width of each input value, in header order.
    pub inputs: Vec<u32>,
    /// Bit width of each output value, in header order.
    pub outputs: Vec<u32>,
    /// AND-depth: the most AND operations on any path from an input or constant to a wire
    /// (XOR, INV, EQ, EQW add no depth; a MAND adds one).
    pub and_depth: u32,
    /// Peak number of simultaneously live wires in the garbler's and evaluator's slot
    /// program ([`SlotMap::peak`]): a wire is live from its definition (inputs: from the
    /// start) to its last read, outputs to the end, after the slot allocator's scheduling of
    /// AND gates. This many labels are held in memory at once.
    pub peak_live_wires: u32,
}

impl Stats {
    /// Compute the statistics of `c`.
    pub fn of(c: &Circuit) -> Stats {
        let mut s = Stats {
            gates: c.num_gates() as u64,
            and: 0,
            xor: 0,
            inv: 0,
            eq: 0,
            eqw: 0,
            mand_gates: 0,
            and_gates: 0,
            wires: c.num_wires(),
            inputs: c.inputs().to_vec(),
            outputs: c.outputs().to_vec(),
            and_depth: 0,
            peak_live_wires: 0,
        };
        let mut depth = vec![0u32; c.num_wires() as usize];
        let d = |depth: &[u32], w: WireId| depth[w as usize];
        for g in c.gates() {
            match g {
                Gate::Xor { a, b, out } => {
                    s.xor += 1;
                    depth[out as usize] = d(&depth, a).max(d(&depth, b));
                }
                Gate::And { a, b, out } => {
                    s.and_gates += 1;
                    depth[out as usize] = d(&depth, a).max(d(&depth, b)) + 1;
                }
                Gate::Inv { a, out } => {
                    s.inv += 1;
                    depth[out as usize] = d(&depth, a);
                }
                Gate::Eqw { a, out } => {
                    s.eqw += 1;
                    depth[out as usize] = d(&depth, a);
                }
                Gate::Eq { out, .. } => {
                    s.eq += 1;
                    depth[out as usize] = 0;
                }
                Gate::Mand { offset, n } => {
                    s.mand_gates += 1;
                    s.and += n as u64;
                    let (l, r, o) = c.mand_operands(offset, n);
                    // All reads happen before any write (the IR forbids a MAND reading its
                    // own outputs), so computing in place is sound.
                    for k in 0..n as usize {
                        depth[o[k] as usize] = d(&depth, l[k]).max(d(&depth, r[k])) + 1;
                    }
                }
            }
        }
        s.and += s.and_gates;
        s.and_depth = depth.iter().copied().max().unwrap_or(0);
        drop(depth);
        s.peak_live_wires = SlotMap::compute(c).peak();
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bristol::parse_str;

    #[test]
    fn small() {
        // in: 0,1; 2 = 0^1; 3 = 0&1 (0,1 die); 4 = 2&3 (2,3 die); 5 = !4 output; 4 dies.
        let c = parse_str(
            "4 6\n2 1 1\n1 1\n\n2 1 0 1 2 XOR\n2 1 0 1 3 AND\n2 1 2 3 4 AND\n1 1 4 5 INV\n",
        )
        .unwrap();
        let s = Stats::of(&c);
        assert_eq!((s.and, s.xor, s.inv, s.and_depth), (2, 1, 1, 2));
        assert!(
            (2..=6).contains(&s.peak_live_wires),
            "{}",
            s.peak_live_wires
        );
    }

    #[test]
    fn mand_depth_and_unread_wires() {
        let c = parse_str(
            "3 8\n1 3\n1 2\n\n1 1 1 3 EQ\n4 2 0 1 1 3 4 5 MAND\n2 1 4 5 6 AND\n\
             ",
        );
        // outputs are wires 6 and 7, 7 never assigned
        assert!(c.is_err());
        let c = parse_str("3 7\n1 3\n1 1\n\n1 1 1 3 EQ\n4 2 0 1 1 3 4 5 MAND\n2 1 4 5 6 AND\n")
            .unwrap();
        let s = Stats::of(&c);
        assert_eq!(
            (s.and, s.mand_gates, s.and_gates, s.eq, s.and_depth),
            (3, 1, 1, 1, 2)
        );
        assert!(
            (3..=7).contains(&s.peak_live_wires),
            "{}",
            s.peak_live_wires
        );
    }
}
