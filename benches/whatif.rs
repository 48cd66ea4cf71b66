//! Replay of one year of 30-second samples of five metrics at PT5M (105,120 evaluations) with
//! the docs' task-based formula, and a closed-loop simulation of one week with 10,000 tasks
//! (the same formula at PT5M: 2,017 evaluations, 20,160 samples). Run:
//! `cargo bench --bench whatif` (or `-- simulate` for the simulation only).

#[path = "equivalents/mod.rs"]
mod equivalents;
#[path = "fixtures/mod.rs"]
mod fixtures;

use std::hint::black_box;
use std::str::FromStr;

use batch_autoscale::whatif::{replay, simulate, ReplayConfig, SimulationConfig};
use batch_autoscale::{Formula, Timestamp};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use equivalents::FORMULA;
use fixtures::{week_of_tasks, year};

fn whatif(c: &mut Criterion) {
    let start = Timestamp::from_str("2025-01-01T00:00:00Z").unwrap();
    let data = year(start);
    let formula = Formula::compile(FORMULA).unwrap();
    let mut config = ReplayConfig::new(start, Timestamp(start.0 + 365 * 86_400 * 10_000_000 - 1));
    config.interval = batch_autoscale::TimeInterval::from_str("PT5M").unwrap();
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
    let start = Timestamp::from_str("2025-01-06T00:00:00Z").unwrap();
    let formula = Formula::compile(FORMULA).unwrap();
    let workload = week_of_tasks(start);
    let mut config = SimulationConfig::new(start, Timestamp(start.0 + 7 * 86_400 * 10_000_000));
    config.interval = batch_autoscale::TimeInterval::from_str("PT5M").unwrap();
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
