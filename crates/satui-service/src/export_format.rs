//! The `satui-export` file format, version 1: orgs, roles, groups, accounts and token metadata,
//! never secrets or hashes. A contract with files already written: change the store freely, this
//! only with a new version.

use serde::{Deserialize, Serialize};

use satui_domain::permission::Permission;
use satui_domain::role::BasicRole;

pub const FORMAT: &str = "satui-export";
pub const VERSION: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    pub format: String,
    pub version: u32,
    pub orgs: Vec<OrgExport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgExport {
    pub name: String,
    pub max_token_lifetime_days: Option<u32>,
    pub created_at: i64,
    pub roles: Vec<RoleExport>,
    pub groups: Vec<GroupExport>,
    pub accounts: Vec<AccountExport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleExport {
    pub name: String,
    pub description: String,
    pub managed_by: Option<String>,
    pub permissions: Vec<Permission>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupExport {
    pub name: String,
    pub description: String,
    pub created_at: i64,
    /// Account names.
    pub members: Vec<String>,
    /// Role names (fixed or custom).
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountExport {
    pub name: String,
    pub login: String,
    pub description: String,
    pub role: BasicRole,
    pub disabled: bool,
    pub managed_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub roles: Vec<String>,
    pub tokens: Vec<TokenExport>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenExport {
    pub name: String,
    pub hint: String,
    pub created_at: i64,
    pub lifetime_days: Option<u32>,
    pub expires_at: Option<i64>,
    pub max_age_days: Option<u32>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// When the token stops (or stopped) working, `expiry::ends_at` of the two above: written
    /// for a reader of the file; an import ignores it (it follows from expires_at and revoked_at).
    #[serde(default)]
    pub ends_at: Option<i64>,
}
