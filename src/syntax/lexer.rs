//! The lexer: formula text to tokens with byte spans (LANGUAGE.md §1).
//!
//! The token set is a declarative `logos` enum. Spellings that are *not* part of the language
//! but that users write anyway (`/* */`, `.5`, `1e3`, a lone `&`, an unterminated string, …)
//! have tokens of their own so that the parser can explain them precisely; characters that
//! match nothing become [`TokenKind::Error`]. Lexing never fails and never panics.

use logos::Logos;
use serde::{Deserialize, Serialize};

use super::span::Span;

/// The kind of a token. Tokens carry no text: slice the source with the token's span.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
// D44: exactly space, tab, CR and LF separate tokens; any other character is E108.
#[logos(skip r"[ \t\r\n]+")]
pub enum TokenKind {
    /// `// …` to the end of the line.
    #[token("//", rest_of_line)]
    Comment,
    /// An identifier, with or without a leading `$`: `$PendingTasks`, `maxNumberofVMs`.
    #[regex(r"\$?[A-Za-z_][A-Za-z0-9_]*")]
    Ident,
    /// A number literal `[0-9]+(\.[0-9]+)?` (D34).
    #[regex(r"[0-9]+(\.[0-9]+)?")]
    Number,
    /// A double-quoted string without escapes (D35).
    #[token("\"", |lex| quoted(lex, '"'))]
    String,
    /// `=`
    #[token("=")]
    Assign,
    /// `+`
    #[token("+")]
    Plus,
    /// `-`
    #[token("-")]
    Minus,
    /// `*`
    #[token("*")]
    Star,
    /// `/`
    #[token("/")]
    Slash,
    /// `!`
    #[token("!")]
    Bang,
    /// `<`
    #[token("<")]
    Less,
    /// `<=`
    #[token("<=")]
    LessEqual,
    /// `>`
    #[token(">")]
    Greater,
    /// `>=`
    #[token(">=")]
    GreaterEqual,
    /// `==`
    #[token("==")]
    EqualEqual,
    /// `!=`
    #[token("!=")]
    NotEqual,
    /// `&&`
    #[token("&&")]
    AndAnd,
    /// `||`
    #[token("||")]
    OrOr,
    /// `?`
    #[token("?")]
    Question,
    /// `:`
    #[token(":")]
    Colon,
    /// `(`
    #[token("(")]
    LParen,
    /// `)`
    #[token(")")]
    RParen,
    /// `,`
    #[token(",")]
    Comma,
    /// `.`
    #[token(".")]
    Dot,
    /// `;`
    #[token(";")]
    Semicolon,

    // ---- spellings that are not part of the language, lexed so they can be explained ----
    /// `/*`: block comments do not exist (D1).
    #[token("/*")]
    BlockCommentStart,
    /// A number written with a leading or trailing dot, an exponent, a hex prefix or digit
    /// separators: `.5`, `5.`, `1e3`, `0x1F`, `1_000` (D34).
    #[regex(r"\.[0-9]+")]
    #[regex(r"[0-9]+\.")]
    #[regex(r"[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]*")]
    #[regex(r"0[xX][0-9A-Fa-f]*")]
    #[regex(r"[0-9]+(_[0-9]+)+")]
    BadNumber,
    /// A `"` whose string does not end on the same line (D35).
    UnterminatedString,
    /// A single-quoted string: only double quotes exist.
    #[token("'", |lex| quoted(lex, '\''))]
    SingleQuotedString,
    /// A single `&` or `|`: only `&&` and `||` exist.
    #[token("&")]
    #[token("|")]
    LoneAmpOrPipe,
    /// A character that starts no token.
    Error,
}

/// Skip to the end of the line (comments). Hand-written rather than a regex so that a long
/// non-ASCII comment costs no stack.
fn rest_of_line(lex: &mut logos::Lexer<TokenKind>) {
    let rest = lex.remainder();
    let n = line_end(rest);
    lex.bump(n);
}

/// Where the line ends in `text`: the offset of its first CR or LF, else its length. A
/// byte search: both are ASCII, so the offset is a character boundary.
fn line_end(text: &str) -> usize {
    text.bytes().position(|b| b == b'\r' || b == b'\n').unwrap_or(text.len())
}

/// Skip to the closing `quote` on the same line, or to the end of the line when there is none
/// ([`lex`] then classifies the token as unterminated).
fn quoted(lex: &mut logos::Lexer<TokenKind>, quote: char) {
    let rest = lex.remainder();
    let line_end = line_end(rest);
    match rest[..line_end].find(quote) {
        Some(i) => lex.bump(i + 1),
        None => lex.bump(line_end),
    }
}

/// One token: its kind and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// What kind of token.
    pub kind: TokenKind,
    /// Where it is in the source, in bytes.
    pub span: Span,
}

/// Split `src` into tokens, comments included. Never fails: characters that start no token
/// become [`TokenKind::Error`] tokens.
pub fn lex(src: &str) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(src.len() / 3 + 1);
    // A byte order mark at the very start is not part of the text (editors hide it).
    let skip = if src.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let mut lexer = TokenKind::lexer(&src[skip..]);
    while let Some(result) = lexer.next() {
        let range = lexer.span();
        let range = range.start + skip..range.end + skip;
        let mut kind = result.unwrap_or(TokenKind::Error);
        if kind == TokenKind::String {
            let text = &src.as_bytes()[range.clone()];
            if text.len() < 2 || text.last() != Some(&b'"') {
                kind = TokenKind::UnterminatedString;
            }
        }
        tokens.push(Token {
            kind,
            span: Span::new(range.start, range.end),
        });
    }
    tokens
}

