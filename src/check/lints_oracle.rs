//! The lints as they were before the one-pass version in `lints.rs`: every lint its own walk
//! over the tree (recursive, re-walking subtrees). Kept only for the tests, as the oracle that
//! the one-pass lints must agree with diagnostic for diagnostic.

use crate::builtins::{self, Deallocation, Function, Method, Metric, Target, TimestampField, VariableKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::ops::{self, Scalar};
use crate::syntax::ast::{BinaryOp, ExprRef, Formula, StatementKind, View};
use crate::syntax::Span;
use crate::time::{TimeInterval, Timestamp};

use super::FixedDateAge;
use crate::check::fast_hash::{FastMap, FastSet};
use crate::check::resolve::{Resolution, Resolved};
use crate::check::VariableInfo;

/// Run every lint over a checked formula.
pub(super) fn run(formula: &Formula, resolved: &Resolved, out: &mut Vec<Diagnostic>, variables: &[VariableInfo]) {
    let (nodes, ends) = preorder(formula);
    targets_and_aliases(formula, &nodes, resolved, out);
    metric_uses(&nodes, resolved, out);
    unguarded_windows(formula, &nodes, &ends, resolved, out);
    expression_lints(&nodes, resolved, out);
    no_effect(formula, resolved, out);
    target_values(formula, resolved, out);
    target_always_zero(formula, resolved, out);
    age_from_fixed_time(formula, &nodes, &ends, resolved, out);
    unused_variables(variables, out);
}

/// The service variable the name at `span` resolved to.
fn service(resolved: &Resolved, span: Span) -> Option<&'static crate::builtins::ServiceVariable> {
    match resolved.name(span)? {
        Resolution::Service(v) => Some(v),
        _ => None,
    }
}

/// Every expression of the formula, parents before children (the order of a recursive walk),
/// listed once for the lints that visit them all; and, per statement, where its expressions
/// end in that list (statement `i`'s are `ends[i - 1]..ends[i]`, none for one without an
/// expression).
fn preorder(formula: &Formula) -> (Vec<ExprRef<'_>>, Vec<usize>) {
    fn go<'a>(e: ExprRef<'a>, out: &mut Vec<ExprRef<'a>>) {
        out.push(e);
        e.for_each_child(|c| go(c, out));
    }
    let mut out = Vec::with_capacity(formula.span.len() / 4);
    let mut ends = Vec::with_capacity(formula.statements.len());
    for s in &formula.statements {
        if let Some(e) = formula.statement_expr(s) {
            go(e, &mut out);
        }
        ends.push(out.len());
    }
    (out, ends)
}

/// Statement `i`'s expressions in a [`preorder`] list.
fn statement_nodes<'n, 'a>(nodes: &'n [ExprRef<'a>], ends: &[usize], i: usize) -> &'n [ExprRef<'a>] {
    let start = if i == 0 { 0 } else { ends[i - 1] };
    &nodes[start..ends[i]]
}

