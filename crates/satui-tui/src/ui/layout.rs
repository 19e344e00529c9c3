//! Where everything sits on the screen. The drawing lays out from here and records what it drew
//! where (`state::Drawn`); a click is read against that record, so it lands on what was drawn.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::action::View;
use crate::state::{Drawn, Focus, State};

/// Below this width the list gets half the screen (80×24 terminals).
pub const NARROW: u16 = 100;
/// From this width lists show extra columns (login, created, one line per token).
pub const WIDE: u16 = 160;

/// The four bands of the screen.
pub struct Bands {
    pub header: Rect,
    pub filter: Rect,
    pub body: Rect,
    pub footer: Rect,
}

pub fn bands(area: Rect) -> Bands {
    let [header, filter, body, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(5), Constraint::Length(1)])
            .areas(area);
    Bands { header, filter, body, footer }
}

/// The panes of the current view inside the body.
pub struct Panes {
    pub list: Rect,
    pub detail: Option<Rect>,
    pub tokens: Option<Rect>,
}

pub fn panes(state: &State, body: Rect) -> Panes {
    let list_percent = match (state.view, body.width) {
        (View::Tokens, _) => 100,
        (View::Audit, w) if w < NARROW => 65,
        (View::Audit, _) => 60,
        (_, w) if w < NARROW => 50,
        (View::Accounts, w) if w >= WIDE => 45,
        _ => 40,
    };
    if list_percent == 100 {
        return Panes { list: body, detail: None, tokens: None };
    }
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(list_percent), Constraint::Percentage(100 - list_percent)])
            .areas(body);
    if state.view != View::Accounts {
        return Panes { list: left, detail: Some(right), tokens: None };
    }
    let [detail, tokens] = Layout::vertical([Constraint::Percentage(55), Constraint::Min(6)]).areas(right);
    Panes { list: left, detail: Some(detail), tokens: Some(tokens) }
}

/// The view tabs of the header, right-aligned: full titles, or short ones when the org name
/// needs the room (`left` is the width the org part takes).
pub fn tabs(header: Rect, left: u16) -> Vec<(View, String, Rect)> {
    let full: Vec<String> = View::ALL.iter().enumerate().map(|(i, v)| format!("{} ({})", v.title(), i + 1)).collect();
    let short: Vec<String> = View::ALL.iter().enumerate().map(|(i, v)| format!("{} {}", i + 1, v.short())).collect();
    let width = |labels: &[String]| labels.iter().map(|l| l.chars().count() as u16 + 1).sum::<u16>();
    let labels = if width(&full) + left <= header.width { full } else { short };
    let total = width(&labels);
    let mut x = header.x + header.width.saturating_sub(total);
    View::ALL
        .iter()
        .zip(labels)
        .map(|(view, label)| {
            let w = label.chars().count() as u16;
            let rect = Rect { x, y: header.y, width: w.min(header.right().saturating_sub(x)), height: 1 };
            x += w + 1;
            (*view, label, rect)
        })
        .collect()
}

/// Lines per token in the tokens pane: one on a wide pane, two (what it is, then when) on a
/// narrow one so nothing is cut.
pub fn token_lines(pane: Rect) -> u16 {
    if pane.width >= 92 { 1 } else { 2 }
}

/// What a click at (`column`, `row`) lands on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hit {
    Tab(View),
    /// A row of a pane's list: the index among the rows drawn (from the list's first row).
    Row(Focus, usize),
    /// A pane, outside its rows.
    Pane(Focus),
}

fn inside(rect: Rect, column: u16, row: u16) -> bool {
    column >= rect.x && column < rect.right() && row >= rect.y && row < rect.bottom()
}

/// What a click at (`column`, `row`) lands on in the last frame drawn: nothing on a terminal
/// too small to draw, a tab, a row of a pane's list (counted from the first row shown), or a
/// pane.
pub fn hit(drawn: &Drawn, column: u16, row: u16) -> Option<Hit> {
    if drawn.covers.iter().any(|rect| inside(*rect, column, row)) {
        return None;
    }
    if let Some((view, _)) = drawn.tabs.iter().find(|(_, rect)| inside(*rect, column, row)) {
        return Some(Hit::Tab(*view));
    }
    let pane = drawn.panes.iter().find(|p| inside(p.area, column, row))?;
    match pane.rows {
        Some(rows) if inside(rows.area, column, row) => {
            Some(Hit::Row(pane.focus, rows.first + usize::from((row - rows.area.y) / rows.lines_per_row)))
        }
        _ => Some(Hit::Pane(pane.focus)),
    }
}
