//! Nothing lost: at every named point between a completion and its award, a step made to fail
//! leaves the badge to be issued later, exactly once. For each point the same input is sent,
//! the service "restarts" (an hour later: leases and retry delays are over), the worker
//! finishes, the input is sent again, and the awards must equal those of a run without the
//! fault: no claim without its award, no duplicate, one message per award, sent once.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use insigne::domain::FixedClock;
use insigne::faults::{FaultAction, FaultPoint, Faults};
use insigne::notify::{Delivered, MailFuture, Mailer};
use insigne::service::{CompletionInput, Insigne};
use insigne::storage::StoredMessage;
use serde_json::json;
use sqlx::Row;

use crate::awarding::load_example_catalogue;
use crate::common::{Backend, TestApp};

/// The sample Moodle export of the repository: 20 completions, 25 awards.
pub(crate) fn sample_export() -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/moodle/progress.e-cap_2025-2026.csv"),
    )
    .expect("sample export")
}

/// A Moodle export of `learners` learners with `per_learner` of the example catalogue's
/// modules each, in a pattern that varies from one learner to the next.
pub(crate) fn generated_export(learners: usize, per_learner: usize) -> Vec<u8> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalogue/ecap.toml");
    let text = std::fs::read_to_string(&path).expect("catalogue");
    let catalogue = insigne::catalogue::parse(&text, path.parent()).expect("catalogue");
    let activities: Vec<&str> = catalogue
        .modules
        .iter()
        .map(|m| m.lms_ids[0].as_str())
        .collect();
    let mut header = vec![
        "ID de l'utilisateur".to_string(),
        "Prénom".into(),
        "Nom".into(),
        "Adresse de courriel".into(),
    ];
    for a in &activities {
        header.push(a.to_string());
        header.push(format!("{a} - Date d'achèvement"));
    }
    let mut out = format!("{}\r\n", header.join(";"));
    for l in 0..learners {
        let mut row = vec![
            format!("{}", 20_000 + l),
            format!("Prénom{l}"),
            format!("Nom{l}"),
            format!("formateur{l}@ac-versailles.fr"),
        ];
        let start = (l * 3) % activities.len();
        let done: Vec<usize> = (0..per_learner)
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
        out.push_str(&row.join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// What is sent to insigne, twice.
#[derive(Clone)]
enum Input {
    Import(Vec<u8>),
    Batch(Vec<CompletionInput>),
}

fn completion(email: &str, module: &str, day: u32) -> CompletionInput {
    CompletionInput {
        learner: Some(insigne::service::inputs::RecipientInput {
            email: Some(email.into()),
            name: Some(format!("Formateur {email}")),
            lang: None,
        }),
        module: Some(module.into()),
        completed_at: Some(format!("2026-03-{day:02}")),
        source: Some("magistere".into()),
        external_id: Some(format!("{email}/{module}")),
    }
}

/// Two learners completing e-CAP1 (four modules), one also starting e-CAP2.
fn batch() -> Vec<CompletionInput> {
    let mut out = Vec::new();
    for (i, m) in ["E1-M1", "E1-M2", "E1-M3", "E1-M4"].iter().enumerate() {
        out.push(completion("ada@ac-versailles.fr", m, i as u32 + 1));
        out.push(completion("alan@ac-versailles.fr", m, i as u32 + 5));
    }
    out.push(completion("alan@ac-versailles.fr", "E2-M1", 20));
    out
}

/// Sends the input; an error is what a client would see (a 500), not a test failure.
async fn send(app: &Insigne, input: &Input) -> Result<Vec<String>, String> {
    match input {
        Input::Import(csv) => app
            .import_moodle(csv, &Default::default(), &|_| {})
            .await
            .map(|s| s.pending)
            .map_err(|e| e.to_string()),
        Input::Batch(list) => app
            .record_completions(list)
            .await
            .map(|o| o.pending)
            .map_err(|e| e.to_string()),
    }
}

/// The same service and database, as a process started `minutes` later would be, without
/// any fault.
fn restarted(app: &Insigne, minutes: i64) -> Insigne {
    Insigne {
        clock: Arc::new(FixedClock(
            app.clock.now() + chrono::Duration::minutes(minutes),
        )),
        store: app.store.clone().with_faults(Faults::none()),
        ..app.clone()
    }
}

/// A pool on a test database, for reading what the service wrote.
pub(crate) async fn any_pool(url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(url).await.expect("pool")
}

/// email → the badge codes awarded to them, duplicates kept.
pub(crate) async fn awards_in(url: &str) -> BTreeMap<String, Vec<String>> {
    let pool = any_pool(url).await;
    let rows = sqlx::query(
        "SELECT a.recipient_email AS email, b.code AS code FROM awards a
         JOIN badge_classes b ON b.id = a.badge_class_id ORDER BY a.recipient_email, b.code",
    )
    .fetch_all(&pool)
    .await
    .expect("awards");
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in rows {
        out.entry(r.get("email")).or_default().push(r.get("code"));
    }
    pool.close().await;
    out
}

/// What must hold after any fault: every claim has its award, no award twice, one message
/// per award.
pub(crate) async fn assert_consistent(url: &str) {
    let pool = any_pool(url).await;
    let orphans: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM award_claims c WHERE NOT EXISTS (SELECT 1 FROM awards a WHERE a.id = c.award_id)",
    )
    .fetch_one(&pool)
    .await
    .expect("claims")
    .get("n");
    assert_eq!(orphans, 0, "a claim without its award");
    let twice: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM (SELECT recipient_email, badge_class_id FROM awards
         GROUP BY recipient_email, badge_class_id HAVING COUNT(*) > 1) d",
    )
    .fetch_one(&pool)
    .await
    .expect("duplicates")
    .get("n");
    assert_eq!(twice, 0, "a badge awarded twice");
    let unannounced: i64 = sqlx::query(
        "SELECT COUNT(*) AS n FROM awards a WHERE NOT EXISTS
         (SELECT 1 FROM outbox o WHERE o.award_id = a.id AND o.kind = 'awarded')",
    )
    .fetch_one(&pool)
    .await
    .expect("messages")
    .get("n");
    assert_eq!(unannounced, 0, "an award without its message");
    pool.close().await;
}

