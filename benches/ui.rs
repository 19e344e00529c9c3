//! UI benchmarks on a seeded store (see benches/common): the real `update` state machine, the
//! database effects it asks for (run through the same `effect::execute` as the UI's worker
//! thread) and a full frame drawn into ratatui's TestBackend, as tests/ui/harness.rs does.
//!
//! The harness is tests/ui/harness.rs, the one the UI tests drive.
//!
//! Before criterion runs, a latency report replays 1 000 mixed key presses and prints the
//! median, 99th percentile and worst time per press.

mod common;
#[path = "../tests/ui/harness.rs"]
mod harness;

use std::hint::black_box;
use std::time::{Duration, Instant};

use crossterm::event::KeyCode;
use harness::{Harness, Timing};
use satui::tui::state::Options;

const WIDTH: u16 = 120;
const HEIGHT: u16 = 40;

/// The UI on the bench store, through the same harness as the UI tests.
fn start(path: &std::path::Path) -> Harness {
    Harness::open(path, Options::default(), WIDTH, HEIGHT)
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
    let mut ui = start(path);
    let first_frame = started.elapsed();
    let accounts = ui.state.shown.list.total;
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
    c.bench_function("ui/first_frame", |b| b.iter(|| black_box(start(&store.path).state.shown.list.total)));
    let mut ui = start(&store.path);
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
