//! Snapshots of each pane, form, modal, help, the too-small screen and the demo. Review a diff
//! here like a code change. Token hints and secrets are random and replaced before comparing.

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use super::harness::{Harness, redact};

#[test]
fn demo_main_screen() {
    let h = Harness::demo();
    assert_snapshot!("demo_main", redact(&h.screen()));
}

#[test]
fn demo_tokens_pane_focused_on_an_account_with_every_state() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci-dep");
    h.key(KeyCode::Enter);
    h.keys(&[KeyCode::Tab, KeyCode::Tab]);
    assert_snapshot!("tokens_pane", redact(&h.screen()));
}

#[test]
fn empty_store() {
    let h = Harness::empty();
    assert_snapshot!("empty_store", h.screen());
}

#[test]
fn new_account_form_with_an_error() {
    let mut h = Harness::empty();
    h.key(KeyCode::Char('n'));
    h.key(KeyCode::Enter);
    assert_snapshot!("new_account_form_error", h.screen());
}

#[test]
fn new_token_form_with_extended_on() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('t'));
    h.chars("deploy-main");
    h.keys(&[KeyCode::Tab, KeyCode::Tab, KeyCode::Char(' ')]);
    assert_snapshot!("new_token_form", h.screen());
}

#[test]
fn token_reveal_modal() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('t'));
    h.chars("fresh");
    h.key(KeyCode::Enter);
    assert_snapshot!("token_reveal", redact(&h.screen()));
}

#[test]
fn confirm_delete() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('d'));
    assert_snapshot!("confirm_delete", redact(&h.screen()));
}

#[test]
fn help_screen() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('?'));
    assert_snapshot!("help", redact(&h.screen_at(100, 40)));
}

#[test]
fn org_switcher() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('o'));
    assert_snapshot!("org_switcher", redact(&h.screen()));
}

#[test]
fn terminal_too_small() {
    let h = Harness::demo();
    assert_snapshot!("too_small", h.screen_at(59, 14));
    let ok = h.screen_at(60, 15);
    assert!(!ok.contains("too small"), "60×15 is enough: {ok}");
}

#[test]
fn narrow_groups_view() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('2'));
    assert_snapshot!("groups_placeholder", redact(&h.screen_at(80, 20)));
}

#[test]
fn groups_view() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('j'));
    assert_snapshot!("groups_view", redact(&h.screen()));
}

#[test]
fn roles_view_on_a_custom_role() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    // The org's own roles come first: the second is a custom one with permissions.
    h.key(KeyCode::Char('j'));
    assert_snapshot!("roles_view", redact(&h.screen()));
}

#[test]
fn orgs_view() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('4'));
    assert_snapshot!("orgs_view", redact(&h.screen()));
}

#[test]
fn audit_view_filtered() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('5'));
    h.key(KeyCode::Char('/'));
    h.chars("plugin");
    assert_snapshot!("audit_view", redact(&h.screen()));
}

#[test]
fn edit_account_form_shows_its_groups() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci-dep");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('e'));
    let screen = h.screen();
    assert!(screen.contains("Groups: ci, deployers"), "{screen}");
    assert_snapshot!("edit_account_form", redact(&screen));
}
