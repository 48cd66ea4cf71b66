//! `batch-autoscale replay`: evaluate a formula at every tick over recorded metric history.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::data::{check_pool_value, MetricData};
use crate::time::{parse_iso8601_duration, parse_rfc3339};
use crate::whatif::{html_report, replay_streaming, Replay, ReplayConfig, Report, Zone};
use crate::TimeInterval;

use super::eval::MAX_DELAY_SECONDS;
use super::output::Outputs;
use super::scenario::{fail, interval_or, load_formula, Pictures};
use super::timeline::{Destination, TimelineWriter};

/// Timeline formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TimelineFormat {
    /// CSV, one row per evaluation.
    Csv,
    /// JSON with the summary and the rows.
    Json,
}

/// Arguments of `replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The formula file, or a host file (pool JSON, ARM, Bicep, Terraform, Shipyard, Nextflow).
    formula: String,
    /// Host files: kind, placeholder values, which formula.
    #[command(flatten)]
    host: super::host::HostArgs,
    /// Metric history (CSV long or wide form, or JSON), or a Batch task list (`az batch task
    /// list --output json`, read as the history it implies); without it the formula sees no
    /// samples (fine for time-based formulas; then give --start and --end).
    #[arg(long, short)]
    metrics: Option<PathBuf>,
    /// Evaluation interval, ISO 8601 (`PT5M` … `P7D`), as the REST API writes it; default: the
    /// host file's, else PT15M.
    #[arg(long)]
    interval: Option<String>,
    /// First evaluation (RFC 3339); default: the first time in the data.
    #[arg(long)]
    start: Option<String>,
    /// Last possible evaluation (RFC 3339); default: the last time in the data.
    #[arg(long)]
    end: Option<String>,
    /// Dedicated target before the first evaluation.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pool_dedicated: f64,
    /// Low-priority target before the first evaluation.
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pool_low_priority: f64,
    /// `$TaskSlotsPerNode` (when the data has none).
    #[arg(long, default_value_t = 1.0, allow_negative_numbers = true)]
    task_slots: f64,
    /// Sample publication delay in seconds (D22).
    #[arg(long, default_value_t = 30.0, allow_negative_numbers = true)]
    delay: f64,
    /// How long new nodes take to arrive, when the data has no current node counts.
    #[arg(long, default_value = "PT5M")]
    allocation_delay: String,
    /// Seed for `rand()`.
    #[arg(long, default_value_t = 0, allow_negative_numbers = true, value_parser = super::whole)]
    seed: u64,
    /// User variables to add to the timeline, comma-separated (e.g. `$tasks,$samples`).
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
    /// Timeline format.
    #[arg(long, value_enum, default_value = "csv")]
    format: TimelineFormat,
    /// Write the timeline to this file instead of standard output.
    #[arg(long)]
    timeline: Option<PathBuf>,
    /// Plot and report files.
    #[command(flatten)]
    pictures: Pictures,
    /// Show times in this IANA time zone (e.g. Europe/London) and warn when a daylight-saving
    /// change moves the formula's UTC hour window against local time.
    #[arg(long)]
    tz: Option<String>,
}

