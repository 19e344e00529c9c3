//! Authorization and the API contract (issue 22): stricter than Grafana where Grafana is loose,
//! exact where clients rely on it. Each test runs the real server on 127.0.0.1:0.

use satui::domain::role::BasicRole;
use serde_json::Value;

use crate::common::{Fixture, days, new_account, new_token};
use crate::server::{Server, admin_token};

fn token_of(fx: &mut Fixture, account_id: i64, name: &str) -> String {
    fx.service.create_token(account_id, &new_token(name, days(30))).unwrap().secret.expose().to_string()
}

#[test]
fn a_writer_cannot_mint_or_delete_tokens_of_an_account_above_its_own_permissions() {
    let mut fx = Fixture::new();
    let admin = fx.service.create_account(1, &new_account("admin", BasicRole::Admin)).unwrap();
    let peer = fx.service.create_account(1, &new_account("peer", BasicRole::Viewer)).unwrap();
    let editor = fx.service.create_account(1, &new_account("editor", BasicRole::Editor)).unwrap();
    fx.service.assign_role(editor.id, "fixed:serviceaccounts:writer", true).unwrap();
    let admins_token = fx.service.create_token(admin.id, &new_token("existing", days(30))).unwrap().token.id;
    let token = token_of(&mut fx, editor.id, "w");
    let server = Server::start(&fx);
    let t = Some(token.as_str());

    let body = Some(r#"{"name":"stolen","secondsToLive":3600}"#);
    let (status, answer) = server.call("POST", &format!("/api/serviceaccounts/{}/tokens", admin.id), t, body);
    assert_eq!((status, answer["message"].as_str()), (403, Some("can not assign a role higher than user's role")));
    let (status, _) =
        server.call("DELETE", &format!("/api/serviceaccounts/{}/tokens/{admins_token}", admin.id), t, None);
    assert_eq!(status, 403, "nor delete an Admin's token");
    assert_eq!(fx.service.tokens(admin.id).unwrap().len(), 1, "nothing changed");
    // An account whose permissions the caller holds is fine.
    let (status, answer) = server.call("POST", &format!("/api/serviceaccounts/{}/tokens", peer.id), t, body);
    assert_eq!(status, 200, "{answer}");
}

#[test]
fn search_counts_only_what_the_caller_may_read() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    fx.service.register_plugin(org, &crate::common::oncall_plugin()).unwrap();
    let narrow = fx.service.create_account(org, &new_account("narrow", BasicRole::None)).unwrap();
    fx.service
        .create_role(
            org,
            "self-reader",
            "",
            &[("serviceaccounts:read".into(), format!("serviceaccounts:id:{}", narrow.id))],
        )
        .unwrap();
    fx.service.assign_role(narrow.id, "self-reader", true).unwrap();
    let token = token_of(&mut fx, narrow.id, "r");
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let (_, hidden) = server.call("GET", "/api/serviceaccounts/search?query=extsvc", t, None);
    assert_eq!((hidden["totalCount"].as_u64(), hidden["serviceAccounts"].as_array().map(Vec::len)), (Some(0), Some(0)));
    let (_, own) = server.call("GET", "/api/serviceaccounts/search", t, None);
    assert_eq!(own["totalCount"], 1, "{own}");
    assert_eq!(own["serviceAccounts"][0]["name"], "narrow");
}

#[test]
fn every_org_a_request_names_must_be_the_tokens_own() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    fx.service.create_org("Other").unwrap();
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    let call = |path: &str, header: Option<&str>| {
        let headers: Vec<(&str, &str)> = header.map(|h| vec![("X-Grafana-Org-Id", h)]).unwrap_or_default();
        server.call_with("GET", path, t, None, &headers).0.0
    };
    assert_eq!(call("/api/serviceaccounts/search", Some("1")), 200);
    assert_eq!(call("/api/serviceaccounts/search?targetOrgId=1", None), 200);
    for (path, header) in [
        ("/api/serviceaccounts/search?targetOrgId=abc", Some("2")),
        ("/api/serviceaccounts/search?targetOrgId=1", Some("2")),
        ("/api/serviceaccounts/search", Some("abc")),
        ("/api/serviceaccounts/search?targetOrgId=abc", None),
        ("/api/serviceaccounts/search?targetOrgId=2", Some("1")),
        ("/api/serviceaccounts/search?targetOrgId=1&targetOrgId=2", None),
    ] {
        assert_eq!(call(path, header), 401, "{path} with {header:?}");
    }
    // A second header naming another org is not skipped.
    let two = [("X-Grafana-Org-Id", "1"), ("X-Grafana-Org-Id", "2")];
    assert_eq!(server.call_with("GET", "/api/serviceaccounts/search", t, None, &two).0.0, 401);
}

