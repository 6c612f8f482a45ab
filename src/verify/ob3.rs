//! Open Badges 3.0: the credential JSON with its Data Integrity proof, and VC-JWTs.

use serde_json::{json, Value};

use super::resolve::{did_key_document, method_in};
use super::{identity_matches, time, Options, Report, Resolved, Resolver};
use crate::formats::contexts;
use crate::formats::ob3::status;
use crate::proof::di;

async fn resolve_doc(url: &str, resolver: &dyn Resolver) -> Resolved {
    let base = url.split('#').next().unwrap_or(url);
    if base.starts_with("did:key:") {
        return did_key_document(base)
            .map(Resolved::Json)
            .unwrap_or(Resolved::NotFound);
    }
    resolver.get(base).await.page_as_unavailable(base)
}

fn summary(c: &Value) -> Value {
    json!({
        "name": c["name"].as_str().or_else(|| c["credentialSubject"]["achievement"]["name"].as_str()),
        "issuer": c["issuer"]["name"].as_str(),
        "issuer_id": c["issuer"]["id"].as_str().or_else(|| c["issuer"].as_str()),
        "valid_from": c["validFrom"].as_str(),
        "valid_until": c["validUntil"].as_str(),
    })
}

/// Whether `id` names a document that could list the issuer's keys (a DID or an http(s) URL).
fn dereferenceable(id: &str) -> bool {
    id.starts_with("did:") || id.starts_with("https://") || id.starts_with("http://")
}

fn issuer_id(c: &Value) -> Option<&str> {
    c["issuer"]["id"].as_str().or_else(|| c["issuer"].as_str())
}

/// Whether a key set published at `key_url` speaks for the issuer `issuer`: both http(s) URLs
/// of the same origin (scheme, host and port).
fn same_origin(issuer: &str, key_url: &str) -> bool {
    match (url::Url::parse(issuer), url::Url::parse(key_url)) {
        (Ok(a), Ok(b)) => {
            matches!(a.scheme(), "http" | "https")
                && a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
        }
        _ => false,
    }
}

/// What an OB 3.0 credential is: an achievement (OpenBadgeCredential, also named
/// AchievementCredential) or an endorsement; each has its own official schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Achievement,
    Endorsement,
}

/// The official schema of `kind`, compiled once.
fn schema(kind: Kind) -> Option<&'static jsonschema::Validator> {
    type Compiled = std::sync::OnceLock<Option<jsonschema::Validator>>;
    static ACHIEVEMENT: Compiled = std::sync::OnceLock::new();
    static ENDORSEMENT: Compiled = std::sync::OnceLock::new();
    let (cell, text) = match kind {
        Kind::Achievement => (&ACHIEVEMENT, contexts::ACHIEVEMENT_CREDENTIAL_SCHEMA),
        Kind::Endorsement => (&ENDORSEMENT, contexts::ENDORSEMENT_CREDENTIAL_SCHEMA),
    };
    cell.get_or_init(|| {
        serde_json::from_str::<Value>(text)
            .ok()
            .and_then(|s| jsonschema::draft201909::new(&s).ok())
    })
    .as_ref()
}

/// The checks every form shares: shape, contexts, JSON Schema, dates, status, recipient.
async fn common(c: &Value, resolver: &dyn Resolver, options: &Options, report: &mut Report) {
    checks(c, resolver, options, report, false).await
}

