//! The service-shaped result of an evaluation (`AutoScaleRun`, §7.4, D25, D28) and the richer
//! [`Evaluation`] with the final values and an optional trace.

use serde::{Deserialize, Serialize};

use crate::builtins::{Deallocation, Metric, Target};
use crate::check::Analysis;
use crate::diagnostic::ServiceErrorKind;
use crate::format::write_double;
use crate::syntax::{LineIndex, Span};
use crate::time::Timestamp;

use super::compile::{CompileError, Formula};
use super::context::EvalContext;
use super::exec::{with_vars, Machine, TargetState};
use super::value::Value;

/// `{name, value}`, as the REST API's `NameValuePair`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameValuePair {
    /// The name (the service uses `Message`).
    pub name: String,
    /// The value.
    pub value: String,
}

/// The error of an unsuccessful evaluation, as the REST API's `AutoScaleRunError`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoScaleRunError {
    /// Machine-readable code, e.g. `InsufficientSampleData`.
    pub code: String,
    /// Text for people.
    pub message: String,
    /// Details: one `Message` entry, `Line L, Col C: …`.
    #[serde(default)]
    pub values: Vec<NameValuePair>,
}

/// The result of one evaluation, shaped as the REST API's `AutoScaleRun`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoScaleRun {
    /// When the formula was evaluated (RFC 3339, 7 fractional digits).
    pub timestamp: String,
    /// `$name=value` pairs separated by `;` (D28).
    pub results: String,
    /// Present only when the evaluation failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AutoScaleRunError>,
}

/// The kind of a run-time failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EvalErrorKind {
    /// Too few samples in a window (`InsufficientSampleData`).
    InsufficientSampleData,
    /// Any other run-time error (`AutoScalingFormulaEvaluationError`).
    Evaluation,
}

impl EvalErrorKind {
    /// The service's code.
    pub fn code(self) -> &'static str {
        match self {
            EvalErrorKind::InsufficientSampleData => "InsufficientSampleData",
            EvalErrorKind::Evaluation => "AutoScalingFormulaEvaluationError",
        }
    }

    /// The service's message for the code.
    pub fn service_message(self) -> &'static str {
        match self {
            EvalErrorKind::InsufficientSampleData => "Autoscale evaluation failed due to insufficient sample data",
            EvalErrorKind::Evaluation => "Autoscale formula evaluation failed",
        }
    }
}

/// A run-time failure: what and where (a byte offset into the formula).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// What kind.
    pub kind: EvalErrorKind,
    /// Byte offset of the failing expression (the `(` of a sample method, D25).
    pub pos: u32,
    /// What went wrong.
    pub message: String,
}

/// The targets an evaluation applies (D14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppliedTargets {
    /// Dedicated nodes.
    pub dedicated: u64,
    /// Spot/low-priority nodes.
    pub low_priority: u64,
    /// What happens to tasks on removed nodes.
    pub deallocation: Deallocation,
}

/// One thing that happened during a traced evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum TraceEvent {
    /// A statement finished with this value.
    Statement {
        /// Index of the statement.
        statement: usize,
        /// Where the statement is.
        span: Span,
        /// Its value as the results string would print it.
        value: String,
    },
    /// A `?:` chose a branch.
    Branch {
        /// Byte offset of the condition.
        pos: u32,
        /// Whether the first branch was taken.
        taken_then: bool,
    },
    /// A sample method read samples.
    Samples {
        /// Byte offset of the method's `(`.
        pos: u32,
        /// Which metric.
        metric: Metric,
        /// How many samples it saw.
        returned: usize,
        /// How many the count form asked for (`GetSample(n)`; `None` for windows).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        requested: Option<usize>,
        /// How many a full window holds (window forms only).
        expected: Option<usize>,
        /// The percentage available (window forms only).
        percent: Option<f64>,
    },
    /// `stop()` ended the evaluation in this statement.
    Stop {
        /// Index of the statement.
        statement: usize,
    },
}

