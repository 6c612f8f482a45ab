//! The whole admin-to-public story, the same on SQLite and PostgreSQL.

use axum::http::{header, Method, StatusCode};
use insigne::storage::Store;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{badge_class_body, issuer_body, Backend, TestApp, BASE};
use crate::on_both_backends;

on_both_backends!(admin_defines_issues_and_the_public_reads);

async fn admin_defines_issues_and_the_public_reads(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };

    // Issuer: create, read, list, update.
    let (status, issuer) = t
        .admin(Method::POST, "/api/v1/issuers", Some(issuer_body()))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issuer}");
    let issuer_id = issuer["id"].as_str().expect("id").to_string();
    let (status, read) = t
        .admin(Method::GET, &format!("/api/v1/issuers/{issuer_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, issuer);
    let mut changed = issuer_body();
    changed["name"] = json!("DANE Versailles");
    let (status, updated) = t
        .admin(
            Method::PUT,
            &format!("/api/v1/issuers/{issuer_id}"),
            Some(changed),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["name"], "DANE Versailles");
    let (_, list) = t.admin(Method::GET, "/api/v1/issuers", None).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(list["items"][0]["name"], "DANE Versailles");

    // Badge class: create, read, list, update.
    let (status, class) = t
        .admin(
            Method::POST,
            "/api/v1/badge-classes",
            Some(badge_class_body(&issuer_id)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{class}");
    let class_id = class["id"].as_str().expect("id").to_string();
    assert_eq!(class["alignments"][0]["code"], "EF1");
    let mut changed = badge_class_body(&issuer_id);
    changed["validity_days"] = json!(365);
    let (status, class) = t
        .admin(
            Method::PUT,
            &format!("/api/v1/badge-classes/{class_id}"),
            Some(changed),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{class}");
    assert_eq!(class["validity_days"], 365);
    let (_, list) = t.admin(Method::GET, "/api/v1/badge-classes", None).await;
    assert_eq!(list["items"][0]["id"], class_id.as_str());

    // Award.
    let award_body = json!({
        "badge_class": class_id,
        "recipient": {"email": "Marie.Curie@ac-versailles.fr", "name": "Marie Curie"},
        "narrative": "Parcours e-CAP1 complété en 2026.",
        "evidence": [{"name": "E1-M2 Scénariser un parcours hybride", "url": "https://magistere.example/course/42"}],
    });
    let (status, award) = t
        .admin(Method::POST, "/api/v1/awards", Some(award_body))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{award}");
    let award_id = award["id"].as_str().expect("id").to_string();
    assert_eq!(award["status"], "valid");
    assert_eq!(award["issued_on"], "2026-11-28T12:00:00Z");
    assert_eq!(award["expires"], "2027-11-28T12:00:00Z");
    assert_eq!(award["links"]["page"], format!("{BASE}/badges/{award_id}"));
    assert_eq!(
        award["links"]["ob2_assertion"],
        format!("{BASE}/assertions/{award_id}")
    );
    let (status, read) = t
        .admin(Method::GET, &format!("/api/v1/awards/{award_id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, award);

    // The hosted Assertion, at its own id, with a salted hash of the lower-cased email.
    let (status, headers, bytes) = t.get(&format!("/assertions/{award_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/ld+json");
    let assertion: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(assertion["@context"], "https://w3id.org/openbadges/v2");
    assert_eq!(assertion["type"], "Assertion");
    assert_eq!(assertion["id"], award["links"]["ob2_assertion"]);
    assert_eq!(assertion["verification"]["type"], "HostedBadge");
    assert_eq!(assertion["recipient"]["hashed"], true);
    let salt = assertion["recipient"]["salt"].as_str().expect("salt");
    assert_eq!(salt.len(), 32);
    let expected = format!(
        "sha256${}",
        hex::encode(Sha256::digest(format!(
            "marie.curie@ac-versailles.fr{salt}"
        )))
    );
    assert_eq!(assertion["recipient"]["identity"], expected.as_str());
    assert_eq!(assertion["expires"], "2027-11-28T12:00:00Z");
    assert_eq!(
        assertion["evidence"][0]["id"],
        "https://magistere.example/course/42"
    );
    assert!(
        !String::from_utf8_lossy(&bytes).contains("marie"),
        "the email must not be published"
    );

    // The BadgeClass and the issuer Profile behind it.
    let class_url = assertion["badge"].as_str().expect("badge");
    let (status, _, bytes) = t.get(class_url.strip_prefix(BASE).expect("local")).await;
    assert_eq!(status, StatusCode::OK);
    let badge: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(badge["type"], "BadgeClass");
    assert_eq!(
        badge["criteria"]["narrative"],
        "Avoir complété les modules E1-M1 à E1-M4."
    );
    assert_eq!(badge["alignment"][0]["targetCode"], "EF1");
    assert_eq!(
        badge["alignment"][0]["targetUrl"],
        format!("{class_url}#competence-EF1")
    );
    assert_eq!(
        badge["alignment"][1]["targetUrl"],
        "https://pix.fr/competences"
    );
    let (status, headers, png) = t
        .get(
            badge["image"]
                .as_str()
                .expect("image")
                .strip_prefix(BASE)
                .expect("local"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert!(png.starts_with(b"\x89PNG"));
    let (status, _, bytes) = t
        .get(
            badge["issuer"]
                .as_str()
                .expect("issuer")
                .strip_prefix(BASE)
                .expect("local"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let profile: Value = serde_json::from_slice(&bytes).expect("json");
    assert_eq!(profile["type"], "Issuer");
    assert_eq!(profile["name"], "DANE Versailles");
    assert_eq!(profile["email"], "dane@ac-versailles.fr");
    let (status, headers, _) = t
        .get(
            profile["image"]
                .as_str()
                .expect("image")
                .strip_prefix(BASE)
                .expect("local"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/svg+xml");

    // The badge page people open.
    let (status, headers, html) = t.get(&format!("/badges/{award_id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("ct")
        .starts_with("text/html"));
    let html = String::from_utf8(html).expect("utf8");
    assert!(
        html.contains("Marie Curie") && html.contains("e-CAP1 — Concevoir"),
        "{html}"
    );
    assert!(
        html.contains("id=\"competence-EF1\""),
        "the alignment anchor must exist on the page"
    );
    assert!(html.contains("28 novembre 2026"));

    // The published keys.
    let (status, _, jwks) = t.get("/.well-known/jwks.json").await;
    assert_eq!(status, StatusCode::OK);
    let jwks: Value = serde_json::from_slice(&jwks).expect("json");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(2));

    // Issued documents are fixed: editing the class later does not rewrite the assertion.
    let mut changed = badge_class_body(&issuer_id);
    changed["validity_days"] = json!(30);
    let (status, _) = t
        .admin(
            Method::PUT,
            &format!("/api/v1/badge-classes/{class_id}"),
            Some(changed),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, again) = t.get(&format!("/assertions/{award_id}")).await;
    assert_eq!(
        serde_json::from_slice::<Value>(&again).expect("json"),
        assertion
    );

    // Everything is in the database, not in the process.
    let other = Store::connect(&t.db.url).await.expect("reconnect");
    let stored = other
        .get_award(award_id.parse().expect("id"))
        .await
        .expect("read")
        .expect("award");
    assert_eq!(stored.award.recipient.name, "Marie Curie");
    assert_eq!(other.count_awards().await.expect("count"), 1);
    if backend == Backend::Sqlite {
        assert_eq!(
            other
                .sqlite_journal_mode()
                .await
                .expect("pragma")
                .as_deref(),
            Some("wal")
        );
    }
    other.close().await;
}

on_both_backends!(migrations_are_idempotent);

async fn migrations_are_idempotent(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app
        .store
        .migrate()
        .await
        .expect("second migrate is a no-op");
    assert!(t.app.store.ping().await);
}
