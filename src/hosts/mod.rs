//! Formulas where users keep them: pool JSON (the `az batch pool create --json-file` body, the
//! REST body, a job's `autoPoolSpecification`), `az batch pool show` output, ARM templates,
//! Bicep, Terraform `azurerm_batch_pool`, Batch Shipyard `pool.yaml` and Nextflow config.
//!
//! [`find_formulas`] finds every formula in a file, with the text the service would receive and
//! a [`SourceMap`] back to the file; [`HostedFormula::check`] checks one with its template
//! placeholders substituted, its evaluation interval and its autoscale switch, and reports every
//! diagnostic at its line and column in the host file.
//!
//! The readers are small hand-written scanners for just the paths that hold a formula (no YAML
//! or HCL crate): each one decodes the host's string quoting itself, so positions map exactly.
//!
//! ```
//! use batch_autoscale::hosts::{find_formulas, Vars};
//!
//! let tf = r#"resource "azurerm_batch_pool" "render" {
//!   auto_scale {
//!     evaluation_interval = "PT5M"
//!     formula             = "$TargetDedicatedNodes = min(${var.max_nodes}, $PendingTasks.GetSample(1));"
//!   }
//! }"#;
//! let formulas = find_formulas("main.tf", tf, None).unwrap();
//! assert_eq!(formulas[0].name, "azurerm_batch_pool.render");
//! let report = formulas[0].check(&Vars::default());
//! assert_eq!(report.diagnostics[0].code.as_str(), "E501"); // `${var.max_nodes}` has no value
//! let vars = Vars::parse(["max_nodes=10"]).unwrap();
//! assert!(!formulas[0].check(&vars).diagnostics.iter().any(|d| d.is_error()));
//! ```

mod arm;
mod bicep;
mod interval;
mod json;
mod map;
mod nextflow;
mod placeholders;
mod pool_json;
mod scan;
mod shipyard;
mod terraform;

use std::collections::BTreeMap;

use interval::parse_interval;
pub use map::{Quoting, SourceMap};
use placeholders::find_placeholders;

use crate::diagnostic::{Code, Diagnostic, Edit, Fix};
use crate::syntax::{LineIndex, Span};
use crate::time::TimeInterval;

/// The kinds of file a formula can live in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HostKind {
    /// A plain formula file: the whole file is the formula.
    Formula,
    /// Pool JSON: `az batch pool create --json-file`, the REST body, a job's
    /// `poolInfo.autoPoolSpecification.pool`, or a list of them.
    PoolJson,
    /// `az batch pool show` output: pool JSON with the pool's state.
    PoolShow,
    /// An ARM template with `Microsoft.Batch/batchAccounts/pools` resources.
    Arm,
    /// A Bicep file.
    Bicep,
    /// Terraform `azurerm_batch_pool` resources.
    Terraform,
    /// A Batch Shipyard `pool.yaml`.
    Shipyard,
    /// A Nextflow config (`azure.batch.pools.<name>.scaleFormula`).
    Nextflow,
}

