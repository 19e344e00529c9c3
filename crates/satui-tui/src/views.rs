//! The secondary views (2 Groups, 3 Roles, 4 Orgs, 5 Audit, 6 Tokens): what they load, how
//! their keys act and how results land. Pure, like `update`.

use super::action::{Command, Outcome, Select, View};
use super::effect::Effect;
use super::form::Form;
use super::nav::{ask_token_action, load_accounts, load_audit, load_org_tokens, load_role_detail, switch_org};
use super::state::{Focus, Pending, Popup, RoleDetail, State, step_cursor};

/// j/k/g/G/PgUp/PgDn in a secondary view.
pub fn move_selection(state: &mut State, command: Command) -> Vec<Effect> {
    let page = usize::from(state.viewport_rows.max(1));
    if state.focus == Focus::Detail && !state.filtering {
        state.shown.detail_scroll = super::state::scroll(state.shown.detail_scroll, command, state.viewport_rows);
        return Vec::new();
    }
    let before = (
        state.shown.groups.selected,
        state.shown.roles.selected,
        state.org_summaries.selected,
        state.shown.audit.selected,
    );
    let effects = move_list(state, command, page);
    if before
        != (
            state.shown.groups.selected,
            state.shown.roles.selected,
            state.org_summaries.selected,
            state.shown.audit.selected,
        )
    {
        state.shown.detail_scroll = 0;
    }
    effects
}

fn move_list(state: &mut State, command: Command, page: usize) -> Vec<Effect> {
    match state.view {
        View::Groups => state.shown.groups.step(command, page),
        View::Orgs => state.org_summaries.step(command, page),
        View::Roles => {
            let before = state.shown.roles.selected;
            state.shown.roles.step(command, page);
            if state.shown.roles.selected != before {
                return load_role_detail(state);
            }
        }
        View::Audit => {
            let target = step_cursor(state.shown.audit.selected, state.shown.audit.total, command, page as u64);
            state.shown.audit.selected = target;
            if !state.shown.audit.window_contains(target) {
                return load_audit(state, target);
            }
        }
        View::Tokens => {
            let list = &mut state.shown.org_tokens.list;
            let target = step_cursor(list.selected, list.total, command, page as u64);
            list.selected = target;
            if !list.window_contains(target) {
                return load_org_tokens(state, target, false);
            }
        }
        View::Accounts => {}
    }
    Vec::new()
}

/// A click on row `index` of the list pane.
pub fn select_row(state: &mut State, index: u64) -> Vec<Effect> {
    let index_usize = usize::try_from(index).unwrap_or(usize::MAX);
    state.shown.detail_scroll = 0;
    match state.view {
        View::Groups if index_usize < state.shown.groups.shown.len() => state.shown.groups.selected = index_usize,
        View::Orgs if index_usize < state.org_summaries.shown.len() => state.org_summaries.selected = index_usize,
        View::Roles if index_usize < state.shown.roles.shown.len() => {
            state.shown.roles.selected = index_usize;
            return load_role_detail(state);
        }
        View::Audit if index_usize < state.shown.audit.rows.len() => {
            state.shown.audit.selected = state.shown.audit.offset + index
        }
        View::Tokens if index_usize < state.shown.org_tokens.list.rows.len() => {
            state.shown.org_tokens.list.selected = state.shown.org_tokens.list.offset + index;
        }
        _ => {}
    }
    Vec::new()
}

