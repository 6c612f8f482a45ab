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
    /// A web page (HTML), with the JSON-LD document it names as its machine form, if any
    /// (`<link rel="alternate" type="application/ld+json" href="…">`): what a badge's public
    /// page usually is.
    Page(Option<String>),
}

impl Resolved {
    /// Where a JSON document was expected: a page is a document that cannot be had.
    pub fn page_as_unavailable(self, url: &str) -> Resolved {
        match self {
            Resolved::Page(_) => {
                Resolved::Unavailable(format!("{url} is a web page, not a JSON document"))
            }
            other => other,
        }
    }
}

/// The JSON-LD (or JSON) document an HTML page names as its alternate form, resolved against
/// the page's URL. A tolerant scan of `<link …>` tags: pages are not XML.
pub fn alternate_json_ld(html: &str, page_url: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("<link") {
        let start = from + i;
        let end = start + lower[start..].find('>')?;
        from = end;
        let tag = &html[start..end];
        let attr = |name: &str| attribute(tag, name);
        let rel = attr("rel").unwrap_or_default().to_ascii_lowercase();
        let kind = attr("type").unwrap_or_default().to_ascii_lowercase();
        if rel.split_whitespace().any(|r| r == "alternate")
            && matches!(kind.as_str(), "application/ld+json" | "application/json")
        {
            let href = attr("href")?;
            return url::Url::parse(page_url)
                .and_then(|base| base.join(&href))
                .ok()
                .map(|u| u.to_string());
        }
    }
    None
}

/// The value of attribute `name` in one tag (quoted with `"` or `'`), entities `&amp;` undone.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let rest = tag[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value = rest[1..].trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let inner = &value[1..];
        let close = inner.find(quote)?;
        return Some(inner[..close].replace("&amp;", "&"));
    }
    None
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_names_its_json_ld_form() {
        let page = r#"<html><head><link rel="stylesheet" href="/a.css">
            <LINK type='application/ld+json' rel="alternate" href="/assertions/42?a=1&amp;b=2">
            </head></html>"#;
        assert_eq!(
            alternate_json_ld(page, "https://badges.example/badges/42").as_deref(),
            Some("https://badges.example/assertions/42?a=1&b=2")
        );
        assert_eq!(
            alternate_json_ld(
                "<link rel=\"alternate\" type=\"text/html\" href=\"x\">",
                "https://a.example/"
            ),
            None
        );
        assert_eq!(alternate_json_ld("<p>no link", "https://a.example/"), None);
        assert_eq!(
            alternate_json_ld(
                "<link rel=\"alternate\" type=\"application/ld+json\"",
                "https://a.example/"
            ),
            None
        );
    }
}
