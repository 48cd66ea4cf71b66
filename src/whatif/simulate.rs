//! Closed-loop simulation: a formula scaling a simulated pool that works off a workload
//! (documented on [`simulate`]).

use serde::Serialize;

use crate::builtins::Deallocation;
use crate::eval::{EvalContext, Formula, MetricStore, PoolState, RandomSource};
use crate::time::{TimeInterval, Timestamp};

use super::limits::MAX_POOL_NODES;
use super::pool::{Kind, PoolModel, SIMULATED_METRICS};
use super::schedule::{check_columns, check_schedule, evaluate_tick, last_evaluation, ReplayError};
use super::settings::PoolSettings;
#[cfg(feature = "cli")]
use super::svg::plot_rows;
use super::svg::TimelinePlot;
use super::table::Table;
use super::timeline::{row_cells, timeline_header, timeline_table, ReplayRow, ReplaySummary, SummaryBuilder};
use super::workload::Workload;

/// Samples are taken every 30 seconds (§6.3): the period the evaluator counts expected samples
/// by.
pub use crate::eval::exec::SAMPLE_PERIOD;

/// The most samples one simulation takes (about two years at 30 s; 7 metrics of 16 bytes).
const MAX_SAMPLES: i64 = 2_200_000;

/// How to simulate.
#[derive(Debug, Clone)]
pub struct SimulationConfig {
    /// First evaluation; the pool starts here with no sample.
    pub start: Timestamp,
    /// The simulation stops here.
    pub end: Timestamp,
    /// Time between evaluations: 5 minutes to 168 hours (default 15 minutes, §7.2).
    pub interval: TimeInterval,
    /// Samples are visible this long after they are taken (default 30 s, D22).
    pub publication_delay: TimeInterval,
    /// The pool: slots, latencies, preemption, quota, prices.
    pub pool: PoolSettings,
    /// Dedicated nodes ready at the start (and the initial dedicated target).
    pub initial_dedicated: u32,
    /// Low-priority nodes ready at the start (and the initial low-priority target).
    pub initial_low_priority: u32,
    /// Seed of `rand()` (evaluation k uses `seed + k`) and of the pool's random draws.
    pub seed: u64,
    /// User variables to record in each row.
    pub columns: Vec<String>,
    /// Record the full `results` string of every evaluation (slower).
    pub full_results: bool,
    /// Samples of metrics the simulation does not produce (e.g. a retired metric a formula
    /// still reads, D32); none of [`SIMULATED_METRICS`].
    pub supplied_metrics: MetricStore,
}

impl SimulationConfig {
    /// Defaults: 15-minute interval, 30 s publication delay, default pool, empty at the start.
    pub fn new(start: Timestamp, end: Timestamp) -> SimulationConfig {
        SimulationConfig {
            start,
            end,
            interval: TimeInterval::MINUTE.checked_mul_f64(15.0).unwrap_or(TimeInterval::MINUTE),
            publication_delay: SAMPLE_PERIOD,
            pool: PoolSettings::default(),
            initial_dedicated: 0,
            initial_low_priority: 0,
            seed: 0,
            columns: Vec::new(),
            full_results: false,
            supplied_metrics: MetricStore::new(),
        }
    }
}

/// Why a simulation cannot run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SimulationError {
    /// A bad interval, period or column, as for replay, e.g. an interval of `PT1M`.
    #[error(transparent)]
    Schedule(#[from] ReplayError),
    /// A pool setting out of range, e.g. `task_slots_per_node: 0`.
    #[error("pool settings: {0}")]
    Pool(String),
    /// A negative publication delay.
    #[error("the publication delay cannot be negative")]
    Delay,
    /// Supplied samples of a metric the simulation produces, e.g. `$PendingTasks`.
    #[error("{0} is simulated; supplied samples may only be of metrics the simulation does not produce")]
    SimulatedMetricSupplied(&'static str),
    /// More nodes at the start than the quota allows, e.g. 4,000,000,000 dedicated nodes.
    #[error("{initial} initial {kind} nodes is more than the {kind} quota of {quota} nodes (at most {MAX_POOL_NODES} nodes of a kind)")]
    InitialOverQuota {
        /// `dedicated` or `low-priority`.
        kind: &'static str,
        /// The nodes asked for.
        initial: u32,
        /// The quota.
        quota: u32,
    },
    /// A period too long to sample (more than about two years).
    #[error("the period is too long to simulate at one sample every 30 s (at most about two years); shorten it")]
    TooLong,
}

/// One evaluation of the simulation: the replay row plus the pool at that moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulationRow {
    /// Time, targets after the evaluation, deallocation, current nodes seen, error, columns.
    #[serde(flatten)]
    pub evaluation: ReplayRow,
    /// `$ActiveTasks` at the evaluation (queued tasks).
    pub active_tasks: u32,
    /// `$RunningTasks` at the evaluation.
    pub running_tasks: u32,
    /// `$UsableNodeCount` the formula saw.
    pub usable_nodes: u32,
    /// Preempted nodes at the evaluation.
    pub preempted_nodes: u32,
    /// Tasks succeeded so far.
    pub succeeded_tasks: u64,
    /// Tasks failed so far (stopped by `terminate`).
    pub failed_tasks: u64,
}

