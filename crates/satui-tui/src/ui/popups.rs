//! Popups over the panes: forms, y/n confirmations, the token reveal, help, the org switcher.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, Paragraph, Wrap};

use super::{Theme, centered, clean, edited_line};
use crate::form::{Form, Input};
use crate::keymap::{self, Keymap};
use crate::state::{Drawn, Popup, Reveal, State};

pub fn draw(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, area: Rect) {
    // Only the top popup is drawn over the panes: a confirmation never hides behind a form.
    let Some(popup) = state.popups.last() else { return };
    match popup {
        Popup::Form(form) => draw_form(form, &state.options.keys, theme, frame, area),
        Popup::Confirm { message, .. } => {
            let lines = vec![Line::from(clean(message)), Line::from(""), hints(&state.options.keys, popup, theme)];
            boxed(frame, area, theme, "Confirm", lines, 60);
        }
        Popup::Reveal(reveal) => draw_reveal(reveal, &state.options.keys, popup, theme, frame, area),
        Popup::Help { scroll, first, search, searching } => {
            draw_help(&state.options.keys, *scroll, first, (search.value(), *searching), theme, frame, area)
        }
        // Drawn in the filter row (`panes::filter_line`), not over the panes.
        Popup::CommandLine(_) => {}
        Popup::OrgPicker { selected } => {
            let rect = centered(area, 50, (state.orgs.len() as u16 + 4).min(area.height));
            frame.render_widget(Clear, rect);
            let items: Vec<ListItem> = state
                .orgs
                .iter()
                .map(|o| {
                    let current = state.org.as_ref().is_some_and(|c| c.id == o.id);
                    ListItem::new(format!("{}{}", clean(&o.name), if current { "  (current)" } else { "" }))
                })
                .collect();
            let block = Block::default().borders(Borders::ALL).title("Switch organization").title_bottom(hints(
                &state.options.keys,
                popup,
                theme,
            ));
            let mut list_state = drawn.popup_list.with_selected(Some(*selected));
            frame.render_stateful_widget(
                List::new(items).block(block).highlight_style(theme.selected()),
                rect,
                &mut list_state,
            );
            drawn.popup_list = list_state;
        }
        Popup::Plugins { rows, selected } => {
            draw_plugins(state, drawn, rows.as_deref(), *selected, popup, theme, frame, area)
        }
    }
}

/// The org's plugins: id, managed account, permissions and live tokens.
#[allow(clippy::too_many_arguments)]
fn draw_plugins(
    state: &State,
    drawn: &mut Drawn,
    rows: Option<&[satui_service::PluginSummary]>,
    selected: usize,
    popup: &Popup,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let org = state.org.as_ref().map_or(String::new(), |o| clean(&o.name));
    let items: Vec<ListItem> = match rows {
        None => vec![ListItem::new(Span::styled("loading…", theme.dim()))],
        Some([]) => vec![ListItem::new(Span::styled(
            "No plugin is registered in this org: n registers one from its plugin.json.",
            theme.dim(),
        ))],
        Some(rows) => rows
            .iter()
            .map(|p| {
                let tokens = if p.live_tokens == 1 {
                    "1 live token".to_string()
                } else {
                    format!("{} live tokens", p.live_tokens)
                };
                ListItem::new(format!(
                    "{:<28} {:<34} {:>4} permissions  {tokens}",
                    super::fit(&clean(&p.plugin_id), 28),
                    super::fit(&clean(&p.account.name), 34),
                    p.permissions
                ))
            })
            .collect(),
    };
    let rect = centered(area, 100, (items.len() as u16 + 2).clamp(4, area.height));
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!("Plugins of {org}"))
        .title_bottom(hints(&state.options.keys, popup, theme))
        .border_style(theme.focused_border());
    let selected = rows.filter(|r| !r.is_empty()).map(|_| selected);
    let mut list_state = drawn.popup_list.with_selected(selected);
    frame.render_stateful_widget(
        List::new(items).block(block).highlight_style(theme.selected()),
        rect,
        &mut list_state,
    );
    drawn.popup_list = list_state;
}

fn hints(keys: &Keymap, popup: &Popup, theme: Theme) -> Line<'static> {
    Line::from(Span::styled(keys.footer(&[popup.context()]).join("  "), theme.dim()))
}

