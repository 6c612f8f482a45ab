-- The Open Badges 3.0 API (service provider, read): the platforms that register themselves
-- (RFC 7591), the trainers' consent to them, and the OAuth 2.0 codes and tokens that follow.
-- Secrets (client secrets, codes, tokens) are kept as their SHA-256 only, in hex.

-- A platform registered through dynamic client registration.
CREATE TABLE oauth_clients (
    client_id     TEXT PRIMARY KEY,   -- random, public
    secret_hash   TEXT NOT NULL,      -- SHA-256 of the client secret, shown once at registration
    metadata      TEXT NOT NULL,      -- the registered metadata (RFC 7591 names), JSON
    registered_by TEXT NOT NULL,      -- the client address that registered it: what the caps count
    created_at    TEXT NOT NULL
);
CREATE INDEX oauth_clients_created ON oauth_clients (created_at);
CREATE INDEX oauth_clients_registered_by ON oauth_clients (registered_by, created_at);

-- An authorization request waiting for the trainer's answer on the consent page, kept
-- server-side so that it survives the sign-in by emailed link.
CREATE TABLE oauth_pending (
    id             TEXT PRIMARY KEY,  -- random, in the consent page's path
    client_id      TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,     -- one of the client's, exactly as registered
    scope          TEXT NOT NULL,     -- the scopes asked for, space-separated
    state          TEXT,              -- the client's, given back with the answer
    code_challenge TEXT NOT NULL,     -- PKCE, S256 only
    email          TEXT,              -- the trainer it was first shown to, signed in; then theirs only
    csrf           TEXT,              -- the anti-CSRF value of the consent form shown to them
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL
);
CREATE INDEX oauth_pending_expires ON oauth_pending (expires_at);
CREATE INDEX oauth_pending_email ON oauth_pending (email);

-- A trainer's consent to a platform: what "mes badges" lists and withdraws.
CREATE TABLE oauth_grants (
    id           TEXT PRIMARY KEY,    -- UUID
    client_id    TEXT NOT NULL REFERENCES oauth_clients (client_id) ON DELETE CASCADE,
    email        TEXT NOT NULL,       -- the trainer's normalised address, as on awards
    scope        TEXT NOT NULL,       -- the scopes granted, space-separated
    created_at   TEXT NOT NULL,       -- the first consent
    updated_at   TEXT NOT NULL,       -- the latest consent
    last_used_at TEXT,                -- the latest call with one of its access tokens
    revoked_at   TEXT                 -- set when the trainer withdraws it: its tokens die with it
);
CREATE INDEX oauth_grants_email ON oauth_grants (email);

-- Authorization codes: single use, ten minutes.
CREATE TABLE oauth_codes (
    code_hash      TEXT PRIMARY KEY,  -- SHA-256 of the code
    grant_id       TEXT NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,     -- the token request must name the same
    scope          TEXT NOT NULL,
    code_challenge TEXT NOT NULL,     -- what the token request's code_verifier must hash to
    family         TEXT NOT NULL,     -- the tokens issued from it carry it: a replay revokes them
    email          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    used_at        TEXT               -- set at the exchange: never twice
);
CREATE INDEX oauth_codes_email ON oauth_codes (email);

-- Access tokens (an hour) and refresh tokens (rotated at each use).
CREATE TABLE oauth_tokens (
    token_hash TEXT PRIMARY KEY,      -- SHA-256 of the token
    kind       TEXT NOT NULL,         -- 'access' or 'refresh'
    grant_id   TEXT NOT NULL REFERENCES oauth_grants (id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    family     TEXT NOT NULL,         -- the code they descend from, through every refresh
    email      TEXT NOT NULL,
    scope      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT                   -- revoked (RFC 7009, rotation, replay, withdrawal): refused
);
CREATE INDEX oauth_tokens_family ON oauth_tokens (family);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
CREATE INDEX oauth_tokens_email ON oauth_tokens (email);
