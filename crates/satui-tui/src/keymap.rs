//! The keymap: one table of (context, key, command, footer label, help text). Dispatch, the
//! footer and the `?` screen all read it, so they cannot disagree. Adding a key is one line.
//! [`Keymap`] is the table in use: [`BINDINGS`] with the user's `[keys]` from config.toml in
//! place of a command's default keys (checked for clashes at start).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Command, LineEdit, View};

/// Which keys apply: the panes, or the popup on top.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Everywhere, before the context's own keys.
    Global,
    /// Keys shared by every view.
    Panes,
    Accounts,
    Groups,
    Roles,
    Orgs,
    Audit,
    /// The tokens view (6): every token of the org.
    TokensView,
    /// Only while the tokens pane has focus (these take precedence over Panes).
    Tokens,
    Filter,
    /// While a line of text is being typed (a form field or the filter): readline editing.
    Text,
    Form,
    /// A narrowing picker field in a form: ↑/↓ move among its matches.
    Pick,
    Confirm,
    Reveal,
    /// "Not copied. Close anyway? y/n" over the reveal modal.
    RevealConfirm,
    /// While the guided tour's panel is shown (and no popup is open).
    Tour,
    /// The `:` command line.
    CommandLine,
    /// The org's plugins (`P` in view 1).
    Plugins,
    Help,
    Picker,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Anywhere",
            Context::Panes => "Every view",
            Context::Accounts => "Service accounts (1)",
            Context::Groups => "Groups (2)",
            Context::Roles => "Roles (3)",
            Context::Orgs => "Orgs (4)",
            Context::Audit => "Audit (5)",
            Context::TokensView => "Tokens (6)",
            Context::Tokens => "Tokens pane",
            Context::Filter => "Filter",
            Context::Text => "Text fields and the filter",
            Context::Form => "Forms",
            Context::Pick => "Picker fields (type to narrow)",
            Context::Confirm => "Confirm",
            Context::Reveal => "New token",
            Context::RevealConfirm => "Close without copying?",
            Context::Tour => "Guided tour (demo)",
            Context::CommandLine => "Command line (:)",
            Context::Plugins => "Plugins (P)",
            Context::Help => "Help",
            Context::Picker => "Org switcher",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Binding {
    pub context: Context,
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub command: Command,
    /// Short footer label, its key then a word (`R rotate`); empty keeps the binding out of the
    /// footer.
    pub label: Cow<'static, str>,
    pub help: &'static str,
    /// Given by the user's `[keys]` rather than by this table.
    pub own: bool,
}

const NONE: KeyModifiers = KeyModifiers::NONE;
const CTRL: KeyModifiers = KeyModifiers::CONTROL;
const SHIFT: KeyModifiers = KeyModifiers::SHIFT;
const ALT: KeyModifiers = KeyModifiers::ALT;

const fn bind(
    context: Context,
    code: KeyCode,
    modifiers: KeyModifiers,
    command: Command,
    label: &'static str,
    help: &'static str,
) -> Binding {
    Binding { context, code, modifiers, command, label: Cow::Borrowed(label), help, own: false }
}

use Command as C;
use Context as X;
use KeyCode as K;

