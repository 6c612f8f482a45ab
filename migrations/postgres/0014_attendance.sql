-- Participation badges: the conference series of the catalogue and who attended which of
-- their sessions, read from the attendance exports of virtual classes.

-- A series of sessions (« les jeudis de la recherche »), upserted by code like every catalogue
-- entry; a session belongs to it when its title starts with one of its prefixes or is one of
-- its titles (compared as people type them: case, spaces and apostrophes aside).
CREATE TABLE series (
    code       TEXT PRIMARY KEY,   -- e.g. 'jeudis-de-la-recherche', named by award rules
    name       TEXT NOT NULL,      -- as the badge pages and evidence say it
    prefixes   TEXT NOT NULL,      -- JSON array of title prefixes
    titles     TEXT NOT NULL,      -- JSON array of exact session titles
    updated_at TEXT NOT NULL
);

-- One person's attendance at one session, stored once: the same person at the same session
-- (its title and local day) in another file, or the same file again, is recognised by the
-- unique key below; a longer attendance replaces the minutes, a shorter one changes nothing.
CREATE TABLE attendances (
    id            TEXT PRIMARY KEY,   -- UUID
    learner_email TEXT NOT NULL,      -- normalised address, as on completions
    learner_name  TEXT NOT NULL,      -- as the export wrote it
    session_key   TEXT NOT NULL,      -- normalised title, '|' and the session's local day
    session_title TEXT NOT NULL,      -- as the export wrote it
    session_start TEXT NOT NULL,      -- the session's start (or its day at midnight, local), UTC
    minutes       BIGINT NOT NULL CHECK (minutes >= 0),  -- the longest attendance reported
    source        TEXT NOT NULL,      -- the layout it was read from: 'list', 'zoom', 'teams'
    created_at    TEXT NOT NULL,      -- when insigne first recorded it
    updated_at    TEXT NOT NULL       -- when its minutes last grew
);
CREATE UNIQUE INDEX attendances_learner_session ON attendances (learner_email, session_key);
