//! Lowering: the compiled [`Node`] tree becomes a tree of closures, each specialised for its
//! node's shape and operator, so an evaluation is a chain of direct calls instead of a
//! `match` over every node kind at every step (the approach of fasteval and cel-rust).
//!
//! Nodes whose shape guarantees a double ([`Node::is_num`]) become [`NumFn`]s, which return a
//! plain `f64`; the others become [`ValueFn`]s, which return a [`Value`]. The semantics of
//! each function (§3–§6, D7–D52) live here, those of the operators and extremes on doubles in
//! [`crate::ops`], which every path shares; the per-evaluation state (pool, variables, sample
//! windows, random source, trace) lives in [`Machine`].

use std::borrow::Cow;

use crate::builtins::{function_info, Function, Method, Metric, PoolScalar, Target, TimestampField};
use crate::syntax::ast::{BinaryOp, UnaryOp};
use crate::time::{parse_time_literal, TimeInterval};

use super::compile::{Node, SampleArgs};
use super::exec::{
    binary, not_a_double, requested_count, type_error, unassigned, vector_too_long, Flow, Machine, SampleArg, Sampled,
    DEFAULT_SAMPLE_PERCENT, R, SAMPLE_PERIOD,
};
use super::run::TraceEvent;
use super::value::Value;
use crate::limits::MAX_VECTOR_LEN;
use crate::ops::{self, double_op, max2, min2, Aggregate, OpError};

/// Code that gives a double.
pub(crate) type NumFn = Box<dyn for<'a, 'v> Fn(&mut Machine<'a, 'v>) -> R<f64> + Send + Sync>;
/// Code that gives any value.
pub(crate) type ValueFn = Box<dyn for<'a, 'v> Fn(&mut Machine<'a, 'v>) -> R<Value<'a>> + Send + Sync>;
/// Code that decides a condition (D36: NaN is true).
type CondFn = Box<dyn for<'a, 'v> Fn(&mut Machine<'a, 'v>) -> R<bool> + Send + Sync>;
/// Code that gives a doubleVec borrowed from the metric history (`GetSample`).
type SliceFn = Box<dyn for<'a, 'v> Fn(&mut Machine<'a, 'v>) -> R<&'a [f64]> + Send + Sync>;

/// A double operand: constants and variable reads are done in place by the code that uses
/// them, without a call; anything else is code to call.
enum NumOperand {
    Const(f64),
    Var(usize),
    Code(NumFn),
}

impl NumOperand {
    #[inline(always)]
    fn eval(&self, m: &mut Machine<'_, '_>) -> R<f64> {
        match self {
            NumOperand::Const(x) => Ok(*x),
            NumOperand::Var(slot) => m.num_var(*slot),
            NumOperand::Code(f) => f(m),
        }
    }
}

/// A `GetSample` operand: the two usual constant forms are read in place, without a call.
enum SliceOperand {
    /// `GetSample(count)`.
    Last(Metric, usize, u32),
    /// `GetSample(interval)`.
    Back(Metric, TimeInterval, u32),
    Code(SliceFn),
}

impl SliceOperand {
    #[inline(always)]
    fn eval<'a>(&self, m: &mut Machine<'a, '_>) -> R<&'a [f64]> {
        match self {
            SliceOperand::Last(metric, count, pos) => m.last_samples(*metric, *count, *pos),
            SliceOperand::Back(metric, back, pos) => m.values_back(*metric, *back, *pos),
            SliceOperand::Code(f) => f(m),
        }
    }
}

/// The code of one expression.
pub(crate) enum Code {
    /// It always gives a double.
    Num(NumFn),
    /// It may give any value.
    Value(ValueFn),
}

// These constructors pin each closure to the higher-ranked signature (`for<'a>`), which a
// closure literal alone does not get.
fn num<F>(f: F) -> NumFn
where
    F: for<'a, 'v> Fn(&mut Machine<'a, 'v>) -> R<f64> + Send + Sync + 'static,
{
    Box::new(f)
}

fn value<F>(f: F) -> ValueFn
where
    F: for<'a, 'v> Fn(&mut Machine<'a, 'v>) -> R<Value<'a>> + Send + Sync + 'static,
{
    Box::new(f)
}

fn cond<F>(f: F) -> CondFn
where
    F: for<'a, 'v> Fn(&mut Machine<'a, 'v>) -> R<bool> + Send + Sync + 'static,
{
    Box::new(f)
}