impl TraceEvent {
    /// The event as `eval --trace` shows it, positions given as line and column by `at` (the
    /// formula's own [`LineIndex`], or a map into the file the formula came from). A statement
    /// gives two lines: its text (cut after 70 characters) and `=> value`.
    ///
    /// ```
    /// use batch_autoscale::{LineIndex, TraceEvent, Span};
    /// let src = "x = 1 + 2;";
    /// let index = LineIndex::new(src);
    /// let event = TraceEvent::Statement { statement: 0, span: Span::new(0, 9), value: "3".into() };
    /// assert_eq!(event.describe(src, |o| index.line_col(o)), "line   1  x = 1 + 2\n=> 3");
    /// ```
    pub fn describe(&self, src: &str, at: impl Fn(usize) -> crate::syntax::LineCol) -> String {
        match self {
            TraceEvent::Statement { span, value, .. } => {
                let line = at(span.start as usize).line;
                let text = src.get(span.start as usize..span.end as usize).unwrap_or("");
                let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let short: String = text.chars().take(70).collect();
                let ellipsis = if text.chars().count() > 70 { "…" } else { "" };
                format!("line {line:>3}  {short}{ellipsis}\n=> {value}")
            }
            TraceEvent::Branch { pos, taken_then } => {
                let lc = at(*pos as usize);
                let which = if *taken_then { "first (true)" } else { "second (false)" };
                format!("{}:{}  ?: took the {which} branch", lc.line, lc.column)
            }
            TraceEvent::Samples {
                pos,
                metric,
                returned,
                requested,
                expected,
                percent,
            } => {
                let lc = at(*pos as usize);
                match (expected, percent) {
                    (Some(e), Some(p)) => format!(
                        "{}:{}  {} window: {returned} of {e} expected samples ({}%)",
                        lc.line,
                        lc.column,
                        metric.name(),
                        crate::format::format_double(*p)
                    ),
                    _ => format!(
                        "{}:{}  {} last samples: {returned} of {} asked for",
                        lc.line,
                        lc.column,
                        metric.name(),
                        requested.unwrap_or(*returned)
                    ),
                }
            }
            TraceEvent::Stop { statement } => format!("stop() in statement {}", statement + 1),
        }
    }
}

/// A user variable's final value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariableValue {
    /// The name as written.
    pub name: String,
    /// The value as the results string prints it.
    pub value: String,
    /// The value as a double, when it is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<f64>,
}

/// Everything about one evaluation, as [`Formula::evaluate`] returns it.
///
/// Whether it succeeded is told in one place, [`outcome`](Evaluation::outcome): the applied
/// targets, or the run-time error. [`run`](Evaluation::run) gives the same result in the
/// service's shape.
///
/// ```
/// use batch_autoscale::{EvalContext, EvalErrorKind, Formula, MetricStore, Timestamp};
///
/// let metrics = MetricStore::new();
/// let context = EvalContext::new("2026-11-23T12:00:00Z".parse().unwrap(), &metrics);
/// let formula = Formula::compile("$x = 4; $TargetDedicatedNodes = $x * 2;").unwrap();
/// let evaluation = formula.evaluate(&context);
/// assert_eq!(evaluation.outcome.as_ref().map(|t| t.dedicated), Ok(8));
/// assert_eq!(evaluation.variable("$x").unwrap().number, Some(4.0));
///
/// // No samples: the window holds 0 % of them, not the 70 % asked for.
/// let formula = Formula::compile("$TargetDedicatedNodes = avg($PendingTasks.GetSample(TimeInterval_Minute * 5, 70));").unwrap();
/// let evaluation = formula.evaluate(&context);
/// let error = evaluation.outcome.as_ref().unwrap_err();
/// assert_eq!(error.kind, EvalErrorKind::InsufficientSampleData);
/// assert_eq!(evaluation.run().error.as_ref().unwrap().code, "InsufficientSampleData");
/// assert!(evaluation.variables.is_empty());
/// # let _: Timestamp = context.now;
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The targets applied, or why the evaluation failed at run time.
    pub outcome: Result<AppliedTargets, EvalError>,
    /// Final values of the assigned user variables, in results order (empty on failure).
    pub variables: Vec<VariableValue>,
    /// Things the service does silently, e.g. a negative target applied as 0.
    pub warnings: Vec<String>,
    /// What happened, when tracing was asked for ([`Formula::evaluate_traced`]).
    pub trace: Vec<TraceEvent>,
    /// The same result in the service's shape.
    run: AutoScaleRun,
}

impl Evaluation {
    /// The final value of a user variable.
    pub fn variable(&self, name: &str) -> Option<&VariableValue> {
        self.variables.iter().find(|v| v.name == name)
    }

    /// The result in the service's shape, as the REST API's `AutoScaleRun`: its `error` is
    /// present exactly when [`outcome`](Evaluation::outcome) is an error, and then says where
    /// (`Line L, Col C: …`).
    pub fn run(&self) -> &AutoScaleRun {
        &self.run
    }

    /// [`run`](Evaluation::run), by value.
    pub fn into_run(self) -> AutoScaleRun {
        self.run
    }
}

