//! `batch-autoscale history`: the metric history a Batch task list implies, as CSV.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::data::tasks::load_if_task_list;
use crate::data::{load_metric_file, MetricData, MetricFile};
use crate::Timestamp;

use super::output::write_output;
use super::scenario::{fail, time};

/// Arguments of `history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// The task list: `az batch task list --job-id J --output json` (or the REST `{"value": [...]}`
    /// body, or one task per line).
    tasks: PathBuf,
    /// Last sample (RFC 3339); default: the latest time in the file.
    #[arg(long)]
    end: Option<String>,
    /// Write the CSV to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// A metric history: a task list derived up to `end` (with a line saying what the tasks are),
/// or any metric file.
pub fn load_history(path: &Path, end: Option<Timestamp>) -> Result<(MetricData, Option<String>), String> {
    // One read of the file, whichever it is.
    match load_metric_file(path).map_err(|e| e.to_string())? {
        MetricFile::Tasks(list) => {
            let s = list.states();
            let note = format!(
                "history derived from {} on the 30-second grid: {} completed, {} running, {} not started at {}",
                super::counted(list.tasks.len(), "task"),
                s.completed,
                s.running,
                s.not_started,
                list.last.format_results()
            );
            let data = list.history(end).map_err(|m| format!("{}: {m}", path.display()))?;
            Ok((data, Some(note)))
        }
        MetricFile::Metrics(data) => Ok((data, None)),
    }
}

/// Run `history`: 0 done, 2 bad input.
pub fn run(args: HistoryArgs) -> ExitCode {
    let end = match args.end.as_deref().map(|e| time("end", e)).transpose() {
        Ok(e) => e,
        Err(m) => return fail(m),
    };
    let list = match load_if_task_list(&args.tasks) {
        Ok(Some(list)) => list,
        Ok(None) => {
            return fail(format!(
                "{}: not a task list; expected the JSON of `az batch task list --job-id JOB --output json`",
                args.tasks.display()
            ))
        }
        Err(e) => return fail(e),
    };
    let csv = match list.history_csv(end) {
        Ok(c) => c,
        Err(m) => return fail(format!("{}: {m}", args.tasks.display())),
    };
    match &args.output {
        Some(path) => {
            if let Err(m) = write_output([args.tasks.as_path()], path, &csv) {
                return fail(m);
            }
        }
        None => out!("{csv}"),
    }
    ExitCode::SUCCESS
}
