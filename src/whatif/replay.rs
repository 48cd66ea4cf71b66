//! Replay: evaluate a formula at every evaluation tick over recorded history, carrying the
//! pool's targets from one evaluation to the next (a failed evaluation leaves them unchanged,
//! LANGUAGE.md §7.4), with samples visible after the publication delay (D22, 30 s by default).

use serde::Serialize;

use crate::builtins::{Deallocation, PoolScalar};
use crate::data::MetricData;
use crate::eval::{EvalContext, Formula, PoolState, RandomSource};
use crate::time::{TimeInterval, Timestamp};

use super::schedule::{check_columns, check_schedule, evaluate_tick, last_evaluation, ReplayError};
#[cfg(feature = "cli")]
use super::svg::plot_rows;
use super::svg::TimelinePlot;
use super::table::Table;
use super::timeline::{timeline_header, timeline_table, ReplayRow, ReplaySummary, SummaryBuilder};

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
    pub(crate) fn table(&self) -> Table {
        timeline_table(&[], &self.columns, self.rows.iter().map(|r| (r, Vec::new())))
    }

    /// The timeline as CSV: a header, then one line per row.
    pub fn to_csv(&self) -> String {
        self.table().to_csv()
    }

    /// The header of the CSV timeline with these user-variable `columns`.
    pub fn csv_header(columns: &[String]) -> Vec<String> {
        timeline_header(&[], columns)
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

impl ReplayConfig {
    /// The number of evaluations and the time of the last one, or why the schedule is refused
    /// (as [`replay`] would refuse it).
    pub(crate) fn schedule(&self) -> Result<(u64, Timestamp), ReplayError> {
        let count = check_schedule(self.start, self.end, self.interval)?;
        Ok((count, last_evaluation(self.start, self.interval, count)))
    }
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

/// Draw the replay (and the demand in `data`) as an SVG document titled `title`.
#[cfg(feature = "cli")]
pub fn timeline_svg(replay: &Replay, data: &MetricData, title: &str) -> String {
    match &replay.plot {
        Some(plot) => plot.svg(&data.metrics, title),
        None => plot_rows(replay.rows.iter()).svg(&data.metrics, title),
    }
}
