//! `check`'s output for CI: SARIF 2.1.0 (code scanning) and GitHub Actions workflow commands.

use crate::{Code, Diagnostic, LineCol, Severity};

/// One diagnostic with its file, formula and host positions, as the CI formats need it.
pub struct Finding<'a> {
    /// The file as given on the command line.
    pub path: &'a str,
    /// The formula's name in a host file.
    pub formula: Option<&'a str>,
    /// The diagnostic (spans in the file).
    pub diagnostic: &'a Diagnostic,
    /// Where it starts.
    pub start: LineCol,
    /// Where it ends.
    pub end: LineCol,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn uri(path: &str) -> String {
    let p = path.replace('\\', "/");
    p.strip_prefix("./").map(str::to_string).unwrap_or(p)
}

/// A SARIF 2.1.0 log with one run: every code as a rule, every finding as a result.
pub fn sarif(findings: &[Finding]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.as_str(),
                "name": c.name(),
                "shortDescription": { "text": c.name().replace('-', " ") },
                "defaultConfiguration": { "level": level(c.severity()) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let d = f.diagnostic;
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut text = d.message.clone();
            if let Some(name) = f.formula {
                text = format!("{text} (formula {name})");
            }
            let mut result = serde_json::json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(f.path) },
                        "region": {
                            "startLine": f.start.line,
                            "startColumn": f.start.column,
                            "endLine": f.end.line,
                            "endColumn": f.end.column,
                        }
                    }
                }],
            });
            if let Some(name) = f.formula {
                result["locations"][0]["logicalLocations"] = serde_json::json!([{ "name": name, "kind": "member" }]);
            }
            result
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "batch-autoscale",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://learn.microsoft.com/azure/batch/batch-automatic-scaling",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// Escape a workflow command's message.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escape a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One GitHub Actions workflow command: `::error file=…,line=…,col=…,title=E210 case-mismatch::…`.
pub fn github(f: &Finding) -> String {
    let d = f.diagnostic;
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut message = d.message.clone();
    if let Some(name) = f.formula {
        message = format!("{message} (formula {name})");
    }
    format!(
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&uri(f.path)),
        f.start.line,
        f.start.column,
        f.end.line,
        f.end.column,
        escape_property(&format!("{} {}", d.code.as_str(), d.code.name())),
        escape_data(&message)
    )
}
