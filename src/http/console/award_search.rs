//! Searching awarded badges in the console: a GET form (it works without JavaScript) by
//! recipient address, badge class, status and issue dates; the latest first, capped.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Deserialize;

use super::awards::{
    award_path, class_choices, class_names, day, field_error, given, status_words, Choice, Day,
};
use super::page_response;
use crate::auth::ConsoleAdmin;
use crate::domain::{Award, BadgeClassId, FieldError};
use crate::http::error::ApiError;
use crate::i18n::Lang;
use crate::service::{Insigne, AWARD_SEARCH_LIMIT};
use crate::storage::{AwardFilter, AwardState};

#[derive(Debug, Default, Deserialize)]
pub(super) struct SearchQuery {
    email: Option<String>,
    badge_class: Option<String>,
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
    lang: Option<String>,
}

fn parse_day(s: &str) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

impl SearchQuery {
    /// The filter, or the errors by field (in `t`).
    fn filter(&self, t: Lang) -> Result<AwardFilter, Vec<FieldError>> {
        let mut errors = Vec::new();
        let email = given(&self.email);
        let badge_class = match given(&self.badge_class) {
            "" => None,
            s => match s.parse::<BadgeClassId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.push(FieldError::new(
                        "badge_class",
                        t.t("console-search-bad-class"),
                    ));
                    None
                }
            },
        };
        let state = match given(&self.status) {
            "" => None,
            "active" => Some(AwardState::Active),
            "expired" => Some(AwardState::Expired),
            "revoked" => Some(AwardState::Revoked),
            _ => {
                errors.push(FieldError::new("status", t.t("console-search-bad-status")));
                None
            }
        };
        let mut date = |field: &str, s: &str| match s {
            "" => None,
            s => {
                let parsed = parse_day(s);
                if parsed.is_none() {
                    errors.push(FieldError::new(field, t.t("console-search-bad-date")));
                }
                parsed
            }
        };
        let issued_from = date("from", given(&self.from));
        // The last day counts whole: before the next one begins.
        let issued_before = date("to", given(&self.to)).map(|d| d + Duration::days(1));
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(AwardFilter {
            email_contains: (!email.is_empty()).then(|| email.to_string()),
            badge_class,
            state,
            issued_from,
            issued_before,
        })
    }

    /// The criteria as a query string (without the language), for the language switch.
    fn query(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("email", given(&self.email))
            .append_pair("badge_class", given(&self.badge_class))
            .append_pair("status", given(&self.status))
            .append_pair("from", given(&self.from))
            .append_pair("to", given(&self.to))
            .finish()
    }
}

/// One award found.
struct Row {
    link: String,
    name: String,
    email: String,
    class_name: String,
    issued: Day,
    status: String,
    style: &'static str,
}

#[derive(Template)]
#[template(path = "console_awards.html")]
struct SearchPage {
    t: Lang,
    switch_url: String,
    email: String,
    from: String,
    to: String,
    classes: Vec<Choice>,
    statuses: Vec<Choice>,
    errors: Vec<FieldError>,
    rows: Vec<Row>,
    /// Said when more awards matched than are shown.
    truncated: Option<String>,
}

impl SearchPage {
    fn error(&self, field: &str) -> Option<&str> {
        field_error(&self.errors, field)
    }
}

/// The search form and what it finds: by default, the latest awards.
pub(super) async fn search(
    State(app): State<Insigne>,
    ConsoleAdmin(_): ConsoleAdmin,
    Query(q): Query<SearchQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let t = Lang::negotiate(q.lang.as_deref(), &headers);
    let names = class_names(&app).await?;
    let (rows, truncated, errors) = match q.filter(t) {
        Ok(filter) => {
            let found = app.search_awards(&filter).await?;
            let rows = found
                .awards
                .iter()
                .map(|a| award_row(&app, t, &names, a))
                .collect();
            let truncated = found.truncated.then(|| {
                t.t_count(
                    "console-search-truncated",
                    "count",
                    i64::try_from(AWARD_SEARCH_LIMIT).unwrap_or(i64::MAX),
                )
            });
            (rows, truncated, Vec::new())
        }
        Err(errors) => (Vec::new(), None, errors),
    };
    let status = given(&q.status);
    let statuses = [
        ("", "console-search-any-status"),
        ("active", "console-award-active"),
        ("revoked", "console-award-revoked"),
        ("expired", "console-award-expired"),
    ]
    .into_iter()
    .map(|(value, key)| Choice {
        value: value.into(),
        label: t.t(key),
        selected: value == status,
    })
    .collect();
    let code = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = SearchPage {
        t,
        switch_url: format!(
            "/admin/badges-delivres?{}&lang={}",
            q.query(),
            t.other().code()
        ),
        email: given(&q.email).to_string(),
        from: given(&q.from).to_string(),
        to: given(&q.to).to_string(),
        classes: class_choices(&names, given(&q.badge_class)),
        statuses,
        errors,
        rows,
        truncated,
    };
    page_response(&headers, page, code)
}

fn award_row(app: &Insigne, t: Lang, names: &BTreeMap<BadgeClassId, String>, award: &Award) -> Row {
    let (status, style) = status_words(t, app.award_status(award));
    Row {
        link: award_path(award.id, t),
        name: award.recipient.name.clone(),
        email: award.recipient.email.to_string(),
        class_name: names.get(&award.badge_class).cloned().unwrap_or_default(),
        issued: day(t, award.issued_on),
        status,
        style,
    }
}
