//! The shipped corpus: every vector through the library evaluator (incl. the Keccak-f
//! substitute), the stats table of SOURCES.md, writer → parser round trips, MAND-form copies
//! of the shipped circuits, and hand-made EQ/EQW/MAND circuits checked by evaluation.

use duet_circuits::bristol::{self, parse_str};
use duet_circuits::eval::evaluate;
use duet_circuits::stats::Stats;
use duet_circuits::values::{from_u64, parse_hex, to_hex, to_u64};
use duet_circuits::{Circuit, Gate, library};

/// The shipped vector file of a built-in circuit.
fn vectors(name: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let path = format!(
        "{}/bristol/vectors/{name}.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let strs = |k: &str| -> Vec<String> {
                v[k].as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_string())
                    .collect()
            };
            (strs("inputs"), strs("outputs"))
        })
        .collect()
}

/// Run every vector of `name` through `c`; returns how many ran.
fn check_vectors(name: &str, c: &Circuit) -> usize {
    let vs = vectors(name);
    for (i, (ins, outs)) in vs.iter().enumerate() {
        let inputs: Vec<_> = ins
            .iter()
            .zip(c.inputs())
            .map(|(h, &w)| parse_hex(h, w).unwrap())
            .collect();
        assert_eq!(inputs.len(), c.inputs().len(), "{name} vector {i}");
        let got = evaluate(c, &inputs).unwrap();
        let got: Vec<String> = got.iter().map(to_hex).collect();
        assert_eq!(&got, outs, "{name} vector {i}");
    }
    vs.len()
}

const VECTOR_COUNTS: &[(&str, usize)] = &[
    ("adder64", 24),
    ("sub64", 24),
    ("neg64", 20),
    ("mult64", 24),
    ("zero_equal", 20),
    ("aes_128", 20),
    ("sha256", 20),
    ("Keccak_f", 20),
];

#[test]
fn every_vector_passes() {
    assert_eq!(VECTOR_COUNTS.len(), library::names().len());
    for &(name, count) in VECTOR_COUNTS {
        let c = library::load(name).unwrap();
        assert_eq!(check_vectors(name, &c), count, "{name}");
    }
}

/// SOURCES.md's table (Keccak_f: the substitute's counts, which equal the standard file's).
/// (name, gates, AND, XOR, INV, EQ, EQW, MAND gates, wires, AND-depth, inputs, outputs)
type Row = (
    &'static str,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    u32,
    u32,
    &'static [u32],
    &'static [u32],
);
const TABLE: &[Row] = &[
    (
        "adder64",
        376,
        63,
        313,
        0,
        0,
        0,
        0,
        504,
        63,
        &[64, 64],
        &[64],
    ),
    (
        "sub64",
        439,
        63,
        313,
        63,
        0,
        0,
        0,
        567,
        63,
        &[64, 64],
        &[64],
    ),
    ("neg64", 190, 62, 63, 64, 0, 1, 0, 254, 62, &[64], &[64]),
    (
        "mult64",
        13675,
        4033,
        9642,
        0,
        0,
        0,
        0,
        13803,
        63,
        &[64, 64],
        &[64],
    ),
    ("zero_equal", 127, 63, 0, 64, 0, 0, 0, 191, 6, &[64], &[1]),
    (
        "aes_128",
        36663,
        6400,
        28176,
        2087,
        0,
        0,
        0,
        36919,
        60,
        &[128, 128],
        &[128],
    ),
    (
        "sha256",
        135073,
        22573,
        110644,
        1856,
        0,
        0,
        0,
        135841,
        1607,
        &[512, 256],
        &[256],
    ),
    (
        "Keccak_f",
        192086,
        38400,
        115200,
        38486,
        0,
        0,
        0,
        193686,
        24,
        &[1600],
        &[1600],
    ),
];

#[test]
fn stats_match_sources_table() {
    for &(name, gates, and, xor, inv, eq, eqw, mand, wires, depth, ins, outs) in TABLE {
        let s = Stats::of(&library::load(name).unwrap());
        assert_eq!(
            (s.gates, s.and, s.xor, s.inv, s.eq, s.eqw, s.mand_gates),
            (gates, and, xor, inv, eq, eqw, mand),
            "{name}"
        );
        assert_eq!((s.wires, s.and_depth), (wires, depth), "{name}");
        assert_eq!((&s.inputs[..], &s.outputs[..]), (ins, outs), "{name}");
        // Every wire is an input or a gate output in these files; live wires never exceed
        // that, and at least the inputs are live at the start.
        let ib: u32 = ins.iter().sum();
        assert!(
            s.peak_live_wires >= ib && s.peak_live_wires <= wires,
            "{name}"
        );
    }
}

