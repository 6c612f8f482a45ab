//! W3C Bitstring Status List: one revocation list per issuer and signing key, 131,072 entries,
//! so that an index says nothing about when a badge was issued.

use std::io::Write;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::domain::clock::rfc3339;
use crate::formats::contexts::CREDENTIALS_V2;

/// Entries per list (the W3C minimum, 16 KiB of bits).
pub const LIST_SIZE: i64 = 131_072;

/// `u` + base64url(gzip(bits)), bit `i` being bit 7 - i % 8 of byte i / 8.
pub fn encode_list(set: &[i64]) -> String {
    let mut bits = vec![0u8; (LIST_SIZE / 8) as usize];
    for &i in set {
        if (0..LIST_SIZE).contains(&i) {
            bits[(i / 8) as usize] |= 1 << (7 - (i % 8));
        }
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = gz.write_all(&bits);
    let compressed = gz.finish().unwrap_or_default();
    format!("u{}", URL_SAFE_NO_PAD.encode(compressed))
}

/// Whether bit `index` is set in an `encodedList` (None when it cannot be decoded). Reading
/// stops after the list size, so a crafted list cannot inflate without bound.
pub fn is_set(encoded: &str, index: i64) -> Option<bool> {
    use std::io::Read;
    let compressed = URL_SAFE_NO_PAD.decode(encoded.strip_prefix('u')?).ok()?;
    let mut bits = Vec::new();
    flate2::read::GzDecoder::new(&compressed[..])
        .take(16 * 1024 * 1024)
        .read_to_end(&mut bits)
        .ok()?;
    let byte = bits.get(usize::try_from(index / 8).ok()?)?;
    Some(byte >> (7 - (index % 8)) & 1 == 1)
}

/// The unsigned BitstringStatusListCredential.
pub fn list_credential(
    list_url: &str,
    issuer_did: &str,
    set: &[i64],
    valid_from: DateTime<Utc>,
) -> Value {
    json!({
        "@context": [CREDENTIALS_V2],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": rfc3339(valid_from),
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(set),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip() {
        let encoded = encode_list(&[0, 7, 8, 131_071]);
        for (i, expected) in [
            (0, true),
            (1, false),
            (7, true),
            (8, true),
            (9, false),
            (131_071, true),
        ] {
            assert_eq!(is_set(&encoded, i), Some(expected), "{i}");
        }
        assert_eq!(is_set(&encoded, LIST_SIZE), None);
        assert_eq!(is_set("not-multibase", 1), None);
    }
}
