//! The signing keys and the API tokens in the console: listed without anything secret, keys
//! replaced after a confirmation (what was signed before still verifies, what is signed after
//! uses the new keys), tokens shown once and revoked for good; every change in the audit log,
//! never with a secret; tutors kept out. And the CLI's `tokens list|revoke`, `keys` audited.

use std::process::Command;

use axum::http::{header, Method, StatusCode};
use base64::Engine;
use insigne::auth::{hash_secret, Role};
use insigne::http::resolve::LocalResolver;
use insigne::proof::KeyAlgorithm;
use insigne::verify::{self, Options, Verdict};
use serde_json::{json, Value};

use crate::common::{Backend, TestApp, BASE};
use crate::console::{csrf, sign_in};
use crate::mine::send;

const ADMIN: &str = "dane@ac-versailles.fr";
const TUTOR: &str = "tuteur@ac-versailles.fr";

/// The active key ids, Ed25519 then RSA.
fn active(t: &TestApp) -> (String, String) {
    let keys = t.app.keys();
    (
        keys.active_kid(KeyAlgorithm::Ed25519)
            .expect("ed25519")
            .to_string(),
        keys.active_kid(KeyAlgorithm::RS256)
            .expect("rsa")
            .to_string(),
    )
}

/// Nothing private of a key: no JWK private member, no PEM private key.
fn no_private_material(page: &str) {
    for private in ["\"d\":", "&quot;d&quot;:", "&#x22;d&#x22;:", "PRIVATE KEY"] {
        assert!(!page.contains(private), "{private} in {page}");
    }
}

async fn download(t: &TestApp, award: &Value, form: &str) -> Vec<u8> {
    let url = award["links"][form].as_str().expect("link");
    let (status, _, body) = t.get(url.strip_prefix(BASE).expect("local")).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    body
}

async fn verdict(t: &TestApp, bytes: &[u8]) -> Verdict {
    let report = verify::verify_bytes(
        bytes,
        &LocalResolver::new(t.app.clone()),
        &Options::at(t.app.clock.now()),
    )
    .await;
    report.verdict()
}

/// The `kid` in a compact JWS's header.
fn jws_kid(jws: &[u8]) -> String {
    let text = std::str::from_utf8(jws).expect("utf-8");
    let header = text.split('.').next().expect("header");
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header)
        .expect("base64url");
    let header: Value = serde_json::from_slice(&header).expect("json");
    header["kid"].as_str().expect("kid").to_string()
}

fn credential_method(credential: &[u8]) -> String {
    let credential: Value = serde_json::from_slice(credential).expect("json");
    credential["proof"][0]["verificationMethod"]
        .as_str()
        .expect("verification method")
        .to_string()
}

crate::on_both_backends!(keys_are_listed_and_replaced_after_a_confirmation);

