//! Drawing of the secondary views: Groups, Roles, Orgs, Audit (a list on the left and the
//! selected item's detail on the right) and Tokens (one full-width table).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Margin, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Wrap};

use super::{Theme, clean, fit, group_digits};
use crate::action::{TokenPreset, View};
use crate::state::{Drawn, Focus, State};
use satui_domain::expiry::{TokenStatus, describe_state, span};
use satui_domain::role::RoleKind;
use satui_domain::time;

fn block(title: String, focused: bool, theme: Theme) -> Block<'static> {
    let block = Block::default().borders(Borders::ALL).title(title);
    if focused { block.border_style(theme.focused_border()) } else { block }
}

/// The list pane of a view, scrolled from where it was last frame.
struct ListPane {
    area: Rect,
    title: String,
    items: Vec<ListItem<'static>>,
    selected: Option<usize>,
}

fn list(frame: &mut Frame, drawn: &mut Drawn, pane: ListPane, state: &State, theme: Theme) {
    let focused = state.focus == Focus::List && state.popups.is_empty();
    let mut list_state = drawn.list_state(state.view, pane.selected);
    let widget = List::new(pane.items)
        .block(block(pane.title, focused, theme))
        .highlight_style(theme.selected())
        .highlight_symbol("▸ ");
    frame.render_stateful_widget(widget, pane.area, &mut list_state);
    drawn.list(state.view, pane.area.inner(Margin::new(1, 1)), list_state);
}

fn detail(frame: &mut Frame, area: Rect, title: String, lines: Vec<Line<'static>>, state: &State, theme: Theme) {
    let focused = state.focus != Focus::List && state.popups.is_empty();
    let title = if focused { format!("{title} (j/k scroll, Esc back)") } else { title };
    let scroll = if focused { state.shown.detail_scroll } else { 0 };
    let widget =
        Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)).block(block(title, focused, theme));
    frame.render_widget(widget, area);
}

/// "Roles (34)", or "Roles (3 of 34)" while a filter hides some.
fn count_title<T>(name: &str, shown: usize, all: &[T]) -> String {
    if shown == all.len() { format!("{name} ({shown})") } else { format!("{name} ({shown} of {})", all.len()) }
}

fn heading(text: &str, theme: Theme) -> Line<'static> {
    Line::from(Span::styled(text.to_string(), theme.accent()))
}

fn names(items: &[String]) -> String {
    if items.is_empty() { "—".to_string() } else { items.iter().map(|s| clean(s)).collect::<Vec<_>>().join(", ") }
}

pub fn draw(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, panes: &super::layout::Panes) {
    let Some(right) = panes.detail else {
        return org_tokens(state, drawn, theme, frame, panes.list);
    };
    let left = panes.list;
    match state.view {
        View::Groups => groups(state, drawn, theme, frame, left, right),
        View::Roles => roles(state, drawn, theme, frame, left, right),
        View::Orgs => orgs(state, drawn, theme, frame, left, right),
        View::Audit => audit(state, drawn, theme, frame, left, right),
        View::Accounts | View::Tokens => {}
    }
}

/// The tokens view's quick filters on the filter line, the current one marked.
pub fn preset_bar(state: &State, theme: Theme, room: u16) -> Line<'static> {
    let all: usize = TokenPreset::ALL.iter().map(|p| p.label().chars().count() + 3).sum();
    if all + 26 > usize::from(room) {
        // Narrow: only the current filter, where it is in the cycle, and the keys.
        let current = state.shown.org_tokens.preset;
        let position = TokenPreset::ALL.iter().position(|p| *p == current).unwrap_or(0) + 1;
        return Line::from(vec![
            Span::styled(" show: ", theme.dim()),
            Span::styled(format!("[{}]", current.label()), theme.accent()),
            Span::styled(format!("  {position}/{}  f/F next/previous", TokenPreset::ALL.len()), theme.dim()),
        ]);
    }
    let mut spans = vec![Span::styled(" show: ", theme.dim())];
    for preset in TokenPreset::ALL {
        if preset == state.shown.org_tokens.preset {
            spans.push(Span::styled(format!("[{}]", preset.label()), theme.accent()));
        } else {
            spans.push(Span::styled(format!(" {} ", preset.label()), theme.dim()));
        }
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(" f/F next/previous", theme.dim()));
    Line::from(spans)
}

