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

/// `[keys]`: a command's name to a key or a list of keys, in place of its default keys; the
/// footer and the help show the user's keys.
#[test]
fn keys_of_your_own_replace_a_commands_defaults_everywhere_it_is_shown() {
    use crossterm::event::KeyCode;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[keys]\nnew_token = \"ctrl-n\"\nquit = [\"Q\", \"ctrl-q\"]\nshow_view_tokens = \"f6\"\n")
        .unwrap();
    let config = Config::load(Some(&path)).unwrap();
    let mut h = super::harness::Harness::demo();
    h.state.options.keys = std::sync::Arc::new(config.keymap().unwrap());
    // The footer names the new keys; `t` is free now.
    let footer = h.state.footer_hints();
    assert!(footer.contains(&"Ctrl-N token".to_string()) && footer.contains(&"Q quit".to_string()), "{footer:?}");
    h.key(KeyCode::Char('t'));
    assert!(h.state.popups.is_empty(), "t no longer makes a token");
    h.ctrl('n');
    assert!(h.screen().contains("New token"), "{}", h.screen());
    h.key(KeyCode::Esc);
    h.key(KeyCode::F(6));
    assert_eq!(h.state.view, satui::tui::action::View::Tokens);
    h.key(KeyCode::Char('q'));
    assert!(!h.state.quit, "q is not quit any more");
    // The help lists the keys as given.
    h.key(KeyCode::Char('?'));
    assert!(h.screen_at(120, 60).contains("Q/Ctrl-Q"), "{}", h.screen_at(120, 60));
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('Q'));
    assert!(h.state.quit);
}

/// A key that another command answers where both apply is refused when the file is read, with
/// both bindings named; so is a name or a key that does not exist. Ctrl-C always quits.
#[test]
fn clashing_unknown_or_unreadable_keys_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    for (text, wanted) in [
        (
            "[keys]\nrotate_token = \"d\"",
            "rotate_token = \"d\" clashes with d (delete the selected token) in Tokens pane",
        ),
        ("[keys]\nquit = \"j\"", "quit = \"j\" clashes with j (move down) in Every view"),
        ("[keys]\nnew_token = \"?\"", "clashes with ? (this help)"),
        ("[keys]\nlaunch_rockets = \"x\"", "[keys] launch_rockets: no such command"),
        ("[keys]\nquit = \"ctrl-\"", "[keys] quit = \"ctrl-\": not a key"),
        ("[keys]\nquit = []", "[keys] quit: give at least one key"),
        (
            "[keys]\nnext_field = \"j\"",
            "[keys] next_field = \"j\": in Command line (:) a plain character is typed into the text",
        ),
    ] {
        std::fs::write(&path, text).unwrap();
        let error = Config::load(Some(&path)).unwrap_err().to_string();
        assert!(error.contains("config.toml") && error.contains(wanted), "{text}: {error}");
    }
    // Ctrl with a capital is the lower-case letter, as terminals send it.
    std::fs::write(&path, "[keys]\nrotate_token = \"ctrl-R\"").unwrap();
    let keymap = Config::load(Some(&path)).unwrap().keymap().unwrap();
    let ctrl_r =
        crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('r'), crossterm::event::KeyModifiers::CONTROL);
    assert_eq!(
        keymap.lookup(&[satui::tui::keymap::Context::Tokens], &ctrl_r),
        Some(satui::tui::action::Command::RotateToken)
    );
    // Moving a key away from a command that then has none is fine, and Ctrl-C still quits.
    std::fs::write(&path, "[keys]\nquit = \"ctrl-q\"").unwrap();
    let keymap = Config::load(Some(&path)).unwrap().keymap().unwrap();
    let ctrl_c =
        crossterm::event::KeyEvent::new(crossterm::event::KeyCode::Char('c'), crossterm::event::KeyModifiers::CONTROL);
    assert_eq!(keymap.lookup(&[satui::tui::keymap::Context::Panes], &ctrl_c), Some(satui::tui::action::Command::Quit));
}

/// The binary refuses such a file before it touches the terminal: one line naming the file and
/// the clash, exit 1.
#[test]
fn the_ui_does_not_start_with_a_clashing_key() {
    let dir = tempfile::tempdir().unwrap();
    let config_dir = dir.path().join("config").join("satui");
    std::fs::create_dir_all(&config_dir).unwrap();
    std::fs::write(config_dir.join("config.toml"), "[keys]\nrotate_token = \"v\"\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_satui"))
        .args(["--db", dir.path().join("s.db").to_str().unwrap()])
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("config.toml: [keys] rotate_token = \"v\" clashes with v (revoke the selected token)"),
        "{stderr}"
    );
}
