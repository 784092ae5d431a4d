//! Importer for circom-2-arithc output: `circuit.txt` + `circuit_info.json`, read unmodified
//! (map form and summon's array form; 1-input gates; `AExp` = `APow`), validated per the
//! rules of `tests/data/arith/README.md` ("malformed").
//!
//! Wires are renumbered into dense *value ids*: the named inputs first (sorted by name), then
//! one id per distinct constant wire, then one id per gate (gate `g`'s result is value
//! `first_gate_value() + g`). Memory is O(file size), never O(a wire count the file claims).

use crate::{Error, Op, Ring};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// One gate, operands as value ids (`b == a` for 1-input ops).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArithGate {
    /// The op.
    pub op: Op,
    /// Left operand (value id).
    pub a: u32,
    /// Right operand (value id); equals `a` for 1-input ops.
    pub b: u32,
}

/// A named input or output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Named {
    /// The name from `circuit_info.json` (e.g. `0.in[2][1]`).
    pub name: String,
    /// Its value id.
    pub value: u32,
    /// Its wire in `circuit.txt`.
    pub wire: u32,
}

/// A validated arithmetic circuit.
#[derive(Clone, Debug)]
pub struct ArithCircuit {
    num_wires: u32,
    inputs: Vec<Named>,
    constants: Vec<u64>,
    gates: Vec<ArithGate>,
    outputs: Vec<Named>,
}

fn num<T: std::str::FromStr>(tok: &str, line: usize, what: &str) -> Result<T, Error> {
    tok.parse().map_err(|_| Error::Parse {
        line,
        msg: format!("{what} `{tok}` is not a number in range"),
    })
}

/// What assigned a wire (for error messages) and the value id it became.
#[derive(Clone, Debug)]
enum Source {
    Input(String),
    Constant(String, u64),
    Gate(usize, usize),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Input(n) => write!(f, "input `{n}`"),
            Source::Constant(n, _) => write!(f, "constant `{n}`"),
            Source::Gate(g, l) => write!(f, "gate {g} (line {l})"),
        }
    }
}

/// The named wires of `circuit_info.json`.
struct Info {
    inputs: Vec<(String, u64)>,
    constants: Vec<(String, u64, u64)>,
    outputs: Vec<(String, u64)>,
}

fn json_wire(v: &Value, what: &str) -> Result<u64, Error> {
    v.as_u64().ok_or_else(|| {
        Error::Info(format!(
            "{what}: wire index {v} is not a non-negative integer"
        ))
    })
}

fn json_const(v: &Value, what: &str) -> Result<u64, Error> {
    let parsed = match v {
        Value::String(s) => Ring::parse_constant(s),
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_i64().map(|i| i as u64))
            .or_else(|| Ring::parse_constant(&n.to_string())),
        _ => None,
    };
    parsed.ok_or_else(|| Error::Info(format!("{what}: value {v} is not an integer")))
}

