//! `batch-autoscale fmt` (not yet written).

use std::process::ExitCode;

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `fmt`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("batch-autoscale: `fmt` is not available yet");
    ExitCode::from(2)
}
