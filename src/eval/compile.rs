//! Compile a checked formula once into a tree of nodes: the checker's resolved tree (every
//! name a table entry or a slot, every expression a type set) lowered without looking
//! anything up again; every node keeps the byte offset the service reports when it fails (D25).

use std::sync::Arc;

use crate::builtins::{Deallocation, Function, Method, Metric, PoolScalar, Target, TimestampField, VariableKind};
use crate::check::resolve::{Resolution, Resolved};
use crate::check::{check, Analysis};
use crate::diagnostic::Diagnostic;
use crate::ops::{self, Scalar};
use crate::syntax::ast::{Args, BinaryOp, ExprRef, StatementKind, UnaryOp, View};
use crate::syntax::{LineIndex, Span};
use crate::time::TimeInterval;
use crate::types::{Type, TypeSet};

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
    /// `$NodeDeallocationOption = <keyword>`: the untraced path sets it without running the
    /// statement's code (which gives the same keyword, for the traced path).
    Keyword(Deallocation),
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
        let mut analysis = check(src);
        if analysis.has_errors() {
            return Err(CompileError {
                analysis: Box::new(analysis),
                text: src.to_string(),
            });
        }
        let depth = analysis.formula.depth();
        let lowered = crate::deep::with_stack_for(depth, || {
            let mut compiler = Compiler {
                resolved: &analysis.resolved,
                constants: vec![None; analysis.variables.len()],
            };
            let mut statements = Vec::new();
            let mut lowering = Lowering::default();
            for statement in &analysis.formula.statements {
                match &statement.kind {
                    StatementKind::Assign { target, value } => {
                        let value = analysis.formula.get(*value);
                        let node = compiler.expr(value)?;
                        let destination = match compiler.name(target.span)? {
                            Resolution::Service(v) => match v.kind {
                                VariableKind::Target(t) => Destination::Target(t, v.alias_of.is_some()),
                                VariableKind::DeallocationOption => match node {
                                    Node::Keyword(k) => Destination::Keyword(k),
                                    _ => Destination::Deallocation,
                                },
                                _ => return Err(target.span),
                            },
                            Resolution::User(slot) => {
                                // Statements run in order and assign unconditionally, so from
                                // here on the variable holds this statement's constant, if any.
                                compiler.constants[slot] = match node {
                                    Node::Number(_) | Node::Interval(_) => Some(node.clone()),
                                    _ => None,
                                };
                                Destination::Var(slot)
                            }
                            _ => return Err(target.span),
                        };
                        statements.push(CompiledStatement {
                            destination,
                            code: lowering.lower(node),
                            value_pos: value.span.start,
                            span: statement.span,
                        });
                    }
                    StatementKind::Expr { expr } => {
                        let expr = analysis.formula.get(*expr);
                        let node = if compiler.metric_of(expr).is_some() {
                            Node::Nothing // D39: a bare metric name reads no sample.
                        } else {
                            compiler.expr(expr)?
                        };
                        statements.push(CompiledStatement {
                            destination: Destination::Discard,
                            code: lowering.lower(node),
                            value_pos: expr.span.start,
                            span: statement.span,
                        })
                    }
                    StatementKind::Error => return Err(statement.span),
                }
            }
            Ok((statements, lowering))
        });
        let (statements, lowering) = match lowered {
            Ok(lowered) => lowered,
            Err(span) => {
                // The checker resolves every name of a formula without errors; reaching this
                // is a bug, reported as an error instead of compiling a guess.
                analysis.diagnostics.push(Diagnostic::new(
                    crate::diagnostic::Code::UnexpectedToken,
                    span,
                    "internal error: the checker left this part of the formula unresolved",
                ));
                return Err(CompileError {
                    analysis: Box::new(analysis),
                    text: src.to_string(),
                });
            }
        };
        let names: Vec<String> = analysis.variables.iter().map(|v| v.name.clone()).collect();
        let mut result_order: Vec<usize> = (0..names.len()).collect();
        result_order.sort_by(|&a, &b| names[a].as_bytes().cmp(names[b].as_bytes()));
        Ok(Formula {
            source: src.to_string(),
            statements: statements.into(),
            strings: lowering.strings.into(),
            names,
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

/// Lowers the resolved tree of a formula without errors to nodes. A part the checker left
/// unresolved fails the compilation (`Err` with its span); nothing is looked up again.
struct Compiler<'r> {
    resolved: &'r Resolved,
    /// Per slot: the constant (a number or an interval) the latest assignment so far stores,
    /// so `maxNodes = 20; … min(maxNodes, $x)` and `$w = TimeInterval_Minute * 15;
    /// … GetSample($w)` read it without a variable lookup.
    constants: Vec<Option<Node>>,
}

type Lowered<T> = Result<T, Span>;

impl Compiler<'_> {
    /// What the name at `span` stands for.
    fn name(&self, span: Span) -> Lowered<Resolution> {
        self.resolved.name(span).ok_or(span)
    }

    /// Whether the expression's static type is exactly `double` (so the double-only path may
    /// read it).
    fn is_double(&self, e: ExprRef<'_>) -> bool {
        self.resolved.types(e.span) == TypeSet::of(Type::Double)
    }

    /// The sampled metric that `e` names, optionally in parentheses.
    fn metric_of(&self, e: ExprRef<'_>) -> Option<Metric> {
        let e = e.unparenthesized();
        match (e.kind(), self.resolved.name(e.span)?) {
            (View::Name { .. }, Resolution::Service(v)) => match v.kind {
                VariableKind::Metric(m) => Some(m),
                _ => None,
            },
            _ => None,
        }
    }

    fn exprs(&mut self, args: Args<'_>) -> Lowered<Vec<Node>> {
        args.iter().map(|a| self.expr(a)).collect()
    }

    fn expr(&mut self, e: ExprRef<'_>) -> Lowered<Node> {
        let pos = e.span.start;
        Ok(match e.kind() {
            View::Number { value } => Node::Number(*value),
            View::String { value } => Node::Str(value.as_str().into()),
            View::Paren { inner } => self.expr(inner)?,
            View::Name { .. } => match self.name(e.span)? {
                Resolution::Service(v) => match v.kind {
                    // A read sees the latest write through either name (D51).
                    VariableKind::Target(t) if self.is_double(e) => Node::Target(t),
                    VariableKind::Target(t) => Node::TargetValue(t),
                    VariableKind::DeallocationOption => Node::Deallocation,
                    VariableKind::Scalar(s) => Node::Scalar(s),
                    VariableKind::Metric(m) => Node::MetricValue(m, pos),
                },
                Resolution::User(slot) => match &self.constants[slot] {
                    Some(constant) => constant.clone(),
                    None if self.is_double(e) => Node::NumVar(slot),
                    None => Node::Var(slot),
                },
                Resolution::Constant(c) => Node::Interval(c.value),
                Resolution::Keyword(k) => Node::Keyword(k.value),
                Resolution::Function(_) | Resolution::Method(_) | Resolution::Field(_) => return Err(e.span),
            },
            View::Unary { op, operand } => {
                let operand = self.expr(operand)?;
                fold_unary(*op, &operand).unwrap_or_else(|| Node::Unary(*op, Box::new(operand), pos))
            }
            View::Binary { op, left, right } => {
                let (l, r) = (Box::new(self.expr(left)?), Box::new(self.expr(right)?));
                if let Some(folded) = fold_binary(*op, &l, &r) {
                    return Ok(folded);
                }
                match op {
                    BinaryOp::And => Node::And(l, r, pos),
                    BinaryOp::Or => Node::Or(l, r, pos),
                    _ if l.is_num() && r.is_num() => Node::Arith(*op, l, r),
                    _ => Node::Binary(*op, l, r, pos),
                }
            }
            View::Conditional {
                condition,
                then_branch,
                else_branch,
            } => {
                let (c, a, b) = (
                    Box::new(self.expr(condition)?),
                    Box::new(self.expr(then_branch)?),
                    Box::new(self.expr(else_branch)?),
                );
                if a.is_num() && b.is_num() {
                    Node::NumCond(c, a, b, condition.span.start)
                } else {
                    Node::Cond(c, a, b, condition.span.start)
                }
            }
            View::Call { function, args, .. } => match self.name(function.span)? {
                Resolution::Function(f) => Node::Call(f.function, self.exprs(args)?, pos),
                _ => return Err(function.span),
            },
            View::Member { object, member } => match self.name(member.span)? {
                Resolution::Field(f) => Node::Field(f.field, Box::new(self.expr(object)?), pos),
                _ => return Err(member.span),
            },
            View::MethodCall {
                object,
                method,
                args,
                open_paren,
            } => {
                let metric = self.metric_of(object).ok_or(object.span)?;
                let Resolution::Method(m) = self.name(method.span)? else {
                    return Err(method.span);
                };
                Node::Sample(metric, m.method, SampleArgs::new(self.exprs(args)?), open_paren.start)
            }
            View::Error => return Err(e.span),
        })
    }
}

