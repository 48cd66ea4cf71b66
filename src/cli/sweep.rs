//! `batch-autoscale sweep`: one formula with a parameter (a top-level `name = <number>;`)
//! and/or the evaluation interval varied, every combination run in parallel.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::whatif::{sweep_variants, Parameter};

use super::scenario::{duration, fail, interval_or, load_formula, run_and_print, Bench, SimArgs, SummaryFormat};

/// Arguments of `sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The formula file, or a host file (pool JSON, ARM, Bicep, Terraform, Shipyard, Nextflow).
    formula: String,
    /// Host files: kind, placeholder values, which formula.
    #[command(flatten)]
    host: super::host::HostArgs,
    /// Workload, pool, period and seed (for a simulation).
    #[command(flatten)]
    sim: SimArgs,
    /// Replay over this metric history instead of simulating a workload.
    #[arg(long, short, conflicts_with = "workload")]
    metrics: Option<PathBuf>,
    /// Values for a top-level `NAME = <number>;` of the formula, e.g. `maxNodes=10,20,40`;
    /// repeat for more names (every combination runs).
    #[arg(long = "set", value_name = "NAME=V1,V2,...")]
    set: Vec<String>,
    /// Evaluation intervals, comma-separated ISO 8601 (e.g. `PT5M,PT15M,PT1H`); default: the
    /// host file's, else PT15M.
    #[arg(long, value_delimiter = ',')]
    interval: Vec<String>,
    /// Summary format on standard output (CSV: one row per variant).
    #[arg(long, value_enum, default_value = "table")]
    format: SummaryFormat,
    /// Write an HTML report (one plot per variant, the summaries side by side).
    #[arg(long)]
    html: Option<PathBuf>,
}

fn parameter(text: &str) -> Result<Parameter, String> {
    let bad = |why: &str| format!("--set {text}: {why}; expected NAME=V1,V2,... such as maxNodes=10,20,40");
    let (name, values) = text.split_once('=').ok_or_else(|| bad("no `=`"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(bad("no name"));
    }
    let values = values
        .split(',')
        .map(|v| match v.trim().parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(x),
            _ => Err(bad(&format!("`{}` is not a finite number", v.trim()))),
        })
        .collect::<Result<Vec<f64>, String>>()?;
    Ok(Parameter {
        name: name.to_string(),
        values,
    })
}

/// Run `sweep`: 0 done, 1 the formula has errors, 2 bad input.
pub fn run(args: SweepArgs) -> ExitCode {
    let (formula, host_interval) = match load_formula(&args.formula, &args.host) {
        Ok((_, f, i)) => (f, i),
        Err(code) => return code,
    };
    let parameters = match args.set.iter().map(|s| parameter(s)).collect::<Result<Vec<_>, _>>() {
        Ok(p) => p,
        Err(m) => return fail(m),
    };
    let intervals = match args
        .interval
        .iter()
        .map(|i| duration("interval", i.trim()))
        .collect::<Result<Vec<_>, _>>()
        .and_then(|i| {
            if i.is_empty() {
                interval_or(None, host_interval).map(|i| vec![i])
            } else {
                Ok(i)
            }
        }) {
        Ok(i) => i,
        Err(m) => return fail(m),
    };
    if parameters.is_empty() && intervals.len() < 2 {
        return fail("nothing to sweep: give --set NAME=V1,V2,... or several --interval values");
    }
    // One interval is the scenario's; several are part of the sweep.
    let (base, swept) = match intervals.as_slice() {
        [one] => (*one, &[][..]),
        many => (many[0], many),
    };
    let variants = match sweep_variants(&formula, &parameters, swept) {
        Ok(v) => v,
        Err(e) => return fail(format!("{}: {e}", args.formula)),
    };
    let bench = match Bench::read(&args.sim, args.metrics.as_deref(), base) {
        Ok(b) => b,
        Err(m) => return fail(m),
    };
    run_and_print(
        &bench,
        std::slice::from_ref(&args.formula),
        &variants,
        args.format,
        args.html.as_deref(),
    )
}
