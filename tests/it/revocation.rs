//! Signed assertions, their keys, revocation and the baked downloads, on both databases.

use axum::http::{header, Method, StatusCode};
use base64::Engine;
use insigne::bake::{self, Generation};
use serde_json::{json, Value};

use crate::common::{Backend, TestApp, BASE};
use crate::on_both_backends;

fn local(url: &str) -> &str {
    url.strip_prefix(BASE).expect("a URL of this service")
}

fn jws_payload(jws: &str) -> Value {
    let part = jws.split('.').nth(1).expect("payload part");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url");
    serde_json::from_slice(&bytes).expect("json")
}

on_both_backends!(signed_baked_and_revoked);

async fn signed_baked_and_revoked(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(1095)).await;
    let (status, award) = t
        .admin(
            Method::POST,
            "/api/v1/awards",
            Some(json!({"badge_class": class, "recipient": {"email": "marie@ac-versailles.fr", "name": "Marie"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{award}");
    let id = award["id"].as_str().expect("id").to_string();
    let links = &award["links"];

    // The signed assertion: a JWS of the Assertion, creator = the issuer's CryptographicKey.
    let (status, headers, jws) = t
        .get(local(links["ob2_signed"].as_str().expect("link")))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE]
        .to_str()
        .expect("ct")
        .starts_with("text/plain"));
    let jws = String::from_utf8(jws).expect("utf8");
    let verified = t
        .app
        .keys()
        .verify_rs256(&jws)
        .expect("verifies with the ring");
    let payload: Value = serde_json::from_slice(&verified).expect("json");
    assert_eq!(payload, jws_payload(&jws));
    assert_eq!(payload["id"], format!("urn:uuid:{id}"));
    assert_eq!(payload["verification"]["type"], "SignedBadge");
    assert_eq!(payload["expires"], "2029-11-27T12:00:00Z");
    let creator = payload["verification"]["creator"]
        .as_str()
        .expect("creator");
    assert!(
        creator.starts_with(&format!("{BASE}/issuers/{issuer}/keys/rsa-")),
        "{creator}"
    );

    let kid = creator.rsplit('/').next().expect("kid");
    let (status, _, key) = t.get(local(creator)).await;
    assert_eq!(status, StatusCode::OK);
    let key: Value = serde_json::from_slice(&key).expect("json");
    assert_eq!(key["type"], "CryptographicKey");
    assert_eq!(key["id"], creator);
    assert!(key["publicKeyPem"]
        .as_str()
        .expect("pem")
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    let (status, _, _) = t
        .get(&format!("/issuers/{issuer}/keys/ed25519-not-an-rsa-key"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The chain a validator follows: assertion → BadgeClass of the key → Profile of the key,
    // which names the key as its one publicKey and owns it.
    let signer_class = payload["badge"].as_str().expect("badge");
    assert_eq!(
        signer_class,
        format!("{BASE}/badge-classes/{class}/keys/{kid}")
    );
    let (status, _, badge) = t.get(local(signer_class)).await;
    assert_eq!(status, StatusCode::OK);
    let badge: Value = serde_json::from_slice(&badge).expect("json");
    assert_eq!(badge["id"], signer_class);
    let signer_profile = badge["issuer"].as_str().expect("issuer");
    assert_eq!(key["owner"], signer_profile);
    let (status, _, profile) = t.get(local(signer_profile)).await;
    assert_eq!(status, StatusCode::OK);
    let profile: Value = serde_json::from_slice(&profile).expect("json");
    assert_eq!(profile["id"], signer_profile);
    assert_eq!(profile["publicKey"], creator);
    assert_eq!(profile["name"], "DANE de l'académie de Versailles");
    // The hosted Profile names no key: hosted assertions need none.
    let (_, _, hosted_profile) = t.get(&format!("/issuers/{issuer}")).await;
    let hosted_profile: Value = serde_json::from_slice(&hosted_profile).expect("json");
    assert!(hosted_profile.get("publicKey").is_none());
    assert_eq!(hosted_profile["revocationList"], profile["revocationList"]);
    let revocations = profile["revocationList"]
        .as_str()
        .expect("revocationList")
        .to_string();
    let (_, _, list) = t.get(local(&revocations)).await;
    let list: Value = serde_json::from_slice(&list).expect("json");
    assert_eq!(list["type"], "RevocationList");
    assert_eq!(list["revokedAssertions"], json!([]));

    // The baked downloads carry the signed assertion by default, the hosted one on request.
    let (status, headers, png) = t.get(local(links["png"].as_str().expect("png"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        bake::png::unbake(&png, Generation::Ob2).expect("unbake"),
        jws
    );
    let (_, _, svg) = t.get(local(links["svg"].as_str().expect("svg"))).await;
    assert_eq!(
        bake::svg::unbake(&svg, Generation::Ob2)
            .expect("unbake")
            .verify
            .as_deref(),
        Some(jws.as_str())
    );
    let (_, _, hosted_png) = t
        .get(&format!(
            "{}?form=hosted",
            local(links["png"].as_str().expect("png"))
        ))
        .await;
    let hosted: Value =
        serde_json::from_str(&bake::png::unbake(&hosted_png, Generation::Ob2).expect("unbake"))
            .expect("json");
    assert_eq!(hosted["id"], links["ob2_assertion"]);
    let (status, _, _) = t
        .get(&format!(
            "{}?form=other",
            local(links["svg"].as_str().expect("svg"))
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Revocation: a reason is required, an unknown award is a 404.
    let revoke = format!("/api/v1/awards/{id}/revoke");
    let (status, body) = t.admin(Method::POST, &revoke, Some(json!({}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["fields"][0]["field"], "reason");
    let (status, _) = t
        .admin(
            Method::POST,
            "/api/v1/awards/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11/revoke",
            Some(json!({"reason": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = t
        .call(Method::POST, &revoke, None, Some(json!({"reason": "x"})))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, ok) = t
        .admin(Method::GET, &format!("/api/v1/awards/{id}"), None)
        .await;
    assert_eq!(
        (status, ok["status"].as_str()),
        (StatusCode::OK, Some("valid")),
        "nothing revoked yet"
    );

    let (status, revoked) = t
        .admin(
            Method::POST,
            &revoke,
            Some(json!({"reason": "Attribué par erreur"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revocation"]["reason"], "Attribué par erreur");
    // Twice is harmless: the first reason stands.
    let (status, again) = t
        .admin(
            Method::POST,
            &revoke,
            Some(json!({"reason": "Autre raison"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, revoked);

    let (status, _, gone) = t.get(&format!("/assertions/{id}")).await;
    assert_eq!(status, StatusCode::GONE);
    let gone: Value = serde_json::from_slice(&gone).expect("json");
    assert_eq!(gone["revoked"], true);
    assert_eq!(gone["revocationReason"], "Attribué par erreur");
    let (_, _, list) = t.get(local(&revocations)).await;
    let list: Value = serde_json::from_slice(&list).expect("json");
    assert_eq!(
        list["revokedAssertions"],
        json!([
            {"id": format!("urn:uuid:{id}"), "revocationReason": "Attribué par erreur"},
            {"id": format!("{BASE}/assertions/{id}"), "revocationReason": "Attribué par erreur"},
        ])
    );
    let (_, _, page) = t.get(&format!("/badges/{id}")).await;
    let page = String::from_utf8(page).expect("utf8");
    // The revocation is the first thing the page says, with its reason; no LinkedIn button.
    let main = &page[page.find("<main").expect("main")..];
    assert!(
        main.trim_start_matches(|c| c != '\n').trim_start().starts_with(
            "<p class=\"banner banner-revoked\" role=\"alert\">Ce badge a été révoqué par son émetteur le"
        ),
        "{page}"
    );
    assert!(main.contains("Motif : Attribué par erreur"), "{page}");
    assert!(!page.contains("linkedin.com"), "{page}");
}

on_both_backends!(awards_from_before_signing_are_signed_once);

async fn awards_from_before_signing_are_signed_once(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let (_, award) = t
        .admin(Method::POST, "/api/v1/awards", Some(json!({"badge_class": class, "recipient": {"email": "a@ac-versailles.fr", "name": "A"}})))
        .await;
    let id: insigne::domain::AwardId = award["id"].as_str().expect("id").parse().expect("id");
    let mut stored = t.app.award(id).await.expect("award");
    let first = stored.ob2_signed.clone().expect("signed at issuance");
    assert_eq!(
        t.app.sign_unsigned_awards().await.expect("sign"),
        0,
        "nothing to sign"
    );

    // An award stored without a JWS (as before signed assertions existed) is signed once.
    stored.award.id = insigne::domain::AwardId::random();
    stored.ob2_signed = None;
    t.app.store.insert_award(&stored).await.expect("insert");
    assert_eq!(t.app.sign_unsigned_awards().await.expect("sign"), 1);
    assert_eq!(t.app.sign_unsigned_awards().await.expect("sign"), 0);
    let signed = t
        .app
        .award(stored.award.id)
        .await
        .expect("award")
        .ob2_signed
        .expect("now signed");
    assert!(t.app.keys().verify_rs256(&signed).is_ok());
    assert_eq!(
        t.app.award(id).await.expect("award").ob2_signed.as_deref(),
        Some(first.as_str()),
        "never re-signed"
    );
}

on_both_backends!(ob3_documents_and_status_lists);

async fn ob3_documents_and_status_lists(backend: Backend) {
    use insigne::formats::ob3::status;
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(30)).await;
    let mut awards = Vec::new();
    for email in ["a@ac-versailles.fr", "b@ac-versailles.fr"] {
        let (status, award) = t
            .admin(
                Method::POST,
                "/api/v1/awards",
                Some(json!({"badge_class": class, "recipient": {"email": email, "name": "A"}})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{award}");
        awards.push(award);
    }
    let (status, headers, body) = t
        .get(local(
            awards[0]["links"]["ob3_credential"].as_str().expect("link"),
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/vc+ld+json");
    let credential: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(credential["validUntil"], "2026-12-28T12:00:00Z");
    let did = credential["issuer"]["id"].as_str().expect("did");
    assert_eq!(did, format!("did:web:badges.test:issuers:{issuer}"));
    let (status, _, jwt) = t
        .get(local(awards[0]["links"]["ob3_jwt"].as_str().expect("link")))
        .await;
    assert_eq!(status, StatusCode::OK);
    let jwt = String::from_utf8(jwt).expect("utf8");
    let claims = jws_payload(&jwt);
    assert_eq!(claims["iss"], did);
    assert_eq!(claims["jti"], credential["id"]);
    assert_eq!(claims["nbf"], 1_795_867_200i64, "2026-11-28T12:00:00Z");
    assert_eq!(claims["exp"], 1_798_459_200i64, "2026-12-28T12:00:00Z");
    assert!(claims.get("proof").is_none());
    let header: Value = insigne::proof::jws::unverified_header(&jwt).expect("header");
    let mut keys: Vec<&str> = header
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["alg", "kid", "typ"]);
    assert!(header["kid"]
        .as_str()
        .expect("kid")
        .starts_with(&format!("{did}#rsa-")));

    // The DID document names every key; the proof's method is one of them.
    let (status, _, doc) = t.get(&format!("/issuers/{issuer}/did.json")).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_slice(&doc).expect("json");
    assert_eq!(doc["id"], did);
    let vm = credential["proof"][0]["verificationMethod"]
        .as_str()
        .expect("vm");
    assert!(
        doc["assertionMethod"]
            .as_array()
            .expect("list")
            .iter()
            .any(|m| m == vm),
        "{doc}"
    );
    assert!(doc["assertionMethod"]
        .as_array()
        .expect("list")
        .iter()
        .any(|m| m == header["kid"].as_str().expect("kid")));

    // Two awards, two distinct random indexes in the same list.
    let mut lists = Vec::new();
    for a in &awards {
        let (_, _, body) = t
            .get(local(a["links"]["ob3_credential"].as_str().expect("link")))
            .await;
        let c: Value = serde_json::from_slice(&body).expect("json");
        lists.push((
            c["credentialStatus"]["statusListCredential"]
                .as_str()
                .expect("list")
                .to_string(),
            c["credentialStatus"]["statusListIndex"]
                .as_str()
                .expect("index")
                .parse::<i64>()
                .expect("number"),
        ));
    }
    assert_eq!(lists[0].0, lists[1].0);
    assert_ne!(lists[0].1, lists[1].1);

    let list_bit = |list: Value, index: i64| {
        status::is_set(
            list["credentialSubject"]["encodedList"]
                .as_str()
                .expect("encoded"),
            index,
        )
        .expect("decodes")
    };
    let (status, headers, list) = t.get(local(&lists[0].0)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "public, no-cache");
    let list: Value = serde_json::from_slice(&list).expect("json");
    assert_eq!(list["issuer"], did);
    assert!(!list_bit(list, lists[0].1));

    let id = awards[0]["id"].as_str().expect("id");
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/awards/{id}/revoke"),
            Some(json!({"reason": "erreur"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, list) = t.get(local(&lists[0].0)).await;
    let list: Value = serde_json::from_slice(&list).expect("json");
    assert!(list_bit(list.clone(), lists[0].1), "revoked: bit set");
    assert!(
        !list_bit(list.clone(), lists[1].1),
        "the other award stays clear"
    );
    // The list is signed by the key that signed the credentials.
    let key = t
        .app
        .keys()
        .ed25519_public(lists[0].0.rsplit('/').next().expect("kid"))
        .expect("key");
    insigne::proof::di::verify(&list, &key).expect("the status list verifies");
    let (status, _, _) = t
        .get(&format!("/issuers/{issuer}/status/unknown-key"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

on_both_backends!(status_indexes_are_never_reused);

async fn status_indexes_are_never_reused(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let issuer: insigne::domain::IssuerId = t.issuer().await.parse().expect("id");
    // A draw that keeps proposing the same few numbers: the database refuses the taken ones.
    let mut candidates = [5i64, 5, 5, 9, 5, 9, 9, 12].into_iter().cycle();
    let mut got = Vec::new();
    for _ in 0..3 {
        let award = insigne::domain::AwardId::random();
        got.extend(
            t.app
                .store
                .allocate_status_indexes(&[award], issuer, "ed25519-test", || {
                    candidates.next().unwrap_or(0)
                })
                .await
                .expect("allocate"),
        );
    }
    assert_eq!(got, [5, 9, 12]);
    // Several awards at once, whose candidates collide with each other and with taken ones:
    // each gets its own index, drawn again only for those that lost.
    let mut candidates = [20i64, 20, 20, 21, 20, 21, 22].into_iter().cycle();
    let awards: Vec<insigne::domain::AwardId> =
        (0..3).map(|_| insigne::domain::AwardId::random()).collect();
    let got = t
        .app
        .store
        .allocate_status_indexes(&awards, issuer, "ed25519-test", || {
            candidates.next().unwrap_or(0)
        })
        .await
        .expect("allocate");
    assert_eq!(got, [20, 21, 22]);
}
