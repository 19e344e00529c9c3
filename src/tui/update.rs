//! The pure heart of the UI: `update(state, action) -> effects`. No database, no clipboard, no
//! clock: those arrive as actions and leave as effects, so every rule here is tested without a
//! terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Command, Select, View};
use super::effect::{DbEffect, Effect};
use super::form::Form;
use super::keymap;
use super::state::{Focus, PAGE_SIZE, Pending, Popup, State, step_cursor};
use super::{outcomes, popups, views};
use crate::service::Service;

/// Longest filter text; past this, typing is ignored.
const MAX_FILTER_CHARS: usize = 100;

/// The effects to run when the UI starts.
pub fn start(_state: &mut State) -> Vec<Effect> {
    vec![DbEffect::LoadOrgs.into(), DbEffect::CheckForChanges.into()]
}

/// Turns a key into an action: a binding of the current context, or text for a focused input.
pub fn key_to_action(state: &State, key: KeyEvent) -> Option<Action> {
    let typing_text = match state.popups.last() {
        Some(Popup::Form(form)) => form.focused_is_text(),
        None => state.filtering,
        _ => false,
    };
    let plain_char =
        matches!(key.code, KeyCode::Char(_)) && !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
    if typing_text && (plain_char || key.code == KeyCode::Backspace) {
        // Letters go into the field even when a binding uses them (Space, j, q...).
        return Some(Action::Input(key));
    }
    if let Some(command) = keymap::lookup(&state.contexts(), &key) {
        return Some(Action::Command(command));
    }
    if typing_text {
        return Some(Action::Input(key));
    }
    None
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now) => {
            state.now = now;
            if state.status.as_ref().is_some_and(|s| s.until <= now) {
                state.status = None;
            }
            vec![DbEffect::CheckForChanges.into()]
        }
        Action::Resize { height, .. } => {
            // Header, filter, pane borders and footer take about nine rows.
            state.viewport_rows = height.saturating_sub(9).max(1);
            Vec::new()
        }
        Action::Key(key) => match key_to_action(state, key) {
            Some(action) => update(state, action),
            None => Vec::new(),
        },
        Action::Input(key) => input(state, key),
        Action::Paste(text) => paste(state, &text),
        Action::Command(command) => match state.popups.last() {
            Some(_) => popups::command(state, command),
            None if state.filtering => filter_command(state, command),
            None => pane_command(state, command),
        },
        Action::Done(outcome) => outcomes::received(state, outcome),
    }
}

fn input(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if let Some(Popup::Form(form)) = state.popups.last_mut() {
        form.input(key);
        return Vec::new();
    }
    if state.filtering {
        let filter = filter_text(state);
        let before = filter.clone();
        match key.code {
            KeyCode::Backspace => {
                filter.pop();
            }
            KeyCode::Char(c) if !c.is_control() && filter.chars().count() < MAX_FILTER_CHARS => filter.push(c),
            _ => {}
        }
        if *filter != before {
            return reload_list_from_top(state);
        }
    }
    Vec::new()
}

/// The filter of the current view: accounts or the audit log.
fn filter_text(state: &mut State) -> &mut String {
    if state.view == View::Audit { &mut state.audit.filter } else { &mut state.list.filter }
}

fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    if let Some(Popup::Form(form)) = state.popups.last_mut() {
        form.paste(text);
    } else if state.filtering {
        let filter = filter_text(state);
        let room = MAX_FILTER_CHARS.saturating_sub(filter.chars().count());
        filter.extend(text.chars().filter(|c| !c.is_control()).take(room));
        return reload_list_from_top(state);
    }
    Vec::new()
}

fn reload_list_from_top(state: &mut State) -> Vec<Effect> {
    if state.view == View::Audit {
        return views::load_audit(state, 0);
    }
    state.list.offset = 0;
    load_accounts(state, Select::Index(0))
}

