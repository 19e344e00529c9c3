//! The header, filter line, the three panes and the footer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Wrap};

use super::{Theme, clean, edited_line, fit, group_digits, width};
use crate::action::View;
use crate::state::{Detail, Drawn, Focus, State, StatusKind};
use satui_domain::expiry::{TokenStatus, describe_state, span};
use satui_domain::time;

pub fn header(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, area: Rect) {
    // The org name gives way first (cut to 30 cells), so the ▾ and the tabs always show.
    let org = state.org.as_ref().map_or("…".to_string(), |o| clean(&o.name));
    let org = if width(&org) > 30 { fit(&org, 30) } else { org };
    let mut left = vec![Span::styled(" satui ", theme.accent()), Span::raw("─ "), Span::raw(format!("{org} ▾"))];
    if state.options.demo {
        left.push(Span::raw(" "));
        left.push(Span::styled(" DEMO ", theme.warn().add_modifier(ratatui::style::Modifier::REVERSED)));
    }
    let left = Line::from(left);
    let left_width = u16::try_from(left.width()).unwrap_or(u16::MAX);
    frame.render_widget(Paragraph::new(left), area);
    for (view, label, rect) in super::layout::tabs(area, left_width) {
        drawn.tabs.push((view, rect));
        let style = if view == state.view {
            theme.accent().add_modifier(ratatui::style::Modifier::UNDERLINED)
        } else {
            theme.dim()
        };
        frame.render_widget(Paragraph::new(Span::styled(label, style)), rect);
    }
}

