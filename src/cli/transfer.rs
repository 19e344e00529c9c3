//! `satui export` and `satui import`.

use std::path::PathBuf;

use clap::Args;

use super::output::{print_json, say};
use super::{Cli, CliResult, Failure};
use crate::service::{Export, Service};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A file written by `satui export`.
    pub file: PathBuf,
}

/// Writes JSON of orgs, accounts, roles, groups and token metadata to stdout (`--org` for one).
pub fn export(service: &Service, cli: &Cli) -> CliResult {
    let only = match &cli.org {
        Some(reference) => Some(service.find_org(reference)?.id),
        None => None,
    };
    let data = service.export(only)?;
    print_json(&serde_json::to_value(&data)?);
    Ok(())
}

/// Reads and parses the file before any store is opened.
pub fn read(args: &ImportArgs) -> Result<Export, Failure> {
    let shown = args.file.display();
    let text = crate::bounded::read_to_string(&args.file, crate::bounded::EXPORT_FILE)
        .map_err(|e| Failure::from(format!("{shown}: {e}")))?;
    serde_json::from_str(&text).map_err(|e| Failure::from(format!("{shown}: not a satui export: {e}")))
}

pub fn import(service: &mut Service, cli: &Cli, data: &Export) -> CliResult {
    let spinner = super::progress::spinner("importing");
    let count = service.import(data);
    spinner.finish_and_clear();
    let count = count?;
    if cli.json {
        print_json(&serde_json::json!({ "imported": { "orgs": data.orgs.len(), "accounts": count } }));
    } else {
        say!(
            "imported {} organization(s) and {count} account(s); imported tokens cannot authenticate until rotated",
            data.orgs.len()
        );
    }
    Ok(())
}