fn parse_info(text: &str) -> Result<Info, Error> {
    let root: Value =
        serde_json::from_str(text).map_err(|e| Error::Info(format!("bad JSON: {e}")))?;
    let obj = root
        .as_object()
        .ok_or_else(|| Error::Info("top level is not an object".into()))?;
    if obj.contains_key("input_name_to_wire_index") || obj.contains_key("output_name_to_wire_index")
    {
        let map = |key: &str| -> Result<Vec<(String, u64)>, Error> {
            let m = obj
                .get(key)
                .ok_or_else(|| Error::Info(format!("missing `{key}`")))?
                .as_object()
                .ok_or_else(|| Error::Info(format!("`{key}` is not an object")))?;
            m.iter()
                .map(|(k, v)| Ok((k.clone(), json_wire(v, &format!("`{k}`"))?)))
                .collect()
        };
        let inputs = map("input_name_to_wire_index")?;
        let outputs = map("output_name_to_wire_index")?;
        let mut constants = Vec::new();
        match obj.get("constants") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let what = format!("constant `{k}`");
                    let wire = v
                        .get("wire_index")
                        .ok_or_else(|| Error::Info(format!("{what}: missing `wire_index`")))?;
                    let value = v
                        .get("value")
                        .ok_or_else(|| Error::Info(format!("{what}: missing `value`")))?;
                    constants.push((
                        k.clone(),
                        json_wire(wire, &what)?,
                        json_const(value, &what)?,
                    ));
                }
            }
            Some(_) => return Err(Error::Info("`constants` is not an object".into())),
        }
        Ok(Info {
            inputs,
            constants,
            outputs,
        })
    } else if obj.contains_key("inputs") || obj.contains_key("outputs") {
        let list = |key: &str, is_const: bool| -> Result<Vec<(String, u64, u64)>, Error> {
            let arr = match obj.get(key) {
                None | Some(Value::Null) if is_const => return Ok(Vec::new()),
                None => return Err(Error::Info(format!("missing `{key}`"))),
                Some(Value::Array(a)) => a,
                Some(_) => return Err(Error::Info(format!("`{key}` is not an array"))),
            };
            let mut out = Vec::new();
            for (i, e) in arr.iter().enumerate() {
                let name = e
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::Info(format!("`{key}`[{i}]: missing string `name`")))?;
                let what = format!("`{key}` entry `{name}`");
                let addr = e
                    .get("address")
                    .ok_or_else(|| Error::Info(format!("{what}: missing `address`")))?;
                let wire = json_wire(addr, &what)?;
                if let Some(w) = e.get("width")
                    && w.as_u64() != Some(1)
                {
                    return Err(Error::Malformed(format!(
                        "{what} has width {w}, expected 1"
                    )));
                }
                let value = if is_const {
                    let v = e
                        .get("value")
                        .ok_or_else(|| Error::Info(format!("{what}: missing `value`")))?;
                    json_const(v, &what)?
                } else {
                    0
                };
                out.push((name.to_string(), wire, value));
            }
            Ok(out)
        };
        let strip = |v: Vec<(String, u64, u64)>| v.into_iter().map(|(n, w, _)| (n, w)).collect();
        Ok(Info {
            inputs: strip(list("inputs", false)?),
            constants: list("constants", true)?,
            outputs: strip(list("outputs", false)?),
        })
    } else {
        Err(Error::Info(
            "neither the map form (`input_name_to_wire_index`, …) nor the array form (`inputs`, …)"
                .into(),
        ))
    }
}

/// Parse a header line `n 1 1 … 1`, returning `n`.
fn header_widths(toks: &[&str], line: usize, what: &str) -> Result<usize, Error> {
    let n: usize = num(toks[0], line, &format!("number of {what}"))?;
    if toks.len() - 1 != n {
        return Err(Error::Parse {
            line,
            msg: format!("header says {n} {what} but lists {} widths", toks.len() - 1),
        });
    }
    if let Some(w) = toks[1..].iter().find(|w| **w != "1") {
        return Err(Error::Malformed(format!(
            "line {line}: {what} width {w}, expected 1 (one ring element per value)"
        )));
    }
    Ok(n)
}

impl ArithCircuit {
    /// Read `DIR/circuit.txt` and `DIR/circuit_info.json`.
    ///
    /// # Errors
    /// [`Error::Io`] if a file cannot be read, otherwise as [`ArithCircuit::parse`].
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, Error> {
        let read = |name: &str| {
            let path = dir.as_ref().join(name);
            std::fs::read_to_string(&path).map_err(|source| Error::Io { path, source })
        };
        Self::parse(&read("circuit.txt")?, &read("circuit_info.json")?)
    }

