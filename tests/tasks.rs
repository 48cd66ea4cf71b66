//! Batch task lists (`az batch task list --output json`) fed to `history`, `replay` and
//! `simulate`; the `new` templates generated and simulated; local time across a DST change.
//! The task list in tests/tasks/job-tasks.json has 40 tasks in the exact shape `az` prints
//! (every key, nulls included): 30 completed (3 failed, 3 retried), 5 running, 5 not started.

use std::path::Path;
use std::process::{Command, Output};
use std::str::FromStr;

const TASKS: &str = "tests/tasks/job-tasks.json";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(args: &[&str]) -> Output {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}\nstderr: {}", text(&out.stderr));
    out
}

fn stdout(args: &[&str]) -> String {
    text(&ok(args).stdout)
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn path(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

/// Times of a task, read straight from the JSON (not through the crate's reader).
struct Direct {
    created: i64,
    started: Option<i64>,
    ended: Option<i64>,
    failed: bool,
}

fn direct_tasks() -> Vec<Direct> {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root().join(TASKS)).unwrap()).unwrap();
    let t = |x: &serde_json::Value| x.as_str().map(|s| batch_autoscale::Timestamp::from_str(s).unwrap().0);
    v.as_array()
        .unwrap()
        .iter()
        .map(|task| {
            let ex = &task["executionInfo"];
            Direct {
                created: t(&task["creationTime"]).unwrap(),
                started: t(&ex["startTime"]),
                ended: t(&ex["endTime"]),
                failed: ex["result"] == "failure",
            }
        })
        .collect()
}

/// The five counts at `g`, by the issue's definitions, one task at a time.
fn direct_counts(tasks: &[Direct], g: i64) -> [u64; 5] {
    let active = tasks
        .iter()
        .filter(|t| t.created <= g && t.started.is_none_or(|s| g < s) && t.ended.is_none_or(|e| g < e))
        .count() as u64;
    let running = tasks
        .iter()
        .filter(|t| t.started.is_some_and(|s| s <= g) && t.ended.is_none_or(|e| g < e))
        .count() as u64;
    let succeeded = tasks.iter().filter(|t| t.ended.is_some_and(|e| e <= g) && !t.failed).count() as u64;
    let failed = tasks.iter().filter(|t| t.ended.is_some_and(|e| e <= g) && t.failed).count() as u64;
    [active, running, active + running, succeeded, failed]
}

#[test]
fn history_counts_match_a_direct_count_at_every_grid_time() {
    let csv = stdout(&["history", TASKS]);
    let tasks = direct_tasks();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("timestamp,$ActiveTasks,$RunningTasks,$PendingTasks,$SucceededTasks,$FailedTasks")
    );
    let rows: Vec<&str> = lines.collect();
    let first_creation = tasks.iter().map(|t| t.created).min().unwrap();
    let latest = tasks
        .iter()
        .flat_map(|t| [Some(t.created), t.started, t.ended])
        .flatten()
        .max()
        .unwrap();
    let grid = 30 * 10_000_000i64;
    let mut expected_time = (first_creation + grid - 1).div_euclid(grid) * grid;
    for row in &rows {
        let fields: Vec<&str> = row.split(',').collect();
        let g = batch_autoscale::Timestamp::from_str(fields[0]).unwrap().0;
        assert_eq!(g, expected_time, "rows are every 30 s on the epoch grid");
        assert_eq!(g % grid, 0);
        let got: Vec<u64> = fields[1..].iter().map(|f| f.parse().unwrap()).collect();
        assert_eq!(got, direct_counts(&tasks, g), "at {}", fields[0]);
        expected_time += grid;
    }
    assert!(
        expected_time - grid <= latest && latest < expected_time,
        "the history runs to the latest time"
    );
    // The file is not trivial: at its end 5 tasks wait, 6 run and 3 have failed.
    assert_eq!(
        rows.last().unwrap().split(',').skip(1).collect::<Vec<_>>(),
        ["5", "6", "11", "26", "3"]
    );
    assert!(rows.len() > 25);
}

#[test]
fn history_round_trips_through_the_metric_reader_and_replay_agrees() {
    let dir = tmp();
    let csv = path(&dir, "history.csv");
    let end = "2026-11-23T12:00:00Z";
    ok(&["history", TASKS, "-o", &csv, "--end", end]);
    let formula = path(&dir, "f.formula");
    ok(&["new", "task-based", "-o", &formula]);
    let from_tasks = ok(&["replay", &formula, "--metrics", TASKS, "--interval", "PT5M", "--end", end]);
    let from_csv = ok(&["replay", &formula, "--metrics", &csv, "--interval", "PT5M", "--end", end]);
    assert_eq!(text(&from_tasks.stdout), text(&from_csv.stdout));
    let timeline = text(&from_tasks.stdout);
    assert!(timeline.lines().count() > 10);
    let max: u32 = timeline
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<u32>().unwrap())
        .max()
        .unwrap();
    assert!(max >= 10, "the pending tasks scale the pool up:\n{timeline}");
    let said = text(&from_tasks.stderr);
    assert!(said.contains("failures: none"), "{said}");
    assert!(
        said.contains(
            "history derived from 40 tasks on the 30-second grid: 30 completed, 5 running, 5 not started at 2026-11-23T10:15:09.999Z"
        ),
        "{said}"
    );
}

