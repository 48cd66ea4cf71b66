//! The state of one evaluation and its run loop: runs a compiled [`Formula`]'s statements
//! (closures from `eval::code`) against an [`EvalContext`] (§7), with the sample-window,
//! random-source and target bookkeeping the closures call into.

use std::borrow::Cow;

use crate::builtins::{Deallocation, Method, Metric};
use crate::format::format_double;
use crate::limits::MAX_VECTOR_LEN;
use crate::ops::{double_op, OpError};
use crate::syntax::ast::BinaryOp;
use crate::time::{TimeInterval, Timestamp};

use super::code::Code;
use super::compile::{Destination, Formula};
use super::context::{EvalContext, MetricHistory, RandomSource, SplitMix64};
use super::run::{EvalError, EvalErrorKind, TraceEvent};
use super::value::Value;

/// The sample period the service uses to count expected samples (D22).
pub const SAMPLE_PERIOD: TimeInterval = TimeInterval(30 * crate::time::TICKS_PER_SECOND);

/// Default percentage a window must reach when none is given (D23).
pub const DEFAULT_SAMPLE_PERCENT: f64 = 70.0;

/// Why evaluation left the normal path. Boxed so that `Result<Value, Flow>` stays small on
/// the hot path.
pub(crate) enum Flow {
    Stop,
    Error(Box<EvalError>),
}

impl From<EvalError> for Flow {
    fn from(e: EvalError) -> Flow {
        Flow::Error(Box::new(e))
    }
}

pub(crate) type R<T> = Result<T, Flow>;

#[cold]
#[inline(never)]
pub(crate) fn type_error(pos: u32, message: String) -> Flow {
    Flow::Error(Box::new(EvalError {
        kind: EvalErrorKind::Evaluation,
        pos,
        message,
    }))
}

const INLINE_SLOTS: usize = 8;

/// Run `f` with the storage of `n` user variables, all unassigned: on the stack for the usual
/// handful, so an evaluation allocates nothing; on the heap for formulas with many variables.
/// Only the `n` slots are handed out, and only they are emptied afterwards: the rest stay
/// `None`, which owns nothing, so the inline array itself needs no drop.
#[inline(always)]
pub(crate) fn with_vars<'a, T>(n: usize, f: impl FnOnce(&mut [Option<Value<'a>>]) -> T) -> T {
    if n > INLINE_SLOTS {
        return f(&mut vec![None; n]);
    }
    let mut inline: [Option<Value<'a>>; INLINE_SLOTS] = [const { None }; INLINE_SLOTS];
    let result = f(&mut inline[..n]);
    for slot in &mut inline[..n] {
        *slot = None;
    }
    // Every slot is `None` now: nothing to drop.
    std::mem::forget(inline);
    result
}

/// One target during an evaluation. A read sees the latest write through either name (D51);
/// the value applied at the end is the canonical name's last assignment when there is one,
/// else the alias's (D15). Any value may be stored; only the final one must be a double (D42).
pub(crate) struct TargetState<'a> {
    /// The latest value written through either name (the initial pool target before any).
    pub current: Value<'a>,
    /// Byte offset of the value of the latest write.
    pub current_pos: u32,
    /// Whether the canonical name has been assigned.
    canonical_written: bool,
    /// The canonical name's last value, kept aside when an alias wrote after it.
    pub canonical_saved: Option<(Value<'a>, u32)>,
}

impl<'a> TargetState<'a> {
    fn new(initial: f64) -> TargetState<'a> {
        TargetState {
            current: Value::Double(initial),
            current_pos: 0,
            canonical_written: false,
            canonical_saved: None,
        }
    }

    /// A write through the canonical name (`alias == false`) or the legacy alias.
    #[inline]
    fn assign(&mut self, value: Value<'a>, pos: u32, alias: bool) {
        if alias {
            if self.canonical_written && self.canonical_saved.is_none() {
                let previous = std::mem::replace(&mut self.current, Value::None);
                self.canonical_saved = Some((previous, self.current_pos));
            }
        } else {
            self.canonical_written = true;
            self.canonical_saved = None;
        }
        self.current = value;
        self.current_pos = pos;
    }

    /// The value the evaluation applies and the position of its assignment (D15).
    pub fn final_value(&self) -> (&Value<'a>, u32) {
        match &self.canonical_saved {
            Some((v, pos)) => (v, *pos),
            None => (&self.current, self.current_pos),
        }
    }

    /// A read of the target as a double (D51).
    #[inline]
    pub fn read_double(&self) -> R<f64> {
        match &self.current {
            Value::Double(x) => Ok(*x),
            other => Err(not_a_double(other)),
        }
    }
}

