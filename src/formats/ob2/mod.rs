//! Open Badges 2.0 documents (context `https://w3id.org/openbadges/v2`): the issuer Profile, the
//! BadgeClass and the hosted Assertion. Keys are ordered (serde_json's sorted map), so the same
//! award always gives the same bytes.

use serde_json::{json, Map, Value};

use crate::domain::clock::rfc3339;
use crate::domain::{Award, AwardId, BadgeClass, Issuer, IssuerId};

use super::PublicUrls;

pub const CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// The issuer Profile, listing its signing keys (every RSA key, retired ones included, so that
/// what they signed keeps verifying) and its RevocationList.
pub fn issuer_profile(urls: &PublicUrls, issuer: &Issuer, rsa_kids: &[String]) -> Value {
    let Value::Object(mut obj) = json!({
        "@context": CONTEXT,
        "type": "Issuer",
        "id": urls.issuer(issuer.id),
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email.as_str(),
        "revocationList": urls.revocation_list(issuer.id),
    }) else {
        return Value::Null;
    };
    if let Some(d) = &issuer.description {
        obj.insert("description".into(), json!(d));
    }
    if issuer.image.is_some() {
        obj.insert("image".into(), json!(urls.issuer_image(issuer.id)));
    }
    if !rsa_kids.is_empty() {
        let keys: Vec<String> = rsa_kids
            .iter()
            .map(|kid| urls.issuer_key(issuer.id, kid))
            .collect();
        obj.insert("publicKey".into(), json!(keys));
    }
    Value::Object(obj)
}

/// The BadgeClass, with its criteria, alignments to competencies and tags.
pub fn badge_class(urls: &PublicUrls, class: &BadgeClass) -> Value {
    let mut criteria = Map::new();
    if let Some(u) = &class.criteria.url {
        criteria.insert("id".into(), json!(u));
    }
    if let Some(n) = &class.criteria.narrative {
        criteria.insert("narrative".into(), json!(n));
    }
    let class_url = urls.badge_class(class.id);
    let alignment: Vec<Value> = class
        .alignments
        .iter()
        .map(|a| {
            // OB 2.0 requires targetUrl; without one of its own, the competency is described on
            // the badge class's own page, under an anchor named after its code.
            let target_url = a
                .url
                .clone()
                .unwrap_or_else(|| format!("{class_url}#competence-{}", anchor(&a.code)));
            json!({
                "targetName": a.name,
                "targetUrl": target_url,
                "targetFramework": a.framework,
                "targetCode": a.code,
            })
        })
        .collect();
    let Value::Object(mut obj) = json!({
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": class_url,
        "name": class.name,
        "description": class.description,
        "image": urls.badge_class_image(class.id),
        "criteria": criteria,
        "issuer": urls.issuer(class.issuer),
    }) else {
        return Value::Null;
    };
    if !alignment.is_empty() {
        obj.insert("alignment".into(), Value::Array(alignment));
    }
    if !class.tags.is_empty() {
        obj.insert("tags".into(), json!(class.tags));
    }
    Value::Object(obj)
}

/// The hosted Assertion: its `id` is its own URL, the recipient a salted email hash.
pub fn hosted_assertion(urls: &PublicUrls, award: &Award) -> Value {
    assertion(
        urls,
        award,
        urls.assertion(award.id),
        json!({"type": "HostedBadge"}),
    )
}

/// The payload of the signed assertion: a `urn:uuid` id, and the key that signs it as `creator`
/// (the 1EdTech validator requires it).
pub fn signed_assertion(urls: &PublicUrls, award: &Award, issuer: IssuerId, kid: &str) -> Value {
    let verification = json!({"type": "SignedBadge", "creator": urls.issuer_key(issuer, kid)});
    assertion(
        urls,
        award,
        urls.signed_assertion_id(award.id),
        verification,
    )
}

fn assertion(urls: &PublicUrls, award: &Award, id: String, verification: Value) -> Value {
    let Value::Object(mut obj) = json!({
        "@context": CONTEXT,
        "type": "Assertion",
        "id": id,
        "recipient": {
            "type": "email",
            "hashed": true,
            "salt": award.salt,
            "identity": award.recipient_identity(),
        },
        "badge": urls.badge_class(award.badge_class),
        "verification": verification,
        "issuedOn": rfc3339(award.issued_on),
    }) else {
        return Value::Null;
    };
    if let Some(exp) = award.expires {
        obj.insert("expires".into(), json!(rfc3339(exp)));
    }
    if let Some(n) = &award.narrative {
        obj.insert("narrative".into(), json!(n));
    }
    if !award.evidence.is_empty() {
        let evidence: Vec<Value> = award
            .evidence
            .iter()
            .map(|e| {
                let mut m = Map::new();
                m.insert("type".into(), json!("Evidence"));
                let fields = [
                    ("id", &e.url),
                    ("name", &e.name),
                    ("description", &e.description),
                    ("narrative", &e.narrative),
                    ("genre", &e.genre),
                ];
                for (k, v) in fields {
                    if let Some(v) = v {
                        m.insert(k.into(), json!(v));
                    }
                }
                Value::Object(m)
            })
            .collect();
        obj.insert("evidence".into(), Value::Array(evidence));
    }
    Value::Object(obj)
}

/// The CryptographicKey document of an RSA key, owned by `issuer`.
pub fn cryptographic_key(
    urls: &PublicUrls,
    issuer: IssuerId,
    kid: &str,
    public_key_pem: &str,
) -> Value {
    json!({
        "@context": CONTEXT,
        "type": "CryptographicKey",
        "id": urls.issuer_key(issuer, kid),
        "owner": urls.issuer(issuer),
        "publicKeyPem": public_key_pem,
    })
}

/// The issuer's RevocationList: each revoked award under both of its ids (the signed form's
/// `urn:uuid` and the hosted URL), with its reason.
pub fn revocation_list(
    urls: &PublicUrls,
    issuer: IssuerId,
    revoked: &[(AwardId, String)],
) -> Value {
    let entries: Vec<Value> = revoked
        .iter()
        .flat_map(|(id, reason)| {
            [urls.signed_assertion_id(*id), urls.assertion(*id)]
                .map(|aid| json!({"id": aid, "revocationReason": reason}))
        })
        .collect();
    json!({
        "@context": CONTEXT,
        "type": "RevocationList",
        "id": urls.revocation_list(issuer),
        "issuer": urls.issuer(issuer),
        "revokedAssertions": entries,
    })
}

/// An HTML id fragment made of the competency code's letters, digits and dashes.
pub fn anchor(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}
