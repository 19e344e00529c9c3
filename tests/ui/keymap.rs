//! The keymap table is the single source of dispatch, footer and help.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use satui::tui::action::Command;
use satui::tui::keymap::{self, BINDINGS, Context};

#[test]
fn every_binding_dispatches_to_its_own_command_in_its_context() {
    for binding in BINDINGS {
        let key = KeyEvent::new(binding.code, binding.modifiers);
        let found = keymap::lookup(&[binding.context], &key);
        // Global bindings win over context ones; everything else must resolve to itself or to a
        // binding listed earlier for the same key (the table is read top-down).
        let first = BINDINGS
            .iter()
            .filter(|b| b.context == Context::Global || b.context == binding.context)
            .find(|b| b.code == binding.code && b.modifiers == binding.modifiers)
            .map(|b| b.command);
        assert_eq!(found, first, "{:?} {:?}", binding.context, binding.code);
    }
}

#[test]
fn footer_labels_are_exactly_the_labelled_bindings_of_the_context() {
    let contexts = [Context::Accounts, Context::Panes];
    let footer = keymap::footer(&contexts);
    let labelled: Vec<_> = contexts
        .iter()
        .flat_map(|ctx| BINDINGS.iter().filter(move |b| b.context == *ctx && !b.label.is_empty()))
        .map(|b| b.label)
        .collect();
    assert_eq!(footer, labelled);
    assert!(footer.contains(&"n new") && footer.contains(&"? help") && footer.contains(&"q quit"));
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
