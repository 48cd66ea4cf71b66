//! A Batch task list ([`crate::data::tasks`]) as a simulation workload: each task is submitted
//! at its `creationTime`, runs for `endTime − startTime` and takes `requiredSlots` slots.
//! Tasks the file does not show finished use the part that is known: a running task runs for
//! as long as it had run at the latest time in the file, a task not yet started for no time.

use crate::data::tasks::TaskList;
use crate::time::TimeInterval;

use super::workload::{Task, WorkloadSpec};

/// The workload of a task list (see the module docs).
pub fn workload_from_tasks(list: &TaskList) -> WorkloadSpec {
    let tasks: Vec<Task> = list
        .tasks
        .iter()
        .map(|t| {
            let duration = match (t.started, t.ended) {
                (Some(s), Some(e)) => e.checked_sub(s),
                (Some(s), None) => list.last.checked_sub(s),
                (None, _) => None,
            };
            Task {
                submit: t.created,
                duration: duration.filter(|d| d.0 >= 0).unwrap_or(TimeInterval::ZERO),
                slots: t.slots,
            }
        })
        .collect();
    // A task list always has a task, so `from_trace` has one too.
    WorkloadSpec::from_trace(tasks).unwrap_or(WorkloadSpec {
        start: list.first,
        end: list.last,
        generators: Vec::new(),
        pool: None,
    })
}

/// One line for a report: how many tasks the list has and which are taken as they stand.
#[cfg(feature = "cli")]
pub fn describe_tasks(list: &TaskList) -> String {
    let s = list.states();
    let noun = if list.tasks.len() == 1 { "task" } else { "tasks" };
    let mut line = format!("{} {noun} from a task list: {} completed", list.tasks.len(), s.completed);
    if s.failed > 0 {
        line.push_str(&format!(" ({} failed)", s.failed));
    }
    if s.running > 0 {
        line.push_str(&format!(
            ", {} still running (simulated with their run time up to {})",
            s.running,
            list.last.format_results()
        ));
    }
    if s.not_started > 0 {
        line.push_str(&format!(", {} not started (simulated with no run time)", s.not_started));
    }
    if s.retried > 0 {
        line.push_str(&format!(", {} retried (their last try only)", s.retried));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::tasks::parse_task_list;
    use crate::time::parse_rfc3339;

    #[test]
    fn durations_use_the_known_part() {
        let list = parse_task_list(
            r#"[
  {"id": "a", "creationTime": "2026-11-23T10:00:00Z", "requiredSlots": 2,
   "executionInfo": {"startTime": "2026-11-23T10:01:00Z", "endTime": "2026-11-23T10:11:00Z", "result": "success"}},
  {"id": "b", "creationTime": "2026-11-23T10:00:30Z", "executionInfo": {"startTime": "2026-11-23T10:20:00Z"}},
  {"id": "c", "creationTime": "2026-11-23T10:30:00Z"}
]"#,
            "t.json",
        )
        .unwrap();
        let w = workload_from_tasks(&list).generate(0).unwrap();
        let t = w.tasks();
        assert_eq!(t[0].duration, TimeInterval(600 * TimeInterval::SECOND.0));
        assert_eq!(t[0].slots, 2);
        assert_eq!(t[1].duration, TimeInterval(600 * TimeInterval::SECOND.0));
        assert_eq!(t[2].duration, TimeInterval::ZERO);
        assert_eq!(t[2].submit, parse_rfc3339("2026-11-23T10:30:00Z").unwrap());
        #[cfg(feature = "cli")]
        {
            let d = describe_tasks(&list);
            assert!(d.contains("1 still running") && d.contains("1 not started"), "{d}");
        }
    }
}
