//! Roles, groups and effective permissions through the service layer and the command line:
//! where each permission comes from, what takes it away, what is refused, and cascades.

use satui::domain::permission::Catalog;
use satui::domain::role::{BasicRole, RoleKind};
use satui::service::{Entity, Error, Field, Grant, Rejection};

use crate::common::{Fixture, cli_fails, cli_json, cli_ok, cli_verify, days, db_row_counts, new_account, satui};

fn perm(action: &str, scope: &str) -> (String, String) {
    (action.to_string(), scope.to_string())
}

fn grant(action: &str, scope: &str, sources: &[&str]) -> Grant {
    Grant { action: action.into(), scope: scope.into(), sources: sources.iter().map(|s| s.to_string()).collect() }
}

/// An account with basic role None (so only roles and groups grant anything).
fn bare_account(fx: &mut Fixture, org: i64, name: &str) -> satui::service::Account {
    fx.service.create_account(org, &new_account(name, BasicRole::None)).unwrap()
}

#[test]
fn given_a_group_with_a_custom_role_when_an_account_joins_then_it_gets_the_permissions_naming_the_group() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let bot = bare_account(&mut fx, org, "ci-bot");
    fx.service.create_role(org, "Folder Reader", "", &[perm("folders:read", "folders:uid:*")]).unwrap();
    fx.service.create_group(org, "Deployers", "").unwrap();
    assert!(fx.service.assign_group_role(org, "deployers", "folder reader", true).unwrap());
    assert!(fx.service.effective_permissions(&bot).unwrap().is_empty());
    assert!(!fx.service.account_allows(bot.id, "folders:read", "folders:uid:abc").unwrap());

    assert!(fx.service.change_membership(org, "Deployers", bot.id, true).unwrap());
    assert_eq!(
        fx.service.effective_permissions(&bot).unwrap(),
        [grant("folders:read", "folders:uid:*", &["group Deployers → role Folder Reader"])]
    );
    assert!(fx.service.account_allows(bot.id, "folders:read", "folders:uid:abc").unwrap());
    assert!(!fx.service.account_allows(bot.id, "folders:read", "dashboards:uid:abc").unwrap());
    assert!(!fx.service.account_allows(bot.id, "folders:write", "folders:uid:abc").unwrap());
    let groups: Vec<_> = fx.service.account_groups(bot.id).unwrap().into_iter().map(|g| g.name).collect();
    assert_eq!(groups, ["Deployers"]);

    assert!(fx.service.change_membership(org, "Deployers", bot.id, false).unwrap());
    assert!(fx.service.effective_permissions(&bot).unwrap().is_empty());
    assert!(!fx.service.account_allows(bot.id, "folders:read", "folders:uid:abc").unwrap());
    assert!(!fx.service.change_membership(org, "Deployers", bot.id, false).unwrap(), "already removed");
}

#[test]
fn given_an_account_in_two_groups_and_a_direct_fixed_role_then_each_permission_lists_every_source() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let bot = fx.service.create_account(org, &new_account("ci-bot", BasicRole::Viewer)).unwrap();
    fx.service.create_role(org, "readers", "", &[perm("folders:read", "folders:uid:*")]).unwrap();
    for group in ["alpha", "beta"] {
        fx.service.create_group(org, group, "").unwrap();
        fx.service.assign_group_role(org, group, "readers", true).unwrap();
        fx.service.change_membership(org, group, bot.id, true).unwrap();
    }
    assert!(fx.service.assign_role(bot.id, "fixed:folders:reader", true).unwrap());
    assert!(!fx.service.assign_role(bot.id, "fixed:folders:reader", true).unwrap(), "assigning twice changes nothing");
    assert_eq!(fx.service.account_roles(bot.id).unwrap(), ["fixed:folders:reader"]);

    let grants = fx.service.effective_permissions(&bot).unwrap();
    let find = |action: &str, scope: &str| {
        grants.iter().find(|g| g.action == action && g.scope == scope).unwrap_or_else(|| panic!("{action} {scope}"))
    };
    assert_eq!(
        find("folders:read", "folders:uid:*").sources,
        ["group alpha → role readers", "group beta → role readers"]
    );
    let catalog = Catalog::get();
    for p in catalog.basic_role(BasicRole::Viewer) {
        assert!(find(&p.action, &p.scope).sources.contains(&"basic role Viewer".to_string()), "{}", p.describe());
    }
    for p in &catalog.fixed_role("fixed:folders:reader").unwrap().permissions {
        assert!(
            find(&p.action, &p.scope).sources.contains(&"role fixed:folders:reader".to_string()),
            "{}",
            p.describe()
        );
    }
    let mut keys: Vec<_> = grants.iter().map(|g| (g.action.clone(), g.scope.clone())).collect();
    keys.dedup();
    assert_eq!(keys.len(), grants.len(), "a permission is listed twice instead of merging its sources");

    assert!(fx.service.assign_role(bot.id, "fixed:folders:reader", false).unwrap());
    let after = fx.service.effective_permissions(&bot).unwrap();
    assert!(after.iter().all(|g| g.sources.iter().all(|s| !s.contains("fixed:folders:reader"))), "{after:?}");
}

