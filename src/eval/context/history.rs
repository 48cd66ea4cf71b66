//! The recorded samples of one metric, stored compactly and searched by time.

use crate::time::{Timestamp, TICKS_PER_SECOND};

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

    #[inline]
    fn push(&mut self, t: i64) {
        // The usual case first: whole seconds after the base, within 136 years of it.
        if let Times::Seconds { base, offsets } = self {
            if !offsets.is_empty() {
                let delta = t.wrapping_sub(*base);
                let seconds = delta / TICKS_PER_SECOND;
                if delta >= 0 && seconds * TICKS_PER_SECOND == delta && seconds <= i64::from(u32::MAX) && t >= *base {
                    offsets.push(seconds as u32);
                    return;
                }
            }
        }
        self.push_other(t);
    }

    fn push_other(&mut self, t: i64) {
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
    /// An empty history, for a `static`.
    pub(super) const EMPTY: MetricHistory = MetricHistory {
        times: Times::Ticks(Vec::new()),
        values: Vec::new(),
    };

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

    /// Append a sample the caller knows to be later than the last one and finite (the metric
    /// file readers check both first): what [`push`](MetricHistory::push) does then.
    #[inline]
    #[cfg(feature = "data")]
    pub(crate) fn push_later(&mut self, time: Timestamp, value: f64) {
        debug_assert!(value.is_finite() && self.last_time().is_none_or(|last| last < time.0));
        self.times.push(time.0);
        self.values.push(value);
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
