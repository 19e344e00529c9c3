//! Tokens: issue (shown once), list, revoke, rotate, delete, verify.

use rand::CryptoRng;
use serde::Serialize;

use super::Entity;
use super::accounts::account_in;
use super::orgs::org_in;
use super::{AccessRights, Account, Error, Field, Result, Service, Token, Write};
use satui_domain::expiry::{self, ExpiryField, ExpiryRequest, Lifetime};
use satui_domain::role::BasicRole;
use satui_domain::token::{TokenFormatError, TokenSecret};
use satui_domain::{names, time};
use satui_store::StoreError;
use satui_store::tokens::{self, NewTokenRow};
pub use satui_store::tokens::{EndingToken, OrgTokenCounts};

/// Most tokens an account may hold that still authenticate (not revoked, not expired).
pub const MAX_LIVE_TOKENS: i64 = 20;
/// `last_used_at` is written at most this often per token, so verification is mostly a read.
const USE_WRITE_INTERVAL: i64 = 60;
/// A token made by a rotation this recently is not rotated again (see [`Service::rotate_token`]).
const ROTATION_RACE_SECONDS: i64 = 2;
/// How long verification waits for another process's write lock before skipping the use record.
const USE_WRITE_PATIENCE: std::time::Duration = std::time::Duration::from_millis(50);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewToken {
    pub name: String,
    pub expiry: ExpiryRequest,
}

/// A token just issued: its metadata and the plaintext, which the caller shows once and drops.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: Token,
    pub secret: TokenSecret,
}

/// Why verification refused a token. The messages never repeat the token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("malformed token: expected sat_ followed by 38 letters and digits")]
    Malformed,
    #[error("bad checksum: the token was mistyped or truncated")]
    BadChecksum,
    #[error("unknown token")]
    Unknown,
    #[error("token has been revoked")]
    Revoked,
    #[error("token has expired")]
    Expired,
    #[error("the token's service account is disabled")]
    AccountDisabled,
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0}")]
    Rejected(Rejection),
    #[error(transparent)]
    Store(#[from] Error),
}

impl From<StoreError> for VerifyError {
    fn from(e: StoreError) -> Self {
        VerifyError::Store(e.into())
    }
}

impl From<rusqlite::Error> for VerifyError {
    fn from(e: rusqlite::Error) -> Self {
        VerifyError::Store(e.into())
    }
}

/// Who a valid token acts as.
#[derive(Clone, Debug, Serialize)]
pub struct Identity {
    pub org_id: i64,
    pub org: String,
    pub account_id: i64,
    pub account: String,
    pub login: String,
    pub role: BasicRole,
    pub token_id: i64,
    pub token: String,
    /// When the token stops working (`expiry::ends_at`: its expiry, or the end of a rotation's
    /// grace when sooner), RFC 3339; null for a token that never ends.
    pub expires_at: Option<String>,
}

fn expiry_error(e: expiry::ExpiryError) -> Error {
    let field = match e.field {
        ExpiryField::Lifetime => Field::Lifetime,
        ExpiryField::MaxAge => Field::MaxAge,
    };
    Error::invalid(field, e.message)
}

impl Service {
    pub fn tokens(&self, account_id: i64) -> Result<Vec<Token>> {
        Ok(tokens::list_for_account(self.store.conn(), account_id)?)
    }

    pub fn token(&self, id: i64) -> Result<Token> {
        tokens::get(self.store.conn(), id)?.ok_or_else(|| no_token(id))
    }

    /// Finds a token of an account by id or name; by name, the unrevoked one wins.
    pub fn find_token(&self, account: &Account, reference: &str) -> Result<Token> {
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<i64>()
            && let Some(token) = tokens::get(self.store.conn(), id)?.filter(|t| t.sa_id == account.id)
        {
            return Ok(token);
        }
        tokens::find_by_name(self.store.conn(), account.id, reference)?.into_iter().next().ok_or_else(|| {
            Error::not_found(Entity::Token, format!("'{}' has no token named '{reference}'", account.name))
        })
    }

    pub fn create_token(&mut self, account_id: i64, new: &NewToken) -> Result<IssuedToken> {
        self.create_token_with_rng(account_id, new, &mut rand::rng())
    }

