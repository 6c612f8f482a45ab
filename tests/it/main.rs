//! The integration tests: one binary, driving the real router in process (and, for interop, a
//! real listening server checked by the official Open Badges 2.0 validator).

mod auth;
mod awarding;
mod bad_input;
mod cli;
mod common;
mod crash;
mod durable;
mod e2e;
mod edge;
mod foreign;
mod interop_ob2;
mod interop_ob3;
mod mine;
mod moodle_site;
mod moodle_sync;
mod notifications;
mod pages;
mod rdfc_suite;
mod revocation;
mod story;
mod unbake;
mod verify;