/// The mutable state of one evaluation.
pub(crate) struct Machine<'a, 'v> {
    pub ctx: &'a EvalContext<'a>,
    /// The formula's string literals.
    pub strings: &'a [Box<str>],
    /// The user variables, by slot (storage the caller owns, [`with_vars`]).
    pub vars: &'v mut [Option<Value<'a>>],
    /// The two targets, indexed by [`crate::builtins::Target`] (D15, D42, D51).
    pub targets: [TargetState<'a>; 2],
    pub deallocation: Deallocation,
    random_index: usize,
    random_state: SplitMix64,
    visible_cutoff: i64,
    /// Visible sample count per metric, computed on first use in this evaluation.
    visible: [u32; Metric::ALL.len()],
    /// The last window looked up: (metric, older, younger, start, end, percent). Formulas ask
    /// for the same window twice (`GetSamplePercent(w)` guarding `GetSample(w)`).
    last_window: Option<(Metric, i64, i64, usize, usize, f64)>,
    pub trace: Option<Vec<TraceEvent>>,
}

impl<'a, 'v> Machine<'a, 'v> {
    #[inline(always)]
    pub fn new(formula: &'a Formula, ctx: &'a EvalContext<'a>, vars: &'v mut [Option<Value<'a>>], trace: bool) -> Machine<'a, 'v> {
        let seed = match ctx.random {
            RandomSource::Seeded(s) => s,
            RandomSource::Sequence(_) => 0,
        };
        Machine {
            ctx,
            strings: &formula.strings,
            vars,
            targets: [
                TargetState::new(ctx.pool.target_dedicated_nodes),
                TargetState::new(ctx.pool.target_low_priority_nodes),
            ],
            deallocation: Deallocation::Requeue,
            random_index: 0,
            random_state: SplitMix64::from_state(seed),
            visible_cutoff: ctx.now.0.saturating_sub(ctx.publication_delay.0),
            visible: [u32::MAX; Metric::ALL.len()],
            last_window: None,
            trace: if trace { Some(Vec::new()) } else { None },
        }
    }

    /// Run every statement. `Ok(())` also when `stop()` ended the run.
    pub fn run(&mut self, formula: &'a Formula) -> Result<(), EvalError> {
        if self.trace.is_none() {
            return self.run_untraced(formula);
        }
        for (index, statement) in formula.statements.iter().enumerate() {
            let value = match &statement.code {
                Code::Num(f) => f(self).map(Value::Double),
                Code::Value(f) => f(self),
            };
            let value = match value {
                Ok(v) => v,
                Err(Flow::Stop) => {
                    if let Some(t) = &mut self.trace {
                        t.push(TraceEvent::Stop { statement: index });
                    }
                    return Ok(());
                }
                Err(Flow::Error(e)) => return Err(*e),
            };
            if let Some(t) = &mut self.trace {
                t.push(TraceEvent::Statement {
                    statement: index,
                    span: statement.span,
                    value: value.to_results_string(),
                });
            }
            self.store(statement, value)?;
        }
        Ok(())
    }

    /// [`Machine::run`] without a trace: a double is stored without building a value first
    /// where it can be.
    fn run_untraced(&mut self, formula: &'a Formula) -> Result<(), EvalError> {
        for statement in formula.statements.iter() {
            if let Destination::Keyword(k) = statement.destination {
                self.deallocation = k;
                continue;
            }
            let value = match &statement.code {
                Code::Num(f) => match f(self) {
                    Ok(x) => match statement.destination {
                        Destination::Var(slot) => {
                            self.vars[slot] = Some(Value::Double(x));
                            continue;
                        }
                        Destination::Target(target, alias) => {
                            self.targets[target as usize].assign(Value::Double(x), statement.value_pos, alias);
                            continue;
                        }
                        _ => Value::Double(x),
                    },
                    Err(Flow::Stop) => return Ok(()),
                    Err(Flow::Error(e)) => return Err(*e),
                },
                Code::Value(f) => match f(self) {
                    Ok(v) => v,
                    Err(Flow::Stop) => return Ok(()),
                    Err(Flow::Error(e)) => return Err(*e),
                },
            };
            self.store(statement, value)?;
        }
        Ok(())
    }

    /// Put a statement's value where it goes.
    #[inline]
    fn store(&mut self, statement: &super::compile::CompiledStatement, value: Value<'a>) -> Result<(), EvalError> {
        match statement.destination {
            Destination::Discard => {}
            Destination::Var(slot) => self.vars[slot] = Some(value),
            Destination::Target(target, alias) => self.targets[target as usize].assign(value, statement.value_pos, alias),
            Destination::Deallocation | Destination::Keyword(_) => match value {
                Value::Keyword(k) => self.deallocation = k,
                other => {
                    return Err(EvalError {
                        kind: EvalErrorKind::Evaluation,
                        pos: statement.value_pos,
                        message: format!(
                            "$NodeDeallocationOption must be a deallocation keyword, not a {}",
                            other.type_of().name()
                        ),
                    })
                }
            },
        }
        Ok(())
    }

    /// Number of samples of `metric` visible at this evaluation (D22), cached.
    #[inline]
    pub(super) fn visible(&mut self, metric: Metric) -> usize {
        let slot = &mut self.visible[metric as usize];
        if *slot == u32::MAX {
            let history = self.ctx.metrics.history(metric);
            *slot = history.visible_count(self.visible_cutoff).min(u32::MAX as usize - 1) as u32;
        }
        *slot as usize
    }

    pub(super) fn next_random(&mut self, pos: u32) -> R<f64> {
        match &self.ctx.random {
            RandomSource::Sequence(values) => {
                let v = values.get(self.random_index).copied().ok_or_else(|| {
                    type_error(
                        pos,
                        format!("rand() was called more often than the context's {} random value(s)", values.len()),
                    )
                })?;
                self.random_index += 1;
                Ok(v)
            }
            RandomSource::Seeded(_) => Ok(self.random_state.uniform()),
        }
    }

    fn bound(&self, v: SampleArg, pos: u32) -> R<i64> {
        match v {
            SampleArg::Interval(i) => self
                .ctx
                .now
                .checked_add(TimeInterval(i.0.checked_neg().unwrap_or(i64::MAX)))
                .map(|t| t.0)
                .ok_or_else(|| type_error(pos, "the window reaches outside the representable time range".into())),
            SampleArg::Timestamp(t) => Ok(t.0),
            other => Err(type_error(
                pos,
                format!(
                    "a window bound must be a timestamp or a timeinterval, not a {}",
                    other.type_of().name()
                ),
            )),
        }
    }

    /// `GetSample` and `GetSamplePercent` with evaluated arguments (§6, D21–D23).
    pub(super) fn sample(&mut self, metric: Metric, method: Method, values: [SampleArg; 3], n: usize, pos: u32) -> R<Sampled<'a>> {
        // The count form.
        if method == Method::GetSample && n == 1 {
            if let SampleArg::Double(count) = values[0] {
                return Ok(Sampled::Values(self.last_samples(metric, requested_count(count), pos)?));
            }
        }
        // The window forms.
        let [a, b, c] = values;
        let start = self.bound(a, pos)?;
        let (end, required) = match (method, n, b, c) {
            (_, 1, _, _) => (self.ctx.now.0, DEFAULT_SAMPLE_PERCENT),
            (Method::GetSample, 2, SampleArg::Double(p), _) => (self.ctx.now.0, p),
            (_, 2, end, _) => (self.bound(end, pos)?, DEFAULT_SAMPLE_PERCENT),
            (_, _, end, SampleArg::Double(p)) => (self.bound(end, pos)?, p),
            (_, _, _, other) => {
                return Err(type_error(
                    pos,
                    format!("the sample percentage must be a double, not a {}", other.type_of().name()),
                ))
            }
        };
        self.window(metric, method, start, end, required, pos)
    }