    /// Like [`Service::create_token`] with a chosen generator (`satui seed` is deterministic).
    pub fn create_token_with_rng<R: CryptoRng + ?Sized>(
        &mut self,
        account_id: i64,
        new: &NewToken,
        rng: &mut R,
    ) -> Result<IssuedToken> {
        // Every check reads inside the transaction: an account deleted (or an org cap set) by
        // another writer a moment ago is seen, and answered as such, never a constraint error.
        let tx = self.begin()?;
        let account = account_in(&tx, account_id)?;
        Service::ensure_unmanaged(&account)?;
        let org = org_in(&tx, account.org_id)?;
        let (id, secret) = issue_in(&tx, &org, &account, new, None, rng)?;
        tx.commit()?;
        Ok(IssuedToken { token: self.token(id)?, secret })
    }

    pub fn revoke_token(&mut self, token_id: i64) -> Result<Token> {
        self.revoke_token_because(token_id, None)
    }

    /// Revokes a token now, recording why in the audit event (`satui scan --revoke`: where it
    /// leaked). Revoking a retiring token ends its grace at once. A plugin's token may be
    /// revoked too: a leaked plugin token must be stoppable.
    pub fn revoke_token_because(&mut self, token_id: i64, reason: Option<&str>) -> Result<Token> {
        let tx = self.begin()?;
        let now = tx.now;
        let (token, account) = token_and_account_in(&tx, token_id)?;
        Service::ensure_revocable(&token, now)?;
        if !tokens::revoke(&tx, token_id, now, now)? {
            return Err(Error::Refused(format!("token '{}' is already revoked", token.name)));
        }
        let target = format!("token {} of {}", token.name, account.name);
        let mut details = format!("hint={}", token.hint);
        if token.revoked_at.is_some() {
            details.push_str(" (ended its rotation grace)");
        }
        if let Some(reason) = reason {
            details.push_str(&format!(" {reason}"));
        }
        tx.audit(Some(account.org_id), "token.revoke", &target, &details)?;
        tx.commit()?;
        self.token(token_id)
    }

    /// A new secret under the same name and settings; the old token is revoked at once.
    pub fn rotate_token(&mut self, token_id: i64) -> Result<IssuedToken> {
        self.rotate_token_with_grace(token_id, 0)
    }

    /// A new secret under the same name and settings. The old token keeps working for
    /// `grace_seconds` (at most 7 days, never past its own expiry), showing as retiring, so a
    /// deployment can roll the new secret out without an outage; with 0 it is revoked at once.
    /// A plugin's token may be rotated too.
    pub fn rotate_token_with_grace(&mut self, token_id: i64, grace_seconds: i64) -> Result<IssuedToken> {
        if !(0..=expiry::MAX_GRACE_SECONDS).contains(&grace_seconds) {
            return Err(Error::Refused("a grace period is between 0 and 7 days".to_string()));
        }
        let tx = self.begin()?;
        let now = tx.now;
        let (token, account) = token_and_account_in(&tx, token_id)?;
        Service::ensure_rotatable(&token, now)?;
        // Two rotations of one name started together: the one that comes second finds the
        // first one's brand-new token. Rotating that again would revoke the secret the first
        // just handed out, so it is refused; a deliberate second rotation waits a moment.
        let age = now - token.created_at;
        if token.rotated_from.is_some() && age < ROTATION_RACE_SECONDS {
            return Err(Error::Refused(format!(
                "token '{}' was rotated {age} s ago by another command (new secret {}); not rotating it again",
                token.name, token.hint
            )));
        }
        let request = NewToken {
            name: token.name.clone(),
            expiry: ExpiryRequest {
                lifetime: token.lifetime_days.map_or(Lifetime::Never, Lifetime::Days),
                extended_max_age_days: token.max_age_days.map(i64::from),
            },
        };
        let retire_at = token.expires_at.map_or(now + grace_seconds, |at| at.min(now + grace_seconds));
        let org = org_in(&tx, account.org_id)?;
        let (id, secret) = issue_in(&tx, &org, &account, &request, Some((&token, retire_at)), &mut rand::rng())?;
        tx.commit()?;
        Ok(IssuedToken { token: self.token(id)?, secret })
    }

    /// Removes a token and its row for good (revoke keeps the row for the record).
    pub fn delete_token(&mut self, token_id: i64) -> Result<()> {
        let tx = self.begin()?;
        let (token, account) = token_and_account_in(&tx, token_id)?;
        Service::ensure_unmanaged(&account)?;
        if !tokens::delete(&tx, token_id)? {
            return Err(no_token(token_id));
        }
        let target = format!("token {} of {}", token.name, account.name);
        tx.audit(Some(account.org_id), "token.delete", &target, &format!("hint={}", token.hint))?;
        tx.commit()?;
        Ok(())
    }