/// Counts what it is given to deliver, by award.
#[derive(Default)]
struct CountingMailer(Mutex<BTreeMap<String, usize>>);

impl Mailer for CountingMailer {
    fn deliver<'a>(&'a self, m: &'a StoredMessage) -> MailFuture<'a> {
        Box::pin(async move {
            if let Ok(mut seen) = self.0.lock() {
                *seen
                    .entry(m.award_id.clone().unwrap_or_default())
                    .or_default() += 1;
            }
            Ok(Delivered::Sent)
        })
    }
}

/// Delivers the outbox until a round finds nothing, and checks each award's message went out
/// once.
async fn assert_each_message_sent_once(app: &Insigne, awards: usize) {
    let mailer = CountingMailer::default();
    while app
        .deliver_due(&mailer, app.clock.now())
        .await
        .expect("delivery")
        != Default::default()
    {}
    let seen = mailer.0.lock().expect("lock").clone();
    assert_eq!(seen.len(), awards, "one message per award");
    assert!(seen.values().all(|n| *n == 1), "{seen:?}");
}

/// The awards the input earns without any fault.
async fn clean_run(backend: Backend, input: &Input) -> BTreeMap<String, Vec<String>> {
    let t = TestApp::new(backend).await.expect("app");
    load_example_catalogue(&t).await;
    send(&t.app, input).await.expect("clean run");
    t.app.drain_evaluations().await.expect("drain");
    awards_in(&t.db.url).await
}

/// Runs `input` with `point` made to fail the `nth` time, then restarts, lets the worker
/// finish, sends the input again, and compares with the clean run.
async fn survives(backend: Backend, input: Input, point: FaultPoint, nth: u64) {
    let Some(mut t) = TestApp::new(backend).await else {
        return;
    };
    let expected = clean_run(backend, &input).await;
    assert!(!expected.is_empty());
    load_example_catalogue(&t).await;
    t.app.store = t
        .app
        .store
        .clone()
        .with_faults(Faults::at(point, FaultAction::Fail, nth));
    let first = send(&t.app, &input).await;
    // The step failed: either the whole request (a 500) or a learner's evaluation, which
    // the answer then lists as still waiting.
    match &first {
        Err(e) => assert!(e.contains(point.name()), "{point}: {e}"),
        Ok(pending) => assert!(!pending.is_empty(), "{point}: the fault struck nowhere"),
    }
    if matches!(point, FaultPoint::CompletionInserted) {
        assert_eq!(
            t.app.store.count_completions().await.expect("count"),
            0,
            "a batch is recorded whole or not at all"
        );
    } else if first.is_ok() {
        let status = t.app.status().await.expect("status");
        assert!(status.evaluations.waiting >= 1, "{status:?}");
        assert_eq!(status.evaluations.failing, 1, "{status:?}");
        assert!(
            status
                .evaluations
                .last_error
                .as_deref()
                .unwrap_or("")
                .contains(point.name()),
            "{status:?}"
        );
    }

    let later = restarted(&t.app, 60);
    later.drain_evaluations().await.expect("worker");
    send(&later, &input).await.expect("sent again");
    later.drain_evaluations().await.expect("worker");

    assert_eq!(awards_in(&t.db.url).await, expected, "{point}@{nth}");
    assert_consistent(&t.db.url).await;
    let status = later.status().await.expect("status");
    assert_eq!(status.evaluations.waiting, 0, "{status:?}");
    let total: usize = expected.values().map(Vec::len).sum();
    assert_each_message_sent_once(&later, total).await;
}

