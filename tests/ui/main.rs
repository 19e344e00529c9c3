//! UI tests: the state machine driven by keys against a real temporary store, rendered screens
//! (insta snapshots), a no-panic key storm, and an end-to-end run in a real pseudo-terminal.

mod bugs;
mod command_line;
mod config;
mod flows;
mod golden;
mod harness;
mod keymap;
mod keys;
mod keys_doc;
mod layouts;
mod pickers;
mod pictures;
mod plugins;
mod robustness;
mod screens;
mod svg;
mod tokens_view;
mod tour;
mod transitions;
