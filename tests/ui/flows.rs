//! Whole user flows through keys, checked against the real store.

use crossterm::event::KeyCode;
use satui::domain::expiry::TokenStatus;
use satui::domain::role::RoleKind;
use satui::service::{NewAccount, Service};
use satui::tui::action::{Action, Outcome};
use satui::tui::state::{Focus, Popup};

use super::harness::{Harness, NOW};

#[test]
fn creating_an_account_and_a_token_takes_six_keys_besides_the_names_and_the_token_verifies() {
    let mut h = Harness::empty();
    h.clipboard_works = true;
    h.create("ci-bot");
    assert_eq!(h.state.selected_account().map(|a| a.name.as_str()), Some("ci-bot"));
    h.key(KeyCode::Char('t'));
    h.chars("deploy");
    h.key(KeyCode::Enter);
    let secret = h.revealed_secret().expect("reveal modal is open");
    assert!(h.screen().contains(&secret), "the token is on screen in the modal");
    h.key(KeyCode::Char('c'));
    h.key(KeyCode::Enter);
    assert!(h.state.popups.is_empty(), "copied, so Enter closes without asking");
    assert!(!h.screen().contains(&secret[4..]), "closed: the token is gone from the screen");
    let identity = h.service.verify_token(&secret).expect("the revealed token verifies");
    assert_eq!(identity.login, "sa-1-ci-bot");
    assert_eq!(identity.token, "deploy");
}

#[test]
fn closing_the_reveal_without_copying_asks_first_and_n_goes_back() {
    let mut h = Harness::empty();
    h.create("bot");
    h.issue_token("tok");
    h.key(KeyCode::Char('c'));
    assert!(h.screen().contains("not copied: no display"), "a failed copy says so: {}", h.screen());
    h.key(KeyCode::Esc);
    let screen = h.screen();
    assert!(screen.contains("Not copied. Close anyway?") && screen.contains("y close  n back"), "{screen}");
    h.key(KeyCode::Char('n'));
    assert!(h.revealed_secret().is_some(), "n returns to the token");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    assert!(h.state.popups.is_empty());
    assert!(h.revealed_secret().is_none());
}

#[test]
fn invalid_form_input_shows_under_the_field_keeps_the_input_and_writes_nothing() {
    let mut h = Harness::empty();
    h.create("extsvc-sneaky");
    let screen = h.screen();
    assert!(screen.contains("names starting with 'extsvc-' are reserved for"), "{screen}");
    assert!(screen.contains("extsvc-sneaky"), "input kept");
    assert_eq!(h.service.account_page(1, "", 0, 10).unwrap().total, 0, "nothing written");
    // A duplicate is caught by the service and lands under the same field.
    h.service.create_account(1, &NewAccount { name: "taken".into(), ..Default::default() }).unwrap();
    h.ctrl('u');
    h.chars("TAKEN");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("a service account named 'TAKEN' already exists in"), "{}", h.screen());
    assert!(matches!(h.state.popups.last(), Some(Popup::Form(_))), "form stays open");
}

#[test]
fn token_form_rejects_bad_custom_days_and_extended_without_lifetime() {
    let mut h = Harness::empty();
    h.create("bot");
    h.key(KeyCode::Char('t'));
    h.chars("tok");
    // Lifetime: 30 days -> Custom (4 steps right), custom days 0.
    h.key(KeyCode::Tab);
    h.keys(&[KeyCode::Right, KeyCode::Right, KeyCode::Right, KeyCode::Right]);
    h.key(KeyCode::Tab);
    h.chars("0");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("custom lifetime must be at least 1 day"), "{}", h.screen());
    // Never + Extended.
    h.key(KeyCode::BackTab);
    h.keys(&[KeyCode::Right]); // Custom -> Never
    h.key(KeyCode::Tab); // Extended (custom days is disabled now)
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("Extended needs a lifetime"), "{}", h.screen());
    assert!(h.service.tokens(h.state.selected_account().unwrap().id).unwrap().is_empty(), "nothing written");
}

#[test]
fn org_cap_error_from_the_service_lands_under_the_lifetime_field() {
    let mut h = Harness::empty();
    h.service.set_org_cap(1, Some(7)).unwrap();
    h.create("bot");
    h.issue_token("tok");
    assert!(h.screen().contains("lifetime of 30 days exceeds this organization's cap of"), "{}", h.screen());
}

#[test]
fn managed_accounts_refuse_edit_disable_delete_and_token_keys() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("extsvc");
    h.key(KeyCode::Enter);
    assert_eq!(h.state.selected_account().unwrap().managed_by.as_deref(), Some("grafana-oncall-app"));
    for key in ['e', 'x', 'd', 't'] {
        h.key(KeyCode::Char(key));
        assert!(h.state.popups.is_empty(), "{key} opened something");
        assert!(h.screen().contains("managed by plugin grafana-oncall-app"), "{key}: {}", h.screen());
    }
}

