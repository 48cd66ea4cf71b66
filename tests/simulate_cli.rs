//! `simulate`, `compare`, `sweep` and `replay --html` run as a user runs them, and bad input
//! that must give one clear message and exit 2.

use std::path::Path;
use std::process::{Command, Output};

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

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(out.status.code(), Some(0), "{args:?}\nstderr: {}", text(&out.stderr));
    text(&out.stdout)
}

const BURST: [&str; 5] = [
    "simulate",
    "examples/task-based.formula",
    "--workload",
    "examples/simulate/burst.json",
    "--interval=PT5M",
];

#[test]
fn simulate_prints_a_summary_table() {
    let out = ok(&BURST);
    assert!(
        out.starts_with("simulated examples/task-based.formula on examples/simulate/burst.json"),
        "{out}"
    );
    for needle in [
        "500 tasks; pool: 4 slots per node, allocation PT4M",
        "tasks completed/submitted",
        "500/500",
        "peak nodes (dedicated/low-priority)",
        "20/0",
        "task wait p95",
        "makespan",
    ] {
        assert!(out.contains(needle), "{needle:?} in\n{out}");
    }
}

#[test]
fn simulate_writes_json_timeline_svg_and_html() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    let mut args = BURST.to_vec();
    let (csv, json, svg, html) = (p("t.csv"), p("t.json"), p("s.svg"), p("r.html"));
    args.extend([
        "--format",
        "json",
        "--timeline",
        &csv,
        "--svg",
        &svg,
        "--html",
        &html,
        "--columns",
        "$pending",
    ]);
    let summary: serde_json::Value = serde_json::from_str(&ok(&args)).unwrap();
    assert_eq!(summary["formula"], "examples/task-based.formula");
    assert_eq!(summary["summary"]["tasks"]["completed"], 500);
    assert_eq!(summary["summary"]["evaluations"], 49);
    let timeline = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = timeline.lines().collect();
    assert_eq!(lines.len(), 50);
    assert_eq!(
        lines[0],
        "time,targetDedicatedNodes,targetLowPriorityNodes,nodeDeallocationOption,currentDedicatedNodes,currentLowPriorityNodes,error,activeTasks,runningTasks,usableNodes,preemptedNodes,succeededTasks,failedTasks,$pending"
    );
    assert!(lines[1].starts_with("2026-11-23T09:30:00.000Z,0,0,"));
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(svg_text.starts_with("<svg") && svg_text.contains("$RunningTasks") && svg_text.contains("target dedicated"));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg") && page.contains("tasks completed/submitted"));
    assert_eq!(page.matches("<tr><td>2026-11-23T").count(), 49, "one timeline row per evaluation");
    // A .json timeline is the rows and the summary.
    let mut args = BURST.to_vec();
    args.extend(["--timeline", &json]);
    ok(&args);
    let t: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(t["rows"].as_array().unwrap().len(), 49);
    assert_eq!(t["rows"][0]["time"], "2026-11-23T09:30:00.000Z");
    assert!(t["rows"][0]["activeTasks"].is_number());
    assert_eq!(t["summary"]["tasks"]["submitted"], 500);
}

#[test]
fn the_seed_changes_a_random_workload_and_flags_override_the_pool() {
    let base = [
        "simulate",
        "examples/simulate/short-window.formula",
        "--workload",
        "examples/simulate/workday.json",
        "--format",
        "json",
    ];
    let summary = |extra: &[&str]| -> serde_json::Value {
        let mut args = base.to_vec();
        args.extend(extra);
        serde_json::from_str(&ok(&args)).unwrap()
    };
    let (a, b, c) = (summary(&["--seed", "1"]), summary(&["--seed", "1"]), summary(&["--seed", "2"]));
    assert_eq!(a, b);
    assert_ne!(a["summary"]["tasks"]["submitted"], c["summary"]["tasks"]["submitted"]);
    let capped = summary(&["--dedicated-quota", "3", "--dedicated-price", "2"]);
    assert_eq!(capped["summary"]["peakDedicatedNodes"], 3);
    let hours = capped["summary"]["dedicatedNodeHours"].as_f64().unwrap();
    assert!((capped["summary"]["cost"]["total"].as_f64().unwrap() - 2.0 * hours).abs() < 1e-6);
}

