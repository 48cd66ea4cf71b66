//! Metric history files: CSV (long or wide) and JSON, read into a [`MetricStore`] plus the
//! time series of the pool's scalar variables, with errors that name the file, line and column.
//!
//! CSV, long form (one sample per row, rows in any order):
//!
//! ```text
//! timestamp,metric,value
//! 2026-11-23T12:00:00Z,$PendingTasks,12
//! 2026-11-23T12:00:00Z,$ActiveTasks,8
//! ```
//!
//! CSV, wide form (one column per metric; an empty cell is a sample that was never recorded):
//!
//! ```text
//! timestamp,$PendingTasks,$ActiveTasks,$CurrentDedicatedNodes
//! 2026-11-23T12:00:00Z,12,8,2
//! ```
//!
//! Columns or rows may also name the scalar pool variables (`$CurrentDedicatedNodes`,
//! `$CurrentLowPriorityNodes`, `$TaskSlotsPerNode`, `$UsableNodeCount`): they become
//! [`ScalarSeries`] that replay reads as the pool's state over time. JSON has the shape of the
//! `metrics` object of a context file (`{"$PendingTasks": {"last": …, "values": […]}}`),
//! optionally wrapped as `{"metrics": {…}}`. A Batch task list (`az batch task list` output) is
//! read as the metric history it implies ([`tasks`]).

use std::path::Path;

mod context;
mod history;
mod input;
mod location;
mod metrics_csv;
mod metrics_json;
pub mod tasks;
mod timestamp;

#[cfg(feature = "cli")]
pub use context::check_pool_value;
#[cfg(any(feature = "cli", fuzzing))]
pub use context::parse_context_file;
pub use context::{load_context, ContextFile};
pub use history::{MetricData, ScalarSeries};
#[cfg(feature = "cli")]
pub use input::read_stdin_text;
pub use input::read_text;
#[cfg(feature = "whatif")]
pub(crate) use location::json_column;
pub use location::DataError;
pub(crate) use location::{json_error, json_place, line_column};
#[cfg(feature = "whatif")]
pub(crate) use metrics_csv::csv_reader;
pub use metrics_csv::parse_csv;
pub use metrics_json::parse_json;

/// A metric file as read: a Batch task list (whose history depends on the end chosen), or
/// metric data.
#[derive(Debug, Clone)]
pub enum MetricFile {
    /// A task list (`az batch task list` output); [`tasks::TaskList::history`] gives its samples.
    Tasks(Box<tasks::TaskList>),
    /// CSV or JSON metric data.
    Metrics(MetricData),
}

/// Read a metric file once: a task list is recognised by its content; otherwise the format is
/// chosen by extension (`.json`, otherwise CSV).
pub fn load_metric_file(path: &Path) -> Result<MetricFile, DataError> {
    let display = path.display().to_string();
    let text = read_text(path)?;
    if tasks::is_task_list(&text) {
        return Ok(MetricFile::Tasks(Box::new(tasks::parse_task_list(&text, &display)?)));
    }
    if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        parse_json(&text, &display).map(MetricFile::Metrics)
    } else {
        parse_csv(&text, &display).map(MetricFile::Metrics)
    }
}

