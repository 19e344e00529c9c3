//! satui: administer service accounts and their API tokens from a terminal.
//!
//! Layers point one way: `cli`/`tui`/`server`/`scan` → `service` → `domain` + `store`.

pub mod bounded;
pub mod cli;
pub mod clipboard;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod paths;
pub mod scan;
pub mod server;
pub mod service;
pub mod store;
pub mod tui;
