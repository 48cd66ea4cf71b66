//! Hostile inputs: no panic, no stack overflow, no unbounded time; limits give clear errors.

use batch_autoscale::builtins::Metric;
use batch_autoscale::{check, evaluate_source, parse, Code, EvalContext, Formula, MetricStore, Timestamp};
use std::str::FromStr;

fn codes(src: &str) -> Vec<Code> {
    check(src).diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code).collect()
}

#[test]
fn ten_thousand_nested_parentheses_are_refused_without_overflow() {
    let src = format!("$TargetDedicatedNodes = {}1{};", "(".repeat(10_000), ")".repeat(10_000));
    // Longer than 8192 characters: check refuses it by size alone.
    assert_eq!(codes(&src), vec![Code::FormulaTooLong]);
    // parse() does not look at the size: it must refuse the nesting, not overflow.
    let parsed = parse(&src);
    assert!(parsed.diagnostics.iter().any(|d| d.code == Code::NestingTooDeep));
    // Within the size limit, deep nesting is still refused cleanly.
    let src = format!("$x = {}1{};", "(".repeat(4000), ")".repeat(4000));
    assert!(codes(&src).contains(&Code::NestingTooDeep));
    let src = format!("$x = {}1;", "-".repeat(5000));
    assert!(codes(&src).contains(&Code::NestingTooDeep));
    let src = format!("$x = {}0;", "1 ? ".repeat(2000).replace("? ", "? 1 : "));
    let _ = check(&src);
}

#[test]
fn moderately_nested_formulas_are_fine() {
    let src = format!("$TargetDedicatedNodes = {}1{};", "(".repeat(40), ")".repeat(40));
    assert!(codes(&src).is_empty(), "{:?}", check(&src).diagnostics);
    let src = format!("$TargetDedicatedNodes = {}1;", "-".repeat(30));
    assert!(codes(&src).is_empty());
}

#[test]
fn a_ten_megabyte_formula_fails_fast_with_the_size_error() {
    let src = "$TargetDedicatedNodes = 1 + 1;\n".repeat(10 * 1024 * 1024 / 31);
    let started = std::time::Instant::now();
    let analysis = check(&src);
    assert_eq!(analysis.diagnostics.len(), 1);
    assert_eq!(analysis.diagnostics[0].code, Code::FormulaTooLong);
    // Not a timing assertion of performance, only a guard against "parses 10 MB first".
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let ctx_metrics = MetricStore::new();
    let run = evaluate_source(&src, &EvalContext::new(Timestamp(0), &ctx_metrics));
    assert_eq!(run.error.unwrap().code, "AutoScaleFormulaTooLong");
}

#[test]
fn the_size_limit_counts_utf16_units() {
    let base = "$TargetDedicatedNodes = 1;\n//";
    let ok = format!("{base}{}", "é".repeat(8192 - base.len()));
    assert!(!codes(&ok).contains(&Code::FormulaTooLong));
    let too_long = format!("{ok}é");
    assert_eq!(codes(&too_long), vec![Code::FormulaTooLong]);
    // An emoji is two UTF-16 units.
    let emoji = format!("{base}{}", "😀".repeat((8192 - base.len()) / 2 + 1));
    assert_eq!(codes(&emoji), vec![Code::FormulaTooLong]);
}

#[test]
fn more_than_one_hundred_statements_is_an_error() {
    let ok = "$x = 1;".repeat(100);
    assert!(!codes(&ok).contains(&Code::TooManyStatements));
    let too_many = "$x = 1;".repeat(101);
    assert!(codes(&too_many).contains(&Code::TooManyStatements));
    // Empty statements do not count (D4).
    let with_empties = format!("{};;;;", "$x = 1;".repeat(100));
    assert!(!codes(&with_empties).contains(&Code::TooManyStatements));
}

#[test]
fn huge_literals_unterminated_strings_and_random_bytes() {
    let huge = format!("$TargetDedicatedNodes = {};", "9".repeat(1000));
    assert_eq!(codes(&huge), vec![Code::NumberTooLarge]);
    assert_eq!(codes("$t = time(\"2024-01-01T00:00:00Z);"), vec![Code::UnterminatedString]);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..200 {
        let bytes: Vec<u8> = (0..300)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state & 0xff) as u8
            })
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        let analysis = check(&text);
        assert!(analysis.has_errors());
    }
}

