//! What the commands write for programs (issue 13): camelCase JSON with durations in seconds
//! beside their text, numeric CSV columns, SVG plots, `fmt` keeping line endings, the lints of
//! a target that can only be 0 and of a pool age measured from a fixed date, and tasks bigger
//! than a node in `simulate`. Every test runs the built binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
        .current_dir(root())
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

fn json(args: &[&str]) -> serde_json::Value {
    let stdout = ok(args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"))
}

fn write(dir: &Path, name: &str, content: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

/// Every object key in `v` (with its path), except the keys of maps keyed by data (failure
/// codes).
fn keys(v: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map {
                if path.ends_with("failures") {
                    keys(child, &format!("{path}.*"), out);
                    continue;
                }
                out.push(format!("{path}.{k}"));
                keys(child, &format!("{path}.{k}"), out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|i| keys(i, &format!("{path}[]"), out)),
        _ => {}
    }
}

fn assert_camel_case(v: &serde_json::Value, what: &str) {
    let mut all = Vec::new();
    keys(v, "", &mut all);
    assert!(!all.is_empty(), "{what}: no keys");
    let snake: Vec<&String> = all.iter().filter(|k| k.rsplit('.').next().unwrap_or("").contains('_')).collect();
    assert!(snake.is_empty(), "{what}: snake_case keys {snake:?}");
}

/// `"01:12:37.5029894"` (or `"1.02:03:04"`) in seconds.
fn timespan_seconds(s: &str) -> f64 {
    let (days, rest) = match s.split_once('.') {
        Some((d, r)) if !d.contains(':') => (d.parse::<f64>().unwrap(), r),
        _ => (0.0, s),
    };
    let parts: Vec<f64> = rest.split(':').map(|p| p.parse().unwrap()).collect();
    days * 86400.0 + parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]
}

const BURST: [&str; 5] = [
    "examples/task-based.formula",
    "--workload",
    "examples/simulate/burst.json",
    "--interval",
    "PT5M",
];

#[test]
fn json_outputs_are_camel_case_with_durations_in_seconds() {
    let sim = json(&[&["simulate"][..], &BURST, &["--format", "json"]].concat());
    assert_camel_case(&sim, "simulate");
    let s = &sim["summary"];
    for key in [
        "dedicatedNodeHours",
        "lowPriorityNodeHours",
        "idleNodeHours",
        "peakDedicatedNodes",
        "quotaCappedEvaluations",
    ] {
        assert!(s[key].is_number(), "{key}: {s}");
    }
    assert!(
        s["cost"]["lowPriority"].is_number() && s["tasks"]["requeuedByPreemption"].is_number(),
        "{s}"
    );
    assert_eq!(s["tasks"]["oversized"], 0);
    // Each duration as its TimeSpan text and, beside it, in seconds.
    for (text_key, seconds) in [
        (&s["makespan"], &s["makespanSeconds"]),
        (&s["timeToFirstNonzero"], &s["timeToFirstNonzeroSeconds"]),
        (&s["wait"]["p95"], &s["wait"]["p95Seconds"]),
        (&s["wait"]["mean"], &s["wait"]["meanSeconds"]),
    ] {
        let seconds = seconds.as_f64().unwrap_or_else(|| panic!("no seconds beside {text_key}: {s}"));
        assert!(
            (timespan_seconds(text_key.as_str().unwrap()) - seconds).abs() < 1e-6,
            "{text_key} vs {seconds}"
        );
    }
    assert_eq!(s["timeToFirstNonzeroSeconds"], 2100.0);

    let dir = tempfile::tempdir().unwrap();
    let timeline = dir.path().join("t.json").to_string_lossy().into_owned();
    ok(&[&["simulate"][..], &BURST, &["--timeline", &timeline]].concat());
    let t: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&timeline).unwrap()).unwrap();
    assert_camel_case(&t, "simulate --timeline");
    let row = &t["rows"][0];
    for key in [
        "targetDedicatedNodes",
        "targetLowPriorityNodes",
        "nodeDeallocationOption",
        "currentDedicatedNodes",
        "errorMessage",
        "activeTasks",
        "usableNodes",
    ] {
        assert!(row.get(key).is_some(), "{key}: {row}");
    }

    let replay = json(&[
        "replay",
        "examples/whatif/fresh-pool.formula",
        "--metrics",
        "examples/whatif/fresh-pool.csv",
        "--interval",
        "PT5M",
        "--format",
        "json",
    ]);
    assert_camel_case(&replay, "replay");
    let failed = replay["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !r["error"].is_null())
        .expect("a failed evaluation");
    assert!(failed["errorMessage"].as_str().unwrap().contains("Insufficient data"), "{failed}");
    assert_eq!(replay["summary"]["timeToFirstNonzeroSeconds"], 1500.0);

    let compare = json(&[
        "compare",
        "examples/simulate/docs-task-based.formula",
        "examples/simulate/short-window.formula",
        "--workload",
        "examples/simulate/burst.json",
        "--format",
        "json",
    ]);
    assert_camel_case(&compare, "compare");
    let sweep = json(&[
        "sweep",
        "examples/task-based.formula",
        "--workload",
        "examples/simulate/burst.json",
        "--set",
        "maxNodes=10,20",
        "--format",
        "json",
    ]);
    assert_camel_case(&sweep, "sweep");
    assert!(sweep[1]["summary"]["makespanSeconds"].is_number());

    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "f.formula", "$TargetDedicatedNodes = $nope;\n");
    let out = run(&["check", &f, "--format", "json"]);
    let check: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_camel_case(&check, "check");
    assert_eq!(
        check["files"][0]["diagnostics"][0]["serviceCode"],
        "AutoScalingFormulaEvaluationError"
    );

    let f = write(dir.path(), "g.formula", "$TargetDedicatedNodes = 1 > 0 ? 2 : 3;\n");
    let traced = json(&["eval", &f, "--trace", "--format", "json", "--now", "2026-11-23T12:00:00Z"]);
    assert_camel_case(&traced, "eval --trace");
    let branch = traced["trace"].as_array().unwrap().iter().find(|e| e["event"] == "branch").unwrap();
    assert_eq!(branch["takenThen"], true);
    // The AutoScaleRun keeps the service's shape.
    let run_keys: Vec<&String> = traced["run"].as_object().unwrap().keys().collect();
    assert_eq!(run_keys, ["results", "timestamp"]);
}

