//! The keys and clicks a k9s or lazygit user reaches for: Esc backs out, Enter drills in,
//! h/l between panes, Ctrl-D/Ctrl-U half pages, `/` in every list, mouse clicks.

use crossterm::event::KeyCode;
use satui::tui::action::{Action, View};
use satui::tui::state::{Focus, Popup};

use super::harness::Harness;

fn click(h: &mut Harness, column: u16, row: u16) {
    h.act(Action::Click { column, row });
}

/// Where `text` first appears on the 120×32 screen.
fn find(h: &Harness, text: &str) -> (u16, u16) {
    let screen = h.screen();
    for (row, line) in screen.lines().enumerate() {
        if let Some(byte) = line.find(text) {
            return (line[..byte].chars().count() as u16, row as u16);
        }
    }
    panic!("{text} is not on screen:\n{screen}");
}

#[test]
fn esc_backs_out_one_level_focus_then_filter() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('l'));
    assert_eq!(h.state.focus, Focus::Detail);
    h.key(KeyCode::Esc);
    assert_eq!(h.state.focus, Focus::List, "first Esc: back to the list");
    assert_eq!(h.state.shown.list.filter.value(), "ci", "the filter stays");
    h.key(KeyCode::Esc);
    assert!(h.state.shown.list.filter.is_empty(), "second Esc: the filter goes");
    assert!(h.state.shown.list.total > 2);
}

#[test]
fn enter_drills_in_and_h_l_move_between_panes_without_wrapping() {
    let mut h = Harness::demo();
    h.key(KeyCode::Enter);
    assert_eq!(h.state.focus, Focus::Tokens, "Enter on an account goes to its tokens");
    h.key(KeyCode::Char('l'));
    assert_eq!(h.state.focus, Focus::Tokens, "l stops at the right edge");
    h.key(KeyCode::Char('h'));
    assert_eq!(h.state.focus, Focus::Detail);
    h.key(KeyCode::Char('h'));
    h.key(KeyCode::Char('h'));
    assert_eq!(h.state.focus, Focus::List);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Enter);
    assert_eq!(h.state.focus, Focus::Detail, "Enter on a group shows its members");
    h.key(KeyCode::Tab);
    assert_eq!(h.state.focus, Focus::List, "Tab cycles over the view's two panes only");
}

#[test]
fn ctrl_d_and_ctrl_u_move_half_a_page() {
    let mut h = Harness::empty();
    h.add_accounts(80);
    let half = u64::from(h.state.viewport_rows / 2);
    h.ctrl('d');
    assert_eq!(h.state.shown.list.selected, half);
    h.ctrl('d');
    h.ctrl('u');
    assert_eq!(h.state.shown.list.selected, half);
}

#[test]
fn slash_filters_groups_roles_and_orgs_too() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    let all = h.state.shown.roles.shown.len();
    h.key(KeyCode::Char('/'));
    h.chars("alerting");
    h.key(KeyCode::Enter);
    let shown = h.state.shown.roles.shown.len();
    assert!(shown > 0 && shown < all, "{shown} of {all}");
    assert!(
        h.state.shown.roles.visible().all(|r| format!("{} {:?}", r.name, r.group).to_lowercase().contains("alerting"))
    );
    assert!(h.screen().contains(&format!("Roles ({shown} of {all})")), "{}", h.screen());
    h.key(KeyCode::Esc);
    assert_eq!(h.state.shown.roles.shown.len(), all);
    h.key(KeyCode::Char('2'));
    h.key(KeyCode::Char('/'));
    h.chars("ci-nightly");
    assert_eq!(h.state.shown.groups.shown.len(), 1, "groups match their members");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('/'));
    h.chars("stag");
    assert_eq!(h.state.org_summaries.selected().unwrap().org.name, "Staging");
}

