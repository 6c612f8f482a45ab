//! Badge classes in the console: created and edited with an uploaded image (checked by its
//! bytes), criteria, alignments, a rule and a validity; a preview saves nothing; a rule set
//! in the console awards like the catalogue's; forged forms change nothing.

use axum::http::{header, Method, StatusCode};
use insigne::auth::Role;

use crate::common::{Backend, TestApp};
use crate::console::{csrf, multipart_with, post_form, sign_in};
use crate::mine::send;

const ADMIN: &str = "dane@ac-versailles.fr";
const SVG: &[u8] = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#000091"/></svg>"##;

fn example(path: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(path);
    std::fs::read_to_string(path).expect("example")
}

crate::on_both_backends!(an_admin_makes_a_badge_with_an_image_a_rule_and_a_preview);

async fn an_admin_makes_a_badge_with_an_image_a_rule_and_a_preview(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app
        .load_catalogue(&example("catalogue/ecap.toml"), None)
        .await
        .expect("catalogue");
    t.app
        .import_moodle(
            example("moodle/progress.e-cap_2025-2026.csv").as_bytes(),
            &Default::default(),
            &|_| {},
        )
        .await
        .expect("import");
    t.app.drain_evaluations().await.expect("drain");
    t.app.add_admin(ADMIN, Role::Admin).await.expect("admin");
    let cookie = sign_in(&t, ADMIN).await;
    let (status, _, page) = send(
        &t.app,
        Method::GET,
        "/admin/badges/nouveau",
        Some(&cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("value=\"EF:EF1\""),
        "the catalogue's competencies are offered: {page}"
    );
    let token = csrf(&page);
    let issuer = t.app.issuers().await.expect("issuers")[0].id.to_string();
    let before = t.app.badge_classes().await.expect("classes").len();
    let fields = |csrf: &str, action: &str| -> Vec<(String, String)> {
        vec![
            ("csrf".into(), csrf.into()),
            ("action".into(), action.into()),
            ("issuer".into(), issuer.clone()),
            ("name".into(), "Tutorat en classe virtuelle".into()),
            (
                "description".into(),
                "Anime et suit un groupe en classe virtuelle.".into(),
            ),
            (
                "criteria_narrative".into(),
                "Avoir terminé deux modules d'e-CAP2.".into(),
            ),
            ("criteria_url".into(), String::new()),
            ("alignments".into(), "EF:EF1".into()),
            ("alignments".into(), "CRCN:2.1".into()),
            ("tags".into(), "tutorat, classe virtuelle".into()),
            ("validity_days".into(), "730".into()),
            ("code".into(), "tutorat-cv".into()),
            ("rule_kind".into(), "at_least".into()),
            ("rule_count".into(), "2".into()),
            ("rule_modules".into(), "E2-M1".into()),
            ("rule_modules".into(), "E2-M2".into()),
            ("rule_modules".into(), "E2-M3".into()),
        ]
    };
    let post = |fields: Vec<(String, String)>, image: Option<&'static [u8]>| {
        let cookie = cookie.clone();
        let app = t.app.clone();
        async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(a, b)| (a.as_str(), b.as_str()))
                .collect();
            let form = multipart_with(&pairs, image.map(|bytes| ("image", "badge.svg", bytes)));
            post_form(&app, "/admin/badges", &cookie, form).await
        }
    };

    // Forged: 403, nothing made.
    let (status, _, _) = post(fields("forged", "save"), Some(SVG)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(t.app.badge_classes().await.expect("classes").len(), before);

    // A preview shows the badge as trainers will see it, image included, and saves nothing;
    // the image comes back in the form so that saving after it keeps it.
    let (status, _, page) = post(fields(&token, "preview"), Some(SVG)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("data-preview=\"name\">Tutorat en classe virtuelle</h3>"),
        "{page}"
    );
    assert!(
        page.contains("<img src=\"data:image/svg+xml;base64,"),
        "{page}"
    );
    assert!(
        page.contains("name=\"image_data\" value=\"data:image/svg+xml;base64,"),
        "{page}"
    );
    assert!(page.contains("730 jours"), "{page}");
    assert_eq!(t.app.badge_classes().await.expect("classes").len(), before);

    // Not an image by its bytes, an unknown module, a count too high: every error at once.
    let mut bad = fields(&token, "save");
    bad.retain(|(k, _)| k != "rule_count");
    bad.push(("rule_count".into(), "5".into()));
    bad.push(("rule_modules".into(), "E9-M9".into()));
    let (status, _, page) = post(bad, Some(b"GIF89a not an image")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    for field in [
        "href=\"#image\"",
        "href=\"#rule.modules\"",
        "href=\"#rule.count\"",
    ] {
        assert!(page.contains(field), "{field}: {page}");
    }
    assert_eq!(t.app.badge_classes().await.expect("classes").len(), before);

    // Saved with the image of the preview (no file this time).
    let mut after_preview = fields(&token, "save");
    let image_data = {
        let (_, _, page) = post(fields(&token, "preview"), Some(SVG)).await;
        let start = page.find("name=\"image_data\" value=\"").expect("image") + 25;
        page[start..start + page[start..].find('"').expect("end")].to_string()
    };
    after_preview.push(("image_data".into(), image_data));
    let (status, headers, page) = post(after_preview, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(headers[header::LOCATION]
        .to_str()
        .expect("location")
        .starts_with("/admin/badges"));
    let classes = t.app.badge_classes().await.expect("classes");
    let class = classes
        .iter()
        .find(|c| c.name == "Tutorat en classe virtuelle")
        .expect("made");
    assert_eq!(class.validity_days, Some(730));
    assert_eq!(class.alignments.len(), 2);
    assert_eq!(class.tags, ["tutorat", "classe virtuelle"]);
    assert!(class.image.to_data_uri().starts_with("data:image/svg+xml"));
    let (code, rule) = t.app.badge_class_rule(class.id).await.expect("rule");
    assert_eq!(code.as_deref(), Some("tutorat-cv"));
    assert!(rule.is_some());

    // The rule awards like the catalogue's: Irène completed E2-M1 and E2-M2.
    t.app.drain_evaluations().await.expect("drain");
    let irene = t
        .app
        .store
        .held_badge_classes(
            &insigne::domain::EmailAddress::parse("irene.joliot-curie@ac-versailles.fr")
                .expect("email"),
        )
        .await
        .expect("held");
    assert!(irene.contains(&class.id), "{irene:?}");

    // The edit form shows what is stored; the list names the rule.
    let path = format!("/admin/badges/{}", class.id);
    let (status, _, page) = send(&t.app, Method::GET, &path, Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("value=\"at_least\" checked"), "{page}");
    assert!(page.contains("value=\"E2-M3\" checked"), "{page}");
    assert!(page.contains("value=\"EF:EF1\" checked"), "{page}");
    let (_, _, list) = send(&t.app, Method::GET, "/admin/badges", Some(&cookie), None).await;
    assert!(
        list.contains("Au moins 2 parmi : E2-M1, E2-M2, E2-M3"),
        "{list}"
    );

    let actions: Vec<String> = t
        .app
        .audit_log(None, None)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"badge-classes create".to_string()),
        "{actions:?}"
    );

    // A tutor is kept off.
    t.app
        .add_admin("tuteur@ac-versailles.fr", Role::Tutor)
        .await
        .expect("tutor");
    let tutor = sign_in(&t, "tuteur@ac-versailles.fr").await;
    for path in ["/admin/badges", "/admin/badges/nouveau", path.as_str()] {
        let (status, _, _) = send(&t.app, Method::GET, path, Some(&tutor), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
}

crate::on_both_backends!(editing_a_participation_badge_keeps_its_rule);

/// The form does not edit series and durations: a participation badge's rule, set by the
/// catalogue file, is offered as kept and stays as it was when the rest is saved.
async fn editing_a_participation_badge_keeps_its_rule(backend: Backend) {
    let Some(t) = TestApp::new(backend).await else {
        return;
    };
    t.app
        .load_catalogue(&example("catalogue/ecap.toml"), None)
        .await
        .expect("catalogue");
    t.app.add_admin(ADMIN, Role::Admin).await.expect("admin");
    let cookie = sign_in(&t, ADMIN).await;
    let id = t
        .app
        .store
        .badge_class_id_by_code("jeudis-recherche-auditeur")
        .await
        .expect("lookup")
        .expect("the example's participation badge");
    let before = t.app.badge_class_rule(id).await.expect("rule");
    let path = format!("/admin/badges/{id}");
    let (status, _, page) = send(&t.app, Method::GET, &path, Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("value=\"sessions_attended\" checked"),
        "{page}"
    );
    let class = t.app.badge_class(id).await.expect("class");
    let token = csrf(&page);
    let issuer = class.issuer.to_string();
    // The stored image travels in the form, as a browser sends it back.
    let marker = "name=\"image_data\" value=\"";
    let start = page.find(marker).expect("image kept") + marker.len();
    let image = page[start..start + page[start..].find('"').expect("end")]
        .replace("&#x2F;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let fields = [
        ("image_data", image.as_str()),
        ("csrf", token.as_str()),
        ("action", "save"),
        ("issuer", issuer.as_str()),
        ("name", class.name.as_str()),
        ("description", "Assiste aux Jeudis de la recherche."),
        (
            "criteria_narrative",
            class
                .criteria
                .narrative
                .as_deref()
                .unwrap_or("Trois séances."),
        ),
        ("criteria_url", ""),
        ("tags", ""),
        ("validity_days", ""),
        ("code", "jeudis-recherche-auditeur"),
        ("rule_kind", "sessions_attended"),
    ];
    let (status, _, answer) =
        post_form(&t.app, &path, &cookie, multipart_with(&fields, None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{answer}");
    let after = t.app.badge_class(id).await.expect("class");
    assert_eq!(after.description, "Assiste aux Jeudis de la recherche.");
    assert_eq!(t.app.badge_class_rule(id).await.expect("rule"), before);
}
