//! The keymap table is the single source of dispatch, footer and help.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use satui::tui::action::{Command, View};
use satui::tui::keymap::{self, BINDINGS, Context};

/// What a key does where, written out by hand from DESIGN.md's keymap (not read back from the
/// table under test): each row must dispatch to exactly this command.
#[test]
fn keys_dispatch_to_the_commands_the_design_names() {
    use KeyCode::{Char, Delete, Enter, Esc};
    let none = KeyModifiers::NONE;
    let shift = KeyModifiers::SHIFT;
    let ctrl = KeyModifiers::CONTROL;
    let table: &[(&[Context], KeyCode, KeyModifiers, Command)] = &[
        (&[Context::Accounts, Context::Panes], Char('n'), none, Command::New),
        (&[Context::Accounts, Context::Panes], Char('e'), none, Command::Edit),
        (&[Context::Accounts, Context::Panes], Char('x'), none, Command::ToggleDisabled),
        (&[Context::Accounts, Context::Panes], Char('t'), none, Command::NewToken),
        (&[Context::Accounts, Context::Panes], Char('R'), shift, Command::RotateToken),
        (&[Context::Accounts, Context::Panes], Char('v'), none, Command::RevokeToken),
        (&[Context::Accounts, Context::Panes], Char('d'), none, Command::Delete),
        (&[Context::Accounts, Context::Panes], Delete, none, Command::Delete),
        (&[Context::Accounts, Context::Panes], Enter, none, Command::Submit),
        (&[Context::Accounts, Context::Panes], Char('/'), none, Command::Filter),
        (&[Context::Tokens, Context::Panes], Char('v'), none, Command::RevokeToken),
        (&[Context::Tokens, Context::Panes], Char('d'), none, Command::Delete),
        (&[Context::Groups, Context::Panes], Char('a'), none, Command::AddItem),
        (&[Context::Groups, Context::Panes], Char('u'), none, Command::RemoveItem),
        (&[Context::Roles, Context::Panes], Char('a'), none, Command::AddItem),
        (&[Context::Orgs, Context::Panes], Enter, none, Command::Submit),
        (&[Context::TokensView, Context::Panes], Char('f'), none, Command::NextPreset),
        (&[Context::TokensView, Context::Panes], Char('F'), shift, Command::PrevPreset),
        (&[Context::Audit, Context::Panes], Char('/'), none, Command::Filter),
        (&[Context::Panes], Char('1'), none, Command::ShowView(View::Accounts)),
        (&[Context::Panes], Char('6'), none, Command::ShowView(View::Tokens)),
        (&[Context::Panes], Char('o'), none, Command::SwitchOrg),
        (&[Context::Panes], Char('j'), none, Command::Down),
        (&[Context::Panes], Char('k'), none, Command::Up),
        (&[Context::Panes], Char('g'), none, Command::Top),
        (&[Context::Panes], Char('G'), shift, Command::Bottom),
        (&[Context::Panes], Char('d'), ctrl, Command::HalfPageDown),
        (&[Context::Panes], Char('u'), ctrl, Command::HalfPageUp),
        (&[Context::Panes], Char('h'), none, Command::FocusLeft),
        (&[Context::Panes], Char('l'), none, Command::FocusRight),
        (&[Context::Panes], Esc, none, Command::Back),
        (&[Context::Panes], Char('r'), none, Command::Reload),
        (&[Context::Panes], Char('?'), none, Command::Help),
        (&[Context::Panes], Char('q'), none, Command::Quit),
        (&[Context::Filter], Esc, none, Command::ClearFilter),
        (&[Context::Filter], Enter, none, Command::Submit),
        // Global: Ctrl-C quits from anywhere, even where `c` means something else.
        (&[Context::Accounts, Context::Panes], Char('c'), ctrl, Command::Quit),
    ];
    for (contexts, code, modifiers, command) in table {
        let found = keymap::lookup(contexts, &KeyEvent::new(*code, *modifiers));
        assert_eq!(found, Some(*command), "{contexts:?} {code:?} {modifiers:?}");
    }
}

/// The footer of the accounts list, in order, as a person reads it at the bottom of the screen.
#[test]
fn footer_labels_of_the_accounts_list_are_these() {
    let footer = keymap::footer(&[Context::Accounts, Context::Panes]);
    assert_eq!(
        footer,
        [
            "n new",
            "e edit",
            "x disable",
            "t token",
            "a role",
            "d delete",
            "/ filter",
            "o org",
            "T tour",
            "? help",
            "q quit"
        ]
    );
}

#[test]
fn help_lists_every_binding_help_text() {
    let sections = keymap::help_sections();
    let all_help: Vec<&str> = sections.iter().flat_map(|(_, rows)| rows.iter().map(|(_, h)| *h)).collect();
    for binding in BINDINGS {
        // A command bound to several keys in one context shows once with the first help text.
        let shown = all_help.contains(&binding.help)
            || BINDINGS
                .iter()
                .any(|b| b.context == binding.context && b.command == binding.command && all_help.contains(&b.help));
        assert!(shown, "help misses {:?} {:?}", binding.context, binding.code);
    }
}

#[test]
fn design_keys_are_bound_in_the_panes() {
    let expect = [
        (KeyCode::Char('q'), Command::Quit),
        (KeyCode::Char('o'), Command::SwitchOrg),
        (KeyCode::Char('/'), Command::Filter),
        (KeyCode::Char('j'), Command::Down),
        (KeyCode::Char('k'), Command::Up),
        (KeyCode::Char('g'), Command::Top),
        (KeyCode::PageDown, Command::PageDown),
        (KeyCode::Char('n'), Command::New),
        (KeyCode::Char('e'), Command::Edit),
        (KeyCode::Char('x'), Command::ToggleDisabled),
        (KeyCode::Char('t'), Command::NewToken),
        (KeyCode::Char('v'), Command::RevokeToken),
        (KeyCode::Char('d'), Command::Delete),
        (KeyCode::Delete, Command::Delete),
        (KeyCode::Char('r'), Command::Reload),
        (KeyCode::Char('?'), Command::Help),
    ];
    for (code, command) in expect {
        assert_eq!(
            keymap::lookup(&[Context::Accounts, Context::Panes], &KeyEvent::new(code, KeyModifiers::NONE)),
            Some(command),
            "{code:?}"
        );
    }
    let shift_r = KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT);
    assert_eq!(keymap::lookup(&[Context::Accounts, Context::Panes], &shift_r), Some(Command::RotateToken));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(keymap::lookup(&[Context::Reveal], &ctrl_c), Some(Command::Quit), "Ctrl-C quits from anywhere");
}

/// Every command name docs/keys.md lists for `[keys]` takes a key of its own (F12, free
/// everywhere), and that key then triggers it where its default keys did.
#[test]
fn every_command_name_takes_a_key_of_its_own() {
    let f12 = KeyEvent::new(KeyCode::F(12), KeyModifiers::NONE);
    for (name, command) in keymap::command_names() {
        let keys = std::collections::BTreeMap::from([(name.clone(), keymap::KeySpec::One("f12".into()))]);
        let map = keymap::Keymap::with_keys(&keys).unwrap_or_else(|e| panic!("{name}: {e}"));
        let context = BINDINGS.iter().find(|b| b.command == command && b.context != Context::Global).map(|b| b.context);
        if let Some(context) = context {
            assert_eq!(map.lookup(&[context], &f12), Some(command), "{name} in {context:?}");
        }
    }
}
