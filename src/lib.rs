//! satui: administer service accounts and their API tokens from a terminal.
//!
//! This crate is the `satui` binary's command line (`cli`) and the front door to the workspace's
//! layers, each a crate of its own so a wrong import does not compile (see ARCHITECTURE.md):
//! `satui` (cli) → {`satui-tui`, `satui-server`, `satui-scan`} → `satui-service` →
//! {`satui-domain`, `satui-store`}. Nothing here names the store.

pub mod cli;
pub mod paths;

pub use satui_domain as domain;
pub use satui_domain::clock;
pub use satui_scan as scan;
pub use satui_server as server;
pub use satui_service as service;
pub use satui_service::{bounded, demo};
pub use satui_tui as tui;
pub use satui_tui::{clipboard, config};