#[test]
fn basic_role_permissions_come_from_the_catalog_and_follow_a_role_change() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let bot = fx.service.create_account(org, &new_account("ci-bot", BasicRole::Editor)).unwrap();
    let grants = fx.service.effective_permissions(&bot).unwrap();
    assert_eq!(grants.len(), Catalog::get().basic_role(BasicRole::Editor).len());
    assert!(grants.iter().all(|g| g.sources == ["basic role Editor"]), "{grants:?}");
    assert!(fx.service.account_allows(bot.id, "dashboards:write", "dashboards:uid:abc").unwrap());

    let changes = satui::service::AccountChanges { role: Some(BasicRole::None), ..Default::default() };
    let bot = fx.service.update_account(bot.id, &changes).unwrap();
    assert!(fx.service.effective_permissions(&bot).unwrap().is_empty());
    assert!(!fx.service.account_allows(bot.id, "dashboards:read", "").unwrap());
}

#[test]
fn given_a_group_granting_permissions_when_the_group_is_deleted_then_its_members_lose_them_but_stay() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let bot = bare_account(&mut fx, org, "ci-bot");
    fx.service.create_group(org, "ops", "").unwrap();
    fx.service.assign_group_role(org, "ops", "fixed:dashboards:reader", true).unwrap();
    fx.service.change_membership(org, "ops", bot.id, true).unwrap();
    assert!(fx.service.account_allows(bot.id, "dashboards:read", "dashboards:uid:x").unwrap());

    fx.service.delete_group(org, "OPS").unwrap();
    assert!(fx.service.effective_permissions(&bot).unwrap().is_empty());
    assert!(fx.service.account_groups(bot.id).unwrap().is_empty());
    assert!(matches!(fx.service.find_group(org, "ops"), Err(Error::NotFound { .. })));
    assert_eq!(fx.service.account(bot.id).unwrap(), bot, "the member account is untouched");
    let counts = db_row_counts(&fx.path);
    assert_eq!((counts["group_members"], counts["role_assignments"]), (0, 0));
}

#[test]
fn given_a_custom_role_held_by_an_account_and_a_group_when_the_role_is_deleted_then_the_assignments_go() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let bot = bare_account(&mut fx, org, "ci-bot");
    let other = bare_account(&mut fx, org, "nightly");
    fx.service.create_role(org, "writers", "", &[perm("dashboards:write", "dashboards:*")]).unwrap();
    fx.service.create_group(org, "team", "").unwrap();
    fx.service.change_membership(org, "team", other.id, true).unwrap();
    fx.service.assign_group_role(org, "team", "writers", true).unwrap();
    fx.service.assign_role(bot.id, "writers", true).unwrap();
    let role = fx.service.find_role(org, "writers").unwrap();
    assert_eq!(fx.service.role_holders(org, &role).unwrap(), (vec!["ci-bot".to_string()], vec!["team".to_string()]));
    assert!(fx.service.account_allows(bot.id, "dashboards:write", "dashboards:uid:a").unwrap());
    assert!(fx.service.account_allows(other.id, "dashboards:write", "dashboards:uid:a").unwrap());

    fx.service.delete_role(org, "Writers").unwrap();
    assert!(matches!(fx.service.find_role(org, "writers"), Err(Error::NotFound { .. })));
    assert!(fx.service.account_roles(bot.id).unwrap().is_empty());
    let team = fx.service.find_group(org, "team").unwrap();
    let detail = group_detail(&fx, org, &team.name);
    assert!(detail.roles.is_empty());
    assert_eq!(detail.members, ["nightly"]);
    assert!(!fx.service.account_allows(bot.id, "dashboards:write", "dashboards:uid:a").unwrap());
    assert!(!fx.service.account_allows(other.id, "dashboards:write", "dashboards:uid:a").unwrap());
    let counts = db_row_counts(&fx.path);
    assert_eq!((counts["roles"], counts["role_permissions"], counts["role_assignments"]), (0, 0, 0));
}