/// The tokens view's keys: quick filters, Enter to the account, and R/v/d on the token.
fn tokens_command(state: &mut State, command: Command) -> Vec<Effect> {
    match command {
        Command::NextPreset | Command::PrevPreset => {
            let tokens = &mut state.shown.org_tokens;
            tokens.preset = tokens.preset.step(command == Command::NextPreset);
            // Another filter: nothing of the old one's rows or total carries over (the typed
            // account filter stays).
            let typed = std::mem::take(&mut tokens.list.filter);
            tokens.list = Default::default();
            tokens.list.filter = typed;
            load_org_tokens(state, 0, true)
        }
        Command::Submit => {
            let Some(row) = state.shown.org_tokens.list.selected_row() else { return Vec::new() };
            let (account_id, token_id) = (row.account_id, row.token.id);
            // Esc comes back here, to this row (the view keeps its list and cursor meanwhile).
            state.shown.history.push(View::Tokens);
            state.view = View::Accounts;
            state.focus = Focus::Tokens;
            state.shown.detail_scroll = 0;
            state.shown.jump_to_token = Some(token_id);
            // The account must be in the list to be shown: a filter that hides it goes.
            state.shown.list.filter.clear();
            load_accounts(state, Select::Account(account_id))
        }
        Command::RotateToken | Command::RevokeToken | Command::Delete => {
            let Some(row) = state.shown.org_tokens.list.selected_row().cloned() else {
                state.error("no token selected");
                return Vec::new();
            };
            ask_token_action(state, &row.token, &row.account_name, row.managed_by.as_deref(), command)
        }
        _ => Vec::new(),
    }
}

/// A view's own keys (n, e, d, a, u, Enter).
pub fn command(state: &mut State, command: Command) -> Vec<Effect> {
    let Some(org) = state.org.clone() else { return Vec::new() };
    if state.view == View::Tokens {
        return tokens_command(state, command);
    }
    let form = match (state.view, command) {
        (View::Groups, Command::New) => Some(Form::new_group(org.id)),
        (View::Groups, Command::Edit) => {
            state.shown.groups.selected().map(|g| Form::rename_group(org.id, &g.group.name))
        }
        (View::Groups, Command::AddItem | Command::RemoveItem) => {
            let add = command == Command::AddItem;
            let roles = state.assignable_roles();
            state.shown.groups.selected().map(|g| {
                if add {
                    Form::group_change(org.id, &g.group.name, true, Vec::new(), roles)
                } else {
                    Form::group_change(org.id, &g.group.name, false, g.members.clone(), g.roles.clone())
                }
            })
        }
        (View::Groups, Command::Delete) => {
            if let Some(g) = state.shown.groups.selected() {
                let name = g.group.name.clone();
                state.popups.push(Popup::Confirm {
                    message: format!("Delete group {name}? Its members stay but lose its roles."),
                    pending: Pending::DeleteGroup { org_id: org.id, name },
                });
            }
            None
        }
        (View::Roles, Command::New) => Some(Form::new_role(org.id)),
        (View::Roles, Command::AddItem | Command::RemoveItem | Command::Delete | Command::Edit) => {
            let Some(role) = state.shown.roles.selected().cloned() else { return Vec::new() };
            if role.read_only() {
                let why = match &role.managed_by {
                    Some(plugin) => format!("role {} is managed by plugin {plugin}", role.name),
                    None => format!("{} is a built-in {} role and cannot be changed", role.name, role.kind),
                };
                state.error(why);
                return Vec::new();
            }
            if command == Command::Edit {
                Some(Form::edit_role(org.id, &role.name, &role.description))
            } else if command == Command::Delete {
                state.popups.push(Popup::Confirm {
                    message: format!("Delete role {}? Accounts and groups lose it.", role.name),
                    pending: Pending::DeleteRole { org_id: org.id, name: role.name.clone() },
                });
                None
            } else {
                let held = state
                    .shown
                    .role_detail
                    .as_ref()
                    .filter(|d| d.name == role.name)
                    .map(|d| d.permissions.clone())
                    .unwrap_or_default();
                Some(Form::role_permission(org.id, &role.name, command == Command::AddItem, &held))
            }
        }
        (View::Groups | View::Roles, Command::Submit) => {
            // Enter drills in: the members and roles of a group, the permissions of a role.
            state.focus = Focus::Detail;
            None
        }
        (View::Orgs, Command::New) => Some(Form::new_org()),
        (View::Orgs, Command::Edit) => state.org_summaries.selected().map(|s| Form::edit_org(&s.org)),
        (View::Orgs, Command::Delete) => {
            // The last org is refused at once, before its name is asked for.
            if state.org_summaries.rows.len() <= 1 {
                if let Some(s) = state.org_summaries.selected() {
                    let why = format!("'{}' is the last organization and cannot be deleted", s.org.name);
                    state.error(why);
                }
                return Vec::new();
            }
            state.org_summaries.selected().map(|s| Form::delete_org(&s.org))
        }
        (View::Orgs, Command::Submit) => {
            if let Some(summary) = state.org_summaries.selected() {
                let org = summary.org.clone();
                state.info(format!("switched to {}", org.name));
                return switch_org(state, org);
            }
            None
        }
        _ => None,
    };
    if let Some(form) = form {
        state.popups.push(Popup::Form(form));
        return super::nav::form_suggestions(state);
    }
    Vec::new()
}

