//! What an evaluation reads: the time, the pool, the metric histories, the publication delay
//! and the random source. The context is an input, never a global (D20, D22).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::builtins::Metric;
use crate::time::{parse_rfc3339, TimeInterval, Timestamp, TICKS_PER_SECOND};

/// The pool state a formula sees (§5.1, §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PoolState {
    /// Initial value of `$TargetDedicatedNodes` (the pool's current dedicated target).
    pub target_dedicated_nodes: f64,
    /// Initial value of `$TargetLowPriorityNodes`.
    pub target_low_priority_nodes: f64,
    /// `$CurrentDedicatedNodes`.
    pub current_dedicated_nodes: f64,
    /// `$CurrentLowPriorityNodes`.
    pub current_low_priority_nodes: f64,
    /// `$TaskSlotsPerNode` (default 1).
    pub task_slots_per_node: f64,
    /// `$UsableNodeCount`.
    pub usable_node_count: f64,
}

impl Default for PoolState {
    fn default() -> PoolState {
        PoolState {
            target_dedicated_nodes: 0.0,
            target_low_priority_nodes: 0.0,
            current_dedicated_nodes: 0.0,
            current_low_priority_nodes: 0.0,
            task_slots_per_node: 1.0,
            usable_node_count: 0.0,
        }
    }
}

/// The recorded samples of one metric: times ascending, gaps simply absent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricHistory {
    times: Vec<i64>,
    values: Vec<f64>,
}

/// Why samples could not be added to a [`MetricHistory`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// A sample is not later than the one before it, e.g. two samples at the same time.
    #[error("sample at {time} is not later than the previous sample at {previous}")]
    NotIncreasing {
        /// The offending sample time.
        time: String,
        /// The sample before it.
        previous: String,
    },
    /// A sample value is NaN or infinite.
    #[error("sample at {time} has a value that is not a finite number")]
    NotFinite {
        /// The offending sample time.
        time: String,
    },
}

impl MetricHistory {
    /// An empty history.
    pub fn new() -> MetricHistory {
        MetricHistory::default()
    }

    /// A history with room for `n` samples.
    pub fn with_capacity(n: usize) -> MetricHistory {
        MetricHistory {
            times: Vec::with_capacity(n),
            values: Vec::with_capacity(n),
        }
    }

    /// Append a sample; times must increase strictly and values be finite.
    pub fn push(&mut self, time: Timestamp, value: f64) -> Result<(), HistoryError> {
        if let Some(&previous) = self.times.last() {
            if time.0 <= previous {
                return Err(HistoryError::NotIncreasing {
                    time: time.format_results(),
                    previous: Timestamp(previous).format_results(),
                });
            }
        }
        if !value.is_finite() {
            return Err(HistoryError::NotFinite {
                time: time.format_results(),
            });
        }
        self.times.push(time.0);
        self.values.push(value);
        Ok(())
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Whether there is no sample.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Sample times (100 ns ticks since the Unix epoch), ascending.
    pub fn times(&self) -> &[i64] {
        &self.times
    }

    /// Sample values, in time order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of samples with time ≤ `cutoff` (those visible at `cutoff`).
    pub fn visible_count(&self, cutoff: i64) -> usize {
        self.times.partition_point(|&t| t <= cutoff)
    }

    /// Index range of samples with `older < t ≤ younger` among the first `visible` samples.
    ///
    /// Windows usually end at the newest visible sample and span a few dozen samples, so the
    /// bounds are searched backwards from `visible` (galloping): the cost grows with the
    /// window, not with the length of the history.
    pub fn window(&self, older: i64, younger: i64, visible: usize) -> std::ops::Range<usize> {
        let times = &self.times[..visible.min(self.times.len())];
        let end = count_at_or_before(times, younger);
        let start = count_at_or_before(&times[..end], older);
        start..end
    }
}

/// Number of leading `times` that are `≤ cutoff` (`times` ascending), found by galloping
/// backwards from the end and finishing with a binary search in the last step.
fn count_at_or_before(times: &[i64], cutoff: i64) -> usize {
    let n = times.len();
    let mut step = 1;
    let mut high = n; // times[high..] are all > cutoff
    loop {
        if step >= high {
            return times[..high].partition_point(|&t| t <= cutoff);
        }
        let probe = high - step;
        if times[probe] <= cutoff {
            return probe + 1 + times[probe + 1..high].partition_point(|&t| t <= cutoff);
        }
        high = probe;
        step *= 2;
    }
}

/// Histories of every metric, indexed by [`Metric`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricStore {
    histories: Vec<MetricHistory>,
}

