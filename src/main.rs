//! Entry point: parse arguments, then run the UI or a command.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use satui::cli::{Cli, Command};
use satui::config::Config;

/// mimalloc instead of the system allocator: `satui serve` answers a cached verification with a
/// few dozen small allocations from two to many threads at once, where glibc's arenas contend
/// (BENCHMARKS.md has the numbers).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    restore_sigpipe();
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match &cli.command {
        None => run_ui(&cli.store_path(), satui::tui::Launch { initial_org: cli.org.clone(), ..Default::default() }),
        Some(Command::Demo { tour }) => {
            // Only a --db typed on the command line places the demo store: $SATUI_DB names the
            // user's real store, which a demo must never fill.
            let launch = satui::tui::Launch { demo: true, tour: *tour, initial_org: cli.org.clone() };
            run_demo(cli.db.as_deref(), launch)
        }
        Some(Command::Serve(args)) => {
            let options = satui::server::ServeOptions {
                db: cli.store_path(),
                listen: args.listen.clone(),
                tls: args.tls_cert.clone().zip(args.tls_key.clone()),
                quiet: args.quiet,
                log_format: args.log_format.into(),
                connections: usize::from(args.connections),
            };
            match satui::server::run(&options) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(&e),
            }
        }
        Some(command) => satui::cli::run(&cli, command, &cli.store_path()),
    }
}

fn fail(message: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("satui: {message}");
    ExitCode::from(1)
}

fn run_ui(db: &std::path::Path, launch: satui::tui::Launch) -> ExitCode {
    let config = match Config::load(satui::paths::config_path().as_deref()) {
        Ok(config) => config,
        Err(e) => return fail(&e),
    };
    match satui::tui::run(db, &config, launch) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// The UI on a store seeded from assets/demo.json: a throwaway one deleted on exit, or with
/// `--db FILE` a new store at FILE that is kept (FILE must not exist yet: a demo never mixes
/// into a store that holds data).
fn run_demo(db: Option<&std::path::Path>, launch: satui::tui::Launch) -> ExitCode {
    if let Some(path) = db {
        if std::fs::symlink_metadata(path).is_ok() {
            return fail(&format!(
                "{}: already exists; `satui demo --db FILE` builds a new demo store there, so name a file that does not exist yet",
                path.display()
            ));
        }
        if let Err(e) = satui::demo::build_store(path, chrono::Utc::now().timestamp()) {
            return fail(&format!("cannot seed the demo store {}: {e}", path.display()));
        }
        let code = run_ui(path, launch);
        eprintln!("satui: the demo store is kept at {}", path.display());
        return code;
    }
    let dir = match tempfile::Builder::new().prefix("satui-demo-").tempdir() {
        Ok(dir) => dir,
        Err(e) => return fail(&format!("cannot create a demo store: {e}")),
    };
    let db = dir.path().join("demo.db");
    if let Err(e) = satui::demo::build_store(&db, chrono::Utc::now().timestamp()) {
        return fail(&format!("cannot seed the demo store: {e}"));
    }
    run_ui(&db, launch)
}

/// Rust ignores SIGPIPE, so `satui sa list | head` would panic on the closed pipe. Restoring the
/// default makes satui end quietly, like any other Unix filter.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL and SIG_IGN are
    // always valid. A write past `ulimit -f` raises SIGXFSZ, whose default kills the process (a
    // server with requests in flight); ignored, the write fails with EFBIG instead, SQLite rolls
    // the transaction back, and the caller is told the disk refused the write.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}
