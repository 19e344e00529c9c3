//! `satui audit`

use clap::Args;

use super::output::{event_json, print_json, table};
use super::{Cli, CliResult};
use crate::domain::time;
use crate::service::Service;

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only events whose action, actor or target contains this text.
    #[arg(long, default_value = "")]
    filter: String,
    /// At most this many events.
    #[arg(long, default_value_t = 100)]
    limit: u64,
    /// Skip this many events first (for paging).
    #[arg(long, default_value_t = 0)]
    offset: u64,
}

pub fn run(service: &Service, cli: &Cli, args: &AuditArgs) -> CliResult {
    let org_id = match &cli.org {
        Some(reference) => Some(service.find_org(reference)?.id),
        None => None,
    };
    let (events, _total) = service.audit_page(org_id, &args.filter, args.offset, args.limit.min(100_000))?;
    if cli.json {
        print_json(&events.iter().map(event_json).collect::<Vec<_>>().into());
    } else {
        let rows: Vec<_> = events
            .iter()
            .map(|e| {
                vec![time::date_time(e.at), e.actor.clone(), e.action.clone(), e.target.clone(), e.details.clone()]
            })
            .collect();
        table(&["TIME", "ACTOR", "ACTION", "TARGET", "DETAILS"], &rows);
    }
    Ok(())
}
