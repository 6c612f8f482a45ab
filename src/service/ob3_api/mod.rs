//! The Open Badges 3.0 API, service-provider side, read only: platforms register themselves
//! (RFC 7591), a trainer signed in to "mes badges" consents to what they ask for (authorization
//! code with PKCE S256), and the platform reads the trainer's credentials and profile with the
//! tokens it gets (RFC 6749, rotated refresh tokens, RFC 7009 revocation).
//!
//! `register.rs`: registration and its caps; `authorize.rs`: the authorization request and the
//! trainer's answer; `tokens.rs`: the token and revocation endpoints and bearer tokens;
//! `resources.rs`: what a token reads; `grants.rs`: the trainer's view of their platforms.

mod authorize;
mod grants;
mod register;
mod resources;
mod tokens;

pub use authorize::{
    with_query, AuthorizeFailure, AuthorizeRefusal, AuthorizeRequest, ConsentAnswer, ConsentView,
};
pub use grants::{ExportedAuthorizationRequest, ExportedPlatform, PlatformGrant};
pub use register::{ClientMetadata, Registered, RegistrationRequest};
pub use resources::CredentialsPage;
pub use tokens::{ApiCaller, ClientAuth, IssuedTokens, TokenRequest};

use crate::service::ServiceError;
use crate::storage::StorageError;

/// Reading the trainer's OpenBadgeCredentials.
pub const CREDENTIAL_READONLY: &str =
    "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly";
/// Reading the trainer's profile.
pub const PROFILE_READONLY: &str = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly";
/// Asked for by some platforms (the specification's examples do); refresh tokens are issued
/// to every platform registered for them, so it is understood and adds nothing.
pub const OFFLINE_ACCESS: &str = "offline_access";

/// How long a code may wait for its exchange.
pub const CODE_MINUTES: i64 = 10;
/// How long an access token works.
pub const ACCESS_SECONDS: i64 = 3600;
/// How long a refresh token works unused (each use gives a new one).
pub const REFRESH_DAYS: i64 = 30;
/// How long an authorization request waits for the trainer: long enough to sign in by email.
pub const PENDING_MINUTES: i64 = 60;
/// Authorization requests one platform may have waiting at once.
pub const PENDING_PER_CLIENT: i64 = 100;
/// Registrations taken from one client address in an hour, and from anyone in a day.
pub const REGISTRATIONS_PER_CLIENT_HOUR: i64 = 10;
pub const REGISTRATIONS_PER_DAY: i64 = 500;

/// The scopes insigne offers: read only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scopes {
    pub credentials: bool,
    pub profile: bool,
}

/// A scope that insigne does not offer, as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScope(pub String);

impl Scopes {
    pub const ALL: Scopes = Scopes {
        credentials: true,
        profile: true,
    };

    /// The scopes of a space-separated list; `offline_access` is understood and ignored, any
    /// other scope not offered is refused.
    pub fn parse(text: &str) -> Result<Scopes, UnknownScope> {
        let mut scopes = Scopes::default();
        for item in text.split(' ').filter(|s| !s.is_empty()) {
            match item {
                CREDENTIAL_READONLY => scopes.credentials = true,
                PROFILE_READONLY => scopes.profile = true,
                OFFLINE_ACCESS => {}
                other => return Err(UnknownScope(other.to_string())),
            }
        }
        Ok(scopes)
    }

    /// The scopes offered among a list (a registration keeps those, drops the others).
    pub fn offered_among(text: &str) -> Scopes {
        Scopes {
            credentials: text.split(' ').any(|s| s == CREDENTIAL_READONLY),
            profile: text.split(' ').any(|s| s == PROFILE_READONLY),
        }
    }

    pub fn is_empty(self) -> bool {
        !self.credentials && !self.profile
    }

    pub fn within(self, other: Scopes) -> bool {
        (!self.credentials || other.credentials) && (!self.profile || other.profile)
    }

    pub fn union(self, other: Scopes) -> Scopes {
        Scopes {
            credentials: self.credentials || other.credentials,
            profile: self.profile || other.profile,
        }
    }

    /// The space-separated list, in a fixed order.
    pub fn to_list(self) -> String {
        let mut out = Vec::new();
        if self.credentials {
            out.push(CREDENTIAL_READONLY);
        }
        if self.profile {
            out.push(PROFILE_READONLY);
        }
        out.join(" ")
    }
}

/// Why an OAuth 2.0 request is refused, with the error code RFC 6749 / RFC 7591 give it.
#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("{0}")]
    InvalidRequest(String),
    /// Unknown client, wrong secret, no credentials.
    #[error("client authentication failed")]
    InvalidClient,
    #[error("{0}")]
    InvalidGrant(&'static str),
    #[error("this client is not registered for the {0} grant")]
    UnauthorizedClient(&'static str),
    #[error("grant_type must be authorization_code or refresh_token")]
    UnsupportedGrantType,
    #[error("{0}")]
    InvalidScope(String),
    #[error("{0}")]
    InvalidRedirectUri(String),
    #[error("{0}")]
    InvalidClientMetadata(String),
    /// Too many registrations: from this client address, or from everyone today.
    #[error("too many registrations; try again later")]
    RateLimited,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StorageError> for OAuthError {
    fn from(e: StorageError) -> Self {
        OAuthError::Service(e.into())
    }
}

impl OAuthError {
    /// The `error` value of the answer.
    pub fn code(&self) -> &'static str {
        match self {
            OAuthError::InvalidRequest(_) => "invalid_request",
            OAuthError::InvalidClient => "invalid_client",
            OAuthError::InvalidGrant(_) => "invalid_grant",
            OAuthError::UnauthorizedClient(_) => "unauthorized_client",
            OAuthError::UnsupportedGrantType => "unsupported_grant_type",
            OAuthError::InvalidScope(_) => "invalid_scope",
            OAuthError::InvalidRedirectUri(_) => "invalid_redirect_uri",
            OAuthError::InvalidClientMetadata(_) => "invalid_client_metadata",
            OAuthError::RateLimited => "temporarily_unavailable",
            OAuthError::Service(_) => "server_error",
        }
    }
}

/// Whether two hex digests are equal, in constant time.
fn same_digest(a: &str, b: &str) -> bool {
    crate::auth::session::same_token(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_are_read_only_and_ordered() {
        let both = format!("{PROFILE_READONLY} offline_access {CREDENTIAL_READONLY}");
        assert_eq!(Scopes::parse(&both), Ok(Scopes::ALL));
        assert_eq!(
            Scopes::ALL.to_list(),
            format!("{CREDENTIAL_READONLY} {PROFILE_READONLY}")
        );
        let upsert = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert";
        assert_eq!(Scopes::parse(upsert), Err(UnknownScope(upsert.to_string())));
        assert_eq!(
            Scopes::offered_among(&format!("{upsert} {CREDENTIAL_READONLY}")),
            Scopes {
                credentials: true,
                profile: false
            }
        );
        assert!(Scopes::parse("").unwrap().is_empty());
    }
}
