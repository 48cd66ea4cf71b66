//! The parser's depth bound, seen in the tree.

use crate::syntax::parser::MAX_DEPTH;

#[test]
fn a_tree_at_the_depth_bound_is_kept_whole() {
    let src = format!("$x = {};", vec!["1"; MAX_DEPTH].join("+"));
    let parsed = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let parsed = crate::parse(&src);
            (parsed.has_errors(), parsed.formula.depth())
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(parsed, (false, MAX_DEPTH));
}

/// A tree far deeper than any formula (built by hand), in every shape of node, is dropped on a
/// 64 KiB stack: the first levels by the plain drop, the rest by the iterative one.
#[test]
fn a_very_deep_tree_drops_on_a_small_stack() {
    use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Name, UnaryOp};
    use crate::Span;
    let leaf = || Expr {
        kind: ExprKind::Number { value: 1.0 },
        span: Span::default(),
    };
    let name = || Name {
        text: "f".into(),
        span: Span::default(),
    };
    let dropped = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            for round in 0..2 {
                let mut e = leaf();
                for k in 0..200_000usize {
                    let child = Box::new(e);
                    let kind = match (k + round) % 7 {
                        0 => ExprKind::Unary {
                            op: UnaryOp::Neg,
                            operand: child,
                        },
                        1 => ExprKind::Binary {
                            op: BinaryOp::Add,
                            left: Box::new(leaf()),
                            right: child,
                        },
                        2 => ExprKind::Binary {
                            op: BinaryOp::Mul,
                            left: child,
                            right: Box::new(leaf()),
                        },
                        3 => ExprKind::Conditional {
                            condition: Box::new(leaf()),
                            then_branch: child,
                            else_branch: Box::new(leaf()),
                        },
                        4 => ExprKind::Call {
                            function: name(),
                            args: vec![leaf(), *child],
                            open_paren: Span::default(),
                        },
                        5 => ExprKind::MethodCall {
                            object: Box::new(leaf()),
                            method: name(),
                            args: vec![*child],
                            open_paren: Span::default(),
                        },
                        _ => ExprKind::Paren { inner: child },
                    };
                    e = Expr {
                        kind,
                        span: Span::default(),
                    };
                }
                drop(e);
            }
            true
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert!(dropped);
}
