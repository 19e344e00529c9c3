//! View 6: every token of the org, its quick filters, the keys that act on a token, and Enter.

use crossterm::event::KeyCode;
use insta::assert_snapshot;
use satui::domain::expiry::TokenStatus;
use satui::service::OrgTokenFilter;
use satui::tui::action::{TokenPreset, View};
use satui::tui::state::{Focus, Popup};

use super::harness::{Harness, NOW, redact};

/// The status of every row the view shows.
fn statuses(h: &Harness) -> Vec<TokenStatus> {
    h.state.shown.org_tokens.list.rows.iter().map(|r| r.token.status(r.account_disabled, NOW)).collect()
}

/// Presses `f` until the view shows `preset`.
fn show(h: &mut Harness, preset: TokenPreset) {
    while h.state.shown.org_tokens.preset != preset {
        h.key(KeyCode::Char('f'));
    }
}

#[test]
fn the_tokens_view_lists_every_token_of_the_org_soonest_end_first() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('6'));
    let screen = h.screen();
    assert_snapshot!("tokens_view", redact(&screen));
    let org = h.state.org.as_ref().unwrap().id;
    let total = h.service.count_org_tokens(org, &OrgTokenFilter::default()).unwrap();
    assert!(total > 5, "the demo has tokens in many states");
    assert!(h.state.shown.org_tokens.counted);
    assert!(screen.contains(&format!("Tokens 1–{total} of {total} · all")), "{screen}");
    // One order for every list: live tokens by their end (the retiring one, ending tomorrow,
    // above 30-day tokens), then the ended ones.
    let rows = &h.state.shown.org_tokens.list.rows;
    assert!(
        rows.windows(2).all(|w| w[0].token.cmp_by_end(&w[1].token, NOW).is_lt()),
        "in end order: {:?}",
        rows.iter().map(|r| (&r.token.name, r.token.ends_at())).collect::<Vec<_>>()
    );
    let first_ended = rows.iter().position(|r| r.token.ends_at().is_some_and(|at| at <= NOW)).unwrap();
    assert!(rows[first_ended..].iter().all(|r| !r.token.status(false, NOW).authenticates()), "ended after live");
    let retiring = rows.iter().position(|r| r.token.status(false, NOW) == TokenStatus::Retiring).unwrap();
    let month = rows.iter().position(|r| r.token.name == "nightly").unwrap();
    assert!(retiring < month, "retiring tomorrow sorts before a token with weeks left");
}

#[test]
fn each_quick_filter_shows_only_its_tokens_and_the_count_in_the_title() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('6'));
    show(&mut h, TokenPreset::ExpiringSoon);
    assert!(!statuses(&h).is_empty());
    // By the end: the token whose rotation grace ends tomorrow is among them.
    assert!(
        statuses(&h).iter().all(|s| matches!(s, TokenStatus::ExpiringSoon | TokenStatus::Retiring)),
        "{:?}",
        statuses(&h)
    );
    assert!(statuses(&h).contains(&TokenStatus::Retiring));
    assert_snapshot!("tokens_view_expiring", redact(&h.screen()));
    show(&mut h, TokenPreset::Expired);
    assert!(!statuses(&h).is_empty() && statuses(&h).iter().all(|s| *s == TokenStatus::Expired));
    show(&mut h, TokenPreset::Revoked);
    assert!(!statuses(&h).is_empty() && statuses(&h).iter().all(|s| *s == TokenStatus::Revoked));
    show(&mut h, TokenPreset::NeverExpires);
    assert!(h.state.shown.org_tokens.list.rows.iter().all(|r| r.token.expires_at.is_none()));
    show(&mut h, TokenPreset::Retiring);
    assert_eq!(statuses(&h), [TokenStatus::Retiring]);
    // F goes back; the line above the list marks the current filter.
    h.key(KeyCode::Char('F'));
    assert_eq!(h.state.shown.org_tokens.preset, TokenPreset::ExpiringSoon);
    assert!(h.screen().contains("[expiring ≤ 7 d]"), "{}", h.screen());
}

