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

use super::ast::{BinaryOp, Expr, ExprKind, Name, Statement, StatementKind, UnaryOp};
use super::lexer::TokenKind;
use super::span::Span;
use super::text::Text;

/// A cleaned token, as the parser splits them into chunks.
pub(super) type Tok = (TokenKind, SimpleSpan);

/// One statement parsed from a whole chunk, with the depth of its expression (what
/// [`Expr::depth`] would count), or `None` when the chunk is not one valid statement or this
/// parser is not sure.
pub(super) fn parse_statement(src: &str, chunk: &[Tok]) -> Option<(Statement, usize)> {
    let mut p = Descent { src, toks: chunk, pos: 0 };
    let statement = if p.kind(0) == Some(TokenKind::Ident) && p.kind(1) == Some(TokenKind::Assign) {
        let target = p.name();
        p.pos += 1;
        let (value, depth) = p.expr()?;
        (
            Statement {
                span: target.span.to(value.span),
                kind: StatementKind::Assign { target, value },
            },
            depth,
        )
    } else {
        let (expr, depth) = p.expr()?;
        (
            Statement {
                span: expr.span,
                kind: StatementKind::Expr { expr },
            },
            depth,
        )
    };
    (p.pos == chunk.len()).then_some(statement)
}

/// An expression and its depth.
type Node = (Expr, usize);

struct Descent<'a> {
    src: &'a str,
    toks: &'a [Tok],
    pos: usize,
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

    /// A whole expression: operators, then an optional `? then : else`.
    fn expr(&mut self) -> Option<Node> {
        let (condition, d0) = self.binary(0)?;
        if self.kind(0) != Some(TokenKind::Question) {
            return Some((condition, d0));
        }
        self.pos += 1;
        let (then_branch, d1) = self.expr()?;
        self.expect(TokenKind::Colon)?;
        let (else_branch, d2) = self.expr()?;
        Some((
            Expr {
                span: condition.span.to(else_branch.span),
                kind: ExprKind::Conditional {
                    condition: Box::new(condition),
                    then_branch: Box::new(then_branch),
                    else_branch: Box::new(else_branch),
                },
            },
            1 + d0.max(d1).max(d2),
        ))
    }

    /// Binary operators of binding power `min` or more, left-associative.
    fn binary(&mut self, min: u8) -> Option<Node> {
        let (mut left, mut depth) = self.unary()?;
        while let Some(op) = self.kind(0).and_then(binary_op) {
            let power = op.precedence();
            if power < min {
                break;
            }
            self.pos += 1;
            let (right, d) = self.binary(power + 1)?;
            depth = 1 + depth.max(d);
            left = Expr {
                span: left.span.to(right.span),
                kind: ExprKind::Binary {
                    op,
                    left: Box::new(left),
                    right: Box::new(right),
                },
            };
        }
        Some((left, depth))
    }

    /// Prefix `-` and `!` (binding tighter than every binary operator), then a postfix chain.
    fn unary(&mut self) -> Option<Node> {
        let op = match self.kind(0)? {
            TokenKind::Minus => UnaryOp::Neg,
            TokenKind::Bang => UnaryOp::Not,
            _ => return self.postfix(),
        };
        let op_span = self.bump();
        let (operand, depth) = self.unary()?;
        Some((
            Expr {
                span: op_span.to(operand.span),
                kind: ExprKind::Unary {
                    op,
                    operand: Box::new(operand),
                },
            },
            depth + 1,
        ))
    }

    /// An atom followed by any number of `.member` and `.method(args)`.
    fn postfix(&mut self) -> Option<Node> {
        let (mut object, mut depth) = self.atom()?;
        while self.kind(0) == Some(TokenKind::Dot) {
            self.pos += 1;
            if self.kind(0) != Some(TokenKind::Ident) {
                return None;
            }
            let member = self.name();
            if self.kind(0) == Some(TokenKind::LParen) {
                let (open_paren, args, close, d) = self.args()?;
                depth = 1 + depth.max(d);
                object = Expr {
                    span: object.span.to(close),
                    kind: ExprKind::MethodCall {
                        object: Box::new(object),
                        method: member,
                        args,
                        open_paren,
                    },
                };
            } else {
                depth += 1;
                object = Expr {
                    span: object.span.to(member.span),
                    kind: ExprKind::Member {
                        object: Box::new(object),
                        member,
                    },
                };
            }
        }
        Some((object, depth))
    }

    /// `( expr, … )` after a name: the spans of `(` and `)`, the arguments and their depth.
    fn args(&mut self) -> Option<(Span, Vec<Expr>, Span, usize)> {
        let open = self.bump();
        let mut args = Vec::new();
        let mut depth = 0;
        if self.kind(0) != Some(TokenKind::RParen) {
            loop {
                let (arg, d) = self.expr()?;
                depth = depth.max(d);
                args.push(arg);
                if self.kind(0) != Some(TokenKind::Comma) {
                    break;
                }
                self.pos += 1;
            }
        }
        let close = self.expect(TokenKind::RParen)?;
        Some((open, args, close, depth))
    }

    /// A number, a string, a name, a call or a parenthesised expression.
    fn atom(&mut self) -> Option<Node> {
        let kind = self.kind(0)?;
        let expr = match kind {
            TokenKind::Number => {
                let span = self.bump();
                let text = self.src.get(span.range()).unwrap_or("0");
                Expr {
                    kind: ExprKind::Number {
                        value: super::parser::parse_number(text),
                    },
                    span,
                }
            }
            TokenKind::String => {
                let span = self.bump();
                let text = self.src.get(span.range()).unwrap_or("");
                let inner = text.strip_prefix(['"', '\'']).unwrap_or(text);
                let inner = inner.strip_suffix(['"', '\'']).unwrap_or(inner);
                Expr {
                    kind: ExprKind::String { value: inner.to_string() },
                    span,
                }
            }
            TokenKind::Ident => {
                let name = self.name();
                if self.kind(0) != Some(TokenKind::LParen) {
                    return Some((
                        Expr {
                            span: name.span,
                            kind: ExprKind::Name { name: name.text },
                        },
                        1,
                    ));
                }
                let (open_paren, args, close, depth) = self.args()?;
                return Some((
                    Expr {
                        span: name.span.to(close),
                        kind: ExprKind::Call {
                            function: name,
                            args,
                            open_paren,
                        },
                    },
                    1 + depth,
                ));
            }
            TokenKind::LParen => {
                let open = self.bump();
                let (inner, depth) = self.expr()?;
                let close = self.expect(TokenKind::RParen)?;
                return Some((
                    Expr {
                        kind: ExprKind::Paren { inner: Box::new(inner) },
                        span: open.to(close),
                    },
                    1 + depth,
                ));
            }
            _ => return None,
        };
        Some((expr, 1))
    }
}
