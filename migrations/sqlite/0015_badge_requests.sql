-- Badges on request: a trainer applies with evidence (a reflective analysis, links, files), a
-- tutor assesses it on the catalogue's review grid and approves, returns or refuses it.

-- A review grid of the catalogue (« grille d'analyse qualité »), upserted by code like every
-- catalogue entry; its criteria are what a tutor assesses, one by one.
CREATE TABLE review_grids (
    code        TEXT PRIMARY KEY,  -- e.g. 'grille-qualite', named by review rules
    name        TEXT NOT NULL,
    description TEXT,
    criteria    TEXT NOT NULL,     -- JSON array of {code, label, description}
    updated_at  TEXT NOT NULL
);

-- The parcours whose requests a tutor reviews (set by `insigne admins add --parcours`).
CREATE TABLE tutor_parcours (
    tutor_email   TEXT NOT NULL,   -- an admins row with the role 'tutor'
    parcours_code TEXT NOT NULL,
    PRIMARY KEY (tutor_email, parcours_code)
);

-- A trainer's request for a badge earned by evidence.
CREATE TABLE badge_requests (
    id             TEXT PRIMARY KEY,  -- UUID, unguessable
    learner_email  TEXT NOT NULL,     -- normalised address; the request goes with an erasure
    learner_name   TEXT NOT NULL,     -- as the trainer's completions (or the form) give it
    badge_class_id TEXT NOT NULL,     -- the badge asked for
    badge_code     TEXT NOT NULL,     -- its catalogue code, as the award engine names it
    parcours_code  TEXT,              -- whose tutors review it (none: the admins assign it)
    tutor_email    TEXT,              -- the tutor it is assigned to, when an admin chose one
    status         TEXT NOT NULL,     -- 'draft', 'submitted', 'returned', 'approved', 'refused'
    analysis       TEXT NOT NULL,     -- the reflective analysis, as typed
    links          TEXT NOT NULL,     -- JSON array of URLs (the parcours the trainer produced)
    assessment     TEXT,              -- JSON: the tutor's last assessment, criterion by criterion
    decision_note  TEXT,              -- the message of a return, or the reason of a refusal
    decided_by     TEXT,              -- the tutor who approved or refused it
    lang           TEXT NOT NULL,     -- the language of the trainer's messages
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    submitted_at   TEXT,              -- the last submission
    decided_at     TEXT               -- approval or refusal
);
-- One request at a time per trainer and badge, until it is refused.
CREATE UNIQUE INDEX badge_requests_open ON badge_requests (learner_email, badge_class_id)
    WHERE status <> 'refused';
CREATE INDEX badge_requests_status ON badge_requests (status, parcours_code);

-- The files a trainer attached (PDF, PNG, JPEG, ODT; checked by their bytes), kept in the
-- database, never under the web root, served only to the trainer and to whoever reviews.
CREATE TABLE badge_request_files (
    id         TEXT PRIMARY KEY,   -- UUID
    request_id TEXT NOT NULL REFERENCES badge_requests (id) ON DELETE CASCADE,
    file_name  TEXT NOT NULL,      -- as uploaded, cleaned of any path
    media_type TEXT NOT NULL,      -- decided by the bytes, never by the name
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,      -- hex; the evidence of the award names it
    content    BLOB NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX badge_request_files_request ON badge_request_files (request_id);

-- What happened to a request, in order: its history as the trainer and the tutor read it.
CREATE TABLE badge_request_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- the order of the steps (several may share a second)
    request_id TEXT NOT NULL REFERENCES badge_requests (id) ON DELETE CASCADE,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,      -- 'trainer', or the console user's address
    action     TEXT NOT NULL,      -- 'submitted', 'returned', 'approved', 'refused', 'reassigned'
    note       TEXT,               -- the message or reason given
    assessment TEXT                -- JSON: the assessment given with a decision
);
CREATE INDEX badge_request_events_request ON badge_request_events (request_id, seq);
