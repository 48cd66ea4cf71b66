//! JSON metric files: the `metrics` object of a context file, bare or wrapped.

use std::collections::BTreeMap;

use super::context::{check_periods, context_error_at};
use super::history::MetricData;
use super::location::{json_error, DataError};
use crate::builtins::Metric;
use crate::eval::{ContextSpec, MetricSpec};
use crate::time::Timestamp;

/// Read JSON metric data (see the module docs).
pub fn parse_json(text: &str, path: &str) -> Result<MetricData, DataError> {
    /// A context-shaped file: its other fields (`now`, `pool`, …) are not metric data.
    #[derive(serde::Deserialize)]
    struct Wrapped {
        metrics: BTreeMap<String, MetricSpec>,
    }
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| json_error(path, text, &e))?;
    let wrapped = value.get("metrics").is_some();
    let metrics = if wrapped {
        serde_json::from_str::<Wrapped>(text).map(|w| w.metrics)
    } else {
        serde_json::from_str::<BTreeMap<String, MetricSpec>>(text)
    }
    .map_err(|e| {
        let mut error = json_error(path, text, &e);
        if let DataError::At { message, .. } = &mut error {
            message.push_str(
                "; metric data is an object such as {\"$PendingTasks\": {\"last\": \"2026-11-23T12:00:00Z\", \"values\": [1, 2]}}",
            );
        }
        error
    })?;
    check_periods(text, path, &metrics, wrapped)?;
    let spec = ContextSpec {
        metrics,
        ..ContextSpec::default()
    };
    let built = spec.build(Timestamp(0)).map_err(|e| context_error_at(text, path, &e, wrapped))?;
    let mut data = MetricData {
        metrics: built.metrics,
        ..MetricData::default()
    };
    for m in Metric::ALL {
        let h = data.metrics.history(m);
        if let (Some(a), Some(b)) = (h.first_time(), h.last_time()) {
            data.first = Some(data.first.map_or(Timestamp(a), |f| f.min(Timestamp(a))));
            data.last = Some(data.last.map_or(Timestamp(b), |l| l.max(Timestamp(b))));
        }
    }
    Ok(data)
}