/// Every cell after the first (the variant) is a number or empty.
fn assert_numeric_csv(csv: &str, what: &str) -> Vec<Vec<String>> {
    let rows: Vec<Vec<String>> = csv.lines().map(|l| l.split(',').map(String::from).collect()).collect();
    assert!(rows.len() >= 2, "{what}: {csv}");
    for row in &rows[1..] {
        assert_eq!(row.len(), rows[0].len(), "{what}: {csv}");
        for (cell, name) in row.iter().zip(&rows[0]).skip(1) {
            assert!(cell.is_empty() || cell.parse::<f64>().is_ok(), "{what}: {name} = {cell:?}");
        }
    }
    rows
}

#[test]
fn csv_summaries_have_one_number_per_column() {
    let csv = ok(&[
        "sweep",
        "examples/task-based.formula",
        "--workload",
        "examples/simulate/burst.json",
        "--set",
        "maxNodes=10,20",
        "--interval",
        "PT5M,PT15M",
        "--format",
        "csv",
    ]);
    let rows = assert_numeric_csv(&csv, "sweep");
    let header = &rows[0];
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} in {header:?}"))
    };
    assert_eq!(&header[..3], ["variant", "maxNodes", "intervalSeconds"]);
    assert_eq!(rows[1][col("maxNodes")], "10");
    assert_eq!(rows[2][col("intervalSeconds")], "900");
    assert_eq!(rows[3][col("peakDedicatedNodes")], "20");
    let utilisation: f64 = rows[1][col("utilisation")].parse().unwrap();
    assert!(utilisation > 0.0 && utilisation <= 1.0);
    for name in [
        "dedicatedMin",
        "dedicatedMax",
        "dedicatedMean",
        "waitP95Seconds",
        "makespanSeconds",
        "tasksCompleted",
        "tasksSubmitted",
        "cost",
    ] {
        col(name);
    }
    let csv = ok(&[
        "compare",
        "examples/task-based.formula",
        "examples/whatif/fresh-pool.formula",
        "--metrics",
        "examples/whatif/burst.csv",
        "--interval",
        "PT5M",
        "--format",
        "csv",
    ]);
    let rows = assert_numeric_csv(&csv, "compare (replay)");
    assert!(rows[0].contains(&"timeToFirstNonzeroSeconds".to_string()), "{csv}");
    let csv = ok(&[&["simulate"][..], &BURST, &["--format", "csv"]].concat());
    assert_numeric_csv(&csv, "simulate");
    // The text table stays for people.
    let table = ok(&[
        "sweep",
        "examples/task-based.formula",
        "--workload",
        "examples/simulate/burst.json",
        "--set",
        "maxNodes=10,20",
    ]);
    assert!(table.contains("0–10, mean") && table.contains(" %"), "{table}");
}

