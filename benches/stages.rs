//! Every stage on realistic formulas (0.1, 1 and 8 KB; the shipped examples): parse (with
//! the lexer), check, compile and one evaluation. Run: `cargo bench --bench stages`.

use std::hint::black_box;
use std::str::FromStr;

use batch_autoscale::builtins::Metric;
use batch_autoscale::{check, parse, EvalContext, Formula, MetricStore, Timestamp};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn formulas() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
    let mut out = Vec::new();
    for name in ["small", "medium", "large"] {
        let text = std::fs::read_to_string(format!("{root}benches/formulas/{name}.formula")).unwrap();
        out.push((format!("{name}-{}B", text.len()), text));
    }
    for name in ["task-based", "time-based"] {
        if let Ok(text) = std::fs::read_to_string(format!("{root}examples/{name}.formula")) {
            out.push((format!("example-{name}"), text));
        }
    }
    out
}

fn store(now: Timestamp) -> MetricStore {
    let mut store = MetricStore::new();
    for metric in [Metric::PendingTasks, Metric::RunningTasks, Metric::ActiveTasks] {
        let h = store.history_mut(metric);
        for i in (0..2880i64).rev() {
            h.push(Timestamp(now.0 - i * 300_000_000), (i % 37) as f64).unwrap();
        }
    }
    store
}

fn stages(c: &mut Criterion) {
    let now = Timestamp::from_str("2026-11-23T12:00:00Z").unwrap();
    let metrics = store(now);
    for (name, text) in formulas() {
        let mut g = c.benchmark_group(format!("stages/{name}"));
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function("parse", |b| b.iter(|| parse(black_box(&text))));
        g.bench_function("check", |b| b.iter(|| check(black_box(&text))));
        g.bench_function("compile", |b| b.iter(|| Formula::compile(black_box(&text)).unwrap()));
        let formula = Formula::compile(&text).unwrap();
        let mut ctx = EvalContext::new(now, &metrics);
        ctx.pool.task_slots_per_node = 4.0;
        g.throughput(Throughput::Elements(1));
        g.bench_function("evaluate", |b| b.iter(|| formula.evaluate(black_box(&ctx))));
        g.bench_function("evaluate_targets", |b| b.iter(|| formula.evaluate_targets(black_box(&ctx))));
        g.finish();
    }
}

criterion_group!(benches, stages);
criterion_main!(benches);
