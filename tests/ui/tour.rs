//! The guided tour: every step played with keys through the real update loop, each one moving
//! on only when its keys are pressed; Esc leaves it and T brings it back at the same step.

use crossterm::event::KeyCode;
use insta::assert_snapshot;
use satui::tui::state::Tour;
use satui::tui::tour::STEPS;

use super::harness::{Harness, redact};

fn step(h: &Harness) -> usize {
    h.state.tour.expect("the tour is on").step
}

/// The keys that complete each step, in order (what each step's text tells the user to press).
fn keys_for(index: usize, h: &mut Harness) {
    match index {
        0 => h.key(KeyCode::Char('j')),
        1 => {
            h.key(KeyCode::Char('t'));
            h.chars("tour-token");
            h.key(KeyCode::Enter);
        }
        2 => {
            h.key(KeyCode::Char('c'));
            h.key(KeyCode::Enter);
        }
        3 => {
            h.key(KeyCode::Char('t'));
            h.keys(&[KeyCode::Tab, KeyCode::Tab]);
            h.key(KeyCode::Char(' '));
        }
        4 => {
            h.key(KeyCode::Esc);
            h.keys(&[KeyCode::Tab, KeyCode::Tab]);
            h.key(KeyCode::Char('R'));
        }
        5 => {
            h.key(KeyCode::Right);
            h.key(KeyCode::Enter);
        }
        6 => {
            h.key(KeyCode::Char('c'));
            h.key(KeyCode::Enter);
            h.key(KeyCode::Char('3'));
        }
        7 => {
            h.key(KeyCode::Char('1'));
            h.key(KeyCode::Char('l'));
            // j until a permission from a group is in view.
            for _ in 0..60 {
                if step(h) != 7 {
                    break;
                }
                h.key(KeyCode::Char('j'));
            }
        }
        8 => h.key(KeyCode::Char('2')),
        9 => {
            h.key(KeyCode::Char('1'));
            h.key(KeyCode::Char('/'));
            h.chars("extsvc");
            h.key(KeyCode::Enter);
        }
        10 => h.key(KeyCode::Char('5')),
        11 => {
            h.key(KeyCode::Char('6'));
            h.key(KeyCode::Char('f'));
        }
        _ => {}
    }
}

#[test]
fn every_step_moves_on_when_its_keys_are_pressed_and_not_before() {
    let mut h = Harness::demo();
    h.clipboard_works = true;
    h.key(KeyCode::Char('T'));
    assert_eq!(step(&h), 0, "T starts the tour in the demo");
    for (index, current) in STEPS.iter().enumerate().take(STEPS.len() - 1) {
        assert_eq!(step(&h), index);
        let screen = h.screen();
        assert!(screen.contains(current.title), "step {index} is not on screen:\n{screen}");
        // A key that is not the step's leaves it where it is.
        h.key(KeyCode::Char('r'));
        assert_eq!(step(&h), index, "r completed step {index}");
        keys_for(index, &mut h);
        assert_eq!(step(&h), index + 1, "step {index} ({}) did not move on:\n{}", current.title, h.screen());
    }
    assert!(h.screen().contains("That's the tour"), "{}", h.screen());
    // The last step waits for Esc, which closes the tour.
    h.key(KeyCode::Esc);
    assert!(h.state.tour.unwrap().hidden);
    assert!(!h.screen().contains("That's the tour"));
}

#[test]
fn esc_leaves_the_tour_and_t_resumes_it_at_the_same_step() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('T'));
    h.key(KeyCode::Char('j'));
    assert_eq!(step(&h), 1);
    h.key(KeyCode::Esc);
    assert_eq!(h.state.tour, Some(Tour { step: 1, hidden: true }));
    assert!(!h.screen().contains("Tour 2/"));
    // While hidden, doing a step's action does not move it.
    h.key(KeyCode::Char('t'));
    h.chars("x");
    h.key(KeyCode::Enter);
    assert_eq!(step(&h), 1);
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('y'));
    h.key(KeyCode::Char('T'));
    assert_eq!(h.state.tour, Some(Tour { step: 1, hidden: false }));
    assert!(h.screen().contains("Tour 2/"), "{}", h.screen());
}

#[test]
fn the_tour_panel_sits_away_from_the_pane_it_talks_about() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('T'));
    let screen = redact(&h.screen());
    assert_snapshot!("tour_first_step", screen);
    // Step 1 talks about the list (left): the panel is on the right half.
    let line = screen.lines().find(|l| l.contains("Tour 1/")).unwrap();
    assert!(line.find("Tour 1/").unwrap() > 60, "{line}");
    h.key(KeyCode::Char('j'));
    // Step 2 talks about the tokens pane (right): the panel moves to the left.
    let screen = h.screen();
    let line = screen.lines().find(|l| l.contains("Tour 2/")).unwrap();
    assert!(line.find("Tour 2/").unwrap() < 20, "{line}");
}

#[test]
fn outside_the_demo_t_only_says_where_the_tour_is() {
    let mut h = Harness::empty();
    h.key(KeyCode::Char('T'));
    assert!(h.state.tour.is_none());
    assert!(h.screen().contains("satui demo --tour"), "{}", h.screen());
}

