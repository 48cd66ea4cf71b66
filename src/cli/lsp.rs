//! `batch-autoscale lsp`: the language server over stdio.

use std::process::ExitCode;

use crate::lsp::SessionEnd;

/// Arguments of `lsp`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editor compatibility (the server always uses stdio).
    #[arg(long)]
    stdio: bool,
}

/// Run the language server until the client sends `exit`: status 0 after `shutdown`, 1 when
/// `exit` came without it or the input ended (as the protocol asks), 2 when I/O failed.
pub fn run(_args: Args) -> ExitCode {
    match crate::lsp::serve_stdio() {
        Ok(SessionEnd::Clean) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            errln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
