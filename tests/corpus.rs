//! `check` agrees with ../shared/corpus/expectations.json on every real-world formula, and each
//! rejected formula's first error points at the real mistake.

mod common;

use batch_autoscale::check;
use std::str::FromStr;

/// For each rejected corpus formula: a piece of text the first error's span must cover or start at.
fn expected_error_site(file: &str) -> Option<&'static str> {
    Some(match file {
        "019.formula" => "==",
        "022.formula" => "GetSample",
        "026.formula" => "NUMBER_NODES",
        "031.formula" => "$something_useless",
        "032.formula" => "something_useless",
        "033.formula" => "{",
        "046.formula" => "$curTime",
        "050.formula" => "\\",
        "054.formula" => "\"2",
        "078.formula" => "$NodeDeallocationOption",
        _ => return None,
    })
}

#[test]
fn shared_corpus_acceptance_matches_expectations() {
    let Some(dir) = common::shared_dir("corpus") else { return };
    let expectations: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expectations.json")).unwrap()).unwrap();
    assert!(expectations.len() >= 90);
    let mut failures = Vec::new();
    for e in &expectations {
        let file = e["file"].as_str().unwrap();
        let accept = e["accept"].as_bool().unwrap();
        let src = std::fs::read_to_string(dir.join(file)).unwrap();
        let analysis = check(&src);
        let errors: Vec<_> = analysis.diagnostics.iter().filter(|d| d.is_error()).collect();
        if accept && !errors.is_empty() {
            failures.push(format!(
                "{file}: should be accepted, got {:?}",
                errors.iter().map(|d| (&d.message, d.span.text(&src))).collect::<Vec<_>>()
            ));
        }
        if !accept {
            let Some(first) = analysis.service_error() else {
                failures.push(format!("{file}: should be rejected ({})", e["reason"]));
                continue;
            };
            let site = expected_error_site(file).unwrap_or_else(|| panic!("{file}: add the expected error site to this test"));
            let at = &src[first.span.start as usize..];
            let covered = first.span.text(&src);
            if !(at.starts_with(site) || covered.contains(site)) {
                failures.push(format!(
                    "{file}: first error {:?} at {:?}, expected it at {site:?}",
                    first.message, covered
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every corpus formula evaluates (or fails as the service would) against a fresh pool, a
/// half-filled history and a full week of samples, and accepted formulas never fail with a
/// check error at evaluation time.
#[test]
fn shared_corpus_formulas_evaluate_against_fresh_partial_and_full_histories() {
    use batch_autoscale::builtins::Metric;
    use batch_autoscale::{evaluate_source, EvalContext, MetricStore, Timestamp};
    let Some(dir) = common::shared_dir("corpus") else { return };
    let now = Timestamp::from_str("2026-11-23T12:00:00Z").unwrap();
    let period = 300_000_000i64;
    let mut stores = vec![MetricStore::new(), MetricStore::new(), MetricStore::new()];
    for metric in Metric::ALL {
        for (k, count, step) in [(1usize, 40i64, 2i64), (2, 7 * 2880, 1)] {
            let h = stores[k].history_mut(metric);
            let mut i = count;
            while i > 0 {
                h.push(Timestamp(now.0 - i * period), ((i * 7) % 23) as f64).unwrap();
                i -= step;
            }
        }
    }
    let mut failures_by_code = std::collections::BTreeMap::<String, usize>::new();
    for file in common::files_with_extension(&dir, "formula") {
        let src = std::fs::read_to_string(&file).unwrap();
        for store in &stores {
            let run = evaluate_source(&src, &EvalContext::new(now, store));
            assert!(
                run.results.starts_with("$TargetDedicatedNodes="),
                "{}: {}",
                file.display(),
                run.results
            );
            if let Some(e) = &run.error {
                assert!(e.values[0].value.starts_with("Line "), "{}: {:?}", file.display(), e);
                *failures_by_code.entry(e.code.clone()).or_default() += 1;
            }
        }
    }
    // The fresh pool makes unguarded windows fail; the full history must not fail them.
    assert!(
        failures_by_code.get("InsufficientSampleData").copied().unwrap_or(0) > 0,
        "{failures_by_code:?}"
    );
}
