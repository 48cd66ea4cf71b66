//! The JSON form of a context and the context built from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::builtins::Metric;
use crate::time::{parse_rfc3339, parse_zoned_time, TimeInterval, Timestamp, TICKS_PER_SECOND};

use super::{EvalContext, HistoryError, MetricStore, PoolState, RandomSource};

/// The JSON form of a context: the `context` object of the conformance cases and of the CLI's
/// `--context` files.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContextSpec {
    /// The evaluation time, RFC 3339 with a zone (`2026-11-23T12:00:00Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<String>,
    /// The pool; every field defaults to 0 (`taskSlotsPerNode` to 1).
    #[serde(default)]
    pub pool: PoolState,
    /// Publication delay in seconds (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_publication_delay_seconds: Option<f64>,
    /// One entry per metric, keyed by its name (`$ActiveTasks`).
    #[serde(default)]
    pub metrics: BTreeMap<String, MetricSpec>,
    /// Successive `rand()` values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub random: Option<Vec<f64>>,
    /// A seed for `rand()` when no `random` list is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

/// The samples of one metric in a [`ContextSpec`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricSpec {
    /// Time of the last value.
    pub last: String,
    /// Seconds between values (default 30).
    #[serde(default = "default_period")]
    pub period_seconds: f64,
    /// Values oldest to newest; `null` is a sample that was never recorded.
    pub values: Vec<Option<f64>>,
}

fn default_period() -> f64 {
    30.0
}

/// Why a [`ContextSpec`] could not be turned into a context.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ContextError {
    /// `now` or a metric's `last` is not a time with a zone, e.g. `"2026-11-23 12:00"`.
    #[error("{field}: {message}")]
    BadTime {
        /// Which field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A metric name that is not a sampled metric, e.g. `"$PendingTask"`.
    #[error("metrics: `{name}` is not a sampled metric{suggestion}")]
    UnknownMetric {
        /// The name given.
        name: String,
        /// ", did you mean …?" or empty.
        suggestion: String,
    },
    /// A period that is not a positive number of seconds.
    #[error("metrics.{metric}.periodSeconds: must be a positive number of seconds")]
    BadPeriod {
        /// The metric.
        metric: String,
    },
    /// A bad sample value or order.
    #[error("metrics.{metric}: {source}")]
    BadSamples {
        /// The metric.
        metric: String,
        /// What is wrong.
        source: HistoryError,
    },
    /// A negative or non-finite publication delay.
    #[error("samplePublicationDelaySeconds: must be a non-negative number of seconds")]
    BadDelay,
}

/// A context built from a [`ContextSpec`]: owns the metric store that an [`EvalContext`] borrows.
#[derive(Debug, Clone)]
pub struct OwnedContext {
    /// The evaluation time.
    pub now: Timestamp,
    /// The pool.
    pub pool: PoolState,
    /// The metric histories.
    pub metrics: MetricStore,
    /// The publication delay.
    pub publication_delay: TimeInterval,
    /// The random source.
    pub random: RandomSource,
}

impl OwnedContext {
    /// Borrow as an [`EvalContext`].
    pub fn as_context(&self) -> EvalContext<'_> {
        EvalContext {
            now: self.now,
            pool: self.pool,
            metrics: &self.metrics,
            publication_delay: self.publication_delay,
            random: self.random.clone(),
        }
    }
}

impl ContextSpec {
    /// Build the context; `default_now` is used when `now` is absent.
    pub fn build(&self, default_now: Timestamp) -> Result<OwnedContext, ContextError> {
        let now = match &self.now {
            Some(s) => parse_zoned_time(s).map_err(|e| ContextError::BadTime {
                field: "now".into(),
                message: e.to_string(),
            })?,
            None => default_now,
        };
        let mut metrics = MetricStore::new();
        for (name, spec) in &self.metrics {
            let Some(metric) = Metric::from_name(name) else {
                let suggestion = crate::builtins::closest(name, Metric::ALL.iter().map(|m| m.name()))
                    .map(|s| format!("; did you mean `{s}`?"))
                    .unwrap_or_default();
                return Err(ContextError::UnknownMetric {
                    name: name.clone(),
                    suggestion,
                });
            };
            if !(spec.period_seconds.is_finite() && spec.period_seconds > 0.0) {
                return Err(ContextError::BadPeriod { metric: name.clone() });
            }
            let last = parse_rfc3339(&spec.last).map_err(|e| ContextError::BadTime {
                field: format!("metrics.{name}.last"),
                message: e.to_string(),
            })?;
            let period = (spec.period_seconds * TICKS_PER_SECOND as f64).round() as i64;
            let n = spec.values.len() as i64;
            let history = metrics.history_mut(metric);
            for (i, value) in spec.values.iter().enumerate() {
                if let Some(v) = value {
                    let t = Timestamp(last.0.saturating_sub((n - 1 - i as i64).saturating_mul(period)));
                    history.push(t, *v).map_err(|source| ContextError::BadSamples {
                        metric: name.clone(),
                        source,
                    })?;
                }
            }
        }
        let delay = self.sample_publication_delay_seconds.unwrap_or(0.0);
        if !(delay.is_finite() && delay >= 0.0) {
            return Err(ContextError::BadDelay);
        }
        let random = match (&self.random, self.seed) {
            (Some(values), _) => RandomSource::Sequence(values.clone()),
            (None, Some(seed)) => RandomSource::Seeded(seed),
            (None, None) => RandomSource::default(),
        };
        Ok(OwnedContext {
            now,
            pool: self.pool,
            metrics,
            publication_delay: TimeInterval((delay * TICKS_PER_SECOND as f64).round() as i64),
            random,
        })
    }
}
