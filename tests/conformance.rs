//! The conformance suite: every case of `tests/conformance` evaluates to exactly the expected
//! `AutoScaleRun` (the cases' format is described in `tests/conformance/README.md`). The
//! suite is part of the repository, so it runs on any clone; the `shared_` tests below also
//! compare it with `../shared/conformance` when that is present beside the project.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use batch_autoscale::{evaluate_source, ContextSpec, Timestamp};

/// Evaluate every case in `dir`; returns the number of cases, panics listing every failure.
fn run_cases(dir: &Path) -> usize {
    let files = common::files_with_extension(dir, "json");
    let mut failures = Vec::new();
    for file in &files {
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap_or_else(|e| panic!("{}: not JSON: {e}", file.display()));
        let formula = case["formula"].as_str().unwrap_or_else(|| panic!("{}: no formula", file.display()));
        let spec: ContextSpec =
            serde_json::from_value(case["context"].clone()).unwrap_or_else(|e| panic!("{}: context: {e}", file.display()));
        let context = spec.build(Timestamp(0)).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let run = evaluate_source(formula, &context.as_context());
        let run = serde_json::to_value(&run).unwrap();
        let problems = common::compare_with_expectation(&run, &case["expect"]);
        if !problems.is_empty() {
            failures.push(format!("{}:\n  {}", case["id"], problems.join("\n  ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    files.len()
}

#[test]
fn every_in_repository_conformance_case_matches() {
    let n = run_cases(&common::conformance_dir());
    // The 60 cases copied from ../shared/conformance plus the project's own.
    assert!(n >= 80, "expected at least 80 cases in tests/conformance, found {n}");
}

/// Each case's file is named after its id, ids are unique, and every case says what it is
/// evidence of and what it checks.
#[test]
fn in_repository_cases_are_well_formed() {
    let mut ids = BTreeSet::new();
    for file in common::files_with_extension(&common::conformance_dir(), "json") {
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let id = case["id"].as_str().unwrap_or_else(|| panic!("{}: no id", file.display()));
        assert_eq!(
            file.file_stem().unwrap().to_str(),
            Some(id),
            "{}: file name and id differ",
            file.display()
        );
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        for field in ["about", "evidence", "formula"] {
            assert!(case[field].as_str().is_some_and(|s| !s.is_empty()), "{id}: no {field}");
        }
        assert!(case["expect"]["results"].is_string(), "{id}: no expect.results");
        assert!(case["expect"].get("error").is_some(), "{id}: no expect.error (null for success)");
    }
}

/// Every decision the project settled beyond the shared cases has a case of its own.
#[test]
fn every_new_decision_has_a_case() {
    let mut evidence = String::new();
    for file in common::files_with_extension(&common::conformance_dir(), "json") {
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        evidence.push_str(case["evidence"].as_str().unwrap_or(""));
        evidence.push('\n');
    }
    for d in 39..=52 {
        let tag = format!("decision D{d}");
        assert!(
            evidence
                .lines()
                .any(|l| l == tag || l.starts_with(&format!("{tag} ")) || l.starts_with(&format!("{tag}:"))),
            "no case has evidence `{tag}`"
        );
    }
    for d in [10, 29, 31] {
        assert!(evidence.contains(&format!("decision D{d}")), "no case for the amended D{d}");
    }
}

/// The shared cases, evaluated where they are (catches a case added there but not copied).
#[test]
fn shared_conformance_cases_match() {
    let Some(dir) = common::shared_dir("conformance") else { return };
    let n = run_cases(&dir);
    assert!(n >= 60, "expected the conformance cases in {}", dir.display());
}

/// The in-repository copies of the shared cases are identical to `../shared/conformance`.
#[test]
fn shared_conformance_cases_are_copied_unchanged() {
    let Some(dir) = common::shared_dir("conformance") else { return };
    let files = common::files_with_extension(&dir, "json");
    assert!(files.len() >= 60, "expected the conformance cases in {}", dir.display());
    for file in files {
        let name = file.file_name().unwrap();
        let copy = common::conformance_dir().join(name);
        let copy = std::fs::read(&copy).unwrap_or_else(|_| panic!("{} is not copied into tests/conformance", name.to_string_lossy()));
        assert!(
            copy == std::fs::read(&file).unwrap(),
            "tests/conformance/{} differs from ../shared/conformance",
            name.to_string_lossy()
        );
    }
}