#[test]
fn clicks_switch_views_select_rows_and_focus_panes() {
    let mut h = Harness::demo();
    let (x, y) = find(&h, "Roles (3)");
    click(&mut h, x + 1, y);
    assert_eq!(h.state.view, View::Roles);
    let (x, y) = find(&h, "Service accounts (1)");
    click(&mut h, x + 1, y);
    assert_eq!(h.state.view, View::Accounts);
    let (x, y) = find(&h, "grafana-backup");
    click(&mut h, x, y);
    assert_eq!(h.state.selected_account().unwrap().name, "grafana-backup");
    assert_eq!(h.state.shown.detail.as_ref().unwrap().account.name, "grafana-backup", "its detail loaded");
    let (x, y) = find(&h, "backup-old");
    click(&mut h, x, y);
    assert_eq!(h.state.focus, Focus::Tokens);
    assert_eq!(h.state.shown.detail.as_ref().unwrap().selected_token().unwrap().name, "backup-old");
    let (x, y) = find(&h, "updated");
    click(&mut h, x, y);
    assert_eq!(h.state.focus, Focus::Detail);
    // Under a popup, clicks do nothing.
    h.key(KeyCode::Char('?'));
    let (x, y) = find(&h, "Groups (2)");
    click(&mut h, x + 1, y);
    assert_eq!(h.state.view, View::Accounts);
    assert!(matches!(h.state.popups.last(), Some(Popup::Help { .. })));
}

#[test]
fn a_click_below_the_last_row_selects_nothing() {
    let mut h = Harness::demo();
    let before = h.state.shown.list.selected;
    click(&mut h, 5, 28);
    assert_eq!(h.state.shown.list.selected, before);
}

/// On a wide terminal the tokens pane draws one line per token: a click picks the token drawn
/// on that line.
#[test]
fn a_click_on_a_token_of_a_wide_tokens_pane_picks_that_token() {
    let mut h = Harness::demo();
    h.resize(200, 60);
    h.key(KeyCode::Char('/'));
    h.chars("grafana-backup");
    h.key(KeyCode::Enter);
    let screen = h.screen_at(200, 60);
    let (row, line) = screen.lines().enumerate().find(|(_, l)| l.contains("backup-old")).expect("the token");
    let column = line[..line.find("backup-old").unwrap()].chars().count() as u16;
    click(&mut h, column, row as u16);
    assert_eq!(h.state.shown.detail.as_ref().unwrap().selected_token().unwrap().name, "backup-old", "{screen}");
}

#[test]
fn clicks_on_a_terminal_too_small_to_draw_do_nothing() {
    let mut h = Harness::demo();
    h.resize(50, 10);
    let view = h.state.view;
    for (column, row) in [(1, 0), (30, 0), (5, 5), (49, 9)] {
        click(&mut h, column, row);
    }
    assert_eq!(h.state.view, view);
    assert_eq!(h.state.shown.list.selected, 0);
}

/// Issue 24, friction 15 (part): the mouse wheel scrolls the pane under the pointer, not the
/// one that had the keys; over a popup it scrolls the popup.
#[test]
fn the_wheel_scrolls_the_pane_under_the_pointer() {
    use satui::tui::action::Action;
    let mut h = Harness::demo();
    // Focus the account list, then wheel over the tokens pane of grafana-backup.
    let (x, y) = find(&h, "grafana-backup");
    click(&mut h, x, y);
    assert_eq!(h.state.focus, Focus::List);
    let selected_account = h.state.shown.list.selected;
    let (x, y) = find(&h, "backup-old");
    h.act(Action::Wheel { column: x, row: y, down: false });
    assert_eq!(h.state.focus, Focus::Tokens, "the pane under the pointer takes the wheel");
    assert_eq!(h.state.shown.list.selected, selected_account, "the account list did not move");
    // Over the list again (its first row), the wheel moves the list.
    let (x, y) = find(&h, "alert-router");
    h.act(Action::Wheel { column: x, row: y, down: true });
    assert_eq!(h.state.focus, Focus::List);
    assert_eq!(h.state.shown.list.selected, selected_account + 1);
    // Over the help, it scrolls the help.
    h.key(KeyCode::Char('?'));
    h.act(Action::Wheel { column: 60, row: 10, down: true });
    assert!(matches!(h.state.popups.last(), Some(Popup::Help { scroll: 1, .. })));
}

