//! The verification cache: token hash → what the store said about that token (its account, org,
//! expiry, revocation and the account's access rights), so a verification of a known token
//! answers without a store connection or a blocking thread.
//!
//! An entry is kept only while it is provably current:
//! - the store watcher (`watch.rs`) reads SQLite's `PRAGMA data_version` every
//!   [`crate::watch::CHECK_EVERY`] and empties the cache when any other connection or process
//!   committed (the CLI, the UI, another `serve`, an import, a plain `sqlite3`);
//! - this process's own changes (the API's write lane) empty it before their answer is sent;
//! - time-bound rules (expiry, a rotation's grace, an Extended token's slide) are checked at
//!   each use against the clock, never cached as a verdict.
//!
//! A lookup that read the store before an invalidation must not put its stale answer back: each
//! fill carries the generation it started in, and an invalidation moves the generation on.
//! Unknown tokens are never cached (a flood of made-up tokens cannot grow it), and the cache holds
//! at most [`MAX_ENTRIES`] tokens; when full it starts over.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use axum::http::{HeaderName, HeaderValue};
use satui_service::{Identity, TokenAccess, UseState};

use crate::log::ActingLogin;

/// Most tokens kept. An entry is a few hundred bytes (names, and the account's extra
/// permissions beyond its basic role's, which are shared statics): some tens of MiB at most.
pub const MAX_ENTRIES: usize = 50_000;

/// One cached token: the store's answer and its use state, which moves as this process queues
/// uses (so an Extended token's slide and the once-a-minute use record hold without a re-read).
pub struct CachedToken {
    pub access: TokenAccess,
    state: Mutex<UseState>,
    /// The identity as forward auth hands it on, made at the first verification: the same for
    /// every use while the entry lives (a rename or a role change empties the cache).
    presented: OnceLock<Presented>,
}

/// A verified token's `X-Satui-*` headers and the login the access log names.
pub struct Presented {
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub login: ActingLogin,
}

impl CachedToken {
    pub fn new(access: TokenAccess) -> CachedToken {
        let state = Mutex::new(access.use_state());
        CachedToken { access, state, presented: OnceLock::new() }
    }

    /// How `identity` (this token's) is presented; made once.
    pub fn presented(&self, identity: &Identity) -> &Presented {
        self.presented.get_or_init(|| Presented::new(identity))
    }

    pub fn state(&self) -> UseState {
        *self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the use state on when a use is queued for the background writer (never back: two
    /// requests racing may queue their uses in either order).
    pub fn used(&self, state: UseState) {
        let mut kept = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *kept = kept.latest(state);
    }
}

impl Presented {
    fn new(identity: &Identity) -> Presented {
        let headers = [
            ("x-satui-org-id", identity.org_id.to_string()),
            ("x-satui-org", identity.org.clone()),
            ("x-satui-account-id", identity.account_id.to_string()),
            ("x-satui-account", identity.account.clone()),
            ("x-satui-login", identity.login.clone()),
            ("x-satui-role", identity.role.to_string()),
            ("x-satui-token", identity.token.clone()),
        ]
        .into_iter()
        .filter_map(|(name, value)| {
            Some((HeaderName::from_static(name), HeaderValue::from_str(&header_text(&value)).ok()?))
        })
        .collect();
        Presented { headers, login: ActingLogin(identity.login.as_str().into()) }
    }
}

/// A value for a header: printable ASCII as it is, every other byte (spaces, `%`, UTF-8 of a
/// non-ASCII name) percent-encoded, so a name can never break or forge a header line.
fn header_text(value: &str) -> String {
    percent_encoding::utf8_percent_encode(value, HEADER_UNSAFE).to_string()
}

/// Everything but printable ASCII, and `%` itself (so a decoder gets the name back).
const HEADER_UNSAFE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b' ').add(b'%').add(0x7f);

pub struct VerifyCache {
    entries: RwLock<HashMap<[u8; 32], Arc<CachedToken>>>,
    /// Moved on (under the write lock) by every invalidation.
    generation: AtomicU64,
    /// When the watcher last found the store unchanged (ms after `started`): an entry is trusted
    /// only while that is recent, so a watcher that stalls or dies turns the cache off rather
    /// than leaving it stale.
    confirmed_ms: AtomicU64,
    started: std::time::Instant,
}

/// How long a store check keeps the cache trusted (the watcher checks every 100 ms).
pub const TRUSTED_FOR: std::time::Duration = std::time::Duration::from_secs(1);

impl Default for VerifyCache {
    fn default() -> VerifyCache {
        VerifyCache {
            entries: RwLock::default(),
            generation: AtomicU64::new(0),
            confirmed_ms: AtomicU64::new(0),
            started: std::time::Instant::now(),
        }
    }
}

impl VerifyCache {
    /// The watcher found the store as it was (or emptied the cache): entries may be used for
    /// [`TRUSTED_FOR`].
    pub fn confirm(&self) {
        let ms = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.confirmed_ms.store(ms, Ordering::SeqCst);
    }

    fn trusted(&self) -> bool {
        let age = self
            .started
            .elapsed()
            .saturating_sub(std::time::Duration::from_millis(self.confirmed_ms.load(Ordering::SeqCst)));
        age <= TRUSTED_FOR
    }

    /// The generation to pass to [`VerifyCache::insert`]: read it before reading the store.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    pub fn get(&self, hash: &[u8; 32]) -> Option<Arc<CachedToken>> {
        if !self.trusted() {
            return None;
        }
        self.entries.read().unwrap_or_else(|p| p.into_inner()).get(hash).cloned()
    }

    /// Keeps `token` unless the cache was invalidated since `generation` was read (then the
    /// store may have changed after `token` was read, and it is only returned, not kept).
    pub fn insert(&self, hash: [u8; 32], token: CachedToken, generation: u64) -> Arc<CachedToken> {
        let token = Arc::new(token);
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if self.generation.load(Ordering::SeqCst) == generation {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(hash, token.clone());
        }
        token
    }

    /// Forgets every entry: the store changed (or may have).
    pub fn invalidate(&self) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::SeqCst);
        entries.clear();
    }

    pub fn len(&self) -> usize {
        self.entries.read().unwrap_or_else(|p| p.into_inner()).len()
    }
}
