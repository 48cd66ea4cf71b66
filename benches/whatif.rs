//! Replay of one year of 30-second samples of five metrics at PT5M (105,120 evaluations) with
//! the docs' task-based formula. Run: `cargo bench --bench whatif`.

use std::hint::black_box;

use batch_autoscale::builtins::Metric;
use batch_autoscale::data::MetricData;
use batch_autoscale::time::{parse_iso8601_duration, parse_rfc3339};
use batch_autoscale::whatif::{replay, ReplayConfig};
use batch_autoscale::{Formula, MetricStore, Timestamp};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const FORMULA: &str = "$samples = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);
$tasks = $samples < 70 ? max(0,$PendingTasks.GetSample(1)) : max( $PendingTasks.GetSample(1), avg($PendingTasks.GetSample(TimeInterval_Minute * 15)));
$targetVMs = $tasks > 0? $tasks:max(0, $TargetDedicatedNodes/2);
$TargetDedicatedNodes = max(0, min($targetVMs, 20));
$NodeDeallocationOption = taskcompletion;";

/// One year of samples every 30 s for five metrics (5 × 1,051,200 samples).
pub fn year(start: Timestamp) -> MetricData {
    let mut metrics = MetricStore::new();
    let n: i64 = 365 * 24 * 120;
    for (k, metric) in [
        Metric::PendingTasks,
        Metric::ActiveTasks,
        Metric::RunningTasks,
        Metric::CpuPercent,
        Metric::SucceededTasks,
    ]
    .into_iter()
    .enumerate()
    {
        let h = metrics.history_mut(metric);
        for i in 0..n {
            // A daily cycle with noise, and a missing sample now and then.
            if (i + k as i64) % 97 == 0 {
                continue;
            }
            let minute_of_day = (i / 2) % 1440;
            let value = ((minute_of_day as f64 / 1440.0 * std::f64::consts::TAU).sin() * 40.0 + 40.0 + ((i * 7919) % 13) as f64).round();
            h.push(Timestamp(start.0 + i * 300_000_000), value).unwrap();
        }
    }
    MetricData {
        metrics,
        first: Some(start),
        last: Some(Timestamp(start.0 + (n - 1) * 300_000_000)),
        ..MetricData::default()
    }
}

fn whatif(c: &mut Criterion) {
    let start = parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
    let data = year(start);
    let formula = Formula::compile(FORMULA).unwrap();
    let mut config = ReplayConfig::new(start, Timestamp(start.0 + 365 * 86_400 * 10_000_000 - 1));
    config.interval = parse_iso8601_duration("PT5M").unwrap();
    let evaluations = replay(&formula, &data, &config).unwrap().summary.evaluations;
    assert_eq!(evaluations, 105_120);
    let mut g = c.benchmark_group("whatif");
    g.sample_size(10);
    g.throughput(Throughput::Elements(evaluations));
    g.bench_function("replay-year-PT5M-task-based", |b| {
        b.iter(|| replay(&formula, black_box(&data), &config).unwrap())
    });
    g.finish();
}

criterion_group!(benches, whatif);
criterion_main!(benches);
