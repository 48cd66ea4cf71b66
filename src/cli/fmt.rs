//! `batch-autoscale fmt`: rewrite formulas in the canonical layout.

use std::process::ExitCode;

use crate::diagnostic::ServiceErrorKind;
use crate::fmt::{format, FormatError};
use crate::{check, Severity};

use super::render::{display_name, read_source_bom, render_diagnostics, ColorChoice};

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

/// Run `fmt`: 0 done (or nothing to change), 1 a file has syntax errors, is over the size
/// limits or would be once formatted, or (with `--check`) would change, 2 I/O errors.
pub fn run(args: Args) -> ExitCode {
    let mut status = 0u8;
    for path in &args.files {
        let name = display_name(path);
        let (src, bom) = match read_source_bom(path) {
            Ok(s) => s,
            Err(message) => {
                errln!("error: {message}");
                status = 2;
                continue;
            }
        };
        // Not formatted: syntax errors, over the size limits (D3), or a result that would be
        // over them (formatting never makes a valid formula invalid).
        let formatted = match format(&src) {
            Ok(formatted) => formatted,
            Err(reason) => {
                let analysis = check(&src);
                let errors: Vec<_> = analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
                err!("{}", render_diagnostics(&name, &src, errors.iter().copied(), args.color.stderr()));
                let why = match reason {
                    // Say what the formula has: syntax errors stop formatting, semantic ones
                    // (an undefined name, a type error) alone do not.
                    FormatError::Syntax => {
                        let syntax = errors
                            .iter()
                            .filter(|d| d.code.service_error() != Some(ServiceErrorKind::Evaluation))
                            .count();
                        let semantic = errors.len() - syntax;
                        let mut why = format!("it has {}", super::counted(syntax.max(1), "syntax error"));
                        if semantic > 0 {
                            why.push_str(&format!(
                                " and {} (syntax errors stop formatting)",
                                super::counted(semantic, "semantic error")
                            ));
                        }
                        why
                    }
                    other => other.to_string(),
                };
                errln!("{name}: not formatted, {why}");
                status = status.max(1);
                continue;
            }
        };
        // A byte order mark the file had is kept.
        let (formatted, src) = if bom {
            (format!("\u{feff}{formatted}"), format!("\u{feff}{src}"))
        } else {
            (formatted, src)
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
