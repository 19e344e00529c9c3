//! The terminal UI. The loop: terminal events and results become actions, `update` turns them
//! into state and effects, database effects go to a worker thread (so a slow query never
//! freezes typing), and the screen is redrawn from state.

pub mod action;
pub mod clipboard;
pub mod command_line;
pub mod config;
pub mod effect;
pub mod form;
pub mod keymap;
pub mod lists;
mod nav;
mod outcomes;
mod popups;
pub mod state;
pub mod ticket;
pub mod tour;
pub mod ui;
pub mod update;
pub mod views;

use std::path::Path;
use std::time::Duration;

use crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event, KeyEventKind,
    MouseEventKind,
};
use crossterm::execute;
use tokio::sync::mpsc;

use crate::clipboard::{Report, Request};
use crate::config::Config;
use action::{Action, Outcome};
use effect::{DbEffect, Effect};
use satui_domain::clock::{Clock, SystemClock};
use satui_service::Service;
use state::{Options, State};

/// How often timers run and the store is checked for changes made by other processes.
const TICK: Duration = Duration::from_millis(1000);

/// How the UI starts: on a demo store (DEMO badge), with the guided tour, on a given org.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    pub demo: bool,
    pub tour: bool,
    pub initial_org: Option<String>,
}

/// Opens the store, then takes over the terminal until the user quits. Store errors are returned
/// before the terminal changes, so they print as one plain line.
pub fn run(db: &Path, config: &Config, launch: Launch) -> Result<(), RunError> {
    let service = Service::open(db)?;
    let options = Options {
        monochrome: config.monochrome(),
        demo: launch.demo,
        initial_org: launch.initial_org,
        tour: launch.tour,
        // Checked when the file was read; the defaults if it was not.
        keys: std::sync::Arc::new(config.keymap().unwrap_or_default()),
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(RunError::EventLoop)?;
    // ratatui::try_init installs a panic hook that restores the terminal before the message.
    let mut terminal = ratatui::try_init().map_err(RunError::Terminal)?;
    let _ = execute!(std::io::stdout(), EnableBracketedPaste);
    if config.mouse {
        let _ = execute!(std::io::stdout(), EnableMouseCapture);
    }
    // Debug builds only: lets the pty test prove the terminal is restored after a panic.
    if cfg!(debug_assertions) && std::env::var_os("SATUI_DEBUG_PANIC").is_some() {
        let _ = terminal.draw(|frame| {
            ui::draw(&State::new(0, options.clone()), frame);
        });
        panic!("forced panic (SATUI_DEBUG_PANIC)");
    }
    let result = runtime.block_on(event_loop(&mut terminal, service, config, options));
    if config.mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    let _ = execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    service: Service,
    config: &Config,
    options: Options,
) -> Result<(), RunError> {
    let clock = SystemClock;
    let mut state = State::new(clock.now(), options);
    let (action_tx, mut action_rx) = mpsc::unbounded_channel::<Action>();
    // Without a display (SSH, a console) the terminal's own clipboard is the only one: OSC 52 is
    // used by itself there, not only when the config asks for it.
    let osc52 = config.osc52 || !clipboard::has_display();
    let clipboard_tx = {
        let tx = action_tx.clone();
        clipboard::spawn(osc52, config.clipboard_clear_seconds, move |report| {
            let outcome = match report {
                Report::Copied(result) => Outcome::Copied(result),
                Report::Cleared => Outcome::ClipboardCleared,
            };
            let _ = tx.send(Action::Done(outcome));
        })
    };
    let _clear_on_exit = ClearOnExit(clipboard_tx.clone());
    spawn_input_reader(action_tx.clone());
    let db_tx = spawn_db_worker(service, action_tx.clone());

    if let Ok(size) = terminal.size() {
        update::update(&mut state, Action::Resize { width: size.width, height: size.height });
    }
    let mut pending = update::start(&mut state);
    let mut ticker = tokio::time::interval(TICK);
    // One future for the whole run: a signal between two polls is not lost.
    let stopping = hang_up_or_terminate();
    tokio::pin!(stopping);
    // A click or wheel that came in behind other actions, kept until the frame of their state is
    // drawn: the pointer is read against that frame's `Drawn`, which must match the state.
    let mut pointer: Option<Action> = None;
    loop {
        for effect in pending.drain(..) {
            match effect {
                Effect::Db(db) => {
                    if db_tx.send(db).is_err() {
                        return Err(RunError::WorkerStopped);
                    }
                }
                Effect::Copy(secret) => {
                    if osc52 {
                        // Written here, between frames, so it never interleaves with drawing.
                        use std::io::Write;
                        let mut out = std::io::stdout();
                        let _ = out.write_all(clipboard::osc52_sequence(&secret).as_bytes());
                        let _ = out.flush();
                    }
                    let _ = clipboard_tx.send(Request::Copy(secret));
                }
            }
        }
        if state.quit {
            break;
        }
        // The frame says where it drew things; the state keeps that for the mouse and for the
        // lists' scroll offsets in the next frame.
        let mut drawn = None;
        terminal.draw(|frame| drawn = Some(ui::draw(&state, frame))).map_err(RunError::Draw)?;
        state.drawn = drawn.unwrap_or_default();
        let action = match pointer.take() {
            Some(action) => action,
            None => tokio::select! {
                Some(action) = action_rx.recv() => action,
                _ = ticker.tick() => {
                    let _ = clipboard_tx.send(Request::Tick);
                    Action::Tick(clock.now())
                }
                // The terminal went away (a closed ssh session or window) or we were asked to
                // stop: leave now, through the same exit as a quit, so the clipboard is cleared.
                _ = &mut stopping => break,
            },
        };
        pending = update::update(&mut state, action);
        // Handle everything already queued before drawing again (key repeat, paste bursts), up
        // to a click or wheel, which waits for the frame.
        while let Ok(action) = action_rx.try_recv() {
            if matches!(action, Action::Click { .. } | Action::Wheel { .. }) {
                pointer = Some(action);
                break;
            }
            pending.extend(update::update(&mut state, action));
            if state.quit {
                break;
            }
        }
    }
    state.fatal.take().map_or(Ok(()), |message| Err(RunError::Fatal(message)))
}

/// Why the UI stopped other than by a quit.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] satui_service::Error),
    #[error("cannot use the terminal: {0}")]
    Terminal(#[source] std::io::Error),
    #[error("cannot start the event loop: {0}")]
    EventLoop(#[source] std::io::Error),
    #[error("cannot draw: {0}")]
    Draw(#[source] std::io::Error),
    #[error("the database worker stopped unexpectedly")]
    WorkerStopped,
    /// An error the UI could not go on after (the store vanished, say), as it showed it.
    #[error("{0}")]
    Fatal(String),
}

/// Completes on SIGHUP or SIGTERM, whose default action would end the process before the
/// clipboard is cleared and the terminal restored.
#[cfg(unix)]
async fn hang_up_or_terminate() {
    use tokio::signal::unix::{SignalKind, signal};
    match (signal(SignalKind::hangup()), signal(SignalKind::terminate())) {
        (Ok(mut hangup), Ok(mut terminate)) => {
            tokio::select! {
                _ = hangup.recv() => {}
                _ = terminate.recv() => {}
            }
        }
        _ => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn hang_up_or_terminate() {
    std::future::pending().await
}

/// Clears our token from the clipboard when the event loop ends, however it ends: a quit, a
/// draw error, a stopped worker, a panic (the guard drops while unwinding). Never hangs on a
/// stuck clipboard.
struct ClearOnExit(std::sync::mpsc::Sender<Request>);

impl Drop for ClearOnExit {
    fn drop(&mut self) {
        clipboard::finish(&self.0, Duration::from_secs(2));
    }
}

/// Terminal events are read on their own thread (crossterm's read blocks) and turned into
/// actions there; key handling needs the state, so keys travel as `Key` actions.
fn spawn_input_reader(tx: mpsc::UnboundedSender<Action>) {
    std::thread::spawn(move || {
        while let Ok(event) = event::read() {
            let action = match event {
                Event::Key(key) if key.kind != KeyEventKind::Release => Action::Key(key),
                Event::Paste(text) => Action::Paste(text),
                Event::Resize(width, height) => Action::Resize { width, height },
                Event::Mouse(mouse) => match mouse.kind {
                    MouseEventKind::ScrollDown => Action::Wheel { column: mouse.column, row: mouse.row, down: true },
                    MouseEventKind::ScrollUp => Action::Wheel { column: mouse.column, row: mouse.row, down: false },
                    MouseEventKind::Down(crossterm::event::MouseButton::Left) => {
                        Action::Click { column: mouse.column, row: mouse.row }
                    }
                    _ => continue,
                },
                _ => continue,
            };
            if tx.send(action).is_err() {
                break;
            }
        }
    });
}

/// The worker owns the store connection and runs database effects one at a time, in order.
fn spawn_db_worker(mut service: Service, tx: mpsc::UnboundedSender<Action>) -> std::sync::mpsc::Sender<DbEffect> {
    let (db_tx, db_rx) = std::sync::mpsc::channel::<DbEffect>();
    std::thread::spawn(move || {
        let mut data_version = None;
        while let Ok(first) = db_rx.recv() {
            let mut batch = vec![first];
            batch.extend(db_rx.try_iter());
            for effect in effect::coalesce(batch) {
                if let Some(outcome) = effect::execute(&mut service, effect, &mut data_version)
                    && tx.send(Action::Done(outcome)).is_err()
                {
                    return;
                }
            }
        }
    });
    db_tx
}