impl HostKind {
    /// Every kind, in the order `--host` lists them.
    pub const ALL: &'static [HostKind] = &[
        HostKind::Formula,
        HostKind::PoolJson,
        HostKind::PoolShow,
        HostKind::Arm,
        HostKind::Bicep,
        HostKind::Terraform,
        HostKind::Shipyard,
        HostKind::Nextflow,
    ];

    /// The name `--host` takes: `formula`, `pool-json`, `pool-show`, `arm`, `bicep`,
    /// `terraform`, `shipyard`, `nextflow`.
    pub fn name(self) -> &'static str {
        match self {
            HostKind::Formula => "formula",
            HostKind::PoolJson => "pool-json",
            HostKind::PoolShow => "pool-show",
            HostKind::Arm => "arm",
            HostKind::Bicep => "bicep",
            HostKind::Terraform => "terraform",
            HostKind::Shipyard => "shipyard",
            HostKind::Nextflow => "nextflow",
        }
    }

    /// The kind named `name` (also `json`, `tf`, `hcl`, `yaml`, `groovy`).
    pub fn from_name(name: &str) -> Option<HostKind> {
        let name = name.trim().to_ascii_lowercase();
        let kind = match name.as_str() {
            "json" | "rest" => HostKind::PoolJson,
            "tf" | "hcl" => HostKind::Terraform,
            "yaml" | "yml" => HostKind::Shipyard,
            "groovy" | "nf" | "config" => HostKind::Nextflow,
            "arm-template" | "template" => HostKind::Arm,
            other => return HostKind::ALL.iter().copied().find(|k| k.name() == other),
        };
        Some(kind)
    }

    /// The kind of a document by its LSP language id (`json`, `bicep`, `terraform`, `yaml`,
    /// `groovy`, `nextflow`), or `None` for the formula language itself and unknown ids.
    pub fn from_language_id(id: &str) -> Option<HostKind> {
        match id {
            "json" | "jsonc" => Some(HostKind::PoolJson),
            "bicep" => Some(HostKind::Bicep),
            "terraform" | "hcl" => Some(HostKind::Terraform),
            "yaml" => Some(HostKind::Shipyard),
            "groovy" | "nextflow" => Some(HostKind::Nextflow),
            _ => None,
        }
    }

    /// The three JSON kinds are read by one reader, which tells them apart per formula.
    fn is_json(self) -> bool {
        matches!(self, HostKind::PoolJson | HostKind::PoolShow | HostKind::Arm)
    }
}

impl std::fmt::Display for HostKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A formula written as a reference to a value given elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The name `--var` gives its value by: `formula` for `var.formula`.
    pub name: String,
    /// As written: `var.formula`, `[parameters('formula')]`.
    pub written: String,
}

/// A value read from the host file with the span of its text there.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Where it is written in the host file.
    pub span: Span,
}

/// The pool's own state, from `az batch pool show` output (each field when present).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolCounts {
    /// `currentDedicatedNodes`.
    pub current_dedicated: Option<f64>,
    /// `currentLowPriorityNodes`.
    pub current_low_priority: Option<f64>,
    /// `targetDedicatedNodes`.
    pub target_dedicated: Option<f64>,
    /// `targetLowPriorityNodes`.
    pub target_low_priority: Option<f64>,
    /// `taskSlotsPerNode` (or the older `maxTasksPerNode`).
    pub task_slots_per_node: Option<f64>,
}

/// One formula found in a host file.
#[derive(Debug, Clone)]
pub struct HostedFormula {
    /// The formula's name in output: the pool id, the resource address (`azurerm_batch_pool.x`),
    /// the Nextflow pool name, or the file name for a plain formula.
    pub name: String,
    /// What kind of file it was found in.
    pub kind: HostKind,
    /// The formula text as the service receives it (the host's escapes undone), placeholders
    /// still in it.
    pub text: String,
    /// From `text` back to the host file.
    pub map: SourceMap,
    /// How the host quotes the text (for writing fixes back).
    pub quoting: Quoting,
    /// The whole value in the host file (quotes included): where host-level diagnostics point.
    pub span: Span,
    /// When the value is not a literal but a reference (`var.formula`, ARM
    /// `[parameters('formula')]`): `text` is then the reference's default value when the file
    /// has one, else empty.
    pub reference: Option<Reference>,
    /// The evaluation interval as written.
    pub interval: Option<Located<String>>,
    /// The autoscale switch (`enableAutoScale`, Nextflow `autoScale`), when written.
    pub autoscale: Option<Located<bool>>,
    /// A fixed-scale setting written beside the formula (ARM `fixedScale`, Terraform
    /// `fixed_scale`, pool JSON `targetDedicatedNodes` in a create body).
    pub fixed_scale: Option<Span>,
    /// The pool's state, for `az batch pool show` output.
    pub pool: Option<PoolCounts>,
    /// What the reader found wrong in the host's own text around the formula (a `$name` that
    /// Groovy would interpolate), in host positions.
    pub findings: Vec<Diagnostic>,
    /// Values the file itself gives placeholders (a Terraform `variable`'s `default`, a Bicep
    /// `param`'s default for a `'…${x}…'` string), used where `--var` gives none.
    pub defaults: BTreeMap<String, String>,
}

