//! Open Badges 3.0 documents (VC Data Model 2.0): the OpenBadgeCredential of an award, the
//! issuer's DID document and its BitstringStatusListCredential. Unsigned here; `proof` signs.
//!
//! Shapes chosen so that every implementation's canonical form is the same, and fast: no JSON
//! numbers at all (the status index is a string), and repeated sub-objects (alignments) carry
//! ids, so that no two blank nodes look alike.

pub mod identity;
pub mod status;
#[cfg(test)]
mod tests;

use serde_json::{json, Map, Value};

use super::ob2::anchor;
use super::PublicUrls;
use crate::domain::clock::rfc3339;
use crate::domain::{Award, BadgeClass, Issuer};
use crate::formats::contexts::{
    ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, CREDENTIALS_V2, ENDORSEMENT_CREDENTIAL_SCHEMA_URL, OB_V3P0,
    OB_V3P0_EXTENSIONS,
};

/// The `@context` of every credential: VC 2.0, OB 3.0.3, and the 1EdTech extensions (needed
/// because `credentialSchema` uses `1EdTechJsonSchemaValidator2019`; without it JSON-LD safe
/// mode fails).
pub fn credential_context() -> Value {
    json!([CREDENTIALS_V2, OB_V3P0, OB_V3P0_EXTENSIONS])
}

/// Where an award's status lives in its issuer's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    pub list_url: String,
    pub index: i64,
}

/// The issuer Profile embedded in credentials.
pub fn issuer_profile(urls: &PublicUrls, issuer: &Issuer, did: &str) -> Value {
    let mut p = Map::new();
    p.insert("id".into(), json!(did));
    p.insert("type".into(), json!(["Profile"]));
    p.insert("name".into(), json!(issuer.name));
    p.insert("url".into(), json!(issuer.url));
    p.insert("email".into(), json!(issuer.email.as_str()));
    if let Some(d) = &issuer.description {
        p.insert("description".into(), json!(d));
    }
    if issuer.image.is_some() {
        p.insert(
            "image".into(),
            json!({"id": urls.issuer_image(issuer.id), "type": "Image"}),
        );
    }
    Value::Object(p)
}

/// The Achievement of a badge class: criteria, image, alignments to competencies.
pub fn achievement(urls: &PublicUrls, class: &BadgeClass) -> Value {
    let class_url = urls.badge_class(class.id);
    let mut criteria = Map::new();
    if let Some(u) = &class.criteria.url {
        criteria.insert("id".into(), json!(u));
    }
    if let Some(n) = &class.criteria.narrative {
        criteria.insert("narrative".into(), json!(n));
    }
    let mut a = Map::new();
    a.insert("id".into(), json!(class_url));
    a.insert("type".into(), json!(["Achievement"]));
    a.insert("achievementType".into(), json!("Badge"));
    a.insert("name".into(), json!(class.name));
    a.insert("description".into(), json!(class.description));
    a.insert("criteria".into(), Value::Object(criteria));
    a.insert(
        "image".into(),
        json!({"id": urls.badge_class_image(class.id), "type": "Image"}),
    );
    if !class.alignments.is_empty() {
        let alignments: Vec<Value> = class
            .alignments
            .iter()
            .enumerate()
            .map(|(i, al)| {
                let target_url = al
                    .url
                    .clone()
                    .unwrap_or_else(|| format!("{class_url}#competence-{}", anchor(&al.code)));
                json!({
                    "id": format!("{class_url}#alignment-{}", i + 1),
                    "type": ["Alignment"],
                    "targetName": al.name,
                    "targetUrl": target_url,
                    "targetFramework": al.framework,
                    "targetCode": al.code,
                })
            })
            .collect();
        a.insert("alignment".into(), Value::Array(alignments));
    }
    if !class.tags.is_empty() {
        a.insert("tag".into(), json!(class.tags));
    }
    Value::Object(a)
}