#[test]
fn writer_round_trips_every_shipped_circuit() {
    for name in library::names() {
        let c = library::load(name).unwrap();
        let text = bristol::to_string(&c);
        let back = parse_str(&text).unwrap();
        assert_eq!(back, c, "{name}");
        // The writer is canonical: writing again gives the same text.
        assert_eq!(bristol::to_string(&back), text, "{name}");
    }
}

/// Rewrite `c` so that all ANDs of one AND-depth level form one MAND gate: per level, first
/// the level's ANDs (their operands are all of lower depth), then the level's other gates
/// in their original order. Wire numbers are unchanged.
fn to_mand_form(c: &Circuit) -> Circuit {
    let mut depth = vec![0u32; c.num_wires() as usize];
    /// One AND-depth level: its ANDs (a, b, out) and its other gates.
    type Level = (Vec<(u32, u32, u32)>, Vec<Gate>);
    let mut levels: Vec<Level> = vec![(vec![], vec![])];
    for g in c.gates() {
        let (d, out) = match g {
            Gate::And { a, b, out } => (depth[a as usize].max(depth[b as usize]) + 1, out),
            Gate::Xor { a, b, out } => (depth[a as usize].max(depth[b as usize]), out),
            Gate::Inv { a, out } | Gate::Eqw { a, out } => (depth[a as usize], out),
            Gate::Eq { out, .. } => (0, out),
            Gate::Mand { .. } => panic!("already MAND"),
        };
        depth[out as usize] = d;
        while levels.len() <= d as usize {
            levels.push((vec![], vec![]));
        }
        match g {
            Gate::And { a, b, out } => levels[d as usize].0.push((a, b, out)),
            other => levels[d as usize].1.push(other),
        }
    }
    let mut m = Circuit::new(c.num_wires(), c.inputs().to_vec(), c.outputs().to_vec()).unwrap();
    for (ands, others) in levels {
        if !ands.is_empty() {
            let l: Vec<u32> = ands.iter().map(|x| x.0).collect();
            let r: Vec<u32> = ands.iter().map(|x| x.1).collect();
            let o: Vec<u32> = ands.iter().map(|x| x.2).collect();
            m.push_mand(&l, &r, &o).unwrap();
        }
        for g in others {
            m.push(g).unwrap();
        }
    }
    m.finish().unwrap()
}

#[test]
fn mand_form_files_parse_and_evaluate() {
    for name in ["adder64", "sub64", "neg64", "zero_equal", "aes_128"] {
        let c = library::load(name).unwrap();
        let m = to_mand_form(&c);
        let text = bristol::to_string(&m);
        assert!(text.contains(" MAND\n"), "{name}");
        let parsed = parse_str(&text).unwrap();
        assert_eq!(parsed, m, "{name}");
        let s = Stats::of(&parsed);
        let s0 = Stats::of(&c);
        // One MAND gate per AND level, same AND count and depth.
        assert_eq!(s.mand_gates, s0.and_depth as u64, "{name}");
        assert_eq!(
            (s.and, s.and_gates, s.and_depth),
            (s0.and, 0, s0.and_depth),
            "{name}"
        );
        check_vectors(name, &parsed);
    }
}

