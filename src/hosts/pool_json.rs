//! Pool JSON in every shape it comes in: the `az batch pool create --json-file` body and the
//! REST body (`autoScaleFormula`, `autoScaleEvaluationInterval`, `enableAutoScale`), a job's
//! `poolInfo.autoPoolSpecification.pool`, `az batch pool show` output (with the pool's state),
//! lists of any of these — and ARM templates, whose pools the [`arm`](super::arm) module reads.
//! One walk over the document finds every formula in file order.

use super::json::{self, Node, Value};
use super::map::Quoting;
use super::{arm, hosted, HostKind, HostedFormula, Located, PoolCounts};

/// Every formula of a JSON document; `show` reads every pool as `az batch pool show` output
/// (`--host pool-show`), else the pool's own fields tell.
pub(crate) fn find(text: &str, path: &str, show: bool) -> Result<Vec<HostedFormula>, (usize, String)> {
    let root = json::parse(text)?;
    let mut out = Vec::new();
    walk(&root, &root, &mut Vec::new(), (path, show), &mut out);
    Ok(out)
}

fn walk<'a>(root: &Node, node: &'a Node, trail: &mut Vec<(&'a str, &'a Node)>, path: (&str, bool), out: &mut Vec<HostedFormula>) {
    match &node.value {
        Value::Object(members) => {
            if let Some(f) = node.get("autoScaleFormula").and_then(|f| f.str().map(|s| (f, s))) {
                out.push(pool_formula(node, f.0, f.1, trail, path.0, path.1));
            } else if let Some(f) = arm::formula(root, node, trail) {
                out.push(f);
                return;
            }
            for m in members {
                trail.push((&m.key, node));
                walk(root, &m.value, trail, path, out);
                trail.pop();
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(root, item, trail, path, out);
            }
        }
        _ => {}
    }
}

/// The name of a pool object: its `id`, else the ancestor's id and the path of keys to it.
pub(crate) fn name_of(node: &Node, trail: &[(&str, &Node)], fallback: &str) -> String {
    if let Some(id) = node.get("id").or_else(|| node.get("name")).and_then(Node::str) {
        return id.text.clone();
    }
    let owner = trail
        .iter()
        .rev()
        .find_map(|(_, n)| n.get("id").and_then(Node::str).map(|s| (s.text.clone(), *n)));
    let keys: Vec<&str> = match &owner {
        Some((_, owner_node)) => {
            let from = trail.iter().rposition(|(_, n)| std::ptr::eq(*n, *owner_node)).unwrap_or(0);
            trail[from..].iter().map(|(k, _)| *k).collect()
        }
        None => trail.iter().map(|(k, _)| *k).collect(),
    };
    match (owner, keys.is_empty()) {
        (Some((id, _)), false) => format!("{id}: {}", keys.join(".")),
        (Some((id, _)), true) => id,
        (None, false) => keys.join("."),
        (None, true) => fallback.rsplit(['/', '\\']).next().unwrap_or(fallback).to_string(),
    }
}

fn pool_formula(node: &Node, value: &Node, s: &json::Str, trail: &[(&str, &Node)], path: &str, show: bool) -> HostedFormula {
    let show = show || node.get("allocationState").is_some() || node.get("currentDedicatedNodes").is_some();
    let kind = if show { HostKind::PoolShow } else { HostKind::PoolJson };
    let mut f = hosted(
        kind,
        name_of(node, trail, path),
        s.text.clone(),
        s.map.clone(),
        Quoting::Json,
        value.span,
    );
    f.interval = node.get("autoScaleEvaluationInterval").and_then(|i| {
        i.str().map(|s| Located {
            value: s.text.clone(),
            span: i.span,
        })
    });
    f.autoscale = node
        .get("enableAutoScale")
        .and_then(|e| e.bool().map(|b| Located { value: b, span: e.span }));
    if show {
        f.pool = Some(counts(node));
    } else if f.autoscale.as_ref().is_none_or(|a| a.value) {
        f.fixed_scale = node
            .get("targetDedicatedNodes")
            .or_else(|| node.get("targetLowPriorityNodes"))
            .filter(|n| n.number().is_some_and(|v| v > 0.0))
            .map(|n| n.span);
    }
    f
}

/// The pool's state written in a pool object of `az batch pool show` output.
fn counts(node: &Node) -> PoolCounts {
    let n = |key: &str| node.get(key).and_then(Node::number);
    PoolCounts {
        current_dedicated: n("currentDedicatedNodes"),
        current_low_priority: n("currentLowPriorityNodes"),
        target_dedicated: n("targetDedicatedNodes"),
        target_low_priority: n("targetLowPriorityNodes"),
        task_slots_per_node: n("taskSlotsPerNode").or_else(|| n("maxTasksPerNode")),
    }
}

/// The pool state of `az batch pool show` output (a pool object with `allocationState` or
/// `currentDedicatedNodes`), whether or not it has a formula; `None` for any other JSON.
pub(crate) fn pool_state(text: &str) -> Result<Option<PoolCounts>, (usize, String)> {
    let root = super::json::parse(text)?;
    let show = root.get("allocationState").is_some() || root.get("currentDedicatedNodes").is_some();
    Ok(show.then(|| counts(&root)))
}
