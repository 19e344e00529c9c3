//! `satui audit`

use std::collections::HashMap;

use clap::Args;

use super::output::{event_json, print_json, table};
use super::{Cli, CliResult};
use crate::domain::time;
use crate::service::{AuditEvent, Service};

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only events whose action, actor or target contains this text.
    #[arg(long, default_value = "")]
    filter: String,
    /// At most this many events (1..=100000).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..=MAX_AUDIT_LIMIT))]
    limit: u64,
    /// Skip this many events first (for paging).
    #[arg(long, default_value_t = 0)]
    offset: u64,
}

/// Most events one `audit` prints (`--limit` above it is a usage error, not a silent cap).
pub const MAX_AUDIT_LIMIT: u64 = 100_000;

pub fn run(service: &Service, cli: &Cli, args: &AuditArgs) -> CliResult {
    let org_id = match &cli.org {
        Some(reference) => Some(service.find_org(reference)?.id),
        None => None,
    };
    let (events, _total) = service.audit_page(org_id, &args.filter, args.offset, args.limit)?;
    let names: HashMap<i64, String> = service.orgs()?.into_iter().map(|o| (o.id, o.name)).collect();
    // Events of the whole store (a seed, say) have no org; audit rows outlive a deleted org.
    let org_name = |event: &AuditEvent| match event.org_id {
        None => String::new(),
        Some(id) => names.get(&id).cloned().unwrap_or_else(|| format!("org {id} (deleted)")),
    };
    if cli.json {
        let values: Vec<_> = events
            .iter()
            .map(|e| {
                let mut value = event_json(e);
                value["org"] = org_name(e).into();
                value
            })
            .collect();
        print_json(&values.into());
    } else {
        let rows: Vec<_> = events
            .iter()
            .map(|e| {
                vec![
                    time::date_time(e.at),
                    org_name(e),
                    e.actor.clone(),
                    e.action.clone(),
                    e.target.clone(),
                    e.details.clone(),
                ]
            })
            .collect();
        table(&["TIME", "ORG", "ACTOR", "ACTION", "TARGET", "DETAILS"], &rows);
    }
    Ok(())
}
