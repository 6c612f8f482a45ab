//! Where a verifier gets the documents a badge names.

use std::future::Future;
use std::pin::Pin;

use serde_json::{json, Value};

/// The answer for one URL.
#[derive(Debug, Clone)]
pub enum Resolved {
    Json(Value),
    /// 410 Gone (a revoked OB 2.0 hosted assertion), with its body.
    Gone(Value),
    NotFound,
    /// Could not be had (not allowed, unreachable, not JSON): the check is unknown.
    Unavailable(String),
}

pub type ResolveFuture<'a> = Pin<Box<dyn Future<Output = Resolved> + Send + 'a>>;

pub trait Resolver: Send + Sync {
    /// The document at `url` (a DID, a DID URL, an http(s) URL).
    fn get<'a>(&'a self, url: &'a str) -> ResolveFuture<'a>;
}

/// The DID document of a `did:key` (Ed25519), computed: nothing to fetch.
pub fn did_key_document(did: &str) -> Option<Value> {
    let multibase = did.strip_prefix("did:key:")?;
    crate::proof::di::ed25519_from_multibase(multibase)?;
    let vm = format!("{did}#{multibase}");
    Some(json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": vm, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase}],
        "assertionMethod": [vm],
    }))
}

/// The verification method `vm` (`<doc id>#fragment`) in a DID or controller document.
/// A `vm` without fragment that names the document itself (a bare did:key) means its first
/// method.
pub fn method_in<'a>(doc: &'a Value, vm: &str) -> Option<&'a Value> {
    let methods = doc["verificationMethod"].as_array()?;
    if !vm.contains('#') && doc["id"] == vm {
        return methods.first();
    }
    let fragment = vm.split_once('#').map(|(_, f)| format!("#{f}"));
    methods
        .iter()
        .find(|m| m["id"] == vm || fragment.as_deref().is_some_and(|f| m["id"] == f))
}
