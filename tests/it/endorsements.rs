//! Endorsements: a tutor or the DANE vouches for a badge class or an award. The
//! EndorsementCredential is signed like every credential and verified by the independent OB 3.0
//! verifiers and by insigne's own, also after a key rotation; credentials issued after a class
//! endorsement embed it; the OB 2.0 Endorsement is served; a revoked endorsement shows as such
//! everywhere.

use axum::http::{Method, StatusCode};
use insigne::http::resolve::LocalResolver;
use insigne::storage::EndorsementTarget;
use insigne::verify::{self, Options, Verdict};
use serde_json::{json, Value};

use crate::awarding::load_example_catalogue;
use crate::common::{Backend, TestApp};
use crate::interop_ob2::{conformance_dir, download, live_now, restart_with_rotated_keys, Live};

const DANE: &str = "dane@ac-versailles.fr";

async fn insigne_verdict(
    t: &TestApp,
    app: &insigne::service::Insigne,
    bytes: &[u8],
) -> verify::Report {
    let _ = t;
    verify::verify_bytes(
        bytes,
        &LocalResolver::new(app.clone()),
        &Options::at(app.clock.now()),
    )
    .await
}

/// Posts the console's revocation form of endorsement `id` (its body as given).
async fn revoke(
    t: &TestApp,
    id: insigne::domain::EndorsementId,
    cookie: &str,
    body: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    crate::mine::send(
        &t.app,
        Method::POST,
        &format!("/admin/endossements/{id}/revoquer"),
        Some(cookie),
        Some(body),
    )
    .await
}

async fn class_id(t: &TestApp, code: &str) -> insigne::domain::BadgeClassId {
    t.app
        .store
        .badge_class_id_by_code(code)
        .await
        .expect("read")
        .expect("class")
}