    /// `GetSample(count)`: the last `count` visible samples (D21).
    pub(super) fn last_samples(&mut self, metric: Metric, requested: usize, pos: u32) -> R<&'a [f64]> {
        let visible = self.visible(metric);
        let count = requested.min(visible);
        if count > MAX_VECTOR_LEN {
            return Err(vector_too_long(pos, count));
        }
        if let Some(t) = &mut self.trace {
            t.push(TraceEvent::Samples {
                pos,
                metric,
                returned: count,
                requested: Some(requested),
                expected: None,
                percent: None,
            });
        }
        Ok(&self.ctx.metrics.history(metric).values()[visible - count..visible])
    }

    /// `GetSample(interval)` and `GetSamplePercent(interval)`: the window that ends now,
    /// needing `required` percent (D22, D23).
    #[inline]
    pub(super) fn window_back(&mut self, metric: Metric, method: Method, back: TimeInterval, required: f64, pos: u32) -> R<Sampled<'a>> {
        let start = self.bound(SampleArg::Interval(back), pos)?;
        self.window(metric, method, start, self.ctx.now.0, required, pos)
    }

    /// `GetSamplePercent(interval)`: the percentage of the window that ends now (D23).
    #[inline]
    pub(super) fn percent_back(&mut self, metric: Metric, back: TimeInterval, pos: u32) -> R<f64> {
        let start = self.bound(SampleArg::Interval(back), pos)?;
        Ok(self.window_lookup(metric, start, self.ctx.now.0, pos).1)
    }

    /// `GetSample(interval)`: the samples of the window that ends now, 70 % required (D22).
    #[inline]
    pub(super) fn values_back(&mut self, metric: Metric, back: TimeInterval, pos: u32) -> R<&'a [f64]> {
        let start = self.bound(SampleArg::Interval(back), pos)?;
        self.window_values(metric, start, self.ctx.now.0, DEFAULT_SAMPLE_PERCENT, pos)
    }

    /// The window between two bounds, in either order (D22), and its percentage (D23).
    fn window(&mut self, metric: Metric, method: Method, start: i64, end: i64, required: f64, pos: u32) -> R<Sampled<'a>> {
        if method == Method::GetSamplePercent {
            return Ok(Sampled::Percent(self.window_lookup(metric, start, end, pos).1));
        }
        self.window_values(metric, start, end, required, pos).map(Sampled::Values)
    }

    /// The samples of the window between two bounds, which must reach `required` percent.
    #[inline]
    fn window_values(&mut self, metric: Metric, start: i64, end: i64, required: f64, pos: u32) -> R<&'a [f64]> {
        let (range, percent) = self.window_lookup(metric, start, end, pos);
        if percent < required {
            return Err(insufficient(metric, required, percent, pos));
        }
        if range.len() > MAX_VECTOR_LEN {
            return Err(vector_too_long(pos, range.len()));
        }
        let history: &'a MetricHistory = self.ctx.metrics.history(metric);
        Ok(&history.values()[range])
    }

    /// The index range of the window between two bounds (either order) and the percentage
    /// of its expected samples present; traced.
    #[inline]
    fn window_lookup(&mut self, metric: Metric, start: i64, end: i64, pos: u32) -> (std::ops::Range<usize>, f64) {
        let (older, younger) = if start <= end { (start, end) } else { (end, start) };
        let (range, percent) = match self.last_window {
            Some((m, o, y, start, end, percent)) if (m, o, y) == (metric, older, younger) => (start..end, percent),
            _ => {
                let visible = self.visible(metric);
                let range = self.ctx.metrics.history(metric).window(older, younger, visible);
                let percent = (range.len() as f64 / expected_samples(older, younger) as f64 * 100.0).min(100.0);
                self.last_window = Some((metric, older, younger, range.start, range.end, percent));
                (range, percent)
            }
        };
        if let Some(t) = &mut self.trace {
            let (available, expected) = (range.len(), expected_samples(older, younger));
            t.push(TraceEvent::Samples {
                pos,
                metric,
                returned: available,
                requested: None,
                expected: Some(expected),
                percent: Some(percent),
            });
        }
        (range, percent)
    }

    /// A variable known to hold a double (a [`super::compile::Node::NumVar`] read).
    #[inline(always)]
    pub(super) fn num_var(&self, slot: usize) -> R<f64> {
        match self.vars.get(slot) {
            Some(Some(Value::Double(x))) => Ok(*x),
            Some(Some(other)) => Err(not_a_double(other)),
            _ => Err(unassigned()),
        }
    }

    /// A metric used as a number: its latest visible sample (D11).
    pub(super) fn latest_sample(&mut self, metric: Metric, pos: u32) -> R<f64> {
        let visible = self.visible(metric);
        if visible == 0 {
            return Err(Flow::from(EvalError {
                kind: EvalErrorKind::InsufficientSampleData,
                pos,
                message: format!("Insufficient data from data set: {} wanted 1 sample, received 0", metric.name()),
            }));
        }
        Ok(self.ctx.metrics.history(metric).values()[visible - 1])
    }

    /// `HistoryBeginTime()`: the time of the oldest sample (D24).
    pub(super) fn history_begin(&mut self, metric: Metric, pos: u32) -> R<Timestamp> {
        if self.visible(metric) == 0 {
            return Err(type_error(
                pos,
                format!("{} has no samples, so it has no history begin time", metric.name()),
            ));
        }
        Ok(Timestamp(self.ctx.metrics.history(metric).time(0)))
    }
}