fn line_col_text(index: &LineIndex, pos: u32, message: &str) -> String {
    let lc = index.line_col(pos as usize);
    format!("Line {}, Col {}: {}", lc.line, lc.column, message)
}

/// The results string of a failed evaluation: the three service variables at their initial
/// values (D25).
fn initial_results(ctx: &EvalContext<'_>) -> String {
    let mut s = String::with_capacity(96);
    s.push_str("$TargetDedicatedNodes=");
    write_double(ctx.pool.target_dedicated_nodes, &mut s);
    s.push_str(";$TargetLowPriorityNodes=");
    write_double(ctx.pool.target_low_priority_nodes, &mut s);
    s.push_str(";$NodeDeallocationOption=requeue");
    s
}

/// Apply a target (D14, D42): the value it holds when the evaluation ends must be a finite
/// double; negative → 0, a fraction truncated toward zero. Returns the applied value as a
/// double (what the results string prints, D42) and as a count (saturating at `u64::MAX`).
#[inline]
fn apply(value: &Value<'_>, target: Target, pos: u32, warnings: &mut Vec<String>) -> Result<(f64, u64), EvalError> {
    if let Value::Double(x) = *value {
        // Below 2^53 `as` truncates toward zero exactly as `trunc` does (and needs no libm
        // call; `copysign` keeps the sign of -0); from 2^53 on every double is a whole number.
        if (0.0..TWO_POW_53).contains(&x) {
            let whole = x as u64;
            return Ok(((whole as f64).copysign(x), whole));
        }
        if x >= TWO_POW_53 && x.is_finite() {
            // `as` saturates at u64::MAX.
            return Ok((x, x as u64));
        }
    }
    apply_unusual(value, target.name(), pos, warnings)
}

/// The count [`apply`] gives a target that was last assigned through its canonical name (or
/// never) and holds a double in `[0, 2^53)`: truncated toward zero; `None` for anything else.
#[inline(always)]
fn plain_count(target: &TargetState<'_>) -> Option<u64> {
    match (&target.canonical_saved, &target.current) {
        (None, Value::Double(x)) if (0.0..TWO_POW_53).contains(x) => Some(*x as u64),
        _ => None,
    }
}

/// 2^53: every double from here on is a whole number.
const TWO_POW_53: f64 = 9_007_199_254_740_992.0;

/// [`apply`] for a target that is not a finite non-negative double.
#[cold]
#[inline(never)]
fn apply_unusual(value: &Value<'_>, name: &str, pos: u32, warnings: &mut Vec<String>) -> Result<(f64, u64), EvalError> {
    let x = match value {
        Value::Double(x) => *x,
        other => {
            return Err(EvalError {
                kind: EvalErrorKind::Evaluation,
                pos,
                message: format!("{name} must be a double when the evaluation ends, not a {}", other.type_of().name()),
            })
        }
    };
    if !x.is_finite() {
        return Err(EvalError {
            kind: EvalErrorKind::Evaluation,
            pos,
            message: format!(
                "{name} is {} when the evaluation ends; a target must be a finite number",
                crate::format::format_double(x)
            ),
        });
    }
    if x < 0.0 {
        warnings.push(format!(
            "{name} is {}; a negative target is applied as 0",
            crate::format::format_double(x)
        ));
        return Ok((0.0, 0));
    }
    let whole = x.trunc();
    Ok((whole, whole as u64))
}

/// Apply both targets of a finished run (D14, D15, D42): `(dedicated, low priority)`, each as
/// the printed double and the applied count.
fn apply_targets(m: &Machine<'_, '_>, warnings: &mut Vec<String>) -> Result<[(f64, u64); 2], EvalError> {
    let (value, pos) = m.targets[Target::Dedicated as usize].final_value();
    let dedicated = apply(value, Target::Dedicated, pos, warnings)?;
    let (value, pos) = m.targets[Target::LowPriority as usize].final_value();
    let low_priority = apply(value, Target::LowPriority, pos, warnings)?;
    Ok([dedicated, low_priority])
}

impl Formula {
    /// Evaluate once. Never panics; a run-time failure is the `Err` of the
    /// [`outcome`](Evaluation::outcome), and the service's error in its [`run`](Evaluation::run).
    ///
    /// ```
    /// use batch_autoscale::{EvalContext, Formula, MetricStore, Timestamp};
    /// let formula = Formula::compile("$TargetDedicatedNodes = -3; $TargetLowPriorityNodes = 2.7;").unwrap();
    /// let metrics = MetricStore::new();
    /// let evaluation = formula.evaluate(&EvalContext::new(Timestamp(0), &metrics));
    /// let targets = evaluation.outcome.as_ref().unwrap();
    /// assert_eq!((targets.dedicated, targets.low_priority), (0, 2));
    /// assert_eq!(evaluation.warnings, ["$TargetDedicatedNodes is -3; a negative target is applied as 0"]);
    /// assert_eq!(evaluation.run().timestamp, "1970-01-01T00:00:00.0000000Z");
    /// ```
    pub fn evaluate(&self, ctx: &EvalContext<'_>) -> Evaluation {
        self.evaluate_with(ctx, false)
    }

