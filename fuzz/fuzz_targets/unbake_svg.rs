#![no_main]
//! SVG unbaking: any bytes (entities, DOCTYPE, broken XML), either generation.

use insigne::bake::{svg, Generation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for generation in [Generation::Ob2, Generation::Ob3] {
        let _ = svg::unbake(data, generation);
    }
    let _ = insigne::bake::unbake_any(data);
});