#[test]
fn granting_and_ungranting_a_custom_role_permission_changes_what_holders_may_do() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let bot = bare_account(&mut fx, org, "ci-bot");
    fx.service.create_role(org, "r", "", &[]).unwrap();
    fx.service.assign_role(bot.id, "r", true).unwrap();
    assert!(!fx.service.account_allows(bot.id, "folders:read", "folders:uid:a").unwrap());
    assert!(fx.service.change_role_permission(org, "r", "folders:read", "folders:uid:*", true).unwrap());
    assert!(!fx.service.change_role_permission(org, "r", "folders:read", "folders:uid:*", true).unwrap());
    assert!(fx.service.account_allows(bot.id, "folders:read", "folders:uid:a").unwrap());
    assert!(fx.service.change_role_permission(org, "r", "folders:read", "folders:uid:*", false).unwrap());
    assert!(!fx.service.change_role_permission(org, "r", "folders:read", "folders:uid:*", false).unwrap());
    assert!(!fx.service.account_allows(bot.id, "folders:read", "folders:uid:a").unwrap());
}

#[test]
fn bad_permissions_duplicate_names_and_reserved_names_are_refused_and_write_nothing() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    fx.service.create_role(org, "Readers", "", &[perm("folders:read", "")]).unwrap();
    fx.service.create_group(org, "Ops", "").unwrap();
    fx.service.create_group(org, "Dev", "").unwrap();
    let before = db_row_counts(&fx.path);

    let unknown = fx.service.create_role(org, "x", "", &[perm("dashboards:frobnicate", "")]).unwrap_err();
    assert!(matches!(unknown, Error::Invalid { field: Field::Role, .. }), "{unknown}");
    assert!(unknown.to_string().contains("unknown action 'dashboards:frobnicate'"), "{unknown}");
    // One bad permission among good ones refuses the whole role.
    let bad_scope = [perm("folders:read", "folders:uid:*"), perm("folders:write", "folders:ab*")];
    let malformed = fx.service.create_role(org, "x", "", &bad_scope).unwrap_err();
    assert!(malformed.to_string().contains("malformed scope 'folders:ab*'"), "{malformed}");
    for scope in ["*:x", "a::b", "folders:uid:a b"] {
        assert!(fx.service.create_role(org, "x", "", &[perm("folders:read", scope)]).is_err(), "{scope}");
        assert!(fx.service.change_role_permission(org, "readers", "folders:read", scope, true).is_err(), "{scope}");
    }
    let grant_unknown = fx.service.change_role_permission(org, "readers", "nope:nope", "", true).unwrap_err();
    assert!(grant_unknown.to_string().contains("unknown action"), "{grant_unknown}");

    for clash in ["Readers", "readers", "  READERS "] {
        let err = fx.service.create_role(org, clash, "", &[]).unwrap_err();
        assert!(matches!(err, Error::Conflict { field: Field::Name, .. }), "{clash:?}: {err}");
        assert!(matches!(err, Error::Conflict { what: Entity::Role, .. }), "{err}");
    }
    for clash in ["Ops", "ops", " OPS"] {
        let err = fx.service.create_group(org, clash, "").unwrap_err();
        assert!(matches!(err, Error::Conflict { what: Entity::Group, .. }), "{clash:?}: {err}");
    }
    let renamed = fx.service.rename_group(org, "dev", "OPS").unwrap_err();
    assert!(matches!(renamed, Error::Conflict { what: Entity::Group, .. }), "{renamed}");
    for reserved in ["Admin", "viewer", " None ", "fixed:mine", "managed:mine", "FIXED:alerting:reader", "Managed:x"] {
        let err = fx.service.create_role(org, reserved, "", &[]).unwrap_err();
        assert!(err.to_string().contains("reserved"), "{reserved:?}: {err}");
    }
    for empty in ["", "   ", "a\u{7}b"] {
        assert!(fx.service.create_role(org, empty, "", &[]).is_err(), "{empty:?}");
        assert!(fx.service.create_group(org, empty, "").is_err(), "{empty:?}");
    }
    assert!(fx.service.create_role(org, "x", &"d".repeat(501), &[]).is_err());
    assert!(fx.service.create_role(999, "x", "", &[]).is_err(), "unknown org");

    assert_eq!(db_row_counts(&fx.path), before, "a refused change wrote something");

    let other = fx.service.create_org("Other").unwrap().id;
    fx.service.create_role(other, "readers", "", &[]).unwrap();
    fx.service.create_group(other, "ops", "").unwrap();
    assert_eq!(fx.service.groups(other).unwrap().len(), 1);
}

