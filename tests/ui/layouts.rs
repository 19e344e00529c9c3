//! Every view at 80×24 (the smallest common terminal) and 200×60 (a wide one): nothing the
//! user needs is cut, and the wide layout shows more.

use crossterm::event::KeyCode;
use insta::assert_snapshot;

use super::harness::{Harness, redact};

const VIEWS: [(char, &str); 6] =
    [('1', "accounts"), ('2', "groups"), ('3', "roles"), ('4', "orgs"), ('5', "audit"), ('6', "tokens")];

fn every_view_at(width: u16, height: u16) -> Vec<(&'static str, String)> {
    let mut h = Harness::demo();
    h.resize(width, height);
    VIEWS
        .iter()
        .map(|(key, name)| {
            h.key(KeyCode::Char(*key));
            (*name, redact(&h.screen_at(width, height)))
        })
        .collect()
}

#[test]
fn every_view_at_80_by_24_keeps_the_header_the_footer_and_whole_columns() {
    for (name, screen) in every_view_at(80, 24) {
        let lines: Vec<&str> = screen.lines().collect();
        assert!(lines[0].contains('▾'), "{name}: the org marker is cut\n{screen}");
        assert!(lines[0].contains("6 Tokens"), "{name}: a view tab is cut\n{screen}");
        assert!(lines.last().unwrap().contains("q quit"), "{name}: the footer lost q quit\n{screen}");
        insta::with_settings!({ snapshot_suffix => format!("80x24_{name}") }, {
            assert_snapshot!(screen);
        });
    }
}

#[test]
fn every_view_at_200_by_60_uses_the_room() {
    for (name, screen) in every_view_at(200, 60) {
        if name == "accounts" {
            // The wide list shows the login and the creation date; tokens take one line each.
            assert!(screen.contains("sa-1-ci-deployer"), "{screen}");
            let row = screen.lines().find(|l| l.contains("▸ alert-router")).unwrap();
            assert!(row.contains("sa-1-alert-router") && row.contains("2025-"), "{row}");
        }
        insta::with_settings!({ snapshot_suffix => format!("200x60_{name}") }, {
            assert_snapshot!(screen);
        });
    }
}

#[test]
fn the_tokens_pane_takes_one_line_per_token_when_wide() {
    let mut h = Harness::demo();
    h.key(KeyCode::Char('/'));
    h.chars("ci-dep");
    h.key(KeyCode::Enter);
    let wide = h.screen_at(200, 60);
    let row = wide.lines().find(|l| l.contains("deploy-main")).unwrap();
    assert!(row.contains("expires in") && row.contains("used"), "{row}");
    let narrow = h.screen_at(80, 24);
    let row = narrow.lines().find(|l| l.contains("deploy-main")).unwrap();
    assert!(!row.contains("expires in"), "two lines when narrow: {row}");
}
