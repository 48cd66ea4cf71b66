//! Property tests: the parser and checker never panic and keep spans sane on any input, and a
//! generated syntax tree printed back to text parses to the same tree.

use super::common::strip_spans;

use crate::syntax::ast::{BinaryOp, Builder, ExprId, ExprKind, ExprRef, Formula, Name, Statement, StatementKind, UnaryOp};
use crate::syntax::printer::print_formula;
use crate::{check, parse, Span};
use proptest::prelude::*;

fn assert_expr_spans(e: ExprRef<'_>, parent: Span, len: usize) {
    assert!(
        e.span.end as usize <= len && e.span.start <= e.span.end,
        "span {:?} out of bounds",
        e.span
    );
    assert!(parent.contains(e.span), "child {:?} outside parent {:?}", e.span, parent);
    e.for_each_child(|c| assert_expr_spans(c, e.span, len));
}

fn assert_formula_spans(src: &str, formula: &Formula) {
    let mut last_end = 0;
    for s in &formula.statements {
        assert!(s.span.start >= last_end, "statements overlap");
        last_end = s.span.end;
        assert!(s.span.end as usize <= src.len());
        if let Some(e) = formula.statement_expr(s) {
            assert_expr_spans(e, s.span, src.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn any_string_parses_and_checks_without_panic(src in "\\PC{0,200}") {
        let analysis = check(&src);
        for d in &analysis.diagnostics {
            prop_assert!(d.span.start <= d.span.end && d.span.end as usize <= src.len(), "diagnostic span {:?} out of {}", d.span, src.len());
        }
        assert_formula_spans(&src, &analysis.formula);
    }

    #[test]
    fn formula_like_strings_parse_and_check_without_panic(src in "[$a-zA-Z_0-9 ().,;:?!=<>&|+*/\"-]{0,120}") {
        let analysis = check(&src);
        for d in &analysis.diagnostics {
            prop_assert!(d.span.end as usize <= src.len());
            prop_assert!(src.is_char_boundary(d.span.start as usize) && src.is_char_boundary(d.span.end as usize));
        }
        assert_formula_spans(&src, &analysis.formula);
    }

    #[test]
    fn printed_tree_parses_to_the_same_tree(formula in formula_strategy()) {
        let text = print_formula(&formula, None);
        let parsed = parse(&text);
        prop_assert!(!parsed.has_errors(), "{text:?}: {:?}", parsed.diagnostics);
        prop_assert_eq!(strip_spans(&parsed.formula), strip_spans(&formula), "text: {}", text);
    }
}

const S: Span = Span { start: 0, end: 0 };

fn name(text: String) -> Name {
    Name {
        text: text.into(),
        span: S,
    }
}

/// A generated tree, boxed (the strategy keeps it shallow); [`T::build`] puts it in an arena.
#[derive(Debug, Clone)]
enum T {
    Number(f64),
    String(String),
    Name(String),
    Unary(UnaryOp, Box<T>),
    Binary(BinaryOp, Box<T>, Box<T>),
    Conditional(Box<T>, Box<T>, Box<T>),
    Call(String, Vec<T>),
    Member(Box<T>, String),
    MethodCall(Box<T>, String, Vec<T>),
    Paren(Box<T>),
}

impl T {
    /// Push the tree onto `arena`, children first; the root's id.
    fn build(&self, arena: &mut Builder) -> ExprId {
        let kind = match self {
            T::Number(value) => ExprKind::Number { value: *value },
            T::String(value) => ExprKind::String { value: value.clone() },
            T::Name(n) => ExprKind::Name { name: n.as_str().into() },
            T::Unary(op, e) => ExprKind::Unary {
                op: *op,
                operand: e.build(arena),
            },
            T::Binary(op, l, r) => {
                let left = l.build(arena);
                ExprKind::Binary {
                    op: *op,
                    left,
                    right: r.build(arena),
                }
            }
            T::Conditional(c, a, b) => {
                let condition = c.build(arena);
                let then_branch = a.build(arena);
                ExprKind::Conditional {
                    condition,
                    then_branch,
                    else_branch: b.build(arena),
                }
            }
            T::Call(f, args) => {
                let ids: Vec<ExprId> = args.iter().map(|a| a.build(arena)).collect();
                ExprKind::Call {
                    function: name(f.clone()),
                    args: arena.arg_list(&ids),
                    open_paren: S,
                }
            }
            T::Member(o, m) => ExprKind::Member {
                object: o.build(arena),
                member: name(m.clone()),
            },
            T::MethodCall(o, m, args) => {
                let object = o.build(arena);
                let ids: Vec<ExprId> = args.iter().map(|a| a.build(arena)).collect();
                ExprKind::MethodCall {
                    object,
                    method: name(m.clone()),
                    args: arena.arg_list(&ids),
                    open_paren: S,
                }
            }
            T::Paren(e) => ExprKind::Paren { inner: e.build(arena) },
        };
        arena.push(kind, S)
    }
}

/// Precedence of the expression as printed (higher binds tighter).
fn level(e: &T) -> u8 {
    match e {
        T::Conditional(..) => 0,
        T::Binary(op, ..) => op.precedence(),
        T::Unary(..) => 7,
        T::Member(..) | T::MethodCall(..) => 8,
        _ => 9,
    }
}

fn paren_if(e: T, needed: u8) -> Box<T> {
    Box::new(if level(&e) < needed { T::Paren(Box::new(e)) } else { e })
}

fn object(e: T) -> Box<T> {
    Box::new(match e {
        T::Name(..) | T::Call(..) | T::Member(..) | T::MethodCall(..) | T::Paren(..) => e,
        _ => T::Paren(Box::new(e)),
    })
}

fn identifier() -> impl Strategy<Value = String> {
    "\\$?[a-zA-Z_][a-zA-Z0-9_]{0,6}"
}

fn expr_strategy() -> impl Strategy<Value = T> {
    let leaf = prop_oneof![
        (0u32..100_000, 0u32..4).prop_map(|(n, scale)| T::Number(n as f64 / 10f64.powi(scale as i32))),
        "[a-zA-Z0-9 ,:]{0,8}".prop_map(T::String),
        identifier().prop_map(T::Name),
    ];
    let binary_ops = prop_oneof![
        Just(BinaryOp::Add),
        Just(BinaryOp::Sub),
        Just(BinaryOp::Mul),
        Just(BinaryOp::Div),
        Just(BinaryOp::Lt),
        Just(BinaryOp::Le),
        Just(BinaryOp::Gt),
        Just(BinaryOp::Ge),
        Just(BinaryOp::Eq),
        Just(BinaryOp::Ne),
        Just(BinaryOp::And),
        Just(BinaryOp::Or),
    ];
    leaf.prop_recursive(5, 48, 4, move |inner| {
        prop_oneof![
            (prop_oneof![Just(UnaryOp::Neg), Just(UnaryOp::Not)], inner.clone()).prop_map(|(op, e)| T::Unary(op, paren_if(e, 7))),
            (binary_ops.clone(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| {
                let p = op.precedence();
                T::Binary(op, paren_if(l, p), paren_if(r, p + 1))
            }),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| T::Conditional(paren_if(c, 1), Box::new(a), Box::new(b))),
            (identifier(), prop::collection::vec(inner.clone(), 0..3)).prop_map(|(f, args)| T::Call(f, args)),
            (inner.clone(), "[a-zA-Z_][a-zA-Z0-9_]{0,6}").prop_map(|(o, m)| T::Member(object(o), m)),
            (
                inner.clone(),
                "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(o, m, args)| T::MethodCall(object(o), m, args)),
            inner.prop_map(|e| T::Paren(Box::new(e))),
        ]
    })
}

fn formula_strategy() -> impl Strategy<Value = Formula> {
    let statement = prop_oneof![
        (identifier(), expr_strategy()).prop_map(|(t, value)| (Some(t), value)),
        expr_strategy().prop_map(|expr| (None, expr)),
    ];
    prop::collection::vec(statement, 1..5).prop_map(|statements| {
        let mut arena = Builder::default();
        let statements = statements
            .into_iter()
            .map(|(target, tree)| {
                let id = tree.build(&mut arena);
                let kind = match target {
                    Some(t) => StatementKind::Assign {
                        target: name(t),
                        value: id,
                    },
                    None => StatementKind::Expr { expr: id },
                };
                Statement { kind, span: S }
            })
            .collect();
        arena.finish(statements, Vec::new(), S)
    })
}
