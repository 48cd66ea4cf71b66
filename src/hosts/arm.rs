//! ARM templates: `Microsoft.Batch/batchAccounts/pools` resources (at any depth, nested ones
//! included) with `properties.scaleSettings.autoScale.{formula, evaluationInterval}`. A formula
//! written as an ARM expression (`[parameters('formula')]`, `[variables('f')]`) is read from the
//! template's default value when it has one, and `--var formula=…` replaces it.

use super::json::{Node, Str};
use super::map::{Quoting, SourceMap};
use super::pool_json::name_of;
use super::{hosted, HostKind, HostedFormula, Located, Reference};

/// The formula of a pool resource (or a management-plane pool body), if `node` is one.
pub(crate) fn formula(root: &Node, node: &Node, trail: &[(&str, &Node)]) -> Option<HostedFormula> {
    let settings = node.path(&["properties", "scaleSettings"]).or_else(|| node.get("scaleSettings"))?;
    let auto = settings.get("autoScale")?;
    let value = auto.get("formula")?;
    let s = value.str()?;
    let name = readable_name(name_of(node, trail, "pool"));
    let mut f = match expression(&s.text) {
        Some(expr) => reference(root, value, expr, name),
        None if s.text.starts_with("[[") => {
            // `[[` is an escaped `[`: the text starts one character later.
            let mut inner = SourceMap::default();
            inner.push(1, s.text.len() - 1, s.text.len() - 1, true);
            inner.set_end(s.text.len());
            hosted(
                HostKind::Arm,
                name,
                s.text[1..].to_string(),
                s.map.compose(&inner),
                Quoting::Json,
                value.span,
            )
        }
        None => hosted(HostKind::Arm, name, s.text.clone(), s.map.clone(), Quoting::Json, value.span),
    };
    f.interval = auto.get("evaluationInterval").and_then(|i| {
        i.str().map(|s| Located {
            value: s.text.clone(),
            span: i.span,
        })
    });
    f.fixed_scale = settings.get("fixedScale").map(|n| n.span);
    Some(f)
}

/// A resource name written as an expression (`[concat(parameters('account'), '/gpu')]`) is
/// named by its last literal (`gpu`).
fn readable_name(name: String) -> String {
    if expression(&name).is_none() {
        return name;
    }
    let literals: Vec<&str> = name.split('\'').skip(1).step_by(2).collect();
    match literals.iter().rev().map(|l| l.trim_matches('/')).find(|l| !l.is_empty()) {
        Some(l) => l.rsplit('/').next().unwrap_or(l).to_string(),
        None => name,
    }
}

/// The inside of an ARM expression `[…]` (not the `[[` escape).
fn expression(text: &str) -> Option<&str> {
    let t = text.trim();
    if t.starts_with("[[") {
        return None;
    }
    t.strip_prefix('[')?.strip_suffix(']').map(str::trim)
}

/// `parameters('x')` / `variables('x')` → (`parameters`, `x`).
fn simple_reference(expr: &str) -> Option<(&str, &str)> {
    for kind in ["parameters", "variables"] {
        if let Some(rest) = expr.strip_prefix(kind).map(str::trim_start) {
            let arg = rest.strip_prefix('(')?.strip_suffix(')')?.trim();
            let name = arg.strip_prefix('\'')?.strip_suffix('\'')?;
            if !name.contains('\'') {
                return Some((kind, name));
            }
        }
    }
    None
}

fn reference(root: &Node, value: &Node, expr: &str, name: String) -> HostedFormula {
    let f = match simple_reference(expr) {
        Some((kind, var)) => {
            let default: Option<&Str> = match kind {
                "parameters" => root.path(&["parameters", var, "defaultValue"]).and_then(Node::str),
                _ => root.path(&["variables", var]).and_then(Node::str),
            };
            let mut f = match default {
                Some(d) if expression(&d.text).is_none() => {
                    hosted(HostKind::Arm, name, d.text.clone(), d.map.clone(), Quoting::Json, value.span)
                }
                _ => hosted(HostKind::Arm, name, String::new(), SourceMap::default(), Quoting::Json, value.span),
            };
            f.reference = Some(Reference {
                name: var.to_string(),
                written: format!("[{expr}]"),
            });
            f
        }
        None => {
            let mut f = hosted(HostKind::Arm, name, String::new(), SourceMap::default(), Quoting::Json, value.span);
            f.reference = Some(Reference {
                name: "formula".to_string(),
                written: format!("[{expr}]"),
            });
            f
        }
    };
    f
}