/// Prices of the node-hours.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cost {
    /// Dedicated node-hours × their price.
    pub dedicated: f64,
    /// Low-priority node-hours × their price.
    pub low_priority: f64,
    /// The sum.
    pub total: f64,
}

/// What happened to the tasks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskSummary {
    /// Tasks in the workload.
    pub workload: u64,
    /// Tasks submitted by the end (a task submitted before the start arrives at the start).
    pub submitted: u64,
    /// Tasks that ran to completion.
    pub completed: u64,
    /// Tasks still queued or running at the end.
    pub unfinished: u64,
    /// Running tasks put back in the queue by a `requeue` scale-down.
    pub requeued_by_scale_down: u64,
    /// Running tasks stopped for good by a `terminate` scale-down.
    pub lost_by_scale_down: u64,
    /// Running tasks put back in the queue because their node was preempted.
    pub requeued_by_preemption: u64,
    /// Tasks that need more slots than a node has (8 slots on 4-slot nodes). The service never
    /// schedules such a task: it stays queued for ever (counted in `$ActiveTasks` and in
    /// `unfinished`) while the formula may scale the pool up for it, and the nodes sit idle.
    pub oversized: u64,
}

/// Time tasks spent queued (over every attempt). Tasks still queued at the end count up to the
/// end, so a formula that leaves tasks waiting cannot look better for it. In JSON each is given
/// as text and in seconds (`p95`, `p95Seconds`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WaitSummary {
    /// Median (nearest rank).
    pub p50: TimeInterval,
    /// 95th percentile.
    pub p95: TimeInterval,
    /// 99th percentile.
    pub p99: TimeInterval,
    /// Longest.
    pub max: TimeInterval,
    /// Mean.
    pub mean: TimeInterval,
}

impl Serialize for WaitSummary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        super::durations::entries(
            serializer,
            &[
                ("p50", "p50Seconds", Some(self.p50)),
                ("p95", "p95Seconds", Some(self.p95)),
                ("p99", "p99Seconds", Some(self.p99)),
                ("max", "maxSeconds", Some(self.max)),
                ("mean", "meanSeconds", Some(self.mean)),
            ],
        )
    }
}

/// The simulation in numbers. In JSON the fields are in camelCase and a duration is given as
/// text and in seconds (`makespan`, `makespanSeconds`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimulationSummary {
    /// Evaluations, failures by code, target statistics and node-hours, as for replay (here
    /// the node-hours are the billed hours of the simulated nodes).
    #[serde(flatten)]
    pub targets: ReplaySummary,
    /// Start.
    pub start: Timestamp,
    /// End.
    pub end: Timestamp,
    /// Billed node-hours of nodes running no task (allocating, idle, waiting for data).
    pub idle_node_hours: f64,
    /// Busy slot-hours ÷ billed slot-hours (0 when nothing was billed).
    pub utilisation: f64,
    /// Node-hours at the pool's prices.
    pub cost: Cost,
    /// Task counts.
    pub tasks: TaskSummary,
    /// Queue times of the submitted tasks; `None` when no task was submitted.
    pub wait: Option<WaitSummary>,
    /// From the first submission until the last task ended; `None` when tasks are unfinished.
    #[serde(flatten, serialize_with = "super::durations::makespan")]
    pub makespan: Option<TimeInterval>,
    /// Node preemptions.
    pub preemptions: u64,
    /// Evaluations whose resize the quota cut short.
    pub quota_capped_evaluations: u64,
    /// Most dedicated nodes in the pool at once.
    pub peak_dedicated_nodes: u32,
    /// Most low-priority nodes in the pool at once.
    pub peak_low_priority_nodes: u32,
}

