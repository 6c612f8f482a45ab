//! `GET /ims/ob/v3p0/discovery`: the Service Description Document, an OpenAPI 3.0 document with
//! the 1EdTech extensions (`x-imssf-*`) a platform reads to register and to obtain tokens.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::resources::{imsx_method_not_allowed, preflight};
use super::BASE;
use crate::http::public::pages::consent::TERMS_PATH;
use crate::service::ob3_api::{CREDENTIAL_READONLY, PROFILE_READONLY};
use crate::service::Insigne;

pub fn router() -> Router<Insigne> {
    Router::new().route(
        &format!("{BASE}/discovery"),
        get(discovery)
            .options(preflight)
            .fallback(imsx_method_not_allowed),
    )
}

/// The official JSON Schema of a class, where the document points for its full definition.
fn schema(class: &str, file: &str) -> Value {
    json!({
        "type": "object",
        "description": format!("The Open Badges 3.0 {class}."),
        "externalDocs": {
            "url": format!("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/{file}")
        }
    })
}

fn answers(ok: &str, schema: &str) -> Value {
    let status = json!({
        "description": "Imsx_StatusInfo",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Imsx_StatusInfo"}}}
    });
    json!({
        "200": {
            "description": ok,
            "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}
        },
        "400": status, "401": status, "403": status, "405": status, "500": status,
        "default": status,
    })
}

/// The document, with every URL under the public base.
pub(crate) fn document(base: &str) -> Value {
    let api = format!("{base}{BASE}");
    let token_url = format!("{api}/auth/token");
    json!({
        "openapi": "3.0.1",
        "info": {
            "title": "insigne — Open Badges 3.0 API",
            "description": "The badges of the académie de Versailles' e-CAP teacher trainers, read \
                            with their consent (read only). Tokens are revoked at \
                            POST /ims/ob/v3p0/auth/revoke (RFC 7009).",
            "version": "3.0",
            "termsOfService": format!("{base}{TERMS_PATH}#conditions"),
            "x-imssf-privacyPolicyUrl": format!("{base}{TERMS_PATH}#donnees"),
        },
        "servers": [{"url": api}],
        "tags": [
            {"name": "OpenBadgeCredentials", "description": "Exchange OpenBadgeCredentials and Profile information."},
            {"name": "Discovery"}
        ],
        "paths": {
            "/credentials": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "summary": "Get issued OpenBadgeCredentials for the supplied parameters and access token.",
                    "operationId": "getCredentials",
                    "parameters": [
                        {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": super::resources::MAX_LIMIT, "default": super::resources::DEFAULT_LIMIT}},
                        {"name": "offset", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0, "default": 0}},
                        {"name": "since", "in": "query", "required": false, "schema": {"type": "string", "format": "date-time"}}
                    ],
                    "responses": answers("The OpenBadgeCredentials that meet the request parameters.", "GetOpenBadgeCredentialsResponse"),
                    "security": [{"OAuth2ACG": [CREDENTIAL_READONLY]}]
                }
            },
            "/profile": {
                "get": {
                    "tags": ["OpenBadgeCredentials"],
                    "summary": "Fetch the profile for the supplied access token.",
                    "operationId": "getProfile",
                    "responses": answers("The matching profile.", "Profile"),
                    "security": [{"OAuth2ACG": [PROFILE_READONLY]}]
                }
            },
            "/discovery": {
                "get": {
                    "tags": ["Discovery"],
                    "summary": "Fetch the Service Description Document.",
                    "operationId": "getServiceDescription",
                    "responses": {
                        "200": {"description": "The service discovery document.", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "default": {"description": "Imsx_StatusInfo", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Imsx_StatusInfo"}}}}
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant authorization, with PKCE (S256)",
                    "x-imssf-name": "insigne",
                    "x-imssf-privacyPolicyUrl": format!("{base}{TERMS_PATH}#donnees"),
                    "x-imssf-termsOfServiceUrl": format!("{base}{TERMS_PATH}#conditions"),
                    "x-imssf-registrationUrl": format!("{api}/auth/register"),
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": format!("{api}/auth/authorize"),
                            "tokenUrl": token_url,
                            "refreshUrl": token_url,
                            "scopes": {
                                CREDENTIAL_READONLY: "Permission to read OpenBadgeCredentials for the authenticated entity.",
                                PROFILE_READONLY: "Permission to read the profile for the authenticated entity."
                            }
                        }
                    }
                }
            },
            "schemas": {
                "GetOpenBadgeCredentialsResponse": schema("GetOpenBadgeCredentialsResponse", "ob_v3p0_getopenbadgecredentialsresponse_schema.json"),
                "Profile": schema("Profile", "ob_v3p0_profile_schema.json"),
                "Imsx_StatusInfo": schema("Imsx_StatusInfo", "ob_v3p0_imsx_statusinfo_schema.json")
            }
        }
    })
}

async fn discovery(State(app): State<Insigne>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        document(app.urls.base()).to_string(),
    )
        .into_response()
}
