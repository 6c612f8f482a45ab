//! Competency frameworks and their competencies, parcours and their modules, in the console:
//! listed, created, edited one at a time (the catalogue file does them all at once). Codes
//! are the entries' keys: chosen at creation, then shown but not changed.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::{from_session, page_response, refused, switch};
use crate::auth::ConsoleAdmin;
use crate::domain::ecap::Modality;
use crate::domain::FieldError;
use crate::http::error::ApiError;
use crate::http::extract::form_entries;
use crate::http::public::pages::private;
use crate::i18n::Lang;
use crate::service::{Actor, AdminSession, EntryFields, EntryKind, Insigne, ServiceError};
use crate::storage::StoredCatalogue;

struct Item {
    code: String,
    name: String,
    details: String,
    edit: String,
}

struct Group {
    code: String,
    title: String,
    edit: String,
    add: String,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "console_entries.html")]
struct ListPage {
    t: Lang,
    switch_url: String,
    title: String,
    intro: String,
    new_url: String,
    new_label: String,
    add_label: String,
    none_label: String,
    items_caption: String,
    empty: String,
    groups: Vec<Group>,
}

struct Choice {
    value: String,
    label: String,
    chosen: bool,
}

/// One field of an entry's form.
struct Field {
    name: &'static str,
    /// `text`, `url`, `number`, `textarea`, `select` or `checkboxes`.
    kind: &'static str,
    label: String,
    value: String,
    required: bool,
    readonly: bool,
    help: Option<String>,
    error: Option<String>,
    options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "console_entry_form.html")]
struct FormPage {
    t: Lang,
    switch_url: String,
    title: String,
    back_url: String,
    back_label: String,
    action: String,
    csrf: String,
    errors: Vec<FieldError>,
    fields: Vec<Field>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct EntryQuery {
    lang: Option<String>,
    parcours: Option<String>,
}

async fn catalogue(app: &Insigne) -> Result<StoredCatalogue, ApiError> {
    Ok(app
        .store
        .load_catalogue()
        .await
        .map_err(ServiceError::from)?)
}

fn list_response(headers: &HeaderMap, page: ListPage) -> Result<Response, ApiError> {
    page_response(headers, page, StatusCode::OK)
}

pub(super) async fn frameworks(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Query(q): Query<EntryQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let c = catalogue(&app).await?;
    let l = t.code();
    let groups = c
        .frameworks
        .iter()
        .map(|f| Group {
            code: f.code.clone(),
            title: f.name.clone(),
            edit: format!("/admin/referentiels/{}?lang={l}", f.code),
            add: format!(
                "/admin/referentiels/{}/competences/nouvelle?lang={l}",
                f.code
            ),
            items: f
                .competencies
                .iter()
                .map(|k| Item {
                    code: k.code.clone(),
                    name: k.name.clone(),
                    details: k.description.clone().unwrap_or_default(),
                    edit: format!(
                        "/admin/referentiels/{}/competences/{}?lang={l}",
                        f.code, k.code
                    ),
                })
                .collect(),
        })
        .collect();
    list_response(
        &headers,
        ListPage {
            t,
            switch_url: switch("/admin/referentiels", t),
            title: t.t("console-frameworks-title"),
            intro: t.t("console-frameworks-intro"),
            new_url: format!("/admin/referentiels/nouveau?lang={l}"),
            new_label: t.t("console-framework-new"),
            add_label: t.t("console-competency-new"),
            none_label: t.t("console-competencies-none"),
            items_caption: t.t("console-competencies"),
            empty: t.t("console-frameworks-none"),
            groups,
        },
    )
}

pub(super) async fn parcours_list(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Query(q): Query<EntryQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let c = catalogue(&app).await?;
    let l = t.code();
    let groups = c
        .parcours
        .iter()
        .map(|p| Group {
            code: p.code.clone(),
            title: p.title.clone(),
            edit: format!("/admin/parcours/{}?lang={l}", p.code),
            add: format!("/admin/modules/nouveau?parcours={}&lang={l}", p.code),
            items: c
                .modules
                .iter()
                .filter(|m| m.parcours == p.code)
                .map(|m| Item {
                    code: m.code.clone(),
                    name: m.title.clone(),
                    details: t.t_with(
                        "console-module-details",
                        &[
                            ("hours", &m.hours.to_string()),
                            (
                                "modality",
                                &t.t(&format!("console-modality-{}", modality_value(m.modality))),
                            ),
                        ],
                    ),
                    edit: format!("/admin/modules/{}?lang={l}", m.code),
                })
                .collect(),
        })
        .collect();
    list_response(
        &headers,
        ListPage {
            t,
            switch_url: switch("/admin/parcours", t),
            title: t.t("console-parcours-title"),
            intro: t.t("console-parcours-intro"),
            new_url: format!("/admin/parcours/nouveau?lang={l}"),
            new_label: t.t("console-parcours-new"),
            add_label: t.t("console-module-new"),
            none_label: t.t("console-modules-none"),
            items_caption: t.t("console-modules"),
            empty: t.t("console-parcours-none"),
            groups,
        },
    )
}

fn modality_value(m: Modality) -> &'static str {
    match m {
        Modality::Presentiel => "presentiel",
        Modality::ClasseVirtuelle => "classe_virtuelle",
        Modality::Distance => "distance",
    }
}

