//! Drives the real UI state machine against a real temporary store, without a terminal: keys go
//! through the keymap and `update`, database effects run through the same `execute` the worker
//! uses, and screens are rendered with ratatui's TestBackend.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use satui::clock::{Clock, ManualClock};
use satui::service::Service;
use satui::tui::action::{Action, Outcome};
use satui::tui::effect::{self, Effect};
use satui::tui::state::{Options, Popup, State};
use satui::tui::{ui, update};

/// 2026-11-23 12:00:00 UTC.
pub const NOW: i64 = 1_795_435_200;

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub service: Service,
    pub clock: Arc<ManualClock>,
    pub state: State,
    data_version: Option<i64>,
    /// What the clipboard answers to a copy (tests have no display).
    pub clipboard_works: bool,
}

impl Harness {
    pub fn empty() -> Harness {
        Harness::build(false)
    }

    /// A store seeded with assets/demo.json as of NOW.
    pub fn demo() -> Harness {
        Harness::build(true)
    }

    fn build(demo: bool) -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ui.db");
        if demo {
            satui::demo::build_store(&path, NOW).expect("demo seed");
        }
        let clock = Arc::new(ManualClock::new(NOW));
        let mut service = Service::open_with_clock(&path, clock.clone()).expect("open store");
        service.set_actor("tester");
        let state = State::new(NOW, Options { monochrome: true, demo, initial_org: None });
        let mut harness = Harness { dir, service, clock, state, data_version: None, clipboard_works: false };
        harness.resize(120, 32);
        let effects = update::start(&mut harness.state);
        harness.run(effects);
        harness
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("ui.db")
    }

    /// Runs effects until nothing is left, feeding outcomes back, as the app loop does.
    pub fn run(&mut self, mut effects: Vec<Effect>) {
        while !effects.is_empty() {
            let mut next = Vec::new();
            for effect in effects {
                let outcome = match effect {
                    Effect::Db(db) => effect::execute(&mut self.service, db, &mut self.data_version),
                    Effect::Copy(_secret) => Some(Outcome::Copied(if self.clipboard_works {
                        Ok("copied to the clipboard".to_string())
                    } else {
                        Err("not copied: no display".to_string())
                    })),
                };
                if let Some(outcome) = outcome {
                    next.extend(update::update(&mut self.state, Action::Done(outcome)));
                }
            }
            effects = next;
        }
    }

    pub fn act(&mut self, action: Action) {
        let effects = update::update(&mut self.state, action);
        self.run(effects);
    }

    pub fn key(&mut self, code: KeyCode) {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            KeyCode::BackTab => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        self.act(Action::Key(KeyEvent::new(code, modifiers)));
    }

    pub fn ctrl(&mut self, c: char) {
        self.act(Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    }

    pub fn chars(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// `n`, a name, Enter: creates whatever the current view creates (account, group, org...).
    pub fn create(&mut self, name: &str) {
        self.key(KeyCode::Char('n'));
        self.chars(name);
        self.key(KeyCode::Enter);
    }

    pub fn keys(&mut self, codes: &[KeyCode]) {
        for code in codes {
            self.key(*code);
        }
    }

    pub fn tick(&mut self) {
        self.act(Action::Tick(self.clock.now()));
    }

    pub fn resize(&mut self, width: u16, height: u16) {
        self.act(Action::Resize { width, height });
    }

    /// The screen as text, one line per row, at the given size.
    pub fn screen_at(&self, width: u16, height: u16) -> String {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal.draw(|frame| ui::draw(&self.state, frame)).expect("draw");
        let buffer = terminal.backend().buffer().clone();
        let mut lines = Vec::new();
        for y in 0..buffer.area.height {
            let mut line = String::new();
            let mut skip = 0;
            for x in 0..buffer.area.width {
                // A wide character fills two cells; the second holds a placeholder to skip.
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buffer[(x, y)].symbol();
                skip = ratatui::text::Span::raw(symbol).width().saturating_sub(1);
                line.push_str(symbol);
            }
            lines.push(line.trim_end().to_string());
        }
        lines.join("\n")
    }

    pub fn screen(&self) -> String {
        self.screen_at(120, 32)
    }

    /// The secret in the reveal modal, if one is open.
    pub fn revealed_secret(&self) -> Option<String> {
        match self.state.popups.last() {
            Some(Popup::Reveal(reveal)) => Some(reveal.secret.expose().to_string()),
            _ => None,
        }
    }
}

/// Token hints and secrets are random: replace them so snapshots are stable.
pub fn redact(screen: &str) -> String {
    let mut out = String::with_capacity(screen.len());
    let mut rest = screen;
    while let Some(i) = rest.find("sat_") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 4..];
        if let Some(hint) = after.strip_prefix('…') {
            out.push_str("sat_…####");
            rest = hint.char_indices().nth(4).map_or("", |(j, _)| &hint[j..]);
        } else {
            let len = after.chars().take_while(|c| c.is_ascii_alphanumeric()).count();
            out.push_str("sat_<secret>");
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    out
}