/// Run `replay`: 0 done, 1 the formula has errors, 2 bad input.
pub fn run(args: ReplayArgs) -> ExitCode {
    let (name, formula, host_interval) = match load_formula(&args.formula, &args.host) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let zone = match args.tz.as_deref().map(Zone::new).transpose() {
        Ok(z) => z,
        Err(m) => return fail(format!("--tz: {m}")),
    };
    let end_given = match args
        .end
        .as_deref()
        .map(|v| parse_rfc3339(v).map_err(|e| format!("--end {v}: {e}")))
        .transpose()
    {
        Ok(e) => e,
        Err(m) => return fail(m),
    };
    let (data, note) = match &args.metrics {
        Some(path) => match super::history::load_history(path, end_given) {
            Ok(d) => d,
            Err(m) => return fail(m),
        },
        None => (MetricData::default(), None),
    };
    let config = match config(&args, &data, host_interval) {
        Ok(c) => c,
        Err(m) => return fail(m),
    };
    let (start, end) = (config.start, config.end);
    let last = match config.schedule() {
        Ok((_, last)) => last,
        Err(e) => return fail(e),
    };
    // Every output is opened (and checked against the inputs) before the replay runs, and
    // replaced only when everything has been written.
    let inputs = [Some(Path::new(&args.formula)), args.metrics.as_deref()];
    let mut outputs = Outputs::new(inputs.into_iter().flatten());
    let (timeline_file, svg_file, html_file) = match args.pictures.open(&mut outputs, args.timeline.as_deref()) {
        Ok(f) => f,
        Err(m) => return fail(m),
    };
    let destination = match timeline_file {
        Some(i) => Destination::File(i),
        None => Destination::Stdout,
    };
    let pictures = svg_file.is_some() || html_file.is_some();
    let mut timeline = TimelineWriter::new(
        destination,
        args.format == TimelineFormat::Json,
        Replay::csv_header(&config.columns),
        config.columns.clone(),
        html_file.is_some(),
        pictures.then_some((start, last)),
    );
    let result = replay_streaming(&formula, &data, &config, &mut |row| {
        let cells = || {
            let mut cells = row.cells();
            if let Some(z) = &zone {
                z.localize_first_cell(&mut cells);
            }
            cells
        };
        timeline.row(&mut outputs, cells, &row, &row);
    });
    let result = match result {
        Ok(r) => r,
        Err(e) => return fail(e.to_string()),
    };
    timeline.finish(&mut outputs, &result.summary);
    let interval_text = crate::whatif::iso8601(config.interval);
    let title = format!("{name} replayed every {interval_text}");
    if let Some(plot) = timeline.plot() {
        let svg = plot.svg(&data.metrics, &title);
        outputs.write_if(html_file, || {
            let (table, evaluations) = timeline.html_table();
            html_report(
                &title,
                std::slice::from_ref(&svg),
                &[Report::replay(&name, &result.summary)],
                Some((&table, evaluations)),
            )
        });
        outputs.write_if(svg_file, || svg);
    }
    if let Err(m) = outputs.commit() {
        return fail(m);
    }
    let s = &result.summary;
    let show = |t: crate::Timestamp| match &zone {
        Some(z) => z.format(t),
        None => t.format_results(),
    };
    errln!(
        "replayed {name}: {} evaluations every {} from {} to {}",
        s.evaluations,
        interval_text,
        show(start),
        show(end)
    );
    if let Some(note) = &note {
        errln!("  {note}");
    }
    for note in super::fixed_date_notes(formula.source(), start) {
        errln!("  note: {note}");
    }
    if let Some(z) = &zone {
        errln!("  times in {} (the formula's time() is UTC)", z.name());
        let source = super::render::read_source(&args.formula).unwrap_or_default();
        for w in z.hour_window_warnings(&source, start, end) {
            errln!("  warning: {w}");
        }
    }
    if s.failures.is_empty() {
        errln!("  failures: none");
    }
    for (code, f) in &s.failures {
        errln!("  failures: {} × {code} (first {}, last {})", f.count, show(f.first), show(f.last));
    }
    match s.time_to_first_nonzero {
        Some(t) => errln!("  first non-zero target after {}", t.format_results()),
        None => errln!("  the target never left 0"),
    }
    errln!(
        "  $TargetDedicatedNodes   min {} max {} mean {:.2}",
        s.dedicated.min,
        s.dedicated.max,
        s.dedicated.mean
    );
    errln!(
        "  $TargetLowPriorityNodes min {} max {} mean {:.2}",
        s.low_priority.min,
        s.low_priority.max,
        s.low_priority.mean
    );
    errln!(
        "  node-hours: {:.1} dedicated, {:.1} low-priority",
        s.dedicated_node_hours,
        s.low_priority_node_hours
    );
    ExitCode::SUCCESS
}

/// The replay settings from the flags, each checked.
fn config(args: &ReplayArgs, data: &MetricData, host_interval: Option<TimeInterval>) -> Result<ReplayConfig, String> {
    // The flags first: they need no data.
    for (flag, field, value) in [
        ("--pool-dedicated", "targetDedicatedNodes", args.pool_dedicated),
        ("--pool-low-priority", "targetLowPriorityNodes", args.pool_low_priority),
        ("--task-slots", "taskSlotsPerNode", args.task_slots),
    ] {
        check_pool_value(field, value).map_err(|m| format!("{flag} {}: {m}", super::shown_number(value)))?;
    }
    let source = args
        .metrics
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the data".into());
    let time = |flag: &str, value: &Option<String>, default: Option<crate::Timestamp>| match value {
        Some(v) => parse_rfc3339(v).map_err(|e| format!("--{flag} {v}: {e}")),
        None => default.ok_or_else(|| format!("--{flag} is needed: {source} has no samples")),
    };
    let mut config = ReplayConfig::new(time("start", &args.start, data.first)?, time("end", &args.end, data.last)?);
    config.interval = interval_or(args.interval.as_deref(), host_interval)?;
    config.allocation_delay =
        parse_iso8601_duration(&args.allocation_delay).map_err(|e| format!("--allocation-delay {}: {e}", args.allocation_delay))?;
    if !(args.delay.is_finite() && (0.0..=MAX_DELAY_SECONDS).contains(&args.delay)) {
        return Err(format!(
            "--delay {}: must be a number of seconds from 0 to {MAX_DELAY_SECONDS} (a year)",
            super::shown_number(args.delay)
        ));
    }
    config.publication_delay = crate::TimeInterval((args.delay * 1e7).round() as i64);
    config.initial_pool.target_dedicated_nodes = args.pool_dedicated;
    config.initial_pool.target_low_priority_nodes = args.pool_low_priority;
    config.initial_pool.task_slots_per_node = args.task_slots;
    config.seed = args.seed;
    config.columns = args
        .columns
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    Ok(config)
}
