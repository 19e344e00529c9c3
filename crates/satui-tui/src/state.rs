//! Everything the screen shows, and nothing else. `update` changes it; `ui::draw` only reads it
//! and returns where it drew things (`Drawn`), which the runner keeps here.

use super::action::{Command, TokenPreset, View};
use super::form::{Form, TextLine};
use super::keymap::Context;
use super::ticket::{Awaited, Part, Ticket};
use ratatui::layout::Rect;
use ratatui::widgets::ListState;
use satui_domain::permission::Permission;
use satui_domain::token::TokenSecret;
use satui_service::{Account, Grant, GroupDetail, Org, OrgSummary, RoleSummary, Token};

pub use super::effect::{PAGE_SIZE, page_start};
pub use super::lists::{
    AccountList, AuditList, MAX_FILTER_CHARS, OrgTokenList, PagedList, Searchable, SimpleList, scroll, step_cursor,
};

/// Seconds a status message stays.
pub const STATUS_SECONDS: i64 = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
    Tokens,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

#[derive(Clone, Debug)]
pub struct Status {
    pub text: String,
    pub kind: StatusKind,
    pub until: i64,
}

#[derive(Clone, Debug)]
pub struct Detail {
    pub account: Account,
    pub tokens: Vec<Token>,
    pub selected_token: usize,
    pub groups: Vec<String>,
    /// Roles held directly (besides the basic role).
    pub roles: Vec<String>,
    pub grants: Vec<Grant>,
}

/// The selected role's permissions and holders.
#[derive(Clone, Debug)]
pub struct RoleDetail {
    pub name: String,
    pub permissions: Vec<Permission>,
    pub accounts: Vec<String>,
    pub groups: Vec<String>,
}

impl Detail {
    pub fn selected_token(&self) -> Option<&Token> {
        self.tokens.get(self.selected_token)
    }

    /// Tokens that authenticate now (or would, were the account enabled).
    pub fn live_tokens(&self, now: i64) -> usize {
        self.tokens.iter().filter(|t| t.status(false, now).authenticates()).count()
    }
}

/// The token reveal modal: the only place a plaintext is on screen.
pub struct Reveal {
    pub secret: TokenSecret,
    pub token_name: String,
    pub account: String,
    pub expires: String,
    pub copied: bool,
    /// Where the copy went, for the reveal ("Copied to the clipboard.", or the terminal's
    /// clipboard through OSC 52).
    pub copied_to: String,
    /// "Not copied. Close anyway? y/n" is showing.
    pub confirm_close: bool,
    /// The question came from Ctrl-C: `y` (or Ctrl-C again) quits, not only closes.
    pub confirm_quit: bool,
}

/// What a y/n confirmation does on `y`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    DeleteAccount(i64),
    /// Disabling an account whose live tokens then stop working.
    Disable(i64),
    DeleteGroup {
        org_id: i64,
        name: String,
    },
    DeleteRole {
        org_id: i64,
        name: String,
    },
    RevokeToken(i64),
    UnregisterPlugin(String),
    DeleteToken(i64),
}

pub enum Popup {
    Form(Form),
    Confirm {
        message: String,
        pending: Pending,
    },
    Reveal(Reveal),
    /// `first`: the contexts `?` was pressed in, whose keys the help shows first. `search`
    /// keeps the rows whose keys or words hold it; `searching`: `/` was pressed and keys type.
    Help {
        scroll: u16,
        first: Vec<Context>,
        search: crate::form::TextLine,
        searching: bool,
    },
    OrgPicker {
        selected: usize,
    },
    /// The `:` command line (drawn in the filter row).
    CommandLine(crate::form::TextLine),
    /// The plugins registered in the org shown (`P` in view 1); `rows` is None until loaded.
    Plugins {
        rows: Option<Vec<satui_service::PluginSummary>>,
        selected: usize,
    },
}

impl Popup {
    pub fn context(&self) -> Context {
        match self {
            Popup::Form(_) => Context::Form,
            Popup::Confirm { .. } => Context::Confirm,
            Popup::Reveal(reveal) if reveal.confirm_close => Context::RevealConfirm,
            Popup::Reveal(_) => Context::Reveal,
            Popup::Help { .. } => Context::Help,
            Popup::OrgPicker { .. } => Context::Picker,
            Popup::CommandLine(_) => Context::CommandLine,
            Popup::Plugins { .. } => Context::Plugins,
        }
    }
}

