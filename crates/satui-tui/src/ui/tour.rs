//! The guided tour's panel and the border it draws around the part of the screen a step talks
//! about. The panel sits in the corner away from that part, so it never hides it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::{Theme, layout};
use crate::state::State;
use crate::tour::{self, STEPS, Spot};

const PANEL_WIDTH: u16 = 46;

pub fn draw(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
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
    lines.extend(super::hanging(vec![(format!("▶ {}", step.press), highlight)], inner, 2));
    let height = (lines.len() as u16 + 2).min(bands.body.height);
    // Away from what the step talks about: right when it is the list (or the tabs), else left.
    let right = matches!(step.spot, Spot::List | Spot::Tabs);
    let x = if right { area.right().saturating_sub(width + 1) } else { area.x + 1 };
    let y = bands.body.bottom().saturating_sub(height + 1);
    let rect = Rect { x, y, width, height };
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(highlight)
        .title(Span::styled(format!(" Tour {}/{} · {} ", tour.step + 1, STEPS.len(), step.title), highlight))
        .title_bottom(Line::from(Span::styled(" Esc leaves · T resumes ", theme.dim())));
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