pub const BINDINGS: &[Binding] = &[
    bind(X::Global, K::Char('c'), CTRL, C::Quit, "", "quit at once (asks over an uncopied token)"),
    bind(
        X::Tokens,
        K::Char('R'),
        SHIFT,
        C::RotateToken,
        "R rotate",
        "rotate the selected token (new secret, old revoked)",
    ),
    bind(X::Tokens, K::Char('v'), NONE, C::RevokeToken, "v revoke", "revoke the selected token"),
    bind(X::Tokens, K::Char('d'), NONE, C::Delete, "d delete", "delete the selected token"),
    bind(X::Tokens, K::Delete, NONE, C::Delete, "", "delete the selected token"),
    bind(X::Accounts, K::Enter, NONE, C::Submit, "", "to the account's tokens"),
    bind(X::Accounts, K::Char('n'), NONE, C::New, "n new", "new service account"),
    bind(X::Accounts, K::Char('e'), NONE, C::Edit, "e edit", "edit the selected account"),
    bind(X::Accounts, K::Char('x'), NONE, C::ToggleDisabled, "x disable", "enable or disable the selected account"),
    bind(X::Accounts, K::Char('t'), NONE, C::NewToken, "t token", "new token for the selected account"),
    bind(X::Accounts, K::Char('R'), SHIFT, C::RotateToken, "", "rotate the selected token"),
    bind(X::Accounts, K::Char('v'), NONE, C::RevokeToken, "", "revoke the selected token"),
    bind(X::Accounts, K::Char('a'), NONE, C::AddItem, "a role", "give the selected account a role"),
    bind(X::Accounts, K::Char('u'), NONE, C::RemoveItem, "", "take a role from the selected account"),
    bind(X::Accounts, K::Char('d'), NONE, C::Delete, "d delete", "delete the selected account (asks first)"),
    bind(X::Accounts, K::Delete, NONE, C::Delete, "", "delete the selected account"),
    bind(X::Groups, K::Enter, NONE, C::Submit, "", "to the group's members and roles"),
    bind(X::Groups, K::Char('n'), NONE, C::New, "n new", "new group"),
    bind(X::Groups, K::Char('e'), NONE, C::Edit, "e rename", "rename the selected group"),
    bind(X::Groups, K::Char('a'), NONE, C::AddItem, "a add", "add a member or a role to the group"),
    bind(X::Groups, K::Char('u'), NONE, C::RemoveItem, "u remove", "remove a member or a role from the group"),
    bind(X::Groups, K::Char('d'), NONE, C::Delete, "d delete", "delete the selected group (asks first)"),
    bind(X::Roles, K::Enter, NONE, C::Submit, "", "to the role's permissions"),
    bind(X::Roles, K::Char('n'), NONE, C::New, "n new", "new custom role"),
    bind(X::Roles, K::Char('e'), NONE, C::Edit, "e edit", "rename or re-describe the selected custom role"),
    bind(X::Roles, K::Char('a'), NONE, C::AddItem, "a grant", "add a permission to the selected custom role"),
    bind(X::Roles, K::Char('u'), NONE, C::RemoveItem, "u ungrant", "remove a permission from the selected custom role"),
    bind(X::Roles, K::Char('d'), NONE, C::Delete, "d delete", "delete the selected custom role (asks first)"),
    bind(X::Orgs, K::Enter, NONE, C::Submit, "Enter switch", "switch to the selected organization"),
    bind(X::Orgs, K::Char('n'), NONE, C::New, "n new", "new organization"),
    bind(X::Orgs, K::Char('e'), NONE, C::Edit, "e edit", "rename or set the token lifetime cap"),
    bind(X::Orgs, K::Char('d'), NONE, C::Delete, "d delete", "delete the organization (type its name to confirm)"),
    bind(X::TokensView, K::Char('f'), NONE, C::NextPreset, "f show", "next quick filter (all, expiring, retiring...)"),
    bind(X::TokensView, K::Char('F'), SHIFT, C::PrevPreset, "", "previous quick filter"),
    bind(X::TokensView, K::Enter, NONE, C::Submit, "Enter account", "go to the token's account"),
    bind(
        X::TokensView,
        K::Char('R'),
        SHIFT,
        C::RotateToken,
        "R rotate",
        "rotate the selected token (asks for a grace)",
    ),
    bind(X::TokensView, K::Char('v'), NONE, C::RevokeToken, "v revoke", "revoke the selected token"),
    bind(X::TokensView, K::Char('d'), NONE, C::Delete, "d delete", "delete the selected token (asks first)"),
    bind(X::TokensView, K::Delete, NONE, C::Delete, "", "delete the selected token"),
    bind(X::Accounts, K::Char('/'), NONE, C::Filter, "/ filter", "filter the list, or the detail pane's permissions"),
    bind(X::Accounts, K::Char('P'), SHIFT, C::Plugins, "", "the org's plugins (register, again, unregister)"),
    bind(X::Plugins, K::Char('n'), NONE, C::New, "n register", "register a plugin from its plugin.json"),
    bind(
        X::Plugins,
        K::Char('e'),
        NONE,
        C::Edit,
        "e again",
        "register the selected plugin again (its permissions follow the file)",
    ),
    bind(X::Plugins, K::Char('d'), NONE, C::Delete, "d unregister", "unregister the selected plugin (asks first)"),
    bind(X::Plugins, K::Char('j'), NONE, C::Down, "", "move down"),
    bind(X::Plugins, K::Down, NONE, C::Down, "", "move down"),
    bind(X::Plugins, K::Char('k'), NONE, C::Up, "", "move up"),
    bind(X::Plugins, K::Up, NONE, C::Up, "", "move up"),
    bind(X::Plugins, K::Esc, NONE, C::Cancel, "Esc close", "close"),
    bind(X::Audit, K::Char('/'), NONE, C::Filter, "/ filter", "filter by action, actor or target (Esc clears)"),
    bind(X::Groups, K::Char('/'), NONE, C::Filter, "/ filter", "filter by name, member or role (Esc clears)"),
    bind(X::Roles, K::Char('/'), NONE, C::Filter, "/ filter", "filter by name, kind or group (Esc clears)"),
    bind(X::Orgs, K::Char('/'), NONE, C::Filter, "/ filter", "filter by name (Esc clears)"),
    bind(X::TokensView, K::Char('/'), NONE, C::Filter, "/ filter", "filter by account name or login (Esc clears)"),
    bind(X::Panes, K::Char('o'), NONE, C::SwitchOrg, "o org", "switch organization"),
    bind(X::Panes, K::Char('1'), NONE, C::ShowView(View::Accounts), "", "view: service accounts"),
    bind(X::Panes, K::Char('2'), NONE, C::ShowView(View::Groups), "", "view: groups"),
    bind(X::Panes, K::Char('3'), NONE, C::ShowView(View::Roles), "", "view: roles"),
    bind(X::Panes, K::Char('4'), NONE, C::ShowView(View::Orgs), "", "view: organizations"),
    bind(X::Panes, K::Char('5'), NONE, C::ShowView(View::Audit), "", "view: audit log"),
    bind(X::Panes, K::Char('6'), NONE, C::ShowView(View::Tokens), "", "view: every token of the org"),
    bind(X::Panes, K::Char('j'), NONE, C::Down, "", "move down"),
    bind(X::Panes, K::Down, NONE, C::Down, "", "move down"),
    bind(X::Panes, K::Char('k'), NONE, C::Up, "", "move up"),
    bind(X::Panes, K::Up, NONE, C::Up, "", "move up"),
    bind(X::Panes, K::Char('g'), NONE, C::Top, "", "first row"),
    bind(X::Panes, K::Home, NONE, C::Top, "", "first row"),
    bind(X::Panes, K::Char('G'), SHIFT, C::Bottom, "", "last row"),
    bind(X::Panes, K::End, NONE, C::Bottom, "", "last row"),
    bind(X::Panes, K::PageUp, NONE, C::PageUp, "", "page up"),
    bind(X::Panes, K::PageDown, NONE, C::PageDown, "", "page down"),
    bind(X::Panes, K::Char('d'), CTRL, C::HalfPageDown, "", "half a page down"),
    bind(X::Panes, K::Char('u'), CTRL, C::HalfPageUp, "", "half a page up"),
    bind(X::Panes, K::Tab, NONE, C::NextFocus, "", "next pane"),
    bind(X::Panes, K::BackTab, SHIFT, C::PrevFocus, "", "previous pane"),
    bind(X::Panes, K::Char('l'), NONE, C::FocusRight, "", "pane to the right"),
    bind(X::Panes, K::Right, NONE, C::FocusRight, "", "pane to the right"),
    bind(X::Panes, K::Char('h'), NONE, C::FocusLeft, "", "pane to the left"),
    bind(X::Panes, K::Left, NONE, C::FocusLeft, "", "pane to the left"),
    bind(X::Panes, K::Esc, NONE, C::Back, "", "back (where Enter came from, list, filter, tour)"),
    bind(X::Panes, K::Char('r'), NONE, C::Reload, "", "reload from the store"),
    bind(X::Panes, K::Char('T'), SHIFT, C::Tour, "T tour", "show or hide the guided tour (demo)"),
    bind(X::Panes, K::Char('?'), NONE, C::Help, "? help", "this help"),
    bind(
        X::Panes,
        K::Char(':'),
        NONE,
        C::CommandLine,
        "",
        "a command: :tokens, :org NAME, :sa NAME, :q (Tab completes)",
    ),
    bind(X::Panes, K::Char('q'), NONE, C::Quit, "q quit", "quit"),
    bind(X::CommandLine, K::Enter, NONE, C::Submit, "Enter run", "run the command"),
    bind(X::CommandLine, K::Esc, NONE, C::Cancel, "Esc cancel", "close the command line"),
    bind(X::CommandLine, K::Tab, NONE, C::NextField, "Tab complete", "complete the command or the name"),
    bind(X::Tour, K::Char('['), NONE, C::TourBack, "", "tour: back a step"),
    bind(X::Tour, K::Char(']'), NONE, C::TourSkip, "", "tour: the next step, without doing this one"),
    bind(X::Tour, K::Char('{'), NONE, C::TourRestart, "", "tour: back to the first step"),
    bind(X::Filter, K::Enter, NONE, C::Submit, "Enter keep", "keep the filter and return to the list"),
    bind(X::Filter, K::Esc, NONE, C::ClearFilter, "Esc clear", "clear the filter"),
    bind(X::Filter, K::Down, NONE, C::Down, "", "move down"),
    bind(X::Filter, K::Up, NONE, C::Up, "", "move up"),
    bind(X::Text, K::Left, NONE, C::EditLine(LineEdit::Left), "", "cursor left"),
    bind(X::Text, K::Char('b'), CTRL, C::EditLine(LineEdit::Left), "", "cursor left"),
    bind(X::Text, K::Right, NONE, C::EditLine(LineEdit::Right), "", "cursor right"),
    bind(X::Text, K::Char('f'), CTRL, C::EditLine(LineEdit::Right), "", "cursor right"),
    bind(X::Text, K::Left, CTRL, C::EditLine(LineEdit::WordLeft), "", "word left"),
    bind(X::Text, K::Char('b'), ALT, C::EditLine(LineEdit::WordLeft), "", "word left"),
    bind(X::Text, K::Right, CTRL, C::EditLine(LineEdit::WordRight), "", "word right"),
    bind(X::Text, K::Char('f'), ALT, C::EditLine(LineEdit::WordRight), "", "word right"),
    bind(X::Text, K::Home, NONE, C::EditLine(LineEdit::Home), "", "start of the line"),
    bind(X::Text, K::Char('a'), CTRL, C::EditLine(LineEdit::Home), "", "start of the line"),
    bind(X::Text, K::End, NONE, C::EditLine(LineEdit::End), "", "end of the line"),
    bind(X::Text, K::Char('e'), CTRL, C::EditLine(LineEdit::End), "", "end of the line"),
    bind(X::Text, K::Backspace, NONE, C::EditLine(LineEdit::DeleteBack), "", "delete the character before the cursor"),
    bind(X::Text, K::Char('h'), CTRL, C::EditLine(LineEdit::DeleteBack), "", "delete the character before the cursor"),
    bind(X::Text, K::Delete, NONE, C::EditLine(LineEdit::DeleteForward), "", "delete the character under the cursor"),
    bind(
        X::Text,
        K::Char('d'),
        CTRL,
        C::EditLine(LineEdit::DeleteForward),
        "",
        "delete the character under the cursor",
    ),
    bind(X::Text, K::Char('w'), CTRL, C::EditLine(LineEdit::DeleteWordBack), "", "delete the word before the cursor"),
    bind(X::Text, K::Backspace, ALT, C::EditLine(LineEdit::DeleteWordBack), "", "delete the word before the cursor"),
    bind(X::Text, K::Char('d'), ALT, C::EditLine(LineEdit::DeleteWordForward), "", "delete the word after the cursor"),
    bind(X::Text, K::Char('u'), CTRL, C::EditLine(LineEdit::DeleteToStart), "", "delete to the start of the line"),
    bind(X::Text, K::Char('k'), CTRL, C::EditLine(LineEdit::DeleteToEnd), "", "delete to the end of the line"),
    bind(X::Pick, K::Down, NONE, C::CycleNext, "↑/↓ pick", "next match"),
    bind(X::Pick, K::Up, NONE, C::CyclePrev, "", "previous match"),
    bind(X::Pick, K::Char('n'), CTRL, C::CycleNext, "", "next match"),
    bind(X::Pick, K::Char('p'), CTRL, C::CyclePrev, "", "previous match"),
    bind(X::Form, K::Enter, NONE, C::Submit, "Enter save", "submit the form"),
    bind(X::Form, K::Esc, NONE, C::Cancel, "Esc cancel", "cancel: nothing is written"),
    bind(X::Form, K::Tab, NONE, C::NextField, "Tab next", "next field"),
    bind(X::Form, K::Down, NONE, C::NextField, "", "next field"),
    bind(X::Form, K::BackTab, SHIFT, C::PrevField, "", "previous field"),
    bind(X::Form, K::Up, NONE, C::PrevField, "", "previous field"),
    bind(X::Form, K::Right, NONE, C::CycleNext, "←/→ choose", "next choice / toggle"),
    bind(X::Form, K::Left, NONE, C::CyclePrev, "", "previous choice / toggle"),
    bind(X::Form, K::Char(' '), NONE, C::CycleNext, "", "toggle or next choice (in choice fields)"),
    bind(X::Confirm, K::Char('y'), NONE, C::Yes, "y yes", "confirm"),
    bind(X::Confirm, K::Char('n'), NONE, C::No, "n no", "cancel"),
    bind(X::Confirm, K::Esc, NONE, C::No, "", "cancel"),
    bind(X::Reveal, K::Char('c'), NONE, C::Copy, "c copy", "copy the token to the clipboard"),
    bind(X::Reveal, K::Enter, NONE, C::Cancel, "Enter close", "close (the token is never shown again)"),
    bind(X::Reveal, K::Esc, NONE, C::Cancel, "", "close"),
    bind(X::RevealConfirm, K::Char('y'), NONE, C::Yes, "y close", "close without copying: the token is gone for good"),
    bind(X::RevealConfirm, K::Char('n'), NONE, C::No, "n back", "go back to the token"),
    bind(X::RevealConfirm, K::Esc, NONE, C::No, "", "go back to the token"),
    bind(X::Help, K::Esc, NONE, C::Cancel, "Esc close", "close help"),
    bind(X::Help, K::Char('/'), NONE, C::Filter, "/ search", "search the help (Enter keeps it, Esc clears it)"),
    bind(X::Help, K::Char('?'), NONE, C::Cancel, "", "close help"),
    bind(X::Help, K::Char('q'), NONE, C::Cancel, "", "close help"),
    bind(X::Help, K::Char('j'), NONE, C::Down, "j/k scroll", "scroll down"),
    bind(X::Help, K::Down, NONE, C::Down, "", "scroll down"),
    bind(X::Help, K::Char('k'), NONE, C::Up, "", "scroll up"),
    bind(X::Help, K::Up, NONE, C::Up, "", "scroll up"),
    bind(X::Help, K::PageDown, NONE, C::PageDown, "", "page down"),
    bind(X::Help, K::Char('d'), CTRL, C::PageDown, "", "page down"),
    bind(X::Help, K::PageUp, NONE, C::PageUp, "", "page up"),
    bind(X::Help, K::Char('u'), CTRL, C::PageUp, "", "page up"),
    bind(X::Help, K::Char('g'), NONE, C::Top, "", "top"),
    bind(X::Help, K::Home, NONE, C::Top, "", "top"),
    bind(X::Help, K::Char('G'), SHIFT, C::Bottom, "", "end"),
    bind(X::Help, K::End, NONE, C::Bottom, "", "end"),
    bind(X::Picker, K::Enter, NONE, C::Submit, "Enter switch", "switch to the selected organization"),
    bind(X::Picker, K::Esc, NONE, C::Cancel, "Esc cancel", "keep the current organization"),
    bind(X::Picker, K::Char('j'), NONE, C::Down, "", "move down"),
    bind(X::Picker, K::Down, NONE, C::Down, "", "move down"),
    bind(X::Picker, K::Char('k'), NONE, C::Up, "", "move up"),
    bind(X::Picker, K::Up, NONE, C::Up, "", "move up"),
];

