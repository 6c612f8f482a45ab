-- OB 2.0 signed assertions: the compact JWS (RS256) signed once at issuance and served as stored.
-- NULL only for awards issued before this migration; `insigne serve` signs those at start.
ALTER TABLE awards ADD COLUMN ob2_signed TEXT;

-- Revocation lists are read per issuer: find revoked awards without scanning the others.
CREATE INDEX awards_revoked ON awards (revoked_at);
