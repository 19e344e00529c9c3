-- Token names follow the display-name rules now (1..=190 characters, `CI token`), unique among an
-- account's unrevoked tokens case-insensitively: a key column like the other named tables have.
-- The migration hook (src/store/mod.rs) then recomputes every name key with the current
-- `name_key` rule, which also ignores invisible characters and folds runs of white space.
ALTER TABLE tokens ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
-- The token a rotation replaced (NULL for a token made by `token create`).
ALTER TABLE tokens ADD COLUMN rotated_from INTEGER;
-- 1 for a token restored by `satui import`: its secret was never in the file, so it cannot
-- authenticate until it is rotated.
ALTER TABLE tokens ADD COLUMN imported INTEGER NOT NULL DEFAULT 0;
UPDATE tokens SET name_key = lower(name);
DROP INDEX tokens_live_name;
CREATE UNIQUE INDEX tokens_live_name ON tokens(sa_id, name_key) WHERE revoked_at IS NULL;
-- The HTTP API lists an org's accounts in login order, as Grafana does.
CREATE INDEX service_accounts_by_login ON service_accounts(org_id, login);
