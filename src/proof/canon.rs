//! JSON-LD → RDF → RDFC-1.0 canonical N-Quads, the input of every Data Integrity hash.
//!
//! oxjsonld expands the document (contexts from the vendored set only) and produces the quads;
//! rdf-canon canonicalises them. Both were checked to reproduce the 1EdTech test vector and
//! jsonld.js byte for byte (native booleans and numbers included), which ssi 0.16 does not.
//! rdf-canon is built on oxrdf 0.2 and oxjsonld on 0.3: quads are converted term by term.
//!
//! Bounds: the input size is the caller's, and RDFC-1.0's N-degree hashing is capped
//! (`HNDQ_CALL_LIMIT`), so a graph built to make it explode fails fast.

use oxrdf_02 as canon_rdf;
use serde_json::Value;

use crate::formats::contexts;

/// Most calls of RDFC-1.0's Hash N-Degree Quads a document may need; a credential needs none.
pub const HNDQ_CALL_LIMIT: usize = 4_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonError {
    #[error("the document uses the context {0}, which insigne does not know (it never fetches contexts)")]
    UnknownContext(String),
    #[error("JSON-LD: {0}")]
    JsonLd(String),
    #[error("canonicalisation: {0}")]
    Canonicalization(String),
}

/// The RDFC-1.0 canonical N-Quads of a JSON-LD document: through the compiled mapping for
/// insigne's own credentials, through JSON-LD processing for anything else.
pub fn canonical_nquads(document: &Value) -> Result<String, CanonError> {
    match super::compiled::quads(document) {
        Some(quads) => canonicalize(&quads),
        None => reference_nquads(document),
    }
}

/// The canonical N-Quads through general JSON-LD processing (oxjsonld), whatever the document.
pub fn reference_nquads(document: &Value) -> Result<String, CanonError> {
    let bytes = serde_json::to_vec(document).map_err(|e| CanonError::JsonLd(e.to_string()))?;
    let parser = oxjsonld::JsonLdParser::new()
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
        quads.push(convert_quad(&quad));
    }
    canonicalize(&quads)
}

fn canonicalize(quads: &[canon_rdf::Quad]) -> Result<String, CanonError> {
    let options = rdf_canon::CanonicalizationOptions {
        hndq_call_limit: Some(HNDQ_CALL_LIMIT),
    };
    rdf_canon::canonicalize_quads_with::<sha2::Sha256>(quads, &options)
        .map_err(|e| CanonError::Canonicalization(e.to_string()))
}

fn convert_quad(q: &oxrdf::Quad) -> canon_rdf::Quad {
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

fn convert_subject(s: &oxrdf::NamedOrBlankNode) -> canon_rdf::Subject {
    match s {
        oxrdf::NamedOrBlankNode::NamedNode(n) => {
            canon_rdf::NamedNode::new_unchecked(n.as_str()).into()
        }
        oxrdf::NamedOrBlankNode::BlankNode(b) => {
            canon_rdf::BlankNode::new_unchecked(b.as_str()).into()
        }
    }
}

fn convert_term(t: &oxrdf::Term) -> canon_rdf::Term {
    match t {
        oxrdf::Term::NamedNode(n) => canon_rdf::NamedNode::new_unchecked(n.as_str()).into(),
        oxrdf::Term::BlankNode(b) => canon_rdf::BlankNode::new_unchecked(b.as_str()).into(),
        oxrdf::Term::Literal(l) => match l.language() {
            Some(lang) => {
                canon_rdf::Literal::new_language_tagged_literal_unchecked(l.value(), lang).into()
            }
            None => canon_rdf::Literal::new_typed_literal(
                l.value(),
                canon_rdf::NamedNode::new_unchecked(l.datatype().as_str()),
            )
            .into(),
        },
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

    #[test]
    fn unknown_contexts_are_refused_never_fetched() {
        let doc = serde_json::json!({"@context": "https://example.org/ctx.jsonld", "name": "x"});
        let err = canonical_nquads(&doc).unwrap_err();
        assert!(err.to_string().contains("example.org/ctx.jsonld"), "{err}");
    }
}
