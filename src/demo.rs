//! Demo data: `assets/demo.json` played through the service layer (so it obeys every rule), with
//! a hand-moved clock so tokens land in every state: active, expiring soon, expired, revoked,
//! inactive, extended.

use std::sync::Arc;

use serde::Deserialize;

use crate::clock::ManualClock;
use crate::domain::expiry::{DAY, ExpiryRequest, Lifetime};
use crate::domain::role::BasicRole;
use crate::service::{NewAccount, NewToken, Result, Service};

pub const DEMO_JSON: &str = include_str!("../assets/demo.json");

#[derive(Deserialize)]
struct DemoFile {
    orgs: Vec<DemoOrg>,
}

#[derive(Deserialize)]
struct DemoOrg {
    name: String,
    #[serde(default)]
    max_token_lifetime_days: Option<i64>,
    accounts: Vec<DemoAccount>,
    #[serde(default)]
    managed: Vec<DemoManaged>,
}

#[derive(Deserialize)]
struct DemoAccount {
    name: String,
    role: BasicRole,
    #[serde(default)]
    description: String,
    #[serde(default)]
    disabled: bool,
    tokens: Vec<DemoToken>,
}

#[derive(Deserialize)]
struct DemoManaged {
    plugin: String,
    role: BasicRole,
}

#[derive(Deserialize)]
struct DemoToken {
    name: String,
    age_days: i64,
    #[serde(default)]
    lifetime_days: Option<u32>,
    #[serde(default)]
    never: bool,
    #[serde(default)]
    extended_max_age_days: Option<i64>,
    #[serde(default)]
    revoked: bool,
    #[serde(default)]
    last_used_days_ago: Option<i64>,
}

/// Seeds an empty store at `path` with the demo data, as if it had been built up until `now`.
pub fn seed(path: &std::path::Path, now: i64) -> Result<()> {
    let file: DemoFile = serde_json::from_str(DEMO_JSON)
        .map_err(|e| crate::service::Error::Refused(format!("assets/demo.json is invalid: {e}")))?;
    let clock = Arc::new(ManualClock::new(now - 500 * DAY));
    let mut service = Service::open_with_clock(path, clock.clone())?;
    service.set_actor("demo");
    for org in &file.orgs {
        let org_id = match service.find_org(&org.name) {
            Ok(existing) => existing.id,
            Err(_) => service.create_org(&org.name)?.id,
        };
        if org.max_token_lifetime_days.is_some() {
            service.set_org_cap(org_id, org.max_token_lifetime_days)?;
        }
        for account in &org.accounts {
            clock.set(now - 500 * DAY);
            let new =
                NewAccount { name: account.name.clone(), description: account.description.clone(), role: account.role };
            let created = service.create_account(org_id, &new)?;
            for token in &account.tokens {
                clock.set(now - token.age_days * DAY);
                let lifetime =
                    if token.never { Lifetime::Never } else { Lifetime::Days(token.lifetime_days.unwrap_or(30)) };
                let request = NewToken {
                    name: token.name.clone(),
                    expiry: ExpiryRequest { lifetime, extended_max_age_days: token.extended_max_age_days },
                };
                let issued = service.create_token(created.id, &request)?;
                if let Some(days_ago) = token.last_used_days_ago {
                    clock.set(now - days_ago * DAY - 3600);
                    // A real use: moves last_used_at and slides an Extended expiry.
                    let _ = service.verify_token(issued.secret.expose());
                }
                if token.revoked {
                    clock.set(now - token.age_days * DAY / 2);
                    service.revoke_token(issued.token.id)?;
                }
            }
            if account.disabled {
                clock.set(now - DAY);
                service.set_account_disabled(created.id, true)?;
            }
        }
        for managed in &org.managed {
            clock.set(now - 30 * DAY);
            let name = format!("{}{}", crate::domain::names::RESERVED_PREFIX, managed.plugin);
            let description = format!("Managed by the {} plugin", managed.plugin);
            service.insert_account(org_id, &name, &description, managed.role, Some(&managed.plugin))?;
        }
    }
    Ok(())
}
