//! Conversion between byte offsets and human or protocol positions.

use serde::{Deserialize, Serialize};

/// A position as people read it: 1-based line and 1-based column counted in characters.
///
/// Lines break at `\n`; a `\r\n` pair is one break (LANGUAGE.md D25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCol {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
}

/// A position as the Language Server Protocol wants it: 0-based line and 0-based UTF-16 column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utf16Position {
    /// 0-based line number.
    pub line: u32,
    /// 0-based column in UTF-16 code units.
    pub character: u32,
}

/// Line starts of one text, for converting byte offsets to positions and back.
#[derive(Debug, Clone)]
pub struct LineIndex {
    text: String,
    line_starts: Vec<u32>,
}

impl LineIndex {
    /// Index `text`.
    pub fn new(text: &str) -> LineIndex {
        // `match_indices` of a char finds each `\n` with `memchr`, a word at a time.
        let mut line_starts = Vec::with_capacity(text.len() / 40 + 1);
        line_starts.push(0u32);
        line_starts.extend(text.match_indices('\n').map(|(i, _)| (i + 1) as u32));
        LineIndex {
            text: text.to_owned(),
            line_starts,
        }
    }

    /// The indexed text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of lines (a text without a newline has one line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    fn clamp(&self, offset: usize) -> usize {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&(offset as u32)) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte range of 0-based line `line` without its line break (`\n` or `\r\n`).
    pub fn line_range(&self, line: usize) -> std::ops::Range<usize> {
        let start = self.line_starts.get(line).copied().unwrap_or(self.text.len() as u32) as usize;
        let mut end = self.line_starts.get(line + 1).map(|&s| s as usize - 1).unwrap_or(self.text.len());
        if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        start..end.max(start)
    }

    /// The 1-based line and character column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line as u32 + 1,
            column: column as u32,
        }
    }

    /// The LSP position (0-based line, UTF-16 column) of a byte offset.
    pub fn utf16_position(&self, offset: usize) -> Utf16Position {
        let offset = self.clamp(offset);
        let line = self.line_of(offset);
        let start = self.line_starts[line] as usize;
        let character: usize = self.text[start..offset].chars().map(char::len_utf16).sum();
        Utf16Position {
            line: line as u32,
            character: character as u32,
        }
    }

    /// The byte offset of an LSP position; positions past the end of a line or of the text are
    /// clamped to it, and a position inside a surrogate pair moves to the start of that character.
    pub fn offset_of_utf16(&self, position: Utf16Position) -> usize {
        let line = position.line as usize;
        if line >= self.line_starts.len() {
            return self.text.len();
        }
        let range = self.line_range(line);
        let mut units = 0usize;
        for (i, ch) in self.text[range.clone()].char_indices() {
            if units >= position.character as usize {
                return range.start + i;
            }
            units += ch.len_utf16();
            if units > position.character as usize {
                return range.start + i;
            }
        }
        range.end
    }
}

/// Number of UTF-16 code units of `text` (the unit of the 8192-character limit, D3).
pub fn utf16_len(text: &str) -> usize {
    // ASCII text (the usual formula) is one unit a byte; `is_ascii` checks a word at a time.
    if text.is_ascii() {
        return text.len();
    }
    text.chars().map(char::len_utf16).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_and_crlf_once() {
        let idx = LineIndex::new("a\r\nbé c\nx");
        let cases = [(0, 1, 1), (3, 2, 1), (4, 2, 2), (6, 2, 3), (7, 2, 4), (9, 3, 1)];
        for (offset, line, column) in cases {
            assert_eq!(idx.line_col(offset), LineCol { line, column }, "offset {offset}");
        }
    }

    #[test]
    fn utf16_round_trips() {
        let text = "// 😀 é\n$x = 1;\n";
        let idx = LineIndex::new(text);
        for (offset, _) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
            let pos = idx.utf16_position(offset);
            assert_eq!(idx.offset_of_utf16(pos), offset, "offset {offset} -> {pos:?}");
        }
        assert_eq!(idx.utf16_position(text.find('é').unwrap()).character, 6);
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let idx = LineIndex::new("ab\ncd");
        assert_eq!(idx.offset_of_utf16(Utf16Position { line: 0, character: 99 }), 2);
        assert_eq!(idx.offset_of_utf16(Utf16Position { line: 9, character: 0 }), 5);
        assert_eq!(idx.line_col(999), LineCol { line: 2, column: 3 });
    }
}
