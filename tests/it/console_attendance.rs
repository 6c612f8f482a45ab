//! An attendance export on the console's imports screen: recognised by its headers, a dry run
//! in French that records nothing and says why each session counts or not, then a confirmation
//! that imports exactly the file previewed, once, and shows its summary.

use axum::http::{header, Method, StatusCode};
use insigne::auth::Role;

use crate::attendance::sample;
use crate::awarding::load_example_catalogue;
use crate::common::{Backend, TestApp};
use crate::console::{csrf, multipart_with, post_form, sign_in};
use crate::mine::send;

const ADMIN: &str = "dane@ac-versailles.fr";

fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("field") + marker.len();
    page[start..start + page[start..].find('"').expect("end")].to_string()
}

crate::on_both_backends!(an_attendance_export_is_dry_run_then_imported_once);
async fn an_attendance_export_is_dry_run_then_imported_once(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    t.app.add_admin(ADMIN, Role::Admin).await.expect("admin");
    let cookie = sign_in(&t, ADMIN).await;
    let (status, _, page) = send(&t.app, Method::GET, "/admin/imports", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = csrf(&page);

    let form = multipart_with(
        &[("csrf", &token)],
        Some((
            "file",
            "presences.csv",
            &sample("classe-virtuelle-magistere.csv"),
        )),
    );
    let (status, _, page) = post_form(&t.app, "/admin/imports", &cookie, form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Liste de présence"), "{page}");
    assert!(
        page.contains("<dt>Présences nouvelles</dt><dd>7</dd>"),
        "{page}"
    );
    assert!(
        page.contains("<td>claire.martin@ac-versailles.fr</td><td>jeudis-recherche-auditeur</td>"),
        "{page}"
    );
    // Why Julien earns nothing yet, in French.
    assert!(
        page.contains("julien.bernard@ac-versailles.fr — jeudis-recherche-auditeur : 2 session(s) comptée(s) sur 3"),
        "{page}"
    );
    assert!(
        page.contains("trop courte (il faut au moins 45 minutes)"),
        "{page}"
    );
    assert!(page.contains("<td>10</td><td>la durée"), "{page}");
    assert_eq!(t.app.store.count_attendances().await.expect("count"), 0);
    let upload = hidden(&page, "upload");

    let confirm = |csrf: String| {
        let form = format!("csrf={csrf}&upload={upload}&lang=fr");
        let app = t.app.clone();
        let cookie = cookie.clone();
        async move {
            send(
                &app,
                Method::POST,
                "/admin/imports/confirmer",
                Some(&cookie),
                Some(&form),
            )
            .await
        }
    };
    let (status, _, _) = confirm("forged".into()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(t.app.store.count_attendances().await.expect("count"), 0);
    let (status, headers, _) = confirm(token.clone()).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    assert!(location.starts_with("/admin/imports/"), "{location}");
    let (status, _, _) = confirm(token.clone()).await;
    assert_eq!(
        status,
        StatusCode::GONE,
        "the file previewed is imported once"
    );
    assert_eq!(t.app.store.count_attendances().await.expect("count"), 7);
    assert_eq!(t.app.store.count_awards().await.expect("count"), 1);

    let (status, _, page) = send(&t.app, Method::GET, &location, Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("/admin/badges-delivres/"), "{page}");
    assert!(page.contains("Badges de participation"), "{page}");
    let (_, _, list) = send(&t.app, Method::GET, "/admin/imports", Some(&cookie), None).await;
    assert!(list.contains("presences.csv"), "{list}");
    assert!(
        list.contains("présences nouvelles ou plus longues"),
        "an attendance import counts attendances: {list}"
    );
    let (_, _, dashboard) = send(&t.app, Method::GET, "/admin", Some(&cookie), None).await;
    assert!(
        dashboard.contains("présences nouvelles ou plus longues"),
        "{dashboard}"
    );
    let actions: Vec<String> = t
        .app
        .audit_log(None, None)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"attendance import".to_string()),
        "{actions:?}"
    );

    // English on request.
    let form = multipart_with(
        &[("csrf", &token)],
        Some(("file", "zoom.csv", &sample("zoom-participants.csv"))),
    );
    let (status, _, page) = post_form(&t.app, "/admin/imports?lang=en", &cookie, form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Zoom participants report"), "{page}");
}
