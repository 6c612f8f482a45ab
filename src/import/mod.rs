//! Reading completions out of LMS exports, and attendance out of virtual classes.

pub mod attendance;
pub mod moodle;
pub mod moodle_ws;
