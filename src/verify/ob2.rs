//! Open Badges 2.0: signed assertions (RS256 JWS) and hosted assertions.

use serde_json::{json, Value};

use super::{identity_matches, time, Options, Report, Resolved, Resolver};

async fn fetch(
    url: &str,
    what: &str,
    resolver: &dyn Resolver,
    report: &mut Report,
) -> Option<Value> {
    match resolver.get(url).await {
        Resolved::Json(doc) => Some(doc),
        Resolved::Unavailable(why) => {
            report.skip(what, why);
            None
        }
        Resolved::Gone(_) | Resolved::NotFound => {
            report.fail(what, format!("{url} does not exist"));
            None
        }
    }
}

/// Dates and recipient, for both forms.
fn assertion_checks(a: &Value, options: &Options, report: &mut Report) {
    match time(&a["issuedOn"]) {
        Some(t) if t <= options.now => report.pass("issued-on", format!("issued {t}")),
        Some(t) => report.fail("issued-on", format!("issued in the future ({t})")),
        None => report.fail("issued-on", "no issuedOn date"),
    }
    if let Some(exp) = time(&a["expires"]) {
        if exp > options.now {
            report.pass("expiry", format!("valid until {exp}"));
        } else {
            report.fail("expiry", format!("expired on {exp}"));
        }
    }
    if let Some(email) = &options.recipient_email {
        let r = &a["recipient"];
        if identity_matches(
            email,
            r["hashed"].as_bool().unwrap_or(false),
            r["salt"].as_str(),
            r["identity"].as_str().unwrap_or(""),
        ) {
            report.pass("recipient", "the email matches the recipient");
        } else {
            report.fail("recipient", "the email does not match the recipient");
        }
    }
}

async fn badge_and_issuer(
    a: &Value,
    resolver: &dyn Resolver,
    report: &mut Report,
) -> Option<(Value, Value)> {
    let badge = match &a["badge"] {
        Value::String(url) => fetch(url, "badge-class", resolver, report).await?,
        Value::Object(_) => a["badge"].clone(),
        _ => {
            report.fail("badge-class", "no badge");
            return None;
        }
    };
    let issuer = match &badge["issuer"] {
        Value::String(url) => fetch(url, "issuer", resolver, report).await?,
        Value::Object(_) => badge["issuer"].clone(),
        _ => {
            report.fail("issuer", "the badge class names no issuer");
            return None;
        }
    };
    report.credential = json!({
        "name": badge["name"], "issuer": issuer["name"], "issuer_id": issuer["id"],
        "issued_on": a["issuedOn"], "expires": a["expires"],
    });
    Some((badge, issuer))
}

pub(super) async fn verify_signed(
    jws: &str,
    a: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    report: &mut Report,
) {
    let Some(creator) = a["verification"]["creator"].as_str() else {
        report.fail("signature", "verification.creator names no key");
        return;
    };
    let Some(key) = fetch(creator, "signature", resolver, report).await else {
        return;
    };
    match key["publicKeyPem"]
        .as_str()
        .map(|pem| crate::proof::jws::verify_rs256_pem(jws, pem))
    {
        Some(Ok(_)) => report.pass("signature", "RS256 signature verified"),
        Some(Err(e)) => report.fail("signature", e.to_string()),
        None => report.fail("signature", "the key document has no publicKeyPem"),
    }
    let Some((_, issuer)) = badge_and_issuer(a, resolver, report).await else {
        return;
    };
    let listed = match &issuer["publicKey"] {
        Value::String(k) => k == creator,
        Value::Array(list) => list.iter().any(|k| k == creator),
        _ => false,
    };
    if listed && key["owner"] == issuer["id"] {
        report.pass("key-owner", "the key is the issuer's");
    } else {
        report.fail("key-owner", "the signing key is not declared by the issuer");
    }
    if let Some(list_url) = issuer["revocationList"].as_str() {
        if let Some(list) = fetch(list_url, "revocation", resolver, report).await {
            let id = a["id"].as_str().unwrap_or_default();
            let revoked = list["revokedAssertions"].as_array().and_then(|l| {
                l.iter()
                    .find(|e| e == &&json!(id) || e["id"] == id)
                    .cloned()
            });
            match revoked {
                Some(e) => report.fail(
                    "revocation",
                    format!(
                        "revoked: {}",
                        e["revocationReason"].as_str().unwrap_or("no reason given")
                    ),
                ),
                None => report.pass("revocation", "not in the issuer's revocation list"),
            }
        }
    }
    assertion_checks(a, options, report);
}

pub(super) async fn verify_hosted(
    a: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    report: &mut Report,
) {
    let Some(id) = a["id"].as_str() else {
        report.fail("hosted", "the assertion has no id");
        return;
    };
    match resolver.get(id).await {
        Resolved::Json(hosted) if &hosted == a => {
            report.pass("hosted", "the assertion at its id is this one")
        }
        Resolved::Json(_) => report.fail("hosted", "the assertion at its id differs from this one"),
        Resolved::Gone(body) => report.fail(
            "revocation",
            format!(
                "revoked: {}",
                body["revocationReason"]
                    .as_str()
                    .unwrap_or("no reason given")
            ),
        ),
        Resolved::NotFound => report.fail("hosted", format!("{id} does not exist")),
        Resolved::Unavailable(why) => report.skip("hosted", why),
    }
    let _ = badge_and_issuer(a, resolver, report).await;
    assertion_checks(a, options, report);
}
