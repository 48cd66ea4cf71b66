//! Print a syntax tree back to formula text.
//!
//! The printer writes the tree as it is: it adds no parentheses (the tree keeps the user's
//! [`ExprKind::Paren`] nodes) and puts single spaces around binary operators, `?` and `:`.
//! Given the source text, number literals are copied as written.

use super::ast::{Expr, ExprKind, Statement, StatementKind};

/// Append `expr` to `out`. With `src`, number literals are copied from the source text.
pub fn print_expr(expr: &Expr, src: Option<&str>, out: &mut String) {
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
            print_expr(operand, src, out);
        }
        ExprKind::Binary { op, left, right } => {
            print_expr(left, src, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            print_expr(right, src, out);
        }
        ExprKind::Conditional {
            condition,
            then_branch,
            else_branch,
        } => {
            print_expr(condition, src, out);
            out.push_str(" ? ");
            print_expr(then_branch, src, out);
            out.push_str(" : ");
            print_expr(else_branch, src, out);
        }
        ExprKind::Call { function, args, .. } => {
            out.push_str(&function.text);
            print_args(args, src, out);
        }
        ExprKind::Member { object, member } => {
            print_expr(object, src, out);
            out.push('.');
            out.push_str(&member.text);
        }
        ExprKind::MethodCall { object, method, args, .. } => {
            print_expr(object, src, out);
            out.push('.');
            out.push_str(&method.text);
            print_args(args, src, out);
        }
        ExprKind::Paren { inner } => {
            out.push('(');
            print_expr(inner, src, out);
            out.push(')');
        }
        ExprKind::Error => {
            if let Some(s) = src {
                out.push_str(expr.span.text(s));
            }
        }
    }
}

fn print_args(args: &[Expr], src: Option<&str>, out: &mut String) {
    out.push('(');
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        print_expr(arg, src, out);
    }
    out.push(')');
}

/// Append `statement` (without `;`) to `out`.
pub fn print_statement(statement: &Statement, src: Option<&str>, out: &mut String) {
    match &statement.kind {
        StatementKind::Assign { target, value } => {
            out.push_str(&target.text);
            out.push_str(" = ");
            print_expr(value, src, out);
        }
        StatementKind::Expr { expr } => print_expr(expr, src, out),
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
