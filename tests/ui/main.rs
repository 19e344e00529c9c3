//! UI tests: the state machine driven by keys against a real temporary store, rendered screens
//! (insta snapshots), a no-panic key storm, and an end-to-end run in a real pseudo-terminal.

mod bugs;
mod config;
mod flows;
mod harness;
mod keymap;
mod keys;
mod layouts;
mod pickers;
mod robustness;
mod screens;
mod tokens_view;
mod transitions;