/// How many samples a full window between two bounds holds (D22, D23).
#[inline(always)]
fn expected_samples(older: i64, younger: i64) -> usize {
    ((younger - older) / SAMPLE_PERIOD.0).max(1) as usize
}

/// The number of samples `GetSample(count)` asks for (D41): the count truncated toward zero;
/// none for a count below 1 or NaN; every visible sample for `+Infinity` (`as` truncates and
/// saturates at `usize::MAX`).
pub(crate) fn requested_count(count: f64) -> usize {
    if count >= 1.0 {
        count as usize
    } else {
        0
    }
}

/// An operation would build a doubleVec longer than [`MAX_VECTOR_LEN`] (D52).
#[cold]
#[inline(never)]
pub(crate) fn vector_too_long(pos: u32, len: usize) -> Flow {
    type_error(
        pos,
        format!("this would build a doubleVec of {len} elements or more; a doubleVec holds at most 2,097,152 (D52)"),
    )
}

/// What a sample method read.
pub(crate) enum Sampled<'a> {
    /// `GetSamplePercent`: the percentage of the window's expected samples present.
    Percent(f64),
    /// `GetSample`: the samples, oldest first (D21).
    Values(&'a [f64]),
}

pub(crate) fn binary<'a>(op: BinaryOp, a: Value<'a>, b: Value<'a>, pos: u32) -> R<Value<'a>> {
    use BinaryOp::*;
    // The common case first: two doubles.
    if let (Value::Double(x), Value::Double(y)) = (&a, &b) {
        if matches!(op, And | Or) {
            return Err(type_error(pos, "`&&` and `||` are evaluated elsewhere".into()));
        }
        return Ok(Value::Double(double_op(op, *x, *y)));
    }
    // Vectors element-wise, with the one definition of each operator on doubles.
    let arith = |x: f64, y: f64| double_op(op, x, y);
    match (op, &a, &b) {
        (Add | Sub | Mul | Div, Value::Vec(v), Value::Double(y)) => {
            return Ok(Value::Vec(Cow::Owned(v.iter().map(|&x| arith(x, *y)).collect())))
        }
        (Add | Sub | Mul | Div, Value::Vec(v), Value::Vec(w)) => {
            if v.len() != w.len() {
                return Err(type_error(
                    pos,
                    format!("`{}` on vectors of different lengths ({} and {})", op.symbol(), v.len(), w.len()),
                ));
            }
            return Ok(Value::Vec(Cow::Owned(v.iter().zip(w.iter()).map(|(&x, &y)| arith(x, y)).collect())));
        }
        _ => {}
    }
    // Everything else: the one definition of each operator on scalars.
    match (a.as_scalar(), b.as_scalar()) {
        (Some(x), Some(y)) => match crate::ops::binary(op, x, y) {
            Ok(v) => Ok(v.into()),
            Err(OpError::Overflow) => Err(type_error(pos, "time arithmetic overflow".to_string())),
            Err(OpError::Undefined) => Err(mismatch(op, &a, &b, pos)),
        },
        _ => Err(mismatch(op, &a, &b, pos)),
    }
}

