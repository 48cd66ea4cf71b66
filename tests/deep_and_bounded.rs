//! Hostile formulas through the binary, as a user meets them: deep formulas never overflow the
//! stack, `fmt` never writes a formula the service would refuse, diagnostics output stays
//! bounded, and a file with a byte order mark is read as the editor shows it.

use std::path::{Path, PathBuf};
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

fn write(dir: &Path, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

fn sum(terms: usize, sep: &str) -> String {
    format!("$TargetDedicatedNodes = {};", vec!["1"; terms].join(sep))
}

fn no_crash(out: &Output) {
    let stderr = text(&out.stderr);
    assert!(
        matches!(out.status.code(), Some(0..=2)),
        "status {:?}: {}",
        out.status,
        &stderr[..stderr.len().min(2000)]
    );
    assert!(!stderr.contains("panicked") && !stderr.contains("overflowed its stack"), "{stderr}");
}

#[test]
fn fmt_refuses_a_long_sum_instead_of_overflowing_the_stack() {
    let dir = tempfile::tempdir().unwrap();
    for terms in [50_000, 200_000] {
        let src = sum(terms, "+");
        let path = write(dir.path(), "sum.formula", src.as_bytes());
        let p = path.to_str().unwrap();
        for args in [vec!["fmt", p], vec!["fmt", "--stdout", p], vec!["fmt", "--check", p]] {
            let out = run(&args);
            no_crash(&out);
            assert_eq!(out.status.code(), Some(1), "{args:?}");
            let stderr = text(&out.stderr);
            assert!(
                stderr.contains("not formatted, it is") && stderr.contains("over the limit of 8192"),
                "{stderr}"
            );
            assert!(stderr.len() < 4000, "{} bytes of diagnostics", stderr.len());
            assert!(out.stdout.is_empty());
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), src, "the file is untouched");
    }
}

#[test]
fn fmt_never_turns_a_valid_formula_into_one_over_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    // 8,184 characters, valid; formatted, `1 < 1 < …` would be about 16,000.
    let src = sum(4_080, "<");
    assert!(src.len() <= 8192);
    let path = write(dir.path(), "lt.formula", src.as_bytes());
    let p = path.to_str().unwrap();
    assert_eq!(run(&["check", "-q", p]).status.code(), Some(0));
    for args in [vec!["fmt", p], vec!["fmt", "--stdout", p]] {
        let out = run(&args);
        no_crash(&out);
        assert_eq!(out.status.code(), Some(1));
        let stderr = text(&out.stderr);
        assert!(stderr.contains("not formatted, its formatted text would be"), "{stderr}");
        assert!(out.stdout.is_empty());
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), src);
    // Just within the limit once formatted: formatted, and the result still checks.
    let src = sum(2_040, "+");
    let path = write(dir.path(), "ok.formula", src.as_bytes());
    let out = run(&["fmt", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = std::fs::read_to_string(&path).unwrap();
    assert!(formatted.len() <= 8192 && formatted.contains("1 + 1"));
    assert_eq!(run(&["check", path.to_str().unwrap()]).status.code(), Some(0));
}

#[test]
fn the_deepest_formulas_within_the_limits_check_evaluate_and_format() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("a = 1;\n$TargetDedicatedNodes = {};\n", vec!["a"; 4_080].join("+"));
    assert!(deep.len() <= 8192);
    let path = write(dir.path(), "deep.formula", deep.as_bytes());
    let p = path.to_str().unwrap();
    let out = run(&["check", p]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&["eval", "--now", "2026-01-01T00:00:00Z", p]);
    no_crash(&out);
    assert!(text(&out.stdout).contains("$TargetDedicatedNodes=4080"), "{}", text(&out.stdout));
    // A member chain as long as the limit allows: errors, each reported, no overflow.
    let chain = format!("$h = time(){};\n$TargetDedicatedNodes = 1;", ".hour".repeat(1_620));
    let path = write(dir.path(), "chain.formula", chain.as_bytes());
    for command in ["check", "fmt", "eval"] {
        let out = run(&[command, path.to_str().unwrap()]);
        no_crash(&out);
    }
}

