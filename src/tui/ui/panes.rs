//! The header, filter line, the three panes and the footer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState, Paragraph, Wrap};

use super::{Theme, clean, edited_line, fit, group_digits, width};
use crate::domain::expiry::{TokenStatus, describe_state, span};
use crate::domain::time;
use crate::tui::action::View;
use crate::tui::state::{Focus, State, StatusKind};

pub fn header(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    // The org name gives way first (cut to 30 cells), so the ▾ and the tabs always show.
    let org = state.org.as_ref().map_or("…".to_string(), |o| clean(&o.name));
    let org = if width(&org) > 30 { fit(&org, 30) } else { org };
    let mut left = vec![Span::styled(" satui ", theme.accent()), Span::raw("─ "), Span::raw(format!("{org} ▾"))];
    if state.options.demo {
        left.push(Span::raw(" "));
        left.push(Span::styled(" DEMO ", theme.warn().add_modifier(ratatui::style::Modifier::REVERSED)));
    }
    frame.render_widget(Paragraph::new(Line::from(left)), area);
    for (view, label, rect) in super::layout::tabs(area, super::layout::header_left_width(state)) {
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
    let line = match state.filter() {
        Some(filter) if state.filtering => {
            Line::from(vec![Span::styled(" / filter: ", theme.accent()), Span::raw(edited_line(filter, true, width))])
        }
        Some(filter) if !filter.is_empty() => Line::from(vec![
            Span::raw(" / filter: "),
            Span::raw(edited_line(filter, false, width)),
            Span::styled("  (Esc in / clears)", theme.dim()),
        ]),
        Some(_) => {
            let what = match state.view {
                View::Audit => "action, actor or target",
                View::Groups => "name, member or role",
                View::Roles => "name, kind or group",
                View::Orgs => "name",
                _ => "name or login",
            };
            Line::from(Span::styled(format!(" / to filter by {what}"), theme.dim()))
        }
        None if state.view == View::Tokens => super::views::preset_bar(state, theme),
        None => Line::from(""),
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn block(title: String, focused: bool, theme: Theme) -> Block<'static> {
    let block = Block::default().borders(Borders::ALL).title(title);
    if focused { block.border_style(theme.focused_border()) } else { block }
}

pub fn body(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let panes = super::layout::panes(state, area);
    if state.view != View::Accounts {
        super::views::draw(state, theme, frame, &panes);
        return;
    }
    account_list(state, theme, frame, panes.list);
    if let Some(detail) = panes.detail {
        account_detail(state, theme, frame, detail);
    }
    if let Some(tokens) = panes.tokens {
        token_list(state, theme, frame, tokens);
    }
}

fn account_list(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let list = &state.list;
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
    let items: Vec<ListItem> = list
        .rows
        .iter()
        .map(|a| {
            let mut spans =
                vec![Span::raw(clean(&a.name)), Span::raw("  "), Span::styled(a.role.to_string(), theme.dim())];
            if a.disabled {
                spans.push(Span::styled("  disabled", theme.warn()));
            }
            if a.managed_by.is_some() {
                spans.push(Span::styled("  managed", theme.dim()));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let selected =
        list.selected.checked_sub(list.offset).and_then(|i| usize::try_from(i).ok()).filter(|i| *i < list.rows.len());
    let mut list_state = ListState::default().with_selected(selected);
    let widget = List::new(items).block(outer).highlight_style(theme.selected()).highlight_symbol("▸ ");
    frame.render_stateful_widget(widget, area, &mut list_state);
}

fn account_detail(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = state.focus == Focus::Detail && state.popups.is_empty();
    let selected = state.selected_account();
    let detail = state.detail.as_ref().filter(|d| Some(d.account.id) == selected.map(|a| a.id));
    let Some(detail) = detail else {
        let text = if selected.is_some() { "loading…" } else { "" };
        frame.render_widget(
            Paragraph::new(text).style(theme.dim()).block(block("Details".into(), focused, theme)),
            area,
        );
        return;
    };
    let a = &detail.account;
    let label = |text: &'static str| Span::styled(format!("{text:<12}"), theme.dim());
    let status = if a.disabled { Span::styled("disabled", theme.warn()) } else { Span::styled("enabled", theme.ok()) };
    let mut lines = vec![
        Line::from(vec![label("login"), Span::raw(clean(&a.login))]),
        Line::from(vec![label("role"), Span::raw(a.role.to_string()), Span::raw("   "), status]),
        Line::from(vec![
            label("created"),
            Span::raw(time::date(a.created_at)),
            Span::raw("   "),
            Span::styled("updated ", theme.dim()),
            Span::raw(time::date(a.updated_at)),
        ]),
    ];
    if let Some(plugin) = &a.managed_by {
        lines.push(Line::from(vec![label("managed by"), Span::raw(format!("plugin {} (read-only)", clean(plugin)))]));
    }
    let description =
        if a.description.is_empty() { "—".to_string() } else { clean(&a.description.replace(['\n', '\t'], " ")) };
    lines.push(Line::from(vec![label("description"), Span::raw(description)]));
    let list_or_dash = |items: &[String]| if items.is_empty() { "—".to_string() } else { clean(&items.join(", ")) };
    lines.push(Line::from(vec![label("groups"), Span::raw(list_or_dash(&detail.groups))]));
    lines.push(Line::from(vec![label("roles"), Span::raw(list_or_dash(&detail.roles))]));
    lines.push(Line::from(Span::styled(format!("permissions ({})", detail.grants.len()), theme.accent())));
    let inner = usize::from(area.width.saturating_sub(2));
    for grant in &detail.grants {
        let unknown = !crate::domain::permission::is_recognised_action(&grant.action);
        let mut parts =
            vec![(format!("  {} ", clean(&grant.action)), Style::default()), (clean(&grant.scope), Style::default())];
        if unknown {
            parts.push((" (unknown action)".to_string(), theme.warn()));
        }
        parts.push((format!("  ← {}", clean(&grant.sources.join(", "))), theme.dim()));
        lines.extend(super::hanging(parts, inner, 4));
    }
    let title = if focused { format!("{} (j/k scroll)", clean(&a.name)) } else { clean(&a.name) };
    let widget = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((state.detail_scroll, 0))
        .block(block(title, focused, theme));
    frame.render_widget(widget, area);
}

fn token_list(state: &State, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = state.focus == Focus::Tokens && state.popups.is_empty();
    let selected = state.selected_account().map(|a| a.id);
    let Some(detail) = state.detail.as_ref().filter(|d| Some(d.account.id) == selected) else {
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
    // Two lines per token, so nothing is cut in a narrow pane: what it is, then when.
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
            ListItem::new(vec![
                Line::from(vec![
                    Span::raw(format!("{}  ", fit(&clean(&t.name), name_width))),
                    Span::styled(format!("{}  ", t.hint), theme.dim()),
                    Span::styled(status.label(), status_style),
                ]),
                Line::from(Span::styled(format!("  {}", facts.join(" · ")), theme.dim())),
            ])
        })
        .collect();
    let highlight = if focused { theme.selected() } else { ratatui::style::Style::default() };
    let mut list_state = ListState::default().with_selected(Some(detail.selected_token));
    let widget =
        List::new(items).block(outer).highlight_style(highlight).highlight_symbol(if focused { "▸ " } else { "  " });
    frame.render_stateful_widget(widget, area, &mut list_state);
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
    let (last, first): (Vec<&str>, Vec<&str>) = all.iter().partition(|l| **l == "? help" || **l == "q quit");
    let tail = last.join("  ");
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
