//! One tokenizer for the brace-structured configuration languages that hold formulas: Bicep,
//! Terraform (HCL) and Nextflow (Groovy). They share words, braces, `=`, line structure and
//! `//` and `/* */` comments; each language gives its own string literals and the few
//! lexical differences in [`Lexical`].
//!
//! The readers above it only need the shape of each line (`key = value`, `key: value`,
//! `header {`), so everything else is [`Token::Other`].

use super::map::SourceMap;
use crate::syntax::Span;

/// A decoded string literal: where it stands, its text, how the text maps back to the file,
/// and what its language says about its form (`kind`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Str<K> {
    pub(super) span: Span,
    pub(super) text: String,
    pub(super) map: SourceMap,
    pub(super) kind: K,
}

/// One token of a configuration file.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token<K> {
    /// A name, keyword, number or dotted path (`azure.batch.pools`, `var.formula`).
    Word(Span),
    /// A string literal.
    Str(Str<K>),
    /// `{`
    Open,
    /// `}`
    Close,
    /// `:` (only where [`Lexical::colon`] asks for it).
    Colon,
    /// `=` as an assignment (not `==`, `=>`, `=~`, `!=`, `<=`, `>=`).
    Eq,
    /// The end of a line (also one per line a string or comment spans).
    Newline,
    /// Anything else, one character or operator at a time.
    Other(Span),
}

impl<K> Token<K> {
    /// A key as its language reads it: a word as written, or a string's text.
    pub(super) fn key_text(&self, src: &str) -> Option<String> {
        match self {
            Token::Word(span) => Some(span.text(src).to_string()),
            Token::Str(s) => Some(s.text.clone()),
            _ => None,
        }
    }
}

/// What sets one language's tokens apart from the others'.
pub(super) struct Lexical {
    /// `#` starts a comment (HCL).
    pub(super) hash_comments: bool,
    /// `;` ends a statement like a line break (Groovy).
    pub(super) semicolon_ends_line: bool,
    /// `:` is a token of its own (Bicep's `key: value`).
    pub(super) colon: bool,
    /// `-` may stand inside a name (HCL and Groovy; in Bicep it is an operator).
    pub(super) dash_in_words: bool,
}

/// A string read at an offset: the string and the offset after it, or the offset and message
/// of what is wrong with it.
pub(super) type Scanned<K> = Result<(Str<K>, usize), (usize, String)>;

/// A language's string reader: the string starting at an offset, or `None` when no string
/// starts there.
pub(super) type StringAt<K> = fn(&str, usize) -> Option<Scanned<K>>;

/// The text of a string literal being decoded, and its map back to the file.
#[derive(Default)]
pub(super) struct Decoder {
    text: String,
    map: SourceMap,
}

impl Decoder {
    /// The character at `i`, taken as written; the offset after it.
    pub(super) fn verbatim(&mut self, src: &str, i: usize) -> usize {
        let ch = src[i..].chars().next().unwrap_or('\u{fffd}');
        self.verbatim_run(src, i, ch.len_utf8())
    }

    /// The `len` bytes at `i`, taken as written; the offset after them.
    pub(super) fn verbatim_run(&mut self, src: &str, i: usize, len: usize) -> usize {
        self.text.push_str(&src[i..i + len]);
        self.map.push(i, len, len, true);
        i + len
    }

    /// An escape of `len` bytes at `i` that stands for `ch` (or for nothing, as a line
    /// continuation); the offset after it.
    pub(super) fn escape(&mut self, i: usize, len: usize, ch: Option<char>) -> usize {
        match ch {
            Some(ch) => {
                self.text.push(ch);
                self.map.push(i, len, ch.len_utf8(), false);
            }
            None => self.map.push(i, len, 0, false),
        }
        i + len
    }

    /// The string from `open` to `end`, whose text ends where the closing quote starts
    /// (`close`).
    pub(super) fn finish<K>(mut self, open: usize, close: usize, end: usize, kind: K) -> (Str<K>, usize) {
        self.map.set_end(close);
        let s = Str {
            span: Span::new(open, end),
            text: self.text,
            map: self.map,
            kind,
        };
        (s, end)
    }
}

