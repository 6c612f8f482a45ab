//! The canonical form behind every Data Integrity proof, on the e-CAP credential of
//! tests/fixtures/ob3/: through the compiled mapping and through general JSON-LD, RDFC-1.0 alone,
//! and how fast a graph built to explode RDFC-1.0 is refused. Run with `cargo bench --bench rdfc`.

// A benchmark or a test fails loudly: unwrap, expect and panic say where.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use insigne::proof::canon::{canonical_nquads, json_ld_quads};
use insigne::proof::{compiled, rdfc};
use oxrdf::{BlankNode, GraphName, NamedNode, Quad};
use serde_json::Value;

const CREDENTIAL: &str = include_str!("../tests/fixtures/ob3/ecap-credential.json");

/// Twelve blank nodes, each linked to every other: all alike, the worst case of N-degree hashing.
fn poison() -> Vec<Quad> {
    let n = 12;
    let mut quads = Vec::new();
    for i in 0..n {
        for j in (0..n).filter(|j| *j != i) {
            quads.push(Quad::new(
                BlankNode::new_unchecked(format!("b{i}")),
                NamedNode::new_unchecked("http://example.org/knows"),
                BlankNode::new_unchecked(format!("b{j}")),
                GraphName::DefaultGraph,
            ));
        }
    }
    quads
}

fn benches(c: &mut Criterion) {
    let mut credential: Value = serde_json::from_str(CREDENTIAL).expect("fixture");
    if let Value::Object(m) = &mut credential {
        m.remove("proof");
    }
    c.bench_function("canonical form, compiled mapping + rdfc", |b| {
        b.iter(|| canonical_nquads(black_box(&credential)).expect("canon"))
    });
    c.bench_function("canonical form, general JSON-LD + rdfc", |b| {
        b.iter(|| {
            rdfc::canonicalize(&json_ld_quads(black_box(&credential)).expect("quads"))
                .expect("canon")
        })
    });
    let quads = compiled::quads(&credential).expect("insigne's own shape");
    c.bench_function(
        "rdfc-1.0 alone (e-CAP credential, distinct first-degree hashes)",
        |b| b.iter(|| rdfc::canonicalize(black_box(&quads)).expect("canon")),
    );
    let poison = poison();
    c.bench_function("rdfc-1.0 refuses a graph built to explode", |b| {
        b.iter(|| assert!(rdfc::canonicalize(black_box(&poison)).is_err()))
    });
}

criterion_group!(rdfc_benches, benches);
criterion_main!(rdfc_benches);
