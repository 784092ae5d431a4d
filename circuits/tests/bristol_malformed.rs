//! The malformed-file corpus (`tests/data/malformed/`): every file is rejected with the right
//! line number and a message naming the problem, and nothing panics. Plus a proptest that
//! random byte mutations of a small valid file never panic (and, when they still parse,
//! round-trip through the writer).

use std::path::PathBuf;

use duet_circuits::bristol::{self, ParseError};
use proptest::prelude::*;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/malformed")
}

/// (file, expected line, keyword that must appear in the message)
const EXPECTED: &[(&str, u64, &str)] = &[
    ("empty.txt", 1, "end of file: expected the gate count"),
    (
        "whitespace_only.txt",
        3,
        "end of file: expected the gate count",
    ),
    (
        "truncated_header.txt",
        2,
        "expected the number of output values",
    ),
    (
        "truncated_gate.txt",
        6,
        "end of file: expected the rest of gate 1",
    ),
    (
        "missing_gate_name_at_eof.txt",
        7,
        "expected the name of gate 2",
    ),
    (
        "too_few_gates.txt",
        7,
        "announces 3 gates but the file ends after 2",
    ),
    ("extra_gate.txt", 8, "after the last of the 3 gates"),
    (
        "trailing_junk.txt",
        10,
        "unexpected `end` after the last of the 3 gates",
    ),
    ("wire_out_of_range.txt", 6, "wire 9 is out of range"),
    ("output_wire_out_of_range.txt", 6, "wire 5 is out of range"),
    (
        "used_before_defined.txt",
        6,
        "wire 3 is used before it is defined",
    ),
    ("assigned_twice.txt", 6, "wire 2 is assigned more than once"),
    (
        "writes_input_wire.txt",
        6,
        "wire 1 is assigned more than once",
    ),
    ("unknown_gate.txt", 6, "unknown gate `NAND`"),
    ("lowercase_gate.txt", 5, "unknown gate `xor`"),
    (
        "missing_output_wire.txt",
        6,
        "expected a wire number, found `AND` (not a decimal number)",
    ),
    (
        "mand_odd_arity.txt",
        5,
        "MAND gate must have 2n inputs and n outputs (n ≥ 1), but this one declares 3 and 1",
    ),
    (
        "mand_inconsistent_arity.txt",
        6,
        "MAND gate must have 2n inputs",
    ),
    ("mand_empty.txt", 6, "MAND gate must have 2n inputs"),
    (
        "mand_reads_own_output.txt",
        5,
        "wire 2 is used before it is defined",
    ),
    (
        "and_three_inputs.txt",
        6,
        "AND gate must have 2 inputs and 1 output",
    ),
    (
        "inv_two_inputs.txt",
        6,
        "INV gate must have 1 input and 1 output",
    ),
    (
        "eq_constant_2.txt",
        6,
        "EQ gate constant must be 0 or 1, found 2",
    ),
    ("garbage_bytes.txt", 6, "unexpected byte 0x89"),
    ("non_utf8_latin1.txt", 7, "unexpected byte 0xe9"),
    ("nul_byte.txt", 2, "unexpected byte 0x00"),
    ("negative_wire.txt", 6, "negative number `-1`"),
    ("overflow_u32.txt", 6, "`4294967296` is too large"),
    ("hex_number.txt", 6, "expected a wire number, found `0x1`"),
    (
        "too_many_wires.txt",
        1,
        "536870912 wires; at most 536870911",
    ),
    ("header_layout_too_wide.txt", 3, "header: inputs (8 bits)"),
    (
        "header_count_not_a_number.txt",
        1,
        "expected the gate count",
    ),
    (
        "output_never_assigned.txt",
        7,
        "output wire 5 is never assigned",
    ),
    (
        "huge_operand_count.txt",
        6,
        "gate declares 4000000000 inputs",
    ),
];

fn parse_file(name: &str) -> Result<duet_circuits::Circuit, ParseError> {
    let bytes = std::fs::read(corpus_dir().join(name)).unwrap();
    // A small buffer so tokens straddle refills.
    bristol::parse(std::io::BufReader::with_capacity(7, &bytes[..]))
}