impl TokenKind {
    /// How the token is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Comment => "a comment",
            TokenKind::Ident => "a name",
            TokenKind::Number => "a number",
            TokenKind::String => "a string",
            TokenKind::Assign => "`=`",
            TokenKind::Plus => "`+`",
            TokenKind::Minus => "`-`",
            TokenKind::Star => "`*`",
            TokenKind::Slash => "`/`",
            TokenKind::Bang => "`!`",
            TokenKind::Less => "`<`",
            TokenKind::LessEqual => "`<=`",
            TokenKind::Greater => "`>`",
            TokenKind::GreaterEqual => "`>=`",
            TokenKind::EqualEqual => "`==`",
            TokenKind::NotEqual => "`!=`",
            TokenKind::AndAnd => "`&&`",
            TokenKind::OrOr => "`||`",
            TokenKind::Question => "`?`",
            TokenKind::Colon => "`:`",
            TokenKind::LParen => "`(`",
            TokenKind::RParen => "`)`",
            TokenKind::Comma => "`,`",
            TokenKind::Dot => "`.`",
            TokenKind::Semicolon => "`;`",
            TokenKind::BlockCommentStart => "`/*`",
            TokenKind::BadNumber => "a malformed number",
            TokenKind::UnterminatedString => "an unterminated string",
            TokenKind::SingleQuotedString => "a single-quoted string",
            TokenKind::LoneAmpOrPipe => "a single `&` or `|`",
            TokenKind::Error => "an unexpected character",
        }
    }
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::TokenKind::*;
    use super::*;

    fn assert_lex(src: &str, expected: &[(TokenKind, &str)]) {
        let tokens = lex(src);
        let got: Vec<(TokenKind, &str)> = tokens.iter().map(|t| (t.kind, t.span.text(src))).collect();
        assert_eq!(got, expected, "lexing {src:?}");
    }

    #[test]
    fn table() {
        let cases: &[(&str, &[(TokenKind, &str)])] = &[
            (
                "$TargetDedicatedNodes=0",
                &[(Ident, "$TargetDedicatedNodes"), (Assign, "="), (Number, "0")],
            ),
            (
                "a<=b==c!=!d",
                &[
                    (Ident, "a"),
                    (LessEqual, "<="),
                    (Ident, "b"),
                    (EqualEqual, "=="),
                    (Ident, "c"),
                    (NotEqual, "!="),
                    (Bang, "!"),
                    (Ident, "d"),
                ],
            ),
            ("x&&y||z", &[(Ident, "x"), (AndAnd, "&&"), (Ident, "y"), (OrOr, "||"), (Ident, "z")]),
            ("$c.hour", &[(Ident, "$c"), (Dot, "."), (Ident, "hour")]),
            ("0.7 900.0 25", &[(Number, "0.7"), (Number, "900.0"), (Number, "25")]),
            (
                ".5 5. 1e3 0x1F 1_000",
                &[
                    (BadNumber, ".5"),
                    (BadNumber, "5."),
                    (BadNumber, "1e3"),
                    (BadNumber, "0x1F"),
                    (BadNumber, "1_000"),
                ],
            ),
            (
                "time(\"Mon, 06 Oct 2014 10:20:00 GMT\")",
                &[
                    (Ident, "time"),
                    (LParen, "("),
                    (String, "\"Mon, 06 Oct 2014 10:20:00 GMT\""),
                    (RParen, ")"),
                ],
            ),
            ("\"// not a comment\"", &[(String, "\"// not a comment\"")]),
            ("\"abc\n1", &[(UnterminatedString, "\"abc"), (Number, "1")]),
            ("// a \"comment\"; $x\r\n$y", &[(Comment, "// a \"comment\"; $x"), (Ident, "$y")]),
            ("/* x */", &[(BlockCommentStart, "/*"), (Ident, "x"), (Star, "*"), (Slash, "/")]),
            (
                "a & b | c",
                &[(Ident, "a"), (LoneAmpOrPipe, "&"), (Ident, "b"), (LoneAmpOrPipe, "|"), (Ident, "c")],
            ),
            (
                "{1} \\ é",
                &[(Error, "{"), (Number, "1"), (Error, "}"), (Error, "\\"), (Error, "é")],
            ),
            ("'x'", &[(SingleQuotedString, "'x'")]),
            (
                "?20:10;",
                &[(Question, "?"), (Number, "20"), (Colon, ":"), (Number, "10"), (Semicolon, ";")],
            ),
        ];
        for (src, expected) in cases {
            assert_lex(src, expected);
        }
    }

    #[test]
    fn lines_end_at_the_first_cr_or_lf() {
        for text in ["", "abc", "ab\ncd", "ab\r\ncd", "\n", "é日本\rx", "// \"q\" x\n\r"] {
            assert_eq!(line_end(text), text.find(['\r', '\n']).unwrap_or(text.len()), "{text:?}");
        }
        assert_lex("// é日本\n$x", &[(Comment, "// é日本"), (Ident, "$x")]);
        assert_lex("\"é\r\"", &[(UnterminatedString, "\"é"), (UnterminatedString, "\"")]);
    }

    #[test]
    fn spans_are_increasing_and_in_bounds() {
        let src = "$a = 1; // c\n b = $a.GetSample(1) ? \"s\" : 'q";
        let tokens = lex(src);
        let mut last = 0;
        for t in &tokens {
            assert!(t.span.start >= last && t.span.end as usize <= src.len());
            last = t.span.end;
        }
    }
}