/// A file that could not be read as its host kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct HostError {
    /// The file's name as given.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong, e.g. "expected `,` or `}` (reading the file as pool JSON)".
    pub message: String,
}

impl HostError {
    pub(crate) fn at(path: &str, text: &str, offset: usize, message: impl Into<String>) -> HostError {
        let lc = LineIndex::new(text).line_col(offset);
        HostError {
            path: path.to_string(),
            line: lc.line,
            column: lc.column,
            message: message.into(),
        }
    }
}

/// The pool's own state in `az batch pool show` output (current and target node counts, task
/// slots), for use as an evaluation context; `None` when `text` is JSON of another shape.
///
/// ```
/// let show = r#"{"id": "p", "allocationState": "steady", "currentDedicatedNodes": 3, "taskSlotsPerNode": 4}"#;
/// let state = batch_autoscale::hosts::pool_state("pool.json", show).unwrap().unwrap();
/// assert_eq!((state.current_dedicated, state.task_slots_per_node), (Some(3.0), Some(4.0)));
/// assert!(batch_autoscale::hosts::pool_state("ctx.json", r#"{"now": "2026-11-23T12:00:00Z"}"#).unwrap().is_none());
/// ```
pub fn pool_state(path: &str, text: &str) -> Result<Option<PoolCounts>, HostError> {
    pool_json::pool_state(text).map_err(|(offset, message)| HostError::at(path, text, offset, message))
}

/// Values for template placeholders, `NAME=VALUE` as `--var` gives them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    values: BTreeMap<String, String>,
}

impl Vars {
    /// Read `NAME=VALUE` pairs (the name may be written `var.NAME`, as Terraform does).
    ///
    /// ```
    /// let vars = batch_autoscale::hosts::Vars::parse(["max=10", "var.min=1"]).unwrap();
    /// assert_eq!(vars.get("var.max"), Some("10"));
    /// assert_eq!(vars.get("min"), Some("1"));
    /// assert!(batch_autoscale::hosts::Vars::parse(["oops"]).is_err());
    /// ```
    pub fn parse<'a>(pairs: impl IntoIterator<Item = &'a str>) -> Result<Vars, String> {
        let mut vars = Vars::default();
        for pair in pairs {
            let Some((name, value)) = pair.split_once('=') else {
                return Err(format!("--var {pair}: expected NAME=VALUE"));
            };
            let name = name.trim();
            if name.is_empty() {
                return Err(format!("--var {pair}: the name is empty"));
            }
            vars.values.insert(name.to_string(), value.to_string());
        }
        Ok(vars)
    }

    /// The value of a placeholder name, trying its short form (`var.x` → `x`).
    pub fn get(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        if let Some(v) = self.values.get(name) {
            return Some(v);
        }
        let short = short_name(name);
        self.values.iter().find(|(k, _)| short_name(k) == short).map(|(_, v)| v.as_str())
    }

    /// These values, and `defaults` for names they do not give.
    fn with_defaults(&self, defaults: &BTreeMap<String, String>) -> Vars {
        let mut out = self.clone();
        for (k, v) in defaults {
            if self.get(k).is_none() {
                out.values.insert(k.clone(), v.clone());
            }
        }
        out
    }

    /// Whether no value is given.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// `var.x`, `local.x`, `param.x`, `parameters('x')`, `variables('x')` → `x`.
