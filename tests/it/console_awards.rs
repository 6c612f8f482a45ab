//! Awarded badges and notifications in the console: the search, an award's page with why it
//! was earned, revocation (a reason, a confirmation, the session's CSRF token), issuing by
//! hand, resending messages; each change in the audit log, tutors kept off.

use axum::http::{header, Method, StatusCode};
use insigne::auth::Role;
use insigne::domain::AwardId;
use insigne::storage::MessageStatus;
use serde_json::{json, Value};

use crate::common::{Backend, TestApp, BASE};
use crate::console::{csrf, sign_in};
use crate::mine::{later, send};

const ADMIN: &str = "dane@ac-versailles.fr";

/// A test app with an admin signed in: the app, their cookie.
async fn signed_in(backend: Backend) -> Option<(TestApp, String)> {
    let t = TestApp::new(backend).await?;
    t.app.add_admin(ADMIN, Role::Admin).await.expect("admin");
    let cookie = sign_in(&t, ADMIN).await;
    Some((t, cookie))
}

async fn award(t: &TestApp, class: &str, email: &str, name: &str) -> Value {
    t.award(json!({"badge_class": class, "recipient": {"email": email, "name": name}}))
        .await
}

fn id_of(award: &Value) -> String {
    award["id"].as_str().expect("id").to_string()
}

async fn get(t: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let (status, _, page) = send(&t.app, Method::GET, path, Some(cookie), None).await;
    (status, page)
}

async fn post(
    t: &TestApp,
    path: &str,
    cookie: &str,
    form: &str,
) -> (StatusCode, axum::http::HeaderMap, String) {
    send(&t.app, Method::POST, path, Some(cookie), Some(form)).await
}

