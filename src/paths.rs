//! Where satui keeps its files.

use std::path::PathBuf;

/// The default store: `$SATUI_DB` is handled by clap; this is the platform data dir
/// (`~/.local/share/satui/satui.db` on Linux).
pub fn default_db_path() -> PathBuf {
    directories::ProjectDirs::from("", "", "satui")
        .map(|dirs| dirs.data_dir().join("satui.db"))
        .unwrap_or_else(|| PathBuf::from("satui.db"))
}

/// The config file: `~/.config/satui/config.toml` on Linux.
pub fn config_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "satui").map(|dirs| dirs.config_dir().join("config.toml"))
}
