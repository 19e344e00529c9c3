//! The UI bugs a new user met (issue "the UI as a k9s or lazygit user expects it"), one test
//! each, through keys on a real store and the rendered screen.

use crossterm::event::KeyCode;
use satui::service::SeedOptions;
use satui::tui::state::Popup;

use super::harness::Harness;

/// Bug 1: the filter line shows the current view's filter, and only it.
#[test]
fn the_filter_line_shows_the_filter_of_the_view_on_screen() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci-dep");
    h.key(KeyCode::Enter);
    assert!(h.screen().lines().nth(1).unwrap().contains("ci-dep"));
    h.key(KeyCode::Char('5'));
    assert!(!h.screen().lines().nth(1).unwrap().contains("ci-dep"), "the accounts filter leaked into Audit");
    h.key(KeyCode::Char('/'));
    h.chars("plugin");
    assert!(h.screen().lines().nth(1).unwrap().contains("plugin"), "{}", h.screen());
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('2'));
    assert!(!h.screen().lines().nth(1).unwrap().contains("plugin"));
}

/// Bug 2: an account chosen by a filter opens at its top, not scrolled.
#[test]
fn the_detail_pane_starts_at_the_top_when_the_selection_changes_by_filter_or_org() {
    let mut h = Harness::demo();
    h.key(KeyCode::Tab);
    for _ in 0..6 {
        h.key(KeyCode::Char('j'));
    }
    assert!(h.state.shown.detail_scroll > 0);
    h.key(KeyCode::BackTab);
    h.key(KeyCode::Char('/'));
    h.chars("terraform");
    assert_eq!(h.state.shown.detail_scroll, 0);
    assert!(h.screen().contains("login"), "{}", h.screen());
}

/// Bug 3: readline keys in the filter edit it instead of typing letters.
#[test]
fn ctrl_keys_in_the_filter_edit_the_line() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci dep");
    h.ctrl('w');
    assert_eq!(h.state.shown.list.filter.value(), "ci ");
    h.ctrl('a');
    h.key(KeyCode::Char('x'));
    assert_eq!(h.state.shown.list.filter.value(), "xci ");
    h.ctrl('u');
    assert_eq!(h.state.shown.list.filter.value(), "ci ", "Ctrl-U deletes to the start of the line");
}

/// Bug 4: crossing a window edge shows a full page, never one lone row.
#[test]
fn the_last_window_is_a_full_page_not_a_lone_row() {
    let mut h = Harness::empty();
    h.add_accounts(51);
    h.key(KeyCode::Char('G'));
    assert_eq!(h.state.shown.list.rows.len(), 50);
    assert!(h.screen().contains("Service accounts 2–51 of 51"), "{}", h.screen());
    let mut h = Harness::empty();
    h.add_accounts(51);
    for _ in 0..50 {
        h.key(KeyCode::Char('j'));
    }
    assert_eq!(h.state.selected_account().unwrap().name, "acct-050");
    assert_eq!(h.state.shown.list.rows.len(), 50);
}

/// Bug 7: the footer says what `x` will do.
#[test]
fn the_footer_says_x_enable_on_a_disabled_account() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci-nightly");
    h.key(KeyCode::Enter);
    assert!(h.state.selected_account().unwrap().disabled);
    let footer = h.screen().lines().last().unwrap().to_string();
    assert!(footer.contains("x enable") && !footer.contains("x disable"), "{footer}");
}

/// The footer shows no edit keys on an account a plugin manages.
#[test]
fn the_footer_offers_no_edit_keys_on_a_managed_account() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("extsvc");
    h.key(KeyCode::Enter);
    let footer = h.screen().lines().last().unwrap().to_string();
    for hint in ["e edit", "x disable", "t token", "d delete", "a role"] {
        assert!(!footer.contains(hint), "{hint} in {footer}");
    }
}

/// Bug 8: help stops at its last line; G and PgDn work there.
#[test]
fn help_scrolls_to_its_end_and_no_further() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('?'));
    h.key(KeyCode::Char('G'));
    let Some(Popup::Help { scroll: end, .. }) = h.state.popups.last() else { panic!("no help") };
    let end = *end;
    assert!(end > 0, "G moves to the end");
    let last_line = satui::tui::keymap::help_sections().last().unwrap().1.last().unwrap().1;
    assert!(h.screen().contains(last_line), "the last help line is on screen: {}", h.screen());
    for _ in 0..5 {
        h.key(KeyCode::Char('j'));
        h.key(KeyCode::PageDown);
    }
    assert!(
        matches!(h.state.popups.last(), Some(Popup::Help { scroll, .. }) if *scroll == end),
        "scrolled past the end"
    );
    h.key(KeyCode::Char('g'));
    assert!(matches!(h.state.popups.last(), Some(Popup::Help { scroll: 0, .. })));
}

