//! Reading formulas from host files for every command: `--host`, `--var`, `--select`, walking
//! directories, and loading one formula (with its interval and pool state) for `eval`,
//! `replay`, `simulate`, `compare` and `sweep`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::hosts::{find_formulas, HostKind, HostedFormula, Resolved, Vars};
use crate::{Formula, Severity, TimeInterval};

use super::render::{display_name, read_source, render_diagnostic};

/// Options for formulas kept in host files (pool JSON, ARM, Bicep, Terraform, Shipyard, Nextflow).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct HostArgs {
    /// Read the file as this kind instead of guessing from its name and content: formula,
    /// pool-json, pool-show, arm, bicep, terraform, shipyard, nextflow.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    pub host: Option<HostKind>,
    /// Give a template placeholder its value (`${var.max_nodes}`, `{0}`, `{{max}}`, `$(max)`,
    /// `%(max)s`, ARM `[parameters('formula')]`): `--var max_nodes=10`. Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// In a host file with several formulas, the one to use (its name in `check`'s output).
    #[arg(long = "select", value_name = "NAME")]
    pub select: Option<String>,
}

fn parse_kind(s: &str) -> Result<HostKind, String> {
    HostKind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = HostKind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown host kind `{s}`; one of {}", names.join(", "))
    })
}

impl HostArgs {
    /// The `--var` values, or the usage error.
    pub fn vars(&self) -> Result<Vars, String> {
        Vars::parse(self.vars.iter().map(String::as_str))
    }
}

/// One formula of a file, its placeholders substituted, ready to compile.
pub struct Source {
    /// For titles and tables: the path, and the formula's name for a host file.
    pub label: String,
    /// The file's display name.
    pub name: String,
    /// The whole file.
    pub host_text: String,
    /// The formula as found.
    pub hosted: HostedFormula,
    /// Its text with placeholders substituted, and the map back to the file.
    pub resolved: Resolved,
    /// The host file's evaluation interval, when it gives one.
    pub interval: Option<TimeInterval>,
}

impl Source {
    /// Render a diagnostic of the formula text at its position in the file.
    pub fn render(&self, d: &crate::Diagnostic, color: bool) -> String {
        let d = crate::hosts::map_diagnostic(&self.resolved.map, self.hosted.quoting, d.clone());
        render_diagnostic(&self.name, &self.host_text, &d, color)
    }

    /// Render diagnostics of the formula text at their positions in the file, at most
    /// [`super::render::MAX_RENDERED`] of them (the others counted).
    pub fn render_all<'a>(&self, diagnostics: impl IntoIterator<Item = &'a crate::Diagnostic>, color: bool) -> String {
        let mapped: Vec<_> = diagnostics
            .into_iter()
            .map(|d| crate::hosts::map_diagnostic(&self.resolved.map, self.hosted.quoting, d.clone()))
            .collect();
        super::render::render_diagnostics(&self.name, &self.host_text, &mapped, color)
    }
}

/// The label of a formula of `path`: the path alone for a plain formula file.
pub fn label(path: &str, f: &HostedFormula) -> String {
    let name = display_name(path);
    if f.kind == HostKind::Formula {
        name
    } else {
        format!("{name} [{}]", f.name)
    }
}

/// Print `error: message` and give exit status 2.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    errln!("error: {message}");
    ExitCode::from(2)
}

