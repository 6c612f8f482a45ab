#![no_main]
//! OB 2.0 verification: hosted assertions (JSON) and signed ones (JWS), any input.

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::verify(data);
});
