//! What `simulate`, `compare` and `sweep` share: reading formulas, the workload and pool
//! options, the replay options, and writing outputs.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::data::tasks::load_if_task_list;
use crate::data::{load_metrics, MetricData};
use crate::time::{parse_iso8601_duration, parse_rfc3339};
use crate::whatif::{
    describe_tasks, html_report, iso8601, load_pool_settings, load_workload, reports_csv, run_variants, side_by_side, simulation_svg,
    timeline_svg, workload_from_tasks, Figure, Generator, NodeFill, Outcome, PoolSettings, ReplayConfig, Report, Scenario,
    SimulationConfig, Variant, Workload, MAX_POOL_NODES,
};
use crate::{Formula, TimeInterval, Timestamp};

use super::host::HostArgs;
use super::output::Outputs;

/// Print `error: message` and give exit status 2 (bad input).
pub fn fail(message: impl std::fmt::Display) -> ExitCode {
    errln!("error: {message}");
    ExitCode::from(2)
}

/// Read and compile a formula, from a formula file or a host file (`--select` picks one of
/// several): its display name, the formula and the host file's evaluation interval; or the exit
/// status (1 with the errors rendered, 2 when it cannot be read).
pub fn load_formula(path: &str, host: &HostArgs) -> Result<(String, Formula, Option<TimeInterval>), ExitCode> {
    let (source, formula) = super::host::load_one(path, host)?;
    Ok((source.label, formula, source.interval))
}

/// The evaluation interval: `--interval` when given, else the host file's, else PT15M.
pub fn interval_or(flag: Option<&str>, host: Option<TimeInterval>) -> Result<TimeInterval, String> {
    match (flag, host) {
        (Some(text), _) => duration("interval", text),
        (None, Some(i)) => Ok(i),
        (None, None) => Ok(TimeInterval(15 * 60 * crate::time::TICKS_PER_SECOND)),
    }
}

/// An ISO 8601 duration option.
pub fn duration(flag: &str, text: &str) -> Result<TimeInterval, String> {
    parse_iso8601_duration(text).map_err(|e| format!("--{flag} {text}: {e}"))
}

/// An RFC 3339 time option.
pub fn time(flag: &str, text: &str) -> Result<Timestamp, String> {
    parse_rfc3339(text).map_err(|e| format!("--{flag} {text}: {e}"))
}

/// The picture files of `replay` and `simulate`.
#[derive(Debug, Clone, clap::Args)]
pub struct Pictures {
    /// Write an SVG plot to this file.
    #[arg(long)]
    pub svg: Option<PathBuf>,
    /// Write an HTML report (plot, summary, timeline) to this file.
    #[arg(long)]
    pub html: Option<PathBuf>,
}

/// The output files of a replay or simulation, as indices into its [`Outputs`]: the timeline,
/// the SVG plot and the HTML report (each only when asked for).
pub(crate) type RunFiles = (Option<usize>, Option<usize>, Option<usize>);

impl Pictures {
    /// Open the timeline and these pictures (checked against the inputs) before the run.
    pub(crate) fn open(&self, outputs: &mut super::output::Outputs, timeline: Option<&std::path::Path>) -> Result<RunFiles, String> {
        Ok((
            outputs.create_if(timeline)?,
            outputs.create_if(self.svg.as_deref())?,
            outputs.create_if(self.html.as_deref())?,
        ))
    }
}

/// Formats of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// A table for people.
    Table,
    /// JSON.
    Json,
    /// CSV, one row per formula or variant.
    Csv,
}

