//! The command-line tool, run as a user runs it: conformance through `eval --format json`,
//! corpus verdicts through `check`, and bad input that must give one clear message and exit 2.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::str::FromStr;

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
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        lines.len() == 1 && lines[0].starts_with("error: "),
        "one message, `error: …`: {stderr:?}"
    );
}

/// Run with `input` on standard input.
fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = bin()
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

#[test]
fn eval_json_reproduces_every_conformance_case() {
    let dir = common::conformance_dir();
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
fn shared_corpus_check_exit_status_matches_expectations() {
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
    assert_eq!(undefined["end"], serde_json::json!({"line": 2, "column": 8}));
    assert_eq!(undefined["span"], serde_json::json!({"start": 27, "end": 29}));
    assert_eq!(undefined["severity"], "error");
    assert!(undefined["message"].as_str().unwrap().contains("$z"), "{undefined}");
    assert_eq!(undefined["serviceCode"], "AutoScalingFormulaEvaluationError");
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
        p("nozone-metric.json"),
        "{\n  \"metrics\": {\n    \"$ActiveTasks\": {\"last\": \"2026-11-23 12:00\", \"values\": [1]}\n  }\n}",
    )
    .unwrap();
    std::fs::write(
        p("unknown-metric.json"),
        "{\n  \"metrics\": {\n    \"$ActiveTasks\": {\"last\": \"2026-11-23T12:00:00Z\", \"values\": [1]},\n    \"$PendingTask\": {\"last\": \"2026-11-23T12:00:00Z\", \"values\": [1]}\n  }\n}",
    )
    .unwrap();
    std::fs::write(p("not-object.json"), "\n  [1, 2]").unwrap();
    std::fs::write(p("empty.json"), "").unwrap();
    std::fs::write(p("typo.json"), "{\"now\": \"2026-11-23T12:00:00Z\",\n \"pol\": {}}").unwrap();
    std::fs::write(p("latin1.json"), b"{\"now\": \"caf\xe9\"}").unwrap();
    std::fs::write(
        p("metrics-bad-value.json"),
        "{\"$ActiveTasks\": {\"last\": \"2026-11-23T12:00:00Z\",\n \"values\": [1, \"two\"]}}",
    )
    .unwrap();
    std::fs::write(
        p("metrics-nozone.json"),
        "{\"$ActiveTasks\": {\"last\": \"2026-11-23T12:00:00Z\", \"values\": [1]},\n \"$PendingTasks\": {\"last\": \"2026-11-23\", \"values\": [1]}}",
    )
    .unwrap();
    std::fs::write(p("ragged.csv"), "timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1,7\n").unwrap();
    std::fs::write(
        p("unknown-long.csv"),
        "timestamp,metric,value\n2026-11-23T12:00:00Z,$PendingTask,1\n",
    )
    .unwrap();
    std::fs::write(p("latin1.csv"), b"timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1\n# caf\xe9\n").unwrap();
    std::fs::write(
        p("bad.csv"),
        "timestamp,$PendingTasks\n2026-11-23T12:00:00Z,1\n2026-11-23T12:00:30Z,x\n",
    )
    .unwrap();
    std::fs::write(p("unknown.csv"), "timestamp,$PendingTask\n2026-11-23T12:00:00Z,1\n").unwrap();
    std::fs::write(p("nozone.csv"), "timestamp,$PendingTasks\n2026-11-23 12:00:00,1\n").unwrap();
    let ok = p("ok.formula");
    let dir = tmp.path().to_str().unwrap().to_string();
    let eval = |flag: &str, value: String| vec!["eval".to_string(), ok.clone(), flag.to_string(), value];
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["check".into(), p("missing.formula")], "missing.formula"),
        (vec!["check".into(), p("latin1.formula")], "latin1.formula:2:"),
        (eval("--context", p("bad.json")), "bad.json:4:1"),
        (eval("--context", p("unknown.json")), "did you mean `$PendingTasks`"),
        (
            eval("--context", p("nozone.json")),
            "nozone.json:1:9: now: a time with a zone is required",
        ),
        (
            eval("--context", p("nozone-metric.json")),
            "nozone-metric.json:3:30: metrics.$ActiveTasks.last: a time with a zone is required",
        ),
        (
            eval("--context", p("unknown-metric.json")),
            "unknown-metric.json:4:5: metrics: `$PendingTask` is not a sampled metric; did you mean `$PendingTasks`?",
        ),
        (
            eval("--context", p("not-object.json")),
            "not-object.json:2:3: a context is a JSON object",
        ),
        (eval("--context", p("empty.json")), "empty.json:1:1: EOF"),
        (eval("--context", p("typo.json")), "typo.json:2:6: unknown field `pol`"),
        (eval("--context", p("latin1.json")), "latin1.json:1:13: the file is not valid UTF-8"),
        (eval("--context", p("missing.json")), "missing.json"),
        (eval("--context", dir.clone()), "is a directory"),
        (eval("--metrics", dir.clone()), "is a directory"),
        (eval("--metrics", p("missing.csv")), "missing.csv"),
        (
            eval("--metrics", p("metrics-bad-value.json")),
            "metrics-bad-value.json:2:20: expected a number, found string \"two\"",
        ),
        (
            eval("--metrics", p("metrics-nozone.json")),
            "metrics-nozone.json:2:28: $PendingTasks.last: \"2026-11-23\" is not a time",
        ),
        (
            eval("--metrics", p("ragged.csv")),
            "ragged.csv:2:3: this row has 3 fields but the header has 2",
        ),
        (
            eval("--metrics", p("unknown-long.csv")),
            "unknown-long.csv:2:2: `$PendingTask` is not a sampled metric or pool variable; did you mean `$PendingTasks`?",
        ),
        (eval("--metrics", p("latin1.csv")), "latin1.csv:3:6: the file is not valid UTF-8"),
        (vec!["eval".into(), ok.clone(), "--delay=-1".into()], "--delay -1"),
        (eval("--pool-dedicated", "NaN".into()), "--pool-dedicated NaN"),
        (vec!["eval".into(), p("missing.formula")], "missing.formula"),
        (vec!["fmt".into(), tmp.path().to_str().unwrap().into()], "is a directory"),
        (vec!["fmt".into(), p("latin1.formula")], "latin1.formula:2:"),
        (eval("--metrics", p("bad.csv")), "bad.csv:3:2"),
        (eval("--metrics", p("unknown.csv")), "unknown.csv:1:2"),
        (eval("--metrics", p("nozone.csv")), "nozone.csv:2:1"),
        (eval("--now", "tomorrow".into()), "--now"),
        (vec!["fmt".into(), p("missing.formula")], "missing.formula"),
    ];
    for (args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(&args);
        assert_clean_failure(&out, 2, needle);
    }
    // Standard input that is not UTF-8.
    for command in ["check", "fmt", "eval"] {
        let out = run_with_stdin(&[command, "-"], b"$a = 1;\n$b = \"\xff\";");
        assert_clean_failure(&out, 2, "<stdin>:2:7: the file is not valid UTF-8");
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
    // The count form: how many samples it asked for and how many it got.
    assert!(stdout.contains("$PendingTasks last samples: 1 of 1 asked for"), "{stdout}");
    assert!(stdout.contains("results: $TargetDedicatedNodes=20;"), "{stdout}");
    // Every statement's value: the example has eight statements.
    assert_eq!(stdout.matches("=> ").count(), 8, "{stdout}");
    assert!(
        stdout.contains("$window = TimeInterval_Minute * 15\n             => 00:15:00"),
        "{stdout}"
    );
}

