//! Open Badges 2.0 documents (context `https://w3id.org/openbadges/v2`): the issuer Profile, the
//! BadgeClass and the hosted Assertion. Keys are ordered (serde_json's sorted map), so the same
//! award always gives the same bytes.

use serde_json::{json, Map, Value};

use crate::domain::clock::rfc3339;
use crate::domain::{Award, AwardId, BadgeClass, Issuer, IssuerId};

use super::PublicUrls;

pub const CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// The issuer Profile. `signer: None` gives the hosted Profile (hosted assertions point at it);
/// `Some(kid)` gives the Profile as signer with that RSA key, naming it as its one `publicKey`.
///
/// Why one Profile per key: the 1EdTech validator checks that the signing key is in the
/// Profile's `publicKey` and refuses a Profile with more than one, and a signed assertion's
/// payload is fixed for ever. Were every signed assertion to point at the hosted Profile, a key
/// rotation would break every badge signed before it; pointing at the Profile of the key that
/// signed it keeps them valid, and a retired key's documents stay published.
pub fn issuer_profile(urls: &PublicUrls, issuer: &Issuer, signer: Option<&str>) -> Value {
    let id = match signer {
        Some(kid) => urls.signer_profile(issuer.id, kid),
        None => urls.issuer(issuer.id),
    };
    let Value::Object(mut obj) = json!({
        "@context": CONTEXT,
        "type": "Issuer",
        "id": id,
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
    if let Some(kid) = signer {
        obj.insert("publicKey".into(), json!(urls.issuer_key(issuer.id, kid)));
    }
    Value::Object(obj)
}

/// The BadgeClass, with its criteria, alignments to competencies and tags. With `signer`, the
/// BadgeClass that signed assertions of that key point at, its issuer being the signer Profile.
pub fn badge_class(urls: &PublicUrls, class: &BadgeClass, signer: Option<&str>) -> Value {
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
        "id": match signer {
            Some(kid) => urls.signer_badge_class(class.id, kid),
            None => class_url,
        },
        "name": class.name,
        "description": class.description,
        "image": urls.badge_class_image(class.id),
        "criteria": criteria,
        "issuer": match signer {
            Some(kid) => urls.signer_profile(class.issuer, kid),
            None => urls.issuer(class.issuer),
        },
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

/// The payload of the signed assertion: a `urn:uuid` id, the key that signs it as `creator` (the
/// 1EdTech validator requires it), and the BadgeClass as seen by that key's signer Profile.
pub fn signed_assertion(urls: &PublicUrls, award: &Award, issuer: IssuerId, kid: &str) -> Value {
    let verification = json!({"type": "SignedBadge", "creator": urls.issuer_key(issuer, kid)});
    let mut doc = assertion(
        urls,
        award,
        urls.signed_assertion_id(award.id),
        verification,
    );
    doc["badge"] = json!(urls.signer_badge_class(award.badge_class, kid));
    doc
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

/// The CryptographicKey document of an RSA key, owned by the issuer's Profile for that key.
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
        "owner": urls.signer_profile(issuer, kid),
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

/// An OB 2.0 Endorsement, hosted at `id`: `issuer` (its Profile URL) vouches for `claim_id`
/// (a BadgeClass or an Assertion URL) with `comment`.
pub fn endorsement(
    id: &str,
    claim_id: &str,
    comment: &str,
    issuer: &str,
    issued: chrono::DateTime<chrono::Utc>,
) -> Value {
    json!({
        "@context": CONTEXT,
        "type": "Endorsement",
        "id": id,
        "claim": {"id": claim_id, "endorsementComment": comment},
        "issuer": issuer,
        "issuedOn": rfc3339(issued),
        "verification": {"type": "hosted"},
    })
}
