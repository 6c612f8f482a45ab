//! JSON-LD → RDF → RDFC-1.0 canonical N-Quads, the input of every Data Integrity hash.
//!
//! insigne's own credentials and status lists map to RDF through the compiled table
//! (`compiled.rs`); any other document goes through general JSON-LD processing (oxjsonld, with
//! the vendored contexts only, in safe mode). Either way the quads are canonicalised by
//! insigne's RDFC-1.0 (`rdfc.rs`), bounded against graphs built to explode.
//!
//! The reference path, oxjsonld + rdf-canon (checked to reproduce the 1EdTech test vector and
//! jsonld.js byte for byte), stays in the tests as the oracle: `reference_nquads`.

use serde_json::Value;

use super::rdfc;
use crate::formats::contexts;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    #[error("the document uses the context {0}, which insigne does not know (it never fetches contexts)")]
    UnknownContext(String),
    #[error("JSON-LD: {0}")]
    JsonLd(String),
    #[error("{0}")]
    Unsafe(String),
    #[error("canonicalisation: {0}")]
    Canonicalization(String),
}

/// The RDFC-1.0 canonical N-Quads of a JSON-LD document: through the compiled mapping for
/// insigne's own credentials, through JSON-LD processing for anything else.
pub fn canonical_nquads(document: &Value) -> Result<String, CanonError> {
    let quads = match super::compiled::quads(document) {
        Some(quads) => quads,
        None => json_ld_quads(document)?,
    };
    rdfc::canonicalize(&quads).map_err(|e| CanonError::Canonicalization(e.to_string()))
}

/// Where JSON-LD would silently drop data, the safe-mode run sends it instead: an undefined term
/// or a relative type expands against this vocabulary, a relative `@id` against this base. The
/// `.invalid` top-level domain is reserved, so no real document names it.
const SENTINEL_HOST: &str = "https://insigne.invalid/";
const SENTINEL_VOCAB: &str = "https://insigne.invalid/undefined#";
const SENTINEL_BASE: &str = "https://insigne.invalid/relative/";

/// The RDF of any JSON-LD document through general JSON-LD processing (oxjsonld), in JSON-LD
/// safe mode: a document with data its contexts do not map to RDF is refused.
///
/// Stock JSON-LD drops a property whose term no context defines, and a node or type whose IRI
/// is relative; jsonld.js in safe mode (what the Data Integrity libraries use) refuses such a
/// document, because the dropped data would be shown to a reader but not covered by the
/// signature. oxjsonld has no safe mode, so the document is expanded with a sentinel
/// vocabulary and base placed *before* its own contexts: a context that defines `@vocab`
/// overrides the sentinel (as it overrides "undefined"), and anything that still reaches a
/// sentinel IRI is exactly what would have been dropped. When nothing does, the quads are the
/// ones plain expansion gives.
pub fn json_ld_quads(document: &Value) -> Result<Vec<oxrdf::Quad>, CanonError> {
    let mut guarded = document.clone();
    if let Value::Object(map) = &mut guarded {
        let sentinel = serde_json::json!({ "@vocab": SENTINEL_VOCAB });
        let contexts = match map.remove("@context") {
            None => vec![sentinel],
            Some(Value::Array(list)) => std::iter::once(sentinel).chain(list).collect(),
            Some(one) => vec![sentinel, one],
        };
        map.insert("@context".into(), Value::Array(contexts));
    }
    let bytes = serde_json::to_vec(&guarded).map_err(|e| CanonError::JsonLd(e.to_string()))?;
    let parser = oxjsonld::JsonLdParser::new()
        .with_base_iri(SENTINEL_BASE)
        .map_err(|e| CanonError::JsonLd(e.to_string()))?
        .for_slice(&bytes)
        .with_load_document_callback(|url, _options| match contexts::context(url) {
            Some(doc) => Ok(oxjsonld::JsonLdRemoteDocument {
                document: doc.as_bytes().to_vec(),
                document_url: url.to_string(),
            }),
            None => Err(Box::new(CanonError::UnknownContext(url.to_string()))),
        });
    let mut quads = Vec::new();
    for quad in parser {
        let quad = quad.map_err(|e| CanonError::JsonLd(e.to_string()))?;
        refuse_dropped_data(&quad)?;
        quads.push(quad);
    }
    Ok(quads)
}

