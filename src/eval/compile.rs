//! Compile a checked syntax tree once into a tree of resolved nodes: names become slots,
//! built-ins become enum values, and every node keeps the byte offset the service reports
//! when it fails (D25).

use std::collections::HashMap;
use std::sync::Arc;

use crate::builtins::{self, Deallocation, Function, Method, Metric, PoolScalar, Target, TimestampField, VariableKind};
use crate::check::{check, Analysis};
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, StatementKind, UnaryOp};
use crate::syntax::{LineIndex, Span};
use crate::time::TimeInterval;

use super::code::{Code, Lowering};
use super::exec::SampleArg;

/// A compiled expression.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Number(f64),
    Str(Box<str>),
    Interval(TimeInterval),
    Keyword(Deallocation),
    Var(usize),
    /// A variable that holds a double whenever this node runs (its last assignment before
    /// this statement is a [`Node::is_num`] expression).
    NumVar(usize),
    /// A target whose latest write is a double (read in the double-only path).
    Target(Target),
    /// A target whose latest write may be any value (D42, D51).
    TargetValue(Target),
    /// The value of a statement that consumes nothing: a bare metric name (D39).
    Nothing,
    Deallocation,
    Scalar(PoolScalar),
    /// A metric used as a number (D11), with the position of its name.
    MetricValue(Metric, u32),
    Unary(UnaryOp, Box<Node>, u32),
    Binary(BinaryOp, Box<Node>, Box<Node>, u32),
    /// A binary operator other than `&&`/`||` on two [`Node::is_num`] operands: computed in
    /// doubles without building values.
    Arith(BinaryOp, Box<Node>, Box<Node>),
    And(Box<Node>, Box<Node>, u32),
    Or(Box<Node>, Box<Node>, u32),
    Cond(Box<Node>, Box<Node>, Box<Node>, u32),
    /// A `?:` whose branches are both [`Node::is_num`].
    NumCond(Box<Node>, Box<Node>, Box<Node>, u32),
    Call(Function, Vec<Node>, u32),
    Field(TimestampField, Box<Node>, u32),
    /// A sample method; the position is that of the `(` (D25).
    Sample(Metric, Method, SampleArgs, u32),
}

impl Node {
    /// Whether the node gives a double whenever it evaluates without an error. Decided by
    /// the node's shape alone, so the interpreter can take the double-only path
    /// (a [`super::code`] closure returning `f64`) without building a [`super::value::Value`].
    pub(crate) fn is_num(&self) -> bool {
        match self {
            Node::Number(_)
            | Node::NumVar(_)
            | Node::Target(_)
            | Node::Scalar(_)
            | Node::MetricValue(..)
            | Node::Arith(..)
            | Node::And(..)
            | Node::Or(..)
            | Node::NumCond(..)
            | Node::Field(..)
            | Node::Unary(UnaryOp::Not, ..) => true,
            Node::Unary(UnaryOp::Neg, operand, _) => operand.is_num(),
            Node::Call(f, args, _) => match f {
                Function::Avg
                | Function::Len
                | Function::Max
                | Function::Min
                | Function::Norm
                | Function::Range
                | Function::Sum
                | Function::Std
                | Function::Percentile
                | Function::Val
                | Function::Rand => true,
                Function::Lg | Function::Ln | Function::Log | Function::Ceil | Function::Floor | Function::Round => {
                    args.len() == 1 && args[0].is_num()
                }
                Function::Time | Function::Stop => false,
            },
            Node::Sample(_, method, ..) => matches!(method, Method::GetSamplePercent | Method::Count),
            Node::Str(_)
            | Node::Interval(_)
            | Node::Keyword(_)
            | Node::Var(_)
            | Node::TargetValue(_)
            | Node::Nothing
            | Node::Deallocation
            | Node::Binary(..)
            | Node::Cond(..) => false,
        }
    }
}

/// The arguments of a sample method: evaluated at compile time when they are constants
/// (`GetSample(1)`, `GetSample(TimeInterval_Minute * 15, 70)`: the usual case), else
/// expressions evaluated at each run.
#[derive(Debug, Clone)]
pub(crate) enum SampleArgs {
    /// Constant arguments, and how many there are.
    Const([SampleArg; 3], usize),
    /// Arguments to evaluate.
    Exprs(Vec<Node>),
}

