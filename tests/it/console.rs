//! The console's sign-in: admins added by the CLI, an emailed link (single use, 15 minutes,
//! the same answer for unknown addresses), the session (HttpOnly, SameSite=Strict, idle and
//! absolute expiry), CSRF on every form, tutors kept off admin screens.

use std::process::Command;

use axum::http::{header, Method, StatusCode};
use insigne::auth::Role;
use insigne::service::Insigne;
use insigne::storage::MessageKind;

use crate::common::{Backend, TestApp};
use crate::mine::{later, said, send};

/// The secret of the console sign-in link last sent to `email` (the clock stands still, so
/// the live one among them).
async fn link_secret(t: &TestApp, email: &str) -> String {
    let messages = t.app.store.messages_to(email).await.expect("messages");
    let mut secrets = Vec::new();
    for m in messages
        .iter()
        .filter(|m| m.kind == MessageKind::Signin.as_str())
    {
        let start = m.body.find("/admin/connexion/").expect("link") + "/admin/connexion/".len();
        let link = m.body[start..].split_whitespace().next().expect("secret");
        let secret = link.split('?').next().expect("secret");
        secrets.push(secret.to_string());
    }
    for secret in &secrets {
        if t.app.admin_link_is_live(secret).await.expect("live") {
            return secret.clone();
        }
    }
    secrets.pop().expect("a sign-in message")
}

async fn ask(app: &Insigne, email: &str) -> (StatusCode, String) {
    let form = format!(
        "email={}&lang=fr",
        url::form_urlencoded::byte_serialize(email.as_bytes()).collect::<String>()
    );
    let (status, _, body) = send(app, Method::POST, "/admin/connexion", None, Some(&form)).await;
    (status, body)
}