#[test]
fn disabling_marks_tokens_inactive_and_enabling_restores_them() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci-dep");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('x'));
    // It has live tokens: disabling asks first and says how many stop.
    match h.state.popups.last() {
        Some(Popup::Confirm { message, .. }) => assert!(message.contains("live token stops working"), "{message}"),
        _ => panic!("x did not ask: {}", h.screen()),
    }
    h.key(KeyCode::Char('y'));
    let account = h.state.selected_account().unwrap().clone();
    assert!(account.disabled);
    let detail = h.state.shown.detail.as_ref().unwrap();
    let live = detail.tokens.iter().find(|t| t.name == "deploy-main").unwrap();
    assert_eq!(TokenStatus::of(live.expires_at, live.revoked_at, true, NOW), TokenStatus::Inactive);
    assert!(h.screen().contains("inactive"));
    h.key(KeyCode::Char('x'));
    assert!(!h.state.selected_account().unwrap().disabled);
}

#[test]
fn delete_asks_and_only_y_deletes_the_account_and_its_tokens() {
    let mut h = Harness::demo();
    let first = h.state.selected_account().unwrap().clone();
    h.key(KeyCode::Char('d'));
    let screen = h.screen();
    assert!(screen.contains(&format!("Delete {} and all its tokens?", first.name)), "{screen}");
    assert!(screen.contains("y yes  n no"), "the keys come from the keymap: {screen}");
    h.key(KeyCode::Char('n'));
    assert!(h.service.account(first.id).is_ok());
    h.key(KeyCode::Delete);
    h.key(KeyCode::Char('y'));
    assert!(h.service.account(first.id).is_err());
    assert!(h.service.tokens(first.id).unwrap().is_empty());
    assert_ne!(h.state.selected_account().map(|a| a.id), Some(first.id));
}

#[test]
fn revoke_and_rotate_from_the_tokens_pane() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("terraform");
    h.key(KeyCode::Enter);
    h.keys(&[KeyCode::Tab, KeyCode::Tab]);
    assert_eq!(h.state.focus, Focus::Tokens);
    let token = h.state.shown.detail.as_ref().unwrap().selected_token().unwrap().clone();
    h.key(KeyCode::Char('v'));
    h.key(KeyCode::Char('y'));
    assert!(h.service.token(token.id).unwrap().revoked_at.is_some());
    // Rotate the other one: a new secret is revealed, the old token is revoked.
    h.key(KeyCode::Char('j'));
    let other = h.state.shown.detail.as_ref().unwrap().selected_token().unwrap().clone();
    assert_ne!(other.id, token.id);
    h.key(KeyCode::Char('R'));
    // The rotate form asks for the grace: now / 1 h / 24 h / 7 d; now is the default.
    assert!(h.screen().contains("Old one works") && h.screen().contains("◂ now ▸"), "{}", h.screen());
    h.key(KeyCode::Enter);
    let secret = h.revealed_secret().expect("rotation reveals the new secret");
    assert!(h.service.token(other.id).unwrap().revoked_at.is_some());
    assert_eq!(h.service.verify_token(&secret).unwrap().token, other.name);
}

#[test]
fn rotating_with_a_grace_leaves_the_old_token_retiring_and_it_cannot_be_rotated_again() {
    let mut h = Harness::empty();
    h.create("bot");
    h.issue_token("deploy");
    h.key(KeyCode::Char('c'));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('y'));
    h.keys(&[KeyCode::Tab, KeyCode::Tab]);
    h.key(KeyCode::Char('R'));
    h.key(KeyCode::Right); // 1 h
    h.key(KeyCode::Enter);
    assert!(h.revealed_secret().is_some());
    h.key(KeyCode::Char('c'));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('y'));
    let old = h.state.shown.detail.as_ref().unwrap().tokens.iter().find(|t| t.revoked_at.is_some()).unwrap().clone();
    assert_eq!(old.revoked_at, Some(NOW + 3600));
    assert!(h.screen().contains("retiring until"), "{}", h.screen());
    // Select the retiring one: R is refused before anything is asked.
    while h.state.shown.detail.as_ref().unwrap().selected_token().unwrap().id != old.id {
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Char('R'));
    assert!(h.state.popups.is_empty());
    assert!(h.screen().contains("is retiring"), "{}", h.screen());
}

#[test]
fn filter_narrows_the_list_and_esc_clears_it() {
    let mut h = Harness::demo();
    let all = h.state.shown.list.total;
    h.key(KeyCode::Char('/'));
    h.chars("ci-");
    assert_eq!(h.state.shown.list.total, 2, "ci-deployer and ci-nightly");
    assert!(h.screen().contains("Service accounts 1–2 of 2"));
    h.key(KeyCode::Esc);
    assert_eq!(h.state.shown.list.total, all);
    assert!(h.state.shown.list.filter.is_empty());
}

