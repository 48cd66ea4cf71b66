//! `batch-autoscale check` (not yet written).

use std::process::ExitCode;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `check`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("batch-autoscale: `check` is not available yet");
    ExitCode::from(2)
}