#[test]
fn enter_goes_to_the_tokens_account_with_that_token_selected() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("zzz-nothing");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('6'));
    h.keys(&[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('j')]);
    let row = h.state.shown.org_tokens.list.selected_row().unwrap().clone();
    h.key(KeyCode::Enter);
    assert_eq!(h.state.view, View::Accounts);
    assert_eq!(h.state.focus, Focus::Tokens);
    assert!(h.state.shown.list.filter.is_empty(), "a filter that would hide the account is cleared");
    assert_eq!(h.state.selected_account().unwrap().id, row.account_id);
    let detail = h.state.shown.detail.as_ref().unwrap();
    assert_eq!(detail.selected_token().unwrap().id, row.token.id);
}

#[test]
fn revoke_in_the_tokens_view_asks_then_the_row_and_the_store_follow() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('6'));
    show(&mut h, TokenPreset::ExpiringSoon);
    let before = h.state.shown.org_tokens.list.total;
    let row = h.state.shown.org_tokens.list.selected_row().unwrap().clone();
    h.key(KeyCode::Char('v'));
    assert!(matches!(h.state.popups.last(), Some(Popup::Confirm { .. })));
    h.key(KeyCode::Char('y'));
    assert!(h.service.token(row.token.id).unwrap().revoked_at.is_some());
    assert_eq!(h.state.shown.org_tokens.list.total, before - 1, "it left the expiring filter");
    // Revoked tokens: R and v are refused before anything is asked.
    show(&mut h, TokenPreset::Revoked);
    for key in ['R', 'v'] {
        h.key(KeyCode::Char(key));
        assert!(h.state.popups.is_empty(), "{key} asked about a revoked token");
    }
    assert!(h.screen().contains("is already revoked"), "{}", h.screen());
}

#[test]
fn a_plugins_token_can_be_rotated_in_the_tokens_view_but_not_deleted() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('6'));
    while h.state.shown.org_tokens.list.selected_row().unwrap().managed_by.is_none() {
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Char('d'));
    assert!(h.state.popups.is_empty());
    assert!(h.screen().contains("managed by plugin"), "{}", h.screen());
    h.key(KeyCode::Char('R'));
    assert!(matches!(h.state.popups.last(), Some(Popup::Form(_))), "rotation asks for a grace");
    h.key(KeyCode::Enter);
    assert!(h.revealed_secret().is_some(), "the new secret is shown once");
}

#[test]
fn slash_narrows_the_tokens_view_to_matching_accounts_and_keeps_the_quick_filter() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('6'));
    show(&mut h, TokenPreset::ExpiringSoon);
    h.key(KeyCode::Char('/'));
    h.chars("terra");
    let rows = &h.state.shown.org_tokens.list.rows;
    assert!(!rows.is_empty() && rows.iter().all(|r| r.account_name == "terraform"), "{}", h.screen());
    assert_eq!(h.state.shown.org_tokens.preset, TokenPreset::ExpiringSoon, "the quick filter stays");
    let line = h.screen().lines().nth(1).unwrap().to_string();
    assert!(line.contains("terra") && line.contains("expiring"), "{line}");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('f'));
    assert_eq!(h.state.shown.org_tokens.list.filter.value(), "terra", "another quick filter keeps the text");
    h.key(KeyCode::Char('F'));
    h.key(KeyCode::Esc);
    assert!(h.state.shown.org_tokens.list.filter.is_empty());
    assert!(h.state.shown.org_tokens.list.rows.iter().any(|r| r.account_name != "terraform"), "{}", h.screen());
}

/// Issue 24, friction 10: after Enter in view 6 jumps to a token's account, Esc goes back to
/// view 6 at the same row, as a browser's back; a view switched by hand forgets the way back.
#[test]
fn esc_after_enter_goes_back_to_the_tokens_view_at_the_same_row() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('6'));
    h.keys(&[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('j')]);
    let row = h.state.shown.org_tokens.list.selected;
    let token = h.state.shown.org_tokens.list.selected_row().unwrap().token.id;
    h.key(KeyCode::Enter);
    assert_eq!(h.state.view, View::Accounts);
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Esc);
    assert_eq!(h.state.view, View::Tokens);
    assert_eq!(h.state.shown.org_tokens.list.selected, row);
    assert_eq!(h.state.shown.org_tokens.list.selected_row().unwrap().token.id, token);
    // Esc again does what it always does (nothing to go back to).
    h.key(KeyCode::Esc);
    assert_eq!(h.state.view, View::Tokens);
    // Jump, then switch view by hand: the way back is forgotten.
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Esc);
    assert_eq!(h.state.view, View::Accounts);
}
