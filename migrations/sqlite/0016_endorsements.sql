-- Endorsements: a tutor or the DANE vouches for a badge class or for one award. Each is an
-- OB 3.0 EndorsementCredential signed like every credential (Data Integrity and VC-JWT, with a
-- revocation bit in its issuer's status list, keyed by the endorsement's id) and an OB 2.0
-- Endorsement, all stored as issued: a GET never re-signs.
CREATE TABLE endorsements (
    id                TEXT PRIMARY KEY,  -- UUID; its public URL /endossements/{id}
    target_kind       TEXT NOT NULL,     -- 'badge_class' or 'award'
    target_id         TEXT NOT NULL,     -- the badge class's or the award's id
    issuer_id         TEXT NOT NULL REFERENCES issuers (id),  -- who signs it
    endorser          TEXT NOT NULL,     -- the console user who endorsed (an address)
    endorser_name     TEXT NOT NULL,     -- as the pages and the credential say it
    comment           TEXT NOT NULL,     -- the endorsement's text (endorsementComment)
    credential        TEXT NOT NULL,     -- the signed EndorsementCredential (JSON)
    jwt               TEXT NOT NULL,     -- the same as a VC-JWT
    ob2               TEXT NOT NULL,     -- the OB 2.0 Endorsement (hosted)
    created_at        TEXT NOT NULL,
    revoked_at        TEXT,
    revocation_reason TEXT
);
CREATE INDEX endorsements_target ON endorsements (target_kind, target_id, created_at);
