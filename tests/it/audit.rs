//! The audit log: every change through the API (with its token), the console and the CLI,
//! appended and never rewritten; the console lists it, filtered, and exports it as CSV.

use axum::http::{header, Method, StatusCode};
use serde_json::json;
use sqlx::Connection;

use crate::common::{issuer_body, Backend, TestApp};

crate::on_both_backends!(changes_through_the_api_are_logged_with_their_token_and_never_rewritten);

async fn changes_through_the_api_are_logged_with_their_token_and_never_rewritten(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let (status, issuer) = t
        .admin(Method::POST, "/api/v1/issuers", Some(issuer_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // Reading changes nothing, and a refused request changed nothing: neither is logged.
    let (status, _) = t.admin(Method::GET, "/api/v1/issuers", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = t
        .admin(Method::POST, "/api/v1/issuers", Some(json!({"name": "x"})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A trainer's address stays out of the log (it outlives their erasure).
    let (status, _) = t
        .admin(
            Method::POST,
            "/api/v1/trainers/marie@ac-versailles.fr/erase",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let entries = t.app.audit_log(None, None).await.expect("log");
    assert_eq!(entries.len(), 2, "{entries:#?}");
    let token = t
        .app
        .authenticate(&t.admin_token)
        .await
        .expect("auth")
        .expect("token");
    let erase = &entries[0];
    assert_eq!(erase.action, "POST /api/v1/trainers/…/erase");
    assert!(!format!("{erase:?}").contains("marie"), "{erase:?}");
    let create = &entries[1];
    assert_eq!(create.actor, format!("token:{}", token.id));
    assert_eq!(create.action, "POST /api/v1/issuers");
    assert_eq!(
        create.target,
        format!("/api/v1/issuers/{}", issuer["id"].as_str().expect("id"))
    );
    assert_eq!(create.detail, "201");

    // Append-only, whoever holds the database connection.
    let url = t.db.url.clone();
    let mut db = sqlx::AnyConnection::connect(&url).await.expect("connect");
    for statement in [
        "UPDATE audit_log SET actor = 'someone else'",
        "DELETE FROM audit_log",
    ] {
        let refused = sqlx::query(statement).execute(&mut db).await;
        assert!(refused.is_err(), "{statement} must be refused");
    }
    assert_eq!(t.app.audit_log(None, None).await.expect("log").len(), 2);
}

#[tokio::test]
async fn the_console_lists_the_log_filtered_and_as_csv() {
    let t = TestApp::new(Backend::Sqlite).await.expect("sqlite");
    t.app
        .add_admin("dane@ac-versailles.fr", insigne::auth::Role::Admin)
        .await
        .expect("admin");
    let (status, _) = t
        .admin(Method::POST, "/api/v1/issuers", Some(issuer_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let cookie = crate::console::sign_in(&t, "dane@ac-versailles.fr").await;
    let (status, _, page) =
        crate::mine::send(&t.app, Method::GET, "/admin/journal", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<td>POST /api/v1/issuers</td>"), "{page}");
    assert!(page.contains("<td>console sign-in</td>"), "{page}");
    assert!(
        page.contains("<td>console:dane@ac-versailles.fr</td>"),
        "{page}"
    );

    let (status, _, page) = crate::mine::send(
        &t.app,
        Method::GET,
        "/admin/journal?action=sign-in",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<td>console sign-in</td>"), "{page}");
    assert!(!page.contains("<td>POST /api/v1/issuers</td>"), "{page}");

    let (status, headers, csv) = crate::mine::send(
        &t.app,
        Method::GET,
        "/admin/journal.csv?actor=token",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("type")
        .starts_with("text/csv"));
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("at,actor,action,target,detail"));
    let row = lines.next().expect("a row");
    assert!(
        row.contains(",POST /api/v1/issuers,/api/v1/issuers/"),
        "{row}"
    );
    assert_eq!(lines.next(), None, "{csv}");

    // Without a session: the sign-in page.
    let (status, _, _) =
        crate::mine::send(&t.app, Method::GET, "/admin/journal.csv", None, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