    /// Evaluate once and record a trace of every statement, branch and sample read.
    ///
    /// ```
    /// use batch_autoscale::{EvalContext, Formula, MetricStore, Timestamp, TraceEvent};
    /// let formula = Formula::compile("$TargetDedicatedNodes = 1 > 2 ? 5 : 7;").unwrap();
    /// let metrics = MetricStore::new();
    /// let evaluation = formula.evaluate_traced(&EvalContext::new(Timestamp(0), &metrics));
    /// assert!(matches!(evaluation.trace[0], TraceEvent::Branch { taken_then: false, .. }));
    /// assert!(matches!(&evaluation.trace[1], TraceEvent::Statement { value, .. } if value == "7"));
    /// ```
    pub fn evaluate_traced(&self, ctx: &EvalContext<'_>) -> Evaluation {
        self.evaluate_with(ctx, true)
    }

    /// Evaluate once and return only the [`outcome`](Evaluation::outcome): the applied targets
    /// or the error, without the results string, the variables or warnings (the fast path
    /// replay takes).
    ///
    /// ```
    /// use batch_autoscale::{EvalContext, EvalErrorKind, Formula, MetricStore, Timestamp};
    /// let metrics = MetricStore::new();
    /// let context = EvalContext::new(Timestamp(0), &metrics);
    /// let formula = Formula::compile("$TargetDedicatedNodes = 4;").unwrap();
    /// assert_eq!(formula.evaluate_targets(&context).unwrap().dedicated, 4);
    /// let formula = Formula::compile("$TargetDedicatedNodes = avg($CPUPercent.GetSample(TimeInterval_Minute, 70));").unwrap();
    /// assert_eq!(formula.evaluate_targets(&context).unwrap_err().kind, EvalErrorKind::InsufficientSampleData);
    /// ```
    pub fn evaluate_targets(&self, ctx: &EvalContext<'_>) -> Result<AppliedTargets, EvalError> {
        crate::deep::with_stack_for(self.depth, || self.evaluate_targets_here(ctx))
    }

    fn evaluate_targets_here(&self, ctx: &EvalContext<'_>) -> Result<AppliedTargets, EvalError> {
        with_vars(self.names.len(), |vars| {
            let mut m = Machine::new(self, ctx, vars, false);
            m.run(self)?;
            // The usual case, both targets a plain count: what `apply` gives, without the
            // warnings and the printed values. Then the state owns nothing (the variables are
            // the caller's, the targets hold doubles, there is no trace): it needs no drop.
            let [dedicated, low_priority] = &m.targets;
            if let (Some(dedicated), Some(low_priority)) = (plain_count(dedicated), plain_count(low_priority)) {
                let deallocation = m.deallocation;
                debug_assert!(m.trace.is_none());
                std::mem::forget(m);
                return Ok(AppliedTargets {
                    dedicated,
                    low_priority,
                    deallocation,
                });
            }
            let [(_, dedicated), (_, low_priority)] = apply_targets(&m, &mut Vec::new())?;
            Ok(AppliedTargets {
                dedicated,
                low_priority,
                deallocation: m.deallocation,
            })
        })
    }

    /// A run-time error's text as the service reports it: `Line L, Col C: message` (D25).
    pub(crate) fn error_text(&self, e: &EvalError) -> String {
        line_col_text(self.line_index(), e.pos, &e.message)
    }

    fn evaluate_with(&self, ctx: &EvalContext<'_>, trace: bool) -> Evaluation {
        crate::deep::with_stack_for(self.depth, || self.evaluate_here(ctx, trace))
    }

