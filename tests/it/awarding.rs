//! The e-CAP catalogue and automatic awarding, end to end, on both databases.

use std::collections::BTreeMap;
use std::path::Path;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, TestApp};
use crate::on_both_backends;

fn example(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(path)
}

pub(crate) async fn load_example_catalogue(t: &TestApp) {
    let path = example("catalogue/ecap.toml");
    let text = std::fs::read_to_string(&path).expect("catalogue");
    t.app
        .load_catalogue(&text, path.parent())
        .await
        .expect("loads");
}

/// email → badge codes awarded, from an import summary.
fn awarded(summary: &insigne::service::ImportSummary) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &summary.awards {
        out.entry(a.email.clone())
            .or_default()
            .push(a.badge.clone());
    }
    out
}

on_both_backends!(the_sample_export_earns_exactly_the_expected_badges);

async fn the_sample_export_earns_exactly_the_expected_badges(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let csv = std::fs::read(example("moodle/progress.e-cap_2025-2026.csv")).expect("csv");
    let mapping = insigne::import::moodle::MoodleMapping::default();
    let summary = t
        .app
        .import_moodle(&csv, &mapping, &|_| {})
        .await
        .expect("import");

    assert_eq!(summary.rows_read, 8);
    assert_eq!(summary.rows_accepted, 6);
    assert_eq!(
        summary
            .rows_rejected
            .iter()
            .map(|r| r.line)
            .collect::<Vec<_>>(),
        [7, 8]
    );
    assert!(
        summary.ignored_columns.is_empty(),
        "{:?}",
        summary.ignored_columns
    );
    assert_eq!(summary.completions_new, 20);
    let expected: BTreeMap<String, Vec<String>> = [
        (
            "emilie.du-chatelet@ac-versailles.fr",
            vec!["ef1", "ef2", "ef3"],
        ),
        ("irene.joliot-curie@ac-versailles.fr", vec!["ef2", "ef5"]),
        ("jean.perrin@ac-versailles.fr", vec!["ef6"]),
        (
            "marie.curie@ac-versailles.fr",
            vec![
                "e-cap1",
                "e-cap2",
                "e-cap3",
                "ef1",
                "ef2",
                "ef3",
                "ef4",
                "ef5",
                "ef6",
                "ef7",
                "ef8",
                "ef9",
                "formateur-e-formation",
            ],
        ),
        (
            "paul.langevin@ac-versailles.fr",
            vec!["e-cap1", "ef1", "ef2", "ef3", "ef4", "ef9"],
        ),
    ]
    .into_iter()
    .map(|(e, b)| (e.to_string(), b.into_iter().map(str::to_string).collect()))
    .collect();
    assert_eq!(awarded(&summary), expected);
    assert_eq!(t.app.store.count_awards().await.expect("count"), 25);

    // The parcours badge says why, with the modules and dates as evidence and the competencies
    // as alignments.
    let paul = summary
        .awards
        .iter()
        .find(|a| a.email == "paul.langevin@ac-versailles.fr" && a.badge == "e-cap1")
        .expect("award");
    let stored = t
        .app
        .award(paul.award.parse().expect("id"))
        .await
        .expect("award");
    assert_eq!(stored.award.recipient.name, "Paul Langevin");
    assert_eq!(stored.award.evidence.len(), 4);
    assert_eq!(
        stored.award.evidence[2].name.as_deref(),
        Some("E1-M3 Concevoir des activités à distance")
    );
    assert_eq!(
        stored.award.evidence[2].description.as_deref(),
        Some("Module terminé le 11/02/2026 (à distance, 6 h).")
    );
    assert!(stored
        .award
        .narrative
        .as_deref()
        .expect("narrative")
        .contains("module E1-M4 terminé le 23/02/2026"));
    let credential: Value =
        serde_json::from_str(stored.ob3_credential.as_deref().expect("ob3")).expect("json");
    assert_eq!(
        credential["evidence"].as_array().map(Vec::len),
        Some(5),
        "narrative + 4 modules"
    );
    let alignments: Vec<&str> = credential["credentialSubject"]["achievement"]["alignment"]
        .as_array()
        .expect("alignments")
        .iter()
        .filter_map(|a| a["targetCode"].as_str())
        .collect();
    assert_eq!(
        alignments,
        ["EF3", "2.2", "EF1", "EF2", "EF4", "3.2", "EF9"]
    );

    // The same file again: nothing new.
    let again = t
        .app
        .import_moodle(&csv, &mapping, &|_| {})
        .await
        .expect("import");
    assert_eq!(
        (
            again.completions_new,
            again.completions_known,
            again.awards_issued
        ),
        (0, 20, 0)
    );

    // Reloading the catalogue (even changed) keeps every award as issued.
    let before = t
        .app
        .award(paul.award.parse().expect("id"))
        .await
        .expect("award");
    let path = example("catalogue/ecap.toml");
    let changed = std::fs::read_to_string(&path).expect("read").replace(
        "e-CAP1 — Concevoir un parcours de formation hybride",
        "e-CAP1 — Concevoir (nouvel intitulé)",
    );
    let loaded = t
        .app
        .load_catalogue(&changed, path.parent())
        .await
        .expect("reload");
    assert!(
        loaded.badge_classes.iter().all(|b| !b.created),
        "upsert by code"
    );
    assert_eq!(t.app.store.count_awards().await.expect("count"), 25);
    let after = t
        .app
        .award(paul.award.parse().expect("id"))
        .await
        .expect("award");
    assert_eq!(after.ob2_assertion, before.ob2_assertion);
    assert_eq!(after.ob3_credential, before.ob3_credential);
    let class = t
        .app
        .badge_class(after.award.badge_class)
        .await
        .expect("class");
    assert_eq!(class.name, "e-CAP1 — Concevoir (nouvel intitulé)");
}