/// The pool: a settings file and flags that override it.
#[derive(Debug, Clone, clap::Args)]
pub struct PoolArgs {
    /// Pool settings (JSON: taskSlotsPerNode, allocationLatency, preemptionRate,
    /// preemptionRecovery, dedicatedQuota, lowPriorityQuota, dedicatedPrice, lowPriorityPrice,
    /// taskRetention, nodeFill, cpuPercentScale); default: the workload file's `pool`.
    #[arg(long)]
    pool: Option<PathBuf>,
    /// `$TaskSlotsPerNode` (1–256).
    #[arg(long, allow_negative_numbers = true, value_parser = super::whole)]
    slots: Option<u64>,
    /// Time from a resize to a ready node (ISO 8601, e.g. PT5M).
    #[arg(long)]
    allocation_latency: Option<String>,
    /// Preemptions per low-priority node per hour.
    #[arg(long, allow_negative_numbers = true)]
    preemption_rate: Option<f64>,
    /// How long a preempted node stays preempted (ISO 8601).
    #[arg(long)]
    preemption_recovery: Option<String>,
    /// At most this many dedicated nodes (default and at most 100000, the largest pool
    /// simulated).
    #[arg(long, allow_negative_numbers = true, value_parser = super::whole_u32)]
    dedicated_quota: Option<u32>,
    /// At most this many low-priority nodes (default and at most 100000).
    #[arg(long, allow_negative_numbers = true, value_parser = super::whole_u32)]
    low_priority_quota: Option<u32>,
    /// Price of a dedicated node-hour.
    #[arg(long, allow_negative_numbers = true)]
    dedicated_price: Option<f64>,
    /// Price of a low-priority node-hour.
    #[arg(long, allow_negative_numbers = true)]
    low_priority_price: Option<f64>,
    /// How long task data stays on a node (for `retaineddata`; ISO 8601, default P7D).
    #[arg(long)]
    task_retention: Option<String>,
    /// Task placement: spread (default) or pack.
    #[arg(long, value_enum)]
    node_fill: Option<FillArg>,
    /// `$CPUPercent` scale: 100 (percent, default) or 1.
    #[arg(long, allow_negative_numbers = true)]
    cpu_scale: Option<f64>,
}

/// `--node-fill` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FillArg {
    /// The node with the most free slots.
    Spread,
    /// The fullest node that fits.
    Pack,
}

fn non_negative(flag: &str, x: f64) -> Result<f64, String> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(format!("--{flag} {x}: expected a finite number that is not negative"))
    }
}

