//! Open Badges 3.0 proofs of a typical e-CAP credential (the fixture of
//! tests/fixtures/ob3/): Data Integrity eddsa-rdfc-2022 sign and verify, VC-JWT (RS256) sign and
//! verify. Run with `cargo bench --bench credentials`.

// A benchmark or a test fails loudly: unwrap, expect and panic say where.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use insigne::formats::ob3::jwt_claims;
use insigne::proof::{di, KeyRing};
use serde_json::Value;

const CREDENTIAL: &str = include_str!("../tests/fixtures/ob3/ecap-credential.json");

fn benches(c: &mut Criterion) {
    let mut credential: Value = serde_json::from_str(CREDENTIAL).expect("fixture");
    if let Value::Object(m) = &mut credential {
        m.remove("proof");
    }
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let vm = "did:web:badges.ac-versailles.fr:issuers:5d0b8f1e-3a4c-4e2b-9f61-0c7d2e8a9b10#ed25519-20261128-0a1b2c3d";
    let created = "2026-11-28T12:00:01Z".parse().expect("date");
    let signed = di::sign(&credential, &key, vm, created).expect("sign");
    let public = key.verifying_key();
    c.bench_function("data integrity eddsa-rdfc-2022 sign", |b| {
        b.iter(|| di::sign(black_box(&credential), &key, vm, created).expect("sign"))
    });
    c.bench_function("data integrity eddsa-rdfc-2022 verify", |b| {
        b.iter(|| di::verify(black_box(&signed), &public).expect("verify"))
    });

    let dir = tempfile::tempdir().expect("tempdir");
    let ring = KeyRing::generate(dir.path(), created).expect("keys");
    let claims = jwt_claims(&credential).to_string();
    let (_, jwt) = ring
        .sign_rs256(claims.as_bytes(), Some("JWT"))
        .expect("sign");
    c.bench_function("vc-jwt rs256 sign", |b| {
        b.iter(|| {
            ring.sign_rs256(black_box(claims.as_bytes()), Some("JWT"))
                .expect("sign")
        })
    });
    c.bench_function("vc-jwt rs256 verify", |b| {
        b.iter(|| ring.verify_rs256(black_box(&jwt)).expect("verify"))
    });
}

criterion_group!(credential_benches, benches);
criterion_main!(credential_benches);