fn matches(binding: &Binding, key: &KeyEvent) -> bool {
    if binding.code != key.code {
        return false;
    }
    // Terminals disagree on whether an upper-case letter carries SHIFT; accept both.
    let wanted = binding.modifiers - SHIFT;
    let got = key.modifiers - SHIFT;
    let shift_ok =
        matches!(binding.code, K::Char(_)) || binding.modifiers.contains(SHIFT) == key.modifiers.contains(SHIFT);
    wanted == got && shift_ok
}

/// The keys in use: [`BINDINGS`], with the user's own keys in place of some commands' defaults.
#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        Keymap { bindings: BINDINGS.to_vec() }
    }
}

/// The default keymap, shared.
pub fn defaults() -> Arc<Keymap> {
    static DEFAULTS: LazyLock<Arc<Keymap>> = LazyLock::new(|| Arc::new(Keymap::default()));
    DEFAULTS.clone()
}

impl Keymap {
    /// The defaults with `keys` (config.toml's `[keys]`: a command's name, as docs/keys.md lists
    /// them, to a key or a list of keys) in place of those commands' default keys, in every
    /// context the command has keys in (`Ctrl-C` quits whatever `quit` is given). A name or key
    /// it cannot read, or a key that would clash with another command where both apply, is an
    /// error naming both bindings; nothing of the file is used then.
    pub fn with_keys(keys: &BTreeMap<String, KeySpec>) -> Result<Keymap, String> {
        let mut bindings: Vec<Binding> = BINDINGS.to_vec();
        for (name, spec) in keys {
            let commands: Vec<Command> =
                command_names().into_iter().filter(|(n, _)| n == name).map(|(_, c)| c).collect();
            let Some(&command) = commands.first() else {
                return Err(format!("[keys] {name}: no such command (docs/keys.md lists the names)"));
            };
            let wanted: Vec<(KeyCode, KeyModifiers)> = spec
                .keys()
                .iter()
                .map(|k| parse_key(k).map_err(|e| format!("[keys] {name} = \"{k}\": {e}")))
                .collect::<Result<_, _>>()?;
            if wanted.is_empty() {
                return Err(format!("[keys] {name}: give at least one key"));
            }
            let contexts: Vec<Context> = {
                let mut seen = Vec::new();
                for b in bindings.iter().filter(|b| b.command == command && b.context != Context::Global) {
                    if !seen.contains(&b.context) {
                        seen.push(b.context);
                    }
                }
                seen
            };
            for context in contexts {
                let Some(at) = bindings.iter().position(|b| b.command == command && b.context == context) else {
                    continue;
                };
                let first = bindings[at].clone();
                let word = first.label.split_once(' ').map(|(_, word)| word.to_string());
                bindings.retain(|b| !(b.command == command && b.context == context));
                for (i, (code, modifiers)) in wanted.iter().enumerate() {
                    let label = match (&word, i) {
                        (Some(word), 0) => Cow::Owned(format!("{} {word}", key_label(*code, *modifiers))),
                        _ => Cow::Borrowed(""),
                    };
                    bindings.insert(
                        at + i,
                        Binding { code: *code, modifiers: *modifiers, label, own: true, ..first.clone() },
                    );
                }
            }
        }
        let keymap = Keymap { bindings };
        keymap.check_clashes()?;
        Ok(keymap)
    }

