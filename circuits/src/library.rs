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

use std::path::Path;

use thiserror::Error;

use crate::Circuit;
use crate::bristol::{self, ParseError};

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
}