#[test]
fn replay_end_extends_the_derived_history() {
    let dir = tmp();
    let formula = path(&dir, "f.formula");
    ok(&["new", "task-based", "-o", &formula]);
    let out = ok(&[
        "replay",
        &formula,
        "--metrics",
        TASKS,
        "--interval",
        "PT5M",
        "--end",
        "2026-11-23T11:00:00Z",
    ]);
    let timeline = text(&out.stdout);
    let last = timeline.lines().last().unwrap();
    assert!(
        last.starts_with("2026-11-23T11:00:00.000Z,10,"),
        "10 tasks still pending at 11:00: {last}"
    );
    let csv = stdout(&["history", TASKS, "--end", "2026-11-23T11:00:00Z"]);
    assert_eq!(csv.lines().last(), Some("2026-11-23T11:00:00.000Z,5,5,10,27,3"));
}

#[test]
fn simulate_takes_a_task_list_and_says_which_tasks_are_partial() {
    let dir = tmp();
    let formula = path(&dir, "f.formula");
    ok(&["new", "task-based", "-o", &formula]);
    let out = stdout(&["simulate", &formula, "--workload", TASKS, "--slots", "2", "--interval", "PT5M"]);
    assert!(
        out.contains("40 tasks from a task list: 30 completed (3 failed), 5 still running (simulated with their run time up to 2026-11-23T10:15:09.999Z), 5 not started (simulated with no run time), 3 retried (their last try only)"),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("tasks completed/submitted") && l.ends_with(" 40/40")),
        "{out}"
    );
    let json = stdout(&["simulate", &formula, "--workload", TASKS, "--slots", "2", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["summary"]["tasks"]["workload"], 40);
    assert!(v["notes"][0].as_str().unwrap().contains("5 not started"));
    // The REST body and JSON lines are the same workload.
    let list: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root().join(TASKS)).unwrap()).unwrap();
    let body = path(&dir, "body.json");
    std::fs::write(
        &body,
        serde_json::json!({ "odata.metadata": "https://x/$metadata#tasks", "value": list }).to_string(),
    )
    .unwrap();
    let lines = path(&dir, "tasks.jsonl");
    let jl: Vec<String> = list.as_array().unwrap().iter().map(|t| t.to_string()).collect();
    std::fs::write(&lines, jl.join("\n") + "\n").unwrap();
    for other in [&body, &lines] {
        let again = stdout(&["simulate", &formula, "--workload", other, "--slots", "2", "--interval", "PT5M"]);
        let strip = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
        assert_eq!(strip(&again), strip(&out), "{other}");
    }
}

#[test]
fn bad_task_lists_name_file_line_column_and_field() {
    let dir = tmp();
    let original = std::fs::read_to_string(root().join(TASKS)).unwrap();
    let cases = [
        (
            original.replacen(
                "\"creationTime\": \"2026-11-23T10:00:09",
                "\"creationTime\": \"yesterday 10:00:09",
                1,
            ),
            "task 2: creationTime:",
        ),
        (
            original.replacen("\"result\": \"success\"", "\"result\": \"ok\"", 1),
            "task 1: executionInfo.result:",
        ),
        (
            original.replacen("\"requiredSlots\": 1", "\"requiredSlots\": 0", 1),
            "task 1: requiredSlots:",
        ),
        (
            original.replacen("\"retryCount\": 0", "\"retryCount\": \"none\"", 1),
            "task 1: expected a whole number, found string \"none\"",
        ),
        (
            original.replacen("\"endTime\": \"2026-11-23T10:04:45", "\"endTime\": \"2026-11-23T09:04:45", 1),
            "task 1: executionInfo.endTime: ends before it started",
        ),
        (original[..original.len() / 2].to_string(), "EOF"),
    ];
    for (i, (content, message)) in cases.iter().enumerate() {
        let file = path(&dir, &format!("bad{i}.json"));
        std::fs::write(&file, content).unwrap();
        for args in [
            vec!["history", file.as_str()],
            vec!["replay", "examples/task-based.formula", "--metrics", &file],
            vec!["simulate", "examples/task-based.formula", "--workload", &file],
        ] {
            let out = run(&args);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
            assert!(err.starts_with(&format!("error: {file}:")), "{args:?}: {err}");
            assert!(err.contains(message), "{args:?}: {err}");
            // file:line:col names the line the field is on.
            let rest = &err[format!("error: {file}:").len()..];
            let line: usize = rest.split(':').next().unwrap().parse().unwrap();
            let column: usize = rest.split(':').nth(1).unwrap().parse().unwrap();
            if i < 5 {
                let field = message
                    .split(": ")
                    .nth(1)
                    .unwrap()
                    .trim_end_matches(':')
                    .rsplit('.')
                    .next()
                    .unwrap();
                let at = content.lines().nth(line - 1).unwrap();
                assert!(
                    at.contains(&format!("\"{field}\"")) || (field.starts_with("expected") && at.contains("retryCount")),
                    "{err} points at line {line}: {at:?}"
                );
                assert!(column > 1);
            }
        }
    }
    let out = run(&["history", "examples/metrics.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a task list"), "{}", text(&out.stderr));
}

