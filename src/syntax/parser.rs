//! The parser: tokens to a [`Formula`] plus every syntax diagnostic (LANGUAGE.md §1.10, D6).
//!
//! Parsing never gives up. The token stream is split at every `;` into statement chunks, each
//! chunk is parsed on its own (so a mistake in one statement never hides one in the next), and
//! inside a chunk the parser recovers at matching parentheses. Tokens that are not part of the
//! language get a precise diagnostic here and are then replaced by their nearest valid reading
//! (or dropped) so the rest of the statement is still checked.
//!
//! The chumsky grammar is private and built once per call to [`parse`].

use chumsky::input::{Input as _, ValueInput};
use chumsky::pratt::{infix, left, prefix};
use chumsky::prelude::*;

use super::ast::{BinaryOp, Builder, ExprId, ExprKind, Formula, Mark, Name, Statement, StatementKind, UnaryOp};
use super::lexer::{lex, Token, TokenKind};
use super::span::Span;
use super::text::Text;
use crate::diagnostic::{Code, Diagnostic};

/// How deeply parentheses, `?:` and prefix operators may nest in one statement. Real formulas
/// stay below 10; the limit keeps the recursive parser far from the end of the stack.
pub const MAX_NESTING: usize = 64;

/// How deep the tree of one statement may be. A left-nested chain such as `1+1+…+1` or
/// `time().hour.hour…` is as deep as it is long; each level of such a chain costs at least
/// two characters, and only prefix operators (at most [`MAX_NESTING`] in a row between two
/// parentheses) cost one, so no formula within the size limit (8192 characters, D3) comes
/// near this depth. Deeper trees (only possible in longer text, which `check` refuses
/// unparsed) are refused here, so that every walk of a tree has a known bound.
pub const MAX_DEPTH: usize = 5000;

/// The result of parsing: always a tree, plus every syntax diagnostic.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Parsed {
    /// The syntax tree, with error nodes where parsing failed.
    pub(crate) formula: Formula,
    /// Syntax diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse a formula. Never fails and never panics; see [`Parsed`].
pub fn parse(src: &str) -> Parsed {
    parse_with(src, true)
}

/// Parse a formula with the chumsky parsers only, without the hand-written fast path
/// ([`super::descent`]): the reference the fast path is tested against.
#[cfg_attr(not(any(test, fuzzing)), allow(dead_code))]
pub(crate) fn parse_with_chumsky_only(src: &str) -> Parsed {
    parse_with(src, false)
}

/// Parse `src`; `descent` tries the hand-written parser on each statement before chumsky.
fn parse_with(src: &str, descent: bool) -> Parsed {
    let tokens = lex(src);
    let mut diagnostics = Vec::new();
    let mut comments = Vec::new();
    let cleaned = clean_tokens(src, &tokens, &mut diagnostics, &mut comments);

    let mut statements = Vec::new();
    // The arena of the whole formula: at most one node per token.
    let mut arena = Builder::with_capacity(cleaned.len());
    // Two chumsky parsers, built on first need: one that only says whether a chunk parses
    // (cheap, no error values) and one that explains why not. With the fast path, a formula
    // whose statements are all valid needs neither.
    let mut chumsky = None;
    let mut chunk_start = 0usize;
    let mut non_empty = 0usize;
    for i in 0..=cleaned.len() {
        let at_end = i == cleaned.len();
        if !at_end && cleaned[i].0 != TokenKind::Semicolon {
            continue;
        }
        let chunk = &cleaned[chunk_start..i];
        chunk_start = i + 1;
        if chunk.is_empty() {
            continue;
        }
        non_empty += 1;
        if non_empty == crate::limits::MAX_STATEMENTS + 1 {
            let span = to_span(chunk[0].1);
            diagnostics.push(Diagnostic::new(
                Code::TooManyStatements,
                span,
                format!(
                    "a formula may have at most {} statements; this is statement {}",
                    crate::limits::MAX_STATEMENTS,
                    non_empty
                ),
            ));
        }
        if nested_too_deep(chunk, &mut statements, &mut diagnostics) {
            continue;
        }
        if descent {
            if let Some((statement, depth)) = super::descent::parse_statement(src, chunk, &mut arena) {
                if depth <= MAX_DEPTH {
                    statements.push(statement);
                } else {
                    push_bounded(vec![statement], &arena, &mut statements, &mut diagnostics);
                }
                continue;
            }
        }
        let (fast, rich) = chumsky.get_or_insert_with(|| {
            (
                statements_parser::<ChunkInput<'_>, Quiet>(src, false),
                statements_parser::<ChunkInput<'_>, Explaining<'_>>(src, true),
            )
        });
        parse_chunk(src, fast, rich, chunk, &mut arena, &mut statements, &mut diagnostics);
    }

    if statements.is_empty() && !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.push(
            Diagnostic::new(Code::EmptyFormula, Span::new(0, src.len()), "the formula has no statement")
                .with_note("write at least one assignment, e.g. `$TargetDedicatedNodes = 1;`"),
        );
    }
    crate::diagnostic::sort_diagnostics(&mut diagnostics);
    Parsed {
        formula: arena.finish(statements, comments, Span::new(0, src.len())),
        diagnostics,
    }
}

