//! Badges on request: a trainer applies with evidence on "mes badges" (draft, files checked by
//! their bytes, submission once the first rule holds), a tutor of the parcours assesses it in
//! the console (return for revision, resubmission, approval), and the badge is awarded once,
//! with the request's items and the assessment as evidence. Tutors see only their parcours;
//! files are served to the trainer and their tutor only; a refusal awards nothing and says
//! why; requests go with the trainer's export and erasure.

use axum::http::{header, Method, StatusCode};
use insigne::auth::Role;
use insigne::domain::EmailAddress;
use insigne::storage::{MessageKind, RequestStatus};
use serde_json::{json, Value};

use crate::awarding::load_example_catalogue;
use crate::common::{Backend, TestApp};
use crate::console::{csrf, post_form};
use crate::mine::send;

const ADA: &str = "ada@ac-versailles.fr";
const BOB: &str = "bob@ac-versailles.fr";
const TUTOR: &str = "tuteur.ecap1@ac-versailles.fr";
const OTHER_TUTOR: &str = "tuteur.ecap2@ac-versailles.fr";
const ADMIN: &str = "dane@ac-versailles.fr";
const BADGE: &str = "parcours-analyse";
const CRITERIA: [&str; 7] = ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7"];

/// A small, real-looking PDF.
pub(crate) fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