    /// Whether a token may be revoked: not when it already is. A retiring token may (that ends
    /// its grace). The UI asks this before it asks "are you sure?"; the revoke itself checks
    /// again inside its transaction.
    pub fn ensure_revocable(token: &Token, now: i64) -> Result<()> {
        match token.revoked_at {
            Some(at) if at <= now => Err(Error::Refused(format!("token '{}' is already revoked", token.name))),
            _ => Ok(()),
        }
    }

    /// Whether a token may be rotated: not once revoked (there is nothing left to replace), and
    /// not while retiring (its successor is the one to rotate).
    pub fn ensure_rotatable(token: &Token, now: i64) -> Result<()> {
        match token.revoked_at {
            Some(at) if at <= now => {
                Err(Error::Refused(format!("token '{}' is revoked; create a new one instead", token.name)))
            }
            Some(at) => Err(Error::Refused(format!(
                "token '{}' is retiring (rotated; it works until {}): rotate its successor instead",
                token.name,
                time::date_time(at)
            ))),
            None => Ok(()),
        }
    }

    /// Checks a presented token: shape and checksum first (no database work), then the hash
    /// lookup, revoked, expired, account disabled. On success records the use (at most once a
    /// minute) and slides the expiry of an Extended token, never past the org cap.
    pub fn verify_token(&mut self, presented: &str) -> std::result::Result<Identity, VerifyError> {
        let (mut identity, record) = self.check_token(presented)?;
        if let Some(record) = record {
            // Best effort: a use is recorded when the lock is free within a moment. While another
            // process holds it (a long delete), verification answers at once and the use is
            // recorded on a later verification; an Extended token then slides a little later.
            if self.record_use(&record, USE_WRITE_PATIENCE)? {
                identity.expires_at = expiry::ends_at(record.expires_at, record.revoked_at).map(time::rfc3339);
            }
        }
        Ok(identity)
    }

    /// [`Service::verify_token`] without writing anything: who the token acts as, and the use to
    /// record when one is due (the HTTP server hands those to a background writer, so a request
    /// never waits for the write lock).
    pub fn check_token(&self, presented: &str) -> std::result::Result<(Identity, Option<UseRecord>), VerifyError> {
        let hash = token_hash(presented).map_err(VerifyError::Rejected)?;
        let access = self.token_access(&hash)?.ok_or(VerifyError::Rejected(Rejection::Unknown))?;
        let state = access.use_state();
        access.check(self.now(), state).map_err(VerifyError::Rejected)
    }

    /// What the store says about the token with this hash, to be checked at any later instant
    /// with [`TokenAccess::check`] (the server keeps these in its verification cache). None for
    /// a hash no token has.
    pub fn token_access(&self, hash: &[u8; 32]) -> Result<Option<TokenAccess>> {
        let Some(row) = tokens::find_for_verify(self.store.conn(), hash)? else { return Ok(None) };
        let rights = self.access_rights(row.account_id, row.account_role)?;
        Ok(Some(TokenAccess { row, rights }))
    }

    /// Writes a use (and an Extended token's new expiry), waiting at most `patience` for the
    /// write lock. Returns whether it was written.
    pub fn record_use(&mut self, record: &UseRecord, patience: std::time::Duration) -> Result<bool> {
        self.record_uses(std::slice::from_ref(record), patience)
    }

