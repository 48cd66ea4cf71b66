//! The docs' task-based formula (LANGUAGE.md §8.9) written four ways, for the comparison bench
//! and its equivalence test: batch-autoscale itself, a rhai script, a CEL expression (with an
//! `avg` host function, as CEL has no fold) and a hand-written Rust function (the floor).
//!
//! rhai and CEL get the sample windows from the host as arrays, extracted from the same
//! `MetricStore` with the same rules (D22/D23); the extraction is part of each measured
//! evaluation, as it is part of batch-autoscale's.

#![allow(dead_code)]

use std::sync::Arc;

use batch_autoscale::builtins::Metric;
use batch_autoscale::{EvalContext, Formula, MetricStore, Timestamp};

/// The formula, verbatim from the docs (comments removed).
pub const FORMULA: &str = "$samples = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);
$tasks = $samples < 70 ? max(0,$PendingTasks.GetSample(1)) : max( $PendingTasks.GetSample(1), avg($PendingTasks.GetSample(TimeInterval_Minute * 15)));
$targetVMs = $tasks > 0? $tasks:max(0, $TargetDedicatedNodes/2);
$TargetDedicatedNodes = max(0, min($targetVMs, 20));
$NodeDeallocationOption = taskcompletion;";

const PERIOD: i64 = 30 * 10_000_000;
const WINDOW: i64 = 15 * 60 * 10_000_000;

/// What the host extracts for the scripts: the percentage of the 15-minute window, the last
/// sample (0 or 1 values) and the window's samples.
pub struct Windows<'a> {
    pub percent: f64,
    pub last: &'a [f64],
    pub window: &'a [f64],
}

/// Extract the windows as the service defines them (half-open window, 30 s period).
pub fn windows(store: &MetricStore, now: Timestamp) -> Windows<'_> {
    let h = store.history(Metric::PendingTasks);
    let visible = h.visible_count(now.0);
    let range = h.window(now.0 - WINDOW, now.0, visible);
    let expected = (WINDOW / PERIOD) as f64;
    Windows {
        percent: (range.len() as f64 / expected * 100.0).min(100.0),
        last: &h.values()[visible.saturating_sub(1)..visible],
        window: &h.values()[range],
    }
}

/// The floor: the same computation written by hand in Rust, lookups included.
pub fn hand_written(store: &MetricStore, now: Timestamp, target: f64) -> u64 {
    let w = windows(store, now);
    let tasks = if w.percent < 70.0 {
        w.last.iter().fold(0.0f64, |m, &x| if x > m { x } else { m })
    } else {
        let mut sum = 0.0;
        for &x in w.window {
            sum += x;
        }
        let avg = sum / w.window.len() as f64;
        w.last.iter().fold(avg, |m, &x| if x > m { x } else { m })
    };
    let vms = if tasks > 0.0 { tasks } else { (target / 2.0).max(0.0) };
    vms.clamp(0.0, 20.0).trunc() as u64
}

/// batch-autoscale.
pub fn ours(formula: &Formula, store: &MetricStore, now: Timestamp, target: f64) -> u64 {
    let mut ctx = EvalContext::new(now, store);
    ctx.pool.target_dedicated_nodes = target;
    formula.evaluate_targets(&ctx).map(|t| t.dedicated).unwrap_or(u64::MAX)
}

pub const RHAI_SCRIPT: &str = r#"
let tasks = if percent < 70.0 {
    let m = 0.0;
    for x in last { if x > m { m = x; } }
    m
} else {
    let s = 0.0;
    for x in window { s += x; }
    let m = s / window.len().to_float();
    for x in last { if x > m { m = x; } }
    m
};
let vms = if tasks > 0.0 { tasks } else { let h = target / 2.0; if h > 0.0 { h } else { 0.0 } };
let capped = if vms < 20.0 { vms } else { 20.0 };
if capped > 0.0 { capped } else { 0.0 }
"#;

/// rhai, compiled once.
pub struct Rhai {
    engine: rhai::Engine,
    ast: rhai::AST,
}

impl Rhai {
    pub fn new() -> Rhai {
        let engine = rhai::Engine::new();
        let ast = engine.compile(RHAI_SCRIPT).expect("the rhai script compiles");
        Rhai { engine, ast }
    }

    pub fn eval(&self, store: &MetricStore, now: Timestamp, target: f64) -> u64 {
        let w = windows(store, now);
        let mut scope = rhai::Scope::new();
        scope.push("percent", w.percent);
        scope.push(
            "last",
            w.last.iter().map(|&x| rhai::Dynamic::from_float(x)).collect::<rhai::Array>(),
        );
        scope.push(
            "window",
            w.window.iter().map(|&x| rhai::Dynamic::from_float(x)).collect::<rhai::Array>(),
        );
        scope.push("target", target);
        let v: f64 = self
            .engine
            .eval_ast_with_scope(&mut scope, &self.ast)
            .expect("the rhai script runs");
        v.trunc() as u64
    }
}

pub const CEL_EXPRESSION: &str = "max(0.0, min((percent < 70.0 ? max([0.0] + last) : max(last + [avg(window)])) > 0.0 ? (percent < 70.0 ? max([0.0] + last) : max(last + [avg(window)])) : max(0.0, target / 2.0), 20.0))";

fn cel_avg(cel_interpreter::extractors::Arguments(args): cel_interpreter::extractors::Arguments) -> cel_interpreter::ResolveResult {
    let items = match args.first() {
        Some(cel_interpreter::Value::List(items)) => items.clone(),
        _ => Arc::new(Vec::new()),
    };
    let mut sum = 0.0;
    for v in items.iter() {
        if let cel_interpreter::Value::Float(x) = v {
            sum += x;
        }
    }
    Ok(cel_interpreter::Value::Float(sum / items.len() as f64))
}

/// cel-interpreter, compiled once.
pub struct Cel {
    program: cel_interpreter::Program,
}

impl Cel {
    pub fn new() -> Cel {
        Cel {
            program: cel_interpreter::Program::compile(CEL_EXPRESSION).expect("the CEL expression compiles"),
        }
    }

    pub fn eval(&self, store: &MetricStore, now: Timestamp, target: f64) -> u64 {
        let w = windows(store, now);
        let mut ctx = cel_interpreter::Context::default();
        ctx.add_function("avg", cel_avg);
        let list = |xs: &[f64]| cel_interpreter::Value::List(Arc::new(xs.iter().map(|&x| cel_interpreter::Value::Float(x)).collect()));
        ctx.add_variable_from_value("percent", cel_interpreter::Value::Float(w.percent));
        ctx.add_variable_from_value("last", list(w.last));
        ctx.add_variable_from_value("window", list(w.window));
        ctx.add_variable_from_value("target", cel_interpreter::Value::Float(target));
        match self.program.execute(&ctx) {
            Ok(cel_interpreter::Value::Float(v)) => v.trunc() as u64,
            other => panic!("unexpected CEL result {other:?}"),
        }
    }
}

/// A week of `$PendingTasks` every 30 s ending at `end`, with a gap pattern and a burst shape.
pub fn history(end: Timestamp, samples: i64, gaps: bool) -> MetricStore {
    let mut store = MetricStore::new();
    let h = store.history_mut(Metric::PendingTasks);
    for i in (0..samples).rev() {
        if gaps && i % 7 == 3 {
            continue;
        }
        let k = samples - i;
        h.push(Timestamp(end.0 - i * PERIOD), ((k * 13) % 41) as f64).unwrap();
    }
    store
}
