//! The state machine as a pure function, in atuin's style: a state, an action, and the effects
//! it asks for, compared as values. No store, no terminal, no clock: results from the outside
//! world are written by hand as `Outcome`s.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use satui::domain::role::BasicRole;
use satui::service::{Account, AccountPage, Field, NewAccount, Org, OrgChanges, Token};
use satui::tui::action::{Action, Outcome, Select};
use satui::tui::effect::{Change, DbEffect, Effect, Read, coalesce};
use satui::tui::state::{Options, Pending, Popup, State};
use satui::tui::ticket::{Part, Ticket};
use satui::tui::update::{start, update};

const NOW: i64 = 1_795_435_200;

fn org(id: i64, name: &str) -> Org {
    Org { id, name: name.to_string(), max_token_lifetime_days: None, created_at: NOW }
}

fn account(id: i64, name: &str) -> Account {
    Account {
        id,
        org_id: 1,
        name: name.to_string(),
        login: format!("sa-1-{name}"),
        description: String::new(),
        role: BasicRole::Viewer,
        disabled: false,
        managed_by: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn token(id: i64, revoked: bool) -> Token {
    Token {
        id,
        sa_id: 7,
        name: "deploy".to_string(),
        hint: "sat_…abcd".to_string(),
        created_at: NOW,
        lifetime_days: Some(30),
        expires_at: Some(NOW + 30 * 86_400),
        max_age_days: None,
        last_used_at: None,
        revoked_at: revoked.then_some(NOW),
        rotated_from: None,
        imported: false,
    }
}

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    let modifiers = if matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase()) {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    update(state, Action::Key(KeyEvent::new(code, modifiers)))
}

fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    update(state, Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn typed(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| key(state, KeyCode::Char(c))).collect()
}

fn done(state: &mut State, outcome: Outcome) -> Vec<Effect> {
    update(state, Action::Done(outcome))
}

fn load_accounts(ticket: Ticket, filter: &str, offset: u64, select: Select) -> Effect {
    Read::LoadAccounts { ticket, org_id: 1, filter: filter.to_string(), offset, select }.into()
}

/// The ticket `part` of the org's screen waits for.
fn awaited(state: &State, part: Part) -> Ticket {
    state.shown.awaited.newest(part)
}

/// A state that has loaded Main Org. and one page of three accounts, the first selected.
fn loaded() -> State {
    let mut state = State::new(NOW, Options::default());
    start(&mut state);
    done(&mut state, Outcome::Orgs(vec![org(1, "Main Org.")]));
    let accounts = vec![account(7, "ci-bot"), account(8, "deployer"), account(9, "nightly")];
    let ticket = awaited(&state, Part::Accounts);
    done(&mut state, Outcome::Accounts { ticket, page: AccountPage { accounts, offset: 0, total: 3 }, selected: 0 });
    state
}

#[test]
fn starting_asks_for_the_orgs_and_starts_watching_the_store() {
    let mut state = State::new(NOW, Options::default());
    assert_eq!(start(&mut state), vec![Read::LoadOrgs.into(), Read::CheckForChanges.into()]);
}

#[test]
fn the_oldest_org_opens_with_its_first_page_of_accounts() {
    let mut state = State::new(NOW, Options::default());
    let effects = done(&mut state, Outcome::Orgs(vec![org(3, "Zeta"), org(1, "Main Org.")]));
    // The org's roles load too: the role pickers offer them from any view. The page is asked
    // under the list's current request id (whatever its value), so a later answer can be told
    // from this one.
    let ticket = awaited(&state, Part::Accounts);
    let roles = awaited(&state, Part::Roles);
    assert_eq!(
        effects,
        vec![load_accounts(ticket, "", 0, Select::Index(0)), Read::LoadRoles { ticket: roles, org_id: 1 }.into()]
    );
    assert_eq!(state.org.as_ref().map(|o| o.id), Some(1));
}

#[test]
fn a_page_of_accounts_lands_and_asks_for_the_selected_accounts_detail() {
    let mut state = State::new(NOW, Options::default());
    done(&mut state, Outcome::Orgs(vec![org(1, "Main Org.")]));
    let page = AccountPage { accounts: vec![account(7, "ci-bot")], offset: 0, total: 1 };
    let ticket = awaited(&state, Part::Accounts);
    let effects = done(&mut state, Outcome::Accounts { ticket, page: page.clone(), selected: 0 });
    // The first page of an org also loads the names short filters search, after the detail.
    let detail = awaited(&state, Part::Detail);
    assert_eq!(
        effects,
        vec![Read::LoadDetail { ticket: detail, account_id: 7 }.into(), Read::WarmFilter { org_id: 1 }.into()]
    );
    let ticket = awaited(&state, Part::Accounts);
    let effects = done(&mut state, Outcome::Accounts { ticket, page, selected: 0 });
    let detail = awaited(&state, Part::Detail);
    assert_eq!(effects, vec![Read::LoadDetail { ticket: detail, account_id: 7 }.into()], "once per org");
}

#[test]
fn an_answer_to_an_older_request_is_dropped() {
    let mut state = loaded();
    let newest = awaited(&state, Part::Accounts);
    let stale = Ticket { id: newest.id - 1, ..newest };
    let page = AccountPage { accounts: vec![account(99, "old")], offset: 0, total: 1 };
    assert!(done(&mut state, Outcome::Accounts { ticket: stale, page, selected: 0 }).is_empty());
    assert_eq!(state.shown.list.total, 3, "the newer page stays");
}

#[test]
fn typing_a_filter_asks_for_the_first_page_of_each_new_text() {
    let mut state = loaded();
    let mut before = awaited(&state, Part::Accounts);
    assert!(key(&mut state, KeyCode::Char('/')).is_empty());
    // Each text is asked under a newer ticket, so the answer for "c" cannot land after "ci".
    // Letters that are bindings elsewhere (q, j) are text here.
    for (c, filter) in [('c', "c"), ('i', "ci"), ('q', "ciq")] {
        let effects = key(&mut state, KeyCode::Char(c));
        let ticket = awaited(&state, Part::Accounts);
        assert!(ticket.id > before.id);
        assert_eq!(effects, vec![load_accounts(ticket, filter, 0, Select::Index(0))]);
        before = ticket;
    }
    assert!(!state.quit);
}

#[test]
fn the_filter_edits_like_a_shell_line() {
    let mut state = loaded();
    key(&mut state, KeyCode::Char('/'));
    typed(&mut state, "prod deploy");
    // Ctrl-W deletes the last word, Ctrl-A goes home and typing inserts there.
    let effects = ctrl(&mut state, 'w');
    assert!(
        matches!(&effects[..], [Effect::Db(DbEffect::Read(Read::LoadAccounts { filter, .. }))] if filter == "prod ")
    );
    ctrl(&mut state, 'a');
    let effects = key(&mut state, KeyCode::Char('x'));
    assert!(
        matches!(&effects[..], [Effect::Db(DbEffect::Read(Read::LoadAccounts { filter, .. }))] if filter == "xprod ")
    );
    // Moving the cursor changes no text, so nothing is reloaded.
    assert!(key(&mut state, KeyCode::Right).is_empty());
    assert!(key(&mut state, KeyCode::Left).is_empty());
    let effects = ctrl(&mut state, 'u');
    assert!(
        matches!(&effects[..], [Effect::Db(DbEffect::Read(Read::LoadAccounts { filter, .. }))] if filter == "prod ")
    );
    assert_eq!(state.shown.list.filter.value(), "prod ");
}

#[test]
fn esc_in_the_filter_clears_it_and_reloads_once() {
    let mut state = loaded();
    key(&mut state, KeyCode::Char('/'));
    typed(&mut state, "ci");
    let effects = key(&mut state, KeyCode::Esc);
    assert!(
        matches!(&effects[..], [Effect::Db(DbEffect::Read(Read::LoadAccounts { filter, .. }))] if filter.is_empty())
    );
    assert!(!state.filtering);
    // An empty filter cleared again asks for nothing.
    key(&mut state, KeyCode::Char('/'));
    assert!(key(&mut state, KeyCode::Esc).is_empty());
}

#[test]
fn moving_inside_the_window_asks_only_for_the_detail() {
    let mut state = loaded();
    let effects = key(&mut state, KeyCode::Char('j'));
    assert_eq!(effects, vec![Read::LoadDetail { ticket: awaited(&state, Part::Detail), account_id: 8 }.into()]);
    assert_eq!(state.shown.list.selected, 1);
}

#[test]
fn a_new_account_form_submits_one_create_and_waits() {
    let mut state = loaded();
    assert!(key(&mut state, KeyCode::Char('n')).is_empty());
    typed(&mut state, "ci deployer");
    let effects = key(&mut state, KeyCode::Enter);
    let new =
        NewAccount { name: "ci deployer".into(), description: String::new(), role: BasicRole::Viewer, disabled: false };
    assert_eq!(effects, vec![Change::CreateAccount { org_id: 1, new }.into()]);
    assert!(key(&mut state, KeyCode::Enter).is_empty(), "a busy form does not submit twice");
}

#[test]
fn an_invalid_form_asks_nothing_of_the_store_and_keeps_the_input() {
    let mut state = loaded();
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "   ");
    assert!(key(&mut state, KeyCode::Enter).is_empty());
    let Some(Popup::Form(form)) = state.popups.last() else { panic!("the form stays open") };
    assert!(form.fields[0].error.is_some());
    assert_eq!(form.fields[0].text_value(), "   ");
}