    /// Writes several uses in one transaction (the server's background writer), waiting at most
    /// `patience` for the write lock. Returns whether they were written.
    pub fn record_uses(&mut self, records: &[UseRecord], patience: std::time::Duration) -> Result<bool> {
        match self.store.try_write(patience)? {
            Some(tx) => {
                for record in records {
                    tokens::record_use(&tx, record.token_id, record.at, record.expires_at)?;
                }
                tx.commit()?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Token counts by org and state at the clock's now, and the live tokens ending within
    /// `within` seconds (at most `limit`, soonest first), read in one snapshot (for `/metrics`).
    pub fn token_census(&self, within: i64, limit: u64) -> Result<TokenCensus> {
        let now = self.now();
        let _snapshot = self.store.snapshot()?;
        let conn = self.store.conn();
        Ok(TokenCensus {
            at: now,
            orgs: tokens::counts_by_org(conn, now)?,
            ending: tokens::ending_between(conn, now, now.saturating_add(within), limit)?,
        })
    }
}

/// What `/metrics` tells about tokens (see [`Service::token_census`]).
#[derive(Clone, Debug, Default)]
pub struct TokenCensus {
    pub at: i64,
    pub orgs: Vec<OrgTokenCounts>,
    pub ending: Vec<EndingToken>,
}

/// A token found somewhere (by `satui scan`), as the store knows it.
#[derive(Clone, Debug)]
pub struct KnownToken {
    pub token: Token,
    pub org_id: i64,
    pub org: String,
    pub account: String,
    pub login: String,
    pub status: expiry::TokenStatus,
}

impl Service {
    /// What the store knows of a token (by its hash), without using it: no use is recorded.
    pub fn identify_token(&self, secret: &TokenSecret) -> Result<Option<KnownToken>> {
        let row = tokens::find_for_verify(self.store.conn(), &secret.hash())?;
        Ok(row.map(|row| KnownToken {
            status: row.token.status(row.account_disabled, self.now()),
            token: row.token,
            org_id: row.org_id,
            org: row.org_name,
            account: row.account_name,
            login: row.account_login,
        }))
    }
}

fn no_token(id: i64) -> Error {
    Error::not_found(Entity::Token, format!("no token with id {id}"))
}

/// A token and its account, read inside the caller's transaction.
fn token_and_account_in(tx: &rusqlite::Connection, token_id: i64) -> Result<(Token, Account)> {
    let token = tokens::get(tx, token_id)?.ok_or_else(|| no_token(token_id))?;
    let account = account_in(tx, token.sa_id)?;
    Ok((token, account))
}

/// A token use to write: when, and the expiry an Extended token slides to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UseRecord {
    pub token_id: i64,
    pub at: i64,
    pub expires_at: Option<i64>,
    /// Unchanged by a use: with the new expiry, it gives the token's end.
    pub revoked_at: Option<i64>,
}

/// The hash of a presented token: shape and checksum are checked first (no database work), and
/// the plaintext is zeroed before this returns.
pub fn token_hash(presented: &str) -> std::result::Result<[u8; 32], Rejection> {
    let secret = TokenSecret::parse(presented).map_err(|e| match e {
        TokenFormatError::Malformed => Rejection::Malformed,
        TokenFormatError::BadChecksum => Rejection::BadChecksum,
    })?;
    Ok(secret.hash())
}

/// A token's use state: its last recorded use and its expiry, which a use of an Extended token
/// slides. The server's cache keeps these beside a [`TokenAccess`] and moves them on each use it
/// queues, so a cached token is checked against what the store will hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UseState {
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
}

impl UseState {
    /// The later of two views of the same token's uses (a use only ever moves them forward; a
    /// token that never expires stays so).
    pub fn latest(self, other: UseState) -> UseState {
        UseState {
            last_used_at: self.last_used_at.max(other.last_used_at),
            expires_at: match (self.expires_at, other.expires_at) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// Everything verification needs about one token, read in one go: the token, its account and
/// org, and the account's access rights. [`TokenAccess::check`] is the one rule deciding whether
/// the token works at an instant, for the CLI, the API and the server's cache alike.
#[derive(Clone, Debug)]
pub struct TokenAccess {
    row: tokens::VerifyRow,
    rights: AccessRights,
}

impl TokenAccess {
    /// The account's permissions (checked only after [`TokenAccess::check`] accepted the token).
    pub fn rights(&self) -> &AccessRights {
        &self.rights
    }

    /// The use state as read from the store.
    pub fn use_state(&self) -> UseState {
        UseState { last_used_at: self.row.token.last_used_at, expires_at: self.row.token.expires_at }
    }

    /// Whether the token works at `now`, given its use state: who it acts as and the use to
    /// record when one is due (at most once a minute; an Extended token's expiry slides, never
    /// past the org cap). A revocation may lie in the future: the end of a rotation's grace.
    pub fn check(&self, now: i64, state: UseState) -> std::result::Result<(Identity, Option<UseRecord>), Rejection> {
        let row = &self.row;
        let token = &row.token;
        if token.revoked_at.is_some_and(|at| at <= now) {
            return Err(Rejection::Revoked);
        }
        if expiry::is_expired(state.expires_at, now) {
            return Err(Rejection::Expired);
        }
        if row.account_disabled {
            return Err(Rejection::AccountDisabled);
        }
        let due = state.last_used_at.is_none_or(|last| now - last >= USE_WRITE_INTERVAL);
        let record = due.then(|| {
            let expires_at = match (state.expires_at, token.max_age_days) {
                (Some(at), Some(max_age)) => Some(expiry::extend(at, max_age, token.created_at, row.org_cap_days, now)),
                (at, _) => at,
            };
            UseRecord { token_id: token.id, at: now, expires_at, revoked_at: token.revoked_at }
        });
        let identity = Identity {
            org_id: row.org_id,
            org: row.org_name.clone(),
            account_id: row.account_id,
            account: row.account_name.clone(),
            login: row.account_login.clone(),
            role: row.account_role,
            token_id: token.id,
            token: token.name.clone(),
            expires_at: expiry::ends_at(state.expires_at, token.revoked_at).map(time::rfc3339),
        };
        Ok((identity, record))
    }
}

/// Issues a token inside the caller's transaction: validates name and expiry, enforces
/// uniqueness and the live-token limit, stores only the hash, records the audit event.
pub(crate) fn issue_in<R: CryptoRng + ?Sized>(
    tx: &Write<'_>,
    org: &crate::Org,
    account: &Account,
    new: &NewToken,
    replacing: Option<(&Token, i64)>,
    rng: &mut R,
) -> Result<(i64, TokenSecret)> {
    let now = tx.now;
    let name = names::validate_token_name(&new.name).map_err(|m| Error::invalid(Field::Name, m))?;
    let resolved = expiry::resolve(new.expiry, org.max_token_lifetime_days, now).map_err(expiry_error)?;
    let lifetime_days = match new.expiry.lifetime {
        Lifetime::Never => None,
        Lifetime::Days(days) => Some(days),
        Lifetime::Until(at) => Some(((at - now + expiry::DAY - 1) / expiry::DAY) as u32),
    };
    if let Some((old, retire_at)) = replacing {
        // Checked inside the transaction: of two racing rotations, the second finds it revoked
        // (or retiring) and fails, so the secret the first one printed stays the live one.
        if !tokens::retire(tx, old.id, retire_at)? {
            return Err(Error::Refused(format!(
                "token '{}' was rotated or revoked by another command meanwhile; nothing was changed",
                old.name
            )));
        }
    } else if tokens::find_live_by_name(tx, account.id, &name)?.is_some() {
        return Err(Error::conflict(Entity::Token, format!("'{}' already has a token named '{name}'", account.name)));
    }
    // The token a rotation replaces does not count: it is on its way out.
    if tokens::count_live(tx, account.id, now, replacing.map(|(old, _)| old.id))? >= MAX_LIVE_TOKENS {
        return Err(Error::Refused(format!(
            "'{}' already has {MAX_LIVE_TOKENS} live tokens; revoke or delete one first",
            account.name
        )));
    }
    let secret = TokenSecret::generate(rng);
    let (hash, hint) = (secret.hash(), secret.hint());
    let row = NewTokenRow {
        sa_id: account.id,
        name: &name,
        hash: &hash,
        hint: &hint,
        lifetime_days,
        expires_at: resolved.expires_at,
        max_age_days: resolved.max_age_days,
        rotated_from: replacing.map(|(old, _)| old.id),
    };
    let id = tokens::insert(tx, &row, now)?;
    let mut details =
        vec![resolved.expires_at.map_or("expires=never".to_string(), |at| format!("expires={}", time::rfc3339(at)))];
    if let Some(days) = resolved.max_age_days {
        details.push(format!("extended max_age_days={days}"));
    }
    details.push(format!("hint={hint}"));
    if let Some((old, retire_at)) = replacing {
        details.push(format!("replaces={}", old.hint));
        details.push(if retire_at > now {
            format!(
                "grace={} retiring_until={}",
                expiry::span(retire_at - now).replace(' ', ""),
                time::rfc3339(retire_at)
            )
        } else {
            "grace=none".to_string()
        });
    }
    let action = if replacing.is_some() { "token.rotate" } else { "token.create" };
    let target = format!("token {name} of {}", account.name);
    tx.audit(Some(org.id), action, &target, &details.join(" "))?;
    Ok((id, secret))
}
