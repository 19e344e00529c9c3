//! UI benchmarks on a seeded store (see benches/common): the real `update` state machine, the
//! database effects it asks for (run through the same `effect::execute` as the UI's worker
//! thread) and a full frame drawn into ratatui's TestBackend, as tests/ui/harness.rs does.
//!
//! Before criterion runs, a latency report replays 1 000 mixed key presses and prints the
//! median, 99th percentile and worst time per press.

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use satui::clock::ManualClock;
use satui::service::Service;
use satui::tui::action::Action;
use satui::tui::effect::{self, Effect};
use satui::tui::state::{Options, State};
use satui::tui::{ui, update};

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

struct Ui {
    service: Service,
    state: State,
    data_version: Option<i64>,
    terminal: Terminal<TestBackend>,
}

/// Where the time of one key press went.
#[derive(Clone, Copy, Default)]
struct Timing {
    /// `update` for the key and for the results, plus drawing: the UI thread's share.
    ui_thread: Duration,
    /// The database effects (the worker thread's share in the real app).
    db: Duration,
}

impl Ui {
    /// Opens the store and runs the start-up effects, as the app does before its first frame.
    fn start(path: &std::path::Path) -> Ui {
        let service = Service::open_with_clock(path, Arc::new(ManualClock::new(common::NOW))).expect("open");
        let state = State::new(common::NOW, Options::default());
        let terminal = Terminal::new(TestBackend::new(WIDTH, HEIGHT)).expect("terminal");
        let mut ui = Ui { service, state, data_version: None, terminal };
        update::update(&mut ui.state, Action::Resize { width: WIDTH, height: HEIGHT });
        let effects = update::start(&mut ui.state);
        ui.run(effects, &mut Timing::default());
        ui.draw();
        ui
    }

    fn draw(&mut self) {
        let state = &self.state;
        self.terminal.draw(|frame| ui::draw(state, frame)).expect("draw");
    }

    /// Runs effects to the end, feeding results back through `update`, one frame per round of
    /// results (the app redraws after each batch it receives).
    fn run(&mut self, mut effects: Vec<Effect>, timing: &mut Timing) {
        while !effects.is_empty() {
            let started = Instant::now();
            let mut outcomes = Vec::new();
            for effect in effects {
                if let Effect::Db(db) = effect
                    && let Some(outcome) = effect::execute(&mut self.service, db, &mut self.data_version)
                {
                    outcomes.push(outcome);
                }
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

    /// One key press: `update`, a frame, then the database work it asked for and the frames of
    /// its results.
    fn press(&mut self, code: KeyCode) -> Timing {
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
        self.run(effects, &mut timing);
        timing
    }
}

/// A browsing session: moving, paging, jumping to both ends, filtering and clearing the filter.
fn session() -> Vec<KeyCode> {
    use KeyCode::*;
    let mut keys = Vec::new();
    let pattern = [
        Char('j'),
        Char('j'),
        Char('j'),
        Down,
        Char('k'),
        PageDown,
        PageDown,
        Char('j'),
        PageUp,
        Char('G'),
        Char('k'),
        Char('k'),
        PageUp,
        Char('g'),
        Char('/'),
        Char('e'),
        Char('x'),
        Char('p'),
        Down,
        Backspace,
        Backspace,
        Char('c'),
        Char('i'),
        Esc,
        Tab,
        Char('j'),
        BackTab,
        Char('j'),
    ];
    while keys.len() < 1_000 {
        keys.extend_from_slice(&pattern);
    }
    keys.truncate(1_000);
    keys
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {label:<36} median {:>7.3} ms   p99 {:>7.3} ms   worst {:>7.3} ms",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().expect("times"))
    );
}

fn latency_report(path: &std::path::Path) {
    let started = Instant::now();
    let mut ui = Ui::start(path);
    let first_frame = started.elapsed();
    let accounts = ui.state.list.total;
    let keys = session();
    let timings: Vec<Timing> = keys.iter().map(|key| ui.press(*key)).collect();
    println!("key press latency, {} presses on {accounts} accounts ({WIDTH}×{HEIGHT}):", keys.len());
    println!("  first frame in process (open + load + draw): {:.3} ms", first_frame.as_secs_f64() * 1000.0);
    report("UI thread (update + draw)", timings.iter().map(|t| t.ui_thread).collect());
    report("database effects (worker)", timings.iter().map(|t| t.db).collect());
    report("total (key to final frame)", timings.iter().map(|t| t.ui_thread + t.db).collect());
}

fn main() {
    let store = common::seeded();
    latency_report(&store.path);
    let mut c = common::criterion();
    c.bench_function("ui/first_frame", |b| b.iter(|| black_box(Ui::start(&store.path).state.list.total)));
    let mut ui = Ui::start(&store.path);
    let mut group = c.benchmark_group("ui/key");
    group.bench_function("draw_only", |b| b.iter(|| ui.draw()));
    // Down then Up: the selection stays in the loaded page; each press loads the detail.
    let mut down = true;
    group.bench_function("j_k", |b| {
        b.iter(|| {
            down = !down;
            ui.press(if down { KeyCode::Char('j') } else { KeyCode::Char('k') })
        })
    });
    group.bench_function("pgdn_pgup", |b| {
        b.iter(|| {
            down = !down;
            ui.press(if down { KeyCode::PageDown } else { KeyCode::PageUp })
        })
    });
    // Bottom then top: loads the last page (deepest OFFSET), then the first.
    group.bench_function("G_g", |b| {
        b.iter(|| {
            down = !down;
            ui.press(if down { KeyCode::Char('G') } else { KeyCode::Char('g') })
        })
    });
    // Typing and erasing one filter character: a filtered query, then the unfiltered one.
    ui.press(KeyCode::Char('g'));
    ui.press(KeyCode::Char('/'));
    group.bench_function("filter_type_erase", |b| {
        b.iter(|| {
            down = !down;
            ui.press(if down { KeyCode::Char('e') } else { KeyCode::Backspace })
        })
    });
    ui.press(KeyCode::Char('e'));
    ui.press(KeyCode::Char('x'));
    ui.press(KeyCode::Char('p'));
    group.bench_function("filter_type_erase_4th_char", |b| {
        b.iter(|| {
            down = !down;
            ui.press(if down { KeyCode::Char('o') } else { KeyCode::Backspace })
        })
    });
    group.finish();
    c.final_summary();
}