/// W301 no target assigned, W302 alias and canonical both assigned, W303 deprecated alias.
fn targets_and_aliases(formula: &Formula, nodes: &[ExprRef<'_>], resolved: &Resolved, out: &mut Vec<Diagnostic>) {
    let mut assigned: FastMap<Target, (Option<Span>, Option<Span>)> = FastMap::default();
    let mut any_target = false;
    for s in &formula.statements {
        if let StatementKind::Assign { target, .. } = &s.kind {
            if let Some(v) = service(resolved, target.span) {
                if let VariableKind::Target(t) = v.kind {
                    any_target = true;
                    let entry = assigned.entry(t).or_default();
                    if v.alias_of.is_some() {
                        entry.0.get_or_insert(target.span);
                    } else {
                        entry.1.get_or_insert(target.span);
                    }
                }
                if let Some(canonical) = v.alias_of {
                    out.push(alias_warning(v.name, canonical, target.span));
                }
            }
        }
    }
    for e in nodes {
        if let View::Name { .. } = e.kind() {
            if let Some(v) = service(resolved, e.span) {
                if let Some(canonical) = v.alias_of {
                    out.push(alias_warning(v.name, canonical, e.span));
                }
            }
        }
    }
    for (alias, canonical) in assigned.values() {
        if let (Some(a), Some(c)) = (alias, canonical) {
            out.push(
                Diagnostic::new(
                    Code::AliasAndCanonical,
                    *a,
                    "this target is assigned under both its legacy alias and its canonical name; the canonical name's last assignment wins",
                )
                .with_label(*c, "canonical name assigned here"),
            );
        }
    }
    if !any_target && !formula.statements.is_empty() {
        out.push(
            Diagnostic::new(Code::NoTargetAssigned, Span::empty(0), "no target is assigned: the formula never sets $TargetDedicatedNodes or $TargetLowPriorityNodes, so the pool keeps its current size")
                .with_note("that is fine for a formula used only with the evaluate API"),
        );
    }
}

fn alias_warning(alias: &str, canonical: &str, span: Span) -> Diagnostic {
    Diagnostic::new(Code::DeprecatedAlias, span, format!("`{alias}` is a legacy alias of `{canonical}`")).with_fix(
        format!("replace with `{canonical}`"),
        span,
        canonical,
    )
}

/// The sampled metric that `e` names, optionally in parentheses.
fn metric_of(e: ExprRef<'_>, resolved: &Resolved) -> Option<Metric> {
    let e = e.unparenthesized();
    match (e.kind(), service(resolved, e.span)?.kind) {
        (View::Name { .. }, VariableKind::Metric(m)) => Some(m),
        _ => None,
    }
}

/// The sample method of a method call's name.
fn method_of(resolved: &Resolved, name: Span) -> Option<Method> {
    match resolved.name(name)? {
        Resolution::Method(m) => Some(m.method),
        _ => None,
    }
}

/// A constant expression of numbers, `TimeInterval_*` constants and operators, evaluated
/// statically with the evaluator's own operators (what constant folding gives).
fn constant(e: ExprRef<'_>, resolved: &Resolved) -> Option<Scalar<'static>> {
    let e = e.unparenthesized();
    match e.kind() {
        View::Number { value } => Some(Scalar::Double(*value)),
        View::Name { .. } => match resolved.name(e.span)? {
            Resolution::Constant(c) => Some(Scalar::Interval(c.value)),
            _ => None,
        },
        View::Unary { op, operand } => ops::unary(*op, constant(operand, resolved)?).ok(),
        View::Binary { op, left, right } => {
            let (a, b) = (constant(left, resolved)?, constant(right, resolved)?);
            let truth = |s: Scalar<'_>| match s {
                Scalar::Double(x) => Some(ops::is_true(x)),
                _ => None,
            };
            match op {
                BinaryOp::And | BinaryOp::Or => {
                    let (x, y) = (truth(a)?, truth(b)?);
                    let r: Result<f64, ()> = if *op == BinaryOp::And {
                        ops::and(x, || Ok(y))
                    } else {
                        ops::or(x, || Ok(y))
                    };
                    r.ok().map(Scalar::Double)
                }
                _ => ops::binary(*op, a, b).ok(),
            }
        }
        View::Conditional {
            condition,
            then_branch,
            else_branch,
        } => match constant(condition, resolved)? {
            Scalar::Double(c) if ops::is_true(c) => constant(then_branch, resolved),
            Scalar::Double(_) => constant(else_branch, resolved),
            _ => None,
        },
        _ => None,
    }
}

/// A constant interval expression (`TimeInterval_Minute * 5`).
fn constant_interval(e: ExprRef<'_>, resolved: &Resolved) -> Option<TimeInterval> {
    match constant(e, resolved)? {
        Scalar::Interval(i) => Some(i),
        _ => None,
    }
}

/// A constant number expression (`2 * 3`, `1 > 0`).
fn constant_number(e: ExprRef<'_>, resolved: &Resolved) -> Option<f64> {
    match constant(e, resolved)? {
        Scalar::Double(x) => Some(x),
        _ => None,
    }
}

/// W304 retired metric, W305 `GetSample(1)` as the only look, W306 window too recent,
/// W317 metric used as a number.
fn metric_uses(nodes: &[ExprRef<'_>], resolved: &Resolved, out: &mut Vec<Diagnostic>) {
    // Metric names used as method receivers, by span start.
    let mut receivers: FastSet<u32> = FastSet::default();
    let mut looks: FastMap<Metric, Vec<(Span, bool)>> = FastMap::default();
    for e in nodes {
        if let View::MethodCall { object, method, args, .. } = e.kind() {
            if let Some(m) = metric_of(object, resolved) {
                receivers.insert(object.unparenthesized().span.start);
                let method = method_of(resolved, method.span);
                let first = args.first().map(|a| constant_number(a, resolved));
                let only_last = method == Some(Method::GetSample) && args.len() == 1 && first == Some(Some(1.0));
                looks.entry(m).or_default().push((e.span, only_last));
                let is_window = matches!(method, Some(Method::GetSample | Method::GetSamplePercent)) && first == Some(None);
                if is_window {
                    let mut bounds = args.iter().take(2).filter_map(|a| constant_interval(a, resolved));
                    let (b0, b1) = (bounds.next(), bounds.next());
                    let found = usize::from(b0.is_some()) + usize::from(b1.is_some());
                    let two_bounds = args.len() >= 2 && constant_number(args.at(1), resolved).is_none();
                    let expected = if two_bounds { 2 } else { 1 };
                    if found == expected {
                        let oldest = b0.iter().chain(b1.iter()).map(|b| b.0.abs()).max().unwrap_or(0);
                        if oldest < TimeInterval::MINUTE.0 {
                            out.push(
                                Diagnostic::new(Code::WindowTooRecent, e.span, "this window lies entirely in the last minute, but samples take about a minute to become visible, so it will usually be empty")
                                    .with_note("start windows more than one minute in the past, e.g. `GetSample(60 * TimeInterval_Second, 120 * TimeInterval_Second, 75)`"),
                            );
                        }
                    }
                }
            }
        }
    }
    for e in nodes {
        if let (View::Name { name }, Some(v)) = (e.kind(), service(resolved, e.span)) {
            if let VariableKind::Metric(m) = v.kind {
                if m.is_retired() {
                    out.push(Diagnostic::new(
                        Code::RetiredMetric,
                        e.span,
                        format!("`{name}` is retired: the service stopped populating it after 2024-03-31, so it has no samples"),
                    ));
                }
                if !receivers.contains(&e.span.start) {
                    out.push(
                        Diagnostic::new(Code::MetricAsNumber, e.span, format!("`{name}` is a sampled metric used as a number; this project reads it as its most recent sample (an undocumented behaviour)"))
                            .with_fix("read the last sample explicitly", e.span, format!("val({name}.GetSample(1), 0)")),
                    );
                }
            }
        }
    }
    let mut metrics: Vec<_> = looks.into_iter().collect();
    metrics.sort_by_key(|(m, _)| *m);
    for (m, uses) in metrics {
        if uses.iter().all(|(_, only_last)| *only_last) {
            if let Some((span, _)) = uses.first() {
                out.push(
                    Diagnostic::new(Code::OnlyLastSample, *span, format!("`{}.GetSample(1)` is the only look at this metric: it returns the last sample whatever its age", m.name()))
                        .with_note("the docs advise combining it with a window, e.g. `max($X.GetSample(1), avg($X.GetSample(TimeInterval_Minute * 15)))` guarded by GetSamplePercent"),
                );
            }
        }
    }
}

/// W307: `GetSample(window)` without a percentage, not guarded by `GetSamplePercent`.
fn unguarded_windows(formula: &Formula, nodes: &[ExprRef<'_>], ends: &[usize], resolved: &Resolved, out: &mut Vec<Diagnostic>) {
    // Variables whose value depends on a GetSamplePercent call.
    let mut percent_vars: Vec<Resolution> = Vec::new();
    let mentions_percent = |e: ExprRef<'_>, vars: &[Resolution]| -> bool {
        let mut found = false;
        fn go(e: ExprRef<'_>, resolved: &Resolved, vars: &[Resolution], found: &mut bool) {
            if *found {
                return;
            }
            match e.kind() {
                View::MethodCall { method, .. }
                    if matches!(method_of(resolved, method.span), Some(Method::GetSamplePercent | Method::Count)) =>
                {
                    *found = true
                }
                View::Name { .. } if resolved.name(e.span).is_some_and(|r| vars.contains(&r)) => *found = true,
                _ => e.for_each_child(|c| go(c, resolved, vars, found)),
            }
        }
        go(e, resolved, vars, &mut found);
        found
    };
    fn visit(
        e: ExprRef<'_>,
        guarded: bool,
        resolved: &Resolved,
        vars: &[Resolution],
        mentions_percent: &dyn Fn(ExprRef<'_>, &[Resolution]) -> bool,
        out: &mut Vec<Diagnostic>,
    ) {
        match e.kind() {
            View::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                visit(condition, guarded, resolved, vars, mentions_percent, out);
                let g = guarded || mentions_percent(condition, vars);
                visit(then_branch, g, resolved, vars, mentions_percent, out);
                visit(else_branch, g, resolved, vars, mentions_percent, out);
            }
            View::Binary {
                op: BinaryOp::And | BinaryOp::Or,
                left,
                right,
            } => {
                visit(left, guarded, resolved, vars, mentions_percent, out);
                let g = guarded || mentions_percent(left, vars);
                visit(right, g, resolved, vars, mentions_percent, out);
            }
            View::MethodCall { .. } => {
                if !guarded && window_without_percent(e, resolved) {
                    out.push(
                        Diagnostic::new(Code::UnguardedWindow, e.span, "this window has no sample percentage, so it requires 70 % of the expected samples and fails the whole evaluation when they are missing (e.g. on a new pool)")
                            .with_note("guard it, e.g. `$p = $X.GetSamplePercent(w); $v = $p < 70 ? … : avg($X.GetSample(w));`, or pass an explicit percentage such as `GetSample(w, 0)`"),
                    );
                }
                e.for_each_child(|c| visit(c, guarded, resolved, vars, mentions_percent, out));
            }
            _ => e.for_each_child(|c| visit(c, guarded, resolved, vars, mentions_percent, out)),
        }
    }
    for (i, s) in formula.statements.iter().enumerate() {
        if let Some(e) = formula.statement_expr(s) {
            // The walk only reports windows: a statement without one needs none.
            if statement_nodes(nodes, ends, i).iter().any(|x| window_without_percent(*x, resolved)) {
                visit(e, false, resolved, &percent_vars, &mentions_percent, out);
            }
            if let StatementKind::Assign { target, value } = &s.kind {
                let value = formula.get(*value);
                if mentions_percent(value, &percent_vars) {
                    if let Some(r) = resolved.name(target.span) {
                        percent_vars.push(r);
                    }
                }
            }
        }
    }
}

/// `GetSample(window)` without a percentage (guarded or not).
fn window_without_percent(e: ExprRef<'_>, resolved: &Resolved) -> bool {
    let View::MethodCall { method, args, .. } = e.kind() else {
        return false;
    };
    method_of(resolved, method.span) == Some(Method::GetSample)
        && match args.len() {
            1 => constant_number(args.at(0), resolved).is_none() && !is_count_like(args.at(0), resolved),
            2 => constant_number(args.at(1), resolved).is_none() && constant_interval(args.at(1), resolved).is_some(),
            _ => false,
        }
}

/// A `GetSample` argument that is plainly a count (a number or a variable holding one); we
/// cannot always know, so only intervals built from constants count as windows.
fn is_count_like(e: ExprRef<'_>, resolved: &Resolved) -> bool {
    constant_interval(e, resolved).is_none()
        && !matches!(
            e.unparenthesized().kind(),
            View::Name { .. } | View::Call { .. } | View::Binary { .. }
        )
}

/// W308 CPU scale, W309 constant condition, W311 weekday == 7, W312 chained comparison, N402 UTC hour/weekday,
/// N401 retaineddata.
fn expression_lints(nodes: &[ExprRef<'_>], resolved: &Resolved, out: &mut Vec<Diagnostic>) {
    // N402 once per field (`hour`, `weekday`), at its first comparison.
    let mut utc_noted: Vec<TimestampField> = Vec::new();
    for e in nodes {
        match e.kind() {
            View::Conditional { condition, .. } => {
                if let Some(v) = constant_number(condition, resolved) {
                    out.push(Diagnostic::new(
                        Code::ConstantCondition,
                        condition.span,
                        format!("this condition is always {}", if v != 0.0 { "true" } else { "false" }),
                    ));
                }
            }
            View::Binary { op, left, right } if op.is_comparison() => {
                if let View::Binary { op: inner, .. } = left.kind() {
                    if inner.is_comparison() {
                        out.push(
                            Diagnostic::new(
                                Code::ChainedComparison,
                                e.span,
                                format!(
                                    "`a {} b {} c` compares the 0-or-1 result of the first comparison with c",
                                    inner.symbol(),
                                    op.symbol()
                                ),
                            )
                            .with_note("to test a range, write `a < b && b < c`"),
                        );
                    }
                }
                for (side, other) in [(left, right), (right, left)] {
                    let field = match side.unparenthesized().kind() {
                        View::Member { member, .. } => match resolved.name(member.span) {
                            Some(Resolution::Field(f)) => Some((f.field, member)),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some((field, _)) = field {
                        if field == TimestampField::Weekday && constant_number(other, resolved) == Some(7.0) {
                            out.push(
                                Diagnostic::new(
                                    Code::WeekdaySeven,
                                    other.span,
                                    "`weekday` runs from 0 (Sunday) to 6 (Saturday); it is never 7",
                                )
                                .with_fix("Sunday is 0", other.span, "0"),
                            );
                        }
                    }
                    if let Some((field, member)) = field {
                        if matches!(field, TimestampField::Hour | TimestampField::Weekday)
                            && constant_number(other, resolved).is_some()
                            && !utc_noted.contains(&field)
                        {
                            utc_noted.push(field);
                            out.push(
                            Diagnostic::new(
                                Code::UtcTimeComparison,
                                side.span,
                                format!("`{}` is in UTC: the service evaluates `time()` in UTC, not in the pool's local time", member.text),
                            )
                            .with_note("local business hours move by an hour against UTC when daylight saving time starts or ends; `replay --tz ZONE` shows where"),
                        );
                        }
                    }
                    if mentions_cpu(side, resolved) {
                        if let Some(v) = constant_number(other, resolved) {
                            if v > 0.0 && v <= 1.0 {
                                out.push(Diagnostic::new(
                                    Code::CpuPercentScale,
                                    other.span,
                                    format!(
                                        "`$CPUPercent` is a percentage (0-100), but it is compared with {v}; did you mean {}?",
                                        crate::format::format_double(v * 100.0)
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
            View::Name { .. } if matches!(resolved.name(e.span), Some(Resolution::Keyword(k)) if k.value == Deallocation::RetainedData) => {
                out.push(Diagnostic::new(
                Code::RetainedData,
                e.span,
                "`retaineddata` was removed from the resize options of REST API version 2026-08-01; the formula keyword is still accepted",
            ));
            }
            _ => {}
        }
    }
}

fn mentions_cpu(e: ExprRef<'_>, resolved: &Resolved) -> bool {
    let mut found = false;
    fn go(e: ExprRef<'_>, resolved: &Resolved, found: &mut bool) {
        if let View::Name { .. } = e.kind() {
            if service(resolved, e.span).map(|v| v.kind) == Some(VariableKind::Metric(Metric::CpuPercent)) {
                *found = true;
            }
        }
        e.for_each_child(|c| go(c, resolved, found));
    }
    go(e, resolved, &mut found);
    found
}

/// W313: a bare expression that does nothing.
fn no_effect(formula: &Formula, resolved: &Resolved, out: &mut Vec<Diagnostic>) {
    fn has_effect(e: ExprRef<'_>, resolved: &Resolved) -> bool {
        let mut found = false;
        fn go(e: ExprRef<'_>, resolved: &Resolved, found: &mut bool) {
            match e.kind() {
                View::MethodCall { .. } => *found = true,
                View::Call { function, .. }
                    if matches!(
                        resolved.name(function.span),
                        Some(Resolution::Function(f)) if matches!(f.function, Function::Stop | Function::Rand)
                    ) =>
                {
                    *found = true
                }
                _ => {}
            }
            e.for_each_child(|c| go(c, resolved, found));
        }
        go(e, resolved, &mut found);
        found
    }
    for s in &formula.statements {
        if let StatementKind::Expr { expr } = &s.kind {
            let expr = formula.get(*expr);
            if !has_effect(expr, resolved) && !matches!(expr.kind(), View::Error) {
                let mut d = Diagnostic::new(
                    Code::NoEffect,
                    s.span,
                    "this statement computes a value and discards it: it has no effect",
                );
                if let View::Binary {
                    op: BinaryOp::Eq, left, ..
                } = expr.kind()
                {
                    if let View::Name { .. } = left.kind() {
                        d = d.with_note("to assign, write `=` instead of `==`");
                    }
                }
                out.push(d);
            }
        }
    }
}

/// W310: a target assigned a constant that is negative or fractional.
fn target_values(formula: &Formula, resolved: &Resolved, out: &mut Vec<Diagnostic>) {
    for s in &formula.statements {
        if let StatementKind::Assign { target, value } = &s.kind {
            let value = formula.get(*value);
            if let Some(VariableKind::Target(_)) = service(resolved, target.span).map(|v| v.kind) {
                if let Some(v) = constant_number(value, resolved) {
                    if v < 0.0 {
                        out.push(Diagnostic::new(
                            Code::TargetNotWholeNumber,
                            value.span,
                            format!(
                                "a negative target is applied as 0 (this value is {})",
                                crate::format::format_double(v)
                            ),
                        ));
                    } else if v.fract() != 0.0 {
                        out.push(Diagnostic::new(
                            Code::TargetNotWholeNumber,
                            value.span,
                            format!(
                                "targets are truncated to whole nodes: {} is applied as {}",
                                crate::format::format_double(v),
                                v.trunc()
                            ),
                        ));
                    }
                }
            }
        }
    }
}

/// W316: user variables never read.
fn unused_variables(variables: &[VariableInfo], out: &mut Vec<Diagnostic>) {
    for v in variables {
        if v.references.is_empty() {
            if let Some(first) = v.definitions.first() {
                out.push(
                    Diagnostic::new(
                        Code::UnusedVariable,
                        first.name_span,
                        format!("`{}` is assigned but never read", v.name),
                    )
                    .with_note("its value still appears in the evaluation results, which can be useful for debugging"),
                );
            }
        }
    }
}
/// The values an expression can take, as far as literals, `min`, `max`, `?:`, comparisons and
/// sums say (`[-inf, inf]` when they say nothing).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Bounds {
    lo: f64,
    hi: f64,
}

impl Bounds {
    const ANY: Bounds = Bounds {
        lo: f64::NEG_INFINITY,
        hi: f64::INFINITY,
    };
    const BOOL: Bounds = Bounds { lo: 0.0, hi: 1.0 };

    fn point(v: f64) -> Bounds {
        if v.is_nan() {
            Bounds::ANY
        } else {
            Bounds { lo: v, hi: v }
        }
    }

    fn checked(lo: f64, hi: f64) -> Bounds {
        if lo.is_nan() || hi.is_nan() || lo > hi {
            Bounds::ANY
        } else {
            Bounds { lo, hi }
        }
    }
}

/// The [`Bounds`] of `e`, with `known` the bounds of the variables assigned so far (targets
/// by their canonical name, D51).
fn bounds(e: ExprRef<'_>, known: &FastMap<String, Bounds>, resolved: &Resolved) -> Bounds {
    use BinaryOp::*;
    match e.unparenthesized().kind() {
        View::Number { value } => Bounds::point(*value),
        View::Name { name } => known.get(canonical_name(name)).copied().unwrap_or(Bounds::ANY),
        View::Unary { op, operand } => match op {
            crate::syntax::ast::UnaryOp::Neg => {
                let b = bounds(operand, known, resolved);
                Bounds::checked(-b.hi, -b.lo)
            }
            crate::syntax::ast::UnaryOp::Not => Bounds::BOOL,
        },
        View::Binary { op, left, right } => match op {
            Add | Sub => {
                let (a, b) = (bounds(left, known, resolved), bounds(right, known, resolved));
                if *op == Add {
                    Bounds::checked(a.lo + b.lo, a.hi + b.hi)
                } else {
                    Bounds::checked(a.lo - b.hi, a.hi - b.lo)
                }
            }
            And | Or => Bounds::BOOL,
            _ if op.is_comparison() => Bounds::BOOL,
            _ => constant_number(e, resolved).map_or(Bounds::ANY, Bounds::point),
        },
        View::Conditional {
            condition,
            then_branch,
            else_branch,
        } => match constant_number(condition, resolved) {
            Some(c) if c != 0.0 => bounds(then_branch, known, resolved),
            Some(_) => bounds(else_branch, known, resolved),
            None => {
                let (a, b) = (bounds(then_branch, known, resolved), bounds(else_branch, known, resolved));
                Bounds::checked(a.lo.min(b.lo), a.hi.max(b.hi))
            }
        },
        View::Call { function, args, .. } if !args.is_empty() => {
            let all: Vec<Bounds> = args.iter().map(|a| bounds(a, known, resolved)).collect();
            match builtins::lookup_function(&function.text).map(|f| f.function) {
                // Every element of every argument is a candidate (a vector's are unknown).
                Some(Function::Min) => Bounds::checked(
                    all.iter().map(|b| b.lo).fold(f64::INFINITY, f64::min),
                    all.iter().map(|b| b.hi).fold(f64::INFINITY, f64::min),
                ),
                Some(Function::Max) => Bounds::checked(
                    all.iter().map(|b| b.lo).fold(f64::NEG_INFINITY, f64::max),
                    all.iter().map(|b| b.hi).fold(f64::NEG_INFINITY, f64::max),
                ),
                _ => Bounds::ANY,
            }
        }
        _ => Bounds::ANY,
    }
}

/// A variable's name with a target alias read as its canonical name (D51).
fn canonical_name(name: &str) -> &str {
    match builtins::lookup_variable(name) {
        Some(v) => v.alias_of.unwrap_or(v.name),
        None => name,
    }
}

/// W319: the assignment that decides a target (its last one, the canonical name's when both
/// names are assigned, D15) can only give a value below 1, which is applied as 0 whatever the
/// pool does: `$TargetDedicatedNodes = min(0, $totalNodes)`. A plain constant (`= 0`) is meant
/// and is not reported, nor is a variable holding one.
fn target_always_zero(formula: &Formula, resolved: &Resolved, out: &mut Vec<Diagnostic>) {
    let mut known: FastMap<String, Bounds> = FastMap::default();
    // Per target: the deciding assignment so far (name span, value, bounds, by its canonical name).
    let mut deciding: Vec<(Target, bool, ExprRef<'_>, Span, Bounds)> = Vec::new();
    for s in &formula.statements {
        if let StatementKind::Assign { target, value } = &s.kind {
            let value = formula.get(*value);
            let b = bounds(value, &known, resolved);
            let variable = builtins::lookup_variable(&target.text);
            if let Some(VariableKind::Target(t)) = variable.map(|v| v.kind) {
                let canonical = variable.is_some_and(|v| v.alias_of.is_none());
                match deciding.iter_mut().find(|d| d.0 == t) {
                    Some(d) if d.1 && !canonical => {}
                    Some(d) => *d = (t, canonical, value, target.span, b),
                    None => deciding.push((t, canonical, value, target.span, b)),
                }
            }
            let name = canonical_name(&target.text);
            match known.get_mut(name) {
                Some(entry) => *entry = b,
                None => {
                    known.insert(name.to_string(), b);
                }
            }
        }
    }
    for (t, _, value, _, b) in deciding {
        if b.hi < 1.0 && b.lo < b.hi && constant_number(value, resolved).is_none() {
            let mut d = Diagnostic::new(
                Code::TargetAlwaysZero,
                value.span,
                format!(
                    "`{}` can only be 0: this value is never 1 or more (it is at most {}), and a target below 1 is applied as 0",
                    t.name(),
                    crate::format::format_double(b.hi)
                ),
            );
            if let View::Call { function, .. } = value.unparenthesized().kind() {
                if builtins::lookup_function(&function.text).map(|f| f.function) == Some(Function::Min) {
                    d = d.with_note("`min(0, x)` is at most 0; to keep a target from going negative, write `max(0, x)`");
                }
            }
            out.push(d);
        }
    }
}

/// A `time("…")` literal's date, when `e` is `time("…")`.
fn time_literal(e: ExprRef<'_>) -> Option<Timestamp> {
    let View::Call { function, args, .. } = e.unparenthesized().kind() else {
        return None;
    };
    if builtins::lookup_function(&function.text).map(|f| f.function) != Some(Function::Time) {
        return None;
    }
    match args.ids() {
        &[arg] => match args.expr(arg).unparenthesized().kind() {
            View::String { value } if !value.is_empty() => crate::time::parse_time_literal(value).ok(),
            _ => None,
        },
        _ => None,
    }
}

/// `time() - time("…")`: the span of the literal's call and its date.
fn since_fixed_date(e: ExprRef<'_>) -> Option<(Span, Timestamp)> {
    let View::Binary {
        op: BinaryOp::Sub,
        left,
        right,
    } = e.unparenthesized().kind()
    else {
        return None;
    };
    let now = matches!(left.unparenthesized().kind(), View::Call { function, args, .. }
        if args.is_empty() && builtins::lookup_function(&function.text).map(|f| f.function) == Some(Function::Time));
    if !now {
        return None;
    }
    Some((right.unparenthesized().span, time_literal(right)?))
}

/// Every [`FixedDateAge`] of the formula, directly (`time() - time("…") < TimeInterval_Hour`)
/// or through variables assigned such a difference and a constant interval.
pub(super) fn fixed_date_ages(formula: &Formula, resolved: &Resolved) -> Vec<FixedDateAge> {
    let (nodes, ends) = preorder(formula);
    fixed_date_ages_in(formula, &nodes, &ends, resolved)
}

/// [`fixed_date_ages`] over the formula's [`preorder`] list.
fn fixed_date_ages_in(formula: &Formula, nodes: &[ExprRef<'_>], ends: &[usize], resolved: &Resolved) -> Vec<FixedDateAge> {
    let mut ages: FastMap<&str, (Span, Timestamp)> = FastMap::default();
    let mut intervals: FastMap<&str, TimeInterval> = FastMap::default();
    let mut found = Vec::new();
    fn interval_of(e: ExprRef<'_>, intervals: &FastMap<&str, TimeInterval>, resolved: &Resolved) -> Option<TimeInterval> {
        match e.unparenthesized().kind() {
            View::Name { name } => intervals.get(name.as_str()).copied().or_else(|| constant_interval(e, resolved)),
            _ => constant_interval(e, resolved),
        }
    }
    for (i, s) in formula.statements.iter().enumerate() {
        if s.expr().is_none() {
            continue;
        }
        let age_of = |x: ExprRef<'_>| -> Option<(Span, Timestamp)> {
            match x.unparenthesized().kind() {
                View::Name { .. } if ages.is_empty() => None,
                View::Name { name } => ages.get(name.as_str()).copied(),
                _ => since_fixed_date(x),
            }
        };
        let mut visit = |x: ExprRef<'_>| {
            if let View::Binary { op, left, right } = x.kind() {
                if matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge) {
                    for (side, other, on_left) in [(left, right, true), (right, left, false)] {
                        if let Some((literal, date)) = age_of(side) {
                            found.push(FixedDateAge {
                                literal,
                                date,
                                comparison: x.span,
                                operator: op.symbol(),
                                age_on_left: on_left,
                                interval: interval_of(other, &intervals, resolved),
                            });
                        }
                    }
                }
            }
        };
        for x in statement_nodes(nodes, ends, i) {
            visit(*x);
        }
        if let StatementKind::Assign { target, value } = &s.kind {
            let value = formula.get(*value);
            match since_fixed_date(value) {
                Some(age) => {
                    ages.insert(&target.text, age);
                }
                None => {
                    ages.remove(target.text.as_str());
                }
            }
            match constant_interval(value, resolved) {
                Some(i) => {
                    intervals.insert(&target.text, i);
                }
                None => {
                    intervals.remove(target.text.as_str());
                }
            }
        }
    }
    found
}

/// W320: the time since a fixed `time("…")` date compared with an interval, as if it were the
/// pool's age (a "first interval" branch): the formula cannot know when the pool was created.
fn age_from_fixed_time(formula: &Formula, nodes: &[ExprRef<'_>], ends: &[usize], resolved: &Resolved, out: &mut Vec<Diagnostic>) {
    let mut seen: FastSet<u32> = FastSet::default();
    for age in fixed_date_ages_in(formula, nodes, ends, resolved) {
        if !seen.insert(age.literal.start) {
            continue;
        }
        out.push(
            Diagnostic::new(
                Code::AgeFromFixedTime,
                age.literal,
                format!(
                    "the time since the fixed date {} is compared with an interval as if it were the pool's age; a formula cannot know when its pool was created",
                    age.date.format_results()
                ),
            )
            .with_label(age.comparison, "compared here")
            .with_note("once the date is further in the past than the interval, the comparison never changes again, so a branch for a new pool's first interval never runs (not even on a new pool)")
            .with_note("a new pool has no samples yet: test `$PendingTasks.GetSamplePercent(window) < 70` (or `$X.Count()`) instead"),
        );
    }
}