pub fn filter_line(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let width = usize::from(area.width).saturating_sub(32).max(8);
    // The tokens view keeps its quick filter in sight beside a typed account filter.
    let preset = if state.view == View::Tokens {
        Span::styled(format!("  · show: [{}] f/F", state.shown.org_tokens.preset.label()), theme.dim())
    } else {
        Span::raw("")
    };
    if let Some(crate::state::Popup::CommandLine(typed)) = state.popups.last() {
        let (orgs, accounts) = state.completion_names();
        let rest = crate::command_line::suggestion(typed.value(), &orgs, &accounts).unwrap_or_default();
        let hint = if typed.is_empty() { crate::command_line::SUMMARY.to_string() } else { String::new() };
        let edited = edited_line(typed, true, width);
        let line = Line::from(vec![
            Span::styled(" :", theme.accent()),
            Span::raw(edited.text),
            Span::styled(clean(&rest), theme.dim()),
            Span::styled(hint, theme.dim()),
        ]);
        frame.render_widget(Paragraph::new(line), area);
        if let Some(column) = edited.cursor {
            super::place_cursor(frame, area, 2 + column, 0);
        }
        return;
    }
    if let Some(filter) = state.filter().filter(|_| state.filtering) {
        let edited = edited_line(filter, true, width);
        if let Some(column) = edited.cursor {
            super::place_cursor(frame, area, 11 + column, 0);
        }
    }
    let line = match state.filter() {
        Some(filter) if state.filtering => Line::from(vec![
            Span::styled(" / filter: ", theme.accent()),
            Span::raw(edited_line(filter, true, width).text),
            preset,
        ]),
        Some(filter) if !filter.is_empty() => Line::from(vec![
            Span::raw(" / filter: "),
            Span::raw(edited_line(filter, false, width).text),
            Span::styled("  (Esc clears)", theme.dim()),
            preset,
        ]),
        Some(_) if state.view == View::Tokens => super::views::preset_bar(state, theme, area.width),
        Some(_) => {
            let what = match state.view {
                View::Accounts if state.detail_filtered() => "the permissions' action, scope or source",
                View::Audit => "action, actor or target",
                View::Groups => "name, member or role",
                View::Roles => "name, kind or group",
                View::Orgs => "name",
                _ => "name or login",
            };
            Line::from(Span::styled(format!(" / to filter by {what}"), theme.dim()))
        }
        None => Line::from(""),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn block(title: String, focused: bool, theme: Theme) -> Block<'static> {
    let block = Block::default().borders(Borders::ALL).title(title);
    if focused { block.border_style(theme.focused_border()) } else { block }
}

pub fn body(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, area: Rect) {
    let panes = super::layout::panes(state, area);
    drawn.pane(Focus::List, panes.list);
    if let Some(detail) = panes.detail {
        drawn.pane(Focus::Detail, detail);
    }
    if let Some(tokens) = panes.tokens {
        drawn.pane(Focus::Tokens, tokens);
    }
    if state.view != View::Accounts {
        super::views::draw(state, drawn, theme, frame, &panes);
        return;
    }
    account_list(state, drawn, theme, frame, panes.list);
    if let Some(detail) = panes.detail {
        account_detail(state, theme, frame, detail);
    }
    if let Some(tokens) = panes.tokens {
        token_list(state, drawn, theme, frame, tokens);
    }
}

fn account_list(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, area: Rect) {
    let list = &state.shown.list;
    let title = if !list.loaded {
        "Service accounts (loading…)".to_string()
    } else if list.total == 0 {
        "Service accounts 0 of 0".to_string()
    } else {
        let first = list.offset + 1;
        let last = list.offset + list.rows.len() as u64;
        format!("Service accounts {}–{} of {}", group_digits(first), group_digits(last), group_digits(list.total))
    };
    let focused = state.focus == Focus::List && state.popups.is_empty();
    let outer = block(title, focused, theme);
    if list.loaded && list.total == 0 {
        let hint = if list.filter.is_empty() {
            "No service accounts yet. Press n to create one."
        } else {
            "Nothing matches the filter."
        };
        frame.render_widget(Paragraph::new(hint).style(theme.dim()).wrap(Wrap { trim: true }).block(outer), area);
        return;
    }
    // Columns: name (as wide as the longest, within the pane), role, status; on a wide pane
    // also the login and the creation date.
    let inner = usize::from(area.width.saturating_sub(4));
    let wide = inner >= 80;
    let fixed = 8 + 10 + if wide { 2 + 28 + 2 + 10 } else { 0 };
    let longest = list.rows.iter().map(|a| width(&clean(&a.name))).max().unwrap_or(4);
    let name_w = longest.min(inner.saturating_sub(fixed)).max(8);
    let login_w = if wide { (inner.saturating_sub(name_w + 18 + 14)).min(40) } else { 0 };
    let items: Vec<ListItem> = list
        .rows
        .iter()
        .map(|a| {
            let (status, style) = match (a.disabled, a.managed_by.is_some()) {
                (true, _) => ("disabled", theme.warn()),
                (false, true) => ("managed", theme.dim()),
                _ => ("", theme.dim()),
            };
            let mut spans = vec![
                Span::raw(format!("{}  ", fit(&clean(&a.name), name_w))),
                Span::styled(format!("{:<8}", a.role.to_string()), theme.dim()),
                Span::styled(format!("{status:<10}"), style),
            ];
            if wide {
                spans.push(Span::styled(format!("{}  ", fit(&clean(&a.login), login_w)), theme.dim()));
                spans.push(Span::styled(time::date(a.created_at), theme.dim()));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let mut list_state = drawn.list_state(View::Accounts, list.selected_in_window());
    let widget = List::new(items).block(outer).highlight_style(theme.selected()).highlight_symbol("▸ ");
    frame.render_stateful_widget(widget, area, &mut list_state);
    drawn.list(View::Accounts, area.inner(Margin::new(1, 1)), list_state);
}

fn account_detail(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = state.focus == Focus::Detail && state.popups.is_empty();
    let selected = state.selected_account();
    let detail = state.shown.detail.as_ref().filter(|d| Some(d.account.id) == selected.map(|a| a.id));
    let Some(detail) = detail else {
        let text = if selected.is_some() { "loading…" } else { "" };
        frame.render_widget(
            Paragraph::new(text).style(theme.dim()).block(block("Details".into(), focused, theme)),
            area,
        );
        return;
    };
    let a = &detail.account;
    let lines = detail_lines(state, detail, theme, usize::from(area.width.saturating_sub(2))).lines;
    let title = if focused { format!("{} (j/k scroll)", clean(&a.name)) } else { clean(&a.name) };
    let widget = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((state.shown.detail_scroll, 0))
        .block(block(title, focused, theme));
    frame.render_widget(widget, area);
}

/// The account detail's lines as drawn `inner` columns wide, and the lines of the first
/// permission that comes from a group (the tour waits for them to be on screen).
pub struct DetailLines {
    pub lines: Vec<Line<'static>>,
    pub first_from_group: Option<std::ops::Range<usize>>,
}

pub fn detail_lines(state: &State, detail: &Detail, theme: Theme, inner: usize) -> DetailLines {
    let a = &detail.account;
    let label = |text: &'static str| Span::styled(format!("{text:<12}"), theme.dim());
    // A labelled line that wraps under its value, never back under the label.
    let labelled = |text: &'static str, value: Vec<(String, Style)>| {
        let mut parts = vec![(format!("{text:<12}"), theme.dim())];
        parts.extend(value);
        super::hanging(parts, inner, 12)
    };
    let status = if a.disabled { Span::styled("disabled", theme.warn()) } else { Span::styled("enabled", theme.ok()) };
    let plain = |text: String| vec![(text, Style::default())];
    let mut lines = labelled("login", plain(clean(&a.login)));
    lines.push(Line::from(vec![label("role"), Span::raw(a.role.to_string()), Span::raw("   "), status]));
    lines.extend(labelled(
        "created",
        vec![
            (format!("{}   ", time::date(a.created_at)), Style::default()),
            ("updated ".to_string(), theme.dim()),
            (time::date(a.updated_at), Style::default()),
        ],
    ));
    if let Some(plugin) = &a.managed_by {
        lines.extend(labelled("managed by", plain(format!("plugin {} (read-only)", clean(plugin)))));
    }
    let description =
        if a.description.is_empty() { "—".to_string() } else { clean(&a.description.replace(['\n', '\t'], " ")) };
    lines.extend(labelled("description", plain(description)));
    let list_or_dash = |items: &[String]| if items.is_empty() { "—".to_string() } else { clean(&items.join(", ")) };
    lines.extend(labelled("groups", plain(list_or_dash(&detail.groups))));
    lines.extend(labelled("roles", plain(list_or_dash(&detail.roles))));
    let shown: Vec<_> = state.shown_grants(detail).collect();
    let heading = if satui_domain::names::name_key(state.shown.detail_filter.value()).is_empty() {
        format!("permissions ({})", detail.grants.len())
    } else {
        format!(
            "permissions ({} of {} matching '{}')",
            shown.len(),
            detail.grants.len(),
            clean(state.shown.detail_filter.value())
        )
    };
    lines.push(Line::from(Span::styled(heading, theme.accent())));
    let mut first_from_group = None;
    for grant in shown {
        let start = lines.len();
        let unknown = !satui_domain::permission::is_recognised_action(&grant.action);
        let mut parts =
            vec![(format!("  {} ", clean(&grant.action)), Style::default()), (clean(&grant.scope), Style::default())];
        if unknown {
            parts.push((" (unknown action)".to_string(), theme.warn()));
        }
        parts.push((format!("  ← {}", clean(&grant.sources.join(", "))), theme.dim()));
        lines.extend(super::hanging(parts, inner, 4));
        if first_from_group.is_none() && grant.sources.iter().any(|s| s.starts_with("group ")) {
            first_from_group = Some(start..lines.len());
        }
    }
    DetailLines { lines, first_from_group }
}

fn token_list(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = state.focus == Focus::Tokens && state.popups.is_empty();
    let selected = state.selected_account().map(|a| a.id);
    let Some(detail) = state.shown.detail.as_ref().filter(|d| Some(d.account.id) == selected) else {
        frame.render_widget(block("Tokens".into(), focused, theme), area);
        return;
    };
    let outer = block(format!("Tokens ({})", detail.tokens.len()), focused, theme);
    if detail.tokens.is_empty() {
        let hint = "No tokens. Press t to create one.";
        frame.render_widget(Paragraph::new(hint).style(theme.dim()).block(outer), area);
        return;
    }
    let now = state.now;
    let name_width = detail.tokens.iter().map(|t| width(&clean(&t.name))).max().unwrap_or(4).min(32);
    let one_line = super::layout::token_lines(area) == 1;
    let items: Vec<ListItem> = detail
        .tokens
        .iter()
        .map(|t| {
            let status = t.status(detail.account.disabled, now);
            let status_style = match status {
                TokenStatus::Active => theme.ok(),
                TokenStatus::ExpiringSoon | TokenStatus::Retiring => theme.warn(),
                _ => theme.error(),
            };
            let when = describe_state(status, t.expires_at, t.revoked_at, now, area.width >= 60);
            let mut facts = vec![when];
            if let Some(days) = t.max_age_days {
                facts.push(format!("extended {days} d"));
            }
            facts.push(
                t.last_used_at.map_or("never used".to_string(), |at| format!("used {} ago", span((now - at).max(0)))),
            );
            let what = vec![
                Span::raw(format!("{}  ", fit(&clean(&t.name), name_width))),
                Span::styled(format!("{}  ", t.hint), theme.dim()),
                Span::styled(fit(status.label(), 13), status_style),
            ];
            if one_line {
                let mut spans = what;
                spans.push(Span::styled(format!("  {}", facts.join(" · ")), theme.dim()));
                ListItem::new(Line::from(spans))
            } else {
                ListItem::new(vec![
                    Line::from(what),
                    Line::from(Span::styled(format!("  {}", facts.join(" · ")), theme.dim())),
                ])
            }
        })
        .collect();
    let highlight = if focused { theme.selected() } else { ratatui::style::Style::default() };
    let mut list_state = drawn.tokens;
    list_state.select(Some(detail.selected_token));
    let widget =
        List::new(items).block(outer).highlight_style(highlight).highlight_symbol(if focused { "▸ " } else { "  " });
    frame.render_stateful_widget(widget, area, &mut list_state);
    let lines = super::layout::token_lines(area);
    drawn.rows(Focus::Tokens, area.inner(Margin::new(1, 1)), lines, list_state.offset());
    drawn.tokens = list_state;
}

pub fn footer(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let status = state.status.as_ref().map(|s| {
        let style = if s.kind == StatusKind::Error { theme.error() } else { theme.ok() };
        Span::styled(format!("{} ", clean(&s.text)), style)
    });
    let status_width = status.as_ref().map_or(0, |s| s.width() as u16).min(area.width);
    // Whole hints only, as many as fit beside the status: the status wins the space.
    let room = usize::from(area.width.saturating_sub(status_width + 2));
    // `? help` and `q quit` always show (at the end); the view's own keys fill what is left.
    let all = state.footer_hints();
    let (last, first): (Vec<&String>, Vec<&String>) =
        all.iter().partition(|l| l.ends_with(" help") || l.ends_with(" quit"));
    let tail = last.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("  ");
    let mut hints = String::new();
    for label in first {
        let extra = label.chars().count() + 2;
        if hints.chars().count() + extra + tail.chars().count() > room {
            break;
        }
        hints.push_str(label);
        hints.push_str("  ");
    }
    hints.push_str(&tail);
    let [l, r] = Layout::horizontal([Constraint::Min(0), Constraint::Length(status_width)]).areas(area);
    frame.render_widget(Paragraph::new(Span::styled(format!(" {hints}"), theme.dim())), l);
    if let Some(status) = status {
        frame.render_widget(Paragraph::new(status).alignment(ratatui::layout::Alignment::Right), r);
    }
}
