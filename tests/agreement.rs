//! The evaluation paths agree (issue 10, item 3): over random well-formed formulas (metrics,
//! sample methods, vectors, ternaries, `stop()`, run-time errors) and random contexts,
//! `evaluate_targets` (replay's fast path), `evaluate` and `evaluate_traced` give the same
//! targets, error code and error message; and a replay's rows are the same with and without
//! `--columns` (the columns ask for the general path).

use batch_autoscale::parse_csv;
use batch_autoscale::whatif::{replay, ReplayConfig, ReplayRow};
use batch_autoscale::{ContextSpec, Formula, Timestamp};
use proptest::prelude::*;

/// A small deterministic random source for the generators (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// The metrics the generated formulas read; `$FailedTasks` never has samples in the contexts.
const METRICS: [&str; 4] = ["$PendingTasks", "$CPUPercent", "$ActiveTasks", "$FailedTasks"];

/// Builds a random formula whose every statement type-checks.
struct FormulaGen {
    rng: Rng,
    /// Assigned user variables holding a double, a vector, an interval, or a double or a vector.
    nums: Vec<String>,
    vecs: Vec<String>,
    intervals: Vec<String>,
    mixed: Vec<String>,
}

impl FormulaGen {
    fn metric(&mut self) -> &'static str {
        METRICS[self.rng.below(METRICS.len())]
    }

    fn num(&mut self, depth: u32) -> String {
        let r = &mut self.rng;
        if depth == 0 || r.below(3) == 0 {
            return match r.below(12) {
                0 => r.pick(&["0", "1", "2", "0.5", "-3", "70", "100", "1e308", "3.7", "-0"]).to_string(),
                1 => r
                    .pick(&["$CurrentDedicatedNodes", "$CurrentLowPriorityNodes", "$TaskSlotsPerNode"])
                    .to_string(),
                2 => r
                    .pick(&["$TargetDedicatedNodes", "$TargetLowPriorityNodes", "$TargetDedicated"])
                    .to_string(),
                3 => self.metric().to_string(),
                4 => format!("time().{}", r.pick(&["hour", "weekday", "minute", "year"])),
                5 => format!("{}.Count()", self.metric()),
                6 => {
                    let (m, w) = (self.metric(), self.interval(depth.saturating_sub(1)));
                    format!("{m}.GetSamplePercent({w})")
                }
                7 => "rand()".to_string(),
                8 if !self.nums.is_empty() => self.nums[r.below(self.nums.len())].clone(),
                _ => r.pick(&["1", "5", "20", "0.25"]).to_string(),
            };
        }
        let d = depth - 1;
        match self.rng.below(12) {
            0 | 1 => {
                let op = self.rng.pick(&["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||"]);
                format!("({} {op} {})", self.num(d), self.num(d))
            }
            2 => format!("{}{}", self.rng.pick(&["-", "!"]), self.num(d)),
            3 => format!("({} ? {} : {})", self.num(d), self.num(d), self.num(d)),
            4 | 5 => {
                let f = self.rng.pick(&["max", "min", "avg", "sum", "len", "range", "std", "norm"]);
                let list = self.list(d);
                format!("{f}({list})")
            }
            6 => {
                let f = self.rng.pick(&["percentile", "val"]);
                format!("{f}({}, {})", self.vec(d), self.num(d))
            }
            7 => format!("{}({})", self.rng.pick(&["lg", "ln", "log", "ceil", "floor", "round"]), self.num(d)),
            8 => {
                let op = self.rng.pick(&["<", ">=", "==", "!="]);
                format!("({} {op} {})", self.interval(d), self.interval(d))
            }
            9 => format!(
                "(\"{}\" < \"{}\")",
                self.rng.pick(&["a", "b", "é"]),
                self.rng.pick(&["a", "b", "z"])
            ),
            10 => format!("((time() - time(\"2026-11-23T00:00:00Z\")) > {})", self.interval(d)),
            _ => format!("({} * {})", self.num(d), self.num(d)),
        }
    }

    fn vec(&mut self, depth: u32) -> String {
        let d = depth.saturating_sub(1);
        let m = self.metric();
        match self.rng.below(if depth == 0 { 4 } else { 11 }) {
            0 => format!("{m}.GetSample({})", self.rng.pick(&["1", "3", "10", "0", "200"])),
            1 => format!("{m}.GetSample({})", self.interval(d)),
            2 => format!("{m}.GetSample({}, {})", self.interval(d), self.rng.pick(&["0", "50", "100"])),
            3 if !self.vecs.is_empty() => self.vecs[self.rng.below(self.vecs.len())].clone(),
            3 => format!("{m}.GetSample(2)"),
            4 => format!("{m}.GetSample({}, {})", self.interval(d), self.interval(d)),
            5 => format!("{m}.GetSample({}, {}, {})", self.interval(d), self.interval(d), self.num(d)),
            6 => format!("({} {} {})", self.vec(d), self.rng.pick(&["+", "-", "*", "/"]), self.num(d)),
            7 => format!("({} {} {})", self.vec(d), self.rng.pick(&["+", "*"]), self.vec(d)),
            8 => format!("{}({})", self.rng.pick(&["lg", "round", "ceil"]), self.vec(d)),
            9 => format!("round({}, {})", self.num(d), self.vec(d)),
            _ => format!("({} ? {} : {})", self.num(d), self.vec(d), self.vec(d)),
        }
    }

    fn interval(&mut self, depth: u32) -> String {
        let d = depth.saturating_sub(1);
        match self.rng.below(if depth == 0 { 3 } else { 7 }) {
            0 => format!(
                "{} * {}",
                self.rng.pick(&["TimeInterval_Minute", "TimeInterval_Second", "TimeInterval_Hour"]),
                self.rng.pick(&["1", "5", "15", "0.5", "60"])
            ),
            1 if !self.intervals.is_empty() => self.intervals[self.rng.below(self.intervals.len())].clone(),
            1 | 2 => self
                .rng
                .pick(&["TimeInterval_Minute", "TimeInterval_Zero", "TimeInterval_Week"])
                .to_string(),
            3 => format!("({} + {})", self.interval(d), self.interval(d)),
            4 => format!("({} - {})", self.interval(d), self.interval(d)),
            5 => format!("(-{})", self.interval(d)),
            _ => format!("({} * {})", self.num(d), self.interval(d)),
        }
    }

    /// The arguments of an aggregate: doubles, vectors and variables holding either.
    fn list(&mut self, depth: u32) -> String {
        let n = 1 + self.rng.below(3);
        let items: Vec<String> = (0..n)
            .map(|_| match self.rng.below(4) {
                0 | 1 => self.num(depth),
                2 if !self.mixed.is_empty() => self.mixed[self.rng.below(self.mixed.len())].clone(),
                _ => self.vec(depth),
            })
            .collect();
        items.join(", ")
    }

    fn formula(seed: u64) -> String {
        let mut g = FormulaGen {
            rng: Rng(seed),
            nums: Vec::new(),
            vecs: Vec::new(),
            intervals: Vec::new(),
            mixed: Vec::new(),
        };
        let mut out = Vec::new();
        let a = g.num(2);
        out.push(format!("$a = {a};"));
        g.nums.push("$a".into());
        let v = g.vec(2);
        out.push(format!("$v = {v};"));
        g.vecs.push("$v".into());
        let w = g.interval(1);
        out.push(format!("$w = {w};"));
        g.intervals.push("$w".into());
        let (c, x, y) = (g.num(1), g.num(1), g.vec(1));
        out.push(format!("$m = {c} ? {x} : {y};"));
        g.mixed.push("$m".into());
        for i in 0..g.rng.below(4) {
            let statement = match g.rng.below(7) {
                0 | 1 => {
                    let value = g.num(3);
                    g.nums.push(format!("$x{i}"));
                    format!("$x{i} = {value};")
                }
                2 => format!("$TargetLowPriorityNodes = {};", g.num(2)),
                3 => format!("$TargetDedicated = {};", g.num(2)),
                4 => format!("$NodeDeallocationOption = {} ? taskcompletion : terminate;", g.num(2)),
                5 => format!("{} ? stop() : 0;", g.num(2)),
                _ => format!("$TargetLowPriorityNodes = {} ? {} : $m;", g.num(1), g.num(1)),
            };
            out.push(statement);
        }
        out.push(format!("$TargetDedicatedNodes = {};", g.num(3)));
        out.join("\n")
    }
}

