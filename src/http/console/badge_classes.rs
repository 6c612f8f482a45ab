//! Badge classes in the console: list, create, edit — image upload (checked by its bytes),
//! criteria, alignments to the catalogue's competencies, the award rule and the validity
//! period — with a preview of the badge as trainers will see it, shown before saving (and
//! kept up to date as one types, where JavaScript runs).

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};

use super::{from_session, page_response, refused, switch, uploaded_image};
use crate::auth::ConsoleAdmin;
use crate::domain::ecap::AwardRule;
use crate::domain::{BadgeClassId, FieldError};
use crate::http::error::ApiError;
use crate::http::extract::form_entries;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::service::inputs::{AlignmentInput, BadgeClassInput, CriteriaInput};
use crate::service::{Actor, AdminSession, Insigne, RuleChoice, ServiceError};

struct Row {
    name: String,
    issuer: String,
    rule: String,
    validity: String,
    edit: String,
}

#[derive(Template)]
#[template(path = "console_badge_classes.html")]
struct ListPage {
    t: Lang,
    switch_url: String,
    rows: Vec<Row>,
}

/// A choice of a list (a select option or a checkbox).
struct Choice {
    value: String,
    label: String,
    chosen: bool,
}

/// What the form shows: the values as entered (or stored) and the lists to choose from.
#[derive(Default)]
struct Values {
    issuer: String,
    name: String,
    description: String,
    /// The image as a data URI: the stored one, or the one uploaded with a preview.
    image: Option<String>,
    criteria_narrative: String,
    criteria_url: String,
    /// `FRAMEWORK:CODE` of the aligned competencies.
    alignments: Vec<String>,
    tags: String,
    validity_days: String,
    code: String,
    rule_kind: String,
    rule_parcours: String,
    rule_modules: Vec<String>,
    rule_count: String,
    rule_competencies: Vec<String>,
    rule_badges: Vec<String>,
}

#[derive(Template)]
#[template(path = "console_badge_class_form.html")]
struct FormPage {
    t: Lang,
    switch_url: String,
    title: String,
    action: String,
    csrf: String,
    values: Values,
    errors: Vec<FieldError>,
    issuers: Vec<Choice>,
    competencies: Vec<Choice>,
    rule_kinds: Vec<Choice>,
    parcours: Vec<Choice>,
    modules: Vec<Choice>,
    rule_competencies: Vec<Choice>,
    badges: Vec<Choice>,
    preview: Preview,
}

/// The badge as trainers will see it.
struct Preview {
    image: Option<String>,
    name: String,
    description: String,
    issuer: String,
    criteria: String,
    competencies: Vec<String>,
    validity: String,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field || e.field.starts_with(&format!("{field}.")))
            .map(|e| e.problem.as_str())
    }
}

fn validity(t: Lang, days: Option<i64>) -> String {
    match days {
        Some(d) => t.t_count("console-validity-days", "count", d),
        None => t.t("console-validity-none"),
    }
}

fn rule_text(t: Lang, rule: Option<&AwardRule>) -> String {
    match rule {
        None => t.t("console-rule-none"),
        Some(AwardRule::AllModules { modules }) => t.t_with(
            "console-rule-all-modules-text",
            &[("list", &modules.join(", "))],
        ),
        Some(AwardRule::AtLeast { count, modules }) => t.t_with(
            "console-rule-at-least-text",
            &[("count", &count.to_string()), ("list", &modules.join(", "))],
        ),
        Some(AwardRule::AllCompetencies { competencies }) => {
            let list: Vec<String> = competencies
                .iter()
                .map(|c| format!("{}:{}", c.framework, c.code))
                .collect();
            t.t_with(
                "console-rule-all-competencies-text",
                &[("list", &list.join(", "))],
            )
        }
        Some(AwardRule::AllBadges { badges }) => t.t_with(
            "console-rule-all-badges-text",
            &[("list", &badges.join(", "))],
        ),
        Some(AwardRule::SessionsAttended {
            count,
            series,
            min_minutes,
        }) => t.t_with(
            "console-rule-sessions-attended-text",
            &[
                ("count", &count.to_string()),
                ("series", series),
                ("minutes", &min_minutes.to_string()),
            ],
        ),
        Some(AwardRule::Review { grid, parcours, .. }) => t.t_with(
            "console-rule-review-text",
            &[
                ("grid", grid),
                ("parcours", parcours.as_deref().unwrap_or("—")),
            ],
        ),
    }
}

