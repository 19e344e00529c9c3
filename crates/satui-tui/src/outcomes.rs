//! What the UI does with results from the database worker and the clipboard. Pure, like `update`.

use super::action::{Outcome, Select, View};
use super::effect::{Effect, Read};
use super::nav::{load_accounts, load_detail, reload_all, switch_org, top_form};
use super::state::{Detail, Popup, Reveal, State};
use super::views;
use satui_domain::time;

pub(super) fn received(state: &mut State, outcome: Outcome) -> Vec<Effect> {
    // An answer to a read that a newer read (or a switch of org) made stale changes nothing.
    if outcome.ticket().is_some_and(|ticket| !state.shown.awaited.is_newest(ticket)) {
        return Vec::new();
    }
    match outcome {
        Outcome::Orgs(orgs) => {
            state.orgs = orgs;
            let current = state.org.as_ref().and_then(|o| state.orgs.iter().find(|x| x.id == o.id)).cloned();
            match current {
                Some(org) => {
                    state.org = Some(org);
                    Vec::new()
                }
                None => match initial_org(state).or_else(|| state.orgs.iter().min_by_key(|o| o.id).cloned()) {
                    Some(org) => switch_org(state, org),
                    None => Vec::new(),
                },
            }
        }
        Outcome::Accounts { page, selected, .. } => {
            let before = state.selected_account().map(|a| a.id);
            state.drawn.window_moved(View::Accounts, state.shown.list.offset, page.offset);
            state.shown.list.land(page.accounts, page.offset, page.total, selected);
            if state.selected_account().map(|a| a.id) != before {
                // Another account opens at its top (login, role, dates), not scrolled.
                state.shown.detail_scroll = 0;
            }
            if state.selected_account().is_none() {
                state.shown.detail = None;
            }
            let mut effects = load_detail(state);
            // Once per org, after the first page and its detail: the names that short filters
            // search, so the first keystroke of a filter does not wait for them.
            let org_id = state.org.as_ref().map(|o| o.id);
            if org_id.is_some() && state.filter_names_loaded != org_id {
                state.filter_names_loaded = org_id;
                effects.extend(org_id.map(|org_id| Effect::from(Read::WarmFilter { org_id })));
            }
            effects
        }
        Outcome::Detail { account, tokens, groups, roles, grants, .. } => {
            if state.selected_account().map(|a| a.id) != Some(account.id) {
                return Vec::new();
            }
            let jumped = state.shown.jump_to_token.take().and_then(|id| tokens.iter().position(|t| t.id == id));
            let selected_token = jumped.unwrap_or_else(|| {
                state
                    .shown
                    .detail
                    .as_ref()
                    .filter(|d| d.account.id == account.id)
                    .map_or(0, |d| d.selected_token.min(tokens.len().saturating_sub(1)))
            });
            if let Some(row) = state.shown.list.rows.iter_mut().find(|a| a.id == account.id) {
                *row = account.clone();
            }
            state.shown.detail = Some(Detail { account, tokens, selected_token, groups, roles, grants });
            Vec::new()
        }
        Outcome::DetailGone { .. } => load_accounts(state, Select::Index(state.shown.list.selected)),
        Outcome::AccountSaved { account, message } => {
            if top_form(state).is_some() {
                state.popups.pop();
            }
            state.info(message);
            load_accounts(state, Select::Account(account.id))
        }
        Outcome::AccountDeleted { message } => {
            state.info(message);
            state.shown.detail = None;
            load_accounts(state, Select::Index(state.shown.list.selected))
        }
        Outcome::TokenIssued { issued, account } => {
            if top_form(state).is_some() {
                state.popups.pop();
            }
            let expires = issued
                .token
                .expires_at
                .map_or("never expires".to_string(), |at| format!("expires {}", time::date_time(at)));
            state.popups.push(Popup::Reveal(Reveal {
                token_name: issued.token.name.clone(),
                account,
                expires,
                secret: issued.secret,
                copied: false,
                copied_to: String::new(),
                confirm_close: false,
                confirm_quit: false,
            }));
            if let Some(detail) = state.shown.detail.as_mut() {
                detail.selected_token = 0;
            }
            // A plugin's first registration issues its token: its list and the accounts change.
            let mut effects = plugins_reload(state);
            if !effects.is_empty() {
                effects.extend(reload_all(state));
                return effects;
            }
            {
                let effects = load_detail(state);
                with_tokens_view(state, effects)
            }
        }
        Outcome::Plugins(list) => {
            if let Some(Popup::Plugins { rows, selected }) =
                state.popups.iter_mut().rev().find(|p| matches!(p, Popup::Plugins { .. }))
            {
                *selected = (*selected).min(list.len().saturating_sub(1));
                *rows = Some(list);
            }
            Vec::new()
        }
        Outcome::PluginChanged { message } => {
            if top_form(state).is_some() {
                state.popups.pop();
            }
            state.info(message);
            let mut effects = plugins_reload(state);
            effects.extend(reload_all(state));
            effects
        }
        Outcome::PathCompleted { typed, completed, choices } => {
            if let Some(form) = top_form(state) {
                form.complete_path(&typed, &completed, &choices);
            }
            Vec::new()
        }
        Outcome::TokenChanged { message } => {
            state.info(message);
            {
                let effects = load_detail(state);
                with_tokens_view(state, effects)
            }
        }
        Outcome::Rejected { field, message } => {
            // Nothing was created: nothing to select when a list arrives.
            state.select_after_load = None;
            match top_form(state) {
                Some(form) => {
                    let key = field.and_then(|f| form.key_for(f));
                    form.reject(key, message);
                }
                None => state.error(message),
            }
            Vec::new()
        }
        Outcome::Failed(message) | Outcome::ReadFailed { message, .. } => {
            if let Some(form) = top_form(state) {
                form.reject(None, message.clone());
            }
            // A plugins list still loading has nothing more coming: show it empty, the error below.
            if let Some(Popup::Plugins { rows: rows @ None, .. }) = state.popups.last_mut() {
                *rows = Some(Vec::new());
            }
            state.error(message);
            Vec::new()
        }
        Outcome::AccountSuggestions { query, names } => {
            if let Some(form) = top_form(state)
                && form.suggested.as_deref() == Some(query.as_str())
            {
                form.set_pick_options(crate::form::FieldKey::Target, names);
            }
            Vec::new()
        }
        Outcome::ExternalChange => reload_all(state),
        Outcome::Fatal(message) => {
            state.fatal = Some(message);
            super::nav::quit(state)
        }
        Outcome::Saved { message } => {
            if top_form(state).is_some() {
                state.popups.pop();
            }
            state.info(message);
            // Every view reloads its own data (the Orgs view its summaries), once.
            reload_all(state)
        }
        other @ (Outcome::Groups { .. }
        | Outcome::Roles { .. }
        | Outcome::RoleDetail { .. }
        | Outcome::OrgSummaries(_)
        | Outcome::Audit { .. }
        | Outcome::OrgTokens { .. }
        | Outcome::OrgTokenCount { .. }) => views::outcome(state, other),
        Outcome::Copied(result) => {
            match result {
                Ok(note) => {
                    if let Some(Popup::Reveal(reveal)) = state.popups.last_mut() {
                        reveal.copied = true;
                        reveal.copied_to = if note.contains("OSC 52") {
                            "Sent to the terminal's clipboard (OSC 52).".to_string()
                        } else {
                            "Copied to the clipboard.".to_string()
                        };
                    }
                    state.info(note);
                }
                Err(message) => state.error(message),
            }
            Vec::new()
        }
        Outcome::ClipboardCleared => {
            state.info("clipboard cleared");
            Vec::new()
        }
    }
}

/// The plugins list, when it is open (under a form or a reveal).
fn plugins_reload(state: &State) -> Vec<Effect> {
    let open = state.popups.iter().any(|p| matches!(p, Popup::Plugins { .. }));
    match state.org.as_ref() {
        Some(org) if open => vec![super::effect::Read::LoadPlugins { org_id: org.id }.into()],
        _ => Vec::new(),
    }
}

/// A token changed: the tokens view (when shown) reloads too, as its rows and counts may move.
fn with_tokens_view(state: &mut State, mut effects: Vec<Effect>) -> Vec<Effect> {
    if state.view == View::Tokens {
        effects.extend(super::nav::load_view(state));
    }
    effects
}

/// The org named by `--org` (by id or case-insensitive name), once, at start.
fn initial_org(state: &mut State) -> Option<satui_service::Org> {
    let wanted = state.options.initial_org.take()?;
    let key = satui_domain::names::name_key(&wanted);
    let found = state
        .orgs
        .iter()
        .find(|o| o.id.to_string() == wanted.trim() || satui_domain::names::name_key(&o.name) == key)
        .cloned();
    if found.is_none() {
        state.error(format!("no organization '{}'; showing the first one", wanted.trim()));
    }
    found
}
