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

/// A tree far deeper than any formula (built by hand), in every shape of node, is cloned,
/// compared, measured and dropped on a 64 KiB stack: the arena's vectors never recurse, and
/// equality and depth walk with their own stacks.
#[test]
fn a_very_deep_tree_clones_compares_and_drops_on_a_small_stack() {
    use crate::syntax::ast::{BinaryOp, Builder, ExprKind, Name, Statement, StatementKind, UnaryOp};
    use crate::Span;
    const LEVELS: usize = 200_000;
    let name = || Name {
        text: "f".into(),
        span: Span::default(),
    };
    let done = std::thread::Builder::new()
        .stack_size(64 * 1024)
        .spawn(move || {
            for round in 0..2 {
                let mut arena = Builder::default();
                let leaf = |arena: &mut Builder| arena.push(ExprKind::Number { value: 1.0 }, Span::default());
                let mut e = leaf(&mut arena);
                for k in 0..LEVELS {
                    let child = e;
                    let kind = match (k + round) % 7 {
                        0 => ExprKind::Unary {
                            op: UnaryOp::Neg,
                            operand: child,
                        },
                        1 => ExprKind::Binary {
                            op: BinaryOp::Add,
                            left: leaf(&mut arena),
                            right: child,
                        },
                        2 => {
                            let right = leaf(&mut arena);
                            ExprKind::Binary {
                                op: BinaryOp::Mul,
                                left: child,
                                right,
                            }
                        }
                        3 => {
                            let condition = leaf(&mut arena);
                            let else_branch = leaf(&mut arena);
                            ExprKind::Conditional {
                                condition,
                                then_branch: child,
                                else_branch,
                            }
                        }
                        4 => {
                            let first = leaf(&mut arena);
                            ExprKind::Call {
                                function: name(),
                                args: arena.arg_list(&[first, child]),
                                open_paren: Span::default(),
                            }
                        }
                        5 => ExprKind::MethodCall {
                            object: leaf(&mut arena),
                            method: name(),
                            args: arena.arg_list(&[child]),
                            open_paren: Span::default(),
                        },
                        _ => ExprKind::Paren { inner: child },
                    };
                    e = arena.push(kind, Span::default());
                }
                let statement = Statement {
                    kind: StatementKind::Expr { expr: e },
                    span: Span::default(),
                };
                let formula = arena.finish(vec![statement], Vec::new(), Span::default());
                let copy = formula.clone();
                assert!(copy == formula);
                assert_eq!(copy.depth(), LEVELS + 1);
                drop(copy);
                drop(formula);
            }
            true
        })
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert!(done);
}
