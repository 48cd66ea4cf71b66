//! Replay: evaluate a formula at every evaluation tick over recorded history, carrying the
//! pool's targets from one evaluation to the next (a failed evaluation leaves them unchanged,
//! LANGUAGE.md §7.4), with samples visible after the publication delay (D22, 30 s by default).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::builtins::{Deallocation, PoolScalar};
use crate::data::MetricData;
use crate::eval::{AppliedTargets, EvalContext, Formula, PoolState, RandomSource};
use crate::time::{TimeInterval, Timestamp};

use super::report::Table;
use super::svg::TimelinePlot;

/// How to replay.
#[derive(Debug, Clone)]
pub struct ReplayConfig {
    /// First evaluation time.
    pub start: Timestamp,
    /// No evaluation after this time.
    pub end: Timestamp,
    /// Time between evaluations: 5 minutes to 168 hours (default 15 minutes, §7.2).
    pub interval: TimeInterval,
    /// Samples are visible this long after they are taken (default 30 s, D22).
    pub publication_delay: TimeInterval,
    /// The pool before the first evaluation (targets, current nodes, slots per node).
    pub initial_pool: PoolState,
    /// When the data has no `$CurrentDedicatedNodes`/`$CurrentLowPriorityNodes`, current nodes
    /// reach a new target this long after the evaluation that set it (default 5 minutes).
    pub allocation_delay: TimeInterval,
    /// Seed of `rand()`; evaluation k uses `seed + k`.
    pub seed: u64,
    /// User variables to record in each row.
    pub columns: Vec<String>,
    /// Record the full `results` string of every evaluation (slower).
    pub full_results: bool,
}

impl ReplayConfig {
    /// Defaults: 15-minute interval, 30 s publication delay, empty pool, 5-minute allocation.
    pub fn new(start: Timestamp, end: Timestamp) -> ReplayConfig {
        ReplayConfig {
            start,
            end,
            interval: TimeInterval::MINUTE.checked_mul_f64(15.0).unwrap_or(TimeInterval::MINUTE),
            publication_delay: TimeInterval::SECOND.checked_mul_f64(30.0).unwrap_or(TimeInterval::ZERO),
            initial_pool: PoolState::default(),
            allocation_delay: TimeInterval::MINUTE.checked_mul_f64(5.0).unwrap_or(TimeInterval::ZERO),
            seed: 0,
            columns: Vec::new(),
            full_results: false,
        }
    }
}

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

/// One evaluation of the replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplayRow {
    /// Evaluation time.
    pub time: Timestamp,
    /// `$TargetDedicatedNodes` after the evaluation (unchanged when it failed).
    pub target_dedicated: u64,
    /// `$TargetLowPriorityNodes` after the evaluation.
    pub target_low_priority: u64,
    /// `$NodeDeallocationOption` of the last successful evaluation.
    pub deallocation: Deallocation,
    /// `$CurrentDedicatedNodes` the formula saw.
    pub current_dedicated: f64,
    /// `$CurrentLowPriorityNodes` the formula saw.
    pub current_low_priority: f64,
    /// The error code when the evaluation failed.
    pub error: Option<String>,
    /// The error's `Line L, Col C: …` text.
    pub error_message: Option<String>,
    /// The requested user variables (`None` when not assigned or the evaluation failed).
    pub columns: Vec<Option<String>>,
    /// The full results string, when asked for.
    pub results: Option<String>,
}

/// Failures of one error code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FailureSummary {
    /// How many evaluations failed with it.
    pub count: u64,
    /// First failure.
    pub first: Timestamp,
    /// Last failure.
    pub last: Timestamp,
}

/// Min, max and mean of a target over the replay.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetStats {
    /// Smallest value.
    pub min: u64,
    /// Largest value.
    pub max: u64,
    /// Mean over evaluations.
    pub mean: f64,
}

