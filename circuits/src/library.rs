//! The shipped standard circuits, built into the library, and [`load`] for "name or path".
//!
//! | name | computes | inputs → outputs |
//! |---|---|---|
//! | `adder64` | (a + b) mod 2^64 | 64+64 → 64 |
//! | `sub64` | (a − b) mod 2^64 | 64+64 → 64 |
//! | `neg64` | (−a) mod 2^64 | 64 → 64 |
//! | `mult64` | (a · b) mod 2^64 | 64+64 → 64 |
//! | `zero_equal` | 1 iff a = 0 | 64 → 1 |
//! | `aes_128` | AES-128 of one block (input 0 = key, input 1 = plaintext) | 128+128 → 128 |
//! | `sha256` | SHA-256 compression incl. feed-forward (block, chaining value) | 512+256 → 256 |
//! | `Keccak_f` | Keccak-f\[1600\] permutation | 1600 → 1600 |
//!
//! All but `Keccak_f` are verbatim copies of the standard Bristol Fashion files
//! (`circuits/bristol/*.txt`, see `circuits/bristol/SOURCES.md` for provenance and licence).
//! **`Keccak_f` is a substitute**: the standard `Keccak_f.txt` could not be obtained, so the
//! built-in is `circuits/bristol/substitutes/Keccak_f.generated.txt`, a FIPS-202 netlist with
//! the same I/O convention and the same gate counts (38 400 AND, 115 200 XOR, 38 486 INV,
//! AND-depth 24) but different wire numbering; it passes the same vectors.
//!
//! Besides the shipped files, [`layered`] generates a synthetic benchmark circuit of any
//! size (not loadable by name).

use std::path::Path;

use thiserror::Error;

use crate::bristol::{self, ParseError};
use crate::{Circuit, CircuitError, Gate, MAX_WIRES};

const BUILTIN: &[(&str, &str)] = &[
    ("adder64", include_str!("../bristol/adder64.txt")),
    ("sub64", include_str!("../bristol/sub64.txt")),
    ("neg64", include_str!("../bristol/neg64.txt")),
    ("mult64", include_str!("../bristol/mult64.txt")),
    ("zero_equal", include_str!("../bristol/zero_equal.txt")),
    ("aes_128", include_str!("../bristol/aes_128.txt")),
    ("sha256", include_str!("../bristol/sha256.txt")),
    (
        "Keccak_f",
        include_str!("../bristol/substitutes/Keccak_f.generated.txt"),
    ),
];

const NAMES: &[&str] = &[
    "adder64",
    "sub64",
    "neg64",
    "mult64",
    "zero_equal",
    "aes_128",
    "sha256",
    "Keccak_f",
];

/// The Bristol Fashion text of a built-in circuit, by name (`aes_128`, `sha256`, …; see the
/// module docs). A trailing `.txt` is accepted. `Keccak_f` is the generated substitute.
pub fn builtin(name: &str) -> Option<&'static str> {
    let name = name.strip_suffix(".txt").unwrap_or(name);
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// The names of the built-in circuits, in the order of the module table.
pub fn names() -> &'static [&'static str] {
    NAMES
}

/// A circuit could not be loaded.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file exists but could not be read.
    #[error("{path}: {source}")]
    Io {
        /// the path as given
        path: String,
        /// the error
        #[source]
        source: std::io::Error,
    },
    /// The file (or built-in) is not a valid Bristol Fashion circuit.
    #[error("{origin}: {source}")]
    Parse {
        /// the path, or `built-in <name>`
        origin: String,
        /// what is wrong, with its line
        #[source]
        source: ParseError,
    },
    /// Neither a file nor a built-in name.
    #[error(
        "`{name}` is neither a file nor a built-in circuit (built-in: {})",
        names().join(", ")
    )]
    Unknown {
        /// what was asked for
        name: String,
    },
}

/// Load a circuit given as a path or a built-in name. A path that exists wins over a name
/// (so `./aes_128` reads the file); otherwise a built-in name (see [`names`]) is parsed from
/// the copy compiled into the library.
///
/// # Errors
/// [`LoadError::Io`] if the file cannot be read, [`LoadError::Parse`] (naming the file and
/// line) if it is not valid Bristol Fashion, [`LoadError::Unknown`] (listing the built-in
/// names) if it is neither a file nor a built-in name.
pub fn load(name_or_path: &str) -> Result<Circuit, LoadError> {
    let path = Path::new(name_or_path);
    if path.exists() {
        let f = std::fs::File::open(path).map_err(|source| LoadError::Io {
            path: name_or_path.to_string(),
            source,
        })?;
        if path.is_dir() {
            return Err(LoadError::Io {
                path: name_or_path.to_string(),
                source: std::io::Error::other("is a directory, not a circuit file"),
            });
        }
        return bristol::parse(std::io::BufReader::with_capacity(1 << 16, f)).map_err(|source| {
            LoadError::Parse {
                origin: name_or_path.to_string(),
                source,
            }
        });
    }
    match builtin(name_or_path) {
        Some(text) => bristol::parse_str(text).map_err(|source| LoadError::Parse {
            origin: format!("built-in {name_or_path}"),
            source,
        }),
        None => Err(LoadError::Unknown {
            name: name_or_path.to_string(),
        }),
    }
}

/// Width of the [`layered`] circuit's layers, inputs and output.
const LAYER_WIDTH: u32 = 64;

