//! Pulling completions from Moodle's web services, against the stand-in of `moodle_site.rs`:
//! what a sync records and awards, that a second sync changes nothing, withdrawn completions,
//! Moodle's errors, a network that fails, the command line and `insigne serve`'s pull.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{Method, StatusCode};
use insigne::import::moodle_ws::{MoodleClient, Token, WsError};
use insigne::service::ServiceError;
use serde_json::Value;

use crate::awarding::load_example_catalogue;
use crate::common::{Backend, TestApp};
use crate::moodle_site::{self, Course, Shared, Site, User, TOKEN};
use crate::on_both_backends;

fn at(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .expect("date")
        .timestamp()
}

/// The example catalogue's courses as m@gistère would hold them: e-CAP1 (4521, modules known
/// by cmid), e-CAP2 (4522, known by their activity names; 150 learners, two pages), e-CAP3
/// (4523, nobody yet).
pub(crate) fn ecap_site() -> Site {
    let mut site = Site::new();
    let mut e1 = Course {
        activities: vec![
            (81200, "Annonces".into()),
            (
                81201,
                "e-CAP1 Module 1 : Découvrir la e-formation et m@gistère".into(),
            ),
            (
                81202,
                "e-CAP1 Module 2 : Scénariser un parcours hybride".into(),
            ),
            (
                81203,
                "e-CAP1 Module 3 : Concevoir des activités à distance".into(),
            ),
            (
                81204,
                "e-CAP1 Module 4 : Analyser un parcours avec la grille qualité".into(),
            ),
        ],
        users: vec![
            User {
                id: 501,
                fullname: "Marie Curie".into(),
                email: Some("marie.curie@ac-versailles.fr".into()),
            },
            User {
                id: 502,
                fullname: "Paul Langevin".into(),
                email: Some("paul.langevin@ac-versailles.fr".into()),
            },
            User {
                id: 503,
                fullname: "Sans Courriel".into(),
                email: None,
            },
        ],
        ..Course::default()
    };
    for (i, cmid) in [81200, 81201, 81202, 81203, 81204].into_iter().enumerate() {
        let time = at(&format!("2026-03-0{}T09:30:00Z", i + 1));
        e1.completion
            .insert((501, cmid), (if cmid == 81204 { 2 } else { 1 }, time));
        // Paul failed module 4: complete-fail.
        e1.completion
            .insert((502, cmid), (if cmid == 81204 { 3 } else { 1 }, time));
    }
    let mut e2 = Course {
        activities: vec![
            (
                92001,
                "e-CAP2 Module 1 : Animer une classe virtuelle".into(),
            ),
            (
                92002,
                "e-CAP2 Module 2 : Faire collaborer les pairs à distance".into(),
            ),
            (
                92003,
                "e-CAP2 Module 3 : Suivre et relancer les participants".into(),
            ),
            (92004, "e-CAP2 Module 4 : Articuler les modalités".into()),
        ],
        ..Course::default()
    };
    for i in 0..150 {
        let id = 1000 + i;
        e2.users.push(User {
            id,
            fullname: format!("Formatrice {i}"),
            email: Some(format!("formatrice{i}@ac-versailles.fr")),
        });
        if i % 2 == 0 {
            e2.completion
                .insert((id, 92001), (1, at("2026-04-01T14:00:00Z")));
        }
    }
    for cmid in [92002, 92003, 92004] {
        e2.completion
            .insert((1000, cmid), (1, at("2026-04-08T14:00:00Z")));
    }
    site.courses.insert(4521, e1);
    site.courses.insert(4522, e2);
    site.courses.insert(
        4523,
        Course {
            activities: vec![
                (
                    93001,
                    "e-CAP3 Module 1 : Accompagner sur un temps long".into(),
                ),
                (
                    93002,
                    "e-CAP3 Module 2 : Individualiser l'accompagnement".into(),
                ),
                (
                    93003,
                    "e-CAP3 Module 3 : Favoriser l'analyse réflexive et le transfert".into(),
                ),
            ],
            ..Course::default()
        },
    );
    site
}

pub(crate) async fn stand_in(site: Site) -> (Shared, String) {
    let shared = Arc::new(Mutex::new(site));
    let base = moodle_site::serve(shared.clone()).await;
    (shared, base)
}