    /// Refuses a user's key that another command also answers where both apply (the same
    /// context, or contexts searched together), and a plain character for a command that has
    /// keys where text is typed (it would be typed instead).
    fn check_clashes(&self) -> Result<(), String> {
        for mine in self.bindings.iter().filter(|b| b.own) {
            let name = command_name(mine.command);
            let typed = matches!(mine.code, K::Char(_)) && !mine.modifiers.intersects(CTRL | ALT);
            if typed && matches!(mine.context, X::Form | X::Pick | X::Filter | X::CommandLine) {
                return Err(format!(
                    "[keys] {name} = \"{}\": in {} a plain character is typed into the text; use ctrl-, alt- or a named key",
                    key_name(mine),
                    mine.context.title()
                ));
            }
            let probe = KeyEvent::new(mine.code, mine.modifiers);
            for other in &self.bindings {
                if other.command != mine.command
                    && searched_together(other.context, mine.context)
                    && matches(other, &probe)
                {
                    return Err(format!(
                        "[keys] {name} = \"{}\" clashes with {} ({}) in {}",
                        key_name(mine),
                        key_name(other),
                        other.help,
                        other.context.title()
                    ));
                }
            }
        }
        Ok(())
    }

    /// The command a key triggers in `contexts` (searched in order, after Global).
    pub fn lookup(&self, contexts: &[Context], key: &KeyEvent) -> Option<Command> {
        std::iter::once(Context::Global)
            .chain(contexts.iter().copied())
            .flat_map(|ctx| self.bindings.iter().filter(move |b| b.context == ctx))
            .find(|b| matches(b, key))
            .map(|b| b.command)
    }