/// View 6: every token of the org, soonest expiry first, one row each.
fn org_tokens(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, area: Rect) {
    let tokens = &state.shown.org_tokens;
    let list = &tokens.list;
    let of = if tokens.counted { group_digits(list.total) } else { "…".to_string() };
    let title = if !list.loaded {
        "Tokens (loading…)".to_string()
    } else if list.rows.is_empty() {
        format!("Tokens 0 of {of} · {}", tokens.preset.label())
    } else {
        let last = list.offset + list.rows.len() as u64;
        format!("Tokens {}–{} of {of} · {}", group_digits(list.offset + 1), group_digits(last), tokens.preset.label())
    };
    let now = state.now;
    // Columns: account, token name, hint, status, when it stops (with the date), last use.
    let inner = usize::from(area.width.saturating_sub(4));
    let wide = inner >= 110;
    let account_w = (inner * 18 / 100).clamp(10, 36);
    let name_w = (inner * 14 / 100).clamp(8, 30);
    // Under 100 columns the hint gives way, so the date of "stops" is never cut.
    let hint_w = if inner >= 96 { 9 } else { 0 };
    let status_w = 13;
    let used_w = if wide { 14 } else { 0 };
    let gaps = 6 + if hint_w > 0 { 2 } else { 0 } + if wide { 2 } else { 0 };
    let when_w = inner.saturating_sub(account_w + name_w + hint_w + status_w + used_w + gaps).max(10);
    let items: Vec<ListItem> = list
        .rows
        .iter()
        .map(|row| {
            let t = &row.token;
            let status = t.status(row.account_disabled, now);
            let style = match status {
                TokenStatus::Active => theme.ok(),
                TokenStatus::ExpiringSoon | TokenStatus::Retiring => theme.warn(),
                _ => theme.error(),
            };
            let when = describe_state(status, t.expires_at, t.revoked_at, now, true);
            let mut spans = vec![
                Span::raw(format!("{}  ", fit(&clean(&row.account_name), account_w))),
                Span::raw(format!("{}  ", fit(&clean(&t.name), name_w))),
            ];
            if hint_w > 0 {
                spans.push(Span::styled(format!("{}  ", fit(&t.hint, hint_w)), theme.dim()));
            }
            spans.push(Span::styled(format!("{}  ", fit(status.label(), status_w)), style));
            spans.push(Span::raw(format!("{}  ", fit(&when, when_w))));
            if wide {
                let used = t
                    .last_used_at
                    .map_or("never used".to_string(), |at| format!("used {} ago", span((now - at).max(0))));
                spans.push(Span::styled(fit(&used, used_w), theme.dim()));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let selected = list.selected_in_window();
    if list.loaded && list.rows.is_empty() {
        let hint = match tokens.preset {
            TokenPreset::All => "No tokens in this org yet. Create one from an account (1, then t).",
            _ => "No token matches this filter. f shows the next one.",
        };
        let focused = state.focus == Focus::List && state.popups.is_empty();
        frame.render_widget(Paragraph::new(Span::styled(hint, theme.dim())).block(block(title, focused, theme)), area);
        return;
    }
    let header_w =
        [("account", account_w), ("token", name_w), ("hint", hint_w), ("status", status_w), ("stops", when_w)];
    let mut header: String = "  ".to_string();
    for (label, w) in header_w.into_iter().filter(|(_, w)| *w > 0) {
        header.push_str(&fit(label, w));
        header.push_str("  ");
    }
    if wide {
        header.push_str("last use");
    }
    let [head, rows] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)])
        .areas(area.inner(ratatui::layout::Margin::new(1, 1)));
    list_widget(frame, area, title, state, theme);
    frame.render_widget(Paragraph::new(Span::styled(header, theme.dim())), head);
    let mut list_state = drawn.list_state(View::Tokens, selected);
    let widget = List::new(items).highlight_style(theme.selected()).highlight_symbol("▸ ");
    frame.render_stateful_widget(widget, rows, &mut list_state);
    drawn.list(View::Tokens, rows, list_state);
}

/// The frame of a full-width list (its rows are drawn inside by the caller).
fn list_widget(frame: &mut Frame, area: Rect, title: String, state: &State, theme: Theme) {
    let focused = state.focus == Focus::List && state.popups.is_empty();
    frame.render_widget(block(title, focused, theme), area);
}

