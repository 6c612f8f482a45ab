-- The console's people: the DANE's admins and the tutors, who sign in with an emailed link
-- (single use, short-lived, kept hashed) and hold a session (kept hashed, with its CSRF token).
CREATE TABLE admins (
    email    TEXT PRIMARY KEY,      -- lower-cased address
    role     TEXT NOT NULL,         -- 'admin' or 'tutor'
    added_at TEXT NOT NULL
);

CREATE TABLE admin_signin_tokens (
    token_hash TEXT PRIMARY KEY,    -- SHA-256 (hex) of the secret sent by email
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT                 -- set when exchanged for a session: never twice
);

CREATE TABLE admin_sessions (
    session_hash TEXT PRIMARY KEY,  -- SHA-256 (hex) of the cookie's secret
    email        TEXT NOT NULL,
    csrf         TEXT NOT NULL,     -- the token every form of the session carries
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,     -- idle expiry counts from it
    expires_at   TEXT NOT NULL      -- absolute expiry
);
CREATE INDEX admin_sessions_email ON admin_sessions (email);
