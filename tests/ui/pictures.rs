//! The pictures in docs/pictures/*.svg: the demo store drawn through the real render path
//! (`ui::draw` into a TestBackend, in colour), turned into SVG. The test regenerates them in
//! memory and fails when a checked-in file differs; `scripts/pictures.sh` (that is,
//! `SATUI_UPDATE_DOCS=1 cargo test --test ui pictures`) rewrites them. No display is needed.
//!
//! Token hints in the demo are random, so each distinct hint is replaced by a fixed stand-in, and
//! the secret in the reveal modal by [`FAKE_SECRET`], which is not a token (it has dashes, so no
//! scanner or `token verify` takes it for one).

use std::collections::HashMap;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;

use super::golden;
use super::harness::Harness;
use super::svg::buffer_to_svg;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 32;

/// What the reveal modal shows instead of the secret: as wide as a token (42 characters).
pub const FAKE_SECRET: &str = "sat_EXAMPLE-not-a-real-token-redacted-here";

/// Stand-ins for the random 4-character hints, in order of first appearance on a screen.
const FAKE_HINTS: [&str; 12] =
    ["x7Qz", "91Ab", "k2Fe", "T8mw", "pQ4c", "Zr6y", "3hNs", "Lw5d", "b9Vu", "Ge1t", "m4Kx", "R0pj"];

/// Replaces token hints (`sat_…` + 4) and whole tokens (`sat_` + 38) cell by cell, keeping the
/// styles of the cells.
fn redact(buffer: &mut Buffer) {
    let mut hints: HashMap<String, &str> = HashMap::new();
    for y in 0..buffer.area.height {
        let width = buffer.area.width;
        let symbols: Vec<String> = (0..width).map(|x| buffer[(x, y)].symbol().to_string()).collect();
        let mut x = 0usize;
        while x + 4 <= symbols.len() {
            if symbols[x..x + 4].concat() != "sat_" {
                x += 1;
                continue;
            }
            let rest = &symbols[x + 4..];
            if rest.first().map(String::as_str) == Some("…") && rest.len() >= 5 {
                let hint: String = rest[1..5].concat();
                let count = hints.len();
                let fake = *hints.entry(hint).or_insert(FAKE_HINTS[count % FAKE_HINTS.len()]);
                for (i, c) in fake.chars().enumerate() {
                    buffer[((x + 5 + i) as u16, y)].set_symbol(&c.to_string());
                }
                x += 9;
                continue;
            }
            let secret =
                rest.iter().take_while(|s| s.len() == 1 && s.chars().all(|c| c.is_ascii_alphanumeric())).count();
            assert!(secret == 0 || secret == 38, "a cut token at row {y}: {secret} characters");
            if secret == 38 {
                for (i, c) in FAKE_SECRET.chars().enumerate() {
                    buffer[((x + i) as u16, y)].set_symbol(&c.to_string());
                }
            }
            x += 4 + secret;
        }
    }
}

/// The screens: file name, accessible title, how to get there from the demo.
fn screens() -> Vec<(&'static str, &'static str, Harness)> {
    let mut out = Vec::new();

    // View 1 with ci-deployer selected: its details and its tokens in every state.
    let mut h = Harness::demo_in_colour();
    h.key(KeyCode::Char('j'));
    out.push(("accounts", "satui: service accounts, the selected account's details and tokens", h));

    // A new token in the reveal modal, the only place a secret is shown.
    let mut h = Harness::demo_in_colour();
    h.key(KeyCode::Char('j'));
    h.key(KeyCode::Char('t'));
    h.chars("deploy-staging");
    h.key(KeyCode::Enter);
    assert!(h.revealed_secret().is_some(), "the reveal modal is not open");
    out.push(("token-reveal", "satui: a new token shown once in the reveal modal (secret redacted)", h));

    // Effective permissions in the detail pane, each with where it comes from (alert-router:
    // basic role Editor, and group on-call → role fixed:alerting:reader); focus on the pane.
    let mut h = Harness::demo_in_colour();
    h.key(KeyCode::Tab);
    out.push(("permissions", "satui: an account's effective permissions and their sources", h));

    // View 2: groups, the selected group's members and roles.
    let mut h = Harness::demo_in_colour();
    h.key(KeyCode::Char('2'));
    out.push(("groups", "satui: the groups view", h));

    // View 3: roles (custom and managed first), a custom role's permissions and holders.
    let mut h = Harness::demo_in_colour();
    h.key(KeyCode::Char('3'));
    h.key(KeyCode::Char('j'));
    out.push(("roles", "satui: the roles view", h));

    // View 6: every token of the org, soonest expiry first.
    let mut h = Harness::demo_in_colour();
    h.key(KeyCode::Char('6'));
    out.push(("tokens", "satui: the tokens view, every token of the org", h));

    // The guided tour (satui demo --tour), at its step about tokens.
    let mut h = Harness::demo_in_colour();
    h.key(KeyCode::Char('T'));
    h.key(KeyCode::Char('j'));
    out.push(("tour", "satui: the guided tour of the demo", h));
    out
}

/// Every picture as (path, SVG text).
pub fn pictures() -> Vec<(String, String)> {
    screens()
        .into_iter()
        .map(|(name, title, h)| {
            let mut buffer = h.buffer_at(WIDTH, HEIGHT);
            redact(&mut buffer);
            (format!("docs/pictures/{name}.svg"), buffer_to_svg(&buffer, title))
        })
        .collect()
}

#[test]
fn docs_pictures_are_current() {
    let differences = pictures().iter().map(|(path, svg)| golden::check(path, svg)).collect();
    golden::assert_current(differences, "pictures");
}

#[test]
fn pictures_are_deterministic_and_hold_no_token() {
    let (first, second) = (pictures(), pictures());
    assert_eq!(first, second, "two renders differ");
    for (path, svg) in &first {
        // Nothing shaped like a token: `sat_` followed by 38 base62 characters.
        let mut rest = svg.as_str();
        while let Some(i) = rest.find("sat_") {
            let tail = &rest[i + 4..];
            let run = tail.chars().take_while(char::is_ascii_alphanumeric).count();
            assert!(run < 38, "{path} holds something shaped like a token");
            rest = tail;
        }
    }
    let reveal = &first.iter().find(|(p, _)| p.ends_with("token-reveal.svg")).expect("the reveal picture").1;
    assert!(reveal.contains(FAKE_SECRET), "the reveal picture does not show the fake secret");
}

#[test]
fn the_fake_secret_is_not_a_token() {
    assert_eq!(FAKE_SECRET.chars().count(), 42);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut service = satui::service::Service::open(&dir.path().join("fake.db")).expect("open");
    assert!(service.verify_token(FAKE_SECRET).is_err());
}