#[test]
fn long_and_wide_csv_give_the_same_evaluation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let wide = root.join("examples/metrics.csv");
    // The same samples, one `timestamp,metric,value` row each, shuffled by metric.
    let csv = std::fs::read_to_string(&wide).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut long = String::from("timestamp,metric,value\n");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    for (column, metric) in header.iter().enumerate().skip(1).rev() {
        for row in &rows {
            if !row[column].is_empty() {
                long.push_str(&format!("{},{metric},{}\n", row[0], row[column]));
            }
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let long_path = tmp.path().join("long.csv");
    std::fs::write(&long_path, long).unwrap();
    let formula = root.join("examples/task-based.formula");
    let eval = |metrics: &Path| {
        let out = run(&[
            "eval",
            formula.to_str().unwrap(),
            "--metrics",
            metrics.to_str().unwrap(),
            "--now",
            "2026-11-23T12:00:10Z",
            "--format",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["results"].clone()
    };
    let results = eval(&wide);
    assert!(results.as_str().unwrap().starts_with("$TargetDedicatedNodes=20;"), "{results}");
    assert_eq!(eval(&long_path), results);
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

#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::process::Stdio;
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.formula");
    std::fs::write(&f, "$TargetDedicatedNodes = Max(1, $nope);\n").unwrap();
    // Far more than a pipe buffer holds, so writing must fail once the reader is gone.
    let files: Vec<&str> = std::iter::repeat_n(f.to_str().unwrap(), 400).collect();
    for (stream, format) in [("stdout", "json"), ("stderr", "human")] {
        let mut child = bin()
            .arg("check")
            .args(&files)
            .args(["--format", format])
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Close the stream the output goes to; read the other one.
        let (mut other, closed): (Box<dyn std::io::Read + Send>, Box<dyn std::io::Read>) = if stream == "stdout" {
            (Box::new(child.stderr.take().unwrap()), Box::new(child.stdout.take().unwrap()))
        } else {
            (Box::new(child.stdout.take().unwrap()), Box::new(child.stderr.take().unwrap()))
        };
        drop(closed);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut other, &mut rest).unwrap();
        let status = child.wait().unwrap();
        assert!(!rest.contains("panicked"), "{stream} closed: {rest}");
        assert_eq!(
            status.code(),
            Some(1),
            "{stream} closed: the status still says the formula has errors"
        );
    }
}

#[test]
fn colour_on_a_terminal_and_plain_when_piped() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.formula");
    std::fs::write(&f, "$TargetDedicatedNodes = Max(1, 2);\n").unwrap();
    // Piped, with no NO_COLOR in the environment: plain.
    let out = bin().args(["check", f.to_str().unwrap()]).env_remove("NO_COLOR").output().unwrap();
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.formula:1:25") && !stderr.contains('\u{1b}'), "{stderr:?}");
    // On a terminal (util-linux `script` gives the command a pseudo-terminal): coloured.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: `script` is not installed, so the terminal half of this test cannot run");
        return;
    }
    let command = format!("{} check {}", env!("CARGO_BIN_EXE_batch-autoscale"), f.display());
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    let tty = text(&out.stdout);
    assert!(tty.contains("bad.formula:1:25"), "{tty:?}");
    assert!(tty.contains("\u{1b}[31m"), "errors are red on a terminal: {tty:?}");
    assert_eq!(out.status.code(), Some(1), "{tty:?}");
}