#[test]
fn role_names_are_exact_and_null_means_not_given() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let target = fx.account("target");
    let server = Server::start(&fx);
    let t = Some(token.as_str());
    for role in ["EDITOR", " Editor ", "editor", "Editor ", "admin"] {
        let body = format!(r#"{{"name":"x","role":"{role}"}}"#);
        assert_eq!(server.call("POST", "/api/serviceaccounts", t, Some(&body)).0, 400, "{role:?}");
        let body = format!(r#"{{"role":"{role}"}}"#);
        assert_eq!(server.call("PATCH", &format!("/api/serviceaccounts/{}", target.id), t, Some(&body)).0, 400);
    }
    assert_eq!(fx.service.account(target.id).unwrap().role, BasicRole::Viewer);
    // null for an optional field is "not given"; a null name on create is no name.
    let patch = r#"{"name":null,"role":null,"isDisabled":null}"#;
    let (status, answer) = server.call("PATCH", &format!("/api/serviceaccounts/{}", target.id), t, Some(patch));
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["serviceaccount"]["name"], "target");
    assert_eq!(server.call("POST", "/api/serviceaccounts", t, Some(r#"{"name":null}"#)).0, 400);
    let body = r#"{"name":"forever","secondsToLive":null}"#;
    let (status, answer) = server.call("POST", &format!("/api/serviceaccounts/{}/tokens", target.id), t, Some(body));
    assert_eq!(status, 200, "{answer}");
    let tokens = fx.service.tokens(target.id).unwrap();
    assert_eq!(tokens[0].expires_at, None, "null secondsToLive is 0: never expires");
}

#[test]
fn access_control_lists_the_callers_actions_on_that_account_only() {
    let mut fx = Fixture::new();
    let token = admin_token(&mut fx);
    let target = fx.account("target");
    let server = Server::start(&fx);
    let (_, profile) =
        server.call("GET", &format!("/api/serviceaccounts/{}?accesscontrol=true", target.id), Some(&token), None);
    let map = profile["accessControl"].as_object().expect("an accessControl map");
    let mut actions: Vec<&str> = map.keys().map(String::as_str).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "serviceaccounts.permissions:read",
            "serviceaccounts.permissions:write",
            "serviceaccounts:delete",
            "serviceaccounts:read",
            "serviceaccounts:write"
        ],
        "no serviceaccounts:create: it takes no scope, so it is not about one account"
    );
    assert!(map.values().all(|v| *v == Value::Bool(true)));
}

#[test]
fn a_name_whose_login_would_land_in_the_plugin_namespace_is_refused() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    for name in ["Extsvc Grafana Oncall App", "extsvc grafana-oncall-app", "EXTSVC-x"] {
        let refused = fx.service.create_account(org, &new_account(name, BasicRole::Viewer));
        assert!(
            matches!(refused, Err(satui::service::Error::Invalid { field: satui::service::Field::Name, .. })),
            "{name}: {refused:?}"
        );
    }
    // The plugin's own account still gets its login.
    let registered = fx.service.register_plugin(org, &crate::common::oncall_plugin()).unwrap();
    assert_eq!(registered.account.login, "sa-1-extsvc-grafana-oncall-app");
}