/// Where an entry of `kind` lives in the console, `code` none for a new one.
fn entry_path(kind: &EntryKind, code: Option<&str>) -> String {
    match (kind, code) {
        (EntryKind::Framework, None) => "/admin/referentiels".into(),
        (EntryKind::Framework, Some(c)) => format!("/admin/referentiels/{c}"),
        (EntryKind::Competency { framework }, None) => {
            format!("/admin/referentiels/{framework}/competences")
        }
        (EntryKind::Competency { framework }, Some(c)) => {
            format!("/admin/referentiels/{framework}/competences/{c}")
        }
        (EntryKind::Parcours, None) => "/admin/parcours".into(),
        (EntryKind::Parcours, Some(c)) => format!("/admin/parcours/{c}"),
        (EntryKind::Module, None) => "/admin/modules".into(),
        (EntryKind::Module, Some(c)) => format!("/admin/modules/{c}"),
    }
}

/// The list an entry of `kind` is shown in.
fn list_path(kind: &EntryKind) -> &'static str {
    match kind {
        EntryKind::Framework | EntryKind::Competency { .. } => "/admin/referentiels",
        EntryKind::Parcours | EntryKind::Module => "/admin/parcours",
    }
}

fn kind_key(kind: &EntryKind) -> &'static str {
    match kind {
        EntryKind::Framework => "framework",
        EntryKind::Competency { .. } => "competency",
        EntryKind::Parcours => "parcours",
        EntryKind::Module => "module",
    }
}