async fn keys_are_listed_and_replaced_after_a_confirmation(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app.add_admin(ADMIN, Role::Admin).await.expect("admin");
    t.app.add_admin(TUTOR, Role::Tutor).await.expect("tutor");
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let before = t
        .award(json!({"badge_class": class, "recipient": {"email": "marie@ac-versailles.fr", "name": "Marie"}}))
        .await;
    let (old_ed, old_rsa) = active(&t);

    let cookie = sign_in(&t, ADMIN).await;
    let (status, _, dashboard) = send(&t.app, Method::GET, "/admin", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        dashboard.contains("href=\"/admin/cles?lang=fr\""),
        "{dashboard}"
    );

    // The list: both active keys, what they sign, nothing private, never stored by a cache.
    let (status, headers, page) =
        send(&t.app, Method::GET, "/admin/cles", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(headers[header::CACHE_CONTROL]
        .to_str()
        .expect("cache-control")
        .contains("no-store"));
    for expected in [
        "Clés de signature",
        "<caption>",
        old_ed.as_str(),
        old_rsa.as_str(),
        "Active",
        "eddsa-rdfc-2022",
        "VC-JWT",
        "JWS RS256",
        "/.well-known/jwks.json",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    assert!(!page.contains("Retirée"), "{page}");
    no_private_material(&page);

    // Replacing takes a confirmation page that says what becomes of the badges issued before.
    let (status, _, confirm) = send(
        &t.app,
        Method::GET,
        "/admin/cles/remplacer",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{confirm}");
    assert!(
        confirm.contains("Les badges délivrés avant restent vérifiables"),
        "{confirm}"
    );
    assert!(
        confirm.contains("action=\"/admin/cles/remplacer?lang=fr\""),
        "{confirm}"
    );
    assert_eq!(
        active(&t),
        (old_ed.clone(), old_rsa.clone()),
        "a GET changes nothing"
    );
    let token = csrf(&confirm);

    // Without the session's CSRF token: 403, nothing replaced.
    for form in ["", "csrf=forged"] {
        let (status, _, _) = send(
            &t.app,
            Method::POST,
            "/admin/cles/remplacer",
            Some(&cookie),
            Some(form),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{form:?}");
        assert_eq!(active(&t), (old_ed.clone(), old_rsa.clone()));
    }
    assert_eq!(t.app.signing_keys().len(), 2);

    // A tutor sees neither the keys nor the confirmation, and cannot replace them.
    let tutor = sign_in(&t, TUTOR).await;
    for path in ["/admin/cles", "/admin/cles/remplacer"] {
        let (status, _, _) = send(&t.app, Method::GET, path, Some(&tutor), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        "/admin/cles/remplacer",
        Some(&tutor),
        Some(&format!("csrf={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(active(&t), (old_ed.clone(), old_rsa.clone()));

    // When the keys folder cannot be read back, the page says that nothing changed, and
    // nothing did.
    let ring_file = t.keys_dir.path().join("keyring.toml");
    let saved = std::fs::read(&ring_file).expect("key ring");
    std::fs::remove_file(&ring_file).expect("remove");
    let (status, _, failed) = send(
        &t.app,
        Method::POST,
        "/admin/cles/remplacer",
        Some(&cookie),
        Some(&format!("csrf={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{failed}");
    assert!(failed.contains("role=\"alert\""), "{failed}");
    assert!(
        failed.contains("Les clés n&#x27;ont pas pu être remplacées"),
        "{failed}"
    );
    assert_eq!(active(&t), (old_ed.clone(), old_rsa.clone()));
    std::fs::write(&ring_file, saved).expect("put back");

    // Confirmed: new active keys, in this process and in the keys folder.
    let (status, headers, _) = send(
        &t.app,
        Method::POST,
        "/admin/cles/remplacer?lang=fr",
        Some(&cookie),
        Some(&format!("csrf={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().expect("location");
    assert!(location.starts_with("/admin/cles?lang=fr"), "{location}");
    let (new_ed, new_rsa) = active(&t);
    assert_ne!(new_ed, old_ed);
    assert_ne!(new_rsa, old_rsa);
    let on_disk = insigne::proof::KeyRing::load(t.keys_dir.path()).expect("reload");
    assert_eq!(
        on_disk.active_kid(KeyAlgorithm::RS256),
        Some(new_rsa.as_str())
    );
    assert_eq!(
        on_disk.active_kid(KeyAlgorithm::Ed25519),
        Some(new_ed.as_str())
    );

    // The list shows the retired keys as such, in words, and still nothing private.
    let (status, _, page) = send(&t.app, Method::GET, location, Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("role=\"status\""), "{page}");
    for kid in [&old_ed, &old_rsa, &new_ed, &new_rsa] {
        assert!(page.contains(kid.as_str()), "{kid} in {page}");
    }
    assert_eq!(page.matches("Retirée").count(), 2, "{page}");
    no_private_material(&page);
    let (_, _, english) = send(
        &t.app,
        Method::GET,
        "/admin/cles?lang=en",
        Some(&cookie),
        None,
    )
    .await;
    assert!(english.contains("Signing keys"), "{english}");
    assert_eq!(english.matches("Retired").count(), 2, "{english}");
    no_private_material(&english);

    // What was signed before still verifies, with the retired keys.
    for form in ["ob2_signed", "ob3_credential", "ob3_jwt", "png"] {
        let bytes = download(&t, &before, form).await;
        assert_eq!(
            verdict(&t, &bytes).await,
            Verdict::Valid,
            "{form} issued before"
        );
    }
    let old_jws = download(&t, &before, "ob2_signed").await;
    assert!(
        jws_kid(&old_jws).ends_with(&old_rsa),
        "{}",
        jws_kid(&old_jws)
    );

    // What is signed now uses the new keys, and verifies.
    let after = t
        .award(json!({"badge_class": class, "recipient": {"email": "paul@ac-versailles.fr", "name": "Paul"}}))
        .await;
    let jws = download(&t, &after, "ob2_signed").await;
    assert!(jws_kid(&jws).ends_with(&new_rsa), "{}", jws_kid(&jws));
    let jwt = download(&t, &after, "ob3_jwt").await;
    assert!(
        jws_kid(&jwt).ends_with(&format!("#{new_rsa}")),
        "{}",
        jws_kid(&jwt)
    );
    let credential = download(&t, &after, "ob3_credential").await;
    assert!(
        credential_method(&credential).ends_with(&format!("#{new_ed}")),
        "{}",
        credential_method(&credential)
    );
    for form in ["ob2_signed", "ob3_credential", "ob3_jwt"] {
        let bytes = download(&t, &after, form).await;
        assert_eq!(
            verdict(&t, &bytes).await,
            Verdict::Valid,
            "{form} issued after"
        );
    }

    // The refused attempts are not in the audit log; the rotation is, by the admin.
    let entries = t.app.audit_log(None, Some("keys")).await.expect("log");
    let seen: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_str()))
        .collect();
    let target = format!("{new_ed} {new_rsa}");
    assert_eq!(
        seen,
        [(
            "console:dane@ac-versailles.fr",
            "keys rotate",
            target.as_str()
        )]
    );
}

/// The token the creation page shows.
fn shown_token(page: &str) -> String {
    let start = page.find("value=\"insigne_").expect("the token") + "value=\"".len();
    page[start..start + page[start..].find('"').expect("end")].to_string()
}

crate::on_both_backends!(a_token_is_shown_once_and_revoked_after_a_confirmation);

async fn a_token_is_shown_once_and_revoked_after_a_confirmation(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app.add_admin(ADMIN, Role::Admin).await.expect("admin");
    t.app.add_admin(TUTOR, Role::Tutor).await.expect("tutor");
    let cookie = sign_in(&t, ADMIN).await;
    let (_, _, dashboard) = send(&t.app, Method::GET, "/admin", Some(&cookie), None).await;
    assert!(
        dashboard.contains("href=\"/admin/jetons?lang=fr\""),
        "{dashboard}"
    );

    // The harness's two tokens are listed, with neither token nor hash.
    let (status, headers, page) =
        send(&t.app, Method::GET, "/admin/jetons", Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(headers[header::CACHE_CONTROL]
        .to_str()
        .expect("cache-control")
        .contains("no-store"));
    assert!(page.contains("Jetons d&#x27;API"), "{page}");
    assert!(page.contains("<caption>"), "{page}");
    assert!(page.contains("<label for=\"label\">"), "{page}");
    assert!(page.contains("<label for=\"scope\">"), "{page}");
    for secret in [&t.admin_token, &t.ingest_token] {
        assert!(!page.contains(secret.as_str()));
        assert!(!page.contains(&hash_secret(secret)));
    }
    assert_eq!(page.matches("Révoquer").count(), 2, "{page}");
    let token = csrf(&page);
    let before = t.app.tokens().await.expect("tokens").len();

    // Without the session's token: 403, nothing made.
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        "/admin/jetons",
        Some(&cookie),
        Some("label=Forg%C3%A9&scope=admin"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Without a label or with an unknown scope: said, nothing made.
    for form in [
        format!("csrf={token}&label=&scope=admin"),
        format!("csrf={token}&label=Script&scope=superuser"),
    ] {
        let (status, _, page) = send(
            &t.app,
            Method::POST,
            "/admin/jetons",
            Some(&cookie),
            Some(&form),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        assert!(page.contains("role=\"alert\""), "{page}");
        assert!(page.contains("aria-invalid=\"true\""), "{page}");
        assert!(!page.contains("value=\"insigne_"), "{page}");
    }
    assert_eq!(t.app.tokens().await.expect("tokens").len(), before);

    // Made: shown on this answer only, which no cache keeps.
    let (status, headers, created) = send(
        &t.app,
        Method::POST,
        "/admin/jetons?lang=fr",
        Some(&cookie),
        Some(&format!(
            "csrf={token}&label=Connecteur+m%40gist%C3%A8re&scope=admin"
        )),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert!(headers[header::CACHE_CONTROL]
        .to_str()
        .expect("cache-control")
        .contains("no-store"));
    assert!(created.contains("Copiez ce jeton maintenant"), "{created}");
    assert!(created.contains("<label for=\"token\">"), "{created}");
    let secret = shown_token(&created);
    assert!(secret.len() > 40, "{secret}");
    let tokens = t.app.tokens().await.expect("tokens");
    assert_eq!(tokens.len(), before + 1);
    let made = tokens
        .iter()
        .find(|k| k.label.as_deref() == Some("Connecteur m@gistère"))
        .expect("the new token");
    assert_eq!(made.scope, insigne::auth::Scope::Admin);
    let id = made.id.to_string();

    // It opens the API.
    let (status, _) = t
        .call(Method::GET, "/api/v1/issuers", Some(&secret), None)
        .await;
    assert_eq!(status, StatusCode::OK);

    // No page shows it again.
    for path in [
        "/admin/jetons".to_string(),
        "/admin/jetons?lang=en".to_string(),
        format!("/admin/jetons/{id}/revoquer"),
    ] {
        let (status, _, page) = send(&t.app, Method::GET, &path, Some(&cookie), None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(!page.contains(&secret), "{path}");
        assert!(!page.contains(&hash_secret(&secret)), "{path}");
    }
    let (_, _, page) = send(&t.app, Method::GET, "/admin/jetons", Some(&cookie), None).await;
    assert!(page.contains("Connecteur m@gistère"), "{page}");
    assert!(page.contains(&id), "{page}");

    // Revoking takes a confirmation; a forged form is refused and the token still works.
    let path = format!("/admin/jetons/{id}/revoquer");
    let (status, _, confirm) = send(&t.app, Method::GET, &path, Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("401"), "{confirm}");
    assert!(
        confirm.contains(&format!("action=\"{path}?lang=fr\"")),
        "{confirm}"
    );
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &path,
        Some(&cookie),
        Some("csrf=forged"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = t
        .call(Method::GET, "/api/v1/issuers", Some(&secret), None)
        .await;
    assert_eq!(status, StatusCode::OK, "still live");

    // A tutor can do none of it.
    let tutor = sign_in(&t, TUTOR).await;
    for (method, path, form) in [
        (Method::GET, "/admin/jetons".to_string(), None),
        (
            Method::POST,
            "/admin/jetons".to_string(),
            Some(format!("csrf={token}&label=Tuteur&scope=admin")),
        ),
        (Method::GET, path.clone(), None),
        (Method::POST, path.clone(), Some(format!("csrf={token}"))),
    ] {
        let (status, _, _) = send(&t.app, method, &path, Some(&tutor), form.as_deref()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(t.app.tokens().await.expect("tokens").len(), before + 1);

    // Revoked: the API answers 401 from now on, the list says so.
    let (status, headers, _) = send(
        &t.app,
        Method::POST,
        &format!("{path}?lang=fr"),
        Some(&cookie),
        Some(&format!("csrf={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().expect("location");
    assert!(location.starts_with("/admin/jetons?lang=fr"), "{location}");
    let (status, _) = t
        .call(Method::GET, "/api/v1/issuers", Some(&secret), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, _, page) = send(&t.app, Method::GET, location, Some(&cookie), None).await;
    assert!(page.contains("role=\"status\""), "{page}");
    assert!(page.contains("Révoqué le"), "{page}");
    assert_eq!(page.matches(">Révoquer<").count(), 2, "{page}");
    // Again: nothing more happens.
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &path,
        Some(&cookie),
        Some(&format!("csrf={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // An unknown token has no page.
    let unknown = format!("/admin/jetons/{}/revoquer", uuid::Uuid::new_v4());
    let (status, _, _) = send(&t.app, Method::GET, &unknown, Some(&cookie), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Both changes are in the audit log, by the admin, with the token's id and never its secret.
    let entries = t.app.audit_log(None, Some("tokens")).await.expect("log");
    let seen: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str(), e.target.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "console:dane@ac-versailles.fr",
                "tokens revoke",
                id.as_str()
            ),
            (
                "console:dane@ac-versailles.fr",
                "tokens create",
                id.as_str()
            ),
        ]
    );
    assert_eq!(entries[1].detail, "admin: Connecteur m@gistère");
    let csv = t.app.audit_csv(None, None).await.expect("csv");
    assert!(!csv.contains(&secret));
    assert!(!csv.contains(&hash_secret(&secret)));
}

#[tokio::test]
async fn the_cli_lists_and_revokes_tokens_and_audits_its_keys() {
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_insigne"))
            .current_dir(dir.path())
            .env("INSIGNE_DATABASE_URL", "sqlite://insigne.db")
            .env("INSIGNE_KEYS_DIR", "keys")
            .env("INSIGNE_CATALOGUE", "")
            .env("INSIGNE_LOG", "warn")
            .args(args)
            .output()
            .expect("insigne")
    };
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();

    let out = run(&["keys", "generate"]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["keys", "rotate"]);
    assert!(out.status.success(), "{out:?}");
    let rotated = text(&out.stdout);
    let new_kids: Vec<&str> = rotated
        .lines()
        .filter(|l| l.contains("\tactive\t"))
        .filter_map(|l| l.split('\t').next())
        .collect();
    assert_eq!(new_kids.len(), 2, "{rotated}");

    let out = run(&["tokens", "create", "--scope", "ingest", "--label", "Moodle"]);
    assert!(out.status.success(), "{out:?}");
    let secret = text(&out.stdout).trim().to_string();
    let out = run(&["tokens", "list"]);
    assert!(out.status.success(), "{out:?}");
    let listed = text(&out.stdout);
    assert!(!listed.contains(&secret), "{listed}");
    assert!(!listed.contains(&hash_secret(&secret)), "{listed}");
    let row: Vec<&str> = listed.trim_end().split('\t').collect();
    assert_eq!(row.len(), 5, "{listed}");
    assert_eq!(row[1..], ["ingest", row[2], "live", "Moodle"]);
    let id = row[0].to_string();

    // Unknown or malformed ids: bad usage, nothing done.
    let out = run(&["tokens", "revoke", &uuid::Uuid::new_v4().to_string()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run(&["tokens", "revoke", "pas-un-identifiant"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run(&["tokens", "revoke", &id]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["tokens", "revoke", &id]);
    assert!(out.status.success(), "revoking again is no error: {out:?}");
    let listed = text(&run(&["tokens", "list"]).stdout);
    assert!(!listed.contains("\tlive\t"), "{listed}");

    let url = format!("sqlite://{}", dir.path().join("insigne.db").display());
    let store = insigne::storage::Store::connect(&url).await.expect("store");
    assert_eq!(
        store.find_token(&hash_secret(&secret)).await.expect("find"),
        None,
        "a revoked token authenticates nothing"
    );
    let entries = store.audit_entries(None, None, 10).await.expect("log");
    let seen: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.actor.as_str(), e.action.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("cli", "tokens revoke"),
            ("cli", "tokens create"),
            ("cli", "keys rotate"),
            ("cli", "keys generate"),
        ]
    );
    assert_eq!(entries[0].target.as_deref(), Some(id.as_str()));
    assert_eq!(entries[1].target.as_deref(), Some(id.as_str()));
    assert_eq!(entries[1].detail.as_deref(), Some("ingest: Moodle"));
    assert_eq!(
        entries[2].target.as_deref(),
        Some(new_kids.join(" ").as_str())
    );
    for e in &entries {
        let all = format!("{:?} {:?}", e.target, e.detail);
        assert!(!all.contains(&secret) && !all.contains(&hash_secret(&secret)));
    }
    store.close().await;
}
