//! `batch-autoscale fmt`: rewrite formulas in the canonical layout.

use std::process::ExitCode;

use batch_autoscale::{check, fmt::format_source, Severity};

use super::render::{display_name, read_source, render_diagnostic, ColorChoice};

/// Arguments of `fmt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Formula files (`-` reads standard input and writes the result to standard output).
    #[arg(required = true)]
    files: Vec<String>,
    /// Change nothing; exit 1 and list the files whose layout differs.
    #[arg(long)]
    check: bool,
    /// Write the result to standard output instead of the file.
    #[arg(long)]
    stdout: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

/// Run `fmt`: 0 done (or nothing to change), 1 a file has syntax errors or (with `--check`)
/// would change, 2 I/O errors.
pub fn run(args: Args) -> ExitCode {
    let mut status = 0u8;
    for path in &args.files {
        let name = display_name(path);
        let src = match read_source(path) {
            Ok(s) => s,
            Err(message) => {
                errln!("error: {message}");
                status = 2;
                continue;
            }
        };
        let Some(formatted) = format_source(&src) else {
            let analysis = check(&src);
            for d in analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
                err!("{}", render_diagnostic(&name, &src, d, args.color.stderr()));
            }
            errln!("{name}: not formatted, it has syntax errors");
            status = status.max(1);
            continue;
        };
        if args.check {
            if formatted != src {
                outln!("{name}: would be reformatted");
                status = status.max(1);
            }
        } else if path == "-" || args.stdout {
            out!("{formatted}");
        } else if formatted != src {
            // Through a temporary file renamed over the original: a failed write leaves it whole.
            if let Err(e) = super::output::replace_file(std::path::Path::new(path), &formatted) {
                errln!("error: {e}");
                status = 2;
            } else {
                errln!("{name}: formatted");
            }
        }
    }
    ExitCode::from(status)
}