/// A hand-written MAND-form file (as MP-SPDZ / SCALE-MAMBA write them): 2-bit AND of two
/// 2-bit values plus constants and copies.
#[test]
fn hand_made_mand_eq_eqw_semantics() {
    // inputs x (wires 0,1), y (wires 2,3); outputs: z = x & y (2 bits), k = [1, 0, x0]
    // (3 bits, wire 8 = bit 0), so wires: 4 = EQ 1, 5 = EQ 0; MAND → 6, 7; 8,9,10 outputs?
    let src = "\
6 11
2 2 2
2 2 3

1 1 1 4 EQ
1 1 0 5 EQ
4 2 0 1 2 3 6 7 MAND
1 1 6 8 EQW
1 1 7 9 EQW
6 3 4 5 0 4 4 4 10 11 12 MAND
";
    // That header is wrong on purpose (13 wires needed): check the error, then fix it.
    let e = parse_str(src).unwrap_err();
    assert_eq!(e.line, 10, "{e}");
    assert!(e.to_string().contains("wire 11 is out of range"), "{e}");
    let src = src.replacen("6 11\n", "6 13\n", 1);
    let c = parse_str(&src).unwrap();
    assert_eq!(c.and_count(), 5);
    assert_eq!(c.outputs(), &[2, 3]);
    for x in 0..4u64 {
        for y in 0..4u64 {
            let out = evaluate(&c, &[from_u64(x, 2).unwrap(), from_u64(y, 2).unwrap()]).unwrap();
            assert_eq!(to_u64(&out[0]), Some(x & y), "x={x} y={y}");
            // wire 10 = 1 & 1 = 1, wire 11 = 0 & 1 = 0, wire 12 = x0 & 1 = x0
            assert_eq!(to_u64(&out[1]), Some(1 | (x & 1) << 2), "x={x} y={y}");
        }
    }
    assert_eq!(parse_str(&bristol::to_string(&c)).unwrap(), c);
}

/// EQ, EQW and INV (and XOR/AND) over every input combination.
#[test]
fn hand_made_basic_gates_all_inputs() {
    let src = "9 12\n1 3\n3 1 1 2\n\n\
               1 1 0 3 EQ\n1 1 1 4 EQ\n2 1 2 3 5 XOR\n1 1 5 6 EQW\n2 1 0 1 7 AND\n\
               2 1 7 6 8 AND\n2 1 7 6 9 XOR\n1 1 9 10 INV\n2 1 10 4 11 XOR\n";
    // w3 = 0, w4 = 1, w5 = c ^ 0, w6 = w5, w7 = a & b; outputs: o0 = w8 = a & b & c,
    // o1 = w9 = (a & b) ^ c, o2 = (w10, w11) = (NOT w9, NOT w9 ^ 1).
    let c = parse_str(src).unwrap();
    assert_eq!(c.output_wires(0), 8..9);
    assert_eq!(c.output_wires(1), 9..10);
    assert_eq!(c.output_wires(2), 10..12);
    for v in 0..8u64 {
        let (a, b, cc) = (v & 1, v >> 1 & 1, v >> 2 & 1);
        let out = evaluate(&c, &[from_u64(v, 3).unwrap()]).unwrap();
        let xor = (a & b) ^ cc;
        assert_eq!(to_u64(&out[0]), Some(a & b & cc), "v={v}");
        assert_eq!(to_u64(&out[1]), Some(xor), "v={v}");
        assert_eq!(to_u64(&out[2]), Some((1 - xor) | xor << 1), "v={v}");
    }
    assert_eq!(parse_str(&bristol::to_string(&c)).unwrap(), c);
}

/// Files from other tools differ in whitespace only: CRLF, tabs, no blank line after the
/// header, no final newline, trailing spaces — all the same circuit.
#[test]
fn whitespace_variants_parse_identically() {
    let base = parse_str(library::builtin("neg64").unwrap()).unwrap();
    let text = bristol::to_string(&base);
    let variants = [
        text.replace('\n', "\r\n"),
        text.replace(' ', "\t"),
        text.replace("\n\n", "\n"),
        text.trim_end().to_string(),
        text.replace('\n', "   \n \n"),
        format!("\n\n  {text}\n\n\n"),
    ];
    for (i, v) in variants.iter().enumerate() {
        assert_eq!(parse_str(v).unwrap(), base, "variant {i}");
    }
}

#[test]
fn values_follow_sources_convention() {
    // SOURCES.md: wire s+k = (B[L-1-k/8] >> (k%8)) & 1.
    let hex = "0123456789abcdeffedcba9876543210";
    let b = parse_hex(hex, 128).unwrap();
    let bytes: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    for k in 0..128 {
        assert_eq!(b[k], (bytes[15 - k / 8] >> (k % 8)) & 1 == 1, "bit {k}");
    }
    assert_eq!(to_hex(&b), hex);
}
