//! The public API is small and deliberate: the crate root has exactly these public modules and
//! re-exports exactly these items, the `whatif` and `lsp` modules exactly theirs, and no two
//! public types share a name. Everything else is private to the crate (the CLI is the hidden
//! `cli` module). Growing the API means growing these lists, on purpose.
//!
//! The lists are read from the sources (`pub use`, `pub mod` and `pub` items at the start of a
//! line; `pub(crate)` is not public), so a new `pub use` or `pub mod` fails this test until it
//! is listed here.

use std::collections::BTreeMap;

fn source(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The names a file makes public at its top level: the names of `pub use` lists (the name after
/// `as` when renamed) and `kind name` of the items declared `pub` at the start of a line.
fn public_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(list) = line.strip_prefix("pub use ") {
            let mut statement = list.to_string();
            while !statement.contains(';') {
                statement.push_str(lines.next().unwrap());
            }
            let statement = statement.split(';').next().unwrap();
            let list = match statement.split_once('{') {
                Some((_, inner)) => inner.trim_end_matches('}'),
                None => statement,
            };
            for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                let item = item.rsplit_once(" as ").map_or(item, |(_, alias)| alias);
                names.push(item.rsplit("::").next().unwrap().to_string());
            }
        } else if let Some(item) = line.strip_prefix("pub ") {
            let words: Vec<&str> = item
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty())
                .collect();
            if let [kind, name, ..] = words.as_slice() {
                if ["mod", "fn", "struct", "enum", "const", "static", "type", "trait"].contains(kind) {
                    names.push(format!("{kind} {name}"));
                }
            }
        }
    }
    names.sort();
    names
}

fn assert_names(path: &str, expected: &[&str]) {
    let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(public_names(&source(path)), expected, "the public items of {path}");
}

#[test]
fn the_crate_root_exports_exactly_the_api() {
    assert_names(
        "src/lib.rs",
        &[
            // Public modules: the built-ins table, formulas in host files, what-if, the language
            // server; the CLI and the fuzz targets' view are `#[doc(hidden)]`.
            "mod builtins",
            "mod cli",
            "mod fuzzing",
            "mod hosts",
            "mod lsp",
            "mod whatif",
            // The README's examples as doc tests (only under `cfg(doctest)`).
            "struct ReadmeDoctests",
            // Parse, check, format.
            "parse",
            "Parsed",
            "check",
            "Analysis",
            "VariableInfo",
            "Definition",
            "format",
            "FormatError",
            // Diagnostics and positions.
            "Diagnostic",
            "Code",
            "Severity",
            "Label",
            "Fix",
            "Edit",
            "ServiceErrorKind",
            "JsonDiagnostic",
            "Span",
            "LineIndex",
            "LineCol",
            "Utf16Position",
            // Compile and evaluate.
            "Formula",
            "CompileError",
            "Evaluation",
            "EvalError",
            "EvalErrorKind",
            "AppliedTargets",
            "VariableValue",
            "TraceEvent",
            "AutoScaleRun",
            "AutoScaleRunError",
            "NameValuePair",
            "evaluate_source",
            // What an evaluation reads.
            "EvalContext",
            "PoolState",
            "RandomSource",
            "MetricStore",
            "MetricHistory",
            "HistoryError",
            "ContextSpec",
            "MetricSpec",
            "ContextError",
            "OwnedContext",
            // Time.
            "Timestamp",
            "TimeInterval",
            "TimeParseError",
            "TimeRangeError",
            "CivilFields",
            // Files (feature `data`).
            "load_metrics",
            "parse_csv",
            "parse_json",
            "load_context",
            "read_text",
            "ContextFile",
            "MetricData",
            "ScalarSeries",
            "DataError",
        ],
    );
}

