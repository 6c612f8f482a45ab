//! "Mes badges": sign-in links (single use, short-lived, no account enumeration, rate limited),
//! public and private badges, the trainer's export and erasure.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use insigne::domain::FixedClock;
use insigne::service::Insigne;
use insigne::storage::MessageKind;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::{Backend, TestApp, BASE};

const BROWSER: &str = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8";

pub(crate) async fn send(
    app: &Insigne,
    method: Method,
    path: &str,
    cookie: Option<&str>,
    form: Option<&str>,
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ACCEPT, BROWSER)
        .header(header::ACCEPT_LANGUAGE, "fr");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let req = match form {
        Some(f) => req
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(f.to_string())),
        None => req.body(Body::empty()),
    }
    .expect("request");
    let res = insigne::http::router(app.clone())
        .oneshot(req)
        .await
        .expect("response");
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// The sentence the sign-in answer says, whatever the address.
pub(crate) fn said(html: &str) -> String {
    let start = html.find("<p role=\"status\">").expect("status paragraph");
    html[start..start + html[start..].find("</p>").expect("end")].to_string()
}

/// The secret of the newest sign-in link sent to `email`.
async fn link_secret(t: &TestApp, email: &str) -> String {
    let messages = t.app.store.messages_to(email).await.expect("messages");
    let body = &messages
        .iter()
        .rev()
        .find(|m| m.kind == MessageKind::Signin.as_str())
        .expect("a sign-in message")
        .body;
    let start = body.find("/mes-badges/connexion/").expect("link") + "/mes-badges/connexion/".len();
    body[start..]
        .split_whitespace()
        .next()
        .expect("secret")
        .to_string()
}

async fn ask(app: &Insigne, email: &str) -> (StatusCode, String) {
    let form = format!(
        "email={}&lang=fr",
        url::form_urlencoded::byte_serialize(email.as_bytes()).collect::<String>()
    );
    let (status, _, body) = send(
        app,
        Method::POST,
        "/mes-badges/connexion",
        None,
        Some(&form),
    )
    .await;
    (status, body)
}

