//! Context files (`eval --context`): the JSON the conformance cases call `context`, read with
//! every problem located at its line and column, and the checks of the pool's values.

use std::collections::BTreeMap;
use std::path::Path;

use super::input::read_text;
use super::location::{json_error, json_place, line_column, DataError};
use crate::eval::{ContextError, ContextSpec, MetricSpec, OwnedContext};
use crate::time::Timestamp;

/// A context file (`eval --context`): the `context` object of the conformance cases. The text
/// is kept so that a problem found while building the context (a time without a zone, an
/// unknown metric) is reported at its line and column.
#[derive(Debug, Clone, Default)]
pub struct ContextFile {
    /// The parsed context; callers may override fields before [`ContextFile::build`].
    pub spec: ContextSpec,
    path: String,
    text: String,
}

impl ContextFile {
    /// Build the context (see [`ContextSpec::build`]), with errors located in the file.
    pub fn build(&self, default_now: Timestamp) -> Result<OwnedContext, DataError> {
        self.spec
            .build(default_now)
            .map_err(|e| context_error_at(&self.text, &self.path, &e, true))
    }
}

/// Read a context file (see [`ContextFile`]).
pub fn load_context(path: &Path) -> Result<ContextFile, DataError> {
    let text = read_text(path)?;
    parse_context_file(text, &path.display().to_string())
}

/// A context file from its text (see [`ContextFile`]); `path` names it in errors.
pub fn parse_context_file(text: String, path: &str) -> Result<ContextFile, DataError> {
    let spec = parse_context(&text, path)?;
    Ok(ContextFile {
        spec,
        path: path.into(),
        text,
    })
}

/// Parse the text of a context file: a JSON object with `now`, `pool`, `metrics`,
/// `samplePublicationDelaySeconds`, `random` and `seed`, all optional.
pub fn parse_context(text: &str, path: &str) -> Result<ContextSpec, DataError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    if !value.is_object() {
        let start = text.len() - text.trim_start().len();
        let (line, column) = line_column(&text[..start]);
        return Err(DataError::At {
            path: path.into(),
            line,
            column,
            message: "a context is a JSON object such as {\"now\": \"2026-11-23T12:00:00Z\", \"pool\": {\"targetDedicatedNodes\": 2}, \"metrics\": {…}}".into(),
        });
    }
    let spec: ContextSpec = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    let at_key = |keys: &[&str], message: String| {
        let (line, column) = json_place(text, keys).map_or((1, 1), |(_, value)| line_column(&text[..value]));
        DataError::At {
            path: path.into(),
            line,
            column,
            message,
        }
    };
    let p = &spec.pool;
    for (field, value) in [
        ("targetDedicatedNodes", p.target_dedicated_nodes),
        ("targetLowPriorityNodes", p.target_low_priority_nodes),
        ("currentDedicatedNodes", p.current_dedicated_nodes),
        ("currentLowPriorityNodes", p.current_low_priority_nodes),
        ("taskSlotsPerNode", p.task_slots_per_node),
        ("usableNodeCount", p.usable_node_count),
    ] {
        check_pool_value(field, value).map_err(|m| at_key(&["pool", field], format!("pool.{field}: {value}: {m}")))?;
    }
    if let Some(d) = spec.sample_publication_delay_seconds {
        if !(0.0..=MAX_SECONDS_FIELD).contains(&d) {
            return Err(at_key(
                &["samplePublicationDelaySeconds"],
                format!("samplePublicationDelaySeconds: {d} is not a delay from 0 to {MAX_SECONDS_FIELD} seconds (a year)"),
            ));
        }
    }
    check_periods(text, path, &spec.metrics, true)?;
    if let Some(bad) = spec.random.iter().flatten().find(|r| !(0.0..1.0).contains(*r)) {
        return Err(at_key(
            &["random"],
            format!("random: {bad} is not a rand() value; each is at least 0 and less than 1"),
        ));
    }
    Ok(spec)
}