/// A simulation: one row per evaluation, the summary, and the samples the formula read.
#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    /// The requested column names.
    pub columns: Vec<String>,
    /// One row per evaluation.
    pub rows: Vec<SimulationRow>,
    /// Totals.
    pub summary: SimulationSummary,
    /// Every sample taken (and supplied), for plots or a later replay.
    #[serde(skip)]
    pub metrics: MetricStore,
    /// The plot of the rows, when it was built while they streamed by (the rows are then not
    /// kept; see [`run_variants`](super::run_variants)).
    #[serde(skip)]
    pub plot: Option<Box<TimelinePlot>>,
}

fn hours(ticks: i128) -> f64 {
    ticks as f64 / 3600e7
}

/// Simulate `formula` scaling a pool that runs `workload`, as `config` says.
///
/// Every 30 seconds from the start the simulation samples the pool into a growing
/// [`MetricStore`] (the first sample 30 s after the start, as a pool has none when autoscale is
/// enabled, §6.3): `$ActiveTasks` (queued tasks), `$RunningTasks`, `$PendingTasks` (their sum),
/// `$SucceededTasks` and `$FailedTasks` (tasks ended so far; only tasks stopped by `terminate`
/// fail), `$PreemptedNodeCount` and `$CPUPercent` (busy share of the usable nodes' slots, 0
/// with no usable node). Other metrics have only the samples the caller supplies (D32).
///
/// The formula is evaluated at the start (enabling autoscale evaluates at once, §7.2) and then
/// every `interval`, seeing samples 30 s after they are taken (D22) and the pool's scalars
/// (`$CurrentDedicatedNodes`, `$CurrentLowPriorityNodes`, `$TaskSlotsPerNode`,
/// `$UsableNodeCount`) and current targets as they are at that moment. A successful
/// evaluation resizes the pool (see [`PoolSettings`] and the pool model in the README); a
/// failed one changes nothing (§7.4). `rand()` in evaluation k is seeded with `seed + k`, as in
/// replay; the pool's random draws (preemptions) come from the same seed, so one seed fixes the
/// whole run.
///
/// ```
/// use batch_autoscale::whatif::{simulate, SimulationConfig, Task, Workload};
/// use batch_autoscale::{Formula, TimeInterval, Timestamp};
///
/// // 40 ten-minute tasks arrive at 10:00 on a pool that starts empty.
/// let start: Timestamp = "2026-11-23T10:00:00Z".parse()?;
/// let task = Task { submit: start, duration: TimeInterval::MINUTE.checked_mul_f64(10.0).unwrap(), slots: 1 };
/// let workload = Workload::new(vec![task; 40])?;
/// let formula = Formula::compile(
///     "$TargetDedicatedNodes = min(10, max(0, $PendingTasks.GetSample(1)) / 4);
///      $NodeDeallocationOption = taskcompletion;")?;
/// let mut config = SimulationConfig::new(start, start.checked_add(TimeInterval::HOUR.checked_mul_f64(3.0).unwrap()).unwrap());
/// config.interval = TimeInterval::MINUTE.checked_mul_f64(5.0).unwrap();
/// config.pool.task_slots_per_node = 4;
/// config.pool.dedicated_price = 0.5;
/// let sim = simulate(&formula, &workload, &config)?;
/// let s = &sim.summary;
/// assert_eq!(s.tasks.completed, 40);
/// assert_eq!(s.targets.dedicated.max, 10);
/// assert_eq!(sim.rows.last().unwrap().evaluation.target_dedicated, 0); // back to zero
/// assert!(s.cost.total > 0.0 && s.wait.unwrap().p50 >= TimeInterval::MINUTE.checked_mul_f64(5.0).unwrap());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn simulate(formula: &Formula, workload: &Workload, config: &SimulationConfig) -> Result<Simulation, SimulationError> {
    let mut rows = Vec::new();
    let mut sim = simulate_streaming(formula, workload, config, &mut |row| rows.push(row))?;
    sim.rows = rows;
    Ok(sim)
}