pub(crate) fn short_name(name: &str) -> &str {
    let name = name.trim();
    for prefix in ["var.", "local.", "param.", "params."] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest;
        }
    }
    for prefix in ["parameters(", "variables("] {
        if let Some(rest) = name.strip_prefix(prefix).and_then(|r| r.strip_suffix(')')) {
            return rest.trim().trim_matches('\'');
        }
    }
    name
}

/// What kind of file `path` with contents `text` is: by extension, then by content.
///
/// ```
/// use batch_autoscale::hosts::{detect_kind, HostKind};
/// assert_eq!(detect_kind("pool.json", r#"{"id": "p", "autoScaleFormula": "$TargetDedicatedNodes=1;"}"#), HostKind::PoolJson);
/// assert_eq!(detect_kind("main.tf", ""), HostKind::Terraform);
/// assert_eq!(detect_kind("scale.formula", "$TargetDedicatedNodes = 1;"), HostKind::Formula);
/// ```
pub fn detect_kind(path: &str, text: &str) -> HostKind {
    let lower = path.to_ascii_lowercase();
    let file = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
    let ext = file.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "json" | "jsonc" => return json_kind(text),
        "bicep" => return HostKind::Bicep,
        "tf" | "hcl" => return HostKind::Terraform,
        "yaml" | "yml" => return HostKind::Shipyard,
        "nf" | "groovy" => return HostKind::Nextflow,
        "config" if file.contains("nextflow") => return HostKind::Nextflow,
        _ => {}
    }
    if file == "nextflow.config" {
        return HostKind::Nextflow;
    }
    // By content, for files without a telling extension (`-`, `pool.txt`).
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if text.contains("autoScaleFormula") || text.contains("scaleSettings") {
            return json_kind(text);
        }
        return HostKind::Formula;
    }
    if text.contains("azurerm_batch_pool") {
        return HostKind::Terraform;
    }
    if text.contains("Microsoft.Batch/batchAccounts") && text.contains("resource ") {
        return HostKind::Bicep;
    }
    if text.contains("pool_specification:") {
        return HostKind::Shipyard;
    }
    if text.contains("scaleFormula") {
        return HostKind::Nextflow;
    }
    HostKind::Formula
}

fn json_kind(text: &str) -> HostKind {
    if text.contains("deploymentTemplate.json") || text.contains("Microsoft.Batch/batchAccounts") {
        HostKind::Arm
    } else if text.contains("\"allocationState\"") || text.contains("\"currentDedicatedNodes\"") {
        HostKind::PoolShow
    } else {
        HostKind::PoolJson
    }
}

/// Every formula in a host file, in file order. A plain formula file gives one formula, the
/// whole text. `forced` overrides the kind [`detect_kind`] would choose.
///
/// A host file that holds no formula gives an empty list; one that cannot be read as its kind
/// (broken JSON, an unterminated heredoc) gives the error at its position.
pub fn find_formulas(path: &str, text: &str, forced: Option<HostKind>) -> Result<Vec<HostedFormula>, HostError> {
    let kind = forced.unwrap_or_else(|| detect_kind(path, text));
    let found = match kind {
        HostKind::Formula => Ok(vec![plain(path, text)]),
        k if k.is_json() => pool_json::find(text, path, forced == Some(HostKind::PoolShow)),
        HostKind::Bicep => bicep::find(text),
        HostKind::Terraform => terraform::find(text),
        HostKind::Shipyard => shipyard::find(text),
        _ => nextflow::find(text),
    };
    found.map_err(|(offset, message)| HostError::at(path, text, offset, format!("{message} (reading the file as {kind})")))
}

fn plain(path: &str, text: &str) -> HostedFormula {
    HostedFormula {
        name: file_name(path),
        kind: HostKind::Formula,
        text: text.to_string(),
        map: SourceMap::identity(text.len()),
        quoting: Quoting::Raw,
        span: Span::new(0, text.len()),
        reference: None,
        interval: None,
        autoscale: None,
        fixed_scale: None,
        pool: None,
        findings: Vec::new(),
        defaults: BTreeMap::new(),
    }
}

