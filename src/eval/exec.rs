//! The interpreter: runs a compiled [`Formula`] against an [`EvalContext`] (§7).

use std::borrow::Cow;

use crate::builtins::{Deallocation, Function, Method, Metric, PoolScalar, Target, TimestampField};
use crate::format::format_double;
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::time::{parse_time_literal, TimeInterval, Timestamp};

use super::compile::{Destination, Formula, Node, SampleArgs};
use super::context::{EvalContext, MetricHistory, RandomSource};
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

type R<T> = Result<T, Flow>;

#[cold]
#[inline(never)]
fn type_error(pos: u32, message: String) -> Flow {
    Flow::Error(Box::new(EvalError {
        kind: EvalErrorKind::Evaluation,
        pos,
        message,
    }))
}

/// Storage of user variables: inline for the usual handful, so an evaluation allocates
/// nothing; on the heap for formulas with many variables.
pub(crate) enum Slots<'a> {
    Inline([Option<Value<'a>>; INLINE_SLOTS]),
    Heap(Vec<Option<Value<'a>>>),
}

const INLINE_SLOTS: usize = 8;

impl<'a> Slots<'a> {
    fn new(n: usize) -> Slots<'a> {
        if n <= INLINE_SLOTS {
            Slots::Inline([const { None }; INLINE_SLOTS])
        } else {
            Slots::Heap(vec![None; n])
        }
    }

    /// The slots as a slice.
    pub fn as_slice(&self) -> &[Option<Value<'a>>] {
        match self {
            Slots::Inline(a) => a,
            Slots::Heap(v) => v,
        }
    }

    fn as_mut_slice(&mut self) -> &mut [Option<Value<'a>>] {
        match self {
            Slots::Inline(a) => a,
            Slots::Heap(v) => v,
        }
    }
}

/// The mutable state of one evaluation.
pub(crate) struct Machine<'a> {
    pub ctx: &'a EvalContext<'a>,
    pub vars: Slots<'a>,
    pub dedicated: f64,
    pub low_priority: f64,
    /// Value positions of the last assignment of each target (for apply errors).
    pub dedicated_pos: u32,
    pub low_priority_pos: u32,
    /// Targets assigned under their canonical names (D15).
    pub canonical_dedicated: bool,
    pub canonical_low_priority: bool,
    /// Whether the target holds something other than a double (a run-time type, D14).
    pub dedicated_bad: Option<&'static str>,
    pub low_priority_bad: Option<&'static str>,
    pub deallocation: Deallocation,
    random_index: usize,
    random_state: u64,
    visible_cutoff: i64,
    /// Visible sample count per metric, computed on first use in this evaluation.
    visible: [u32; Metric::ALL.len()],
    /// The last window looked up: (metric, older, younger, start, end). Formulas ask for the
    /// same window twice (`GetSamplePercent(w)` guarding `GetSample(w)`).
    last_window: Option<(Metric, i64, i64, usize, usize)>,
    pub trace: Option<Vec<TraceEvent>>,
}