pub(super) async fn list(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let issuers = app.issuers().await?;
    let mut rows = Vec::new();
    for class in app.badge_classes().await? {
        let (_, rule) = app.badge_class_rule(class.id).await?;
        rows.push(Row {
            edit: format!("/admin/badges/{}?lang={}", class.id, t.code()),
            issuer: issuers
                .iter()
                .find(|i| i.id == class.issuer)
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            rule: rule_text(t, rule.as_ref()),
            validity: validity(t, class.validity_days),
            name: class.name,
        });
    }
    let page = ListPage {
        t,
        switch_url: switch("/admin/badges", t),
        rows,
    };
    page_response(&headers, page, StatusCode::OK)
}

/// The form's lists, with what `values` chose, and the preview of `values`.
async fn form_page(
    app: &Insigne,
    t: Lang,
    session: &AdminSession,
    id: Option<BadgeClassId>,
    values: Values,
    errors: Vec<FieldError>,
) -> Result<FormPage, ApiError> {
    let stored = app
        .store
        .load_catalogue()
        .await
        .map_err(ServiceError::from)?;
    let issuers = app.issuers().await?;
    let choice = |value: String, label: String, chosen: bool| Choice {
        value,
        label,
        chosen,
    };
    let competency_choices = |chosen: &[String]| {
        stored
            .frameworks
            .iter()
            .flat_map(|f| {
                f.competencies.iter().map(move |c| {
                    let value = format!("{}:{}", f.code, c.code);
                    (value, format!("{} {} — {}", f.code, c.code, c.name))
                })
            })
            .map(|(value, label)| {
                let chosen = chosen.contains(&value);
                choice(value, label, chosen)
            })
            .collect::<Vec<_>>()
    };
    let aligned: Vec<String> = stored
        .frameworks
        .iter()
        .flat_map(|f| {
            f.competencies
                .iter()
                .filter(|c| {
                    values
                        .alignments
                        .contains(&format!("{}:{}", f.code, c.code))
                })
                .map(|c| format!("{} — {}", c.code, c.name))
        })
        .collect();
    let issuer_name = issuers
        .iter()
        .find(|i| i.id.to_string() == values.issuer)
        .map(|i| i.name.clone())
        .unwrap_or_default();
    let mut kinds = vec![
        "none",
        "parcours",
        "all_modules",
        "at_least",
        "all_competencies",
        "all_badges",
    ];
    // A participation rule comes from the catalogue file: the form offers to keep it.
    if values.rule_kind == "sessions_attended" {
        kinds.insert(1, "sessions_attended");
    }
    // So does a review rule (badges on request).
    if values.rule_kind == "review" {
        kinds.insert(1, "review");
    }
    let own_code = values.code.clone();
    let page = FormPage {
        t,
        switch_url: switch(
            &match id {
                Some(id) => format!("/admin/badges/{id}"),
                None => "/admin/badges/nouveau".into(),
            },
            t,
        ),
        title: match id {
            Some(_) => t.t_with("console-badge-edit", &[("badge", &values.name)]),
            None => t.t("console-badge-new"),
        },
        action: match id {
            Some(id) => format!("/admin/badges/{id}?lang={}", t.code()),
            None => format!("/admin/badges?lang={}", t.code()),
        },
        csrf: session.csrf.clone(),
        issuers: issuers
            .iter()
            .map(|i| {
                let value = i.id.to_string();
                let chosen = value == values.issuer;
                choice(value, i.name.clone(), chosen)
            })
            .collect(),
        competencies: competency_choices(&values.alignments),
        rule_kinds: kinds
            .iter()
            .map(|k| {
                let chosen =
                    values.rule_kind == *k || (values.rule_kind.is_empty() && *k == "none");
                choice(k.to_string(), t.t(&format!("console-rule-{k}")), chosen)
            })
            .collect(),
        parcours: stored
            .parcours
            .iter()
            .map(|p| {
                let chosen = p.code == values.rule_parcours;
                choice(p.code.clone(), format!("{} — {}", p.code, p.title), chosen)
            })
            .collect(),
        modules: stored
            .modules
            .iter()
            .map(|m| {
                let chosen = values.rule_modules.contains(&m.code);
                choice(m.code.clone(), format!("{} — {}", m.code, m.title), chosen)
            })
            .collect(),
        rule_competencies: competency_choices(&values.rule_competencies),
        badges: stored
            .badges
            .iter()
            .filter(|b| b.code != own_code)
            .map(|b| {
                let chosen = values.rule_badges.contains(&b.code);
                choice(b.code.clone(), format!("{} — {}", b.code, b.name), chosen)
            })
            .collect(),
        preview: Preview {
            image: values.image.clone(),
            name: values.name.clone(),
            description: values.description.clone(),
            issuer: issuer_name,
            criteria: values.criteria_narrative.clone(),
            competencies: aligned,
            validity: validity(t, values.validity_days.trim().parse().ok()),
        },
        values,
        errors,
    };
    Ok(page)
}

