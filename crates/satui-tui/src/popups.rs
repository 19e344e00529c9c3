//! Keys while a popup is on top: forms, confirmations, the token reveal, help, the org picker.
//! Pure, like `update`.

use super::action::Command;
use super::effect::{Change, Effect};
use super::nav::{quit, switch_org};
use super::state::{Pending, Popup, State};

fn set_help_searching(state: &mut State, on: bool) {
    if let Some(Popup::Help { searching, .. }) = state.popups.last_mut() {
        *searching = on;
    }
}

pub(super) fn command(state: &mut State, command: Command) -> Vec<Effect> {
    if command == Command::Quit {
        // Ctrl-C over a secret not yet copied asks first, as closing it does: quitting would
        // lose it for good. A second Ctrl-C (or y) confirms.
        if let Some(Popup::Reveal(reveal)) = state.popups.last_mut()
            && !reveal.copied
            && !reveal.confirm_quit
        {
            reveal.confirm_close = true;
            reveal.confirm_quit = true;
            return Vec::new();
        }
        return quit(state);
    }
    let Some(popup) = state.popups.last_mut() else { return Vec::new() };
    match popup {
        Popup::Help { searching: true, search, .. } => match command {
            // Enter keeps the search and gives the keys back to scrolling; Esc clears it.
            Command::Submit => set_help_searching(state, false),
            Command::ClearFilter => {
                search.clear();
                set_help_searching(state, false);
            }
            _ => {}
        },
        Popup::Help { scroll, .. } if command == Command::Filter => {
            *scroll = 0;
            set_help_searching(state, true);
        }
        Popup::Help { scroll, .. } => {
            // The help box is the screen less two rows, less its borders: never scroll past the
            // last line into an empty box.
            let shown = state.screen_height.saturating_sub(4).max(1);
            let last = u16::try_from(state.options.keys.help_line_count()).unwrap_or(u16::MAX).saturating_sub(shown);
            let page = shown.saturating_sub(1).max(1);
            match command {
                Command::Up => *scroll = scroll.saturating_sub(1),
                Command::Down => *scroll = scroll.saturating_add(1).min(last),
                Command::PageUp => *scroll = scroll.saturating_sub(page),
                Command::PageDown => *scroll = scroll.saturating_add(page).min(last),
                Command::Top => *scroll = 0,
                Command::Bottom => *scroll = last,
                Command::Cancel => {
                    state.popups.pop();
                }
                _ => {}
            }
        }
        Popup::Form(form) => match command {
            Command::Cancel => {
                state.popups.pop();
            }
            Command::NextField => {
                // Tab in a path field completes the path (from the folder on disk).
                if let Some(typed) = form.path_to_complete() {
                    return vec![super::effect::Read::CompletePath { typed }.into()];
                }
                form.move_focus(true)
            }
            Command::PrevField => form.move_focus(false),
            Command::CycleNext | Command::CyclePrev => {
                form.cycle(command == Command::CycleNext);
                return super::nav::form_suggestions(state);
            }
            Command::Submit if form.busy => {}
            Command::Submit => {
                let change = form.submit();
                // What a form creates is selected once its list reloads.
                if let Some(
                    Change::CreateRole { name, .. } | Change::CreateGroup { name, .. } | Change::CreateOrg { name, .. },
                ) = &change
                {
                    state.select_after_load = Some(name.clone());
                }
                return change.map(Effect::from).into_iter().collect();
            }
            _ => {}
        },
        Popup::Confirm { pending, .. } => match command {
            Command::Yes => {
                let pending = pending.clone();
                state.popups.pop();
                let effect = match pending {
                    Pending::DeleteAccount(account_id) => Change::DeleteAccount { account_id },
                    Pending::Disable(account_id) => Change::SetDisabled { account_id, disabled: true },
                    Pending::DeleteGroup { org_id, name } => Change::DeleteGroup { org_id, name },
                    Pending::DeleteRole { org_id, name } => Change::DeleteRole { org_id, name },
                    Pending::RevokeToken(token_id) => Change::RevokeToken { token_id },
                    Pending::DeleteToken(token_id) => Change::DeleteToken { token_id },
                    Pending::UnregisterPlugin(plugin_id) => Change::UnregisterPlugin { plugin_id },
                };
                return vec![effect.into()];
            }
            Command::No => {
                state.popups.pop();
            }
            _ => {}
        },
        Popup::Reveal(reveal) => match command {
            Command::Copy if !reveal.confirm_close => return vec![Effect::Copy(reveal.secret.clone())],
            Command::Cancel if reveal.copied => {
                state.popups.pop();
                state.info("token closed; it will not be shown again");
            }
            Command::Cancel => reveal.confirm_close = true,
            Command::Yes if reveal.confirm_quit => return quit(state),
            Command::Yes if reveal.confirm_close => {
                state.popups.pop();
                state.info("token closed without copying; it will not be shown again");
            }
            Command::No => {
                reveal.confirm_close = false;
                reveal.confirm_quit = false;
            }
            _ => {}
        },
        // Its keys are update's (`command_line`), which runs what it asks.
        Popup::CommandLine(_) => {}
        Popup::Plugins { rows, selected } => {
            let count = rows.as_ref().map_or(0, Vec::len);
            let chosen = rows.as_ref().and_then(|rows| rows.get(*selected)).map(|p| p.plugin_id.clone());
            let org_id = state.org.as_ref().map(|o| o.id);
            match (command, org_id) {
                (Command::Up, _) => *selected = selected.saturating_sub(1),
                (Command::Down, _) => *selected = (*selected + 1).min(count.saturating_sub(1)),
                (Command::Cancel, _) => {
                    state.popups.pop();
                }
                (Command::New, Some(org_id)) => {
                    state.popups.push(Popup::Form(super::form::Form::register_plugin(org_id, None)));
                }
                (Command::Edit, Some(org_id)) => match chosen {
                    Some(id) => state.popups.push(Popup::Form(super::form::Form::register_plugin(org_id, Some(&id)))),
                    None => state.error("no plugin selected"),
                },
                (Command::Delete, _) => match chosen {
                    Some(id) => state.popups.push(Popup::Confirm {
                        message: format!(
                            "Unregister plugin {id}? Its account, its tokens (they stop working) and its role are deleted."
                        ),
                        pending: Pending::UnregisterPlugin(id),
                    }),
                    None => state.error("no plugin selected"),
                },
                _ => {}
            }
        }
        Popup::OrgPicker { selected } => match command {
            Command::Up => *selected = selected.saturating_sub(1),
            Command::Down => *selected = (*selected + 1).min(state.orgs.len().saturating_sub(1)),
            Command::Cancel => {
                state.popups.pop();
            }
            Command::Submit => {
                let chosen = state.orgs.get(*selected).cloned();
                state.popups.pop();
                if let Some(org) = chosen {
                    state.info(format!("switched to {}", org.name));
                    return switch_org(state, org);
                }
            }
            _ => {}
        },
    }
    Vec::new()
}