/// Simulate as [`simulate`] does, handing each row to `on_row` as soon as it is evaluated
/// instead of keeping it: memory stays flat in the number of evaluations (the samples the
/// formula reads are kept, at most about two years of them). The result has the summary and
/// the samples, and no rows.
pub fn simulate_streaming(
    formula: &Formula,
    workload: &Workload,
    config: &SimulationConfig,
    on_row: &mut dyn FnMut(SimulationRow),
) -> Result<Simulation, SimulationError> {
    let count = check_schedule(config.start, config.end, config.interval)?;
    check_columns(formula, &config.columns)?;
    config.pool.validate().map_err(SimulationError::Pool)?;
    let (dedicated_quota, low_priority_quota) = config.pool.quotas();
    for (kind, initial, quota) in [
        ("dedicated", config.initial_dedicated, dedicated_quota),
        ("low-priority", config.initial_low_priority, low_priority_quota),
    ] {
        if initial > quota {
            return Err(SimulationError::InitialOverQuota { kind, initial, quota });
        }
    }
    if config.publication_delay.0 < 0 {
        return Err(SimulationError::Delay);
    }
    if (config.end.0 - config.start.0) / SAMPLE_PERIOD.0 > MAX_SAMPLES {
        return Err(SimulationError::TooLong);
    }
    let per_node = config.pool.task_slots_per_node;
    if let Some(m) = SIMULATED_METRICS.iter().find(|&&m| !config.supplied_metrics.history(m).is_empty()) {
        return Err(SimulationError::SimulatedMetricSupplied(m.name()));
    }

    let mut store = config.supplied_metrics.clone();
    let samples = ((config.end.0 - config.start.0) / SAMPLE_PERIOD.0) as usize;
    for m in SIMULATED_METRICS {
        *store.history_mut(m) = crate::eval::MetricHistory::with_capacity(samples);
    }
    let mut model = PoolModel::new(config.pool.clone(), workload.tasks(), config.start, config.seed);
    model.add_ready_nodes(Kind::Dedicated, config.initial_dedicated);
    model.add_ready_nodes(Kind::LowPriority, config.initial_low_priority);
    let mut pool = PoolState {
        target_dedicated_nodes: config.initial_dedicated as f64,
        target_low_priority_nodes: config.initial_low_priority as f64,
        task_slots_per_node: per_node as f64,
        ..PoolState::default()
    };
    let mut deallocation = Deallocation::Requeue;
    let mut targets = SummaryBuilder::new(config.start);
    let mut next_sample = config.start.0 + SAMPLE_PERIOD.0;
    let mut k: u64 = 0;
    loop {
        let next_eval = (k < count).then(|| config.start.0 + k as i64 * config.interval.0);
        let sample_due = (next_sample <= config.end.0).then_some(next_sample);
        let t = match (next_eval, sample_due) {
            (Some(e), Some(s)) => e.min(s),
            (Some(e), None) => e,
            (None, Some(s)) => s,
            (None, None) => break,
        };
        model.advance_to(t);
        if sample_due == Some(t) {
            model.sample(&mut store);
            next_sample += SAMPLE_PERIOD.0;
        }
        if next_eval != Some(t) {
            continue;
        }
        let census = model.census();
        pool.current_dedicated_nodes = census.current[0] as f64;
        pool.current_low_priority_nodes = census.current[1] as f64;
        pool.usable_node_count = census.usable as f64;
        let (active, running) = (model.active_tasks(), model.running_tasks());
        let (succeeded, failed) = (model.counters.succeeded, model.counters.lost_by_scale_down);
        let ctx = EvalContext {
            now: Timestamp(t),
            pool,
            metrics: &store,
            publication_delay: config.publication_delay,
            random: RandomSource::Seeded(config.seed.wrapping_add(k)),
        };
        let tick = evaluate_tick(formula, &ctx, &config.columns, config.full_results);
        if let Some(applied) = tick.applied {
            pool.target_dedicated_nodes = applied.dedicated as f64;
            pool.target_low_priority_nodes = applied.low_priority as f64;
            deallocation = applied.deallocation;
            model.resize(applied.dedicated, applied.low_priority, applied.deallocation);
            model.advance_to(t); // nodes with no allocation latency are ready at once
        }
        let row = SimulationRow {
            evaluation: tick.into_row(Timestamp(t), &pool, deallocation),
            active_tasks: active,
            running_tasks: running,
            usable_nodes: census.usable,
            preempted_nodes: census.preempted,
            succeeded_tasks: succeeded,
            failed_tasks: failed,
        };
        targets.add(&row.evaluation);
        on_row(row);
        k += 1;
    }
    model.advance_to(config.end.0);
    let summary = summarize(&model, workload, config, targets);
    Ok(Simulation {
        columns: config.columns.clone(),
        rows: Vec::new(),
        summary,
        metrics: store,
        plot: None,
    })
}

