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
/// to the UI), when the typed start names exactly one candidate or several sharing a longer start.
/// None when nothing is to add.
pub fn complete(line: &str, orgs: &[&str], accounts: &[&str]) -> Option<String> {
    let suggested = suggestion(line, orgs, accounts)?;
    Some(format!("{line}{suggested}"))
}

/// What Tab would add to `line` (shown dimmed after the cursor): the rest of the first verb or
/// name that starts with what is typed (case-insensitive), verbs in table order, names as given.
pub fn suggestion(line: &str, orgs: &[&str], accounts: &[&str]) -> Option<String> {
    match line.split_once(' ') {
        None => {
            let typed = line.to_lowercase();
            if typed.is_empty() {
                return None;
            }
            let name =
                VERBS.iter().flat_map(|v| v.names.iter()).find(|n| n.starts_with(&typed) && n.len() > typed.len())?;
            Some(name[typed.len()..].to_string())
        }
        Some((word, typed)) => {
            let verb = VERBS.iter().find(|v| v.names.contains(&word.to_lowercase().as_str()))?;
            let names = match verb.arg {
                Arg::Org => orgs,
                Arg::Account => accounts,
                Arg::None => return None,
            };
            let lower = typed.to_lowercase();
            let name = names.iter().find(|n| n.to_lowercase().starts_with(&lower) && n.len() > typed.len())?;
            // The rest of the name after as many characters as were typed.
            Some(name.chars().skip(typed.chars().count()).collect())
        }
    }
}
