//! `batch-autoscale lsp` (not yet written).

use std::process::ExitCode;

/// Arguments of `lsp`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Run `lsp`.
pub fn run(_args: Args) -> ExitCode {
    eprintln!("batch-autoscale: `lsp` is not available yet");
    ExitCode::from(2)
}