/// The example catalogue, a tutor for e-CAP1 and one for e-CAP2, an admin, and trainers who
/// completed e-CAP1 (so that the badge on request may be submitted).
pub(crate) async fn setup(t: &TestApp, trainers: &[(&str, &str)]) {
    load_example_catalogue(t).await;
    for (email, role) in [
        (TUTOR, Role::Tutor),
        (OTHER_TUTOR, Role::Tutor),
        (ADMIN, Role::Admin),
    ] {
        t.app.add_admin(email, role).await.expect("admin");
    }
    t.app
        .set_tutor_parcours(TUTOR, &["e-CAP1".into()])
        .await
        .expect("parcours");
    t.app
        .set_tutor_parcours(OTHER_TUTOR, &["e-CAP2".into()])
        .await
        .expect("parcours");
    for (email, name) in trainers {
        let batch: Vec<Value> = ["E1-M1", "E1-M2", "E1-M3", "E1-M4"]
            .iter()
            .map(|m| json!({"learner": {"email": email, "name": name}, "module": m, "completed_at": "2026-03-02"}))
            .collect();
        let (status, body) = t
            .call(
                Method::POST,
                "/api/v1/completions",
                Some(&t.ingest_token.clone()),
                Some(Value::Array(batch)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

/// A multipart body: text fields, then files (field `files`).
pub(crate) fn form(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "insigne-request-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (file_name, bytes) in files {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a request's form: the analysis, the links and the button (`brouillon` or
/// `soumettre`), with files.
async fn post_request(
    t: &TestApp,
    path: &str,
    cookie: &str,
    [analysis, links, action]: [&str; 3],
    files: &[(&str, &[u8])],
) -> (StatusCode, axum::http::HeaderMap, String) {
    post_form(
        &t.app,
        path,
        cookie,
        form(
            &[("analysis", analysis), ("links", links), ("action", action)],
            files,
        ),
    )
    .await
}

/// Starts a request for the badge on request; returns its id.
pub(crate) async fn start(t: &TestApp, cookie: &str) -> String {
    let (status, headers, page) = send(
        &t.app,
        Method::POST,
        "/mes-badges/demandes",
        Some(cookie),
        Some(&format!("badge={BADGE}&lang=fr")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let location = headers[header::LOCATION].to_str().expect("location");
    location
        .strip_prefix("/mes-badges/demandes/")
        .expect("the request's page")
        .to_string()
}

async fn status_of(t: &TestApp, id: &str) -> RequestStatus {
    t.app
        .store
        .get_request(id)
        .await
        .expect("read")
        .expect("request")
        .status
}

/// The tutor's decision form: every criterion met or not, the verdict and the message.
fn decision(token: &str, verdict: &str, met: &[(&str, &str)], note: &str) -> String {
    let mut pairs: Vec<(String, String)> = vec![
        ("csrf".into(), token.into()),
        ("verdict".into(), verdict.into()),
        ("note".into(), note.into()),
    ];
    for (code, value) in met {
        pairs.push((format!("met-{code}"), (*value).into()));
        pairs.push((format!("comment-{code}"), format!("Commentaire sur {code}")));
    }
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn all_met() -> Vec<(&'static str, &'static str)> {
    CRITERIA.iter().map(|c| (*c, "oui")).collect()
}

async fn raw_get(
    t: &TestApp,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = axum::http::Request::get(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    t.raw(req.body(axum::body::Body::empty()).expect("request"))
        .await
}

crate::on_both_backends!(a_request_goes_from_draft_to_a_badge_with_its_evidence);
async fn a_request_goes_from_draft_to_a_badge_with_its_evidence(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    setup(&t, &[(ADA, "Ada Lovelace"), (BOB, "Bob Martin")]).await;
    let ada = crate::mine::sign_in(&t, ADA).await;

    // "Mes badges" offers the badge on request, e-CAP1 being done.
    let (status, _, page) = send(&t.app, Method::GET, "/mes-badges", Some(&ada), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Badges sur demande"), "{page}");
    assert!(page.contains("Parcours hybride conçu et analysé"), "{page}");
    assert!(page.contains("Demander ce badge"), "{page}");
    let id = start(&t, &ada).await;
    assert_eq!(status_of(&t, &id).await, RequestStatus::Draft);
    // Asking again opens the same request.
    assert_eq!(start(&t, &ada).await, id);
    let path = format!("/mes-badges/demandes/{id}");

    // A draft with a file: saved, nothing sent to anybody.
    let (status, headers, page) = post_request(
        &t,
        &path,
        &ada,
        ["Premier jet.", "", "brouillon"],
        &[("analyse du parcours.pdf", &pdf())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(headers[header::LOCATION]
        .to_str()
        .expect("location")
        .contains("fait=brouillon"));
    let files = t.app.store.request_files(&id).await.expect("files");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].media_type, "application/pdf");
    assert_eq!(files[0].file_name, "analyse du parcours.pdf");
    assert!(t
        .app
        .store
        .messages_to(TUTOR)
        .await
        .expect("messages")
        .is_empty());
    // A tutor does not see a draft (signing in sends the tutor a link, not a request).
    let tutor = crate::console::sign_in(&t, TUTOR).await;
    let (status, _, _) = send(
        &t.app,
        Method::GET,
        &format!("/admin/demandes/{id}"),
        Some(&tutor),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Refusals keep what was typed and say why, next to the field.
    let (status, _, page) = post_request(
        &t,
        &path,
        &ada,
        ["Mon analyse", "pas une adresse", "brouillon"],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("« pas une adresse » n&#x27;est pas une adresse http ou https")
            || page.contains("« pas une adresse » n'est pas une adresse http ou https"),
        "{page}"
    );
    assert!(page.contains(">Mon analyse</textarea>"), "{page}");
    let (status, _, page) = post_form(
        &t.app,
        &path,
        &ada,
        form(
            &[
                ("analysis", "Mon analyse"),
                ("links", ""),
                ("action", "brouillon"),
            ],
            &[("rapport.pdf", b"<html><script>alert(1)</script>")],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("ni un PDF"), "{page}");
    assert_eq!(
        t.app.store.request_files(&id).await.expect("files").len(),
        1
    );
    let (status, _, page) = post_request(&t, &path, &ada, ["  ", "", "soumettre"], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Écrivez votre analyse réflexive"), "{page}");
    assert_eq!(status_of(&t, &id).await, RequestStatus::Draft);

    // Submitted: the e-CAP1 tutor is told, the e-CAP2 tutor is not.
    let analysis = "J'ai conçu un parcours hybride de six semaines pour les néo-titulaires.\nLes classes virtuelles ont servi de points d'étape.";
    let (status, _, page) = post_request(
        &t,
        &path,
        &ada,
        [
            analysis,
            "https://magistere.education.fr/ac-versailles/course/view.php?id=4242",
            "soumettre",
        ],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(status_of(&t, &id).await, RequestStatus::Submitted);
    let told: Vec<_> = t
        .app
        .store
        .messages_to(TUTOR)
        .await
        .expect("messages")
        .into_iter()
        .filter(|m| m.kind == MessageKind::Request.as_str())
        .collect();
    assert_eq!(told.len(), 1);
    assert!(told[0]
        .subject
        .contains("Parcours hybride conçu et analysé"));
    assert!(
        told[0].body.contains(&format!("/admin/demandes/{id}")),
        "{}",
        told[0].body
    );
    assert!(!t
        .app
        .store
        .messages_to(OTHER_TUTOR)
        .await
        .expect("messages")
        .iter()
        .any(|m| m.kind == MessageKind::Request.as_str()));
    // Submitted, it is no longer the trainer's to change.
    let (status, _, page) = post_request(&t, &path, &ada, ["autre", "", "brouillon"], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("ne se modifie plus"), "{page}");

    // The other parcours' tutor sees nothing of it, nor its files.
    let other = crate::console::sign_in(&t, OTHER_TUTOR).await;
    let (status, _, page) = send(&t.app, Method::GET, "/admin/demandes", Some(&other), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Ada Lovelace"), "{page}");
    let admin_path = format!("/admin/demandes/{id}");
    let (status, _, _) = send(&t.app, Method::GET, &admin_path, Some(&other), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let file_id = &files[0].id;
    let (status, _, _) = raw_get(
        &t,
        &format!("{admin_path}/fichiers/{file_id}"),
        Some(&other),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, _, page) = send(&t.app, Method::GET, "/admin/demandes", Some(&other), None).await;
    let token = csrf(&page);
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &admin_path,
        Some(&other),
        Some(&decision(&token, "approuver", &all_met(), "")),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&t, &id).await, RequestStatus::Submitted);

    // Files: to the trainer and the tutor, as attachments; to nobody else.
    for (cookie, url) in [
        (&ada, format!("{path}/fichiers/{file_id}")),
        (&tutor, format!("{admin_path}/fichiers/{file_id}")),
    ] {
        let (status, headers, bytes) = raw_get(&t, &url, Some(cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bytes, pdf());
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");
        assert!(headers[header::CONTENT_DISPOSITION]
            .to_str()
            .expect("disposition")
            .starts_with("attachment; filename=\"analyse du parcours.pdf\""));
    }
    let (status, _, _) = raw_get(&t, &format!("{path}/fichiers/{file_id}"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let bob = crate::mine::sign_in(&t, BOB).await;
    let (status, _, _) = raw_get(&t, &format!("{path}/fichiers/{file_id}"), Some(&bob)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&t.app, Method::GET, &path, Some(&bob), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The tutor's console opens on the requests; returning one needs a message.
    let (status, headers, _) = send(&t.app, Method::GET, "/admin", Some(&tutor), None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/admin/demandes");
    let (status, _, page) = send(&t.app, Method::GET, "/admin/demandes", Some(&tutor), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Ada Lovelace") && page.contains("Une demande attend votre décision."),
        "{page}"
    );
    let (status, _, page) = send(&t.app, Method::GET, &admin_path, Some(&tutor), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("néo-titulaires"), "{page}");
    assert!(page.contains("Q7 — Analyse réflexive"), "{page}");
    let token = csrf(&page);
    let (status, _, page) = send(
        &t.app,
        Method::POST,
        &admin_path,
        Some(&tutor),
        Some(&decision(&token, "renvoyer", &[], "")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Un message au formateur est nécessaire"),
        "{page}"
    );
    let mut partly = all_met();
    partly[3] = ("Q4", "non");
    let note = "Le tutorat n'est pas planifié : précisez les relances.";
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &admin_path,
        Some(&tutor),
        Some(&decision(&token, "renvoyer", &partly, note)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&t, &id).await, RequestStatus::Returned);
    let to_ada = t.app.store.messages_to(ADA).await.expect("messages");
    let returned = to_ada
        .iter()
        .find(|m| m.kind == MessageKind::Request.as_str())
        .expect("the trainer is told");
    assert!(returned.body.contains(note), "{}", returned.body);
    assert!(returned
        .body
        .contains(&format!("/mes-badges/demandes/{id}")));
    // A decision on a returned request: someone decided already.
    let (status, _, page) = send(
        &t.app,
        Method::POST,
        &admin_path,
        Some(&tutor),
        Some(&decision(&token, "approuver", &all_met(), "")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("n&#x27;attend plus de décision")
            || page.contains("n'attend plus de décision"),
        "{page}"
    );

    // The trainer reads the message and the assessment, revises, submits again.
    let (status, _, page) = send(&t.app, Method::GET, &path, Some(&ada), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Renvoyée pour révision"), "{page}");
    assert!(page.contains("précisez les relances"), "{page}");
    assert!(page.contains("Non atteint"), "{page}");
    let revised = format!("{analysis}\nJ'ai ajouté un calendrier de relances hebdomadaires.");
    let second = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let (status, _, page) = post_request(
        &t,
        &path,
        &ada,
        [
            &revised,
            "https://magistere.education.fr/ac-versailles/course/view.php?id=4242",
            "soumettre",
        ],
        &[("calendrier.png", &second)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(status_of(&t, &id).await, RequestStatus::Submitted);

    // Approval needs every criterion met; then the badge is awarded at once, with evidence.
    let (status, _, page) = send(
        &t.app,
        Method::POST,
        &admin_path,
        Some(&tutor),
        Some(&decision(&token, "approuver", &partly, "")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Tous les critères doivent être atteints"),
        "{page}"
    );
    let (status, _, page) = send(
        &t.app,
        Method::POST,
        &admin_path,
        Some(&tutor),
        Some(&decision(&token, "approuver", &all_met()[..6], "")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Évaluez le critère Q7"), "{page}");
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &admin_path,
        Some(&tutor),
        Some(&decision(
            &token,
            "approuver",
            &all_met(),
            "Très bon parcours.",
        )),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&t, &id).await, RequestStatus::Approved);
    let awards = t.app.my_badges(ADA).await.expect("badges");
    let class = t
        .app
        .store
        .badge_class_id_by_code(BADGE)
        .await
        .expect("read")
        .expect("class");
    let on_request: Vec<_> = awards
        .iter()
        .filter(|o| o.stored.award.badge_class == class)
        .collect();
    assert_eq!(on_request.len(), 1, "awarded once");
    let award = &on_request[0].stored.award;
    let names: Vec<&str> = award
        .evidence
        .iter()
        .filter_map(|e| e.name.as_deref())
        .collect();
    assert!(names.contains(&"Analyse réflexive"), "{names:?}");
    assert!(
        names.contains(&"analyse du parcours.pdf") && names.contains(&"calendrier.png"),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.starts_with("Évaluation du tuteur")),
        "{names:?}"
    );
    assert!(award.evidence.iter().any(|e| e.url.as_deref()
        == Some("https://magistere.education.fr/ac-versailles/course/view.php?id=4242")));
    let assessment = award
        .evidence
        .iter()
        .find(|e| e.genre.as_deref() == Some("Évaluation"))
        .and_then(|e| e.narrative.clone())
        .expect("the assessment");
    assert!(
        assessment.contains("Q4 Tutorat prévu : atteint — Commentaire sur Q4"),
        "{assessment}"
    );
    assert!(award
        .narrative
        .as_deref()
        .is_some_and(|n| n.contains("attribué sur demande")));
    let file_hash = &t.app.store.request_files(&id).await.expect("files")[0].sha256;
    assert!(award.evidence.iter().any(|e| e
        .description
        .as_deref()
        .is_some_and(|d| d.contains(file_hash.as_str()))));
    // The signed forms carry it: the OB 3.0 credential's evidence.
    let stored = t.app.award(award.id).await.expect("award");
    let credential: Value =
        serde_json::from_str(stored.ob3_credential.as_deref().expect("credential")).expect("json");
    let evidence = credential["evidence"].as_array().expect("evidence");
    assert!(
        evidence.iter().any(|e| e["name"] == "Analyse réflexive"),
        "{credential:#}"
    );
    // Evaluating again awards nothing more.
    t.app.reconcile(false).await.expect("reconcile");
    let again = t.app.my_badges(ADA).await.expect("badges");
    assert_eq!(
        again
            .iter()
            .filter(|o| o.stored.award.badge_class == class)
            .count(),
        1
    );

    // "Mes badges" says it is held; the request page shows the history.
    let (_, _, page) = send(&t.app, Method::GET, "/mes-badges", Some(&ada), None).await;
    assert!(page.contains("Vous détenez ce badge."), "{page}");
    let (_, _, page) = send(&t.app, Method::GET, &path, Some(&ada), None).await;
    for step in [
        "Soumise par vous",
        "Renvoyée pour révision par le tuteur",
        "Soumise de nouveau par vous",
        "Approuvée par le tuteur",
    ] {
        assert!(page.contains(step), "{step}: {page}");
    }
    assert!(
        !page.contains(TUTOR),
        "the trainer's page does not name the tutor"
    );

    // Audited, without the trainer's address.
    let log = t.app.audit_log(None, Some("request")).await.expect("log");
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "request started",
        "request submitted",
        "request returned",
        "request resubmitted",
        "request approved",
    ] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
    assert!(log
        .iter()
        .all(|e| !e.detail.contains(ADA) && !e.actor.contains(ADA)));

    // Exported with the trainer's data; erased with them, files included.
    let email = EmailAddress::parse(ADA).expect("email");
    let export =
        serde_json::to_value(t.app.export_trainer(&email).await.expect("export")).expect("json");
    let exported = &export["badge_requests"][0];
    assert_eq!(exported["status"], "approved");
    assert_eq!(exported["files"].as_array().map(Vec::len), Some(2));
    assert_eq!(exported["history"].as_array().map(Vec::len), Some(4));
    assert_eq!(exported["history"][1]["by"], "tutor");
    assert_eq!(exported["assessment"]["criteria"][0]["met"], true);
    t.app.erase_trainer(&email).await.expect("erase");
    assert!(t.app.store.get_request(&id).await.expect("read").is_none());
    assert!(t
        .app
        .store
        .request_files(&id)
        .await
        .expect("files")
        .is_empty());
    assert!(t
        .app
        .store
        .request_events(&id)
        .await
        .expect("events")
        .is_empty());
    let (status, _, _) = raw_get(
        &t,
        &format!("{admin_path}/fichiers/{file_id}"),
        Some(&tutor),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

crate::on_both_backends!(a_refused_request_awards_nothing_and_says_why);
async fn a_refused_request_awards_nothing_and_says_why(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    setup(&t, &[(ADA, "Ada Lovelace")]).await;
    let ada = crate::mine::sign_in(&t, ADA).await;
    let id = start(&t, &ada).await;
    let path = format!("/mes-badges/demandes/{id}");
    let (status, _, _) = post_request(
        &t,
        &path,
        &ada,
        ["Une analyse courte.", "", "soumettre"],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    // An admin assigns it to the e-CAP2 tutor: the e-CAP1 tutor no longer sees it.
    let admin = crate::console::sign_in(&t, ADMIN).await;
    let admin_path = format!("/admin/demandes/{id}");
    let (status, _, page) = send(&t.app, Method::GET, &admin_path, Some(&admin), None).await;
    assert_eq!(status, StatusCode::OK);
    let token = csrf(&page);
    let (status, _, page) = send(
        &t.app,
        Method::POST,
        &format!("{admin_path}/attribution"),
        Some(&admin),
        Some(&format!("csrf={token}&tutor=personne%40ac-versailles.fr")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("pas celle d&#x27;un tuteur") || page.contains("pas celle d'un tuteur"),
        "{page}"
    );
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &format!("{admin_path}/attribution"),
        Some(&admin),
        Some(&format!(
            "csrf={token}&tutor={}",
            OTHER_TUTOR.replace('@', "%40")
        )),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(t
        .app
        .store
        .messages_to(OTHER_TUTOR)
        .await
        .expect("messages")
        .iter()
        .any(|m| m.subject.contains("qui vous est attribuée")));
    let tutor = crate::console::sign_in(&t, TUTOR).await;
    let (status, _, _) = send(&t.app, Method::GET, &admin_path, Some(&tutor), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A tutor cannot assign.
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &format!("{admin_path}/attribution"),
        Some(&tutor),
        Some(&format!("csrf={token}&tutor=")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The assigned tutor refuses it with a reason: no badge, the trainer is told why.
    let other = crate::console::sign_in(&t, OTHER_TUTOR).await;
    let (_, _, page) = send(&t.app, Method::GET, &admin_path, Some(&other), None).await;
    let token = csrf(&page);
    let reason = "Le parcours présenté n'est pas hybride : aucune classe virtuelle.";
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &admin_path,
        Some(&other),
        Some(&decision(&token, "refuser", &[], reason)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(status_of(&t, &id).await, RequestStatus::Refused);
    t.app.drain_evaluations().await.expect("drain");
    let class = t
        .app
        .store
        .badge_class_id_by_code(BADGE)
        .await
        .expect("read")
        .expect("class");
    assert!(
        !t.app
            .my_badges(ADA)
            .await
            .expect("badges")
            .iter()
            .any(|o| o.stored.award.badge_class == class)
    );
    let told = t.app.store.messages_to(ADA).await.expect("messages");
    assert!(told
        .iter()
        .any(|m| m.kind == MessageKind::Request.as_str() && m.body.contains(reason)));
    let (_, _, page) = send(&t.app, Method::GET, &path, Some(&ada), None).await;
    assert!(page.contains("Refusée"), "{page}");
    assert!(page.contains("aucune classe virtuelle"), "{page}");
    // A refused request no longer blocks a new one.
    let (_, _, page) = send(&t.app, Method::GET, "/mes-badges", Some(&ada), None).await;
    assert!(page.contains("Demander ce badge"), "{page}");
    let second = start(&t, &ada).await;
    assert_ne!(second, id);
}

crate::on_both_backends!(nothing_is_submitted_before_the_first_rule_holds_nor_beyond_five_files);
async fn nothing_is_submitted_before_the_first_rule_holds_nor_beyond_five_files(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    setup(&t, &[(ADA, "Ada Lovelace")]).await;
    // Bob has done one module of e-CAP1 only.
    let (status, _) = t
        .call(
            Method::POST,
            "/api/v1/completions",
            Some(&t.ingest_token.clone()),
            Some(json!({"learner": {"email": BOB, "name": "Bob"}, "module": "E1-M1", "completed_at": "2026-03-02"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let bob = crate::mine::sign_in(&t, BOB).await;
    let (_, _, page) = send(&t.app, Method::GET, "/mes-badges", Some(&bob), None).await;
    assert!(page.contains("condition préalable"), "{page}");
    // Started anyway (a draft may be written ahead), it cannot be submitted.
    let id = start(&t, &bob).await;
    let path = format!("/mes-badges/demandes/{id}");
    let (status, _, page) =
        post_request(&t, &path, &bob, ["En avance.", "", "soumettre"], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("pas encore remplie"), "{page}");
    assert_eq!(status_of(&t, &id).await, RequestStatus::Draft);

    // Five files at most; a sixth is refused and the five stay.
    let ada = crate::mine::sign_in(&t, ADA).await;
    let id = start(&t, &ada).await;
    let path = format!("/mes-badges/demandes/{id}");
    let files: Vec<(String, Vec<u8>)> =
        (1..=6).map(|i| (format!("piece-{i}.pdf"), pdf())).collect();
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let (status, _, page) = post_request(&t, &path, &ada, ["x", "", "brouillon"], &refs).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("5 fichiers au plus"), "{page}");
    assert_eq!(
        t.app.store.request_files(&id).await.expect("files").len(),
        5
    );
    // One removed, another fits.
    let first = t.app.store.request_files(&id).await.expect("files")[0]
        .id
        .clone();
    let (status, _, _) = send(
        &t.app,
        Method::POST,
        &format!("{path}/fichiers/{first}/retrait"),
        Some(&ada),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = post_request(
        &t,
        &path,
        &ada,
        ["x", "", "brouillon"],
        &[("autre.pdf", &pdf())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.app.store.request_files(&id).await.expect("files").len(),
        5
    );
    // A file over 10 MiB is refused.
    let mut big = pdf();
    big.resize(10 * 1024 * 1024 + 1, b' ');
    let (status, _, page) = post_request(
        &t,
        &path,
        &ada,
        ["x", "", "brouillon"],
        &[("gros.pdf", &big)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("dépasse 10 Mo"), "{page}");
}

crate::on_both_backends!(an_approval_whose_award_fails_is_awarded_by_the_workers_once);
async fn an_approval_whose_award_fails_is_awarded_by_the_workers_once(backend: Backend) {
    use insigne::faults::{FaultAction, FaultPoint, Faults};
    let Some(mut t) = TestApp::new(backend).await else {
        return;
    };
    setup(&t, &[(ADA, "Ada Lovelace")]).await;
    let email = EmailAddress::parse(ADA).expect("email");
    let request = t
        .app
        .start_request(&email, BADGE, insigne::i18n::Lang::Fr)
        .await
        .expect("start")
        .expect("started");
    t.app
        .save_request(&email, &request.id, "Analyse.", "")
        .await
        .expect("save")
        .expect("saved");
    t.app
        .submit_request(&email, &request.id)
        .await
        .expect("submit")
        .expect("submitted");
    // The award fails after its approval is committed.
    t.app.store =
        t.app
            .store
            .clone()
            .with_faults(Faults::at(FaultPoint::AwardStored, FaultAction::Fail, 1));
    let session = insigne::service::AdminSession {
        email: TUTOR.into(),
        role: Role::Tutor,
        csrf: String::new(),
    };
    let mut input = insigne::service::DecisionInput {
        verdict: Some(insigne::service::Verdict::Approve),
        ..Default::default()
    };
    for c in CRITERIA {
        input.met.insert(c.into(), Some(true));
    }
    t.app
        .decide_request(&session, &request.id, &input)
        .await
        .expect("decide")
        .expect("approved");
    assert_eq!(status_of(&t, &request.id).await, RequestStatus::Approved);
    let class = t
        .app
        .store
        .badge_class_id_by_code(BADGE)
        .await
        .expect("read")
        .expect("class");
    let count = |t: &TestApp| {
        let app = t.app.clone();
        async move {
            app.my_badges(ADA)
                .await
                .expect("badges")
                .iter()
                .filter(|o| o.stored.award.badge_class == class)
                .count()
        }
    };
    assert_eq!(count(&t).await, 0, "the award failed");
    // The learner stays marked: the workers award it, once, however often they run.
    t.app.store = t.app.store.clone().with_faults(Faults::none());
    let later = crate::mine::later(&t.app, 60);
    later.drain_evaluations().await.expect("drain");
    later.drain_evaluations().await.expect("drain");
    assert_eq!(count(&t).await, 1);
}

/// The badge a tutor approved passes the official OB 2.0 validator and the OB 3.0 verifiers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_badge_passes_the_official_validators() {
    let Some(dir) = crate::interop_ob2::conformance_dir() else {
        return;
    };
    let crate::interop_ob2::Live {
        t, base, server, ..
    } = crate::interop_ob2::live_now().await;
    setup(&t, &[(ADA, "Ada Lovelace")]).await;
    let email = EmailAddress::parse(ADA).expect("email");
    let request = t
        .app
        .start_request(&email, BADGE, insigne::i18n::Lang::Fr)
        .await
        .expect("start")
        .expect("started");
    t.app
        .save_request(
            &email,
            &request.id,
            "Mon analyse du parcours.",
            "https://magistere.education.fr/ac-versailles/course/view.php?id=4242",
        )
        .await
        .expect("save")
        .expect("saved");
    t.app
        .attach_request_file(
            &email,
            &request.id,
            insigne::service::RequestUpload {
                file_name: "analyse.pdf",
                bytes: &pdf(),
            },
        )
        .await
        .expect("attach")
        .expect("attached");
    t.app
        .submit_request(&email, &request.id)
        .await
        .expect("submit")
        .expect("submitted");
    let session = insigne::service::AdminSession {
        email: TUTOR.into(),
        role: Role::Tutor,
        csrf: String::new(),
    };
    let mut input = insigne::service::DecisionInput {
        verdict: Some(insigne::service::Verdict::Approve),
        note: "Parcours exemplaire.".into(),
        ..Default::default()
    };
    for c in CRITERIA {
        input.met.insert(c.into(), Some(true));
        input.comments.insert(c.into(), format!("Vu pour {c}."));
    }
    t.app
        .decide_request(&session, &request.id, &input)
        .await
        .expect("decide")
        .expect("approved");
    let class = t
        .app
        .store
        .badge_class_id_by_code(BADGE)
        .await
        .expect("read")
        .expect("class");
    let id = t
        .app
        .my_badges(ADA)
        .await
        .expect("badges")
        .into_iter()
        .find(|o| o.stored.award.badge_class == class)
        .expect("awarded")
        .stored
        .award
        .id;
    crate::interop_ob2::official_validators_accept(&dir, &t, &base, &id.to_string(), ADA).await;
    server.stop().await;
}

/// `insigne admins add --role tutor --parcours`: the parcours are checked against the catalogue
/// before anything changes, and listed in a fourth column.
#[tokio::test]
async fn the_cli_gives_tutors_their_parcours() {
    let dir = tempfile::tempdir().expect("dir");
    let catalogue =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/catalogue/ecap.toml");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_insigne"))
            .current_dir(dir.path())
            .env("INSIGNE_DATABASE_URL", "sqlite://insigne.db")
            .env("INSIGNE_CATALOGUE", "")
            .args(args)
            .output()
            .expect("insigne")
    };
    let out = run(&["catalogue", "load", catalogue.to_str().expect("path")]);
    assert!(out.status.success(), "{out:?}");
    // An unknown parcours: exit 2, nobody added.
    let out = run(&[
        "admins",
        "add",
        TUTOR,
        "--role",
        "tutor",
        "--parcours",
        "e-CAP9",
    ]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("e-CAP9"),
        "{out:?}"
    );
    let out = run(&["admins", "list"]);
    assert!(out.stdout.is_empty(), "{out:?}");
    // Parcours are for tutors.
    let out = run(&["admins", "add", ADMIN, "--parcours", "e-CAP1"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run(&[
        "admins",
        "add",
        TUTOR,
        "--role",
        "tutor",
        "--parcours",
        "e-CAP1,e-CAP2",
    ]);
    assert!(out.status.success(), "{out:?}");
    let out = run(&["admins", "list"]);
    let listed = String::from_utf8(out.stdout).expect("utf-8");
    let row: Vec<&str> = listed.trim_end().split('\t').collect();
    assert_eq!(row[..2], [TUTOR, "tutor"], "{listed}");
    assert_eq!(row[3], "e-CAP1,e-CAP2", "{listed}");
    // Given again, they replace those the tutor had.
    let out = run(&[
        "admins",
        "add",
        TUTOR,
        "--role",
        "tutor",
        "--parcours",
        "e-CAP3",
    ]);
    assert!(out.status.success(), "{out:?}");
    let listed = String::from_utf8(run(&["admins", "list"]).stdout).expect("utf-8");
    assert!(listed.trim_end().ends_with("\te-CAP3"), "{listed}");
}
