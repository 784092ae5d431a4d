//! `mpc_settings.json` in the circom-mp-spdz style: a list of two parties, the first the
//! garbler, the second the evaluator, each naming the inputs it owns and the outputs it sees:
//!
//! ```json
//! [ {"name": "alice", "inputs": ["a", "in"], "outputs": ["out"]},
//!   {"name": "bob",   "inputs": ["b"],       "outputs": ["out"]} ]
//! ```
//!
//! A name matches a circuit name exactly, with the main component's `0.` prefix added, or as
//! a whole array (`in` matches `0.in[0]`, `0.in[1][2]`, …).

use crate::{ArithCircuit, Error, Role};
use serde_json::Value;

/// Which party sees an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reveal {
    /// The garbler learns the output.
    pub garbler: bool,
    /// The evaluator learns the output.
    pub evaluator: bool,
}

impl Reveal {
    /// Both parties learn it (the default without a settings file).
    pub const BOTH: Reveal = Reveal {
        garbler: true,
        evaluator: true,
    };

    /// Does `role` see it?
    pub fn to(self, role: Role) -> bool {
        match role {
            Role::Garbler => self.garbler,
            Role::Evaluator => self.evaluator,
        }
    }
}

/// A parsed settings file, resolved against a circuit.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Settings {
    /// Owner of each input (circuit input order).
    pub owners: Vec<Role>,
    /// Who sees each output (circuit output order).
    pub reveal: Vec<Reveal>,
}

fn matches(pattern: &str, name: &str) -> bool {
    let full = |p: &str| name == p || (name.starts_with(p) && name[p.len()..].starts_with('['));
    full(pattern) || full(&format!("0.{pattern}"))
}

fn names(party: &Value, key: &str, who: &str) -> Result<Vec<String>, Error> {
    match party.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    Error::Input(format!("settings: {who}.{key}: {v} is not a string"))
                })
            })
            .collect(),
        Some(_) => Err(Error::Input(format!("settings: {who}.{key} is not a list"))),
    }
}

impl Settings {
    /// Parse `text` and resolve it against `c`: every input owned by exactly one party,
    /// every name matching something.
    ///
    /// # Errors
    /// [`Error::Input`] naming the problem (bad JSON, not two parties, unknown name, input
    /// owned twice or by nobody).
    pub fn parse(text: &str, c: &ArithCircuit) -> Result<Settings, Error> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| Error::Input(format!("settings: bad JSON: {e}")))?;
        let parties = v.as_array().filter(|a| a.len() == 2).ok_or_else(|| {
            Error::Input("settings: expected a list of exactly two parties".into())
        })?;
        let mut owners: Vec<Option<Role>> = vec![None; c.inputs().len()];
        let mut reveal = vec![
            Reveal {
                garbler: false,
                evaluator: false
            };
            c.outputs().len()
        ];
        for (p, role) in parties.iter().zip([Role::Garbler, Role::Evaluator]) {
            let who = p.get("name").and_then(Value::as_str).unwrap_or(match role {
                Role::Garbler => "party 0",
                Role::Evaluator => "party 1",
            });
            for pat in names(p, "inputs", who)? {
                let mut hit = false;
                for (i, inp) in c.inputs().iter().enumerate() {
                    if matches(&pat, &inp.name) {
                        hit = true;
                        if owners[i].is_some_and(|o| o != role) {
                            return Err(Error::Input(format!(
                                "input `{}` is owned by both parties",
                                inp.name
                            )));
                        }
                        owners[i] = Some(role);
                    }
                }
                if !hit {
                    return Err(Error::Input(format!(
                        "settings: `{pat}` ({who}) is not an input of the circuit"
                    )));
                }
            }
            for pat in names(p, "outputs", who)? {
                let mut hit = false;
                for (j, out) in c.outputs().iter().enumerate() {
                    if matches(&pat, &out.name) {
                        hit = true;
                        match role {
                            Role::Garbler => reveal[j].garbler = true,
                            Role::Evaluator => reveal[j].evaluator = true,
                        }
                    }
                }
                if !hit {
                    return Err(Error::Input(format!(
                        "settings: `{pat}` ({who}) is not an output of the circuit"
                    )));
                }
            }
        }
        let owners = owners
            .into_iter()
            .enumerate()
            .map(|(i, o)| {
                o.ok_or_else(|| {
                    Error::Input(format!(
                        "input `{}` is owned by no party",
                        c.inputs()[i].name
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Settings { owners, reveal })
    }
}
