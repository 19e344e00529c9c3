//! Integrity of the store (issue 20): ids are never reused, grants die with the account they
//! name, old stores migrate to both rules, and every check a write depends on runs inside its
//! transaction.

use satui::domain::role::BasicRole;
use satui::service::{Error, NewAccount, Service};

use crate::common::{Fixture, T0, days, new_account, new_token};

fn permissions_of(service: &Service, org: i64, role: &str) -> Vec<satui::domain::permission::Permission> {
    let role = service.find_role(org, role).unwrap();
    service.role_permissions(&role).unwrap()
}

fn sequence_ids(fx: &mut Fixture) -> [(i64, i64); 5] {
    let org = fx.main_org();
    let s = &mut fx.service;
    let account =
        |s: &mut Service, name: &str| s.create_account(org, &new_account(name, BasicRole::Viewer)).unwrap().id;
    // Each kind: make two, delete the newer, make another: the new id is never the deleted one.
    let a1 = account(s, "a1");
    let a2 = account(s, "a2");
    s.delete_account(a2).unwrap();
    let a3 = account(s, "a3");

    let t1 = s.create_token(a1, &new_token("t1", days(7))).unwrap().token.id;
    let t2 = s.create_token(a1, &new_token("t2", days(7))).unwrap().token.id;
    s.delete_token(t2).unwrap();
    let t3 = s.create_token(a1, &new_token("t3", days(7))).unwrap().token.id;
    assert!(t3 > t1);

    s.create_role(org, "r1", "", &[]).unwrap();
    let r2 = s.create_role(org, "r2", "", &[]).unwrap().id;
    s.delete_role(org, "r2").unwrap();
    let r3 = s.create_role(org, "r3", "", &[]).unwrap().id;

    s.create_group(org, "g1", "").unwrap();
    let g2 = s.create_group(org, "g2", "").unwrap().id;
    s.delete_group(org, "g2").unwrap();
    let g3 = s.create_group(org, "g3", "").unwrap().id;

    let o2 = s.create_org("Second").unwrap().id;
    s.delete_org(o2).unwrap();
    let o3 = s.create_org("Third").unwrap().id;
    [(a2, a3), (t2, t3), (r2, r3), (g2, g3), (o2, o3)]
}

#[test]
fn ids_of_deleted_rows_are_never_given_out_again() {
    let mut fx = Fixture::new();
    for (kind, (deleted, next)) in ["account", "token", "role", "group", "org"].iter().zip(sequence_ids(&mut fx)) {
        assert!(next > deleted, "a new {kind} got id {next}, not above the deleted {deleted}");
    }
}

#[test]
fn deleting_an_account_removes_the_grants_scoped_to_its_id_with_an_event() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let target = fx.account("target");
    let other = fx.account("other");
    let scope = format!("serviceaccounts:id:{}", target.id);
    let other_scope = format!("serviceaccounts:id:{}", other.id);
    fx.service.create_role(org, "deployers", "", &[]).unwrap();
    for (action, scope) in [
        ("serviceaccounts:write", scope.as_str()),
        ("serviceaccounts:read", scope.as_str()),
        ("serviceaccounts:write", other_scope.as_str()),
        ("serviceaccounts:read", "serviceaccounts:id:*"),
    ] {
        assert!(fx.service.change_role_permission(org, "deployers", action, scope, true).unwrap());
    }
    fx.service.delete_account(target.id).unwrap();

    let left: Vec<String> = permissions_of(&fx.service, org, "deployers").iter().map(|p| p.describe()).collect();
    assert_eq!(
        left,
        vec!["serviceaccounts:read serviceaccounts:id:*".to_string(), format!("serviceaccounts:write {other_scope}")],
        "exactly the two grants naming the deleted account went"
    );
    let removals: Vec<_> = fx.audit().into_iter().filter(|e| e.action == "role.permission.remove").collect();
    assert_eq!(removals.len(), 2, "one event per grant removed");
    for event in &removals {
        assert_eq!(event.target, "role deployers");
        assert!(event.details.contains(&scope), "{}", event.details);
        assert!(event.details.contains(&target.login), "the event names the deleted account: {}", event.details);
    }
}

