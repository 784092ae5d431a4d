//! `--inputs FILE` (and `local`'s `--garbler-inputs` / `--evaluator-inputs`): a party's input
//! values as one JSON object, so scripts need no long flag lists.
//!
//! - Bristol circuits: `{"0": "000102…0f", "1": "0x5", "2": 17}`: keys are input indices,
//!   values a string under the command-line value rules (bare hex of the exact width, `0x…`,
//!   `d:…`) or a JSON integer.
//! - Arithmetic circuits: `{"0.x": 3, "0.in[2][1]": -5, "0.w": [[1, 2], [3, 4]]}`: keys are
//!   `circuit_info.json` names; an array stands for the names with `[i]` appended per level.
//!
//! The file is read whole but capped ([`MAX_FILE`]); its entries join the flag-given values,
//! and an input given twice (in the file and a flag) is an error, as it is among flags.

use std::path::Path;

use anyhow::Result;
use serde_json::{Map, Value};

use crate::common::usage;

/// The largest inputs file read: 64 MiB (2^24 input bits in hex is 4 MiB).
pub const MAX_FILE: u64 = 64 << 20;

/// Nesting depth allowed for arrays of arithmetic inputs.
const MAX_DEPTH: usize = 8;

/// Read `path` as one JSON object; a usage error (exit 2) naming `flag` and the file for an
/// unreadable, oversized or malformed file.
pub fn read_object(path: &Path, flag: &str) -> Result<Map<String, Value>> {
    let what = format!("{flag} {}", path.display());
    let meta = std::fs::metadata(path).map_err(|e| usage(format!("{what}: {e}")))?;
    if meta.len() > MAX_FILE {
        return Err(usage(format!(
            "{what}: {} bytes; an inputs file may have at most {MAX_FILE}",
            meta.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| usage(format!("{what}: {e}")))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(usage(format!(
            "{what}: expected a JSON object of inputs, e.g. {{\"0\": \"00ff\"}}"
        ))),
        Err(e) => Err(usage(format!("{what}: not valid JSON: {e}"))),
    }
}

/// One JSON scalar as the text of a command-line value: a string as is, an integer in
/// decimal (`prefix` + digits, `prefix` being `d:` for Bristol values and empty for
/// arithmetic ones).
fn scalar(v: &Value, prefix: &str) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(format!("{prefix}{n}")),
        _ => None,
    }
}

/// The entries of a Bristol inputs file as `I=VALUE` strings (the `--input` form), in key
/// order.
pub fn bristol_entries(m: &Map<String, Value>, what: &str) -> Result<Vec<String>> {
    m.iter()
        .map(|(k, v)| {
            let value = scalar(v, "d:").ok_or_else(|| {
                usage(format!(
                    "{what}: input `{k}`: expected a hex string or an integer, got {}",
                    kind(v)
                ))
            })?;
            Ok(format!("{k}={value}"))
        })
        .collect()
}

/// The entries of an arithmetic inputs file as `(NAME, INT)` pairs, arrays expanded to
/// `NAME[i]…` in row-major order; names in key order.
pub fn arith_pairs(m: &Map<String, Value>, what: &str) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (k, v) in m {
        if k.is_empty() {
            return Err(usage(format!("{what}: an input with an empty name")));
        }
        flatten(k.clone(), v, 0, what, &mut out)?;
    }
    Ok(out)
}

fn flatten(
    name: String,
    v: &Value,
    depth: usize,
    what: &str,
    out: &mut Vec<(String, String)>,
) -> Result<()> {
    match v {
        Value::Array(items) => {
            if depth == MAX_DEPTH {
                return Err(usage(format!(
                    "{what}: `{name}`: arrays nested deeper than {MAX_DEPTH}"
                )));
            }
            for (i, item) in items.iter().enumerate() {
                flatten(format!("{name}[{i}]"), item, depth + 1, what, out)?;
            }
            Ok(())
        }
        v => {
            let value = scalar(v, "").ok_or_else(|| {
                usage(format!(
                    "{what}: input `{name}`: expected an integer (or an array of them), got {}",
                    kind(v)
                ))
            })?;
            out.push((name, value));
            Ok(())
        }
    }
}

/// A JSON value's kind, for messages.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a non-integer number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(s: &str) -> Map<String, Value> {
        match serde_json::from_str(s).unwrap() {
            Value::Object(m) => m,
            _ => unreachable!(),
        }
    }

    #[test]
    fn bristol_entries_take_strings_and_integers() {
        let m = obj(r#"{"0": "00ff", "1": 17, "2": -3}"#);
        assert_eq!(
            bristol_entries(&m, "f").unwrap(),
            ["0=00ff", "1=d:17", "2=d:-3"]
        );
        for bad in [
            r#"{"0": 1.5}"#,
            r#"{"0": null}"#,
            r#"{"0": [1]}"#,
            r#"{"0": true}"#,
        ] {
            let e = bristol_entries(&obj(bad), "f").unwrap_err().to_string();
            assert!(
                e.contains("input `0`: expected a hex string or an integer"),
                "{e}"
            );
        }
    }

    #[test]
    fn arith_arrays_expand_row_major() {
        let m = obj(r#"{"0.w": [[1, 2], [3, -4]], "0.x": 5, "0.s": "7"}"#);
        assert_eq!(
            arith_pairs(&m, "f").unwrap(),
            [
                ("0.s".into(), "7".into()),
                ("0.w[0][0]".into(), "1".into()),
                ("0.w[0][1]".into(), "2".into()),
                ("0.w[1][0]".into(), "3".into()),
                ("0.w[1][1]".into(), "-4".into()),
                ("0.x".into(), "5".into()),
            ]
        );
        let deep = format!(r#"{{"a": {}1{}}}"#, "[".repeat(9), "]".repeat(9));
        let e = arith_pairs(&obj(&deep), "f").unwrap_err().to_string();
        assert!(e.contains("nested deeper than 8"), "{e}");
        let e = arith_pairs(&obj(r#"{"a": {"b": 1}}"#), "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("input `a`: expected an integer"), "{e}");
    }
}