/// Where the guided tour is (steps in `tour.rs`); `hidden` after Esc, until T shows it again
/// at the same step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tour {
    pub step: usize,
    pub hidden: bool,
}

/// Display options fixed at start-up.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// NO_COLOR or `theme = "mono"`.
    pub monochrome: bool,
    pub demo: bool,
    /// `--org NAME|ID`: the org to open on (default: the oldest).
    pub initial_org: Option<String>,
    /// `satui demo --tour`: start with the guided tour.
    pub tour: bool,
    /// The keys: the defaults with the user's `[keys]` from config.toml.
    pub keys: std::sync::Arc<super::keymap::Keymap>,
}

/// Everything the screen holds of the org shown: its lists, the selected account's detail, the
/// answers it waits for. `nav::switch_org` replaces it whole, so nothing of the last org lingers
/// and no field can be forgotten when a new one is added.
pub struct OrgState {
    pub list: AccountList,
    pub detail: Option<Detail>,
    /// Lines scrolled in the detail pane (long permission lists).
    pub detail_scroll: u16,
    /// `/` in an account's detail pane: narrows its permissions (by action, scope or source).
    pub detail_filter: TextLine,
    /// A token to select in the tokens pane once its account's detail arrives (Enter in view 6).
    pub jump_to_token: Option<i64>,
    /// Where a jump came from (Enter in view 6 → the account), newest last: Esc goes back there,
    /// as a browser's back. Switching view or org forgets it.
    pub history: Vec<View>,
    pub groups: SimpleList<GroupDetail>,
    pub roles: SimpleList<RoleSummary>,
    pub role_detail: Option<RoleDetail>,
    pub audit: AuditList,
    pub org_tokens: OrgTokenList,
    /// The answers this org's screen waits for (older ones are dropped).
    pub awaited: Awaited,
}

impl OrgState {
    /// A new org's state: nothing loaded. The tokens view keeps its preset (a way of looking,
    /// not the org's data).
    pub fn new(preset: TokenPreset) -> OrgState {
        OrgState {
            list: AccountList::default(),
            detail: None,
            detail_scroll: 0,
            detail_filter: TextLine::new("", crate::form::MAX_INPUT_CHARS),
            jump_to_token: None,
            history: Vec::new(),
            groups: SimpleList::default(),
            roles: SimpleList::default(),
            role_detail: None,
            audit: AuditList::default(),
            org_tokens: OrgTokenList { preset, ..OrgTokenList::default() },
            awaited: Awaited::default(),
        }
    }
}

/// What the last frame drew where, and ratatui's own list states kept from frame to frame.
/// `ui::draw` reads the state and returns a new `Drawn`, which the runner keeps here: the mouse
/// hits what was drawn (no width is worked out twice), and a list keeps its scroll offset, so it
/// scrolls only when the cursor leaves the rows shown (as ratatui's table example keeps its
/// `TableState`). The cursor itself stays in the lists above; a frame copies it in.
///
/// Two kinds of fields: where things were drawn (`tabs`, `panes`, `covers`) is made afresh by
/// each frame; the list states (`lists`, `tokens`, `popup_list`) are carried from the last frame
/// into the next (`ui::draw` starts from them).
#[derive(Clone, Debug, Default)]
pub struct Drawn {
    /// The header's view tabs.
    pub tabs: Vec<(View, Rect)>,
    /// The panes of the body, left to right.
    pub panes: Vec<DrawnPane>,
    /// What was drawn over the panes (the tour's panel): a click there lands on nothing below.
    pub covers: Vec<Rect>,
    /// Each view's list (indexed as `View::ALL`).
    pub lists: [ListState; 6],
    /// The tokens pane of view 1.
    pub tokens: ListState,
    /// The list of the popup on top (the org picker, the plugins).
    pub popup_list: ListState,
}