/// The unsigned OpenBadgeCredential of an award; `endorsements` are the signed
/// EndorsementCredentials of its badge class, embedded in its achievement.
pub fn credential(
    urls: &PublicUrls,
    award: &Award,
    class: &BadgeClass,
    issuer: &Issuer,
    did: &str,
    status: &StatusEntry,
    endorsements: &[Value],
) -> Value {
    let mut subject = Map::new();
    subject.insert("type".into(), json!(["AchievementSubject"]));
    subject.insert(
        "identifier".into(),
        json!([{
            "type": "IdentityObject",
            "identityType": "emailAddress",
            "hashed": true,
            "salt": award.salt,
            "identityHash": award.recipient_identity(),
        }]),
    );
    let mut achievement = achievement(urls, class);
    if let (Some(a), false) = (achievement.as_object_mut(), endorsements.is_empty()) {
        a.insert("endorsement".into(), Value::Array(endorsements.to_vec()));
    }
    subject.insert("achievement".into(), achievement);

    let mut c = Map::new();
    c.insert("@context".into(), credential_context());
    c.insert("id".into(), json!(urls.credential(award.id)));
    c.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential"]),
    );
    c.insert("name".into(), json!(class.name));
    c.insert("issuer".into(), issuer_profile(urls, issuer, did));
    c.insert("validFrom".into(), json!(rfc3339(award.issued_on)));
    if let Some(until) = award.expires {
        c.insert("validUntil".into(), json!(rfc3339(until)));
    }
    c.insert("credentialSubject".into(), Value::Object(subject));
    if !award.evidence.is_empty() || award.narrative.is_some() {
        let mut evidence: Vec<Value> = Vec::new();
        if let Some(n) = &award.narrative {
            evidence.push(json!({"id": format!("{}#narrative", urls.credential(award.id)), "type": ["Evidence"], "narrative": n}));
        }
        for (i, e) in award.evidence.iter().enumerate() {
            let mut m = Map::new();
            m.insert(
                "id".into(),
                json!(e.url.clone().unwrap_or_else(|| format!(
                    "{}#evidence-{}",
                    urls.credential(award.id),
                    i + 1
                ))),
            );
            m.insert("type".into(), json!(["Evidence"]));
            for (k, v) in [
                ("name", &e.name),
                ("description", &e.description),
                ("narrative", &e.narrative),
                ("genre", &e.genre),
            ] {
                if let Some(v) = v {
                    m.insert(k.into(), json!(v));
                }
            }
            evidence.push(Value::Object(m));
        }
        c.insert("evidence".into(), Value::Array(evidence));
    }
    c.insert(
        "credentialSchema".into(),
        json!([{"id": ACHIEVEMENT_CREDENTIAL_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]),
    );
    c.insert(
        "credentialStatus".into(),
        json!({
            "id": format!("{}#{}", status.list_url, status.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": status.index.to_string(),
            "statusListCredential": status.list_url,
        }),
    );
    Value::Object(c)
}

/// What an endorsement says, and of what.
pub struct EndorsementClaim<'a> {
    /// The endorsement's URL (its id).
    pub id: &'a str,
    /// What it endorses: the badge class's URL (the achievement's id) or the award's
    /// credential URL.
    pub subject: &'a str,
    /// Its name, e.g. « Endossement du badge … ».
    pub name: &'a str,
    pub comment: &'a str,
    pub issued: chrono::DateTime<chrono::Utc>,
}

/// The unsigned OB 3.0 EndorsementCredential of `claim`, issued by `issuer`.
pub fn endorsement_credential(
    urls: &PublicUrls,
    claim: &EndorsementClaim<'_>,
    issuer: &Issuer,
    did: &str,
    status: &StatusEntry,
) -> Value {
    json!({
        "@context": credential_context(),
        "id": claim.id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": claim.name,
        "issuer": issuer_profile(urls, issuer, did),
        "validFrom": rfc3339(claim.issued),
        "credentialSubject": {
            "id": claim.subject,
            "type": ["EndorsementSubject"],
            "endorsementComment": claim.comment,
        },
        "credentialSchema": [{"id": ENDORSEMENT_CREDENTIAL_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}],
        "credentialStatus": {
            "id": format!("{}#{}", status.list_url, status.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": status.index.to_string(),
            "statusListCredential": status.list_url,
        },
    })
}

/// Turns the credential of an award into one issued to `holder`, a DID: its own `id`, and the
/// holder as the subject's `id` (the hashed email stays, so that the recipient still checks).
pub fn issue_to_holder(credential: &mut Value, id: &str, holder: &str) {
    credential["id"] = json!(id);
    if let Value::Object(subject) = &mut credential["credentialSubject"] {
        subject.insert("id".into(), json!(holder));
    }
}

/// The VC-JWT claims: the credential (without embedded proof) plus `iss`, `jti`, `nbf`, and
/// `exp` when it expires (`sub` only when the subject has an id, which insigne's never do: the
/// recipient is a hashed email).
pub fn jwt_claims(credential: &Value) -> Value {
    let mut claims = credential.clone();
    if let Value::Object(m) = &mut claims {
        m.remove("proof");
        let iss = credential["issuer"]["id"].clone();
        m.insert("iss".into(), iss);
        m.insert("jti".into(), credential["id"].clone());
        if let Some(nbf) = timestamp(&credential["validFrom"]) {
            m.insert("nbf".into(), json!(nbf));
        }
        if let Some(exp) = timestamp(&credential["validUntil"]) {
            m.insert("exp".into(), json!(exp));
        }
        if let Some(sub) = credential["credentialSubject"]["id"].as_str() {
            m.insert("sub".into(), json!(sub));
        }
    }
    claims
}

fn timestamp(v: &Value) -> Option<i64> {
    v.as_str()
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.timestamp())
}