#[test]
fn svg_plots_label_round_times_whole_nodes_and_only_what_is_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let svg_path = dir.path().join("burst.svg").to_string_lossy().into_owned();
    ok(&[&["simulate"][..], &BURST, &["--svg", &svg_path]].concat());
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(!svg.contains("failed evaluation"), "no failure in the burst run");
    assert!(!svg.contains("preempted"), "no preemption on dedicated nodes");
    // Axis labels: whole numbers, and times on whole hours or half hours.
    let labels: Vec<&str> = svg.split("</text>").filter_map(|t| t.rsplit_once('>').map(|(_, l)| l)).collect();
    for l in &labels {
        if let Ok(v) = l.parse::<f64>() {
            assert_eq!(v.fract(), 0.0, "axis label {l}");
        }
        if let Some((_, clock)) = l.rsplit_once(' ').or(Some(("", l))) {
            if clock.len() == 5 && clock.as_bytes()[2] == b':' {
                assert!(clock.ends_with(":00") || clock.ends_with(":30"), "time label {l}");
            }
        }
    }
    assert!(labels.iter().any(|l| l.ends_with("10:00")), "{labels:?}");
    let legend: Vec<&str> = svg.lines().filter(|l| l.contains("class=\"legend\"")).collect();
    let dashed = legend
        .iter()
        .find(|l| l.contains(">current dedicated<"))
        .expect("current dedicated in the legend");
    assert!(dashed.contains("stroke-dasharray"), "{dashed}");

    let spot = dir.path().join("spot.svg").to_string_lossy().into_owned();
    ok(&[
        "simulate",
        "examples/simulate/preempted-nodes.formula",
        "--workload",
        "examples/simulate/spot.json",
        "--pool",
        "examples/simulate/spot-pool.json",
        "--svg",
        &spot,
    ]);
    let svg = std::fs::read_to_string(&spot).unwrap();
    assert!(svg.contains(">preempted nodes</text>"), "the spot pool is preempted");
    assert!(svg.contains(">failed evaluation</text>"), "its first evaluation fails");
    assert!(svg.contains(">current low-priority</text>"));
}

#[test]
fn fmt_keeps_crlf_and_says_which_errors_stop_it() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = write(
        dir.path(),
        "crlf.formula",
        "// spot\r\n$TargetDedicatedNodes=min(3,$x);\r\n$x=1;\r\n",
    );
    let out = run(&["fmt", &crlf]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(&crlf).unwrap();
    assert_eq!(formatted, "// spot\r\n$TargetDedicatedNodes = min(3, $x);\r\n$x = 1;\r\n");
    assert_eq!(
        run(&["fmt", "--check", &crlf]).status.code(),
        Some(0),
        "CRLF formatted is formatted"
    );
    let lf = write(dir.path(), "lf.formula", "$TargetDedicatedNodes=1;\n");
    run(&["fmt", &lf]);
    assert_eq!(std::fs::read_to_string(&lf).unwrap(), "$TargetDedicatedNodes = 1;\n");

    let syntax = write(dir.path(), "syntax.formula", "$TargetDedicatedNodes = 1 +;\n");
    let out = run(&["fmt", &syntax]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("not formatted, it has 1 syntax error\n") && !stderr.contains("semantic"),
        "{stderr}"
    );
    let both = write(dir.path(), "both.formula", "$TargetDedicatedNodes = $nope;\n$x = 1 +;\n");
    let stderr = text(&run(&["fmt", &both]).stderr);
    assert!(stderr.contains("it has 1 syntax error and 1 semantic error"), "{stderr}");
    // Semantic errors alone do not stop formatting.
    let semantic = write(dir.path(), "semantic.formula", "$TargetDedicatedNodes=$nope;\n");
    assert_eq!(run(&["fmt", &semantic]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&semantic).unwrap(), "$TargetDedicatedNodes = $nope;\n");
}