/// Signs `email` in through a fresh link; returns the cookie to send.
pub(crate) async fn sign_in(t: &TestApp, email: &str) -> String {
    let (status, _) = ask(&t.app, email).await;
    assert_eq!(status, StatusCode::OK);
    let secret = link_secret(t, email).await;
    let path = format!("/admin/connexion/{secret}");
    let (status, _, page) = send(&t.app, Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(&format!("action=\"{path}?lang=")), "{page}");
    let (status, headers, _) = send(&t.app, Method::POST, &path, None, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/admin");
    let cookie = headers[header::SET_COOKIE].to_str().expect("cookie");
    // The tests' public URL is https: the cookie is Secure.
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/admin", "Secure"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    cookie.split(';').next().expect("pair").to_string()
}

/// The CSRF token of a console page's forms.
pub(crate) fn csrf(page: &str) -> String {
    let start = page.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    page[start..start + page[start..].find('"').expect("end")].to_string()
}

crate::on_both_backends!(an_admin_signs_in_with_a_link_and_out_with_a_token);

async fn an_admin_signs_in_with_a_link_and_out_with_a_token(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app
        .add_admin("Dane.Eformation@ac-versailles.fr", Role::Admin)
        .await
        .expect("admin");
    // Without a session, the console is its sign-in page.
    let (status, headers, _) = send(&t.app, Method::GET, "/admin", None, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/admin/connexion");

    // An unknown address is answered exactly like an admin's, and gets no message.
    let (known_status, known) = ask(&t.app, "dane.eformation@ac-versailles.fr").await;
    let (unknown_status, unknown) = ask(&t.app, "personne@ac-versailles.fr").await;
    assert_eq!(known_status, unknown_status);
    assert_eq!(said(&known), said(&unknown));
    let to_unknown = t
        .app
        .store
        .messages_to("personne@ac-versailles.fr")
        .await
        .expect("messages");
    assert!(to_unknown.is_empty());

    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    t.award(serde_json::json!({"badge_class": class, "recipient": {"email": "marie@ac-versailles.fr", "name": "Marie"}}))
        .await;
    let cookie = sign_in(&t, "dane.eformation@ac-versailles.fr").await;
    let (status, _, page) = send(&t.app, Method::GET, "/admin", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Tableau de bord"), "{page}");
    for figure in [
        "<dt>Badges délivrés cette semaine</dt><dd>1</dd>",
        "<dt>Badges délivrés en tout</dt><dd>1</dd>",
        "<dt>Formateurs titulaires d&#x27;un badge</dt><dd>1</dd>",
    ] {
        assert!(page.contains(figure), "{figure} in {page}");
    }
    assert!(page.contains("dane.eformation@ac-versailles.fr"), "{page}");
    let token = csrf(&page);

    // The first link asked for still works (a second session), once.
    let secret = link_secret(&t, "dane.eformation@ac-versailles.fr").await;
    let path = format!("/admin/connexion/{secret}");
    let (status, headers, _) = send(&t.app, Method::POST, &path, None, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let other = headers[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let (status, _, _) = send(&t.app, Method::POST, &path, None, None).await;
    assert_eq!(status, StatusCode::GONE);
    let (status, _, _) = send(&t.app, Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::GONE);

    // A forged sign-out (no token, another session's token) is refused and changes nothing.
    let (_, _, other_page) = send(&t.app, Method::GET, "/admin", Some(&other), None).await;
    let other_token = csrf(&other_page);
    assert_ne!(token, other_token);
    for form in [
        String::new(),
        format!("csrf={other_token}"),
        "csrf=x".into(),
    ] {
        let (status, _, _) = send(
            &t.app,
            Method::POST,
            "/admin/deconnexion",
            Some(&cookie),
            Some(&form),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{form}");
        let (status, _, _) = send(&t.app, Method::GET, "/admin", Some(&cookie), None).await;
        assert_eq!(status, StatusCode::OK, "still signed in after {form:?}");
    }
    let (status, headers, _) = send(
        &t.app,
        Method::POST,
        "/admin/deconnexion",
        Some(&cookie),
        Some(&format!("csrf={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .contains("Max-Age=0"));
    let (status, _, _) = send(&t.app, Method::GET, "/admin", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "signed out");
    // The other session lives on until it is ended.
    let (status, _, _) = send(&t.app, Method::GET, "/admin", Some(&other), None).await;
    assert_eq!(status, StatusCode::OK);

    // Removing the admin ends their sessions at once.
    t.app
        .store
        .remove_admin("dane.eformation@ac-versailles.fr")
        .await
        .expect("remove");
    let (status, _, _) = send(&t.app, Method::GET, "/admin", Some(&other), None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

crate::on_both_backends!(links_and_sessions_expire_and_tutors_stay_off_admin_screens);

async fn links_and_sessions_expire_and_tutors_stay_off_admin_screens(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app
        .add_admin("tuteur@ac-versailles.fr", Role::Tutor)
        .await
        .expect("tutor");
    t.app
        .add_admin("admin@ac-versailles.fr", Role::Admin)
        .await
        .expect("admin");

    // A tutor signs in: the console opens on the requests they review, and the admin
    // screens are refused.
    let tutor = sign_in(&t, "tuteur@ac-versailles.fr").await;
    let (status, headers, _) = send(&t.app, Method::GET, "/admin", Some(&tutor), None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/admin/demandes");
    let (status, _, page) = send(&t.app, Method::GET, "/admin/emetteurs", Some(&tutor), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("Accès refusé"), "{page}");

    // A link 16 minutes old no longer works.
    let (status, _) = ask(&t.app, "admin@ac-versailles.fr").await;
    assert_eq!(status, StatusCode::OK);
    let secret = link_secret(&t, "admin@ac-versailles.fr").await;
    let path = format!("/admin/connexion/{secret}");
    let (status, _, _) = send(&later(&t.app, 16), Method::POST, &path, None, None).await;
    assert_eq!(status, StatusCode::GONE);

    // Idle for half an hour: the session is over.
    let cookie = sign_in(&t, "admin@ac-versailles.fr").await;
    let (status, _, _) = send(
        &later(&t.app, 29),
        Method::GET,
        "/admin",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "29 minutes after sign-in");
    let (status, _, _) = send(
        &later(&t.app, 58),
        Method::GET,
        "/admin",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "29 minutes after the last use");
    let (status, _, _) = send(
        &later(&t.app, 90),
        Method::GET,
        "/admin",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "idle for 32 minutes");

    // Busy all along, it still ends 8 hours after sign-in.
    let busy = sign_in(&t, "admin@ac-versailles.fr").await;
    for minutes in (20..=460).step_by(20) {
        let (status, _, _) = send(
            &later(&t.app, minutes),
            Method::GET,
            "/admin",
            Some(&busy),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{minutes} minutes after sign-in");
    }
    let (status, _, _) = send(
        &later(&t.app, 481),
        Method::GET,
        "/admin",
        Some(&busy),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "8 hours after sign-in");
}

#[tokio::test]
async fn the_cli_adds_lists_and_removes_admins() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_insigne"))
            .current_dir(dir.path())
            .env("INSIGNE_DATABASE_URL", "sqlite://insigne.db")
            .env("INSIGNE_CATALOGUE", "")
            .args(args)
            .output()
            .expect("insigne")
    };
    let out = run(&["admins", "add", "Dane@Ac-Versailles.fr"]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&[
        "admins",
        "add",
        "tuteur@ac-versailles.fr",
        "--role",
        "tutor",
    ]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["admins", "list"]);
    let listed = String::from_utf8(out.stdout).expect("utf-8");
    let rows: Vec<Vec<&str>> = listed.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 2, "{listed}");
    assert_eq!(rows[0][..2], ["dane@ac-versailles.fr", "admin"]);
    assert_eq!(rows[1][..2], ["tuteur@ac-versailles.fr", "tutor"]);
    // Bad input: exit 2, nothing changed.
    let out = run(&["admins", "add", "pas-une-adresse"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run(&["admins", "remove", "personne@ac-versailles.fr"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run(&["admins", "remove", "dane@ac-versailles.fr"]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["admins", "list"]);
    let listed = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(!listed.contains("dane@"), "{listed}");
    // Each change is in the audit log, by the CLI; the refused ones are not.
    let url = format!("sqlite://{}", dir.path().join("insigne.db").display());
    let store = insigne::storage::Store::connect(&url).await.expect("store");
    let entries = store.audit_entries(None, None, 10).await.expect("log");
    let seen: Vec<(&str, &str, Option<&str>)> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_deref()))
        .collect();
    assert_eq!(
        seen,
        [
            ("cli", "admins remove", Some("dane@ac-versailles.fr")),
            ("cli", "admins add", Some("tuteur@ac-versailles.fr")),
            ("cli", "admins add", Some("dane@ac-versailles.fr")),
        ]
    );
    store.close().await;
}

/// A multipart form body (text fields, and an optional `image` file).
pub(crate) fn multipart(fields: &[(&str, &str)], image: Option<&[u8]>) -> (String, Vec<u8>) {
    multipart_with(fields, image.map(|bytes| ("image", "logo", bytes)))
}

/// A multipart form body: text fields, and a file (field name, file name, bytes).
pub(crate) fn multipart_with(
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &[u8])>,
) -> (String, Vec<u8>) {
    let boundary = "insigne-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((name, file_name, bytes)) = file {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub(crate) async fn post_form(
    app: &Insigne,
    path: &str,
    cookie: &str,
    form: (String, Vec<u8>),
) -> (StatusCode, axum::http::HeaderMap, String) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::post(path)
        .header(header::COOKIE, cookie)
        .header(header::ACCEPT_LANGUAGE, "fr")
        .header(header::CONTENT_TYPE, form.0)
        .body(axum::body::Body::from(form.1))
        .expect("request");
    let res = insigne::http::router(app.clone())
        .oneshot(req)
        .await
        .expect("response");
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

crate::on_both_backends!(an_admin_creates_and_edits_an_issuer_in_the_console);

async fn an_admin_creates_and_edits_an_issuer_in_the_console(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app
        .add_admin("dane@ac-versailles.fr", Role::Admin)
        .await
        .expect("admin");
    let cookie = sign_in(&t, "dane@ac-versailles.fr").await;
    let (status, _, page) = send(
        &t.app,
        Method::GET,
        "/admin/emetteurs/nouveau",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let token = csrf(&page);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30"/></svg>"#;
    let fields = |csrf: &str| {
        vec![
            ("csrf".to_string(), csrf.to_string()),
            (
                "name".to_string(),
                "DANE de l'académie de Versailles".to_string(),
            ),
            (
                "url".to_string(),
                "https://www.ac-versailles.fr".to_string(),
            ),
            ("email".to_string(), "dane@ac-versailles.fr".to_string()),
            ("description".to_string(), String::new()),
        ]
    };
    let form = |v: Vec<(String, String)>, image: Option<&[u8]>| {
        let pairs: Vec<(&str, &str)> = v.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        multipart(&pairs, image)
    };

    // Without the session's token: 403, nothing created.
    let (status, _, _) = post_form(
        &t.app,
        "/admin/emetteurs",
        &cookie,
        form(fields("forged"), Some(svg)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(t.app.issuers().await.expect("issuers").is_empty());

    // A wrong field and a file that is no image: both said, values kept, nothing created.
    let mut wrong = fields(&token);
    wrong[2].1 = "ftp://ac-versailles.fr".into();
    let (status, _, page) = post_form(
        &t.app,
        "/admin/emetteurs",
        &cookie,
        form(wrong, Some(b"%PDF-1.7 not an image")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("id=\"url-error\""), "{page}");
    assert!(page.contains("value=\"ftp://ac-versailles.fr\""), "{page}");
    assert!(page.contains("href=\"#image\""), "{page}");
    assert!(t.app.issuers().await.expect("issuers").is_empty());

    // Created, with its image.
    let (status, headers, _) = post_form(
        &t.app,
        "/admin/emetteurs",
        &cookie,
        form(fields(&token), Some(svg)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::LOCATION]
        .to_str()
        .expect("location")
        .starts_with("/admin/emetteurs"));
    let issuers = t.app.issuers().await.expect("issuers");
    assert_eq!(issuers.len(), 1);
    let id = issuers[0].id;
    assert!(issuers[0].image.is_some());
    let (_, _, list) = send(&t.app, Method::GET, "/admin/emetteurs", Some(&cookie), None).await;
    assert!(
        list.contains("DANE de l&#x27;académie de Versailles"),
        "{list}"
    );

    // Edited without a new file: the image stays.
    let mut renamed = fields(&token);
    renamed[1].1 = "DANE — académie de Versailles".into();
    let path = format!("/admin/emetteurs/{id}");
    let (status, _, _) = post_form(&t.app, &path, &cookie, form(renamed, None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let issuer = t.app.issuer(id).await.expect("issuer");
    assert_eq!(issuer.name, "DANE — académie de Versailles");
    assert!(issuer.image.is_some(), "the image is kept");

    // Both changes are in the audit log, by the admin.
    let entries = t.app.audit_log(None, Some("issuers")).await.expect("log");
    let seen: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("console:dane@ac-versailles.fr", "issuers update"),
            ("console:dane@ac-versailles.fr", "issuers create"),
        ]
    );
}