/// The stored fields of an entry, for its edit form (`None`: no such entry).
fn stored_fields(c: &StoredCatalogue, kind: &EntryKind, code: &str) -> Option<EntryFields> {
    let text = |o: &Option<String>| o.clone().unwrap_or_default();
    match kind {
        EntryKind::Framework => c
            .frameworks
            .iter()
            .find(|f| f.code == code)
            .map(|f| EntryFields {
                code: f.code.clone(),
                name: f.name.clone(),
                description: text(&f.description),
                url: text(&f.url),
                ..EntryFields::default()
            }),
        EntryKind::Competency { framework } => c
            .frameworks
            .iter()
            .find(|f| &f.code == framework)
            .and_then(|f| f.competencies.iter().find(|k| k.code == code))
            .map(|k| EntryFields {
                code: k.code.clone(),
                name: k.name.clone(),
                description: text(&k.description),
                url: text(&k.url),
                ..EntryFields::default()
            }),
        EntryKind::Parcours => c
            .parcours
            .iter()
            .find(|p| p.code == code)
            .map(|p| EntryFields {
                code: p.code.clone(),
                name: p.title.clone(),
                description: text(&p.description),
                moodle_course_id: p
                    .moodle_course_id
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                ..EntryFields::default()
            }),
        EntryKind::Module => c
            .modules
            .iter()
            .find(|m| m.code == code)
            .map(|m| EntryFields {
                code: m.code.clone(),
                name: m.title.clone(),
                parcours: m.parcours.clone(),
                hours: m.hours.to_string(),
                modality: modality_value(m.modality).into(),
                lms_ids: m.lms_ids.join("\n"),
                cmid: m.cmid.map(|n| n.to_string()).unwrap_or_default(),
                competencies: m
                    .competencies
                    .iter()
                    .map(|r| format!("{}:{}", r.framework, r.code))
                    .collect(),
                ..EntryFields::default()
            }),
    }
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    t: Lang,
    session: &AdminSession,
    c: &StoredCatalogue,
    kind: &EntryKind,
    editing: Option<&str>,
    v: &EntryFields,
    errors: Vec<FieldError>,
) -> FormPage {
    let error = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.problem.clone())
    };
    let field = |name: &'static str, kind: &'static str, label: &str, value: &str| Field {
        name,
        kind,
        label: t.t(label),
        value: value.to_string(),
        required: false,
        readonly: false,
        help: None,
        error: error(name),
        options: Vec::new(),
    };
    let mut fields = vec![Field {
        required: true,
        readonly: editing.is_some(),
        help: Some(t.t(if editing.is_some() {
            "console-entry-code-kept"
        } else {
            "console-entry-code-help"
        })),
        ..field("code", "text", "console-code", &v.code)
    }];
    let name_label = match kind {
        EntryKind::Parcours | EntryKind::Module => "console-entry-title",
        _ => "console-field-name",
    };
    fields.push(Field {
        required: true,
        ..field("name", "text", name_label, &v.name)
    });
    match kind {
        EntryKind::Module => {
            fields.push(Field {
                required: true,
                options: c
                    .parcours
                    .iter()
                    .map(|p| Choice {
                        value: p.code.clone(),
                        label: format!("{} — {}", p.code, p.title),
                        chosen: p.code == v.parcours,
                    })
                    .collect(),
                ..field("parcours", "select", "console-entry-parcours", "")
            });
            fields.push(Field {
                required: true,
                ..field("hours", "number", "console-entry-hours", &v.hours)
            });
            fields.push(Field {
                required: true,
                options: ["presentiel", "classe_virtuelle", "distance"]
                    .iter()
                    .map(|m| Choice {
                        value: m.to_string(),
                        label: t.t(&format!("console-modality-{m}")),
                        chosen: v.modality == *m,
                    })
                    .collect(),
                ..field("modality", "select", "console-entry-modality", "")
            });
            fields.push(Field {
                help: Some(t.t("console-entry-lms-ids-help")),
                ..field("lms_ids", "textarea", "console-entry-lms-ids", &v.lms_ids)
            });
            fields.push(Field {
                help: Some(t.t("console-entry-cmid-help")),
                ..field("cmid", "number", "console-entry-cmid", &v.cmid)
            });
            fields.push(Field {
                options: c
                    .frameworks
                    .iter()
                    .flat_map(|f| {
                        f.competencies.iter().map(move |k| {
                            let value = format!("{}:{}", f.code, k.code);
                            Choice {
                                chosen: v.competencies.contains(&value),
                                label: format!("{} {} — {}", f.code, k.code, k.name),
                                value,
                            }
                        })
                    })
                    .collect(),
                ..field(
                    "competencies",
                    "checkboxes",
                    "console-entry-competencies",
                    "",
                )
            });
        }
        _ => {
            fields.push(field(
                "description",
                "textarea",
                "console-field-description",
                &v.description,
            ));
            match kind {
                EntryKind::Parcours => fields.push(Field {
                    help: Some(t.t("console-entry-course-help")),
                    ..field(
                        "moodle_course_id",
                        "number",
                        "console-entry-course",
                        &v.moodle_course_id,
                    )
                }),
                _ => fields.push(field("url", "url", "console-entry-url", &v.url)),
            }
        }
    }
    let key = kind_key(kind);
    let title = match editing {
        Some(code) => t.t_with(&format!("console-{key}-edit"), &[("code", code)]),
        None => t.t(&format!("console-{key}-new")),
    };
    let path = entry_path(kind, editing);
    let form_path = match editing {
        Some(_) => path.clone(),
        None => match kind {
            EntryKind::Competency { framework } => {
                format!("/admin/referentiels/{framework}/competences/nouvelle")
            }
            _ => format!("{path}/nouveau"),
        },
    };
    FormPage {
        t,
        switch_url: switch(&form_path, t),
        title,
        back_url: format!("{}?lang={}", list_path(kind), t.code()),
        back_label: t.t(match kind {
            EntryKind::Framework | EntryKind::Competency { .. } => "console-frameworks-title",
            _ => "console-parcours-title",
        }),
        action: format!("{path}?lang={}", t.code()),
        csrf: session.csrf.clone(),
        errors,
        fields,
    }
}

async fn show_form(
    app: &Insigne,
    session: &AdminSession,
    kind: EntryKind,
    editing: Option<String>,
    q: &EntryQuery,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), headers);
    let c = catalogue(app).await?;
    if let EntryKind::Competency { framework } = &kind {
        if !c.frameworks.iter().any(|f| &f.code == framework) {
            return Err(ServiceError::not_found("framework", framework).into());
        }
    }
    let values = match &editing {
        Some(code) => stored_fields(&c, &kind, code)
            .ok_or_else(|| ServiceError::not_found("catalogue entry", code))?,
        None => EntryFields {
            parcours: q.parcours.clone().unwrap_or_default(),
            ..EntryFields::default()
        },
    };
    let page = form_page(
        t,
        session,
        &c,
        &kind,
        editing.as_deref(),
        &values,
        Vec::new(),
    );
    page_response(headers, page, StatusCode::OK)
}

