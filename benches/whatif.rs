//! Replay of one year of 30-second samples of five metrics at PT5M (105,120 evaluations) with
//! the docs' task-based formula, and a closed-loop simulation of one week with 10,000 tasks
//! (the same formula at PT5M: 2,017 evaluations, 20,160 samples). Run:
//! `cargo bench --bench whatif` (or `-- simulate` for the simulation only).

use std::hint::black_box;

use batch_autoscale::builtins::Metric;
use batch_autoscale::data::MetricData;
use batch_autoscale::time::{parse_iso8601_duration, parse_rfc3339};
use batch_autoscale::whatif::{replay, simulate, ReplayConfig, SimulationConfig, Task, Workload};
use batch_autoscale::{Formula, MetricStore, TimeInterval, Timestamp};
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

/// 10,000 tasks over a week: a daily cycle (busy from 08:00 to 18:00) with a burst every
/// morning, 2 to 40 minutes each, one or two slots.
pub fn week_of_tasks(start: Timestamp) -> Workload {
    let week = 7 * 86_400 * 10_000_000i64;
    let mut tasks = Vec::with_capacity(10_000);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    while tasks.len() < 10_000 {
        let t = (next() % week as u64) as i64;
        let hour = (t / 36_000_000_000) % 24;
        let keep = if (8..18).contains(&hour) { 100 } else { 15 };
        if (next() % 100) as i64 >= keep {
            continue;
        }
        let burst = tasks.len() % 50 == 0;
        let count = if burst { 20 } else { 1 };
        for _ in 0..count.min(10_000 - tasks.len()) {
            tasks.push(Task {
                submit: Timestamp(start.0 + t),
                duration: TimeInterval::MINUTE.checked_mul_f64(2.0 + (next() % 38) as f64).unwrap(),
                slots: 1 + (next() % 2) as u32,
            });
        }
    }
    Workload::new(tasks).unwrap()
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

fn simulation(c: &mut Criterion) {
    let start = parse_rfc3339("2025-01-06T00:00:00Z").unwrap();
    let formula = Formula::compile(FORMULA).unwrap();
    let workload = week_of_tasks(start);
    let mut config = SimulationConfig::new(start, Timestamp(start.0 + 7 * 86_400 * 10_000_000));
    config.interval = parse_iso8601_duration("PT5M").unwrap();
    config.pool.task_slots_per_node = 4;
    let sim = simulate(&formula, &workload, &config).unwrap();
    assert_eq!(sim.summary.tasks.submitted, 10_000);
    assert_eq!(sim.summary.targets.evaluations, 2017);
    let mut g = c.benchmark_group("whatif");
    g.sample_size(10);
    g.throughput(Throughput::Elements(10_000));
    g.bench_function("simulate-week-10k-tasks-PT5M-task-based", |b| {
        b.iter(|| simulate(&formula, black_box(&workload), &config).unwrap())
    });
    g.finish();
}

criterion_group!(benches, whatif, simulation);
criterion_main!(benches);
