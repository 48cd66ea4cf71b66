//! Batch task lists: what `az batch task list --job-id J --output json` prints (a JSON array of
//! task objects), the REST body it comes from (`{"value": [...]}`), or one task object per line
//! (JSON lines). Only these fields are read (camelCase, as the API writes them); every other
//! field is ignored:
//!
//! ```json
//! [
//!   {
//!     "id": "frame-0001",
//!     "state": "completed",
//!     "creationTime": "2026-11-23T10:00:01.123456+00:00",
//!     "requiredSlots": 1,
//!     "executionInfo": {
//!       "startTime": "2026-11-23T10:04:12.5+00:00",
//!       "endTime": "2026-11-23T10:09:40+00:00",
//!       "result": "success",
//!       "exitCode": 0,
//!       "retryCount": 0
//!     }
//!   }
//! ]
//! ```
//!
//! From a task list, [`TaskList::history`] derives the metric history the service would have
//! sampled, on the 30-second grid aligned to the Unix epoch: at each grid time g,
//!
//! - `$ActiveTasks`: tasks created at or before g that have not started (no `startTime`, or
//!   g < `startTime`); a task that ended without starting is active until its `endTime`;
//! - `$RunningTasks`: tasks started at or before g that have not ended (no `endTime`, or
//!   g < `endTime`);
//! - `$PendingTasks`: the sum of the two;
//! - `$SucceededTasks` / `$FailedTasks`: tasks ended at or before g with result `success` /
//!   `failure` (without a `result`, exit code 0 is a success).
//!
//! The history runs from the first grid time at or after the first creation to the last one
//! at or before the latest time in the file (or a given end). `startTime` is the start of the
//! most recent try, so a retried task counts as running from its last try only.

#[cfg(feature = "cli")]
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

#[cfg(feature = "cli")]
use super::read_text;
use super::{json_error, json_place, line_column, DataError, MetricData};
use crate::builtins::Metric;
use crate::eval::MetricStore;
use crate::time::{parse_rfc3339, TimeInterval, Timestamp, TICKS_PER_SECOND};

/// The grid the derived history is sampled on: every 30 seconds, aligned to the Unix epoch.
pub const GRID: TimeInterval = TimeInterval(30 * TICKS_PER_SECOND);

/// The most grid points a derived history may have (about 347 days).
pub const MAX_GRID_POINTS: i64 = 1_000_000;

/// The metrics a task list gives, in the order of [`TaskCounts`] and of the CSV columns.
pub const DERIVED_METRICS: [Metric; 5] = [
    Metric::ActiveTasks,
    Metric::RunningTasks,
    Metric::PendingTasks,
    Metric::SucceededTasks,
    Metric::FailedTasks,
];

/// How a finished task ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskOutcome {
    /// `result: "success"` (or exit code 0).
    Success,
    /// `result: "failure"` (or a non-zero exit code, or a failure record).
    Failure,
}

/// One task of a task list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchTask {
    /// `id`.
    pub id: String,
    /// `state` as written (`active`, `preparing`, `running`, `completed`), lower case.
    pub state: String,
    /// `creationTime`.
    pub created: Timestamp,
    /// `executionInfo.startTime`: when the most recent try started.
    pub started: Option<Timestamp>,
    /// `executionInfo.endTime`.
    pub ended: Option<Timestamp>,
    /// How it ended, when it has.
    pub outcome: Option<TaskOutcome>,
    /// `executionInfo.retryCount`.
    pub retries: u32,
    /// `requiredSlots` (default 1).
    pub slots: u32,
}

/// The tasks of a task list file (`az batch task list` output), read by
/// [`parse_task_list`]; [`workload_from_tasks`](crate::whatif::workload_from_tasks) makes a
/// workload of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskList {
    /// The tasks, in file order.
    pub(crate) tasks: Vec<BatchTask>,
    /// The earliest creation.
    pub(crate) first: Timestamp,
    /// The latest time in the file (creation, start or end).
    pub(crate) last: Timestamp,
}

/// The derived counts at one grid time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskCounts {
    /// `$ActiveTasks`.
    pub active: u64,
    /// `$RunningTasks`.
    pub running: u64,
    /// `$SucceededTasks`.
    pub succeeded: u64,
    /// `$FailedTasks`.
    pub failed: u64,
}

impl TaskCounts {
    /// `$PendingTasks`: active plus running.
    pub fn pending(&self) -> u64 {
        self.active + self.running
    }

