//! Print a syntax tree back to formula text.
//!
//! The printer writes the tree as it is: it adds no parentheses (the tree keeps the user's
//! [`View::Paren`] nodes) and puts single spaces around binary operators, `?` and `:`.
//! Given the source text, number literals are copied as written.

use super::ast::{Args, ExprRef, Formula, Statement, StatementKind, View};

/// Called with the byte offset of every expression before it is printed, so that the caller
/// can place comments that come before it (see `fmt`).
pub type BeforeHook<'h> = dyn FnMut(u32, &mut String) + 'h;

/// One step of printing: an expression still to print, or text to append.
enum Step<'a> {
    Expr(ExprRef<'a>),
    Text(&'a str),
}

/// Print without recursion: a left-nested sum of thousands of terms is as deep as it is long,
/// so the printer keeps its own stack of steps instead of using the thread's.
fn print_expr_with(expr: ExprRef<'_>, src: Option<&str>, out: &mut String, before: &mut BeforeHook<'_>) {
    let mut steps = vec![Step::Expr(expr)];
    while let Some(step) = steps.pop() {
        let expr = match step {
            Step::Text(text) => {
                out.push_str(text);
                continue;
            }
            Step::Expr(expr) => expr,
        };
        before(expr.span.start, out);
        // Steps are pushed in reverse: the last pushed is printed first.
        match expr.kind() {
            View::Number { value } => match src.map(|s| expr.span.text(s)).filter(|t| !t.is_empty()) {
                Some(text) => out.push_str(text),
                None => out.push_str(&number_literal(*value)),
            },
            View::String { value } => {
                out.push('"');
                out.push_str(value);
                out.push('"');
            }
            View::Name { name } => out.push_str(name),
            View::Unary { op, operand } => {
                out.push_str(op.symbol());
                steps.push(Step::Expr(operand));
            }
            View::Binary { op, left, right } => {
                steps.push(Step::Expr(right));
                steps.push(Step::Text(" "));
                steps.push(Step::Text(op.symbol()));
                steps.push(Step::Text(" "));
                steps.push(Step::Expr(left));
            }
            View::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                steps.push(Step::Expr(else_branch));
                steps.push(Step::Text(" : "));
                steps.push(Step::Expr(then_branch));
                steps.push(Step::Text(" ? "));
                steps.push(Step::Expr(condition));
            }
            View::Call { function, args, .. } => {
                push_args(args, &mut steps);
                steps.push(Step::Text(&function.text));
            }
            View::Member { object, member } => {
                steps.push(Step::Text(&member.text));
                steps.push(Step::Text(dot_after(object)));
                steps.push(Step::Expr(object));
            }
            View::MethodCall { object, method, args, .. } => {
                push_args(args, &mut steps);
                steps.push(Step::Text(&method.text));
                steps.push(Step::Text(dot_after(object)));
                steps.push(Step::Expr(object));
            }
            View::Paren { inner } => {
                out.push('(');
                steps.push(Step::Text(")"));
                steps.push(Step::Expr(inner));
            }
            View::Error => {
                if let Some(s) = src {
                    out.push_str(expr.span.text(s));
                }
            }
        }
    }
}

/// The `.` after a member's object: ` .` after a number, which `10.hour` would glue into the
/// malformed number `10.` (found by fuzzing: formatting must not break a formula that parses).
fn dot_after(object: ExprRef<'_>) -> &'static str {
    if matches!(object.kind(), View::Number { .. }) {
        " ."
    } else {
        "."
    }
}

/// Push the steps that print `(a, b, …)`, in reverse.
fn push_args<'a>(args: Args<'a>, steps: &mut Vec<Step<'a>>) {
    steps.push(Step::Text(")"));
    for (i, arg) in args.iter().enumerate().rev() {
        steps.push(Step::Expr(arg));
        if i > 0 {
            steps.push(Step::Text(", "));
        }
    }
    steps.push(Step::Text("("));
}

/// Append `statement` of `formula` (without `;`) to `out`, calling `before` with the offset of every
/// expression before printing it. With `src`, number literals are copied from the source text.
pub fn print_statement_with(formula: &Formula, statement: &Statement, src: Option<&str>, out: &mut String, before: &mut BeforeHook<'_>) {
    match &statement.kind {
        StatementKind::Assign { target, value } => {
            out.push_str(&target.text);
            out.push_str(" = ");
            print_expr_with(formula.get(*value), src, out, before);
        }
        StatementKind::Expr { expr } => print_expr_with(formula.get(*expr), src, out, before),
        StatementKind::Error => {
            if let Some(s) = src {
                out.push_str(statement.span.text(s));
            }
        }
    }
}

/// A number literal in the language's syntax (`[0-9]+(\.[0-9]+)?`) for a finite, non-negative
/// value; Rust's `Display` for `f64` never uses an exponent, so it is already in that form.
pub fn number_literal(value: f64) -> String {
    if value.is_finite() && value >= 0.0 {
        format!("{value}")
    } else {
        "0".to_string()
    }
}

/// Print a whole formula, one statement per line, each ending in `;` (for the property tests
/// and the fuzz targets; `fmt` prints with comments).
#[cfg(any(test, fuzzing))]
pub fn print_formula(formula: &Formula, src: Option<&str>) -> String {
    let mut out = String::new();
    for statement in &formula.statements {
        print_statement_with(formula, statement, src, &mut out, &mut |_, _| {});
        out.push_str(";\n");
    }
    out
}