impl PoolArgs {
    /// The first option given that only a simulation uses (a replay takes only `--slots` and
    /// `--allocation-latency`).
    fn simulation_only(&self) -> Option<&'static str> {
        [
            (self.pool.is_some(), "--pool"),
            (self.preemption_rate.is_some(), "--preemption-rate"),
            (self.preemption_recovery.is_some(), "--preemption-recovery"),
            (self.dedicated_quota.is_some(), "--dedicated-quota"),
            (self.low_priority_quota.is_some(), "--low-priority-quota"),
            (self.dedicated_price.is_some(), "--dedicated-price"),
            (self.low_priority_price.is_some(), "--low-priority-price"),
            (self.task_retention.is_some(), "--task-retention"),
            (self.node_fill.is_some(), "--node-fill"),
            (self.cpu_scale.is_some(), "--cpu-scale"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }

    /// The settings: the file (or `base`), then the flags.
    pub fn settings(&self, base: Option<PoolSettings>) -> Result<PoolSettings, String> {
        let mut s = match &self.pool {
            Some(path) => load_pool_settings(path).map_err(|e| e.to_string())?,
            None => base.unwrap_or_default(),
        };
        if let Some(n) = self.slots {
            s.task_slots_per_node = match n {
                1..=256 => n as u32,
                _ => return Err(format!("--slots {n}: a node has 1 to 256 task slots")),
            };
        }
        if let Some(d) = &self.allocation_latency {
            s.allocation_latency = duration("allocation-latency", d)?;
        }
        if let Some(d) = &self.preemption_recovery {
            s.preemption_recovery = duration("preemption-recovery", d)?;
        }
        if let Some(d) = &self.task_retention {
            s.task_retention = duration("task-retention", d)?;
        }
        if let Some(x) = self.preemption_rate {
            s.preemption_rate = non_negative("preemption-rate", x)?;
        }
        if let Some(x) = self.dedicated_price {
            s.dedicated_price = non_negative("dedicated-price", x)?;
        }
        if let Some(x) = self.low_priority_price {
            s.low_priority_price = non_negative("low-priority-price", x)?;
        }
        if let Some(x) = self.cpu_scale {
            s.cpu_percent_scale = non_negative("cpu-scale", x)?;
        }
        for (flag, given, field) in [
            ("--dedicated-quota", self.dedicated_quota, &mut s.dedicated_quota),
            ("--low-priority-quota", self.low_priority_quota, &mut s.low_priority_quota),
        ] {
            if let Some(q) = given {
                if q > MAX_POOL_NODES {
                    return Err(format!(
                        "{flag} {q}: more than the largest pool simulated, {MAX_POOL_NODES} nodes of a kind"
                    ));
                }
                *field = Some(q);
            }
        }
        if let Some(f) = self.node_fill {
            s.node_fill = match f {
                FillArg::Spread => NodeFill::Spread,
                FillArg::Pack => NodeFill::Pack,
            };
        }
        Ok(s)
    }
}

/// What a simulation runs on: the workload, the pool, the period and the seed.
#[derive(Debug, Clone, clap::Args)]
pub struct SimArgs {
    /// Workload: JSON generators (`.json`), a CSV trace (submit,duration,slots) or a Batch task
    /// list (`az batch task list --output json`).
    #[arg(long, short)]
    pub workload: Option<PathBuf>,
    /// The pool.
    #[command(flatten)]
    pool: PoolArgs,
    /// Dedicated nodes ready at the start (at most the quota).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = super::whole)]
    initial_dedicated: u64,
    /// Low-priority nodes ready at the start (at most the quota).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = super::whole)]
    initial_low_priority: u64,
    /// Start (RFC 3339); default: the workload's start.
    #[arg(long)]
    start: Option<String>,
    /// End (RFC 3339); default: the workload's end (for a trace, a day after the last task
    /// could end).
    #[arg(long)]
    end: Option<String>,
    /// Seed of the workload's generators, the preemptions and `rand()`.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = super::whole)]
    seed: u64,
    /// Samples of metrics the simulation does not produce (CSV or JSON metric file), e.g. a
    /// retired metric the formula still reads.
    #[arg(long)]
    extra_metrics: Option<PathBuf>,
}

/// A simulation ready to run.
pub struct SimSetup {
    /// The workload's file name.
    pub name: String,
    /// The tasks.
    pub workload: Workload,
    /// The settings (interval set by the caller).
    pub config: SimulationConfig,
    /// What to say about the workload (e.g. the tasks of a task list taken as they stand).
    pub notes: Vec<String>,
    /// Every file read: the workload, the traces it names, the pool and the extra metrics.
    pub inputs: Vec<PathBuf>,
}

impl SimArgs {
    /// Read the workload and build the settings.
    pub fn setup(&self, interval: TimeInterval) -> Result<SimSetup, String> {
        let Some(path) = &self.workload else {
            return Err("--workload FILE is needed (JSON generators or a CSV trace)".into());
        };
        let (spec, notes) = match load_if_task_list(path).map_err(|e| e.to_string())? {
            Some(list) => (workload_from_tasks(&list), vec![describe_tasks(&list)]),
            None => (load_workload(path).map_err(|e| e.to_string())?, Vec::new()),
        };
        let settings = self.pool.settings(spec.pool.clone())?;
        let start = match &self.start {
            Some(s) => time("start", s)?,
            None => spec.start,
        };
        let end = match &self.end {
            Some(s) => time("end", s)?,
            None => spec.end,
        };
        let (dedicated_quota, low_priority_quota) = settings.quotas();
        let initial = |flag: &str, n: u64, quota: u32| {
            if n > quota as u64 {
                return Err(format!(
                    "{flag} {n}: more nodes than the quota of {quota} (the largest pool simulated is {MAX_POOL_NODES} nodes of a kind)"
                ));
            }
            Ok(n as u32)
        };
        let initial_dedicated = initial("--initial-dedicated", self.initial_dedicated, dedicated_quota)?;
        let initial_low_priority = initial("--initial-low-priority", self.initial_low_priority, low_priority_quota)?;
        let mut inputs = vec![path.clone()];
        let dir = path.parent().unwrap_or(Path::new("."));
        for g in &spec.generators {
            if let Generator::Trace { file, .. } = g {
                if !file.is_empty() {
                    inputs.push(dir.join(file));
                }
            }
        }
        inputs.extend(self.pool.pool.iter().cloned());
        inputs.extend(self.extra_metrics.iter().cloned());
        let workload = spec.generate(self.seed).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut config = SimulationConfig::new(start, end);
        config.interval = interval;
        config.pool = settings;
        config.seed = self.seed;
        config.initial_dedicated = initial_dedicated;
        config.initial_low_priority = initial_low_priority;
        if let Some(extra) = &self.extra_metrics {
            config.supplied_metrics = load_metrics(extra).map_err(|e| e.to_string())?.metrics;
        }
        Ok(SimSetup {
            name: path.display().to_string(),
            workload,
            config,
            notes,
            inputs,
        })
    }

