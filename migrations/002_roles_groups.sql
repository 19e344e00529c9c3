-- satui schema v2: roles, groups, assignments. Never edit after release.

-- Custom roles of an org (kind 'custom') and roles that plugins manage (kind 'managed').
-- Built-in basic and fixed roles come from assets/permissions.json and are not stored; an
-- assignment of a fixed role stores its name in fixed_role instead of a role_id.
CREATE TABLE roles (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    managed_by  TEXT,
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, name_key)
) STRICT;

CREATE TABLE role_permissions (
    role_id INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    action  TEXT    NOT NULL,
    scope   TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (role_id, action, scope)
) STRICT;

CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (org_id, name_key)
) STRICT;

CREATE TABLE group_members (
    group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    sa_id    INTEGER NOT NULL REFERENCES service_accounts(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, sa_id)
) STRICT;
CREATE INDEX group_members_by_account ON group_members(sa_id);

-- A role held by an account (holder_sa) or a group (holder_group): exactly one holder, and
-- exactly one of a custom role id or a fixed role name.
CREATE TABLE role_assignments (
    id           INTEGER PRIMARY KEY,
    holder_sa    INTEGER REFERENCES service_accounts(id) ON DELETE CASCADE,
    holder_group INTEGER REFERENCES groups(id) ON DELETE CASCADE,
    role_id      INTEGER REFERENCES roles(id) ON DELETE CASCADE,
    fixed_role   TEXT,
    CHECK ((holder_sa IS NULL) <> (holder_group IS NULL)),
    CHECK ((role_id IS NULL) <> (fixed_role IS NULL))
) STRICT;
CREATE UNIQUE INDEX role_assignments_unique
    ON role_assignments(coalesce(holder_sa, 0), coalesce(holder_group, 0), coalesce(role_id, 0), coalesce(fixed_role, ''));
CREATE INDEX role_assignments_by_sa ON role_assignments(holder_sa);
CREATE INDEX role_assignments_by_group ON role_assignments(holder_group);
CREATE INDEX role_assignments_by_role ON role_assignments(role_id);