pub(super) async fn new_form(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let values = Values {
        issuer: app
            .issuers()
            .await?
            .first()
            .map(|i| i.id.to_string())
            .unwrap_or_default(),
        ..Values::default()
    };
    let page = form_page(&app, t, &session, None, values, Vec::new()).await?;
    page_response(&headers, page, StatusCode::OK)
}

fn parse_id(raw: &str) -> Result<BadgeClassId, ApiError> {
    raw.parse()
        .map_err(|_| ApiError::NotFound(format!("no badge class with id {raw}")))
}

pub(super) async fn edit_form(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id = parse_id(&raw)?;
    let class = app.badge_class(id).await?;
    let (code, rule) = app.badge_class_rule(id).await?;
    let stored = app
        .store
        .load_catalogue()
        .await
        .map_err(ServiceError::from)?;
    // Alignments are shown as the catalogue's competencies they name.
    let alignments = stored
        .frameworks
        .iter()
        .flat_map(|f| {
            f.competencies
                .iter()
                .filter(|c| {
                    class
                        .alignments
                        .iter()
                        .any(|a| a.code == c.code && a.framework == f.name)
                })
                .map(|c| format!("{}:{}", f.code, c.code))
        })
        .collect();
    let mut values = Values {
        issuer: class.issuer.to_string(),
        name: class.name.clone(),
        description: class.description.clone(),
        image: Some(class.image.to_data_uri()),
        criteria_narrative: class.criteria.narrative.clone().unwrap_or_default(),
        criteria_url: class.criteria.url.clone().unwrap_or_default(),
        alignments,
        tags: class.tags.join(", "),
        validity_days: class
            .validity_days
            .map(|d| d.to_string())
            .unwrap_or_default(),
        code: code.unwrap_or_default(),
        rule_kind: "none".into(),
        ..Values::default()
    };
    match rule {
        None => {}
        Some(AwardRule::AllModules { modules }) => {
            // A parcours rule is all the modules of one parcours: shown as such.
            let parcours: Vec<&str> = stored
                .parcours
                .iter()
                .map(|p| p.code.as_str())
                .filter(|p| {
                    let of: Vec<&String> = stored
                        .modules
                        .iter()
                        .filter(|m| m.parcours == *p)
                        .map(|m| &m.code)
                        .collect();
                    !of.is_empty()
                        && of.len() == modules.len()
                        && of.iter().all(|m| modules.contains(m))
                })
                .collect();
            match parcours.first() {
                Some(p) => {
                    values.rule_kind = "parcours".into();
                    values.rule_parcours = p.to_string();
                }
                None => values.rule_kind = "all_modules".into(),
            }
            values.rule_modules = modules;
        }
        Some(AwardRule::AtLeast { count, modules }) => {
            values.rule_kind = "at_least".into();
            values.rule_count = count.to_string();
            values.rule_modules = modules;
        }
        Some(AwardRule::AllCompetencies { competencies }) => {
            values.rule_kind = "all_competencies".into();
            values.rule_competencies = competencies
                .iter()
                .map(|c| format!("{}:{}", c.framework, c.code))
                .collect();
        }
        Some(AwardRule::AllBadges { badges }) => {
            values.rule_kind = "all_badges".into();
            values.rule_badges = badges;
        }
        // Participation rules are set by the catalogue file; the form keeps them as they are.
        Some(AwardRule::SessionsAttended { .. }) => {
            values.rule_kind = "sessions_attended".into();
        }
        Some(AwardRule::Review { .. }) => {
            values.rule_kind = "review".into();
        }
    }
    let page = form_page(&app, t, &session, Some(id), values, Vec::new()).await?;
    page_response(&headers, page, StatusCode::OK)
}

/// The posted form: its values, whether it asks for a preview, and its CSRF token.
struct Posted {
    csrf: Option<String>,
    preview: bool,
    values: Values,
}

async fn posted(form: Multipart) -> Result<Posted, ApiError> {
    let entries = form_entries(form).await?;
    let text = |name: &str| {
        entries
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    };
    let all = |name: &str| {
        entries
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
    };
    let uploaded = entries
        .iter()
        .find(|(n, v)| n == "image" && !v.is_empty())
        .map(|(_, bytes)| uploaded_image(bytes));
    // After a preview, the image uploaded with it comes back as a data URI.
    let image = uploaded.or_else(|| {
        Some(text("image_data"))
            .map(|s| s.trim().to_string())
            .filter(|s| s.starts_with("data:image/"))
    });
    let values = Values {
        issuer: text("issuer"),
        name: text("name"),
        description: text("description"),
        image,
        criteria_narrative: text("criteria_narrative"),
        criteria_url: text("criteria_url"),
        alignments: all("alignments"),
        tags: text("tags"),
        validity_days: text("validity_days"),
        code: text("code"),
        rule_kind: text("rule_kind"),
        rule_parcours: text("rule_parcours"),
        rule_modules: all("rule_modules"),
        rule_count: text("rule_count"),
        rule_competencies: all("rule_competencies"),
        rule_badges: all("rule_badges"),
    };
    Ok(Posted {
        csrf: Some(text("csrf")).filter(|s| !s.is_empty()),
        preview: text("action") == "preview",
        values,
    })
}