fn summarize(model: &PoolModel<'_>, workload: &Workload, config: &SimulationConfig, targets: SummaryBuilder) -> SimulationSummary {
    let i = &model.integrals;
    let c = &model.counters;
    let settings = model.settings();
    let (dedicated_hours, low_priority_hours) = (hours(i.billed[0]), hours(i.billed[1]));
    let billed_slots = (i.billed[0] + i.billed[1]) * settings.task_slots_per_node as i128;
    let (mut waits, unfinished) = model.waits(config.end.0);
    waits.sort_unstable();
    let rank = |p: f64| {
        let n = waits.len();
        TimeInterval(waits[((p / 100.0 * n as f64).ceil() as usize).clamp(1, n) - 1])
    };
    let wait = (!waits.is_empty()).then(|| WaitSummary {
        p50: rank(50.0),
        p95: rank(95.0),
        p99: rank(99.0),
        max: TimeInterval(waits[waits.len() - 1]),
        mean: TimeInterval((waits.iter().map(|&w| w as i128).sum::<i128>() / waits.len() as i128) as i64),
    });
    let makespan = match (c.first_submit, c.last_end) {
        (Some(a), Some(b)) if unfinished == 0 => Some(TimeInterval(b - a)),
        _ => None,
    };
    let cost = Cost {
        dedicated: dedicated_hours * settings.dedicated_price,
        low_priority: low_priority_hours * settings.low_priority_price,
        total: dedicated_hours * settings.dedicated_price + low_priority_hours * settings.low_priority_price,
    };
    SimulationSummary {
        targets: targets.finish((dedicated_hours, low_priority_hours)),
        start: config.start,
        end: config.end,
        idle_node_hours: hours(i.idle),
        utilisation: if billed_slots > 0 {
            i.busy_slots as f64 / billed_slots as f64
        } else {
            0.0
        },
        cost,
        tasks: TaskSummary {
            workload: workload.len() as u64,
            submitted: c.submitted,
            completed: c.succeeded,
            unfinished,
            requeued_by_scale_down: c.requeued_by_scale_down,
            lost_by_scale_down: c.lost_by_scale_down,
            requeued_by_preemption: c.requeued_by_preemption,
            oversized: workload.tasks().iter().filter(|t| t.slots > settings.task_slots_per_node).count() as u64,
        },
        wait,
        makespan,
        preemptions: c.preemptions,
        quota_capped_evaluations: c.quota_capped_resizes,
        peak_dedicated_nodes: c.peak[0],
        peak_low_priority_nodes: c.peak[1],
    }
}

/// Timeline columns a simulation adds to replay's.
const SIMULATION_HEADER: [&str; 6] = [
    "activeTasks",
    "runningTasks",
    "usableNodes",
    "preemptedNodes",
    "succeededTasks",
    "failedTasks",
];

impl Simulation {
    /// The timeline as a table: replay's columns, the queue and the nodes, then the requested
    /// user variables.
    pub(crate) fn table(&self) -> Table {
        timeline_table(
            &SIMULATION_HEADER,
            &self.columns,
            self.rows.iter().map(|r| (&r.evaluation, r.extra_cells())),
        )
    }

    /// The timeline as CSV: a header, then one line per row.
    pub fn to_csv(&self) -> String {
        self.table().to_csv()
    }

    /// The header of the CSV timeline with these user-variable `columns`.
    pub fn csv_header(columns: &[String]) -> Vec<String> {
        timeline_header(&SIMULATION_HEADER, columns)
    }
}

impl SimulationRow {
    fn extra_cells(&self) -> Vec<String> {
        [
            self.active_tasks as u64,
            self.running_tasks as u64,
            self.usable_nodes as u64,
            self.preempted_nodes as u64,
            self.succeeded_tasks,
            self.failed_tasks,
        ]
        .map(|n| n.to_string())
        .to_vec()
    }

    /// The cells of this row in the CSV timeline (see [`Simulation::csv_header`]).
    pub fn cells(&self) -> Vec<String> {
        let mut cells = row_cells(&self.evaluation);
        cells.extend(self.extra_cells());
        cells.extend(self.evaluation.columns.iter().map(|v| v.clone().unwrap_or_default()));
        cells
    }
}

impl SimulationConfig {
    /// The number of evaluations and the time of the last one, or why the schedule is refused.
    pub(crate) fn schedule(&self) -> Result<(u64, Timestamp), SimulationError> {
        let count = check_schedule(self.start, self.end, self.interval)?;
        Ok((count, last_evaluation(self.start, self.interval, count)))
    }
}

/// Draw the simulation (its sampled demand, targets and nodes) as an SVG document.
#[cfg(feature = "cli")]
pub fn simulation_svg(simulation: &Simulation, title: &str) -> String {
    match &simulation.plot {
        Some(plot) => plot.svg(&simulation.metrics, title),
        None => plot_rows(simulation.rows.iter().map(|r| &r.evaluation)).svg(&simulation.metrics, title),
    }
}
