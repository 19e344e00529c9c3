-- One truth about when a token stops working (domain/expiry.rs `ends_at`): the earliest of its
-- expiry and its revocation, where a revocation in the future is the end of a rotation's grace.
-- 9223372036854775807 stands for "never". A virtual generated column costs no space; the lists
-- walk the indexes below in end order, so a token retiring in an hour sorts before a 30-day one.
ALTER TABLE tokens ADD COLUMN ends_at INTEGER GENERATED ALWAYS AS
    (min(coalesce(expires_at, 9223372036854775807), coalesce(revoked_at, 9223372036854775807))) VIRTUAL;

DROP INDEX tokens_by_org_expiry;
CREATE INDEX tokens_by_org_end ON tokens(org_id, ends_at, revoked_at);
DROP INDEX tokens_unused_by_org;
CREATE INDEX tokens_unused_by_org ON tokens(org_id, ends_at, revoked_at) WHERE last_used_at IS NULL;
DROP INDEX tokens_by_org_last_use;
CREATE INDEX tokens_by_org_last_use ON tokens(org_id, coalesce(last_used_at, created_at), ends_at, revoked_at);
