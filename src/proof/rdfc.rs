//! RDFC-1.0, the W3C RDF Dataset Canonicalization algorithm (<https://www.w3.org/TR/rdf-canon/>),
//! written here for speed on the common case and a hard bound on the rest.
//!
//! The common case: a credential's blank nodes (its subject, achievement, proof, …) all differ
//! in their first-degree hashes, so each gets its canonical identifier in step 5 and the
//! N-degree hashing never runs. Every quad is split once into pre-serialised pieces, so hashing
//! a blank node's quads is string concatenation. The rest is the full algorithm, with a work
//! budget: a graph built to make the N-degree hashing explode (every blank node alike) is
//! refused after a bounded number of calls and permutations, never left to burn a core.
//!
//! The output is byte-identical to the reference (rdf-canon; jsonld.js), which the W3C test
//! suite (`tests/fixtures/rdf-canon/`) and differential property tests check.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

use oxrdf::{GraphName, NamedOrBlankNode, Quad, Term};
use sha2::Digest;

/// How much work the N-degree hashing may do before the input is refused as too complex. A
/// credential needs none; the W3C suite's hardest legitimate test needs a few dozen calls.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Calls of Hash N-Degree Quads.
    pub hndq_calls: usize,
    /// Permutations of related blank nodes tried, over all calls.
    pub permutations: usize,
}

pub const DEFAULT_LIMITS: Limits = Limits {
    hndq_calls: 4_000,
    permutations: 20_000,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RdfcError {
    #[error("the graph is too complex to canonicalise (more than {0} steps of N-degree hashing): refused")]
    TooComplex(usize),
}

/// One component of a quad, serialised ahead: fixed text, a blank node (by index), or the
/// default graph (nothing).
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Blank(usize),
    Default,
}

struct Dataset {
    quads: Vec<[Piece; 4]>,
    /// Input labels of the blank nodes, by index.
    labels: Vec<String>,
    /// The quads that mention each blank node.
    mentions: Vec<Vec<usize>>,
}

fn piece_of_term(
    term: &Term,
    blanks: &mut HashMap<String, usize>,
    labels: &mut Vec<String>,
) -> Piece {
    match term {
        Term::BlankNode(b) => Piece::Blank(blank_index(b.as_str(), blanks, labels)),
        Term::NamedNode(n) => Piece::Text(n.to_string()),
        Term::Literal(l) => Piece::Text(literal(l)),
    }
}

/// A literal in canonical N-Quads, as RDFC-1.0 and jsonld.js write it: `\b \t \n \f \r \" \\`,
/// the other C0 controls and DEL as `\uXXXX`, everything else (U+FFFE included) as is. oxrdf's
/// own printer also escapes U+FFFE and U+FFFF, which would change the hash of such a text.
fn literal(l: &oxrdf::Literal) -> String {
    let mut out = String::with_capacity(l.value().len() + 2);
    out.push('"');
    for c in l.value().chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\0'..='\u{1F}' | '\u{7F}' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    if let Some(language) = l.language() {
        out.push('@');
        out.push_str(language);
    } else if l.datatype() != oxrdf::vocab::xsd::STRING {
        out.push_str("^^<");
        out.push_str(l.datatype().as_str());
        out.push('>');
    }
    out
}

fn blank_index(
    label: &str,
    blanks: &mut HashMap<String, usize>,
    labels: &mut Vec<String>,
) -> usize {
    if let Some(i) = blanks.get(label) {
        return *i;
    }
    labels.push(label.to_string());
    blanks.insert(label.to_string(), labels.len() - 1);
    labels.len() - 1
}