#[test]
fn check_output_is_bounded_for_thousands_of_diagnostics_on_one_long_line() {
    let dir = tempfile::tempdir().unwrap();
    // 4,079 warnings on one 8 KB line: 118 MB of output before.
    let path = write(dir.path(), "lt.formula", sum(4_080, "<").as_bytes());
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = text(&out.stderr);
    assert!(stderr.len() < 400_000, "{} bytes", stderr.len());
    assert!(stderr.lines().all(|l| l.chars().count() < 400), "a line was not elided");
    assert_eq!(stderr.matches("Warning:").count(), 200);
    assert!(
        stderr.contains("… and 3878 more diagnostics in"),
        "{}",
        &stderr[stderr.len() - 300..]
    );
    assert!(stderr.contains("lt.formula: ok (0 errors, 4078 warnings)"));
    // JSON keeps every diagnostic.
    let out = run(&["check", "--format", "json", path.to_str().unwrap()]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["files"][0]["diagnostics"].as_array().unwrap().len(), 4078);
    // `time().hour.hour…`: 14 MB before.
    let chain = format!("$h = time(){};\n$TargetDedicatedNodes = 1;", ".hour".repeat(1_620));
    let path = write(dir.path(), "chain.formula", chain.as_bytes());
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stderr.len() < 200_000, "{} bytes", out.stderr.len());
}

#[test]
fn an_elided_snippet_keeps_the_real_position_and_marks_the_cuts() {
    let dir = tempfile::tempdir().unwrap();
    let src = format!("$TargetDedicatedNodes = {} + nope;", vec!["1"; 300].join(" + "));
    let column = src.find("nope").unwrap() + 1;
    let path = write(dir.path(), "long.formula", src.as_bytes());
    let out = run(&["check", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let header = format!("long.formula:1:{column} ]");
    assert!(stderr.contains(&header), "no {header:?} in {stderr}");
    assert!(stderr.contains(&format!("(at {}:1:{column})", path.display())), "{stderr}");
    assert!(stderr.contains("…") && stderr.contains("nope"), "{stderr}");
    assert!(stderr.lines().all(|l| l.chars().count() < 200), "{stderr}");
}

#[test]
fn a_long_message_is_cut_in_both_outputs() {
    let dir = tempfile::tempdir().unwrap();
    // An unknown function whose name is 5,000 characters: its message quotes it.
    let name = "f".repeat(5_000);
    let path = write(dir.path(), "name.formula", format!("$TargetDedicatedNodes = {name}(1);").as_bytes());
    let out = run(&["check", "--format", "json", path.to_str().unwrap()]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for d in doc["files"][0]["diagnostics"].as_array().unwrap() {
        assert!(d["message"].as_str().unwrap().chars().count() <= 1001, "{d}");
    }
    let out = run(&["check", path.to_str().unwrap()]);
    assert!(text(&out.stderr).lines().all(|l| l.chars().count() < 1200));
}

#[test]
fn a_byte_order_mark_is_read_as_the_editor_shows_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let bom = "\u{feff}";
    let good = write(
        dir.path(),
        "good.formula",
        format!("{bom}$TargetDedicatedNodes=max(1,2);").as_bytes(),
    );
    let g = good.to_str().unwrap();
    let out = run(&["check", g]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(&["eval", "--now", "2026-01-01T00:00:00Z", g]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("$TargetDedicatedNodes=2"));
    // fmt keeps the mark: to standard output and in place.
    let out = run(&["fmt", "--stdout", g]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout), format!("{bom}$TargetDedicatedNodes = max(1, 2);\n"));
    assert_eq!(run(&["fmt", "--check", g]).status.code(), Some(1));
    assert_eq!(run(&["fmt", g]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        format!("{bom}$TargetDedicatedNodes = max(1, 2);\n")
    );
    assert_eq!(run(&["fmt", "--check", g]).status.code(), Some(0));
    // Positions count from the first character after the mark.
    let bad = write(dir.path(), "bad.formula", format!("{bom}$a = ;").as_bytes());
    let out = run(&["check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("bad.formula:1:6"), "{stderr}");
    assert!(!stderr.contains("E108"), "{stderr}");
}

#[test]
fn fmt_keeps_a_member_of_a_number_parseable() {
    // Found by fuzzing: printed as `10.TimeInterval_Second`, the text no longer parsed.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "n.formula", b"$x = $Running * a.GetSample(10 . TimeInterval_Second);");
    let out = run(&["fmt", "--stdout", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let formatted = text(&out.stdout);
    assert_eq!(formatted, "$x = $Running * a.GetSample(10 .TimeInterval_Second);\n");
    let again = write(dir.path(), "again.formula", formatted.as_bytes());
    let out = run(&["fmt", "--stdout", again.to_str().unwrap()]);
    assert_eq!(text(&out.stdout), formatted);
}
