//! The token endpoint (RFC 6749 §4.1.3 and §6, PKCE RFC 7636 §4.6), revocation (RFC 7009) and
//! the bearer tokens of resource requests. A code is used once: a second use revokes what the
//! first gave. A refresh token is used once: each use gives a new one and ends the old one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Duration;
use sha2::{Digest, Sha256};

use super::{same_digest, OAuthError, Scopes, ACCESS_SECONDS, REFRESH_DAYS};
use crate::auth::secrets::{hash_secret, new_link_secret};
use crate::service::{Insigne, ServiceError};
use crate::storage::{CodeUse, NewOAuthToken, StoredOAuthToken, TokenKind};

/// The client's credentials, from HTTP Basic or the form.
#[derive(Clone)]
pub struct ClientAuth {
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for ClientAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &"…")
            .finish()
    }
}

/// The token request's form, as sent.
#[derive(Clone, Default, serde::Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub code: Option<String>,
    pub redirect_uri: Option<String>,
    pub code_verifier: Option<String>,
    pub refresh_token: Option<String>,
    pub scope: Option<String>,
}

impl std::fmt::Debug for TokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenRequest")
            .field("grant_type", &self.grant_type)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// What the token endpoint gives.
#[derive(Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub expires_in: i64,
    pub scope: String,
}

impl std::fmt::Debug for IssuedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedTokens")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Who a resource request is made for, by a live access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCaller {
    pub email: String,
    pub scopes: Scopes,
    pub client_id: String,
}

