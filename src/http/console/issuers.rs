//! Issuers in the console: list, create, edit (with an uploaded image, checked by its bytes).
//! Each change goes through the service like the API's, and to the audit log.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;

use super::{from_session, page_response, refused, switch};
use crate::auth::ConsoleAdmin;
use crate::domain::{FieldError, IssuerId};
use crate::http::error::ApiError;
use crate::http::extract::form_fields;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::service::inputs::IssuerInput;
use crate::service::{Actor, Insigne, ServiceError};

struct Row {
    name: String,
    url: String,
    email: String,
    edit: String,
}

#[derive(Template)]
#[template(path = "console_issuers.html")]
struct ListPage {
    t: Lang,
    switch_url: String,
    rows: Vec<Row>,
}

/// What the form shows: the values (as entered, after a refusal) and the errors by field.
#[derive(Default)]
struct Values {
    name: String,
    url: String,
    email: String,
    description: String,
}

#[derive(Template)]
#[template(path = "console_issuer_form.html")]
struct FormPage {
    t: Lang,
    switch_url: String,
    title: String,
    action: String,
    csrf: String,
    values: Values,
    errors: Vec<FieldError>,
    has_image: bool,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.problem.as_str())
    }
}

pub(super) async fn list(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let rows = app
        .issuers()
        .await?
        .into_iter()
        .map(|i| Row {
            edit: format!("/admin/emetteurs/{}?lang={}", i.id, t.code()),
            name: i.name,
            url: i.url,
            email: i.email.to_string(),
        })
        .collect();
    let page = ListPage {
        t,
        switch_url: switch("/admin/emetteurs", t),
        rows,
    };
    page_response(&headers, page, StatusCode::OK)
}

pub(super) async fn new_form(
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let page = FormPage {
        t,
        switch_url: switch("/admin/emetteurs/nouveau", t),
        title: t.t("console-issuer-new"),
        action: format!("/admin/emetteurs?lang={}", t.code()),
        csrf: session.csrf,
        values: Values::default(),
        errors: Vec::new(),
        has_image: false,
    };
    page_response(&headers, page, StatusCode::OK)
}

pub(super) async fn edit_form(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(raw): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let id: IssuerId = raw
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no issuer with id {raw}")))?;
    let issuer = app.issuer(id).await?;
    let page = FormPage {
        t,
        switch_url: switch(&format!("/admin/emetteurs/{id}"), t),
        title: t.t_with("console-issuer-edit", &[("issuer", &issuer.name)]),
        action: format!("/admin/emetteurs/{id}?lang={}", t.code()),
        csrf: session.csrf,
        has_image: issuer.image.is_some(),
        values: Values {
            name: issuer.name,
            url: issuer.url,
            email: issuer.email.to_string(),
            description: issuer.description.unwrap_or_default(),
        },
        errors: Vec::new(),
    };
    page_response(&headers, page, StatusCode::OK)
}

/// The posted form: its fields, the image as a data URI when a file was sent.
struct Posted {
    csrf: Option<String>,
    input: IssuerInput,
    values: Values,
}

async fn posted(form: Multipart) -> Result<Posted, ApiError> {
    let mut fields = form_fields(form).await?;
    let mut text = |name: &str| {
        fields
            .remove(name)
            .map(|v| String::from_utf8_lossy(&v).into_owned())
    };
    let values = Values {
        name: text("name").unwrap_or_default(),
        url: text("url").unwrap_or_default(),
        email: text("email").unwrap_or_default(),
        description: text("description").unwrap_or_default(),
    };
    let csrf = text("csrf");
    let image = fields
        .remove("image")
        .filter(|bytes| !bytes.is_empty())
        .map(|bytes| {
            // The bytes decide what the image is (Image::from_data_uri checks them).
            let mime = if bytes.starts_with(b"\x89PNG") {
                "image/png"
            } else {
                "image/svg+xml"
            };
            format!(
                "data:{mime};base64,{}",
                base64::engine::general_purpose::STANDARD.encode(&bytes)
            )
        });
    let input = IssuerInput {
        name: Some(values.name.clone()),
        url: Some(values.url.clone()),
        email: Some(values.email.clone()),
        description: Some(values.description.clone()),
        image,
    };
    Ok(Posted {
        csrf,
        input,
        values,
    })
}

/// Creates (`id` none) or updates an issuer from the posted form.
async fn save(
    app: &Insigne,
    session: &crate::service::AdminSession,
    id: Option<IssuerId>,
    form: Multipart,
    t: Lang,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let posted = posted(form).await?;
    if !from_session(session, posted.csrf.as_deref()) {
        return Ok(refused(headers));
    }
    let keep_image = posted.input.image.is_none();
    let outcome = match id {
        None => app.create_issuer(&posted.input).await,
        Some(id) => {
            let mut input = posted.input.clone();
            if keep_image {
                // No file chosen: the issuer keeps the image it has.
                let current = app.issuer(id).await?;
                input.image = current.image.map(|i| i.to_data_uri());
            }
            app.update_issuer(id, &input).await
        }
    };
    match outcome {
        Ok(issuer) => {
            let actor = Actor::Console(session.email.clone());
            let action = if id.is_some() {
                "issuers update"
            } else {
                "issuers create"
            };
            app.audit(&actor, action, Some(&issuer.id.to_string()), None)
                .await?;
            Ok(private(
                Redirect::to(&format!("/admin/emetteurs?lang={}", t.code())).into_response(),
            ))
        }
        Err(ServiceError::Invalid(invalid)) => {
            let (title, action, switch_path) = match id {
                None => (
                    t.t("console-issuer-new"),
                    format!("/admin/emetteurs?lang={}", t.code()),
                    "/admin/emetteurs/nouveau".to_string(),
                ),
                Some(id) => (
                    t.t_with("console-issuer-edit", &[("issuer", &posted.values.name)]),
                    format!("/admin/emetteurs/{id}?lang={}", t.code()),
                    format!("/admin/emetteurs/{id}"),
                ),
            };
            let page = FormPage {
                t,
                switch_url: switch(&switch_path, t),
                title,
                action,
                csrf: session.csrf.clone(),
                values: posted.values,
                errors: invalid.0,
                has_image: false,
            };
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
    let id: IssuerId = raw
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no issuer with id {raw}")))?;
    save(&app, &session, Some(id), form, t, &headers).await
}
