//! Stores made by earlier versions open, migrate and stay valid.

use satui::service::Service;

use crate::common::{DAY, T0};

/// A store as satui with schema 3 left it: migrations 001–003, with rows the old rules allowed
/// (lowercase-label token names, names differing only by a zero-width space).
fn schema_3_store(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for sql in [
        include_str!("../../migrations/001_initial.sql"),
        include_str!("../../migrations/002_roles_groups.sql"),
        include_str!("../../migrations/003_account_list_index.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(&format!(
        "PRAGMA user_version = 3; PRAGMA application_id = {};
         INSERT INTO service_accounts (id, org_id, name, name_key, login, role, created_at, updated_at)
           VALUES (1, 1, 'ci-deployer', 'ci-deployer', 'sa-1-ci-deployer', 'Viewer', {T0}, {T0}),
                  (2, 1, 'ci\u{200b}-deployer', 'ci\u{200b}-deployer', 'sa-1-ci-deployer-2', 'Viewer', {T0}, {T0});
         INSERT INTO tokens (sa_id, name, hash, hint, created_at, lifetime_days, expires_at, revoked_at)
           VALUES (1, 'deploy-main', randomblob(32), 'sat_…efgh', {T0}, 30, {}, {T0}),
                  (1, 'deploy-main', randomblob(32), 'sat_…abcd', {T0}, 30, {}, NULL);",
        satui_store::APPLICATION_ID,
        T0 + 30 * DAY,
        T0 + 30 * DAY
    ))
    .unwrap();
    // Make the file private, as satui would have.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn a_schema_3_store_migrates_keeps_its_tokens_and_its_look_alike_names_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    schema_3_store(&path);
    let mut service = Service::open(&path).expect("an old store opens");
    let org = service.default_org().unwrap().id;
    // Both old accounts are still there; the look-alike kept a distinct key, so it can be renamed.
    let accounts = service.account_page(org, "", 0, 10).unwrap().accounts;
    assert_eq!(accounts.len(), 2);
    // New names see through the invisible character: a third look-alike is refused.
    let clash =
        service.create_account(org, &satui::service::NewAccount { name: "CI-DEPLOYER".into(), ..Default::default() });
    assert!(matches!(clash, Err(satui::service::Error::Conflict { what: satui::service::Entity::Account, .. })));
    // Token names are case-insensitive now and the old ones keep working by name.
    let account = service.find_account(org, "ci-deployer").unwrap();
    assert_eq!(service.find_token(&account, "DEPLOY-MAIN").unwrap().hint, "sat_…abcd");
    let dup = service.create_token(account.id, &crate::common::new_token("Deploy-Main", crate::common::days(7)));
    assert!(
        matches!(dup, Err(satui::service::Error::Conflict { what: satui::service::Entity::Token, .. })),
        "the live name is taken"
    );
    // Migration 005: the old tokens joined their org's token list and its kept counts.
    let listed = service.org_tokens(org, &Default::default(), 0, 10).unwrap();
    assert_eq!(listed.len(), 2, "both old tokens are in the org-wide list");
    assert_eq!(service.count_org_tokens(org, &Default::default()).unwrap(), 2, "the kept count starts right");
    let summary = service.org_summaries().unwrap().into_iter().find(|s| s.org.id == org).unwrap();
    assert_eq!((summary.accounts, summary.tokens), (2, 2));
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(), 7);
    assert_eq!(conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).unwrap(), "ok");
}
