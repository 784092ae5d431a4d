//! Fuzz target `negotiation`: `duet::fuzzing::negotiation` on arbitrary bytes (the same function
//! `tests/fuzz_corpus.rs` replays this target's corpus through).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| duet::fuzzing::negotiation(data));