on_both_backends!(concurrent_reports_award_once);

async fn concurrent_reports_award_once(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let report = |module: &str, day: u32| insigne::service::CompletionInput {
        learner: Some(insigne::service::inputs::RecipientInput {
            email: Some("ada.lovelace@ac-versailles.fr".into()),
            name: Some("Ada Lovelace".into()),
            lang: None,
        }),
        module: Some(module.into()),
        completed_at: Some(format!("2026-03-{day:02}T10:00:00Z")),
        source: Some("api".into()),
        external_id: Some(format!("ada-{module}")),
    };
    for (i, m) in ["E1-M1", "E1-M2", "E1-M3"].iter().enumerate() {
        t.app
            .record_completions(&[report(m, i as u32 + 1)])
            .await
            .expect("record");
    }
    // The completion that earns e-CAP1 and EF9, sent 50 times at once.
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let app = t.app.clone();
            let input = report("E1-M4", 20);
            tokio::spawn(async move { app.record_completions(&[input]).await })
        })
        .collect();
    let mut new = 0;
    let mut awards: Vec<String> = Vec::new();
    for task in tasks {
        let outcome = task.await.expect("join").expect("record");
        new += outcome.recorded.iter().filter(|r| **r).count();
        awards.extend(outcome.awards.iter().map(|a| a.badge_code.clone()));
    }
    assert_eq!(new, 1, "one completion recorded");
    awards.sort();
    assert_eq!(awards, ["e-cap1", "ef9"], "each badge awarded once");
    assert_eq!(t.app.store.count_completions().await.expect("count"), 4);
    // ef1..ef4 from the first three modules, e-cap1 and ef9 now.
    assert_eq!(t.app.store.count_awards().await.expect("count"), 6);
}