/// Read a metric file (see [`load_metric_file`]); a task list gives the history it implies up
/// to its latest time.
pub fn load_metrics(path: &Path) -> Result<MetricData, DataError> {
    match load_metric_file(path)? {
        MetricFile::Tasks(list) => list.history(None).map_err(|message| DataError::Io {
            path: path.display().to_string(),
            message,
        }),
        MetricFile::Metrics(data) => Ok(data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::{Metric, PoolScalar};
    use crate::time::parse_rfc3339;
    use context::parse_context;

    #[test]
    fn long_and_wide_forms_give_the_same_samples() {
        let long = "timestamp,metric,value\n2026-11-23T12:00:30Z,$PendingTasks,5\n2026-11-23T12:00:00Z,$PendingTasks,3\n2026-11-23T12:00:00Z,ActiveTasks,1\n";
        let wide = "timestamp,$PendingTasks,$ActiveTasks\n2026-11-23T12:00:00Z,3,1\n2026-11-23T12:00:30Z,5,\n";
        let a = parse_csv(long, "long.csv").unwrap();
        let b = parse_csv(wide, "wide.csv").unwrap();
        assert_eq!(a.metrics, b.metrics);
        assert_eq!(a.metrics.history(Metric::PendingTasks).values(), &[3.0, 5.0]);
        assert_eq!(a.metrics.history(Metric::ActiveTasks).len(), 1);
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            ("timestamp,$PendingTask\n", "x.csv:1:2:"),
            ("timestamp,$PendingTasks\n2026-11-23 12:00:00,1\n", "x.csv:2:1:"),
            ("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,abc\n", "x.csv:2:2:"),
            ("timestamp,$PendingTasks\n2026-11-23T12:00:00Z,NaN\n", "x.csv:2:2:"),
            (
                "timestamp,metric,value\n2026-11-23T12:00:00Z,$PendingTasks,1\n2026-11-23T12:00:00Z,$PendingTasks,2\n",
                "x.csv:3:3:",
            ),
            ("timestamp,$TargetDedicatedNodes\n", "x.csv:1:2:"),
            (
                "timestamp,$PendingTasks,$ActiveTasks,PendingTasks\n2026-11-23T12:00:00Z,1,2,3\n",
                "x.csv:1:4: the column `PendingTasks` appears twice",
            ),
            ("timestamp,$PendingTasks\n2026-11-23T12:00:00+99:99,1\n", "x.csv:2:1:"),
            (
                "timestamp,metric,value\n2026-11-23T12:00:00Z,$PendingTasks,1\n2026-11-23T12:00:00Z,PendingTasks,2\n",
                "x.csv:3:3: a second sample",
            ),
        ];
        for (text, prefix) in cases {
            let e = parse_csv(text, "x.csv").unwrap_err().to_string();
            assert!(e.starts_with(prefix), "{text:?}: {e}");
        }
    }

    #[test]
    fn scalar_columns_become_series() {
        let wide = "timestamp,$CurrentDedicatedNodes\n2026-11-23T12:00:00Z,2\n2026-11-23T12:05:00Z,4\n";
        let d = parse_csv(wide, "w.csv").unwrap();
        let s = d.scalar(PoolScalar::CurrentDedicatedNodes).unwrap();
        assert_eq!(s.value_at(parse_rfc3339("2026-11-23T12:04:00Z").unwrap()), Some(2.0));
        assert_eq!(s.value_at(parse_rfc3339("2026-11-23T11:00:00Z").unwrap()), None);
    }

    #[test]
    fn json_reads_context_shaped_metrics() {
        let d = parse_json(
            r#"{"metrics": {"$ActiveTasks": {"last": "2026-11-23T12:00:00Z", "values": [1, null, 3]}}}"#,
            "m.json",
        )
        .unwrap();
        assert_eq!(d.metrics.history(Metric::ActiveTasks).values(), &[1.0, 3.0]);
        assert!(parse_json("{\"$Nope\": {\"last\": \"2026-11-23T12:00:00Z\", \"values\": []}}", "m.json").is_err());
        let e = parse_json("{\n  \"metrics\": [,]\n}", "m.json").unwrap_err().to_string();
        assert!(e.starts_with("m.json:2:"), "{e}");
        // Columns count characters, not the bytes serde_json counts (found by fuzzing).
        let e = parse_json("{\"é\": x}", "m.json").unwrap_err().to_string();
        assert!(e.starts_with("m.json:1:7:"), "{e}");
        let e = parse_context("{\n \"now\": \"ž\"a}", "c.json").unwrap_err().to_string();
        assert!(e.starts_with("c.json:2:12:"), "{e}");
    }
}
