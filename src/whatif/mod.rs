//! What-if: what would a formula have done, or do, to a pool?
//!
//! - [`replay`] evaluates a formula at every evaluation tick over recorded metric history
//!   (open loop: the history does not react to the formula).
//! - [`simulate`] runs a formula in closed loop against a simulated pool and job queue fed by
//!   a [`Workload`] (a trace or generators, [`load_workload`]); the pool model is described in
//!   [`PoolSettings`] and the README.
//! - [`run_variants`] runs several formulas, or one formula with parameters swept
//!   ([`sweep_variants`]), on the same workload or history, in parallel.
//! - Results are plain data: rows and a summary ([`Replay`], [`Simulation`]), each timeline
//!   also as CSV ([`Replay::to_csv`]) and as a [`TimelinePlot`] when one is asked for. The
//!   command line's reports, SVG plots and HTML pages are built from them.
//!
//! Replay:
//!
//! ```
//! use batch_autoscale::whatif::{replay, ReplayConfig};
//! use batch_autoscale::{parse_csv, Formula, TimeInterval};
//!
//! let csv = "timestamp,$PendingTasks\n2026-11-23T12:00:00Z,4\n2026-11-23T12:00:30Z,8\n";
//! let data = parse_csv(csv, "inline.csv").unwrap();
//! let formula = Formula::compile("$TargetDedicatedNodes = max(0, $PendingTasks.GetSample(1)) / 2;").unwrap();
//! let start = data.first.unwrap();
//! let config = ReplayConfig::new(start, data.last.unwrap().checked_add(TimeInterval::HOUR).unwrap());
//! let result = replay(&formula, &data, &config).unwrap();
//! assert_eq!(result.rows[0].target_dedicated, 0); // at 12:00 the first sample is not yet published
//! assert_eq!(result.rows[1].target_dedicated, 4); // at 12:15 the last sample is 8
//! ```

mod durations;
mod fields;
#[cfg(feature = "cli")]
mod html;
mod limits;
mod load;
#[cfg(feature = "cli")]
mod localtime;
mod pool;
mod replay;
#[cfg(feature = "cli")]
mod report;
mod rng;
mod schedule;
mod settings;
mod simulate;
mod svg;
mod table;
mod tasks;
#[cfg(feature = "cli")]
mod templates;
mod timeline;
mod variants;
mod workload;

// The public API: configurations, runs and results.
pub use crate::data::tasks::{parse_task_list, TaskList};
pub use limits::MAX_POOL_NODES;
pub use load::load_workload;
pub use pool::SIMULATED_METRICS;
pub use replay::{replay, replay_streaming, Replay, ReplayConfig};
pub use schedule::ReplayError;
pub use settings::{load_pool_settings, NodeFill, PoolSettings};
pub use simulate::{
    simulate, simulate_streaming, Cost, Simulation, SimulationConfig, SimulationError, SimulationRow, SimulationSummary, TaskSummary,
    WaitSummary,
};
pub use svg::TimelinePlot;
pub use tasks::workload_from_tasks;
pub use timeline::{ErrorCode, FailureSummary, ReplayRow, ReplaySummary, TargetStats};
pub use variants::{run_variants, sweep_variants, Outcome, Parameter, Scenario, SweepError, Variant, VariantError, MAX_VARIANTS};
pub use workload::{
    parse_trace_csv, parse_workload_json, DurationDist, Generator, Task, TimeSpec, Workload, WorkloadError, WorkloadSpec, MAX_TASKS,
};

// What the command-line tool adds on top: reports, pages, plots, templates, local time.
#[cfg(feature = "cli")]
pub(crate) use html::{html_report, HTML_TIMELINE_ROWS};
#[cfg(feature = "cli")]
pub(crate) use localtime::Zone;
#[cfg(feature = "cli")]
pub(crate) use replay::timeline_svg;
#[cfg(feature = "cli")]
pub(crate) use report::{reports_csv, side_by_side, Figure, Report};
#[cfg(feature = "cli")]
pub(crate) use simulate::simulation_svg;
#[cfg(feature = "cli")]
pub(crate) use table::{csv_line, Table};
#[cfg(feature = "cli")]
pub(crate) use tasks::describe_tasks;
#[cfg(feature = "cli")]
pub(crate) use templates::{template, TemplateKind, TemplateOptions};
#[cfg(feature = "cli")]
pub(crate) use variants::iso8601;
