-- Notifications: the outbox, and the language each trainer reads.

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
    award_id        TEXT NOT NULL REFERENCES awards (id),
    kind            TEXT NOT NULL,         -- 'awarded' or 'revoked'
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
