//! Run-time values (§2).

use std::borrow::Cow;

use crate::builtins::Deallocation;
use crate::time::{TimeInterval, Timestamp};
use crate::types::Type;

/// A value during evaluation. Vectors borrow sample windows from the metric history when they
/// can, so `avg($X.GetSample(w))` copies nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// A double (also a boolean: 1 or 0).
    Double(f64),
    /// A doubleVec.
    Vec(Cow<'a, [f64]>),
    /// A string.
    Str(&'a str),
    /// A timestamp.
    Timestamp(Timestamp),
    /// A timeinterval.
    Interval(TimeInterval),
    /// A deallocation keyword.
    Keyword(Deallocation),
    /// No value: `stop()`, and a bare metric name as a statement (D39).
    None,
}

impl Value<'_> {
    /// The type of the value.
    pub fn type_of(&self) -> Type {
        match self {
            Value::Double(_) => Type::Double,
            Value::Vec(_) => Type::DoubleVec,
            Value::Str(_) => Type::String,
            Value::Timestamp(_) => Type::Timestamp,
            Value::Interval(_) => Type::TimeInterval,
            Value::Keyword(_) => Type::Keyword,
            Value::None => Type::None,
        }
    }

    /// Append the value as the results string prints it (D29).
    pub fn write_results(&self, out: &mut String) {
        match self {
            Value::Double(x) => crate::format::write_double(*x, out),
            Value::Vec(v) => crate::format::write_double_vec(v, out),
            Value::Str(s) => out.push_str(s),
            Value::Timestamp(t) => t.write_results(out),
            Value::Interval(i) => i.write_results(out),
            Value::Keyword(k) => out.push_str(k.name()),
            Value::None => {}
        }
    }

    /// The value as the results string prints it (D29).
    pub fn to_results_string(&self) -> String {
        let mut s = String::new();
        self.write_results(&mut s);
        s
    }
}

impl<'a> Value<'a> {
    /// The value as an operand of [`crate::ops::binary`] and [`crate::ops::unary`], unless it
    /// is a vector, a keyword or no value.
    #[inline]
    pub(crate) fn as_scalar(&self) -> Option<crate::ops::Scalar<'a>> {
        use crate::ops::Scalar;
        Some(match *self {
            Value::Double(x) => Scalar::Double(x),
            Value::Interval(i) => Scalar::Interval(i),
            Value::Timestamp(t) => Scalar::Timestamp(t),
            Value::Str(s) => Scalar::Str(s),
            Value::Vec(_) | Value::Keyword(_) | Value::None => return None,
        })
    }
}

impl<'a> From<crate::ops::Scalar<'a>> for Value<'a> {
    #[inline]
    fn from(s: crate::ops::Scalar<'a>) -> Value<'a> {
        use crate::ops::Scalar;
        match s {
            Scalar::Double(x) => Value::Double(x),
            Scalar::Interval(i) => Value::Interval(i),
            Scalar::Timestamp(t) => Value::Timestamp(t),
            Scalar::Str(s) => Value::Str(s),
        }
    }
}
