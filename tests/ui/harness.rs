//! Drives the real UI state machine against a real temporary store, without a terminal: keys go
//! through the keymap and `update`, database effects run through the same `execute` the worker
//! uses, and screens are rendered with ratatui's TestBackend. The benches (benches/ui.rs) use
//! this same harness.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

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
    /// The temporary directory of a store made for this harness (None for a store opened by
    /// path, as the benches do).
    _dir: Option<tempfile::TempDir>,
    path: PathBuf,
    pub service: Service,
    pub clock: Arc<ManualClock>,
    pub state: State,
    data_version: Option<i64>,
    /// What the clipboard answers to a copy (tests have no display).
    pub clipboard_works: bool,
    /// Draw a frame after every round of results, as the app does (the benches time it).
    pub terminal: Option<Terminal<TestBackend>>,
}

/// Where the time of an action went: the UI thread (`update` and drawing) and the database
/// worker (the effects).
#[derive(Clone, Copy, Debug, Default)]
pub struct Timing {
    pub ui_thread: Duration,
    pub db: Duration,
}

/// The demo store as of NOW, built once per test binary.
fn demo_template() -> &'static Path {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_dir, path) = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("demo.db");
        // The service is closed when build_store returns, so the file holds everything (no WAL).
        satui::demo::build_store(&path, NOW).expect("demo seed");
        (dir, path)
    });
    path
}

impl Harness {
    pub fn empty() -> Harness {
        Harness::build(false)
    }

    /// A store seeded with assets/demo.json as of NOW.
    pub fn demo() -> Harness {
        Harness::build(true)
    }

    /// The demo store drawn in colour (the theme a terminal without NO_COLOR gets), for the
    /// pictures in docs/pictures.
    pub fn demo_in_colour() -> Harness {
        Harness::build_with(true, false)
    }

    fn build(demo: bool) -> Harness {
        Harness::build_with(demo, true)
    }