#[test]
fn paging_loads_only_a_window_and_g_jumps_to_the_end() {
    let mut h = Harness::empty();
    h.add_accounts(120);
    assert_eq!(h.state.shown.list.rows.len(), 50, "one page of 50 is loaded, not the table");
    assert!(h.screen().contains("Service accounts 1–50 of 120"));
    h.key(KeyCode::Char('G'));
    assert_eq!(h.state.selected_account().unwrap().name, "acct-119");
    // The window at the end is a full page, never a lone row.
    assert!(h.screen().contains("Service accounts 71–120 of 120"), "{}", h.screen());
    assert_eq!(h.state.shown.list.rows.len(), 50);
    h.key(KeyCode::Char('g'));
    assert_eq!(h.state.selected_account().unwrap().name, "acct-000");
    h.key(KeyCode::PageDown);
    assert!(h.state.shown.list.selected > 0);
}

#[test]
fn a_change_by_another_process_is_picked_up_on_the_next_tick() {
    let mut h = Harness::empty();
    h.tick(); // learns the current data_version
    let mut other = Service::open(&h.db_path()).unwrap();
    other.create_account(1, &NewAccount { name: "from-elsewhere".into(), ..Default::default() }).unwrap();
    h.tick();
    assert!(h.screen().contains("from-elsewhere"), "{}", h.screen());
}

#[test]
fn switching_org_shows_that_orgs_accounts() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('o'));
    assert!(h.screen().contains("Switch organization"));
    // Orgs are listed by name: Main Org., Partners, Staging.
    h.keys(&[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Enter]);
    assert_eq!(h.state.org.as_ref().unwrap().name, "Staging");
    assert!(h.screen().contains("load-tester"));
    assert!(!h.screen().contains("terraform"));
}

#[test]
fn stale_list_results_are_dropped() {
    let mut h = Harness::demo();
    let current = h.state.shown.list.clone();
    let newest = h.state.shown.awaited.newest(satui::tui::ticket::Part::Accounts);
    let stale = Outcome::Accounts {
        ticket: satui::tui::ticket::Ticket { id: newest.id - 1, ..newest },
        page: satui::service::AccountPage { accounts: Vec::new(), offset: 0, total: 0 },
        selected: 0,
    };
    h.act(Action::Done(stale));
    assert_eq!(h.state.shown.list.total, current.total);
}

#[test]
fn quitting_with_a_revealed_token_drops_it() {
    let mut h = Harness::empty();
    h.create("bot");
    h.issue_token("tok");
    assert!(h.revealed_secret().is_some());
    // Not copied: the first Ctrl-C asks (issue 24), the second quits and drops the secret.
    h.ctrl('c');
    h.ctrl('c');
    assert!(h.state.quit);
    assert!(h.state.popups.is_empty());
}

#[test]
fn groups_view_creates_a_group_adds_a_member_and_a_role_and_the_account_gains_its_permissions() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('2'));
    h.create("writers");
    assert!(h.service.find_group(1, "writers").is_ok());
    // Select it (groups are listed by name: ci, deployers, on-call, writers).
    h.key(KeyCode::Char('G'));
    // The form opens on the name: a member, picked from the accounts matching what is typed.
    h.key(KeyCode::Char('a'));
    h.chars("loki");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Right); // Member -> Role
    h.key(KeyCode::Tab);
    h.chars("dashboards:wri");
    h.key(KeyCode::Enter);
    let loki = h.service.find_account(1, "loki-ingest").unwrap();
    assert!(h.service.account_allows(loki.id, "dashboards:write", "dashboards:uid:x").unwrap());
    let screen = h.screen();
    assert!(screen.contains("loki-ingest") && screen.contains("fixed:dashboards:writer"), "{screen}");
    // An unknown member is refused under the field, nothing written.
    h.key(KeyCode::Char('a'));
    h.chars("nobody");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("no service account 'nobody'"), "{}", h.screen());
}

#[test]
fn roles_view_refuses_to_change_built_in_roles_and_grants_to_custom_ones() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    // The org's own roles come first; walk down to the basic ones.
    while h.state.shown.roles.selected().is_some_and(|r| r.name != "None") {
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Char('a'));
    assert!(h.state.popups.is_empty());
    assert!(h.screen().contains("None is a built-in basic role and cannot be changed"), "{}", h.screen());
    h.key(KeyCode::Char('n'));
    h.chars("reader-x");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Tab);
    h.chars("folders:re");
    assert_eq!(h.state.popups.len(), 1);
    h.key(KeyCode::Tab);
    // The scope is filled with the picked action's usual one; replace it with a bad one.
    h.ctrl('u');
    h.chars("folders:ab*");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("malformed scope"), "{}", h.screen());
    h.ctrl('u');
    h.chars("folders:uid:*");
    h.key(KeyCode::Enter);
    let role = h.service.find_role(1, "reader-x").unwrap();
    assert_eq!(role.kind, RoleKind::Custom);
    assert_eq!(h.service.role_permissions(&role).unwrap().len(), 1);
}