/// Every formula of `path` (one for a plain formula file; `--select` picks one) with its
/// placeholders substituted. Errors are rendered at their host positions: exit 1 for a formula
/// with a placeholder left or a refused interval, 2 for a file that cannot be read.
pub fn load_sources(path: &str, args: &HostArgs) -> Result<Vec<Source>, ExitCode> {
    let vars = args.vars().map_err(fail)?;
    let text = read_source(path).map_err(fail)?;
    let name = display_name(path);
    let mut found = find_formulas(path, &text, args.host).map_err(|e| fail(HostErrorDisplay(&name, &e)))?;
    if found.is_empty() {
        return Err(fail(format!("{name}: no autoscale formula found in this file")));
    }
    if let Some(pool) = &args.select {
        let names: Vec<String> = found.iter().map(|f| f.name.clone()).collect();
        found.retain(|f| &f.name == pool);
        if found.is_empty() {
            return Err(fail(format!(
                "{name}: no formula named `{pool}`; the file has {}",
                names.join(", ")
            )));
        }
    }
    let mut out = Vec::new();
    let mut failed = false;
    for hosted in found {
        let interval = match hosted.interval_value() {
            Some(Ok(i)) => Some(i),
            Some(Err(message)) => {
                let span = hosted.interval.as_ref().map(|i| i.span).unwrap_or_default();
                let d = crate::Diagnostic::new(crate::Code::InvalidEvaluationInterval, span, message);
                err!("{}", render_diagnostic(&name, &text, &d, false));
                failed = true;
                continue;
            }
            None => None,
        };
        match hosted.resolve(&vars) {
            Ok(resolved) => out.push(Source {
                label: label(path, &hosted),
                name: name.clone(),
                host_text: text.clone(),
                hosted,
                resolved,
                interval,
            }),
            Err(diagnostics) => {
                for d in &diagnostics {
                    err!("{}", render_diagnostic(&name, &text, d, false));
                }
                failed = true;
            }
        }
    }
    if failed {
        return Err(ExitCode::from(1));
    }
    Ok(out)
}

/// Every formula of `path`, compiled (errors rendered at their host positions, exit 1).
pub fn load_all(path: &str, args: &HostArgs) -> Result<Vec<(Source, Formula)>, ExitCode> {
    let mut out = Vec::new();
    let mut failed = false;
    for source in load_sources(path, args)? {
        match Formula::compile(&source.resolved.text) {
            Ok(formula) => out.push((source, formula)),
            Err(e) => {
                for d in e.analysis.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
                    err!("{}", source.render(d, false));
                }
                failed = true;
            }
        }
    }
    if failed {
        return Err(ExitCode::from(1));
    }
    Ok(out)
}

/// The one formula of `path` (`--select` picks one when the file has several), compiled.
pub fn load_one(path: &str, args: &HostArgs) -> Result<(Source, Formula), ExitCode> {
    let mut all = load_all(path, args)?;
    if all.len() > 1 {
        return Err(several(path, all.iter().map(|(s, _)| s)));
    }
    Ok(all.remove(0))
}

/// The usage error for a file with several formulas where one is needed.
pub fn several<'a>(path: &str, sources: impl Iterator<Item = &'a Source>) -> ExitCode {
    let names: Vec<&str> = sources.map(|s| s.hosted.name.as_str()).collect();
    fail(format!(
        "{}: the file has {} formulas ({}); pick one with --select NAME",
        display_name(path),
        names.len(),
        names.join(", ")
    ))
}

/// A host error as `path:line:col: message`.
pub struct HostErrorDisplay<'a>(pub &'a str, pub &'a crate::hosts::HostError);

impl std::fmt::Display for HostErrorDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}: {}", self.0, self.1.line, self.1.column, self.1.message)
    }
}

/// Directories `check` does not enter.
const SKIPPED_DIRS: &[&str] = &[".git", "target", "node_modules"];

/// Plain formula files a directory walk picks up, by extension.
const FORMULA_EXTENSIONS: &[&str] = &["formula", "autoscale"];

/// Host file extensions a directory walk reads (a file is checked only if it holds a formula).
const HOST_EXTENSIONS: &[&str] = &["json", "jsonc", "bicep", "tf", "hcl", "yaml", "yml", "config", "nf", "groovy"];

/// The files under `dir` that may hold a formula, sorted, skipping `.git`, `target` and
/// `node_modules` (iteratively: deep trees cannot overflow the stack; symbolic links to
/// directories are not followed).
pub fn walk(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", d.display()))?;
            let path = entry.path();
            let file_type = entry.file_type().map_err(|e| format!("{}: {e}", path.display()))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if file_type.is_dir() {
                if !SKIPPED_DIRS.contains(&name.as_str()) {
                    pending.push(path);
                }
                continue;
            }
            let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
            if FORMULA_EXTENSIONS.contains(&ext.as_str()) || HOST_EXTENSIONS.contains(&ext.as_str()) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file found by a directory walk is a plain formula file.
pub fn is_formula_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| FORMULA_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}