/// The service's input from the form: alignments resolved against the catalogue.
async fn input(app: &Insigne, v: &Values) -> Result<(BadgeClassInput, Vec<FieldError>), ApiError> {
    let stored = app
        .store
        .load_catalogue()
        .await
        .map_err(ServiceError::from)?;
    let mut errors = Vec::new();
    let mut alignments = Vec::new();
    for chosen in &v.alignments {
        let found = stored.frameworks.iter().find_map(|f| {
            f.competencies
                .iter()
                .find(|c| format!("{}:{}", f.code, c.code) == *chosen)
                .map(|c| (f, c))
        });
        match found {
            Some((f, c)) => alignments.push(AlignmentInput {
                framework: Some(f.name.clone()),
                code: Some(c.code.clone()),
                name: Some(c.name.clone()),
                url: c.url.clone().or_else(|| f.url.clone()),
            }),
            None => errors.push(FieldError::new(
                "alignments",
                format!("no competency {chosen:?}"),
            )),
        }
    }
    let validity_days = match v.validity_days.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(days) => Some(days),
            Err(_) => {
                errors.push(FieldError::new(
                    "validity_days",
                    "must be a whole number of days",
                ));
                None
            }
        },
    };
    let tags = v
        .tags
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    let some = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let input = BadgeClassInput {
        issuer: some(&v.issuer),
        name: Some(v.name.clone()),
        description: Some(v.description.clone()),
        image: v.image.clone(),
        criteria: Some(CriteriaInput {
            narrative: some(&v.criteria_narrative),
            url: some(&v.criteria_url),
        }),
        alignments: Some(alignments),
        tags: Some(tags),
        validity_days,
    };
    Ok((input, errors))
}

fn rule_choice(v: &Values, errors: &mut Vec<FieldError>) -> Option<RuleChoice> {
    if v.rule_kind.is_empty() || v.rule_kind == "none" {
        return None;
    }
    let count = match v.rule_count.trim() {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new("rule.count", "must be a whole number"));
                None
            }
        },
    };
    Some(RuleChoice {
        code: v.code.clone(),
        kind: v.rule_kind.clone(),
        parcours: Some(v.rule_parcours.clone()).filter(|p| !p.is_empty()),
        modules: v.rule_modules.clone(),
        count,
        competencies: v.rule_competencies.clone(),
        badges: v.rule_badges.clone(),
    })
}

async fn save(
    app: &Insigne,
    session: &AdminSession,
    id: Option<BadgeClassId>,
    form: Multipart,
    t: Lang,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let Posted {
        csrf,
        preview,
        values,
    } = posted(form).await?;
    if !from_session(session, csrf.as_deref()) {
        return Ok(refused(headers));
    }
    if preview {
        let page = form_page(app, t, session, id, values, Vec::new()).await?;
        return page_response(headers, page, StatusCode::OK);
    }
    let (input, mut errors) = input(app, &values).await?;
    let rule = rule_choice(&values, &mut errors);
    let outcome = if errors.is_empty() {
        app.save_badge_class_with_rule(id, &input, rule.as_ref())
            .await
    } else {
        Err(ServiceError::Invalid(crate::domain::Invalid(errors)))
    };
    match outcome {
        Ok((class, marked)) => {
            let action = if id.is_some() {
                "badge-classes update"
            } else {
                "badge-classes create"
            };
            let detail = rule.map(|r| format!("rule {} ({marked} learners to evaluate)", r.kind));
            app.audit(
                &Actor::Console(session.email.clone()),
                action,
                Some(&class.id.to_string()),
                detail.as_deref(),
            )
            .await?;
            Ok(private(
                Redirect::to(&format!("/admin/badges?lang={}", t.code())).into_response(),
            ))
        }
        Err(ServiceError::Invalid(invalid)) => {
            let page = form_page(app, t, session, id, values, invalid.0).await?;
            page_response(headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn create(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    save(&app, &session, None, form, t, &headers).await
}

pub(super) async fn update(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id = parse_id(&raw)?;
    app.badge_class(id).await?;
    save(&app, &session, Some(id), form, t, &headers).await
}
