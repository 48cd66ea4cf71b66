//! The resolved tree: what every name of a checked formula stands for and the static type set of
//! every expression, recorded once by the checker beside the syntax tree.
//!
//! The compiler lowers the syntax tree with it, the lints and the language server read it;
//! none of them looks a name up again. It is a side table keyed by spans: a name by the span of
//! its token (tokens never overlap), an expression by its span (a compound expression has
//! tokens of its own, so its span is larger than any child's).

use crate::builtins::{self, ConstantInfo, FieldInfo, FunctionInfo, KeywordInfo, MethodInfo, ServiceVariable};
use crate::syntax::Span;
use crate::types::TypeSet;

/// What a name stands for. Two resolutions are equal when they name the same entry.
#[derive(Debug, Clone, Copy)]
pub enum Resolution {
    /// A service variable (a target, `$NodeDeallocationOption`, a metric or a pool scalar).
    Service(&'static ServiceVariable),
    /// A user variable: its index in [`super::Analysis::variables`], which is also its slot in
    /// the compiled formula (both number variables in order of first assignment).
    User(usize),
    /// A `TimeInterval_*` constant.
    Constant(&'static ConstantInfo),
    /// A deallocation keyword.
    Keyword(&'static KeywordInfo),
    /// The function of a call.
    Function(&'static FunctionInfo),
    /// The sample method of a method call.
    Method(&'static MethodInfo),
    /// The field of a timestamp.
    Field(&'static FieldInfo),
}

impl PartialEq for Resolution {
    fn eq(&self, other: &Resolution) -> bool {
        use Resolution::*;
        // Every entry of a table has its own name.
        match (self, other) {
            (Service(a), Service(b)) => a.name == b.name,
            (User(a), User(b)) => a == b,
            (Constant(a), Constant(b)) => a.name == b.name,
            (Keyword(a), Keyword(b)) => a.name == b.name,
            (Function(a), Function(b)) => a.name == b.name,
            (Method(a), Method(b)) => a.name == b.name,
            (Field(a), Field(b)) => a.name == b.name,
            _ => false,
        }
    }
}

/// The names and types of a checked formula. Only names the checker could resolve have an
/// entry; a formula without errors has one for every name.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// By the span of the name, sorted by position.
    names: Vec<(Span, Resolution)>,
    /// By the span of the expression, sorted by start and then outermost first.
    types: Vec<(Span, TypeSet)>,
}

impl Resolved {
    pub(super) fn add_name(&mut self, span: Span, resolution: Resolution) {
        self.names.push((span, resolution));
    }

    pub(super) fn add_type(&mut self, span: Span, types: TypeSet) {
        self.types.push((span, types));
    }

    /// Sort both tables for lookup (the checker records in visiting order).
    pub(super) fn finish(&mut self) {
        self.names.sort_by_key(|(span, _)| (span.start, span.end));
        self.names.dedup_by_key(|(span, _)| *span);
        self.types.sort_by_key(|(span, _)| (span.start, std::cmp::Reverse(span.end)));
        self.types.dedup_by_key(|(span, _)| *span);
    }

    /// What the name at exactly `span` stands for.
    pub fn name(&self, span: Span) -> Option<Resolution> {
        let i = self
            .names
            .binary_search_by_key(&(span.start, span.end), |(s, _)| (s.start, s.end))
            .ok()?;
        Some(self.names[i].1)
    }

    /// The static type set of the expression at exactly `span`; unknown for a span that is no
    /// checked expression.
    pub fn types(&self, span: Span) -> TypeSet {
        let key = (span.start, std::cmp::Reverse(span.end));
        match self.types.binary_search_by_key(&key, |(s, _)| (s.start, std::cmp::Reverse(s.end))) {
            Ok(i) => self.types[i].1,
            Err(_) => TypeSet::UNKNOWN,
        }
    }
}

/// The built-in spelled exactly `name`: after a `.` (`member`), a sample method or a timestamp
/// field; elsewhere a service variable, a function, a constant or a keyword. For the language
/// server on text the parser could not read (mid-edit), which has no resolved names.
pub fn builtin_named(name: &str, member: bool) -> Option<Resolution> {
    if member {
        return builtins::lookup_method(name)
            .map(Resolution::Method)
            .or_else(|| builtins::lookup_field(name).map(Resolution::Field));
    }
    builtins::lookup_variable(name)
        .map(Resolution::Service)
        .or_else(|| builtins::lookup_function(name).map(Resolution::Function))
        .or_else(|| builtins::lookup_constant(name).map(Resolution::Constant))
        .or_else(|| builtins::lookup_keyword(name).map(Resolution::Keyword))
}
