//! Evaluation semantics beyond the conformance cases, table-driven.

use batch_autoscale::builtins::Metric;
use batch_autoscale::{evaluate_source, EvalContext, Formula, MetricStore, RandomSource, Timestamp, TraceEvent};
use std::str::FromStr;

fn now() -> Timestamp {
    Timestamp::from_str("2026-11-23T12:00:00Z").unwrap()
}

fn store(metric: Metric, values: &[f64]) -> MetricStore {
    let mut store = MetricStore::new();
    let h = store.history_mut(metric);
    let n = values.len() as i64;
    for (i, v) in values.iter().enumerate() {
        h.push(Timestamp(now().0 - (n - 1 - i as i64) * 300_000_000), *v).unwrap();
    }
    store
}

/// (formula, expected results string or the expected error code)
const CASES: &[(&str, &str)] = &[
    ("$TargetDedicated = 7; stop(); $TargetDedicatedNodes = 4;", "$TargetDedicatedNodes=7;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue"),
    ("$TargetDedicated = 3; $x = $TargetDedicatedNodes; $TargetDedicatedNodes = $x + 1;", "$TargetDedicatedNodes=4;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$x=3"),
    ("$NodeDeallocationOption = terminate; $NodeDeallocationOption = $NodeDeallocationOption; $TargetDedicatedNodes = 1;", "$TargetDedicatedNodes=1;$TargetLowPriorityNodes=0;$NodeDeallocationOption=terminate"),
    ("$n = 0/0; $a = $n == $n; $b = $n != $n; $c = $n ? 1 : 2; $TargetDedicatedNodes = 0;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$a=0;$b=1;$c=1;$n=NaN"),
    ("$t = time(\"\") == time(); $TargetDedicatedNodes = $t;", "$TargetDedicatedNodes=1;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$t=1"),
    ("$v = $ActiveTasks.GetSample(3) / 2; $w = val($v, 0/0); $TargetDedicatedNodes = 0;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$v=[1,1.5,2];$w=0"),
    ("$p = percentile($ActiveTasks.GetSample(3), 100); $q = percentile($ActiveTasks.GetSample(3), 0); $TargetDedicatedNodes = 0;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$p=4;$q=2"),
    ("$i = TimeInterval_Minute / 4; $j = TimeInterval_Second * 0.5; $TargetDedicatedNodes = 0;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$i=00:00:15;$j=00:00:00.5000000"),
    ("$x = lg(0); $y = ln(-1); $z = round(-2.5); $TargetDedicatedNodes = 0;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$x=-Infinity;$y=NaN;$z=-3"),
    ("$e = len(); $s = sum(); $n = norm(); $TargetDedicatedNodes = 0;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$e=0;$n=0;$s=0"),
    ("$x = 1; $TargetDedicatedNodes = $x > 0 ? \"s\" : 1;", "AutoScalingFormulaEvaluationError"),
    ("$TargetDedicatedNodes = 1/0;", "AutoScalingFormulaEvaluationError"),
    ("$TargetDedicatedNodes = percentile($ActiveTasks.GetSample(3), 101);", "AutoScalingFormulaEvaluationError"),
    ("$t = time(\"9999-12-31T23:00:00Z\") + TimeInterval_Day; $TargetDedicatedNodes = 0;", "AutoScalingFormulaEvaluationError"),
    ("$h = $RunningTasks.HistoryBeginTime(); $TargetDedicatedNodes = 0;", "AutoScalingFormulaEvaluationError"),
    ("$v = $RunningTasks.GetSample(TimeInterval_Minute * 5); $TargetDedicatedNodes = 0;", "InsufficientSampleData"),
    ("$v = $RunningTasks.GetSample(TimeInterval_Minute * 5, 0); $TargetDedicatedNodes = len($v);", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$v=[]"),
    // A constant variable is read as the constant its latest assignment stored.
    ("$w = 1; $a = $w; $w = $w + 1; $b = $w * 10 + $a; $w = TimeInterval_Minute; $c = $w * 2; $TargetDedicatedNodes = $b;", "$TargetDedicatedNodes=21;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$a=1;$b=21;$c=00:02:00;$w=00:01:00"),
    // A variable that changes kind between statements: each read sees the latest assignment.
    ("$x = 2; $x = $ActiveTasks.GetSample(3); $y = avg($x); $x = $y * 2; $TargetDedicatedNodes = $x > 5 ? $x : 0;", "$TargetDedicatedNodes=6;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$x=6;$y=3"),
    ("$x = \"a\"; $x = $x == \"a\"; $TargetDedicatedNodes = $x + 1;", "$TargetDedicatedNodes=2;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$x=1"),
    ("$x = 1; $x = $x > 0 ? $ActiveTasks.GetSample(2) : 0; $TargetDedicatedNodes = sum($x, 1, max($x));", "$TargetDedicatedNodes=12;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$x=[3,4]"),
    // One-argument aggregates of a value that is a double at run time fold it like a list
    // of one: `sum` starts from +0, so the sign of -0 is lost there but not in `max`.
    ("$x = 1 < 2 ? -0 : \"s\"; $s = 1 / sum($x); $m = 1 / max($x); $a = 1 / avg($x); $TargetDedicatedNodes = 0;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$a=Infinity;$m=-Infinity;$s=Infinity;$x=0"),
    ("$x = 1 < 2 ? $ActiveTasks.GetSample(0) : 1; $m = max($x); $TargetDedicatedNodes = 0;", "AutoScalingFormulaEvaluationError"),
    // D45: a NaN anywhere makes `max` and `min` NaN, whatever the argument order.
    ("$m = max(0/0, 1); $n = min(1, 0/0); $TargetDedicatedNodes = 0;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$m=NaN;$n=NaN"),
    // Doubles through `?:`, `&&`, `||`, `!` and unary minus, nested: NaN is true as a
    // condition (D36) but `-NaN <= 3` is false, so `||` is 0 and the else branch runs.
    ("$a = 0/0; $b = ($a && 1) ? -max(1, 2) : 0; $TargetDedicatedNodes = -$b;", "$TargetDedicatedNodes=2;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$a=NaN;$b=-2"),
    ("$a = 0/0; $b = !(1 < 2) || ($a && -$a <= 3) ? -max(1, 2) : min(len(), 4); $TargetDedicatedNodes = -$b;", "$TargetDedicatedNodes=0;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$a=NaN;$b=0"),
    ("$x = 1; $TargetDedicatedNodes = $x ? \"s\" : 2;", "AutoScalingFormulaEvaluationError"),
    (
        "$a = $ActiveTasks.GetSample(time() + (-61 * TimeInterval_Second), time() + (-1 * TimeInterval_Second), 0); $TargetDedicatedNodes = len($a);",
        "$TargetDedicatedNodes=2;$TargetLowPriorityNodes=0;$NodeDeallocationOption=requeue;$a=[2,3]",
    ),
];

#[test]
fn table() {
    let metrics = store(Metric::ActiveTasks, &[2.0, 3.0, 4.0]);
    let ctx = EvalContext::new(now(), &metrics);
    let mut failures = Vec::new();
    for (src, expected) in CASES {
        let run = evaluate_source(src, &ctx);
        let got = match &run.error {
            Some(e) if !expected.starts_with('$') => e.code.clone(),
            Some(e) => format!("error {}: {:?}", e.code, e.values),
            None => run.results.clone(),
        };
        if got != *expected {
            failures.push(format!("{src}\n  got  {got}\n  want {expected}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seeded_random_is_reproducible_and_a_short_sequence_fails() {
    let metrics = MetricStore::new();
    let formula = Formula::compile("$a = rand(); $b = rand(); $TargetDedicatedNodes = 0;").unwrap();
    let mut ctx = EvalContext::new(now(), &metrics);
    ctx.random = RandomSource::Seeded(42);
    let first = formula.evaluate(&ctx).into_run().results;
    assert_eq!(first, formula.evaluate(&ctx).into_run().results);
    ctx.random = RandomSource::Seeded(43);
    assert_ne!(first, formula.evaluate(&ctx).into_run().results);
    let a = formula.evaluate(&ctx).variable("$a").unwrap().number.unwrap();
    assert!((0.0..1.0).contains(&a));
    ctx.random = RandomSource::Sequence(vec![0.5]);
    let run = formula.evaluate(&ctx).into_run();
    assert_eq!(run.error.unwrap().values[0].value.split(':').next().unwrap(), "Line 1, Col 19");
}

#[test]
fn trace_records_branches_and_sample_counts() {
    let metrics = store(Metric::PendingTasks, &[1.0, 2.0, 3.0]);
    let formula = Formula::compile(
        "$p = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);\n$t = $p < 70 ? max(0, $PendingTasks.GetSample(5)) : avg($PendingTasks.GetSample(TimeInterval_Minute * 15));\n$TargetDedicatedNodes = $t;",
    )
    .unwrap();
    let evaluation = formula.evaluate_traced(&EvalContext::new(now(), &metrics));
    let samples: Vec<_> = evaluation
        .trace
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Samples {
                returned,
                requested,
                expected,
                ..
            } => Some((*returned, *requested, *expected)),
            _ => None,
        })
        .collect();
    // The window saw 3 of 30; the count form asked for 5 and got the 3 there are.
    assert_eq!(samples, vec![(3, None, Some(30)), (3, Some(5), None)]);
    assert!(evaluation
        .trace
        .iter()
        .any(|e| matches!(e, TraceEvent::Branch { taken_then: true, .. })));
    let statements = evaluation
        .trace
        .iter()
        .filter(|e| matches!(e, TraceEvent::Statement { .. }))
        .count();
    assert_eq!(statements, 3);
    assert!(formula.evaluate(&EvalContext::new(now(), &metrics)).trace.is_empty());
}

#[test]
fn error_positions_count_characters_and_crlf_once() {
    let metrics = MetricStore::new();
    let ctx = EvalContext::new(now(), &metrics);
    let run = evaluate_source(
        "// é😀\r\n$x = 1;\r\n  $v = avg($ActiveTasks.GetSample(5));\r\n$TargetDedicatedNodes = 1;",
        &ctx,
    );
    assert_eq!(run.error.unwrap().values[0].value.split(':').next().unwrap(), "Line 3, Col 8");
}

#[test]
fn evaluate_targets_agrees_with_evaluate() {
    let metrics = store(Metric::PendingTasks, &[5.0, 9.0, 30.0]);
    let ctx = EvalContext::new(now(), &metrics);
    for src in [
        "$TargetDedicatedNodes = max($PendingTasks.GetSample(3)); $TargetLowPriorityNodes = -3; $NodeDeallocationOption = taskcompletion;",
        "$TargetDedicatedNodes = avg($PendingTasks.GetSample(TimeInterval_Hour));",
        "$TargetLowPriorityNodes = 2.9;",
        // D42, D51: non-double values before the last write; reads through either name.
        "$TargetDedicated = \"x\"; $TargetDedicatedNodes = 4; $TargetDedicated = 9; $TargetLowPriorityNodes = $TargetDedicatedNodes;",
        "$TargetLowPriority = TimeInterval_Minute; $TargetLowPriorityNodes = 100000000000000000000;",
        "$TargetDedicatedNodes = \"x\"; stop(); $TargetDedicatedNodes = 1;",
    ] {
        let formula = Formula::compile(src).unwrap();
        let full = formula.evaluate(&ctx);
        assert_eq!(formula.evaluate_targets(&ctx).ok(), full.outcome.ok(), "{src}");
    }
}

/// The double-only path (`$x < 70` compiled for doubles) and the general path (operands whose
/// kind is only known at run time) give the same result for every operator and awkward values.
#[test]
fn double_only_and_general_operators_agree() {
    let metrics = MetricStore::new();
    let ctx = EvalContext::new(now(), &metrics);
    let values = ["0", "-0", "1.5", "-2", "0/0", "1/0", "-1/0", "3"];
    for op in ["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!="] {
        for a in values {
            for b in values {
                // `$x` is a double that is not a constant (the pool's target is only known at run
                // time); `?:` with a string branch makes `$gx`'s kind unknown until run time.
                let src = format!(
                    "$one = $TargetDedicatedNodes + 1; $x = {a} * $one; $y = {b} * $one; $gx = 1 < 2 ? $x : \"s\"; $gy = 1 < 2 ? $y : \"s\"; $fast = 1 / ($x {op} $y); $general = 1 / ($gx {op} $gy); $TargetDedicatedNodes = 0;"
                );
                let run = evaluate_source(&src, &ctx);
                assert!(run.error.is_none(), "{src}: {:?}", run.error);
                let value = |name: &str| {
                    run.results
                        .split(';')
                        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                        .unwrap_or_else(|| panic!("{name} in {}", run.results))
                        .to_string()
                };
                // `1 / r` shows the sign of a zero result too.
                assert_eq!(value("$fast"), value("$general"), "{a} {op} {b}");
            }
        }
    }
}

/// `max`, `min` and `range` give the same result on every path — two doubles (the shortcut),
/// a list whose kinds are known only at run time, one vector (the shortcut) and a list of
/// vectors — for awkward values, and NaN wins in any position (D45).
#[test]
fn extremes_agree_on_every_path_and_nan_wins() {
    let metrics = MetricStore::new();
    let ctx = EvalContext::new(now(), &metrics);
    // Integral or non-finite, so `ceil` (which builds the vectors) leaves them unchanged.
    let values = ["0", "-0", "-2", "0/0", "1/0", "-1/0", "3"];
    for f in ["max", "min", "range"] {
        for a in values {
            for b in values {
                let src = format!(
                    "$one = $TargetDedicatedNodes + 1; $x = {a} * $one; $y = {b} * $one; $gx = 1 < 2 ? $x : \"s\"; $gy = 1 < 2 ? $y : \"s\"; \
                     $two = 1 / {f}($x, $y); $list = 1 / {f}($gx, $gy); $vec = 1 / {f}(ceil($x, $y)); $vecs = 1 / {f}(ceil($x), ceil($y)); $TargetDedicatedNodes = 0;"
                );
                let run = evaluate_source(&src, &ctx);
                assert!(run.error.is_none(), "{src}: {:?}", run.error);
                let value = |name: &str| {
                    run.results
                        .split(';')
                        .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                        .unwrap_or_else(|| panic!("{name} in {}", run.results))
                        .to_string()
                };
                let two = value("$two");
                for other in ["$list", "$vec", "$vecs"] {
                    assert_eq!(value(other), two, "{f}({a}, {b}): {other}");
                }
                if a == "0/0" || b == "0/0" {
                    assert_eq!(two, "NaN", "{f}({a}, {b})");
                }
            }
        }
    }
}

/// `GetSample(count)` takes the count truncated; NaN and counts below 1 give nothing,
/// `+Infinity` every visible sample (D41) — as a constant and as a run-time value.
#[test]
fn sample_count_edges_agree_constant_and_computed() {
    let metrics = store(Metric::ActiveTasks, &[2.0, 3.0, 4.0]);
    let ctx = EvalContext::new(now(), &metrics);
    for (count, want) in [
        ("1 / 0", 3),
        ("0 / 0", 0),
        ("-1 / 0", 0),
        ("0.999", 0),
        ("1", 1),
        ("2.9", 2),
        ("1000000", 3),
    ] {
        for src in [
            format!("$TargetDedicatedNodes = len($ActiveTasks.GetSample({count}));"),
            format!("$c = {count}; $TargetDedicatedNodes = len($ActiveTasks.GetSample($c + $TargetLowPriorityNodes));"),
        ] {
            let run = evaluate_source(&src, &ctx);
            assert!(
                run.results.starts_with(&format!("$TargetDedicatedNodes={want};")),
                "{src}: {}",
                run.results
            );
        }
    }
}

/// D52: no operation builds a doubleVec past 2,097,152 elements, and the error names the
/// limit; the 624-byte formula now fails in well under a second instead of
/// allocating gigabytes.
#[test]
fn vectors_are_bounded_before_they_are_built() {
    let metrics = MetricStore::new();
    let ctx = EvalContext::new(now(), &metrics);
    let tens = |v: &str| [v; 10].join(", ");
    let src = format!(
        "v0 = ceil(1, 1); v1 = ceil({}); v2 = ceil({}); v3 = ceil({}); v4 = ceil({}); v5 = ceil({}); v6 = ceil({}); v7 = ceil({}); v8 = ceil({}); v9 = ceil({}); $TargetDedicatedNodes = len(v9);",
        tens("v0"),
        tens("v1"),
        tens("v2"),
        tens("v3"),
        tens("v4"),
        tens("v5"),
        tens("v6"),
        tens("v7"),
        tens("v8")
    );
    let started = std::time::Instant::now();
    let run = evaluate_source(&src, &ctx);
    let error = run.error.expect("an error");
    assert_eq!(error.code, "AutoScalingFormulaEvaluationError");
    assert!(error.values[0].value.contains("2,097,152"), "{}", error.values[0].value);
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    // Every builder of vectors: element-wise functions, lists, and arithmetic keeps lengths.
    let big = "v = ceil(1, 1); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v); v = ceil(v, v);";
    for (tail, ok) in [
        ("w = v * 2; n = len(w);", true),
        ("n = sum(v);", true),
        ("n = len(v, 1);", false),
        ("n = max(v, v);", false),
        ("w = floor(v, 1);", false),
        ("w = round(1, v);", false),
    ] {
        let src = format!("{big} {tail} v = 0; w = 0; $TargetDedicatedNodes = 1;");
        let run = evaluate_source(&src, &ctx);
        assert_eq!(run.error.is_none(), ok, "{tail}: {:?}", run.error);
    }
}

/// D52 also bounds what a sample method returns: a history longer than the limit can be
/// counted and sampled in part, but not returned whole.
#[test]
fn sample_methods_return_at_most_the_vector_limit() {
    let mut metrics = MetricStore::new();
    let h = metrics.history_mut(Metric::CpuPercent);
    let n: i64 = 2_097_152 + 1; // one more than the vector limit of D52
    for i in 0..n {
        h.push(Timestamp(now().0 - (n - 1 - i) * 300_000_000), 1.0).unwrap();
    }
    let ctx = EvalContext::new(now(), &metrics);
    for (src, ok) in [
        ("$TargetDedicatedNodes = $CPUPercent.Count();", true),
        ("$TargetDedicatedNodes = len($CPUPercent.GetSample(2097152));", true),
        ("$TargetDedicatedNodes = len($CPUPercent.GetSample(1 / 0));", false),
        (
            "$TargetDedicatedNodes = len($CPUPercent.GetSample(TimeInterval_Year * 3, 0));",
            false,
        ),
        ("$TargetDedicatedNodes = $CPUPercent.GetSamplePercent(TimeInterval_Year * 3);", true),
    ] {
        let run = evaluate_source(src, &ctx);
        assert_eq!(run.error.is_none(), ok, "{src}: {:?}", run.error);
        if !ok {
            assert!(run.error.unwrap().values[0].value.contains("2,097,152"), "{src}");
        }
    }
}
