//! `batch-autoscale check`: report every diagnostic of one or more formulas.

use std::process::ExitCode;

use batch_autoscale::{check, LineIndex, Severity};

use super::render::{display_name, json_diagnostic, read_source, render_diagnostics, ColorChoice, Format};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Formula files (`-` for standard input).
    #[arg(required = true)]
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    deny_warnings: bool,
    /// Hide warnings and notes.
    #[arg(long, short)]
    quiet: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
}

/// Run `check`: 0 no errors, 1 errors (or warnings with `--deny-warnings`), 2 I/O errors.
pub fn run(args: Args) -> ExitCode {
    let mut failed = false;
    let mut io_error = false;
    let mut json_files = Vec::new();
    let color = args.color.stderr();
    for path in &args.files {
        let name = display_name(path);
        let src = match read_source(path) {
            Ok(s) => s,
            Err(message) => {
                errln!("error: {message}");
                io_error = true;
                continue;
            }
        };
        let analysis = check(&src);
        let errors = analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let warnings = analysis.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
        if errors > 0 || (args.deny_warnings && warnings > 0) {
            failed = true;
        }
        match args.format {
            Format::Json => {
                let index = LineIndex::new(&src);
                let diagnostics: Vec<_> = analysis.diagnostics.iter().map(|d| json_diagnostic(&index, d)).collect();
                json_files.push(serde_json::json!({
                    "path": name,
                    "errors": errors,
                    "warnings": warnings,
                    "diagnostics": diagnostics,
                }));
            }
            Format::Human => {
                let shown = analysis.diagnostics.iter().filter(|d| !args.quiet || d.severity == Severity::Error);
                err!("{}", render_diagnostics(&name, &src, shown, color));
                let verdict = if errors > 0 { "has errors" } else { "ok" };
                errln!("{name}: {verdict} ({errors} error(s), {warnings} warning(s))");
            }
        }
    }
    if args.format == Format::Json {
        let doc = serde_json::json!({ "files": json_files });
        outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    }
    if io_error {
        ExitCode::from(2)
    } else if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
