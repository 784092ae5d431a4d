//! The importer and the plaintext reference evaluator against every corpus circuit's
//! vectors, the NEGATIVE CASE folders, and hand-made malformed circuits.

mod common;

use duet_hybrid::{ArithCircuit, Error, Ring};

#[test]
fn corpus_vectors_plaintext() {
    let mut checked = 0;
    for (name, dir) in common::corpus() {
        let vecs = common::vectors(&dir);
        if vecs.iter().any(|v| v.outputs.is_none()) {
            let err = ArithCircuit::load(&dir).expect_err(&name);
            assert!(matches!(err, Error::Malformed(_)), "{name}: {err}");
            continue;
        }
        let c = ArithCircuit::load(&dir).unwrap_or_else(|e| panic!("{name}: {e}"));
        for v in vecs {
            let x = common::input_values(&c, v.ring, &v.inputs);
            let want = common::expected(&c, v.ring, v.outputs.as_ref().unwrap());
            assert_eq!(
                c.evaluate(v.ring, &x).unwrap(),
                want,
                "{name} {:?}",
                v.inputs
            );
            checked += 1;
        }
    }
    assert!(checked > 250, "{checked}");
}

#[test]
fn negative_cases_name_the_problem() {
    let dir = common::corpus_dir();
    let e = ArithCircuit::load(dir.join("int_underConstrained"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("0.x") && e.contains("never assigned"), "{e}");
    let e = ArithCircuit::load(dir.join("ml_GlobalAveragePooling2D_asis"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("assigned twice") && e.contains("0.out["), "{e}");
}

const MAP: &str = r#"{"input_name_to_wire_index": {"0.a": 0, "0.b": 1},
  "constants": {"0.const_signal_5_1": {"value": "5", "wire_index": 2}},
  "output_name_to_wire_index": {"0.out": 4}}"#;

fn err(txt: &str, info: &str) -> String {
    ArithCircuit::parse(txt, info)
        .expect_err("must be rejected")
        .to_string()
}

#[test]
fn good_small_circuit() {
    let c =
        ArithCircuit::parse("2 5\n2 1 1\n1 1\n\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n", MAP).unwrap();
    let r = Ring::default();
    assert_eq!(
        c.evaluate(r, &[6, r.from_signed(-7)]).unwrap(),
        vec![r.from_signed(-37)]
    );
    // the same constant under two names is fine
    let info = r#"{"input_name_to_wire_index": {"0.a": 0},
      "constants": {"x.const_signal_5_1": {"value": "5", "wire_index": 1},
                    "y.const_signal_5_9": {"value": 5, "wire_index": 1}},
      "output_name_to_wire_index": {"0.out": 2}}"#;
    let c = ArithCircuit::parse("1 3\n1 1\n1 1\n2 1 0 1 2 ASub\n", info).unwrap();
    assert_eq!(c.evaluate(r, &[2]).unwrap(), vec![r.from_signed(-3)]);
}

