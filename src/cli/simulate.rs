//! `batch-autoscale simulate` and `compare` (not yet written).

use std::process::ExitCode;

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {}

/// Arguments of `compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {}

/// Run `simulate`.
pub fn run(_args: SimulateArgs) -> ExitCode {
    eprintln!("batch-autoscale: `simulate` is not available yet");
    ExitCode::from(2)
}

/// Run `compare`.
pub fn run_compare(_args: CompareArgs) -> ExitCode {
    eprintln!("batch-autoscale: `compare` is not available yet");
    ExitCode::from(2)
}
