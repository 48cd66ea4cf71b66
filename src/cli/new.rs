//! `batch-autoscale new KIND`: write a commented formula for a common need.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::whatif::{template, TemplateKind, TemplateOptions};

use super::output::write_output;
use super::scenario::fail;

/// The templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Pending tasks over a window, guarded by GetSamplePercent (the docs' pattern).
    TaskBased,
    /// Task-based, with dedicated nodes kept warm during business hours (UTC).
    TimeOfDay,
    /// Spot / low-priority nodes above a floor of dedicated nodes.
    #[value(alias = "low-priority")]
    Spot,
    /// Task-based, counting a node as $TaskSlotsPerNode tasks.
    SlotAware,
    /// Spot nodes, with dedicated nodes in place of preempted ones.
    PreemptionAware,
}

/// Arguments of `new`.
#[derive(Debug, clap::Args)]
pub struct NewArgs {
    /// Which formula.
    #[arg(value_enum)]
    kind: Kind,
    /// At most this many nodes.
    #[arg(long, default_value_t = 20)]
    max_nodes: u32,
    /// Tasks a node runs at once (the pool's task slots; slot-aware reads $TaskSlotsPerNode).
    #[arg(long, default_value_t = 1)]
    slots: u32,
    /// Dedicated nodes kept: the floor of `spot` (default 1), the business-hours floor of
    /// `time-of-day` (default 2), a warm floor for `task-based` and `slot-aware` (default 0).
    #[arg(long)]
    min_dedicated: Option<u32>,
    /// Business hours of `time-of-day`, UTC, as START-END (e.g. 8-18).
    #[arg(long, default_value = "8-18")]
    hours: String,
    /// The sample window in minutes.
    #[arg(long, default_value_t = 15)]
    window: u32,
    /// Write the formula to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// Run `new`: 0 done, 2 bad options.
pub fn run(args: NewArgs) -> ExitCode {
    let kind = match args.kind {
        Kind::TaskBased => TemplateKind::TaskBased,
        Kind::TimeOfDay => TemplateKind::TimeOfDay,
        Kind::Spot => TemplateKind::Spot,
        Kind::SlotAware => TemplateKind::SlotAware,
        Kind::PreemptionAware => TemplateKind::PreemptionAware,
    };
    let Some((start_hour, end_hour)) = args
        .hours
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
    else {
        return fail(format!("--hours {}: give START-END in whole UTC hours, e.g. 8-18", args.hours));
    };
    let options = TemplateOptions {
        max_nodes: args.max_nodes,
        tasks_per_node: args.slots,
        min_dedicated: args.min_dedicated.unwrap_or(match kind {
            TemplateKind::TimeOfDay => 2,
            TemplateKind::Spot => 1,
            _ => 0,
        }),
        start_hour,
        end_hour,
        window_minutes: args.window,
    };
    let text = match template(kind, &options) {
        Ok(t) => t,
        Err(m) => return fail(m),
    };
    match &args.output {
        Some(path) => {
            if let Err(m) = write_output([], path, &text) {
                return fail(m);
            }
        }
        None => out!("{text}"),
    }
    ExitCode::SUCCESS
}
