//! The integration tests: one binary, driving the real router in process (and, for interop, a
//! real listening server checked by the official Open Badges 2.0 validator).

// A test fails loudly: unwrap, expect and panic say where. It also reads the wall clock and
// draws ids for the foreign badges it makes, as another issuer would.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

mod attendance;
mod audit;
mod auth;
mod awarding;
mod bad_input;
mod cli;
mod common;
mod console;
mod console_attendance;
mod console_awards;
mod console_badges;
mod console_catalogue;
mod console_entries;
mod console_keys;
mod cors;
mod crash;
mod durable;
mod e2e;
mod edge;
mod endorsements;
mod foreign;
mod interop_ob2;
mod interop_ob3;
mod mine;
mod moodle_site;
mod moodle_sync;
mod notifications;
mod ob3_api;
mod pages;
mod rdfc_suite;
mod requests;
mod revocation;
mod story;
mod unbake;
mod verify;
mod wallet_oid4vci;
mod wallet_vcapi;
