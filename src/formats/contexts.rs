//! The JSON-LD contexts insigne knows, compiled in from `schemas/contexts/` (vendored verbatim;
//! see `schemas/README.md`). A URL not listed here is never fetched: loading it is an error.

/// (URL, document) of every known context.
pub const CONTEXTS: &[(&str, &str)] = &[
    (
        CREDENTIALS_V2,
        include_str!("../../schemas/contexts/credentials-v2.jsonld"),
    ),
    (
        "https://www.w3.org/2018/credentials/v1",
        include_str!("../../schemas/contexts/credentials-v1.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/undefined-terms/v2",
        include_str!("../../schemas/contexts/credentials-undefined-terms-v2.jsonld"),
    ),
    (
        OB_V3P0,
        include_str!("../../schemas/contexts/ob-v3p0-context-3.0.3.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
        include_str!("../../schemas/contexts/ob-v3p0-context-3.0.2.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        include_str!("../../schemas/contexts/ob-v3p0-context-3.0.1.json"),
    ),
    (
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        include_str!("../../schemas/contexts/ob-v3p0-context.json"),
    ),
    (
        OB_V3P0_EXTENSIONS,
        include_str!("../../schemas/contexts/ob-v3p0-extensions.json"),
    ),
    (
        "https://w3id.org/security/data-integrity/v1",
        include_str!("../../schemas/contexts/data-integrity-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/data-integrity/v2",
        include_str!("../../schemas/contexts/data-integrity-v2.jsonld"),
    ),
    (
        MULTIKEY_V1,
        include_str!("../../schemas/contexts/multikey-v1.jsonld"),
    ),
    (DID_V1, include_str!("../../schemas/contexts/did-v1.jsonld")),
    (
        "https://w3id.org/security/suites/ed25519-2020/v1",
        include_str!("../../schemas/contexts/ed25519-signature-2020-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/v1",
        include_str!("../../schemas/contexts/security-v1.jsonld"),
    ),
    (
        "https://w3id.org/security/v2",
        include_str!("../../schemas/contexts/security-v2.jsonld"),
    ),
    (
        "https://www.w3.org/ns/credentials/status/v1",
        include_str!("../../schemas/contexts/bitstring-status-list-v1.jsonld"),
    ),
    (
        "https://w3id.org/openbadges/v2",
        include_str!("../../schemas/contexts/ob2/v2.json"),
    ),
];

pub const CREDENTIALS_V2: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_V3P0: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
pub const OB_V3P0_EXTENSIONS: &str = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json";
pub const MULTIKEY_V1: &str = "https://w3id.org/security/multikey/v1";
pub const DID_V1: &str = "https://www.w3.org/ns/did/v1";

/// The vendored context published at `url`.
pub fn context(url: &str) -> Option<&'static str> {
    CONTEXTS
        .iter()
        .find(|(u, _)| *u == url)
        .map(|(_, doc)| *doc)
}

/// The official JSON Schema of OB 3.0 achievement credentials (`credentialSchema`).
pub const ACHIEVEMENT_CREDENTIAL_SCHEMA_URL: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json";
pub const ACHIEVEMENT_CREDENTIAL_SCHEMA: &str =
    include_str!("../../schemas/json/ob_v3p0_achievementcredential_schema.json");
/// The official JSON Schema of OB 3.0 endorsement credentials.
pub const ENDORSEMENT_CREDENTIAL_SCHEMA_URL: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json";
pub const ENDORSEMENT_CREDENTIAL_SCHEMA: &str =
    include_str!("../../schemas/json/ob_v3p0_endorsementcredential_schema.json");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_context_is_json_and_found_by_its_url() {
        for (url, doc) in CONTEXTS {
            let v: serde_json::Value =
                serde_json::from_str(doc).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert!(v.get("@context").is_some(), "{url}");
            assert_eq!(context(url), Some(*doc));
        }
        assert!(context("https://example.org/unknown").is_none());
        let schema: serde_json::Value =
            serde_json::from_str(ACHIEVEMENT_CREDENTIAL_SCHEMA).expect("schema");
        assert_eq!(schema["$id"], ACHIEVEMENT_CREDENTIAL_SCHEMA_URL);
        let schema: serde_json::Value =
            serde_json::from_str(ENDORSEMENT_CREDENTIAL_SCHEMA).expect("schema");
        assert_eq!(schema["$id"], ENDORSEMENT_CREDENTIAL_SCHEMA_URL);
    }
}
