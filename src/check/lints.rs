//! Lints beyond what the service checks (LANGUAGE.md §9.1). They read the checker's resolved
//! tree ([`Resolved`]) for what names stand for, and evaluate constants with the evaluator's
//! own operators ([`crate::ops`]).
//!
//! All of them run in one pass over the formula's arena ([`Pass`]), statement by statement.
//! The arena holds children before their parents, so a forward pass over a statement's nodes
//! sees a node's children first: what the lints ask of a subtree — its constant value, its
//! [`Bounds`], whether it mentions `$CPUPercent`, a percentage, an effect or a window — is
//! computed once per node from its children's answers ([`Fact`]), never by walking the subtree
//! again. The variables' facts a lint reads (percentages, bounds) are those of the assignments
//! before the statement, as the statement-by-statement walks had them. W307's guards are the
//! one thing that flows from parents to children: a backward pass over the statements that
//! hold a window. Where a lint reports only the first of several nodes (W305, N402, the order
//! of W320's ages), "first" is the order of a recursive walk (parents before children, then
//! source order), told by each node's [`preorder`] key.

use std::cmp::Reverse;

use crate::builtins::{self, Deallocation, Function, Method, Metric, Target, TimestampField, VariableKind};
use crate::diagnostic::{Code, Diagnostic};
use crate::ops::{self, Scalar};
use crate::syntax::ast::{Args, BinaryOp, ExprRef, Formula, Statement, StatementKind, UnaryOp, View};
use crate::syntax::Span;
use crate::time::{TimeInterval, Timestamp};

use super::fast_hash::{FastMap, FastSet};
use super::resolve::{Resolution, Resolved};
use super::VariableInfo;

/// Run every lint over a checked formula.
pub(super) fn run(formula: &Formula, resolved: &Resolved, out: &mut Vec<Diagnostic>, variables: &[VariableInfo]) {
    let ages = Pass::new(formula, resolved).run(out);
    age_from_fixed_time(ages, out);
    unused_variables(variables, out);
}

fn alias_warning(alias: &str, canonical: &str, span: Span) -> Diagnostic {
    Diagnostic::new(Code::DeprecatedAlias, span, format!("`{alias}` is a legacy alias of `{canonical}`")).with_fix(
        format!("replace with `{canonical}`"),
        span,
        canonical,
    )
}

/// Where a node comes in a recursive walk of the formula (parents before children, children in
/// source order): statement, then span start, the longer span first, the later node of the
/// arena (the parent) first. The lowest key is the node the walk meets first.
type Key = (u32, u32, Reverse<u32>, Reverse<u32>);

fn preorder(statement: u32, e: ExprRef<'_>, index: usize) -> Key {
    (statement, e.span.start, Reverse(e.span.end), Reverse(index as u32))
}

/// Node flags of a [`Fact`]: those in [`INHERITED`] hold for a node when they hold for a child.
mod flag {
    /// A `$CPUPercent` in it.
    pub const CPU: u8 = 1;
    /// A method call, `stop()` or `rand()` in it (W313: it has an effect).
    pub const EFFECT: u8 = 2;
    /// A `GetSamplePercent` or `Count` call in it, or a variable assigned one before its
    /// statement (W307: a condition that guards a window).
    pub const PERCENT: u8 = 4;
    /// A window without percentage in it (W307 looks at its statement).
    pub const HAS_WINDOW: u8 = 8;
    /// The flags a node has when a child has them.
    pub const INHERITED: u8 = CPU | EFFECT | PERCENT | HAS_WINDOW;
    /// The node is `GetSample(window)` without a percentage.
    pub const WINDOW: u8 = 16;
    /// The node is the receiver of a method call on a metric (W317 does not apply).
    pub const RECEIVER: u8 = 32;
    /// The node is guarded by a percentage condition (W307's backward pass).
    pub const GUARDED: u8 = 64;
}

/// What the lints know of one node, computed from its children's facts.
#[derive(Debug, Clone, Copy)]
struct Fact {
    /// The value when the node is a constant expression of numbers, `TimeInterval_*` constants
    /// and operators, evaluated with the evaluator's own operators (what constant folding gives).
    constant: Option<Scalar<'static>>,
    /// The values it can take, with the variables' bounds as assigned before its statement.
    bounds: Bounds,
    /// The sampled metric it names, optionally in parentheses.
    metric: Option<Metric>,
    /// [`flag`]s.
    flags: u8,
}

impl Fact {
    const NONE: Fact = Fact {
        constant: None,
        bounds: Bounds::ANY,
        metric: None,
        flags: 0,
    };

    fn number(&self) -> Option<f64> {
        match self.constant? {
            Scalar::Double(x) => Some(x),
            _ => None,
        }
    }

    fn interval(&self) -> Option<TimeInterval> {
        match self.constant? {
            Scalar::Interval(i) => Some(i),
            _ => None,
        }
    }

    fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

/// No statement: a node that no statement reaches (left in the arena by a statement the
/// parser replaced, e.g. one nested too deep).
const NO_STATEMENT: u32 = u32::MAX;

/// The lints' pass over one formula, and what they carry from statement to statement.
struct Pass<'a> {
    formula: &'a Formula,
    resolved: &'a Resolved,
    /// Per node of the arena, its statement ([`NO_STATEMENT`] for none).
    owner: Vec<u32>,
    /// Per statement, the lowest arena index of its nodes.
    first: Vec<u32>,
    /// Per node, its facts (for nodes a statement reaches, once the pass has been there).
    facts: Vec<Fact>,
    /// W301/W302: per target, the first alias and the first canonical assignment.
    assigned: [(Option<Span>, Option<Span>); 2],
    any_target: bool,
    /// W304/W317: the nodes naming a metric.
    metric_names: Vec<usize>,
    /// W305: per metric looked at with a sample method, its first look and whether every
    /// look is `GetSample(1)`.
    looks: Vec<(Metric, Key, Span, bool)>,
    /// N402: per field (`hour`, `weekday`), its first comparison with a constant.
    utc: [Option<((Key, u8), Diagnostic)>; 2],
    /// W307: the variables assigned a value that mentions a percentage (user variables by
    /// index, others as resolved).
    percent_users: Vec<bool>,
    percent_others: Vec<Resolution>,
    /// W319: the bounds of the variables assigned so far, by canonical name (D51).
    known: FastMap<&'a str, Bounds>,
    /// W319: per target, the deciding assignment so far (canonical name or not, value, name
    /// span, bounds).
    deciding: Vec<(Target, bool, ExprRef<'a>, Span, Bounds)>,
    /// W320: variables holding the time since a fixed date, and constant intervals.
    ages: FastMap<&'a str, (Span, Timestamp)>,
    intervals: FastMap<&'a str, TimeInterval>,
    /// W320: the fixed-date ages found, in the order of a recursive walk.
    found: Vec<FixedDateAge>,
    /// W320: those of the current statement, with their keys (sorted when it ends).
    statement_ages: Vec<((Key, u8), FixedDateAge)>,
}

impl<'a> Pass<'a> {
    /// Where each node belongs: one backward pass over the arena (parents before children).
    fn new(formula: &'a Formula, resolved: &'a Resolved) -> Pass<'a> {
        let n = formula.node_count();
        let mut owner = vec![NO_STATEMENT; n];
        let mut first = vec![0u32; formula.statements.len()];
        for (j, s) in formula.statements.iter().enumerate() {
            if let Some(root) = formula.statement_expr(s) {
                owner[root.id().index()] = j as u32;
            }
        }
        for i in (0..n).rev() {
            let o = owner[i];
            if o == NO_STATEMENT {
                continue;
            }
            first[o as usize] = i as u32;
            formula.node(i).for_each_child(|c| owner[c.id().index()] = o);
        }
        Pass {
            formula,
            resolved,
            owner,
            first,
            facts: vec![Fact::NONE; n],
            assigned: [(None, None); 2],
            any_target: false,
            metric_names: Vec::new(),
            looks: Vec::new(),
            utc: [None, None],
            percent_users: Vec::new(),
            percent_others: Vec::new(),
            known: FastMap::default(),
            deciding: Vec::new(),
            ages: FastMap::default(),
            intervals: FastMap::default(),
            found: Vec::new(),
            statement_ages: Vec::new(),
        }
    }

    /// Every lint but W316 and W320's diagnostics; the fixed-date ages found.
    fn run(mut self, out: &mut Vec<Diagnostic>) -> Vec<FixedDateAge> {
        let formula = self.formula;
        for (j, s) in formula.statements.iter().enumerate() {
            if let Some(root) = s.expr() {
                let (first, root) = (self.first[j] as usize, root.index());
                for i in first..=root {
                    if self.owner[i] == j as u32 {
                        self.node(i, j as u32, out);
                    }
                }
                if !self.statement_ages.is_empty() {
                    self.statement_ages.sort_by_key(|(key, _)| *key);
                    self.found.extend(self.statement_ages.drain(..).map(|(_, age)| age));
                }
                if self.facts[root].has(flag::HAS_WINDOW) {
                    self.guards(j as u32, first, root, out);
                }
            }
            self.statement(s, out);
        }
        self.finish(out);
        self.found
    }

    fn fact(&self, e: ExprRef<'_>) -> &Fact {
        &self.facts[e.id().index()]
    }

