//! The records satui keeps, as the store reads them and the service hands them out: plain data,
//! no I/O. The store maps rows to these; nothing above the service needs to know it exists.

use crate::expiry::TokenStatus;
use crate::role::BasicRole;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub login: String,
    pub description: String,
    pub role: BasicRole,
    pub disabled: bool,
    /// The plugin id of a managed account.
    pub managed_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What the API's account search filters on.
#[derive(Clone, Debug, Default)]
pub struct Search<'a> {
    /// A substring of the name (as its key) or of the login; empty matches all.
    pub query: &'a str,
    /// Only disabled accounts.
    pub disabled_only: bool,
    /// Only accounts with at least one token expired at this time.
    pub expired_tokens_at: Option<i64>,
    /// Only these accounts (the ones a caller may read, when it may not read them all).
    pub only_ids: Option<&'a [i64]>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEvent {
    pub id: i64,
    pub at: i64,
    pub org_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Org {
    pub id: i64,
    pub name: String,
    pub max_token_lifetime_days: Option<u32>,
    pub created_at: i64,
}

/// An org with the counts shown in the Orgs view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgSummary {
    pub org: Org,
    pub accounts: i64,
    pub tokens: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub id: i64,
    pub sa_id: i64,
    pub name: String,
    /// `sat_…` + the last 4 (checksum) characters.
    pub hint: String,
    pub created_at: i64,
    /// The lifetime asked for at creation (None = never); rotation reuses it.
    pub lifetime_days: Option<u32>,
    pub expires_at: Option<i64>,
    /// Some when Extended is on.
    pub max_age_days: Option<u32>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The token this one replaced, when a rotation made it.
    pub rotated_from: Option<i64>,
    /// Restored by an import: it cannot authenticate until rotated.
    pub imported: bool,
}

impl Token {
    pub fn extended(&self) -> bool {
        self.max_age_days.is_some()
    }

    /// When it stops (or stopped) working; `None`: never. See [`crate::expiry::ends_at`].
    pub fn ends_at(&self) -> Option<i64> {
        crate::expiry::ends_at(self.expires_at, self.revoked_at)
    }

    /// The order of every token list that is "soonest end first": live tokens by their end
    /// (those that never end last), then the ended ones (expired or revoked), most recently ended
    /// first. Ties by revocation time, then id, as the store's `tokens_by_org_end` index walks.
    pub fn cmp_by_end(&self, other: &Token, now: i64) -> std::cmp::Ordering {
        let key = |t: &Token| (t.ends_at().unwrap_or(i64::MAX), t.revoked_at, t.id);
        let live = |t: &Token| crate::expiry::is_live(t.ends_at(), now);
        match (live(self), live(other)) {
            (true, true) => key(self).cmp(&key(other)),
            (false, false) => key(other).cmp(&key(self)),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
        }
    }

    /// The token's state at `now` (its account's being disabled makes it inactive).
    pub fn status(&self, account_disabled: bool, now: i64) -> TokenStatus {
        match TokenStatus::of(self.expires_at, self.revoked_at, account_disabled, now) {
            TokenStatus::Active | TokenStatus::ExpiringSoon | TokenStatus::Inactive if self.imported => {
                TokenStatus::Imported
            }
            status => status,
        }
    }
}

/// Which tokens of an org to list (the tokens view's quick filters, `token list --all`'s flags).
/// The conditions combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OrgTokenFilter {
    pub state: Option<StateFilter>,
    /// Live and expiring within this many seconds from now.
    pub expiring_within: Option<i64>,
    /// Live and not used (or, never used, not created) for this many seconds.
    pub unused_for: Option<i64>,
    /// Live and never used.
    pub never_used: bool,
    /// Never expires (and not revoked).
    pub never_expires: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateFilter {
    /// Can authenticate: not revoked (or retiring), not expired.
    Live,
    Retiring,
    Expired,
    Revoked,
}

/// A token with its account, for org-wide lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgToken {
    pub token: Token,
    pub account_id: i64,
    pub account_name: String,
    pub account_login: String,
    pub account_disabled: bool,
    pub managed_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub description: String,
    pub created_at: i64,
}

/// A group with its members' names and its roles' names, for lists and detail views.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDetail {
    pub group: Group,
    pub members: Vec<String>,
    pub roles: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub description: String,
    pub managed_by: Option<String>,
    pub created_at: i64,
}

/// Who holds a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holder {
    Account(i64),
    Group(i64),
}