fn encoded(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The award's status as the API says it.
async fn api_status(t: &TestApp, id: &str) -> Value {
    let (status, award) = t
        .admin(Method::GET, &format!("/api/v1/awards/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{award}");
    award
}

/// The console's entries of the audit log for `action`, latest first: who, what, on what.
async fn console_actions(t: &TestApp, action: &str) -> Vec<(String, String, String)> {
    t.app
        .audit_log(Some("console:"), Some(action))
        .await
        .expect("log")
        .into_iter()
        .map(|e| (e.actor, e.action, e.target))
        .collect()
}

crate::on_both_backends!(the_search_finds_awards_by_address_class_status_and_date);

async fn the_search_finds_awards_by_address_class_status_and_date(backend: Backend) {
    let Some((t, cookie)) = signed_in(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let lasting = t.badge_class(&issuer, None).await;
    let short = t.badge_class(&issuer, Some(1)).await;
    let marie = award(&t, &lasting, "marie.curie@ac-versailles.fr", "Marie Curie").await;
    let jean = award(&t, &lasting, "Jean.Dupont@ac-versailles.fr", "Jean Dupont").await;
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/awards/{}/revoke", id_of(&jean)),
            Some(json!({"reason": "Attribué par erreur"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // Issued three days ago, valid for one: expired now.
    let before = later(&t.app, -3 * 24 * 60);
    let paul = before
        .issue_award(
            &serde_json::from_value(json!({"badge_class": short,
                "recipient": {"email": "paul_m@ac-versailles.fr", "name": "Paul Martin"}}))
            .expect("input"),
        )
        .await
        .expect("issued")
        .award
        .id
        .to_string();
    let (marie, jean) = (id_of(&marie), id_of(&jean));

    let found = |page: &str| -> Vec<String> {
        [&marie, &jean, &paul]
            .into_iter()
            .filter(|id| page.contains(&format!("/admin/badges-delivres/{id}?lang=fr")))
            .cloned()
            .collect()
    };
    let search = |query: String| {
        let t = &t;
        let cookie = &cookie;
        async move { get(t, &format!("/admin/badges-delivres?{query}"), cookie).await }
    };

    // Without criteria: every award, the latest issued first.
    let (status, page) = search(String::new()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<caption>Badges délivrés, les plus récents d&#x27;abord</caption>"),
        "{page}"
    );
    assert!(page.contains("<label for=\"email\">"), "{page}");
    assert_eq!(found(&page), [marie.as_str(), jean.as_str(), paul.as_str()]);
    let position = |id: &str| page.find(&format!("{id}?lang=fr")).expect("listed");
    assert!(position(&paul) > position(&jean) && position(&paul) > position(&marie));

    // Part of the address, whatever its case.
    let (_, page) = search("email=DUPONT".into()).await;
    assert_eq!(found(&page), [jean.as_str()], "{page}");
    assert!(page.contains("jean.dupont@ac-versailles.fr"), "{page}");
    // LIKE's wildcards are taken as they are written.
    let (_, page) = search("email=paul%5Fm".into()).await;
    assert_eq!(found(&page), [paul.as_str()], "{page}");
    let (_, page) = search("email=paul%25".into()).await;
    assert!(found(&page).is_empty(), "{page}");
    assert!(page.contains("Aucun badge délivré ne correspond"), "{page}");

    // By status, as it stands now.
    for (status, expected) in [("active", &marie), ("revoked", &jean), ("expired", &paul)] {
        let (code, page) = search(format!("status={status}")).await;
        assert_eq!(code, StatusCode::OK);
        assert_eq!(found(&page), [expected.as_str()], "{status}: {page}");
        assert!(
            page.contains(&format!("<option value=\"{status}\" selected>")),
            "{page}"
        );
    }
    let (_, page) = search(format!("badge_class={short}")).await;
    assert_eq!(found(&page), [paul.as_str()], "{page}");
    // Dates: both days count whole.
    let (_, page) = search("from=2026-11-28&to=2026-11-28".into()).await;
    assert_eq!(found(&page), [marie.as_str(), jean.as_str()], "{page}");
    let (_, page) = search("to=2026-11-27".into()).await;
    assert_eq!(found(&page), [paul.as_str()], "{page}");
    let (_, page) = search(format!("email=marie&status=revoked&badge_class={lasting}")).await;
    assert!(found(&page).is_empty(), "{page}");

    // A date that is none: said next to its field, nothing listed.
    let (status, page) = search("from=28%2F11%2F2026&status=lost".into()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("role=\"alert\""), "{page}");
    assert!(page.contains("href=\"#from\""), "{page}");
    assert!(page.contains("id=\"from-error\""), "{page}");
    assert!(page.contains("id=\"status-error\""), "{page}");
    assert!(found(&page).is_empty(), "{page}");

    // In English on request, the criteria kept across the switch.
    let (_, page) = search("email=dupont&lang=en".into()).await;
    assert!(page.contains("<h1>Issued badges</h1>"), "{page}");
    assert!(page.contains("Revoked"), "{page}");
    assert!(
        page.contains("href=\"/admin/badges-delivres?email=dupont"),
        "{page}"
    );
}

crate::on_both_backends!(an_award_page_says_why_it_was_earned_and_where_it_is_published);

async fn an_award_page_says_why_it_was_earned_and_where_it_is_published(backend: Backend) {
    let Some((t, cookie)) = signed_in(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(365)).await;
    let award = t
        .award(json!({
            "badge_class": class,
            "recipient": {"email": "marie@ac-versailles.fr", "name": "Marie Curie"},
            "narrative": "Badge attribué automatiquement : module E1-M1 terminé le 20/11/2026.",
            "evidence": [{"name": "E1-M1 Scénariser", "description": "Module terminé le 20/11/2026 (hybride, 3 h)."}]
        }))
        .await;
    let id = id_of(&award);
    let (status, page) = get(&t, &format!("/admin/badges-delivres/{id}"), &cookie).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for expected in [
        "Marie Curie",
        "marie@ac-versailles.fr",
        "e-CAP1 — Concevoir un parcours de formation hybride",
        "<time datetime=\"2026-11-28T12:00:00Z\">28 novembre 2026</time>",
        "<time datetime=\"2027-11-28T12:00:00Z\">28 novembre 2027</time>",
        "status-valid",
        "Pourquoi ce badge a été délivré",
        "module E1-M1 terminé le 20/11/2026",
        "<strong>E1-M1 Scénariser</strong>",
        "Module terminé le 20/11/2026 (hybride, 3 h).",
        "Badge délivré",
        "En attente",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    for link in [
        "page",
        "ob2_assertion",
        "ob2_signed",
        "ob3_credential",
        "ob3_jwt",
        "png",
        "svg",
    ] {
        let url = award["links"][link].as_str().expect("link");
        assert!(url.starts_with(BASE), "{url}");
        assert!(
            page.contains(&format!("href=\"{url}\"")),
            "{link} in {page}"
        );
    }
    assert!(
        page.contains(&format!(
            "href=\"/admin/badges-delivres/{id}/revoquer?lang=fr\""
        )),
        "{page}"
    );
    // No such award: 404.
    let unknown = AwardId::random();
    let (status, _) = get(&t, &format!("/admin/badges-delivres/{unknown}"), &cookie).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&t, "/admin/badges-delivres/pas-un-id", &cookie).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, page) = get(&t, &format!("/admin/badges-delivres/{id}?lang=en"), &cookie).await;
    assert!(page.contains("Why this badge was issued"), "{page}");
}

crate::on_both_backends!(revoking_takes_a_reason_a_confirmation_and_the_session_token);

async fn revoking_takes_a_reason_a_confirmation_and_the_session_token(backend: Backend) {
    let Some((t, cookie)) = signed_in(backend).await else {
        return;
    };
    let other = sign_in(&t, ADMIN).await;
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let award = award(&t, &class, "marie@ac-versailles.fr", "Marie Curie").await;
    let id = id_of(&award);
    let path = format!("/admin/badges-delivres/{id}/revoquer");

    let (status, page) = get(&t, &path, &cookie).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("<label for=\"reason\">Motif</label>"),
        "{page}"
    );
    let token = csrf(&page);
    let (_, other_page) = get(&t, &path, &other).await;
    let other_token = csrf(&other_page);
    assert_ne!(token, other_token);

    // No reason: said on the form, nothing changed.
    let (status, _, page) = post(&t, &path, &cookie, &format!("csrf={token}&reason=++")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("href=\"#reason\""), "{page}");
    assert!(page.contains("id=\"reason-error\""), "{page}");
    assert!(page.contains("aria-invalid=\"true\""), "{page}");
    assert_eq!(api_status(&t, &id).await["status"], "valid");

    // A reason: the page asks to confirm it, and nothing is revoked yet.
    let reason = encoded("Attribué par erreur");
    let (status, _, page) =
        post(&t, &path, &cookie, &format!("csrf={token}&reason={reason}")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Révoquer ce badge ?</h1>"), "{page}");
    assert!(page.contains("Attribué par erreur"), "{page}");
    assert!(page.contains("name=\"confirmed\" value=\"yes\""), "{page}");
    assert!(
        page.contains(&format!(
            "href=\"/admin/badges-delivres/{id}?lang=fr\">Annuler</a>"
        )),
        "{page}"
    );
    assert_eq!(api_status(&t, &id).await["status"], "valid");

    // Confirmed without the session's token: 403, nothing revoked.
    for form in [
        format!("reason={reason}&confirmed=yes"),
        format!("csrf={other_token}&reason={reason}&confirmed=yes"),
        format!("csrf=x&reason={reason}&confirmed=yes"),
    ] {
        let (status, _, _) = post(&t, &path, &cookie, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{form}");
        assert_eq!(api_status(&t, &id).await["status"], "valid");
    }
    assert!(console_actions(&t, "awards").await.is_empty());

    // Confirmed: revoked everywhere at once.
    let (status, headers, _) = post(
        &t,
        &path,
        &cookie,
        &format!("csrf={token}&reason={reason}&confirmed=yes"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        format!("/admin/badges-delivres/{id}?lang=fr")
    );
    let revoked = api_status(&t, &id).await;
    assert_eq!(revoked["status"], "revoked");
    assert_eq!(revoked["revocation"]["reason"], "Attribué par erreur");
    let (status, _, _) = t.get(&format!("/assertions/{id}")).await;
    assert_eq!(status, StatusCode::GONE);
    let credential = award["links"]["ob3_credential"].as_str().expect("link");
    let (_, _, credential) = t.get(credential.strip_prefix(BASE).expect("local")).await;
    let credential: Value = serde_json::from_slice(&credential).expect("json");
    let entry = &credential["credentialStatus"];
    let list_url = entry["statusListCredential"].as_str().expect("list");
    let index: i64 = entry["statusListIndex"]
        .as_str()
        .expect("index")
        .parse()
        .expect("number");
    let (_, _, list) = t.get(list_url.strip_prefix(BASE).expect("local")).await;
    let list: Value = serde_json::from_slice(&list).expect("json");
    let encoded_list = list["credentialSubject"]["encodedList"]
        .as_str()
        .expect("encoded");
    assert!(insigne::formats::ob3::status::is_set(encoded_list, index).expect("decodes"));
    assert_eq!(
        console_actions(&t, "awards").await,
        [(
            format!("console:{ADMIN}"),
            "awards revoke".into(),
            id.clone()
        )]
    );

    // The page says it, with the reason and the message telling the holder.
    let (_, page) = get(&t, &format!("/admin/badges-delivres/{id}"), &cookie).await;
    assert!(
        page.contains("Ce badge a été révoqué le 28 novembre 2026."),
        "{page}"
    );
    assert!(
        page.contains("<dd lang=\"fr\">Attribué par erreur</dd>"),
        "{page}"
    );
    assert!(page.contains("Badge révoqué"), "{page}");
    assert!(!page.contains("/revoquer"), "{page}");

    // Again: refused on the form, the first reason kept, nothing more in the log.
    let again = encoded("Autre motif");
    let (status, _, page) = post(
        &t,
        &path,
        &cookie,
        &format!("csrf={token}&reason={again}&confirmed=yes"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("Ce badge est déjà révoqué"), "{page}");
    let kept = api_status(&t, &id).await;
    assert_eq!(kept["revocation"]["reason"], "Attribué par erreur");
    assert_eq!(console_actions(&t, "awards").await.len(), 1);
}

crate::on_both_backends!(an_admin_issues_a_badge_by_hand);

async fn an_admin_issues_a_badge_by_hand(backend: Backend) {
    let Some((t, cookie)) = signed_in(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let (status, page) = get(&t, "/admin/badges-delivres/nouveau", &cookie).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains(&format!("<option value=\"{class}\"")),
        "{page}"
    );
    for label in ["badge_class", "email", "name"] {
        assert!(page.contains(&format!("<label for=\"{label}\">")), "{page}");
    }
    let token = csrf(&page);
    let form = |csrf: &str, class: &str, email: &str, name: &str| {
        format!(
            "csrf={csrf}&badge_class={class}&email={}&name={}",
            encoded(email),
            encoded(name)
        )
    };
    let count = |t: &TestApp| {
        let store = t.app.store.clone();
        async move { store.count_awards().await.expect("count") }
    };

    // Without the session's token: 403, nothing issued.
    let (status, _, _) = post(
        &t,
        "/admin/badges-delivres",
        &cookie,
        &form("forged", &class, "marie@ac-versailles.fr", "Marie Curie"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(count(&t).await, 0);

    // Wrong fields: each said next to its field, the values kept, nothing issued.
    let (status, _, page) = post(
        &t,
        "/admin/badges-delivres",
        &cookie,
        &form(&token, "", "pas-une-adresse", " "),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for field in ["badge_class", "email", "name"] {
        assert!(
            page.contains(&format!("href=\"#{field}\"")),
            "{field} in {page}"
        );
        assert!(
            page.contains(&format!("id=\"{field}-error\"")),
            "{field} in {page}"
        );
    }
    assert!(page.contains("value=\"pas-une-adresse\""), "{page}");
    let unknown = insigne::domain::BadgeClassId::random().to_string();
    let (status, _, page) = post(
        &t,
        "/admin/badges-delivres",
        &cookie,
        &form(&token, &unknown, "marie@ac-versailles.fr", "Marie Curie"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"badge_class-error\""), "{page}");
    assert_eq!(count(&t).await, 0);

    // Issued, announced to its holder, and in the log.
    let (status, headers, _) = post(
        &t,
        "/admin/badges-delivres",
        &cookie,
        &form(&token, &class, "Marie@ac-versailles.fr", "Marie Curie"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers[header::LOCATION].to_str().expect("location");
    let id = location
        .strip_prefix("/admin/badges-delivres/")
        .and_then(|rest| rest.strip_suffix("?lang=fr"))
        .expect("the award's page");
    let issued = api_status(&t, id).await;
    assert_eq!(issued["recipient"]["email"], "marie@ac-versailles.fr");
    assert_eq!(issued["recipient"]["name"], "Marie Curie");
    assert_eq!(issued["badge_class"], class.as_str());
    assert_eq!(issued["status"], "valid");
    let messages = t
        .app
        .store
        .messages_to("marie@ac-versailles.fr")
        .await
        .expect("messages");
    assert_eq!(messages.len(), 1);
    assert_eq!(
        console_actions(&t, "awards").await,
        [(
            format!("console:{ADMIN}"),
            "awards create".into(),
            id.to_string()
        )]
    );
    let (status, page) = get(&t, location, &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Marie Curie"), "{page}");
}

crate::on_both_backends!(notifications_are_listed_and_resent);

async fn notifications_are_listed_and_resent(backend: Backend) {
    let Some((t, cookie)) = signed_in(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let marie = id_of(&award(&t, &class, "marie@ac-versailles.fr", "Marie Curie").await);
    let jean = id_of(&award(&t, &class, "jean@ac-versailles.fr", "Jean Dupont").await);
    let message_of = |email: &'static str| {
        let store = t.app.store.clone();
        async move {
            store
                .messages_to(email)
                .await
                .expect("messages")
                .into_iter()
                .next()
                .expect("a message")
        }
    };
    // Marie's message is given up, Jean's written to the log (no mail server).
    let now = t.app.clock.now();
    let end = |id: String, status: MessageStatus| {
        let store = t.app.store.clone();
        async move {
            assert!(store
                .claim_message(&id, now, now + chrono::Duration::minutes(2))
                .await
                .expect("claim"));
            store
                .finish_attempt(&id, status, now, Some("451 mailbox busy"), None)
                .await
                .expect("finish");
        }
    };
    let to_marie = message_of("marie@ac-versailles.fr").await.id;
    let to_jean = message_of("jean@ac-versailles.fr").await.id;
    end(to_marie.clone(), MessageStatus::Failed).await;
    end(to_jean.clone(), MessageStatus::Logged).await;

    let (status, page) = get(&t, "/admin/notifications?status=failed", &cookie).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<caption>"), "{page}");
    assert!(page.contains("marie@ac-versailles.fr"), "{page}");
    assert!(!page.contains("jean@ac-versailles.fr"), "{page}");
    assert!(page.contains("451 mailbox busy"), "{page}");
    assert!(
        page.contains("<option value=\"failed\" selected>"),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/admin/badges-delivres/{marie}?lang=fr\"")),
        "{page}"
    );
    let resend = format!("/admin/notifications/{to_marie}/renvoyer");
    assert!(
        page.contains(&format!("action=\"{resend}?lang=fr\"")),
        "{page}"
    );
    let token = csrf(&page);
    let (_, page) = get(&t, "/admin/notifications", &cookie).await;
    assert!(page.contains("jean@ac-versailles.fr"), "{page}");
    assert!(
        !page.contains(&format!("/admin/notifications/{to_jean}/renvoyer")),
        "the list offers to resend failed messages only: {page}"
    );
    let (status, page) = get(&t, "/admin/notifications?status=lost", &cookie).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("id=\"status-error\""), "{page}");

    let status_of = |id: String| {
        let store = t.app.store.clone();
        async move {
            store
                .message(&id)
                .await
                .expect("message")
                .expect("kept")
                .status
        }
    };
    // Without the session's token: 403, still failed.
    let (status, _, _) = post(&t, &resend, &cookie, "status=failed").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(status_of(to_marie.clone()).await, MessageStatus::Failed);
    let (status, headers, _) =
        post(&t, &resend, &cookie, &format!("csrf={token}&status=failed")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        "/admin/notifications?status=failed&lang=fr"
    );
    assert_eq!(status_of(to_marie.clone()).await, MessageStatus::Pending);
    // Waiting already: refused, said.
    let (status, _, page) = post(&t, &resend, &cookie, &format!("csrf={token}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(page.contains("déjà en attente"), "{page}");

    // From the award's page, its own message only.
    let from_award = format!("/admin/badges-delivres/{jean}/renvoyer");
    let (_, page) = get(&t, &format!("/admin/badges-delivres/{jean}"), &cookie).await;
    assert!(page.contains("Journalisée"), "{page}");
    assert!(
        page.contains(&format!("name=\"notification\" value=\"{to_jean}\"")),
        "{page}"
    );
    let (status, _, _) = post(
        &t,
        &from_award,
        &cookie,
        &format!("csrf={token}&notification={to_marie}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = post(&t, &from_award, &cookie, &format!("notification={to_jean}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(status_of(to_jean.clone()).await, MessageStatus::Logged);
    let (status, headers, _) = post(
        &t,
        &from_award,
        &cookie,
        &format!("csrf={token}&notification={to_jean}"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers[header::LOCATION],
        format!("/admin/badges-delivres/{jean}?lang=fr")
    );
    assert_eq!(status_of(to_jean.clone()).await, MessageStatus::Pending);

    assert_eq!(
        console_actions(&t, "notifications").await,
        [
            (
                format!("console:{ADMIN}"),
                "notifications resend".into(),
                to_jean
            ),
            (
                format!("console:{ADMIN}"),
                "notifications resend".into(),
                to_marie
            ),
        ]
    );
    let (_, page) = get(&t, "/admin/notifications?lang=en", &cookie).await;
    assert!(page.contains("<h1>Notifications</h1>"), "{page}");
    assert!(page.contains("Waiting"), "{page}");
}

crate::on_both_backends!(tutors_stay_off_awards_and_notifications);

async fn tutors_stay_off_awards_and_notifications(backend: Backend) {
    let Some((t, admin)) = signed_in(backend).await else {
        return;
    };
    t.app
        .add_admin("tuteur@ac-versailles.fr", Role::Tutor)
        .await
        .expect("tutor");
    let tutor = sign_in(&t, "tuteur@ac-versailles.fr").await;
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, None).await;
    let id = id_of(&award(&t, &class, "marie@ac-versailles.fr", "Marie Curie").await);
    let message = t
        .app
        .store
        .messages_to("marie@ac-versailles.fr")
        .await
        .expect("messages")[0]
        .id
        .clone();
    // The dashboard links to both screens, for an admin.
    let (_, dashboard) = get(&t, "/admin", &admin).await;
    assert!(
        dashboard.contains("href=\"/admin/badges-delivres?lang=fr\""),
        "{dashboard}"
    );
    assert!(
        dashboard.contains("href=\"/admin/notifications?lang=fr\""),
        "{dashboard}"
    );

    for path in [
        "/admin/badges-delivres".to_string(),
        "/admin/badges-delivres/nouveau".into(),
        format!("/admin/badges-delivres/{id}"),
        format!("/admin/badges-delivres/{id}/revoquer"),
        "/admin/notifications".into(),
    ] {
        let (status, page) = get(&t, &path, &tutor).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(page.contains("Accès refusé"), "{page}");
    }
    // Nor do the admin forms, whatever they carry.
    for (path, form) in [
        (
            format!("/admin/badges-delivres/{id}/revoquer"),
            "reason=x&confirmed=yes".to_string(),
        ),
        (
            "/admin/badges-delivres".into(),
            format!("badge_class={class}&email=a%40ac-versailles.fr&name=A"),
        ),
        (
            format!("/admin/notifications/{message}/renvoyer"),
            String::new(),
        ),
        (
            format!("/admin/badges-delivres/{id}/renvoyer"),
            format!("notification={message}"),
        ),
    ] {
        let (status, _, _) = post(&t, &path, &tutor, &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(api_status(&t, &id).await["status"], "valid");
    assert_eq!(t.app.store.count_awards().await.expect("count"), 1);
    assert!(console_actions(&t, "awards").await.is_empty());
    assert!(console_actions(&t, "notifications").await.is_empty());
}

crate::on_both_backends!(the_search_shows_the_latest_200_and_says_so);

async fn the_search_shows_the_latest_200_and_says_so(backend: Backend) {
    use insigne::domain::{Award, EmailAddress, Recipient};
    use insigne::storage::StoredAward;
    let Some((t, cookie)) = signed_in(backend).await else {
        return;
    };
    let issuer = t.issuer().await;
    let class: insigne::domain::BadgeClassId =
        t.badge_class(&issuer, None).await.parse().expect("id");
    // Stored as such (signing 201 badges would only slow the test), one a minute.
    let start = t.app.clock.now() - chrono::Duration::days(1);
    for i in 0..201 {
        let award = Award {
            id: AwardId::random(),
            badge_class: class,
            recipient: Recipient {
                email: EmailAddress::parse(&format!("formateur{i}@ac-versailles.fr"))
                    .expect("email"),
                name: format!("Formateur {i}"),
            },
            salt: "00".repeat(16),
            issued_on: start + chrono::Duration::minutes(i),
            expires: None,
            narrative: None,
            evidence: Vec::new(),
            revocation: None,
        };
        let stored = StoredAward {
            award,
            ob2_assertion: "{}".into(),
            ob2_signed: None,
            ob3_credential: None,
            ob3_jwt: None,
        };
        t.app.store.insert_award(&stored).await.expect("stored");
    }
    let (status, page) = get(&t, "/admin/badges-delivres", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Seuls les 200 badges les plus récents sont affichés"),
        "{page}"
    );
    assert_eq!(page.matches("<th scope=\"row\">").count(), 200);
    assert!(page.contains("formateur200@"), "the latest is shown");
    assert!(!page.contains("formateur0@"), "the oldest is left out");
    // Narrowed, all are shown and nothing is said.
    let (_, page) = get(&t, "/admin/badges-delivres?email=formateur1", &cookie).await;
    assert!(!page.contains("Seuls les"), "{page}");
    assert_eq!(page.matches("<th scope=\"row\">").count(), 111);
}