    fn build_with(demo: bool, monochrome: bool) -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ui.db");
        if demo {
            // Seeding plays the whole demo through the service; do it once per test binary and
            // give every test its own copy of the file.
            std::fs::copy(demo_template(), &path).expect("copy the demo store");
        }
        let options = Options { monochrome, demo, initial_org: None, tour: false, ..Default::default() };
        Harness::start(Some(dir), path, options, 120, 32, None)
    }

    /// Opens an existing store (the benches' seeded one) at a terminal size, drawing every frame
    /// into a TestBackend as the app would.
    pub fn open(path: &Path, options: Options, width: u16, height: u16) -> Harness {
        let terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        Harness::start(None, path.to_path_buf(), options, width, height, Some(terminal))
    }

    fn start(
        dir: Option<tempfile::TempDir>,
        path: PathBuf,
        options: Options,
        width: u16,
        height: u16,
        terminal: Option<Terminal<TestBackend>>,
    ) -> Harness {
        let clock = Arc::new(ManualClock::new(NOW));
        let mut service = Service::open_with_clock(&path, clock.clone()).expect("open store");
        service.set_actor("tester");
        let state = State::new(NOW, options);
        let mut harness =
            Harness { _dir: dir, path, service, clock, state, data_version: None, clipboard_works: false, terminal };
        harness.resize(width, height);
        let effects = update::start(&mut harness.state);
        harness.run(effects);
        harness.draw();
        harness
    }

    pub fn db_path(&self) -> PathBuf {
        self.path.clone()
    }

    /// Draws a frame, as the app does after every action, and keeps what it drew where (the
    /// mouse reads it): into the harness's terminal when it keeps one, else at the size of the
    /// last resize.
    pub fn draw(&mut self) {
        let state = &self.state;
        let mut drawn = None;
        match self.terminal.as_mut() {
            Some(terminal) => terminal.draw(|frame| drawn = Some(ui::draw(state, frame))).expect("draw"),
            None => Terminal::new(TestBackend::new(state.screen_width, state.screen_height))
                .expect("test terminal")
                .draw(|frame| drawn = Some(ui::draw(state, frame)))
                .expect("draw"),
        };
        self.state.drawn = drawn.expect("a frame");
    }

    /// Runs effects until nothing is left, feeding outcomes back, as the app loop does.
    pub fn run(&mut self, effects: Vec<Effect>) {
        self.run_timed(effects, &mut Timing::default());
    }

    /// Like [`Harness::run`], adding where the time went to `timing`, one frame per round of
    /// results (the app redraws after each batch it receives).
    pub fn run_timed(&mut self, mut effects: Vec<Effect>, timing: &mut Timing) {
        while !effects.is_empty() {
            let started = Instant::now();
            let mut outcomes = Vec::new();
            for effect in effects {
                let outcome = match effect {
                    Effect::Db(db) => effect::execute(&mut self.service, db, &mut self.data_version),
                    Effect::Copy(_secret) => Some(Outcome::Copied(if self.clipboard_works {
                        Ok("copied to the clipboard".to_string())
                    } else {
                        Err("not copied: no display".to_string())
                    })),
                };
                outcomes.extend(outcome);
            }
            timing.db += started.elapsed();
            let started = Instant::now();
            effects = Vec::new();
            for outcome in outcomes {
                effects.extend(update::update(&mut self.state, Action::Done(outcome)));
            }
            self.draw();
            timing.ui_thread += started.elapsed();
        }
    }

    pub fn act(&mut self, action: Action) {
        let effects = update::update(&mut self.state, action);
        self.draw();
        self.run(effects);
    }

    pub fn key(&mut self, code: KeyCode) {
        self.press(code);
    }

    /// One key press: `update`, a frame, then the database work it asked for and the frames of
    /// its results; says where the time went.
    pub fn press(&mut self, code: KeyCode) -> Timing {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            KeyCode::BackTab => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        let mut timing = Timing::default();
        let started = Instant::now();
        let effects = update::update(&mut self.state, Action::Key(KeyEvent::new(code, modifiers)));
        self.draw();
        timing.ui_thread += started.elapsed();
        self.run_timed(effects, &mut timing);
        timing
    }

    pub fn ctrl(&mut self, c: char) {
        self.act(Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)));
    }

    pub fn chars(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// `n` accounts named `acct-000`, `acct-001`, … in Main Org., made through the service, then
    /// `r` so the screen shows them.
    pub fn add_accounts(&mut self, n: usize) {
        for i in 0..n {
            let new = satui::service::NewAccount { name: format!("acct-{i:03}"), ..Default::default() };
            self.service.create_account(1, &new).expect("create an account");
        }
        self.key(KeyCode::Char('r'));
    }

    /// `n`, a name, Enter: creates whatever the current view creates (account, group, org...).
    pub fn create(&mut self, name: &str) {
        self.key(KeyCode::Char('n'));
        self.chars(name);
        self.key(KeyCode::Enter);
    }

    /// Issues a token named `name` for the selected account through its form (`t`, the name,
    /// `Enter`), leaving the reveal open.
    pub fn issue_token(&mut self, name: &str) {
        self.key(KeyCode::Char('t'));
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

    /// The screen as ratatui draws it (symbols, colours, modifiers) at the given size.
    pub fn buffer_at(&self, width: u16, height: u16) -> ratatui::buffer::Buffer {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal
            .draw(|frame| {
                ui::draw(&self.state, frame);
            })
            .expect("draw");
        terminal.backend().buffer().clone()
    }

    /// Where the terminal's own cursor is after a frame at the given size: None when hidden
    /// (nothing is being typed).
    pub fn cursor_at(&self, width: u16, height: u16) -> Option<(u16, u16)> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal
            .draw(|frame| {
                ui::draw(&self.state, frame);
            })
            .expect("draw");
        let backend = terminal.backend();
        backend.cursor_visible().then(|| (backend.cursor_position().x, backend.cursor_position().y))
    }

    /// The screen as text, one line per row, at the given size.
    pub fn screen_at(&self, width: u16, height: u16) -> String {
        let buffer = self.buffer_at(width, height);
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
    let mut lines: Vec<Vec<char>> = screen.split('\n').map(|line| line.chars().collect()).collect();
    for n in 0..lines.len() {
        let mut i = 0;
        while i + 4 <= lines[n].len() {
            if lines[n][i..i + 4] != ['s', 'a', 't', '_'] {
                i += 1;
                continue;
            }
            let mut j = i + 4;
            if lines[n].get(j) == Some(&'…') {
                // A hint: its four characters, or those the line holds when a narrow pane broke
                // the word (the rest start the next line where the broken word started).
                j += 1;
                let kept = lines[n][j..].iter().take(4).take_while(|c| c.is_ascii_alphanumeric()).count();
                lines[n][j..j + kept].iter_mut().for_each(|c| *c = '#');
                let pending = 4 - kept;
                if pending > 0 && n + 1 < lines.len() {
                    let word_start = lines[n][..i].iter().rposition(|c| *c == ' ' || *c == '│').map_or(0, |p| p + 1);
                    let next = &mut lines[n + 1];
                    let end = (word_start + pending).min(next.len());
                    next[word_start..end].iter_mut().filter(|c| c.is_ascii_alphanumeric()).for_each(|c| *c = '#');
                }
                i = j + kept;
            } else {
                let len = lines[n][j..].iter().take_while(|c| c.is_ascii_alphanumeric()).count();
                let secret: Vec<char> = "<secret>".chars().collect();
                lines[n].splice(j..j + len, secret);
                i = j;
                j += 8;
                i = i.max(j);
            }
        }
    }
    lines.iter().map(|line| line.iter().collect::<String>()).collect::<Vec<_>>().join("\n")
}
