#![no_main]
//! OB 3.0 verification: the whole verifier on any input, and on JSON objects the Data
//! Integrity check itself (JSON-LD safe-mode expansion, RDFC-1.0 canonicalisation, Ed25519).

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    common::verify(data);
    let Ok(doc) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if doc.is_object() && insigne::verify::limits::exceeded(&doc).is_none() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key();
        let _ = insigne::proof::di::verify(&doc, &key);
        let _ = insigne::proof::canon::json_ld_quads(&doc);
    }
});
