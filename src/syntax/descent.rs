//! The parser's fast path: a hand-written precedence-climbing parser for one valid statement.
//!
//! [`parse_statement`] reads one `;`-separated chunk of cleaned tokens and builds exactly the
//! tree the chumsky grammar in [`super::parser`] builds for it (same nodes, same spans, same
//! parentheses, same precedence and associativity), or gives up with `None` at the first
//! token it does not expect. It never reports anything: a chunk it gives up on goes to the
//! chumsky parsers, which accept or explain it as before, so every diagnostic stays theirs.
//!
//! Why the trees agree: the grammar is deterministic with one token of look-ahead (two for
//! `name =`), and chumsky, a PEG parser, always tries the alternative this parser takes first
//! (an infix operator when its binding power allows it, call arguments after a name, `?:` after
//! an operand, an assignment before a bare expression); it falls back to another only when that
//! one fails, and then this parser has already given up. `src/tests/fast_parser.rs` and the
//! `parse_fast_path` fuzz target compare the two on real and generated formulas.
//!
//! The caller bounds the nesting first (`MAX_NESTING`), so the recursion here is at most a
//! few frames per level of parentheses, `?:` or prefix operator.

use chumsky::span::SimpleSpan;

use super::ast::{BinaryOp, Builder, ExprId, ExprKind, Name, Statement, StatementKind, UnaryOp};
use super::lexer::TokenKind;
use super::span::Span;
use super::text::Text;

/// A cleaned token, as the parser splits them into chunks.
pub(super) type Tok = (TokenKind, SimpleSpan);

/// One statement parsed from a whole chunk, its nodes pushed onto `arena`, with the depth of
/// its expression (what [`super::ast::ExprRef::depth`] would count), or `None` when the chunk
/// is not one valid statement or this parser is not sure; then `arena` is as it was.
pub(super) fn parse_statement(src: &str, chunk: &[Tok], arena: &mut Builder) -> Option<(Statement, usize)> {
    let mark = arena.mark();
    let mut p = Descent {
        src,
        toks: chunk,
        pos: 0,
        arena,
    };
    let statement = p.statement().filter(|_| p.pos == chunk.len());
    if statement.is_none() {
        p.arena.truncate(mark);
    }
    statement
}

/// An expression's id, span and depth.
type Node = (ExprId, Span, usize);

struct Descent<'a> {
    src: &'a str,
    toks: &'a [Tok],
    pos: usize,
    arena: &'a mut Builder,
}

/// The binary operator a token spells, with its binding power (D6).
fn binary_op(kind: TokenKind) -> Option<BinaryOp> {
    Some(match kind {
        TokenKind::Star => BinaryOp::Mul,
        TokenKind::Slash => BinaryOp::Div,
        TokenKind::Plus => BinaryOp::Add,
        TokenKind::Minus => BinaryOp::Sub,
        TokenKind::Less => BinaryOp::Lt,
        TokenKind::LessEqual => BinaryOp::Le,
        TokenKind::Greater => BinaryOp::Gt,
        TokenKind::GreaterEqual => BinaryOp::Ge,
        TokenKind::EqualEqual => BinaryOp::Eq,
        TokenKind::NotEqual => BinaryOp::Ne,
        TokenKind::AndAnd => BinaryOp::And,
        TokenKind::OrOr => BinaryOp::Or,
        _ => return None,
    })
}

fn span_of(s: SimpleSpan) -> Span {
    Span::new(s.start, s.end)
}

