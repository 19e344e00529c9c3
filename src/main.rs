//! Entry point: parse arguments, then run the UI or a command.

use std::process::ExitCode;

use clap::Parser;

use satui::cli::{Cli, Command};
use satui::config::Config;

fn main() -> ExitCode {
    restore_sigpipe();
    let cli = Cli::parse();
    match &cli.command {
        None => run_ui(&cli.db.clone().unwrap_or_else(satui::paths::default_db_path), false, cli.org.clone()),
        Some(Command::Demo) => run_demo(cli.org.clone()),
        Some(Command::Serve(args)) => {
            let options = satui::server::ServeOptions {
                db: cli.db.clone().unwrap_or_else(satui::paths::default_db_path),
                listen: args.listen.clone(),
                tls: args.tls_cert.clone().zip(args.tls_key.clone()),
                quiet: args.quiet,
                connections: usize::from(args.connections),
            };
            match satui::server::run(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
        Some(command) => satui::cli::run(&cli, command, &cli.db.clone().unwrap_or_else(satui::paths::default_db_path)),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("satui: {message}");
    ExitCode::from(1)
}

fn run_ui(db: &std::path::Path, demo: bool, org: Option<String>) -> ExitCode {
    let config = match Config::load(satui::paths::config_path().as_deref()) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    match satui::tui::run(db, &config, demo, org) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// The UI on a throwaway store seeded from assets/demo.json; the store is deleted on exit.
fn run_demo(org: Option<String>) -> ExitCode {
    let dir = match tempfile::Builder::new().prefix("satui-demo-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return fail(&format!("cannot create a demo store: {e}")),
    };
    let db = dir.path().join("demo.db");
    if let Err(e) = satui::demo::build_store(&db, chrono::Utc::now().timestamp()) {
        return fail(&format!("cannot seed the demo store: {e}"));
    }
    run_ui(&db, true, org)
}

/// Rust ignores SIGPIPE, so `satui sa list | head` would panic on the closed pipe. Restoring the
/// default makes satui end quietly, like any other Unix filter.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is always valid.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
