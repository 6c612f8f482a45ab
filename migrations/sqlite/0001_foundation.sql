-- The first schema: issuers, badge classes, awards and API tokens.
-- Ids are UUIDs as text; times are RFC 3339 UTC text (e.g. 2026-11-28T12:00:00Z), which sorts in
-- time order and reads the same in SQLite and PostgreSQL.

-- Organisations that award badges (OB 2.0 issuer Profile).
CREATE TABLE issuers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    url         TEXT NOT NULL,        -- the issuer's own web site
    email       TEXT NOT NULL,        -- contact address, published in the Profile
    description TEXT,
    image_type  TEXT,                 -- 'image/png' or 'image/svg+xml'; NULL when no image
    image       BLOB,                 -- the checked image bytes
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- What can be earned (OB 2.0 BadgeClass).
CREATE TABLE badge_classes (
    id                 TEXT PRIMARY KEY,
    issuer_id          TEXT NOT NULL REFERENCES issuers (id),
    name               TEXT NOT NULL,
    description        TEXT NOT NULL,
    image_type         TEXT NOT NULL,
    image              BLOB NOT NULL,
    criteria_narrative TEXT,
    criteria_url       TEXT,
    alignments         TEXT NOT NULL,  -- JSON array of {framework, code, name, url}
    tags               TEXT NOT NULL,  -- JSON array of strings
    validity_days      BIGINT,         -- awards expire this many days after issue; NULL: never
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX badge_classes_issuer ON badge_classes (issuer_id);

-- One badge class awarded to one trainer; every published format derives from this row.
CREATE TABLE awards (
    id                TEXT PRIMARY KEY,
    badge_class_id    TEXT NOT NULL REFERENCES badge_classes (id),
    recipient_email   TEXT NOT NULL,   -- lower-cased; only its salted hash is published
    recipient_name    TEXT NOT NULL,
    salt              TEXT NOT NULL,   -- per-award salt of the hashed identity
    issued_on         TEXT NOT NULL,
    expires           TEXT,
    narrative         TEXT,
    evidence          TEXT NOT NULL,   -- JSON array
    revoked_at        TEXT,
    revocation_reason TEXT,
    ob2_assertion     TEXT NOT NULL    -- the hosted Assertion JSON exactly as issued
);
CREATE INDEX awards_badge_class ON awards (badge_class_id);
CREATE INDEX awards_recipient ON awards (recipient_email);

-- Bearer tokens for the admin and ingest APIs. Only a SHA-256 of each token is kept.
CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the whole token
    scope      TEXT NOT NULL CHECK (scope IN ('admin', 'ingest')),
    label      TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
