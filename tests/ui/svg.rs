//! A ratatui `Buffer` as an SVG picture: one `<text>` per row with `<tspan>` runs of the same
//! style, background rectangles, foreground and background colours per cell, bold, dim, italic,
//! underlined and reversed. Deterministic: the same buffer gives the same bytes.

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

const CELL_WIDTH: f64 = 8.4;
const LINE_HEIGHT: f64 = 17.0;
const FONT_SIZE: f64 = 14.0;
const PADDING: f64 = 10.0;
const DEFAULT_FG: &str = "#d4d4d4";
const DEFAULT_BG: &str = "#1b1d23";

/// A terminal palette for a dark background (the 16 named colours).
fn named(color: Color) -> Option<&'static str> {
    Some(match color {
        Color::Black => "#282c34",
        Color::Red => "#e06c75",
        Color::Green => "#98c379",
        Color::Yellow => "#e5c07b",
        Color::Blue => "#61afef",
        Color::Magenta => "#c678dd",
        Color::Cyan => "#56b6c2",
        Color::Gray => "#abb2bf",
        Color::DarkGray => "#6b717d",
        Color::LightRed => "#ff8a94",
        Color::LightGreen => "#b5e890",
        Color::LightYellow => "#ffd68a",
        Color::LightBlue => "#8cc8ff",
        Color::LightMagenta => "#e09cf0",
        Color::LightCyan => "#7fd6e0",
        Color::White => "#ffffff",
        _ => return None,
    })
}

/// `color` as `#rrggbb`, or None for the terminal's default (`Reset`).
fn hex(color: Color) -> Option<String> {
    match color {
        Color::Reset => None,
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => Some(indexed(i)),
        other => named(other).map(str::to_string),
    }
}

/// The xterm 256-colour palette.
fn indexed(i: u8) -> String {
    const BASIC: [Color; 16] = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    match i {
        0..=15 => named(BASIC[usize::from(i)]).unwrap_or(DEFAULT_FG).to_string(),
        16..=231 => {
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            let n = i - 16;
            format!("#{:02x}{:02x}{:02x}", level(n / 36), level((n / 6) % 6), level(n % 6))
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            format!("#{v:02x}{v:02x}{v:02x}")
        }
    }
}

/// How one cell is drawn, after reversing.
#[derive(Clone, PartialEq, Eq)]
struct Look {
    fg: String,
    bg: Option<String>,
    bold: bool,
    dim: bool,
    italic: bool,
    underlined: bool,
}

fn look(fg: Color, bg: Color, modifier: Modifier) -> Look {
    let (mut fg, mut bg) = (hex(fg), hex(bg));
    if modifier.contains(Modifier::REVERSED) {
        let new_fg = bg.unwrap_or_else(|| DEFAULT_BG.to_string());
        bg = Some(fg.unwrap_or_else(|| DEFAULT_FG.to_string()));
        fg = Some(new_fg);
    }
    Look {
        fg: fg.unwrap_or_else(|| DEFAULT_FG.to_string()),
        bg,
        bold: modifier.contains(Modifier::BOLD),
        dim: modifier.contains(Modifier::DIM),
        italic: modifier.contains(Modifier::ITALIC),
        underlined: modifier.contains(Modifier::UNDERLINED),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn num(v: f64) -> String {
    let text = format!("{v:.1}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

/// A run of cells in one row: its first column, its width in cells, its text and look.
struct Run {
    x: u16,
    cells: u16,
    text: String,
    look: Look,
}

/// The cells of row `y` as runs of one look (a wide character's hidden second cell is skipped).
fn runs(buffer: &Buffer, y: u16) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut skip = 0;
    for x in 0..buffer.area.width {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        let cell = &buffer[(x, y)];
        let symbol = if cell.symbol().is_empty() { " " } else { cell.symbol() };
        let width = unicode_width::UnicodeWidthStr::width(symbol).max(1) as u16;
        skip = width - 1;
        let look = look(cell.fg, cell.bg, cell.modifier);
        match out.last_mut() {
            Some(run) if run.look == look => {
                run.text.push_str(symbol);
                run.cells += width;
            }
            _ => out.push(Run { x, cells: width, text: symbol.to_string(), look }),
        }
    }
    out
}

/// The picture of `buffer`, with `title` as its accessible name.
pub fn buffer_to_svg(buffer: &Buffer, title: &str) -> String {
    let width = f64::from(buffer.area.width) * CELL_WIDTH + 2.0 * PADDING;
    let height = f64::from(buffer.area.height) * LINE_HEIGHT + 2.0 * PADDING;
    let mut svg = String::new();
    svg.push_str(&format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\">\n",
        w = num(width),
        h = num(height),
        t = escape(title).replace('"', "&quot;"),
    ));
    svg.push_str(&format!("<title>{}</title>\n", escape(title)));
    svg.push_str(&format!(
        "<rect width=\"100%\" height=\"100%\" rx=\"6\" fill=\"{DEFAULT_BG}\"/>\n<g transform=\"translate({p} {p})\">\n",
        p = num(PADDING)
    ));
    let all: Vec<Vec<Run>> = (0..buffer.area.height).map(|y| runs(buffer, y)).collect();
    // Backgrounds first, so the text is drawn over them.
    for (y, row) in all.iter().enumerate() {
        for run in row {
            if let Some(bg) = &run.look.bg {
                svg.push_str(&format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{bg}\"/>\n",
                    num(f64::from(run.x) * CELL_WIDTH),
                    num(y as f64 * LINE_HEIGHT),
                    num(f64::from(run.cells) * CELL_WIDTH),
                    num(LINE_HEIGHT),
                ));
            }
        }
    }
    svg.push_str(&format!(
        "<g font-family=\"ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, 'Liberation Mono', monospace\" font-size=\"{}\" fill=\"{DEFAULT_FG}\">\n",
        num(FONT_SIZE)
    ));
    for (y, row) in all.iter().enumerate() {
        let visible: Vec<&Run> = row.iter().filter(|r| !r.text.trim().is_empty()).collect();
        if visible.is_empty() {
            continue;
        }
        let baseline = y as f64 * LINE_HEIGHT + LINE_HEIGHT - 4.5;
        svg.push_str(&format!("<text y=\"{}\" xml:space=\"preserve\">", num(baseline)));
        for run in visible {
            let mut attributes = format!(" x=\"{}\"", num(f64::from(run.x) * CELL_WIDTH));
            // The font's advance may differ a little from CELL_WIDTH: stretch each run to its
            // cells so long runs end where the grid says (borders stay aligned).
            if run.cells > 1 {
                attributes.push_str(&format!(
                    " textLength=\"{}\" lengthAdjust=\"spacingAndGlyphs\"",
                    num(f64::from(run.cells) * CELL_WIDTH)
                ));
            }
            if run.look.fg != DEFAULT_FG {
                attributes.push_str(&format!(" fill=\"{}\"", run.look.fg));
            }
            if run.look.bold {
                attributes.push_str(" font-weight=\"bold\"");
            }
            if run.look.dim {
                attributes.push_str(" opacity=\"0.6\"");
            }
            if run.look.italic {
                attributes.push_str(" font-style=\"italic\"");
            }
            if run.look.underlined {
                attributes.push_str(" text-decoration=\"underline\"");
            }
            svg.push_str(&format!("<tspan{attributes}>{}</tspan>", escape(&run.text)));
        }
        svg.push_str("</text>\n");
    }
    svg.push_str("</g>\n</g>\n</svg>\n");
    svg
}