fn file_name(path: &str) -> String {
    if path == "-" {
        return "<stdin>".into();
    }
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

/// A new formula with the common fields empty.
pub(crate) fn hosted(kind: HostKind, name: String, text: String, map: SourceMap, quoting: Quoting, span: Span) -> HostedFormula {
    HostedFormula {
        name,
        kind,
        text,
        map,
        quoting,
        span,
        reference: None,
        interval: None,
        autoscale: None,
        fixed_scale: None,
        pool: None,
        findings: Vec::new(),
        defaults: BTreeMap::new(),
    }
}

/// The text of a hosted formula with its placeholders substituted, ready to check or compile.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The formula text.
    pub text: String,
    /// From `text` to the host file.
    pub map: SourceMap,
}

/// The result of [`HostedFormula::check`].
#[derive(Debug, Clone)]
pub struct HostCheck {
    /// Every diagnostic, with spans (and fix edits) in the host file, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// The formula as checked, when every placeholder had a value.
    pub resolved: Option<Resolved>,
}

impl HostedFormula {
    /// The formula text with every placeholder given by `vars` substituted, or the one error
    /// per missing value (at its position in the host file).
    pub fn resolve(&self, vars: &Vars) -> Result<Resolved, Vec<Diagnostic>> {
        let (text, map) = match &self.reference {
            Some(reference) => match vars.get(&reference.name) {
                Some(value) => {
                    let mut map = SourceMap::default();
                    map.push(self.span.start as usize, self.span.len(), value.len(), false);
                    map.set_end(self.span.end as usize);
                    (value.to_string(), map)
                }
                None if self.text.is_empty() => {
                    let d = Diagnostic::new(
                        Code::TemplatePlaceholder,
                        self.span,
                        format!(
                            "the formula is `{}`, not text: give its value with --var {}=…",
                            reference.written,
                            short_name(&reference.name)
                        ),
                    );
                    return Err(vec![d]);
                }
                None => (self.text.clone(), self.map.clone()),
            },
            None => (self.text.clone(), self.map.clone()),
        };
        let found = find_placeholders(&text, self.kind);
        if found.is_empty() {
            return Ok(Resolved { text, map });
        }
        let (out, inner, missing) = placeholders::substitute(&text, &found, &vars.with_defaults(&self.defaults));
        // A plain formula file is what the service receives: a `{` left in it is the checker's
        // to report (E108), as the service would; only values given with --var are filled in.
        if !missing.is_empty() && self.kind != HostKind::Formula {
            let mut seen = std::collections::BTreeSet::new();
            let diagnostics = missing
                .into_iter()
                .filter(|p| seen.insert(p.name.clone()))
                .map(|p| {
                    let span = map.span_to_host(p.span);
                    let short = short_name(&p.name);
                    let count = found.iter().filter(|q| q.name == p.name).count();
                    let mut d = Diagnostic::new(
                        Code::TemplatePlaceholder,
                        span,
                        format!("template placeholder `{}`: give its value with --var {short}=…", p.raw),
                    )
                    .with_note("the formula is checked once every placeholder has a value");
                    if count > 1 {
                        d = d.with_note(format!("`{}` appears {count} times; one value fills them all", p.raw));
                    }
                    if self.kind == HostKind::Bicep && self.quoting == Quoting::Raw {
                        d = d.with_note("Bicep does not interpolate inside a '''…''' string: the service receives this text as written");
                    }
                    d
                })
                .collect();
            return Err(diagnostics);
        }
        Ok(Resolved {
            map: map.compose(&inner),
            text: out,
        })
    }

    /// The evaluation interval, when the file gives one it can be read: `Some(Err(message))`
    /// when it is written but refused.
    pub fn interval_value(&self) -> Option<Result<TimeInterval, String>> {
        self.interval.as_ref().map(|i| parse_interval(&i.value, self.kind))
    }