#[test]
fn deleting_an_org_needs_its_name_typed_and_the_last_org_is_kept() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('j')); // Partners
    h.key(KeyCode::Char('d'));
    h.chars("partners");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("type 'Partners' exactly"), "{}", h.screen());
    assert!(h.service.find_org("Partners").is_ok());
    h.ctrl('u');
    h.chars("Partners");
    h.key(KeyCode::Enter);
    assert!(h.service.find_org("Partners").is_err());
    assert_eq!(h.state.org_summaries.rows.len(), 2);
}

#[test]
fn audit_view_pages_and_filters() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('5'));
    let total = h.state.shown.audit.total;
    assert!(total > 10);
    h.key(KeyCode::Char('/'));
    h.chars("token.revoke");
    h.key(KeyCode::Enter);
    assert!(h.state.shown.audit.total >= 1 && h.state.shown.audit.total < total);
    assert!(h.state.shown.audit.rows.iter().all(|e| e.action == "token.revoke"));
}

#[test]
fn assigning_a_role_to_an_account_from_the_accounts_view() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("loki");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    h.chars("fixed:folders:reader");
    h.key(KeyCode::Enter);
    let detail = h.state.shown.detail.as_ref().unwrap();
    assert_eq!(detail.roles, vec!["fixed:folders:reader".to_string()]);
    assert!(
        detail
            .grants
            .iter()
            .any(|g| g.action == "folders:read" && g.sources.iter().any(|s| s == "role fixed:folders:reader"))
    );
}

#[test]
fn the_ui_opens_on_the_org_given_with_dash_dash_org() {
    let mut h = Harness::demo();
    h.state = satui::tui::state::State::new(
        NOW,
        satui::tui::state::Options {
            monochrome: true,
            demo: true,
            initial_org: Some("staging".into()),
            tour: false,
            ..Default::default()
        },
    );
    let effects = satui::tui::update::start(&mut h.state);
    h.run(effects);
    assert_eq!(h.state.org.as_ref().unwrap().name, "Staging");
}

#[test]
fn a_store_deleted_under_the_running_ui_stops_it_with_an_error() {
    let mut h = Harness::empty();
    h.create("bot");
    std::fs::remove_file(h.db_path()).unwrap();
    h.tick();
    assert!(h.state.quit, "the UI kept taking writes into a deleted file");
    let message = h.state.fatal.clone().unwrap_or_default();
    assert!(message.contains("deleted or replaced"), "{message}");
}

/// `e` on a custom role renames and re-describes it (holders keep it; both changes audited); on a
/// built-in role it is refused before any form opens; a taken name stays in the form.
#[test]
fn e_renames_and_re_describes_a_custom_role() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    while h.state.shown.roles.selected().is_some_and(|r| r.name != "dashboard-publisher") {
        h.key(KeyCode::Char('j'));
    }
    let holders_before = h.service.find_role(1, "dashboard-publisher").unwrap();
    let held_by = h.service.role_holders(1, &holders_before).unwrap();
    h.key(KeyCode::Char('e'));
    assert_eq!(h.state.popups.len(), 1, "the edit form is open");
    // A name another role has: the message sits under the name and the input stays.
    h.ctrl('u');
    h.chars("alert-editor");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("a role named 'alert-editor'"), "{}", h.screen());
    assert_eq!(h.state.popups.len(), 1);
    h.ctrl('u');
    h.chars("dashboards-publisher");
    h.key(KeyCode::Tab);
    h.ctrl('u');
    h.chars("publishes dashboards to every folder");
    h.key(KeyCode::Enter);
    assert!(h.state.popups.is_empty(), "{}", h.screen());
    let renamed = h.service.find_role(1, "dashboards-publisher").unwrap();
    assert_eq!(renamed.description, "publishes dashboards to every folder");
    assert_eq!(h.service.role_holders(1, &renamed).unwrap(), held_by, "holders keep it");
    assert!(h.service.find_role(1, "dashboard-publisher").is_err());
    let actions: Vec<String> = h.service.audit_page(None, "", 0, 2).unwrap().0.into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["role.update", "role.rename"]);
    assert!(h.screen().contains("dashboards-publisher"), "{}", h.screen());
    // A built-in role: refused at once.
    while h.state.shown.roles.selected().is_some_and(|r| r.name != "Viewer") {
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Char('e'));
    assert!(h.state.popups.is_empty());
    assert!(h.screen().contains("cannot be changed"), "{}", h.screen());
}
