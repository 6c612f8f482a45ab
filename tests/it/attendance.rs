//! Participation badges: the sample attendance exports imported through the API and the CLI,
//! each person's attendance at a session counted once, the badge awarded once with the
//! sessions as evidence, a fault or a crash anywhere losing and duplicating nothing, and the
//! attendances part of a trainer's export and erasure.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use insigne::faults::{FaultAction, FaultPoint, Faults};
use insigne::service::AttendanceSummary;
use serde_json::{json, Value};

use crate::awarding::load_example_catalogue;
use crate::common::{Backend, TestApp};
use crate::durable::{assert_consistent, awards_in};

const CLAIRE: &str = "claire.martin@ac-versailles.fr";
const JULIEN: &str = "julien.bernard@ac-versailles.fr";
const KARIM: &str = "karim.benali@ac-versailles.fr";
const AUDITEUR: &str = "jeudis-recherche-auditeur";
const WEBINAIRES: &str = "webinaires-magistere-participant";

fn sample_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/attendance")
        .join(name)
}

pub(crate) fn sample(name: &str) -> Vec<u8> {
    std::fs::read(sample_path(name)).expect("sample")
}

/// Posts an attendance export with the ingest token.
async fn post(t: &TestApp, query: &str, body: Vec<u8>, mime: &str) -> (StatusCode, Value) {
    let req = Request::post(format!("/api/v1/attendance/import{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {}", t.ingest_token))
        .header(header::CONTENT_TYPE, mime)
        .body(Body::from(body))
        .expect("request");
    let (status, _, bytes) = t.raw(req).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn import(t: &TestApp, name: &str) -> AttendanceSummary {
    let (status, body) = post(t, "", sample(name), "text/csv").await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    serde_json::from_value(body).expect("summary")
}

fn awarded(s: &AttendanceSummary) -> Vec<(&str, &str)> {
    s.awards
        .iter()
        .map(|a| (a.email.as_str(), a.badge.as_str()))
        .collect()
}

crate::on_both_backends!(the_samples_award_each_badge_once_with_the_sessions_as_evidence);
async fn the_samples_award_each_badge_once_with_the_sessions_as_evidence(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;

    // A dry run records nothing and says what would follow.
    let (status, dry) = post(
        &t,
        "?dry_run=true",
        sample("classe-virtuelle-magistere.csv"),
        "text/csv",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{dry:#}");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["attendances_new"], 7);
    assert_eq!(dry["awards"][0]["badge"], AUDITEUR);
    assert_eq!(t.app.store.count_attendances().await.expect("count"), 0);

    let list = import(&t, "classe-virtuelle-magistere.csv").await;
    assert_eq!(list.rows_read, 9);
    assert_eq!(list.rows_rejected.len(), 1, "{list:?}");
    assert_eq!(list.rows_rejected[0].line, 10);
    assert_eq!(list.sessions.len(), 3);
    assert!(list
        .sessions
        .iter()
        .all(|s| s.series.as_deref() == Some("jeudis-de-la-recherche")));
    assert_eq!(list.attendances_new, 7);
    assert_eq!(awarded(&list), [(CLAIRE, AUDITEUR)]);
    // Julien's third session was too short, and the trace says so.
    let julien = list
        .progress
        .iter()
        .find(|p| p.email == JULIEN && p.badge == AUDITEUR)
        .expect("progress");
    assert_eq!(
        (julien.counted, julien.needed, julien.earned),
        (2, 3, false)
    );
    let json = serde_json::to_value(julien).expect("json");
    assert_eq!(json["sessions"][2]["verdict"], "too_short", "{json:#}");
    assert_eq!(json["sessions"][2]["minutes"], 32);
    assert_eq!(json["sessions"][2]["min_minutes"], 45);

    // Zoom, then Teams: Karim's two webinars earn theirs; the Jeudis session of the list does
    // not count for it (another series).
    let zoom = import(&t, "zoom-participants.csv").await;
    assert_eq!(zoom.attendances_new, 3);
    assert!(zoom.awards.is_empty(), "{zoom:?}");
    let teams = import(&t, "teams-attendance.csv").await;
    assert_eq!(awarded(&teams), [(KARIM, WEBINAIRES)]);
    let karim = teams
        .progress
        .iter()
        .find(|p| p.email == KARIM && p.badge == WEBINAIRES)
        .expect("progress");
    assert_eq!(karim.counted, 2);

    // The same files again: nothing new, nothing awarded.
    for name in [
        "classe-virtuelle-magistere.csv",
        "zoom-participants.csv",
        "teams-attendance.csv",
    ] {
        let again = import(&t, name).await;
        assert_eq!(
            (again.attendances_new, again.attendances_longer),
            (0, 0),
            "{name}"
        );
        assert!(again.awards.is_empty(), "{name}: {again:?}");
    }
    t.app.drain_evaluations().await.expect("drain");
    let awards = awards_in(&t.db.url).await;
    assert_eq!(
        awards.get(CLAIRE).map(Vec::as_slice),
        Some(&[AUDITEUR.to_string()][..])
    );
    assert_eq!(
        awards.get(KARIM).map(Vec::as_slice),
        Some(&[WEBINAIRES.to_string()][..])
    );
    assert!(!awards.contains_key(JULIEN));
    assert_consistent(&t.db.url).await;

    // The sessions are the award's evidence: OB 2.0, OB 3.0 and the badge page.
    let id = &list.awards[0].award;
    let (status, award) = t
        .admin(Method::GET, &format!("/api/v1/awards/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let path = |k: &str| {
        award["links"][k]
            .as_str()
            .expect("link")
            .trim_start_matches(crate::common::BASE)
            .to_string()
    };
    let (_, _, ob2) = t.get(&path("ob2_assertion")).await;
    let ob2: Value = serde_json::from_slice(&ob2).expect("ob2");
    let sessions = |doc: &Value| -> Vec<Value> {
        doc["evidence"]
            .as_array()
            .expect("evidence")
            .iter()
            .filter(|e| e["name"].as_str().is_some_and(|n| n.starts_with("Jeudis")))
            .cloned()
            .collect()
    };
    let evidence = sessions(&ob2);
    assert_eq!(evidence.len(), 3, "{ob2:#}");
    assert!(evidence[0]["name"]
        .as_str()
        .expect("name")
        .starts_with("Jeudis de la recherche — L'attention en classe (08/01/2026)"));
    assert!(evidence[1]["description"]
        .as_str()
        .expect("description")
        .contains("83 minutes"));
    let (_, _, ob3) = t.get(&path("ob3_credential")).await;
    let ob3: Value = serde_json::from_slice(&ob3).expect("ob3");
    let evidence = sessions(&ob3);
    assert_eq!(evidence.len(), 3, "{ob3:#}");
    assert!(evidence.iter().all(|e| e["type"]
        .as_array()
        .is_some_and(|t| t.contains(&json!("Evidence")))));
    let (status, _, page) = t
        .raw(
            Request::get(path("page"))
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8_lossy(&page);
    assert!(page.contains("Mémoriser durablement"), "{page}");
    assert!(page.contains("Évaluer pour faire apprendre"), "{page}");
}

crate::on_both_backends!(bad_files_are_refused_whole_with_what_is_known);
async fn bad_files_are_refused_whole_with_what_is_known(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    // No catalogue, hence no series: said before anything is read.
    let (status, body) = post(&t, "", sample("zoom-participants.csv"), "text/csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body:#}");
    assert!(body.to_string().contains("[[series]]"), "{body:#}");
    load_example_catalogue(&t).await;
    let (status, body) = post(&t, "", b"Nom;Classe\nClaire;4e B\n".to_vec(), "text/csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body:#}");
    let text = body.to_string();
    assert!(text.contains("file"), "{body:#}");
    assert!(text.contains("Zoom participants report"), "{body:#}");
    assert!(text.contains("Teams attendance report"), "{body:#}");
    let (status, body) = post(&t, "", sample("bbb-learning-dashboard.csv"), "text/csv").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.to_string().contains("Learning Analytics Dashboard"),
        "{body:#}"
    );
    let (status, _) = post(&t, "", sample("zoom-participants.csv"), "application/json").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (status, body) = post(
        &t,
        "?dry_run=maybe",
        sample("zoom-participants.csv"),
        "text/csv",
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body:#}");
    assert!(body.to_string().contains("dry_run"), "{body:#}");
    let req = Request::post("/api/v1/attendance/import")
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(sample("zoom-participants.csv")))
        .expect("request");
    assert_eq!(t.raw(req).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(t.app.store.count_attendances().await.expect("count"), 0);
}

crate::on_both_backends!(the_same_session_in_two_files_counts_once_the_longest_kept);
async fn the_same_session_in_two_files_counts_once_the_longest_kept(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    import(&t, "classe-virtuelle-magistere.csv").await;
    let before = t.app.store.count_attendances().await.expect("count");
    // Julien's short session again, from another export: longer this time. Written otherwise
    // (case, spaces, a date with seconds), it is the same session.
    let csv = "Courriel,Nom,Séance,Début,Durée (minutes)\n\
               julien.bernard@ac-versailles.fr,Julien Bernard,JEUDIS DE LA RECHERCHE —  Évaluer pour faire apprendre,05/02/2026 17:02:10,50\n\
               claire.martin@ac-versailles.fr,Claire Martin,Jeudis de la recherche — L'attention en classe,08/01/2026 17:00,30\n";
    let (status, body) = post(&t, "", csv.as_bytes().to_vec(), "text/csv").await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    let s: AttendanceSummary = serde_json::from_value(body).expect("summary");
    assert_eq!(
        (s.attendances_new, s.attendances_longer, s.attendances_known),
        (0, 1, 1)
    );
    assert_eq!(awarded(&s), [(JULIEN, AUDITEUR)]);
    assert_eq!(
        t.app.store.count_attendances().await.expect("count"),
        before
    );
    // Claire's 92 minutes stay: a shorter report changes nothing.
    let claire = insigne::domain::EmailAddress::parse(CLAIRE).expect("email");
    let kept = t
        .app
        .store
        .attendances_of(&claire)
        .await
        .expect("attendances");
    assert_eq!(kept[0].minutes, 92);
    let awards = awards_in(&t.db.url).await;
    assert_eq!(awards.values().map(Vec::len).sum::<usize>(), 2);
}

crate::on_both_backends!(a_fault_anywhere_loses_and_duplicates_nothing);
async fn a_fault_anywhere_loses_and_duplicates_nothing(backend: Backend) {
    let csv = sample("classe-virtuelle-magistere.csv");
    for point in [
        FaultPoint::CompletionInserted,
        FaultPoint::ImportChunk,
        FaultPoint::CompletionsCommitted,
        FaultPoint::AwardClaimed,
        FaultPoint::AwardStored,
        FaultPoint::AwardCommitted,
        FaultPoint::EvaluationDone,
    ] {
        let Some(mut t) = TestApp::new(backend).await else {
            return;
        };
        load_example_catalogue(&t).await;
        t.app.store = t
            .app
            .store
            .clone()
            .with_faults(Faults::at(point, FaultAction::Fail, 1));
        let first = t
            .app
            .import_attendance(
                &csv,
                &Default::default(),
                false,
                &Default::default(),
                &|_| {},
            )
            .await;
        match &first {
            Err(e) => assert!(e.to_string().contains(point.name()), "{point}: {e}"),
            Ok(s) => assert!(!s.pending.is_empty(), "{point}: the fault struck nowhere"),
        }
        if point == FaultPoint::CompletionInserted {
            assert_eq!(
                t.app.store.count_attendances().await.expect("count"),
                0,
                "whole or nothing"
            );
        }
        // Restarted an hour later, without the fault: the worker finishes, the file comes again.
        let later = insigne::service::Insigne {
            clock: std::sync::Arc::new(insigne::domain::FixedClock(
                t.app.clock.now() + chrono::Duration::minutes(60),
            )),
            store: t.app.store.clone().with_faults(Faults::none()),
            ..t.app.clone()
        };
        later.drain_evaluations().await.expect("drain");
        let again = later
            .import_attendance(
                &csv,
                &Default::default(),
                false,
                &Default::default(),
                &|_| {},
            )
            .await
            .expect("again");
        later.drain_evaluations().await.expect("drain");
        assert_eq!(
            again.attendances_new,
            if point == FaultPoint::CompletionInserted {
                7
            } else {
                0
            },
            "{point}"
        );
        let awards = awards_in(&t.db.url).await;
        assert_eq!(
            awards.get(CLAIRE).map(Vec::as_slice),
            Some(&[AUDITEUR.to_string()][..]),
            "{point}: {awards:?}"
        );
        assert_eq!(awards.len(), 1, "{point}: {awards:?}");
        assert_consistent(&t.db.url).await;
    }
}

crate::on_both_backends!(attendances_are_exported_and_erased_with_the_trainer);
async fn attendances_are_exported_and_erased_with_the_trainer(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    import(&t, "classe-virtuelle-magistere.csv").await;
    import(&t, "zoom-participants.csv").await;
    let (status, export) = t
        .admin(
            Method::GET,
            &format!("/api/v1/trainers/{CLAIRE}/export"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let attended = export["attendances"].as_array().expect("attendances");
    assert_eq!(attended.len(), 4, "{export:#}");
    assert_eq!(attended[0]["minutes"], 92);
    assert_eq!(attended[0]["source"], "list");
    assert_eq!(attended[2]["source"], "zoom");
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/trainers/{CLAIRE}/erase"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let claire = insigne::domain::EmailAddress::parse(CLAIRE).expect("email");
    assert!(t
        .app
        .store
        .attendances_of(&claire)
        .await
        .expect("read")
        .is_empty());
    let julien = insigne::domain::EmailAddress::parse(JULIEN).expect("email");
    assert_eq!(
        t.app
            .store
            .attendances_of(&julien)
            .await
            .expect("read")
            .len(),
        3
    );
}

/// `insigne attendance import`, dry run, real run, a bad file, and a process killed in the
/// middle then restarted.
#[tokio::test]
async fn the_cli_imports_attendance_and_survives_a_crash() {
    let Some(site) = crate::crash::Site::new(Backend::Sqlite).await else {
        return;
    };
    let file = sample_path("classe-virtuelle-magistere.csv");
    let run = |args: &[&str], fault: Option<&str>| {
        let mut cmd = site.command();
        cmd.args(args);
        if let Some(f) = fault {
            cmd.env("INSIGNE_FAULT", f);
        }
        cmd.output().expect("run insigne")
    };
    let path = file.display().to_string();
    let out = run(&["attendance", "import", &path, "--dry-run"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("read as an attendance list"), "{stderr}");
    assert!(stderr.contains("dry run"), "{stderr}");
    let summary: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["dry_run"], true);

    // Killed in the middle of the awards' transaction: nothing of it stays.
    let out = run(
        &["attendance", "import", &path],
        Some("award-stored:abort@1"),
    );
    assert!(!out.status.success());
    assert!(awards_in(&site.db.url).await.is_empty());
    // Started again: the file records nothing new; the waiting learner is awarded once.
    let out = run(&["attendance", "import", &path], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["attendances_new"], 0, "{summary:#}");
    // The dead process's lease (2 s here) runs out before another evaluation takes her.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let out = run(&["awards", "reconcile"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["awards", "reconcile"], None);
    assert!(out.status.success());
    let awards = awards_in(&site.db.url).await;
    assert_eq!(awards.get(CLAIRE).map(Vec::len), Some(1), "{awards:?}");
    assert_eq!(awards.len(), 1, "{awards:?}");
    assert_consistent(&site.db.url).await;

    let bad = site.dir.path().join("bad.csv");
    std::fs::write(&bad, "Nom;Classe\nClaire;4e B\n").expect("write");
    let out = run(&["attendance", "import", &bad.display().to_string()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Zoom participants report"));
}

/// The badge a participation rule awards passes the official OB 2.0 validator and the
/// OB 3.0 verifiers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participation_badge_passes_the_official_validators() {
    let Some(dir) = crate::interop_ob2::conformance_dir() else {
        return;
    };
    let crate::interop_ob2::Live {
        t, base, server, ..
    } = crate::interop_ob2::live_now().await;
    load_example_catalogue(&t).await;
    let summary = t
        .app
        .import_attendance(
            &sample("classe-virtuelle-magistere.csv"),
            &Default::default(),
            false,
            &Default::default(),
            &|_| {},
        )
        .await
        .expect("import");
    let id = &summary.awards[0].award;
    crate::interop_ob2::official_validators_accept(&dir, &t, &base, &id.to_string(), CLAIRE).await;
    server.stop().await;
}
