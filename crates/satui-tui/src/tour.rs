//! The guided tour of the demo (`satui demo --tour`, `T`): steps as data, each with what to
//! press, the pane it talks about, and the condition on the state that completes it. `update`
//! checks the condition after every action, so a step moves on when the user has done it.

use super::action::{TokenPreset, View};
use super::form::FormKind;
use super::state::{Focus, Popup, State, Tour};

/// The part of the screen a step talks about (drawn with a highlighted border).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spot {
    List,
    Detail,
    Tokens,
    /// The view tabs of the header.
    Tabs,
    /// A popup in the middle (a form or the token reveal).
    Popup,
}

/// What completes a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Done {
    /// The cursor left the first account.
    MovedInList,
    /// A new-token form is open.
    TokenForm,
    /// The token reveal is open.
    Revealed,
    /// No popup is open (a reveal or form was closed).
    PopupsClosed,
    /// The new-token form has Extended switched on.
    ExtendedOn,
    /// The rotate form (grace) is open.
    RotateForm,
    /// The selected account holds a token in its rotation grace.
    Retiring,
    /// This view is shown.
    ViewShown(View),
    /// The accounts view with the detail pane focused and a permission that comes from a group
    /// in view.
    GroupGrantInView,
    /// A plugin-managed account is selected.
    ManagedSelected,
    /// The tokens view shows a quick filter other than "all".
    FilterPicked,
    /// The last step: nothing completes it; Esc closes the tour.
    Never,
}

pub struct Step {
    pub title: &'static str,
    /// What the step shows, in a sentence or two.
    pub text: &'static str,
    /// What to press.
    pub press: &'static str,
    pub spot: Spot,
    pub done: Done,
}

/// The tour, in order. About ten steps, each one a concept and one thing to do.
pub const STEPS: &[Step] = &[
    Step {
        title: "Service accounts",
        text: "A service account is an identity for a program, not a person: no password, a basic role, maybe more roles and groups.",
        press: "j / k move through the list",
        spot: Spot::List,
        done: Done::MovedInList,
    },
    Step {
        title: "A token for it",
        text: "Programs sign in with API tokens. Make one for the selected account.",
        press: "t, type a name, then Enter",
        spot: Spot::Tokens,
        done: Done::Revealed,
    },
    Step {
        title: "Shown exactly once",
        text: "This is the only time the secret is shown: satui keeps only its hash. Copy it now. (With no clipboard, Enter asks \"Close anyway? y/n\": y closes.)",
        press: "c copies, Enter closes",
        spot: Spot::Popup,
        done: Done::PopupsClosed,
    },
    Step {
        title: "Lifetimes and Extended",
        text: "A token lives some days or never. Extended pushes the expiry forward by its max age at each use. Just look: no need to save.",
        press: "t, then Tab to Extended and Space",
        spot: Spot::Popup,
        done: Done::ExtendedOn,
    },
    Step {
        title: "Rotation with grace",
        text: "Rotating issues a new secret; with a grace the old one keeps working meanwhile, so a deploy switches without an outage.",
        press: "Tab Tab to the tokens, then R",
        spot: Spot::Tokens,
        done: Done::RotateForm,
    },
    Step {
        title: "Pick a grace",
        text: "Choose how long the old secret keeps working; it then shows as retiring.",
        press: "→ for 1 h, Enter, then c and Enter",
        spot: Spot::Popup,
        done: Done::Retiring,
    },
    Step {
        title: "Roles",
        text: "Basic roles (Viewer, Editor, Admin), Grafana's fixed roles and your own custom roles grant permissions.",
        press: "3",
        spot: Spot::Tabs,
        done: Done::ViewShown(View::Roles),
    },
    Step {
        title: "Where a permission comes from",
        text: "Every permission in an account's detail says where it comes from: its basic role, a role given to it, or a group.",
        press: "1, pick ci-deployer (in two groups), l to focus the detail, then j/k until a permission says ← … group",
        spot: Spot::Detail,
        done: Done::GroupGrantInView,
    },
    Step {
        title: "Groups",
        text: "A group gives its roles to every member: give a role once, not account by account.",
        press: "2",
        spot: Spot::Tabs,
        done: Done::ViewShown(View::Groups),
    },
    Step {
        title: "A plugin's account",
        text: "A plugin manages its own account and role; you may rotate or revoke its token if it leaks, not change it.",
        press: "1, / then type extsvc and Enter",
        spot: Spot::List,
        done: Done::ManagedSelected,
    },
    Step {
        title: "The audit log",
        text: "Every change is recorded with who did it and when (never a secret).",
        press: "5",
        spot: Spot::Tabs,
        done: Done::ViewShown(View::Audit),
    },
    Step {
        title: "Every token of the org",
        text: "View 6 lists all tokens by expiry, with quick filters for what needs attention.",
        press: "6, then f for the next filter",
        spot: Spot::List,
        done: Done::FilterPicked,
    },
    Step {
        title: "That's the tour",
        text: "On your own store: `satui` opens it (made on first run), `satui --help` lists the commands, `satui serve` speaks Grafana's API.",
        press: "Esc closes the tour; T brings it back",
        spot: Spot::Tabs,
        done: Done::Never,
    },
];

