//! Reading completions out of LMS exports.

pub mod moodle;
