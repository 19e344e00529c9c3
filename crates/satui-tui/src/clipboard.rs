//! The clipboard for tokens: one arboard handle for the whole run (on X11 the owner must stay
//! alive for a paste to work), kept out of clipboard-manager history where the platform allows,
//! cleared after a delay and on quit, but only while it still holds our token.
//!
//! Clipboard calls can block (an X server that does not answer), so they run on their own
//! thread; the UI only sends requests and receives outcomes.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;

use satui_domain::token::{TokenSecret, hash_token};

/// The clipboard state machine, owned by the clipboard thread.
pub struct SecretClipboard {
    inner: Option<arboard::Clipboard>,
    /// Why there is no clipboard (no display, no X server...).
    unavailable: Option<String>,
    /// OSC 52 is on: a failed local copy is not the end of it.
    osc52: bool,
    clear_after: Option<Duration>,
    /// SHA-256 of the token we put there: enough to recognise it, useless to a reader.
    held: Option<([u8; 32], Instant)>,
    /// Debug builds only, for the end-to-end tests (no display there): a file that gets a line
    /// `copied` or `cleared` where the real clipboard would get the token or be emptied. Never
    /// the token, nor its hash.
    recorder: Option<std::path::PathBuf>,
}

impl SecretClipboard {
    pub fn new(osc52: bool, clear_after_seconds: u64) -> SecretClipboard {
        if !has_display() {
            return SecretClipboard::unavailable(
                "no display: DISPLAY and WAYLAND_DISPLAY are not set",
                osc52,
                clear_after_seconds,
            );
        }
        let (inner, unavailable) = match arboard::Clipboard::new() {
            Ok(clipboard) => (Some(clipboard), None),
            Err(e) => (None, Some(e.to_string())),
        };
        SecretClipboard::with(inner, unavailable, osc52, clear_after_seconds)
    }

    /// A clipboard that is not there, and why: what `new` makes without a display (and what a
    /// test uses to see that path on a machine that has one).
    pub fn unavailable(reason: &str, osc52: bool, clear_after_seconds: u64) -> SecretClipboard {
        SecretClipboard::with(None, Some(reason.to_string()), osc52, clear_after_seconds)
    }

    fn with(
        inner: Option<arboard::Clipboard>,
        unavailable: Option<String>,
        osc52: bool,
        clear_after_seconds: u64,
    ) -> SecretClipboard {
        let clear_after = (clear_after_seconds > 0).then(|| Duration::from_secs(clear_after_seconds));
        let recorder =
            if cfg!(debug_assertions) { std::env::var_os("SATUI_TEST_CLIPBOARD").map(Into::into) } else { None };
        SecretClipboard { inner, unavailable, osc52, clear_after, held: None, recorder }
    }

    /// Copies the token. Ok carries the note for the status line; Err says why nothing was
    /// copied (never a false "Copied").
    pub fn copy(&mut self, secret: &TokenSecret) -> Result<String, String> {
        let clears = self.clear_after.map_or(String::new(), |d| format!("; clears in {} s", d.as_secs()));
        if let Some(recorder) = &self.recorder {
            record(recorder, "copied");
            self.held = Some((secret.hash(), Instant::now()));
            return Ok(format!("copied to the test clipboard{clears}"));
        }
        let local = match self.inner.as_mut() {
            Some(clipboard) => set_text(clipboard, secret.expose()).map_err(|e| short(&e.to_string())),
            None => Err(self.unavailable.clone().unwrap_or_else(|| "no clipboard".to_string())),
        };
        match local {
            Ok(()) => {
                self.held = Some((secret.hash(), Instant::now()));
                let x11 = cfg!(target_os = "linux") && std::env::var_os("WAYLAND_DISPLAY").is_none();
                let note = if x11 { " (X11: paste it before satui exits)" } else { "" };
                Ok(format!("copied to the clipboard{clears}{note}"))
            }
            Err(reason) if self.osc52 => {
                Ok(format!("sent to the terminal's clipboard (OSC 52: {reason}); the terminal cannot confirm it"))
            }
            // Over SSH or tmux the terminal's own clipboard may still work: say how to use it.
            Err(reason) => {
                Err(format!("not copied: {reason}; set osc52 = true in the config to copy through the terminal"))
            }
        }
    }