/// A synthetic benchmark circuit (used by `gc-run speed 2pc`, the `twopc` bench and the CLI
/// tests): `n_and` AND gates, rounded down to a multiple of 64 but at least 64, in 64-wide
/// layers.
///
/// Shape: two 64-bit inputs `a` (wires 0..64) and `b` (wires 64..128), one 64-bit output;
/// `max(n_and / 64, 1)` layers of 64 AND gates and 64 XOR gates each, so exactly
/// `64 · max(n_and / 64, 1)` AND gates, as many XORs, no other gates, AND-depth = number of
/// layers, `128 + 2 · AND count` wires. With `p` the previous layer's 64 values (`a` for the
/// first layer), lane `j` of a layer computes `t_j = p_j AND q_j` and
/// `p'_j = t_j XOR p_{(j+5) mod 64}`, where `q_j = b_j` in the first layer and
/// `q_j = p_{(j+1) mod 64}` afterwards. The output is the circuit's last 64 wires (Bristol
/// convention), i.e. the last layer's lanes 32..64 interleaved: output bit `2k` is
/// `t_{32+k}`, bit `2k + 1` is `p'_{32+k}`.
///
/// # Errors
/// [`CircuitError::TooLarge`] if the circuit would have more than [`MAX_WIRES`] wires
/// (`n_and` above about 2^28).
pub fn layered(n_and: usize) -> Result<Circuit, CircuitError> {
    let w = LAYER_WIDTH;
    let too_large = CircuitError::TooLarge {
        what: "more than 2^29-1 wires",
    };
    let layers = (n_and / w as usize).max(1);
    let num_wires = (layers as u64)
        .checked_mul(2 * w as u64)
        .and_then(|x| x.checked_add(2 * w as u64))
        .filter(|&x| x <= MAX_WIRES as u64)
        .ok_or(too_large)?;
    let mut c = Circuit::new(num_wires as u32, vec![w, w], vec![w])?;
    let mut prev: Vec<u32> = (0..w).collect();
    let mut next = 2 * w;
    for l in 0..layers {
        let mut cur = Vec::with_capacity(w as usize);
        for j in 0..w as usize {
            let b = if l == 0 {
                w + j as u32
            } else {
                prev[(j + 1) % w as usize]
            };
            c.push(Gate::And {
                a: prev[j],
                b,
                out: next,
            })?;
            c.push(Gate::Xor {
                a: next,
                b: prev[(j + 5) % w as usize],
                out: next + 1,
            })?;
            cur.push(next + 1);
            next += 2;
        }
        prev = cur;
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_table() {
        assert_eq!(names().len(), BUILTIN.len());
        for (n, (m, _)) in names().iter().zip(BUILTIN) {
            assert_eq!(n, m);
            assert!(builtin(n).is_some());
        }
        assert!(builtin("aes_128.txt").is_some());
        assert!(builtin("nope").is_none());
    }

    #[test]
    fn unknown_lists_names() {
        let e = load("no_such_circuit_xyz").unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("no_such_circuit_xyz") && msg.contains("aes_128, sha256"),
            "{msg}"
        );
    }

    #[test]
    fn small_builtin_loads() {
        let c = load("adder64").unwrap();
        assert_eq!(c.and_count(), 63);
    }

    /// Plain `u64` model of [`layered`] (bit `j` = lane `j`).
    fn layered_model(layers: usize, a: u64, b: u64) -> u64 {
        let (mut p, mut t) = (a, 0u64);
        for l in 0..layers {
            // bit j of rotate_right(k) is bit (j + k) mod 64
            let q = if l == 0 { b } else { p.rotate_right(1) };
            t = p & q;
            p = t ^ p.rotate_right(5);
        }
        (0..32).fold(0u64, |out, k| {
            out | ((t >> (32 + k)) & 1) << (2 * k) | ((p >> (32 + k)) & 1) << (2 * k + 1)
        })
    }

    #[test]
    fn layered_shape_and_value() {
        use crate::{GateKind, eval, values};
        for (n_and, want_and) in [(0, 64), (1, 64), (64, 64), (130, 128), (64 * 37, 64 * 37)] {
            let c = layered(n_and).unwrap();
            assert_eq!(c.and_count(), want_and, "n_and = {n_and}");
            assert_eq!(c.inputs(), &[64, 64]);
            assert_eq!(c.outputs(), &[64]);
            assert_eq!(c.num_wires() as u64, 128 + 2 * want_and);
            assert_eq!(c.num_gates() as u64, 2 * want_and);
            assert!(
                c.gates()
                    .all(|g| matches!(g.kind(), GateKind::And | GateKind::Xor))
            );
            let layers = (want_and / 64) as usize;
            for (a, b) in [
                (0x0123_4567_89ab_cdef, 0xfedc_ba98_7654_3210),
                (u64::MAX, u64::MAX),
                (0xdead_beef_f00d_cafe, u64::MAX),
                (0, u64::MAX),
            ] {
                let out = eval::evaluate(
                    &c,
                    &[
                        values::from_u64(a, 64).unwrap(),
                        values::from_u64(b, 64).unwrap(),
                    ],
                )
                .unwrap();
                assert_eq!(
                    values::to_u64(&out[0]),
                    Some(layered_model(layers, a, b)),
                    "n_and = {n_and}, a = {a:#x}, b = {b:#x}"
                );
            }
        }
    }

    #[test]
    fn layered_exact_large_and_too_large() {
        assert_eq!(layered(1 << 20).unwrap().and_count(), 1 << 20);
        assert!(matches!(
            layered(1 << 28),
            Err(CircuitError::TooLarge { .. })
        ));
        assert!(matches!(
            layered(usize::MAX),
            Err(CircuitError::TooLarge { .. })
        ));
    }
}