/// A random context: the time, the pool, samples (some missing, some metrics empty), and a
/// seeded or listed random source.
fn context(seed: u64) -> ContextSpec {
    let mut r = Rng(seed ^ 0x5EED);
    let mut metrics = serde_json::Map::new();
    for m in &METRICS[..3] {
        let n = r.below(60);
        let values: Vec<serde_json::Value> = (0..n)
            .map(|_| match r.below(10) {
                0 => serde_json::Value::Null,
                1 => serde_json::json!(0.0),
                _ => serde_json::json!((r.below(2000) as f64) / 10.0),
            })
            .collect();
        let last = ["2026-11-23T12:00:00Z", "2026-11-23T11:58:00Z", "2026-11-23T11:00:00Z"][r.below(3)];
        metrics.insert(m.to_string(), serde_json::json!({"last": last, "values": values}));
    }
    let pool = serde_json::json!({
        "targetDedicatedNodes": r.below(5) as f64,
        "targetLowPriorityNodes": r.below(3) as f64,
        "currentDedicatedNodes": r.below(6) as f64,
        "currentLowPriorityNodes": r.below(2) as f64,
        "taskSlotsPerNode": 1 + r.below(4),
    });
    let now = ["2026-11-23T12:00:00Z", "2026-11-24T03:15:30Z"][r.below(2)];
    let delay = [0.0, 30.0, 90.0][r.below(3)];
    let mut spec = serde_json::json!({
        "now": now,
        "pool": pool,
        "metrics": metrics,
        "samplePublicationDelaySeconds": delay,
    });
    if r.below(2) == 0 {
        spec["random"] = serde_json::json!([0.25, 0.75]);
    } else {
        spec["seed"] = serde_json::json!(r.next() % 1000);
    }
    serde_json::from_value(spec).expect("a valid context")
}