#[tokio::test]
async fn the_http_api_loads_catalogues_and_takes_completions() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let catalogue = std::fs::read_to_string(example("catalogue/ecap.toml")).expect("catalogue");
    let put = |body: String, ct: &str, token: &str| {
        Request::put("/api/v1/catalogue")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .expect("request")
    };
    // Refused as a whole: a rule naming an unknown module.
    let bad = catalogue.replace(
        "rule = { parcours = \"e-CAP3\" }",
        "rule = { all_modules = [\"E3-M9\"] }",
    );
    let (status, _, body) = t.raw(put(bad, "application/toml", &t.admin_token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(
        body["error"]["fields"][0]["field"],
        "badge[e-cap3].rule.modules[0]"
    );
    assert_eq!(
        t.app.store.count_modules().await.expect("count"),
        0,
        "nothing saved"
    );
    let (status, _, _) = t
        .raw(put(catalogue.clone(), "application/json", &t.admin_token))
        .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, _, _) = t
        .raw(put(catalogue.clone(), "application/toml", &t.ingest_token))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) = t
        .raw(put(catalogue, "application/toml", &t.admin_token))
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["modules"], 11);
    assert_eq!(body["badge_classes"].as_array().map(Vec::len), Some(16));

    // An admin's edit of a catalogue badge class keeps it in the catalogue, rule included.
    let ef3 = body["badge_classes"]
        .as_array()
        .expect("list")
        .iter()
        .find(|b| b["code"] == "ef3")
        .expect("ef3");
    let path = format!("/api/v1/badge-classes/{}", ef3["id"].as_str().expect("id"));
    let (_, class) = t.admin(Method::GET, &path, None).await;
    let mut edit = crate::common::badge_class_body(class["issuer"].as_str().expect("issuer"));
    edit["name"] = json!("EF3 — intitulé revu");
    let (status, _) = t.admin(Method::PUT, &path, Some(edit)).await;
    assert_eq!(status, StatusCode::OK);
    let stored = t.app.store.load_catalogue().await.expect("catalogue");
    let ef3 = stored
        .badges
        .iter()
        .find(|b| b.code == "ef3")
        .expect("still a rule badge");
    assert_eq!(ef3.name, "EF3 — intitulé revu");
    assert_eq!(stored.badges.len(), 16);

    // Completions with the ingest token: one, then a batch with the trace of what they earn.
    let ingest = t.ingest_token.clone();
    let one = json!({"learner": {"email": "ada@ac-versailles.fr", "name": "Ada"}, "module": "E1-M1", "completed_at": "2026-03-01"});
    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/completions",
            Some(&ingest),
            Some(one.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["completions"][0]["status"], "recorded");
    assert_eq!(body["awards"][0]["trace"]["badge"], "ef3");
    assert_eq!(
        body["awards"][0]["trace"]["satisfied_by"][0]["module"],
        "E1-M1"
    );
    assert!(body["awards"][0]["links"]["ob3_credential"].is_string());
    let (_, body) = t
        .call(
            Method::POST,
            "/api/v1/completions",
            Some(&ingest),
            Some(one),
        )
        .await;
    assert_eq!(body["completions"][0]["status"], "already_known");
    assert_eq!(body["awards"], json!([]));

    // A bad batch is refused whole, every problem named with its index.
    let batch = json!([
        {"learner": {"email": "ada@ac-versailles.fr", "name": "Ada"}, "module": "E1-M2", "completed_at": "2026-03-02"},
        {"learner": {"name": "Sans courriel"}, "module": "E9-M9", "completed_at": "hier"},
    ]);
    let (status, body) = t
        .call(
            Method::POST,
            "/api/v1/completions",
            Some(&ingest),
            Some(batch),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields: Vec<&str> = body["error"]["fields"]
        .as_array()
        .expect("fields")
        .iter()
        .filter_map(|f| f["field"].as_str())
        .collect();
    assert_eq!(
        fields,
        ["[1].learner.email", "[1].module", "[1].completed_at"]
    );
    assert_eq!(
        t.app.store.count_completions().await.expect("count"),
        1,
        "nothing of the bad batch recorded"
    );
    let (status, _) = t
        .call(
            Method::POST,
            "/api/v1/completions",
            None,
            Some(json!({"module": "E1-M1"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The CSV import over HTTP.
    let csv = std::fs::read(example("moodle/progress.e-cap_2025-2026.csv")).expect("csv");
    let req = Request::post("/api/v1/completions/import")
        .header(header::AUTHORIZATION, format!("Bearer {ingest}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv))
        .expect("request");
    let (status, _, body) = t.raw(req).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["rows_rejected"][0]["line"], 7);
    assert_eq!(body["awards_issued"], 25);
    let req = Request::post("/api/v1/completions/import")
        .header(header::AUTHORIZATION, format!("Bearer {ingest}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(b"\xc3\x28 not utf-8".to_vec()))
        .expect("request");
    let (status, _, body) = t.raw(req).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("UTF-8"));
}

/// A module Moodle reports as failed ("completion-fail", in its French and English strings)
/// never counts: the learner who failed the last module of e-CAP1 gets no e-CAP1 badge, the
/// one who passed it does.
#[tokio::test]
async fn a_module_failed_in_moodle_never_awards() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    load_example_catalogue(&t).await;
    let modules = [
        "e-CAP1 Module 1 : Découvrir la e-formation et m@gistère",
        "e-CAP1 Module 2 : Scénariser un parcours hybride",
        "e-CAP1 Module 3 : Concevoir des activités à distance",
        "e-CAP1 Module 4 : Analyser un parcours avec la grille qualité",
    ];
    let mut csv = String::from("Prénom;Nom;Adresse de courriel");
    for m in modules {
        csv.push_str(&format!(";{m};{m} - Date d'achèvement"));
    }
    csv.push('\n');
    for (email, last) in [
        (
            "echec.fr@ac-versailles.fr",
            "Terminé (n’a pas atteint la note minimale de réussite)",
        ),
        (
            "echec.fr3@ac-versailles.fr",
            "Terminé (n'a pas atteint la note pour passer)",
        ),
        (
            "failed.en@ac-versailles.fr",
            "Completed (did not achieve pass grade)",
        ),
        (
            "reussi@ac-versailles.fr",
            "Terminé (note minimale de réussite atteinte)",
        ),
    ] {
        csv.push_str(&format!("Prénom;Nom;{email}"));
        for status in ["Terminé", "Terminé", "Terminé", last] {
            csv.push_str(&format!(";{status};12/01/2026, 09:14"));
        }
        csv.push('\n');
    }
    let summary = t
        .app
        .import_moodle(
            csv.as_bytes(),
            &insigne::import::moodle::MoodleMapping::default(),
            &|_| {},
        )
        .await
        .expect("import");
    let awarded = awarded(&summary);
    assert!(
        awarded
            .get("reussi@ac-versailles.fr")
            .is_some_and(|b| b.iter().any(|c| c == "e-cap1")),
        "{awarded:?}"
    );
    for email in [
        "echec.fr@ac-versailles.fr",
        "echec.fr3@ac-versailles.fr",
        "failed.en@ac-versailles.fr",
    ] {
        assert!(
            !awarded
                .get(email)
                .is_some_and(|b| b.iter().any(|c| c == "e-cap1")),
            "{email}: {awarded:?}"
        );
    }
}

on_both_backends!(moodles_course_completion_report_awards_what_was_passed);

/// The course completion report (`report/completion`): the learner who passed every e-CAP2
/// module earns e-CAP2 under her full name; the one who failed module 3 (a failure that carries
/// a date in this report) does not.
async fn moodles_course_completion_report_awards_what_was_passed(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let csv = std::fs::read(example("moodle/completion-e-cap2_2025-2026.csv")).expect("csv");
    let summary = t
        .app
        .import_moodle(&csv, &Default::default(), &|_| {})
        .await
        .expect("import");
    assert_eq!(
        summary.layout,
        Some(insigne::import::moodle::Layout::CourseCompletion)
    );
    assert_eq!((summary.rows_read, summary.rows_accepted), (3, 3));
    assert!(summary.ignored_columns.is_empty(), "{summary:?}");
    assert_eq!(summary.completions_new, 9);
    let awarded = awarded(&summary);
    assert!(
        awarded["marguerite.perey@ac-versailles.fr"].contains(&"e-cap2".to_string()),
        "{awarded:?}"
    );
    assert!(
        !awarded
            .get("frederic.joliot@ac-versailles.fr")
            .is_some_and(|b| b.contains(&"e-cap2".to_string())),
        "{awarded:?}"
    );
    let marguerite = summary
        .awards
        .iter()
        .find(|a| a.email == "marguerite.perey@ac-versailles.fr" && a.badge == "e-cap2")
        .expect("award");
    let stored = t
        .app
        .award(marguerite.award.parse().expect("id"))
        .await
        .expect("award");
    assert_eq!(stored.award.recipient.name, "Marguerite Perey");
}

/// "CSV compatible Excel" (UTF-16LE, tabs) awards exactly what "CSV (UTF-8)" does.
#[tokio::test]
async fn the_excel_download_awards_what_the_utf8_one_does() {
    let mut results = Vec::new();
    for file in [
        "moodle/progress.e-cap_2025-2026.csv",
        "moodle/progress.e-cap_2025-2026.excel.csv",
    ] {
        let t = TestApp::new(Backend::Sqlite).await.expect("app");
        load_example_catalogue(&t).await;
        let bytes = std::fs::read(example(file)).expect("csv");
        let summary = t
            .app
            .import_moodle(&bytes, &Default::default(), &|_| {})
            .await
            .expect("import");
        results.push((
            summary.rows_read,
            summary.rows_rejected.clone(),
            summary.completions_new,
            awarded(&summary),
        ));
    }
    assert_eq!(results[0].2, 20);
    assert_eq!(results[0], results[1]);
}