#[test]
fn basic_roles_cannot_be_extra_roles_and_built_in_roles_cannot_be_changed() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let bot = bare_account(&mut fx, org, "ci-bot");
    fx.service.create_group(org, "ops", "").unwrap();
    let before = db_row_counts(&fx.path);

    for basic in ["Editor", "admin", "None"] {
        let err = fx.service.assign_role(bot.id, basic, true).unwrap_err();
        assert!(matches!(err, Error::Refused(_)), "{basic}: {err}");
        assert!(err.to_string().contains("basic role"), "{err}");
        assert!(matches!(fx.service.assign_group_role(org, "ops", basic, true), Err(Error::Refused(_))));
    }
    for built_in in ["fixed:folders:reader", "Viewer"] {
        let grant = fx.service.change_role_permission(org, built_in, "folders:write", "", true).unwrap_err();
        assert!(matches!(grant, Error::Refused(_)), "{built_in}: {grant}");
        assert!(grant.to_string().contains("cannot be changed"), "{grant}");
        let ungrant = fx.service.change_role_permission(org, built_in, "folders:read", "folders:*", false);
        assert!(matches!(ungrant, Err(Error::Refused(_))), "{built_in}");
        assert!(matches!(fx.service.delete_role(org, built_in), Err(Error::Refused(_))), "{built_in}");
    }
    assert!(matches!(fx.service.assign_role(bot.id, "ghost", true), Err(Error::NotFound { .. })));
    assert!(matches!(fx.service.assign_group_role(org, "ops", "fixed:nope", true), Err(Error::NotFound { .. })));
    assert!(matches!(
        fx.service.assign_group_role(org, "ghost", "fixed:folders:reader", true),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(fx.service.delete_role(org, "ghost"), Err(Error::NotFound { .. })));
    assert!(matches!(fx.service.delete_group(org, "ghost"), Err(Error::NotFound { .. })));
    assert_eq!(db_row_counts(&fx.path), before, "a refused change wrote something");

    // Another org's account cannot join this org's group, nor hold this org's custom role.
    let other = fx.service.create_org("Other").unwrap().id;
    let stranger = bare_account(&mut fx, other, "stranger");
    fx.service.create_role(org, "main-only", "", &[]).unwrap();
    let before = db_row_counts(&fx.path);
    assert!(matches!(fx.service.change_membership(org, "ops", stranger.id, true), Err(Error::Refused(_))));
    assert!(matches!(fx.service.assign_role(stranger.id, "main-only", true), Err(Error::NotFound { .. })));
    assert_eq!(db_row_counts(&fx.path), before, "a refused change wrote something");
    assert_eq!(fx.service.find_role(org, "fixed:folders:reader").unwrap().kind, RoleKind::Fixed);
    assert!(fx.service.find_role(org, "fixed:folders:reader").unwrap().read_only());
    assert!(!fx.service.find_role(org, "main-only").unwrap().read_only());
}