fn groups(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, left: Rect, right: Rect) {
    let rows: Vec<_> = state.shown.groups.visible().collect();
    let items = rows
        .iter()
        .map(|g| {
            ListItem::new(Line::from(vec![
                Span::raw(clean(&g.group.name)),
                Span::styled(format!("  {} member(s)", g.members.len()), theme.dim()),
            ]))
        })
        .collect();
    let selected = (!rows.is_empty()).then_some(state.shown.groups.selected);
    list(
        frame,
        drawn,
        ListPane { area: left, title: count_title("Groups", rows.len(), &state.shown.groups.rows), items, selected },
        state,
        theme,
    );
    let Some(g) = state.shown.groups.selected() else {
        let hint = match (state.shown.groups.loaded, state.shown.groups.rows.is_empty()) {
            (false, _) => "loading…",
            (true, true) => "No groups yet. Press n to create one.",
            (true, false) => "Nothing matches the filter (Esc clears it).",
        };
        detail(frame, right, "Group".into(), vec![Line::from(Span::styled(hint, theme.dim()))], state, theme);
        return;
    };
    let lines = vec![
        Line::from(vec![Span::styled("description ", theme.dim()), Span::raw(clean(&g.group.description))]),
        Line::from(vec![Span::styled("created     ", theme.dim()), Span::raw(time::date(g.group.created_at))]),
        Line::from(""),
        heading("Members", theme),
        Line::from(names(&g.members)),
        Line::from(""),
        heading("Roles", theme),
        Line::from(names(&g.roles)),
        Line::from(""),
        Line::from(Span::styled("a adds a member or role, u removes one", theme.dim())),
    ];
    detail(frame, right, clean(&g.group.name), lines, state, theme);
}

fn roles(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, left: Rect, right: Rect) {
    let rows: Vec<_> = state.shown.roles.visible().collect();
    let items = rows
        .iter()
        .map(|r| {
            // Fixed roles name their Grafana group, so ninety of them stay navigable.
            let kind = match &r.group {
                Some(group) => group.clone(),
                None => r.kind.to_string(),
            };
            let inner = usize::from(left.width.saturating_sub(4));
            let kind_w = 16.min(inner / 3);
            let name_w = inner.saturating_sub(kind_w + 2);
            ListItem::new(Line::from(vec![
                Span::raw(format!("{}  ", super::fit_middle(&clean(&r.name), name_w))),
                Span::styled(fit(&kind, kind_w), theme.dim()),
            ]))
        })
        .collect();
    let selected = (!rows.is_empty()).then_some(state.shown.roles.selected);
    list(
        frame,
        drawn,
        ListPane { area: left, title: count_title("Roles", rows.len(), &state.shown.roles.rows), items, selected },
        state,
        theme,
    );
    let Some(role) = state.shown.roles.selected() else {
        detail(frame, right, "Role".into(), vec![Line::from(Span::styled("loading…", theme.dim()))], state, theme);
        return;
    };
    let mut lines = vec![
        Line::from(vec![
            Span::styled("kind        ", theme.dim()),
            Span::raw(role.kind.as_str()),
            Span::raw(role.group.as_ref().map(|g| format!(", group {g}")).unwrap_or_default()),
            Span::styled(if role.read_only() { "  (read-only)" } else { "" }, theme.dim()),
        ]),
        Line::from(vec![Span::styled("description ", theme.dim()), Span::raw(clean(&role.description))]),
        Line::from(""),
    ];
    match state.shown.role_detail.as_ref().filter(|d| d.name == role.name) {
        Some(d) => {
            lines.push(heading(&format!("Permissions ({})", d.permissions.len()), theme));
            lines.extend(d.permissions.iter().map(|p| {
                let unknown = !satui_domain::permission::is_recognised_action(&p.action);
                Line::from(vec![
                    Span::raw(format!("  {}", clean(&p.action))),
                    Span::styled(format!("  {}", clean(&p.scope)), theme.dim()),
                    Span::styled(if unknown { "  (unknown action)" } else { "" }, theme.warn()),
                ])
            }));
            lines.push(Line::from(""));
            lines.push(heading("Held by", theme));
            if role.kind == RoleKind::Basic {
                lines.push(Line::from("every account whose basic role it is"));
            } else {
                lines.push(Line::from(format!("accounts: {}", names(&d.accounts))));
                lines.push(Line::from(format!("groups:   {}", names(&d.groups))));
            }
        }
        None => lines.push(Line::from(Span::styled("loading…", theme.dim()))),
    }
    detail(frame, right, clean(&role.name), lines, state, theme);
}