/// Bug 9: a long label keeps a gap before its value.
#[test]
fn form_labels_never_run_into_their_values() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('e'));
    let screen = h.screen();
    let line = screen.lines().find(|l| l.contains("Token cap days")).expect("the cap field");
    let after = line.split("Token cap days").nth(1).unwrap();
    assert!(after.starts_with("  "), "no gap after the label: {line}");
}

/// Bug 10: store-wide events (the seed) appear in the org's audit view.
#[test]
fn events_without_an_org_appear_in_the_audit_view() {
    let mut h = Harness::empty();
    let options = SeedOptions { orgs: 1, accounts_per_org: 5, tokens_per_account: 1, seed: 1, force: false };
    h.service.seed(&options, &mut |_, _| {}).unwrap();
    h.key(KeyCode::Char('5'));
    assert!(h.state.shown.audit.total > 0, "{}", h.screen());
    assert!(h.state.shown.audit.rows.iter().any(|e| e.action == "seed"), "{}", h.screen());
    assert!(!h.screen().contains("No events match."));
}

/// Bug 11: the Orgs view says it is loading rather than "Orgs (0)".
#[test]
fn the_orgs_view_never_claims_zero_orgs_while_loading() {
    let mut h = Harness::demo();
    h.state.view = satui::tui::action::View::Orgs;
    h.state.org_summaries = Default::default();
    let screen = h.screen();
    assert!(!screen.contains("Orgs (0)") && screen.contains("Orgs (loading…)"), "{screen}");
}

/// Bug 12: the audit log is newest first by time.
#[test]
fn the_demos_audit_is_newest_first_by_time() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('5'));
    let times: Vec<i64> = h.state.shown.audit.rows.iter().map(|e| e.at).collect();
    assert!(times.len() > 10);
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

/// Bug 16: a wrapped permission line hangs under its own text.
#[test]
fn wrapped_permission_lines_hang_under_their_text() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("extsvc");
    h.key(KeyCode::Enter);
    let screen = h.screen_at(70, 40);
    let lines: Vec<&str> = screen.lines().collect();
    let start = lines.iter().position(|l| l.contains("permissions (")).expect("permissions heading");
    let mut continuation = 0;
    for line in &lines[start + 1..] {
        let Some(pane) = line.split("││").nth(1) else { continue };
        if pane.trim().is_empty() || pane.starts_with('─') {
            break;
        }
        assert!(pane.starts_with("  "), "a permission line runs back to column 0: {pane:?}\n{screen}");
        if pane.starts_with("    ") {
            continuation += 1;
        }
    }
    assert!(continuation > 0, "nothing wrapped at 70 columns:\n{screen}");
}

/// Audit rows show the actor and the target, not only time and action.
#[test]
fn audit_rows_show_actor_and_target() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('5'));
    let event = h.state.shown.audit.rows[0].clone();
    let screen = h.screen();
    let row = screen.lines().find(|l| l.contains('▸')).unwrap();
    assert!(row.contains(&event.actor), "{row}");
    assert!(row.contains(&event.target[..event.target.len().min(8)]), "{row}");
}

/// Deleting an account says how many of its tokens are live.
#[test]
fn the_delete_confirmation_counts_live_tokens() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci-dep");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('d'));
    let Some(Popup::Confirm { message, .. }) = h.state.popups.last() else { panic!("no confirmation") };
    assert!(message.contains("1 of them is live"), "{message}");
}

/// A role just created is selected.
#[test]
fn a_new_role_is_selected_after_creation() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('n'));
    h.chars("zz-auditor");
    h.key(KeyCode::Enter);
    assert_eq!(h.state.shown.roles.selected().unwrap().name, "zz-auditor", "{}", h.screen());
}

/// Without colour, a disabled form field says so in words.
#[test]
fn disabled_form_fields_say_off_without_colour() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('t'));
    let screen = h.screen();
    let line = screen.lines().find(|l| l.contains("Max age")).expect("max age field");
    assert!(line.contains("(off)"), "{line}");
}

/// A failed copy names the setting that copies through the terminal (checked where there is
/// no display, as in CI).
#[test]
fn a_failed_copy_mentions_osc52() {
    // Whatever this machine has: the clipboard as it is without a display.
    let mut clipboard =
        satui::clipboard::SecretClipboard::unavailable("no display: DISPLAY and WAYLAND_DISPLAY are not set", false, 0);
    let secret = satui::domain::token::TokenSecret::generate(&mut rand::rng());
    let message = clipboard.copy(&secret).unwrap_err();
    assert!(message.contains("osc52 = true"), "{message}");
}

