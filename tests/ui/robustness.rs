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
    assert!(h.screen().contains("the limit is 190"), "{}", h.screen());
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
    assert!(screen.contains("evil�[2J"), "{screen}");
}

#[test]
fn wide_and_emoji_names_keep_the_layout() {
    let mut h = Harness::empty();
    for name in ["界界界界界界界界界界界界界界界界界界界界界界界界界界界界界界", "🚀🚀🚀 rocket", "نام‌کاربری"]
    {
        h.service.create_account(1, &satui::service::NewAccount { name: name.into(), ..Default::default() }).unwrap();
    }
    h.act(Action::Key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE)));
    let screen = h.screen();
    let widths: Vec<usize> = screen.lines().map(unicode_width).collect();
    assert!(widths.iter().all(|w| *w <= 120), "a line overflowed: {widths:?}");
    assert!(screen.contains("🚀🚀🚀 rocket"));
}

fn unicode_width(line: &str) -> usize {
    ratatui::text::Span::raw(line).width()
}
