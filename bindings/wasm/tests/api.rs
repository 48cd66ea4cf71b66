//! The bindings' logic, natively: what the playground shows comes from here.

use batch_autoscale_wasm::api;
use serde_json::Value;

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[test]
fn check_reports_codes_and_utf16_offsets() {
    let src = "// 😀\n$tasks = Max(0, 1);\n$TargetDedicatedNodes = $tasks;";
    let diags = api::check(src);
    let d = diags.iter().find(|d| d.code == "E210").expect("E210 for `Max`");
    assert_eq!(d.name, "case-mismatch");
    // "// 😀\n" is 6 UTF-16 code units (the emoji is a surrogate pair), then "$tasks = ".
    assert_eq!((d.from, d.to), (6 + 9, 6 + 12));
    assert_eq!((d.line, d.column), (2, 10));
    let fix = d.fix.as_ref().expect("a fix");
    assert_eq!(fix.edits[0].insert, "max");
    assert!(api::check("$TargetDedicatedNodes = 1;").iter().all(|d| d.code != "E210"));
}

#[test]
fn builtins_cover_the_table() {
    let all = api::builtins();
    for (name, kind) in [
        ("$PendingTasks", "variable"),
        ("max", "function"),
        ("GetSamplePercent", "method"),
        ("weekday", "field"),
        ("TimeInterval_Minute", "constant"),
        ("taskcompletion", "keyword"),
    ] {
        let b = all.iter().find(|b| b.name == name).unwrap_or_else(|| panic!("{name} missing"));
        assert_eq!(b.kind, kind);
        assert!(!b.doc.is_empty(), "{name} has no doc");
    }
    assert!(all.iter().find(|b| b.name == "$PendingTasks").unwrap().metric);
    assert!(all.iter().find(|b| b.name == "$TargetDedicatedNodes").unwrap().writable);
    assert!(!all.iter().find(|b| b.name == "max").unwrap().signatures.is_empty());
}

#[test]
fn evaluate_gives_the_readme_results_and_a_trace() {
    let src = repo_file("examples/task-based.formula");
    let ctx = repo_file("examples/task-based.context.json");
    let e = api::evaluate(&src, &ctx, 0.0);
    let run = e.run.expect("a run");
    assert_eq!(
        run.results,
        "$TargetDedicatedNodes=17;$TargetLowPriorityNodes=0;$NodeDeallocationOption=taskcompletion;$pending=68;$percent=96.6667;$wanted=17.75;$window=00:15:00;maxNodes=20;tasksPerNode=4"
    );
    assert_eq!(run.timestamp, "2026-11-23T12:00:20.0000000Z");
    assert_eq!(e.applied.expect("applied").dedicated, 17);
    assert!(
        e.trace
            .iter()
            .any(|l| l.contains("$PendingTasks window: 29 of 30 expected samples (96.6667%)")),
        "{:#?}",
        e.trace
    );
    assert!(
        e.trace.iter().any(|l| l.starts_with("line  12") && l.ends_with("=> 17.75")),
        "{:#?}",
        e.trace
    );
}

#[test]
fn a_formula_with_errors_gives_the_service_error_run() {
    // An unknown function is an evaluation error for the service (D26).
    let e = api::evaluate("$TargetDedicatedNodes = Max(1, 2);", r#"{"now": "2026-11-23T12:00:00Z"}"#, 0.0);
    let run = serde_json::to_value(e.run.expect("a run")).unwrap();
    assert_eq!(run["error"]["code"], "AutoScalingFormulaEvaluationError");
    assert_eq!(
        run["results"],
        "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue"
    );
}

#[test]
fn a_bad_context_is_reported_not_evaluated() {
    let e = api::evaluate("$TargetDedicatedNodes = 1;", r#"{"pool": {"nodes": 3}}"#, 0.0);
    assert!(e.run.is_none());
    assert!(e.context_error.expect("an error").contains("nodes"));
    let e = api::evaluate("$TargetDedicatedNodes = 1;", "{", 0.0);
    assert!(e.context_error.is_some());
}

#[test]
fn evaluate_uses_now_when_the_context_has_none() {
    let e = api::evaluate("$TargetDedicatedNodes = 1;", "", 1_795_000_000_000.0);
    let run = e.run.unwrap();
    assert_eq!(run.timestamp, "2026-11-18T11:06:40.0000000Z");
}

#[test]
fn replay_carries_targets_over_the_history() {
    // Pending tasks rise from 0 to 59 over an hour, one sample a minute.
    let start = 1_795_000_000_000.0_f64;
    let samples: Vec<Value> = (0..60).map(|i| serde_json::json!([start + i as f64 * 60_000.0, i])).collect();
    let history = serde_json::json!({ "$PendingTasks": samples }).to_string();
    let src = "$TargetDedicatedNodes = max(0, $PendingTasks.GetSample(1)) / 10;";
    let r = api::replay(src, r#"{"samplePublicationDelaySeconds": 0}"#, &history, 900.0);
    assert_eq!(r.error, None);
    let got: Vec<(f64, u64)> = r.rows.iter().map(|row| ((row.time - start) / 60_000.0, row.dedicated)).collect();
    assert_eq!(got, vec![(0.0, 0), (15.0, 1), (30.0, 3), (45.0, 4)]);
    // A failed evaluation leaves the targets as they were.
    let src =
        "$TargetDedicatedNodes = max($PendingTasks.GetSample(1)) > 40 ? avg($PendingTasks.GetSample(TimeInterval_Hour * 10, 100)) : 2;";
    let r = api::replay(src, "", &history, 900.0);
    assert_eq!(r.error, None);
    let got: Vec<(u64, bool)> = r.rows.iter().map(|row| (row.dedicated, row.error.is_some())).collect();
    assert_eq!(got, vec![(2, false), (2, false), (2, false), (2, true)]);
}

#[test]
fn replay_rejects_bad_input_with_a_message() {
    let src = "$TargetDedicatedNodes = 1;";
    assert!(api::replay(src, "", "{}", 900.0).error.unwrap().contains("no samples"));
    assert!(api::replay(src, "", r#"{"$Nope": [[0, 1]]}"#, 900.0)
        .error
        .unwrap()
        .contains("$Nope"));
    assert!(api::replay(src, "", r#"{"$PendingTasks": [[0, 1]]}"#, 10.0)
        .error
        .unwrap()
        .contains("5 minutes"));
    assert!(api::replay(src, "", r#"{"$PendingTasks": [[60000, 1], [0, 2]]}"#, 900.0)
        .error
        .is_some());
    assert!(api::replay(src, "", "[", 900.0).error.unwrap().contains("history"));
}
