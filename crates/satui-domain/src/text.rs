//! Characters that must not reach a name, and how stored text is shown on a terminal. Pure.
//!
//! Two dangers: characters that *do* something on a terminal (control characters, escape
//! sequences: clear the screen, retitle the window, write the clipboard with OSC 52, forge lines
//! with a newline), and characters that are *invisible* or reorder text, so `ci​-deployer` (with
//! a zero-width space) looks exactly like `ci-deployer`. Names refuse both; every piece of stored
//! text printed by the CLI or drawn by the UI goes through [`for_terminal`], which shows whatever
//! got into the store anyway (an old store, a foreign writer) as visible escapes.

use std::borrow::Cow;

/// Bidi controls: overrides, embeddings, isolates and marks. They make text render in another
/// order than it is stored (the "Trojan Source" trick).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Joiners and variation selectors: invisible themselves, but they shape what is around them
/// (ZWNJ in Persian, ZWJ in emoji sequences, VS16 for emoji presentation). Names may hold them;
/// uniqueness ignores them.
fn is_joiner(c: char) -> bool {
    matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}')
}

/// Unicode's Default_Ignorable_Code_Point set (DerivedCoreProperties.txt, Unicode 15/16) minus
/// the joiners above: characters a renderer shows as nothing at all, such as U+200B ZERO WIDTH
/// SPACE, U+00AD SOFT HYPHEN, U+FEFF, U+180E, U+034F, the tag characters and U+3164 HANGUL
/// FILLER; plus the line and paragraph separators U+2028/U+2029.
pub fn is_invisible(c: char) -> bool {
    !is_joiner(c)
        && matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}' | '\u{2028}' | '\u{2029}')
}

/// A character no name may hold: a control character, a bidi control, or an invisible one.
pub fn is_forbidden_in_name(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_invisible(c)
}

/// Why a piece of text would be refused as a name, if it would: a short phrase for messages.
pub fn forbidden_reason(text: &str) -> Option<&'static str> {
    text.chars().find_map(|c| {
        if c.is_control() {
            Some("control characters")
        } else if is_bidi_control(c) {
            Some("text-direction controls")
        } else if is_invisible(c) {
            Some("invisible characters")
        } else {
            None
        }
    })
}

/// The same name, as uniqueness sees it: invisible characters dropped and any run of Unicode
/// white space as one space, so a name that differs from another only by what cannot be seen
/// clashes with it. Callers lowercase it.
pub fn fold_invisible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars().filter(|c| !is_invisible(*c) && !is_bidi_control(*c) && !is_joiner(*c)) {
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.push(c);
    }
    out
}

/// Stored text made safe and unambiguous for a terminal: control characters, bidi controls and
/// invisible characters are shown as escapes (`\n`, `\t`, `\e`, `\u{200b}`), and a backslash
/// as `\\` so an escape can never be faked. Plain text comes back as it is, without a copy.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    let needs = |c: char| c == '\\' || is_forbidden_in_name(c);
    if !text.chars().any(needs) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{1b}' => out.push_str("\\e"),
            c if needs(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}