/// An evaluated argument of a sample method: only its kind and scalar value matter, so it
/// is `Copy` and needs no drop.
#[derive(Debug, Clone, Copy)]
pub(crate) enum SampleArg {
    Double(f64),
    Interval(TimeInterval),
    Timestamp(Timestamp),
    /// A value of another type (an error where it is used).
    Other(crate::types::Type),
    /// Fewer arguments than slots.
    Absent,
}

impl SampleArg {
    fn type_of(self) -> crate::types::Type {
        match self {
            SampleArg::Double(_) => crate::types::Type::Double,
            SampleArg::Interval(_) => crate::types::Type::TimeInterval,
            SampleArg::Timestamp(_) => crate::types::Type::Timestamp,
            SampleArg::Other(t) => t,
            SampleArg::Absent => crate::types::Type::None,
        }
    }
}

impl From<Value<'_>> for SampleArg {
    fn from(v: Value<'_>) -> SampleArg {
        match v {
            Value::Double(x) => SampleArg::Double(x),
            Value::Interval(i) => SampleArg::Interval(i),
            Value::Timestamp(t) => SampleArg::Timestamp(t),
            other => SampleArg::Other(other.type_of()),
        }
    }
}

/// A variable read before any statement assigned it (the checker rejects such formulas).
#[cold]
#[inline(never)]
pub(crate) fn unassigned() -> Flow {
    type_error(0, "a variable was read before it was assigned".into())
}