impl SampleArgs {
    fn new(args: Vec<Node>) -> SampleArgs {
        let mut values = [SampleArg::Absent; 3];
        if args.len() > values.len() {
            return SampleArgs::Exprs(args);
        }
        for (slot, arg) in values.iter_mut().zip(&args) {
            *slot = match arg {
                Node::Number(x) => SampleArg::Double(*x),
                Node::Interval(i) => SampleArg::Interval(*i),
                _ => return SampleArgs::Exprs(args),
            };
        }
        SampleArgs::Const(values, args.len())
    }
}

/// Where a statement's value goes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Destination {
    Discard,
    Var(usize),
    Target(Target, bool),
    Deallocation,
}

pub(crate) struct CompiledStatement {
    pub destination: Destination,
    pub code: Code,
    /// Byte offset of the statement's value (the position of a target error).
    pub value_pos: u32,
    pub span: Span,
}

impl std::fmt::Debug for CompiledStatement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledStatement")
            .field("destination", &self.destination)
            .field("span", &self.span)
            .finish_non_exhaustive()
    }
}

/// A formula compiled for repeated evaluation: [`Formula::compile`] once, then
/// [`Formula::evaluate`] against as many contexts as needed (it is `Send + Sync`, so threads can
/// share it).
///
/// ```
/// use batch_autoscale::{EvalContext, Formula, MetricStore, Timestamp};
/// let formula = Formula::compile("$TargetDedicatedNodes = time().weekday == 1 ? 5 : 1;").unwrap();
/// let metrics = MetricStore::new();
/// let now: Timestamp = "2026-11-23T09:00:00Z".parse().unwrap(); // a Monday
/// let evaluation = formula.evaluate(&EvalContext::new(now, &metrics));
/// assert_eq!(
///     evaluation.run().results,
///     "$TargetDedicatedNodes=5;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Formula {
    pub(crate) source: String,
    pub(crate) statements: Arc<[CompiledStatement]>,
    /// The string literals the code refers to.
    pub(crate) strings: Arc<[Box<str>]>,
    /// User variable names by slot.
    pub(crate) names: Vec<String>,
    /// Slots in the order the results string prints them (ordinal by name, D28).
    pub(crate) result_order: Vec<usize>,
    pub(crate) analysis: Analysis,
    pub(crate) line_index: std::sync::OnceLock<LineIndex>,
    /// The depth of the deepest statement: evaluating deeper than `deep::SHALLOW` runs on a
    /// thread with enough stack.
    pub(crate) depth: usize,
}

/// Why a formula could not be compiled: it has errors. Holds the full analysis.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the formula has {}; the first: {}", match self.errors().count() { 1 => "1 error".to_string(), n => format!("{n} errors") }, self.errors().next().map(|d| d.message.as_str()).unwrap_or(""))]
pub struct CompileError {
    /// The analysis with every diagnostic.
    pub analysis: Box<Analysis>,
    /// The source text.
    pub text: String,
}

impl CompileError {
    /// The error diagnostics.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.analysis.diagnostics.iter().filter(|d| d.is_error())
    }
}