impl MetricStore {
    /// A store with no samples.
    pub fn new() -> MetricStore {
        MetricStore {
            histories: vec![MetricHistory::new(); Metric::ALL.len()],
        }
    }

    /// The history of `metric`.
    pub fn history(&self, metric: Metric) -> &MetricHistory {
        static EMPTY: MetricHistory = MetricHistory {
            times: Vec::new(),
            values: Vec::new(),
        };
        self.histories.get(metric as usize).unwrap_or(&EMPTY)
    }

    /// The history of `metric`, to add samples.
    pub fn history_mut(&mut self, metric: Metric) -> &mut MetricHistory {
        if self.histories.len() < Metric::ALL.len() {
            self.histories.resize(Metric::ALL.len(), MetricHistory::new());
        }
        &mut self.histories[metric as usize]
    }

    /// Replace the history of `metric`.
    pub fn set_history(&mut self, metric: Metric, history: MetricHistory) {
        *self.history_mut(metric) = history;
    }
}

/// Where `rand()` takes its numbers from (D20).
#[derive(Debug, Clone, PartialEq)]
pub enum RandomSource {
    /// These values, in order; an evaluation that calls `rand()` more often fails.
    Sequence(Vec<f64>),
    /// A deterministic generator (SplitMix64) started from this seed.
    Seeded(u64),
}

impl Default for RandomSource {
    fn default() -> RandomSource {
        RandomSource::Seeded(0)
    }
}

/// Everything one evaluation reads.
#[derive(Debug, Clone)]
pub struct EvalContext<'m> {
    /// The evaluation time: what `time()` returns and what windows are measured back from.
    pub now: Timestamp,
    /// The pool.
    pub pool: PoolState,
    /// The metric histories.
    pub metrics: &'m MetricStore,
    /// Samples newer than `now - publication_delay` are not yet visible (D22).
    pub publication_delay: TimeInterval,
    /// The source of `rand()`.
    pub random: RandomSource,
}

impl<'m> EvalContext<'m> {
    /// A context at `now` with a default pool, no delay and seed 0.
    pub fn new(now: Timestamp, metrics: &'m MetricStore) -> EvalContext<'m> {
        EvalContext {
            now,
            pool: PoolState::default(),
            metrics,
            publication_delay: TimeInterval::ZERO,
            random: RandomSource::default(),
        }
    }
}

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
            Some(s) => parse_rfc3339(s).map_err(|e| ContextError::BadTime {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The galloping search finds exactly what a plain binary search finds.
        #[test]
        fn galloping_agrees_with_partition_point(
            mut times in proptest::collection::vec(-50i64..50, 0..64),
            older in -60i64..60,
            younger in -60i64..60,
            visible in 0usize..70,
        ) {
            times.sort_unstable();
            times.dedup();
            let (older, younger) = (older.min(younger), older.max(younger));
            let history = MetricHistory { values: vec![0.0; times.len()], times };
            let t = &history.times[..visible.min(history.times.len())];
            let start = t.partition_point(|&x| x <= older);
            let end = t.partition_point(|&x| x <= younger);
            prop_assert_eq!(history.window(older, younger, visible), start..end.max(start));
            for cutoff in [older, younger] {
                prop_assert_eq!(count_at_or_before(t, cutoff), t.partition_point(|&x| x <= cutoff));
            }
        }
    }
}
