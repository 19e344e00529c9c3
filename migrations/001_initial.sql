-- satui schema v1. Never edit after release: add 002_*.sql instead.
-- Timestamps are Unix seconds (UTC). *_key columns hold lowercased names for case-insensitive
-- uniqueness and ordering (SQLite's NOCASE folds ASCII only).

CREATE TABLE orgs (
    id                      INTEGER PRIMARY KEY,
    name                    TEXT    NOT NULL,
    name_key                TEXT    NOT NULL UNIQUE,
    max_token_lifetime_days INTEGER CHECK (max_token_lifetime_days BETWEEN 1 AND 3650),
    created_at              INTEGER NOT NULL
) STRICT;

CREATE TABLE service_accounts (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,
    login       TEXT    NOT NULL UNIQUE,
    description TEXT    NOT NULL DEFAULT '',
    role        TEXT    NOT NULL CHECK (role IN ('None', 'Viewer', 'Editor', 'Admin')),
    disabled    INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    managed_by  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    UNIQUE (org_id, name_key)
) STRICT;
-- The UNIQUE above doubles as the index for the paged, name-ordered list of an org.

CREATE TABLE tokens (
    id            INTEGER PRIMARY KEY,
    sa_id         INTEGER NOT NULL REFERENCES service_accounts(id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    hash          BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
    hint          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    lifetime_days INTEGER,
    expires_at    INTEGER,
    max_age_days  INTEGER,
    last_used_at  INTEGER,
    revoked_at    INTEGER
) STRICT;
-- Names are unique among an account's unrevoked tokens, so a rotated token keeps its name while
-- the revoked predecessor stays visible in the list.
CREATE UNIQUE INDEX tokens_live_name ON tokens(sa_id, name) WHERE revoked_at IS NULL;
CREATE INDEX tokens_by_account ON tokens(sa_id, created_at);

CREATE TABLE audit_events (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    org_id  INTEGER,            -- no foreign key: the history outlives a deleted org
    actor   TEXT    NOT NULL,
    action  TEXT    NOT NULL,
    target  TEXT    NOT NULL,
    details TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_by_org ON audit_events(org_id, id);

INSERT INTO orgs (id, name, name_key, created_at) VALUES (1, 'Main Org.', 'main org.', unixepoch());
