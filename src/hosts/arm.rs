//! ARM templates: `Microsoft.Batch/batchAccounts/pools` resources (at any depth, nested ones
//! included) with `properties.scaleSettings.autoScale.{formula, evaluationInterval}`. A formula
//! written as an ARM expression (`[parameters('formula')]`, `[variables('f')]`) is read from the
//! template's default value when it has one, and `--var formula=…` replaces it. A
//! `[concat('…', parameters('n'), '…')]` of literals and parameters is read too: its literals are
//! the formula's text (mapped back through ARM's `''` and JSON's escapes) and each parameter is a
//! placeholder that its default value or `--var n=…` fills.

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
        Some(expr) => match concat(root, s, expr) {
            Some((text, inner, defaults)) => {
                let mut f = hosted(HostKind::Arm, name, text, s.map.compose(&inner), Quoting::Json, value.span);
                f.defaults = defaults;
                f
            }
            None => reference(root, value, expr, name),
        },
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

/// `concat(…)` of string literals and `parameters('x')` / `variables('x')`: the text (each
/// reference written `{parameters('x')}`, a placeholder), the map from it to `s.text`, and the
/// references' scalar default values by name. `None` for any other expression.
fn concat(root: &Node, s: &Str, expr: &str) -> Option<(String, SourceMap, std::collections::BTreeMap<String, String>)> {
    let base = (expr.as_ptr() as usize).checked_sub(s.text.as_ptr() as usize)?;
    let args_text = expr.strip_prefix("concat")?.trim_start().strip_prefix('(')?.strip_suffix(')')?;
    let args_at = base + (args_text.as_ptr() as usize - expr.as_ptr() as usize);
    let mut text = String::new();
    let mut map = SourceMap::default();
    let mut defaults = std::collections::BTreeMap::new();
    let b = args_text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'\'' => {
                // A literal; `''` is a quote.
                i += 1;
                loop {
                    let rest = args_text.get(i..)?;
                    if rest.starts_with("''") {
                        text.push('\'');
                        map.push(args_at + i, 2, 1, false);
                        i += 2;
                    } else if rest.starts_with('\'') {
                        i += 1;
                        break;
                    } else {
                        let c = rest.chars().next()?;
                        text.push(c);
                        map.push(args_at + i, c.len_utf8(), c.len_utf8(), true);
                        i += c.len_utf8();
                    }
                }
            }
            _ => {
                let end = args_text[i..].find(')').map(|n| i + n + 1)?;
                let call = &args_text[i..end];
                let (kind, var) = simple_reference(call)?;
                let default = match kind {
                    "parameters" => root.path(&["parameters", var, "defaultValue"]),
                    _ => root.path(&["variables", var]),
                };
                if let Some(d) = default {
                    let value = match &d.value {
                        super::json::Value::String(s) => Some(s.text.clone()),
                        super::json::Value::Number(n) => Some(crate::format::format_double(*n)),
                        _ => None,
                    };
                    if let Some(v) = value.filter(|v| expression(v).is_none()) {
                        defaults.insert(var.to_string(), v);
                    }
                }
                let written = format!("{{{call}}}");
                map.push(args_at + i, call.len(), written.len(), false);
                text.push_str(&written);
                i = end;
            }
        }
    }
    map.set_end(args_at + args_text.len());
    Some((text, map, defaults))
}