impl<'a> Machine<'a> {
    pub fn new(formula: &Formula, ctx: &'a EvalContext<'a>, trace: bool) -> Machine<'a> {
        let seed = match ctx.random {
            RandomSource::Seeded(s) => s,
            RandomSource::Sequence(_) => 0,
        };
        Machine {
            ctx,
            vars: Slots::new(formula.names.len()),
            dedicated: ctx.pool.target_dedicated_nodes,
            low_priority: ctx.pool.target_low_priority_nodes,
            dedicated_pos: 0,
            low_priority_pos: 0,
            canonical_dedicated: false,
            canonical_low_priority: false,
            dedicated_bad: None,
            low_priority_bad: None,
            deallocation: Deallocation::Requeue,
            random_index: 0,
            random_state: seed,
            visible_cutoff: ctx.now.0.saturating_sub(ctx.publication_delay.0),
            visible: [u32::MAX; Metric::ALL.len()],
            last_window: None,
            trace: if trace { Some(Vec::new()) } else { None },
        }
    }

    /// Run every statement. `Ok(())` also when `stop()` ended the run.
    pub fn run(&mut self, formula: &'a Formula) -> Result<(), EvalError> {
        for (index, statement) in formula.statements.iter().enumerate() {
            let value = match self.eval(&statement.node) {
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
            match statement.destination {
                Destination::Discard => {}
                Destination::Var(slot) => self.vars.as_mut_slice()[slot] = Some(value),
                Destination::Target(target, alias) => {
                    let (slot, pos, canonical, bad) = match target {
                        Target::Dedicated => (
                            &mut self.dedicated,
                            &mut self.dedicated_pos,
                            &mut self.canonical_dedicated,
                            &mut self.dedicated_bad,
                        ),
                        Target::LowPriority => (
                            &mut self.low_priority,
                            &mut self.low_priority_pos,
                            &mut self.canonical_low_priority,
                            &mut self.low_priority_bad,
                        ),
                    };
                    if alias && *canonical {
                        continue; // D15: the canonical name's assignment wins.
                    }
                    if !alias {
                        *canonical = true;
                    }
                    *pos = statement.value_pos;
                    match value {
                        Value::Double(x) => {
                            *slot = x;
                            *bad = None;
                        }
                        other => *bad = Some(other.type_of().name()),
                    }
                }
                Destination::Deallocation => match value {
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
        }
        Ok(())
    }

    /// Number of samples of `metric` visible at this evaluation (D22), cached.
    fn visible(&mut self, metric: Metric, history: &MetricHistory) -> usize {
        let slot = &mut self.visible[metric as usize];
        if *slot == u32::MAX {
            *slot = history.visible_count(self.visible_cutoff).min(u32::MAX as usize - 1) as u32;
        }
        *slot as usize
    }

    fn next_random(&mut self, pos: u32) -> R<f64> {
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
            RandomSource::Seeded(_) => {
                // SplitMix64.
                self.random_state = self.random_state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = self.random_state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                Ok((z >> 11) as f64 * (1.0 / (1u64 << 53) as f64))
            }
        }
    }

    fn eval(&mut self, node: &'a Node) -> R<Value<'a>> {
        Ok(match node {
            Node::Number(x) => Value::Double(*x),
            Node::Str(s) => Value::Str(s),
            Node::Interval(i) => Value::Interval(*i),
            Node::Keyword(k) => Value::Keyword(*k),
            Node::Var(slot) | Node::NumVar(slot) => match &self.vars.as_slice()[*slot] {
                Some(v) => v.clone(),
                None => return Err(unassigned()),
            },
            Node::Arith(..) | Node::NumCond(..) => Value::Double(self.eval_num(node)?),
            Node::Target(Target::Dedicated) => Value::Double(self.dedicated),
            Node::Target(Target::LowPriority) => Value::Double(self.low_priority),
            Node::Deallocation => Value::Keyword(self.deallocation),
            Node::Scalar(s) => Value::Double(match s {
                PoolScalar::CurrentDedicatedNodes => self.ctx.pool.current_dedicated_nodes,
                PoolScalar::CurrentLowPriorityNodes => self.ctx.pool.current_low_priority_nodes,
                PoolScalar::TaskSlotsPerNode => self.ctx.pool.task_slots_per_node,
                PoolScalar::UsableNodeCount => self.ctx.pool.usable_node_count,
            }),
            Node::MetricValue(metric, pos) => {
                let history = self.ctx.metrics.history(*metric);
                let visible = self.visible(*metric, history);
                if visible == 0 {
                    return Err(Flow::from(EvalError {
                        kind: EvalErrorKind::InsufficientSampleData,
                        pos: *pos,
                        message: format!("Insufficient data from data set: {} wanted 1 sample, received 0", metric.name()),
                    }));
                }
                Value::Double(history.values()[visible - 1])
            }
            Node::Unary(op, operand, pos) => {
                let v = self.eval(operand)?;
                match (op, v) {
                    (UnaryOp::Neg, Value::Double(x)) => Value::Double(-x),
                    (UnaryOp::Not, Value::Double(x)) => Value::Double(f64::from(x == 0.0)),
                    (UnaryOp::Neg, Value::Interval(i)) => {
                        Value::Interval(i.checked_neg().ok_or_else(|| type_error(*pos, "time interval overflow".into()))?)
                    }
                    (op, v) => {
                        return Err(type_error(
                            *pos,
                            format!("`{}` is not defined for a {}", op.symbol(), v.type_of().name()),
                        ))
                    }
                }
            }
            Node::And(l, r, pos) => {
                let a = self.condition(l, *pos, "&&")?;
                if !a {
                    Value::Double(0.0)
                } else {
                    Value::Double(f64::from(self.condition(r, *pos, "&&")?))
                }
            }
            Node::Or(l, r, pos) => {
                let a = self.condition(l, *pos, "||")?;
                if a {
                    Value::Double(1.0)
                } else {
                    Value::Double(f64::from(self.condition(r, *pos, "||")?))
                }
            }
            Node::Cond(c, a, b, pos) => {
                if self.branch(c, *pos)? {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Node::Binary(op, l, r, pos) => {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                binary(*op, a, b, *pos)?
            }
            Node::Call(f, args, pos) => self.call(*f, args, *pos)?,
            Node::Field(field, object, pos) => match self.eval(object)? {
                Value::Timestamp(t) => {
                    let c = t.fields();
                    Value::Double(match field {
                        TimestampField::Year => c.year as f64,
                        TimestampField::Month => c.month as f64,
                        TimestampField::Day => c.day as f64,
                        TimestampField::Weekday => c.weekday as f64,
                        TimestampField::Hour => c.hour as f64,
                        TimestampField::Minute => c.minute as f64,
                        TimestampField::Second => c.second as f64,
                    })
                }
                v => {
                    return Err(type_error(
                        *pos,
                        format!("only timestamps have fields; this is a {}", v.type_of().name()),
                    ))
                }
            },
            Node::Sample(metric, method, args, pos) => self.sample(*metric, *method, args, *pos)?,
        })
    }

    /// [`Machine::eval_num`] with the leaves (numbers, variables, targets) answered in place,
    /// so most operands cost no call.
    #[inline(always)]
    fn num(&mut self, node: &'a Node) -> R<f64> {
        match node {
            Node::Number(x) => Ok(*x),
            Node::NumVar(slot) => match &self.vars.as_slice()[*slot] {
                Some(Value::Double(x)) => Ok(*x),
                _ => self.eval_num(node),
            },
            _ => self.eval_num(node),
        }
    }

    /// Evaluate a node that [`Node::is_num`] says gives a double, without building a
    /// [`Value`] where the node's shape allows it.
    fn eval_num(&mut self, node: &'a Node) -> R<f64> {
        match node {
            Node::Number(x) => Ok(*x),
            Node::NumVar(slot) => match &self.vars.as_slice()[*slot] {
                Some(Value::Double(x)) => Ok(*x),
                Some(other) => Err(not_a_double(other)),
                None => Err(unassigned()),
            },
            Node::Target(Target::Dedicated) => Ok(self.dedicated),
            Node::Target(Target::LowPriority) => Ok(self.low_priority),
            Node::Arith(op, l, r) => {
                let x = self.num(l)?;
                let y = self.num(r)?;
                Ok(double_op(*op, x, y))
            }
            Node::NumCond(c, a, b, pos) => {
                if self.branch(c, *pos)? {
                    self.num(a)
                } else {
                    self.num(b)
                }
            }
            Node::Call(f, args, pos) if is_aggregate(*f) => self.aggregate(*f, args, *pos),
            _ => self.eval_num_generic(node),
        }
    }

    /// The rest of [`Machine::eval_num`], out of line so the common shapes stay cheap.
    #[inline(never)]
    fn eval_num_generic(&mut self, node: &'a Node) -> R<f64> {
        match self.eval(node)? {
            Value::Double(x) => Ok(x),
            other => Err(not_a_double(&other)),
        }
    }

    /// The condition of a `?:`: which branch to take (traced).
    fn branch(&mut self, condition: &'a Node, pos: u32) -> R<bool> {
        let taken = self.condition(condition, pos, "?:")?;
        if let Some(t) = &mut self.trace {
            t.push(TraceEvent::Branch { pos, taken_then: taken });
        }
        Ok(taken)
    }

    fn condition(&mut self, node: &'a Node, pos: u32, what: &str) -> R<bool> {
        if node.is_num() {
            return Ok(self.num(node)? != 0.0); // D36: NaN is true.
        }
        match self.eval(node)? {
            Value::Double(x) => Ok(x != 0.0), // D36: NaN is true.
            v => Err(type_error(
                pos,
                format!("`{what}` needs a double condition, not a {}", v.type_of().name()),
            )),
        }
    }

    #[inline(never)]
    fn call(&mut self, f: Function, args: &'a [Node], pos: u32) -> R<Value<'a>> {
        match f {
            Function::Stop => Err(Flow::Stop),
            Function::Rand => Ok(Value::Double(self.next_random(pos)?)),
            Function::Time => match args.first() {
                None => Ok(Value::Timestamp(self.ctx.now)),
                Some(arg) => match self.eval(arg)? {
                    Value::Str("") => Ok(Value::Timestamp(self.ctx.now)),
                    Value::Str(s) => parse_time_literal(s)
                        .map(Value::Timestamp)
                        .map_err(|e| type_error(pos, format!("time() cannot read {s:?}: {e}"))),
                    v => Err(type_error(pos, format!("time() takes a string, not a {}", v.type_of().name()))),
                },
            },
            Function::Val | Function::Percentile => {
                let v = self.eval(&args[0])?;
                let x = match self.eval(&args[1])? {
                    Value::Double(x) => x,
                    other => {
                        return Err(type_error(
                            pos,
                            format!("the second argument must be a double, not a {}", other.type_of().name()),
                        ))
                    }
                };
                let v = match v {
                    Value::Vec(v) => v,
                    other => {
                        return Err(type_error(
                            pos,
                            format!("the first argument must be a doubleVec, not a {}", other.type_of().name()),
                        ))
                    }
                };
                if f == Function::Val {
                    // D19: truncate; out of range → 0.
                    let i = x.trunc();
                    let value = if i >= 0.0 && (i as usize) < v.len() && i.is_finite() {
                        v[i as usize]
                    } else {
                        0.0
                    };
                    return Ok(Value::Double(value));
                }
                percentile(&v, x).map(Value::Double).map_err(|m| type_error(pos, m))
            }
            Function::Lg | Function::Ln | Function::Log | Function::Ceil | Function::Floor | Function::Round => {
                let op: fn(f64) -> f64 = match f {
                    Function::Lg => f64::log2,
                    Function::Ln => f64::ln,
                    Function::Log => f64::log10,
                    Function::Ceil => f64::ceil,
                    Function::Floor => f64::floor,
                    _ => f64::round,
                };
                if args.len() == 1 {
                    match self.eval(&args[0])? {
                        Value::Double(x) => return Ok(Value::Double(op(x))),
                        Value::Vec(v) => return Ok(Value::Vec(Cow::Owned(v.iter().map(|&x| op(x)).collect()))),
                        other => {
                            return Err(type_error(
                                pos,
                                format!(
                                    "{} takes doubles and doubleVecs, not a {}",
                                    crate::builtins::function_info(f).name,
                                    other.type_of().name()
                                ),
                            ))
                        }
                    }
                }
                let mut out = Vec::new();
                self.flatten(f, args, pos, |x| out.push(op(x)))?;
                Ok(Value::Vec(Cow::Owned(out)))
            }
            Function::Std => {
                let mut values = Vec::new();
                self.flatten(f, args, pos, |x| values.push(x))?;
                if values.len() < 2 {
                    return Err(type_error(
                        pos,
                        format!("std needs at least two values (sample standard deviation), got {}", values.len()),
                    ));
                }
                let n = values.len() as f64;
                let mut sum = 0.0;
                for &x in &values {
                    sum += x;
                }
                let mean = sum / n;
                let mut squares = 0.0;
                for &x in &values {
                    squares += (x - mean) * (x - mean);
                }
                Ok(Value::Double((squares / (n - 1.0)).sqrt()))
            }
            Function::Avg | Function::Len | Function::Max | Function::Min | Function::Norm | Function::Range | Function::Sum => {
                Ok(Value::Double(self.aggregate(f, args, pos)?))
            }
        }
    }

    /// `avg`, `len`, `max`, `min`, `norm`, `range` and `sum` of a doubleVecList. Each folds
    /// only what it needs, left to right (D38).
    fn aggregate(&mut self, f: Function, args: &'a [Node], pos: u32) -> R<f64> {
        match f {
            Function::Len => {
                let mut count = 0usize;
                self.flatten(f, args, pos, |_| count += 1)?;
                Ok(count as f64)
            }
            Function::Sum | Function::Avg => {
                let (mut count, mut sum) = (0usize, 0.0);
                self.flatten(f, args, pos, |x| {
                    count += 1;
                    sum += x;
                })?;
                match f {
                    Function::Sum => Ok(sum),
                    _ if count > 0 => Ok(sum / count as f64),
                    _ => Err(empty_list(f, pos)),
                }
            }
            Function::Norm => {
                let mut squares = 0.0;
                self.flatten(f, args, pos, |x| squares += x * x)?;
                Ok(squares.sqrt())
            }
            Function::Max | Function::Min | Function::Range => {
                let mut extremes: Option<(f64, f64)> = None;
                self.flatten(f, args, pos, |x| {
                    extremes = Some(match extremes {
                        None => (x, x),
                        Some((min, max)) => (if x < min { x } else { min }, if x > max { x } else { max }),
                    })
                })?;
                let (min, max) = extremes.ok_or_else(|| empty_list(f, pos))?;
                Ok(match f {
                    Function::Max => max,
                    Function::Min => min,
                    _ => max - min,
                })
            }
            _ => Err(type_error(pos, "not an aggregate".into())),
        }
    }

    /// Evaluate a doubleVecList (§4.1) and feed every element, in order, to `sink`.
    fn flatten(&mut self, f: Function, args: &'a [Node], pos: u32, mut sink: impl FnMut(f64)) -> R<()> {
        for arg in args {
            if arg.is_num() {
                sink(self.num(arg)?);
                continue;
            }
            match self.eval(arg)? {
                Value::Double(x) => sink(x),
                Value::Vec(v) => v.iter().for_each(|&x| sink(x)),
                other => {
                    return Err(type_error(
                        pos,
                        format!(
                            "{} takes doubles and doubleVecs, not a {}",
                            crate::builtins::function_info(f).name,
                            other.type_of().name()
                        ),
                    ));
                }
            }
        }
        Ok(())
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

    #[inline(never)]
    fn sample(&mut self, metric: Metric, method: Method, args: &'a SampleArgs, pos: u32) -> R<Value<'a>> {
        let history: &'a MetricHistory = self.ctx.metrics.history(metric);
        let visible = self.visible(metric, history);
        match method {
            Method::Count => Ok(Value::Double(visible as f64)),
            Method::GetSamplePeriod => Ok(Value::Interval(SAMPLE_PERIOD)),
            Method::HistoryBeginTime => {
                if visible == 0 {
                    return Err(type_error(
                        pos,
                        format!("{} has no samples, so it has no history begin time", metric.name()),
                    ));
                }
                Ok(Value::Timestamp(Timestamp(history.times()[0])))
            }
            Method::GetSample | Method::GetSamplePercent => {
                let (values, n) = match args {
                    SampleArgs::Const(values, n) => (*values, *n),
                    SampleArgs::Exprs(args) => {
                        let mut values = [SampleArg::Absent; 3];
                        for (slot, arg) in values.iter_mut().zip(args) {
                            *slot = SampleArg::from(self.eval(arg)?);
                        }
                        (values, args.len())
                    }
                };
                // The count form.
                if method == Method::GetSample && n == 1 {
                    if let SampleArg::Double(count) = values[0] {
                        // `as` truncates toward zero (the count is finite and positive here).
                        let count = if count.is_finite() && count > 0.0 {
                            (count as usize).min(visible)
                        } else {
                            0
                        };
                        let slice = &history.values()[visible - count..visible];
                        if let Some(t) = &mut self.trace {
                            t.push(TraceEvent::Samples {
                                pos,
                                metric,
                                returned: count,
                                expected: None,
                                percent: None,
                            });
                        }
                        return Ok(Value::Vec(Cow::Borrowed(slice)));
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
                let (older, younger) = if start <= end { (start, end) } else { (end, start) };
                let range = match self.last_window {
                    Some((m, o, y, start, end)) if (m, o, y) == (metric, older, younger) => start..end,
                    _ => {
                        let range = history.window(older, younger, visible);
                        self.last_window = Some((metric, older, younger, range.start, range.end));
                        range
                    }
                };
                let available = range.len();
                let expected = ((younger - older) / SAMPLE_PERIOD.0).max(1) as usize;
                let percent = (available as f64 / expected as f64 * 100.0).min(100.0);
                if let Some(t) = &mut self.trace {
                    t.push(TraceEvent::Samples {
                        pos,
                        metric,
                        returned: available,
                        expected: Some(expected),
                        percent: Some(percent),
                    });
                }
                if method == Method::GetSamplePercent {
                    return Ok(Value::Double(percent));
                }
                if percent < required {
                    return Err(Flow::from(EvalError {
                        kind: EvalErrorKind::InsufficientSampleData,
                        pos,
                        message: format!(
                            "Insufficient data from data set: {} wanted {}%, received {}%",
                            metric.name(),
                            format_double(required),
                            format_double(percent)
                        ),
                    }));
                }
                Ok(Value::Vec(Cow::Borrowed(&history.values()[range])))
            }
        }
    }
}

/// D17: `avg`, `min`, `max`, `range` and `percentile` of nothing fail.
#[cold]
#[inline(never)]
fn empty_list(f: Function, pos: u32) -> Flow {
    let name = crate::builtins::function_info(f).name;
    type_error(
        pos,
        format!("{name} of an empty list: there are no values (e.g. GetSample found no samples)"),
    )
}

/// D18: nearest rank on the sorted values; p on a 0–100 scale.
fn percentile(v: &[f64], p: f64) -> Result<f64, String> {
    if !(0.0..=100.0).contains(&p) {
        return Err(format!("percentile takes p from 0 to 100, got {}", format_double(p)));
    }
    if v.is_empty() {
        return Err("percentile of an empty vector".to_string());
    }
    let mut sorted = v.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    let rank = ((p / 100.0 * sorted.len() as f64).ceil() as usize).max(1).min(sorted.len());
    Ok(sorted[rank - 1])
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
    let arith = |x: f64, y: f64| match op {
        Add => x + y,
        Sub => x - y,
        Mul => x * y,
        _ => x / y,
    };
    let overflow = || type_error(pos, "time arithmetic overflow".to_string());
    Ok(match (op, a, b) {
        (Add | Sub | Mul | Div, Value::Double(x), Value::Double(y)) => Value::Double(arith(x, y)),
        (Add | Sub | Mul | Div, Value::Vec(v), Value::Double(y)) => Value::Vec(Cow::Owned(v.iter().map(|&x| arith(x, y)).collect())),
        (Add | Sub | Mul | Div, Value::Vec(v), Value::Vec(w)) => {
            if v.len() != w.len() {
                return Err(type_error(
                    pos,
                    format!("`{}` on vectors of different lengths ({} and {})", op.symbol(), v.len(), w.len()),
                ));
            }
            Value::Vec(Cow::Owned(v.iter().zip(w.iter()).map(|(&x, &y)| arith(x, y)).collect()))
        }
        (Mul, Value::Double(k), Value::Interval(i)) | (Mul, Value::Interval(i), Value::Double(k)) => {
            Value::Interval(i.checked_mul_f64(k).ok_or_else(overflow)?)
        }
        (Div, Value::Interval(i), Value::Double(k)) => Value::Interval(i.checked_div_f64(k).ok_or_else(overflow)?),
        (Add, Value::Interval(i), Value::Interval(j)) => Value::Interval(i.checked_add(j).ok_or_else(overflow)?),
        (Sub, Value::Interval(i), Value::Interval(j)) => Value::Interval(i.checked_sub(j).ok_or_else(overflow)?),
        (Add, Value::Interval(i), Value::Timestamp(t)) | (Add, Value::Timestamp(t), Value::Interval(i)) => {
            Value::Timestamp(t.checked_add(i).ok_or_else(overflow)?)
        }
        (Sub, Value::Timestamp(t), Value::Timestamp(u)) => Value::Interval(t.checked_sub(u).ok_or_else(overflow)?),
        (Lt | Le | Gt | Ge | Eq | Ne, a, b) => {
            let ordering = match (&a, &b) {
                (Value::Double(x), Value::Double(y)) => x.partial_cmp(y),
                (Value::Str(x), Value::Str(y)) => Some(x.encode_utf16().cmp(y.encode_utf16())),
                (Value::Timestamp(x), Value::Timestamp(y)) => Some(x.cmp(y)),
                (Value::Interval(x), Value::Interval(y)) => Some(x.cmp(y)),
                _ => return Err(mismatch(op, &a, &b, pos)),
            };
            use std::cmp::Ordering::*;
            let result = match (op, ordering) {
                (_, None) => op == Ne, // NaN compares unequal to everything.
                (Lt, Some(o)) => o == Less,
                (Le, Some(o)) => o != Greater,
                (Gt, Some(o)) => o == Greater,
                (Ge, Some(o)) => o != Less,
                (Eq, Some(o)) => o == Equal,
                (_, Some(o)) => o != Equal,
            };
            Value::Double(f64::from(result))
        }
        (op, a, b) => return Err(mismatch(op, &a, &b, pos)),
    })
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

/// A binary operator on two doubles (§3.1). Comparisons give 1 or 0 and are false for NaN,
/// but `!=`, which is true. `&&` and `||` never get here (they short-circuit, D7).
#[inline]
fn double_op(op: BinaryOp, x: f64, y: f64) -> f64 {
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

/// The aggregates that [`Machine::aggregate`] computes.
fn is_aggregate(f: Function) -> bool {
    matches!(
        f,
        Function::Avg | Function::Len | Function::Max | Function::Min | Function::Norm | Function::Range | Function::Sum
    )
}

/// A variable read before any statement assigned it (the checker rejects such formulas).
#[cold]
#[inline(never)]
fn unassigned() -> Flow {
    type_error(0, "a variable was read before it was assigned".into())
}

/// A double-typed node gave something else: the compiler's shape analysis is wrong. Never
/// expected; reported as an evaluation error rather than a panic.
#[cold]
#[inline(never)]
fn not_a_double(v: &Value<'_>) -> Flow {
    type_error(0, format!("internal error: expected a double, got a {}", v.type_of().name()))
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