fn orgs(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, left: Rect, right: Rect) {
    let rows: Vec<_> = state.org_summaries.visible().collect();
    let current = state.org.as_ref().map(|o| o.id);
    let items = rows
        .iter()
        .map(|s| {
            let mark = if Some(s.org.id) == current { "  (current)" } else { "" };
            ListItem::new(Line::from(vec![Span::raw(clean(&s.org.name)), Span::styled(mark, theme.dim())]))
        })
        .collect();
    let selected = (!rows.is_empty()).then_some(state.org_summaries.selected);
    let title = if state.org_summaries.loaded {
        count_title("Orgs", rows.len(), &state.org_summaries.rows)
    } else {
        "Orgs (loading…)".into()
    };
    list(frame, drawn, ListPane { area: left, title, items, selected }, state, theme);
    let Some(s) = state.org_summaries.selected() else {
        detail(frame, right, "Org".into(), vec![Line::from(Span::styled("loading…", theme.dim()))], state, theme);
        return;
    };
    let cap =
        s.org.max_token_lifetime_days.map_or("none".to_string(), |d| format!("{d} days (new tokens and extensions)"));
    let lines = vec![
        Line::from(vec![Span::styled("id          ", theme.dim()), Span::raw(s.org.id.to_string())]),
        Line::from(vec![Span::styled("accounts    ", theme.dim()), Span::raw(group_digits(s.accounts as u64))]),
        Line::from(vec![Span::styled("tokens      ", theme.dim()), Span::raw(group_digits(s.tokens as u64))]),
        Line::from(vec![Span::styled("token cap   ", theme.dim()), Span::raw(cap)]),
        Line::from(vec![Span::styled("created     ", theme.dim()), Span::raw(time::date(s.org.created_at))]),
        Line::from(""),
        Line::from(Span::styled("Enter switches to it; e edits name and cap; d deletes it", theme.dim())),
    ];
    detail(frame, right, clean(&s.org.name), lines, state, theme);
}

fn audit(state: &State, drawn: &mut Drawn, theme: Theme, frame: &mut Frame, left: Rect, right: Rect) {
    let audit = &state.shown.audit;
    let title = if audit.total == 0 {
        "Audit 0 of 0".to_string()
    } else {
        format!(
            "Audit {}–{} of {}",
            group_digits(audit.offset + 1),
            group_digits(audit.offset + audit.rows.len() as u64),
            group_digits(audit.total)
        )
    };
    let items = audit
        .rows
        .iter()
        .map(|e| {
            // Time, action, actor and target on the row; the details pane has the rest.
            // A narrow list drops the year from the time, to keep the target.
            let short_time = left.width < 60;
            let full = time::date_time(e.at);
            let time_text = if short_time { full.get(5..).unwrap_or(&full).to_string() } else { full.clone() };
            let room = usize::from(left.width.saturating_sub(4)).saturating_sub(time_text.chars().count() + 1);
            let action_w = 16.min(room);
            let actor_w = 10.min(room.saturating_sub(action_w + 1));
            let target_w = room.saturating_sub(action_w + actor_w + 2);
            let mut spans =
                vec![Span::styled(format!("{time_text} "), theme.dim()), Span::raw(fit(&clean(&e.action), action_w))];
            if actor_w >= 4 {
                spans.push(Span::styled(format!(" {}", fit(&clean(&e.actor), actor_w)), theme.dim()));
            }
            if target_w >= 6 {
                spans.push(Span::raw(format!(" {}", fit(&clean(&e.target), target_w))));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let selected = audit.selected_in_window();
    list(frame, drawn, ListPane { area: left, title, items, selected }, state, theme);
    let Some(e) = audit.selected_row() else {
        let hint = if audit.loaded { "No events match." } else { "loading…" };
        detail(frame, right, "Event".into(), vec![Line::from(Span::styled(hint, theme.dim()))], state, theme);
        return;
    };
    let inner = usize::from(right.width.saturating_sub(2));
    let lines: Vec<Line<'static>> = [
        ("time", time::date_time(e.at)),
        ("actor", clean(&e.actor)),
        ("action", clean(&e.action)),
        ("target", clean(&e.target)),
        ("details", clean(&e.details)),
    ]
    .iter()
    .flat_map(|(label, value)| super::labelled(label, value, inner, theme))
    .collect();
    detail(frame, right, format!("Event {}", e.id), lines, state, theme);
}
