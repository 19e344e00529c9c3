//! What can happen to the UI: commands from the keymap, raw input for text fields, and results
//! coming back from the database worker. `update` turns each into state changes and effects.

use crate::ticket::Ticket;
use crossterm::event::KeyEvent;

use satui_domain::permission::Permission;
use satui_service::{
    Account, AccountPage, AuditEvent, Field, Grant, GroupDetail, IssuedToken, Org, OrgSummary, OrgToken, RoleSummary,
    Token,
};

/// The views of the header (keys 1–6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum View {
    Accounts,
    Groups,
    Roles,
    Orgs,
    Audit,
    /// Every token of the org (view 6).
    Tokens,
}

impl View {
    pub const ALL: [View; 6] = [View::Accounts, View::Groups, View::Roles, View::Orgs, View::Audit, View::Tokens];

    /// Where the view sits in [`View::ALL`] (its key is one more).
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn title(self) -> &'static str {
        match self {
            View::Accounts => "Service accounts",
            View::Groups => "Groups",
            View::Roles => "Roles",
            View::Orgs => "Orgs",
            View::Audit => "Audit",
            View::Tokens => "Tokens",
        }
    }

    /// The title in a narrow header.
    pub fn short(self) -> &'static str {
        match self {
            View::Accounts => "Accounts",
            other => other.title(),
        }
    }
}

/// Intents a key can map to. The keymap table is the only place that ties keys to these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Command {
    Quit,
    ShowView(View),
    SwitchOrg,
    Filter,
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    /// Ctrl-D / Ctrl-U: half a page, as in vim and less.
    HalfPageDown,
    HalfPageUp,
    NextFocus,
    PrevFocus,
    /// h / l: the pane to the left or right (no wrapping).
    FocusLeft,
    FocusRight,
    /// Esc in the panes: back out one level (focus back to the list, then clear the filter,
    /// then leave the guided tour).
    Back,
    /// T: show or hide the guided tour (demo).
    Tour,
    /// While the tour is shown: `[` a step back, `]` the next step without doing this one,
    /// `{` back to the first step.
    TourBack,
    TourSkip,
    TourRestart,
    /// `:` opens the command line (`:tokens`, `:org Staging`, `:sa ci-bot`, `:q`).
    CommandLine,
    /// `P` in view 1: the org's plugins (register, re-register, unregister).
    Plugins,
    New,
    Edit,
    ToggleDisabled,
    NewToken,
    RotateToken,
    RevokeToken,
    Delete,
    Reload,
    Help,
    /// Add to the selection: a role to an account, a member or role to a group, a permission.
    AddItem,
    RemoveItem,
    // Popups and forms.
    Submit,
    Cancel,
    NextField,
    PrevField,
    CycleNext,
    CyclePrev,
    Yes,
    No,
    Copy,
    ClearFilter,
    /// Line editing in the focused text field or the filter.
    EditLine(LineEdit),
    /// The next / previous quick filter (tokens view).
    NextPreset,
    PrevPreset,
}

/// The tokens view's quick filters: what needs attention.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TokenPreset {
    #[default]
    All,
    ExpiringSoon,
    Retiring,
    Expired,
    Revoked,
    NeverUsed,
    Unused90Days,
    NeverExpires,
}

impl TokenPreset {
    pub const ALL: [TokenPreset; 8] = [
        TokenPreset::All,
        TokenPreset::ExpiringSoon,
        TokenPreset::Retiring,
        TokenPreset::Expired,
        TokenPreset::Revoked,
        TokenPreset::NeverUsed,
        TokenPreset::Unused90Days,
        TokenPreset::NeverExpires,
    ];

    pub fn label(self) -> &'static str {
        match self {
            TokenPreset::All => "all",
            TokenPreset::ExpiringSoon => "expiring ≤ 7 d",
            TokenPreset::Retiring => "retiring",
            TokenPreset::Expired => "expired",
            TokenPreset::Revoked => "revoked",
            TokenPreset::NeverUsed => "never used",
            TokenPreset::Unused90Days => "unused ≥ 90 d",
            TokenPreset::NeverExpires => "never expires",
        }
    }

    /// The store's filter for this preset.
    pub fn filter(self) -> satui_service::OrgTokenFilter {
        use satui_service::{OrgTokenFilter, StateFilter};
        let day = satui_domain::expiry::DAY;
        match self {
            TokenPreset::All => OrgTokenFilter::default(),
            TokenPreset::ExpiringSoon => OrgTokenFilter {
                expiring_within: Some(satui_domain::expiry::EXPIRING_SOON_DAYS * day),
                ..Default::default()
            },
            TokenPreset::Retiring => OrgTokenFilter { state: Some(StateFilter::Retiring), ..Default::default() },
            TokenPreset::Expired => OrgTokenFilter { state: Some(StateFilter::Expired), ..Default::default() },
            TokenPreset::Revoked => OrgTokenFilter { state: Some(StateFilter::Revoked), ..Default::default() },
            TokenPreset::NeverUsed => OrgTokenFilter { never_used: true, ..Default::default() },
            TokenPreset::Unused90Days => OrgTokenFilter { unused_for: Some(90 * day), ..Default::default() },
            TokenPreset::NeverExpires => OrgTokenFilter { never_expires: true, ..Default::default() },
        }
    }

    /// The next (or previous) preset, wrapping.
    pub fn step(self, forward: bool) -> TokenPreset {
        let n = TokenPreset::ALL.len();
        let i = TokenPreset::ALL.iter().position(|p| *p == self).unwrap_or(0);
        TokenPreset::ALL[if forward { (i + 1) % n } else { (i + n - 1) % n }]
    }
}