impl Dataset {
    fn new(input: &[Quad]) -> Self {
        let mut blanks: HashMap<String, usize> = HashMap::new();
        let mut labels = Vec::new();
        let mut seen: HashSet<&Quad> = HashSet::with_capacity(input.len());
        let mut quads = Vec::with_capacity(input.len());
        for q in input {
            // A dataset is a set: a quad given twice counts once.
            if !seen.insert(q) {
                continue;
            }
            let subject = match &q.subject {
                NamedOrBlankNode::BlankNode(b) => {
                    Piece::Blank(blank_index(b.as_str(), &mut blanks, &mut labels))
                }
                NamedOrBlankNode::NamedNode(n) => Piece::Text(n.to_string()),
            };
            let predicate = Piece::Text(q.predicate.to_string());
            let object = piece_of_term(&q.object, &mut blanks, &mut labels);
            let graph = match &q.graph_name {
                GraphName::DefaultGraph => Piece::Default,
                GraphName::NamedNode(n) => Piece::Text(n.to_string()),
                GraphName::BlankNode(b) => {
                    Piece::Blank(blank_index(b.as_str(), &mut blanks, &mut labels))
                }
            };
            quads.push([subject, predicate, object, graph]);
        }
        let mut mentions = vec![Vec::new(); labels.len()];
        for (i, q) in quads.iter().enumerate() {
            for piece in q {
                if let Piece::Blank(b) = piece {
                    if mentions[*b].last() != Some(&i) {
                        mentions[*b].push(i);
                    }
                }
            }
        }
        Self {
            quads,
            labels,
            mentions,
        }
    }

    /// One quad as a canonical N-Quads line, blank nodes named by `name`.
    fn line(&self, quad: usize, out: &mut String, name: &dyn Fn(usize, &mut String)) {
        for (i, piece) in self.quads[quad].iter().enumerate() {
            match piece {
                Piece::Default => continue,
                Piece::Text(t) => {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(t);
                }
                Piece::Blank(b) => {
                    if i > 0 {
                        out.push(' ');
                    }
                    name(*b, out);
                }
            }
        }
        out.push_str(" .\n");
    }
}

/// Issues identifiers (`c14n0`, `c14n1`, … or `b0`, …) in order.
#[derive(Debug, Clone)]
struct Issuer {
    prefix: &'static str,
    issued: HashMap<usize, String>,
    order: Vec<usize>,
}

impl Issuer {
    fn new(prefix: &'static str) -> Self {
        Self {
            prefix,
            issued: HashMap::new(),
            order: Vec::new(),
        }
    }

    fn issue(&mut self, blank: usize) -> String {
        if let Some(id) = self.issued.get(&blank) {
            return id.clone();
        }
        let id = format!("{}{}", self.prefix, self.order.len());
        self.issued.insert(blank, id.clone());
        self.order.push(blank);
        id
    }

    fn get(&self, blank: usize) -> Option<&String> {
        self.issued.get(&blank)
    }
}

struct State<'a, D> {
    data: &'a Dataset,
    canonical: Issuer,
    first_degree: Vec<String>,
    limits: Limits,
    hndq_calls: usize,
    permutations: usize,
    _digest: std::marker::PhantomData<D>,
}

fn hex_digest<D: Digest>(input: &[u8]) -> String {
    hex::encode(D::digest(input))
}