#[test]
fn compare_puts_formulas_side_by_side() {
    let out = ok(&[
        "compare",
        "examples/simulate/docs-task-based.formula",
        "examples/simulate/short-window.formula",
        "--workload",
        "examples/simulate/workday.json",
        "--interval",
        "PT5M",
    ]);
    let header = out.lines().nth(2).unwrap();
    assert!(
        header.contains("docs-task-based.formula") && header.contains("short-window.formula"),
        "{out}"
    );
    let idle = out.lines().find(|l| l.starts_with("idle node-hours")).unwrap();
    assert_eq!(idle.split_whitespace().count(), 4, "{idle}");
    let json: serde_json::Value = serde_json::from_str(&ok(&[
        "compare",
        "examples/simulate/docs-task-based.formula",
        "examples/simulate/short-window.formula",
        "--workload",
        "examples/simulate/workday.json",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[1]["name"], "short-window.formula");
    // Replay mode: the same over a recorded history.
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("c.html");
    let out = ok(&[
        "compare",
        "examples/task-based.formula",
        "examples/whatif/fresh-pool.formula",
        "--metrics",
        "examples/whatif/burst.csv",
        "--interval",
        "PT5M",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert!(out.starts_with("replayed over examples/whatif/burst.csv"), "{out}");
    assert!(
        out.contains("InsufficientSampleData"),
        "the unguarded formula fails at first: {out}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert_eq!(page.matches("<svg").count(), 2, "one plot per formula");
}

#[test]
fn sweep_runs_every_combination() {
    let out = ok(&[
        "sweep",
        "examples/task-based.formula",
        "--workload",
        "examples/simulate/burst.json",
        "--set",
        "maxNodes=10,20,40",
        "--interval",
        "PT5M,PT15M",
        "--format",
        "csv",
    ]);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 7, "{out}");
    assert!(rows[0].starts_with("variant,maxNodes,intervalSeconds,evaluations,"), "{}", rows[0]);
    assert!(rows[1].starts_with("maxNodes=10 interval=PT5M,10,300,49,"), "{}", rows[1]);
    assert!(rows[6].starts_with("maxNodes=40 interval=PT15M,40,900,17,"), "{}", rows[6]);
    let peak = rows[0].split(',').position(|h| h == "peakDedicatedNodes").unwrap();
    assert_eq!(rows[5].split(',').nth(peak), Some("40"), "{}", rows[5]);
}

#[test]
fn replay_writes_an_html_report() {
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("r.html");
    let out = run(&[
        "replay",
        "examples/whatif/fresh-pool.formula",
        "--metrics",
        "examples/whatif/fresh-pool.csv",
        "--interval",
        "PT5M",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("failed evaluations"));
    assert_eq!(
        page.matches("<tr class=\"failed\">").count(),
        5,
        "the five failed evaluations are marked"
    );
}

#[test]
fn bad_input_gives_one_clear_message_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str, content: &str| {
        let path = tmp.path().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_string()
    };
    let negative = p("neg.csv", "submit,duration\n2026-11-23T10:00:00Z,60\n2026-11-23T10:00:00Z,-60\n");
    let malformed = p(
        "bad.json",
        "{\n  \"start\": \"2026-11-23T10:00:00Z\",\n  \"end\": \"2026-11-23T12:00:00Z\"\n  \"generators\": []\n}\n",
    );
    let negative_json = p(
        "neg.json",
        "{\"start\": \"2026-11-23T10:00:00Z\", \"end\": \"2026-11-23T12:00:00Z\",\n\"generators\": [{\"kind\": \"burst\", \"at\": \"PT1H\", \"count\": 5,\n \"duration\": \"-PT5M\"}]}",
    );
    let zero = p("zero.csv", "submit,duration,slots\n2026-11-23T10:00:00Z,PT5M,0\n");
    let unknown = p("unknown.csv", "timestamp,$WallClockSecond\n2026-11-23T10:00:00Z,1\n");
    let pool = p("pool.json", "{\"taskSlotsPerNode\": 4,\n \"dedicatedPrice\": -1}");
    let pool_typo = p("typo.json", "{\"slotsPerNode\": 4}");
    let f = "examples/task-based.formula";
    let w = "examples/simulate/burst.json";
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["simulate", f, "--workload", &negative], "neg.csv:3:2:"),
        (vec!["simulate", f, "--workload", &malformed], "bad.json:4:3:"),
        (vec!["simulate", f, "--workload", &negative_json], "neg.json:3:"),
        (vec!["simulate", f, "--workload", &zero], "zero.csv:2:3:"),
        (
            vec!["simulate", f, "--workload", w, "--extra-metrics", &unknown],
            "did you mean `$WallClockSeconds`",
        ),
        (vec!["simulate", f, "--workload", w, "--pool", &pool], "pool.json:2:"),
        (
            vec!["simulate", f, "--workload", w, "--pool", &pool_typo],
            "unknown field `slotsPerNode`",
        ),
        (
            vec!["simulate", f, "--workload", w, "--interval", "PT4M"],
            "between 5 minutes and 168 hours",
        ),
        (
            vec!["simulate", f, "--workload", w, "--end", "2026-11-23T09:00:00Z"],
            "is before the start",
        ),
        (
            vec!["simulate", f, "--workload", w, "--dedicated-price", "NaN"],
            "--dedicated-price NaN",
        ),
        (vec!["simulate", f, "--workload", w, "--slots", "0"], "--slots 0"),
        (vec!["simulate", f, "--workload", "missing.json"], "missing.json"),
        (vec!["simulate", f], "--workload"),
        (vec!["compare", f, f], "--workload FILE"),
        (vec!["sweep", f, "--workload", w], "nothing to sweep"),
        (vec!["sweep", f, "--workload", w, "--set", "maxNode=1,2"], "did you mean `maxNodes`"),
        (vec!["sweep", f, "--workload", w, "--set", "maxNodes=1,NaN"], "not a finite number"),
        (vec!["sweep", f, "--workload", w, "--interval", "PT5M,PT1M"], "between 5 minutes"),
        (
            vec!["compare", f, "--metrics", "examples/whatif/burst.csv", "--dedicated-price", "1"],
            "--dedicated-price applies to a simulation",
        ),
    ];
    for (args, needle) in cases {
        let out = run(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: expected {needle:?} in {stderr:?}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn a_formula_with_errors_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.formula");
    std::fs::write(&bad, "$TargetDedicatedNodes = Max(1, 2);").unwrap();
    for command in ["simulate", "compare", "sweep"] {
        let out = run(&[command, bad.to_str().unwrap(), "--workload", "examples/simulate/burst.json"]);
        assert_eq!(out.status.code(), Some(1), "{command}");
        assert!(text(&out.stderr).contains("did you mean `max`"), "{command}");
    }
}