/// The most seconds a delay or a sample period in a context or metric file may be: a year.
pub const MAX_SECONDS_FIELD: f64 = 31_536_000.0;

/// Check every metric's `periodSeconds` (more than 0, at most [`MAX_SECONDS_FIELD`]), at its
/// place in `text` (under `"metrics"` when `wrapped`).
pub(super) fn check_periods(text: &str, path: &str, metrics: &BTreeMap<String, MetricSpec>, wrapped: bool) -> Result<(), DataError> {
    for (name, m) in metrics {
        if !(m.period_seconds > 0.0 && m.period_seconds <= MAX_SECONDS_FIELD) {
            let keys: Vec<&str> = if wrapped {
                vec!["metrics", name, "periodSeconds"]
            } else {
                vec![name, "periodSeconds"]
            };
            let (line, column) = json_place(text, &keys).map_or((1, 1), |(_, value)| line_column(&text[..value]));
            return Err(DataError::At {
                path: path.into(),
                line,
                column,
                message: format!(
                    "{name}.periodSeconds: {} is not a sample period; expected more than 0 and at most {MAX_SECONDS_FIELD} seconds (a year)",
                    m.period_seconds
                ),
            });
        }
    }
    Ok(())
}

/// Check a value of the pool's state (a context's `pool` field or the matching flag, named by
/// its camelCase `field`): `taskSlotsPerNode` is a whole number from 1 to 256 (the service's
/// limit), the node counts and targets are finite and not negative.
pub fn check_pool_value(field: &str, value: f64) -> Result<(), String> {
    if field == "taskSlotsPerNode" {
        if value.fract() != 0.0 || !value.is_finite() {
            return Err("expected a whole number of task slots, 1 to 256".into());
        }
        if !(1.0..=256.0).contains(&value) {
            return Err("a node has 1 to 256 task slots".into());
        }
        return Ok(());
    }
    if !value.is_finite() {
        return Err("expected a finite number".into());
    }
    if value < 0.0 {
        return Err("must be at least 0".into());
    }
    Ok(())
}

/// Locate a [`ContextError`] in the JSON it came from: the key path it names, under
/// `"metrics"` when `wrapped` (a context file), at the top level otherwise (a bare metrics
/// object). Without a location the error still names the file.
pub(super) fn context_error_at(text: &str, path: &str, e: &ContextError, wrapped: bool) -> DataError {
    let (mut keys, at_key): (Vec<&str>, bool) = match e {
        ContextError::BadTime { field, .. } if field == "now" => (vec!["now"], false),
        ContextError::BadTime { field, .. } => match field.strip_prefix("metrics.").and_then(|r| r.rsplit_once('.')) {
            Some((name, last)) => (vec!["metrics", name, last], false),
            None => (Vec::new(), false),
        },
        ContextError::UnknownMetric { name, .. } => (vec!["metrics", name], true),
        ContextError::BadPeriod { metric } => (vec!["metrics", metric, "periodSeconds"], false),
        ContextError::BadSamples { metric, .. } => (vec!["metrics", metric, "values"], false),
        ContextError::BadDelay => (vec!["samplePublicationDelaySeconds"], false),
    };
    if !wrapped && keys.first() == Some(&"metrics") {
        keys.remove(0);
    }
    let place = (!keys.is_empty()).then(|| json_place(text, &keys)).flatten();
    let message = e.to_string();
    // A bare metrics object has no `metrics` key to name.
    let message = match wrapped {
        true => message,
        false => message
            .strip_prefix("metrics.")
            .or_else(|| message.strip_prefix("metrics: "))
            .unwrap_or(&message)
            .to_string(),
    };
    match place {
        Some((key, value)) => {
            let (line, column) = line_column(&text[..if at_key { key } else { value }]);
            DataError::At {
                path: path.into(),
                line,
                column,
                message,
            }
        }
        None => DataError::Io {
            path: path.into(),
            message,
        },
    }
}
