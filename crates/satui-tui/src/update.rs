//! The pure heart of the UI: `update(state, action) -> effects`. No database, no clipboard, no
//! clock: those arrive as actions and leave as effects, so every rule here is tested without a
//! terminal.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Command, LineEdit, Select, View};
use super::effect::{Change, Effect, Read};
use super::form::Form;
use super::keymap;
use super::nav::{self, load_accounts, load_detail, quit, reload_all};
use super::state::{Focus, Pending, Popup, State, step_cursor};
use super::{outcomes, popups, views};
use satui_service::{Account, Service};

/// The longest command line kept (a name is at most a few hundred characters).
const COMMAND_LINE_CHARS: usize = 300;

/// The effects to run when the UI starts.
pub fn start(_state: &mut State) -> Vec<Effect> {
    vec![Read::LoadOrgs.into(), Read::CheckForChanges.into()]
}

/// Turns a key into an action: a binding of the current contexts, or a character for the line
/// being typed. This is the only place that looks at key codes.
pub fn key_to_action(state: &State, key: KeyEvent) -> Option<Action> {
    let plain_char = match key.code {
        KeyCode::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(c),
        _ => None,
    };
    if let Some(c) = plain_char.filter(|_| state.typing_text()) {
        // Letters go into the line even when a binding uses them (Space, j, q...).
        return Some(Action::Type(c));
    }
    state.options.keys.lookup(&state.contexts(), &key).map(Action::Command)
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    // A key is read through the keymap once, here; what it means is applied below.
    let action = match action {
        Action::Key(key) => match key_to_action(state, key) {
            Some(action) => action,
            None => {
                // A key that does nothing here says so, never nothing.
                if !matches!(key.code, KeyCode::Modifier(_) | KeyCode::Null) {
                    state.status = None;
                    state.info(format!("{} does nothing here: ? for help", keymap::key_label(key.code, key.modifiers)));
                }
                return Vec::new();
            }
        },
        other => other,
    };
    // A step moved by hand stays put until the next action (going back to a step whose
    // condition already holds must not jump forward again at once).
    let moved_tour = matches!(action, Action::Command(Command::TourBack | Command::TourSkip | Command::TourRestart));
    let effects = apply(state, action);
    // The tour sees every action through the state it leaves.
    if !moved_tour {
        super::tour::advance(state, super::ui::group_grant_in_view);
    }
    effects
}

fn apply(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now) => {
            state.now = now;
            if state.status.as_ref().is_some_and(|s| s.until <= now) {
                state.status = None;
            }
            vec![Read::CheckForChanges.into()]
        }
        Action::Resize { width, height } => {
            // Header, filter, pane borders and footer take about nine rows.
            state.viewport_rows = height.saturating_sub(9).max(1);
            state.screen_height = height;
            state.screen_width = width;
            Vec::new()
        }
        Action::Click { column, row } => click(state, column, row),
        Action::Wheel { column, row, down } => wheel(state, column, row, down),
        // Read through the keymap by `update` before it gets here.
        Action::Key(_) => Vec::new(),
        Action::Type(c) => edit_line(state, |line| line.insert(c)),
        Action::Paste(text) => edit_line(state, |line| line.paste(&text)),
        Action::Command(Command::EditLine(edit)) => edit_text(state, edit),
        Action::Command(command) => {
            // A status belongs to the action that made it and goes with the next one ("token
            // closed without copying" must not greet the next reveal).
            state.status = None;
            command_on_top(state, command)
        }
        Action::Done(outcome) => outcomes::received(state, outcome),
    }
}

fn command_on_top(state: &mut State, command: Command) -> Vec<Effect> {
    match state.popups.last() {
        Some(Popup::CommandLine(_)) => command_line(state, command),
        Some(_) => popups::command(state, command),
        None if state.filtering => filter_command(state, command),
        None => pane_command(state, command),
    }
}

