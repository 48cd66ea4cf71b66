//! Table-driven checker tests: each input triggers the expected code at the expected place,
//! with a fix where one exists.

use batch_autoscale::{check, Code, Severity};
use std::str::FromStr;

/// (formula, code, text the diagnostic's span covers)
const CASES: &[(&str, Code, &str)] = &[
    ("$x = 1 +;", Code::UnexpectedToken, ";"),
    (
        "$TargetDedicatedNodes = 1\n$NodeDeallocationOption = requeue;",
        Code::MissingSemicolon,
        "$NodeDeallocationOption = requeue",
    ),
    ("/* c */ $TargetDedicatedNodes = 1;", Code::BlockComment, "/* c */"),
    ("$TargetDedicatedNodes = .5;", Code::InvalidNumber, ".5"),
    ("$TargetDedicatedNodes = 1e3;", Code::InvalidNumber, "1e3"),
    ("$t = time(\"2024-01-01T00:00:00Z);", Code::UnterminatedString, "\""),
    ("$t = 'x'; $TargetDedicatedNodes = 1;", Code::SingleQuotedString, "'x'"),
    ("$x = 1 & 0; $TargetDedicatedNodes = $x;", Code::InvalidOperator, "&"),
    ("$TargetDedicatedNodes = {n};", Code::InvalidCharacter, "{"),
    ("// only a comment", Code::EmptyFormula, "// only a comment"),
    ("$something_useless", Code::UndefinedVariable, "$something_useless"),
    ("$TargetDedicatedNodes = $x; $x = 1;", Code::UndefinedVariable, "$x"),
    ("$TargetDedicatedNodes = abs(1);", Code::UnknownFunction, "abs"),
    ("$TargetDedicatedNodes = Max(1, 2);", Code::CaseMismatch, "Max"),
    (
        "$v = $PendingTasks.getSample(1); $TargetDedicatedNodes = 1;",
        Code::CaseMismatch,
        "getSample",
    ),
    (
        "$TargetDedicatedNodes = TimeInterval_minute;",
        Code::CaseMismatch,
        "TimeInterval_minute",
    ),
    ("$NodeDeallocationOption = TaskCompletion;", Code::CaseMismatch, "TaskCompletion"),
    (
        "$v = $PendingTasks.GetSamples(1); $TargetDedicatedNodes = 1;",
        Code::UnknownMethod,
        "GetSamples",
    ),
    ("$TargetDedicatedNodes = time().hours;", Code::UnknownField, "hours"),
    ("$TargetDedicatedNodes = rand(1);", Code::WrongArity, "rand(1)"),
    (
        "$TargetDedicatedNodes = 2 * $PendingTasks.GetSample(1);",
        Code::TypeMismatch,
        "2 * $PendingTasks.GetSample(1)",
    ),
    (
        "$t = time() - TimeInterval_Hour; $TargetDedicatedNodes = 1;",
        Code::TypeMismatch,
        "time() - TimeInterval_Hour",
    ),
    ("$TargetDedicatedNodes = avg(time());", Code::InvalidArgument, "time()"),
    ("$PendingTasks = 3;", Code::ReadOnlyAssignment, "$PendingTasks"),
    (
        "TimeInterval_Hour = 3; $TargetDedicatedNodes = 1;",
        Code::ReadOnlyAssignment,
        "TimeInterval_Hour",
    ),
    (
        "$x = taskcompletion; $TargetDedicatedNodes = 1;",
        Code::KeywordMisuse,
        "taskcompletion",
    ),
    (
        "$TargetDedicatedNodes = $PendingTasks.GetSample(10 * TimeInterval_Minute, 0);",
        Code::InvalidTargetValue,
        "$PendingTasks.GetSample(10 * TimeInterval_Minute, 0)",
    ),
    ("$NodeDeallocationOption = 1;", Code::InvalidTargetValue, "1"),
    ("$x = stop(); $TargetDedicatedNodes = 1;", Code::MisplacedStop, "stop()"),
    (
        "$t = time(\"2024-05-01T10:00:00.123456789Z\"); $TargetDedicatedNodes = 1;",
        Code::InvalidTimeLiteral,
        "\"2024-05-01T10:00:00.123456789Z\"",
    ),
    (
        "$t = time(\"yesterday\"); $TargetDedicatedNodes = 1;",
        Code::InvalidTimeLiteral,
        "\"yesterday\"",
    ),
    (
        "$TargetDedicatedNodes = $CurrentDedicatedNodes.GetSample(1);",
        Code::NotAMetric,
        "$CurrentDedicatedNodes",
    ),
    ("$x = 1; $TargetDedicatedNodes = $x(2);", Code::NotCallable, "$x"),
    ("$x = 1;", Code::NoTargetAssigned, ""),
    (
        "$TargetDedicated = 1; $TargetDedicatedNodes = 2;",
        Code::AliasAndCanonical,
        "$TargetDedicated",
    ),
    ("$TargetDedicated = 1;", Code::DeprecatedAlias, "$TargetDedicated"),
    (
        "$m = $MemoryBytes.GetSamplePercent(TimeInterval_Minute); $TargetDedicatedNodes = $m;",
        Code::RetiredMetric,
        "$MemoryBytes",
    ),
    (
        "$TargetDedicatedNodes = max(0, $PendingTasks.GetSample(1));",
        Code::OnlyLastSample,
        "$PendingTasks.GetSample(1)",
    ),
    (
        "$v = $RunningTasks.GetSample(10 * TimeInterval_Second, 0 * TimeInterval_Second, 100); $TargetDedicatedNodes = len($v);",
        Code::WindowTooRecent,
        "$RunningTasks.GetSample(10 * TimeInterval_Second, 0 * TimeInterval_Second, 100)",
    ),
    (
        "$TargetDedicatedNodes = avg($PendingTasks.GetSample(TimeInterval_Minute * 5));",
        Code::UnguardedWindow,
        "$PendingTasks.GetSample(TimeInterval_Minute * 5)",
    ),
    (
        "$TargetDedicatedNodes = avg($CPUPercent.GetSample(TimeInterval_Minute * 10, 0)) > 0.7 ? 2 : 1;",
        Code::CpuPercentScale,
        "0.7",
    ),
    ("$TargetDedicatedNodes = 1 ? 3 : 4;", Code::ConstantCondition, "1"),
    ("$TargetDedicatedNodes = 2.5;", Code::TargetNotWholeNumber, "2.5"),
    ("$TargetDedicatedNodes = time().weekday == 7 ? 1 : 0;", Code::WeekdaySeven, "7"),
    ("$x = 1; $TargetDedicatedNodes = 0 < $x < 2;", Code::ChainedComparison, "0 < $x < 2"),
    (
        "$TargetDedicatedNodes = 1; $TargetDedicatedNodes == 2;",
        Code::NoEffect,
        "$TargetDedicatedNodes == 2",
    ),
    ("max = 3; $TargetDedicatedNodes = max;", Code::ShadowsBuiltin, "max"),
    ("$targetDedicatedNodes = 5;", Code::VariableCaseMismatch, "$targetDedicatedNodes"),
    ("$unused = 5; $TargetDedicatedNodes = 1;", Code::UnusedVariable, "$unused"),
    ("$TargetDedicatedNode = 5;", Code::SimilarToServiceVariable, "$TargetDedicatedNode"),
    ("$TargetDedicatedNodes = $PendingTasks / 4;", Code::MetricAsNumber, "$PendingTasks"),
    (
        "$n = $CurrentDedicatedNodes * 1.1; $TargetDedicatedNodes = min(0, $n);",
        Code::TargetAlwaysZero,
        "min(0, $n)",
    ),
    (
        "age = time() - time(\"2024-05-01T10:00:00Z\"); $TargetDedicatedNodes = age < TimeInterval_Hour ? 1 : 0;",
        Code::AgeFromFixedTime,
        "time(\"2024-05-01T10:00:00Z\")",
    ),
    (
        "$NodeDeallocationOption = retaineddata; $TargetDedicatedNodes = 1;",
        Code::RetainedData,
        "retaineddata",
    ),
    (
        "$TargetDedicatedNodes = time().hour >= 8 ? 4 : 1;",
        Code::UtcTimeComparison,
        "time().hour",
    ),
];