fn slice<F>(f: F) -> SliceFn
where
    F: for<'a, 'v> Fn(&mut Machine<'a, 'v>) -> R<&'a [f64]> + Send + Sync + 'static,
{
    Box::new(f)
}

impl Code {
    /// The code as a [`ValueFn`].
    fn into_value(self) -> ValueFn {
        match self {
            Code::Value(f) => f,
            Code::Num(f) => value(move |m| Ok(Value::Double(f(m)?))),
        }
    }
}

/// One argument of a function that takes a doubleVecList (§4.1).
enum Arg {
    Num(NumOperand),
    Slice(SliceOperand),
    Value(ValueFn),
}

/// Feed every element of a doubleVecList, in order, to `sink`.
///
/// Every argument is evaluated, left to right, before the function applies (D47): an
/// argument of the wrong type is reported only after the later arguments evaluated without
/// an error of their own. A list longer than [`MAX_VECTOR_LEN`] fails before any element past
/// the limit reaches `sink` (D52).
#[inline]
fn flatten(m: &mut Machine<'_, '_>, args: &[Arg], f: Function, pos: u32, mut sink: impl FnMut(f64)) -> R<()> {
    let mut count = 0usize;
    let mut pending: Option<Flow> = None;
    for arg in args {
        let value = match arg {
            Arg::Num(code) => Value::Double(code.eval(m)?),
            Arg::Slice(code) => {
                let v = code.eval(m)?;
                if pending.is_none() {
                    count = count.saturating_add(v.len());
                    if count > MAX_VECTOR_LEN {
                        pending = Some(vector_too_long(pos, count));
                        continue;
                    }
                    v.iter().for_each(|&x| sink(x))
                }
                continue;
            }
            Arg::Value(code) => code(m)?,
        };
        if pending.is_some() {
            continue;
        }
        match value {
            Value::Double(x) => {
                count += 1;
                if count > MAX_VECTOR_LEN {
                    pending = Some(vector_too_long(pos, count));
                    continue;
                }
                sink(x)
            }
            Value::Vec(v) => {
                count = count.saturating_add(v.len());
                if count > MAX_VECTOR_LEN {
                    pending = Some(vector_too_long(pos, count));
                    continue;
                }
                v.iter().for_each(|&x| sink(x))
            }
            other => pending = Some(not_double_or_vector(f, &other, pos)),
        }
    }
    match pending {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A function of a doubleVecList got something else.
#[cold]
#[inline(never)]
fn not_double_or_vector(f: Function, v: &Value<'_>, pos: u32) -> Flow {
    type_error(
        pos,
        format!(
            "{} takes doubles and doubleVecs, not a {}",
            function_info(f).name,
            v.type_of().name()
        ),
    )
}

/// D17: `avg`, `min`, `max`, `range` and `percentile` of nothing fail.
#[cold]
#[inline(never)]
fn empty_list(f: Function, pos: u32) -> Flow {
    let name = function_info(f).name;
    type_error(
        pos,
        format!("{name} of an empty list: there are no values (e.g. GetSample found no samples)"),
    )
}

/// Turns nodes into code; collects the string literals the code refers to.
#[derive(Default)]
pub(crate) struct Lowering {
    /// String literals, by index; an evaluation borrows them from the formula.
    pub strings: Vec<Box<str>>,
}

impl Lowering {
    /// The code of `node`.
    pub fn lower(&mut self, node: Node) -> Code {
        if node.is_num() {
            return Code::Num(self.num(node));
        }
        Code::Value(match node {
            Node::Str(s) => {
                let index = self.strings.len();
                self.strings.push(s);
                value(move |m| {
                    let strings = m.strings;
                    Ok(Value::Str(&strings[index]))
                })
            }
            Node::Interval(i) => value(move |_| Ok(Value::Interval(i))),
            Node::Keyword(k) => value(move |_| Ok(Value::Keyword(k))),
            Node::Var(slot) => value(move |m| match &m.vars[slot] {
                Some(v) => Ok(v.clone()),
                None => Err(unassigned()),
            }),
            Node::Deallocation => value(|m| Ok(Value::Keyword(m.deallocation))),
            // A target whose latest write may not be a double (D42, D51).
            Node::TargetValue(t) => value(move |m| Ok(m.targets[t as usize].current.clone())),
            // A statement that consumes nothing (D39).
            Node::Nothing => value(|_| Ok(Value::None)),
            Node::Unary(op, operand, pos) => {
                let operand = self.value(*operand);
                value(move |m| unary(op, operand(m)?, pos))
            }
            Node::Binary(op, l, r, pos) => {
                let (l, r) = (self.value(*l), self.value(*r));
                value(move |m| {
                    let a = l(m)?;
                    let b = r(m)?;
                    binary(op, a, b, pos)
                })
            }
            Node::Cond(c, a, b, pos) => {
                let (c, a, b) = (self.branch(*c, pos), self.value(*a), self.value(*b));
                value(move |m| if c(m)? { a(m) } else { b(m) })
            }
            Node::Call(f, args, pos) => self.call_value(f, args, pos),
            Node::Sample(metric, method, args, pos) => self.sample_value(metric, method, args, pos),
            // Every other node is numeric and was lowered above.
            other => {
                let f = self.num(other);
                value(move |m| Ok(Value::Double(f(m)?)))
            }
        })
    }

    fn value(&mut self, node: Node) -> ValueFn {
        self.lower(node).into_value()
    }

    /// The code of a node that [`Node::is_num`] says gives a double.
    fn num(&mut self, node: Node) -> NumFn {
        match node {
            Node::Number(x) => num(move |_| Ok(x)),
            Node::NumVar(slot) => num(move |m| m.num_var(slot)),
            Node::Target(Target::Dedicated) => num(|m| m.targets[Target::Dedicated as usize].read_double()),
            Node::Target(Target::LowPriority) => num(|m| m.targets[Target::LowPriority as usize].read_double()),
            Node::Scalar(s) => match s {
                PoolScalar::CurrentDedicatedNodes => num(|m| Ok(m.ctx.pool.current_dedicated_nodes)),
                PoolScalar::CurrentLowPriorityNodes => num(|m| Ok(m.ctx.pool.current_low_priority_nodes)),
                PoolScalar::TaskSlotsPerNode => num(|m| Ok(m.ctx.pool.task_slots_per_node)),
                PoolScalar::UsableNodeCount => num(|m| Ok(m.ctx.pool.usable_node_count)),
            },
            Node::MetricValue(metric, pos) => num(move |m| m.latest_sample(metric, pos)),
            Node::Unary(UnaryOp::Not, operand, pos) if !operand.is_num() => {
                let operand = self.value(*operand);
                num(move |m| match unary(UnaryOp::Not, operand(m)?, pos)? {
                    Value::Double(x) => Ok(x),
                    other => Err(not_a_double(&other)),
                })
            }
            Node::Unary(op, operand, _) => {
                let operand = self.num(*operand);
                match op {
                    UnaryOp::Not => num(move |m| Ok(ops::not(operand(m)?))),
                    UnaryOp::Neg => num(move |m| Ok(ops::neg(operand(m)?))),
                }
            }
            Node::Arith(op, l, r) => self.arith(op, *l, *r),
            Node::And(l, r, pos) => {
                let (l, r) = (self.condition(*l, pos, "&&"), self.condition(*r, pos, "&&"));
                num(move |m| ops::and(l(m)?, || r(m)))
            }
            Node::Or(l, r, pos) => {
                let (l, r) = (self.condition(*l, pos, "||"), self.condition(*r, pos, "||"));
                num(move |m| ops::or(l(m)?, || r(m)))
            }
            Node::NumCond(c, a, b, pos) => self.num_cond(*c, *a, *b, pos),
            Node::Field(field, object, pos) => {
                let object = self.value(*object);
                num(move |m| match object(m)? {
                    Value::Timestamp(t) => {
                        let c = t.fields();
                        Ok(match field {
                            TimestampField::Year => c.year as f64,
                            TimestampField::Month => c.month as f64,
                            TimestampField::Day => c.day as f64,
                            TimestampField::Weekday => c.weekday as f64,
                            TimestampField::Hour => c.hour as f64,
                            TimestampField::Minute => c.minute as f64,
                            TimestampField::Second => c.second as f64,
                        })
                    }
                    v => Err(type_error(
                        pos,
                        format!("only timestamps have fields; this is a {}", v.type_of().name()),
                    )),
                })
            }
            Node::Call(f, args, pos) => self.call_num(f, args, pos),
            Node::Sample(metric, Method::Count, _, _) => num(move |m| Ok(m.visible(metric) as f64)),
            Node::Sample(metric, Method::GetSamplePercent, SampleArgs::Const([SampleArg::Interval(back), ..], 1), pos) => {
                num(move |m| m.percent_back(metric, back, pos))
            }
            Node::Sample(metric, method, args, pos) => {
                let args = self.sample_args(method, args);
                num(move |m| match args.sample(m, metric, method, pos)? {
                    Sampled::Percent(x) => Ok(x),
                    Sampled::Values(v) => Err(not_a_double(&Value::Vec(Cow::Borrowed(v)))),
                })
            }
            // Not numeric by shape (never asked for): evaluate and insist on a double.
            other => {
                let f = self.value(other);
                num(move |m| match f(m)? {
                    Value::Double(x) => Ok(x),
                    other => Err(not_a_double(&other)),
                })
            }
        }
    }

    /// A binary operator on two doubles (§3.1), one closure per operator, with a constant
    /// right operand folded in (`$x < 70`, `$n / 2`).
    fn arith(&mut self, op: BinaryOp, l: Node, r: Node) -> NumFn {
        macro_rules! op {
            ($x:ident, $y:ident => $e:expr) => {{
                let l = self.operand(l);
                if let Node::Number($y) = r {
                    num(move |m| {
                        let $x = l.eval(m)?;
                        Ok($e)
                    })
                } else {
                    let r = self.operand(r);
                    num(move |m| {
                        let $x = l.eval(m)?;
                        let $y = r.eval(m)?;
                        Ok($e)
                    })
                }
            }};
        }
        // One closure per operator, each calling the one definition of the operator with a
        // constant `op`, which inlining folds away.
        match op {
            BinaryOp::Add => op!(x, y => double_op(BinaryOp::Add, x, y)),
            BinaryOp::Sub => op!(x, y => double_op(BinaryOp::Sub, x, y)),
            BinaryOp::Mul => op!(x, y => double_op(BinaryOp::Mul, x, y)),
            BinaryOp::Div => op!(x, y => double_op(BinaryOp::Div, x, y)),
            BinaryOp::Lt => op!(x, y => double_op(BinaryOp::Lt, x, y)),
            BinaryOp::Le => op!(x, y => double_op(BinaryOp::Le, x, y)),
            BinaryOp::Gt => op!(x, y => double_op(BinaryOp::Gt, x, y)),
            BinaryOp::Ge => op!(x, y => double_op(BinaryOp::Ge, x, y)),
            BinaryOp::Eq => op!(x, y => double_op(BinaryOp::Eq, x, y)),
            // `&&`/`||` never get here (D7).
            BinaryOp::Ne | BinaryOp::And | BinaryOp::Or => op!(x, y => double_op(BinaryOp::Ne, x, y)),
        }
    }

    /// A double operand of other code.
    fn operand(&mut self, node: Node) -> NumOperand {
        match node {
            Node::Number(x) => NumOperand::Const(x),
            Node::NumVar(slot) => NumOperand::Var(slot),
            other => NumOperand::Code(self.num(other)),
        }
    }

    /// A `?:` whose branches give doubles. A comparison as its condition (the usual case,
    /// `$x < 70 ? … : …`) is computed in place; the branch taken is traced.
    fn num_cond(&mut self, c: Node, a: Node, b: Node, pos: u32) -> NumFn {
        macro_rules! compare {
            ($l:ident, $r:ident, $op:expr, $a:ident, $b:ident) => {
                num(move |m| {
                    let x = $l.eval(m)?;
                    let y = $r.eval(m)?;
                    let taken = double_op($op, x, y) != 0.0;
                    if let Some(t) = &mut m.trace {
                        t.push(TraceEvent::Branch { pos, taken_then: taken });
                    }
                    if taken {
                        $a.eval(m)
                    } else {
                        $b.eval(m)
                    }
                })
            };
        }
        if let Node::Arith(op, l, r) = c {
            if matches!(
                op,
                BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne
            ) {
                let (l, r, a, b) = (self.operand(*l), self.operand(*r), self.operand(a), self.operand(b));
                return match op {
                    BinaryOp::Lt => compare!(l, r, BinaryOp::Lt, a, b),
                    BinaryOp::Le => compare!(l, r, BinaryOp::Le, a, b),
                    BinaryOp::Gt => compare!(l, r, BinaryOp::Gt, a, b),
                    BinaryOp::Ge => compare!(l, r, BinaryOp::Ge, a, b),
                    BinaryOp::Eq => compare!(l, r, BinaryOp::Eq, a, b),
                    _ => compare!(l, r, BinaryOp::Ne, a, b),
                };
            }
            return self.num_cond_general(Node::Arith(op, l, r), a, b, pos);
        }
        self.num_cond_general(c, a, b, pos)
    }

    fn num_cond_general(&mut self, c: Node, a: Node, b: Node, pos: u32) -> NumFn {
        let (c, a, b) = (self.branch(c, pos), self.operand(a), self.operand(b));
        num(move |m| if c(m)? { a.eval(m) } else { b.eval(m) })
    }

    /// The code of a `GetSample` node, which always gives a borrowed window or an error.
    fn slice(&mut self, metric: Metric, args: SampleArgs, pos: u32) -> SliceOperand {
        match self.sample_args(Method::GetSample, args) {
            LoweredSampleArgs::Last(count) => SliceOperand::Last(metric, count, pos),
            LoweredSampleArgs::Back(back) => SliceOperand::Back(metric, back, pos),
            args => SliceOperand::Code(slice(move |m| match args.sample(m, metric, Method::GetSample, pos)? {
                Sampled::Values(v) => Ok(v),
                // `GetSample` never gives a percentage.
                Sampled::Percent(x) => Err(not_a_double(&Value::Double(x))),
            })),
        }
    }

    /// A condition of `&&`, `||` or `?:` (D36: NaN is true).
    fn condition(&mut self, node: Node, pos: u32, what: &'static str) -> CondFn {
        match self.lower(node) {
            Code::Num(f) => cond(move |m| Ok(ops::is_true(f(m)?))),
            Code::Value(f) => cond(move |m| match f(m)? {
                Value::Double(x) => Ok(ops::is_true(x)),
                v => Err(type_error(
                    pos,
                    format!("`{what}` needs a double condition, not a {}", v.type_of().name()),
                )),
            }),
        }
    }

    /// The condition of a `?:`, which traces the branch it picks.
    fn branch(&mut self, node: Node, pos: u32) -> CondFn {
        let c = self.condition(node, pos, "?:");
        cond(move |m| {
            let taken = c(m)?;
            if let Some(t) = &mut m.trace {
                t.push(TraceEvent::Branch { pos, taken_then: taken });
            }
            Ok(taken)
        })
    }

    fn args(&mut self, args: Vec<Node>) -> Vec<Arg> {
        args.into_iter()
            .map(|a| match a {
                Node::Sample(metric, Method::GetSample, args, pos) => Arg::Slice(self.slice(metric, args, pos)),
                a if a.is_num() => Arg::Num(self.operand(a)),
                a => match self.lower(a) {
                    Code::Num(f) => Arg::Num(NumOperand::Code(f)),
                    Code::Value(f) => Arg::Value(f),
                },
            })
            .collect()
    }

    /// Functions that give a double (see [`Node::is_num`]).
    fn call_num(&mut self, f: Function, args: Vec<Node>, pos: u32) -> NumFn {
        if let Some(code) = self.aggregate_shortcut(f, &args, pos) {
            return code;
        }
        match f {
            Function::Rand => num(move |m| m.next_random(pos)),
            // Each aggregate folds only what it needs, left to right (D38).
            Function::Len => self.aggregate::<ops::Len>(f, args, pos),
            Function::Sum => self.aggregate::<ops::Sum>(f, args, pos),
            Function::Avg => self.aggregate::<ops::Avg>(f, args, pos),
            Function::Norm => self.aggregate::<ops::Norm>(f, args, pos),
            Function::Max => self.aggregate::<ops::Max>(f, args, pos),
            Function::Min => self.aggregate::<ops::Min>(f, args, pos),
            Function::Range => self.aggregate::<ops::Range>(f, args, pos),
            Function::Std => {
                let args = self.args(args);
                num(move |m| {
                    let mut values = Vec::new();
                    flatten(m, &args, f, pos, |x| values.push(x))?;
                    ops::std(&values)
                        .map_err(|n| type_error(pos, format!("std needs at least two values (sample standard deviation), got {n}")))
                })
            }
            Function::Val | Function::Percentile => {
                let mut args = args.into_iter();
                let (Some(vector), Some(index)) = (args.next(), args.next()) else {
                    return num(move |_| Err(type_error(pos, format!("{} takes two arguments", function_info(f).name))));
                };
                let (vector, index) = (self.value(vector), self.value(index));
                num(move |m| {
                    // Both arguments first, then their types in argument order (D47).
                    let v = vector(m)?;
                    let x = index(m)?;
                    let v = match v {
                        Value::Vec(v) => v,
                        other => {
                            return Err(type_error(
                                pos,
                                format!("the first argument must be a doubleVec, not a {}", other.type_of().name()),
                            ))
                        }
                    };
                    let x = match x {
                        Value::Double(x) => x,
                        other => {
                            return Err(type_error(
                                pos,
                                format!("the second argument must be a double, not a {}", other.type_of().name()),
                            ))
                        }
                    };
                    if f == Function::Val {
                        return Ok(ops::val(&v, x));
                    }
                    ops::percentile(&v, x).map_err(|message| type_error(pos, message))
                })
            }
            Function::Lg | Function::Ln | Function::Log | Function::Ceil | Function::Floor | Function::Round => {
                // Numeric only with one numeric argument.
                let Some(op) = ops::element_wise(f) else {
                    return num(move |_| Err(type_error(pos, format!("{} is not element-wise", function_info(f).name))));
                };
                match args.into_iter().next() {
                    Some(arg) => {
                        let arg = self.num(arg);
                        num(move |m| Ok(op(arg(m)?)))
                    }
                    None => num(move |_| Err(type_error(pos, format!("{} takes an argument", function_info(f).name)))),
                }
            }
            Function::Time | Function::Stop => {
                let f = self.call_value(f, args, pos);
                num(move |m| match f(m)? {
                    Value::Double(x) => Ok(x),
                    other => Err(not_a_double(&other)),
                })
            }
        }
    }

    /// An aggregate of a doubleVecList: every element fed to `A`, left to right (D38); an
    /// aggregate without a value for what it got (D17) fails.
    fn aggregate<A: Aggregate + 'static>(&mut self, f: Function, args: Vec<Node>, pos: u32) -> NumFn {
        let args = self.args(args);
        num(move |m| {
            let mut a = A::default();
            flatten(m, &args, f, pos, |x| a.push(x))?;
            a.finish().ok_or_else(|| empty_list(f, pos))
        })
    }

    /// The usual shapes of `max`, `min` and `avg`, folded without the general argument
    /// loop: `max(a, b)` / `min(a, b)` of two doubles, and an aggregate of one vector
    /// (`avg($X.GetSample(w))`). Same folds, same order, same errors as the general case.
    fn aggregate_shortcut(&mut self, f: Function, args: &[Node], pos: u32) -> Option<NumFn> {
        match (f, args) {
            (Function::Max | Function::Min, [a, b]) if a.is_num() && b.is_num() => {
                let (a, b) = (self.operand(a.clone()), self.operand(b.clone()));
                Some(if f == Function::Max {
                    num(move |m| {
                        let x = a.eval(m)?;
                        let y = b.eval(m)?;
                        Ok(max2(x, y))
                    })
                } else {
                    num(move |m| {
                        let x = a.eval(m)?;
                        let y = b.eval(m)?;
                        Ok(min2(x, y))
                    })
                })
            }
            // Two arguments, each a double or a `GetSample` window (`max(0, $X.GetSample(1))`,
            // `max($X.GetSample(1), avg(…))`): no values built, no general loop.
            (Function::Max | Function::Min | Function::Avg | Function::Sum | Function::Len | Function::Norm | Function::Range, [a, b])
                if is_list_operand(a) && is_list_operand(b) =>
            {
                let (a, b) = (self.list_operand(a.clone()), self.list_operand(b.clone()));
                Some(match f {
                    Function::Max => pair::<ops::Max>(a, b, f, pos),
                    Function::Min => pair::<ops::Min>(a, b, f, pos),
                    Function::Avg => pair::<ops::Avg>(a, b, f, pos),
                    Function::Sum => pair::<ops::Sum>(a, b, f, pos),
                    Function::Len => pair::<ops::Len>(a, b, f, pos),
                    Function::Norm => pair::<ops::Norm>(a, b, f, pos),
                    _ => pair::<ops::Range>(a, b, f, pos),
                })
            }
            (Function::Avg | Function::Max | Function::Min | Function::Sum, [v]) if !v.is_num() => {
                let fold: fn(&[f64]) -> Option<f64> = match f {
                    Function::Avg => ops::fold::<ops::Avg>,
                    Function::Sum => ops::fold::<ops::Sum>,
                    Function::Max => ops::fold::<ops::Max>,
                    _ => ops::fold::<ops::Min>,
                };
                if let Node::Sample(metric, Method::GetSample, args, pos_sample) = v {
                    let v = self.slice(*metric, args.clone(), *pos_sample);
                    return Some(num(move |m| fold(v.eval(m)?).ok_or_else(|| empty_list(f, pos))));
                }
                let v = self.value(v.clone());
                Some(num(move |m| match v(m)? {
                    Value::Vec(values) => fold(&values).ok_or_else(|| empty_list(f, pos)),
                    // Folded like a one-element list (`sum(-0)` is `0 + -0`).
                    Value::Double(x) => fold(&[x]).ok_or_else(|| empty_list(f, pos)),
                    other => Err(not_double_or_vector(f, &other, pos)),
                }))
            }
            _ => None,
        }
    }

    /// An argument [`is_list_operand`] accepts, as an operand.
    fn list_operand(&mut self, node: Node) -> ListOperand {
        match node {
            Node::Sample(metric, Method::GetSample, args, pos) => ListOperand::Slice(self.slice(metric, args, pos)),
            other => ListOperand::Num(self.operand(other)),
        }
    }

    /// Functions that give something other than a double.
    fn call_value(&mut self, f: Function, args: Vec<Node>, pos: u32) -> ValueFn {
        match f {
            Function::Stop => value(|_| Err(Flow::Stop)),
            Function::Time => match args.into_iter().next() {
                None => value(|m| Ok(Value::Timestamp(m.ctx.now))),
                Some(arg) => {
                    let arg = self.value(arg);
                    value(move |m| match arg(m)? {
                        Value::Str("") => Ok(Value::Timestamp(m.ctx.now)),
                        Value::Str(s) => parse_time_literal(s)
                            .map(Value::Timestamp)
                            .map_err(|e| type_error(pos, format!("time() cannot read {s:?}: {e}"))),
                        v => Err(type_error(pos, format!("time() takes a string, not a {}", v.type_of().name()))),
                    })
                }
            },
            Function::Lg | Function::Ln | Function::Log | Function::Ceil | Function::Floor | Function::Round => {
                let Some(op) = ops::element_wise(f) else {
                    return value(move |_| Err(type_error(pos, format!("{} is not element-wise", function_info(f).name))));
                };
                if args.len() == 1 {
                    let arg = self.value(args.into_iter().next().expect("one argument"));
                    return value(move |m| match arg(m)? {
                        Value::Double(x) => Ok(Value::Double(op(x))),
                        Value::Vec(v) => Ok(Value::Vec(Cow::Owned(v.iter().map(|&x| op(x)).collect()))),
                        other => Err(not_double_or_vector(f, &other, pos)),
                    });
                }
                let args = self.args(args);
                value(move |m| {
                    let mut out = Vec::new();
                    flatten(m, &args, f, pos, |x| out.push(op(x)))?;
                    Ok(Value::Vec(Cow::Owned(out)))
                })
            }
            // The rest give doubles.
            _ => {
                let f = self.call_num(f, args, pos);
                value(move |m| Ok(Value::Double(f(m)?)))
            }
        }
    }

    fn sample_args(&mut self, method: Method, args: SampleArgs) -> LoweredSampleArgs {
        match args {
            // The two usual forms, resolved now: `GetSample(n)` and `…(interval)`.
            SampleArgs::Const([SampleArg::Double(count), ..], 1) if method == Method::GetSample => {
                LoweredSampleArgs::Last(requested_count(count))
            }
            SampleArgs::Const([SampleArg::Interval(back), ..], 1) => LoweredSampleArgs::Back(back),
            SampleArgs::Const(values, n) => LoweredSampleArgs::Const(values, n),
            SampleArgs::Exprs(nodes) => LoweredSampleArgs::Exprs(nodes.into_iter().map(|n| self.value(n)).collect()),
        }
    }

    /// Sample methods that give something other than a double.
    fn sample_value(&mut self, metric: Metric, method: Method, args: SampleArgs, pos: u32) -> ValueFn {
        match method {
            Method::GetSamplePeriod => value(|_| Ok(Value::Interval(SAMPLE_PERIOD))),
            Method::HistoryBeginTime => value(move |m| m.history_begin(metric, pos).map(Value::Timestamp)),
            Method::GetSample => {
                let v = self.slice(metric, args, pos);
                value(move |m| Ok(Value::Vec(Cow::Borrowed(v.eval(m)?))))
            }
            Method::GetSamplePercent => {
                let args = self.sample_args(method, args);
                value(move |m| {
                    Ok(match args.sample(m, metric, method, pos)? {
                        Sampled::Percent(x) => Value::Double(x),
                        Sampled::Values(v) => Value::Vec(Cow::Borrowed(v)),
                    })
                })
            }
            Method::Count => value(move |m| Ok(Value::Double(m.visible(metric) as f64))),
        }
    }
}

/// An argument of an aggregate that is a double or a `GetSample` window.
enum ListOperand {
    Num(NumOperand),
    Slice(SliceOperand),
}

/// Whether `node` is a double or a `GetSample` window (a [`ListOperand`]).
fn is_list_operand(node: &Node) -> bool {
    node.is_num() || matches!(node, Node::Sample(_, Method::GetSample, ..))
}

/// The aggregate `A` of two [`ListOperand`]s: exactly what the general argument loop
/// ([`flatten`]) does with them. Both are evaluated, left to right, before anything else
/// (D47); a list longer than [`MAX_VECTOR_LEN`] fails with the length at which it first
/// exceeded (D52); the elements are pushed in order (D38).
fn pair<A: Aggregate + 'static>(a: ListOperand, b: ListOperand, f: Function, pos: u32) -> NumFn {
    num(move |m| {
        let (x, y);
        let first: &[f64] = match &a {
            ListOperand::Num(code) => {
                x = code.eval(m)?;
                std::slice::from_ref(&x)
            }
            ListOperand::Slice(code) => code.eval(m)?,
        };
        let second: &[f64] = match &b {
            ListOperand::Num(code) => {
                y = code.eval(m)?;
                std::slice::from_ref(&y)
            }
            ListOperand::Slice(code) => code.eval(m)?,
        };
        if first.len() > MAX_VECTOR_LEN {
            return Err(vector_too_long(pos, first.len()));
        }
        let count = first.len().saturating_add(second.len());
        if count > MAX_VECTOR_LEN {
            return Err(vector_too_long(pos, count));
        }
        let mut acc = A::default();
        for &v in first.iter().chain(second) {
            acc.push(v);
        }
        acc.finish().ok_or_else(|| empty_list(f, pos))
    })
}