/// Keys of the `:` command line: Tab completes, Enter runs (a line it cannot run stays, with
/// the error in the status), Esc closes.
fn command_line(state: &mut State, command: Command) -> Vec<Effect> {
    use super::command_line::{Jump, complete, parse};
    let Some(Popup::CommandLine(line)) = state.popups.last() else { return Vec::new() };
    let typed = line.value().to_string();
    match command {
        Command::Cancel => {
            state.popups.pop();
            Vec::new()
        }
        Command::NextField => {
            let (orgs, accounts) = state.completion_names();
            if let Some(completed) = complete(&typed, &orgs, &accounts) {
                let line = super::form::TextLine::new(&completed, COMMAND_LINE_CHARS);
                state.popups.pop();
                state.popups.push(Popup::CommandLine(line));
            }
            Vec::new()
        }
        Command::Submit => match parse(&typed) {
            Err(message) => {
                state.error(message);
                Vec::new()
            }
            Ok(jump) => {
                state.popups.pop();
                match jump {
                    Jump::View(view) => pane_command(state, Command::ShowView(view)),
                    Jump::Help => pane_command(state, Command::Help),
                    Jump::Quit => quit(state),
                    Jump::Org(wanted) => {
                        let key = satui_domain::names::name_key(&wanted);
                        let found = state
                            .orgs
                            .iter()
                            .find(|o| satui_domain::names::name_key(&o.name) == key || o.id.to_string() == wanted)
                            .cloned();
                        match found {
                            Some(org) => {
                                state.info(format!("switched to {}", org.name));
                                nav::switch_org(state, org)
                            }
                            None => {
                                state.error(format!("no organization '{wanted}'"));
                                state
                                    .popups
                                    .push(Popup::CommandLine(super::form::TextLine::new(&typed, COMMAND_LINE_CHARS)));
                                Vec::new()
                            }
                        }
                    }
                    // The accounts view filtered to the name: the account, or those it could mean.
                    Jump::Account(wanted) => {
                        state.view = View::Accounts;
                        state.focus = Focus::List;
                        state.shown.detail_scroll = 0;
                        state.shown.history.clear();
                        state.shown.list.filter.clear();
                        state.shown.list.filter.paste(&wanted);
                        nav::reload_list_from_top(state)
                    }
                }
            }
        },
        _ => Vec::new(),
    }
}

/// Applies a change to the line being typed: the focused form field, or the filter (whose list
/// reloads from the top when its text changed).
fn edit_line(state: &mut State, change: impl FnOnce(&mut super::form::TextLine) -> bool) -> Vec<Effect> {
    if let Some(Popup::Form(form)) = state.popups.last_mut() {
        form.edit_focused(change);
        return nav::form_suggestions(state);
    }
    if let Some(Popup::CommandLine(line)) = state.popups.last_mut() {
        change(line);
        return Vec::new();
    }
    if let Some(Popup::Help { search, searching: true, scroll, .. }) = state.popups.last_mut() {
        if change(search) {
            *scroll = 0;
        }
        return Vec::new();
    }
    if state.filtering
        && let Some(filter) = state.filter_mut()
        && change(filter)
    {
        return nav::reload_list_from_top(state);
    }
    Vec::new()
}

fn edit_text(state: &mut State, edit: LineEdit) -> Vec<Effect> {
    edit_line(state, |line| line.edit(edit))
}

fn filter_command(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::Submit => {
            state.filtering = false;
            Vec::new()
        }
        Command::ClearFilter => {
            state.filtering = false;
            let cleared = state.filter_mut().is_some_and(|filter| filter.clear());
            if cleared { nav::reload_list_from_top(state) } else { Vec::new() }
        }
        Command::Up | Command::Down => move_selection(state, command),
        Command::Quit => quit(state),
        _ => Vec::new(),
    }
}

