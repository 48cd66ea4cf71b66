//! `batch-autoscale eval`: evaluate a formula once, as `az batch pool autoscale evaluate` does.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::builtins::{self, Metric, Target, VariableKind};
use crate::data::{parse_context_file, read_text, ContextFile};
use crate::eval::run_for_errors;
use crate::hosts::{pool_state, PoolCounts};
use crate::time::{parse_zoned_time, TICKS_PER_SECOND};
use crate::{Formula, LineIndex, Severity, Timestamp, TraceEvent};

use super::render::{ColorChoice, Format};

/// Arguments of `eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The formula file (`-` for standard input), or a host file (pool JSON, ARM, Bicep,
    /// Terraform, Shipyard, Nextflow); `az batch pool show` output is evaluated on the pool's
    /// own state (current and target nodes, task slots) unless --context is given.
    file: String,
    /// Host files: kind, placeholder values, which formula.
    #[command(flatten)]
    host: super::host::HostArgs,
    /// A context JSON file: `{now, pool, metrics, samplePublicationDelaySeconds, random, seed}`.
    #[arg(long, short)]
    context: Option<PathBuf>,
    /// Metric history to add (CSV long or wide form, or JSON); replaces the context's samples of
    /// the same metrics.
    #[arg(long, short)]
    metrics: Option<PathBuf>,
    /// Evaluation time (RFC 3339 with a zone); default: the context's `now`, else the current time.
    #[arg(long)]
    now: Option<String>,
    /// Initial `$TargetDedicatedNodes` (the pool's current dedicated target).
    #[arg(long, allow_negative_numbers = true)]
    pool_dedicated: Option<f64>,
    /// Initial `$TargetLowPriorityNodes`.
    #[arg(long, allow_negative_numbers = true)]
    pool_low_priority: Option<f64>,
    /// `$CurrentDedicatedNodes`.
    #[arg(long, allow_negative_numbers = true)]
    current_dedicated: Option<f64>,
    /// `$CurrentLowPriorityNodes`.
    #[arg(long, allow_negative_numbers = true)]
    current_low_priority: Option<f64>,
    /// `$TaskSlotsPerNode`.
    #[arg(long, allow_negative_numbers = true)]
    task_slots: Option<f64>,
    /// `$UsableNodeCount`.
    #[arg(long, allow_negative_numbers = true)]
    usable_nodes: Option<f64>,
    /// Seed for `rand()` (instead of the context's `random` list).
    #[arg(long, allow_negative_numbers = true, value_parser = super::whole)]
    seed: Option<u64>,
    /// Sample publication delay in seconds (D22).
    #[arg(long, allow_negative_numbers = true)]
    delay: Option<f64>,
    /// Output format: a readable table, or the `AutoScaleRun` JSON of the REST API.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Show every statement's value, the `?:` branches taken and the samples each method saw.
    #[arg(long)]
    trace: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

/// The longest publication delay a flag takes: a year, in seconds.
pub const MAX_DELAY_SECONDS: f64 = 31_536_000.0;

fn usage_error(message: String) -> ExitCode {
    errln!("error: {message}");
    ExitCode::from(2)
}

fn current_time() -> Timestamp {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Timestamp(d.as_secs() as i64 * TICKS_PER_SECOND + i64::from(d.subsec_nanos() / 100))
}