impl Formula {
    /// Parse, check and compile `src`. Fails when the checker finds an error; the error holds
    /// the whole [`Analysis`] (warnings too).
    ///
    /// ```
    /// use batch_autoscale::Formula;
    /// let formula = Formula::compile("$x = 2; $TargetDedicatedNodes = $x + 1;").unwrap();
    /// assert_eq!(formula.variable_names().collect::<Vec<_>>(), ["$x"]);
    ///
    /// let error = Formula::compile("$TargetDedicatedNodes = $nope;").unwrap_err();
    /// assert_eq!(error.errors().next().unwrap().code.as_str(), "E201");
    /// assert!(error.to_string().starts_with("the formula has 1 error"));
    /// ```
    pub fn compile(src: &str) -> Result<Formula, CompileError> {
        let analysis = check(src);
        if analysis.has_errors() {
            return Err(CompileError {
                analysis: Box::new(analysis),
                text: src.to_string(),
            });
        }
        let depth = analysis.formula.depth();
        let (compiler, statements, lowering) = crate::deep::with_stack_for(depth, || {
            let mut compiler = Compiler {
                slots: HashMap::new(),
                names: Vec::new(),
                num_slots: Vec::new(),
                constants: Vec::new(),
                num_targets: [true; 2],
            };
            let mut statements = Vec::new();
            let mut lowering = Lowering::default();
            for statement in &analysis.formula.statements {
                match &statement.kind {
                    StatementKind::Assign { target, value } => {
                        let node = compiler.expr(value);
                        let destination = match builtins::lookup_variable(&target.text).map(|v| (v.kind, v.alias_of.is_some())) {
                            Some((VariableKind::Target(t), alias)) => {
                                // Reads see this write from here on, through either name (D51).
                                compiler.num_targets[t as usize] = node.is_num();
                                Destination::Target(t, alias)
                            }
                            Some((VariableKind::DeallocationOption, _)) => Destination::Deallocation,
                            _ => {
                                let slot = compiler.slot(&target.text);
                                // Statements run in order and assign unconditionally, so from
                                // here on the variable holds this statement's kind of value.
                                compiler.num_slots[slot] = node.is_num();
                                compiler.constants[slot] = match node {
                                    Node::Number(_) | Node::Interval(_) => Some(node.clone()),
                                    _ => None,
                                };
                                Destination::Var(slot)
                            }
                        };
                        statements.push(CompiledStatement {
                            destination,
                            code: lowering.lower(node),
                            value_pos: value.span.start,
                            span: statement.span,
                        });
                    }
                    StatementKind::Expr { expr } => statements.push(CompiledStatement {
                        destination: Destination::Discard,
                        code: lowering.lower(if is_metric_name(expr) {
                            Node::Nothing // D39: a bare metric name reads no sample.
                        } else {
                            compiler.expr(expr)
                        }),
                        value_pos: expr.span.start,
                        span: statement.span,
                    }),
                    StatementKind::Error => {}
                }
            }
            (compiler, statements, lowering)
        });
        let mut result_order: Vec<usize> = (0..compiler.names.len()).collect();
        result_order.sort_by(|&a, &b| compiler.names[a].as_bytes().cmp(compiler.names[b].as_bytes()));
        Ok(Formula {
            source: src.to_string(),
            statements: statements.into(),
            strings: lowering.strings.into(),
            names: compiler.names,
            result_order,
            analysis,
            line_index: std::sync::OnceLock::new(),
            depth,
        })
    }

    /// The source text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The checker's analysis (warnings included).
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// Names of the user variables, in the order the results string prints them.
    pub fn variable_names(&self) -> impl Iterator<Item = &str> {
        self.result_order.iter().map(|&i| self.names[i].as_str())
    }

    pub(crate) fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.source))
    }
}

struct Compiler {
    slots: HashMap<String, usize>,
    names: Vec<String>,
    /// Per slot: whether the variable's latest assignment so far gives a double.
    num_slots: Vec<bool>,
    /// Per slot: the constant (a number or an interval) the latest assignment so far stores,
    /// so `maxNodes = 20; … min(maxNodes, $x)` and `$w = TimeInterval_Minute * 15;
    /// … GetSample($w)` read it without a variable lookup.
    constants: Vec<Option<Node>>,
    /// Per target: whether its latest write so far gives a double (D51).
    num_targets: [bool; 2],
}

/// Whether a statement is a sampled metric's name alone, optionally in parentheses (D39).
fn is_metric_name(e: &Expr) -> bool {
    matches!(&e.unparenthesized().kind, ExprKind::Name { name } if Metric::from_name(name).is_some())
}

impl Compiler {
    fn slot(&mut self, name: &str) -> usize {
        if let Some(&s) = self.slots.get(name) {
            return s;
        }
        self.names.push(name.to_string());
        self.num_slots.push(false);
        self.constants.push(None);
        self.slots.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }

    fn expr(&mut self, e: &Expr) -> Node {
        let pos = e.span.start;
        match &e.kind {
            ExprKind::Number { value } => Node::Number(*value),
            ExprKind::String { value } => Node::Str(value.as_str().into()),
            ExprKind::Paren { inner } => self.expr(inner),
            ExprKind::Name { name } => {
                if let Some(v) = builtins::lookup_variable(name) {
                    return match v.kind {
                        VariableKind::Target(t) if self.num_targets[t as usize] => Node::Target(t),
                        VariableKind::Target(t) => Node::TargetValue(t),
                        VariableKind::DeallocationOption => Node::Deallocation,
                        VariableKind::Scalar(s) => Node::Scalar(s),
                        VariableKind::Metric(m) => Node::MetricValue(m, pos),
                    };
                }
                if let Some(&slot) = self.slots.get(name.as_str()) {
                    if let Some(constant) = &self.constants[slot] {
                        return constant.clone();
                    }
                    return if self.num_slots[slot] {
                        Node::NumVar(slot)
                    } else {
                        Node::Var(slot)
                    };
                }
                if let Some(c) = builtins::lookup_constant(name) {
                    return Node::Interval(c.value);
                }
                if let Some(k) = builtins::lookup_keyword(name) {
                    return Node::Keyword(k.value);
                }
                // Unreachable for a checked formula (undefined names are errors).
                Node::Number(f64::NAN)
            }
            ExprKind::Unary { op, operand } => Node::Unary(*op, Box::new(self.expr(operand)), pos),
            ExprKind::Binary { op, left, right } => {
                let (l, r) = (Box::new(self.expr(left)), Box::new(self.expr(right)));
                if let Some(folded) = fold_binary(*op, &l, &r) {
                    return folded;
                }
                match op {
                    BinaryOp::And => Node::And(l, r, pos),
                    BinaryOp::Or => Node::Or(l, r, pos),
                    _ if l.is_num() && r.is_num() => Node::Arith(*op, l, r),
                    _ => Node::Binary(*op, l, r, pos),
                }
            }
            ExprKind::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                let (c, a, b) = (
                    Box::new(self.expr(condition)),
                    Box::new(self.expr(then_branch)),
                    Box::new(self.expr(else_branch)),
                );
                if a.is_num() && b.is_num() {
                    Node::NumCond(c, a, b, condition.span.start)
                } else {
                    Node::Cond(c, a, b, condition.span.start)
                }
            }
            ExprKind::Call { function, args, .. } => {
                let f = builtins::lookup_function(&function.text)
                    .map(|f| f.function)
                    .unwrap_or(Function::Stop);
                Node::Call(f, args.iter().map(|a| self.expr(a)).collect(), pos)
            }
            ExprKind::Member { object, member } => {
                let field = builtins::lookup_field(&member.text)
                    .map(|f| f.field)
                    .unwrap_or(TimestampField::Year);
                Node::Field(field, Box::new(self.expr(object)), pos)
            }
            ExprKind::MethodCall {
                object,
                method,
                args,
                open_paren,
            } => {
                let metric = match &object.unparenthesized().kind {
                    ExprKind::Name { name } => Metric::from_name(name).unwrap_or(Metric::ActiveTasks),
                    _ => Metric::ActiveTasks,
                };
                let m = builtins::lookup_method(&method.text).map(|m| m.method).unwrap_or(Method::Count);
                let args = SampleArgs::new(args.iter().map(|a| self.expr(a)).collect());
                Node::Sample(metric, m, args, open_paren.start)
            }
            ExprKind::Error => Node::Number(f64::NAN),
        }
    }
}

/// Constant folding: `TimeInterval_Minute * 15` and `2 * 3` become constants at compile time.
/// Only doubles and intervals are folded, with exactly the run-time arithmetic; a combination
/// that would fail (a type error, an overflow) is left for run time so it fails where it did.
fn fold_binary(op: BinaryOp, l: &Node, r: &Node) -> Option<Node> {
    use super::value::Value;
    if matches!(op, BinaryOp::And | BinaryOp::Or) {
        return None;
    }
    let constant = |n: &Node| match n {
        Node::Number(x) => Some(Value::Double(*x)),
        Node::Interval(i) => Some(Value::Interval(*i)),
        _ => None,
    };
    match super::exec::binary(op, constant(l)?, constant(r)?, 0) {
        Ok(Value::Double(x)) => Some(Node::Number(x)),
        Ok(Value::Interval(i)) => Some(Node::Interval(i)),
        _ => None,
    }
}
