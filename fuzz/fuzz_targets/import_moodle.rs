#![no_main]
//! Moodle completion reports: any bytes (UTF-8, UTF-16 with either BOM, any delimiter and
//! header) are read or refused, never a panic.

use insigne::import::moodle::{parse, MoodleMapping};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse(data, &MoodleMapping::default());
});
