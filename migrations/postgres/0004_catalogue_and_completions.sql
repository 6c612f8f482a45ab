-- The e-CAP catalogue and automatic awarding from completed modules.

-- Catalogue entries are upserted by code: loading a catalogue again updates, never deletes.
ALTER TABLE issuers ADD COLUMN code TEXT;              -- the catalogue's issuer code; NULL: made by hand
CREATE UNIQUE INDEX issuers_code ON issuers (code);
ALTER TABLE badge_classes ADD COLUMN code TEXT;        -- the catalogue's badge code; NULL: made by hand
CREATE UNIQUE INDEX badge_classes_code ON badge_classes (code);
ALTER TABLE badge_classes ADD COLUMN rule TEXT;        -- JSON award rule; NULL: awarded by hand only

CREATE TABLE frameworks (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT,
    url         TEXT,
    updated_at  TEXT NOT NULL
);

CREATE TABLE competencies (
    framework_code TEXT NOT NULL REFERENCES frameworks (code),
    code           TEXT NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT,
    url            TEXT,
    PRIMARY KEY (framework_code, code)
);

CREATE TABLE parcours (
    code        TEXT PRIMARY KEY,
    title       TEXT NOT NULL,
    description TEXT,
    updated_at  TEXT NOT NULL
);

CREATE TABLE modules (
    code          TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    parcours_code TEXT NOT NULL REFERENCES parcours (code),
    hours         DOUBLE PRECISION NOT NULL,
    modality      TEXT NOT NULL CHECK (modality IN ('presentiel', 'classe_virtuelle', 'distance')),
    lms_ids       TEXT NOT NULL,   -- JSON array of the names imports use for the module
    competencies  TEXT NOT NULL,   -- JSON array of {framework, code}
    updated_at    TEXT NOT NULL
);

-- A completed module, stored once: a second report of the same learner and module, or of the
-- same source and external id, is recognised by these unique keys and changes nothing.
CREATE TABLE completions (
    id            TEXT PRIMARY KEY,
    learner_email TEXT NOT NULL,   -- lower-cased
    learner_name  TEXT NOT NULL,
    module_code   TEXT NOT NULL REFERENCES modules (code),
    completed_at  TEXT NOT NULL,
    source        TEXT NOT NULL,   -- e.g. 'moodle-csv', 'api'
    external_id   TEXT,            -- the source's own id for it, when it has one
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX completions_learner_module ON completions (learner_email, module_code);
CREATE UNIQUE INDEX completions_source_external ON completions (source, external_id);

-- One row per learner and badge class awarded by a rule: whoever inserts it issues the award,
-- so concurrent evaluations never award the same badge twice.
CREATE TABLE award_claims (
    badge_class_id  TEXT NOT NULL REFERENCES badge_classes (id),
    recipient_email TEXT NOT NULL,
    award_id        TEXT NOT NULL,
    claimed_at      TEXT NOT NULL,
    PRIMARY KEY (badge_class_id, recipient_email)
);
