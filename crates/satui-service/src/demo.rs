//! Demo data: `assets/demo.json` played through the service layer (so it obeys every rule), with
//! a hand-moved clock so tokens land in every state: active, expiring soon, expired, revoked,
//! retiring (rotated with a grace), inactive, extended.

use std::sync::Arc;

use serde::Deserialize;

use crate::{NewAccount, NewToken, Result, Service};
use satui_domain::clock::ManualClock;
use satui_domain::expiry::{DAY, ExpiryRequest, Lifetime};
use satui_domain::permission::parse_permission;
use satui_domain::role::BasicRole;

pub const DEMO_JSON: &str = include_str!("../../../assets/demo.json");

#[derive(Deserialize)]
struct DemoFile {
    orgs: Vec<DemoOrg>,
}

#[derive(Deserialize)]
struct DemoOrg {
    name: String,
    #[serde(default)]
    max_token_lifetime_days: Option<i64>,
    #[serde(default)]
    roles: Vec<DemoRole>,
    accounts: Vec<DemoAccount>,
    #[serde(default)]
    groups: Vec<DemoGroup>,
    /// Register the example plugin (assets/plugins/) in this org.
    #[serde(default)]
    example_plugin: bool,
}

#[derive(Deserialize)]
struct DemoRole {
    name: String,
    description: String,
    /// `action` or `action=scope`.
    permissions: Vec<String>,
}

#[derive(Deserialize)]
struct DemoGroup {
    name: String,
    description: String,
    members: Vec<String>,
    roles: Vec<String>,
}

#[derive(Deserialize)]
struct DemoAccount {
    name: String,
    role: BasicRole,
    #[serde(default)]
    description: String,
    #[serde(default)]
    disabled: bool,
    /// Fixed or custom roles held directly.
    #[serde(default)]
    roles: Vec<String>,
    tokens: Vec<DemoToken>,
}

const EXAMPLE_PLUGIN: &str = include_str!("../../../assets/plugins/grafana-oncall-app/plugin.json");

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
    /// Rotated this many hours ago with a grace of `grace_hours`: the old token is retiring.
    #[serde(default)]
    rotated_hours_ago: Option<i64>,
    #[serde(default)]
    grace_hours: i64,
}

/// Seeds an empty store at `path` with the demo data, as if it had been built up until `now`.
pub fn build_store(path: &std::path::Path, now: i64) -> Result<()> {
    let file: DemoFile = serde_json::from_str(DEMO_JSON)
        .map_err(|e| crate::Error::Refused(format!("assets/demo.json is invalid: {e}")))?;
    let clock = Arc::new(ManualClock::new(now - 500 * DAY));
    let mut service = Service::open_with_clock(path, clock.clone())?;
    service.set_actor("demo");
    service.date_fresh_store()?;
    for org in &file.orgs {
        let org_id = match service.find_org(&org.name) {
            Ok(existing) => existing.id,
            Err(_) => service.create_org(&org.name)?.id,
        };
        if org.max_token_lifetime_days.is_some() {
            service.set_org_cap(org_id, org.max_token_lifetime_days)?;
        }
        for role in &org.roles {
            let permissions: Vec<_> = role.permissions.iter().map(|p| parse_permission(p)).collect();
            service.create_role(org_id, &role.name, &role.description, &permissions)?;
        }
        for account in &org.accounts {
            clock.set(now - 500 * DAY);
            let new = NewAccount {
                name: account.name.clone(),
                description: account.description.clone(),
                role: account.role,
                disabled: false,
            };
            let created = service.create_account(org_id, &new)?;
            for role in &account.roles {
                service.assign_role(created.id, role, true)?;
            }
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
                if let Some(hours) = token.rotated_hours_ago {
                    clock.set(now - hours * 3600);
                    service.rotate_token_with_grace(issued.token.id, token.grace_hours * 3600)?;
                }
            }
            if account.disabled {
                clock.set(now - DAY);
                service.set_account_disabled(created.id, true)?;
            }
        }
        clock.set(now - 20 * DAY);
        for group in &org.groups {
            service.create_group(org_id, &group.name, &group.description)?;
            for member in &group.members {
                let account = service.find_account(org_id, member)?;
                service.change_membership(org_id, &group.name, account.id, true)?;
            }
            for role in &group.roles {
                service.assign_group_role(org_id, &group.name, role, true)?;
            }
        }
        if org.example_plugin {
            clock.set(now - 30 * DAY);
            service.register_plugin_json(org_id, EXAMPLE_PLUGIN, "assets/plugins/grafana-oncall-app/plugin.json")?;
        }
    }
    Ok(())
}
