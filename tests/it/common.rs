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
    NewAccount { name: name.to_string(), description: String::new(), role, disabled: false }
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

/// `satui --db <path> --json ARGS` that must succeed; its stdout parsed as JSON.
pub fn cli_json(db: &Path, args: &[&str]) -> serde_json::Value {
    let out = satui(db).arg("--json").args(args).output().expect("run satui");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})"))
}

/// `satui --db <path> ARGS` that must succeed; its stdout.
pub fn cli_ok(db: &Path, args: &[&str]) -> String {
    let out = satui(db).args(args).output().expect("run satui");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// Runs a command that must exit with `code` (1: error, 2: usage) and print nothing on stdout;
/// returns its stderr, which for exit 1 is one line starting `satui: `.
pub fn cli_fails(db: &Path, args: &[&str], code: i32) -> String {
    let out = satui(db).args(args).output().expect("run satui");
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8(out.stderr).expect("utf-8 stderr");
    if code == 1 {
        assert_eq!(stderr.lines().count(), 1, "{args:?}: stderr is not one line: {stderr:?}");
        assert!(stderr.starts_with("satui: "), "{stderr:?}");
    }
    stderr
}

/// `satui token verify [ARGS]` with the token in `$SATUI_TOKEN`.
pub fn cli_verify(db: &Path, token: &str, args: &[&str]) -> std::process::Output {
    satui(db).args(["token", "verify", "--json"]).args(args).env("SATUI_TOKEN", token).output().expect("run satui")
}

/// Every table of the store with its row count, to prove that a refused change wrote nothing.
pub const TABLES: [&str; 9] = [
    "orgs",
    "service_accounts",
    "tokens",
    "roles",
    "role_permissions",
    "groups",
    "group_members",
    "role_assignments",
    "audit_events",
];

/// Row counts of every table in the store file at `db` (through a separate connection).
pub fn db_row_counts(db: &Path) -> std::collections::BTreeMap<&'static str, i64> {
    let conn = rusqlite::Connection::open(db).expect("open the store");
    TABLES
        .iter()
        .map(|t| (*t, conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0)).expect("count rows")))
        .collect()
}

/// The example plugin shipped with satui.
pub fn oncall_plugin() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/plugins/grafana-oncall-app/plugin.json")
}

pub const ONCALL: &str = "grafana-oncall-app";
pub const ONCALL_ACCOUNT: &str = "extsvc-grafana-oncall-app";

/// The `{action, scope}` pairs the example plugin declares.
pub fn oncall_permissions() -> std::collections::BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(oncall_plugin()).expect("read plugin.json");
    let value: serde_json::Value = serde_json::from_str(&text).expect("plugin.json is JSON");
    value["iam"]["permissions"]
        .as_array()
        .expect("iam.permissions")
        .iter()
        .map(|p| (p["action"].as_str().unwrap().to_string(), p["scope"].as_str().unwrap_or("").to_string()))
        .collect()
}

/// The actor the CLI records: the OS user.
pub fn os_user() -> String {
    whoami::username().ok().filter(|name| !name.trim().is_empty()).unwrap_or_else(|| "unknown".to_string())
}
