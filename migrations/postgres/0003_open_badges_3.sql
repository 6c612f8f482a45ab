-- Open Badges 3.0: the credential of each award, signed once at issuance, and revocation
-- status lists (W3C Bitstring Status List).

-- The OpenBadgeCredential with its eddsa-rdfc-2022 proof, and the same credential as a VC-JWT,
-- exactly as issued. NULL only for awards issued before this migration (signed at start).
ALTER TABLE awards ADD COLUMN ob3_credential TEXT;
ALTER TABLE awards ADD COLUMN ob3_jwt TEXT;

-- One revocation list per issuer and Ed25519 signing key (`list_key`, the key id): each list is
-- signed by the key of the credentials it covers, so it stays verifiable after a rotation.
CREATE TABLE status_lists (
    issuer_id  TEXT NOT NULL REFERENCES issuers (id),
    list_key   TEXT NOT NULL,
    credential TEXT NOT NULL,   -- the signed BitstringStatusListCredential, served as stored
    version    BIGINT NOT NULL, -- bumped by every rewrite: the row lock orders concurrent revocations
    updated_at TEXT NOT NULL,
    PRIMARY KEY (issuer_id, list_key)
);

-- The position of each award in its list. Indexes are drawn at random (never reused) so that
-- an index tells nothing about when a badge was issued. The award row is written after its
-- index is drawn (the credential it signs names the index), hence no foreign key to awards.
CREATE TABLE status_entries (
    award_id  TEXT PRIMARY KEY,
    issuer_id TEXT NOT NULL,
    list_key  TEXT NOT NULL,
    idx       BIGINT NOT NULL,  -- 0 .. 131071
    UNIQUE (issuer_id, list_key, idx)
);