async fn every_point_of_an_import(backend: Backend) {
    let csv = Input::Import(sample_export());
    for (point, nth) in [
        (FaultPoint::CompletionInserted, 5),
        (FaultPoint::ImportChunk, 1),
        (FaultPoint::CompletionsCommitted, 1),
        (FaultPoint::AwardClaimed, 3),
        (FaultPoint::AwardStored, 7),
        (FaultPoint::AwardCommitted, 3),
        (FaultPoint::EvaluationDone, 2),
    ] {
        survives(backend, csv.clone(), point, nth).await;
    }
}
crate::on_both_backends!(every_point_of_an_import);

async fn every_point_of_a_batch(backend: Backend) {
    let input = Input::Batch(batch());
    for (point, nth) in [
        (FaultPoint::CompletionInserted, 4),
        (FaultPoint::CompletionsCommitted, 1),
        (FaultPoint::AwardClaimed, 2),
        (FaultPoint::AwardStored, 1),
        (FaultPoint::AwardCommitted, 2),
        (FaultPoint::EvaluationDone, 1),
    ] {
        survives(backend, input.clone(), point, nth).await;
    }
}
crate::on_both_backends!(every_point_of_a_batch);

/// An import of several chunks stopped after the first: the first chunk stays recorded, its
/// learners marked; the rest comes with the second sending.
async fn an_import_stopped_between_chunks(backend: Backend) {
    survives(
        backend,
        Input::Import(generated_export(102, 5)),
        FaultPoint::ImportChunk,
        1,
    )
    .await;
}
crate::on_both_backends!(an_import_stopped_between_chunks);

/// A catalogue that adds a badge existing completions already earn: the load marks every
/// learner, the workers award it; a dry run says so first and changes nothing.
async fn a_new_badge_goes_to_those_who_already_earned_it(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let summary = t
        .app
        .import_moodle(&sample_export(), &Default::default(), &|_| {})
        .await
        .expect("import");
    assert_eq!(summary.awards_issued, 25);
    assert!(summary.pending.is_empty());

    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalogue");
    let text = std::fs::read_to_string(path.join("ecap.toml")).expect("catalogue")
        + r#"
[[badge]]
code = "e-cap1-2"
name = "e-CAP1 et e-CAP2"
description = "Les deux premiers parcours e-CAP."
rule = { all_badges = ["e-cap1", "e-cap2"] }
"#;
    // Nothing is waiting before; the load marks the five learners with completions.
    assert_eq!(t.app.status().await.expect("status").evaluations.waiting, 0);
    let loaded = t
        .app
        .load_catalogue(&text, Some(&path))
        .await
        .expect("load");
    assert_eq!(loaded.learners_marked, 5);
    let status = t.app.status().await.expect("status");
    assert_eq!(status.evaluations.waiting, 5);
    assert_eq!(
        status.evaluations.oldest_marked_at.as_deref(),
        Some("2026-11-28T12:00:00Z")
    );

    let dry = t.app.reconcile(true).await.expect("dry run");
    assert_eq!(dry.learners, 5);
    assert_eq!(
        dry.awards
            .iter()
            .map(|a| (a.email.as_str(), a.badge.as_str(), a.award.is_none()))
            .collect::<Vec<_>>(),
        [("marie.curie@ac-versailles.fr", "e-cap1-2", true)]
    );
    assert_eq!(t.app.store.count_awards().await.expect("count"), 25);

    let run = t.app.drain_evaluations().await.expect("worker");
    assert_eq!(run.evaluated, 5);
    assert_eq!(run.awards.len(), 1);
    assert_eq!(run.awards[0].0, "marie.curie@ac-versailles.fr");
    assert_eq!(run.awards[0].1.badge_code, "e-cap1-2");
    assert_eq!(t.app.status().await.expect("status").evaluations.waiting, 0);

    // Reconciling now finds nothing more to award, and leaves nobody waiting.
    let again = t.app.reconcile(false).await.expect("reconcile");
    assert_eq!((again.learners, again.awards.len()), (5, 0));
    assert!(again.pending.is_empty());
    assert_eq!(t.app.status().await.expect("status").evaluations.waiting, 0);
    assert_consistent(&t.db.url).await;
}
crate::on_both_backends!(a_new_badge_goes_to_those_who_already_earned_it);

