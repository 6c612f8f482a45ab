#![no_main]
//! PNG unbaking: any bytes, either generation; never a panic, never an unbounded allocation.

use insigne::bake::{png, Generation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for generation in [Generation::Ob2, Generation::Ob3] {
        let _ = png::unbake(data, generation);
        let _ = png::count_badges(data, generation);
    }
    let _ = png::strip(data);
    let _ = insigne::bake::unbake_any(data);
});
