-- The tokens view lists every token of an org by expiry (never-expiring last) and filters it by
-- state: the org is kept on each token (an account never changes org) so one index serves the
-- order, and the filters' columns are in the indexes so counting never reads the table.
ALTER TABLE tokens ADD COLUMN org_id INTEGER NOT NULL DEFAULT 0;
UPDATE tokens SET org_id = (SELECT org_id FROM service_accounts WHERE id = tokens.sa_id);
CREATE INDEX tokens_by_org_expiry
    ON tokens(org_id, coalesce(expires_at, 9223372036854775807), revoked_at);
CREATE INDEX tokens_revoked_by_org ON tokens(org_id, revoked_at) WHERE revoked_at IS NOT NULL;
CREATE INDEX tokens_unused_by_org
    ON tokens(org_id, coalesce(expires_at, 9223372036854775807), revoked_at) WHERE last_used_at IS NULL;
CREATE INDEX tokens_by_org_last_use
    ON tokens(org_id, coalesce(last_used_at, created_at), coalesce(expires_at, 9223372036854775807), revoked_at);

-- Counts kept per org (the Orgs view and the tokens view's total), instead of counting a
-- million rows each time. Triggers keep them in step, deletes by cascade included.
CREATE TABLE org_counts (
    org_id   INTEGER PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
    accounts INTEGER NOT NULL DEFAULT 0,
    tokens   INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO org_counts (org_id, accounts, tokens)
    SELECT o.id,
           (SELECT count(*) FROM service_accounts a WHERE a.org_id = o.id),
           (SELECT count(*) FROM tokens t WHERE t.org_id = o.id)
    FROM orgs o;
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

-- The audit log is read newest first by time, an org's events merged with the store-wide ones.
CREATE INDEX audit_by_org_time ON audit_events(org_id, at, id);
