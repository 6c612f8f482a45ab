//! Frameworks, competencies, parcours and modules in the console: created and edited one at
//! a time, checked like the catalogue file's entries (errors by field, nothing saved), codes
//! kept, every change audited; a module saved in the console is what the next import reads.

use axum::http::{header, Method, StatusCode};
use insigne::auth::Role;

use crate::common::{Backend, TestApp};
use crate::console::{csrf, multipart_with, post_form, sign_in};
use crate::mine::send;

const ADMIN: &str = "dane@ac-versailles.fr";

async fn post(
    t: &TestApp,
    path: &str,
    cookie: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let (status, headers, page) =
        post_form(&t.app, path, cookie, multipart_with(fields, None)).await;
    let location = headers
        .get(header::LOCATION)
        .map(|l| l.to_str().expect("location").to_string())
        .unwrap_or_default();
    (status, location, page)
}

crate::on_both_backends!(an_admin_builds_a_parcours_from_frameworks_to_modules);

async fn an_admin_builds_a_parcours_from_frameworks_to_modules(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app.add_admin(ADMIN, Role::Admin).await.expect("admin");
    let cookie = sign_in(&t, ADMIN).await;
    let (status, _, page) = send(
        &t.app,
        Method::GET,
        "/admin/referentiels/nouveau",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = csrf(&page);

    // Forged: 403, nothing saved.
    let (status, _, _) = post(
        &t,
        "/admin/referentiels",
        &cookie,
        &[("csrf", "forged"), ("code", "EF"), ("name", "x")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(t
        .app
        .store
        .load_catalogue()
        .await
        .expect("catalogue")
        .frameworks
        .is_empty());

    // A framework, then a competency in it.
    let (status, location, page) = post(
        &t,
        "/admin/referentiels",
        &cookie,
        &[
            ("csrf", &token),
            ("code", "EF"),
            ("name", "Compétences du formateur e-formation"),
            ("description", ""),
            ("url", "https://eduscol.education.fr/"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(location.starts_with("/admin/referentiels"), "{location}");
    // The same code again is refused by field.
    let (status, _, page) = post(
        &t,
        "/admin/referentiels",
        &cookie,
        &[("csrf", &token), ("code", "EF"), ("name", "Autre")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("href=\"#code\""), "{page}");
    let (status, _, page) = post(
        &t,
        "/admin/referentiels/EF/competences",
        &cookie,
        &[
            ("csrf", &token),
            ("code", "EF1"),
            ("name", "Scénariser une formation hybride"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");

    // A parcours, then a module in it, with its Moodle names and its competency.
    let (status, _, page) = post(
        &t,
        "/admin/parcours",
        &cookie,
        &[
            ("csrf", &token),
            ("code", "e-CAP1"),
            ("name", "Concevoir un parcours de formation hybride"),
            ("moodle_course_id", "4521"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, _, page) = send(
        &t.app,
        Method::GET,
        "/admin/modules/nouveau?parcours=e-CAP1",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<option value=\"e-CAP1\" selected>"),
        "{page}"
    );
    assert!(page.contains("value=\"EF:EF1\""), "{page}");
    // Bad hours, no modality, an unknown competency: every error at once, nothing saved.
    let (status, _, page) = post(
        &t,
        "/admin/modules",
        &cookie,
        &[
            ("csrf", &token),
            ("code", "E1-M1"),
            ("name", "Découvrir"),
            ("parcours", "e-CAP1"),
            ("hours", "-3"),
            ("modality", ""),
            ("competencies", "EF:EF9"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for field in ["#hours", "#modality", "#competencies"] {
        assert!(
            page.contains(&format!("href=\"{field}\"")),
            "{field}: {page}"
        );
    }
    assert!(t
        .app
        .store
        .load_catalogue()
        .await
        .expect("catalogue")
        .modules
        .is_empty());
    let (status, _, page) = post(
        &t,
        "/admin/modules",
        &cookie,
        &[
            ("csrf", &token),
            ("code", "E1-M1"),
            ("name", "Découvrir la e-formation et m@gistère"),
            ("parcours", "e-CAP1"),
            ("hours", "3,5"),
            ("modality", "distance"),
            (
                "lms_ids",
                "e-CAP1 Module 1 : Découvrir la e-formation et m@gistère\r\nE1M1\r\n",
            ),
            ("competencies", "EF:EF1"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let c = t.app.store.load_catalogue().await.expect("catalogue");
    let m = &c.modules[0];
    assert_eq!(
        (m.hours, m.lms_ids.len(), m.competencies.len()),
        (3.5, 2, 1)
    );
    assert_eq!(c.parcours[0].moodle_course_id, Some(4521));

    // Editing keeps the code whatever the form says.
    let (status, _, page) = send(
        &t.app,
        Method::GET,
        "/admin/modules/E1-M1",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("readonly"), "{page}");
    assert!(page.contains("value=\"EF:EF1\" checked"), "{page}");
    let (status, _, _) = post(
        &t,
        "/admin/modules/E1-M1",
        &cookie,
        &[
            ("csrf", &token),
            ("code", "AUTRE"),
            ("name", "Découvrir m@gistère"),
            ("parcours", "e-CAP1"),
            ("hours", "4"),
            ("modality", "presentiel"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let c = t.app.store.load_catalogue().await.expect("catalogue");
    assert_eq!(c.modules.len(), 1);
    assert_eq!(
        (c.modules[0].code.as_str(), c.modules[0].title.as_str()),
        ("E1-M1", "Découvrir m@gistère")
    );
    let (_, _, list) = send(&t.app, Method::GET, "/admin/parcours", Some(&cookie), None).await;
    assert!(list.contains("Découvrir m@gistère"), "{list}");
    assert!(list.contains("4 h, En présentiel"), "{list}");
    let (status, _, _) = send(
        &t.app,
        Method::GET,
        "/admin/modules/NOPE",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let actions: Vec<String> = t
        .app
        .audit_log(None, None)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in [
        "catalogue framework create",
        "catalogue competency create",
        "catalogue parcours create",
        "catalogue module create",
        "catalogue module update",
    ] {
        assert!(
            actions.contains(&action.to_string()),
            "{action}: {actions:?}"
        );
    }

    // A tutor is kept off.
    t.app
        .add_admin("tuteur@ac-versailles.fr", Role::Tutor)
        .await
        .expect("tutor");
    let tutor = sign_in(&t, "tuteur@ac-versailles.fr").await;
    for path in [
        "/admin/referentiels",
        "/admin/parcours",
        "/admin/modules/E1-M1",
    ] {
        let (status, _, _) = send(&t.app, Method::GET, path, Some(&tutor), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}