#[test]
fn check_several_files_and_stdin() {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good.formula");
    let bad = tmp.path().join("bad.formula");
    std::fs::write(&good, "$TargetDedicatedNodes = 1;").unwrap();
    std::fs::write(&bad, "$TargetDedicatedNodes = $x;").unwrap();
    let (good, bad) = (good.to_str().unwrap(), bad.to_str().unwrap());
    let out = run_with_stdin(&["check", good, "-", "--format", "json"], b"$TargetLowPriorityNodes = 2;\n$y = ;");
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["path"], good);
    assert_eq!(files[0]["errors"], 0);
    assert_eq!(files[1]["path"], "<stdin>");
    let syntax = &files[1]["diagnostics"][0];
    assert_eq!(syntax["severity"], "error");
    assert_eq!(syntax["start"], serde_json::json!({"line": 2, "column": 6}));
    assert_eq!(run(&["check", good, good]).status.code(), Some(0));
    assert_eq!(run(&["check", good, bad]).status.code(), Some(1));
    // An unreadable file outranks errors in the others: 2.
    let missing = tmp.path().join("missing.formula");
    let out = run(&["check", bad, missing.to_str().unwrap(), good]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("bad.formula:1:25") && stderr.contains("missing.formula"),
        "{stderr}"
    );
}

