//! Shared fixtures: a real temporary store driven by a manual clock, and a `satui` command.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use satui::clock::ManualClock;
use satui::domain::expiry::{ExpiryRequest, Lifetime};
use satui::domain::role::BasicRole;
use satui::service::{Account, AuditEvent, IssuedToken, NewAccount, NewToken, Rejection, Service, VerifyError};
use tempfile::TempDir;

/// 2027-01-15T08:00:00Z: a fixed "now" so every expiry is exact.
pub const T0: i64 = 1_800_000_000;
pub const MINUTE: i64 = 60;
pub const DAY: i64 = satui::domain::expiry::DAY;
pub const ACTOR: &str = "test-admin";

/// A store in its own temporary directory, a clock the test moves, and the service over both.
pub struct Fixture {
    pub dir: TempDir,
    pub path: PathBuf,
    pub clock: Arc<ManualClock>,
    pub service: Service,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("satui.db");
        let clock = Arc::new(ManualClock::new(T0));
        let mut service = Service::open_with_clock(&path, clock.clone()).expect("open a new store");
        service.set_actor(ACTOR);
        Fixture { dir, path, clock, service }
    }

    /// The org every fresh store starts with (`Main Org.`, id 1).
    pub fn main_org(&self) -> i64 {
        self.service.default_org().expect("default org").id
    }

    pub fn account(&mut self, name: &str) -> Account {
        let org = self.main_org();
        self.account_in(org, name)
    }

    pub fn account_in(&mut self, org_id: i64, name: &str) -> Account {
        self.service
            .create_account(org_id, &NewAccount { name: name.to_string(), ..NewAccount::default() })
            .expect("create account")
    }

    pub fn token(&mut self, account_id: i64, name: &str, expiry: ExpiryRequest) -> IssuedToken {
        self.service.create_token(account_id, &new_token(name, expiry)).expect("create token")
    }

    pub fn verify(&mut self, presented: &str) -> Result<satui::service::Identity, Rejection> {
        self.service.verify_token(presented).map_err(|e| match e {
            VerifyError::Rejected(reason) => reason,
            VerifyError::Store(e) => panic!("store error while verifying: {e}"),
        })
    }

    /// Every audit event, newest first.
    pub fn audit(&self) -> Vec<AuditEvent> {
        self.service.audit_page(None, "", 0, 10_000).expect("audit page").0
    }

    pub fn audit_count(&self) -> usize {
        self.audit().len()
    }
}

pub fn new_token(name: &str, expiry: ExpiryRequest) -> NewToken {
    NewToken { name: name.to_string(), expiry }
}

pub fn days(n: u32) -> ExpiryRequest {
    ExpiryRequest { lifetime: Lifetime::Days(n), extended_max_age_days: None }
}

pub fn never() -> ExpiryRequest {
    ExpiryRequest { lifetime: Lifetime::Never, extended_max_age_days: None }
}

pub fn extended(lifetime_days: u32, max_age_days: i64) -> ExpiryRequest {
    ExpiryRequest { lifetime: Lifetime::Days(lifetime_days), extended_max_age_days: Some(max_age_days) }
}

pub fn new_account(name: &str, role: BasicRole) -> NewAccount {
    NewAccount { name: name.to_string(), description: String::new(), role }
}

/// The token with one character replaced by a different base62 character.
pub fn tamper(token: &str, index: usize) -> String {
    let mut bytes = token.as_bytes().to_vec();
    bytes[index] = if bytes[index] == b'a' { b'b' } else { b'a' };
    String::from_utf8(bytes).expect("ascii")
}

/// `satui --db <path>` with no token or store inherited from the environment.
pub fn satui(db: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("satui").expect("the satui binary");
    cmd.env_remove("SATUI_TOKEN").env_remove("SATUI_DB").env("NO_COLOR", "1").arg("--db").arg(db);
    cmd
}

/// Does `needle` occur anywhere in `haystack`?
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
