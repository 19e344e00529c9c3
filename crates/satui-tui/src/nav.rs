//! Loading what the screen shows, and the moves every part of `update` shares (switch org,
//! reload, quit). A leaf: it knows only the state and the effects, so `update`, `popups`,
//! `outcomes` and `views` can all use it without depending on each other.

use super::action::{Command, Select, View};
use super::effect::{Effect, Read};
use super::form::Form;
use super::state::{OrgState, Pending, Popup, State, page_start};
use super::ticket::Part;
use satui_service::{Org, Service};

pub fn quit(state: &mut State) -> Vec<Effect> {
    state.quit = true;
    // Drops any revealed secret now (zeroized), before the runner tears down.
    state.popups.clear();
    Vec::new()
}

/// Shows another org: every view starts over there.
pub fn switch_org(state: &mut State, org: Org) -> Vec<Effect> {
    state.org = Some(org);
    state.shown = OrgState::new(state.shown.org_tokens.preset);
    state.filtering = false;
    state.select_after_load = None;
    // A form, a question or the plugins list holds the last org's ids: it goes with the org (a
    // switch the user asked for has closed them already; this is for an org that vanished under
    // the screen). The one-time reveal of a token stays, and so does the help.
    state.popups.retain(|p| matches!(p, Popup::Reveal(_) | Popup::Help { .. }));
    let mut effects = load_accounts(state, Select::Index(0));
    effects.extend(load_view(state));
    // The role pickers (give a role, add a group role) offer the org's roles from any view.
    if let Some(org_id) = state.org.as_ref().map(|o| o.id)
        && state.view != View::Roles
    {
        let ticket = state.ask(Part::Roles);
        effects.push(Read::LoadRoles { ticket, org_id }.into());
    }
    effects
}

/// Everything the screen shows, again (after `r`, a change, or a change made elsewhere).
pub fn reload_all(state: &mut State) -> Vec<Effect> {
    let mut effects: Vec<Effect> = vec![Read::LoadOrgs.into()];
    effects.extend(load_accounts(state, Select::Index(state.shown.list.selected)));
    effects.extend(load_view(state));
    effects
}

/// Asks for the page of accounts around the cursor; `select` says where the cursor lands.
pub fn load_accounts(state: &mut State, select: Select) -> Vec<Effect> {
    let Some(org_id) = state.org.as_ref().map(|o| o.id) else { return Vec::new() };
    let ticket = state.ask(Part::Accounts);
    let offset = match select {
        Select::Index(index) => page_start(index),
        Select::Account(_) => state.shown.list.offset,
    };
    let filter = state.shown.list.filter.value().to_string();
    vec![Read::LoadAccounts { ticket, org_id, filter, offset, select }.into()]
}

/// The detail and tokens of the selected account.
pub fn load_detail(state: &mut State) -> Vec<Effect> {
    let Some(account_id) = state.selected_account().map(|a| a.id) else { return Vec::new() };
    let ticket = state.ask(Part::Detail);
    vec![Read::LoadDetail { ticket, account_id }.into()]
}

/// The effects that (re)load what the current secondary view shows.
pub fn load_view(state: &mut State) -> Vec<Effect> {
    let Some(org_id) = state.org.as_ref().map(|o| o.id) else { return Vec::new() };
    match state.view {
        View::Accounts => Vec::new(),
        View::Groups => vec![Read::LoadGroups { ticket: state.ask(Part::Groups), org_id }.into()],
        View::Roles => {
            let mut effects: Vec<Effect> = vec![Read::LoadRoles { ticket: state.ask(Part::Roles), org_id }.into()];
            effects.extend(load_role_detail(state));
            effects
        }
        View::Orgs => vec![Read::LoadOrgSummaries.into()],
        View::Audit => load_audit(state, state.shown.audit.selected),
        View::Tokens => load_org_tokens(state, state.shown.org_tokens.list.selected, true),
    }
}