#[test]
fn a_refusal_from_the_service_lands_under_the_field_it_names() {
    let mut state = loaded();
    key(&mut state, KeyCode::Char('n'));
    typed(&mut state, "ci-bot");
    key(&mut state, KeyCode::Enter);
    let message = "a service account named 'ci-bot' already exists in Main Org.".to_string();
    assert!(done(&mut state, Outcome::Rejected { field: Some(Field::Name), message: message.clone() }).is_empty());
    let Some(Popup::Form(form)) = state.popups.last() else { panic!("the form stays open") };
    assert_eq!(form.fields[0].error.as_deref(), Some(message.as_str()));
    assert_eq!(form.fields[0].text_value(), "ci-bot");
    assert!(!form.busy, "the form can be submitted again");
}

#[test]
fn group_member_and_account_role_refusals_land_under_their_target_field() {
    let mut state = loaded();
    key(&mut state, KeyCode::Char('a'));
    typed(&mut state, "fixed:nope");
    assert_eq!(
        key(&mut state, KeyCode::Enter),
        vec![Change::AssignRole { account_id: 7, role: "fixed:nope".into(), assign: true }.into()]
    );
    done(&mut state, Outcome::Rejected { field: Some(Field::Role), message: "no role named 'fixed:nope'".into() });
    let Some(Popup::Form(form)) = state.popups.last() else { panic!("the form stays open") };
    assert_eq!(form.fields[0].error.as_deref(), Some("no role named 'fixed:nope'"));
    assert!(form.error.is_none(), "not at the bottom of the form");
}

