//! The command-line tool, run as a user runs it: conformance through `eval --format json`,
//! corpus verdicts through `check`, and bad input that must give one clear message and exit 2.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).env("NO_COLOR", "1").output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_clean_failure(out: &Output, code: i32, needle: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {stderr}\nstdout: {}", text(&out.stdout));
    assert!(stderr.contains(needle), "expected {needle:?} in {stderr:?}");
    assert!(!stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"), "{stderr}");
}

#[test]
fn eval_json_reproduces_every_conformance_case() {
    let Some(dir) = common::shared_dir("conformance") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for file in common::files_with_extension(&dir, "json") {
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let formula = tmp.path().join("f.formula");
        let context = tmp.path().join("c.json");
        std::fs::write(&formula, case["formula"].as_str().unwrap()).unwrap();
        std::fs::write(&context, case["context"].to_string()).unwrap();
        let out = run(&[
            "eval",
            formula.to_str().unwrap(),
            "--context",
            context.to_str().unwrap(),
            "--format",
            "json",
        ]);
        let run: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: stdout is not JSON ({e}): {}", case["id"], text(&out.stderr)));
                continue;
            }
        };
        let expected_exit = if case["expect"]["error"].is_null() { 0 } else { 1 };
        if out.status.code() != Some(expected_exit) {
            failures.push(format!("{}: exit {:?}, expected {expected_exit}", case["id"], out.status.code()));
        }
        let problems = common::compare_with_expectation(&run, &case["expect"]);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", case["id"], problems.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_exit_status_matches_corpus_expectations() {
    let Some(dir) = common::shared_dir("corpus") else { return };
    let expectations: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expectations.json")).unwrap()).unwrap();
    let mut failures = Vec::new();
    for e in &expectations {
        let path = dir.join(e["file"].as_str().unwrap());
        let out = run(&["check", path.to_str().unwrap()]);
        let want = if e["accept"].as_bool().unwrap() { 0 } else { 1 };
        if out.status.code() != Some(want) {
            failures.push(format!("{}: exit {:?}, want {want}", e["file"], out.status.code()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn check_human_output_points_at_the_mistake() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.formula");
    std::fs::write(&f, "$x = 1;\n$TargetDedicatedNodes = Max(1, $x);\n").unwrap();
    let out = run(&["check", f.to_str().unwrap(), "--color", "never"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("bad.formula:2:25"), "{stderr}");
    assert!(stderr.contains("E210"), "{stderr}");
    assert!(stderr.contains("did you mean `max`"), "{stderr}");
    assert!(stderr.contains("───"), "an underline under the span: {stderr}");
    assert!(!stderr.contains("\u{1b}["), "no colour codes when asked for none");
}

#[test]
fn check_json_has_positions_codes_and_fixes() {
    let out = bin()
        .args(["check", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(b"$TargetDedicated = 2;\n$y = $z;")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diags = doc["files"][0]["diagnostics"].as_array().unwrap();
    let undefined = diags.iter().find(|d| d["code"] == "E201").expect("undefined variable");
    assert_eq!(undefined["start"]["line"], 2);
    assert_eq!(undefined["start"]["column"], 6);
    assert_eq!(undefined["span"]["start"], 27);
    assert_eq!(undefined["service_code"], "AutoScalingFormulaEvaluationError");
    let alias = diags.iter().find(|d| d["code"] == "W303").expect("deprecated alias");
    assert_eq!(alias["fix"]["edits"][0]["replacement"], "$TargetDedicatedNodes");
}

#[test]
fn warnings_pass_unless_denied() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("warn.formula");
    std::fs::write(&f, "$TargetDedicated = 2;").unwrap();
    assert_eq!(run(&["check", f.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(run(&["check", f.to_str().unwrap(), "--deny-warnings"]).status.code(), Some(1));
}

#[test]
fn bad_input_gives_one_clear_message_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let p = |name: &str| tmp.path().join(name).to_str().unwrap().to_string();
    std::fs::write(p("ok.formula"), "$TargetDedicatedNodes = 1;").unwrap();
    std::fs::write(p("latin1.formula"), b"$x = 1;\n// caf\xe9\n").unwrap();
    std::fs::write(p("bad.json"), "{\n  \"now\": \"2026-11-23T12:00:00Z\",\n  \"pool\": [\n}").unwrap();
    std::fs::write(
        p("unknown.json"),
        r#"{"metrics": {"$PendingTask": {"last": "2026-11-23T12:00:00Z", "values": [1]}}}"#,
    )
    .unwrap();
    std::fs::write(p("nozone.json"), r#"{"now": "2026-11-23T12:00:00"}"#).unwrap();
    std::fs::write(
        p("bad.csv"),
        "timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1\n2026-11-23T12:00:30Z,x\n",
    )
    .unwrap();
    std::fs::write(p("unknown.csv"), "timestamp,$PendingTask\n2026-11-23T12:00:00Z,1\n").unwrap();
    std::fs::write(p("nozone.csv"), "timestamp,$PendingTasks\n2026-11-23 12:00:00,1\n").unwrap();
    let ok = p("ok.formula");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["check".into(), p("missing.formula")], "missing.formula"),
        (vec!["check".into(), tmp.path().to_str().unwrap().into()], "is a directory"),
        (vec!["check".into(), p("latin1.formula")], "latin1.formula:2:"),
        (vec!["eval".into(), ok.clone(), "--context".into(), p("bad.json")], "bad.json:4:1"),
        (
            vec!["eval".into(), ok.clone(), "--context".into(), p("unknown.json")],
            "did you mean `$PendingTasks`",
        ),
        (vec!["eval".into(), ok.clone(), "--context".into(), p("nozone.json")], "zone"),
        (vec!["eval".into(), ok.clone(), "--metrics".into(), p("bad.csv")], "bad.csv:3:2"),
        (
            vec!["eval".into(), ok.clone(), "--metrics".into(), p("unknown.csv")],
            "unknown.csv:1:2",
        ),
        (
            vec!["eval".into(), ok.clone(), "--metrics".into(), p("nozone.csv")],
            "nozone.csv:2:1",
        ),
        (vec!["eval".into(), ok.clone(), "--now".into(), "tomorrow".into()], "--now"),
        (vec!["fmt".into(), p("missing.formula")], "missing.formula"),
    ];
    for (args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        assert_clean_failure(&out, 2, needle);
    }
    // Usage errors are exit 2 as well.
    assert_eq!(run(&["eval"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn eval_reads_metrics_from_csv_and_traces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(&[
        "eval",
        root.join("examples/task-based.formula").to_str().unwrap(),
        "--metrics",
        root.join("examples/metrics.csv").to_str().unwrap(),
        "--now",
        "2026-11-23T12:00:10Z",
        "--trace",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("$PendingTasks window: 30 of 30 expected samples (100%)"),
        "{stdout}"
    );
    assert!(stdout.contains("took the second (false) branch"), "{stdout}");
    assert!(stdout.contains("results: $TargetDedicatedNodes=20;"), "{stdout}");
}

#[test]
fn eval_failure_shows_the_service_error_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("f.formula");
    std::fs::write(
        &f,
        "$v = avg($PendingTasks.GetSample(TimeInterval_Minute * 5));\n$TargetDedicatedNodes = $v;",
    )
    .unwrap();
    let out = run(&[
        "eval",
        f.to_str().unwrap(),
        "--now",
        "2026-11-23T12:00:00Z",
        "--pool-dedicated",
        "3",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("InsufficientSampleData"), "{stdout}");
    assert!(
        stdout.contains("Line 1, Col 33: Insufficient data from data set: $PendingTasks wanted 70%, received 0%"),
        "{stdout}"
    );
    assert!(
        stdout.contains("results: $TargetDedicatedNodes=3;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue"),
        "{stdout}"
    );
}

#[test]
fn fmt_check_and_rewrite() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("f.formula");
    std::fs::write(&f, "$TargetDedicatedNodes=max(1,2) // two\n").unwrap();
    let out = run(&["fmt", "--check", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("would be reformatted"));
    assert_eq!(run(&["fmt", f.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "$TargetDedicatedNodes = max(1, 2); // two\n");
    assert_eq!(run(&["fmt", "--check", f.to_str().unwrap()]).status.code(), Some(0));
    std::fs::write(&f, "$a = (1;").unwrap();
    assert_eq!(run(&["fmt", f.to_str().unwrap()]).status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "$a = (1;",
        "a formula with errors is left alone"
    );
}

#[test]
fn the_readme_main_command_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = run(&[
        "eval",
        root.join("examples/task-based.formula").to_str().unwrap(),
        "--context",
        root.join("examples/task-based.context.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("results: $TargetDedicatedNodes=17;$TargetLowPriorityNodes=0;$NodeDeallocationOption=taskcompletion;")
    );
}
