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
    #[inline]
    fn eq(&self, other: &Resolution) -> bool {
        use Resolution::*;
        // Every entry of a table has its own name; the same entry is the same address (then
        // the names need no comparing).
        fn same<T>(a: &T, b: &T, name: fn(&T) -> &str) -> bool {
            std::ptr::eq(a, b) || name(a) == name(b)
        }
        match (self, other) {
            (Service(a), Service(b)) => same(*a, *b, |v| v.name),
            (User(a), User(b)) => a == b,
            (Constant(a), Constant(b)) => same(*a, *b, |c| c.name),
            (Keyword(a), Keyword(b)) => same(*a, *b, |k| k.name),
            (Function(a), Function(b)) => same(*a, *b, |f| f.name),
            (Method(a), Method(b)) => same(*a, *b, |m| m.name),
            (Field(a), Field(b)) => same(*a, *b, |f| f.name),
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
    /// By block of `1 << BLOCK_SHIFT` bytes of the text (`start >> BLOCK_SHIFT`): the index
    /// in `names` of the first name starting in that block or later, and one last entry,
    /// `names.len()`; so a block's names are `names[starts[b]..starts[b + 1]]`. Empty when
    /// `names` is (or when it is too long for `u32` indices; `name` then searches).
    starts: Vec<u32>,
}

/// Where [`Resolved::reserve_type`] put an expression's entry.
#[derive(Debug, Clone, Copy)]
pub(super) struct TypeSlot(usize);

/// `log2` of the bytes of text per entry of [`Resolved::starts`]: names are tokens of a byte
/// or more, so a block of 8 holds a few at most.
const BLOCK_SHIFT: u32 = 3;

/// The sort key of a name's span: by start, then by end.
#[inline]
fn name_key(span: Span) -> u64 {
    (u64::from(span.start) << 32) | u64::from(span.end)
}

/// The sort key of an expression's span: by start, then outermost (largest end) first.
#[inline]
fn type_key(span: Span) -> u64 {
    (u64::from(span.start) << 32) | u64::from(u32::MAX - span.end)
}

impl Resolved {
    pub(super) fn add_name(&mut self, span: Span, resolution: Resolution) {
        self.names.push((span, resolution));
    }

    #[cfg(test)]
    pub(super) fn add_type(&mut self, span: Span, types: TypeSet) {
        self.types.push((span, types));
    }

    /// Record the expression at `span` before its type is known, so that entries come in
    /// the order of a walk that visits parents first (which is their sorted order: by start,
    /// outermost first); [`Resolved::set_type`] fills it in.
    pub(super) fn reserve_type(&mut self, span: Span) -> TypeSlot {
        self.types.push((span, TypeSet::UNKNOWN));
        TypeSlot(self.types.len() - 1)
    }

    /// The type of the expression [`Resolved::reserve_type`] recorded.
    pub(super) fn set_type(&mut self, slot: TypeSlot, types: TypeSet) {
        if let Some(entry) = self.types.get_mut(slot.0) {
            entry.1 = types;
        }
    }

    /// Sort both tables for lookup (the checker records in visiting order).
    ///
    /// The result is the stable sort of each table as recorded, duplicates after the first
    /// removed. The checker records nearly in order (a statement's target after its value;
    /// expressions parents first, through [`Resolved::reserve_type`], which is sorted
    /// already), so an insertion sort on a packed key does it in a few moves per entry; past
    /// a budget of moves it hands over to the standard library's stable sort, which gives the
    /// same order.
    pub(super) fn finish(&mut self) {
        if sort_nearly_sorted(&mut self.names, |(span, _)| name_key(*span)) {
            self.names.dedup_by_key(|(span, _)| *span);
        }
        if sort_nearly_sorted(&mut self.types, |(span, _)| type_key(*span)) {
            self.types.dedup_by_key(|(span, _)| *span);
        }
        self.starts = Vec::new();
        let Ok(count) = u32::try_from(self.names.len()) else {
            return;
        };
        if let Some((last, _)) = self.names.last() {
            let blocks = (last.start >> BLOCK_SHIFT) as usize + 1;
            let mut starts = vec![count; blocks + 1];
            // Blocks `filled..` do not have their first name yet.
            let mut filled = 0;
            for (i, (span, _)) in self.names.iter().enumerate() {
                let block = (span.start >> BLOCK_SHIFT) as usize;
                if let Some(first) = starts.get_mut(filled..=block) {
                    first.fill(i as u32);
                    filled = block + 1;
                }
            }
            self.starts = starts;
        }
    }

    /// What the name at exactly `span` stands for.
    #[inline]
    pub fn name(&self, span: Span) -> Option<Resolution> {
        let block = (span.start >> BLOCK_SHIFT) as usize;
        let (Some(&from), Some(&to)) = (self.starts.get(block), self.starts.get(block + 1)) else {
            return self.search_name(span);
        };
        for (at, resolution) in self.names.get(from as usize..to as usize)? {
            if *at == span {
                return Some(*resolution);
            }
        }
        None
    }

    /// [`Resolved::name`] without [`Resolved::starts`]: past the last block, or for a table
    /// too long for it.
    #[cold]
    fn search_name(&self, span: Span) -> Option<Resolution> {
        if !self.starts.is_empty() {
            return None;
        }
        let i = self.names.binary_search_by_key(&name_key(span), |(s, _)| name_key(*s)).ok()?;
        Some(self.names[i].1)
    }

    /// The static type set of the expression at exactly `span`; unknown for a span that is no
    /// checked expression.
    pub fn types(&self, span: Span) -> TypeSet {
        match self.types.binary_search_by_key(&type_key(span), |(s, _)| type_key(*s)) {
            Ok(i) => self.types[i].1,
            Err(_) => TypeSet::UNKNOWN,
        }
    }
}

/// Sort `v` stably by `key`, fast when it is nearly sorted: an insertion sort, which hands over
/// to the standard library's stable sort past a few moves per entry (both keep equal keys in
/// their order, so the partly sorted table sorts to the same result). Whether two entries may
/// have equal keys: `false` only when none do.
fn sort_nearly_sorted<T: Copy>(v: &mut [T], key: impl Fn(&T) -> u64) -> bool {
    let Some(first) = v.first() else {
        return false;
    };
    let budget = v.len().saturating_mul(16);
    let mut moves = 0usize;
    let mut equal = false;
    // The largest key so far, which is the key of `v[i - 1]`.
    let mut largest = key(first);
    for i in 1..v.len() {
        let entry = v[i];
        let k = key(&entry);
        if largest <= k {
            equal |= largest == k;
            largest = k;
            continue;
        }
        let mut j = i;
        while j > 0 {
            let before = key(&v[j - 1]);
            if before <= k {
                equal |= before == k;
                break;
            }
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = entry;
        moves += i - j;
        if moves > budget {
            v.sort_by_key(key);
            return true;
        }
    }
    equal
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

    /// Types recorded as the checker records them (each expression after the ones inside it),
    /// and such tables disturbed (an entry duplicated, two swapped), come out as a stable
    /// sort puts them, duplicates after the first removed.
    #[test]
    fn types_recorded_children_first_come_out_sorted() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n) as usize
        };
        /// A random expression tree over `start..`, recorded children first; returns its end.
        fn tree(start: usize, depth: usize, next: &mut dyn FnMut(u64) -> usize, out: &mut Vec<Span>) -> usize {
            let mut at = start + next(2);
            let children = if depth == 0 { 0 } else { next(4) };
            for _ in 0..children {
                at = tree(at, depth - 1, next, out) + next(2);
            }
            let end = at + 1 + next(2);
            out.push(Span::new(start, end));
            end
        }
        for round in 0..300 {
            let mut spans = Vec::new();
            let mut at = 0;
            for _ in 0..1 + next(5) {
                at = tree(at, next(6), &mut next, &mut spans) + 1;
            }
            let reordered = round % 3 == 0 && spans.len() > 2;
            if reordered {
                let (a, b) = (next(spans.len() as u64), next(spans.len() as u64));
                spans.swap(a, b);
                let d = spans[next(spans.len() as u64)];
                spans.insert(next(spans.len() as u64), d);
            }
            let recorded: Vec<(Span, TypeSet)> = spans
                .iter()
                .enumerate()
                .map(|(k, s)| (*s, TypeSet::of(if k % 2 == 0 { Type::Double } else { Type::DoubleVec })))
                .collect();
            let mut expected = recorded.clone();
            expected.sort_by_key(|(s, _)| (s.start, std::cmp::Reverse(s.end)));
            expected.dedup_by_key(|(s, _)| *s);
            let mut r = Resolved::default();
            for (span, t) in &recorded {
                r.add_type(*span, *t);
            }
            r.finish();
            assert_eq!(r.types, expected, "round {round}");
            for (span, t) in &expected {
                assert_eq!(r.types(*span), *t);
            }
        }
    }

    /// The insertion sort with its hand-over gives the stable sort whatever the disorder:
    /// sorted, nearly sorted, reversed (past the budget), with equal keys.
    #[test]
    fn sorting_nearly_sorted_tables_is_a_stable_sort() {
        let key = |(k, _): &(u64, usize)| *k;
        let cases: Vec<Vec<u64>> = vec![
            vec![],
            vec![3],
            (0..100).collect(),
            (0..100).rev().collect(),
            (0..100).map(|k| k / 7).rev().collect(),
            (0..100).map(|k| if k % 10 == 9 { k - 9 } else { k }).collect(),
            (0..100).map(|k| (k * 37) % 11).collect(),
            vec![1, 2, 2, 3],
            vec![1, 3, 2, 2],
            vec![2, 3, 1, 2],
            vec![5, 4],
        ];
        for keys in cases {
            let mut v: Vec<(u64, usize)> = keys.iter().copied().zip(0..).collect();
            let mut expected = v.clone();
            expected.sort_by_key(key);
            let equal = sort_nearly_sorted(&mut v, key);
            assert_eq!(v, expected, "{keys:?}");
            let mut distinct = keys.clone();
            distinct.sort();
            distinct.dedup();
            if distinct.len() < keys.len() {
                assert!(equal, "equal keys reported: {keys:?}");
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