#[test]
fn a_refusal_without_a_form_goes_to_the_status_line() {
    let mut state = loaded();
    done(&mut state, Outcome::Rejected { field: None, message: "token 'x' is already revoked".into() });
    assert_eq!(state.status.as_ref().map(|s| s.text.as_str()), Some("token 'x' is already revoked"));
}

#[test]
fn deleting_asks_first_and_only_yes_asks_the_store() {
    let mut state = loaded();
    assert!(key(&mut state, KeyCode::Char('d')).is_empty());
    assert!(matches!(state.popups.last(), Some(Popup::Confirm { pending: Pending::DeleteAccount(7), .. })));
    assert!(key(&mut state, KeyCode::Char('n')).is_empty());
    assert!(state.popups.is_empty());
    key(&mut state, KeyCode::Char('d'));
    assert_eq!(key(&mut state, KeyCode::Char('y')), vec![Change::DeleteAccount { account_id: 7 }.into()]);
}

#[test]
fn rotating_or_revoking_a_revoked_token_is_refused_before_asking() {
    let mut state = loaded();
    let detail = Outcome::Detail {
        ticket: awaited(&state, Part::Detail),
        account: account(7, "ci-bot"),
        tokens: vec![token(1, true)],
        groups: vec![],
        roles: vec![],
        grants: vec![],
    };
    done(&mut state, detail);
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    for command in ['R', 'v'] {
        assert!(key(&mut state, KeyCode::Char(command)).is_empty());
        assert!(state.popups.is_empty(), "{command}: no y/n for a token that cannot be changed");
        assert!(state.status.as_ref().is_some_and(|s| s.text.contains("revoked")), "{command}");
    }
}