fn pane_command(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::Quit => quit(state),
        Command::Help => {
            let first = state.contexts();
            let search = super::form::TextLine::new("", super::form::MAX_INPUT_CHARS);
            state.popups.push(Popup::Help { scroll: 0, first, search, searching: false });
            Vec::new()
        }
        Command::ShowView(view) => {
            // The Orgs view opens with the cursor on the org being shown.
            if view == View::Orgs && state.view != View::Orgs {
                state.select_after_load = state.org.as_ref().map(|o| o.name.clone());
            }
            state.view = view;
            state.focus = Focus::List;
            state.shown.detail_scroll = 0;
            state.shown.history.clear();
            nav::load_view(state)
        }
        Command::Plugins => {
            let Some(org_id) = state.org.as_ref().map(|o| o.id) else { return Vec::new() };
            state.popups.push(Popup::Plugins { rows: None, selected: 0 });
            vec![Read::LoadPlugins { org_id }.into()]
        }
        Command::CommandLine => {
            state.popups.push(Popup::CommandLine(super::form::TextLine::new("", COMMAND_LINE_CHARS)));
            Vec::new()
        }
        Command::SwitchOrg => {
            let selected = state.org.as_ref().and_then(|o| state.orgs.iter().position(|x| x.id == o.id)).unwrap_or(0);
            state.popups.push(Popup::OrgPicker { selected });
            vec![Read::LoadOrgs.into()]
        }
        Command::Reload => {
            state.info("reloaded");
            reload_all(state)
        }
        Command::NextFocus | Command::PrevFocus | Command::FocusLeft | Command::FocusRight => {
            let order = state.panes();
            let i = order.iter().position(|f| *f == state.focus).unwrap_or(0);
            let n = order.len();
            // Tab wraps around; h/l stop at the edges, as in lazygit.
            state.focus = match command {
                Command::NextFocus => order[(i + 1) % n],
                Command::PrevFocus => order[(i + n - 1) % n],
                Command::FocusRight => order[(i + 1).min(n - 1)],
                _ => order[i.saturating_sub(1)],
            };
            Vec::new()
        }
        Command::Back => {
            if state.detail_filtered() && state.shown.detail_filter.clear() {
                state.shown.detail_scroll = 0;
                return Vec::new();
            }
            if let Some(view) = state.shown.history.pop() {
                state.view = view;
                state.focus = Focus::List;
                state.shown.detail_scroll = 0;
                return nav::load_view(state);
            }
            if state.focus != Focus::List {
                state.focus = Focus::List;
                return Vec::new();
            }
            let cleared = state.filter_mut().is_some_and(|filter| filter.clear());
            if cleared {
                return nav::reload_list_from_top(state);
            }
            if let Some(tour) = state.tour.as_mut().filter(|t| !t.hidden) {
                tour.hidden = true;
                state.info("tour closed; T brings it back");
            }
            Vec::new()
        }
        Command::TourBack | Command::TourSkip | Command::TourRestart => {
            if let Some(tour) = state.tour.as_mut().filter(|t| !t.hidden) {
                tour.step = match command {
                    Command::TourBack => tour.step.saturating_sub(1),
                    Command::TourSkip => (tour.step + 1).min(super::tour::STEPS.len() - 1),
                    _ => 0,
                };
            }
            Vec::new()
        }
        Command::Tour => {
            match state.tour.as_mut() {
                Some(tour) => tour.hidden = !tour.hidden,
                None if state.options.demo => state.tour = Some(super::state::Tour { step: 0, hidden: false }),
                None => state.info("the guided tour runs on the demo: satui demo --tour"),
            }
            Vec::new()
        }
        Command::Up
        | Command::Down
        | Command::Top
        | Command::Bottom
        | Command::PageUp
        | Command::PageDown
        | Command::HalfPageUp
        | Command::HalfPageDown => move_selection(state, command),
        Command::Filter if state.detail_filtered() => {
            // In the detail pane, `/` narrows the account's permissions, not the account list.
            state.filtering = true;
            Vec::new()
        }
        Command::Filter if state.filter().is_some() => {
            state.filtering = true;
            state.focus = Focus::List;
            Vec::new()
        }
        _ if state.view != View::Accounts => views::command(state, command),
        Command::AddItem | Command::RemoveItem => with_unmanaged_account(state, |state, account| {
            let assign = command == Command::AddItem;
            let options = if assign {
                state.assignable_roles()
            } else {
                state
                    .shown
                    .detail
                    .as_ref()
                    .filter(|d| d.account.id == account.id)
                    .map(|d| d.roles.clone())
                    .unwrap_or_default()
            };
            if !assign && options.is_empty() {
                state.error(format!("{} holds no role besides its basic role", account.name));
                return Vec::new();
            }
            state.popups.push(Popup::Form(Form::account_role(&account, assign, options)));
            Vec::new()
        }),
        Command::New => {
            if let Some(org) = &state.org {
                state.popups.push(Popup::Form(Form::new_account(org.id, &org.name)));
            }
            Vec::new()
        }
        Command::Edit => with_unmanaged_account(state, |state, account| {
            let groups = state.shown.detail.as_ref().filter(|d| d.account.id == account.id).map(|d| d.groups.clone());
            state.popups.push(Popup::Form(Form::edit_account(&account, &groups.unwrap_or_default())));
            Vec::new()
        }),
        Command::ToggleDisabled => with_unmanaged_account(state, |state, account| {
            // Enabling is harmless; disabling stops every live token, so it asks when there are any.
            match state.selected_live_tokens() {
                Some(live) if !account.disabled && live > 0 => {
                    let tokens =
                        if live == 1 { "live token stops".to_string() } else { format!("{live} live tokens stop") };
                    state.popups.push(Popup::Confirm {
                        message: format!("Disable {}? Its {tokens} working until it is enabled again.", account.name),
                        pending: Pending::Disable(account.id),
                    });
                    Vec::new()
                }
                _ => vec![Change::SetDisabled { account_id: account.id, disabled: !account.disabled }.into()],
            }
        }),
        Command::NewToken => with_unmanaged_account(state, |state, account| {
            let cap = state.org.as_ref().and_then(|o| o.max_token_lifetime_days);
            state.popups.push(Popup::Form(Form::new_token(&account, cap)));
            Vec::new()
        }),
        Command::Submit => {
            // Enter drills in: from the account to its tokens.
            match state.shown.detail.as_ref().filter(|d| Some(d.account.id) == state.selected_account().map(|a| a.id)) {
                Some(detail) if detail.tokens.is_empty() => state.info("no tokens yet: t creates one"),
                Some(_) => state.focus = Focus::Tokens,
                None => {}
            }
            Vec::new()
        }
        Command::RotateToken | Command::RevokeToken => token_command(state, command),
        Command::Delete if state.focus == Focus::Tokens => token_command(state, command),
        Command::Delete => with_unmanaged_account(state, |state, account| {
            let live = match state.selected_live_tokens() {
                Some(0) => " None of them is live.".to_string(),
                Some(1) => " 1 of them is live and stops working.".to_string(),
                Some(n) => format!(" {n} of them are live and stop working."),
                None => String::new(),
            };
            state.popups.push(Popup::Confirm {
                message: format!("Delete {} and all its tokens?{live}", account.name),
                pending: Pending::DeleteAccount(account.id),
            });
            Vec::new()
        }),
        _ => Vec::new(),
    }
}

