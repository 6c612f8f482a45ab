//! The RDF of insigne's own OB 3.0 credentials, produced straight from their JSON.
//!
//! General JSON-LD processing re-reads the OB 3.0 and VC contexts (protected, type-scoped) on
//! every call: most of a signature's cost. Credentials of the exact shape insigne issues map to
//! quads through the fixed table below, derived from those contexts; any key, type or value the
//! table does not know makes `quads` answer `None`, and the general path is taken. Tests compare
//! both paths on generated credentials, so the table cannot drift from the contexts unseen.

use oxrdf as rdf;
use serde_json::{Map, Value};

const SEC: &str = "https://w3id.org/security#";
const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
const XSD_DATETIME: &str = "http://www.w3.org/2001/XMLSchema#dateTime";
// The OB 3.0 context types these with the https XSD namespace; the reference keeps it.
const XSD_BOOLEAN_HTTPS: &str = "https://www.w3.org/2001/XMLSchema#boolean";
const XSD_ANYURI_HTTPS: &str = "https://www.w3.org/2001/XMLSchema#anyURI";

#[derive(Clone, Copy)]
enum Kind {
    /// A plain string literal.
    Text,
    /// A literal of this datatype.
    Typed(&'static str),
    /// A string that is an IRI.
    Iri,
    /// A string that is a term of the security vocabulary (proofPurpose).
    SecVocab,
    /// A native boolean, typed.
    Bool(&'static str),
    /// An object (or array of objects) of this shape.
    Node(Shape),
}

#[derive(Clone, Copy)]
enum Shape {
    Credential,
    Profile,
    Image,
    Subject,
    Identity,
    Achievement,
    Criteria,
    Alignment,
    Evidence,
    Schema,
    Status,
    Proof,
    StatusListCredential,
    StatusList,
}

/// (JSON key, predicate IRI, kind) of a property.
type Property = (&'static str, &'static str, Kind);
/// (JSON `type` value, class IRI).
type Class = (&'static str, &'static str);

/// The properties of each shape, and its known types.
fn properties(shape: Shape) -> (&'static [Property], &'static [Class]) {
    use Kind::*;
    match shape {
        Shape::Credential => (
            &[
                ("name", "https://schema.org/name", Text),
                ("issuer", "https://www.w3.org/2018/credentials#issuer", Node(Shape::Profile)),
                ("validFrom", "https://www.w3.org/2018/credentials#validFrom", Typed(XSD_DATETIME)),
                ("validUntil", "https://www.w3.org/2018/credentials#validUntil", Typed(XSD_DATETIME)),
                ("credentialSubject", "https://www.w3.org/2018/credentials#credentialSubject", Node(Shape::Subject)),
                ("evidence", "https://www.w3.org/2018/credentials#evidence", Node(Shape::Evidence)),
                ("credentialSchema", "https://www.w3.org/2018/credentials#credentialSchema", Node(Shape::Schema)),
                ("credentialStatus", "https://www.w3.org/2018/credentials#credentialStatus", Node(Shape::Status)),
            ],
            &[("VerifiableCredential", "https://www.w3.org/2018/credentials#VerifiableCredential"), ("OpenBadgeCredential", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential")],
        ),
        Shape::Profile => (
            &[
                ("name", "https://schema.org/name", Text),
                ("url", "https://schema.org/url", Typed(XSD_ANYURI_HTTPS)),
                ("email", "https://schema.org/email", Text),
                ("description", "https://schema.org/description", Text),
                ("image", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image", Node(Shape::Image)),
            ],
            &[("Profile", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Profile")],
        ),
        Shape::Image => (&[], &[("Image", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Image")]),
        Shape::Subject => (
            &[
                ("identifier", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identifier", Node(Shape::Identity)),
                ("achievement", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement", Node(Shape::Achievement)),
            ],
            &[("AchievementSubject", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject")],
        ),
        Shape::Identity => (
            &[
                ("identityType", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityType", Text),
                ("hashed", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#hashed", Bool(XSD_BOOLEAN_HTTPS)),
                ("salt", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#salt", Text),
                ("identityHash", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#identityHash", Text),
            ],
            &[("IdentityObject", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#IdentityObject")],
        ),
        Shape::Achievement => (
            &[
                ("achievementType", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievementType", Text),
                ("name", "https://schema.org/name", Text),
                ("description", "https://schema.org/description", Text),
                ("criteria", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Criteria", Node(Shape::Criteria)),
                ("image", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#image", Node(Shape::Image)),
                ("alignment", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#alignment", Node(Shape::Alignment)),
                ("tag", "https://schema.org/keywords", Text),
            ],
            &[("Achievement", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Achievement")],
        ),
        Shape::Criteria => (&[("narrative", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative", Text)], &[]),
        Shape::Alignment => (
            &[
                ("targetName", "https://schema.org/targetName", Text),
                ("targetUrl", "https://schema.org/targetUrl", Typed(XSD_ANYURI_HTTPS)),
                ("targetFramework", "https://schema.org/targetFramework", Text),
                ("targetCode", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#targetCode", Text),
            ],
            &[("Alignment", "https://schema.org/AlignmentObject")],
        ),
        Shape::Evidence => (
            &[
                ("narrative", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative", Text),
                ("name", "https://schema.org/name", Text),
                ("description", "https://schema.org/description", Text),
                ("genre", "https://schema.org/genre", Text),
            ],
            &[("Evidence", "https://purl.imsglobal.org/spec/vc/ob/vocab.html#Evidence")],
        ),
        Shape::Schema => (
            &[],
            &[("1EdTechJsonSchemaValidator2019", "https://purl.imsglobal.org/spec/vccs/v1p0/context.json#1EdTechJsonSchemaValidator2019")],
        ),
        Shape::Status => (
            &[
                ("statusPurpose", "https://www.w3.org/ns/credentials/status#statusPurpose", Text),
                ("statusListIndex", "https://www.w3.org/ns/credentials/status#statusListIndex", Text),
                ("statusListCredential", "https://www.w3.org/ns/credentials/status#statusListCredential", Iri),
            ],
            &[("BitstringStatusListEntry", "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry")],
        ),
        Shape::StatusListCredential => (
            &[
                ("issuer", "https://www.w3.org/2018/credentials#issuer", Iri),
                ("validFrom", "https://www.w3.org/2018/credentials#validFrom", Typed(XSD_DATETIME)),
                ("validUntil", "https://www.w3.org/2018/credentials#validUntil", Typed(XSD_DATETIME)),
                ("credentialSubject", "https://www.w3.org/2018/credentials#credentialSubject", Node(Shape::StatusList)),
            ],
            &[
                ("VerifiableCredential", "https://www.w3.org/2018/credentials#VerifiableCredential"),
                ("BitstringStatusListCredential", "https://www.w3.org/ns/credentials/status#BitstringStatusListCredential"),
            ],
        ),
        Shape::StatusList => (
            &[
                ("statusPurpose", "https://www.w3.org/ns/credentials/status#statusPurpose", Text),
                ("encodedList", "https://www.w3.org/ns/credentials/status#encodedList", Typed("https://w3id.org/security#multibase")),
            ],
            &[("BitstringStatusList", "https://www.w3.org/ns/credentials/status#BitstringStatusList")],
        ),
        Shape::Proof => (
            &[
                ("cryptosuite", "https://w3id.org/security#cryptosuite", Typed("https://w3id.org/security#cryptosuiteString")),
                ("created", "http://purl.org/dc/terms/created", Typed(XSD_DATETIME)),
                ("verificationMethod", "https://w3id.org/security#verificationMethod", Iri),
                ("proofPurpose", "https://w3id.org/security#proofPurpose", SecVocab),
            ],
            &[("DataIntegrityProof", "https://w3id.org/security#DataIntegrityProof")],
        ),
    }
}

struct Builder {
    quads: Vec<rdf::Quad>,
    blank: usize,
}

impl Builder {
    fn subject(&mut self, obj: &Map<String, Value>) -> Option<rdf::NamedOrBlankNode> {
        match obj.get("id") {
            Some(Value::String(id)) => Some(rdf::NamedNode::new(id.as_str()).ok()?.into()),
            Some(_) => None,
            None => {
                self.blank += 1;
                Some(rdf::BlankNode::new_unchecked(format!("b{}", self.blank)).into())
            }
        }
    }

    fn push(&mut self, s: &rdf::NamedOrBlankNode, p: &str, o: rdf::Term) {
        self.quads.push(rdf::Quad::new(
            s.clone(),
            rdf::NamedNode::new_unchecked(p),
            o,
            rdf::GraphName::DefaultGraph,
        ));
    }

    /// The quads of one node; its subject.
    fn node(&mut self, obj: &Map<String, Value>, shape: Shape) -> Option<rdf::NamedOrBlankNode> {
        let subject = self.subject(obj)?;
        let (props, types) = properties(shape);
        for (key, value) in obj {
            match key.as_str() {
                "id" => {}
                "type" => {
                    let list: Vec<&Value> = match value {
                        Value::Array(a) => a.iter().collect(),
                        v => vec![v],
                    };
                    for t in list {
                        let iri = types.iter().find(|(name, _)| Some(*name) == t.as_str())?.1;
                        self.push(
                            &subject,
                            RDF_TYPE,
                            rdf::NamedNode::new_unchecked(iri).into(),
                        );
                    }
                }
                _ => {
                    let (_, predicate, kind) = props.iter().find(|(k, ..)| *k == key.as_str())?;
                    let values: Vec<&Value> = match value {
                        Value::Array(a) => a.iter().collect(),
                        v => vec![v],
                    };
                    for v in values {
                        let object: rdf::Term = match (kind, v) {
                            (Kind::Text, Value::String(s)) => {
                                rdf::Literal::new_simple_literal(s.as_str()).into()
                            }
                            (Kind::Typed(dt), Value::String(s)) => rdf::Literal::new_typed_literal(
                                s.as_str(),
                                rdf::NamedNode::new_unchecked(*dt),
                            )
                            .into(),
                            (Kind::Iri, Value::String(s)) => {
                                rdf::NamedNode::new(s.as_str()).ok()?.into()
                            }
                            (Kind::SecVocab, Value::String(s))
                                if s.chars().all(|c| c.is_ascii_alphanumeric()) =>
                            {
                                rdf::NamedNode::new_unchecked(format!("{SEC}{s}")).into()
                            }
                            (Kind::Bool(dt), Value::Bool(b)) => rdf::Literal::new_typed_literal(
                                if *b { "true" } else { "false" },
                                rdf::NamedNode::new_unchecked(*dt),
                            )
                            .into(),
                            (Kind::Node(shape), Value::Object(child)) => {
                                match self.node(child, *shape)? {
                                    rdf::NamedOrBlankNode::NamedNode(n) => n.into(),
                                    rdf::NamedOrBlankNode::BlankNode(b) => b.into(),
                                }
                            }
                            _ => return None,
                        };
                        self.push(&subject, predicate, object);
                    }
                }
            }
        }
        Some(subject)
    }
}

/// The quads of an insigne credential (without proof) or of its proof configuration, or `None`
/// when the document is not of that exact shape.
pub fn quads(document: &Value) -> Option<Vec<rdf::Quad>> {
    let Value::Object(obj) = document else {
        return None;
    };
    let credential_context = crate::formats::ob3::credential_context();
    let list_context = serde_json::json!([crate::formats::contexts::CREDENTIALS_V2]);
    let context = obj.get("@context")?;
    let is_list = obj
        .get("type")?
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "BitstringStatusListCredential"));
    let shape = match obj.get("type")? {
        Value::String(t)
            if t == "DataIntegrityProof"
                && (context == &credential_context || context == &list_context) =>
        {
            Shape::Proof
        }
        Value::Array(_) if is_list && context == &list_context => Shape::StatusListCredential,
        Value::Array(_) if !is_list && context == &credential_context => Shape::Credential,
        _ => return None,
    };
    let mut body = obj.clone();
    body.remove("@context");
    if matches!(shape, Shape::Credential | Shape::StatusListCredential)
        && body.contains_key("proof")
    {
        return None;
    }
    let mut b = Builder {
        quads: Vec::new(),
        blank: 0,
    };
    b.node(&body, shape)?;
    Some(b.quads)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{json, Value};

    use super::quads;
    use crate::proof::canon::{canonical_nquads, reference_nquads};

    const FIXTURE: &str = include_str!("../../tests/fixtures/ob3/ecap-credential.json");

    fn fixture() -> (Value, Value) {
        let mut doc: Value = serde_json::from_str(FIXTURE).expect("fixture");
        let mut proof = doc["proof"].take();
        doc.as_object_mut().expect("object").remove("proof");
        proof.as_object_mut().expect("object").remove("proofValue");
        proof["@context"] = doc["@context"].clone();
        (doc, proof)
    }

    #[test]
    fn the_fixture_takes_the_compiled_path_and_matches_the_reference() {
        let (doc, proof) = fixture();
        assert!(quads(&doc).is_some() && quads(&proof).is_some());
        assert_eq!(canonical_nquads(&doc), reference_nquads(&doc));
        assert_eq!(canonical_nquads(&proof), reference_nquads(&proof));
    }

    #[test]
    fn status_lists_take_the_compiled_path_and_match_the_reference() {
        for set in [vec![], vec![0, 7, 131_071]] {
            let list = crate::formats::ob3::status::list_credential(
                "https://badges.test/issuers/1/status/k",
                "did:web:badges.test:issuers:1",
                &set,
                "2026-11-28T12:00:00Z".parse().expect("date"),
            );
            assert!(quads(&list).is_some());
            assert_eq!(canonical_nquads(&list), reference_nquads(&list));
            let proof = json!({
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-11-28T12:00:00Z",
                "verificationMethod": "did:web:badges.test:issuers:1#k", "proofPurpose": "assertionMethod",
            });
            assert!(quads(&proof).is_some());
            assert_eq!(canonical_nquads(&proof), reference_nquads(&proof));
        }
    }

    #[test]
    fn anything_unknown_takes_the_general_path() {
        let (doc, _) = fixture();
        for (path, value) in [
            ("/extra", json!("x")),
            ("/credentialSubject/id", json!(5)),
            (
                "/type",
                json!(["VerifiableCredential", "EndorsementCredential"]),
            ),
            ("/issuer/otherIdentifier", json!([])),
            ("/@context", json!(["https://www.w3.org/ns/credentials/v2"])),
        ] {
            let mut changed = doc.clone();
            let (parent, key) = path.rsplit_once('/').expect("path");
            let target = if parent.is_empty() {
                &mut changed
            } else {
                changed.pointer_mut(parent).expect("parent")
            };
            target[key] = value;
            assert!(quads(&changed).is_none(), "{path}");
        }
    }

    /// Names as people write them, any Unicode, quotes and backslashes, and control characters
    /// (each escaped its own way in canonical N-Quads).
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Zéèàç' ]{0,30}",
            "\\PC{0,40}",
            ".*\"\\\\\n\t.*",
            "[\\x00-\\x1f\\x7f]{1,6}",
            "\\PC{0,10}[\\x00-\\x1f\\x7f\\u{80}-\\u{9f}\\u{2028}\\u{fffe}]{1,4}\\PC{0,10}",
            Just(String::new())
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn compiled_and_general_paths_agree(
            name in text(),
            description in proptest::option::of(text()),
            narrative in proptest::option::of(text()),
            criteria_url in any::<bool>(),
            alignments in 0usize..4,
            tags in proptest::collection::vec(text(), 0..3),
            evidence in proptest::collection::vec((any::<bool>(), proptest::option::of(text()), proptest::option::of(text()), proptest::option::of(text())), 0..3),
            until in any::<bool>(),
            hashed in any::<bool>(),
            credits in 0u32..400,
        ) {
            let (mut doc, proof) = fixture();
            doc["name"] = json!(name);
            doc["credentialSubject"]["achievement"]["name"] = json!(name);
            match description {
                Some(d) => doc["issuer"]["description"] = json!(d),
                None => { doc["issuer"].as_object_mut().expect("issuer").remove("description"); }
            }
            let achievement = &mut doc["credentialSubject"]["achievement"];
            if let Some(n) = narrative { achievement["criteria"]["narrative"] = json!(n); }
            if criteria_url { achievement["criteria"]["id"] = json!("https://example.org/criteria#c1"); }
            let list: Vec<Value> = achievement["alignment"].as_array().expect("alignments").iter().take(alignments).cloned().collect();
            if list.is_empty() { achievement.as_object_mut().expect("a").remove("alignment"); } else { achievement["alignment"] = json!(list); }
            if tags.is_empty() { achievement.as_object_mut().expect("a").remove("tag"); } else { achievement["tag"] = json!(tags); }
            let items: Vec<Value> = evidence.iter().enumerate().map(|(i, (with_id, n, d, g))| {
                let mut e = json!({"type": ["Evidence"]});
                if *with_id { e["id"] = json!(format!("https://example.org/evidence/{i}")); }
                if let Some(n) = n { e["narrative"] = json!(n); }
                if let Some(d) = d { e["description"] = json!(d); }
                if let Some(g) = g { e["genre"] = json!(g); e["name"] = json!(g); }
                e
            }).collect();
            if items.is_empty() { doc.as_object_mut().expect("doc").remove("evidence"); } else { doc["evidence"] = json!(items); }
            if !until { doc.as_object_mut().expect("doc").remove("validUntil"); }
            doc["credentialSubject"]["identifier"][0]["hashed"] = json!(hashed);

            prop_assert!(quads(&doc).is_some());
            // Three ways to the same bytes: the compiled mapping and insigne's RDFC-1.0, general
            // JSON-LD and insigne's RDFC-1.0, general JSON-LD and the reference canonicaliser.
            let reference = reference_nquads(&doc);
            prop_assert_eq!(&canonical_nquads(&doc), &reference);
            let general = crate::proof::canon::json_ld_quads(&doc)
                .map(|q| crate::proof::rdfc::canonicalize(&q).expect("canonical"));
            prop_assert_eq!(&general, &reference);
            prop_assert_eq!(canonical_nquads(&proof), reference_nquads(&proof));
            // With an integer (never in insigne's credentials: the general path takes it).
            doc["credentialSubject"]["achievement"]["creditsAvailable"] = json!(credits);
            prop_assert!(quads(&doc).is_none());
            prop_assert_eq!(canonical_nquads(&doc), reference_nquads(&doc));
        }
    }
}
