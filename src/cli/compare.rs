//! `batch-autoscale compare`: several formulas side by side on one workload or history.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::whatif::Variant;

use super::scenario::{fail, interval_or, run_and_print, Bench, SimArgs, SummaryFormat};

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The formula files.
    #[arg(required = true, num_args = 1..)]
    formulas: Vec<String>,
    /// Workload, pool, period and seed (for a simulation).
    #[command(flatten)]
    sim: SimArgs,
    /// Replay over this metric history instead of simulating a workload.
    #[arg(long, short, conflicts_with = "workload")]
    metrics: Option<PathBuf>,
    /// Evaluation interval, ISO 8601 (`PT5M` … `P7D`); default: each host file's own, else
    /// PT15M.
    #[arg(long)]
    interval: Option<String>,
    /// Host files: kind, placeholder values, which formula.
    #[command(flatten)]
    host: super::host::HostArgs,
    /// Summary format on standard output.
    #[arg(long, value_enum, default_value = "table")]
    format: SummaryFormat,
    /// Write an HTML report (one plot per formula, the summaries side by side).
    #[arg(long)]
    html: Option<PathBuf>,
}

/// Run `compare`: 0 done, 1 a formula has errors, 2 bad input.
pub fn run(args: CompareArgs) -> ExitCode {
    let mut variants = Vec::new();
    let mut paths: Vec<String> = Vec::new();
    let mut failed = false;
    for path in &args.formulas {
        // A host file with several formulas gives one variant each, with its own interval.
        match super::host::load_all(path, &args.host) {
            Ok(all) => {
                for (source, formula) in all {
                    variants.push(Variant {
                        label: source.label,
                        formula,
                        interval: if args.interval.is_some() { None } else { source.interval },
                        parameters: Vec::new(),
                    });
                }
                paths.resize(variants.len(), path.clone());
            }
            Err(code) if code == ExitCode::from(1) => failed = true,
            Err(code) => return code,
        }
    }
    if failed {
        return ExitCode::from(1);
    }
    // Label columns by file name when that is unambiguous.
    let short: Vec<String> = paths
        .iter()
        .zip(&variants)
        .map(|(p, v)| match std::path::Path::new(p).file_name() {
            Some(n) if p != "-" && !v.label.ends_with(']') => n.to_string_lossy().into_owned(),
            _ => v.label.clone(),
        })
        .collect();
    if (1..short.len()).all(|i| !short[..i].contains(&short[i])) {
        for (v, s) in variants.iter_mut().zip(short) {
            v.label = s;
        }
    }
    // The scenario's interval: --interval, else the first host file's own.
    let base = variants.iter().find_map(|v| v.interval);
    let bench = match interval_or(args.interval.as_deref(), base).and_then(|i| Bench::read(&args.sim, args.metrics.as_deref(), i)) {
        Ok(b) => b,
        Err(m) => return fail(m),
    };
    run_and_print(&bench, &args.formulas, &variants, args.format, args.html.as_deref())
}
