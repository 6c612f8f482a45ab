//! Open Badges 2.0 documents (context `https://w3id.org/openbadges/v2`): the issuer Profile, the
//! BadgeClass and the hosted Assertion. Keys are ordered (serde_json's sorted map), so the same
//! award always gives the same bytes.

use serde_json::{json, Map, Value};

use crate::domain::clock::rfc3339;
use crate::domain::{Award, BadgeClass, Issuer};

use super::PublicUrls;

pub const CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// The issuer Profile.
pub fn issuer_profile(urls: &PublicUrls, issuer: &Issuer) -> Value {
    let Value::Object(mut obj) = json!({
        "@context": CONTEXT,
        "type": "Issuer",
        "id": urls.issuer(issuer.id),
        "name": issuer.name,
        "url": issuer.url,
        "email": issuer.email.as_str(),
    }) else {
        return Value::Null;
    };
    if let Some(d) = &issuer.description {
        obj.insert("description".into(), json!(d));
    }
    if issuer.image.is_some() {
        obj.insert("image".into(), json!(urls.issuer_image(issuer.id)));
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
    let Value::Object(mut obj) = json!({
        "@context": CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(award.id),
        "recipient": {
            "type": "email",
            "hashed": true,
            "salt": award.salt,
            "identity": award.recipient_identity(),
        },
        "badge": urls.badge_class(award.badge_class),
        "verification": {"type": "HostedBadge"},
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