#[test]
fn given_an_org_with_everything_when_it_is_deleted_then_its_accounts_tokens_roles_and_groups_are_gone() {
    let mut fx = Fixture::new();
    let main = fx.main_org();
    let keeper = bare_account(&mut fx, main, "keeper");
    let kept_token = fx.token(keeper.id, "t", days(30));
    fx.service.create_role(main, "shared-name", "", &[perm("folders:read", "")]).unwrap();
    fx.service.create_group(main, "shared-name", "").unwrap();
    fx.service.change_membership(main, "shared-name", keeper.id, true).unwrap();
    fx.service.assign_group_role(main, "shared-name", "shared-name", true).unwrap();
    let before = db_row_counts(&fx.path);

    let staging = fx.service.create_org("Staging").unwrap().id;
    let bot = bare_account(&mut fx, staging, "bot");
    let doomed = [fx.token(bot.id, "a", days(30)), fx.token(bot.id, "b", days(7))];
    fx.service.create_role(staging, "shared-name", "", &[perm("dashboards:read", "dashboards:*")]).unwrap();
    fx.service.create_group(staging, "shared-name", "").unwrap();
    fx.service.change_membership(staging, "shared-name", bot.id, true).unwrap();
    fx.service.assign_group_role(staging, "shared-name", "shared-name", true).unwrap();
    fx.service.assign_role(bot.id, "fixed:folders:reader", true).unwrap();
    fx.service.register_plugin(staging, &crate::common::oncall_plugin()).unwrap();

    fx.service.delete_org(staging).unwrap();
    assert!(matches!(fx.service.org(staging), Err(Error::NotFound { .. })));
    assert!(matches!(fx.service.account(bot.id), Err(Error::NotFound { .. })));
    for issued in &doomed {
        assert_eq!(fx.verify(issued.secret.expose()).unwrap_err(), Rejection::Unknown);
    }
    assert!(fx.service.groups(staging).unwrap().is_empty());
    assert!(fx.service.roles(staging).unwrap().iter().all(|r| r.id.is_none()), "custom roles survived");
    let mut after = db_row_counts(&fx.path);
    let mut expected = before.clone();
    after.remove("audit_events");
    expected.remove("audit_events");
    assert_eq!(after, expected, "rows of the deleted org survived, or the other org lost some");
    fx.verify(kept_token.secret.expose()).expect("the other org's token still works");
    assert!(fx.service.account_allows(keeper.id, "folders:read", "").unwrap());

    // The plugin can be registered again now that its org is gone.
    fx.service.register_plugin(main, &crate::common::oncall_plugin()).unwrap();
}

#[test]
fn given_an_account_in_groups_with_direct_roles_when_it_is_deleted_then_memberships_and_assignments_go() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let bot = bare_account(&mut fx, org, "ci-bot");
    let stay = bare_account(&mut fx, org, "stay");
    for group in ["a", "b"] {
        fx.service.create_group(org, group, "").unwrap();
        fx.service.change_membership(org, group, bot.id, true).unwrap();
    }
    fx.service.change_membership(org, "a", stay.id, true).unwrap();
    fx.service.assign_role(bot.id, "fixed:folders:reader", true).unwrap();
    let token = fx.token(bot.id, "t", days(30));

    fx.service.delete_account(bot.id).unwrap();
    let members = |fx: &Fixture, g: &str| group_detail(fx, org, g).members;
    assert_eq!(members(&fx, "a"), ["stay"]);
    assert!(members(&fx, "b").is_empty());
    assert_eq!(fx.verify(token.secret.expose()).unwrap_err(), Rejection::Unknown);
    let counts = db_row_counts(&fx.path);
    assert_eq!((counts["group_members"], counts["role_assignments"], counts["tokens"]), (1, 0, 0));
    let fixed = fx.service.find_role(org, "fixed:folders:reader").unwrap();
    assert_eq!(fx.service.role_holders(org, &fixed).unwrap(), (vec![], vec![]));
}

