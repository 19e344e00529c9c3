//! Every command and argument explains itself in `--help`, the completions and the man page; and
//! `satui completions` / `satui man` print what shells and man(1) read, without a store.

use clap::CommandFactory;
use satui::cli::Cli;

use super::common::satui;

/// Every subcommand and argument below `command` that has no help text, by its path.
fn missing_help(command: &clap::Command, path: &str, out: &mut Vec<String>) {
    for arg in command.get_arguments() {
        let id = arg.get_id().as_str();
        // clap's own --help and --version explain themselves.
        if matches!(id, "help" | "version") {
            continue;
        }
        if arg.get_help().is_none() && arg.get_long_help().is_none() {
            out.push(format!("{path}: argument `{id}`"));
        }
        // Flags take no value (clap lists true/false for them); enums must explain each value.
        let values = if arg.get_action().takes_values() { arg.get_possible_values() } else { Vec::new() };
        for value in values {
            if value.get_help().is_none() && !value.is_hide_set() {
                out.push(format!("{path}: value `{}` of `{id}`", value.get_name()));
            }
        }
    }
    for sub in command.get_subcommands() {
        let sub_path = format!("{path} {}", sub.get_name());
        if sub.get_about().is_none() && sub.get_long_about().is_none() {
            out.push(format!("{sub_path}: subcommand"));
        }
        missing_help(sub, &sub_path, out);
    }
}

#[test]
fn every_subcommand_and_argument_has_help_text() {
    let command = Cli::command();
    assert!(command.get_about().is_some(), "satui itself has no about text");
    let mut missing = Vec::new();
    missing_help(&command, "satui", &mut missing);
    assert!(missing.is_empty(), "no help text (add a /// doc comment):\n{}", missing.join("\n"));
}

#[test]
fn the_clap_definition_is_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn bash_completions_name_every_subcommand_without_a_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("never-created.db");
    let out = satui(&db).args(["completions", "bash"]).output().expect("run satui");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let script = String::from_utf8(out.stdout).expect("utf-8");
    assert!(script.contains("complete -F"), "not a bash completion script:\n{script:.400}");
    for sub in Cli::command().get_subcommands() {
        assert!(script.contains(sub.get_name()), "bash completions lack `{}`", sub.get_name());
    }
    for nested in ["create", "verify", "rotate", "purge", "add-member", "set-cap"] {
        assert!(script.contains(nested), "bash completions lack `{nested}`");
    }
    assert!(!db.exists(), "completions created a store");
}

#[test]
fn completions_exist_for_every_supported_shell() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("never-created.db");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = satui(&db).args(["completions", shell]).output().expect("run satui");
        assert!(out.status.success(), "{shell}: {}", String::from_utf8_lossy(&out.stderr));
        let script = String::from_utf8_lossy(&out.stdout);
        assert!(script.contains("satui") && script.contains("token"), "{shell}: {script:.300}");
    }
    let out = satui(&db).args(["completions", "tcsh"]).output().expect("run satui");
    assert_eq!(out.status.code(), Some(2), "an unknown shell is a usage error");
    assert!(!db.exists(), "completions created a store");
}

#[test]
fn man_prints_one_roff_page_with_every_subcommand() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("never-created.db");
    let out = satui(&db).arg("man").output().expect("run satui");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = String::from_utf8(out.stdout).expect("utf-8");
    assert!(page.starts_with(".TH satui 1 "), "not a roff page:\n{page:.300}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH \"COMMANDS IN DETAIL\""] {
        assert!(page.contains(section), "no {section}");
    }
    for sub in ["satui token create", "satui token verify", "satui sa show", "satui group add-member", "satui man"] {
        assert!(page.contains(&format!(".SS \"{sub}\"")), "no subsection for {sub}");
    }
    // Argument help reaches the page (here: token create's --extended).
    assert!(page.contains("pushes the expiry forward"), "argument help is missing");
    assert!(!db.exists(), "man created a store");
}