    /// Footer hints for these contexts, first binding of each command only.
    pub fn footer(&self, contexts: &[Context]) -> Vec<String> {
        self.footer_adjusted(contexts, |_, word| Some(word))
    }

    /// Footer hints, each word passed through `adjust`, which may reword it for the current
    /// state (`enable` on a disabled account) or drop it (edit keys on an account a plugin
    /// manages); the key in front is the binding's.
    pub fn footer_adjusted<'a>(
        &'a self,
        contexts: &[Context],
        adjust: impl Fn(Command, &'a str) -> Option<&'a str>,
    ) -> Vec<String> {
        let mut seen = Vec::new();
        let mut labels = Vec::new();
        for ctx in contexts {
            for b in self.bindings.iter().filter(|b| b.context == *ctx) {
                if !seen.contains(&b.command) {
                    seen.push(b.command);
                    let Some((keys, word)) = b.label.split_once(' ') else { continue };
                    if let Some(word) = adjust(b.command, word) {
                        labels.push(format!("{keys} {word}"));
                    }
                }
            }
        }
        labels
    }

    /// How many lines the help screen has (titles, rows and a blank line after each section).
    pub fn help_line_count(&self) -> usize {
        self.help_sections_for(&[]).iter().filter(|(_, rows)| !rows.is_empty()).map(|(_, rows)| rows.len() + 2).sum()
    }