#[test]
fn every_malformed_file_is_rejected_with_its_line() {
    for &(name, line, keyword) in EXPECTED {
        let err = match parse_file(name) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => e,
        };
        let msg = err.to_string();
        assert_eq!(err.line, line, "{name}: {msg}");
        assert!(msg.starts_with(&format!("line {line}: ")), "{name}: {msg}");
        assert!(msg.contains(keyword), "{name}: `{msg}` lacks `{keyword}`");
        // Also through the one-line-per-error library loader (path + line).
        let path = corpus_dir().join(name);
        let e = duet_circuits::library::load(path.to_str().unwrap()).unwrap_err();
        assert!(e.to_string().contains(&format!(": line {line}: ")), "{e}");
    }
}

#[test]
fn corpus_is_complete() {
    let mut on_disk: Vec<String> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = EXPECTED.iter().map(|e| e.0.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed, "every corpus file needs an expectation");
    assert!(listed.len() >= 20);
}

/// Every line of a valid file is needed: deleting any gate line is rejected, naming a line
/// no later than the end of the file.
#[test]
fn every_truncation_is_rejected() {
    let text = duet_circuits::library::builtin("neg64").unwrap();
    // Cut at every token boundary of the first 600 bytes and at a few later points.
    let cuts = (0..600).chain((600..text.len()).step_by(97));
    for cut in cuts {
        if !text.is_char_boundary(cut) {
            continue;
        }
        let prefix = &text[..cut];
        match bristol::parse_str(prefix) {
            Ok(_) => {
                // Only a cut in the final whitespace can still be the whole circuit.
                assert!(text[cut..].trim().is_empty(), "cut at {cut} accepted");
            }
            Err(e) => {
                let lines = prefix.split('\n').count() as u64;
                assert!(e.line >= 1 && e.line <= lines, "cut {cut}: {e}");
            }
        }
    }
}

const SMALL: &str = "5 9\n2 2 1\n2 1 1\n\n1 1 1 3 EQ\n2 1 0 1 4 XOR\n1 1 4 5 INV\n\
                     4 2 0 1 2 5 6 8 MAND\n1 1 6 7 EQW\n\n";

#[test]
fn small_seed_is_valid() {
    let c = bristol::parse_str(SMALL).unwrap();
    assert_eq!(c.and_count(), 2);
    assert_eq!(c.num_gates(), 5);
    // outputs are wires 7 and 8
    let c2 = bristol::parse_str(&bristol::to_string(&c)).unwrap();
    assert_eq!(c, c2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10000, ..ProptestConfig::default() })]

    /// Random replacements, insertions and deletions of bytes never panic; whatever still
    /// parses is a valid circuit that round-trips through the writer.
    #[test]
    fn mutations_never_panic(
        edits in prop::collection::vec((0usize..200, 0u8..3, any::<u8>()), 1..6),
        digits in any::<bool>(),
    ) {
        let mut bytes = SMALL.as_bytes().to_vec();
        for (pos, op, b) in edits {
            let pos = pos % (bytes.len() + 1);
            // Half the time mutate with digits/spaces, which get deeper into the parser.
            let b = if digits { b"0123456789 \n"[b as usize % 12] } else { b };
            match op {
                0 if pos < bytes.len() => bytes[pos] = b,
                1 => bytes.insert(pos, b),
                _ if pos < bytes.len() => { bytes.remove(pos); }
                _ => bytes.push(b),
            }
        }
        match bristol::parse(&bytes[..]) {
            Ok(c) => {
                let again = bristol::parse_str(&bristol::to_string(&c)).unwrap();
                prop_assert_eq!(again, c);
            }
            Err(e) => {
                let lines = bytes.split(|&b| b == b'\n').count() as u64;
                prop_assert!(e.line >= 1 && e.line <= lines, "{}", e);
                prop_assert!(e.to_string().starts_with("line "));
            }
        }
    }
}
