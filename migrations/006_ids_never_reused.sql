-- Ids are never reused (issue 20): without AUTOINCREMENT, SQLite gives a new row the largest id
-- plus one, so deleting the newest account handed its id, and every grant and script naming it,
-- to the next account created. SQLite cannot add AUTOINCREMENT to a table in place, so each of
-- the five tables whose ids users see (orgs, service accounts, tokens, roles, groups) is rebuilt
-- the way SQLite's "Making Other Kinds Of Table Schema Changes" describes: new table, copy, drop,
-- rename, indexes and triggers again. The copy keeps every id, and sqlite_sequence starts at
-- the largest one. Runs with foreign_keys OFF (set by the caller: the drops must not cascade),
-- and the migration checks the foreign keys before it commits.

-- Grants naming an account that no longer exists are removed first, with an event each: until
-- now the next account could have been given that id.
INSERT INTO audit_events (at, org_id, actor, action, target, details)
    SELECT unixepoch(), r.org_id, 'satui (migration 006)', 'role.permission.remove', 'role ' || r.name,
           p.action || ' ' || p.scope || ' (its service account no longer exists)'
    FROM role_permissions p JOIN roles r ON r.id = p.role_id
    WHERE p.scope GLOB 'serviceaccounts:id:[0-9]*'
      AND CAST(substr(p.scope, 20) AS INTEGER) NOT IN (SELECT id FROM service_accounts);
DELETE FROM role_permissions
    WHERE scope GLOB 'serviceaccounts:id:[0-9]*'
      AND CAST(substr(scope, 20) AS INTEGER) NOT IN (SELECT id FROM service_accounts);

-- Rows whose parent is gone (another SQLite client may have written with foreign keys off, the
-- sqlite3 shell's default) would fail the foreign-key check at the end and leave the store
-- unopenable: they go first. They were unreachable already (nothing lists them).
DELETE FROM service_accounts WHERE org_id NOT IN (SELECT id FROM orgs);
DELETE FROM roles WHERE org_id NOT IN (SELECT id FROM orgs);
DELETE FROM groups WHERE org_id NOT IN (SELECT id FROM orgs);
DELETE FROM tokens WHERE sa_id NOT IN (SELECT id FROM service_accounts);
DELETE FROM role_permissions WHERE role_id NOT IN (SELECT id FROM roles);
DELETE FROM group_members
    WHERE group_id NOT IN (SELECT id FROM groups) OR sa_id NOT IN (SELECT id FROM service_accounts);
DELETE FROM role_assignments
    WHERE (holder_sa IS NOT NULL AND holder_sa NOT IN (SELECT id FROM service_accounts))
       OR (holder_group IS NOT NULL AND holder_group NOT IN (SELECT id FROM groups))
       OR (role_id IS NOT NULL AND role_id NOT IN (SELECT id FROM roles));
DELETE FROM org_counts WHERE org_id NOT IN (SELECT id FROM orgs);

-- The triggers go first, explicitly: none may fire while rows are copied or tables dropped.
DROP TRIGGER org_counts_new_org;
DROP TRIGGER org_counts_account_in;
DROP TRIGGER org_counts_account_out;
DROP TRIGGER org_counts_token_in;
DROP TRIGGER org_counts_token_out;
DROP TRIGGER service_accounts_search_insert;
DROP TRIGGER service_accounts_search_delete;
DROP TRIGGER service_accounts_search_update;

CREATE TABLE orgs_new (
    id                      INTEGER PRIMARY KEY AUTOINCREMENT,
    name                    TEXT    NOT NULL,
    name_key                TEXT    NOT NULL UNIQUE,
    max_token_lifetime_days INTEGER CHECK (max_token_lifetime_days BETWEEN 1 AND 3650),
    created_at              INTEGER NOT NULL
) STRICT;
INSERT INTO orgs_new (id, name, name_key, max_token_lifetime_days, created_at)
    SELECT id, name, name_key, max_token_lifetime_days, created_at FROM orgs;
DROP TABLE orgs;
ALTER TABLE orgs_new RENAME TO orgs;

CREATE TABLE service_accounts_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO service_accounts_new
        (id, org_id, name, name_key, login, description, role, disabled, managed_by, created_at, updated_at)
    SELECT id, org_id, name, name_key, login, description, role, disabled, managed_by, created_at, updated_at
    FROM service_accounts;
DROP TABLE service_accounts;
ALTER TABLE service_accounts_new RENAME TO service_accounts;
CREATE INDEX service_accounts_list ON service_accounts(org_id, name_key, id, login);
CREATE INDEX service_accounts_by_login ON service_accounts(org_id, login);

CREATE TABLE tokens_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    sa_id         INTEGER NOT NULL REFERENCES service_accounts(id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    hash          BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
    hint          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    lifetime_days INTEGER,
    expires_at    INTEGER,
    max_age_days  INTEGER,
    last_used_at  INTEGER,
    revoked_at    INTEGER,
    name_key      TEXT    NOT NULL DEFAULT '',
    rotated_from  INTEGER,
    imported      INTEGER NOT NULL DEFAULT 0,
    org_id        INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO tokens_new (id, sa_id, name, hash, hint, created_at, lifetime_days, expires_at, max_age_days,
                        last_used_at, revoked_at, name_key, rotated_from, imported, org_id)
    SELECT id, sa_id, name, hash, hint, created_at, lifetime_days, expires_at, max_age_days,
           last_used_at, revoked_at, name_key, rotated_from, imported, org_id
    FROM tokens;
DROP TABLE tokens;
ALTER TABLE tokens_new RENAME TO tokens;
CREATE INDEX tokens_by_account ON tokens(sa_id, created_at);
CREATE UNIQUE INDEX tokens_live_name ON tokens(sa_id, name_key) WHERE revoked_at IS NULL;
CREATE INDEX tokens_by_org_expiry
    ON tokens(org_id, coalesce(expires_at, 9223372036854775807), revoked_at);
CREATE INDEX tokens_revoked_by_org ON tokens(org_id, revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX tokens_unused_by_org
    ON tokens(org_id, coalesce(expires_at, 9223372036854775807), revoked_at) WHERE last_used_at IS NULL;
CREATE INDEX tokens_by_org_last_use
    ON tokens(org_id, coalesce(last_used_at, created_at), coalesce(expires_at, 9223372036854775807), revoked_at);

CREATE TABLE roles_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    managed_by  TEXT,
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, name_key)
) STRICT;
INSERT INTO roles_new (id, org_id, name, name_key, description, managed_by, created_at)
    SELECT id, org_id, name, name_key, description, managed_by, created_at FROM roles;
DROP TABLE roles;
ALTER TABLE roles_new RENAME TO roles;

CREATE TABLE groups_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, name_key)
) STRICT;
INSERT INTO groups_new (id, org_id, name, name_key, description, created_at)
    SELECT id, org_id, name, name_key, description, created_at FROM groups;