    /// The help screen's sections with `first` (the contexts where `?` was pressed) on top, then
    /// the keys that work anywhere, then the rest: from view 6 its keys come first, not 60
    /// lines down. Each row: the command's keys joined by `/`, and its help.
    pub fn help_sections_for(&self, first: &[Context]) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
        help_order(first)
            .iter()
            .map(|ctx| {
                let mut rows: Vec<(Command, String, &'static str)> = Vec::new();
                for b in self.bindings.iter().filter(|b| b.context == *ctx) {
                    match rows.iter_mut().find(|(cmd, _, _)| *cmd == b.command) {
                        Some(row) => row.1 = format!("{}/{}", row.1, key_name(b)),
                        None => rows.push((b.command, key_name(b), b.help)),
                    }
                }
                (ctx.title(), rows.into_iter().map(|(_, keys, help)| (keys, help)).collect())
            })
            .collect()
    }
}

/// What config.toml gives a command: one key, or several.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Several(Vec<String>),
}

impl KeySpec {
    fn keys(&self) -> Vec<&str> {
        match self {
            KeySpec::One(key) => vec![key.as_str()],
            KeySpec::Several(keys) => keys.iter().map(String::as_str).collect(),
        }
    }
}

/// Every command that has a key, by the name `[keys]` uses: its variant in snake case
/// (`RotateToken` → `rotate_token`, `ShowView(Tokens)` → `show_view_tokens`).
pub fn command_names() -> Vec<(String, Command)> {
    let mut names: Vec<(String, Command)> = Vec::new();
    for b in BINDINGS {
        if !names.iter().any(|(_, c)| *c == b.command) {
            names.push((command_name(b.command), b.command));
        }
    }
    names
}

