//! insigne: Open Badges for the académie's teacher trainers. The modules follow the flow of data
//! (see DESIGN.md): domain → formats → proof → storage → service → http / cli.

/// Who may do what: token scopes, secrets, sessions and the request extractors.
pub mod auth;
/// Baking badges into PNG and SVG images, and reading them back.
pub mod bake;
/// The e-CAP catalogue file: frameworks, parcours, modules, badges and their rules.
pub mod catalogue;
/// The `insigne` command line.
pub mod cli;
/// Layered configuration (defaults, `insigne.toml`, `INSIGNE_*`, flags).
pub mod config;
/// A bounded pool for CPU-bound work, off the async runtime.
pub mod cpu;
/// Pure types and rules: issuers, badge classes, awards, recipients, time.
pub mod domain;
/// The award engine: which badges completed modules earn, and why.
pub mod engine;
/// Fault injection at named points, for the durability tests (debug builds only).
pub mod faults;
/// Wire formats (Open Badges 2.0 documents) and the public URL of each.
pub mod formats;
/// The HTTP API and public pages (axum).
pub mod http;
/// The words people read (pages, emails), in French and English, from `locales/`.
pub mod i18n;
/// Reading completions out of LMS exports (Moodle CSV).
pub mod import;
/// Telling trainers about their badges: messages and mailers.
pub mod notify;
/// Keys and signatures.
pub mod proof;
/// Use cases tying the layers together.
pub mod service;
/// SQLite and PostgreSQL persistence.
pub mod storage;
/// The verifier: any badge in, a report out, check by check.
pub mod verify;