#[test]
fn a_viewer_holding_a_grant_on_a_deleted_account_gets_nothing_on_the_next_one() {
    // The attack of issue 20: a grant on account N outlived N, and the next account (an Admin)
    // took id N. Now the id is new and the grant is gone.
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let viewer = fx.account("viewer");
    let doomed = fx.account("doomed");
    fx.service.create_role(org, "one-account", "", &[]).unwrap();
    let scope = format!("serviceaccounts:id:{}", doomed.id);
    fx.service.change_role_permission(org, "one-account", "serviceaccounts:write", &scope, true).unwrap();
    fx.service.assign_role(viewer.id, "one-account", true).unwrap();
    fx.service.delete_account(doomed.id).unwrap();
    let admin = fx.service.create_account(org, &new_account("admin", BasicRole::Admin)).unwrap();
    assert_ne!(admin.id, doomed.id);
    let rights = fx.service.access_rights(viewer.id, BasicRole::Viewer).unwrap();
    assert!(!rights.allows("serviceaccounts:write", &format!("serviceaccounts:id:{}", admin.id)));
    assert!(!rights.allows("serviceaccounts:write", &scope));
}

#[test]
fn unregistering_a_plugin_removes_grants_naming_its_account() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let account = fx.service.register_plugin(org, &crate::common::oncall_plugin()).unwrap().account;
    fx.service.create_role(org, "watch-oncall", "", &[]).unwrap();
    let scope = format!("serviceaccounts:id:{}", account.id);
    fx.service.change_role_permission(org, "watch-oncall", "serviceaccounts:read", &scope, true).unwrap();
    fx.service.unregister_plugin(&account.managed_by.clone().unwrap()).unwrap();
    assert!(permissions_of(&fx.service, org, "watch-oncall").is_empty());
}

#[test]
fn a_write_whose_subject_vanished_is_not_found_and_writes_no_event() {
    let mut fx = Fixture::new();
    let account = fx.account("gone");
    let token = fx.token(account.id, "t", days(7)).token;
    // Another connection (another process, say) deletes both between our read and our write.
    let mut other = Service::open_with_clock(&fx.path, fx.clock.clone()).unwrap();
    other.delete_account(account.id).unwrap();
    let events = fx.audit_count();
    for outcome in [
        fx.service.delete_token(token.id).map(|_| ()),
        fx.service.revoke_token(token.id).map(|_| ()),
        fx.service.rotate_token(token.id).map(|_| ()),
        fx.service.create_token(account.id, &new_token("u", days(7))).map(|_| ()),
        fx.service.delete_account(account.id),
    ] {
        assert!(matches!(outcome, Err(Error::NotFound { .. })), "{outcome:?}");
    }
    assert_eq!(fx.audit_count(), events, "a lost race writes no audit event");
}

#[test]
fn a_cap_another_process_just_set_applies_to_the_next_token() {
    let mut fx = Fixture::new();
    let account = fx.account("capped");
    let org = fx.main_org();
    // Set by another connection after this one last looked.
    let mut other = Service::open_with_clock(&fx.path, fx.clock.clone()).unwrap();
    other.update_org(org, &satui::service::OrgChanges { name: None, cap_days: Some(Some(30)) }).unwrap();
    let refused = fx.service.create_token(account.id, &new_token("long", days(90)));
    assert!(matches!(refused, Err(Error::Invalid { .. })), "{refused:?}");
}

/// A store as satui with schema 5 left it (migrations 001–005), with a grant naming an account
/// that was deleted (the newest, so its id was free for the next one).
fn schema_5_store(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    for sql in [
        include_str!("../../migrations/001_initial.sql"),
        include_str!("../../migrations/002_roles_groups.sql"),
        include_str!("../../migrations/003_account_list_index.sql"),
        include_str!("../../migrations/004_name_keys.sql"),
        include_str!("../../migrations/005_tokens_view.sql"),
    ] {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF; PRAGMA user_version = 5; PRAGMA application_id = {app};
         INSERT INTO service_accounts (id, org_id, name, name_key, login, role, created_at, updated_at)
           VALUES (1, 1, 'viewer', 'viewer', 'sa-1-viewer', 'Viewer', {T0}, {T0}),
                  (2, 1, 'keeper', 'keeper', 'sa-1-keeper', 'Editor', {T0}, {T0});
         INSERT INTO tokens (sa_id, org_id, name, name_key, hash, hint, created_at, expires_at)
           VALUES (2, 1, 'deploy', 'deploy', randomblob(32), 'sat_…abcd', {T0}, NULL),
                  -- written by a client with foreign keys off: its account never existed
                  (99, 1, 'orphan', 'orphan', randomblob(32), 'sat_…zzzz', {T0}, NULL);
         INSERT INTO roles (id, org_id, name, name_key, created_at) VALUES (1, 1, 'trap', 'trap', {T0});
         INSERT INTO role_permissions (role_id, action, scope) VALUES
           (1, 'serviceaccounts:write', 'serviceaccounts:id:3'),
           (1, 'serviceaccounts:read', 'serviceaccounts:id:2'),
           (1, 'serviceaccounts:read', 'serviceaccounts:id:*');
         INSERT INTO role_assignments (holder_sa, role_id) VALUES (1, 1);
         INSERT INTO groups (id, org_id, name, name_key, created_at) VALUES (1, 1, 'ops', 'ops', {T0});
         INSERT INTO group_members (group_id, sa_id) VALUES (1, 2);",
        app = satui_store::APPLICATION_ID,
    ))
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

