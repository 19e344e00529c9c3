//! Integration tests for the satui foundation: domain rules, the service layer over a real SQLite
//! file, the store's file handling, and the command line. One binary keeps link time low.

mod accounts;
mod api_contract;
mod architecture;
mod audit;
mod catalog;
mod cli;
mod cli_fixes;
mod cli_help;
mod cli_json;
mod cli_style;
mod common;
mod expiry;
mod files;
mod import_fuzz;
mod integrity;
mod lifecycle;
mod metrics;
mod migration;
mod names;
mod openapi;
mod permissions;
mod plugins;
mod progress;
mod pty;
mod roles_groups;
mod scan;
mod scan_sarif;
mod secrets;
mod seed;
mod server;
mod terminal;
mod token_end;
mod tokens;
mod transfer;
mod upkeep;
