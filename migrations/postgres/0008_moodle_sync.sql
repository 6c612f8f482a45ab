-- Pulling completions from Moodle's web services: which Moodle course holds a parcours, which
-- course module is a module's activity, and the summary of every sync.
ALTER TABLE parcours ADD COLUMN moodle_course_id BIGINT;
ALTER TABLE modules ADD COLUMN cmid BIGINT;

CREATE TABLE moodle_syncs (
    id          TEXT PRIMARY KEY,   -- UUID
    seq         BIGINT NOT NULL,    -- the order syncs started in (clocks may stand still or step back)
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    status      TEXT NOT NULL,      -- 'running', 'done' or 'failed' (a process that died leaves 'running')
    summary     TEXT                -- JSON: courses, learners seen, completions new, awards, errors, withdrawn
);
CREATE INDEX moodle_syncs_seq ON moodle_syncs (seq);
