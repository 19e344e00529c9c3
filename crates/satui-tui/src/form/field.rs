//! Form fields: a line of text edited like a shell line, a choice, a toggle; each with the message
//! shown under it and the service-layer fields whose errors belong there.

use tui_input::{Input as LineInput, InputRequest};

use crate::action::LineEdit;
use satui_service::Field as ServiceField;

/// Longest text a field or the filter takes; a huge paste is cut here instead of freezing the UI.
pub const MAX_INPUT_CHARS: usize = 600;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKey {
    Name,
    Description,
    Role,
    Lifetime,
    CustomDays,
    Extended,
    MaxAge,
    /// Member or Role (group changes).
    Kind,
    /// The name of the account or role being added or removed.
    Target,
    Action,
    Scope,
    Cap,
    Confirm,
    /// How long a rotated token keeps working.
    Grace,
    /// A file's path (a plugin's plugin.json).
    Path,
}

/// One line of text and its cursor. The editing itself is `tui-input`'s; this wrapper keeps
/// control characters out and the length bounded.
#[derive(Clone, Debug, Default)]
pub struct TextLine {
    line: LineInput,
    limit: usize,
    /// Characters typed or pasted past the limit since the text last shrank: kept out (a huge
    /// paste cannot freeze the UI) but counted, so `Enter` can say how long the input really was.
    overflow: usize,
}

impl PartialEq for TextLine {
    fn eq(&self, other: &TextLine) -> bool {
        self.value() == other.value() && self.cursor() == other.cursor()
    }
}

impl TextLine {
    /// A line holding `value`, cursor at its end, taking at most `limit` characters.
    pub fn new(value: &str, limit: usize) -> TextLine {
        TextLine { line: LineInput::new(value.to_string()), limit, overflow: 0 }
    }

    /// The most characters the line keeps.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// How many characters were given, counting those past the limit that were not kept.
    pub fn given_len(&self) -> usize {
        self.value().chars().count() + self.overflow
    }

    /// Whether characters past the limit were given and not kept.
    pub fn overflowed(&self) -> bool {
        self.overflow > 0
    }

    pub fn value(&self) -> &str {
        self.line.value()
    }

    /// The cursor, in characters from the start.
    pub fn cursor(&self) -> usize {
        self.line.cursor()
    }

    pub fn is_empty(&self) -> bool {
        self.value().is_empty()
    }

    /// Types a character at the cursor. Control characters and typing past the limit are ignored.
    /// Returns whether the text changed.
    pub fn insert(&mut self, c: char) -> bool {
        if c.is_control() {
            return false;
        }
        if self.value().chars().count() >= self.limit {
            self.overflow += 1;
            return false;
        }
        self.line.handle(InputRequest::InsertChar(c)).is_some_and(|changed| changed.value)
    }

    /// Inserts pasted text at the cursor as one edit: a line break (`\r\n`, `\n`, `\r`) or a
    /// tab becomes one space (`multi\nline` stays two words), other control characters are
    /// left out; what does not fit is counted, not kept.
    pub fn paste(&mut self, text: &str) -> bool {
        let cleaned = text.replace("\r\n", " ");
        let mut changed = false;
        for c in cleaned.chars() {
            let c = if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c };
            changed |= self.insert(c);
        }
        changed
    }

    /// Applies a line-editing key. Returns whether the text (not just the cursor) changed.
    pub fn edit(&mut self, edit: LineEdit) -> bool {
        let request = match edit {
            LineEdit::Left => InputRequest::GoToPrevChar,
            LineEdit::Right => InputRequest::GoToNextChar,
            LineEdit::WordLeft => InputRequest::GoToPrevWord,
            LineEdit::WordRight => InputRequest::GoToNextWord,
            LineEdit::Home => InputRequest::GoToStart,
            LineEdit::End => InputRequest::GoToEnd,
            LineEdit::DeleteBack => InputRequest::DeletePrevChar,
            LineEdit::DeleteForward => InputRequest::DeleteNextChar,
            LineEdit::DeleteWordBack => InputRequest::DeletePrevWord,
            LineEdit::DeleteWordForward => InputRequest::DeleteNextWord,
            LineEdit::DeleteToStart => InputRequest::DeleteFromStart,
            LineEdit::DeleteToEnd => InputRequest::DeleteTillEnd,
        };
        let changed = self.line.handle(request).is_some_and(|changed| changed.value);
        if changed {
            // The text shrank: what is on screen is the input now.
            self.overflow = 0;
        }
        changed
    }

    pub fn clear(&mut self) -> bool {
        self.overflow = 0;
        self.line.handle(InputRequest::DeleteLine).is_some_and(|changed| changed.value)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    Text(TextLine),
    Choice {
        options: Vec<String>,
        index: usize,
    },
    Toggle(bool),
    /// A value from a known set, narrowed by typing (↑/↓ move among the matches).
    Pick(Picker),
}

