//! `batch-autoscale check`: report every diagnostic of one or more formulas, plain files or
//! formulas kept in host files (pool JSON, ARM, Bicep, Terraform, Shipyard, Nextflow), whole
//! directories too; for people, for programs (JSON) and for CI (SARIF, GitHub workflow
//! commands); `--fix` and `--diff` for the machine-applicable fixes.

use std::path::Path;
use std::process::ExitCode;

use crate::hosts::{detect_kind, find_formulas, HostKind};
use crate::{Code, Diagnostic, LineIndex, Severity};

use super::ci::{self, Finding};
use super::counted;
use super::fix;
use super::host::{self, HostArgs, HostErrorDisplay};
use super::render::{display_name, json_diagnostic, read_source, render_diagnostics, ColorChoice};

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// For people.
    Human,
    /// JSON for programs.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`).
    Github,
}

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Formula files, host files (pool JSON, ARM, Bicep, Terraform, Shipyard, Nextflow) or
    /// directories to walk (`-` for standard input).
    #[arg(required = true)]
    files: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: CheckFormat,
    /// Treat warnings as errors (exit 1 when there are any).
    #[arg(long)]
    deny_warnings: bool,
    /// Hide warnings and notes.
    #[arg(long, short)]
    quiet: bool,
    /// When to use colour.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorChoice,
    /// Host files: kind, placeholder values, which formula.
    #[command(flatten)]
    host: HostArgs,
    /// Apply every machine-applicable fix in place (host files too), then report what is left.
    #[arg(long)]
    fix: bool,
    /// Show the fixes `--fix` would apply as a unified diff on standard output; write nothing.
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// Do not report this warning or note (a code such as `W316` or a name such as
    /// `unused-variable`). Repeatable. Errors cannot be allowed.
    #[arg(long, value_name = "CODE|NAME")]
    allow: Vec<String>,
    /// Report this note as a warning. Repeatable.
    #[arg(long, value_name = "CODE|NAME")]
    warn: Vec<String>,
    /// Report this warning or note as an error (exit 1). Repeatable.
    #[arg(long, value_name = "CODE|NAME")]
    deny: Vec<String>,
}

/// What `--allow`, `--warn` and `--deny` ask for; when a code is named by several, the
/// strictest wins.
#[derive(Debug, Default)]
struct Levels {
    allow: Vec<Code>,
    warn: Vec<Code>,
    deny: Vec<Code>,
}

impl Levels {
    fn new(args: &Args) -> Result<Levels, String> {
        let codes = |flag: &str, names: &[String]| -> Result<Vec<Code>, String> {
            names
                .iter()
                .flat_map(|n| n.split(','))
                .map(|n| Code::lookup(n).ok_or_else(|| format!("--{flag} {n}: no such diagnostic code or name")))
                .collect()
        };
        let levels = Levels {
            allow: codes("allow", &args.allow)?,
            warn: codes("warn", &args.warn)?,
            deny: codes("deny", &args.deny)?,
        };
        if let Some(c) = levels.allow.iter().find(|c| c.severity() == Severity::Error) {
            return Err(format!(
                "--allow {}: {} is an error, and errors cannot be allowed (the service would reject the formula)",
                c.as_str(),
                c.name()
            ));
        }
        Ok(levels)
    }

    fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter_map(|mut d| {
                if self.deny.contains(&d.code) {
                    d.severity = Severity::Error;
                } else if self.warn.contains(&d.code) {
                    d.severity = d.severity.max(Severity::Warning);
                } else if self.allow.contains(&d.code) {
                    return None;
                }
                Some(d)
            })
            .collect()
    }
}

/// One formula's findings.
struct Checked {
    name: Option<String>,
    kind: HostKind,
    diagnostics: Vec<Diagnostic>,
}

/// Print `error: message` and give exit status 2.
fn usage(message: impl std::fmt::Display) -> ExitCode {
    errln!("error: {message}");
    ExitCode::from(2)
}

/// Whether a file a directory walk found but could not read as a host mentions a formula at all
/// (an unrelated broken JSON file is not this command's business).
fn mentions_formula(text: &str) -> bool {
    ["autoScaleFormula", "formula", "scaleFormula"].iter().any(|k| text.contains(k))
}

