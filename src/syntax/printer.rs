//! Print a syntax tree back to formula text.
//!
//! The printer writes the tree as it is: it adds no parentheses (the tree keeps the user's
//! [`ExprKind::Paren`] nodes) and puts single spaces around binary operators, `?` and `:`.
//! Given the source text, number literals are copied as written.

use super::ast::{Expr, ExprKind, Statement, StatementKind};

/// Append `expr` to `out`. With `src`, number literals are copied from the source text.
pub fn print_expr(expr: &Expr, src: Option<&str>, out: &mut String) {
    print_expr_with(expr, src, out, &mut |_, _| {});
}

/// Called with the byte offset of every expression before it is printed, so that the caller
/// can place comments that come before it (see `fmt`).
pub type BeforeHook<'h> = dyn FnMut(u32, &mut String) + 'h;

fn print_expr_with(expr: &Expr, src: Option<&str>, out: &mut String, before: &mut BeforeHook<'_>) {
    before(expr.span.start, out);
    match &expr.kind {
        ExprKind::Number { value } => match src.map(|s| expr.span.text(s)).filter(|t| !t.is_empty()) {
            Some(text) => out.push_str(text),
            None => out.push_str(&number_literal(*value)),
        },
        ExprKind::String { value } => {
            out.push('"');
            out.push_str(value);
            out.push('"');
        }
        ExprKind::Name { name } => out.push_str(name),
        ExprKind::Unary { op, operand } => {
            out.push_str(op.symbol());
            print_expr_with(operand, src, out, before);
        }
        ExprKind::Binary { op, left, right } => {
            print_expr_with(left, src, out, before);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            print_expr_with(right, src, out, before);
        }
        ExprKind::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            print_expr_with(condition, src, out, before);
            out.push_str(" ? ");
            print_expr_with(then_branch, src, out, before);
            out.push_str(" : ");
            print_expr_with(else_branch, src, out, before);
        }
        ExprKind::Call { function, args, .. } => {
            out.push_str(&function.text);
            print_args(args, src, out, before);
        }
        ExprKind::Member { object, member } => {
            print_expr_with(object, src, out, before);
            out.push('.');
            out.push_str(&member.text);
        }
        ExprKind::MethodCall { object, method, args, .. } => {
            print_expr_with(object, src, out, before);
            out.push('.');
            out.push_str(&method.text);
            print_args(args, src, out, before);
        }
        ExprKind::Paren { inner } => {
            out.push('(');
            print_expr_with(inner, src, out, before);
            out.push(')');
        }
        ExprKind::Error => {
            if let Some(s) = src {
                out.push_str(expr.span.text(s));
            }
        }
    }
}

fn print_args(args: &[Expr], src: Option<&str>, out: &mut String, before: &mut BeforeHook<'_>) {
    out.push('(');
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        print_expr_with(arg, src, out, before);
    }
    out.push(')');
}

/// Append `statement` (without `;`) to `out`.
pub fn print_statement(statement: &Statement, src: Option<&str>, out: &mut String) {
    print_statement_with(statement, src, out, &mut |_, _| {});
}

/// [`print_statement`], calling `before` with the offset of every expression before printing
/// it.
pub fn print_statement_with(statement: &Statement, src: Option<&str>, out: &mut String, before: &mut BeforeHook<'_>) {
    match &statement.kind {
        StatementKind::Assign { target, value } => {
            out.push_str(&target.text);
            out.push_str(" = ");
            print_expr_with(value, src, out, before);
        }
        StatementKind::Expr { expr } => print_expr_with(expr, src, out, before),
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

/// Print a whole formula, one statement per line, each ending in `;`.
pub fn print_formula(formula: &super::ast::Formula, src: Option<&str>) -> String {
    let mut out = String::new();
    for statement in &formula.statements {
        print_statement(statement, src, &mut out);
        out.push_str(";\n");
    }
    out
}