/// The replay in numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplaySummary {
    /// Number of evaluations.
    pub evaluations: u64,
    /// Failed evaluations by error code.
    pub failures: BTreeMap<String, FailureSummary>,
    /// Time from the start to the first evaluation with a non-zero target (either kind).
    pub time_to_first_nonzero: Option<TimeInterval>,
    /// `$TargetDedicatedNodes` statistics.
    pub dedicated: TargetStats,
    /// `$TargetLowPriorityNodes` statistics.
    pub low_priority: TargetStats,
    /// Dedicated node-hours implied by the current nodes between evaluations.
    pub dedicated_node_hours: f64,
    /// Low-priority node-hours implied by the current nodes between evaluations.
    pub low_priority_node_hours: f64,
}

/// A replay: one row per evaluation and the summary.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    /// The requested column names.
    pub columns: Vec<String>,
    /// One row per evaluation.
    pub rows: Vec<ReplayRow>,
    /// Totals.
    pub summary: ReplaySummary,
    /// The plot of the rows, when it was built while they streamed by (the rows are then not
    /// kept; see [`run_variants`](super::run_variants)).
    #[serde(skip)]
    pub plot: Option<Box<TimelinePlot>>,
}

impl Replay {
    /// The timeline as a table: time, targets, deallocation, current nodes, error, columns.
    pub fn table(&self) -> Table {
        timeline_table(&[], &self.columns, self.rows.iter().map(|r| (r, Vec::new())))
    }

    /// The timeline as CSV (the [`table`](Replay::table)).
    pub fn to_csv(&self) -> String {
        self.table().to_csv()
    }

    /// The header of the CSV timeline with these user-variable `columns`.
    pub fn csv_header(columns: &[String]) -> Vec<String> {
        timeline_header(&[], columns)
    }
}

impl ReplayRow {
    /// The cells of this row in the CSV timeline (see [`Replay::csv_header`]).
    pub fn cells(&self) -> Vec<String> {
        let mut cells = row_cells(self);
        cells.extend(self.columns.iter().map(|v| v.clone().unwrap_or_default()));
        cells
    }
}

/// The timeline columns every evaluation row has.
const TIMELINE_HEADER: [&str; 7] = [
    "time",
    "targetDedicatedNodes",
    "targetLowPriorityNodes",
    "nodeDeallocationOption",
    "currentDedicatedNodes",
    "currentLowPriorityNodes",
    "error",
];

/// A timeline: [`TIMELINE_HEADER`], then `extra` columns, then the user variables `columns`;
/// each row with its cells for `extra`.
pub(crate) fn timeline_table<'a>(extra: &[&str], columns: &[String], rows: impl Iterator<Item = (&'a ReplayRow, Vec<String>)>) -> Table {
    Table {
        header: timeline_header(extra, columns),
        rows: rows
            .map(|(r, extra)| {
                let mut cells = row_cells(r);
                cells.extend(extra);
                cells.extend(r.columns.iter().map(|v| v.clone().unwrap_or_default()));
                cells
            })
            .collect(),
    }
}

/// [`TIMELINE_HEADER`], then `extra` columns, then the user variables `columns`.
pub(crate) fn timeline_header(extra: &[&str], columns: &[String]) -> Vec<String> {
    TIMELINE_HEADER
        .iter()
        .chain(extra)
        .map(|h| h.to_string())
        .chain(columns.iter().cloned())
        .collect()
}

/// The cells of [`TIMELINE_HEADER`] for one row.
pub(crate) fn row_cells(r: &ReplayRow) -> Vec<String> {
    vec![
        r.time.format_results(),
        r.target_dedicated.to_string(),
        r.target_low_priority.to_string(),
        r.deallocation.name().to_string(),
        crate::format::format_double(r.current_dedicated),
        crate::format::format_double(r.current_low_priority),
        r.error.clone().unwrap_or_default(),
    ]
}

/// Current nodes that follow the targets after an allocation delay.
struct Follower {
    /// (time the change takes effect, dedicated, low priority)
    pending: std::collections::VecDeque<(i64, f64, f64)>,
    current: (f64, f64),
}

