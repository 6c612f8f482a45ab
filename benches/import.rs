//! Imports a Moodle export of 10,000 completions from 2,000 learners into a fresh SQLite
//! database, issuing every award they trigger, and prints the time it took. Not a criterion
//! bench (one long run): `cargo bench --bench import`. `INSIGNE_BENCH_DATABASE_URL` names
//! another (empty) database instead, a PostgreSQL one say.

// A benchmark or a test fails loudly: unwrap, expect and panic say where.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Instant;

use insigne::domain::{Clock, SystemClock};
use insigne::formats::PublicUrls;
use insigne::import::moodle::MoodleMapping;
use insigne::proof::KeyRing;
use insigne::service::Insigne;
use insigne::storage::Store;

/// 2,000 learners; `INSIGNE_BENCH_LEARNERS` sets another number (for profiling).
fn learners() -> usize {
    std::env::var("INSIGNE_BENCH_LEARNERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_000)
}
const PER_LEARNER: usize = 5;

/// The export: every learner completes five of the eleven modules, in a pattern that varies
/// from one learner to the next (so that parcours, competency and stackable badges all occur).
fn export(activities: &[String]) -> String {
    let mut header = vec![
        "ID de l'utilisateur".to_string(),
        "Prénom".into(),
        "Nom".into(),
        "Adresse de courriel".into(),
    ];
    for a in activities {
        header.push(a.clone());
        header.push(format!("{a} - Date d'achèvement"));
    }
    header.push("Achèvement du cours".into());
    let mut out = format!("\u{feff}{}\r\n", header.join(";"));
    for l in 0..learners() {
        let mut row = vec![
            format!("{}", 10_000 + l),
            format!("Prénom{l}"),
            format!("Nom{l}"),
            format!("formateur{l}@ac-versailles.fr"),
        ];
        let start = (l * 3) % activities.len();
        let done: Vec<usize> = (0..PER_LEARNER)
            .map(|k| (start + k) % activities.len())
            .collect();
        for i in 0..activities.len() {
            if done.contains(&i) {
                row.push("Terminé".into());
                row.push(format!("{:02}/03/2026, 10:{:02}", 1 + i, l % 60));
            } else {
                row.push("Non terminé".into());
                row.push(String::new());
            }
        }
        row.push("Non terminé".into());
        out.push_str(&row.join(";"));
        out.push_str("\r\n");
    }
    out
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = std::env::var("INSIGNE_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
        let store = Store::connect(&url).await.expect("db");
        store.migrate().await.expect("migrate");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let keys = KeyRing::generate(&dir.path().join("keys"), clock.now()).expect("keys");
        let app = Insigne {
            store,
            keys: keys.into(),
            urls: PublicUrls::new("https://badges.ac-versailles.fr"),
            clock,
            did_method: Default::default(),
            moodle_mapping: Arc::new(MoodleMapping::default()),
            attendance_mapping: Arc::new(Default::default()),
            fetcher: Arc::new(insigne::verify::fetch::GuardedFetcher::new(&[])),
            evaluation_lease: insigne::service::EVALUATION_LEASE,
            cpu: insigne::cpu::CpuPool::for_this_machine(),
            verify_deadline: insigne::verify::DEADLINE,
            trusted_proxies: std::sync::Arc::new(Vec::new()),
            body_deadline: insigne::http::edge::BODY_DEADLINE,
        };
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalogue/ecap.toml");
        let catalogue = std::fs::read_to_string(&path).expect("catalogue");
        app.load_catalogue(&catalogue, path.parent()).await.expect("load");
        let parsed = insigne::catalogue::parse(&catalogue, path.parent()).expect("catalogue");
        let activities: Vec<String> = parsed.modules.iter().map(|m| m.lms_ids[0].clone()).collect();
        let csv = export(&activities);

        let started = Instant::now();
        let summary = app
            .import_moodle(csv.as_bytes(), &MoodleMapping::default(), &|_| {})
            .await
            .expect("import");
        let elapsed = started.elapsed();
        assert_eq!(summary.completions_new, learners() * PER_LEARNER);
        println!(
            "import: {} completions, {} learners, {} awards issued in {:.1} s ({:.0} completions/s, {:.1} ms per award)",
            summary.completions_new,
            learners(),
            summary.awards_issued,
            elapsed.as_secs_f64(),
            summary.completions_new as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64() * 1000.0 / summary.awards_issued.max(1) as f64,
        );
    });
}