/// A narrowing picker: what is typed filters the options (case-insensitive): the option typed in
/// full first, then those starting with it, then those holding it, then fuzzy matches by score
/// (`dashcre` finds `dashboards:create`; nucleo's matcher, as helix and television use); one
/// match is highlighted.
#[derive(Clone, Debug, PartialEq)]
pub struct Picker {
    pub query: TextLine,
    pub options: Vec<String>,
    /// Indexes of the options that match the query, best first.
    pub matches: Vec<usize>,
    /// The highlighted match (a position in `matches`).
    pub index: usize,
    /// When nothing matches, the typed text itself is the value (a name the list lacks, e.g.
    /// while the list is still loading); otherwise a match must be picked.
    pub free: bool,
}

/// Runs `work` with a fuzzy pattern for `needle` and a matcher. The matcher is costly to
/// create, so each thread keeps one.
fn with_fuzzy(
    needle: &str,
    work: impl FnOnce(&nucleo_matcher::pattern::Pattern, &mut nucleo_matcher::Matcher, &mut Vec<char>),
) {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    thread_local! {
        static MATCHER: std::cell::RefCell<nucleo_matcher::Matcher> =
            std::cell::RefCell::new(nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT));
    }
    let pattern = Pattern::parse(needle, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    MATCHER.with(|matcher| work(&pattern, &mut matcher.borrow_mut(), &mut buf));
}

impl Picker {
    pub fn new(options: Vec<String>, free: bool) -> Picker {
        let mut picker =
            Picker { query: TextLine::new("", MAX_INPUT_CHARS), options, matches: Vec::new(), index: 0, free };
        picker.refilter();
        picker
    }

    /// Matches the options against the query again; the first match is highlighted.
    pub fn refilter(&mut self) {
        let needle = self.query.value().trim().to_lowercase();
        // The option typed in full first, then those starting with it, then the rest.
        let (mut exact, mut starts, mut contains) = (Vec::new(), Vec::new(), Vec::new());
        for (i, option) in self.options.iter().enumerate() {
            let hay = option.to_lowercase();
            if !needle.is_empty() && hay == needle {
                exact.push(i);
            } else if hay.starts_with(&needle) {
                starts.push(i);
            } else if hay.contains(&needle) {
                contains.push(i);
            }
        }
        exact.extend(starts);
        exact.extend(contains);
        if !needle.is_empty() {
            let mut fuzzy: Vec<(u32, usize)> = Vec::new();
            let taken: std::collections::HashSet<usize> = exact.iter().copied().collect();
            with_fuzzy(&needle, |pattern, matcher, buf| {
                for (i, option) in self.options.iter().enumerate() {
                    if taken.contains(&i) {
                        continue;
                    }
                    if let Some(score) = pattern.score(nucleo_matcher::Utf32Str::new(option, buf), matcher) {
                        fuzzy.push((score, i));
                    }
                }
            });
            fuzzy.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            exact.extend(fuzzy.into_iter().map(|(_, i)| i));
        }
        self.matches = exact;
        self.index = 0;
    }