impl<D: Digest> State<'_, D> {
    /// Hash First Degree Quads (§4.6).
    fn hash_first_degree(&self, blank: usize) -> String {
        let mut lines: Vec<String> = self.data.mentions[blank]
            .iter()
            .map(|q| {
                let mut line = String::new();
                self.data.line(*q, &mut line, &|b, out| {
                    out.push_str(if b == blank { "_:a" } else { "_:z" })
                });
                line
            })
            .collect();
        lines.sort_unstable();
        hex_digest::<D>(lines.concat().as_bytes())
    }

    /// Hash Related Blank Node (§4.7).
    fn hash_related(&self, related: usize, quad: usize, issuer: &Issuer, position: char) -> String {
        let mut input = String::new();
        input.push(position);
        if position != 'g' {
            if let Piece::Text(p) = &self.data.quads[quad][1] {
                input.push_str(p);
            }
        }
        match self.canonical.get(related).or_else(|| issuer.get(related)) {
            Some(id) => {
                input.push_str("_:");
                input.push_str(id);
            }
            None => input.push_str(&self.first_degree[related]),
        }
        hex_digest::<D>(input.as_bytes())
    }

    /// Hash N-Degree Quads (§4.8).
    fn hash_n_degree(
        &mut self,
        blank: usize,
        mut issuer: Issuer,
    ) -> Result<(String, Issuer), RdfcError> {
        self.hndq_calls += 1;
        if self.hndq_calls > self.limits.hndq_calls {
            return Err(RdfcError::TooComplex(self.limits.hndq_calls));
        }
        let mut related: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &q in &self.data.mentions[blank] {
            for (i, position) in [(0, 's'), (2, 'o'), (3, 'g')] {
                if let Piece::Blank(other) = self.data.quads[q][i] {
                    if other != blank {
                        let hash = self.hash_related(other, q, &issuer, position);
                        related.entry(hash).or_default().push(other);
                    }
                }
            }
        }
        let mut data_to_hash = String::new();
        for (hash, mut nodes) in related {
            data_to_hash.push_str(&hash);
            let mut chosen_path = String::new();
            let mut chosen_issuer: Option<Issuer> = None;
            nodes.sort_unstable();
            let mut permutation = Some(nodes);
            while let Some(p) = permutation {
                self.permutations += 1;
                if self.permutations > self.limits.permutations {
                    return Err(RdfcError::TooComplex(self.limits.permutations));
                }
                if let Some(found) = self.try_permutation(&p, &issuer, &chosen_path)? {
                    chosen_path = found.0;
                    chosen_issuer = Some(found.1);
                }
                permutation = next_permutation(p);
            }
            data_to_hash.push_str(&chosen_path);
            if let Some(chosen) = chosen_issuer {
                issuer = chosen;
            }
        }
        Ok((hex_digest::<D>(data_to_hash.as_bytes()), issuer))
    }

    /// One permutation of step 5.4: its path and issuer when they beat `chosen_path`.
    fn try_permutation(
        &mut self,
        permutation: &[usize],
        issuer: &Issuer,
        chosen_path: &str,
    ) -> Result<Option<(String, Issuer)>, RdfcError> {
        let worse = |path: &str| {
            !chosen_path.is_empty() && path.len() >= chosen_path.len() && path > chosen_path
        };
        let mut issuer_copy = issuer.clone();
        let mut path = String::new();
        let mut recursion = Vec::new();
        for &related in permutation {
            if let Some(id) = self.canonical.get(related) {
                path.push_str("_:");
                path.push_str(id);
            } else {
                if issuer_copy.get(related).is_none() {
                    recursion.push(related);
                }
                path.push_str("_:");
                path.push_str(&issuer_copy.issue(related));
            }
            if worse(&path) {
                return Ok(None);
            }
        }
        for related in recursion {
            let (hash, result_issuer) = self.hash_n_degree(related, issuer_copy.clone())?;
            issuer_copy = result_issuer;
            path.push_str("_:");
            path.push_str(&issuer_copy.issue(related));
            path.push('<');
            path.push_str(&hash);
            path.push('>');
            if worse(&path) {
                return Ok(None);
            }
        }
        if chosen_path.is_empty() || path.as_str() < chosen_path {
            Ok(Some((path, issuer_copy)))
        } else {
            Ok(None)
        }
    }
}

/// The next permutation in lexicographic order, or `None` after the last.
fn next_permutation(mut v: Vec<usize>) -> Option<Vec<usize>> {
    let i = (1..v.len()).rev().find(|&i| v[i - 1] < v[i])?;
    let j = (i..v.len()).rev().find(|&j| v[j] > v[i - 1])?;
    v.swap(i - 1, j);
    v[i..].reverse();
    Some(v)
}

/// The canonical N-Quads of `quads` (SHA-256, default limits).
pub fn canonicalize(quads: &[Quad]) -> Result<String, RdfcError> {
    canonicalize_with::<sha2::Sha256>(quads, DEFAULT_LIMITS).map(|(nquads, _)| nquads)
}

