//! The public pages as people read them: snapshots in both languages, content negotiation on
//! the OB 2.0 URLs, sharing (LinkedIn, Open Graph), caching, and the structure accessibility
//! rests on.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use insigne::domain::FixedClock;
use insigne::service::Insigne;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::common::{Backend, TestApp, BASE};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

async fn get_with(
    app: &Insigne,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = insigne::http::router(app.clone())
        .oneshot(req.body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.expect("body").to_bytes();
    (
        status,
        headers,
        String::from_utf8(body.to_vec()).expect("utf8"),
    )
}

async fn page(app: &Insigne, path: &str, lang: &str) -> String {
    let (status, headers, body) =
        get_with(app, &format!("{path}?lang={lang}"), &[("accept", BROWSER)]).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    body
}

struct Setup {
    t: TestApp,
    issuer: String,
    class: String,
    valid: String,
    revoked: String,
}

async fn setup() -> Setup {
    let t = TestApp::new(Backend::Sqlite).await.expect("app");
    let issuer = t.issuer().await;
    let class = t.badge_class(&issuer, Some(30)).await;
    let award = |name: &str, email: &str| {
        json!({
            "badge_class": class, "recipient": {"email": email, "name": name},
            "narrative": "A conçu et animé un parcours hybride pour les formateurs du bassin.",
            "evidence": [
                {"name": "E1-M1 Concevoir une formation hybride", "description": "Module terminé le 2 novembre 2026 (distanciel, 6 h)."},
                {"name": "Scénario de formation", "url": "https://magistere.example/scenario/12", "narrative": "Scénario déposé sur m@gistère."}
            ]
        })
    };
    let (_, valid) = t
        .admin(
            Method::POST,
            "/api/v1/awards",
            Some(award("Marie Curie", "marie@ac-versailles.fr")),
        )
        .await;
    let (_, revoked) = t
        .admin(
            Method::POST,
            "/api/v1/awards",
            Some(award("Paul Langevin", "paul@ac-versailles.fr")),
        )
        .await;
    let revoked = revoked["id"].as_str().expect("id").to_string();
    let (status, _) = t
        .admin(
            Method::POST,
            &format!("/api/v1/awards/{revoked}/revoke"),
            Some(json!({"reason": "Attribué par erreur"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    Setup {
        issuer,
        class,
        valid: valid["id"].as_str().expect("id").to_string(),
        revoked,
        t,
    }
}

/// The same service and data, seen at another instant.
fn at(app: &Insigne, when: &str) -> Insigne {
    Insigne {
        clock: Arc::new(FixedClock(when.parse().expect("date"))),
        ..app.clone()
    }
}

#[tokio::test]
async fn badge_pages_valid_expired_revoked_in_both_languages() {
    let s = setup().await;
    let later = at(&s.t.app, "2027-02-01T09:00:00Z");
    // Ids change from run to run; dates are fixed by the clock.
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[id]",
    );
    let _guard = settings.bind_to_scope();
    for lang in ["fr", "en"] {
        let valid = page(&s.t.app, &format!("/badges/{}", s.valid), lang).await;
        let expired = page(&later, &format!("/badges/{}", s.valid), lang).await;
        let revoked = page(&s.t.app, &format!("/badges/{}", s.revoked), lang).await;
        insta::assert_snapshot!(format!("badge-valid-{lang}"), valid);
        insta::assert_snapshot!(format!("badge-expired-{lang}"), expired);
        insta::assert_snapshot!(format!("badge-revoked-{lang}"), revoked);
    }
    let class = page(&s.t.app, &format!("/badge-classes/{}", s.class), "fr").await;
    let issuer = page(&s.t.app, &format!("/issuers/{}", s.issuer), "en").await;
    let statement = page(&s.t.app, "/accessibilite", "fr").await;
    insta::assert_snapshot!("badge-class-fr", class);
    insta::assert_snapshot!("issuer-en", issuer);
    insta::assert_snapshot!("accessibility-fr", statement);
}

#[tokio::test]
async fn the_status_is_said_in_words() {
    let s = setup().await;
    let later = at(&s.t.app, "2027-02-01T09:00:00Z");
    let valid = page(&s.t.app, &format!("/badges/{}", s.valid), "fr").await;
    assert!(valid.contains("<dd class=\"status status-valid\">Valide : badge authentique, en cours de validité et non révoqué.</dd>"), "{valid}");
    let expired = page(&later, &format!("/badges/{}", s.valid), "en").await;
    assert!(
        expired.contains("<dd class=\"status status-expired\">Expired on 28 December 2026.</dd>"),
        "{expired}"
    );
    let revoked = page(&s.t.app, &format!("/badges/{}", s.revoked), "fr").await;
    assert!(
        revoked.contains("Révoqué le 28 novembre 2026. Motif : Attribué par erreur"),
        "{revoked}"
    );
}

#[tokio::test]
async fn the_ob2_urls_serve_json_ld_to_validators_and_pages_to_browsers() {
    let s = setup().await;
    for path in [
        format!("/assertions/{}", s.valid),
        format!("/badge-classes/{}", s.class),
        format!("/issuers/{}", s.issuer),
    ] {
        for accept in [
            None,
            Some("application/ld+json"),
            Some("*/*"),
            Some("application/json"),
        ] {
            let headers: Vec<(&str, &str)> =
                accept.map(|a| vec![("accept", a)]).unwrap_or_default();
            let (status, h, body) = get_with(&s.t.app, &path, &headers).await;
            assert_eq!(status, StatusCode::OK, "{path} {accept:?}");
            assert_eq!(
                h[header::CONTENT_TYPE],
                "application/ld+json",
                "{path} {accept:?}"
            );
            assert_eq!(h[header::VARY], "Accept", "{path}");
            let doc: Value = serde_json::from_str(&body).expect("JSON-LD");
            assert_eq!(doc["@context"], "https://w3id.org/openbadges/v2");
        }
        let (status, h, body) = get_with(&s.t.app, &path, &[("accept", BROWSER)]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert!(h[header::VARY].to_str().expect("vary").contains("Accept"));
        assert!(body.contains("<h1"), "{body}");
        // The page names its machine form.
        assert!(
            body.contains(&format!(
                "<link rel=\"alternate\" type=\"application/ld+json\" href=\"{BASE}{path}\">"
            )),
            "{body}"
        );
    }
    // A revoked assertion: 410 for validators, the page saying so for people.
    let path = format!("/assertions/{}", s.revoked);
    let (status, _, _) = get_with(&s.t.app, &path, &[("accept", "application/ld+json")]).await;
    assert_eq!(status, StatusCode::GONE);
    let (status, _, body) = get_with(&s.t.app, &path, &[("accept", BROWSER)]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Ce badge a été révoqué"), "{body}");
}

fn meta<'a>(html: &'a str, attr: &str, name: &str) -> Option<&'a str> {
    let needle = format!("<meta {attr}=\"{name}\" content=\"");
    let start = html.find(&needle)? + needle.len();
    Some(&html[start..start + html[start..].find('"')?])
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
}

#[tokio::test]
async fn sharing_linkedin_and_open_graph() {
    let s = setup().await;
    let html = page(&s.t.app, &format!("/badges/{}", s.valid), "fr").await;
    let url = format!("{BASE}/badges/{}", s.valid);
    assert_eq!(meta(&html, "property", "og:url"), Some(url.as_str()));
    assert_eq!(meta(&html, "property", "og:type"), Some("website"));
    assert_eq!(meta(&html, "property", "og:locale"), Some("fr_FR"));
    assert_eq!(
        meta(&html, "property", "og:title").map(unescape).as_deref(),
        Some("e-CAP1 — Concevoir un parcours de formation hybride — Marie Curie")
    );
    assert_eq!(
        meta(&html, "property", "og:description").map(unescape).as_deref(),
        Some("Badge « e-CAP1 — Concevoir un parcours de formation hybride » décerné à Marie Curie par DANE de l'académie de Versailles.")
    );
    // A PNG badge image is previewed as is: absolute, and served.
    let image = meta(&html, "property", "og:image").expect("og:image");
    assert_eq!(image, format!("{BASE}/badge-classes/{}/image", s.class));
    let (status, h, _) = s.t.get(image.strip_prefix(BASE).expect("local")).await;
    assert_eq!(
        (status, &h[header::CONTENT_TYPE]),
        (
            StatusCode::OK,
            &"image/png".parse::<header::HeaderValue>().expect("v")
        )
    );
    assert!(meta(&html, "property", "og:image:alt").is_some());
    assert_eq!(meta(&html, "name", "twitter:card"), Some("summary"));
    assert_eq!(meta(&html, "name", "twitter:image"), Some(image));

    let start = html
        .find("https://www.linkedin.com/profile/add?")
        .expect("LinkedIn link");
    let link = unescape(&html[start..start + html[start..].find('"').expect("end")]);
    let parsed = url::Url::parse(&link).expect("url");
    let q: std::collections::BTreeMap<String, String> = parsed.query_pairs().into_owned().collect();
    assert_eq!(q["startTask"], "CERTIFICATION_NAME");
    assert_eq!(
        q["name"],
        "e-CAP1 — Concevoir un parcours de formation hybride"
    );
    assert_eq!(q["organizationName"], "DANE de l'académie de Versailles");
    assert_eq!(
        (q["issueYear"].as_str(), q["issueMonth"].as_str()),
        ("2026", "11")
    );
    assert_eq!(
        (q["expirationYear"].as_str(), q["expirationMonth"].as_str()),
        ("2026", "12")
    );
    assert_eq!(q["certUrl"], url);
    assert_eq!(q["certId"], s.valid);
    assert!(html.contains("target=\"_blank\" rel=\"noopener\""));

    let revoked = page(&s.t.app, &format!("/badges/{}", s.revoked), "fr").await;
    assert!(
        !revoked.contains("linkedin.com"),
        "a revoked badge offers no LinkedIn button"
    );
}

#[tokio::test]
async fn pages_and_documents_are_revalidated_and_a_revocation_shows_at_once() {
    let s = setup().await;
    for (path, accept) in [
        (format!("/badges/{}", s.valid), BROWSER),
        (format!("/assertions/{}", s.valid), "application/ld+json"),
        (format!("/credentials/{}", s.valid), "*/*"),
        // A baked image: the same bytes every time, so a link preview revalidates for free.
        (format!("/badges/{}/badge.svg", s.valid), "image/svg+xml"),
    ] {
        let (status, h, _) = get_with(&s.t.app, &path, &[("accept", accept)]).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(h[header::CACHE_CONTROL], "public, no-cache", "{path}");
        let tag = h[header::ETAG].to_str().expect("etag").to_string();
        let (status, h, body) = get_with(
            &s.t.app,
            &path,
            &[("accept", accept), ("if-none-match", &tag)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(body.is_empty());
        assert_eq!(h[header::ETAG], tag.as_str());
    }
    // The baked PNG too (bytes, not text).
    let png = format!("/badges/{}/badge.png", s.valid);
    let req = |tag: Option<&str>| {
        let mut r = axum::http::Request::get(&png);
        if let Some(tag) = tag {
            r = r.header(header::IF_NONE_MATCH, tag);
        }
        r.body(axum::body::Body::empty()).expect("request")
    };
    let (status, h, body) = s.t.raw(req(None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.starts_with(b"\x89PNG"));
    let tag = h[header::ETAG].to_str().expect("etag").to_string();
    let (status, _, body) = s.t.raw(req(Some(&tag))).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    let path = format!("/badges/{}", s.valid);
    let (_, h, _) = get_with(&s.t.app, &path, &[("accept", BROWSER)]).await;
    let tag = h[header::ETAG].to_str().expect("etag").to_string();
    s.t.admin(
        Method::POST,
        &format!("/api/v1/awards/{}/revoke", s.valid),
        Some(json!({"reason": "Doublon"})),
    )
    .await;
    let (status, h, body) = get_with(
        &s.t.app,
        &path,
        &[("accept", BROWSER), ("if-none-match", &tag)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(h[header::ETAG], tag.as_str());
    assert!(body.contains("Motif : Doublon"));
}

/// What accessibility rests on and a test can see without a browser: languages, one h1 and
/// ordered headings, text alternatives, labelled fields, the footer's statement link.
#[tokio::test]
async fn page_structure_for_accessibility() {
    let s = setup().await;
    let pages = [
        (format!("/badges/{}", s.valid), "fr"),
        (format!("/badges/{}", s.revoked), "en"),
        (format!("/badge-classes/{}", s.class), "en"),
        (format!("/issuers/{}", s.issuer), "fr"),
        ("/accessibilite".to_string(), "en"),
        ("/verify".to_string(), "en"),
        ("/mes-badges".to_string(), "fr"),
    ];
    for (path, lang) in pages {
        let html = page(&s.t.app, &path, lang).await;
        assert!(
            html.starts_with(&format!("<!DOCTYPE html>\n<html lang=\"{lang}\">")),
            "{path}"
        );
        assert_eq!(html.matches("<h1").count(), 1, "{path}: one h1");
        let mut last = 1;
        for (i, _) in html.match_indices("<h") {
            if let Some(level) = html[i + 2..].chars().next().and_then(|c| c.to_digit(10)) {
                assert!(level <= last + 1, "{path}: h{level} after h{last}");
                last = level;
            }
        }
        for (i, _) in html.match_indices("<img ") {
            let tag = &html[i..i + html[i..].find('>').expect("tag end")];
            assert!(
                tag.contains(" alt=\"") && !tag.contains(" alt=\"\""),
                "{path}: {tag}"
            );
        }
        for (i, _) in html.match_indices("<input id=\"") {
            let id = &html[i + 11..i + 11 + html[i + 11..].find('"').expect("id")];
            assert!(
                html.contains(&format!("<label for=\"{id}\">")),
                "{path}: input {id} has no label"
            );
        }
        assert!(
            html.contains(&format!("href=\"/accessibilite?lang={lang}\">")),
            "{path}"
        );
        let other = if lang == "fr" { "en" } else { "fr" };
        assert!(
            html.contains(&format!("lang=\"{other}\" hreflang=\"{other}\"")),
            "{path}: language switch"
        );
        if lang == "en" && path.starts_with("/badge") {
            // French catalogue content on an English page is marked as French.
            assert!(html.contains("<h1 lang=\"fr\">"), "{path}");
        }
    }
    // The status is never colour alone: the words are there whatever the class.
    let revoked = page(&s.t.app, &format!("/badges/{}", s.revoked), "en").await;
    assert!(revoked.contains("<dd class=\"status status-revoked\">Revoked on 28 November 2026. Reason: Attribué par erreur</dd>"));
}

#[tokio::test]
async fn the_qr_code_is_an_image_a_browser_keeps() {
    let s = setup().await;
    let (status, h, svg) = s.t.get(&format!("/badges/{}/qr.svg", s.valid)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "image/svg+xml");
    assert!(h[header::CACHE_CONTROL]
        .to_str()
        .expect("cc")
        .contains("max-age"));
    let svg = String::from_utf8(svg).expect("utf8");
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    let (status, _, _) =
        s.t.get("/badges/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11/qr.svg")
            .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let html = page(&s.t.app, &format!("/badges/{}", s.valid), "fr").await;
    assert!(
        html.contains(&format!(
            "<img src=\"/badges/{}/qr.svg\" alt=\"Code QR menant à {BASE}/badges/{}\"",
            s.valid, s.valid
        )),
        "{html}"
    );
}

#[tokio::test]
async fn an_unknown_badge_is_a_page_saying_so() {
    let s = setup().await;
    for (path, lang, says) in [
        (
            "/badges/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11",
            "fr",
            "<h1>Page introuvable</h1>",
        ),
        ("/badges/pas-un-badge", "en", "<h1>Page not found</h1>"),
        (
            "/assertions/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11",
            "fr",
            "<h1>Page introuvable</h1>",
        ),
    ] {
        let (status, h, body) = get_with(
            &s.t.app,
            &format!("{path}?lang={lang}"),
            &[("accept", BROWSER)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(h[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert!(body.contains(says), "{body}");
        assert!(body.contains(&format!("<a href=\"/verify?lang={lang}\">")));
    }
    // Validators still get JSON.
    let (status, h, _) = get_with(
        &s.t.app,
        "/assertions/7b0a3a86-7f55-4a8e-9d58-2d5a4f3c9e11",
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(h[header::CONTENT_TYPE]
        .to_str()
        .expect("ct")
        .contains("json"));
}

crate::on_both_backends!(the_front_door_shows_the_badges_by_parcours);

async fn the_front_door_shows_the_badges_by_parcours(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    let (status, _, empty) = crate::mine::send(&t.app, Method::GET, "/", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        empty.contains("Aucun badge n&#x27;est encore défini."),
        "{empty}"
    );

    crate::awarding::load_example_catalogue(&t).await;
    for (lang, title, other) in [
        (
            "fr",
            "Les badges de la formation des formateurs",
            "Autres badges",
        ),
        ("en", "Badges for trainers of trainers", "Other badges"),
    ] {
        let path = format!("/?lang={lang}");
        let (status, headers, page) =
            crate::mine::send(&t.app, Method::GET, &path, None, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[header::CONTENT_TYPE]
            .to_str()
            .expect("type")
            .starts_with("text/html"));
        assert!(page.contains(&format!("<h1>{title}</h1>")), "{page}");
        // The parcours in the catalogue's order, each with its badge; the rest after them.
        let at = |needle: &str| {
            page.find(needle)
                .unwrap_or_else(|| panic!("{needle} in {page}"))
        };
        let e1 = at("e-CAP1 — Concevoir un parcours de formation hybride</h2>");
        let e2 = at("e-CAP2 — Animer une formation hybride</h2>");
        let e3 = at("e-CAP3 — Tutorer une formation hybride</h2>");
        let rest = at(&format!("{other}</h2>"));
        assert!(e1 < e2 && e2 < e3 && e3 < rest, "{page}");
        let badge = at(">e-CAP1 — Concevoir un parcours de formation hybride</a></h3>");
        assert!(e1 < badge && badge < e2, "{page}");
        let ef1 = at(">EF1 — Scénariser une formation hybride</a></h3>");
        let ef2 =
            at(">EF2 — Articuler présentiel, classe virtuelle et travail à distance</a></h3>");
        assert!(rest < ef1 && ef1 < ef2, "the catalogue's order: {page}");
        // Where to go next.
        assert!(
            page.contains(&format!("href=\"/verify?lang={lang}\"")),
            "{page}"
        );
        assert!(
            page.contains(&format!("href=\"/mes-badges?lang={lang}\"")),
            "{page}"
        );
        assert!(
            page.contains(&format!("href=\"/accessibilite?lang={lang}\"")),
            "{page}"
        );
    }
}