#[test]
fn an_import_gives_each_org_the_id_its_logins_name() {
    let mut fx = Fixture::new();
    let gone = fx.service.create_org("Gone").unwrap().id;
    let kept = fx.service.create_org("Kept").unwrap().id;
    fx.service.create_account(kept, &new_account("deployer", BasicRole::Viewer)).unwrap();
    fx.service.delete_org(gone).unwrap();
    let export = fx.service.export(None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut fresh = satui::service::Service::open(&dir.path().join("fresh.db")).unwrap();
    fresh.import(&export).unwrap();
    let org = fresh.find_org("Kept").unwrap();
    assert_eq!(org.id, kept, "org {kept} keeps its id, so sa-{kept}-deployer still names one of its accounts");
    assert_eq!(fresh.find_account(org.id, "deployer").unwrap().login, format!("sa-{kept}-deployer"));
}

/// The 20-live-tokens rule of an import counts what the commands count: revoked and expired
/// tokens do not, a retiring one does.
#[test]
fn an_import_counts_live_tokens_as_the_commands_do() {
    let mut fx = Fixture::new();
    let busy = fx.account("busy");
    let gone = fx.token(busy.id, "revoked", days(30)).token.id;
    fx.service.revoke_token(gone).unwrap();
    fx.token(busy.id, "short", days(1));
    fx.clock.advance(2 * crate::common::DAY);
    for i in 0..20 {
        fx.token(busy.id, &format!("live-{i}"), days(30));
    }
    let export = fx.service.export(None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut fresh = satui::service::Service::open_with_clock(&dir.path().join("fresh.db"), fx.clock.clone()).unwrap();
    fresh.import(&export).expect("20 live tokens beside a revoked and an expired one import");
    // One more live token is one too many.
    let mut crowded = export.clone();
    let account = crowded.orgs[0].accounts.iter_mut().find(|a| a.name == "busy").unwrap();
    let mut extra = account.tokens.iter().find(|t| t.name == "live-0").unwrap().clone();
    extra.name = "live-20".into();
    account.tokens.push(extra);
    let dir = tempfile::tempdir().unwrap();
    let mut other = satui::service::Service::open_with_clock(&dir.path().join("other.db"), fx.clock.clone()).unwrap();
    let refused = other.import(&crowded).unwrap_err();
    assert!(refused.to_string().contains("21 live tokens"), "{refused}");
}

/// Custom roles can be renamed and re-described (issue 23), audited; built-in roles cannot.
#[test]
fn a_custom_role_is_renamed_and_redescribed_with_events_and_a_fixed_one_is_refused() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    fx.service.create_role(org, "readers", "", &[("dashboards:read".into(), String::new())]).unwrap();
    fx.service.create_role(org, "writers", "", &[]).unwrap();
    let renamed = fx.service.update_role(org, "readers", Some("viewers"), Some("read only")).unwrap();
    assert_eq!((renamed.name.as_str(), renamed.description.as_str()), ("viewers", "read only"));
    let events: Vec<_> = fx.audit().into_iter().filter(|e| e.action.starts_with("role.")).map(|e| e.action).collect();
    assert!(events.contains(&"role.rename".to_string()) && events.contains(&"role.update".to_string()), "{events:?}");
    let before = fx.audit_count();
    assert!(matches!(
        fx.service.update_role(org, "viewers", Some("WRITERS"), None),
        Err(satui::service::Error::Conflict { .. })
    ));
    assert!(matches!(
        fx.service.update_role(org, "fixed:dashboards:reader", Some("mine"), None),
        Err(satui::service::Error::Refused(_))
    ));
    assert!(fx.service.update_role(org, "viewers", Some("Admin"), None).is_err(), "a basic role's name is reserved");
    fx.service.update_role(org, "viewers", None, Some("read only")).unwrap();
    assert_eq!(fx.audit_count(), before, "refusals and no-ops write no event");
}

/// A grant on one account survives export and import on the same account, even when the import
/// numbers the accounts differently; a grant whose account is not in the file goes, with an event.
#[test]
fn a_grant_on_one_account_follows_that_account_through_export_and_import() {
    let mut fx = Fixture::new();
    let org = fx.main_org();
    let first = fx.account("zz-first"); // exported after "target" (by name), so renumbered
    let target = fx.account("target");
    assert!(first.id < target.id);
    fx.service
        .create_role(org, "one", "", &[("serviceaccounts:write".into(), format!("serviceaccounts:id:{}", target.id))])
        .unwrap();
    let mut export = fx.service.export(None).unwrap();
    let scope = &export.orgs[0].roles[0].permissions[0].scope;
    assert_eq!(scope, "serviceaccounts:login:sa-1-target", "the file names the account by login");
    let dir = tempfile::tempdir().unwrap();
    let mut fresh = satui::service::Service::open_with_clock(&dir.path().join("a.db"), fx.clock.clone()).unwrap();
    fresh.import(&export).unwrap();
    let imported = fresh.find_account(org, "target").unwrap();
    assert_ne!(imported.id, target.id, "the import numbered it differently");
    let role = fresh.find_role(org, "one").unwrap();
    let held: Vec<String> = fresh.role_permissions(&role).unwrap().iter().map(|p| p.scope.clone()).collect();
    assert_eq!(held, [format!("serviceaccounts:id:{}", imported.id)]);
    // A raw id from another store names nothing here: dropped, with an event.
    export.orgs[0].roles[0].permissions[0].scope = format!("serviceaccounts:id:{}", target.id);
    let dir = tempfile::tempdir().unwrap();
    let mut other = satui::service::Service::open_with_clock(&dir.path().join("b.db"), fx.clock.clone()).unwrap();
    other.import(&export).unwrap();
    let role = other.find_role(org, "one").unwrap();
    assert!(other.role_permissions(&role).unwrap().is_empty());
    let (events, _) = other.audit_page(None, "", 0, 50).unwrap();
    assert!(
        events.iter().any(|e| e.action == "role.permission.remove" && e.details.contains("names no service account"))
    );
}
