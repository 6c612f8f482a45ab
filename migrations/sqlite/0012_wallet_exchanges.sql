-- Deliveries of a trainer's badge to their wallet: a VC-API exchange (the Learner Credential
-- Wallet) or an OpenID for Verifiable Credential Issuance offer (other wallets). One row is one
-- delivery, whichever protocol completes it first; it is the trainer's data (export, erasure).
CREATE TABLE wallet_exchanges (
    id                  TEXT PRIMARY KEY,      -- random, unguessable: the exchange's URL
    award_id            TEXT NOT NULL REFERENCES awards (id),
    email               TEXT NOT NULL,         -- the signed-in trainer who asked for it
    challenge           TEXT NOT NULL,         -- what the holder's DIDAuth presentation must carry
    pre_authorized_code TEXT UNIQUE,           -- OID4VCI: the code the offer carries
    access_token_hash   TEXT UNIQUE,           -- OID4VCI: SHA-256 (hex) of the token given for it
    token_expires_at    TEXT,                  -- OID4VCI: when that token stops working
    c_nonce             TEXT,                  -- OID4VCI: what the holder's proof JWT must carry
    created_at          TEXT NOT NULL,
    expires_at          TEXT NOT NULL,         -- 15 minutes after creation
    completed_at        TEXT,                  -- set once, when the credential is delivered
    protocol            TEXT,                  -- 'vcapi' or 'oid4vci': the one that delivered
    holder              TEXT,                  -- the DID the credential was issued to
    credential_id       TEXT                   -- the urn:uuid of the credential delivered
);
CREATE INDEX wallet_exchanges_email ON wallet_exchanges (email);
