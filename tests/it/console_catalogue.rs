//! The catalogue and the Moodle imports in the console: a dry run that saves nothing, then a
//! confirmation that applies exactly the file previewed, once; CSRF on both steps; the
//! catalogue downloaded as TOML loads back to the same; every change in the audit log.

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use insigne::auth::Role;

use crate::common::{Backend, TestApp};
use crate::console::{csrf, multipart_with, post_form, sign_in};
use crate::mine::send;

const ADMIN: &str = "dane@ac-versailles.fr";

fn example(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(path);
    std::fs::read_to_string(path).expect("example")
}

/// The value of the hidden `upload` field of a dry run's confirmation form.
fn upload_id(page: &str) -> String {
    let start = page.find("name=\"upload\" value=\"").expect("upload field") + 21;
    page[start..start + page[start..].find('"').expect("end")].to_string()
}

async fn signed_in(t: &TestApp) -> (String, String) {
    t.app.add_admin(ADMIN, Role::Admin).await.expect("admin");
    let cookie = sign_in(t, ADMIN).await;
    let (status, _, page) =
        send(&t.app, Method::GET, "/admin/catalogue", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = csrf(&page);
    (cookie, token)
}

async fn upload(
    t: &TestApp,
    path: &str,
    cookie: &str,
    token: &str,
    field: &str,
    file_name: &str,
    bytes: &[u8],
) -> (StatusCode, String) {
    let form = multipart_with(&[("csrf", token)], Some((field, file_name, bytes)));
    let (status, _, page) = post_form(&t.app, path, cookie, form).await;
    (status, page)
}

async fn confirm(
    t: &TestApp,
    path: &str,
    cookie: &str,
    token: &str,
    upload: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    let form = format!("csrf={token}&upload={upload}&lang=fr");
    send(&t.app, Method::POST, path, Some(cookie), Some(&form)).await
}

async fn actions(t: &TestApp) -> Vec<String> {
    t.app
        .audit_log(None, None)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

crate::on_both_backends!(a_catalogue_is_dry_run_then_applied_once_and_downloads_as_it_loads);

async fn a_catalogue_is_dry_run_then_applied_once_and_downloads_as_it_loads(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let (cookie, token) = signed_in(&t).await;
    let toml = example("catalogue/ecap.toml");

    // A refused file: its errors by entry and field, nothing saved.
    let broken = toml.replacen(
        "rule = { parcours = \"e-CAP1\" }",
        "rule = { parcours = \"e-CAP9\" }",
        1,
    );
    let (status, page) = upload(
        &t,
        "/admin/catalogue",
        &cookie,
        &token,
        "catalogue",
        "ecap.toml",
        broken.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Le catalogue est refusé"), "{page}");
    assert!(page.contains("badge[e-cap1].rule.parcours"), "{page}");

    // The dry run lists what is new; nothing is saved yet.
    let (status, page) = upload(
        &t,
        "/admin/catalogue",
        &cookie,
        &token,
        "catalogue",
        "ecap.toml",
        toml.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Simulation du chargement de « ecap.toml »"),
        "{page}"
    );
    assert!(page.contains("<td>E1-M1</td>"), "{page}");
    assert!(page.contains("Nouveau"), "{page}");
    assert_eq!(t.app.store.count_modules().await.expect("modules"), 0);
    let id = upload_id(&page);

    // A confirmation without the session's token: 403, nothing loaded.
    let (status, _, _) = confirm(&t, "/admin/catalogue/appliquer", &cookie, "forged", &id).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(t.app.store.count_modules().await.expect("modules"), 0);

    let (status, _, page) = confirm(&t, "/admin/catalogue/appliquer", &cookie, &token, &id).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Le catalogue « ecap.toml » est chargé"),
        "{page}"
    );
    assert_eq!(t.app.store.count_modules().await.expect("modules"), 11);
    // The same confirmation again applies nothing twice.
    let (status, _, _) = confirm(&t, "/admin/catalogue/appliquer", &cookie, &token, &id).await;
    assert_eq!(status, StatusCode::GONE);
    assert_eq!(
        actions(&t)
            .await
            .iter()
            .filter(|a| *a == "catalogue load")
            .count(),
        1
    );

    // Learners with completions: a catalogue that makes a badge easier says who would earn it.
    let csv = example("moodle/progress.e-cap_2025-2026.csv");
    t.app
        .import_moodle(csv.as_bytes(), &Default::default(), &|_| {})
        .await
        .expect("import");
    let easier = toml.replacen(
        "rule = { parcours = \"e-CAP2\" }",
        "rule = { at_least = 2, modules = [\"E2-M1\", \"E2-M2\", \"E2-M3\", \"E2-M4\"] }",
        1,
    );
    assert_ne!(easier, toml);
    let (status, page) = upload(
        &t,
        "/admin/catalogue",
        &cookie,
        &token,
        "catalogue",
        "ecap.toml",
        easier.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<td>irene.joliot-curie@ac-versailles.fr</td><td>e-cap2</td>"),
        "{page}"
    );
    assert!(page.contains("Modifié"), "{page}");

    // The download loads back to the same catalogue: its dry run changes nothing.
    let (status, headers, text) = send(
        &t.app,
        Method::GET,
        "/admin/catalogue.toml",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("type")
        .starts_with("application/toml"));
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
    let preview = t.app.preview_catalogue(&text, None).await.expect("preview");
    let changed: Vec<_> = preview
        .entries
        .iter()
        .filter(|e| e.change != insigne::service::Change::Same)
        .collect();
    assert!(changed.is_empty(), "{changed:?}\n{text}");
    assert!(preview.awards.is_empty(), "{:?}", preview.awards);
    let (status, page) = upload(
        &t,
        "/admin/catalogue",
        &cookie,
        &token,
        "catalogue",
        "catalogue-insigne.toml",
        text.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Ce fichier ne change rien au catalogue."),
        "{page}"
    );
    let loaded = t.app.load_catalogue(&text, None).await.expect("load");
    assert!(loaded.badge_classes.iter().all(|b| !b.created));
}

crate::on_both_backends!(a_moodle_export_is_dry_run_then_imported_in_the_background);

async fn a_moodle_export_is_dry_run_then_imported_in_the_background(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let (cookie, token) = signed_in(&t).await;
    t.app
        .load_catalogue(&example("catalogue/ecap.toml"), None)
        .await
        .expect("catalogue");
    let csv = example("moodle/progress.e-cap_2025-2026.csv");

    // Not a Moodle export: refused with the reason, nothing kept.
    let (status, page) = upload(
        &t,
        "/admin/imports",
        &cookie,
        &token,
        "file",
        "notes.csv",
        b"a;b\n1;2\n",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Le fichier est refusé"), "{page}");

    // The dry run: rows, the awards that would follow; nothing recorded.
    let (status, page) = upload(
        &t,
        "/admin/imports",
        &cookie,
        &token,
        "file",
        "progress.csv",
        csv.as_bytes(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Simulation de l&#x27;import") || page.contains("Simulation de l'import"),
        "{page}"
    );
    assert!(
        page.contains("<td>marie.curie@ac-versailles.fr</td><td>e-cap1</td>"),
        "{page}"
    );
    assert!(page.contains("Badges qui seraient délivrés"), "{page}");
    // The rows refused are said in French, with their line.
    assert!(
        page.contains("<td>7</td><td>aucune adresse électronique</td>"),
        "{page}"
    );
    assert!(
        page.contains("n&#x27;est pas une date lisible")
            || page.contains("n'est pas une date lisible"),
        "{page}"
    );
    assert_eq!(t.app.store.count_completions().await.expect("count"), 0);
    assert_eq!(t.app.store.count_awards().await.expect("count"), 0);
    let id = upload_id(&page);

    // Forged: 403, nothing imported.
    let (status, _, _) = confirm(&t, "/admin/imports/confirmer", &cookie, "forged", &id).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(t.app.store.count_completions().await.expect("count"), 0);

    let (status, headers, _) = confirm(&t, "/admin/imports/confirmer", &cookie, &token, &id).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    assert!(location.starts_with("/admin/imports/"), "{location}");
    let import = location
        .trim_start_matches("/admin/imports/")
        .split('?')
        .next()
        .expect("id")
        .to_string();
    // Sent twice: the second finds the file used.
    let (status, _, _) = confirm(&t, "/admin/imports/confirmer", &cookie, &token, &id).await;
    assert_eq!(status, StatusCode::GONE);

    let mut view = t.app.import(&import).await.expect("import");
    for _ in 0..200 {
        if view.record.status != insigne::storage::ImportStatus::Running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        view = t.app.import(&import).await.expect("import");
    }
    assert_eq!(
        view.record.status,
        insigne::storage::ImportStatus::Done,
        "{view:?}"
    );
    let summary = view.summary.expect("summary kept");
    assert!(summary.awards_issued > 0);
    assert_eq!(view.record.file_name.as_deref(), Some("progress.csv"));
    assert_eq!(
        view.record.started_by.as_deref(),
        Some("console:dane@ac-versailles.fr")
    );

    let (status, _, page) = send(&t.app, Method::GET, &location, Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("terminé"), "{page}");
    assert!(page.contains("/admin/badges-delivres/"), "{page}");
    assert!(
        !page.contains("data-refresh"),
        "a finished import does not reload"
    );
    let (_, _, list) = send(&t.app, Method::GET, "/admin/imports", Some(&cookie), None).await;
    assert!(list.contains("progress.csv"), "{list}");
    assert!(list.contains("console:dane@ac-versailles.fr"), "{list}");
    assert!(actions(&t)
        .await
        .contains(&"completions import".to_string()));

    // A tutor is kept off both screens.
    t.app
        .add_admin("tuteur@ac-versailles.fr", Role::Tutor)
        .await
        .expect("tutor");
    let tutor = sign_in(&t, "tuteur@ac-versailles.fr").await;
    for path in [
        "/admin/imports",
        "/admin/catalogue",
        "/admin/catalogue.toml",
        &location,
    ] {
        let (status, _, _) = send(&t.app, Method::GET, path, Some(&tutor), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}
