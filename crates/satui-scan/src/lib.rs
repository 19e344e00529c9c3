//! `satui scan`: find leaked satui tokens in files, say what the store knows of each, and revoke
//! the live ones on request. The finder is pure ([`finder`]); [`walk`] reads the files; this
//! module asks the store about each distinct token once and revokes; [`report`] and [`sarif`]
//! shape the output. Nothing here prints, and no token text leaves [`walk`]'s `TokenSecret`s.

pub mod finder;
pub mod report;
pub mod sarif;
pub mod walk;

use std::collections::HashMap;
use std::io::Read;

use satui_domain::expiry::{TokenStatus, describe_state};
use satui_service::{Result, Service};

pub use finder::{Finder, Position};
pub use walk::{MAX_FILE_BYTES, STDIN_NAME, WalkOptions};

/// What the store says about a found token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// There is no store (`--db` names no file): nothing is known.
    NoStore,
    /// The store has no token with this hash (another store's, or a test value).
    NotInStore,
    Known(KnownFind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownFind {
    pub token_id: i64,
    pub org_id: i64,
    pub org: String,
    pub account: String,
    pub login: String,
    pub token: String,
    pub status: TokenStatus,
    /// The store's one wording of the state: "never expires", "revoked 2026-11-23", ….
    pub state: String,
    /// When the token stops (or stopped) working (domain's `expiry::ends_at`); `None`: never.
    pub ends_at: Option<i64>,
}

/// One place a token was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Find {
    /// As shown: bytes that are not UTF-8 written `\xNN`.
    pub path: String,
    /// The file itself, bytes and all.
    pub file: std::path::PathBuf,
    pub position: Position,
    /// `sat_…XXXX`, as the store shows it.
    pub hint: String,
    pub lookup: Lookup,
    /// This scan revoked the token, here (its first find).
    pub revoked_now: bool,
}

impl Find {
    /// A token that still works or could again (not revoked, not expired): one to revoke.
    pub fn live(&self) -> bool {
        match &self.lookup {
            // An imported token's hash is random: no find ever matches one.
            Lookup::Known(known) => known.status.is_live(),
            _ => false,
        }
    }

    /// The status in words: the store's label, and its wording of the state when that adds to
    /// it ("active, never expires", "revoked 2026-11-23"), or why nothing is known.
    pub fn status_text(&self) -> String {
        match &self.lookup {
            Lookup::NoStore => "unknown (no store)".to_string(),
            Lookup::NotInStore => "unknown (not in the store)".to_string(),
            Lookup::Known(known) => {
                let label = known.status.label();
                if known.state.starts_with(label) { known.state.clone() } else { format!("{label}, {}", known.state) }
            }
        }
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    pub files: u64,
    pub bytes: u64,
    pub finds: u64,
    pub distinct_tokens: u64,
    pub live_tokens: u64,
    pub revoked: u64,
    pub bad_checksum: u64,
    pub wrong_length: u64,
    /// Walked files whose reading stopped at a NUL byte (finds before it are kept).
    pub binary_skipped: u64,
    /// Files and directories the ignore rules left out (`--no-ignore` reads them).
    pub ignored_skipped: u64,
    /// FIFOs, sockets, devices and kernel files that would block, met while walking: not read.
    pub special_skipped: u64,
    /// Symbolic links met while walking: not followed (one named on the command line is).
    pub links_skipped: u64,
    pub seconds: f64,
}

/// Everything a scan found, sorted by path, line and column.
#[derive(Debug, Default)]
pub struct ScanReport {
    pub finds: Vec<Find>,
    pub summary: Summary,
    pub notes: Vec<String>,
    pub errors: Vec<String>,
}

/// What `--revoke` revokes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revoke {
    Nothing,
    /// Every live token found, whatever its org.
    Every,
    /// The live tokens of this org only; other orgs' finds are reported, not revoked.
    InOrg(i64),
}

/// Walks, looks up each distinct token once (when there is a store) and revokes (as `revoke`
/// says) each live token at its first find with the reason `leaked: PATH:LINE`.
pub fn scan(
    options: &WalkOptions,
    stdin: &mut dyn Read,
    mut service: Option<&mut Service>,
    revoke: Revoke,
) -> Result<ScanReport> {
    let started = std::time::Instant::now();
    let mut walked = walk::walk(options, stdin);
    walked.finds.sort_by(|a, b| {
        (a.path.as_str(), a.position.line, a.position.column).cmp(&(
            b.path.as_str(),
            b.position.line,
            b.position.column,
        ))
    });
    let mut known: HashMap<[u8; 32], Lookup> = HashMap::new();
    let mut finds = Vec::with_capacity(walked.finds.len());
    let mut errors = walked.errors;
    let mut summary = Summary::default();
    for raw in walked.finds {
        let hash = raw.secret.hash();
        let first = !known.contains_key(&hash);
        if first {
            let lookup = match service.as_deref() {
                None => Lookup::NoStore,
                Some(service) => match service.identify_token(&raw.secret)? {
                    None => Lookup::NotInStore,
                    Some(found) => Lookup::Known(KnownFind {
                        token_id: found.token.id,
                        org_id: found.org_id,
                        state: describe_state(
                            found.status,
                            found.token.expires_at,
                            found.token.revoked_at,
                            service.now(),
                            true,
                        ),
                        ends_at: found.token.ends_at(),
                        org: found.org,
                        account: found.account,
                        login: found.login,
                        token: found.token.name,
                        status: found.status,
                    }),
                },
            };
            known.insert(hash, lookup);
            summary.distinct_tokens += 1;
        }
        let mut find = Find {
            path: raw.path,
            file: raw.file,
            position: raw.position,
            hint: raw.secret.hint(),
            lookup: known[&hash].clone(),
            revoked_now: false,
        };
        drop(raw.secret);
        if first && find.live() {
            summary.live_tokens += 1;
            let in_scope = |token: &KnownFind| match revoke {
                Revoke::Nothing => false,
                Revoke::Every => true,
                Revoke::InOrg(org) => token.org_id == org,
            };
            if let (Some(service), Lookup::Known(token)) = (service.as_deref_mut(), &find.lookup)
                && in_scope(token)
            {
                let reason = format!("leaked: {}:{}", find.path, find.position.line);
                match service.revoke_token_because(token.token_id, Some(&reason)) {
                    Ok(_) => {
                        find.revoked_now = true;
                        summary.revoked += 1;
                    }
                    Err(e) => errors.push(format!("{} {}: not revoked: {e}", find.path, find.hint)),
                }
            }
        }
        finds.push(find);
    }
    summary.files = walked.files;
    summary.bytes = walked.bytes;
    summary.finds = finds.len() as u64;
    summary.bad_checksum = walked.bad_checksum;
    summary.wrong_length = walked.wrong_length;
    summary.binary_skipped = walked.binary_skipped;
    summary.ignored_skipped = walked.ignored_skipped;
    summary.special_skipped = walked.special_skipped;
    summary.links_skipped = walked.links_skipped;
    summary.seconds = started.elapsed().as_secs_f64();
    walked.notes.sort();
    errors.sort();
    Ok(ScanReport { finds, summary, notes: walked.notes, errors })
}
