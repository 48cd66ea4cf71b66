//! `batch-autoscale eval` (not yet written).

use std::process::ExitCode;

/// Arguments of `eval`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `eval`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("batch-autoscale: `eval` is not available yet");
    ExitCode::from(2)
}