/// A double-typed node gave something else: the compiler's shape analysis is wrong. Never
/// expected; reported as an evaluation error rather than a panic.
#[cold]
#[inline(never)]
pub(crate) fn not_a_double(v: &Value<'_>) -> Flow {
    type_error(0, format!("internal error: expected a double, got a {}", v.type_of().name()))
}

/// A window with fewer samples than required (D23).
#[cold]
#[inline(never)]
fn insufficient(metric: Metric, required: f64, percent: f64, pos: u32) -> Flow {
    Flow::from(EvalError {
        kind: EvalErrorKind::InsufficientSampleData,
        pos,
        message: format!(
            "Insufficient data from data set: {} wanted {}%, received {}%",
            metric.name(),
            format_double(required),
            format_double(percent)
        ),
    })
}

#[cold]
#[inline(never)]
fn mismatch(op: BinaryOp, a: &Value<'_>, b: &Value<'_>, pos: u32) -> Flow {
    let (ta, tb) = (a.type_of(), b.type_of());
    let mut message = format!("`{}` is not defined for {} {} {}", op.symbol(), ta.name(), op.symbol(), tb.name());
    if let Some(hint) = crate::types::binary_hint(op, ta, tb) {
        message.push_str("; ");
        message.push_str(hint);
    }
    type_error(pos, message)
}
