-- Who did what and when, through the console, the API or the CLI: append-only (the triggers
-- refuse any change to a written entry).
CREATE TABLE audit_log (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,   -- 'console:EMAIL', 'token:ID' or 'cli'
    action TEXT NOT NULL,   -- e.g. 'POST /api/v1/issuers', 'admins add', 'console sign-in'
    target TEXT,            -- what it acted on (an id, an address), when known
    detail TEXT             -- the outcome (the HTTP status), when useful
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
