//! No key sequence, paste or terminal size panics the UI.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use satui::tui::action::Action;

use super::harness::Harness;

fn key_strategy() -> impl Strategy<Value = KeyEvent> {
    let codes = prop_oneof![
        prop::sample::select(vec![
            'n', 'e', 'x', 't', 'R', 'v', 'd', '/', 'o', 'j', 'k', 'g', 'G', 'r', '?', 'y', 'c', ' ', 'a', '1', '2',
            '5', 'é', '界'
        ])
        .prop_map(KeyCode::Char),
        prop::sample::select(vec![
            KeyCode::Enter,
            KeyCode::Esc,
            KeyCode::Tab,
            KeyCode::BackTab,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageUp,
            KeyCode::PageDown,
            KeyCode::Backspace,
            KeyCode::Delete,
            KeyCode::F(5),
            KeyCode::Insert,
        ]),
    ];
    codes.prop_map(|code| {
        let modifiers = matches!(code, KeyCode::Char(c) if c.is_ascii_uppercase())
            .then_some(KeyModifiers::SHIFT)
            .unwrap_or(KeyModifiers::NONE);
        KeyEvent::new(code, modifiers)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn random_keys_at_random_sizes_never_panic(
        keys in prop::collection::vec(key_strategy(), 1..60),
        width in 1u16..140,
        height in 1u16..45,
    ) {
        let mut h = Harness::demo();
        h.resize(width, height);
        for key in keys {
            h.act(Action::Key(key));
            if h.state.quit {
                break;
            }
            let _ = h.screen_at(width, height);
        }
    }
}

#[test]
fn a_huge_paste_into_a_form_is_cut_and_still_renders() {
    let mut h = Harness::empty();
    h.act(Action::Key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE)));
    h.act(Action::Paste("x".repeat(1_000_000)));
    let screen = h.screen();
    assert!(screen.contains("New service account"));
    h.act(Action::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    assert!(h.screen().contains("name is 1000000 characters; the limit is 190"), "{}", h.screen());
}

#[test]
fn hostile_names_in_the_store_render_without_escapes() {
    let mut h = Harness::empty();
    // Written straight into the file, as a foreign tool could: the UI must not pass it through.
    let conn = rusqlite::Connection::open(h.db_path()).unwrap();
    conn.execute(
        "INSERT INTO service_accounts (org_id, name, name_key, login, role, created_at, updated_at)
         VALUES (1, ?1, 'evil', 'sa-1-evil', 'Viewer', 0, 0)",
        ["evil\u{1b}[2J\u{1b}]52;c;AAAA\u{7}name"],
    )
    .unwrap();
    h.act(Action::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)));
    let screen = h.screen();
    assert!(!screen.contains('\u{1b}'), "escape reached the screen");
    assert!(screen.contains("evil\\e[2J\\e]52;c;AAAA\\u{7}name"), "shown as escapes: {screen}");
}

#[test]
fn wide_and_emoji_names_keep_the_layout() {
    let mut h = Harness::empty();
    let names = [
        "界界界界界界界界界界界界界界界界界界界界界界界界界界界界界界",
        "🚀🚀🚀 rocket",
        "نام‌کاربری",
        "👨\u{200d}👩\u{200d}👧 family",
        "Z\u{301}\u{334}\u{322}\u{31b}\u{32a}algo",
        "e\u{301}cole",
        "❤\u{fe0f} love",
    ];
    for name in names {
        h.service.create_account(1, &satui::service::NewAccount { name: name.into(), ..Default::default() }).unwrap();
    }
    // Token names may hold the same text; the tokens pane pads them into a column.
    let first = h.service.find_account(1, names[3]).unwrap();
    for token in ["👨\u{200d}👩\u{200d}👧 deploy", "e\u{301}cole", "界界 ci"] {
        let expiry = satui::domain::expiry::ExpiryRequest {
            lifetime: satui::domain::expiry::Lifetime::Days(30),
            extended_max_age_days: None,
        };
        h.service.create_token(first.id, &satui::service::NewToken { name: token.into(), expiry }).unwrap();
    }
    h.act(Action::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)));
    while h.state.selected_account().is_some_and(|a| a.id != first.id) {
        h.act(Action::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)));
    }
    let screen = h.screen();
    let widths: Vec<usize> = screen.lines().map(unicode_width).collect();
    assert!(widths.iter().all(|w| *w <= 120), "a line overflowed: {widths:?}");
    assert!(screen.contains("🚀🚀🚀 rocket"));
    // Every bordered row ends exactly at the right edge: no grapheme was measured wrong.
    for line in screen.lines().filter(|l| l.ends_with('│') || l.ends_with('┐') || l.ends_with('┘')) {
        assert_eq!(unicode_width(line), 120, "border moved: {line:?}");
    }
    for name in ["👨\u{200d}👩\u{200d}👧 family", "e\u{301}cole"] {
        assert!(screen.contains(name), "{name:?} drawn whole:\n{screen}");
    }
    // The tokens pane pads names by their drawn width, so the hints line up in one column.
    let hint_columns: Vec<usize> =
        screen.lines().filter_map(|l| l.find("sat_…").map(|i| unicode_width(&l[..i]))).collect();
    assert_eq!(hint_columns.len(), 3, "{screen}");
    assert!(hint_columns.windows(2).all(|w| w[0] == w[1]), "hints not aligned {hint_columns:?}:\n{screen}");
}

fn unicode_width(line: &str) -> usize {
    ratatui::text::Span::raw(line).width()
}

/// An audit time no calendar can show (a hand-edited store) is drawn as "?" at any width.
#[test]
fn an_impossible_audit_time_renders_at_every_width() {
    let mut h = super::harness::Harness::demo();
    let conn = rusqlite::Connection::open(h.db_path()).unwrap();
    conn.execute(
        "INSERT INTO audit_events (at, org_id, actor, action, target, details) VALUES (?1, 1, 'x', 'y', 'z', '')",
        [i64::MAX],
    )
    .unwrap();
    h.key(crossterm::event::KeyCode::Char('5'));
    for (width, height) in [(60, 15), (80, 24), (120, 32), (200, 60)] {
        let screen = h.screen_at(width, height);
        assert!(screen.contains("Audit"), "{screen}");
    }
}