/// A left click: a view tab switches views, a row is selected (its pane focused), a pane is
/// focused. Ignored under a popup or while a filter is typed.
fn click(state: &mut State, column: u16, row: u16) -> Vec<Effect> {
    if !state.popups.is_empty() || state.filtering {
        return Vec::new();
    }
    let Some(hit) = super::ui::layout::hit(&state.drawn, column, row) else {
        return Vec::new();
    };
    match hit {
        super::ui::layout::Hit::Tab(view) => pane_command(state, Command::ShowView(view)),
        super::ui::layout::Hit::Pane(pane) => {
            if state.panes().contains(&pane) {
                state.focus = pane;
            }
            Vec::new()
        }
        super::ui::layout::Hit::Row(Focus::Tokens, index) => {
            if !state.panes().contains(&Focus::Tokens) {
                return Vec::new();
            }
            state.focus = Focus::Tokens;
            // Below the last token selects nothing.
            if let Some(detail) = state.shown.detail.as_mut().filter(|d| index < d.tokens.len()) {
                detail.selected_token = index;
            }
            Vec::new()
        }
        super::ui::layout::Hit::Row(_, index) => {
            state.focus = Focus::List;
            select_row(state, index)
        }
    }
}

/// The wheel moves the cursor of the pane under the pointer (focusing it), as in a browser; over
/// a popup, or nowhere in particular, it moves what has the keys.
fn wheel(state: &mut State, column: u16, row: u16, down: bool) -> Vec<Effect> {
    let command = if down { Command::Down } else { Command::Up };
    if state.popups.is_empty() && !state.filtering {
        let hit = super::ui::layout::hit(&state.drawn, column, row);
        if let Some(super::ui::layout::Hit::Pane(pane) | super::ui::layout::Hit::Row(pane, _)) = hit
            && state.panes().contains(&pane)
        {
            state.focus = pane;
        }
    }
    update(state, Action::Command(command))
}

