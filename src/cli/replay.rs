//! `batch-autoscale replay` (not yet written).

use std::process::ExitCode;

/// Arguments of `replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {}

/// Run `replay`.
pub fn run(_args: ReplayArgs) -> ExitCode {
    eprintln!("batch-autoscale: `replay` is not available yet");
    ExitCode::from(2)
}