    /// Clears the clipboard when the delay has passed. Returns true when it cleared.
    pub fn tick(&mut self) -> bool {
        match (self.held, self.clear_after) {
            (Some((_, at)), Some(after)) if at.elapsed() >= after => self.clear_if_ours(),
            _ => false,
        }
    }

    /// Empties the clipboard if it still holds our token (something copied since is left alone).
    pub fn clear_if_ours(&mut self) -> bool {
        let Some((hash, _)) = self.held.take() else { return false };
        if let Some(recorder) = &self.recorder {
            record(recorder, "cleared");
            return true;
        }
        let Some(clipboard) = self.inner.as_mut() else { return false };
        match clipboard.get_text().map(zeroize::Zeroizing::new) {
            Ok(text) if hash_token(&text) == hash => clipboard.clear().is_ok(),
            _ => false,
        }
    }
}

/// Appends one line to the test clipboard's record.
fn record(path: &std::path::Path, line: &str) {
    use std::io::Write;
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(file, "{line}");
    }
}

/// Whether a local clipboard can exist here (on Linux: an X11 or Wayland display is set).
pub fn has_display() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()))
}

/// First line, at most 80 characters: arboard's messages can be long.
fn short(message: &str) -> String {
    let line = message.lines().next().unwrap_or("");
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(79).collect::<String>())
    } else {
        line.to_string()
    }
}

#[cfg(target_os = "linux")]
fn set_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    clipboard.set().exclude_from_history().text(text)
}

#[cfg(not(target_os = "linux"))]
fn set_text(clipboard: &mut arboard::Clipboard, text: &str) -> Result<(), arboard::Error> {
    clipboard.set_text(text)
}

/// The OSC 52 escape sequence that asks the terminal itself to set its clipboard (works over
/// SSH where the terminal supports it). The caller writes it to the terminal.
pub fn osc52_sequence(secret: &TokenSecret) -> zeroize::Zeroizing<String> {
    let encoded = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(secret.expose()));
    zeroize::Zeroizing::new(format!("\x1b]52;c;{}\x07", encoded.as_str()))
}

pub enum Request {
    Copy(TokenSecret),
    Tick,
    /// Clear if ours, then answer (used on quit).
    Finish(mpsc::Sender<()>),
}

pub enum Report {
    Copied(Result<String, String>),
    Cleared,
}

/// Starts the clipboard thread. Reports go to `report`.
pub fn spawn(osc52: bool, clear_after_seconds: u64, report: impl Fn(Report) + Send + 'static) -> mpsc::Sender<Request> {
    let (tx, rx) = mpsc::channel::<Request>();
    std::thread::spawn(move || {
        let mut clipboard = SecretClipboard::new(osc52, clear_after_seconds);
        while let Ok(request) = rx.recv() {
            match request {
                Request::Copy(secret) => report(Report::Copied(clipboard.copy(&secret))),
                Request::Tick => {
                    if clipboard.tick() {
                        report(Report::Cleared);
                    }
                }
                Request::Finish(done) => {
                    clipboard.clear_if_ours();
                    let _ = done.send(());
                    break;
                }
            }
        }
    });
    tx
}

/// Asks the clipboard thread to clear our token (only if the clipboard still holds it) and
/// waits for it at most `patience`. Every way out of the UI calls this (see `tui::ClearOnExit`).
pub fn finish(requests: &mpsc::Sender<Request>, patience: std::time::Duration) -> bool {
    let (done_tx, done_rx) = mpsc::channel();
    requests.send(Request::Finish(done_tx)).is_ok() && done_rx.recv_timeout(patience).is_ok()
}