/// Puts the cursor on row `index` of what the list pane holds (a click).
fn select_row(state: &mut State, index: usize) -> Vec<Effect> {
    let index = index as u64;
    match state.view {
        View::Accounts => {
            if index >= state.shown.list.rows.len() as u64 {
                return Vec::new();
            }
            let target = state.shown.list.offset + index;
            if target == state.shown.list.selected {
                return Vec::new();
            }
            state.shown.list.selected = target;
            state.shown.detail_scroll = 0;
            load_detail(state)
        }
        _ => views::select_row(state, index),
    }
}

/// Runs `then` on the selected account unless a plugin manages it (the service's rule).
fn with_unmanaged_account(state: &mut State, then: impl FnOnce(&mut State, Account) -> Vec<Effect>) -> Vec<Effect> {
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

/// Rotate, revoke or delete the selected token of the selected account.
fn token_command(state: &mut State, command: Command) -> Vec<Effect> {
    let Some(account) = state.selected_account().cloned() else {
        state.error("no service account selected");
        return Vec::new();
    };
    let token =
        state.shown.detail.as_ref().filter(|d| d.account.id == account.id).and_then(|d| d.selected_token().cloned());
    let Some(token) = token else {
        state.error(format!("{} has no token to act on", account.name));
        return Vec::new();
    };
    nav::ask_token_action(state, &token, &account.name, account.managed_by.as_deref(), command)
}

fn move_selection(state: &mut State, command: Command) -> Vec<Effect> {
    if state.view != View::Accounts {
        return views::move_selection(state, command);
    }
    if state.focus == Focus::Detail && !state.filtering {
        state.shown.detail_scroll = super::state::scroll(state.shown.detail_scroll, command, state.viewport_rows);
        return Vec::new();
    }
    if state.focus == Focus::Tokens && !state.filtering {
        if let Some(detail) = state.shown.detail.as_mut() {
            let len = detail.tokens.len() as u64;
            detail.selected_token = step_cursor(detail.selected_token as u64, len, command, 5) as usize;
        }
        return Vec::new();
    }
    let current = state.shown.list.selected;
    let target = step_cursor(current, state.shown.list.total, command, u64::from(state.viewport_rows.max(1)));
    if target == current {
        return Vec::new();
    }
    state.shown.list.selected = target;
    state.shown.detail_scroll = 0;
    if state.shown.list.window_contains(target) {
        load_detail(state)
    } else {
        load_accounts(state, Select::Index(target))
    }
}