/// The shared checks; `nested` for an embedded endorsement, whose own endorsements are not
/// followed and whose subject is not the recipient.
async fn checks(
    c: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    report: &mut Report,
    nested: bool,
) {
    report.credential = summary(c);
    let types: Vec<&str> = match &c["type"] {
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        Value::String(s) => vec![s.as_str()],
        _ => Vec::new(),
    };
    let kind = if types.contains(&"EndorsementCredential") {
        Kind::Endorsement
    } else {
        Kind::Achievement
    };
    let named = match kind {
        Kind::Endorsement => "an EndorsementCredential",
        Kind::Achievement => "an OpenBadgeCredential",
    };
    if types.contains(&"VerifiableCredential")
        && (kind == Kind::Endorsement
            || types.contains(&"OpenBadgeCredential")
            || types.contains(&"AchievementCredential"))
        && issuer_id(c).is_some()
        && c["credentialSubject"].is_object()
    {
        report.pass("structure", format!("{named} with issuer and subject"));
    } else {
        report.fail(
            "structure",
            "not an OpenBadgeCredential nor an EndorsementCredential with an issuer and a subject",
        );
    }
    let unknown: Vec<&str> = c["@context"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|u| contexts::context(u).is_none())
                .collect()
        })
        .unwrap_or_default();
    if unknown.is_empty() {
        report.pass("contexts", "every context is a known one");
    } else {
        report.fail(
            "contexts",
            format!("unknown contexts (never fetched): {}", unknown.join(", ")),
        );
    }
    let v1 = c["@context"][0] == "https://www.w3.org/2018/credentials/v1";
    if v1 {
        report.warn(
            "json-schema",
            "a VCDM 1.1 credential: the OB 3.0 schemas describe VCDM 2.0 ones; not checked",
        );
    }
    match if v1 { None } else { schema(kind) } {
        Some(validator) => {
            let doc = c.clone();
            let errors = options
                .compute(move || -> Vec<String> {
                    validator
                        .iter_errors(&doc)
                        .take(5)
                        .map(|e| format!("{} {e}", e.instance_path))
                        .collect()
                })
                .await
                .unwrap_or_else(|lost| vec![lost.to_string()]);
            if errors.is_empty() {
                report.pass(
                    "json-schema",
                    match kind {
                        Kind::Achievement => {
                            "valid against the OB 3.0 AchievementCredential schema"
                        }
                        Kind::Endorsement => {
                            "valid against the OB 3.0 EndorsementCredential schema"
                        }
                    },
                );
            } else {
                report.fail("json-schema", errors.join("; "));
            }
        }
        None if v1 => {}
        None => report.skip("json-schema", "the schema cannot be compiled"),
    }
    let from = if v1 {
        &c["issuanceDate"]
    } else {
        &c["validFrom"]
    };
    let until = if v1 {
        &c["expirationDate"]
    } else {
        &c["validUntil"]
    };
    match time(from) {
        Some(from) if from <= options.now => report.pass("valid-from", format!("issued {from}")),
        Some(from) => report.fail("valid-from", format!("not valid before {from}")),
        None => report.fail("valid-from", "no validFrom (issuanceDate in VCDM 1.1)"),
    }
    if let Some(until) = time(until) {
        if until > options.now {
            report.pass("expiry", format!("valid until {until}"));
        } else {
            report.fail("expiry", format!("expired on {until}"));
        }
    }
    issuer_schemas(c, resolver, options, report).await;
    status_check(c, resolver, options, report).await;
    if nested {
        return;
    }
    endorsements(c, resolver, options, report).await;
    if let Some(email) = &options.recipient_email {
        let ids = c["credentialSubject"]["identifier"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let matched = ids.iter().any(|i| {
            identity_matches(
                email,
                i["hashed"].as_bool().unwrap_or(false),
                i["salt"].as_str(),
                i["identityHash"].as_str().unwrap_or(""),
            )
        });
        if matched {
            report.pass("recipient", "the email matches the recipient");
        } else {
            report.fail("recipient", "the email does not match the recipient");
        }
    }
}

