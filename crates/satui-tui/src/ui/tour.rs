//! The guided tour's panel and the border it draws around the part of the screen a step talks
//! about. The panel takes the first corner of the body that leaves that part uncovered (at 80×24,
//! where the panes stack, that may be the top), so it never hides what the step talks about.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{Theme, layout};
use crate::state::{Drawn, State};
use crate::tour::{self, STEPS, Spot};

const PANEL_WIDTH: u16 = 46;

pub fn draw(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some(tour) = state.tour.filter(|t| !t.hidden) else { return };
    let step = tour::current(&tour);
    let bands = layout::bands(area);
    let panes = layout::panes(state, bands.body);
    let spot = match step.spot {
        Spot::List => Some(panes.list),
        Spot::Detail => panes.detail,
        Spot::Tokens => panes.tokens,
        Spot::Tabs => Some(bands.header),
        Spot::Popup => None,
    };
    let highlight = theme.warn().add_modifier(Modifier::BOLD);
    if let Some(rect) = spot.filter(|_| step.spot != Spot::Tabs) {
        // The sides and the bottom only: the pane keeps its title.
        let sides = Borders::LEFT | Borders::RIGHT | Borders::BOTTOM;
        let inner = Rect { y: rect.y + 1, height: rect.height.saturating_sub(1), ..rect };
        frame.render_widget(Block::default().borders(sides).border_style(highlight), inner);
    }
    let width = PANEL_WIDTH.min(area.width.saturating_sub(2));
    let inner = usize::from(width.saturating_sub(2));
    let mut lines = super::hanging(vec![(step.text.to_string(), ratatui::style::Style::default())], inner, 0);
    lines.push(Line::from(""));
    lines.extend(super::hanging(vec![(format!("▶ {}", tour::press(step, state)), highlight)], inner, 2));
    let height = (lines.len() as u16 + 2).min(bands.body.height);
    let rect = place(width, height, bands.body, spot.filter(|_| step.spot != Spot::Tabs));
    frame.render_widget(Clear, rect);
    drawn.covers.push(rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(highlight)
        .title(Span::styled(format!(" Tour {}/{} · {} ", tour.step + 1, STEPS.len(), step.title), highlight))
        .title_bottom(Line::from(Span::styled(" [ back · ] skip · { restart · Esc leaves ", theme.dim())));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}

/// Where the panel goes in `body`: the first of its corners (bottom right, bottom left, top right,
/// top left) that does not cover `spot`; when each would, the one covering least of it.
pub fn place(width: u16, height: u16, body: Rect, spot: Option<Rect>) -> Rect {
    let left = body.x + 1;
    let right = body.right().saturating_sub(width + 1).max(left);
    let top = body.y + 1;
    let bottom = body.bottom().saturating_sub(height + 1).max(top);
    let corners = [(right, bottom), (left, bottom), (right, top), (left, top)]
        .map(|(x, y)| Rect { x, y, width, height }.intersection(body));
    let covered = |rect: &Rect| spot.map_or(0, |spot| rect.intersection(spot).area());
    corners.into_iter().min_by_key(|rect| covered(rect)).unwrap_or(body)
}
