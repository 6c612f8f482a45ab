//! RS256 compact JWS sign and verify of an OB 2.0 signed assertion.
//! Run with `cargo bench --bench jws`.

// A benchmark or a test fails loudly: unwrap, expect and panic say where.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use insigne::proof::KeyRing;

fn benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let ring =
        KeyRing::generate(dir.path(), "2026-11-28T12:00:00Z".parse().expect("date")).expect("keys");
    let payload = serde_json::json!({
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "urn:uuid:1812087a-92f0-406e-92c0-437b031d0ffd",
        "recipient": {"type": "email", "hashed": true, "salt": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "identity": "sha256$8d9c96a20a12c252c1ddb5e7dc6cd022bd3b8a798022628f441a43d0b1fd1a59"},
        "badge": "https://badges.ac-versailles.fr/badge-classes/3ad7b0b2-8d5f-427d-bccb-e1038bf8ce35",
        "verification": {"type": "SignedBadge", "creator": "https://badges.ac-versailles.fr/issuers/e1544025-f956-4fca-be10-302ab166ae1c/keys/rsa-20261128-12345678"},
        "issuedOn": "2026-11-28T12:00:00Z",
        "expires": "2029-11-27T12:00:00Z"
    })
    .to_string();
    let (_, jws) = ring.sign_rs256(payload.as_bytes(), None).expect("sign");
    c.bench_function("jws rs256 sign", |b| {
        b.iter(|| {
            ring.sign_rs256(black_box(payload.as_bytes()), None)
                .expect("sign")
        })
    });
    c.bench_function("jws rs256 verify", |b| {
        b.iter(|| ring.verify_rs256(black_box(&jws)).expect("verify"))
    });
}

criterion_group!(jws_benches, benches);
criterion_main!(jws_benches);