#[test]
fn the_whatif_module_exports_configurations_runs_and_results() {
    assert_names(
        "src/whatif/mod.rs",
        &[
            "replay",
            "replay_streaming",
            "ReplayConfig",
            "Replay",
            "ReplayRow",
            "ReplaySummary",
            "ReplayError",
            "FailureSummary",
            "ErrorCode",
            "TargetStats",
            "simulate",
            "simulate_streaming",
            "SimulationConfig",
            "Simulation",
            "SimulationRow",
            "SimulationSummary",
            "SimulationError",
            "Cost",
            "TaskSummary",
            "WaitSummary",
            "TimelinePlot",
            "PoolSettings",
            "NodeFill",
            "load_pool_settings",
            "MAX_POOL_NODES",
            "SIMULATED_METRICS",
            "MAX_TASKS",
            "MAX_VARIANTS",
            "Workload",
            "WorkloadSpec",
            "WorkloadError",
            "Task",
            "Generator",
            "DurationDist",
            "TimeSpec",
            "load_workload",
            "parse_workload_json",
            "parse_trace_csv",
            "workload_from_tasks",
            "TaskList",
            "parse_task_list",
            "run_variants",
            "sweep_variants",
            "Scenario",
            "Variant",
            "VariantError",
            "Parameter",
            "SweepError",
            "Outcome",
        ],
    );
}

#[test]
fn the_language_server_module_exports_the_server_only() {
    assert_names("src/lsp/mod.rs", &["serve", "serve_stdio", "Server", "SessionEnd", "LspError"]);
}

/// Type names across the root, `whatif`, `hosts` and `builtins` (a type of `hosts` or
/// `builtins` is one declared `pub` at the start of a line of its module).
#[test]
fn no_two_public_types_share_a_name() {
    let mut seen: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let builtins = std::fs::read_dir(format!("{}/src/builtins", env!("CARGO_MANIFEST_DIR")))
        .map(|dir| {
            dir.filter_map(|e| e.ok())
                .map(|e| format!("src/builtins/{}", e.file_name().to_string_lossy()))
                .collect()
        })
        .unwrap_or_else(|_| vec!["src/builtins.rs".to_string()]);
    let mut files: Vec<String> = ["src/lib.rs", "src/whatif/mod.rs", "src/lsp/mod.rs", "src/hosts/mod.rs"]
        .map(String::from)
        .to_vec();
    files.extend(builtins.into_iter().filter(|f| f.ends_with(".rs")));
    for file in &files {
        for name in public_names(&source(file)) {
            let name = name
                .strip_prefix("struct ")
                .or_else(|| name.strip_prefix("enum "))
                .unwrap_or(&name)
                .to_string();
            let is_type = name.starts_with(|c: char| c.is_ascii_uppercase()) && !name.contains(' ');
            if is_type && !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
                seen.entry(name).or_default().push(file);
            }
        }
    }
    let shared: Vec<_> = seen.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(shared.is_empty(), "public types with the same name: {shared:?}");
    assert!(
        seen.contains_key("Formula") && seen.contains_key("Metric") && seen.contains_key("HostKind"),
        "{seen:?}"
    );
}

/// The whole pipeline through the root's entry points, as a library user writes it.
#[test]
fn the_entry_points_compose() {
    use batch_autoscale::builtins::Metric;
    use batch_autoscale::{check, evaluate_source, format, parse, EvalContext, Formula, LineIndex, MetricStore, TimeInterval, Timestamp};

    let src = "$TargetDedicatedNodes=max(0,$PendingTasks.GetSample(1))";
    assert!(!parse(src).has_errors());
    assert!(!check(src).has_errors(), "{:?}", check(src).diagnostics);
    let formatted = format(src).unwrap();
    assert_eq!(formatted, "$TargetDedicatedNodes = max(0, $PendingTasks.GetSample(1));\n");
    let now: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
    let mut metrics = MetricStore::new();
    metrics
        .history_mut(Metric::PendingTasks)
        .push(now.checked_add(TimeInterval(-1)).unwrap(), 6.0)
        .unwrap();
    let context = EvalContext::new(now, &metrics);
    let evaluation = Formula::compile(&formatted).unwrap().evaluate(&context);
    assert_eq!(evaluation.outcome.as_ref().unwrap().dedicated, 6);
    assert_eq!(evaluation.run(), &evaluate_source(src, &context));
    let error = &check("$TargetDedicatedNodes = $x;").diagnostics[0];
    let json = error.to_json(&LineIndex::new("$TargetDedicatedNodes = $x;"));
    assert_eq!((json.start.line, json.start.column), (1, 25));
}