#[test]
fn roles_list_the_orgs_own_then_basic_then_fixed_by_group_and_find_role_is_case_insensitive() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    fx.service.create_role(org, "Zeta", "mine", &[]).unwrap();
    let roles = fx.service.roles(org).unwrap();
    // An admin's own roles come first, not below 90 built-in ones.
    let first = &roles[0];
    assert_eq!((first.name.as_str(), first.kind, first.description.as_str()), ("Zeta", RoleKind::Custom, "mine"));
    let names: Vec<_> = roles.iter().map(|r| r.name.as_str()).skip(1).take(4).collect();
    assert_eq!(names, ["None", "Viewer", "Editor", "Admin"]);
    assert_eq!(roles.iter().filter(|r| r.kind == RoleKind::Fixed).count(), Catalog::get().fixed_roles.len());
    let groups: Vec<_> = roles.iter().filter_map(|r| r.group.as_deref().map(str::to_lowercase)).collect();
    assert!(groups.windows(2).all(|w| w[0] <= w[1]), "fixed roles sorted by group, as a reader sorts");
    let first_group = roles.iter().find_map(|r| r.group.clone()).unwrap();
    assert_eq!(first_group, "Alerting", "Alerting before API Keys");
    assert_eq!(fx.service.find_role(org, " zeta ").unwrap().name, "Zeta");
    assert_eq!(fx.service.find_role(org, "EDITOR").unwrap().kind, RoleKind::Basic);
    let other = fx.service.create_org("Other").unwrap().id;
    assert!(fx.service.find_role(other, "zeta").is_err(), "custom roles are per org");
}

// ---- the command line -------------------------------------------------------------------

