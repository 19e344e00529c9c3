//! The `:` command line (issue 24, friction 11): jumps to a view, an org or an account by name,
//! with Tab completion; a line it cannot run says why and stays.

use crossterm::event::KeyCode;
use satui::tui::action::View;
use satui::tui::command_line::{Jump, complete, parse};

use super::harness::Harness;

fn run(h: &mut Harness, line: &str) {
    h.key(KeyCode::Char(':'));
    h.chars(line);
    h.key(KeyCode::Enter);
}

#[test]
fn a_view_name_shows_that_view() {
    let mut h = Harness::demo();
    for (line, view) in [
        ("tokens", View::Tokens),
        ("roles", View::Roles),
        ("groups", View::Groups),
        ("audit", View::Audit),
        ("orgs", View::Orgs),
        ("sa", View::Accounts),
    ] {
        run(&mut h, line);
        assert_eq!(h.state.view, view, ":{line}");
        assert!(h.state.popups.is_empty(), ":{line} left the command line open");
    }
}

#[test]
fn org_switches_by_name_and_an_unknown_one_changes_nothing() {
    let mut h = Harness::demo();
    run(&mut h, "org staging");
    assert_eq!(h.state.org.as_ref().map(|o| o.name.as_str()), Some("Staging"));
    run(&mut h, "org Nowhere");
    assert_eq!(h.state.org.as_ref().map(|o| o.name.as_str()), Some("Staging"), "an unknown org changes nothing");
    let screen = h.screen();
    assert!(screen.contains("no organization 'Nowhere'"), "{screen}");
    assert!(screen.contains(" :org Nowhere"), "the line stays to be corrected:\n{screen}");
    h.key(KeyCode::Esc);
    assert!(h.state.popups.is_empty());
}

#[test]
fn sa_with_tab_completes_the_name_and_selects_the_account() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char(':'));
    h.chars("sa ter");
    // The completion shows dimmed after the cursor (the terminal's own, after "ter"), and Tab
    // takes it.
    let screen = h.screen_at(80, 24);
    let row = screen.lines().position(|l| l.starts_with(" :sa terraform")).expect(&screen);
    assert_eq!(h.cursor_at(80, 24), Some((8, row as u16)), "{screen}");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert_eq!(h.state.view, View::Accounts);
    assert_eq!(h.state.selected_account().map(|a| a.name.as_str()), Some("terraform"));
}

#[test]
fn an_unknown_command_names_itself_and_the_commands() {
    let mut h = Harness::demo();
    run(&mut h, "dashboards");
    let screen = h.screen();
    assert!(screen.contains("unknown command ':dashboards'"), "{screen}");
    assert_eq!(h.state.view, View::Accounts);
    run(&mut h, "");
    h.key(KeyCode::Esc);
    run(&mut h, "");
    assert!(h.screen().contains("type a command"), "{}", h.screen());
}

#[test]
fn q_quits_and_esc_closes_the_line_without_doing_anything() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char(':'));
    h.chars("tokens");
    h.key(KeyCode::Esc);
    assert_eq!(h.state.view, View::Accounts);
    assert!(h.state.popups.is_empty() && !h.state.quit);
    run(&mut h, "q");
    assert!(h.state.quit);
}

#[test]
fn a_colon_typed_into_a_filter_is_text_not_a_command() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("a:b");
    assert!(h.state.popups.is_empty());
    assert_eq!(h.state.shown.list.filter.value(), "a:b");
}

#[test]
fn parsing_and_completion() {
    assert_eq!(parse("tokens"), Ok(Jump::View(View::Tokens)));
    assert_eq!(parse(":SA  ci-bot "), Ok(Jump::Account("ci-bot".into())));
    assert_eq!(parse("org Main Org."), Ok(Jump::Org("Main Org.".into())));
    assert_eq!(parse("quit"), Ok(Jump::Quit));
    assert_eq!(parse("help"), Ok(Jump::Help));
    assert!(parse("tokens extra").unwrap_err().contains("takes nothing"));
    assert_eq!(complete("tok", &[], &[]).as_deref(), Some("tokens"));
    assert_eq!(complete("org st", &["Main Org.", "Staging"], &[]).as_deref(), Some("org staging"));
    assert_eq!(complete("tokens", &[], &[]), None, "nothing to add");
    assert_eq!(complete("zz", &[], &[]), None);
}

#[test]
fn tab_completes_as_far_as_every_match_agrees() {
    assert_eq!(complete("sa c", &[], &["ci-bot", "ci-deployer"]).as_deref(), Some("sa ci-"));
    assert_eq!(complete("sa ci-d", &[], &["ci-bot", "ci-deployer"]).as_deref(), Some("sa ci-deployer"));
    assert_eq!(complete("g", &[], &[]).as_deref(), Some("groups"));
}
