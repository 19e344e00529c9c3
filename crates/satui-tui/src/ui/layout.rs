//! Where everything sits on the screen, for drawing and for mouse clicks alike: one function
//! decides, so a click lands on what was drawn there.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::action::View;
use crate::state::{Focus, State};

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

/// The first item a list shows when item `selected` must be visible in `rows` lines of
/// `lines_per_item` each (what ratatui's List does with a fresh state).
pub fn first_visible(selected: usize, rows: u16, lines_per_item: u16) -> usize {
    let fits = usize::from((rows / lines_per_item.max(1)).max(1));
    (selected + 1).saturating_sub(fits)
}

pub fn hit(state: &State, width: u16, height: u16, column: u16, row: u16) -> Option<Hit> {
    if width < super::MIN_WIDTH || height < super::MIN_HEIGHT {
        return None; // only "terminal too small" is drawn
    }
    let area = Rect { x: 0, y: 0, width, height };
    let bands = bands(area);
    if inside(bands.header, column, row) {
        let left = header_left_width(state);
        return tabs(bands.header, left)
            .into_iter()
            .find(|(_, _, r)| inside(*r, column, row))
            .map(|(v, _, _)| Hit::Tab(v));
    }
    let panes = panes(state, bands.body);
    // As many lines per token as the tokens pane draws at this width.
    let tokens_lines = panes.tokens.map_or(2, token_lines);
    let regions = [
        (Focus::List, Some(panes.list), 1),
        (Focus::Detail, panes.detail, 0),
        (Focus::Tokens, panes.tokens, tokens_lines),
    ];
    for (pane, rect, lines) in regions {
        let Some(rect) = rect else { continue };
        if !inside(rect, column, row) {
            continue;
        }
        let mut inner = rect.inner(ratatui::layout::Margin::new(1, 1));
        if state.view == View::Tokens {
            // The tokens view's column headings take the first line.
            inner.y += 1;
            inner.height = inner.height.saturating_sub(1);
        }
        if lines == 0 || !inside(inner, column, row) {
            return Some(Hit::Pane(pane));
        }
        let selected = match pane {
            Focus::Tokens => state.shown.detail.as_ref().map_or(0, |d| d.selected_token),
            _ => state.selected_in_window(),
        };
        let first = first_visible(selected, inner.height, lines);
        let index = first + usize::from((row - inner.y) / lines);
        return Some(Hit::Row(pane, index));
    }
    None
}

/// How wide the header's left part (app name, org, DEMO) is drawn.
pub fn header_left_width(state: &State) -> u16 {
    let org = state.org.as_ref().map_or(1, |o| super::width(&super::clean(&o.name)).min(30) as u16);
    9 + org + 2 + if state.options.demo { 7 } else { 0 } + 1
}