fn client(base: &str, token: &str) -> MoodleClient {
    MoodleClient::new(base, Token::new(token), Duration::from_secs(5))
        .expect("client")
        .with_backoff(vec![Duration::from_millis(20), Duration::from_millis(40)])
}

fn badges_of(summary: &insigne::service::SyncSummary, email: &str) -> Vec<String> {
    summary
        .awards
        .iter()
        .filter(|a| a.email == email)
        .map(|a| a.badge.clone())
        .collect()
}

on_both_backends!(a_sync_awards_what_moodle_reports_once);

async fn a_sync_awards_what_moodle_reports_once(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let (site, base) = stand_in(ecap_site()).await;
    let moodle = client(&base, TOKEN);

    let first = t
        .app
        .moodle_sync(&moodle, None, false, &|_| {})
        .await
        .expect("sync");
    assert_eq!(first.site, "m@gistère (stand-in)");
    // 2 of e-CAP1 (the third has no email), 150 of e-CAP2.
    assert_eq!(first.learners_seen, 152, "{first:?}");
    // Marie 4, Paul 3 (module 4 failed), 75 + 3 in e-CAP2; the "Annonces" activity is no module.
    assert_eq!(first.completions_new, 4 + 3 + 75 + 3, "{:?}", first.errors);
    assert_eq!(first.errors.len(), 1, "{:?}", first.errors);
    assert!(first.errors[0].contains("user 503"), "{:?}", first.errors);
    assert!(badges_of(&first, "marie.curie@ac-versailles.fr").contains(&"e-cap1".to_string()));
    assert!(!badges_of(&first, "paul.langevin@ac-versailles.fr").contains(&"e-cap1".to_string()));
    assert!(badges_of(&first, "formatrice0@ac-versailles.fr").contains(&"e-cap2".to_string()));
    assert!(first.withdrawn.is_empty());

    // The award is Marie's, under her Moodle name, with the dates Moodle gave.
    let marie = first
        .awards
        .iter()
        .find(|a| a.email == "marie.curie@ac-versailles.fr" && a.badge == "e-cap1")
        .expect("award");
    let stored = t
        .app
        .award(marie.award.parse().expect("id"))
        .await
        .expect("award");
    assert_eq!(stored.award.recipient.name, "Marie Curie");
    assert!(
        stored
            .award
            .narrative
            .as_deref()
            .unwrap_or_default()
            .contains("E1-M4 terminé le 05/03/2026"),
        "{:?}",
        stored.award.narrative
    );

    {
        let s = site.lock().expect("site");
        // Paged: e-CAP2's 150 learners in two calls of 100.
        let pages: Vec<&str> = s
            .calls
            .iter()
            .filter(|(f, p)| {
                f == "core_enrol_get_enrolled_users"
                    && p.get("courseid").map(String::as_str) == Some("4522")
            })
            .map(|(_, p)| p["options[0][value]"].as_str())
            .collect();
        assert_eq!(pages, ["0", "100"]);
        assert_eq!(s.tokens_in_url, 0, "the token travels in the body only");
    }

    // Again: nothing new.
    let second = t
        .app
        .moodle_sync(&moodle, None, false, &|_| {})
        .await
        .expect("sync");
    assert_eq!(
        (
            second.completions_new,
            second.completions_known,
            second.awards_issued
        ),
        (0, 85, 0)
    );

    // A dry run now knows every completion too.
    let dry = t
        .app
        .moodle_sync(&moodle, None, true, &|_| {})
        .await
        .expect("dry run");
    assert_eq!((dry.completions_new, dry.completions_known), (0, 85));

    // A teacher resets Marie's module 2: flagged, kept, and her badge stays.
    site.lock()
        .expect("site")
        .courses
        .get_mut(&4521)
        .expect("course")
        .completion
        .insert((501, 81202), (0, 0));
    let third = t
        .app
        .moodle_sync(&moodle, Some(4521), false, &|_| {})
        .await
        .expect("sync");
    assert_eq!(third.courses.len(), 1);
    assert_eq!(third.withdrawn.len(), 1, "{third:?}");
    assert_eq!(third.withdrawn[0].email, "marie.curie@ac-versailles.fr");
    assert_eq!(third.withdrawn[0].module, "E1-M2");
    assert_eq!(t.app.store.count_completions().await.expect("count"), 85);
    let (status, award) = t
        .admin(
            Method::GET,
            &format!("/api/v1/awards/{}", marie.award),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(award["status"], "valid", "{award:#}");

    // Every sync is kept, the latest first.
    let (status, syncs) = t.admin(Method::GET, "/api/v1/moodle/syncs", None).await;
    assert_eq!(status, StatusCode::OK, "{syncs}");
    let syncs = syncs.as_array().expect("list");
    assert_eq!(syncs.len(), 3);
    assert_eq!(syncs[0]["status"], "done");
    assert_eq!(syncs[0]["summary"]["withdrawn"][0]["module"], "E1-M2");
    assert_eq!(syncs[2]["summary"]["completions_new"], 85);
    assert_eq!(syncs[2]["summary"]["learners_seen"], 152);
    let (status, _) = t
        .call(Method::GET, "/api/v1/moodle/syncs", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = t
        .admin(Method::GET, "/api/v1/moodle/syncs?limit=0", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = t
        .admin(Method::GET, "/api/v1/moodle/syncs?limit=lots", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Moodle's refusals, answered with HTTP 200 bodies, and its XML: each named, none recorded as
/// completions; a refusal for one learner leaves the others synced.
#[tokio::test]
async fn moodles_errors_are_reported_by_their_errorcode() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    load_example_catalogue(&t).await;
    let (site, base) = stand_in(ecap_site()).await;

    let wrong = t
        .app
        .moodle_sync(&client(&base, "not-the-token"), None, false, &|_| {})
        .await
        .expect_err("refused");
    let ServiceError::Moodle(WsError::Moodle { errorcode, .. }) = &wrong else {
        panic!("{wrong:?}");
    };
    assert_eq!(errorcode, "invalidtoken");

    site.lock()
        .expect("site")
        .functions
        .retain(|f| f != "core_completion_get_activities_completion_status");
    let missing = t
        .app
        .moodle_sync(&client(&base, TOKEN), None, false, &|_| {})
        .await
        .expect_err("refused");
    assert!(
        matches!(&missing, ServiceError::Moodle(WsError::MissingFunctions(f)) if f == &["core_completion_get_activities_completion_status"]),
        "{missing:?}"
    );
    assert!(
        missing.to_string().contains("Services externes"),
        "{missing}"
    );
    site.lock().expect("site").functions = moodle_site::ALL_FUNCTIONS
        .iter()
        .map(|f| f.to_string())
        .collect();

    // Listed, but refused in the course: every learner's call says accessexception.
    site.lock()
        .expect("site")
        .refused
        .push("core_enrol_get_enrolled_users".into());
    let refused = t
        .app
        .moodle_sync(&client(&base, TOKEN), Some(4521), false, &|_| {})
        .await
        .expect("sync, with the course's error");
    assert!(
        refused
            .errors
            .iter()
            .any(|e| e.starts_with("course 4521") && e.contains("accessexception")),
        "{:?}",
        refused.errors
    );
    assert_eq!(refused.completions_new, 0);
    site.lock().expect("site").refused.clear();

    site.lock().expect("site").always_xml = true;
    let xml = t
        .app
        .moodle_sync(&client(&base, TOKEN), None, false, &|_| {})
        .await
        .expect_err("refused");
    assert!(
        matches!(xml, ServiceError::Moodle(WsError::Xml { .. })),
        "{xml:?}"
    );
    site.lock().expect("site").always_xml = false;
    assert_eq!(t.app.store.count_completions().await.expect("count"), 0);

    // One learner's call refused (invalidparameter): the others are synced.
    site.lock().expect("site").broken_users.push(502);
    let partial = t
        .app
        .moodle_sync(&client(&base, TOKEN), Some(4521), false, &|_| {})
        .await
        .expect("sync");
    assert!(
        partial
            .errors
            .iter()
            .any(|e| e.contains("user 502") && e.contains("invalidparameter")),
        "{:?}",
        partial.errors
    );
    assert!(badges_of(&partial, "marie.curie@ac-versailles.fr").contains(&"e-cap1".to_string()));

    // The failures are kept with the syncs.
    let syncs = t.app.moodle_syncs(10).await.expect("syncs");
    let failed: Vec<_> = syncs
        .iter()
        .filter(|s| s.status == insigne::storage::ImportStatus::Failed)
        .collect();
    assert_eq!(failed.len(), 3);
    assert!(failed
        .iter()
        .any(|s| s.summary.as_ref().is_some_and(|v| v["errors"][0]
            .as_str()
            .unwrap_or_default()
            .contains("invalidtoken"))));

    // An unknown course is bad input.
    let unknown = t
        .app
        .moodle_sync(&client(&base, TOKEN), Some(9999), false, &|_| {})
        .await
        .expect_err("refused");
    assert!(matches!(unknown, ServiceError::Invalid(_)), "{unknown:?}");
}

/// A dropped connection is tried again; a Moodle too slow fails the sync after the retries,
/// saying so, and records nothing.
#[tokio::test]
async fn a_dropped_connection_is_retried_and_a_slow_moodle_times_out() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    load_example_catalogue(&t).await;
    let (site, base) = stand_in(ecap_site()).await;
    site.lock().expect("site").drop_connections = 1;
    let summary = t
        .app
        .moodle_sync(&client(&base, TOKEN), Some(4521), false, &|_| {})
        .await
        .expect("sync after a retry");
    assert_eq!(summary.completions_new, 7);

    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    load_example_catalogue(&t).await;
    site.lock().expect("site").delay = Some(Duration::from_millis(1500));
    let slow = MoodleClient::new(&base, Token::new(TOKEN), Duration::from_millis(300))
        .expect("client")
        .with_backoff(vec![Duration::from_millis(10), Duration::from_millis(10)]);
    let err = t
        .app
        .moodle_sync(&slow, None, false, &|_| {})
        .await
        .expect_err("too slow");
    let ServiceError::Moodle(WsError::Unreachable {
        attempts, detail, ..
    }) = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*attempts, 3);
    assert!(detail.contains("timed out"), "{detail}");
    assert!(!err.to_string().contains(TOKEN));
    assert_eq!(t.app.store.count_completions().await.expect("count"), 0);
}

/// A dry run says what it would record and records nothing, not even itself.
#[tokio::test]
async fn a_dry_run_changes_nothing() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    load_example_catalogue(&t).await;
    let mut site = ecap_site();
    // A completion dated after now (a Moodle server whose clock is wrong): skipped, and said.
    site.courses
        .get_mut(&4522)
        .expect("course")
        .completion
        .insert((1001, 92001), (1, at("2027-01-01T09:00:00Z")));
    let (_site, base) = stand_in(site).await;
    let dry = t
        .app
        .moodle_sync(&client(&base, TOKEN), None, true, &|_| {})
        .await
        .expect("dry run");
    assert!(dry.dry_run);
    assert_eq!(dry.completions_new, 85);
    assert!(
        dry.errors
            .iter()
            .any(|e| e.starts_with("formatrice1@") && e.contains("completed in the future")),
        "{:?}",
        dry.errors
    );
    assert_eq!(dry.awards_issued, 0);
    assert_eq!(t.app.store.count_completions().await.expect("count"), 0);
    assert_eq!(t.app.store.count_awards().await.expect("count"), 0);
    assert!(t.app.moodle_syncs(10).await.expect("syncs").is_empty());
}

/// `insigne moodle sync` from the command line, and `insigne serve`'s pull: the token is never
/// printed, bad configuration is exit 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_and_the_served_pull() {
    let Some(local) = crate::crash::Site::new(Backend::Sqlite).await else {
        return;
    };
    let (_site, base) = stand_in(ecap_site()).await;
    let run = |args: Vec<&'static str>, env: Vec<(&'static str, String)>| {
        let mut cmd = local.command();
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        tokio::task::spawn_blocking(move || cmd.output().expect("run"))
    };
    let env = vec![
        ("INSIGNE_MOODLE_URL", base.clone()),
        ("INSIGNE_MOODLE_TOKEN", TOKEN.to_string()),
    ];

    let out = run(vec!["moodle", "sync"], vec![]).await.expect("join");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("INSIGNE_MOODLE_TOKEN"));

    let wrong = vec![
        ("INSIGNE_MOODLE_URL", base.clone()),
        ("INSIGNE_MOODLE_TOKEN", "wrong".to_string()),
    ];
    let out = run(vec!["moodle", "sync"], wrong).await.expect("join");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalidtoken"));

    let out = run(
        vec!["moodle", "sync", "--dry-run", "--course", "4521"],
        env.clone(),
    )
    .await
    .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let dry: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(dry["completions_new"], 7);
    assert!(
        stderr.contains("dry run of m@gistère (stand-in)"),
        "{stderr}"
    );

    let out = run(vec!["moodle", "sync"], env.clone())
        .await
        .expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{stderr}");
    let summary: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["completions_new"], 85, "{stderr}");
    assert!(summary["awards_issued"].as_u64().unwrap_or(0) > 0);
    assert!(stderr.contains("user 503"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stderr.contains(TOKEN) && !stdout.contains(TOKEN));
    // The sync is in the audit log, by the CLI (the dry run is not: it changed nothing).
    let store = insigne::storage::Store::connect(&local.db.url)
        .await
        .expect("store");
    let entries = store.audit_entries(None, None, 10).await.expect("log");
    let syncs: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "moodle sync")
        .collect();
    assert_eq!(syncs.len(), 1, "{entries:?}");
    assert_eq!(syncs[0].actor, "cli");
    assert!(
        syncs[0]
            .detail
            .as_deref()
            .is_some_and(|d| d.starts_with("85 completions new")),
        "{entries:?}"
    );
    store.close().await;

    let out = run(vec!["print-config"], env.clone()).await.expect("join");
    let printed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(printed.contains("moodle_token = \"***\""), "{printed}");
    assert!(!printed.contains(TOKEN), "{printed}");

    // The service pulls on its own; the admin reads the syncs.
    let token = local.token();
    let mut server = local.spawn_with(
        "serve",
        None,
        &[
            ("INSIGNE_MOODLE_URL", base.clone()),
            ("INSIGNE_MOODLE_TOKEN", TOKEN.to_string()),
            ("INSIGNE_MOODLE_INTERVAL_SECS", "60".to_string()),
        ],
    );
    server.healthy().await;
    let http = reqwest::Client::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let syncs = loop {
        let list: Value = http
            .get(format!("{}/api/v1/moodle/syncs", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("syncs")
            .bytes()
            .await
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or(Value::Null);
        // The command line's two syncs (one refused), then the service's.
        if list.as_array().map(Vec::len) == Some(3) && list[0]["status"] == "done" {
            break list;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no sync: {list}\n{}",
            server.log()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(syncs[0]["summary"]["completions_new"], 0, "{syncs:#}");
    let log = server.log();
    assert!(log.contains("Moodle sync done"), "{log}");
    assert!(!log.contains(TOKEN), "{log}");
    let _ = server.child.kill();
}

/// A badge that came through a sync passes the official OB 2.0 validator and the independent
/// OB 3.0 verifiers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_synced_award_passes_the_validators() {
    let Some(dir) = crate::interop_ob2::conformance_dir() else {
        return;
    };
    let crate::interop_ob2::Live {
        t, base, server, ..
    } = crate::interop_ob2::live_now().await;
    load_example_catalogue(&t).await;
    let (_site, moodle) = stand_in(ecap_site()).await;
    let summary = t
        .app
        .moodle_sync(&client(&moodle, TOKEN), Some(4521), false, &|_| {})
        .await
        .expect("sync");
    let id = &summary
        .awards
        .iter()
        .find(|a| a.email == "marie.curie@ac-versailles.fr" && a.badge == "e-cap1")
        .expect("award")
        .award;
    let (status, award) = t
        .admin(Method::GET, &format!("/api/v1/awards/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let files = tempfile::tempdir().expect("tempdir");
    let link = |k: &str| award["links"][k].as_str().expect("link").to_string();
    let signed =
        crate::interop_ob2::download(&t, &base, &link("ob2_signed"), files.path(), "a.jws").await;
    let recipient = serde_json::json!({"email": "marie.curie@ac-versailles.fr"}).to_string();
    let (code, report) = crate::interop_ob2::validate(
        &dir,
        &[
            &link("ob2_assertion"),
            "--recipient",
            &recipient,
            "--report-only",
        ],
    )
    .await;
    assert_eq!(code, 0, "hosted: {report:#}");
    let (code, report) =
        crate::interop_ob2::validate(&dir, &[&signed, "--recipient", &recipient, "--report-only"])
            .await;
    assert_eq!(code, 0, "signed: {report:#}");
    for (key, file) in [("ob3_credential", "c.json"), ("ob3_jwt", "c.jwt")] {
        let path = crate::interop_ob2::download(&t, &base, &link(key), files.path(), file).await;
        let (code, report) = crate::interop_ob3::verify(&dir, &path).await;
        assert_eq!(code, 0, "{key}: {report:#}");
    }
    server.stop().await;
}