/// The chumsky parser that only decides whether a chunk parses, building into the arena.
type Quiet = extra::Full<EmptyErr, Builder, ()>;

/// The chumsky parser that explains why a chunk does not parse, building into the arena.
type Explaining<'src> = extra::Full<Rich<'src, TokenKind, SimpleSpan>, Builder, ()>;

/// Chumsky goes back (to try another alternative, or to recover) by rewinding its input; the
/// arena goes back with it, so the nodes of an abandoned attempt never stay in the tree.
impl<'src, I: chumsky::input::Input<'src>> chumsky::inspector::Inspector<'src, I> for Builder {
    type Checkpoint = Mark;
    fn on_token(&mut self, _: &I::Token) {}
    fn on_save<'parse>(&self, _: &chumsky::input::Cursor<'src, 'parse, I>) -> Mark {
        self.mark()
    }
    fn on_rewind<'parse>(&mut self, marker: &chumsky::input::Checkpoint<'src, 'parse, I, Mark>) {
        self.truncate(*marker.inspector());
    }
}

use super::descent::Tok;

fn to_span(s: SimpleSpan) -> Span {
    Span::new(s.start, s.end)
}

/// Report tokens that are not part of the language and replace them by a valid reading.
fn clean_tokens(src: &str, tokens: &[Token], diagnostics: &mut Vec<Diagnostic>, comments: &mut Vec<Span>) -> Vec<Tok> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let t = tokens[i];
        // The token's text, read only for the kinds reported here.
        let text = || t.span.text(src);
        let simple = SimpleSpan::from(t.span.range());
        match t.kind {
            TokenKind::Comment => comments.push(t.span),
            TokenKind::BlockCommentStart => {
                // Skip to the matching `*/` (a `*` directly followed by `/`), for recovery.
                let mut j = i + 1;
                let mut end = t.span;
                let mut closed = false;
                while j < tokens.len() {
                    if tokens[j].kind == TokenKind::Star
                        && j + 1 < tokens.len()
                        && tokens[j + 1].kind == TokenKind::Slash
                        && tokens[j + 1].span.start == tokens[j].span.end
                    {
                        end = tokens[j + 1].span;
                        j += 2;
                        closed = true;
                        break;
                    }
                    j += 1;
                }
                let span = if closed { t.span.to(end) } else { t.span };
                let mut d = Diagnostic::new(
                    Code::BlockComment,
                    span,
                    "block comments `/* */` are not part of the language; only `//` line comments exist",
                );
                if closed {
                    let inner = Span::new(t.span.start as usize, end.end as usize).text(src);
                    if !inner.contains('\n') {
                        let body = inner.trim_start_matches("/*").trim_end_matches("*/").trim();
                        d = d.with_fix("use a `//` comment", span, format!("// {body}\n"));
                    }
                }
                diagnostics.push(d);
                i = if closed { j } else { i + 1 };
                continue;
            }
            TokenKind::BadNumber => {
                let text = text();
                let suggestion = suggest_number(text);
                let mut d = Diagnostic::new(
                    Code::InvalidNumber,
                    t.span,
                    format!("`{text}` is not a number of the language: numbers are written as digits with an optional fraction, like `5` or `0.5`"),
                );
                if let Some(s) = &suggestion {
                    d = d.with_fix(format!("write `{s}`"), t.span, s.clone());
                }
                diagnostics.push(d);
                out.push((TokenKind::Number, simple));
            }
            TokenKind::UnterminatedString => {
                diagnostics.push(
                    Diagnostic::new(
                        Code::UnterminatedString,
                        Span::new(t.span.start as usize, t.span.start as usize + 1),
                        "this string has no closing `\"` on the same line",
                    )
                    .with_fix("close the string", Span::empty(t.span.end as usize), "\""),
                );
                out.push((TokenKind::String, simple));
            }
            TokenKind::SingleQuotedString => {
                let inner = text().trim_start_matches('\'').trim_end_matches('\'');
                diagnostics.push(
                    Diagnostic::new(Code::SingleQuotedString, t.span, "strings are written in double quotes").with_fix(
                        "use double quotes",
                        t.span,
                        format!("\"{inner}\""),
                    ),
                );
                out.push((TokenKind::String, simple));
            }
            TokenKind::LoneAmpOrPipe => {
                let text = text();
                let (kind, good) = if text == "&" {
                    (TokenKind::AndAnd, "&&")
                } else {
                    (TokenKind::OrOr, "||")
                };
                diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidOperator,
                        t.span,
                        format!("`{text}` is not an operator; the logical operator is `{good}`"),
                    )
                    .with_fix(format!("write `{good}`"), t.span, good),
                );
                out.push((kind, simple));
            }
            TokenKind::Error => {
                // Merge a run of adjacent bad characters into one diagnostic.
                let mut end = t.span;
                while i + 1 < tokens.len() && tokens[i + 1].kind == TokenKind::Error && tokens[i + 1].span.start == end.end {
                    i += 1;
                    end = tokens[i].span;
                }
                let span = t.span.to(end);
                let bad = span.text(src);
                let first = bad.chars().next().unwrap_or('?');
                let message = match first {
                    '{' | '}' => format!("`{first}` is not part of the language (is a template placeholder left in the formula?)"),
                    '\\' => "`\\` is not part of the language outside a string (strings have no escapes; write `\"` directly)".to_string(),
                    '[' | ']' => "`[` and `]` are not part of the language: vectors come from `GetSample` and cannot be written literally"
                        .to_string(),
                    '%' => "`%` is not an operator of the language".to_string(),
                    '^' => "`^` is not an operator of the language (there is no power operator)".to_string(),
                    '$' => "`$` must be followed by a name, like `$PendingTasks`".to_string(),
                    c if c.is_whitespace() || c.is_control() => format!(
                        "the character U+{:04X} is not allowed: only space, tab, CR and LF may separate tokens (D44)",
                        c as u32
                    ),
                    _ => format!("unexpected character `{}`", bad.chars().take(8).map(visible).collect::<String>()),
                };
                diagnostics.push(Diagnostic::new(Code::InvalidCharacter, span, message));
            }
            kind => out.push((kind, simple)),
        }
        i += 1;
    }
    out
}