    fn evaluate_here(&self, ctx: &EvalContext<'_>, trace: bool) -> Evaluation {
        let timestamp = ctx.now.format_rfc3339_7();
        with_vars(self.names.len(), |vars| {
            let mut m = Machine::new(self, ctx, vars, trace);
            let mut warnings = Vec::new();
            let outcome = m.run(self).and_then(|()| apply_targets(&m, &mut warnings));
            let trace_events = m.trace.take().unwrap_or_default();
            match outcome {
                Ok([(dedicated_printed, dedicated), (low_priority_printed, low_priority)]) => {
                    let applied = AppliedTargets {
                        dedicated,
                        low_priority,
                        deallocation: m.deallocation,
                    };
                    // D42: the applied value, truncated, printed with the D29 rules.
                    let mut results = String::with_capacity(128);
                    results.push_str("$TargetDedicatedNodes=");
                    write_double(dedicated_printed, &mut results);
                    results.push_str(";$TargetLowPriorityNodes=");
                    write_double(low_priority_printed, &mut results);
                    results.push_str(";$NodeDeallocationOption=");
                    results.push_str(applied.deallocation.name());
                    let mut variables = Vec::new();
                    for &slot in &self.result_order {
                        if let Some(value) = &m.vars[slot] {
                            let text = value.to_results_string();
                            results.push(';');
                            results.push_str(&self.names[slot]);
                            results.push('=');
                            results.push_str(&text);
                            variables.push(VariableValue {
                                name: self.names[slot].clone(),
                                value: text,
                                number: match value {
                                    Value::Double(x) => Some(*x),
                                    _ => None,
                                },
                            });
                        }
                    }
                    Evaluation {
                        run: AutoScaleRun {
                            timestamp,
                            results,
                            error: None,
                        },
                        outcome: Ok(applied),
                        variables,
                        warnings,
                        trace: trace_events,
                    }
                }
                Err(e) => Evaluation {
                    run: AutoScaleRun {
                        timestamp,
                        results: initial_results(ctx),
                        error: Some(AutoScaleRunError {
                            code: e.kind.code().to_string(),
                            message: e.kind.service_message().to_string(),
                            values: vec![NameValuePair {
                                name: "Message".to_string(),
                                value: self.error_text(&e),
                            }],
                        }),
                    },
                    outcome: Err(e),
                    variables: Vec::new(),
                    warnings,
                    trace: trace_events,
                },
            }
        })
    }
}

/// The service-shaped result for a formula that does not compile (D26): not evaluated, the
/// service variables at their initial values, the first error's position and message.
pub fn run_for_errors(analysis: &Analysis, src: &str, ctx: &EvalContext<'_>) -> AutoScaleRun {
    let index = LineIndex::new(src);
    let error = analysis.service_error().map(|d| {
        let kind = d.code.service_error().unwrap_or(ServiceErrorKind::Evaluation);
        let message = match kind {
            ServiceErrorKind::TooLong => "The specified auto-scaling formula is too long",
            ServiceErrorKind::Syntax => "The specified auto-scaling formula has a syntax error",
            ServiceErrorKind::Evaluation => EvalErrorKind::Evaluation.service_message(),
        };
        AutoScaleRunError {
            code: kind.code().to_string(),
            message: message.to_string(),
            values: vec![NameValuePair {
                name: "Message".to_string(),
                value: line_col_text(&index, d.span.start, &d.message),
            }],
        }
    });
    AutoScaleRun {
        timestamp: ctx.now.format_rfc3339_7(),
        results: initial_results(ctx),
        error,
    }
}

/// Compile and evaluate `src` in one step, as the evaluate API does: a formula with errors
/// gives the service-shaped error (D26) instead of a result.
///
/// ```
/// use batch_autoscale::{evaluate_source, EvalContext, MetricStore, Timestamp};
/// let metrics = MetricStore::new();
/// let context = EvalContext::new(Timestamp(0), &metrics);
/// let run = evaluate_source("$TargetDedicatedNodes = 3;", &context);
/// assert_eq!(run.results, "$TargetDedicatedNodes=3;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue");
/// assert!(run.error.is_none());
///
/// let run = evaluate_source("$TargetDedicatedNodes = 3 +;", &context);
/// let error = run.error.unwrap();
/// assert_eq!(error.code, "AutoScalingFormulaSyntaxError");
/// assert!(error.values[0].value.starts_with("Line 1, Col 28: "), "{}", error.values[0].value);
/// ```
pub fn evaluate_source(src: &str, ctx: &EvalContext<'_>) -> AutoScaleRun {
    match Formula::compile(src) {
        Ok(formula) => formula.evaluate(ctx).into_run(),
        Err(CompileError { analysis, text }) => run_for_errors(&analysis, &text, ctx),
    }
}

/// A compiled formula and a timestamp can be shared between threads (checked at compile time).
const fn assert_send_sync<T: Send + Sync>() {}
const _: () = {
    assert_send_sync::<Formula>();
    assert_send_sync::<Timestamp>();
};