/// Issue 24, bug 1: Ctrl-C over a token not yet copied asks first (the token would be lost and
/// must then be rotated); n goes back, a second Ctrl-C quits. Once copied, Ctrl-C quits at once.
#[test]
fn ctrl_c_over_an_uncopied_token_asks_before_quitting() {
    let mut h = Harness::empty();
    h.create("bot");
    h.issue_token("tok");
    assert!(h.revealed_secret().is_some());
    h.ctrl('c');
    assert!(!h.state.quit, "the first Ctrl-C only asks");
    assert!(h.screen().contains("Not copied. Quit anyway?"), "{}", h.screen());
    h.key(KeyCode::Char('n'));
    assert!(h.revealed_secret().is_some() && !h.state.quit, "n goes back to the token");
    h.ctrl('c');
    h.ctrl('c');
    assert!(h.state.quit, "a second Ctrl-C quits");
    assert!(h.revealed_secret().is_none(), "and the secret is dropped");

    let mut h = Harness::empty();
    h.create("bot");
    h.issue_token("tok");
    h.ctrl('c');
    h.key(KeyCode::Char('y'));
    assert!(h.state.quit, "y quits too");
}

/// Issue 24, bug 5: `d` on the last org refuses at once (no typed name first); the Orgs view
/// opens with the cursor on the org being shown.
#[test]
fn the_last_org_is_refused_at_once_and_the_orgs_view_opens_on_the_current_org() {
    let mut h = Harness::empty();
    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('d'));
    assert!(h.state.popups.is_empty(), "no form asks for a name it will refuse");
    assert!(h.screen().contains("is the last organization and cannot be deleted"), "{}", h.screen());

    let mut h = Harness::demo();
    h.key(KeyCode::Char('o'));
    while !matches!(h.state.popups.last(), Some(Popup::OrgPicker { selected }) if h.state.orgs.get(*selected).is_some_and(|o| o.name == "Staging"))
    {
        h.key(KeyCode::Char('j'));
    }
    h.key(KeyCode::Enter);
    assert_eq!(h.state.org.as_ref().map(|o| o.name.as_str()), Some("Staging"));
    h.key(KeyCode::Char('4'));
    assert_eq!(h.state.org_summaries.selected().map(|s| s.org.name.as_str()), Some("Staging"));
}

/// Issue 24, bug 4: a status goes with the next action: a new reveal does not show the last
/// one's "closed without copying".
#[test]
fn a_status_goes_with_the_next_action() {
    let mut h = Harness::empty();
    h.create("bot");
    h.issue_token("one");
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('y'));
    assert!(h.screen().contains("token closed without copying"), "{}", h.screen());
    h.issue_token("two");
    assert!(h.revealed_secret().is_some());
    assert!(!h.screen().contains("closed without copying"), "{}", h.screen());
}

/// Issue 24, bug 2: a paste is one edit whose line breaks and tabs become spaces, and input of
/// any length answers on Enter with its real length and the limit (the input is kept, nothing
/// is written).
#[test]
fn long_input_answers_on_enter_with_its_length_and_pastes_keep_their_words() {
    use satui::tui::action::Action;
    let mut h = Harness::empty();
    h.key(KeyCode::Char('n'));
    h.act(Action::Paste("multi\nline\tname\r\nend".to_string()));
    h.key(KeyCode::Enter);
    assert!(h.state.popups.is_empty(), "{}", h.screen());
    assert!(h.service.find_account(1, "multi line name end").is_ok());

    // Typed, as a terminal without bracketed paste delivers a paste.
    h.key(KeyCode::Char('n'));
    h.chars(&"x".repeat(2_500));
    h.key(KeyCode::Enter);
    assert_eq!(h.state.popups.len(), 1, "the form stays");
    assert!(h.screen().contains("name is 2500 characters; the limit is 190"), "{}", h.screen());
    // Pasted at once.
    h.ctrl('u');
    h.act(Action::Paste("y".repeat(5_000)));
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("name is 5000 characters"), "{}", h.screen());
    assert_eq!(h.service.account_page(1, "", 0, 10).unwrap().total, 1, "nothing written");
}

