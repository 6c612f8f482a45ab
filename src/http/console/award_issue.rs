//! Issuing a badge by hand in the console, like `POST /api/v1/awards`: a badge class, the
//! recipient's address and name; errors said next to their fields.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::awards::{award_path, class_choices, class_names, field_error, given, Choice};
use super::page_response;
use super::{from_session, refused, switch};
use crate::auth::ConsoleAdmin;
use crate::domain::FieldError;
use crate::http::error::ApiError;
use crate::http::public::pages::{private, LangQuery};
use crate::i18n::Lang;
use crate::service::inputs::{AwardInput, RecipientInput};
use crate::service::{Actor, AdminSession, Insigne, ServiceError};

/// What the issue form shows: the values as entered, and the errors by field.
#[derive(Default)]
struct Values {
    badge_class: String,
    email: String,
    name: String,
}

#[derive(Template)]
#[template(path = "console_award_form.html")]
struct IssuePage {
    t: Lang,
    switch_url: String,
    action: String,
    csrf: String,
    classes: Vec<Choice>,
    values: Values,
    errors: Vec<FieldError>,
}

impl IssuePage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

async fn issue_page(
    app: &Insigne,
    session: &AdminSession,
    t: Lang,
    values: Values,
    errors: Vec<FieldError>,
) -> Result<IssuePage, ApiError> {
    let names = class_names(app).await?;
    Ok(IssuePage {
        t,
        switch_url: switch("/admin/badges-delivres/nouveau", t),
        action: format!("/admin/badges-delivres?lang={}", t.code()),
        csrf: session.csrf.clone(),
        classes: class_choices(&names, &values.badge_class),
        values,
        errors,
    })
}

pub(super) async fn new_form(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let page = issue_page(&app, &session, t, Values::default(), Vec::new()).await?;
    page_response(&headers, page, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(super) struct IssueForm {
    csrf: Option<String>,
    badge_class: Option<String>,
    email: Option<String>,
    name: Option<String>,
}

/// The form's field for a field the service names, and what to say about it.
fn form_error(t: Lang, e: &FieldError) -> FieldError {
    let (field, key) = match e.field.as_str() {
        "badge_class" => ("badge_class", "console-award-error-class"),
        "recipient.name" => ("name", "console-award-error-name"),
        _ => ("email", "console-award-error-email"),
    };
    FieldError::new(field, t.t(key))
}

/// Issues an award by hand, like `POST /api/v1/awards`, then shows it.
pub(super) async fn create(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
    Form(form): Form<IssueForm>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let values = Values {
        badge_class: given(&form.badge_class).to_string(),
        email: given(&form.email).to_string(),
        name: given(&form.name).to_string(),
    };
    let input = AwardInput {
        badge_class: Some(values.badge_class.clone()),
        recipient: Some(RecipientInput {
            email: Some(values.email.clone()),
            name: Some(values.name.clone()),
            lang: None,
        }),
        narrative: None,
        evidence: None,
    };
    match app.issue_award(&input).await {
        Ok(stored) => {
            let id = stored.award.id;
            let actor = Actor::Console(session.email.clone());
            let class = stored.award.badge_class.to_string();
            app.audit(&actor, "awards create", Some(&id.to_string()), Some(&class))
                .await?;
            Ok(private(Redirect::to(&award_path(id, t)).into_response()))
        }
        Err(ServiceError::Invalid(invalid)) => {
            let mut errors: Vec<FieldError> = Vec::new();
            for e in invalid.0.iter().map(|e| form_error(t, e)) {
                if !errors.iter().any(|known| known.field == e.field) {
                    errors.push(e);
                }
            }
            let page = issue_page(&app, &session, t, values, errors).await?;
            page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}