    /// The values in the order of [`DERIVED_METRICS`].
    pub fn values(&self) -> [u64; 5] {
        [self.active, self.running, self.pending(), self.succeeded, self.failed]
    }
}

/// How many tasks are in each state, for a summary line.
#[cfg(feature = "cli")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateCounts {
    /// Ended (`endTime` set).
    pub completed: usize,
    /// Of those, failed.
    pub failed: usize,
    /// Started, not ended.
    pub running: usize,
    /// Not started, not ended.
    pub not_started: usize,
    /// Tasks retried at least once.
    pub retried: usize,
}

/// Whether `text` looks like a task list: a JSON array, a `{"value": [...]}` body, or an
/// object with `creationTime` on its first line (JSON lines). Metric and workload files are
/// JSON objects without either key, so they are never taken for task lists.
pub fn is_task_list(text: &str) -> bool {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('[') {
        return true;
    }
    if !trimmed.starts_with('{') {
        return false;
    }
    let first_line = trimmed.lines().next().unwrap_or("");
    if let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(first_line) {
        // A task on one line; a pool or job object (`az batch pool show`) has `creationTime`
        // too, but never `executionInfo`, `commandLine` or `requiredSlots`.
        let task_like = ["executionInfo", "commandLine", "requiredSlots"].iter().any(|k| o.contains_key(*k));
        return (o.contains_key("creationTime") && task_like) || o.get("value").is_some_and(|v| v.is_array());
    }
    #[derive(Deserialize)]
    struct Body<'a> {
        #[serde(borrow)]
        value: Option<&'a RawValue>,
    }
    serde_json::from_str::<Body>(trimmed)
        .ok()
        .and_then(|b| b.value)
        .is_some_and(|v| v.get().trim_start().starts_with('['))
}