    /// Which characters of `option` the query matched (char positions, ascending), for the
    /// highlighting under a picker.
    pub fn matched_chars(&self, option: &str) -> Vec<usize> {
        let needle = self.query.value().trim().to_lowercase();
        if needle.is_empty() {
            return Vec::new();
        }
        let mut indices = Vec::new();
        with_fuzzy(&needle, |pattern, matcher, buf| {
            pattern.indices(nucleo_matcher::Utf32Str::new(option, buf), matcher, &mut indices);
        });
        indices.sort_unstable();
        indices.dedup();
        indices.into_iter().map(|i| i as usize).collect()
    }

    /// New options (a list that arrived); the query stays.
    pub fn set_options(&mut self, options: Vec<String>) {
        self.options = options;
        self.refilter();
    }

    pub fn step(&mut self, forward: bool) {
        let n = self.matches.len().max(1);
        self.index = if forward { (self.index + 1) % n } else { (self.index + n - 1) % n };
    }

    /// The highlighted option, if any matches.
    pub fn highlighted(&self) -> Option<&str> {
        self.matches.get(self.index).and_then(|i| self.options.get(*i)).map(String::as_str)
    }

    /// What the field holds: the highlighted option, or the typed text when free and nothing
    /// matches. `Err` says why there is no value.
    pub fn value(&self, what: &str) -> Result<String, String> {
        match self.highlighted() {
            Some(option) => Ok(option.to_string()),
            None if self.free && !self.query.value().trim().is_empty() => Ok(self.query.value().trim().to_string()),
            None if self.options.is_empty() => Err(format!("there is no {what} to choose")),
            None => Err(format!("no {what} matches '{}'", self.query.value().trim())),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct FormField {
    pub key: FieldKey,
    pub label: &'static str,
    pub input: Input,
    pub enabled: bool,
    pub error: Option<String>,
    /// The service-layer fields whose errors are shown under this one.
    pub answers: &'static [ServiceField],
}

impl FormField {
    pub fn text(key: FieldKey, label: &'static str, value: &str) -> FormField {
        FormField::new(key, label, Input::Text(TextLine::new(value, MAX_INPUT_CHARS)))
    }

    pub fn choice(key: FieldKey, label: &'static str, options: Vec<String>, index: usize) -> FormField {
        FormField::new(key, label, Input::Choice { options, index })
    }

    pub fn pick(key: FieldKey, label: &'static str, options: Vec<String>, free: bool) -> FormField {
        FormField::new(key, label, Input::Pick(Picker::new(options, free)))
    }

    pub fn toggle(key: FieldKey, label: &'static str, on: bool) -> FormField {
        FormField::new(key, label, Input::Toggle(on))
    }

    fn new(key: FieldKey, label: &'static str, input: Input) -> FormField {
        FormField { key, label, input, enabled: true, error: None, answers: &[] }
    }

    /// Service errors about these fields land under this one.
    pub fn answering(mut self, answers: &'static [ServiceField]) -> FormField {
        self.answers = answers;
        self
    }

    pub fn text_value(&self) -> &str {
        match &self.input {
            Input::Text(line) => line.value(),
            Input::Pick(picker) => picker.query.value(),
            _ => "",
        }
    }

    pub fn picker(&self) -> Option<&Picker> {
        match &self.input {
            Input::Pick(picker) => Some(picker),
            _ => None,
        }
    }

    pub fn choice_index(&self) -> usize {
        match &self.input {
            Input::Choice { index, .. } => *index,
            _ => 0,
        }
    }

    pub fn choice_value(&self) -> Option<&str> {
        match &self.input {
            Input::Choice { options, index } => options.get(*index).map(String::as_str),
            _ => None,
        }
    }

    pub fn is_on(&self) -> bool {
        matches!(self.input, Input::Toggle(true))
    }
}