/// The schemas a credential names besides the official ones (`credentialSchema`), checked
/// when they can be had through the resolver; a schema that does not exist is a failed check,
/// one that cannot be reached is "could not check".
async fn issuer_schemas(
    c: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    report: &mut Report,
) {
    let entries = match &c["credentialSchema"] {
        Value::Array(list) => list.clone(),
        one @ Value::Object(_) => vec![one.clone()],
        _ => return,
    };
    let official = [
        contexts::ACHIEVEMENT_CREDENTIAL_SCHEMA_URL,
        contexts::ENDORSEMENT_CREDENTIAL_SCHEMA_URL,
    ];
    for entry in entries.iter().take(MAX_SCHEMAS) {
        let Some(id) = entry["id"].as_str().filter(|id| !official.contains(id)) else {
            continue;
        };
        if entry["type"] != "1EdTechJsonSchemaValidator2019" {
            report.warn(
                "json-schema",
                format!("the schema {id} is of type {}, not checked", entry["type"]),
            );
            continue;
        }
        let schema = match resolver.get(id).await {
            Resolved::Json(schema) => schema,
            Resolved::Unavailable(why) => {
                report.skip(
                    "json-schema",
                    format!("the schema {id} cannot be had: {why}"),
                );
                continue;
            }
            Resolved::NotFound | Resolved::Gone(_) => {
                report.fail("json-schema", format!("the schema {id} does not exist"));
                continue;
            }
            Resolved::Page(_) => {
                report.fail("json-schema", format!("{id} is a web page, not a schema"));
                continue;
            }
        };
        if let Some(what) = super::limits::exceeded(&schema) {
            report.skip(
                "json-schema",
                format!("the schema {id} is too large to check: {what}"),
            );
            continue;
        }
        // Compiled without any remote reference resolution (jsonschema's default features are
        // off): a schema that needs one cannot be checked here.
        let doc = c.clone();
        let outcome = options
            .compute(move || -> Result<Vec<String>, String> {
                let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
                Ok(validator
                    .iter_errors(&doc)
                    .take(5)
                    .map(|e| format!("{} {e}", e.instance_path))
                    .collect())
            })
            .await
            .map_err(|lost| lost.to_string())
            .and_then(|r| r);
        let errors = match outcome {
            Ok(errors) => errors,
            Err(e) => {
                report.skip(
                    "json-schema",
                    format!("the schema {id} cannot be compiled: {e}"),
                );
                continue;
            }
        };
        if errors.is_empty() {
            report.pass("json-schema", format!("valid against {id}"));
        } else {
            report.fail(
                "json-schema",
                format!("not valid against {id}: {}", errors.join("; ")),
            );
        }
    }
}

/// How many issuer schemas and embedded endorsements one credential may make the verifier
/// look at: a credential listing thousands must not turn one check into thousands of fetches.
const MAX_SCHEMAS: usize = 8;
const MAX_ENDORSEMENTS: usize = 16;

/// Endorsements embedded in the credential (of the credential, its issuer, its achievement,
/// the achievement's creator) are credentials too: each is verified, its proof and its own
/// checks, and reported as one check. Endorsements of endorsements are not followed.
async fn endorsements(c: &Value, resolver: &dyn Resolver, options: &Options, report: &mut Report) {
    let achievement = &c["credentialSubject"]["achievement"];
    let places = [
        &c["endorsement"],
        &c["issuer"]["endorsement"],
        &achievement["endorsement"],
        &achievement["creator"]["endorsement"],
    ];
    let found: Vec<&Value> = places
        .iter()
        .filter_map(|v| v.as_array())
        .flatten()
        .collect();
    if found.len() > MAX_ENDORSEMENTS {
        report.warn(
            "endorsement",
            format!(
                "{} endorsements: only the first {MAX_ENDORSEMENTS} are checked",
                found.len()
            ),
        );
    }
    let nested = Options {
        recipient_email: None,
        ..options.clone()
    };
    for e in found.into_iter().take(MAX_ENDORSEMENTS) {
        let by = e["issuer"]["name"]
            .as_str()
            .or_else(|| issuer_id(e))
            .unwrap_or("an unnamed issuer")
            .to_string();
        let mut inner = Report::default();
        proof(e, resolver, &nested, &mut inner).await;
        Box::pin(checks(e, resolver, &nested, &mut inner, true)).await;
        let first = |status| {
            inner
                .checks
                .iter()
                .find(|c| c.status == status)
                .map(|c| format!("{}: {}", c.name, c.message))
                .unwrap_or_default()
        };
        match inner.verdict() {
            super::Verdict::Valid => {
                report.pass("endorsement", format!("the endorsement by {by} verifies"))
            }
            super::Verdict::Invalid => report.fail(
                "endorsement",
                format!(
                    "the endorsement by {by} does not verify ({})",
                    first(super::Status::Failed)
                ),
            ),
            super::Verdict::Unknown | super::Verdict::NotABadge => report.skip(
                "endorsement",
                format!("the endorsement by {by}: {}", first(super::Status::Skipped)),
            ),
        }
    }
}

