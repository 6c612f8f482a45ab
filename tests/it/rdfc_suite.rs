//! The W3C RDFC-1.0 test suite (tests/fixtures/rdf-canon, copied verbatim) on insigne's
//! canonicaliser: every evaluation test gives the expected canonical N-Quads byte for byte,
//! every map test the expected issued identifiers, and the negative test is refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use insigne::proof::rdfc::{self, RdfcError, DEFAULT_LIMITS};
use serde_json::Value;

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rdf-canon")
}

fn parse(path: &Path) -> Vec<oxrdf::Quad> {
    let text = std::fs::read_to_string(path).expect("input");
    oxttl::NQuadsParser::new()
        .for_slice(text.as_bytes())
        .map(|q| q.expect("N-Quads"))
        .collect()
}

fn run(
    test: &Value,
    quads: &[oxrdf::Quad],
) -> Result<(String, BTreeMap<String, String>), RdfcError> {
    match test["hashAlgorithm"].as_str() {
        Some("SHA384") => rdfc::canonicalize_with::<sha2::Sha384>(quads, DEFAULT_LIMITS),
        _ => rdfc::canonicalize_with::<sha2::Sha256>(quads, DEFAULT_LIMITS),
    }
}

#[test]
fn the_w3c_rdfc10_suite_passes_in_full() {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(suite().join("manifest.jsonld")).expect("manifest"),
    )
    .expect("json");
    let entries = manifest["entries"].as_array().expect("entries");
    let mut failures = Vec::new();
    for test in entries {
        let id = test["id"].as_str().expect("id");
        let input = parse(&suite().join(test["action"].as_str().expect("action")));
        let result = run(test, &input);
        match test["type"].as_str().expect("type") {
            "rdfc:RDFC10EvalTest" => {
                let expected =
                    std::fs::read_to_string(suite().join(test["result"].as_str().expect("result")))
                        .expect("result");
                match result {
                    Ok((nquads, _)) if nquads == expected => {}
                    Ok((nquads, _)) => {
                        failures.push(format!("{id}: got\n{nquads}expected\n{expected}"))
                    }
                    Err(e) => failures.push(format!("{id}: {e}")),
                }
            }
            "rdfc:RDFC10MapTest" => {
                let expected: BTreeMap<String, String> = serde_json::from_str(
                    &std::fs::read_to_string(
                        suite().join(test["result"].as_str().expect("result")),
                    )
                    .expect("result"),
                )
                .expect("map");
                match result {
                    Ok((_, map)) if map == expected => {}
                    Ok((_, map)) => {
                        failures.push(format!("{id}: got {map:?}, expected {expected:?}"))
                    }
                    Err(e) => failures.push(format!("{id}: {e}")),
                }
            }
            "rdfc:RDFC10NegativeEvalTest" => {
                if !matches!(result, Err(RdfcError::TooComplex(_))) {
                    failures.push(format!("{id}: not refused"));
                }
            }
            other => failures.push(format!("{id}: unknown test type {other}")),
        }
    }
    assert_eq!(entries.len(), 86, "the whole suite ran");
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

/// Random datasets made for blank nodes to look alike (few predicates, cycles, self-loops,
/// blank graph names, literals with control characters), canonicalised by insigne and by
/// jsonld.js (rdf-canonize, installed by ../shared/conformance/setup.sh): byte for byte equal.
#[test]
fn agrees_with_jsonld_js_on_random_datasets() {
    use rand::{Rng, SeedableRng};
    let Some(_) = crate::interop_ob2::conformance_dir() else {
        return;
    };
    let module = crate::interop_ob2::conformance_home()
        .expect("home")
        .join("ob3/node_modules/rdf-canonize");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261128);
    let literals = [
        "x",
        "caf\\u00E9",
        "a\\u0001b\\tc",
        "\\uFFFE",
        "l\\\"igne\\n2",
    ];
    let mut inputs = BTreeMap::new();
    for i in 0..300 {
        let mut text = String::new();
        for _ in 0..rng.gen_range(1..14) {
            let subject = format!("_:n{}", rng.gen_range(0..6));
            let predicate = format!("<http://example.org/p{}>", rng.gen_range(0..3));
            let object = match rng.gen_range(0..9) {
                6 => format!("\"{}\"", literals[rng.gen_range(0..literals.len())]),
                7 => "<http://example.org/o>".to_string(),
                8 => "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>".to_string(),
                o => format!("_:n{o}"),
            };
            let graph = match rng.gen_range(0..5) {
                0..=2 => String::new(),
                3 => " <http://example.org/g>".to_string(),
                _ => format!(" _:n{}", rng.gen_range(0..6)),
            };
            text.push_str(&format!("{subject} {predicate} {object}{graph} .\n"));
        }
        let name = format!("{i:03}.nq");
        std::fs::write(dir.path().join(&name), &text).expect("write");
        inputs.insert(name, text);
    }
    let out = std::process::Command::new("node")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rdfc-oracle.mjs"))
        .arg(&module)
        .arg(dir.path())
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: BTreeMap<String, String> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(expected.len(), inputs.len());
    let mut differ = Vec::new();
    for (name, text) in &inputs {
        let quads = parse(&dir.path().join(name));
        let ours = rdfc::canonicalize(&quads).expect("canonical");
        if ours != expected[name] {
            differ.push(format!(
                "{name}:\n{text}insigne:\n{ours}jsonld.js:\n{}",
                expected[name]
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of 300 differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}