/// Read a task list file when it is one; `None` for any other file.
#[cfg(feature = "cli")]
pub fn load_if_task_list(path: &Path) -> Result<Option<TaskList>, DataError> {
    let text = read_text(path)?;
    if !is_task_list(&text) {
        return Ok(None);
    }
    parse_task_list(&text, &path.display().to_string()).map(Some)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTask {
    id: Option<String>,
    state: Option<String>,
    creation_time: Option<String>,
    required_slots: Option<u32>,
    execution_info: Option<RawExecution>,
    /// Every pool has one, no task does.
    vm_size: Option<serde::de::IgnoredAny>,
    /// Every job has one, no task does.
    pool_info: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawExecution {
    start_time: Option<String>,
    end_time: Option<String>,
    result: Option<String>,
    exit_code: Option<i64>,
    retry_count: Option<u32>,
    failure_info: Option<serde::de::IgnoredAny>,
}

/// Read the text of a task list (see the module docs); `path` names it in errors.
pub fn parse_task_list(text: &str, path: &str) -> Result<TaskList, DataError> {
    let base = text.as_ptr() as usize;
    let offset_of = |raw: &RawValue| raw.get().as_ptr() as usize - base;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let bom = text.len() - text.trim_start_matches('\u{feff}').len();
    let elements: Vec<&RawValue> = if trimmed.starts_with('[') {
        serde_json::from_str(&text[bom..]).map_err(|e| json_error(path, &text[bom..], &e))?
    } else if is_json_lines(trimmed) {
        let mut out = Vec::new();
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            let body = line.trim_start_matches('\u{feff}').trim();
            if !body.is_empty() {
                let start = at + (line.len() - line.trim_start_matches('\u{feff}').trim_start().len());
                let raw: &RawValue = serde_json::from_str(&text[start..start + body.len()]).map_err(|e| shifted(text, path, start, &e))?;
                out.push(raw);
            }
            at += line.len();
        }
        out
    } else {
        #[derive(Deserialize)]
        struct Body<'a> {
            #[serde(borrow)]
            value: Vec<&'a RawValue>,
        }
        serde_json::from_str::<Body>(&text[bom..])
            .map_err(|e| json_error(path, &text[bom..], &e))?
            .value
    };
    let mut tasks = Vec::with_capacity(elements.len());
    for (index, raw) in elements.iter().enumerate() {
        let start = offset_of(raw);
        let element = raw.get();
        let fail = |keys: &[&str], message: String| {
            let at = json_place(element, keys).map_or(0, |(_, value)| value);
            let (line, column) = line_column(&text[..start + at]);
            DataError::At {
                path: path.into(),
                line,
                column,
                message: match keys.is_empty() {
                    true => format!("task {}: {message}", index + 1),
                    false => format!("task {}: {}: {message}", index + 1, keys.join(".")),
                },
            }
        };
        let task: RawTask = serde_json::from_str(element).map_err(|e| {
            let mut error = shifted(text, path, start, &e);
            if let DataError::At { message, .. } = &mut error {
                *message = format!("task {}: {message}", index + 1);
            }
            error
        })?;
        for (present, key, what, command) in [
            (task.vm_size.is_some(), "vmSize", "pool", "az batch pool list"),
            (task.pool_info.is_some(), "poolInfo", "job", "az batch job list"),
        ] {
            if present {
                return Err(fail(
                    &[key],
                    format!("this is a {what} (output of `{command}`), not a task; export the tasks with `az batch task list --job-id JOB --output json`"),
                ));
            }
        }
        let time = |keys: &[&str], value: &Option<String>| -> Result<Option<Timestamp>, DataError> {
            value
                .as_deref()
                .map(|s| parse_rfc3339(s).map_err(|e| fail(keys, format!("{s:?}: {e}"))))
                .transpose()
        };
        let Some(created) = time(&["creationTime"], &task.creation_time)? else {
            return Err(fail(
                &[],
                "creationTime: missing; a task list is the output of `az batch task list --output json`".into(),
            ));
        };
        let execution = task.execution_info.as_ref();
        let started = time(&["executionInfo", "startTime"], &execution.and_then(|x| x.start_time.clone()))?;
        let ended = time(&["executionInfo", "endTime"], &execution.and_then(|x| x.end_time.clone()))?;
        if let Some(s) = started {
            if s < created {
                return Err(fail(
                    &["executionInfo", "startTime"],
                    format!("starts before the task was created ({})", created.format_results()),
                ));
            }
        }
        if let Some(e) = ended {
            let floor = started.unwrap_or(created);
            if e < floor {
                return Err(fail(
                    &["executionInfo", "endTime"],
                    format!("ends before it started ({})", floor.format_results()),
                ));
            }
        }
        let outcome = match ended {
            None => None,
            Some(_) => {
                let x = execution;
                match x.and_then(|x| x.result.as_deref()).map(str::to_ascii_lowercase).as_deref() {
                    Some("success") => Some(TaskOutcome::Success),
                    Some("failure") => Some(TaskOutcome::Failure),
                    Some(other) => {
                        return Err(fail(
                            &["executionInfo", "result"],
                            format!("{other:?} is not a task result; the API writes \"success\" or \"failure\""),
                        ))
                    }
                    None if x.is_some_and(|x| x.failure_info.is_some() || x.exit_code.is_some_and(|c| c != 0)) => {
                        Some(TaskOutcome::Failure)
                    }
                    None => Some(TaskOutcome::Success),
                }
            }
        };
        let slots = task.required_slots.unwrap_or(1);
        if slots == 0 {
            return Err(fail(&["requiredSlots"], "a task takes at least one slot".into()));
        }
        tasks.push(BatchTask {
            id: task.id.unwrap_or_default(),
            state: task.state.unwrap_or_default().to_ascii_lowercase(),
            created,
            started,
            ended,
            outcome,
            retries: execution.and_then(|x| x.retry_count).unwrap_or(0),
            slots,
        });
    }
    let Some(first) = tasks.iter().map(|t| t.created).min() else {
        let (line, column) = line_column(&text[..text.len() - trimmed.len()]);
        return Err(DataError::At {
            path: path.into(),
            line,
            column,
            message: "the task list has no task".into(),
        });
    };
    let last = tasks
        .iter()
        .flat_map(|t| [Some(t.created), t.started, t.ended])
        .flatten()
        .max()
        .unwrap_or(first);
    Ok(TaskList { tasks, first, last })
}

/// One JSON object per line: the first non-blank line is a whole object, and not a REST body
/// (`{"value": [...]}`) written on one line.
fn is_json_lines(trimmed: &str) -> bool {
    let first = trimmed.lines().next().unwrap_or("");
    serde_json::from_str::<serde_json::Value>(first).is_ok_and(|v| v.is_object() && !v.get("value").is_some_and(|v| v.is_array()))
}

/// A serde_json error in the part of `text` that starts at byte `start`.
fn shifted(text: &str, path: &str, start: usize, e: &serde_json::Error) -> DataError {
    let mut error = json_error(path, &text[start..], e);
    if let DataError::At { line, column, .. } = &mut error {
        let (base_line, base_column) = line_column(&text[..start]);
        if *line == 1 {
            *column += base_column - 1;
        }
        *line += base_line - 1;
    }
    error
}