#[test]
fn each_input_triggers_its_code_at_its_place() {
    let mut failures = Vec::new();
    for (src, code, text) in CASES {
        let analysis = check(src);
        let found = analysis.diagnostics.iter().find(|d| d.code == *code);
        match found {
            None => failures.push(format!(
                "{src:?}: no {code:?}; got {:?}",
                analysis.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>()
            )),
            Some(d) => {
                if d.span.text(src) != *text {
                    failures.push(format!("{src:?}: {code:?} covers {:?}, expected {text:?}", d.span.text(src)));
                }
                if d.severity != code.severity() || d.message.is_empty() {
                    failures.push(format!("{src:?}: bad severity or empty message"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_and_warning_code_is_covered_by_the_table() {
    for code in Code::ALL {
        assert!(
            CASES.iter().any(|(_, c, _)| c == code)
                || matches!(
                    code,
                    Code::FormulaTooLong | Code::NestingTooDeep | Code::TooManyStatements | Code::NumberTooLarge
                )
                // Host-file codes (E5xx, W5xx) come from `hosts`, tested in tests/hosts.rs.
                || matches!(code, Code::TemplatePlaceholder | Code::InvalidEvaluationInterval | Code::AutoscaleDisabled),
            "no case for {code:?}"
        );
    }
}

#[test]
fn fixes_replace_the_mistake_with_the_suggestion() {
    let cases = [
        ("$TargetDedicatedNodes = Max(1, 2);", "$TargetDedicatedNodes = max(1, 2);"),
        ("$TargetDedicated = 1;", "$TargetDedicatedNodes = 1;"),
        (
            "$TargetDedicatedNodes = $PendingTask.GetSample(1);",
            "$TargetDedicatedNodes = $PendingTasks.GetSample(1);",
        ),
        ("$TargetDedicatedNodes = .5;", "$TargetDedicatedNodes = 0.5;"),
        (
            "$v = $PendingTasks.GetSampel(1); $TargetDedicatedNodes = 1;",
            "$v = $PendingTasks.GetSample(1); $TargetDedicatedNodes = 1;",
        ),
        (
            "$TargetDedicatedNodes = 1\n$NodeDeallocationOption = requeue;",
            "$TargetDedicatedNodes = 1;\n$NodeDeallocationOption = requeue;",
        ),
    ];
    for (src, fixed) in cases {
        let analysis = check(src);
        let d = analysis
            .diagnostics
            .iter()
            .find(|d| d.fix.is_some() && d.severity >= Severity::Warning)
            .unwrap_or_else(|| panic!("{src}: no fix"));
        let mut out = src.to_string();
        let mut edits = d.fix.as_ref().unwrap().edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for e in edits {
            out.replace_range(e.span.range(), &e.replacement);
        }
        assert_eq!(out, fixed, "fix of {src:?}: {:?}", d.fix);
        assert!(
            !check(&out)
                .diagnostics
                .iter()
                .any(|x| x.code == d.code && x.span.start == d.span.start),
            "{out}"
        );
    }
}

#[test]
fn clean_formulas_have_no_errors() {
    let clean = [
        "$TargetDedicatedNodes = 0",
        "$samples = $PendingTasks.GetSamplePercent(TimeInterval_Minute * 15);\n$tasks = $samples < 70 ? max(0, $PendingTasks.GetSample(1)) : max($PendingTasks.GetSample(1), avg($PendingTasks.GetSample(TimeInterval_Minute * 15)));\n$TargetDedicatedNodes = min(20, $tasks);\n$NodeDeallocationOption = taskcompletion;",
        "$curTime = time(); $TargetDedicatedNodes = $curTime.hour >= 8 && $curTime.hour < 18 ? 20 : 10;",
        "$x = 1; $x > 0 ? stop() : 0; $TargetDedicatedNodes = 2;",
        "$NodeDeallocationOption = $CurrentDedicatedNodes > 2 ? taskcompletion : requeue; $TargetDedicatedNodes = 1;",
        "lifespan = time() - time(\"Mon, 06 Oct 2014 10:20:00 GMT\"); $TargetDedicatedNodes = lifespan > TimeInterval_Minute * 10 ? 0 : 4;",
    ];
    for src in clean {
        let analysis = check(src);
        assert!(!analysis.has_errors(), "{src}: {:?}", analysis.diagnostics);
    }
}

/// The checker's side of the decisions D31, D40, D42, D43, D44, D50 and D51.
#[test]
fn decisions_at_check_time() {
    let codes = |src: &str| {
        check(src)
            .diagnostics
            .iter()
            .map(|d| (d.code, d.span.text(src).to_string()))
            .collect::<Vec<_>>()
    };
    let errors = |src: &str| {
        check(src)
            .diagnostics
            .into_iter()
            .filter(|d| d.is_error())
            .map(|d| d.code)
            .collect::<Vec<_>>()
    };
    // D40: case variants of constants, functions and keywords are user variables, with W314.
    for src in [
        "timeinterval_minute = 0; $TargetDedicatedNodes = timeinterval_minute;",
        "Max = 3; $TargetDedicatedNodes = Max;",
        "Requeue = 1; $TargetDedicatedNodes = Requeue;",
    ] {
        assert!(errors(src).is_empty(), "{src}: {:?}", codes(src));
        let name = src.split(' ').next().unwrap();
        assert!(
            codes(src).contains(&(Code::ShadowsBuiltin, name.to_string())),
            "{src}: {:?}",
            codes(src)
        );
    }
    // ... but reading one that no earlier statement assigns is the D2 case error, with a fix.
    for (src, name) in [
        (
            "$TargetDedicatedNodes = timeinterval_minute; timeinterval_minute = 1;",
            "timeinterval_minute",
        ),
        ("x = Max; $TargetDedicatedNodes = 1;", "Max"),
        ("x = Requeue; $TargetDedicatedNodes = 1;", "Requeue"),
    ] {
        let analysis = check(src);
        let d = analysis
            .diagnostics
            .iter()
            .find(|d| d.code == Code::CaseMismatch)
            .unwrap_or_else(|| panic!("{src}: {:?}", codes(src)));
        assert_eq!(d.span.text(src), name);
        assert!(d.fix.is_some(), "{src}");
    }
    // Exact spellings stay read-only.
    assert_eq!(
        errors("TimeInterval_Minute = 1; $TargetDedicatedNodes = 1;"),
        [Code::ReadOnlyAssignment]
    );
    assert_eq!(errors("requeue = 1; $TargetDedicatedNodes = 1;"), [Code::KeywordMisuse]);
    // D42: only the value a target holds at the end must be a double.
    assert!(errors("$TargetLowPriority = \"\"; $TargetLowPriority = 0;").is_empty());
    assert!(errors("$TargetDedicatedNodes = TimeInterval_Minute; $TargetDedicatedNodes = 2;").is_empty());
    let src = "$TargetDedicatedNodes = 1; $TargetDedicatedNodes = \"x\";";
    assert!(
        codes(src).contains(&(Code::InvalidTargetValue, "\"x\"".to_string())),
        "{:?}",
        codes(src)
    );
    // D15: the canonical name's last assignment is the final one, even before an alias's.
    let src = "$TargetDedicatedNodes = \"x\"; $TargetDedicated = 1;";
    assert!(
        codes(src).contains(&(Code::InvalidTargetValue, "\"x\"".to_string())),
        "{:?}",
        codes(src)
    );
    // D51: a read of a target has the type of its latest write, through either name.
    let src = "$TargetDedicatedNodes = TimeInterval_Minute; x = $TargetDedicated * 2; $TargetDedicatedNodes = 1; y = x;";
    assert!(errors(src).is_empty(), "{:?}", codes(src));
    assert_eq!(check(src).variable("x").unwrap().definitions[0].type_name, "timeinterval");
    assert_eq!(
        errors("$TargetDedicated = \"s\"; x = $TargetDedicatedNodes * 2; $TargetDedicatedNodes = 1;"),
        [Code::TypeMismatch]
    );
    // D43: a sample method needs a metric written directly (parentheses allowed).
    assert!(errors("$TargetDedicatedNodes = len(($PendingTasks).GetSample(1));").is_empty());
    assert_eq!(
        errors("$TargetDedicatedNodes = len((1 ? $PendingTasks : 0).GetSample(1));"),
        [Code::NotAMetric]
    );
    // D44: only space, tab, CR and LF separate tokens.
    for ch in ['\u{c}', '\u{b}', '\u{a0}', '\u{2028}'] {
        let src = format!("$TargetDedicatedNodes ={ch}1;");
        let analysis = check(&src);
        let d = analysis
            .diagnostics
            .iter()
            .find(|d| d.code == Code::InvalidCharacter)
            .unwrap_or_else(|| panic!("{ch:?}: {:?}", analysis.diagnostics));
        assert!(d.message.contains(&format!("U+{:04X}", ch as u32)), "{}", d.message);
    }
    assert!(errors("$TargetDedicatedNodes\t=\r\n1;\n").is_empty());
    // D50: no-argument calls are arity errors; a union no member of which fits is a type error.
    for f in [
        "lg",
        "ln",
        "log",
        "ceil",
        "floor",
        "round",
        "percentile",
        "val",
        "avg",
        "max",
        "min",
        "range",
        "std",
    ] {
        let src = format!("x = {f}(); $TargetDedicatedNodes = 1;");
        assert!(errors(&src).contains(&Code::WrongArity), "{src}: {:?}", codes(&src));
    }
    for f in ["len", "sum", "norm"] {
        assert!(
            errors(&format!("x = {f}(); $TargetDedicatedNodes = x;")).is_empty(),
            "{f}() is 0 (D17)"
        );
    }
    assert_eq!(
        errors("x = (1 ? \"a\" : time()) * 2; $TargetDedicatedNodes = 1;"),
        [Code::TypeMismatch]
    );
    assert!(errors("x = (1 ? \"a\" : 3) * 2; $TargetDedicatedNodes = 1;").is_empty());
    // D31: RFC 1123 only with GMT.
    for zone in ["UTC", "UT", "+0000", "EST"] {
        let src = format!("t = time(\"Tue, 12 Aug 2025 17:56:45 {zone}\"); $TargetDedicatedNodes = 1;");
        assert_eq!(errors(&src), [Code::InvalidTimeLiteral], "{src}");
    }
    assert!(errors("t = time(\"Tue, 12 Aug 2025 17:56:45 GMT\"); $TargetDedicatedNodes = 1;").is_empty());
}

/// The lints' constant evaluation (W309 "this condition is always …") uses the evaluator's
/// operators: for every operator and awkward constant it predicts the branch evaluation takes.
#[test]
fn constant_conditions_agree_with_evaluation() {
    let metrics = batch_autoscale::MetricStore::new();
    let now = batch_autoscale::Timestamp::from_str("2026-11-23T12:00:00Z").unwrap();
    let ctx = batch_autoscale::EvalContext::new(now, &metrics);
    let values = ["0", "-0", "1.5", "0/0", "1/0", "-1/0"];
    for op in ["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "&&", "||"] {
        for a in values {
            for b in values {
                let src = format!("$TargetDedicatedNodes = ({a}) {op} ({b}) ? 1 : 2;");
                let analysis = check(&src);
                let d = analysis
                    .diagnostics
                    .iter()
                    .find(|d| d.code == Code::ConstantCondition)
                    .unwrap_or_else(|| panic!("{src}: no W309"));
                let predicted = if d.message.ends_with("true") { 1 } else { 2 };
                let run = batch_autoscale::evaluate_source(&src, &ctx);
                assert!(
                    run.results.starts_with(&format!("$TargetDedicatedNodes={predicted};")),
                    "{src}: lint says {:?}, evaluation gives {}",
                    d.message,
                    run.results
                );
            }
        }
    }
}

/// Of two user variables equally close to an undefined name, the alphabetically first is
/// offered, however many other variables the formula has (the checker keeps them in a hash
/// map whose order changes with its size).
#[test]
fn equally_close_suggestions_do_not_depend_on_how_many_variables_there_are() {
    for others in [0, 1, 3, 7, 15, 40, 100] {
        let mut src: String = (0..others).map(|i| format!("$other_variable_{i} = {i};\n")).collect();
        src.push_str("$zb = 1; $ab = 2; $TargetDedicatedNodes = $zb + $ab + $xb;");
        let analysis = check(&src);
        let d = analysis
            .diagnostics
            .iter()
            .find(|d| d.code == Code::UndefinedVariable)
            .unwrap_or_else(|| panic!("no E201 for `$xb` with {others} other variables"));
        assert!(
            d.message.ends_with("did you mean `$ab`?"),
            "{others} other variables: {}",
            d.message
        );
    }
}