/// Signs `email` in through a fresh link; returns the cookie to send.
pub(crate) async fn sign_in(t: &TestApp, email: &str) -> String {
    let (status, _) = ask(&t.app, email).await;
    assert_eq!(status, StatusCode::OK);
    let secret = link_secret(t, email).await;
    let (status, headers, _) = send(
        &t.app,
        Method::POST,
        &format!("/mes-badges/connexion/{secret}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookie = headers[header::SET_COOKIE].to_str().expect("cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    cookie.split(';').next().expect("pair").to_string()
}

pub(crate) async fn award(t: &TestApp, class: &str, email: &str, name: &str) -> String {
    let award = t
        .award(json!({"badge_class": class, "recipient": {"email": email, "name": name}}))
        .await;
    award["id"].as_str().expect("id").to_string()
}

pub(crate) fn later(app: &Insigne, minutes: i64) -> Insigne {
    Insigne {
        clock: Arc::new(FixedClock(
            app.clock.now() + chrono::Duration::minutes(minutes),
        )),
        ..app.clone()
    }
}

crate::on_both_backends!(sign_in_links_are_single_use_short_lived_and_tell_nothing);

async fn sign_in_links_are_single_use_short_lived_and_tell_nothing(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    award(&t, &class, "marie@ac-versailles.fr", "Marie Curie").await;

    // Known, unknown and malformed addresses get the same answer; only the known one a link.
    let (s1, known) = ask(&t.app, "Marie@ac-versailles.fr").await;
    let (s2, unknown) = ask(&t.app, "personne@ac-versailles.fr").await;
    let (s3, malformed) = ask(&t.app, "pas une adresse").await;
    assert_eq!(
        (s1, s2, s3),
        (StatusCode::OK, StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(said(&known), said(&unknown));
    assert_eq!(said(&known), said(&malformed));
    assert!(
        said(&known)
            .contains("Si cette adresse est celle d&#x27;un formateur connu d&#x27;insigne")
            || said(&known).contains("Si cette adresse est celle d'un formateur connu d'insigne"),
        "{known}"
    );
    let links: Vec<_> = t
        .app
        .store
        .messages(None, 100)
        .await
        .expect("outbox")
        .into_iter()
        .filter(|m| m.kind == "signin")
        .collect();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].recipient, "marie@ac-versailles.fr");
    assert!(links[0]
        .body
        .contains(&format!("{BASE}/mes-badges/connexion/")));

    // Opening the link does not use it (mail scanners open links); the button does, once.
    let secret = link_secret(&t, "marie@ac-versailles.fr").await;
    let path = format!("/mes-badges/connexion/{secret}");
    let (status, _, page) = send(&t.app, Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!("<form method=\"post\" action=\"{path}\">")),
        "{page}"
    );
    let (status, headers, _) = send(&t.app, Method::POST, &path, None, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/mes-badges");
    let cookie = headers[header::SET_COOKIE]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let (status, _, again) = send(&t.app, Method::POST, &path, None, None).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(
        again.contains("Ce lien a déjà servi ou a expiré"),
        "{again}"
    );

    let (status, _, mine) = send(&t.app, Method::GET, "/mes-badges", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        mine.contains("Connecté·e en tant que marie@ac-versailles.fr"),
        "{mine}"
    );
    assert!(mine.contains("e-CAP1 — Concevoir un parcours de formation hybride"));
    // Without the cookie: the sign-in form, nothing about anyone.
    let (_, _, anonymous) = send(&t.app, Method::GET, "/mes-badges", None, None).await;
    assert!(anonymous.contains("<form method=\"post\" action=\"/mes-badges/connexion\">"));
    assert!(!anonymous.contains("marie"));

    // A link used after its quarter of an hour: refused the same way.
    ask(&t.app, "marie@ac-versailles.fr").await;
    let secret = link_secret(&t, "marie@ac-versailles.fr").await;
    let (status, _, _) = send(
        &later(&t.app, 16),
        Method::POST,
        &format!("/mes-badges/connexion/{secret}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::GONE);
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        "/mes-badges/connexion/forged-secret",
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::GONE);

    // Rate limited per address (3 in a quarter of an hour), known or not, without telling.
    let (status, _) = ask(&t.app, "marie@ac-versailles.fr").await;
    assert_eq!(status, StatusCode::OK, "third request");
    let (status, limited) = ask(&t.app, "marie@ac-versailles.fr").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.contains("Trop de demandes"));
    for _ in 0..2 {
        ask(&t.app, "personne@ac-versailles.fr").await;
    }
    let (status, _) = ask(&t.app, "personne@ac-versailles.fr").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the same for an unknown address"
    );
    // … and per client: twenty addresses from one client.
    let mut last = StatusCode::OK;
    for i in 0..20 {
        last = ask(&t.app, &format!("x{i}@ac-versailles.fr")).await.0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    // A quarter of an hour later, the address may ask again.
    let (status, _) = ask(&later(&t.app, 16), "marie@ac-versailles.fr").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_private_badge_has_no_page_but_stays_verifiable() {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let mine = award(&t, &class, "marie@ac-versailles.fr", "Marie").await;
    let theirs = award(&t, &class, "paul@ac-versailles.fr", "Paul").await;
    let cookie = sign_in(&t, "marie@ac-versailles.fr").await;

    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &format!("/mes-badges/badges/{mine}/visibilite"),
        Some(&cookie),
        Some("private=1"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for path in [format!("/badges/{mine}"), format!("/assertions/{mine}")] {
        let (status, _, page) = send(&t.app, Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("Page introuvable"));
    }
    // Its signed forms: still served, still valid for whoever holds them.
    let (status, _, assertion) = t.get(&format!("/assertions/{mine}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, credential) = t.get(&format!("/credentials/{mine}")).await;
    assert_eq!(status, StatusCode::OK);
    let options = insigne::verify::Options {
        recipient_email: None,
        ..insigne::verify::Options::at(t.app.clock.now())
    };
    let resolver = insigne::http::resolve::LocalResolver::new(t.app.clone());
    for input in [assertion, credential] {
        let r = insigne::verify::verify_bytes(&input, &resolver, &options).await;
        assert_eq!(
            r.verdict(),
            insigne::verify::Verdict::Valid,
            "{:?}",
            r.checks
        );
    }
    let (_, _, list) = send(&t.app, Method::GET, "/mes-badges", Some(&cookie), None).await;
    assert!(
        list.contains("Privé : sa page n&#x27;est visible par personne"),
        "{list}"
    );

    // Someone else's badge is not theirs to hide.
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &format!("/mes-badges/badges/{theirs}/visibilite"),
        Some(&cookie),
        Some("private=1"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &format!("/mes-badges/badges/{theirs}/visibilite"),
        None,
        Some("private=1"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = send(
        &t.app,
        Method::GET,
        &format!("/badges/{theirs}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Public again.
    send(
        &t.app,
        Method::POST,
        &format!("/mes-badges/badges/{mine}/visibilite"),
        Some(&cookie),
        Some("private=0"),
    )
    .await;
    let (status, _, _) = send(&t.app, Method::GET, &format!("/badges/{mine}"), None, None).await;
    assert_eq!(status, StatusCode::OK);
}

crate::on_both_backends!(export_and_erasure_touch_nobody_else);

async fn export_and_erasure_touch_nobody_else(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    crate::awarding::load_example_catalogue(&t).await;
    let ingest = t.ingest_token.clone();
    for (email, name) in [
        ("marie@ac-versailles.fr", "Marie Curie"),
        ("paul@ac-versailles.fr", "Paul Langevin"),
    ] {
        let (status, body) = t
            .call(Method::POST, "/api/v1/completions", Some(&ingest), Some(json!({"learner": {"email": email, "name": name}, "module": "E1-M1", "completed_at": "2026-03-01"})))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (_, paul_before) = t
        .admin(
            Method::GET,
            "/api/v1/trainers/paul@ac-versailles.fr/export",
            None,
        )
        .await;
    assert_eq!(paul_before["awards"].as_array().map(Vec::len), Some(1));
    assert_eq!(paul_before["completions"].as_array().map(Vec::len), Some(1));

    let cookie = sign_in(&t, "marie@ac-versailles.fr").await;
    let (status, headers, export) = send(
        &t.app,
        Method::GET,
        "/mes-badges/donnees.json",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("cd")
        .contains("attachment"));
    let export: Value = serde_json::from_str(&export).expect("json");
    assert_eq!(export["email"], "marie@ac-versailles.fr");
    assert_eq!(export["awards"][0]["recipient"]["name"], "Marie Curie");
    assert_eq!(export["completions"][0]["module"], "E1-M1");
    assert!(export["messages"]
        .as_array()
        .is_some_and(|m| m.iter().any(|m| m["kind"] == "awarded")));
    let marie_award = export["awards"][0]["id"].as_str().expect("id").to_string();

    // Not without saying so.
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        "/mes-badges/effacement",
        Some(&cookie),
        Some(""),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, done) = send(
        &t.app,
        Method::POST,
        "/mes-badges/effacement",
        Some(&cookie),
        Some("confirm=oui"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(
        done.contains("Vos données personnelles ont été effacées et vos badges révoqués (1)"),
        "{done}"
    );

    let (_, marie) = t
        .admin(
            Method::GET,
            "/api/v1/trainers/marie@ac-versailles.fr/export",
            None,
        )
        .await;
    assert_eq!(marie["awards"], json!([]));
    assert_eq!(marie["completions"], json!([]));
    assert_eq!(marie["messages"], json!([]));
    let (_, award) = t
        .admin(Method::GET, &format!("/api/v1/awards/{marie_award}"), None)
        .await;
    assert_eq!(
        award["revocation"]["reason"], "effacement à la demande du titulaire",
        "{award}"
    );
    assert!(
        !award.to_string().contains("marie") && !award.to_string().contains("Marie Curie"),
        "{award}"
    );
    let (status, _, _) = t.get(&format!("/assertions/{marie_award}")).await;
    assert_eq!(status, StatusCode::GONE);
    let (status, _, _) = send(
        &t.app,
        Method::GET,
        &format!("/badges/{marie_award}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The session is gone with the rest.
    let (_, _, page) = send(&t.app, Method::GET, "/mes-badges", Some(&cookie), None).await;
    assert!(page.contains("<form method=\"post\" action=\"/mes-badges/connexion\">"));

    // Paul: exactly as before.
    let (_, paul_after) = t
        .admin(
            Method::GET,
            "/api/v1/trainers/paul@ac-versailles.fr/export",
            None,
        )
        .await;
    let strip = |mut v: Value| {
        v.as_object_mut().expect("object").remove("exported_at");
        v
    };
    assert_eq!(strip(paul_after), strip(paul_before));

    // An admin can do the same on request.
    let (status, body) = t
        .admin(
            Method::POST,
            "/api/v1/trainers/paul@ac-versailles.fr/erase",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["badges_revoked"], 1);
    let (status, _) = t
        .admin(Method::POST, "/api/v1/trainers/pas-une-adresse/erase", None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

crate::on_both_backends!(the_trainer_sees_badge_cards_and_what_remains_to_earn);

async fn the_trainer_sees_badge_cards_and_what_remains_to_earn(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    crate::awarding::load_example_catalogue(&t).await;
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    award(&t, &class, "marie@ac-versailles.fr", "Marie Curie").await;
    // Half of e-CAP1 done.
    let done: Vec<insigne::service::CompletionInput> = ["E1-M1", "E1-M2"]
        .iter()
        .map(|m| insigne::service::CompletionInput {
            learner: Some(insigne::service::inputs::RecipientInput {
                email: Some("marie@ac-versailles.fr".into()),
                name: Some("Marie Curie".into()),
                lang: None,
            }),
            module: Some(m.to_string()),
            completed_at: Some("2026-11-02".into()),
            ..Default::default()
        })
        .collect();
    t.app.record_completions(&done).await.expect("completions");

    let cookie = sign_in(&t, "marie@ac-versailles.fr").await;
    let (status, _, page) = send(&t.app, Method::GET, "/mes-badges", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    // The badge held, as a card with its image and its status in words.
    assert!(
        page.contains(&format!("<img src=\"{BASE}/badge-classes/{class}/image\"")),
        "{page}"
    );
    assert!(page.contains("Valide"), "{page}");
    // e-CAP1 in progress: two modules done, two to go, in the catalogue's order.
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle} in {page}"))
    };
    let section = at("<h2>En cours</h2>");
    let ecap1 = at(">e-CAP1 — Concevoir un parcours de formation hybride</h3>");
    let done = at("Déjà fait :");
    let m1 = at("<li>E1-M1 — ");
    let m2 = at("<li>E1-M2 — ");
    let remaining = at("Reste à faire :");
    let m3 = at("<li>E1-M3 — ");
    let m4 = at("<li>E1-M4 — ");
    assert!(
        section < ecap1 && ecap1 < done && done < m1 && m1 < m2,
        "{page}"
    );
    assert!(m2 < remaining && remaining < m3 && m3 < m4, "{page}");
    // Badges not started are not listed.
    assert!(
        !page.contains(">e-CAP3 — Tutorer une formation hybride</h3>"),
        "{page}"
    );
}