#[test]
fn esc_in_an_empty_filter_leaves_the_filter_not_the_tour() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('T'));
    h.key(KeyCode::Char('/'));
    h.key(KeyCode::Esc);
    assert!(!h.state.filtering);
    assert_eq!(h.state.tour, Some(Tour { step: 0, hidden: false }), "one Esc, one level");
}

/// `[` goes back a step, `]` skips one, `{` starts over; a step moved by hand stays until the
/// next action, even when its condition already holds (then that action moves it on).
#[test]
fn brackets_move_through_the_tour_by_hand() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('T'));
    h.key(KeyCode::Char('j'));
    assert_eq!(step(&h), 1);
    h.key(KeyCode::Char('['));
    assert_eq!(step(&h), 0, "back to step 1, although the cursor has already moved");
    assert!(h.screen().contains("Tour 1/"), "{}", h.screen());
    h.key(KeyCode::Char(']'));
    h.key(KeyCode::Char(']'));
    assert_eq!(step(&h), 2);
    h.key(KeyCode::Char('{'));
    assert_eq!(step(&h), 0);
    // The next action sees step 1 done (the cursor is off the first account) and moves on.
    h.key(KeyCode::Char('k'));
    h.key(KeyCode::Char('j'));
    assert_eq!(step(&h), 1);
    // While the tour is hidden the brackets are not the tour's.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('['));
    assert_eq!(h.state.tour, Some(Tour { step: 1, hidden: true }));
}

/// Saving the Extended form at step 4 (the tour does not ask for it) leaves a token window open:
/// step 5 then says how to close it instead of "Esc", which would have closed the tour.
#[test]
fn a_step_says_how_to_leave_the_window_the_user_is_in() {
    let mut h = Harness::demo();
    h.clipboard_works = true;
    h.key(KeyCode::Char('T'));
    for index in 0..3 {
        keys_for(index, &mut h);
    }
    // Step 4 as a user who names the token: then saving it is one Enter away.
    h.key(KeyCode::Char('t'));
    h.chars("extended-one");
    h.keys(&[KeyCode::Tab, KeyCode::Tab]);
    h.key(KeyCode::Char(' '));
    assert_eq!(step(&h), 4, "{}", h.screen());
    let screen = h.screen();
    assert!(screen.contains("Esc closes the form"), "{screen}");
    // Save it anyway: the new token is revealed, not copied.
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("Enter closes the token"), "{screen}");
    h.key(KeyCode::Enter);
    assert!(h.screen().contains("y closes the token"), "{}", h.screen());
    h.key(KeyCode::Char('y'));
    let screen = h.screen();
    assert!(screen.contains("Tab Tab to the tokens, then R") && !screen.contains("Esc,"), "{screen}");
    h.keys(&[KeyCode::Tab, KeyCode::Tab]);
    assert!(h.screen().contains("▶ R"), "in the tokens pane the step asks only for R:\n{}", h.screen());
    h.key(KeyCode::Char('R'));
    assert_eq!(step(&h), 5);
    assert!(!h.state.tour.unwrap().hidden);
}

/// At 80×24 the panes stack; the panel never covers the pane its step talks about.
#[test]
fn at_80_by_24_the_panel_leaves_the_tokens_it_talks_about_in_view() {
    let mut h = Harness::demo();
    h.resize(80, 24);
    h.clipboard_works = true;
    h.key(KeyCode::Char('T'));
    for index in 0..4 {
        keys_for(index, &mut h);
    }
    h.key(KeyCode::Esc);
    assert_eq!(step(&h), 4);
    let screen = h.screen_at(80, 24);
    assert!(screen.contains("Tour 5/"), "{screen}");
    assert!(screen.contains("tour-token"), "the token of step 2 is hidden:\n{screen}");
}

/// Step 8 talks about permissions that come from a group: focusing the detail is not enough, the
/// step waits until such a line is on screen.
#[test]
fn the_permissions_step_waits_for_a_line_from_a_group() {
    let mut h = Harness::demo();
    h.resize(80, 24);
    h.key(KeyCode::Char('T'));
    h.key(KeyCode::Char('j'));
    for _ in 1..7 {
        h.key(KeyCode::Char(']'));
    }
    assert_eq!(step(&h), 7);
    h.key(KeyCode::Char('1'));
    h.key(KeyCode::Char('l'));
    let mut presses = 0;
    while step(&h) == 7 && presses < 200 {
        let screen = h.screen_at(80, 24);
        assert!(!screen.lines().any(from_a_group), "a group line is in view:\n{screen}");
        h.key(KeyCode::Char('j'));
        presses += 1;
    }
    assert_eq!(step(&h), 8, "{}", h.screen_at(80, 24));
    assert!(presses > 0, "the group line was in view at once; the test needs a smaller screen");
    h.key(KeyCode::Char('['));
    let screen = h.screen_at(80, 24);
    assert!(screen.lines().any(from_a_group), "{screen}");
}

/// The last line of a permission that ci-deployer holds through a group: its source ends in the
/// group's role (`← basic role Editor, group deployers → role dashboard-publisher`), so scrolling down,
/// this line on screen means the whole permission is.
fn from_a_group(line: &str) -> bool {
    line.contains("dashboard-publisher") || line.contains("datasources:explorer")
}
