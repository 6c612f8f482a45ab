-- Durable awarding: the learners waiting for evaluation, what imports did, and the locks that
-- keep replicas from doing the same one-off work at once.

-- A learner whose rules must be evaluated. The mark is written in the transaction that records
-- their completions (or loads a catalogue) and removed by the evaluation that saw the last mark,
-- so a crash or an error at any point leaves it for a worker to finish. A worker holds a learner
-- for a while (its lease); a dead worker's lease runs out and another takes the learner.
CREATE TABLE evaluation_queue (
    learner_email TEXT PRIMARY KEY,     -- normalised address, as on completions
    marked_at     TEXT NOT NULL,        -- when the learner began waiting; later marks keep it
    generation    INTEGER NOT NULL,     -- raised by every mark: an evaluation removes the row only if it saw the last
    lease_owner   TEXT,                 -- the evaluation under way; NULL: nobody holds it
    lease_until   TEXT,                 -- the owner's lease ends then; without owner: not before then (after a failure)
    attempts      INTEGER NOT NULL DEFAULT 0,  -- failed evaluations since the last mark was taken
    last_error    TEXT                  -- why the last attempt failed
);
CREATE INDEX evaluation_queue_due ON evaluation_queue (lease_until);
CREATE INDEX evaluation_queue_owner ON evaluation_queue (lease_owner);

-- Completion imports, as the operator's status shows them.
CREATE TABLE imports (
    id              TEXT PRIMARY KEY,   -- UUID
    source          TEXT NOT NULL,      -- 'moodle-csv'
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    status          TEXT NOT NULL,      -- 'running', 'done' or 'failed' (a process that died leaves 'running')
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    completions_new INTEGER NOT NULL DEFAULT 0,
    awards_issued   INTEGER NOT NULL DEFAULT 0,
    error           TEXT
);
CREATE INDEX imports_started ON imports (started_at);

-- One row per lock: a transaction that writes the row holds it until it ends, so replicas
-- started together load the first catalogue one after the other.
CREATE TABLE locks (
    name     TEXT PRIMARY KEY,
    taken_at TEXT NOT NULL
);