/// Line-editing operations for text fields and the filter, as a shell line edits (readline).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineEdit {
    Left,
    Right,
    WordLeft,
    WordRight,
    Home,
    End,
    DeleteBack,
    DeleteForward,
    DeleteWordBack,
    DeleteWordForward,
    /// Ctrl-U: delete from the start of the line to the cursor.
    DeleteToStart,
    /// Ctrl-K: delete from the cursor to the end of the line.
    DeleteToEnd,
}

/// Where a list selection should land after a (re)load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Select {
    /// Keep this absolute row index (clamped to the new total).
    Index(u64),
    /// Put the cursor on this account wherever it now sits in the order.
    Account(i64),
}

/// A result from the database worker or the clipboard.
#[derive(Debug)]
pub enum Outcome {
    Orgs(Vec<Org>),
    Accounts {
        ticket: Ticket,
        page: AccountPage,
        selected: u64,
    },
    Detail {
        ticket: Ticket,
        account: Account,
        tokens: Vec<Token>,
        groups: Vec<String>,
        roles: Vec<String>,
        grants: Vec<Grant>,
    },
    Groups {
        ticket: Ticket,
        groups: Vec<GroupDetail>,
    },
    Roles {
        ticket: Ticket,
        roles: Vec<RoleSummary>,
    },
    RoleDetail {
        ticket: Ticket,
        name: String,
        permissions: Vec<Permission>,
        accounts: Vec<String>,
        groups: Vec<String>,
    },
    OrgSummaries(Vec<OrgSummary>),
    /// A page of the tokens view.
    OrgTokens {
        ticket: Ticket,
        rows: Vec<OrgToken>,
        offset: u64,
        selected: u64,
    },
    /// Names for the member picker, answering the query typed.
    AccountSuggestions {
        query: String,
        names: Vec<String>,
    },
    /// The tokens view's total, counted after its page.
    OrgTokenCount {
        ticket: Ticket,
        total: u64,
    },
    Audit {
        ticket: Ticket,
        rows: Vec<AuditEvent>,
        offset: u64,
        total: u64,
        selected: u64,
    },
    /// A change from a secondary view's form or confirmation succeeded.
    Saved {
        message: String,
    },
    /// The selected account no longer exists.
    DetailGone {
        ticket: Ticket,
    },
    AccountSaved {
        account: Account,
        message: String,
    },
    AccountDeleted {
        message: String,
    },
    TokenIssued {
        issued: IssuedToken,
        account: String,
    },
    TokenChanged {
        message: String,
    },
    /// The plugins registered in the org shown.
    Plugins(Vec<satui_service::PluginSummary>),
    /// A plugin was registered, re-registered or unregistered.
    PluginChanged {
        message: String,
    },
    /// Tab in a path field: `typed` completed to `completed`; `choices` entries start so.
    PathCompleted {
        typed: String,
        completed: String,
        choices: Vec<String>,
    },
    /// A form's submission was refused; `field` says where the message goes.
    Rejected {
        field: Option<Field>,
        message: String,
    },
    Failed(String),
    /// A read with a ticket failed: said only while its answer is still awaited.
    ReadFailed {
        ticket: Ticket,
        message: String,
    },
    /// The UI cannot go on (the store file was deleted under it): stop with this message.
    Fatal(String),
    /// Another process changed the store.
    ExternalChange,
    Copied(Result<String, String>),
    ClipboardCleared,
}

impl Outcome {
    /// The ticket of the read this answers, for the reads whose answers may be stale.
    pub fn ticket(&self) -> Option<Ticket> {
        match self {
            Outcome::Accounts { ticket, .. }
            | Outcome::Detail { ticket, .. }
            | Outcome::DetailGone { ticket }
            | Outcome::Groups { ticket, .. }
            | Outcome::Roles { ticket, .. }
            | Outcome::RoleDetail { ticket, .. }
            | Outcome::OrgTokens { ticket, .. }
            | Outcome::OrgTokenCount { ticket, .. }
            | Outcome::Audit { ticket, .. }
            | Outcome::ReadFailed { ticket, .. } => Some(*ticket),
            // Listed one by one, so a new answer has to say whether it can be stale.
            Outcome::Orgs(_)
            | Outcome::OrgSummaries(_)
            | Outcome::AccountSuggestions { .. }
            | Outcome::Saved { .. }
            | Outcome::AccountSaved { .. }
            | Outcome::AccountDeleted { .. }
            | Outcome::TokenIssued { .. }
            | Outcome::TokenChanged { .. }
            | Outcome::Plugins(_)
            | Outcome::PluginChanged { .. }
            | Outcome::PathCompleted { .. }
            | Outcome::Rejected { .. }
            | Outcome::Failed(_)
            | Outcome::Fatal(_)
            | Outcome::ExternalChange
            | Outcome::Copied(_)
            | Outcome::ClipboardCleared => None,
        }
    }
}

// Actions are built once per event and moved straight into `update`; boxing the big result
// variant would buy nothing measurable.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Action {
    /// A key press, mapped through the keymap by `update`.
    Key(KeyEvent),
    Command(Command),
    /// A character typed into the focused text field or the filter.
    Type(char),
    /// Pasted text (bracketed paste), for the focused text field.
    Paste(String),
    /// Time passes: status messages fade, timers fire. Carries Unix seconds.
    Tick(i64),
    Resize {
        width: u16,
        height: u16,
    },
    /// The mouse wheel at a place on the screen: it scrolls the pane under the pointer.
    Wheel {
        column: u16,
        row: u16,
        down: bool,
    },
    /// A left click at a screen cell.
    Click {
        column: u16,
        row: u16,
    },
    Done(Outcome),
}
