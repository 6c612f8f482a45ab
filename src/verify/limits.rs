//! What the verifier reads at most, checked before any decoding, canonicalisation or schema
//! validation: the cost of each of those grows with the document, and a verification must be
//! answered within its budget whatever it is given. Every bound is far above what a genuine
//! badge holds (an OB 3.0 credential has one subject, one or two proofs, a handful of
//! alignments and evidence, a few hundred JSON values in all).

use serde_json::Value;

/// Nesting depth (a credential with embedded endorsements is about 8 deep).
pub const MAX_DEPTH: usize = 24;
/// JSON values in one document, the canonical form's size with them.
pub const MAX_VALUES: usize = 4_000;
/// Members of any one array.
pub const MAX_ARRAY: usize = 256;

/// How many of a named member one credential may hold (an array, or one object).
const MAX_COUNTS: &[(&str, usize)] = &[
    ("credentialSubject", 4),
    ("proof", 4),
    ("credentialStatus", 4),
    ("endorsement", 16),
    ("endorsementJwt", 16),
    ("evidence", 64),
    ("alignment", 64),
    ("result", 64),
    ("resultDescription", 64),
    ("credentialSchema", 8),
    ("verificationMethod", 32),
];

/// The first bound `doc` goes past, in words; `None` when it is within all of them.
pub fn exceeded(doc: &Value) -> Option<String> {
    let mut values = 0usize;
    // Iterative: a deep document must not be a deep recursion.
    let mut stack: Vec<(&Value, usize)> = vec![(doc, 1)];
    while let Some((v, depth)) = stack.pop() {
        values += 1;
        if values > MAX_VALUES {
            return Some(format!("more than {MAX_VALUES} JSON values"));
        }
        if depth > MAX_DEPTH {
            return Some(format!("nested deeper than {MAX_DEPTH}"));
        }
        match v {
            Value::Array(list) => {
                if list.len() > MAX_ARRAY {
                    return Some(format!(
                        "an array of {} members (at most {MAX_ARRAY})",
                        list.len()
                    ));
                }
                stack.extend(list.iter().map(|m| (m, depth + 1)));
            }
            Value::Object(map) => {
                for (name, member) in map {
                    if let (Some((_, most)), Value::Array(list)) =
                        (MAX_COUNTS.iter().find(|(n, _)| n == name), member)
                    {
                        if list.len() > *most {
                            return Some(format!("{} {name} entries (at most {most})", list.len()));
                        }
                    }
                    stack.push((member, depth + 1));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn genuine_shapes_pass_and_hostile_ones_are_named() {
        let credential = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "credentialSubject": {"achievement": {"alignment": [{"targetName": "a"}]}},
            "proof": [{"type": "DataIntegrityProof"}],
        });
        assert_eq!(exceeded(&credential), None);

        let items: Vec<Value> = (0..10_000).map(|i| json!({"id": i})).collect();
        let many = json!({ "tags": items });
        assert_eq!(
            exceeded(&many).as_deref(),
            Some("an array of 10000 members (at most 256)")
        );
        let five = json!({"credentialSubject": [{}, {}, {}, {}, {}]});
        assert_eq!(
            exceeded(&five).as_deref(),
            Some("5 credentialSubject entries (at most 4)")
        );

        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!({ "a": deep });
        }
        assert!(exceeded(&deep).is_some_and(|w| w.contains("deeper")));

        let wide: serde_json::Map<String, Value> =
            (0..5_000).map(|i| (format!("k{i}"), json!(i))).collect();
        assert!(exceeded(&Value::Object(wide)).is_some_and(|w| w.contains("values")));
    }
}