/// A pane as drawn: its whole area and, when it draws a list, where the rows went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawnPane {
    pub focus: Focus,
    pub area: Rect,
    pub rows: Option<DrawnRows>,
}

/// The rows of a list as drawn: their area, the lines each row takes, and the index (among the
/// rows the list holds) of the first one shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DrawnRows {
    pub area: Rect,
    pub lines_per_row: u16,
    pub first: usize,
}

impl Drawn {
    /// The list state a frame starts from for `view`'s list: last frame's offset, the cursor now.
    pub fn list_state(&self, view: View, selected: Option<usize>) -> ListState {
        let mut list = self.lists[view.index()];
        list.select(selected);
        list
    }

    /// The rows of `view`'s paged list now start at row `to` of the whole list, not `from`:
    /// its scroll offset (counted from the loaded rows' first) moves with them, so the rows on
    /// screen stay where they were when the new window holds them.
    pub fn window_moved(&mut self, view: View, from: u64, to: u64) {
        let list = &mut self.lists[view.index()];
        let first = from.saturating_add(list.offset() as u64);
        *list.offset_mut() = usize::try_from(first.saturating_sub(to)).unwrap_or(0);
    }

    /// A pane was drawn at `area` (its rows, if it has a list, follow with [`Drawn::rows`]).
    pub fn pane(&mut self, focus: Focus, area: Rect) {
        self.panes.push(DrawnPane { focus, area, rows: None });
    }

    /// The list of pane `focus` was drawn in `area`, from row `first`.
    pub fn rows(&mut self, focus: Focus, area: Rect, lines_per_row: u16, first: usize) {
        if let Some(pane) = self.panes.iter_mut().rev().find(|p| p.focus == focus) {
            pane.rows = Some(DrawnRows { area, lines_per_row: lines_per_row.max(1), first });
        }
    }

    /// `view`'s list was drawn as the list pane's rows in `area` (one line per row).
    pub fn list(&mut self, view: View, area: Rect, list: ListState) {
        self.rows(Focus::List, area, 1, list.offset());
        self.lists[view.index()] = list;
    }
}

pub struct State {
    pub now: i64,
    pub options: Options,
    pub view: View,
    pub focus: Focus,
    pub filtering: bool,
    pub orgs: Vec<Org>,
    pub org: Option<Org>,
    /// Everything shown of `org`; replaced whole when the org changes.
    pub shown: OrgState,
    /// A group, role or org just created: selected when its list arrives.
    pub select_after_load: Option<String>,
    pub tour: Option<Tour>,
    /// The org whose account names the worker has loaded for short filters.
    pub filter_names_loaded: Option<i64>,
    /// Every org with its counts (view 4): not one org's, so kept across a switch.
    pub org_summaries: SimpleList<OrgSummary>,
    pub popups: Vec<Popup>,
    pub status: Option<Status>,
    /// Rows the list pane can show, for PgUp/PgDn (kept from the last resize).
    pub viewport_rows: u16,
    /// The terminal's size (from the last resize).
    pub screen_height: u16,
    pub screen_width: u16,
    pub quit: bool,
    /// Why the UI stopped on its own, printed after the terminal is restored.
    pub fatal: Option<String>,
    /// The last frame (kept by the runner; see [`Drawn`]).
    pub drawn: Drawn,
    next_request: u64,
}

impl State {
    pub fn new(now: i64, options: Options) -> State {
        let tour = options.tour.then_some(Tour { step: 0, hidden: false });
        State {
            now,
            options,
            view: View::Accounts,
            focus: Focus::List,
            filtering: false,
            orgs: Vec::new(),
            org: None,
            shown: OrgState::new(TokenPreset::default()),
            select_after_load: None,
            tour,
            filter_names_loaded: None,
            org_summaries: SimpleList::default(),
            popups: Vec::new(),
            status: None,
            viewport_rows: 20,
            screen_height: 29,
            screen_width: 120,
            quit: false,
            fatal: None,
            drawn: Drawn::default(),
            next_request: 0,
        }
    }

