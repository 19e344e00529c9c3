//! Drawing: `draw(&State, &mut Frame) -> Drawn` only reads state, and says where it drew
//! things (kept by the runner for the mouse and the next frame). One module per pane and popup.

pub mod layout;
mod panes;
mod popups;
mod tour;
mod views;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{ListState, Paragraph, Wrap};

use super::state::{Drawn, Popup, State};

pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// Styles, with a monochrome variant for NO_COLOR.
#[derive(Clone, Copy)]
pub struct Theme {
    mono: bool,
}

impl Theme {
    pub fn new(mono: bool) -> Theme {
        Theme { mono }
    }
    fn color(self, color: Color) -> Style {
        if self.mono { Style::default() } else { Style::default().fg(color) }
    }
    pub fn accent(self) -> Style {
        self.color(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub fn dim(self) -> Style {
        if self.mono { Style::default() } else { Style::default().fg(Color::DarkGray) }
    }
    pub fn error(self) -> Style {
        self.color(Color::Red).add_modifier(Modifier::BOLD)
    }
    pub fn warn(self) -> Style {
        self.color(Color::Yellow)
    }
    pub fn ok(self) -> Style {
        self.color(Color::Green)
    }
    pub fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn focused_border(self) -> Style {
        self.color(Color::Cyan)
    }
}

pub fn draw(state: &State, frame: &mut Frame) -> Drawn {
    // The lists start from last frame's scroll offsets; the rest is recorded afresh.
    let mut drawn = Drawn {
        lists: state.drawn.lists,
        tokens: state.drawn.tokens,
        // A popup's list scrolls on from the last frame while a popup with a list is on top.
        popup_list: match state.popups.last() {
            Some(Popup::OrgPicker { .. } | Popup::Plugins { .. }) => state.drawn.popup_list,
            _ => ListState::default(),
        },
        ..Drawn::default()
    };
    let area = frame.area();
    let theme = Theme::new(state.options.monochrome);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text =
            format!("terminal too small: satui needs {MIN_WIDTH}×{MIN_HEIGHT}, this is {}×{}", area.width, area.height);
        frame.render_widget(Paragraph::new(text).style(theme.warn()).wrap(Wrap { trim: true }), area);
        // Nothing to click on.
        return drawn;
    }
    let bands = layout::bands(area);
    panes::header(state, &mut drawn, theme, frame, bands.header);
    panes::filter_line(state, theme, frame, bands.filter);
    panes::body(state, &mut drawn, theme, frame, bands.body);
    panes::footer(state, theme, frame, bands.footer);
    // The tour under the popups: a form or the token reveal always stays whole.
    tour::draw(state, &mut drawn, theme, frame, area);
    popups::draw(state, &mut drawn, theme, frame, area);
    drawn
}

/// A rectangle of at most `width`×`height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height }
}

/// Text from the store made safe to draw: control characters, bidi controls and invisible
/// characters (which an old store or a foreign writer could hold) are shown as escapes, the same
/// way the CLI prints them ([`satui_domain::text::for_terminal`]).
pub fn clean(text: &str) -> String {
    satui_domain::text::for_terminal(text).into_owned()
}

/// A line being edited, as shown: its text, and for a focused line the column of the cursor
/// within it (the terminal's own cursor goes there: `Frame::set_cursor_position`).
pub struct Edited {
    pub text: String,
    pub cursor: Option<u16>,
}

/// At most `max` characters of `line` around the cursor; long lines scroll so the cursor stays
/// in view.
pub fn edited_line(line: &crate::form::TextLine, focused: bool, max: usize) -> Edited {
    let chars: Vec<char> = clean(line.value()).chars().collect();
    let cursor = line.cursor().min(chars.len());
    let max = max.max(2);
    let start = if chars.len() <= max { 0 } else { cursor.saturating_sub(max - 1).min(chars.len() - max + 1) };
    let end = (start + max).min(chars.len());
    let mut text: String = if start > 0 { "…".to_string() } else { String::new() };
    let first = start + usize::from(start > 0);
    let mut at = None;
    for (i, c) in chars.iter().enumerate().take(end).skip(first) {
        if focused && i == cursor {
            at = Some(width(&text));
        }
        text.push(*c);
    }
    if focused && cursor >= end {
        at = Some(width(&text));
    }
    Edited { cursor: at.map(|at| u16::try_from(at).unwrap_or(u16::MAX)), text }
}

/// Puts the terminal's cursor at `column` of row `row` in `area`, when that cell is inside it.
pub fn place_cursor(frame: &mut Frame, area: Rect, column: u16, row: u16) {
    let (x, y) = (area.x.saturating_add(column), area.y.saturating_add(row));
    if x < area.right() && y < area.bottom() {
        frame.set_cursor_position((x, y));
    }
}

/// How many terminal cells `text` takes, grapheme by grapheme (an emoji ZWJ sequence is one
/// wide grapheme, a letter with combining marks one narrow one).
pub fn width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}