impl Descent<'_> {
    /// An assignment or a bare expression.
    fn statement(&mut self) -> Option<(Statement, usize)> {
        if self.kind(0) == Some(TokenKind::Ident) && self.kind(1) == Some(TokenKind::Assign) {
            let target = self.name();
            self.pos += 1;
            let (value, span, depth) = self.expr()?;
            Some((
                Statement {
                    span: target.span.to(span),
                    kind: StatementKind::Assign { target, value },
                },
                depth,
            ))
        } else {
            let (expr, span, depth) = self.expr()?;
            Some((
                Statement {
                    span,
                    kind: StatementKind::Expr { expr },
                },
                depth,
            ))
        }
    }

    /// The kind of the token `ahead` tokens from here.
    fn kind(&self, ahead: usize) -> Option<TokenKind> {
        self.toks.get(self.pos + ahead).map(|t| t.0)
    }

    /// Consume the current token (the caller has seen it) and return its span.
    fn bump(&mut self) -> Span {
        let span = span_of(self.toks[self.pos].1);
        self.pos += 1;
        span
    }

    /// Consume a token of `kind`, or give up.
    fn expect(&mut self, kind: TokenKind) -> Option<Span> {
        (self.kind(0) == Some(kind)).then(|| self.bump())
    }

    /// The current token, an identifier, as a [`Name`].
    fn name(&mut self) -> Name {
        let span = self.bump();
        Name {
            text: Text::new(self.src.get(span.range()).unwrap_or("")),
            span,
        }
    }

    /// Push a node; its id and span with `depth`.
    fn node(&mut self, kind: ExprKind, span: Span, depth: usize) -> Node {
        (self.arena.push(kind, span), span, depth)
    }

    /// A whole expression: operators, then an optional `? then : else`.
    fn expr(&mut self) -> Option<Node> {
        let (condition, start, d0) = self.binary(0)?;
        if self.kind(0) != Some(TokenKind::Question) {
            return Some((condition, start, d0));
        }
        self.pos += 1;
        let (then_branch, _, d1) = self.expr()?;
        self.expect(TokenKind::Colon)?;
        let (else_branch, end, d2) = self.expr()?;
        Some(self.node(
            ExprKind::Conditional {
                condition,
                then_branch,
                else_branch,
            },
            start.to(end),
            1 + d0.max(d1).max(d2),
        ))
    }

    /// Binary operators of binding power `min` or more, left-associative.
    fn binary(&mut self, min: u8) -> Option<Node> {
        let (mut left, mut span, mut depth) = self.unary()?;
        while let Some(op) = self.kind(0).and_then(binary_op) {
            let power = op.precedence();
            if power < min {
                break;
            }
            self.pos += 1;
            let (right, end, d) = self.binary(power + 1)?;
            (left, span, depth) = self.node(ExprKind::Binary { op, left, right }, span.to(end), 1 + depth.max(d));
        }
        Some((left, span, depth))
    }

    /// Prefix `-` and `!` (binding tighter than every binary operator), then a postfix chain.
    fn unary(&mut self) -> Option<Node> {
        let op = match self.kind(0)? {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Bang => UnaryOp::Not,
            _ => return self.postfix(),
        };
        let op_span = self.bump();
        let (operand, end, depth) = self.unary()?;
        Some(self.node(ExprKind::Unary { op, operand }, op_span.to(end), depth + 1))
    }

    /// An atom followed by any number of `.member` and `.method(args)`.
    fn postfix(&mut self) -> Option<Node> {
        let (mut object, mut span, mut depth) = self.atom()?;
        while self.kind(0) == Some(TokenKind::Dot) {
            self.pos += 1;
            if self.kind(0) != Some(TokenKind::Ident) {
                return None;
            }
            let member = self.name();
            if self.kind(0) == Some(TokenKind::LParen) {
                let (open_paren, args, close, d) = self.args()?;
                (object, span, depth) = self.node(
                    ExprKind::MethodCall {
                        object,
                        method: member,
                        args,
                        open_paren,
                    },
                    span.to(close),
                    1 + depth.max(d),
                );
            } else {
                let end = member.span;
                (object, span, depth) = self.node(ExprKind::Member { object, member }, span.to(end), depth + 1);
            }
        }
        Some((object, span, depth))
    }

    /// `( expr, … )` after a name: the spans of `(` and `)`, the arguments and their depth.
    fn args(&mut self) -> Option<(Span, super::ast::ArgList, Span, usize)> {
        let open = self.bump();
        let pending = self.arena.open_args();
        let mut depth = 0;
        if self.kind(0) != Some(TokenKind::RParen) {
            loop {
                let (arg, _, d) = self.expr()?;
                depth = depth.max(d);
                self.arena.pending_arg(arg);
                if self.kind(0) != Some(TokenKind::Comma) {
                    break;
                }
                self.pos += 1;
            }
        }
        let close = self.expect(TokenKind::RParen)?;
        let args = self.arena.close_args(pending);
        Some((open, args, close, depth))
    }

    /// A number, a string, a name, a call or a parenthesised expression.
    fn atom(&mut self) -> Option<Node> {
        let kind = self.kind(0)?;
        match kind {
            TokenKind::Number => {
                let span = self.bump();
                let text = self.src.get(span.range()).unwrap_or("0");
                let value = super::parser::parse_number(text);
                Some(self.node(ExprKind::Number { value }, span, 1))
            }
            TokenKind::String => {
                let span = self.bump();
                let text = self.src.get(span.range()).unwrap_or("");
                let inner = text.strip_prefix(['"', '\'']).unwrap_or(text);
                let inner = inner.strip_suffix(['"', '\'']).unwrap_or(inner);
                Some(self.node(ExprKind::String { value: inner.to_string() }, span, 1))
            }
            TokenKind::Ident => {
                let name = self.name();
                if self.kind(0) != Some(TokenKind::LParen) {
                    let span = name.span;
                    return Some(self.node(ExprKind::Name { name: name.text }, span, 1));
                }
                let (open_paren, args, close, depth) = self.args()?;
                let span = name.span.to(close);
                Some(self.node(
                    ExprKind::Call {
                        function: name,
                        args,
                        open_paren,
                    },
                    span,
                    1 + depth,
                ))
            }
            TokenKind::LParen => {
                let open = self.bump();
                let (inner, _, depth) = self.expr()?;
                let close = self.expect(TokenKind::RParen)?;
                Some(self.node(ExprKind::Paren { inner }, open.to(close), 1 + depth))
            }
            _ => None,
        }
    }
}