async fn status_check(c: &Value, resolver: &dyn Resolver, options: &Options, report: &mut Report) {
    let Some(entry) = c.get("credentialStatus") else {
        return;
    };
    if entry["type"] != "BitstringStatusListEntry" {
        report.warn(
            "status",
            format!("status of type {} not checked", entry["type"]),
        );
        return;
    }
    let (Some(url), Some(index)) = (
        entry["statusListCredential"].as_str(),
        entry["statusListIndex"]
            .as_str()
            .and_then(|i| i.parse::<i64>().ok()),
    ) else {
        report.fail("status", "a status entry without list or index");
        return;
    };
    let list = match resolver.get(url).await.page_as_unavailable(url) {
        Resolved::Json(list) => list,
        Resolved::Unavailable(why) => return report.skip("status", why),
        _ => return report.fail("status", format!("the status list {url} cannot be had: a list that cannot be read is never \"not revoked\"")),
    };
    if let Some(what) = super::limits::exceeded(&list) {
        return report.fail("status", format!("the status list holds {what}"));
    }
    // The list must itself be a genuine credential of the same issuer.
    let mut inner = Report::default();
    proof(&list, resolver, options, &mut inner).await;
    if issuer_id(&list) != issuer_id(c) {
        return report.fail("status", "the status list is not the issuer's");
    }
    match inner.verdict() {
        super::Verdict::Valid => {}
        // Its issuer's document out of reach: whether it is genuine is not known, nor the
        // credential's status.
        super::Verdict::Unknown => {
            return report.skip(
                "status",
                "the status list's signature cannot be checked against its issuer's key",
            )
        }
        _ => return report.fail("status", "the status list does not verify"),
    }
    let encoded = list["credentialSubject"]["encodedList"]
        .as_str()
        .map(str::to_string);
    let set = options
        .compute(move || encoded.and_then(|e| status::is_set(&e, index)))
        .await
        .unwrap_or(None);
    match set {
        Some(true) => report.fail("status", format!("revoked (bit {index} set)")),
        Some(false) => report.pass("status", "not revoked"),
        None => report.fail("status", "the status list cannot be decoded"),
    }
}

/// Why a key is not the issuer's, in words, when the signature may still be sound.
const INTEGRITY_ONLY: &str = "the signature can show that the content is intact, not who issued it";

