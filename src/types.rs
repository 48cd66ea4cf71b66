//! Static types of the language (§2) as sets, so that a `?:` whose branches differ can be
//! checked at run time instead of rejected.

use serde::Serialize;

/// A value type of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Type {
    /// `double` (also booleans).
    Double,
    /// `doubleVec`.
    DoubleVec,
    /// `string`.
    String,
    /// `timestamp`.
    Timestamp,
    /// `timeinterval`.
    TimeInterval,
    /// A deallocation keyword.
    Keyword,
    /// No value (`stop()`).
    None,
}

impl Type {
    const ALL: [Type; 7] = [
        Type::Double,
        Type::DoubleVec,
        Type::String,
        Type::Timestamp,
        Type::TimeInterval,
        Type::Keyword,
        Type::None,
    ];

    /// The name used in messages and the docs.
    pub fn name(self) -> &'static str {
        match self {
            Type::Double => "double",
            Type::DoubleVec => "doubleVec",
            Type::String => "string",
            Type::Timestamp => "timestamp",
            Type::TimeInterval => "timeinterval",
            Type::Keyword => "keyword",
            Type::None => "no value",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of possible types. The full set means "unknown" (after an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TypeSet(u8);

impl TypeSet {
    /// No type (nothing is possible).
    pub const EMPTY: TypeSet = TypeSet(0);
    /// Every type: nothing is known (used after an error, so it is not reported twice).
    pub const UNKNOWN: TypeSet = TypeSet(0x7f);

    /// The set of one type.
    pub fn of(t: Type) -> TypeSet {
        TypeSet(t.bit())
    }

    /// Whether `t` is possible.
    pub fn contains(self, t: Type) -> bool {
        self.0 & t.bit() != 0
    }

    /// Union.
    pub fn union(self, other: TypeSet) -> TypeSet {
        TypeSet(self.0 | other.0)
    }

    /// Whether nothing is known.
    pub fn is_unknown(self) -> bool {
        self == TypeSet::UNKNOWN
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The possible types.
    pub fn iter(self) -> impl Iterator<Item = Type> {
        Type::ALL.into_iter().filter(move |t| self.contains(*t))
    }

    /// Readable form: `double`, `double or doubleVec`, `unknown`.
    pub fn describe(self) -> std::borrow::Cow<'static, str> {
        if self.is_unknown() {
            return "unknown".into();
        }
        let mut names = self.iter().map(Type::name);
        let (Some(first), Some(second)) = (names.next(), names.next()) else {
            // One type (or none): its static name, nothing allocated.
            return self.iter().next().map_or("", Type::name).into();
        };
        let mut joined = format!("{first} or {second}");
        for name in names {
            joined.push_str(" or ");
            joined.push_str(name);
        }
        joined.into()
    }
}

impl From<Type> for TypeSet {
    fn from(t: Type) -> TypeSet {
        TypeSet::of(t)
    }
}

impl std::ops::BitOr for Type {
    type Output = TypeSet;
    fn bitor(self, rhs: Type) -> TypeSet {
        TypeSet::of(self).union(TypeSet::of(rhs))
    }
}

impl std::ops::BitOr<Type> for TypeSet {
    type Output = TypeSet;
    fn bitor(self, rhs: Type) -> TypeSet {
        self.union(TypeSet::of(rhs))
    }
}

use crate::syntax::ast::{BinaryOp, UnaryOp};

/// The result type of `left op right` per the operator table (§3.1), or `None` when the
/// combination is not in the table (D12). `&&`/`||` take doubles.
pub fn binary_result(op: BinaryOp, left: Type, right: Type) -> Option<Type> {
    use BinaryOp::*;
    use Type::*;
    match (op, left, right) {
        (Add | Sub | Mul | Div, Double, Double) => Some(Double),
        (Mul, Double, TimeInterval) => Some(TimeInterval),
        (Add | Sub | Mul | Div, DoubleVec, Double) => Some(DoubleVec),
        (Add | Sub | Mul | Div, DoubleVec, DoubleVec) => Some(DoubleVec),
        (Mul | Div, TimeInterval, Double) => Some(TimeInterval),
        (Add | Sub, TimeInterval, TimeInterval) => Some(TimeInterval),
        (Add, TimeInterval, Timestamp) => Some(Timestamp),
        (Add, Timestamp, TimeInterval) => Some(Timestamp),
        (Sub, Timestamp, Timestamp) => Some(TimeInterval),
        (Lt | Le | Gt | Ge | Eq | Ne, Double, Double) => Some(Double),
        (Lt | Le | Gt | Ge | Eq | Ne, String, String) => Some(Double),
        (Lt | Le | Gt | Ge | Eq | Ne, Timestamp, Timestamp) => Some(Double),
        (Lt | Le | Gt | Ge | Eq | Ne, TimeInterval, TimeInterval) => Some(Double),
        (And | Or, Double, Double) => Some(Double),
        _ => Option::None,
    }
}

/// The result type of a prefix operator (§3.1).
pub fn unary_result(op: UnaryOp, operand: Type) -> Option<Type> {
    match (op, operand) {
        (UnaryOp::Neg, Type::Double) | (UnaryOp::Not, Type::Double) => Some(Type::Double),
        (UnaryOp::Neg, Type::TimeInterval) => Some(Type::TimeInterval),
        _ => Option::None,
    }
}

/// The supported spelling for a combination that is not in the table, where one exists (D12).
pub fn binary_hint(op: BinaryOp, left: Type, right: Type) -> Option<&'static str> {
    use BinaryOp::*;
    use Type::*;
    match (op, left, right) {
        (Add | Mul, Double, DoubleVec) => Some("only `doubleVec op double` is defined: put the vector on the left"),
        (Sub | Div, Double, DoubleVec) => Some("only `doubleVec op double` is defined; reduce the vector first with avg, min, max or val"),
        (Sub, Timestamp, TimeInterval) => {
            Some("subtracting an interval from a timestamp is not defined: add a negative interval, e.g. `t + (-1 * TimeInterval_Hour)`")
        }
        (Mul, TimeInterval, TimeInterval) | (Div, TimeInterval, TimeInterval) => {
            Some("an interval can only be multiplied or divided by a double")
        }
        (Div, Double, TimeInterval) => Some("only `timeinterval / double` is defined"),
        (Lt | Le | Gt | Ge | Eq | Ne, DoubleVec, _) | (Lt | Le | Gt | Ge | Eq | Ne, _, DoubleVec) => {
            Some("comparisons take doubles, not vectors: reduce the vector first, e.g. `max($X.GetSample(…))` or `val(v, 0)`")
        }
        (Add | Sub, TimeInterval, Double) | (Add | Sub, Double, TimeInterval) => {
            Some("write the number as an interval, e.g. `5 * TimeInterval_Minute`")
        }
        _ => Option::None,
    }
}