/// The canonical N-Quads and the issued identifiers map (input label → canonical label), with
/// hash algorithm `D` and work `limits`.
pub fn canonicalize_with<D: Digest>(
    quads: &[Quad],
    limits: Limits,
) -> Result<(String, BTreeMap<String, String>), RdfcError> {
    let data = Dataset::new(quads);
    let mut state = State::<D> {
        data: &data,
        canonical: Issuer::new("c14n"),
        first_degree: Vec::new(),
        limits,
        hndq_calls: 0,
        permutations: 0,
        _digest: std::marker::PhantomData,
    };
    // Step 3: first-degree hashes; blank nodes grouped by hash, in hash order.
    state.first_degree = (0..data.labels.len())
        .map(|b| state.hash_first_degree(b))
        .collect();
    let mut by_hash: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (b, hash) in state.first_degree.iter().enumerate() {
        by_hash.entry(hash.as_str()).or_default().push(b);
    }
    // Step 4: a unique hash gives its node the next canonical identifier.
    let mut shared = Vec::new();
    for nodes in by_hash.into_values() {
        if nodes.len() == 1 {
            state.canonical.issue(nodes[0]);
        } else {
            shared.push(nodes);
        }
    }
    // Step 5: nodes sharing a hash are told apart by their N-degree hashes.
    for nodes in shared {
        let mut results = Vec::new();
        for node in nodes {
            if state.canonical.get(node).is_some() {
                continue;
            }
            let mut temporary = Issuer::new("b");
            temporary.issue(node);
            results.push(state.hash_n_degree(node, temporary)?);
        }
        results.sort_by(|a, b| a.0.cmp(&b.0));
        for (_, issuer) in results {
            for node in issuer.order {
                state.canonical.issue(node);
            }
        }
    }
    // Step 6: every quad with canonical labels, lines in code point order.
    let canonical = &state.canonical;
    let mut lines: Vec<String> = (0..data.quads.len())
        .map(|q| {
            let mut line = String::new();
            data.line(q, &mut line, &|b, out| {
                out.push_str("_:");
                out.push_str(canonical.get(b).map(String::as_str).unwrap_or_default());
            });
            line
        })
        .collect();
    lines.sort_unstable();
    let map = (0..data.labels.len())
        .filter_map(|b| Some((data.labels[b].clone(), canonical.get(b)?.clone())))
        .collect();
    Ok((lines.concat(), map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, NamedNode};

    /// Twelve blank nodes all linked to each other: refused by the work budget (the criterion
    /// bench `rdfc` measures how fast), not hashed for hours.
    #[test]
    fn a_graph_built_to_explode_is_refused() {
        let n = 12;
        let mut quads = Vec::new();
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    quads.push(Quad::new(
                        BlankNode::new_unchecked(format!("b{i}")),
                        NamedNode::new_unchecked("http://example.org/knows"),
                        BlankNode::new_unchecked(format!("b{j}")),
                        GraphName::DefaultGraph,
                    ));
                }
            }
        }
        assert!(matches!(
            canonicalize(&quads),
            Err(RdfcError::TooComplex(_))
        ));
    }

    #[test]
    fn literals_are_escaped_as_jsonld_js_escapes_them() {
        let l = oxrdf::Literal::new_simple_literal(
            "x\u{FFFE}y\u{1}\u{8}\t\u{B}\u{C}\u{7F}\u{80}\u{2028}\"\\\n\r",
        );
        // What rdf-canonize 5 (jsonld.js) prints for the same value.
        assert_eq!(
            literal(&l),
            "\"x\u{FFFE}y\\u0001\\b\\t\\u000B\\f\\u007F\u{80}\u{2028}\\\"\\\\\\n\\r\""
        );
        let typed = oxrdf::Literal::new_typed_literal("1", oxrdf::vocab::xsd::INTEGER);
        assert_eq!(
            literal(&typed),
            "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>"
        );
        let tagged = oxrdf::Literal::new_language_tagged_literal_unchecked("bonjour", "fr");
        assert_eq!(literal(&tagged), "\"bonjour\"@fr");
    }

    #[test]
    fn permutations_in_order() {
        let mut all = Vec::new();
        let mut p = Some(vec![0, 1, 2]);
        while let Some(v) = p {
            all.push(v.clone());
            p = next_permutation(v);
        }
        assert_eq!(all.len(), 6);
        assert_eq!(all[1], vec![0, 2, 1]);
        assert_eq!(all[5], vec![2, 1, 0]);
        assert_eq!(next_permutation(vec![]), None);
    }
}