/// The verification method `vm` as the document of its controller lists it, and whether that
/// controller is the issuer, reported as `key-owner`. `None` when there is no method to check
/// the signature with (reported).
///
/// The document must be the one `vm` names (its `id` is the URL or DID it was had from), list
/// the method under its own control, and, for a DID document, for `assertionMethod`. A key the
/// credential alone provides proves nothing about who made it.
async fn issuer_method(
    vm: &str,
    issuer: &str,
    resolver: &dyn Resolver,
    report: &mut Report,
) -> Option<Value> {
    let base = vm.split('#').next().unwrap_or(vm);
    let doc = match resolve_doc(vm, resolver).await {
        Resolved::Json(doc) => doc,
        Resolved::Unavailable(why) => {
            // `<controller>#z6Mk…` names a key its own id carries: the signature can be checked,
            // but only the controller's document could say the key is the issuer's.
            let multibase = vm.split_once('#').map(|(_, f)| f).unwrap_or_default();
            if !multibase.starts_with("z6Mk") || di::ed25519_from_multibase(multibase).is_none() {
                report.skip("proof", why);
                return None;
            }
            if base == issuer {
                report.skip(
                    "key-owner",
                    format!("the issuer's document {base} cannot be had ({why}); {INTEGRITY_ONLY}"),
                );
            } else {
                report.fail(
                    "key-owner",
                    format!(
                        "the key's controller {base} is not the issuer {issuer}; {INTEGRITY_ONLY}"
                    ),
                );
            }
            return Some(
                json!({"id": vm, "controller": base, "type": "Multikey", "publicKeyMultibase": multibase}),
            );
        }
        _ => {
            report.fail(
                "proof",
                format!("the verification method {vm} does not exist"),
            );
            return None;
        }
    };
    let Some(method) = method_in(&doc, vm).cloned() else {
        report.fail("proof", format!("{vm} is not in its controller's document"));
        return None;
    };
    controls(&doc, base, vm, &method, issuer, report);
    Some(method)
}

/// Reports `key-owner` for a method found in `doc`, fetched as `base`: the document speaks for
/// itself only, lists the method as its own (for assertions when it is a DID document), and
/// its subject is the issuer.
fn controls(doc: &Value, base: &str, vm: &str, method: &Value, issuer: &str, report: &mut Report) {
    let id = doc["id"].as_str().unwrap_or_default();
    if id != base {
        return report.fail(
            "key-owner",
            format!("the document at {base} is the document of {id:?}: it cannot speak for another; {INTEGRITY_ONLY}"),
        );
    }
    let controller = method["controller"].as_str().unwrap_or(id);
    if controller != id {
        return report.fail(
            "key-owner",
            format!("{vm} is controlled by {controller}, not by {id} whose document lists it; {INTEGRITY_ONLY}"),
        );
    }
    if id.starts_with("did:") {
        let listed = doc["assertionMethod"].as_array().is_some_and(|list| {
            list.iter().any(|m| {
                let named = m.as_str().or_else(|| m["id"].as_str()).unwrap_or_default();
                named == vm
                    || named == method["id"]
                    || (named.starts_with('#') && vm.ends_with(named))
            })
        });
        if !listed {
            return report.fail(
                "key-owner",
                format!("{id} does not list {vm} for assertions (assertionMethod)"),
            );
        }
    }
    if controller == issuer {
        report.pass("key-owner", "the key belongs to the issuer");
    } else if dereferenceable(issuer) {
        report.fail(
            "key-owner",
            format!(
                "the key's controller {controller} is not the issuer {issuer}; {INTEGRITY_ONLY}"
            ),
        );
    } else {
        // An issuer named by an identifier no document stands behind (`urn:uuid:…`) cannot
        // list its keys: nothing binds this key to it.
        report.fail(
            "key-owner",
            format!("the issuer is named {issuer}, an identifier no document stands behind: nothing binds the key of {controller} to it; {INTEGRITY_ONLY}"),
        );
    }
}