fn boxed(frame: &mut Frame, area: Rect, theme: Theme, title: &str, lines: Vec<Line<'static>>, width: u16) -> Rect {
    // Rough wrapped height so long messages are not cut.
    let height = wrapped_height(&lines, width) + 2;
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(title.to_string()).border_style(theme.focused_border());
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), rect);
    rect
}

const FORM_WIDTH: u16 = 72;

fn draw_form(form: &Form, keys: &Keymap, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut lines: Vec<Line<'static>> = Vec::new();
    // Labels in a column as wide as the longest plus two spaces, so none runs into its value;
    // messages under a field line up with the values.
    let label_width = form.fields.iter().map(|f| f.label.chars().count()).max().unwrap_or(0) + 2;
    let indent = label_width + 2;
    // Where the terminal's cursor goes: (row, column) inside the box.
    let mut cursor: Option<(u16, u16)> = None;
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let marker = if focused { "▸ " } else { "  " };
        let label_style = if !field.enabled {
            theme.dim()
        } else if focused {
            theme.accent()
        } else {
            ratatui::style::Style::default()
        };
        let mut edited_at = None;
        let value = match &field.input {
            Input::Text(line) => {
                let edited = edited_line(line, focused, 44);
                edited_at = edited.cursor;
                edited.text
            }
            Input::Choice { options, index } => format!("◂ {} ▸", options.get(*index).cloned().unwrap_or_default()),
            Input::Toggle(on) => {
                if *on {
                    "[x]".to_string()
                } else {
                    "[ ]".to_string()
                }
            }
            Input::Pick(picker) if focused => {
                let count = format!("  {} of {}", picker.matches.len(), picker.options.len());
                let edited = edited_line(&picker.query, true, 30);
                edited_at = edited.cursor;
                format!("{}{count}", edited.text)
            }
            Input::Pick(picker) => match picker.value("") {
                Ok(value) => clean(&value),
                Err(_) => clean(picker.query.value()),
            },
        };
        let value_style = if field.enabled { ratatui::style::Style::default() } else { theme.dim() };
        // Without colour, dim may not show: a disabled field says so in words.
        let off = if field.enabled { "" } else { "  (off)" };
        if let Some(column) = edited_at {
            let row = wrapped_height(&lines, FORM_WIDTH);
            let lead = super::width(marker) + label_width.max(super::width(field.label));
            cursor = Some((row, u16::try_from(lead).unwrap_or(u16::MAX).saturating_add(column)));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("{marker}{:<label_width$}", field.label), label_style),
            Span::styled(value, value_style),
            Span::styled(off, value_style),
        ]));
        if let (Input::Pick(picker), true) = (&field.input, focused) {
            lines.extend(pick_list(picker, indent, theme));
        }
        if let Some(error) = &field.error {
            // Under the value, wrapped under it.
            let parts = vec![(" ".repeat(indent), theme.error()), (clean(error), theme.error())];
            lines.extend(super::hanging(parts, FORM_WIDTH as usize - 2, indent));
        }
    }
    if let Some(error) = &form.error {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(clean(error), theme.error())));
    }
    if let Some(note) = &form.note {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(clean(note), theme.dim())));
    }
    lines.push(Line::from(""));
    let contexts: &[keymap::Context] =
        if form.focused_is_pick() { &[keymap::Context::Pick, keymap::Context::Form] } else { &[keymap::Context::Form] };
    let footer = if form.busy { "saving…".to_string() } else { keys.footer(contexts).join("  ") };
    lines.push(Line::from(Span::styled(footer, theme.dim())));
    let rect = boxed(frame, area, theme, &clean(&form.title), lines, FORM_WIDTH);
    if let Some((row, column)) = cursor {
        super::place_cursor(frame, rect.inner(ratatui::layout::Margin::new(1, 1)), column, row);
    }
}

