//! `batch-autoscale simulate`: run a formula in closed loop against a simulated pool.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::whatif::{html_report, iso8601, side_by_side, simulate_streaming, Report, Simulation, Zone};

use super::output::Outputs;
use super::scenario::{fail, interval_or, load_formula, Pictures, SimArgs, SummaryFormat};
use super::timeline::{Destination, TimelineWriter};

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The formula file, or a host file (pool JSON, ARM, Bicep, Terraform, Shipyard, Nextflow).
    formula: String,
    /// Host files: kind, placeholder values, which formula.
    #[command(flatten)]
    host: super::host::HostArgs,
    /// Workload, pool, period and seed.
    #[command(flatten)]
    sim: SimArgs,
    /// Evaluation interval, ISO 8601 (`PT5M` … `P7D`); default: the host file's, else PT15M.
    #[arg(long)]
    interval: Option<String>,
    /// User variables to add to the timeline, comma-separated (e.g. `$tasks,$samples`).
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
    /// Summary format on standard output.
    #[arg(long, value_enum, default_value = "table")]
    format: SummaryFormat,
    /// Write the timeline (one row per evaluation) to this file: JSON if it ends in `.json`,
    /// otherwise CSV.
    #[arg(long)]
    timeline: Option<PathBuf>,
    /// Plot and report files.
    #[command(flatten)]
    pictures: Pictures,
    /// Show times in this IANA time zone (e.g. America/New_York); the formula's time() stays UTC.
    #[arg(long)]
    tz: Option<String>,
}

/// Run `simulate`: 0 done, 1 the formula has errors, 2 bad input.
pub fn run(args: SimulateArgs) -> ExitCode {
    let (name, formula, host_interval) = match load_formula(&args.formula, &args.host) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let zone = match args.tz.as_deref().map(Zone::new).transpose() {
        Ok(z) => z,
        Err(m) => return fail(format!("--tz: {m}")),
    };
    let show = |t: crate::Timestamp| match &zone {
        Some(z) => z.format(t),
        None => t.format_results(),
    };
    let interval = match interval_or(args.interval.as_deref(), host_interval) {
        Ok(i) => i,
        Err(m) => return fail(m),
    };
    let mut setup = match args.sim.setup(interval) {
        Ok(s) => s,
        Err(m) => return fail(m),
    };
    setup.config.columns = args
        .columns
        .iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let config = &setup.config;
    let last = match config.schedule() {
        Ok((_, last)) => last,
        Err(e) => return fail(e),
    };
    // Every output is opened (and checked against the inputs) before the simulation runs,
    // and replaced only when everything has been written.
    let mut outputs = Outputs::new(std::iter::once(Path::new(&args.formula)).chain(setup.inputs.iter().map(PathBuf::as_path)));
    let (timeline_file, svg_file, html_file) = match args.pictures.open(&mut outputs, args.timeline.as_deref()) {
        Ok(f) => f,
        Err(m) => return fail(m),
    };
    let json = args
        .timeline
        .as_ref()
        .is_some_and(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")));
    let pictures = svg_file.is_some() || html_file.is_some();
    let mut timeline = TimelineWriter::new(
        timeline_file.map_or(Destination::None, Destination::File),
        json,
        Simulation::csv_header(&config.columns),
        config.columns.clone(),
        html_file.is_some(),
        pictures.then_some((config.start, last)),
    );
    let sim = simulate_streaming(&formula, &setup.workload, config, &mut |row| {
        let cells = || {
            let mut cells = row.cells();
            if let Some(z) = &zone {
                z.localize_first_cell(&mut cells);
            }
            cells
        };
        timeline.row(&mut outputs, cells, &row, &row.evaluation);
    });
    let sim = match sim {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    timeline.finish(&mut outputs, &sim.summary);
    let title = format!(
        "{name} on {}: {} to {}, every {}, seed {}",
        setup.name,
        show(config.start),
        show(config.end),
        iso8601(config.interval),
        config.seed
    );
    let report = Report::simulation(&name, &sim.summary);
    let plot_title = format!("{name} on {}, every {}", setup.name, iso8601(config.interval));
    if let Some(plot) = timeline.plot() {
        let svg = plot.svg(&sim.metrics, &plot_title);
        outputs.write_if(html_file, || {
            let (table, evaluations) = timeline.html_table();
            html_report(
                &title,
                std::slice::from_ref(&svg),
                std::slice::from_ref(&report),
                Some((&table, evaluations)),
            )
        });
        outputs.write_if(svg_file, || svg);
    }
    if let Err(m) = outputs.commit() {
        return fail(m);
    }
    // A task no node can take: the service leaves it queued for ever (a known service issue).
    let oversized = sim.summary.tasks.oversized;
    let warnings: Vec<String> = (oversized > 0)
        .then(|| {
            format!(
                "{} more slots than a node has ({}): the service never schedules {}, so {} queued for ever while the formula may scale the pool up for {} and the nodes sit idle",
                if oversized == 1 { "1 task needs".to_string() } else { format!("{oversized} tasks need") },
                config.pool.task_slots_per_node,
                if oversized == 1 { "it" } else { "them" },
                if oversized == 1 { "it stays" } else { "they stay" },
                if oversized == 1 { "it" } else { "them" },
            )
        })
        .into_iter()
        .collect();
    let fixed_date_notes = super::fixed_date_notes(formula.source(), config.start);
    match args.format {
        SummaryFormat::Table => {
            outln!("simulated {title}");
            outln!(
                "{}; pool: {} per node, allocation {}",
                super::counted(setup.workload.len(), "task"),
                super::counted(config.pool.task_slots_per_node, "slot"),
                iso8601(config.pool.allocation_latency)
            );
            for note in &setup.notes {
                outln!("{note}");
            }
            for w in &warnings {
                outln!("warning: {w}");
            }
            for note in &fixed_date_notes {
                outln!("note: {note}");
            }
            if let Some(z) = &zone {
                outln!("times in {} (the formula's time() is UTC)", z.name());
                let source = super::render::read_source(&args.formula).unwrap_or_default();
                for w in z.hour_window_warnings(&source, config.start, config.end) {
                    outln!("warning: {w}");
                }
            }
            outln!();
            out!("{}", side_by_side(std::slice::from_ref(&report)));
        }
        SummaryFormat::Json => {
            let mut out = serde_json::json!({
                "formula": name,
                "workload": setup.name,
                "summary": sim.summary,
            });
            let notes: Vec<&String> = setup.notes.iter().chain(&fixed_date_notes).collect();
            if !notes.is_empty() {
                out["notes"] = serde_json::json!(notes);
            }
            if !warnings.is_empty() {
                out["warnings"] = serde_json::json!(warnings);
            }
            outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
        SummaryFormat::Csv => out!("{}", crate::whatif::reports_csv(&[report])),
    }
    ExitCode::SUCCESS
}
