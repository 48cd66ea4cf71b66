//! What an evaluation reads: the time, the pool, the metric histories, the publication delay
//! and the random source. The context is an input, never a global (D20, D22).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::builtins::Metric;
use crate::time::{parse_rfc3339, parse_zoned_time, TimeInterval, Timestamp, TICKS_PER_SECOND};

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
///
/// Sample times are usually whole seconds apart (the service samples every 30 s), so they
/// are kept as 32-bit second offsets from the first sample, 12 bytes a sample with the value;
/// a history with a time off the whole-second grid (or more than 136 years long) keeps
/// 64-bit ticks instead. A year of 30-second samples of five metrics takes 63 MB, not 84.
#[derive(Debug, Clone, Default)]
pub struct MetricHistory {
    times: Times,
    values: Vec<f64>,
}

/// How a [`MetricHistory`] stores its times.
#[derive(Debug, Clone)]
enum Times {
    /// Whole seconds after `base` (in ticks).
    Seconds { base: i64, offsets: Vec<u32> },
    /// Ticks (100 ns since the Unix epoch).
    Ticks(Vec<i64>),
}

impl Default for Times {
    fn default() -> Times {
        Times::Seconds {
            base: 0,
            offsets: Vec::new(),
        }
    }
}

impl Times {
    fn get(&self, i: usize) -> i64 {
        match self {
            Times::Seconds { base, offsets } => base + i64::from(offsets[i]) * TICKS_PER_SECOND,
            Times::Ticks(t) => t[i],
        }
    }

    fn push(&mut self, t: i64) {
        if let Times::Seconds { base, offsets } = self {
            if offsets.is_empty() {
                *base = t;
            }
            if let Some(delta) = t.checked_sub(*base) {
                if delta % TICKS_PER_SECOND == 0 {
                    if let Ok(seconds) = u32::try_from(delta / TICKS_PER_SECOND) {
                        offsets.push(seconds);
                        return;
                    }
                }
            }
            // Off the grid: keep ticks from now on.
            let base = *base;
            let mut ticks: Vec<i64> = Vec::with_capacity(offsets.capacity().max(offsets.len() + 1));
            ticks.extend(offsets.iter().map(|&o| base + i64::from(o) * TICKS_PER_SECOND));
            *self = Times::Ticks(ticks);
        }
        if let Times::Ticks(ticks) = self {
            ticks.push(t);
        }
    }

    /// Number of the first `n` times that are `≤ cutoff`.
    fn count_at_or_before(&self, n: usize, cutoff: i64) -> usize {
        match self {
            Times::Seconds { base, offsets } => {
                let offsets = &offsets[..n.min(offsets.len())];
                // t ≤ cutoff ⟺ offset ≤ ⌊(cutoff − base) / 1 s⌋.
                let key = match cutoff.checked_sub(*base) {
                    Some(delta) => delta.div_euclid(TICKS_PER_SECOND),
                    None if cutoff < *base => -1,
                    None => i64::MAX,
                };
                if key < 0 {
                    0
                } else {
                    count_at_or_before(offsets, u32::try_from(key).unwrap_or(u32::MAX))
                }
            }
            Times::Ticks(ticks) => count_at_or_before(&ticks[..n.min(ticks.len())], cutoff),
        }
    }
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
            times: Times::Seconds {
                base: 0,
                offsets: Vec::with_capacity(n),
            },
            values: Vec::with_capacity(n),
        }
    }

    /// Append a sample; times must increase strictly and values be finite.
    pub fn push(&mut self, time: Timestamp, value: f64) -> Result<(), HistoryError> {
        if let Some(previous) = self.last_time() {
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
        self.values.len()
    }

    /// Whether there is no sample.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The time of sample `i` (100 ns ticks since the Unix epoch). Panics when `i` is out of
    /// range, like indexing.
    pub fn time(&self, i: usize) -> i64 {
        self.times.get(i)
    }

    /// The time of the first sample.
    pub fn first_time(&self) -> Option<i64> {
        (!self.is_empty()).then(|| self.times.get(0))
    }

    /// The time of the last sample.
    pub fn last_time(&self) -> Option<i64> {
        self.len().checked_sub(1).map(|i| self.times.get(i))
    }

    /// Sample times (100 ns ticks since the Unix epoch), ascending.
    pub fn times(&self) -> impl ExactSizeIterator<Item = i64> + '_ {
        (0..self.len()).map(|i| self.times.get(i))
    }

    /// Sample values, in time order.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of samples with time ≤ `cutoff` (those visible at `cutoff`).
    pub fn visible_count(&self, cutoff: i64) -> usize {
        self.times.count_at_or_before(self.len(), cutoff)
    }

    /// Index range of samples with `older < t ≤ younger` among the first `visible` samples.
    ///
    /// Windows usually end at the newest visible sample and span a few dozen samples, so the
    /// bounds are searched backwards from `visible` (galloping): the cost grows with the
    /// window, not with the length of the history.
    pub fn window(&self, older: i64, younger: i64, visible: usize) -> std::ops::Range<usize> {
        let end = self.times.count_at_or_before(visible, younger);
        let start = self.times.count_at_or_before(end, older);
        start..end
    }
}

