//! What-if: what would a formula have done, or do, to a pool?
//!
//! - [`replay`] evaluates a formula at every evaluation tick over recorded metric history
//!   (open loop: the history does not react to the formula).
//! - [`simulate`] runs a formula in closed loop against a simulated pool and job queue fed by
//!   a [`Workload`] (a trace or generators, [`load_workload`]); the pool model is described in
//!   [`PoolSettings`] and the README.
//! - [`run_variants`] runs several formulas, or one formula with parameters swept
//!   ([`sweep_variants`]), on the same workload or history, in parallel.
//! - [`Report`] and [`side_by_side`] summarise for people, [`Table`] holds timelines (CSV),
//!   [`timeline_svg`]/[`simulation_svg`] draw them and [`html_report`] puts it all in one page.
//!
//! Replay:
//!
//! ```
//! use batch_autoscale::whatif::{replay, ReplayConfig};
//! use batch_autoscale::data::parse_csv;
//! use batch_autoscale::{Formula, TimeInterval};
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
mod html;
mod limits;
mod load;
mod localtime;
mod pool;
mod replay;
mod report;
mod rng;
mod schedule;
mod settings;
mod simulate;
mod svg;
mod table;
mod tasks;
mod templates;
mod timeline;
mod variants;
mod workload;

pub use html::{html_report, HTML_TIMELINE_ROWS};
pub use limits::MAX_POOL_NODES;
pub use load::load_workload;
pub use localtime::{format_offset, Transition, Zone};
pub use pool::SIMULATED_METRICS;
pub use replay::{replay, replay_streaming, timeline_svg, Replay, ReplayConfig};
pub use report::{reports_csv, side_by_side, Figure, Report, ReportLine};
pub use schedule::ReplayError;
pub use settings::{load_pool_settings, NodeFill, PoolSettings};
pub use simulate::{
    simulate, simulate_streaming, simulation_svg, Cost, Simulation, SimulationConfig, SimulationError, SimulationRow, SimulationSummary,
    TaskSummary, WaitSummary, SAMPLE_PERIOD,
};
pub use svg::TimelinePlot;
pub use table::{csv_line, Table};
pub use tasks::{describe_tasks, workload_from_tasks};
pub use templates::{template, TemplateKind, TemplateOptions};
pub use timeline::{ErrorCode, FailureSummary, ReplayRow, ReplaySummary, TargetStats};
pub use variants::{
    iso8601, run_variants, substitute, sweep_variants, Outcome, Parameter, Scenario, SweepError, Variant, VariantError, MAX_VARIANTS,
};
pub use workload::{
    parse_trace_csv, parse_workload_json, DurationDist, Generator, Task, TimeSpec, Workload, WorkloadError, WorkloadSpec, MAX_TASKS,
};
