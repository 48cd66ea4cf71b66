//! The resolved tree: what every name of a checked formula stands for and the static type set of
//! every expression, recorded once by the checker beside the syntax tree.
//!
//! The compiler lowers the syntax tree with it, the lints and the language server read it;
//! none of them looks a name up again. It is a side table keyed by spans: a name by the span of
//! its token (tokens never overlap), an expression by its span (a compound expression has
//! tokens of its own, so its span is larger than any child's).

use crate::builtins::{ConstantInfo, FieldInfo, FunctionInfo, KeywordInfo, MethodInfo, ServiceVariable};
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
    /// Where each statement's entries begin in `names` and `types` (while recording).
    statements: Vec<(u32, u32)>,
    /// By the start of a name's span: its index in `names` plus one, 0 for none, and
    /// [`SHARED_START`] where names of different ends start there (then `name` searches).
    by_start: Vec<u32>,
}

/// In [`Resolved::by_start`]: more than one name starts at this offset.
const SHARED_START: u32 = u32::MAX;

impl Resolved {
    pub(super) fn add_name(&mut self, span: Span, resolution: Resolution) {
        self.names.push((span, resolution));
    }

    pub(super) fn add_type(&mut self, span: Span, types: TypeSet) {
        self.types.push((span, types));
    }

    /// Mark the start of a statement's entries: statements follow each other in the text, so
    /// each one's entries can be sorted on their own.
    pub(super) fn start_statement(&mut self) {
        self.statements.push((self.names.len() as u32, self.types.len() as u32));
    }

    /// Sort both tables for lookup (the checker records in visiting order).
    ///
    /// The result is the stable sort of each table as recorded, duplicates after the first
    /// removed. It is reached by sorting each statement's entries stably on their own (a few
    /// dozen, nearly in order) and then the whole table stably, which finds it in order and
    /// only checks: equal keys stay in recording order either way, since the statements'
    /// entries are consecutive.
    pub(super) fn finish(&mut self) {
        let name_key = |(span, _): &(Span, Resolution)| (span.start, span.end);
        let type_key = |(span, _): &(Span, TypeSet)| (span.start, std::cmp::Reverse(span.end));
        let statements = std::mem::take(&mut self.statements);
        for (k, &(names, types)) in statements.iter().enumerate() {
            let (names_end, types_end) = statements
                .get(k + 1)
                .map_or((self.names.len(), self.types.len()), |&(n, t)| (n as usize, t as usize));
            self.names[names as usize..names_end].sort_by_key(name_key);
            self.types[types as usize..types_end].sort_by_key(type_key);
        }
        if !self.names.is_sorted_by_key(name_key) {
            self.names.sort_by_key(name_key);
        }
        self.names.dedup_by_key(|(span, _)| *span);
        let starts = self.names.last().map_or(0, |(span, _)| span.start as usize + 1);
        self.by_start = vec![0; starts];
        for (i, (span, _)) in self.names.iter().enumerate() {
            let slot = &mut self.by_start[span.start as usize];
            *slot = if *slot == 0 && i < SHARED_START as usize - 1 {
                i as u32 + 1
            } else {
                SHARED_START
            };
        }
        if !self.types.is_sorted_by_key(type_key) {
            self.types.sort_by_key(type_key);
        }
        self.types.dedup_by_key(|(span, _)| *span);
    }

