//! Any formula that compiles evaluates without panicking, against a context with samples, at
//! a time taken from the input.
#![no_main]

use batch_autoscale::{builtins::Metric, EvalContext, Formula, MetricStore, Timestamp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 8 {
        return;
    }
    let (head, rest) = data.split_at(8);
    let Ok(src) = std::str::from_utf8(rest) else { return };
    let Ok(formula) = Formula::compile(src) else { return };
    let seconds = u64::from_le_bytes(head.try_into().unwrap()) % (100 * 365 * 86_400);
    let now = Timestamp(1_600_000_000 * 10_000_000 + seconds as i64 * 10_000_000);
    let mut metrics = MetricStore::new();
    for (i, metric) in Metric::ALL.iter().enumerate().take(6) {
        let history = metrics.history_mut(*metric);
        for k in 0..40i64 {
            let _ = history.push(Timestamp(now.0 - (40 - k) * 300_000_000), ((k * 7 + i as i64) % 13) as f64);
        }
    }
    let ctx = EvalContext::new(now, &metrics);
    let evaluation = formula.evaluate(&ctx);
    assert!(evaluation.run().results.starts_with("$TargetDedicatedNodes="));
});