#[test]
fn saving_the_org_form_is_one_change() {
    let mut state = loaded();
    key(&mut state, KeyCode::Char('4'));
    let summary = satui::service::OrgSummary { org: org(1, "Main Org."), accounts: 3, tokens: 0 };
    done(&mut state, Outcome::OrgSummaries(vec![summary]));
    key(&mut state, KeyCode::Char('e'));
    key(&mut state, KeyCode::Tab);
    typed(&mut state, "90");
    let changes = OrgChanges { name: Some("Main Org.".into()), cap_days: Some(Some(90)) };
    assert_eq!(key(&mut state, KeyCode::Enter), vec![Change::UpdateOrg { org_id: 1, changes }.into()]);
}

#[test]
fn a_tick_fades_the_status_and_polls_for_changes() {
    let mut state = loaded();
    state.info("saved");
    assert_eq!(update(&mut state, Action::Tick(NOW + 1)), vec![Read::CheckForChanges.into()]);
    assert!(state.status.is_some());
    update(&mut state, Action::Tick(NOW + 60));
    assert!(state.status.is_none());
}

#[test]
fn another_process_writing_reloads_everything_shown() {
    let mut state = loaded();
    let effects = done(&mut state, Outcome::ExternalChange);
    assert_eq!(effects[0], Read::LoadOrgs.into());
    assert!(matches!(effects[1], Effect::Db(DbEffect::Read(Read::LoadAccounts { select: Select::Index(0), .. }))));
}

fn read(effect: Read) -> DbEffect {
    DbEffect::Read(effect)
}

#[test]
fn coalesce_keeps_the_last_of_each_read_and_every_write_in_order() {
    let ticket = |part, id| Ticket { part, id };
    let list = |id| {
        read(Read::LoadAccounts {
            ticket: ticket(Part::Accounts, id),
            org_id: 1,
            filter: String::new(),
            offset: 0,
            select: Select::Index(0),
        })
    };
    let detail =
        |account_id| read(Read::LoadDetail { ticket: ticket(Part::Detail, 10 + account_id as u64), account_id });
    let create = DbEffect::Change(Change::DeleteAccount { account_id: 7 });
    let batch = vec![
        list(1),
        detail(7),
        read(Read::CheckForChanges),
        create.clone(),
        list(2),
        read(Read::LoadOrgs),
        detail(8),
        read(Read::CheckForChanges),
        create.clone(),
    ];
    assert_eq!(
        coalesce(batch),
        vec![create.clone(), list(2), read(Read::LoadOrgs), detail(8), read(Read::CheckForChanges), create]
    );
}

#[test]
fn coalesce_leaves_a_batch_without_repeats_alone() {
    let batch = vec![
        read(Read::LoadOrgs),
        read(Read::LoadDetail { ticket: Ticket { part: Part::Detail, id: 1 }, account_id: 1 }),
        read(Read::LoadOrgSummaries),
    ];
    assert_eq!(coalesce(batch.clone()), batch);
    assert!(coalesce(Vec::new()).is_empty());
}

/// Another quick filter starts from nothing: the old filter's rows and total never show under
/// the new one, and a cursor the count moves outside the loaded rows loads them.
#[test]
fn a_new_quick_filter_starts_empty_and_the_count_loads_the_rows_the_cursor_lands_on() {
    use satui::tui::action::{Command, TokenPreset, View};
    let mut state = loaded();
    state.view = View::Tokens;
    state.shown.org_tokens.list.total = 1_000_000;
    state.shown.org_tokens.list.selected = 999_999;
    state.shown.org_tokens.counted = true;
    let effects = update(&mut state, Action::Command(Command::NextPreset));
    assert_eq!(state.shown.org_tokens.preset, TokenPreset::ExpiringSoon);
    assert_eq!((state.shown.org_tokens.list.total, state.shown.org_tokens.list.selected), (0, 0));
    assert!(!state.shown.org_tokens.counted);
    assert_eq!(effects.len(), 2, "the page and the count: {effects:?}");
    // The page is empty so far; the count says 120 while the cursor sits at 119 (G meanwhile).
    state.shown.org_tokens.list.selected = 119;
    let ticket = awaited(&state, Part::OrgTokenCount);
    let effects = done(&mut state, Outcome::OrgTokenCount { ticket, total: 120 });
    assert!(
        matches!(effects.as_slice(), [Effect::Db(DbEffect::Read(Read::LoadOrgTokens { selected: 119, .. }))]),
        "{effects:?}"
    );
}

/// A form whose creation was refused leaves nothing to select when a list arrives.
#[test]
fn a_refused_creation_selects_nothing_later() {
    let mut state = loaded();
    state.select_after_load = Some("ops".into());
    done(&mut state, Outcome::Rejected { field: Some(Field::Name), message: "exists".into() });
    assert_eq!(state.select_after_load, None);
}

