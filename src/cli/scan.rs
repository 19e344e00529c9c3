//! `satui scan`: arguments, the store (never created here), output and the exit code. The work
//! is in [`crate::scan`].

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::output::{print_json, say, say_err};
use super::{Cli, Failure};
use crate::scan::{self, WalkOptions, report, sarif};
use crate::service::Service;

/// Exit code when live tokens were found (also after `--revoke` revoked them).
pub const LIVE_TOKENS_FOUND: u8 = 4;

/// Hidden files and directories are read (a leak scanner must see `.env`), `.git/` internals are
/// not; .gitignore, .ignore and git's excludes are honoured and what they leave out is counted.
/// Symlinks and special files (FIFOs, sockets, devices) met while walking are counted, not read.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files and directories to scan (default: the current directory); `-` reads standard input.
    /// A path named here is read whatever it is: a symlink is followed, a FIFO read to its end,
    /// a binary or ignored file searched.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Revoke every live token found, once, at its first find (audit detail `leaked: PATH:LINE`).
    /// With --org, only that org's tokens are revoked; finds of other orgs are still reported
    /// (and still make the exit code 4).
    #[arg(long)]
    pub revoke: bool,
    /// Print a SARIF 2.1.0 log (for code-scanning uploads) instead of text.
    #[arg(long, conflicts_with = "json")]
    pub sarif: bool,
    /// Before 0.4 hidden files were skipped unless this was given; they are always scanned now.
    #[arg(long, hide = true)]
    pub hidden: bool,
    /// Do not honour .gitignore, .ignore, .git/info/exclude or the global git excludes: scan
    /// what they leave out too.
    #[arg(long)]
    pub no_ignore: bool,
    /// Files read at once (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
}

/// Runs the scan against the store at `db` if there is one: a store that does not exist is not
/// created, and its finds say "unknown (no store)".
pub fn run(cli: &Cli, args: &ScanArgs, db: &Path) -> ExitCode {
    match scan_and_print(cli, args, db) {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            say_err!("satui: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn scan_and_print(cli: &Cli, args: &ScanArgs, db: &Path) -> Result<u8, Failure> {
    let mut service = match Service::open_existing(db) {
        Ok(service) => Some(service),
        Err(e) if e.store_problem() == Some(crate::service::StoreProblem::Missing) => None,
        Err(e) => {
            let mut failure = Failure::from(e);
            if failure.about_store {
                failure.message = format!("{}: {}", db.display(), failure.message);
            }
            return Err(failure);
        }
    };
    let threads = args.threads.map_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()), usize::from);
    let progress = std::sync::Arc::new(scan::walk::Progress::default());
    if args.hidden {
        say_err!("satui: deprecated: --hidden does nothing now: hidden files are always scanned");
    }
    let revoke = match (args.revoke, &cli.org, service.as_ref()) {
        (false, _, _) => scan::Revoke::Nothing,
        (true, Some(_), Some(store)) => scan::Revoke::InOrg(super::selected_org(store, cli)?.id),
        (true, _, _) => scan::Revoke::Every,
    };
    let options = WalkOptions {
        paths: args.paths.clone(),
        no_ignore: args.no_ignore,
        threads,
        progress: progress.clone(),
        skip: service.as_ref().map(Service::store_file_identities).unwrap_or_default(),
    };
    // A spinner with the files and bytes read, on a terminal only; the walk runs meanwhile.
    let spinner = super::progress::scan_spinner(progress);
    let report = scan::scan(&options, &mut std::io::stdin().lock(), service.as_mut(), revoke);
    spinner.finish_and_clear();
    let report = report?;
    if args.sarif {
        print_json(&sarif::log(&report));
    } else if cli.json {
        print_json(&report::json(&report));
    } else {
        for find in &report.finds {
            say!("{}", report::text_line(find));
        }
    }
    for note in &report.notes {
        say_err!("satui: note: {note}");
    }
    for error in &report.errors {
        say_err!("satui: {error}");
    }
    say_err!("satui: {}", report::summary_line(&report.summary));
    say_err!("satui: {}", report::live_line(&report.summary, args.revoke));
    Ok(if report.summary.live_tokens > 0 {
        LIVE_TOKENS_FOUND
    } else if report.errors.is_empty() {
        0
    } else {
        1
    })
}
