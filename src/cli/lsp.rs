//! `batch-autoscale lsp`: the language server over stdio.

use std::process::ExitCode;

/// Arguments of `lsp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editor compatibility (the server always uses stdio).
    #[arg(long)]
    stdio: bool,
}

/// Run the language server until the client sends `exit`.
pub fn run(_args: Args) -> ExitCode {
    match batch_autoscale::lsp::serve_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            errln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