/// Run `check`: 0 no errors, 1 errors (or warnings with `--deny-warnings`), 2 I/O errors.
pub fn run(args: Args) -> ExitCode {
    let levels = match Levels::new(&args) {
        Ok(l) => l,
        Err(m) => return usage(m),
    };
    let vars = match args.host.vars() {
        Ok(v) => v,
        Err(m) => return usage(m),
    };
    // Expand directories.
    let mut inputs: Vec<(String, bool)> = Vec::new();
    let mut walked_any = false;
    for path in &args.files {
        if path != "-" && Path::new(path).is_dir() {
            walked_any = true;
            match host::walk(Path::new(path)) {
                Ok(files) => inputs.extend(files.into_iter().map(|p| (p.to_string_lossy().into_owned(), true))),
                Err(m) => return usage(m),
            }
        } else {
            inputs.push((path.clone(), false));
        }
    }
    let mut failed = false;
    let mut io_error = false;
    let mut json_files = Vec::new();
    let mut findings_storage: Vec<(String, String, Vec<Checked>)> = Vec::new();
    let color = args.color.stderr();
    for (path, walked) in &inputs {
        let name = display_name(path);
        let mut text = match read_source(path) {
            Ok(s) => s,
            Err(message) => {
                errln!("error: {message}");
                io_error = true;
                continue;
            }
        };
        let kind = args.host.host.unwrap_or_else(|| detect_kind(path, &text));
        if *walked && kind == HostKind::Formula && !host::is_formula_file(Path::new(path)) {
            continue;
        }
        let mut checked = match check_text(path, &text, &args, &vars, &levels) {
            Ok(c) => c,
            Err(e) => {
                if *walked && !mentions_formula(&text) {
                    continue;
                }
                errln!("error: {}", HostErrorDisplay(&name, &e));
                io_error = true;
                continue;
            }
        };
        if checked.is_empty() {
            if !*walked {
                errln!("{name}: no autoscale formula found (read as {kind})");
            }
            continue;
        }
        if args.fix || args.diff {
            let all: Vec<&Diagnostic> = checked.iter().flat_map(|c| c.diagnostics.iter()).collect();
            let (fixed, count) = fix::apply(&text, &all);
            if count > 0 {
                if args.diff {
                    out!("{}", fix::unified_diff(&name, &text, &fixed));
                } else if path == "-" {
                    errln!("error: <stdin>: --fix writes files in place; use --diff for standard input");
                    io_error = true;
                } else {
                    if let Err(m) = super::output::replace_file(Path::new(path), &fixed) {
                        errln!("error: {m}");
                        io_error = true;
                        continue;
                    }
                    errln!("{name}: applied {}", counted(count, "fix"));
                    text = fixed;
                    match check_text(path, &text, &args, &vars, &levels) {
                        Ok(c) => checked = c,
                        Err(e) => {
                            errln!("error: {}", HostErrorDisplay(&name, &e));
                            io_error = true;
                            continue;
                        }
                    }
                }
            }
        }
        let index = LineIndex::new(&text);
        for c in &checked {
            let errors = c.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
            let warnings = c.diagnostics.iter().filter(|d| d.severity == Severity::Warning).count();
            if errors > 0 || (args.deny_warnings && warnings > 0) {
                failed = true;
            }
            match args.format {
                CheckFormat::Json => {
                    let diagnostics: Vec<_> = c.diagnostics.iter().map(|d| json_diagnostic(&index, d)).collect();
                    let mut entry = serde_json::json!({
                        "path": name,
                        "errors": errors,
                        "warnings": warnings,
                        "diagnostics": diagnostics,
                    });
                    if let Some(formula) = &c.name {
                        entry["formula"] = serde_json::json!(formula);
                        entry["host"] = serde_json::json!(c.kind.name());
                    }
                    json_files.push(entry);
                }
                CheckFormat::Human => {
                    let shown = c.diagnostics.iter().filter(|d| !args.quiet || d.severity == Severity::Error);
                    err!("{}", render_diagnostics(&name, &text, shown, color));
                    let label = match &c.name {
                        Some(formula) => format!("{name} [{formula}]"),
                        None => name.clone(),
                    };
                    let counts = format!("{}, {}", counted(errors, "error"), counted(warnings, "warning"));
                    if errors > 0 {
                        errln!("{label}: has errors ({counts})");
                    } else if args.deny_warnings && warnings > 0 {
                        errln!("{label}: failed: --deny-warnings and {counts}");
                    } else {
                        errln!("{label}: ok ({counts})");
                    }
                }
                CheckFormat::Sarif | CheckFormat::Github => {}
            }
        }
        findings_storage.push((name, text, checked));
    }
    let formulas: usize = findings_storage.iter().map(|(_, _, c)| c.len()).sum();
    let count = |s: Severity| -> usize {
        findings_storage
            .iter()
            .flat_map(|(_, _, c)| c.iter().flat_map(|c| c.diagnostics.iter()))
            .filter(|d| d.severity == s)
            .count()
    };
    match args.format {
        CheckFormat::Json => {
            let doc = serde_json::json!({ "files": json_files });
            outln!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        }
        CheckFormat::Human => {
            if walked_any || formulas > 1 {
                let files = findings_storage.len();
                errln!(
                    "checked {} in {}: {}, {}",
                    counted(formulas, "formula"),
                    counted(files, "file"),
                    counted(count(Severity::Error), "error"),
                    counted(count(Severity::Warning), "warning")
                );
            }
        }
        CheckFormat::Sarif | CheckFormat::Github => {
            let mut findings = Vec::new();
            let indexes: Vec<LineIndex> = findings_storage.iter().map(|(_, text, _)| LineIndex::new(text)).collect();
            for ((name, _, checked), index) in findings_storage.iter().zip(&indexes) {
                for c in checked {
                    for d in &c.diagnostics {
                        if args.quiet && d.severity != Severity::Error {
                            continue;
                        }
                        findings.push(Finding {
                            path: name,
                            formula: c.name.as_deref(),
                            diagnostic: d,
                            start: index.line_col(d.span.start as usize),
                            end: index.line_col(d.span.end as usize),
                        });
                    }
                }
            }
            if args.format == CheckFormat::Sarif {
                outln!("{}", serde_json::to_string_pretty(&ci::sarif(&findings)).unwrap_or_default());
            } else {
                for f in &findings {
                    outln!("{}", ci::github(f));
                }
            }
        }
    }
    if io_error {
        ExitCode::from(2)
    } else if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Every formula of one file checked, with the levels applied.
fn check_text(
    path: &str,
    text: &str,
    args: &Args,
    vars: &crate::hosts::Vars,
    levels: &Levels,
) -> Result<Vec<Checked>, crate::hosts::HostError> {
    let found = find_formulas(path, text, args.host.host)?;
    Ok(found
        .iter()
        .filter(|f| args.host.select.as_ref().is_none_or(|p| &f.name == p))
        .map(|f| Checked {
            name: (f.kind != HostKind::Formula).then(|| f.name.clone()),
            kind: f.kind,
            diagnostics: levels.apply(f.check(vars).diagnostics),
        })
        .collect())
}