/// The rows of the human `eval` table: `  name  value` lines after the header.
fn table_rows(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .filter_map(|l| l.strip_prefix("  "))
        .filter_map(|l| l.split_once("  "))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect()
}

#[test]
fn eval_without_context_evaluates_now_on_an_empty_pool() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("f.formula");
    std::fs::write(
        &f,
        "zeta = 1;\n$t = time();\n$alpha = $CurrentDedicatedNodes + $TargetDedicatedNodes + $UsableNodeCount;\n$TargetDedicatedNodes = $alpha + 2;\n$NodeDeallocationOption = terminate;",
    )
    .unwrap();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let out = run(&["eval", f.to_str().unwrap(), "--format", "json"]);
    let after = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let run_json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let t = batch_autoscale::Timestamp::from_str(run_json["timestamp"].as_str().unwrap()).unwrap();
    let seconds = t.0 / 10_000_000;
    assert!(
        before <= seconds && seconds <= after,
        "timestamp {} is not now",
        run_json["timestamp"]
    );
    let results = run_json["results"].as_str().unwrap();
    assert!(
        results.starts_with("$TargetDedicatedNodes=2;$TargetLowPriorityNodes=0;$NodeDeallocationOption=terminate;$alpha=0;$t="),
        "{results}"
    );
    assert!(results.ends_with(";zeta=1"), "{results}");
    // Only the documented keys: the REST API's AutoScaleRun.
    let keys: Vec<&String> = run_json.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["results", "timestamp"]);

    // The human table: service variables first, in the results order, then user variables.
    let out = run(&["eval", f.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    let names: Vec<String> = table_rows(&stdout).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "$TargetDedicatedNodes",
            "$TargetLowPriorityNodes",
            "$NodeDeallocationOption",
            "$alpha",
            "$t",
            "zeta"
        ],
        "{stdout}"
    );
    assert!(stdout.contains("results: $TargetDedicatedNodes=2;"), "{stdout}");
}

#[test]
fn eval_overrides_time_pool_and_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("f.formula");
    std::fs::write(
        &f,
        "$h = time().hour;\n$r = rand();\n$TargetDedicatedNodes = $TargetDedicatedNodes + $CurrentDedicatedNodes * 10;\n$TargetLowPriorityNodes = $TargetLowPriorityNodes + $CurrentLowPriorityNodes * 10 + $TaskSlotsPerNode * 100 + $UsableNodeCount * 1000;",
    )
    .unwrap();
    let ctx = tmp.path().join("c.json");
    std::fs::write(
        &ctx,
        r#"{"now": "2026-11-23T05:00:00Z", "pool": {"targetDedicatedNodes": 1, "currentDedicatedNodes": 1}, "random": [0.25]}"#,
    )
    .unwrap();
    let results = |extra: &[&str]| {
        let mut args = vec!["eval", f.to_str().unwrap(), "--context", ctx.to_str().unwrap(), "--format", "json"];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["results"].as_str().unwrap().to_string()
    };
    // The context alone.
    assert_eq!(
        results(&[]),
        "$TargetDedicatedNodes=11;$TargetLowPriorityNodes=100;$NodeDeallocationOption=requeue;$h=5;$r=0.25"
    );
    // Each flag overrides its field of the context.
    assert!(results(&["--now", "2026-11-23T17:30:00+01:00"]).contains("$h=16;"));
    assert!(results(&["--pool-dedicated", "4"]).starts_with("$TargetDedicatedNodes=14;"));
    assert!(results(&["--current-dedicated", "3"]).starts_with("$TargetDedicatedNodes=31;"));
    assert!(results(&[
        "--pool-low-priority",
        "2",
        "--current-low-priority",
        "1",
        "--task-slots",
        "4",
        "--usable-nodes",
        "5"
    ])
    .contains("$TargetLowPriorityNodes=5412;"));
    // A seed replaces the context's list of random values, reproducibly.
    let seeded = results(&["--seed", "7"]);
    assert!(!seeded.ends_with("$r=0.25"), "{seeded}");
    assert_eq!(seeded, results(&["--seed", "7"]));
    assert_ne!(seeded, results(&["--seed", "8"]));
}

