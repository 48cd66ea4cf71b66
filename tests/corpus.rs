//! `check` agrees with ../shared/corpus/expectations.json on every real-world formula, and each
//! rejected formula's first error points at the real mistake.

mod common;

use batch_autoscale::check;

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
fn corpus_acceptance_matches_expectations() {
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
