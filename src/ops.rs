//! The semantics of the operators and extremes on doubles (§3.3, §3.4, D13, D45), defined
//! once: the evaluator's general path, its double-only path and constant folding in the
//! checker's lints all call these.

use crate::syntax::ast::BinaryOp;

/// A binary operator on two doubles (§3.1). Comparisons give 1 or 0 and are false for NaN,
/// but `!=`, which is true. `&&` and `||` never get here (they short-circuit, D7).
#[inline]
pub fn double_op(op: BinaryOp, x: f64, y: f64) -> f64 {
    use BinaryOp::*;
    match op {
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        Div => x / y,
        Lt => f64::from(x < y),
        Le => f64::from(x <= y),
        Gt => f64::from(x > y),
        Ge => f64::from(x >= y),
        Eq => f64::from(x == y),
        Ne | And | Or => f64::from(x != y),
    }
}

/// The larger of two doubles as .NET Core's `Math.Max` gives it: NaN when either is NaN
/// (D45), `+0` rather than `-0`. The one definition every path uses.
#[inline]
pub fn max2(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == y {
        if x.is_sign_negative() {
            y
        } else {
            x
        }
    } else if y > x {
        y
    } else {
        x
    }
}

/// The smaller of two doubles as .NET Core's `Math.Min` gives it: NaN when either is NaN
/// (D45), `-0` rather than `+0`.
#[inline]
pub fn min2(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == y {
        if x.is_sign_negative() {
            x
        } else {
            y
        }
    } else if y < x {
        y
    } else {
        x
    }
}

/// .NET's sort order for doubles (D45): NaN before every other value, then `-Infinity` …
/// `+Infinity`; `-0` and `+0` are equal.
pub fn dotnet_order(a: &f64, b: &f64) -> std::cmp::Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => std::cmp::Ordering::Equal,
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal),
    }
}