    /// The facts of node `i` of statement `j` (its children's are known), and the lints that
    /// look at the node alone.
    fn node(&mut self, i: usize, j: u32, out: &mut Vec<Diagnostic>) {
        let e = self.formula.node(i);
        let mut fact = Fact::NONE;
        e.for_each_child(|c| fact.flags |= self.facts[c.id().index()].flags & flag::INHERITED);
        match e.kind() {
            View::Number { value } => {
                fact.constant = Some(Scalar::Double(*value));
                fact.bounds = Bounds::point(*value);
            }
            View::String { .. } | View::Member { .. } | View::Error => {}
            View::Name { name } => self.name(e, i, name, &mut fact, out),
            View::Unary { op, operand } => {
                let o = self.fact(operand);
                fact.constant = o.constant.and_then(|x| ops::unary(*op, x).ok());
                fact.bounds = match op {
                    UnaryOp::Neg => Bounds::checked(-o.bounds.hi, -o.bounds.lo),
                    UnaryOp::Not => Bounds::BOOL,
                };
            }
            View::Binary { op, left, right } => {
                let (l, r) = (self.fact(left), self.fact(right));
                fact.constant = binary_constant(*op, l.constant, r.constant);
                fact.bounds = match op {
                    BinaryOp::Add => Bounds::checked(l.bounds.lo + r.bounds.lo, l.bounds.hi + r.bounds.hi),
                    BinaryOp::Sub => Bounds::checked(l.bounds.lo - r.bounds.hi, l.bounds.hi - r.bounds.lo),
                    BinaryOp::And | BinaryOp::Or => Bounds::BOOL,
                    _ if op.is_comparison() => Bounds::BOOL,
                    _ => fact.number().map_or(Bounds::ANY, Bounds::point),
                };
                if op.is_comparison() {
                    self.comparison(e, i, j, out);
                }
            }
            View::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                let (c, a, b) = (self.fact(condition), self.fact(then_branch), self.fact(else_branch));
                fact.constant = match c.constant {
                    Some(Scalar::Double(x)) if ops::is_true(x) => a.constant,
                    Some(Scalar::Double(_)) => b.constant,
                    _ => None,
                };
                let condition_value = c.number();
                fact.bounds = match condition_value {
                    Some(x) if x != 0.0 => a.bounds,
                    Some(_) => b.bounds,
                    None => Bounds::checked(a.bounds.lo.min(b.bounds.lo), a.bounds.hi.max(b.bounds.hi)),
                };
                // W309
                if let Some(v) = condition_value {
                    out.push(Diagnostic::new(
                        Code::ConstantCondition,
                        condition.span,
                        format!("this condition is always {}", if v != 0.0 { "true" } else { "false" }),
                    ));
                }
            }
            View::Call { function, args, .. } => {
                let resolved = match self.resolved.name(function.span) {
                    Some(Resolution::Function(f)) => Some(f.function),
                    _ => None,
                };
                if matches!(resolved, Some(Function::Stop | Function::Rand)) {
                    fact.flags |= flag::EFFECT;
                }
                if !args.is_empty() {
                    // The checker resolves a function by its spelling; without a resolution, spell it.
                    let function = resolved.or_else(|| builtins::lookup_function(&function.text).map(|f| f.function));
                    // Every element of every argument is a candidate (a vector's are unknown).
                    let (min, max) = (function == Some(Function::Min), function == Some(Function::Max));
                    fact.bounds = if min || max {
                        let start = if min { f64::INFINITY } else { f64::NEG_INFINITY };
                        let pick = if min { f64::min } else { f64::max };
                        let (lo, hi) = args.iter().fold((start, start), |(lo, hi), a| {
                            let b = self.fact(a).bounds;
                            (pick(lo, b.lo), pick(hi, b.hi))
                        });
                        Bounds::checked(lo, hi)
                    } else {
                        Bounds::ANY
                    };
                }
            }
            View::MethodCall { object, method, args, .. } => {
                fact.flags |= flag::EFFECT;
                let method = match self.resolved.name(method.span) {
                    Some(Resolution::Method(m)) => Some(m.method),
                    _ => None,
                };
                if matches!(method, Some(Method::GetSamplePercent | Method::Count)) {
                    fact.flags |= flag::PERCENT;
                }
                if method == Some(Method::GetSample) && self.window_without_percent(args) {
                    fact.flags |= flag::WINDOW | flag::HAS_WINDOW;
                }
                if let Some(m) = self.fact(object).metric {
                    let receiver = object.unparenthesized().id().index();
                    self.facts[receiver].flags |= flag::RECEIVER;
                    self.sample_look(e, preorder(j, e, i), m, method, args, out);
                }
            }
            View::Paren { inner } => {
                let f = self.fact(inner);
                fact.constant = f.constant;
                fact.bounds = f.bounds;
                fact.metric = f.metric;
            }
        }
        self.facts[i] = fact;
    }

    /// A name's facts; W303 (an alias read), N401 (`retaineddata`).
    fn name(&mut self, e: ExprRef<'a>, i: usize, name: &'a str, fact: &mut Fact, out: &mut Vec<Diagnostic>) {
        let resolution = self.resolved.name(e.span);
        let canonical = match resolution {
            Some(Resolution::Constant(c)) => {
                fact.constant = Some(Scalar::Interval(c.value));
                name
            }
            Some(Resolution::Service(v)) => {
                if let Some(canonical) = v.alias_of {
                    out.push(alias_warning(v.name, canonical, e.span));
                }
                if let VariableKind::Metric(m) = v.kind {
                    fact.metric = Some(m);
                    if m == Metric::CpuPercent {
                        fact.flags |= flag::CPU;
                    }
                    self.metric_names.push(i);
                }
                v.alias_of.unwrap_or(v.name)
            }
            Some(Resolution::Keyword(k)) => {
                if k.value == Deallocation::RetainedData {
                    out.push(Diagnostic::new(
                        Code::RetainedData,
                        e.span,
                        "`retaineddata` was removed from the resize options of REST API version 2026-08-01; the formula keyword is still accepted",
                    ));
                }
                name
            }
            // The checker resolves a service variable first, so any other resolution is none.
            Some(_) => name,
            None => canonical_name(name),
        };
        if let Some(r) = resolution {
            if self.is_percent_variable(r) {
                fact.flags |= flag::PERCENT;
            }
        }
        if !self.known.is_empty() {
            fact.bounds = self.known.get(canonical).copied().unwrap_or(Bounds::ANY);
        }
    }

    fn is_percent_variable(&self, r: Resolution) -> bool {
        match r {
            Resolution::User(index) => self.percent_users.get(index).copied().unwrap_or(false),
            _ => !self.percent_others.is_empty() && self.percent_others.contains(&r),
        }
    }

    /// `GetSample(window)` without a percentage (guarded or not), for a `GetSample` call.
    fn window_without_percent(&self, args: Args<'_>) -> bool {
        match args.len() {
            1 => {
                let a = self.fact(args.at(0));
                a.number().is_none() && !self.is_count_like(args.at(0))
            }
            2 => {
                let b = self.fact(args.at(1));
                b.number().is_none() && b.interval().is_some()
            }
            _ => false,
        }
    }

    /// A `GetSample` argument that is plainly a count (a number or a variable holding one); we
    /// cannot always know, so only intervals built from constants count as windows.
    fn is_count_like(&self, e: ExprRef<'_>) -> bool {
        self.fact(e).interval().is_none()
            && !matches!(
                e.unparenthesized().kind(),
                View::Name { .. } | View::Call { .. } | View::Binary { .. }
            )
    }

    /// A sample method call on metric `m`: W305's looks, W306 a window too recent.
    fn sample_look(&mut self, e: ExprRef<'_>, key: Key, m: Metric, method: Option<Method>, args: Args<'_>, out: &mut Vec<Diagnostic>) {
        let first = args.first().map(|a| self.fact(a).number());
        let only_last = method == Some(Method::GetSample) && args.len() == 1 && first == Some(Some(1.0));
        match self.looks.iter_mut().find(|l| l.0 == m) {
            Some(look) => {
                if key < look.1 {
                    (look.1, look.2) = (key, e.span);
                }
                look.3 &= only_last;
            }
            None => self.looks.push((m, key, e.span, only_last)),
        }
        let is_window = matches!(method, Some(Method::GetSample | Method::GetSamplePercent)) && first == Some(None);
        if is_window {
            let mut bounds = args.iter().take(2).filter_map(|a| self.fact(a).interval());
            let (b0, b1) = (bounds.next(), bounds.next());
            let found = usize::from(b0.is_some()) + usize::from(b1.is_some());
            let two_bounds = args.len() >= 2 && self.fact(args.at(1)).number().is_none();
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

    /// A comparison: W312 chained, W311 weekday == 7, N402 UTC hour/weekday, W308 CPU scale;
    /// W320's ages.
    fn comparison(&mut self, e: ExprRef<'a>, i: usize, j: u32, out: &mut Vec<Diagnostic>) {
        let View::Binary { op, left, right } = e.kind() else {
            return;
        };
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
        let key = preorder(j, e, i);
        for (side_index, (side, other)) in [(left, right), (right, left)].into_iter().enumerate() {
            let field = match side.unparenthesized().kind() {
                View::Member { member, .. } => match self.resolved.name(member.span) {
                    Some(Resolution::Field(f)) => Some((f.field, member)),
                    _ => None,
                },
                _ => None,
            };
            let other_value = self.fact(other).number();
            if let Some((field, member)) = field {
                if field == TimestampField::Weekday && other_value == Some(7.0) {
                    out.push(
                        Diagnostic::new(
                            Code::WeekdaySeven,
                            other.span,
                            "`weekday` runs from 0 (Sunday) to 6 (Saturday); it is never 7",
                        )
                        .with_fix("Sunday is 0", other.span, "0"),
                    );
                }
                let slot = match field {
                    TimestampField::Hour => Some(0),
                    TimestampField::Weekday => Some(1),
                    _ => None,
                };
                if let (Some(slot), Some(_)) = (slot, other_value) {
                    let key = (key, side_index as u8);
                    if self.utc[slot].as_ref().is_none_or(|(k, _)| key < *k) {
                        self.utc[slot] = Some((
                            key,
                            Diagnostic::new(
                                Code::UtcTimeComparison,
                                side.span,
                                format!("`{}` is in UTC: the service evaluates `time()` in UTC, not in the pool's local time", member.text),
                            )
                            .with_note("local business hours move by an hour against UTC when daylight saving time starts or ends; `replay --tz ZONE` shows where"),
                        ));
                    }
                }
            }
            if self.fact(side).has(flag::CPU) {
                if let Some(v) = other_value {
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
        if matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge) {
            for (side_index, (side, other, on_left)) in [(left, right, true), (right, left, false)].into_iter().enumerate() {
                if let Some((literal, date)) = self.age_of(side) {
                    let age = FixedDateAge {
                        literal,
                        date,
                        comparison: e.span,
                        operator: op.symbol(),
                        age_on_left: on_left,
                        interval: self.interval_of(other),
                    };
                    self.statement_ages.push(((key, side_index as u8), age));
                }
            }
        }
    }

    /// W320: the time since a fixed date that `x` is, directly or through a variable.
    fn age_of(&self, x: ExprRef<'_>) -> Option<(Span, Timestamp)> {
        match x.unparenthesized().kind() {
            View::Name { .. } if self.ages.is_empty() => None,
            View::Name { name } => self.ages.get(name.as_str()).copied(),
            _ => since_fixed_date(x),
        }
    }

    /// W320: the constant interval that `e` is, directly or through a variable.
    fn interval_of(&self, e: ExprRef<'_>) -> Option<TimeInterval> {
        match e.unparenthesized().kind() {
            View::Name { name } => self.intervals.get(name.as_str()).copied().or_else(|| self.fact(e).interval()),
            _ => self.fact(e).interval(),
        }
    }

    /// W307: `GetSample(window)` without a percentage, not guarded by `GetSamplePercent`: the
    /// guards flow from parents to children, so statement `j`'s nodes go backwards.
    fn guards(&mut self, j: u32, first: usize, root: usize, out: &mut Vec<Diagnostic>) {
        for i in (first..=root).rev() {
            if self.owner[i] != j {
                continue;
            }
            let e = self.formula.node(i);
            let guarded = self.facts[i].has(flag::GUARDED);
            match e.kind() {
                View::Conditional {
                    condition,
                    then_branch,
                    else_branch,
                } => {
                    let g = guarded || self.fact(condition).has(flag::PERCENT);
                    self.guard(condition, guarded);
                    self.guard(then_branch, g);
                    self.guard(else_branch, g);
                }
                View::Binary {
                    op: BinaryOp::And | BinaryOp::Or,
                    left,
                    right,
                } => {
                    let g = guarded || self.fact(left).has(flag::PERCENT);
                    self.guard(left, guarded);
                    self.guard(right, g);
                }
                _ => {
                    if !guarded && self.facts[i].has(flag::WINDOW) {
                        out.push(
                            Diagnostic::new(Code::UnguardedWindow, e.span, "this window has no sample percentage, so it requires 70 % of the expected samples and fails the whole evaluation when they are missing (e.g. on a new pool)")
                                .with_note("guard it, e.g. `$p = $X.GetSamplePercent(w); $v = $p < 70 ? … : avg($X.GetSample(w));`, or pass an explicit percentage such as `GetSample(w, 0)`"),
                        );
                    }
                    if guarded {
                        e.for_each_child(|c| self.facts[c.id().index()].flags |= flag::GUARDED);
                    }
                }
            }
        }
    }

    fn guard(&mut self, e: ExprRef<'_>, guarded: bool) {
        if guarded {
            self.facts[e.id().index()].flags |= flag::GUARDED;
        }
    }

    /// The lints of a statement as a whole, once its nodes are done; then what later
    /// statements see of its assignment.
    fn statement(&mut self, s: &'a Statement, out: &mut Vec<Diagnostic>) {
        match &s.kind {
            StatementKind::Assign { target, value } => {
                let value = self.formula.get(*value);
                let fact = self.facts[value.id().index()];
                let resolution = self.resolved.name(target.span);
                let service = match resolution {
                    Some(Resolution::Service(v)) => Some(v),
                    _ => None,
                };
                // W303 an alias assigned; W301/W302.
                if let Some(v) = service {
                    if let VariableKind::Target(t) = v.kind {
                        self.any_target = true;
                        let entry = &mut self.assigned[t as usize];
                        if v.alias_of.is_some() {
                            entry.0.get_or_insert(target.span);
                        } else {
                            entry.1.get_or_insert(target.span);
                        }
                        // W310: a target assigned a constant that is negative or fractional.
                        if let Some(v) = fact.number() {
                            target_value(v, value.span, out);
                        }
                    }
                    if let Some(canonical) = v.alias_of {
                        out.push(alias_warning(v.name, canonical, target.span));
                    }
                }
                // W319: the deciding assignment of each target, and the variables' bounds.
                let variable = match resolution {
                    Some(Resolution::Service(v)) => Some(v),
                    Some(_) => None,
                    None => builtins::lookup_variable(&target.text),
                };
                if let Some(VariableKind::Target(t)) = variable.map(|v| v.kind) {
                    let canonical = variable.is_some_and(|v| v.alias_of.is_none());
                    let b = fact.bounds;
                    match self.deciding.iter_mut().find(|d| d.0 == t) {
                        Some(d) if d.1 && !canonical => {}
                        Some(d) => *d = (t, canonical, value, target.span, b),
                        None => self.deciding.push((t, canonical, value, target.span, b)),
                    }
                }
                let name = variable.map_or(target.text.as_str(), |v| v.alias_of.unwrap_or(v.name));
                self.known.insert(name, fact.bounds);
                // W307: a variable holding a percentage guards what it conditions.
                if fact.has(flag::PERCENT) {
                    match resolution {
                        Some(Resolution::User(index)) => {
                            if self.percent_users.len() <= index {
                                self.percent_users.resize(index + 1, false);
                            }
                            self.percent_users[index] = true;
                        }
                        Some(r) => self.percent_others.push(r),
                        None => {}
                    }
                }
                // W320: variables holding an age or a constant interval.
                match since_fixed_date(value) {
                    Some(age) => {
                        self.ages.insert(&target.text, age);
                    }
                    None if self.ages.is_empty() => {}
                    None => {
                        self.ages.remove(target.text.as_str());
                    }
                }
                match fact.interval() {
                    Some(i) => {
                        self.intervals.insert(&target.text, i);
                    }
                    None if self.intervals.is_empty() => {}
                    None => {
                        self.intervals.remove(target.text.as_str());
                    }
                }
            }
            StatementKind::Expr { expr } => {
                // W313: a bare expression that does nothing.
                let expr = self.formula.get(*expr);
                if !self.fact(expr).has(flag::EFFECT) && !matches!(expr.kind(), View::Error) {
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
            StatementKind::Error => {}
        }
    }

    /// The lints that need the whole formula: W301, W302, W304, W305, W317, N402, W319.
    fn finish(&mut self, out: &mut Vec<Diagnostic>) {
        for (alias, canonical) in &self.assigned {
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
        if !self.any_target && !self.formula.statements.is_empty() {
            out.push(
                Diagnostic::new(Code::NoTargetAssigned, Span::empty(0), "no target is assigned: the formula never sets $TargetDedicatedNodes or $TargetLowPriorityNodes, so the pool keeps its current size")
                    .with_note("that is fine for a formula used only with the evaluate API"),
            );
        }
        // W304 retired metric, W317 metric used as a number.
        for &i in &self.metric_names {
            let e = self.formula.node(i);
            let (View::Name { name }, Some(m)) = (e.kind(), self.facts[i].metric) else {
                continue;
            };
            if m.is_retired() {
                out.push(Diagnostic::new(
                    Code::RetiredMetric,
                    e.span,
                    format!("`{name}` is retired: the service stopped populating it after 2024-03-31, so it has no samples"),
                ));
            }
            if !self.facts[i].has(flag::RECEIVER) {
                out.push(
                    Diagnostic::new(Code::MetricAsNumber, e.span, format!("`{name}` is a sampled metric used as a number; this project reads it as its most recent sample (an undocumented behaviour)"))
                        .with_fix("read the last sample explicitly", e.span, format!("val({name}.GetSample(1), 0)")),
                );
            }
        }
        // W305 `GetSample(1)` as the only look at a metric.
        self.looks.sort_by_key(|l| l.0);
        for &(m, _, span, only_last) in &self.looks {
            if only_last {
                out.push(
                    Diagnostic::new(Code::OnlyLastSample, span, format!("`{}.GetSample(1)` is the only look at this metric: it returns the last sample whatever its age", m.name()))
                        .with_note("the docs advise combining it with a window, e.g. `max($X.GetSample(1), avg($X.GetSample(TimeInterval_Minute * 15)))` guarded by GetSamplePercent"),
                );
            }
        }
        // N402 once per field (`hour`, `weekday`), at its first comparison.
        for slot in &mut self.utc {
            if let Some((_, d)) = slot.take() {
                out.push(d);
            }
        }
        // W319: the assignment that decides a target (its last one, the canonical name's when
        // both names are assigned, D15) can only give a value below 1, which is applied as 0
        // whatever the pool does: `$TargetDedicatedNodes = min(0, $totalNodes)`. A plain
        // constant (`= 0`) is meant and is not reported, nor is a variable holding one.
        for &(t, _, value, _, b) in &self.deciding {
            if b.hi < 1.0 && b.lo < b.hi && self.fact(value).number().is_none() {
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
}

/// A binary operator on two constants (`&&` and `||` on truth values), as constant folding
/// gives it.
fn binary_constant(op: BinaryOp, a: Option<Scalar<'static>>, b: Option<Scalar<'static>>) -> Option<Scalar<'static>> {
    let (a, b) = (a?, b?);
    let truth = |s: Scalar<'_>| match s {
        Scalar::Double(x) => Some(ops::is_true(x)),
        _ => None,
    };
    match op {
        BinaryOp::And | BinaryOp::Or => {
            let (x, y) = (truth(a)?, truth(b)?);
            let r: Result<f64, ()> = if op == BinaryOp::And {
                ops::and(x, || Ok(y))
            } else {
                ops::or(x, || Ok(y))
            };
            r.ok().map(Scalar::Double)
        }
        _ => ops::binary(op, a, b).ok(),
    }
}

/// W310: a target assigned the constant `v`, negative or fractional.
fn target_value(v: f64, span: Span, out: &mut Vec<Diagnostic>) {
    if v < 0.0 {
        out.push(Diagnostic::new(
            Code::TargetNotWholeNumber,
            span,
            format!(
                "a negative target is applied as 0 (this value is {})",
                crate::format::format_double(v)
            ),
        ));
    } else if v.fract() != 0.0 {
        out.push(Diagnostic::new(
            Code::TargetNotWholeNumber,
            span,
            format!(
                "targets are truncated to whole nodes: {} is applied as {}",
                crate::format::format_double(v),
                v.trunc()
            ),
        ));
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

/// A variable's name with a target alias read as its canonical name (D51).
fn canonical_name(name: &str) -> &str {
    match builtins::lookup_variable(name) {
        Some(v) => v.alias_of.unwrap_or(v.name),
        None => name,
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

/// The time since a fixed date compared with an interval, as a pool's age:
/// `lifespan < interval` with `lifespan = time() - time("2024-05-01T10:00:00Z")` and
/// `interval = TimeInterval_Minute * 5`.
#[derive(Debug, Clone, PartialEq)]
pub struct FixedDateAge {
    /// The `time("…")` call.
    pub literal: Span,
    /// Its date.
    pub date: Timestamp,
    /// The comparison.
    pub comparison: Span,
    /// The operator, as written (`<`, `>=`, …).
    pub operator: &'static str,
    /// Whether the time since the date is the comparison's left operand.
    pub age_on_left: bool,
    /// The interval it is compared with, when it is a constant.
    pub interval: Option<TimeInterval>,
}

/// Every [`FixedDateAge`] of the formula, directly (`time() - time("…") < TimeInterval_Hour`)
/// or through variables assigned such a difference and a constant interval.
#[cfg(any(feature = "cli", test))]
pub(crate) fn fixed_date_ages(formula: &Formula, resolved: &Resolved) -> Vec<FixedDateAge> {
    Pass::new(formula, resolved).run(&mut Vec::new())
}

#[cfg(any(feature = "cli", test))]
impl FixedDateAge {
    /// Whether, at `now`, the comparison is settled for good: the time since the date only
    /// grows, so once it is past the interval a `<` stays false (and a `>` true). `None` when
    /// the interval is not a constant.
    pub fn settled_at(&self, now: Timestamp) -> Option<bool> {
        let interval = self.interval?;
        let age = now.0.checked_sub(self.date.0)?;
        Some(age > interval.0)
    }

    /// What an evaluation at `now` (or a replay or simulation starting then) should say about
    /// it, when it is settled: the date is long past, so the branch meant for a new pool never
    /// runs.
    pub fn note_at(&self, now: Timestamp) -> Option<String> {
        if self.settled_at(now) != Some(true) {
            return None;
        }
        let days = (now.0 - self.date.0) / (86_400 * crate::time::TICKS_PER_SECOND);
        // "age < interval" (or "interval > age") is then false for good; ">" true.
        let age_small = matches!((self.operator, self.age_on_left), ("<" | "<=", true) | (">" | ">=", false));
        Some(format!(
            "{} is {} before {}, more than the interval it is compared with: the comparison is {} from then on, so a branch meant for a pool's first interval can never run",
            self.date.format_results(),
            if days == 1 { "1 day".to_string() } else { format!("{days} days") },
            now.format_results(),
            if age_small { "always false" } else { "always true" }
        ))
    }
}

/// W320: the time since a fixed `time("…")` date compared with an interval, as if it were the
/// pool's age (a "first interval" branch): the formula cannot know when the pool was created.
fn age_from_fixed_time(ages: Vec<FixedDateAge>, out: &mut Vec<Diagnostic>) {
    let mut seen: FastSet<u32> = FastSet::default();
    for age in ages {
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

#[cfg(test)]
#[path = "lints_oracle.rs"]
mod oracle;

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(src: &str, code: Code) -> Vec<Diagnostic> {
        crate::check(src).diagnostics.into_iter().filter(|d| d.code == code).collect()
    }

    #[test]
    fn a_target_that_can_only_be_zero_is_reported() {
        // The real corpus formula (047), in short.
        let d = codes(
            "$n = $CurrentDedicatedNodes * 1.1;\n$TargetDedicatedNodes = min(0, $n);",
            Code::TargetAlwaysZero,
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].message.contains("`$TargetDedicatedNodes` can only be 0"), "{}", d[0].message);
        assert!(d[0].notes[0].contains("max(0, x)"));
        for src in [
            "cap = 0.5; $TargetLowPriorityNodes = min(cap, $PendingTasks.GetSample(1));",
            "$TargetDedicatedNodes = $CurrentLowPriorityNodes > 1 ? -1 : min(0, $CurrentDedicatedNodes);",
            "$x = min(0, $CurrentDedicatedNodes) - 3; $TargetDedicatedNodes = $x;",
            "$TargetDedicated = min(0, $CurrentDedicatedNodes);",
        ] {
            assert_eq!(codes(src, Code::TargetAlwaysZero).len(), 1, "{src}");
        }
        for src in [
            "$TargetDedicatedNodes = 0;",
            "zero = 0; $TargetDedicatedNodes = zero;",
            "$TargetDedicatedNodes = max(0, $CurrentDedicatedNodes);",
            "$TargetDedicatedNodes = min(5, $CurrentDedicatedNodes);",
            "$TargetDedicatedNodes = min(0, $CurrentDedicatedNodes); $TargetDedicatedNodes = $TargetDedicatedNodes + 2;",
            "$TargetDedicatedNodes = $CurrentDedicatedNodes > 3 ? 0 : 4;",
            "$TargetDedicatedNodes = min(0, $CurrentDedicatedNodes) * $CurrentLowPriorityNodes;",
            // The canonical name's assignment decides (D15).
            "$TargetDedicatedNodes = max(2, $CurrentDedicatedNodes); $TargetDedicated = min(0, $CurrentDedicatedNodes);",
        ] {
            assert!(codes(src, Code::TargetAlwaysZero).is_empty(), "{src}");
        }
    }

    #[test]
    fn a_fixed_date_compared_as_an_age_is_reported() {
        let src = "lifespan = time() - time(\"2024-05-01T10:00:00Z\");\ninterval = TimeInterval_Minute * 5;\n$TargetDedicatedNodes = lifespan < interval ? 1 : 0;";
        let d = codes(src, Code::AgeFromFixedTime);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].span.text(src), "time(\"2024-05-01T10:00:00Z\")");
        assert_eq!(d[0].labels[0].span.text(src), "lifespan < interval");
        let ages = crate::check(src).fixed_date_ages();
        assert_eq!(ages.len(), 1);
        assert_eq!(ages[0].interval, TimeInterval::MINUTE.checked_mul_f64(5.0));
        let just_after = crate::time::parse_rfc3339("2024-05-01T10:03:00Z").unwrap();
        let long_after = crate::time::parse_rfc3339("2026-11-23T12:00:00Z").unwrap();
        assert_eq!(ages[0].note_at(just_after), None);
        let note = ages[0].note_at(long_after).unwrap();
        assert!(note.contains("936 days before") && note.contains("always false"), "{note}");
        // Direct, and the other way round.
        let direct = "$TargetDedicatedNodes = TimeInterval_Hour > time() - time(\"Mon, 14 Oct 2019 18:36:43 GMT\") ? 4 : 1;";
        let ages = crate::check(direct).fixed_date_ages();
        assert!(ages[0].note_at(long_after).unwrap().contains("always false"));
        assert_eq!(codes(direct, Code::AgeFromFixedTime).len(), 1);
        // Not an age: a difference never compared, or the time until a date.
        for src in [
            "d = time() - time(\"2024-05-01T10:00:00Z\"); $TargetDedicatedNodes = 1;",
            "$TargetDedicatedNodes = time(\"2030-01-01T00:00:00Z\") - time() < TimeInterval_Hour ? 1 : 0;",
            "$TargetDedicatedNodes = time() < time(\"2030-01-01T00:00:00Z\") ? 1 : 0;",
        ] {
            assert!(codes(src, Code::AgeFromFixedTime).is_empty(), "{src}");
        }
    }

    /// What the one-pass lints and the oracle (the walks they replace) say of `src`: the
    /// diagnostics (sorted as `check` sorts them) and the fixed-date ages, in order.
    type Said = (Vec<Diagnostic>, Vec<FixedDateAge>);

    fn both(src: &str) -> (Said, Said) {
        let a = crate::check(src);
        let lints = |run: fn(&Formula, &Resolved, &mut Vec<Diagnostic>, &[VariableInfo])| {
            let mut out = Vec::new();
            run(&a.formula, &a.resolved, &mut out, &a.variables);
            crate::diagnostic::sort_diagnostics(&mut out);
            out
        };
        (
            (lints(run), fixed_date_ages(&a.formula, &a.resolved)),
            (lints(oracle::run), oracle::fixed_date_ages(&a.formula, &a.resolved)),
        )
    }

    fn assert_agrees(name: &str, src: &str) {
        let (ours, oracle) = both(src);
        assert_eq!(ours.0, oracle.0, "diagnostics of {name}:\n{src}");
        assert_eq!(ours.1, oracle.1, "fixed-date ages of {name}:\n{src}");
    }

    /// Every `.formula` file in `dir` and every `formula` of a `.json` case there.
    fn formulas_in(dir: &std::path::Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return out;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            let name = path.display().to_string();
            match path.extension().and_then(|e| e.to_str()) {
                Some("formula") => out.push((name, text)),
                Some("json") => {
                    if let Some(f) = serde_json::from_str::<serde_json::Value>(&text)
                        .ok()
                        .and_then(|v| v["formula"].as_str().map(String::from))
                    {
                        out.push((name, f));
                    }
                }
                _ => {}
            }
        }
        out
    }

    #[test]
    fn one_pass_agrees_with_the_walks_on_every_shipped_formula() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut all = Vec::new();
        for dir in [
            "examples",
            "benches/formulas",
            "tests/conformance",
            "../shared/corpus",
            "../shared/conformance",
        ] {
            all.extend(formulas_in(&root.join(dir)));
        }
        assert!(all.len() >= 20, "only {} formulas", all.len());
        let mut with_lints = 0;
        for (name, src) in &all {
            assert_agrees(name, src);
            with_lints += usize::from(!both(src).0 .0.is_empty());
        }
        assert!(with_lints >= 10, "only {with_lints} formulas have a lint");
    }

    #[test]
    fn nodes_no_statement_reaches_are_left_out() {
        // Statements the parser could not read leave nodes in the arena that no statement
        // holds (each `$CPUPercent < 0.5` here but the last): the lints must not report them.
        let src = "$TargetDedicatedNodes = 1;\nx = $CPUPercent < 0.5 +;\n($CPUPercent < 0.5) = 3;\n$TargetDedicatedNodes = $CPUPercent < 0.5 ? 1 : 0;";
        let a = crate::check(src);
        let mut reached = 0;
        let mut stack: Vec<_> = a.formula.statements.iter().filter_map(|s| a.formula.statement_expr(s)).collect();
        while let Some(e) = stack.pop() {
            reached += 1;
            e.for_each_child(|c| stack.push(c));
        }
        assert!(
            a.formula.node_count() >= reached + 6,
            "{} nodes, {reached} reached",
            a.formula.node_count()
        );
        assert_agrees("broken", src);
        let cpu: Vec<_> = codes(src, Code::CpuPercentScale);
        assert_eq!(cpu.len(), 1, "{cpu:?}");
        assert_eq!(cpu[0].span.start as usize, src.rfind("0.5").unwrap());
    }

    #[test]
    fn firsts_are_those_of_a_recursive_walk() {
        // N402 at the first comparison a walk from the root meets: the outer one, although
        // the arena holds the inner one (in the untaken branch of a constant `?:`) first.
        let src = "$TargetDedicatedNodes = time().hour < (1 ? 5 : time().hour > 3) ? 1 : 0;";
        let d = codes(src, Code::UtcTimeComparison);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].span.start as usize, src.find("time().hour").unwrap());
        // W320 labels the first comparison that reads the age, and the ages come in that order.
        let src = "d = time() - time(\"2024-05-01T10:00:00Z\");\n$TargetDedicatedNodes = (d < TimeInterval_Hour) < d ? 1 : 0;";
        let d = codes(src, Code::AgeFromFixedTime);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].labels[0].span.text(src), "(d < TimeInterval_Hour) < d");
        let ages = crate::check(src).fixed_date_ages();
        let comparisons: Vec<_> = ages.iter().map(|a| (a.comparison.text(src), a.age_on_left)).collect();
        assert_eq!(
            comparisons,
            [("(d < TimeInterval_Hour) < d", false), ("d < TimeInterval_Hour", true)]
        );
        // W305 at the first look.
        let src = "$TargetDedicatedNodes = $PendingTasks.GetSample(1) + max(0, $PendingTasks.GetSample(1));";
        let d = codes(src, Code::OnlyLastSample);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].span.start, 24);
        for src in [
            "$TargetDedicatedNodes = time().hour < (1 ? 5 : time().hour > 3) ? 1 : 0;",
            "d = time() - time(\"2024-05-01T10:00:00Z\");\n$TargetDedicatedNodes = (d < TimeInterval_Hour) < d ? 1 : 0;",
        ] {
            assert_agrees("firsts", src);
        }
    }

    #[test]
    fn statement_order_decides_what_a_variable_holds() {
        let window = "avg($PendingTasks.GetSample(TimeInterval_Minute * 5))";
        for (src, unguarded) in [
            // Guarded through a variable assigned a percentage before the window's statement…
            (format!("p = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 5);\n$TargetDedicatedNodes = p < 70 ? 0 : {window};"), 0),
            // …and through one that holds a variable holding one.
            (format!("p = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 5); q = p * 2;\n$TargetDedicatedNodes = q < 70 ? 0 : {window};"), 0),
            // Not by one assigned only afterwards, nor by one that no longer holds it (the first assignment counts).
            (format!("p = 1;\n$TargetDedicatedNodes = p < 70 ? 0 : {window};\np = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 5);"), 1),
            // A guard covers both branches, not the condition; `&&` guards its right side.
            (format!("$TargetDedicatedNodes = ({window} > 1 && $PendingTasks.Count() > 0) ? 0 : 1;"), 1),
            (format!("$TargetDedicatedNodes = $PendingTasks.Count() > 0 && {window} > 1;"), 0),
            // Nested windows, each unguarded, and one inside a guarded `?:` inside an unguarded one.
            (format!("$TargetDedicatedNodes = max({window}, avg($RunningTasks.GetSample(TimeInterval_Minute * 10)));"), 2),
            (format!("$TargetDedicatedNodes = {window} > 3 ? ($PendingTasks.GetSamplePercent(TimeInterval_Minute) > 50 ? {window} : 0) : 1;"), 1),
        ] {
            assert_eq!(codes(&src, Code::UnguardedWindow).len(), unguarded, "{src}");
            assert_agrees("order", &src);
        }
        // W319 reads the bounds a variable had when the target was assigned.
        let src = "n = 5; $TargetDedicatedNodes = min(n, 0.5 * $CurrentDedicatedNodes);";
        assert!(codes(src, Code::TargetAlwaysZero).is_empty());
        let src = "n = 0.5; $TargetDedicatedNodes = min(n, $CurrentDedicatedNodes); n = 5;";
        assert_eq!(codes(src, Code::TargetAlwaysZero).len(), 1);
        // Aliases, constants, effects.
        for (src, code, count) in [
            (
                "$TargetDedicated = 2; $TargetDedicatedNodes = $TargetDedicated + 1;",
                Code::DeprecatedAlias,
                2,
            ),
            ("$TargetDedicated = 2; $TargetDedicatedNodes = 1;", Code::AliasAndCanonical, 1),
            (
                "$TargetDedicatedNodes = (TimeInterval_Minute * 2 > TimeInterval_Second) ? 1 : 2;",
                Code::ConstantCondition,
                1,
            ),
            ("$TargetDedicatedNodes = -(2 * 0.75);", Code::TargetNotWholeNumber, 1),
            ("$TargetDedicatedNodes = 1; 1 + (2 * rand());", Code::NoEffect, 0),
            ("$TargetDedicatedNodes = 1; 1 + (2 * 3);", Code::NoEffect, 1),
            (
                "$TargetDedicatedNodes = ($CPUPercent.GetSample(1) + 1) > 0.9;",
                Code::CpuPercentScale,
                1,
            ),
            ("$TargetDedicatedNodes = time().weekday == 7;", Code::WeekdaySeven, 1),
            (
                "$TargetDedicatedNodes = ($PendingTasks) + $MemoryBytes.GetSample(1);",
                Code::MetricAsNumber,
                1,
            ),
        ] {
            assert_eq!(codes(src, code).len(), count, "{src}");
            assert_agrees("table", src);
        }
    }

    /// Formulas of the names, calls and shapes the lints look at, some with syntax errors.
    fn lint_formula() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        use proptest::sample::select;
        let leaf = select(vec![
            "0",
            "1",
            "0.5",
            "7",
            "70",
            "2.5",
            "-1",
            "TimeInterval_Minute",
            "TimeInterval_Second",
            "TimeInterval_Hour",
            "$CPUPercent",
            "$PendingTasks",
            "$ActiveTasks",
            "$MemoryBytes",
            "$TargetDedicatedNodes",
            "$TargetDedicated",
            "$TargetLowPriorityNodes",
            "$CurrentDedicatedNodes",
            "$TaskSlotsPerNode",
            "retaineddata",
            "taskcompletion",
            "p",
            "q",
            "d",
            "w",
            "time()",
            "time(\"2024-05-01T10:00:00Z\")",
            "time().hour",
            "time().weekday",
            "\"text\"",
            "(time() - time(\"2024-05-01T10:00:00Z\"))",
            "TimeInterval_Minute * 5",
            "$PendingTasks.GetSample(1)",
            "$CPUPercent.GetSample(1)",
            "$PendingTasks.GetSamplePercent(TimeInterval_Minute * 5)",
            "min(0, $CurrentDedicatedNodes)",
            "$PendingTasks.GetSample(TimeInterval_Second * 30)",
        ])
        .prop_map(String::from);
        let expr = leaf.prop_recursive(4, 48, 3, |inner| {
            let op = select(vec!["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||"]);
            let function = select(vec!["min", "max", "avg", "val", "stop", "rand", "time", "foo"]);
            let metric = select(vec![
                "$CPUPercent",
                "$PendingTasks",
                "$ActiveTasks",
                "$MemoryBytes",
                "p",
                "($RunningTasks)",
            ]);
            let method = select(vec!["GetSample", "GetSamplePercent", "Count", "GetSample"]);
            let args = prop::collection::vec(inner.clone(), 0..3).prop_map(|a| a.join(", "));
            prop_oneof![
                3 => (inner.clone(), op, inner.clone()).prop_map(|(a, op, b)| format!("{a} {op} {b}")),
                1 => inner.clone().prop_map(|a| format!("({a})")),
                1 => (select(vec!["-", "!"]), inner.clone()).prop_map(|(o, a)| format!("{o}{a}")),
                2 => (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
                2 => (function, args.clone()).prop_map(|(f, a)| format!("{f}({a})")),
                3 => (metric, method, args).prop_map(|(m, f, a)| format!("{m}.{f}({a})")),
                1 => (inner, select(vec!["hour", "weekday", "minute"])).prop_map(|(o, f)| format!("({o}).{f}")),
            ]
        });
        let target = select(vec![
            "",
            "",
            "$TargetDedicatedNodes = ",
            "$TargetDedicated = ",
            "$TargetLowPriorityNodes = ",
            "p = ",
            "q = ",
            "d = ",
            "w = ",
            "$NodeDeallocationOption = ",
        ]);
        let broken = select(vec!["", "", "", "", " +", " )", " (", " ? 1"]);
        let statement = prop_oneof![
            4 => (target, expr, broken).prop_map(|(t, e, b)| format!("{t}{e}{b}")),
            1 => select(vec![
                "d = time() - time(\"2024-05-01T10:00:00Z\")",
                "w = TimeInterval_Minute * 5",
                "p = $PendingTasks.GetSamplePercent(w)",
                "$TargetDedicatedNodes = d < w ? 1 : 0",
                "$TargetDedicatedNodes = (d > TimeInterval_Hour) < (time() - time(\"2024-05-01T10:00:00Z\") <= w)",
                "$TargetDedicatedNodes = min(0.5, p)",
                "q = p < 70 ? 0 : avg($PendingTasks.GetSample(w))",
            ])
            .prop_map(String::from),
        ];
        prop::collection::vec(statement, 1..6).prop_map(|s| s.join(";\n"))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(600))]
        #[test]
        fn one_pass_agrees_with_the_walks_on_generated_formulas(src in lint_formula()) {
            let (ours, oracle) = both(&src);
            proptest::prop_assert_eq!(&ours.0, &oracle.0, "{}", src);
            proptest::prop_assert_eq!(&ours.1, &oracle.1, "{}", src);
        }
    }
}
