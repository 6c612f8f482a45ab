//! Open Badges 2.0: signed assertions (RS256 JWS) and hosted assertions.

use serde_json::{json, Value};

use super::{identity_matches, time, Options, Report, Resolved, Resolver};

const OB2_CONTEXT: &str = "https://w3id.org/openbadges/v2";

/// Whether `doc` declares the OB 2.0 context, alone or in a list.
fn has_context(doc: &Value) -> bool {
    match &doc["@context"] {
        Value::String(c) => c == OB2_CONTEXT,
        Value::Array(list) => list.iter().any(|c| c == OB2_CONTEXT),
        _ => false,
    }
}

/// Whether `doc`'s type is one of `wanted`, given alone (a string or a one-element list).
fn typed(doc: &Value, wanted: &[&str]) -> bool {
    let one = match &doc["type"] {
        Value::Array(list) if list.len() == 1 => &list[0],
        other => other,
    };
    one.as_str().is_some_and(|t| wanted.contains(&t))
}

fn http_url(v: &Value) -> bool {
    v.as_str()
        .and_then(|s| url::Url::parse(s).ok())
        .is_some_and(|u| matches!(u.scheme(), "http" | "https"))
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Passes `what` when `problems` is empty, else fails it naming each.
fn conclude(report: &mut Report, what: &str, ok: &str, problems: Vec<String>) {
    if problems.is_empty() {
        report.pass(what, ok);
    } else {
        report.fail(what, problems.join("; "));
    }
}

/// The Assertion's required fields (OB 2.0 §Assertion), for `verification_type` (hosted or
/// signed).
fn assertion_structure(a: &Value, signed: bool, report: &mut Report) {
    let mut problems = Vec::new();
    if !has_context(a) {
        problems.push(format!(
            "@context: not the Open Badges 2.0 context ({OB2_CONTEXT})"
        ));
    }
    if !typed(a, &["Assertion"]) {
        problems.push(format!("type: {} is not \"Assertion\"", a["type"]));
    }
    if !a["id"].is_string() {
        problems.push("id: missing".into());
    }
    let r = &a["recipient"];
    match (
        r["identity"].as_str(),
        r["type"].as_str(),
        r["hashed"].as_bool(),
    ) {
        (Some(identity), Some(kind), Some(hashed)) => {
            let looks_hashed = identity.starts_with("sha256$") || identity.starts_with("md5$");
            if hashed && !looks_hashed {
                problems
                    .push("recipient: hashed, but the identity is not sha256$… or md5$…".into());
            } else if !hashed && looks_hashed {
                problems.push("recipient: hashed is false, but the identity is a hash".into());
            } else if !hashed && kind == "email" && !identity.contains('@') {
                problems.push("recipient: the identity is not an email address".into());
            }
        }
        _ => problems.push("recipient: missing, or without identity, type and hashed".into()),
    }
    let v = &a["verification"];
    let hosted = typed(v, &["hosted", "HostedBadge"]);
    let signed_type = typed(v, &["signed", "SignedBadge"]);
    if !v.is_object() {
        problems.push("verification: missing".into());
    } else if !hosted && !signed_type {
        problems.push(format!(
            "verification: type {} is neither HostedBadge nor SignedBadge",
            v["type"]
        ));
    } else if signed != signed_type {
        problems.push(format!(
            "verification: type {} does not match the badge's form",
            v["type"]
        ));
    }
    if !(http_url(&a["badge"]) || a["badge"].is_object()) {
        problems.push(format!(
            "badge: {} is neither a badge class nor its http(s) URL",
            a["badge"]
        ));
    }
    conclude(
        report,
        "assertion",
        "an Assertion with its required fields",
        problems,
    );
}

fn badge_class_structure(b: &Value, report: &mut Report) {
    let mut problems = Vec::new();
    if !typed(b, &["BadgeClass"]) {
        problems.push(format!("type: {} is not \"BadgeClass\"", b["type"]));
    }
    for field in ["name", "description"] {
        if !b[field].is_string() {
            problems.push(format!("{field}: missing"));
        }
    }
    if !(b["image"].is_string() || b["image"]["id"].is_string()) {
        problems.push("image: missing".into());
    }
    if !(b["criteria"].is_string() || b["criteria"].is_object()) {
        problems.push("criteria: missing".into());
    }
    conclude(
        report,
        "badge-class",
        "a BadgeClass with its required fields",
        problems,
    );
}

fn issuer_structure(i: &Value, report: &mut Report) {
    let mut problems = Vec::new();
    if !typed(i, &["Issuer", "Profile"]) {
        problems.push(format!(
            "type: {} is not \"Profile\" (or \"Issuer\")",
            i["type"]
        ));
    }
    if !http_url(&i["id"]) {
        problems.push("id: not an http(s) URL".into());
    }
    for field in ["name", "url", "email"] {
        if !i[field].is_string() {
            problems.push(format!("{field}: missing"));
        }
    }
    conclude(
        report,
        "issuer",
        "an issuer Profile with its required fields",
        problems,
    );
}

/// The issuer's verification policy (OB 2.0 VerificationObject): `target` (the hosted
/// assertion's id, or the signing key's) must start with one of its `startsWith` and be on one
/// of its `allowedOrigins` hosts; an issuer that sets no policy allows its own host only.
fn verification_policy(target: &str, issuer: &Value, report: &mut Report) {
    let policy = &issuer["verification"];
    let issuer_host = issuer["id"]
        .as_str()
        .and_then(|i| url::Url::parse(i).ok())
        .and_then(|u| u.host_str().map(str::to_string));
    let (origins, starts): (Vec<String>, Vec<&str>) = if policy.is_object() {
        (
            strings(&policy["allowedOrigins"])
                .into_iter()
                .map(str::to_string)
                .collect(),
            strings(&policy["startsWith"]),
        )
    } else {
        (issuer_host.into_iter().collect(), Vec::new())
    };
    let host = url::Url::parse(target)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    if !starts.is_empty() && !starts.iter().any(|s| target.starts_with(s)) {
        report.fail(
            "verification-policy",
            format!(
                "{target} does not begin with the issuer's startsWith ({})",
                starts.join(", ")
            ),
        );
    } else if !origins.is_empty() && !host.is_some_and(|h| origins.contains(&h)) {
        report.fail(
            "verification-policy",
            format!(
                "{target} is not on the issuer's allowedOrigins ({})",
                origins.join(", ")
            ),
        );
    } else {
        report.pass(
            "verification-policy",
            "within the issuer's verification policy",
        );
    }
}

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
        Resolved::Page(_) => {
            report.skip(what, format!("{url} is a web page, not a JSON document"));
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
        Value::String(url) if http_url(&a["badge"]) => {
            fetch(url, "badge-class", resolver, report).await?
        }
        Value::Object(_) => a["badge"].clone(),
        _ => return None, // named by the assertion check
    };
    badge_class_structure(&badge, report);
    let issuer = match &badge["issuer"] {
        Value::String(url) if http_url(&badge["issuer"]) => {
            fetch(url, "issuer", resolver, report).await?
        }
        Value::Object(_) => badge["issuer"].clone(),
        _ => {
            report.fail(
                "issuer",
                "the badge class names no issuer by an http(s) URL",
            );
            return None;
        }
    };
    issuer_structure(&issuer, report);
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
    assertion_structure(a, true, report);
    let Some(creator) = a["verification"]["creator"].as_str() else {
        report.fail("signature", "verification.creator names no key");
        return;
    };
    let Some(key) = fetch(creator, "signature", resolver, report).await else {
        return;
    };
    match key["publicKeyPem"].as_str().map(str::to_string) {
        Some(pem) => {
            let jws = jws.to_string();
            let checked = options
                .compute(move || crate::proof::jws::verify_rs256_pem(&jws, &pem))
                .await;
            match checked {
                Ok(Ok(_)) => report.pass("signature", "RS256 signature verified"),
                Ok(Err(e)) => report.fail("signature", e.to_string()),
                Err(lost) => report.skip("signature", lost.to_string()),
            }
        }
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
    verification_policy(creator, &issuer, report);
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
    assertion_structure(a, false, report);
    let Some(id) = a["id"].as_str() else {
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
        Resolved::Page(_) => {
            report.fail("hosted", format!("{id} is a web page, not the assertion"))
        }
    }
    if let Some((_, issuer)) = badge_and_issuer(a, resolver, report).await {
        verification_policy(id, &issuer, report);
    }
    assertion_checks(a, options, report);
}