/// A character as a message shows it: control and other invisible characters as `\u{1}`.
fn visible(c: char) -> String {
    if c.is_control() || (c.is_whitespace() && c != ' ') || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{FEFF}') {
        c.escape_unicode().to_string()
    } else {
        c.to_string()
    }
}

fn suggest_number(text: &str) -> Option<String> {
    if let Some(rest) = text.strip_prefix('.') {
        return Some(format!("0.{rest}"));
    }
    if let Some(rest) = text.strip_suffix('.') {
        return Some(rest.to_string());
    }
    if text.contains('_') {
        return Some(text.replace('_', ""));
    }
    if text.contains(['e', 'E']) && !text.starts_with("0x") && !text.starts_with("0X") {
        let v: f64 = text.parse().ok()?;
        if v.is_finite() && v.abs() < 1e15 {
            let s = format!("{v}");
            if !s.contains('e') {
                return Some(s);
            }
        }
        return None;
    }
    if let Some(hex) = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        return u64::from_str_radix(hex, 16).ok().map(|v| v.to_string());
    }
    None
}

/// How deeply a chunk nests: open parentheses plus `?` plus the longest run of prefix operators.
fn nesting_estimate(chunk: &[Tok]) -> usize {
    let (mut depth, mut max_depth, mut questions, mut run, mut max_run) = (0usize, 0usize, 0usize, 0usize, 0usize);
    for (kind, _) in chunk {
        match kind {
            TokenKind::LParen => {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            TokenKind::RParen => depth = depth.saturating_sub(1),
            TokenKind::Question => questions += 1,
            _ => {}
        }
        if matches!(kind, TokenKind::Minus | TokenKind::Bang) {
            run += 1;
            max_run = max_run.max(run);
        } else if !matches!(kind, TokenKind::LParen) {
            run = 0;
        }
    }
    max_depth + questions + max_run
}

/// Report a chunk that nests deeper than [`MAX_NESTING`] and keep an error statement for it;
/// such a chunk is not parsed (the parsers recurse once per level).
fn nested_too_deep(chunk: &[Tok], statements: &mut Vec<Statement>, diagnostics: &mut Vec<Diagnostic>) -> bool {
    if nesting_estimate(chunk) <= MAX_NESTING {
        return false;
    }
    let chunk_span = Span::new(chunk[0].1.start, chunk[chunk.len() - 1].1.end);
    diagnostics.push(Diagnostic::new(
        Code::NestingTooDeep,
        chunk_span,
        format!(
            "this statement nests parentheses, `?:` or prefix operators more than {MAX_NESTING} deep; split it into several statements"
        ),
    ));
    statements.push(Statement {
        kind: StatementKind::Error,
        span: chunk_span,
    });
    true
}

type ChunkInput<'src> =
    chumsky::input::MappedInput<'src, TokenKind, SimpleSpan, &'src [Tok], fn(&'src Tok) -> (&'src TokenKind, &'src SimpleSpan)>;

fn parse_chunk<'src, F, P>(
    src: &'src str,
    fast: &F,
    parser: &P,
    chunk: &'src [Tok],
    arena: &mut Builder,
    statements: &mut Vec<Statement>,
    diagnostics: &mut Vec<Diagnostic>,
) where
    F: Parser<'src, ChunkInput<'src>, Vec<Statement>, Quiet>,
    P: Parser<'src, ChunkInput<'src>, Vec<Statement>, Explaining<'src>>,
{
    let first = chunk[0].1;
    let last = chunk[chunk.len() - 1].1;
    let chunk_span = Span::new(first.start, last.end);
    let eoi = SimpleSpan::from(last.end..last.end);
    let input = || chunk.map(eoi, split_token as fn(&'src Tok) -> (&'src TokenKind, &'src SimpleSpan));
    let mark = arena.mark();
    if let Ok(parsed) = fast.parse_with_state(input(), arena).into_result() {
        if parsed.len() == 1 {
            push_bounded(parsed, arena, statements, diagnostics);
            return;
        }
    }
    arena.truncate(mark);
    let (output, errors) = parser.parse_with_state(input(), arena).into_output_errors();
    // An unterminated string swallows the rest of its line (already reported): errors after it
    // are consequences, not mistakes of their own.
    let unterminated = chunk.iter().find(|(kind, span)| {
        let text = src.get(span.start..span.end).unwrap_or("");
        let quote = if text.starts_with('\'') { '\'' } else { '"' };
        matches!(kind, TokenKind::String) && (text.len() < 2 || !text.ends_with(quote))
    });
    for error in errors {
        if let Some((_, s)) = unterminated {
            if error.span().start >= s.start {
                continue;
            }
        }
        diagnostics.push(rich_to_diagnostic(src, &error));
    }
    match output {
        Some(parsed) if !parsed.is_empty() => {
            for (k, statement) in parsed.iter().enumerate() {
                if k > 0 {
                    let previous = &parsed[k - 1];
                    diagnostics.push(
                        Diagnostic::new(
                            Code::MissingSemicolon,
                            statement.span,
                            "expected `;` before this statement: a line break does not end a statement",
                        )
                        .with_fix("insert `;`", Span::empty(previous.span.end as usize), ";"),
                    );
                }
            }
            push_bounded(parsed, arena, statements, diagnostics);
        }
        _ => statements.push(Statement {
            kind: StatementKind::Error,
            span: chunk_span,
        }),
    }
}

/// For the equivalence tests and the fuzz target: statement by statement (every `;`-separated
/// chunk within [`MAX_NESTING`]), whether the fast path ([`super::descent`]) accepts exactly the
/// chunks chumsky's fast parser accepts as one statement, with the same statement and the depth
/// [`Expr::depth`] counts. Returns how many chunks the fast path accepted, or what differs.
#[cfg(any(test, fuzzing))]
pub(crate) fn fast_path_agreement(src: &str) -> Result<usize, String> {
    let tokens = lex(src);
    let cleaned = clean_tokens(src, &tokens, &mut Vec::new(), &mut Vec::new());
    let fast = statements_parser::<ChunkInput<'_>, Quiet>(src, false);
    let mut accepted = 0;
    for chunk in cleaned.split(|t| t.0 == TokenKind::Semicolon) {
        if chunk.is_empty() || nesting_estimate(chunk) > MAX_NESTING {
            continue;
        }
        let last = chunk[chunk.len() - 1].1;
        let eoi = SimpleSpan::from(last.end..last.end);
        let mut chumsky_arena = Builder::default();
        let chumsky = fast
            .parse_with_state(
                chunk.map(eoi, split_token as fn(&Tok) -> (&TokenKind, &SimpleSpan)),
                &mut chumsky_arena,
            )
            .into_result()
            .ok()
            .filter(|parsed| parsed.len() == 1);
        let text = Span::new(chunk[0].1.start, last.end).text(src);
        let mut descent_arena = Builder::default();
        let descent = super::descent::parse_statement(src, chunk, &mut descent_arena);
        let whole = |arena: Builder, statement: Statement| arena.finish(vec![statement], Vec::new(), Span::default());
        match (descent, chumsky) {
            (None, None) => {}
            (Some((statement, depth)), Some(mut parsed)) => {
                let want = descent_arena.depth_of_statement(&statement);
                let (ours, theirs) = (whole(descent_arena, statement), whole(chumsky_arena, parsed.remove(0)));
                if ours != theirs {
                    return Err(format!(
                        "{text:?}: the fast path built {:?}, chumsky {:?}",
                        ours.show(),
                        theirs.show()
                    ));
                }
                if !ours.same_arena(&theirs) {
                    return Err(format!("{text:?}: the same tree, but the arenas differ: {ours:?} and {theirs:?}"));
                }
                if depth != want {
                    return Err(format!("{text:?}: the fast path counted depth {depth}, the tree has {want}"));
                }
                accepted += 1;
            }
            (Some((statement, _)), None) => {
                return Err(format!(
                    "{text:?}: the fast path accepted {:?}, chumsky does not",
                    whole(descent_arena, statement).show()
                ))
            }
            (None, Some(_)) => return Err(format!("{text:?}: chumsky accepts it, the fast path gives up")),
        }
    }
    Ok(accepted)
}

/// Keep the parsed statements, replacing any deeper than [`MAX_DEPTH`] by an error statement
/// (its nodes stay in the arena, unreferenced).
fn push_bounded(parsed: Vec<Statement>, arena: &Builder, statements: &mut Vec<Statement>, diagnostics: &mut Vec<Diagnostic>) {
    for statement in parsed {
        let depth = arena.depth_of_statement(&statement);
        if depth <= MAX_DEPTH {
            statements.push(statement);
            continue;
        }
        diagnostics.push(Diagnostic::new(
            Code::NestingTooDeep,
            statement.span,
            format!("this statement is {depth} expressions deep; at most {MAX_DEPTH} are allowed: split it into several statements"),
        ));
        statements.push(Statement {
            kind: StatementKind::Error,
            span: statement.span,
        });
    }
}

fn split_token(t: &Tok) -> (&TokenKind, &SimpleSpan) {
    (&t.0, &t.1)
}

fn rich_to_diagnostic(src: &str, error: &Rich<'_, TokenKind, SimpleSpan>) -> Diagnostic {
    let span = to_span(*error.span());
    let found = match error.found() {
        Some(TokenKind::Ident) | Some(TokenKind::Number) | Some(TokenKind::String) => format!("`{}`", span.text(src)),
        Some(kind) => kind.describe().to_string(),
        None => "the end of the statement".to_string(),
    };
    let mut expected: Vec<String> = error
        .expected()
        .filter_map(|p| match p {
            chumsky::error::RichPattern::Token(t) => Some(t.describe().to_string()),
            chumsky::error::RichPattern::Label(l) => Some(l.to_string()),
            chumsky::error::RichPattern::EndOfInput => Some("`;`".to_string()),
            _ => None,
        })
        .collect();
    expected.sort();
    expected.dedup();
    let message = match expected.len() {
        0 => format!("unexpected {found}"),
        1 => format!("expected {}, found {found}", expected[0]),
        _ => {
            let last = expected.pop().unwrap_or_default();
            format!("expected {} or {last}, found {found}", expected.join(", "))
        }
    };
    let mut d = Diagnostic::new(Code::UnexpectedToken, span, message);
    if error.found().is_none() {
        // The statement ended early: point at the `;` that ended it, or at the end of the text.
        let start = span.start as usize;
        let rest = src.get(start..).unwrap_or("");
        let skipped = rest.len() - rest.trim_start().len();
        d.span = if rest.trim_start().starts_with(';') {
            Span::new(start + skipped, start + skipped + 1)
        } else {
            Span::empty(start)
        };
        if d.span.len() == 1 {
            d.message = d.message.replace("found the end of the statement", "found `;`");
        }
    }
    d
}

/// The arena a chumsky parser builds into (its state).
fn arena_of<'a, 'src, 'b, I, E>(e: &'a mut chumsky::input::MapExtra<'src, 'b, I, E>) -> &'a mut Builder
where
    I: chumsky::input::Input<'src>,
    E: extra::ParserExtra<'src, I, State = Builder>,
{
    e.state()
}

/// The statements of one chunk (between two `;`): one, or more when `;` is missing.
/// The parser of one chunk. `recover` adds recovery at brackets (used when reporting errors);
/// without it the parser only decides whether the chunk is valid. Nodes are pushed onto the
/// parser's state, the arena, children first (as the fast path pushes them).
fn statements_parser<'src, I, E>(src: &'src str, recover: bool) -> impl Parser<'src, I, Vec<Statement>, E> + Clone
where
    I: ValueInput<'src, Token = TokenKind, Span = SimpleSpan>,
    E: extra::ParserExtra<'src, I, State = Builder> + 'src,
    E::Error: chumsky::label::LabelError<'src, I, &'static str>,
    E::Context: Default,
{
    let name = just(TokenKind::Ident).map_with(move |_, e| {
        let span: SimpleSpan = e.span();
        Name {
            text: Text::new(src.get(span.start..span.end).unwrap_or("")),
            span: to_span(span),
        }
    });

    let expr = recursive(|expr| {
        let args = expr
            .clone()
            .separated_by(just(TokenKind::Comma))
            .collect::<Vec<ExprId>>()
            .labelled("arguments");
        let open = just(TokenKind::LParen).map_with(|_, e| to_span(e.span()));
        let close = just(TokenKind::RParen).map_with(|_, e| to_span(e.span()));
        // The arguments, or (after recovery) the span of the unreadable ones.
        let call_args_plain = open
            .then(args)
            .then(close)
            .map(|((open, args), close): ((Span, Vec<ExprId>), Span)| (open, Ok(args), close));
        let call_args = if !recover {
            call_args_plain.boxed()
        } else {
            call_args_plain
                .recover_with(via_parser(nested_delimiters(
                    TokenKind::LParen,
                    TokenKind::RParen,
                    [],
                    |s: SimpleSpan| {
                        (
                            Span::new(s.start, s.start + 1),
                            Err(to_span(s)),
                            Span::new(s.end.saturating_sub(1), s.end),
                        )
                    },
                )))
                .boxed()
        };
        /// The argument list of a call: the parsed arguments, or one error node.
        fn arg_list(arena: &mut Builder, args: Result<Vec<ExprId>, Span>) -> super::ast::ArgList {
            match args {
                Ok(ids) => arena.arg_list(&ids),
                Err(span) => {
                    let error = arena.push(ExprKind::Error, span);
                    arena.arg_list(&[error])
                }
            }
        }

        let number = just(TokenKind::Number).map_with(move |_, e| {
            let span: SimpleSpan = e.span();
            let text = src.get(span.start..span.end).unwrap_or("0");
            arena_of(e).push(ExprKind::Number { value: parse_number(text) }, to_span(span))
        });
        let string = just(TokenKind::String).map_with(move |_, e| {
            let span: SimpleSpan = e.span();
            let text = src.get(span.start..span.end).unwrap_or("");
            let inner = text.strip_prefix(['"', '\'']).unwrap_or(text);
            let inner = inner.strip_suffix(['"', '\'']).unwrap_or(inner);
            arena_of(e).push(ExprKind::String { value: inner.to_string() }, to_span(span))
        });
        let call_or_name = name.then(call_args.clone().or_not()).map_with(|(name, call), e| match call {
            Some((open_paren, args, close)) => {
                let arena = arena_of(e);
                let span = name.span.to(close);
                let args = arg_list(arena, args);
                arena.push(
                    ExprKind::Call {
                        function: name,
                        args,
                        open_paren,
                    },
                    span,
                )
            }
            None => arena_of(e).push(ExprKind::Name { name: name.text }, name.span),
        });
        let paren_plain = just(TokenKind::LParen)
            .ignore_then(expr.clone())
            .then_ignore(just(TokenKind::RParen))
            .map_with(|inner: ExprId, e| {
                let span = to_span(e.span());
                Ok(arena_of(e).push(ExprKind::Paren { inner }, span))
            });
        let paren = if !recover {
            paren_plain.boxed()
        } else {
            paren_plain
                .recover_with(via_parser(nested_delimiters(
                    TokenKind::LParen,
                    TokenKind::RParen,
                    [],
                    |s: SimpleSpan| Err(to_span(s)),
                )))
                .boxed()
        }
        .map_with(|paren: Result<ExprId, Span>, e| paren.unwrap_or_else(|span| arena_of(e).push(ExprKind::Error, span)));

        let atom = choice((number, string, call_or_name, paren)).labelled("expression");

        let suffix = just(TokenKind::Dot)
            .ignore_then(name.labelled("member name"))
            .then(call_args.or_not());
        let postfix = atom.foldl_with(suffix.repeated(), |object: ExprId, (member, call), e| {
            let arena = arena_of(e);
            let start = arena.span(object);
            match call {
                Some((open_paren, args, close)) => {
                    let args = arg_list(arena, args);
                    arena.push(
                        ExprKind::MethodCall {
                            object,
                            method: member,
                            args,
                            open_paren,
                        },
                        start.to(close),
                    )
                }
                None => {
                    let span = start.to(member.span);
                    arena.push(ExprKind::Member { object, member }, span)
                }
            }
        });

        macro_rules! unary {
            ($op:expr) => {
                |t: SimpleSpan, operand: ExprId, e: &mut chumsky::input::MapExtra<'src, '_, I, E>| {
                    let arena = arena_of(e);
                    let span = to_span(t).to(arena.span(operand));
                    arena.push(ExprKind::Unary { op: $op, operand }, span)
                }
            };
        }
        macro_rules! binary {
            ($op:expr) => {
                |left: ExprId, _, right: ExprId, e: &mut chumsky::input::MapExtra<'src, '_, I, E>| {
                    let arena = arena_of(e);
                    let span = arena.span(left).to(arena.span(right));
                    arena.push(ExprKind::Binary { op: $op, left, right }, span)
                }
            };
        }
        let op = |kind: TokenKind| just(kind).labelled("operator");
        let prefix_op = |kind: TokenKind| just(kind).map_with(|_, e| e.span());

        let operators = postfix.pratt((
            prefix(8, prefix_op(TokenKind::Minus), unary!(UnaryOp::Neg)),
            prefix(8, prefix_op(TokenKind::Bang), unary!(UnaryOp::Not)),
            infix(left(6), op(TokenKind::Star), binary!(BinaryOp::Mul)),
            infix(left(6), op(TokenKind::Slash), binary!(BinaryOp::Div)),
            infix(left(5), op(TokenKind::Plus), binary!(BinaryOp::Add)),
            infix(left(5), op(TokenKind::Minus), binary!(BinaryOp::Sub)),
            infix(left(4), op(TokenKind::Less), binary!(BinaryOp::Lt)),
            infix(left(4), op(TokenKind::LessEqual), binary!(BinaryOp::Le)),
            infix(left(4), op(TokenKind::Greater), binary!(BinaryOp::Gt)),
            infix(left(4), op(TokenKind::GreaterEqual), binary!(BinaryOp::Ge)),
            infix(left(3), op(TokenKind::EqualEqual), binary!(BinaryOp::Eq)),
            infix(left(3), op(TokenKind::NotEqual), binary!(BinaryOp::Ne)),
            infix(left(2), op(TokenKind::AndAnd), binary!(BinaryOp::And)),
            infix(left(1), op(TokenKind::OrOr), binary!(BinaryOp::Or)),
        ));

        operators
            .then(
                just(TokenKind::Question)
                    .ignore_then(expr.clone())
                    .then_ignore(just(TokenKind::Colon).labelled("`:`"))
                    .then(expr)
                    .or_not(),
            )
            .map_with(|(condition, branches): (ExprId, Option<(ExprId, ExprId)>), e| match branches {
                None => condition,
                Some((then_branch, else_branch)) => {
                    let arena = arena_of(e);
                    let span = arena.span(condition).to(arena.span(else_branch));
                    arena.push(
                        ExprKind::Conditional {
                            condition,
                            then_branch,
                            else_branch,
                        },
                        span,
                    )
                }
            })
    });

    let assignment = name
        .then_ignore(just(TokenKind::Assign))
        .then(expr.clone())
        .map_with(|(target, value): (Name, ExprId), e| Statement {
            span: target.span.to(arena_of(e).span(value)),
            kind: StatementKind::Assign { target, value },
        });
    let bare = expr.map_with(|expr: ExprId, e| Statement {
        span: arena_of(e).span(expr),
        kind: StatementKind::Expr { expr },
    });
    choice((assignment, bare))
        .labelled("statement")
        .repeated()
        .at_least(1)
        .collect::<Vec<Statement>>()
        .then_ignore(end())
}

/// The value of a number literal; a literal too large for a double is `inf` (the checker says so).
pub(super) fn parse_number(text: &str) -> f64 {
    text.parse::<f64>()
        .or_else(|_| {
            // Hex literals (already reported) read as their value, for recovery.
            let hex = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or("");
            u64::from_str_radix(hex, 16).map(|v| v as f64)
        })
        .unwrap_or(0.0)
}
