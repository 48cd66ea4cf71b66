//! Any formula the formatter accepts: formatting is idempotent, keeps every comment, keeps the
//! checker's diagnostics (their codes, in order) and the evaluation result, and never writes
//! a text over the size limit.
#![no_main]

use batch_autoscale::{builtins::Metric, check, format, parse, EvalContext, Formula, MetricStore, Timestamp};
use libfuzzer_sys::fuzz_target;

fn comments(src: &str) -> Vec<String> {
    let body = src.strip_prefix('\u{feff}').unwrap_or(src);
    batch_autoscale::fuzzing::tree(&parse(body))
        .comments
        .iter()
        .map(|c| c.text(body).trim_end().to_string())
        .collect()
}

fn codes(src: &str) -> Vec<(&'static str, batch_autoscale::Severity)> {
    check(src).diagnostics.iter().map(|d| (d.code.as_str(), d.severity)).collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else { return };
    let Ok(out) = format(src) else { return };
    assert!(batch_autoscale::fuzzing::utf16_len(&out) <= batch_autoscale::fuzzing::MAX_FORMULA_LENGTH);
    assert_eq!(format(&out).as_deref(), Ok(out.as_str()), "not idempotent on {src:?}");
    assert_eq!(comments(src), comments(&out), "comments changed: {src:?} -> {out:?}");
    assert_eq!(codes(src), codes(&out), "diagnostics changed: {src:?} -> {out:?}");
    let before = Formula::compile(src);
    let after = Formula::compile(&out);
    assert_eq!(before.is_ok(), after.is_ok(), "{src:?} -> {out:?}");
    if let (Ok(before), Ok(after)) = (before, after) {
        let now = Timestamp(1_700_000_000 * 10_000_000);
        let mut metrics = MetricStore::new();
        for (i, metric) in Metric::ALL.iter().enumerate().take(6) {
            let history = metrics.history_mut(*metric);
            for k in 0..40i64 {
                let _ = history.push(Timestamp(now.0 - (40 - k) * 300_000_000), ((k * 7 + i as i64) % 13) as f64);
            }
        }
        let ctx = EvalContext::new(now, &metrics);
        let (a, b) = (before.evaluate(&ctx).into_run(), after.evaluate(&ctx).into_run());
        assert_eq!(a.results, b.results, "{src:?} -> {out:?}");
        assert_eq!(
            a.error.as_ref().map(|e| e.code.clone()),
            b.error.as_ref().map(|e| e.code.clone()),
            "{src:?} -> {out:?}"
        );
    }
});