/// A PKCE verifier (RFC 7636 §4.1): 43 to 128 unreserved characters.
fn is_verifier(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Insigne {
    /// The registered client these credentials prove, or `invalid_client`.
    async fn authenticated_client(
        &self,
        auth: Option<ClientAuth>,
    ) -> Result<super::ClientMetadata, OAuthError> {
        let auth = auth.ok_or(OAuthError::InvalidClient)?;
        let Some((stored, metadata)) = self.oauth_client(&auth.client_id).await? else {
            return Err(OAuthError::InvalidClient);
        };
        if !same_digest(&stored.secret_hash, &hash_secret(&auth.client_secret)) {
            return Err(OAuthError::InvalidClient);
        }
        Ok(metadata)
    }

    /// The token endpoint: a code, or a refresh token, for new tokens.
    pub async fn oauth_token(
        &self,
        auth: Option<ClientAuth>,
        request: TokenRequest,
    ) -> Result<IssuedTokens, OAuthError> {
        let client_id = auth
            .as_ref()
            .map(|a| a.client_id.clone())
            .unwrap_or_default();
        let client = self.authenticated_client(auth).await?;
        match request.grant_type.as_deref() {
            Some("authorization_code") => self.exchange_code(&client_id, &client, request).await,
            Some("refresh_token") => {
                if !client.allows_refresh() {
                    return Err(OAuthError::UnauthorizedClient("refresh_token"));
                }
                self.refresh(&client_id, request).await
            }
            None => Err(OAuthError::InvalidRequest("grant_type is missing".into())),
            Some(_) => Err(OAuthError::UnsupportedGrantType),
        }
    }

    async fn exchange_code(
        &self,
        client_id: &str,
        client: &super::ClientMetadata,
        request: TokenRequest,
    ) -> Result<IssuedTokens, OAuthError> {
        let missing = |what: &str| OAuthError::InvalidRequest(format!("{what} is missing"));
        let code = request.code.ok_or_else(|| missing("code"))?;
        let redirect_uri = request
            .redirect_uri
            .ok_or_else(|| missing("redirect_uri"))?;
        let verifier = request
            .code_verifier
            .ok_or_else(|| missing("code_verifier (PKCE)"))?;
        let now = self.clock.now();
        let code = match self.store.use_oauth_code(&hash_secret(&code), now).await? {
            CodeUse::Unknown => return Err(OAuthError::InvalidGrant("unknown code")),
            CodeUse::Replayed(code) => {
                self.store.revoke_oauth_family(&code.family, now).await?;
                tracing::warn!(client = %code.client_id, "an authorization code was used twice: its tokens are revoked");
                return Err(OAuthError::InvalidGrant(
                    "this code was used already; the tokens it gave are revoked",
                ));
            }
            CodeUse::Fresh(code) => code,
        };
        if code.client_id != client_id {
            return Err(OAuthError::InvalidGrant(
                "this code was issued to another client",
            ));
        }
        if code.expires_at <= now {
            return Err(OAuthError::InvalidGrant("this code has expired"));
        }
        if code.redirect_uri != redirect_uri {
            return Err(OAuthError::InvalidGrant(
                "redirect_uri is not the one of the authorization request",
            ));
        }
        if !is_verifier(&verifier) || !same_digest(&s256(&verifier), &code.code_challenge) {
            return Err(OAuthError::InvalidGrant(
                "code_verifier does not match the code_challenge",
            ));
        }
        let family = StoredOAuthToken {
            kind: TokenKind::Access,
            grant_id: code.grant_id,
            client_id: code.client_id,
            family: code.family,
            email: code.email,
            scope: code.scope,
            expires_at: now,
        };
        let scopes = Scopes::offered_among(&family.scope);
        self.issue_tokens(&family, scopes, client.allows_refresh(), None)
            .await?
            .ok_or(OAuthError::InvalidGrant("this grant changed meanwhile"))
    }

    async fn refresh(
        &self,
        client_id: &str,
        request: TokenRequest,
    ) -> Result<IssuedTokens, OAuthError> {
        let presented = request
            .refresh_token
            .ok_or_else(|| OAuthError::InvalidRequest("refresh_token is missing".into()))?;
        let now = self.clock.now();
        let hash = hash_secret(&presented);
        let old = match self.store.oauth_token(&hash, now).await? {
            Some(t) if t.kind == TokenKind::Refresh && t.client_id == client_id => t,
            _ => {
                return Err(OAuthError::InvalidGrant(
                    "unknown, used, revoked or expired refresh token",
                ))
            }
        };
        let granted = Scopes::offered_among(&old.scope);
        let access_scope = match request.scope.as_deref().filter(|s| !s.is_empty()) {
            None => granted,
            Some(asked) => match Scopes::parse(asked) {
                Ok(s) if s.within(granted) && !s.is_empty() => s,
                _ => {
                    return Err(OAuthError::InvalidScope(
                        "the scope asked for is more than was granted".into(),
                    ))
                }
            },
        };
        self.issue_tokens(&old, access_scope, true, Some(&hash))
            .await?
            .ok_or(OAuthError::InvalidGrant(
                "this refresh token was used already",
            ))
    }

    /// New tokens of `family`: an access token of `access_scope`, and a refresh token of the
    /// whole grant's scope when asked. `None` when `rotated` was not live any more.
    async fn issue_tokens(
        &self,
        family: &StoredOAuthToken,
        access_scope: Scopes,
        with_refresh: bool,
        rotated: Option<&str>,
    ) -> Result<Option<IssuedTokens>, OAuthError> {
        let now = self.clock.now();
        let access = new_link_secret();
        let mut tokens = vec![NewOAuthToken {
            token_hash: hash_secret(&access),
            kind: TokenKind::Access,
            scope: access_scope.to_list(),
            expires_at: now + Duration::seconds(ACCESS_SECONDS),
        }];
        let refresh = with_refresh.then(new_link_secret);
        if let Some(refresh) = &refresh {
            tokens.push(NewOAuthToken {
                token_hash: hash_secret(refresh),
                kind: TokenKind::Refresh,
                scope: family.scope.clone(),
                expires_at: now + Duration::days(REFRESH_DAYS),
            });
        }
        if !self
            .store
            .insert_oauth_tokens(family, &tokens, rotated, now)
            .await?
        {
            return Ok(None);
        }
        Ok(Some(IssuedTokens {
            access_token: access,
            refresh_token: refresh,
            expires_in: ACCESS_SECONDS,
            scope: access_scope.to_list(),
        }))
    }

    /// RFC 7009: the client's own token stops working (a refresh token with every token of
    /// its family); an unknown token, or another client's, is answered the same.
    pub async fn revoke_oauth(
        &self,
        auth: Option<ClientAuth>,
        token: Option<String>,
    ) -> Result<(), OAuthError> {
        let client_id = auth
            .as_ref()
            .map(|a| a.client_id.clone())
            .unwrap_or_default();
        self.authenticated_client(auth).await?;
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| OAuthError::InvalidRequest("token is missing".into()))?;
        let now = self.clock.now();
        let hash = hash_secret(&token);
        match self.store.oauth_token(&hash, now).await? {
            Some(t) if t.client_id == client_id && t.kind == TokenKind::Refresh => {
                self.store.revoke_oauth_family(&t.family, now).await?
            }
            Some(t) if t.client_id == client_id => {
                self.store
                    .revoke_oauth_token(&hash, &client_id, now)
                    .await?
            }
            _ => {}
        }
        Ok(())
    }

    /// The caller behind a bearer token, if it is a live access token; its grant is marked
    /// as used.
    pub async fn api_caller(&self, token: &str) -> Result<Option<ApiCaller>, ServiceError> {
        if token.is_empty() || token.len() > 200 {
            return Ok(None);
        }
        let now = self.clock.now();
        let Some(t) = self.store.oauth_token(&hash_secret(token), now).await? else {
            return Ok(None);
        };
        if t.kind != TokenKind::Access {
            return Ok(None);
        }
        self.store.touch_oauth_grant(&t.grant_id, now).await?;
        Ok(Some(ApiCaller {
            email: t.email,
            scopes: Scopes::offered_among(&t.scope),
            client_id: t.client_id,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_is_rfc_7636s_example() {
        // RFC 7636, Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert!(is_verifier(verifier));
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(!is_verifier("short"));
    }
}