/// Run `eval`: 0 success, 1 the formula has errors or the evaluation failed, 2 bad input.
pub fn run(args: Args) -> ExitCode {
    let sources = match super::host::load_sources(&args.file, &args.host) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if sources.len() > 1 {
        return super::host::several(&args.file, sources.iter());
    }
    let Some(source) = sources.into_iter().next() else {
        return ExitCode::from(2);
    };
    let name = source.label.clone();
    let src = source.resolved.text.clone();
    // A context file, or `az batch pool show` output whose pool state is the context.
    let (mut file, context_pool) = match &args.context {
        Some(path) => match load_context_or_pool(path) {
            Ok(f) => f,
            Err(m) => return usage_error(m),
        },
        None => (ContextFile::default(), None),
    };
    let spec = &mut file.spec;
    // The pool's own state: from `--context POOL-SHOW.json`, or from the formula's own file
    // when that is `az batch pool show` output and no context file is given.
    let counts = match &args.context {
        Some(_) => context_pool.as_ref(),
        None => source.hosted.pool.as_ref(),
    };
    if let Some(counts) = counts {
        let pool = &mut spec.pool;
        for (value, field) in [
            (counts.current_dedicated, &mut pool.current_dedicated_nodes),
            (counts.current_low_priority, &mut pool.current_low_priority_nodes),
            (counts.target_dedicated, &mut pool.target_dedicated_nodes),
            (counts.target_low_priority, &mut pool.target_low_priority_nodes),
            (counts.task_slots_per_node, &mut pool.task_slots_per_node),
        ] {
            if let Some(v) = value.filter(|v| v.is_finite() && *v >= 0.0) {
                *field = v;
            }
        }
    }
    if let Some(now) = &args.now {
        if let Err(e) = parse_zoned_time(now) {
            return usage_error(format!("--now {now}: {e}"));
        }
        spec.now = Some(now.clone());
    }
    let pool = &mut spec.pool;
    for (flag, value, field) in [
        ("--pool-dedicated", args.pool_dedicated, &mut pool.target_dedicated_nodes),
        ("--pool-low-priority", args.pool_low_priority, &mut pool.target_low_priority_nodes),
        ("--current-dedicated", args.current_dedicated, &mut pool.current_dedicated_nodes),
        (
            "--current-low-priority",
            args.current_low_priority,
            &mut pool.current_low_priority_nodes,
        ),
        ("--task-slots", args.task_slots, &mut pool.task_slots_per_node),
        ("--usable-nodes", args.usable_nodes, &mut pool.usable_node_count),
    ] {
        if let Some(v) = value {
            let checked = match flag {
                "--task-slots" => super::task_slots(&v.to_string()),
                _ => super::non_negative(&v.to_string()),
            };
            if let Err(e) = checked {
                return usage_error(format!("{flag} {v}: {e}"));
            }
            *field = v;
        }
    }
    if let Some(seed) = args.seed {
        spec.seed = Some(seed);
        spec.random = None;
    }
    if let Some(delay) = args.delay {
        if !(delay.is_finite() && (0.0..=MAX_DELAY_SECONDS).contains(&delay)) {
            return usage_error(format!(
                "--delay {}: must be a number of seconds from 0 to {MAX_DELAY_SECONDS} (a year)",
                super::shown_number(delay)
            ));
        }
        spec.sample_publication_delay_seconds = Some(delay);
    }
    let mut owned = match file.build(current_time()) {
        Ok(c) => c,
        Err(e) => return usage_error(e.to_string()),
    };
    if let Some(path) = &args.metrics {
        let data = match crate::data::load_metrics(path) {
            Ok(d) => d,
            Err(e) => return usage_error(e.to_string()),
        };
        for metric in Metric::ALL {
            let history = data.metrics.history(metric);
            if !history.is_empty() {
                owned.metrics.set_history(metric, history.clone());
            }
        }
    }
    let ctx = owned.as_context();
    let color = args.color.stderr();
    let formula = match Formula::compile(&src) {
        Ok(f) => f,
        Err(err) => {
            let run = run_for_errors(&err.analysis, &src, &ctx);
            if args.format == Format::Json {
                outln!("{}", serde_json::to_string_pretty(&run).unwrap_or_default());
            }
            let errors = err.analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error);
            err!("{}", source.render_all(errors, color));
            if args.format == Format::Human {
                print_run_error(&run);
                outln!("results: {}", run.results);
            }
            return ExitCode::from(1);
        }
    };
    if args.format == Format::Human {
        let warnings = formula.analysis().diagnostics.iter().filter(|d| d.severity == Severity::Warning);
        err!("{}", source.render_all(warnings, color));
    }
    let evaluation = if args.trace {
        formula.evaluate_traced(&ctx)
    } else {
        formula.evaluate(&ctx)
    };
    let failed = evaluation.outcome.is_err();
    match args.format {
        Format::Json => {
            if args.trace {
                let doc = serde_json::json!({ "run": evaluation.run(), "trace": evaluation.trace });
                outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
            } else {
                outln!("{}", serde_json::to_string_pretty(evaluation.run()).unwrap_or_default());
            }
        }
        Format::Human => {
            outln!("evaluated {name} at {}", ctx.now.format_rfc3339_7());
            if args.trace {
                print_trace(&src, &source.host_text, &source.resolved.map, &evaluation.trace);
            }
            if let Ok(applied) = &evaluation.outcome {
                outln!();
                let rows: Vec<(String, String)> = [
                    (Target::Dedicated.name().to_string(), applied.dedicated.to_string()),
                    (Target::LowPriority.name().to_string(), applied.low_priority.to_string()),
                    (
                        builtins::variable_name(VariableKind::DeallocationOption).to_string(),
                        applied.deallocation.name().to_string(),
                    ),
                ]
                .into_iter()
                .chain(evaluation.variables.iter().map(|v| (v.name.clone(), v.value.clone())))
                .collect();
                let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
                for (n, v) in rows {
                    outln!("  {n:<width$}  {v}");
                }
                for w in &evaluation.warnings {
                    outln!("  note: {w}");
                }
            } else if let Err(e) = &evaluation.outcome {
                print_run_error(evaluation.run());
                print_caret(&source.host_text, source.resolved.map.to_host(e.pos as usize));
            }
            // A "first interval" branch on the time since a fixed date that is long past (W320).
            let host_index = LineIndex::new(&source.host_text);
            for age in crate::check(&src).fixed_date_ages() {
                if let Some(note) = age.note_at(ctx.now) {
                    let lc = host_index.line_col(source.resolved.map.to_host(age.comparison.start as usize));
                    outln!("  note: {}:{}: {note}", lc.line, lc.column);
                }
            }
            outln!();
            outln!("results: {}", evaluation.run().results);
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_run_error(run: &crate::AutoScaleRun) {
    if let Some(e) = &run.error {
        outln!();
        outln!("error {}: {}", e.code, e.message);
        for v in &e.values {
            outln!("  {}: {}", v.name, v.value);
        }
    }
}

/// Print the source line of `offset` with a caret under it.
/// Line and column in the host file of a formula offset.
struct HostIndex<'a> {
    index: &'a LineIndex,
    map: &'a crate::hosts::SourceMap,
}

impl HostIndex<'_> {
    fn line_col(&self, offset: usize) -> crate::LineCol {
        self.index.line_col(self.map.to_host(offset))
    }
}

