//! The evaluation schedule that replay and simulation share: which ticks there are, and one
//! evaluation at a tick.

use crate::builtins::Deallocation;
use crate::eval::{AppliedTargets, EvalContext, Formula, PoolState};
use crate::time::{TimeInterval, Timestamp};

use super::timeline::{ErrorCode, ReplayRow};

/// Why a replay cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The interval is outside 5 minutes … 168 hours (the service rejects it), e.g. `PT1M`.
    #[error("the evaluation interval must be between 5 minutes and 168 hours (the service rejects others), got {0}")]
    Interval(String),
    /// `end` is before `start`.
    #[error("the end ({end}) is before the start ({start})")]
    EndBeforeStart {
        /// Start.
        start: String,
        /// End.
        end: String,
    },
    /// More evaluations than this tool will run in one replay (10 million).
    #[error("{0} evaluations is too many for one replay; shorten the period or lengthen the interval")]
    TooManyEvaluations(u64),
    /// A requested column is not a user variable of the formula, e.g. `--columns $taks`, with
    /// the closest variable name if one is close.
    #[error("`{0}` is not a variable of the formula{hint}", hint = .1.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownColumn(String, Option<String>),
}

const MIN_INTERVAL: i64 = 5 * 60 * 10_000_000;
const MAX_INTERVAL: i64 = 168 * 3600 * 10_000_000;

/// Check the evaluation schedule (interval 5 minutes … 168 hours, §7.2; end not before start;
/// at most 10 million evaluations) and return the number of evaluations.
pub(crate) fn check_schedule(start: Timestamp, end: Timestamp, interval: TimeInterval) -> Result<u64, ReplayError> {
    if interval.0 < MIN_INTERVAL || interval.0 > MAX_INTERVAL {
        return Err(ReplayError::Interval(interval.format_iso8601()));
    }
    if end < start {
        return Err(ReplayError::EndBeforeStart {
            start: start.format_results(),
            end: end.format_results(),
        });
    }
    let count = ((end.0 - start.0) / interval.0) as u64 + 1;
    if count > 10_000_000 {
        return Err(ReplayError::TooManyEvaluations(count));
    }
    Ok(count)
}

/// Check that every requested column is a user variable of the formula.
pub(crate) fn check_columns(formula: &Formula, columns: &[String]) -> Result<(), ReplayError> {
    let names: Vec<&str> = formula.variable_names().collect();
    match columns.iter().find(|c| !names.contains(&c.as_str())) {
        Some(c) => Err(ReplayError::UnknownColumn(
            c.clone(),
            crate::builtins::closest(c, names.iter().copied()).map(str::to_string),
        )),
        None => Ok(()),
    }
}

/// One evaluation at a tick, before the pool applies it.
pub(crate) struct Tick {
    /// The targets, when the evaluation succeeded.
    pub applied: Option<AppliedTargets>,
    /// The error code and `Line L, Col C: …` text, when it failed.
    pub error: Option<(ErrorCode, Option<String>)>,
    /// The requested user variables.
    pub columns: Vec<Option<String>>,
    /// The full results string, when asked for.
    pub results: Option<String>,
}

/// Evaluate at one tick: the fast path when neither columns nor results are wanted.
pub(crate) fn evaluate_tick(formula: &Formula, ctx: &EvalContext<'_>, columns: &[String], full_results: bool) -> Tick {
    if !full_results && columns.is_empty() {
        return match formula.evaluate_targets(ctx) {
            Ok(a) => Tick {
                applied: Some(a),
                error: None,
                columns: Vec::new(),
                results: None,
            },
            Err(e) => Tick {
                applied: None,
                error: Some((e.kind.into(), Some(formula.error_text(&e)))),
                columns: Vec::new(),
                results: None,
            },
        };
    }
    let evaluation = formula.evaluate(ctx);
    let columns = columns.iter().map(|c| evaluation.variable(c).map(|v| v.value.clone())).collect();
    let applied = evaluation.outcome.as_ref().ok().copied();
    let code: Option<ErrorCode> = evaluation.outcome.as_ref().err().map(|e| e.kind.into());
    let run = evaluation.into_run();
    let error = code.map(|code| (code, run.error.and_then(|r| r.values.into_iter().next()).map(|v| v.value)));
    Tick {
        applied,
        error,
        columns,
        results: full_results.then_some(run.results),
    }
}

impl Tick {
    /// The timeline row of this tick: `pool` holds the targets after it.
    pub(crate) fn into_row(self, time: Timestamp, pool: &PoolState, deallocation: Deallocation) -> ReplayRow {
        let (error, error_message) = match self.error {
            Some((code, message)) => (Some(code), message),
            None => (None, None),
        };
        ReplayRow {
            time,
            target_dedicated: pool.target_dedicated_nodes as u64,
            target_low_priority: pool.target_low_priority_nodes as u64,
            deallocation,
            current_dedicated: pool.current_dedicated_nodes,
            current_low_priority: pool.current_low_priority_nodes,
            error,
            error_message,
            columns: self.columns,
            results: self.results,
        }
    }
}

/// The time of evaluation `count - 1`.
pub(crate) fn last_evaluation(start: Timestamp, interval: TimeInterval, count: u64) -> Timestamp {
    Timestamp(start.0 + (count.saturating_sub(1) as i64) * interval.0)
}
