-- Notifications (the outbox), and what trainers decide: their language, who sees their badges,
-- their sign-in links and sessions.

-- What insigne knows of a trainer beyond their awards: the language of their messages.
CREATE TABLE trainers (
    email      TEXT PRIMARY KEY,           -- normalised address, as on awards
    lang       TEXT NOT NULL,              -- 'fr' or 'en'
    updated_at TEXT NOT NULL
);

-- Messages to send, written in the same transaction as what they announce (an award, a
-- revocation) and sent by the background worker: a crash or an SMTP outage loses none.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,      -- UUID; also the local part of the Message-ID
    award_id        TEXT REFERENCES awards (id), -- NULL for a sign-in link
    kind            TEXT NOT NULL,         -- 'awarded', 'revoked' or 'signin'
    recipient       TEXT NOT NULL,         -- email address
    lang            TEXT NOT NULL,         -- 'fr' or 'en'
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,         -- plain text, rendered when written
    status          TEXT NOT NULL,         -- 'pending', 'sending', 'sent', 'failed' or 'logged' (no SMTP)
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,         -- the worker may (re)try from then on
    lease_until     TEXT,                  -- while 'sending': past it, the attempt is presumed dead
    last_error      TEXT,                  -- what the SMTP server (or the network) said last
    created_at      TEXT NOT NULL,
    sent_at         TEXT,                  -- when the server accepted it (or it was logged)
    UNIQUE (award_id, kind)                -- one message per award and event
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- A trainer may keep a badge private: its page answers 404, its signed forms stay verifiable.
ALTER TABLE awards ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';  -- 'public' or 'private'

-- Single-use, short-lived sign-in links to "mes badges"; only their hash is kept.
CREATE TABLE signin_tokens (
    token_hash TEXT PRIMARY KEY,           -- SHA-256 (hex) of the secret sent by email
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT                        -- set when exchanged for a session: never twice
);

-- Sign-in requests, known address or not: what rate limiting counts.
CREATE TABLE signin_requests (
    email_hash TEXT NOT NULL,              -- SHA-256 (hex) of the address asked for
    client     TEXT NOT NULL,              -- the client's address
    at         TEXT NOT NULL
);
CREATE INDEX signin_requests_at ON signin_requests (at);

-- Signed-in trainers; only the hash of the cookie's secret is kept.
CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    email        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