async fn save(
    app: &Insigne,
    session: &AdminSession,
    kind: EntryKind,
    editing: Option<String>,
    q: &EntryQuery,
    headers: &HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), headers);
    let entries = form_entries(form).await?;
    let text = |name: &str| {
        entries
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .unwrap_or_default()
    };
    if !from_session(session, Some(text("csrf")).as_deref()) {
        return Ok(refused(headers));
    }
    let fields = EntryFields {
        code: editing.clone().unwrap_or_else(|| text("code")),
        name: text("name"),
        description: text("description"),
        url: text("url"),
        moodle_course_id: text("moodle_course_id"),
        parcours: text("parcours"),
        hours: text("hours"),
        modality: text("modality"),
        lms_ids: text("lms_ids"),
        cmid: text("cmid"),
        competencies: entries
            .iter()
            .filter(|(n, _)| n == "competencies")
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect(),
    };
    match app
        .save_catalogue_entry(&kind, editing.as_deref(), &fields)
        .await
    {
        Ok((_, marked)) => {
            let key = kind_key(&kind);
            let action = format!(
                "catalogue {key} {}",
                if editing.is_some() {
                    "update"
                } else {
                    "create"
                }
            );
            let target = match &kind {
                EntryKind::Competency { framework } => format!("{framework}:{}", fields.code),
                _ => fields.code.clone(),
            };
            let detail = (marked > 0).then(|| format!("{marked} learners to evaluate"));
            app.audit(
                &Actor::Console(session.email.clone()),
                &action,
                Some(&target),
                detail.as_deref(),
            )
            .await?;
            Ok(private(
                Redirect::to(&format!("{}?lang={}", list_path(&kind), t.code())).into_response(),
            ))
        }
        Err(ServiceError::Invalid(invalid)) => {
            let c = catalogue(app).await?;
            let page = form_page(
                t,
                session,
                &c,
                &kind,
                editing.as_deref(),
                &fields,
                invalid.0,
            );
            page_response(headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn competency_new(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(framework): Path<String>,
    Query(q): Query<EntryQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let kind = EntryKind::Competency { framework };
    show_form(&app, &session, kind, None, &q, &headers).await
}

pub(super) async fn competency_edit(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path((framework, code)): Path<(String, String)>,
    Query(q): Query<EntryQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let kind = EntryKind::Competency { framework };
    show_form(&app, &session, kind, Some(code), &q, &headers).await
}

pub(super) async fn competency_create(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(framework): Path<String>,
    Query(q): Query<EntryQuery>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let kind = EntryKind::Competency { framework };
    save(&app, &session, kind, None, &q, &headers, form).await
}

pub(super) async fn competency_update(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path((framework, code)): Path<(String, String)>,
    Query(q): Query<EntryQuery>,
    headers: HeaderMap,
    form: Multipart,
) -> Result<Response, ApiError> {
    let kind = EntryKind::Competency { framework };
    save(&app, &session, kind, Some(code), &q, &headers, form).await
}

/// The four handlers of an entry kind addressed by its code alone: new and edit forms,
/// create and update.
macro_rules! entry_handlers {
    ($kind:expr, $new:ident, $edit:ident, $create:ident, $update:ident) => {
        pub(super) async fn $new(
            State(app): State<Insigne>,
            ConsoleAdmin(session): ConsoleAdmin,
            Query(q): Query<EntryQuery>,
            headers: HeaderMap,
        ) -> Result<Response, ApiError> {
            show_form(&app, &session, $kind, None, &q, &headers).await
        }

        pub(super) async fn $edit(
            State(app): State<Insigne>,
            ConsoleAdmin(session): ConsoleAdmin,
            Path(code): Path<String>,
            Query(q): Query<EntryQuery>,
            headers: HeaderMap,
        ) -> Result<Response, ApiError> {
            show_form(&app, &session, $kind, Some(code), &q, &headers).await
        }

        pub(super) async fn $create(
            State(app): State<Insigne>,
            ConsoleAdmin(session): ConsoleAdmin,
            Query(q): Query<EntryQuery>,
            headers: HeaderMap,
            form: Multipart,
        ) -> Result<Response, ApiError> {
            save(&app, &session, $kind, None, &q, &headers, form).await
        }

        pub(super) async fn $update(
            State(app): State<Insigne>,
            ConsoleAdmin(session): ConsoleAdmin,
            Path(code): Path<String>,
            Query(q): Query<EntryQuery>,
            headers: HeaderMap,
            form: Multipart,
        ) -> Result<Response, ApiError> {
            save(&app, &session, $kind, Some(code), &q, &headers, form).await
        }
    };
}

entry_handlers!(
    EntryKind::Framework,
    framework_new,
    framework_edit,
    framework_create,
    framework_update
);
entry_handlers!(
    EntryKind::Parcours,
    parcours_new,
    parcours_edit,
    parcours_create,
    parcours_update
);
entry_handlers!(
    EntryKind::Module,
    module_new,
    module_edit,
    module_create,
    module_update
);