/// The first grid time at or after `t`.
pub fn grid_ceil(t: Timestamp) -> Timestamp {
    let g = GRID.0;
    Timestamp(t.0.div_euclid(g) * g + if t.0.rem_euclid(g) == 0 { 0 } else { g })
}

/// The last grid time at or before `t`.
pub fn grid_floor(t: Timestamp) -> Timestamp {
    Timestamp(t.0.div_euclid(GRID.0) * GRID.0)
}

impl TaskList {
    /// How many tasks are in each state at the end of the file.
    #[cfg(feature = "cli")]
    pub(crate) fn states(&self) -> StateCounts {
        let mut s = StateCounts::default();
        for t in &self.tasks {
            match (t.started, t.ended) {
                (_, Some(_)) => {
                    s.completed += 1;
                    if t.outcome == Some(TaskOutcome::Failure) {
                        s.failed += 1;
                    }
                }
                (Some(_), None) => s.running += 1,
                (None, None) => s.not_started += 1,
            }
            if t.retries > 0 {
                s.retried += 1;
            }
        }
        s
    }

    /// The grid times of the derived history: from the first creation to `end` (default: the
    /// latest time in the file).
    pub(crate) fn grid(&self, end: Option<Timestamp>) -> Result<Vec<Timestamp>, String> {
        let a = grid_ceil(self.first);
        let b = grid_floor(end.unwrap_or(self.last));
        if b < a {
            return Ok(Vec::new());
        }
        let n = (b.0 - a.0) / GRID.0 + 1;
        if n > MAX_GRID_POINTS {
            return Err(format!(
                "the tasks run from {} to {}: more than {MAX_GRID_POINTS} samples of 30 seconds; export a shorter period",
                a.format_results(),
                b.format_results()
            ));
        }
        Ok((0..n).map(|i| Timestamp(a.0 + i * GRID.0)).collect())
    }

    /// The counts at each of `times` (in increasing order), by sweeping the sorted event times.
    pub(crate) fn counts(&self, times: &[Timestamp]) -> Vec<TaskCounts> {
        let sorted = |f: &dyn Fn(&BatchTask) -> Option<Timestamp>| {
            let mut v: Vec<i64> = self.tasks.iter().filter_map(|t| f(t).map(|x| x.0)).collect();
            v.sort_unstable();
            v
        };
        // A task that ended without starting leaves the active count at its end.
        let created = sorted(&|t| Some(t.created));
        let left_active = sorted(&|t| t.started.or(t.ended));
        let started = sorted(&|t| t.started);
        let ended_running = sorted(&|t| t.started.and(t.ended));
        let succeeded = sorted(&|t| t.ended.filter(|_| t.outcome == Some(TaskOutcome::Success)));
        let failed = sorted(&|t| t.ended.filter(|_| t.outcome == Some(TaskOutcome::Failure)));
        let upto = |v: &[i64], g: i64| v.partition_point(|&x| x <= g) as u64;
        times
            .iter()
            .map(|g| TaskCounts {
                active: upto(&created, g.0) - upto(&left_active, g.0),
                running: upto(&started, g.0) - upto(&ended_running, g.0),
                succeeded: upto(&succeeded, g.0),
                failed: upto(&failed, g.0),
            })
            .collect()
    }

    /// The derived metric history (see the module docs), up to `end` (default: the latest time
    /// in the file).
    pub fn history(&self, end: Option<Timestamp>) -> Result<MetricData, String> {
        let times = self.grid(end)?;
        let counts = self.counts(&times);
        let mut metrics = MetricStore::new();
        for (i, m) in DERIVED_METRICS.iter().enumerate() {
            let h = metrics.history_mut(*m);
            for (t, c) in times.iter().zip(&counts) {
                h.push(*t, c.values()[i] as f64).map_err(|e| e.to_string())?;
            }
        }
        Ok(MetricData {
            metrics,
            first: times.first().copied(),
            last: times.last().copied(),
            ..MetricData::default()
        })
    }