/// A constant operand (a number or an interval) of the operators.
fn constant(n: &Node) -> Option<Scalar<'static>> {
    match n {
        Node::Number(x) => Some(Scalar::Double(*x)),
        Node::Interval(i) => Some(Scalar::Interval(*i)),
        _ => None,
    }
}

/// A constant result back as a node.
fn constant_node(s: Scalar<'_>) -> Option<Node> {
    match s {
        Scalar::Double(x) => Some(Node::Number(x)),
        Scalar::Interval(i) => Some(Node::Interval(i)),
        Scalar::Timestamp(_) | Scalar::Str(_) => None,
    }
}

/// Constant folding of a prefix operator (`-5`, `-TimeInterval_Hour`), with the run-time
/// definition; an operation that would fail is left for run time.
fn fold_unary(op: UnaryOp, operand: &Node) -> Option<Node> {
    constant_node(ops::unary(op, constant(operand)?).ok()?)
}

/// Constant folding: `TimeInterval_Minute * 15` and `2 * 3` become constants at compile time.
/// Only doubles and intervals are folded, with exactly the run-time arithmetic; a combination
/// that would fail (a type error, an overflow) is left for run time so it fails where it did.
fn fold_binary(op: BinaryOp, l: &Node, r: &Node) -> Option<Node> {
    constant_node(ops::binary(op, constant(l)?, constant(r)?).ok()?)
}