/// The first account row drawn in the list pane (the line under its title).
fn first_account_shown(h: &Harness) -> String {
    let screen = h.screen();
    let line = screen.lines().nth(3).expect("the list's first row").to_string();
    line.split('│')
        .nth(1)
        .unwrap_or_default()
        .trim()
        .trim_start_matches("▸ ")
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Issue 24 (inside): the list keeps ratatui's own `ListState` from frame to frame, so moving
/// the cursor up inside the rows shown moves the cursor, not the list (a fresh state each frame
/// pinned the cursor to the bottom row and scrolled on every key), and a click lands on the
/// account drawn under the pointer wherever the list is scrolled.
#[test]
fn the_list_scrolls_only_when_the_cursor_leaves_it_and_clicks_follow_the_scroll() {
    let mut h = Harness::empty();
    h.add_accounts(40);
    h.key(KeyCode::Char('G'));
    assert_eq!(h.state.shown.list.selected, 39);
    let top = first_account_shown(&h);
    assert_ne!(top, "acct-000", "the end of the list is shown");
    for _ in 0..5 {
        h.key(KeyCode::Char('k'));
    }
    assert_eq!(h.state.shown.list.selected, 34);
    assert_eq!(first_account_shown(&h), top, "the rows shown stay put while the cursor moves inside them");

    // A click on the top row picks the account drawn there.
    let (x, y) = find(&h, &top);
    click(&mut h, x, y);
    assert_eq!(h.state.selected_account().unwrap().name, top);
    // Up past the top row scrolls by one.
    h.key(KeyCode::Char('k'));
    assert_eq!(first_account_shown(&h), h.state.selected_account().unwrap().name);
}

/// Issue 24 (inside): a click reads the frame as drawn, so every tab of the header is hit where
/// its label is, whatever squeezes the header (a long org name with wide characters, the DEMO
/// badge, a narrow terminal that shortens the labels).
#[test]
fn every_tab_is_hit_where_its_label_is_drawn_at_any_width() {
    let mut h = Harness::demo();
    let long = "Ｍａｉｎ 組織 with a very long name indeed";
    h.service.rename_org(1, long).unwrap();
    h.key(KeyCode::Char('r'));
    for (width, height) in [(80, 24), (120, 32), (200, 60)] {
        h.resize(width, height);
        let screen = h.screen_at(width, height);
        let header = screen.lines().next().unwrap().to_string();
        for (i, view) in View::ALL.iter().enumerate().rev() {
            // Full labels "Roles (3)", or short ones "3 Roles" on a narrow header.
            let label = [format!("{} ({})", view.title(), i + 1), format!("{} {}", i + 1, view.short())]
                .into_iter()
                .find(|l| header.contains(l.as_str()))
                .unwrap_or_else(|| panic!("tab {view:?} at {width}: {header}"));
            let byte = header.find(&label).unwrap();
            // Cells, not chars: the org's fullwidth letters take two each. The label's first and
            // last cells both hit it.
            let column = ratatui::text::Line::from(&header[..byte]).width() as u16;
            let last = column + ratatui::text::Line::from(label.as_str()).width() as u16 - 1;
            for x in [column, last] {
                click(&mut h, x, 0);
                assert_eq!(h.state.view, *view, "{label} (cell {x}) at {width}×{height}: {header}");
            }
        }
    }
}

/// Issue 24 (inside), from the review: when a new page of a paged list lands over rows already
/// on screen, the rows stay where they were (the kept scroll offset moves with the page), rather
/// than the list jumping to the page's first row.
#[test]
fn a_new_page_over_the_rows_shown_keeps_them_in_place() {
    let mut h = Harness::empty();
    h.add_accounts(120);
    // The last page is the last full one: rows 70–119.
    h.key(KeyCode::Char('G'));
    assert_eq!(h.state.shown.list.offset, 70);
    while h.state.shown.list.selected > 70 {
        h.key(KeyCode::Char('k'));
    }
    assert_eq!(first_account_shown(&h), "acct-070", "the cursor on the top row");
    // Up once more: rows 50–99 load; a-069 scrolls in on top, a-070 just under it.
    h.key(KeyCode::Char('k'));
    assert_eq!(h.state.shown.list.offset, 50);
    assert_eq!(first_account_shown(&h), "acct-069", "{}", h.screen());
}

/// The tour's panel is drawn over the panes: a click on it does not select the row under it.
#[test]
fn a_click_on_the_tour_panel_does_not_reach_the_row_under_it() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('T'));
    let before = (h.state.view, h.state.focus, h.state.shown.list.selected);
    let screen = h.screen();
    let (row, line) = screen.lines().enumerate().find(|(_, l)| l.contains("Tour 1/")).expect("the panel");
    let column = line[..line.find("Tour 1/").unwrap()].chars().count() as u16;
    // Inside the panel, a few rows under its title.
    for dy in 1..4 {
        click(&mut h, column, row as u16 + dy);
    }
    assert_eq!((h.state.view, h.state.focus, h.state.shown.list.selected), before);
}