/// Asks for the page around the current window; `select` says where the cursor lands.
pub(super) fn load_accounts(state: &mut State, select: Select) -> Vec<Effect> {
    let Some(org_id) = state.org.as_ref().map(|o| o.id) else { return Vec::new() };
    let request = state.next_request();
    state.list.request = request;
    let offset = match select {
        Select::Index(index) => index / PAGE_SIZE * PAGE_SIZE,
        Select::Account(_) => state.list.offset,
    };
    vec![DbEffect::LoadAccounts { request, org_id, filter: state.list.filter.clone(), offset, select }.into()]
}

pub(super) fn load_detail(state: &State) -> Vec<Effect> {
    state.selected_account().map(|a| DbEffect::LoadDetail { account_id: a.id }.into()).into_iter().collect()
}

fn filter_command(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::Submit => {
            state.filtering = false;
            Vec::new()
        }
        Command::ClearFilter => {
            state.filtering = false;
            let filter = filter_text(state);
            if filter.is_empty() {
                return Vec::new();
            }
            filter.clear();
            reload_list_from_top(state)
        }
        Command::Up | Command::Down => move_selection(state, command),
        Command::Quit => quit(state),
        _ => Vec::new(),
    }
}

pub(super) fn quit(state: &mut State) -> Vec<Effect> {
    state.quit = true;
    // Drops any revealed secret now (zeroized), before the runner tears down.
    state.popups.clear();
    Vec::new()
}

fn pane_command(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::Quit => quit(state),
        Command::Help => {
            state.popups.push(Popup::Help { scroll: 0 });
            Vec::new()
        }
        Command::ShowView(view) => {
            state.view = view;
            state.focus = Focus::List;
            views::load(state)
        }
        Command::SwitchOrg => {
            let selected = state.org.as_ref().and_then(|o| state.orgs.iter().position(|x| x.id == o.id)).unwrap_or(0);
            state.popups.push(Popup::OrgPicker { selected });
            vec![DbEffect::LoadOrgs.into()]
        }
        Command::Reload => {
            state.info("reloaded");
            reload_all(state)
        }
        Command::NextFocus | Command::PrevFocus => {
            let order = [Focus::List, Focus::Detail, Focus::Tokens];
            let i = order.iter().position(|f| *f == state.focus).unwrap_or(0);
            let step = if command == Command::NextFocus { 1 } else { order.len() - 1 };
            state.focus = order[(i + step) % order.len()];
            Vec::new()
        }
        Command::Up | Command::Down | Command::Top | Command::Bottom | Command::PageUp | Command::PageDown => {
            move_selection(state, command)
        }
        Command::Filter if matches!(state.view, View::Accounts | View::Audit) => {
            state.filtering = true;
            state.focus = Focus::List;
            Vec::new()
        }
        _ if state.view != View::Accounts => views::command(state, command),
        Command::AddItem | Command::RemoveItem => with_unmanaged_account(state, |state, account| {
            state.popups.push(Popup::Form(Form::account_role(&account, command == Command::AddItem)));
            Vec::new()
        }),
        Command::New => {
            if let Some(org) = &state.org {
                state.popups.push(Popup::Form(Form::new_account(org.id, &org.name)));
            }
            Vec::new()
        }
        Command::Edit => with_unmanaged_account(state, |state, account| {
            let groups = state.detail.as_ref().filter(|d| d.account.id == account.id).map(|d| d.groups.clone());
            state.popups.push(Popup::Form(Form::edit_account(&account, &groups.unwrap_or_default())));
            Vec::new()
        }),
        Command::ToggleDisabled => with_unmanaged_account(state, |_, account| {
            vec![DbEffect::SetDisabled { account_id: account.id, disabled: !account.disabled }.into()]
        }),
        Command::NewToken => with_unmanaged_account(state, |state, account| {
            state.popups.push(Popup::Form(Form::new_token(&account)));
            Vec::new()
        }),
        Command::RotateToken | Command::RevokeToken => token_command(state, command),
        Command::Delete if state.focus == Focus::Tokens => token_command(state, command),
        Command::Delete => with_unmanaged_account(state, |state, account| {
            state.popups.push(Popup::Confirm {
                message: format!("Delete {} and all its tokens? y/n", account.name),
                pending: Pending::DeleteAccount(account.id),
            });
            Vec::new()
        }),
        _ => Vec::new(),
    }
}