/// Issue 24, friction 9: forms that know the org. In a 90-day org the Lifetime choice offers
/// nothing past 90 days (no Never, no 365 days); the new-org form takes the cap.
#[test]
fn the_token_form_offers_only_lifetimes_within_the_cap_and_the_new_org_form_takes_one() {
    use satui::tui::form::Input;
    let mut h = Harness::empty();
    h.create("bot");
    // Another process caps the org; the UI learns it on the next tick.
    satui::service::Service::open(&h.db_path()).unwrap().set_org_cap(1, Some(90)).unwrap();
    h.tick();
    assert_eq!(h.state.org.as_ref().unwrap().max_token_lifetime_days, Some(90), "{:?}", h.state.org);
    h.key(KeyCode::Char('t'));
    let Some(Popup::Form(form)) = h.state.popups.last() else { panic!("no form: {}", h.screen()) };
    let lifetime = form.fields.iter().find(|f| f.label == "Lifetime").unwrap();
    let Input::Choice { options, index } = &lifetime.input else { panic!("not a choice") };
    assert_eq!(options, &["7 days", "30 days", "60 days", "90 days", "Custom"]);
    assert_eq!(options[*index], "30 days");
    assert!(h.screen().contains("caps token lifetime at 90 days"), "{}", h.screen());
    h.key(KeyCode::Esc);

    h.key(KeyCode::Char('4'));
    h.key(KeyCode::Char('n'));
    h.chars("Capped");
    h.key(KeyCode::Tab);
    h.chars("forty");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("whole number of days"), "{}", h.screen());
    h.ctrl('u');
    h.chars("45");
    h.key(KeyCode::Enter);
    assert_eq!(h.service.find_org("Capped").unwrap().max_token_lifetime_days, Some(45));
}

/// Issue 24, friction 11 (part): a key that does nothing says so in one line, never nothing.
#[test]
fn an_unbound_key_shows_a_one_line_hint() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('z'));
    assert!(h.screen().contains("z does nothing here: ? for help"), "{}", h.screen());
    h.key(KeyCode::Char('j'));
    assert!(!h.screen().contains("does nothing here"), "the hint goes with the next key");
}

/// Issue 24, inside: a save in the Orgs view asks for the org summaries once, not twice.
#[test]
fn a_save_in_the_orgs_view_loads_the_summaries_once() {
    use satui::tui::action::{Action, Outcome};
    use satui::tui::effect::{DbEffect, Effect, Read};
    let mut h = Harness::demo();
    h.key(KeyCode::Char('4'));
    let effects = satui::tui::update::update(&mut h.state, Action::Done(Outcome::Saved { message: "saved".into() }));
    let loads = effects.iter().filter(|e| matches!(e, Effect::Db(DbEffect::Read(Read::LoadOrgSummaries)))).count();
    assert_eq!(loads, 1);
    h.run(effects);
}

/// Issue 24, friction 15 (part): the footer shows only keys that apply: no row keys on an empty
/// list, no change keys on a built-in role.
#[test]
fn the_footer_shows_only_the_keys_that_apply() {
    let h = Harness::empty();
    let footer = h.state.footer_hints();
    assert!(
        footer.contains(&"n new".to_string())
            && !footer.contains(&"e edit".to_string())
            && !footer.contains(&"d delete".to_string()),
        "{footer:?}"
    );
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    assert!(
        h.state.footer_hints().contains(&"a grant".to_string()),
        "a custom role first: {:?}",
        h.state.footer_hints()
    );
    while h.state.shown.roles.selected().is_some_and(|r| r.name != "Viewer") {
        h.key(KeyCode::Char('j'));
    }
    let footer = h.state.footer_hints();
    assert!(
        !footer.contains(&"a grant".to_string())
            && !footer.contains(&"d delete".to_string())
            && !footer.contains(&"e edit".to_string()),
        "{footer:?}"
    );
    assert!(footer.contains(&"n new".to_string()), "{footer:?}");
}

/// Issue 24, friction 6: `?` opens at the keys of where it was pressed, then the global ones:
/// from view 6 the tokens view's keys are on the first screen.
#[test]
fn help_opens_at_the_current_contexts_keys() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('6'));
    h.key(KeyCode::Char('?'));
    let screen = h.screen();
    let first_title = screen.lines().find(|l| l.contains("Tokens (6)") || l.contains("Anywhere")).unwrap_or("");
    assert!(first_title.contains("Tokens (6)"), "the tokens view's keys come first:\n{screen}");
    assert!(screen.contains("quick filter") || screen.contains("f "), "{screen}");
    // From the accounts list, its own keys first.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('?'));
    let screen = h.screen();
    let first_title =
        screen.lines().find(|l| l.contains("Service accounts (1)") || l.contains("Anywhere")).unwrap_or("");
    assert!(first_title.contains("Service accounts (1)"), "{screen}");
}

