//! Helpers shared by the integration tests: where `../shared` is and how to read it.

#![allow(dead_code)]

use std::path::PathBuf;

/// `../shared/<what>` seen from the project root, or `None` when it is absent.
///
/// `../shared` (the reference, the shared conformance cases and the corpus) lives beside the
/// project, not in it, so the tests that read it are an extra check; every such test has
/// `shared` in its name. When it is absent:
///
/// - with the environment variable `CI` set, the test **fails** (a CI run must check it);
/// - otherwise the test returns early, and says so on the terminal: the `SKIPPED` line is
///   written to the process's stderr directly rather than with `eprintln!`, which the test
///   harness would capture and hide for a passing test. `cargo test` therefore shows
///   `SKIPPED: shared_…: … not found` next to the test's `ok`.
pub fn shared_dir(what: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("shared");
    if dir.join(what).is_dir() {
        return Some(dir.join(what));
    }
    // The harness names each test's thread after the test.
    let test = std::thread::current().name().unwrap_or("a test").to_string();
    let message = format!(
        "{test}: {} not found; this test reads ../shared/{what} beside the project",
        dir.join(what).display()
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}, and CI is set, so it must not be skipped");
    }
    use std::io::Write;
    // Not `eprintln!`: the harness captures that for passing tests.
    writeln!(std::io::stderr().lock(), "SKIPPED: {message} (set CI to make this a failure)").expect("stderr is writable");
    None
}

/// The project's own conformance cases, `tests/conformance/*.json` (always present).
pub fn conformance_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("conformance")
}

/// The formulas of the in-repository conformance cases, in file order.
pub fn conformance_formulas() -> Vec<String> {
    files_with_extension(&conformance_dir(), "json")
        .iter()
        .map(|f| {
            let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            case["formula"].as_str().unwrap().to_string()
        })
        .collect()
}

/// Files in `dir` with extension `ext`, sorted.
pub fn files_with_extension(dir: &std::path::Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some(ext))
        .collect();
    files.sort();
    files
}

/// Compare an `AutoScaleRun` JSON value with a conformance case's `expect`, as
/// shared/conformance/README.md says. Returns a description of each difference.
pub fn compare_with_expectation(run: &serde_json::Value, expect: &serde_json::Value) -> Vec<String> {
    let mut problems = Vec::new();
    if run["results"] != expect["results"] {
        problems.push(format!("results: got {} want {}", run["results"], expect["results"]));
    }
    let got_error = run.get("error").filter(|e| !e.is_null());
    match (got_error, expect.get("error").filter(|e| !e.is_null())) {
        (None, None) => {}
        (Some(g), None) => problems.push(format!("unexpected error {g}")),
        (None, Some(w)) => problems.push(format!("missing error {w}")),
        (Some(g), Some(w)) => {
            if g["code"] != w["code"] {
                problems.push(format!("error code: got {} want {}", g["code"], w["code"]));
            }
            let value = g["values"][0]["value"].as_str().unwrap_or("");
            if let Some(want) = w.get("value").and_then(|v| v.as_str()) {
                if value != want {
                    problems.push(format!("error value: got {value:?} want {want:?}"));
                }
            }
            if let (Some(line), Some(col)) = (w.get("line"), w.get("col")) {
                let prefix = format!("Line {line}, Col {col}:");
                if !value.starts_with(&prefix) {
                    problems.push(format!("error position: got {value:?} want prefix {prefix:?}"));
                }
            }
        }
    }
    problems
}

/// A syntax tree as JSON without spans or comments, for comparing shapes.
pub fn strip_spans(tree: &impl serde::Serialize) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                map.remove("span");
                map.remove("openParen");
                map.remove("comments");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(tree).unwrap();
    strip(&mut v);
    v
}