/// Runs `then` on the selected account unless a plugin manages it (the service's rule).
fn with_unmanaged_account(
    state: &mut State,
    then: impl FnOnce(&mut State, crate::service::Account) -> Vec<Effect>,
) -> Vec<Effect> {
    let Some(account) = state.selected_account().cloned() else {
        state.error("no service account selected");
        return Vec::new();
    };
    if let Err(e) = Service::ensure_unmanaged(&account) {
        state.error(e.to_string());
        return Vec::new();
    }
    then(state, account)
}

fn token_command(state: &mut State, command: Command) -> Vec<Effect> {
    with_unmanaged_account(state, |state, account| {
        let token =
            state.detail.as_ref().filter(|d| d.account.id == account.id).and_then(|d| d.selected_token().cloned());
        let Some(token) = token else {
            state.error(format!("{} has no token to act on", account.name));
            return Vec::new();
        };
        let (message, pending) = match command {
            Command::RotateToken => (
                format!("Rotate token {}? The current secret stops working now. y/n", token.name),
                Pending::RotateToken(token.id),
            ),
            Command::RevokeToken if token.revoked_at.is_some() => {
                state.error(format!("token {} is already revoked", token.name));
                return Vec::new();
            }
            Command::RevokeToken => {
                (format!("Revoke token {} ({})? y/n", token.name, token.hint), Pending::RevokeToken(token.id))
            }
            _ => {
                (format!("Delete token {} ({}) for good? y/n", token.name, token.hint), Pending::DeleteToken(token.id))
            }
        };
        state.popups.push(Popup::Confirm { message, pending });
        Vec::new()
    })
}

fn move_selection(state: &mut State, command: Command) -> Vec<Effect> {
    if state.view != View::Accounts {
        return views::move_selection(state, command);
    }
    if state.focus == Focus::Detail && !state.filtering {
        let page = state.viewport_rows.max(1);
        state.detail_scroll = match command {
            Command::Up => state.detail_scroll.saturating_sub(1),
            Command::Down => state.detail_scroll.saturating_add(1).min(500),
            Command::Top => 0,
            Command::PageUp => state.detail_scroll.saturating_sub(page),
            Command::PageDown => state.detail_scroll.saturating_add(page).min(500),
            _ => state.detail_scroll,
        };
        return Vec::new();
    }
    if state.focus == Focus::Tokens && !state.filtering {
        if let Some(detail) = state.detail.as_mut() {
            let len = detail.tokens.len() as u64;
            detail.selected_token = step_cursor(detail.selected_token as u64, len, command, 5) as usize;
        }
        return Vec::new();
    }
    let current = state.list.selected;
    let target = step_cursor(current, state.list.total, command, u64::from(state.viewport_rows.max(1)));
    if target == current {
        return Vec::new();
    }
    state.list.selected = target;
    state.detail_scroll = 0;
    if state.list.window_contains(target) { load_detail(state) } else { load_accounts(state, Select::Index(target)) }
}

pub(super) fn switch_org(state: &mut State, org: crate::service::Org) -> Vec<Effect> {
    state.org = Some(org);
    state.list = Default::default();
    state.detail = None;
    state.groups = Default::default();
    state.roles = Default::default();
    state.role_detail = None;
    state.audit = Default::default();
    state.filtering = false;
    let mut effects = load_accounts(state, Select::Index(0));
    effects.extend(views::load(state));
    effects
}

/// Everything the screen shows, again (after `r` or a change made elsewhere).
pub(super) fn reload_all(state: &mut State) -> Vec<Effect> {
    let mut effects: Vec<Effect> = vec![DbEffect::LoadOrgs.into()];
    effects.extend(load_accounts(state, Select::Index(state.list.selected)));
    effects.extend(views::load(state));
    effects
}

pub(super) fn top_form(state: &mut State) -> Option<&mut Form> {
    match state.popups.last_mut() {
        Some(Popup::Form(form)) => Some(form),
        _ => None,
    }
}
