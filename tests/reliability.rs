//! Reliability of the what-if commands and the readers, through the binary: the simulator
//! stays fast with huge targets, input files are bounded, outputs never replace an input and
//! a failing command writes nothing, and bad flags, times and context fields are refused with a
//! plain message and exit 2.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_batch-autoscale"));
    c.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("BATCH_AUTOSCALE_MAX_INPUT");
    c
}

fn run_in(dir: &Path, args: &[&str]) -> Output {
    command(dir, args).output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit 2 with one `error:` line containing every needle.
fn refused(out: &Output, needles: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}\nstdout: {}", text(&out.stdout));
    assert!(err.starts_with("error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} in {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// A scratch directory with the shipped examples the tests use.
struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        for (from, to) in [
            ("examples/task-based.formula", "f.formula"),
            ("examples/whatif/burst.csv", "m.csv"),
            ("examples/simulate/burst.json", "w.json"),
            ("examples/simulate/trace.csv", "trace.csv"),
        ] {
            std::fs::copy(root().join(from), dir.path().join(to)).unwrap();
        }
        Scratch { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, content).unwrap();
        p
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        run_in(self.dir.path(), args)
    }

    /// The names in the directory (temporary files included).
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn no_temporary_files(&self) {
        let names = self.names();
        assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    }
}

// ---- the simulator ----------------------------------------------------------------------

#[test]
fn a_target_of_a_billion_is_held_to_the_quota_and_finishes_quickly() {
    let s = Scratch::new();
    s.write(
        "big.formula",
        "$TargetDedicatedNodes = 1000000000;\n$TargetLowPriorityNodes = 1000000000;\n",
    );
    s.write(
        "many.json",
        r#"{"start": "2026-11-23T00:00:00Z", "end": "2026-11-24T00:00:00Z",
            "generators": [{"kind": "burst", "at": "PT1H", "count": 100000, "duration": "PT30M"}]}"#,
    );
    let began = Instant::now();
    let out = s.run(&[
        "simulate",
        "big.formula",
        "--workload",
        "many.json",
        "--interval",
        "PT5M",
        "--format",
        "json",
    ]);
    let took = began.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // 200,000 nodes and 100,000 tasks: the old model recounted every node per new node and
    // never finished; this is seconds even unoptimised.
    assert!(took < Duration::from_secs(60), "took {took:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = &v["summary"];
    assert_eq!(summary["peakDedicatedNodes"], 100_000);
    assert_eq!(summary["peakLowPriorityNodes"], 100_000);
    assert_eq!(summary["quotaCappedEvaluations"], 289);
    assert_eq!(summary["tasks"]["completed"], 100_000);
    // A smaller quota holds the pool to it.
    let out = s.run(&[
        "simulate",
        "big.formula",
        "--workload",
        "many.json",
        "--dedicated-quota",
        "30",
        "--low-priority-quota",
        "0",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["summary"]["peakDedicatedNodes"].as_u64(),
            v["summary"]["peakLowPriorityNodes"].as_u64()
        ),
        (Some(30), Some(0))
    );
}

#[test]
fn huge_initial_counts_and_quotas_are_refused() {
    let s = Scratch::new();
    let base = ["simulate", "f.formula", "--workload", "w.json"];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        s.run(&args)
    };
    let began = Instant::now();
    refused(
        &with(&["--initial-dedicated", "4000000000"]),
        &["--initial-dedicated 4000000000", "quota of 100000"],
    );
    assert!(began.elapsed() < Duration::from_secs(10));
    refused(&with(&["--initial-low-priority", "100001"]), &["--initial-low-priority 100001"]);
    refused(&with(&["--initial-dedicated", "5", "--dedicated-quota", "3"]), &["quota of 3"]);
    refused(
        &with(&["--dedicated-quota", "4000000000"]),
        &["--dedicated-quota 4000000000", "100000"],
    );
    s.write("p.json", "{\n  \"lowPriorityQuota\": 100001\n}\n");
    refused(&with(&["--pool", "p.json"]), &["p.json:2:", "100001 nodes"]);
    // At the limit is fine.
    let out = with(&["--initial-dedicated", "100000", "--end", "2026-11-23T10:00:00Z"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

// ---- inputs --------------------------------------------------------------------------------

#[test]
fn devices_and_oversized_inputs_are_refused() {
    let s = Scratch::new();
    let began = Instant::now();
    refused(&s.run(&["replay", "f.formula", "-m", "/dev/zero"]), &["/dev/zero: is a device"]);
    refused(&s.run(&["check", "/dev/zero"]), &["/dev/zero: is a device"]);
    assert!(began.elapsed() < Duration::from_secs(10));
    // The limit is configurable, and every reader obeys it.
    let limited = |args: &[&str], limit: &str| {
        command(s.dir.path(), args)
            .env("BATCH_AUTOSCALE_MAX_INPUT", limit)
            .output()
            .unwrap()
    };
    refused(
        &limited(&["replay", "f.formula", "-m", "m.csv"], "4K"),
        &["m.csv:", "larger than the input limit of 4 KiB", "BATCH_AUTOSCALE_MAX_INPUT"],
    );
    refused(
        &limited(&["simulate", "f.formula", "--workload", "w.json"], "100"),
        &["f.formula:", "limit of 100 bytes"],
    );
    refused(
        &limited(&["check", "f.formula"], "lots"),
        &["BATCH_AUTOSCALE_MAX_INPUT=\"lots\" is not a size"],
    );
    let out = limited(&["replay", "f.formula", "-m", "m.csv"], "1M");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // A pipe is read up to the limit, then refused.
    for args in [&["check", "-"][..], &["replay", "f.formula", "-m", "/dev/stdin"][..]] {
        let mut child = command(s.dir.path(), args)
            .env("BATCH_AUTOSCALE_MAX_INPUT", "64K")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let writer = std::thread::spawn(move || {
            use std::io::Write;
            let chunk = vec![b'x'; 4096];
            for _ in 0..64 {
                if stdin.write_all(&chunk).is_err() {
                    break;
                }
            }
        });
        let out = child.wait_with_output().unwrap();
        let _ = writer.join();
        refused(&out, &["larger than the input limit of 64 KiB"]);
    }
}

// ---- outputs -------------------------------------------------------------------------------

#[test]
fn an_output_that_names_an_input_is_refused_and_the_input_kept() {
    let s = Scratch::new();
    let metrics = s.read("m.csv");
    let formula = s.read("f.formula");
    let workload = s.read("w.json");
    std::os::unix::fs::symlink("m.csv", s.path("link.csv")).unwrap();
    std::fs::hard_link(s.path("m.csv"), s.path("hard.csv")).unwrap();
    let replay = ["replay", "f.formula", "-m", "m.csv"];
    for (flag, path, input) in [
        ("--timeline", "m.csv", "m.csv"),
        ("--timeline", "./m.csv", "m.csv"),
        ("--timeline", "link.csv", "m.csv"),
        ("--svg", "hard.csv", "m.csv"),
        ("--html", "f.formula", "f.formula"),
    ] {
        let mut args = replay.to_vec();
        args.extend([flag, path]);
        refused(&s.run(&args), &[path, &format!("is the input {input}")]);
    }
    for (flag, path) in [("--timeline", "w.json"), ("--svg", "f.formula"), ("--html", "w.json")] {
        refused(
            &s.run(&["simulate", "f.formula", "--workload", "w.json", flag, path]),
            &["is the input"],
        );
    }
    // A trace named inside the workload file is an input too.
    s.write(
        "t.json",
        r#"{"start": "2026-11-23T00:00:00Z", "end": "2026-11-23T06:00:00Z", "generators": [{"kind": "trace", "file": "trace.csv"}]}"#,
    );
    let trace = s.read("trace.csv");
    refused(
        &s.run(&["simulate", "f.formula", "--workload", "t.json", "--svg", "trace.csv"]),
        &["is the input trace.csv"],
    );
    refused(
        &s.run(&["compare", "f.formula", "f.formula", "--workload", "w.json", "--html", "f.formula"]),
        &["is the input f.formula"],
    );
    refused(
        &s.run(&[
            "sweep",
            "f.formula",
            "--metrics",
            "m.csv",
            "--interval",
            "PT5M,PT15M",
            "--html",
            "m.csv",
        ]),
        &["is the input m.csv"],
    );
    refused(
        &s.run(&["replay", "f.formula", "-m", "m.csv", "--svg", "o.svg", "--html", "o.svg"]),
        &["named as two outputs"],
    );
    assert_eq!(s.read("m.csv"), metrics);
    assert_eq!(s.read("f.formula"), formula);
    assert_eq!(s.read("w.json"), workload);
    assert_eq!(s.read("trace.csv"), trace);
    assert!(!s.path("o.svg").exists());
    s.no_temporary_files();
}

#[test]
fn a_failing_command_writes_no_output() {
    let s = Scratch::new();
    s.write("out.csv", "old timeline\n");
    s.write("out.svg", "old plot\n");
    let before = s.names();
    // A path that cannot be written fails before any work, the other output untouched.
    refused(
        &s.run(&[
            "replay",
            "f.formula",
            "-m",
            "m.csv",
            "--timeline",
            "out.csv",
            "--svg",
            "/nonexistent/x.svg",
        ]),
        &["/nonexistent/x.svg", "does not exist"],
    );
    // A failure after the outputs were opened: an unknown column.
    refused(
        &s.run(&[
            "replay",
            "f.formula",
            "-m",
            "m.csv",
            "--timeline",
            "out.csv",
            "--svg",
            "out.svg",
            "--columns",
            "$nope",
        ]),
        &["$nope"],
    );
    refused(
        &s.run(&[
            "simulate",
            "f.formula",
            "--workload",
            "w.json",
            "--timeline",
            "out.csv",
            "--columns",
            "$nope",
            "--svg",
            "new.svg",
        ]),
        &["$nope"],
    );
    // A write that fails (a full device) replaces nothing either.
    refused(
        &s.run(&["replay", "f.formula", "-m", "m.csv", "--svg", "out.svg", "--timeline", "/dev/full"]),
        &["/dev/full"],
    );
    assert_eq!(s.read("out.csv"), "old timeline\n");
    assert_eq!(s.read("out.svg"), "old plot\n");
    assert_eq!(s.names(), before, "no new file, no temporary file left");
    // And when everything works, every output is there.
    let out = s.run(&[
        "replay",
        "f.formula",
        "-m",
        "m.csv",
        "--timeline",
        "out.csv",
        "--svg",
        "out.svg",
        "--html",
        "r.html",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(s.read("out.csv").starts_with("time,targetDedicatedNodes"));
    assert!(s.read("out.svg").starts_with("<svg"));
    assert!(s.read("r.html").starts_with("<!DOCTYPE html>"));
    s.no_temporary_files();
    // A device output is written in place.
    let out = s.run(&["replay", "f.formula", "-m", "m.csv", "--timeline", "t.csv", "--svg", "/dev/stdout"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("<svg"));
}

#[test]
fn fmt_in_place_replaces_the_file_whole_and_keeps_its_mode_and_links() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new();
    s.write("a.formula", "$TargetDedicatedNodes=max( 1,2 ) ;\n");
    std::fs::set_permissions(s.path("a.formula"), std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("a.formula", s.path("link.formula")).unwrap();
    let out = s.run(&["fmt", "link.formula"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(s.read("a.formula"), "$TargetDedicatedNodes = max(1, 2);\n");
    assert!(
        std::fs::symlink_metadata(s.path("link.formula")).unwrap().file_type().is_symlink(),
        "the link stays a link"
    );
    assert_eq!(std::fs::metadata(s.path("a.formula")).unwrap().permissions().mode() & 0o777, 0o640);
    s.no_temporary_files();
}

// ---- streaming -----------------------------------------------------------------------------

#[test]
fn a_long_replay_streams_its_timeline_and_keeps_the_pictures_small() {
    let s = Scratch::new();
    // A year every 5 minutes, every evaluation failing (no samples).
    s.write("f2.formula", "$TargetDedicatedNodes = avg($PendingTasks.GetSample(1));\n");
    let out = s.run(&[
        "replay",
        "f2.formula",
        "--start",
        "2026-01-01T00:00:00Z",
        "--end",
        "2027-01-01T00:00:00Z",
        "--interval",
        "PT5M",
        "--timeline",
        "t.json",
        "--format",
        "json",
        "--svg",
        "p.svg",
        "--html",
        "r.html",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let evaluations = 365 * 288 + 1;
    let v: serde_json::Value = serde_json::from_str(&s.read("t.json")).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), evaluations);
    assert_eq!(v["summary"]["evaluations"], evaluations);
    let failures: u64 = v["summary"]["failures"]
        .as_object()
        .unwrap()
        .values()
        .map(|f| f["count"].as_u64().unwrap())
        .sum();
    assert_eq!(failures, evaluations as u64);
    let svg = s.read("p.svg");
    assert!(
        svg.len() < 400_000,
        "the plot is per pixel, not per evaluation: {} bytes",
        svg.len()
    );
    assert!(svg.contains("failed evaluations from"), "failures grouped per pixel column");
    let page = s.read("r.html");
    assert!(page.contains(&format!("{evaluations} evaluations.")));
    assert!(page.contains("The first 5000 are shown"));
    assert!(page.len() < 3_000_000, "{}", page.len());
}

#[test]
fn the_json_timeline_streamed_to_standard_output_is_one_document() {
    let s = Scratch::new();
    let out = s.run(&[
        "replay",
        "f.formula",
        "-m",
        "m.csv",
        "--interval",
        "PT5M",
        "--format",
        "json",
        "--columns",
        "$pending",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["columns"], serde_json::json!(["$pending"]));
    assert_eq!(
        v["rows"].as_array().unwrap().len() as u64,
        v["summary"]["evaluations"].as_u64().unwrap()
    );
    // No evaluation at all is still a document.
    let out = s.run(&[
        "simulate",
        "f.formula",
        "--workload",
        "w.json",
        "--columns",
        "$nope",
        "--timeline",
        "t.json",
    ]);
    refused(&out, &["$nope"]);
}

// ---- bad input -----------------------------------------------------------------------------

#[test]
fn bad_times_numbers_and_durations_are_refused_plainly() {
    let s = Scratch::new();
    s.write("bad-time.csv", "timestamp,$PendingTasks\n2026-11-23T12:00:00+99:99,1\n");
    s.write(
        "dup.csv",
        "timestamp,$PendingTasks,$ActiveTasks,PendingTasks\n2026-11-23T12:00:00Z,1,2,3\n",
    );
    s.write(
        "slots.json",
        "{\n  \"now\": \"2026-11-23T12:00:00Z\",\n  \"pool\": {\"taskSlotsPerNode\": -1}\n}\n",
    );
    s.write("random.json", "{\"random\": [0.5, 1.5]}");
    s.write(
        "period.json",
        "{\"metrics\": {\"$PendingTasks\": {\"last\": \"2026-11-23T12:00:00Z\", \"periodSeconds\": 1e300, \"values\": [1, 2]}}}",
    );
    s.write("delay.json", "{\"samplePublicationDelaySeconds\": 1e300}");
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["eval", "f.formula", "--now", "2026-11-23T12:00:00+99:99"],
            vec!["--now", "zone offset +99:99"],
        ),
        (
            vec!["replay", "f.formula", "-m", "bad-time.csv"],
            vec!["bad-time.csv:2:1:", "zone offset +99:99"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--start", "2026-11-23T12:00:00-24:00"],
            vec!["--start", "offset"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--pool-dedicated", "NaN"],
            vec!["--pool-dedicated NaN"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--pool-low-priority", "inf"],
            vec!["--pool-low-priority inf"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--pool-dedicated=-1"],
            vec!["--pool-dedicated -1"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--task-slots", "0"],
            vec!["--task-slots 0", "1 to 256"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--task-slots", "2.5"],
            vec!["--task-slots 2.5"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--delay", "1e300"],
            vec!["--delay 1e300"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--interval", "P1DT"],
            vec!["--interval P1DT"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--interval", "PT5M5M"],
            vec!["--interval PT5M5M"],
        ),
        (
            vec!["replay", "f.formula", "-m", "m.csv", "--allocation-delay", "PT"],
            vec!["--allocation-delay PT"],
        ),
        (
            vec!["simulate", "f.formula", "--workload", "w.json", "--interval", "P1DT"],
            vec!["--interval P1DT"],
        ),
        (
            vec![
                "simulate",
                "f.formula",
                "--workload",
                "w.json",
                "--task-retention",
                "P99999999999999D",
            ],
            vec!["too long"],
        ),
        (
            vec!["simulate", "f.formula", "--workload", "w.json", "--dedicated-price", "NaN"],
            vec!["--dedicated-price NaN"],
        ),
        (
            vec!["sweep", "f.formula", "--workload", "w.json", "--interval", "PT5M,P1DT"],
            vec!["P1DT"],
        ),
        (vec!["eval", "f.formula", "--task-slots", "0"], vec!["--task-slots 0"]),
        (
            vec!["eval", "f.formula", "--current-dedicated", "NaN"],
            vec!["--current-dedicated NaN"],
        ),
        (vec!["eval", "f.formula", "--delay", "inf"], vec!["--delay inf"]),
        (
            vec!["eval", "f.formula", "-c", "slots.json"],
            vec!["slots.json:3:32:", "pool.taskSlotsPerNode: -1"],
        ),
        (vec!["eval", "f.formula", "-c", "random.json"], vec!["random.json:1:", "1.5"]),
        (
            vec!["eval", "f.formula", "-c", "period.json"],
            vec!["period.json:1:", "periodSeconds"],
        ),
        (
            vec!["eval", "f.formula", "-c", "delay.json"],
            vec!["delay.json:1:", "samplePublicationDelaySeconds"],
        ),
        (
            vec!["eval", "f.formula", "-m", "dup.csv"],
            vec!["dup.csv:1:4:", "the column `PendingTasks` appears twice"],
        ),
        (
            vec!["replay", "f.formula", "-m", "dup.csv"],
            vec!["dup.csv:1:4:", "appears twice (columns 2 and 4)"],
        ),
    ];
    for (args, needles) in cases {
        let out = s.run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out.stderr));
        refused(&out, &needles);
        assert!(!text(&out.stderr).contains("time order"), "{args:?}");
    }
}