    /// A replay of `data` with this period, seed and pool (slots, allocation latency).
    pub fn replay_config(&self, data: &MetricData, source: &str, interval: TimeInterval) -> Result<ReplayConfig, String> {
        let only = [
            (self.extra_metrics.is_some(), "--extra-metrics"),
            (self.initial_dedicated > 0, "--initial-dedicated"),
            (self.initial_low_priority > 0, "--initial-low-priority"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
        .or(self.pool.simulation_only());
        if let Some(flag) = only {
            return Err(format!("{flag} applies to a simulation (--workload), not to a replay (--metrics)"));
        }
        let bound = |flag: &str, given: &Option<String>, default: Option<Timestamp>| match given {
            Some(s) => time(flag, s),
            None => default.ok_or_else(|| format!("--{flag} is needed: {source} has no samples")),
        };
        let mut config = ReplayConfig::new(bound("start", &self.start, data.first)?, bound("end", &self.end, data.last)?);
        config.interval = interval;
        config.seed = self.seed;
        let settings = self.pool.settings(None)?;
        config.initial_pool.task_slots_per_node = settings.task_slots_per_node as f64;
        config.allocation_delay = settings.allocation_latency;
        Ok(config)
    }
}

/// A progress bar on standard error for `total` runs, only on a terminal and when there is
/// more than one.
pub fn progress(total: usize) -> Option<indicatif::ProgressBar> {
    if total < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs, {elapsed} ({eta} left)") {
        bar.set_style(style);
    }
    Some(bar)
}

/// What `compare` and `sweep` run on, read from the options.
pub enum Bench {
    /// A simulation.
    Simulate(SimSetup),
    /// A replay of a history.
    Replay {
        /// The history's file name.
        name: String,
        /// The history.
        data: MetricData,
        /// The settings.
        config: ReplayConfig,
    },
}

impl Bench {
    /// Read the workload (`--workload`) or the history (`--metrics`).
    pub fn read(sim: &SimArgs, metrics: Option<&Path>, interval: TimeInterval) -> Result<Bench, String> {
        match (metrics, &sim.workload) {
            (Some(path), _) => {
                let data = load_metrics(path).map_err(|e| e.to_string())?;
                let name = path.display().to_string();
                let config = sim.replay_config(&data, &name, interval)?;
                Ok(Bench::Replay { name, data, config })
            }
            (None, Some(_)) => Ok(Bench::Simulate(sim.setup(interval)?)),
            (None, None) => Err("give --workload FILE (simulation) or --metrics FILE (replay)".into()),
        }
    }