#[test]
fn malformed_circuits_are_rejected_naming_the_problem() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 3 AFoo\n2 1 3 2 4 AAdd\n",
            MAP,
            &["unknown op", "AFoo", "line 4"],
        ),
        (
            "2 5\n2 1 1\n1 1\n1 1 0 3 AMul\n2 1 3 2 4 AAdd\n",
            MAP,
            &["AMul", "takes 2", "line 4"],
        ),
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 9 4 AAdd\n",
            MAP,
            &["line 5", "fields"],
        ),
        (
            "2 5\n2 1 1\n1 1\n2 1 3 1 4 AMul\n2 1 0 2 3 AAdd\n",
            MAP,
            &["reads wire 3", "before"],
        ),
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 2 AMul\n2 1 2 2 4 AAdd\n",
            MAP,
            &["assigned twice", "wire 2"],
        ),
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 7 AMul\n2 1 3 2 4 AAdd\n",
            MAP,
            &["wire 7", "out of range"],
        ),
        (
            "3 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            MAP,
            &["3 gates", "has 2"],
        ),
        (
            "1 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            MAP,
            &["more gate lines"],
        ),
        (
            "2 5\n3 1 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            MAP,
            &["3 inputs", "names 2"],
        ),
        (
            "2 5\n2 1 1\n2 1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            MAP,
            &["2 outputs", "names 1"],
        ),
        (
            "2 5\n2 1 2\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            MAP,
            &["width 2"],
        ),
        (
            "2 5\n2 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            MAP,
            &["line 2", "2 inputs"],
        ),
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n",
            MAP,
            &["2 gates", "has 1"],
        ),
        ("x 5\n2 1 1\n1 1\n", MAP, &["line 1", "gate count"]),
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            "{\"input_name",
            &["bad JSON"],
        ),
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            "[1]",
            &["not an object"],
        ),
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            "{}",
            &["neither"],
        ),
        (
            "2 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n",
            r#"{"input_name_to_wire_index": {"0.a": 0, "0.b": 1}, "constants": {},
               "output_name_to_wire_index": {"0.out": 4}}"#,
            &["reads wire 2", "line 5"],
        ),
        (
            "1 4\n2 1 1\n1 1\n2 1 0 1 3 AMul\n",
            r#"{"input_name_to_wire_index": {"0.a": 0, "0.b": 1},
               "constants": {"k1": {"value": "1", "wire_index": 2}, "k2": {"value": "2", "wire_index": 2}},
               "output_name_to_wire_index": {"0.out": 3}}"#,
            &["assigned twice", "k2"],
        ),
        (
            "1 4\n2 1 1\n1 1\n2 1 0 1 3 AMul\n",
            r#"{"input_name_to_wire_index": {"0.a": 0, "0.b": 0}, "constants": {},
               "output_name_to_wire_index": {"0.out": 3}}"#,
            &["assigned twice", "0.b"],
        ),
        (
            "1 4\n2 1 1\n1 1\n2 1 0 1 3 AMul\n",
            r#"{"input_name_to_wire_index": {"0.a": 0, "0.b": 1}, "constants": {},
               "output_name_to_wire_index": {"0.out": "3"}}"#,
            &["0.out", "not a non-negative integer"],
        ),
        (
            "1 4\n2 1 1\n1 1\n2 1 0 1 3 AMul\n",
            r#"{"inputs": [{"name": "a", "address": 0, "width": 1}, {"name": "b", "address": 1, "width": 3}],
               "outputs": [{"name": "p", "address": 3, "width": 1}]}"#,
            &["`b`", "width 3"],
        ),
        (
            "1 4\n2 1 1\n1 1\n2 1 0 1 3 AMul\n",
            r#"{"inputs": [{"name": "a", "address": 0}, {"name": "a", "address": 1}],
               "outputs": [{"name": "p", "address": 3}]}"#,
            &["`a`", "twice"],
        ),
    ];
    for (txt, info, needles) in cases {
        let e = err(txt, info);
        for n in *needles {
            assert!(e.contains(n), "error `{e}` should mention `{n}`");
        }
    }
}

#[test]
fn bind_rejects_unknown_and_repeated_names() {
    let c = ArithCircuit::parse("2 5\n2 1 1\n1 1\n2 1 0 1 3 AMul\n2 1 3 2 4 AAdd\n", MAP).unwrap();
    let r = Ring::default();
    let p = |n: &str, v: &str| (n.to_string(), v.to_string());
    assert!(
        c.bind(r, &[p("0.c", "1")])
            .unwrap_err()
            .to_string()
            .contains("not an input")
    );
    assert!(
        c.bind(r, &[p("0.a", "1"), p("0.a", "2")])
            .unwrap_err()
            .to_string()
            .contains("twice")
    );
    assert!(
        c.bind(r, &[p("0.a", "x")])
            .unwrap_err()
            .to_string()
            .contains("0.a")
    );
    assert_eq!(c.bind(r, &[p("0.b", "-1")]).unwrap(), vec![(1, u64::MAX)]);
}
