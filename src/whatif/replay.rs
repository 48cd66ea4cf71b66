//! Replay: evaluate a formula at every evaluation tick over recorded history, carrying the
//! pool's targets from one evaluation to the next (a failed evaluation leaves them unchanged,
//! LANGUAGE.md §7.4), with samples visible after the publication delay (D22, 30 s by default).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::builtins::{Deallocation, PoolScalar};
use crate::data::MetricData;
use crate::eval::{EvalContext, Formula, PoolState, RandomSource};
use crate::time::{TimeInterval, Timestamp};

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
    /// A requested column is not a user variable of the formula, e.g. `--columns $taks`.
    #[error("`{0}` is not a variable of the formula")]
    UnknownColumn(String),
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
}

impl Replay {
    /// The timeline as CSV: time, targets, deallocation, current nodes, error, columns.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "time,targetDedicatedNodes,targetLowPriorityNodes,nodeDeallocationOption,currentDedicatedNodes,currentLowPriorityNodes,error",
        );
        for c in &self.columns {
            out.push(',');
            out.push_str(c);
        }
        out.push('\n');
        for r in &self.rows {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}",
                r.time.format_results(),
                r.target_dedicated,
                r.target_low_priority,
                r.deallocation.name(),
                crate::format::format_double(r.current_dedicated),
                crate::format::format_double(r.current_low_priority),
                r.error.as_deref().unwrap_or("")
            ));
            for v in &r.columns {
                out.push(',');
                let v = v.as_deref().unwrap_or("");
                if v.contains([',', '"']) {
                    out.push('"');
                    out.push_str(&v.replace('"', "\"\""));
                    out.push('"');
                } else {
                    out.push_str(v);
                }
            }
            out.push('\n');
        }
        out
    }
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

/// Replay `formula` over `data` as `config` says.
pub fn replay(formula: &Formula, data: &MetricData, config: &ReplayConfig) -> Result<Replay, ReplayError> {
    if config.interval.0 < MIN_INTERVAL || config.interval.0 > MAX_INTERVAL {
        return Err(ReplayError::Interval(config.interval.format_results()));
    }
    if config.end < config.start {
        return Err(ReplayError::EndBeforeStart {
            start: config.start.format_results(),
            end: config.end.format_results(),
        });
    }
    let count = ((config.end.0 - config.start.0) / config.interval.0) as u64 + 1;
    if count > 10_000_000 {
        return Err(ReplayError::TooManyEvaluations(count));
    }
    let names: Vec<&str> = formula.variable_names().collect();
    for c in &config.columns {
        if !names.contains(&c.as_str()) {
            return Err(ReplayError::UnknownColumn(c.clone()));
        }
    }
    let full = config.full_results || !config.columns.is_empty();
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
    let mut rows = Vec::with_capacity(count.min(1 << 20) as usize);
    let mut failures: BTreeMap<String, FailureSummary> = BTreeMap::new();
    let mut first_nonzero = None;
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
        let (outcome, columns, results) = if full {
            let evaluation = formula.evaluate(&ctx);
            let columns = config
                .columns
                .iter()
                .map(|c| evaluation.variable(c).map(|v| v.value.clone()))
                .collect();
            let outcome = match (evaluation.applied, evaluation.error) {
                (Some(a), _) => Ok(a),
                (None, Some(e)) => Err((
                    e.kind.code().to_string(),
                    evaluation.run.error.and_then(|r| r.values.into_iter().next()).map(|v| v.value),
                )),
                (None, None) => Err(("AutoScalingFormulaEvaluationError".to_string(), None)),
            };
            (outcome, columns, config.full_results.then_some(evaluation.run.results))
        } else {
            let outcome = formula
                .evaluate_targets(&ctx)
                .map_err(|e| (e.kind.code().to_string(), Some(e.message)));
            (outcome, Vec::new(), None)
        };
        let (error, error_message) = match outcome {
            Ok(applied) => {
                if applied.dedicated as f64 != pool.target_dedicated_nodes || applied.low_priority as f64 != pool.target_low_priority_nodes
                {
                    follower.pending.push_back((
                        t.0 + config.allocation_delay.0,
                        applied.dedicated as f64,
                        applied.low_priority as f64,
                    ));
                }
                pool.target_dedicated_nodes = applied.dedicated as f64;
                pool.target_low_priority_nodes = applied.low_priority as f64;
                deallocation = applied.deallocation;
                (None, None)
            }
            Err((code, message)) => {
                let f = failures.entry(code.clone()).or_insert(FailureSummary {
                    count: 0,
                    first: t,
                    last: t,
                });
                f.count += 1;
                f.last = t;
                (Some(code), message)
            }
        };
        if first_nonzero.is_none() && (pool.target_dedicated_nodes > 0.0 || pool.target_low_priority_nodes > 0.0) {
            first_nonzero = Some(TimeInterval(t.0 - config.start.0));
        }
        if k + 1 < count {
            node_hours_d += pool.current_dedicated_nodes * hours;
            node_hours_l += pool.current_low_priority_nodes * hours;
        }
        rows.push(ReplayRow {
            time: t,
            target_dedicated: pool.target_dedicated_nodes as u64,
            target_low_priority: pool.target_low_priority_nodes as u64,
            deallocation,
            current_dedicated: pool.current_dedicated_nodes,
            current_low_priority: pool.current_low_priority_nodes,
            error,
            error_message,
            columns,
            results,
        });
    }
    let stats = |f: &dyn Fn(&ReplayRow) -> u64| TargetStats {
        min: rows.iter().map(f).min().unwrap_or(0),
        max: rows.iter().map(f).max().unwrap_or(0),
        mean: if rows.is_empty() {
            0.0
        } else {
            rows.iter().map(|r| f(r) as f64).sum::<f64>() / rows.len() as f64
        },
    };
    let summary = ReplaySummary {
        evaluations: count,
        failures,
        time_to_first_nonzero: first_nonzero,
        dedicated: stats(&|r| r.target_dedicated),
        low_priority: stats(&|r| r.target_low_priority),
        dedicated_node_hours: node_hours_d,
        low_priority_node_hours: node_hours_l,
    };
    Ok(Replay {
        columns: config.columns.clone(),
        rows,
        summary,
    })
}