impl Follower {
    fn at(&mut self, t: i64) -> (f64, f64) {
        while let Some(&(when, d, l)) = self.pending.front() {
            if when > t {
                break;
            }
            self.current = (d, l);
            self.pending.pop_front();
        }
        self.current
    }
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
    pub error: Option<(String, Option<String>)>,
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
                error: Some((e.kind.code().to_string(), Some(formula.error_text(&e)))),
                columns: Vec::new(),
                results: None,
            },
        };
    }
    let evaluation = formula.evaluate(ctx);
    let columns = columns.iter().map(|c| evaluation.variable(c).map(|v| v.value.clone())).collect();
    let error = match (&evaluation.applied, evaluation.error) {
        (Some(_), _) => None,
        (None, Some(e)) => Some((
            e.kind.code().to_string(),
            evaluation.run.error.and_then(|r| r.values.into_iter().next()).map(|v| v.value),
        )),
        (None, None) => Some(("AutoScalingFormulaEvaluationError".to_string(), None)),
    };
    Tick {
        applied: evaluation.applied,
        error,
        columns,
        results: full_results.then_some(evaluation.run.results),
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

/// A [`ReplaySummary`] built one row at a time (constant memory: the rows need not be kept).
#[derive(Debug, Clone)]
pub(crate) struct SummaryBuilder {
    start: Timestamp,
    evaluations: u64,
    failures: BTreeMap<String, FailureSummary>,
    first_nonzero: Option<TimeInterval>,
    sums: [f64; 2],
    stats: [TargetStats; 2],
}

impl SummaryBuilder {
    /// No evaluation yet, of a run that starts at `start`.
    pub(crate) fn new(start: Timestamp) -> SummaryBuilder {
        let zero = TargetStats {
            min: u64::MAX,
            max: 0,
            mean: 0.0,
        };
        SummaryBuilder {
            start,
            evaluations: 0,
            failures: BTreeMap::new(),
            first_nonzero: None,
            sums: [0.0; 2],
            stats: [zero.clone(), zero],
        }
    }

    /// Count one more evaluation.
    pub(crate) fn add(&mut self, r: &ReplayRow) {
        self.evaluations += 1;
        if let Some(code) = &r.error {
            match self.failures.get_mut(code) {
                Some(f) => {
                    f.count += 1;
                    f.last = r.time;
                }
                None => {
                    self.failures.insert(
                        code.clone(),
                        FailureSummary {
                            count: 1,
                            first: r.time,
                            last: r.time,
                        },
                    );
                }
            }
        }
        if self.first_nonzero.is_none() && (r.target_dedicated > 0 || r.target_low_priority > 0) {
            self.first_nonzero = Some(TimeInterval(r.time.0 - self.start.0));
        }
        for (k, v) in [r.target_dedicated, r.target_low_priority].into_iter().enumerate() {
            let s = &mut self.stats[k];
            s.min = s.min.min(v);
            s.max = s.max.max(v);
            self.sums[k] += v as f64;
        }
    }

    /// The summary, with the given node-hours.
    pub(crate) fn finish(self, node_hours: (f64, f64)) -> ReplaySummary {
        let [mut dedicated, mut low_priority] = self.stats;
        for (s, sum) in [(&mut dedicated, self.sums[0]), (&mut low_priority, self.sums[1])] {
            if self.evaluations == 0 {
                s.min = 0;
            } else {
                s.mean = sum / self.evaluations as f64;
            }
        }
        ReplaySummary {
            evaluations: self.evaluations,
            failures: self.failures,
            time_to_first_nonzero: self.first_nonzero,
            dedicated,
            low_priority,
            dedicated_node_hours: node_hours.0,
            low_priority_node_hours: node_hours.1,
        }
    }
}

impl ReplayConfig {
    /// The number of evaluations and the time of the last one, or why the schedule is refused
    /// (as [`replay`] would refuse it).
    pub fn schedule(&self) -> Result<(u64, Timestamp), ReplayError> {
        let count = check_schedule(self.start, self.end, self.interval)?;
        Ok((count, last_evaluation(self.start, self.interval, count)))
    }
}

/// The time of evaluation `count - 1`.
pub(crate) fn last_evaluation(start: Timestamp, interval: TimeInterval, count: u64) -> Timestamp {
    Timestamp(start.0 + (count.saturating_sub(1) as i64) * interval.0)
}

/// Replay `formula` over `data` as `config` says.
pub fn replay(formula: &Formula, data: &MetricData, config: &ReplayConfig) -> Result<Replay, ReplayError> {
    let mut rows = Vec::new();
    let mut replay = replay_streaming(formula, data, config, &mut |row| rows.push(row))?;
    replay.rows = rows;
    Ok(replay)
}

/// Replay as [`replay`] does, handing each row to `on_row` as soon as it is evaluated instead
/// of keeping it: memory stays flat however many evaluations there are. The result has the
/// summary and no rows.
pub fn replay_streaming(
    formula: &Formula,
    data: &MetricData,
    config: &ReplayConfig,
    on_row: &mut dyn FnMut(ReplayRow),
) -> Result<Replay, ReplayError> {
    let count = check_schedule(config.start, config.end, config.interval)?;
    check_columns(formula, &config.columns)?;
    let scalar = |s: PoolScalar| data.scalar(s);
    let (data_dedicated, data_low) = (
        scalar(PoolScalar::CurrentDedicatedNodes),
        scalar(PoolScalar::CurrentLowPriorityNodes),
    );
    let (data_slots, data_usable) = (scalar(PoolScalar::TaskSlotsPerNode), scalar(PoolScalar::UsableNodeCount));

    let mut pool = config.initial_pool;
    let mut deallocation = Deallocation::Requeue;
    let mut follower = Follower {
        pending: Default::default(),
        current: (pool.current_dedicated_nodes, pool.current_low_priority_nodes),
    };
    let mut summary = SummaryBuilder::new(config.start);
    let (mut node_hours_d, mut node_hours_l) = (0.0, 0.0);
    let hours = config.interval.0 as f64 / 3600e7;
    for k in 0..count {
        let t = Timestamp(config.start.0 + k as i64 * config.interval.0);
        let (follow_d, follow_l) = follower.at(t.0);
        pool.current_dedicated_nodes = data_dedicated.and_then(|s| s.value_at(t)).unwrap_or(follow_d);
        pool.current_low_priority_nodes = data_low.and_then(|s| s.value_at(t)).unwrap_or(follow_l);
        if let Some(v) = data_slots.and_then(|s| s.value_at(t)) {
            pool.task_slots_per_node = v;
        }
        if let Some(v) = data_usable.and_then(|s| s.value_at(t)) {
            pool.usable_node_count = v;
        }
        let ctx = EvalContext {
            now: t,
            pool,
            metrics: &data.metrics,
            publication_delay: config.publication_delay,
            random: RandomSource::Seeded(config.seed.wrapping_add(k)),
        };
        let tick = evaluate_tick(formula, &ctx, &config.columns, config.full_results);
        if let Some(applied) = tick.applied {
            if applied.dedicated as f64 != pool.target_dedicated_nodes || applied.low_priority as f64 != pool.target_low_priority_nodes {
                follower.pending.push_back((
                    t.0 + config.allocation_delay.0,
                    applied.dedicated as f64,
                    applied.low_priority as f64,
                ));
            }
            pool.target_dedicated_nodes = applied.dedicated as f64;
            pool.target_low_priority_nodes = applied.low_priority as f64;
            deallocation = applied.deallocation;
        }
        if k + 1 < count {
            node_hours_d += pool.current_dedicated_nodes * hours;
            node_hours_l += pool.current_low_priority_nodes * hours;
        }
        let row = tick.into_row(t, &pool, deallocation);
        summary.add(&row);
        on_row(row);
    }
    Ok(Replay {
        columns: config.columns.clone(),
        rows: Vec::new(),
        summary: summary.finish((node_hours_d, node_hours_l)),
        plot: None,
    })
}