/// A command's `[keys]` name.
pub fn command_name(command: Command) -> String {
    let debug = format!("{command:?}");
    let mut name = String::new();
    for c in debug.chars() {
        match c {
            'A'..='Z' => {
                if !name.is_empty() && !name.ends_with('_') {
                    name.push('_');
                }
                name.push(c.to_ascii_lowercase());
            }
            '(' => name.push('_'),
            ')' => {}
            c => name.push(c),
        }
    }
    name
}

/// Reads a key as config.toml writes it: `q`, `R`, `ctrl-r`, `alt-b`, `shift-tab`, `enter`,
/// `esc`, `tab`, `space`, `up`, `down`, `left`, `right`, `home`, `end`, `pageup`, `pagedown`,
/// `delete`, `backspace`, `f1`…`f12`, or any single character.
pub fn parse_key(text: &str) -> Result<(KeyCode, KeyModifiers), String> {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let (prefix, modifier) = if lower.starts_with("ctrl-") {
            ("ctrl-", CTRL)
        } else if lower.starts_with("alt-") {
            ("alt-", ALT)
        } else if lower.starts_with("shift-") {
            ("shift-", SHIFT)
        } else {
            break;
        };
        if rest.len() == prefix.len() {
            break;
        }
        modifiers |= modifier;
        rest = &rest[prefix.len()..];
    }
    let lower = rest.to_ascii_lowercase();
    let code = match lower.as_str() {
        "enter" | "return" => K::Enter,
        "esc" | "escape" => K::Esc,
        "tab" if modifiers.contains(SHIFT) => K::BackTab,
        "tab" => K::Tab,
        "backtab" => K::BackTab,
        "space" => K::Char(' '),
        "up" => K::Up,
        "down" => K::Down,
        "left" => K::Left,
        "right" => K::Right,
        "home" => K::Home,
        "end" => K::End,
        "pageup" | "pgup" => K::PageUp,
        "pagedown" | "pgdn" => K::PageDown,
        "delete" | "del" => K::Delete,
        "backspace" => K::Backspace,
        f if f.len() > 1 && f.starts_with('f') && f[1..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n)) => {
            K::F(f[1..].parse().unwrap_or(1))
        }
        _ => {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) if !c.is_control() => {
                    // Terminals send Ctrl and Alt with the lower-case letter: `ctrl-R` is `ctrl-r`,
                    // unless `shift-` asks for the upper case.
                    let c = if modifiers.contains(SHIFT) {
                        c.to_ascii_uppercase()
                    } else if modifiers.intersects(CTRL | ALT) {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    };
                    K::Char(c)
                }
                _ => return Err("not a key (e.g. q, R, ctrl-r, alt-b, enter, f5)".to_string()),
            }
        }
    };
    // An upper-case letter carries SHIFT as the table writes it.
    if let K::Char(c) = code
        && c.is_ascii_uppercase()
    {
        modifiers |= SHIFT;
    }
    Ok((code, modifiers))
}

