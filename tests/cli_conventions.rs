//! The command line as people expect it (issue 13): the time forms the messages name, failure
//! verdicts that say why, plurals, messages in the user's terms, completions and a man page.
//! Every test runs the built binary.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_batch-autoscale"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(dir: &tempfile::TempDir, name: &str, content: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    path.to_string_lossy().into_owned()
}

const FORMULA: &str = "$TargetDedicatedNodes = time().hour;\n";

/// `--now` and a context file's `now` take RFC 3339 and the RFC 1123 form of D31, and agree.
#[test]
fn now_takes_rfc1123_and_rfc3339() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "f.formula", FORMULA);
    for now in ["Mon, 06 Oct 2014 10:20:00 GMT", "2014-10-06T10:20:00Z", "2014-10-06T12:20:00+02:00"] {
        let out = run(&["eval", &f, "--now", now]);
        assert_eq!(out.status.code(), Some(0), "{now}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains("at 2014-10-06T10:20:00.0000000Z"), "{now}: {stdout}");
        assert!(stdout.contains("$TargetDedicatedNodes=10;"), "{now}: {stdout}");

        let context = write(&dir, "c.json", &format!(r#"{{"now": "{now}"}}"#));
        let out = run(&["eval", &f, "--context", &context]);
        assert_eq!(out.status.code(), Some(0), "{now}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("at 2014-10-06T10:20:00.0000000Z"), "{now}");
    }
    // A wrong day of the week or another zone is still refused, with the reason.
    let out = run(&["eval", &f, "--now", "Tue, 06 Oct 2014 10:20:00 GMT"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("day of the week"), "{}", text(&out.stderr));
    let out = run(&["eval", &f, "--now", "Mon, 06 Oct 2014 10:20:00 UTC"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("must end in `GMT`"), "{}", text(&out.stderr));
}

/// `check --deny-warnings` on warnings only says it failed and why, with `--quiet` too.
#[test]
fn deny_warnings_says_it_failed() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "spot.formula", "$unused = 1;\n$TargetDedicatedNodes = 1;\n");
    for quiet in [false, true] {
        let mut args = vec!["check", "--deny-warnings", &f];
        if quiet {
            args.push("--quiet");
        }
        let out = run(&args);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
        let stderr = text(&out.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.ends_with("spot.formula: failed: --deny-warnings and 0 errors, 1 warning"),
            "{stderr}"
        );
        assert!(!stderr.contains(": ok"), "{stderr}");
        if quiet {
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
        }
    }
    // Without the flag the same file is ok, in singular and plural.
    let out = run(&["check", &f]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).ends_with("spot.formula: ok (0 errors, 1 warning)\n"),
        "{}",
        text(&out.stderr)
    );
}

/// Counts are in words: `1 task`, `1 slot per node`, `1 error`, never `(s)`.
#[test]
fn plurals() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "f.formula", "$TargetDedicatedNodes = 1\n$x = 2;\n");
    let g = write(&dir, "g.formula", "$TargetDedicatedNodes = 1;\n");
    let out = run(&["check", &f, &g]);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("f.formula: has errors (1 error, 1 warning)"), "{stderr}");
    assert!(stderr.contains("checked 2 formulas in 2 files: 1 error, 1 warning"), "{stderr}");
    assert!(!stderr.contains("(s)"), "{stderr}");

    let workload = write(&dir, "w.csv", "submit,duration,slots\n2026-11-23T10:00:00Z,PT10M,1\n");
    let out = run(&["simulate", &g, "--workload", &workload, "--slots", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("1 task; pool: 1 slot per node, allocation"), "{stdout}");
}

/// Messages in the user's terms, never Rust's or clap's.
#[test]
fn messages_without_rust() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "f.formula", "$pending = 1;\n$TargetDedicatedNodes = $pending;\n");
    let one_line_error = |out: &Output, needle: &str| {
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(needle), "expected {needle:?} in {stderr:?}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        for rust in ["f64", "u32", "invalid type", "tip:", "-- -"] {
            assert!(!stderr.contains(rust), "{rust} in {stderr}");
        }
    };
    let context = write(&dir, "c.json", r#"{"pool": {"targetDedicatedNodes": "two"}}"#);
    one_line_error(
        &run(&["eval", &f, "--context", &context]),
        ":1:39: expected a number, found string \"two\"",
    );

    one_line_error(
        &run(&["eval", &f, "--pool-dedicated", "-3"]),
        "error: --pool-dedicated -3: must be at least 0",
    );
    one_line_error(&run(&["eval", &f, "--current-dedicated=-1"]), "must be at least 0");
    one_line_error(&run(&["replay", &f, "--pool-dedicated", "-3"]), "must be at least 0");
    one_line_error(&run(&["eval", &f, "--task-slots", "0"]), "a node has 1 to 256 task slots");
    one_line_error(&run(&["eval", &f, "--task-slots", "257"]), "a node has 1 to 256 task slots");
    one_line_error(
        &run(&["eval", &f, "--task-slots", "1.5"]),
        "--task-slots 1.5: expected a whole number of task slots",
    );
    one_line_error(
        &run(&["eval", &f, "--delay", "-1"]),
        "--delay -1: must be a number of seconds from 0 to 31536000 (a year)",
    );
    let out = run(&["eval", &f, "--task-slots", "4", "--pool-dedicated", "0"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let out = run(&[
        "replay",
        &f,
        "--start",
        "2026-11-23T10:00:00Z",
        "--end",
        "2026-11-23T11:00:00Z",
        "--columns",
        "$pendng",
    ]);
    assert_ne!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("`$pendng` is not a variable of the formula; did you mean `$pending`?"),
        "{stderr}"
    );
}

/// Control characters in a message are escaped, not printed raw.
#[test]
fn control_characters_are_escaped_in_messages() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(&dir, "f.formula", "$TargetDedicatedNodes = 1 @\u{1}\u{2};\n");
    let out = run(&["check", "--format", "json", &f]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let message = doc["files"][0]["diagnostics"][0]["message"].as_str().unwrap().to_string();
    assert_eq!(message, "unexpected character `@\\u{1}\\u{2}`");
}

const SUBCOMMANDS: [&str; 10] = [
    "check", "eval", "fmt", "replay", "simulate", "compare", "sweep", "lsp", "history", "new",
];

/// `completions SHELL` writes a script for each shell that names every subcommand; bash's parses.
#[test]
fn completions_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.len() > 1000, "{shell}: {script}");
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell}: no {sub}");
        }
        assert!(
            script.contains("deny-warnings") && script.contains("pool-dedicated"),
            "{shell}: options"
        );
    }
    let bash = run(&["completions", "bash"]);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "batch-autoscale.bash", &text(&bash.stdout));
    if let Ok(status) = Command::new("bash").args(["-n", &path]).status() {
        assert!(status.success(), "bash -n refuses the completion script");
    }
    let out = run(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("possible values: bash"), "{}", text(&out.stderr));
}

/// `man` writes a roff page listing every subcommand; `man SUBCOMMAND` that subcommand's options.
#[test]
fn man_page() {
    let out = run(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(page.contains(".TH batch-autoscale 1"), "{page}");
    assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("batch\\-autoscale\\-{sub}(1)")), "no {sub} in {page}");
    }
    let out = run(&["man", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let page = text(&out.stdout);
    assert!(
        page.contains(".TH batch-autoscale-check 1") && page.contains("\\-\\-deny\\-warnings"),
        "{page}"
    );
    let out = run(&["man", "chek"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `check`?"), "{}", text(&out.stderr));
}
