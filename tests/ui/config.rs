//! The config file: defaults when absent, every key read, a broken file is an error naming it.

use satui::config::Config;

#[test]
fn a_missing_file_means_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(Some(&dir.path().join("config.toml"))).unwrap();
    assert_eq!(config, Config::default());
    assert_eq!(config.clipboard_clear_seconds, 45);
    assert!(!config.osc52 && config.mouse, "the mouse is on unless turned off");
}

#[test]
fn every_key_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "clipboard_clear_seconds = 10\nosc52 = true\nmouse = false\ntheme = \"mono\"\n").unwrap();
    let config = Config::load(Some(&path)).unwrap();
    assert_eq!(config.clipboard_clear_seconds, 10);
    assert!(config.osc52 && !config.mouse);
    assert!(config.monochrome());
}

#[test]
fn a_broken_file_or_unknown_key_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    for text in ["clipboard_clear_seconds = \"soon\"", "colour = true", "theme = \"neon\"", "not toml at all ["] {
        std::fs::write(&path, text).unwrap();
        let error = Config::load(Some(&path)).unwrap_err();
        assert!(matches!(error, satui::config::ConfigError::Invalid { .. }), "{text}: {error:?}");
        assert!(error.to_string().contains("config.toml"), "{text}: {error}");
    }
}
