//! The docs' task-based formula over the same 15-minute windows, evaluated by batch-autoscale,
//! rhai, cel-interpreter and a hand-written Rust function (the floor).
//! Run: `cargo bench --bench compare`.

#[path = "equivalents/mod.rs"]
mod equivalents;

use std::hint::black_box;
use std::str::FromStr;

use batch_autoscale::{Formula, Timestamp};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use equivalents::*;

fn compare(c: &mut Criterion) {
    let end = Timestamp::from_str("2026-11-23T12:00:00Z").unwrap();
    // A week of samples; evaluations at many times within the last day (full windows).
    let store = history(end, 7 * 2880, false);
    let times: Vec<Timestamp> = (0..1024).map(|k| Timestamp(end.0 - k * 600_000_000)).collect();
    let formula = Formula::compile(FORMULA).unwrap();
    let rhai = Rhai::new();
    let cel = Cel::new();
    for &t in times.iter().take(64) {
        let want = hand_written(&store, t, 3.0);
        assert_eq!(ours(&formula, &store, t, 3.0), want);
        assert_eq!(rhai.eval(&store, t, 3.0), want);
        assert_eq!(cel.eval(&store, t, 3.0), want);
    }
    let mut g = c.benchmark_group("compare/task-based-formula");
    g.throughput(Throughput::Elements(1));
    let mut k = 0usize;
    let mut next = || {
        k = (k + 1) & 1023;
        times[k]
    };
    g.bench_function("batch-autoscale", |b| b.iter(|| ours(&formula, &store, black_box(next()), 3.0)));
    g.bench_function("hand-written", |b| b.iter(|| hand_written(&store, black_box(next()), 3.0)));
    g.bench_function("rhai", |b| b.iter(|| rhai.eval(&store, black_box(next()), 3.0)));
    g.bench_function("cel-interpreter", |b| b.iter(|| cel.eval(&store, black_box(next()), 3.0)));
    g.finish();
}

criterion_group!(benches, compare);
criterion_main!(benches);
