//! Every case of ../shared/conformance evaluates to exactly the expected `AutoScaleRun`.

mod common;

use batch_autoscale::{evaluate_source, ContextSpec, Timestamp};

#[test]
fn every_conformance_case_matches() {
    let Some(dir) = common::shared_dir("conformance") else { return };
    let files = common::files_with_extension(&dir, "json");
    assert!(files.len() >= 50, "expected the conformance cases in {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        let case: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let formula = case["formula"].as_str().unwrap();
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
    eprintln!("{} conformance cases passed", files.len());
}