#[test]
fn lints_for_a_target_that_can_only_be_zero_and_an_age_from_a_fixed_date() {
    let dir = tempfile::tempdir().unwrap();
    let zero = write(
        dir.path(),
        "zero.formula",
        "$totalNodes = $CurrentDedicatedNodes * 1.1;\n$TargetDedicatedNodes = min(0, $totalNodes);\n",
    );
    let out = run(&["check", &zero, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "a warning: {}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(
        (d["code"].as_str(), d["name"].as_str()),
        (Some("W319"), Some("target-always-zero")),
        "{v}"
    );
    assert_eq!((d["start"]["line"].as_u64(), d["start"]["column"].as_u64()), (Some(2), Some(25)));

    let age = write(
        dir.path(),
        "age.formula",
        "lifespan = time() - time(\"2024-05-01T10:00:00Z\");\ninterval = TimeInterval_Minute * 5;\n$TargetDedicatedNodes = lifespan < interval ? 1 : 0;\n",
    );
    let out = run(&["check", &age]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("[W320 age-from-fixed-time]") && stderr.contains("compared here"),
        "{stderr}"
    );
    // Evaluated long after the date: a note says the first-interval branch can never run.
    let stdout = ok(&["eval", &age, "--now", "2026-11-23T12:00:00Z"]);
    assert!(
        stdout.contains("note: 3:25: 2024-05-01T10:00:00.000Z is 936 days before 2026-11-23T12:00:00.000Z")
            && stdout.contains("always false"),
        "{stdout}"
    );
    // A replay or a simulation starting then says so too.
    let out = run(&["replay", &age, "--start", "2026-11-23T00:00:00Z", "--end", "2026-11-23T01:00:00Z"]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("note: 2024-05-01T10:00:00.000Z is 935 days before 2026-11-23T00:00:00.000Z"),
        "{stderr}"
    );
    let out = run(&["replay", &age, "--start", "2024-05-01T10:00:00Z", "--end", "2024-05-01T11:00:00Z"]);
    assert!(!text(&out.stderr).contains("note:"), "{}", text(&out.stderr));
    let stdout = ok(&["eval", &age, "--now", "2024-05-01T10:02:00Z"]);
    assert!(!stdout.contains("note:"), "within the interval: {stdout}");
}

#[test]
fn a_task_bigger_than_a_node_stays_pending_and_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let trace = write(
        dir.path(),
        "trace.csv",
        "submit,duration,slots\n2026-11-23T10:00:00Z,600,1\n2026-11-23T10:00:00Z,600,8\n2026-11-23T10:01:00Z,600,2\n",
    );
    let args = [
        "simulate",
        "examples/task-based.formula",
        "--workload",
        &trace,
        "--slots",
        "4",
        "--interval",
        "PT5M",
        "--end",
        "2026-11-23T13:00:00Z",
    ];
    let stdout = ok(&args);
    assert!(
        stdout
            .contains("warning: 1 task needs more slots than a node has (4): the service never schedules it, so it stays queued for ever"),
        "{stdout}"
    );
    let line = |label: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label}: {stdout}"))
            .split_whitespace()
            .last()
            .unwrap()
            .to_string()
    };
    assert_eq!(line("tasks needing more slots than a node has"), "1");
    assert_eq!(line("tasks completed/submitted"), "2/3");
    assert_eq!(line("makespan"), "unfinished");
    let v = json(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(v["summary"]["tasks"]["oversized"], 1);
    assert_eq!(v["summary"]["tasks"]["unfinished"], 1);
    assert!(v["warnings"][0].as_str().unwrap().contains("1 task needs more slots"));
    // The formula keeps a node for the task it cannot run: the pool never scales to zero.
    assert!(
        v["summary"]["dedicated"]["min"].as_u64() == Some(0) && v["summary"]["idleNodeHours"].as_f64().unwrap() > 2.0,
        "{v}"
    );
}

#[test]
fn count_flags_refuse_negative_values_in_plain_words() {
    for (flag, value) in [
        ("--initial-dedicated", "-3"),
        ("--dedicated-quota", "-1"),
        ("--slots", "-2"),
        ("--seed", "-1"),
        ("--preemption-rate", "-0.5"),
    ] {
        let out = run(&[&["simulate"][..], &BURST, &[flag, value]].concat());
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("tip:") && !stderr.contains("-- "), "{flag}: {stderr}");
        assert!(stderr.contains("at least 0") || stderr.contains("not negative"), "{flag}: {stderr}");
    }
    let out = run(&[&["simulate"][..], &BURST, &["--initial-dedicated", "1.5"]].concat());
    assert!(text(&out.stderr).contains("expected a whole number"), "{}", text(&out.stderr));
}
