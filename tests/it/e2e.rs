//! The badge page in a real headless browser (Debian's chromium, driven by playwright-core from
//! `e2e/`): what a person sees, the keyboard, a screenshot, and axe-core's WCAG 2.1 A/AA rules.
//! `.ci/run` installs the browser and `e2e/node_modules`; plain `cargo test` skips this with a
//! message when they are missing (and fails instead when `INSIGNE_REQUIRE_E2E=1`).

use std::path::PathBuf;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::interop_ob2::live_now;

pub(crate) fn browser_ready() -> Option<PathBuf> {
    let e2e = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("e2e");
    let chromium = std::env::var_os("INSIGNE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let node = std::process::Command::new("node").arg("--version").output();
    let missing = if !chromium.exists() {
        Some(format!("no browser at {}", chromium.display()))
    } else if !node.is_ok_and(|o| o.status.success()) {
        Some("node is not installed".to_string())
    } else if !e2e.join("node_modules/playwright-core").exists()
        || !e2e.join("node_modules/axe-core").exists()
    {
        Some("e2e/node_modules is missing (npm ci --prefix e2e)".to_string())
    } else {
        None
    };
    match missing {
        None => Some(e2e),
        Some(why) if std::env::var("INSIGNE_REQUIRE_E2E").is_ok_and(|v| v == "1") => {
            panic!("INSIGNE_REQUIRE_E2E=1 but {why}")
        }
        Some(why) => {
            eprintln!("skipped: the browser test needs chromium, node and e2e/node_modules: {why}");
            None
        }
    }
}

async fn in_browser(e2e: &std::path::Path, url: &str, screenshot: &std::path::Path) -> Value {
    let screenshot = screenshot.to_str().expect("path");
    node(&e2e.join("badge-page.mjs"), &[url, screenshot]).await
}

/// Runs one of the e2e scripts, which prints one JSON object.
pub(crate) async fn node(script: &std::path::Path, args: &[&str]) -> Value {
    let run = tokio::process::Command::new("node")
        .arg(script)
        .args(args)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("the browser test timed out")
        .expect("run node");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&out.stdout)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_badge_page_in_a_real_browser_has_no_serious_accessibility_violation() {
    let Some(e2e) = browser_ready() else { return };
    let live = live_now().await;
    let t = &live.t;
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    let mut ids = Vec::new();
    for name in ["Marie Curie", "Paul Langevin"] {
        let (status, award) = t
            .admin(
                Method::POST,
                "/api/v1/awards",
                Some(json!({"badge_class": class, "recipient": {"email": "f@ac-versailles.fr", "name": name},
                    "evidence": [{"name": "E1-M1 Concevoir une formation hybride", "description": "Module terminé le 2 novembre 2026."}]})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{award}");
        ids.push(award["id"].as_str().expect("id").to_string());
    }
    t.admin(
        Method::POST,
        &format!("/api/v1/awards/{}/revoke", ids[1]),
        Some(json!({"reason": "Attribué par erreur"})),
    )
    .await;
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("e2e");
    std::fs::create_dir_all(&shots).expect("screenshots folder");
    for (id, lang, status, skip) in [
        (&ids[0], "fr", "Valide", "Aller au contenu"),
        (&ids[1], "en", "Revoked on", "Skip to content"),
    ] {
        let url = format!("{}/badges/{id}?lang={lang}", live.base);
        let shot = shots.join(format!("badge-{lang}.png"));
        let seen = in_browser(&e2e, &url, &shot).await;
        assert_eq!(
            seen["h1"], "e-CAP1 — Concevoir un parcours de formation hybride",
            "{seen}"
        );
        assert!(
            seen["status"]
                .as_str()
                .is_some_and(|s| s.starts_with(status)),
            "{seen}"
        );
        assert_eq!(
            seen["firstFocus"], skip,
            "the first Tab reaches the skip link"
        );
        assert!(
            seen["focusOutline"]
                .as_str()
                .is_some_and(|o| o.starts_with("solid")),
            "the focus is visible: {seen}"
        );
        let serious: Vec<&Value> = seen["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(serious.is_empty(), "{url}: {serious:#?}");
        assert!(seen["passes"].as_u64().is_some_and(|p| p > 10), "{seen}");
        assert_eq!(
            seen["printPages"], 1,
            "the print view fits one page: {seen}"
        );
        assert_eq!(seen["printQr"], true, "{seen}");
        assert_eq!(seen["printNote"], true, "{seen}");
        let png = std::fs::read(&shot).expect("screenshot");
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 10_000,
            "{}",
            shot.display()
        );
        eprintln!("screenshot: {}", shot.display());
    }
}

async fn console_in_browser(e2e: &std::path::Path, args: &[&str]) -> Value {
    node(&e2e.join("console.mjs"), args).await
}

pub(crate) fn no_serious_violation(seen: &Value) {
    for page in seen["pages"].as_array().expect("pages") {
        let serious: Vec<&Value> = page["violations"]
            .as_array()
            .expect("violations")
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(serious.is_empty(), "{}: {serious:#?}", page["url"]);
        assert!(page["passes"].as_u64().is_some_and(|p| p > 5), "{page}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_door_and_the_console_sign_in_with_the_keyboard_alone() {
    let Some(e2e) = browser_ready() else { return };
    let live = live_now().await;
    let t = &live.t;
    t.app
        .add_admin("dane@ac-versailles.fr", insigne::auth::Role::Admin)
        .await
        .expect("admin");
    crate::awarding::load_example_catalogue(t).await;
    for (lang, h1, dashboard, home, skip) in [
        (
            "fr",
            "Console d'administration",
            "Tableau de bord",
            "Les badges de la formation des formateurs",
            "Aller au contenu",
        ),
        (
            "en",
            "Administration console",
            "Dashboard",
            "Badges for trainers of trainers",
            "Skip to content",
        ),
    ] {
        let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("e2e-console-{lang}"));
        std::fs::create_dir_all(&shots).expect("screenshots folder");
        let shots_arg = shots.to_str().expect("path");
        // The front door, with the example catalogue.
        let front = format!("{}/?lang={lang}", live.base);
        let seen = console_in_browser(&e2e, &["look", &front, shots_arg, "home"]).await;
        assert_eq!(seen["first"], 200, "{seen}");
        assert_eq!(seen["pages"][0]["h1"], home, "{seen}");
        assert_eq!(seen["firstFocus"], skip, "{seen}");
        no_serious_violation(&seen);
        let signin = format!("{}/admin/connexion?lang={lang}", live.base);
        let seen =
            console_in_browser(&e2e, &["ask", &signin, "dane@ac-versailles.fr", shots_arg]).await;
        assert_eq!(seen["pages"][0]["h1"], h1, "{seen}");
        assert!(
            seen["pages"][1]["said"]
                .as_str()
                .is_some_and(|s| s.contains("15")),
            "{seen}"
        );
        no_serious_violation(&seen);

        let messages = t
            .app
            .store
            .messages_to("dane@ac-versailles.fr")
            .await
            .expect("messages");
        let body = &messages.last().expect("the link").body;
        let link = body
            .split_whitespace()
            .find(|w| w.contains("/admin/connexion/"))
            .expect("link in the message");
        let seen = console_in_browser(&e2e, &["open", link, shots_arg]).await;
        assert_eq!(seen["pages"][1]["h1"], dashboard, "{seen}");
        assert_eq!(
            seen["cookie"][0],
            json!({"httpOnly": true, "sameSite": "Strict", "path": "/admin"}),
            "{seen}"
        );
        assert!(
            seen["after"]
                .as_str()
                .is_some_and(|u| u.ends_with("/admin/connexion")),
            "signed out: {seen}"
        );
        no_serious_violation(&seen);
        eprintln!("screenshots: {}", shots.display());
    }
}

/// The admin's whole story in the browser, in French then in English, each on a fresh
/// service: the CLI's admin signs in through the logged link, creates an issuer and a badge
/// class with uploaded images, loads the example catalogue and imports the sample Moodle
/// export (each a dry run first), finds an award and revokes it, reads the audit log; axe-core
/// on every screen, the content security policy enforced. The screenshots stay in
/// `target/e2e-artifacts/admin-story-LANG/` (`.ci/run` keeps them when the test fails).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_story_in_the_browser_in_french_and_in_english() {
    let Some(e2e) = browser_ready() else { return };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = tempfile::tempdir().expect("tempdir");
    let issuer_image = files.path().join("dane.svg");
    std::fs::write(&issuer_image, br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="#000091"/></svg>"##).expect("image");
    let badge_image = files.path().join("tutorat.svg");
    std::fs::write(&badge_image, br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#e1000f"/></svg>"##).expect("image");
    let catalogue = root.join("examples/catalogue/ecap.toml");
    let csv = root.join("examples/moodle/progress.e-cap_2025-2026.csv");
    for (lang, dashboard, loaded) in [
        ("fr", "Tableau de bord", "awards revoke"),
        ("en", "Dashboard", "awards revoke"),
    ] {
        let live = live_now().await;
        let t = &live.t;
        // As the README says: the CLI adds the admin, on the service's database.
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_insigne"))
            .env("INSIGNE_DATABASE_URL", &t.db.url)
            .env("INSIGNE_CATALOGUE", "")
            .args(["admins", "add", "dane@ac-versailles.fr"])
            .output()
            .expect("insigne");
        assert!(out.status.success(), "{out:?}");
        let ask = format!("email=dane%40ac-versailles.fr&lang={lang}");
        let (status, _, _) =
            crate::mine::send(&t.app, Method::POST, "/admin/connexion", None, Some(&ask)).await;
        assert_eq!(status, StatusCode::OK);
        let messages = t
            .app
            .store
            .messages_to("dane@ac-versailles.fr")
            .await
            .expect("messages");
        let body = &messages.last().expect("the link").body;
        let link = body
            .split_whitespace()
            .find(|w| w.contains("/admin/connexion/"))
            .expect("link in the message")
            .to_string();
        let shots = root.join(format!("target/e2e-artifacts/admin-story-{lang}"));
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("screenshots folder");
        let path = |p: &std::path::Path| p.to_str().expect("path").to_string();
        let seen = node(
            &e2e.join("admin-story.mjs"),
            &[
                &link,
                lang,
                &path(&shots),
                &path(&issuer_image),
                &path(&badge_image),
                &path(&catalogue),
                &path(&csv),
                "marie.curie@ac-versailles.fr",
            ],
        )
        .await;
        let pages = seen["pages"].as_array().expect("pages");
        assert_eq!(pages.len(), 25, "every screen was visited: {seen}");
        assert_eq!(pages[1]["h1"], dashboard, "{seen}");
        no_serious_violation(&seen);
        for page in pages {
            assert_eq!(
                page["unreachable"],
                json!([]),
                "{}: the keyboard does not reach these",
                page["name"]
            );
        }
        assert_eq!(seen["revoked"], true, "{seen}");
        assert_eq!(
            seen["refused"],
            json!([]),
            "the policy blocked something: {seen}"
        );
        let journal = seen["journal"].as_str().expect("journal");
        for action in [
            "console sign-in",
            "issuers create",
            "catalogue load",
            "badge-classes create",
            "completions import",
            loaded,
        ] {
            assert!(
                journal.contains(action),
                "{action} is not in the journal: {journal}"
            );
        }
        // What the browser did is what the service holds.
        let revoked = t
            .app
            .audit_log(None, Some("awards revoke"))
            .await
            .expect("audit");
        assert_eq!(revoked.len(), 1);
        eprintln!("screenshots: {}", shots.display());
    }
}

/// The trainer's side in the browser, in French and in English, with the keyboard alone: the
/// emailed link, « mes badges », « Ajouter à mon portefeuille » and the wallet page with its
/// QR codes; axe-core on every screen, the policy enforced. Screenshots in
/// `target/e2e-artifacts/trainer-LANG/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trainer_takes_a_badge_to_a_wallet_with_the_keyboard() {
    let Some(e2e) = browser_ready() else { return };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let live = live_now().await;
    let t = &live.t;
    crate::awarding::load_example_catalogue(t).await;
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    crate::mine::award(t, &class, "marie@ac-versailles.fr", "Marie Curie").await;
    for (lang, h1) in [
        ("fr", "Ajouter à mon portefeuille"),
        ("en", "Add to my wallet"),
    ] {
        let ask = format!("email=marie%40ac-versailles.fr&lang={lang}");
        let (status, _, _) = crate::mine::send(
            &t.app,
            Method::POST,
            "/mes-badges/connexion",
            None,
            Some(&ask),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let messages = t
            .app
            .store
            .messages_to("marie@ac-versailles.fr")
            .await
            .expect("messages");
        let link = messages
            .iter()
            .rev()
            .find_map(|m| {
                m.body
                    .split_whitespace()
                    .find(|w| w.contains("/mes-badges/connexion/"))
            })
            .expect("link in the message")
            .to_string();
        let shots = root.join(format!("target/e2e-artifacts/trainer-{lang}"));
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("screenshots folder");
        let seen = node(
            &e2e.join("trainer.mjs"),
            &[&link, lang, shots.to_str().expect("path")],
        )
        .await;
        let pages = seen["pages"].as_array().expect("pages");
        assert_eq!(pages.len(), 3, "{seen}");
        assert_eq!(
            seen["badgePageWallet"], 1,
            "the badge page offers it: {seen}"
        );
        assert_eq!(seen["wallet"]["h1"], h1, "{seen}");
        assert!(
            seen["wallet"]["link"]
                .as_str()
                .is_some_and(|l| l.starts_with(&live.base) && l.ends_with("?iuv=1")),
            "{seen}"
        );
        let buttons = seen["wallet"]["buttons"].as_array().expect("buttons");
        assert!(buttons[0]
            .as_str()
            .is_some_and(|b| b.starts_with("https://lcw.app/request.html?")));
        assert!(buttons[1]
            .as_str()
            .is_some_and(|b| b.starts_with("openid-credential-offer://?credential_offer_uri=")));
        assert_eq!(seen["qr"].as_array().map(Vec::len), Some(2), "{seen}");
        for width in seen["qr"].as_array().expect("qr") {
            assert!(
                width.as_u64().is_some_and(|w| w > 20),
                "a QR code is drawn: {seen}"
            );
        }
        no_serious_violation(&seen);
        for page in pages {
            assert_eq!(page["unreachable"], json!([]), "{}", page["name"]);
        }
        assert_eq!(
            seen["refused"],
            json!([]),
            "the policy blocked something: {seen}"
        );
        eprintln!("screenshots: {}", shots.display());
    }
}

/// The newest link of `kind` (`/mes-badges/connexion/` or `/admin/connexion/`) sent to `email`.
async fn emailed_link(t: &crate::common::TestApp, email: &str, kind: &str) -> String {
    t.app
        .store
        .messages_to(email)
        .await
        .expect("messages")
        .iter()
        .rev()
        .find_map(|m| m.body.split_whitespace().find(|w| w.contains(kind)))
        .expect("link in the message")
        .to_string()
}

/// A badge on request in the browser, in French and in English, with the keyboard alone: the
/// trainer applies (analysis, link, a PDF) and submits; the tutor assesses every criterion and
/// approves; the badge is awarded. axe-core on every screen, the policy enforced. Screenshots
/// in `target/e2e-artifacts/requests-LANG/`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_badge_on_request_is_applied_for_and_approved_with_the_keyboard() {
    let Some(e2e) = browser_ready() else { return };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let live = live_now().await;
    let t = &live.t;
    let trainers = [
        ("fr", "ada@ac-versailles.fr", "Ada Lovelace"),
        ("en", "bob@ac-versailles.fr", "Bob Martin"),
    ];
    crate::requests::setup(
        t,
        &trainers
            .iter()
            .map(|(_, e, n)| (*e, *n))
            .collect::<Vec<_>>(),
    )
    .await;
    let folder = tempfile::tempdir().expect("tempdir");
    let pdf = folder.path().join("analyse-du-parcours.pdf");
    std::fs::write(&pdf, crate::requests::pdf()).expect("write pdf");
    let class = t
        .app
        .store
        .badge_class_id_by_code("parcours-analyse")
        .await
        .expect("read")
        .expect("class");
    for (lang, trainer, _) in trainers {
        let ask = format!("email={}&lang={lang}", trainer.replace('@', "%40"));
        let (status, _, _) = crate::mine::send(
            &t.app,
            Method::POST,
            "/mes-badges/connexion",
            None,
            Some(&ask),
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let tutor = "tuteur.ecap1@ac-versailles.fr";
        let ask = format!("email={}&lang={lang}", tutor.replace('@', "%40"));
        let (status, _, _) =
            crate::mine::send(&t.app, Method::POST, "/admin/connexion", None, Some(&ask)).await;
        assert_eq!(status, StatusCode::OK);
        let trainer_link = emailed_link(t, trainer, "/mes-badges/connexion/").await;
        let tutor_link = emailed_link(t, tutor, "/admin/connexion/").await;
        let shots = root.join(format!("target/e2e-artifacts/requests-{lang}"));
        let _ = std::fs::remove_dir_all(&shots);
        std::fs::create_dir_all(&shots).expect("screenshots folder");
        let seen = node(
            &e2e.join("requests.mjs"),
            &[
                &trainer_link,
                &tutor_link,
                lang,
                pdf.to_str().expect("path"),
                shots.to_str().expect("path"),
            ],
        )
        .await;
        let pages = seen["pages"].as_array().expect("pages");
        assert_eq!(pages.len(), 6, "{seen}");
        no_serious_violation(&seen);
        for page in pages {
            assert_eq!(page["unreachable"], json!([]), "{}", page["name"]);
        }
        assert_eq!(
            seen["refused"],
            json!([]),
            "the policy blocked something: {seen}"
        );
        let (submitted, approved) = match lang {
            "fr" => ("Demande soumise", "Demande approuvée"),
            _ => ("Request submitted", "Request approved"),
        };
        assert!(
            seen["submitted"]
                .as_str()
                .is_some_and(|s| s.starts_with(submitted)),
            "{seen}"
        );
        assert!(
            seen["approved"]
                .as_str()
                .is_some_and(|s| s.starts_with(approved)),
            "{seen}"
        );
        let held = t.app.my_badges(trainer).await.expect("badges");
        let award = held
            .iter()
            .find(|o| o.stored.award.badge_class == class)
            .expect("the badge is awarded");
        assert!(award
            .stored
            .award
            .evidence
            .iter()
            .any(|e| e.name.as_deref() == Some("analyse-du-parcours.pdf")));
        eprintln!("screenshots: {}", shots.display());
    }
}