    /// What the name at exactly `span` stands for.
    pub fn name(&self, span: Span) -> Option<Resolution> {
        match self.by_start.get(span.start as usize) {
            None | Some(0) => return None,
            Some(&SHARED_START) => {}
            Some(&i) => {
                let (at, resolution) = self.names[i as usize - 1];
                return (at == span).then_some(resolution);
            }
        }
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
#[cfg(any(feature = "lsp", test))]
pub fn builtin_named(name: &str, member: bool) -> Option<Resolution> {
    use crate::builtins;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check;
    use crate::syntax::ast::{ExprRef, StatementKind, View};
    use crate::types::Type;

    /// Every name and every expression of `src` (a formula without errors) as the checker
    /// recorded them.
    fn assert_complete(src: &str) {
        let analysis = check(src);
        assert!(!analysis.has_errors(), "{src}: {:?}", analysis.diagnostics);
        let r = &analysis.resolved;
        fn go(e: ExprRef<'_>, r: &Resolved, src: &str) {
            let text = e.span.text(src);
            assert!(!r.types(e.span).is_unknown(), "no type for `{text}`");
            let name = match e.kind() {
                View::Name { .. } => Some(e.span),
                View::Call { function, .. } => Some(function.span),
                View::Member { member, .. } => Some(member.span),
                View::MethodCall { method, .. } => Some(method.span),
                _ => None,
            };
            if let Some(span) = name {
                assert!(r.name(span).is_some(), "`{}` in `{text}` is not resolved", span.text(src));
            }
            match e.kind() {
                // The receiver of a sample method is a metric's name, resolved but not a value.
                View::MethodCall { object, args, .. } => {
                    assert!(matches!(r.name(object.unparenthesized().span), Some(Resolution::Service(_))));
                    args.iter().for_each(|a| go(a, r, src));
                }
                _ => e.for_each_child(|c| go(c, r, src)),
            }
        }
        for s in &analysis.formula.statements {
            if let StatementKind::Assign { target, .. } = &s.kind {
                assert!(r.name(target.span).is_some(), "target `{}` is not resolved", target.text);
            }
            if let Some(e) = analysis.formula.statement_expr(s) {
                go(e, r, src);
            }
        }
    }

    #[test]
    fn every_name_and_expression_of_a_clean_formula_is_resolved() {
        assert_complete(
            "$samples = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);
$tasks = $samples < 70 ? max(0, $PendingTasks.GetSample(1)) : avg($PendingTasks.GetSample(TimeInterval_Minute * 15));
$TargetDedicatedNodes = min(20, $tasks);
$NodeDeallocationOption = taskcompletion;",
        );
        assert_complete(
            "$h = time().hour; $w = (TimeInterval_Hour * 2); $TargetDedicated = ($h > 8) * lg($TaskSlotsPerNode * 2) + ($w > TimeInterval_Zero);
$v = round($CPUPercent.GetSample(3), 1); $NodeDeallocationOption = len($v) > 1 ? requeue : $NodeDeallocationOption;
$t = $CPUPercent.HistoryBeginTime(); $TargetLowPriorityNodes = len($v) + $t.minute; $CPUPercent;",
        );
    }

    #[test]
    fn reads_resolve_to_their_variable_and_type() {
        let src = "$a = 1; $b = $CPUPercent.GetSample(2); $a = $b; $TargetDedicatedNodes = max($a);";
        let analysis = check(src);
        let r = &analysis.resolved;
        let at = |needle: &str, nth: usize| {
            let start = src.match_indices(needle).nth(nth).unwrap().0;
            Span::new(start, start + needle.len())
        };
        assert_eq!(r.name(at("$a", 0)), Some(Resolution::User(0)));
        assert_eq!(r.name(at("$b", 1)), Some(Resolution::User(1)));
        // `$a` read after its second assignment holds a vector.
        assert_eq!(r.name(at("$a", 2)), Some(Resolution::User(0)));
        assert_eq!(r.types(at("$a", 2)), TypeSet::of(Type::DoubleVec));
        assert_eq!(r.types(at("$b", 1)), TypeSet::of(Type::DoubleVec));
        assert!(matches!(r.name(at("max", 0)), Some(Resolution::Function(f)) if f.name == "max"));
        assert!(matches!(r.name(at("GetSample", 0)), Some(Resolution::Method(m)) if m.name == "GetSample"));
        assert!(matches!(r.name(at("$TargetDedicatedNodes", 0)), Some(Resolution::Service(v)) if v.name == "$TargetDedicatedNodes"));
        assert_eq!(r.types(Span::new(0, 1)), TypeSet::UNKNOWN, "no expression there");
    }

    /// `finish` and the lookups give what a stable sort of the recorded tables (duplicates
    /// after the first removed) and a binary search give, whatever the recording order:
    /// statements out of order, duplicate spans, names of different ends at one start.
    #[test]
    fn finish_and_lookups_match_a_plain_sort_and_search() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        for round in 0..300 {
            let mut r = Resolved::default();
            let mut names = Vec::new();
            let mut types = Vec::new();
            let entries = next(60);
            for k in 0..entries {
                if next(8) == 0 || k == 0 {
                    r.start_statement();
                }
                let base = if round % 3 == 0 { next(40) } else { k * 5 + next(12) };
                let span = Span::new(base, base + 1 + next(if round % 2 == 0 { 2 } else { 6 }));
                let resolution = Resolution::User(next(5));
                r.add_name(span, resolution);
                names.push((span, resolution));
                let t = TypeSet::of(if next(2) == 0 { Type::Double } else { Type::DoubleVec });
                r.add_type(span, t);
                types.push((span, t));
            }
            r.finish();
            names.sort_by_key(|(s, _)| (s.start, s.end));
            names.dedup_by_key(|(s, _)| *s);
            types.sort_by_key(|(s, _)| (s.start, std::cmp::Reverse(s.end)));
            types.dedup_by_key(|(s, _)| *s);
            assert_eq!(r.names, names);
            assert_eq!(r.types, types);
            for start in 0..330 {
                for end in start..start + 8 {
                    let span = Span::new(start, end);
                    let expected = names.iter().find(|(s, _)| *s == span).map(|(_, r)| *r);
                    assert_eq!(r.name(span), expected, "{span:?}");
                }
            }
        }
    }

    #[test]
    fn names_the_parser_could_not_read_resolve_by_spelling() {
        assert!(matches!(builtin_named("GetSample", true), Some(Resolution::Method(_))));
        assert!(matches!(builtin_named("hour", true), Some(Resolution::Field(_))));
        assert!(matches!(builtin_named("max", false), Some(Resolution::Function(_))));
        assert!(matches!(builtin_named("requeue", false), Some(Resolution::Keyword(_))));
        assert_eq!(builtin_named("max", true), None);
        assert_eq!(builtin_named("Max", false), None);
    }
}
