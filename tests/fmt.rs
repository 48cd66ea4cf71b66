//! `fmt` on every real-world formula: the output re-checks clean, formatting is idempotent, and
//! the formatted formula evaluates exactly like the original.

mod common;

use batch_autoscale::builtins::Metric;
use batch_autoscale::fmt::format_source;
use batch_autoscale::{check, evaluate_source, EvalContext, MetricStore, Timestamp};

#[test]
fn formatting_the_corpus_keeps_meaning_and_is_idempotent() {
    let Some(dir) = common::shared_dir("corpus") else { return };
    let now = batch_autoscale::time::parse_rfc3339("2026-11-23T10:00:00Z").unwrap();
    let mut stores = [MetricStore::new(), MetricStore::new()];
    for metric in Metric::ALL {
        let h = stores[1].history_mut(metric);
        for i in (1..200i64).rev() {
            h.push(Timestamp(now.0 - i * 300_000_000), ((i * 5) % 11) as f64).unwrap();
        }
    }
    let mut formatted_count = 0;
    for file in common::files_with_extension(&dir, "formula") {
        let src = std::fs::read_to_string(&file).unwrap();
        let Some(formatted) = format_source(&src) else {
            assert!(
                batch_autoscale::parse(&src).has_errors(),
                "{}: not formatted but parses",
                file.display()
            );
            continue;
        };
        formatted_count += 1;
        assert_eq!(
            format_source(&formatted).as_deref(),
            Some(formatted.as_str()),
            "{}: not idempotent",
            file.display()
        );
        let before = check(&src);
        let after = check(&formatted);
        assert_eq!(before.has_errors(), after.has_errors(), "{}", file.display());
        let codes = |a: &batch_autoscale::Analysis| a.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>();
        assert_eq!(codes(&before).len(), codes(&after).len(), "{}: diagnostics changed", file.display());
        assert_eq!(
            before.formula.comments.len(),
            after.formula.comments.len(),
            "{}: comments lost",
            file.display()
        );
        for (k, store) in stores.iter().enumerate() {
            for pool in [0.0, 3.0] {
                let mut ctx = EvalContext::new(now, store);
                ctx.pool.target_dedicated_nodes = pool;
                let a = evaluate_source(&src, &ctx);
                let b = evaluate_source(&formatted, &ctx);
                assert_eq!(a.results, b.results, "{} (store {k})", file.display());
                assert_eq!(
                    a.error.as_ref().map(|e| &e.code),
                    b.error.as_ref().map(|e| &e.code),
                    "{} (store {k})",
                    file.display()
                );
            }
        }
    }
    assert!(formatted_count >= 80, "only {formatted_count} corpus formulas were formatted");
}
