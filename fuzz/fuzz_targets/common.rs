//! What the verification targets share: a runtime, and a resolver that reaches nothing (every
//! document is "could not check", did:key is computed by the verifier itself).

use std::sync::OnceLock;

use insigne::verify::resolve::{ResolveFuture, Resolved, Resolver};
use insigne::verify::{self, Options};

pub struct Offline;

impl Resolver for Offline {
    fn get<'a>(&'a self, url: &'a str) -> ResolveFuture<'a> {
        Box::pin(async move { Resolved::Unavailable(format!("{url}: offline")) })
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime")
    })
}

/// The whole verifier on `data`: a report must always be had, whatever the input.
pub fn verify(data: &[u8]) {
    let options = Options::at("2026-12-01T00:00:00Z".parse().expect("date"));
    let report = runtime().block_on(verify::verify_bytes(data, &Offline, &options));
    let _ = serde_json::to_string(&report).expect("a report serialises");
}
