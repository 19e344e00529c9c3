//! The clipboard for tokens: one arboard handle for the whole run (on X11 the owner must stay
//! alive for a paste to work), kept out of clipboard-manager history where the platform allows,
//! cleared after a delay and on quit, but only while it still holds our token.

use std::time::{Duration, Instant};

use base64::Engine;

use crate::domain::token::{TokenSecret, hash_token};

pub struct SecretClipboard {
    inner: Option<arboard::Clipboard>,
    /// Why there is no clipboard (no display, no X server...).
    unavailable: Option<String>,
    osc52: bool,
    clear_after: Option<Duration>,
    /// SHA-256 of the token we put there: enough to recognise it, useless to a reader.
    held: Option<([u8; 32], Instant)>,
}

impl SecretClipboard {
    pub fn new(osc52: bool, clear_after_seconds: u64) -> SecretClipboard {
        let (inner, unavailable) = match arboard::Clipboard::new() {
            Ok(clipboard) => (Some(clipboard), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let clear_after = (clear_after_seconds > 0).then(|| Duration::from_secs(clear_after_seconds));
        SecretClipboard { inner, unavailable, osc52, clear_after, held: None }
    }

    /// Copies the token. Ok carries the note for the status line; Err says why nothing was
    /// copied (never a false "Copied").
    pub fn copy(&mut self, secret: &TokenSecret) -> Result<String, String> {
        let clears = self.clear_after.map_or(String::new(), |d| format!("; clears in {} s", d.as_secs()));
        if let Some(clipboard) = self.inner.as_mut() {
            match set_text(clipboard, secret.expose()) {
                Ok(()) => {
                    self.held = Some((secret.hash(), Instant::now()));
                    if self.osc52 {
                        osc52(secret.expose());
                    }
                    let x11 = cfg!(target_os = "linux") && std::env::var_os("WAYLAND_DISPLAY").is_none();
                    let note = if x11 { " (X11: paste it before satui exits)" } else { "" };
                    return Ok(format!("copied to the clipboard{clears}{note}"));
                }
                Err(e) if !self.osc52 => return Err(format!("not copied: {e}")),
                Err(_) => {}
            }
        }
        if self.osc52 {
            osc52(secret.expose());
            return Ok("sent to the terminal's clipboard (OSC 52); your terminal may not confirm it".to_string());
        }
        let reason = self.unavailable.clone().unwrap_or_else(|| "no clipboard".to_string());
        Err(format!("not copied: no clipboard available ({reason}); select the token with the mouse instead"))
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
        let Some(clipboard) = self.inner.as_mut() else { return false };
        let current = clipboard.get_text().map(zeroize::Zeroizing::new);
        match current {
            Ok(text) if hash_token(&text) == hash => clipboard.clear().is_ok(),
            _ => false,
        }
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

/// OSC 52: asks the terminal itself to set its clipboard (works over SSH where supported).
fn osc52(text: &str) {
    use std::io::Write;
    let encoded = zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(text));
    let mut out = std::io::stdout();
    let _ = write!(out, "\x1b]52;c;{}\x07", encoded.as_str());
    let _ = out.flush();
}
