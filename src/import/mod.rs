//! Reading completions out of LMS exports.

pub mod moodle;
pub mod moodle_ws;