#[test]
fn get_sample_over_a_year_of_samples() {
    let mut metrics = MetricStore::new();
    let start = Timestamp::from_str("2025-01-01T00:00:00Z").unwrap();
    let period = 30 * 10_000_000i64;
    let n = 365 * 24 * 120;
    let history = metrics.history_mut(Metric::PendingTasks);
    for i in 0..n {
        history.push(Timestamp(start.0 + i as i64 * period), (i % 50) as f64).unwrap();
    }
    let now = Timestamp(start.0 + n as i64 * period);
    let formula = Formula::compile(
        "$all = $PendingTasks.GetSample(TimeInterval_Year, 0); $n = len($all); $avg = avg($all); $c = $PendingTasks.Count(); $TargetDedicatedNodes = min(10, $avg);",
    )
    .unwrap();
    let evaluation = formula.evaluate(&EvalContext::new(now, &metrics));
    assert!(evaluation.outcome.is_ok(), "{:?}", evaluation.outcome);
    assert_eq!(evaluation.variable("$n").unwrap().number, Some(n as f64 - 1.0));
    assert_eq!(evaluation.variable("$c").unwrap().number, Some(n as f64));
}

#[test]
fn three_independent_mistakes_give_three_diagnostics() {
    let src = "$a = 1 +;\n$b = max(1,, 2);\n$c = (3 * );\n$TargetDedicatedNodes = $a;";
    let errors: Vec<_> = parse(src).diagnostics.into_iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    let lines: Vec<u32> = errors
        .iter()
        .map(|d| batch_autoscale::LineIndex::new(src).line_col(d.span.start as usize).line)
        .collect();
    assert_eq!(lines, vec![1, 2, 3]);
}

#[test]
fn long_tokens_need_no_stack() {
    // Every token kind stretched to the size limit, lexed and checked on a small stack.
    let long = 8000;
    let inputs = vec![
        format!("$x = 1;\n//{}", "é".repeat(long)),
        format!("$x = \"{}\";", "é".repeat(long)),
        format!("$x = '{}", "😀".repeat(long / 2)),
        format!("$x{} = 1;", "a".repeat(long)),
        format!("$x = {};", "7".repeat(long)),
        format!("$x = {}1;", " \t\r\n".repeat(long / 4)),
        format!("$x = {};", "é".repeat(long)),
        format!("$x = 1{};", ".5".repeat(long / 2)),
    ];
    for src in inputs {
        let handle = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let _ = check(&src);
            })
            .unwrap();
        assert!(handle.join().is_ok());
    }
}

/// Run `f` on a thread with a small stack (256 KiB, far less than any real thread has).
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(f)
        .unwrap()
        .join()
        .expect("no stack overflow, no panic");
}

#[test]
fn the_deepest_formulas_within_the_limits_work_on_a_small_stack() {
    on_small_stack(|| {
        let shapes = [
            format!("a = 1; $TargetDedicatedNodes = {};", vec!["a"; 4_080].join("+")),
            format!("$TargetDedicatedNodes = {};", vec!["1"; 4_080].join("*")),
            format!("a = 1; $TargetDedicatedNodes = {};", vec!["-a"; 2_700].join("+")),
            format!("$TargetDedicatedNodes = (time(){}) * 0 + 1;", ".hour".repeat(1_600)),
        ];
        for src in &shapes {
            assert!(src.len() <= 8192, "{}", src.len());
            let analysis = check(src);
            assert!(!analysis.diagnostics.iter().any(|d| d.code == Code::NestingTooDeep));
            let _ = batch_autoscale::format(src);
            if let Ok(formula) = Formula::compile(src) {
                let metrics = MetricStore::new();
                let run = formula.evaluate(&EvalContext::new(Timestamp(0), &metrics)).into_run();
                assert!(run.results.starts_with("$TargetDedicatedNodes="), "{}", run.results);
                let clone = formula.clone();
                drop(formula);
                drop(clone);
            }
        }
    });
}

#[test]
fn a_tree_deeper_than_any_formula_within_the_limits_is_refused_by_the_parser() {
    on_small_stack(|| {
        // 200,000 terms: only `parse` sees it (check refuses the size first).
        let src = format!("$TargetDedicatedNodes = {};", vec!["1"; 200_000].join("+"));
        let parsed = parse(&src);
        let d = parsed.diagnostics.iter().find(|d| d.code == Code::NestingTooDeep).expect("refused");
        assert!(d.message.contains("200000 expressions deep"), "{}", d.message);
        assert_eq!(codes(&src), vec![Code::FormulaTooLong]);
        assert!(batch_autoscale::format(&src).is_err());
        // Just under the bound (5000 deep): kept (and dropped without recursion).
        let src = format!("$x = {};", vec!["1"; 5000].join("+"));
        let parsed = parse(&src);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics.first());
        let src = format!("$x = {};", vec!["1"; 5001].join("+"));
        assert!(parse(&src).diagnostics.iter().any(|d| d.code == Code::NestingTooDeep));
    });
}

#[test]
fn a_cloned_tree_is_equal_to_the_original() {
    let src = "$x = -max(1, $PendingTasks.GetSample(TimeInterval_Minute * 5, 70)) + (time().hour > 3 ? 1 : !0);\n$y = f();";
    let formula = parse(src);
    assert_eq!(formula.clone(), formula);
    let deep = parse(&format!("$x = {};", vec!["(1 + 2).x"; 500].join(" - ")));
    assert_eq!(deep.clone(), deep);
}
