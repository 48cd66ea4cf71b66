//! Property tests: the parser and checker never panic and keep spans sane on any input, and a
//! generated syntax tree printed back to text parses to the same tree.

use super::common::strip_spans;

use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Formula, Name, Statement, StatementKind, UnaryOp};
use crate::syntax::printer::print_formula;
use crate::{check, parse, Span};
use proptest::prelude::*;

fn assert_expr_spans(e: &Expr, parent: Span, len: usize) {
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
        if let Some(e) = s.expr() {
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

fn mk(kind: ExprKind) -> Expr {
    Expr { kind, span: S }
}

/// Precedence of the expression as printed (higher binds tighter).
fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Conditional { .. } => 0,
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Unary { .. } => 7,
        ExprKind::Member { .. } | ExprKind::MethodCall { .. } => 8,
        _ => 9,
    }
}

fn paren_if(e: Expr, needed: u8) -> Expr {
    if level(&e) < needed {
        mk(ExprKind::Paren { inner: Box::new(e) })
    } else {
        e
    }
}

fn object(e: Expr) -> Expr {
    match e.kind {
        ExprKind::Name { .. } | ExprKind::Call { .. } | ExprKind::Member { .. } | ExprKind::MethodCall { .. } | ExprKind::Paren { .. } => e,
        _ => mk(ExprKind::Paren { inner: Box::new(e) }),
    }
}

fn identifier() -> impl Strategy<Value = String> {
    "\\$?[a-zA-Z_][a-zA-Z0-9_]{0,6}"
}

fn expr_strategy() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        (0u32..100_000, 0u32..4).prop_map(|(n, scale)| mk(ExprKind::Number {
            value: n as f64 / 10f64.powi(scale as i32)
        })),
        "[a-zA-Z0-9 ,:]{0,8}".prop_map(|value| mk(ExprKind::String { value })),
        identifier().prop_map(|name| mk(ExprKind::Name { name: name.into() })),
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
            (prop_oneof![Just(UnaryOp::Neg), Just(UnaryOp::Not)], inner.clone()).prop_map(|(op, e)| mk(ExprKind::Unary {
                op,
                operand: Box::new(paren_if(e, 7))
            })),
            (binary_ops.clone(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| {
                let p = op.precedence();
                mk(ExprKind::Binary {
                    op,
                    left: Box::new(paren_if(l, p)),
                    right: Box::new(paren_if(r, p + 1)),
                })
            }),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| mk(ExprKind::Conditional {
                condition: Box::new(paren_if(c, 1)),
                then_branch: Box::new(a),
                else_branch: Box::new(b)
            })),
            (identifier(), prop::collection::vec(inner.clone(), 0..3)).prop_map(|(f, args)| mk(ExprKind::Call {
                function: name(f),
                args,
                open_paren: S
            })),
            (inner.clone(), "[a-zA-Z_][a-zA-Z0-9_]{0,6}").prop_map(|(o, m)| mk(ExprKind::Member {
                object: Box::new(object(o)),
                member: name(m)
            })),
            (
                inner.clone(),
                "[a-zA-Z_][a-zA-Z0-9_]{0,6}",
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(o, m, args)| mk(ExprKind::MethodCall {
                    object: Box::new(object(o)),
                    method: name(m),
                    args,
                    open_paren: S
                })),
            inner.prop_map(|e| mk(ExprKind::Paren { inner: Box::new(e) })),
        ]
    })
}

fn formula_strategy() -> impl Strategy<Value = Formula> {
    let statement = prop_oneof![
        (identifier(), expr_strategy()).prop_map(|(t, value)| Statement {
            kind: StatementKind::Assign { target: name(t), value },
            span: S
        }),
        expr_strategy().prop_map(|expr| Statement {
            kind: StatementKind::Expr { expr },
            span: S
        }),
    ];
    prop::collection::vec(statement, 1..5).prop_map(|statements| Formula {
        statements,
        comments: Vec::new(),
        span: S,
    })
}
