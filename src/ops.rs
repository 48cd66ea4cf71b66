//! The semantics of the operators, comparisons, conditions and aggregates (§3, §4, D7, D13,
//! D17–D19, D36, D38, D45), defined once: constant folding in the compiler, the lints'
//! constant evaluation, the evaluator's double-only path and its general path all call these.

use crate::builtins::Function;
use crate::format::format_double;
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::time::{TimeInterval, Timestamp};

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

/// A scalar operand of the operators (§3.1): everything but vectors, keywords and no value.
/// Constant folding, the lints' constant evaluation and the general evaluation path all hand
/// their operands to [`binary`] and [`unary`] in this shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// A double.
    Double(f64),
    /// A timeinterval.
    Interval(TimeInterval),
    /// A timestamp.
    Timestamp(Timestamp),
    /// A string (only compared).
    Str(&'a str),
}

/// Why an operator gave no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OpError {
    /// The operator is not defined for these types (D12).
    Undefined,
    /// The time result is outside the representable range.
    Overflow,
}

/// A binary operator other than `&&`/`||` on two scalars (§3.1, §3.3): arithmetic on doubles
/// ([`double_op`]), the time arithmetic of the operator table, and the comparisons of two
/// values of one type. `&&` and `||` short-circuit (D7, [`and`], [`or`]) and are undefined here.
#[inline]
pub(crate) fn binary<'a>(op: BinaryOp, a: Scalar<'a>, b: Scalar<'a>) -> Result<Scalar<'a>, OpError> {
    use BinaryOp::*;
    use Scalar::*;
    let time = |r: Option<TimeInterval>| r.map(Interval).ok_or(OpError::Overflow);
    match (op, a, b) {
        (And | Or, _, _) => Err(OpError::Undefined),
        (_, Double(x), Double(y)) => Ok(Double(double_op(op, x, y))),
        (Mul, Double(k), Interval(i)) | (Mul, Interval(i), Double(k)) => time(i.checked_mul_f64(k)),
        (Div, Interval(i), Double(k)) => time(i.checked_div_f64(k)),
        (Add, Interval(i), Interval(j)) => time(i.checked_add(j)),
        (Sub, Interval(i), Interval(j)) => time(i.checked_sub(j)),
        (Add, Interval(i), Timestamp(t)) | (Add, Timestamp(t), Interval(i)) => t.checked_add(i).map(Timestamp).ok_or(OpError::Overflow),
        (Sub, Timestamp(t), Timestamp(u)) => time(t.checked_sub(u)),
        (Lt | Le | Gt | Ge | Eq | Ne, a, b) => {
            let ordering = match (a, b) {
                (Str(x), Str(y)) => x.encode_utf16().cmp(y.encode_utf16()),
                (Timestamp(x), Timestamp(y)) => x.cmp(&y),
                (Interval(x), Interval(y)) => x.cmp(&y),
                _ => return Err(OpError::Undefined),
            };
            Ok(Double(compare(op, ordering)))
        }
        _ => Err(OpError::Undefined),
    }
}

/// A comparison's value (1 or 0) from the order of its operands.
#[inline]
fn compare(op: BinaryOp, ordering: std::cmp::Ordering) -> f64 {
    use std::cmp::Ordering::*;
    f64::from(match op {
        BinaryOp::Lt => ordering == Less,
        BinaryOp::Le => ordering != Greater,
        BinaryOp::Gt => ordering == Greater,
        BinaryOp::Ge => ordering != Less,
        BinaryOp::Eq => ordering == Equal,
        _ => ordering != Equal,
    })
}