/// The three paths on one formula and context.
fn assert_paths_agree(src: &str, formula: &Formula, spec: &ContextSpec) {
    let owned = spec.build(Timestamp(0)).expect("the context builds");
    let ctx = owned.as_context();
    let plain = formula.evaluate(&ctx);
    let traced = formula.evaluate_traced(&ctx);
    let targets = formula.evaluate_targets(&ctx);
    let run = plain.run();
    assert_eq!(run, traced.run(), "evaluate and evaluate_traced differ on\n{src}");
    // The compiler trusts the checker's types for its double-only path; a wrong type would
    // surface as this internal error in every path alike.
    if let Err(e) = &plain.outcome {
        assert!(!e.message.contains("internal error"), "{}\n{src}", e.message);
    }
    assert_eq!(plain.outcome, traced.outcome, "{src}");
    match targets {
        Ok(applied) => {
            assert_eq!(plain.outcome, Ok(applied), "evaluate_targets succeeded, evaluate did not:\n{src}");
            assert!(run.error.is_none(), "{src}");
        }
        Err(e) => {
            assert_eq!(
                plain.outcome.as_ref().err(),
                Some(&e),
                "evaluate_targets failed differently:\n{src}"
            );
            let run_error = run.error.as_ref().expect("the run has the error");
            assert_eq!(run_error.code, e.kind.code(), "{src}");
            let message = &run_error.values[0].value;
            assert!(
                message.starts_with("Line ") && message.ends_with(&e.message),
                "{message:?} vs {:?}\n{src}",
                e.message
            );
        }
    }
}