fn print_caret(src: &str, offset: usize) {
    let index = LineIndex::new(src);
    let lc = index.line_col(offset);
    let line = src.get(index.line_range(lc.line as usize - 1)).unwrap_or("");
    outln!("  {:>4} | {line}", lc.line);
    outln!("       | {}^", " ".repeat(lc.column as usize - 1));
}

/// The trace, positions in the file the formula came from (`map` takes formula offsets there).
fn print_trace(src: &str, host_text: &str, map: &crate::hosts::SourceMap, trace: &[TraceEvent]) {
    let host_index = LineIndex::new(host_text);
    let index = HostIndex { index: &host_index, map };
    outln!();
    outln!("trace:");
    for event in trace {
        let text = event.describe(src, |offset| index.line_col(offset));
        let mut lines = text.split('\n');
        if let Some(first) = lines.next() {
            outln!("  {first}");
        }
        for rest in lines {
            outln!("             {rest}");
        }
    }
}

/// A context file, or `az batch pool show` output (then an empty context and the pool's state).
fn load_context_or_pool(path: &std::path::Path) -> Result<(ContextFile, Option<PoolCounts>), String> {
    let shown = path.display().to_string();
    let text = read_text(path).map_err(|e| e.to_string())?;
    if let Ok(Some(counts)) = pool_state(&shown, &text) {
        return Ok((ContextFile::default(), Some(counts)));
    }
    parse_context_file(text, &shown).map_err(|e| e.to_string()).map(|f| (f, None))
}