/// A prefix operator on a scalar (§3.1): `-` on a double or an interval, `!` on a double.
#[inline]
pub(crate) fn unary(op: UnaryOp, a: Scalar<'_>) -> Result<Scalar<'_>, OpError> {
    match (op, a) {
        (UnaryOp::Neg, Scalar::Double(x)) => Ok(Scalar::Double(neg(x))),
        (UnaryOp::Not, Scalar::Double(x)) => Ok(Scalar::Double(not(x))),
        (UnaryOp::Neg, Scalar::Interval(i)) => i.checked_neg().map(Scalar::Interval).ok_or(OpError::Overflow),
        _ => Err(OpError::Undefined),
    }
}

/// `-x` on a double.
#[inline]
pub(crate) fn neg(x: f64) -> f64 {
    -x
}

/// `!x` on a double: 1 for 0, else 0 (NaN is true, so `!NaN` is 0, D36).
#[inline]
pub(crate) fn not(x: f64) -> f64 {
    f64::from(x == 0.0)
}

/// Whether a double is true as a condition of `?:`, `&&` or `||`: non-zero, NaN included (D36).
#[inline]
pub(crate) fn is_true(x: f64) -> bool {
    x != 0.0
}

/// `&&` (D7): 0 when the left is false, without evaluating the right; else whether the right is true.
#[inline]
pub(crate) fn and<E>(left: bool, right: impl FnOnce() -> Result<bool, E>) -> Result<f64, E> {
    Ok(if left { f64::from(right()?) } else { 0.0 })
}

/// `||` (D7): 1 when the left is true, without evaluating the right; else whether the right is true.
#[inline]
pub(crate) fn or<E>(left: bool, right: impl FnOnce() -> Result<bool, E>) -> Result<f64, E> {
    Ok(if left { 1.0 } else { f64::from(right()?) })
}

/// An aggregate of a doubleVecList (§4.2), fed its elements left to right (D38); `None` when
/// it has no value for what it was fed (D17: `avg`, `min`, `max` and `range` of nothing).
pub(crate) trait Aggregate: Default {
    /// Take the next element.
    fn push(&mut self, x: f64);
    /// The value.
    fn finish(self) -> Option<f64>;

    /// The aggregate of a slice: every element pushed, in order.
    #[inline]
    fn of_slice(values: &[f64]) -> Option<f64> {
        let mut a = Self::default();
        for &x in values {
            a.push(x);
        }
        a.finish()
    }
}

/// The aggregate `A` of a slice.
#[inline]
pub(crate) fn fold<A: Aggregate>(values: &[f64]) -> Option<f64> {
    A::of_slice(values)
}

/// `sum`: 0 plus every element, left to right (so `sum(-0)` is `0 + -0`).
#[derive(Default)]
pub(crate) struct Sum(f64);

impl Aggregate for Sum {
    #[inline]
    fn push(&mut self, x: f64) {
        self.0 += x;
    }
    #[inline]
    fn finish(self) -> Option<f64> {
        Some(self.0)
    }
}

/// `avg`: the sum over the count.
#[derive(Default)]
pub(crate) struct Avg(usize, f64);

impl Aggregate for Avg {
    #[inline]
    fn push(&mut self, x: f64) {
        self.0 += 1;
        self.1 += x;
    }
    #[inline]
    fn finish(self) -> Option<f64> {
        (self.0 != 0).then(|| self.1 / self.0 as f64)
    }

    /// The same sum, left to right, over the slice's length (no count to keep).
    #[inline]
    fn of_slice(values: &[f64]) -> Option<f64> {
        let mut sum = 0.0;
        for &x in values {
            sum += x;
        }
        (!values.is_empty()).then(|| sum / values.len() as f64)
    }
}

/// `len`: how many elements.
#[derive(Default)]
pub(crate) struct Len(usize);

impl Aggregate for Len {
    #[inline]
    fn push(&mut self, _: f64) {
        self.0 += 1;
    }
    #[inline]
    fn finish(self) -> Option<f64> {
        Some(self.0 as f64)
    }
}

/// `norm`: the square root of the sum of squares.
#[derive(Default)]
pub(crate) struct Norm(f64);

impl Aggregate for Norm {
    #[inline]
    fn push(&mut self, x: f64) {
        self.0 += x * x;
    }
    #[inline]
    fn finish(self) -> Option<f64> {
        Some(self.0.sqrt())
    }
}

/// `max`, folded with [`max2`].
#[derive(Default)]
pub(crate) struct Max(Option<f64>);

impl Aggregate for Max {
    #[inline]
    fn push(&mut self, x: f64) {
        self.0 = Some(match self.0 {
            None => x,
            Some(m) => max2(m, x),
        });
    }
    #[inline]
    fn finish(self) -> Option<f64> {
        self.0
    }
    /// The same fold from the first element.
    #[inline]
    fn of_slice(values: &[f64]) -> Option<f64> {
        values.iter().copied().reduce(max2)
    }
}

/// `min`, folded with [`min2`].
#[derive(Default)]
pub(crate) struct Min(Option<f64>);

impl Aggregate for Min {
    #[inline]
    fn push(&mut self, x: f64) {
        self.0 = Some(match self.0 {
            None => x,
            Some(m) => min2(m, x),
        });
    }
    #[inline]
    fn finish(self) -> Option<f64> {
        self.0
    }
    /// The same fold from the first element.
    #[inline]
    fn of_slice(values: &[f64]) -> Option<f64> {
        values.iter().copied().reduce(min2)
    }
}

/// `range`: `max - min`.
#[derive(Default)]
pub(crate) struct Range(Max, Min);

impl Aggregate for Range {
    #[inline]
    fn push(&mut self, x: f64) {
        self.0.push(x);
        self.1.push(x);
    }
    #[inline]
    fn finish(self) -> Option<f64> {
        Some(self.0.finish()? - self.1.finish()?)
    }
}

/// `std`: the sample standard deviation (mean first, then the squares); the number of values
/// when there are fewer than two.
pub(crate) fn std(values: &[f64]) -> Result<f64, usize> {
    if values.len() < 2 {
        return Err(values.len());
    }
    let n = values.len() as f64;
    let mut sum = 0.0;
    for &x in values {
        sum += x;
    }
    let mean = sum / n;
    let mut squares = 0.0;
    for &x in values {
        squares += (x - mean) * (x - mean);
    }
    Ok((squares / (n - 1.0)).sqrt())
}

/// `percentile(v, p)` (D18): nearest rank on the values sorted in .NET's order; p on a 0–100
/// scale.
pub(crate) fn percentile(v: &[f64], p: f64) -> Result<f64, String> {
    if !(0.0..=100.0).contains(&p) {
        return Err(format!("percentile takes p from 0 to 100, got {}", format_double(p)));
    }
    if v.is_empty() {
        return Err("percentile of an empty vector".to_string());
    }
    let mut sorted = v.to_vec();
    sorted.sort_by(dotnet_order);
    let rank = ((p / 100.0 * sorted.len() as f64).ceil() as usize).max(1).min(sorted.len());
    Ok(sorted[rank - 1])
}

/// `val(v, i)` (D19): the element at `i` truncated toward zero; 0 out of range.
#[inline]
pub(crate) fn val(v: &[f64], x: f64) -> f64 {
    let i = x.trunc();
    if i >= 0.0 && (i as usize) < v.len() && i.is_finite() {
        v[i as usize]
    } else {
        0.0
    }
}

/// `lg`, `ln`, `log`, `ceil`, `floor` and `round` as functions of one double (element-wise on
/// vectors, §4.3); `None` for the other functions.
pub(crate) fn element_wise(f: Function) -> Option<fn(f64) -> f64> {
    Some(match f {
        Function::Lg => f64::log2,
        Function::Ln => f64::ln,
        Function::Log => f64::log10,
        Function::Ceil => f64::ceil,
        Function::Floor => f64::floor,
        Function::Round => f64::round,
        _ => return None,
    })
}