/// Whether a key bound in `a` and one in `b` can both be live at once (see
/// `State::contexts`): the same context, Global with anything, a view's keys with those of every
/// view and of the tour, the tokens pane with the accounts view, a picker field with its form.
fn searched_together(a: Context, b: Context) -> bool {
    use Context as X;
    let pane = |c: Context| {
        matches!(
            c,
            X::Accounts | X::Groups | X::Roles | X::Orgs | X::Audit | X::TokensView | X::Tokens | X::Panes | X::Tour
        )
    };
    let shared = |c: Context| matches!(c, X::Panes | X::Tour);
    // Line editing (Text) comes first wherever text is typed.
    let typing = |c: Context| matches!(c, X::Form | X::Pick | X::Filter | X::CommandLine);
    a == b
        || (a == X::Text && typing(b))
        || (b == X::Text && typing(a))
        || a == X::Global
        || b == X::Global
        || (pane(a) && shared(b))
        || (shared(a) && pane(b))
        || matches!(
            (a, b),
            (X::Tokens, X::Accounts) | (X::Accounts, X::Tokens) | (X::Pick, X::Form) | (X::Form, X::Pick)
        )
}

/// The command a key triggers in `contexts` with the default keys.
pub fn lookup(contexts: &[Context], key: &KeyEvent) -> Option<Command> {
    defaults().lookup(contexts, key)
}

/// Footer hints for these contexts with the default keys.
pub fn footer(contexts: &[Context]) -> Vec<String> {
    defaults().footer(contexts)
}

/// A key as the help screen writes it: `Ctrl-C`, `Shift-Tab`, `PgDn`, `j`.
pub fn key_name(binding: &Binding) -> String {
    key_label(binding.code, binding.modifiers)
}

/// A key pressed, in the help screen's words.
pub fn key_label(code: KeyCode, modifiers: KeyModifiers) -> String {
    let base = match code {
        K::Char(' ') => "Space".to_string(),
        K::Char(c) => c.to_string(),
        K::Enter => "Enter".into(),
        K::Esc => "Esc".into(),
        K::Tab => "Tab".into(),
        K::BackTab => "Shift-Tab".into(),
        K::Up => "↑".into(),
        K::Down => "↓".into(),
        K::Left => "←".into(),
        K::Right => "→".into(),
        K::Home => "Home".into(),
        K::End => "End".into(),
        K::PageUp => "PgUp".into(),
        K::PageDown => "PgDn".into(),
        K::Delete => "Delete".into(),
        K::Backspace => "Backspace".into(),
        K::F(n) => format!("F{n}"),
        other => format!("{other:?}"),
    };
    if modifiers.contains(CTRL) {
        format!("Ctrl-{}", base.to_uppercase())
    } else if modifiers.contains(ALT) {
        format!("Alt-{}", base.to_uppercase())
    } else {
        base
    }
}

/// How many lines the help screen has with the default keys.
pub fn help_line_count() -> usize {
    defaults().help_line_count()
}

/// Help lines per context with the default keys: (context title, [(keys, help)]).
pub fn help_sections() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    defaults().help_sections_for(&[])
}

/// The contexts in the help screen's order: `first`, then Global and Panes, then the rest.
fn help_order(first: &[Context]) -> Vec<Context> {
    let default_order = [
        X::Global,
        X::Panes,
        X::Accounts,
        X::Tokens,
        X::Groups,
        X::Roles,
        X::Orgs,
        X::Audit,
        X::TokensView,
        X::Filter,
        X::Text,
        X::Form,
        X::Pick,
        X::Confirm,
        X::Reveal,
        X::RevealConfirm,
        X::Picker,
        X::Plugins,
        X::Help,
        X::CommandLine,
        X::Tour,
    ];
    let mut order: Vec<Context> = first.iter().copied().filter(|c| !matches!(c, X::Global | X::Panes)).collect();
    for ctx in [X::Global, X::Panes].into_iter().chain(default_order) {
        if !order.contains(&ctx) {
            order.push(ctx);
        }
    }
    order
}
