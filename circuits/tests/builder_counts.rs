//! AND counts of the gadgets at ℓ = 64 (asserted exactly), the built circuit's layout, MAND
//! emission, and equivalence with the shipped standard Bristol circuits.

mod builder_util;

use builder_util::{ands, run_both};
use duet_circuits::builder::{CircuitBuilder, Word};
use duet_circuits::{Gate, GateKind, library};

type W<'a> = &'a [Word];

#[test]
fn and_counts_64() {
    let two = [64, 64];
    let table: [(&str, u64, u64); 24] = [
        ("add", ands(&two, |b, i: W| vec![b.add(&i[0], &i[1])]), 63),
        ("sub", ands(&two, |b, i: W| vec![b.sub(&i[0], &i[1])]), 63),
        ("neg", ands(&[64], |b, i: W| vec![b.neg(&i[0])]), 62),
        ("mul", ands(&two, |b, i: W| vec![b.mul(&i[0], &i[1])]), 4033),
        (
            "is_zero",
            ands(&[64], |b, i: W| vec![vec![b.is_zero(&i[0])]]),
            63,
        ),
        (
            "eq",
            ands(&two, |b, i: W| vec![vec![b.eq(&i[0], &i[1])]]),
            63,
        ),
        (
            "ne",
            ands(&two, |b, i: W| vec![vec![b.ne(&i[0], &i[1])]]),
            63,
        ),
        (
            "ult",
            ands(&two, |b, i: W| vec![vec![b.ult(&i[0], &i[1])]]),
            64,
        ),
        (
            "ule",
            ands(&two, |b, i: W| vec![vec![b.ule(&i[0], &i[1])]]),
            64,
        ),
        (
            "ugt",
            ands(&two, |b, i: W| vec![vec![b.ugt(&i[0], &i[1])]]),
            64,
        ),
        (
            "uge",
            ands(&two, |b, i: W| vec![vec![b.uge(&i[0], &i[1])]]),
            64,
        ),
        (
            "slt",
            ands(&two, |b, i: W| vec![vec![b.slt(&i[0], &i[1])]]),
            64,
        ),
        (
            "sle",
            ands(&two, |b, i: W| vec![vec![b.sle(&i[0], &i[1])]]),
            64,
        ),
        (
            "sgt",
            ands(&two, |b, i: W| vec![vec![b.sgt(&i[0], &i[1])]]),
            64,
        ),
        (
            "sge",
            ands(&two, |b, i: W| vec![vec![b.sge(&i[0], &i[1])]]),
            64,
        ),
        (
            "mux",
            ands(&[1, 64, 64], |b, i: W| {
                vec![b.mux_word(i[0][0], &i[1], &i[2])]
            }),
            64,
        ),
        (
            "umin",
            ands(&two, |b, i: W| vec![b.umin(&i[0], &i[1])]),
            128,
        ),
        (
            "smax",
            ands(&two, |b, i: W| vec![b.smax(&i[0], &i[1])]),
            128,
        ),
        ("abs", ands(&[64], |b, i: W| vec![b.abs(&i[0])]), 63),
        (
            "popcount",
            ands(&[64], |b, i: W| vec![b.popcount(&i[0])]),
            63,
        ),
        (
            "shl_var",
            ands(&two, |b, i: W| vec![b.shl_var(&i[0], &i[1])]),
            505,
        ),
        (
            "udiv",
            ands(&two, |b, i: W| vec![b.udiv(&i[0], &i[1])]),
            4221,
        ),
        (
            "urem",
            ands(&two, |b, i: W| vec![b.urem(&i[0], &i[1])]),
            4285,
        ),
        (
            "sdivrem",
            ands(&two, |b, i: W| {
                let (q, r) = b.sdivrem(&i[0], &i[1]);
                vec![q, r]
            }),
            4539,
        ),
    ];
    let mut bad = Vec::new();
    for (name, got, want) in table {
        println!("{name:>10}: {got} ANDs");
        if got != want {
            bad.push(format!("{name}: {got} ANDs, expected {want}"));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
    // free gadgets
    let free = ands(&two, |b, i: W| {
        vec![
            b.xor_word(&i[0], &i[1]),
            b.not_word(&i[0]),
            b.shl(&i[0], 3),
            b.shr(&i[0], 5),
            b.sar(&i[0], 7),
            b.rotl(&i[0], 9),
            b.rotr(&i[1], 11),
            b.sign_extend(&i[0], 80),
            b.constant_word(0xdead_beef, 64),
        ]
    });
    assert_eq!(free, 0);
}

/// The exact formulas in the gadget docs, for every ℓ.
#[test]
fn and_count_formulas() {
    for l in 1..=64u64 {
        let w = l as usize;
        let two = [w, w];
        assert_eq!(
            ands(&two, |b, i: W| vec![b.add(&i[0], &i[1])]),
            l - 1,
            "add {l}"
        );
        assert_eq!(
            ands(&two, |b, i: W| vec![b.sub(&i[0], &i[1])]),
            l - 1,
            "sub {l}"
        );
        assert_eq!(
            ands(&[w], |b, i: W| vec![b.neg(&i[0])]),
            l.saturating_sub(2),
            "neg {l}"
        );
        assert_eq!(
            ands(&two, |b, i: W| vec![b.mul(&i[0], &i[1])]),
            l * l - l + 1,
            "mul {l}"
        );
        assert_eq!(
            ands(&two, |b, i: W| vec![vec![b.slt(&i[0], &i[1])]]),
            l,
            "slt {l}"
        );
        assert_eq!(
            ands(&two, |b, i: W| vec![vec![b.eq(&i[0], &i[1])]]),
            l - 1,
            "eq {l}"
        );
        let pc = ands(&[w], |b, i: W| vec![b.popcount(&i[0])]);
        assert_eq!(pc, l - l.count_ones() as u64, "popcount {l}");
        if l >= 2 {
            let urem = ands(&two, |b, i: W| vec![b.urem(&i[0], &i[1])]);
            assert_eq!(urem, l * l + 3 * l - 3, "urem {l}");
            let udiv = ands(&two, |b, i: W| vec![b.udiv(&i[0], &i[1])]);
            assert_eq!(udiv, l * l + 2 * l - 3, "udiv {l}");
            let sdr = ands(&two, |b, i: W| {
                let (q, r) = b.sdivrem(&i[0], &i[1]);
                vec![q, r]
            });
            assert_eq!(sdr, l * l + 7 * l - 5, "sdivrem {l}");
            let sdiv = ands(&two, |b, i: W| vec![b.sdiv(&i[0], &i[1])]);
            assert_eq!(sdiv, l * l + 5 * l - 4, "sdiv {l}");
            let srem = ands(&two, |b, i: W| vec![b.srem(&i[0], &i[1])]);
            assert_eq!(srem, l * l + 6 * l - 6, "srem {l}");
        }
    }
}

#[test]
fn layout_inputs_first_outputs_last() {
    let mut b = CircuitBuilder::new();
    let x = b.input(3);
    let y = b.input(2);
    let s = b.add(&x[..2], &y);
    let dead = b.mul(&x, &x); // never output: dropped
    let _ = dead;
    b.output(&s);
    b.output(&[y[1], x[0]]); // inputs as outputs: EQW copies
    b.output(&s[..1]); // repeated output: EQW copy
    let one = b.constant(true);
    b.output(&[one]);
    let c = b.build().unwrap();
    assert_eq!(c.inputs(), &[3, 2]);
    assert_eq!(c.outputs(), &[2, 2, 1, 1]);
    assert_eq!(c.and_count(), 1);
    let eqw = c.gates().filter(|g| g.kind() == GateKind::Eqw).count();
    assert_eq!(eqw, 3);
    let eq = c.gates().filter(|g| g.kind() == GateKind::Eq).count();
    // the constant 1 is an output; the adder's constant-0 carry-in folded away, so its EQ
    // gate is unused and dropped
    assert_eq!(eq, 1);
    for x in 0..8u64 {
        for y in 0..4u64 {
            let out = run_both(&c, &[vec![x, y]]);
            assert_eq!(
                out[0],
                vec![(x + y) & 3, (y >> 1) | ((x & 1) << 1), (x + y) & 1, 1]
            );
        }
    }
    // an identity circuit needs copies only
    let mut b = CircuitBuilder::new();
    let x = b.input(4);
    b.output(&x);
    let c = b.build().unwrap();
    assert_eq!((c.num_wires(), c.num_gates()), (8, 4));
    // no inputs, constant output
    let mut b = CircuitBuilder::new();
    let k = b.constant_word(0b1011, 4);
    b.output(&k);
    let c = b.build().unwrap();
    assert_eq!(run_both(&c, &[vec![]]), vec![vec![0b1011]]);
}

#[test]
fn mand_gates() {
    let mut b = CircuitBuilder::new();
    let x = b.input(8);
    let y = b.input(8);
    let one = b.constant(true);
    let mut rights = y.clone();
    rights[7] = one; // folds: not in the MAND
    let z = b.mand(&x, &rights);
    b.output(&z);
    let c = b.build().unwrap();
    let mands: Vec<u32> = c
        .gates()
        .filter_map(|g| match g {
            Gate::Mand { n, .. } => Some(n),
            _ => None,
        })
        .collect();
    assert_eq!(mands, vec![7]);
    let inst: Vec<Vec<u64>> = (0..256u64)
        .map(|i| vec![i, i.wrapping_mul(37) & 255])
        .collect();
    for (i, o) in inst.iter().zip(run_both(&c, &inst)) {
        assert_eq!(o[0], i[0] & (i[1] | 0x80));
    }
}

#[test]
fn mand_layers_preserve_function_and_count() {
    let mut counts = Vec::new();
    for layers in [false, true] {
        let mut b = CircuitBuilder::new();
        b.set_mand_layers(layers);
        let x = b.input(16);
        let y = b.input(16);
        let p = b.mul(&x, &y);
        let q = b.udiv(&x, &y);
        let lt = b.slt(&x, &y);
        b.output(&p);
        b.output(&q);
        b.output(&[lt]);
        let c = b.build().unwrap();
        // at most the gadgets' separate counts (mul + udiv + slt), and the same either way
        assert!(c.and_count() <= 16 * 16 - 16 + 1 + 16 * 16 + 2 * 16 - 3 + 16);
        counts.push(c.and_count());
        let has_and = c.gates().any(|g| g.kind() == GateKind::And);
        let mands = c.gates().filter(|g| g.kind() == GateKind::Mand).count();
        assert_eq!(has_and, !layers);
        if layers {
            // exactly one MAND per AND layer
            let st = duet_circuits::stats::Stats::of(&c);
            assert_eq!(mands as u32, st.and_depth);
            assert_eq!(st.and_gates, 0);
        }
        let inst: Vec<Vec<u64>> = (0..200u64)
            .map(|i| vec![i.wrapping_mul(0x9e37) & 0xffff, (i * 7919 + 3) & 0xffff])
            .collect();
        for (i, o) in inst.iter().zip(run_both(&c, &inst)) {
            let (x, y) = (i[0], i[1]);
            let q = x.checked_div(y).unwrap_or(0xffff);
            let lt = ((x as i16) < (y as i16)) as u64;
            assert_eq!(o, vec![x.wrapping_mul(y) & 0xffff, q, lt]);
        }
    }
    assert_eq!(counts[0], counts[1]);
}

/// The builder's gadgets compute the same functions as the shipped standard circuits, with
/// no more ANDs, and their circuits round-trip through the Bristol writer and parser.
#[test]
fn matches_standard_circuits_and_roundtrips() {
    type Gadget = fn(&mut CircuitBuilder, &[Word]) -> Vec<Word>;
    let cases: [(&str, Gadget); 5] = [
        ("adder64", |b, i| vec![b.add(&i[0], &i[1])]),
        ("sub64", |b, i| vec![b.sub(&i[0], &i[1])]),
        ("neg64", |b, i| vec![b.neg(&i[0])]),
        ("mult64", |b, i| vec![b.mul(&i[0], &i[1])]),
        ("zero_equal", |b, i| vec![vec![b.is_zero(&i[0])]]),
    ];
    for (name, f) in cases {
        let std = library::load(name).unwrap();
        let mut b = CircuitBuilder::new();
        let ins: Vec<Word> = std.inputs().iter().map(|&w| b.input(w as usize)).collect();
        for o in f(&mut b, &ins) {
            b.output(&o);
        }
        let ours = b.build().unwrap();
        assert_eq!(ours.inputs(), std.inputs(), "{name}");
        assert_eq!(ours.outputs(), std.outputs(), "{name}");
        assert!(ours.and_count() <= std.and_count(), "{name}");
        let text = duet_circuits::bristol::to_string(&ours);
        let back = duet_circuits::bristol::parse_str(&text).unwrap();
        assert_eq!(back, ours, "{name} round trip");
        let mut rng_state = 0x1234_5678_9abc_def0u64;
        let mut next = || {
            rng_state ^= rng_state << 13;
            rng_state ^= rng_state >> 7;
            rng_state ^= rng_state << 17;
            rng_state
        };
        let mut inst: Vec<Vec<u64>> = (0..128)
            .map(|_| std.inputs().iter().map(|_| next()).collect())
            .collect();
        for sp in [0u64, 1, u64::MAX, 1 << 63] {
            inst.push(std.inputs().iter().map(|_| sp).collect());
        }
        assert_eq!(run_both(&ours, &inst), run_both(&std, &inst), "{name}");
    }
}
