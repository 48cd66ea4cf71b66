//! Reading a workload file of any kind: a Batch task list, a JSON workload or a CSV trace.

use std::path::Path;

use crate::data::DataError;

use super::tasks::workload_from_tasks;
use super::workload::{parse_trace_csv, parse_workload_json, WorkloadSpec};

/// Read a workload: a Batch task list (by content, see [`TaskList`](super::TaskList)), JSON (by the
/// `.json` extension) or a CSV trace.
pub fn load_workload(path: &Path) -> Result<WorkloadSpec, DataError> {
    let text = crate::data::read_text(path)?;
    let display = path.display().to_string();
    if crate::data::tasks::is_task_list(&text) {
        let list = crate::data::tasks::parse_task_list(&text, &display)?;
        return Ok(workload_from_tasks(&list));
    }
    if path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        parse_workload_json(&text, &display, path.parent().unwrap_or(Path::new(".")))
    } else {
        let tasks = parse_trace_csv(&text, &display)?;
        WorkloadSpec::from_trace(tasks).ok_or(DataError::At {
            path: display,
            line: 2,
            column: 1,
            message: "the trace has no task".into(),
        })
    }
}