struct CliStore {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

fn cli_store() -> CliStore {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    CliStore { _dir: dir, db }
}

fn create_token(db: &std::path::Path, sa: &str, name: &str) -> String {
    let out = cli_ok(db, &["token", "create", "--sa", sa, "--name", name]);
    assert_eq!(out.lines().count(), 1);
    out.trim_end().to_string()
}

#[test]
fn token_verify_with_action_and_scope_exits_0_when_allowed_3_when_not_and_1_when_rejected() {
    let s = cli_store();
    let db = &s.db;
    cli_ok(db, &["sa", "create", "ci-bot", "--role", "None"]);
    cli_ok(db, &["role", "create", "Folder Reader", "--permission", "folders:read=folders:uid:*"]);
    cli_ok(db, &["group", "create", "deployers"]);
    cli_ok(db, &["group", "add-role", "deployers", "--role", "folder reader"]);
    cli_ok(db, &["group", "add-member", "deployers", "--sa", "ci-bot"]);
    let token = create_token(db, "ci-bot", "deploy");

    let allowed = cli_verify(db, &token, &["--action", "folders:read", "--scope", "folders:uid:abc"]);
    assert_eq!(allowed.status.code(), Some(0), "{}", String::from_utf8_lossy(&allowed.stderr));
    let value: serde_json::Value = serde_json::from_slice(&allowed.stdout).unwrap();
    assert_eq!(value["allowed"], true);
    assert_eq!(value["account"], "ci-bot");

    for (action, scope) in
        [("folders:read", "folders:name:abc"), ("folders:write", "folders:uid:abc"), ("folders:read", "*")]
    {
        let denied = cli_verify(db, &token, &["--action", action, "--scope", scope]);
        assert_eq!(denied.status.code(), Some(3), "{action} {scope}: {}", String::from_utf8_lossy(&denied.stderr));
        let value: serde_json::Value = serde_json::from_slice(&denied.stdout).unwrap();
        assert_eq!(value["allowed"], false);
        assert_eq!(value["login"], "sa-1-ci-bot", "the identity is still printed");
        let stderr = String::from_utf8(denied.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
        assert!(stderr.contains("may not") && stderr.contains(action), "{stderr}");
    }

    // Without a permission question, a valid token is simply valid.
    let plain = cli_verify(db, &token, &[]);
    assert_eq!(plain.status.code(), Some(0));
    assert!(serde_json::from_slice::<serde_json::Value>(&plain.stdout).unwrap().get("allowed").is_none());

    // A rejected token is exit 1 whatever is asked.
    let tampered = crate::common::tamper(&token, 20);
    let rejected = cli_verify(db, &tampered, &["--action", "folders:read", "--scope", "folders:uid:abc"]);
    assert_eq!(rejected.status.code(), Some(1));
    assert!(rejected.stdout.is_empty());
    cli_ok(db, &["sa", "disable", "ci-bot"]);
    let disabled = cli_verify(db, &token, &["--action", "folders:read", "--scope", "folders:uid:abc"]);
    assert_eq!(disabled.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&disabled.stderr).contains("disabled"));
    cli_ok(db, &["sa", "enable", "ci-bot"]);

    // Leaving the group takes the permission away.
    cli_ok(db, &["group", "remove-member", "deployers", "--sa", "ci-bot"]);
    let gone = cli_verify(db, &token, &["--action", "folders:read", "--scope", "folders:uid:abc"]);
    assert_eq!(gone.status.code(), Some(3));
}

#[test]
fn token_verify_action_without_scope_or_scope_without_action_is_a_usage_error() {
    let s = cli_store();
    cli_ok(&s.db, &["sa", "create", "ci-bot"]);
    let token = create_token(&s.db, "ci-bot", "deploy");
    for args in [&["--action", "folders:read"][..], &["--scope", "folders:uid:abc"][..]] {
        let out = cli_verify(&s.db, &token, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty());
        assert!(String::from_utf8_lossy(&out.stderr).contains("--"), "{args:?}");
    }
}

#[test]
fn sa_permissions_prints_each_effective_permission_with_its_sources() {
    let s = cli_store();
    let db = &s.db;
    cli_ok(db, &["sa", "create", "ci-bot", "--role", "Viewer"]);
    cli_ok(db, &["role", "create", "deployer", "--permission", "dashboards:write=folders:uid:*"]);
    cli_ok(db, &["role", "assign", "deployer", "--sa", "ci-bot"]);
    cli_ok(db, &["group", "create", "ops"]);
    cli_ok(db, &["group", "add-role", "ops", "--role", "deployer"]);
    cli_ok(db, &["group", "add-member", "ops", "--sa", "ci-bot"]);

    let grants = cli_json(db, &["sa", "permissions", "ci-bot"]);
    let grants = grants.as_array().unwrap();
    assert_eq!(grants.len(), Catalog::get().basic_role(BasicRole::Viewer).len() + 1);
    let deploy = grants.iter().find(|g| g["action"] == "dashboards:write").expect("the custom role's permission");
    assert_eq!(deploy["scope"], "folders:uid:*");
    assert_eq!(deploy["sources"], serde_json::json!(["group ops → role deployer", "role deployer"]));
    assert!(
        grants.iter().filter(|g| g["action"] != "dashboards:write").all(|g| g["sources"][0] == "basic role Viewer")
    );

    let text = cli_ok(db, &["sa", "permissions", "ci-bot"]);
    assert!(text.starts_with("ACTION"), "{text}");
    assert!(text.contains("group ops → role deployer, role deployer"), "{text}");
}

#[test]
fn role_and_group_commands_refuse_bad_input_with_one_line_and_change_nothing() {
    let s = cli_store();
    let db = &s.db;
    cli_ok(db, &["sa", "create", "ci-bot"]);
    cli_ok(db, &["role", "create", "Readers", "--permission", "folders:read"]);
    cli_ok(db, &["group", "create", "Ops"]);
    let before = db_row_counts(db);

    let cases: &[(&[&str], &str)] = &[
        (&["role", "create", "x", "--permission", "dashboards:frobnicate"], "unknown action"),
        (&["role", "create", "x", "--permission", "folders:read=folders:ab*"], "malformed scope"),
        (&["role", "create", "x", "--permission", "folders:read=*:x"], "malformed scope"),
        (&["role", "create", "READERS"], "already exists"),
        (&["role", "create", "editor"], "reserved"),
        (&["role", "grant", "readers", "--permission", "folders:read=a::b"], "malformed scope"),
        (&["role", "grant", "readers", "--permission", "nope:nope"], "unknown action"),
        (&["role", "grant", "fixed:folders:reader", "--permission", "folders:write"], "cannot be changed"),
        (&["role", "delete", "Admin"], "cannot be changed"),
        (&["role", "assign", "Editor", "--sa", "ci-bot"], "basic role"),
        (&["role", "assign", "ghost", "--sa", "ci-bot"], "ghost"),
        (&["role", "assign", "readers", "--sa", "ghost"], "ghost"),
        (&["group", "create", "ops"], "already exists"),
        (&["group", "add-role", "ops", "--role", "Viewer"], "basic role"),
        (&["group", "add-member", "ghost", "--sa", "ci-bot"], "ghost"),
        (&["group", "rename", "ops", ""], "empty"),
        (&["--org", "Nowhere", "role", "list"], "Nowhere"),
    ];
    for (args, needle) in cases {
        let stderr = cli_fails(db, args, 1);
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    cli_fails(db, &["role", "create"], 2);
    cli_fails(db, &["group", "add-member", "ops"], 2);
    assert_eq!(db_row_counts(db), before, "a refused command wrote something");

    // The same names are fine in another org.
    cli_ok(db, &["org", "create", "Other"]);
    cli_ok(db, &["--org", "Other", "role", "create", "readers"]);
    cli_ok(db, &["--org", "Other", "group", "create", "ops"]);
    let other_roles = cli_json(db, &["--org", "Other", "role", "list"]);
    assert_eq!(other_roles.as_array().unwrap().iter().filter(|r| r["kind"] == "custom").count(), 1);
}

#[test]
fn role_show_and_group_list_report_permissions_holders_members_and_roles() {
    let s = cli_store();
    let db = &s.db;
    cli_ok(db, &["sa", "create", "ci-bot"]);
    cli_ok(
        db,
        &["role", "create", "deployer", "--description", "ships", "--permission", "dashboards:write=dashboards:*"],
    );
    cli_ok(db, &["role", "grant", "deployer", "--permission", "folders:read=folders:uid:*"]);
    cli_ok(db, &["role", "assign", "deployer", "--sa", "ci-bot"]);
    cli_ok(db, &["group", "create", "ops"]);
    cli_ok(db, &["group", "add-role", "ops", "--role", "deployer"]);
    cli_ok(db, &["group", "add-role", "ops", "--role", "fixed:folders:reader"]);
    cli_ok(db, &["group", "add-member", "ops", "--sa", "ci-bot"]);

    let shown = cli_json(db, &["role", "show", "DEPLOYER"]);
    assert_eq!(shown["role"]["kind"], "custom");
    assert_eq!(
        shown["permissions"],
        serde_json::json!([
            {"action": "dashboards:write", "scope": "dashboards:*"},
            {"action": "folders:read", "scope": "folders:uid:*"}
        ])
    );
    assert_eq!(shown["accounts"], serde_json::json!(["ci-bot"]));
    assert_eq!(shown["groups"], serde_json::json!(["ops"]));
    let fixed = cli_json(db, &["role", "show", "fixed:folders:reader"]);
    assert_eq!(fixed["role"]["kind"], "fixed");
    assert_eq!(fixed["groups"], serde_json::json!(["ops"]));

    let groups = cli_json(db, &["group", "list"]);
    assert_eq!(groups[0]["members"], serde_json::json!(["ci-bot"]));
    let mut roles: Vec<_> = groups[0]["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    roles.sort();
    assert_eq!(roles, ["deployer", "fixed:folders:reader"]);

    // Each command says what changed, including when nothing did.
    let said = |args: &[&str]| cli_ok(db, args).trim_end().to_string();
    assert_eq!(said(&["group", "add-role", "ops", "--role", "deployer"]), "ops: already holds deployer");
    assert_eq!(said(&["group", "remove-role", "ops", "--role", "deployer"]), "ops: no longer holds deployer");
    assert_eq!(said(&["group", "remove-role", "ops", "--role", "deployer"]), "ops: did not hold deployer");
    assert_eq!(said(&["group", "add-role", "ops", "--role", "deployer"]), "ops: now holds deployer");
    assert_eq!(said(&["group", "add-member", "ops", "--sa", "ci-bot"]), "ci-bot already in ops");
    assert_eq!(said(&["role", "assign", "deployer", "--sa", "ci-bot"]), "ci-bot already holds deployer");
    assert_eq!(
        said(&["role", "grant", "deployer", "--permission", "folders:read=folders:uid:*"]),
        "deployer: already had folders:read=folders:uid:*"
    );

    let actions = cli_json(db, &["role", "actions"]);
    assert_eq!(actions.as_array().unwrap().len(), Catalog::get().actions.len());
    satui(db).args(["role", "list"]).assert().success().stdout(predicates::str::contains("deployer"));
}

/// One group's entry in the org's group list (members and roles loaded in one query).
fn group_detail(fx: &Fixture, org: i64, name: &str) -> satui::service::GroupDetail {
    fx.service.group_details(org).unwrap().into_iter().find(|d| d.group.name == name).expect("group listed")
}
