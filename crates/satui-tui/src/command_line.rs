//! The `:` command line, as k9s has it: jump to a view, an org or an account by typing its
//! name (`:tokens`, `:org Staging`, `:sa ci-bot`, `:q`). The verbs are one table, which parsing,
//! completion and the help read. Pure: `popups.rs` runs what [`parse`] answers.

use super::action::View;

/// What a command line asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Jump {
    View(View),
    /// Switch to the org with this name or id.
    Org(String),
    /// The accounts view, filtered to this name or login.
    Account(String),
    Help,
    Quit,
}

/// What a verb takes after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arg {
    None,
    /// An org's name: then a switch; without one, the Orgs view.
    Org,
    /// An account's name or login: then that account; without one, the accounts view.
    Account,
}

struct Verb {
    /// The first is the name completion offers; the others are accepted too.
    names: &'static [&'static str],
    arg: Arg,
    view: Option<View>,
}

const VERBS: &[Verb] = &[
    Verb { names: &["sa", "accounts", "account", "serviceaccounts"], arg: Arg::Account, view: Some(View::Accounts) },
    Verb { names: &["groups", "group"], arg: Arg::None, view: Some(View::Groups) },
    Verb { names: &["roles", "role"], arg: Arg::None, view: Some(View::Roles) },
    Verb { names: &["org", "orgs"], arg: Arg::Org, view: Some(View::Orgs) },
    Verb { names: &["audit"], arg: Arg::None, view: Some(View::Audit) },
    Verb { names: &["tokens", "token"], arg: Arg::None, view: Some(View::Tokens) },
    Verb { names: &["help"], arg: Arg::None, view: None },
    Verb { names: &["quit", "q"], arg: Arg::None, view: None },
];

/// The commands, for the prompt's hint and the help.
pub const SUMMARY: &str = ":sa [NAME]  :groups  :roles  :org [NAME]  :audit  :tokens  :help  :q";

/// Reads a command line (without its `:`). An unknown verb, or an argument to a verb that takes
/// none, is an error naming it.
pub fn parse(line: &str) -> Result<Jump, String> {
    let line = line.trim().trim_start_matches(':').trim();
    let (word, rest) = line.split_once(char::is_whitespace).map_or((line, ""), |(w, r)| (w, r.trim()));
    if word.is_empty() {
        return Err(format!("type a command: {SUMMARY}"));
    }
    let key = word.to_lowercase();
    let Some(verb) = VERBS.iter().find(|v| v.names.contains(&key.as_str())) else {
        return Err(format!("unknown command ':{word}'; the commands: {SUMMARY}"));
    };
    match (verb.arg, rest.is_empty()) {
        (Arg::Account, false) => Ok(Jump::Account(rest.to_string())),
        (Arg::Org, false) => Ok(Jump::Org(rest.to_string())),
        (Arg::None, false) => Err(format!(":{} takes nothing after it", verb.names[0])),
        (_, true) => Ok(match (verb.view, verb.names[0]) {
            (Some(view), _) => Jump::View(view),
            (None, "help") => Jump::Help,
            (None, _) => Jump::Quit,
        }),
    }
}

/// The line completed by Tab: the verb, or the argument among `orgs` / `accounts` (names known
/// to the UI), as far as every candidate starting so agrees (a single one whole). None when
/// nothing is to add.
pub fn complete(line: &str, orgs: &[&str], accounts: &[&str]) -> Option<String> {
    let suggested = suggestion(line, orgs, accounts)?;
    Some(format!("{line}{suggested}"))
}

/// What Tab would add to `line` (shown dimmed after the cursor): the part every verb or name
/// starting with what is typed (case-insensitive) shares beyond it, spelled as the first.
pub fn suggestion(line: &str, orgs: &[&str], accounts: &[&str]) -> Option<String> {
    let line = line.trim_start().trim_start_matches(':');
    let (candidates, typed): (Vec<&str>, &str) = match line.split_once(' ') {
        None => (VERBS.iter().map(|v| v.names[0]).collect(), line),
        Some((word, rest)) => {
            let verb = VERBS.iter().find(|v| v.names.contains(&word.to_lowercase().as_str()))?;
            let names = match verb.arg {
                Arg::Org => orgs,
                Arg::Account => accounts,
                Arg::None => return None,
            };
            (names.to_vec(), rest.trim_start())
        }
    };
    if typed.is_empty() && !line.ends_with(' ') {
        return None;
    }
    let lower = typed.to_lowercase();
    let matching: Vec<String> = candidates.iter().map(|c| c.to_lowercase()).filter(|c| c.starts_with(&lower)).collect();
    let shown = candidates.iter().find(|c| c.to_lowercase().starts_with(&lower))?;
    // What every match shares: a single match whole, several only as far as they agree.
    let shared = matching.iter().skip(1).fold(matching[0].chars().count(), |n, other| {
        matching[0].chars().zip(other.chars()).take(n).take_while(|(a, b)| a == b).count()
    });
    let rest: String =
        shown.chars().skip(typed.chars().count()).take(shared.saturating_sub(typed.chars().count())).collect();
    (!rest.is_empty()).then_some(rest)
}