/// A context in which every metric has 200 samples, 30 s apart, ending at `now`.
fn full_context(now: &str) -> serde_json::Value {
    let metrics: serde_json::Map<String, serde_json::Value> = batch_autoscale::builtins::Metric::ALL
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let values: Vec<f64> = (0..200).map(|k| ((k * 7 + i) % 23) as f64).collect();
            (m.name().to_string(), serde_json::json!({"last": now, "values": values}))
        })
        .collect();
    serde_json::json!({"now": now, "pool": {"targetDedicatedNodes": 3, "currentDedicatedNodes": 2}, "metrics": metrics})
}

#[test]
fn shared_corpus_fmt_output_rechecks_and_evaluates_identically() {
    let Some(dir) = common::shared_dir("corpus") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty.json");
    let full = tmp.path().join("full.json");
    std::fs::write(&empty, r#"{"now": "2026-11-23T10:00:00Z"}"#).unwrap();
    std::fs::write(&full, full_context("2026-11-23T10:00:00Z").to_string()).unwrap();
    let codes = |out: &Output| {
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut codes: Vec<String> = doc["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["code"].as_str().unwrap().to_string())
            .collect();
        codes.sort();
        codes
    };
    let mut failures = Vec::new();
    let mut formatted_count = 0;
    for file in common::files_with_extension(&dir, "formula") {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let original = file.to_str().unwrap();
        let out = run(&["fmt", "--stdout", original]);
        if out.status.code() == Some(1) {
            // Left alone only when it does not parse; `check` then fails too.
            assert!(out.stdout.is_empty(), "{name}");
            assert_eq!(
                run(&["check", original]).status.code(),
                Some(1),
                "{name}: fmt refused a formula that checks"
            );
            continue;
        }
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out.stderr));
        formatted_count += 1;
        let formatted = tmp.path().join(&name);
        std::fs::write(&formatted, &out.stdout).unwrap();
        let formatted = formatted.to_str().unwrap();
        if run(&["fmt", "--check", formatted]).status.code() != Some(0) {
            failures.push(format!("{name}: formatting is not idempotent"));
        }
        let (before, after) = (
            run(&["check", original, "--format", "json"]),
            run(&["check", formatted, "--format", "json"]),
        );
        if before.status.code() != after.status.code() || codes(&before) != codes(&after) {
            failures.push(format!("{name}: check changed: {:?} -> {:?}", codes(&before), codes(&after)));
        }
        for ctx in [&empty, &full] {
            let eval = |f: &str| {
                let out = run(&["eval", f, "--context", ctx.to_str().unwrap(), "--format", "json"]);
                let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
                (out.status.code(), v["results"].clone(), v["error"]["code"].clone())
            };
            let (a, b) = (eval(original), eval(formatted));
            if a != b {
                failures.push(format!("{name} in {}: {a:?} -> {b:?}", ctx.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(formatted_count >= 80, "only {formatted_count} corpus formulas were formatted");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 48, .. Default::default() })]

    /// Whatever the text, `check` renders its diagnostics (ariadne, any position, CR, tabs,
    /// wide characters), `fmt` and `eval` answer, and none of them panics.
    #[test]
    fn any_text_gets_an_answer_never_a_panic(src in "([$a-zA-Z_0-9 ().,;:?!=<>&|+*/\"'-]|\r|\n|\t|😀|é|//){0,80}") {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("any.formula");
        std::fs::write(&f, &src).unwrap();
        let f = f.to_str().unwrap();
        for args in [vec!["check", f, "--color", "always"], vec!["fmt", "--stdout", f], vec!["eval", f, "--now", "2026-11-23T12:00:00Z"]] {
            let out = run(&args);
            let stderr = text(&out.stderr);
            proptest::prop_assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?} on {src:?}: {:?} {stderr}", out.status);
            proptest::prop_assert!(!stderr.contains("panicked"), "{args:?} on {src:?}: {stderr}");
        }
    }
}
