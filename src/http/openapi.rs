//! The JSON API's routes and its OpenAPI document, built from the same declarations: every
//! handler is registered with `routes!`, which takes its path, method, parameters, bodies and
//! answers from the handler's `#[utoipa::path]`; `GET /api/openapi.json` serves the result.

use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use super::error::ErrorBody;
use crate::service::Insigne;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "insigne",
        description = "Open Badges 2.0 and 3.0 for the académie de Versailles' e-CAP teacher trainers. \
                       Every error is JSON: {\"error\": {\"status\", \"code\", \"message\", \"fields\"?}}. \
                       Admin routes take a token of the admin scope, ingest routes one of either scope \
                       (`Authorization: Bearer <token>`, from `insigne tokens create`).",
    ),
    components(schemas(ErrorBody)),
    tags(
        (name = "issuers", description = "Who awards the badges"),
        (name = "badge classes", description = "The badges that can be earned"),
        (name = "awards", description = "Badges awarded to trainers"),
        (name = "catalogue", description = "The e-CAP catalogue, as one TOML file"),
        (name = "completions", description = "Completions from m@gistère, and what they award"),
        (name = "attendance", description = "Attendance exports of virtual classes, and the participation badges they award"),
        (name = "notifications", description = "The outbox"),
        (name = "trainers", description = "A trainer's data rights"),
        (name = "verification", description = "Verifying any badge (public)"),
        (name = "baking", description = "Badges baked in images (public)"),
        (name = "operations", description = "For operators"),
    ),
)]
pub struct ApiDoc;

/// Every route of the JSON API, and the document that describes them.
pub fn api() -> (axum::Router<Insigne>, utoipa::openapi::OpenApi) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(super::health::routes())
        .merge(super::admin::routes())
        .merge(super::ingest::routes())
        .merge(super::verify::routes())
        .merge(super::unbake::routes())
        .split_for_parts();
    // After the routes are in: these complete what the operations declare.
    Security.modify(&mut document);
    ErrorResponses.modify(&mut document);
    (router, document)
}

/// Bearer tokens; the role a route needs is named in its security requirement (`admin`, or
/// `ingest`: a token of either scope).
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token from `insigne tokens create`"))
                    .build(),
            ),
        );
    }
}

/// Every operation's error answers carry the error envelope; a route that takes a token
/// answers 401 without a live one, and an admin route 403 to a token of another scope; a route
/// that takes a body answers 408 when it does not arrive in time (the edge's body deadline).
struct ErrorResponses;

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                complete(operation);
            }
        }
    }
}

fn complete(operation: &mut Operation) {
    let roles: Vec<String> = operation
        .security
        .iter()
        .flatten()
        .filter_map(|requirement| serde_json::to_value(requirement).ok())
        .filter_map(|value| value.get("bearer").cloned())
        .filter_map(|roles| serde_json::from_value::<Vec<String>>(roles).ok())
        .flatten()
        .collect();
    let responses = &mut operation.responses.responses;
    if !roles.is_empty() {
        responses
            .entry("401".into())
            .or_insert_with(|| error("No token, or an unknown or revoked one"));
    }
    if roles.iter().any(|r| r == "admin") {
        responses
            .entry("403".into())
            .or_insert_with(|| error("The token's scope is not admin"));
    }
    if operation.request_body.is_some() {
        responses
            .entry("408".into())
            .or_insert_with(|| error("The body was not received in time"));
    }
    responses
        .entry("500".into())
        .or_insert_with(|| error("The service failed (the detail is in its log)"));
    for (status, response) in responses.iter_mut() {
        let is_error = status.starts_with('4') || status.starts_with('5');
        if let RefOr::T(response) = response {
            if is_error && response.content.is_empty() {
                response.content.insert(
                    "application/json".into(),
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                );
            }
        }
    }
}

fn error(description: &str) -> RefOr<Response> {
    RefOr::T(ResponseBuilder::new().description(description).build())
}