/// Fails when a quad carries a sentinel IRI: the data that stock JSON-LD would have dropped.
fn refuse_dropped_data(quad: &oxrdf::Quad) -> Result<(), CanonError> {
    let mut iris = vec![quad.predicate.as_str()];
    if let oxrdf::NamedOrBlankNode::NamedNode(n) = &quad.subject {
        iris.push(n.as_str());
    }
    match &quad.object {
        oxrdf::Term::NamedNode(n) => iris.push(n.as_str()),
        oxrdf::Term::Literal(l) => iris.push(l.datatype().as_str()),
        oxrdf::Term::BlankNode(_) => {}
    }
    if let oxrdf::GraphName::NamedNode(n) = &quad.graph_name {
        iris.push(n.as_str());
    }
    for iri in iris {
        if let Some(term) = iri.strip_prefix(SENTINEL_VOCAB) {
            return Err(CanonError::Unsafe(format!(
                "the document uses “{term}”, which none of its contexts defines: \
                 it would not be covered by the signature (JSON-LD safe mode)"
            )));
        }
        if let Some(reference) = iri.strip_prefix(SENTINEL_BASE) {
            return Err(CanonError::Unsafe(format!(
                "the document uses the relative IRI “{reference}”, which JSON-LD cannot \
                 resolve: it would not be covered by the signature (JSON-LD safe mode)"
            )));
        }
        if iri.starts_with(SENTINEL_HOST) {
            return Err(CanonError::Unsafe(format!(
                "the document uses an IRI that JSON-LD cannot resolve ({iri}) (JSON-LD safe mode)"
            )));
        }
    }
    Ok(())
}

/// The oracle: oxjsonld's quads (in the same safe mode) canonicalised by rdf-canon, the
/// implementation checked against the 1EdTech test vector and jsonld.js. Tests compare
/// `canonical_nquads` with it.
#[cfg(test)]
pub fn reference_nquads(document: &Value) -> Result<String, CanonError> {
    let quads: Vec<_> = json_ld_quads(document)?
        .iter()
        .map(oracle::convert_quad)
        .collect();
    oracle::canonicalize(&quads)
}

/// rdf-canon is built on oxrdf 0.2 and oxjsonld on 0.3: quads are converted term by term.
#[cfg(test)]
pub(crate) mod oracle {
    use super::CanonError;
    use oxrdf_02 as canon_rdf;

    /// As the production canonicaliser bounds its work, so is the oracle.
    const HNDQ_CALL_LIMIT: usize = 4_000;

    pub(crate) fn canonicalize(quads: &[canon_rdf::Quad]) -> Result<String, CanonError> {
        let options = rdf_canon::CanonicalizationOptions {
            hndq_call_limit: Some(HNDQ_CALL_LIMIT),
        };
        rdf_canon::canonicalize_quads_with::<sha2::Sha256>(quads, &options)
            .map_err(|e| CanonError::Canonicalization(e.to_string()))
    }

    pub(crate) fn convert_quad(q: &oxrdf::Quad) -> canon_rdf::Quad {
        canon_rdf::Quad::new(
            convert_subject(&q.subject),
            canon_rdf::NamedNode::new_unchecked(q.predicate.as_str()),
            convert_term(&q.object),
            match &q.graph_name {
                oxrdf::GraphName::DefaultGraph => canon_rdf::GraphName::DefaultGraph,
                oxrdf::GraphName::NamedNode(n) => {
                    canon_rdf::NamedNode::new_unchecked(n.as_str()).into()
                }
                oxrdf::GraphName::BlankNode(b) => {
                    canon_rdf::BlankNode::new_unchecked(b.as_str()).into()
                }
            },
        )
    }

    pub(super) fn convert_subject(s: &oxrdf::NamedOrBlankNode) -> canon_rdf::Subject {
        match s {
            oxrdf::NamedOrBlankNode::NamedNode(n) => {
                canon_rdf::NamedNode::new_unchecked(n.as_str()).into()
            }
            oxrdf::NamedOrBlankNode::BlankNode(b) => {
                canon_rdf::BlankNode::new_unchecked(b.as_str()).into()
            }
        }
    }

