-- Who did what and when, through the console, the API or the CLI: append-only (the trigger
-- refuses any change to a written entry).
CREATE TABLE audit_log (
    seq    BIGSERIAL PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,   -- 'console:EMAIL', 'token:ID' or 'cli'
    action TEXT NOT NULL,   -- e.g. 'POST /api/v1/issuers', 'admins add', 'console sign-in'
    target TEXT,            -- what it acted on (an id, an address), when known
    detail TEXT             -- the outcome (the HTTP status), when useful
);
CREATE INDEX audit_log_at ON audit_log (at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
