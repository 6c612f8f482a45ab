-- An import's progress while it runs (so that any replica can show it), and its summary once
-- done (the rows rejected with their reasons, the awards issued), kept for the console's list.
ALTER TABLE imports ADD COLUMN phase TEXT;
ALTER TABLE imports ADD COLUMN progress_done INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN progress_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN summary TEXT;
ALTER TABLE imports ADD COLUMN file_name TEXT;
ALTER TABLE imports ADD COLUMN started_by TEXT;

-- A file an admin uploaded to the console and is looking at in a dry run: kept until they
-- confirm (then used and deleted) or for a day, so that the confirmation applies exactly the
-- file previewed, on whichever replica it lands.
CREATE TABLE console_uploads (
    id         TEXT PRIMARY KEY,   -- random, unguessable
    kind       TEXT NOT NULL,      -- 'catalogue' or 'moodle-csv'
    owner      TEXT NOT NULL,      -- the admin's address
    file_name  TEXT NOT NULL,
    content    BYTEA NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX console_uploads_created ON console_uploads (created_at);