/// `text` cut or padded with spaces to exactly `cells` wide; a cut ends in `…`. Never splits a
/// grapheme, so the columns after it line up whatever the text holds.
pub fn fit(text: &str, cells: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    let mut out = String::new();
    let mut used = 0;
    if width(text) <= cells {
        out.push_str(text);
        used = width(text);
    } else {
        for grapheme in text.graphemes(true) {
            let w = width(grapheme);
            if used + w + 1 > cells {
                break;
            }
            out.push_str(grapheme);
            used += w;
        }
        if cells > 0 {
            out.push('…');
            used += 1;
        }
    }
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(used)));
    out
}

/// `text` cut in the middle (or padded) to exactly `cells` wide: the start and the end stay, so
/// names that differ only at the end (`…inhibition-rules:reader` and `…:writer`) stay apart.
pub fn fit_middle(text: &str, cells: usize) -> String {
    use unicode_segmentation::UnicodeSegmentation;
    if width(text) <= cells || cells < 5 {
        return fit(text, cells);
    }
    let graphemes: Vec<&str> = text.graphemes(true).collect();
    let tail_budget = (cells - 1) / 2;
    let mut tail: Vec<&str> = Vec::new();
    let mut used = 0;
    for g in graphemes.iter().rev() {
        if used + width(g) > tail_budget {
            break;
        }
        used += width(g);
        tail.push(g);
    }
    tail.reverse();
    let head_budget = cells - 1 - used;
    let mut out = String::new();
    let mut head_used = 0;
    for g in &graphemes {
        if head_used + width(g) > head_budget {
            break;
        }
        head_used += width(g);
        out.push_str(g);
    }
    out.push('…');
    out.extend(tail);
    out.extend(std::iter::repeat_n(' ', cells.saturating_sub(head_used + 1 + used)));
    out
}

/// "1 204": thousands separated by a thin space, as in the design.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Styled text laid out in lines of at most `width` cells, breaking at spaces; lines after the
/// first hang `indent` cells in, so a wrapped permission stays under its own text instead of
/// running back to column 0. A word longer than a line is cut.
pub fn hanging(parts: Vec<(String, Style)>, width: usize, indent: usize) -> Vec<ratatui::text::Line<'static>> {
    use ratatui::text::{Line, Span};
    let width = width.max(indent + 8);
    let text: String = parts.iter().map(|(part, _)| part.as_str()).collect();
    // Where each part ends in `text`, to give the wrapped pieces their styles back.
    let mut ends = Vec::with_capacity(parts.len());
    let mut at = 0;
    for (part, style) in &parts {
        at += part.len();
        ends.push((at, *style));
    }
    let pad = " ".repeat(indent);
    // Break at spaces only: a date or a login is never split at its dashes.
    let options = textwrap::Options::new(width)
        .subsequent_indent(&pad)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(true);
    let mut lines = Vec::new();
    let mut searched = 0;
    for (n, line) in textwrap::wrap(&text, &options).iter().enumerate() {
        let body = if n == 0 { &line[..] } else { line.strip_prefix(pad.as_str()).unwrap_or(line) };
        // Each line is a piece of `text`: wrapping only drops the spaces where it breaks.
        let start = text[searched..].find(body).map_or(searched, |found| searched + found);
        let end = start + body.len();
        searched = end;
        let mut spans = if n == 0 { Vec::new() } else { vec![Span::raw(pad.clone())] };
        let mut from = start;
        for &(part_end, style) in &ends {
            let to = part_end.min(end);
            if to > from {
                spans.push(Span::styled(text[from..to].to_string(), style));
                from = to;
            }
        }
        lines.push(Line::from(spans));
    }
    lines
}

/// `label` in a 12-cell column, then `value`, wrapped under the value (never under the label).
pub fn labelled(label: &str, value: &str, width: usize, theme: Theme) -> Vec<ratatui::text::Line<'static>> {
    hanging(vec![(format!("{label:<12}"), theme.dim()), (value.to_string(), Style::default())], width, 12)
}

/// Whether a permission granted through a group is on the detail pane's screen: all its lines
/// lie between the scroll and the pane's last row, with the detail laid out by the drawing's
/// own code at the pane's width and height.
pub fn group_grant_in_view(state: &State) -> bool {
    let screen = ratatui::layout::Rect::new(0, 0, state.screen_width, state.screen_height);
    let body = layout::bands(screen).body;
    let Some(pane) = layout::panes(state, body).detail else { return false };
    let Some(detail) = state.shown.detail.as_ref() else { return false };
    let theme = Theme::new(state.options.monochrome);
    let laid_out = panes::detail_lines(state, detail, theme, usize::from(pane.width.saturating_sub(2)));
    let Some(lines) = laid_out.first_from_group else { return false };
    let top = usize::from(state.shown.detail_scroll);
    lines.start >= top && lines.end <= top + usize::from(pane.height.saturating_sub(2))
}