/// The tokens of `src`, or the offset and message of the first lexical error (an unterminated
/// string or comment, an invalid escape).
pub(super) fn tokens<K>(src: &str, lexical: &Lexical, string_at: StringAt<K>) -> Result<Vec<Token<K>>, (usize, String)> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(string) = string_at(src, i) {
            let (s, end) = string?;
            out.push(Token::Str(s));
            push_newlines(&mut out, &src[i..end]);
            i = end;
            continue;
        }
        let next = b.get(i + 1).copied();
        match b[i] {
            b'\n' => {
                out.push(Token::Newline);
                i += 1;
            }
            b';' if lexical.semicolon_ends_line => {
                out.push(Token::Newline);
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'#' if lexical.hash_comments => i = line_end(src, i),
            b'/' if next == Some(b'/') => i = line_end(src, i),
            b'/' if next == Some(b'*') => match src[i + 2..].find("*/") {
                Some(n) => {
                    push_newlines(&mut out, &src[i..i + n + 2]);
                    i += n + 4;
                }
                None => return Err((i, "unterminated `/*` comment".into())),
            },
            b'{' => {
                out.push(Token::Open);
                i += 1;
            }
            b'}' => {
                out.push(Token::Close);
                i += 1;
            }
            b':' if lexical.colon => {
                out.push(Token::Colon);
                i += 1;
            }
            b'=' | b'!' | b'<' | b'>' if matches!((b[i], next), (b'=', Some(b'=' | b'>' | b'~')) | (_, Some(b'='))) => {
                out.push(Token::Other(Span::new(i, i + 2)));
                i += 2;
            }
            b'=' => {
                out.push(Token::Eq);
                i += 1;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                let start = i;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.' || (lexical.dash_in_words && b[i] == b'-'))
                {
                    i += 1;
                }
                out.push(Token::Word(Span::new(start, i)));
            }
            _ => {
                let len = src[i..].chars().next().map_or(1, char::len_utf8);
                out.push(Token::Other(Span::new(i, i + len)));
                i += len;
            }
        }
    }
    Ok(out)
}

/// The offset of the line break ending the line at `i` (or the end of `src`).
pub(super) fn line_end(src: &str, i: usize) -> usize {
    src[i..].find('\n').map_or(src.len(), |n| i + n)
}

/// One [`Token::Newline`] per line break inside a string or comment, so that what follows it
/// stands on a line of its own, as in the file.
fn push_newlines<K>(out: &mut Vec<Token<K>>, text: &str) {
    out.extend(std::iter::repeat_with(|| Token::Newline).take(text.matches('\n').count()));
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: Lexical = Lexical {
        hash_comments: false,
        semicolon_ends_line: false,
        colon: false,
        dash_in_words: false,
    };

    /// `"…"` without escapes, enough to test the tokenizer.
    fn quoted(src: &str, i: usize) -> Option<Scanned<()>> {
        if src.as_bytes()[i] != b'"' {
            return None;
        }
        Some(match src[i + 1..].find('"') {
            Some(n) => {
                let end = i + 1 + n;
                let s = Str {
                    span: Span::new(i, end + 1),
                    text: src[i + 1..end].to_string(),
                    map: SourceMap::default(),
                    kind: (),
                };
                Ok((s, end + 1))
            }
            None => Err((i, "unterminated string".into())),
        })
    }

    fn shape(src: &str, lexical: &Lexical) -> String {
        let toks = tokens(src, lexical, quoted).unwrap();
        toks.iter()
            .map(|t| match t {
                Token::Word(s) => format!("w:{}", s.text(src)),
                Token::Str(s) => format!("s:{}", s.text),
                Token::Open => "{".into(),
                Token::Close => "}".into(),
                Token::Colon => ":".into(),
                Token::Eq => "=".into(),
                Token::Newline => "nl".into(),
                Token::Other(s) => format!("o:{}", s.text(src)),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn shapes_per_language() {
        let table: &[(&str, Lexical, &str)] = &[
            ("a = \"x\"\n", PLAIN, "w:a = s:x nl"),
            (
                "a == b != c <= d >= e => f =~ g",
                PLAIN,
                "w:a o:== w:b o:!= w:c o:<= w:d o:>= w:e o:=> w:f o:=~ w:g",
            ),
            ("a: b # c", PLAIN, "w:a o:: w:b o:# w:c"),
            (
                "a: b # c\nd",
                Lexical {
                    colon: true,
                    hash_comments: true,
                    ..PLAIN
                },
                "w:a : w:b nl w:d",
            ),
            ("x-y.z", PLAIN, "w:x o:- w:y.z"),
            (
                "x-y.z",
                Lexical {
                    dash_in_words: true,
                    ..PLAIN
                },
                "w:x-y.z",
            ),
            (
                "a = 1; b = 2",
                Lexical {
                    semicolon_ends_line: true,
                    ..PLAIN
                },
                "w:a = w:1 nl w:b = w:2",
            ),
            ("a /* one\ntwo */ b // c\nd", PLAIN, "w:a nl w:b nl w:d"),
            ("{ é }", PLAIN, "{ o:é }"),
        ];
        for (src, lexical, want) in table {
            assert_eq!(shape(src, lexical), *want, "{src:?}");
        }
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(tokens(" /* open", &PLAIN, quoted).unwrap_err().0, 1);
        assert_eq!(tokens("a = \"open", &PLAIN, quoted).unwrap_err().0, 4);
    }
}