/// A learner held by another evaluation is not taken: the request says they are pending, and
/// their mark (raised) makes the holder's evaluation leave them for one more round.
async fn a_learner_held_elsewhere_is_evaluated_again(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let first = vec![completion("ada@ac-versailles.fr", "E1-M1", 1)];
    let outcome = t.app.record_completions(&first).await.expect("record");
    assert_eq!(outcome.awards.len(), 1, "ef3");
    // Another process takes Ada's mark (a later completion, recorded while it works).
    let other = insigne::storage::Lease::new(t.app.clock.now() + chrono::Duration::minutes(5));
    let second = vec![completion("ada@ac-versailles.fr", "E1-M2", 2)];
    let marks = t
        .app
        .store
        .record_completions(
            &[insigne::storage::NewCompletion {
                learner_email: insigne::domain::EmailAddress::parse("ada@ac-versailles.fr")
                    .expect("email"),
                learner_name: "Ada".into(),
                module: "E1-M3".into(),
                completed_at: "2026-03-03T00:00:00Z".parse().expect("date"),
                source: "other".into(),
                external_id: None,
            }],
            t.app.clock.now(),
            Some(&other),
        )
        .await
        .expect("record");
    assert_eq!(marks.taken.len(), 1);
    let held = &marks.taken[0];
    let outcome = t.app.record_completions(&second).await.expect("record");
    assert!(outcome.awards.is_empty());
    assert_eq!(outcome.pending, ["ada@ac-versailles.fr"]);
    // The holder finishes with the mark it saw: the newer one keeps Ada waiting.
    assert!(t
        .app
        .store
        .finish_evaluation(&other.owner, held)
        .await
        .expect("finish"));
    assert_eq!(t.app.status().await.expect("status").evaluations.waiting, 1);
    let run = t.app.drain_evaluations().await.expect("worker");
    let mut badges: Vec<String> = run
        .awards
        .iter()
        .map(|(_, a)| a.badge_code.clone())
        .collect();
    badges.sort();
    assert_eq!(badges, ["ef1", "ef2", "ef4"]);
    assert_eq!(t.app.status().await.expect("status").evaluations.waiting, 0);
}
crate::on_both_backends!(a_learner_held_elsewhere_is_evaluated_again);

