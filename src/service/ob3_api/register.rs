//! Dynamic client registration (RFC 7591): a platform says who it is and where to send the
//! trainer back; it gets a client id and a secret shown once. Anyone may register, so what is
//! taken is bounded: sizes, counts, and registrations per client address and per day.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::{OAuthError, Scopes, REGISTRATIONS_PER_CLIENT_HOUR, REGISTRATIONS_PER_DAY};
use crate::auth::secrets::{hash_secret, new_link_secret};
use crate::service::{Actor, Insigne};

const MAX_TEXT: usize = 200;
const MAX_URI: usize = 2000;
const MAX_REDIRECT_URIS: usize = 10;

/// The registration request, as sent (RFC 7591 §2); what is not understood is left out.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegistrationRequest {
    pub client_name: Option<String>,
    pub client_uri: Option<String>,
    pub logo_uri: Option<String>,
    pub tos_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub software_id: Option<String>,
    pub software_version: Option<String>,
    pub redirect_uris: Option<Vec<String>>,
    pub token_endpoint_auth_method: Option<String>,
    pub grant_types: Option<Vec<String>>,
    pub response_types: Option<Vec<String>>,
    pub scope: Option<String>,
}

/// What a platform is registered with: shown on the consent page, checked at every step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientMetadata {
    pub client_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tos_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_version: Option<String>,
    pub redirect_uris: Vec<String>,
    pub token_endpoint_auth_method: String,
    pub grant_types: Vec<String>,
    pub response_types: Vec<String>,
    /// The scopes it may ask for: those offered among those it asked for.
    pub scope: String,
}

impl ClientMetadata {
    pub fn scopes(&self) -> Scopes {
        Scopes::offered_among(&self.scope)
    }

    pub fn allows_refresh(&self) -> bool {
        self.grant_types.iter().any(|g| g == "refresh_token")
    }
}

/// A registration's answer: the credentials (the secret only here, once) and the metadata.
#[derive(Clone)]
pub struct Registered {
    pub client_id: String,
    pub client_secret: String,
    pub client_id_issued_at: i64,
    pub metadata: ClientMetadata,
}

impl std::fmt::Debug for Registered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registered")
            .field("client_id", &self.client_id)
            .field("client_secret", &"…")
            .field("metadata", &self.metadata)
            .finish()
    }
}

/// A redirection endpoint: absolute, https, or http on the loopback interface only (a native
/// application's, RFC 8252 §7.3), without a fragment (RFC 6749 §3.1.2).
pub(crate) fn redirect_uri_problem(uri: &str) -> Option<String> {
    if uri.len() > MAX_URI {
        return Some(format!(
            "a redirect URI is longer than {MAX_URI} characters"
        ));
    }
    let Ok(url) = url::Url::parse(uri) else {
        return Some(format!("{uri:?} is not an absolute URI"));
    };
    if url.fragment().is_some() {
        return Some(format!("{uri:?} has a fragment"));
    }
    let loopback = matches!(
        url.host(),
        Some(url::Host::Domain("localhost"))
            | Some(url::Host::Ipv4(std::net::Ipv4Addr::LOCALHOST))
            | Some(url::Host::Ipv6(std::net::Ipv6Addr::LOCALHOST))
    );
    match url.scheme() {
        "https" if url.host().is_some() => None,
        "http" if loopback => None,
        "http" => Some(format!(
            "{uri:?} is http: only https, or http on a loopback address, is accepted"
        )),
        _ => Some(format!("{uri:?} is not an https URI")),
    }
}

/// An optional text field: trimmed, bounded.
fn text(field: &str, value: Option<String>) -> Result<Option<String>, OAuthError> {
    match value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
    {
        Some(v) if v.chars().count() > MAX_TEXT || v.chars().any(char::is_control) => {
            Err(OAuthError::InvalidClientMetadata(format!(
                "{field} is too long or has control characters"
            )))
        }
        other => Ok(other),
    }
}

/// An optional web page of the platform's: an http(s) URL.
fn web_uri(field: &str, value: Option<String>) -> Result<Option<String>, OAuthError> {
    let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
        return Ok(None);
    };
    let ok = value.len() <= MAX_URI
        && url::Url::parse(&value)
            .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some());
    if ok {
        Ok(Some(value))
    } else {
        Err(OAuthError::InvalidClientMetadata(format!(
            "{field} must be an http(s) URL"
        )))
    }
}