/// Switching org replaces the org's whole state: the answers still on their way for the last
/// org (its roles, its account's detail, its audit page) are stale and change nothing, so the
/// new org's role picker never offers the last org's roles. One rule (a ticket per read) covers
/// every part of the screen.
#[test]
fn answers_asked_for_the_last_org_never_land_in_the_new_one() {
    use satui::domain::role::RoleKind;
    use satui::service::RoleSummary;
    use satui::tui::action::{Command, View};
    let mut state = State::new(NOW, Options::default());
    start(&mut state);
    done(&mut state, Outcome::Orgs(vec![org(1, "Main Org."), org(2, "Staging")]));
    let ticket = awaited(&state, Part::Accounts);
    let page = AccountPage { accounts: vec![account(7, "ci-bot")], offset: 0, total: 1 };
    done(&mut state, Outcome::Accounts { ticket, page, selected: 0 });
    let old_roles = awaited(&state, Part::Roles);
    let old_detail = awaited(&state, Part::Detail);
    update(&mut state, Action::Command(Command::ShowView(View::Audit)));
    let old_audit = awaited(&state, Part::Audit);
    assert!(old_roles.id > 0 && old_detail.id > 0 && old_audit.id > 0, "each part was asked for");

    // The picker: Staging.
    update(&mut state, Action::Command(Command::ShowView(View::Accounts)));
    key(&mut state, KeyCode::Char('o'));
    key(&mut state, KeyCode::Char('j'));
    key(&mut state, KeyCode::Enter);
    assert_eq!(state.org.as_ref().map(|o| o.id), Some(2));

    let role = RoleSummary {
        name: "main-only".into(),
        kind: RoleKind::Custom,
        description: String::new(),
        id: Some(1),
        managed_by: None,
        group: None,
    };
    assert!(done(&mut state, Outcome::Roles { ticket: old_roles, roles: vec![role.clone()] }).is_empty());
    assert!(state.assignable_roles().is_empty(), "Main Org.'s roles are not offered in Staging");
    let detail = Outcome::Detail {
        ticket: old_detail,
        account: account(7, "ci-bot"),
        tokens: vec![],
        groups: vec![],
        roles: vec![],
        grants: vec![],
    };
    done(&mut state, detail);
    assert!(state.shown.detail.is_none());
    let audit = Outcome::Audit { ticket: old_audit, rows: vec![], offset: 0, total: 40, selected: 0 };
    done(&mut state, audit);
    assert!(!state.shown.audit.loaded && state.shown.audit.total == 0);

    // The new org's own answers land.
    let roles = awaited(&state, Part::Roles);
    assert_ne!(roles, old_roles);
    done(
        &mut state,
        Outcome::Roles { ticket: roles, roles: vec![RoleSummary { name: "staging-role".into(), ..role }] },
    );
    assert_eq!(state.assignable_roles(), vec!["staging-role".to_string()]);
}

/// From the review: a failed read for the last org says nothing in the new one, and a form or
/// a question holding the last org's ids goes with it when the org vanishes under the screen
/// (the one-time token reveal would stay).
#[test]
fn the_last_orgs_failures_and_questions_do_not_follow_into_the_next() {
    let mut state = loaded();
    let old_detail = awaited(&state, Part::Detail);
    key(&mut state, KeyCode::Char('d'));
    assert!(matches!(state.popups.last(), Some(Popup::Confirm { pending: Pending::DeleteAccount(7), .. })));
    // Main Org. was deleted by another process: the next list of orgs lacks it.
    done(&mut state, Outcome::Orgs(vec![org(2, "Staging")]));
    assert_eq!(state.org.as_ref().map(|o| o.id), Some(2));
    assert!(state.popups.is_empty(), "the question about Main Org.'s account went with it");
    let failed = Outcome::ReadFailed { ticket: old_detail, message: "database is locked".into() };
    done(&mut state, failed);
    assert!(state.status.is_none(), "{:?}", state.status);
    // The new org's own failure is said.
    let detail = awaited(&state, Part::Accounts);
    done(&mut state, Outcome::ReadFailed { ticket: detail, message: "database is locked".into() });
    assert!(state.status.as_ref().is_some_and(|s| s.text.contains("locked")));
}