/// The embedded Data Integrity proof (eddsa-rdfc-2022, or the older eddsa-2022 and
/// Ed25519Signature2020 that sign the same canonical form); its key must belong to the issuer.
async fn proof(c: &Value, resolver: &dyn Resolver, options: &Options, report: &mut Report) {
    let proofs = match &c["proof"] {
        Value::Array(a) => a.clone(),
        Value::Object(_) => vec![c["proof"].clone()],
        _ => return report.fail("proof", "no proof"),
    };
    let supported = |p: &Value| p.as_object().and_then(di::suite_of);
    // The current suite first: a credential carrying both is checked by the one insigne signs.
    let Some((p, suite)) = proofs
        .iter()
        .filter_map(|p| supported(p).map(|suite| (p, suite)))
        .min_by_key(|(_, suite)| *suite != di::CRYPTOSUITE)
    else {
        return report.fail(
            "proof",
            "no proof insigne can check (eddsa-rdfc-2022, eddsa-2022 or Ed25519Signature2020)",
        );
    };
    // Every other proof must at least be data its contexts define (JSON-LD safe mode, as the
    // official validator checks it): a proof of an undefined type is a failed check. One of a
    // defined type insigne does not implement is named, not checked.
    for other in proofs.iter().filter(|o| supported(o).is_none()) {
        let kind = other["type"].as_str().unwrap_or("(no type)");
        let (Value::Object(doc), Value::Object(config)) = (c, other) else {
            return report.fail("proof", "a proof is not a JSON object");
        };
        let proof_config = di::proof_config(doc, config);
        let quads = options
            .compute(move || {
                crate::proof::canon::json_ld_quads(&proof_config)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|lost| lost.to_string())
            .and_then(|r| r);
        match quads {
            Ok(()) => report.warn(
                "proof",
                format!("a proof of type {kind} is not checked (insigne does not implement it)"),
            ),
            Err(e) => return report.fail("proof", format!("the proof of type {kind}: {e}")),
        }
    }
    if suite != di::CRYPTOSUITE {
        report.warn(
            "proof",
            format!("{suite} is an older proof suite; eddsa-rdfc-2022 replaces it"),
        );
    }
    let vm = p["verificationMethod"].as_str().unwrap_or_default();
    let issuer = issuer_id(c).unwrap_or_default();
    let Some(method) = issuer_method(vm, issuer, resolver, report).await else {
        return;
    };
    let Some(key) = method["publicKeyMultibase"]
        .as_str()
        .and_then(di::ed25519_from_multibase)
    else {
        return report.fail(
            "proof",
            "the verification method is not an Ed25519 Multikey (or its key is weak or malformed)",
        );
    };
    let mut single = c.clone();
    single["proof"] = p.clone();
    let checked = options
        .compute(move || di::verify(&single, &key).map_err(|e| e.to_string()))
        .await
        .map_err(|lost| lost.to_string())
        .and_then(|r| r);
    match checked {
        Ok(()) => report.pass("proof", format!("{suite} signature verified")),
        Err(e) => report.fail("proof", e.to_string()),
    }
}

/// The JWK a VC-JWT's `kid` names, with `key-owner` reported: a method of a DID or controller
/// document (as for Data Integrity proofs), or a key of a JWKS published on the issuer's own
/// origin.
async fn jwt_key(
    kid: &str,
    issuer: &str,
    resolver: &dyn Resolver,
    report: &mut Report,
) -> Option<Value> {
    let base = kid.split('#').next().unwrap_or(kid);
    let doc = match resolve_doc(kid, resolver).await {
        Resolved::Json(doc) => doc,
        Resolved::Unavailable(why) => {
            report.skip("jwt-signature", why);
            return None;
        }
        _ => {
            report.fail("jwt-signature", format!("the key {kid} does not exist"));
            return None;
        }
    };
    if doc["verificationMethod"].is_array() {
        let Some(method) = method_in(&doc, kid).cloned() else {
            report.fail(
                "jwt-signature",
                format!("{kid} is not in its controller's document"),
            );
            return None;
        };
        controls(&doc, base, kid, &method, issuer, report);
        return match &method["publicKeyJwk"] {
            jwk @ Value::Object(_) => Some(jwk.clone()),
            _ => {
                report.fail("jwt-signature", format!("{kid} has no publicKeyJwk"));
                None
            }
        };
    }
    let fragment = kid.rsplit('#').next().unwrap_or(kid);
    let Some(jwk) = doc["keys"].as_array().and_then(|keys| {
        keys.iter()
            .find(|k| k["kid"] == fragment || k["kid"] == kid)
            .cloned()
    }) else {
        report.fail("jwt-signature", format!("the key {kid} does not exist"));
        return None;
    };
    if same_origin(issuer, base) {
        report.pass(
            "key-owner",
            "the key set is published on the issuer's origin",
        );
    } else {
        report.fail(
            "key-owner",
            format!(
                "the key set {base} is not on the origin of the issuer {issuer}; {INTEGRITY_ONLY}"
            ),
        );
    }
    Some(jwk)
}

pub(super) async fn verify_json(
    c: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    report: &mut Report,
) {
    proof(c, resolver, options, report).await;
    common(c, resolver, options, report).await;
}

/// A JWS checked with `jwk` on the options' pool (RSA and EC arithmetic, key checks).
async fn verify_jws(jwt: &str, jwk: &Value, options: &Options) -> Result<(), String> {
    let (jwt, jwk) = (jwt.to_string(), jwk.clone());
    options
        .compute(move || {
            crate::proof::jws::verify_with_jwk(&jwt, &jwk)
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|lost| lost.to_string())
        .and_then(|r| r)
}

pub(super) async fn verify_jwt(
    jwt: &str,
    claims: &Value,
    resolver: &dyn Resolver,
    options: &Options,
    report: &mut Report,
) {
    let header = crate::proof::jws::unverified_header(jwt).unwrap_or(Value::Null);
    let alg = header["alg"].as_str().unwrap_or_default();
    if !matches!(alg, "RS256" | "ES256") {
        report.fail("jwt-alg", format!("{alg:?} is not RS256 or ES256"));
        return;
    }
    let credential = claims.get("vc").cloned().unwrap_or_else(|| claims.clone());
    let issuer = issuer_id(&credential).unwrap_or_default();
    let kid = header["kid"].as_str().unwrap_or_default();
    if kid.is_empty() {
        // A key in the header (`jwk`) is the forger's as much as the issuer's: its signature
        // shows integrity, never origin. `jku` and `x5u` are never followed.
        match header.get("jwk") {
            Some(jwk) => {
                match verify_jws(jwt, jwk, options).await {
                    Ok(_) => report.pass(
                        "jwt-signature",
                        format!("{alg} signature verified with the key in the token's header"),
                    ),
                    Err(e) => report.fail("jwt-signature", e.to_string()),
                }
                report.fail(
                    "key-owner",
                    format!("the key comes with the token itself, not from the issuer: {INTEGRITY_ONLY}"),
                );
            }
            None => report.fail("jwt-signature", "the token names no key (kid)"),
        }
    } else if let Some(jwk) = jwt_key(kid, issuer, resolver, report).await {
        match verify_jws(jwt, &jwk, options).await {
            Ok(_) => report.pass("jwt-signature", format!("{alg} signature verified")),
            Err(e) => report.fail("jwt-signature", e.to_string()),
        }
    }
    if claims["iss"].as_str() == issuer_id(&credential) && claims["jti"] == credential["id"] {
        report.pass("jwt-claims", "iss and jti match the credential");
    } else {
        report.fail("jwt-claims", "iss or jti do not match the credential");
    }
    common(&credential, resolver, options, report).await;
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn key_sets_speak_for_issuers_of_their_origin_only() {
        assert!(same_origin(
            "https://b.test/issuers/1",
            "https://b.test/.well-known/jwks.json"
        ));
        assert!(!same_origin(
            "https://b.test/issuers/1",
            "https://evil.test/.well-known/jwks.json"
        ));
        assert!(!same_origin(
            "https://b.test/issuers/1",
            "http://b.test/.well-known/jwks.json"
        ));
        assert!(!same_origin(
            "https://b.test:8443/i",
            "https://b.test/.well-known/jwks.json"
        ));
        assert!(!same_origin(
            "did:web:b.test",
            "https://b.test/.well-known/jwks.json"
        ));
    }
}