    /// Parse and validate the two files' contents.
    ///
    /// # Errors
    /// [`Error::Parse`] (with the line) for syntax, [`Error::Info`] for a bad JSON file,
    /// [`Error::Malformed`] for a rule of the README broken (naming wire, gate and line).
    pub fn parse(circuit_txt: &str, info_json: &str) -> Result<Self, Error> {
        let info = parse_info(info_json)?;
        let mut lines = circuit_txt
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.split_whitespace().collect::<Vec<_>>()))
            .filter(|(_, t)| !t.is_empty());
        let mut next_header = |what: &str| {
            lines.next().ok_or_else(|| Error::Parse {
                line: circuit_txt.lines().count() + 1,
                msg: format!("missing header line ({what})"),
            })
        };
        let (l1, t1) = next_header("gate and wire counts")?;
        if t1.len() != 2 {
            return Err(Error::Parse {
                line: l1,
                msg: "expected `GATES WIRES`".into(),
            });
        }
        let n_gates: usize = num(t1[0], l1, "gate count")?;
        let num_wires: u32 = num(t1[1], l1, "wire count")?;
        let (l2, t2) = next_header("inputs")?;
        let n_in = header_widths(&t2, l2, "inputs")?;
        let (l3, t3) = next_header("outputs")?;
        let n_out = header_widths(&t3, l3, "outputs")?;
        if info.inputs.len() != n_in {
            return Err(Error::Malformed(format!(
                "header line {l2} declares {n_in} inputs, circuit_info.json names {}",
                info.inputs.len()
            )));
        }
        if info.outputs.len() != n_out {
            return Err(Error::Malformed(format!(
                "header line {l3} declares {n_out} outputs, circuit_info.json names {}",
                info.outputs.len()
            )));
        }
        let check_wire = |w: u64, what: &dyn std::fmt::Display| -> Result<u32, Error> {
            if w >= u64::from(num_wires) {
                return Err(Error::Malformed(format!(
                    "{what}: wire {w} out of range (the circuit has {num_wires} wires)"
                )));
            }
            Ok(w as u32)
        };

        // wire -> (value id, what assigned it)
        let mut assigned: HashMap<u32, (u32, Source)> = HashMap::new();
        let mut seen = BTreeMap::new();
        let mut inputs: Vec<(String, u64)> = info.inputs;
        inputs.sort();
        for (name, _) in &inputs {
            if seen.insert(name.clone(), ()).is_some() {
                return Err(Error::Malformed(format!(
                    "input name `{name}` listed twice"
                )));
            }
        }
        let mut named_inputs = Vec::with_capacity(inputs.len());
        for (i, (name, w)) in inputs.into_iter().enumerate() {
            let wire = check_wire(w, &format_args!("input `{name}`"))?;
            if let Some((_, s)) = assigned.get(&wire) {
                return Err(Error::Malformed(format!(
                    "wire {wire} assigned twice: by {s} and by input `{name}`"
                )));
            }
            assigned.insert(wire, (i as u32, Source::Input(name.clone())));
            named_inputs.push(Named {
                name,
                value: i as u32,
                wire,
            });
        }
        let mut consts = info.constants;
        consts.sort();
        let mut constants = Vec::new();
        for (name, w, value) in consts {
            let wire = check_wire(w, &format_args!("constant `{name}`"))?;
            match assigned.get(&wire) {
                Some((_, Source::Constant(_, v))) if *v == value => continue,
                Some((_, s)) => {
                    return Err(Error::Malformed(format!(
                        "wire {wire} assigned twice: by {s} and by constant `{name}` = {value}"
                    )));
                }
                None => {}
            }
            let id = (named_inputs.len() + constants.len()) as u32;
            assigned.insert(wire, (id, Source::Constant(name, value)));
            constants.push(value);
        }
        let base = named_inputs.len() + constants.len();
        let mut gates = Vec::new();
        for (line, toks) in lines.by_ref() {
            let g = gates.len();
            if g == n_gates {
                return Err(Error::Malformed(format!(
                    "line {line}: more gate lines than the {n_gates} the header declares"
                )));
            }
            if toks.len() < 4 {
                return Err(Error::Parse {
                    line,
                    msg: "expected `NIN NOUT IN.. OUT.. OP`".into(),
                });
            }
            let nin: usize = num(toks[0], line, "input count")?;
            let nout: usize = num(toks[1], line, "output count")?;
            if nout != 1 {
                return Err(Error::Malformed(format!(
                    "line {line}: gate with {nout} outputs, expected 1"
                )));
            }
            if toks.len() != nin + nout + 3 {
                return Err(Error::Parse {
                    line,
                    msg: format!(
                        "gate declares {nin} inputs and {nout} output but has {} fields (expected {})",
                        toks.len(),
                        nin + nout + 3
                    ),
                });
            }
            let opname = toks[toks.len() - 1];
            let op = Op::from_name(opname)
                .ok_or_else(|| Error::Malformed(format!("line {line}: unknown op `{opname}`")))?;
            if op.arity() != nin {
                return Err(Error::Malformed(format!(
                    "line {line}: op {opname} takes {} input(s), the gate has {nin}",
                    op.arity()
                )));
            }
            let mut ops = [0u32; 2];
            for k in 0..nin {
                let w: u64 = num(toks[2 + k], line, "wire")?;
                let wire = check_wire(w, &format_args!("gate {g} (line {line})"))?;
                ops[k] = match assigned.get(&wire) {
                    Some((id, _)) => *id,
                    None => {
                        return Err(Error::Malformed(format!(
                            "gate {g} (line {line}) reads wire {wire} before it is assigned"
                        )));
                    }
                };
            }
            if nin == 1 {
                ops[1] = ops[0];
            }
            let w: u64 = num(toks[2 + nin], line, "wire")?;
            let out = check_wire(w, &format_args!("gate {g} (line {line})"))?;
            if let Some((_, s)) = assigned.get(&out) {
                return Err(Error::Malformed(format!(
                    "wire {out} assigned twice: by {s} and by gate {g} (line {line})"
                )));
            }
            assigned.insert(out, ((base + g) as u32, Source::Gate(g, line)));
            gates.push(ArithGate {
                op,
                a: ops[0],
                b: ops[1],
            });
        }
        if gates.len() != n_gates {
            return Err(Error::Malformed(format!(
                "header declares {n_gates} gates, the file has {}",
                gates.len()
            )));
        }
        let mut outs = info.outputs;
        outs.sort();
        let mut outputs = Vec::with_capacity(outs.len());
        for (i, (name, w)) in outs.into_iter().enumerate() {
            if i > 0 && outputs.last().is_some_and(|o: &Named| o.name == name) {
                return Err(Error::Malformed(format!(
                    "output name `{name}` listed twice"
                )));
            }
            let wire = check_wire(w, &format_args!("output `{name}`"))?;
            let Some((id, _)) = assigned.get(&wire) else {
                return Err(Error::Malformed(format!(
                    "output {name} (wire {wire}) is never assigned"
                )));
            };
            outputs.push(Named {
                name,
                value: *id,
                wire,
            });
        }
        Ok(ArithCircuit {
            num_wires,
            inputs: named_inputs,
            constants,
            gates,
            outputs,
        })
    }

    /// Build a circuit directly (for generators and tests): `n_inputs` inputs named `in{i}`,
    /// constants, gates over value ids, and the value ids to output (named `out{j}`).
    ///
    /// # Errors
    /// [`Error::Malformed`] if an operand or output id is not an earlier value.
    pub fn from_parts(
        n_inputs: usize,
        constants: Vec<u64>,
        gates: Vec<ArithGate>,
        outputs: &[u32],
    ) -> Result<Self, Error> {
        let base = n_inputs + constants.len();
        for (g, gate) in gates.iter().enumerate() {
            let limit = (base + g) as u32;
            if gate.a >= limit || gate.b >= limit {
                return Err(Error::Malformed(format!("gate {g} reads a later value")));
            }
        }
        let total = (base + gates.len()) as u32;
        if outputs.iter().any(|&o| o >= total) {
            return Err(Error::Malformed("output names no value".into()));
        }
        let named = |p: &str, v: u32, i: usize| Named {
            name: format!("{p}{i:04}"),
            value: v,
            wire: v,
        };
        Ok(ArithCircuit {
            num_wires: total,
            inputs: (0..n_inputs).map(|i| named("in", i as u32, i)).collect(),
            constants,
            gates,
            outputs: outputs
                .iter()
                .enumerate()
                .map(|(j, &o)| named("out", o, j))
                .collect(),
        })
    }

    /// The wire count of the header.
    pub fn num_wires(&self) -> u32 {
        self.num_wires
    }

    /// Named inputs, sorted by name; input `i` is value `i`.
    pub fn inputs(&self) -> &[Named] {
        &self.inputs
    }

    /// Constant values (mod 2^64; reduce with the ring); constant `c` is value
    /// `inputs().len() + c`.
    pub fn constants(&self) -> &[u64] {
        &self.constants
    }

    /// Gates in file order; gate `g`'s result is value `first_gate_value() + g`.
    pub fn gates(&self) -> &[ArithGate] {
        &self.gates
    }

    /// Value id of gate 0's result.
    pub fn first_gate_value(&self) -> u32 {
        (self.inputs.len() + self.constants.len()) as u32
    }

    /// Total number of value ids.
    pub fn num_values(&self) -> usize {
        self.inputs.len() + self.constants.len() + self.gates.len()
    }

    /// Named outputs, sorted by name.
    pub fn outputs(&self) -> &[Named] {
        &self.outputs
    }

    /// Index of the input called `name`.
    pub fn input_index(&self, name: &str) -> Option<usize> {
        self.inputs
            .binary_search_by(|n| n.name.as_str().cmp(name))
            .ok()
    }

    /// Count of gates per op.
    pub fn op_counts(&self) -> BTreeMap<Op, usize> {
        let mut m = BTreeMap::new();
        for g in &self.gates {
            *m.entry(g.op).or_insert(0) += 1;
        }
        m
    }

    /// Plaintext reference evaluation: `inputs[i]` is the value of input `i` (reduced mod
    /// 2^ℓ here). Returns one value per output, in [`ArithCircuit::outputs`] order.
    ///
    /// # Errors
    /// [`Error::Input`] if the number of inputs is wrong.
    pub fn evaluate(&self, ring: Ring, inputs: &[u64]) -> Result<Vec<u64>, Error> {
        if inputs.len() != self.inputs.len() {
            return Err(Error::Input(format!(
                "expected {} input values, got {}",
                self.inputs.len(),
                inputs.len()
            )));
        }
        let mut v: Vec<u64> = Vec::with_capacity(self.num_values());
        v.extend(inputs.iter().map(|&x| ring.reduce(x)));
        v.extend(self.constants.iter().map(|&c| ring.reduce(c)));
        for g in &self.gates {
            let r = g.op.apply(ring, v[g.a as usize], v[g.b as usize]);
            v.push(r);
        }
        Ok(self.outputs.iter().map(|o| v[o.value as usize]).collect())
    }

    /// Bind `NAME=VALUE` pairs to input indices: each name must be an input and appear at most
    /// once. Returns `(index, value)` pairs.
    ///
    /// # Errors
    /// [`Error::Input`] for an unknown or repeated name or a bad value.
    pub fn bind(&self, ring: Ring, pairs: &[(String, String)]) -> Result<Vec<(usize, u64)>, Error> {
        let mut out: Vec<(usize, u64)> = Vec::with_capacity(pairs.len());
        for (name, val) in pairs {
            let i = self
                .input_index(name)
                .ok_or_else(|| Error::Input(format!("`{name}` is not an input of the circuit")))?;
            if out.iter().any(|(j, _)| *j == i) {
                return Err(Error::Input(format!("input `{name}` given twice")));
            }
            let v = ring
                .parse_input(val)
                .map_err(|e| Error::Input(format!("input `{name}`: {e}")))?;
            out.push((i, v));
        }
        Ok(out)
    }
}