#[test]
fn a_schema_5_store_migrates_to_ids_that_are_never_reused_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    schema_5_store(&path);
    let mut service = Service::open(&path).expect("a schema 5 store opens");
    let org = service.default_org().unwrap().id;

    // Everything is still there, linked as before.
    let keeper = service.find_account(org, "keeper").unwrap();
    assert_eq!(keeper.id, 2);
    assert_eq!(service.tokens(2).unwrap().len(), 1);
    let all_tokens: i64 =
        rusqlite::Connection::open(&path).unwrap().query_row("SELECT count(*) FROM tokens", [], |r| r.get(0)).unwrap();
    assert_eq!(all_tokens, 1, "the orphan token went before the rebuild (the foreign-key check passed)");
    assert_eq!(service.account_groups(2).unwrap()[0].name, "ops");
    assert_eq!(service.account_page(org, "keep", 0, 10).unwrap().total, 1, "the trigram search still finds it");
    // The grant naming the missing account 3 is gone, with an event; the others stay.
    let left: Vec<String> = permissions_of(&service, org, "trap").iter().map(|p| p.describe()).collect();
    assert_eq!(left, ["serviceaccounts:read serviceaccounts:id:*", "serviceaccounts:read serviceaccounts:id:2"]);
    let event =
        service.audit_page(None, "", 0, 100).unwrap().0.into_iter().find(|e| e.action == "role.permission.remove");
    assert!(event.is_some_and(|e| e.details.contains("serviceaccounts:id:3")), "the removal is audited");

    // Id 2 is the newest: deleted, it is not given out again; the cascade and the counts work.
    service.delete_account(2).unwrap();
    let next = service.create_account(org, &NewAccount { name: "next".into(), ..Default::default() }).unwrap();
    assert_eq!(next.id, 3, "above the largest id ever used, not 2 again");
    let summary = service.org_summaries().unwrap().into_iter().find(|s| s.org.id == org).unwrap();
    assert_eq!((summary.accounts, summary.tokens), (2, 0), "kept counts follow the rebuilt tables");

    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).unwrap(), 7);
    assert_eq!(conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0)).unwrap(), "ok");
    let orphans: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(orphans, 0);
    let tokens_left: i64 = conn.query_row("SELECT count(*) FROM tokens", [], |r| r.get(0)).unwrap();
    assert_eq!(tokens_left, 0, "deleting the account still deletes its tokens (foreign key kept)");
}

/// A --db that is a link to a store: SQLite keeps the -wal beside the target, and that is the
/// file satui must leave alone (a scan of the target's folder, a plugin.json path).
#[cfg(unix)]
#[test]
fn a_store_opened_through_a_link_knows_its_real_wal() {
    let dir = tempfile::tempdir().unwrap();
    let real_dir = dir.path().join("real");
    std::fs::create_dir(&real_dir).unwrap();
    std::fs::set_permissions(&real_dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let target = real_dir.join("store.db");
    drop(Service::open(&target).unwrap());
    let link = dir.path().join("link.db");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let service = Service::open(&link).unwrap();
    let wal = real_dir.join("store.db-wal");
    assert!(wal.exists(), "SQLite keeps the WAL beside the target");
    assert!(service.is_store_file(&wal), "the real -wal is the store's own file");
    assert!(service.is_store_file(&link) && service.is_store_file(&target));
}