/// Issue 24, friction 15 (part): long fixed-role names keep their distinctive end, so
/// `…inhibition-rules:reader` and `…:writer` stay apart at 120 columns.
#[test]
fn long_role_names_keep_their_end() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('3'));
    let screen = h.screen();
    assert!(screen.contains("-rules:reader") && screen.contains("-rules:writer"), "{screen}");
    assert_eq!(satui::tui::ui::fit_middle("fixed:alerting.inhibition-rules:reader", 20), "fixed:aler…es:reader");
    assert_eq!(satui::tui::ui::fit_middle("short", 8), "short   ");
}

/// Issue 24, friction 6: `/` in the help searches it: only rows whose keys or words hold the
/// text stay; Enter keeps the search, Esc clears it, and Esc again closes the help.
#[test]
fn slash_searches_the_help() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('?'));
    h.key(KeyCode::Char('/'));
    h.chars("rotate");
    let screen = h.screen();
    assert!(screen.contains("/rotate"), "{screen}");
    assert!(screen.contains("rotate the selected token"), "{screen}");
    assert!(!screen.contains("switch organization"), "other rows are gone: {screen}");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("rotate the selected token"), "Enter keeps the search");
    h.key(KeyCode::Char('j'));
    assert!(matches!(h.state.popups.last(), Some(Popup::Help { .. })), "keys scroll again");
    h.key(KeyCode::Char('/'));
    h.key(KeyCode::Esc);
    assert!(h.screen().contains("switch organization"), "Esc clears the search");
    assert!(matches!(h.state.popups.last(), Some(Popup::Help { .. })));
    h.key(KeyCode::Esc);
    assert!(h.state.popups.is_empty(), "and Esc again closes the help");
}

/// Issue 24, friction 8: `/` in the detail pane filters the account's permissions (by action,
/// scope or source), not the account list; Esc clears it.
#[test]
fn slash_in_the_detail_pane_filters_the_permissions() {
    let mut h = Harness::demo();
    let account = h.state.selected_account().unwrap().id;
    let total = h.state.shown.detail.as_ref().unwrap().grants.len();
    assert!(total > 3, "the first demo account holds several permissions");
    h.key(KeyCode::Char('l'));
    assert_eq!(h.state.focus, satui::tui::state::Focus::Detail);
    h.key(KeyCode::Char('/'));
    h.chars("folders");
    h.key(KeyCode::Enter);
    let matching = h
        .state
        .shown
        .detail
        .as_ref()
        .unwrap()
        .grants
        .iter()
        .filter(|g| format!("{} {} {}", g.action, g.scope, g.sources.join(" ")).to_lowercase().contains("folders"));
    let matching = matching.count();
    assert!(matching > 0 && matching < total, "{matching} of {total}");
    let screen = h.screen();
    assert!(screen.contains(&format!("permissions ({matching} of {total} matching 'folders')")), "{screen}");
    assert!(h.state.shown.list.filter.is_empty(), "the account list is not filtered");
    assert_eq!(h.state.selected_account().unwrap().id, account);
    h.key(KeyCode::Esc);
    assert!(h.screen().contains(&format!("permissions ({total})")), "{}", h.screen());
}

/// Issue 24, friction 15: the text cursor is the terminal's own cursor, placed where the next
/// character goes, never a glyph drawn into the text; hidden when nothing is being typed.
#[test]
fn the_text_cursor_is_the_terminals_own() {
    let mut h = Harness::demo();
    assert_eq!(h.cursor_at(120, 32), None, "nothing is typed in the panes");
    // The filter: after " / filter: " and the two letters typed.
    h.key(KeyCode::Char('/'));
    h.chars("ci");
    let screen = h.screen();
    let row = screen.lines().position(|l| l.starts_with(" / filter: ci")).expect(&screen) as u16;
    assert_eq!(h.cursor_at(120, 32), Some((13, row)));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    // A form: on the name field, before the last letter after a Left.
    h.key(KeyCode::Char('n'));
    h.chars("abc");
    h.key(KeyCode::Left);
    let screen = h.screen();
    assert!(!screen.contains('▏'), "{screen}");
    let (row, line) = screen.lines().enumerate().find(|(_, l)| l.contains("▸ Name")).expect(&screen);
    let column = line.find("abc").map(|byte| line[..byte].chars().count()).expect(line) as u16;
    assert_eq!(h.cursor_at(120, 32), Some((column + 2, row as u16)), "{screen}");
    h.key(KeyCode::Esc);
    assert_eq!(h.cursor_at(120, 32), None);
}
