//! Progress for long work (seed, import, purge, scan): a bar or spinner on a terminal, nothing
//! when stderr is piped or redirected (indicatif draws only to a terminal).

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for work of a known size.
pub fn bar(total: u64, what: &'static str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{msg} {wide_bar} {human_pos}/{human_len} ({percent}%) {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what);
    bar
}

/// A spinner for work of unknown size; `{msg}` is updated by the caller.
pub fn spinner(what: &'static str) -> ProgressBar {
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let style =
        ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner());
    spinner.set_style(style);
    spinner.set_message(what);
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}

/// A spinner for a scan: indicatif's steady tick redraws it, reading the walk's own counters of
/// files and bytes at each tick (no thread of ours updates it).
pub fn scan_spinner(progress: std::sync::Arc<crate::scan::walk::Progress>) -> ProgressBar {
    use std::sync::atomic::Ordering;
    let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    let counts = move |_: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
        let files = progress.files.load(Ordering::Relaxed);
        let mib = progress.bytes.load(Ordering::Relaxed) >> 20;
        let _ = write!(out, "{files} files, {mib} MiB");
    };
    let style = ProgressStyle::with_template("{spinner} scanning: {counts} {elapsed}")
        .map(|style| style.with_key("counts", counts))
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    spinner.set_style(style);
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner
}
