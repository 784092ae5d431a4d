//! [`Stats`]: gate counts, AND-depth, layout and peak live wires of a circuit.

use serde::Serialize;

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
    /// Peak number of simultaneously live wires: a wire is live from its definition (inputs:
    /// from the start) to its last read; output wires stay live to the end; a gate's output
    /// may reuse the place of an operand read for the last time; outputs nobody reads take
    /// no place. This is the number of wire labels a garbler or evaluator holds at once with
    /// perfect slot reuse; it equals [`crate::liveness::SlotMap::peak`].
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
        s.peak_live_wires = peak_live_wires(c);
        s
    }
}

/// Peak live wires (see [`Stats::peak_live_wires`]): a last-use pass, then a sweep.
///
/// The count follows the same rules as the slot allocator of the garbler
/// ([`crate::liveness::SlotMap::peak`]): gates run in order, a MAND as its n ANDs one after
/// the other; at each step the operands read for the last time are released first and then
/// the output (unless nothing reads it and it is no circuit output) takes a wire; every input
/// holds a wire at the start. Memory: 4 bytes per wire.
pub fn peak_live_wires(c: &Circuit) -> u32 {
    // last_use[w]: step (AND inside a MAND = one step) of the last read of w; NEVER if
    // nothing reads it; FOREVER for circuit outputs; DEAD once released.
    const FOREVER: u32 = u32::MAX;
    const NEVER: u32 = u32::MAX - 1;
    const DEAD: u32 = u32::MAX - 2;
    // Step numbers saturate below the sentinels (only a circuit with more than 2^32 - 4
    // steps could reach them, which does not fit in memory).
    let step_id = |s: u64| s.min(DEAD as u64 - 1) as u32;
    let nw = c.num_wires() as usize;
    let mut last_use = vec![NEVER; nw];
    let mut step = 0u64;
    for g in c.gates() {
        match g {
            Gate::Xor { a, b, .. } | Gate::And { a, b, .. } => {
                last_use[a as usize] = step_id(step);
                last_use[b as usize] = step_id(step);
            }
            Gate::Inv { a, .. } | Gate::Eqw { a, .. } => last_use[a as usize] = step_id(step),
            Gate::Eq { .. } => {}
            Gate::Mand { offset, n } => {
                let (l, r, _) = c.mand_operands(offset, n);
                for k in 0..n as usize {
                    last_use[l[k] as usize] = step_id(step);
                    last_use[r[k] as usize] = step_id(step);
                    step += 1;
                }
                continue;
            }
        }
        step += 1;
    }
    let first_out = (c.num_wires() - c.num_output_bits()) as usize;
    for lu in &mut last_use[first_out..] {
        *lu = FOREVER;
    }
    let ib = c.num_input_bits() as usize;
    let mut live: u64 = ib as u64;
    let mut peak = live;
    // Inputs nobody reads (and that are not outputs) are released right at the start.
    live -= last_use[..ib].iter().filter(|&&u| u == NEVER).count() as u64;
    // Release `w` if step `s` is its last read (once, even if one gate reads it twice).
    let release = |w: WireId, s: u32, live: &mut u64, last_use: &mut [u32]| {
        let u = &mut last_use[w as usize];
        if *u == s {
            *u = DEAD;
            *live -= 1;
        }
    };
    let define = |out: WireId, live: &mut u64, peak: &mut u64, last_use: &[u32]| {
        if last_use[out as usize] != NEVER {
            *live += 1;
            *peak = (*peak).max(*live);
        }
    };
    let mut step = 0u64;
    for g in c.gates() {
        let s = step_id(step);
        match g {
            Gate::Xor { a, b, out } | Gate::And { a, b, out } => {
                release(a, s, &mut live, &mut last_use);
                release(b, s, &mut live, &mut last_use);
                define(out, &mut live, &mut peak, &last_use);
            }
            Gate::Inv { a, out } | Gate::Eqw { a, out } => {
                release(a, s, &mut live, &mut last_use);
                define(out, &mut live, &mut peak, &last_use);
            }
            Gate::Eq { out, .. } => define(out, &mut live, &mut peak, &last_use),
            Gate::Mand { offset, n } => {
                let (l, r, o) = c.mand_operands(offset, n);
                for k in 0..n as usize {
                    let s = step_id(step);
                    release(l[k], s, &mut live, &mut last_use);
                    release(r[k], s, &mut live, &mut last_use);
                    define(o[k], &mut live, &mut peak, &last_use);
                    step += 1;
                }
                continue;
            }
        }
        step += 1;
    }
    peak.min(u32::MAX as u64) as u32
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
        // {0,1} → {0,1,2} → {2,3} (0, 1 released first) → {4} → {5}
        assert_eq!(s.peak_live_wires, 3);
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
        // start {0,1,2} (3); wire 2 never read → {0,1}; EQ → {0,1,3};
        // MAND: AND 0&1 (0 released) → {1,3,4}; AND 1&3 (both released) → {4,5};
        // AND → {6}.
        assert_eq!(s.peak_live_wires, 3);
    }
}