/// The operator's view over HTTP: admin only; queues, outbox and the last import.
#[tokio::test]
async fn status_and_reconcile_over_http() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    load_example_catalogue(&t).await;
    let (status, body) = t
        .call(
            Method::GET,
            "/api/v1/status",
            Some(&t.ingest_token.clone()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = t.admin(Method::GET, "/api/v1/status", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["evaluations"]["waiting"], 0);
    assert_eq!(body["last_import"], json!(null));
    assert_eq!(body["outbox"]["pending"], 0);

    t.app
        .import_moodle(&sample_export(), &Default::default(), &|_| {})
        .await
        .expect("import");
    let (_, body) = t.admin(Method::GET, "/api/v1/status", None).await;
    assert_eq!(body["outbox"]["pending"], 25);
    assert_eq!(body["last_import"]["status"], "done");
    assert_eq!(body["last_import"]["completions_new"], 20);
    assert_eq!(body["last_import"]["awards_issued"], 25);
    assert_eq!(body["last_import"]["rows_rejected"], 2);

    let (status, body) = t
        .admin(Method::POST, "/api/v1/awards/reconcile?dry_run=true", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dry_run"], true);
    assert_eq!(body["learners"], 5);
    assert_eq!(body["awards"], json!([]));
    let (status, body) = t
        .admin(Method::POST, "/api/v1/awards/reconcile?dry_run=maybe", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "dry_run");
    let (status, body) = t
        .admin(Method::POST, "/api/v1/awards/reconcile", None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dry_run"], false);
    assert_eq!(body["pending"], json!([]));
    let (status, _) = t
        .call(
            Method::POST,
            "/api/v1/awards/reconcile",
            Some(&t.ingest_token.clone()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A claim an older version left without its award (it wrote them apart and died between the
/// two) is finished: the repair migration removes it and marks its learner, and the worker
/// issues the badge.
async fn a_claim_left_without_its_award_is_finished(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let ada = insigne::domain::EmailAddress::parse("ada@ac-versailles.fr").expect("email");
    // E1-M1 recorded without evaluation, and the claim of its badge (ef3) without the award.
    t.app
        .store
        .record_completions(
            &[insigne::storage::NewCompletion {
                learner_email: ada.clone(),
                learner_name: "Ada Lovelace".into(),
                module: "E1-M1".into(),
                completed_at: "2026-03-01T00:00:00Z".parse().expect("date"),
                source: "api".into(),
                external_id: None,
            }],
            t.app.clock.now(),
            None,
        )
        .await
        .expect("record");
    let pool = any_pool(&t.db.url).await;
    let ef3 = t
        .app
        .store
        .badge_class_id_by_code("ef3")
        .await
        .expect("query")
        .expect("ef3");
    for statement in [
        "DELETE FROM evaluation_queue".to_string(),
        format!(
            "INSERT INTO award_claims (badge_class_id, recipient_email, award_id, claimed_at)
             VALUES ('{ef3}', 'ada@ac-versailles.fr', '{}', '2026-11-01T00:00:00Z')",
            insigne::domain::AwardId::random()
        ),
    ] {
        sqlx::query(&statement)
            .execute(&pool)
            .await
            .expect("stuck state");
    }
    assert!(t
        .app
        .drain_evaluations()
        .await
        .expect("worker")
        .awards
        .is_empty());
    let repair = match backend {
        Backend::Sqlite => include_str!("../../migrations/sqlite/0007_claims_without_awards.sql"),
        Backend::Postgres => {
            include_str!("../../migrations/postgres/0007_claims_without_awards.sql")
        }
    };
    sqlx::raw_sql(repair).execute(&pool).await.expect("repair");
    let status = t.app.status().await.expect("status");
    assert_eq!(status.evaluations.waiting, 1);
    assert_eq!(
        status.evaluations.oldest_marked_at.as_deref(),
        Some("2026-11-01T00:00:00Z")
    );
    let run = t.app.drain_evaluations().await.expect("worker");
    assert_eq!(run.awards.len(), 1);
    assert_eq!(run.awards[0].1.badge_code, "ef3");
    assert_consistent(&t.db.url).await;
    // Run again, the repair finds nothing to do.
    sqlx::raw_sql(repair)
        .execute(&pool)
        .await
        .expect("repair again");
    assert_eq!(t.app.status().await.expect("status").evaluations.waiting, 0);
    pool.close().await;
}
crate::on_both_backends!(a_claim_left_without_its_award_is_finished);

/// A request that fails after its completions are committed frees the learners it held: a
/// worker takes them at once, without waiting for the lease to run out (the clock stands
/// still here, so an unreleased lease would hold them for ever).
async fn a_failed_request_frees_its_learners_at_once(backend: Backend) {
    let Some(mut t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    t.app.store = t.app.store.clone().with_faults(Faults::at(
        FaultPoint::CompletionsCommitted,
        FaultAction::Fail,
        1,
    ));
    let err = send(&t.app, &Input::Batch(batch())).await.unwrap_err();
    assert!(err.contains("completions-committed"), "{err}");
    let mut awards = 0;
    for _ in 0..100 {
        awards += t
            .app
            .drain_evaluations()
            .await
            .expect("worker")
            .awards
            .len();
        if awards > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Ada and Alan: e-cap1, ef1, ef2, ef3, ef4, ef9 each; Alan's E2-M1 adds ef5.
    assert_eq!(awards, 13);
    assert_eq!(t.app.status().await.expect("status").evaluations.waiting, 0);
    assert_consistent(&t.db.url).await;
}
crate::on_both_backends!(a_failed_request_frees_its_learners_at_once);