/// The arguments of `GetSample`/`GetSamplePercent` as code.
enum LoweredSampleArgs {
    /// `GetSample(count)` with a constant count (as a number of samples).
    Last(usize),
    /// `…(interval)`: the window from `now - interval` to now, 70 % required.
    Back(TimeInterval),
    /// Other constant arguments.
    Const([SampleArg; 3], usize),
    /// Arguments computed at run time.
    Exprs(Vec<ValueFn>),
}

impl LoweredSampleArgs {
    #[inline]
    fn sample<'a>(&self, m: &mut Machine<'a, '_>, metric: Metric, method: Method, pos: u32) -> R<Sampled<'a>> {
        match self {
            LoweredSampleArgs::Last(count) => Ok(Sampled::Values(m.last_samples(metric, *count, pos)?)),
            LoweredSampleArgs::Back(back) => m.window_back(metric, method, *back, DEFAULT_SAMPLE_PERCENT, pos),
            LoweredSampleArgs::Const(values, n) => m.sample(metric, method, *values, *n, pos),
            LoweredSampleArgs::Exprs(codes) => {
                let mut values = [SampleArg::Absent; 3];
                for (slot, code) in values.iter_mut().zip(codes) {
                    *slot = SampleArg::from(code(m)?);
                }
                m.sample(metric, method, values, codes.len(), pos)
            }
        }
    }
}

/// A prefix operator on any value.
fn unary<'a>(op: UnaryOp, v: Value<'a>, pos: u32) -> R<Value<'a>> {
    match v.as_scalar().map(|x| ops::unary(op, x)) {
        Some(Ok(x)) => Ok(x.into()),
        Some(Err(OpError::Overflow)) => Err(type_error(pos, "time interval overflow".into())),
        _ => Err(type_error(
            pos,
            format!("`{}` is not defined for a {}", op.symbol(), v.type_of().name()),
        )),
    }
}