    /// Check the formula with `vars` substituted, its interval and its autoscale switch. Inline
    /// `// batch-autoscale: allow(…)` comments are honoured; every span is in the host file.
    pub fn check(&self, vars: &Vars) -> HostCheck {
        let mut diagnostics = self.host_diagnostics();
        let resolved = match self.resolve(vars) {
            Ok(r) => {
                let analysis = crate::check::check(&r.text);
                let mut formula_diagnostics = analysis.diagnostics;
                // A `time("{{poolCreationTime}}")` the host fills in when it creates the pool
                // (Nextflow) is the pool's real creation time: the age it gives is right (W320).
                let filled_time = find_placeholders(&self.text, self.kind).iter().any(|p| {
                    self.text
                        .get(..p.span.start as usize)
                        .is_some_and(|before| before.trim_end_matches([' ', '\t']).ends_with("time(\""))
                });
                if filled_time {
                    formula_diagnostics.retain(|d| d.code != Code::AgeFromFixedTime);
                }
                crate::check::allow::apply_inline(&r.text, &analysis.formula, &mut formula_diagnostics);
                diagnostics.extend(formula_diagnostics.into_iter().map(|d| map_diagnostic(&r.map, self.quoting, d)));
                Some(r)
            }
            Err(errors) => {
                diagnostics.extend(errors);
                None
            }
        };
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
        HostCheck { diagnostics, resolved }
    }

    /// Diagnostics about the host's settings: the interval and the autoscale switch.
    fn host_diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = self.findings.clone();
        if let (Some(interval), Some(Err(message))) = (&self.interval, self.interval_value()) {
            out.push(Diagnostic::new(Code::InvalidEvaluationInterval, interval.span, message));
        }
        if let Some(Located { value: false, span }) = &self.autoscale {
            out.push(
                Diagnostic::new(
                    Code::AutoscaleDisabled,
                    *span,
                    "autoscale is switched off here, so the service never evaluates this formula",
                )
                .with_label(self.span, "this formula")
                .with_note("switch autoscale on, or remove the formula"),
            );
        } else if let Some(span) = self.fixed_scale {
            out.push(
                Diagnostic::new(
                    Code::AutoscaleDisabled,
                    span,
                    "a fixed scale is set beside the autoscale formula; the service accepts only one of them",
                )
                .with_label(self.span, "this formula"),
            );
        }
        out
    }
}

/// A diagnostic of the formula text moved into the host file: its span, labels and fix (a fix
/// whose edits cannot be placed exactly, e.g. inside an escape, is dropped).
pub(crate) fn map_diagnostic(map: &SourceMap, quoting: Quoting, mut d: Diagnostic) -> Diagnostic {
    d.span = map.span_to_host(d.span);
    for l in &mut d.labels {
        l.span = map.span_to_host(l.span);
    }
    if let Some(fix) = d.fix.take() {
        let edits: Option<Vec<Edit>> = fix
            .edits
            .iter()
            .map(|e| {
                map.edit_to_host(e.span).map(|span| Edit {
                    span,
                    replacement: quoting.encode(&e.replacement),
                })
            })
            .collect();
        d.fix = edits.map(|edits| Fix {
            message: fix.message,
            edits,
        });
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_round_trip() {
        for kind in HostKind::ALL {
            assert_eq!(HostKind::from_name(kind.name()), Some(*kind));
        }
        assert_eq!(HostKind::from_name("tf"), Some(HostKind::Terraform));
        assert_eq!(HostKind::from_name("nonsense"), None);
    }

    #[test]
    fn short_names() {
        assert_eq!(short_name("var.max"), "max");
        assert_eq!(short_name("parameters('formula')"), "formula");
        assert_eq!(short_name("plain"), "plain");
    }
}