    /// The derived history as wide CSV (`timestamp,$ActiveTasks,…`), which
    /// [`parse_csv`](super::parse_csv) reads back to the same samples.
    #[cfg(feature = "cli")]
    pub(crate) fn history_csv(&self, end: Option<Timestamp>) -> Result<String, String> {
        let times = self.grid(end)?;
        let counts = self.counts(&times);
        let mut out = String::from("timestamp");
        for m in DERIVED_METRICS {
            out.push(',');
            out.push_str(m.name());
        }
        out.push('\n');
        for (t, c) in times.iter().zip(&counts) {
            t.write_results(&mut out);
            for v in c.values() {
                out.push(',');
                out.push_str(&v.to_string());
            }
            out.push('\n');
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"[
  {
    "id": "t1",
    "state": "completed",
    "creationTime": "2026-11-23T10:00:05+00:00",
    "requiredSlots": 1,
    "executionInfo": {"startTime": "2026-11-23T10:01:00.5+00:00", "endTime": "2026-11-23T10:03:00+00:00", "result": "success", "retryCount": 0}
  },
  {
    "id": "t2",
    "state": "running",
    "creationTime": "2026-11-23T10:00:10Z",
    "requiredSlots": 2,
    "executionInfo": {"startTime": "2026-11-23T10:02:00Z", "endTime": null, "result": null, "retryCount": 1}
  },
  {"id": "t3", "state": "active", "creationTime": "2026-11-23T10:04:00Z", "executionInfo": null}
]"#;

    #[test]
    fn reads_the_three_shapes_alike() {
        let a = parse_task_list(LIST, "a.json").unwrap();
        let body = format!("{{\"odata.metadata\": \"x\", \"value\": {LIST}}}");
        let b = parse_task_list(&body, "b.json").unwrap();
        let one_line = format!("{{\"value\": {}}}", serde_json::from_str::<serde_json::Value>(LIST).unwrap());
        assert_eq!(parse_task_list(&one_line, "b1.json").unwrap(), b);
        let lines: Vec<String> = serde_json::from_str::<Vec<serde_json::Value>>(LIST)
            .unwrap()
            .iter()
            .map(|v| v.to_string())
            .collect();
        let c = parse_task_list(&lines.join("\n"), "c.jsonl").unwrap();
        assert_eq!(a, b);
        assert_eq!(a, c);
        assert_eq!(parse_task_list(&format!("\u{feff}{LIST}"), "bom.json").unwrap(), a);
        assert!(is_task_list(LIST) && is_task_list(&body) && is_task_list(&lines.join("\n")) && is_task_list(&one_line));
        assert!(!is_task_list(
            r#"{"$PendingTasks": {"last": "2026-11-23T12:00:00Z", "values": []}}"#
        ));
        assert_eq!(a.tasks[1].slots, 2);
        assert_eq!(a.tasks[1].retries, 1);
        assert_eq!(a.last, parse_rfc3339("2026-11-23T10:04:00Z").unwrap());
        #[cfg(feature = "cli")]
        {
            let s = a.states();
            assert_eq!((s.completed, s.running, s.not_started, s.retried), (1, 1, 1, 1));
        }
    }

    #[test]
    fn counts_on_the_grid() {
        let a = parse_task_list(LIST, "a.json").unwrap();
        let times = a.grid(None).unwrap();
        assert_eq!(times[0], parse_rfc3339("2026-11-23T10:00:30Z").unwrap());
        assert_eq!(*times.last().unwrap(), parse_rfc3339("2026-11-23T10:04:00Z").unwrap());
        let c = a.counts(&times);
        // 10:01:00: t1 not started yet (starts 10:01:00.5), t2 active.
        assert_eq!(c[1].values(), [2, 0, 2, 0, 0]);
        // 10:02:00: t1 running, t2 running.
        assert_eq!(c[3].values(), [0, 2, 2, 0, 0]);
        // 10:04:00: t1 succeeded, t2 running, t3 active.
        assert_eq!(c[7].values(), [1, 1, 2, 1, 0]);
    }

    #[test]
    fn errors_name_the_place_and_field() {
        let bad = LIST.replace("2026-11-23T10:02:00Z", "yesterday");
        let e = parse_task_list(&bad, "x.json").unwrap_err().to_string();
        assert!(e.starts_with("x.json:14:") && e.contains("task 2: executionInfo.startTime"), "{e}");
        let bad = LIST.replace("\"success\"", "\"maybe\"");
        let e = parse_task_list(&bad, "x.json").unwrap_err().to_string();
        assert!(e.starts_with("x.json:7:") && e.contains("executionInfo.result"), "{e}");
        let e = parse_task_list("[{\"id\": \"a\"}]", "x.json").unwrap_err().to_string();
        assert!(e.starts_with("x.json:1:2:") && e.contains("creationTime"), "{e}");
        let e = parse_task_list("[]", "x.json").unwrap_err().to_string();
        assert!(e.contains("no task"), "{e}");
        let e = parse_task_list("{\"creationTime\": \"2026-11-23T10:00:00Z\"}\n{\"creationTime\": 5}\n", "x.jsonl")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.jsonl:2:"), "{e}");
    }

    #[test]
    fn sweep_agrees_with_a_direct_count_on_random_lists() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: i64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as i64
        };
        let base = parse_rfc3339("2026-11-23T10:00:00Z").unwrap().0;
        let second = TICKS_PER_SECOND;
        let mut tasks = Vec::new();
        for i in 0..300 {
            let created = base + next(3600) * second + next(10) * 1000;
            let started = (next(4) > 0).then(|| created + next(600) * second);
            let ended = match started {
                Some(s) => (next(3) > 0).then(|| s + next(900) * second),
                None => (next(5) == 0).then(|| created + next(300) * second), // terminated while waiting
            };
            tasks.push(BatchTask {
                id: format!("t{i}"),
                state: String::new(),
                created: Timestamp(created),
                started: started.map(Timestamp),
                ended: ended.map(Timestamp),
                outcome: ended.map(|_| if next(4) == 0 { TaskOutcome::Failure } else { TaskOutcome::Success }),
                retries: 0,
                slots: 1,
            });
        }
        let first = tasks.iter().map(|t| t.created).min().unwrap();
        let last = tasks
            .iter()
            .flat_map(|t| [Some(t.created), t.started, t.ended])
            .flatten()
            .max()
            .unwrap();
        let list = TaskList { tasks, first, last };
        let times = list.grid(None).unwrap();
        for (g, c) in times.iter().zip(list.counts(&times)) {
            let g = *g;
            let t = &list.tasks;
            let active = t
                .iter()
                .filter(|t| t.created <= g && t.started.is_none_or(|s| g < s) && t.ended.is_none_or(|e| g < e))
                .count() as u64;
            let running = t
                .iter()
                .filter(|t| t.started.is_some_and(|s| s <= g) && t.ended.is_none_or(|e| g < e))
                .count() as u64;
            let done = |o| t.iter().filter(|t| t.ended.is_some_and(|e| e <= g) && t.outcome == Some(o)).count() as u64;
            assert_eq!(
                c.values(),
                [
                    active,
                    running,
                    active + running,
                    done(TaskOutcome::Success),
                    done(TaskOutcome::Failure)
                ],
                "at {}",
                g.format_results()
            );
        }
    }

    #[test]
    fn outcomes_without_a_result_and_tasks_that_never_started() {
        let list = parse_task_list(
            r#"[
  {"creationTime": "2026-11-23T10:00:00Z", "executionInfo": {"startTime": "2026-11-23T10:00:10Z", "endTime": "2026-11-23T10:01:00Z", "exitCode": 3}},
  {"creationTime": "2026-11-23T10:00:00Z", "executionInfo": {"startTime": "2026-11-23T10:00:10Z", "endTime": "2026-11-23T10:01:00Z", "exitCode": 0}},
  {"creationTime": "2026-11-23T10:00:00Z", "state": "completed", "executionInfo": {"endTime": "2026-11-23T10:02:00Z", "result": "failure", "failureInfo": {"code": "TaskEnded"}}}
]"#,
            "t.json",
        )
        .unwrap();
        let outcomes: Vec<_> = list.tasks.iter().map(|t| t.outcome).collect();
        assert_eq!(
            outcomes,
            [Some(TaskOutcome::Failure), Some(TaskOutcome::Success), Some(TaskOutcome::Failure)]
        );
        let at = |s: &str| list.counts(&[parse_rfc3339(s).unwrap()])[0].values();
        // The terminated task is active until it ends, and is never running.
        assert_eq!(at("2026-11-23T10:01:30Z"), [1, 0, 1, 1, 1]);
        assert_eq!(at("2026-11-23T10:02:00Z"), [0, 0, 0, 1, 2]);
        let e = parse_task_list(
            r#"[{"creationTime": "2026-11-23T10:00:00Z", "executionInfo": {"startTime": "2026-11-23T09:00:00Z"}}]"#,
            "t.json",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("executionInfo.startTime: starts before the task was created"), "{e}");
    }
}
