//! The outbox in the console: messages by status, like `GET /api/v1/notifications`, and a
//! failed one put back in line (`resend_notification`, audited). Bodies are never shown: a
//! sign-in message carries a link that opens a session.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use super::awards::{field_error, message_row, Choice, MessageRow};
use super::page_response;
use super::{from_session, refused};
use crate::auth::ConsoleAdmin;
use crate::domain::FieldError;
use crate::http::error::ApiError;
use crate::http::public::pages::private;
use crate::i18n::Lang;
use crate::service::{Actor, AdminSession, Insigne, ServiceError};

/// The statuses a message may have, in the order the filter offers them.
const STATUSES: [&str; 5] = ["pending", "sending", "sent", "failed", "logged"];

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    status: Option<String>,
    lang: Option<String>,
}

/// One message, with what the list adds to the award page's rows.
struct Row {
    message: MessageRow,
    recipient: String,
    subject: String,
    award: Option<String>,
}

#[derive(Template)]
#[template(path = "console_notifications.html")]
struct ListPage {
    t: Lang,
    switch_url: String,
    csrf: String,
    /// The status filtered on, empty for all.
    status: String,
    statuses: Vec<Choice>,
    errors: Vec<FieldError>,
    rows: Vec<Row>,
    /// Why the last resend was refused, if it was.
    refused: Option<String>,
}

impl ListPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

async fn list_page(
    app: &Insigne,
    session: &AdminSession,
    t: Lang,
    status: &str,
    refused: Option<String>,
) -> Result<(ListPage, bool), ApiError> {
    let (rows, errors) = match status {
        "" => (app.notification_views(None).await?, Vec::new()),
        s => match app.parse_message_status(s) {
            Some(status) => (app.notification_views(Some(status)).await?, Vec::new()),
            None => (
                Vec::new(),
                vec![FieldError::new(
                    "status",
                    t.t("console-notifications-bad-status"),
                )],
            ),
        },
    };
    let valid = errors.is_empty();
    let rows = rows
        .iter()
        .map(|n| Row {
            message: message_row(t, n),
            recipient: n.recipient.clone(),
            subject: n.subject.clone(),
            award: n
                .award
                .as_deref()
                .map(|a| format!("/admin/badges-delivres/{a}?lang={}", t.code())),
        })
        .collect();
    let mut statuses = vec![Choice {
        value: String::new(),
        label: t.t("console-notifications-all"),
        selected: status.is_empty(),
    }];
    statuses.extend(STATUSES.iter().map(|s| Choice {
        value: (*s).to_string(),
        label: t.t(&format!("console-message-{s}")),
        selected: *s == status,
    }));
    let switch_url = format!(
        "/admin/notifications?{}",
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("status", status)
            .append_pair("lang", t.other().code())
            .finish()
    );
    let page = ListPage {
        t,
        switch_url,
        csrf: session.csrf.clone(),
        status: status.to_string(),
        statuses,
        errors,
        rows,
        refused,
    };
    Ok((page, valid))
}

/// Messages, newest first; `?status=failed` for those given up.
pub(super) async fn list(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let status = q.status.as_deref().map(str::trim).unwrap_or_default();
    let (page, valid) = list_page(&app, &session, t, status, None).await?;
    let code = if valid {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    page_response(&headers, page, code)
}

#[derive(Debug, Deserialize)]
pub(super) struct ResendForm {
    csrf: Option<String>,
    /// The filter the list was showing, to come back to it.
    status: Option<String>,
}

/// Puts a message back in line, then shows the list again.
pub(super) async fn resend(
    State(app): State<Insigne>,
    ConsoleAdmin(session): ConsoleAdmin,
    Path(id): Path<String>,
    Query(q): Query<ListQuery>,
    headers: HeaderMap,
    Form(form): Form<ResendForm>,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    if !from_session(&session, form.csrf.as_deref()) {
        return Ok(refused(&headers));
    }
    let status = form.status.as_deref().map(str::trim).unwrap_or_default();
    let status = if STATUSES.contains(&status) {
        status
    } else {
        ""
    };
    match app.resend_notification(&id).await {
        Ok(message) => {
            let actor = Actor::Console(session.email.clone());
            app.audit(
                &actor,
                "notifications resend",
                Some(&message.id),
                message.award.as_deref(),
            )
            .await?;
            let back = format!(
                "/admin/notifications?{}",
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("status", status)
                    .append_pair("lang", t.code())
                    .finish()
            );
            Ok(private(Redirect::to(&back).into_response()))
        }
        Err(ServiceError::Invalid(_)) => {
            let refused = Some(t.t("console-resend-refused"));
            let (page, _) = list_page(&app, &session, t, status, refused).await?;
            page_response(&headers, page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(other) => Err(other.into()),
    }
}