/// How many rows `lines` take in a box `width` wide (borders included in `width`), as `boxed`
/// counts them.
fn wrapped_height(lines: &[Line<'_>], width: u16) -> u16 {
    let inner = width.saturating_sub(2).max(1) as usize;
    lines.iter().map(|l| l.width().max(1).div_ceil(inner) as u16).sum()
}

/// The matches of a focused picker under it: up to six around the highlighted one.
fn pick_list(picker: &crate::form::Picker, indent: usize, theme: Theme) -> Vec<Line<'static>> {
    const SHOWN: usize = 6;
    if picker.matches.is_empty() {
        let text = if picker.free && !picker.query.is_empty() {
            "not in the list: the name as typed is used"
        } else {
            "nothing matches"
        };
        return vec![Line::from(Span::styled(format!("{}{text}", " ".repeat(indent)), theme.dim()))];
    }
    let first = picker.index.saturating_sub(SHOWN - 1).min(picker.matches.len().saturating_sub(SHOWN));
    let width = (FORM_WIDTH as usize).saturating_sub(indent + 4);
    picker
        .matches
        .iter()
        .enumerate()
        .skip(first)
        .take(SHOWN)
        .map(|(position, option)| {
            let text = super::fit_middle(&clean(&picker.options[*option]), width);
            let hits = picker.matched_chars(&text);
            let (lead, style) = if position == picker.index {
                (format!("{}▸ ", " ".repeat(indent.saturating_sub(2))), theme.selected())
            } else {
                (" ".repeat(indent), theme.dim())
            };
            let mut spans = vec![Span::styled(lead, style)];
            spans.extend(highlighted(&text, &hits, style));
            Line::from(spans)
        })
        .collect()
}

/// `text` in `style`, the characters at `hits` (char positions) underlined and bold: what the
/// query matched.
fn highlighted(text: &str, hits: &[usize], style: ratatui::style::Style) -> Vec<Span<'static>> {
    let hit_style = style.add_modifier(Modifier::BOLD | Modifier::UNDERLINED);
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_is_hit = false;
    for (i, c) in text.chars().enumerate() {
        let is_hit = hits.binary_search(&i).is_ok();
        if is_hit != run_is_hit && !run.is_empty() {
            spans.push(Span::styled(std::mem::take(&mut run), if run_is_hit { hit_style } else { style }));
        }
        run_is_hit = is_hit;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_is_hit { hit_style } else { style }));
    }
    spans
}

fn draw_reveal(reveal: &Reveal, keys: &Keymap, popup: &Popup, theme: Theme, frame: &mut Frame, area: Rect) {
    let mut lines = vec![
        Line::from(format!("Token {} for {}, {}.", reveal.token_name, clean(&reveal.account), reveal.expires)),
        Line::from(""),
        Line::from(Span::styled(reveal.secret.expose().to_string(), theme.accent().add_modifier(Modifier::BOLD))),
        Line::from(""),
        Line::from(Span::styled("This is the only time it is shown.", theme.warn())),
    ];
    if reveal.copied {
        lines.push(Line::from(Span::styled(reveal.copied_to.clone(), theme.ok())));
    }
    lines.push(Line::from(""));
    if reveal.confirm_quit {
        lines.push(Line::from(Span::styled("Not copied. Quit anyway? y or Ctrl-C quits, n goes back", theme.error())));
    } else if reveal.confirm_close {
        lines.push(Line::from(Span::styled("Not copied. Close anyway?", theme.error())));
    }
    lines.push(hints(keys, popup, theme));
    boxed(frame, area, theme, "New token", lines, 64);
}

fn draw_help(
    keys: &Keymap,
    scroll: u16,
    first: &[keymap::Context],
    (search, searching): (&str, bool),
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let mut lines = Vec::new();
    let needle = search.trim().to_lowercase();
    if searching || !needle.is_empty() {
        lines.push(Line::from(Span::styled(format!("/{}", super::clean(search)), theme.accent())));
        lines.push(Line::from(""));
    }
    for (title, rows) in keys.help_sections_for(first) {
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|(keys, help)| {
                needle.is_empty() || keys.to_lowercase().contains(&needle) || help.to_lowercase().contains(&needle)
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        lines.push(Line::from(Span::styled(title.to_string(), theme.accent())));
        for (keys, help) in rows {
            lines.push(Line::from(vec![Span::raw(format!("  {keys:<16}")), Span::raw(help)]));
        }
        lines.push(Line::from(""));
    }
    let rect = centered(area, 72, area.height.saturating_sub(2));
    // A resize may leave the offset past the end: show the last page instead of an empty box.
    let scroll =
        scroll.min(u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_sub(rect.height.saturating_sub(2)));
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title("Help — keys")
        .title_bottom(Line::from(Span::styled(
            format!(" {} ", keys.footer(&[keymap::Context::Help]).join("  ")),
            theme.dim(),
        )))
        .border_style(theme.focused_border());
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)).block(block), rect);
    if searching && scroll == 0 {
        let column = u16::try_from(1 + super::width(&super::clean(search))).unwrap_or(u16::MAX);
        super::place_cursor(frame, rect.inner(ratatui::layout::Margin::new(1, 1)), column, 0);
    }
}
