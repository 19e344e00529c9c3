//! Finding satui tokens in a buffer: pure, no I/O.
//!
//! A find is `sat_` + exactly 38 letters and digits whose last 6 encode the CRC32 of the 32
//! before them, standing alone as a word: the byte before `sat_` and the byte after the 38 are
//! not ASCII letters, digits or `_` (a 39-character run is not a token, and neither is
//! `xsat_…`). Bytes ≥ 0x80 end a word, so a token next to non-ASCII text is still found.
//!
//! `memchr::memmem` looks for `sat_` (SIMD where the CPU has it), so a buffer without the
//! prefix costs one fast pass; only the bytes after each `sat_` are looked at one by one.

use memchr::memmem;

use satui_domain::token::{PREFIX, TOKEN_LEN, checksum_ok};

/// Letters and digits after `sat_` in a token.
const BODY_LEN: usize = TOKEN_LEN - PREFIX.len();
/// A `sat_` word at least this long (counting the letters and digits after `sat_`) looks like a
/// token gone wrong (truncated, or with extra characters) and is counted; shorter ones
/// (`sat_count` in code) are not.
const NEAR_MISS_LEN: usize = 20;

/// What one buffer holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Finds {
    /// Byte offsets where a valid token starts, ascending.
    pub offsets: Vec<usize>,
    /// `sat_` + 38 letters and digits standing alone, with a wrong checksum.
    pub bad_checksum: u64,
    /// `sat_` + 20 or more letters and digits, standing alone, but not 38 of them.
    pub wrong_length: u64,
}

/// The search, built once and shared by every thread.
pub struct Finder {
    prefix: memmem::Finder<'static>,
}

impl Default for Finder {
    fn default() -> Self {
        Finder::new()
    }
}

/// A byte that continues a word: an ASCII letter, digit or `_`.
fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

impl Finder {
    pub fn new() -> Finder {
        Finder { prefix: memmem::Finder::new(PREFIX.as_bytes()) }
    }

    /// Every token in `haystack`, plus the near misses counted.
    pub fn find(&self, haystack: &[u8]) -> Finds {
        self.find_between(haystack, 0, haystack.len())
    }

    /// The tokens and near misses that start at `first..last` in `haystack`; the bytes around
    /// that range are context (the word boundaries). A chunked reader gives each start to
    /// exactly one chunk this way. Whether a start is a token depends only on the bytes around
    /// it, so where the search begins changes nothing.
    pub fn find_between(&self, haystack: &[u8], first: usize, last: usize) -> Finds {
        let mut finds = Finds::default();
        let mut from = first.saturating_sub(1).min(haystack.len());
        while let Some(found) = self.prefix.find(&haystack[from..]) {
            let start = from + found;
            if start >= last {
                break;
            }
            if start < first {
                from = start + 1;
                continue;
            }
            let body = start + PREFIX.len();
            let run = haystack[body..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let end = body + run;
            // The next `sat_` cannot start inside this run as a word of its own.
            from = end;
            if start > 0 && is_word(haystack[start - 1]) {
                continue;
            }
            let alone = haystack.get(end).is_none_or(|&b| !is_word(b));
            if run == BODY_LEN && alone {
                // Letters and digits only, so this is valid UTF-8.
                let text = std::str::from_utf8(&haystack[start..end]).unwrap_or_default();
                if checksum_ok(text) {
                    finds.offsets.push(start);
                } else {
                    finds.bad_checksum += 1;
                }
            } else if run >= NEAR_MISS_LEN {
                finds.wrong_length += 1;
            }
        }
        finds
    }
}

/// A place in a file: 1-based line, and 1-based column in bytes (as ripgrep counts) and in
/// Unicode code points (as SARIF's `unicodeCodePoints` asks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: u64,
    pub column: u64,
    pub char_column: u64,
}

/// Turns ascending stream offsets into positions, counting lines only from one offset to the
/// next: a stream is read once however many finds it has, even a minified one-line file. It
/// sees the stream one window at a time (`window` starting at stream offset `base`); everything
/// from the last offset asked for onwards must be in the window.
#[derive(Debug, Default)]
pub struct LineCounter {
    /// Everything before `done` has been counted (stream offsets).
    done: u64,
    line: u64,
    line_start: u64,
    /// Code points from `line_start` to `done`.
    chars_in_line: u64,
}

impl LineCounter {
    pub fn new() -> LineCounter {
        LineCounter { line: 1, ..LineCounter::default() }
    }