DROP TABLE groups;
ALTER TABLE groups_new RENAME TO groups;

-- The triggers of migrations 003 and 005, as they were.
CREATE TRIGGER service_accounts_search_insert AFTER INSERT ON service_accounts BEGIN
    INSERT INTO service_accounts_search (rowid, name_key, login) VALUES (new.id, new.name_key, new.login);
END;
CREATE TRIGGER service_accounts_search_delete AFTER DELETE ON service_accounts BEGIN
    INSERT INTO service_accounts_search (service_accounts_search, rowid, name_key, login)
        VALUES ('delete', old.id, old.name_key, old.login);
END;
CREATE TRIGGER service_accounts_search_update AFTER UPDATE OF name_key, login ON service_accounts
    WHEN old.name_key IS NOT new.name_key OR old.login IS NOT new.login
BEGIN
    INSERT INTO service_accounts_search (service_accounts_search, rowid, name_key, login)
        VALUES ('delete', old.id, old.name_key, old.login);
    INSERT INTO service_accounts_search (rowid, name_key, login) VALUES (new.id, new.name_key, new.login);
END;
CREATE TRIGGER org_counts_new_org AFTER INSERT ON orgs BEGIN
    INSERT INTO org_counts (org_id) VALUES (new.id);
END;
CREATE TRIGGER org_counts_account_in AFTER INSERT ON service_accounts BEGIN
    UPDATE org_counts SET accounts = accounts + 1 WHERE org_id = new.org_id;
END;
CREATE TRIGGER org_counts_account_out AFTER DELETE ON service_accounts BEGIN
    UPDATE org_counts SET accounts = accounts - 1 WHERE org_id = old.org_id;
END;
CREATE TRIGGER org_counts_token_in AFTER INSERT ON tokens BEGIN
    UPDATE org_counts SET tokens = tokens + 1 WHERE org_id = new.org_id;
END;
CREATE TRIGGER org_counts_token_out AFTER DELETE ON tokens BEGIN
    UPDATE org_counts SET tokens = tokens - 1 WHERE org_id = old.org_id;
END;
