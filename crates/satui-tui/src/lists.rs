//! The lists the UI keeps: windows paged from SQLite (accounts, audit, the tokens view) and
//! small lists loaded whole and filtered in memory (groups, roles, orgs), with the cursor
//! arithmetic they share.

use super::action::Command;
use super::form::TextLine;
use satui_service::{Account, AuditEvent, GroupDetail, OrgSummary, OrgToken, RoleSummary};

/// Longest filter text; past this, typing is ignored.
pub const MAX_FILTER_CHARS: usize = 100;

/// A list paged from SQLite: the loaded window of rows around the cursor. `selected` is an
/// absolute index in the filtered order; `total` counts every match, not just the window.
#[derive(Clone, Debug)]
pub struct PagedList<T> {
    pub rows: Vec<T>,
    pub offset: u64,
    pub total: u64,
    pub selected: u64,
    pub filter: TextLine,
    pub loaded: bool,
}

impl<T> Default for PagedList<T> {
    fn default() -> Self {
        PagedList {
            rows: Vec::new(),
            offset: 0,
            total: 0,
            selected: 0,
            filter: TextLine::new("", MAX_FILTER_CHARS),
            loaded: false,
        }
    }
}

impl<T> PagedList<T> {
    /// Where the cursor is among the loaded rows (None when it is outside the window).
    pub fn selected_in_window(&self) -> Option<usize> {
        let i = usize::try_from(self.selected.checked_sub(self.offset)?).ok()?;
        (i < self.rows.len()).then_some(i)
    }

    pub fn selected_row(&self) -> Option<&T> {
        self.rows.get(self.selected_in_window()?)
    }

    pub fn window_contains(&self, index: u64) -> bool {
        index >= self.offset && index < self.offset + self.rows.len() as u64
    }

    /// A loaded page arrives: the window, the total and where the cursor now is.
    pub fn land(&mut self, rows: Vec<T>, offset: u64, total: u64, selected: u64) {
        self.rows = rows;
        self.offset = offset;
        self.total = total;
        self.selected = selected;
        self.loaded = true;
    }
}

/// The accounts of the current org.
pub type AccountList = PagedList<Account>;
/// The audit log of the current org, newest first.
pub type AuditList = PagedList<AuditEvent>;

/// Every token of the current org (view 6), soonest expiry first, under a quick filter. Its
/// total is counted after the page arrives (`counted`), so the page never waits for a count.
#[derive(Clone, Debug, Default)]
pub struct OrgTokenList {
    /// Its rows; `list.filter` narrows them to accounts whose name or login matches.
    pub list: PagedList<OrgToken>,
    pub preset: super::action::TokenPreset,
    /// Whether `list.total` is the counted total (else the rows seen so far).
    pub counted: bool,
}

/// Where a cursor lands after a movement key, in a list of `len` rows (`page` rows per PgUp/PgDn).
pub fn step_cursor(current: u64, len: u64, command: Command, page: u64) -> u64 {
    let last = len.saturating_sub(1);
    match command {
        Command::Up => current.saturating_sub(1),
        Command::Down => (current + 1).min(last),
        Command::Top => 0,
        Command::Bottom => last,
        Command::PageUp => current.saturating_sub(page),
        Command::PageDown => (current + page).min(last),
        Command::HalfPageUp => current.saturating_sub((page / 2).max(1)),
        Command::HalfPageDown => (current + (page / 2).max(1)).min(last),
        _ => current,
    }
}

/// A detail pane's scroll offset after a movement key (`page` rows per PgUp/PgDn).
pub fn scroll(offset: u16, command: Command, page: u16) -> u16 {
    let page = page.max(1);
    match command {
        Command::Up => offset.saturating_sub(1),
        Command::Down => offset.saturating_add(1).min(500),
        Command::Top => 0,
        Command::PageUp => offset.saturating_sub(page),
        Command::PageDown => offset.saturating_add(page).min(500),
        Command::HalfPageUp => offset.saturating_sub(page / 2),
        Command::HalfPageDown => offset.saturating_add(page / 2).min(500),
        _ => offset,
    }
}

/// A small list loaded whole (groups, roles and orgs of one store are few), filtered in memory
/// by `/`: `shown` indexes the rows that match, and `selected` is a position in `shown`.
#[derive(Clone, Debug)]
pub struct SimpleList<T> {
    pub rows: Vec<T>,
    pub shown: Vec<usize>,
    pub selected: usize,
    pub loaded: bool,
    pub filter: TextLine,
}

impl<T> Default for SimpleList<T> {
    fn default() -> Self {
        SimpleList {
            rows: Vec::new(),
            shown: Vec::new(),
            selected: 0,
            loaded: false,
            filter: TextLine::new("", MAX_FILTER_CHARS),
        }
    }
}

/// What `/` matches in a list loaded whole: the words a user would type.
pub trait Searchable {
    fn search_text(&self) -> String;
}

impl Searchable for GroupDetail {
    fn search_text(&self) -> String {
        format!("{} {} {}", self.group.name, self.members.join(" "), self.roles.join(" "))
    }
}

impl Searchable for RoleSummary {
    fn search_text(&self) -> String {
        format!("{} {} {}", self.name, self.group.as_deref().unwrap_or(""), self.kind)
    }
}

impl Searchable for OrgSummary {
    fn search_text(&self) -> String {
        self.org.name.clone()
    }
}

impl<T: Searchable> SimpleList<T> {
    /// Moves the cursor with a movement key.
    pub fn step(&mut self, command: Command, page: usize) {
        self.selected = step_cursor(self.selected as u64, self.shown.len() as u64, command, page as u64) as usize;
    }

    pub fn selected(&self) -> Option<&T> {
        self.rows.get(*self.shown.get(self.selected)?)
    }

    /// The rows the filter lets through, in order.
    pub fn visible(&self) -> impl Iterator<Item = &T> {
        self.shown.iter().filter_map(|i| self.rows.get(*i))
    }

    pub fn set(&mut self, rows: Vec<T>) {
        self.rows = rows;
        self.loaded = true;
        self.refilter();
    }

    /// Applies the filter again (after it or the rows changed); the cursor stays in range.
    pub fn refilter(&mut self) {
        let needle = satui_domain::names::name_key(self.filter.value());
        self.shown = (0..self.rows.len())
            .filter(|i| {
                needle.is_empty() || satui_domain::names::name_key(&self.rows[*i].search_text()).contains(&needle)
            })
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    /// Puts the cursor on the first shown row `is` picks.
    pub fn select_where(&mut self, is: impl Fn(&T) -> bool) -> bool {
        match self.shown.iter().position(|i| is(&self.rows[*i])) {
            Some(position) => {
                self.selected = position;
                true
            }
            None => false,
        }
    }
}