/// The page of the tokens view holding row `selected`, and (when `recount`) its total, counted
/// after the page so the rows never wait for a count.
pub fn load_org_tokens(state: &mut State, selected: u64, recount: bool) -> Vec<Effect> {
    let Some(org_id) = state.org.as_ref().map(|o| o.id) else { return Vec::new() };
    let preset = state.shown.org_tokens.preset;
    let account = state.shown.org_tokens.list.filter.value().to_string();
    let ticket = state.ask(Part::OrgTokens);
    let mut effects: Vec<Effect> =
        vec![Read::LoadOrgTokens { ticket, org_id, preset, account: account.clone(), selected }.into()];
    if recount {
        let ticket = state.ask(Part::OrgTokenCount);
        state.shown.org_tokens.counted = false;
        effects.push(Read::CountOrgTokens { ticket, org_id, preset, account }.into());
    }
    effects
}

/// Rotate (asking for the grace), revoke or delete a token: refused at once when the service's
/// rules say no, else asked first. A plugin's token may be rotated or revoked (a leaked one
/// must be stoppable), not deleted.
pub fn ask_token_action(
    state: &mut State,
    token: &satui_service::Token,
    account_name: &str,
    managed_by: Option<&str>,
    command: Command,
) -> Vec<Effect> {
    let allowed = match command {
        Command::RotateToken => Service::ensure_rotatable(token, state.now),
        Command::RevokeToken => Service::ensure_revocable(token, state.now),
        _ => Service::refuse_managed(account_name, managed_by),
    };
    if let Err(e) = allowed {
        state.error(e.to_string());
        return Vec::new();
    }
    match command {
        Command::RotateToken => state.popups.push(Popup::Form(Form::rotate_token(token, account_name))),
        Command::RevokeToken => {
            let grace = if token.revoked_at.is_some() { " Its rotation grace ends now." } else { "" };
            state.popups.push(Popup::Confirm {
                message: format!("Revoke token {} ({}) of {account_name}?{grace}", token.name, token.hint),
                pending: Pending::RevokeToken(token.id),
            });
        }
        _ => state.popups.push(Popup::Confirm {
            message: format!("Delete token {} ({}) of {account_name} for good?", token.name, token.hint),
            pending: Pending::DeleteToken(token.id),
        }),
    }
    Vec::new()
}

pub fn load_audit(state: &mut State, selected: u64) -> Vec<Effect> {
    let Some(org_id) = state.org.as_ref().map(|o| o.id) else { return Vec::new() };
    let ticket = state.ask(Part::Audit);
    let filter = state.shown.audit.filter.value().to_string();
    vec![Read::LoadAudit { ticket, org_id, filter, selected }.into()]
}

pub fn load_role_detail(state: &mut State) -> Vec<Effect> {
    let (Some(org_id), Some(name)) =
        (state.org.as_ref().map(|o| o.id), state.shown.roles.selected().map(|r| r.name.clone()))
    else {
        return Vec::new();
    };
    vec![Read::LoadRoleDetail { ticket: state.ask(Part::RoleDetail), org_id, name }.into()]
}

/// The list of the current view from its first row (after its filter changed).
pub fn reload_list_from_top(state: &mut State) -> Vec<Effect> {
    if state.detail_filtered() {
        // The detail's filter narrows what is already loaded.
        state.shown.detail_scroll = 0;
        return Vec::new();
    }
    match state.view {
        View::Audit => load_audit(state, 0),
        // Loaded whole: the filter applies in memory.
        View::Groups => {
            state.shown.groups.refilter();
            Vec::new()
        }
        View::Roles => {
            state.shown.roles.refilter();
            load_role_detail(state)
        }
        View::Orgs => {
            state.org_summaries.refilter();
            Vec::new()
        }
        View::Tokens => {
            state.shown.org_tokens.list.selected = 0;
            load_org_tokens(state, 0, true)
        }
        View::Accounts => {
            state.shown.list.offset = 0;
            load_accounts(state, Select::Index(0))
        }
    }
}

pub fn top_form(state: &mut State) -> Option<&mut Form> {
    match state.popups.last_mut() {
        Some(Popup::Form(form)) => Some(form),
        _ => None,
    }
}

/// Asks the store for account names when the form on top picks a member and its query changed.
pub fn form_suggestions(state: &mut State) -> Vec<Effect> {
    match top_form(state).and_then(|form| form.suggestion_query()) {
        Some((org_id, query)) => vec![Read::SuggestAccounts { org_id, query }.into()],
        None => Vec::new(),
    }
}
