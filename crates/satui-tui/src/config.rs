//! The optional config file (TOML in the platform config dir, e.g. `~/.config/satui/config.toml`).

use std::path::Path;

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Seconds after which a copied token is cleared from the clipboard (0 = never).
    pub clipboard_clear_seconds: u64,
    /// Also copy through the terminal (OSC 52), for SSH sessions without a local clipboard.
    pub osc52: bool,
    /// The mouse: clicks select rows, focus panes and switch views; the wheel scrolls (on by
    /// default; off gives the terminal its own text selection back).
    pub mouse: bool,
    /// "default" or "mono" (NO_COLOR also forces mono).
    pub theme: String,
    /// Keys of your own: a command's name (docs/keys.md) to a key or a list of keys, in place
    /// of its default keys (`rotate_token = "ctrl-r"`, `quit = ["q", "ctrl-q"]`).
    pub keys: std::collections::BTreeMap<String, crate::keymap::KeySpec>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            clipboard_clear_seconds: 45,
            osc52: false,
            mouse: true,
            theme: "default".to_string(),
            keys: Default::default(),
        }
    }
}

impl Config {
    /// Reads the file if it exists; a broken file is an error naming it, never silently ignored.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = path else { return Ok(Config::default()) };
        let text = match satui_service::bounded::read_to_string(path, satui_service::bounded::SMALL_FILE) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => return Err(ConfigError::Unreadable { path: path.to_path_buf(), source }),
        };
        let invalid = |message: String| ConfigError::Invalid { path: path.to_path_buf(), message };
        let config: Config = toml::from_str(&text).map_err(|e| invalid(e.message().to_string()))?;
        if config.theme != "default" && config.theme != "mono" {
            return Err(invalid(format!("theme must be \"default\" or \"mono\", not \"{}\"", config.theme)));
        }
        config.keymap().map_err(invalid)?;
        Ok(config)
    }

    /// The keys in use: the defaults with `[keys]` in place (an error names the clash).
    pub fn keymap(&self) -> Result<crate::keymap::Keymap, String> {
        crate::keymap::Keymap::with_keys(&self.keys)
    }

    /// Monochrome when asked for, or when NO_COLOR is set to anything non-empty (no-color.org).
    pub fn monochrome(&self) -> bool {
        self.theme == "mono" || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }
}

/// Why config.toml could not be used; the message names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: {source}", path.display())]
    Unreadable {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: std::path::PathBuf, message: String },
}