/// A workload: nothing for an hour, a burst of 300 ten-minute tasks, then quiet for hours.
fn burst_workload(dir: &tempfile::TempDir) -> String {
    let file = path(dir, "burst.json");
    std::fs::write(
        &file,
        r#"{
  "start": "2026-11-24T08:00:00Z",
  "end": "2026-11-24T16:00:00Z",
  "generators": [
    { "kind": "burst", "at": "PT1H", "count": 300, "spread": "PT10M", "duration": { "uniform": ["PT8M", "PT12M"] } }
  ],
  "pool": { "taskSlotsPerNode": 2, "allocationLatency": "PT5M", "preemptionRate": 0.5, "preemptionRecovery": "PT20M" }
}"#,
    )
    .unwrap();
    file
}

fn column(csv: &str, name: &str) -> Vec<u32> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap();
    lines.map(|l| l.split(',').nth(i).unwrap().parse().unwrap()).collect()
}

#[test]
fn every_template_checks_clean_and_scales_up_then_down() {
    let dir = tmp();
    let workload = burst_workload(&dir);
    let kinds = [
        "task-based",
        "time-of-day",
        "spot",
        "low-priority",
        "slot-aware",
        "preemption-aware",
    ];
    for kind in kinds {
        let formula = path(&dir, &format!("{kind}.formula"));
        let mut args = vec!["new", kind, "-o", &formula, "--max-nodes", "40"];
        if kind != "slot-aware" {
            args.extend(["--slots", "2"]);
        }
        ok(&args);
        let source = std::fs::read_to_string(&formula).unwrap();
        assert!(source.starts_with("// "), "{kind}: commented");
        let check = ok(&["check", &formula]);
        let said = text(&check.stdout) + &text(&check.stderr);
        assert!(said.contains("ok (0 errors, 0 warnings)"), "{kind}: {said}\n{source}");
        let timeline = path(&dir, &format!("{kind}.csv"));
        let out = ok(&[
            "simulate",
            &formula,
            "--workload",
            &workload,
            "--interval",
            "PT5M",
            "--timeline",
            &timeline,
            "--format",
            "json",
        ]);
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["summary"]["tasks"]["completed"], 300, "{kind}: every task runs\n{summary}");
        let csv = std::fs::read_to_string(&timeline).unwrap();
        let dedicated = column(&csv, "targetDedicatedNodes");
        let low = column(&csv, "targetLowPriorityNodes");
        let total: Vec<u32> = dedicated.iter().zip(&low).map(|(a, b)| a + b).collect();
        let peak = *total.iter().max().unwrap();
        assert!(peak >= 20, "{kind}: scales up under load, peak {peak}");
        if kind == "preemption-aware" {
            // Dedicated nodes only stand in for preempted (unbilled) Spot nodes.
            assert!(*low.iter().max().unwrap() <= 40, "{kind}: at most --max-nodes Spot nodes");
            assert!(
                dedicated.iter().zip(&low).all(|(d, l)| d <= l),
                "{kind}: dedicated only for preempted Spot nodes"
            );
        } else {
            assert!(peak <= 40, "{kind}: at most --max-nodes, peak {peak}");
        }
        let floor = match kind {
            "spot" | "low-priority" => 1,
            "time-of-day" => 2,
            _ => 0,
        };
        assert!(
            total.last() == Some(&floor) && *dedicated.last().unwrap() <= floor,
            "{kind}: back down to {floor} after the burst, ends at {:?}",
            total.last()
        );
        if matches!(kind, "spot" | "low-priority" | "preemption-aware") {
            assert!(*low.iter().max().unwrap() >= 20, "{kind}: the load goes to Spot nodes");
        }
        if kind == "time-of-day" {
            // 2026-11-24 is a Tuesday: the floor holds from 08:00 UTC before any task exists.
            assert_eq!(dedicated[0], 2, "{kind}: business-hours floor at the start");
        }
    }
    let out = run(&["new", "slot-aware", "--slots", "4"]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["new", "time-of-day", "--hours", "18-8"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_notes_that_hour_comparisons_are_utc() {
    let dir = tmp();
    let formula = path(&dir, "f.formula");
    std::fs::write(
        &formula,
        "$TargetDedicatedNodes = time().hour >= 8 && time().hour < 18 && time().weekday > 0 ? 4 : 1;\n",
    )
    .unwrap();
    let out = ok(&["check", &formula, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let notes: Vec<&str> = v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "N402")
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(notes.len(), 2, "one note for hour, one for weekday: {v}");
    assert!(
        notes[0].starts_with("`hour` is in UTC") && notes[1].starts_with("`weekday` is in UTC"),
        "{notes:?}"
    );
    assert_eq!(v["files"][0]["warnings"], 0);
}

#[test]
fn replay_in_local_time_across_a_dst_change() {
    let dir = tmp();
    let formula = path(&dir, "f.formula");
    ok(&["new", "time-of-day", "-o", &formula, "--hours", "8-18"]);
    // London moves from UTC+00:00 to UTC+01:00 at 01:00 UTC on Sunday 2026-03-29.
    let out = ok(&[
        "replay",
        &formula,
        "--start",
        "2026-03-27T00:00:00Z",
        "--end",
        "2026-03-31T00:00:00Z",
        "--interval",
        "PT1H",
        "--tz",
        "Europe/London",
    ]);
    let err = text(&out.stderr);
    assert!(
        err.contains("from 2026-03-27T00:00:00+00:00 to 2026-03-31T01:00:00+01:00"),
        "summary in local time: {err}"
    );
    assert!(
        err.contains(
            "warning: Europe/London changes from UTC+00:00 to UTC+01:00 at 2026-03-29T01:00:00.000Z (2026-03-29T02:00:00+01:00 local)"
        ),
        "{err}"
    );
    assert!(err.contains("1 hour later in local time"), "{err}");
    let timeline = text(&out.stdout);
    // Friday 08:00 UTC is 08:00 in London; Monday 08:00 UTC is 09:00 BST.
    let row = |t: &str| {
        timeline
            .lines()
            .find(|l| l.starts_with(t))
            .unwrap_or_else(|| panic!("{t}:\n{timeline}"))
            .to_string()
    };
    assert!(row("2026-03-27T08:00:00+00:00,").starts_with("2026-03-27T08:00:00+00:00,2,"));
    assert!(row("2026-03-27T07:00:00+00:00,").starts_with("2026-03-27T07:00:00+00:00,0,"));
    assert!(row("2026-03-30T09:00:00+01:00,").starts_with("2026-03-30T09:00:00+01:00,2,"));
    assert!(
        row("2026-03-30T08:00:00+01:00,").starts_with("2026-03-30T08:00:00+01:00,0,"),
        "08:00 BST is 07:00 UTC: no floor yet"
    );
    // No DST change in the period: no warning.
    let quiet = ok(&[
        "replay",
        &formula,
        "--start",
        "2026-06-01T00:00:00Z",
        "--end",
        "2026-06-03T00:00:00Z",
        "--tz",
        "Europe/London",
    ]);
    assert!(!text(&quiet.stderr).contains("warning"), "{}", text(&quiet.stderr));
    let bad = run(&[
        "replay",
        &formula,
        "--start",
        "2026-06-01T00:00:00Z",
        "--end",
        "2026-06-03T00:00:00Z",
        "--tz",
        "Europe/Londn",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn simulate_report_in_local_time() {
    let dir = tmp();
    let workload = burst_workload(&dir);
    let formula = path(&dir, "f.formula");
    ok(&["new", "task-based", "-o", &formula]);
    let timeline = path(&dir, "t.csv");
    let html = path(&dir, "r.html");
    let out = stdout(&[
        "simulate",
        &formula,
        "--workload",
        &workload,
        "--tz",
        "America/New_York",
        "--timeline",
        &timeline,
        "--html",
        &html,
    ]);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("2026-11-24T03:00:00-05:00") && !page.contains("2026-11-24T08:00:00.000Z"),
        "the HTML report is in local time too"
    );
    assert!(out.contains("2026-11-24T03:00:00-05:00 to 2026-11-24T11:00:00-05:00"), "{out}");
    assert!(out.contains("times in America/New_York"), "{out}");
    let csv = std::fs::read_to_string(&timeline).unwrap();
    assert!(csv.lines().nth(1).unwrap().starts_with("2026-11-24T03:00:00-05:00,"), "{csv}");
}
