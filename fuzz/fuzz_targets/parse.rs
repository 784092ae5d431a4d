//! Fuzz the Bristol Fashion parser: arbitrary bytes never panic, and whatever parses is a
//! valid circuit that the writer reproduces exactly (parse(write(c)) == c), whose stats can
//! be computed and which evaluates on all-zero inputs.
#![no_main]

use duet_circuits::{Bits, bristol, eval, stats::Stats};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(c) = bristol::parse(data) else {
        return;
    };
    let text = bristol::to_string(&c);
    let back = bristol::parse_str(&text).expect("the writer's output parses");
    assert_eq!(back, c);
    // Stats and evaluation take O(wires) memory (up to 2^29 wires is valid): stay within
    // libFuzzer's RSS limit.
    if c.num_wires() > 1 << 20 {
        return;
    }
    let _ = Stats::of(&c);
    let inputs: Vec<Bits> = c
        .inputs()
        .iter()
        .map(|&w| Bits::repeat(false, w as usize))
        .collect();
    let outs = eval::evaluate(&c, &inputs).expect("evaluation of a parsed circuit");
    assert_eq!(outs.len(), c.outputs().len());
});