/// A small metric history (wide CSV) over two hours, every 30 s, with a gap.
fn history(seed: u64) -> String {
    let mut r = Rng(seed ^ 0xC5);
    let mut csv = String::from("timestamp,$PendingTasks,$CPUPercent,$ActiveTasks\n");
    for k in 0..240u32 {
        if (100..130).contains(&k) {
            continue; // a gap: windows there lack samples
        }
        let (h, m, s) = (10 + k / 120, (k / 2) % 60, (k % 2) * 30);
        let row = format!(
            "2026-11-23T{h:02}:{m:02}:{s:02}Z,{},{},{}\n",
            r.below(50),
            r.below(1000) as f64 / 10.0,
            r.below(20)
        );
        csv.push_str(&row);
    }
    csv
}

/// The fields of a row that do not depend on what was asked for.
fn row_key(r: &ReplayRow) -> impl PartialEq + std::fmt::Debug {
    (
        r.time,
        r.target_dedicated,
        r.target_low_priority,
        r.deallocation,
        r.current_dedicated,
        r.current_low_priority,
        r.error,
        r.error_message.clone(),
    )
}

fn assert_replays_agree(src: &str, formula: &Formula, seed: u64) {
    let data = parse_csv(&history(seed), "history.csv").expect("the history reads");
    let mut config = ReplayConfig::new(data.first.expect("samples"), data.last.expect("samples"));
    config.interval = batch_autoscale::TimeInterval::MINUTE.checked_mul_f64(5.0).expect("5 minutes");
    config.seed = seed;
    let fast = replay(formula, &data, &config).expect("the replay runs");
    config.columns = vec!["$a".to_string()];
    let general = replay(formula, &data, &config).expect("the replay runs");
    config.columns.clear();
    config.full_results = true;
    let full = replay(formula, &data, &config).expect("the replay runs");
    assert_eq!(fast.rows.len(), general.rows.len());
    for ((f, g), r) in fast.rows.iter().zip(&general.rows).zip(&full.rows) {
        assert_eq!(row_key(f), row_key(g), "rows differ with --columns:\n{src}");
        assert_eq!(row_key(f), row_key(r), "rows differ with full results:\n{src}");
    }
    assert_eq!(fast.summary, general.summary, "{src}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn the_three_evaluation_paths_agree(formula_seed in any::<u64>(), context_seed in any::<u64>()) {
        let src = FormulaGen::formula(formula_seed);
        // A generated formula can still be rejected (e.g. a constant the checker finds too
        // large); the generator test below bounds how often.
        if let Ok(formula) = Formula::compile(&src) {
            assert_paths_agree(&src, &formula, &context(context_seed));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn replay_rows_are_the_same_with_and_without_columns(formula_seed in any::<u64>(), seed in any::<u64>()) {
        let src = FormulaGen::formula(formula_seed);
        if let Ok(formula) = Formula::compile(&src) {
            assert_replays_agree(&src, &formula, seed);
        }
    }
}

/// The generator makes formulas that compile, and they reach successes, `stop()`, both error
/// codes, and errors of several kinds: the property above is not vacuous.
#[test]
fn the_generator_reaches_what_the_property_is_about() {
    let (mut compiled, mut ok, mut insufficient, mut other_errors) = (0, 0, 0, 0);
    let mut messages = std::collections::BTreeSet::new();
    for seed in 0..400u64 {
        let src = FormulaGen::formula(seed);
        let Ok(formula) = Formula::compile(&src) else { continue };
        compiled += 1;
        let owned = context(seed).build(Timestamp(0)).expect("the context builds");
        let evaluation = formula.evaluate(&owned.as_context());
        match &evaluation.outcome {
            Ok(_) => ok += 1,
            Err(e) if e.kind.code() == "InsufficientSampleData" => insufficient += 1,
            Err(e) => {
                other_errors += 1;
                messages.insert(e.message.split_whitespace().take(2).collect::<Vec<_>>().join(" "));
            }
        }
    }
    assert!(compiled >= 360, "only {compiled} of 400 generated formulas compile");
    assert!(
        ok >= 40 && insufficient >= 20 && other_errors >= 20,
        "{ok} ok, {insufficient} insufficient, {other_errors} other"
    );
    assert!(messages.len() >= 4, "too few kinds of error: {messages:?}");
}

/// Two-argument aggregates whose arguments are doubles or `GetSample` windows take a path of
/// their own (no values built, no general argument loop); the same call with each window
/// first stored in a variable takes the general loop. Both give the same bits, the same
/// errors, on NaN, ±0, ±infinity, empty and short windows, and windows without enough samples.
#[test]
fn two_argument_aggregates_agree_with_the_general_argument_loop() {
    let functions = ["max", "min", "avg", "sum", "len", "norm", "range"];
    let doubles = [
        "0",
        "-0",
        "3.5",
        "-2",
        "(0 / 0)",
        "($TaskSlotsPerNode * 0 / 0)",
        "(-lg(0))",
        "(-lg(0 * $TaskSlotsPerNode))",
        "lg(0)",
        "ln(-1)",
        "(-0 * $TaskSlotsPerNode)",
        "$PendingTasks.GetSamplePercent(TimeInterval_Minute * 5)",
    ];
    let windows = [
        "$PendingTasks.GetSample(1)",
        "$PendingTasks.GetSample(3)",
        "$FailedTasks.GetSample(1)",
        "$PendingTasks.GetSample(TimeInterval_Minute * 5)",
        "$PendingTasks.GetSample(TimeInterval_Minute * 5, 0)",
        "$FailedTasks.GetSample(TimeInterval_Minute * 5, 0)",
        "$FailedTasks.GetSample(TimeInterval_Minute * 5)",
    ];
    let contexts: Vec<ContextSpec> = [
        r#"{"now": "2026-11-23T12:00:00Z", "metrics": {"$PendingTasks": {"last": "2026-11-23T12:00:00Z", "values": [1, -0.0, 7, 0, 2.5, 9, 3, 3, 4, 5]}}}"#,
        r#"{"now": "2026-11-23T12:00:00Z", "metrics": {"$PendingTasks": {"last": "2026-11-23T11:58:00Z", "values": [-0.0, 0]}}}"#,
        r#"{"now": "2026-11-23T12:00:00Z", "metrics": {}}"#,
    ]
    .iter()
    .map(|c| serde_json::from_str(c).expect("a valid context"))
    .collect();
    let mut args: Vec<(String, Option<String>)> = Vec::new();
    for d in doubles {
        args.push((d.to_string(), None));
    }
    for w in windows {
        args.push((w.to_string(), Some(w.to_string())));
    }
    let (mut compared, mut failed) = (0, 0);
    for f in functions {
        for (a, a_window) in &args {
            for (b, b_window) in &args {
                if a_window.is_none() && b_window.is_none() {
                    continue;
                }
                // The special path: the windows in place.
                let special = format!("$r = {f}({a}, {b});\n$TargetDedicatedNodes = 1;");
                // The general loop: each window read into a variable first.
                let mut general = String::new();
                let left = match a_window {
                    Some(w) => {
                        general.push_str(&format!("$v1 = {w};\n"));
                        "$v1"
                    }
                    None => a.as_str(),
                };
                let right = match b_window {
                    Some(w) => {
                        general.push_str(&format!("$v2 = {w};\n"));
                        "$v2"
                    }
                    None => b.as_str(),
                };
                general.push_str(&format!("$r = {f}({left}, {right});\n$TargetDedicatedNodes = 1;"));
                let special_formula = Formula::compile(&special).unwrap_or_else(|e| panic!("{e}\n{special}"));
                let general_formula = Formula::compile(&general).unwrap_or_else(|e| panic!("{e}\n{general}"));
                for spec in &contexts {
                    let owned = spec.build(Timestamp(0)).expect("the context builds");
                    let ctx = owned.as_context();
                    let (s, g) = (special_formula.evaluate(&ctx), general_formula.evaluate(&ctx));
                    match (&s.outcome, &g.outcome) {
                        (Ok(_), Ok(_)) => {
                            let (x, y) = (s.variable("$r").expect("$r"), g.variable("$r").expect("$r"));
                            assert_eq!(x.value, y.value, "{special}\nvs\n{general}");
                            assert_eq!(x.number.map(f64::to_bits), y.number.map(f64::to_bits), "{special}\nvs\n{general}");
                        }
                        (Err(x), Err(y)) => {
                            assert_eq!((x.kind, &x.message), (y.kind, &y.message), "{special}\nvs\n{general}");
                            failed += 1;
                        }
                        _ => panic!(
                            "one fails, one does not: {:?} vs {:?}\n{special}\nvs\n{general}",
                            s.outcome, g.outcome
                        ),
                    }
                    // And every path of the special formula agrees with itself.
                    assert_paths_agree(&special, &special_formula, spec);
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 1000 && failed > 100, "{compared} compared, {failed} failed");
}

/// The untraced path's shortcuts agree with the general path: a constant
/// `$NodeDeallocationOption` (set without running its code, before or after `stop()`, assigned
/// twice), and targets applied as plain counts or not (negative, fractional, NaN, infinite,
/// huge, a vector, the legacy alias written after the canonical name).
#[test]
fn constant_deallocation_and_plain_targets_agree() {
    let formulas = [
        "$NodeDeallocationOption = taskcompletion; $TargetDedicatedNodes = 3;",
        "$NodeDeallocationOption = terminate; $NodeDeallocationOption = retaineddata; $TargetDedicatedNodes = 2.7;",
        "$TargetDedicatedNodes = 1; stop(); $NodeDeallocationOption = terminate;",
        "$NodeDeallocationOption = requeue; $x = $PendingTasks.GetSample(1); $TargetDedicatedNodes = 1;",
        "$NodeDeallocationOption = taskcompletion; 1 > 0 ? stop() : 0; $NodeDeallocationOption = terminate;",
        "$NodeDeallocationOption = 1 > 0 ? terminate : requeue; $TargetLowPriorityNodes = 4;",
        "$TargetDedicatedNodes = -3; $TargetLowPriorityNodes = 2;",
        "$TargetDedicatedNodes = -0; $TargetLowPriorityNodes = 0.5;",
        "$TargetDedicatedNodes = 0 / 0;",
        "$TargetDedicatedNodes = -lg(0);",
        "$TargetDedicatedNodes = 1e300; $TargetLowPriorityNodes = 9007199254740993;",
        "$TargetDedicatedNodes = $PendingTasks.GetSample(1);",
        "$TargetDedicatedNodes = 4; $TargetDedicated = 6;",
        "$TargetDedicated = 6; $TargetDedicatedNodes = 4;",
        "$TargetDedicatedNodes = 4; $TargetDedicated = -1;",
        "$TargetLowPriorityNodes = 1 > 0 ? $PendingTasks.GetSample(1) : 2; $TargetLowPriorityNodes = 3;",
    ];
    let contexts: Vec<ContextSpec> = [
        r#"{"now": "2026-11-23T12:00:00Z", "pool": {"targetDedicatedNodes": 5}, "metrics": {"$PendingTasks": {"last": "2026-11-23T12:00:00Z", "values": [1, 2]}}}"#,
        r#"{"now": "2026-11-23T12:00:00Z", "metrics": {}}"#,
    ]
    .iter()
    .map(|c| serde_json::from_str(c).expect("a valid context"))
    .collect();
    // A few may be rejected by the checker (a constant target it can tell is not a count).
    let mut compiled = 0;
    for src in formulas {
        let Ok(formula) = Formula::compile(src) else { continue };
        compiled += 1;
        for spec in &contexts {
            assert_paths_agree(src, &formula, spec);
        }
    }
    assert!(compiled >= 12, "only {compiled} of {} compile", formulas.len());
}