impl PartialEq for MetricHistory {
    fn eq(&self, other: &MetricHistory) -> bool {
        self.values == other.values && self.times().eq(other.times())
    }
}

/// Number of leading `times` that are `≤ cutoff` (`times` ascending), found by galloping
/// backwards from the end and finishing with a binary search in the last step.
fn count_at_or_before<T: Copy + Ord>(times: &[T], cutoff: T) -> usize {
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
            times: Times::Ticks(Vec::new()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the storage (second offsets or ticks), searches find exactly what a plain
        /// binary search over the times finds, and the times read back as pushed.
        #[test]
        fn searches_agree_with_partition_point(
            mut seconds in proptest::collection::vec(-50i64..50, 0..64),
            off_grid in proptest::option::of(0usize..64),
            older in -60i64..60,
            younger in -60i64..60,
            visible in 0usize..70,
            fraction in 0i64..TICKS_PER_SECOND,
        ) {
            seconds.sort_unstable();
            seconds.dedup();
            let base = 1_700_000_000 * TICKS_PER_SECOND;
            let mut times: Vec<i64> = seconds.iter().map(|s| base + s * TICKS_PER_SECOND).collect();
            if let Some(i) = off_grid.filter(|&i| i < times.len()) {
                // One sample off the whole-second grid (still increasing).
                times[i] += fraction / 2;
            }
            let mut history = MetricHistory::new();
            for &t in &times {
                history.push(Timestamp(t), 1.0).unwrap();
            }
            prop_assert!(history.times().eq(times.iter().copied()));
            let (older, younger) = (base + older.min(younger) * TICKS_PER_SECOND + fraction, base + older.max(younger) * TICKS_PER_SECOND);
            let t = &times[..visible.min(times.len())];
            let start = t.partition_point(|&x| x <= older);
            let end = t.partition_point(|&x| x <= younger);
            prop_assert_eq!(history.window(older, younger, visible), start.min(end)..end);
            for cutoff in [older, younger, i64::MIN, i64::MAX] {
                prop_assert_eq!(history.visible_count(cutoff), times.partition_point(|&x| x <= cutoff));
            }
        }
    }

    #[test]
    fn a_time_off_the_grid_or_far_away_switches_to_ticks() {
        let mut history = MetricHistory::new();
        history.push(Timestamp(0), 1.0).unwrap();
        history.push(Timestamp(30 * TICKS_PER_SECOND), 2.0).unwrap();
        assert!(matches!(history.times, Times::Seconds { .. }));
        history.push(Timestamp(30 * TICKS_PER_SECOND + 1), 3.0).unwrap();
        assert!(matches!(history.times, Times::Ticks(_)));
        assert_eq!(
            history.times().collect::<Vec<_>>(),
            vec![0, 30 * TICKS_PER_SECOND, 30 * TICKS_PER_SECOND + 1]
        );
        let mut far = MetricHistory::new();
        far.push(Timestamp(0), 1.0).unwrap();
        far.push(Timestamp((u32::MAX as i64 + 1) * TICKS_PER_SECOND), 2.0).unwrap();
        assert!(matches!(far.times, Times::Ticks(_)));
        assert_eq!(far.last_time(), Some((u32::MAX as i64 + 1) * TICKS_PER_SECOND));
    }
}