/// Results for the secondary views; other outcomes are not theirs and are ignored here.
pub fn outcome(state: &mut State, outcome: Outcome) -> Vec<Effect> {
    match outcome {
        Outcome::Groups { groups, .. } => {
            state.shown.groups.set(groups);
            if let Some(name) = state.select_after_load.take() {
                state.shown.groups.select_where(|g| same_name(&g.group.name, &name));
            }
        }
        Outcome::Roles { roles, .. } => {
            state.shown.roles.set(roles);
            if let Some(name) = state.select_after_load.take() {
                state.shown.roles.select_where(|r| same_name(&r.name, &name));
            }
            return load_role_detail(state);
        }
        Outcome::RoleDetail { name, permissions, accounts, groups, .. }
            if state.shown.roles.selected().is_some_and(|r| r.name == name) =>
        {
            state.shown.role_detail = Some(RoleDetail { name, permissions, accounts, groups });
        }
        Outcome::OrgSummaries(orgs) => {
            state.org_summaries.set(orgs);
            if let Some(name) = state.select_after_load.take() {
                state.org_summaries.select_where(|o| same_name(&o.org.name, &name));
            }
        }
        Outcome::Audit { rows, offset, total, selected, .. } => {
            state.drawn.window_moved(View::Audit, state.shown.audit.offset, offset);
            state.shown.audit.land(rows, offset, total, selected);
        }
        Outcome::OrgTokens { rows, offset, selected, .. } => {
            let tokens = &mut state.shown.org_tokens;
            // Until the count arrives, the total is what has been seen (and one more when the
            // page is full, so the cursor can move on).
            let seen = offset + rows.len() as u64 + u64::from(rows.len() as u64 == super::state::PAGE_SIZE);
            let total = if tokens.counted { tokens.list.total } else { seen.max(tokens.list.total) };
            let last = (offset + rows.len() as u64).saturating_sub(1);
            state.drawn.window_moved(View::Tokens, state.shown.org_tokens.list.offset, offset);
            let tokens = &mut state.shown.org_tokens;
            tokens.list.land(rows, offset, total, selected.min(last));
        }
        Outcome::OrgTokenCount { total, .. } => {
            let tokens = &mut state.shown.org_tokens;
            tokens.counted = true;
            tokens.list.total = total;
            tokens.list.selected = tokens.list.selected.min(total.saturating_sub(1));
            // The cursor moved (G before the count came) to where no row is loaded: load it.
            let selected = tokens.list.selected;
            if total > 0 && !tokens.list.window_contains(selected) {
                return load_org_tokens(state, selected, false);
            }
        }
        _ => {}
    }
    Vec::new()
}

/// Names compare as the store compares them: trimmed, case-insensitively.
fn same_name(a: &str, b: &str) -> bool {
    satui_domain::names::name_key(a) == satui_domain::names::name_key(b)
}