crate::on_both_backends!(endorsements_are_stored_listed_and_refused_when_empty);
async fn endorsements_are_stored_listed_and_refused_when_empty(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let class = class_id(&t, "e-cap1").await;
    let refused = t
        .app
        .endorse(DANE, EndorsementTarget::BadgeClass(class), " ", "")
        .await
        .expect_err("refused");
    let said = refused.to_string();
    assert!(
        said.contains("endorser_name") && said.contains("comment"),
        "{said}"
    );
    let e = t
        .app
        .endorse(
            DANE,
            EndorsementTarget::BadgeClass(class),
            "La DANE de Versailles",
            "Ce badge atteste un parcours de 21 heures conforme au référentiel de la formation de formateurs.",
        )
        .await
        .expect("endorse");
    let listed = t
        .app
        .endorsements_of(EndorsementTarget::BadgeClass(class))
        .await
        .expect("list");
    assert_eq!(listed, vec![e.clone()]);
    let credential: Value = serde_json::from_str(&e.credential).expect("json");
    assert_eq!(
        credential["type"],
        json!(["VerifiableCredential", "EndorsementCredential"])
    );
    assert_eq!(
        credential["credentialSubject"]["type"],
        json!(["EndorsementSubject"])
    );
    assert_eq!(
        credential["credentialSubject"]["id"],
        t.app.urls.badge_class(class)
    );
    // Served as stored, in both forms, and as OB 2.0.
    let path = format!("/endossements/{}", e.id);
    let (status, _, body) = t.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, e.credential.as_bytes());
    let (status, _, body) = t.get(&format!("{path}/jwt")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, e.jwt.as_bytes());
    let (status, _, body) = t.get(&format!("{path}/ob2")).await;
    assert_eq!(status, StatusCode::OK);
    let ob2: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(ob2["type"], "Endorsement");
    assert_eq!(ob2["claim"]["id"], t.app.urls.badge_class(class));
    assert!(ob2["claim"]["endorsementComment"]
        .as_str()
        .is_some_and(|c| c.ends_with("— La DANE de Versailles")));
    // An award issued after embeds it in its achievement.
    let (status, award) = t
        .admin(
            Method::POST,
            "/api/v1/awards",
            Some(json!({"badge_class": class.to_string(), "recipient": {"email": "ada@ac-versailles.fr", "name": "Ada"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{award}");
    let id: insigne::domain::AwardId = award["id"].as_str().expect("id").parse().expect("id");
    let stored = t.app.award(id).await.expect("award");
    let issued: Value =
        serde_json::from_str(stored.ob3_credential.as_deref().expect("credential")).expect("json");
    assert_eq!(
        issued["credentialSubject"]["achievement"]["endorsement"][0]["id"],
        t.app.urls.endorsement(e.id)
    );
    // An endorsement of that award, then its revocation: the OB 2.0 form answers 410.
    let of_award = t
        .app
        .endorse(
            DANE,
            EndorsementTarget::Award(id),
            "Claire Dupont, tutrice e-CAP1",
            "Un parcours remarquable.",
        )
        .await
        .expect("endorse");
    assert!(t
        .app
        .revoke_endorsement(DANE, of_award.id, "Endossé par erreur")
        .await
        .expect("revoke"));
    assert!(!t
        .app
        .revoke_endorsement(DANE, of_award.id, "Encore")
        .await
        .expect("twice"));
    let (status, _, body) = t.get(&format!("/endossements/{}/ob2", of_award.id)).await;
    assert_eq!(status, StatusCode::GONE);
    assert!(String::from_utf8_lossy(&body).contains("Endossé par erreur"));
    let log = t
        .app
        .audit_log(None, Some("endorsement"))
        .await
        .expect("log");
    assert_eq!(log.len(), 3, "{log:?}");
    // Erasing Ada revokes and empties the endorsements of her badges (a tutor's words may name
    // her); the class's endorsement stays.
    let kept = t
        .app
        .endorse(
            DANE,
            EndorsementTarget::Award(id),
            "Claire Dupont",
            "Ada a conçu un parcours remarquable.",
        )
        .await
        .expect("endorse");
    t.app
        .erase_trainer(
            &insigne::domain::EmailAddress::parse("ada@ac-versailles.fr").expect("email"),
        )
        .await
        .expect("erase");
    let (status, _, _) = t.get(&format!("/endossements/{}", kept.id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let stored = t
        .app
        .store
        .get_endorsement(kept.id)
        .await
        .expect("read")
        .expect("row");
    assert!(
        stored.revoked_at.is_some() && stored.comment.is_empty() && stored.credential.is_empty()
    );
    let (status, _, _) = t.get(&format!("/endossements/{}", e.id)).await;
    assert_eq!(status, StatusCode::OK);
}

/// The endorsement, and a credential that embeds it, pass the independent verifiers and
/// insigne's; after `insigne keys rotate` both still do, and a new endorsement is signed with
/// the new key; a revoked endorsement is reported revoked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn endorsements_verify_everywhere_until_revoked_and_after_a_rotation() {
    let Some(dir) = conformance_dir() else { return };
    let Live {
        t,
        base,
        port,
        server,
    } = live_now().await;
    load_example_catalogue(&t).await;
    let class = class_id(&t, "e-cap1").await;
    let e = t
        .app
        .endorse(
            DANE,
            EndorsementTarget::BadgeClass(class),
            "La DANE de Versailles",
            "Ce badge atteste un parcours conforme au référentiel de la formation de formateurs.",
        )
        .await
        .expect("endorse");
    let files = tempfile::tempdir().expect("tempdir");
    let json_path = download(
        &t,
        &base,
        &t.app.urls.endorsement(e.id),
        files.path(),
        "endorsement.json",
    )
    .await;
    let jwt_path = download(
        &t,
        &base,
        &t.app.urls.endorsement_jwt(e.id),
        files.path(),
        "endorsement.jwt",
    )
    .await;
    for path in [&json_path, &jwt_path] {
        let (code, report) = crate::interop_ob3::verify(&dir, path).await;
        assert_eq!(code, 0, "{path}: {report:#}");
        assert_eq!(report["valid"], true, "{report:#}");
    }
    let report = insigne_verdict(&t, &t.app, e.credential.as_bytes()).await;
    assert_eq!(report.verdict(), Verdict::Valid, "{report:#?}");

    // A badge issued after it embeds it; the whole credential verifies.
    let (status, award) = t
        .admin(
            Method::POST,
            "/api/v1/awards",
            Some(json!({"badge_class": class.to_string(), "recipient": {"email": "ada@ac-versailles.fr", "name": "Ada"}})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{award}");
    let credential_path = download(
        &t,
        &base,
        award["links"]["ob3_credential"].as_str().expect("link"),
        files.path(),
        "credential.json",
    )
    .await;
    let (code, report) = crate::interop_ob3::verify(&dir, &credential_path).await;
    assert_eq!(code, 0, "{report:#}");
    let embedded = std::fs::read(&credential_path).expect("read");
    let report = insigne_verdict(&t, &t.app, &embedded).await;
    assert_eq!(report.verdict(), Verdict::Valid, "{report:#?}");
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.name == "endorsement" && c.status == verify::Status::Passed),
        "{report:#?}"
    );
    // The OB 2.0 BadgeClass names its endorsement; the official OB 2.0 validator accepts the
    // hosted assertion with it.
    let (_, _, doc) = t
        .get(&t.app.urls.badge_class(class).replace(&base, ""))
        .await;
    let doc: Value = serde_json::from_slice(&doc).unwrap_or(Value::Null);
    assert_eq!(
        doc["endorsement"],
        json!([t.app.urls.endorsement_ob2(e.id)]),
        "{doc:#}"
    );
    let url = award["links"]["ob2_assertion"]
        .as_str()
        .expect("url")
        .to_string();
    let recipient = json!({ "email": "ada@ac-versailles.fr" }).to_string();
    let (code, report) =
        crate::interop_ob2::validate(&dir, &[&url, "--recipient", &recipient, "--report-only"])
            .await;
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["valid"], true, "{report:#}");
    server.stop().await;

    // `insigne keys rotate`: what was signed before still verifies; new endorsements are
    // signed with the new key.
    let (app, server) = restart_with_rotated_keys(&t, port).await;
    for path in [&json_path, &jwt_path, &credential_path] {
        let (code, report) = crate::interop_ob3::verify(&dir, path).await;
        assert_eq!(code, 0, "{path} after the rotation: {report:#}");
    }
    let report = insigne_verdict(&t, &app, e.credential.as_bytes()).await;
    assert_eq!(
        report.verdict(),
        Verdict::Valid,
        "after the rotation: {report:#?}"
    );
    let id: insigne::domain::AwardId = award["id"].as_str().expect("id").parse().expect("id");
    let after = app
        .endorse(
            DANE,
            EndorsementTarget::Award(id),
            "Claire Dupont, tutrice e-CAP1",
            "Un parcours remarquable.",
        )
        .await
        .expect("endorse after rotation");
    let before_vm: Value = serde_json::from_str(&e.credential).expect("json");
    let after_vm: Value = serde_json::from_str(&after.credential).expect("json");
    assert_ne!(
        before_vm["proof"][0]["verificationMethod"], after_vm["proof"][0]["verificationMethod"],
        "signed with the new key"
    );
    let after_path = download(
        &t,
        &base,
        &app.urls.endorsement(after.id),
        files.path(),
        "after.json",
    )
    .await;
    let (code, report) = crate::interop_ob3::verify(&dir, &after_path).await;
    assert_eq!(code, 0, "{report:#}");

    // Revoked: the verifiers say so, for the endorsement and where it is embedded.
    assert!(app
        .revoke_endorsement(DANE, e.id, "Le référentiel a changé")
        .await
        .expect("revoke"));
    let (code, report) = crate::interop_ob3::verify(&dir, &json_path).await;
    assert_eq!(code, 1, "revoked: {report:#}");
    assert!(
        report["errors"].to_string().contains("revoked"),
        "{report:#}"
    );
    let report = insigne_verdict(&t, &app, e.credential.as_bytes()).await;
    assert_eq!(report.verdict(), Verdict::Invalid, "{report:#?}");
    let report = insigne_verdict(&t, &app, &embedded).await;
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.name == "endorsement" && c.status != verify::Status::Passed),
        "the embedded endorsement is revoked: {report:#?}"
    );
    server.stop().await;
}

crate::on_both_backends!(tutors_and_the_dane_endorse_in_the_console_and_the_pages_say_it);
async fn tutors_and_the_dane_endorse_in_the_console_and_the_pages_say_it(backend: Backend) {
    use crate::console::{csrf, sign_in};
    use crate::mine::send;
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    load_example_catalogue(&t).await;
    let tutor_email = "tuteur@ac-versailles.fr";
    t.app
        .add_admin(DANE, insigne::auth::Role::Admin)
        .await
        .expect("admin");
    t.app
        .add_admin(tutor_email, insigne::auth::Role::Tutor)
        .await
        .expect("tutor");
    let class = class_id(&t, "e-cap1").await;
    let (_, award) = t
        .admin(
            Method::POST,
            "/api/v1/awards",
            Some(json!({"badge_class": class.to_string(), "recipient": {"email": "ada@ac-versailles.fr", "name": "Ada Lovelace"}})),
        )
        .await;
    let award_id = award["id"].as_str().expect("id").to_string();

    // The DANE endorses the badge class; a form with neither or both targets is refused.
    let dane = sign_in(&t, DANE).await;
    let (status, _, page) = send(
        &t.app,
        Method::GET,
        "/admin/endossements",
        Some(&dane),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Aucun endossement pour l&#x27;instant.")
            || page.contains("Aucun endossement pour l'instant."),
        "{page}"
    );
    let token = csrf(&page);
    let form = |class: &str, award: &str, name: &str, comment: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("csrf", token.as_str()),
                ("class", class),
                ("award", award),
                ("endorser_name", name),
                ("comment", comment),
            ])
            .finish()
    };
    let (status, _, page) = send(
        &t.app,
        Method::POST,
        "/admin/endossements",
        Some(&dane),
        Some(&form("", "", "La DANE", "Oui")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("pas les deux"), "{page}");
    let (status, _, page) = send(
        &t.app,
        Method::POST,
        "/admin/endossements",
        Some(&dane),
        Some(&form(&class.to_string(), "", "", "")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("endorser_name"), "{page}");
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        "/admin/endossements",
        Some(&dane),
        Some(&form(
            &class.to_string(),
            "",
            "La DANE de Versailles",
            "Parcours conforme au référentiel.",
        )),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // A tutor endorses Ada's badge; an unknown badge id is refused.
    let tutor = sign_in(&t, tutor_email).await;
    let (_, _, page) = send(
        &t.app,
        Method::GET,
        "/admin/endossements",
        Some(&tutor),
        None,
    )
    .await;
    let tutor_token = csrf(&page);
    let tutor_form = |award: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("csrf", tutor_token.as_str()),
                ("class", ""),
                ("award", award),
                ("endorser_name", "Claire Dupont, tutrice e-CAP1"),
                ("comment", "Un parcours remarquable, suivi de bout en bout."),
            ])
            .finish()
    };
    let (status, _, page) = send(
        &t.app,
        Method::POST,
        "/admin/endossements",
        Some(&tutor),
        Some(&tutor_form("pas-un-id")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Aucun badge délivré n&#x27;a cet identifiant")
            || page.contains("Aucun badge délivré n'a cet identifiant"),
        "{page}"
    );
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        "/admin/endossements",
        Some(&tutor),
        Some(&tutor_form(&award_id)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let all = t.app.all_endorsements().await.expect("all");
    assert_eq!(all.len(), 2);
    let of_class = all
        .iter()
        .find(|e| matches!(e.target, EndorsementTarget::BadgeClass(_)))
        .expect("class");
    let of_award = all
        .iter()
        .find(|e| matches!(e.target, EndorsementTarget::Award(_)))
        .expect("award");
    assert_eq!(of_award.endorser, tutor_email);

    // The pages list them.
    let (status, _, page) = send(
        &t.app,
        Method::GET,
        &format!("/badges/{award_id}"),
        None,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Endossements")
            && page.contains("La DANE de Versailles")
            && page.contains("Claire Dupont, tutrice e-CAP1"),
        "{page}"
    );
    let class_path = t
        .app
        .urls
        .badge_class(class)
        .replace(crate::common::BASE, "");
    let (_, _, page) = send(&t.app, Method::GET, &class_path, None, None).await;
    assert!(page.contains("Parcours conforme au référentiel."), "{page}");

    // A tutor revokes only their own; a revocation needs a reason; then the pages say it.
    let (status, _, _) = revoke(
        &t,
        of_class.id,
        &tutor,
        &format!("csrf={tutor_token}&reason=non"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, page) = revoke(
        &t,
        of_award.id,
        &tutor,
        &format!("csrf={tutor_token}&reason="),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Donnez le motif"), "{page}");
    let (status, _, _) = revoke(
        &t,
        of_award.id,
        &tutor,
        &format!("csrf={tutor_token}&reason=Endoss%C3%A9+par+erreur"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(
        &t.app,
        Method::GET,
        &format!("/badges/{award_id}"),
        None,
        None,
    )
    .await;
    assert!(page.contains("Endossement révoqué le"), "{page}");
    let (_, _, page) = send(
        &t.app,
        Method::GET,
        "/admin/endossements",
        Some(&dane),
        None,
    )
    .await;
    assert!(page.contains("Endossé par erreur"), "{page}");
    // Without the session's token, nothing changes.
    let (status, _, _) = revoke(&t, of_class.id, &dane, "reason=x").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(t
        .app
        .endorsement(of_class.id)
        .await
        .expect("read")
        .revoked_at
        .is_none());
}
