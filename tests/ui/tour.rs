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