    /// Every file the bench was read from.
    pub fn inputs(&self) -> Vec<PathBuf> {
        match self {
            Bench::Simulate(s) => s.inputs.clone(),
            Bench::Replay { name, .. } => vec![PathBuf::from(name)],
        }
    }

    /// The scenario to run variants on.
    pub fn scenario(&self) -> Scenario<'_> {
        match self {
            Bench::Simulate(s) => Scenario::Simulate {
                workload: &s.workload,
                config: &s.config,
            },
            Bench::Replay { data, config, .. } => Scenario::Replay { data, config },
        }
    }

    /// One line saying what ran.
    pub fn describe(&self) -> String {
        let (verb, name, start, end, interval) = match self {
            Bench::Simulate(s) => ("simulated on", &s.name, s.config.start, s.config.end, s.config.interval),
            Bench::Replay { name, config, .. } => ("replayed over", name, config.start, config.end, config.interval),
        };
        format!(
            "{verb} {name}: {} to {}, every {}",
            start.format_results(),
            end.format_results(),
            iso8601(interval)
        )
    }
}

/// Run the variants (in parallel, with a progress bar on a terminal) and print the summaries
/// side by side; write the HTML page when asked.
/// `formulas` are the formula files (inputs an output may not replace).
pub fn run_and_print(bench: &Bench, formulas: &[String], variants: &[Variant], format: SummaryFormat, html: Option<&Path>) -> ExitCode {
    let inputs = bench.inputs();
    let mut outputs = Outputs::new(inputs.iter().map(PathBuf::as_path).chain(formulas.iter().map(Path::new)));
    let html_file = match outputs.create_if(html) {
        Ok(f) => f,
        Err(m) => return fail(m),
    };
    let bar = progress(variants.len());
    let done = || {
        if let Some(b) = &bar {
            b.inc(1);
        }
    };
    let outcomes = run_variants(&bench.scenario(), variants, html.is_some(), &done);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut ok = Vec::with_capacity(outcomes.len());
    for (v, outcome) in variants.iter().zip(outcomes) {
        match outcome {
            Ok(o) => ok.push((v, o)),
            Err(e) => return fail(format!("{}: {e}", v.label)),
        }
    }
    let reports: Vec<Report> = ok
        .iter()
        .map(|(v, o)| {
            let mut r = o.report(&v.label);
            // What a sweep set comes first in the CSV, as numbers.
            let set = v.parameters.iter().map(|(name, value)| Figure {
                name: name.clone(),
                value: Some(*value),
            });
            r.figures.splice(0..0, set);
            r
        })
        .collect();
    let description = bench.describe();
    outputs.write_if(html_file, || {
        let plots: Vec<String> = ok
            .iter()
            .map(|(v, o)| match o {
                Outcome::Simulation(s) => simulation_svg(s, &v.label),
                Outcome::Replay(r) => match bench {
                    Bench::Replay { data, .. } => timeline_svg(r, data, &v.label),
                    Bench::Simulate(_) => String::new(),
                },
            })
            .collect();
        html_report(&description, &plots, &reports, None)
    });
    if let Err(m) = outputs.commit() {
        return fail(m);
    }
    match format {
        SummaryFormat::Table => {
            outln!("{description}\n");
            out!("{}", side_by_side(&reports));
        }
        SummaryFormat::Csv => out!("{}", reports_csv(&reports)),
        SummaryFormat::Json => {
            let out: Vec<serde_json::Value> = ok
                .iter()
                .map(|(v, o)| {
                    let summary = match o {
                        Outcome::Simulation(s) => serde_json::to_value(&s.summary),
                        Outcome::Replay(r) => serde_json::to_value(&r.summary),
                    };
                    serde_json::json!({ "name": v.label, "summary": summary.unwrap_or_default() })
                })
                .collect();
            outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
    }
    ExitCode::SUCCESS
}