/// The step the tour is at.
pub fn current(tour: &Tour) -> &'static Step {
    &STEPS[tour.step.min(STEPS.len() - 1)]
}

/// What only the drawing's layout can tell: whether a permission the selected account holds
/// through a group is wholly on screen (`ui::group_grant_in_view`; update passes it in, so the
/// tour's rules do not depend on the drawing).
pub type InView = fn(&State) -> bool;

/// Whether the state shows that `done` has happened.
pub fn is_done(done: Done, state: &State, group_grant_in_view: InView) -> bool {
    let top_form = match state.popups.last() {
        Some(Popup::Form(form)) => Some(form),
        _ => None,
    };
    match done {
        Done::MovedInList => state.view == View::Accounts && state.shown.list.selected > 0,
        Done::TokenForm => top_form.is_some_and(|f| matches!(f.kind, FormKind::NewToken { .. })),
        Done::Revealed => matches!(state.popups.last(), Some(Popup::Reveal(_))),
        Done::PopupsClosed => state.popups.is_empty(),
        Done::ExtendedOn => top_form.is_some_and(|f| {
            matches!(f.kind, FormKind::NewToken { .. })
                && f.field(super::form::FieldKey::Extended).is_some_and(|x| x.is_on())
        }),
        Done::RotateForm => top_form.is_some_and(|f| matches!(f.kind, FormKind::RotateToken { .. })),
        Done::Retiring => state
            .shown
            .detail
            .as_ref()
            .is_some_and(|d| d.tokens.iter().any(|t| t.revoked_at.is_some_and(|at| at > state.now))),
        Done::ViewShown(view) => state.view == view && state.popups.is_empty(),
        Done::GroupGrantInView => {
            state.view == View::Accounts && state.focus == Focus::Detail && group_grant_in_view(state)
        }
        Done::ManagedSelected => {
            state.view == View::Accounts && state.selected_account().is_some_and(|a| a.managed_by.is_some())
        }
        Done::FilterPicked => state.view == View::Tokens && state.shown.org_tokens.preset != TokenPreset::All,
        Done::Never => false,
    }
}

/// What to press for `step` from where the user is: a step about the panes first closes a
/// window left open (a form, the new token), saying how; one whose first move is already made
/// skips it. So a step never says a key that would do something else here (Esc on no window
/// closes the tour).
pub fn press(step: &Step, state: &State) -> String {
    let own = match step.done {
        Done::RotateForm if state.view == View::Accounts && state.focus == Focus::Tokens => "R",
        Done::GroupGrantInView if state.view == View::Accounts && state.focus == Focus::Detail => {
            "j/k until a permission says ← … group (pick ci-deployer if this account is in none)"
        }
        _ => step.press,
    };
    if step.spot == Spot::Popup {
        return own.to_string();
    }
    let close = match state.popups.last() {
        None => return own.to_string(),
        Some(Popup::Reveal(reveal)) if reveal.confirm_close || reveal.confirm_quit => "y closes the token window",
        Some(Popup::Reveal(_)) => "Enter closes the token window (then y if it asks)",
        Some(Popup::Form(_)) => "Esc closes the form (nothing is saved)",
        Some(_) => "Esc closes this window",
    };
    format!("{close}; then {own}")
}

/// Moves the tour on while its current step is done (one action may complete more than one).
pub fn advance(state: &mut State, group_grant_in_view: InView) {
    while let Some(tour) = state.tour.filter(|t| !t.hidden) {
        if tour.step + 1 >= STEPS.len() || !is_done(current(&tour).done, state, group_grant_in_view) {
            return;
        }
        state.tour = Some(Tour { step: tour.step + 1, hidden: false });
    }
}