    pub(super) fn convert_term(t: &oxrdf::Term) -> canon_rdf::Term {
        match t {
            oxrdf::Term::NamedNode(n) => canon_rdf::NamedNode::new_unchecked(n.as_str()).into(),
            oxrdf::Term::BlankNode(b) => canon_rdf::BlankNode::new_unchecked(b.as_str()).into(),
            oxrdf::Term::Literal(l) => match l.language() {
                Some(lang) => {
                    canon_rdf::Literal::new_language_tagged_literal_unchecked(l.value(), lang)
                        .into()
                }
                None => canon_rdf::Literal::new_typed_literal(
                    l.value(),
                    canon_rdf::NamedNode::new_unchecked(l.datatype().as_str()),
                )
                .into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Twelve blank nodes all linked to each other: every one looks like every other, the case
    /// that makes RDFC-1.0's N-degree hashing explode. It must fail, not run for hours.
    #[test]
    fn a_graph_built_to_explode_fails_fast() {
        let n = 12;
        let graph: Vec<Value> = (0..n)
            .map(|i| {
                let links: Vec<Value> = (0..n)
                    .filter(|j| *j != i)
                    .map(|j| serde_json::json!({"@id": format!("_:b{j}")}))
                    .collect();
                serde_json::json!({"@id": format!("_:b{i}"), "http://example.org/knows": links})
            })
            .collect();
        let doc = serde_json::json!({"@graph": graph});
        assert!(matches!(
            canonical_nquads(&doc),
            Err(CanonError::Canonicalization(_))
        ));
    }

    fn ob3_context() -> Value {
        serde_json::json!([
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ])
    }

    #[test]
    fn a_term_no_context_defines_is_refused_not_dropped() {
        let doc = serde_json::json!({
            "@context": ob3_context(),
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Formateur",
            "grade": "A+"
        });
        let err = reference_nquads(&doc).unwrap_err();
        assert!(matches!(err, CanonError::Unsafe(_)), "{err}");
        assert!(err.to_string().contains("“grade”"), "{err}");
    }

    #[test]
    fn a_relative_type_or_id_is_refused() {
        let doc = serde_json::json!({
            "@context": ob3_context(),
            "type": ["VerifiableCredential", "BadgeDiplome"],
        });
        let err = reference_nquads(&doc).unwrap_err();
        assert!(err.to_string().contains("“BadgeDiplome”"), "{err}");

        let doc = serde_json::json!({
            "@context": ob3_context(),
            "id": "badges/42",
            "type": ["VerifiableCredential"],
        });
        let err = reference_nquads(&doc).unwrap_err();
        assert!(err.to_string().contains("“badges/42”"), "{err}");
    }

    /// The sentinel changes nothing for a document whose terms are all defined, nor for one
    /// whose own context maps every term (`@vocab`), as JSON-LD says it may.
    #[test]
    fn documents_with_every_term_defined_keep_their_quads() {
        let doc = serde_json::json!({
            "@context": ob3_context(),
            "id": "urn:uuid:4f3c2d3e-8c1e-4b7a-9d55-0e6f1f0a1b2c",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Formateur",
        });
        let nquads = reference_nquads(&doc).unwrap();
        assert!(
            nquads.contains("<https://schema.org/name> \"Formateur\""),
            "{nquads}"
        );
        assert!(!nquads.contains("insigne.invalid"), "{nquads}");

        let doc = serde_json::json!({
            "@context": {"@vocab": "https://example.org/vocab#"},
            "grade": "A+"
        });
        let nquads = reference_nquads(&doc).unwrap();
        assert!(
            nquads.contains("<https://example.org/vocab#grade>"),
            "{nquads}"
        );
    }

    #[test]
    fn unknown_contexts_are_refused_never_fetched() {
        let doc = serde_json::json!({"@context": "https://example.org/ctx.jsonld", "name": "x"});
        let err = canonical_nquads(&doc).unwrap_err();
        assert!(err.to_string().contains("example.org/ctx.jsonld"), "{err}");
    }
}