    /// Counts up to `offset` (a stream offset inside the window).
    pub fn advance(&mut self, window: &[u8], base: u64, offset: u64) {
        let end = base + window.len() as u64;
        // Only what this window holds is counted: a caller out of step never indexes outside it.
        if self.done > end {
            return;
        }
        let from = self.done.max(base);
        let to = offset.max(from).min(end);
        let span = &window[(from - base) as usize..(to - base) as usize];
        let newlines = memchr::memchr_iter(b'\n', span).count() as u64;
        if newlines > 0 {
            self.line += newlines;
            // memrchr cannot miss: the span holds a newline.
            self.line_start = from + memchr::memrchr(b'\n', span).map_or(0, |i| i as u64 + 1);
            self.chars_in_line = 0;
        }
        let line_from = from.max(self.line_start);
        self.chars_in_line += count_chars(&window[(line_from - base) as usize..(to - base) as usize]);
        self.done = to;
    }

    /// The position of stream offset `offset`, which must not be before the previous one.
    pub fn position(&mut self, window: &[u8], base: u64, offset: u64) -> Position {
        self.advance(window, base, offset);
        Position { line: self.line, column: self.done - self.line_start + 1, char_column: self.chars_in_line + 1 }
    }
}

/// Code points in UTF-8 text: every byte that does not continue a character. Bytes that are
/// not UTF-8 count one each, as a lossy decoder would show them.
fn count_chars(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use satui_domain::token::TokenSecret;

    fn token() -> String {
        TokenSecret::generate(&mut rand::rng()).expose().to_string()
    }

    fn offsets(text: &str) -> Vec<usize> {
        Finder::new().find(text.as_bytes()).offsets
    }

    #[test]
    fn a_token_alone_or_between_separators_is_found() {
        let t = token();
        assert_eq!(offsets(&t), vec![0]);
        assert_eq!(offsets(&format!("KEY={t}\n")), vec![4]);
        assert_eq!(offsets(&format!("\"{t}\",'{t}'")), vec![1, 46]);
        assert_eq!(offsets(&format!("Bearer {t}.")), vec![7]);
        assert_eq!(offsets(&format!("é{t}é")), vec![2], "non-ASCII ends a word");
    }

    #[test]
    fn a_token_inside_a_word_or_a_longer_run_is_not() {
        let t = token();
        for text in [format!("x{t}"), format!("_{t}"), format!("{t}_"), format!("{t}x"), format!("{t}0")] {
            let finds = Finder::new().find(text.as_bytes());
            assert!(finds.offsets.is_empty(), "{text}");
            assert_eq!(finds.bad_checksum, 0, "{text}");
        }
        let finds = Finder::new().find(format!("{t}0").as_bytes());
        assert_eq!(finds.wrong_length, 1, "39 characters");
    }

    #[test]
    fn near_misses_are_counted_not_found() {
        let t = token();
        let mut bad = t.clone().into_bytes();
        bad[10] = if bad[10] == b'a' { b'b' } else { b'a' };
        let bad = String::from_utf8(bad).unwrap();
        let text = format!("{bad} {} sat_count sat_ {}", &t[..TOKEN_LEN - 1], t);
        let finds = Finder::new().find(text.as_bytes());
        assert_eq!(finds.offsets, vec![text.len() - TOKEN_LEN]);
        assert_eq!(finds.bad_checksum, 1);
        assert_eq!(finds.wrong_length, 1, "the truncated one; sat_count is too short to count");
    }

    #[test]
    fn adjacent_and_repeated_tokens_are_each_found() {
        let t = token();
        let text = format!("{t} {t}\n{t}");
        assert_eq!(offsets(&text), vec![0, TOKEN_LEN + 1, 2 * TOKEN_LEN + 2]);
        assert_eq!(offsets("sat_sat_sat_"), Vec::<usize>::new());
    }

    #[test]
    fn positions_count_lines_and_columns_in_bytes_and_code_points() {
        let text = "ab\r\nxyé z\n\nend";
        let mut lines = LineCounter::new();
        let at = |lines: &mut LineCounter, offset: usize| lines.position(text.as_bytes(), 0, offset as u64);
        assert_eq!(at(&mut lines, 0), Position { line: 1, column: 1, char_column: 1 });
        assert_eq!(at(&mut lines, 1), Position { line: 1, column: 2, char_column: 2 });
        let z = text.find('z').unwrap();
        assert_eq!(at(&mut lines, z), Position { line: 2, column: 6, char_column: 5 });
        let end = text.find("end").unwrap();
        assert_eq!(at(&mut lines, end), Position { line: 4, column: 1, char_column: 1 });
    }

    #[test]
    fn positions_on_one_long_line_are_counted_incrementally() {
        let text = "é".repeat(10) + "x" + &"a".repeat(5) + "y";
        let mut lines = LineCounter::new();
        assert_eq!(lines.position(text.as_bytes(), 0, 20), Position { line: 1, column: 21, char_column: 11 });
        // The same line seen through a later window that starts mid-line.
        let window = &text.as_bytes()[20..];
        assert_eq!(lines.position(window, 20, 26), Position { line: 1, column: 27, char_column: 17 });
    }
}
