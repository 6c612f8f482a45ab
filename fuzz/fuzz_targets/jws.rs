#![no_main]
//! JWS and JWT parsing and verification: the input is a JWK (first line, JSON) and a compact
//! JWS (the rest), or a JWS alone checked with fixed keys. The key policy runs on whatever key
//! the input holds; nothing may panic or hang.

use insigne::proof::jws;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = jws::unverified_header(text);
    let _ = jws::unverified_payload(text);
    let _ = jws::unverified_payload_text(text);
    let (first, rest) = text.split_once('\n').unwrap_or(("", text));
    if let Ok(jwk) = serde_json::from_str::<serde_json::Value>(first) {
        for alg in ["RS256", "ES256"] {
            let _ = jws::check_jwk(alg, &jwk);
        }
        let _ = jws::verify_with_jwk(rest, &jwk);
    }
    let p256 = serde_json::json!({"kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"});
    let _ = jws::verify_with_jwk(text, &p256);
    let _ = jws::verify_rs256_pem(rest, first);
});
