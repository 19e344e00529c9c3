//! `satui completions SHELL` and `satui man`: shell integration generated from the clap
//! definition itself, so it cannot drift from the commands. Neither opens a store.

use clap::CommandFactory;
use clap_mangen::roff::{Roff, bold, italic, roman};

use super::Cli;

/// The shells `satui completions` writes for (clap_complete's, each with a line of help).
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Shell {
    /// Bash: source it, or put it in ~/.local/share/bash-completion/completions/satui.
    Bash,
    /// Zsh: save it as _satui in a directory of $fpath.
    Zsh,
    /// Fish: save it as ~/.config/fish/completions/satui.fish.
    Fish,
    /// Elvish: eval it from rc.elv.
    Elvish,
    /// PowerShell: dot-source it from $PROFILE.
    Powershell,
}

impl From<Shell> for clap_complete::Shell {
    fn from(shell: Shell) -> Self {
        match shell {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Elvish => clap_complete::Shell::Elvish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

/// The completion script for `shell`, as the shell sources it.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut command = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(clap_complete::Shell::from(shell), &mut command, "satui", &mut out);
    out
}

/// The man page satui(1): one page, the usual sections for `satui` itself, then a COMMANDS IN
/// DETAIL section with every subcommand's usage, description and options, so `man satui` and a
/// search in it find everything without a page per subcommand. Starts with `.TH`.
pub fn man_page() -> String {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let mut top = Vec::new();
    clap_mangen::Man::new(command.clone())
        .date(env!("CARGO_PKG_VERSION"))
        .manual("satui manual")
        .render(&mut top)
        .expect("writing to a Vec cannot fail");
    let top = String::from_utf8(top).expect("clap_mangen writes UTF-8");

    let mut details = Roff::new();
    details.control("SH", ["COMMANDS IN DETAIL"]);
    details.text([roman(
        "Every command takes the global options above (--db, --org, --json). \
         Run satui COMMAND --help for the same text.",
    )]);
    for sub in command.get_subcommands() {
        describe(&mut details, sub);
    }
    let details = details.render();
    // Both renders start with the same preamble (a string for apostrophes); keep one.
    let preamble = Roff::new().render();
    let details = details.strip_prefix(&preamble).unwrap_or(&details);

    // Put the .TH title line first, where man(7) readers and `file` look for it.
    let (title, rest): (Vec<&str>, Vec<&str>) = top.lines().partition(|line| line.starts_with(".TH "));
    let mut page = String::new();
    for line in title.into_iter().chain(rest) {
        page.push_str(line);
        page.push('\n');
    }
    page.push_str(details);
    page
}

/// One subcommand (and, depth first, its own subcommands) as a subsection.
fn describe(roff: &mut Roff, command: &clap::Command) {
    let name = command.get_bin_name().unwrap_or(command.get_name()).to_string();
    roff.control("SS", [name.as_str()]);
    if let Some(about) = command.get_long_about().or(command.get_about()) {
        roff.text([roman(about.to_string())]);
    }
    if command.get_subcommands().next().is_none() {
        let usage = command.clone().render_usage().to_string();
        let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage).to_string();
        roff.control("PP", []);
        roff.text([bold("Usage: "), roman(usage)]);
    }
    for arg in command.get_arguments() {
        if arg.is_hide_set() || arg.is_global_set() || matches!(arg.get_id().as_str(), "help" | "version") {
            continue;
        }
        roff.control("TP", []);
        roff.text(arg_synopsis(arg));
        let mut help = arg.get_long_help().or(arg.get_help()).map(ToString::to_string).unwrap_or_default();
        let values: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| match v.get_help() {
                Some(h) => format!("{} ({h})", v.get_name()),
                None => v.get_name().to_string(),
            })
            .collect();
        if !values.is_empty() && arg.get_action().takes_values() {
            help.push_str(&format!(" One of: {}.", values.join(", ")));
        }
        let defaults: Vec<String> = arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
        if !defaults.is_empty() && arg.get_action().takes_values() {
            help.push_str(&format!(" Default: {}.", defaults.join(", ")));
        }
        roff.text([roman(help)]);
    }
    for sub in command.get_subcommands() {
        describe(roff, sub);
    }
}

/// `--name <VALUE>`, `-s, --long` or `<POSITIONAL>`, bold names and italic values.
fn arg_synopsis(arg: &clap::Arg) -> Vec<clap_mangen::roff::Inline> {
    let value = || {
        arg.get_value_names()
            .map(|names| names.iter().map(|n| format!("<{n}>")).collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| format!("<{}>", arg.get_id().as_str().to_uppercase()))
    };
    let mut parts = Vec::new();
    if arg.is_positional() {
        parts.push(italic(value()));
        return parts;
    }
    if let Some(short) = arg.get_short() {
        parts.push(bold(format!("-{short}")));
        parts.push(roman(", "));
    }
    if let Some(long) = arg.get_long() {
        parts.push(bold(format!("--{long}")));
    }
    if arg.get_action().takes_values() {
        parts.push(roman(" "));
        parts.push(italic(value()));
    }
    parts
}
