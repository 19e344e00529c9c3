//! The keymap: one table of (context, key, command, footer label, help text). Dispatch, the
//! footer and the `?` screen all read it, so they cannot disagree. Adding a key is one line.

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
            Context::Help => "Help",
            Context::Picker => "Org switcher",
        }
    }
}

pub struct Binding {
    pub context: Context,
    pub code: KeyCode,
    pub modifiers: KeyModifiers,
    pub command: Command,
    /// Short footer label; empty keeps the binding out of the footer.
    pub label: &'static str,
    pub help: &'static str,
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
    Binding { context, code, modifiers, command, label, help }
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

/// The command a key triggers in `contexts` (searched in order, after Global).
pub fn lookup(contexts: &[Context], key: &KeyEvent) -> Option<Command> {
    std::iter::once(Context::Global)
        .chain(contexts.iter().copied())
        .flat_map(|ctx| BINDINGS.iter().filter(move |b| b.context == ctx))
        .find(|b| matches(b, key))
        .map(|b| b.command)
}

/// Footer hints for these contexts, first binding of each command only.
pub fn footer(contexts: &[Context]) -> Vec<&'static str> {
    footer_adjusted(contexts, |_, label| Some(label))
}

/// Footer hints, each passed through `adjust`, which may reword it for the current state
/// (`x enable` on a disabled account) or drop it (edit keys on an account a plugin manages).
pub fn footer_adjusted(
    contexts: &[Context],
    adjust: impl Fn(Command, &'static str) -> Option<&'static str>,
) -> Vec<&'static str> {
    let mut seen = Vec::new();
    let mut labels = Vec::new();
    for ctx in contexts {
        for b in BINDINGS.iter().filter(|b| b.context == *ctx) {
            if !seen.contains(&b.command) {
                seen.push(b.command);
                if let Some(label) = Some(b.label).filter(|l| !l.is_empty()).and_then(|l| adjust(b.command, l)) {
                    labels.push(label);
                }
            }
        }
    }
    labels
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

/// How many lines the help screen has (titles, rows and a blank line after each section).
pub fn help_line_count() -> usize {
    help_sections().iter().filter(|(_, rows)| !rows.is_empty()).map(|(_, rows)| rows.len() + 2).sum()
}

/// Help lines per context: (context title, [(keys, help)]), keys of one command joined by `/`.
pub fn help_sections() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    help_sections_for(&[])
}

/// The help screen's sections with `first` (the contexts where `?` was pressed) on top, then
/// the keys that work anywhere, then the rest: from view 6 its keys come first, not 60 lines
/// down.
pub fn help_sections_for(first: &[Context]) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
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
        .iter()
        .map(|ctx| {
            let mut rows: Vec<(Command, String, &'static str)> = Vec::new();
            for b in BINDINGS.iter().filter(|b| b.context == *ctx) {
                match rows.iter_mut().find(|(cmd, _, _)| *cmd == b.command) {
                    Some(row) => row.1 = format!("{}/{}", row.1, key_name(b)),
                    None => rows.push((b.command, key_name(b), b.help)),
                }
            }
            (ctx.title(), rows.into_iter().map(|(_, keys, help)| (keys, help)).collect())
        })
        .collect()
}