/// Checks a request and fills RFC 7591's defaults.
fn checked(request: RegistrationRequest) -> Result<ClientMetadata, OAuthError> {
    let redirect_uris = request.redirect_uris.unwrap_or_default();
    if redirect_uris.is_empty() {
        return Err(OAuthError::InvalidRedirectUri(
            "redirect_uris must name at least one redirection endpoint".into(),
        ));
    }
    if redirect_uris.len() > MAX_REDIRECT_URIS {
        return Err(OAuthError::InvalidRedirectUri(format!(
            "at most {MAX_REDIRECT_URIS} redirect URIs"
        )));
    }
    if let Some(problem) = redirect_uris.iter().find_map(|u| redirect_uri_problem(u)) {
        return Err(OAuthError::InvalidRedirectUri(problem));
    }
    let client_name = text("client_name", request.client_name)?.ok_or_else(|| {
        OAuthError::InvalidClientMetadata(
            "client_name is required: trainers are asked whether to trust it by its name".into(),
        )
    })?;
    let method = request
        .token_endpoint_auth_method
        .unwrap_or_else(|| "client_secret_basic".into());
    if !matches!(
        method.as_str(),
        "client_secret_basic" | "client_secret_post"
    ) {
        return Err(OAuthError::InvalidClientMetadata(
            "token_endpoint_auth_method must be client_secret_basic or client_secret_post".into(),
        ));
    }
    let grant_types = request
        .grant_types
        .unwrap_or_else(|| vec!["authorization_code".into()]);
    if !grant_types.iter().any(|g| g == "authorization_code")
        || grant_types
            .iter()
            .any(|g| !matches!(g.as_str(), "authorization_code" | "refresh_token"))
    {
        return Err(OAuthError::InvalidClientMetadata(
            "grant_types must be authorization_code, and refresh_token if wanted".into(),
        ));
    }
    let response_types = request
        .response_types
        .unwrap_or_else(|| vec!["code".into()]);
    if response_types.iter().any(|r| r != "code") || response_types.is_empty() {
        return Err(OAuthError::InvalidClientMetadata(
            "response_types must be [\"code\"]".into(),
        ));
    }
    let scopes = match request.scope {
        Some(asked) => Scopes::offered_among(&asked),
        None => Scopes::ALL,
    };
    if scopes.is_empty() {
        return Err(OAuthError::InvalidClientMetadata(format!(
            "scope names none of the scopes offered ({})",
            Scopes::ALL.to_list()
        )));
    }
    Ok(ClientMetadata {
        client_name,
        client_uri: web_uri("client_uri", request.client_uri)?,
        logo_uri: web_uri("logo_uri", request.logo_uri)?,
        tos_uri: web_uri("tos_uri", request.tos_uri)?,
        policy_uri: web_uri("policy_uri", request.policy_uri)?,
        software_id: text("software_id", request.software_id)?,
        software_version: text("software_version", request.software_version)?,
        redirect_uris,
        token_endpoint_auth_method: method,
        grant_types,
        response_types,
        scope: scopes.to_list(),
    })
}

impl Insigne {
    /// Registers a platform for `registered_by` (the client address, which the caps count).
    pub async fn register_client(
        &self,
        request: RegistrationRequest,
        registered_by: &str,
    ) -> Result<Registered, OAuthError> {
        let metadata = checked(request)?;
        let now = self.clock.now();
        let (today, from_here) = self
            .store
            .oauth_registrations_since(registered_by, now - Duration::days(1))
            .await?;
        let (_, this_hour) = self
            .store
            .oauth_registrations_since(registered_by, now - Duration::hours(1))
            .await?;
        if today >= REGISTRATIONS_PER_DAY
            || this_hour >= REGISTRATIONS_PER_CLIENT_HOUR
            || from_here >= REGISTRATIONS_PER_DAY
        {
            return Err(OAuthError::RateLimited);
        }
        let client_id = crate::domain::ids::random_uuid().simple().to_string();
        let client_secret = new_link_secret();
        let json = serde_json::to_string(&metadata).map_err(|e| {
            OAuthError::Service(crate::service::ServiceError::Inconsistent(e.to_string()))
        })?;
        self.store
            .insert_oauth_client(
                &client_id,
                &hash_secret(&client_secret),
                &json,
                registered_by,
                now,
            )
            .await?;
        self.audit(
            &Actor::Platform(client_id.clone()),
            "ob3 client registered",
            Some(&client_id),
            Some(&metadata.client_name),
        )
        .await?;
        Ok(Registered {
            client_id,
            client_secret,
            client_id_issued_at: now.timestamp(),
            metadata,
        })
    }

    /// A registered platform and its metadata.
    pub(crate) async fn oauth_client(
        &self,
        client_id: &str,
    ) -> Result<Option<(crate::storage::StoredClient, ClientMetadata)>, crate::service::ServiceError>
    {
        let Some(stored) = self.store.oauth_client(client_id).await? else {
            return Ok(None);
        };
        let metadata = serde_json::from_str(&stored.metadata).map_err(|source| {
            crate::service::ServiceError::Damaged {
                what: "OAuth client metadata",
                source,
            }
        })?;
        Ok(Some((stored, metadata)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_https_or_loopback() {
        assert_eq!(redirect_uri_problem("https://platform.example/cb"), None);
        assert_eq!(redirect_uri_problem("http://127.0.0.1:8765/cb"), None);
        assert_eq!(redirect_uri_problem("http://[::1]/cb"), None);
        assert_eq!(redirect_uri_problem("http://localhost:3000/cb"), None);
        assert!(redirect_uri_problem("http://platform.example/cb").is_some());
        assert!(redirect_uri_problem("https://platform.example/cb#x").is_some());
        assert!(redirect_uri_problem("javascript:alert(1)").is_some());
        assert!(redirect_uri_problem("/relative").is_some());
    }
}