    /// A ticket for a read of `part`: its answer is the one that part waits for now.
    pub fn ask(&mut self, part: Part) -> Ticket {
        self.next_request += 1;
        let ticket = Ticket { part, id: self.next_request };
        self.shown.awaited.expect(ticket);
        ticket
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), kind: StatusKind::Info, until: self.now + STATUS_SECONDS });
    }

    /// Errors stay twice as long: they are never silent.
    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(Status { text: text.into(), kind: StatusKind::Error, until: self.now + 2 * STATUS_SECONDS });
    }

    /// The filter of the current view (every list view has one).
    pub fn filter(&self) -> Option<&TextLine> {
        if self.detail_filtered() {
            return Some(&self.shown.detail_filter);
        }
        match self.view {
            View::Accounts => Some(&self.shown.list.filter),
            View::Groups => Some(&self.shown.groups.filter),
            View::Roles => Some(&self.shown.roles.filter),
            View::Orgs => Some(&self.org_summaries.filter),
            View::Audit => Some(&self.shown.audit.filter),
            View::Tokens => Some(&self.shown.org_tokens.list.filter),
        }
    }

    pub fn filter_mut(&mut self) -> Option<&mut TextLine> {
        if self.detail_filtered() {
            return Some(&mut self.shown.detail_filter);
        }
        match self.view {
            View::Accounts => Some(&mut self.shown.list.filter),
            View::Groups => Some(&mut self.shown.groups.filter),
            View::Roles => Some(&mut self.shown.roles.filter),
            View::Orgs => Some(&mut self.org_summaries.filter),
            View::Audit => Some(&mut self.shown.audit.filter),
            View::Tokens => Some(&mut self.shown.org_tokens.list.filter),
        }
    }

    /// Whether `/` and the filter line are the detail pane's (an account's permissions).
    pub fn detail_filtered(&self) -> bool {
        self.view == View::Accounts && self.focus == Focus::Detail
    }

    /// The detail's permissions that its filter (`/` in the detail pane) lets through: by action,
    /// scope or source.
    pub fn shown_grants<'a>(&'a self, detail: &'a Detail) -> impl Iterator<Item = &'a Grant> + Clone + 'a {
        let needle = satui_domain::names::name_key(self.shown.detail_filter.value());
        detail.grants.iter().filter(move |g| {
            needle.is_empty()
                || satui_domain::names::name_key(&format!("{} {} {}", g.action, g.scope, g.sources.join(" ")))
                    .contains(&needle)
        })
    }

    /// The panes of the current view, left to right (Tab, h/l and clicks move between them).
    pub fn panes(&self) -> &'static [Focus] {
        match self.view {
            View::Accounts => &[Focus::List, Focus::Detail, Focus::Tokens],
            View::Tokens => &[Focus::List],
            _ => &[Focus::List, Focus::Detail],
        }
    }

    /// Where the cursor is among the rows the list pane holds (the loaded window, or the
    /// filtered rows of a list loaded whole).
    pub fn selected_in_window(&self) -> usize {
        match self.view {
            View::Accounts => self.shown.list.selected_in_window().unwrap_or(0),
            View::Groups => self.shown.groups.selected,
            View::Roles => self.shown.roles.selected,
            View::Orgs => self.org_summaries.selected,
            View::Audit => self.shown.audit.selected_in_window().unwrap_or(0),
            View::Tokens => self.shown.org_tokens.list.selected_in_window().unwrap_or(0),
        }
    }

    /// The roles an account or group can be given: the org's custom roles and the fixed ones
    /// (a basic role is set on the account; a plugin's role belongs to its plugin).
    pub fn assignable_roles(&self) -> Vec<String> {
        use satui_domain::role::RoleKind;
        self.shown
            .roles
            .rows
            .iter()
            .filter(|r| matches!(r.kind, RoleKind::Custom | RoleKind::Fixed))
            .map(|r| r.name.clone())
            .collect()
    }

    /// The live tokens of the selected account, when its detail is loaded.
    pub fn selected_live_tokens(&self) -> Option<usize> {
        let id = self.selected_account()?.id;
        self.shown.detail.as_ref().filter(|d| d.account.id == id).map(|d| d.live_tokens(self.now))
    }

    /// The footer's key hints as they apply now: `x enable` on a disabled account, and no edit
    /// keys on an account a plugin manages (they would only be refused).
    pub fn footer_hints(&self) -> Vec<String> {
        let account = match self.view {
            View::Accounts => self.selected_account(),
            _ => None,
        };
        let managed = account.is_some_and(|a| a.managed_by.is_some());
        let disabled = account.is_some_and(|a| a.disabled);
        // Keys that act on the selected row say nothing when there is none (an empty list), and
        // the change keys of a role say nothing on a role that cannot change.
        let on_list = self.popups.is_empty() && !self.filtering && self.focus == Focus::List;
        let selected = match self.view {
            View::Accounts => account.is_some(),
            View::Groups => self.shown.groups.selected().is_some(),
            View::Roles => self.shown.roles.selected().is_some(),
            View::Orgs => self.org_summaries.selected().is_some(),
            View::Tokens => self.shown.org_tokens.list.selected_row().is_some(),
            View::Audit => true,
        };
        let fixed_role = self.view == View::Roles && self.shown.roles.selected().is_some_and(|r| r.read_only());
        self.options.keys.footer_adjusted(&self.contexts(), |command, word| match command {
            Command::Edit
            | Command::ToggleDisabled
            | Command::NewToken
            | Command::AddItem
            | Command::RemoveItem
            | Command::Delete
            | Command::RotateToken
            | Command::RevokeToken
                if on_list && !selected =>
            {
                None
            }
            Command::Edit | Command::AddItem | Command::RemoveItem | Command::Delete if on_list && fixed_role => None,
            Command::ToggleDisabled if managed => None,
            Command::ToggleDisabled if disabled => Some("enable"),
            Command::Edit | Command::NewToken | Command::AddItem | Command::RemoveItem if managed => None,
            Command::Delete if managed => None,
            // The tour is the demo's; on a real store the key only says so.
            Command::Tour if !self.options.demo || self.tour.is_some_and(|t| !t.hidden) => None,
            _ => Some(word),
        })
    }

    /// Whether keys go into a line of text: the focused form field, or the filter.
    pub fn typing_text(&self) -> bool {
        match self.popups.last() {
            Some(Popup::Form(form)) => form.focused_is_text(),
            Some(Popup::Help { searching, .. }) => *searching,
            Some(Popup::CommandLine(_)) => true,
            None => self.filtering,
            _ => false,
        }
    }

    /// The contexts whose keys apply now, most specific first.
    pub fn contexts(&self) -> Vec<Context> {
        let mut contexts = self.own_contexts();
        if self.typing_text() {
            contexts.insert(0, Context::Text);
        }
        contexts
    }

    fn own_contexts(&self) -> Vec<Context> {
        match self.popups.last() {
            Some(Popup::Form(form)) if form.focused_is_pick() => vec![Context::Pick, Context::Form],
            Some(Popup::Help { searching: true, .. }) => vec![Context::Filter],
            Some(popup) => vec![popup.context()],
            None if self.filtering => vec![Context::Filter],
            None => {
                let mut contexts = match self.view {
                    View::Accounts if self.focus == Focus::Tokens => {
                        vec![Context::Tokens, Context::Accounts, Context::Panes]
                    }
                    View::Accounts => vec![Context::Accounts, Context::Panes],
                    View::Groups => vec![Context::Groups, Context::Panes],
                    View::Roles => vec![Context::Roles, Context::Panes],
                    View::Orgs => vec![Context::Orgs, Context::Panes],
                    View::Audit => vec![Context::Audit, Context::Panes],
                    View::Tokens => vec![Context::TokensView, Context::Panes],
                };
                if self.tour.is_some_and(|t| !t.hidden) {
                    contexts.push(Context::Tour);
                }
                contexts
            }
        }
    }

    /// The names the command line completes: the orgs, and the accounts loaded in view 1.
    pub fn completion_names(&self) -> (Vec<&str>, Vec<&str>) {
        (
            self.orgs.iter().map(|o| o.name.as_str()).collect(),
            self.shown.list.rows.iter().map(|a| a.name.as_str()).collect(),
        )
    }

    /// The account the detail and tokens panes are about, if it is loaded.
    pub fn selected_account(&self) -> Option<&Account> {
        self.shown.list.selected_row()
    }
}
